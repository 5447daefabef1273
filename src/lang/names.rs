//! What a content file's name says about its language: `side.en.md`,
//! `_index.nn.md` and a bundle's `index.se.md` are translations of `side.md`,
//! `_index.md` and `index.md`. Pure: names in, language and original out.

use super::Lang;

/// The language a file name claims, and the name of its original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The path without the language: `om/side.md` for `om/side.en.md`.
    pub original: String,
    /// `None`: the name claims no language. `Some(Err(code))`: it claims one
    /// innsyn does not know.
    pub lang: Option<Result<Lang, String>>,
}

/// Splits the language from a content path: a name ending in `.<code>.md`,
/// where the code is two or three lower-case letters a–z, claims that language.
///
/// ```
/// use innsyn::lang::names::name;
/// use innsyn::lang::Lang;
/// assert_eq!(name("om/side.en.md").lang, Some(Ok(Lang::En)));
/// assert_eq!(name("om/side.en.md").original, "om/side.md");
/// assert_eq!(name("om/_index.nn.md").original, "om/_index.md");
/// assert_eq!(name("om/side.de.md").lang, Some(Err("de".to_string())));
/// assert_eq!(name("rapport-2.1.md").lang, None);
/// assert_eq!(name("om/side.md").lang, None);
/// ```
pub fn name(content_path: &str) -> Named {
    let (dir, file) = match content_path.rsplit_once('/') {
        Some((d, f)) => (Some(d), f),
        None => (None, content_path),
    };
    let claimed = file.strip_suffix(".md").and_then(|stem| stem.rsplit_once('.')).filter(|(base, code)| {
        !base.is_empty() && (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
    });
    let Some((base, code)) = claimed else {
        return Named { original: content_path.to_string(), lang: None };
    };
    let original = match dir {
        Some(d) => format!("{d}/{base}.md"),
        None => format!("{base}.md"),
    };
    let lang = Lang::parse(code).filter(|l| l.code() == code).ok_or_else(|| code.to_string());
    Named { original, lang: Some(lang) }
}

/// Whether a file name is a page bundle's page: `index.md` or a translation of it.
pub fn is_bundle_index(file_name: &str) -> bool {
    file_name == "index.md" || name(file_name).original == "index.md"
}

/// Whether a file name is a section's `_index.md` or a translation of it.
pub fn is_section_index(file_name: &str) -> bool {
    file_name == "_index.md" || name(file_name).original == "_index.md"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_and_section_pages_are_known_in_every_language() {
        assert!(is_bundle_index("index.md") && is_bundle_index("index.en.md"));
        assert!(!is_bundle_index("_index.en.md") && !is_bundle_index("indeks.en.md"));
        assert!(is_section_index("_index.se.md") && !is_section_index("index.se.md"));
    }

    #[test]
    fn only_a_short_lower_case_code_before_md_is_a_language() {
        for plain in ["a.EN.md", "a.english.md", "a.e1.md", ".en.md", "a.en.txt", "side.md"] {
            assert_eq!(name(plain).lang, None, "{plain}");
        }
        assert_eq!(name("a.no.md").lang, Some(Err("no".into())), "a code is written as innsyn writes it");
        assert_eq!(name("a.sma.md").lang, Some(Err("sma".into())));
    }
}
