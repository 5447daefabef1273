//! Codes across reforms: a column of codes (old municipality numbers, 1711)
//! recoded to today's (5034) after a correspondence table in `data/`, as the data
//! file's sidecar asks (`recode = { column = "…", table = "…" }`). Pure: tables
//! in, table out; `data::load` calls it once every file is read.
//!
//! A code the table does not list is kept as it is. Chains are followed (an old
//! code recoded in 2020 and again in 2024 ends at today's). A code listed as
//! becoming two codes (a municipality that was split) is an error: its figures
//! belong to several new municipalities and cannot be moved row by row. When two
//! old codes become one (a merger), their rows keep their own values and both
//! carry the new code; `sum = ["verdi"]` adds them up into one row instead.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::{number, Cell, ColumnKind, Table, TableBuilder};
use crate::config::key_position;
use crate::error::{did_you_mean, Diagnostic, Diagnostics};
use crate::lang::Lang;

/// `recode = { … }` as the sidecar writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSpec {
    column: String,
    table: String,
    label: Option<String>,
    from: Option<String>,
    to: Option<String>,
    name: Option<String>,
    #[serde(default)]
    sum: Vec<String>,
}

/// What to recode, and after which table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The column of codes to recode.
    pub column: String,
    /// The correspondence table, a file of `data/`.
    pub table: String,
    /// A column of names to set to the new code's name, if any.
    pub label: Option<String>,
    /// The correspondence table's columns of old codes, new codes and new names,
    /// when given (see [`columns`]).
    pub from: Option<String>,
    /// See `from`.
    pub to: Option<String>,
    /// See `from`.
    pub name: Option<String>,
    /// Number columns added up over rows that became the same after recoding.
    pub sum: Vec<String>,
    /// The sidecar's line of `recode`, for errors.
    pub line: usize,
}

/// What recoding did, for the provenance line under charts and tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recoded {
    /// The correspondence table, as named in `data/`.
    pub table: String,
    /// The column recoded.
    pub column: String,
    /// Each old code that occurred, with its new code, in code order.
    pub codes: Vec<(String, String)>,
    /// The columns added up, when rows were merged (empty: none were).
    pub summed: Vec<String>,
    /// The new codes whose rows were added up, in code order.
    pub merged: Vec<String>,
}

impl Recoded {
    /// The sentence said under every chart and table of the file.
    ///
    /// ```
    /// use innsyn::data::Recoded;
    /// let r = Recoded { table: "kommunenummer.csv".into(), column: "kommunenummer".into(),
    ///     codes: vec![("1711".into(), "5034".into())], summed: vec![], merged: vec![] };
    /// assert_eq!(r.sentence(innsyn::lang::Lang::Nb),
    ///     "Kodene i «kommunenummer» er omkodet etter kommunenummer.csv: 1711 → 5034.");
    /// ```
    pub fn sentence(&self, lang: Lang) -> String {
        const SHOWN: usize = 8;
        let mut codes: Vec<String> = self.codes.iter().take(SHOWN).map(|(a, b)| format!("{a} → {b}")).collect();
        let more = self.codes.len().saturating_sub(SHOWN);
        let (recoded, others, summed) = match lang.engine() {
            Lang::Nb | Lang::Se => {
                ("Kodene i «{c}» er omkodet etter {t}", "og {n} til", "Rader som fikk samme kode, er lagt sammen")
            }
            Lang::Nn => {
                ("Kodane i «{c}» er omkoda etter {t}", "og {n} til", "Rader som fekk same kode, er lagde saman")
            }
            Lang::En => {
                ("Codes in “{c}” recoded after {t}", "and {n} more", "Rows that got the same code were added up")
            }
        };
        if more > 0 {
            codes.push(others.replace("{n}", &more.to_string()));
        }
        let mut s =
            format!("{}: {}.", recoded.replace("{c}", &self.column).replace("{t}", &self.table), codes.join(", "));
        if !self.summed.is_empty() && !self.merged.is_empty() {
            s.push_str(&format!(" {summed} ({}).", self.summed.join(", ")));
        }
        s
    }
}

