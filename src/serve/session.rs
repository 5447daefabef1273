//! A build kept in memory between rebuilds, for `innsyn serve`.
//!
//! Most edits while writing change a page's text and nothing else. Such an edit —
//! the page's front matter and summary as they were — changes no other page, list,
//! feed or sitemap, so the session re-renders that page alone (its Markdown, its
//! charts, its HTML) and afterwards, separately, the search index.
//!
//! An edit of pages' front matter or summaries re-reads only those files and
//! assembles the site again from the kept pages; bodies are rendered again only for
//! the edited pages and pages whose shortcodes read other pages, and an HTML file
//! only when its template context changed (its fingerprint, see
//! [`render::Memo`]): a title edit re-renders the page, its neighbours, lists and
//! feeds, not the site. Other changes (a new or removed file, a section, data,
//! templates, static files, the configuration) build the whole site again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::content::{self, Page};
use crate::error::Diagnostics;
use crate::file::OutputFile;
use crate::fsx;
use crate::pipeline::{self, Options, Parts, Summary};
use crate::{render, site};

/// What a rebuild changed.
#[derive(Debug)]
pub enum Update {
    /// The whole site, built again.
    Full {
        /// What the build did.
        summary: Summary,
        /// Every output file of the site.
        files: Vec<OutputFile>,
    },
    /// Only the pages in `pages` (site-absolute paths) were rendered again:
    /// `files` are new or changed, `removed` are gone. The search index is
    /// then out of date until [`Session::refresh_index`].
    Pages {
        /// Site-absolute paths of the pages rendered again.
        pages: Vec<String>,
        /// Output files that are new or changed.
        files: Vec<OutputFile>,
        /// Paths of output files that are gone.
        removed: Vec<String>,
    },
    /// The changes touched nothing the site is built from (hidden files).
    Nothing,
}

/// The search index after edits: its files, and the paths it no longer has.
#[derive(Debug)]
pub struct IndexUpdate {
    /// The search index files, all of them.
    pub files: Vec<OutputFile>,
    /// Output paths of index files the index no longer has.
    pub removed: Vec<String>,
}

/// The last good build and what it was made from.
pub struct Session {
    options: Options,
    /// The site root, canonical, so paths from file-system events compare.
    root: PathBuf,
    kept: Option<Kept>,
    /// Changes of rebuilds that failed: they count again until one succeeds, so
    /// a broken file stays reported while another is edited.
    pending: Vec<PathBuf>,
}

struct Kept {
    parts: Parts,
    /// Published page files (canonical) → page index.
    pages_by_file: HashMap<PathBuf, usize>,
    /// The canonical `content/` folder, and every file in it the build read.
    content_dir: PathBuf,
    content_files: HashSet<PathBuf>,
    /// Pages whose search analysis must be made again (all when `None`); the
    /// index is current when there are none.
    reanalyse: Option<HashSet<usize>>,
}

impl Kept {
    fn new(parts: Parts, root: &Path) -> Kept {
        let pages_by_file = parts
            .site
            .pages
            .iter()
            .enumerate()
            // Generated pages live in their section's `_index.md`: an edit of it builds all.
            .filter(|(_, node)| !node.page.generated)
            .map(|(i, node)| (fsx::canonical(&root.join(&node.page.file)), i))
            .collect();
        let content_dir = fsx::canonical(&root.join("content"));
        let content_files = parts.content_files.iter().map(|rel| content_dir.join(rel)).collect();
        Kept { parts, pages_by_file, content_dir, content_files, reanalyse: Some(HashSet::new()) }
    }

    /// The files a rebuild after page edits makes again: HTML, feeds, charts.
    fn generated(&self) -> HashSet<String> {
        let p = &self.parts;
        p.memo.keys().chain(&p.feed_paths).chain(p.bodies.files().map(|f| &f.path)).cloned().collect()
    }
}

