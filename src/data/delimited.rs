//! Delimited text (CSV, semicolon files from SSB, tab-separated): decoding, delimiter
//! sniffing, reading with the `csv` crate, and the positions of cells for messages.
//!
//! A small scanner that follows the `csv` crate's grammar exactly (a quote opens a
//! quoted value only at the very start of a field; `""` inside one is a quote) finds
//! where each record and field starts, which the `csv` crate does not report for
//! fields, and whose record lines it reports before skipping blank lines.

use crate::error::{Diagnostic, Diagnostics};

use crate::unicode::nfc;

use super::decode::Lines;
use super::number::parse_number;
use super::{decode, extension, table_name, Table, TableBuilder};

/// Delimiters in the order a tie is broken.
const DELIMITERS: [char; 3] = ['\t', ';', ','];

/// How many records the delimiter sniffer looks at.
const SNIFF_RECORDS: usize = 20;

/// The most columns a table may have: Excel's limit. Each column costs far more
/// than the two bytes it may take in the file.
const MAX_COLUMNS: usize = 16_384;

/// How many rows with the wrong number of fields are reported one by one.
const MAX_ROW_ERRORS: usize = 20;

/// Reads a CSV, semicolon or tab-separated file with a header row.
///
/// The delimiter is `\t` for `.tsv` files and otherwise the one of tab, `;` and `,` that
/// splits the header and the rows below it into the same number of fields. Every
/// problem found is reported, each at `path:line:col`.
///
/// ```
/// use innsyn::data::{parse_delimited, Cell};
/// let t = parse_delimited("data/a.csv", "\"region\";\"år\";\"verdi\"\n\"0301 Oslo\";\"2012\";\"1 234,5\"\n".as_bytes()).unwrap();
/// assert_eq!(t.column_names(), ["region", "år", "verdi"]);
/// assert_eq!(t.cell(0, 2), Cell::Number(1234.5));
/// ```
pub fn parse_delimited(path: &str, bytes: &[u8]) -> Result<Table, Diagnostics> {
    let decoded = decode::decode(bytes);
    let warnings = decoded.warnings(path);
    if u32::try_from(decoded.text.len()).is_err() {
        return Err(super::too_large(path));
    }
    let lines = decode::Lines::new(decoded.text);
    if lines.text().trim().is_empty() {
        return Err(Diagnostic::at(path, 1, 1, "the data file is empty")
            .hint("export the table again with a header row of column names, e.g. `kommune,år,verdi`")
            .into());
    }
    let delimiter = if extension(path) == "tsv" { '\t' } else { sniff(&lines) };
    // Title lines above the header and notes below the table, as SSB and Excel write them.
    let frame = frame(&lines, delimiter);

    // The `csv` crate reads the fields, one record at a time straight into the table.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter as u8)
        .from_reader(lines.text().as_bytes());
    let mut errors = Diagnostics::default();
    let mut record = csv::StringRecord::new();
    let mut header: Option<(Vec<String>, usize)> = None;
    // How many header fields are named (those after are Excel's empty columns).
    let mut named = 0;
    let mut after_empty_row = false;
    // Rows after an empty row with text in the first field alone: notes, unless a
    // row follows them. (line, fields, text)
    let mut maybe_notes: Vec<(usize, usize, String)> = Vec::new();
    let mut cells = TableBuilder::default();
    let mut row_errors = Vec::new();
    // The 0-based line where the last record starts.
    let mut last = None;
    loop {
        let result = reader.read_record(&mut record);
        let position = match &result {
            Ok(true) => record.position(),
            Err(e) => e.position(),
            Ok(false) => None,
        };
        // The crate gives the place before the blank lines it skips; the record
        // starts after them. Offsets fit: the text is shorter than 4 GiB.
        let (line, start) =
            position.map_or((0, 0), |p| lines.skip_newlines(p.line().saturating_sub(1) as usize, p.byte() as usize));
        last = Some(line).filter(|_| position.is_some()).or(last);
        let above = position.is_some() && line < frame.start;
        let wide = header.as_ref().is_some_and(|(h, _)| h.len() > 1);
        // A blank line before the record (notes below a table follow one): the
        // text before it ends in a line end, then a line of nothing but spaces.
        let before = lines.text().get(..start).unwrap_or_default();
        let after_blank = before
            .strip_suffix('\n')
            .is_some_and(|b| !b.is_empty() && b.rsplit('\n').next().is_some_and(|l| l.trim().is_empty()));
        match result {
            Ok(false) => break,
            // Title lines above the header are not rows.
            Ok(true) | Err(_) if above => {}
            Ok(true) if header.is_none() && record.len() > MAX_COLUMNS => {
                return Err(Diagnostic::at(
                    path,
                    line + 1,
                    1,
                    format!("the header row has {} columns; innsyn reads tables of up to {MAX_COLUMNS}", record.len()),
                )
                .hint("check that the first row holds the column names, or split the table into several files")
                .into());
            }
            Ok(true) if header.is_none() => {
                cells.reserve(lines.text().len(), lines.len(), record.len());
                let names: Vec<String> = record.iter().map(|f| nfc(f.trim()).into_owned()).collect();
                // Excel's empty columns at the right (`;;` after every row) are no columns.
                named = names.len() - names.iter().rev().take_while(|n| n.is_empty()).count();
                header = Some((names, line));
            }
            // A row of nothing but empty fields (Excel's empty rows) is no row.
            Ok(true)
                if header.as_ref().is_some_and(|(h, _)| h.len() > 1) && record.iter().all(|f| f.trim().is_empty()) =>
            {
                after_empty_row = true;
            }
            // After one (or a blank line, or notes), rows with text in the first field
            // alone are notes (SSB's «Kilde: …» lines, Excel's note rows), unless
            // rows follow them.
            Ok(true)
                if wide
                    && (after_empty_row || after_blank || !maybe_notes.is_empty())
                    && record.iter().skip(1).all(|f| f.trim().is_empty()) =>
            {
                let text = record.get(0).map(|t| nfc(t.trim()).into_owned()).unwrap_or_default();
                maybe_notes.push((line, record.len(), text));
            }
            Ok(true) => {
                let width = header.as_ref().map_or(0, |(h, _)| h.len());
                let named = if named == 0 { width } else { named };
                let extra_filled = record.iter().skip(named).any(|f| !f.trim().is_empty());
                if record.len() < named || record.len() > width || extra_filled {
                    let blank = record.len() == 1 && lines.get(line).is_some_and(|l| l.trim().is_empty());
                    if !blank {
                        row_errors.push((line, if extra_filled { width } else { named }, record.len()));
                    }
                    continue;
                }
                // A row after them: what looked like notes were rows (or short rows).
                for (at, len, text) in maybe_notes.drain(..) {
                    if len < named {
                        row_errors.push((at, named, len));
                        continue;
                    }
                    cells.push(&text, None);
                    for _ in 1..named {
                        cells.push("", None);
                    }
                    cells.end_row(at + 1);
                }
                after_empty_row = false;
                for field in record.iter().take(named) {
                    cells.push(field.trim(), None);
                }
                cells.end_row(line + 1);
            }
            Err(e) => {
                let csv::ErrorKind::UnequalLengths { expected_len, len, .. } = e.kind() else {
                    errors.push(Diagnostic::at(path, line + 1, 1, "this row could not be read").hint(e.to_string()));
                    continue;
                };
                let blank = *len == 1 && lines.get(line).is_some_and(|l| l.trim().is_empty());
                if !blank {
                    let (expected, found) = (usize::try_from(*expected_len), usize::try_from(*len));
                    let (expected, found) = (expected.unwrap_or(usize::MAX), found.unwrap_or(usize::MAX));
                    row_errors.push((line, expected, found));
                }
            }
        }
    }
    drop(reader);
    // A quote never closed makes the rest of the file one value: the last record.
    if let Some((line, col)) = last.and_then(|l| scan(&lines, l, delimiter, Keep::Count).unclosed) {
        errors.push(
            Diagnostic::at(path, line + 1, col + 1, "this quoted value is never closed")
                .hint("add the closing `\"`; a quote inside a quoted value is written twice: `\"\"`"),
        );
        // Rows from the unclosed quote on are one long value; their field counts mean nothing.
        row_errors.retain(|&(l, ..)| l < line);
    }
    // Rows taken for notes that no row followed are the notes below the table.
    let notes: Vec<String> = maybe_notes.into_iter().map(|(_, _, text)| text).collect();
    let (mut header, header_line) = header.unwrap_or_default();
    // Empty names at the right whose columns are empty too: Excel's trailing `;;`.
    if named > 0 && named < header.len() && !row_errors.iter().any(|&(_, expected, _)| expected == header.len()) {
        header.truncate(named);
    }
    let first = (!header.is_empty()).then(|| scan_record(&lines, header_line, delimiter));

    if header.len() == 1 && cells.rows() == 0 && !row_errors.is_empty() {
        let found = row_errors[0].2;
        errors.push(
            Diagnostic::at(
                path,
                first.as_ref().map_or(1, |r| r.line + 1),
                1,
                format!("the first row has one column but the rows below it have {found}"),
            )
            .hint("the first row must hold the column names; delete any title lines above them"),
        );
    } else {
        report_row_errors(path, &lines, delimiter, &row_errors, &mut errors);
    }
    if let Some(first) = &first {
        check_header(path, &header, first, &mut errors);
    }
    errors.into_result()?;
    let mut table = cells.finish(table_name(path), header, lines).ok_or_else(|| super::too_large(path))?;
    table.warnings = warnings;
    table.title = frame.title;
    table.notes = notes;
    Ok(table)
}

