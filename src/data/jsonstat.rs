//! JSON-stat 2.0 datasets (SSB's and Eurostat's API responses) → [`Table`]s: one row
//! per cell of the cube, a label column and a code column per dimension, the value
//! with the status symbol's meaning kept as in CSV, and the provenance the file carries.
//! Collections (`class: "collection"`) and JSON-stat 1.0 bundles are read too.
//! Takes the decoded text; reads no files.

use serde_json::{Map, Value};

use crate::error::{Diagnostic, Diagnostics};

use super::decode::Lines;
use super::number::Missing;
use super::provenance::Provenance;
use super::structured::json_key_offset;
use super::{table_name, Table, TableBuilder};

/// The most rows (cells of the cube) one dataset may have: a sparse file of a few
/// bytes can name a cube of billions of cells.
pub(super) const MAX_ROWS: usize = 2_000_000;

/// The name of the value column.
pub(super) const VALUE: &str = "verdi";
/// The name of the status column (only when the dataset has a `status`).
pub(super) const STATUS: &str = "status";
/// The name of the unit column (only when the metric role names units).
pub(super) const UNIT: &str = "enhet";

/// Whether a JSON file's text is an object (a JSON-stat response) rather than a list
/// of rows.
pub(super) fn is_object(src: &str) -> bool {
    src.trim_start_matches('\u{feff}').trim_start().starts_with('{')
}

/// Reads the JSON-stat dataset in `src`. In a collection or bundle, `dataset` chooses
/// one by its 1-based number, its `label` or its key; without it the first is read.
pub(super) fn parse(path: &str, src: &str, dataset: &str) -> Result<Table, Diagnostics> {
    let doc: Value = serde_json::from_str(src).map_err(|e| {
        let message = e.to_string();
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_string();
        Diagnostics::from(
            Diagnostic::at(path, e.line().max(1), e.column().max(1), message)
                .hint("check the commas, quotes and brackets here; save the API's answer unchanged"),
        )
    })?;
    let r = Reader { path, src };
    let Value::Object(top) = &doc else {
        return Err(r.at("", "a JSON-stat file must be an object").into());
    };
    let (object, json_path) = r.choose(top, dataset)?;
    r.dataset(object, &json_path)
}

/// Positions and messages for one file.
struct Reader<'a> {
    path: &'a str,
    src: &'a str,
}

/// A dimension: its id, label, and categories in order (code, label).
struct Dimension {
    id: String,
    label: String,
    categories: Vec<(String, String)>,
    /// Per category: its unit's label and decimals (metric dimensions).
    units: Vec<(String, Option<usize>)>,
}

