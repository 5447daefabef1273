//! Invalid fixture sites under `tests/fixtures/errors/<case>/`: each must fail with
//! exit status 1, name the file and line, and leave the earlier output untouched.
//! The full error text is pinned with insta snapshots.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors").join(case)
}

/// Builds `case` into an output folder that already holds an earlier build, and
/// returns stderr after checking the exit status and that nothing was touched.
fn failing_build(case: &str) -> String {
    let out = tempfile::tempdir().unwrap();
    let old = out.path().join("index.html");
    std::fs::write(&old, "earlier build").unwrap();
    std::fs::create_dir(out.path().join("gammel")).unwrap();
    std::fs::write(out.path().join("gammel/index.html"), "stale but kept").unwrap();

    let result = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["build", "--quiet", "--root"])
        .arg(fixture(case))
        .arg("--output")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(result.stderr).unwrap();
    assert_eq!(result.status.code(), Some(1), "{case} should fail with status 1:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{case} panicked:\n{stderr}");
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "earlier build", "{case} touched the earlier output");
    assert_eq!(std::fs::read_to_string(out.path().join("gammel/index.html")).unwrap(), "stale but kept");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 2, "{case} wrote into the output");
    stderr
}

/// `innsyn check` reports the same errors and writes nothing.
fn check_agrees(case: &str, build_stderr: &str) {
    let result =
        Command::new(env!("CARGO_BIN_EXE_innsyn")).args(["check", "--root"]).arg(fixture(case)).output().unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8(result.stderr).unwrap();
    assert_eq!(stderr, build_stderr, "check and build disagree for {case}");
    assert!(!fixture(case).join("public").exists(), "check wrote output for {case}");
}

macro_rules! error_case {
    ($name:ident, $location:expr) => {
        #[test]
        fn $name() {
            let case = stringify!($name);
            let stderr = failing_build(case);
            assert!(stderr.contains($location), "{case}: expected `{}` in:\n{stderr}", $location);
            assert!(stderr.contains("hint:"), "{case}: no hint in:\n{stderr}");
            check_agrees(case, &stderr);
            insta::assert_snapshot!(case, stderr);
        }
    };
}

error_case!(unterminated_toml, "content/a.md:");
error_case!(missing_closing_fence, "content/a.md:1:1");
error_case!(unknown_field, "content/a.md:3:1: error: unknown field `stauts`");
error_case!(bad_date, "content/a.md:3:1");
error_case!(
    data_bad_json_stat,
    "data/befolkning.json:10:3: error: `value`: there are 2 values but the dimensions make 3 cells"
);
error_case!(data_bad_pc_axis, "data/elever.px:10:5: error: `sju` in DATA is neither a number nor a data symbol");
error_case!(duplicate_slug, "`content/a.md` and `content/b.md` would both be published at `/a/`");
error_case!(broken_link, "content/a.md:6:4");
error_case!(unknown_shortcode, "content/a.md:4:1: error: unknown shortcode `chrat`");
error_case!(unclosed_shortcode, "content/a.md:6:1");
error_case!(template_syntax_error, "templates/page.html:");
error_case!(invalid_utf8, "content/a.md:4:");
error_case!(unknown_config_key, "config.toml:2:1: error: unknown field `base_ur`");
error_case!(unknown_config_key_table, "config.toml:2:1");
error_case!(no_front_matter, "content/a.md:1:1");
error_case!(chart_missing_data, "content/a.md:6:1: error: in `chart`: there is no data file `data/mangler.csv`");
error_case!(chart_outside_data, "is outside the `data/` folder");
error_case!(chart_unknown_column, "has no column `aar`");
error_case!(chart_unknown_kind, "unknown chart kind `pie`");
error_case!(chart_bad_filter, "the filter `kommune` cannot be read");
error_case!(chart_non_numeric, "data/tall.csv:2:18: error: `ok` in column `merknad` is not a number");
error_case!(chart_filter_no_rows, "matches no rows");
error_case!(data_malformed_csv, "data/tall.csv:3:13");
error_case!(mandate_unknown_field, "content/m.md:7:1: error: unknown field `prosject_manager`");
error_case!(mandate_unknown_status, "did you mean `in-progress`?");
error_case!(mandate_impossible_date, "content/m.md:11:1: error: `due` is not a real date");
error_case!(mandate_likelihood_out_of_range, "`likelihood` is 7, but it must be from 1 to 5");
error_case!(mandate_missing_dependency, "`@/mandater/borte.md` in `depends_on` is not a page of the site");
error_case!(goal_duplicate_id, "content/b.md:6:1: error: the goal id `RM-1` is also used by `content/a.md`");
error_case!(goal_missing_parent, "the parent goal `RM-2` does not exist");
error_case!(goal_parent_cycle, "go round in a circle: A → B → A");
error_case!(goal_indicator_missing_data, "there is no data file `data/borte.csv`");
error_case!(goal_indicator_missing_column, "has no column `andel`");
error_case!(goal_without_table, "a goal needs its `[goal]` table");
error_case!(
    alias_collision,
    "content/b.md:4:4: error: the alias `/gammel` is also an alias of `content/a.md` (line 3)"
);
error_case!(alias_invalid, "content/a.md:3:13: error: the alias `/../../utenfor/` has a part starting with `.`");

