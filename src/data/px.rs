//! PC-Axis files (`.px`, as SSB's StatBank downloads them) → [`Table`]s: the text
//! decoded by its `CODEPAGE`, the keywords of the default language (`TITLE`, not
//! `TITLE[en]`), one row per cell of the cube in STUB then HEADING order, a column per
//! variable (and one for its `CODES`), the value with the data symbols' meanings kept
//! as in CSV, and the provenance the file carries. Takes bytes; reads no files.

use crate::error::{Diagnostic, Diagnostics};

use super::decode::{self, Lines};
use super::jsonstat::{unit_note, MAX_ROWS, STATUS, UNIT, VALUE};
use super::number::Missing;
use super::provenance::Provenance;
use super::{table_name, Table, TableBuilder};

/// One `KEYWORD[lang]("sub","keys")=value;` of the file.
#[derive(Debug)]
struct Entry {
    keyword: String,
    lang: Option<String>,
    subkeys: Vec<String>,
    /// The values: quoted strings (adjacent ones joined, as long texts are split over
    /// lines) and bare words, in order.
    values: Vec<Token>,
    line: usize,
}

#[derive(Debug, Clone)]
struct Token {
    text: String,
    quoted: bool,
    line: usize,
    col: usize,
}

/// Reads a PC-Axis file.
pub(super) fn parse(path: &str, bytes: &[u8]) -> Result<Table, Diagnostics> {
    let decoded = decode_px(bytes);
    let mut table = read(path, &decoded.text)?;
    table.warnings = decoded.warnings(path);
    Ok(table)
}

/// Decodes by the file's own `CODEPAGE` (and the older `CHARSET="ANSI"`): UTF-8 when it
/// says so, Windows-1252 (which holds ISO-8859-1) when it names another code page,
/// and, when it says nothing, as any data file.
fn decode_px(bytes: &[u8]) -> decode::Decoded {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let value_of = |key: &[u8]| {
        let at = head.windows(key.len()).position(|w| w.eq_ignore_ascii_case(key))?;
        let rest = &head[at + key.len()..];
        let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len().min(64));
        Some(String::from_utf8_lossy(&rest[..end]).trim().trim_matches('"').to_lowercase())
    };
    let utf8 = |cp: &str| cp.replace(['-', '_'], "") == "utf8";
    match value_of(b"CODEPAGE=") {
        Some(cp) if !utf8(&cp) && std::str::from_utf8(bytes).is_err() => decode::decode_cp1252(bytes),
        _ => decode::decode(bytes),
    }
}

fn error(path: &str, line: usize, col: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic::at(path, line, col, message)
}

