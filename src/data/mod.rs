//! Data files as real exports look → typed [`Table`]s: decoding (UTF-8, Windows-1252),
//! delimiter sniffing, Norwegian number formats, column types, row filters, and the
//! provenance sidecars that travel with the numbers. Takes bytes and strings, never
//! paths: reads no files and writes nothing.

pub mod decode;
mod delimited;
mod infer;
mod jsonstat;
mod load;
pub mod number;
mod provenance;
mod px;
mod recode;
mod sheet;
mod structured;

use std::fmt;

use serde::Serialize;

use crate::error::{Diagnostic, Diagnostics};
use crate::unicode::nfc;

use infer::RawCell;

pub use delimited::parse_delimited;
pub use load::load;
pub use provenance::{parse_provenance, Provenance};
pub use recode::{Recoded, Spec as RecodeSpec};

/// A data file of `data/` with its provenance sidecar, if any.
#[derive(Debug)]
pub struct DataFile {
    /// The table.
    pub table: Table,
    /// Where the figures come from (`NAME.csv.toml`).
    pub provenance: Option<Provenance>,
    /// The file could not be read (already reported); calls that use it say nothing more.
    pub broken: bool,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Every value is a number (missing values allowed).
    Number,
    /// Anything else, including codes such as `0301` or a `kommunenummer` column.
    Text,
}

/// A column's name as written in the header, and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The column's name as written in the header.
    pub name: String,
    /// Whether the column holds numbers or text.
    pub kind: ColumnKind,
}

/// One value of a table, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Empty, or a mark such as `..` or `:` that says no value is given.
    Missing,
    /// A number; only in [`ColumnKind::Number`] columns.
    Number(f64),
    /// Text, trimmed; only in [`ColumnKind::Text`] columns.
    Text(&'a str),
}

/// A data file read into rows and typed columns.
///
/// The cells are kept as their text, back to back in one string, and read as numbers
/// when asked: a table costs little more than its file, however many cells it has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The path inside `data/`, e.g. `arsverk.csv`.
    pub name: String,
    /// The columns in file order.
    pub columns: Vec<Column>,
    /// What was read but may not be what the author meant (bytes that are not text in
    /// the file's encoding), for the build to report as warnings.
    pub warnings: Vec<Diagnostic>,
    /// The title written above the header, as SSB's exports have it (a table's
    /// caption when none is given).
    pub title: Option<String>,
    /// Notes written below the table («Kilde: …», «Merknad: …»), in order.
    pub notes: Vec<String>,
    /// What the file says of where its figures come from (JSON-stat's `source` and
    /// `updated`, PC-Axis's `SOURCE` and `LAST-UPDATED`, …); empty for CSV, TOML and
    /// JSON rows. The sidecar's fields take precedence (see [`Provenance::merged`]).
    pub provenance: Provenance,
    /// The cell texts as written (decoded, trimmed, quotes removed, NFC), row by row.
    texts: String,
    /// Where each cell's text ends in `texts`; cell `(r, c)` is number `r * columns + c`.
    ends: Vec<u32>,
    /// The value of each cell the file format gives as a number (TOML and JSON);
    /// empty for delimited files.
    native: Vec<Option<f64>>,
    /// The 1-based line in the file where each row starts.
    row_lines: RowLines,
    /// The file's decoded lines, for positions; empty for TOML and JSON.
    source: decode::Lines,
}

/// The 1-based line where each row starts, kept as the rows where the count does
/// not go on from the row before (blank lines, values over several lines): a file
/// without those needs one entry, whatever its length.
#[derive(Debug, Clone, Default, PartialEq)]
struct RowLines {
    rows: usize,
    /// `(row, line)`: row `row` starts at `line`, and those after it on the lines after.
    breaks: Vec<(u32, u32)>,
}

