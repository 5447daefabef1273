//! WARC 1.1 (ISO 28500:2017): a web archive of a built site as a web host serves
//! it at its base URL, the CDXJ index a wayback player (pywb) opens it with, and
//! the checks of both. Pure: files in, bytes out ([`write`]); bytes in, problems
//! out ([`verify`]). Knows no config, no BagIt and no disk; `archive.rs` puts the
//! two files in the bag.
//!
//! The WARC is a series of gzip members, one record each, so a player can read
//! any record from its offset:
//!
//! - a `warcinfo` record naming innsyn, the site, its address and commit;
//! - a `response` record per address, holding the HTTP response a web host sends
//!   (status line, `Content-Type` with its charset for text, `Content-Length`,
//!   `Last-Modified`, `Date`) and the file;
//! - a `revisit` record (profile identical-payload-digest) for each further
//!   address serving the same bytes: a folder's page is captured at `/mandater/`,
//!   as a browser asks for it, and again at `/mandater/index.html`.
//!
//! Digests are SHA-256 in base32 (`sha256:` and 56 characters, as warcio writes
//! them). Record ids are UUIDs made from the record's own content, so the same
//! files at the same time give the same bytes.

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};

use sha2::{Digest as _, Sha256};

use crate::file::OutputFile;

/// The WARC version innsyn writes.
const VERSION: &str = "WARC/1.1";
/// The revisit profile for an address whose bytes another record holds.
pub const IDENTICAL_PAYLOAD: &str = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";
/// What a web host's response is labelled with inside a WARC record.
const HTTP_RESPONSE: &str = "application/http;msgtype=response";
/// The largest record [`verify`] unpacks: more is reported, not read (a damaged or
/// hostile gzip member could otherwise unpack to any size).
const MAX_RECORD: u64 = 1 << 30;
/// The latest time a WARC date can hold (9999-12-31T23:59:59Z).
const LAST_SECOND: i64 = 253_402_300_799;

/// What the `warcinfo` record says, and when the capture was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcInfo {
    /// The WARC's file name (`WARC-Filename`, and `filename` in the index).
    pub filename: String,
    /// The site's address: absolute, ending in `/`.
    pub base_url: String,
    /// When the capture was made, in seconds since 1970-01-01T00:00:00Z.
    pub time: i64,
    /// `software`: the program and its version.
    pub software: String,
    /// `description`: the site's title and description.
    pub description: String,
    /// `operator`: who published the site; left out when empty.
    pub operator: String,
    /// `commit`: the git commit the site was built from, if any.
    pub commit: Option<String>,
}

/// A written WARC and its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warc {
    /// The `.warc.gz` file.
    pub warc: Vec<u8>,
    /// The `.cdxj` index: one sorted line per response and revisit record.
    pub index: Vec<u8>,
    /// Response records written.
    pub responses: usize,
    /// Revisit records written.
    pub revisits: usize,
}

/// The addresses a web host serves a file at: `index.html` of a folder also at
/// the folder (`mandater/` — the address links and browsers use), listed first.
///
/// ```
/// let base = "https://innsyn.example.org/";
/// assert_eq!(innsyn::warc::addresses(base, "mandater/index.html"),
///     ["https://innsyn.example.org/mandater/", "https://innsyn.example.org/mandater/index.html"]);
/// assert_eq!(innsyn::warc::addresses(base, "data/50% mer.csv"), ["https://innsyn.example.org/data/50%25%20mer.csv"]);
/// ```
pub fn addresses(base_url: &str, path: &str) -> Vec<String> {
    let own = format!("{base_url}{}", encode_path(path));
    match path.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => vec![format!("{base_url}{}", encode_path(dir)), own],
        _ => vec![own],
    }
}