#[test]
fn all_faults_of_a_site_are_reported_in_one_run() {
    let stderr = failing_build("many_faults");
    for needle in ["content/a.md:3:1", "content/b.md:3:", "content/c.md:4:1", "content/d.md:4:1", "4 errors"] {
        assert!(stderr.contains(needle), "`{needle}` missing from:\n{stderr}");
    }
    insta::assert_snapshot!("many_faults", stderr);
}

#[test]
fn every_fault_of_config_toml_is_reported_in_one_run_with_its_place_and_a_hint() {
    let stderr = failing_build("config_many_faults");
    for needle in [
        "config.toml:1:9: error: `theme`: invalid type: integer `3`, expected a string",
        "config.toml:3:1: error: unknown field `base_ur`\n  hint: did you mean `base_url`?",
        "config.toml:4:1: error: unknown language `sv`",
        "config.toml:5:1: error: `contact_email` is not an e-mail address",
        "config.toml:6:8: error: `feed`: invalid type: string \"ja\", expected a boolean\n  hint: write `true` or `false`, without quotes",
        "config.toml:7:11: error: `sitemap`",
        "config.toml:12:15: error: `taxonomies`: invalid type: string \"tjue\", expected a whole number",
        "config.toml:13:1: error: unknown field `fed`\n  hint: did you mean `feed`?",
        "config.toml:17:1: error: unknown field `titel`\n  hint: did you mean `title`?",
        "config.toml:20:1: error: unknown field `wrac`\n  hint: did you mean `warc`?",
        "10 errors",
    ] {
        assert!(stderr.contains(needle), "`{needle}` missing from:\n{stderr}");
    }
    // Every fault has a hint.
    assert_eq!(stderr.matches(": error: ").count(), stderr.matches("\n  hint: ").count(), "{stderr}");
    check_agrees("config_many_faults", &stderr);
    insta::assert_snapshot!("config_many_faults", stderr);
}

#[test]
fn a_missing_site_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let result = Command::new(env!("CARGO_BIN_EXE_innsyn")).args(["build", "--root"]).arg(dir.path()).output().unwrap();
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("innsyn init"));
}

#[test]
fn a_usage_error_exits_with_status_2() {
    let result = Command::new(env!("CARGO_BIN_EXE_innsyn")).args(["build", "--no-such-flag"]).output().unwrap();
    assert_eq!(result.status.code(), Some(2));
}

