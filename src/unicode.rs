//! Unicode normalisation shared by the data tables and the search index: text that
//! looks the same compares the same, however it was composed (`å` typed as one
//! character or as `a` and a combining ring). Pure; no I/O.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// `text` in Normalization Form C, borrowed when it already is (nearly all text: the
/// check is one pass over the bytes unless a character from U+0300 on is present).
///
/// ```
/// use innsyn::unicode::nfc;
/// assert_eq!(nfc("Mera\u{30a}ker"), "Meråker");
/// assert!(matches!(nfc("Meråker"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn nfc(text: &str) -> Cow<'_, str> {
    // Every character below U+0300 (lead bytes up to 0xCB) is NFC whatever follows it.
    if !text.bytes().any(|b| b >= 0xCC) || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return Cow::Borrowed(text);
    }
    let normalized: String = text.nfc().collect();
    if normalized == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(normalized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_letters_are_composed_and_composed_text_is_borrowed() {
        assert_eq!(nfc("A\u{30a}s og Bo\u{308}"), "Ås og Bö");
        // The ångström sign is its own canonical decomposition's composition: Å.
        assert_eq!(nfc("\u{212b}"), "\u{c5}");
        assert!(matches!(nfc("æøå ÆØÅ plain"), Cow::Borrowed(_)));
        assert!(matches!(nfc("e\u{301}"), Cow::Owned(ref s) if s == "\u{e9}"));
    }
}
