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
    pub title: &'a str,
    pub description: &'a str,
    pub base_url: &'a str,
    pub language: &'static str,
    pub accessibility_statement: &'a str,
    pub contact_email: &'a str,
    pub contact_name: &'a str,
    pub organization: &'a str,
    pub feed: bool,
    pub search: bool,
    pub extra: &'a toml::Table,
}

impl<'a> ConfigView<'a> {
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
    pub title: String,
    pub path: String,
}

#[derive(Serialize)]
pub struct MenuItem<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub active: bool,
}

#[derive(Serialize)]
pub struct TermLink<'a> {
    pub name: &'a str,
    pub path: &'a str,
}

#[derive(Serialize)]
pub struct PageTaxonomy<'a> {
    pub name: &'a str,
    pub title: &'a str,
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
    pub title: &'a str,
    pub description: &'a str,
    pub path: &'a str,
    pub summary: &'a str,
    pub date: String,
    pub date_text: String,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub lang: &'static str,
    pub taxonomies: Vec<PageTaxonomy<'a>>,
    pub extra: &'a serde_json::Value,
}

/// `page` in `page.html`.
#[derive(Serialize)]
pub struct PageView<'a> {
    #[serde(flatten)]
    pub summary: PageSummary<'a>,
    pub permalink: String,
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    pub updated: String,
    pub updated_text: String,
    pub word_count: usize,
    pub reading_minutes: usize,
    pub assets: Vec<String>,
    pub earlier: Option<Link>,
    pub later: Option<Link>,
    /// For `type = "mandate"` pages (see docs/content-types.md).
    pub mandate: Option<&'a serde_json::Value>,
    /// For `type = "goal"` pages.
    pub goal: Option<&'a serde_json::Value>,
    /// The status of a mandate or goal: `{ key, label, symbol }`.
    pub status: Option<crate::content::status::StatusView>,
}

#[derive(Serialize)]
pub struct SubsectionView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub path: &'a str,
    pub page_count: usize,
}

/// `section` in `section.html`, `index.html` and (with few pages) `page.html`.
#[derive(Serialize)]
pub struct SectionView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub path: &'a str,
    pub permalink: String,
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    pub extra: &'a serde_json::Value,
    pub lang: &'static str,
    pub pages: Vec<PageSummary<'a>>,
    pub subsections: Vec<SubsectionView<'a>>,
    pub page_count: usize,
}

#[derive(Serialize)]
pub struct PaginatorNumber {
    pub number: usize,
    pub path: String,
    pub current: bool,
    /// Pages are left out between the number before and this one.
    pub gap_before: bool,
}

#[derive(Serialize)]
pub struct PaginatorView {
    pub current: usize,
    pub total: usize,
    pub previous: String,
    pub next: String,
    pub numbers: Vec<PaginatorNumber>,
}

#[derive(Serialize)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub count: usize,
}

#[derive(Serialize)]
pub struct TaxonomyView<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub path: &'a str,
    pub terms: Vec<TermView<'a>>,
}

#[derive(Serialize)]
pub struct TermPagesView<'a> {
    pub name: &'a str,
    pub path: &'a str,
    /// How many pages have the term (`pages` may be one page of them).
    pub count: usize,
    pub pages: Vec<PageSummary<'a>>,
}

pub fn iso(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

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
    }
}

fn page_taxonomies<'a>(site: &'a Site, node: &'a PageNode) -> Vec<PageTaxonomy<'a>> {
    site.taxonomies
        .iter()
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