/// Splits the text into keyword entries; `DATA` is the last.
fn entries(path: &str, src: &str) -> Result<Vec<Entry>, Diagnostic> {
    let chars: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let mut out = Vec::new();
    let skip_space = |i: &mut usize, line: &mut usize, line_start: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            if chars[*i] == '\n' {
                *line += 1;
                *line_start = *i + 1;
            }
            *i += 1;
        }
    };
    loop {
        skip_space(&mut i, &mut line, &mut line_start);
        if i >= chars.len() {
            break;
        }
        let entry_line = line;
        let start = i;
        while i < chars.len() && !matches!(chars[i], '=' | '[' | '(' | ';' | '"' | '\n') {
            i += 1;
        }
        let keyword: String = chars[start..i].iter().collect::<String>().trim().to_uppercase();
        if keyword.is_empty() || i >= chars.len() || matches!(chars[i], ';' | '"' | '\n') {
            return Err(error(path, entry_line, start - line_start + 1, "a line here is not a PC-Axis keyword")
                .hint("each entry is written `KEYWORD=\"value\";`; the file may be cut off or not a PC-Axis file"));
        }
        let mut lang = None;
        if chars[i] == '[' {
            let end = chars[i..].iter().position(|&c| c == ']' || c == '\n').map(|p| i + p);
            match end {
                Some(e) if chars[e] == ']' => {
                    lang = Some(chars[i + 1..e].iter().collect::<String>().trim().to_string());
                    i = e + 1;
                }
                _ => {
                    return Err(error(path, line, i - line_start + 1, format!("`{keyword}[` has no closing `]`"))
                        .hint("a language is written in brackets, e.g. `TITLE[en]=\"…\";`"))
                }
            }
        }
        let mut subkeys = Vec::new();
        if i < chars.len() && chars[i] == '(' {
            i += 1;
            loop {
                skip_space(&mut i, &mut line, &mut line_start);
                match chars.get(i) {
                    Some('"') => {
                        let (text, next) = quoted(path, &chars, i, line, line_start)?;
                        subkeys.push(text);
                        i = next;
                    }
                    Some(',') => i += 1,
                    Some(')') => {
                        i += 1;
                        break;
                    }
                    _ => {
                        return Err(error(
                            path,
                            line,
                            i - line_start + 1,
                            format!("`{keyword}(` is not closed with `)`"),
                        )
                        .hint("write the variable in quotes, e.g. `VALUES(\"region\")=\"Fjellvik\";`"))
                    }
                }
            }
        }
        skip_space(&mut i, &mut line, &mut line_start);
        if chars.get(i) != Some(&'=') {
            return Err(error(
                path,
                line,
                i.saturating_sub(line_start) + 1,
                format!("`{keyword}` is not followed by `=`"),
            )
            .hint("each entry is written `KEYWORD=\"value\";`"));
        }
        i += 1;
        let mut values: Vec<Token> = Vec::new();
        let mut joinable = false;
        loop {
            let before = line;
            skip_space(&mut i, &mut line, &mut line_start);
            let Some(&c) = chars.get(i) else {
                if keyword == "DATA" {
                    break;
                }
                return Err(error(path, entry_line, 1, format!("`{keyword}` has no `;` at its end"))
                    .hint("end each entry with `;`; the file may be cut off"));
            };
            match c {
                ';' => {
                    i += 1;
                    break;
                }
                ',' => {
                    joinable = false;
                    i += 1;
                }
                '"' => {
                    let col = i - line_start + 1;
                    let (text, next) = quoted(path, &chars, i, line, line_start)?;
                    i = next;
                    // Long texts are split into strings on several lines: one value.
                    match values.last_mut() {
                        Some(last) if joinable && last.quoted && keyword != "DATA" && line >= before => {
                            last.text.push_str(&text)
                        }
                        _ => values.push(Token { text, quoted: true, line, col }),
                    }
                    joinable = true;
                }
                _ => {
                    let col = i - line_start + 1;
                    let s = i;
                    while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], ';' | '"' | ',') {
                        i += 1;
                    }
                    values.push(Token { text: chars[s..i].iter().collect(), quoted: false, line, col });
                    joinable = false;
                }
            }
        }
        out.push(Entry { keyword, lang, subkeys, values, line: entry_line });
        if out.last().is_some_and(|e| e.keyword == "DATA") {
            break;
        }
    }
    Ok(out)
}

/// The string starting at the quote `chars[i]`, and the index after its closing quote.
fn quoted(path: &str, chars: &[char], i: usize, line: usize, line_start: usize) -> Result<(String, usize), Diagnostic> {
    match chars[i + 1..].iter().position(|&c| c == '"' || c == '\n') {
        Some(p) if chars[i + 1 + p] == '"' => Ok((chars[i + 1..i + 1 + p].iter().collect(), i + p + 2)),
        _ => Err(error(path, line, i - line_start + 1, "a quoted text is not closed on its line")
            .hint("close it with `\"`; a long text is written as several quoted strings, one per line")),
    }
}

/// The entries of the default language (no `[lang]`, or the one `LANGUAGE` names).
struct Keywords {
    entries: Vec<Entry>,
    language: String,
}

impl Keywords {
    fn all<'a, 'k>(&'a self, keyword: &'k str) -> impl Iterator<Item = &'a Entry> + use<'a, 'k> {
        self.entries.iter().filter(move |e| {
            e.keyword == keyword && e.lang.as_deref().is_none_or(|l| l.eq_ignore_ascii_case(&self.language))
        })
    }

    fn get(&self, keyword: &str, subkeys: &[&str]) -> Option<&Entry> {
        self.all(keyword)
            .find(|e| e.subkeys.len() == subkeys.len() && e.subkeys.iter().zip(subkeys).all(|(a, b)| a == b))
    }

    fn text(&self, keyword: &str) -> String {
        self.get(keyword, &[]).map(joined).unwrap_or_default()
    }
}

fn joined(e: &Entry) -> String {
    e.values.iter().map(|t| t.text.trim()).collect::<Vec<_>>().join(" ").trim().to_string()
}