/// What came of handling an edit on its own.
enum Edit {
    /// The page's files, rendered again.
    Done { page: String, files: Vec<OutputFile>, removed: Vec<String> },
    /// The edit changes what other pages show: build everything.
    NeedsFullBuild,
}

impl Session {
    /// A session that has built nothing yet; the first [`Session::rebuild`] builds all.
    /// It builds as `serve` does, whatever `options.mode` says.
    pub fn new(options: Options) -> Session {
        // Fingerprints of every page, for the rebuilds after edits.
        let options = Options { mode: pipeline::Mode::Serve, ..options };
        let root = fsx::canonical(&options.root);
        Session { options, root, kept: None, pending: Vec::new() }
    }

    /// Builds what `changed` (paths from file-system events; empty for "everything")
    /// requires. On errors the last good build is kept and the errors returned.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Update, Diagnostics> {
        let mut changed: Vec<PathBuf> = changed.iter().filter(|p| !self.is_hidden(p)).cloned().collect();
        changed.append(&mut self.pending);
        changed.sort();
        changed.dedup();
        let update = self.update(&changed);
        if update.is_err() {
            self.pending = changed;
        }
        update
    }

    fn update(&mut self, changed: &[PathBuf]) -> Result<Update, Diagnostics> {
        if let Some(kept) = &mut self.kept {
            if changed.is_empty() {
                return Ok(Update::Nothing);
            }
            if let Some(pages) = edited_pages(kept, changed) {
                if pages.is_empty() {
                    return Ok(Update::Nothing);
                }
                if let Edit::Done { page, files, removed } = edit_pages(kept, &self.root, &pages)? {
                    if let (Some(set), Some(&i)) = (kept.reanalyse.as_mut(), pages.first()) {
                        set.insert(i);
                    }
                    return Ok(Update::Pages { pages: vec![page], files, removed });
                }
                if let Some((next, update)) = reassemble(kept, &self.root, &pages, &self.options)? {
                    self.kept = Some(next);
                    return Ok(update);
                }
            }
        }
        let (summary, files, parts) = pipeline::make_kept(&self.options, &|_| {})?;
        self.kept = Some(Kept::new(parts, &self.root));
        Ok(Update::Full { summary, files })
    }

    /// The search index made again after [`Update::Pages`]; `None` when it is current.
    pub fn refresh_index(&mut self) -> Option<IndexUpdate> {
        let kept = self.kept.as_mut().filter(|k| k.reanalyse.as_ref().is_none_or(|pages| !pages.is_empty()))?;
        let parts = &mut kept.parts;
        if !parts.site.settings.search {
            kept.reanalyse = Some(HashSet::new());
            return None;
        }
        match kept.reanalyse.take() {
            Some(pages) if parts.search_pages.len() == parts.site.pages.len() => {
                for i in pages {
                    let words = crate::search::analyse(&parts.site, i, &parts.bodies.pages[i].html, &parts.vocabulary);
                    parts.search_pages[i] = std::sync::Arc::new(words);
                }
            }
            _ => parts.search_pages = crate::search::analyse_all(&parts.site, &parts.bodies, &parts.vocabulary),
        }
        kept.reanalyse = Some(HashSet::new());
        let (files, _) = crate::search::build_from(&parts.site, &parts.search_pages, &parts.vocabulary);
        let now: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let removed = parts.search_paths.iter().filter(|p| !now.contains(p.as_str())).cloned().collect();
        parts.search_paths = files.iter().map(|f| f.path.clone()).collect();
        Some(IndexUpdate { files, removed })
    }

    /// Editors' swap and backup files and other hidden files are not part of the
    /// site (the scan skips them too).
    fn is_hidden(&self, path: &Path) -> bool {
        let inside = path.strip_prefix(&self.root).or_else(|_| path.strip_prefix(&self.options.root)).unwrap_or(path);
        inside.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    }
}