/// A path as it stands in an address: every byte but letters, digits, `/` and
/// `-._~!$&'()*+,;=:@` percent-encoded (RFC 3986), so spaces, `%`, `?`, `#` and
/// letters such as `å` are written the way a browser sends them.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Writes the WARC of `files` (the site as built for the web, sorted by path)
/// served at `info.base_url`, and its CDXJ index.
pub fn write(files: &[OutputFile], info: &WarcInfo) -> std::io::Result<Warc> {
    let time = info.time.clamp(0, LAST_SECOND);
    let date = iso_time(time);
    let mut warc = Vec::new();

    let fields = info_fields(info);
    let info_id = record_id(&["warcinfo", &info.filename, &date, &digest(fields.as_bytes())]);
    let head = [
        ("WARC-Type", "warcinfo".to_string()),
        ("WARC-Record-ID", info_id.clone()),
        ("WARC-Date", date.clone()),
        ("WARC-Filename", one_line(&info.filename)),
        ("WARC-Block-Digest", digest(fields.as_bytes())),
        ("Content-Type", "application/warc-fields".to_string()),
    ];
    warc.extend(gzip(&record(&head, fields.as_bytes()))?);

    let mut captures: Vec<(String, &OutputFile)> =
        files.iter().flat_map(|f| addresses(&info.base_url, &f.path).into_iter().map(move |a| (a, f))).collect();
    captures.sort_by(|a, b| a.0.cmp(&b.0));

    let http_date = http_time(time);
    let mut first_at: std::collections::HashMap<String, (String, String)> = std::collections::HashMap::new();
    let mut lines = Vec::new();
    let (mut responses, mut revisits) = (0, 0);
    for (uri, file) in captures {
        let payload_digest = digest(&file.bytes);
        let headers = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nLast-Modified: {http_date}\r\nDate: {http_date}\r\n\r\n",
            crate::mime::content_type(&file.path),
            file.bytes.len()
        );
        let (kind, block, original) = match first_at.get(&payload_digest) {
            Some(original) => ("revisit", headers.into_bytes(), Some(original.clone())),
            None => ("response", [headers.as_bytes(), &file.bytes].concat(), None),
        };
        let block_digest = digest(&block);
        let id = record_id(&[kind, &uri, &date, &block_digest]);
        let mut head = vec![
            ("WARC-Type", kind.to_string()),
            ("WARC-Record-ID", id.clone()),
            ("WARC-Warcinfo-ID", info_id.clone()),
            ("WARC-Target-URI", uri.clone()),
            ("WARC-Date", date.clone()),
        ];
        if let Some((refers_uri, refers_id)) = &original {
            head.extend([
                ("WARC-Profile", IDENTICAL_PAYLOAD.to_string()),
                ("WARC-Refers-To", refers_id.clone()),
                ("WARC-Refers-To-Target-URI", refers_uri.clone()),
                ("WARC-Refers-To-Date", date.clone()),
            ]);
        }
        head.extend([
            ("WARC-Payload-Digest", payload_digest.clone()),
            ("WARC-Block-Digest", block_digest),
            ("Content-Type", HTTP_RESPONSE.to_string()),
        ]);
        let member = gzip(&record(&head, &block))?;
        let entry = IndexEntry {
            url: uri.clone(),
            timestamp: cdx_time(time),
            mime: if original.is_some() { "warc/revisit".to_string() } else { media_type(&file.path) },
            status: original.is_none().then(|| "200".to_string()),
            digest: payload_digest.clone(),
            length: member.len() as u64,
            offset: warc.len() as u64,
            filename: info.filename.clone(),
        };
        lines.push(entry.line());
        warc.extend(member);
        if original.is_some() {
            revisits += 1;
        } else {
            responses += 1;
            first_at.insert(payload_digest, (uri, id));
        }
    }
    lines.sort();
    Ok(Warc { warc, index: lines.concat().into_bytes(), responses, revisits })
}

