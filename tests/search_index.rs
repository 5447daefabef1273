//! The search index of a small site built in memory: what is indexed under which
//! term, BM25 order with title boosts, compound parts, folding, language-specific
//! stemming, filters, and identical bytes on rebuild.

use std::collections::BTreeMap;
use std::path::Path;

use innsyn::pipeline::{render_site, Options};
use innsyn::search::encoding;

fn site(dir: &Path) {
    let w = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("config.toml", "title = \"S\"\n[[taxonomies]]\nname = \"kommune\"\n");
    w("content/_index.md", "+++\ntitle = \"Forside\"\n+++\n");
    w("content/a.md", "+++\ntitle = \"Innbyggertorget i Asker\"\n[taxonomies]\nkommune = [\"Asker\"]\n+++\nEt torg for innbyggerne.\n\n## Årsverk\n\nBarnehagene trenger 2 045 årsverk.\n");
    w("content/b.md", "+++\ntitle = \"Om barnehager\"\nlang = \"nn\"\n[taxonomies]\nkommune = [\"Time\"]\n+++\nInnbyggjarane i Time. Barnehagar og torg nemnast ein gong.\n");
    w("content/c.md", "+++\ntitle = \"Staffing\"\nlang = \"en\"\n+++\nMunicipalities are hiring nurses.\n");
    w("content/d.md", "+++\ntitle = \"Sykefravær\"\n+++\nFravær og sykefraværet i kommunen.\n");
}

fn index(dir: &Path) -> BTreeMap<String, String> {
    let options = Options::new(dir, innsyn::pipeline::Mode::Check);
    let (_, files) = render_site(&options).unwrap_or_else(|e| panic!("{e}"));
    files
        .into_iter()
        .filter(|f| f.path.starts_with("search/"))
        .map(|f| (f.path, String::from_utf8(f.bytes).unwrap()))
        .collect()
}

/// The data a `window.innsynSearch.register(KEY, DATA);` file registers.
fn data(js: &str) -> serde_json::Value {
    serde_json::from_str(&js[js.find(',').unwrap() + 1..js.rfind(");").unwrap()]).unwrap()
}

/// The postings of `term` as (page id, score level, heading) triples in page
/// order, found the way search.js finds them: the shard from the manifest's
/// boundaries.
fn postings(files: &BTreeMap<String, String>, term: &str) -> Vec<(u32, u8, u32)> {
    let manifest = data(&files["search/manifest.js"]);
    let starts: Vec<&str> = manifest["shards"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let shard = encoding::shard_of(&starts, term);
    let terms = data(&files[&format!("search/t/{shard}.js")]);
    terms.get(term).map_or_else(Vec::new, |list| {
        let list = encoding::decode(list.as_str().unwrap()).expect("a posting list");
        let mut triples: Vec<_> = list.iter().map(|p| (p.page, p.score, p.heading)).collect();
        triples.sort_unstable();
        triples
    })
}

// Page ids follow content paths: a.md = 0, b.md = 1, c.md = 2, d.md = 3.

#[test]
fn inflections_of_both_norwegian_written_forms_meet_in_one_stem() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let f = index(dir.path());
    let ids = |t: &str| postings(&f, t).iter().map(|p| p.0).collect::<Vec<_>>();
    assert_eq!(ids("barnehag"), [0, 1], "barnehagene (nb) and barnehagar (nn)");
    assert_eq!(ids("innbyggjar"), [1]);
    assert_eq!(ids("municip"), [2], "English pages are stemmed in English");
}

#[test]
fn compound_words_are_found_by_their_parts() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let f = index(dir.path());
    assert!(postings(&f, "torg").iter().any(|p| p.0 == 0), "innbyggertorget → torg");
    assert!(postings(&f, "fravaer").iter().any(|p| p.0 == 3), "sykefraværet → fravær");
}

#[test]
fn norwegian_letters_are_folded_so_aa_ae_oe_match() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let f = index(dir.path());
    let hits = postings(&f, "aarsverk");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].2, 1, "points at the heading «Årsverk»");
    assert_eq!(postings(&f, "2045").len(), 1, "2 045 is one number");
}

#[test]
fn bm25_ranks_a_title_hit_above_a_passing_mention() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let f = index(dir.path());
    let hits = postings(&f, "barnehag");
    let score = |id| hits.iter().find(|p| p.0 == id).unwrap().1;
    assert!(score(1) > score(0), "title «Om barnehager» beats a body mention: {hits:?}");
}

#[test]
fn filters_list_their_pages_and_pages_carry_their_metadata() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let f = index(dir.path());
    assert_eq!(f["search/f/kommune-time.js"], "window.innsynSearch.register(\"f:kommune-time\",\"h\");\n");
    assert_eq!(encoding::decode_ids(data(&f["search/f/kommune-asker.js"]).as_str().unwrap()), Some(vec![0]));
    let page = data(&f["search/p/1.js"]);
    assert_eq!(
        (page["t"].as_str(), page["u"].as_str(), page["l"].as_str()),
        (Some("Om barnehager"), Some("b/"), Some("nn"))
    );
    assert_eq!(data(&f["search/p/0.js"]).get("l"), None, "the site's own language is not repeated");
    let h = data(&f["search/p/0.js"])["h"].clone();
    assert_eq!((h[3].as_str(), h[4].as_str()), (Some("arsverk"), Some("Årsverk")), "anchor and heading: {h}");
    assert!(h[5].as_str().unwrap().starts_with("Barnehagene trenger"), "the excerpt under the heading: {h}");
    let manifest = data(&f["search/manifest.js"]);
    assert_eq!(manifest["pages"], 4);
    assert_eq!(manifest["sections"][page["s"].as_u64().unwrap() as usize]["u"], "/");
}

#[test]
fn the_index_is_byte_identical_on_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    assert_eq!(index(dir.path()), index(dir.path()));
}

#[test]
fn decomposed_letters_are_indexed_as_the_composed_ones_the_query_is_normalised_to() {
    // The same site twice: once with å and é as one character each (NFC, as search.js
    // normalises the query), once written as a letter and a combining mark. (ø has
    // no decomposition: o and a combining stroke is another text.)
    let write_site = |dir: &Path, decompose: bool| {
        let d = |s: &str| {
            if decompose {
                s.replace('å', "a\u{30a}").replace('Å', "A\u{30a}").replace('é', "e\u{301}")
            } else {
                s.to_string()
            }
        };
        let w = |rel: &str, text: &str| {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, d(text)).unwrap();
        };
        w("config.toml", "title = \"S\"\n[[taxonomies]]\nname = \"kommune\"\n");
        w("content/_index.md", "+++\ntitle = \"Forside\"\n+++\n");
        w("content/a.md", "+++\ntitle = \"Årsmelding for Meråker\"\ndescription = \"Kafé og møter\"\n[taxonomies]\nkommune = [\"Ås\"]\n+++\nSkøyter på isen.\n\n## Første kvartal\n\nIdéer fra Ålesund.\n");
    };
    let shards = |decompose: bool| {
        let dir = tempfile::tempdir().unwrap();
        write_site(dir.path(), decompose);
        let f = index(dir.path());
        assert!(!postings(&f, "aarsmelding").is_empty(), "decomposed: {decompose}");
        f.into_iter().filter(|(path, _)| path.starts_with("search/t/")).collect::<BTreeMap<_, _>>()
    };
    assert_eq!(shards(true), shards(false));
}
