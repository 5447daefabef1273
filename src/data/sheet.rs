//! Spreadsheets (`.xlsx`, `.ods`, read with calamine) → [`Table`]s: one sheet (the
//! sidecar's `sheet`, else the first), an optional `range` of it, the header row
//! found (the first row of two or more cells) or given (`header_row`), a title row
//! above it and note rows below the table as SSB's and Excel's CSV exports have them,
//! numbers and dates typed. Problems are placed at `Sheet!B5` (and as line = row,
//! column = column). Takes bytes; reads no files.

use std::io::Cursor;

use calamine::{Data, Ods, Reader, Xlsx};

use crate::error::{Diagnostic, Diagnostics};

use super::decode::Lines;
use super::{table_name, Table, TableBuilder};

/// Rows and columns of a sheet innsyn reads at most (Excel's own limits).
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;

/// A cell's text and, for a number, its value.
type Value = (String, Option<f64>);

/// How to read a workbook, from its sidecar: `sheet` (a name or 1-based number;
/// empty: the first), `range` (`A3:F40`; empty: all), `header_row` (1-based; 0: found).
pub(super) struct Options<'a> {
    pub sheet: &'a str,
    pub range: &'a str,
    pub header_row: usize,
}

std::thread_local! {
    /// Set while calamine reads a workbook, whose panics are errors, not crashes.
    static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `read`, turning a panic inside calamine into an error about the file: a
/// damaged workbook can make it overflow arithmetic on a cell's address. The
/// panic's own message is kept off the terminal; other panics print as before.
fn without_panics<T>(path: &str, kind: &str, read: impl FnOnce() -> Result<T, Diagnostics>) -> Result<T, Diagnostics> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !READING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    READING.with(|r| r.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    READING.with(|r| r.set(false));
    result.unwrap_or_else(|_| Err(not_a_workbook(path, kind, "its contents are damaged")))
}

/// Reads the sheet the sidecar names (or the first) of an XLSX or ODS workbook.
pub(super) fn parse(path: &str, bytes: &[u8], ods: bool, sidecar: &Options) -> Result<Table, Diagnostics> {
    let cursor = Cursor::new(bytes);
    let kind = if ods { "ODS" } else { "XLSX" };
    let (sheet, range) = without_panics(path, kind, || {
        if ods {
            let mut book: Ods<_> = Ods::new(cursor).map_err(|e| not_a_workbook(path, kind, &e.to_string()))?;
            let name = choose(path, &book.sheet_names(), sidecar.sheet)?;
            let range = book.worksheet_range(&name).map_err(|e| unreadable(path, &name, &e.to_string()))?;
            Ok((name, range))
        } else {
            let mut book: Xlsx<_> = Xlsx::new(cursor).map_err(|e| not_a_workbook(path, kind, &e.to_string()))?;
            let name = choose(path, &book.sheet_names(), sidecar.sheet)?;
            let range = book.worksheet_range(&name).map_err(|e| unreadable(path, &name, &e.to_string()))?;
            Ok((name, range))
        }
    })?;
    let window = match sidecar.range {
        "" => None,
        r => Some(parse_range(r).ok_or_else(|| {
            Diagnostics::from(
                Diagnostic::new(path, format!("`range = \"{r}\"` is not a range of cells"))
                    .hint("write the top-left and bottom-right cells, e.g. `range = \"A3:F40\"`"),
            )
        })?),
    };
    let mut warnings = Vec::new();
    let mut grid: Vec<(u32, Vec<Value>)> = Vec::new();
    if let Some((top, left)) = range.start() {
        for (i, cells) in range.rows().enumerate() {
            let row = top + i as u32;
            if row >= MAX_ROWS {
                break;
            }
            let mut values: Vec<Value> = Vec::new();
            for (j, cell) in cells.iter().enumerate() {
                let col = left + j as u32;
                if col >= MAX_COLUMNS {
                    break;
                }
                let inside =
                    window.is_none_or(|((r0, c0), (r1, c1))| (r0..=r1).contains(&row) && (c0..=c1).contains(&col));
                let value = if inside { value(cell) } else { (String::new(), None) };
                if let Data::Error(e) = cell {
                    if inside {
                        warnings.push(
                            Diagnostic::at(
                                path,
                                row as usize + 1,
                                col as usize + 1,
                                format!("`{}` holds the error {e}, read as a missing value", place(&sheet, row, col)),
                            )
                            .hint("correct the formula in the workbook, or leave the cell empty")
                            .warning(),
                        );
                    }
                }
                // Columns left of the sheet's used range come first as empty cells.
                if values.is_empty() && col > 0 {
                    values.resize(col as usize, (String::new(), None));
                }
                values.push(value);
            }
            while values.last().is_some_and(|(t, _)| t.is_empty()) {
                values.pop();
            }
            if !values.is_empty() {
                grid.push((row, values));
            }
        }
    }
    let mut table = build(path, &sheet, grid, sidecar.header_row)?;
    table.warnings = warnings;
    Ok(table)
}

fn not_a_workbook(path: &str, kind: &str, why: &str) -> Diagnostics {
    Diagnostic::new(path, format!("the file cannot be read as an {kind} workbook ({why})"))
        .hint("open it in Excel or LibreOffice and save it again in the same format, or save the sheet as CSV")
        .into()
}

fn unreadable(path: &str, sheet: &str, why: &str) -> Diagnostics {
    Diagnostic::new(path, format!("the sheet «{sheet}» cannot be read ({why})"))
        .hint("open the workbook and save it again, or save the sheet as CSV")
        .into()
}

/// The sheet named by `wanted` (a name, any case, or a 1-based number), else the first.
fn choose(path: &str, names: &[String], wanted: &str) -> Result<String, Diagnostics> {
    let listed = || names.iter().enumerate().map(|(i, n)| format!("{} «{n}»", i + 1)).collect::<Vec<_>>().join(", ");
    if wanted.is_empty() {
        return names.first().cloned().ok_or_else(|| {
            Diagnostics::from(
                Diagnostic::new(path, "the workbook has no sheets").hint("add the table to a sheet and save it again"),
            )
        });
    }
    let by_number = wanted.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|i| names.get(i));
    let by_name = names.iter().find(|n| n.trim().to_lowercase() == wanted.trim().to_lowercase());
    by_name.or(by_number).cloned().ok_or_else(|| {
        Diagnostics::from(
            Diagnostic::new(path, format!("the workbook has no sheet `{wanted}`"))
                .hint(format!("set `sheet` in the sidecar `.toml` to one of the sheets: {}", listed())),
        )
    })
}

