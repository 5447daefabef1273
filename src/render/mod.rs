//! Rendering: the tera set-up (templates parsed once), Markdown bodies with their
//! shortcodes, and every output file of the site, produced in parallel from `&Site`.
//! Writes nothing; returns [`OutputFile`]s.

pub mod alternates;
pub mod assets;
pub mod body_cache;
pub mod builtins;
pub mod catalog;
pub mod feeds;
mod fingerprint;
pub mod images;
pub mod links;
pub mod packed;
pub mod page_json;
pub mod redirects;
pub mod reuse;
pub mod rollup;
pub mod shortcodes;
pub mod structured;
pub mod views;
pub mod zola;

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::content::shortcodes::Body;
use crate::error::{Diagnostic, Diagnostics};
use crate::file::OutputFile;
use crate::lang::Lang;
use crate::markdown::{self, Rendered};
use crate::site::Site;
use crate::theme::Theme;
use fingerprint::Fingerprint;
use links::LinkStyle;
use shortcodes::{CallContext, Registry, SitePages};
use views::*;

/// Where the search page is published.
pub const SEARCH_PATH: &str = "/sok/";

/// On a page, the parent section's pages are listed only up to this many.
const SIBLINGS_SHOWN: usize = 40;

/// Templates every theme must provide.
const REQUIRED: [&str; 6] =
    ["index.html", "section.html", "page.html", "taxonomy_list.html", "taxonomy_term.html", "404.html"];

/// Parsed templates, shortcodes and interface strings.
pub struct Renderer {
    tera: tera::Tera,
    registry: Registry,
    strings: HashMap<Lang, serde_json::Value>,
    /// The theme's stylesheets by output path, for the 404 page to carry inline.
    stylesheets: HashMap<String, String>,
    /// What the Zola-style template functions read of the site (see [`zola`]).
    lookup: zola::Slot,
    /// Which of those functions the templates call.
    uses: zola::Uses,
}

/// The text of a tera error and its causes, on one line.
pub fn tera_message(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ").replace('\n', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Renderer {
    /// Parses all templates once. Syntax errors name the template file and line.
    pub fn new(theme: &Theme) -> Result<Renderer, Diagnostics> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.register_filter("markdown", markdown_filter);
        // HTML needs only & < > " ' escaped; tera's default also escapes `/`, which
        // would hide site-absolute links from the link rewriter.
        tera.set_escape_fn(crate::html::escape);
        let sources: Vec<(&str, &str)> =
            theme.templates.values().map(|t| (t.name.as_str(), t.source.as_str())).collect();
        if let Err(e) = tera.add_raw_templates(sources) {
            return Err(template_errors(theme, &e));
        }
        let mut errors = Diagnostics::default();
        for name in REQUIRED {
            if !theme.templates.contains_key(name) {
                errors.push(
                    Diagnostic::new(format!("templates/{name}"), format!("the theme has no template `{name}`"))
                        .hint("add it to the theme or to the site's `templates/`"),
                );
            }
        }
        errors.into_result()?;
        let shortcodes: BTreeSet<String> = theme
            .templates
            .keys()
            .filter_map(|n| n.strip_prefix("shortcodes/")?.strip_suffix(".html").map(str::to_string))
            .collect();
        // A key a language's strings lack is said in bokmål (a theme or site
        // may have no `se.toml`, or not every key in it).
        let nb = theme.strings.get(&Lang::Nb).cloned().unwrap_or_default();
        let strings = Lang::ALL
            .iter()
            .map(|&l| {
                let mut map = if l == Lang::Nb { Default::default() } else { nb.clone() };
                map.extend(theme.strings.get(&l).cloned().unwrap_or_default());
                (l, serde_json::Value::Object(map))
            })
            .collect();
        let stylesheets = theme
            .static_files
            .iter()
            .filter(|(path, _)| path.ends_with(".css"))
            .map(|(path, (_, bytes))| (path.clone(), String::from_utf8_lossy(bytes).into_owned()))
            .collect();
        let lookup = zola::Slot::default();
        let uses = zola::Uses::of(theme);
        zola::register(&mut tera, theme, &lookup, uses);
        Ok(Renderer { tera, registry: Registry::new(builtins::all(), shortcodes), strings, stylesheets, lookup, uses })
    }

    /// Makes `load_data(path="arsverk.csv")` available to templates: the table as
    /// `{ name, columns: [{ name, kind }], rows: [{ column: value }] }`. The value is
    /// made when a template asks for it, so a data file no template loads costs nothing.
    pub fn register_data(&mut self, data: &std::sync::Arc<std::collections::BTreeMap<String, crate::data::DataFile>>) {
        let data = std::sync::Arc::clone(data);
        self.tera.register_function("load_data", move |args: &HashMap<String, serde_json::Value>| {
            let path = args
                .get("path")
                .and_then(|p| p.as_str())
                .ok_or_else(|| tera::Error::msg("load_data needs `path=\"name.csv\"`"))?;
            let key = path.trim_start_matches("data/");
            let file = data.get(key).ok_or_else(|| tera::Error::msg(format!("there is no data file `data/{key}`")))?;
            Ok(data_value(key, file))
        });
    }

    /// Gives the template functions that read the site (`get_page`, `get_url`, …)
    /// this build's site; with `bodies`, pages and sections carry their content
    /// (an error when a page's cannot be read back).
    pub fn set_site(&self, site: &Site, bodies: Option<&Bodies>) -> Result<(), Diagnostic> {
        let lookup = std::sync::Arc::new(zola::Lookup::new(site, bodies, self.uses)?);
        match self.lookup.write() {
            Ok(mut slot) => *slot = lookup,
            Err(poisoned) => *poisoned.into_inner() = lookup,
        }
        Ok(())
    }

    /// Whether the templates call functions that read other pages than the one
    /// rendered (`get_page`, `get_url`, …), so one page cannot be re-rendered alone.
    pub fn reads_site(&self) -> bool {
        self.uses.reads_site()
    }

    /// Whether a body's shortcodes read other pages, so an edit elsewhere can
    /// change it.
    pub fn reads_pages(&self, body: &Body) -> bool {
        self.registry.reads_pages(body)
    }

    /// Whether a template of this name exists.
    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    fn strings(&self, lang: Lang) -> &serde_json::Value {
        &self.strings[&lang]
    }

    /// Renders one Markdown body with its shortcodes.
    pub fn render_body(
        &self,
        site: &Site,
        file: &std::path::Path,
        body: &Body,
        lang: Lang,
        path: &str,
    ) -> Result<(Rendered, Vec<OutputFile>), Diagnostics> {
        let mut errors = Diagnostics::default();
        let ctx = CallContext {
            file,
            lang,
            page_path: path,
            data: &site.data,
            pages: SitePages::new(site),
            page_filter: body.page_filter.as_ref(),
        };
        let mut files: Vec<OutputFile> = Vec::new();
        // Which call made each file, so two calls that would write one file are named.
        let mut made_by: HashMap<String, &crate::content::shortcodes::Call> = HashMap::new();
        let outputs: Vec<String> = body
            .calls
            .iter()
            .map(|call| match self.registry.render(call, &ctx, &self.tera, self.strings(lang)) {
                Ok(out) => {
                    for f in out.files {
                        if let Some(first) = made_by.get(&f.path) {
                            errors.push(
                                Diagnostic::at(
                                    file,
                                    call.line,
                                    call.col,
                                    format!(
                                        "this `{}` and the `{}` on line {} would both be saved as `{}`",
                                        call.name, first.name, first.line, f.path
                                    ),
                                )
                                .hint(format!(
                                    "a chart's file is named after its title; give this one a name of its own with \
                                     `id=\"…\"`, e.g. `id=\"{}-2\"`",
                                    f.path.rsplit('/').next().unwrap_or("graf").trim_end_matches(".svg")
                                )),
                            );
                            continue;
                        }
                        made_by.insert(f.path.clone(), call);
                        files.push(f);
                    }
                    out.html
                }
                Err(d) => {
                    errors.push(d);
                    String::new()
                }
            })
            .collect();
        let image = |img: &markdown::Image| images::markup(site, file, path, img);
        let rendered = markdown::render_with_images(
            file,
            &body.markdown,
            body.line_offset,
            lang,
            &|p| site.resolve_in(p, lang),
            &image,
        );
        let mut rendered = match rendered {
            Ok(r) => r,
            Err(e) => {
                errors.extend(e.0);
                return Err(errors);
            }
        };
        errors.into_result()?;
        if !outputs.is_empty() {
            rendered.html = shortcodes::expand(&rendered.html, &outputs);
            rendered.summary = shortcodes::expand(&rendered.summary, &outputs);
        }
        Ok((rendered, files))
    }
}

