//! Bytes of a data file → text with `\n` line ends: UTF-8 with or without BOM, UTF-16
//! with BOM (Excel's "Unicode text"), otherwise Windows-1252 (SSB and older Excel
//! exports). Never fails: every byte sequence decodes to something, and what could not
//! be decoded is listed so the caller can warn about it at its line and column.
//!
//! A file is read as Windows-1252 only when it has no valid multi-byte UTF-8 sequence
//! at all. So a UTF-8 file with a stray byte stays UTF-8 (`Meråker`, and `�` for the
//! byte, with a warning) instead of turning into `MerÃ¥ker` without a word.

use crate::error::Diagnostic;

/// What bytes 0x80–0x9F mean in Windows-1252. The five bytes it leaves undefined map
/// to the C1 control with the same number, as browsers do.
const CP1252_HIGH: [char; 32] = [
    '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2c6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}',
    '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}',
    '\u{17e}', '\u{178}',
];

/// How many undecodable places are reported one by one; the rest are counted.
const MAX_REPORTED: usize = 10;

/// A decoded file: its text, and the places that could not be decoded (each shown
/// as `�` in the text).
#[derive(Debug, Default)]
pub(super) struct Decoded {
    pub text: String,
    /// The encoding the text was read as, for messages.
    pub encoding: &'static str,
    /// 1-based line and column (in characters) of the first undecodable places, and
    /// what was there (`0xE5`).
    pub invalid: Vec<(usize, usize, String)>,
    /// How many undecodable places there are in all.
    pub invalid_count: usize,
}

impl Decoded {
    /// One warning per undecodable place (the first few, then a count), at its
    /// line and column in `path`.
    pub(super) fn warnings(&self, path: &str) -> Vec<Diagnostic> {
        let hint = format!(
            "the rest of the file is {}; correct the character here, or save the file again as UTF-8 (in Excel: File → Save as → CSV UTF-8)",
            self.encoding
        );
        let mut out: Vec<Diagnostic> = self
            .invalid
            .iter()
            .map(|(line, col, what)| {
                Diagnostic::at(
                    path,
                    *line,
                    *col,
                    format!("{what} is not valid {}, so it is read as `�`", self.encoding),
                )
                .hint(hint.clone())
                .warning()
            })
            .collect();
        if let Some((line, col, _)) = self.invalid.last().filter(|_| self.invalid_count > self.invalid.len()) {
            let more = self.invalid_count - self.invalid.len();
            out.push(
                Diagnostic::at(
                    path,
                    *line,
                    *col,
                    format!("{more} more places after this one are not valid {}", self.encoding),
                )
                .hint(hint)
                .warning(),
            );
        }
        out
    }
}

/// Decodes a data file and turns CRLF and lone CR line ends into `\n`.
pub(super) fn decode(bytes: &[u8]) -> Decoded {
    let (text, encoding, bad) = if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        let (text, bad) = utf8_lossy(rest);
        (text, "UTF-8", bad)
    } else if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        let (text, bad) = utf16(rest, u16::from_le_bytes);
        (text, "UTF-16", bad)
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        let (text, bad) = utf16(rest, u16::from_be_bytes);
        (text, "UTF-16", bad)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_string(), "UTF-8", Bad::default())
    } else if has_multibyte_utf8(bytes) {
        let (text, bad) = utf8_lossy(bytes);
        (text, "UTF-8", bad)
    } else {
        (bytes.iter().map(|&b| cp1252_char(b)).collect(), "Windows-1252", Bad::default())
    };
    let invalid = line_cols(&text, &bad.at).into_iter().zip(bad.what).map(|((l, c), w)| (l, c, w)).collect();
    Decoded { text: normalize_line_ends(text), encoding, invalid, invalid_count: bad.count }
}

/// Decodes a file its own header says is Windows-1252 (or ISO-8859-1, which it
/// holds), whatever its bytes look like, and turns CRLF and lone CR into `\n`.
pub(super) fn decode_cp1252(bytes: &[u8]) -> Decoded {
    let text = bytes.iter().map(|&b| cp1252_char(b)).collect();
    Decoded { text: normalize_line_ends(text), encoding: "Windows-1252", invalid: Vec::new(), invalid_count: 0 }
}

/// Undecodable places found while decoding: byte offsets in the decoded text (before
/// line ends are normalised) and what was there, for the first few; and their number.
#[derive(Default)]
struct Bad {
    at: Vec<usize>,
    what: Vec<String>,
    count: usize,
}

impl Bad {
    fn push(&mut self, offset: usize, what: impl FnOnce() -> String) {
        if self.at.len() < MAX_REPORTED {
            self.at.push(offset);
            self.what.push(what());
        }
        self.count += 1;
    }
}

/// Whether `bytes` holds at least one valid UTF-8 sequence of more than one byte:
/// text in any other encoding almost never does, while UTF-8 text beyond ASCII
/// always does.
fn has_multibyte_utf8(bytes: &[u8]) -> bool {
    bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii())
}