fn report_row_errors(
    path: &str,
    lines: &Lines,
    delimiter: char,
    row_errors: &[(usize, usize, usize)],
    errors: &mut Diagnostics,
) {
    let shown = delimiter_name(delimiter);
    for &(line, expected, found) in row_errors.iter().take(MAX_ROW_ERRORS) {
        let record = scan_record(lines, line, delimiter);
        let ((at_line, at_col), hint) = if found > expected {
            (
                record.fields.get(expected).map_or((line, 0), |f| (f.line, f.col)),
                format!(
                    "each row needs one value per column; remove the extra {shown}, or put a value that contains {shown} in double quotes"
                ),
            )
        } else {
            (
                record_end(lines, &record),
                format!(
                    "each row needs one value per column; add the missing values (an empty value is written as nothing between two {shown})"
                ),
            )
        };
        errors.push(
            Diagnostic::at(
                path,
                at_line + 1,
                at_col + 1,
                format!("row has {found} {} but the header has {expected}", plural(found, "field", "fields")),
            )
            .hint(hint),
        );
    }
    if let Some(&(line, ..)) = row_errors.get(MAX_ROW_ERRORS) {
        let more = row_errors.len() - MAX_ROW_ERRORS;
        errors.push(
            Diagnostic::at(
                path,
                line + 1,
                1,
                format!("{more} more {} the wrong number of fields", plural(more, "row has", "rows have")),
            )
            .hint(format!("check that the file really is separated by {shown}")),
        );
    }
}

