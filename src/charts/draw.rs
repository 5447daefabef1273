//! Draws a chart as SVG with plotters' SVG backend. Text metrics come from
//! plotters' built-in estimate (no font files are read), so every machine draws the
//! same bytes. Series differ by colour *and* pattern or marker, and are labelled
//! directly or in a legend drawn with the same patterns.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use std::cell::RefCell;

use super::{ChartData, Kind, Spec};
use crate::data::number::{format_number, LARGEST, SMALLEST};
use crate::lang::Lang;

/// How big to draw, in SVG user units.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Width of the drawing.
    pub width: u32,
    /// Height of the drawing.
    pub height: u32,
    /// Font size of the text.
    pub font: u32,
    /// Font size of the values written on and beside bars: on a phone as large
    /// as the page's body text (18 px at 375 px wide).
    pub label: u32,
}

impl Layout {
    /// For screens of a desktop size (and print).
    pub fn wide(height: u32) -> Layout {
        Layout { width: 720, height, font: 15, label: 14 }
    }
    /// For phones: narrower, so text stays readable when scaled to 320 px.
    pub fn narrow(height: u32) -> Layout {
        Layout { width: 380, height: height + 60, font: 15, label: 20 }
    }
}

/// A series' look: fill, the ink drawn on it (text and pattern), the pattern.
#[derive(Debug, Clone, Copy)]
struct Swatch {
    fill: RGBColor,
    ink: RGBColor,
    pattern: Pattern,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pattern {
    Solid,
    Diagonal,
    Dots,
    Cross,
    Horizontal,
    BackDiagonal,
}

const WHITE_INK: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
const DARK_INK: RGBColor = RGBColor(0x1E, 0x2B, 0x3C);
const GRID: RGBColor = RGBColor(0xD2, 0xD5, 0xD9);
const AXIS: RGBColor = RGBColor(0x49, 0x55, 0x65);

/// Dark and light fills alternate, so neighbouring series differ by at least 3:1;
/// ink on each fill meets 4.5:1. Every fill is outlined in dark ink, which gives
/// the 3:1 against the white background that light fills lack.
const SWATCHES: [Swatch; 6] = [
    Swatch { fill: RGBColor(0x00, 0x62, 0xBA), ink: WHITE_INK, pattern: Pattern::Solid },
    Swatch { fill: RGBColor(0xF7, 0xC8, 0x73), ink: DARK_INK, pattern: Pattern::Diagonal },
    Swatch { fill: RGBColor(0x1E, 0x5B, 0x2E), ink: WHITE_INK, pattern: Pattern::Dots },
    Swatch { fill: RGBColor(0xBF, 0xE0, 0xFF), ink: DARK_INK, pattern: Pattern::Cross },
    Swatch { fill: RGBColor(0x8A, 0x3A, 0x00), ink: WHITE_INK, pattern: Pattern::Horizontal },
    Swatch { fill: RGBColor(0xE4, 0xD1, 0xF0), ink: DARK_INK, pattern: Pattern::BackDiagonal },
];

/// Line colours: each at least 4.5:1 against white.
const LINE_COLOURS: [RGBColor; 5] = [
    RGBColor(0x00, 0x62, 0xBA),
    RGBColor(0x8A, 0x3A, 0x00),
    RGBColor(0x1E, 0x5B, 0x2E),
    RGBColor(0x5B, 0x2A, 0x86),
    RGBColor(0x1E, 0x2B, 0x3C),
];

/// WCAG's relative luminance of a colour.
fn relative_luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// WCAG's contrast ratio of two colours, from 1 to 21.
fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The look of series `s`: its fixed look if it has one, else by position.
fn swatch_of(data: &ChartData, s: usize) -> Swatch {
    let Some(look) = data.looks.get(s).copied().flatten() else { return swatch(s) };
    let fill = RGBColor(look.fill.0, look.fill.1, look.fill.2);
    // White ink on dark fills, dark ink on light ones: whichever reads at 4.5:1.
    let ink = if contrast(fill, WHITE_INK) >= 4.5 { WHITE_INK } else { DARK_INK };
    let pattern =
        [Pattern::Solid, Pattern::Diagonal, Pattern::Dots, Pattern::Cross, Pattern::Horizontal, Pattern::BackDiagonal]
            [usize::from(look.pattern) % 6];
    Swatch { fill, ink, pattern }
}

fn swatch(i: usize) -> Swatch {
    SWATCHES[i % SWATCHES.len()]
}

/// Plotters' own estimate of a text's width (it reads no font files).
fn text_width(text: &str, size: u32) -> i32 {
    let em = f64::from(size) / 1.24 / 1.24;
    (em * 0.7 * text.len() as f64).round() as i32
}

/// Refuses values no axis can show: not finite, beyond ±[`LARGEST`], or closer to
/// zero than [`SMALLEST`]. A value of 1e308 made the axis's tick loop run forever.
fn check_values(data: &ChartData) -> DrawResult<()> {
    for s in &data.series {
        for (c, v) in s.values.iter().enumerate() {
            let Some(v) = *v else { continue };
            let at = data.categories.get(c).map(|c| crate::error::clip(c)).unwrap_or_default();
            let shown = if v.is_finite() { format!("{v:e}") } else { v.to_string() };
            let why = if !v.is_finite() {
                "is not a number a chart can draw"
            } else if v.abs() > LARGEST {
                "is too large to draw: charts show values up to ±10^15"
            } else if v != 0.0 && v.abs() < SMALLEST {
                "is too close to zero to draw: charts show values from 10^-9"
            } else {
                continue;
            };
            return Err(format!("the value `{shown}` of «{}» at «{at}» {why}", crate::error::clip(&s.name)));
        }
    }
    Ok(())
}

/// A round upper bound for an axis: 1, 2, 2.5 or 5 × 10^k above `max`. Values
/// outside what [`check_values`] lets through give `max` itself, or 1.
pub fn nice_ceiling(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 || max.is_nan() {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    if !magnitude.is_finite() || magnitude <= 0.0 {
        return max;
    }
    for step in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        let ceiling = step * magnitude;
        // Near f64's limit a round step above `max` may not exist: `max` itself then.
        if !ceiling.is_finite() {
            return max;
        }
        if ceiling >= max {
            return ceiling;
        }
    }
    max
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult<T> = Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// Draws the chart; returns the SVG document (without accessibility attributes,
/// which the caller adds).
pub fn svg(spec: &Spec, data: &ChartData, lang: Lang, layout: Layout) -> DrawResult<String> {
    check_values(data)?;
    with_patterns(|| draw_svg(spec, data, lang, layout))
}

fn draw_svg(spec: &Spec, data: &ChartData, lang: Lang, layout: Layout) -> DrawResult<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (layout.width, layout.height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let legend_rows = draw_legend(&root, spec, data, layout)?;
        let top = 12 + legend_rows * (layout.font as i32 + 14);
        match spec.kind {
            Kind::Line => draw_line(&root, spec, data, lang, layout, top)?,
            Kind::HBar | Kind::StackedHBar => draw_hbar(&root, spec, data, lang, layout, top)?,
            Kind::Pyramid => draw_pyramid(&root, spec, data, lang, layout, top)?,
            _ => draw_bars(&root, spec, data, lang, layout, top)?,
        }
        root.present().map_err(err)?;
    }
    Ok(tidy(&out))
}

/// The drawing's markup made lighter without changing what it shows: numbers in
/// attributes rounded to two decimals (plotters writes `13.000000000000002`), and
/// `opacity="1"`, the default, left out. Text between tags is left as it is.
fn tidy(svg: &str) -> String {
    let svg = svg.replace(" opacity=\"1\"", "");
    let mut out = String::with_capacity(svg.len());
    let mut in_tag = false;
    let mut rest = svg.as_str();
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ => {}
        }
        if in_tag && c.is_ascii_digit() {
            let len = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
            let number = &rest[..len];
            match number.split_once('.') {
                Some((_, fraction)) if fraction.len() > 2 && !fraction.contains('.') => {
                    let rounded = format!("{:.2}", number.parse::<f64>().unwrap_or_default());
                    out.push_str(rounded.trim_end_matches('0').trim_end_matches('.'));
                }
                _ => out.push_str(number),
            }
            rest = &rest[len..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn font(layout: Layout, colour: RGBColor) -> TextStyle<'static> {
    // plotters divides the size by 1.24 when it writes SVG; compensate.
    ("sans-serif", f64::from(layout.font) * 1.24).into_font().color(&colour)
}

/// The font of values on and beside bars.
fn label_font(layout: Layout, colour: RGBColor) -> TextStyle<'static> {
    ("sans-serif", f64::from(layout.label) * 1.24).into_font().color(&colour)
}

fn small_font(layout: Layout, colour: RGBColor) -> TextStyle<'static> {
    ("sans-serif", f64::from(layout.font - 2) * 1.24).into_font().color(&colour)
}

