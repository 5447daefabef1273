//! The order of the build's phases, and nothing else: scan → parse (in
//! parallel, all errors collected) → assemble → bodies (in batches, with each
//! page's search analysis) → templates (in batches, each handed to the write
//! phase as it is made) → search index → lint (for `check`) → write. Each phase
//! lives in its own module (`scan`, `content` and `data`, `site`, `render`,
//! `search`, `lint`, `output`); see `docs/architecture.md`. A batch is staged in
//! temporary files; nothing of the previous output changes unless every phase
//! succeeded, so a failed build leaves it as it was.

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
    /// Include pages dated after the build's date (`--future`).
    pub future: bool,
    /// In [`Mode::Check`], also ask other sites whether the links to them
    /// answer, within these limits (`check --external`).
    pub external: Option<crate::external::Limits>,
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
        Options {
            root: root.into(),
            output: None,
            base_url: None,
            drafts: false,
            future: false,
            external: None,
            offline: false,
            mode,
            force: false,
        }
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
    /// Files the build before wrote into the output folder that were left as
    /// they are, not made again: pages and the search index (see [`render::reuse`]).
    pub reused: usize,
    /// The time each phase took, in order.
    pub phases: Vec<(&'static str, Duration)>,
    /// Time taken in all.
    pub elapsed: Duration,
    /// The images pages show, and their variants: how many made, how many
    /// taken from the cache.
    pub images: crate::images::Stats,
    /// Pages left out because they are dated after the build's date (without
    /// `--future`), with their dates, in file order.
    pub held_back: Vec<site::HeldBack>,
}

/// Builds the site, and writes it in [`Mode::Build`].
pub fn build(options: &Options) -> Result<Summary, Diagnostics> {
    build_with_progress(options, &|_| {})
}

/// Like [`build`], telling `progress` the name of each phase as it starts
/// (the command line shows them on a terminal).
pub fn build_with_progress(options: &Options, progress: &dyn Fn(&str)) -> Result<Summary, Diagnostics> {
    if options.mode != Mode::Build {
        // `check` (and the others, called here) keep no file: they are looked at as they come.
        let mut sink = Sink::Paths(std::collections::HashSet::new(), Diagnostics::default());
        return make(options, progress, &mut sink).map(|(summary, _)| summary);
    }
    // The folder is looked at first, so a refused one costs no build; nothing in
    // it changes before the whole site is made (see `output::Stage`).
    let out = options.output_dir();
    let stage = output::check_target(&options.root, &out)
        .map_err(Diagnostics::from)
        .and_then(|()| output::Stage::begin(&out, options.force));
    let stage = match stage {
        Ok(stage) => stage,
        Err(refused) => {
            // The faults of the site come first: the folder matters only to a
            // site that builds.
            let mut sink = Sink::Paths(std::collections::HashSet::new(), Diagnostics::default());
            make(options, progress, &mut sink)?;
            return Err(refused);
        }
    };
    let writer = output::Writer::start(stage);
    let mut sink = Sink::Stage(Box::new(Staging { writer, reused: None }));
    let made = make(options, progress, &mut sink);
    let Sink::Stage(staging) = sink else { unreachable!("the sink stays a stage") };
    let Staging { writer, reused } = *staging;
    let stage = writer.stage();
    let (mut summary, _) = match made {
        Ok(made) => made,
        Err(e) => {
            // Nothing of the previous output changed: take back what was staged.
            stage.abandon();
            return Err(e);
        }
    };
    progress("write");
    let start = Instant::now();
    summary.written = stage.finish()?;
    // What the next build into this folder may leave as it is.
    if let Some((previous, fingerprints, index)) = reused {
        previous.save(&out, &fingerprints, index);
    }
    summary.phases.push(("write", start.elapsed()));
    summary.elapsed += start.elapsed();
    Ok(summary)
}

/// Builds the site in memory: every output file, sorted by path, or every fault.
pub fn render_site(options: &Options) -> Result<(Summary, Vec<OutputFile>), Diagnostics> {
    let mut sink = Sink::Keep(Vec::new());
    let (summary, _) = make(options, &|_| {}, &mut sink)?;
    let Sink::Keep(files) = sink else { unreachable!("the sink stays a list") };
    Ok((summary, files))
}

