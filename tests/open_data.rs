//! Open data out (issue 18, point 4) on the fixture site
//! `tests/fixtures/build/open_data` (a fictional municipality): the DCAT-AP-NO
//! catalogue `data/catalog.jsonld`, read as RDF by an independent JSON-LD
//! processor (Python's rdflib, which `./scripts/test` installs), the mandates'
//! and goals' `index.json`, the links to both, and `check`'s warnings.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{percent_decoded, tools_dir, tools_required};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/open_data")
}

fn build(root: &Path) -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = walkdir::WalkDir::new(out.path())
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(out.path()).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    (out, files)
}

fn json(files: &BTreeMap<String, Vec<u8>>, path: &str) -> serde_json::Value {
    serde_json::from_slice(files.get(path).unwrap_or_else(|| panic!("no {path}"))).unwrap()
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files[path].clone()).unwrap()
}

/// Python with rdflib, from `.tools/python` or the system's.
fn python_with_rdflib(test: &str) -> Option<PathBuf> {
    let tools = tools_dir().join("python/bin/python3");
    let found = [tools, PathBuf::from("python3")].into_iter().find(|python| {
        Command::new(python).args(["-c", "import rdflib"]).output().is_ok_and(|out| out.status.success())
    });
    if found.is_none() {
        if tools_required() {
            panic!("{test} needs Python's rdflib. Run ./scripts/test (it installs it in .tools/python).");
        }
        let _ = writeln!(
            io::stderr().lock(),
            "\n!!!!! SKIPPED: {test}: missing Python's rdflib (run ./scripts/test to install) !!!!!\n"
        );
    }
    found
}

/// Reads the catalogue as JSON-LD into an RDF graph and prints, one a line,
/// what DCAT-AP-NO requires of it, so the test compares plain text.
const RDFLIB: &str = r#"
import sys
from rdflib import Graph, Namespace, URIRef, Literal
from rdflib.namespace import RDF, DCTERMS as DCT, FOAF
DCAT = Namespace("http://www.w3.org/ns/dcat#")
g = Graph()
g.parse(sys.argv[1], format="json-ld", publicID=sys.argv[2])
def one(s, p):
    vals = list(g.objects(s, p))
    return vals[0] if len(vals) == 1 else ("<%d values>" % len(vals))
def lit(v):
    return "%s@%s" % (v, v.language) if isinstance(v, Literal) and v.language else str(v)
cats = list(g.subjects(RDF.type, DCAT.Catalog))
print("catalogs", len(cats))
c = cats[0]
print("catalog", c)
print("catalog title", lit(one(c, DCT.title)))
print("catalog description", lit(one(c, DCT.description)))
pub = one(c, DCT.publisher)
print("publisher", pub, one(pub, RDF.type), lit(one(pub, FOAF.name)), one(pub, DCT.identifier))
for d in sorted(g.objects(c, DCAT.dataset)):
    print("dataset", d, one(d, RDF.type))
    print("  title", lit(one(d, DCT.title)))
    print("  has description", one(d, DCT.description) is not None)
    print("  identifier", one(d, DCT.identifier))
    print("  publisher", one(d, DCT.publisher) == pub)
    for p, name in [(DCT.issued, "issued"), (DCT.modified, "modified")]:
        for v in g.objects(d, p):
            print("  %s %s %s" % (name, v, v.datatype))
    for k in sorted(g.objects(d, DCAT.keyword)):
        print("  keyword", lit(k))
    for t in sorted(g.objects(d, DCAT.theme)):
        print("  theme", t)
    dist = one(d, DCAT.distribution)
    print("  distribution", one(dist, RDF.type))
    print("  access", one(dist, DCAT.accessURL))
    print("  download", one(dist, DCAT.downloadURL))
    for m in g.objects(dist, DCAT.mediaType):
        print("  media", m)
    for l in g.objects(dist, DCT.license):
        print("  licence", l)
"#;

