//! The search index, built from the assembled site and its rendered bodies:
//! Snowball stems per page language, folded spellings, compound parts from the
//! site's own vocabulary, BM25 scores with title and heading boosts, written as
//! `.js` shards that `search.js` loads with `<script>` elements (see
//! `docs/search.md`). Pure: returns output files, writes nothing.

pub mod text;

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use crate::content::slug::slugify;
use crate::lang::Lang;
use crate::output::OutputFile;
use crate::render::Bodies;
use crate::site::Site;
use text::{fold, segments, shard, words, Segment};

/// Pages per metadata chunk.
pub const CHUNK: usize = 5;
/// Characters of text kept per heading for excerpts.
const EXCERPT: usize = 160;
/// BM25 parameters.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weights of the places a word can stand.
const TITLE: f64 = 3.0;
const HEADING: f64 = 2.0;
const BODY: f64 = 1.0;
/// A compound's parts count half.
const PART: f64 = 0.5;

/// What the index holds, for the build summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub terms: usize,
    pub bytes: usize,
}

/// Which stemmer a page's words go through: Norwegian (covers bokmål and nynorsk)
/// or English.
fn english(lang: Lang) -> bool {
    lang == Lang::En
}

/// What one page says about one word: its weight in the page, and the segment
/// where it weighs most.
struct WordUse {
    weight: f64,
    segment: u16,
    segment_weight: f64,
}

/// A page reduced to what the index needs: its distinct words and its metadata.
struct PageWords {
    words: Vec<(String, WordUse)>,
    length: f64,
    english: bool,
    meta: PageMeta,
}

/// Sorted, deduplicated strings; an id is a position in the list.
fn intern<'a>(all: impl ParallelIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = all.collect();
    v.par_sort_unstable();
    v.dedup();
    v
}

fn id_of(table: &[&str], s: &str) -> u32 {
    table.binary_search(&s).map_or(u32::MAX, |i| i as u32)
}

