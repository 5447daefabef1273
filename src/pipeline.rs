//! The order of the build's phases, and nothing else: scan → parse (in
//! parallel, all errors collected) → assemble → render (in parallel, beside the
//! search index) → lint (for `check`) → write. Each phase lives in its own module
//! (`scan`, `content` and `data`, `site`, `render`, `search`, `lint`, `output`);
//! see `docs/architecture.md`. Nothing is written unless every phase succeeded,
//! so a failed build leaves the previous output as it was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics};
use crate::file::OutputFile;
use crate::output::{self, WriteReport};
use crate::render::{self, RenderOptions, Renderer};
use crate::site::{self, Site};
use crate::{content, data, fsx, scan, theme};

/// What a run is for: it decides what the pipeline does besides building.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `innsyn build`: build and write the output folder.
    Build,
    /// `innsyn check`: build in memory and run the lints; write nothing.
    Check,
    /// `innsyn serve`: build in memory and keep fingerprints of every page, so
    /// a later edit re-renders only what it changed.
    Serve,
    /// `innsyn archive`: build in memory for the archive to pack.
    Archive,
}

/// What to build, and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site's folder, holding `config.toml`.
    pub root: PathBuf,
    /// Output folder; `root/public` when `None`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` of `config.toml`.
    pub base_url: Option<String>,
    /// Include pages marked `draft = true`.
    pub drafts: bool,
    /// Links to folders end in `index.html`, for reading from disk.
    pub offline: bool,
    /// What the run is for.
    pub mode: Mode,
    /// Write into an output folder that holds files innsyn did not write
    /// (`--force`); they are still never removed.
    pub force: bool,
}

impl Options {
    /// Options for `mode` on the site in `root`, everything else as by default.
    pub fn new(root: impl Into<PathBuf>, mode: Mode) -> Options {
        Options { root: root.into(), output: None, base_url: None, drafts: false, offline: false, mode, force: false }
    }