impl Reader<'_> {
    /// An error at the line where the last key of `json_path` is first written.
    fn at(&self, json_path: &str, message: &str) -> Diagnostic {
        let key = json_path.rsplit(['.', '[']).find(|k| !k.is_empty() && !k.ends_with(']'));
        let offset = key.and_then(|k| json_key_offset(self.src, k));
        let (line, col) = offset.map_or((1, 1), |o| crate::error::line_col(self.src, o));
        let place = if json_path.is_empty() { String::new() } else { format!("`{json_path}`: ") };
        Diagnostic::at(self.path, line, col, format!("{place}{message}"))
    }

    /// The dataset object to read and its JSON path.
    fn choose<'v>(
        &self,
        top: &'v Map<String, Value>,
        dataset: &str,
    ) -> Result<(&'v Map<String, Value>, String), Diagnostic> {
        let class = top.get("class").and_then(Value::as_str).unwrap_or("");
        let mut candidates: Vec<(String, String, &Map<String, Value>)> = Vec::new();
        if class == "collection" {
            let items = top.get("link").and_then(|l| l.get("item")).and_then(Value::as_array);
            for (i, item) in items.into_iter().flatten().enumerate() {
                if let Value::Object(o) = item {
                    if o.contains_key("dimension") {
                        let label = o.get("label").and_then(Value::as_str).unwrap_or("").to_string();
                        candidates.push((format!("link.item[{i}]"), label, o));
                    }
                }
            }
            if candidates.is_empty() {
                return Err(self
                    .at("link.item", "this JSON-stat collection holds no embedded datasets")
                    .hint("download the dataset itself (its `href`), or a collection with the datasets inside"));
            }
        } else if class == "dataset" || top.contains_key("dimension") {
            if !dataset.is_empty() {
                return Err(self
                    .at("", &format!("`dataset = \"{dataset}\"` is set, but this file is one dataset"))
                    .hint("remove `dataset` from the sidecar `.toml`; it chooses a dataset in a collection"));
            }
            return Ok((top, String::new()));
        } else if class.is_empty() {
            // JSON-stat 1.0's bundle: datasets by key at the top.
            for (key, v) in top {
                if let Value::Object(o) = v {
                    if o.contains_key("dimension") {
                        candidates.push((key.clone(), key.clone(), o));
                    }
                }
            }
        }
        if candidates.is_empty() {
            let what = if class.is_empty() { String::new() } else { format!(" (its class is `{class}`)") };
            return Err(self.at("", &format!("this JSON object is not a JSON-stat dataset{what}")).hint(
                "a JSON data file is either a list of rows (`[{\"år\": 2012, \"verdi\": 48}]`) or a JSON-stat 2.0 dataset or collection as SSB's and Eurostat's APIs give them",
            ));
        }
        if dataset.is_empty() {
            let (p, _, o) = candidates.swap_remove(0);
            return Ok((o, p));
        }
        let by_number = dataset.parse::<usize>().ok().and_then(|n| n.checked_sub(1));
        let found = candidates
            .iter()
            .enumerate()
            .find(|(i, (p, label, _))| Some(*i) == by_number || label == dataset || p == dataset);
        match found {
            Some((_, (p, _, o))) => Ok((o, p.clone())),
            None => {
                let names: Vec<String> =
                    candidates.iter().enumerate().map(|(i, (_, l, _))| format!("{} «{l}»", i + 1)).collect();
                Err(self
                    .at("", &format!("there is no dataset `{dataset}` in this file"))
                    .hint(format!("choose one by number or label: {}", names.join(", "))))
            }
        }
    }

    fn dataset(&self, d: &Map<String, Value>, at: &str) -> Result<Table, Diagnostics> {
        let p = |key: &str| if at.is_empty() { key.to_string() } else { format!("{at}.{key}") };
        let mut errors = Diagnostics::default();
        let ids: Vec<String> = match d.get("id") {
            Some(Value::Array(ids)) => ids.iter().map(|v| v.as_str().unwrap_or("").to_string()).collect(),
            // JSON-stat 1.0 keeps the order in `dimension.id`.
            _ => match d.get("dimension").and_then(|dim| dim.get("id")) {
                Some(Value::Array(ids)) => ids.iter().map(|v| v.as_str().unwrap_or("").to_string()).collect(),
                _ => {
                    return Err(self
                        .at(&p("id"), "the dataset has no `id` list naming its dimensions in order")
                        .hint("JSON-stat 2.0 datasets have `\"id\": [\"Region\", \"Tid\", …]`; save the API's answer unchanged")
                        .into())
                }
            },
        };
        let sizes: Vec<Option<usize>> = match d.get("size").or_else(|| d.get("dimension").and_then(|x| x.get("size"))) {
            Some(Value::Array(s)) => s.iter().map(|v| v.as_u64().and_then(|n| usize::try_from(n).ok())).collect(),
            _ => {
                return Err(self
                    .at(&p("size"), "the dataset has no `size` list")
                    .hint("save the API's answer unchanged")
                    .into())
            }
        };
        if sizes.len() != ids.len() || sizes.iter().any(Option::is_none) {
            return Err(self
                .at(&p("size"), &format!("there must be {} whole numbers here, one per dimension in `id`", ids.len()))
                .hint("save the API's answer unchanged")
                .into());
        }
        let rows =
            sizes.iter().try_fold(1usize, |n, s| n.checked_mul(s.unwrap_or(0)).filter(|_| s.unwrap_or(0) <= MAX_ROWS));
        let rows = match rows {
            Some(n) if n <= MAX_ROWS => n,
            _ => {
                return Err(self
                    .at(&p("size"), &format!("the dataset has more than {MAX_ROWS} cells, more than innsyn reads"))
                    .hint("choose fewer regions, years or variables in the query")
                    .into())
            }
        };
        let metric: Vec<&str> = role(d, "metric");
        let mut dims = Vec::with_capacity(ids.len());
        for (id, size) in ids.iter().zip(&sizes) {
            match self.dimension(
                d,
                id,
                size.unwrap_or(0),
                &p(&format!("dimension.{id}")),
                metric.contains(&id.as_str()),
            ) {
                Ok(dim) => dims.push(dim),
                Err(e) => errors.push(e),
            }
        }
        errors.into_result()?;
        let values = self.values(d.get("value"), rows, &p("value"))?;
        let status = self.status(d.get("status"), rows, &p("status"))?;
        let has_units = dims.iter().any(|d| d.units.iter().any(|(u, _)| !u.is_empty()));
        let fallback_decimals = d
            .get("extension")
            .and_then(|e| e.get("px"))
            .and_then(|px| px.get("decimals"))
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n <= 15);

        let mut header: Vec<String> = Vec::new();
        let mut unique = |name: String, id: &str, suffix: &str| {
            let taken = |n: &str| header.iter().any(|h: &String| h.to_lowercase() == n.to_lowercase());
            let mut name = if taken(&name) { format!("{id}{suffix}") } else { name };
            while taken(&name) {
                name.push('_');
            }
            header.push(name);
        };
        for dim in &dims {
            unique(dim.label.clone(), &dim.id, "");
            unique(format!("{} (kode)", dim.label), &dim.id, " (kode)");
        }
        unique(VALUE.to_string(), VALUE, "_");
        if status.is_some() {
            unique(STATUS.to_string(), STATUS, "_");
        }
        if has_units {
            unique(UNIT.to_string(), UNIT, "_");
        }

        let mut cells = TableBuilder::default();
        let mut index = vec![0usize; dims.len()];
        let mut units_seen: Vec<String> = Vec::new();
        for (row, value) in values.iter().enumerate() {
            let mut decimals = fallback_decimals;
            let mut unit = "";
            for (dim, &i) in dims.iter().zip(&index) {
                let (code, label) = &dim.categories[i];
                cells.push(label, None);
                cells.push(code, None);
                if let Some((u, dec)) = dim.units.get(i) {
                    if !u.is_empty() {
                        unit = u;
                    }
                    decimals = dec.or(decimals);
                }
            }
            let symbol = status.as_ref().and_then(|s| s.get(row)).map_or("", String::as_str);
            let (text, native) = value_text(value, symbol, decimals);
            cells.push(&text, native);
            if status.is_some() {
                cells.push(symbol, None);
            }
            if has_units {
                cells.push(unit, None);
                if !unit.is_empty() && !units_seen.iter().any(|u| u == unit) {
                    units_seen.push(unit.to_string());
                }
            }
            // The JSON path of the value is the row's place; the line is the one of `value`.
            cells.end_row(1);
            for k in (0..index.len()).rev() {
                index[k] += 1;
                if index[k] < dims[k].categories.len() {
                    break;
                }
                index[k] = 0;
            }
        }
        let mut table =
            cells.finish(table_name(self.path), header, Lines::default()).ok_or_else(|| super::too_large(self.path))?;
        super::force_text(&mut table, &[STATUS, UNIT]);
        table.title = d.get("label").and_then(Value::as_str).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        table.notes = notes(d.get("note"));
        table.provenance = provenance(d, &units_seen);
        Ok(table)
    }

    fn dimension(
        &self,
        d: &Map<String, Value>,
        id: &str,
        size: usize,
        at: &str,
        metric: bool,
    ) -> Result<Dimension, Diagnostic> {
        let Some(Value::Object(dim)) = d.get("dimension").and_then(|x| x.get(id)) else {
            return Err(self
                .at(at, &format!("the dimension `{id}` named in `id` is not described under `dimension`"))
                .hint("save the API's answer unchanged"));
        };
        let label = dim.get("label").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).unwrap_or(id);
        let Some(Value::Object(category)) = dim.get("category") else {
            return Err(self
                .at(&format!("{at}.category"), "the dimension has no `category`")
                .hint("save the API's answer unchanged"));
        };
        let labels = category.get("label").and_then(Value::as_object);
        let mut codes: Vec<Option<String>> = vec![None; size];
        let bad_index = || {
            self.at(
                &format!("{at}.category.index"),
                &format!("the categories of `{id}` do not match its size {size} in `size`"),
            )
            .hint("`index` lists each category once, numbered from 0; save the API's answer unchanged")
        };
        match category.get("index") {
            Some(Value::Array(list)) => {
                if list.len() != size {
                    return Err(bad_index());
                }
                for (slot, code) in codes.iter_mut().zip(list) {
                    *slot = Some(code.as_str().ok_or_else(bad_index)?.to_string());
                }
            }
            Some(Value::Object(map)) => {
                for (code, pos) in map {
                    let pos = pos
                        .as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        .filter(|&n| n < size)
                        .ok_or_else(bad_index)?;
                    if codes[pos].replace(code.clone()).is_some() {
                        return Err(bad_index());
                    }
                }
            }
            None => {
                // One category may be given by its label alone.
                let only: Vec<&String> = labels.map(|l| l.keys().collect()).unwrap_or_default();
                if only.len() != 1 || size != 1 {
                    return Err(bad_index());
                }
                codes[0] = Some(only[0].clone());
            }
            Some(_) => return Err(bad_index()),
        }
        let codes: Vec<String> = codes.into_iter().collect::<Option<_>>().ok_or_else(bad_index)?;
        let units = category.get("unit").and_then(Value::as_object);
        let mut categories = Vec::with_capacity(size);
        let mut unit_list = Vec::new();
        for code in codes {
            let text = labels.and_then(|l| l.get(&code)).and_then(Value::as_str).unwrap_or(&code).trim().to_string();
            if let Some(u) = units.and_then(|u| u.get(&code)) {
                let name = ["label", "base", "symbol"]
                    .iter()
                    .find_map(|k| u.get(*k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()))
                    .unwrap_or("");
                let decimals = u
                    .get("decimals")
                    .and_then(Value::as_u64)
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|&n| n <= 15);
                unit_list.push((name.to_string(), decimals));
            } else if metric || units.is_some() {
                unit_list.push((String::new(), None));
            }
            categories.push((code, text));
        }
        Ok(Dimension { id: id.to_string(), label: label.to_string(), categories, units: unit_list })
    }

    /// The values in cube order: an array, or an object of index → value (sparse).
    fn values(&self, v: Option<&Value>, rows: usize, at: &str) -> Result<Vec<Value>, Diagnostics> {
        match v {
            Some(Value::Array(list)) if list.len() == rows => Ok(list.clone()),
            Some(Value::Array(list)) => Err(self
                .at(at, &format!("there are {} values but the dimensions make {rows} cells", list.len()))
                .hint("the sizes in `size` multiplied give the number of values; save the API's answer unchanged")
                .into()),
            Some(Value::Object(map)) => {
                let mut out = vec![Value::Null; rows];
                for (k, v) in map {
                    let i = k.parse::<usize>().ok().filter(|&i| i < rows).ok_or_else(|| {
                        self.at(at, &format!("the key `{k}` is not a cell number from 0 to {}", rows.saturating_sub(1)))
                            .hint("a sparse `value` object maps cell numbers to values, e.g. `{\"0\": 12, \"5\": 7}`")
                    })?;
                    out[i] = v.clone();
                }
                Ok(out)
            }
            _ => Err(self
                .at(at, "the dataset has no `value` list or object")
                .hint("save the API's answer unchanged")
                .into()),
        }
    }

    /// The status symbol of each cell, when the dataset has any: one string for all,
    /// a list, or an object of index → symbol.
    fn status(&self, v: Option<&Value>, rows: usize, at: &str) -> Result<Option<Vec<String>>, Diagnostics> {
        let text = |v: &Value| v.as_str().map(|s| s.trim().to_string()).unwrap_or_default();
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(vec![s.trim().to_string(); rows])),
            Some(Value::Array(list)) if list.len() == rows => Ok(Some(list.iter().map(text).collect())),
            Some(Value::Array(list)) if list.len() == 1 => Ok(Some(vec![text(&list[0]); rows])),
            Some(Value::Object(map)) => {
                let mut out = vec![String::new(); rows];
                for (k, v) in map {
                    match k.parse::<usize>().ok().filter(|&i| i < rows) {
                        Some(i) => out[i] = text(v),
                        None => {
                            return Err(self
                                .at(
                                    at,
                                    &format!("the key `{k}` is not a cell number from 0 to {}", rows.saturating_sub(1)),
                                )
                                .hint("a `status` object maps cell numbers to symbols, e.g. `{\"3\": \"..\"}`")
                                .into())
                        }
                    }
                }
                Ok(Some(out))
            }
            Some(_) => Err(self
                .at(
                    at,
                    &format!("this must be a symbol, a list of {rows} symbols or an object of cell number → symbol"),
                )
                .hint("save the API's answer unchanged")
                .into()),
        }
    }
}