/// `{{ body | markdown | safe }}`: Markdown to HTML in templates (for block
/// shortcodes' bodies). `@/` links are not resolved here.
fn markdown_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let text = value.as_str().ok_or_else(|| tera::Error::msg("the `markdown` filter takes text"))?;
    let options = pulldown_cmark::Options::ENABLE_TABLES
        | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
        | pulldown_cmark::Options::ENABLE_TASKLISTS;
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(text, options));
    Ok(tera::Value::String(html))
}

/// Finds which templates failed to parse, and where.
fn template_errors(theme: &Theme, all: &tera::Error) -> Diagnostics {
    let mut errors = Diagnostics::default();
    for t in theme.templates.values() {
        let mut alone = tera::Tera::default();
        if let Err(e) = alone.add_raw_template(&t.name, &t.source) {
            let msg = tera_message(&e);
            if msg.contains("which doesn't exist or isn't loaded") || msg.contains("isn't present") {
                continue; // Only a missing parent or macro file, which the full set has.
            }
            let (line, col) = pest_position(&msg).unwrap_or((1, 1));
            let detail = msg.split(" = ").last().unwrap_or(&msg).to_string();
            errors.push(Diagnostic::at(&t.file, line, col, format!("the template cannot be read: {detail}")).hint("check the `{{ }}` and `{% %}` tags around this place; every `{% block %}`, `{% if %}` and `{% for %}` needs its `{% end... %}`"));
        }
    }
    if errors.is_empty() {
        errors.push(
            Diagnostic::new("templates", format!("the templates do not fit together: {}", tera_message(all)))
                .hint("check `{% extends %}` and `{% include %}` names"),
        );
    }
    errors
}

/// `--> 3:5` in a pest error message.
fn pest_position(msg: &str) -> Option<(usize, usize)> {
    let rest = &msg[msg.find("--> ")? + 4..];
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(rest.len());
    let (l, c) = rest[..end].split_once(':')?;
    Some((l.parse().ok()?, c.parse().ok()?))
}

/// How the site is written.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Links to folders end in `index.html`, for reading from disk.
    pub offline: bool,
    /// The build's date: milestones before it are overdue.
    pub today: crate::dates::Date,
}

/// Rendered bodies of every page and section, in the site's order.
pub struct Bodies {
    /// Each page's body, by page number.
    pub pages: Vec<Rendered>,
    /// Each section's body (its `_index.md`), by section number.
    pub sections: Vec<Rendered>,
    /// Files each page's shortcodes made (standalone chart SVGs), by page.
    pub page_files: Vec<Vec<OutputFile>>,
    /// The same for each section.
    pub section_files: Vec<Vec<OutputFile>>,
    /// Each page's HTML packed with LZ4 (a fourth of its size), its `html` in
    /// `pages` then empty; none when not packed. Read it with [`Bodies::page_html`].
    pub packed: packed::Packed,
}

/// HTML packed with LZ4 (see [`Bodies::packed`]), unpacked.
pub fn unpack(packed: &[u8]) -> String {
    try_unpack(packed).unwrap_or_default()
}

/// [`unpack`], `None` when the bytes are not whole LZ4 of UTF-8.
fn try_unpack(packed: &[u8]) -> Option<String> {
    lz4_flex::decompress_size_prepended(packed).ok().and_then(|b| String::from_utf8(b).ok())
}

impl Bodies {
    /// The HTML of page `i`'s body, unpacked when it was packed; an error when
    /// its packed bytes cannot be read back whole.
    pub fn page_html(&self, i: usize) -> std::io::Result<std::borrow::Cow<'_, str>> {
        match self.packed.get(i)? {
            Some(packed) => try_unpack(&packed)
                .map(std::borrow::Cow::Owned)
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "its packed body is damaged")),
            None => Ok(std::borrow::Cow::Borrowed(&self.pages[i].html)),
        }
    }

    /// [`Bodies::page_html`], or the error said as a fault of the build at the page's file.
    pub fn page_html_of(&self, site: &Site, i: usize) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        self.page_html(i).map_err(|e| {
            Diagnostic::new(
                &site.pages[i].page.file,
                format!("the page's rendered body could not be read back for its template: {e}"),
            )
            .hint("the build keeps rendered bodies in a temporary file beside the site (or in the system's temporary folder): check that its disk is not full or failing, and build again")
        })
    }

    /// Every file the shortcodes made.
    pub fn files(&self) -> impl Iterator<Item = &OutputFile> {
        self.page_files.iter().chain(&self.section_files).flatten()
    }
}

/// What [`render_bodies_forgetting`] calls after each batch: with the site, the
/// batch's first page, its bodies and what the cache kept of them; returning
/// the bytes of each search analysis made anew.
pub type BatchDone<'d> = dyn FnMut(&Site, usize, &[Rendered], &[Option<Kept<'_>>]) -> Vec<Option<Vec<u8>>> + 'd;

/// What the body cache held of a page: its HTML packed, and the bytes of its
/// search analysis (see [`body_cache`]).
#[derive(Debug, Clone, Copy)]
pub struct Kept<'a> {
    /// The HTML, packed with LZ4.
    pub packed: &'a [u8],
    /// The search analysis, as `search::to_blobs` wrote it (empty without search).
    pub words: &'a [u8],
}

/// Renders every body (Markdown and shortcodes) in parallel, collecting all errors.
pub fn render_bodies(site: &Site, renderer: &Renderer) -> Result<Bodies, Diagnostics> {
    bodies(site, renderer, None)
}