/// Empty and repeated column names, at the header cell.
fn check_header(path: &str, header: &[String], record: &Record, errors: &mut Diagnostics) {
    let at = |i: usize| record.fields.get(i).map_or((record.line + 1, 1), |f| (f.line + 1, f.col + 1));
    // Where each name (ignoring case) is first used.
    let mut seen = std::collections::HashMap::new();
    for (i, name) in header.iter().enumerate() {
        seen.entry(name.to_lowercase()).or_insert(i);
    }
    for (i, name) in header.iter().enumerate() {
        let (line, col) = at(i);
        if name.is_empty() {
            errors.push(
                Diagnostic::at(path, line, col, format!("column {} has no name in the header row", i + 1))
                    .hint("write a name for every column in the first row, or delete the empty column"),
            );
            continue;
        }
        if let Some(&first) = seen.get(&name.to_lowercase()).filter(|&&first| first != i) {
            errors.push(
                Diagnostic::at(
                    path,
                    line,
                    col,
                    format!("the column name `{name}` is used twice (columns {} and {})", first + 1, i + 1),
                )
                .hint("give each column its own name, e.g. `årsverk_2012` and `årsverk_2020`"),
            );
        }
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn delimiter_name(d: char) -> &'static str {
    match d {
        '\t' => "tab",
        ';' => "`;`",
        _ => "`,`",
    }
}

/// Where the table starts in the file: SSB's and Excel's exports put a title (and
/// blank lines) above the header, each a line of one field. (Their notes below the
/// table are found while reading the rows.)
struct Frame {
    /// The header's line (0-based).
    start: usize,
    /// The first title line's text.
    title: Option<String>,
}

/// Finds the [`Frame`]: lines of one field before the first line of several are
/// titles. A table of one column has none. Reads only as far as the header.
fn frame(lines: &Lines, delimiter: char) -> Frame {
    let mut titles: Vec<usize> = Vec::new();
    let mut start = None;
    for r in records(lines, delimiter, Keep::Count).filter(|r| !is_blank(lines, r)) {
        if r.count > 1 {
            start = Some(r.line);
            break;
        }
        titles.push(r.line);
    }
    let Some(start) = start else { return Frame { start: 0, title: None } };
    let title = titles
        .iter()
        .map(|&l| scan_record(lines, l, delimiter).fields.into_iter().next().map(|f| f.text).unwrap_or_default())
        .map(|t| nfc(t.trim()).into_owned())
        .find(|t| !t.is_empty());
    Frame { start, title }
}

/// The delimiter that splits the first records into the same number of fields (more
/// than one). Failing that: one that does so for every record but title lines of one
/// field above and notes below, when the first of them looks like a header; then one
/// that splits the header, agreeing with most rows (bad rows are reported later); then
/// a single column. Lines of only spaces are left out, as they are when reading.
fn sniff(lines: &Lines) -> char {
    let sampled: Vec<(char, Vec<Record>)> = DELIMITERS
        .iter()
        .map(|&d| (d, records(lines, d, Keep::Count).filter(|r| !is_blank(lines, r)).take(SNIFF_RECORDS).collect()))
        .collect();
    let counts: Vec<(char, Vec<usize>)> =
        sampled.iter().map(|(d, records)| (*d, records.iter().map(|r| r.count).collect())).collect();
    let all_same = |n: &[usize]| n.first().is_some_and(|&h| h > 1 && n.iter().all(|&c| c == h));
    if let Some((d, _)) = counts.iter().find(|(_, n)| all_same(n)) {
        return *d;
    }
    // Title lines above and notes below (each one field) around rows that agree.
    let title_line = sampled.iter().zip(&counts).find(|((d, records), (_, n))| {
        let (Some(a), Some(b)) = (n.iter().position(|&c| c > 1), n.iter().rposition(|&c| c > 1)) else {
            return false;
        };
        a > 0
            && all_same(&n[a..=b])
            && n[b + 1..].iter().all(|&c| c == 1)
            && records
                .get(a)
                .is_some_and(|r| scan_record(lines, r.line, *d).fields.iter().any(|f| parse_number(&f.text).is_none()))
    });
    if let Some(((d, _), _)) = title_line {
        return *d;
    }
    let mut best: Option<(usize, char)> = None;
    for (d, n) in &counts {
        if let Some(&h) = n.first().filter(|&&h| h > 1) {
            let agreeing = n.iter().filter(|&&c| c == h).count();
            if best.is_none_or(|(b, _)| agreeing > b) {
                best = Some((agreeing, *d));
            }
        }
    }
    // No delimiter splits the header: one column (its values may hold decimal commas).
    best.map_or('\t', |(_, d)| d)
}

/// A record of nothing but spaces, which the reader skips like an empty line. (Such a
/// line holds no quote, so it is one unquoted field.)
fn is_blank(lines: &Lines, record: &Record) -> bool {
    record.count == 1
        && record.next_line == record.line + 1
        && lines.get(record.line).is_some_and(|l| l.trim().is_empty())
}

/// One field as the scanner found it; `line` is 0-based, `col` 0-based in characters.
#[derive(Debug)]
pub(super) struct Field {
    pub line: usize,
    pub col: usize,
    pub text: String,
    pub quoted: bool,
}

/// One record: where it starts (0-based line), its fields, the line after it, and the
/// position of a quote that is never closed.
#[derive(Debug)]
pub(super) struct Record {
    pub line: usize,
    /// The fields, unless only counted.
    pub fields: Vec<Field>,
    /// How many fields there are.
    pub count: usize,
    pub next_line: usize,
    pub unclosed: Option<(usize, usize)>,
}

/// The records of the file in order, skipping empty lines as the `csv` crate does.
fn records(lines: &Lines, delimiter: char, keep: Keep) -> impl Iterator<Item = Record> + '_ {
    let mut line = 0;
    std::iter::from_fn(move || {
        while lines.get(line).is_some_and(|l| l.is_empty()) {
            line += 1;
        }
        if line >= lines.len() {
            return None;
        }
        let record = scan(lines, line, delimiter, keep);
        line = record.next_line;
        Some(record)
    })
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

/// Scans the record starting at 0-based `start` with the `csv` crate's grammar.
pub(super) fn scan_record(lines: &Lines, start: usize, delimiter: char) -> Record {
    scan(lines, start, delimiter, Keep::Fields)
}

/// What [`scan`] keeps of a record's fields.
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    /// Each field with its text and place.
    Fields,
    /// Their number only: a record can be as long as the file, and as wide.
    Count,
}

