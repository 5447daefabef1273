//! The only place that reads the file system (writing is `output.rs`'s job).
//! Every error names the path it concerns.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{relative, Diagnostic};

/// Reads a whole file as bytes.
pub fn read(root: &Path, path: &Path) -> Result<Vec<u8>, Diagnostic> {
    std::fs::read(path).map_err(|e| Diagnostic::new(relative(root, path), format!("cannot read the file: {e}")))
}

/// Reads a UTF-8 text file; invalid UTF-8 is reported at the line and column where it starts.
pub fn read_text(root: &Path, path: &Path) -> Result<String, Diagnostic> {
    let bytes = read(root, path)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, col) = crate::error::line_col(prefix, valid);
        Diagnostic::at(relative(root, path), line, col, "the file is not valid UTF-8 text")
            .hint("save the file as UTF-8 (in most editors: «Save with encoding» → UTF-8)")
    })
}

/// Whether a path exists (file or folder).
pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// Whether a path is a folder.
pub fn is_dir(path: &Path) -> bool {
    path.is_dir()
}

/// All files below `dir`, sorted by path, following symbolic links but surviving
/// loops. Hidden files and folders (starting with `.`) are skipped. A missing folder
/// gives an empty list.
pub fn walk_files(dir: &Path) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        // A symlink loop or an unreadable folder is skipped rather than fatal: the
        // walk must always end.
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// Canonical form of a path, or the path itself when it does not exist.
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
