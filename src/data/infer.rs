//! Column types: decides whether a column holds numbers or text, and turns its cells
//! into [`Cell`]s. Codes such as municipality numbers stay text.

use super::number::{is_missing_mark, is_zero_mark, parse_number};
use super::{Cell, ColumnKind};

/// One cell before inference: its text as written, and its value when the file format
/// itself says it is a number (TOML and JSON numbers).
pub(super) struct RawCell<'a> {
    pub text: &'a str,
    pub native: Option<f64>,
}

#[cfg(test)]
impl<'a> RawCell<'a> {
    pub(super) fn text(text: &'a str) -> Self {
        RawCell { text, native: None }
    }
}

/// The kind of the column named `header` with these cells.
///
/// A column is [`ColumnKind::Number`] when it has at least one value and every value
/// is a number, unless it looks like a code: a value with a leading zero (`0301`), or a
/// header naming a number or code (`kommunenummer`, `knr`, `orgnr`, `regionkode`, `id`).
/// Values the file format gives as numbers (TOML, JSON) count as numbers whatever the header.
pub(super) fn infer_kind<'a>(header: &str, cells: impl IntoIterator<Item = RawCell<'a>>) -> ColumnKind {
    let code_header = is_code_header(header);
    let mut any_value = false;
    let mut all_numbers = true;
    for cell in cells {
        if cell.native.is_some() || is_zero_mark(cell.text) {
            any_value = true;
        } else if !is_missing_mark(cell.text) {
            any_value = true;
            if code_header || is_code_value(cell.text) || parse_number(cell.text).is_none() {
                all_numbers = false;
                break;
            }
        }
    }
    if any_value && all_numbers {
        ColumnKind::Number
    } else {
        ColumnKind::Text
    }
}

/// The value of a cell with text `text` (and `native`, its value when the file format
/// gives it as a number) in a column of `kind`.
pub(super) fn cell(kind: ColumnKind, text: &str, native: Option<f64>) -> Cell<'_> {
    match (kind, native) {
        (ColumnKind::Number, Some(v)) => Cell::Number(v),
        (ColumnKind::Number, None) if is_zero_mark(text) => Cell::Number(0.0),
        (ColumnKind::Number, None) => parse_number(text).map_or(Cell::Missing, Cell::Number),
        (ColumnKind::Text, None) if is_missing_mark(text) => Cell::Missing,
        (ColumnKind::Text, _) => Cell::Text(text),
    }
}

/// A value with a leading zero followed by more digits, like `0301`: a code whose zero
/// must not be lost.
fn is_code_value(s: &str) -> bool {
    let s = s.trim();
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut chars = s.chars();
    chars.next() == Some('0') && chars.next().is_some_and(|c| c.is_ascii_digit())
}

/// A header with a word part naming a number or a code: `kommunenummer`, `knr`,
/// `org_nr`, `Regionkode`, `zipcode`, `id`, `KommuneId`.
///
/// `id` counts only as a whole part, so `tid` (time) and `arbeidstid` stay numeric.
fn is_code_header(header: &str) -> bool {
    word_parts(header).iter().any(|part| {
        let part = part.to_lowercase();
        part == "id" || ["nummer", "nr", "kode", "code"].iter().any(|w| part.ends_with(w) || part.starts_with(w))
    })
}

/// Splits a header at anything but letters and digits, and where lower case turns to
/// upper case (`kommuneId` → `kommune`, `Id`).
fn word_parts(header: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in header.chars() {
        if !c.is_alphanumeric() {
            parts.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            parts.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.push(c);
    }
    parts.push(current);
    parts.retain(|p| !p.is_empty());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(header: &str, values: &[&str]) -> ColumnKind {
        infer_kind(header, values.iter().map(|v| RawCell::text(v)))
    }

    #[test]
    fn numbers_and_years_are_numbers() {
        assert_eq!(kind("år", &["2012", "2020", "2040"]), ColumnKind::Number);
        assert_eq!(kind("verdi", &["1 234,5", "..", "", "12"]), ColumnKind::Number);
        assert_eq!(kind("arbeidstid", &["37,5"]), ColumnKind::Number);
    }

    #[test]
    fn codes_stay_text() {
        assert_eq!(kind("region", &["0301", "5034"]), ColumnKind::Text);
        for header in ["kommunenummer", "knr", "orgnr", "org_nr", "Regionkode", "zipcode", "id", "KommuneId", "Nr."] {
            assert_eq!(kind(header, &["5034"]), ColumnKind::Text, "{header}");
        }
    }

    #[test]
    fn a_column_of_only_missing_values_is_text() {
        assert_eq!(kind("verdi", &["", "..", ":"]), ColumnKind::Text);
        assert_eq!(kind("verdi", &[]), ColumnKind::Text);
    }

    #[test]
    fn one_word_makes_a_column_text_but_keeps_missing_cells_missing() {
        let kind = infer_kind("antall", ["12", "mange", ""].map(RawCell::text));
        assert_eq!(kind, ColumnKind::Text);
        let cells: Vec<Cell> = ["12", "mange", ""].iter().map(|t| cell(kind, t, None)).collect();
        assert_eq!(cells, [Cell::Text("12"), Cell::Text("mange"), Cell::Missing]);
    }
}