/// [`scan_record`], keeping what `keep` says.
fn scan(lines: &Lines, start: usize, delimiter: char, keep: Keep) -> Record {
    let keep_text = keep == Keep::Fields;
    let mut count = 0;
    let mut end_field = |fields: &mut Vec<Field>, field: Field| {
        count += 1;
        if keep_text {
            fields.push(field);
        }
    };
    let mut fields = Vec::new();
    let mut field = Field { line: start, col: 0, text: String::new(), quoted: false };
    let mut state = State::StartField;
    let mut line = start;
    let mut at = lines.start(start).unwrap_or(usize::MAX);
    let mut unclosed = None;
    // Lines are followed by offset: a quoted value may run over all of them.
    while let Some(text) = lines.line_at(at).filter(|_| line < lines.len()) {
        at += text.len() + 1;
        let mut width = 0;
        for (col, c) in text.chars().enumerate() {
            width = col + 1;
            match state {
                State::StartField => {
                    field.line = line;
                    field.col = col;
                    if c == '"' {
                        field.quoted = true;
                        state = State::InQuoted;
                    } else if c == delimiter {
                        let done =
                            std::mem::replace(&mut field, Field { line, col, text: String::new(), quoted: false });
                        end_field(&mut fields, done);
                    } else {
                        if keep_text {
                            field.text.push(c);
                        }
                        state = State::InField;
                    }
                }
                State::InField | State::QuoteInQuoted if c == delimiter => {
                    let done = std::mem::replace(&mut field, Field { line, col, text: String::new(), quoted: false });
                    end_field(&mut fields, done);
                    state = State::StartField;
                }
                State::InQuoted if c == '"' => state = State::QuoteInQuoted,
                State::InField | State::InQuoted => {
                    if keep_text {
                        field.text.push(c);
                    }
                }
                State::QuoteInQuoted => {
                    if keep_text {
                        field.text.push(c);
                    }
                    state = if c == '"' { State::InQuoted } else { State::InField };
                }
            }
        }
        line += 1;
        if state == State::InQuoted {
            if line < lines.len() {
                if keep_text {
                    field.text.push('\n');
                }
                continue;
            }
            unclosed = Some((field.line, field.col));
        }
        if state == State::StartField {
            field.line = line - 1;
            field.col = width;
        }
        break;
    }
    end_field(&mut fields, field);
    Record { line: start, fields, count, next_line: line.max(start + 1), unclosed }
}