/// A cell's text and number: numbers as written without Excel's formatting (`1204`,
/// `12.5`), dates as `YYYY-MM-DD` (and `HH:MM` when they have a time), text trimmed.
fn value(cell: &Data) -> Value {
    match cell {
        Data::Int(i) => (i.to_string(), Some(*i as f64)),
        Data::Float(f) if f.is_finite() => {
            let text = if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", *f as i64) } else { f.to_string() };
            (text, Some(*f))
        }
        Data::Float(_) | Data::Empty | Data::Error(_) => (String::new(), None),
        Data::String(s) => (clean(s), None),
        Data::Bool(b) => (b.to_string(), None),
        Data::DateTime(d) if d.is_datetime() && (0.0..2_958_466.0).contains(&d.as_f64()) => {
            let (y, m, day, h, min, _, _) = d.to_ymd_hms_milli();
            if h == 0 && min == 0 {
                (format!("{y:04}-{m:02}-{day:02}"), None)
            } else {
                (format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}"), None)
            }
        }
        Data::DateTime(d) => {
            let f = d.as_f64();
            if f.is_finite() {
                (f.to_string(), Some(f))
            } else {
                (String::new(), None)
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => (clean(s), None),
    }
}

/// The text trimmed, with the control characters XML forbids (and line breaks, which
/// a cell may hold) as spaces, as in text data files.
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// `Ark1!B5` for 0-based `row` and `col`.
fn place(sheet: &str, row: u32, col: u32) -> String {
    format!("{sheet}!{}{}", column_letters(col), row + 1)
}

/// `A`, …, `Z`, `AA`, … for a 0-based column.
fn column_letters(col: u32) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// `A3:F40` → 0-based ((top, left), (bottom, right)).
pub(super) fn parse_range(s: &str) -> Option<((u32, u32), (u32, u32))> {
    let (a, b) = s.trim().split_once(':')?;
    let cell = |s: &str| -> Option<(u32, u32)> {
        let s = s.trim().to_uppercase();
        let split = s.find(|c: char| c.is_ascii_digit())?;
        let (letters, digits) = s.split_at(split);
        if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let col = letters.bytes().fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1)) - 1;
        let row = digits.parse::<u32>().ok()?.checked_sub(1)?;
        (row < MAX_ROWS && col < MAX_COLUMNS).then_some((row, col))
    };
    let ((r0, c0), (r1, c1)) = (cell(a)?, cell(b)?);
    (r0 <= r1 && c0 <= c1).then_some(((r0, c0), (r1, c1)))
}

