//! The view structs templates see (documented in `docs/templates.md`): deliberate,
//! serializable shapes built from the assembled site, never the internal model.

use serde::Serialize;

use crate::config::Settings;
use crate::dates::Date;
use crate::lang::Lang;
use crate::markdown::{Rendered, TocEntry};
use crate::site::{PageNode, SectionNode, Site};

/// `config` in templates.
#[derive(Serialize)]
pub struct ConfigView<'a> {
    /// The site's title, from `config.toml`.
    pub title: &'a str,
    /// The site's description, from `config.toml`.
    pub description: &'a str,
    /// The site's base URL, from `config.toml`.
    pub base_url: &'a str,
    /// The site's language code: `nb`, `nn` or `en`.
    pub language: &'static str,
    /// Address of the accessibility statement; may be empty.
    pub accessibility_statement: &'a str,
    /// Email address for feedback; may be empty.
    pub contact_email: &'a str,
    /// Name of the feedback contact; may be empty.
    pub contact_name: &'a str,
    /// The publisher's name; may be empty.
    pub organization: &'a str,
    /// True when Atom feeds are written.
    pub feed: bool,
    /// True when the site has search.
    pub search: bool,
    /// The `[extra]` table of `config.toml`.
    pub extra: &'a toml::Table,
}

impl<'a> ConfigView<'a> {
    /// The view of the settings `s`.
    pub fn new(s: &'a Settings) -> Self {
        ConfigView {
            title: &s.title,
            description: &s.description,
            base_url: &s.base_url,
            language: s.language.code(),
            accessibility_statement: &s.accessibility_statement,
            contact_email: &s.contact_email,
            contact_name: &s.contact_name,
            organization: &s.organization,
            feed: s.feed && !s.base_url.is_empty(),
            search: s.search,
            extra: &s.extra,
        }
    }
}

/// A link with a title (menu entries, breadcrumbs, neighbours).
#[derive(Serialize, Clone)]
pub struct Link {
    /// The text of the link.
    pub title: String,
    /// The site-absolute path it leads to.
    pub path: String,
}

/// A top-level section in `menu`.
#[derive(Serialize)]
pub struct MenuItem<'a> {
    /// The section's title.
    pub title: &'a str,
    /// The section's site-absolute path.
    pub path: &'a str,
    /// True for the section the current page is in.
    pub active: bool,
}

/// A term of a taxonomy, as listed on a page.
#[derive(Serialize)]
pub struct TermLink<'a> {
    /// The term's name.
    pub name: &'a str,
    /// Site-absolute path of the term's page.
    pub path: &'a str,
}

/// One taxonomy a page uses, with the page's terms in it.
#[derive(Serialize)]
pub struct PageTaxonomy<'a> {
    /// The taxonomy's name, e.g. `kommune`.
    pub name: &'a str,
    /// The taxonomy's title, for readers.
    pub title: &'a str,
    /// The page's terms in this taxonomy.
    pub terms: Vec<TermLink<'a>>,
    /// Terms left out of `terms` (in page lists, which show at most [`LISTED_TERMS`]).
    pub more: usize,
}

/// The terms of one taxonomy a page shows in a list of pages. Lists are on every
/// term page, so a page with 20 000 terms listed whole made the site grow with the
/// square of its terms.
pub const LISTED_TERMS: usize = 8;

/// A page in a list.
#[derive(Serialize)]
pub struct PageSummary<'a> {
    /// The title, from front matter.
    pub title: &'a str,
    /// The description, from front matter; may be empty.
    pub description: &'a str,
    /// Site-absolute path, e.g. `/mandater/a9-innbyggertorg/`.
    pub path: &'a str,
    /// HTML before `<!-- more -->`, or empty.
    pub summary: &'a str,
    /// The date as `2024-03-05`, or empty.
    pub date: String,
    /// The date written for a reader in the page language, or empty.
    pub date_text: String,
    /// The content type (`type` in templates): `page`, `mandate` or `goal`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// The page language: `nb`, `nn` or `en`.
    pub lang: &'static str,
    /// Each taxonomy the page uses, with its terms.
    pub taxonomies: Vec<PageTaxonomy<'a>>,
    /// The page's `[extra]` table.
    pub extra: &'a serde_json::Value,
    /// Who wrote the page (`authors` in front matter); may be empty.
    pub authors: &'a [String],
}