impl RowLines {
    /// Adds the next row, starting at `line`.
    fn push(&mut self, line: u32) {
        if self.get(self.rows.wrapping_sub(1)).map(|l| l + 1) != Some(line as usize) {
            self.breaks.push((self.rows as u32, line));
        }
        self.rows += 1;
    }

    fn get(&self, row: usize) -> Option<usize> {
        if row >= self.rows {
            return None;
        }
        let i = self.breaks.partition_point(|&(r, _)| r as usize <= row);
        let (first, line) = *self.breaks.get(i.checked_sub(1)?)?;
        Some(line as usize + (row - first as usize))
    }
}

/// Collects a table's cells row by row.
#[derive(Default)]
struct TableBuilder {
    texts: String,
    ends: Vec<u32>,
    native: Vec<Option<f64>>,
    row_lines: RowLines,
    /// Set when an offset did not fit in 32 bits: the file is too large to read.
    too_large: bool,
}

impl TableBuilder {
    /// Adds the next cell of the current row, NFC-normalised so that text compares
    /// equal however it was composed.
    fn push(&mut self, text: &str, native: Option<f64>) {
        self.texts.push_str(&nfc(text));
        let end = self.offset(self.texts.len());
        self.ends.push(end);
        if native.is_some() && self.native.is_empty() {
            self.native.resize(self.ends.len() - 1, None);
        }
        if !self.native.is_empty() {
            self.native.push(native);
        }
    }

    /// Makes room for the cells of a file of `text_len` bytes in `lines` lines under a
    /// header of `width` columns, so the table is not copied as it grows. Each cell
    /// takes at least one byte of the file (a delimiter or a line end), which bounds
    /// the guess however wide the header is.
    fn reserve(&mut self, text_len: usize, lines: usize, width: usize) {
        self.texts.reserve(text_len);
        self.ends.reserve(lines.saturating_mul(width).min(text_len + 1));
    }

    /// Ends the current row, which starts at 1-based `line`.
    fn end_row(&mut self, line: usize) {
        let line = self.offset(line);
        self.row_lines.push(line);
    }

    fn offset(&mut self, n: usize) -> u32 {
        u32::try_from(n).unwrap_or_else(|_| {
            self.too_large = true;
            u32::MAX
        })
    }

    fn rows(&self) -> usize {
        self.row_lines.rows
    }

    /// The text of cell `i` (counting along rows).
    fn text(&self, i: usize) -> &str {
        cell_text(&self.texts, &self.ends, i)
    }

    /// Types each column and assembles the table; `None` when it is too large.
    fn finish(mut self, name: String, header: Vec<String>, source: decode::Lines) -> Option<Table> {
        if self.too_large {
            return None;
        }
        let width = header.len();
        let columns = header
            .into_iter()
            .enumerate()
            .map(|(c, name)| {
                let name = nfc(&name).into_owned();
                let cells = (0..self.rows()).map(|r| {
                    let i = r * width + c;
                    RawCell { text: self.text(i), native: self.native.get(i).copied().flatten() }
                });
                let kind = infer::infer_kind(&name, cells);
                Column { name, kind }
            })
            .collect();
        self.texts.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.native.shrink_to_fit();
        self.row_lines.breaks.shrink_to_fit();
        Some(Table {
            name,
            columns,
            warnings: Vec::new(),
            title: None,
            notes: Vec::new(),
            provenance: Provenance::default(),
            texts: self.texts,
            ends: self.ends,
            native: self.native,
            row_lines: self.row_lines,
            source,
        })
    }
}

fn cell_text<'a>(texts: &'a str, ends: &[u32], i: usize) -> &'a str {
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &texts[start..ends[i] as usize]
}

/// Makes the columns called `names` Text whatever their cells look like: a status
/// column of symbols (`-`, `:`) is not a column of numbers.
fn force_text(table: &mut Table, names: &[&str]) {
    for column in &mut table.columns {
        if names.contains(&column.name.as_str()) {
            column.kind = ColumnKind::Text;
        }
    }
}