/// The legend for bar charts with several series, in rows above the plot.
/// Returns the number of rows used.
fn draw_legend(root: &Area, spec: &Spec, data: &ChartData, layout: Layout) -> DrawResult<i32> {
    if data.series.len() < 2 || spec.kind == Kind::Line {
        return Ok(0);
    }
    let box_size = layout.font as i32;
    let (mut x, mut row) = (12, 0);
    for (i, s) in data.series.iter().enumerate() {
        let w = box_size + 8 + text_width(&s.name, layout.font) + 20;
        if x + w > layout.width as i32 - 12 && x > 12 {
            x = 12;
            row += 1;
        }
        let y = 12 + row * (box_size + 14);
        fill_box(root, swatch_of(data, i), (x, y), (x + box_size, y + box_size))?;
        root.draw(&Text::new(
            s.name.clone(),
            (x + box_size + 8, y + box_size / 2),
            font(layout, DARK_INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        x += w;
    }
    Ok(row + 1)
}

thread_local! {
    /// The patterned looks of the drawing being made, each drawn once as an SVG
    /// `<pattern>` that its boxes fill with (see [`with_patterns`]).
    static PATTERNS: RefCell<Vec<Swatch>> = const { RefCell::new(Vec::new()) };
}

/// Most patterned looks one drawing defines; boxes of more are hatched line by line.
const MAX_PATTERNS: usize = 200;

/// The colour a box of pattern `i` is filled with while drawing, replaced by the
/// pattern afterwards: a colour no swatch uses.
fn pattern_marker(i: usize) -> RGBColor {
    RGBColor(0x01, 0xFE, i as u8)
}

/// The number of `s`'s pattern in the drawing being made, if it has a place.
fn pattern_of(s: Swatch) -> Option<usize> {
    PATTERNS.with(|p| {
        let mut p = p.borrow_mut();
        let same = |o: &Swatch| o.fill == s.fill && o.ink == s.ink && o.pattern == s.pattern;
        if let Some(i) = p.iter().position(same) {
            return Some(i);
        }
        (p.len() < MAX_PATTERNS).then(|| {
            p.push(s);
            p.len() - 1
        })
    })
}

/// The `<pattern>` of a look: its fill, and its ink as lines or dots on a tile.
fn pattern_def(i: usize, s: Swatch) -> String {
    let hex = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let (fill, ink) = (hex(s.fill), hex(s.ink));
    let line = |d: &str| format!("<path d=\"{d}\" stroke=\"{ink}\" stroke-width=\"1\"/>");
    let (w, h, marks) = match s.pattern {
        Pattern::Solid => (7, 7, String::new()),
        Pattern::Diagonal => (7, 7, line("M0,7L7,0M-1,1L1,-1M6,8L8,6")),
        Pattern::BackDiagonal => (7, 7, line("M0,0L7,7M-1,6L1,8M6,-1L8,1")),
        Pattern::Cross => (7, 7, line("M0,7L7,0M-1,1L1,-1M6,8L8,6M0,0L7,7M-1,6L1,8M6,-1L8,1")),
        Pattern::Horizontal => (4, 4, line("M0,1.5H4")),
        Pattern::Dots => (
            8,
            10,
            format!(
                "<circle cx=\"3\" cy=\"4\" r=\"1\" fill=\"{ink}\"/><circle cx=\"7\" cy=\"9\" r=\"1\" fill=\"{ink}\"/>"
            ),
        ),
    };
    format!(
        "<pattern id=\"innsyn-pattern-{i}\" patternUnits=\"userSpaceOnUse\" width=\"{w}\" height=\"{h}\"><rect width=\"{w}\" height=\"{h}\" fill=\"{fill}\"/>{marks}</pattern>"
    )
}

/// Runs `draw` (which makes an SVG), then puts the patterns its boxes used in a
/// `<defs>` at the start and points the boxes at them. A pattern is defined once
/// per drawing instead of being drawn as lines in every box: pages of charts are
/// far lighter. `accessible_svg` makes the ids unique on the page.
fn with_patterns(draw: impl FnOnce() -> DrawResult<String>) -> DrawResult<String> {
    PATTERNS.with(|p| p.borrow_mut().clear());
    let drawn = draw();
    let patterns = PATTERNS.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let mut svg = drawn?;
    if patterns.is_empty() {
        return Ok(svg);
    }
    let mut defs = String::from("<defs>");
    for (i, s) in patterns.iter().enumerate() {
        defs.push_str(&pattern_def(i, *s));
        let m = pattern_marker(i);
        svg = svg.replace(
            &format!("fill=\"#{:02X}{:02X}{:02X}\"", m.0, m.1, m.2),
            &format!("fill=\"url(#innsyn-pattern-{i})\""),
        );
    }
    defs.push_str("</defs>");
    if let Some(end) = svg.find('>') {
        svg.insert_str(end + 1, &defs);
    }
    Ok(svg)
}

/// A filled, outlined rectangle in pixel coordinates, with its series' pattern.
fn fill_box(root: &Area, s: Swatch, a: (i32, i32), b: (i32, i32)) -> DrawResult<()> {
    // Inside the drawing: the pattern loops below step over every pixel of the box.
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (i32::try_from(w).unwrap_or(i32::MAX), i32::try_from(h).unwrap_or(i32::MAX));
    let (x0, x1) = (a.0.min(b.0).clamp(0, w), a.0.max(b.0).clamp(0, w));
    let (y0, y1) = (a.1.min(b.1).clamp(0, h), a.1.max(b.1).clamp(0, h));
    // A patterned box is filled with its pattern, defined once for the drawing.
    if let Some(i) = (s.pattern != Pattern::Solid).then(|| pattern_of(s)).flatten() {
        root.draw(&Rectangle::new([(x0, y0), (x1, y1)], pattern_marker(i).filled())).map_err(err)?;
        return root.draw(&Rectangle::new([(x0, y0), (x1, y1)], DARK_INK.stroke_width(1))).map_err(err);
    }
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], s.fill.filled())).map_err(err)?;
    let ink = s.ink.stroke_width(1);
    let step = 7;
    match s.pattern {
        Pattern::Solid => {}
        Pattern::Diagonal | Pattern::BackDiagonal | Pattern::Cross => {
            let (w, h) = (x1 - x0, y1 - y0);
            let mut k = step;
            while k < w + h {
                // Lines x + y = k (diagonal) and x - y = k - h (back-diagonal), clipped.
                if s.pattern != Pattern::BackDiagonal {
                    let p = clip_diagonal(k, w, h, false);
                    root.draw(&PathElement::new(vec![(x0 + p.0 .0, y0 + p.0 .1), (x0 + p.1 .0, y0 + p.1 .1)], ink))
                        .map_err(err)?;
                }
                if s.pattern != Pattern::Diagonal {
                    let p = clip_diagonal(k, w, h, true);
                    root.draw(&PathElement::new(vec![(x0 + p.0 .0, y0 + p.0 .1), (x0 + p.1 .0, y0 + p.1 .1)], ink))
                        .map_err(err)?;
                }
                k += step;
            }
        }
        Pattern::Horizontal => {
            let mut y = y0 + step / 2;
            while y < y1 {
                root.draw(&PathElement::new(vec![(x0, y), (x1, y)], ink)).map_err(err)?;
                y += step / 2 + 1;
            }
        }
        Pattern::Dots => {
            let mut y = y0 + 4;
            let mut odd = false;
            while y < y1 - 1 {
                let mut x = x0 + if odd { 7 } else { 3 };
                while x < x1 - 1 {
                    root.draw(&Circle::new((x, y), 1, s.ink.filled())).map_err(err)?;
                    x += 8;
                }
                y += 5;
                odd = !odd;
            }
        }
    }
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], DARK_INK.stroke_width(1))).map_err(err)?;
    Ok(())
}