/// UTF-8 with every invalid sequence replaced by `�` (one per maximal invalid
/// sequence, as browsers do).
fn utf8_lossy(bytes: &[u8]) -> (String, Bad) {
    let mut bad = Bad::default();
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), bad);
    }
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        let invalid = chunk.invalid();
        if !invalid.is_empty() {
            bad.push(text.len(), || {
                let hex: Vec<String> = invalid.iter().map(|b| format!("0x{b:02X}")).collect();
                format!("the {} {}", if invalid.len() == 1 { "byte" } else { "bytes" }, hex.join(" "))
            });
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    (text, bad)
}

fn cp1252_char(b: u8) -> char {
    match b {
        0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// UTF-16 with every lone surrogate, and an odd last byte, replaced by `�`.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> (String, Bad) {
    let mut bad = Bad::default();
    let mut text = String::with_capacity(bytes.len());
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(e) => {
                bad.push(text.len(), || format!("the lone UTF-16 surrogate 0x{:04X}", e.unpaired_surrogate()));
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    if let [.., last] = bytes {
        if bytes.len() % 2 == 1 {
            bad.push(text.len(), || format!("the last byte 0x{last:02X} (half a UTF-16 unit)"));
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    (text, bad)
}

/// 1-based line and column (in characters) of each byte offset of `text`, in one
/// pass; `offsets` ascend. CRLF, lone CR and LF each end a line, as they will once
/// line ends are normalised.
fn line_cols(text: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(offsets.len());
    let (mut line, mut line_start, mut from) = (1, 0, 0);
    for &offset in offsets {
        for (i, b) in text.as_bytes()[from..offset].iter().enumerate() {
            let i = from + i;
            let crlf = *b == b'\r' && text.as_bytes().get(i + 1) == Some(&b'\n');
            if *b == b'\n' || (*b == b'\r' && !crlf) {
                line += 1;
                line_start = i + 1;
            }
        }
        from = offset;
        out.push((line, text[line_start..offset].chars().count() + 1));
    }
    out
}

/// CRLF and lone CR become `\n`, in place: both are ASCII, so what stays is UTF-8.
fn normalize_line_ends(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    let (mut write, mut after_cr) = (0, false);
    for read in 0..bytes.len() {
        let b = bytes[read];
        // The CR before a LF already became `\n`.
        if !(b == b'\n' && after_cr) {
            bytes[write] = if b == b'\r' { b'\n' } else { b };
            write += 1;
        }
        after_cr = b == b'\r';
    }
    bytes.truncate(write);
    String::from_utf8(bytes).unwrap_or_default()
}

/// How many lines one entry of [`Lines`]' index covers.
const LINES_PER_ENTRY: usize = 64;

/// The decoded text's lines, without their `\n`; a final line end does not start
/// another line. The start of every 64th line is kept, so a line is found in
/// constant time while the index costs next to nothing beside the text.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Lines {
    text: String,
    /// The number of lines.
    len: usize,
    /// The byte offset where lines 0, 64, 128, … start.
    starts: Vec<u32>,
}

impl Lines {
    /// Splits `text`, which must be shorter than 4 GiB (offsets are `u32`).
    pub(super) fn new(text: String) -> Lines {
        let body = text.strip_suffix('\n').unwrap_or(&text);
        let mut starts = Vec::new();
        let mut len = 0;
        if !body.is_empty() {
            starts.push(0);
            len = 1;
            for i in memchr::memchr_iter(b'\n', body.as_bytes()) {
                if len % LINES_PER_ENTRY == 0 {
                    starts.push((i + 1) as u32);
                }
                len += 1;
            }
        }
        starts.shrink_to_fit();
        Lines { text, len, starts }
    }

    /// The whole text.
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Line `i` (0-based), without its `\n`.
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        self.line_at(self.start(i)?)
    }

    /// The byte offset where line `i` (0-based) starts.
    pub(super) fn start(&self, i: usize) -> Option<usize> {
        if i >= self.len {
            return None;
        }
        let body = self.body().as_bytes();
        let mut start = *self.starts.get(i / LINES_PER_ENTRY)? as usize;
        for _ in 0..i % LINES_PER_ENTRY {
            start += memchr::memchr(b'\n', body.get(start..)?)? + 1;
        }
        Some(start)
    }

    /// The line that starts at byte `offset`, without its `\n`: what follows a line
    /// is found without looking it up.
    pub(super) fn line_at(&self, offset: usize) -> Option<&str> {
        let body = self.body();
        let rest = body.get(offset..)?;
        Some(memchr::memchr(b'\n', rest.as_bytes()).map_or(rest, |n| &rest[..n]))
    }

    /// The text without its final line end.
    fn body(&self) -> &str {
        self.text.strip_suffix('\n').unwrap_or(&self.text)
    }

    /// The lines in order.
    #[cfg(test)]
    pub(super) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.body().split('\n').take(self.len)
    }

    /// The 0-based line and the byte offset where the text from byte `offset` on
    /// has its first character that is not `\n`, given that `offset` is on 0-based
    /// line `line`.
    pub(super) fn skip_newlines(&self, line: usize, offset: usize) -> (usize, usize) {
        let skipped =
            self.text.as_bytes().get(offset..).map_or(0, |rest| rest.iter().take_while(|&&b| b == b'\n').count());
        (line + skipped, offset + skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        decode(bytes).text
    }

    #[test]
    fn latin1_bytes_are_read_as_windows_1252() {
        let d = decode(b"\xc5rsverk;Bel\xf8p \x80\n");
        assert_eq!(d.text, "Årsverk;Beløp €\n");
        assert_eq!(d.encoding, "Windows-1252");
        assert!(d.warnings("data/a.csv").is_empty());
    }

    #[test]
    fn a_utf8_byte_order_mark_is_dropped() {
        assert_eq!(text("\u{feff}år,verdi".as_bytes()), "år,verdi");
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_read() {
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend("år\tx".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(text(&bytes), "år\tx");
    }

    #[test]
    fn crlf_and_lone_cr_become_newlines() {
        assert_eq!(text(b"a\r\nb\rc\n"), "a\nb\nc\n");
        assert_eq!(text(b"\r\r\n\r"), "\n\n\n");
        let lines = |s: &str| Lines::new(s.to_string()).iter().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(lines("a\nb\n"), ["a", "b"]);
        assert_eq!(lines("a\n\nb"), ["a", "", "b"]);
        assert_eq!(lines("\n"), [""; 0]);
        assert_eq!(lines("\n\n"), ["", ""]);
        assert!(lines("").is_empty());
        let text: String = (0..200).map(|i| format!("{i}\n")).collect();
        let many = Lines::new(text);
        assert_eq!(many.len(), 200);
        for i in [0, 1, 63, 64, 65, 127, 128, 199] {
            assert_eq!(many.get(i), Some(i.to_string().as_str()));
        }
        assert_eq!(many.get(200), None);
        assert_eq!(many.iter().count(), 200);
    }

    #[test]
    fn one_invalid_byte_in_utf8_keeps_the_file_utf8_and_is_reported_at_its_place() {
        let d = decode(b"kommune,verdi\r\nMer\xc3\xa5ker,1\r\nTr\xf8ndelag,2\n");
        assert_eq!(d.text, "kommune,verdi\nMeråker,1\nTr\u{fffd}ndelag,2\n");
        let warnings = d.warnings("data/a.csv");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].warning);
        assert_eq!(
            warnings[0].to_string().lines().next(),
            Some("data/a.csv:3:3: warning: the byte 0xF8 is not valid UTF-8, so it is read as `�`")
        );
    }

    #[test]
    fn a_utf8_file_is_never_read_as_windows_1252_whatever_its_stray_bytes() {
        // However many stray bytes, and wherever: one valid å keeps the file UTF-8.
        for bytes in [&b"\xfd\xff\xe5 Mer\xc3\xa5ker"[..], b"\xc3\xa5\xc3", b"\xe2\x82\xac\x80\x80\x80\x80"] {
            let d = decode(bytes);
            assert_eq!(d.encoding, "UTF-8");
            assert!(!d.text.contains('Ã') && !d.text.contains('â'), "{}", d.text);
            assert!(d.invalid_count > 0);
        }
    }

    #[test]
    fn many_invalid_bytes_are_reported_a_few_at_a_time() {
        let mut bytes = b"\xc3\xa5\n".to_vec();
        bytes.extend(std::iter::repeat_n(b"x\xff\n".iter().copied(), 50).flatten());
        let d = decode(&bytes);
        assert_eq!(d.invalid_count, 50);
        let warnings = d.warnings("data/a.csv");
        assert_eq!(warnings.len(), MAX_REPORTED + 1);
        assert_eq!(warnings[0].location(), "data/a.csv:2:2");
        assert!(warnings[MAX_REPORTED].message.contains("40 more places"), "{:?}", warnings[MAX_REPORTED]);
    }

    #[test]
    fn a_byte_order_mark_says_utf8_even_without_other_multibyte_text() {
        let d = decode(b"\xef\xbb\xbfB\xf8\n");
        assert_eq!(d.text, "B\u{fffd}\n");
        assert_eq!(d.invalid_count, 1);
    }

    #[test]
    fn broken_utf16_is_reported() {
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend([0x61, 0x00, 0x0a, 0x00, 0x00, 0xd8, 0x62, 0x00, 0x63]);
        let d = decode(&bytes);
        assert_eq!(d.text, "a\n\u{fffd}b\u{fffd}");
        assert_eq!(d.invalid.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(2, 1), (2, 3)]);
    }

    #[test]
    fn positions_count_characters_and_every_kind_of_line_end() {
        let d = decode(b"\xc3\xa5\r\n\xc3\xa5\xc3\xa5\xff\rx\xfe");
        assert_eq!(d.invalid.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(2, 3), (3, 2)]);
    }
}