/// The error for a file whose text does not fit in 4 GiB.
fn too_large(path: &str) -> Diagnostics {
    Diagnostic::at(path, 1, 1, "the data file is too large: innsyn reads data files of up to 4 GiB")
        .hint("split the table into smaller files, or leave out the rows and columns no chart uses")
        .into()
}

impl Table {
    /// A table with no columns and no rows, standing in for a file that could not be read.
    pub fn empty(name: impl Into<String>) -> Table {
        Table { name: name.into(), ..Table::default() }
    }

    /// The index of the column called `name`: an exact match first, then one that
    /// differs only in case.
    pub fn column(&self, name: &str) -> Option<usize> {
        let name = nfc(name.trim());
        self.columns.iter().position(|c| c.name == name).or_else(|| {
            let lower = name.to_lowercase();
            self.columns.iter().position(|c| c.name.to_lowercase() == lower)
        })
    }

    /// The column names in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The number of rows below the header.
    pub fn row_count(&self) -> usize {
        self.row_lines.rows
    }

    /// The 1-based line in the file where row `row` starts.
    ///
    /// # Panics
    ///
    /// When `row` is not a row of the table.
    pub fn row_line(&self, row: usize) -> usize {
        self.row_lines.get(row).unwrap_or_else(|| panic!("row {row} of a table with {} rows", self.row_count()))
    }

    /// The text of cell (`row`, `column`) as written: decoded, trimmed, quotes removed.
    ///
    /// # Panics
    ///
    /// When the cell is not in the table.
    pub fn raw(&self, row: usize, column: usize) -> &str {
        cell_text(&self.texts, &self.ends, self.index(row, column))
    }

    /// The value of cell (`row`, `column`): numbers only in Number columns; `Missing`
    /// for empty cells and SSB marks.
    ///
    /// # Panics
    ///
    /// When the cell is not in the table.
    pub fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        let i = self.index(row, column);
        let native = self.native.get(i).copied().flatten();
        infer::cell(self.columns[column].kind, self.raw(row, column), native)
    }

    /// The values of row `row`, in column order.
    pub fn row(&self, row: usize) -> Vec<Cell<'_>> {
        (0..self.columns.len()).map(|c| self.cell(row, c)).collect()
    }

    fn index(&self, row: usize, column: usize) -> usize {
        assert!(column < self.columns.len(), "column {column} of a table with {} columns", self.columns.len());
        row * self.columns.len() + column
    }

    /// 1-based line and column of cell (`row`, `column`) in the source file. The column
    /// counts characters and skips delimiters inside quotes; it points at the cell's
    /// first character that is not a space (the opening quote of a quoted value), or at
    /// the end of the row when the cell is missing. For TOML and JSON tables it is the
    /// line where the row starts, column 1. Out-of-range rows give `(1, 1)`.
    pub fn position(&self, row: usize, column: usize) -> (usize, usize) {
        let Some(line) = self.row_lines.get(row) else {
            return (1, 1);
        };
        if self.source.is_empty() || line == 0 {
            return (line.max(1), 1);
        }
        let (_, delimiter) = delimited::locate_header(&self.source, &self.column_names());
        delimited::cell_position(&self.source, line - 1, column, delimiter)
    }

    /// 1-based line and column of a column's name in the header row (line 1, column 1
    /// for TOML and JSON tables). Useful when a chart names a column with the wrong kind.
    pub fn header_position(&self, column: usize) -> (usize, usize) {
        if self.source.is_empty() {
            return (1, 1);
        }
        let (line, delimiter) = delimited::locate_header(&self.source, &self.column_names());
        delimited::cell_position(&self.source, line, column, delimiter)
    }

    /// The indexes of the rows matching every condition of `filter`. A condition
    /// matches when the raw cell equals the value ignoring case and surrounding spaces,
    /// or, in a Number column, when both are the same number (`2012` matches `2012,0`).
    /// A condition naming a column the table does not have matches no row; check the
    /// names with [`Table::column`] first to report it.
    ///
    /// ```
    /// use innsyn::data::{parse_delimited, parse_filter};
    /// let t = parse_delimited("a.csv", "kommune,år\nMeråker,2012\nTime,2012\n".as_bytes()).unwrap();
    /// assert_eq!(t.select(&parse_filter("kommune=meråker; år=2012.0").unwrap()), [0]);
    /// ```
    pub fn select(&self, filter: &Filter) -> Vec<usize> {
        let mut conditions = Vec::with_capacity(filter.0.len());
        for (name, value) in &filter.0 {
            let Some(c) = self.column(name) else {
                return Vec::new();
            };
            let number = match self.columns[c].kind {
                ColumnKind::Number => number::parse_number(value),
                ColumnKind::Text => None,
            };
            conditions.push((c, nfc(value.trim()).to_lowercase(), number));
        }
        (0..self.row_count())
            .filter(|&r| {
                conditions.iter().all(|(c, text, number)| {
                    let raw_matches = self.raw(r, *c).trim().to_lowercase() == *text;
                    let number_matches = match (number, self.cell(r, *c)) {
                        (Some(want), Cell::Number(v)) => (v - want).abs() <= 1e-9 * want.abs().max(1.0),
                        _ => false,
                    };
                    raw_matches || number_matches
                })
            })
            .collect()
    }
}

