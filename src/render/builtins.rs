//! The built-in shortcodes `chart`, `table` and `goals`: they check their
//! arguments against the data file (or the goal pages), select rows, and return
//! the figure or table HTML (and, for charts, the standalone SVG file), drawn by
//! the `charts` library. Every fault names the call's
//! `path:line:col`, or the data file's own position for a bad cell.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use super::shortcodes::{Builtin, CallContext, GoalPage, Output};
use crate::charts::{
    accessible_svg, describe, downloads_html, draw, push_legend, source_html, ChartData, Figure, Kind, Look, Mark,
    Series, Spec,
};
use crate::content::shortcodes::{Call, Value};
use crate::content::slug::slugify;
use crate::data::number::{self, format_number};
use crate::data::{parse_filter, Cell, ColumnKind, DataFile, Table};
use crate::error::{did_you_mean, Diagnostic};
use crate::file::OutputFile;
use crate::html::escape;

/// The built-in shortcodes by name, for [`super::shortcodes::Registry::new`].
pub fn all() -> Vec<(&'static str, Box<dyn Builtin>)> {
    vec![("chart", Box::new(Chart)), ("table", Box::new(TableShortcode)), ("goals", Box::new(Goals))]
}

/// `{{ chart(data=..., kind=..., x=..., y=..., ...) }}`.
pub struct Chart;

/// `{{ table(data=..., filter=..., columns=..., caption=...) }}`.
pub struct TableShortcode;

const CHART_ARGS: [&str; 15] = [
    "data",
    "kind",
    "x",
    "y",
    "series",
    "filter",
    "title",
    "description",
    "unit",
    "x_label",
    "y_label",
    "sort",
    "height",
    "id",
    "facet",
];
const TABLE_ARGS: [&str; 4] = ["data", "filter", "columns", "caption"];

fn at(call: &Call, ctx: &CallContext, message: impl Into<String>) -> Diagnostic {
    Diagnostic::at(ctx.file, call.line, call.col, format!("in `{}`: {}", call.name, message.into()))
}

/// Refuses unknown arguments, with a suggestion.
fn check_args(call: &Call, ctx: &CallContext, known: &[&str]) -> Result<(), Diagnostic> {
    for key in call.args.keys() {
        if !known.contains(&key.as_str()) {
            let d = at(call, ctx, format!("unknown argument `{key}`"));
            return Err(match did_you_mean(key, known) {
                Some(best) => d.hint(format!("did you mean `{best}`?")),
                None => d.hint(format!("`{}` takes {}", call.name, known.join(", "))),
            });
        }
    }
    Ok(())
}

fn text_arg(call: &Call, ctx: &CallContext, key: &str) -> Result<Option<String>, Diagnostic> {
    match call.args.get(key) {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(Value::Int(i)) => Ok(Some(i.to_string())),
        Some(_) => Err(at(call, ctx, format!("`{key}` must be text")).hint(format!("write `{key}=\"...\"`"))),
    }
}

fn required(call: &Call, ctx: &CallContext, key: &str, example: &str) -> Result<String, Diagnostic> {
    text_arg(call, ctx, key)?.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
        at(call, ctx, format!("the argument `{key}` is missing")).hint(format!("add `{key}=\"{example}\"`"))
    })
}

/// Finds the data file named by `data=`, refusing paths that leave `data/`.
fn data_file<'a>(call: &Call, ctx: &'a CallContext) -> Result<&'a DataFile, Diagnostic> {
    let name = required(call, ctx, "data", "arsverk.csv")?;
    let clean = name.trim_start_matches("data/");
    if clean.starts_with('/')
        || clean.contains('\\')
        || clean.split('/').any(|p| p == ".." || p == ".")
        || clean.contains(':')
    {
        return Err(at(
            call,
            ctx,
            format!("`{name}` is outside the `data/` folder, and innsyn reads data only from there"),
        )
        .hint("name a file inside `data/`, e.g. `data=\"arsverk.csv\"`"));
    }
    ctx.data.get(clean).ok_or_else(|| {
        let names: Vec<&str> = ctx.data.keys().map(String::as_str).collect();
        let d = at(call, ctx, format!("there is no data file `data/{clean}`"));
        match did_you_mean(clean, &names) {
            Some(best) => d.hint(format!("did you mean `{best}`?")),
            None if names.is_empty() => d.hint("put the CSV file in the site's `data/` folder"),
            None => d.hint(format!("the data files are {}", names.join(", "))),
        }
    })
}

fn column(call: &Call, ctx: &CallContext, file: &DataFile, key: &str, name: &str) -> Result<usize, Diagnostic> {
    file.table.column(name).ok_or_else(|| {
        let names = file.table.column_names();
        let d = at(call, ctx, format!("`{key}=\"{name}\"`: `data/{}` has no column `{name}`", file.table.name));
        let listed = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        match did_you_mean(name, &names) {
            Some(best) => d.hint(format!("did you mean `{best}`? The columns are {listed}")),
            None => d.hint(format!("the columns are {listed}")),
        }
    })
}