/// [`render_bodies`] in batches of [`BATCH`] pages: after each batch, `done`
/// sees the site and the batch's bodies (from page `first` on), for what needs a
/// page's Markdown or HTML while both are at hand (the search analysis, the
/// lints); then, with `forget` (the site's folder), the batch's Markdown is
/// dropped, since nothing after the bodies reads it, and pages parsed without
/// their Markdown read it again from their files first. A build that keeps
/// nothing for later thus never holds the whole site's Markdown, nor its
/// Markdown and HTML at once.
///
/// With a `cache` (a build into a folder), a page whose key is unchanged takes
/// its body from there instead of being rendered: `done` then sees it with an
/// empty `html`, and what the cache kept in the page's place in its last
/// argument (the packed HTML and the search analysis's bytes). `done` returns,
/// per page, the bytes of a search analysis it made anew, which the cache keeps
/// with the body.
pub fn render_bodies_forgetting(
    site: &mut Site,
    renderer: &Renderer,
    forget: Option<&std::path::Path>,
    cache: Option<&body_cache::BodyCache>,
    done: &mut BatchDone<'_>,
) -> Result<Bodies, Diagnostics> {
    let mut errors = Diagnostics::default();
    let mut pages = Vec::with_capacity(site.pages.len());
    let mut page_files = Vec::with_capacity(site.pages.len());
    let mut packed = forget.map(packed::Packed::spilled_in).unwrap_or_default();
    let mut first = 0;
    // A batch's cache file is written on a thread of its own while the next
    // batch renders: written in turn, the other threads waited for it.
    std::thread::scope(|scope| {
        let cache_writes = cache.map(|cache| {
            let (queue, batches) = std::sync::mpsc::sync_channel::<(usize, Vec<(u64, Vec<u8>)>)>(1);
            scope.spawn(move || {
                for (batch_no, entries) in batches {
                    cache.write(batch_no, &entries);
                }
            });
            queue
        });
        while first < site.pages.len() {
            let end = (first + BATCH).min(site.pages.len());
            // What the cache holds of this batch, and each page's key in it (0: not kept).
            let batch_no = first / BATCH;
            let old = cache.map(|c| c.read(batch_no)).unwrap_or_default();
            let mut keys: Vec<u64> = site.pages[first..end]
                .par_iter()
                .enumerate()
                .map(|(j, p)| match cache {
                    Some(c) if body_cache::BodyCache::keeps(&p.page) => c.page_key(first + j, &p.page),
                    _ => 0,
                })
                .collect();
            let mut kept: Vec<_> = (0..end - first)
                .into_par_iter()
                .map(|j| (keys[j] != 0).then(|| old.get(j, keys[j])).flatten().and_then(body_cache::decode))
                .collect();
            if let Some(root) = forget {
                // Pages parsed without their Markdown and not in the cache get it
                // back from their files.
                let reread: Vec<_> = site.pages[first..end]
                    .par_iter()
                    .zip(&kept)
                    .map(|(p, k)| {
                        if k.is_none() && p.page.body.dropped.is_some() && p.page.body.markdown.is_empty() {
                            crate::content::reread_body(root, &p.page).map(Some)
                        } else {
                            Ok(None)
                        }
                    })
                    .collect();
                for ((p, body), key) in site.pages[first..end].iter_mut().zip(reread).zip(&mut keys) {
                    match body {
                        Ok(Some(body)) => {
                            p.page.body = crate::content::shortcodes::Body { dropped: p.page.body.dropped, ..body }
                        }
                        Ok(None) => {}
                        Err(e) => {
                            // Nothing is kept for a page that could not be read again.
                            *key = 0;
                            errors.extend(e.0);
                        }
                    }
                }
            }
            let batch: Vec<_> = site.pages[first..end]
                .par_iter()
                .zip(&mut kept)
                .map(|(p, kept)| match kept.take() {
                    Some((rendered, packed, files, words)) => (Ok((rendered, files)), Some((packed, words))),
                    None => (renderer.render_body(site, &p.page.file, &p.page.body, p.lang, &p.path), None),
                })
                .collect();
            let start = pages.len();
            let mut kept = Vec::with_capacity(batch.len());
            let mut failed = false;
            for (r, k) in batch {
                let (rendered, files) = r.unwrap_or_else(|e| {
                    errors.extend(e.0);
                    failed = true;
                    (Rendered::default(), Vec::new())
                });
                pages.push(rendered);
                page_files.push(files);
                kept.push(k);
            }
            let views: Vec<Option<Kept<'_>>> =
                kept.iter().map(|k| k.as_ref().map(|(packed, words)| Kept { packed, words })).collect();
            let analysed = done(site, first, &pages[start..], &views);
            if forget.is_some() {
                for p in &mut site.pages[first..end] {
                    p.page.body.drop_markdown();
                    p.page.front_matter = String::new();
                }
                // Until its page is written, a body's HTML is kept packed.
                let batch_packed: Vec<Vec<u8>> = pages[start..]
                    .par_iter_mut()
                    .zip(&mut kept)
                    .map(|(r, k)| match k {
                        Some((packed, _)) => std::mem::take(packed),
                        None => lz4_flex::compress_prepend_size(std::mem::take(&mut r.html).as_bytes()),
                    })
                    .collect();
                if cache.is_some() && !failed && !old.holds(&keys) {
                    let entries: Vec<(u64, Vec<u8>)> = (0..keys.len())
                        .into_par_iter()
                        .map(|j| {
                            if keys[j] == 0 {
                                return (0, Vec::new());
                            }
                            let words = match (&kept[j], analysed.get(j)) {
                                (_, Some(Some(new))) => new.as_slice(),
                                (Some((_, old)), _) => old,
                                _ => &[],
                            };
                            let i = start + j;
                            (keys[j], body_cache::encode(&pages[i], &batch_packed[j], &page_files[i], words))
                        })
                        .collect();
                    if let Some(queue) = &cache_writes {
                        let _ = queue.send((batch_no, entries));
                    }
                }
                packed.extend(batch_packed);
            }
            first = end;
        }
    });
    if let Some(cache) = cache {
        cache.finish(site.pages.len().div_ceil(BATCH));
    }
    let sections: Vec<_> = site
        .sections
        .par_iter()
        .map(|s| renderer.render_body(site, &s.section.file, &s.section.body, s.lang, &s.path))
        .collect();
    let (sections, section_files) = sections
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|e| {
                errors.extend(e.0);
                (Rendered::default(), Vec::new())
            })
        })
        .unzip();
    errors.into_result()?;
    Ok(Bodies { pages, sections, page_files, section_files, packed })
}

/// Renders bodies again after pages were edited: the pages `redo` names and every
/// page or section whose shortcodes read other pages; the others are taken from
/// `old`, which must have been rendered for the same pages at the same paths.
pub fn rerender_bodies(
    site: &Site,
    renderer: &Renderer,
    old: &Bodies,
    redo: &(dyn Fn(usize) -> bool + Sync),
) -> Result<Bodies, Diagnostics> {
    bodies(site, renderer, Some((old, redo)))
}

fn bodies(
    site: &Site,
    renderer: &Renderer,
    reuse: Option<(&Bodies, &(dyn Fn(usize) -> bool + Sync))>,
) -> Result<Bodies, Diagnostics> {
    type Result1 = Result<(Rendered, Vec<OutputFile>), Diagnostics>;
    let kept = |body: &Body, old: Option<(&Rendered, &Vec<OutputFile>)>| -> Option<Result1> {
        let (rendered, files) = old?;
        (!renderer.reads_pages(body)).then(|| Ok((rendered.clone(), files.clone())))
    };
    let pages: Vec<Result1> = site
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let old = reuse.filter(|(_, redo)| !redo(i)).map(|(b, _)| (&b.pages[i], &b.page_files[i]));
            kept(&p.page.body, old)
                .unwrap_or_else(|| renderer.render_body(site, &p.page.file, &p.page.body, p.lang, &p.path))
        })
        .collect();
    let sections: Vec<Result1> = site
        .sections
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let old = reuse.map(|(b, _)| (&b.sections[i], &b.section_files[i]));
            kept(&s.section.body, old)
                .unwrap_or_else(|| renderer.render_body(site, &s.section.file, &s.section.body, s.lang, &s.path))
        })
        .collect();
    let mut errors = Diagnostics::default();
    let mut split = |all: Vec<Result1>| -> (Vec<Rendered>, Vec<Vec<OutputFile>>) {
        all.into_iter()
            .map(|r| match r {
                Ok(done) => done,
                Err(e) => {
                    errors.extend(e.0);
                    (Rendered::default(), Vec::new())
                }
            })
            .unzip()
    };
    let (pages, page_files) = split(pages);
    let (sections, section_files) = split(sections);
    errors.into_result()?;
    Ok(Bodies { pages, sections, page_files, section_files, packed: packed::Packed::default() })
}

/// One template render to do.
enum Job {
    Page(usize),
    Section {
        index: usize,
        page: usize,
    },
    TaxonomyList(usize),
    Term {
        taxonomy: usize,
        term: usize,
        /// 0-based page of the term's list.
        page: usize,
    },
    NotFound,
    /// The search page of a language, `/sok/` or `/en/sok/`.
    Search(Lang),
}

/// What the templates make of a site whose bodies are rendered: every page's and
/// list's HTML, the feeds and the sitemap, and the shortcodes' files (charts). The
/// search index is made beside it (see `search`), the static files after it.
pub struct SiteFiles {
    /// The files, in no particular order.
    pub files: Vec<OutputFile>,
    /// The views of mandates and goals the pages were rendered with.
    pub views: structured::Views,
    /// Every HTML output's fingerprint, when [`render_site`] was given a memo.
    pub memo: Memo,
    /// The paths of the feeds and the sitemap.
    pub feed_paths: Vec<String>,
}

