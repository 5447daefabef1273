//! Writes a large synthetic innsyn site for benchmarks: `config.toml`, twenty sections
//! (some nested two levels deep, some paginated) and any number of pages of varied
//! Norwegian municipal text, with dates, weights, taxonomies, nynorsk pages and valid
//! `@/` links between pages. The same arguments always give the same bytes.
//!
//! ```text
//! cargo run --release --example gen-site -- --pages 10000 /tmp/s10k
//! ```
//!
//! The text is random, made from a fixed vocabulary; it names real municipalities only
//! so that the taxonomy pages look real, and says nothing true about them.
//!
//! `benches/build.rs` includes this file as a module and calls [`generate`]; `main`
//! only reads the arguments.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

// File names use innsyn's own slugs, so a file's name is its page's slug.
use innsyn::content::slug::slugify;

const USAGE: &str = "\
usage: gen-site [--pages N] [--seed S] [--force] DIR

Writes a synthetic innsyn site with N pages (default 1000) into DIR.

  --pages N   number of pages (default 1000)
  --seed S    seed for the generator (default 1); the same arguments give the same site
  --force     write into a non-empty DIR, replacing its config.toml and content/
  -h, --help  show this help";

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(why) => {
            eprintln!("gen-site: {why}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let result = prepare_dir(&args.dir, args.force).and_then(|()| generate(&args.dir, args.pages, args.seed));
    match result {
        Ok(report) => {
            println!(
                "Wrote {} pages in {} sections ({} words, {:.1} MiB) to {} in {} ms",
                report.pages,
                report.sections,
                report.words,
                report.bytes as f64 / (1024.0 * 1024.0),
                args.dir.display(),
                start.elapsed().as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-site: {e}");
            ExitCode::from(1)
        }
    }
}

/// The command line, resolved.
struct Args {
    dir: PathBuf,
    pages: usize,
    seed: u64,
    force: bool,
}

impl Args {
    /// `Ok(None)` when help was asked for.
    fn parse(mut raw: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
        let mut dir = None;
        let mut pages = 1000;
        let mut seed = 1;
        let mut force = false;
        while let Some(arg) = raw.next() {
            let mut value = |name: &str| raw.next().ok_or_else(|| format!("`{name}` needs a value"));
            match arg.as_str() {
                "-h" | "--help" => return Ok(None),
                "--force" => force = true,
                "--pages" => {
                    let v = value("--pages")?;
                    pages = v.parse().map_err(|_| format!("`--pages {v}`: give a whole number"))?;
                }
                "--seed" => {
                    let v = value("--seed")?;
                    seed = v.parse().map_err(|_| format!("`--seed {v}`: give a whole number"))?;
                }
                s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
                s if dir.is_none() => dir = Some(PathBuf::from(s)),
                s => return Err(format!("only one DIR, please (got a second: `{s}`)")),
            }
        }
        let dir = dir.ok_or("name the folder to write the site into")?;
        Ok(Some(Args { dir, pages, seed, force }))
    }
}

/// Makes sure `dir` exists and is empty, or, with `force`, clears what the generator
/// writes (so no page of an earlier, larger run is left behind).
fn prepare_dir(dir: &Path, force: bool) -> io::Result<()> {
    if dir.exists() {
        let non_empty = fs::read_dir(dir).map_err(|e| at(dir, e))?.next().is_some();
        if non_empty && !force {
            return Err(io::Error::other(format!(
                "`{}` is not empty; give --force to replace its config.toml and content/",
                dir.display()
            )));
        }
        let content = dir.join("content");
        if content.exists() {
            fs::remove_dir_all(&content).map_err(|e| at(&content, e))?;
        }
    }
    Ok(())
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Report {
    pub(crate) pages: usize,
    pub(crate) sections: usize,
    pub(crate) words: usize,
    pub(crate) bytes: usize,
}

/// Writes a site with `pages` pages into `dir` (created if missing). Files already
/// there are overwritten, never removed.
pub(crate) fn generate(dir: &Path, pages: usize, seed: u64) -> io::Result<Report> {
    let plan = Plan::new(pages, seed);
    let mut report = Report { pages, sections: SECTIONS.len(), ..Report::default() };
    let content = dir.join("content");
    for s in SECTIONS {
        let folder = content.join(s.path);
        fs::create_dir_all(&folder).map_err(|e| at(&folder, e))?;
    }
    write(&dir.join("config.toml"), CONFIG.as_bytes(), &mut report)?;
    for (i, s) in SECTIONS.iter().enumerate() {
        let text = section_file(i, &plan, seed);
        write(&content.join(s.path).join("_index.md"), text.as_bytes(), &mut report)?;
    }

    // Each page has its own random stream, so threads can share the work and the
    // output does not depend on how it was split.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = pages.div_ceil(threads).max(1);
    let indexes: Vec<usize> = (0..pages).collect();
    let results: Vec<io::Result<Report>> = std::thread::scope(|scope| {
        let handles: Vec<_> = indexes
            .chunks(chunk)
            .map(|part| {
                let plan = &plan;
                let content = &content;
                scope.spawn(move || {
                    let mut report = Report::default();
                    let mut text = String::with_capacity(8 * 1024);
                    for &i in part {
                        text.clear();
                        report.words += page_file(i, plan, seed, &mut text);
                        let file = content.join(&plan.pages[i].file);
                        write(&file, text.as_bytes(), &mut report)?;
                    }
                    Ok(report)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(io::Error::other("a writer thread panicked"))))
            .collect()
    });
    for r in results {
        let r = r?;
        report.words += r.words;
        report.bytes += r.bytes;
    }
    Ok(report)
}

fn write(path: &Path, bytes: &[u8], report: &mut Report) -> io::Result<()> {
    report.bytes += bytes.len();
    fs::write(path, bytes).map_err(|e| at(path, e))
}

/// Names the path in an I/O error.
fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------
// Randomness

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    /// A stream for `seed` and `stream` (a page number, say); nearby inputs give
    /// unrelated streams.
    fn new(seed: u64, stream: u64) -> Rng {
        let mut z = seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(stream.wrapping_mul(0xBF58_476D_1CE4_E5B9))
            .wrapping_add(0x94D0_49BB_1331_11EB);
        // splitmix64 finaliser
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        // Multiply-shift instead of `%`: no modulo bias worth speaking of, and fast.
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `k` different items, in the order drawn.
    fn pick_distinct<'a, T>(&mut self, items: &'a [T], k: usize) -> Vec<&'a T> {
        let mut idx: Vec<usize> = (0..items.len()).collect();
        let k = k.min(items.len());
        for i in 0..k {
            let j = i + self.below(items.len() - i);
            idx.swap(i, j);
        }
        idx[..k].iter().map(|&i| &items[i]).collect()
    }
}

// ---------------------------------------------------------------------------------
// The site's shape

const CONFIG: &str = r#"# A synthetic site written by `cargo run --example gen-site`. Its text is random.
title = "Innsyn – syntetisk testnettsted"
description = "Et stort, tilfeldig generert nettsted for å måle hvor raskt innsyn bygger."
base_url = "https://innsyn.example.org/"
language = "nb"
theme = "innsyn"
organization = "Syntetisk testkommune"
contact_name = "Redaksjonen"
contact_email = "innsyn@example.org"
accessibility_statement = "https://uustatus.no/"
feed = true
sitemap = true

[[taxonomies]]
name = "kommune"
title = "Kommune"

[[taxonomies]]
name = "tema"
title = "Tema"

[[taxonomies]]
name = "sektor"
title = "Sektor"
"#;

/// What kind of documents a section holds; decides titles and headings.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Home,
    Mandate,
    Goal,
    Report,
    Network,
    Service,
    About,
}

struct SectionSpec {
    /// Folder inside `content/`; empty for the home page.
    path: &'static str,
    title: &'static str,
    description: &'static str,
    sort_by: &'static str,
    paginate_by: Option<usize>,
    weight: i64,
    kind: Kind,
    /// Relative share of the pages (0: none).
    share: usize,
}

// A table of twenty rows reads best with one call per row.
#[allow(clippy::too_many_arguments)]
const fn sec(
    path: &'static str,
    title: &'static str,
    description: &'static str,
    sort_by: &'static str,
    paginate_by: Option<usize>,
    weight: i64,
    kind: Kind,
    share: usize,
) -> SectionSpec {
    SectionSpec { path, title, description, sort_by, paginate_by, weight, kind, share }
}

/// Twenty sections; parents come before their children.
const SECTIONS: &[SectionSpec] = &[
    sec(
        "",
        "Innsyn – syntetisk testnettsted",
        "Mandater, mål, statusrapporter og erfaringer fra kommunene, tilfeldig generert.",
        "weight",
        None,
        0,
        Kind::Home,
        0,
    ),
    sec(
        "mandater",
        "Prosjektmandater",
        "Mandater for prosjekter i kommunene: hva de skal oppnå og levere, og hvem som har ansvaret.",
        "title",
        Some(20),
        10,
        Kind::Mandate,
        6,
    ),
    sec(
        "mandater/helse-og-omsorg",
        "Mandater i helse og omsorg",
        "Prosjekter om sykehjem, hjemmetjenester, heltid og rekruttering.",
        "title",
        Some(20),
        10,
        Kind::Mandate,
        8,
    ),
    sec(
        "mandater/oppvekst",
        "Mandater i oppvekst",
        "Prosjekter om barnehage, skole og tidlig innsats.",
        "date",
        None,
        20,
        Kind::Mandate,
        6,
    ),
    sec(
        "mandater/digitalisering",
        "Mandater for digitalisering",
        "Prosjekter om digitale tjenester, innbyggertorg og felles IKT.",
        "weight",
        Some(20),
        30,
        Kind::Mandate,
        6,
    ),
    sec(
        "mal",
        "Mål og tiltak",
        "Mål på flere nivåer, fra retningsmål til tiltak, og hvilken status de har.",
        "weight",
        None,
        20,
        Kind::Goal,
        3,
    ),
    sec(
        "mal/retningsmal",
        "Retningsmål",
        "De langsiktige målene kommunene styrer etter.",
        "title",
        None,
        10,
        Kind::Goal,
        4,
    ),
    sec(
        "mal/periodemal",
        "Periodemål",
        "Mål for planperioden, med indikatorer og status.",
        "weight",
        Some(20),
        20,
        Kind::Goal,
        6,
    ),
    sec(
        "statusrapporter",
        "Statusrapporter",
        "Rapporter om framdrift, økonomi og risiko i prosjektene.",
        "date",
        Some(20),
        30,
        Kind::Report,
        2,
    ),
    sec("statusrapporter/2023", "Statusrapporter 2023", "Rapportene fra 2023.", "date", Some(20), 30, Kind::Report, 6),
    sec("statusrapporter/2024", "Statusrapporter 2024", "Rapportene fra 2024.", "date", Some(20), 20, Kind::Report, 7),
    sec("statusrapporter/2025", "Statusrapporter 2025", "Rapportene fra 2025.", "date", None, 10, Kind::Report, 5),
    sec(
        "nettverk",
        "Nettverk og samarbeid",
        "Erfaringer fra nettverk der kommunene arbeider sammen.",
        "weight",
        None,
        40,
        Kind::Network,
        3,
    ),
    sec(
        "nettverk/heltid",
        "Heltidskultur",
        "Erfaringer fra prosjekter om heltid og deltid.",
        "title",
        None,
        10,
        Kind::Network,
        5,
    ),
    sec(
        "nettverk/sykefravaer",
        "Sykefravær",
        "Erfaringer fra prosjekter om sykefravær og nærvær.",
        "date",
        Some(20),
        20,
        Kind::Network,
        5,
    ),
    sec(
        "tjenester",
        "Tjenester",
        "Tiltak i tjenestene, fra barnehage til sykehjem.",
        "title",
        Some(20),
        50,
        Kind::Service,
        3,
    ),
    sec("tjenester/barnehage", "Barnehage", "Tiltak for barnehagene.", "weight", None, 10, Kind::Service, 6),
    sec(
        "tjenester/helse-og-omsorg",
        "Helse og omsorg",
        "Tiltak i helse og omsorg.",
        "date",
        Some(20),
        20,
        Kind::Service,
        6,
    ),
    sec(
        "tjenester/helse-og-omsorg/sykehjem",
        "Sykehjem",
        "Tiltak i sykehjemmene.",
        "title",
        Some(20),
        10,
        Kind::Service,
        5,
    ),
    sec(
        "om",
        "Om nettstedet",
        "Hva dette nettstedet er, og hvordan teksten er laget.",
        "weight",
        None,
        90,
        Kind::About,
        1,
    ),
];

/// The year of a section of yearly reports (`statusrapporter/2024`), whose pages are
/// all dated in it.
fn section_year(s: &SectionSpec) -> Option<usize> {
    s.path.rsplit('/').next().and_then(|last| last.parse().ok())
}

/// Everything about a page that other pages need before any text is written.
struct PagePlan {
    /// Path inside `content/`, e.g. `mandater/oppvekst/mandat-00042-tidlig-innsats-i-skolen.md`.
    file: String,
    title: String,
    section: usize,
    nynorsk: bool,
    /// Index into [`KOMMUNER`] of the municipality named in the title.
    kommune: usize,
}

struct Plan {
    pages: Vec<PagePlan>,
    /// Pages of each section, by index into `pages`.
    by_section: Vec<Vec<usize>>,
}

impl Plan {
    fn new(pages: usize, seed: u64) -> Plan {
        let mut rng = Rng::new(seed, u64::MAX);
        let total: usize = SECTIONS.iter().map(|s| s.share).sum();
        let mut by_section = vec![Vec::new(); SECTIONS.len()];
        let plans = (0..pages)
            .map(|i| {
                let mut r = rng.below(total);
                let section = SECTIONS
                    .iter()
                    .position(|s| {
                        if r < s.share {
                            true
                        } else {
                            r -= s.share;
                            false
                        }
                    })
                    .unwrap_or(1);
                let nynorsk = rng.chance(10);
                let words = if nynorsk { &NN } else { &NB };
                let topic = rng.pick(words.topics);
                let kommune = rng.below(KOMMUNER.len());
                let kind = SECTIONS[section].kind;
                let prefix = words.prefix(kind);
                let title = format!("{prefix} {}: {topic} – {}", i + 1, KOMMUNER[kommune]);
                let file = format!("{}/{}-{:05}-{}.md", SECTIONS[section].path, slugify(prefix), i + 1, slugify(topic));
                by_section[section].push(i);
                PagePlan { file, title, section, nynorsk, kommune }
            })
            .collect();
        Plan { pages: plans, by_section }
    }
}

// ---------------------------------------------------------------------------------
// Files

fn section_file(index: usize, plan: &Plan, seed: u64) -> String {
    let s = &SECTIONS[index];
    let mut rng = Rng::new(seed, 1_000_000_000 + index as u64);
    let mut out = String::with_capacity(4096);
    out.push_str("+++\n");
    let _ = writeln!(out, "title = \"{}\"", s.title);
    let _ = writeln!(out, "description = \"{}\"", s.description);
    let _ = writeln!(out, "sort_by = \"{}\"", s.sort_by);
    if let Some(n) = s.paginate_by {
        let _ = writeln!(out, "paginate_by = {n}");
    }
    if s.kind != Kind::Home {
        let _ = writeln!(out, "weight = {}", s.weight);
    }
    out.push_str("+++\n\n");

    if s.kind == Kind::Home {
        out.push_str(
            "Dette nettstedet er laget av en generator for å måle hvor raskt innsyn bygger store nettsteder. \
             All tekst er satt sammen tilfeldig av et fast ordforråd. Kommunenavnene er ekte, men ingenting \
             her sier noe sant om kommunene.\n\n<!-- more -->\n\n## Innhold\n\n",
        );
        for (i, child) in SECTIONS.iter().enumerate().skip(1) {
            if !child.path.contains('/') {
                let _ = writeln!(
                    out,
                    "- [{}](@/{}/_index.md): {} ({} sider i denne delen)",
                    child.title,
                    child.path,
                    child.description,
                    plan.by_section[i].len()
                );
            }
        }
        out.push('\n');
        return out;
    }

    let mut words = 0;
    paragraph(&mut out, &mut rng, &NB, &mut words);
    out.push_str("<!-- more -->\n\n## Om denne delen\n\n");
    paragraph(&mut out, &mut rng, &NB, &mut words);
    let children: Vec<&SectionSpec> = SECTIONS
        .iter()
        .filter(|c| {
            c.path.strip_prefix(s.path).and_then(|rest| rest.strip_prefix('/')).is_some_and(|rest| !rest.contains('/'))
        })
        .collect();
    if !children.is_empty() {
        out.push_str("## Underområder\n\n");
        for c in children {
            let _ = writeln!(out, "- [{}](@/{}/_index.md): {}", c.title, c.path, c.description);
        }
        out.push('\n');
    }
    let own = &plan.by_section[index];
    if !own.is_empty() {
        out.push_str("## Utvalgte sider\n\n");
        for _ in 0..own.len().min(5) {
            let p = &plan.pages[*rng.pick(own)];
            let _ = writeln!(out, "- [{}](@/{})", p.title, p.file);
        }
        out.push('\n');
    }
    out
}

/// Writes page `i` into `out`; returns roughly how many words of prose it has.
fn page_file(i: usize, plan: &Plan, seed: u64, out: &mut String) -> usize {
    let me = &plan.pages[i];
    let s = &SECTIONS[me.section];
    let mut rng = Rng::new(seed, i as u64);
    let w = if me.nynorsk { &NN } else { &NB };

    // Front matter.
    let year = section_year(s).unwrap_or_else(|| rng.range(2016, 2025));
    let (month, day) = (rng.range(1, 12), rng.range(1, 28));
    out.push_str("+++\n");
    let _ = writeln!(out, "title = \"{}\"", me.title);
    let desc_obj = rng.pick(w.objects);
    let _ = writeln!(out, "description = \"{} {desc_obj}.\"", w.description_lead);
    let _ = writeln!(out, "date = {year:04}-{month:02}-{day:02}");
    if rng.chance(20) {
        let _ = writeln!(out, "updated = {:04}-{:02}-{:02}", (year + 1).min(2026), rng.range(1, 12), rng.range(1, 28));
    }
    let _ = writeln!(out, "weight = {}", rng.range(1, 1000));
    if me.nynorsk {
        out.push_str("lang = \"nn\"\n");
    }
    out.push_str("\n[taxonomies]\n");
    // The municipality in the title comes first; a fifth of the pages name a second.
    let _ = write!(out, "kommune = [\"{}\"", KOMMUNER[me.kommune]);
    if rng.chance(20) {
        let other = (me.kommune + rng.range(1, KOMMUNER.len() - 1)) % KOMMUNER.len();
        let _ = write!(out, ", \"{}\"", KOMMUNER[other]);
    }
    out.push_str("]\n");
    let n_tema = rng.range(1, 3);
    for (name, list, n) in [("tema", TEMA, n_tema), ("sektor", SEKTOR, 1)] {
        let _ = write!(out, "{name} = [");
        for (k, term) in rng.pick_distinct(list, n).into_iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "\"{term}\"");
        }
        out.push_str("]\n");
    }
    if rng.chance(30) {
        let _ = writeln!(out, "\n[extra]\nprosjektnummer = \"{}-{:04}\"", year, rng.range(1, 9999));
    }
    out.push_str("+++\n\n");

    // Links to other pages, spread over the paragraphs below.
    let mut links: Vec<String> = Vec::new();
    if plan.pages.len() > 1 {
        for _ in 0..rng.range(2, 5) {
            let mut j = rng.below(plan.pages.len() - 1);
            if j >= i {
                j += 1;
            }
            let target = &plan.pages[j];
            // Every page has a `## Bakgrunn` heading, so the anchor exists.
            let anchor = if rng.chance(25) { "#bakgrunn" } else { "" };
            links.push(format!("[{}](@/{}{anchor})", target.title, target.file));
        }
        if rng.chance(20) {
            links.push(format!("[{}](@/{}/_index.md)", s.title, s.path));
        }
    }

    let target = rng.range(260, 700);
    let mut count = 0;
    paragraph(out, &mut rng, w, &mut count);
    out.push_str("<!-- more -->\n\n");
    let _ = writeln!(out, "## {}\n", w.background);
    paragraph(out, &mut rng, w, &mut count);
    if let Some(link) = links.pop() {
        let _ = writeln!(out, "{} {link}.\n", rng.pick(w.see_also));
        count += 4;
    }

    let mut headings = rng.pick_distinct(w.headings, w.headings.len());
    // A table on a quarter of the pages, a footnote on one in seven.
    let mut table_left = rng.chance(25);
    let mut footnote_left = rng.chance(15);
    let footnote = footnote_left;
    while count < target {
        let heading = headings.pop().unwrap_or(&"Mer om saken");
        let _ = writeln!(out, "## {heading}\n");
        paragraph(out, &mut rng, w, &mut count);
        match rng.below(6) {
            0 | 1 => list(out, &mut rng, w, &mut count),
            2 if table_left => {
                table(out, &mut rng, w, year);
                table_left = false;
            }
            3 => {
                let sub = rng.pick(w.subheadings);
                let _ = writeln!(out, "### {sub}\n");
                paragraph(out, &mut rng, w, &mut count);
                if rng.chance(50) {
                    list(out, &mut rng, w, &mut count);
                }
            }
            _ => {}
        }
        if !links.is_empty() && rng.chance(60) {
            let link = links.pop().unwrap_or_default();
            let _ = writeln!(out, "{} {link}.\n", rng.pick(w.see_also));
            count += 4;
        }
        if footnote_left && rng.chance(50) {
            // The marker goes into a fresh paragraph so it never lands inside a list.
            sentence(out, &mut rng, w, &mut count);
            out.push_str("[^1]\n\n");
            footnote_left = false;
        }
    }
    if !links.is_empty() {
        let _ = writeln!(out, "## {}\n", w.related);
        for link in links {
            let _ = writeln!(out, "- {link}");
        }
        out.push('\n');
    }
    if footnote && !footnote_left {
        let _ = writeln!(out, "[^1]: {} {}.", w.source, rng.pick(w.sources));
    }
    count
}