/// The position just after the last character of a record (0-based).
fn record_end(lines: &Lines, record: &Record) -> (usize, usize) {
    let last = record.next_line.saturating_sub(1);
    (last, lines.get(last).map_or(0, |l| l.chars().count()))
}

/// The 0-based line of the header record and the delimiter that splits it into exactly
/// `names`; `,` when none does.
pub(super) fn locate_header(lines: &Lines, names: &[&str]) -> (usize, char) {
    // The header follows any title lines; Excel's empty columns may follow its names.
    let holds_names = |line: usize, d: char| {
        let record = scan_record(lines, line, d);
        record.fields.len() >= names.len()
            && record.fields.iter().zip(names).all(|(f, n)| f.text.trim() == *n)
            && record.fields[names.len()..].iter().all(|f| f.text.trim().is_empty())
    };
    let mut filled = (0..lines.len()).filter(|&l| lines.get(l).is_some_and(|t| !t.is_empty()));
    let first = filled.clone().next().unwrap_or(0);
    filled
        .by_ref()
        .take(64)
        .find_map(|line| DELIMITERS.iter().copied().find(|&d| holds_names(line, d)).map(|d| (line, d)))
        .unwrap_or((first, ','))
}

/// 1-based line and column of field `column` of the record starting at 0-based `line`:
/// the first character that is not a space (the opening quote of a quoted value), or
/// the end of the record when it has fewer fields.
pub(super) fn cell_position(lines: &Lines, line: usize, column: usize, delimiter: char) -> (usize, usize) {
    let record = scan_record(lines, line, delimiter);
    let (line, col) = match record.fields.get(column) {
        Some(f) if f.quoted => (f.line, f.col),
        Some(f) => (f.line, f.col + f.text.chars().take_while(|c| c.is_whitespace()).count()),
        None => record_end(lines, &record),
    };
    (line + 1, col + 1)
}