/// Renders the site: the one sequence `build`, `check`, `archive` and a dev
/// server's rebuild share. With a `memo` (fingerprints of an earlier render; an
/// empty one renders all), only the HTML whose context changed is rendered again
/// and the new fingerprints are kept.
pub fn render_site(
    site: &Site,
    renderer: &Renderer,
    bodies: &Bodies,
    options: RenderOptions,
    memo: Option<&Memo>,
) -> Result<SiteFiles, Diagnostics> {
    let mut files = Vec::new();
    let (views, memo, feed_paths) =
        render_site_into(site, renderer, bodies, options, memo, &mut |batch| files.extend(batch))?;
    Ok(SiteFiles { files, views, memo, feed_paths })
}

/// Like [`render_site`], handing the files to `emit` in batches of at most
/// [`BATCH`] pages as they are rendered instead of keeping them, so a build holds
/// one batch of rendered pages at a time (and at most two threads' worth of
/// long lists; see [`render_jobs`]). Every batch is rendered even after a
/// fault, so every fault is reported; `emit` is not called after the first.
/// Returns the views, the fingerprints and the feeds' paths.
pub fn render_site_into(
    site: &Site,
    renderer: &Renderer,
    bodies: &Bodies,
    options: RenderOptions,
    memo: Option<&Memo>,
    emit: &mut dyn FnMut(Vec<OutputFile>),
) -> Result<(structured::Views, Memo, Vec<String>), Diagnostics> {
    let views = structured::build(site, options.today)?;
    let memo = render_jobs(site, renderer, bodies, &views, options, memo, emit)?;
    let feeds = feeds::render(site, bodies);
    let feed_paths = feeds.iter().map(|f| f.path.clone()).collect();
    emit(feeds);
    emit(redirects::render(site, options.offline));
    emit(catalog::render(site).into_iter().collect());
    emit(page_json::render(site, &|i| views.get(&i).and_then(|v| page_json::computed(&v.1))));
    emit(bodies.files().cloned().collect());
    Ok((views, memo, feed_paths))
}

/// Pages rendered at a time: enough for every thread to have work, few enough
/// that a batch of rendered pages (a few tens of kilobytes each) stays small.
/// A list counts as many pages as it lists (see [`batches`]).
pub const BATCH: usize = 2048;

/// `jobs` cut into runs of about [`BATCH`] pages' worth of output each: a page
/// counts one, a list (a section's, a term's, a taxonomy's) one for every
/// [`LISTED_PER_PAGE`] pages or terms it lists. The lists of a large site are
/// few but long (a term of 12 000 pages is a page of 7 MB); counted as one page
/// each, a run of them held far more than a run of pages. Counted as a page
/// per entry, each long list was a run of its own, rendered by one thread
/// while the others waited. The longest lists ([`LONG_LIST`]) are not cut into
/// runs at all: they render beside them.
fn batches<'a, 'j>(site: &Site, jobs: &'a [&'j Job]) -> Vec<&'a [&'j Job]> {
    let weight = |job: &&Job| -> usize { 1 + listed(site, job).div_ceil(LISTED_PER_PAGE) };
    runs(jobs, weight, BATCH).into_iter().map(|r| &jobs[r]).collect()
}

/// Entries of a list that weigh as much as a page in [`batches`]: an entry is
/// a title, a date, a summary and a link, some 600 bytes of HTML and more in
/// its template's context while it renders, against 10–18 kB of HTML for a
/// page.
const LISTED_PER_PAGE: usize = 8;

/// Entries of a list above which it renders beside the batches rather than in
/// one (see [`render_jobs`]). Lists this long are few, and the longest of a
/// large site (a term of 12 000 pages) kept one thread busy for seconds at the
/// end of a batch while the others waited; a shorter one in a batch costs
/// little, beside it nothing.
const LONG_LIST: usize = BATCH / 2;

/// How many pages or terms `job` lists (0 for a page).
fn listed(site: &Site, job: &Job) -> usize {
    match *job {
        Job::Section { index, page } => {
            let s = &site.sections[index];
            on_page(&s.pages, s.section.paginate_by, page).len()
        }
        Job::TaxonomyList(t) => site.taxonomies[t].terms.len(),
        Job::Term { taxonomy, term, page } => {
            let tax = &site.taxonomies[taxonomy];
            on_page(&tax.terms[term].pages, tax.taxonomy.paginate_by, page).len()
        }
        Job::Page(_) | Job::NotFound | Job::Search(_) => 0,
    }
}

/// `items` cut into runs whose weights add up to at most `limit`, but for an
/// item heavier than that alone, which makes a run of its own; each run as the
/// range of its items.
pub fn runs<T>(items: &[T], weight: impl Fn(&T) -> usize, limit: usize) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let (mut start, mut load) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        let w = weight(item);
        if i > start && load + w > limit {
            runs.push(start..i);
            (start, load) = (i, 0);
        }
        load += w;
    }
    if start < items.len() {
        runs.push(start..items.len());
    }
    runs
}

/// The fingerprint of every HTML output's template and context, by output path.
pub type Memo = HashMap<String, u64>;

/// Renders every HTML page of the site, in parallel. With a `memo`, only the
/// outputs whose fingerprint differs from the one in it (all of them for an
/// empty memo), returning those and the fingerprints of every output: a dev
/// server re-renders what an edit changed this way, since what a page shows is
/// in its context.
fn render_jobs(
    site: &Site,
    renderer: &Renderer,
    bodies: &Bodies,
    views: &structured::Views,
    options: RenderOptions,
    memo: Option<&Memo>,
    emit: &mut dyn FnMut(Vec<OutputFile>),
) -> Result<Memo, Diagnostics> {
    // What a template shows through `get_page` and the like is not in its
    // context, so its fingerprint cannot tell whether it changed.
    let memo = memo.filter(|_| !renderer.reads_site());
    let mut jobs: Vec<Job> = (0..site.pages.len()).map(Job::Page).collect();
    for (i, s) in site.sections.iter().enumerate() {
        for page in 0..page_count(s.pages.len(), s.section.paginate_by) {
            jobs.push(Job::Section { index: i, page });
        }
    }
    for (t, tax) in site.taxonomies.iter().enumerate() {
        jobs.push(Job::TaxonomyList(t));
        for (term, node) in tax.terms.iter().enumerate() {
            for page in 0..page_count(node.pages.len(), tax.taxonomy.paginate_by) {
                jobs.push(Job::Term { taxonomy: t, term, page });
            }
        }
    }
    jobs.push(Job::NotFound);
    if site.settings.search && renderer.has_template("search.html") {
        // A search page per language, in that language (`/sok/`, `/en/sok/`).
        for l in &site.settings.languages {
            jobs.push(Job::Search(l.lang));
        }
    }

    let ctx = Shared::new(site, renderer, bodies, views, options);
    let one = |job: &Job| -> Result<Done, Diagnostic> {
        let Some(memo) = memo else { return ctx.render(job).map(|f| (Some(f), None)) };
        if memo.is_empty() {
            // Nothing to compare with: fingerprint and render in one go.
            let prepared = ctx.prepare(job, Want::Both)?;
            let fingerprint = prepared.fingerprint().unwrap_or_default();
            let file = ctx.finish(&prepared)?;
            return Ok((Some(file), Some((output_path(&prepared.path), fingerprint))));
        }
        let hashed = ctx.prepare(job, Want::Hash)?;
        let fingerprint = hashed.fingerprint().unwrap_or_default();
        let out_path = output_path(&hashed.path);
        let file = match memo.get(&out_path) {
            Some(&old) if old == fingerprint => None,
            _ => Some(ctx.render(job)?),
        };
        Ok((file, Some((out_path, fingerprint))))
    };
    // A long list is one template render, on one thread: rendered in a batch,
    // the other threads waited for it. The long lists render beside the
    // batches instead, as many at once as there are threads but one, and each
    // batch takes along those done; those not started when the batches are
    // done render then, a thread's worth at a time beside those still under
    // way. So no more than two threads' worth of long lists is ever held.
    let (long, short): (Vec<&Job>, Vec<&Job>) = jobs.iter().partition(|job| listed(site, job) > LONG_LIST);
    let room = rayon::current_num_threads().saturating_sub(1).max(1);
    let (done_long, long_results) = std::sync::mpsc::channel::<(usize, Result<Done, Diagnostic>)>();
    let mut gathered = Gathered::default();
    rayon::in_place_scope(|scope| {
        let one = &one;
        let (mut next, mut in_flight) = (0, 0);
        let start_more = |next: &mut usize, in_flight: &mut usize| {
            while *in_flight < room && *next < long.len() {
                let (i, job, done) = (*next, long[*next], done_long.clone());
                // Unbounded: a list never waits for the batches, which may be
                // waiting for the thread that runs it.
                scope.spawn(move |_| {
                    let _ = done.send((i, one(job)));
                });
                *next += 1;
                *in_flight += 1;
            }
        };
        start_more(&mut next, &mut in_flight);
        for batch in batches(site, &short) {
            let results: Vec<Result<Done, Diagnostic>> = batch.par_iter().map(|job| one(job)).collect();
            let mut files = gathered.take(results.into_iter().map(|r| (None, r)));
            let arrived: Vec<_> = long_results.try_iter().map(|(i, r)| (Some(i), r)).collect();
            in_flight -= arrived.len();
            files.extend(gathered.take(arrived));
            if gathered.ok() {
                emit(files);
            }
            start_more(&mut next, &mut in_flight);
        }
        for lists in long[next..].chunks(room + 1) {
            let results: Vec<_> = lists.par_iter().map(|job| one(job)).collect();
            let mut files = gathered.take(results.into_iter().enumerate().map(|(j, r)| (Some(next + j), r)));
            files.extend(gathered.take(long_results.try_iter().map(|(i, r)| (Some(i), r))));
            if gathered.ok() {
                emit(files);
            }
            next += lists.len();
        }
    });
    drop(done_long);
    let files = gathered.take(long_results.try_iter().map(|(i, r)| (Some(i), r)));
    if gathered.ok() {
        emit(files);
    }
    let mut long_errors = std::mem::take(&mut gathered.long_errors);
    long_errors.sort_by_key(|(i, _)| *i);
    for (_, d) in long_errors {
        gathered.count(d);
    }
    let Gathered { mut errors, fingerprints, repeats, .. } = gathered;
    for d in &mut errors {
        let n = repeats[&d.message];
        if n > 1 {
            d.message = format!("{} (and on {} more pages)", d.message, n - 1);
        }
    }
    Diagnostics(errors).into_result()?;
    Ok(fingerprints)
}