#[test]
fn an_output_folder_with_files_innsyn_did_not_write_is_refused_and_they_are_never_removed() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("budsjett.xlsx"), "the author's own file").unwrap();
    let build = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_innsyn"))
            .args(["build", "--quiet", "--root", env!("CARGO_MANIFEST_DIR"), "--output"])
            .arg(out.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = build(&[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("budsjett.xlsx") && stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1, "nothing was written");

    assert!(build(&["--force"]).status.success());
    assert!(out.path().join("index.html").is_file());
    // Without --force from now on: the folder is innsyn's output, and a rebuild
    // removes none of the author's files.
    let again = build(&[]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(std::fs::read_to_string(out.path().join("budsjett.xlsx")).unwrap(), "the author's own file");
}

/// `innsyn build --root ROOT --output OUT`.
fn build_into(root: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .output()
        .unwrap()
}

/// `innsyn check --root ROOT`.
fn check_site(root: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_innsyn")).args(["check", "--root"]).arg(root).output().unwrap()
}

/// A new site from `innsyn init` in a fresh folder: `(tempdir, site root)`.
fn new_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let init = Command::new(env!("CARGO_BIN_EXE_innsyn")).arg("init").arg(&root).output().unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    (dir, root)
}

#[cfg(unix)]
#[test]
fn symlinks_that_leave_the_site_are_refused_and_those_inside_it_work() {
    use std::os::unix::fs::symlink;
    let (dir, root) = new_site();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "outside the site").unwrap();
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    std::fs::write(dir.path().join("elsewhere/page.md"), "+++\ntitle = \"Borte\"\n+++\nx\n").unwrap();
    for sub in ["static", "templates", "themes/egen/static"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    // One link to a file and one to a folder outside, in each place the site is read from.
    symlink(&secret, root.join("static/passwd.txt")).unwrap();
    symlink(dir.path().join("elsewhere"), root.join("static/mappe")).unwrap();
    symlink(dir.path().join("elsewhere"), root.join("content/lenket")).unwrap();
    symlink(&secret, root.join("data/hemmelig.csv")).unwrap();
    symlink(&secret, root.join("templates/page.html")).unwrap();
    symlink("../../../../secret.txt", root.join("themes/egen/static/x.css")).unwrap();
    symlink(root.join("nowhere"), root.join("static/brutt.txt")).unwrap();
    // Links inside the site keep working.
    std::fs::write(root.join("static/ekte.txt"), "inside").unwrap();
    symlink("ekte.txt", root.join("static/alias.txt")).unwrap();

    let out = dir.path().join("public");
    let build = || {
        Command::new(env!("CARGO_BIN_EXE_innsyn"))
            .args(["build", "--quiet", "--root"])
            .arg(&root)
            .arg("--output")
            .arg(&out)
            .output()
            .unwrap()
    };
    let refused = build();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    for link in [
        "static/passwd.txt",
        "static/mappe",
        "content/lenket",
        "data/hemmelig.csv",
        "templates/page.html",
        "static/brutt.txt",
    ] {
        assert!(stderr.contains(&format!("{link}: error")), "`{link}` is not named in:\n{stderr}");
    }
    assert!(stderr.contains("secret.txt"), "the target is named:\n{stderr}");
    assert!(!out.exists(), "nothing was written");

    for link in ["static/passwd.txt", "static/mappe", "content/lenket", "data/hemmelig.csv", "templates/page.html"] {
        std::fs::remove_file(root.join(link)).unwrap();
    }
    std::fs::remove_file(root.join("static/brutt.txt")).unwrap();
    std::fs::remove_dir_all(root.join("themes")).unwrap();
    let built = build();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    assert_eq!(std::fs::read_to_string(out.join("alias.txt")).unwrap(), "inside");
}

#[test]
fn hostile_text_in_titles_and_cells_cannot_break_pages_feeds_or_charts() {
    let (dir, root) = new_site();
    let page = root.join("content/prosjekter/nytt-servicetorg.md");
    let src = std::fs::read_to_string(&page).unwrap();
    // A title that ends the JSON-LD block early in a browser, with Word's line
    // break in it and a control character written as a TOML escape.
    let src = src.replacen(
        "title = \"Nytt servicetorg\"",
        "title = \"Servicetorg <!--<script> del 2\u{b} </script> & \\u0001\"",
        1,
    );
    std::fs::write(&page, format!("{src}\n## Innsyn i postjournalen\n\n[klikk](javascript:alert(1))\n")).unwrap();
    std::fs::write(root.join("data/sykefravar.csv"), "år;prosent;merknad\n2022;8,5;foreløpig\u{b}\n2023;8,1;\u{1}\n")
        .unwrap();
    let out = dir.path().join("public");
    let build = build_into(&root, &out);
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{stderr}");
    assert!(stderr.contains("content/prosjekter/nytt-servicetorg.md:2:"), "{stderr}");
    assert!(stderr.contains("data/sykefravar.csv:2:"), "{stderr}");

    let mut markup = 0;
    for entry in walkdir::WalkDir::new(&out).into_iter().map(Result::unwrap).filter(|e| e.file_type().is_file()) {
        let name = entry.path().to_string_lossy().into_owned();
        if !(name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".svg")) {
            continue;
        }
        markup += 1;
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let bad = text.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
        assert_eq!(bad, None, "{name} holds a control character");
        for (i, _) in text.match_indices("<script type=\"application/ld+json\">") {
            let block = &text[i + 35..];
            let block = &block[..block.find("</script>").unwrap()];
            assert!(!block.contains(['<', '>', '&']), "{name}: {block}");
        }
    }
    assert!(markup > 10);
    let page = std::fs::read_to_string(out.join("prosjekter/nytt-servicetorg/index.html")).unwrap();
    assert!(page.contains("id=\"h-innsyn-i-postjournalen\""));

    let check = check_site(&root);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains("`javascript:alert(1)` runs a script"), "{stderr}");
}

