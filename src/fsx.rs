//! The only place that reads the file system (writing is `output.rs`'s job, but
//! for innsyn's own cache of image variants, [`write_cached`]).
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
/// Control characters are replaced by spaces ([`scrub`]) without a word; use
/// [`read_text_noting`] to hear of them.
pub fn read_text(root: &Path, path: &Path) -> Result<String, Diagnostic> {
    read_text_noting(root, path, &std::sync::Mutex::new(Vec::new()))
}

/// Like [`read_text`], adding a warning to `notes` when control characters were
/// replaced.
pub fn read_text_noting(
    root: &Path,
    path: &Path,
    notes: &std::sync::Mutex<Vec<Diagnostic>>,
) -> Result<String, Diagnostic> {
    let mut bytes = read(root, path)?;
    if let Some(note) = scrub(&relative(root, path), &mut bytes, true) {
        notes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(note);
    }
    String::from_utf8(bytes).map(nfc).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, col) = crate::error::line_col(prefix, valid);
        Diagnostic::at(relative(root, path), line, col, "the file is not valid UTF-8 text")
            .hint("save the file as UTF-8 (in most editors: «Save with encoding» → UTF-8)")
    })
}

/// Replaces the control characters that XML and HTML forbid (all of U+0000–U+001F
/// but tab, line feed and carriage return, and U+007F; with `c1`, also U+0080–U+009F
/// as UTF-8) by spaces, and says where the first one was. Word writes U+000B for a
/// manual line break; one of them in a title made feeds, the sitemap and charts'
/// SVG not well-formed. Works on bytes, before decoding: these bytes are never
/// part of another character in UTF-8 or Windows-1252 (C1 only in UTF-8, hence
/// `c1` for files known to be UTF-8).
pub fn scrub(file: &Path, bytes: &mut [u8], c1: bool) -> Option<Diagnostic> {
    let forbidden = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F;
    let mut first = None;
    let mut count = 0;
    // Whether a run of bytes may hold one to replace: a test of every byte at
    // once, which the compiler turns into vector instructions. Most runs of a
    // page pass it and are skipped whole; a run with a newline or tab is looked
    // at byte by byte.
    const RUN: usize = 16;
    let suspect = |run: &[u8]| run.iter().fold(false, |any, &b| any | (b < 0x20) | (b == 0x7F) | (c1 & (b == 0xC2)));
    let mut i = 0;
    while i < bytes.len() {
        if i + RUN <= bytes.len() && !suspect(&bytes[i..i + RUN]) {
            i += RUN;
            continue;
        }
        let b = bytes[i];
        let width = if forbidden(b) {
            1
        } else if c1 && b == 0xC2 && bytes.get(i + 1).is_some_and(|n| (0x80..0xA0).contains(n)) {
            2
        } else {
            i += 1;
            continue;
        };
        let code = if width == 1 { u32::from(b) } else { u32::from(bytes[i + 1]) };
        first.get_or_insert((i, code));
        count += 1;
        bytes[i..i + width].fill(b' ');
        i += width;
    }
    let (at, code) = first?;
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    // Columns count characters: every byte but UTF-8's continuation bytes.
    let col = bytes[line_start..at].iter().filter(|&&b| b & 0xC0 != 0x80).count() + 1;
    let what = if count == 1 { "a control character".to_string() } else { format!("{count} control characters") };
    Some(
        Diagnostic::at(
            file,
            line,
            col,
            format!(
                "the file holds {what} (the first here, U+{code:04X}) that web pages, feeds and charts cannot carry; \
                 innsyn put spaces in their place"
            ),
        )
        .hint(
            "remove them; Word's manual line break (Shift+Enter) is one, and text pasted from Word or PDF brings them",
        )
        .warning(),
    )
}

/// `text` in Unicode's composed form (NFC), kept as it is when it already is
/// ([`crate::unicode::nfc`]): an `å` written as `a` and a combining ring (as macOS
/// and some PDFs write it) becomes `å` in pages, slugs and the search index.
pub fn nfc(text: String) -> String {
    match crate::unicode::nfc(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(composed) => composed,
    }
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

/// A file of innsyn's own cache (`.innsyn-cache/` in the site), or `None` when it
/// is not there or cannot be read: a cache only ever saves time.
pub fn read_cached(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

/// Keeps `bytes` as `name` in the cache folder `dir`, made if need be. The file
/// appears by a rename, so a build stopped half-way leaves no torn entry. The
/// cache is the one thing innsyn writes outside the output folder, and it
/// writes only there (see `docs/images.md`).
pub fn write_cached(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(name)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Canonical form of a path, or the path itself when it does not exist.
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_spaces_and_the_first_is_placed() {
        let mut text = "tittel\nÅr\u{b} og\u{1}\u{85}\u{7f}\tslutt\r\n".as_bytes().to_vec();
        let note = scrub(Path::new("a.md"), &mut text, true).unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), "tittel\nÅr  og    \tslutt\r\n");
        assert_eq!(note.location(), "a.md:2:3");
        assert!(note.warning && note.message.contains("4 control characters"), "{note}");
    }

    #[test]
    fn windows_1252_bytes_are_left_alone_without_c1() {
        // «Â» then «€» in Windows-1252: C2 80, which is U+0080 only in UTF-8.
        let mut text = vec![0xC2, 0x80, b'x'];
        assert!(scrub(Path::new("a.csv"), &mut text, false).is_none());
        assert_eq!(text, [0xC2, 0x80, b'x']);
    }

    #[test]
    fn a_control_character_is_found_wherever_it_stands_in_a_long_text() {
        // Runs of 16 bytes are skipped whole when they hold none: each place in a
        // run, and a two-byte U+0085 across the end of one, must still be found.
        for at in 0..48 {
            for (bad, width) in [(&[0x0B][..], 1), (&[0xC2, 0x85][..], 2), (&[0x7F][..], 1)] {
                let mut bytes = vec![b'a'; 64];
                bytes[at..at + width].copy_from_slice(bad);
                let note = scrub(Path::new("a"), &mut bytes, true);
                assert!(note.is_some_and(|n| n.location() == format!("a:1:{}", at + 1)), "{at} {bad:?}");
                assert_eq!(
                    bytes,
                    [b'a'; 64]
                        .iter()
                        .enumerate()
                        .map(|(i, &b)| if (at..at + width).contains(&i) { b' ' } else { b })
                        .collect::<Vec<_>>()
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn no_forbidden_character_survives(s in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}a-zå]*") {
            let mut bytes = s.into_bytes();
            scrub(Path::new("a"), &mut bytes, true);
            let text = String::from_utf8(bytes).unwrap();
            proptest::prop_assert!(
                !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
                "{:?}", text
            );
        }
    }
}
