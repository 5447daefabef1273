//! The only place that reads the file system (writing is `output.rs`'s job).
//! Every error names the path it concerns.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{relative, Diagnostic, Diagnostics};

/// Reads a whole file as bytes. A symbolic link is read only when it points to a
/// file inside the site's folder ([`inside`]).
pub fn read(root: &Path, path: &Path) -> Result<Vec<u8>, Diagnostic> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        inside(&canonical(root), path)?;
    }
    std::fs::read(path).map_err(|e| Diagnostic::new(relative(root, path), format!("cannot read the file: {e}")))
}

/// Checks that the symbolic link `link` leads to somewhere inside `root` (given in
/// canonical form): a site publishes only its own files, never `/etc/passwd` or a
/// home folder that a link in `static/` points to.
fn inside(root: &Path, link: &Path) -> Result<(), Diagnostic> {
    let shown = relative(root, link);
    match std::fs::canonicalize(link) {
        Ok(target) if target.starts_with(root) => Ok(()),
        Ok(target) => {
            Err(Diagnostic::new(shown, format!("the link points outside the site's folder, to `{}`", target.display()))
                .hint(
                    "innsyn publishes only files inside the site's folder: copy the file in instead of linking to it",
                ))
        }
        Err(e) => Err(Diagnostic::new(shown, format!("the link leads nowhere: {e}"))
            .hint("remove the link, or point it to a file inside the site's folder")),
    }
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

/// All files below `dir`, sorted by path. Symbolic links are followed when they
/// lead to somewhere inside `root`; a link that leaves it, or leads nowhere, is an
/// error in `errors` and is skipped. Loops end the walk of their branch. Hidden
/// files and folders (starting with `.`) are skipped. A missing folder gives an
/// empty list.
pub fn walk_files(root: &Path, dir: &Path, errors: &mut Diagnostics) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let root = canonical(root);
    let refused = std::cell::RefCell::new(Vec::new());
    let mut files = Vec::new();
    let walk = WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        if e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.') {
            return false;
        }
        // Checking each link is enough: below a link that stays inside, every
        // path stays inside too, unless it passes another link.
        if e.path_is_symlink() || (e.depth() == 0 && !canonical(e.path()).starts_with(&root)) {
            if let Err(d) = inside(&root, e.path()) {
                refused.borrow_mut().push(d);
                return false;
            }
        }
        true
    });
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
            Ok(_) => {}
            // A link that leads nowhere is reported; a loop or an unreadable
            // folder is skipped, so the walk always ends.
            Err(e) if e.loop_ancestor().is_none() => {
                if let Some(path) = e.path().filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_symlink())) {
                    refused.borrow_mut().extend(inside(&root, path).err());
                }
            }
            Err(_) => {}
        }
    }
    errors.extend(refused.into_inner());
    files
}

/// Canonical form of a path, or the path itself when it does not exist.
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