#[test]
fn a_long_chain_of_goals_and_a_cycle_at_its_end_are_checked_in_linear_time() {
    let (dir, root) = new_site();
    let goals = root.join("content/mal");
    const N: usize = 3_000;
    for i in 0..N {
        // G0 ← G1 ← … ← G2999, and C0 → C1 → C2 → C0 hanging below it.
        let parent = if i == 0 { String::new() } else { format!("parent = \"G{}\"\n", i - 1) };
        let page = format!("+++\ntitle = \"Mål {i}\"\ntype = \"goal\"\n[goal]\nid = \"G{i}\"\n{parent}+++\n");
        std::fs::write(goals.join(format!("g{i}.md")), page).unwrap();
    }
    for i in 0..3 {
        let page = format!(
            "+++\ntitle = \"Sirkel {i}\"\ntype = \"goal\"\n[goal]\nid = \"C{i}\"\nparent = \"C{}\"\n+++\n",
            (i + 1) % 3
        );
        std::fs::write(goals.join(format!("c{i}.md")), page).unwrap();
    }
    let check = check_site(&root);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("go round in a circle").count(), 1, "{stderr}");
    assert!(stderr.contains("C0 → C1 → C2 → C0") || stderr.contains("C1 → C2 → C0 → C1"), "{stderr}");
    drop(dir);
}

#[test]
fn indicator_numbers_no_chart_can_show_are_errors_at_their_line() {
    for (baseline, expect) in [
        ("{ x = 2022, y = 1e308 }", "baseline `y`"),
        ("{ x = 2022, y = -1e300 }", "baseline `y`"),
        ("{ x = 2022, y = nan }", "baseline `y`"),
        ("{ x = 2022, y = inf }", "baseline `y`"),
        ("{ x = 2022, y = 5e-324 }", "baseline `y`"),
        ("{ x = -inf, y = 8.5 }", "baseline `x`"),
        ("{ x = 1e300, y = 8.5 }", "baseline `x`"),
    ] {
        let (_dir, root) = new_site();
        let goal = root.join("content/mal/lavere-sykefravaer.md");
        let src = std::fs::read_to_string(&goal).unwrap();
        std::fs::write(&goal, src.replace("{ x = 2022, y = 8.5 }", baseline)).unwrap();
        let check = check_site(&root);
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert_eq!(check.status.code(), Some(1), "{baseline}: {stderr}");
        assert!(
            stderr.contains("content/mal/lavere-sykefravaer.md:") && stderr.contains(expect),
            "{baseline}: {stderr}"
        );
    }
}

