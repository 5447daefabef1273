//! The chart and table shortcodes on the fixture site `tests/fixtures/build/charts`:
//! every chart kind, SSB-style Latin-1 data, escaping of hostile cells, and the
//! drawing itself (bar heights proportional to the values).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn build() -> (tempfile::TempDir, BTreeMap<String, String>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/charts");
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["build", "--quiet", "--root"])
        .arg(&root)
        .arg("--output")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = walkdir::WalkDir::new(out.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (rel(out.path(), e.path()), String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned()))
        .collect();
    (out, files)
}

fn rel(base: &Path, p: &Path) -> String {
    p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/")
}

/// The `<figure>` elements of a page.
fn figures(html: &str) -> Vec<&str> {
    html.match_indices("<figure class=\"chart")
        .map(|(i, _)| &html[i..i + html[i..].find("</figure>").unwrap() + 9])
        .collect()
}

/// Heights of the `<rect>`s filled with `colour`, in document order.
fn rect_heights(svg: &str, colour: &str) -> Vec<f64> {
    svg.split("<rect")
        .skip(1)
        .filter(|r| r.contains(&format!("fill=\"{colour}\"")))
        .filter_map(|r| {
            let h = r.split("height=\"").nth(1)?.split('"').next()?;
            h.parse().ok()
        })
        .collect()
}

#[test]
fn every_chart_kind_renders_with_title_description_table_source_and_downloads() {
    let (_o, f) = build();
    let page = &f["alle/index.html"];
    let figs = figures(page);
    assert_eq!(figs.len(), 5);
    for (fig, kind) in figs.iter().zip(["bar", "grouped-bar", "stacked-bar", "hbar", "line"]) {
        assert!(fig.contains(&format!("class=\"chart chart-{kind}\"")), "{kind}");
        assert_eq!(fig.matches("role=\"img\"").count(), 2, "a wide and a narrow drawing: {kind}");
        assert!(fig.contains("<title id=") && fig.contains("<desc id="), "{kind}");
        assert!(fig.contains("<th scope=\"col\"") && fig.contains("<th scope=\"row\""), "{kind}");
        assert!(fig.contains("href=\"../data/"), "a download link to the data: {kind}");
        assert!(fig.contains(".svg\" download>"), "a download link to the standalone SVG: {kind}");
    }
    for svg in [
        "alle/soyler.svg",
        "alle/grupperte-soyler.svg",
        "alle/stablede-soyler.svg",
        "alle/liggende-soyler.svg",
        "alle/linjer.svg",
    ] {
        let s = &f[svg];
        assert!(
            s.starts_with("<?xml")
                && s.contains("xmlns=\"http://www.w3.org/2000/svg\"")
                && s.contains("<title id=\"chart-title\">"),
            "{svg}"
        );
    }
    assert!(
        f.contains_key("data/ssb.csv") && f.contains_key("data/ssb.csv.toml"),
        "data files are copied for download"
    );
    insta::assert_snapshot!("bar_figure", figs[0]);
    insta::assert_snapshot!("bar_svg", f["alle/soyler.svg"]);
    insta::assert_snapshot!("stacked_svg", f["alle/stablede-soyler.svg"]);
}

#[test]
fn bar_heights_are_proportional_to_the_values() {
    let (_o, f) = build();
    // enkel.csv holds A=10, B=20, C=40; the first series is filled #0062BA.
    let h = rect_heights(&f["alle/soyler.svg"], "#0062BA");
    assert_eq!(h.len(), 3, "{h:?}");
    assert!((h[1] / h[0] - 2.0).abs() < 0.05 && (h[2] / h[0] - 4.0).abs() < 0.05, "{h:?}");
}

