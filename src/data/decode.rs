//! Bytes of a data file → text with `\n` line ends: UTF-8 with or without BOM, UTF-16
//! with BOM (Excel's "Unicode text"), otherwise Windows-1252 (SSB and older Excel
//! exports). Never fails: every byte sequence decodes to something.

/// What bytes 0x80–0x9F mean in Windows-1252. The five bytes it leaves undefined map
/// to the C1 control with the same number, as browsers do.
const CP1252_HIGH: [char; 32] = [
    '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2c6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}',
    '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}',
    '\u{17e}', '\u{178}',
];

/// Decodes a data file and turns CRLF and lone CR line ends into `\n`.
pub fn decode(bytes: &[u8]) -> String {
    let text = if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        utf8_or_cp1252(rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        utf16(rest, u16::from_be_bytes)
    } else {
        utf8_or_cp1252(bytes)
    };
    crate::fsx::nfc(normalize_line_ends(text))
}

/// The decoded text split into lines, without their `\n`; a final line end does not
/// start another line.
pub(super) fn lines(text: &str) -> Vec<String> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    text.split('\n').map(str::to_string).collect()
}

/// UTF-8 when the bytes are UTF-8, or hold any valid UTF-8 character beyond
/// ASCII: a file with `Meråker` in UTF-8 and one stray byte elsewhere is a UTF-8
/// file with a fault (decoded with U+FFFD for the bad bytes, and reported by
/// [`utf8_damage`]), not a Windows-1252 file, which would turn every `å` into `Ã¥`.
/// Only bytes with no UTF-8 character beyond ASCII in them are Windows-1252.
fn utf8_or_cp1252(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) if has_utf8_beyond_ascii(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Err(_) => bytes.iter().map(|&b| cp1252_char(b)).collect(),
    }
}

/// Whether `bytes` hold at least one valid UTF-8 sequence of two or more bytes.
fn has_utf8_beyond_ascii(bytes: &[u8]) -> bool {
    bytes.utf8_chunks().any(|chunk| chunk.valid().bytes().any(|b| b >= 0x80))
}

/// Where a data file that is UTF-8 (by the rule of [`utf8_or_cp1252`]) has its
/// first byte that is not UTF-8: 1-based line and column, counting characters.
/// `None` for valid UTF-8, UTF-16 and Windows-1252 files.
///
/// ```
/// use innsyn::data::decode::utf8_damage;
/// assert_eq!(utf8_damage("kommune\nMeråker;4\nT\u{f8}".as_bytes()), None);
/// assert_eq!(utf8_damage(b"kommune\nMer\xc3\xa5ker;\xe5\n"), Some((2, 9)));
/// assert_eq!(utf8_damage(b"kommune\nMer\xe5ker\n"), None); // Windows-1252
/// ```
pub fn utf8_damage(bytes: &[u8]) -> Option<(usize, usize)> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") || !has_utf8_beyond_ascii(body) {
        return None;
    }
    let at = std::str::from_utf8(body).err()?.valid_up_to();
    let before = &body[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = before[start..].iter().filter(|&&b| b & 0xC0 != 0x80).count() + 1;
    Some((line, col))
}

fn cp1252_char(b: u8) -> char {
    match b {
        0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

fn normalize_line_ends(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_bad_byte_in_a_utf8_file_does_not_turn_it_into_mojibake() {
        let text = super::decode(b"kommune;verdi\nMer\xc3\xa5ker;4\nS\xf8r;\x9f5\n");
        assert!(text.contains("Meråker") && !text.contains('Ã'), "{text}");
        assert!(text.contains("S\u{fffd}r"), "{text}");
        // A file with no UTF-8 character at all stays Windows-1252.
        assert_eq!(super::decode(b"Mer\xe5ker;S\xf8r"), "Meråker;Sør");
    }

    use super::*;

    #[test]
    fn latin1_bytes_are_read_as_windows_1252() {
        assert_eq!(decode(b"\xc5rsverk;Bel\xf8p \x80\n"), "Årsverk;Beløp €\n");
    }

    #[test]
    fn a_utf8_byte_order_mark_is_dropped() {
        assert_eq!(decode("\u{feff}år,verdi".as_bytes()), "år,verdi");
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_read() {
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend("år\tx".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&bytes), "år\tx");
    }

    #[test]
    fn crlf_and_lone_cr_become_newlines() {
        assert_eq!(decode(b"a\r\nb\rc\n"), "a\nb\nc\n");
        assert_eq!(lines("a\nb\n"), ["a", "b"]);
        assert_eq!(lines("a\n\nb"), ["a", "", "b"]);
        assert!(lines("").is_empty());
    }
}
