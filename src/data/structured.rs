//! TOML (`[[rows]]`) and JSON (a list of objects) data files → [`Table`]s, with the
//! same column types as CSV. Both parsers hand back keys sorted (neither `toml`'s nor
//! `serde_json`'s `preserve_order` is enabled), so the column order is recovered from
//! where each key first appears in the text.

use std::collections::BTreeMap;

use crate::config::toml_error;
use crate::error::{Diagnostic, Diagnostics};

use super::decode::{Decoded, Lines};
use super::{decode, table_name, Table, TableBuilder};

/// A cell's text as written and its value when the format says it is a number.
type Value = (String, Option<f64>);

/// The rows of a TOML or JSON file as key → value maps, before typing.
struct Rows {
    rows: Vec<BTreeMap<String, Value>>,
    lines: Vec<usize>,
}

/// Reads `[[rows]]` (or the first array of tables in the file) as a table.
pub(super) fn parse_toml(path: &str, bytes: &[u8]) -> Result<Table, Diagnostics> {
    with_warnings(path, decode::decode(bytes), toml_table)
}

/// Reads a top-level JSON list of objects as a table.
pub(super) fn parse_json(path: &str, bytes: &[u8]) -> Result<Table, Diagnostics> {
    with_warnings(path, decode::decode(bytes), json_table)
}

/// The table `read` makes of the decoded text, with the warnings of decoding.
fn with_warnings(
    path: &str,
    decoded: Decoded,
    read: fn(&str, &str) -> Result<Table, Diagnostics>,
) -> Result<Table, Diagnostics> {
    let mut table = read(path, &decoded.text)?;
    table.warnings = decoded.warnings(path);
    Ok(table)
}

fn toml_table(path: &str, src: &str) -> Result<Table, Diagnostics> {
    if src.trim().is_empty() {
        return Err(empty(path));
    }
    let doc: toml::Table = toml::from_str(src).map_err(|e| Diagnostics::from(toml_error(path, src, &e, 0)))?;
    let Some((key, items)) = rows_key(&doc, src) else {
        return Err(Diagnostic::at(path, 1, 1, "no rows found in this TOML file")
            .hint(
                "write each row as a table: a line `[[rows]]` followed by lines like `\"år\" = 2012` and `verdi = 48`",
            )
            .into());
    };
    let lines = toml_row_lines(src, key, items.len());
    let mut errors = Diagnostics::default();
    let mut rows = Vec::with_capacity(items.len());
    for (i, (item, &line)) in items.iter().zip(&lines).enumerate() {
        let Some(table) = item.as_table() else { continue };
        let mut row = BTreeMap::new();
        for (name, v) in table {
            match toml_value(v) {
                Ok(value) => {
                    row.insert(name.clone(), value);
                }
                Err(what) => errors.push(not_a_cell(path, line, i, name, what)),
            }
        }
        rows.push(row);
    }
    errors.into_result()?;
    build(path, &Rows { rows, lines }, |k| toml_key_offset(src, k))
}