/// A paragraph of three to seven sentences.
fn paragraph(out: &mut String, rng: &mut Rng, w: &Words, count: &mut usize) {
    for k in 0..rng.range(3, 7) {
        if k > 0 {
            out.push(' ');
        }
        sentence(out, rng, w, count);
    }
    out.push_str("\n\n");
}

fn sentence(out: &mut String, rng: &mut Rng, w: &Words, count: &mut usize) {
    let start = out.len();
    match rng.below(10) {
        0..=5 => {
            let _ = write!(
                out,
                "{} {} {} {}.",
                rng.pick(w.subjects),
                rng.pick(w.verbs),
                rng.pick(w.objects),
                rng.pick(w.adverbials)
            );
        }
        6 => {
            let whole = rng.range(4, 11);
            let tenth = rng.below(10);
            let goal = rng.range(4, whole.max(5));
            let year = rng.range(2016, 2025);
            let _ = write!(out, "{}", w.sick_leave(whole, tenth, year, goal));
        }
        7 => {
            let n = rng.range(3, 240);
            let year = rng.range(2026, 2040);
            let object = *rng.pick(w.objects);
            let _ = write!(out, "{}", w.fte(n, year, object));
        }
        _ => {
            let _ = write!(out, "{}", rng.pick(w.standalone));
        }
    }
    *count += out[start..].split_ascii_whitespace().count();
}