/// Where a build's files go as they are made: kept in memory (sorted and checked
/// for two at one path when the build ends), or staged into the output folder
/// batch by batch.
pub(crate) enum Sink {
    /// Every file, kept.
    Keep(Vec<OutputFile>),
    /// Written to temporary files as they come, by a thread of its own (see
    /// [`output::Writer`]).
    Stage(Box<Staging>),
    /// Only their paths kept, to find two files at one path.
    Paths(std::collections::HashSet<String>, Diagnostics),
}

impl Sink {
    fn take(&mut self, mut files: Vec<OutputFile>, count: &mut Count) {
        // The last guard for well-formed markup: a control character that reached a
        // page, feed or chart in spite of the input's scrub (say, written as `\u000b`
        // in a TOML string) becomes a space.
        files.par_iter_mut().filter(|f| is_markup(&f.path)).for_each(|f| {
            fsx::scrub(Path::new(&f.path), &mut f.bytes, true);
        });
        count.files += files.len();
        count.charts += files.iter().filter(|f| f.path.ends_with(".svg") && !f.path.starts_with("data/")).count();
        match self {
            Sink::Keep(all) => all.extend(files),
            Sink::Stage(staging) => staging.writer.add(files),
            Sink::Paths(paths, errors) => {
                for f in files {
                    if !output::safe_relative(&f.path) {
                        errors.push(output::outside(&f.path));
                    } else if paths.contains(&f.path) {
                        errors.push(output::two_at_one_path(&f.path));
                    } else {
                        paths.insert(f.path);
                    }
                }
            }
        }
    }
}

/// A build's writing into its output folder, and what it may keep there of
/// the build before.
pub(crate) struct Staging {
    writer: output::Writer,
    /// The pages the build before wrote, and this build's fingerprints: saved
    /// when the build is written (see [`render::reuse`]).
    reused: Option<(render::reuse::Previous, render::Memo, Option<render::reuse::Index>)>,
}

/// Files made so far, for the summary.
#[derive(Default)]
struct Count {
    files: usize,
    charts: usize,
    reused: usize,
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
    /// The words the analyses name by number.
    pub vocabulary: std::sync::Arc<crate::search::Vocabulary>,
    /// The fingerprint of each HTML output (empty unless asked for).
    pub memo: render::Memo,
    /// The paths of the feeds and the sitemap.
    pub feed_paths: Vec<String>,
    /// Every file of `content/` the build read, by its path inside `content/`.
    pub content_files: Vec<String>,
}

const NEXT_PHASE: [(&str, &str); 7] = [
    ("scan", "parse"),
    ("parse", "assemble"),
    ("assemble", "markdown"),
    ("markdown", "images"),
    ("images", "render"),
    ("templates", "search index"),
    ("search index", "feeds"),
];

/// The whole build in memory (a dev server's), with the parts it was made from.
pub(crate) fn make_kept(
    options: &Options,
    progress: &dyn Fn(&str),
) -> Result<(Summary, Vec<OutputFile>, Parts), Diagnostics> {
    let mut sink = Sink::Keep(Vec::new());
    let (summary, parts) = make(options, progress, &mut sink)?;
    let Sink::Keep(files) = sink else { unreachable!("the sink stays a list") };
    let parts = parts.expect("a dev server's build keeps its parts");
    Ok((summary, files, parts))
}