/// Conditions rows must all meet: `(column, value)` pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter(pub Vec<(String, String)>);

impl fmt::Display for Filter {
    /// Written back as the author would: `kommune=Meråker; sektor=Barnehage`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (column, value)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{column}={value}")?;
        }
        Ok(())
    }
}

/// Reads a row filter: `kommune=Meråker`, or several conditions separated by `;`
/// (`kommune=Meråker; sektor=Barnehage`). Spaces around names and values are ignored,
/// and so are quotes around a value. The error says in plain words what is wrong.
///
/// ```
/// use innsyn::data::parse_filter;
/// let f = parse_filter("kommune=Meråker; sektor = Barnehage").unwrap();
/// assert_eq!(f.0[1], ("sektor".to_string(), "Barnehage".to_string()));
/// assert!(parse_filter("kommune Meråker").is_err());
/// ```
pub fn parse_filter(s: &str) -> Result<Filter, String> {
    let mut conditions = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((column, value)) = part.split_once('=') else {
            return Err(format!("`{part}` has no `=`; write each condition as column=value, e.g. `kommune=Meråker`"));
        };
        let column = column.trim();
        if column.is_empty() {
            return Err(format!("`{part}` has no column name before `=`; write it like `kommune=Meråker`"));
        }
        conditions.push((column.to_string(), unquote(value.trim()).to_string()));
    }
    if conditions.is_empty() {
        return Err("the filter is empty; write it like `kommune=Meråker`, or leave it out".to_string());
    }
    Ok(Filter(conditions))
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Reads a data file by its extension: `.csv`, `.tsv`, `.txt` as delimited text,
/// `.toml` as an array of tables (`[[rows]]`), `.json` as a list of objects or, when
/// it is an object, as a JSON-stat 2.0 dataset or collection (`.jsonstat` too), `.px`
/// as PC-Axis, `.xlsx` and `.ods` as a sheet of a workbook. `path`
/// is only used in messages (e.g. `data/arsverk.csv`); [`Table::name`] is `path`
/// without its leading `data/`.
///
/// In TOML and JSON files, numbers become Number cells and strings go through the same
/// type inference as CSV cells; columns come in the order their keys first appear in
/// the file.
pub fn parse(path: &str, bytes: &[u8]) -> Result<Table, Diagnostics> {
    parse_with(path, bytes, &Provenance::default())
}

