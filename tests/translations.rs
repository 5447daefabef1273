//! Linked translations (`side.md`, `side.nn.md`, `side.en.md`): the fixture
//! site `tests/fixtures/build/translations/` in bokmål (default), nynorsk,
//! English and Northern Sámi, and the faults a translation can have.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const LANGS: [&str; 5] = ["nb", "nn", "en", "se", "x-default"];

fn innsyn(args: &[&str], root: &Path) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_innsyn")).args(args).arg("--root").arg(root).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/translations")
}

/// Builds the fixture site and returns its files as text.
fn build() -> BTreeMap<String, String> {
    let out = tempfile::tempdir().unwrap();
    let (code, err) = innsyn(&["build", "--quiet", "--output", out.path().to_str().unwrap()], &fixture());
    assert_eq!(code, 0, "{err}");
    walkdir::WalkDir::new(out.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(out.path()).unwrap().to_string_lossy().replace('\\', "/");
            (rel, String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned())
        })
        .collect()
}

/// The value of attribute `name` in a tag's text.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[at..].split('"').next()
}

/// The tags `<name …>` of a page.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    html.match_indices(&format!("<{name} ")).map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()]).collect()
}

/// A page's `hreflang` alternates in `<head>`: language → site path.
fn alternates(html: &str) -> BTreeMap<String, String> {
    tags(html, "link")
        .into_iter()
        .filter(|t| attr(t, "hreflang").is_some())
        .map(|t| {
            let href = attr(t, "href").unwrap();
            let path = href.strip_prefix("https://innsyn.fjellvik.example").expect("hreflang links are absolute");
            (attr(t, "hreflang").unwrap().to_string(), path.to_string())
        })
        .collect()
}

fn file_of(path: &str) -> String {
    format!("{}index.html", path.trim_start_matches('/'))
}

#[test]
fn each_language_is_published_in_its_own_tree() {
    let files = build();
    for path in [
        "index.html",
        "om/kontakt/index.html",
        "nn/om/kontakt/index.html",
        "en/om/kontakt/index.html",
        "se/om/kontakt/index.html",
        "en/om/bare-engelsk/index.html",
        "nyheter/hostfest/index.html",
        "en/nyheter/hostfest/index.html",
        "en/index.html",
        "se/index.html",
        "sok/index.html",
        "en/sok/index.html",
        "tema/service/index.html",
        "en/tema/service/index.html",
    ] {
        assert!(files.contains_key(path), "{path} missing; have {:?}", files.keys().collect::<Vec<_>>());
    }
    assert!(
        !files.keys().any(|f| f.contains("kontakt-en") || f.contains("kontakt.en")),
        "no page is named after its language"
    );
    let lang = |f: &str| attr(tags(&files[f], "html")[0], "lang").unwrap().to_string();
    assert_eq!(lang("om/kontakt/index.html"), "nb");
    assert_eq!(lang("nn/om/kontakt/index.html"), "nn");
    assert_eq!(lang("en/tema/service/index.html"), "en");
    assert_eq!(lang("se/om/kontakt/index.html"), "se");
    // Each tree's menu, home link and terms stay in its language.
    let en = &files["en/om/kontakt/index.html"];
    assert!(en.contains(">About us</a>") && en.contains("href=\"../../tema/service/\""), "{en}");
    assert!(en.contains("<a class=\"site-title\" href=\"../../\"><span class=\"site-title-name\">Fjellvik municipality in the open</span>"), "{en}");
    // Northern Sámi interface strings, bokmål where the theme has none.
    let se = &files["se/om/kontakt/index.html"];
    assert!(se.contains("Njuiket váldosisdollui") && se.contains("aria-label=\"Giella\""), "{se}");
    assert!(files["se/sok/index.html"].contains("<h1 id=\"innsyn-search-title\">Ohcan</h1>"));
}

#[test]
fn hreflang_links_are_reciprocal_with_valid_codes_and_an_x_default() {
    let files = build();
    let mut checked = 0;
    for (file, html) in files.iter().filter(|(f, _)| f.ends_with(".html")) {
        let alts = alternates(html);
        if alts.is_empty() {
            continue;
        }
        checked += 1;
        let own_lang = attr(tags(html, "html")[0], "lang").unwrap();
        assert_eq!(file_of(&alts[own_lang]), *file, "{file} lists itself");
        assert!(alts.contains_key("x-default"), "{file}: {alts:?}");
        for (lang, path) in &alts {
            assert!(LANGS.contains(&lang.as_str()), "{file}: {lang}");
            let other = files.get(&file_of(path)).unwrap_or_else(|| panic!("{file} → {path}: no such page"));
            assert_eq!(alternates(other), alts, "{file} and {path} list the same versions");
            if lang != "x-default" {
                assert_eq!(attr(tags(other, "html")[0], "lang"), Some(lang.as_str()), "{path}");
            }
        }
    }
    assert!(checked >= 10, "only {checked} pages have alternates");
    let kontakt = alternates(&files["om/kontakt/index.html"]);
    assert_eq!(kontakt.keys().collect::<Vec<_>>(), ["en", "nb", "nn", "se", "x-default"]);
    assert_eq!(kontakt["x-default"], "/om/kontakt/");
    assert!(alternates(&files["en/om/bare-engelsk/index.html"]).is_empty(), "a page without versions has none");
}