#[test]
fn huge_and_tiny_values_in_a_data_file_are_errors_not_a_hang() {
    let huge = format!("1{}", "0".repeat(300));
    let tiny = format!("0,{}1", "0".repeat(300));
    for value in [huge.as_str(), &format!("-{huge}"), &tiny, "10 000 000 000 000 000"] {
        let (_dir, root) = new_site();
        std::fs::write(root.join("data/sykefravar.csv"), format!("år;prosent\n2022;8,5\n2023;{value}\n")).unwrap();
        let check = check_site(&root);
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert_eq!(check.status.code(), Some(1), "{value}: {stderr}");
        assert!(stderr.contains("draw"), "{value}: {stderr}");
    }
}

#[test]
fn decomposed_letters_are_composed_and_a_stray_byte_does_not_garble_a_utf8_file() {
    let (dir, root) = new_site();
    let page = root.join("content/prosjekter/nytt-servicetorg.md");
    let src = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{src}\nSamarbeid med Mera\u{30a}ker og Ra\u{308}ttvik.\n")).unwrap();
    // UTF-8 with one Windows-1252 byte (ø) in the last row.
    std::fs::write(
        root.join("data/sykefravar.csv"),
        b"\xc3\xa5r;prosent;merknad\n2022;8,5;Mer\xc3\xa5ker\n2023;8,1;S\xf8r\n",
    )
    .unwrap();
    let out = dir.path().join("public");
    let build = build_into(&root, &out);
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{stderr}");
    assert!(stderr.contains("data/sykefravar.csv:3:11: warning: the byte 0xF8 is not valid UTF-8"), "{stderr}");
    let mut composed = false;
    for entry in walkdir::WalkDir::new(&out).into_iter().map(Result::unwrap).filter(|e| e.file_type().is_file()) {
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        assert!(!text.contains('\u{30a}') && !text.contains('\u{308}'), "{} is not NFC", entry.path().display());
        assert!(!text.contains("MerÃ¥ker"), "{} has mojibake", entry.path().display());
        composed |= text.contains("Meråker") && text.contains("Rättvik");
    }
    assert!(composed, "the page has the composed words");
}

#[test]
fn two_charts_with_one_title_on_a_page_are_named_and_id_tells_them_apart() {
    let (_dir, root) = new_site();
    let page = root.join("content/tall/sykefravaer.md");
    let src = std::fs::read_to_string(&page).unwrap();
    let chart = "{{ chart(data=\"sykefravar.csv\", kind=\"bar\", x=\"år\", y=\"prosent\", title=\"Samme tittel\") }}";
    std::fs::write(&page, format!("{src}\n{chart}\n\nTekst.\n\n{chart}\n")).unwrap();
    let check = || check_site(&root);
    let out = check();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the `chart` on line") && stderr.contains("id="), "{stderr}");
    assert!(!stderr.contains("static file"), "{stderr}");
    let second = chart.replace(") }}", ", id=\"samme-tittel-2\") }}");
    std::fs::write(&page, format!("{src}\n{chart}\n\nTekst.\n\n{second}\n")).unwrap();
    let out = check();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn term_spellings_that_share_an_address_are_a_warning_and_status_is_innsyns_own() {
    let (dir, root) = new_site();
    std::fs::write(
        root.join("content/tall/tredje.md"),
        "+++\ntitle = \"Tredje\"\n[taxonomies]\ntema = [\"a a\"]\n+++\nTekst.\n",
    )
    .unwrap();
    let page2 = root.join("content/tall/annen.md");
    std::fs::write(&page2, "+++\ntitle = \"Annen\"\n[taxonomies]\ntema = [\"A-A\"]\n+++\nTekst.\n").unwrap();
    let out = dir.path().join("public");
    let build = build_into(&root, &out);
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{stderr}");
    assert!(stderr.contains("warning: the tema `") && stderr.contains("is the same term as"), "{stderr}");

    // A hand-made status term beside the statuses innsyn writes.
    std::fs::write(&page2, "+++\ntitle = \"Annen\"\n[taxonomies]\nstatus = [\"in-progress\"]\n+++\nTekst.\n").unwrap();
    let check = check_site(&root);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("content/tall/annen.md:4:1: error: the status taxonomy is made by innsyn"), "{stderr}");
}
