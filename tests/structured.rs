//! Mandate and goal pages on the fixture site `tests/fixtures/build/structured`
//! (a fictional municipality): fact boxes, timeline, risk matrix, dependencies
//! both ways, the goal chain, indicators with their computed trend, the goals
//! overview, the status taxonomy, and `innsyn new`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// 2024-07-01, so "today" on the timeline is fixed.
const EPOCH: &str = "1719792000";

fn build(root: &Path) -> (tempfile::TempDir, BTreeMap<String, String>) {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["build", "--quiet", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = walkdir::WalkDir::new(out.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(out.path()).unwrap().to_string_lossy().replace('\\', "/");
            (rel, String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned())
        })
        .collect();
    (out, files)
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/structured")
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html.find(start).unwrap_or_else(|| panic!("`{start}` not found"));
    let j = html[i..].find(end).unwrap_or_else(|| panic!("`{end}` not found after `{start}`")) + i + end.len();
    &html[i..j]
}

#[test]
fn a_mandate_page_shows_its_facts_goals_timeline_risks_and_reports() {
    let (_o, f) = build(&fixture());
    let page = &f["prosjekter/digitalt-torg/index.html"];
    let facts = between(page, "<section class=\"fact-box\"", "</section>");
    assert!(facts.contains("1\u{a0}250\u{a0}000 kr"), "budget in Norwegian number format");
    assert!(facts.contains("status-at-risk"), "the latest report gives the status");
    insta::assert_snapshot!("mandate_facts", facts);
    let timeline = between(page, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 720", "</svg>");
    assert!(timeline.contains("role=\"img\"") && timeline.contains(">I dag</text>"));
    insta::assert_snapshot!("timeline_svg", timeline);
    // A narrow drawing for phones, with the same milestones, keeps the text's size.
    let narrow = between(page, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 340", "</svg>");
    assert!(narrow.contains("class=\"timeline chart-narrow\"") && narrow.contains(">I dag</text>"));
    assert_eq!(narrow.matches("<circle").count(), timeline.matches("<circle").count());
    assert!(page.contains("class=\"risk-matrix\" role=\"img\""));
    assert!(page.find("31. mai 2024").unwrap() < page.find("30. april 2024").unwrap(), "reports newest first");
    assert!(page.contains("href=\"../felles-plattform/\""), "dependencies are linked");
    let used_by = &f["prosjekter/felles-plattform/index.html"];
    assert!(used_by.contains("href=\"../digitalt-torg/\""), "and linked back as 'used by'");
}

#[test]
fn overdue_milestones_stand_out() {
    let (_o, f) = build(&fixture());
    // With today 2024-07-01 nothing is overdue; move the clock past M2 (2024-09-30).
    assert!(!f["prosjekter/digitalt-torg/index.html"].contains("class=\"overdue\""));
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["build", "--quiet", "--root"])
        .arg(fixture())
        .arg("--output")
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1730419200")
        .output()
        .unwrap();
    assert!(o.status.success());
    let page = std::fs::read_to_string(out.path().join("prosjekter/digitalt-torg/index.html")).unwrap();
    assert!(page.contains("<li class=\"overdue\">"), "M2 is past due and still in progress");
    assert!(page.contains(">Forfalt</text>"));
}

#[test]
fn a_goal_page_shows_its_chain_children_and_indicator_trend() {
    let (_o, f) = build(&fixture());
    let page = &f["mal/sykefravar/index.html"];
    let chain = between(page, "<nav class=\"goal-chain\"", "</nav>");
    assert!(chain.contains("href=\"../helse/\"") && chain.contains("aria-current=\"page\""));
    assert!(page.contains("href=\"../tiltak/\""), "children are listed");
    // 8.9 in 2023 is above the line from 9.4 (2021) to 7.0 (2027), which gives 8.6.
    assert!(page.contains("<span class=\"trend trend-behind\">Ligger etter</span>"));
    assert!(page.contains("stemmer ikke med utviklingen"), "declared in-progress disagrees with the trend");
    let parent = &f["mal/helse/index.html"];
    assert!(
        parent.contains("href=\"../sykefravar/\"") && parent.contains("href=\"../heltid/\""),
        "and back down from the parent"
    );
    let no_data = &f["mal/heltid/index.html"];
    assert!(no_data.contains("Ingen måledata ennå"));
}

#[test]
fn the_goals_overview_counts_statuses_per_group_and_lists_the_tree() {
    let (_o, f) = build(&fixture());
    let home = &f["index.html"];
    let figure = between(home, "<figure class=\"chart chart-stacked-hbar\"", "</figure>");
    assert!(figure.contains("<th scope=\"row\">HM</th>"), "{figure}");
    insta::assert_snapshot!("goals_overview", figure);
    let tree = between(home, "<ul class=\"goal-tree\">", "</ul>\n</li>\n</ul>");
    assert!(tree.find("Et friskere arbeidsliv").unwrap() < tree.find("Sykefraværet skal ned").unwrap());
    assert!(
        f.contains_key("status/pagar/index.html") && f.contains_key("status/vedtatt/index.html"),
        "the status taxonomy"
    );
}

#[test]
fn innsyn_new_writes_files_that_build_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("s");
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_innsyn")).args(args).output().unwrap();
    assert!(run(&["init", site.to_str().unwrap()]).status.success());
    let root = site.to_str().unwrap();
    for args in [
        vec!["new", "mandate", "Nytt bibliotek", "--root", root],
        vec!["new", "goal", "Færre sykedager", "--root", root],
        vec!["new", "goal", "Lederopplæring", "--parent", "FAERRE-SYKEDAGER", "--root", root],
    ] {
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let text = std::fs::read_to_string(site.join("content/mandater/nytt-bibliotek.md")).unwrap();
    assert!(text.contains("# Prosjekteier") && text.contains("[[mandate.milestones]]"));
    let o = run(&["check", "--root", root]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(run(&["new", "mandate", "Nytt bibliotek", "--root", root]).status.code(), Some(1), "never overwrites");
}
