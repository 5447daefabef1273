//! `innsyn archive`: the example site packed as a BagIt bag in a zip, checked by
//! innsyn's own `--verify`, by Python's `bagit` (an independent implementation), and
//! unzipped and read from disk. Damaged archives are made by rewriting a good one
//! with the `zip` crate.
//!
//! Like the other tool tests, these use only the binary's command line.

mod common;

use std::collections::BTreeMap;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{describe_output, repo_root, tools_dir, tools_required};
use sha2::{Digest as _, Sha256};
use tempfile::TempDir;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// 2024-06-01T00:00:00Z, so the bagging date is fixed.
const EPOCH: &str = "1717200000";
const DATE: &str = "2024-06-01";
/// The archive's file name in every test, so its bag folder is `arkiv/`.
const NAME: &str = "arkiv.zip";

fn innsyn(dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .current_dir(dir)
        .output()
        .expect("the innsyn binary runs")
}

/// Archives the example site into `dir/NAME` and returns the zip's path and the
/// summary line.
fn archive_in(dir: &Path) -> (PathBuf, String) {
    let zip = dir.join(NAME);
    let root = repo_root();
    let out =
        innsyn(dir, &["archive".as_ref(), "--root".as_ref(), root.as_os_str(), "--output".as_ref(), zip.as_ref()]);
    assert!(out.status.success(), "`innsyn archive` failed:\n{}", describe_output(&out));
    (zip, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn archive() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (zip, _) = archive_in(dir.path());
    (dir, zip)
}

fn verify(zip: &Path) -> Output {
    innsyn(zip.parent().unwrap(), &["archive".as_ref(), "--verify".as_ref(), zip.as_os_str()])
}

/// Every entry of a zip, by name, in the zip's order.
fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().to_string(), bytes)
        })
        .collect()
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a copy of `from` where `change` maps each entry to its new bytes (or
/// `None` to leave it out), with `add` appended.
fn rewrite(
    from: &Path,
    name: &str,
    change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
    add: &[(&str, &[u8])],
) -> PathBuf {
    let to = from.with_file_name(name);
    let mut out = ZipWriter::new(std::fs::File::create(&to).unwrap());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let kept = entries(from).into_iter().filter_map(|(n, b)| change(&n, b).map(|b| (n, b)));
    for (n, b) in kept.chain(add.iter().map(|(n, b)| (n.to_string(), b.to_vec()))) {
        out.start_file(n, options).unwrap();
        out.write_all(&b).unwrap();
    }
    out.finish().unwrap();
    to
}

/// The lines of a manifest as path → checksum.
fn manifest(bytes: &[u8]) -> BTreeMap<String, String> {
    text(bytes)
        .lines()
        .map(|line| {
            let (sum, path) = line.split_once("  ").unwrap_or_else(|| panic!("bad manifest line `{line}`"));
            (path.to_string(), sum.to_string())
        })
        .collect()
}

fn tag<'a>(bag_info: &'a str, label: &str) -> Option<&'a str> {
    bag_info.lines().find_map(|l| l.strip_prefix(label)?.strip_prefix(": "))
}

fn unzip(zip: &Path, into: &Path) {
    ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap().extract(into).unwrap();
}

