//! Command-line arguments. Reads no files; `main.rs` turns them into options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// innsyn builds transparency websites from Markdown and CSV: mandates, goals and charts.
#[derive(Debug, Parser)]
// The version names the commit too (see build.rs), e.g. `0.1.0 (1a2b3c4d5e6f 2026-05-01)`.
#[command(name = "innsyn", version = env!("INNSYN_VERSION"), about)]
pub struct Cli {
    /// What to do; without one, innsyn says how to start.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The version and the commit the binary was built from, as `--version` prints them.
pub const VERSION: &str = env!("INNSYN_VERSION");

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/ (or --output).
    Build(BuildArgs),
    /// Build, serve on this machine, rebuild on every change and reload open pages.
    Serve {
        /// The site to serve.
        #[command(flatten)]
        site: SiteArgs,
        /// Address to listen on; 127.0.0.1 keeps the site on this machine.
        #[arg(long, default_value = "127.0.0.1")]
        interface: String,
        /// Port to listen on.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Check the whole site as a build would, and lint links, anchors, alt text and
    /// headings, without writing anything.
    Check {
        /// The site to check.
        #[command(flatten)]
        site: SiteArgs,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        /// Also check links to other sites: each host is asked whether its
        /// addresses answer (hosts side by side, one address at a time per host).
        #[arg(long)]
        external: bool,
        /// With --external: the seconds all requests to one host may take together.
        #[arg(long, value_name = "SECONDS", default_value_t = 10, requires = "external")]
        host_timeout: u64,
    },
    /// Pack the site, built for reading from disk, into a verifiable BagIt archive (zip),
    /// with --warc also a WARC of the site as served at base_url for wayback players.
    Archive(ArchiveArgs),
    /// Make a new site in DIR that builds at once.
    Init {
        /// Folder for the new site (must be empty or not exist).
        dir: PathBuf,
        /// Language of the new site: nb (bokmål), nn (nynorsk) or en.
        #[arg(long, default_value = "nb", value_parser = ["nb", "nn", "en"])]
        lang: String,
    },
    /// Convert a site made for another generator (Zola) into a new innsyn site,
    /// listing what could not be carried over in ZOLA-IMPORT.md.
    Import {
        /// The generator the site was made for.
        #[arg(value_parser = ["zola"])]
        from: String,
        /// The site's folder (holding its config.toml).
        dir: PathBuf,
        /// Folder for the new site (must be empty or not exist) [default: DIR-innsyn].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Leave the site's templates behind and use innsyn's own theme.
        #[arg(long)]
        innsyn_theme: bool,
    },
    /// Write a new mandate, goal or page with every field explained.
    New {
        /// What to make.
        kind: crate::init::NewKind,
        /// Its title.
        title: String,
        /// Folder inside content/ [default: mandater for mandates, mal for goals].
        #[arg(long)]
        section: Option<String>,
        /// For a goal: the id of the goal above it.
        #[arg(long)]
        parent: Option<String>,
        /// The site's folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// Where the site is, and whether drafts are built.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's folder (holding config.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Include pages dated after today (the build's date: SOURCE_DATE_EPOCH when set).
    #[arg(long)]
    pub future: bool,
}

/// Options of `innsyn build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site to build.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder [default: ROOT/public].
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Base URL for feeds, sitemap and canonical links (overrides config.toml).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Links to folders end in index.html, so the site works opened from disk.
    #[arg(long)]
    pub offline: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write into an output folder that holds files innsyn did not write (they stay;
    /// innsyn only ever removes files it wrote).
    #[arg(long)]
    pub force: bool,
}

/// Options of `innsyn archive`.
#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The site's folder (holding config.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The zip to write, or a folder to write it in [default: ./TITLE-SLUG-YYYY-MM-DD.zip].
    #[arg(long, value_name = "FILE.zip")]
    pub output: Option<PathBuf>,
    /// Base URL for feeds, sitemap and canonical links (overrides config.toml).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Also keep the site as a web host serves it at base_url: a WARC (ISO 28500) with a
    /// CDXJ index in the bag's warc/ folder, which wayback players such as pywb replay.
    /// `[archive] warc = true` in config.toml makes it the default.
    #[arg(long)]
    pub warc: bool,
    /// Check an archive instead of making one: every file, checksum and the Payload-Oxum,
    /// and each WARC's record digests, addresses and index.
    #[arg(long, value_name = "FILE.zip", conflicts_with_all = ["root", "output", "base_url", "force", "warc"])]
    pub verify: Option<PathBuf>,
    /// Replace an existing file at the archive's path even when it is not an
    /// archive innsyn made.
    #[arg(long)]
    pub force: bool,
}
