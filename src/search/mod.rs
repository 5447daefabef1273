//! The search index, built from the assembled site and its rendered bodies:
//! Snowball stems per page language, folded spellings, compound parts from the
//! site's own vocabulary, BM25 scores with title and heading boosts, written as
//! `.js` files that `search.js` loads with `<script>` elements (see
//! `docs/search.md`). Pure: returns output files, writes nothing.
//!
//! Two stages, so a dev server can keep the first per page: [`analyse`] reduces
//! one page to its distinct words and its result entry ([`PageWords`]), and
//! [`build_from`] turns every page's analysis into the index files.

pub mod encoding;
pub mod text;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Arc;

use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use crate::content::status::Status;
use crate::file::OutputFile;
use crate::lang::Lang;
use crate::render::Bodies;
use crate::site::Site;
use encoding::{boundary, encode, encode_ids, quantize, utf16_cmp, Posting};
use text::{each_lowered_word, fold, lower_into, segments, Segment};

/// A term shard is closed once its file would grow past this many bytes (a
/// single term with a longer posting list gets a shard of its own).
const SHARD_BYTES: usize = 24 * 1024;
/// BM25 parameters. A page's score for a term is the term's inverse document
/// frequency times (the bonus of its place, [`PLACE_BONUS`], plus BM25's term
/// frequency part without its `K1 + 1`, which stays under 1).
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weights of the places a word can stand.
const TITLE: f32 = 3.0;
const HEADING: f32 = 2.0;
const BODY: f32 = 1.0;
const DESCRIPTION: f32 = 1.5;
/// A compound's parts count half.
const PART: f32 = 0.5;

/// What the index holds, for the build summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Distinct terms indexed.
    pub terms: usize,
    /// Bytes of all the index files.
    pub bytes: usize,
}

/// FxHash (as in rustc): a fast hash for the short strings and ids of the index,
/// where nothing comes from an adversary that could make it collide on purpose.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, mut bytes: &[u8]) {
        while bytes.len() >= 8 {
            self.add(u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default()));
            bytes = &bytes[8..];
        }
        if bytes.len() >= 4 {
            self.add(u64::from(u32::from_le_bytes(bytes[..4].try_into().unwrap_or_default())));
            bytes = &bytes[4..];
        }
        for &b in bytes {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxBuild = BuildHasherDefault<Fx>;
type FxMap<K, V> = HashMap<K, V, FxBuild>;
type FxSet<K> = HashSet<K, FxBuild>;

/// What one page says about one of its words: its weight in the page, and the
/// segment (heading) where it weighs most.
#[derive(Debug, Clone, Copy, PartialEq)]
struct WordUse {
    /// The word's number in the [`Vocabulary`].
    word: u32,
    weight: f32,
    segment: u16,
    segment_weight: f32,
    /// Where it stands at its best: [`IN_TITLE`], [`IN_HEADING`] or 0.
    place: u8,
}

/// Every word the analysed pages hold, each numbered once: a page's analysis
/// names its words by number, four bytes at most instead of the word, so the
/// analyses of a large site stay small. Shared by the threads that analyse
/// pages (in shards, each behind its own lock); the numbers depend on which
/// thread met a word first, the index built from them does not.
pub struct Vocabulary {
    shards: Vec<std::sync::Mutex<FxMap<Box<str>, u32>>>,
}

/// Shards of the [`Vocabulary`]: enough that threads seldom wait for each other.
const SHARDS: usize = 64;

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary { shards: (0..SHARDS).map(|_| std::sync::Mutex::new(FxMap::default())).collect() }
    }
}

impl Vocabulary {
    /// The number of `word`, given it when it is new. A word's number is its
    /// place in its shard times [`SHARDS`] plus the shard's.
    fn number(&self, word: &str) -> u32 {
        let mut h = Fx::default();
        h.write(word.as_bytes());
        let shard = (h.finish() >> 32) as usize % SHARDS;
        let mut map = self.shards[shard].lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(&n) = map.get(word) {
            return n;
        }
        let n = (map.len() * SHARDS + shard) as u32;
        map.insert(word.into(), n);
        n
    }

    /// The shards, locked: [`words`] reads them.
    fn lock(&self) -> Vec<std::sync::MutexGuard<'_, FxMap<Box<str>, u32>>> {
        self.shards.iter().map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).collect()
    }
}

/// Every word of a locked [`Vocabulary`] by its number (`None` for numbers not given).
fn words<'a>(shards: &'a [std::sync::MutexGuard<'_, FxMap<Box<str>, u32>>]) -> Vec<Option<&'a str>> {
    let mut words = vec![None; shards.iter().map(|m| m.len()).max().unwrap_or(0) * SHARDS];
    for map in shards {
        for (w, &n) in map.iter() {
            words[n as usize] = Some(&**w);
        }
    }
    words
}

/// One page reduced to what the index needs: its distinct words (by their
/// number in the [`Vocabulary`]) with their weights, its length, its language
/// and its result entry. Owned and immutable, so a dev server can keep it (in an
/// `Arc`) for pages that did not change and pass it to [`build_from`] again; it
/// depends only on the page, its rendered body and the titles of the site's
/// sections.
#[derive(Debug, Clone, PartialEq)]
pub struct PageWords {
    /// The distinct words in the order they first occur, each as four
    /// variable-length numbers ([`push_varint`]): the word's number, twice its
    /// weight, its best segment times four plus its place ([`IN_TITLE`],
    /// [`IN_HEADING`] or 0), twice its weight there. Weights are sums of
    /// [`TITLE`], [`HEADING`], [`BODY`], [`DESCRIPTION`]: whole or half numbers,
    /// which twice is exact.
    uses: Vec<u8>,
    /// Sum of the weights of all its words (BM25's document length).
    length: f32,
    stemming: Stemming,
    /// The page's entry in `search/p/<id>.js`, as JSON.
    entry: String,
}

impl PageWords {
    fn word_uses(&self) -> impl Iterator<Item = WordUse> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || {
            if at >= self.uses.len() {
                return None;
            }
            let mut next = || read_varint(&self.uses, &mut at);
            let word = next();
            let weight = next() as f32 / 2.0;
            let segment_and_place = next();
            let segment_weight = next() as f32 / 2.0;
            let (segment, place) = ((segment_and_place / 4) as u16, (segment_and_place % 4) as u8);
            Some(WordUse { word, weight, segment, segment_weight, place })
        })
    }

    /// Bytes the analysis holds.
    pub fn size(&self) -> usize {
        self.uses.len() + self.entry.len()
    }
}

/// Each of `pages`' analyses as bytes that name its words by their text, not by
/// their number (numbers belong to one build's [`Vocabulary`]): what the body
/// cache keeps of a page (see `render::body_cache`). Made before the entry is
/// taken out of the analysis.
pub fn to_blobs(pages: &[&PageWords], vocabulary: &Vocabulary) -> Vec<Vec<u8>> {
    let shards = vocabulary.lock();
    let by_number = words(&shards);
    pages
        .par_iter()
        .map(|p| {
            let mut out = Vec::with_capacity(p.uses.len() * 3 + p.entry.len() + 16);
            out.extend(p.length.to_bits().to_le_bytes());
            out.push(match p.stemming {
                Stemming::Norwegian => 0,
                Stemming::English => 1,
                Stemming::None => 2,
            });
            push_varint(&mut out, p.entry.len() as u32);
            out.extend(p.entry.as_bytes());
            let mut at = 0;
            while at < p.uses.len() {
                let word = by_number.get(read_varint(&p.uses, &mut at) as usize).copied().flatten().unwrap_or_default();
                push_varint(&mut out, word.len() as u32);
                out.extend(word.as_bytes());
                for _ in 0..3 {
                    push_varint(&mut out, read_varint(&p.uses, &mut at));
                }
            }
            out
        })
        .collect()
}