#[test]
fn the_archive_is_one_bag_folder_whose_manifests_match_every_file() {
    let (_dir, zip) = archive();
    let all: BTreeMap<String, Vec<u8>> = entries(&zip).into_iter().collect();
    let bag: BTreeMap<&str, &[u8]> = all
        .iter()
        .map(|(n, b)| (n.strip_prefix("arkiv/").unwrap_or_else(|| panic!("{n} is outside arkiv/")), b.as_slice()))
        .collect();

    assert_eq!(text(bag["bagit.txt"]), "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");

    let payload: BTreeMap<&str, &[u8]> =
        bag.iter().filter(|(n, _)| n.starts_with("data/")).map(|(n, b)| (*n, *b)).collect();
    assert!(payload.contains_key("data/index.html"));
    let listed = manifest(bag["manifest-sha256.txt"]);
    assert_eq!(listed.keys().map(String::as_str).collect::<Vec<_>>(), payload.keys().copied().collect::<Vec<_>>());
    for (path, bytes) in &payload {
        assert_eq!(listed[*path], sha256(bytes), "checksum of {path}");
    }

    let tags = manifest(bag["tagmanifest-sha256.txt"]);
    assert_eq!(tags.keys().collect::<Vec<_>>(), ["bag-info.txt", "bagit.txt", "manifest-sha256.txt"]);
    for (path, sum) in &tags {
        assert_eq!(*sum, sha256(bag[path.as_str()]), "checksum of {path}");
    }
    let others: Vec<&&str> = bag
        .keys()
        .filter(|n| !n.starts_with("data/") && !tags.contains_key(**n) && **n != "tagmanifest-sha256.txt")
        .collect();
    assert!(others.is_empty(), "unexpected tag files {others:?}");

    let info = text(bag["bag-info.txt"]);
    let octets: usize = payload.values().map(|b| b.len()).sum();
    assert_eq!(tag(info, "Payload-Oxum"), Some(format!("{octets}.{}", payload.len()).as_str()), "{info}");
    assert_eq!(tag(info, "Bagging-Date"), Some(DATE));
    assert_eq!(tag(info, "Contact-Email"), Some("innsyn@example.org"));
    assert_eq!(tag(info, "Contact-Name"), Some("Redaksjonen"));
    assert_eq!(tag(info, "Source-Organization"), None, "the example's organization is empty:\n{info}");
    assert!(tag(info, "External-Description").is_some_and(|d| d.starts_with("innsyn – eksempelnettsted — ")), "{info}");
    assert_eq!(tag(info, "Bag-Software-Agent"), Some(concat!("innsyn ", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn the_bag_names_the_git_commit_the_site_was_built_from() {
    let head = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(repo_root()).output();
    let Some(head) = head.ok().filter(|o| o.status.success()) else {
        let _ = writeln!(io::stderr(), "\n!!!!! SKIPPED: the repository has no git commit to name !!!!!\n");
        return;
    };
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let (_dir, zip) = archive();
    let all: BTreeMap<String, Vec<u8>> = entries(&zip).into_iter().collect();
    let info = text(&all["arkiv/bag-info.txt"]);
    let id = tag(info, "Internal-Sender-Identifier").unwrap_or_else(|| panic!("no commit in\n{info}"));
    assert!(id.starts_with(&format!("git commit {head}")), "{id}");
}

#[test]
fn zip_entries_are_sorted_dated_on_the_bagging_day_and_deflated() {
    let (_dir, zip) = archive();
    let mut archive = ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).unwrap();
        let time = entry.last_modified().unwrap();
        assert_eq!((time.year(), time.month(), time.day(), time.hour(), time.minute()), (2024, 6, 1, 0, 0));
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o644), "{}", entry.name());
        assert_eq!(entry.compression(), CompressionMethod::Deflated, "{}", entry.name());
        names.push(entry.name().to_string());
    }
    assert!(names.is_sorted(), "entries are not sorted: {names:?}");
}

#[test]
fn two_archives_of_the_same_site_on_the_same_date_are_byte_identical() {
    let (_a, first) = archive();
    let (_b, second) = archive();
    let (first, second) = (std::fs::read(first).unwrap(), std::fs::read(second).unwrap());
    assert!(first == second, "the two archives differ ({} and {} bytes)", first.len(), second.len());
}

#[test]
fn the_summary_line_gives_files_bytes_and_the_zips_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, stdout) = archive_in(dir.path());
    let files = entries(&zip).iter().filter(|(n, _)| n.starts_with("arkiv/data/")).count();
    assert!(stdout.starts_with(&format!("Archived {files} files (")), "{stdout}");
    assert!(stdout.contains(&format!("sha256 {}", sha256(&std::fs::read(&zip).unwrap()))), "{stdout}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, [NAME], "the temporary file was renamed into place");
}

#[test]
fn without_a_file_name_the_archive_is_named_after_the_site_and_date() {
    let dir = tempfile::tempdir().unwrap();
    let root = repo_root();
    let out = innsyn(dir.path(), &["archive".as_ref(), "--root".as_ref(), root.as_os_str()]);
    assert!(out.status.success(), "{}", describe_output(&out));
    let zip = dir.path().join(format!("innsyn-eksempelnettsted-{DATE}.zip"));
    assert!(zip.is_file(), "no {}:\n{}", zip.display(), describe_output(&out));
    assert!(entries(&zip).iter().all(|(n, _)| n.starts_with(&format!("innsyn-eksempelnettsted-{DATE}/"))));

    let folder = dir.path().join("arkiver");
    std::fs::create_dir(&folder).unwrap();
    let out = innsyn(
        dir.path(),
        &["archive".as_ref(), "--root".as_ref(), root.as_os_str(), "--output".as_ref(), folder.as_ref()],
    );
    assert!(out.status.success(), "{}", describe_output(&out));
    assert!(
        folder.join(format!("innsyn-eksempelnettsted-{DATE}.zip")).is_file(),
        "a folder as --output gets the default name"
    );
}