/// A render job's file (none when its fingerprint is unchanged) and its
/// output path with its fingerprint (when fingerprints are kept).
type Done = (Option<OutputFile>, Option<(String, u64)>);

/// What [`render_jobs`] gathers of the renders done.
#[derive(Default)]
struct Gathered {
    /// The same template fault on many pages is reported once, with a count.
    errors: Vec<Diagnostic>,
    /// The long lists' faults, by the list's place among them: counted after
    /// the others and in the lists' order, so that which of a repeated fault is
    /// shown does not depend on which render ended first.
    long_errors: Vec<(usize, Diagnostic)>,
    fingerprints: Memo,
    repeats: HashMap<String, usize>,
}

impl Gathered {
    /// The files of `results` (each with its place among the long lists, for
    /// a long list's), noting their fingerprints and faults.
    fn take(
        &mut self,
        results: impl IntoIterator<Item = (Option<usize>, Result<Done, Diagnostic>)>,
    ) -> Vec<OutputFile> {
        let mut files = Vec::new();
        for (long, r) in results {
            match (long, r) {
                (_, Ok((file, fingerprint))) => {
                    files.extend(file);
                    self.fingerprints.extend(fingerprint);
                }
                (Some(i), Err(d)) => self.long_errors.push((i, d)),
                (None, Err(d)) => self.count(d),
            }
        }
        files
    }

    /// Counts fault `d`, keeping the first of each message.
    fn count(&mut self, d: Diagnostic) {
        let n = self.repeats.entry(d.message.clone()).or_default();
        *n += 1;
        if *n == 1 {
            self.errors.push(d);
        }
    }

    /// Whether no render failed so far (and what was rendered may be written).
    fn ok(&self) -> bool {
        self.errors.is_empty() && self.long_errors.is_empty()
    }
}

/// Renders the HTML of one page alone (a dev-server rebuild after an edit that
/// changed nothing other pages show), with its fingerprint (see [`Memo`]).
pub fn render_page(
    site: &Site,
    renderer: &Renderer,
    bodies: &Bodies,
    views: &structured::Views,
    options: RenderOptions,
    page: usize,
) -> Result<(OutputFile, u64), Diagnostic> {
    let shared = Shared::new(site, renderer, bodies, views, options);
    let prepared = shared.prepare(&Job::Page(page), Want::Both)?;
    let fingerprint = prepared.fingerprint().unwrap_or_default();
    Ok((shared.finish(&prepared)?, fingerprint))
}

/// The items on page `page` (0-based) of a list paginated by `paginate_by`.
fn on_page(items: &[usize], paginate_by: Option<usize>, page: usize) -> &[usize] {
    let per = paginate_by.unwrap_or(usize::MAX).max(1);
    let start = page.saturating_mul(per).min(items.len());
    &items[start..start.saturating_add(per).min(items.len())]
}

fn page_count(pages: usize, paginate_by: Option<usize>) -> usize {
    match paginate_by {
        Some(n) if n > 0 => pages.div_ceil(n).max(1),
        _ => 1,
    }
}

/// What every render job shares: the site, templates, bodies, and the base
/// context per language.
struct Shared<'a> {
    site: &'a Site,
    renderer: &'a Renderer,
    bodies: &'a Bodies,
    views: &'a structured::Views,
    options: RenderOptions,
    /// By (the page's language, the language of the tree it is in).
    base: HashMap<(Lang, Lang), tera::Context>,
    /// The fingerprint of each base context, which a job's fingerprint includes.
    base_digest: HashMap<(Lang, Lang), u64>,
    /// The feed each page links to, by section (empty: none); worked out once.
    feed_paths: Vec<String>,
}

#[derive(Serialize)]
struct Common<'a> {
    lang: &'static str,
    current_path: &'a str,
    permalink: String,
    menu: Vec<MenuItem<'a>>,
    breadcrumbs: Vec<Link>,
    feed_path: String,
    /// The home page of the page's language.
    home_path: &'a str,
    /// The search page of the page's language.
    search_path: String,
    /// The language the header's search form asks results in (empty: all).
    search_lang: &'static str,
}

impl<'a> Shared<'a> {
    fn new(
        site: &'a Site,
        renderer: &'a Renderer,
        bodies: &'a Bodies,
        views: &'a structured::Views,
        options: RenderOptions,
    ) -> Self {
        let s = &site.settings;
        let mut base = HashMap::new();
        for l in &s.languages {
            // The site's title and description in the tree's language.
            let mut config = ConfigView::new(s);
            config.title = &l.title;
            config.description = &l.description;
            for &lang in &Lang::ALL {
                let mut c = tera::Context::new();
                c.insert("config", &config);
                c.insert("t", renderer.strings(lang));
                c.insert("generator", &format!("innsyn {}", env!("CARGO_PKG_VERSION")));
                c.insert("data_catalog", catalog::render_path(site).unwrap_or(""));
                base.insert((lang, l.lang), c);
            }
        }
        let feeds = s.feed && !s.base_url.is_empty();
        let tree_feed = |lang: Lang| {
            if feeds && feeds::site_has_feed(site, lang) {
                format!("{}atom.xml", s.language_root(lang))
            } else {
                String::new()
            }
        };
        let feed_paths = (0..site.sections.len())
            .map(|i| {
                if feeds && site.sections[i].parent.is_some() && feeds::section_has_feed(site, i) {
                    format!("{}atom.xml", site.sections[i].path)
                } else {
                    tree_feed(site.sections[i].tree)
                }
            })
            .collect();
        let base_digest = base
            .iter()
            .map(|(&key, ctx)| {
                let mut h = Fingerprint::default();
                h.add("", &ctx.clone().into_json());
                (key, h.finish())
            })
            .collect();
        Shared { site, renderer, bodies, views, options, base, base_digest, feed_paths }
    }