/// The rows the `filter` argument selects (all rows without one), and on a
/// page generated from data, the page's own rows of a file with its column.
fn rows(call: &Call, ctx: &CallContext, file: &DataFile) -> Result<Vec<usize>, Diagnostic> {
    let mut conditions = Vec::new();
    if let Some(filter) = text_arg(call, ctx, "filter")? {
        let parsed = parse_filter(&filter).map_err(|why| {
            at(call, ctx, format!("the filter `{filter}` cannot be read: {why}")).hint(
                "write it as `column=value`, several separated by `;`, e.g. `filter=\"kommune=Meråker; sektor=Barnehage\"`",
            )
        })?;
        for (col, _) in &parsed.0 {
            column(call, ctx, file, "filter", col)?;
        }
        conditions = parsed.0;
    }
    let written = conditions.len();
    // The page's own value, unless the call filters that column itself.
    for (col, value) in ctx.page_filter.map_or(&[][..], |f| &f.0[..]) {
        let Some(c) = file.table.column(col) else { continue };
        if !conditions.iter().any(|(n, _)| file.table.column(n) == Some(c)) {
            conditions.push((col.clone(), value.clone()));
        }
    }
    if conditions.is_empty() {
        return Ok((0..file.table.row_count()).collect());
    }
    let filter = crate::data::Filter(conditions);
    let rows = file.table.select(&filter);
    if rows.is_empty() {
        let own = crate::data::Filter(filter.0[written..].to_vec());
        let said = if own.0.is_empty() {
            format!("the filter `{filter}` matches no rows")
        } else if written == 0 {
            format!("there are no rows for this page (`{own}`)")
        } else {
            format!("the filter `{filter}` (with this page's own `{own}`) matches no rows")
        };
        let col = &filter.0[0].0;
        let c = file.table.column(col).unwrap_or(0);
        let mut values: Vec<&str> = (0..file.table.row_count()).map(|r| file.table.raw(r, c)).collect();
        values.sort_unstable();
        values.dedup();
        values.truncate(12);
        return Err(at(call, ctx, format!("{said} in `data/{}`", file.table.name))
            .hint(format!("values of `{col}` include: {}", values.join(", "))));
    }
    Ok(rows)
}

/// The file's provenance as said under a chart or table of `rows`: when the
/// file was recoded, only the codes that became codes of these rows are named
/// (a page for one municipality names its own old numbers, not the region's).
fn provenance_of(file: &DataFile, rows: &[usize]) -> Option<crate::data::Provenance> {
    let mut p = file.provenance.clone()?;
    if let Some(recoded) = p.recoded.as_mut() {
        if let Some(c) = file.table.column(&recoded.column) {
            let shown: HashSet<&str> = rows.iter().map(|&r| file.table.raw(r, c).trim()).collect();
            recoded.codes.retain(|(_, new)| shown.contains(new.as_str()));
            recoded.merged.retain(|new| shown.contains(new.as_str()));
        }
        if recoded.codes.is_empty() {
            p.recoded = None;
        }
    }
    Some(p)
}

/// A chart's fault about rows that share a bar, with what recoding did to them.
fn with_recoding(d: Diagnostic, file: &DataFile) -> Diagnostic {
    match file.provenance.as_ref().and_then(|p| p.recoded.as_ref()) {
        Some(r) if d.message.contains("has several rows for") => d.hint(format!(
            "`{}` was recoded after `data/{}`, so rows of merged codes now share a code: add `sum = [\"…\"]` to the sidecar's `recode` to add them up, or pick one row per bar with `filter` or `series`",
            r.column, r.table
        )),
        _ => d,
    }
}

/// A site-absolute link to the copy of a data file in the output, percent-encoded:
/// a file name may hold spaces, `#` or `?`.
pub fn data_href(table: &Table) -> String {
    crate::http::encode_path(&format!("/data/{}", table.name))
}

