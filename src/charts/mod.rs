//! Charts: the data a chart shows ([`ChartData`]), its drawing ([`draw`]) and the
//! accessible figure around it — title and description in the SVG, a generated
//! long description in the page language, the figures as a table, the source and
//! download links. Writes nothing; the shortcodes in [`shortcode`] return HTML and
//! the standalone SVG files.

pub mod draw;
pub mod indicator;
pub mod structured;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::data::number::{format_number, provisional_meaning, Missing};
use crate::data::Provenance;
use crate::html::escape;
use crate::lang::Lang;

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Vertical bars, one per category.
    Bar,
    /// Vertical bars, one per series, side by side in each category.
    GroupedBar,
    /// Vertical bars with the series stacked in each category.
    StackedBar,
    /// Horizontal bars, one per category.
    HBar,
    /// One line per series.
    Line,
    /// Counts per group, stacked along one bar (the `goals` overview).
    StackedHBar,
    /// A population pyramid: groups (ages) as rows, two series left and right of
    /// a shared centre axis.
    Pyramid,
}

impl Kind {
    /// The names authors write, in variant order (`StackedHBar` has none here).
    pub const NAMES: [&'static str; 6] = ["bar", "grouped-bar", "stacked-bar", "hbar", "line", "pyramid"];

    /// The kind an author's name stands for, or `None` for an unknown name.
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "bar" => Kind::Bar,
            "grouped-bar" => Kind::GroupedBar,
            "stacked-bar" => Kind::StackedBar,
            "hbar" => Kind::HBar,
            "line" => Kind::Line,
            "pyramid" => Kind::Pyramid,
            _ => return None,
        })
    }

    /// The kind's name, as authors write it and as used in CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            Kind::StackedHBar => "stacked-hbar",
            Kind::Pyramid => "pyramid",
            k => Kind::NAMES[k as usize],
        }
    }
}

/// What the author asked for.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The kind of chart to draw.
    pub kind: Kind,
    /// The chart's title, shown as its caption.
    pub title: String,
    /// The author's own short text alternative.
    pub description: Option<String>,
    /// The unit of the values, e.g. `%`.
    pub unit: Option<String>,
    /// The label of the x axis.
    pub x_label: Option<String>,
    /// The label of the y axis.
    pub y_label: Option<String>,
    /// Names of the data columns used.
    pub x: String,
    /// The column of the values.
    pub y: String,
    /// The column whose values split the rows into series, if any.
    pub series: Option<String>,
    /// Height of the wide drawing.
    pub height: u32,
    /// A value axis shared with other charts (small multiples), instead of one
    /// fitted to this chart's own values.
    pub y_range: Option<(f64, f64)>,
}

impl Spec {
    /// The label of the value axis: `y_label`, or the column name with its unit.
    pub fn value_label(&self) -> Option<String> {
        match (&self.y_label, &self.unit) {
            (Some(l), _) => Some(l.clone()),
            // A column already named with its unit («Utgifter (kr)») keeps one.
            (None, Some(u)) if names_unit(&self.y, u) => Some(self.y.clone()),
            (None, Some(u)) => Some(format!("{} ({u})", self.y)),
            (None, None) => Some(self.y.clone()),
        }
    }
}

/// Whether a column name already states `unit`: «Utgifter (kr)», «Beløp i kr».
fn names_unit(name: &str, unit: &str) -> bool {
    let (name, unit) = (name.to_lowercase(), unit.trim().to_lowercase());
    !unit.is_empty() && (name.contains(&format!("({unit})")) || name.split_whitespace().last() == Some(unit.as_str()))
}

/// One series: a value (or none) per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' name, shown in the legend and the table.
    pub name: String,
    /// One value per category, in the order of the categories; `None` where missing.
    pub values: Vec<Option<f64>>,
}

/// A series' fixed look: its fill and the pattern drawn on it (0 solid,
/// 1 diagonal, 2 dots, 3 cross, 4 horizontal, 5 back-diagonal). Statuses have one
/// each, so a status looks the same in every chart of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// The fill colour.
    pub fill: (u8, u8, u8),
    /// The pattern's number.
    pub pattern: u8,
}

/// What a value of a chart says beyond its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// No figure, and why (SSB's symbols).
    Missing(Missing),
    /// A provisional figure (`13,1*`).
    Provisional,
}

