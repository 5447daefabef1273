//! `innsyn archive`: packs the offline build into a BagIt bag (RFC 8493, version 1.0)
//! inside a reproducible zip, and verifies such zips. [`pack`] and [`verify`] are pure
//! (files in, bytes out; bytes in, problems out); only [`archive`] and [`verify_file`]
//! touch the disk, and they never change the site or its `public/` folder.
//!
//! The zip holds one folder named after the zip's stem:
//!
//! ```text
//! NAME/bag-info.txt            who made the bag, when, from which commit, Payload-Oxum
//! NAME/bagit.txt               BagIt-Version: 1.0, UTF-8
//! NAME/data/...                the site, built with offline links
//! NAME/manifest-sha256.txt     a checksum for every file under data/
//! NAME/tagmanifest-sha256.txt  a checksum for each of the tag files
//! ```
//!
//! With `--warc` (or `[archive] warc = true`), the site as a web host serves it at
//! `base_url` is also kept as a WARC with its CDXJ index (see [`crate::warc`]):
//!
//! ```text
//! NAME/warc/NAME.warc.gz       one record per address, gzipped one by one
//! NAME/warc/NAME.cdxj          the index a wayback player opens it with
//! ```
//!
//! They are tag files, listed in `tagmanifest-sha256.txt`, not payload: `data/`
//! stays the offline site alone, so its manifest and `Payload-Oxum` are the same
//! with a WARC or without, and `data/index.html` still opens the site. RFC 8493
//! §2.2.4 allows tag files in folders of their own, and BagIt tools (Python's
//! `bagit`) check every file the tag manifest lists.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Cursor, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::config::{self, Settings, CONFIG_FILE};
use crate::content::slug::slugify;
use crate::dates::Date;
use crate::error::{Diagnostic, Diagnostics};
use crate::file::OutputFile;
use crate::pipeline::{self, Mode, Options};

/// The declaration every bag starts with (RFC 8493 §2.1.1).
pub const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// The payload manifest innsyn writes.
const MANIFEST: &str = "manifest-sha256.txt";
/// The tag manifest innsyn writes.
const TAG_MANIFEST: &str = "tagmanifest-sha256.txt";
/// Every zip entry gets this mode, so the bytes do not depend on the umask.
const FILE_MODE: u32 = 0o644;

/// What to archive, and where.
#[derive(Debug, Clone)]
pub struct ArchiveOptions {
    /// The site's folder.
    pub root: PathBuf,
    /// The zip to write, or a folder to write it in; [`default_file_name`] in the
    /// current folder when `None`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from config.toml (canonical links, feeds, sitemap).
    pub base_url: Option<String>,
    /// Replace a file at the zip's path even when it is not a bag innsyn made.
    pub force: bool,
    /// Add a WARC of the site as served at `base_url` (also when config.toml sets
    /// `[archive] warc = true`).
    pub warc: bool,
}

/// What an archive run made.
#[derive(Debug, Clone)]
pub struct ArchiveSummary {
    /// The zip written.
    pub path: PathBuf,
    /// The bag's folder inside the zip.
    pub bag: String,
    /// Files and bytes under `data/`.
    pub files: usize,
    /// Bytes of the files under `data/`.
    pub payload_bytes: u64,
    /// Size and SHA-256 (hex) of the zip itself.
    pub zip_bytes: u64,
    /// SHA-256 of the zip, in hex.
    pub sha256: String,
    /// Time spent building the site, and in all.
    pub build: Duration,
    /// Time spent in all, building included.
    pub elapsed: Duration,
    /// Things the reader should know that are not errors, e.g. a missing `organization`.
    pub notes: Vec<String>,
    /// The WARC in the bag, when one was made.
    pub warc: Option<WarcSummary>,
}

/// What went into the WARC.
#[derive(Debug, Clone)]
pub struct WarcSummary {
    /// Its path inside the bag, e.g. `warc/arkiv.warc.gz`.
    pub path: String,
    /// The address the site is captured at.
    pub base_url: String,
    /// Response records: one for each file.
    pub responses: usize,
    /// Revisit records: further addresses of the same bytes.
    pub revisits: usize,
    /// Bytes of the WARC.
    pub bytes: u64,
}

/// The fields of `bag-info.txt` that do not depend on the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BagInfo {
    /// `Source-Organization`; left out when empty.
    pub organization: String,
    /// `Contact-Name`; left out when empty.
    pub contact_name: String,
    /// `Contact-Email`; left out when empty.
    pub contact_email: String,
    /// `External-Description`: the site's title and description.
    pub description: String,
    /// `Bagging-Date`.
    pub date: Date,
    /// `Internal-Sender-Identifier`: the git commit the site was built from, if any.
    pub commit: Option<String>,
    /// `Bag-Software-Agent`, e.g. `innsyn 0.1.0`.
    pub agent: String,
}

