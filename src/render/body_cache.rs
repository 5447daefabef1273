//! Bodies an earlier build rendered, kept for the next build of the same site.
//!
//! Rendering a page's Markdown (shortcodes and charts included) and analysing
//! its words for search is most of a build's work, and it depends on little:
//! the page's own file, and what the [`global_key`] covers (the program, the
//! theme, `config.toml`, the options and date, every data file, the files of
//! `content/` that are not Markdown, and what every page's and section's front
//! matter says, which is what shortcodes and links read of other pages). A
//! build keeps each page's result in `.innsyn-cache/bodies/`, in one file per
//! batch of pages, under a key of both; the next build takes a page's result
//! from there when the key is the same, and renders it otherwise. An edit of a
//! page's text renders that page again; an edit of any front matter, template,
//! data file or setting renders every page, as before.
//!
//! Pages with Markdown images are always rendered: rendering them is also
//! what tells the build which image variants to make. A cache file that
//! cannot be read, is damaged or belongs to another key is ignored, and one
//! that cannot be written is no fault.

use std::hash::Hasher as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::reuse::{nanos, piece, write_atomically};
use crate::file::OutputFile;
use crate::markdown::{Rendered, TocEntry};
use crate::site::Site;

/// The first bytes of a batch's file, with the format's version.
const MAGIC: &[u8; 8] = b"innsynB2";

/// Where a site's bodies are kept, under which key.
#[derive(Debug)]
pub struct BodyCache {
    dir: PathBuf,
    global: u64,
}

/// The results a batch's file holds, by place in the batch.
#[derive(Debug, Default)]
pub struct Pack {
    bytes: Vec<u8>,
    /// (key, start, end) per page of the batch.
    index: Vec<(u64, usize, usize)>,
}

impl Pack {
    /// The bytes kept for the `j`th page of the batch, when kept under `key`.
    pub fn get(&self, j: usize, key: u64) -> Option<&[u8]> {
        let &(k, start, end) = self.index.get(j)?;
        (k == key).then(|| &self.bytes[start..end])
    }

    /// Whether the pack holds exactly these keys, in this order: then it needs
    /// no writing.
    pub fn holds(&self, keys: &[u64]) -> bool {
        self.index.len() == keys.len() && self.index.iter().zip(keys).all(|(e, k)| e.0 == *k)
    }
}

/// The key of everything a body depends on besides its own file: `base` (the
/// program, theme, configuration, options and date; see `reuse::key`), the
/// data files, the files of `content/` that are not Markdown (their size and
/// time), and the front matter, file, address and language of every page and
/// section.
pub fn global_key(base: u64, site: &Site, data_files: &[OutputFile], assets: &[(PathBuf, String)]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    piece(&mut h, MAGIC);
    h.write_u64(base);
    for f in data_files {
        piece(&mut h, f.path.as_bytes());
        piece(&mut h, &f.bytes);
    }
    for (disk, rel) in assets {
        piece(&mut h, rel.as_bytes());
        if let Ok(m) = std::fs::metadata(disk) {
            h.write_u64(m.len());
            h.write_u128(nanos(&m).unwrap_or(0));
        }
    }
    // Every page's part, in parallel, then combined in order.
    let pages: Vec<u64> = site
        .pages
        .par_iter()
        .map(|node| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            let page = &node.page;
            if page.generated {
                // Made from data: all it is comes from the section and the rows.
                piece(&mut h, format!("{page:?}").as_bytes());
            }
            piece(&mut h, page.file.to_string_lossy().as_bytes());
            piece(&mut h, page.content_path.as_bytes());
            piece(&mut h, page.front_matter.as_bytes());
            piece(&mut h, node.path.as_bytes());
            piece(&mut h, node.lang.code().as_bytes());
            h.write_usize(node.section);
            h.finish()
        })
        .collect();
    for p in pages {
        h.write_u64(p);
    }
    for s in &site.sections {
        piece(&mut h, format!("{:?}", s.section).as_bytes());
        piece(&mut h, s.path.as_bytes());
        piece(&mut h, s.lang.code().as_bytes());
    }
    h.finish()
}

impl BodyCache {
    /// The cache of the site at `root` under `global` (see [`global_key`]).
    pub fn new(root: &Path, global: u64) -> BodyCache {
        BodyCache { dir: root.join(".innsyn-cache").join("bodies"), global }
    }