/// An analysis [`to_blobs`] wrote, its words numbered in `vocabulary`; `None`
/// for bytes it did not write.
pub fn from_blob(bytes: &[u8], vocabulary: &Vocabulary) -> Option<PageWords> {
    let length = f32::from_bits(u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?));
    let stemming = match *bytes.get(4)? {
        0 => Stemming::Norwegian,
        1 => Stemming::English,
        2 => Stemming::None,
        _ => return None,
    };
    let mut at = 5;
    let text = |at: &mut usize| {
        let len = read_varint(bytes, at) as usize;
        let s = std::str::from_utf8(bytes.get(*at..*at + len)?).ok()?;
        *at += len;
        Some(s)
    };
    let entry = text(&mut at)?.to_string();
    // A word's four numbers take about as many bytes as its text: a third of what is left.
    let mut uses = Vec::with_capacity((bytes.len() - at) / 3);
    while at < bytes.len() {
        let word = text(&mut at)?;
        push_varint(&mut uses, vocabulary.number(word));
        for _ in 0..3 {
            if at >= bytes.len() {
                return None;
            }
            push_varint(&mut uses, read_varint(bytes, &mut at));
        }
    }
    // Kept until the index is built, for every page: no spare room.
    uses.shrink_to_fit();
    Some(PageWords { uses, length, stemming, entry })
}

/// Page `i`'s file of `search/p/`, its entry taken out of `words`: a build that
/// writes it at once need not keep the entry until the index is built, and
/// [`build_from`] then writes no file for it.
pub fn entry_file(i: usize, words: &mut PageWords) -> OutputFile {
    register_json(&format!("search/p/{i}.js"), &format!("p:{i}"), &std::mem::take(&mut words.entry))
}

/// Appends `n` in LEB128: seven bits a byte, the high bit set on all but the last.
fn push_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a number [`push_varint`] wrote at `*at`, moving past it.
fn read_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut n = 0u32;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        n |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    n
}

/// Twice a weight, which is a whole or half number (see [`PageWords::uses`]).
fn doubled(weight: f32) -> u32 {
    (weight * 2.0) as u32
}

/// A word's terms: its Norwegian stem, its English stem when an English page
/// uses it, itself folded when a page without stemming does, its compound parts.
type Analysed = (String, Option<String>, Option<String>, Vec<String>);

/// How a page's words are made terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stemming {
    /// Snowball's Norwegian stemmer (it covers bokmål and nynorsk).
    Norwegian,
    /// Snowball's English stemmer.
    English,
    /// No stemmer (Northern Sámi has none in Snowball): the word folded.
    None,
}

/// Which stemmer a page's words go through.
fn stemming(lang: Lang) -> Stemming {
    match lang {
        Lang::Nb | Lang::Nn => Stemming::Norwegian,
        Lang::En => Stemming::English,
        Lang::Se => Stemming::None,
    }
}

/// How a word stands in a page while the page is read.
struct Tally {
    weight: f32,
    best: (u16, f32),
    current: (u16, f32),
    /// Where the word stands at its best: [`IN_TITLE`], [`IN_HEADING`] or 0.
    place: u8,
    /// Where in the prose of the `best` and the `current` segment the word first
    /// occurs (a byte offset into the lowered text), [`NOWHERE`] when it does not.
    best_at: u32,
    current_at: u32,
}

/// The word is in the page's title.
const IN_TITLE: u8 = 2;
/// The word is in a heading of the page.
const IN_HEADING: u8 = 1;
/// No offset.
const NOWHERE: u32 = u32::MAX;

/// Reduces page `page` of the site, whose rendered body is `body_html`, to what
/// the index needs from it: its distinct words (title 3×, headings 2×,
/// description 1.5×, text, figures and taxonomy terms 1×), where each stands at
/// its best (title, heading or text), the heading each weighs most under, and
/// the entry search results show, with passages of the page's prose around its
/// weightiest words ([`passages`]). Independent of every other page (but for
/// the words' numbers in `vocabulary`), so it can run in parallel and be kept
/// between builds.
///
/// # Panics
///
/// When `page` is not an index into `site.pages`.
pub fn analyse(site: &Site, page: usize, body_html: &str, vocabulary: &Vocabulary) -> PageWords {
    let node = &site.pages[page];
    let segs = segments(body_html);
    // Every text of the page, lower-cased into one string, with its weight,
    // segment, place, whether it is a segment's prose, and whether the
    // tokenizer's fast path knows all its characters; in segment order, so each
    // word's weight per segment is summed in one run.
    let taxonomy_terms = || node.page.taxonomies.values().flatten();
    let size = node.page.title.len()
        + node.page.description.len()
        + taxonomy_terms().map(String::len).sum::<usize>()
        + segs.iter().map(|s| s.heading.len() + s.text.len() + s.aside.len()).sum::<usize>();
    let mut lowered = String::with_capacity(size);
    let mut sources: Vec<Source> = Vec::with_capacity(3 * segs.len() + 4);
    // The lowered range of each segment's prose, to find words in it again.
    let mut prose: Vec<std::ops::Range<usize>> = Vec::with_capacity(segs.len());
    let mut add = |text: &str, weight: f32, segment: u16, place: u8, is_prose: bool| {
        let start = lowered.len();
        let known = lower_into(&mut lowered, text);
        sources.push(Source { range: start..lowered.len(), weight, segment, place, prose: is_prose, known });
        start..lowered.len()
    };
    add(&node.page.title, TITLE, 0, IN_TITLE, false);
    add(&node.page.description, DESCRIPTION, 0, 0, false);
    for v in taxonomy_terms() {
        add(v, BODY, 0, 0, false);
    }
    for (s, seg) in segs.iter().enumerate() {
        let s = s.min(usize::from(u16::MAX)) as u16;
        add(&seg.heading, HEADING, s, IN_HEADING, false);
        prose.push(add(&seg.text, BODY, s, 0, true));
        add(&seg.aside, BODY, s, 0, false);
    }
    // Words in the order they first occur, and where each stands in `tallies`.
    let mut index: FxMap<&str, u32> = FxMap::with_capacity_and_hasher(512, FxBuild::default());
    let mut tallies: Vec<(&str, Tally)> = Vec::with_capacity(512);
    let mut length = 0.0;
    for source in sources {
        let base = lowered.as_ptr() as usize + source.range.start;
        each_lowered_word(&lowered[source.range], source.known, |w| {
            // One letter alone is no word; one digit is.
            let mut chars = w.chars();
            let first = chars.next();
            if chars.next().is_none() && !first.is_some_and(|c| c.is_ascii_digit()) {
                return;
            }
            let seg = source.segment;
            length += source.weight;
            let i = *index.entry(w).or_insert_with(|| {
                let tally = Tally {
                    weight: 0.0,
                    best: (seg, 0.0),
                    current: (seg, 0.0),
                    place: 0,
                    best_at: NOWHERE,
                    current_at: NOWHERE,
                };
                tallies.push((w, tally));
                tallies.len() as u32 - 1
            });
            let t = &mut tallies[i as usize].1;
            t.weight += source.weight;
            t.place = t.place.max(source.place);
            if t.current.0 != seg {
                // Ties go to the earlier segment.
                if t.current.1 > t.best.1 {
                    t.best = t.current;
                    t.best_at = t.current_at;
                }
                t.current = (seg, 0.0);
                t.current_at = NOWHERE;
            }
            t.current.1 += source.weight;
            if source.prose && t.current_at == NOWHERE {
                t.current_at = (w.as_ptr() as usize - base) as u32;
            }
        });
    }
    let mut uses = Vec::with_capacity(tallies.len() * 5);
    let mut weighty: Vec<Weighty> = Vec::with_capacity(tallies.len());
    for (w, t) in tallies {
        let ((segment, segment_weight), at) =
            if t.current.1 > t.best.1 { (t.current, t.current_at) } else { (t.best, t.best_at) };
        push_varint(&mut uses, vocabulary.number(w));
        push_varint(&mut uses, doubled(t.weight));
        push_varint(&mut uses, u32::from(segment) * 4 + u32::from(t.place));
        push_varint(&mut uses, doubled(segment_weight));
        if at != NOWHERE && w.len() >= 4 {
            weighty.push(Weighty { place: t.place, capital: false, weight: t.weight, letters: w.len(), segment, at });
        }
    }
    let found = passages(&segs, &prose, weighty);
    PageWords { uses, length, stemming: stemming(node.lang), entry: page_entry(site, node, &segs, &found) }
}

