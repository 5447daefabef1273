//! `innsyn serve`: builds the site into memory, serves it over HTTP on loopback,
//! watches the site's folders, rebuilds on change and tells open pages to reload
//! (server-sent events; a small script is injected into HTML only here). A failed
//! rebuild keeps the last good site served and shows the errors in the pages.
//! Requests are answered from the in-memory map of built files, so no request can
//! read anything else from the disk.

pub mod session;
mod watch;

use std::collections::HashMap;
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::error::Diagnostic;
use crate::http::{self, Head, Response};
use crate::pipeline::{Mode, Options};
use session::Session;

/// Where the reload events are served.
const EVENTS: &str = "/__innsyn/events";

/// The built site as served, and the last build's errors.
#[derive(Default)]
struct State {
    files: HashMap<String, Vec<u8>>,
    error: Option<String>,
    /// Increases with every build, so pages know whether they are current.
    generation: u64,
}

struct Shared {
    state: RwLock<State>,
    clients: Mutex<Vec<Sender<String>>>,
}

impl Shared {
    fn broadcast(&self, event: &str) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain(|c| c.send(event.to_string()).is_ok());
    }
}

/// Serve options.
pub struct ServeOptions {
    /// The site's root folder.
    pub root: PathBuf,
    /// The IP address to listen on.
    pub interface: String,
    /// The port to listen on.
    pub port: u16,
    /// Whether drafts are built too.
    pub drafts: bool,
    /// Whether pages dated after today are built too.
    pub future: bool,
    /// Whether to open the site in the system's browser.
    pub open: bool,
}

/// Builds, serves and watches until the process is stopped.
pub fn run(opts: ServeOptions) -> Result<(), Diagnostic> {
    let addr: SocketAddr = format!("{}:{}", opts.interface, opts.port).parse().map_err(|_| {
        Diagnostic::new("--interface", format!("`{}` is not an IP address", opts.interface))
            .hint("use 127.0.0.1 (only this machine) or 0.0.0.0 (every network)")
    })?;
    let listener = TcpListener::bind(addr).map_err(|e| {
        Diagnostic::new("--port", format!("cannot listen on {addr}: {e}")).hint(format!(
            "another program may use port {}; try `--port {}`",
            opts.port,
            opts.port.wrapping_add(1).max(1024)
        ))
    })?;
    let build_options = Options { drafts: opts.drafts, future: opts.future, ..Options::new(&opts.root, Mode::Serve) };
    let shared = Arc::new(Shared { state: RwLock::new(State::default()), clients: Mutex::new(Vec::new()) });
    let mut session = Session::new(build_options);
    watch::rebuild(&mut session, &[], &shared);
    let url = format!("http://{addr}/");
    println!("Serving {} at {url} (Ctrl+C stops)", opts.root.display());
    if opts.open {
        // The system's browser, on Windows, macOS and Linux alike; serving goes on
        // if there is none.
        if let Err(e) = opener::open_browser(&url) {
            eprintln!("note: could not open a browser ({e}); open {url} yourself");
        }
    }

    // The watcher rebuilds on its own thread after a short quiet spell.
    let watching = watch::start(&opts.root, session, Arc::clone(&shared))?;

    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(&shared);
        let open = Arc::clone(&open);
        let port = addr.port();
        std::thread::spawn(move || {
            // Too many open connections (a slow client opening many): refuse more.
            if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                let mut stream = stream;
                let _ = Response::text(503, "503 Service Unavailable: too many connections").write_to(
                    &mut stream,
                    false,
                    false,
                );
            } else {
                connection(stream, &shared, port);
            }
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
    drop(watching);
    Ok(())
}

/// Connections served at once; each has its own thread.
const MAX_CONNECTIONS: usize = 512;

/// Answers the requests of one connection until it closes, is silent for
/// [`http::IDLE`], or asks for no more.
fn connection(stream: TcpStream, shared: &Shared, port: u16) {
    http::prepare(&stream);
    let Ok((mut reader, mut writer)) = http::split(stream) else { return };
    loop {
        let request = match http::read_head(&mut reader) {
            Head::Request(r) => r,
            Head::Closed => return,
            Head::TooLarge => {
                let _ = Response::text(431, "431 Request Header Fields Too Large").write_to(&mut writer, false, false);
                return;
            }
            Head::Bad => {
                let _ = Response::text(400, "400 Bad Request").write_to(&mut writer, false, false);
                return;
            }
        };
        let head_only = request.method == "HEAD";
        let keep_alive = request.keep_alive;
        let response = match request.host.as_deref() {
            // HTTP/1.1 requires a Host; HTTP/1.0 clients may leave it out.
            None if request.http11 => Response::text(400, "400 Bad Request: no Host header"),
            Some(host) if !http::host_allowed(host, port) => Response::text(
                403,
                "403 Forbidden: innsyn serve answers only requests for 127.0.0.1, localhost or an IP address \
                 with its port, so that no other web site can read this preview",
            ),
            _ if !matches!(request.method.as_str(), "GET" | "HEAD") => {
                Response::text(405, "405 Method Not Allowed").header("Allow", "GET, HEAD")
            }
            _ if request.target.split('?').next() == Some(EVENTS) => {
                events(writer, shared);
                return;
            }
            _ => respond(&request.target, shared),
        };
        if response.write_to(&mut writer, head_only, keep_alive).is_err() || !keep_alive {
            return;
        }
    }
}

/// The file a request path names, or why it names none. Paths are decoded,
/// then refused when they try to leave the site (`..`, backslashes, NUL).
pub fn resolve(raw: &str, exists: impl Fn(&str) -> bool) -> Result<Option<String>, &'static str> {
    let path = raw.split(['?', '#']).next().unwrap_or("");
    let decoded = crate::http::percent_decode(path).ok_or("bad encoding")?;
    if decoded.contains('\0') || decoded.contains('\\') || !decoded.starts_with('/') || decoded.starts_with("//") {
        return Err("bad path");
    }
    let parts: Vec<&str> = decoded.split('/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| *p == ".." || *p == ".") {
        return Err("bad path");
    }
    let joined = parts.join("/");
    let candidates = if decoded.ends_with('/') || joined.is_empty() {
        vec![format!("{joined}{}index.html", if joined.is_empty() { "" } else { "/" })]
    } else {
        vec![joined.clone(), format!("{joined}/index.html")]
    };
    Ok(candidates.into_iter().find(|c| exists(c)))
}