/// [`parse`], reading the file as its sidecar says: `dataset` chooses a dataset of a
/// JSON-stat collection; `sheet`, `range` and `header_row` the cells of a workbook.
pub fn parse_with(path: &str, bytes: &[u8], sidecar: &Provenance) -> Result<Table, Diagnostics> {
    match extension(path).as_str() {
        "csv" | "tsv" | "txt" => parse_delimited(path, bytes),
        "toml" => structured::parse_toml(path, bytes),
        "json" | "jsonstat" => {
            let decoded = decode::decode(bytes);
            if !jsonstat::is_object(&decoded.text) && extension(path) == "json" {
                return structured::parse_json(path, bytes);
            }
            let mut table = jsonstat::parse(path, &decoded.text, &sidecar.dataset)?;
            table.warnings = decoded.warnings(path);
            Ok(table)
        }
        "px" => px::parse(path, bytes),
        ext @ ("xlsx" | "ods") => {
            let options =
                sheet::Options { sheet: &sidecar.sheet, range: &sidecar.range, header_row: sidecar.header_row };
            sheet::parse(path, bytes, ext == "ods", &options)
        }
        other => {
            let what =
                if other.is_empty() { "files without an extension".to_string() } else { format!("`.{other}` files") };
            Err(Diagnostic::new(path, format!("innsyn cannot read {what} as data"))
                .hint("save the table as CSV (in Excel: File → Save as → CSV UTF-8), or write it as TOML or JSON")
                .into())
        }
    }
}

/// Whether `path` is a provenance sidecar (`arsverk.csv.toml`) rather than a data file.
///
/// ```
/// assert!(innsyn::data::is_provenance("data/arsverk.csv.toml"));
/// assert!(!innsyn::data::is_provenance("data/arsverk.toml"));
/// ```
pub fn is_provenance(path: &str) -> bool {
    path.strip_suffix(".toml").is_some_and(|data| {
        matches!(extension(data).as_str(), "csv" | "tsv" | "txt" | "json" | "jsonstat" | "px" | "toml")
    })
}

/// Whether `path` is a workbook (`.xlsx`, `.ods`): a zip archive, not text.
pub fn is_workbook(path: &str) -> bool {
    matches!(extension(path).as_str(), "xlsx" | "ods")
}

/// The lower-cased extension of the file name in `path`, without the dot.
fn extension(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file.rsplit_once('.').map(|(_, ext)| ext.to_lowercase()).unwrap_or_default()
}