/// Builds the index files for every page of the site.
pub fn build(site: &Site, bodies: &Bodies) -> (Vec<OutputFile>, Stats) {
    // 1. Each page's distinct words with their weights, in parallel.
    let pages: Vec<PageWords> = site
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, node)| {
            let segs = segments(&bodies.pages[i].html);
            // Word → (weight, weight per segment); most words stand in one or two segments.
            let mut uses: HashMap<String, (f64, Vec<(u16, f64)>)> = HashMap::new();
            let mut length = 0.0;
            let mut add = |text: &str, weight: f64, seg: u16| {
                for w in words(text) {
                    if w.chars().count() > 1 || w.chars().all(|c| c.is_ascii_digit()) {
                        length += weight;
                        let e = uses.entry(w).or_default();
                        e.0 += weight;
                        match e.1.iter_mut().find(|(s, _)| *s == seg) {
                            Some(slot) => slot.1 += weight,
                            None => e.1.push((seg, weight)),
                        }
                    }
                }
            };
            add(&node.page.title, TITLE, 0);
            add(&node.page.description, BODY * 1.5, 0);
            for (s, seg) in segs.iter().enumerate() {
                let s = s.min(u16::MAX as usize) as u16;
                add(&seg.heading, HEADING, s);
                add(&seg.text, BODY, s);
            }
            for values in node.page.taxonomies.values() {
                for v in values {
                    add(v, BODY, 0);
                }
            }
            let mut words: Vec<(String, WordUse)> = uses
                .into_iter()
                .map(|(w, (weight, by_segment))| {
                    let (segment, segment_weight) = by_segment
                        .into_iter()
                        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                        .unwrap_or((0, 0.0));
                    (w, WordUse { weight, segment, segment_weight })
                })
                .collect();
            words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            PageWords { words, length, english: english(node.lang), meta: page_meta(site, node, &segs) }
        })
        .collect();

    // 2. The vocabulary, each word stemmed once per stemmer, in parallel.
    let vocab = intern(pages.par_iter().flat_map_iter(|p| p.words.iter().map(|(w, _)| w.as_str())));
    let known: HashSet<&str> = vocab.iter().copied().filter(|w| w.chars().count() >= 3).collect();
    let uses_english: Vec<bool> = {
        let mut flags = vec![false; vocab.len()];
        for p in pages.iter().filter(|p| p.english) {
            for (w, _) in &p.words {
                flags[id_of(&vocab, w) as usize] = true;
            }
        }
        flags
    };
    // (Norwegian stem, English stem when an English page uses the word, compound parts)
    let analysed: Vec<(String, Option<String>, Vec<String>)> = vocab
        .par_iter()
        .zip(uses_english.par_iter())
        .map_init(
            || (Stemmer::create(Algorithm::Norwegian), Stemmer::create(Algorithm::English)),
            |(nb, en), (w, &eng)| {
                let parts = compound_parts(w, &known).into_iter().map(|p| fold(&nb.stem(&p))).collect();
                (fold(&nb.stem(w)), eng.then(|| fold(&en.stem(w))), parts)
            },
        )
        .collect();

    // 3. Terms, numbered the same way; each word maps to its terms.
    let term_table = intern(analysed.par_iter().flat_map_iter(|(nb, en, parts)| {
        std::iter::once(nb.as_str()).chain(en.as_deref()).chain(parts.iter().map(String::as_str))
    }));
    let word_terms: Vec<(u32, u32, Vec<u32>)> = analysed
        .par_iter()
        .map(|(nb, en, parts)| {
            let nb_id = id_of(&term_table, nb);
            let en_id = en.as_deref().map_or(nb_id, |e| id_of(&term_table, e));
            (nb_id, en_id, parts.iter().map(|p| id_of(&term_table, p)).collect())
        })
        .collect();

    // 4. Each page's term frequencies, in parallel.
    let frequencies: Vec<Vec<(u32, f64, u16)>> = pages
        .par_iter()
        .map(|p| {
            let mut tf: HashMap<u32, (f64, u16, f64)> = HashMap::with_capacity(p.words.len());
            let mut count = |term: u32, u: &WordUse, factor: f64| {
                let e = tf.entry(term).or_insert((0.0, u.segment, 0.0));
                e.0 += u.weight * factor;
                if u.segment_weight * factor > e.2 {
                    e.1 = u.segment;
                    e.2 = u.segment_weight * factor;
                }
            };
            for (w, u) in &p.words {
                let (nb, en, parts) = &word_terms[id_of(&vocab, w) as usize];
                count(if p.english { *en } else { *nb }, u, 1.0);
                for &part in parts {
                    count(part, u, PART);
                }
            }
            let mut v: Vec<(u32, f64, u16)> = tf.into_iter().map(|(t, (w, s, _))| (t, w, s)).collect();
            v.sort_unstable_by_key(|x| x.0);
            v
        })
        .collect();

    // 5. BM25 over the whole site; postings in page order.
    let n = pages.len().max(1) as f64;
    let avg = (pages.iter().map(|p| p.length).sum::<f64>() / n).max(1.0);
    let mut df = vec![0u32; term_table.len()];
    for f in &frequencies {
        for &(t, _, _) in f {
            df[t as usize] += 1;
        }
    }
    let mut postings: Vec<Vec<i64>> = vec![Vec::new(); term_table.len()];
    let mut last_id = vec![0i64; term_table.len()];
    for (id, (f, page)) in frequencies.iter().zip(&pages).enumerate() {
        for &(t, tf, segment) in f {
            let d = f64::from(df[t as usize]);
            let idf = (1.0 + (n - d + 0.5) / (d + 0.5)).ln();
            let score = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * page.length / avg));
            // Page ids are delta-encoded.
            let id = id as i64;
            postings[t as usize].extend([
                id - last_id[t as usize],
                (score * 100.0).round().max(1.0) as i64,
                i64::from(segment),
            ]);
            last_id[t as usize] = id;
        }
    }

    // 6. Files, shard by shard in parallel.
    let mut shards: BTreeMap<String, BTreeMap<&str, &Vec<i64>>> = BTreeMap::new();
    for (t, term) in term_table.iter().enumerate() {
        shards.entry(shard(term)).or_default().insert(term, &postings[t]);
    }
    let terms = term_table.len();
    let mut files: Vec<OutputFile> =
        shards.par_iter().map(|(key, map)| register(&format!("search/t/{key}.js"), &format!("t:{key}"), map)).collect();
    let metas: Vec<&PageMeta> = pages.iter().map(|p| &p.meta).collect();
    files.extend(
        metas
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(n, chunk)| register(&format!("search/p/{n}.js"), &format!("p:{n}"), &chunk))
            .collect::<Vec<_>>(),
    );
    let (filters, filter_files) = filters(site);
    files.extend(filter_files);
    let manifest = Manifest {
        version: 1,
        pages: site.pages.len(),
        chunk: CHUNK,
        prefix: 2,
        shards: shards.keys().cloned().collect(),
        filters,
        types: types(site),
    };
    files.push(register("search/manifest.js", "manifest", &manifest));
    let bytes = files.iter().map(|f| f.bytes.len()).sum();
    (files, Stats { terms, bytes })
}

