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
    let kommune = data(&f["search/f/kommune.js"]);
    assert_eq!(kommune["time"], "h", "Time: page 1");
    assert_eq!(encoding::decode_ids(kommune["asker"].as_str().unwrap()), Some(vec![0]));
    let page = data(&f["search/p/1.js"]);
    assert_eq!(
        (page["t"].as_str(), page["u"].as_str(), page["l"].as_str()),
        (Some("Om barnehager"), Some("b/"), Some("nn"))
    );
    assert_eq!(data(&f["search/p/0.js"]).get("l"), None, "the site's own language is not repeated");
    let p0 = data(&f["search/p/0.js"]);
    let h = &p0["h"];
    assert_eq!((h[2].as_str(), h[3].as_str()), (Some("arsverk"), Some("Årsverk")), "anchor and heading: {h}");
    let x = &p0["x"];
    assert_eq!((x[0].as_u64(), x[1].as_str()), (Some(0), Some("Et torg for innbyggerne.")), "the start: {x}");
    assert_eq!((x[2].as_u64(), x[3].as_str()), (Some(1), Some("Barnehagene trenger 2 045 årsverk.")), "{x}");
    let manifest = data(&f["search/manifest.js"]);
    assert_eq!(manifest["pages"], 4);
    assert_eq!(manifest["site"], "S");
    assert_eq!(manifest["sections"][page["s"].as_u64().unwrap() as usize]["u"], "/");
    assert_eq!(
        manifest["filters"][0]["values"][0],
        serde_json::json!({"value": "asker", "label": "Asker", "count": 1})
    );
}

/// A site of pages that each use `word` once in one place, and one page that
/// uses it many times in its text.
fn places_site(dir: &Path) {
    let w = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("config.toml", "title = \"S\"\n");
    w("content/_index.md", "+++\ntitle = \"Forside\"\n+++\n");
    let filler = "Kommunen arbeider med planer for tjenestene sine hvert år, og mye tekst står her. ".repeat(30);
    w("content/a-body.md", &format!("+++\ntitle = \"Planer\"\n+++\n{filler}\n\nPostjournalen er åpen. {filler}\n"));
    w("content/b-heading.md", &format!("+++\ntitle = \"Innsyn\"\n+++\n{filler}\n\n## Om postjournalen\n\n{filler}\n"));
    w("content/c-title.md", &format!("+++\ntitle = \"Innsyn i postjournalen\"\n+++\n{filler}\n"));
    w(
        "content/d-many.md",
        "+++\ntitle = \"Arkiv\"\n+++\nPostjournalen, postjournalen og postjournalen. Postjournalen igjen: postjournalen.\n",
    );
}

#[test]
fn a_word_in_the_title_outranks_one_in_a_heading_which_outranks_any_in_the_text() {
    let dir = tempfile::tempdir().unwrap();
    places_site(dir.path());
    let f = index(dir.path());
    let hits = postings(&f, "postjournal");
    let level = |id: u32| hits.iter().find(|p| p.0 == id).unwrap_or_else(|| panic!("page {id}: {hits:?}")).1;
    // Page ids: a-body 0, b-heading 1, c-title 2, d-many 3.
    assert!(level(2) > level(1), "title over heading: {hits:?}");
    assert!(level(1) > level(3), "heading over five mentions in a short text: {hits:?}");
    assert!(level(3) > level(0), "five mentions over one in a long text: {hits:?}");
}

#[test]
fn a_result_shows_the_passage_around_a_word_deep_in_its_text() {
    let dir = tempfile::tempdir().unwrap();
    places_site(dir.path());
    let f = index(dir.path());
    let x = data(&f["search/p/0.js"])["x"].clone();
    let passages: Vec<&str> = x.as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(passages[0].starts_with("Kommunen arbeider"), "the start of the page comes first: {passages:?}");
    let around =
        passages.iter().find(|p| p.contains("Postjournalen er åpen")).unwrap_or_else(|| panic!("{passages:?}"));
    assert!(around.starts_with("… ") && around.ends_with(" …"), "cut at both ends: {around}");
    let words = around.split(' ').count();
    assert!((25..=40).contains(&words), "about thirty words: {words} in {around}");
}

#[test]
fn chart_interface_text_is_not_searched_and_word_lists_hold_the_sites_words() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("config.toml", "title = \"S\"\n");
    w("content/_index.md", "+++\ntitle = \"Forside\"\n+++\n");
    w("data/tall.csv", "år,antall\n2020,4\n2021,5\n");
    w("data/tall.csv.toml", "source = \"Kommunen\"\n");
    w(
        "content/a.md",
        "+++\ntitle = \"Side\"\n+++\nBarnehagene vokser.\n\n{{ chart(data=\"tall.csv\", x=\"år\", y=\"antall\", title=\"Antall barnehager\") }}\n",
    );
    let f = index(dir.path());
    for interface in ["beskrivels", "diagramm", "last", "ned"] {
        assert!(postings(&f, interface).is_empty(), "«{interface}» from the chart's interface is a term");
    }
    assert_eq!(postings(&f, "antall").len(), 1, "the chart's title and table are searched");
    let x = data(&f["search/p/0.js"])["x"].to_string();
    assert!(!x.contains("Antall") && !x.contains("Diagrammet"), "excerpts are the page's prose only: {x}");
    let manifest = data(&f["search/manifest.js"]);
    let lists: Vec<String> = (0..manifest["words"].as_array().unwrap().len())
        .flat_map(|i| {
            data(&f[&format!("search/w/{i}.js")]).as_str().unwrap().split(' ').map(String::from).collect::<Vec<_>>()
        })
        .collect();
    assert!(lists.contains(&"barnehag".to_string()) && lists.contains(&"antall".to_string()), "{lists:?}");
    assert!(!lists.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())), "no numbers: {lists:?}");
    let mut sorted = lists.clone();
    sorted.sort();
    assert_eq!(lists, sorted, "in the order of the terms");
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
