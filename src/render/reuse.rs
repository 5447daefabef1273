//! The pages an earlier build wrote into an output folder, reused by the next.
//!
//! What a page shows is in its template's context, so a fingerprint of the
//! context (with the template's name and the page's path, see [`super::Memo`])
//! tells whether rendering it again would give the same bytes. A build keeps,
//! in `.innsyn-cache/pages/`, each page's fingerprint beside the size and
//! modification time of the file it wrote. The next build into the same folder
//! renders a page again only when its fingerprint changed or the file is not
//! the one it wrote (another size or time, or gone); every other page is left
//! in place, neither rendered nor read.
//!
//! Everything else a page depends on is in the cache's key: innsyn's own
//! program, the theme (templates, strings and static files), `config.toml`, the
//! options given and the build's date. Templates that ask for the time, the
//! environment, chance or a data file (`now`, `get_env`, `get_random`,
//! `load_data`) depend on more than their context, and such a site keeps
//! nothing: every build renders every page, as does a site whose templates
//! read other pages (`get_page`, `get_url`, …). A cache that cannot be read or
//! written is no fault: the build renders everything, as without it.

use std::collections::HashMap;
use std::hash::Hasher as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;

use super::Memo;
use crate::theme::Theme;

/// The first word of a cache file, with the format's version.
const MAGIC: &str = "innsyn-pages 1";

/// What the cache says of one page's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    fingerprint: u64,
    len: u64,
    /// Modified, in nanoseconds since 1970.
    modified: u128,
}

/// The pages an earlier build wrote into one output folder, as far as they are
/// still there as written.
#[derive(Debug, Default)]
pub struct Previous {
    /// The site's folder (`None`: nothing is kept for this build).
    root: Option<PathBuf>,
    key: u64,
    entries: HashMap<String, Entry>,
    /// The search index written, when every one of its files is still as written.
    index: Option<Index>,
}

/// The search index's files as a build wrote them, under the key of what it
/// was made from (see `body_cache::BodyCache::global`), with its figures for
/// the build's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// What the index was made from.
    pub key: u64,
    /// Its files, by output path.
    pub paths: Vec<String>,
    /// Distinct terms.
    pub terms: usize,
    /// Bytes of its files.
    pub bytes: usize,
}

/// The key of everything besides its context that a page's bytes depend on.
/// `None` when the templates depend on more than their input.
pub fn key(theme: &Theme, config_src: &str, options: &[&str]) -> Option<u64> {
    const VOLATILE: [&str; 4] = ["now", "get_env", "get_random", "load_data"];
    if theme.templates.values().any(|t| VOLATILE.iter().any(|f| calls(&t.source, f))) {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut piece = |bytes: &[u8]| piece(&mut h, bytes);
    piece(MAGIC.as_bytes());
    piece(env!("CARGO_PKG_VERSION").as_bytes());
    // The program itself: another build of innsyn may render otherwise.
    let exe = std::env::current_exe().and_then(std::fs::metadata).ok()?;
    piece(&exe.len().to_le_bytes());
    piece(&nanos(&exe)?.to_le_bytes());
    for t in theme.templates.values() {
        piece(t.name.as_bytes());
        piece(t.source.as_bytes());
    }
    for (lang, strings) in &theme.strings {
        piece(lang.code().as_bytes());
        piece(serde_json::to_string(strings).unwrap_or_default().as_bytes());
    }
    for (path, (_, bytes)) in &theme.static_files {
        piece(path.as_bytes());
        piece(bytes);
    }
    piece(config_src.as_bytes());
    for o in options {
        piece(o.as_bytes());
    }
    piece(std::env::var("SOURCE_DATE_EPOCH").unwrap_or_default().as_bytes());
    Some(h.finish())
}

/// Whether a template's source may call the function `name`: the name, not
/// part of a longer one, then `(` after any white space (tera allows it).
fn calls(source: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    source.match_indices(name).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        let after = source[at + name.len()..].trim_start();
        !before.is_some_and(ident) && after.starts_with('(')
    })
}

