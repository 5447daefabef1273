//! Atom feeds, `sitemap.xml` and `robots.txt`. These use absolute URLs from
//! `base_url` (the formats require them), so they are written only when it is set.

use std::fmt::Write as _;

use crate::file::OutputFile;
use crate::html::escape;
use crate::lang::Lang;
use crate::render::alternates::{self, Version};
use crate::render::Bodies;
use crate::site::Site;

/// Entries in one feed.
const FEED_ENTRIES: usize = 30;
/// URLs in one sitemap file (the protocol's limit).
const SITEMAP_URLS: usize = 50_000;

/// Whether a language's tree has an Atom feed (`/atom.xml`, `/en/atom.xml`):
/// some page of it has a date.
pub fn site_has_feed(site: &Site, lang: Lang) -> bool {
    site.pages.iter().any(|p| p.tree == lang && p.page.date.is_some())
}

/// Whether section `i` has an Atom feed (a page of it has a date).
pub fn section_has_feed(site: &Site, i: usize) -> bool {
    site.sections[i].pages.iter().any(|&p| site.pages[p].page.date.is_some())
}

/// The path of the Atom feed of term `term` of taxonomy `t`, when it has one: its
/// taxonomy says `feed = true`, the site has a `base_url` (feeds need absolute
/// addresses) and a page with the term has a date.
pub fn term_feed(site: &Site, t: usize, term: usize) -> Option<String> {
    let tax = &site.taxonomies[t];
    let node = &tax.terms[term];
    // Pages come newest first, so a dated page, if any, is the first.
    let dated = || node.pages.first().is_some_and(|&p| site.pages[p].page.date.is_some());
    (tax.taxonomy.feed && !site.settings.base_url.is_empty() && dated()).then(|| format!("{}atom.xml", node.path))
}

/// The title of a term's feed: `Asker – Kommune – Site`.
pub fn term_feed_title(site: &Site, t: usize, term: usize) -> String {
    let tax = &site.taxonomies[t];
    let s = &site.settings;
    let site_title = s.site_language(tax.lang).map_or(&s.title, |l| &l.title);
    format!("{} – {} – {}", tax.terms[term].name, tax.taxonomy.title, site_title)
}

/// The feeds, sitemap and robots.txt the settings ask for.
pub fn render(site: &Site, bodies: &Bodies) -> Vec<OutputFile> {
    let s = &site.settings;
    let mut files = Vec::new();
    if s.base_url.is_empty() {
        return files;
    }
    if s.feed {
        // One feed per language's tree: the default's at `/atom.xml`, English at `/en/atom.xml`.
        for l in &s.languages {
            if site_has_feed(site, l.lang) {
                let all: Vec<usize> = (0..site.pages.len()).filter(|&p| site.pages[p].tree == l.lang).collect();
                let root = s.language_root(l.lang);
                let xml = atom(site, bodies, (&l.title, &l.description, l.lang), &root, &all);
                files.push(OutputFile::new(format!("{}atom.xml", root.trim_start_matches('/')), xml.into_bytes()));
            }
        }
        for (i, section) in site.sections.iter().enumerate().filter(|(_, s)| s.parent.is_some()) {
            if section_has_feed(site, i) {
                let about =
                    s.site_language(section.tree).map_or((&s.title, &s.description), |l| (&l.title, &l.description));
                let title = format!("{} – {}", section.section.title, about.0);
                let xml = atom(site, bodies, (&title, about.1, section.tree), &section.path, &section.pages);
                files.push(OutputFile::new(
                    format!("{}atom.xml", section.path.trim_start_matches('/')),
                    xml.into_bytes(),
                ));
            }
        }
    }
    // A taxonomy's `feed = true` gives each of its terms a feed of its own, whether
    // or not the site has one.
    for (t, tax) in site.taxonomies.iter().enumerate() {
        for (k, term) in tax.terms.iter().enumerate() {
            if let Some(path) = term_feed(site, t, k) {
                let about = s.site_language(tax.lang).map_or(&s.description, |l| &l.description);
                let xml = atom(site, bodies, (&term_feed_title(site, t, k), about, tax.lang), &term.path, &term.pages);
                files.push(OutputFile::new(path.trim_start_matches('/').to_string(), xml.into_bytes()));
            }
        }
    }
    if s.sitemap {
        files.extend(sitemaps(site));
        files.push(OutputFile::new(
            "robots.txt".into(),
            format!("User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n", s.base_url).into_bytes(),
        ));
    }
    files
}