/// The `warcinfo` record's fields (`application/warc-fields`).
fn info_fields(info: &WarcInfo) -> String {
    let fields = [
        ("software", info.software.as_str()),
        ("format", "WARC File Format 1.1"),
        ("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
        ("website", &info.base_url),
        ("description", &info.description),
        ("operator", &info.operator),
        ("commit", info.commit.as_deref().unwrap_or_default()),
        (
            "note",
            "written by innsyn from the site's sources, as a web host serves the built files at the website's \
             address; not harvested by a crawler",
        ),
    ];
    let mut out = String::new();
    for (name, value) in fields {
        let value = one_line(value);
        if !value.is_empty() {
            let _ = write!(out, "{name}: {value}\r\n");
        }
    }
    out
}

/// A header value on one line: line breaks and runs of spaces become one space.
fn one_line(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A record: the version line, the headers, `Content-Length`, the block and the
/// two line ends that close it.
fn record(head: &[(&str, String)], block: &[u8]) -> Vec<u8> {
    let mut text = format!("{VERSION}\r\n");
    for (name, value) in head {
        let _ = write!(text, "{name}: {value}\r\n");
    }
    let _ = write!(text, "Content-Length: {}\r\n\r\n", block.len());
    [text.as_bytes(), block, b"\r\n\r\n"].concat()
}

/// One gzip member holding `bytes`, with no file name and no time in its header.
fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// `sha256:` and the base32 (RFC 4648) of the SHA-256 of `bytes`.
fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", base32(&Sha256::digest(bytes)))
}

/// Base32 with padding (RFC 4648 §6).
///
/// ```
/// assert_eq!(innsyn::warc::base32(b"foobar"), "MZXW6YTBOI======");
/// ```
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(char::from(ALPHABET[((bits >> (35 - 5 * i)) & 31) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A record id made from what the record holds: a version 8 UUID (RFC 9562) of
/// the SHA-256 of `parts`, as `<urn:uuid:…>`.
fn record_id(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let mut b: [u8; 16] = hasher.finalize()[..16].try_into().unwrap_or_default();
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("<urn:uuid:{}-{}-{}-{}-{}>", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// The media type of a file without its parameters, as the index gives it.
fn media_type(path: &str) -> String {
    let full = crate::mime::content_type(path);
    full.split(';').next().unwrap_or_default().trim().to_string()
}

/// The civil date and time of a second since 1970.
fn civil(secs: i64) -> (crate::dates::Date, i64, i64, i64) {
    let day = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    (crate::dates::Date::from_day_number(day), rest / 3600, rest % 3600 / 60, rest % 60)
}

/// `2024-06-01T00:00:00Z`, as WARC dates are written.
fn iso_time(secs: i64) -> String {
    let (d, h, m, s) = civil(secs);
    format!("{:04}-{:02}-{:02}T{h:02}:{m:02}:{s:02}Z", d.year, d.month, d.day)
}

/// `20240601000000`, as the index gives times.
fn cdx_time(secs: i64) -> String {
    let (d, h, m, s) = civil(secs);
    format!("{:04}{:02}{:02}{h:02}{m:02}{s:02}", d.year, d.month, d.day)
}

/// `Sat, 01 Jun 2024 00:00:00 GMT`, as HTTP dates are written (RFC 9110 §5.6.7).
fn http_time(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (d, h, m, s) = civil(secs);
    let weekday = DAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
    let month = MONTHS[usize::from(d.month.clamp(1, 12)) - 1];
    format!("{weekday}, {:02} {month} {:04} {h:02}:{m:02}:{s:02} GMT", d.day, d.year)
}

/// The SURT form of an address that pywb sorts and looks up its index by: the
/// scheme dropped, the host's labels reversed (without `www.` and a default
/// port), the path with percent-escapes decoded except for spaces, controls,
/// non-ASCII bytes, `#` and `%`, all in lower case, and no `/` at the end but
/// the root's. Covers the addresses [`write`] makes (no query strings).
///
/// ```
/// use innsyn::warc::surt;
/// assert_eq!(surt("https://innsyn.example.org/"), "org,example,innsyn)/");
/// assert_eq!(surt("https://www.Example.org:8443/Mandater/"), "org,example:8443)/mandater");
/// assert_eq!(surt("http://x.no:80/data/Mer%C3%A5ker%20x.csv"), "no,x)/data/mer%c3%a5ker%20x.csv");
/// ```
pub fn surt(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut host = authority.to_ascii_lowercase();
    for default in [("http", ":80"), ("https", ":443")] {
        if scheme == default.0 && host.ends_with(default.1) {
            host.truncate(host.len() - default.1.len());
        }
    }
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (name.to_string(), format!(":{port}")),
        _ => (host.clone(), String::new()),
    };
    let name = strip_www(&name);
    let reversed: Vec<&str> = name.split('.').filter(|l| !l.is_empty()).rev().collect();

    let mut bytes = path.as_bytes().to_vec();
    loop {
        let decoded = percent_decode(&bytes);
        if decoded == bytes {
            break;
        }
        bytes = decoded;
    }
    let mut path = String::new();
    for b in bytes {
        if b <= 0x20 || b >= 0x7f || b == b'#' || b == b'%' {
            let _ = write!(path, "%{b:02x}");
        } else {
            path.push(char::from(b.to_ascii_lowercase()));
        }
    }
    if path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    format!("{}{port}){path}", reversed.join(","))
}

/// `www.`, `www2.` and the like at the start of a host name, as SURT drops them.
fn strip_www(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix("www") {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if let Some(after) = rest[digits..].strip_prefix('.') {
            return after;
        }
    }
    host
}

/// Decodes `%XX` escapes once; a `%` not followed by two hex digits stays.
fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(h), Some(l)) =
                (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex))
            {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// One line of the CDXJ index, with the fields in pywb's order.
struct IndexEntry {
    url: String,
    timestamp: String,
    mime: String,
    status: Option<String>,
    digest: String,
    length: u64,
    offset: u64,
    filename: String,
}

impl IndexEntry {
    fn line(&self) -> String {
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string());
        let mut json = format!("{{\"url\": {}, \"mime\": {}", quote(&self.url), quote(&self.mime));
        if let Some(status) = &self.status {
            let _ = write!(json, ", \"status\": {}", quote(status));
        }
        let _ = write!(
            json,
            ", \"digest\": {}, \"length\": \"{}\", \"offset\": \"{}\", \"filename\": {}}}",
            quote(&self.digest),
            self.length,
            self.offset,
            quote(&self.filename)
        );
        format!("{} {} {json}\n", surt(&self.url), self.timestamp)
    }
}

/// Which of the two files a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The WARC file.
    Warc,
    /// The index, at this line (1-based).
    Index(usize),
}

/// One thing wrong with a WARC or its index, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub place: Place,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn warc(message: impl Into<String>) -> Problem {
        Problem { place: Place::Warc, message: message.into() }
    }

    fn index(line: usize, message: impl Into<String>) -> Problem {
        Problem { place: Place::Index(line), message: message.into() }
    }
}

/// Header lines as read: name and value, in their order.
type Headers = Vec<(String, String)>;

/// A record as read back: where its gzip member lies, its headers and block.
#[derive(Debug)]
struct Record {
    offset: u64,
    length: u64,
    headers: Headers,
    block: Vec<u8>,
}

impl Record {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn kind(&self) -> &str {
        self.header("WARC-Type").unwrap_or_default()
    }

    /// `the record at byte 1234 (https://…)`, for messages.
    fn name(&self) -> String {
        match self.header("WARC-Target-URI") {
            Some(uri) => format!("the {} record at byte {} ({uri})", self.kind(), self.offset),
            None => format!("the {} record at byte {}", self.kind(), self.offset),
        }
    }

