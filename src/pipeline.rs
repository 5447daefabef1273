//! The build, phase by phase: scan → parse (in parallel, all errors collected) →
//! assemble → render (in parallel) → write. Nothing is written unless every phase
//! succeeded, so a failed build leaves the previous output as it was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{self, Settings, CONFIG_FILE};
use crate::content::{self, Page, Section};
use crate::data;
use crate::data::DataFile;
use crate::error::{relative, Diagnostic, Diagnostics};
use crate::file::OutputFile;
use crate::output::{self, WriteReport};
use crate::render::{self, RenderOptions, Renderer};
use crate::site::{self, Site};
use crate::{fsx, theme};
use std::collections::{BTreeMap, HashSet};

/// What to build, and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// Output folder; `root/public` when `None`.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub offline: bool,
    /// `false` for `innsyn check`: everything is built and checked, nothing written.
    pub write: bool,
    /// Write into an output folder that holds files innsyn did not write
    /// (`--force`); they are still never removed.
    pub force: bool,
}

impl Options {
    pub fn output_dir(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

/// What a build did.
#[derive(Debug, Default)]
pub struct Summary {
    pub pages: usize,
    pub sections: usize,
    pub charts: usize,
    pub data_files: usize,
    pub search_terms: usize,
    pub search_bytes: usize,
    /// Warnings: bytes of data files that are not text in their encoding (every
    /// run), and `check`'s lints (links, anchors, alt text, headings, link text).
    pub warnings: Vec<Diagnostic>,
    pub files: usize,
    pub written: WriteReport,
    pub phases: Vec<(&'static str, Duration)>,
    pub elapsed: Duration,
}

/// Builds the site, writing it unless `options.write` is false.
pub fn build(options: &Options) -> Result<Summary, Diagnostics> {
    build_with_progress(options, &|_| {})
}

/// Like [`build`], telling `progress` the name of each phase as it starts
/// (the command line shows them on a terminal).
pub fn build_with_progress(options: &Options, progress: &dyn Fn(&str)) -> Result<Summary, Diagnostics> {
    let (mut summary, files) = render_site_with_progress(options, progress)?;
    if options.write {
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
    render_site_with_progress(options, &|_| {})
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

/// What a build in memory does besides building.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Extras {
    /// Run `check`'s lints.
    pub lint: bool,
    /// Fingerprint every HTML output, for a dev server's later rebuilds.
    pub memo: bool,
}

const NEXT_PHASE: [(&str, &str); 5] = [
    ("scan", "parse"),
    ("parse", "assemble"),
    ("assemble", "markdown"),
    ("markdown", "render"),
    ("templates and search index", "feeds"),
];

fn render_site_with_progress(
    options: &Options,
    progress: &dyn Fn(&str),
) -> Result<(Summary, Vec<OutputFile>), Diagnostics> {
    // `check` (a run that writes nothing) also lints what was built.
    let extras = Extras { lint: !options.write, memo: false };
    make(options, progress, extras).map(|(summary, files, _)| (summary, files))
}

/// The whole build in memory, with the parts it was made from.
pub(crate) fn make(
    options: &Options,
    progress: &dyn Fn(&str),
    extras: Extras,
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

    let (settings, config_src) = load_settings(options)?;
    // Every phase runs on what the earlier ones could read, so one run reports
    // every fault; nothing is written unless there were none.
    let mut errors = Diagnostics::default();
    let scanned = scan(root, &mut errors);
    lap("scan", &mut t);

    // Warnings about the input (control characters replaced, …): printed by build and check.
    let mut warnings = Vec::new();
    let (sections, pages, failed) = parse_content(root, &scanned, &mut errors, &mut warnings);
    let theme = theme::load(root, &settings, &config_src).map_err(|e| errors.extend(e.0)).ok();
    let renderer = theme.as_ref().and_then(|t| Renderer::new(t).map_err(|e| errors.extend(e.0)).ok());
    lap("parse", &mut t);

    let (mut site, assembly_errors) = site::assemble(settings, sections, pages, options.drafts, &failed);
    // Assembly's warnings (term spellings) do not fail the build.
    let (assembly_warnings, assembly_errors): (Vec<_>, Vec<_>) = assembly_errors.0.into_iter().partition(|d| d.warning);
    warnings.extend(assembly_warnings);
    errors.extend(assembly_errors);
    let (data, data_files) = load_data(root, &mut errors, &mut warnings);
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
    let today = crate::dates::today();
    let views = render::structured::build(&site, today)?;
    let render_options = RenderOptions { offline: options.offline, today };
    // Templates and the search index need only the site and the bodies: they run
    // side by side, so the index's serial steps overlap the templates' work.
    let templates = || {
        if extras.memo {
            render::render_changed(&site, &renderer, &bodies, &views, render_options, &render::Memo::new())
        } else {
            render::render_pages(&site, &renderer, &bodies, &views, render_options).map(|f| (f, render::Memo::new()))
        }
    };
    let search = || {
        let start = Instant::now();
        let (index, stats, pages) = if !site.settings.search {
            (Vec::new(), crate::search::Stats::default(), Vec::new())
        } else if extras.memo {
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
    let (mut files, memo) = rendered?;
    lap("templates and search index", &mut t);
    let search_paths = index.iter().map(|f| f.path.clone()).collect();
    files.extend(index);
    let feeds = render::feeds::render(&site, &bodies);
    let feed_paths = feeds.iter().map(|f| f.path.clone()).collect();
    files.extend(feeds);
    // The theme's search script and styles serve the search page only.
    let wanted = |path: &str| site.settings.search || !matches!(path, "search.js" | "search.css");
    files.extend(
        theme
            .static_files
            .into_iter()
            .filter(|(path, _)| wanted(path))
            .map(|(path, (_, bytes))| OutputFile::new(path, bytes)),
    );
    files.extend(copy_assets(root, &site, &scanned)?);
    files.extend(data_files);
    files.extend(bodies.files().cloned());
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
    if extras.lint {
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

/// Reads and validates `config.toml`, with `--base-url` applied.
fn load_settings(options: &Options) -> Result<(Settings, String), Diagnostics> {
    let path = options.root.join(CONFIG_FILE);
    if !fsx::exists(&path) {
        return Err(Diagnostic::new(
            CONFIG_FILE,
            format!("there is no site here: `{}` has no config.toml", options.root.display()),
        )
        .hint("run innsyn in the site's folder, give it with `--root DIR`, or make a new site with `innsyn init DIR`")
        .into());
    }
    let src = fsx::read_text(&options.root, &path)?;
    let settings = config::parse(CONFIG_FILE, &src)?;
    let settings = match &options.base_url {
        None => settings,
        Some(url) => settings.with_base_url(url).ok_or_else(|| {
            Diagnostic::new("--base-url", format!("`{url}` is not an absolute web address"))
                .hint("write it like `https://innsyn.kommune.no/`")
        })?,
    };
    Ok((settings, src))
}

/// The files of `content/`, classified.
#[derive(Debug, Default)]
struct Scanned {
    /// (file on disk, path inside content/)
    pages: Vec<(PathBuf, String)>,
    sections: Vec<(PathBuf, String)>,
    /// Files that are not Markdown: (file on disk, path inside content/).
    assets: Vec<(PathBuf, String)>,
    /// Every file's path inside content/.
    files: Vec<String>,
}

fn scan(root: &Path, errors: &mut Diagnostics) -> Scanned {
    let content = root.join("content");
    let mut scanned = Scanned::default();
    let found: Vec<(PathBuf, String)> = fsx::walk_files(root, &content, errors)
        .into_iter()
        .map(|path| {
            let rel = relative(&content, &path).to_string_lossy().replace('\\', "/");
            (path, rel)
        })
        .collect();
    // The page bundles: folders with an `index.md`, known from the walk itself
    // rather than by asking the disk about every folder above every file.
    let bundles: HashSet<&str> = found.iter().filter_map(|(_, rel)| rel.strip_suffix("/index.md")).collect();
    let in_bundles: Vec<bool> = found.iter().map(|(_, rel)| in_bundle(&bundles, rel)).collect();
    for ((path, rel), in_bundle) in found.into_iter().zip(in_bundles) {
        scanned.files.push(rel.clone());
        let name = rel.rsplit('/').next().unwrap_or_default();
        if name == "_index.md" {
            let dir = rel.strip_suffix("_index.md").unwrap_or_default().trim_end_matches('/').to_string();
            scanned.sections.push((path, dir));
        } else if rel.ends_with(".md") && !in_bundle {
            scanned.pages.push((path, rel));
        } else {
            scanned.assets.push((path, rel));
        }
    }
    scanned
}

/// Whether `rel` lies inside a page bundle (a folder above it is in `bundles`),
/// not counting the bundle's own `index.md`.
fn in_bundle(bundles: &HashSet<&str>, rel: &str) -> bool {
    let own_index = rel.ends_with("/index.md");
    let mut dirs = rel.rmatch_indices('/').map(|(i, _)| &rel[..i]);
    if own_index {
        dirs.next();
    }
    dirs.any(|d| bundles.contains(d))
}

/// Reads and parses every content file in parallel. Faults go to `errors`; the
/// paths of files that could not be read are returned too, so links to them are
/// not also reported as broken.
fn parse_content(
    root: &Path,
    scanned: &Scanned,
    errors: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
) -> (Vec<Section>, Vec<Page>, Vec<String>) {
    let notes = std::sync::Mutex::new(Vec::new());
    let read = |path: &PathBuf| fsx::read_text_noting(root, path, &notes).map_err(Diagnostics::from);
    let sections: Vec<Result<Section, Diagnostics>> = scanned
        .sections
        .par_iter()
        .map(|(path, dir)| content::parse_section(&relative(root, path), dir, &read(path)?))
        .collect();
    let pages: Vec<Result<Page, Diagnostics>> = scanned
        .pages
        .par_iter()
        .map(|(path, rel)| content::parse_page(&relative(root, path), rel, &read(path)?))
        .collect();
    let mut failed = Vec::new();
    let mut ok_sections = Vec::new();
    for (r, (_, dir)) in sections.into_iter().zip(&scanned.sections) {
        match r {
            Ok(s) => ok_sections.push(s),
            Err(e) => {
                errors.extend(e.0);
                failed.push(if dir.is_empty() { "_index.md".to_string() } else { format!("{dir}/_index.md") });
            }
        }
    }
    let mut ok_pages = Vec::new();
    for (r, (_, rel)) in pages.into_iter().zip(&scanned.pages) {
        match r {
            Ok(p) => ok_pages.push(p),
            Err(e) => {
                errors.extend(e.0);
                failed.push(rel.clone());
            }
        }
    }
    // A bundle's files belong to its page: the sorted paths under its folder.
    let mut assets: Vec<&str> = scanned.assets.iter().map(|(_, rel)| rel.as_str()).collect();
    assets.sort_unstable();
    for page in &mut ok_pages {
        if let Some(dir) = page.content_path.strip_suffix("index.md") {
            let first = assets.partition_point(|rel| *rel < dir);
            page.assets = assets[first..]
                .iter()
                .take_while(|rel| rel.starts_with(dir))
                .filter(|rel| !rel.ends_with(".md"))
                .map(|rel| rel.to_string())
                .collect();
        }
    }
    warnings.extend(notes.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner));
    (ok_sections, ok_pages, failed)
}

/// Reads every file of `data/` in parallel: tables (CSV, TSV, TOML, JSON) with their
/// provenance sidecars (`NAME.csv.toml`). Returns them by name, and the files to
/// copy to the output so readers can download exactly what a chart shows.
fn load_data(
    root: &Path,
    errors: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
) -> (BTreeMap<String, DataFile>, Vec<OutputFile>) {
    let dir = root.join("data");
    let paths = fsx::walk_files(root, &dir, errors);
    let names: Vec<String> = paths.iter().map(|p| relative(&dir, p).to_string_lossy().replace('\\', "/")).collect();
    let is_sidecar = |name: &str| name.strip_suffix(".toml").is_some_and(|table| names.iter().any(|n| n == table));
    let read: Vec<Result<(String, Vec<u8>), Diagnostic>> =
        paths.par_iter().zip(&names).map(|(p, n)| fsx::read(root, p).map(|b| (n.clone(), b))).collect();
    let mut bytes: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for r in read {
        match r {
            Ok((n, mut b)) => {
                let shown = format!("data/{n}");
                warnings.extend(fsx::scrub(Path::new(&shown), &mut b, false));
                bytes.insert(n, b);
            }
            Err(e) => errors.push(e),
        }
    }
    let parsed: Vec<(String, Result<DataFile, Diagnostics>)> = bytes
        .par_iter()
        .filter(|(name, _)| !is_sidecar(name))
        .map(|(name, b)| {
            let shown = format!("data/{name}");
            let table = data::parse(&shown, b);
            let provenance = bytes.get(&format!("{name}.toml")).map(|side| {
                let text = String::from_utf8_lossy(side);
                data::parse_provenance(&format!("{shown}.toml"), &text)
            });
            let result = match (table, provenance.transpose()) {
                (Ok(mut table), Ok(provenance)) => {
                    table.name = name.clone();
                    Ok(DataFile { table, provenance, broken: false })
                }
                (Err(mut a), Err(b)) => {
                    a.extend(b.0);
                    Err(a)
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            (name.clone(), result)
        })
        .collect();
    let mut tables = BTreeMap::new();
    for (name, r) in parsed {
        match r {
            Ok(f) => {
                tables.insert(name, f);
            }
            Err(e) => {
                errors.extend(e.0);
                let table = data::Table::empty(name.clone());
                tables.insert(name, DataFile { table, provenance: None, broken: true });
            }
        }
    }
    let files = bytes.into_iter().map(|(name, b)| OutputFile::new(format!("data/{name}"), b)).collect();
    (tables, files)
}

/// Non-Markdown files of `content/`: a bundle's go beside its page, others beside
/// their section's page.
fn copy_assets(root: &Path, site: &Site, scanned: &Scanned) -> Result<Vec<OutputFile>, Diagnostics> {
    let mut bundles: Vec<(&str, &str)> = site
        .pages
        .iter()
        .filter_map(|p| {
            p.page.content_path.strip_suffix("index.md").filter(|d| !d.is_empty()).map(|d| (d, p.path.as_str()))
        })
        .collect();
    bundles.sort();
    let section_paths: std::collections::HashMap<&str, &str> =
        site.sections.iter().map(|s| (s.section.dir.as_str(), s.path.as_str())).collect();
    let mut errors = Diagnostics::default();
    let mut files = Vec::new();
    for (path, rel) in &scanned.assets {
        if rel.ends_with(".md") {
            continue;
        }
        let dest = if let Some((dir, page_path)) = bundles.iter().rev().find(|(d, _)| rel.starts_with(*d)) {
            format!("{}{}", page_path.trim_start_matches('/'), &rel[dir.len()..])
        } else {
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            match section_paths.get(dir) {
                Some(sp) => format!("{}{name}", sp.trim_start_matches('/')),
                None => continue, // In a draft section, or a bundle left out as a draft.
            }
        };
        match fsx::read(root, path) {
            Ok(bytes) => files.push(OutputFile::new(dest, bytes)),
            Err(e) => errors.push(e),
        }
    }
    errors.into_result()?;
    Ok(files)
}