impl BagInfo {
    /// The bag information for a site: names and description from its settings.
    pub fn new(settings: &Settings, date: Date, commit: Option<String>) -> BagInfo {
        let description = if settings.description.trim().is_empty() {
            settings.title.clone()
        } else {
            format!("{} — {}", settings.title, settings.description)
        };
        BagInfo {
            organization: settings.organization.clone(),
            contact_name: settings.contact_name.clone(),
            contact_email: settings.contact_email.clone(),
            description,
            date,
            commit,
            agent: format!("innsyn {}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// `bag-info.txt` for a payload of `octets` bytes in `count` files.
    fn render(&self, octets: u64, count: usize) -> String {
        let date = self.date.to_string();
        let oxum = format!("{octets}.{count}");
        let fields = [
            ("Source-Organization", self.organization.as_str()),
            ("Contact-Name", &self.contact_name),
            ("Contact-Email", &self.contact_email),
            ("External-Description", &self.description),
            ("Bagging-Date", &date),
            ("Payload-Oxum", &oxum),
            ("Internal-Sender-Identifier", self.commit.as_deref().unwrap_or_default()),
            ("Bag-Software-Agent", &self.agent),
        ];
        let mut out = String::new();
        for (label, value) in fields {
            // A tag value is one line; config values could hold line breaks.
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            if !value.is_empty() {
                out.push_str(&format!("{label}: {value}\n"));
            }
        }
        out
    }
}

/// How `archive` builds the site: never drafts or future pages, links for
/// reading from disk (`offline`) or as served at `base_url`.
fn build_options(options: &ArchiveOptions, offline: bool) -> Options {
    Options {
        root: options.root.clone(),
        output: None,
        base_url: options.base_url.clone(),
        drafts: false,
        future: false,
        external: None,
        offline,
        mode: Mode::Archive,
        force: false,
    }
}

/// Builds the site with offline links and writes it as a bagged zip.
pub fn archive(options: &ArchiveOptions) -> Result<ArchiveSummary, Diagnostics> {
    let start = Instant::now();
    let (_, files) = pipeline::render_site(&build_options(options, true))?;
    let build_time = start.elapsed();

    // render_site read and checked config.toml already, so this cannot fail in practice.
    let config_path = options.root.join(CONFIG_FILE);
    let config_text = crate::fsx::read_text(&options.root, &config_path)?;
    let settings = config::parse(CONFIG_FILE, &config_text)?;
    let date = crate::dates::today();
    let default_name = default_file_name(&settings.title, date);
    let path = match &options.output {
        None => PathBuf::from(default_name),
        Some(dir) if crate::fsx::is_dir(dir) => dir.join(default_name),
        Some(file) => file.clone(),
    };
    check_replaceable(&path, options.force)?;
    let bag = bag_name(&path);
    let commit = git_commit(&options.root);
    let info = BagInfo::new(&settings, date, commit.clone());
    let web = if options.warc || settings.archive_warc {
        Some(web_archive(options, (&settings, &config_text), &bag, commit)?)
    } else {
        None
    };
    let tags: Vec<(String, &[u8])> = match &web {
        Some((warc, _)) => vec![
            (format!("{WARC_DIR}/{bag}.warc.gz"), warc.warc.as_slice()),
            (format!("{WARC_DIR}/{bag}.cdxj"), warc.index.as_slice()),
        ],
        None => Vec::new(),
    };
    let bytes = pack(&bag, &files, &info, &tags)
        .map_err(|e| Diagnostic::new(&path, format!("cannot pack the archive: {e}")))?;
    write_atomically(&path, &bytes).map_err(|e| {
        Diagnostic::new(&path, format!("cannot write the archive: {e}"))
            .hint("give a file in a folder you can write to, e.g. `--output arkiv.zip`")
    })?;

    let warc = web.as_ref().map(|(w, base_url)| WarcSummary {
        path: format!("{WARC_DIR}/{bag}.warc.gz"),
        base_url: base_url.clone(),
        responses: w.responses,
        revisits: w.revisits,
        bytes: w.warc.len() as u64,
    });
    let mut notes = Vec::new();
    if settings.organization.trim().is_empty() {
        notes.push(
            "config.toml sets no `organization`, so the bag has no Source-Organization; \
             archive depots usually want one"
                .to_string(),
        );
    }
    Ok(ArchiveSummary {
        path,
        bag,
        files: files.len(),
        payload_bytes: files.iter().map(|f| f.bytes.len() as u64).sum(),
        zip_bytes: bytes.len() as u64,
        sha256: hex_digest::<sha2::Sha256>(&bytes),
        build: build_time,
        elapsed: start.elapsed(),
        notes,
        warc,
    })
}

/// The folder of the bag that holds the WARC and its index.
pub const WARC_DIR: &str = "warc";

/// Builds the site for the web (links to folders end in `/`) and writes it as the
/// WARC `warc/BAG.warc.gz` served at its base URL, with its index. Returns the
/// WARC and the base URL.
fn web_archive(
    options: &ArchiveOptions,
    (settings, config_text): (&Settings, &str),
    bag: &str,
    commit: Option<String>,
) -> Result<(crate::warc::Warc, String), Diagnostics> {
    let base_url = match &options.base_url {
        Some(url) => settings.clone().with_base_url(url).map(|s| s.base_url).unwrap_or_default(),
        None => settings.base_url.clone(),
    };
    if base_url.is_empty() {
        let message = "a WARC needs the site's address, and config.toml sets no `base_url`";
        let diagnostic = match config::key_position(config_text, "base_url") {
            Some((line, col)) => Diagnostic::at(CONFIG_FILE, line, col, message),
            None => Diagnostic::new(CONFIG_FILE, message),
        };
        return Err(diagnostic
            .hint("the WARC keeps every file at the address it is published at: set `base_url = \"https://innsyn.kommune.no/\"` in config.toml, or give `--base-url`")
            .into());
    }
    let (_, files) = pipeline::render_site(&build_options(options, false))?;
    let description = if settings.description.trim().is_empty() {
        settings.title.clone()
    } else {
        format!("{} — {}", settings.title, settings.description)
    };
    let contact = match (settings.contact_name.trim(), settings.contact_email.trim()) {
        ("", "") => String::new(),
        (name, "") => name.to_string(),
        ("", email) => format!("<{email}>"),
        (name, email) => format!("{name} <{email}>"),
    };
    let operator = match (settings.organization.trim(), contact.as_str()) {
        (org, "") => org.to_string(),
        ("", contact) => contact.to_string(),
        (org, contact) => format!("{org}, {contact}"),
    };
    let info = crate::warc::WarcInfo {
        filename: format!("{bag}.warc.gz"),
        base_url: base_url.clone(),
        time: crate::dates::now(),
        software: format!("innsyn {}", env!("INNSYN_VERSION")),
        description,
        operator,
        commit,
    };
    let warc = crate::warc::write(&files, &info)
        .map_err(|e| Diagnostics::from(Diagnostic::new(&options.root, format!("cannot write the WARC: {e}"))))?;
    Ok((warc, base_url))
}

/// The archive's name when `--output` is not given: the site title's slug and the
/// bagging date, e.g. `innsyn-i-meraker-kommune-2024-06-01.zip`.
///
/// ```
/// use innsyn::dates::Date;
/// let date = Date::new(2024, 6, 1).unwrap();
/// assert_eq!(innsyn::archive::default_file_name("Innsyn i Meråker", date), "innsyn-i-meraker-2024-06-01.zip");
/// assert_eq!(innsyn::archive::default_file_name("–", date), "innsyn-arkiv-2024-06-01.zip");
/// ```
pub fn default_file_name(title: &str, date: Date) -> String {
    let slug = slugify(title);
    let stem = if slug.is_empty() { "innsyn-arkiv" } else { slug.as_str() };
    format!("{stem}-{date}.zip")
}

/// The bag's folder inside the zip: the zip's file name without `.zip`.
fn bag_name(path: &Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if stem.is_empty() || stem.starts_with('.') {
        "bag".to_string()
    } else {
        stem
    }
}

/// Packs `files` (the site, sorted and unique) into a zip holding the bag `bag/`,
/// with `extra_tags` (e.g. `warc/NAME.warc.gz`) as further tag files, listed in the
/// tag manifest. The bytes depend only on the arguments: entries are sorted, every
/// entry has the bagging date at midnight as its time and mode 0644, and all are
/// deflated but files that are gzipped already, which are stored.
pub fn pack(
    bag: &str,
    files: &[OutputFile],
    info: &BagInfo,
    extra_tags: &[(String, &[u8])],
) -> zip::result::ZipResult<Vec<u8>> {
    let octets: u64 = files.iter().map(|f| f.bytes.len() as u64).sum();
    let payload_manifest = manifest(files.iter().map(|f| (format!("data/{}", f.path), f.bytes.as_slice())));
    let bag_info = info.render(octets, files.len());
    let mut tags: Vec<(String, &[u8])> = vec![
        ("bagit.txt".into(), BAGIT_TXT.as_bytes()),
        ("bag-info.txt".into(), bag_info.as_bytes()),
        (MANIFEST.into(), payload_manifest.as_bytes()),
    ];
    tags.extend(extra_tags.iter().map(|(name, bytes)| (name.clone(), *bytes)));
    let tag_manifest = manifest(tags.iter().map(|(name, bytes)| (name.clone(), *bytes)));

    let mut entries: BTreeMap<String, &[u8]> = BTreeMap::new();
    for (name, bytes) in tags.iter().chain([&(TAG_MANIFEST.to_string(), tag_manifest.as_bytes())]) {
        entries.insert(format!("{bag}/{name}"), bytes);
    }
    for f in files {
        entries.insert(format!("{bag}/data/{}", f.path), &f.bytes);
    }

    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(zip_time(info.date))
        .unix_permissions(FILE_MODE);
    // Deflating a gzipped WARC again only costs time.
    let stored = options.compression_method(CompressionMethod::Stored).compression_level(None);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        let gzipped = name.ends_with(".gz") && name.starts_with(&format!("{bag}/{WARC_DIR}/"));
        zip.start_file(name, if gzipped { stored } else { options })?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// The time stamp of every entry: the bagging date at 00:00, or 1980-01-01 for
/// dates a zip cannot hold.
fn zip_time(date: Date) -> zip::DateTime {
    u16::try_from(date.year)
        .ok()
        .and_then(|year| zip::DateTime::from_date_and_time(year, date.month, date.day, 0, 0, 0).ok())
        .unwrap_or_default()
}

/// A SHA-256 manifest: one `checksum  path` line per file, sorted by path.
fn manifest<'a>(files: impl Iterator<Item = (String, &'a [u8])>) -> String {
    let mut lines: Vec<(String, String)> =
        files.map(|(path, bytes)| (encode_path(&path), hex_digest::<sha2::Sha256>(bytes))).collect();
    lines.sort();
    lines.iter().map(|(path, sum)| format!("{sum}  {path}\n")).collect()
}

/// Writes a manifest path as RFC 8493 §2.1.3 asks: `%`, CR and LF percent-encoded.
///
/// ```
/// assert_eq!(innsyn::archive::encode_path("data/50%\nx.csv"), "data/50%25%0Ax.csv");
/// ```
pub fn encode_path(path: &str) -> String {
    path.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Reads a manifest path: the inverse of [`encode_path`], in one pass so that
/// `%250A` stays `%0A`.
///
/// ```
/// assert_eq!(innsyn::archive::decode_path("data/50%25%0Ax.csv"), "data/50%\nx.csv");
/// assert_eq!(innsyn::archive::decode_path("data/%250A"), "data/%0A");
/// ```
pub fn decode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3).map(str::to_ascii_uppercase);
        let (decoded, skip) = match code.as_deref() {
            Some("25") => ('%', 3),
            Some("0A") => ('\n', 3),
            Some("0D") => ('\r', 3),
            _ => ('%', 1),
        };
        out.push(decoded);
        rest = &rest[i + skip..];
    }
    out.push_str(rest);
    out
}