    fn render(&self, job: &Job) -> Result<OutputFile, Diagnostic> {
        self.prepare(job, Want::Context).and_then(|p| self.finish(&p))
    }

    /// The template and variables of a job: a context ready to render, only
    /// their fingerprint (cheaper than building the context), or both.
    fn prepare(&self, job: &Job, want: Want) -> Result<Prepared, Diagnostic> {
        let site = self.site;
        match *job {
            Job::Page(i) => {
                let node = &site.pages[i];
                let section = &site.sections[node.section];
                let body = &self.bodies.pages[i];
                let position = node.position;
                let neighbour = |j: Option<usize>| {
                    j.and_then(|j| section.pages.get(j))
                        .map(|&p| Link { title: site.pages[p].page.title.clone(), path: site.pages[p].path.clone() })
                };
                let page = PageView {
                    summary: summary(site, i, body),
                    permalink: site.settings.permalink(&node.path),
                    content: self.bodies.page_html_of(site, i)?,
                    toc: &body.toc,
                    updated: iso(node.page.updated),
                    updated_text: text(node.page.updated, node.lang),
                    word_count: body.word_count,
                    reading_minutes: body.word_count.div_ceil(200).max(1),
                    assets: node.page.assets.iter().map(|a| format!("/{a}")).collect(),
                    earlier: neighbour(position.checked_sub(1)),
                    later: neighbour(Some(position + 1)),
                    mandate: self.views.get(&i).filter(|v| v.0 == "mandate").map(|v| &v.1),
                    goal: self.views.get(&i).filter(|v| v.0 == "goal").map(|v| &v.1),
                    status: node.page.status().map(|s| s.view(node.lang)),
                };
                let siblings = if section.pages.len() <= SIBLINGS_SHOWN {
                    section.pages.iter().map(|&p| summary(site, p, &self.bodies.pages[p])).collect()
                } else {
                    Vec::new()
                };
                let section_view = views::section(site, section, &self.bodies.sections[node.section], siblings);
                let template = node
                    .page
                    .template
                    .clone()
                    .or_else(|| section.section.page_template.clone())
                    .unwrap_or_else(|| "page.html".into());
                let mut ctx = self.context(node.lang, &node.path, node.section, false, want);
                let kind = match node.page.kind.as_str() {
                    "mandate" | "goal" => "Report",
                    _ => "WebPage",
                };
                ctx.insert(
                    "json_ld",
                    &self.json_ld(
                        kind,
                        &node.page.title,
                        &node.page.description,
                        &node.path,
                        node.lang,
                        iso(node.page.updated.or(node.page.date)),
                        None,
                    ),
                );
                if let Some(json) = page_json::json_path(site, i) {
                    ctx.insert("alternate_json", &json);
                }
                ctx.insert("page", &page);
                ctx.insert("section", &section_view);
                ctx.insert("translations", &alternates::of_page(site, i));
                Ok(Prepared::new(template, ctx, &node.path, &node.page.file))
            }
            Job::Section { index, page } => {
                let node = &site.sections[index];
                let chosen = on_page(&node.pages, node.section.paginate_by, page);
                let pages = chosen.iter().map(|&p| summary(site, p, &self.bodies.pages[p])).collect();
                let view = views::section(site, node, &self.bodies.sections[index], pages);
                let path = paginated_path(&node.path, page + 1);
                let paginator = paginator(&node.path, node.pages.len(), node.section.paginate_by, page);
                let default = if index == 0 { "index.html" } else { "section.html" };
                let template = node.section.template.clone().unwrap_or_else(|| default.into());
                let mut ctx = self.context(node.lang, &path, index, true, want);
                let catalog = (index == 0 && page == 0).then(|| self.datasets());
                let kind = if index == 0 { "WebSite" } else { "CollectionPage" };
                ctx.insert(
                    "json_ld",
                    &self.json_ld(
                        kind,
                        &node.section.title,
                        &node.section.description,
                        &path,
                        node.lang,
                        String::new(),
                        catalog,
                    ),
                );
                ctx.insert("section", &view);
                ctx.insert("paginator", &paginator);
                // A list's later pages are not translations of one another's.
                let versions = if page == 0 { alternates::of_section(site, index) } else { Vec::new() };
                ctx.insert("translations", &versions);
                Ok(Prepared::new(template, ctx, &path, &node.section.file))
            }
            Job::TaxonomyList(t) => {
                let tax = &site.taxonomies[t];
                let view = TaxonomyView {
                    name: &tax.taxonomy.name,
                    title: &tax.taxonomy.title,
                    path: &tax.path,
                    terms: tax
                        .terms
                        .iter()
                        .map(|term| TermView { name: &term.name, path: &term.path, count: term.pages.len() })
                        .collect(),
                };
                let mut ctx = self.context(tax.lang, &tax.path, site.home_of(tax.lang), false, want);
                ctx.insert("taxonomy", &view);
                ctx.insert("breadcrumbs", &vec![self.home(tax.lang)]);
                Ok(Prepared::new("taxonomy_list.html".into(), ctx, &tax.path, crate::config::CONFIG_FILE.as_ref()))
            }
            Job::Term { taxonomy, term, page } => {
                let tax = &site.taxonomies[taxonomy];
                let term_index = term;
                let term = &tax.terms[term];
                let view = TaxonomyView {
                    name: &tax.taxonomy.name,
                    title: &tax.taxonomy.title,
                    path: &tax.path,
                    terms: Vec::new(),
                };
                let chosen = on_page(&term.pages, tax.taxonomy.paginate_by, page);
                let pages = chosen.iter().map(|&p| summary(site, p, &self.bodies.pages[p])).collect();
                let term_view = TermPagesView { name: &term.name, path: &term.path, count: term.pages.len(), pages };
                let path = paginated_path(&term.path, page + 1);
                let mut ctx = self.context(tax.lang, &path, site.home_of(tax.lang), false, want);
                if let Some(feed) = feeds::term_feed(site, taxonomy, term_index) {
                    ctx.insert("feed_path", &feed);
                    ctx.insert("feed_title", &feeds::term_feed_title(site, taxonomy, term_index));
                }
                ctx.insert("taxonomy", &view);
                ctx.insert("term", &term_view);
                ctx.insert("paginator", &paginator(&term.path, term.pages.len(), tax.taxonomy.paginate_by, page));
                ctx.insert(
                    "breadcrumbs",
                    &vec![self.home(tax.lang), Link { title: tax.taxonomy.title.clone(), path: tax.path.clone() }],
                );
                Ok(Prepared::new("taxonomy_term.html".into(), ctx, &path, crate::config::CONFIG_FILE.as_ref()))
            }
            Job::Search(lang) => {
                let path = format!("{}{}", site.settings.language_root(lang), SEARCH_PATH.trim_start_matches('/'));
                let mut ctx = self.context(lang, &path, site.home_of(lang), false, want);
                ctx.insert("breadcrumbs", &vec![self.home(lang)]);
                // Without JavaScript the page links to the lists readers can browse.
                let taxonomies: Vec<Link> = site
                    .taxonomies_of(site.sections[site.home_of(lang)].tree)
                    .map(|(_, t)| Link { title: t.taxonomy.title.clone(), path: t.path.clone() })
                    .collect();
                ctx.insert("taxonomies", &taxonomies);
                Ok(Prepared::new("search.html".into(), ctx, &path, "templates/search.html".as_ref()))
            }
            Job::NotFound => {
                let mut ctx = self.context(site.settings.language, "/404.html", 0, false, want);
                ctx.insert("breadcrumbs", &Vec::<Link>::new());
                Ok(Prepared::new("404.html".into(), ctx, "/404.html", "templates/404.html".as_ref()))
            }
        }
    }