/// The parts of a compound word that are words of the site: `innbyggertorg` →
/// [`innbygger`, `torg`]; a linking `s` or `e` between parts is allowed
/// (`sykefravær` → `syke`, `fravær`). Words shorter than 7 letters are not split.
///
/// ```
/// use std::collections::HashSet;
/// let known: HashSet<&str> = ["innbygger", "torg", "syke", "fravær"].into_iter().collect();
/// assert_eq!(innsyn::search::compound_parts("innbyggertorget", &known), ["innbygger", "torget"]);
/// assert_eq!(innsyn::search::compound_parts("sykefraværet", &known), ["syke", "fraværet"]);
/// assert!(innsyn::search::compound_parts("torg", &known).is_empty());
/// ```
pub fn compound_parts(word: &str, known: &HashSet<&str>) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 7 || !chars.iter().all(|c| c.is_alphabetic()) {
        return Vec::new();
    }
    let is_known = |s: &str| known.contains(s);
    // A tail is known if the site has the word, or the word with an ending
    // (`torget` is found through `torg`).
    let tail_known = |s: &str| {
        (0..=3).any(|cut| {
            s.chars().count() > cut + 2 && is_known(&s.chars().take(s.chars().count() - cut).collect::<String>())
        })
    };
    // Splits whose first part is a word of the site come first, the longest first
    // part winning; otherwise the longest known second part.
    let mut best: Option<((bool, isize), String, String)> = None;
    for i in 3..=chars.len().saturating_sub(3) {
        let head: String = chars[..i].iter().collect();
        let tail: String = chars[i..].iter().collect();
        let head_ok = is_known(&head)
            || (head.len() > 4 && (head.ends_with('s') || head.ends_with('e')) && is_known(&head[..head.len() - 1]));
        // A first part the site never uses alone (`syke` in `sykefravær`) is fine
        // when the second part is a real word of some length.
        let long_tail = tail.chars().count() >= 5;
        if (head_ok || long_tail) && tail_known(&tail) {
            let rank = (head_ok, if head_ok { i as isize } else { -(i as isize) });
            if best.as_ref().is_none_or(|b| rank > b.0) {
                best = Some((rank, head, tail));
            }
        }
    }
    best.map(|(_, h, t)| vec![h, t]).unwrap_or_default()
}

/// `window.innsynSearch.register(KEY, DATA);` with deterministic JSON.
fn register<T: Serialize + ?Sized>(path: &str, key: &str, data: &T) -> OutputFile {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".into());
    let key = serde_json::to_string(key).unwrap_or_default();
    OutputFile::new(path.to_string(), format!("window.innsynSearch.register({key},{json});\n").into_bytes())
}

#[derive(Serialize)]
struct StatusMeta {
    key: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct PageMeta {
    t: String,
    u: String,
    s: String,
    y: String,
    st: Option<StatusMeta>,
    l: &'static str,
    h: Vec<(String, String, String)>,
}

fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT {
        return text.to_string();
    }
    let cut: String = text.chars().take(EXCERPT).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut} …")
}

fn page_meta(site: &Site, node: &crate::site::PageNode, segs: &[Segment]) -> PageMeta {
    let lang = node.lang;
    let mut h: Vec<(String, String, String)> =
        segs.iter().map(|s| (s.anchor.clone(), s.heading.clone(), excerpt(&s.text))).collect();
    if h[0].2.is_empty() {
        h[0].2 = excerpt(&node.page.description);
    }
    PageMeta {
        t: node.page.title.clone(),
        u: node.path.clone(),
        s: site.sections[node.section].section.title.clone(),
        y: node.page.kind.clone(),
        st: node.page.status().map(|s| StatusMeta { key: s.key(), label: s.label(lang) }),
        l: lang.code(),
        h,
    }
}

#[derive(Serialize)]
struct FilterValue {
    value: String,
    label: String,
    count: usize,
    file: String,
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
struct Manifest {
    version: u32,
    pages: usize,
    chunk: usize,
    prefix: usize,
    /// Every shard that exists, so a query never asks for a missing file.
    shards: Vec<String>,
    filters: Vec<Filter>,
    types: Vec<TypeMeta>,
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

/// One filter per taxonomy and one for the content type, each value with the
/// list of its pages in a file of its own.
fn filters(site: &Site) -> (Vec<Filter>, Vec<OutputFile>) {
    let mut filters = Vec::new();
    let mut files = Vec::new();
    for tax in &site.taxonomies {
        let name = &tax.taxonomy.name;
        let mut values = Vec::new();
        for term in &tax.terms {
            let mut ids = term.pages.clone();
            ids.sort_unstable();
            let slug = term.path.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string();
            let file = format!("{name}-{slug}");
            files.push(register(&format!("search/f/{file}.js"), &format!("f:{file}"), &ids));
            values.push(FilterValue { value: slug, label: term.name.clone(), count: ids.len(), file });
        }
        if !values.is_empty() {
            filters.push(Filter { name: name.clone(), title: tax.taxonomy.title.clone(), values });
        }
    }
    let mut by_type: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in site.pages.iter().enumerate() {
        by_type.entry(p.page.kind.as_str()).or_default().push(i);
    }
    if by_type.len() > 1 {
        let lang = site.settings.language;
        let values = by_type
            .into_iter()
            .map(|(kind, ids)| {
                let file = format!("type-{}", slugify(kind));
                files.push(register(&format!("search/f/{file}.js"), &format!("f:{file}"), &ids));
                FilterValue { value: kind.to_string(), label: type_label(kind, lang), count: ids.len(), file }
            })
            .collect();
        let title = match lang {
            Lang::En => "Type",
            Lang::Nn => "Type innhald",
            Lang::Nb => "Type innhold",
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
        assert!(!english(Lang::Nn) && english(Lang::En));
        let nn = Stemmer::create(Algorithm::Norwegian);
        assert_eq!(nn.stem("kommunane"), "kommun");
        assert_eq!(Stemmer::create(Algorithm::English).stem("municipalities"), "municip");
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