#[test]
fn the_catalogue_is_json_ld_that_an_rdf_processor_reads_as_dcat_ap_no() {
    let (_out, files) = build(&fixture());
    let catalog = json(&files, "data/catalog.jsonld");
    assert_eq!(catalog["@type"], "dcat:Catalog");
    let Some(python) = python_with_rdflib("the_catalogue_is_json_ld_that_an_rdf_processor_reads_as_dcat_ap_no") else {
        return;
    };
    let path = _out.path().join("data/catalog.jsonld");
    let base = "https://data.fiktiv.example.org/innsyn/data/catalog.jsonld";
    let o = Command::new(&python).args(["-W", "ignore", "-c", RDFLIB]).arg(&path).arg(base).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = String::from_utf8(o.stdout).unwrap();
    let site = "https://data.fiktiv.example.org/innsyn/data/";
    for line in [
        "catalogs 1".to_string(),
        format!("catalog {site}catalog.jsonld"),
        "catalog title Åpne data i Fiktiv kommune@nb".into(),
        "publisher https://data.brreg.no/enhetsregisteret/api/enheter/123456785 http://xmlns.com/foaf/0.1/Agent Fiktiv kommune@nb 123456785".into(),
        format!("dataset {site}catalog.jsonld#sykefrav%C3%A6r%202024.csv http://www.w3.org/ns/dcat#Dataset"),
        "  title Sykefravær i «Fiktiv» kommune & omegn@nb".into(),
        "  issued 2024-02-01 http://www.w3.org/2001/XMLSchema#date".into(),
        "  modified 2024-03-15 http://www.w3.org/2001/XMLSchema#date".into(),
        "  keyword HMS@nb".into(),
        "  theme http://publications.europa.eu/resource/authority/data-theme/GOVE".into(),
        "  theme http://publications.europa.eu/resource/authority/data-theme/HEAL".into(),
        format!("  download {site}sykefrav%C3%A6r%202024.csv"),
        "  media https://www.iana.org/assignments/media-types/text/csv".into(),
        "  licence http://creativecommons.org/licenses/by/4.0/".into(),
        "  media https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
        "  media https://www.iana.org/assignments/media-types/application/vnd.oasis.opendocument.spreadsheet".into(),
        "  media https://www.iana.org/assignments/media-types/application/json".into(),
        // The sidecar's own address wins; the PC-Axis file without one gets the site's default.
        "  licence https://data.norge.no/nlod/no/2.0".into(),
        "  licence http://data.norge.no/nlod/no/2.0".into(),
    ] {
        assert!(report.lines().any(|l| l == line), "missing `{line}` in:\n{report}");
    }
    // Every data file (not the sidecars) is one dataset, each with everything required.
    let datasets = report.lines().filter(|l| l.starts_with("dataset ")).count();
    assert_eq!(datasets, 5, "{report}");
    for required in [
        "  has description True",
        "  publisher True",
        "  distribution http://www.w3.org/ns/dcat#Distribution",
        "  licence ",
    ] {
        assert_eq!(report.lines().filter(|l| l.starts_with(required)).count(), 5, "{required}:\n{report}");
    }
    // Each download address is a file the site publishes.
    for line in report.lines().filter_map(|l| l.strip_prefix("  download ")) {
        let name = line.strip_prefix(site).unwrap().replace("%C3%A6", "æ").replace("%20", " ");
        assert!(files.contains_key(&format!("data/{name}")), "{line}");
    }
}

