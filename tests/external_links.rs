//! `check --external` against small HTTP servers on this machine (no internet):
//! broken, refusing, slow and closed hosts are reported as warnings at the
//! `file:line` of each link, and plain `check` asks nothing.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A server answering each request from `answer(method, path)` (status, delay),
/// counting the requests; returns its address and the count.
fn server(answer: fn(&str, &str) -> (u16, Duration)) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let text = String::from_utf8_lossy(&request);
                let mut words = text.split_whitespace();
                let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                let (status, delay) = answer(method, path);
                std::thread::sleep(delay);
                // A redirect leads to `/finnes` on the same host.
                let location = if status == 301 { "Location: /finnes\r\n" } else { "" };
                let _ =
                    write!(stream, "HTTP/1.1 {status} X\r\n{location}Content-Length: 0\r\nConnection: close\r\n\r\n");
            });
        }
    });
    (addr, count)
}

fn fast(method: &str, path: &str) -> (u16, Duration) {
    let status = match (method, path) {
        (_, "/finnes") => 200,
        ("HEAD", "/uten-head") => 405,
        ("GET", "/uten-head") => 200,
        (_, "/flyttet") => 301,
        _ => 404,
    };
    (status, Duration::ZERO)
}

fn slow(_: &str, _: &str) -> (u16, Duration) {
    (200, Duration::from_secs(4))
}

fn site(dir: &Path, config: &str, body: &str) {
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::write(dir.join("config.toml"), format!("title = \"Lenker\"\n{config}")).unwrap();
    std::fs::write(dir.join("content/_index.md"), "+++\ntitle = \"Lenker\"\n+++\n").unwrap();
    std::fs::write(dir.join("content/a.md"), format!("+++\ntitle = \"A\"\n+++\n{body}")).unwrap();
}

fn check(root: &Path, args: &[&str]) -> (i32, String) {
    let o =
        Command::new(env!("CARGO_BIN_EXE_innsyn")).arg("check").args(args).arg("--root").arg(root).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn external_links_are_checked_per_host_and_reported_at_their_line() {
    let (good, asked) = server(fast);
    let (sluggish, _) = server(slow);
    // A port nothing listens on: bound, then let go.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    // The theme links the accessibility statement from every page.
    site(
        dir.path(),
        &format!("accessibility_statement = \"http://{good}/erklaering\"\n"),
        &format!(
            "[finnes](http://{good}/finnes)\n\n\
             [borte](http://{good}/borte)\n\n\
             [uten HEAD](http://{good}/uten-head#del)\n\n\
             [treg](http://{sluggish}/en)\n\n\
             [treg igjen](http://{sluggish}/to)\n\n\
             [stengt](http://{closed}/x)\n\n\
             [borte igjen](http://{good}/borte)\n\n\
             [flyttet](http://{good}/flyttet)\n"
        ),
    );

    // Plain `check` asks no one.
    let (code, stderr) = check(dir.path(), &["--strict"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(asked.load(Ordering::SeqCst), 0, "check without --external made requests");

    let (code, stderr) = check(dir.path(), &["--external", "--host-timeout", "2"]);
    assert_eq!(code, 0, "warnings do not fail a check without --strict: {stderr}");
    let expect = [
        format!("content/a.md:6:1: warning: the link `http://{good}/borte` answers 404"),
        format!("content/a.md:16:1: warning: the link `http://{good}/borte` answers 404"),
        format!("content/a.md:10:1: warning: the link `http://{sluggish}/en` did not answer within 2 s"),
        format!("content/a.md:12:1: warning: the link `http://{sluggish}/to` was not checked"),
        format!("content/a.md:14:1: warning: the link `http://{closed}/x` could not be reached"),
        format!("config.toml:2:1: warning: the link `http://{good}/erklaering` answers 404"),
    ];
    for e in &expect {
        assert!(stderr.contains(e.as_str()), "`{e}` missing from:\n{stderr}");
    }
    assert_eq!(stderr.matches("warning: ").count(), expect.len(), "{stderr}");
    for fine in ["/finnes", "/uten-head", "/flyttet"] {
        assert!(!stderr.contains(fine), "{fine} answers well, in the end: {stderr}");
    }

    let (code, _) = check(dir.path(), &["--external", "--host-timeout", "2", "--strict"]);
    assert_eq!(code, 1, "--strict fails on a broken external link");
}