/// `page` in `page.html`.
#[derive(Serialize)]
pub struct PageView<'a> {
    /// The summary fields, found directly on `page`.
    #[serde(flatten)]
    pub summary: PageSummary<'a>,
    /// Absolute URL of the page.
    pub permalink: String,
    /// The rendered HTML body.
    pub content: std::borrow::Cow<'a, str>,
    /// Table of contents: `{ level, id, title, children }` entries.
    pub toc: &'a [TocEntry],
    /// The updated date as `2024-03-05`, or empty.
    pub updated: String,
    /// The updated date written for a reader in the page language, or empty.
    pub updated_text: String,
    /// How many words the body has.
    pub word_count: usize,
    /// Estimated minutes to read the body, at least 1.
    pub reading_minutes: usize,
    /// Site-absolute paths of the files beside a bundle's `index.md`.
    pub assets: Vec<String>,
    /// The neighbour before this page in the section's order, or null.
    pub earlier: Option<Link>,
    /// The neighbour after this page in the section's order, or null.
    pub later: Option<Link>,
    /// For `type = "mandate"` pages (see docs/content-types.md).
    pub mandate: Option<&'a serde_json::Value>,
    /// For `type = "goal"` pages.
    pub goal: Option<&'a serde_json::Value>,
    /// The status of a mandate or goal: `{ key, label, symbol }`.
    pub status: Option<crate::content::status::StatusView>,
}

/// A subsection in `section.subsections`.
#[derive(Serialize)]
pub struct SubsectionView<'a> {
    /// The subsection's title.
    pub title: &'a str,
    /// The subsection's description; may be empty.
    pub description: &'a str,
    /// The subsection's site-absolute path.
    pub path: &'a str,
    /// How many pages the subsection has.
    pub page_count: usize,
}

/// `section` in `section.html`, `index.html` and (with few pages) `page.html`.
#[derive(Serialize)]
pub struct SectionView<'a> {
    /// The title, from front matter.
    pub title: &'a str,
    /// The description, from front matter; may be empty.
    pub description: &'a str,
    /// Site-absolute path of the section.
    pub path: &'a str,
    /// Absolute URL of the section.
    pub permalink: String,
    /// The rendered HTML body.
    pub content: &'a str,
    /// Table of contents: `{ level, id, title, children }` entries.
    pub toc: &'a [TocEntry],
    /// The section's `[extra]` table.
    pub extra: &'a serde_json::Value,
    /// The section's language: `nb`, `nn` or `en`.
    pub lang: &'static str,
    /// Summaries of the pages to list (this pagination page only, when paginated).
    pub pages: Vec<PageSummary<'a>>,
    /// The subsections, in weight, then title order.
    pub subsections: Vec<SubsectionView<'a>>,
    /// How many pages the section has in all.
    pub page_count: usize,
}

/// A numbered link in `paginator.numbers`.
#[derive(Serialize)]
pub struct PaginatorNumber {
    /// The page number, from 1.
    pub number: usize,
    /// Site-absolute path of that page.
    pub path: String,
    /// True for the page being shown.
    pub current: bool,
    /// Pages are left out between the number before and this one.
    pub gap_before: bool,
}

/// `paginator`: the pages of a paginated list.
#[derive(Serialize)]
pub struct PaginatorView {
    /// The number of the page being shown, from 1.
    pub current: usize,
    /// How many pages the list has.
    pub total: usize,
    /// Path of the page before, or empty on the first.
    pub previous: String,
    /// Path of the page after, or empty on the last.
    pub next: String,
    /// The page numbers to link to.
    pub numbers: Vec<PaginatorNumber>,
}