/// One text of a page as [`analyse`] reads it.
struct Source {
    /// Where its lower-cased words are.
    range: std::ops::Range<usize>,
    weight: f32,
    segment: u16,
    /// [`IN_TITLE`], [`IN_HEADING`] or 0.
    place: u8,
    /// Whether it is a segment's prose, which excerpts are taken from.
    prose: bool,
    known: bool,
}

/// A word that may earn a passage of its own: where it stands and how much it
/// weighs in the page, and where it first occurs in the prose of its best
/// segment.
struct Weighty {
    place: u8,
    /// Whether it is written with a capital in the text (a name, often).
    capital: bool,
    weight: f32,
    letters: usize,
    segment: u16,
    at: u32,
}

/// Weightier is greater: in a heading or the title before in the text, then
/// written with a capital, heavier, longer, then the earlier segment and place
/// (no two words share a place, so no two are equal).
impl Ord for Weighty {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.place
            .cmp(&other.place)
            .then(self.capital.cmp(&other.capital))
            .then(self.weight.total_cmp(&other.weight))
            .then(self.letters.cmp(&other.letters))
            .then(other.segment.cmp(&self.segment))
            .then(other.at.cmp(&self.at))
    }
}

impl PartialOrd for Weighty {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Weighty {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Weighty {}

/// Words a passage reaches before and after the word it is for.
const BEFORE: usize = 12;
const AFTER: usize = 18;
/// The characters of passages a page's entry holds beyond its first, which is
/// always there: a fifth of the page's prose, but at least [`PASSAGE_LEAST`]
/// and at most [`PASSAGE_MOST`]. Passages go to the page's weightiest words
/// (a heading's words to the start of the text under it, then words written
/// with a capital, names most often, then the most used), one word after the
/// other, until the budget is spent.
fn passage_budget(prose: usize) -> usize {
    (prose / 5).clamp(PASSAGE_LEAST, PASSAGE_MOST)
}
const PASSAGE_LEAST: usize = 600;
const PASSAGE_MOST: usize = 3000;

/// A passage of a segment's prose: the segment's number and a byte range of its text.
#[derive(Debug, Clone, PartialEq)]
struct Passage {
    segment: u16,
    range: std::ops::Range<usize>,
}

/// The passages of the page's prose a search result can show: the start of
/// the page (its first [`BEFORE`] + [`AFTER`] words), then a passage around the first
/// occurrence of each of the weightiest words in the segment where it weighs
/// most, as far as [`passage_budget`] goes. Overlapping passages are joined.
/// In the order of the page. `prose[i]` is where segment `i`'s prose is in
/// the page's lowered text; the offsets of `words` are into it.
fn passages(segs: &[Segment], prose: &[std::ops::Range<usize>], mut words: Vec<Weighty>) -> Vec<Passage> {
    let mut found: Vec<Passage> = Vec::new();
    if let Some(first) = segs.first().filter(|s| !s.text.is_empty()) {
        found.push(Passage { segment: 0, range: 0..words_after(&first.text, 0, BEFORE + AFTER) });
    }
    // The word's place in its segment's text: the same as in the lowered text,
    // unless lower-casing changed the length (then in proportion).
    let place_in = |w: &Weighty| {
        let seg = usize::from(w.segment);
        let (text, lowered) = (segs.get(seg).map_or("", |s| s.text.as_str()), prose.get(seg).map_or(0, |r| r.len()));
        let at = w.at as usize;
        let at = if lowered == text.len() { at } else { at * text.len() / lowered.max(1) };
        floor_boundary(text, at.min(text.len()))
    };
    for w in &mut words {
        let text = segs.get(usize::from(w.segment)).map_or("", |s| s.text.as_str());
        let at = place_in(w);
        w.capital = text[at..].chars().next().is_some_and(char::is_uppercase);
        w.at = at as u32;
    }
    // Weightiest first; the budget is spent on the first few, so they are
    // taken from a heap rather than all sorted.
    let mut words: std::collections::BinaryHeap<Weighty> = words.into();
    let budget = passage_budget(segs.iter().map(|s| s.text.len()).sum());
    let mut spent = 0;
    while let Some(w) = words.pop() {
        if spent + 40 > budget {
            break;
        }
        let seg = usize::from(w.segment);
        let Some(text) = segs.get(seg).map(|s| s.text.as_str()) else { continue };
        // A word of the title is shown with the start of the page, and one of
        // a heading with its heading and the start of the text under it.
        let (at, before, after) = match w.place {
            IN_TITLE => continue,
            IN_HEADING => (0, 0, (BEFORE + AFTER) / 2),
            _ => (w.at as usize, BEFORE, AFTER + 1),
        };
        if found.iter().any(|p| usize::from(p.segment) == seg && p.range.contains(&at)) {
            continue;
        }
        let start = words_before(text, at, before);
        let end = words_after(text, at, after);
        // It joins the passages it overlaps or touches; it costs what it adds.
        let joins = |p: &Passage| usize::from(p.segment) == seg && p.range.start <= end && start <= p.range.end;
        let mut range = start..end;
        let mut had = 0;
        for p in found.iter().filter(|p| joins(p)) {
            had += p.range.len();
            range = p.range.start.min(range.start)..p.range.end.max(range.end);
        }
        let cost = range.len().saturating_sub(had);
        if spent + cost > budget {
            continue;
        }
        spent += cost;
        found.retain(|p| !joins(p));
        found.push(Passage { segment: w.segment, range });
    }
    found.sort_by(|a, b| a.segment.cmp(&b.segment).then(a.range.start.cmp(&b.range.start)));
    found
}

/// The start of the word of `text` (squashed: words between single spaces)
/// that byte `at` is in, moved back `n` words more.
fn words_before(text: &str, at: usize, n: usize) -> usize {
    let mut start = text[..at].rfind(' ').map_or(0, |i| i + 1);
    for _ in 0..n {
        if start == 0 {
            break;
        }
        start = text[..start - 1].rfind(' ').map_or(0, |i| i + 1);
    }
    start
}

/// The end of the `n`th word of `text` (squashed) counted from the one that byte
/// `at` is in.
fn words_after(text: &str, at: usize, n: usize) -> usize {
    let mut end = at;
    for _ in 0..n {
        match text[end..].find(' ') {
            Some(i) => end += i + 1,
            None => return text.len(),
        }
    }
    end.saturating_sub(1).max(at)
}

/// `at`, or the start of the character it falls in.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `range` of `text` with ` …` where it cuts the text short, at either end.
fn cut(text: &str, range: std::ops::Range<usize>) -> Cow<'_, str> {
    let (start, end) = (range.start > 0, range.end < text.len());
    let part = &text[range];
    match (start, end) {
        (false, false) => Cow::Borrowed(part),
        (true, false) => Cow::Owned(format!("… {part}")),
        (false, true) => Cow::Owned(format!("{part} …")),
        (true, true) => Cow::Owned(format!("… {part} …")),
    }
}
/// Builds the index files for every page of the site.
pub fn build(site: &Site, bodies: &Bodies) -> (Vec<OutputFile>, Stats) {
    let vocabulary = Vocabulary::default();
    let pages = analyse_all(site, bodies, &vocabulary);
    build_from(site, &pages, &vocabulary)
}

/// [`analyse`] for every page of the site, in parallel.
pub fn analyse_all(site: &Site, bodies: &Bodies, vocabulary: &Vocabulary) -> Vec<Arc<PageWords>> {
    (0..site.pages.len())
        .into_par_iter()
        .map(|i| Arc::new(analyse(site, i, &bodies.pages[i].html, vocabulary)))
        .collect()
}

/// Builds the index files from every page's [`analyse`] result, `pages[i]` being
/// page `i` of the site, its words numbered in `vocabulary`: the vocabulary is
/// stemmed and split into compound parts, BM25 scores are computed over the
/// whole site, and the terms, page entries, filters and manifest are written as
/// described in `docs/search.md`. The same pages give the same bytes, whatever
/// numbers their words were given.
///
/// # Panics
///
/// When `pages` is shorter than `site.pages`.
pub fn build_from(site: &Site, pages: &[Arc<PageWords>], vocabulary: &Vocabulary) -> (Vec<OutputFile>, Stats) {
    let pages = &pages[..site.pages.len()];
    // 1. The vocabulary: the distinct words the pages use (a vocabulary kept by
    // a dev server may hold words no page uses any more), sorted, each word's
    // number mapped to its place in that order.
    let shards = vocabulary.lock();
    let by_number = words(&shards);
    let (vocab, rank) = {
        let used = per_slice(
            pages,
            by_number.len(),
            |used: &mut [bool], p| {
                for u in p.word_uses() {
                    used[u.word as usize] = true;
                }
            },
            |a, b| a | b,
        );
        let mut order: Vec<u32> = (0..by_number.len() as u32).filter(|&n| used[n as usize]).collect();
        order.par_sort_unstable_by(|&a, &b| by_number[a as usize].cmp(&by_number[b as usize]));
        let mut rank = vec![0u32; by_number.len()];
        for (r, &n) in order.iter().enumerate() {
            rank[n as usize] = r as u32;
        }
        let vocab: Vec<&str> = order.iter().map(|&n| by_number[n as usize].unwrap_or_default()).collect();
        (vocab, rank)
    };
    // Which words need which stemmer besides the Norwegian one: bit 1 English, bit 2 none.
    let mut uses_other = vec![0u8; vocab.len()];
    for p in pages.iter().filter(|p| p.stemming != Stemming::Norwegian) {
        let bit = if p.stemming == Stemming::English { 1 } else { 2 };
        for u in p.word_uses() {
            uses_other[rank[u.word as usize] as usize] |= bit;
        }
    }

    // 2. Each word stemmed once per stemmer it needs, and split into compound
    // parts, in parallel.
    let known: FxSet<&str> = vocab.iter().copied().filter(|w| w.chars().nth(2).is_some()).collect();
    // (Norwegian stem, English stem when an English page uses the word, the word
    // itself folded when a page without stemming (Sámi) does, compound parts)
    let analysed: Vec<Analysed> = vocab
        .par_iter()
        .zip(uses_other.par_iter())
        .map_init(
            || (Stemmer::create(Algorithm::Norwegian), Stemmer::create(Algorithm::English)),
            |(nb, en), (w, &other)| {
                let parts = compound_parts(w, &known).into_iter().map(|p| fold(&nb.stem(&p))).collect();
                (
                    fold(&nb.stem(w)),
                    (other & 1 != 0).then(|| fold(&en.stem(w))),
                    (other & 2 != 0).then(|| fold(w)),
                    parts,
                )
            },
        )
        .collect();

    // 3. Terms, numbered in the order they are written in (JavaScript's).
    let terms: Vec<&str> = {
        let set: FxSet<&str> = analysed
            .iter()
            .flat_map(|(nb, en, plain, parts)| {
                std::iter::once(nb.as_str())
                    .chain(en.as_deref())
                    .chain(plain.as_deref())
                    .chain(parts.iter().map(String::as_str))
            })
            .collect();
        let mut v: Vec<&str> = set.into_iter().collect();
        v.par_sort_unstable_by(|a, b| utf16_cmp(a, b));
        v
    };
    let term_id: FxMap<&str, u32> = terms.iter().enumerate().map(|(i, &t)| (t, i as u32)).collect();
    let word_terms: Vec<(u32, u32, u32, Vec<u32>)> = analysed
        .par_iter()
        .map(|(nb, en, plain, parts)| {
            let nb_id = term_id[nb.as_str()];
            let en_id = en.as_deref().map_or(nb_id, |e| term_id[e]);
            let plain_id = plain.as_deref().map_or(nb_id, |e| term_id[e]);
            (nb_id, en_id, plain_id, parts.iter().map(|p| term_id[p.as_str()]).collect())
        })
        .collect();

    // 4. Each page's terms with their weight and best segment, in parallel,
    // packed as numbers (see `Frequencies`): a large site has tens of millions.
    let frequencies: Vec<Frequencies> = pages
        .par_iter()
        .map(|p| {
            // (term, position of the word in the page, weight, segment, segment
            // weight, place bonus in quarters)
            let mut hits: Vec<(u32, u32, f32, u16, f32, u8)> = Vec::with_capacity(p.uses.len() / 2);
            for (i, u) in p.word_uses().enumerate() {
                let (nb, en, plain, parts) = &word_terms[rank[u.word as usize] as usize];
                let (term, parts): (u32, &[u32]) = match p.stemming {
                    Stemming::Norwegian => (*nb, parts),
                    Stemming::English => (*en, parts),
                    // The compound parts are Norwegian words: not for a Sámi page.
                    Stemming::None => (*plain, &[]),
                };
                let bonus = PLACE_BONUS[usize::from(u.place)];
                hits.push((term, i as u32, u.weight, u.segment, u.segment_weight, bonus));
                for &part in parts {
                    hits.push((part, i as u32, u.weight * PART, u.segment, u.segment_weight * PART, bonus / 2));
                }
            }
            // By term, then by word, so ties between words go the same way every time.
            hits.sort_unstable_by_key(|h| (h.0, h.1));
            let mut out: Vec<Frequency> = Vec::with_capacity(hits.len());
            let mut best = 0.0;
            for (term, _, weight, segment, segment_weight, bonus) in hits {
                match out.last_mut() {
                    Some(last) if last.term == term => {
                        last.weight += weight;
                        last.bonus = last.bonus.max(bonus);
                        if segment_weight > best {
                            last.segment = segment;
                            best = segment_weight;
                        }
                    }
                    _ => {
                        out.push(Frequency { term, weight, segment, bonus });
                        best = segment_weight;
                    }
                }
            }
            Frequencies::pack(&out)
        })
        .collect();

    // 5. BM25 over the whole site (`encode` writes the postings best first),
    // for a run of terms at a time, so only a run's postings are held.
    let n = pages.len().max(1) as f64;
    let avg = (pages.iter().map(|p| f64::from(p.length)).sum::<f64>() / n).max(1.0);
    let df = per_slice(
        &frequencies,
        terms.len(),
        |df: &mut [u32], f| {
            for e in f.iter() {
                df[e.term as usize] += 1;
            }
        },
        |a, b| a + b,
    );
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| {
            let d = f64::from(d);
            (1.0 + (n - d + 0.5) / (d + 0.5)).ln()
        })
        .collect();
    let norms: Vec<f64> = pages.iter().map(|page| K1 * (1.0 - B + B * f64::from(page.length) / avg)).collect();
    let mut encoded: Vec<String> = Vec::with_capacity(terms.len());
    // Where each page's terms of the next run start: the runs follow one
    // another, so each page's terms are read once in all (read from the start
    // for every run, a site of a hundred runs read them fifty times over).
    let mut cursors = vec![Cursor::default(); frequencies.len()];
    // A term weighs its postings and, once per slice of pages, the list its
    // postings are gathered in there: a run of rare terms (case numbers, say)
    // would otherwise be a million terms, each with a list in every slice.
    let slices = frequencies.len().div_ceil(PAGES_AT_A_TIME);
    for run in crate::render::runs(&df, |&d| d as usize + slices, POSTINGS_AT_A_TIME) {
        // Each slice of pages gathers its postings of the run's terms; joined
        // in the pages' order, each term's postings are in page order.
        let parts: Vec<Vec<Vec<Posting>>> = frequencies
            .par_chunks(PAGES_AT_A_TIME)
            .zip(norms.par_chunks(PAGES_AT_A_TIME))
            .zip(cursors.par_chunks_mut(PAGES_AT_A_TIME))
            .enumerate()
            .map(|(chunk, ((frequencies, norms), cursors))| {
                let mut postings: Vec<Vec<Posting>> = vec![Vec::new(); run.len()];
                for (i, ((f, norm), cursor)) in frequencies.iter().zip(norms).zip(cursors).enumerate() {
                    let id = chunk * PAGES_AT_A_TIME + i;
                    while let Some(e) = f.next_before(cursor, run.end as u32) {
                        let t = e.term as usize;
                        let tf = f64::from(e.weight);
                        let score = idf[t] * (f64::from(e.bonus) / 4.0 + tf / (tf + norm));
                        postings[t - run.start].push(Posting {
                            page: id as u32,
                            score: quantize(score),
                            heading: u32::from(e.segment),
                        });
                    }
                }
                postings
            })
            .collect();
        let postings: Vec<Vec<Posting>> = (0..run.len())
            .into_par_iter()
            .map(|t| {
                let mut all = Vec::with_capacity(df[run.start + t] as usize);
                for part in &parts {
                    all.extend_from_slice(&part[t]);
                }
                all
            })
            .collect();
        drop(parts);
        encoded.par_extend(postings.par_iter().map(|p| encode(p)));
    }
    drop(frequencies);