/// An Atom feed of the dated pages among `pages`, newest first; `about` is
/// the feed's title, subtitle and language.
fn atom(site: &Site, bodies: &Bodies, about: (&str, &str, Lang), path: &str, pages: &[usize]) -> String {
    let (title, description, lang) = about;
    let s = &site.settings;
    let mut dated: Vec<usize> = pages.iter().copied().filter(|&p| site.pages[p].page.date.is_some()).collect();
    dated.sort_by(|&a, &b| {
        let (pa, pb) = (&site.pages[a].page, &site.pages[b].page);
        pb.updated.or(pb.date).cmp(&pa.updated.or(pa.date)).then_with(|| site.pages[a].path.cmp(&site.pages[b].path))
    });
    dated.truncate(FEED_ENTRIES);
    let updated = dated.iter().filter_map(|&p| site.pages[p].page.updated.or(site.pages[p].page.date)).max();
    let stamp = |d: Option<crate::dates::Date>| d.map(|d| format!("{d}T00:00:00Z")).unwrap_or_default();
    let feed_url = s.permalink(&format!("{path}atom.xml"));
    let mut x = String::new();
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n",
        lang.code(),
        escape(title)
    );
    if !description.is_empty() {
        let _ = writeln!(x, "  <subtitle>{}</subtitle>", escape(description));
    }
    let _ = write!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <id>{}</id>\n  <updated>{}</updated>\n  <generator version=\"{}\">innsyn</generator>\n",
        escape(&feed_url),
        escape(&s.permalink(path)),
        escape(&feed_url),
        stamp(updated),
        env!("CARGO_PKG_VERSION"),
    );
    if !s.organization.is_empty() {
        let _ = writeln!(x, "  <author><name>{}</name></author>", escape(&s.organization));
    } else {
        let _ = writeln!(x, "  <author><name>{}</name></author>", escape(&s.title));
    }
    for &p in &dated {
        let node = &site.pages[p];
        let page = &node.page;
        let url = s.permalink(&node.path);
        let _ = write!(
            x,
            "  <entry xml:lang=\"{}\">\n    <title>{}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <id>{}</id>\n    <published>{}</published>\n    <updated>{}</updated>\n",
            node.lang.code(),
            escape(&page.title),
            escape(&url),
            escape(&url),
            stamp(page.date),
            stamp(page.updated.or(page.date)),
        );
        let summary = if page.description.is_empty() {
            crate::markdown::plain_text(&bodies.pages[p].summary)
        } else {
            page.description.clone()
        };
        if !summary.is_empty() {
            let _ = writeln!(x, "    <summary>{}</summary>", escape(&summary));
        }
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

/// `sitemap.xml`, split with a sitemap index past 50 000 URLs.
fn sitemaps(site: &Site) -> Vec<OutputFile> {
    let s = &site.settings;
    // (path, last change, the versions in other languages)
    let mut entries: Vec<(String, String, Vec<Version>)> = Vec::new();
    for (i, node) in site.sections.iter().enumerate() {
        let last = node.pages.iter().filter_map(|&p| site.pages[p].page.updated.or(site.pages[p].page.date)).max();
        entries.push((
            node.path.clone(),
            last.map(|d| d.to_string()).unwrap_or_default(),
            alternates::of_section(site, i),
        ));
    }
    for (i, node) in site.pages.iter().enumerate() {
        let last = node.page.updated.or(node.page.date).map(|d| d.to_string()).unwrap_or_default();
        entries.push((node.path.clone(), last, alternates::of_page(site, i)));
    }
    for t in &site.taxonomies {
        entries.push((t.path.clone(), String::new(), Vec::new()));
        entries.extend(t.terms.iter().map(|term| (term.path.clone(), String::new(), Vec::new())));
    }
    entries.sort();
    let urlset = |chunk: &[(String, String, Vec<Version>)]| {
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
        for (path, lastmod, versions) in chunk {
            let _ = write!(x, "  <url>\n    <loc>{}</loc>\n", escape(&s.permalink(path)));
            if !lastmod.is_empty() {
                let _ = writeln!(x, "    <lastmod>{lastmod}</lastmod>");
            }
            for v in versions {
                let _ = writeln!(
                    x,
                    "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    v.hreflang,
                    escape(&s.permalink(&v.path))
                );
            }
            x.push_str("  </url>\n");
        }
        x.push_str("</urlset>\n");
        x
    };
    if entries.len() <= SITEMAP_URLS {
        return vec![OutputFile::new("sitemap.xml".into(), urlset(&entries).into_bytes())];
    }
    let mut files = Vec::new();
    let mut index = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (n, chunk) in entries.chunks(SITEMAP_URLS).enumerate() {
        let name = format!("sitemap{}.xml", n + 1);
        let _ = writeln!(index, "  <sitemap><loc>{}</loc></sitemap>", escape(&s.permalink(&format!("/{name}"))));
        files.push(OutputFile::new(name, urlset(chunk).into_bytes()));
    }
    index.push_str("</sitemapindex>\n");
    files.push(OutputFile::new("sitemap.xml".into(), index.into_bytes()));
    files
}