impl Previous {
    /// What the cache of the site at `root` says of the output folder `out`,
    /// keeping only the pages whose files are still as written and, by the
    /// folder's record, `ours`; nothing when `key` is `None` or differs from
    /// the cache's.
    pub fn load(root: &Path, out: &Path, key: Option<u64>, ours: &(dyn Fn(&str) -> bool + Sync)) -> Previous {
        let Some(key) = key else { return Previous::default() };
        let mut previous = Previous { root: Some(root.to_path_buf()), key, entries: HashMap::new(), index: None };
        let Ok(text) = std::fs::read_to_string(cache_file(root, out)) else { return previous };
        let mut lines = text.lines();
        if !lines.next().is_some_and(|header| header.starts_with(&format!("{MAGIC} {key:016x} "))) {
            return previous;
        }
        let (index_lines, page_lines): (Vec<&str>, Vec<&str>) = lines.partition(|l| l.starts_with("# "));
        let entries: Vec<(String, Entry)> = page_lines.into_iter().filter_map(parse_line).collect();
        // `# index KEY TERMS BYTES COUNT`, then `# FINGERPRINT LEN MODIFIED PATH` per file.
        let mut index_lines = index_lines.into_iter().map(|l| &l[2..]);
        let head: Option<Vec<&str>> = index_lines.next().map(|h| h.split(' ').collect());
        if let Some(["index", key, terms, bytes, count]) = head.as_deref() {
            let files: Vec<(String, Entry)> = index_lines.filter_map(parse_line).collect();
            let whole = count.parse() == Ok(files.len())
                && files.par_iter().all(|(path, entry)| ours(path) && intact(&out.join(path), entry));
            previous.index = match (whole, u64::from_str_radix(key, 16), terms.parse(), bytes.parse()) {
                (true, Ok(key), Ok(terms), Ok(bytes)) => {
                    Some(Index { key, paths: files.into_iter().map(|f| f.0).collect(), terms, bytes })
                }
                _ => None,
            };
        }
        previous.entries = entries
            .into_par_iter()
            .filter(|(path, entry)| {
                // The record's paths are plain paths inside the folder.
                ours(path) && intact(&out.join(path), entry)
            })
            .collect();
        previous
    }

    /// The search index the build before wrote from what `key` stands for,
    /// when its files are all still as written.
    pub fn index(&self, key: u64) -> Option<&Index> {
        self.index.as_ref().filter(|i| i.key == key)
    }

    /// Whether a build keeps fingerprints for this folder at all.
    pub fn wanted(&self) -> bool {
        self.root.is_some()
    }

    /// The fingerprints of the pages still as written, by output path.
    pub fn memo(&self) -> Memo {
        self.entries.iter().map(|(path, e)| (path.clone(), e.fingerprint)).collect()
    }

    /// The pages of `now` (fingerprints by output path) whose fingerprint is the
    /// one their file was written with: a build leaves those files as they are.
    pub fn unchanged(&self, now: &Memo) -> Vec<String> {
        let mut paths: Vec<String> = now
            .iter()
            .filter(|(path, &fp)| self.entries.get(*path).is_some_and(|e| e.fingerprint == fp))
            .map(|(path, _)| path.clone())
            .collect();
        paths.sort();
        paths
    }

    /// Records `now`, the fingerprints of a build written into `out`, and its
    /// search index: the files it left alone keep their entries, the others
    /// are looked at again.
    pub fn save(self, out: &Path, now: &Memo, index: Option<Index>) {
        let Some(root) = self.root else { return };
        // Named after the folder as it is now, made by the build if it was not there.
        let file = cache_file(&root, out);
        let mut lines: Vec<(&String, Entry)> = now
            .par_iter()
            .filter_map(|(path, &fingerprint)| match self.entries.get(path) {
                Some(e) if e.fingerprint == fingerprint => Some((path, *e)),
                _ => Some((path, written(&out.join(path), fingerprint)?)),
            })
            .collect();
        lines.sort_by(|a, b| a.0.cmp(b.0));
        let mut text = format!("{MAGIC} {:016x} {}\n", self.key, crate::fsx::canonical(out).display());
        for (path, e) in lines {
            text.push_str(&format!("{} {path}\n", e.line()));
        }
        if let Some(index) = index {
            let files: Vec<(&String, Entry)> =
                index.paths.par_iter().filter_map(|path| Some((path, written(&out.join(path), 0)?))).collect();
            if files.len() == index.paths.len() {
                let (key, terms, bytes) = (index.key, index.terms, index.bytes);
                text.push_str(&format!("# index {key:016x} {terms} {bytes} {}\n", files.len()));
                for (path, e) in files {
                    text.push_str(&format!("# {} {path}\n", e.line()));
                }
            }
        }
        let _ = write_atomically(&file, text.as_bytes());
        forget_gone_folders(&file);
    }
}

/// `.innsyn-cache/pages/` holds a file per output folder, named by its path.
fn cache_file(root: &Path, out: &Path) -> PathBuf {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(crate::fsx::canonical(out).to_string_lossy().as_bytes());
    root.join(".innsyn-cache").join("pages").join(format!("{:016x}", h.finish()))
}

