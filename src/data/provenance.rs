//! Provenance sidecars (`data/arsverk.csv.toml`): where the numbers come from, printed
//! under every chart and table that uses them. Parses a string; reads no files.

use serde::{Deserialize, Serialize};

use crate::config::{key_position, toml_error};
use crate::error::{Diagnostic, Diagnostics};

/// Where a data file's numbers come from. Every field is optional and empty when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Who published the numbers, e.g. `Statistisk sentralbyrå (SSB)`.
    pub source: String,
    /// The source's own table id, e.g. `07459`.
    pub table_id: String,
    /// Address of the source's page for the numbers.
    pub url: String,
    /// Publication date as `YYYY-MM-DD`.
    pub published: String,
    /// E.g. `NLOD 2.0` or `CC BY 4.0`.
    pub licence: String,
    /// Address of the licence text.
    pub licence_url: String,
    /// E.g. `dekningsgrad holdt konstant på 2012-nivå`.
    pub notes: String,
    /// The dataset's name in the data catalogue, e.g. `Årsverksbehov i Meråker og Time`.
    pub title: String,
    /// What the dataset holds, for the data catalogue.
    pub description: String,
    /// Search words for the data catalogue (`dcat:keyword`).
    pub keywords: Vec<String>,
    /// The EU data themes of the dataset (`SOCI`, `GOVE`, …; `dcat:theme`).
    pub themes: Vec<String>,
    /// When the file was last changed, as `YYYY-MM-DD` (`dct:modified`).
    pub updated: String,
    /// `catalog = false`: the file is published but left out of the data
    /// catalogue (its licence is not the site's to give, say).
    pub uncatalogued: bool,
    /// Which dataset of a JSON-stat collection to read: its 1-based number or its
    /// label (empty: the first). How to read the file, not where it comes from.
    #[serde(skip)]
    pub dataset: String,
    /// Which sheet of a workbook (XLSX, ODS) to read: its name or 1-based number
    /// (empty: the first).
    #[serde(skip)]
    pub sheet: String,
    /// The cells of the sheet to read, e.g. `A3:F40` (empty: all).
    #[serde(skip)]
    pub range: String,
    /// The 1-based row of the sheet holding the column names (0: found by innsyn).
    #[serde(skip)]
    pub header_row: usize,
    /// Codes to recode after reading (`recode = { column, table }`), if any.
    #[serde(skip)]
    pub recode: Option<super::recode::Spec>,
    /// The codes that were recoded, and after which table: said under every
    /// chart and table of the file.
    #[serde(skip)]
    pub recoded: Option<super::recode::Recoded>,
}

impl Provenance {
    /// The sidecar's provenance over what the file says of itself: each field the
    /// sidecar sets wins; the file's notes (its units) come before the sidecar's.
    pub fn merged(file: &Provenance, sidecar: Option<&Provenance>) -> Option<Provenance> {
        let Some(side) = sidecar else {
            return (file != &Provenance::default()).then(|| file.clone());
        };
        let pick = |s: &String, f: &String| if s.is_empty() { f.clone() } else { s.clone() };
        let notes =
            [file.notes.as_str(), side.notes.as_str()].into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>();
        Some(Provenance {
            source: pick(&side.source, &file.source),
            table_id: pick(&side.table_id, &file.table_id),
            url: pick(&side.url, &file.url),
            published: pick(&side.published, &file.published),
            licence: pick(&side.licence, &file.licence),
            licence_url: pick(&side.licence_url, &file.licence_url),
            notes: notes.join(" "),
            title: pick(&side.title, &file.title),
            description: pick(&side.description, &file.description),
            keywords: if side.keywords.is_empty() { file.keywords.clone() } else { side.keywords.clone() },
            themes: if side.themes.is_empty() { file.themes.clone() } else { side.themes.clone() },
            updated: pick(&side.updated, &file.updated),
            uncatalogued: side.uncatalogued,
            dataset: side.dataset.clone(),
            sheet: side.sheet.clone(),
            range: side.range.clone(),
            header_row: side.header_row,
            recode: side.recode.clone(),
            recoded: None,
        })
    }
}

/// The sidecar as written.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawProvenance {
    source: String,
    table_id: Option<toml::Value>,
    url: String,
    published: Option<toml::Value>,
    licence: String,
    licence_url: String,
    notes: String,
    title: String,
    description: String,
    keywords: Vec<String>,
    themes: Vec<String>,
    updated: Option<toml::Value>,
    catalog: Option<bool>,
    dataset: Option<toml::Value>,
    sheet: Option<toml::Value>,
    range: String,
    header_row: Option<toml::Value>,
    recode: Option<super::recode::RawSpec>,
}