impl Builtin for Chart {
    fn render(&self, call: &Call, ctx: &CallContext) -> Result<Output, Diagnostic> {
        check_args(call, ctx, &CHART_ARGS)?;
        let file = data_file(call, ctx)?;
        if file.broken {
            return Ok(Output::default());
        }
        let table = &file.table;
        let kind_name = text_arg(call, ctx, "kind")?.unwrap_or_else(|| "bar".into());
        let kind = Kind::parse(&kind_name).ok_or_else(|| {
            let d = at(call, ctx, format!("unknown chart kind `{kind_name}`"));
            match did_you_mean(&kind_name, &Kind::NAMES) {
                Some(best) => d.hint(format!("did you mean `{best}`?")),
                None => d.hint(format!("the kinds are {}", Kind::NAMES.join(", "))),
            }
        })?;
        let x = required(call, ctx, "x", "år")?;
        let y = required(call, ctx, "y", "årsverk")?;
        let title = required(call, ctx, "title", "Behov for årsverk, Meråker")?;
        let series = text_arg(call, ctx, "series")?;
        let xc = column(call, ctx, file, "x", &x)?;
        let yc = column(call, ctx, file, "y", &y)?;
        let sc = series.as_deref().map(|s| column(call, ctx, file, "series", s)).transpose()?;
        let selected = rows(call, ctx, file)?;

        // Every selected y value must be a number (or missing).
        if table.columns[yc].kind != ColumnKind::Number {
            if let Some(&bad) = selected.iter().find(|&&r| matches!(table.cell(r, yc), Cell::Text(_))) {
                let (line, col) = table.position(bad, yc);
                return Err(Diagnostic::at(
                    format!("data/{}", table.name),
                    line,
                    col,
                    format!("`{}` in column `{y}` is not a number (the chart in {}:{} plots it)", table.raw(bad, yc), ctx.file.display(), call.line),
                )
                .hint("write numbers like `1234,5`, `1 234,5` or `1234.5`; leave the cell empty (or `..`) when a value is missing"));
            }
        }

        let height = match call.args.get("height") {
            None => 400,
            Some(Value::Int(h)) if (200..=1200).contains(h) => *h as u32,
            Some(_) => {
                return Err(at(call, ctx, "`height` must be a whole number from 200 to 1200").hint("e.g. `height=450`"))
            }
        };
        let spec = Spec {
            kind,
            title,
            description: text_arg(call, ctx, "description")?,
            unit: text_arg(call, ctx, "unit")?,
            x_label: text_arg(call, ctx, "x_label")?,
            y_label: text_arg(call, ctx, "y_label")?,
            x: table.columns[xc].name.clone(),
            y: table.columns[yc].name.clone(),
            series: sc.map(|c| table.columns[c].name.clone()),
            height,
            y_range: None,
        };
        if let Some(facet) = text_arg(call, ctx, "facet")? {
            let fc = column(call, ctx, file, "facet", &facet)?;
            return small_multiples(call, ctx, file, &spec, &selected, [xc, yc, fc], sc);
        }
        let mut data = collect(call, ctx, table, &selected, xc, yc, sc).map_err(|d| with_recoding(d, file))?;
        sort(call, ctx, &mut data)?;
        check_pyramid(call, ctx, &spec, &data)?;

        let long = describe(&spec, &data, ctx.lang);
        let id = format!("innsyn-chart-{}-{}", call.line, call.col);
        let draw = |layout| draw::svg(&spec, &data, ctx.lang, layout).map_err(|e| at(call, ctx, e));
        let wide = draw(draw::Layout::wide(height))?;
        let narrow = draw(draw::Layout::narrow(height))?;
        let summary = spec.description.clone().unwrap_or_else(|| long.clone());
        // The file is named after `id=` when given, else after the title.
        let name = match call.args.get("id") {
            Some(Value::Str(id)) => id.clone(),
            Some(_) => return Err(at(call, ctx, "`id` must be text").hint("e.g. `id=\"sykefravaer-2024\"`")),
            None => spec.title.clone(),
        };
        let slug = slugify(&name);
        let svg_path = format!("{}{}.svg", ctx.page_path, if slug.is_empty() { "graf".into() } else { slug });
        let standalone = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
            accessible_svg(&wide, "chart", &spec.title, &summary, "chart", true)
        );
        let provenance = provenance_of(file, &selected);
        let figure = Figure {
            spec: &spec,
            data: &data,
            lang: ctx.lang,
            id: &id,
            wide: &accessible_svg(&wide, &format!("{id}-w"), &spec.title, &summary, "chart-wide", false),
            narrow: &accessible_svg(&narrow, &format!("{id}-n"), &spec.title, &summary, "chart-narrow", false),
            long_description: &long,
            provenance: provenance.as_ref(),
            data_href: &data_href(table),
            data_name: &table.name,
            svg_href: &svg_path,
        };
        Ok(Output {
            html: figure.html(),
            files: vec![OutputFile::new(svg_path.trim_start_matches('/').to_string(), standalone.into_bytes())],
        })
    }
}