    /// schema.org metadata of a page, as JSON safe to put in a `<script>` element.
    #[allow(clippy::too_many_arguments)]
    fn json_ld(
        &self,
        kind: &str,
        title: &str,
        description: &str,
        path: &str,
        lang: Lang,
        modified: String,
        datasets: Option<Vec<serde_json::Value>>,
    ) -> String {
        let s = &self.site.settings;
        let mut v = serde_json::json!({
            "@context": "https://schema.org",
            "@type": kind,
            "name": title,
            "inLanguage": lang.code(),
        });
        if !description.is_empty() {
            v["description"] = description.into();
        }
        if !s.base_url.is_empty() {
            v["url"] = s.permalink(path).into();
        }
        if !s.organization.is_empty() {
            v["publisher"] = serde_json::json!({ "@type": "GovernmentOrganization", "name": s.organization });
        }
        if !modified.is_empty() {
            v["dateModified"] = modified.into();
        }
        if let Some(d) = datasets.filter(|d| !d.is_empty()) {
            v["hasPart"] = serde_json::json!({ "@type": "DataCatalog", "name": title, "dataset": d });
        }
        script_json(&v)
    }

    /// Each data file as a schema.org `Dataset`, with its provenance.
    fn datasets(&self) -> Vec<serde_json::Value> {
        let s = &self.site.settings;
        self.site
            .data
            .iter()
            .filter(|(_, f)| !f.broken)
            .map(|(name, f)| {
                let mut d = serde_json::json!({ "@type": "Dataset", "name": name });
                let url = s.permalink(&crate::http::encode_path(&format!("/data/{name}")));
                d["distribution"] = serde_json::json!({ "@type": "DataDownload", "contentUrl": url, "encodingFormat": crate::mime::content_type(name) });
                if let Some(p) = &f.provenance {
                    if !p.source.is_empty() {
                        d["creator"] = serde_json::json!({ "@type": "Organization", "name": p.source });
                    }
                    if !p.licence_url.is_empty() {
                        d["license"] = p.licence_url.clone().into();
                    } else if !p.licence.is_empty() {
                        d["license"] = p.licence.clone().into();
                    }
                    if !p.published.is_empty() {
                        d["datePublished"] = p.published.clone().into();
                    }
                    if !p.notes.is_empty() {
                        d["description"] = p.notes.clone().into();
                    }
                    if !p.url.is_empty() {
                        d["isBasedOn"] = p.url.clone().into();
                    }
                    if !p.table_id.is_empty() {
                        d["identifier"] = p.table_id.clone().into();
                    }
                }
                d
            })
            .collect()
    }

    /// The home page of a language's tree, as a link.
    fn home(&self, lang: Lang) -> Link {
        let home = &self.site.sections[self.site.home_of(lang)];
        Link { title: home.section.title.clone(), path: home.path.clone() }
    }

    /// The common variables for a page at `path` inside section `section`
    /// (`is_section`: the page is that section itself).
    fn context(&self, lang: Lang, path: &str, section: usize, is_section: bool, want: Want) -> Vars {
        let site = self.site;
        let chain = site.ancestors(section);
        let top = chain.get(1).copied();
        let home = &site.sections[chain[0]];
        let menu = home
            .subsections
            .iter()
            .map(|&i| MenuItem {
                title: &site.sections[i].section.title,
                path: &site.sections[i].path,
                active: Some(i) == top,
            })
            .collect();
        let crumbs_end = if is_section { chain.len() - 1 } else { chain.len() };
        let breadcrumbs = if path == "/" {
            Vec::new()
        } else {
            chain[..crumbs_end]
                .iter()
                .map(|&i| Link { title: site.sections[i].section.title.clone(), path: site.sections[i].path.clone() })
                .collect()
        };
        let feed_path = self.feed_paths[section].clone();
        let search_lang = if site.settings.multilingual() { home.tree.code() } else { "" };
        let common = Common {
            lang: lang.code(),
            current_path: path,
            permalink: site.settings.permalink(path),
            menu,
            breadcrumbs,
            feed_path,
            home_path: &home.path,
            search_path: format!("{}{}", site.settings.language_root(home.tree), SEARCH_PATH.trim_start_matches('/')),
            search_lang,
        };
        // The base context is the same for every page of a language: its
        // fingerprint stands for it.
        let hash = || {
            let mut h = Fingerprint::default();
            h.add_u64(self.base_digest[&(lang, home.tree)]);
            let mut vars = Vars::Hash(h);
            vars.insert("common", &common);
            vars
        };
        if want == Want::Hash {
            return hash();
        }
        let mut ctx = self.base[&(lang, home.tree)].clone();
        if let Ok(extra) = tera::Context::from_serialize(&common) {
            ctx.extend(extra);
        }
        match (want, hash()) {
            (Want::Both, Vars::Hash(h)) => Vars::Both(ctx, h),
            _ => Vars::Context(ctx),
        }
    }

    /// Renders a template and makes its links relative to where it is written.
    fn finish(&self, prepared: &Prepared) -> Result<OutputFile, Diagnostic> {
        let Prepared { template, vars, path, file } = prepared;
        let template = template.as_str();
        let (Vars::Context(ctx) | Vars::Both(ctx, _)) = vars else {
            return Err(Diagnostic::new(file, "internal error: a fingerprint was rendered".to_string()));
        };
        let html = self.renderer.tera.render(template, ctx).map_err(|e| {
            let d = Diagnostic::new(file, format!("rendering `{template}` failed: {}", tera_message(&e)));
            if self.renderer.has_template(template) {
                d.hint("check the template's variables against docs/templates.md")
            } else {
                d.hint(format!(
                    "there is no template `{template}`; add it to `templates/` or remove the `template` setting"
                ))
            }
        })?;
        let out_path = output_path(path);
        let style = if out_path == "404.html" && !self.options.offline && !self.site.settings.base_url.is_empty() {
            LinkStyle::Absolute(&self.site.settings.base_url)
        } else {
            LinkStyle::Relative { offline: self.options.offline }
        };
        let mut html = links::rewrite(&html, &out_path, style);
        if let LinkStyle::Absolute(base) = style {
            html = self_contained(&html, base, &self.renderer.stylesheets);
        }
        Ok(OutputFile::new(out_path, html.into_bytes()))
    }
}