    /// The key of everything but the pages' own files: with every page's body
    /// from the cache, what the search index is made from is the same too.
    pub fn global(&self) -> u64 {
        self.global
    }

    /// The key of page `i` under this cache's global key: its file, front
    /// matter and body as parsed (its Markdown need not be at hand: see
    /// `Body::digest`).
    pub fn page_key(&self, i: usize, page: &crate::content::Page) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        h.write_u64(self.global);
        h.write_usize(i);
        piece(&mut h, page.file.to_string_lossy().as_bytes());
        piece(&mut h, page.front_matter.as_bytes());
        h.write_u64(page.body.digest());
        h.finish()
    }

    /// Whether page `page`'s result may be kept: not when its Markdown shows
    /// images (rendering it marks the variants to make).
    pub fn keeps(page: &crate::content::Page) -> bool {
        !page.body.shows_images()
    }

    fn file(&self, batch: usize) -> PathBuf {
        self.dir.join(format!("{batch:06}"))
    }

    /// What the file of batch `batch` holds (nothing when it is missing,
    /// damaged, or of another key).
    pub fn read(&self, batch: usize) -> Pack {
        let Ok(bytes) = std::fs::read(self.file(batch)) else { return Pack::default() };
        parse(bytes, self.global).unwrap_or_default()
    }

    /// Keeps `entries` (key and bytes per page of batch `batch`).
    pub fn write(&self, batch: usize, entries: &[(u64, Vec<u8>)]) {
        let mut out = Vec::with_capacity(entries.iter().map(|e| e.1.len() + 24).sum::<usize>() + 32);
        out.extend(MAGIC);
        out.extend(self.global.to_le_bytes());
        out.extend((entries.len() as u64).to_le_bytes());
        for (key, bytes) in entries {
            out.extend(key.to_le_bytes());
            out.extend((bytes.len() as u64).to_le_bytes());
            out.extend(checksum(bytes).to_le_bytes());
        }
        for (_, bytes) in entries {
            out.extend(bytes);
        }
        let _ = write_atomically(&self.file(batch), &out);
    }

    /// Removes the files of batches a site of `batches` batches no longer has.
    pub fn finish(&self, batches: usize) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.parse::<usize>().map_or(true, |n| n >= batches) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// A batch's file, when it is whole and of `global`.
fn parse(bytes: Vec<u8>, global: u64) -> Option<Pack> {
    let mut at = 0;
    let u64_at = |at: &mut usize| -> Option<u64> {
        let v = u64::from_le_bytes(bytes.get(*at..*at + 8)?.try_into().ok()?);
        *at += 8;
        Some(v)
    };
    if bytes.get(..8)? != MAGIC {
        return None;
    }
    at += 8;
    if u64_at(&mut at)? != global {
        return None;
    }
    let count = usize::try_from(u64_at(&mut at)?).ok()?;
    let mut heads = Vec::with_capacity(count.min(1 << 16));
    for _ in 0..count {
        heads.push((u64_at(&mut at)?, usize::try_from(u64_at(&mut at)?).ok()?, u64_at(&mut at)?));
    }
    let mut index = Vec::with_capacity(heads.len());
    for (key, len, sum) in heads {
        let end = at.checked_add(len)?;
        let body = bytes.get(at..end)?;
        if checksum(body) != sum {
            return None;
        }
        index.push((key, at, end));
        at = end;
    }
    Some(Pack { bytes, index })
}

/// XXH3 of an entry: a build reads back and writes the whole cache (some
/// 700 MB at 100 000 pages), and the standard library's SipHash took a second
/// of CPU for it where XXH3 takes a tenth of that.
fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// A page's rendered body as kept: its HTML packed with LZ4 (as the build
/// holds it), its summary, table of contents, word count and the files its
/// shortcodes made; then `words`, its search analysis (empty without search).
pub fn encode(rendered: &Rendered, packed: &[u8], files: &[OutputFile], words: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(packed.len() + rendered.summary.len() + words.len() + 256);
    put_u64(&mut out, rendered.word_count as u64);
    put_bytes(&mut out, rendered.summary.as_bytes());
    put_toc(&mut out, &rendered.toc);
    put_bytes(&mut out, packed);
    put_u64(&mut out, files.len() as u64);
    for f in files {
        put_bytes(&mut out, f.path.as_bytes());
        put_bytes(&mut out, &f.bytes);
    }
    put_bytes(&mut out, words);
    out
}

