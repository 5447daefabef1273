//! Build benchmarks on a synthetic 1 000-page site written by the `gen-site` example
//! (included below as a module, so the bench and the example share one generator).
//!
//! - `check`: everything is built and checked in memory, nothing written
//!   (`innsyn check`).
//! - `rebuild unchanged`: a full build into an output folder that already holds the
//!   same site, so every file is compared and none is replaced.
//!
//! - `phases`: the build's phases one by one on the same site: parse (scan, read
//!   and parse every file, assemble), bodies (Markdown and shortcodes, the search
//!   analysis, as a build does them), templates (every page and list, in batches),
//!   search index (from the analyses) and stage (writing a build into a fresh
//!   folder and taking it back).
//!
//! Samples are few and short so `cargo bench` stays quick on a small machine; for the
//! 10 000- and 100 000-page figures see `docs/performance.md` and
//! `scripts/bench-large`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use innsyn::pipeline::{self, Mode, Options, Summary};
use innsyn::render::{self, Renderer};
use innsyn::site::Site;
use innsyn::{content, data, output, scan, search, site, theme};

// The example's `main` and its argument parsing are not used here.
#[allow(dead_code)]
#[path = "../examples/gen-site.rs"]
mod gen;

const PAGES: usize = 1000;
const SEED: u64 = 1;

fn options(root: &Path, output: &Path, mode: Mode) -> Options {
    Options { output: Some(output.to_path_buf()), ..Options::new(root, mode) }
}

/// Builds, or stops the bench with the site's diagnostics: timing a failed build would
/// measure nothing useful.
fn build(options: &Options) -> Summary {
    pipeline::build(options).unwrap_or_else(|errors| panic!("the generated site does not build:\n{errors}"))
}

fn bench_build(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("a temporary folder for the generated site");
    let root = tmp.path().join("site");
    let output = tmp.path().join("public");
    gen::generate(&root, PAGES, SEED).expect("the generator writes the site");

    let check = options(&root, &output, Mode::Check);
    let rebuild = options(&root, &output, Mode::Build);
    // Fill the output once, so every measured write finds the site unchanged.
    let first = build(&rebuild);
    assert_eq!(first.pages, PAGES);

    let mut group = c.benchmark_group(format!("build {PAGES} pages"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(PAGES as u64));
    group.bench_function("check", |b| b.iter(|| black_box(build(&check))));
    group.bench_function("rebuild unchanged", |b| {
        b.iter(|| {
            let summary = build(&rebuild);
            debug_assert_eq!(summary.written.written, 0);
            black_box(summary)
        })
    });
    group.finish();
}

/// The site read and assembled, as the build's first phases leave it (with its
/// pages' Markdown kept, as a dev server keeps it).
fn assembled(root: &Path) -> (Site, Renderer) {
    let (settings, config_src) = scan::settings(root, None).expect("the config reads");
    let mut errors = innsyn::error::Diagnostics::default();
    let mut warnings = Vec::new();
    let scanned = scan::scan(root, &mut errors);
    let (sections, pages, failed) = content::parse_all(root, &scanned, true, &mut errors, &mut warnings);
    let theme = theme::load(root, &settings, &config_src).expect("the theme loads");
    let mut renderer = Renderer::new(&theme).expect("the templates parse");
    let (mut site, _) =
        site::assemble(settings, sections, pages, site::Publish::finished(innsyn::dates::today()), &failed);
    site.data = std::sync::Arc::new(data::load(root, &mut errors, &mut warnings).0);
    renderer.register_data(&site.data);
    assert!(errors.is_empty(), "the generated site has faults:\n{errors}");
    (site, renderer)
}

fn bench_phases(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("a temporary folder for the generated site");
    let root = tmp.path().join("site");
    gen::generate(&root, PAGES, SEED).expect("the generator writes the site");
    let (site, renderer) = assembled(&root);
    let bodies = render::render_bodies(&site, &renderer).expect("the bodies render");
    let today = innsyn::dates::today();
    let options = render::RenderOptions { offline: false, today };

    let mut group = c.benchmark_group(format!("phases of {PAGES} pages"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(PAGES as u64));
    group.bench_function("parse", |b| b.iter(|| black_box(assembled(&root))));
    group.bench_function("bodies", |b| {
        b.iter(|| {
            let vocabulary = search::Vocabulary::default();
            let bodies = render::render_bodies(&site, &renderer).expect("the bodies render");
            black_box(search::analyse_all(&site, &bodies, &vocabulary))
        })
    });
    group.bench_function("templates", |b| {
        b.iter(|| {
            let mut bytes = 0;
            render::render_site_into(&site, &renderer, &bodies, options, None, &mut |files| {
                bytes += files.iter().map(|f| f.bytes.len()).sum::<usize>();
            })
            .expect("the pages render");
            black_box(bytes)
        })
    });
    let vocabulary = search::Vocabulary::default();
    let analyses = search::analyse_all(&site, &bodies, &vocabulary);
    group.bench_function("search index", |b| b.iter(|| black_box(search::build_from(&site, &analyses, &vocabulary))));
    let files = render::render_site(&site, &renderer, &bodies, options, None).expect("the pages render").files;
    group.bench_function("stage", |b| {
        b.iter(|| {
            let out = tempfile::tempdir().expect("a temporary output folder");
            let mut stage = output::Stage::begin(out.path(), false).expect("an empty folder");
            for batch in files.chunks(render::BATCH) {
                stage.add(batch);
            }
            stage.abandon();
        })
    });
    group.finish();
}

criterion_group!(benches, bench_build, bench_phases);
criterion_main!(benches);