#[cfg(test)]
mod tests {
    use super::super::{Cell, ColumnKind};
    use super::*;

    fn fields(line: &str, d: char) -> Vec<String> {
        scan_record(&Lines::new(line.to_string()), 0, d).fields.into_iter().map(|f| f.text).collect()
    }

    #[test]
    fn the_scanner_follows_csv_quoting() {
        assert_eq!(fields("a;\"b;c\";\"d\"\"e\"", ';'), ["a", "b;c", "d\"e"]);
        assert_eq!(fields("a,b\"c,", ','), ["a", "b\"c", ""]);
        assert_eq!(fields("\"x\"y,z", ','), ["xy", "z"]);
        assert_eq!(fields("", ','), [""]);
    }

    #[test]
    fn a_quoted_value_may_span_lines() {
        let lines = Lines::new(["a,\"b", "c\",d", "e,f"].join("\n"));
        let r = scan_record(&lines, 0, ',');
        assert_eq!(r.fields.iter().map(|f| f.text.as_str()).collect::<Vec<_>>(), ["a", "b\nc", "d"]);
        assert_eq!(r.next_line, 2);
    }

    #[test]
    fn semicolons_win_when_commas_are_decimal_commas() {
        let lines = Lines::new(["år;verdi", "2012;1,5", "2020;2,5"].join("\n"));
        assert_eq!(sniff(&lines), ';');
        let lines = Lines::new(["år,verdi", "2012,\"1,5\""].join("\n"));
        assert_eq!(sniff(&lines), ',');
        let lines = Lines::new(["år\tverdi; x", "2012\t1,5"].join("\n"));
        assert_eq!(sniff(&lines), '\t');
    }