    // 6. Files: term shards of about equal size, page entries, filters, manifest.
    // `"term":"postings",` (escapes aside).
    let (starts, ranges) = pack_shards(&terms, |t| terms[t].len() + encoded[t].len() + 6, SHARD_BYTES);
    let mut files: Vec<OutputFile> = ranges
        .par_iter()
        .enumerate()
        .map(|(i, range)| {
            let mut json = String::with_capacity(SHARD_BYTES + 1024);
            json.push('{');
            for t in range.clone() {
                if t > range.start {
                    json.push(',');
                }
                push_json_string(&mut json, terms[t]);
                json.push(':');
                // The digits need no escaping.
                json.push('"');
                json.push_str(&encoded[t]);
                json.push('"');
            }
            json.push('}');
            register_json(&format!("search/t/{i}.js"), &format!("t:{i}"), &json)
        })
        .collect();
    drop(encoded);
    let (word_starts, word_files) = word_lists(&terms);
    files.extend(word_files);
    files.par_extend(
        pages
            .par_iter()
            .enumerate()
            .filter(|(_, p)| !p.entry.is_empty())
            .map(|(i, p)| register_json(&format!("search/p/{i}.js"), &format!("p:{i}"), &p.entry)),
    );
    let (filters, filter_files) = filters(site);
    files.extend(filter_files);
    let manifest = Manifest {
        version: 4,
        site: &site.settings.title,
        pages: site.pages.len(),
        lang: site.settings.language.code(),
        shards: starts,
        words: word_starts,
        sections: site.sections.iter().map(|s| SectionMeta { t: &s.section.title, u: &s.path }).collect(),
        statuses: Lang::ALL
            .iter()
            .map(|&l| (l.code(), Status::ALL.iter().map(|&s| (s.key(), s.label(l))).collect()))
            .collect(),
        filters,
        types: types(site),
        network: &site.settings.search_sites,
    };
    files.push(register("search/manifest.js", "manifest", &manifest));
    let bytes = files.iter().map(|f| f.bytes.len()).sum();
    (files, Stats { terms: terms.len(), bytes })
}

