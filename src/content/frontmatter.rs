//! Front matter: splitting it from the body, and reading TOML (`+++`) or YAML (`---`)
//! into the fields pages and sections may set. Pure: strings in, values or
//! diagnostics with `path:line:col` out.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::split::{Format, Split};
use crate::config::{explain_serde, key_position, toml_error};
use crate::dates::{Date, RawDate};
use crate::error::{Diagnostic, Diagnostics};
use crate::lang::Lang;

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first; undated pages last.
    Date,
    /// Lowest weight first.
    #[default]
    Weight,
    /// Alphabetically, in Norwegian order (… x y z æ ø å).
    Title,
}

/// The front matter of a page, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFront {
    /// The page's title; required and must not be empty.
    pub title: Option<String>,
    /// A short summary, shown under the title and as the page's meta description.
    #[serde(default)]
    pub description: String,
    /// The publication date (`YYYY-MM-DD`), used for date order and feeds.
    pub date: Option<RawDate>,
    /// When the page was last changed (`YYYY-MM-DD`), used in feeds and the sitemap.
    pub updated: Option<RawDate>,
    /// Whether the page is a draft, left out unless the build is run with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// The page's place when its section sorts by weight; lower comes first.
    pub weight: Option<i64>,
    /// The last part of the page's URL; made from the file's path when not set.
    pub slug: Option<String>,
    /// Old addresses of the page, each given a redirect page to its address now.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The page's whole address (`/om/kontakt/`), instead of its section's
    /// address and its slug (Zola's `path`).
    pub path: Option<String>,
    /// Who wrote the page, e.g. `authors = ["Kari Nordmann"]`.
    #[serde(default)]
    pub authors: Vec<String>,
    /// The template for the page, instead of the section's `page_template` or `page.html`.
    pub template: Option<String>,
    /// The page's type, e.g. `mandate` or `goal`; `page` when not set.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The page's language (`nb`, `nn`, `en` or `se`); its section's when not set.
    pub lang: Option<String>,
    /// The page's terms per taxonomy, e.g. `kommune = ["Asker"]`.
    #[serde(default)]
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// A table of the site's own fields, for templates.
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
    /// `type = "mandate"`: the mandate's own fields.
    pub mandate: Option<super::schemas::MandateFront>,
    /// `type = "goal"`: the goal's own fields.
    pub goal: Option<super::schemas::GoalFront>,
}

/// The front matter of a section (`_index.md`), as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionFront {
    /// The section's title; required and must not be empty.
    pub title: Option<String>,
    /// A short summary of the section, shown on its page and as its meta description.
    #[serde(default)]
    pub description: String,
    /// How the section orders its pages: `weight` (the default), `date` or `title`.
    #[serde(default)]
    pub sort_by: SortBy,
    /// How many pages its list shows per page; all on one page when not set.
    pub paginate_by: Option<usize>,
    /// The section's place among its sibling sections; lower comes first.
    pub weight: Option<i64>,
    /// The template for the section's own page, instead of `section.html` or `index.html`.
    pub template: Option<String>,
    /// The template for the section's pages that set no `template` of their own.
    pub page_template: Option<String>,
    /// The section's language (`nb`, `nn`, `en` or `se`); its parent's when not set.
    pub lang: Option<String>,
    /// Whether the section and all below it are left out unless built with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Old addresses of the section, each given a redirect page to its address now.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A table of the site's own fields, for templates.
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
    /// One page per distinct value of a data file's column (see `content::generate`).
    pub generate: Option<super::generate::RawSpec>,
}

/// Deserializes front matter of either format into `T`.
pub fn deserialize<T: for<'de> Deserialize<'de>>(path: &Path, split: &Split) -> Result<T, Diagnostic> {
    let shown = path.display().to_string();
    match split.format {
        Format::Toml => {
            toml::from_str(split.front).map_err(|e| toml_error(&shown, split.front, &e, split.front_line_offset))
        }
        Format::Yaml => {
            // An empty YAML document is null; treat it as an empty table.
            let front = if split.front.trim().is_empty() { "{}" } else { split.front };
            serde_yaml_ng::from_str(front).map_err(|e| {
                let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
                let (message, hint) = explain_serde(e.to_string().split(" at line ").next().unwrap_or_default());
                let d = Diagnostic::at(path, line + split.front_line_offset, col, message);
                match hint {
                    Some(h) => d.hint(h),
                    None => d,
                }
            })
        }
    }
}