/// End points of the line x + y = k (or, mirrored, x − y = k − h) inside a w × h box.
fn clip_diagonal(k: i32, w: i32, h: i32, mirrored: bool) -> ((i32, i32), (i32, i32)) {
    let start = (k.min(w), k - k.min(w));
    let end = ((k - h).max(0), k - (k - h).max(0));
    let start = (start.0, start.1.min(h));
    if mirrored {
        ((w - start.0, start.1), (w - end.0, end.1))
    } else {
        (start, end)
    }
}

/// The value range of the y axis, from 0 (or the lowest negative value) to a round
/// number above the highest value (stacks summed).
pub fn value_range(spec: &Spec, data: &ChartData) -> (f64, f64) {
    if let Some(range) = spec.y_range {
        return range;
    }
    let (mut lo, mut hi) = (0f64, 0f64);
    for c in 0..data.categories.len() {
        if matches!(spec.kind, Kind::StackedBar | Kind::StackedHBar) {
            let pos: f64 = data.series.iter().filter_map(|s| s.values[c]).filter(|v| *v > 0.0).sum();
            let neg: f64 = data.series.iter().filter_map(|s| s.values[c]).filter(|v| *v < 0.0).sum();
            hi = hi.max(pos);
            lo = lo.min(neg);
        } else {
            for v in data.series.iter().filter_map(|s| s.values[c]) {
                hi = hi.max(v);
                lo = lo.min(v);
            }
        }
    }
    let hi = nice_ceiling(hi * 1.04);
    let lo = if lo < 0.0 { -nice_ceiling(-lo * 1.04) } else { 0.0 };
    (lo, hi)
}

fn configure<'a>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'a>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    spec: &Spec,
    lang: Lang,
    layout: Layout,
    values_on_x: bool,
) -> DrawResult<()> {
    let fmt = |v: &f64| format_number(*v, lang, None);
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .label_style(small_font(layout, DARK_INK))
        .axis_desc_style(small_font(layout, DARK_INK));
    if values_on_x {
        mesh.disable_y_mesh().y_labels(0).x_labels(5).x_label_formatter(&fmt);
        if let Some(label) = spec.value_label() {
            mesh.x_desc(label);
        }
    } else {
        mesh.disable_x_mesh().x_labels(0).y_labels(6).y_label_formatter(&fmt);
        if let Some(label) = spec.value_label() {
            mesh.y_desc(label);
        }
    }
    mesh.draw().map_err(err)
}