#[test]
fn pages_link_the_catalogue_and_mandates_and_goals_link_their_json() {
    let (_out, files) = build(&fixture());
    let home = text(&files, "index.html");
    assert!(
        home.contains(r#"<link rel="alternate" type="application/ld+json" title="Datakatalog (DCAT-AP-NO)" href="data/catalog.jsonld">"#),
        "{home}"
    );
    assert!(!home.contains("Innholdet som data (JSON)"), "the home page is no mandate");
    let mandate = text(&files, "mandater/plattform/index.html");
    assert!(
        mandate.contains(
            r#"<link rel="alternate" type="application/json" title="Innholdet som data (JSON)" href="index.json">"#
        ),
        "{mandate}"
    );
    let goal = text(&files, "mal/sykefravar/index.html");
    assert!(goal.contains(r#"type="application/json" title="Innholdet som data (JSON)" href="index.json""#));
    // The chart's figures can be downloaded from the page.
    assert!(goal.contains("href=\"../../data/sykefrav%C3%A6r%202024.csv\""), "{goal}");
}

#[test]
fn a_mandates_json_holds_its_front_matter_escaped_and_versioned() {
    let (_out, files) = build(&fixture());
    let raw = text(&files, "mandater/plattform/index.json");
    let m = json(&files, "mandater/plattform/index.json");
    assert_eq!(m["format"], "innsyn-page");
    assert_eq!(m["version"], 1);
    assert_eq!(m["type"], "mandate");
    assert_eq!(m["title"], "Felles \"plattform\" </script><b>æøå</b>");
    assert_eq!(m["description"], "Et oppdiktet mandat med tegn som må escapes: < > & \" '.");
    assert_eq!(m["path"], "/mandater/plattform/");
    assert_eq!(m["url"], "https://data.fiktiv.example.org/innsyn/mandater/plattform/");
    assert_eq!(m["date"], "2024-01-10");
    assert_eq!(m["status"], "at-risk");
    assert_eq!(m["taxonomies"]["kommune"][0], "Fiktiv");
    let body = &m["mandate"];
    assert_eq!(body["project_number"], "P-7");
    assert_eq!(body["budget_nok"], 1_250_000);
    assert_eq!(body["effect_goals"][0]["status"], "in-progress");
    assert_eq!(body["milestones"][0]["due"], "2024-06-30");
    assert_eq!(body["risks"][0]["likelihood"], 3);
    assert_eq!(body["reports"][0]["status"], "at-risk");
    assert!(raw.contains(r#"\"plattform\""#), "quotes are escaped as JSON: {raw}");

    let goal = json(&files, "mal/sykefravar/index.json");
    assert_eq!(goal["type"], "goal");
    assert_eq!(goal["goal"]["id"], "PM-1");
    assert_eq!(goal["goal"]["parent"], "RM-1");
    assert_eq!(goal["goal"]["parent_path"], "/mal/friskere/");
    assert_eq!(goal["goal"]["indicators"][0]["data"], "/data/sykefravær 2024.csv");
    assert_eq!(goal["goal"]["indicators"][0]["target"]["y"], 7.0);
    assert_eq!(json(&files, "mal/friskere/index.json")["goal"]["children"][0], "/mal/sykefravar/");

    let list = json(&files, "mandater/index.json");
    assert_eq!(list["format"], "innsyn-list");
    assert_eq!(list["pages"][0]["json"], "/mandater/plattform/index.json");
    assert_eq!(list["pages"][0]["status"], "at-risk");
}

#[test]
fn the_same_site_gives_the_same_catalogue_and_json_twice() {
    let (_a, first) = build(&fixture());
    let (_b, second) = build(&fixture());
    for path in ["data/catalog.jsonld", "mandater/plattform/index.json", "mandater/index.json"] {
        assert_eq!(first[path], second[path], "{path}");
    }
}

fn write_site(dir: &Path, config: &str, data: &[(&str, &str)]) {
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("config.toml"), config).unwrap();
    std::fs::write(dir.join("content/_index.md"), "+++\ntitle = \"Hjem\"\n+++\n").unwrap();
    for (name, text) in data {
        std::fs::write(dir.join("data").join(name), text).unwrap();
    }
}

fn check(root: &Path) -> (bool, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn")).args(["check", "--root"]).arg(root).output().unwrap();
    (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout))
}

#[test]
fn check_warns_of_a_missing_licence_publisher_and_base_url_where_to_add_them() {
    let dir = tempfile::tempdir().unwrap();
    write_site(
        dir.path(),
        "title = \"T\"\n",
        &[
            ("a.csv", "x,y\n1,2\n"),
            ("b.csv", "x,y\n1,2\n"),
            ("b.csv.toml", "source = \"SSB\"\nlicence = \"fri bruk\"\n"),
        ],
    );
    let (ok, out) = check(dir.path());
    assert!(ok, "warnings do not fail check: {out}");
    for want in [
        "config.toml:1:1: warning: the data catalogue (`data/catalog.jsonld`) names no publisher",
        "config.toml:1:1: warning: the data catalogue's addresses are relative",
        "data/a.csv.toml:1:1: warning: `data/a.csv` has no licence for the data catalogue",
        "data/b.csv.toml:1:1: warning: innsyn does not know the licence `fri bruk` of `data/b.csv`",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
    // Without a base URL the addresses are relative to the catalogue, which JSON-LD resolves.
    let (_out, files) = build(dir.path());
    let catalog = json(&files, "data/catalog.jsonld");
    assert_eq!(catalog["@id"], "catalog.jsonld");
    assert_eq!(catalog["foaf:homepage"]["@id"], "../");
    assert_eq!(catalog["dcat:dataset"][0]["dcat:distribution"]["dcat:downloadURL"]["@id"], "a.csv");
}

#[test]
fn a_wrong_organisation_number_or_unknown_licence_in_config_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write_site(
        dir.path(),
        "title = \"T\"\n[catalog]\npublisher = \"Fiktiv kommune\"\norganization_number = \"123456784\"\nlicence = \"fri\"\nlisence = \"x\"\n",
        &[],
    );
    let (ok, out) = check(dir.path());
    assert!(!ok, "{out}");
    assert!(out.contains("config.toml:4:1: error: `123456784` is not an organisation number"), "{out}");
    assert!(out.contains("config.toml:5:1: error: innsyn does not know the licence `fri`"), "{out}");
    assert!(out.contains("config.toml:6:1: error: unknown field `lisence`"), "{out}");
}

#[test]
fn a_file_marked_catalog_false_is_published_but_left_out_of_the_catalogue_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write_site(
        dir.path(),
        "title = \"T\"\nbase_url = \"https://a.example.org/\"\norganization = \"Fiktiv kommune\"\n",
        &[
            ("a.csv", "x,y\n1,2\n"),
            ("a.csv.toml", "licence = \"NLOD 2.0\"\n"),
            ("b.csv", "x,y\n1,2\n"),
            ("b.csv.toml", "source = \"Andres tall\"\ncatalog = false\n"),
        ],
    );
    let (ok, out) = check(dir.path());
    assert!(ok && !out.contains(": warning:"), "{out}");
    let (_out, files) = build(dir.path());
    assert!(files.contains_key("data/b.csv"), "the file is still published");
    let catalog = json(&files, "data/catalog.jsonld");
    assert_eq!(catalog["dcat:dataset"].as_array().map(Vec::len), Some(1), "{catalog}");
    assert_eq!(catalog["dcat:dataset"][0]["@id"], "https://a.example.org/data/catalog.jsonld#a.csv");
}

#[test]
fn a_misspelt_theme_in_a_sidecar_is_an_error_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    write_site(
        dir.path(),
        "title = \"T\"\n",
        &[("a.csv", "x,y\n1,2\n"), ("a.csv.toml", "source = \"S\"\nthemes = [\"HELA\"]\n")],
    );
    let (ok, out) = check(dir.path());
    assert!(!ok, "{out}");
    assert!(out.contains("data/a.csv.toml:2:1: error: `HELA` is not an EU data theme"), "{out}");
    assert!(out.contains("did you mean `HEAL`?"), "{out}");
}

#[test]
fn a_site_without_data_files_has_no_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), "title = \"T\"\n", &[]);
    let (_out, files) = build(dir.path());
    assert!(!files.contains_key("data/catalog.jsonld"));
    assert!(!text(&files, "index.html").contains("application/ld+json\" title"));
}