    /// The HTTP status line's code, headers and body of a response's block.
    fn http(&self) -> Option<(String, Headers, &[u8])> {
        let end = find(&self.block, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&self.block[..end]).ok()?;
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.to_string();
        let headers =
            lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_string(), v.trim().to_string()));
        Some((status, headers.collect(), &self.block[end + 4..]))
    }
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Checks a WARC that [`write`] made and its index: every gzip member holds one
/// whole record; the first is `warcinfo`; every record's block digest and every
/// response's payload digest are right; every revisit names an earlier response
/// with the same payload; every address of `paths` (the site's files) is in the
/// WARC exactly once, and no other; and every line of the index is well formed,
/// sorted, and points at the record it describes, which it describes rightly, with
/// every response and revisit indexed once. `filename` is the WARC's name as the
/// index gives it. Never panics, whatever the bytes.
pub fn verify(warc: &[u8], index: &[u8], filename: &str, paths: &[&str]) -> Report {
    let mut problems = Vec::new();
    let records = read_records(warc, &mut problems);
    check_records(&records, &mut problems);
    if let Some(base) = website(&records, &mut problems) {
        check_addresses(&records, &base, paths, &mut problems);
    }
    check_index(&records, index, filename, &mut problems);
    let count = |kind: &str| records.iter().filter(|r| r.kind() == kind).count();
    Report { problems, responses: count("response"), revisits: count("revisit") }
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every problem, in the order found; empty when all is right.
    pub problems: Vec<Problem>,
    /// Response records read.
    pub responses: usize,
    /// Revisit records read.
    pub revisits: usize,
}

/// Reads the gzip members one by one; stops at the first that cannot be read, as
/// nothing after it can be found.
fn read_records(warc: &[u8], problems: &mut Vec<Problem>) -> Vec<Record> {
    let mut records = Vec::new();
    let mut rest = warc;
    while !rest.is_empty() {
        let offset = (warc.len() - rest.len()) as u64;
        let mut decoder = flate2::bufread::GzDecoder::new(rest);
        let mut bytes = Vec::new();
        let read = (&mut decoder).take(MAX_RECORD + 1).read_to_end(&mut bytes);
        if let Err(e) = read {
            problems.push(Problem::warc(format!(
                "the gzip member at byte {offset} cannot be unpacked ({e}); the rest of the file is not read"
            )));
            break;
        }
        if bytes.len() as u64 > MAX_RECORD {
            problems.push(Problem::warc(format!(
                "the gzip member at byte {offset} unpacks to more than {MAX_RECORD} bytes; the rest is not read"
            )));
            break;
        }
        let left = decoder.into_inner();
        let length = (rest.len() - left.len()) as u64;
        if length == 0 {
            problems.push(Problem::warc(format!("byte {offset} does not start a gzip member")));
            break;
        }
        rest = left;
        match parse_record(&bytes) {
            Ok((headers, block)) => records.push(Record { offset, length, headers, block }),
            Err(why) => problems.push(Problem::warc(format!("the gzip member at byte {offset} {why}"))),
        }
    }
    records
}

