//! Helpers shared by the tests that drive outside tools (Chromium, the Nu HTML
//! checker): finding those tools, skipping or failing when they are missing, and
//! building the example site with the `innsyn` binary into a temporary folder, and
//! copying sites to build them elsewhere.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use std::env;
use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// Copies a folder tree (a fixture or the example site) to `to`.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// The repository root, which is also the example site.
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where `scripts/test` installs the npm packages (overridable with `INNSYN_TOOLS`).
pub(crate) fn tools_dir() -> PathBuf {
    match env::var_os("INNSYN_TOOLS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => repo_root().join(".tools"),
    }
}

/// The Chromium binary the browser tests drive (overridable with `CHROMIUM`).
pub(crate) fn chromium_path() -> PathBuf {
    match env::var_os("CHROMIUM") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from("/usr/bin/chromium"),
    }
}

/// The Nu HTML checker's jar, as the `vnu-jar` npm package ships it.
pub(crate) fn vnu_jar() -> PathBuf {
    tools_dir().join("node_modules/vnu-jar/build/dist/vnu.jar")
}

/// An outside tool a test needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Node,
    Chromium,
    Java,
    Python3,
    /// playwright-core and axe-core in `.tools/node_modules`.
    BrowserPackages,
    /// vnu.jar in `.tools/node_modules`.
    VnuJar,
    /// curl, which `scripts/smoke` asks `innsyn serve` with.
    Curl,
}

impl Tool {
    /// Why the tool counts as missing, or `None` when it is there.
    fn missing(self) -> Option<String> {
        let found = match self {
            Tool::Node => runs("node", ["--version"]),
            Tool::Chromium => chromium_path().is_file(),
            Tool::Java => runs("java", ["-version"]),
            Tool::Python3 => runs("python3", ["--version"]),
            Tool::BrowserPackages => {
                let modules = tools_dir().join("node_modules");
                modules.join("playwright-core/package.json").is_file() && modules.join("axe-core/axe.min.js").is_file()
            }
            Tool::VnuJar => vnu_jar().is_file(),
            Tool::Curl => runs("curl", ["--version"]),
        };
        if found {
            return None;
        }
        Some(match self {
            Tool::Node => "node (not on PATH)".to_owned(),
            Tool::Chromium => format!("chromium ({} not found)", chromium_path().display()),
            Tool::Java => "java (not on PATH)".to_owned(),
            Tool::Python3 => "python3 (not on PATH)".to_owned(),
            Tool::BrowserPackages => {
                format!("playwright-core and axe-core (not in {})", tools_dir().join("node_modules").display())
            }
            Tool::VnuJar => format!("vnu.jar ({} not found)", vnu_jar().display()),
            Tool::Curl => "curl (not on PATH)".to_owned(),
        })
    }
}

fn runs<I, S>(program: &str, args: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(program).args(args).output().is_ok_and(|out| out.status.success())
}

/// Whether missing tools must fail the test rather than skip it: `scripts/test`
/// sets `INNSYN_REQUIRE_TOOLS=1`, so CI never passes by skipping.
pub(crate) fn tools_required() -> bool {
    env::var("INNSYN_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Returns `true` when every tool is there. Otherwise fails the test when tools
/// are required, or prints a loud SKIPPED line and returns `false`, so the
/// caller returns early.
#[must_use]
pub(crate) fn tools_available(test: &str, tools: &[Tool]) -> bool {
    let missing: Vec<String> = tools.iter().filter_map(|tool| tool.missing()).collect();
    if missing.is_empty() {
        return true;
    }
    let list = missing.join(", ");
    if tools_required() {
        panic!(
            "{test} needs tools that are missing: {list}.\n\
             Run ./scripts/test (it installs them), or unset INNSYN_REQUIRE_TOOLS to skip this test."
        );
    }
    // Straight to the process's stderr: the test harness captures eprintln!,
    // and a skip nobody sees looks like a pass.
    let _ = writeln!(
        io::stderr().lock(),
        "\n!!!!! SKIPPED: {test}: missing {list} (run ./scripts/test to install) !!!!!\n"
    );
    false
}

/// Runs the `innsyn` binary with `args`, from the repository root.
pub(crate) fn run_innsyn<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let bin = env!("CARGO_BIN_EXE_innsyn");
    Command::new(bin)
        .args(args)
        .current_dir(repo_root())
        .output()
        .unwrap_or_else(|err| panic!("could not run {bin}: {err}"))
}

/// A site built into a temporary folder, removed when this is dropped.
pub(crate) struct BuiltSite {
    _dir: TempDir,
    pub(crate) output: PathBuf,
}

/// How to build the example site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Links {
    /// Links to folders end in `/`, as served over HTTP.
    Served,
    /// `--offline`: links to folders end in `index.html`, for file:// URLs.
    Offline,
}

/// Builds the example site (the repository root) into a fresh temporary folder
/// with `innsyn build --quiet`, and fails the test with the build's output if
/// the build fails.
pub(crate) fn build_example_site(links: Links) -> BuiltSite {
    build_site(&repo_root(), links)
}

/// Builds the site at `root` as [`build_example_site`] does.
pub(crate) fn build_site(root: &Path, links: Links) -> BuiltSite {
    let dir = tempfile::Builder::new()
        .prefix("innsyn-test-")
        .tempdir()
        .unwrap_or_else(|err| panic!("could not make a temporary folder: {err}"));
    // A folder that does not exist yet, so the build creates it as it would `public/`.
    let output = dir.path().join("site");
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("build"),
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("--output"),
        output.as_os_str(),
        OsStr::new("--quiet"),
    ];
    if links == Links::Offline {
        args.push(OsStr::new("--offline"));
    }
    let out = run_innsyn(&args);
    let command: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
    assert!(out.status.success(), "`innsyn {}` failed:\n{}", command.join(" "), describe_output(&out));
    assert!(
        output.join("index.html").is_file(),
        "the build succeeded but wrote no {}",
        output.join("index.html").display()
    );
    BuiltSite { _dir: dir, output }
}

/// Shows a tool's output in a failure message.
pub(crate) fn describe_output(out: &Output) -> String {
    format!(
        "exit status: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `%C3%A5` → `å`: an address read back as a file's path, by the tests' own
/// reading rather than innsyn's.
pub(crate) fn percent_decoded(href: &str) -> String {
    let bytes = href.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&href[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