fn draw_bars(root: &Area, spec: &Spec, data: &ChartData, lang: Lang, layout: Layout, top: i32) -> DrawResult<()> {
    let n = data.categories.len().max(1);
    let (lo, hi) = value_range(spec, data);
    let y_area = text_width(&format_number(hi, lang, None), layout.font - 2)
        + 16
        + if spec.value_label().is_some() { 24 } else { 0 };
    let x_area = 34 + if spec.x_label.is_some() { 22 } else { 0 };
    let mut chart = ChartBuilder::on(root)
        .margin_top(top + 18)
        .margin_right(12)
        .margin_left(6)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(0f64..n as f64, lo..hi)
        .map_err(err)?;
    configure(&mut chart, spec, lang, layout, false)?;
    let k = data.series.len().max(1);
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    for (c, category) in data.categories.iter().enumerate() {
        let (mut up, mut down) = (0.0, 0.0);
        for (s, series) in data.series.iter().enumerate() {
            let Some(v) = series.values[c] else { continue };
            let (x0, x1, y0, y1) = match spec.kind {
                Kind::StackedBar => {
                    let base = if v >= 0.0 { up } else { down };
                    if v >= 0.0 {
                        up += v;
                    } else {
                        down += v;
                    }
                    (c as f64 + 0.2, c as f64 + 0.8, base, base + v)
                }
                Kind::GroupedBar => {
                    let w = 0.8 / k as f64;
                    let x0 = c as f64 + 0.1 + w * s as f64;
                    (x0, x0 + w, 0.0, v)
                }
                _ => (c as f64 + 0.2, c as f64 + 0.8, 0.0, v),
            };
            let (a, b) = (px(x0, y0), px(x1, y1));
            fill_box(root, swatch_of(data, s), a, b)?;
            let label = format_number(v, lang, None);
            let h = (a.1 - b.1).abs();
            let w = (b.0 - a.0).abs();
            let centre = (a.0 + b.0) / 2;
            if spec.kind == Kind::StackedBar {
                // Segment values inside the segment when they fit.
                if h >= layout.label as i32 + 4 && text_width(&label, layout.label) + 6 <= w {
                    let ink = swatch_of(data, s).ink;
                    let at = (centre, (a.1 + b.1) / 2);
                    let text = Text::new(label, at, label_font(layout, ink).pos(Pos::new(HPos::Center, VPos::Center)));
                    // A plate behind the text keeps it readable over the pattern.
                    let tw = text_width(&format_number(v, lang, None), layout.label) / 2 + 3;
                    let th = layout.label as i32 / 2 + 3;
                    root.draw(&Rectangle::new(
                        [(at.0 - tw, at.1 - th), (at.0 + tw, at.1 + th)],
                        swatch_of(data, s).fill.filled(),
                    ))
                    .map_err(err)?;
                    root.draw(&text).map_err(err)?;
                }
            } else if text_width(&label, layout.label) <= w + if spec.kind == Kind::GroupedBar { 2 } else { 12 } {
                // Above its bar; bars of a group touch, so their values may not reach
                // past their own bar, or neighbours' would overlap.
                let (y, v_pos) = if v >= 0.0 { (b.1 - 4, VPos::Bottom) } else { (b.1 + 4, VPos::Top) };
                root.draw(&Text::new(
                    label,
                    (centre, y),
                    label_font(layout, DARK_INK).pos(Pos::new(HPos::Center, v_pos)),
                ))
                .map_err(err)?;
            }
        }
        if spec.kind == Kind::StackedBar && k > 1 {
            let total: f64 = data.series.iter().filter_map(|s| s.values[c]).sum();
            let at = px(c as f64 + 0.5, up.max(0.0));
            let text = format_number(total, lang, None);
            root.draw(&Text::new(
                text,
                (at.0, at.1 - 5),
                font(layout, DARK_INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))
            .map_err(err)?;
        }
        let at = px(c as f64 + 0.5, lo);
        draw_category(root, category, (at.0, at.1 + 8), (layout.width as f64 / n as f64) as i32, layout)?;
    }
    if let Some(label) = &spec.x_label {
        let at = px(n as f64 / 2.0, lo);
        root.draw(&Text::new(
            label.clone(),
            (at.0, at.1 + 34),
            small_font(layout, DARK_INK).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// A category label under its bar, on two lines when it is too wide.
fn draw_category(root: &Area, text: &str, at: (i32, i32), room: i32, layout: Layout) -> DrawResult<()> {
    let style = font(layout, DARK_INK).pos(Pos::new(HPos::Center, VPos::Top));
    if text_width(text, layout.font) <= room || !text.contains(' ') {
        return root.draw(&Text::new(text.to_string(), at, style)).map_err(err);
    }
    let mid = text.len() / 2;
    let split = text.match_indices(' ').map(|(i, _)| i).min_by_key(|i| i.abs_diff(mid)).unwrap_or(mid);
    root.draw(&Text::new(text[..split].to_string(), at, style.clone())).map_err(err)?;
    root.draw(&Text::new(text[split + 1..].to_string(), (at.0, at.1 + layout.font as i32 + 2), style)).map_err(err)
}

fn draw_hbar(root: &Area, spec: &Spec, data: &ChartData, lang: Lang, layout: Layout, top: i32) -> DrawResult<()> {
    let n = data.categories.len().max(1);
    let (lo, hi) = value_range(spec, data);
    let longest = data.categories.iter().map(|c| text_width(c, layout.font)).max().unwrap_or(40);
    let y_area = (longest + 16).min(layout.width as i32 * 2 / 5);
    let mut chart = ChartBuilder::on(root)
        .margin_top(top + 6)
        .margin_right(16 + text_width(&format_number(hi, lang, None), layout.label))
        .margin_left(6)
        .x_label_area_size(28 + if spec.value_label().is_some() { 22 } else { 0 })
        .y_label_area_size(y_area)
        .build_cartesian_2d(lo..hi, 0f64..n as f64)
        .map_err(err)?;
    configure(&mut chart, spec, lang, layout, true)?;
    let k = data.series.len().max(1);
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    for (c, category) in data.categories.iter().enumerate() {
        // The first category at the top.
        let row = (n - 1 - c) as f64;
        let mut stack = 0.0;
        for (s, series) in data.series.iter().enumerate() {
            let Some(v) = series.values[c] else { continue };
            let label = format_number(v, lang, None);
            if spec.kind == Kind::StackedHBar {
                // Segments side by side along one bar, each with its count written on it.
                let (a, b) = (px(stack, row + 0.2), px(stack + v, row + 0.8));
                stack += v;
                fill_box(root, swatch_of(data, s), a, b)?;
                let th = layout.label as i32 / 2 + 3;
                if text_width(&label, layout.label) + 6 <= (b.0 - a.0).abs() && 2 * th <= (b.1 - a.1).abs() + 2 {
                    let at = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
                    let tw = text_width(&label, layout.label) / 2 + 3;
                    root.draw(&Rectangle::new(
                        [(at.0 - tw, at.1 - th), (at.0 + tw, at.1 + th)],
                        swatch_of(data, s).fill.filled(),
                    ))
                    .map_err(err)?;
                    root.draw(&Text::new(
                        label,
                        at,
                        label_font(layout, swatch_of(data, s).ink).pos(Pos::new(HPos::Center, VPos::Center)),
                    ))
                    .map_err(err)?;
                }
                continue;
            }
            let h = 0.7 / k as f64;
            let y0 = row + 0.15 + h * (k - 1 - s) as f64;
            let (a, b) = (px(0f64.max(lo), y0), px(v, y0 + h));
            fill_box(root, swatch_of(data, s), a, b)?;
            let mid = (a.1 + b.1) / 2;
            let (x, h_pos) = if v >= 0.0 { (b.0 + 5, HPos::Left) } else { (b.0 - 5, HPos::Right) };
            root.draw(&Text::new(label, (x, mid), label_font(layout, DARK_INK).pos(Pos::new(h_pos, VPos::Center))))
                .map_err(err)?;
        }
        if spec.kind == Kind::StackedHBar {
            let at = px(stack, row + 0.5);
            let total = format_number(stack, lang, None);
            root.draw(&Text::new(
                total,
                (at.0 + 6, at.1),
                font(layout, DARK_INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
        }
        let at = px(lo, row + 0.5);
        let name = fit(category, y_area - 12, layout.font);
        root.draw(&Text::new(name, (at.0 - 8, at.1), font(layout, DARK_INK).pos(Pos::new(HPos::Right, VPos::Center))))
            .map_err(err)?;
    }
    Ok(())
}

/// A population pyramid: the categories (age groups) as rows, the first at the
/// bottom, the first series to the left of a shared centre axis and the second to
/// the right, on one scale measured out from the centre.
fn draw_pyramid(root: &Area, spec: &Spec, data: &ChartData, lang: Lang, layout: Layout, top: i32) -> DrawResult<()> {
    let n = data.categories.len().max(1);
    let largest = data.series.iter().flat_map(|s| s.values.iter().flatten()).fold(0f64, |m, v| m.max(v.abs()));
    let m = spec.y_range.map_or_else(|| nice_ceiling(largest * 1.04), |(lo, hi)| hi.max(-lo));
    let longest = data.categories.iter().map(|c| text_width(c, layout.font)).max().unwrap_or(40);
    let y_area = (longest + 16).min(layout.width as i32 / 4);
    let mut chart = ChartBuilder::on(root)
        .margin_top(top + 6)
        .margin_right(16)
        .margin_left(6)
        .x_label_area_size(28 + if spec.value_label().is_some() { 22 } else { 0 })
        .y_label_area_size(y_area)
        .build_cartesian_2d(-m..m, 0f64..n as f64)
        .map_err(err)?;
    // Both halves count up from the centre: the ticks show sizes, not signs.
    let fmt = |v: &f64| format_number(v.abs(), lang, None);
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .label_style(small_font(layout, DARK_INK))
        .axis_desc_style(small_font(layout, DARK_INK))
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(5)
        .x_label_formatter(&fmt);
    if let Some(label) = spec.value_label() {
        mesh.x_desc(label);
    }
    mesh.draw().map_err(err)?;
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    for (c, category) in data.categories.iter().enumerate() {
        // The first category (the youngest) at the bottom.
        let row = c as f64;
        for (s, series) in data.series.iter().enumerate().take(2) {
            let Some(v) = series.values[c] else { continue };
            let v = v.abs();
            let signed = if s == 0 { -v } else { v };
            let (a, b) = (px(0.0, row + 0.12), px(signed, row + 0.88));
            fill_box(root, swatch_of(data, s), (a.0.min(b.0), a.1), (a.0.max(b.0), b.1))?;
            let label = format_number(v, lang, None);
            let w = text_width(&label, layout.label);
            let th = layout.label as i32 / 2 + 3;
            let mid = (a.1 + b.1) / 2;
            // Inside the bar at its outer end when it fits, else outside it.
            let inside = (b.0 - a.0).abs() >= w + 8 && 2 * th <= (b.1 - a.1).abs() + 2;
            let swatch = swatch_of(data, s);
            // Text runs rightwards from `x` when `rightwards`, else ends at it.
            let (x, rightwards, ink) = match (s == 0, inside) {
                (true, true) => (b.0 + 4, true, swatch.ink),
                (true, false) => (b.0 - 4, false, DARK_INK),
                (false, true) => (b.0 - 4, false, swatch.ink),
                (false, false) => (b.0 + 4, true, DARK_INK),
            };
            let h_pos = if rightwards { HPos::Left } else { HPos::Right };
            if inside {
                let (l, r) = if rightwards { (x - 2, x + w + 2) } else { (x - w - 2, x + 2) };
                root.draw(&Rectangle::new([(l, mid - th), (r, mid + th)], swatch.fill.filled())).map_err(err)?;
            }
            root.draw(&Text::new(label, (x, mid), label_font(layout, ink).pos(Pos::new(h_pos, VPos::Center))))
                .map_err(err)?;
        }
        let at = px(-m, row + 0.5);
        let name = fit(category, y_area - 12, layout.font);
        root.draw(&Text::new(name, (at.0 - 8, at.1), font(layout, DARK_INK).pos(Pos::new(HPos::Right, VPos::Center))))
            .map_err(err)?;
    }
    // The centre axis.
    let (a, b) = (px(0.0, 0.0), px(0.0, n as f64));
    root.draw(&PathElement::new(vec![a, b], AXIS.stroke_width(2))).map_err(err)?;
    Ok(())
}

/// Shortens `text` with an ellipsis to fit `room` (the full text stays in the table).
fn fit(text: &str, room: i32, size: u32) -> String {
    if text_width(text, size) <= room {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if text_width(&format!("{out}{c}…"), size) > room {
            break;
        }
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

/// Where each category lies along x, and the axis's range: by value when the
/// categories are numbers or dates that rise ([`ChartData::positions`]), else one
/// equal slot each. A slot of half the mean distance is left at either end, so
/// equally spaced years sit exactly where equal slots would put them.
fn x_positions(data: &ChartData) -> (Vec<f64>, f64, f64, bool) {
    let n = data.categories.len().max(1);
    let rising = |p: &&Vec<f64>| {
        p.len() == data.categories.len()
            && p.len() >= 2
            && p.iter().all(|v| v.is_finite())
            && p.windows(2).all(|w| w[0] < w[1])
    };
    match data.positions.as_ref().filter(rising) {
        Some(p) => {
            let (first, last) = (p[0], p[p.len() - 1]);
            let pad = (last - first) / (2.0 * (p.len() - 1) as f64);
            (p.clone(), first - pad, last + pad, true)
        }
        None => ((0..n).map(|c| c as f64 + 0.5).collect(), 0.0, n as f64, false),
    }
}

/// The runs of a series between its missing values: a line never bridges a gap.
fn runs(values: &[Option<f64>], xs: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (v, &x) in values.iter().zip(xs) {
        match v {
            Some(v) => out.last_mut().expect("never empty").push((x, *v)),
            None if out.last().is_some_and(|r| !r.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn draw_line(root: &Area, spec: &Spec, data: &ChartData, lang: Lang, layout: Layout, top: i32) -> DrawResult<()> {
    let n = data.categories.len().max(1);
    let (xs, x_lo, x_hi, proportional) = x_positions(data);
    let (lo, hi) = value_range(spec, data);
    let longest = data.series.iter().map(|s| text_width(&s.name, layout.font)).max().unwrap_or(0);
    let right = (longest + 16).min(layout.width as i32 / 3);
    let y_area = text_width(&format_number(hi, lang, None), layout.font - 2)
        + 16
        + if spec.value_label().is_some() { 24 } else { 0 };
    let mut chart = ChartBuilder::on(root)
        .margin_top(top + 18)
        .margin_right(right)
        .margin_left(6)
        .x_label_area_size(34 + if spec.x_label.is_some() { 22 } else { 0 })
        .y_label_area_size(y_area)
        .build_cartesian_2d(x_lo..x_hi, lo..hi)
        .map_err(err)?;
    configure(&mut chart, spec, lang, layout, false)?;
    let few = n <= 6 && data.series.len() <= 3;
    // Value labels that would overlap one already drawn are left out (the table has them all).
    let mut labels: Vec<(i32, i32, i32)> = Vec::new();
    let mut ends: Vec<(i32, String, RGBColor)> = Vec::new();
    for (s, series) in data.series.iter().enumerate() {
        let colour = LINE_COLOURS[s % LINE_COLOURS.len()];
        let style = colour.stroke_width(3);
        let runs = runs(&series.values, &xs);
        // A value alone between gaps is its marker only.
        for run in runs.iter().filter(|r| r.len() > 1) {
            if s % 2 == 0 {
                chart.draw_series(LineSeries::new(run.clone(), style)).map_err(err)?;
            } else {
                chart.draw_series(DashedLineSeries::new(run.clone(), 10, 5, style)).map_err(err)?;
            }
        }
        for &(x, y) in runs.iter().flatten() {
            let p = chart.backend_coord(&(x, y));
            draw_marker(root, s, p, colour)?;
            let label = format_number(y, lang, None);
            let w = text_width(&label, layout.font - 2);
            let free = !labels
                .iter()
                .any(|&(lx, ly, lw)| (lx - p.0).abs() < (lw + w) / 2 + 2 && (ly - p.1).abs() < layout.font as i32 + 2);
            if few && free {
                labels.push((p.0, p.1, w));
                root.draw(&Text::new(
                    label,
                    (p.0, p.1 - 10),
                    small_font(layout, DARK_INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))
                .map_err(err)?;
            }
        }
        if let Some(&(x, y)) = runs.last().and_then(|r| r.last()) {
            let p = chart.backend_coord(&(x, y));
            ends.push((p.1, series.name.clone(), colour));
        }
    }
    // Direct labels at the line ends, nudged apart so they never overlap.
    ends.sort_by_key(|e| e.0);
    let gap = layout.font as i32 + 3;
    for i in 1..ends.len() {
        if ends[i].0 - ends[i - 1].0 < gap {
            ends[i].0 = ends[i - 1].0 + gap;
        }
    }
    let x = chart.backend_coord(&(x_hi, 0.0)).0 + 6;
    for (y, name, colour) in ends {
        let name = fit(&name, right - 10, layout.font);
        root.draw(&Text::new(name, (x, y), font(layout, colour).pos(Pos::new(HPos::Left, VPos::Center))))
            .map_err(err)?;
    }
    let base = chart.backend_coord(&(x_lo, lo)).1;
    if proportional {
        // Labels where their values lie; one that would touch the last one drawn is
        // left out (the table names every point).
        let mut drawn_to = i32::MIN;
        for (c, category) in data.categories.iter().enumerate() {
            let at = chart.backend_coord(&(xs[c], lo)).0;
            let half = text_width(category, layout.font) / 2;
            if at - half > drawn_to + 6 {
                let style = font(layout, DARK_INK).pos(Pos::new(HPos::Center, VPos::Top));
                root.draw(&Text::new(category.clone(), (at, base + 8), style)).map_err(err)?;
                drawn_to = at + half;
            }
        }
    } else {
        for (c, category) in data.categories.iter().enumerate() {
            let at = chart.backend_coord(&(xs[c], lo));
            draw_category(root, category, (at.0, base + 8), (layout.width as f64 / n as f64) as i32, layout)?;
        }
    }
    if let Some(label) = &spec.x_label {
        let at = chart.backend_coord(&((x_lo + x_hi) / 2.0, lo));
        root.draw(&Text::new(
            label.clone(),
            (at.0, at.1 + 34),
            small_font(layout, DARK_INK).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// A different marker per series: circle, square, triangle, diamond.
fn draw_marker(root: &Area, series: usize, p: (i32, i32), colour: RGBColor) -> DrawResult<()> {
    let r = 5;
    match series % 4 {
        0 => root.draw(&Circle::new(p, r, colour.filled())).map_err(err),
        1 => root.draw(&Rectangle::new([(p.0 - r, p.1 - r), (p.0 + r, p.1 + r)], colour.filled())).map_err(err),
        2 => root
            .draw(&Polygon::new(
                vec![(p.0, p.1 - r - 1), (p.0 + r + 1, p.1 + r), (p.0 - r - 1, p.1 + r)],
                colour.filled(),
            ))
            .map_err(err),
        _ => root
            .draw(&Polygon::new(
                vec![(p.0, p.1 - r - 1), (p.0 + r + 1, p.1), (p.0, p.1 + r + 1), (p.0 - r - 1, p.1)],
                colour.filled(),
            ))
            .map_err(err),
    }?;
    root.draw(&Circle::new(p, 1, WHITE.filled())).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{Look, Series, Spec};

    fn spec(kind: Kind) -> Spec {
        Spec {
            kind,
            title: "T".into(),
            description: None,
            unit: None,
            x_label: None,
            y_label: None,
            x: "år".into(),
            y: "v".into(),
            series: None,
            height: 300,
            y_range: None,
        }
    }

    fn draw(kind: Kind, values: &[f64]) -> DrawResult<String> {
        let data = ChartData {
            categories: (0..values.len()).map(|i| format!("{}", 2020 + i)).collect(),
            series: vec![Series { name: "S".into(), values: values.iter().map(|&v| Some(v)).collect() }],
            positions: None,
            marks: Default::default(),
            looks: Vec::new(),
        };
        svg(&spec(kind), &data, Lang::Nb, Layout::narrow(300))
    }

    #[test]
    fn values_no_axis_can_show_are_errors_and_the_rest_draw() {
        for bad in [1e308, -1e308, f64::INFINITY, f64::NAN, 1e16, 5e-324, -1e-300] {
            for kind in [Kind::Line, Kind::Bar, Kind::HBar, Kind::StackedBar] {
                let e = draw(kind, &[1.0, bad]).unwrap_err();
                assert!(e.contains("draw"), "{e}");
            }
        }
        for good in [&[1e15, 1e15][..], &[-1e15, 1e15], &[1e-9, 2e-9], &[0.0, 0.0], &[-5.0, -5.0], &[7.0]] {
            for kind in [Kind::Line, Kind::Bar, Kind::HBar, Kind::StackedBar] {
                let out = draw(kind, good).unwrap();
                assert!(!out.contains("NaN") && !out.contains("inf"), "{good:?}: {out}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn an_axis_ceiling_is_finite_positive_and_above_any_drawable_maximum(bits in proptest::num::u64::ANY) {
            let max = f64::from_bits(bits);
            let c = nice_ceiling(max);
            proptest::prop_assert!(c.is_finite() && c > 0.0, "{max} → {c}");
            if max.is_finite() && max > 0.0 && max <= LARGEST * 1.04 {
                proptest::prop_assert!(c >= max, "{max} → {c}");
            }
        }

        #[test]
        fn any_values_draw_or_fail_without_hanging(values in proptest::collection::vec(proptest::num::f64::ANY, 1..5)) {
            if let Ok(out) = draw(Kind::Bar, &values) {
                proptest::prop_assert!(!out.contains("NaN"));
            }
        }
    }

    #[test]
    fn adjacent_series_differ_by_three_to_one_and_their_ink_by_four_and_a_half() {
        for i in 0..SWATCHES.len() {
            let (a, b) = (SWATCHES[i], SWATCHES[(i + 1) % SWATCHES.len()]);
            assert!(
                contrast(a.fill, b.fill) >= 3.0,
                "series {i} and {} differ by {:.2}",
                i + 1,
                contrast(a.fill, b.fill)
            );
            assert!(contrast(a.fill, a.ink) >= 4.5, "ink on series {i}: {:.2}", contrast(a.fill, a.ink));
            assert!(contrast(a.fill, DARK_INK) >= 3.0 || contrast(WHITE, DARK_INK) >= 3.0);
        }
        for c in LINE_COLOURS {
            assert!(contrast(c, WHITE) >= 4.5);
        }
        assert!(contrast(DARK_INK, WHITE) >= 4.5 && contrast(AXIS, WHITE) >= 4.5);
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(141.0), 150.0);
        assert_eq!(nice_ceiling(983.0), 1000.0);
        assert_eq!(nice_ceiling(101.5), 120.0);
        assert_eq!(nice_ceiling(23.0), 25.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
    }

    /// The x of each marker of `colour` (`#RRGGBB`), left to right.
    fn marker_xs(svg: &str, colour: &str) -> Vec<f64> {
        svg.split("<circle ")
            .skip(1)
            .filter(|c| c.contains("r=\"5\"") && c.contains(&format!("fill=\"{colour}\"")))
            .filter_map(|c| c.split("cx=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect()
    }

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    fn line(years: &[f64], values: &[Option<f64>]) -> ChartData {
        ChartData {
            categories: years.iter().map(|y| y.to_string()).collect(),
            series: vec![Series { name: "S".into(), values: values.to_vec() }],
            positions: Some(years.to_vec()),
            marks: Default::default(),
            looks: Vec::new(),
        }
    }

    #[test]
    fn years_lie_on_the_axis_in_proportion_to_their_distance() {
        for (years, layout) in [
            (vec![2012.0, 2020.0, 2040.0], Layout::wide(300)),
            (vec![2022.0, 2023.0, 2024.0, 2027.0], Layout::narrow(300)),
            (vec![1990.0, 1991.0, 2030.0], Layout::wide(400)),
        ] {
            let values: Vec<Option<f64>> = (0..years.len()).map(|i| Some(10.0 + i as f64)).collect();
            let drawn = svg(&spec(Kind::Line), &line(&years, &values), Lang::Nb, layout).unwrap();
            let xs = marker_xs(&drawn, &hex(LINE_COLOURS[0]));
            assert_eq!(xs.len(), years.len(), "{drawn}");
            let span = years[years.len() - 1] - years[0];
            for (x, year) in xs.iter().zip(&years) {
                let want = (year - years[0]) / span;
                let got = (x - xs[0]) / (xs[xs.len() - 1] - xs[0]);
                // Pixels are whole numbers: within one pixel of the true place.
                assert!((want - got).abs() * (xs[xs.len() - 1] - xs[0]) <= 1.0, "{year}: {got} of the way, not {want}");
            }
        }
    }

    #[test]
    fn categories_that_are_not_rising_numbers_are_spaced_equally() {
        let mut data = line(&[2020.0, 2010.0, 2030.0], &[Some(1.0), Some(2.0), Some(3.0)]);
        let equal = |data: &ChartData| {
            let xs =
                marker_xs(&svg(&spec(Kind::Line), data, Lang::Nb, Layout::wide(300)).unwrap(), &hex(LINE_COLOURS[0]));
            (xs[1] - xs[0] - (xs[2] - xs[1])).abs() <= 1.0
        };
        assert!(equal(&data));
        data.positions = None;
        assert!(equal(&data));
    }

    #[test]
    fn a_missing_value_is_a_gap_in_the_line_not_a_bridge() {
        let years = [2019.0, 2020.0, 2021.0, 2022.0, 2023.0];
        let data = line(&years, &[Some(5.0), None, Some(7.0), Some(8.0), None]);
        let drawn = svg(&spec(Kind::Line), &data, Lang::Nb, Layout::wide(300)).unwrap();
        let colour = hex(LINE_COLOURS[0]);
        let lines: Vec<&str> =
            drawn.split("<polyline ").skip(1).filter(|l| l.contains(&format!("stroke=\"{colour}\""))).collect();
        // 2019 alone, then 2021–2022: one line of two points, and a marker for 2019.
        assert_eq!(lines.len(), 1, "{drawn}");
        assert_eq!(
            lines[0].split("points=\"").nth(1).unwrap().split('"').next().unwrap().split_whitespace().count(),
            2
        );
        assert_eq!(marker_xs(&drawn, &colour).len(), 3);
    }

    #[test]
    fn a_series_with_a_look_of_its_own_keeps_it_wherever_it_stands() {
        let done = Look { fill: (0x06, 0x6E, 0x14), pattern: 4 };
        let adopted = Look { fill: (0x00, 0x62, 0xBA), pattern: 0 };
        let chart = |looks: Vec<Option<Look>>| {
            let data = ChartData {
                categories: vec!["HM".into(), "KI".into()],
                series: (0..looks.len())
                    .map(|i| Series { name: format!("S{i}"), values: vec![Some(1.0), Some(2.0)] })
                    .collect(),
                looks,
                ..ChartData::default()
            };
            svg(&spec(Kind::StackedHBar), &data, Lang::Nb, Layout::wide(300)).unwrap()
        };
        for drawn in [chart(vec![Some(done)]), chart(vec![Some(adopted), Some(done)])] {
            assert!(drawn.contains("fill=\"#066E14\""), "done is green wherever it stands");
            // Not the colours the series would get by position.
            assert!(!drawn.contains(&format!("fill=\"{}\"", hex(SWATCHES[1].fill))), "{drawn}");
        }
    }

    #[test]
    fn the_markup_is_tidied_but_text_is_left_alone() {
        let svg = "<svg><text x=\"12.000000000000002\" font-size=\"13.000000000000002\" opacity=\"1\">1.23456 og 0.5</text><line x1=\"3.14159\" y1=\"2.5\"/></svg>";
        assert_eq!(
            tidy(svg),
            "<svg><text x=\"12\" font-size=\"13\">1.23456 og 0.5</text><line x1=\"3.14\" y1=\"2.5\"/></svg>"
        );
        let drawn = draw(Kind::Bar, &[1.0, 2.0]).unwrap();
        assert!(!drawn.contains("0000000") && !drawn.contains("opacity=\"1\""), "{drawn}");
    }

    #[test]
    fn values_on_bars_are_as_large_as_body_text_on_a_phone() {
        // The narrow drawing is 380 wide and shown about 343 px wide at 375 px: a
        // label of 20 units is 18 px, the body text's size.
        let mut spec = spec(Kind::StackedBar);
        spec.series = Some("s".into());
        let data = ChartData {
            categories: vec!["2012".into(), "2020".into()],
            series: vec![
                Series { name: "A".into(), values: vec![Some(47.0), Some(46.0)] },
                Series { name: "B".into(), values: vec![Some(43.0), Some(38.0)] },
            ],
            ..ChartData::default()
        };
        let narrow = svg(&spec, &data, Lang::Nb, Layout::narrow(400)).unwrap();
        let sized = |text: &str| {
            narrow
                .split("<text ")
                .skip(1)
                .filter(|t| t.split('>').nth(1).is_some_and(|body| body.trim().starts_with(text)))
                .filter_map(|t| t.split("font-size=\"").nth(1)?.split('"').next()?.parse::<f64>().ok())
                .collect::<Vec<f64>>()
        };
        // (Values that are no tick of the axis, whose labels are smaller.)
        for value in ["47", "46", "43", "38"] {
            let sizes = sized(value);
            assert!(!sizes.is_empty() && sizes.iter().all(|&s| s >= 20.0), "{value}: {sizes:?}");
        }
    }

    #[test]
    fn each_pattern_is_defined_once_per_drawing_and_named_apart_on_the_page() {
        let mut spec = spec(Kind::StackedBar);
        spec.series = Some("s".into());
        let data = ChartData {
            categories: vec!["2012".into(), "2020".into(), "2040".into()],
            series: (0..3).map(|s| Series { name: format!("S{s}"), values: vec![Some(10.0 + s as f64); 3] }).collect(),
            ..ChartData::default()
        };
        let drawn = svg(&spec, &data, Lang::Nb, Layout::wide(300)).unwrap();
        // Series 1 and 2 are hatched and dotted: two patterns, each box filled with its
        // own (three bars and the legend's swatch), and no hatching drawn line by line.
        assert_eq!(drawn.matches("<pattern ").count(), 2, "{drawn}");
        assert_eq!(drawn.matches("fill=\"url(#innsyn-pattern-0)\"").count(), 4, "{drawn}");
        assert_eq!(drawn.matches("fill=\"url(#innsyn-pattern-1)\"").count(), 4, "{drawn}");
        assert!(!drawn.contains("#01FE"), "no marker colour is left");
        assert!(drawn.matches("<polyline").count() < 40, "{drawn}");
        // Two drawings on one page name their patterns apart.
        let (w, n) = (
            crate::charts::accessible_svg(&drawn, "c1-w", "T", "D", "chart-wide", false),
            crate::charts::accessible_svg(&drawn, "c1-n", "T", "D", "chart-narrow", false),
        );
        assert!(w.contains("id=\"c1-w-pattern-0\"") && w.contains("url(#c1-w-pattern-0)"));
        assert!(n.contains("id=\"c1-n-pattern-0\"") && !n.contains("c1-w-pattern"));
    }
}
