//! National statistics files read as published, on the fixture site
//! `tests/fixtures/build/data_formats`: a JSON-stat 2.0 dataset and collection
//! (`befolkning.json`, `samling.json`) and a Windows-1252 PC-Axis file
//! (`sysselsatte.px`) and an XLSX and an ODS workbook (`barnehage.xlsx`,
//! `barnehage.ods`, made by `make_workbooks.py`), each compared cell by cell with what
//! an independent reader makes of the same file (Python's pyjstat, pyaxis, and
//! pandas with openpyxl and odfpy), and each charted: a chart on them draws exactly
//! what the same chart draws on the same figures as CSV.

mod common;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{describe_output, tools_dir, tools_required};
use innsyn::data::{parse, parse_provenance, parse_with, Cell, Table};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/data_formats")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture().join("data").join(name)).unwrap()
}

/// A Python with `module`, from `.tools/python` (where `scripts/test` installs it)
/// or the system's; `None` (after failing the test when tools are required) when
/// there is none.
fn python_with(module: &str, test: &str) -> Option<PathBuf> {
    let candidates = [tools_dir().join("python/bin/python3"), PathBuf::from("python3")];
    let found = candidates.into_iter().find(|python| {
        Command::new(python).args(["-c", &format!("import {module}")]).output().is_ok_and(|out| out.status.success())
    });
    if found.is_none() {
        if tools_required() {
            panic!("{test} needs Python's {module}. Run ./scripts/test (it installs it in .tools/python).");
        }
        let _ = writeln!(
            io::stderr().lock(),
            "\n!!!!! SKIPPED: {test}: missing Python's {module} (run ./scripts/test to install) !!!!!\n"
        );
    }
    found
}

/// Runs `script` with `args`; its stdout, one tab-separated row a line.
fn python_rows(python: &Path, script: &str, args: &[&str]) -> Vec<Vec<String>> {
    let out = Command::new(python).args(["-W", "ignore", "-c", script]).args(args).output().unwrap();
    assert!(out.status.success(), "the Python reader failed:\n{}", describe_output(&out));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| l.split('\t').map(str::to_string).collect()).collect()
}

/// A cell as the comparisons write it: numbers to 6 decimals, missing as empty.
fn shown(cell: Cell) -> String {
    match cell {
        Cell::Number(v) => format!("{v:.6}"),
        Cell::Missing => String::new(),
        Cell::Text(t) => t.to_string(),
    }
}

fn column(t: &Table, name: &str) -> usize {
    t.column(name).unwrap_or_else(|| panic!("no column `{name}` in {:?}", t.column_names()))
}

/// pyjstat's table of every dataset in a file: per row, the dimensions' labels, then
/// their codes, then the value (`nan` as empty). A collection's embedded datasets
/// inherit its version, which pyjstat needs on each.
const PYJSTAT: &str = r#"
import json, math, sys
from pyjstat import pyjstat
d = json.load(open(sys.argv[1], encoding="utf-8"))
items = d["link"]["item"] if d.get("class") == "collection" else [d]
item = dict(items[int(sys.argv[2])], version="2.0")
ds = pyjstat.Dataset.read(json.dumps(item))
by_label = ds.write("dataframe")
by_id = ds.write("dataframe", naming="id")
print("\t".join(list(by_label.columns[:-1]) + list(by_id.columns[:-1])))
for (_, a), (_, b) in zip(by_label.iterrows(), by_id.iterrows()):
    v = a["value"]
    value = "" if v is None or (isinstance(v, float) and math.isnan(v)) else "%.6f" % float(v)
    print("\t".join([str(x) for x in list(a)[:-1]] + [str(x) for x in list(b)[:-1]] + [value]))
"#;

fn compare_with_pyjstat(python: &Path, file: &str, dataset: usize) {
    let path = fixture().join("data").join(file);
    let rows = python_rows(python, PYJSTAT, &[path.to_str().unwrap(), &dataset.to_string()]);
    let sidecar = parse_provenance("x.toml", &format!("dataset = {}", dataset + 1)).unwrap();
    let t = if file == "samling.json" {
        parse_with(&format!("data/{file}"), &read(file), &sidecar).unwrap()
    } else {
        parse(&format!("data/{file}"), &read(file)).unwrap()
    };
    let (header, rows) = rows.split_first().unwrap();
    let dims = header.len() / 2;
    let labels: Vec<usize> = header[..dims].iter().map(|n| column(&t, n)).collect();
    let codes: Vec<usize> = header[..dims].iter().map(|n| column(&t, &format!("{n} (kode)"))).collect();
    let value = column(&t, "verdi");
    assert_eq!(t.row_count(), rows.len(), "{file} #{dataset}: row count");
    assert!(!rows.is_empty());
    for (r, theirs) in rows.iter().enumerate() {
        let mut ours: Vec<String> = labels.iter().map(|&c| t.raw(r, c).to_string()).collect();
        ours.extend(codes.iter().map(|&c| t.raw(r, c).to_string()));
        ours.push(shown(t.cell(r, value)));
        assert_eq!(&ours, theirs, "{file} #{dataset}, row {r}");
    }
}