/// A pyramid needs two series (left and right) and sizes, not signed values.
fn check_pyramid(call: &Call, ctx: &CallContext, spec: &Spec, data: &ChartData) -> Result<(), Diagnostic> {
    if spec.kind != Kind::Pyramid {
        return Ok(());
    }
    if data.series.len() != 2 {
        let names: Vec<String> = data.series.iter().map(|s| s.name.clone()).collect();
        return Err(at(
            call,
            ctx,
            format!("a pyramid has two sides, but these rows give {} series ({})", names.len(), names.join(", ")),
        )
        .hint(
            "name a `series` column with two values, e.g. `series=\"kjønn\"` (menn and kvinner), or `filter` it to two",
        ));
    }
    if let Some(v) = data.series.iter().flat_map(|s| s.values.iter().flatten()).find(|v| **v < 0.0) {
        return Err(at(call, ctx, format!("a pyramid shows sizes, but one value is {v}"))
            .hint("the left side is drawn leftwards by itself; write both sides as positive numbers"));
    }
    Ok(())
}

/// Orders the categories as `sort=` asks: by x, by value (largest first) or by
/// `-value`; as found when not given.
fn sort(call: &Call, ctx: &CallContext, data: &mut ChartData) -> Result<(), Diagnostic> {
    match text_arg(call, ctx, "sort")?.as_deref() {
        None | Some("none") => {}
        Some("x") => sort_categories(data, |a, b| natural(a, b)),
        Some(dir @ ("value" | "-value")) => {
            let totals: BTreeMap<String, f64> = data
                .categories
                .iter()
                .enumerate()
                .map(|(c, name)| (name.clone(), data.series.iter().filter_map(|s| s.values[c]).sum()))
                .collect();
            let desc = dir == "value";
            sort_categories(data, |a, b| {
                let o = totals[a].total_cmp(&totals[b]);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
        }
        Some(other) => {
            return Err(at(call, ctx, format!("unknown sort `{other}`"))
                .hint("use `sort=\"x\"`, `sort=\"value\"` (largest first) or `sort=\"-value\"`"))
        }
    }
    Ok(())
}

/// Most small charts one call draws: more would be a page too long to compare on.
const MAX_FACETS: usize = 30;

/// `facet="kommune"`: one small chart per value of the column, all on one value
/// scale, wrapping to the screen's width, with one description and a table each.
fn small_multiples(
    call: &Call,
    ctx: &CallContext,
    file: &DataFile,
    spec: &Spec,
    selected: &[usize],
    [xc, yc, fc]: [usize; 3],
    sc: Option<usize>,
) -> Result<Output, Diagnostic> {
    let table = &file.table;
    let lang = ctx.lang;
    let mut values: Vec<&str> = Vec::new();
    for &r in selected {
        let v = table.raw(r, fc);
        if !values.contains(&v) {
            values.push(v);
            if values.len() > MAX_FACETS {
                return Err(at(
                    call,
                    ctx,
                    format!("`facet=\"{}\"` would draw more than {MAX_FACETS} small charts", table.columns[fc].name),
                )
                .hint("add a `filter` that keeps fewer of them, or facet by a column with fewer values"));
            }
        }
    }
    if table.columns[fc].kind == ColumnKind::Number {
        values.sort_by(|a, b| natural(a, b));
    }
    let mut parts: Vec<(String, ChartData)> = Vec::new();
    for &v in &values {
        let rows: Vec<usize> = selected.iter().copied().filter(|&r| table.raw(r, fc) == v).collect();
        let mut data = collect(call, ctx, table, &rows, xc, yc, sc).map_err(|d| with_recoding(d, file))?;
        sort(call, ctx, &mut data)?;
        check_pyramid(call, ctx, spec, &data)?;
        parts.push((v.to_string(), data));
    }
    // One scale for all, so heights and slopes compare across the charts.
    let (lo, hi) =
        parts.iter().map(|(_, d)| draw::value_range(spec, d)).fold((0f64, 0f64), |(a, b), (l, h)| (a.min(l), b.max(h)));
    let id = format!("innsyn-chart-{}-{}", call.line, call.col);
    let name = match call.args.get("id") {
        Some(Value::Str(id)) => id.clone(),
        Some(_) => return Err(at(call, ctx, "`id` must be text").hint("e.g. `id=\"sykefravaer-2024\"`")),
        None => spec.title.clone(),
    };
    let slug = match slugify(&name) {
        s if s.is_empty() => "graf".to_string(),
        s => s,
    };
    let names: Vec<String> = parts.iter().map(|(v, _)| v.clone()).collect();
    let facet_name = &table.columns[fc].name;
    let mut long = crate::charts::facets_intro(parts.len(), facet_name, &names, (lo, hi), spec, lang);
    let mut graphics = String::from("<div class=\"small-multiples\">\n");
    let mut tables = String::new();
    let mut files = Vec::new();
    let mut svg_links = Vec::new();
    for (n, (value, data)) in parts.iter().enumerate() {
        let small =
            Spec { title: value.clone(), y_range: Some((lo, hi)), height: spec.height.min(320), ..spec.clone() };
        let description = describe(&small, data, lang);
        let _ = write!(long, " {value}: {description}");
        let drawn = draw::svg(&small, data, lang, draw::Layout::narrow(small.height))
            .map_err(|e| at(call, ctx, format!("{value}: {e}")))?;
        let part_id = format!("{id}-{}", n + 1);
        let _ = writeln!(
            graphics,
            "<div class=\"facet\"><p class=\"facet-title\" aria-hidden=\"true\">{}</p>{}</div>",
            escape(value),
            accessible_svg(&drawn, &part_id, &format!("{}: {value}", spec.title), &description, "chart-facet", false)
        );
        tables.push_str(&crate::charts::table_html(&small, data, lang, &format!("{}: {value}", spec.title)));
        let value_slug = match slugify(value) {
            s if s.is_empty() => format!("{}", n + 1),
            s => s,
        };
        let path = format!("{}{slug}-{value_slug}.svg", ctx.page_path);
        let standalone = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
            accessible_svg(&drawn, "chart", &format!("{}: {value}", spec.title), &description, "chart", true)
        );
        files.push(OutputFile::new(path.trim_start_matches('/').to_string(), standalone.into_bytes()));
        svg_links.push((value.clone(), path));
    }
    graphics.push_str("</div>\n");
    let provenance = provenance_of(file, selected);
    let html = crate::charts::facets_html(
        &crate::charts::FacetFigure {
            spec,
            lang,
            id: &id,
            graphics: &graphics,
            long_description: &long,
            tables: &tables,
            provenance: provenance.as_ref(),
            data_href: &data_href(table),
            data_name: &table.name,
        },
        &svg_links,
    );
    Ok(Output { html, files })
}

/// Categories along x (numeric x sorted, text x in order of appearance) and one
/// series per distinct `series` value.
fn collect(
    call: &Call,
    ctx: &CallContext,
    table: &Table,
    rows: &[usize],
    xc: usize,
    yc: usize,
    sc: Option<usize>,
) -> Result<ChartData, Diagnostic> {
    // In order of first appearance; a set each, so a table of many rows and
    // categories is read in one pass.
    let mut categories: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let (mut seen_x, mut seen_s) = (HashSet::new(), HashSet::new());
    for &r in rows {
        let x = table.raw(r, xc);
        if seen_x.insert(x) {
            categories.push(x.to_string());
        }
        let s = sc.map_or(table.columns[yc].name.as_str(), |c| table.raw(r, c));
        if seen_s.insert(s) {
            names.push(s.to_string());
        }
    }
    // Where the categories lie along x: numbers by value, and times written as
    // dates or SSB's period codes (2024M03, 2024K1) in time order; read once.
    let positions = match table.columns[xc].kind {
        ColumnKind::Number => {
            categories.sort_by(|a, b| natural(a, b));
            categories.iter().map(|c| crate::data::number::parse_number(c)).collect::<Option<Vec<f64>>>()
        }
        ColumnKind::Text => {
            let times: Option<Vec<f64>> = categories.iter().map(|c| crate::dates::time_position(c)).collect();
            times.map(|times| {
                let mut keyed: Vec<(f64, String)> = times.into_iter().zip(std::mem::take(&mut categories)).collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
                let (times, names): (Vec<f64>, Vec<String>) = keyed.into_iter().unzip();
                categories = names;
                times
            })
        }
    };
    let mut series: Vec<Series> =
        names.into_iter().map(|name| Series { name, values: vec![None; categories.len()] }).collect();
    let category_at: HashMap<&str, usize> = categories.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let series_at: HashMap<String, usize> = series.iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut marks = BTreeMap::new();
    for &r in rows {
        let c = category_at.get(table.raw(r, xc)).copied().unwrap_or(0);
        let s = sc.map_or(0, |col| series_at.get(table.raw(r, col)).copied().unwrap_or(0));
        if !seen.insert((c, s)) {
            let (line, _) = table.position(r, 0);
            return Err(at(
                call,
                ctx,
                format!(
                    "`data/{}` has several rows for {} = {}{} (line {line} is one of them)",
                    table.name,
                    table.columns[xc].name,
                    categories[c],
                    sc.map(|col| format!(", {} = {}", table.columns[col].name, series[s].name)).unwrap_or_default()
                ),
            )
            .hint("add a `filter` that picks one row per bar, or a `series` column"));
        }
        let raw = table.raw(r, yc);
        match table.cell(r, yc) {
            Cell::Number(v) => {
                series[s].values[c] = Some(v);
                if number::is_provisional(raw) {
                    marks.insert((s, c), Mark::Provisional);
                }
            }
            _ => {
                if let Some(kind) = number::Missing::of(raw) {
                    marks.insert((s, c), Mark::Missing(kind));
                }
            }
        }
    }
    Ok(ChartData { categories, series, positions, marks, looks: Vec::new() })
}

fn sort_categories(data: &mut ChartData, cmp: impl Fn(&String, &String) -> std::cmp::Ordering) {
    let mut order: Vec<usize> = (0..data.categories.len()).collect();
    order.sort_by(|&a, &b| cmp(&data.categories[a], &data.categories[b]));
    data.categories = order.iter().map(|&i| data.categories[i].clone()).collect();
    for s in &mut data.series {
        s.values = order.iter().map(|&i| s.values[i]).collect();
    }
    if let Some(p) = &mut data.positions {
        *p = order.iter().map(|&i| p[i]).collect();
    }
    let mut moved_to = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        moved_to[old] = new;
    }
    data.marks = std::mem::take(&mut data.marks).into_iter().map(|((s, c), m)| ((s, moved_to[c]), m)).collect();
}