/// The numbers a chart shows: categories along x and one or more series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartData {
    /// The labels along x, in order.
    pub categories: Vec<String>,
    /// The series, each with one value per category.
    pub series: Vec<Series>,
    /// Where each category lies on a numeric or time axis (years, days), in
    /// category order; a line chart places its points by these values, so a gap
    /// in the years shows as a gap. `None` (or values that do not rise) spaces
    /// the categories equally, as bars are.
    pub positions: Option<Vec<f64>>,
    /// Values that are provisional, or missing for a stated reason, by
    /// (series, category); explained under the table and in the long description.
    pub marks: BTreeMap<(usize, usize), Mark>,
    /// A fixed look per series (by series number), where the series stands for
    /// something with a look of its own (a status); empty: looks by position.
    pub looks: Vec<Option<Look>>,
}

impl ChartData {
    /// The symbols used in the data, each with what it means, in a fixed order.
    pub fn legend(&self, lang: Lang) -> Vec<(&'static str, &'static str)> {
        let mut used: Vec<Mark> = self.marks.values().copied().collect();
        used.sort();
        used.dedup();
        used.into_iter()
            .map(|m| match m {
                Mark::Missing(Missing::Empty) => ("–", Missing::Empty.meaning(lang)),
                Mark::Missing(k) => (k.symbol(), k.meaning(lang)),
                Mark::Provisional => ("*", provisional_meaning(lang)),
            })
            .collect()
    }
}

/// Words the charts write, per language.
struct Words {
    shows: &'static str,
    by: &'static str,
    and: &'static str,
    for_: &'static str,
    highest: &'static str,
    lowest: &'static str,
    total: &'static str,
    value: &'static str,
    rises: &'static str,
    falls: &'static str,
    unchanged: &'static str,
    from: &'static str,
    to: &'static str,
    in_: &'static str,
    table_caption: &'static str,
    details: &'static str,
    source: &'static str,
    table: &'static str,
    published: &'static str,
    licence: &'static str,
    download_data: &'static str,
    download_svg: &'static str,
    sum: &'static str,
    /// Heading of the legend of SSB's symbols under a table.
    symbols: &'static str,
    /// «N others», after the first names of a long list.
    others: &'static str,
}

fn words(lang: Lang) -> &'static Words {
    const NB: Words = Words {
        shows: "Diagrammet viser",
        by: "fordelt på",
        and: "og",
        for_: "for",
        highest: "Høyeste verdi er",
        lowest: "laveste er",
        total: "Summen",
        value: "Verdien",
        rises: "øker",
        falls: "synker",
        unchanged: "er uendret på",
        from: "fra",
        to: "til",
        in_: "i",
        table_caption: "Tallene i diagrammet",
        details: "Beskrivelse og tall",
        source: "Kilde",
        table: "tabell",
        published: "publisert",
        licence: "Lisens",
        download_data: "Last ned dataene",
        download_svg: "Last ned figuren (SVG)",
        sum: "Sum",
        symbols: "Tegnforklaring",
        others: "andre",
    };
    const NN: Words = Words {
        shows: "Diagrammet viser",
        by: "fordelt på",
        and: "og",
        for_: "for",
        highest: "Høgaste verdi er",
        lowest: "lågaste er",
        total: "Summen",
        value: "Verdien",
        rises: "aukar",
        falls: "søkk",
        unchanged: "er uendra på",
        from: "frå",
        to: "til",
        in_: "i",
        table_caption: "Tala i diagrammet",
        details: "Skildring og tal",
        source: "Kjelde",
        table: "tabell",
        published: "publisert",
        licence: "Lisens",
        download_data: "Last ned dataa",
        download_svg: "Last ned figuren (SVG)",
        sum: "Sum",
        symbols: "Teiknforklaring",
        others: "andre",
    };
    const EN: Words = Words {
        shows: "The chart shows",
        by: "by",
        and: "and",
        for_: "for",
        highest: "The highest value is",
        lowest: "the lowest is",
        total: "The total",
        value: "The value",
        rises: "rises",
        falls: "falls",
        unchanged: "is unchanged at",
        from: "from",
        to: "to",
        in_: "in",
        table_caption: "The figures in the chart",
        details: "Description and figures",
        source: "Source",
        table: "table",
        published: "published",
        licence: "Licence",
        download_data: "Download the data",
        download_svg: "Download the chart (SVG)",
        sum: "Total",
        symbols: "Symbols",
        others: "others",
    };
    match lang {
        Lang::Nb | Lang::Se => &NB,
        Lang::Nn => &NN,
        Lang::En => &EN,
    }
}