/// Checks `recode` of the sidecar at `path` (its text `src`).
pub(super) fn check_spec(path: &str, src: &str, raw: RawSpec, errors: &mut Diagnostics) -> Spec {
    let (line, col) = key_position(src, "recode").unwrap_or((1, 1));
    let at = |message: String| Diagnostic::at(path, line, col, message);
    let table = raw.table.trim().trim_start_matches("data/").to_string();
    if raw.column.trim().is_empty() {
        errors.push(
            at("`recode` needs the `column` of codes to recode".into())
                .hint("write e.g. `recode = { column = \"kommunenummer\", table = \"kommunenummer.csv\" }`"),
        );
    }
    if table.is_empty() || table.starts_with('/') || table.split(['/', '\\']).any(|p| p == "..") {
        errors.push(
            at(format!("`recode`'s `table = \"{}\"` is not a file of `data/`", raw.table))
                .hint("name the correspondence table inside `data/`, e.g. `table = \"kommunenummer.csv\"`"),
        );
    }
    Spec {
        column: raw.column.trim().to_string(),
        table,
        label: raw.label.map(|l| l.trim().to_string()),
        from: raw.from,
        to: raw.to,
        name: raw.name,
        sum: raw.sum,
        line,
    }
}

/// Old code → (new code, its name if the table gives one), chains followed.
#[derive(Debug, Default)]
pub(super) struct Correspondence {
    map: HashMap<String, (String, Option<String>)>,
}

impl Correspondence {
    fn get(&self, code: &str) -> Option<&(String, Option<String>)> {
        self.map.get(code)
    }
}

/// The correspondence table's columns: `from`, `to` and `name` as the sidecar
/// names them; else KLASS's `sourceCode`, `targetCode`, `targetName`; else the
/// first, second and (when there is one) third column.
fn columns(
    table: &Table,
    spec: &Spec,
    shown: &str,
    sidecar: &str,
) -> Result<(usize, usize, Option<usize>), Diagnostic> {
    let find = |key: &str, name: &str| {
        table.column(name).ok_or_else(|| {
            let names = table.column_names();
            let d = Diagnostic::at(
                sidecar,
                spec.line,
                1,
                format!("`recode`'s `{key} = \"{name}\"`: `{shown}` has no column `{name}`"),
            );
            match did_you_mean(name, &names) {
                Some(best) => d.hint(format!("did you mean `{best}`?")),
                None => d.hint(format!("the columns are {}", names.join(", "))),
            }
        })
    };
    let klass = table.column("sourceCode").zip(table.column("targetCode"));
    let from = match (&spec.from, klass) {
        (Some(n), _) => find("from", n)?,
        (None, Some((s, _))) => s,
        (None, None) => 0,
    };
    let to = match (&spec.to, klass) {
        (Some(n), _) => find("to", n)?,
        (None, Some((_, t))) => t,
        (None, None) => 1,
    };
    let name = match (&spec.name, klass) {
        (Some(n), _) => Some(find("name", n)?),
        (None, Some(_)) => table.column("targetName"),
        (None, None) => (table.columns.len() > 2).then_some(2),
    };
    if table.columns.len() < 2 {
        return Err(Diagnostic::at(shown, 1, 1, "a correspondence table needs two columns: old code and new code")
            .hint("write a header `gammelt,nytt,navn` and a line per code, e.g. `1711,5034,Meråker`"));
    }
    Ok((from, to, name))
}