/// A word list file is closed once it would grow past this many bytes.
const WORD_LIST_BYTES: usize = 8 * 1024;

/// The index's words, without postings, for queries that must look through
/// many of them: a word typed with one letter wrong, or a compound whose
/// parts the index has. Terms of letters alone, three or more, in the order
/// of the term shards, in files of at most [`WORD_LIST_BYTES`]
/// (`search/w/<n>.js`, each a string of the words with a space between), and
/// each file's boundary as the term shards have theirs.
fn word_lists(terms: &[&str]) -> (Vec<String>, Vec<OutputFile>) {
    let words: Vec<&str> =
        terms.iter().copied().filter(|t| t.chars().nth(2).is_some() && t.chars().all(char::is_alphabetic)).collect();
    let (starts, ranges) = pack_shards(&words, |w| words[w].len() + 1, WORD_LIST_BYTES);
    let files = ranges
        .iter()
        .enumerate()
        .map(|(i, range)| register(&format!("search/w/{i}.js"), &format!("w:{i}"), &words[range.clone()].join(" ")))
        .collect();
    (starts, files)
}

/// A table of `len` entries that `note` fills from each of `items`, filled
/// for each slice of [`PAGES_AT_A_TIME`] items on a thread of its own; the
/// slices' tables are then joined entry by entry with `join`.
fn per_slice<T: Sync, V: Copy + Default + Send>(
    items: &[T],
    len: usize,
    note: impl Fn(&mut [V], &T) + Sync,
    join: impl Fn(V, V) -> V + Sync,
) -> Vec<V> {
    items
        .par_chunks(PAGES_AT_A_TIME)
        .map(|slice| {
            let mut table = vec![V::default(); len];
            for item in slice {
                note(&mut table, item);
            }
            table
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(b).for_each(|(a, b)| *a = join(*a, b));
            a
        })
        .unwrap_or_else(|| vec![V::default(); len])
}