fn list(out: &mut String, rng: &mut Rng, w: &Words, count: &mut usize) {
    let numbered = rng.chance(30);
    for k in 0..rng.range(3, 6) {
        let item = format!("{} {}", rng.pick(w.infinitives), rng.pick(w.objects));
        if numbered {
            let _ = writeln!(out, "{}. {item}", k + 1);
        } else {
            let _ = writeln!(out, "- {item}");
        }
        *count += item.split_ascii_whitespace().count();
    }
    out.push('\n');
}

fn table(out: &mut String, rng: &mut Rng, w: &Words, year: usize) {
    let _ = writeln!(out, "{}\n", w.table_intro);
    let _ = writeln!(out, "| {} |\n|---|---:|---:|---:|", w.table_head);
    let mut fte = rng.range(40, 900);
    for y in year.saturating_sub(rng.range(2, 4))..=year {
        fte = fte + rng.below(30) - rng.below(20).min(fte);
        let _ = writeln!(out, "| {y} | {fte} | {},{} | {} |", rng.range(4, 11), rng.below(10), rng.range(20, 95));
    }
    out.push('\n');
}

// ---------------------------------------------------------------------------------
// Vocabulary

const KOMMUNER: &[&str] = &[
    "Oslo",
    "Bergen",
    "Trondheim",
    "Stavanger",
    "Kristiansand",
    "Tromsø",
    "Drammen",
    "Asker",
    "Bærum",
    "Lillestrøm",
    "Fredrikstad",
    "Sandnes",
    "Sarpsborg",
    "Skien",
    "Ålesund",
    "Bodø",
    "Larvik",
    "Tønsberg",
    "Arendal",
    "Karmøy",
    "Porsgrunn",
    "Haugesund",
    "Moss",
    "Hamar",
    "Gjøvik",
    "Lillehammer",
    "Molde",
    "Harstad",
    "Kongsberg",
    "Halden",
    "Steinkjer",
    "Levanger",
    "Meråker",
    "Time",
    "Voss",
    "Sogndal",
    "Ørsta",
    "Alta",
    "Narvik",
    "Røros",
];

