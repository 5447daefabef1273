//! Front matter: splitting it from the body, and reading TOML (`+++`) or YAML (`---`)
//! into the fields pages and sections may set. Pure: strings in, values or
//! diagnostics with `path:line:col` out.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::de::{self, Deserializer};
use serde::Deserialize;

use crate::config::{explain_serde, key_position, toml_error};
use crate::error::{Diagnostic, Diagnostics};
use crate::lang::Lang;

/// The front matter's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

/// A file split into its front matter and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Format,
    pub front: &'a str,
    /// Lines before the front matter's first line (the opening fence).
    pub front_line_offset: usize,
    pub body: &'a str,
    /// Lines before the body's first line.
    pub body_line_offset: usize,
}

/// Splits `src` at its `+++` or `---` fences.
pub fn split<'a>(path: &Path, src: &'a str) -> Result<Split<'a>, Diagnostic> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let first = src.lines().next().unwrap_or_default().trim_end();
    let (format, fence) = match first {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => {
            return Err(Diagnostic::at(path, 1, 1, "the file does not start with front matter").hint(
                "start the file with a line `+++`, then `title = \"...\"`, then a closing line `+++` — did you forget to add `+++`?",
            ))
        }
    };
    let after_open = src.find('\n').map_or(src.len(), |i| i + 1);
    let mut offset = after_open;
    for (i, line) in src[after_open..].split_inclusive('\n').enumerate() {
        if line.trim_end() == fence {
            let front = &src[after_open..offset];
            let body = &src[offset + line.len()..];
            return Ok(Split { format, front, front_line_offset: 1, body, body_line_offset: i + 2 });
        }
        offset += line.len();
    }
    Err(Diagnostic::at(path, 1, 1, format!("the front matter opened with `{fence}` on line 1 is never closed"))
        .hint(format!("add a line with only `{fence}` after the last front-matter line")))
}

/// A date as written in front matter: a TOML date, or a `YYYY-MM-DD` string
/// (optionally followed by a time, which is kept out of the output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `2024-03-05` (or `2024-03-05T10:00:00+01:00`), checking that the day exists.
    ///
    /// ```
    /// use innsyn::content::frontmatter::Date;
    /// assert!(Date::parse("2024-02-29").is_ok());
    /// assert!(Date::parse("2023-02-29").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Date, String> {
        let s = s.trim();
        let date = s.get(..10).unwrap_or(s);
        let rest = s.get(10..).unwrap_or("");
        let bad = || format!("`{s}` is not a date");
        let parts: Vec<&str> = date.split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return Err(bad());
        }
        if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with('t') || rest.starts_with(' ')) {
            return Err(bad());
        }
        let year: i32 = parts[0].parse().map_err(|_| bad())?;
        let month: u8 = parts[1].parse().map_err(|_| bad())?;
        let day: u8 = parts[2].parse().map_err(|_| bad())?;
        Date::new(year, month, day)
    }

    /// The date `days` after 1970-01-01.
    pub fn from_day_number(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// A date, if that day exists.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, String> {
        if !(1..=12).contains(&month) {
            return Err(format!("month {month} does not exist"));
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][usize::from(month) - 1];
        if day == 0 || day > days {
            return Err(format!("{year}-{month:02} has no day {day}"));
        }
        Ok(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date value before it is checked: TOML dates and strings both land here.
#[derive(Debug, Clone)]
pub struct RawDate(pub String);

impl<'de> Deserialize<'de> for RawDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = RawDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date like 2024-03-05")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDate, E> {
                Ok(RawDate(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RawDate, A::Error> {
                let dt = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawDate(dt.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

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
    pub title: Option<String>,
    #[serde(default)]
    pub description: String,
    pub date: Option<RawDate>,
    pub updated: Option<RawDate>,
    #[serde(default)]
    pub draft: bool,
    pub weight: Option<i64>,
    pub slug: Option<String>,
    pub template: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub lang: Option<String>,
    #[serde(default)]
    pub taxonomies: BTreeMap<String, Vec<String>>,
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
    pub title: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub sort_by: SortBy,
    pub paginate_by: Option<usize>,
    pub weight: Option<i64>,
    pub template: Option<String>,
    pub page_template: Option<String>,
    pub lang: Option<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
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
            at_key(path, split, "lang", format!("unknown language `{code}`"))
                .hint("use `nb` (bokmål), `nn` (nynorsk) or `en` (English)"),
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
