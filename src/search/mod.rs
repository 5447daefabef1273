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
pub const CHUNK: usize = 25;
/// Characters of text kept per heading for excerpts.
const EXCERPT: usize = 240;
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

/// One word occurrence: the word, its weight, the segment it is in.
struct Hit {
    word: u32,
    weight: f64,
    segment: u16,
}

struct PageText {
    segments: Vec<Segment>,
    hits: Vec<Hit>,
}

/// Which stemmer a page's words go through: Norwegian (covers bokmål and nynorsk)
/// or English.
fn english(lang: Lang) -> bool {
    lang == Lang::En
}

/// Builds the index files for every page of the site.
pub fn build(site: &Site, bodies: &Bodies) -> (Vec<OutputFile>, Stats) {
    // 1. Words of every page, in parallel; words are numbered in a shared table later.
    // Per page: its segments, its words (word, weight, segment), and whether English.
    type Words = (Vec<Segment>, Vec<(String, f64, u16)>, bool);
    let raw: Vec<Words> = site
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, node)| {
            let segs = segments(&bodies.pages[i].html);
            let mut hits = Vec::new();
            let mut add = |text: &str, weight: f64, seg: u16| {
                for w in words(text) {
                    if w.chars().count() > 1 || w.chars().all(|c| c.is_ascii_digit()) {
                        hits.push((w, weight, seg));
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
            (segs, hits, english(node.lang))
        })
        .collect();

    // 2. The vocabulary: each distinct (word, stemmer) stemmed once.
    let mut vocab: HashMap<(String, bool), u32> = HashMap::new();
    let mut pages: Vec<PageText> = Vec::with_capacity(raw.len());
    for (segs, hits, alg) in raw {
        let hits = hits
            .into_iter()
            .map(|(w, weight, segment)| {
                let n = vocab.len() as u32;
                let word = *vocab.entry((w, alg)).or_insert(n);
                Hit { word, weight, segment }
            })
            .collect();
        pages.push(PageText { segments: segs, hits });
    }
    let mut words_by_id: Vec<(&str, bool)> = vec![("", false); vocab.len()];
    for ((w, alg), id) in &vocab {
        words_by_id[*id as usize] = (w.as_str(), *alg);
    }
    let stems: Vec<String> = words_by_id
        .par_iter()
        .map_init(
            || (Stemmer::create(Algorithm::Norwegian), Stemmer::create(Algorithm::English)),
            |(nb, en), (w, alg)| {
                let s = if *alg { en.stem(w) } else { nb.stem(w) };
                fold(&s)
            },
        )
        .collect();

    // 3. Compound parts, from the site's own vocabulary.
    let known: HashSet<&str> = words_by_id.iter().map(|(w, _)| *w).filter(|w| w.chars().count() >= 3).collect();
    let parts: Vec<Vec<String>> = words_by_id
        .par_iter()
        .map_init(
            || (Stemmer::create(Algorithm::Norwegian), Stemmer::create(Algorithm::English)),
            |(nb, en), (w, alg)| {
                let stemmer = if *alg { &*en } else { &*nb };
                compound_parts(w, &known).into_iter().map(|p| fold(&stemmer.stem(&p))).collect()
            },
        )
        .collect();

    // 4. Term frequencies per page, with the segment where each term weighs most.
    struct Tf {
        weight: f64,
        best: (f64, u16),
        by_segment: HashMap<u16, f64>,
    }
    // Per page: term → (weighted frequency, best segment), and the page's length.
    type Frequencies = (BTreeMap<String, (f64, u16)>, f64);
    let per_page: Vec<Frequencies> = pages
        .par_iter()
        .map(|p| {
            let mut tf: HashMap<String, Tf> = HashMap::new();
            let mut length = 0.0;
            let mut count = |term: &str, weight: f64, segment: u16| {
                let e = tf.entry(term.to_string()).or_insert_with(|| Tf {
                    weight: 0.0,
                    best: (0.0, 0),
                    by_segment: HashMap::new(),
                });
                e.weight += weight;
                let s = e.by_segment.entry(segment).or_default();
                *s += weight;
                if *s > e.best.0 || (*s == e.best.0 && segment < e.best.1) {
                    e.best = (*s, segment);
                }
            };
            for h in &p.hits {
                length += h.weight;
                count(&stems[h.word as usize], h.weight, h.segment);
                for part in &parts[h.word as usize] {
                    count(part, h.weight * PART, h.segment);
                }
            }
            let terms = tf.into_iter().map(|(t, v)| (t, (v.weight, v.best.1))).collect();
            (terms, length)
        })
        .collect();

    // 5. BM25 over the whole site.
    let n = per_page.len().max(1) as f64;
    let avg = per_page.iter().map(|p| p.1).sum::<f64>() / n;
    let mut df: HashMap<&str, usize> = HashMap::new();
    for (terms, _) in &per_page {
        for t in terms.keys() {
            *df.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut postings: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (id, (terms, len)) in per_page.iter().enumerate() {
        for (t, &(tf, segment)) in terms {
            let d = df[t.as_str()] as f64;
            let idf = (1.0 + (n - d + 0.5) / (d + 0.5)).ln();
            let score = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg.max(1.0)));
            let list = postings.entry(t.as_str()).or_default();
            list.extend([id as i64, (score * 100.0).round().max(1.0) as i64, i64::from(segment)]);
        }
    }

    // 6. Files.
    let mut files = Vec::new();
    let mut shards: BTreeMap<String, BTreeMap<&str, Vec<i64>>> = BTreeMap::new();
    for (term, mut list) in postings {
        // Page ids are ascending (pages were visited in order); delta-encode them.
        let mut last = 0;
        for chunk in list.chunks_mut(3) {
            let id = chunk[0];
            chunk[0] = id - last;
            last = id;
        }
        shards.entry(shard(term)).or_default().insert(term, list);
    }
    let terms = shards.values().map(BTreeMap::len).sum();
    for (key, map) in &shards {
        files.push(register(&format!("search/t/{key}.js"), &format!("t:{key}"), map));
    }
    let metas: Vec<PageMeta> =
        site.pages.iter().zip(&pages).map(|(node, text)| page_meta(site, node, &text.segments)).collect();
    for (n, chunk) in metas.chunks(CHUNK).enumerate() {
        files.push(register(&format!("search/p/{n}.js"), &format!("p:{n}"), &chunk));
    }
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