#[test]
fn the_switcher_is_a_labelled_nav_whose_links_say_their_language() {
    let files = build();
    let html = &files["en/om/kontakt/index.html"];
    let start = html.find("<nav class=\"lang-switch\"").expect("a switcher");
    let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
    assert!(nav.starts_with("<nav class=\"lang-switch\" aria-label=\"Language\">"), "{nav}");
    let links = tags(nav, "a");
    assert_eq!(links.len(), 3, "{nav}");
    for a in links {
        assert!(attr(a, "lang").is_some() && attr(a, "lang") == attr(a, "hreflang"), "{a}");
        assert!(attr(a, "href").unwrap().starts_with("../../"), "relative, so it works from file://: {a}");
    }
    assert!(nav.contains("<span aria-current=\"page\" lang=\"en\">English</span>"), "{nav}");
    assert!(nav.contains("lang=\"se\">Davvisámegiella</a>"), "{nav}");
    assert!(files["om/index.html"].contains("aria-label=\"Språk\""));
    assert!(!files["en/om/bare-engelsk/index.html"].contains("lang-switch"));
}

#[test]
fn links_from_a_translation_lead_to_its_own_language() {
    let files = build();
    let main = |f: &str| {
        let html = &files[f];
        html[html.find("<main").unwrap()..html.find("</main>").unwrap()].to_string()
    };
    // `@/_index.md` from the English page: the English home; `@/om/kontakt.nn.md`: the nynorsk page.
    let en = main("en/om/kontakt/index.html");
    assert!(en.contains("<a href=\"../../\">the home page</a>"), "{en}");
    assert!(en.contains("<a href=\"../../../nn/om/kontakt/\">the nynorsk version</a>"), "{en}");
    assert!(main("nn/om/kontakt/index.html").contains("<a href=\"../../\">framsida</a>"));
    assert!(main("om/kontakt/index.html").contains("<a href=\"../../\">forsiden</a>"));
    let home = main("en/index.html");
    assert!(
        home.contains("href=\"om/\">about us</a>") && home.contains("href=\"nyheter/hostfest/\">the news</a>"),
        "{home}"
    );
}