/// `path` without the part up to and including its `data/` folder.
fn table_name(path: &str) -> String {
    let path = path.replace('\\', "/");
    if let Some(rest) = path.strip_prefix("data/") {
        return rest.to_string();
    }
    match path.rfind("/data/") {
        Some(i) => path[i + "/data/".len()..].to_string(),
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `data/arsverk-krd.csv` from the bundled example site.
    const ARSVERK_KRD: &str = "\
kommune,kommunenummer,sektor,år,årsverk,årsverk_per_1000_20_66
Meråker,5034,Pleie og omsorg,2012,48,65
Meråker,5034,Pleie og omsorg,2020,45,60
Meråker,5034,Pleie og omsorg,2040,63,94
Meråker,5034,Grunnskole,2012,44,30
Meråker,5034,Grunnskole,2020,40,27
Meråker,5034,Grunnskole,2040,43,31
Meråker,5034,Barnehage,2012,27,19
Meråker,5034,Barnehage,2020,40,27
Meråker,5034,Barnehage,2040,34,25
Time,1121,Pleie og omsorg,2012,128,24
Time,1121,Pleie og omsorg,2020,155,26
Time,1121,Pleie og omsorg,2040,269,43
Time,1121,Grunnskole,2012,207,20
Time,1121,Grunnskole,2020,241,21
Time,1121,Grunnskole,2040,287,21
Time,1121,Barnehage,2012,288,28
Time,1121,Barnehage,2020,328,28
Time,1121,Barnehage,2040,354,26
";

    fn kinds(t: &Table) -> Vec<ColumnKind> {
        t.columns.iter().map(|c| c.kind).collect()
    }

    #[test]
    fn ssb_symbols_in_a_number_column_keep_it_a_number_column() {
        let csv = "år;sykefravær\n2019;..\n2020;-\n2021;:\n2022;13,1*\n2023;...\n2024;.\n2025;\n2026;7,5\n";
        let t = parse_delimited("data/s.csv", csv.as_bytes()).unwrap();
        assert_eq!(t.columns[1].kind, ColumnKind::Number);
        let cells: Vec<Cell> = (0..t.row_count()).map(|r| t.cell(r, 1)).collect();
        assert_eq!(
            cells,
            [
                Cell::Missing,
                Cell::Number(0.0),
                Cell::Missing,
                Cell::Number(13.1),
                Cell::Missing,
                Cell::Missing,
                Cell::Missing,
                Cell::Number(7.5)
            ]
        );
        let kinds: Vec<Option<number::Missing>> =
            (0..t.row_count()).map(|r| number::Missing::of(t.raw(r, 1))).collect();
        assert_eq!(kinds[0], Some(number::Missing::NotAvailable));
        assert_eq!(kinds[2], Some(number::Missing::Confidential));
        assert!(number::is_provisional(t.raw(3, 1)));
    }

    #[test]
    fn the_example_sites_staffing_file_is_read_with_the_right_types() {
        let t = parse("data/arsverk-krd.csv", ARSVERK_KRD.as_bytes()).unwrap();
        assert_eq!(t.name, "arsverk-krd.csv");
        assert_eq!(t.column_names(), ["kommune", "kommunenummer", "sektor", "år", "årsverk", "årsverk_per_1000_20_66"]);
        use ColumnKind::{Number, Text};
        assert_eq!(kinds(&t), [Text, Text, Text, Number, Number, Number]);
        assert_eq!(t.row_count(), 18);
        assert_eq!(t.cell(9, 1), Cell::Text("1121"));
        assert_eq!(t.cell(17, 4), Cell::Number(354.0));
        assert_eq!(t.row_line(0), 2);
        assert_eq!(t.row_line(17), 19);
        assert_eq!(t.source.len(), 19);
    }

    #[test]
    fn a_latin1_header_is_decoded() {
        let t = parse("data/a.csv", b"\xc5rsverk;Bel\xf8p\n12;3,5\n").unwrap();
        assert_eq!(t.column_names(), ["Årsverk", "Beløp"]);
        assert_eq!(t.row(0), [Cell::Number(12.0), Cell::Number(3.5)]);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_column_name() {
        let t = parse("data/a.csv", "\u{feff}år,verdi\n2012,1\n".as_bytes()).unwrap();
        assert_eq!(t.column_names(), ["år", "verdi"]);
        assert_eq!(t.column("år"), Some(0));
    }

    #[test]
    fn crlf_line_ends_are_read() {
        let t = parse("data/a.csv", b"a,b\r\n1,x\r\n2,y\r\n").unwrap();
        assert_eq!([t.raw(0, 0), t.raw(0, 1), t.raw(1, 0), t.raw(1, 1)], ["1", "x", "2", "y"]);
        assert_eq!((t.row_line(0), t.row_line(1)), (2, 3));
        assert_eq!(t.source.iter().collect::<Vec<_>>(), ["a,b", "1,x", "2,y"]);
    }

    #[test]
    fn an_ssb_style_semicolon_file_with_decimal_commas_is_read() {
        let src = "\"region\";\"år\";\"verdi\"\n\"0301 Oslo\";\"2012\";\"1 234,5\"\n\"5034 Meråker\";\"2013\";\"..\"\n";
        let t = parse("data/ssb.csv", src.as_bytes()).unwrap();
        assert_eq!(t.column_names(), ["region", "år", "verdi"]);
        assert_eq!(kinds(&t), [ColumnKind::Text, ColumnKind::Number, ColumnKind::Number]);
        assert_eq!(t.row(0), [Cell::Text("0301 Oslo"), Cell::Number(2012.0), Cell::Number(1234.5)]);
        assert_eq!(t.cell(1, 2), Cell::Missing);
        assert_eq!(t.raw(1, 2), "..");
    }

    #[test]
    fn a_no_break_space_groups_thousands() {
        let t = parse("data/a.csv", "verdi\n1\u{a0}234,5\n".as_bytes()).unwrap();
        assert_eq!(t.cell(0, 0), Cell::Number(1234.5));
    }

    #[test]
    fn missing_marks_become_missing_cells() {
        let t = parse("data/a.csv", b"a;b\n1;x\n..;\n:;.\n...;y\n").unwrap();
        assert_eq!(t.columns[0].kind, ColumnKind::Number);
        let first: Vec<Cell> = (0..t.row_count()).map(|r| t.cell(r, 0)).collect();
        assert_eq!(first, [Cell::Number(1.0), Cell::Missing, Cell::Missing, Cell::Missing]);
        assert_eq!(t.cell(1, 1), Cell::Missing);
        assert_eq!(t.cell(2, 1), Cell::Missing);
    }

    #[test]
    fn codes_with_leading_zeros_and_number_columns_stay_text() {
        let t = parse("data/a.csv", b"region,kommunenummer,verdi\n0301,5034,1\n1121,1121,2\n").unwrap();
        assert_eq!(kinds(&t), [ColumnKind::Text, ColumnKind::Text, ColumnKind::Number]);
        assert_eq!(t.cell(0, 0), Cell::Text("0301"));
    }

    #[test]
    fn a_row_with_the_wrong_number_of_fields_is_an_error_at_its_line() {
        let src = "a,b,c,d,e,f\n1,2,3,4,5,6\n1,2,3,4\n1,2,3,4,5,6,7\n";
        let err = parse("data/a.csv", src.as_bytes()).unwrap_err();
        assert_eq!(err.len(), 2, "{err}");
        assert_eq!(
            err.0[0].to_string().lines().next(),
            Some("data/a.csv:3:8: error: row has 4 fields but the header has 6")
        );
        assert!(err.0[0].hint.is_some());
        assert!(
            err.0[1].to_string().starts_with("data/a.csv:4:13: error: row has 7 fields but the header has 6"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_file_is_an_error_at_line_one() {
        for src in ["", "\u{feff}", "\n\n  \n"] {
            let err = parse("data/a.csv", src.as_bytes()).unwrap_err();
            assert_eq!(err.0[0].to_string().lines().next(), Some("data/a.csv:1:1: error: the data file is empty"));
        }
    }

    #[test]
    fn position_counts_characters_and_skips_delimiters_inside_quotes() {
        let src = "navn;år;verdi\n\"Ås; Vestby\";2012;\"1 234,5\"\nÆøå;  2013;7\n";
        let t = parse("data/a.csv", src.as_bytes()).unwrap();
        assert_eq!(t.position(0, 0), (2, 1));
        assert_eq!(t.position(0, 1), (2, 14));
        assert_eq!(t.position(0, 2), (2, 19));
        assert_eq!(t.position(1, 1), (3, 7));
        assert_eq!(t.position(1, 9), (3, 13));
        assert_eq!(t.position(7, 0), (1, 1));
        assert_eq!(t.header_position(2), (1, 9));
    }

    #[test]
    fn column_lookup_is_exact_first_then_ignores_case() {
        let t = parse("data/a.csv", "År,år,Verdi\n1,2,3\n".as_bytes());
        assert!(t.is_err(), "the same name in two cases is a repeated column");
        let t = parse("data/a.csv", b"Kommune,Verdi\nA,1\n").unwrap();
        assert_eq!(t.column("Verdi"), Some(1));
        assert_eq!(t.column("verdi"), Some(1));
        assert_eq!(t.column(" kommune "), Some(0));
        assert_eq!(t.column("sektor"), None);
    }

    #[test]
    fn filters_are_parsed() {
        assert_eq!(parse_filter("kommune=Meråker").unwrap(), Filter(vec![("kommune".into(), "Meråker".into())]));
        let f = parse_filter(" kommune = Meråker ;sektor=Barnehage; ").unwrap();
        assert_eq!(f.0, [("kommune".into(), "Meråker".into()), ("sektor".into(), "Barnehage".into())]);
        assert_eq!(f.to_string(), "kommune=Meråker; sektor=Barnehage");
        assert_eq!(parse_filter("kommune='Meråker'").unwrap().0[0].1, "Meråker");
    }

    #[test]
    fn malformed_filters_say_what_is_wrong() {
        assert!(parse_filter("kommune Meråker").unwrap_err().contains("has no `=`"));
        assert!(parse_filter("=Meråker").unwrap_err().contains("no column name"));
        assert!(parse_filter("").unwrap_err().contains("empty"));
        assert!(parse_filter(" ; ").unwrap_err().contains("empty"));
    }

    #[test]
    fn select_meets_every_condition_and_matches_numbers_by_value() {
        let t = parse("data/arsverk-krd.csv", ARSVERK_KRD.as_bytes()).unwrap();
        let rows = t.select(&parse_filter("kommune=meråker; år=2012").unwrap());
        assert_eq!(rows, [0, 3, 6]);
        let rows = t.select(&parse_filter("Sektor=barnehage;år=2040,0").unwrap());
        assert_eq!(rows, [8, 17]);
        assert!(t.select(&parse_filter("fylke=Trøndelag").unwrap()).is_empty());
        assert_eq!(t.select(&parse_filter("kommunenummer=5034").unwrap()).len(), 9);
    }

    #[test]
    fn unknown_extensions_are_refused_with_a_hint() {
        let err = parse("data/a.pdf", b"%PDF").unwrap_err();
        assert!(err.to_string().contains("cannot read `.pdf` files"), "{err}");
    }

    #[test]
    fn table_names_are_relative_to_the_data_folder() {
        assert_eq!(table_name("data/arsverk.csv"), "arsverk.csv");
        assert_eq!(table_name("/site/data/sub/a.csv"), "sub/a.csv");
        assert_eq!(table_name("a.csv"), "a.csv");
    }

    proptest! {
        #[test]
        fn parse_delimited_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(t) = parse_delimited("data/x.csv", &bytes) {
                for r in 0..t.row_count() {
                    prop_assert_eq!(t.row(r).len(), t.columns.len());
                    for c in 0..t.columns.len() {
                        let _ = t.position(r, c);
                    }
                }
            }
        }

        #[test]
        fn every_format_never_panics(
            src in "[\\[\\]{}\"':,;=a-cå0-9 \t\n.-]{0,160}",
            ext in proptest::sample::select(vec!["csv", "tsv", "txt", "toml", "json", "px", "csv.toml"]),
        ) {
            let path = format!("data/x.{ext}");
            if let Ok(t) = parse(&path, src.as_bytes()) {
                prop_assert_eq!(t.ends.len(), t.row_count() * t.columns.len());
                for r in 0..t.row_count() {
                    prop_assert_eq!(t.row(r).len(), t.columns.len());
                    let _ = t.position(r, 0);
                }
            }
            let _ = parse_provenance(&path, &src);
        }

        #[test]
        fn csv_like_text_never_panics(src in "[a-c0-9\"; ,\t\r\n.]{0,200}") {
            if let Ok(t) = parse_delimited("data/x.csv", src.as_bytes()) {
                prop_assert_eq!(t.ends.len(), t.row_count() * t.columns.len());
                for r in 0..t.row_count() {
                    for c in 0..t.columns.len() {
                        let _ = t.position(r, c);
                    }
                }
                let _ = t.header_position(0);
            }
        }
    }
}