/// The live-reload script, injected into HTML responses while serving.
fn reload_script() -> String {
    format!(
        r#"<script>(function(){{var s=new EventSource("{EVENTS}");s.onmessage=function(e){{if(e.data==="reload"){{location.reload();return}}if(e.data.indexOf("error\n")===0){{var d=document.getElementById("innsyn-build-error");if(!d){{d=document.createElement("div");d.id="innsyn-build-error";d.setAttribute("role","alert");d.style.cssText="position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;background:#fbe9e9;color:#8f1414;border-top:4px solid #c01b1b;padding:1rem;font:14px/1.5 monospace;white-space:pre-wrap;z-index:99999";document.body.appendChild(d)}}d.textContent="innsyn: the last change did not build, so this page shows the last good build.\n\n"+e.data.slice(6)}}}};}})();</script>"#
    )
}

/// The response to a `GET` of `target`: a built file, a redirect to a folder's
/// address with its slash, or 404 (with the site's 404 page) or 400.
fn respond(target: &str, shared: &Shared) -> Response {
    let state = shared.state.read().unwrap_or_else(|e| e.into_inner());
    let found = resolve(target, |p| state.files.contains_key(p));
    let (status, path) = match found {
        Err(_) => (400, None),
        Ok(Some(p)) => (200, Some(p)),
        Ok(None) => (404, state.files.contains_key("404.html").then(|| "404.html".to_string())),
    };
    let Some(path) = path else {
        return Response::text(status, if status == 400 { "400 Bad Request" } else { "404 Not Found" });
    };
    // A folder asked for without its slash: send the reader to it.
    let bare = target.split('?').next().unwrap_or("");
    if status == 200 && path.ends_with("/index.html") && !bare.ends_with('/') && !bare.ends_with(".html") {
        return Response::text(301, "301 Moved Permanently").header("Location", format!("{bare}/"));
    }
    let mut body = state.files[&path].clone();
    drop(state);
    if path.ends_with(".html") {
        // The event stream tells a page about a broken build as soon as it connects.
        let mut html = String::from_utf8_lossy(&body).into_owned();
        let inject = reload_script();
        match html.rfind("</body>") {
            Some(i) => html.insert_str(i, &inject),
            None => html.push_str(&inject),
        }
        body = html.into_bytes();
    }
    Response::new(status, &crate::mime::content_type(&path), body).header("Cache-Control", "no-store")
}

/// Streams reload and error events to one page until it goes away. Each event is
/// written and sent at once; a comment every 15 s keeps the connection open and
/// finds closed ones.
fn events(mut stream: TcpStream, shared: &Shared) {
    let (tx, rx) = channel();
    // A page that opens while the site is broken learns it at once.
    if let Some(e) = &shared.state.read().unwrap_or_else(|e| e.into_inner()).error {
        let _ = tx.send(format!("error\n{e}"));
    }
    shared.clients.lock().unwrap_or_else(|e| e.into_inner()).push(tx);
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                Connection: close\r\n\r\n: connected\n\n";
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    loop {
        let chunk = match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => event.lines().map(|l| format!("data: {l}\n")).collect::<String>() + "\n",
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if stream.write_all(chunk.as_bytes()).and_then(|()| stream.flush()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(p: &str) -> bool {
        ["index.html", "a/index.html", "innsyn.css", "a/b c.svg"].contains(&p)
    }

    #[test]
    fn requests_map_to_files_and_folders_to_their_index() {
        assert_eq!(resolve("/", site), Ok(Some("index.html".into())));
        assert_eq!(resolve("/a/", site), Ok(Some("a/index.html".into())));
        assert_eq!(resolve("/a", site), Ok(Some("a/index.html".into())));
        assert_eq!(resolve("/innsyn.css?v=1", site), Ok(Some("innsyn.css".into())));
        assert_eq!(resolve("/a/b%20c.svg", site), Ok(Some("a/b c.svg".into())));
        assert_eq!(resolve("/nope", site), Ok(None));
    }

    #[test]
    fn paths_that_try_to_leave_the_site_are_refused() {
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/%2e%2e/etc/passwd",
            "//etc/passwd",
            "/a/..%2f..%2fCargo.toml",
            "/a\\..\\x",
            "/%00",
            "/%zz",
        ] {
            assert!(resolve(bad, |_| true).is_err(), "{bad} was accepted");
        }
    }
}