/// A term in `taxonomy.terms`.
#[derive(Serialize)]
pub struct TermView<'a> {
    /// The term's name.
    pub name: &'a str,
    /// Site-absolute path of the term's page.
    pub path: &'a str,
    /// How many pages have the term.
    pub count: usize,
}

/// `taxonomy` in `taxonomy_list.html` and `taxonomy_term.html`.
#[derive(Serialize)]
pub struct TaxonomyView<'a> {
    /// The taxonomy's name, e.g. `kommune`.
    pub name: &'a str,
    /// The taxonomy's title, for readers.
    pub title: &'a str,
    /// Site-absolute path of the list of all terms.
    pub path: &'a str,
    /// All terms, sorted by name (empty in `taxonomy_term.html`).
    pub terms: Vec<TermView<'a>>,
}

/// `term` in `taxonomy_term.html`.
#[derive(Serialize)]
pub struct TermPagesView<'a> {
    /// The term's name.
    pub name: &'a str,
    /// Site-absolute path of the term's page.
    pub path: &'a str,
    /// How many pages have the term (`pages` may be one page of them).
    pub count: usize,
    /// Summaries of the pages with the term, newest first, then by title.
    pub pages: Vec<PageSummary<'a>>,
}

/// A date as `2024-03-05`, or empty for none.
pub fn iso(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A date written for a reader in `lang`, or empty for none.
pub fn text(d: Option<Date>, lang: Lang) -> String {
    d.map(|d| lang.format_date(d.year, d.month, d.day)).unwrap_or_default()
}

/// The summary view of page `i`.
pub fn summary<'a>(site: &'a Site, i: usize, rendered: &'a Rendered) -> PageSummary<'a> {
    let node: &PageNode = &site.pages[i];
    let p = &node.page;
    PageSummary {
        title: &p.title,
        description: &p.description,
        path: &node.path,
        summary: &rendered.summary,
        date: iso(p.date),
        date_text: text(p.date, node.lang),
        kind: &p.kind,
        lang: node.lang.code(),
        taxonomies: page_taxonomies(site, node),
        extra: &p.extra,
        authors: &p.authors,
    }
}

fn page_taxonomies<'a>(site: &'a Site, node: &'a PageNode) -> Vec<PageTaxonomy<'a>> {
    site.taxonomies_of(node.tree)
        .map(|(_, t)| t)
        .zip(&node.terms)
        .filter_map(|(t, terms)| {
            let all = terms.as_ref()?;
            let terms = all
                .iter()
                .take(LISTED_TERMS)
                .map(|&k| TermLink { name: &t.terms[k].name, path: &t.terms[k].path })
                .collect();
            let more = all.len().saturating_sub(LISTED_TERMS);
            Some(PageTaxonomy { name: &t.taxonomy.name, title: &t.taxonomy.title, terms, more })
        })
        .collect()
}

/// The view of a section; `pages` are the summaries to list.
pub fn section<'a>(
    site: &'a Site,
    node: &'a SectionNode,
    rendered: &'a Rendered,
    pages: Vec<PageSummary<'a>>,
) -> SectionView<'a> {
    let s = &node.section;
    SectionView {
        title: &s.title,
        description: &s.description,
        path: &node.path,
        permalink: site.settings.permalink(&node.path),
        content: &rendered.html,
        toc: &rendered.toc,
        extra: &s.extra,
        lang: node.lang.code(),
        pages,
        subsections: node
            .subsections
            .iter()
            .map(|&i| {
                let sub = &site.sections[i];
                SubsectionView {
                    title: &sub.section.title,
                    description: &sub.section.description,
                    path: &sub.path,
                    page_count: sub.pages.len(),
                }
            })
            .collect(),
        page_count: node.pages.len(),
    }
}
