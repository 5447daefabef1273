//! A site moved over from Zola: `innsyn import zola` converts a Zola-style
//! fixture site (Zola's config keys, front matter, template names and template
//! functions) and lists what it left behind; the converted site builds, and the
//! template functions Zola templates call give what they promise. Zola's own
//! config keys and fields are read, or refused with a hint naming the difference.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::copy_dir;

fn innsyn(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_innsyn")).args(args).output().unwrap()
}

fn fixture() -> std::path::PathBuf {
    common::repo_root().join("tests/fixtures/zola-site")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn a_zola_site_is_converted_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let zola = dir.path().join("dalby");
    copy_dir(&fixture(), &zola);
    // A link out of the site is left behind, not followed.
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", zola.join("static/passord.txt")).unwrap();
    let site = dir.path().join("dalby-innsyn");

    let out = innsyn(&["import".as_ref(), "zola".as_ref(), zola.as_os_str(), "--output".as_ref(), site.as_os_str()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));

    // What could not be carried over is listed with file and line, on the
    // terminal and in ZOLA-IMPORT.md.
    let report = read(&site.join("ZOLA-IMPORT.md"));
    for expected in [
        "config.toml:7`: `compile_sass` left out",
        "config.toml:17`: `markdown` left out",
        "`sass/`: innsyn does not compile Sass",
        "templates/shortcodes/bilde.html:1`: `resize_image`",
        "templates/page.html:6`: `page.reading_time` written as innsyn's `page.reading_minutes`",
        "templates/section.html:4`: `paginator.pages` written as innsyn's `section.pages`",
        "templates/taxonomy_single.html`: renamed to `templates/taxonomy_term.html`",
        "content/blogg/_index.md:3`: `sort_by = \"update_date\"` written as `\"date\"`",
        "content/blogg/ny-barnehage.md:7`: `in_search_index` left out",
        "content/_index.md:5`: `insert_anchor_links` left out",
        "`translations` moved to `i18n/nb.toml`",
        "`translations` moved to `i18n/en.toml`",
        "`[languages.en]`: `generate_feeds` left out",
    ] {
        assert!(report.contains(expected), "report lacks «{expected}»:\n{report}");
    }
    #[cfg(unix)]
    assert!(report.contains("static/passord.txt`: a symbolic link, left behind"), "{report}");
    assert!(!site.join("static/passord.txt").exists());
    assert!(stdout.contains("compile_sass"), "{stdout}");

    // The converted files.
    let config = read(&site.join("config.toml"));
    assert!(config.contains("organization = \"Dalby kommune\"") && config.contains("feed = true"), "{config}");
    assert!(!config.contains("compile_sass") && !config.contains("paginate_path"), "{config}");
    assert!(
        site.join("templates/taxonomy_term.html").is_file() && !site.join("templates/taxonomy_single.html").exists()
    );
    let page = read(&site.join("content/blogg/ny-barnehage.md"));
    assert!(page.starts_with("+++\ntitle = \"Ny barnehage på Åsen\""), "{page}");
    assert!(page.contains("authors = [\"Kari Nordmann\"]") && !page.contains("in_search_index"), "{page}");
    let yaml = read(&site.join("content/blogg/budsjett.md"));
    assert!(yaml.starts_with("+++\n") && yaml.contains("path = \"budsjett-2026\""), "{yaml}");
    assert!(read(&site.join("i18n/nb.toml")).contains("read_more = \"Les mer\""));
    assert_eq!(read(&site.join("content/om/kart.txt")), "kart");

    // It builds, and the template functions did their work.
    let out = innsyn(&["build".as_ref(), "--root".as_ref(), site.as_os_str()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let public = site.join("public");
    let home = read(&public.join("index.html"));
    for expected in [
        // get_url of a static file with cachebust, get_hash for integrity.
        "href=\"css/site.css?h=",
        "integrity=\"sha384-",
        // get_url of `@/` paths, made relative; trans from [translations].
        "<a href=\"./\">Dalby kommune</a>",
        "<a href=\"om/\">Les mer</a>",
        // get_section's pages in the section's order, the date filter in bokmål.
        "<a href=\"budsjett-2026/\">Budsjett 2026</a> 1. oktober 2025",
        "<a href=\"blogg/ny-barnehage/\">Ny barnehage på Åsen</a> 2. mai 2025",
        "<p class=\"tall\">12\u{a0}345</p>",
        "<a href=\"tags/barnehage/\">barnehage</a>",
        "<p class=\"antall\">3 emner</p>",
        // config.extra, Zola's `author` read as the organization.
        "Dalby kommune, Rådhusgata 1 – Dalby kommune",
    ] {
        assert!(home.contains(expected), "the home page lacks «{expected}»:\n{home}");
    }
    let news = read(&public.join("blogg/ny-barnehage/index.html"));
    assert!(news.contains("fredag 2. mai 2025 · 1 min · Kari Nordmann"), "{news}");
    assert!(news.contains("ny-barnehage-pa-asen Mer%C3%A5ker%20kommune"), "{news}");
    assert!(news.contains("<aside class=\"fakta\">") || read(&public.join("om/index.html")).contains("fakta"));
    let om = read(&public.join("om/index.html"));
    assert!(om.contains("Siste: <a href=\"../blogg/ny-barnehage/\">Ny barnehage på Åsen</a>"), "{om}");
    // `path` sets the address; an old Zola address still leads to the page.
    assert!(public.join("budsjett-2026/index.html").is_file());
    assert!(read(&public.join("nyheter/barnehage.html")).contains("url=../blogg/ny-barnehage/"));
    assert!(read(&public.join("tags/barnehage/index.html")).contains("Ny barnehage på Åsen"));
    // `index.en.md` is the English version, under /en/, with the English strings.
    let about = read(&public.join("en/om/index.html"));
    assert!(about.contains("<html lang=\"en\">") && about.contains("About Dalby"), "{about}");
    assert!(about.contains(">Read more</a>"), "{about}");
    assert!(read(&site.join("config.toml")).contains("[languages.en]\ntitle = \"Dalby municipality\""));
}

#[test]
fn the_import_writes_only_into_a_new_folder() {
    let dir = tempfile::tempdir().unwrap();
    let zola = dir.path().join("z");
    copy_dir(&fixture(), &zola);
    let busy = dir.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("mine.txt"), "keep").unwrap();
    let out = innsyn(&["import".as_ref(), "zola".as_ref(), zola.as_os_str(), "--output".as_ref(), busy.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(read(&busy.join("mine.txt")), "keep");
    assert_eq!(std::fs::read_dir(&busy).unwrap().count(), 1);

    let inside = zola.join("ny");
    let out = innsyn(&["import".as_ref(), "zola".as_ref(), zola.as_os_str(), "--output".as_ref(), inside.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the Zola site"));
    assert!(!inside.exists());

    let out = innsyn(&["import".as_ref(), "zola".as_ref(), busy.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `config.toml`"));

    // --innsyn-theme leaves the templates behind; the site builds with innsyn's theme.
    let plain = dir.path().join("plain");
    let out = innsyn(&[
        "import".as_ref(),
        "zola".as_ref(),
        zola.as_os_str(),
        "--output".as_ref(),
        plain.as_os_str(),
        "--innsyn-theme".as_ref(),
    ]);
    assert!(out.status.success());
    // The content's shortcodes come along; the rest of the templates do not.
    assert!(plain.join("templates/shortcodes/faktaboks.html").is_file());
    assert!(!plain.join("templates/page.html").exists());
    let report = read(&plain.join("ZOLA-IMPORT.md"));
    assert!(report.contains("content/om/index.md:4`: `template` left out"), "{report}");
    let out = innsyn(&["build".as_ref(), "--root".as_ref(), plain.as_os_str()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(read(&plain.join("public/blogg/ny-barnehage/index.html")).contains("Ny barnehage på Åsen"));
    assert!(read(&plain.join("public/om/index.html")).contains("<aside class=\"fakta\">"));
}

/// A site with `config.toml` and one page using `template`, built with `build`.
fn site(config: &str, page_front: &str, template: &str) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("config.toml"), config).unwrap();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(root.join("content/_index.md"), "+++\ntitle = \"Hjem\"\n+++\n").unwrap();
    std::fs::write(root.join("content/side.md"), format!("+++\n{page_front}\n+++\nTekst.\n")).unwrap();
    std::fs::write(root.join("templates/egen.html"), template).unwrap();
    let out = innsyn(&["build".as_ref(), "--root".as_ref(), root.as_os_str()]);
    (dir, out)
}

#[test]
fn zola_config_keys_are_read_or_refused_with_the_difference() {
    let config = "title = \"T\"\ndefault_language = \"nn\"\ngenerate_feeds = false\nbuild_search_index = false\n\
                  author = \"Dalby kommune\"\ncompile_sass = false\nminify_html = false\n";
    let s = innsyn::config::parse("config.toml", config).unwrap();
    assert_eq!(s.language, innsyn::lang::Lang::Nn);
    assert!(!s.feed && !s.search);
    assert_eq!(s.organization, "Dalby kommune");

    let err =
        innsyn::config::parse("config.toml", "title = \"T\"\ncompile_sass = true\n[markdown]\nhighlight_code = true\n")
            .unwrap_err()
            .to_string();
    assert!(err.contains("config.toml:2:1") && err.contains("does not compile Sass"), "{err}");
    assert!(err.contains("config.toml:3:") && err.contains("Markdown settings are fixed"), "{err}");

    let (_dir, out) = site("title = \"T\"\n", "title = \"S\"\nin_search_index = false\ntransparent = true", "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("side.md:3:1") && err.contains("search holds every published page"), "{err}");
}

#[test]
fn a_page_path_sets_its_address_and_bad_paths_are_refused() {
    let (dir, out) = site("title = \"T\"\n", "title = \"S\"\npath = \"/om/Kontakt oss/\"", "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("public/om/kontakt-oss/index.html").is_file());
    for bad in ["/../../etc/", "https://a.no/x/", "/a/b.html", "/", "/a/%FF/"] {
        let (_dir, out) = site("title = \"T\"\n", &format!("title = \"S\"\npath = \"{bad}\""), "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{bad}: {err}");
        assert!(err.contains("side.md:3:1") && err.contains("path"), "{bad}: {err}");
    }
}

#[test]
fn template_functions_say_what_is_wrong() {
    let cases = [
        ("{{ get_page(path=\"sida.md\") }}", "there is no page `sida.md` in `content/`; did you mean `side.md`?"),
        ("{{ get_url(path=\"@/sid.md\") }}", "there is no page or section `sid.md`"),
        ("{{ get_section(path=\"x/_index.md\") }}", "there is no section `x/_index.md`"),
        ("{{ get_taxonomy(kind=\"tags\") }}", "the site has no taxonomy `tags`"),
        ("{{ trans(key=\"sok_ikke\", lang=\"nn\") }}", "no string `sok_ikke` in `i18n/nn.toml`"),
        ("{{ page.date | date(format=\"%Q\") }}", "`%Q`"),
        ("{{ \"tolv\" | num_format }}", "takes a number"),
        ("{{ get_hash(path=\"finnes-ikke.css\") }}", "no file `finnes-ikke.css`"),
        ("{{ now() | date(format=\"%Y\", locale=\"fr_FR\") }}", "unknown language `fr_FR`"),
    ];
    for (template, expected) in cases {
        let (_dir, out) =
            site("title = \"T\"\n", "title = \"S\"\ndate = 2024-03-05\ntemplate = \"egen.html\"", template);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{template}: {err}");
        assert!(err.contains(expected), "{template}: expected «{expected}» in {err}");
    }

    let template = "{% set p = get_page(path=\"side.md\") %}{{ p.title }}|{{ get_url(path=\"@/side.md\") }}|{{ get_url(path=\"om\") }}|\
                    {{ get_url(path=\"om\", trailing_slash=false) }}|{{ get_url(path=\"https://a.no/x\") }}|\
                    {{ page.date | date(format=\"%A %-d. %B %Y\", lang=\"nn\") }}|{{ now(timestamp=true) }}|{{ now() }}|\
                    {{ 1234567.5 | num_format(locale=\"en_GB\") }}|{{ get_hash(literal=\"a\", sha_type=256, base64=false) }}";
    let (site_dir, _) = site("title = \"T\"\n", "title = \"S\"\ndate = 2024-03-05\ntemplate = \"egen.html\"", template);
    let out = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .env("SOURCE_DATE_EPOCH", "1733446800")
        .args(["build", "--root"])
        .arg(site_dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = read(&site_dir.path().join("public/side/index.html"));
    assert_eq!(
        html,
        "S|/side/|/om/|/om|https://a.no/x|tysdag 5. mars 2024|1733446800|2024-12-06T01:00:00+00:00|1,234,567.5|\
         ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
    );
}