/// Reads the correspondence table `table` (shown as `data/NAME`) for `spec`:
/// every fault of it at its line.
pub(super) fn correspondence(table: &Table, spec: &Spec, sidecar: &str) -> Result<Correspondence, Diagnostics> {
    let shown = format!("data/{}", table.name);
    let (from, to, name) = columns(table, spec, &shown, sidecar)?;
    let mut errors = Diagnostics::default();
    // Old code → (new code, name, row).
    let mut step: BTreeMap<String, (String, Option<String>, usize)> = BTreeMap::new();
    for r in 0..table.row_count() {
        let (old, new) = (table.raw(r, from).trim(), table.raw(r, to).trim());
        let line = table.row_line(r);
        if old.is_empty() && new.is_empty() {
            continue;
        }
        if old.is_empty() || new.is_empty() {
            let (l, c) = table.position(r, if old.is_empty() { from } else { to });
            errors.push(
                Diagnostic::at(
                    &shown,
                    l,
                    c,
                    format!("line {line} gives {} code", if old.is_empty() { "no old" } else { "no new" }),
                )
                .hint("each line names an old code and the code it became, e.g. `1711,5034`"),
            );
            continue;
        }
        let label = name.map(|n| table.raw(r, n).trim().to_string()).filter(|n| !n.is_empty());
        match step.get(old) {
            Some((other, _, first)) if other != new => {
                let (l, c) = table.position(r, to);
                errors.push(
                    Diagnostic::at(&shown, l, c, format!("`{old}` is listed as becoming both `{other}` (line {}) and `{new}`", table.row_line(*first)))
                        .hint("a code that was split among several new ones cannot be recoded row by row: leave it out of the table (its rows keep the old code), or divide its figures in the data file itself"),
                );
            }
            Some(_) => {}
            None => {
                step.insert(old.to_string(), (new.to_string(), label, r));
            }
        }
    }
    // Follow chains (0101 → 3001 in 2020, 3001 → 3101 in 2024) to their end.
    let mut map = HashMap::new();
    for (old, (first, _, row)) in &step {
        let mut at = first.clone();
        let mut seen = vec![old.as_str()];
        let mut name = step[old].1.clone();
        while let Some((next, label, _)) = step.get(&at) {
            if seen.contains(&at.as_str()) {
                let (l, c) = table.position(*row, to);
                errors.push(
                    Diagnostic::at(
                        &shown,
                        l,
                        c,
                        format!("the codes go round in a circle: {} → {at}", seen.join(" → ")),
                    )
                    .hint("each old code must end at a code that is not recoded again"),
                );
                break;
            }
            seen.push(step.get_key_value(&at).map_or("", |(k, _)| k.as_str()));
            name = label.clone().or(name);
            at = next.clone();
        }
        map.insert(old.clone(), (at, name));
    }
    errors.into_result()?;
    Ok(Correspondence { map })
}

