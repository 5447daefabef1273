//! The `innsyn` binary: arguments → options → build; prints diagnostics and sets the
//! exit status (0 success, 1 the site has errors, 2 usage). No logic of its own.

use std::process::ExitCode;

use clap::Parser;
use innsyn::cli::{Cli, Command};
use innsyn::error::Diagnostics;
use innsyn::pipeline::{self, Mode, Options, Summary};

/// A build allocates and frees millions of small strings across threads;
/// mimalloc does that faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_t`.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc gives freed memory back to the system 1 s after it is freed, and the
/// system zeroes it again when it is used anew. Every command keeps what it
/// frees for ten seconds (`serve`: a rebuild reuses it, an idle server gives it
/// back); those that build once and end keep it all (`keep_all_freed_memory`).
fn keep_freed_memory() {
    // SAFETY: mi_option_set only stores a number in mimalloc's table of options,
    // which mimalloc reads atomically; any value is valid for this option.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 10_000) }
}

/// A build, check or archive keeps all it frees until it ends, for the next
/// phase to reuse. Memory given back is not only zeroed again when used anew:
/// on a virtual machine that reports free pages to its host (as the one the
/// figures in docs/performance.md were measured on does), the host must supply
/// it again, page by page. Giving back between phases and after ten seconds
/// cost a 100 000-page build there 65 000–69 000 page faults (about 1 150 now)
/// and 5–8 % of its time, and kept its peak 5–6 % lower.
fn keep_all_freed_memory() {
    // SAFETY: as in keep_freed_memory; a negative delay means never.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let Some(command) = cli.command else {
        print_start();
        wait_if_own_window();
        return ExitCode::SUCCESS;
    };
    match command {
        Command::Build(args) => {
            let options = Options {
                root: args.site.root,
                output: args.output,
                base_url: args.base_url,
                drafts: args.site.drafts,
                future: args.site.future,
                external: None,
                offline: args.offline,
                mode: Mode::Build,
                force: args.force,
            };
            keep_all_freed_memory();
            let bar = progress_bar(args.quiet);
            let timings = std::env::var_os("INNSYN_TIMINGS").is_some();
            let result = pipeline::build_with_progress(&options, &|phase| {
                if let Some(b) = &bar {
                    b.set_message(phase.to_string());
                }
                if timings {
                    print_memory(phase);
                }
            });
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            finish(result, |s| {
                print_warnings(&s.warnings);
                // INNSYN_TIMINGS=1 prints how long each phase took (for docs/performance.md).
                if timings {
                    print_memory("end");
                    for (phase, time) in &s.phases {
                        eprintln!("{phase:>24}: {:>6} ms", time.as_millis());
                    }
                }
                if !args.quiet {
                    print_held_back(&s.held_back);
                    let w = s.written;
                    // Images are named only on a site that shows some.
                    let images = match s.images {
                        i if i.images == 0 => String::new(),
                        i => format!(", {} images ({} variants, {} from the cache)", i.images, i.variants, i.cached),
                    };
                    println!(
                        "Built {} pages in {} sections, {} charts, {} data files, {} search terms{images}: {} files ({} written, {} unchanged, {} removed; {} reused) in {} ms",
                        s.pages,
                        s.sections,
                        s.charts,
                        s.data_files,
                        s.search_terms,
                        s.files,
                        w.written,
                        w.unchanged,
                        w.removed,
                        s.reused,
                        s.elapsed.as_millis()
                    );
                }
            })
        }
        Command::Serve { site, interface, port, open } => {
            let options = innsyn::serve::ServeOptions {
                root: site.root,
                interface,
                port,
                drafts: site.drafts,
                future: site.future,
                open,
            };
            match innsyn::serve::run(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(d) => {
                    eprintln!("{d}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Check { site, strict, external, host_timeout } => {
            let options = Options {
                root: site.root,
                output: None,
                base_url: None,
                drafts: site.drafts,
                future: site.future,
                external: external.then(|| innsyn::external::Limits {
                    per_host: std::time::Duration::from_secs(host_timeout.max(1)),
                    ..innsyn::external::Limits::default()
                }),
                offline: false,
                mode: Mode::Check,
                force: false,
            };
            keep_all_freed_memory();
            let timings = std::env::var_os("INNSYN_TIMINGS").is_some();
            let result = pipeline::build_with_progress(&options, &|phase| {
                if timings {
                    print_memory(phase);
                }
            });
            match result {
                Ok(summary) => {
                    if timings {
                        print_memory("end");
                        for (phase, time) in &summary.phases {
                            eprintln!("{phase:>24}: {:>6} ms", time.as_millis());
                        }
                    }
                    report_check(&summary, strict)
                }
                Err(errors) => finish(Err(errors), |_| {}),
            }
        }
        Command::New { kind, title, section, parent, root } => {
            let today = innsyn::dates::today().to_string();
            match innsyn::init::new_file(&root, kind, &title, section.as_deref(), parent.as_deref(), &today) {
                Ok(path) => {
                    println!("Wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprintln!("{d}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Archive(args) => match args.verify {
            Some(zip) => {
                let v = innsyn::archive::verify_file(&zip);
                for problem in &v.problems {
                    eprintln!("{}: {problem}", zip.display());
                }
                if v.is_valid() {
                    println!(
                        "{}: a valid BagIt bag: {} files ({} bytes) in data/, every checksum and the Payload-Oxum right",
                        zip.display(),
                        v.payload_files,
                        v.payload_bytes
                    );
                    for w in &v.warcs {
                        println!(
                            "{}: {}: {} responses and {} revisits, every digest, address and index line right",
                            zip.display(),
                            w.path,
                            w.responses,
                            w.revisits
                        );
                    }
                    ExitCode::SUCCESS
                } else {
                    let n = v.problems.len();
                    eprintln!("{}: {n} {}", zip.display(), if n == 1 { "problem" } else { "problems" });
                    ExitCode::from(1)
                }
            }
            None => {
                keep_all_freed_memory();
                let options = innsyn::archive::ArchiveOptions {
                    root: args.root,
                    output: args.output,
                    base_url: args.base_url,
                    force: args.force,
                    warc: args.warc,
                };
                match innsyn::archive::archive(&options) {
                    Ok(s) => {
                        for note in &s.notes {
                            eprintln!("note: {note}");
                        }
                        println!(
                            "Archived {} files ({} bytes) into {} ({} bytes, sha256 {}) in {} ms (build {} ms)",
                            s.files,
                            s.payload_bytes,
                            s.path.display(),
                            s.zip_bytes,
                            s.sha256,
                            s.elapsed.as_millis(),
                            s.build.as_millis()
                        );
                        if let Some(w) = &s.warc {
                            println!(
                                "with {} ({} bytes): the site as served at {}, {} responses and {} revisits",
                                w.path, w.bytes, w.base_url, w.responses, w.revisits
                            );
                        }
                        ExitCode::SUCCESS
                    }
                    Err(errors) => {
                        eprintln!("{errors}");
                        eprintln!("No archive was written.");
                        ExitCode::from(1)
                    }
                }
            }
        },
        Command::Import { from: _, dir, output, innsyn_theme } => {
            let output = output.unwrap_or_else(|| {
                let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
                dir.with_file_name(format!("{name}-innsyn"))
            });
            match innsyn::import::zola(&dir, &output, !innsyn_theme) {
                Ok(report) => {
                    println!("Made an innsyn site of {} files in {}.", report.files, output.display());
                    if report.notes.is_empty() {
                        println!("Everything was carried over as it was.");
                    } else {
                        println!(
                            "What was changed or left behind ({} notes, also in ZOLA-IMPORT.md):",
                            report.notes.len()
                        );
                        for (place, what) in &report.notes {
                            println!("  {place}: {what}");
                        }
                    }
                    println!("\nSee it with: {} serve --root {}", invocation(), output.display());
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprintln!("{d}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Init { dir, lang } => {
            match innsyn::init::create(&dir, innsyn::lang::Lang::parse(&lang).unwrap_or(innsyn::lang::Lang::Nb)) {
                Ok(()) => {
                    let program = invocation();
                    println!("Made a new site in {}. See it while you write with:", dir.display());
                    println!("\n    {program} serve --root {}\n", dir.display());
                    println!(
                        "or write it to {} with: {program} build --root {}",
                        dir.join("public").display(),
                        dir.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprintln!("{d}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// What `innsyn` without a command prints: how to start. Exit status 0, since
/// running the program bare is how a new user asks what it does, not a mistake.
fn print_start() {
    let program = invocation();
    println!("innsyn {}", innsyn::cli::VERSION);
    println!("builds transparency websites from Markdown and CSV: mandates, goals and charts.");
    println!();
    println!("Make a new site in the folder my-site, and see it in your browser while you write:");
    println!();
    println!("    {program} init my-site");
    println!("    {program} serve --root my-site");
    println!();
    println!("then open http://127.0.0.1:1111/ and edit the files in my-site.");
    println!("`{program} --help` lists every command.");
}

/// How to type the program's name in the current folder: `./innsyn` (`.\innsyn` on
/// Windows) when the program lies in it, as when a download was unpacked and opened
/// there; `innsyn` otherwise.
fn invocation() -> &'static str {
    let here = std::env::current_exe().ok().and_then(|exe| {
        let dir = exe.parent()?.canonicalize().ok()?;
        Some(dir == std::env::current_dir().ok()?.canonicalize().ok()?)
    });
    match here {
        Some(true) if cfg!(windows) => ".\\innsyn",
        Some(true) => "./innsyn",
        _ => "innsyn",
    }
}

/// On Windows, a double-click in Explorer runs innsyn in a console window of its
/// own, which closes the moment innsyn exits: keep it open until Enter, so the text
/// can be read. Does nothing in a terminal, where the window is shared.
fn wait_if_own_window() {
    #[cfg(windows)]
    {
        #[link(name = "kernel32")]
        extern "system" {
            fn GetConsoleProcessList(list: *mut u32, count: u32) -> u32;
        }
        let mut ids = [0u32; 2];
        // SAFETY: the list is a valid buffer of the length given; the call only writes
        // up to that many process ids into it and returns how many share the console.
        let sharing = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), ids.len() as u32) };
        if sharing == 1 {
            println!("\nPress Enter to close this window.");
            let _ = std::io::stdin().read_line(&mut String::new());
        }
    }
}

/// Prints warnings grouped per file.
fn print_warnings(warnings: &[innsyn::error::Diagnostic]) {
    let mut current = None;
    for w in warnings {
        if current != Some(&w.path) {
            eprintln!("\n{}", w.path.display());
            current = Some(&w.path);
        }
        eprintln!("  {}", painted(&w.to_string()));
    }
}

/// Says which pages are left out because they are dated after today.
fn print_held_back(held_back: &[innsyn::site::HeldBack]) {
    if held_back.is_empty() {
        return;
    }
    let n = held_back.len();
    println!(
        "{n} {} dated after today {} not published yet (`--future` includes {}):",
        if n == 1 { "page" } else { "pages" },
        if n == 1 { "is" } else { "are" },
        if n == 1 { "it" } else { "them" }
    );
    for h in held_back {
        println!("  {} (dated {})", h.file.display(), h.date);
    }
}

/// Prints `check`'s warnings grouped per file and its summary.
fn report_check(summary: &Summary, strict: bool) -> ExitCode {
    print_warnings(&summary.warnings);
    print_held_back(&summary.held_back);
    let n = summary.warnings.len();
    println!(
        "Checked {} pages in {} sections in {} ms: no errors, {n} {}",
        summary.pages,
        summary.sections,
        summary.elapsed.as_millis(),
        if n == 1 { "warning" } else { "warnings" }
    );
    if strict && n > 0 {
        eprintln!("--strict: warnings fail the check.");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A spinner naming the build's phase, on a terminal only (and not with `--quiet`).
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    let style = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(bar)
}

/// Diagnostics as printed: `error`/`warning` in colour on a terminal unless
/// `NO_COLOR` is set.
fn painted(text: &str) -> String {
    use std::io::IsTerminal as _;
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) || !std::io::stderr().is_terminal() {
        return text.to_string();
    }
    text.replace(": error: ", ": \x1b[1;31merror\x1b[0m: ").replace(": warning: ", ": \x1b[1;33mwarning\x1b[0m: ")
}

fn finish(result: Result<Summary, Diagnostics>, report: impl FnOnce(&Summary)) -> ExitCode {
    match result {
        Ok(summary) => {
            report(&summary);
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{}", painted(&errors.to_string()));
            eprintln!("Nothing was written; the previous output is unchanged.");
            ExitCode::from(1)
        }
    }
}

/// With `INNSYN_TIMINGS`, the memory the process holds as a phase starts and the
/// most it held so far (Linux only: read from `/proc/self/status`).
fn print_memory(phase: &str) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return };
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().trim_end_matches(" kB").trim().to_string())
    };
    let mb = |kb: Option<String>| kb.and_then(|k| k.parse::<u64>().ok()).map_or(0, |k| k / 1024);
    // User and system time so far, in clock ticks (fields 14 and 15, after the
    // command's name in parentheses): the CPU time a phase took is the difference.
    let ticks = std::fs::read_to_string("/proc/self/stat").ok().and_then(|stat| {
        let fields: Vec<u64> =
            stat.rsplit_once(')')?.1.split_whitespace().skip(11).take(2).filter_map(|f| f.parse().ok()).collect();
        Some(fields.iter().sum::<u64>())
    });
    eprintln!(
        "{phase:>24}: starts at {} MB held, {} MB at most so far, {:.2} s of CPU so far",
        mb(field("VmRSS:")),
        mb(field("VmHWM:")),
        ticks.unwrap_or(0) as f64 / 100.0
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_is_the_option_it_is_named() {
        // mimalloc's default purge delay is 1000 ms: the number names the option.
        // SAFETY: reads a number from mimalloc's table of options.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) }, 1000);
    }
}