#[test]
fn verify_accepts_a_fresh_archive() {
    let (_dir, zip) = archive();
    let out = verify(&zip);
    assert!(out.status.success(), "{}", describe_output(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with(&format!("{}: a valid BagIt bag: ", zip.display())), "{stdout}");
}

/// Runs `--verify` on a damaged archive and returns its problem lines, checking
/// that it failed with exit status 1 without panicking.
fn problems(zip: &Path) -> Vec<String> {
    let out = verify(zip);
    assert_eq!(out.status.code(), Some(1), "{}", describe_output(&out));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let prefix = format!("{}: ", zip.display());
    stderr
        .lines()
        .map(|l| l.strip_prefix(&prefix).unwrap_or_else(|| panic!("line without the zip: {l}")).to_string())
        .collect()
}

#[test]
fn verify_names_a_changed_file() {
    let (_dir, zip) = archive();
    // One byte changed, the size kept, so only the checksum can tell.
    let changed = rewrite(
        &zip,
        "changed.zip",
        |name, mut bytes| {
            if name == "arkiv/data/index.html" {
                bytes[0] ^= 1;
            }
            Some(bytes)
        },
        &[],
    );
    let found = problems(&changed);
    assert!(found[0].starts_with("data/index.html: checksum is "), "{found:?}");
    assert_eq!(found[1..], ["1 problem"]);
}

#[test]
fn verify_names_a_missing_file() {
    let (_dir, zip) = archive();
    let missing = rewrite(&zip, "missing.zip", |name, bytes| (name != "arkiv/data/innsyn.css").then_some(bytes), &[]);
    let found = problems(&missing);
    assert!(found.contains(&"data/innsyn.css: is listed in manifest-sha256.txt but missing".to_string()), "{found:?}");
    assert!(found.iter().any(|p| p.starts_with("bag-info.txt: Payload-Oxum is ")), "{found:?}");
}

#[test]
fn verify_names_an_extra_file() {
    let (_dir, zip) = archive();
    let extra = rewrite(&zip, "extra.zip", |_, bytes| Some(bytes), &[("arkiv/data/innsmett.html", b"<p>ekstra</p>")]);
    let found = problems(&extra);
    assert!(found.contains(&"data/innsmett.html: is in data/ but not in manifest-sha256.txt".to_string()), "{found:?}");
}

#[test]
fn verify_names_a_wrong_payload_oxum() {
    let (_dir, zip) = archive();
    let all: BTreeMap<String, Vec<u8>> = entries(&zip).into_iter().collect();
    let info = text(&all["arkiv/bag-info.txt"]);
    let oxum = tag(info, "Payload-Oxum").unwrap();
    let wrong_info = info.replace(&format!("Payload-Oxum: {oxum}"), "Payload-Oxum: 1.1");
    // The tag manifest is updated too, so the Oxum is the only thing wrong.
    let tag_manifest = text(&all["arkiv/tagmanifest-sha256.txt"])
        .replace(&sha256(info.as_bytes()), &sha256(wrong_info.as_bytes()))
        .into_bytes();
    let wrong = rewrite(
        &zip,
        "oxum.zip",
        |name, bytes| match name {
            "arkiv/bag-info.txt" => Some(wrong_info.clone().into_bytes()),
            "arkiv/tagmanifest-sha256.txt" => Some(tag_manifest.clone()),
            _ => Some(bytes),
        },
        &[],
    );
    let found = problems(&wrong);
    assert_eq!(
        found,
        [
            format!("bag-info.txt: Payload-Oxum is 1.1, but data/ holds {} ({oxum})", oxum_words(oxum)),
            "1 problem".into()
        ]
    );
}

/// `123.4` → `123 bytes in 4 files`.
fn oxum_words(oxum: &str) -> String {
    let (octets, count) = oxum.split_once('.').unwrap();
    format!("{octets} bytes in {count} files")
}

#[test]
fn verify_names_a_changed_tag_file() {
    let (_dir, zip) = archive();
    let changed = rewrite(
        &zip,
        "tag.zip",
        |name, bytes| {
            Some(if name == "arkiv/bag-info.txt" {
                [bytes.as_slice(), b"Bag-Group-Identifier: x\n"].concat()
            } else {
                bytes
            })
        },
        &[],
    );
    let found = problems(&changed);
    assert!(found[0].starts_with("bag-info.txt: checksum is "), "{found:?}");
    assert!(found[0].contains(", but tagmanifest-sha256.txt says "), "{found:?}");
    assert_eq!(found[1..], ["1 problem"]);
}

#[test]
fn verify_reports_a_corrupt_or_truncated_zip_without_panicking() {
    let (dir, zip) = archive();
    let bytes = std::fs::read(&zip).unwrap();
    let truncated = dir.path().join("truncated.zip");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(problems(&truncated).len(), 2, "one problem and the count");

    let garbage = dir.path().join("garbage.zip");
    std::fs::write(&garbage, b"this is not a zip").unwrap();
    assert!(problems(&garbage)[0].starts_with("not a readable zip archive"));

    let absent = dir.path().join("absent.zip");
    assert!(problems(&absent)[0].starts_with("cannot read the file"));
}

#[test]
fn verify_rejects_a_zip_without_bagit_txt() {
    let (_dir, zip) = archive();
    let no_declaration = rewrite(&zip, "nobag.zip", |name, bytes| (name != "arkiv/bagit.txt").then_some(bytes), &[]);
    let found = problems(&no_declaration);
    assert_eq!(found, ["bagit.txt: missing: this zip holds no BagIt bag", "1 problem"]);
}

/// A Python that has the `bagit` module: the one `scripts/test` installs in
/// `.tools/python`, or the system's `python3`.
fn python_with_bagit() -> Option<PathBuf> {
    let candidates = [tools_dir().join("python/bin/python3"), PathBuf::from("python3")];
    candidates
        .into_iter()
        .find(|python| Command::new(python).args(["-c", "import bagit"]).output().is_ok_and(|out| out.status.success()))
}

#[test]
fn python_bagit_accepts_the_unzipped_bag_and_rejects_a_changed_one() {
    let test = "python_bagit_accepts_the_unzipped_bag_and_rejects_a_changed_one";
    let Some(python) = python_with_bagit() else {
        if tools_required() {
            panic!("{test} needs Python's bagit module. Run ./scripts/test (it installs it in .tools/python).");
        }
        let _ = writeln!(
            io::stderr().lock(),
            "\n!!!!! SKIPPED: {test}: missing Python's bagit module (run ./scripts/test to install) !!!!!\n"
        );
        return;
    };
    let (dir, zip) = archive();
    let unzipped = dir.path().join("unzipped");
    unzip(&zip, &unzipped);
    let bag = unzipped.join("arkiv");
    let validate = |bag: &Path| {
        Command::new(&python)
            .args([
                "-c",
                "import bagit, sys; b = bagit.Bag(sys.argv[1]); b.validate(); print(len(list(b.payload_files())))",
            ])
            .arg(bag)
            .output()
            .unwrap()
    };
    let out = validate(&bag);
    assert!(out.status.success(), "bagit rejects the bag:\n{}", describe_output(&out));
    let files = entries(&zip).iter().filter(|(n, _)| n.starts_with("arkiv/data/")).count();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), files.to_string());

    std::fs::write(bag.join("data/index.html"), "endret").unwrap();
    let out = validate(&bag);
    assert!(!out.status.success(), "bagit accepts a changed file:\n{}", describe_output(&out));
}