fn read(path: &str, src: &str) -> Result<Table, Diagnostics> {
    if src.trim().is_empty() {
        return Err(Diagnostic::at(path, 1, 1, "the data file is empty").hint("download the table again").into());
    }
    let entries = entries(path, src)?;
    let language = entries.iter().find(|e| e.keyword == "LANGUAGE" && e.lang.is_none()).map(joined).unwrap_or_default();
    let k = Keywords { entries, language };
    let mut errors = Diagnostics::default();
    let list = |keyword: &str| k.get(keyword, &[]).map(|e| e.values.iter().map(|t| t.text.clone()).collect::<Vec<_>>());
    let stub = list("STUB").unwrap_or_default();
    let heading = list("HEADING").unwrap_or_default();
    let variables: Vec<String> = stub.iter().chain(&heading).cloned().collect();
    if variables.is_empty() {
        return Err(Diagnostic::at(
            path,
            1,
            1,
            "the file has neither `STUB` nor `HEADING`, so its variables are unknown",
        )
        .hint(
            "a PC-Axis file names its variables in `STUB=\"region\";` and `HEADING=\"år\";`; download the table again",
        )
        .into());
    }
    let contvariable = k.text("CONTVARIABLE");
    let mut dims: Vec<(String, Vec<String>, Option<Vec<String>>)> = Vec::new();
    for var in &variables {
        let Some(values) = k.get("VALUES", &[var]) else {
            let line = k.get("STUB", &[]).or(k.get("HEADING", &[])).map_or(1, |e| e.line);
            errors.push(
                Diagnostic::at(path, line, 1, format!("the variable `{var}` has no `VALUES(\"{var}\")`"))
                    .hint("each variable of STUB and HEADING lists its values; check the spelling of the name"),
            );
            continue;
        };
        let labels: Vec<String> = values.values.iter().map(|t| t.text.trim().to_string()).collect();
        let codes = k
            .get("CODES", &[var])
            .map(|e| (e.line, e.values.iter().map(|t| t.text.trim().to_string()).collect::<Vec<_>>()));
        let codes = match codes {
            Some((_, c)) if c.len() == labels.len() => Some(c),
            Some((line, c)) => {
                errors.push(
                    Diagnostic::at(
                        path,
                        line,
                        1,
                        format!(
                            "`CODES(\"{var}\")` has {} codes but `VALUES(\"{var}\")` has {} values",
                            c.len(),
                            labels.len()
                        ),
                    )
                    .hint("give one code per value, in the same order"),
                );
                None
            }
            None => None,
        };
        dims.push((var.clone(), labels, codes));
    }
    errors.into_result()?;
    let rows = dims.iter().try_fold(1usize, |n, (_, v, _)| n.checked_mul(v.len())).filter(|&n| n <= MAX_ROWS);
    let Some(rows) = rows else {
        return Err(Diagnostic::at(
            path,
            1,
            1,
            format!("the table has more than {MAX_ROWS} cells, more than innsyn reads"),
        )
        .hint("choose fewer regions, years or variables when downloading it")
        .into());
    };
    let Some(data) = k.all("DATA").next() else {
        return Err(Diagnostic::at(path, src.lines().count().max(1), 1, "the file has no `DATA`")
            .hint("the figures come last, after `DATA=`; the file may be cut off")
            .into());
    };
    if data.values.len() != rows {
        let at = data.values.last().map_or(data.line, |t| t.line);
        return Err(Diagnostic::at(path, at, 1, format!("`DATA` has {} figures but the variables' values make {rows} cells", data.values.len()))
            .hint("the number of values of each variable in STUB and HEADING, multiplied, gives the number of figures; the file may be cut off")
            .into());
    }

    // What each data symbol is shown as: `"."` … `"......"` are DATASYMBOL1-6, `"-"` is
    // DATASYMBOLNIL (a true zero).
    let symbol = |dots: usize| {
        let shown = k.text(&format!("DATASYMBOL{dots}"));
        if shown.is_empty() {
            ".".repeat(dots)
        } else {
            shown
        }
    };
    let nil = {
        let shown = k.text("DATASYMBOLNIL");
        if shown.is_empty() {
            "-".to_string()
        } else {
            shown
        }
    };
    let decimals = |value: Option<&str>| {
        let from = |key: &str| k.text(key).parse::<usize>().ok().filter(|&d| d <= 15);
        let precision = value.and_then(|v| {
            k.get("PRECISION", &[contvariable.as_str(), v])
                .and_then(|e| joined(e).parse::<usize>().ok())
                .filter(|&d| d <= 15)
        });
        precision.or_else(|| from("SHOWDECIMALS")).or_else(|| from("DECIMALS"))
    };
    let cont = dims.iter().position(|(name, _, _)| *name == contvariable);
    let unit_of = |value: &str| match cont {
        Some(_) => k.get("UNITS", &[value]).map(joined).unwrap_or_default(),
        None => k.text("UNITS"),
    };

    let mut errors = Diagnostics::default();
    let mut tokens = Vec::with_capacity(rows);
    let mut any_symbol = false;
    for t in &data.values {
        let text = t.text.trim();
        let dots = text.len();
        let cell = if !text.is_empty() && text.chars().all(|c| c == '.') && dots <= 6 {
            any_symbol = true;
            let shown = symbol(dots);
            let meaning = if Missing::of(&shown).is_some() { shown.clone() } else { ".".repeat(dots.min(3)) };
            (meaning, None, shown)
        } else if text == "-" {
            any_symbol = true;
            ("-".to_string(), Some(0.0), nil.clone())
        } else {
            match text.parse::<f64>().ok().filter(|v| v.is_finite()) {
                Some(v) => (text.to_string(), Some(v), String::new()),
                None => {
                    errors.push(
                        Diagnostic::at(path, t.line, t.col, format!("`{text}` in DATA is neither a number nor a data symbol"))
                            .hint("figures are written like `1204` or `12.5`, and missing ones as `\"..\"` (see DATASYMBOL1-6)"),
                    );
                    (String::new(), None, String::new())
                }
            }
        };
        tokens.push((cell, t.line));
    }
    errors.into_result()?;

    let mut header: Vec<String> = Vec::new();
    for (name, _, codes) in &dims {
        header.push(name.clone());
        if codes.is_some() {
            header.push(format!("{name} (kode)"));
        }
    }
    let units: Vec<String> = match cont {
        Some(c) => dims[c].1.iter().map(|v| unit_of(v)).collect(),
        None => vec![unit_of("")],
    };
    let unit_column = cont.is_some() && units.iter().any(|u| !u.is_empty());
    for (name, present) in [(VALUE, true), (STATUS, any_symbol), (UNIT, unit_column)] {
        if present {
            let mut name = name.to_string();
            while header.iter().any(|h| h.to_lowercase() == name) {
                name.push('_');
            }
            header.push(name);
        }
    }

    let mut cells = TableBuilder::default();
    let mut index = vec![0usize; dims.len()];
    for ((value, native, shown), line) in tokens {
        let mut cont_value = None;
        for (d, (name, labels, codes)) in dims.iter().enumerate() {
            cells.push(&labels[index[d]], None);
            if let Some(codes) = codes {
                cells.push(&codes[index[d]], None);
            }
            if *name == contvariable {
                cont_value = Some(index[d]);
            }
        }
        let label = cont_value.map(|i| dims[cont.unwrap_or(0)].1[i].as_str());
        let text = match (native, decimals(label)) {
            (Some(v), Some(d)) if shown.is_empty() => format!("{v:.d$}"),
            _ => value,
        };
        cells.push(&text, native);
        if any_symbol {
            cells.push(&shown, None);
        }
        if unit_column {
            cells.push(cont_value.map_or("", |i| units[i].as_str()), None);
        }
        cells.end_row(line);
        for d in (0..index.len()).rev() {
            index[d] += 1;
            if index[d] < dims[d].1.len() {
                break;
            }
            index[d] = 0;
        }
    }
    let mut table = cells.finish(table_name(path), header, Lines::default()).ok_or_else(|| super::too_large(path))?;
    super::force_text(&mut table, &[STATUS, UNIT]);
    let title = k.text("TITLE");
    table.title = Some(if title.is_empty() { k.text("CONTENTS") } else { title }).filter(|t| !t.is_empty());
    table.notes = k
        .all("NOTE")
        .chain(k.all("NOTEX"))
        .filter(|e| e.subkeys.is_empty())
        .map(joined)
        .filter(|n| !n.is_empty())
        .collect();
    let mut units_seen: Vec<String> = Vec::new();
    for u in units.into_iter().filter(|u| !u.is_empty()) {
        if !units_seen.contains(&u) {
            units_seen.push(u);
        }
    }
    let mut table_id = k.text("TABLEID");
    if table_id.is_empty() {
        table_id = k.text("MATRIX");
    }
    let updated = k.all("LAST-UPDATED").map(joined).filter_map(|u| px_date(&u)).max().unwrap_or_default();
    table.provenance = Provenance {
        source: k.text("SOURCE"),
        table_id,
        published: updated,
        notes: unit_note(&units_seen),
        title: k.text("TITLE"),
        ..Provenance::default()
    };
    Ok(table)
}

