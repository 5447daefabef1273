//! Embeds the default theme (`themes/innsyn/`) in the binary, so a site made with
//! `innsyn init` builds without a copy of the theme, and the commit the binary was
//! built from, so `innsyn --version` names it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    embed_theme();
    embed_version();
}

fn embed_theme() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/innsyn");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = String::from(
        "/// The default theme's files: (path inside the theme, contents).\npub(super) static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (rel, abs) in &files {
        println!("cargo:rerun-if-changed={abs}");
        writeln!(out, "    ({rel:?}, include_bytes!({abs:?})),").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded_theme.rs");
    std::fs::write(dest, out).unwrap();
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    // A binary without its theme would fail every build it makes: stop here instead.
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read the default theme at {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(root, &path, files);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            files.push((rel, path.display().to_string()));
        }
    }
}

/// Sets `INNSYN_VERSION` for `innsyn --version`: the crate's version and the commit,
/// e.g. `0.1.0 (1a2b3c4d5e6f 2026-05-01)`, or the version alone when no commit is known.
///
/// The commit comes from, in order: the `INNSYN_COMMIT` variable (for builds from a
/// copy without `.git`); `.cargo_vcs_info.json`, which `cargo package` writes into a
/// packaged crate; and git, when the crate's folder is the top of a git work tree
/// (a packaged crate unpacked inside some other repository must not take its commit).
fn embed_version() {
    println!("cargo:rerun-if-env-changed=INNSYN_COMMIT");
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // Written once by `cargo package` and never changed, so not watched (cargo would
    // rerun this script on every build to watch a file that is not there).
    let vcs_info = manifest_dir.join(".cargo_vcs_info.json");
    let commit = match std::env::var("INNSYN_COMMIT") {
        Ok(given) if !given.trim().is_empty() => Some(short(given.trim())),
        _ => std::fs::read_to_string(&vcs_info)
            .ok()
            .and_then(|json| packaged_commit(&json))
            .or_else(|| git_commit(&manifest_dir)),
    };
    let version = env!("CARGO_PKG_VERSION");
    let full = match commit {
        Some(commit) => format!("{version} ({commit})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=INNSYN_VERSION={full}");
}

/// The `"sha1"` of `.cargo_vcs_info.json`, shortened.
fn packaged_commit(json: &str) -> Option<String> {
    let rest = &json[json.find("\"sha1\"")? + 6..];
    let start = rest.find('"')? + 1;
    let end = start + rest[start..].find('"')?;
    let sha = &rest[start..end];
    sha.bytes().all(|b| b.is_ascii_hexdigit()).then(|| short(sha))
}

/// The work tree's commit and its date, e.g. `1a2b3c4d5e6f 2026-05-01`, and
/// `rerun-if-changed` lines for the files a new commit or checkout changes.
fn git_commit(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(dir).output().ok()?;
        let text = String::from_utf8(out.stdout).ok()?;
        out.status.success().then(|| text.trim().to_string())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    // HEAD moves on checkout; the branch's ref (or packed-refs) on commit.
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])?];
    watched.extend(git(&["rev-parse", "--git-path", "packed-refs"]));
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        let ref_file = PathBuf::from(git(&["rev-parse", "--git-path", &branch])?);
        // A packed ref gets a loose file at its next commit: watch its folder until then.
        let existing = ref_file.ancestors().find(|p| p.exists()).unwrap_or(&ref_file).to_path_buf();
        watched.push(existing.display().to_string());
    }
    for path in watched {
        let path = if Path::new(&path).is_absolute() { PathBuf::from(path) } else { dir.join(path) };
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let line = git(&["log", "-1", "--format=%H %cs", "HEAD"])?;
    let (sha, date) = line.split_once(' ')?;
    Some(format!("{} {date}", short(sha)))
}

/// The first 12 digits of a hexadecimal commit id; anything else as given.
fn short(commit: &str) -> String {
    if commit.len() > 12 && commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        commit[..12].to_string()
    } else {
        commit.to_string()
    }
}