/// A page's body as [`decode`] reads it back.
pub type Restored<'a> = (Rendered, Vec<u8>, Vec<OutputFile>, &'a [u8]);

/// What [`encode`] wrote: the body (its `html` empty), the packed HTML, the
/// files, and the search analysis's bytes.
pub fn decode(bytes: &[u8]) -> Option<Restored<'_>> {
    let mut at = 0;
    let word_count = usize::try_from(get_u64(bytes, &mut at)?).ok()?;
    let summary = String::from_utf8(get_bytes(bytes, &mut at)?.to_vec()).ok()?;
    let toc = get_toc(bytes, &mut at, 0)?;
    let packed = get_bytes(bytes, &mut at)?.to_vec();
    let count = get_u64(bytes, &mut at)?;
    let mut files = Vec::new();
    for _ in 0..count {
        let path = String::from_utf8(get_bytes(bytes, &mut at)?.to_vec()).ok()?;
        files.push(OutputFile::new(path, get_bytes(bytes, &mut at)?.to_vec()));
    }
    let words = get_bytes(bytes, &mut at)?;
    (at == bytes.len()).then_some(())?;
    let rendered = Rendered { html: String::new(), summary, toc, word_count, warnings: Vec::new() };
    Some((rendered, packed, files, words))
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend(n.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u64(out, b.len() as u64);
    out.extend(b);
}

fn put_toc(out: &mut Vec<u8>, toc: &[TocEntry]) {
    put_u64(out, toc.len() as u64);
    for e in toc {
        out.push(e.level);
        put_bytes(out, e.id.as_bytes());
        put_bytes(out, e.title.as_bytes());
        put_toc(out, &e.children);
    }
}

fn get_u64(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let v = u64::from_le_bytes(bytes.get(*at..at.checked_add(8)?)?.try_into().ok()?);
    *at += 8;
    Some(v)
}

fn get_bytes<'a>(bytes: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let len = usize::try_from(get_u64(bytes, at)?).ok()?;
    let b = bytes.get(*at..at.checked_add(len)?)?;
    *at += len;
    Some(b)
}

fn get_toc(bytes: &[u8], at: &mut usize, depth: usize) -> Option<Vec<TocEntry>> {
    // Headings nest six deep at most; a deeper table is not one this wrote.
    if depth > 8 {
        return None;
    }
    let count = get_u64(bytes, at)?;
    let mut toc = Vec::new();
    for _ in 0..count {
        let level = *bytes.get(*at)?;
        *at += 1;
        let id = String::from_utf8(get_bytes(bytes, at)?.to_vec()).ok()?;
        let title = String::from_utf8(get_bytes(bytes, at)?.to_vec()).ok()?;
        let children = get_toc(bytes, at, depth + 1)?;
        toc.push(TocEntry { level, id, title, children });
    }
    Some(toc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_reads_back_as_kept_and_damage_is_refused() {
        let rendered = Rendered {
            html: String::new(),
            summary: "<p>Kort</p>".into(),
            toc: vec![TocEntry {
                level: 2,
                id: "a".into(),
                title: "A".into(),
                children: vec![TocEntry { level: 3, id: "b".into(), title: "B".into(), children: vec![] }],
            }],
            word_count: 42,
            warnings: Vec::new(),
        };
        let files = vec![OutputFile::new("x/graf.svg".to_string(), b"<svg/>".to_vec())];
        let bytes = encode(&rendered, b"packed", &files, b"words");
        let (r, packed, f, words) = decode(&bytes).unwrap();
        assert_eq!((r, packed.as_slice(), f, words), (rendered, &b"packed"[..], files, &b"words"[..]));
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
    }

    #[test]
    fn a_batch_file_is_read_only_whole_and_under_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BodyCache::new(dir.path(), 7);
        let entries = vec![(1, b"one".to_vec()), (2, b"two".to_vec())];
        cache.write(0, &entries);
        let pack = cache.read(0);
        assert_eq!((pack.get(0, 1), pack.get(1, 2), pack.get(1, 3)), (Some(&b"one"[..]), Some(&b"two"[..]), None));
        assert!(BodyCache::new(dir.path(), 8).read(0).index.is_empty(), "another key reads nothing");
        let file = cache.file(0);
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        assert!(cache.read(0).index.is_empty(), "a damaged file reads nothing");
        cache.write(3, &entries);
        cache.finish(1);
        assert!(file.exists() && !cache.file(3).exists());
    }
}