/// The `href`s of the links to download in `html`.
fn downloads(html: &str) -> Vec<String> {
    html.match_indices("<a href=\"")
        .filter_map(|(i, m)| {
            let rest = &html[i + m.len()..];
            let end = rest.find('"')?;
            rest[end..].starts_with("\" download>").then(|| rest[..end].to_string())
        })
        .collect()
}

#[test]
fn every_download_link_leads_to_its_file_whatever_the_file_is_called() {
    // Spaces, `#` (which would start a fragment), `?` (a query), `%`, `&` and
    // letters beyond ASCII in the names of data files.
    // (No `?` in a file's name on Windows.)
    let names = [
        "sykefravær 2024 #1.csv",
        if cfg!(windows) { "andel 50%.csv" } else { "andel 50% ?.csv" },
        "a&b + c.csv",
        "årsverk.csv",
    ];
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<(&str, &str)> = names.iter().map(|n| (*n, "år,verdi\n2023,4\n2024,5\n")).collect();
    write_site(dir.path(), "title = \"T\"\nbase_url = \"https://t.example/\"\nlanguage = \"nb\"\n", &data);
    let mut page = String::from("+++\ntitle = \"Tall\"\n+++\n");
    for n in names {
        page.push_str(&format!(
            "\n{{{{ chart(data=\"{n}\", kind=\"line\", x=\"år\", y=\"verdi\", title=\"{n}\") }}}}\n\n{{{{ table(data=\"{n}\") }}}}\n"
        ));
    }
    // Links written in Markdown to data files: encoded, with spaces in <>,
    // one missing, one with a bare `%`.
    page.push_str("\n[Årsverk](/data/%C3%A5rsverk.csv) og [fravær](</data/sykefravær 2024 %231.csv>).\n");
    page.push_str("\n[Mangler](</data/mangler æ.csv>)\n\n[Prosent](/data/50%.csv)\n");
    let line = |text: &str| page.lines().position(|l| l.contains(text)).unwrap() + 1;
    let (missing, bare) = (line("[Mangler]"), line("[Prosent]"));
    std::fs::write(dir.path().join("content/tall.md"), &page).unwrap();
    let (_out, files) = build(dir.path());
    let html = text(&files, "tall/index.html");
    let hrefs = downloads(&html);
    // A chart links its figures and its drawing, a table its figures.
    assert_eq!(hrefs.len(), 3 * names.len(), "{hrefs:?}");
    for href in &hrefs {
        assert!(!href.contains([' ', '#', '?']), "`{href}` is not one address");
        let target = percent_decoded(href.strip_prefix("../").unwrap_or(href));
        let target = if target.ends_with(".svg") { format!("tall/{target}") } else { target };
        assert!(files.contains_key(&target), "`{href}` leads to `{target}`, which was not built");
    }
    for n in names {
        assert!(hrefs.iter().any(|h| percent_decoded(h) == format!("../data/{n}")), "no link to `{n}` in {hrefs:?}");
    }
    // check reads the links as a browser does: of those written in Markdown,
    // only the missing file and the bare `%` are warned of, at their lines.
    let (ok, report) = check(dir.path());
    assert!(ok, "{report}");
    let broken: Vec<&str> = report.lines().filter(|l| l.contains("does not exist")).collect();
    assert_eq!(broken.len(), 1, "{report}");
    assert!(broken[0].contains(&format!("content/tall.md:{missing}:1:")), "{report}");
    assert!(
        report.contains(&format!("content/tall.md:{bare}:1: warning: the link `../data/50%.csv` has a `%`")),
        "{report}"
    );
    // The catalogue and the schema.org metadata name the same addresses.
    let catalog = text(&files, "data/catalog.jsonld");
    assert!(catalog.contains("https://t.example/data/sykefrav%C3%A6r%202024%20%231.csv"), "{catalog}");
    let home = text(&files, "index.html");
    assert!(home.contains("https://t.example/data/a%26b%20%2B%20c.csv"), "{home}");
}