/// Parses a provenance sidecar; `path` is only used in messages. Unknown keys are
/// errors with a did-you-mean hint; `published` may be a TOML date (`2024-03-05`) or
/// the same in quotes; `table_id` may be text or a whole number.
///
/// ```
/// let p = innsyn::data::parse_provenance("data/a.csv.toml", "source = \"SSB\"\npublished = 2024-03-05\n").unwrap();
/// assert_eq!(p.published, "2024-03-05");
/// ```
pub fn parse_provenance(path: &str, src: &str) -> Result<Provenance, Diagnostics> {
    let raw: RawProvenance = toml::from_str(src).map_err(|e| Diagnostics::from(toml_error(path, src, &e, 0)))?;
    let mut errors = Diagnostics::default();
    let at_key = |key: &str, message: &str| {
        let (line, col) = key_position(src, key).unwrap_or((1, 1));
        Diagnostic::at(path, line, col, message)
    };

    let mut date = |key: &str, value: Option<toml::Value>| match value {
        None => String::new(),
        Some(toml::Value::Datetime(d)) if d.date.is_some() => d.date.map(|d| d.to_string()).unwrap_or_default(),
        Some(toml::Value::String(s)) if s.trim().is_empty() || is_date(s.trim()) => s.trim().to_string(),
        Some(_) => {
            errors.push(
                at_key(key, &format!("`{key}` is not a date"))
                    .hint(format!("write the date as YYYY-MM-DD, e.g. `{key} = 2024-03-05`")),
            );
            String::new()
        }
    };
    let published = date("published", raw.published);
    let updated = date("updated", raw.updated);
    let themes: Vec<String> = raw.themes.iter().map(|t| t.trim().to_ascii_uppercase()).collect();
    for theme in &themes {
        if !crate::dcat::DATA_THEMES.contains(&theme.as_str()) {
            let hint = match crate::error::did_you_mean(theme, &crate::dcat::DATA_THEMES) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("the EU data themes are {}", crate::dcat::DATA_THEMES.join(", ")),
            };
            errors.push(at_key("themes", &format!("`{theme}` is not an EU data theme")).hint(hint));
        }
    }
    let keywords: Vec<String> = raw.keywords.iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
    let table_id = match raw.table_id {
        None => String::new(),
        Some(toml::Value::String(s)) => s.trim().to_string(),
        Some(toml::Value::Integer(i)) => i.to_string(),
        Some(_) => {
            errors.push(
                at_key("table_id", "`table_id` must be text").hint("write it in quotes, e.g. `table_id = \"07459\"`"),
            );
            String::new()
        }
    };
    let dataset = match raw.dataset {
        None => String::new(),
        Some(toml::Value::String(s)) => s.trim().to_string(),
        Some(toml::Value::Integer(i)) if i > 0 => i.to_string(),
        Some(_) => {
            errors.push(
                at_key("dataset", "`dataset` must be a dataset's number (from 1) or its label")
                    .hint("write e.g. `dataset = 2` or `dataset = \"Befolkning\"`"),
            );
            String::new()
        }
    };
    let sheet = match raw.sheet {
        None => String::new(),
        Some(toml::Value::String(s)) => s.trim().to_string(),
        Some(toml::Value::Integer(i)) if i > 0 => i.to_string(),
        Some(_) => {
            errors.push(
                at_key("sheet", "`sheet` must be a sheet's name or its number (from 1)")
                    .hint("write e.g. `sheet = \"Ark2\"` or `sheet = 2`"),
            );
            String::new()
        }
    };
    let header_row = match raw.header_row {
        None => 0,
        Some(toml::Value::Integer(i)) if i > 0 && i <= 1_048_576 => i as usize,
        Some(_) => {
            errors.push(at_key("header_row", "`header_row` must be a row number of the sheet (from 1)").hint(
                "write the number Excel shows at the left of the row with the column names, e.g. `header_row = 3`",
            ));
            0
        }
    };
    let range = raw.range.trim().to_string();
    if !range.is_empty() && crate::data::sheet::parse_range(&range).is_none() {
        errors.push(
            at_key("range", &format!("`range = \"{range}\"` is not a range of cells"))
                .hint("write the top-left and bottom-right cells, e.g. `range = \"A3:F40\"`"),
        );
    }
    for (key, url) in [("url", &raw.url), ("licence_url", &raw.licence_url)] {
        if let Err(why) = crate::config::check_link(url) {
            errors.push(at_key(key, &format!("`{key}` {why}")).hint(crate::config::LINK_HINT));
        }
    }
    let recode = raw.recode.map(|r| super::recode::check_spec(path, src, r, &mut errors));
    errors.into_result()?;
    Ok(Provenance {
        source: raw.source.trim().to_string(),
        table_id,
        url: raw.url.trim().to_string(),
        published,
        licence: raw.licence.trim().to_string(),
        licence_url: raw.licence_url.trim().to_string(),
        notes: raw.notes.trim().to_string(),
        title: raw.title.trim().to_string(),
        description: raw.description.trim().to_string(),
        keywords,
        themes,
        updated,
        uncatalogued: raw.catalog == Some(false),
        dataset,
        sheet,
        range,
        header_row,
        recode,
        recoded: None,
    })
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`, and nothing more.
pub(super) fn is_date(s: &str) -> bool {
    let digits_and_dashes = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    digits_and_dashes && crate::dates::Date::parse(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_sidecar_is_read() {
        let src = "source = \"KRD\"\ntable_id = \"07459\"\nurl = \"https://www.ssb.no/\"\npublished = \"2013-06-01\"\nlicence = \"NLOD 2.0\"\nlicence_url = \"https://data.norge.no/nlod/no/2.0\"\nnotes = \"dekningsgrad holdt konstant på 2012-nivå\"\n";
        let p = parse_provenance("data/a.csv.toml", src).unwrap();
        assert_eq!(p.table_id, "07459");
        assert_eq!(p.published, "2013-06-01");
        assert_eq!(p.notes, "dekningsgrad holdt konstant på 2012-nivå");
        assert_eq!(parse_provenance("data/a.csv.toml", "").unwrap(), Provenance::default());
    }

    #[test]
    fn an_unknown_key_is_an_error_with_a_suggestion() {
        let err = parse_provenance("data/a.csv.toml", "source = \"SSB\"\nlicense = \"NLOD\"\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("data/a.csv.toml:2:1: error: unknown field `license`"), "{text}");
        assert!(text.contains("did you mean `licence`?"), "{text}");
    }

    #[test]
    fn published_must_be_a_date() {
        let err = parse_provenance("data/a.csv.toml", "source = \"SSB\"\npublished = \"juni 2013\"\n").unwrap_err();
        assert!(err.to_string().contains("data/a.csv.toml:2:1: error: `published` is not a date"), "{err}");
        assert!(parse_provenance("x", "published = \"2023-02-29\"").is_err());
        assert!(parse_provenance("x", "published = 2024-03-05T10:00:00").unwrap().published == "2024-03-05");
        assert_eq!(parse_provenance("x", "table_id = 12345").unwrap().table_id, "12345");
    }
}

#[cfg(test)]
mod reading_tests {
    use super::parse_provenance;

    #[test]
    fn how_to_read_a_file_is_checked_too() {
        let p = parse_provenance("x", "sheet = 2\nrange = \"A3:F40\"\nheader_row = 3\ndataset = \"Areal\"").unwrap();
        assert_eq!((p.sheet.as_str(), p.range.as_str(), p.header_row, p.dataset.as_str()), ("2", "A3:F40", 3, "Areal"));
        let err = parse_provenance("data/a.xlsx.toml", "sheet = true\nrange = \"A3\"\nheader_row = 0\ndataset = 0\n")
            .unwrap_err();
        let at: Vec<String> = err.0.iter().map(|d| d.location()).collect();
        assert_eq!(
            at,
            ["data/a.xlsx.toml:1:1", "data/a.xlsx.toml:2:1", "data/a.xlsx.toml:3:1", "data/a.xlsx.toml:4:1"]
        );
    }
}

#[cfg(test)]
mod link_tests {
    #[test]
    fn source_and_licence_links_are_web_addresses_only() {
        let err =
            super::parse_provenance("data/a.csv.toml", "url = \"javascript:alert(1)\"\nlicence_url = \"DATA:x\"\n")
                .unwrap_err();
        let at: Vec<String> = err.0.iter().map(|d| d.location()).collect();
        assert_eq!(at, ["data/a.csv.toml:1:1", "data/a.csv.toml:2:1"]);
    }
}