#[test]
fn ssb_exports_in_latin_1_with_decimal_commas_are_read() {
    let (_o, f) = build();
    let page = &f["alle/index.html"];
    assert!(page.contains("Årsverk") && page.contains("5034 Meråker"), "Latin-1 decoded");
    // 1 234,5 is drawn and tabled in Norwegian format with a no-break space.
    assert!(page.contains("1\u{a0}234,5"), "numbers in the page language's format");
    assert!(page.contains("Kilde: Statistisk sentralbyrå (oppdiktet testtabell), tabell 99999, publisert 2024-03-05."));
    assert!(page.contains("<a href=\"https://data.norge.no/nlod/no/2.0\">NLOD 2.0</a>"));
    // The table shortcode: the filter picks Meråker's rows; codes keep their leading text.
    let table = &page[page.find("<caption>Meråker</caption>").unwrap()..];
    assert_eq!(table[..table.find("</table>").unwrap()].matches("<tr>").count(), 3, "header and two rows");
}

#[test]
fn the_long_description_is_in_the_page_language() {
    let (_o, f) = build();
    assert!(f["nynorsk/index.html"].contains("Høgaste verdi er 40 (C), lågaste er 10 (A)."));
    assert!(f["alle/index.html"].contains("Høyeste verdi er 40 (C), laveste er 10 (A)."));
}

#[test]
fn text_from_data_is_escaped_in_svg_html_tables_and_descriptions() {
    let (_o, f) = build();
    for file in ["farlig/index.html", "farlig/skript-i-dataene.svg"] {
        let s = &f[file];
        assert!(!s.contains("<script>") && !s.contains("<img src=x"), "{file} carries raw markup from data");
        assert!(s.contains("&lt;script&gt;"), "{file}");
    }
}

/// The `<td>`s of a table's rows, by row.
fn cells(table: &str) -> Vec<Vec<String>> {
    table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|c| c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()].to_string())
                .collect()
        })
        .collect()
}

#[test]
fn ssb_symbols_keep_their_meanings_in_the_chart_the_table_and_the_description() {
    let (_o, f) = build();
    let page = &f["symboler/index.html"];
    let fig = figures(page)[0];
    // In the chart's own table: `-` is zero, the marks stay, `*` stays, each explained.
    let rows = cells(fig);
    let column: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(column, ["..", "0", ":", "13,1*", "...", "7,5"]);
    for meaning in [
        "Tallgrunnlag mangler",
        "Vises ikke av konfidensialitetshensyn",
        "Tall kan ikke offentliggjøres",
        "Foreløpige tall",
    ] {
        assert!(fig.contains(&format!(" {meaning}")), "{meaning} explained: {fig}");
    }
    assert!(fig.contains("class=\"data-notes\""), "{fig}");
    // The long description says which values are missing, and why.
    assert!(fig.contains("Tallgrunnlag mangler: 2019."), "{fig}");
    assert!(fig.contains("Foreløpige tall: 2022."), "{fig}");
    // Missing values are gaps, never zeros or bridges: every value here has a missing
    // neighbour, so the series is three markers (0, 13,1 and 7,5) and no line.
    let svg = &f["symboler/sykefravaer-i-fjellvik.svg"];
    assert_eq!(svg.matches("r=\"5\" fill=\"#0062BA\"").count(), 3, "{svg}");
    assert!(!svg.contains("stroke=\"#0062BA\" stroke-width=\"3\""), "{svg}");
    // The table shortcode keeps the percent sign and the marks.
    let table = &page[page.find("Tall med SSBs symboler").unwrap()..];
    let rows = cells(table);
    assert_eq!(rows[0][1], "..");
    assert_eq!(rows[0][2], "81,0\u{a0}%");
    assert_eq!(rows[3][1], "13,1*");
    assert!(table.contains("Tallgrunnlag mangler"), "{table}");
}