const TEMA: &[&str] = &[
    "Barnehage",
    "Skole",
    "Sykehjem",
    "Hjemmetjenester",
    "Bemanning",
    "Sykefravær",
    "Heltid",
    "Rekruttering",
    "Digitalisering",
    "Innbyggerdialog",
    "Kommunereform",
    "Gevinstrealisering",
    "Økonomi",
    "Klima",
    "Innovasjon",
    "Velferdsteknologi",
];

const SEKTOR: &[&str] =
    &["Oppvekst", "Helse og omsorg", "Teknisk", "Kultur", "Sentraladministrasjon", "Samfunnsutvikling", "Velferd"];

/// One language form's words and phrases.
struct Words {
    topics: &'static [&'static str],
    subjects: &'static [&'static str],
    verbs: &'static [&'static str],
    infinitives: &'static [&'static str],
    objects: &'static [&'static str],
    adverbials: &'static [&'static str],
    standalone: &'static [&'static str],
    headings: &'static [&'static str],
    subheadings: &'static [&'static str],
    see_also: &'static [&'static str],
    sources: &'static [&'static str],
    prefixes: [&'static str; 6],
    background: &'static str,
    related: &'static str,
    source: &'static str,
    description_lead: &'static str,
    table_intro: &'static str,
    table_head: &'static str,
    sick_leave_fmt: [&'static str; 4],
    fte_fmt: [&'static str; 3],
}

impl Words {
    fn prefix(&self, kind: Kind) -> &'static str {
        match kind {
            Kind::Mandate | Kind::Home => self.prefixes[0],
            Kind::Goal => self.prefixes[1],
            Kind::Report => self.prefixes[2],
            Kind::Network => self.prefixes[3],
            Kind::Service => self.prefixes[4],
            Kind::About => self.prefixes[5],
        }
    }

    fn sick_leave(&self, whole: usize, tenth: usize, year: usize, goal: usize) -> String {
        let [a, b, c, d] = self.sick_leave_fmt;
        format!("{a}{whole},{tenth}{b}{year}{c}{goal}{d}")
    }

    fn fte(&self, n: usize, year: usize, object: &str) -> String {
        let [a, b, c] = self.fte_fmt;
        format!("{a}{n}{b}{year}{c}{object}.")
    }
}

const NB: Words = Words {
    topics: &[
        "Heltidskultur i turnus",
        "Nytt innbyggertorg",
        "Digital søknad om barnehageplass",
        "Lavere sykefravær i hjemmetjenesten",
        "Velferdsteknologi i sykehjem",
        "Felles IKT-plattform",
        "Rekruttering av sykepleiere",
        "Kompetanseløft i barnehagen",
        "Samlokalisering av tjenester",
        "Gevinster etter kommunereformen",
        "Innbyggerdialog i nærmiljøet",
        "Tidlig innsats i skolen",
        "Årsverksbehov fram mot 2040",
        "Hverdagsrehabilitering",
        "Digitalt postmottak",
        "Lærlinger i helse og omsorg",
        "Frisklivssentral",
        "Boligsosial handlingsplan",
        "Klimabudsjett",
        "Arkivplan og dokumentasjonsforvaltning",
        "Flere plasser i sykehjem",
        "Heltid for helsefagarbeidere",
        "Nærvær i barnehagene",
        "Selvbetjening på nett",
    ],
    subjects: &[
        "Kommunen",
        "Prosjektgruppen",
        "Styringsgruppen",
        "Kommunedirektøren",
        "Rådmannen",
        "Enheten for helse og omsorg",
        "Barnehagesektoren",
        "Arbeidsgruppen",
        "De tillitsvalgte",
        "Prosjektlederen",
        "Kommunestyret",
        "Formannskapet",
        "Innbyggertorget",
        "Personalavdelingen",
        "Hjemmetjenesten",
        "Oppvekstetaten",
    ],
    verbs: &[
        "skal kartlegge",
        "har vurdert",
        "foreslår å styrke",
        "vil prioritere",
        "må redusere",
        "har utredet",
        "skal følge opp",
        "ønsker å utvide",
        "har gjennomført",
        "planlegger å evaluere",
        "har lagt fram en plan for",
        "skal samordne",
        "har fått ansvaret for",
        "rapporterer jevnlig om",
        "har satt av midler til",
    ],
    infinitives: &[
        "kartlegge",
        "redusere",
        "styrke",
        "evaluere",
        "utrede",
        "følge opp",
        "digitalisere",
        "samordne",
        "forenkle",
        "dokumentere",
        "måle",
        "prioritere",
    ],
    objects: &[
        "sykefraværet i hjemmetjenesten",
        "behovet for årsverk i pleie og omsorg",
        "antall plasser i sykehjem",
        "heltidskulturen i turnusyrkene",
        "tilbudet i innbyggertorget",
        "digitaliseringen av søknadsprosessene",
        "rekrutteringen av barnehagelærere",
        "andelen ansatte i hele stillinger",
        "kvaliteten i barnehagene",
        "gevinstene fra kommunereformen",
        "samarbeidet med frivillige",
        "ventetiden for hjemmesykepleie",
        "bruken av velferdsteknologi",
        "kompetansen blant helsefagarbeiderne",
        "medvirkningen fra innbyggerne",
        "økonomien i helse og omsorg",
        "dekningsgraden i barnehagene",
        "arbeidsmiljøet i sykehjemmene",
    ],
    adverbials: &[
        "innen utgangen av 2026",
        "i samarbeid med KS",
        "før neste budsjettbehandling",
        "i tråd med kommuneplanens samfunnsdel",
        "etter kommunereformen",
        "sammen med de tillitsvalgte",
        "i løpet av prosjektperioden",
        "i hele kommunen",
        "med støtte fra statsforvalteren",
        "fra neste skoleår",
        "i tett dialog med brukerne",
        "uten økte driftskostnader",
    ],
    standalone: &[
        "Prosjektet følger Prosjektveiviseren, Digdirs modell for prosjekter i offentlig sektor.",
        "Effektmålene er gevinstene linjeorganisasjonen skal ta ut etter at prosjektet er avsluttet.",
        "Resultatmålene beskriver hva prosjektet selv skal levere.",
        "Status er pågår, og ingen milepæler er forsinket.",
        "Risikoen vurderes som moderat.",
        "Det er behov for mer kunnskap før endelig vedtak.",
        "Styringsgruppen møtes fire ganger i året.",
        "Erfaringene deles i nettverket med de andre kommunene.",
        "Tiltaket er finansiert innenfor gjeldende budsjettramme.",
        "Innbyggerne er invitert til åpne møter i alle kommunedelene.",
        "Heltid er hovedregelen, og deltid skal være et unntak.",
        "Sykefraværet skal følges opp månedlig i hver enhet.",
    ],
    headings: &[
        "Mål",
        "Effektmål",
        "Resultatmål",
        "Organisering",
        "Status",
        "Risiko",
        "Økonomi",
        "Gevinstrealisering",
        "Milepæler",
        "Videre arbeid",
        "Medvirkning",
        "Avhengigheter",
    ],
    subheadings: &[
        "Erfaringer så langt",
        "Tiltak",
        "Hva vi måler",
        "Ansvar",
        "Tidsplan",
        "Forutsetninger",
        "Innbyggernes behov",
        "Kostnader",
    ],
    see_also: &["Se også", "Les mer i", "Dette henger sammen med", "Sammenlign med"],
    sources: &[
        "KOSTRA-tall fra SSB",
        "kommunens årsrapport",
        "medarbeiderundersøkelsen",
        "rapporten fra arbeidsgruppen",
        "framskrivingene fra departementet",
    ],
    prefixes: ["Mandat", "Mål", "Statusrapport", "Erfaringer", "Tiltak", "Om"],
    background: "Bakgrunn",
    related: "Relaterte sider",
    source: "Kilde:",
    description_lead: "Hvordan kommunen arbeider med",
    table_intro: "Tabellen viser utviklingen de siste årene.",
    table_head: "År | Årsverk | Sykefravær (%) | Andel heltid (%)",
    sick_leave_fmt: ["Sykefraværet var ", " prosent i ", ", mot et mål på ", " prosent."],
    fte_fmt: ["Det trengs ", " nye årsverk fram mot ", " for å ivareta "],
};

const NN: Words = Words {
    topics: &[
        "Heiltidskultur i turnus",
        "Nytt innbyggjartorg",
        "Digital søknad om barnehageplass",
        "Lågare sjukefråvær i heimetenesta",
        "Velferdsteknologi i sjukeheim",
        "Felles IKT-plattform",
        "Rekruttering av sjukepleiarar",
        "Kompetanseløft i barnehagen",
        "Samlokalisering av tenester",
        "Gevinstar etter kommunereforma",
        "Innbyggjardialog i nærmiljøet",
        "Tidleg innsats i skulen",
        "Årsverksbehov fram mot 2040",
        "Kvardagsrehabilitering",
        "Digitalt postmottak",
        "Lærlingar i helse og omsorg",
        "Frisklivssentral",
        "Bustadsosial handlingsplan",
        "Klimabudsjett",
    ],
    subjects: &[
        "Kommunen",
        "Prosjektgruppa",
        "Styringsgruppa",
        "Kommunedirektøren",
        "Rådmannen",
        "Eininga for helse og omsorg",
        "Barnehagesektoren",
        "Arbeidsgruppa",
        "Dei tillitsvalde",
        "Prosjektleiaren",
        "Kommunestyret",
        "Formannskapet",
        "Innbyggjartorget",
        "Heimetenesta",
    ],
    verbs: &[
        "skal kartleggje",
        "har vurdert",
        "føreslår å styrkje",
        "vil prioritere",
        "må redusere",
        "har greidd ut",
        "skal følgje opp",
        "ønskjer å utvide",
        "har gjennomført",
        "planlegg å evaluere",
        "har lagt fram ein plan for",
        "skal samordne",
        "rapporterer jamleg om",
        "har sett av midlar til",
    ],
    infinitives: &[
        "kartleggje",
        "redusere",
        "styrkje",
        "evaluere",
        "greie ut",
        "følgje opp",
        "digitalisere",
        "samordne",
        "forenkle",
        "dokumentere",
        "måle",
        "prioritere",
    ],
    objects: &[
        "sjukefråværet i heimetenesta",
        "behovet for årsverk i pleie og omsorg",
        "talet på plassar i sjukeheim",
        "heiltidskulturen i turnusyrka",
        "tilbodet i innbyggjartorget",
        "digitaliseringa av søknadsprosessane",
        "rekrutteringa av barnehagelærarar",
        "delen tilsette i heile stillingar",
        "kvaliteten i barnehagane",
        "gevinstane frå kommunereforma",
        "samarbeidet med frivillige",
        "ventetida for heimesjukepleie",
        "bruken av velferdsteknologi",
        "kompetansen blant helsefagarbeidarane",
    ],
    adverbials: &[
        "innan utgangen av 2026",
        "i samarbeid med KS",
        "før neste budsjetthandsaming",
        "i tråd med samfunnsdelen av kommuneplanen",
        "etter kommunereforma",
        "saman med dei tillitsvalde",
        "i løpet av prosjektperioden",
        "i heile kommunen",
        "med støtte frå statsforvaltaren",
        "frå neste skuleår",
    ],
    standalone: &[
        "Prosjektet følgjer Prosjektveiviseren, modellen til Digdir for prosjekt i offentleg sektor.",
        "Effektmåla er gevinstane linjeorganisasjonen skal ta ut etter at prosjektet er avslutta.",
        "Resultatmåla skildrar kva prosjektet sjølv skal levere.",
        "Status er pågår, og ingen milepælar er forseinka.",
        "Risikoen er vurdert som moderat.",
        "Det trengst meir kunnskap før endeleg vedtak.",
        "Styringsgruppa møtest fire gonger i året.",
        "Erfaringane blir delte i nettverket med dei andre kommunane.",
        "Heiltid er hovudregelen, og deltid skal vere eit unntak.",
    ],
    headings: &[
        "Mål",
        "Effektmål",
        "Resultatmål",
        "Organisering",
        "Status",
        "Risiko",
        "Økonomi",
        "Gevinstrealisering",
        "Milepælar",
        "Vidare arbeid",
        "Medverknad",
        "Avhengnader",
    ],
    subheadings: &[
        "Erfaringar så langt",
        "Tiltak",
        "Kva vi måler",
        "Ansvar",
        "Tidsplan",
        "Føresetnader",
        "Behova til innbyggjarane",
        "Kostnader",
    ],
    see_also: &["Sjå også", "Les meir i", "Dette heng saman med", "Samanlikn med"],
    sources: &[
        "KOSTRA-tal frå SSB",
        "årsrapporten til kommunen",
        "medarbeidarundersøkinga",
        "rapporten frå arbeidsgruppa",
        "framskrivingane frå departementet",
    ],
    prefixes: ["Mandat", "Mål", "Statusrapport", "Erfaringar", "Tiltak", "Om"],
    background: "Bakgrunn",
    related: "Relaterte sider",
    source: "Kjelde:",
    description_lead: "Korleis kommunen arbeider med",
    table_intro: "Tabellen viser utviklinga dei siste åra.",
    table_head: "År | Årsverk | Sjukefråvær (%) | Del heiltid (%)",
    sick_leave_fmt: ["Sjukefråværet var ", " prosent i ", ", mot eit mål på ", " prosent."],
    fte_fmt: ["Det trengst ", " nye årsverk fram mot ", " for å ta vare på "],
};
