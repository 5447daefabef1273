//! A whole-site fuzz test with a fixed budget of cases, not of time: each case takes
//! a small but complete site (a mandate, a goal with an indicator, a chart, a data
//! file with its sidecar, taxonomies), damages one to three of its files the way
//! real and hostile input does (byte flips, truncation, stray `+++`, `{{`, `{%`,
//! deep nesting, huge and non-finite numbers, control characters, invalid UTF-8,
//! long lines, headings in the theme's id namespace, hostile links), and builds it
//! into a folder that holds the previous good build.
//!
//! Every case must end (a watchdog fails the test when one runs for minutes),
//! must not panic, must succeed or fail with diagnostics that each name a file, and
//! a failed build must leave the previous output exactly as it was.
//!
//! Cases are numbered and seeded by their number, so a failure names the case and
//! `INNSYN_FUZZ_CASE=N cargo test --test fuzz` replays it alone.
//! `INNSYN_FUZZ_CASES=N` runs more cases than the budget of [`CASES`], and
//! `INNSYN_FUZZ_KEEP=DIR` keeps a copy of each damaged site in `DIR` to look at;
//! `INNSYN_FUZZ_TRACE=1` names each case as it starts (with `--nocapture`), for a
//! crash that ends the process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use innsyn::pipeline::{self, Mode, Options};

/// The budget of cases `./scripts/test` runs.
const CASES: u64 = 160;

/// The largest damaged file a case writes.
const MAX_FILE: usize = 8 << 20;

/// How long one case may take before it counts as a hang: far beyond what any
/// case needs (about 50 ms in a debug build), so only a hang trips it.
const WATCHDOG: Duration = Duration::from_secs(120);

/// The site every case starts from: `innsyn init`'s site, with a chart, headings,
/// tags and links added, and a JSON-stat and a PC-Axis file with a chart each.
fn seed_site(root: &Path) {
    innsyn::init::create(root, innsyn::lang::Lang::Nb).unwrap();
    let page = root.join("content/tall/sykefravaer.md");
    let mut text = std::fs::read_to_string(&page).unwrap();
    text.push_str(
        "\n## Innsyn i tallene\n\n## Tabell {#tabell}\n\n| År | Prosent |\n|---|--:|\n| 2022 | 8,5 |\n\n\
         {{ chart(data=\"sykefravar.csv\", kind=\"bar\", x=\"år\", y=\"prosent\", unit=\"%\", title=\"Søyler\") }}\n\n\
         Se [målet](@/mal/lavere-sykefravaer.md#innsyn) og [SSB](https://www.ssb.no/).\n\n\
         {{ chart(data=\"befolkning.json\", kind=\"line\", x=\"år\", y=\"verdi\", series=\"region\", filter=\"kjønn=Menn\", title=\"JSON-stat\") }}\n\n\
         {{ chart(data=\"sysselsatte.px\", kind=\"bar\", x=\"region\", y=\"verdi\", filter=\"statistikkvariabel=Sysselsatte; år=2024; næring (kode)=86-88\", title=\"PC-Axis\") }}\n",
    );
    std::fs::write(&page, text).unwrap();
    let formats = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/data_formats/data");
    for name in ["befolkning.json", "sysselsatte.px"] {
        std::fs::copy(formats.join(name), root.join("data").join(name)).unwrap();
    }
}

/// A tiny deterministic generator (xorshift64*), seeded by the case number.
struct Rng(u64);

impl Rng {
    fn new(case: u64) -> Rng {
        Rng(case.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03 | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Text that breaks parsers, templates, numbers, ids and links.
const TOKENS: &[&[u8]] = &[
    b"+++",
    b"\n+++\n",
    b"---\n",
    b"{{",
    b"}}",
    b"{%",
    b"%}",
    b"{{ chart(",
    b"{% end %}",
    b"{{ chart(data=\"sykefravar.csv\", x=\"\xc3\xa5r\", y=\"prosent\") }}",
    b"\n## Innsyn i postjournalen\n",
    b" {#innsyn-x}",
    b" {#a\"b<c>}",
    b"1e308",
    b"-1e308",
    b"1e-320",
    b"nan",
    b"inf",
    b"-inf",
    b"99999999999999999999999",
    b"-0",
    b"\x0b",
    b"\x00",
    b"\x01",
    b"\xc2\x85",
    b"\xff\xfe",
    b"\xe2\x82",
    b"[[",
    b"]]",
    b"\"",
    b"'''",
    b";;;",
    b",,,",
    b"\r\n",
    b"..",
    b"13,1*",
    b"<script>",
    b"<!--<script>",
    b"</script>",
    b"javascript:alert(1)",
    b"@/finnes-ikke.md",
    b"../../../../etc/passwd",
    b"a\xcc\x8a",
];

/// What nests when repeated.
const NESTING: &[&[u8]] = &[b"> ", b"[", b"- ", b"{{ a(b=", b"*", b"(", b"| ", b"<div>"];

/// Numbers no chart or indicator can plot as they are.
const NUMBERS: &[&[u8]] = &[b"1e308", b"-1e308", b"1e-320", b"nan", b"inf", b"9e18", b"0", b"-99999999999999999999"];

/// Damages `bytes` once.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let at = rng.below(bytes.len() + 1);
    match rng.below(9) {
        0 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            bytes[i] ^= 1 << rng.below(8);
        }
        1 => bytes.truncate(at),
        2 | 3 => {
            let token = rng.pick(TOKENS);
            bytes.splice(at..at, token.iter().copied());
        }
        4 => {
            let unit = rng.pick(NESTING);
            let depth = 1 + rng.below(5_000);
            bytes.splice(at..at, unit.iter().copied().cycle().take(unit.len() * depth));
        }
        5 => {
            let long = 1 + rng.below(200_000);
            bytes.splice(at..at, std::iter::repeat_n(b'a', long));
        }
        6 | 7 => {
            // One of the file's numbers, picked at random, replaced by a hostile one.
            let runs: Vec<(usize, usize)> = bytes
                .iter()
                .enumerate()
                .filter(|&(i, b)| b.is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()))
                .map(|(start, _)| {
                    let len = bytes[start..].iter().take_while(|b| b.is_ascii_digit() || **b == b'.').count();
                    (start, start + len)
                })
                .collect();
            if !runs.is_empty() {
                let (start, end) = runs[rng.below(runs.len())];
                let number = rng.pick(NUMBERS);
                bytes.splice(start..end, number.iter().copied());
            }
        }
        _ => {
            // A line repeated many times: many equal headings, rows or keys.
            let start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let end = bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| at + i + 1);
            let line = bytes[start..end].to_vec();
            let times = 1 + rng.below(2_000);
            bytes.splice(end..end, line.iter().copied().cycle().take(line.len() * times));
        }
    }
}