/// Postings held at a time while the index is written (12 bytes each; twice,
/// while the slices' lists are joined), with a term's list in each slice of
/// pages counted as one.
const POSTINGS_AT_A_TIME: usize = 1 << 20;

/// Pages a thread takes at a time where the index goes through every page's
/// words or terms (to mark the words used, count and gather postings).
const PAGES_AT_A_TIME: usize = 4096;

/// A term of a page: its weight, the segment where it weighs most, and the
/// bonus its place gives it (in quarters, [`PLACE_BONUS`]).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frequency {
    term: u32,
    weight: f32,
    segment: u16,
    bonus: u8,
}

/// What a word's place adds to its score, in quarters of the word's inverse
/// document frequency, by place (0, [`IN_HEADING`], [`IN_TITLE`]): a page has
/// a word in its text for up to one (BM25's term frequency part, which stays
/// under 1), so a heading (1.5) outweighs any text and the title (3) any
/// heading with its text. A compound's part gets half.
const PLACE_BONUS: [u8; 4] = [0, 6, 12, 12];

/// One page's terms, ascending, packed as variable-length numbers
/// ([`push_varint`]): the term's distance from the term before, four times its
/// weight (weights are sums of whole, half and quarter numbers, which four
/// times is exact), the segment times 16 plus the place bonus.
struct Frequencies(Vec<u8>);

impl Frequencies {
    fn pack(entries: &[Frequency]) -> Frequencies {
        let mut bytes = Vec::with_capacity(entries.len() * 4);
        let mut last = 0;
        for e in entries {
            push_varint(&mut bytes, e.term - last);
            push_varint(&mut bytes, (e.weight * 4.0) as u32);
            push_varint(&mut bytes, u32::from(e.segment) * 16 + u32::from(e.bonus));
            last = e.term;
        }
        bytes.shrink_to_fit();
        Frequencies(bytes)
    }

    /// The terms, ascending.
    fn iter(&self) -> impl Iterator<Item = Frequency> + '_ {
        let mut cursor = Cursor::default();
        std::iter::from_fn(move || self.next_before(&mut cursor, u32::MAX))
    }

    /// The entry at `cursor`, moving it on, when its term is below `end`.
    fn next_before(&self, cursor: &mut Cursor, end: u32) -> Option<Frequency> {
        if cursor.at >= self.0.len() {
            return None;
        }
        let mut at = cursor.at;
        let term = cursor.term + read_varint(&self.0, &mut at);
        if term >= end {
            return None;
        }
        let weight = read_varint(&self.0, &mut at) as f32 / 4.0;
        let place = read_varint(&self.0, &mut at);
        *cursor = Cursor { at, term };
        Some(Frequency { term, weight, segment: (place / 16) as u16, bonus: (place % 16) as u8 })
    }
}

/// A place in a [`Frequencies`]: the byte where its next entry starts, and
/// the term of the entry before (the next one's is written as the distance).
#[derive(Debug, Default, Clone, Copy)]
struct Cursor {
    at: usize,
    term: u32,
}

/// Splits the sorted terms into runs whose shard file stays under `limit`
/// bytes, term `t` taking `size(t)`; returns each shard's boundary (the first is
/// `""`) and its range of terms.
fn pack_shards(
    terms: &[&str],
    size_of: impl Fn(usize) -> usize,
    limit: usize,
) -> (Vec<String>, Vec<std::ops::Range<usize>>) {
    let mut starts = vec![String::new()];
    let mut ranges = Vec::new();
    let mut begin = 0;
    let mut size = 0;
    for (t, term) in terms.iter().enumerate() {
        let entry = size_of(t);
        if size + entry > limit && t > begin {
            ranges.push(begin..t);
            starts.push(boundary(terms[t - 1], term).to_string());
            begin = t;
            size = 0;
        }
        size += entry;
    }
    if begin < terms.len() || ranges.is_empty() {
        ranges.push(begin..terms.len());
    }
    (starts, ranges)
}

fn push_json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

/// The longest word, in letters, that [`compound_parts`] splits; Norwegian's long
/// compounds (`kommunehelsetjenesteloven`, 25) are well inside it.
pub const LONGEST_COMPOUND: usize = 64;

/// The parts of a compound word that are words of the site: `innbyggertorg` →
/// [`innbygger`, `torg`]; a linking `s` or `e` between parts is allowed
/// (`sykefravær` → `syke`, `fravær`). Words shorter than 7 letters are not split,
/// nor words longer than [`LONGEST_COMPOUND`]: a split tries every place in the
/// word, so its cost grows with the square of the length.
///
/// ```
/// use std::collections::HashSet;
/// let known: HashSet<&str> = ["innbygger", "torg", "syke", "fravær"].into_iter().collect();
/// assert_eq!(innsyn::search::compound_parts("innbyggertorget", &known), ["innbygger", "torget"]);
/// assert_eq!(innsyn::search::compound_parts("sykefraværet", &known), ["syke", "fraværet"]);
/// assert!(innsyn::search::compound_parts("torg", &known).is_empty());
/// ```
pub fn compound_parts<S: BuildHasher>(word: &str, known: &HashSet<&str, S>) -> Vec<String> {
    // Byte offsets of the characters, and the end.
    let mut at: Vec<usize> = Vec::with_capacity(word.len() + 1);
    for (i, c) in word.char_indices() {
        if !c.is_alphabetic() {
            return Vec::new();
        }
        at.push(i);
    }
    let chars = at.len();
    if !(7..=LONGEST_COMPOUND).contains(&chars) {
        return Vec::new();
    }
    at.push(word.len());
    let is_known = |s: &str| known.contains(s);
    // A tail is known if the site has the word, or the word with an ending
    // (`torget` is found through `torg`).
    let tail_known =
        |from: usize| (0..=3).any(|cut| chars - from > cut + 2 && is_known(&word[at[from]..at[chars - cut]]));
    // Splits whose first part is a word of the site come first, the longest first
    // part winning; otherwise the longest known second part.
    let mut best: Option<((bool, isize), usize)> = None;
    for i in 3..=chars - 3 {
        let head = &word[..at[i]];
        let head_ok = is_known(head)
            || (head.len() > 4 && (head.ends_with('s') || head.ends_with('e')) && is_known(&head[..head.len() - 1]));
        // A first part the site never uses alone (`syke` in `sykefravær`) is fine
        // when the second part is a real word of some length.
        let long_tail = chars - i >= 5;
        if (head_ok || long_tail) && tail_known(i) {
            let rank = (head_ok, if head_ok { i as isize } else { -(i as isize) });
            if best.is_none_or(|b| rank > b.0) {
                best = Some((rank, i));
            }
        }
    }
    best.map(|(_, i)| vec![word[..at[i]].to_string(), word[at[i]..].to_string()]).unwrap_or_default()
}