/// The 404 page as hosts serve it, at whatever address was asked for: its
/// stylesheets inline (so it is styled under `serve`, under any base path and
/// from `file://`, and fetches nothing), and a small script that points its links
/// at the site where it is read instead of `base` (the published address); without
/// the script they lead to the published site.
fn self_contained(html: &str, base: &str, stylesheets: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(html.len() + stylesheets.values().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(i) = rest.find("<link rel=\"stylesheet\" href=\"") {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        let tag = &rest[i..tag_end];
        let href = tag.split("href=\"").nth(1).and_then(|h| h.split('"').next()).unwrap_or_default();
        out.push_str(&rest[..i]);
        match href.strip_prefix(base).and_then(|path| stylesheets.get(path)) {
            // A stylesheet holds no `</style>`; one that did would end the element early.
            Some(css) if !css.contains("</style") => {
                out.push_str("<style>");
                out.push_str(css);
                out.push_str("</style>");
            }
            _ => out.push_str(tag),
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    let path = base.splitn(4, '/').nth(3).map_or("/".to_string(), |p| format!("/{p}"));
    let script = format!(
        "<script>(function(){{var b={},p={},r;if(location.protocol===\"file:\"){{r=location.href.replace(/[^\\/]*([?#].*)?$/,\"\")}}else if(location.pathname.indexOf(p)===0){{r=location.origin+p}}else{{r=location.origin+\"/\"}}if(r===b)return;document.querySelectorAll(\"[href],[action]\").forEach(function(e){{[\"href\",\"action\"].forEach(function(a){{var v=e.getAttribute(a);if(v&&v.indexOf(b)===0)e.setAttribute(a,r+v.slice(b.length))}})}})}})();</script>",
        script_json(&serde_json::Value::String(base.to_string())),
        script_json(&serde_json::Value::String(path)),
    );
    match out.rfind("</body>") {
        Some(i) => out.insert_str(i, &script),
        None => out.push_str(&script),
    }
    out
}

/// A template, its variables, and where the result goes.
struct Prepared {
    template: String,
    vars: Vars,
    /// Site-absolute path of the page.
    path: String,
    /// The source file, for messages.
    file: std::path::PathBuf,
}

impl Prepared {
    fn new(template: String, vars: Vars, path: &str, file: &std::path::Path) -> Prepared {
        Prepared { template, vars, path: path.to_string(), file: file.to_path_buf() }
    }

    /// A fingerprint of everything the render reads (see [`Memo`]); `None` unless
    /// prepared for hashing.
    fn fingerprint(&self) -> Option<u64> {
        let (Vars::Hash(h) | Vars::Both(_, h)) = &self.vars else { return None };
        let mut h = h.clone();
        h.add_str(&self.template);
        h.add_str(&self.path);
        Some(h.finish())
    }
}

/// Where a job's template variables go: a tera context to render with, a hash
/// of their JSON, which fingerprints them without building the context, or both.
enum Vars {
    Context(tera::Context),
    Hash(Fingerprint),
    Both(tera::Context, Fingerprint),
}

/// What [`Shared::prepare`] makes of a job's variables (see [`Vars`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Context,
    Hash,
    Both,
}

impl Vars {
    fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        match self {
            Vars::Context(ctx) => ctx.insert(key, value),
            Vars::Hash(h) => h.add(key, value),
            Vars::Both(ctx, h) => {
                ctx.insert(key, value);
                h.add(key, value);
            }
        }
    }
}

/// `/mandater/` → `mandater/index.html`; `/404.html` → `404.html`.
pub fn output_path(path: &str) -> String {
    let p = path.trim_start_matches('/');
    if p.is_empty() || p.ends_with('/') {
        format!("{p}index.html")
    } else {
        p.to_string()
    }
}

/// Page `n` (from 1) of a paginated section.
/// The paginator of page `page` (0-based) of a list of `len` items at `path`,
/// `per` to a page; `None` when the list is not paginated.
fn paginator(path: &str, len: usize, per: Option<usize>, page: usize) -> Option<PaginatorView> {
    per?;
    let total = page_count(len, per);
    let numbers = page_numbers(page + 1, total)
        .into_iter()
        .map(|(n, gap_before)| PaginatorNumber {
            number: n,
            path: paginated_path(path, n),
            current: n == page + 1,
            gap_before,
        })
        .collect();
    Some(PaginatorView {
        current: page + 1,
        total,
        previous: if page > 0 { paginated_path(path, page) } else { String::new() },
        next: if page + 1 < total { paginated_path(path, page + 2) } else { String::new() },
        numbers,
    })
}

/// The page numbers a paginator links to, each with whether pages are left out
/// before it: all of them up to nine pages, else the first, the last and two either
/// side of `current`. At most nine, so a list of N pages costs N paginators of a
/// fixed size, not N².
fn page_numbers(current: usize, total: usize) -> Vec<(usize, bool)> {
    let shown: Vec<usize> = if total <= 9 {
        (1..=total).collect()
    } else {
        let around = current.saturating_sub(2).max(1)..=current.saturating_add(2).min(total);
        let mut v: Vec<usize> = std::iter::once(1).chain(around).chain(std::iter::once(total)).collect();
        v.dedup();
        v
    };
    let mut previous = 0;
    shown
        .into_iter()
        .map(|n| {
            let gap = n > previous + 1;
            previous = n;
            (n, gap)
        })
        .collect()
}

fn paginated_path(section: &str, n: usize) -> String {
    if n <= 1 {
        section.to_string()
    } else {
        format!("{section}side/{n}/")
    }
}

/// A data file as templates see it: `{ name, columns, rows: [{ column: value }], provenance }`.
fn data_value(name: &str, file: &crate::data::DataFile) -> serde_json::Value {
    use crate::data::Cell;
    let t = &file.table;
    let rows: Vec<serde_json::Value> = (0..t.row_count())
        .map(|r| {
            let obj = t.columns.iter().enumerate().map(|(c, col)| {
                let v = match t.cell(r, c) {
                    Cell::Number(n) => serde_json::json!(n),
                    Cell::Text(s) => serde_json::json!(s),
                    Cell::Missing => serde_json::Value::Null,
                };
                (col.name.clone(), v)
            });
            serde_json::Value::Object(obj.collect())
        })
        .collect();
    serde_json::json!({ "name": name, "columns": &t.columns, "rows": rows, "provenance": &file.provenance })
}

/// JSON for a data block inside an HTML `<script>` element: `<`, `>` and `&` are
/// written as `\u003c`, `\u003e` and `\u0026`, so no text from the site (a title
/// with `</script>` or `<!--<script>`) can end the element early or open a comment
/// that swallows the page.
///
/// ```
/// let v = serde_json::json!({ "name": "Servicetorg <!--<script> & </script>" });
/// let out = innsyn::render::script_json(&v);
/// assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'));
/// assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), v);
/// ```
pub fn script_json(value: &serde_json::Value) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_rendered_in_runs_of_their_own() {
        let lens = |items: &[usize], limit| runs(items, |&w| w, limit).iter().map(|r| r.len()).collect::<Vec<_>>();
        assert_eq!(lens(&[1; 10], 4), [4, 4, 2]);
        // A list of 12 000 pages among pages: alone, and the pages around it in runs.
        assert_eq!(lens(&[1, 1, 12_000, 1, 1, 1], 2), [2, 1, 2, 1]);
        assert_eq!(lens(&[3, 3, 3], 5), [1, 1, 1]);
        assert!(runs(&[] as &[usize], |&w| w, 5).is_empty());
        let all = [2, 7, 1, 1, 9, 1];
        let cut: Vec<usize> = runs(&all, |&w| w, 3).into_iter().flat_map(|r| all[r].to_vec()).collect();
        assert_eq!(cut, all, "every item once, in order");
    }

    /// Issue 13: every page of a list linked to every other page, so 20 000 pages
    /// one to a page made 400 million links.
    #[test]
    fn a_paginator_links_to_at_most_nine_pages() {
        assert_eq!(page_numbers(1, 3), [(1, false), (2, false), (3, false)]);
        assert_eq!(
            page_numbers(50, 100),
            [(1, false), (48, true), (49, false), (50, false), (51, false), (52, false), (100, true)]
        );
        assert_eq!(page_numbers(1, 100), [(1, false), (2, false), (3, false), (100, true)]);
        for total in [1, 9, 10, 20_000, usize::MAX] {
            for current in [1, 2.min(total), (total / 2).max(1), total.saturating_sub(1).max(1), total] {
                let numbers = page_numbers(current, total);
                assert!(numbers.len() <= 9, "{current} of {total}: {numbers:?}");
                assert!(numbers.iter().any(|&(n, _)| n == current));
                assert!(numbers.windows(2).all(|w| w[0].0 < w[1].0));
            }
        }
    }

    #[test]
    fn load_data_gives_templates_typed_rows_by_column_name() {
        let table =
            crate::data::parse("data/a.csv", "kommune;år;verdi\nMeråker;2012;1 234,5\nTime;2020;..\n".as_bytes())
                .unwrap();
        let file = crate::data::DataFile { table, provenance: None, broken: false };
        let value = data_value("a.csv", &file);
        assert_eq!(value["name"], "a.csv");
        assert_eq!(value["columns"][2], serde_json::json!({ "name": "verdi", "kind": "number" }));
        assert_eq!(value["rows"][0], serde_json::json!({ "kommune": "Meråker", "år": 2012.0, "verdi": 1234.5 }));
        assert_eq!(value["rows"][1]["verdi"], serde_json::Value::Null);
    }
}