/// Where a key is set in the front matter, as a diagnostic position.
pub fn at_key(path: &Path, split: &Split, key: &str, message: impl Into<String>) -> Diagnostic {
    let (line, col) = key_position(split.front, key).unwrap_or((0, 1));
    Diagnostic::at(path, line + split.front_line_offset, col, message)
}

/// Checks an optional date field.
pub fn check_date(
    path: &Path,
    split: &Split,
    key: &str,
    raw: &Option<RawDate>,
    errors: &mut Diagnostics,
) -> Option<Date> {
    let raw = raw.as_ref()?;
    match Date::parse(&raw.0) {
        Ok(d) => Some(d),
        Err(why) => {
            errors.push(
                at_key(path, split, key, format!("`{key}` is not a real date: {why}"))
                    .hint("write dates as YYYY-MM-DD, e.g. `2024-03-05`"),
            );
            None
        }
    }
}

/// Checks an optional language code.
pub fn check_lang(path: &Path, split: &Split, raw: &Option<String>, errors: &mut Diagnostics) -> Option<Lang> {
    let code = raw.as_ref()?;
    let lang = Lang::parse(code);
    if lang.is_none() {
        errors.push(
            at_key(path, split, "lang", format!("unknown language `{code}`")).hint(format!("use {}", Lang::KNOWN)),
        );
    }
    lang
}

/// Checks that `extra` is a table and returns it as JSON for templates.
pub fn check_extra(
    path: &Path,
    split: &Split,
    raw: Option<serde_json::Value>,
    errors: &mut Diagnostics,
) -> serde_json::Value {
    match raw {
        None | Some(serde_json::Value::Null) => serde_json::Value::Object(Default::default()),
        Some(v @ serde_json::Value::Object(_)) => v,
        Some(_) => {
            errors.push(
                at_key(path, split, "extra", "`extra` must be a table of your own fields")
                    .hint("write `[extra]` on its own line followed by `key = value` lines"),
            );
            serde_json::Value::Object(Default::default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::split::split;

    fn p() -> &'static Path {
        Path::new("content/a.md")
    }

    #[test]
    fn toml_front_matter_is_split_from_the_body() {
        let s = split(p(), "+++\ntitle = \"A\"\n+++\nHei\n").unwrap();
        assert_eq!(s.format, Format::Toml);
        assert_eq!(s.front, "title = \"A\"\n");
        assert_eq!(s.body, "Hei\n");
        assert_eq!(s.body_line_offset, 3);
    }

    #[test]
    fn an_unclosed_front_matter_is_reported_at_its_fence() {
        let e = split(p(), "+++\ntitle = \"A\"\nHei\n").unwrap_err();
        assert_eq!(e.location(), "content/a.md:1:1");
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn unknown_fields_point_at_their_line_with_a_suggestion() {
        let s = split(p(), "+++\ntitle = \"A\"\ntitel = \"B\"\n+++\n").unwrap();
        let e = deserialize::<PageFront>(p(), &s).unwrap_err();
        assert_eq!(e.location(), "content/a.md:3:1");
        assert_eq!(e.hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn yaml_front_matter_is_read_too() {
        let s = split(p(), "---\ntitle: A\ndate: 2024-03-05\n---\nHei").unwrap();
        let f: PageFront = deserialize(p(), &s).unwrap();
        assert_eq!(f.title.as_deref(), Some("A"));
        assert_eq!(Date::parse(&f.date.unwrap().0).unwrap().to_string(), "2024-03-05");
    }

    #[test]
    fn toml_dates_and_date_strings_are_both_accepted() {
        let s = split(p(), "+++\ndate = 2024-03-05\nupdated = \"2024-04-01\"\n+++\n").unwrap();
        let f: PageFront = deserialize(p(), &s).unwrap();
        assert_eq!(f.date.unwrap().0, "2024-03-05");
        assert_eq!(f.updated.unwrap().0, "2024-04-01");
    }

    #[test]
    fn day_numbers_turn_back_into_dates() {
        assert_eq!(Date::from_day_number(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_day_number(11_017).to_string(), "2000-03-01");
        assert_eq!(Date::from_day_number(19_782).to_string(), "2024-02-29");
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(Date::parse("2024-02-31").is_err());
        assert!(Date::parse("2024-13-01").is_err());
        assert!(Date::parse("5. mars").is_err());
        assert!(Date::parse("2024-03-05T10:00:00+01:00").is_ok());
    }
}