/// `window.innsynSearch.register(KEY, DATA);` with deterministic JSON.
fn register<T: Serialize + ?Sized>(path: &str, key: &str, data: &T) -> OutputFile {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".into());
    register_json(path, key, &json)
}

fn register_json(path: &str, key: &str, json: &str) -> OutputFile {
    let mut out = String::with_capacity(json.len() + key.len() + 40);
    out.push_str("window.innsynSearch.register(");
    push_json_string(&mut out, key);
    out.push(',');
    out.push_str(json);
    out.push_str(");\n");
    OutputFile::new(path.to_string(), out.into_bytes())
}

/// A page as a search result shows it.
#[derive(Serialize)]
struct PageEntry<'a> {
    /// Title.
    t: &'a str,
    /// Path: relative to its section's path, or site-absolute (starting
    /// with `/`) when it is not under it.
    u: &'a str,
    /// Index of its section in the manifest's `sections`.
    s: usize,
    /// Content type key.
    y: &'a str,
    /// Status key, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    st: Option<&'static str>,
    /// Language, when not the site's.
    #[serde(skip_serializing_if = "Option::is_none")]
    l: Option<&'static str>,
    /// Per segment, one after another: anchor (0 when it is the heading in
    /// lower case with `-` for spaces), heading.
    h: Vec<Field<'a>>,
    /// Passages of the page's prose, one after another: the segment's number,
    /// the text (with ` …` where it is cut short).
    x: Vec<Field<'a>>,
}

/// One value of [`PageEntry::h`] or [`PageEntry::x`]: a string borrowed from
/// the segment (no copy into a `serde_json::Value`) where it can be, or a
/// number (0 for a derived anchor; a segment's number).
#[derive(Serialize)]
#[serde(untagged)]
enum Field<'a> {
    Derived(u16),
    Text(Cow<'a, str>),
}

fn page_entry(site: &Site, node: &crate::site::PageNode, segs: &[Segment], passages: &[Passage]) -> String {
    let mut h: Vec<Field> = Vec::with_capacity(2 * segs.len());
    for s in segs {
        let derived = !s.anchor.is_empty()
            && s.heading.is_ascii()
            && s.anchor.len() == s.heading.len()
            && s.anchor
                .bytes()
                .zip(s.heading.bytes())
                .all(|(a, h)| a == if h == b' ' { b'-' } else { h.to_ascii_lowercase() });
        h.push(if derived { Field::Derived(0) } else { Field::Text(Cow::Borrowed(&s.anchor)) });
        h.push(Field::Text(Cow::Borrowed(&s.heading)));
    }
    let mut x: Vec<Field> = Vec::with_capacity(2 * passages.len() + 2);
    let description = &node.page.description;
    if segs.first().is_none_or(|s| s.text.is_empty()) && !description.is_empty() {
        // A page that starts with a heading starts its results with its description.
        let squashed = description.split_whitespace().collect::<Vec<_>>().join(" ");
        let end = words_after(&squashed, 0, BEFORE + AFTER);
        x.push(Field::Derived(0));
        x.push(Field::Text(Cow::Owned(cut(&squashed, 0..end).into_owned())));
    }
    for p in passages {
        x.push(Field::Derived(p.segment));
        x.push(Field::Text(cut(&segs[usize::from(p.segment)].text, p.range.clone())));
    }
    let section = &site.sections[node.section].path;
    let entry = PageEntry {
        t: &node.page.title,
        u: node.path.strip_prefix(section.as_str()).filter(|_| section.ends_with('/')).unwrap_or(&node.path),
        s: node.section,
        y: &node.page.kind,
        st: node.page.status().map(Status::key),
        l: (node.lang != site.settings.language).then(|| node.lang.code()),
        h,
        x,
    };
    serde_json::to_string(&entry).unwrap_or_else(|_| "null".into())
}

#[derive(Serialize)]
struct FilterValue {
    value: String,
    label: String,
    count: usize,
}

#[derive(Serialize)]
struct Filter {
    name: String,
    title: String,
    values: Vec<FilterValue>,
}

#[derive(Serialize)]
struct TypeMeta {
    key: String,
    label: String,
}

#[derive(Serialize)]
struct SectionMeta<'a> {
    /// Title.
    t: &'a str,
    /// Site-absolute path.
    u: &'a str,
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    /// The site's title, which labels its results in a search across sites.
    site: &'a str,
    pages: usize,
    /// The site's language; a page entry names its own only when it differs.
    lang: &'static str,
    /// The boundary of every term shard: shard `i` holds the terms from
    /// `shards[i]` up to (not including) `shards[i + 1]`.
    shards: Vec<String>,
    /// The boundary of every word list (`search/w/<n>.js`), as for `shards`.
    words: Vec<String>,
    /// Sections, by section index.
    sections: Vec<SectionMeta<'a>>,
    /// Status labels by language and key.
    statuses: BTreeMap<&'static str, BTreeMap<&'static str, &'static str>>,
    filters: Vec<Filter>,
    types: Vec<TypeMeta>,
    /// Other sites the search page searches too.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    network: &'a [crate::config::SearchSite],
}

fn type_label(kind: &str, lang: Lang) -> String {
    match (kind, lang) {
        ("mandate", Lang::En) => "Mandate".into(),
        ("mandate", _) => "Mandat".into(),
        ("goal", Lang::En) => "Goal".into(),
        ("goal", _) => "Mål".into(),
        ("page", Lang::En) => "Page".into(),
        ("page", _) => "Side".into(),
        (other, _) => other.to_string(),
    }
}

fn types(site: &Site) -> Vec<TypeMeta> {
    let kinds: std::collections::BTreeSet<&str> = site.pages.iter().map(|p| p.page.kind.as_str()).collect();
    kinds.into_iter().map(|k| TypeMeta { key: k.to_string(), label: type_label(k, site.settings.language) }).collect()
}