fn json_table(path: &str, src: &str) -> Result<Table, Diagnostics> {
    if src.trim().is_empty() {
        return Err(empty(path));
    }
    let value: serde_json::Value = serde_json::from_str(src).map_err(|e| {
        let message = e.to_string();
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_string();
        Diagnostics::from(
            Diagnostic::at(path, e.line().max(1), e.column().max(1), message).hint(
                "check the commas, quotes and brackets here; JSON data is a list of objects: `[{\"år\": 2012, \"verdi\": 48}]`",
            ),
        )
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(Diagnostic::at(path, 1, 1, "a JSON data file must be a list of objects")
            .hint("write the rows as `[{\"år\": 2012, \"verdi\": 48}, {\"år\": 2020, \"verdi\": 45}]`")
            .into());
    };
    let mut lines = json_element_lines(src);
    lines.resize(items.len(), 1);
    let mut errors = Diagnostics::default();
    let mut rows = Vec::with_capacity(items.len());
    for (i, (item, &line)) in items.iter().zip(&lines).enumerate() {
        let serde_json::Value::Object(object) = item else {
            errors.push(
                Diagnostic::at(path, line, 1, format!("row {} is not an object", i + 1))
                    .hint("write each row as `{\"column\": value, ...}`"),
            );
            continue;
        };
        let mut row = BTreeMap::new();
        for (name, v) in object {
            match json_value(v) {
                Ok(value) => {
                    row.insert(name.clone(), value);
                }
                Err(what) => errors.push(not_a_cell(path, line, i, name, what)),
            }
        }
        rows.push(row);
    }
    errors.into_result()?;
    build(path, &Rows { rows, lines }, |k| json_key_offset(src, k))
}

fn empty(path: &str) -> Diagnostics {
    Diagnostic::at(path, 1, 1, "the data file is empty").hint("add the rows, or delete the file").into()
}

fn not_a_cell(path: &str, line: usize, row: usize, name: &str, what: &str) -> Diagnostic {
    Diagnostic::at(path, line, 1, format!("the value of `{name}` in row {} is {what}", row + 1))
        .hint("a cell holds one number or one piece of text")
}

/// Orders the columns by where their keys first appear, types them, and builds the table.
fn build(path: &str, input: &Rows, key_offset: impl Fn(&str) -> Option<usize>) -> Result<Table, Diagnostics> {
    let mut names: Vec<&str> = Vec::new();
    for row in &input.rows {
        let mut keys: Vec<(usize, &str)> = row
            .keys()
            .filter(|k| !names.contains(&k.as_str()))
            .map(|k| (key_offset(k).unwrap_or(usize::MAX), k.as_str()))
            .collect();
        keys.sort();
        names.extend(keys.into_iter().map(|(_, k)| k));
    }
    if names.is_empty() {
        return Err(Diagnostic::at(path, 1, 1, "the rows in this file have no values")
            .hint("give each row its values, e.g. `\"år\" = 2012` and `verdi = 48`")
            .into());
    }
    if names.contains(&"") {
        let line = input.rows.iter().zip(&input.lines).find(|(r, _)| r.contains_key("")).map_or(1, |(_, &l)| l);
        return Err(Diagnostic::at(path, line, 1, "a column has an empty name")
            .hint("give every value a name, e.g. `verdi`")
            .into());
    }

    let mut cells = TableBuilder::default();
    for (row, &line) in input.rows.iter().zip(&input.lines) {
        for name in &names {
            match row.get(*name) {
                Some((text, native)) => cells.push(text, *native),
                None => cells.push("", None),
            }
        }
        cells.end_row(line);
    }
    let header = names.iter().map(|n| n.to_string()).collect();
    cells.finish(table_name(path), header, Lines::default()).ok_or_else(|| super::too_large(path))
}

/// `rows` when it is an array of tables, else the first `[[name]]` in the file, else
/// the first array of tables in key order (inline arrays).
fn rows_key<'a>(doc: &'a toml::Table, src: &str) -> Option<(&'a str, &'a [toml::Value])> {
    let array_of_tables = |key: &str| match doc.get_key_value(key) {
        Some((k, toml::Value::Array(items))) if !items.is_empty() && items.iter().all(toml::Value::is_table) => {
            Some((k.as_str(), items.as_slice()))
        }
        _ => None,
    };
    array_of_tables("rows")
        .or_else(|| src.lines().filter_map(array_header).find_map(|name| array_of_tables(&name)))
        .or_else(|| doc.keys().find_map(|k| array_of_tables(k)))
}

/// The name in a top-level `[[name]]` header line.
fn array_header(line: &str) -> Option<String> {
    let inner = line.trim().strip_prefix("[[")?;
    let inner = inner[..inner.find("]]")?].trim();
    for q in ['"', '\''] {
        if let Some(name) = inner.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return Some(name.to_string());
        }
    }
    (!inner.contains('.')).then(|| inner.to_string())
}

/// The 1-based line of each `[[key]]` header; when the rows are written another way,
/// the line where `key` is set.
fn toml_row_lines(src: &str, key: &str, rows: usize) -> Vec<usize> {
    let headers: Vec<usize> =
        src.lines().enumerate().filter(|(_, l)| array_header(l).as_deref() == Some(key)).map(|(i, _)| i + 1).collect();
    if headers.len() == rows {
        return headers;
    }
    let line = toml_key_offset(src, key).map_or(1, |offset| crate::error::line_col(src, offset).0);
    vec![line; rows]
}

fn toml_value(v: &toml::Value) -> Result<Value, &'static str> {
    match v {
        // Integers beyond 2^53 lose precision, as any number in a chart would.
        toml::Value::Integer(i) => Ok((i.to_string(), Some(*i as f64))),
        toml::Value::Float(f) if f.is_finite() => Ok((f.to_string(), Some(*f))),
        toml::Value::Float(_) => Ok((String::new(), None)),
        toml::Value::String(s) => Ok((s.trim().to_string(), None)),
        toml::Value::Boolean(b) => Ok((b.to_string(), None)),
        toml::Value::Datetime(d) => Ok((d.to_string(), None)),
        toml::Value::Array(_) => Err("a list"),
        toml::Value::Table(_) => Err("a table"),
    }
}

fn json_value(v: &serde_json::Value) -> Result<Value, &'static str> {
    match v {
        serde_json::Value::Number(n) => Ok((n.to_string(), n.as_f64().filter(|f| f.is_finite()))),
        serde_json::Value::String(s) => Ok((s.trim().to_string(), None)),
        serde_json::Value::Bool(b) => Ok((b.to_string(), None)),
        serde_json::Value::Null => Ok((String::new(), None)),
        serde_json::Value::Array(_) => Err("a list"),
        serde_json::Value::Object(_) => Err("an object"),
    }
}

/// The 1-based line where each element of the top-level JSON array starts.
fn json_element_lines(src: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut line, mut depth) = (1, 0usize);
    let (mut in_string, mut escaped, mut expecting) = (false, false, false);
    for c in src.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if depth == 1 && expecting && !c.is_whitespace() && c != ']' {
            lines.push(line);
            expecting = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                expecting = depth == 1;
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    lines
}

