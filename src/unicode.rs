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
    if surely_nfc(text) {
        return Cow::Borrowed(text);
    }
    let normalized: String = text.nfc().collect();
    if normalized == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(normalized)
    }
}

/// Whether the quick check of Unicode's annex 15 says `text` is NFC, asked of
/// the characters from U+0300 on (lead bytes from 0xCC) only, each with the one
/// before it. Every character below U+0300 is a starter allowed in NFC: the
/// check's verdict is in those pairs, and Norwegian letters (æ, ø, å) need no
/// look-up in its tables.
fn surely_nfc(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(k) = bytes[from..].iter().position(|&b| b >= 0xCC) {
        let at = from + k;
        let Some(ch) = text[at..].chars().next() else { break };
        let before = text[..at].chars().next_back();
        if is_nfc_quick(before.into_iter().chain([ch])) != IsNormalized::Yes {
            return false;
        }
        from = at + ch.len_utf8();
    }
    true
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

    proptest::proptest! {
        /// Asking only the characters from U+0300 on, with the one before each,
        /// gives the whole quick check's verdict.
        #[test]
        fn the_pairs_check_agrees_with_the_whole_quick_check(
            text in "[a-zæøåÅ \u{300}-\u{36f}\u{340}\u{344}\u{2000}-\u{2030}\u{212b}\u{1100}-\u{1175}\u{ac00}-\u{ac10}«»–]{0,12}"
        ) {
            proptest::prop_assert_eq!(surely_nfc(&text), is_nfc_quick(text.chars()) == IsNormalized::Yes, "{:?}", text);
        }
    }
}