/// Numbers by value, text alphabetically.
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    match (crate::data::number::parse_number(a), crate::data::number::parse_number(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => crate::lang::collation_key(a).cmp(&crate::lang::collation_key(b)),
    }
}

impl Builtin for TableShortcode {
    fn render(&self, call: &Call, ctx: &CallContext) -> Result<Output, Diagnostic> {
        check_args(call, ctx, &TABLE_ARGS)?;
        let file = data_file(call, ctx)?;
        if file.broken {
            return Ok(Output::default());
        }
        let table = &file.table;
        let selected = rows(call, ctx, file)?;
        let columns: Vec<usize> = match call.args.get("columns") {
            None => (0..table.columns.len()).collect(),
            Some(Value::Str(s)) => {
                s.split(',').map(|c| column(call, ctx, file, "columns", c.trim())).collect::<Result<_, _>>()?
            }
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Str(c) => column(call, ctx, file, "columns", c),
                    _ => Err(at(call, ctx, "`columns` lists column names as text")),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(at(call, ctx, "`columns` must be a list of column names")
                    .hint("e.g. `columns=[\"år\", \"årsverk\"]`"))
            }
        };
        // The title the file carries (SSB's first line), else the file's name.
        let caption =
            text_arg(call, ctx, "caption")?.or_else(|| table.title.clone()).unwrap_or_else(|| table.name.clone());
        // Years are written as they are (2012, not 2 012).
        let year_like: Vec<bool> = (0..table.columns.len())
            .map(|c| {
                (0..table.row_count()).all(|r| match table.cell(r, c) {
                    Cell::Number(v) => v.fract() == 0.0 && (1000.0..3000.0).contains(&v),
                    _ => true,
                })
            })
            .collect();
        let mut h = String::new();
        let _ = writeln!(h, "{}<table class=\"data-table\">", crate::charts::table_wrap(&caption));
        let _ = writeln!(h, "<caption>{}</caption>", escape(&caption));
        h.push_str("<thead><tr>");
        for &c in &columns {
            let class = if table.columns[c].kind == ColumnKind::Number { " class=\"num\"" } else { "" };
            let _ = write!(h, "<th scope=\"col\"{class}>{}</th>", escape(&table.columns[c].name));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        let mut used: Vec<Mark> = Vec::new();
        for &r in &selected {
            h.push_str("<tr>");
            for (i, &c) in columns.iter().enumerate() {
                let raw = table.raw(r, c);
                let text = match table.cell(r, c) {
                    Cell::Number(_) if year_like[c] => raw.to_string(),
                    Cell::Number(v) => {
                        // As many decimals as the file writes (`81,0`), up to four.
                        let decimals = number::written_decimals(raw).filter(|&d| d <= 4);
                        let mut text = format_number(v, ctx.lang, decimals);
                        // A percentage keeps its sign, as the file writes it.
                        if raw.trim_end_matches(['*', ' ']).ends_with('%') {
                            text.push_str("\u{a0}%");
                        }
                        if number::is_provisional(raw) {
                            text.push('*');
                            used.push(Mark::Provisional);
                        }
                        text
                    }
                    Cell::Missing => match number::Missing::of(raw) {
                        Some(kind) if !kind.symbol().is_empty() => {
                            used.push(Mark::Missing(kind));
                            kind.symbol().to_string()
                        }
                        _ => "–".into(),
                    },
                    Cell::Text(_) => raw.to_string(),
                };
                let class = if table.columns[c].kind == ColumnKind::Number { " class=\"num\"" } else { "" };
                if i == 0 {
                    let _ = write!(h, "<th scope=\"row\"{class}>{}</th>", escape(&text));
                } else {
                    let _ = write!(h, "<td{class}>{}</td>", escape(&text));
                }
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>");
        let legend = ChartData {
            marks: used.into_iter().enumerate().map(|(i, m)| ((0, i), m)).collect(),
            ..ChartData::default()
        };
        push_legend(&mut h, &legend.legend(ctx.lang), ctx.lang);
        h.push_str("</div>\n");
        // The notes the file carries below its table («Kilde: …», «Merknad: …»).
        for note in &table.notes {
            let _ = writeln!(h, "<p class=\"data-notes\">{}</p>", escape(note));
        }
        h.push_str(&source_html(provenance_of(file, &selected).as_ref(), ctx.lang));
        h.push_str(&downloads_html(&data_href(table), &table.name, None, ctx.lang));
        Ok(Output { html: format!("<div class=\"data-table-block\">\n{h}</div>\n"), files: Vec::new() })
    }
}

/// `{{ goals(section="mal", group_by="area") }}`: how many goals have each status in
/// each group (stacked bars with the counts on them, and the same as a table), and
/// the goal tree as nested lists with status badges, linked to the goal pages.
pub struct Goals;

const GOALS_ARGS: [&str; 3] = ["section", "group_by", "title"];

impl Builtin for Goals {
    /// The overview lists the site's goal pages.
    fn reads_pages(&self) -> bool {
        true
    }

    fn render(&self, call: &Call, ctx: &CallContext) -> Result<Output, Diagnostic> {
        use crate::content::status::Status;
        check_args(call, ctx, &GOALS_ARGS)?;
        let section = text_arg(call, ctx, "section")?.unwrap_or_default();
        let section = section
            .trim_matches('/')
            .trim_start_matches("@/")
            .trim_end_matches("_index.md")
            .trim_end_matches('/')
            .to_string();
        if !section.is_empty() && !ctx.pages.sections().any(|s| s.dir == section) {
            let dirs: Vec<&str> = ctx.pages.sections().map(|s| s.dir).filter(|d| !d.is_empty()).collect();
            let d = at(call, ctx, format!("there is no section `content/{section}/`"));
            return Err(match did_you_mean(&section, &dirs) {
                Some(best) => d.hint(format!("did you mean `{best}`?")),
                None => d.hint(format!("the sections are {}", dirs.join(", "))),
            });
        }
        let group_by = text_arg(call, ctx, "group_by")?.unwrap_or_else(|| "area".into());
        if !matches!(group_by.as_str(), "area" | "level" | "status") {
            return Err(at(call, ctx, format!("cannot group goals by `{group_by}`"))
                .hint("use `group_by=\"area\"` or `group_by=\"level\"`"));
        }
        let inside = |dir: &str| section.is_empty() || dir == section || dir.starts_with(&format!("{section}/"));
        let goals: Vec<GoalPage> = ctx.pages.goals().filter(|g| inside(g.section)).collect();
        if goals.is_empty() {
            return Err(at(call, ctx, format!("there are no goal pages in `content/{section}`"))
                .hint("goal pages have `type = \"goal\"` and a `[goal]` table"));
        }
        let lang = ctx.lang;
        let none = match lang {
            crate::lang::Lang::En => "No area",
            crate::lang::Lang::Nn => "Utan område",
            crate::lang::Lang::Nb | crate::lang::Lang::Se => "Uten område",
        };
        let no_status = match lang {
            crate::lang::Lang::En => "No status",
            crate::lang::Lang::Nn => "Utan status",
            crate::lang::Lang::Nb | crate::lang::Lang::Se => "Uten status",
        };
        // Groups in order of first appearance in the sorted goal list.
        let mut groups: Vec<String> = Vec::new();
        let mut counts: BTreeMap<(usize, Option<Status>), f64> = BTreeMap::new();
        for page in &goals {
            let g = page.goal;
            let keys: Vec<String> = match group_by.as_str() {
                "level" => vec![if g.level.is_empty() { none.to_string() } else { g.level.clone() }],
                "status" => vec![g.status.map_or(no_status.to_string(), |s| s.label(lang).to_string())],
                _ if g.area.is_empty() => vec![none.to_string()],
                _ => g.area.clone(),
            };
            for key in keys {
                let gi = groups.iter().position(|x| *x == key).unwrap_or_else(|| {
                    groups.push(key.clone());
                    groups.len() - 1
                });
                *counts.entry((gi, g.status)).or_default() += 1.0;
            }
        }
        let statuses: Vec<Option<Status>> = Status::ALL
            .iter()
            .map(|&s| Some(s))
            .chain([None])
            .filter(|s| counts.keys().any(|(_, st)| st == s))
            .collect();
        let series = statuses
            .iter()
            .map(|s| Series {
                name: s.map_or(no_status.to_string(), |s| format!("{} {}", s.symbol(), s.label(lang))),
                values: (0..groups.len()).map(|g| counts.get(&(g, *s)).copied()).collect(),
            })
            .collect();
        // Each status keeps its own colour, pattern and symbol in every chart.
        let looks = statuses
            .iter()
            .map(|s| {
                Some(match s {
                    Some(s) => Look { fill: s.colour(), pattern: s.pattern() },
                    None => Look { fill: (0xE6, 0xE8, 0xEB), pattern: 0 },
                })
            })
            .collect();
        let data = ChartData { categories: groups, series, looks, ..ChartData::default() };
        let (default_title, what) = match lang {
            crate::lang::Lang::En => ("Goals by status", "goals"),
            crate::lang::Lang::Nn => ("Mål etter status", "mål"),
            crate::lang::Lang::Nb | crate::lang::Lang::Se => ("Mål etter status", "mål"),
        };
        let title = text_arg(call, ctx, "title")?.unwrap_or_else(|| {
            let name = ctx.pages.sections().find(|s| s.dir == section).map_or("", |s| s.title);
            if section.is_empty() {
                default_title.to_string()
            } else {
                format!("{default_title}: {name}")
            }
        });
        let spec = Spec {
            kind: Kind::StackedHBar,
            title,
            description: None,
            unit: None,
            x_label: Some(group_by.clone()),
            y_label: Some(format!(
                "{} {what}",
                match lang {
                    crate::lang::Lang::En => "Number of",
                    _ => "Antall",
                }
            )),
            x: group_by.clone(),
            y: what.into(),
            series: Some("status".into()),
            height: (120 + 44 * data.categories.len() as u32).clamp(200, 1200),
            y_range: None,
        };
        let long = describe(&spec, &data, lang);
        // The figures are the site's own goal pages.
        let own_pages = crate::data::Provenance {
            source: match lang {
                crate::lang::Lang::En => "the goal pages of this site",
                crate::lang::Lang::Nn => "målsidene på denne nettstaden",
                crate::lang::Lang::Nb | crate::lang::Lang::Se => "målsidene på dette nettstedet",
            }
            .into(),
            ..Default::default()
        };
        let id = format!("innsyn-goals-{}-{}", call.line, call.col);
        let wide = draw::svg(&spec, &data, lang, draw::Layout::wide(spec.height)).map_err(|e| at(call, ctx, e))?;
        let narrow = draw::svg(&spec, &data, lang, draw::Layout::narrow(spec.height)).map_err(|e| at(call, ctx, e))?;
        let slug = slugify(&spec.title);
        let svg_path = format!("{}{}.svg", ctx.page_path, if slug.is_empty() { "mal".into() } else { slug });
        let standalone = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
            accessible_svg(&wide, "chart", &spec.title, &long, "chart", true)
        );
        let figure = Figure {
            spec: &spec,
            data: &data,
            lang,
            id: &id,
            wide: &accessible_svg(&wide, &format!("{id}-w"), &spec.title, &long, "chart-wide", false),
            narrow: &accessible_svg(&narrow, &format!("{id}-n"), &spec.title, &long, "chart-narrow", false),
            long_description: &long,
            provenance: Some(&own_pages),
            data_href: "",
            data_name: "",
            svg_href: &svg_path,
        };
        let mut html = figure.html();
        html.push_str(&goal_tree(&goals, lang));
        Ok(Output {
            html,
            files: vec![OutputFile::new(svg_path.trim_start_matches('/').to_string(), standalone.into_bytes())],
        })
    }
}

/// The goals as nested lists: those whose parent is not among them at the top.
fn goal_tree(goals: &[GoalPage], lang: crate::lang::Lang) -> String {
    fn item(by_id: &HashMap<usize, &GoalPage>, page: &GoalPage, lang: crate::lang::Lang, depth: usize, h: &mut String) {
        let g = page.goal;
        let badge = page.status.map_or(String::new(), |s| {
            format!(" <span class=\"status-badge status-{}\">{}</span>", s.key(), s.label(lang))
        });
        let level = if g.level.is_empty() {
            String::new()
        } else {
            format!("<span class=\"goal-level\">{}</span> ", escape(&g.level))
        };
        let _ = write!(h, "<li>{level}<a href=\"{}\">{}</a>{badge}", escape(page.path), escape(page.title));
        let children: Vec<&GoalPage> = page.children.iter().filter_map(|c| by_id.get(c).copied()).collect();
        if !children.is_empty() && depth < 12 {
            h.push_str("\n<ul>\n");
            for c in children {
                item(by_id, c, lang, depth + 1, h);
            }
            h.push_str("</ul>\n");
        }
        h.push_str("</li>\n");
    }
    let by_id: HashMap<usize, &GoalPage> = goals.iter().map(|g| (g.id, g)).collect();
    let mut roots: Vec<&GoalPage> = goals.iter().filter(|g| g.parent.is_none_or(|p| !by_id.contains_key(&p))).collect();
    roots.sort_by_key(|g| crate::lang::collation_key(g.title));
    let mut h = String::from("<ul class=\"goal-tree\">\n");
    for r in roots {
        item(&by_id, r, lang, 0, &mut h);
    }
    h.push_str("</ul>\n");
    h
}
