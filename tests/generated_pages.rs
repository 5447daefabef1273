//! Pages generated from data (`[generate]` in a section's `_index.md`) and codes
//! recoded across reforms (`recode` in a data file's sidecar), on the fixture
//! site `tests/fixtures/build/generated/`: the pages are ordinary pages (listed,
//! paginated, in the sitemap, feeds, search and taxonomies), a hand-written page
//! overrides one, their charts and tables show their own rows, and broken
//! settings and rows are reported at their file and line.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::Links;

fn fixture() -> PathBuf {
    common::repo_root().join("tests/fixtures/build/generated")
}

fn read(output: &Path, path: &str) -> String {
    fs::read_to_string(output.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of `<main>`, without the SVG drawings.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>");
    &html[start..end]
}

#[test]
fn generated_pages_are_listed_paginated_and_in_the_sitemap_feeds_search_and_taxonomies() {
    let site = common::build_site(&fixture(), Links::Served);
    let out = &site.output;
    for page in ["kommuner/9901/index.html", "kommuner/9903/index.html"] {
        assert!(out.join(page).is_file(), "{page} was not made");
    }
    // Two pages per list page, sorted by title: Åsmyra's title starts with `<`, then
    // Bjørkli (hand-written) on the first; Fjellvik on the second.
    let first = read(out, "kommuner/index.html");
    let second = read(out, "kommuner/side/2/index.html");
    assert!(first.contains("href=\"9903/\"") && first.contains("href=\"9902/\""), "{first}");
    assert!(second.contains("href=\"../../9901/\""), "{second}");
    let lists = first + &second;
    assert!(lists.contains("Folketall i Fjellvik"), "the generated page is listed");
    let sitemap = read(out, "sitemap.xml");
    assert!(sitemap.contains("https://innsyn.example.org/kommuner/9901/"), "{sitemap}");
    assert!(sitemap.contains("https://innsyn.example.org/kommuner/9903/"), "{sitemap}");
    let feed = read(out, "kommuner/atom.xml");
    assert!(feed.contains("Folketall i Fjellvik"), "{feed}");
    let term = read(out, "kommune/fjellvik/index.html");
    assert!(term.contains("Folketall i Fjellvik"), "the taxonomy term lists the page");
    let search: String =
        fs::read_dir(out.join("search/p")).unwrap().map(|e| fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    assert!(search.contains("Folketall i Fjellvik"), "the page is in the search index");
    // `@/kommuner/9901.md` links resolve to the generated page.
    assert!(read(out, "index.html").contains("href=\"kommuner/9901/\""));
}

#[test]
fn a_hand_written_page_with_the_same_slug_replaces_the_generated_one() {
    let site = common::build_site(&fixture(), Links::Served);
    let page = read(&site.output, "kommuner/9902/index.html");
    assert!(page.contains("Bjørkli, skrevet for hånd"), "the hand-written page is published");
    assert!(!page.contains("Folketall i Bjørkli"), "the generated page is not");
    let all = read(&site.output, "kommuner/index.html") + &read(&site.output, "kommuner/side/2/index.html");
    assert!(!all.contains("Folketall i Bjørkli"), "only one page lives at the address");
}

#[test]
fn charts_and_tables_on_a_generated_page_show_only_its_own_rows() {
    let site = common::build_site(&fixture(), Links::Served);
    let main = read(&site.output, "kommuner/9901/index.html");
    let main = main_of(&main);
    assert!(main.contains("1\u{a0}210") || main.contains("1210") || main.contains("1 210"), "Fjellvik's figures");
    for other in ["3\u{a0}050", "3050", "790"] {
        assert!(!main.contains(&format!(">{other}<")), "another municipality's figure {other} on Fjellvik's page");
    }
    // The body's `{kommune}` was filled in, in the text and in the chart's title.
    assert!(main.contains("Dette er siden for Fjellvik."));
    assert!(main.contains("Elever i Fjellvik"));
}

#[test]
fn recoded_codes_are_added_up_and_said_under_the_chart() {
    let site = common::build_site(&fixture(), Links::Served);
    let page = read(&site.output, "kommuner/9901/index.html");
    let main = main_of(&page);
    // 9981 (60) and 9982 (40) became 9901: 100 pupils in 2019.
    assert!(main.contains(">100<"), "the merged municipalities' pupils are added up");
    assert!(
        main.contains("Kodene i «knr» er omkodet etter nummer.csv: 9981 → 9901, 9982 → 9901. Rader som fikk samme kode, er lagt sammen (elever)."),
        "the provenance line says what was recoded"
    );
}

#[test]
fn values_from_the_data_are_text_wherever_they_appear() {
    let site = common::build_site(&fixture(), Links::Served);
    let page = read(&site.output, "kommuner/9903/index.html");
    assert!(!page.contains("<img src=x"), "a value became markup");
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt; *Åsmyra*"), "the value is shown as written");
}

/// Copies the fixture into a temporary folder and changes `file` there.
fn broken_site(changes: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture(), dir.path());
    for (file, text) in changes {
        fs::write(dir.path().join(file), text).unwrap();
    }
    dir
}

fn failing_build(root: &Path) -> String {
    let out = common::run_innsyn([
        "build".as_ref(),
        "--quiet".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--output".as_ref(),
        root.join("public").as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn bad_settings_are_reported_at_their_line_of_index_md() {
    let index = fs::read_to_string(fixture().join("content/kommuner/_index.md")).unwrap();
    let broken = index
        .replace("group_by = \"knr\"", "group_by = \"kommunenr\"")
        .replace("{kommune}\"\ndescription", "{kommun}\"\ndescription");
    let dir = broken_site(&[("content/kommuner/_index.md", &broken)]);
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("content/kommuner/_index.md:8:1: error: `generate.group_by` names the column `kommunenr`, which `data/folketall.csv` does not have"), "{stderr}");
    assert!(
        stderr.contains("content/kommuner/_index.md:9:1: error: `generate.title` names the column `kommun`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `kommune`?"), "{stderr}");
}

#[test]
fn bad_rows_are_reported_at_their_line_of_the_data_file_all_in_one_run() {
    let csv = "knr;kommune;år;folk\n9901;Fjellvik;2023;1200\n;Tom;2023;1\n9904;;2023;5\n";
    let split = "gammelt;nytt\n9981;9901\n9981;9902\n";
    let dir = broken_site(&[("data/folketall.csv", csv), ("data/nummer.csv", split)]);
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("data/folketall.csv:3:1: error: row 2 has no `knr`"), "{stderr}");
    assert!(stderr.contains("data/folketall.csv:4:1: error: the page for `9904` has no `kommune` in this row, which its title is made from"), "{stderr}");
    assert!(
        stderr.contains("data/nummer.csv:3:6: error: `9981` is listed as becoming both `9901` (line 2) and `9902`"),
        "{stderr}"
    );
}

#[test]
fn two_pages_with_one_address_are_an_error_naming_both_rows() {
    let index = fs::read_to_string(fixture().join("content/kommuner/_index.md")).unwrap();
    let broken = index.replace("date = 2024-06-01", "date = 2024-06-01\nslug = \"{år}\"");
    let csv = "knr;kommune;år;folk\n9901;Fjellvik;2023;1200\n9905;Nord;2023;5\n";
    let dir = broken_site(&[("content/kommuner/_index.md", &broken), ("data/folketall.csv", csv)]);
    let stderr = failing_build(dir.path());
    assert!(
        stderr.contains(
            "data/folketall.csv:3:1: error: the pages for `9901` (line 2) and `9905` would both get the address `2023`"
        ),
        "{stderr}"
    );
}

#[test]
fn merged_codes_without_sum_make_a_chart_say_how_to_add_them_up() {
    let sidecar = "recode = { column = \"knr\", table = \"nummer.csv\" }\n";
    let dir = broken_site(&[("data/skole.csv.toml", sidecar)]);
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("has several rows for år = 2019"), "{stderr}");
    assert!(stderr.contains("add `sum = [\"…\"]` to the sidecar's `recode`"), "{stderr}");
}