/// Splits a record into its headers and block, checking its framing.
fn parse_record(bytes: &[u8]) -> Result<(Headers, Vec<u8>), String> {
    let end = find(bytes, b"\r\n\r\n").ok_or("holds no WARC record (no blank line ends its headers)")?;
    let head = std::str::from_utf8(&bytes[..end]).map_err(|_| "has headers that are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let version = lines.next().unwrap_or_default();
    if version != "WARC/1.1" && version != "WARC/1.0" {
        return Err(format!("starts with `{}`, not WARC/1.1", crate::error::clip(version)));
    }
    let mut headers = Vec::new();
    for line in lines {
        match line.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => {
                headers.push((name.trim().to_string(), value.trim().to_string()))
            }
            _ => return Err(format!("has a header line without a name: `{}`", crate::error::clip(line))),
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .ok_or("has no Content-Length (or not a number)")?;
    let start = end + 4;
    let block = bytes
        .get(start..start.saturating_add(length))
        .ok_or(format!("is cut short: Content-Length says {length} bytes, but {} follow", bytes.len() - start))?;
    match &bytes[start + length..] {
        b"\r\n\r\n" => Ok((headers, block.to_vec())),
        [] => Err("does not end with the two line ends a record needs".to_string()),
        more if more.starts_with(b"\r\n\r\n") => {
            Err("holds more than one record (innsyn writes one gzip member per record)".to_string())
        }
        _ => Err(format!("has {} bytes after its block where two line ends belong", bytes.len() - start - length)),
    }
}

/// The digests, ids and revisit links of every record.
fn check_records(records: &[Record], problems: &mut Vec<Problem>) {
    match records.first() {
        Some(first) if first.kind() == "warcinfo" => {}
        Some(first) => problems.push(Problem::warc(format!("starts with {}, not a warcinfo record", first.name()))),
        None => problems.push(Problem::warc("holds no records")),
    }
    let mut ids = std::collections::HashSet::new();
    let mut responses: std::collections::HashMap<&str, &Record> = std::collections::HashMap::new();
    for r in records {
        for name in ["WARC-Type", "WARC-Record-ID", "WARC-Date"] {
            if r.header(name).is_none() {
                problems.push(Problem::warc(format!("{} has no {name}", r.name())));
            }
        }
        if let Some(id) = r.header("WARC-Record-ID") {
            if !ids.insert(id) {
                problems.push(Problem::warc(format!("{} has the WARC-Record-ID {id} of an earlier record", r.name())));
            }
        }
        check_digest(r, "WARC-Block-Digest", &r.block, problems);
        match r.kind() {
            "warcinfo" => {}
            "response" => {
                let Some((_, headers, body)) = r.http() else {
                    problems.push(Problem::warc(format!("{} holds no HTTP response", r.name())));
                    continue;
                };
                check_digest(r, "WARC-Payload-Digest", body, problems);
                let length = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"));
                if length.is_none_or(|(_, v)| v.parse::<usize>().ok() != Some(body.len())) {
                    problems.push(Problem::warc(format!(
                        "{}: its HTTP Content-Length is not the {} bytes it holds",
                        r.name(),
                        body.len()
                    )));
                }
                if let Some(uri) = r.header("WARC-Target-URI") {
                    responses.insert(uri, r);
                }
            }
            "revisit" => check_revisit(r, &responses, problems),
            other => problems.push(Problem::warc(format!(
                "{} is of the type `{}`, which innsyn does not write",
                r.name(),
                crate::error::clip(other)
            ))),
        }
    }
}

/// A revisit names, by address and date, an earlier response with its payload.
fn check_revisit(r: &Record, responses: &std::collections::HashMap<&str, &Record>, problems: &mut Vec<Problem>) {
    if r.header("WARC-Profile") != Some(IDENTICAL_PAYLOAD) {
        problems.push(Problem::warc(format!("{} has no WARC-Profile {IDENTICAL_PAYLOAD}", r.name())));
    }
    let Some(target) = r.header("WARC-Refers-To-Target-URI") else {
        problems.push(Problem::warc(format!("{} has no WARC-Refers-To-Target-URI", r.name())));
        return;
    };
    let Some(original) = responses.get(target) else {
        problems
            .push(Problem::warc(format!("{} refers to {target}, which no earlier response record holds", r.name())));
        return;
    };
    if r.header("WARC-Payload-Digest") != original.header("WARC-Payload-Digest") {
        problems.push(Problem::warc(format!(
            "{}: its WARC-Payload-Digest is not that of {target}, whose bytes it stands for",
            r.name()
        )));
    }
    if r.header("WARC-Refers-To-Date") != original.header("WARC-Date") {
        problems.push(Problem::warc(format!("{}: its WARC-Refers-To-Date is not the date of {target}", r.name())));
    }
    if r.header("WARC-Refers-To").is_some_and(|id| Some(id) != original.header("WARC-Record-ID")) {
        problems.push(Problem::warc(format!("{}: its WARC-Refers-To is not the id of {target}", r.name())));
    }
}

/// Compares a `sha256:` digest header (base32 or hex) with the digest of `bytes`.
fn check_digest(r: &Record, header: &str, bytes: &[u8], problems: &mut Vec<Problem>) {
    let Some(value) = r.header(header) else {
        problems.push(Problem::warc(format!("{} has no {header}", r.name())));
        return;
    };
    let Some(("sha256", given)) = value.split_once(':') else {
        problems.push(Problem::warc(format!(
            "{}: {header} is `{}`; innsyn checks sha256 digests only",
            r.name(),
            crate::error::clip(value)
        )));
        return;
    };
    let sum = Sha256::digest(bytes);
    let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
    if !(given == base32(&sum) || given.eq_ignore_ascii_case(&hex)) {
        problems.push(Problem::warc(format!(
            "{}: its {header} is {value}, but the bytes give {}",
            r.name(),
            digest(bytes)
        )));
    }
}

/// The site's address, from the warcinfo record's `website` field.
fn website(records: &[Record], problems: &mut Vec<Problem>) -> Option<String> {
    let info = records.iter().find(|r| r.kind() == "warcinfo")?;
    let text = String::from_utf8_lossy(&info.block);
    let found = text.lines().find_map(|l| l.strip_prefix("website:")).map(|v| v.trim().to_string());
    if found.is_none() {
        problems.push(Problem::warc(format!("{} names no website, so its addresses cannot be checked", info.name())));
    }
    found.filter(|v| !v.is_empty())
}

/// Every address of the site once, and no other.
fn check_addresses(records: &[Record], base: &str, paths: &[&str], problems: &mut Vec<Problem>) {
    let mut found: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in records.iter().filter(|r| matches!(r.kind(), "response" | "revisit")) {
        match r.header("WARC-Target-URI") {
            Some(uri) => *found.entry(uri).or_default() += 1,
            None => problems.push(Problem::warc(format!("{} has no WARC-Target-URI", r.name()))),
        }
    }
    let mut expected = std::collections::BTreeMap::new();
    for path in paths {
        for address in addresses(base, path) {
            expected.insert(address, *path);
        }
    }
    for (address, path) in &expected {
        match found.get(address.as_str()) {
            None => problems.push(Problem::warc(format!("{address} (the site's {path}) is missing"))),
            Some(1) => {}
            Some(n) => problems.push(Problem::warc(format!("{address} is captured {n} times; once is enough"))),
        }
    }
    for address in found.keys().filter(|a| !expected.contains_key(**a)) {
        problems.push(Problem::warc(format!("{address} is captured, but the site has no such file")));
    }
}

/// Every index line well formed, sorted, and right about the record it points at.
fn check_index(records: &[Record], index: &[u8], filename: &str, problems: &mut Vec<Problem>) {
    let Ok(text) = std::str::from_utf8(index) else {
        problems.push(Problem::index(1, "the index is not UTF-8 text"));
        return;
    };
    let by_offset: std::collections::HashMap<u64, &Record> = records.iter().map(|r| (r.offset, r)).collect();
    let mut indexed = std::collections::HashSet::new();
    let mut previous: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if previous.is_some_and(|p| p > line) {
            problems.push(Problem::index(n, "is out of order: players search the index as a sorted list"));
        }
        previous = Some(line);
        let mut parts = line.splitn(3, ' ');
        let (Some(key), Some(time), Some(json)) = (parts.next(), parts.next(), parts.next()) else {
            problems.push(Problem::index(n, "expected `SURT TIMESTAMP {JSON}`"));
            continue;
        };
        let fields: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(json) {
            Ok(fields) => fields,
            Err(e) => {
                problems.push(Problem::index(n, format!("its JSON cannot be read: {e}")));
                continue;
            }
        };
        let field = |name: &str| fields.get(name).and_then(|v| v.as_str());
        let number = |name: &str| field(name).and_then(|v| v.parse::<u64>().ok());
        let (Some(offset), Some(length)) = (number("offset"), number("length")) else {
            problems.push(Problem::index(n, "has no offset and length (as numbers in strings)"));
            continue;
        };
        let Some(record) = by_offset.get(&offset) else {
            problems.push(Problem::index(n, format!("points at byte {offset}, where no record of the WARC starts")));
            continue;
        };
        indexed.insert(offset);
        let mut wrong = |what: &str, given: &str, right: &str| {
            if given != right {
                problems
                    .push(Problem::index(n, format!("gives {what} `{given}`, but {} has `{right}`", record.name())));
            }
        };
        wrong("the length", &length.to_string(), &record.length.to_string());
        let uri = record.header("WARC-Target-URI").unwrap_or_default();
        wrong("the address", field("url").unwrap_or_default(), uri);
        wrong("the key", key, &surt(uri));
        let date = record.header("WARC-Date").unwrap_or_default();
        let stamp: String = date.bytes().filter(u8::is_ascii_digit).map(char::from).take(14).collect();
        wrong("the time", time, &stamp);
        wrong(
            "the digest",
            field("digest").unwrap_or_default(),
            record.header("WARC-Payload-Digest").unwrap_or_default(),
        );
        wrong("the file name", field("filename").unwrap_or_default(), filename);
        let (mime, status) = match record.kind() {
            "revisit" => ("warc/revisit".to_string(), None),
            _ => match record.http() {
                Some((status, headers, _)) => {
                    let ct = headers.iter().find(|(h, _)| h.eq_ignore_ascii_case("Content-Type"));
                    let mime = ct.map_or("unk", |(_, v)| v.split(';').next().unwrap_or_default().trim());
                    (mime.to_ascii_lowercase(), Some(status))
                }
                None => ("unk".to_string(), None),
            },
        };
        wrong("the media type", field("mime").unwrap_or_default(), &mime);
        if let Some(status) = status {
            wrong("the status", field("status").unwrap_or_default(), &status);
        }
    }
    for r in records.iter().filter(|r| matches!(r.kind(), "response" | "revisit")) {
        if !indexed.contains(&r.offset) {
            problems.push(Problem::warc(format!("{} is not in the index", r.name())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BASE: &str = "https://innsyn.example.org/";

    fn info() -> WarcInfo {
        WarcInfo {
            filename: "arkiv.warc.gz".into(),
            base_url: BASE.into(),
            time: 1_717_200_000,
            software: "innsyn 0.1.0".into(),
            description: "Innsyn — mål og mandater".into(),
            operator: "Meråker kommune".into(),
            commit: Some(format!("git commit {}", "a".repeat(40))),
        }
    }

    fn site() -> Vec<OutputFile> {
        vec![
            OutputFile::new("data/50% mer.csv".into(), b"a,b\n1,2\n".to_vec()),
            OutputFile::new("data/kopi.txt".into(), b"a,b\n1,2\n".to_vec()),
            OutputFile::new("index.html".into(), b"<p>forside</p>".to_vec()),
            OutputFile::new("om/index.html".into(), b"<p>om</p>".to_vec()),
        ]
    }

    fn paths() -> Vec<&'static str> {
        vec!["data/50% mer.csv", "data/kopi.txt", "index.html", "om/index.html"]
    }

    fn written() -> Warc {
        write(&site(), &info()).unwrap()
    }

    fn records(warc: &[u8]) -> Vec<Record> {
        let mut problems = Vec::new();
        let records = read_records(warc, &mut problems);
        assert_eq!(problems, []);
        records
    }

    /// The WARC with one record's text changed and gzipped again, and the index
    /// with its offsets and lengths moved to fit.
    fn edit(w: &Warc, at: usize, change: impl Fn(String) -> String) -> Warc {
        let mut warc = Vec::new();
        let mut moved = Vec::new();
        for (i, r) in records(&w.warc).iter().enumerate() {
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(&w.warc[r.offset as usize..]).read_to_end(&mut bytes).unwrap();
            if i == at {
                bytes = change(String::from_utf8(bytes).unwrap()).into_bytes();
            }
            let member = gzip(&bytes).unwrap();
            moved.push((r.offset, r.length, warc.len() as u64, member.len() as u64));
            warc.extend(member);
        }
        let mut index = String::from_utf8(w.index.clone()).unwrap();
        for (old_offset, old_length, offset, length) in moved {
            index = index.replace(
                &format!("\"length\": \"{old_length}\", \"offset\": \"{old_offset}\""),
                &format!("\"length\": \"{length}\", \"offset\": \"{offset}\"@"),
            );
        }
        Warc { warc, index: index.replace("\"@", "\"").into_bytes(), ..w.clone() }
    }

    fn messages(w: &Warc) -> Vec<String> {
        verify(&w.warc, &w.index, "arkiv.warc.gz", &paths()).problems.into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn a_written_warc_verifies() {
        let w = written();
        let report = verify(&w.warc, &w.index, "arkiv.warc.gz", &paths());
        assert_eq!((report.problems, report.responses, report.revisits), (vec![], 3, 3));
        // Six addresses: two folders twice, and two files with the same bytes.
        assert_eq!((w.responses, w.revisits), (3, 3));
    }

    #[test]
    fn writing_twice_gives_the_same_bytes() {
        assert_eq!(written(), written());
    }

    #[test]
    fn every_record_is_a_gzip_member_of_its_own_and_warcinfo_comes_first() {
        let w = written();
        let records = records(&w.warc);
        assert_eq!(records.len(), 7);
        assert_eq!(records[0].kind(), "warcinfo");
        let fields = String::from_utf8(records[0].block.clone()).unwrap();
        assert!(fields.contains("software: innsyn 0.1.0\r\n"), "{fields}");
        assert!(fields.contains("website: https://innsyn.example.org/\r\n"), "{fields}");
        assert!(fields.contains(&format!("commit: git commit {}\r\n", "a".repeat(40))), "{fields}");
        assert_eq!(records[0].header("WARC-Filename"), Some("arkiv.warc.gz"));
    }

    #[test]
    fn a_folder_is_captured_at_its_address_and_its_index_html_is_a_revisit() {
        let records = records(&written().warc);
        let om =
            records.iter().find(|r| r.header("WARC-Target-URI") == Some("https://innsyn.example.org/om/")).unwrap();
        assert_eq!(om.kind(), "response");
        let text = String::from_utf8_lossy(&om.block);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 9\r\n"));
        assert!(text.contains("Last-Modified: Sat, 01 Jun 2024 00:00:00 GMT\r\n"), "{text}");
        let again =
            records.iter().find(|r| r.header("WARC-Target-URI") == Some("https://innsyn.example.org/om/index.html"));
        let again = again.unwrap();
        assert_eq!(again.kind(), "revisit");
        assert_eq!(again.header("WARC-Refers-To-Target-URI"), Some("https://innsyn.example.org/om/"));
        assert_eq!(again.header("WARC-Refers-To"), om.header("WARC-Record-ID"));
        assert_eq!(again.header("WARC-Payload-Digest"), om.header("WARC-Payload-Digest"));
    }

    #[test]
    fn digests_are_sha256_in_base32() {
        assert_eq!(digest(b""), "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ====");
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
    }

    #[test]
    fn record_ids_are_version_8_uuids() {
        let id = record_id(&["response", "https://x.no/"]);
        assert_eq!(id.len(), "<urn:uuid:>".len() + 36);
        assert_eq!(&id[24..25], "8", "{id}");
        assert!(matches!(&id[29..30], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(id, record_id(&["response", "https://x.no/a"]));
    }

    #[test]
    fn times_are_written_as_warc_http_and_index_want_them() {
        assert_eq!(iso_time(1_717_200_000), "2024-06-01T00:00:00Z");
        assert_eq!(http_time(1_717_200_000 + 3_723), "Sat, 01 Jun 2024 01:02:03 GMT");
        assert_eq!(http_time(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(cdx_time(1_717_286_399), "20240601235959");
    }

    /// Keys as pywb 2.10's `canonicalize` gives them.
    #[test]
    fn surt_keys_are_those_pywb_looks_up() {
        for (url, key) in [
            ("https://innsyn.example.org", "org,example,innsyn)/"),
            ("https://innsyn.example.org/data/50%25%20mer.csv", "org,example,innsyn)/data/50%25%20mer.csv"),
            ("https://x.no/50%2541", "no,x)/50a"),
            ("https://x.no/a%3Fb.html", "no,x)/a?b.html"),
            ("https://x.no/a%23b", "no,x)/a%23b"),
            ("https://WWW2.X.no/A/", "no,x)/a"),
            ("https://x.no:8080/Kommune/Mer%C3%A5ker/", "no,x:8080)/kommune/mer%c3%a5ker"),
            ("http://www.x.no/", "no,x)/"),
            ("https://x.no/a%22b%3C%7B", "no,x)/a\"b<{"),
            ("https://x.no/a%2Fb/", "no,x)/a/b"),
            ("https://127.0.0.1/a", "1,0,0,127)/a"),
        ] {
            assert_eq!(surt(url), key, "{url}");
        }
    }

    #[test]
    fn the_index_is_sorted_and_in_pywbs_form() {
        let w = written();
        let text = String::from_utf8(w.index.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6);
        assert!(lines.is_sorted(), "{text}");
        let first = records(&w.warc)[1].offset;
        assert_eq!(
            lines[0],
            format!(
                "org,example,innsyn)/ 20240601000000 {{\"url\": \"https://innsyn.example.org/\", \"mime\": \"text/html\", \
                 \"status\": \"200\", \"digest\": \"{}\", \"length\": \"{}\", \"offset\": \"{first}\", \"filename\": \"arkiv.warc.gz\"}}",
                digest(b"<p>forside</p>"),
                records(&w.warc)[1].length,
            )
        );
        assert!(lines.iter().any(|l| l.contains("\"mime\": \"warc/revisit\", \"digest\"")), "{text}");
    }

    #[test]
    fn a_changed_payload_is_named_by_its_digests() {
        let w = edit(&written(), 2, |t| t.replace("a,b\n1,2\n", "a,b\n1,3\n"));
        let found = messages(&w);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("(https://innsyn.example.org/data/50%25%20mer.csv): its WARC-Block-Digest is "));
        assert!(found[1].contains("its WARC-Payload-Digest is "), "{found:?}");
    }

    #[test]
    fn a_missing_record_is_named_with_its_address_and_the_index_line() {
        let w = written();
        let records = records(&w.warc);
        let om =
            records.iter().find(|r| r.header("WARC-Target-URI") == Some("https://innsyn.example.org/om/")).unwrap();
        let mut warc = w.warc[..om.offset as usize].to_vec();
        warc.extend(&w.warc[(om.offset + om.length) as usize..]);
        let found = verify(&warc, &w.index, "arkiv.warc.gz", &paths()).problems;
        let text: Vec<String> = found.iter().map(|p| format!("{:?} {}", p.place, p.message)).collect();
        assert!(text
            .iter()
            .any(|t| t.contains("https://innsyn.example.org/om/ (the site's om/index.html) is missing")));
        assert!(text.iter().any(|t| t.contains("refers to https://innsyn.example.org/om/, which no earlier response")));
        assert!(text.iter().any(|t| t.starts_with("Index(") && t.contains("no record of the WARC starts")), "{text:?}");
    }

    #[test]
    fn an_index_line_that_points_wrong_or_is_out_of_order_is_named() {
        let w = written();
        let text = String::from_utf8(w.index.clone()).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.swap(0, 1);
        let swapped = Warc { index: (lines.join("\n") + "\n").into_bytes(), ..w.clone() };
        let found = verify(&swapped.warc, &swapped.index, "arkiv.warc.gz", &paths()).problems;
        assert_eq!(found, [Problem::index(2, "is out of order: players search the index as a sorted list")]);

        let wrong = Warc {
            index: text
                .replacen("\"url\": \"https://innsyn.example.org/\"", "\"url\": \"https://x.no/\"", 1)
                .into_bytes(),
            ..w.clone()
        };
        let found = verify(&wrong.warc, &wrong.index, "arkiv.warc.gz", &paths()).problems;
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.starts_with("gives the address `https://x.no/`, but the response record at byte "));

        let dropped =
            Warc { index: text.lines().skip(1).map(|l| format!("{l}\n")).collect::<String>().into_bytes(), ..w };
        let found = messages(&dropped);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].ends_with("(https://innsyn.example.org/) is not in the index"), "{found:?}");
    }

    #[test]
    fn a_file_the_site_does_not_have_or_a_second_capture_is_named() {
        let w = edit(&written(), 3, |t| {
            t.replace("https://innsyn.example.org/data/kopi.txt", "https://innsyn.example.org/om/")
        });
        let found = messages(&w);
        assert!(found.iter().any(|m| m.contains("data/kopi.txt (the site's data/kopi.txt) is missing")), "{found:?}");
        assert!(
            found.iter().any(|m| m == "https://innsyn.example.org/om/ is captured 2 times; once is enough"),
            "{found:?}"
        );
    }

    #[test]
    fn two_records_in_one_member_and_trailing_garbage_are_named() {
        let w = written();
        let recs = records(&w.warc);
        let mut both = Vec::new();
        for r in &recs[..2] {
            flate2::read::GzDecoder::new(&w.warc[r.offset as usize..]).read_to_end(&mut both).unwrap();
        }
        let mut warc = gzip(&both).unwrap();
        warc.extend(b"not gzip");
        let found: Vec<String> =
            verify(&warc, b"", "arkiv.warc.gz", &[]).problems.into_iter().map(|p| p.message).collect();
        assert!(found[0].contains("holds more than one record"), "{found:?}");
        assert!(found[1].starts_with("the gzip member at byte "), "{found:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn verify_never_panics_on_random_bytes(warc in proptest::collection::vec(any::<u8>(), 0..512), index in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = verify(&warc, &index, "arkiv.warc.gz", &paths());
        }

        #[test]
        fn verify_never_panics_on_a_damaged_warc_or_index(at in any::<prop::sample::Index>(), byte in any::<u8>(), in_index in any::<bool>()) {
            let mut w = written();
            let target = if in_index { &mut w.index } else { &mut w.warc };
            let i = at.index(target.len());
            target[i] = byte;
            let _ = verify(&w.warc, &w.index, "arkiv.warc.gz", &paths());
        }

        #[test]
        fn surt_never_panics(url in "\\PC{0,40}") {
            let _ = surt(&url);
        }
    }
}