/// Lower-case hex of a digest of `bytes`.
fn hex_digest<D: sha2::Digest>(bytes: &[u8]) -> String {
    D::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The commit the site was built from, when its folder is in a git work tree:
/// `git commit HASH`, noting uncommitted changes to the site's sources. Any
/// failure (no git, no repository, no commit yet) gives `None`.
fn git_commit(root: &Path) -> Option<String> {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|out| out.status.success())
    };
    let head = String::from_utf8(git(&["rev-parse", "--verify", "HEAD"])?.stdout).ok()?.trim().to_string();
    if !matches!(head.len(), 40 | 64) || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // Only the site's inputs count: the archive itself may be lying untracked in the
    // same folder, and must not change the next archive's bytes.
    let inputs = ["config.toml", "content", "data", "static", "templates", "themes"];
    let status = git(&[&["status", "--porcelain", "--"][..], &inputs].concat());
    let dirty = status.is_some_and(|out| !out.stdout.is_empty());
    Some(if dirty { format!("git commit {head}, with uncommitted changes") } else { format!("git commit {head}") })
}

/// Refuses to replace anything at `path` but an archive innsyn made, unless `force`:
/// innsyn never removes a file it did not write.
fn check_replaceable(path: &Path, force: bool) -> Result<(), Diagnostic> {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(()) };
    if meta.is_dir() {
        return Err(Diagnostic::new(path, "the archive's path is a folder")
            .hint("give the zip's file name, e.g. `--output arkiv.zip`, or an existing folder to write it in"));
    }
    if force || (meta.is_file() && made_by_innsyn(path)) {
        return Ok(());
    }
    Err(Diagnostic::new(
        path,
        "a file that is not an archive made by innsyn is already there, and innsyn does not replace it",
    )
    .hint("give another file name with `--output`, move the file away, or add `--force` to replace it"))
}

