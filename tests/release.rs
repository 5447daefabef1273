//! The binary as a release ships it: `--version` names the commit it was built
//! from, `innsyn` alone says how to start, and `scripts/smoke`, the smoke test
//! `scripts/release` and the release workflow run on every package, passes on this
//! build too.

mod common;

use std::process::Command;

use common::{repo_root, tools_available, Tool};

fn innsyn(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_innsyn")).args(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn version_names_the_version_and_the_commit() {
    let (code, text) = innsyn(&["--version"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.starts_with(&format!("innsyn {}", env!("CARGO_PKG_VERSION"))), "{text}");
    // Built from a git work tree (as here), the commit and its date follow.
    let head = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(repo_root()).output();
    let head = head.ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let (Some(head), None) = (head, std::env::var_os("INNSYN_COMMIT")) {
        assert!(text.contains(&format!("({} ", &head[..12])), "{text} does not name commit {head}");
    }
}

#[test]
fn no_command_says_how_to_start_and_succeeds() {
    let (code, text) = innsyn(&[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("innsyn init my-site"), "{text}");
    assert!(text.contains("innsyn serve --root my-site"), "{text}");
    assert!(text.contains("--help"), "{text}");
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let (code, text) = innsyn(&["biuld"]);
    assert_eq!(code, 2, "{text}");
}

#[cfg(unix)]
#[test]
fn the_release_smoke_test_passes_on_this_build() {
    if !tools_available("the_release_smoke_test_passes_on_this_build", &[Tool::Curl]) {
        return;
    }
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/smoke"))
        .arg(env!("CARGO_BIN_EXE_innsyn"))
        .env_remove("INNSYN_RUNNER")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "scripts/smoke failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("checks passed"), "{stdout}");
}