/// `a, b og c`.
fn list(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

/// `øker fra 48 i 2012 til 63 i 2040 (+31 %)`.
fn change(a: f64, b: f64, first: &str, last: &str, w: &Words, lang: Lang) -> String {
    let n = |v| format_number(v, lang, None);
    if (b - a).abs() < f64::EPSILON {
        return format!("{} {} ({first}–{last})", w.unchanged, n(a));
    }
    let verb = if b > a { w.rises } else { w.falls };
    let pct = if a != 0.0 {
        format!(" ({}{} %)", if b > a { "+" } else { "" }, format_number((b - a) / a.abs() * 100.0, lang, Some(0)))
    } else {
        String::new()
    };
    format!("{verb} {} {} {} {first} {} {} {} {last}{pct}", w.from, n(a), w.in_, w.to, n(b), w.in_)
}

/// A long description of what the chart shows, in the page language: what is
/// compared, the range, the largest and smallest values, and the change from the
/// first category to the last.
pub fn describe(spec: &Spec, data: &ChartData, lang: Lang) -> String {
    let w = words(lang);
    let what = spec.value_label().unwrap_or_else(|| spec.y.clone());
    let mut out = format!("{} {}", w.shows, what);
    let names: Vec<String> = data.series.iter().map(|s| s.name.clone()).collect();
    if data.series.len() > 1 {
        match spec.series.as_deref().filter(|s| !s.is_empty()) {
            Some(by) => {
                let _ = write!(out, " {} {by} ({})", w.by, list(&names, w.and));
            }
            None => {
                let _ = write!(out, " ({})", list(&names, w.and));
            }
        }
    }
    let x_name = spec.x_label.as_deref().unwrap_or(&spec.x);
    match data.categories.as_slice() {
        [] => {}
        [only] => {
            let _ = write!(out, " {} {only}", w.for_);
        }
        // Years and dates span a range; names are named.
        [first, .., last] if data.positions.is_some() => {
            let _ = write!(out, " {} {x_name} {first}–{last}", w.for_);
        }
        names if names.len() <= 6 => {
            let _ = write!(out, " {} {x_name}: {}", w.for_, list(names, w.and));
        }
        names => {
            let shown: Vec<String> =
                names[..5].iter().cloned().chain([format!("{} {}", names.len() - 5, w.others)]).collect();
            let _ = write!(out, " {} {x_name}: {}", w.for_, list(&shown, w.and));
        }
    }
    out.push('.');
    let mut cells: Vec<(f64, &str, &str)> = Vec::new();
    for s in &data.series {
        for (c, v) in s.values.iter().enumerate() {
            if let Some(v) = v {
                cells.push((*v, &s.name, &data.categories[c]));
            }
        }
    }
    let at = |(v, s, c): (f64, &str, &str)| {
        if data.series.len() > 1 {
            format!("{} ({s}, {c})", format_number(v, lang, None))
        } else {
            format!("{} ({c})", format_number(v, lang, None))
        }
    };
    if let (Some(max), Some(min)) = (
        cells.iter().copied().max_by(|a, b| a.0.total_cmp(&b.0)),
        cells.iter().copied().min_by(|a, b| a.0.total_cmp(&b.0)),
    ) {
        let _ = write!(out, " {} {}, {} {}.", w.highest, at(max), w.lowest, at(min));
    }
    // Changes from first to last only mean something along an ordered axis (time).
    if data.categories.len() > 1
        && data.positions.is_some()
        && !matches!(spec.kind, Kind::HBar | Kind::StackedHBar | Kind::Pyramid)
    {
        let last = data.categories.len() - 1;
        let (c0, cn) = (&data.categories[0], &data.categories[last]);
        if matches!(spec.kind, Kind::StackedBar | Kind::StackedHBar) && data.series.len() > 1 {
            let sum = |c: usize| data.series.iter().filter_map(|s| s.values[c]).sum::<f64>();
            let _ = write!(out, " {} {}.", w.total, change(sum(0), sum(last), c0, cn, w, lang));
        }
        for s in &data.series {
            if let (Some(a), Some(b)) = (s.values[0], s.values[last]) {
                let subject = if data.series.len() > 1 { s.name.clone() } else { w.value.to_string() };
                let _ = write!(out, " {subject} {}.", change(a, b, c0, cn, w, lang));
            }
        }
    }
    // Which values are missing and why, and which are provisional.
    let mut by_mark: BTreeMap<Mark, Vec<String>> = BTreeMap::new();
    for (&(s, c), &mark) in &data.marks {
        let (Some(series), Some(category)) = (data.series.get(s), data.categories.get(c)) else { continue };
        let place = if data.series.len() > 1 { format!("{category} ({})", series.name) } else { category.clone() };
        by_mark.entry(mark).or_default().push(place);
    }
    for (mark, places) in by_mark {
        let meaning = match mark {
            Mark::Missing(k) => k.meaning(lang),
            Mark::Provisional => provisional_meaning(lang),
        };
        let _ = write!(out, " {meaning}: {}.", list(&places, w.and));
    }
    out
}

/// The figures as an HTML table: categories as rows, series as columns.
pub fn table_html(spec: &Spec, data: &ChartData, lang: Lang, caption: &str) -> String {
    let w = words(lang);
    let mut h = String::new();
    let _ = writeln!(h, "{}<table class=\"data-table\">", table_wrap(caption));
    let _ = writeln!(h, "<caption>{}</caption>", escape(caption));
    let _ = write!(h, "<thead><tr><th scope=\"col\">{}</th>", escape(spec.x_label.as_deref().unwrap_or(&spec.x)));
    let single = data.series.len() == 1;
    for s in &data.series {
        let head = if single { spec.value_label().unwrap_or_else(|| s.name.clone()) } else { s.name.clone() };
        let _ = write!(h, "<th scope=\"col\" class=\"num\">{}</th>", escape(&head));
    }
    let stacked_total = matches!(spec.kind, Kind::StackedBar | Kind::StackedHBar) && data.series.len() > 1;
    if stacked_total {
        let _ = write!(h, "<th scope=\"col\" class=\"num\">{}</th>", w.sum);
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (c, cat) in data.categories.iter().enumerate() {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", escape(cat));
        for (i, s) in data.series.iter().enumerate() {
            let v = match (s.values[c], data.marks.get(&(i, c))) {
                (Some(v), Some(Mark::Provisional)) => format!("{}*", format_number(v, lang, None)),
                (Some(v), _) => format_number(v, lang, None),
                (None, Some(Mark::Missing(k))) if !k.symbol().is_empty() => k.symbol().to_string(),
                (None, _) => "–".into(),
            };
            let _ = write!(h, "<td class=\"num\">{v}</td>");
        }
        if stacked_total {
            let total: f64 = data.series.iter().filter_map(|s| s.values[c]).sum();
            let _ = write!(h, "<td class=\"num\">{}</td>", format_number(total, lang, None));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>");
    push_legend(&mut h, &data.legend(lang), lang);
    h.push_str("</div>\n");
    h
}

/// The box around a data table: on a narrow screen a wide table scrolls inside it
/// instead of widening the page, and the box takes keyboard focus so it can be
/// scrolled without a mouse (named after the table's caption).
pub fn table_wrap(caption: &str) -> String {
    format!("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">", escape(caption))
}

/// Appends the legend of SSB's symbols used in a table, on a line of its own
/// after the table (nothing when none is used).
pub fn push_legend(h: &mut String, legend: &[(&str, &str)], lang: Lang) {
    if legend.is_empty() {
        return;
    }
    let items: Vec<String> =
        legend.iter().map(|(symbol, meaning)| format!("<b>{}</b> {}", escape(symbol), escape(meaning))).collect();
    let _ = write!(h, "\n<p class=\"data-notes\">{}: {}.</p>\n", words(lang).symbols, items.join(". "));
}

/// The source line printed under charts and tables that use a data file.
pub fn source_html(p: Option<&Provenance>, lang: Lang) -> String {
    let Some(p) = p else { return String::new() };
    let w = words(lang);
    let mut parts: Vec<String> = Vec::new();
    if !p.source.is_empty() {
        let source = if p.url.is_empty() {
            escape(&p.source)
        } else {
            format!("<a href=\"{}\">{}</a>", escape(&p.url), escape(&p.source))
        };
        parts.push(source);
    }
    if !p.table_id.is_empty() {
        parts.push(format!("{} {}", w.table, escape(&p.table_id)));
    }
    if !p.published.is_empty() {
        parts.push(format!("{} {}", w.published, escape(&p.published)));
    }
    let mut out = String::new();
    if !parts.is_empty() {
        let _ = write!(out, "<span class=\"source-origin\">{}: {}.</span>", w.source, parts.join(", "));
    }
    if !p.licence.is_empty() {
        let licence = if p.licence_url.is_empty() {
            escape(&p.licence)
        } else {
            format!("<a href=\"{}\">{}</a>", escape(&p.licence_url), escape(&p.licence))
        };
        let _ = write!(out, " <span class=\"source-licence\">{}: {licence}.</span>", w.licence);
    }
    if !p.notes.is_empty() {
        let _ = write!(out, " <span class=\"source-notes\">{}</span>", escape(&p.notes));
    }
    if let Some(recoded) = &p.recoded {
        let _ = write!(out, " <span class=\"source-recoded\">{}</span>", escape(&recoded.sentence(lang)));
    }
    if out.is_empty() {
        return out;
    }
    format!("<p class=\"data-source\">{}</p>\n", out.trim())
}

/// Download link(s) for a data file and, for charts, the standalone SVG.
pub fn downloads_html(data_href: &str, data_name: &str, svg_href: Option<&str>, lang: Lang) -> String {
    let w = words(lang);
    let ext = data_name.rsplit('.').next().unwrap_or("csv").to_uppercase();
    let mut out = format!(
        "<ul class=\"data-downloads\" data-search=\"skip\"><li><a href=\"{}\" download>{} ({ext})</a></li>",
        escape(data_href),
        w.download_data
    );
    if let Some(svg) = svg_href {
        let _ = write!(out, "<li><a href=\"{}\" download>{}</a></li>", escape(svg), w.download_svg);
    }
    out.push_str("</ul>\n");
    out
}

/// Makes plotters' SVG accessible: `role="img"`, `aria-labelledby` its `<title>`
/// and `<desc>`, a `viewBox` so it scales with its container, and a class.
pub fn accessible_svg(svg: &str, id: &str, title: &str, desc: &str, class: &str, standalone: bool) -> String {
    let body_start = svg.find('>').map_or(0, |i| i + 1);
    let open = &svg[..body_start];
    let attr = |name: &str| -> String {
        let key = format!("{name}=\"");
        open.find(&key).map(|i| open[i + key.len()..].split('"').next().unwrap_or("").to_string()).unwrap_or_default()
    };
    let (w, h) = (attr("width"), attr("height"));
    let size = if standalone { format!(" width=\"{w}\" height=\"{h}\"") } else { String::new() };
    // Pattern ids unique on the page: each drawing has its own.
    let body = svg[body_start..].replace("innsyn-pattern-", &format!("{id}-pattern-"));
    let lang_attr = "";
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\"{size} class=\"{class}\" role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\"{lang_attr}><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
        escape(title),
        escape(desc),
        body
    )
}

/// What every figure starts with: its caption, the drawings, the author's short
/// description, and the long description with the tables, folded away. Source and
/// downloads follow.
fn figure_start(class: &str, spec: &Spec, id: &str, graphics: &str, long: &str, tables: &str, lang: Lang) -> String {
    let w = words(lang);
    let mut h =
        format!("<figure class=\"chart chart-{}{class}\" aria-labelledby=\"{id}-caption\">\n", spec.kind.name());
    let _ = writeln!(h, "<figcaption id=\"{id}-caption\" class=\"chart-title\">{}</figcaption>", escape(&spec.title));
    h.push_str(graphics);
    if let Some(d) = &spec.description {
        let _ = writeln!(h, "<p class=\"chart-summary\">{}</p>", escape(d));
    }
    let _ = writeln!(h, "<details class=\"chart-details\"><summary data-search=\"skip\">{}</summary>", w.details);
    let _ = writeln!(h, "<p class=\"chart-long-description\" data-search=\"skip\">{}</p>", escape(long));
    h.push_str(tables);
    h.push_str("</details>\n");
    h
}

/// The whole figure: title, the chart for wide and narrow screens, the short text
/// alternative, the long description with the table, the source and downloads.
pub struct Figure<'a> {
    /// What the author asked for.
    pub spec: &'a Spec,
    /// The numbers the chart shows.
    pub data: &'a ChartData,
    /// The language of the words around the chart.
    pub lang: Lang,
    /// The figure's id, unique on the page; other ids start with it.
    pub id: &'a str,
    /// The accessible SVG for wide screens.
    pub wide: &'a str,
    /// The accessible SVG for narrow screens.
    pub narrow: &'a str,
    /// The generated long description of the chart.
    pub long_description: &'a str,
    /// Where the numbers come from, if known.
    pub provenance: Option<&'a Provenance>,
    /// Link to the data file to download, or empty for none.
    pub data_href: &'a str,
    /// The data file's name (its extension names the format).
    pub data_name: &'a str,
    /// Link to the chart's standalone SVG file.
    pub svg_href: &'a str,
}

impl Figure<'_> {
    /// The figure as HTML.
    pub fn html(&self) -> String {
        let w = words(self.lang);
        let graphics = format!("<div class=\"chart-graphic\">{}\n{}</div>\n", self.wide, self.narrow);
        let table = table_html(self.spec, self.data, self.lang, &format!("{}: {}", w.table_caption, self.spec.title));
        let mut h = figure_start("", self.spec, self.id, &graphics, self.long_description, &table, self.lang);
        h.push_str(&source_html(self.provenance, self.lang));
        if self.data_href.is_empty() {
            let _ = writeln!(
                h,
                "<ul class=\"data-downloads\" data-search=\"skip\"><li><a href=\"{}\" download>{}</a></li></ul>",
                escape(self.svg_href),
                w.download_svg
            );
        } else {
            h.push_str(&downloads_html(self.data_href, self.data_name, Some(self.svg_href), self.lang));
        }
        h.push_str("</figure>\n");
        h
    }
}

/// The first sentence of small multiples' long description: how many charts, of
/// what, and the scale they share.
pub fn facets_intro(n: usize, facet: &str, names: &[String], (lo, hi): (f64, f64), spec: &Spec, lang: Lang) -> String {
    let w = words(lang);
    let unit = spec.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
    let (lo, hi) = (format_number(lo, lang, None), format_number(hi, lang, None));
    let names = list(names, w.and);
    match lang {
        Lang::Nb | Lang::Se => {
            format!("{n} små diagrammer, ett for hver {facet} ({names}), på samme skala fra {lo} til {hi}{unit}.")
        }
        Lang::Nn => format!("{n} små diagram, eitt for kvar {facet} ({names}), på same skala frå {lo} til {hi}{unit}."),
        Lang::En => format!("{n} small charts, one for each {facet} ({names}), on one scale from {lo} to {hi}{unit}."),
    }
}

/// Small multiples as a figure: the charts side by side, then one description,
/// a table per chart, the source and the downloads.
pub struct FacetFigure<'a> {
    /// What the author asked for (the figure's title).
    pub spec: &'a Spec,
    /// The page's language.
    pub lang: Lang,
    /// The figure's id, unique on the page.
    pub id: &'a str,
    /// The small charts, in their grid.
    pub graphics: &'a str,
    /// The long description of them all.
    pub long_description: &'a str,
    /// A table per chart.
    pub tables: &'a str,
    /// Where the figures come from.
    pub provenance: Option<&'a Provenance>,
    /// Link to the data file.
    pub data_href: &'a str,
    /// The data file's name.
    pub data_name: &'a str,
}

/// The HTML of [`FacetFigure`], with a download link for each chart's SVG
/// (`svgs`: each chart's name and address).
pub fn facets_html(f: &FacetFigure, svgs: &[(String, String)]) -> String {
    let w = words(f.lang);
    let mut h = figure_start(" chart-facets", f.spec, f.id, f.graphics, f.long_description, f.tables, f.lang);
    h.push_str(&source_html(f.provenance, f.lang));
    let downloads = downloads_html(f.data_href, f.data_name, None, f.lang);
    let mut links = String::new();
    for (name, href) in svgs {
        let _ = write!(
            links,
            "<li><a href=\"{}\" download>{} (SVG): {}</a></li>",
            escape(href),
            w.download_svg.trim_end_matches(" (SVG)"),
            escape(name)
        );
    }
    h.push_str(&downloads.replacen("</ul>", &format!("{links}</ul>"), 1));
    h.push_str("</figure>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn krd() -> (Spec, ChartData) {
        let spec = Spec {
            kind: Kind::StackedBar,
            title: "Behov for årsverk samlet, Meråker".into(),
            description: None,
            unit: None,
            x_label: None,
            y_label: None,
            x: "år".into(),
            y: "årsverk".into(),
            series: Some("sektor".into()),
            height: 400,
            y_range: None,
        };
        let data = ChartData {
            categories: vec!["2012".into(), "2020".into(), "2040".into()],
            series: vec![
                Series { name: "Pleie og omsorg".into(), values: vec![Some(48.0), Some(45.0), Some(63.0)] },
                Series { name: "Grunnskole".into(), values: vec![Some(44.0), Some(40.0), Some(43.0)] },
                Series { name: "Barnehage".into(), values: vec![Some(27.0), Some(40.0), Some(34.0)] },
            ],
            positions: Some(vec![2012.0, 2020.0, 2040.0]),
            marks: Default::default(),
            looks: Vec::new(),
        };
        (spec, data)
    }

    #[test]
    fn the_long_description_says_what_is_compared_the_range_and_the_change() {
        let (spec, data) = krd();
        let text = describe(&spec, &data, Lang::Nb);
        assert_eq!(
            text,
            "Diagrammet viser årsverk fordelt på sektor (Pleie og omsorg, Grunnskole og Barnehage) for år 2012–2040. \
             Høyeste verdi er 63 (Pleie og omsorg, 2040), laveste er 27 (Barnehage, 2012). \
             Summen øker fra 119 i 2012 til 140 i 2040 (+18 %). \
             Pleie og omsorg øker fra 48 i 2012 til 63 i 2040 (+31 %). \
             Grunnskole synker fra 44 i 2012 til 43 i 2040 (−2 %). \
             Barnehage øker fra 27 i 2012 til 34 i 2040 (+26 %)."
        );
        assert!(describe(&spec, &data, Lang::Nn).contains("Høgaste verdi er 63"));
        assert!(describe(&spec, &data, Lang::En).starts_with("The chart shows årsverk by sektor"));
    }

    #[test]
    fn the_table_has_a_caption_header_scopes_and_totals_for_stacks() {
        let (spec, data) = krd();
        let t = table_html(&spec, &data, Lang::Nb, "Tall");
        assert!(t.contains("<caption>Tall</caption>"));
        assert!(t.contains("<th scope=\"row\">2012</th><td class=\"num\">48</td><td class=\"num\">44</td><td class=\"num\">27</td><td class=\"num\">119</td>"), "{t}");
    }

    #[test]
    fn text_from_data_is_escaped_everywhere() {
        let (mut spec, mut data) = krd();
        spec.title = "<script>alert(1)</script>".into();
        data.series[0].name = "<img src=x onerror=alert(1)>".into();
        let svg = draw::svg(&spec, &data, Lang::Nb, draw::Layout::wide(400)).unwrap();
        assert!(!svg.contains("<img") && svg.contains("&lt;img"));
        let html = accessible_svg(&svg, "c1", &spec.title, "d", "chart-wide", false);
        assert!(!html.contains("<script>"));
        assert!(!table_html(&spec, &data, Lang::Nb, &spec.title).contains("<script>"));
    }

    #[test]
    fn a_unit_already_in_the_column_name_is_not_repeated() {
        let (mut spec, _) = krd();
        spec.y_label = None;
        spec.unit = Some("kr".into());
        for (column, label) in [
            ("Utgifter (kr)", "Utgifter (kr)"),
            ("Utgifter (KR)", "Utgifter (KR)"),
            ("Beløp i kr", "Beløp i kr"),
            ("Utgifter", "Utgifter (kr)"),
            ("kroner", "kroner (kr)"),
        ] {
            spec.y = column.into();
            assert_eq!(spec.value_label().as_deref(), Some(label));
        }
    }

    #[test]
    fn categories_that_are_names_are_listed_not_given_as_a_range() {
        let (mut spec, mut data) = krd();
        spec.kind = Kind::HBar;
        data.positions = None;
        data.categories = vec!["Meråker".into(), "Time".into(), "Asker".into()];
        let text = describe(&spec, &data, Lang::Nb);
        assert!(text.contains("for år: Meråker, Time og Asker."), "{text}");
        assert!(!text.contains("Meråker–Asker"), "{text}");
        data.categories = (1..=9).map(|i| format!("K{i}")).collect();
        for s in &mut data.series {
            s.values = vec![Some(1.0); 9];
        }
        let text = describe(&spec, &data, Lang::En);
        assert!(text.contains(": K1, K2, K3, K4, K5 and 4 others."), "{text}");
    }
}