/// The x of each series marker (radius 5) of `colour`, left to right.
fn marker_xs(svg: &str, colour: &str) -> Vec<f64> {
    svg.split("<circle ")
        .skip(1)
        .filter(|c| c.contains("r=\"5\"") && c.contains(&format!("fill=\"{colour}\"")))
        .filter_map(|c| c.split("cx=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect()
}

#[test]
fn dates_and_ssb_period_codes_lie_on_a_time_axis_in_time_order() {
    let (_o, f) = build();
    // 2024M01, 2024M02 and 2024M06 (written out of order): sorted, and June lies
    // five months after January, where February lies one.
    let months = marker_xs(&f["tid/ledige-stillinger-per-maned.svg"], "#0062BA");
    assert_eq!(months.len(), 3);
    let share = (months[1] - months[0]) / (months[2] - months[0]);
    assert!((share - 1.0 / 5.0).abs() < 0.02, "February at {share} of the way to June, not 1/5");
    // 14.03.2024, 2024-03-24 and 03.04.2024: 10 days, then 10 more.
    let days = marker_xs(&f["tid/besok-per-dag.svg"], "#0062BA");
    let share = (days[1] - days[0]) / (days[2] - days[0]);
    assert!((share - 0.5).abs() < 0.02, "{share}");
    let page = &f["tid/index.html"];
    assert!(page.contains("for måned 2024M01–2024M06"), "a time range in the description");
}

#[test]
fn small_multiples_draw_one_chart_per_value_on_one_scale() {
    let (_o, f) = build();
    let page = &f["fasetter/index.html"];
    let fig = figures(page)[0];
    assert!(fig.contains("class=\"chart chart-bar chart-facets\""), "{fig}");
    assert_eq!(fig.matches("class=\"chart-facet\"").count(), 2, "a chart for Alfa and one for Beta");
    assert!(
        fig.contains("2 små diagrammer, ett for hver kommune (Alfa og Beta), på samme skala fra 0 til 100."),
        "{fig}"
    );
    let (alfa, beta) = (&f["fasetter/verdi-per-kommune-alfa.svg"], &f["fasetter/verdi-per-kommune-beta.svg"]);
    // The same axis: the same top tick in both, though Alfa's values are small.
    for svg in [alfa, beta] {
        assert!(svg.contains("\n100\n</text>"), "{svg}");
    }
    // And bar heights in proportion across the charts: 80 is eight times 10.
    let colour = "#0062BA";
    let (a, b) = (rect_heights(alfa, colour), rect_heights(beta, colour));
    assert!((b[0] / a[0] - 8.0).abs() < 0.3, "{a:?} {b:?}");
    assert_eq!(fig.matches("download>Last ned figuren (SVG): ").count(), 2);
}

/// (x, width) of the bars (`<rect>`s over 20 high) filled with `colour`, in
/// document order: not the legend's swatch or a label's background.
fn rect_spans(svg: &str, colour: &str) -> Vec<(f64, f64)> {
    let attr = |r: &str, name: &str| -> Option<f64> {
        r.split(&format!(" {name}=\"")).nth(1)?.split('"').next()?.parse().ok()
    };
    svg.split("<rect")
        .skip(1)
        .filter(|r| r.contains(&format!("fill=\"{colour}\"")))
        .filter(|r| attr(r, "height").is_some_and(|h| h > 20.0))
        .filter_map(|r| Some((attr(r, "x")?, attr(r, "width")?)))
        .collect()
}

#[test]
fn a_pyramid_puts_one_series_left_and_one_right_of_a_shared_centre() {
    let (_o, f) = build();
    let svg = &f["pyramide/befolkning.svg"];
    // Menn (the first series, blue) to the left, Kvinner (yellow) to the right.
    // (Kvinner are hatched: their boxes fill with the drawing's first pattern.)
    let (left, right) = (rect_spans(svg, "#0062BA"), rect_spans(svg, "url(#chart-pattern-0)"));
    assert_eq!((left.len(), right.len()), (2, 2), "{svg}");
    let centre = left[0].0 + left[0].1;
    for &(x, w) in &left {
        assert!((x + w - centre).abs() <= 1.0, "menn end at the centre");
    }
    for &(x, _) in &right {
        assert!((x - centre).abs() <= 1.0, "kvinner start at the centre");
    }
    // 0–9: 100 men and 50 women; the bars in proportion, on one scale.
    assert!((left[0].1 / right[0].1 - 2.0).abs() < 0.05, "{left:?} {right:?}");
    assert!(f["pyramide/index.html"].contains("class=\"chart chart-pyramid\""));
}