/// The pages `changed` names, when every change is to a published page that
/// still exists; otherwise `None`. A file that came and went unseen (an editor's
/// temporary file, saved and renamed over the page) is no change.
fn edited_pages(kept: &Kept, changed: &[PathBuf]) -> Option<Vec<usize>> {
    let mut pages: Vec<usize> = Vec::new();
    for path in changed {
        if !path.exists() {
            let folder = path.parent().map(fsx::canonical).unwrap_or_default();
            let was = folder.join(path.file_name().unwrap_or_default());
            if kept.content_files.contains(&was) || !was.starts_with(&kept.content_dir) {
                return None;
            }
            continue;
        }
        if !path.is_file() {
            return None;
        }
        pages.push(*kept.pages_by_file.get(&fsx::canonical(path))?);
    }
    pages.sort_unstable();
    pages.dedup();
    Some(pages)
}

/// Re-renders edited pages alone when their front matter and summary are as
/// they were. Nothing is changed unless every page succeeds.
fn edit_pages(kept: &mut Kept, root: &Path, pages: &[usize]) -> Result<Edit, Diagnostics> {
    // Several files at once (a branch switch, a search-and-replace) are rare
    // enough to build in full.
    let &[i] = pages else { return Ok(Edit::NeedsFullBuild) };
    // Templates that read other pages (`get_page`, …) may show this one anywhere.
    if kept.parts.renderer.reads_site() {
        return Ok(Edit::NeedsFullBuild);
    }
    let parts = &mut kept.parts;
    let node = &parts.site.pages[i];
    let src = fsx::read_text(root, &root.join(&node.page.file))?;
    let mut page = content::parse_page(&node.page.file, &node.page.content_path, &src)?;
    if page.front_matter != node.page.front_matter {
        return Ok(Edit::NeedsFullBuild);
    }
    let (body, made) = parts.renderer.render_body(&parts.site, &page.file, &page.body, node.lang, &node.path)?;
    // An image no page showed before needs its variants made: a full build does
    // that (from the cache, for the others).
    if body.summary != parts.bodies.pages[i].summary || parts.site.images.pending() {
        return Ok(Edit::NeedsFullBuild);
    }

    // Render the page with its new body; put the old one back if that fails.
    let old_body = std::mem::replace(&mut parts.bodies.pages[i], body);
    let html = render::render_page(&parts.site, &parts.renderer, &parts.bodies, &parts.views, parts.render, i);
    let (html, fingerprint) = match html {
        Ok(done) => done,
        Err(d) => {
            parts.bodies.pages[i] = old_body;
            return Err(d.into());
        }
    };
    page.assets = std::mem::take(&mut parts.site.pages[i].page.assets);
    parts.site.pages[i].page = page;
    let old_files = std::mem::replace(&mut parts.bodies.page_files[i], made);
    let now: HashSet<&str> = parts.bodies.page_files[i].iter().map(|f| f.path.as_str()).collect();
    let removed = old_files.iter().filter(|f| !now.contains(f.path.as_str())).map(|f| f.path.clone()).collect();
    parts.memo.insert(html.path.clone(), fingerprint);
    let mut files = vec![html];
    files.extend(parts.bodies.page_files[i].iter().cloned());
    Ok(Edit::Done { page: parts.site.pages[i].path.clone(), files, removed })
}