    /// The output folder: `--output`, or `public/` in the site.
    pub fn output_dir(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

/// What a build did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Pages in the site.
    pub pages: usize,
    /// Sections in the site, the home page included.
    pub sections: usize,
    /// SVG files made outside `data/`, i.e. charts.
    pub charts: usize,
    /// Data files read.
    pub data_files: usize,
    /// Terms in the search index.
    pub search_terms: usize,
    /// Bytes of the search index files.
    pub search_bytes: usize,
    /// Warnings: bytes of data files that are not text in their encoding (every
    /// run), and `check`'s lints (links, anchors, alt text, headings, link text).
    pub warnings: Vec<Diagnostic>,
    /// Files made for the output.
    pub files: usize,
    /// What writing changed, in [`Mode::Build`].
    pub written: WriteReport,
    /// The time each phase took, in order.
    pub phases: Vec<(&'static str, Duration)>,
    /// Time taken in all.
    pub elapsed: Duration,
}

/// Builds the site, and writes it in [`Mode::Build`].
pub fn build(options: &Options) -> Result<Summary, Diagnostics> {
    build_with_progress(options, &|_| {})
}

/// Like [`build`], telling `progress` the name of each phase as it starts
/// (the command line shows them on a terminal).
pub fn build_with_progress(options: &Options, progress: &dyn Fn(&str)) -> Result<Summary, Diagnostics> {
    let (mut summary, files, _) = make(options, progress)?;
    if options.mode == Mode::Build {
        progress("write");
        let start = Instant::now();
        let out = options.output_dir();
        output::check_target(&options.root, &out)?;
        summary.written = output::write(&out, &files, options.force)?;
        summary.phases.push(("write", start.elapsed()));
        summary.elapsed += start.elapsed();
    }
    Ok(summary)
}

/// Builds the site in memory: every output file, sorted by path, or every fault.
pub fn render_site(options: &Options) -> Result<(Summary, Vec<OutputFile>), Diagnostics> {
    make(options, &|_| {}).map(|(summary, files, _)| (summary, files))
}

/// What a build was made from, kept by a serve session for its next rebuild.
pub(crate) struct Parts {
    pub site: Site,
    pub renderer: std::sync::Arc<Renderer>,
    pub bodies: render::Bodies,
    pub views: render::structured::Views,
    pub render: RenderOptions,
    /// The paths of the search index's files.
    pub search_paths: Vec<String>,
    /// Each page's search analysis (kept only when fingerprints are asked for).
    pub search_pages: Vec<std::sync::Arc<crate::search::PageWords>>,
    /// The fingerprint of each HTML output (empty unless asked for).
    pub memo: render::Memo,
    /// The paths of the feeds and the sitemap.
    pub feed_paths: Vec<String>,
    /// Every file of `content/` the build read, by its path inside `content/`.
    pub content_files: Vec<String>,
}

const NEXT_PHASE: [(&str, &str); 5] = [
    ("scan", "parse"),
    ("parse", "assemble"),
    ("assemble", "markdown"),
    ("markdown", "render"),
    ("templates and search index", "feeds"),
];

/// The whole build in memory, with the parts it was made from.
pub(crate) fn make(
    options: &Options,
    progress: &dyn Fn(&str),
) -> Result<(Summary, Vec<OutputFile>, Parts), Diagnostics> {
    let start = Instant::now();
    let mut phases = Vec::new();
    progress("scan");
    let mut lap = |name: &'static str, since: &mut Instant| {
        phases.push((name, since.elapsed()));
        *since = Instant::now();
        if let Some((_, next)) = NEXT_PHASE.iter().find(|(n, _)| *n == name) {
            progress(next);
        }
    };
    let mut t = Instant::now();
    let root = options.root.as_path();

    let (settings, config_src) = scan::settings(root, options.base_url.as_deref())?;
    // Every phase runs on what the earlier ones could read, so one run reports
    // every fault; nothing is written unless there were none.
    let mut errors = Diagnostics::default();
    let scanned = scan::scan(root, &mut errors);
    lap("scan", &mut t);

    // Warnings about the input (control characters replaced, …): printed by build and check.
    let mut warnings = Vec::new();
    let (sections, pages, failed) = content::parse_all(root, &scanned, &mut errors, &mut warnings);
    let theme = theme::load(root, &settings, &config_src).map_err(|e| errors.extend(e.0)).ok();
    let renderer = theme.as_ref().and_then(|t| Renderer::new(t).map_err(|e| errors.extend(e.0)).ok());
    lap("parse", &mut t);

    let (mut site, assembly_errors) = site::assemble(settings, sections, pages, options.drafts, &failed);
    // Assembly's warnings (term spellings) do not fail the build.
    let (assembly_warnings, assembly_errors): (Vec<_>, Vec<_>) = assembly_errors.0.into_iter().partition(|d| d.warning);
    warnings.extend(assembly_warnings);
    errors.extend(assembly_errors);
    let (data, data_files) = data::load(root, &mut errors, &mut warnings);
    site.data = std::sync::Arc::new(data);
    lap("assemble", &mut t);

    let (Some(mut renderer), Some(theme)) = (renderer, theme) else {
        return Err(errors.into_result().unwrap_err());
    };
    renderer.register_data(&site.data);
    let bodies = match render::render_bodies(&site, &renderer) {
        Ok(b) => b,
        Err(e) => {
            errors.extend(e.0);
            return Err(errors.into_result().unwrap_err());
        }
    };
    lap("markdown", &mut t);
    errors.into_result()?;
    let render_options = RenderOptions { offline: options.offline, today: crate::dates::today() };
    // A dev server keeps every page's fingerprint for its next rebuild.
    let memo = (options.mode == Mode::Serve).then(render::Memo::new);
    // Templates and the search index need only the site and the bodies: they run
    // side by side, so the index's serial steps overlap the templates' work.
    let templates = || render::render_site(&site, &renderer, &bodies, render_options, memo.as_ref());
    let search = || {
        let start = Instant::now();
        let (index, stats, pages) = if !site.settings.search {
            (Vec::new(), crate::search::Stats::default(), Vec::new())
        } else if options.mode == Mode::Serve {
            let pages = crate::search::analyse_all(&site, &bodies);
            let (index, stats) = crate::search::build_from(&site, &pages);
            (index, stats, pages)
        } else {
            let (index, stats) = crate::search::build(&site, &bodies);
            (index, stats, Vec::new())
        };
        (index, stats, pages, start.elapsed())
    };
    let (rendered, (index, search_stats, search_pages, search_time)) = rayon::join(templates, search);
    let render::SiteFiles { mut files, views, memo, feed_paths } = rendered?;
    lap("templates and search index", &mut t);
    let search_paths = index.iter().map(|f| f.path.clone()).collect();
    files.extend(index);
    // The theme's search script and styles serve the search page only.
    let wanted = |path: &str| site.settings.search || !matches!(path, "search.js" | "search.css");
    files.extend(
        theme
            .static_files
            .into_iter()
            .filter(|(path, _)| wanted(path))
            .map(|(path, (_, bytes))| OutputFile::new(path, bytes)),
    );
    files.extend(render::assets::copy(root, &site, &scanned.assets)?);
    files.extend(data_files);
    output::check_unique(&mut files)?;
    // The last guard for well-formed markup: a control character that reached a
    // page, feed or chart in spite of the input's scrub (say, written as `\u000b`
    // in a TOML string) becomes a space.
    files.par_iter_mut().filter(|f| is_markup(&f.path)).for_each(|f| {
        fsx::scrub(Path::new(&f.path), &mut f.bytes, true);
    });
    lap("feeds and files", &mut t);
    let at = phases.iter().position(|(name, _)| *name == "feeds and files").unwrap_or(phases.len());
    phases.insert(at, ("  of which search index", search_time));
    // What the data files hold that may be read wrong is said on every build.
    warnings.extend(site.data.values().flat_map(|f| f.table.warnings.iter().cloned()));
    if options.mode == Mode::Check {
        warnings.extend(crate::lint::lint(&site, &bodies, &files));
    }

    let summary = Summary {
        pages: site.pages.len(),
        sections: site.sections.len(),
        search_terms: search_stats.terms,
        search_bytes: search_stats.bytes,
        charts: files.iter().filter(|f| f.path.ends_with(".svg") && !f.path.starts_with("data/")).count(),
        data_files: site.data.len(),
        warnings,
        files: files.len(),
        phases,
        elapsed: start.elapsed(),
        ..Summary::default()
    };
    let parts = Parts {
        site,
        renderer: std::sync::Arc::new(renderer),
        bodies,
        views,
        render: render_options,
        search_paths,
        search_pages,
        memo,
        feed_paths,
        content_files: scanned.files,
    };
    Ok((summary, files, parts))
}

/// Whether an output file is HTML, XML or SVG, which no control character may enter.
fn is_markup(path: &str) -> bool {
    [".html", ".xml", ".svg", ".xsl"].iter().any(|ext| path.ends_with(ext))
}