/// One filter per taxonomy and one for the content type, each with the pages
/// of each of its values in a file of its own (`search/f/<name>.js`: value →
/// page ids), which a search loads to filter and to count the results each
/// value keeps.
fn filters(site: &Site) -> (Vec<Filter>, Vec<OutputFile>) {
    let mut filters = Vec::new();
    let mut files = Vec::new();
    // A taxonomy's terms in every language are one filter: a term written
    // alike in two languages (a municipality's name) is one value.
    let mut names: Vec<&str> = Vec::new();
    for tax in &site.taxonomies {
        if !names.contains(&tax.taxonomy.name.as_str()) {
            names.push(&tax.taxonomy.name);
        }
    }
    for name in names {
        let nodes: Vec<_> = site.taxonomies.iter().filter(|t| t.taxonomy.name == name).collect();
        let mut by_slug: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
        for term in nodes.iter().flat_map(|t| &t.terms) {
            let slug = term.path.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string();
            let entry = by_slug.entry(slug).or_insert_with(|| (term.name.clone(), Vec::new()));
            entry.1.extend(&term.pages);
        }
        let mut values = Vec::new();
        let mut lists: BTreeMap<String, String> = BTreeMap::new();
        let mut ordered: Vec<(String, String, Vec<usize>)> =
            by_slug.into_iter().map(|(slug, (label, ids))| (slug, label, ids)).collect();
        ordered.sort_by_key(|(_, label, _)| crate::lang::collation_key(label));
        for (slug, label, mut ids) in ordered {
            ids.sort_unstable();
            ids.dedup();
            lists.insert(slug.clone(), encode_ids(&ids));
            values.push(FilterValue { value: slug, label, count: ids.len() });
        }
        if !values.is_empty() {
            files.push(register(&format!("search/f/{name}.js"), &format!("f:{name}"), &lists));
            filters.push(Filter { name: name.to_string(), title: nodes[0].taxonomy.title.clone(), values });
        }
    }
    // On a site in several languages, the language's part of the site (the
    // default language's holds its pages written in another language, such as
    // nynorsk pages of a bokmål site): the search form of a page asks for
    // results in its part (`?lang=en`), and the reader can widen the search.
    if site.settings.multilingual() {
        let mut by_lang: BTreeMap<Lang, Vec<usize>> = BTreeMap::new();
        for (i, p) in site.pages.iter().enumerate() {
            by_lang.entry(p.tree).or_default().push(i);
        }
        // A filter with one value filters nothing (a page asking for another
        // language's results then gets them all).
        if by_lang.len() < 2 {
            by_lang.clear();
        }
        let lists: BTreeMap<&str, String> = by_lang.iter().map(|(l, ids)| (l.code(), encode_ids(ids))).collect();
        if !lists.is_empty() {
            files.push(register("search/f/lang.js", "f:lang", &lists));
        }
        let values: Vec<FilterValue> = by_lang
            .into_iter()
            .map(|(l, ids)| FilterValue {
                value: l.code().to_string(),
                label: l.autonym().to_string(),
                count: ids.len(),
            })
            .collect();
        let title = match site.settings.language {
            Lang::En => "Language",
            Lang::Se => "Giella",
            Lang::Nb | Lang::Nn => "Språk",
        };
        if !values.is_empty() {
            filters.push(Filter { name: "lang".into(), title: title.into(), values });
        }
    }
    let mut by_type: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in site.pages.iter().enumerate() {
        by_type.entry(p.page.kind.as_str()).or_default().push(i);
    }
    if by_type.len() > 1 && !site.taxonomies.iter().any(|t| t.taxonomy.name == "type") {
        let lang = site.settings.language;
        let lists: BTreeMap<&str, String> = by_type.iter().map(|(kind, ids)| (*kind, encode_ids(ids))).collect();
        files.push(register("search/f/type.js", "f:type", &lists));
        let values = by_type
            .into_iter()
            .map(|(kind, ids)| FilterValue { value: kind.to_string(), label: type_label(kind, lang), count: ids.len() })
            .collect();
        let title = match lang {
            Lang::En => "Type",
            Lang::Nn => "Type innhald",
            Lang::Nb | Lang::Se => "Type innhold",
        };
        filters.push(Filter { name: "type".into(), title: title.into(), values });
    }
    (filters, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_inflections_share_a_stem_and_english_uses_its_own() {
        let nb = Stemmer::create(Algorithm::Norwegian);
        assert_eq!(nb.stem("barnehagene"), nb.stem("barnehager"));
        assert_eq!(nb.stem("innbyggjarane"), nb.stem("innbyggjarar"));
        assert_eq!(stemming(Lang::Nn), Stemming::Norwegian);
        assert_eq!(stemming(Lang::En), Stemming::English);
        assert_eq!(stemming(Lang::Se), Stemming::None);
        let nn = Stemmer::create(Algorithm::Norwegian);
        assert_eq!(nn.stem("kommunane"), "kommun");
        assert_eq!(Stemmer::create(Algorithm::English).stem("municipalities"), "municip");
    }

    #[test]
    fn shards_stay_under_their_size_and_each_term_is_found_in_its_own() {
        let owned: Vec<String> = (0..3000).map(|i| format!("t{:04}{}", i * 7 % 3000, "x".repeat(i % 5))).collect();
        let mut terms: Vec<&str> = owned.iter().map(String::as_str).collect();
        terms.push("zz");
        terms.sort_by(|a, b| utf16_cmp(a, b));
        // One long posting list among short ones.
        let encoded: Vec<String> =
            terms.iter().map(|t| if *t == "t1500" { "g".repeat(3 * SHARD_BYTES) } else { "ghg".repeat(9) }).collect();
        let (starts, ranges) = pack_shards(&terms, |t| terms[t].len() + encoded[t].len() + 6, SHARD_BYTES);
        assert_eq!(starts.len(), ranges.len());
        assert!(ranges.len() > 3, "{} shards", ranges.len());
        assert_eq!(ranges.iter().map(|r| r.len()).sum::<usize>(), terms.len());
        for (i, r) in ranges.iter().enumerate() {
            let size: usize = r.clone().map(|t| terms[t].len() + encoded[t].len() + 6).sum();
            assert!(size <= SHARD_BYTES || r.len() == 1, "shard {i} has {size} bytes in {} terms", r.len());
            for t in r.clone() {
                assert_eq!(encoding::shard_of(&starts, terms[t]), i, "{}", terms[t]);
            }
        }
    }

    #[test]
    fn compounds_split_only_into_the_sites_own_words() {
        let known: HashSet<&str> = ["innbygger", "torg", "fravær", "syke", "barne", "hage"].into_iter().collect();
        assert_eq!(compound_parts("innbyggertorg", &known), ["innbygger", "torg"]);
        assert_eq!(compound_parts("sykefraværsprosent", &known), Vec::<String>::new(), "prosent is not a word here");
        let only_tail: HashSet<&str> = ["fravær"].into_iter().collect();
        assert_eq!(
            compound_parts("sykefraværet", &only_tail),
            ["syke", "fraværet"],
            "an unknown first part before a real word"
        );
        assert!(compound_parts("kommunen", &only_tail).is_empty());
        let with_org: HashSet<&str> = ["innbygger", "torg", "org"].into_iter().collect();
        assert_eq!(compound_parts("innbyggertorget", &with_org), ["innbygger", "torget"], "a known first part wins");
        assert_eq!(compound_parts("barnehagene", &known), ["barne", "hagene"]);
        assert!(compound_parts("kommunene", &known).is_empty());
    }
}

#[cfg(test)]
mod long_word_tests {
    #[test]
    fn a_word_longer_than_any_compound_is_not_split() {
        let known: std::collections::HashSet<&str> = ["aaa"].into_iter().collect();
        assert_eq!(super::compound_parts("aaaaaaa", &known), ["aaa", "aaaa"]);
        let long = "a".repeat(super::LONGEST_COMPOUND + 1);
        assert!(super::compound_parts(&long, &known).is_empty());
    }
}