/// Recodes `table` (shown as `data/NAME`; its sidecar shown as `sidecar`) after
/// `map`, as `spec` says. Returns the new table and what was recoded.
pub(super) fn apply(
    table: Table,
    spec: &Spec,
    map: &Correspondence,
    sidecar: &str,
) -> Result<(Table, Recoded), Diagnostics> {
    let shown = format!("data/{}", table.name);
    let at = |message: String| Diagnostic::at(sidecar, spec.line, 1, message);
    let find = |key: &str, name: &str| -> Result<usize, Diagnostic> {
        table.column(name).ok_or_else(|| {
            let names = table.column_names();
            let d = at(format!("`recode`'s `{key} = \"{name}\"`: `{shown}` has no column `{name}`"));
            match did_you_mean(name, &names) {
                Some(best) => d.hint(format!("did you mean `{best}`?")),
                None => d.hint(format!("the columns are {}", names.join(", "))),
            }
        })
    };
    let mut errors = Diagnostics::default();
    let code = find("column", &spec.column).map_err(|e| errors.push(e)).ok();
    let label = spec.label.as_ref().and_then(|l| find("label", l).map_err(|e| errors.push(e)).ok());
    let mut sum = Vec::new();
    for name in &spec.sum {
        let c = match find("sum", name) {
            Ok(c) => c,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if table.columns[c].kind != ColumnKind::Number {
            errors.push(
                at(format!("`recode`'s `sum` names `{name}`, which is not a column of numbers in `{shown}`"))
                    .hint("add up columns of figures only, e.g. `sum = [\"verdi\"]`"),
            );
        } else if Some(c) == code || Some(c) == label {
            errors.push(at(format!("`recode`'s `sum` names `{name}`, the column it recodes")));
        } else {
            sum.push(c);
        }
    }
    errors.into_result()?;
    let Some(code) = code else { return Ok((table, empty_note(spec))) };
    let width = table.columns.len();
    // Each row's cells after recoding.
    let mut changed: BTreeMap<String, String> = BTreeMap::new();
    let mut rows: Vec<Vec<(String, Option<f64>)>> = Vec::with_capacity(table.row_count());
    for r in 0..table.row_count() {
        let mut cells: Vec<(String, Option<f64>)> = (0..width)
            .map(|c| (table.raw(r, c).to_string(), table.native.get(r * width + c).copied().flatten()))
            .collect();
        if let Some((new, name)) = map.get(table.raw(r, code).trim()) {
            changed.insert(table.raw(r, code).trim().to_string(), new.clone());
            cells[code] = (new.clone(), None);
            if let (Some(l), Some(name)) = (label, name) {
                cells[l] = (name.clone(), None);
            }
        }
        rows.push(cells);
    }
    // Rows that became the same but for the summed columns become one.
    let mut merged = std::collections::BTreeSet::new();
    let mut order: Vec<(usize, Vec<usize>)> = Vec::new();
    if sum.is_empty() {
        order = (0..rows.len()).map(|r| (r, vec![r])).collect();
    } else {
        let mut group_of: HashMap<Vec<&str>, usize> = HashMap::new();
        for (r, cells) in rows.iter().enumerate() {
            let key: Vec<&str> =
                cells.iter().enumerate().filter(|(c, _)| !sum.contains(c)).map(|(_, (t, _))| t.as_str()).collect();
            match group_of.get(&key) {
                Some(&g) => {
                    order[g].1.push(r);
                    merged.insert(cells[code].0.clone());
                }
                None => {
                    group_of.insert(key, order.len());
                    order.push((r, vec![r]));
                }
            }
        }
    }
    let mut b = TableBuilder::default();
    for (first, members) in &order {
        for (c, (text, native)) in rows[*first].iter().enumerate() {
            if members.len() > 1 && sum.contains(&c) {
                b.push(&added(&table, members, c), None);
            } else {
                b.push(text, *native);
            }
        }
        b.end_row(table.row_line(*first));
    }
    let recoded = Recoded {
        table: spec.table.clone(),
        column: table.columns[code].name.clone(),
        codes: changed.into_iter().collect(),
        summed: if merged.is_empty() {
            Vec::new()
        } else {
            sum.iter().map(|&c| table.columns[c].name.clone()).collect()
        },
        merged: merged.into_iter().collect(),
    };
    if b.too_large {
        return Err(super::too_large(&shown));
    }
    let new = Table { texts: b.texts, ends: b.ends, native: b.native, row_lines: b.row_lines, ..table };
    Ok((new, recoded))
}

fn empty_note(spec: &Spec) -> Recoded {
    Recoded {
        table: spec.table.clone(),
        column: spec.column.clone(),
        codes: Vec::new(),
        summed: Vec::new(),
        merged: Vec::new(),
    }
}

/// The sum of column `c` over `rows`: missing when any part is (a sum with an
/// unknown part is unknown), provisional (`*`) when any part is, with as many
/// decimals as the most precise part.
fn added(table: &Table, rows: &[usize], c: usize) -> String {
    let mut total = 0.0;
    let mut decimals = 0;
    let mut provisional = false;
    for &r in rows {
        let raw = table.raw(r, c);
        match table.cell(r, c) {
            Cell::Number(v) => {
                total += v;
                decimals = decimals.max(number::written_decimals(raw).unwrap_or(0).min(6));
                provisional |= number::is_provisional(raw);
            }
            _ => return if raw.trim().is_empty() { "..".to_string() } else { raw.trim().to_string() },
        }
    }
    format!("{total:.decimals$}{}", if provisional { "*" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::parse_delimited;

    fn spec(extra: &str) -> Spec {
        let src = format!("recode = {{ column = \"knr\", table = \"k.csv\"{extra} }}\n");
        let p = crate::data::parse_provenance("data/a.csv.toml", &src).unwrap();
        p.recode.unwrap()
    }

    fn table(src: &str) -> Table {
        let mut t = parse_delimited("data/a.csv", src.as_bytes()).unwrap();
        t.name = "a.csv".into();
        t
    }

    fn k() -> Table {
        let mut t = table("gammelt,nytt,navn\n1711,5034,Meråker\n0101,3001,Halden\n3001,3101,Halden\n1702,5006,Steinkjer\n1725,5006,Steinkjer\n");
        t.name = "k.csv".into();
        t
    }

    #[test]
    fn old_codes_become_new_ones_and_chains_are_followed() {
        let s = spec(", label = \"kommune\"");
        let map = correspondence(&k(), &s, "data/a.csv.toml").unwrap();
        let t = table("knr,kommune,år,verdi\n1711,Meraaker,2019,10\n0101,Halden gml,2019,5\n9999,Annen,2019,1\n");
        let (t, note) = apply(t, &s, &map, "data/a.csv.toml").unwrap();
        let col: Vec<&str> = (0..3).map(|r| t.raw(r, 0)).collect();
        assert_eq!(col, ["5034", "3101", "9999"], "an unknown code passes unchanged");
        assert_eq!(t.raw(0, 1), "Meråker");
        assert_eq!(note.codes, [("0101".to_string(), "3101".to_string()), ("1711".into(), "5034".into())]);
        assert!(note.sentence(Lang::En).contains("0101 → 3101, 1711 → 5034"));
    }

    #[test]
    fn merged_codes_keep_their_rows_unless_summed() {
        let t = || table("knr;år;verdi\n1702;2019;10\n1725;2019;2,5\n1702;2018;..\n1725;2018;4\n");
        let s = spec("");
        let map = correspondence(&k(), &s, "x").unwrap();
        let (kept, note) = apply(t(), &s, &map, "x").unwrap();
        assert_eq!(kept.row_count(), 4);
        assert!(note.summed.is_empty());
        let s = spec(", sum = [\"verdi\"]");
        let (summed, note) = apply(t(), &s, &map, "x").unwrap();
        assert_eq!(summed.row_count(), 2);
        assert_eq!(summed.raw(0, 2), "12.5");
        assert_eq!(summed.raw(1, 2), "..", "a sum with an unknown part is unknown");
        assert_eq!(summed.row_line(1), 4, "the merged row is at its first row's line");
        assert!(note.sentence(Lang::Nb).ends_with("Rader som fikk samme kode, er lagt sammen (verdi)."));
    }

    #[test]
    fn a_split_code_and_a_circle_are_errors_at_their_lines() {
        let mut bad = table("fra,til\n1613,5055\n1613,5056\n1,2\n2,1\n");
        bad.name = "k.csv".into();
        let err = correspondence(&bad, &spec(""), "x").unwrap_err().to_string();
        assert!(
            err.contains("data/k.csv:3:6: error: `1613` is listed as becoming both `5055` (line 2) and `5056`"),
            "{err}"
        );
        assert!(err.contains("go round in a circle"), "{err}");
    }

    #[test]
    fn unknown_columns_are_named_at_the_sidecar() {
        let s = spec(", sum = [\"verdi\"], label = \"navn\"");
        let map = correspondence(&k(), &s, "data/a.csv.toml").unwrap();
        let err = apply(table("kommunenr,år,verdi\n1,2,3\n"), &s, &map, "data/a.csv.toml").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(
                "data/a.csv.toml:1:1: error: `recode`'s `column = \"knr\"`: `data/a.csv` has no column `knr`"
            ),
            "{text}"
        );
        assert!(text.contains("`label = \"navn\"`"), "{text}");
    }
}
