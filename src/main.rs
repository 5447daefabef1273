//! The `innsyn` binary: arguments → options → build; prints diagnostics and sets the
//! exit status (0 success, 1 the site has errors, 2 usage). No logic of its own.

use std::process::ExitCode;

use clap::Parser;
use innsyn::cli::{Cli, Command};
use innsyn::error::Diagnostics;
use innsyn::pipeline::{self, Options, Summary};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match cli.command {
        Command::Build(args) => {
            let options = Options {
                root: args.site.root,
                output: args.output,
                base_url: args.base_url,
                drafts: args.site.drafts,
                offline: args.offline,
                write: true,
            };
            finish(pipeline::build(&options), |s| {
                if !args.quiet {
                    let w = s.written;
                    println!(
                        "Built {} pages in {} sections, {} charts, {} data files, {} search terms: {} files ({} written, {} unchanged, {} removed) in {} ms",
                        s.pages,
                        s.sections,
                        s.charts,
                        s.data_files,
                        s.search_terms,
                        s.files,
                        w.written,
                        w.unchanged,
                        w.removed,
                        s.elapsed.as_millis()
                    );
                }
            })
        }
        Command::Serve { site, interface, port, open } => {
            let options = innsyn::serve::ServeOptions { root: site.root, interface, port, drafts: site.drafts, open };
            match innsyn::serve::run(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(d) => {
                    eprintln!("{d}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Check(args) => {
            let options = Options {
                root: args.root,
                output: None,
                base_url: None,
                drafts: args.drafts,
                offline: false,
                write: false,
            };
            finish(pipeline::build(&options), |s| {
                println!(
                    "No errors: {} pages in {} sections checked in {} ms",
                    s.pages,
                    s.sections,
                    s.elapsed.as_millis()
                )
            })
        }
        Command::New { kind, title, section, parent, root } => {
            let today = innsyn::pipeline::today().to_string();
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
        Command::Init { dir } => match innsyn::init::create(&dir) {
            Ok(()) => {
                println!("Made a new site in {}. Build it with: innsyn build --root {}", dir.display(), dir.display());
                ExitCode::SUCCESS
            }
            Err(d) => {
                eprintln!("{d}");
                ExitCode::from(1)
            }
        },
    }
}

fn finish(result: Result<Summary, Diagnostics>, report: impl FnOnce(&Summary)) -> ExitCode {
    match result {
        Ok(summary) => {
            report(&summary);
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("Nothing was written; the previous output is unchanged.");
            ExitCode::from(1)
        }
    }
}