/// Removes the cache files of output folders that no longer exist (their
/// header names the folder), so building into many folders in turn, as tests
/// do, leaves no heap of them.
fn forget_gone_folders(kept: &Path) {
    let Some(dir) = kept.parent() else { return };
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        if path == kept {
            continue;
        }
        let header = std::fs::File::open(&path).ok().and_then(|f| {
            use std::io::BufRead as _;
            std::io::BufReader::new(f).lines().next()?.ok()
        });
        let folder =
            header.as_deref().and_then(|h| h.strip_prefix(MAGIC)).and_then(|rest| rest.trim_start().split_once(' '));
        if folder.is_none_or(|(_, folder)| !Path::new(folder).is_dir()) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn parse_line(line: &str) -> Option<(String, Entry)> {
    let mut parts = line.splitn(4, ' ');
    let fingerprint = u64::from_str_radix(parts.next()?, 16).ok()?;
    let len = parts.next()?.parse().ok()?;
    let modified = parts.next()?.parse().ok()?;
    Some((parts.next()?.to_string(), Entry { fingerprint, len, modified }))
}

impl Entry {
    /// The entry as a line of the cache file holds it, before the path.
    fn line(&self) -> String {
        format!("{:016x} {} {}", self.fingerprint, self.len, self.modified)
    }
}

/// The entry of the file at `path`, written with `fingerprint`.
fn written(path: &Path, fingerprint: u64) -> Option<Entry> {
    let m = std::fs::symlink_metadata(path).ok().filter(std::fs::Metadata::is_file)?;
    Some(Entry { fingerprint, len: m.len(), modified: nanos(&m)? })
}

/// Whether the file at `path` has the size and time `entry` recorded.
fn intact(path: &Path, entry: &Entry) -> bool {
    std::fs::symlink_metadata(path)
        .is_ok_and(|m| m.is_file() && m.len() == entry.len && nanos(&m) == Some(entry.modified))
}

/// A file's modification time, in nanoseconds since 1970.
pub(super) fn nanos(m: &std::fs::Metadata) -> Option<u128> {
    Some(m.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos())
}

/// Hashes `bytes` with its length first, so no two sets of pieces hash alike.
pub(super) fn piece(h: &mut std::collections::hash_map::DefaultHasher, bytes: &[u8]) {
    h.write_usize(bytes.len());
    h.write(bytes);
}

/// Writes a cache file by a rename, so a reader never sees half of it; a
/// temporary file left by a failure is removed.
pub(super) fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(file.parent().unwrap_or(Path::new(".")))?;
    let tmp = file.with_extension("tmp");
    let written =
        std::fs::File::create(&tmp).and_then(|mut f| f.write_all(bytes)).and_then(|()| std::fs::rename(&tmp, file));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_back_as_written_and_a_path_may_hold_spaces() {
        let e = Entry { fingerprint: 0xdead_beef, len: 42, modified: 1_700_000_000_123_456_789 };
        let line = format!("{:016x} {} {} {}", e.fingerprint, e.len, e.modified, "a b/index.html");
        assert_eq!(parse_line(&line), Some(("a b/index.html".to_string(), e)));
        assert_eq!(parse_line("zz 1 2 x"), None);
        assert_eq!(parse_line("00000000000000ff 1 2"), None);
    }

    #[test]
    fn templates_that_read_the_clock_or_the_environment_keep_nothing() {
        let theme = |source: &str| {
            let mut t = Theme::default();
            let source = source.to_string();
            t.templates.insert(
                "page.html".into(),
                crate::theme::TemplateSource { name: "page.html".into(), source, file: "page.html".into() },
            );
            t
        };
        for steady in ["{{ page.title }}", "{{ known(x=1) }}", "{{ snow }}", "{{ nowhere }} and knowledge"] {
            assert!(key(&theme(steady), "", &[]).is_some(), "{steady}");
        }
        for volatile in [
            "{{ now() }}",
            "{{ now (timestamp=true) }}",
            "{{ get_env(name='HOME') }}",
            "{{ get_random(end=9) }}",
            "{% set d = load_data (path='a.csv') %}",
            "{{ load_data\n(path='a.csv') }}",
        ] {
            assert_eq!(key(&theme(volatile), "", &[]), None, "{volatile}");
        }
        assert_ne!(key(&theme("a"), "x offline", &[]), key(&theme("a"), "x", &["offline"]));
        assert_ne!(key(&theme("a"), "", &[]), key(&theme("b"), "", &[]));
        assert_ne!(key(&theme("a"), "title = 'x'", &[]), key(&theme("a"), "title = 'y'", &[]));
        assert_ne!(key(&theme("a"), "", &["offline"]), key(&theme("a"), "", &[]));
    }
}