/// Assembles the site again with the edited pages read anew and the others as
/// kept, and renders what changed (see the module's documentation). `None` when
/// the new site has faults: a full build then reports them exactly as `build` does.
fn reassemble(
    kept: &Kept,
    root: &Path,
    pages: &[usize],
    options: &pipeline::Options,
) -> Result<Option<(Kept, Update)>, Diagnostics> {
    let old = &kept.parts;
    let mut edited: HashMap<usize, Page> = HashMap::new();
    let mut errors = Diagnostics::default();
    for &i in pages {
        let node = &old.site.pages[i];
        let page = fsx::read_text(root, &root.join(&node.page.file))
            .map_err(Diagnostics::from)
            .and_then(|src| content::parse_page(&node.page.file, &node.page.content_path, &src));
        match page {
            Ok(mut page) => {
                page.assets = node.page.assets.clone();
                edited.insert(i, page);
            }
            Err(e) => errors.extend(e.0),
        }
    }
    errors.into_result()?;
    let all: Vec<Page> =
        old.site.pages.iter().enumerate().map(|(i, n)| edited.remove(&i).unwrap_or_else(|| n.page.clone())).collect();
    let sections = old.site.sections.iter().map(|s| s.section.clone()).collect();
    let publish = site::Publish { drafts: options.drafts, future: options.future, today: crate::dates::today() };
    let (mut site, faults) = site::assemble(old.site.settings.clone(), sections, all, publish, &[]);
    if faults.0.iter().any(|d| !d.warning) {
        return Ok(None);
    }
    site.data = std::sync::Arc::clone(&old.site.data);
    site.images = std::sync::Arc::clone(&old.site.images);

    // Bodies depend on other pages through `@/` links (their paths) and the
    // shortcodes that read pages; with every path as it was, the rest are kept.
    let same_paths = site.pages.len() == old.site.pages.len()
        && site.pages.iter().zip(&old.site.pages).all(|(a, b)| a.path == b.path)
        && site.sections.len() == old.site.sections.len()
        && site.sections.iter().zip(&old.site.sections).all(|(a, b)| a.path == b.path);
    // Where a bundle's images are published follows its page's path: a moved
    // bundle with files beside it needs the images placed again.
    let bundle_moved = site.pages.len() != old.site.pages.len()
        || site.pages.iter().zip(&old.site.pages).any(|(a, b)| a.path != b.path && !a.page.assets.is_empty());
    if !same_paths && bundle_moved && !site.images.is_empty() {
        return Ok(None);
    }
    old.renderer.set_site(&site, same_paths.then_some(&old.bodies))?;
    let bodies = if same_paths {
        render::rerender_bodies(&site, &old.renderer, &old.bodies, &|i| pages.contains(&i))?
    } else {
        render::render_bodies(&site, &old.renderer)?
    };
    if site.images.pending() {
        return Ok(None);
    }
    old.renderer.set_site(&site, Some(&bodies))?;
    let render::SiteFiles { files, views, memo, feed_paths } =
        render::render_site(&site, &old.renderer, &bodies, old.render, Some(&old.memo))?;

    let edited_paths = pages.iter().filter_map(|&i| old.site.pages.get(i)).map(|n| n.page.file.clone());
    let edited_paths: HashSet<PathBuf> = edited_paths.collect();
    let page_paths =
        site.pages.iter().filter(|n| edited_paths.contains(&n.page.file)).map(|n| n.path.clone()).collect();
    let renderer = std::sync::Arc::clone(&old.renderer);
    let parts = Parts {
        site,
        renderer,
        bodies,
        views,
        render: old.render,
        search_paths: old.search_paths.clone(),
        search_pages: old.search_pages.clone(),
        vocabulary: std::sync::Arc::clone(&old.vocabulary),
        memo,
        feed_paths,
        content_files: old.content_files.clone(),
    };
    let mut next = Kept::new(parts, root);
    // Other pages' analyses stand while every page keeps its place.
    next.reanalyse = match &kept.reanalyse {
        Some(pending) if same_paths => {
            let site = &next.parts.site;
            let read_pages =
                (0..site.pages.len()).filter(|&i| next.parts.renderer.reads_pages(&site.pages[i].page.body));
            Some(pending.iter().chain(pages).copied().chain(read_pages).collect())
        }
        _ => None,
    };
    let now = next.generated();
    let removed = kept.generated().into_iter().filter(|p| !now.contains(p)).collect();
    Ok(Some((next, Update::Pages { pages: page_paths, files, removed })))
}