/// The dimension ids the dataset gives role `name` (`role.metric`, …).
fn role<'a>(d: &'a Map<String, Value>, name: &str) -> Vec<&'a str> {
    let role = d.get("role").or_else(|| d.get("dimension").and_then(|x| x.get("role")));
    role.and_then(|r| r.get(name))
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A cell's text and number from its JSON value and status symbol: missing values
/// keep their symbol (`..`, `:`), so they mean what they mean in a CSV file; a
/// provisional figure (status `*` or Eurostat's `p`) is written with SSB's `*`.
fn value_text(v: &Value, status: &str, decimals: Option<usize>) -> (String, Option<f64>) {
    let provisional = if status == "*" || status == "p" { "*" } else { "" };
    match v {
        Value::Number(n) => match n.as_f64().filter(|f| f.is_finite()) {
            Some(f) => {
                let text = match decimals {
                    Some(d) => format!("{f:.d$}"),
                    None => n.to_string(),
                };
                (format!("{text}{provisional}"), Some(f))
            }
            None => (String::new(), None),
        },
        Value::String(s) => (s.trim().to_string(), None),
        _ if Missing::of(status).is_some() || status == "-" => (status.to_string(), None),
        _ => (String::new(), None),
    }
}

fn notes(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.trim().to_string()],
        Some(Value::Array(list)) => {
            list.iter().filter_map(Value::as_str).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
        }
        _ => Vec::new(),
    }
}