/// Every file below `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn text_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

fn options(root: &Path, out: &Path, write: bool) -> Options {
    let mode = if write { Mode::Build } else { Mode::Check };
    Options { output: Some(out.to_path_buf()), ..Options::new(root, mode) }
}

/// Runs one case: damages a copy of the site and builds it over the last good output.
fn run_case(case: u64, pristine: &Path, work: &Path, out: &Path) -> Result<(), String> {
    let mut rng = Rng::new(case);
    let root = work.join(format!("case-{case}"));
    let _ = std::fs::remove_dir_all(&root);
    copy(pristine, &root);
    let files = text_files(&root);
    let mut damaged = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let file = files[rng.below(files.len())].clone();
        let mut bytes = std::fs::read(&file).unwrap();
        mutate(&mut rng, &mut bytes);
        // Long lines repeated can make hundreds of megabytes; a few are enough.
        bytes.truncate(MAX_FILE);
        std::fs::write(&file, bytes).unwrap();
        damaged.push(file.strip_prefix(&root).unwrap().display().to_string());
    }
    if let Some(keep) = std::env::var_os("INNSYN_FUZZ_KEEP") {
        copy(&root, &Path::new(&keep).join(format!("case-{case}")));
    }
    let before = snapshot(out);
    let check_only = case % 4 == 3;
    let opts = options(&root, out, !check_only);
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name(format!("case {case}"))
        .spawn(move || {
            let result = pipeline::build(&opts);
            let _ = tx.send(());
            result
        })
        .unwrap();
    let what = format!("case {case} (damaged {})", damaged.join(", "));
    if rx.recv_timeout(WATCHDOG).is_err() && !worker.is_finished() {
        // The thread cannot be stopped; the test fails and the process ends.
        return Err(format!("{what} did not finish: a hang"));
    }
    let result = worker.join().map_err(|_| format!("{what} panicked"))?;
    let _ = std::fs::remove_dir_all(&root);
    match result {
        Ok(_) => Ok(()),
        Err(errors) => {
            if errors.is_empty() {
                return Err(format!("{what} failed without a diagnostic"));
            }
            if let Some(d) = errors.0.iter().find(|d| d.path.as_os_str().is_empty()) {
                return Err(format!("{what}: a diagnostic names no file: {d}"));
            }
            if snapshot(out) != before {
                return Err(format!("{what} failed and changed the previous output:\n{errors}"));
            }
            Ok(())
        }
    }
}

fn copy(from: &Path, to: &Path) {
    for file in text_files(from) {
        let dest = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, dest).unwrap();
    }
}

#[test]
fn damaged_sites_end_with_a_build_or_named_errors_and_never_harm_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("site");
    seed_site(&pristine);
    let out = dir.path().join("public");
    pipeline::build(&options(&pristine, &out, true)).expect("the seed site builds");
    assert!(out.join("index.html").is_file());

    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let cases: Vec<u64> = match env("INNSYN_FUZZ_CASE") {
        Some(one) => vec![one],
        None => (0..env("INNSYN_FUZZ_CASES").unwrap_or(CASES)).collect(),
    };
    let mut failures = Vec::new();
    let trace = std::env::var_os("INNSYN_FUZZ_TRACE").is_some();
    for &case in &cases {
        if trace {
            eprintln!("case {case}");
        }
        if let Err(why) = run_case(case, &pristine, dir.path(), &out) {
            let hang = why.ends_with("a hang");
            failures.push(why);
            if hang {
                break; // The hung thread still runs; later cases would compete with it.
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}