    #[test]
    fn a_single_column_with_decimal_commas_is_one_column() {
        let t = parse_delimited("data/a.csv", "verdi\n1 234,5\n2,5\n".as_bytes()).unwrap();
        assert_eq!([t.row(0), t.row(1)], [[Cell::Number(1234.5)], [Cell::Number(2.5)]]);
    }

    #[test]
    fn blank_lines_between_rows_are_skipped_and_lines_stay_right() {
        let t = parse_delimited("data/a.csv", b"a,b\n\n1,2\n\n\n3,4\n").unwrap();
        assert_eq!((t.row_line(0), t.row_line(1)), (3, 6));
        assert_eq!(t.position(1, 1), (6, 3));
    }

    #[test]
    fn rows_after_blank_lines_and_values_over_several_lines_start_at_their_own_line() {
        let t = parse_delimited("data/a.csv", b"\n\na,b\n1,\"x\ny\"\n\n2,3\n4,5\n").unwrap();
        assert_eq!((0..3).map(|r| t.row_line(r)).collect::<Vec<_>>(), [4, 7, 8]);
        assert_eq!(t.raw(0, 1), "x\ny");
        let err = parse_delimited("data/a.csv", b"a,b\n\n\n1,2,3\n").unwrap_err();
        assert!(err.to_string().starts_with("data/a.csv:4:5: error: row has 3 fields"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn row_lines_agree_with_the_scanner(src in "[ab1\",;\n ]{0,80}") {
            // A line of spaces is a row of one empty value under a one-column header,
            // and otherwise skipped.
            // (Tables framed by titles or notes, or holding empty rows, are left to
            // the tests above.)
            let framed = |t: &Table| t.title.is_some() || !t.notes.is_empty();
            if let Ok(t) = parse_delimited("data/x.csv", src.as_bytes()).map_err(|_| ()).and_then(|t| if framed(&t) { Err(()) } else { Ok(t) }) {
                let lines = Lines::new(t.source.text().to_string());
                let (header_line, delimiter) = locate_header(&lines, &t.column_names());
                let empty = |r: &Record| scan_record(&lines, r.line, delimiter).fields.iter().all(|f| f.text.trim().is_empty());
                // Rows of empty fields are left out under a header of several fields
                // (counting Excel's empty columns).
                let wide = scan_record(&lines, header_line, delimiter).fields.len() > 1;
                let starts: Vec<usize> = records(&lines, delimiter, Keep::Count).filter(|r| r.line > header_line).filter(|r| !wide || !empty(r)).map(|r| r.line + 1).collect();
                let rows: Vec<usize> = (0..t.row_count()).map(|r| t.row_line(r)).collect();
                proptest::prop_assert_eq!(rows, starts);
            }
        }
    }

    #[test]
    fn a_tsv_file_is_split_at_tabs_even_with_commas() {
        let t = parse_delimited("data/a.tsv", b"navn\tverdi\nA,B\t1,5\n").unwrap();
        assert_eq!([t.raw(0, 0), t.raw(0, 1)], ["A,B", "1,5"]);
        assert_eq!(t.columns[1].kind, ColumnKind::Number);
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        let err = parse_delimited("data/a.csv", b"a,b\n1,\"2\n3,4\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("data/a.csv:2:3: error: this quoted value is never closed"), "{text}");
        assert_eq!(err.len(), 1, "{text}");
    }

    #[test]
    fn empty_and_repeated_header_names_are_errors_at_their_column() {
        let err = parse_delimited("data/a.csv", b"kommune;;\xc5r;\xe5r\nA;1;2;3\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("data/a.csv:1:9: error: column 2 has no name"), "{text}");
        assert!(
            text.contains("data/a.csv:1:13: error: the column name `år` is used twice (columns 3 and 4)"),
            "{text}"
        );
    }

    #[test]
    fn a_title_above_the_header_and_notes_below_the_table_are_read_as_ssb_writes_them() {
        let src = "\"12345: Befolkning, etter region og år\"\n\n\"region\";\"år\";\"Personer\"\n\"5034 Meråker\";\"2020\";\"2 445\"\n\"1121 Time\";\"2020\";\"19 000\"\n\n\"Kilde: Statistisk sentralbyrå\"\n\"Merknad: foreløpige tall\"\n";
        let t = parse_delimited("data/a.csv", src.as_bytes()).unwrap();
        assert_eq!(t.column_names(), ["region", "år", "Personer"]);
        assert_eq!(t.row_count(), 2);
        assert_eq!(t.cell(1, 2), Cell::Number(19_000.0));
        assert_eq!(t.title.as_deref(), Some("12345: Befolkning, etter region og år"));
        assert_eq!(t.notes, ["Kilde: Statistisk sentralbyrå", "Merknad: foreløpige tall"]);
        assert_eq!(t.position(0, 0), (4, 1));
        // Without a title and a blank line, no guessing: a short last row is an error.
        let err = parse_delimited("data/a.csv", b"a;b\n1;2\n3\n").unwrap_err();
        assert!(err.to_string().contains("data/a.csv:3:2: error: row has 1 field but the header has 2"), "{err}");
    }

    #[test]
    fn excels_empty_columns_and_rows_and_its_notes_are_left_out() {
        let src = "kommune;år;verdi;;\r\nMeråker;2020;1,5;;\r\nTime;2020;2,5;;\r\n;;;;\r\nKilde: SSB;;;;\r\n;;;;\r\n";
        let t = parse_delimited("data/a.csv", src.as_bytes()).unwrap();
        assert_eq!(t.column_names(), ["kommune", "år", "verdi"]);
        assert_eq!(t.row_count(), 2);
        assert_eq!(t.cell(1, 2), Cell::Number(2.5));
        assert_eq!(t.notes, ["Kilde: SSB"]);
        // A value in a column without a name is still an error.
        let err = parse_delimited("data/a.csv", b"a;b;\n1;2;3\n").unwrap_err();
        assert!(!err.is_empty());
        // Short rows after an empty row are short rows, not notes, when rows follow.
        let err = parse_delimited("data/a.csv", b"a,b\n1,2\n,\nx\ny\n3,4\n").unwrap_err();
        assert_eq!(err.len(), 2, "{err}");
        assert!(err.to_string().contains("data/a.csv:4:2: error: row has 1 field but the header has 2"), "{err}");
        // A row with its first value alone there is a row with empty values.
        let t = parse_delimited("data/a.csv", b"a,b\n1,2\n,\nx,\n3,4\n").unwrap();
        assert_eq!((t.row_count(), t.raw(1, 0), t.row_line(1)), (3, "x", 4));
    }

    #[test]
    fn too_few_fields_point_at_the_end_of_the_row() {
        let err = parse_delimited("data/a.csv", b"a,b,c\n1,2,3\n4,5\n").unwrap_err();
        assert!(err.to_string().contains("data/a.csv:3:4: error: row has 2 fields but the header has 3"), "{err}");
    }

    #[test]
    fn many_bad_rows_are_summarised() {
        let mut src = String::from("a,b\n");
        for i in 0..30 {
            src.push_str(&format!("{i},1,2\n"));
        }
        let err = parse_delimited("data/a.csv", src.as_bytes()).unwrap_err();
        assert_eq!(err.len(), MAX_ROW_ERRORS + 1);
        assert!(err.to_string().contains("10 more rows have the wrong number of fields"), "{err}");
    }

    #[test]
    fn a_header_wider_than_excel_allows_is_an_error() {
        let src = format!("{}\n", vec!["k"; MAX_COLUMNS + 1].join(","));
        let err = parse_delimited("data/a.csv", src.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("data/a.csv:1:1: error: the header row has 16385 columns"), "{err}");
    }

    #[test]
    fn whitespace_only_lines_are_ignored() {
        let t = parse_delimited("data/a.csv", b"a,b\n1,2\n   \n").unwrap();
        assert_eq!(t.row_count(), 1);
        assert_eq!(t.row(0), [Cell::Number(1.0), Cell::Number(2.0)]);
    }
}