#[test]
fn json_stat_datasets_and_collections_read_as_pyjstat_reads_them() {
    let Some(python) = python_with("pyjstat", "json_stat_datasets_and_collections_read_as_pyjstat_reads_them") else {
        return;
    };
    compare_with_pyjstat(&python, "befolkning.json", 0);
    compare_with_pyjstat(&python, "samling.json", 0);
    compare_with_pyjstat(&python, "samling.json", 1);
}

/// pyaxis's table: the variables' values, then the figure as written (its quotes
/// taken off, a data symbol shown as its DATASYMBOL says, `..` for what pyaxis makes
/// NaN and `.` for what it makes empty, as its defaults say).
const PYAXIS: &str = r#"
import contextlib, io, math, sys
from pyaxis import pyaxis
with contextlib.redirect_stdout(io.StringIO()):  # it prints "Multilingual PX file"
    px = pyaxis.parse(uri=sys.argv[1], encoding="windows-1252")
meta, data = px["METADATA"], px["DATA"]
symbols = {"." * n: meta.get("DATASYMBOL%d" % n, ["." * n])[0] for n in range(1, 7)}
symbols["-"] = meta.get("DATASYMBOLNIL", ["-"])[0]
print("\t".join(data.columns))
for _, row in data.iterrows():
    v = row["DATA"]
    if isinstance(v, float) and math.isnan(v):
        v = symbols[".."]
    elif v == "":
        v = symbols["."]
    else:
        v = v.strip('"')
        v = symbols.get(v, v)
        try:
            v = "%.6f" % float(v)
        except ValueError:
            pass
    print("\t".join([str(x) for x in list(row)[:-1]] + [v]))
"#;

#[test]
fn pc_axis_files_read_as_pyaxis_reads_them() {
    let Some(python) = python_with("pyaxis", "pc_axis_files_read_as_pyaxis_reads_them") else {
        return;
    };
    let path = fixture().join("data/sysselsatte.px");
    let rows = python_rows(&python, PYAXIS, &[path.to_str().unwrap()]);
    let t = parse("data/sysselsatte.px", &read("sysselsatte.px")).unwrap();
    let (header, rows) = rows.split_first().unwrap();
    let variables: Vec<usize> = header[..header.len() - 1].iter().map(|n| column(&t, n)).collect();
    let (value, status) = (column(&t, "verdi"), column(&t, "status"));
    assert_eq!(t.row_count(), rows.len());
    for (r, theirs) in rows.iter().enumerate() {
        let mut ours: Vec<String> = variables.iter().map(|&c| t.raw(r, c).to_string()).collect();
        // A figure is compared as a number; a data symbol as the symbol shown.
        ours.push(match (t.raw(r, status), t.cell(r, value)) {
            ("", cell) => shown(cell),
            (symbol, _) => symbol.to_string(),
        });
        assert_eq!(&ours, theirs, "row {r}");
    }
}

#[test]
fn json_stat_cells_keep_codes_labels_symbols_units_and_provenance() {
    let t = parse("data/befolkning.json", &read("befolkning.json")).unwrap();
    assert_eq!(
        t.column_names(),
        [
            "region",
            "region (kode)",
            "kjønn",
            "kjønn (kode)",
            "statistikkvariabel",
            "statistikkvariabel (kode)",
            "år",
            "år (kode)",
            "verdi",
            "status",
            "enhet"
        ]
    );
    let (value, code) = (column(&t, "verdi"), column(&t, "region (kode)"));
    assert_eq!(t.cell(12, code), Cell::Text("0993"), "a code keeps its leading zero");
    assert_eq!(t.raw(5, value), "..", "a null value keeps its status symbol");
    assert_eq!(t.raw(13, value), ":");
    assert_eq!(t.cell(14, value), Cell::Number(0.0));
    assert_eq!(t.raw(17, value), "89*", "a provisional figure is marked as in SSB's CSV");
    assert_eq!(t.raw(0, column(&t, "enhet")), "personer");
    assert_eq!(t.title.as_deref(), Some("Befolkning 1. januar, etter region, kjønn, statistikkvariabel og år"));
    assert_eq!(t.provenance.source, "Oppdiktede tall for Fjellregionen");
    assert_eq!((t.provenance.table_id.as_str(), t.provenance.published.as_str()), ("99901", "2026-03-02"));
    assert_eq!(t.provenance.notes, "Enhet: personer.");

    let second = parse_provenance("x.toml", "dataset = \"Areal\"").unwrap();
    let t = parse_with("data/samling.json", &read("samling.json"), &second).unwrap();
    assert_eq!(t.raw(1, column(&t, "verdi")), "97.0", "decimals from the metric's unit");
    assert_eq!(t.provenance.notes, "Enhet: kvadratkilometer.");
}