#[test]
fn the_unzipped_front_page_links_relatively_to_files_in_the_bag() {
    let (dir, zip) = archive();
    let unzipped = dir.path().join("unzipped");
    unzip(&zip, &unzipped);
    let data = unzipped.join("arkiv/data");
    let index = std::fs::read_to_string(data.join("index.html")).expect("data/index.html is in the bag");
    let links: Vec<&str> = index.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    assert!(links.len() > 10, "too few links: {links:?}");
    for link in links {
        assert!(!link.starts_with('/'), "`{link}` leaves the folder");
        let external = ["#", "http:", "https:", "mailto:", "data:", "tel:"].iter().any(|p| link.starts_with(p));
        if !external {
            let file = link.split(['#', '?']).next().unwrap_or_default();
            assert!(data.join(file).is_file(), "`{link}` points to no file in the bag");
        }
    }
}

#[test]
fn archive_replaces_its_own_zip_but_no_other_file_unless_forced() {
    let (dir, zip) = archive();
    // A second run replaces the archive innsyn made.
    let (again, _) = archive_in(dir.path());
    assert_eq!(again, zip);

    let root = repo_root();
    let other = dir.path().join("rapport.zip");
    std::fs::write(&other, "not an archive of innsyn's").unwrap();
    let run = |force: bool| {
        let mut args =
            vec!["archive".as_ref(), "--root".as_ref(), root.as_os_str(), "--output".as_ref(), other.as_os_str()];
        if force {
            args.push("--force".as_ref());
        }
        innsyn(dir.path(), &args)
    };
    let refused = run(false);
    assert_eq!(refused.status.code(), Some(1), "{}", describe_output(&refused));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"), "{}", describe_output(&refused));
    assert_eq!(std::fs::read(&other).unwrap(), b"not an archive of innsyn's");
    let forced = run(true);
    assert!(forced.status.success(), "{}", describe_output(&forced));
    assert!(verify(&other).status.success());
}
