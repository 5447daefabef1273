//! Build benchmarks on a synthetic 1 000-page site written by the `gen-site` example
//! (included below as a module, so the bench and the example share one generator).
//!
//! - `check`: everything is built and checked in memory, nothing written
//!   (`innsyn check`).
//! - `rebuild unchanged`: a full build into an output folder that already holds the
//!   same site, so every file is compared and none is replaced.
//!
//! Samples are few and short so `cargo bench` stays quick on a small machine; for the
//! 10 000-page figures see `docs/performance.md`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use innsyn::pipeline::{self, Mode, Options, Summary};

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

criterion_group!(benches, bench_build);
criterion_main!(benches);
