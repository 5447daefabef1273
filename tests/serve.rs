//! `innsyn serve` over real HTTP: content types, folders and misses, refused
//! traversal, live reload on an edit, a broken edit keeping the old site served,
//! and many requests at once. The server runs on a free loopback port.

mod common;

use common::copy_dir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/features"), &root);
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port, _dir: dir, root };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// (status, content type, body) of a GET with the path sent exactly as given.
fn get(port: u16, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let head_end = text.find("\r\n\r\n").unwrap_or(text.len());
    let content_type = text[..head_end]
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type: ").map(str::to_string))
        .unwrap_or_default();
    (status, content_type, text[(head_end + 4).min(text.len())..].to_string())
}

#[test]
fn pages_and_assets_are_served_with_the_right_content_types() {
    let s = start();
    let (status, ct, body) = get(s.port, "/");
    assert_eq!((status, ct.as_str()), (200, "text/html; charset=utf-8"));
    assert!(body.contains("EventSource"), "the live-reload script is injected while serving");
    assert_eq!(get(s.port, "/innsyn.css").1, "text/css; charset=utf-8");
    assert_eq!(get(s.port, "/nyheter/bunt/kart.svg").1, "image/svg+xml");
    assert_eq!(get(s.port, "/sitemap.xml").1, "application/xml; charset=utf-8");
    assert_eq!(get(s.port, "/nyheter/").0, 200);
    let (status, _, body) = get(s.port, "/finnes/ikke/");
    assert_eq!(status, 404);
    assert!(body.contains("<html"), "misses get the site's 404 page");
}

#[test]
fn traversal_attempts_never_return_file_contents() {
    let s = start();
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/nyheter/..%2f..%2fconfig.toml",
        "/..\\config.toml",
    ] {
        let (status, _, body) = get(s.port, path);
        assert!(status == 400 || status == 404, "{path} gave {status}");
        assert!(!body.contains("root:") && !body.contains("base_url"), "{path} leaked a file");
    }
}

#[test]
fn an_edit_sends_a_reload_and_a_broken_edit_keeps_the_old_site() {
    let s = start();
    let mut events = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    events.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(events, "GET /__innsyn/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut reader = BufReader::new(events);
    let mut wait_for = |needle: &str| {
        let mut line = String::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if line.contains(needle) {
                return true;
            }
        }
        false
    };
    assert!(wait_for("connected"));
    std::thread::sleep(Duration::from_millis(300));
    let page = s.root.join("content/om/personvern.md");
    std::fs::write(
        &page,
        "+++\ntitle = \"Personvern\"\nslug = \"personvernerklæring\"\n+++\nNy tekst om personvern.\n",
    )
    .unwrap();
    assert!(wait_for("data: reload"), "no reload event after an edit");
    assert!(get(s.port, "/om/personvernerklaering/").2.contains("Ny tekst om personvern."));

    std::fs::write(&page, "+++\ntitle = \"Personvern\n+++\nØdelagt.\n").unwrap();
    assert!(wait_for("data: error"), "no error event after a broken edit");
    let (status, _, body) = get(s.port, "/om/personvernerklaering/");
    assert_eq!(status, 200);
    assert!(body.contains("Ny tekst om personvern."), "the last good site is still served");
}

#[test]
fn two_hundred_concurrent_requests_are_all_answered() {
    let s = start();
    let port = s.port;
    let handles: Vec<_> = (0..200)
        .map(|i| std::thread::spawn(move || get(port, if i % 2 == 0 { "/" } else { "/innsyn.css" }).0))
        .collect();
    let ok = handles.into_iter().map(|h| h.join().unwrap()).filter(|&s| s == 200).count();
    assert_eq!(ok, 200);
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let s = start();
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["serve", "--port", &s.port.to_string(), "--root"])
        .arg(&s.root)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot listen") && err.contains("--port"), "{err}");
}

/// Sends `raw` on a new connection and returns everything the server sends
/// before it closes the connection or is silent for two seconds.
fn exchange(port: u16, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let _ = s.write_all(raw);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn only_get_and_head_are_answered_and_head_has_no_body() {
    let s = start();
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"] {
        let reply = exchange(
            s.port,
            format!("{method} / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert!(reply.starts_with("HTTP/1.1 405 "), "{method}: {reply}");
        assert!(reply.contains("\r\nAllow: GET, HEAD\r\n"), "{method}: {reply}");
    }
    let reply = exchange(s.port, b"HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert!(reply.starts_with("HTTP/1.1 200 "), "{reply}");
    assert!(reply.ends_with("\r\n\r\n") && !reply.contains("<html"), "{reply}");
}

#[test]
fn hosts_other_than_this_machines_addresses_are_refused() {
    let s = start();
    for host in ["innsyn.example", &format!("rebind.example:{}", s.port), &format!("127.0.0.1.nip.io:{}", s.port)] {
        let reply = exchange(s.port, format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes());
        assert!(reply.starts_with("HTTP/1.1 403 ") && !reply.contains("<html"), "{host}: {reply}");
    }
    for host in [format!("127.0.0.1:{}", s.port), format!("localhost:{}", s.port), format!("[::1]:{}", s.port)] {
        let reply = exchange(s.port, format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes());
        assert!(reply.starts_with("HTTP/1.1 200 "), "{host}: {reply}");
    }
}

#[test]
fn keep_alive_connections_answer_request_after_request_in_http_1_1_and_1_0() {
    let s = start();
    let mut conn = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    for (i, version) in ["HTTP/1.1", "HTTP/1.0"].iter().cycle().take(40).enumerate() {
        let connection = if *version == "HTTP/1.0" { "Connection: keep-alive\r\n" } else { "" };
        write!(conn, "GET /innsyn.css {version}\r\nHost: localhost\r\n{connection}\r\n").unwrap();
        let mut length = None;
        let mut line = String::new();
        loop {
            line.clear();
            assert!(reader.read_line(&mut line).unwrap() > 0, "request {i} ({version}) got no answer");
            if i == 0 || line.starts_with("HTTP/") {
                assert!(!line.starts_with("HTTP/") || line.contains(" 200 "), "{line}");
            }
            if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length: ") {
                length = n.trim().parse::<usize>().ok();
            }
            if line.to_ascii_lowercase().starts_with("connection: ") {
                assert!(line.contains("keep-alive"), "request {i} ({version}): {line}");
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length.expect("a Content-Length")];
        reader.read_exact(&mut body).unwrap();
    }
}

#[test]
fn huge_and_endless_request_heads_are_cut_off() {
    let s = start();
    // 200 MiB of header: the server answers 431 after its limit and stops reading.
    let mut conn = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    conn.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(conn, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ").unwrap();
    let chunk = vec![b'a'; 1 << 20];
    let mut sent = 0;
    for _ in 0..200 {
        if conn.write_all(&chunk).is_err() {
            break;
        }
        sent += 1;
    }
    assert!(sent < 200, "the server read 200 MiB of header");
    let mut reply = Vec::new();
    let _ = conn.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.is_empty() || reply.starts_with("HTTP/1.1 431 "), "{reply}");

    // A head that never ends: the connection is closed after the idle timeout.
    let mut slow = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(slow, "GET / HTTP/1.1\r\nHost: local").unwrap();
    let mut rest = Vec::new();
    assert!(slow.read_to_end(&mut rest).is_ok(), "the server kept a silent connection open for 30 s");
}