#[test]
fn pc_axis_cells_keep_codes_symbols_decimals_and_provenance() {
    let t = parse("data/sysselsatte.px", &read("sysselsatte.px")).unwrap();
    assert_eq!(
        t.column_names(),
        [
            "region",
            "region (kode)",
            "næring",
            "næring (kode)",
            "statistikkvariabel",
            "statistikkvariabel (kode)",
            "år",
            "år (kode)",
            "verdi",
            "status",
            "enhet"
        ]
    );
    let value = column(&t, "verdi");
    assert_eq!(t.raw(16, column(&t, "region (kode)")), "0993");
    assert_eq!(t.raw(6, value), "..");
    assert_eq!(t.raw(10, value), ":", "DATASYMBOL3 says what `\"...\"` means");
    assert_eq!(t.cell(9, value), Cell::Number(0.0), "DATASYMBOLNIL is a true zero");
    assert_eq!(t.raw(11, value), "45.0", "PRECISION gives the share one decimal");
    assert_eq!(t.raw(11, column(&t, "enhet")), "prosent");
    assert_eq!(t.title.as_deref(), Some("Sysselsatte, etter region, næring, statistikkvariabel og år"));
    assert_eq!(t.notes, ["Fjellregionen og kommunene i den finnes ikke; tallene er laget for testene."]);
    let p = &t.provenance;
    assert_eq!(p.source, "Oppdiktet statistikkbyrå for Fjellregionen");
    assert_eq!((p.table_id.as_str(), p.published.as_str()), ("99902", "2026-03-02"));
    assert_eq!(p.notes, "Enheter: personer, prosent.");
}

/// pandas's grid of a workbook's sheet «Tall» (no header: the rows as they are),
/// from its own readers (openpyxl for XLSX, odfpy for ODS): per row its 1-based row
/// number, then the cells (numbers to 6 decimals, dates as `YYYY-MM-DD`, empty as
/// empty).
const PANDAS: &str = r#"
import datetime, math, sys
import pandas
engine = "odf" if sys.argv[1].endswith(".ods") else "openpyxl"
grid = pandas.read_excel(sys.argv[1], sheet_name="Tall", header=None, engine=engine, dtype=object)
def text(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, (int, float)):
        return "%.6f" % v
    return str(v).strip()
for i, row in grid.iterrows():
    cells = [text(v) for v in row]
    while cells and cells[-1] == "":
        cells.pop()
    print("\t".join([str(i + 1)] + cells))
"#;

#[test]
fn xlsx_and_ods_sheets_read_as_pandas_reads_them() {
    let Some(python) = python_with("openpyxl, odf, pandas", "xlsx_and_ods_sheets_read_as_pandas_reads_them") else {
        return;
    };
    for (file, sidecar) in [("barnehage.xlsx", "sheet = \"Tall\""), ("barnehage.ods", "sheet = 2\nheader_row = 3")] {
        let path = fixture().join("data").join(file);
        let grid: BTreeMap<usize, Vec<String>> = python_rows(&python, PANDAS, &[path.to_str().unwrap()])
            .into_iter()
            .map(|mut row| (row.remove(0).parse().unwrap(), row))
            .collect();
        let t =
            parse_with(&format!("data/{file}"), &read(file), &parse_provenance("x.toml", sidecar).unwrap()).unwrap();
        assert_eq!(t.title.as_deref(), grid[&1].first().map(String::as_str), "{file}: the title row");
        assert_eq!(t.column_names(), grid[&3], "{file}: the header row");
        assert_eq!(t.row_count(), 6, "{file}");
        for r in 0..t.row_count() {
            let ours: Vec<String> = (0..t.columns.len())
                .map(|c| match t.cell(r, c) {
                    Cell::Missing => t.raw(r, c).to_string(),
                    cell => shown(cell),
                })
                .collect();
            assert_eq!(ours, grid[&t.row_line(r)], "{file}, sheet row {}", t.row_line(r));
        }
        assert_eq!(t.notes, [grid[&11][0].as_str(), grid[&12][0].as_str()], "{file}: the note rows");
    }
}