/// The whole build, its files handed to `sink` as they are made; in
/// [`Mode::Serve`] with the parts it was made from. Every input is read and every
/// body rendered before the first file is made; after that, pages are rendered in
/// batches and only a batch is held at a time.
fn make(options: &Options, progress: &dyn Fn(&str), sink: &mut Sink) -> Result<(Summary, Option<Parts>), Diagnostics> {
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
    let serving = options.mode == Mode::Serve;

    let (settings, config_src) = scan::settings(root, options.base_url.as_deref())?;
    // Every phase runs on what the earlier ones could read, so one run reports
    // every fault; nothing is written unless there were none.
    let mut errors = Diagnostics::default();
    let scanned = scan::scan(root, &mut errors);
    lap("scan", &mut t);

    // Warnings about the input (control characters replaced, …): printed by build and check.
    let mut warnings = Vec::new();
    // A build that keeps nothing for later reads each page's text again when it
    // renders it, so the whole site's text is never held at once.
    let (sections, pages, failed) = content::parse_all(root, &scanned, serving, &mut errors, &mut warnings);
    let theme = theme::load(root, &settings, &config_src).map_err(|e| errors.extend(e.0)).ok();
    let renderer = theme.as_ref().and_then(|t| Renderer::new(t).map_err(|e| errors.extend(e.0)).ok());
    lap("parse", &mut t);

    // Data comes before the site: a section's `[generate]` makes pages from it.
    let (data, data_files) = data::load(root, &mut errors, &mut warnings);
    let mut pages = pages;
    pages.extend(content::generate::pages(&sections, &pages, &data, &mut errors));
    let publish = site::Publish { drafts: options.drafts, future: options.future, today: crate::dates::today() };
    let (mut site, assembly_errors) = site::assemble(settings, sections, pages, publish, &failed);
    // Assembly's warnings (term spellings) do not fail the build.
    let (assembly_warnings, assembly_errors): (Vec<_>, Vec<_>) = assembly_errors.0.into_iter().partition(|d| d.warning);
    warnings.extend(assembly_warnings);
    errors.extend(assembly_errors);
    site.data = std::sync::Arc::new(data);
    lap("assemble", &mut t);

    let (Some(mut renderer), Some(theme)) = (renderer, theme) else {
        return Err(errors.into_result().unwrap_err());
    };
    renderer.register_data(&site.data);
    site.images = std::sync::Arc::new(render::images::catalogue(root, &site, &scanned.assets, &theme.static_files));
    renderer.set_site(&site, None)?;
    // Each page's search analysis and (for `check`) what the lints say of its
    // body, made while its Markdown and HTML are at hand; a build that keeps
    // nothing for later then drops the Markdown, batch by batch.
    let checking = options.mode == Mode::Check;
    let vocabulary = std::sync::Arc::new(crate::search::Vocabulary::default());
    let mut search_pages = Vec::new();
    let mut lints = Vec::new();
    let mut count = Count::default();
    // Outside a dev server, a page's search entry is written with its analysis.
    let mut entry_bytes = 0;
    // `check`'s link check sees every file made, the search entries too.
    let mut links = (options.mode == Mode::Check).then(crate::lint::Links::default);
    // A build into a folder keeps what it renders for the next (see
    // `render::reuse` and `render::body_cache`), unless the templates depend on
    // more than their input.
    let reuse_key = match &*sink {
        Sink::Stage(_) => {
            let today = crate::dates::today().to_string();
            let flags = [
                if options.offline { "offline" } else { "" },
                if options.drafts { "drafts" } else { "" },
                if options.future { "future" } else { "" },
                options.base_url.as_deref().unwrap_or(""),
                today.as_str(),
            ];
            render::reuse::key(&theme, &config_src, &flags).filter(|_| !renderer.reads_site())
        }
        _ => None,
    };
    // Not for a site with faults: a page that could not be read is missing from
    // the key, and every fault must be found again in the next run.
    let body_cache = reuse_key.filter(|_| errors.is_empty()).map(|key| {
        render::body_cache::BodyCache::new(
            root,
            render::body_cache::global_key(key, &site, &data_files, &scanned.assets),
        )
    });
    // Search analyses made anew, not taken from the cache.
    let mut fresh_analyses = 0;
    // A site already known to have faults will not be written: its pages'
    // search entries are not staged in the output folder either.
    let writing = errors.is_empty();
    let mut done =
        |site: &Site, first: usize, bodies: &[crate::markdown::Rendered], kept: &[Option<render::Kept<'_>>]| {
            let mut blobs = vec![None; bodies.len()];
            if site.settings.search {
                // Each page's analysis: from the cache, or made now (and then kept as
                // bytes for the cache too).
                let made: Vec<(crate::search::PageWords, bool)> = bodies
                    .par_iter()
                    .enumerate()
                    .map(|(i, body)| {
                        let kept = kept.get(i).copied().flatten();
                        if let Some(words) = kept.and_then(|k| crate::search::from_blob(k.words, &vocabulary)) {
                            return (words, false);
                        }
                        let html = match kept {
                            Some(k) => std::borrow::Cow::Owned(render::unpack(k.packed)),
                            None => std::borrow::Cow::Borrowed(body.html.as_str()),
                        };
                        (crate::search::analyse(site, first + i, &html, &vocabulary), true)
                    })
                    .collect();
                fresh_analyses += made.iter().filter(|m| m.1).count();
                if body_cache.is_some() {
                    let fresh: Vec<&crate::search::PageWords> = made.iter().filter(|m| m.1).map(|m| &m.0).collect();
                    let mut encoded = crate::search::to_blobs(&fresh, &vocabulary).into_iter();
                    for (slot, m) in blobs.iter_mut().zip(&made) {
                        if m.1 {
                            *slot = encoded.next();
                        }
                    }
                }
                let analysed: Vec<_> = made
                    .into_par_iter()
                    .enumerate()
                    .map(|(i, (mut words, _))| {
                        let entry = (!serving).then(|| crate::search::entry_file(first + i, &mut words));
                        (std::sync::Arc::new(words), entry)
                    })
                    .collect();
                let mut entries = Vec::new();
                for (words, entry) in analysed {
                    search_pages.push(words);
                    entries.extend(entry);
                }
                entry_bytes += entries.iter().map(|f| f.bytes.len()).sum::<usize>();
                if let Some(links) = links.as_mut() {
                    links.add(&entries);
                }
                if writing {
                    sink.take(entries, &mut count);
                }
            }
            if checking {
                for (i, body) in bodies.iter().enumerate() {
                    lints.extend(crate::lint::page_content(site, first + i, body));
                }
            }
            blobs
        };
    let bodies = render::render_bodies_forgetting(
        &mut site,
        &renderer,
        (!serving).then_some(root),
        body_cache.as_ref(),
        &mut done,
    );
    lap("markdown", &mut t);
    // Every image a body shows, in its variants (made in parallel, or from the
    // cache), even when a body failed: one run names every fault.
    let (image_files, image_stats) = site.images.process().unwrap_or_else(|e| {
        errors.extend(e.0);
        Default::default()
    });
    lap("images", &mut t);
    let bodies = match bodies {
        Ok(b) => b,
        Err(e) => {
            errors.extend(e.0);
            return Err(errors.into_result().unwrap_err());
        }
    };
    errors.into_result()?;
    if checking {
        lints.extend(crate::lint::section_content(&site, &bodies));
    }

    let render_options = RenderOptions { offline: options.offline, today: crate::dates::today() };
    renderer.set_site(&site, Some(&bodies))?;
    // A dev server keeps every page's fingerprint for its next rebuild; a build
    // into a folder reuses the pages the build before wrote there unchanged.
    let previous = match &*sink {
        Sink::Stage(staging) => render::reuse::Previous::load(root, &options.output_dir(), reuse_key, &|path: &str| {
            staging.writer.ours(path)
        }),
        _ => render::reuse::Previous::default(),
    };
    let memo = if serving { Some(render::Memo::new()) } else { previous.wanted().then(|| previous.memo()) };
    let mut emit = |files: Vec<OutputFile>| {
        if let Some(links) = links.as_mut() {
            links.add(&files);
        }
        sink.take(files, &mut count);
    };
    let (views, mut memo, feed_paths) =
        render::render_site_into(&site, &renderer, &bodies, render_options, memo.as_ref(), &mut emit)?;
    lap("templates", &mut t);

    // The index needs the pages' analyses only: the rendered bodies can go first.
    let bodies = if serving { Some(bodies) } else { None };
    // With every page's analysis from the cache, the index is the one the build
    // before wrote, when its files are still there as written.
    let index_key = body_cache.as_ref().map(render::body_cache::BodyCache::global).filter(|_| site.settings.search);
    let kept_index = index_key.filter(|_| fresh_analyses == 0).and_then(|key| previous.index(key)).cloned();
    let (index, search_stats) = match &kept_index {
        Some(kept) => (Vec::new(), crate::search::Stats { terms: kept.terms, bytes: kept.bytes }),
        None if site.settings.search => crate::search::build_from(&site, &search_pages, &vocabulary),
        None => (Vec::new(), crate::search::Stats::default()),
    };
    let search_paths: Vec<String> = match &kept_index {
        Some(kept) => kept.paths.clone(),
        None => index.iter().map(|f| f.path.clone()).collect(),
    };
    let index_record = index_key.map(|key| render::reuse::Index {
        key,
        paths: search_paths.clone(),
        terms: search_stats.terms,
        bytes: search_stats.bytes,
    });
    emit(index);
    lap("search index", &mut t);

    // The theme's search script and styles serve the search page only.
    let wanted = |path: &str| site.settings.search || !matches!(path, "search.js" | "search.css");
    emit(
        theme
            .static_files
            .into_iter()
            .filter(|(path, _)| wanted(path))
            .map(|(path, (_, bytes))| OutputFile::new(path, bytes))
            .collect(),
    );
    emit(render::assets::copy(root, &site, &scanned.assets)?);
    emit(data_files);
    emit(image_files);
    match sink {
        Sink::Keep(files) => output::check_unique(files)?,
        Sink::Paths(_, errors) => std::mem::take(errors).into_result()?,
        Sink::Stage(staging) if previous.wanted() => {
            let unchanged = previous.unchanged(&memo);
            count.files += unchanged.len();
            count.reused = unchanged.len();
            staging.writer.keep(unchanged);
            if let Some(kept) = kept_index {
                count.files += kept.paths.len();
                count.reused += kept.paths.len();
                staging.writer.keep(kept.paths);
            }
            staging.reused = Some((previous, std::mem::take(&mut memo), index_record));
        }
        Sink::Stage(_) => {}
    }
    lap("feeds and files", &mut t);
    // What the data files hold that may be read wrong is said on every build.
    warnings.extend(site.data.values().flat_map(|f| f.table.warnings.iter().cloned()));
    if let Some(links) = links {
        match options.external {
            Some(limits) => {
                progress("external links");
                let (found, outside) = links.finish_with_external(&site, root);
                lints.extend(found);
                lints.extend(crate::external::check(&outside, limits));
            }
            None => lints.extend(links.finish(&site, root)),
        }
        lints.extend(crate::lint::unsourced(&site));
        lints.extend(render::catalog::missing(&site, Some(&config_src)));
        if let Ok(rollups) = render::rollup::compute(&site) {
            lints.extend(render::rollup::warnings(&site, &rollups));
        }
        lints.sort();
        lints.dedup();
        warnings.extend(lints);
    }

    let summary = Summary {
        pages: site.pages.len(),
        sections: site.sections.len(),
        search_terms: search_stats.terms,
        search_bytes: search_stats.bytes + entry_bytes,
        charts: count.charts,
        data_files: site.data.len(),
        warnings,
        files: count.files,
        reused: count.reused,
        phases,
        elapsed: start.elapsed(),
        held_back: site.held_back.clone(),
        images: image_stats,
        ..Summary::default()
    };
    let parts = bodies.map(|bodies| Parts {
        site,
        renderer: std::sync::Arc::new(renderer),
        bodies,
        views,
        render: render_options,
        search_paths,
        search_pages: if serving { search_pages } else { Vec::new() },
        vocabulary,
        memo,
        feed_paths,
        content_files: scanned.files,
    });
    Ok((summary, parts))
}

/// Whether an output file is HTML, XML or SVG, which no control character may enter.
fn is_markup(path: &str) -> bool {
    [".html", ".xml", ".svg", ".xsl"].iter().any(|ext| path.ends_with(ext))
}
