//! The small HTTP/1.1 server under `innsyn serve`: reads a request's head with a
//! size limit and a timeout, and writes each response in one piece. It serves
//! `GET` and `HEAD` of files held in memory and one event stream, so it needs no
//! more of HTTP than this; what it leaves out (request bodies, chunked encoding,
//! other methods) it refuses plainly.
//!
//! A general server crate read request heads without a limit (a 200 MiB header
//! went into memory), had no read timeout, answered an HTTP/1.0 keep-alive request
//! without closing or keeping the connection properly, and left Nagle's algorithm
//! on, so every keep-alive request waited about 40 ms for a delayed ACK.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpStream};
use std::time::Duration;

/// The longest request head (request line and headers) read: browsers send 1–2 KiB.
pub const MAX_HEAD: usize = 16 * 1024;

/// How long a connection may be silent before it is closed: in the middle of a
/// request head, or between requests on a kept-alive connection.
pub const IDLE: Duration = Duration::from_secs(10);

/// A request's head, as far as the server needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The request method, e.g. `GET`.
    pub method: String,
    /// The request target as sent, e.g. `/mandater/?q=1`.
    pub target: String,
    /// `true` for HTTP/1.1, `false` for HTTP/1.0.
    pub http11: bool,
    /// The `Host` header, if sent.
    pub host: Option<String>,
    /// Whether the client wants the connection kept open after the response.
    pub keep_alive: bool,
    /// Whether a body follows the head (`Content-Length` above 0, or
    /// `Transfer-Encoding`): the server reads none, so it closes the connection.
    pub has_body: bool,
}

/// What reading a request head gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Head {
    /// A request head read whole.
    Request(Request),
    /// The head is longer than [`MAX_HEAD`].
    TooLarge,
    /// Not an HTTP/1.x request.
    Bad,
    /// The client closed the connection, or was silent for [`IDLE`].
    Closed,
}

/// Reads one request head from `reader`, leaving anything after it unread.
pub fn read_head<R: BufRead>(reader: &mut R) -> Head {
    let mut head: Vec<u8> = Vec::with_capacity(1024);
    loop {
        let available = match reader.fill_buf() {
            Ok([]) | Err(_) => return Head::Closed,
            Ok(bytes) => bytes,
        };
        // The end of the head may straddle what was read before and what is here.
        let from = head.len().saturating_sub(3);
        let taken = available.len().min(MAX_HEAD + 4 - head.len().min(MAX_HEAD + 4));
        head.extend_from_slice(&available[..taken]);
        let end = find_end(&head[from..]).map(|e| from + e);
        let used = match end {
            Some(end) => end - (head.len() - taken),
            None => taken,
        };
        reader.consume(used);
        if let Some(end) = end {
            head.truncate(end);
            return parse(&head);
        }
        if head.len() > MAX_HEAD {
            return Head::TooLarge;
        }
    }
}

/// Where the head in `bytes` ends (after its blank line), if it does.
fn find_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn parse(head: &[u8]) -> Head {
    let Ok(text) = std::str::from_utf8(head) else { return Head::Bad };
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version), None) = (first.next(), first.next(), first.next(), first.next())
    else {
        return Head::Bad;
    };
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Head::Bad,
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) || !target.starts_with('/') {
        return Head::Bad;
    }
    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        http11,
        host: None,
        keep_alive: http11,
        has_body: false,
    };
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else { return Head::Bad };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "host" => request.host = Some(value.to_string()),
            "connection" => {
                for token in value.split(',').map(|t| t.trim().to_ascii_lowercase()) {
                    match token.as_str() {
                        "close" => request.keep_alive = false,
                        "keep-alive" => request.keep_alive = true,
                        _ => {}
                    }
                }
            }
            "content-length" => request.has_body |= value != "0",
            "transfer-encoding" => request.has_body = true,
            _ => {}
        }
    }
    if request.has_body {
        request.keep_alive = false;
    }
    Head::Request(request)
}

/// Whether a `Host` header names this server in a way no other site can: an IP
/// address or `localhost`, with the port served when a port is given. A web page elsewhere that makes
/// its own host name resolve to 127.0.0.1 (DNS rebinding) sends its own name,
/// which is refused, so it cannot read the preview.
///
/// ```
/// use innsyn::http::host_allowed;
/// assert!(host_allowed("127.0.0.1:1111", 1111));
/// assert!(host_allowed("localhost:1111", 1111));
/// assert!(host_allowed("[::1]:1111", 1111));
/// assert!(!host_allowed("evil.example:1111", 1111));
/// assert!(!host_allowed("127.0.0.1:8080", 1111));
/// ```
pub fn host_allowed(host: &str, port: u16) -> bool {
    let host = host.trim();
    let (name, given_port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else { return false };
        match after {
            "" => (inside, None),
            p => match p.strip_prefix(':') {
                Some(p) => (inside, Some(p)),
                None => return false,
            },
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, p)) => (name, Some(p)),
            None => (host, None),
        }
    };
    let port_ok = given_port.is_none_or(|p| p.parse::<u16>() == Ok(port));
    let name = name.strip_suffix('.').unwrap_or(name);
    port_ok && (name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok())
}

