//! Slugs: the URL-safe names of pages, sections, terms and heading anchors.

/// Makes a URL-safe slug: lower-case ASCII letters, digits and single dashes.
/// Norwegian and Sami letters are spelt out (`æ`→`ae`, `ø`→`o`, `å`→`a`).
///
/// ```
/// use innsyn::content::slug::slugify;
/// assert_eq!(slugify("Årsverksbehov i Meråker"), "arsverksbehov-i-meraker");
/// assert_eq!(slugify("Sykefravær & heltid 2024"), "sykefravaer-heltid-2024");
/// ```
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let spelt: &str = match c {
            'a'..='z' | '0'..='9' => {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(c);
                continue;
            }
            'æ' | 'ä' => "ae",
            'ø' | 'ö' | 'ó' | 'ò' | 'ô' | 'õ' => "o",
            'å' | 'á' | 'à' | 'â' | 'ã' | 'ā' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'ē' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ú' | 'ù' | 'û' => "u",
            'ü' => "u",
            'ß' => "ss",
            'č' | 'ç' => "c",
            'š' => "s",
            'ž' => "z",
            'đ' => "d",
            'ŋ' | 'ñ' => "n",
            'ŧ' => "t",
            _ => {
                dash = true;
                continue;
            }
        };
        if dash && !out.is_empty() {
            out.push('-');
        }
        dash = false;
        out.push_str(spelt);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn norwegian_letters_are_spelt_out() {
        assert_eq!(slugify("Kongsbergregionen – Tjenesteutvikling 2035"), "kongsbergregionen-tjenesteutvikling-2035");
        assert_eq!(slugify("Øvre Eiker og Ål"), "ovre-eiker-og-al");
        assert_eq!(slugify("  --  "), "");
    }

    proptest! {
        #[test]
        fn slugify_is_idempotent(s in "\\PC*") {
            let once = slugify(&s);
            prop_assert_eq!(slugify(&once), once.clone());
            prop_assert!(once.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            prop_assert!(!once.starts_with('-') && !once.ends_with('-') && !once.contains("--"));
        }
    }
}
