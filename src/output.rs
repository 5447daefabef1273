//! Writes the built site: the only module that changes the output folder. Files are
//! written in sorted order, only when their bytes changed, each through a temporary
//! file and a rename; files the build no longer produces are removed.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics};

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path inside the output folder, `/`-separated, no leading `/`.
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: String, bytes: Vec<u8>) -> Self {
        OutputFile { path, bytes }
    }
}

/// What writing changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Makes sure no two files share a path, and sorts them.
pub fn check_unique(files: &mut [OutputFile]) -> Result<(), Diagnostics> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut errors = Diagnostics::default();
    for pair in files.windows(2) {
        if pair[0].path == pair[1].path {
            errors.push(
                Diagnostic::new(&pair[0].path, format!("two outputs would be written to `{}`", pair[0].path))
                    .hint("a static file, page, section or taxonomy share this address; rename one of them"),
            );
        }
    }
    errors.into_result()
}

/// Refuses output folders that would delete the site itself.
pub fn check_target(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let root = crate::fsx::canonical(root);
    let out_abs = crate::fsx::canonical(out);
    if root.starts_with(&out_abs) || out_abs.join("content").exists() || out_abs.join("config.toml").exists() {
        return Err(Diagnostic::new(
            out,
            "the output folder holds the site itself, and innsyn removes files there that the build does not produce",
        )
        .hint("choose another folder, e.g. `--output public`"));
    }
    Ok(())
}

/// Writes `files` (sorted and unique) into `out`, replacing only changed files and
/// removing stale ones.
pub fn write(out: &Path, files: &[OutputFile]) -> Result<WriteReport, Diagnostics> {
    let io_err = |path: &Path, e: std::io::Error| Diagnostic::new(path, format!("cannot write the output: {e}"));
    std::fs::create_dir_all(out).map_err(|e| io_err(out, e))?;
    let results: Vec<Result<bool, Diagnostic>> = files
        .par_iter()
        .map(|f| {
            let dest = out.join(&f.path);
            if holds(&dest, &f.bytes) {
                return Ok(false);
            }
            replace(&dest, &f.bytes).map_err(|e| io_err(&dest, e))?;
            Ok(true)
        })
        .collect();
    let mut report = WriteReport::default();
    let mut errors = Diagnostics::default();
    for r in results {
        match r {
            Ok(true) => report.written += 1,
            Ok(false) => report.unchanged += 1,
            Err(d) => errors.push(d),
        }
    }
    errors.into_result()?;
    report.removed = remove_stale(out, files).map_err(|e| io_err(out, e))?;
    Ok(report)
}

/// Whether `dest` is a file with exactly `bytes` in it. One open, one `fstat`
/// and the reads: a rebuild asks this of every output file.
fn holds(dest: &Path, bytes: &[u8]) -> bool {
    use std::io::Read as _;
    let Ok(mut file) = std::fs::File::open(dest) else { return false };
    if !file.metadata().is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64) {
        return false;
    }
    // `read_exact` and one more read for the end, not `read_to_end`, which
    // asks the file's size again and seeks.
    let mut old = vec![0; bytes.len()];
    file.read_exact(&mut old).is_ok() && old == bytes && file.read(&mut [0]).is_ok_and(|n| n == 0)
}

fn replace(dest: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    if dir.is_file() {
        // A file where a folder must go (e.g. an old `a` now `a/index.html`).
        std::fs::remove_file(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    if dest.is_dir() {
        std::fs::remove_dir_all(dest)?;
    }
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.innsyn-tmp"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
    }
    std::fs::rename(&tmp, dest)
}

/// Removes files (and then empty folders) that are not among `files`.
fn remove_stale(out: &Path, files: &[OutputFile]) -> std::io::Result<usize> {
    let keep: HashSet<PathBuf> = files.iter().map(|f| out.join(&f.path)).collect();
    // Folders with a file that stays; only the others can become empty.
    let keep_dirs: HashSet<PathBuf> = files
        .iter()
        .flat_map(|f| Path::new(&f.path).ancestors().skip(1))
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| out.join(d))
        .collect();
    let mut removed = 0;
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        if entry.file_type().is_dir() {
            dirs.push(path.to_path_buf());
        } else if !keep.contains(path) {
            std::fs::remove_file(path)?;
            removed += 1;
        }
    }
    // Deepest first, so a folder is empty once its children are gone.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs.iter().filter(|d| !keep_dirs.contains(*d)) {
        let _ = std::fs::remove_dir(d); // Fails, harmlessly, when not empty.
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, s: &str) -> OutputFile {
        OutputFile::new(path.into(), s.as_bytes().to_vec())
    }

    #[test]
    fn rewriting_an_unchanged_site_writes_nothing_and_stale_files_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let files = vec![f("a/index.html", "a"), f("index.html", "i")];
        assert_eq!(write(&out, &files).unwrap().written, 2);
        assert_eq!(write(&out, &files).unwrap(), WriteReport { written: 0, unchanged: 2, removed: 0 });
        let fewer = vec![f("index.html", "j")];
        assert_eq!(write(&out, &fewer).unwrap(), WriteReport { written: 1, unchanged: 0, removed: 1 });
        assert!(!out.join("a").exists(), "empty folders are removed");
    }

    #[test]
    fn duplicate_output_paths_are_errors() {
        let mut files = vec![f("x.html", "1"), f("x.html", "2")];
        assert!(check_unique(&mut files).is_err());
    }
}
