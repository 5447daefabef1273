//! A build kept in memory between rebuilds, for `innsyn serve`.
//!
//! Most edits while writing change a page's text and nothing else. Such an edit —
//! the page's front matter and summary as they were — changes no other page, list,
//! feed or sitemap, so the session re-renders that page alone (its Markdown, its
//! charts, its HTML) and afterwards, separately, the search index. Any other change
//! (front matter, a new or removed file, a section, data, templates, static files,
//! the configuration) builds the whole site again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::content;
use crate::error::Diagnostics;
use crate::fsx;
use crate::output::OutputFile;
use crate::pipeline::{self, Options, Parts, Summary};
use crate::render;

/// What a rebuild changed.
#[derive(Debug)]
pub enum Update {
    /// The whole site, built again.
    Full { summary: Summary, files: Vec<OutputFile> },
    /// Only the pages in `pages` (site-absolute paths) were rendered again:
    /// `files` are new or changed, `removed` are gone. The search index is
    /// then out of date until [`Session::refresh_index`].
    Pages { pages: Vec<String>, files: Vec<OutputFile>, removed: Vec<String> },
    /// The changes touched nothing the site is built from (hidden files).
    Nothing,
}

/// The search index after edits: its files, and the paths it no longer has.
#[derive(Debug)]
pub struct IndexUpdate {
    pub files: Vec<OutputFile>,
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
    /// Pages were re-rendered since the search index was made.
    index_stale: bool,
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
    pub fn new(options: Options) -> Session {
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
                match edit_pages(kept, &self.root, &pages)? {
                    Edit::Done { page, files, removed } => {
                        kept.index_stale = true;
                        return Ok(Update::Pages { pages: vec![page], files, removed });
                    }
                    Edit::NeedsFullBuild => {}
                }
            }
        }
        let (summary, files, parts) = pipeline::make(&self.options, &|_| {}, false)?;
        let pages_by_file = parts
            .site
            .pages
            .iter()
            .enumerate()
            .map(|(i, node)| (fsx::canonical(&self.root.join(&node.page.file)), i))
            .collect();
        self.kept = Some(Kept { parts, pages_by_file, index_stale: false });
        Ok(Update::Full { summary, files })
    }

    /// The search index made again after [`Update::Pages`]; `None` when it is current.
    pub fn refresh_index(&mut self) -> Option<IndexUpdate> {
        let kept = self.kept.as_mut().filter(|k| k.index_stale)?;
        let parts = &mut kept.parts;
        let (files, _) = crate::search::build(&parts.site, &parts.bodies);
        let now: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let removed = parts.search_paths.iter().filter(|p| !now.contains(p.as_str())).cloned().collect();
        parts.search_paths = files.iter().map(|f| f.path.clone()).collect();
        kept.index_stale = false;
        Some(IndexUpdate { files, removed })
    }

    /// Editors' swap and backup files and other hidden files are not part of the
    /// site (the scan skips them too).
    fn is_hidden(&self, path: &Path) -> bool {
        let inside = path.strip_prefix(&self.root).or_else(|_| path.strip_prefix(&self.options.root)).unwrap_or(path);
        inside.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    }
}

/// The pages `changed` names, when every change is to the text of a published
/// page that still exists; otherwise `None`.
fn edited_pages(kept: &Kept, changed: &[PathBuf]) -> Option<Vec<usize>> {
    let mut pages: Vec<usize> = Vec::new();
    for path in changed {
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
    let parts = &mut kept.parts;
    let node = &parts.site.pages[i];
    let src = fsx::read_text(root, &root.join(&node.page.file))?;
    let mut page = content::parse_page(&node.page.file, &node.page.content_path, &src)?;
    if page.front_matter != node.page.front_matter {
        return Ok(Edit::NeedsFullBuild);
    }
    let (body, made) = parts.renderer.render_body(&parts.site, &page.file, &page.body, node.lang, &node.path)?;
    if body.summary != parts.bodies.pages[i].summary {
        return Ok(Edit::NeedsFullBuild);
    }

    // Render the page with its new body; put the old one back if that fails.
    let old_body = std::mem::replace(&mut parts.bodies.pages[i], body);
    let html = render::render_page(&parts.site, &parts.renderer, &parts.bodies, &parts.views, parts.render, i);
    let html = match html {
        Ok(html) => html,
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
    let mut files = vec![html];
    files.extend(parts.bodies.page_files[i].iter().cloned());
    Ok(Edit::Done { page: parts.site.pages[i].path.clone(), files, removed })
}