#[test]
fn the_sitemap_is_xml_with_xhtml_alternates_for_each_version() {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let files = build();
    let mut reader = quick_xml::NsReader::from_str(&files["sitemap.xml"]);
    let (mut locs, mut alternates) = (Vec::new(), BTreeMap::<String, BTreeSet<String>>::new());
    let mut in_loc = false;
    loop {
        match reader.read_resolved_event().expect("sitemap.xml is well-formed XML") {
            (ResolveResult::Bound(ns), Event::Start(e)) if e.local_name().as_ref() == b"loc" => {
                assert_eq!(ns.as_ref(), b"http://www.sitemaps.org/schemas/sitemap/0.9");
                in_loc = true;
            }
            (_, Event::Text(t)) if in_loc => {
                locs.push(t.decode().unwrap().into_owned());
                in_loc = false;
            }
            (ResolveResult::Bound(ns), Event::Empty(e)) if e.local_name().as_ref() == b"link" => {
                assert_eq!(ns.as_ref(), b"http://www.w3.org/1999/xhtml", "xhtml:link is in the XHTML namespace");
                let get =
                    |k: &[u8]| String::from_utf8(e.try_get_attribute(k).unwrap().unwrap().value.into_owned()).unwrap();
                assert_eq!(get(b"rel"), "alternate");
                alternates.entry(locs.last().unwrap().clone()).or_default().insert(format!(
                    "{} {}",
                    get(b"hreflang"),
                    get(b"href")
                ));
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    let url = |p: &str| format!("https://innsyn.fjellvik.example{p}");
    for p in ["/om/kontakt/", "/nn/om/kontakt/", "/en/om/kontakt/", "/se/om/kontakt/", "/en/om/bare-engelsk/"] {
        assert!(locs.contains(&url(p)), "{p} in the sitemap");
    }
    let expected: BTreeSet<String> = [
        ("nb", "/om/kontakt/"),
        ("nn", "/nn/om/kontakt/"),
        ("en", "/en/om/kontakt/"),
        ("se", "/se/om/kontakt/"),
        ("x-default", "/om/kontakt/"),
    ]
    .iter()
    .map(|(l, p)| format!("{l} {}", url(p)))
    .collect();
    for p in ["/om/kontakt/", "/en/om/kontakt/", "/se/om/kontakt/"] {
        assert_eq!(alternates[&url(p)], expected, "{p}");
    }
    assert!(!alternates.contains_key(&url("/en/om/bare-engelsk/")));
    assert_eq!(alternates[&url("/en/")].len(), 5, "the home pages (nb, nn, en, se, x-default)");
}

#[test]
fn each_language_has_its_own_feed() {
    let files = build();
    let en = &files["en/atom.xml"];
    assert!(en.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">"), "{en}");
    assert!(en.contains("<title>Fjellvik municipality in the open</title>"), "{en}");
    assert_eq!(en.matches("<entry xml:lang=\"en\">").count(), 3, "{en}");
    assert!(!en.contains("xml:lang=\"nb\""), "{en}");
    let nb = &files["atom.xml"];
    assert_eq!(nb.matches("<entry xml:lang=\"nb\">").count(), 2, "{nb}");
    assert!(!nb.contains("/en/"), "{nb}");
    assert_eq!(files["nn/atom.xml"].matches("<entry xml:lang=\"nn\">").count(), 1);
    // Each page's head names its own language's feed (here its section's, `/en/om/atom.xml`).
    assert!(files["en/om/bare-engelsk/index.html"]
        .contains("type=\"application/atom+xml\" title=\"Fjellvik municipality in the open\" href=\"../atom.xml\">"));
    assert!(files["en/om/atom.xml"].contains("<title>About us – Fjellvik municipality in the open</title>"));
}

#[test]
fn search_stems_each_language_as_its_own_and_filters_by_language() {
    let files = build();
    let terms: String = files.iter().filter(|(f, _)| f.starts_with("search/t/")).map(|(_, t)| t.as_str()).collect();
    // Whether a term has pages (a stem no page's words give has none).
    let found = |term: &str| {
        let key = format!("\"{term}\":\"");
        terms.find(&key).is_some_and(|i| !terms[i + key.len()..].starts_with('"'))
    };
    // Sámi is not stemmed (the Norwegian stemmer would cut `gielddaide` to `gielddaid`), only folded.
    assert!(found("gielddaide") && !found("gielddaid"), "{terms}");
    assert!(found("dieđut".replace('đ', "d").as_str()), "folded like every term: {terms}");
    // English is stemmed as English: `harbours` → `harbour`; Norwegian as Norwegian.
    assert!(found("harbour") && found("raadhus"), "{terms}");
    let langs = &files["search/f/lang.js"];
    for code in ["\"nb\"", "\"nn\"", "\"en\"", "\"se\""] {
        assert!(langs.contains(code), "{langs}");
    }
    let manifest = &files["search/manifest.js"];
    assert!(manifest.contains("\"name\":\"lang\",\"title\":\"Språk\""), "{manifest}");
    // The header's search form on an English page asks the English search page for English results.
    let en = &files["en/om/kontakt/index.html"];
    assert!(
        en.contains("action=\"../../sok/\"") && en.contains("<input type=\"hidden\" name=\"lang\" value=\"en\">"),
        "{en}"
    );
}

#[test]
fn a_translation_in_no_language_of_the_site_or_twice_in_one_is_an_error_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content/om")).unwrap();
    std::fs::write(root.join("config.toml"), "title = \"T\"\nlanguage = \"nb\"\n[languages.en]\n").unwrap();
    let page = |name: &str, front: &str| {
        std::fs::write(root.join("content").join(name), format!("+++\ntitle = \"A\"\n{front}+++\nTekst\n")).unwrap()
    };
    page("a.nn.md", "");
    page("b.md", "");
    page("b.nb.md", "");
    page("c.de.md", "");
    page("d.en.md", "lang = \"nn\"\n");
    page("om/_index.en.md", "");
    page("om/_index.se.md", "");
    let (code, err) = innsyn(&["build", "--quiet"], root);
    assert_eq!(code, 1, "{err}");
    for needle in [
        "content/a.nn.md: error: the file name says the page is in `nn`, which is not one of the site's languages",
        "hint: add `[languages.nn]` to config.toml",
        "content/b.nb.md: error: `content/b.md` and `content/b.nb.md` are both the `nb` version of one page",
        "content/c.de.md: error: the file name says the page is in `de`, a language innsyn does not know",
        "content/d.en.md:3:1: error: `lang = \"nn\"` differs from the file name's language `en`",
        "content/om/_index.se.md: error: the file name says the page is in `se`",
    ] {
        assert!(err.contains(needle), "`{needle}` missing from:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_unknown_language_in_config_is_an_error_at_its_table() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "title = \"T\"\ndefault_language = \"nb\"\n\n[languages.de]\ntitle = \"X\"\n[languages.en]\ntitel = \"Y\"\n",
    )
    .unwrap();
    let (code, err) = innsyn(&["build", "--quiet"], dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("config.toml:4:1: error: innsyn has no interface strings for the language `de`"), "{err}");
    assert!(
        err.contains("config.toml:7:1: error: unknown field `titel`") && err.contains("did you mean `title`?"),
        "{err}"
    );
}