fn filled(values: &[Value]) -> usize {
    values.iter().filter(|(t, _)| !t.is_empty()).count()
}

/// The table of the sheet's non-empty rows (`(0-based row, cells)`), as a CSV file
/// with the same rows would give: a title row of one cell above the header, note rows
/// of one cell below the table after an empty row.
fn build(path: &str, sheet: &str, grid: Vec<(u32, Vec<Value>)>, header_row: usize) -> Result<Table, Diagnostics> {
    let header_at = if header_row > 0 {
        grid.iter().position(|(r, _)| *r as usize + 1 == header_row).ok_or_else(|| {
            Diagnostics::from(
                Diagnostic::at(
                    path,
                    header_row,
                    1,
                    format!("row {header_row} of «{sheet}» is empty, so it holds no column names"),
                )
                .hint("set `header_row` to the row with the column names, or leave it out to let innsyn find it"),
            )
        })?
    } else {
        match grid.iter().position(|(_, v)| filled(v) >= 2).or(if grid.is_empty() { None } else { Some(0) }) {
            Some(i) => i,
            None => {
                return Err(Diagnostic::at(path, 1, 1, format!("the sheet «{sheet}» is empty"))
                    .hint("choose the sheet with the table with `sheet` in the sidecar `.toml`, or fill it")
                    .into())
            }
        }
    };
    let title = grid[..header_at]
        .iter()
        .find(|(_, v)| filled(v) == 1)
        .and_then(|(_, v)| v.iter().find(|(t, _)| !t.is_empty()))
        .map(|(t, _)| t.clone());
    let (header_row, header_cells) = &grid[header_at];
    let width = header_cells.len();
    let mut errors = Diagnostics::default();
    let mut header: Vec<String> = Vec::with_capacity(width);
    for (c, (name, _)) in header_cells.iter().enumerate() {
        let at = |message: String| Diagnostic::at(path, *header_row as usize + 1, c + 1, message);
        if name.is_empty() {
            errors.push(
                at(format!("the column at `{}` has no name", place(sheet, *header_row, c as u32)))
                    .hint("write a name in the header row above every column with values"),
            );
        } else if header.iter().any(|h| h.to_lowercase() == name.to_lowercase()) {
            errors.push(
                at(format!("`{}`: the column name `{name}` is used twice", place(sheet, *header_row, c as u32)))
                    .hint("give every column a name of its own"),
            );
        }
        header.push(name.clone());
    }
    let mut rows: Vec<&(u32, Vec<Value>)> = grid[header_at + 1..].iter().collect();
    // Note rows: after an empty row, rows of one text cell in the first column.
    let mut notes = Vec::new();
    let mut cut = rows.len();
    while cut > 0 {
        let (_, v) = rows[cut - 1];
        if filled(v) == 1 && v.len() == 1 && v[0].1.is_none() && width > 1 {
            cut -= 1;
        } else {
            break;
        }
    }
    let gap_before = |i: usize| {
        i > 0 && rows[i].0 > rows[i - 1].0 + 1 || i == 0 && rows.first().is_some_and(|r| r.0 > *header_row + 1)
    };
    if cut < rows.len() && gap_before(cut) {
        notes = rows[cut..].iter().map(|(_, v)| v[0].0.clone()).collect();
        rows.truncate(cut);
    }
    let mut cells = TableBuilder::default();
    for (row, values) in rows {
        if values.len() > width {
            let c = values.len() - 1;
            errors.push(
                Diagnostic::at(path, *row as usize + 1, c + 1, format!("`{}` holds a value in a column without a name", place(sheet, *row, c as u32)))
                    .hint("give the column a name in the header row, or set `range` in the sidecar `.toml` to the table's cells"),
            );
            continue;
        }
        for c in 0..width {
            let (text, native) = values.get(c).map_or(("", None), |(t, n)| (t.as_str(), *n));
            cells.push(text, native);
        }
        cells.end_row(*row as usize + 1);
    }
    errors.into_result()?;
    let mut table = cells.finish(table_name(path), header, Lines::default()).ok_or_else(|| super::too_large(path))?;
    table.title = title;
    table.notes = notes;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Cell, ColumnKind};

    fn row(cells: &[&str]) -> Vec<Value> {
        cells.iter().map(|c| (c.to_string(), c.parse::<f64>().ok())).collect()
    }

    #[test]
    fn the_header_is_the_first_row_of_two_cells_under_a_title_and_over_notes() {
        let grid = vec![
            (0, row(&["Tittel"])),
            (2, row(&["kommune", "verdi"])),
            (3, row(&["Fjellvik", "12.5"])),
            (4, row(&["Øvre Ås", ".."])),
            (6, row(&["Kilde: oppdiktet"])),
        ];
        let t = build("data/a.xlsx", "Ark1", grid, 0).unwrap();
        assert_eq!(t.title.as_deref(), Some("Tittel"));
        assert_eq!(t.column_names(), ["kommune", "verdi"]);
        assert_eq!(t.columns[1].kind, ColumnKind::Number);
        assert_eq!([t.cell(0, 1), t.cell(1, 1)], [Cell::Number(12.5), Cell::Missing]);
        assert_eq!(t.notes, ["Kilde: oppdiktet"]);
        assert_eq!((t.row_line(0), t.row_line(1)), (4, 5), "rows are numbered as in the sheet");
    }

    #[test]
    fn a_row_of_one_cell_right_under_the_table_is_a_row() {
        let grid = vec![(0, row(&["kommune", "verdi"])), (1, row(&["Fjellvik", "1"])), (2, row(&["Øvre Ås"]))];
        let t = build("data/a.xlsx", "Ark1", grid, 0).unwrap();
        assert_eq!(t.row_count(), 2);
        assert!(t.notes.is_empty());
    }

    #[test]
    fn a_given_header_row_wins() {
        let grid = vec![(0, row(&["a", "b"])), (4, row(&["kommune", "verdi"])), (5, row(&["Fjellvik", "1"]))];
        let t = build("data/a.xlsx", "Ark1", grid.clone(), 5).unwrap();
        assert_eq!(t.column_names(), ["kommune", "verdi"]);
        let err = build("data/a.xlsx", "Ark1", grid, 4).unwrap_err().to_string();
        assert!(err.starts_with("data/a.xlsx:4:1: error: row 4 of «Ark1» is empty"), "{err}");
    }

    #[test]
    fn problems_are_placed_at_their_cell() {
        let grid = vec![(2, row(&["kommune", "", "verdi"])), (3, row(&["Fjellvik", "1", "2", "3"]))];
        let err = build("data/a.ods", "Tall", grid, 0).unwrap_err().to_string();
        assert!(err.contains("data/a.ods:3:2: error: the column at `Tall!B3` has no name"), "{err}");
        assert!(err.contains("data/a.ods:4:4: error: `Tall!D4` holds a value in a column without a name"), "{err}");
        let grid = vec![(0, row(&["år", "År"]))];
        let err = build("data/a.ods", "Tall", grid, 0).unwrap_err().to_string();
        assert!(err.contains("`Tall!B1`: the column name `År` is used twice"), "{err}");
        let err = build("data/a.ods", "Tall", Vec::new(), 0).unwrap_err().to_string();
        assert!(err.contains("the sheet «Tall» is empty") && err.contains("hint:"), "{err}");
    }

    #[test]
    fn ranges_and_column_letters_are_read_as_excel_writes_them() {
        assert_eq!(parse_range("A3:F40"), Some(((2, 0), (39, 5))));
        assert_eq!(parse_range(" b2 : AA10 "), Some(((1, 1), (9, 26))));
        for bad in ["A3", "3A:F4", "F40:A3", "A0:B2", "ÆØ1:B2", "AAAA1:B2", ""] {
            assert_eq!(parse_range(bad), None, "{bad}");
        }
        assert_eq!(
            [column_letters(0), column_letters(25), column_letters(26), column_letters(16_383)],
            ["A", "Z", "AA", "XFD"]
        );
    }

    #[test]
    fn a_sheet_is_chosen_by_name_or_number_and_a_wrong_one_lists_the_sheets() {
        let names = ["Forside".to_string(), "Tall".to_string()];
        assert_eq!(choose("x", &names, "").unwrap(), "Forside");
        assert_eq!(choose("x", &names, "tall").unwrap(), "Tall");
        assert_eq!(choose("x", &names, "2").unwrap(), "Tall");
        let err = choose("data/a.xlsx", &names, "Ark3").unwrap_err().to_string();
        assert!(err.contains("no sheet `Ark3`") && err.contains("1 «Forside», 2 «Tall»"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_workbook_says_so() {
        let err = crate::data::parse("data/a.xlsx", b"kommune;verdi\n").unwrap_err().to_string();
        assert!(err.contains("cannot be read as an XLSX workbook") && err.contains("hint:"), "{err}");
        let err = crate::data::parse("data/a.ods", b"").unwrap_err().to_string();
        assert!(err.contains("cannot be read as an ODS workbook"), "{err}");
    }
}