/// A response, written in one piece.
pub struct Response {
    /// The status code, e.g. 200.
    pub status: u16,
    /// Header names and values, in the order written.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with `status`, a `Content-Type` header and `body`.
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response { status, headers: vec![("Content-Type", content_type.to_string())], body }
    }

    /// A short plain-text answer, e.g. for 404 or 405.
    pub fn text(status: u16, body: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", body.as_bytes().to_vec())
    }

    /// The response with one more header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the response (without its body for `HEAD`), saying whether the
    /// connection stays open.
    pub fn write_to(&self, stream: &mut impl Write, head_only: bool, keep_alive: bool) -> std::io::Result<()> {
        let mut out = Vec::with_capacity(256 + if head_only { 0 } else { self.body.len() });
        let _ = write!(out, "HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        let connection = if keep_alive { "keep-alive" } else { "close" };
        let _ = write!(out, "Content-Length: {}\r\nConnection: {connection}\r\n\r\n", self.body.len());
        if !head_only {
            out.extend_from_slice(&self.body);
        }
        stream.write_all(&out)?;
        stream.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Prepares an accepted connection: no Nagle delay, and timeouts so a silent or
/// slow client cannot hold its thread for ever.
pub fn prepare(stream: &TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
}

/// A buffered reader of a connection beside the stream to write to.
pub fn split(stream: TcpStream) -> std::io::Result<(BufReader<TcpStream>, TcpStream)> {
    Ok((BufReader::with_capacity(4096, stream.try_clone()?), stream))
}

/// A path as it stands in an address: every byte but letters, digits, `/` and
/// `-._~` percent-encoded, so `befolkning 2024.csv`, `år #2.csv` and
/// `årsverk.csv` are links that lead to their file. [`percent_decode`] reads it back.
///
/// ```
/// assert_eq!(innsyn::http::encode_path("data/år 1 #2.csv"), "data/%C3%A5r%201%20%232.csv");
/// ```
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            // Into the string itself: no allocation per byte.
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("%{b:02X}"));
        }
    }
    out
}

/// `%C3%A5` → `å`; `None` for a `%` not followed by two hex digits or bytes that are
/// not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Two hex digits: `from_str_radix` alone would take `%+1`.
            let hex = s.get(i + 1..i + 3).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(bytes: &[u8]) -> Head {
        read_head(&mut BufReader::with_capacity(7, bytes))
    }

    #[test]
    fn a_head_is_read_up_to_its_blank_line_and_no_further() {
        let mut reader =
            BufReader::with_capacity(5, &b"GET /a HTTP/1.1\r\nHost: localhost:1\r\n\r\nGET /b HTTP/1.0\n\n"[..]);
        let Head::Request(a) = read_head(&mut reader) else { panic!() };
        assert_eq!((a.target.as_str(), a.host.as_deref(), a.keep_alive), ("/a", Some("localhost:1"), true));
        let Head::Request(b) = read_head(&mut reader) else { panic!() };
        assert_eq!((b.target.as_str(), b.http11, b.keep_alive), ("/b", false, false));
        assert_eq!(read_head(&mut reader), Head::Closed);
    }

    #[test]
    fn http_1_0_keeps_alive_only_when_asked_and_a_body_closes() {
        let Head::Request(r) = head(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") else { panic!() };
        assert!(r.keep_alive);
        let Head::Request(r) = head(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n") else { panic!() };
        assert!(!r.keep_alive);
        let Head::Request(r) = head(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello") else { panic!() };
        assert!(r.has_body && !r.keep_alive);
    }

    #[test]
    fn long_heads_and_garbage_are_refused() {
        let mut long = b"GET / HTTP/1.1\r\nX: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', MAX_HEAD * 4));
        assert_eq!(head(&long), Head::TooLarge);
        for bad in [&b"\x16\x03\x01\r\n\r\n"[..], b"GET / HTTP/2\r\n\r\n", b"GET\r\n\r\n", b"get / HTTP/1.1\r\n\r\n"] {
            assert_eq!(head(bad), Head::Bad, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(head(b"GET / HTTP/1.1\r\nHost: x"), Head::Closed);
    }

    #[test]
    fn only_addresses_and_localhost_at_the_served_port_are_this_server() {
        for ok in ["127.0.0.1:1111", "LOCALHOST:1111", "localhost.:1111", "[::1]:1111", "192.168.1.20:1111"] {
            assert!(host_allowed(ok, 1111), "{ok}");
        }
        for bad in
            ["innsyn.example:1111", "innsyn.example", "127.0.0.1:1112", "[::1", "127.0.0.1.nip.io:1111", "", ":1111"]
        {
            assert!(!host_allowed(bad, 1111), "{bad}");
        }
        assert!(host_allowed("localhost", 1111) && host_allowed("[::1]", 1111));
    }

    #[test]
    fn a_response_is_one_write_with_its_length_and_head_has_no_body() {
        let r = Response::text(404, "404 Not Found");
        let mut out = Vec::new();
        r.write_to(&mut out, false, true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"), "{text}");
        assert!(text.contains("Content-Length: 13\r\nConnection: keep-alive\r\n\r\n404 Not Found"), "{text}");
        let mut out = Vec::new();
        r.write_to(&mut out, true, false).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with("Connection: close\r\n\r\n"));
    }
}
