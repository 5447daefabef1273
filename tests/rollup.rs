//! Goals that roll up (issue 19, point 6) on the fixture site
//! `tests/fixtures/build/rollup` (a fictional municipality): the computed status
//! and its reason on the page in the page's language, in the goal's JSON, a
//! sub-goal's computed status feeding its parent's, `check`'s warnings where a
//! stated status says otherwise, the error for a roll-up with nothing to roll
//! up, and a tree a thousand goals deep.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/rollup")
}

fn build(root: &Path) -> (tempfile::TempDir, BTreeMap<String, String>) {
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
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && (e.path().extension().is_some_and(|x| x == "html" || x == "json")))
        .map(|e| {
            let rel = e.path().strip_prefix(out.path()).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    (out, files)
}

fn check(root: &Path) -> (bool, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn")).args(["check", "--root"]).arg(root).output().unwrap();
    (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout))
}

/// The «Beregnet status» entry of a goal page's fact box.
fn computed(html: &str, label: &str) -> String {
    let start = html.find(&format!("<dt>{label}</dt>")).unwrap_or_else(|| panic!("no `{label}` in {html}"));
    let end = start + html[start..].find("</div>").unwrap();
    html[start..end].to_string()
}

#[test]
fn a_goal_that_rolls_up_shows_the_computed_status_and_why() {
    let (_out, files) = build(&fixture());
    let pm1 = computed(&files["mal/pm-1/index.html"], "Beregnet status");
    assert!(pm1.contains(r#"<span class="status-badge status-delayed">Forsinket</span>"#), "{pm1}");
    assert!(
        pm1.contains("Beregnet fra 4 delmål: 1 fullført, 2 forsinket eller bak planen (1 avsluttet regnes ikke med)."),
        "{pm1}"
    );
    // Its stated status says otherwise, and the page says so.
    assert!(pm1.contains("Den oppgitte statusen stemmer ikke med den beregnede."), "{pm1}");

    // The parent counts the sub-goal by its computed status (delayed), not its stated one.
    let rm1 = computed(&files["mal/rm-1/index.html"], "Beregnet status");
    assert!(rm1.contains(r#"status-at-risk">Risiko</span>"#), "{rm1}");
    assert!(rm1.contains("Beregnet fra 3 delmål: 1 fullført, 1 forsinket eller bak planen (1 uten status eller tall regnes ikke med)."), "{rm1}");
    assert!(!rm1.contains("stemmer ikke"), "RM-1 states no status: {rm1}");

    // A page in nynorsk says it in nynorsk.
    let pm3 = computed(&files["mal/pm-3/index.html"], "Utrekna status");
    assert!(
        pm3.contains("Rekna ut frå 1 indikator: ingen har status enno (1 utan status eller tal er ikkje rekna med)."),
        "{pm3}"
    );

    // A goal without `rollup` has no computed status.
    assert!(!files["mal/pm-2/index.html"].contains("Beregnet status"));
}

#[test]
fn the_computed_status_is_in_the_goals_json() {
    let (_out, files) = build(&fixture());
    let pm1: serde_json::Value = serde_json::from_str(&files["mal/pm-1/index.json"]).unwrap();
    let c = &pm1["goal"]["computed"];
    assert_eq!(c["status"], "delayed");
    assert_eq!(c["trend"], "behind");
    assert_eq!(c["counts"]["goals"], 4);
    assert_eq!(c["counts"]["behind"], 2);
    assert_eq!(c["counts"]["stopped"], 1);
    assert_eq!(pm1["goal"]["status"], "in-progress", "the stated status stays as written");
    let pm2: serde_json::Value = serde_json::from_str(&files["mal/pm-2/index.json"]).unwrap();
    assert!(pm2["goal"]["computed"].is_null());
}

#[test]
fn check_warns_where_a_stated_status_contradicts_the_computed_one_or_an_indicator() {
    let (ok, out) = check(&fixture());
    assert!(ok, "{out}");
    assert!(
        out.contains("content/mal/pm-1.md:9:1: warning: the goal `PM-1` says `status = \"in-progress\"`, but its sub-goals and indicators give `delayed`: Computed from 4 sub-goals: 1 done, 2 delayed or behind (1 stopped not counted)."),
        "{out}"
    );
    assert!(
        out.contains("content/mal/pm-2.md:9:1: warning: the goal `PM-2` says `status = \"done\"`, but its indicator `Sykefravær` is behind"),
        "{out}"
    );
    // RM-1 states nothing, so nothing contradicts.
    assert!(!out.contains("`RM-1` says"), "{out}");
}

fn write_site(dir: &Path, goals: &[(String, String)]) {
    std::fs::create_dir_all(dir.join("content/mal")).unwrap();
    std::fs::write(dir.join("config.toml"), "title = \"T\"\n").unwrap();
    std::fs::write(dir.join("content/_index.md"), "+++\ntitle = \"Hjem\"\n+++\n").unwrap();
    std::fs::write(dir.join("content/mal/_index.md"), "+++\ntitle = \"Mål\"\n+++\n").unwrap();
    for (name, text) in goals {
        std::fs::write(dir.join("content/mal").join(name), text).unwrap();
    }
}

fn goal(id: &str, parent: Option<&str>, extra: &str) -> String {
    let parent = parent.map(|p| format!("parent = \"{p}\"\n")).unwrap_or_default();
    format!("+++\ntitle = \"Mål {id}\"\ntype = \"goal\"\n\n[goal]\nid = \"{id}\"\n{parent}{extra}+++\n")
}

#[test]
fn a_goal_with_rollup_but_nothing_to_roll_up_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), &[("a.md".into(), goal("A", None, "status = \"adopted\"\nrollup = true\n"))]);
    let (ok, out) = check(dir.path());
    assert!(!ok, "{out}");
    assert!(
        out.contains("content/mal/a.md:8:1: error: the goal `A` has `rollup = true` but no sub-goals or indicators to compute its status from"),
        "{out}"
    );
    assert!(out.contains("give other goals `parent = \"A\"`"), "{out}");
}

#[test]
fn a_tree_a_thousand_goals_deep_rolls_up_from_its_leaf_to_its_top() {
    let dir = tempfile::tempdir().unwrap();
    // (The goal chain each page shows grows with the depth, so the build does too.)
    let depth = 1000;
    let mut goals: Vec<(String, String)> = (1..depth)
        .map(|n| {
            let parent = (n > 1).then(|| format!("G{}", n - 1));
            (format!("g{n}.md"), goal(&format!("G{n}"), parent.as_deref(), "rollup = true\n"))
        })
        .collect();
    goals.push((
        format!("g{depth}.md"),
        goal(&format!("G{depth}"), Some(&format!("G{}", depth - 1)), "status = \"done\"\n"),
    ));
    write_site(dir.path(), &goals);
    let (_out, files) = build(dir.path());
    // The leaf's `done` reaches the top through every level.
    let top = computed(&files["mal/g1/index.html"], "Beregnet status");
    assert!(top.contains("status-done"), "{top}");
}
