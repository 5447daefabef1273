//! Data files whose text is not clean: a stray byte in a UTF-8 CSV, and letters
//! written decomposed (`a` + a combining ring). The file stays UTF-8 and the stray
//! byte is a warning at its line and column, on `build` and `check` (which fails with
//! `--strict`); decomposed and composed letters match each other.

use std::path::Path;
use std::process::{Command, Output};

mod common;

/// The example site with `data/blandet.csv` (bytes as given) and a page showing it.
fn site_with(csv: &[u8], page: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let root = common::repo_root();
    std::fs::copy(root.join("config.toml"), site.path().join("config.toml")).unwrap();
    for dir in ["content", "data", "themes", "static"] {
        if root.join(dir).is_dir() {
            common::copy_dir(&root.join(dir), &site.path().join(dir));
        }
    }
    std::fs::write(site.path().join("data/blandet.csv"), csv).unwrap();
    std::fs::write(site.path().join("content/om/blandet.md"), page).unwrap();
    site
}

fn innsyn(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_innsyn")).args(args).arg("--root").arg(root).output().unwrap()
}

#[test]
fn a_stray_byte_in_a_utf8_csv_is_a_warning_at_its_place_and_the_rest_stays_utf8() {
    let csv = b"kommune,verdi\nMer\xc3\xa5ker,1\nTr\xf8ndelag,2\n";
    let page = "+++\ntitle = \"Blandet\"\n+++\n\n{{ table(data=\"blandet.csv\") }}\n";
    let site = site_with(csv, page);
    let out = tempfile::tempdir().unwrap();
    let o = innsyn(&["build", "--quiet", "--output", out.path().to_str().unwrap()], site.path());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("data/blandet.csv:3:3: warning: the byte 0xF8 is not valid UTF-8, so it is read as `�`"),
        "{stderr}"
    );
    let html = std::fs::read_to_string(out.path().join("om/blandet/index.html")).unwrap();
    assert!(html.contains("Meråker"), "the valid UTF-8 must stay as it is");
    assert!(!html.contains("MerÃ¥ker"), "the file was read as Windows-1252");

    let check = innsyn(&["check"], site.path());
    assert!(check.status.success());
    assert!(String::from_utf8_lossy(&check.stderr).contains("data/blandet.csv:3:3: warning:"));
    assert_eq!(innsyn(&["check", "--strict"], site.path()).status.code(), Some(1));
}

#[test]
fn a_decomposed_letter_in_a_csv_matches_a_filter_written_composed() {
    // `Ås` with a combining ring in the file; the filter has the precomposed `Å`.
    let csv = "kommune,verdi\nA\u{30a}s,3\nTime,4\n".as_bytes();
    let page = "+++\ntitle = \"Blandet\"\n+++\n\n{{ table(data=\"blandet.csv\", filter=\"kommune=\u{c5}s\") }}\n";
    let site = site_with(csv, page);
    let out = tempfile::tempdir().unwrap();
    let o = innsyn(&["build", "--quiet", "--output", out.path().to_str().unwrap()], site.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.path().join("om/blandet/index.html")).unwrap();
    assert!(html.contains("\u{c5}s</th>"), "the cell is shown composed");
    assert!(!html.contains("Time</th>"));
}