/// Whether `path` is a zip whose `bag-info.txt` says innsyn made it.
fn made_by_innsyn(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else { return false };
    let Ok(mut zip) = ZipArchive::new(std::io::BufReader::new(file)) else { return false };
    let Some(name) = zip.file_names().find(|n| n.split('/').nth(1) == Some("bag-info.txt")).map(str::to_string) else {
        return false;
    };
    let mut text = String::new();
    zip.by_name(&name)
        .ok()
        .and_then(|entry| std::io::Read::take(entry, 64 * 1024).read_to_string(&mut text).ok())
        .is_some_and(|_| text.lines().any(|l| l.starts_with("Bag-Software-Agent: innsyn ")))
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so a
/// reader never sees half an archive. (`output.rs` owns writing the site folder; an
/// archive is a single file outside it.)
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.innsyn-tmp"));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp); // Best effort: the error that matters is `written`'s.
    }
    written
}

/// One thing wrong with a bag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file inside the bag it concerns (`data/index.html`, `manifest-sha256.txt:3`),
    /// or `None` for the zip as a whole.
    pub entry: Option<String>,
    /// What is wrong, in plain words.
    pub message: String,
}

impl Problem {
    fn new(entry: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem { entry: Some(entry.into()), message: message.into() }
    }

    fn whole(message: impl Into<String>) -> Problem {
        Problem { entry: None, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.entry {
            Some(entry) => write!(f, "{entry}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// Every problem, in the order found; empty for a valid bag.
    pub problems: Vec<Problem>,
    /// The bag's folder inside the zip (empty when the bag sits at the top level).
    pub bag: String,
    /// Files and bytes under `data/`.
    pub payload_files: usize,
    /// Bytes of the files under `data/`.
    pub payload_bytes: u64,
    /// The WARCs checked, with what they hold.
    pub warcs: Vec<WarcCheck>,
}

impl Verification {
    /// Whether the bag has no problems.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads and checks a bagged zip; a file that cannot be read is a problem too.
pub fn verify_file(path: &Path) -> Verification {
    match std::fs::read(path) {
        Ok(bytes) => verify(&bytes),
        Err(e) => {
            Verification { problems: vec![Problem::whole(format!("cannot read the file: {e}"))], ..Default::default() }
        }
    }
}

/// A checksum algorithm a manifest can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    fn parse(name: &str) -> Option<Algorithm> {
        match name {
            "sha256" => Some(Algorithm::Sha256),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }

    fn hex(self, bytes: &[u8]) -> String {
        match self {
            Algorithm::Sha256 => hex_digest::<sha2::Sha256>(bytes),
            Algorithm::Sha512 => hex_digest::<sha2::Sha512>(bytes),
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// Checks a bagged zip: `bagit.txt` present and valid; every payload and tag manifest
/// entry present with the right checksum; every file under `data/` in every payload
/// manifest; `Payload-Oxum` right; each WARC under `warc/` in the tag manifest and
/// right with its index ([`crate::warc::verify`]). Checks sha256 and sha512 manifests; a manifest
/// with another algorithm is reported rather than trusted. Never panics, whatever
/// the bytes.
pub fn verify(zip_bytes: &[u8]) -> Verification {
    let mut v = Verification::default();
    let Some(entries) = unpack(zip_bytes, &mut v.problems) else {
        return v;
    };

    // The bag is the folder holding bagit.txt: the top level or one folder down.
    let mut roots: Vec<&str> = entries
        .keys()
        .filter_map(|name| name.strip_suffix("bagit.txt"))
        .filter(|prefix| prefix.is_empty() || (prefix.ends_with('/') && prefix.matches('/').count() == 1))
        .collect();
    roots.sort_by_key(|prefix| prefix.len());
    let Some(&prefix) = roots.first() else {
        v.problems.push(Problem::new("bagit.txt", "missing: this zip holds no BagIt bag"));
        return v;
    };
    v.bag = prefix.trim_end_matches('/').to_string();
    let mut bag: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for (name, bytes) in &entries {
        match name.strip_prefix(prefix) {
            Some(rel) => {
                bag.insert(rel, bytes);
            }
            None => v.problems.push(Problem::new(name.as_str(), format!("lies outside the bag folder `{prefix}`"))),
        }
    }

    check_declaration(bag.get("bagit.txt").copied().unwrap_or_default(), &mut v.problems);

    let payload: BTreeMap<&str, &[u8]> =
        bag.iter().filter(|(p, _)| p.starts_with("data/")).map(|(p, b)| (*p, *b)).collect();
    v.payload_files = payload.len();
    v.payload_bytes = payload.values().map(|b| b.len() as u64).sum();

    let mut payload_manifests = 0;
    let mut tag_listed = std::collections::BTreeSet::new();
    for (name, bytes) in &bag {
        let (kind, algorithm) = if let Some(alg) = name.strip_prefix("manifest-").and_then(|n| n.strip_suffix(".txt")) {
            ("payload", alg)
        } else if let Some(alg) = name.strip_prefix("tagmanifest-").and_then(|n| n.strip_suffix(".txt")) {
            ("tag", alg)
        } else {
            continue;
        };
        let Some(algorithm) = Algorithm::parse(algorithm) else {
            v.problems.push(Problem::new(
                *name,
                format!("uses `{algorithm}`, which innsyn cannot check (it checks sha256 and sha512)"),
            ));
            continue;
        };
        let listed = check_manifest(name, bytes, algorithm, &bag, &mut v.problems);
        if kind == "tag" {
            tag_listed.extend(listed.keys().cloned());
        }
        if kind == "payload" {
            payload_manifests += 1;
            for path in payload.keys().filter(|p| !listed.contains_key(**p)) {
                v.problems.push(Problem::new(*path, format!("is in data/ but not in {name}")));
            }
            for (path, line) in &listed {
                if !path.starts_with("data/") {
                    v.problems.push(Problem::new(format!("{name}:{line}"), format!("`{path}` is not under data/")));
                }
            }
        }
    }
    if payload_manifests == 0 {
        v.problems.push(Problem::new(MANIFEST, "missing: a bag needs a payload manifest"));
    }

    if let Some(info) = bag.get("bag-info.txt") {
        check_oxum(info, v.payload_bytes, v.payload_files, &mut v.problems);
    }
    check_web_archives(&bag, &payload, &tag_listed, &mut v);
    v
}

/// Checks each WARC in `warc/` with its index (see [`crate::warc::verify`]): both
/// must be in the tag manifest, and the WARC must hold every file of `data/` at
/// its address.
fn check_web_archives(
    bag: &BTreeMap<&str, &[u8]>,
    payload: &BTreeMap<&str, &[u8]>,
    tag_listed: &std::collections::BTreeSet<String>,
    v: &mut Verification,
) {
    let prefix = format!("{WARC_DIR}/");
    for (name, _) in bag.iter().filter(|(name, _)| name.starts_with(&prefix)) {
        if !tag_listed.contains(*name) {
            v.problems
                .push(Problem::new(*name, format!("is not in {TAG_MANIFEST}, so nothing shows that it is unchanged")));
        }
    }
    let paths: Vec<&str> = payload.keys().filter_map(|p| p.strip_prefix("data/")).collect();
    for (name, warc) in bag.iter().filter(|(name, _)| name.starts_with(&prefix) && name.ends_with(".warc.gz")) {
        let index_name = format!("{}.cdxj", name.trim_end_matches(".warc.gz"));
        let Some(index) = bag.get(index_name.as_str()) else {
            v.problems.push(Problem::new(
                *name,
                format!("has no index beside it: `{index_name}` is missing, and a player needs it"),
            ));
            continue;
        };
        let filename = name.rsplit('/').next().unwrap_or_default();
        let report = crate::warc::verify(warc, index, filename, &paths);
        for p in report.problems {
            let entry = match p.place {
                crate::warc::Place::Warc => name.to_string(),
                crate::warc::Place::Index(line) => format!("{index_name}:{line}"),
            };
            v.problems.push(Problem::new(entry, p.message));
        }
        v.warcs.push(WarcCheck { path: name.to_string(), responses: report.responses, revisits: report.revisits });
    }
}

/// A WARC [`verify`] checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcCheck {
    /// Its path in the bag, e.g. `warc/arkiv.warc.gz`.
    pub path: String,
    /// Response records in it.
    pub responses: usize,
    /// Revisit records in it.
    pub revisits: usize,
}

/// Every file entry of the zip by name, or `None` when the zip cannot be opened.
fn unpack(zip_bytes: &[u8], problems: &mut Vec<Problem>) -> Option<BTreeMap<String, Vec<u8>>> {
    let mut zip = match ZipArchive::new(Cursor::new(zip_bytes)) {
        Ok(zip) => zip,
        Err(e) => {
            problems.push(Problem::whole(format!("not a readable zip archive: {e}")));
            return None;
        }
    };
    let mut entries = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(entry) => entry,
            Err(e) => {
                problems.push(Problem::whole(format!("entry number {} cannot be read: {e}", i + 1)));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        let mut bytes = Vec::new();
        if let Err(e) = entry.read_to_end(&mut bytes) {
            problems.push(Problem::new(name, format!("cannot be unpacked: {e}")));
            continue;
        }
        if entries.insert(name.clone(), bytes).is_some() {
            problems.push(Problem::new(name, "appears twice in the zip"));
        }
    }
    Some(entries)
}

/// Checks `bagit.txt` (RFC 8493 §2.1.1).
fn check_declaration(bytes: &[u8], problems: &mut Vec<Problem>) {
    if bytes.is_empty() {
        problems.push(Problem::new("bagit.txt", "is empty"));
        return;
    }
    let tags = match parse_tags(bytes) {
        Ok(tags) => tags,
        Err((line, message)) => {
            problems.push(Problem::new(format!("bagit.txt:{line}"), message));
            return;
        }
    };
    let get = |label: &str| tags.iter().find(|(l, _)| l == label).map(|(_, v)| v.as_str());
    match get("BagIt-Version") {
        Some("1.0" | "0.97") => {}
        Some(other) => problems.push(Problem::new("bagit.txt", format!("BagIt-Version is `{other}`; expected 1.0"))),
        None => problems.push(Problem::new("bagit.txt", "has no BagIt-Version line")),
    }
    match get("Tag-File-Character-Encoding") {
        Some(enc) if enc.eq_ignore_ascii_case("UTF-8") => {}
        Some(other) => problems.push(Problem::new(
            "bagit.txt",
            format!("Tag-File-Character-Encoding is `{other}`; innsyn reads only UTF-8 bags"),
        )),
        None => problems.push(Problem::new("bagit.txt", "has no Tag-File-Character-Encoding line")),
    }
}

/// Checks every line of a manifest against the bag; returns the paths it lists,
/// with their line numbers.
fn check_manifest(
    name: &str,
    bytes: &[u8],
    algorithm: Algorithm,
    bag: &BTreeMap<&str, &[u8]>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, usize> {
    let mut listed = BTreeMap::new();
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.push(Problem::new(name, "is not valid UTF-8"));
        return listed;
    };
    for (i, line) in text.lines().enumerate() {
        let at = format!("{name}:{}", i + 1);
        if line.trim().is_empty() {
            continue;
        }
        let Some((sum, path)) = line.split_once([' ', '\t']) else {
            problems.push(Problem::new(at, "expected `CHECKSUM PATH`"));
            continue;
        };
        let path = decode_path(path.trim_start_matches([' ', '\t']));
        if sum.len() != algorithm.hex_len() || !sum.bytes().all(|b| b.is_ascii_hexdigit()) {
            problems.push(Problem::new(at, format!("`{sum}` is not a {}-digit hex checksum", algorithm.hex_len())));
            continue;
        }
        if path.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
            problems.push(Problem::new(at, format!("`{path}` is not a plain relative path")));
            continue;
        }
        if listed.insert(path.clone(), i + 1).is_some() {
            problems.push(Problem::new(at, format!("lists `{path}` twice")));
            continue;
        }
        match bag.get(path.as_str()) {
            None => problems.push(Problem::new(path, format!("is listed in {name} but missing"))),
            Some(bytes) => {
                let actual = algorithm.hex(bytes);
                if !actual.eq_ignore_ascii_case(sum) {
                    problems.push(Problem::new(path, format!("checksum is {actual}, but {name} says {sum}")));
                }
            }
        }
    }
    listed
}

/// Checks `Payload-Oxum` in `bag-info.txt` against the payload, when it is given.
fn check_oxum(bag_info: &[u8], octets: u64, count: usize, problems: &mut Vec<Problem>) {
    let tags = match parse_tags(bag_info) {
        Ok(tags) => tags,
        Err((line, message)) => {
            problems.push(Problem::new(format!("bag-info.txt:{line}"), message));
            return;
        }
    };
    let Some((_, oxum)) = tags.iter().find(|(label, _)| label.eq_ignore_ascii_case("Payload-Oxum")) else {
        return;
    };
    let parsed = oxum.split_once('.').and_then(|(o, c)| Some((o.parse::<u64>().ok()?, c.parse::<usize>().ok()?)));
    match parsed {
        None => problems.push(Problem::new("bag-info.txt", format!("Payload-Oxum `{oxum}` is not OCTETS.COUNT"))),
        Some(found) if found != (octets, count) => problems.push(Problem::new(
            "bag-info.txt",
            format!("Payload-Oxum is {oxum}, but data/ holds {octets} bytes in {count} files ({octets}.{count})"),
        )),
        Some(_) => {}
    }
}

/// Parses a tag file (`Label: value` lines; a line starting with a space or tab
/// continues the value above). Errors carry the 1-based line number.
///
/// ```
/// let tags = innsyn::archive::parse_tags(b"A: 1\nB: two\n  lines\n").unwrap();
/// assert_eq!(tags, [("A".to_string(), "1".to_string()), ("B".to_string(), "two lines".to_string())]);
/// ```
pub fn parse_tags(bytes: &[u8]) -> Result<Vec<(String, String)>, (usize, String)> {
    let text = std::str::from_utf8(bytes).map_err(|_| (1, "is not valid UTF-8".to_string()))?;
    let mut tags: Vec<(String, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match tags.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                None => return Err((i + 1, "a continued line with no tag above it".to_string())),
            }
            continue;
        }
        match line.split_once(':') {
            Some((label, value)) if !label.trim().is_empty() => {
                tags.push((label.trim().to_string(), value.trim().to_string()));
            }
            _ => return Err((i + 1, format!("expected `Label: value`, found `{line}`"))),
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info() -> BagInfo {
        BagInfo {
            organization: "Meråker kommune".into(),
            contact_name: String::new(),
            contact_email: "post@meraker.kommune.no".into(),
            description: "Innsyn — mål og mandater".into(),
            date: Date::new(2024, 6, 1).unwrap(),
            commit: Some(format!("git commit {}", "a".repeat(40))),
            agent: "innsyn 0.1.0".into(),
        }
    }

    fn site() -> Vec<OutputFile> {
        vec![
            OutputFile::new("index.html".into(), b"<a href=\"om/index.html\">om</a>".to_vec()),
            OutputFile::new("om/index.html".into(), b"om".to_vec()),
            OutputFile::new("data/50% mer.csv".into(), b"a,b\n1,2\n".to_vec()),
        ]
    }

    fn rezip(zip_bytes: &[u8], change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
        let mut zip = ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
        let mut out = ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let name = entry.name().to_string();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            if let Some(bytes) = change(&name, bytes) {
                out.start_file(name, SimpleFileOptions::default()).unwrap();
                out.write_all(&bytes).unwrap();
            }
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_packed_bag_verifies_and_names_its_payload() {
        let zip = pack("bag", &site(), &info(), &[]).unwrap();
        let v = verify(&zip);
        assert_eq!(v.problems, []);
        assert_eq!((v.bag.as_str(), v.payload_files, v.payload_bytes), ("bag", 3, 40));
    }

    #[test]
    fn a_bag_with_a_warc_verifies_it_and_counts_its_records() {
        let warc_info = crate::warc::WarcInfo {
            filename: "bag.warc.gz".into(),
            base_url: "https://innsyn.example.org/".into(),
            time: 1_717_200_000,
            software: "innsyn 0.1.0".into(),
            description: "Innsyn".into(),
            operator: String::new(),
            commit: None,
        };
        let warc = crate::warc::write(&site(), &warc_info).unwrap();
        let tags = [
            ("warc/bag.warc.gz".to_string(), warc.warc.as_slice()),
            ("warc/bag.cdxj".to_string(), warc.index.as_slice()),
        ];
        let zip = pack("bag", &site(), &info(), &tags).unwrap();
        let v = verify(&zip);
        assert_eq!(v.problems, []);
        assert_eq!(v.warcs, [WarcCheck { path: "warc/bag.warc.gz".into(), responses: 3, revisits: 2 }]);

        let without_index = rezip(&zip, |name, bytes| (name != "bag/warc/bag.cdxj").then_some(bytes));
        let found: Vec<String> = verify(&without_index).problems.iter().map(ToString::to_string).collect();
        assert!(
            found.contains(
                &"warc/bag.warc.gz: has no index beside it: `warc/bag.cdxj` is missing, and a player needs it"
                    .to_string()
            ),
            "{found:?}"
        );
    }

    #[test]
    fn packing_twice_gives_the_same_bytes() {
        assert_eq!(pack("bag", &site(), &info(), &[]).unwrap(), pack("bag", &site(), &info(), &[]).unwrap());
    }

    #[test]
    fn bag_info_leaves_out_empty_fields_and_counts_the_payload() {
        let text = info().render(42, 3);
        assert_eq!(
            text,
            "Source-Organization: Meråker kommune\nContact-Email: post@meraker.kommune.no\n\
             External-Description: Innsyn — mål og mandater\nBagging-Date: 2024-06-01\nPayload-Oxum: 42.3\n\
             Internal-Sender-Identifier: git commit aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\
             Bag-Software-Agent: innsyn 0.1.0\n"
        );
    }

    #[test]
    fn line_breaks_in_config_values_do_not_break_bag_info() {
        let mut info = info();
        info.organization = "Meråker\nkommune".into();
        assert!(info.render(0, 0).starts_with("Source-Organization: Meråker kommune\n"));
    }

    #[test]
    fn manifest_paths_are_percent_encoded_and_decoded() {
        let zip = pack("bag", &site(), &info(), &[]).unwrap();
        let mut archive = ZipArchive::new(Cursor::new(zip.as_slice())).unwrap();
        let mut text = String::new();
        archive.by_name("bag/manifest-sha256.txt").unwrap().read_to_string(&mut text).unwrap();
        assert!(text.contains("  data/data/50%25 mer.csv\n"), "{text}");
    }

    #[test]
    fn a_changed_file_and_a_missing_file_are_named() {
        let zip = pack("bag", &site(), &info(), &[]).unwrap();
        let broken = rezip(&zip, |name, bytes| match name {
            "bag/data/index.html" => Some(b"changed".to_vec()),
            "bag/data/om/index.html" => None,
            _ => Some(bytes),
        });
        let entries: Vec<String> = verify(&broken).problems.iter().filter_map(|p| p.entry.clone()).collect();
        assert!(entries.contains(&"data/index.html".to_string()), "{entries:?}");
        assert!(entries.contains(&"data/om/index.html".to_string()), "{entries:?}");
        assert!(entries.contains(&"bag-info.txt".to_string()), "the Payload-Oxum no longer fits: {entries:?}");
    }

    #[test]
    fn a_bag_without_a_top_folder_is_read_too() {
        let zip = pack("bag", &site(), &info(), &[]).unwrap();
        let mut archive = ZipArchive::new(Cursor::new(zip.as_slice())).unwrap();
        let mut flat = ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().trim_start_matches("bag/").to_string();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            flat.start_file(name, SimpleFileOptions::default()).unwrap();
            flat.write_all(&bytes).unwrap();
        }
        let v = verify(&flat.finish().unwrap().into_inner());
        assert_eq!((v.problems, v.bag.as_str()), (vec![], ""));
    }

    #[test]
    fn garbage_is_reported_not_a_panic() {
        let v = verify(b"PK\x03\x04 not really");
        assert_eq!(v.problems.len(), 1);
        assert_eq!(v.problems[0].entry, None);
    }

    #[test]
    fn tag_files_need_labels() {
        assert_eq!(parse_tags(b"A: 1\nno colon\n").unwrap_err().0, 2);
        assert!(parse_tags(b" leading\n").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn verify_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = verify(&bytes);
        }

        #[test]
        fn verify_never_panics_on_a_damaged_archive(at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut zip = pack("bag", &site(), &info(), &[]).unwrap();
            let i = at.index(zip.len());
            zip[i] = byte;
            let _ = verify(&zip);
        }

        #[test]
        fn decoding_an_encoded_path_gives_it_back(path in "[a-z%\r\n/. ]{0,24}") {
            prop_assert_eq!(decode_path(&encode_path(&path)), path);
        }
    }
}