/// What the dataset says of itself: `source`, `updated`, the table id of SSB's
/// (`extension.px.tableid`) or Eurostat's (`extension.datasetId`) API, `href`, and the
/// units of its figures.
fn provenance(d: &Map<String, Value>, units: &[String]) -> Provenance {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(|s| s.trim().to_string()).unwrap_or_default();
    let extension = d.get("extension");
    let mut table_id = text(extension.and_then(|e| e.get("px")).and_then(|px| px.get("tableid")));
    if table_id.is_empty() {
        table_id = text(extension.and_then(|e| e.get("datasetId")));
    }
    let updated = text(d.get("updated"));
    let published = updated.get(..10).filter(|s| super::provenance::is_date(s)).unwrap_or("").to_string();
    let url = text(d.get("href"));
    let url = if url.starts_with("https://") || url.starts_with("http://") { url } else { String::new() };
    Provenance {
        source: text(d.get("source")),
        table_id,
        url,
        published,
        notes: unit_note(units),
        title: text(d.get("label")),
        ..Provenance::default()
    }
}

/// `Enhet: personer.` for the units of a file's figures.
pub(super) fn unit_note(units: &[String]) -> String {
    match units {
        [] => String::new(),
        [one] => format!("Enhet: {one}."),
        many => format!("Enheter: {}.", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Cell};

    const ONE: &str = r#"{"version": "2.0", "class": "dataset", "id": ["år"], "size": [2],
 "dimension": {"år": {"category": {"index": ["2024", "2025"]}}},
 "value": [1.5, null], "status": [null, ".."]}"#;

    #[test]
    fn a_small_dataset_is_read_with_its_status() {
        let t = parse("data/a.json", ONE.as_bytes()).unwrap();
        assert_eq!(t.column_names(), ["år", "år (kode)", "verdi", "status"]);
        assert_eq!(t.row(0)[2], Cell::Number(1.5));
        assert_eq!(t.raw(1, 2), "..");
    }

    #[test]
    fn a_wrong_number_of_values_names_the_json_path_and_its_line() {
        let src = ONE.replace("[1.5, null]", "[1.5]");
        let err = parse("data/a.json", src.as_bytes()).unwrap_err().to_string();
        assert!(
            err.starts_with("data/a.json:3:2: error: `value`: there are 1 values but the dimensions make 2 cells"),
            "{err}"
        );
        assert!(err.contains("hint:"), "{err}");
    }

    #[test]
    fn broken_dimensions_are_errors_with_hints() {
        let cases = [
            (
                ONE.replace("\"size\": [2]", "\"size\": [3]"),
                "`dimension.år.category.index`: the categories of `år` do not match its size 3",
            ),
            (
                ONE.replace("\"id\": [\"år\"]", "\"id\": [\"tid\"]"),
                "the dimension `tid` named in `id` is not described",
            ),
            (ONE.replace("\"size\": [2]", "\"size\": [\"to\"]"), "`size`: there must be 1 whole numbers"),
            (ONE.replace("\"size\": [2]", "\"size\": [99999999999]"), "more than 2000000 cells"),
            (ONE.replace("[null, \"..\"]", "{\"7\": \"..\"}"), "`status`: the key `7` is not a cell number"),
            ("{\"class\": \"bundle\"}".to_string(), "not a JSON-stat dataset (its class is `bundle`)"),
            (
                "{\"class\": \"collection\", \"link\": {\"item\": [{\"href\": \"x\"}]}}".to_string(),
                "holds no embedded datasets",
            ),
        ];
        for (src, want) in cases {
            let err = parse("data/a.json", src.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(want) && err.contains("hint:"), "{want}:\n{err}");
        }
    }

    #[test]
    fn a_dataset_that_is_not_in_the_collection_lists_those_that_are() {
        let src = format!(
            "{{\"class\": \"collection\", \"link\": {{\"item\": [{}]}}}}",
            ONE.replace("\"dataset\",", "\"dataset\", \"label\": \"Areal\",")
        );
        let sidecar = crate::data::parse_provenance("x.toml", "dataset = 2").unwrap();
        let err = crate::data::parse_with("data/a.json", src.as_bytes(), &sidecar).unwrap_err().to_string();
        assert!(err.contains("there is no dataset `2` in this file") && err.contains("1 «Areal»"), "{err}");
        let sidecar = crate::data::parse_provenance("x.toml", "dataset = \"Areal\"").unwrap();
        assert!(crate::data::parse_with("data/a.json", src.as_bytes(), &sidecar).is_ok());
    }

    #[test]
    fn a_json_stat_1_bundle_is_read() {
        let src = format!("{{\"befolkning\": {}}}", ONE.replace("\"version\": \"2.0\", \"class\": \"dataset\",", ""));
        let t = parse("data/a.json", src.as_bytes()).unwrap();
        assert_eq!(t.row_count(), 2);
    }
}