/// `20260302 08:00` (PC-Axis's `CCYYMMDD hh:mm`) → `2026-03-02`.
fn px_date(s: &str) -> Option<String> {
    let d = s.trim().get(..8).filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    let date = format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]);
    super::provenance::is_date(&date).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Cell};

    const SMALL: &str = "CHARSET=\"ANSI\";\nCODEPAGE=\"utf-8\";\nLANGUAGE=\"no\";\nTITLE=\"Elever i Fjellvik\";\nTITLE[en]=\"Pupils\";\nSTUB=\"skole\";\nHEADING=\"år\";\nVALUES(\"skole\")=\"Ås\",\n\"Bø\";\nVALUES[en](\"school\")=\"Ås\",\"Bø\";\nVALUES(\"år\")=\"2024\",\"2025\";\nDATA=\n12 \"..\"\n\"-\" 7;\n";

    #[test]
    fn a_utf8_file_is_read_in_its_default_language() {
        let t = parse("data/a.px", SMALL.as_bytes()).unwrap();
        assert_eq!(t.column_names(), ["skole", "år", "verdi", "status"]);
        assert_eq!(t.title.as_deref(), Some("Elever i Fjellvik"));
        assert_eq!(t.raw(1, 0), "Ås");
        assert_eq!(t.raw(2, 0), "Bø");
        assert_eq!([t.cell(0, 2), t.cell(1, 2), t.cell(2, 2)], [Cell::Number(12.0), Cell::Missing, Cell::Number(0.0)]);
        assert_eq!(t.raw(1, 2), "..");
    }

    #[test]
    fn a_windows_1252_file_is_decoded_by_its_codepage() {
        let src = SMALL.replace("utf-8", "windows-1252");
        let bytes: Vec<u8> = src
            .chars()
            .map(|c| match c {
                'Å' => 0xc5,
                'ø' => 0xf8,
                c => c as u8,
            })
            .collect();
        let t = parse("data/a.px", &bytes).unwrap();
        assert_eq!((t.raw(0, 0), t.raw(2, 0)), ("Ås", "Bø"));
    }

    #[test]
    fn too_few_figures_are_an_error_at_the_data() {
        let err = parse("data/a.px", SMALL.replace("\"-\" 7;", "\"-\";").as_bytes()).unwrap_err().to_string();
        assert!(
            err.starts_with("data/a.px:14:1: error: `DATA` has 3 figures but the variables' values make 4 cells"),
            "{err}"
        );
    }

    #[test]
    fn broken_files_say_where_and_what() {
        let cases = [
            (SMALL.replace("12 ", "12,5 "), "data/a.px:14:1: error: `DATA` has 5 figures"),
            (SMALL.replace("7;", "sju;"), "data/a.px:14:5: error: `sju` in DATA is neither a number nor a data symbol"),
            (SMALL.replace("VALUES(\"år\")", "VALUES(\"tid\")"), "the variable `år` has no `VALUES(\"år\")`"),
            (
                SMALL.replace("TITLE=\"Elever i Fjellvik\";", "TITLE=\"Elever i Fjellvik;"),
                "data/a.px:4:7: error: a quoted text is not closed on its line",
            ),
            (SMALL.replace("STUB=\"skole\";\nHEADING=\"år\";\n", ""), "neither `STUB` nor `HEADING`"),
            ("TITLE=\"x\";\nSTUB=\"a\";\nVALUES(\"a\")=\"1\";\n".to_string(), "the file has no `DATA`"),
            ("hei\n".to_string(), "data/a.px:1:1: error: a line here is not a PC-Axis keyword"),
        ];
        for (src, want) in cases {
            let err = parse("data/a.px", src.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(want) && err.contains("hint:"), "{want}:\n{err}");
        }
    }

    #[test]
    fn last_updated_becomes_the_published_date() {
        assert_eq!(super::px_date("20260302 08:00").as_deref(), Some("2026-03-02"));
        assert_eq!(super::px_date("2026-03-02"), None);
        assert_eq!(super::px_date("2026ÆØ02"), None);
    }
}