fn build() -> BTreeMap<String, String> {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["build", "--quiet", "--root"])
        .arg(fixture())
        .arg("--output")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    walkdir::WalkDir::new(out.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e.path().strip_prefix(out.path()).unwrap().to_string_lossy().replace('\\', "/");
            (name, String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned())
        })
        .collect()
}

/// The `<figure>` elements of a page.
fn figures(html: &str) -> Vec<&str> {
    html.match_indices("<figure class=\"chart")
        .map(|(i, _)| &html[i..i + html[i..].find("</figure>").unwrap() + 9])
        .collect()
}

/// A figure's drawings and table, without what names it (ids, file links, source).
fn drawn(figure: &str) -> String {
    let start = figure.find("<div class=\"chart-graphic\">").unwrap();
    let end = figure.find("</details>").unwrap();
    let mut s = String::new();
    let mut rest = &figure[start..end];
    while let Some(i) = rest.find("innsyn-chart-") {
        s.push_str(&rest[..i]);
        s.push_str("ID");
        rest = rest[i + "innsyn-chart-".len()..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '-');
    }
    s.push_str(rest);
    s
}

#[test]
fn a_chart_on_any_of_the_formats_draws_what_it_draws_on_the_same_figures_as_csv() {
    let site = build();
    for page in ["jsonstat/index.html", "pcaxis/index.html"] {
        let figs = figures(&site[page]);
        assert!(figs.len() >= 2, "{page}");
        assert!(figs[0].contains("<svg"), "{page}");
        assert_eq!(drawn(figs[0]), drawn(figs[1]), "{page}: the chart on the national file and on the CSV differ");
    }
    let page = &site["jsonstat/index.html"];
    let figs = figures(page);
    // The file's provenance merged with the sidecar's licence and note.
    assert!(
        figs[0].contains("Kilde: Oppdiktede tall for Fjellregionen, tabell 99901, publisert 2026-03-02.")
            && figs[0].contains("NLOD 2.0")
            && figs[0].contains("Enhet: personer. Oppdiktede tall."),
        "{}",
        figs[0]
    );
    // The sidecar's `dataset` chooses the collection's dataset by its label.
    assert!(figs[2].contains("Sysselsatte i Fjellvik") && figs[2].contains("39,5*"), "{}", figs[2]);
    assert!(page.contains("<caption>Befolkning 1. januar"), "the table's caption is the dataset's label");
    let figs = figures(&site["regneark/index.html"]);
    assert_eq!(figs.len(), 3);
    assert_eq!(drawn(figs[0]), drawn(figs[1]), "the chart on the XLSX sheet and on the CSV differ");
    assert_eq!(drawn(figs[2]), drawn(figs[1]), "the chart on the ODS sheet and on the CSV differ");
    let page = &site["pcaxis/index.html"];
    assert!(page.contains("<b>:</b> Vises ikke av konfidensialitetshensyn"), "the PX symbol keeps its meaning");
    assert!(site.contains_key("data/sysselsatte.px") && site.contains_key("data/befolkning.json"));
}

/// A byte changed where calamine then overflows a cell address (found by the
/// property below): an error about the file, not a panic.
#[test]
fn a_workbook_that_makes_the_reader_overflow_is_an_error() {
    let mut bytes = read("barnehage.xlsx");
    let at = 2376 % bytes.len();
    bytes[at] = 108;
    let errors = parse("data/barnehage.xlsx", &bytes).expect_err("a damaged workbook");
    assert!(errors.0.iter().all(|e| e.hint.is_some()), "{errors}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Damaged national files and workbooks (bytes changed, cut short) are read or refused with
    /// errors at a place in the file, never a panic.
    #[test]
    fn damaged_national_files_and_workbooks_never_panic(
        which in 0usize..5,
        edits in proptest::collection::vec((0usize..4000, proptest::prelude::any::<u8>()), 1..6),
        cut in 0usize..4000,
    ) {
        let name = ["befolkning.json", "samling.json", "sysselsatte.px", "barnehage.xlsx", "barnehage.ods"][which];
        let mut bytes = read(name);
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        if cut < bytes.len() && cut % 3 == 0 {
            bytes.truncate(cut);
        }
        match parse(&format!("data/{name}"), &bytes) {
            Ok(t) => {
                for r in 0..t.row_count() {
                    proptest::prop_assert_eq!(t.row(r).len(), t.columns.len());
                }
            }
            Err(errors) => {
                for e in &errors.0 {
                    // A workbook that is no longer a zip archive is wrong as a whole.
                    proptest::prop_assert!(e.line.is_some() || name.ends_with("xlsx") || name.ends_with("ods"), "{}", e);
                    proptest::prop_assert!(e.hint.is_some(), "{}", e);
                }
            }
        }
    }
}