/// Byte offset of the first place `key` is set in TOML (`key =`, `"key" =`, `'key' =`).
fn toml_key_offset(src: &str, key: &str) -> Option<usize> {
    [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
        .iter()
        .filter_map(|pattern| key_offset(src, pattern, '=', pattern.as_str() == key))
        .min()
}

/// Byte offset of the first `"key":` in JSON.
pub(super) fn json_key_offset(src: &str, key: &str) -> Option<usize> {
    key_offset(src, &format!("\"{key}\""), ':', false)
}

fn key_offset(src: &str, pattern: &str, separator: char, bare: bool) -> Option<usize> {
    if pattern.is_empty() {
        return None;
    }
    src.match_indices(pattern).map(|(i, _)| i).find(|&i| {
        let starts_word =
            !bare || src[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
        starts_word && src[i + pattern.len()..].trim_start_matches([' ', '\t']).starts_with(separator)
    })
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Cell, ColumnKind};

    #[test]
    fn toml_rows_keep_their_written_column_order_and_types() {
        let src = "# Årsverk\n[[rows]]\nkommune = \"Meråker\"\nkommunenummer = \"5034\"\n\"år\" = 2012\nverdi = \"1 234,5\"\n\n[[rows]]\nkommune = \"Time\"\nkommunenummer = \"1121\"\n\"år\" = 2020\nverdi = 3.5\nmerknad = \"ny\"\n";
        let t = parse("data/a.toml", src.as_bytes()).unwrap();
        assert_eq!(t.column_names(), ["kommune", "kommunenummer", "år", "verdi", "merknad"]);
        let kinds: Vec<ColumnKind> = t.columns.iter().map(|c| c.kind).collect();
        use ColumnKind::{Number, Text};
        assert_eq!(kinds, [Text, Text, Number, Number, Text]);
        assert_eq!(t.cell(0, 3), Cell::Number(1234.5));
        assert_eq!(t.cell(0, 4), Cell::Missing);
        assert_eq!((t.row_line(0), t.row_line(1)), (2, 8));
        assert_eq!(t.position(1, 2), (8, 1));
        assert_eq!(t.header_position(2), (1, 1));
    }

    #[test]
    fn toml_finds_the_first_array_of_tables_by_any_name() {
        let t = parse("data/a.toml", b"title = \"x\"\n[[verdier]]\na = 1\n[[verdier]]\na = 2\n").unwrap();
        assert_eq!([t.row(0), t.row(1)], [[Cell::Number(1.0)], [Cell::Number(2.0)]]);
        let t = parse("data/a.toml", b"rows = [{ b = 1, a = \"x\" }, { b = 2, a = \"y\" }]\n").unwrap();
        assert_eq!(t.column_names(), ["b", "a"]);
    }

    #[test]
    fn toml_without_rows_or_with_nested_values_is_an_error() {
        let err = parse("data/a.toml", b"a = 1\n").unwrap_err();
        assert!(err.to_string().contains("no rows found"), "{err}");
        let err = parse("data/a.toml", b"[[rows]]\na = 1\n[[rows]]\na = [1, 2]\n").unwrap_err();
        assert!(err.to_string().contains("data/a.toml:3:1: error: the value of `a` in row 2 is a list"), "{err}");
        let err = parse("data/a.toml", b"[[rows]\n").unwrap_err();
        assert!(err.to_string().starts_with("data/a.toml:1:"), "{err}");
    }

    #[test]
    fn json_lists_of_objects_are_read_in_written_order() {
        let src = "[\n  {\"sektor\": \"Barnehage\", \"år\": 2012, \"knr\": \"5034\", \"verdi\": null},\n  {\"sektor\": \"Skole\", \"år\": 2020, \"knr\": \"1121\", \"verdi\": \"1,5\"}\n]\n";
        let t = parse("data/a.json", src.as_bytes()).unwrap();
        assert_eq!(t.column_names(), ["sektor", "år", "knr", "verdi"]);
        let kinds: Vec<ColumnKind> = t.columns.iter().map(|c| c.kind).collect();
        use ColumnKind::{Number, Text};
        assert_eq!(kinds, [Text, Number, Text, Number]);
        assert_eq!(t.cell(0, 3), Cell::Missing);
        assert_eq!(t.cell(1, 3), Cell::Number(1.5));
        assert_eq!((t.row_line(0), t.row_line(1)), (2, 3));
    }

    #[test]
    fn malformed_json_is_an_error_at_its_place() {
        let err = parse("data/a.json", b"[\n {\"a\": 1,}\n]").unwrap_err();
        assert!(err.to_string().starts_with("data/a.json:2:"), "{err}");
        assert!(!err.to_string().contains(" at line "), "{err}");
        let err = parse("data/a.json", b"{\"a\": 1}").unwrap_err();
        // An object is read as JSON-stat; one that is not says what a JSON data file is.
        assert!(err.to_string().contains("not a JSON-stat dataset"), "{err}");
        assert!(err.to_string().contains("a list of rows"), "{err}");
        let err = parse("data/a.json", b"[{\"a\": 1},\n 2]").unwrap_err();
        assert!(err.to_string().contains("data/a.json:2:1: error: row 2 is not an object"), "{err}");
    }
}
