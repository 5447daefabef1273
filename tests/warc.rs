//! `innsyn archive --warc`: the example site kept as a WARC inside the bag, checked
//! by innsyn's own `--verify` and by independent tools from PyPI: warcio's
//! `check` (every digest) and `index`, pywb's `cdx-indexer` (whose index must
//! equal innsyn's, line for line), Python's `bagit` (the tag manifest covers the
//! WARC), and pywb's player, which replays the site from innsyn's own index in
//! headless Chromium with `tests/browser/replay.mjs`: the home page, a mandate, a
//! chart page and a search, with nothing asked of any other host.
//!
//! The Python tools live in `.tools/python` (`./scripts/test` installs them);
//! without them the tests that need them are skipped, or fail when
//! `INNSYN_REQUIRE_TOOLS=1`. Like the other tool tests, these use only the
//! binary's command line.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{self, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{describe_output, repo_root, tools_dir, tools_required, Tool};
use tempfile::TempDir;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// 2024-06-01T10:00:00Z, so every date in the WARC is fixed.
const EPOCH: &str = "1717236000";
/// The archive's file name in every test, so its bag folder is `arkiv/`.
const NAME: &str = "arkiv.zip";
const WARC: &str = "arkiv/warc/arkiv.warc.gz";
const INDEX: &str = "arkiv/warc/arkiv.cdxj";

fn innsyn(dir: &Path, args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .current_dir(dir)
        .output()
        .expect("the innsyn binary runs")
}

/// Archives the site at `root` with `--warc` into `dir/NAME`.
fn archive_site(root: &Path, dir: &Path, warc: bool) -> (PathBuf, Output) {
    let zip = dir.join(NAME);
    let mut args = vec!["archive".as_ref(), "--root".as_ref(), root.as_os_str(), "--output".as_ref(), zip.as_os_str()];
    if warc {
        args.push("--warc".as_ref());
    }
    (zip.clone(), innsyn(dir, &args))
}

/// The example site archived with `--warc` in a fresh folder.
fn archive() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (zip, out) = archive_site(&repo_root(), dir.path(), true);
    assert!(out.status.success(), "`innsyn archive --warc` failed:\n{}", describe_output(&out));
    (dir, zip)
}

/// Every entry of a zip, by name.
fn entries(zip: &Path) -> BTreeMap<String, Vec<u8>> {
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

/// Writes a copy of `from` with `change` applied to each entry's bytes.
fn rewrite(from: &Path, name: &str, change: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> PathBuf {
    let to = from.with_file_name(name);
    let mut out = ZipWriter::new(std::fs::File::create(&to).unwrap());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (n, b) in entries(from) {
        out.start_file(n.clone(), options).unwrap();
        out.write_all(&change(&n, b)).unwrap();
    }
    out.finish().unwrap();
    to
}

fn unzip(zip: &Path, into: &Path) {
    ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap().extract(into).unwrap();
}

fn verify(zip: &Path) -> Output {
    innsyn(zip.parent().unwrap(), &["archive".as_ref(), "--verify".as_ref(), zip.as_os_str()])
}

/// `--verify`'s problem lines (without the zip's name), checking that it failed
/// with exit status 1 and did not panic.
fn problems(zip: &Path) -> Vec<String> {
    let out = verify(zip);
    assert_eq!(out.status.code(), Some(1), "{}", describe_output(&out));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let prefix = format!("{}: ", zip.display());
    stderr.lines().map(|l| l.strip_prefix(&prefix).unwrap_or(l).to_string()).collect()
}

#[test]
fn the_warc_and_its_index_lie_in_the_bags_warc_folder_covered_by_the_tag_manifest() {
    let (_dir, zip) = archive();
    let all = entries(&zip);
    assert!(all[WARC].starts_with(&[0x1f, 0x8b]), "the WARC is gzipped");
    let tags = String::from_utf8(all["arkiv/tagmanifest-sha256.txt"].clone()).unwrap();
    for name in [WARC, INDEX] {
        let rel = name.strip_prefix("arkiv/").unwrap();
        assert!(tags.lines().any(|l| l.ends_with(&format!("  {rel}"))), "{rel} is not in\n{tags}");
    }
    let manifest = String::from_utf8(all["arkiv/manifest-sha256.txt"].clone()).unwrap();
    assert!(!manifest.contains("warc/"), "the WARC is a tag file, not payload");

    // The payload is the same offline site as without --warc.
    let dir = tempfile::tempdir().unwrap();
    let (plain, out) = archive_site(&repo_root(), dir.path(), false);
    assert!(out.status.success(), "{}", describe_output(&out));
    assert_eq!(entries(&plain)["arkiv/manifest-sha256.txt"], all["arkiv/manifest-sha256.txt"]);

    let out = verify(&zip);
    assert!(out.status.success(), "{}", describe_output(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(": warc/arkiv.warc.gz: "), "{stdout}");
    assert!(stdout.contains(" revisits, every digest, address and index line right"), "{stdout}");
}

#[test]
fn two_archives_with_a_warc_of_the_same_site_at_the_same_time_are_byte_identical() {
    let (_a, first) = archive();
    let (_b, second) = archive();
    let (first, second) = (std::fs::read(first).unwrap(), std::fs::read(second).unwrap());
    assert!(first == second, "the two archives differ ({} and {} bytes)", first.len(), second.len());
}

#[test]
fn the_warc_records_the_published_addresses_with_the_headers_a_host_sends() {
    let (_dir, zip) = archive();
    let all = entries(&zip);
    let mut bytes = Vec::new();
    flate2::read::MultiGzDecoder::new(all[WARC].as_slice()).read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let home = text.split("WARC/1.1\r\n").find(|r| r.contains("WARC-Target-URI: https://innsyn.example.org/\r\n"));
    let home = home.expect("a record of the home page");
    for line in [
        "WARC-Type: response\r\n",
        "WARC-Date: 2024-06-01T10:00:00Z\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ",
        "Last-Modified: Sat, 01 Jun 2024 10:00:00 GMT\r\n",
    ] {
        assert!(home.contains(line), "no `{line}` in\n{}", &home[..home.len().min(1200)]);
    }
    let again = text
        .split("WARC/1.1\r\n")
        .find(|r| r.contains("WARC-Target-URI: https://innsyn.example.org/mandater/index.html\r\n"))
        .expect("a record of mandater/index.html");
    assert!(again.contains("WARC-Type: revisit\r\n"), "{again}");
    assert!(again.contains("WARC-Refers-To-Target-URI: https://innsyn.example.org/mandater/\r\n"), "{again}");
    let info = text.split("WARC/1.1\r\n").find(|r| r.contains("WARC-Type: warcinfo")).unwrap();
    assert!(info.contains(concat!("software: innsyn ", env!("CARGO_PKG_VERSION"))), "{info}");
    assert!(info.contains("website: https://innsyn.example.org/\r\n"), "{info}");
}

#[test]
fn verify_names_a_changed_warc_record_and_a_wrong_index_line() {
    let (_dir, zip) = archive();
    let all = entries(&zip);
    let index = String::from_utf8(all[INDEX].clone()).unwrap();
    // The WARC with its third record's payload changed and gzipped again (the
    // same number of bytes unpacked), and the tag manifest updated, so only the
    // WARC's own digests can tell.
    let mut members = Vec::new();
    let mut rest = all[WARC].as_slice();
    while !rest.is_empty() {
        let mut decoder = flate2::bufread::GzDecoder::new(rest);
        let mut record = Vec::new();
        decoder.read_to_end(&mut record).unwrap();
        rest = decoder.into_inner();
        members.push(record);
    }
    let record = String::from_utf8(members[2].clone()).unwrap();
    let uri = record.lines().find_map(|l| l.strip_prefix("WARC-Target-URI: ")).unwrap().to_string();
    let at = record.rfind("</html>").expect("the third record is a page");
    members[2] = format!("{}</HTML>{}", &record[..at], &record[at + 7..]).into_bytes();
    let warc: Vec<u8> = members
        .iter()
        .flat_map(|m| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(m).unwrap();
            e.finish().unwrap()
        })
        .collect();
    let sum = |b: &[u8]| -> String {
        use sha2::Digest as _;
        sha2::Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
    };
    let tags = String::from_utf8(all["arkiv/tagmanifest-sha256.txt"].clone()).unwrap();
    let tags = tags.replace(&sum(&all[WARC]), &sum(&warc));
    let changed = rewrite(&zip, "changed.zip", |name, bytes| match name {
        WARC => warc.clone(),
        "arkiv/tagmanifest-sha256.txt" => tags.clone().into_bytes(),
        _ => bytes,
    });
    let found = problems(&changed);
    let prefix = "warc/arkiv.warc.gz: the response record at byte ";
    assert!(
        found
            .iter()
            .any(|p| p.starts_with(prefix) && p.contains(&format!("({uri}): its WARC-Block-Digest is sha256:"))),
        "{found:?}"
    );
    assert!(found.iter().any(|p| p.contains("its WARC-Payload-Digest is sha256:")), "{found:?}");
    // The gzip members are other sizes now, so the index points wrong as well.
    assert!(found.iter().any(|p| p.starts_with("warc/arkiv.cdxj:")), "{found:?}");

    // An index line whose record was taken out, in a bag whose tag manifest fits.
    let first = index.lines().next().unwrap();
    let shorter: String = index.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let tags = String::from_utf8(all["arkiv/tagmanifest-sha256.txt"].clone()).unwrap();
    let tags = tags.replace(&sum(index.as_bytes()), &sum(shorter.as_bytes()));
    let dropped = rewrite(&zip, "dropped.zip", |name, bytes| match name {
        INDEX => shorter.clone().into_bytes(),
        "arkiv/tagmanifest-sha256.txt" => tags.clone().into_bytes(),
        _ => bytes,
    });
    let found = problems(&dropped);
    let url = first.split("\"url\": \"").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("warc/arkiv.warc.gz: the response record at byte "), "{found:?}");
    assert!(found[0].ends_with(&format!("({url}) is not in the index")), "{found:?}");
    assert_eq!(found[1], "1 problem");
}

#[test]
fn a_warc_left_out_of_the_tag_manifest_is_named() {
    let (_dir, zip) = archive();
    let out = rewrite(&zip, "untagged.zip", |name, bytes| {
        if name == "arkiv/tagmanifest-sha256.txt" {
            String::from_utf8(bytes)
                .unwrap()
                .lines()
                .filter(|l| !l.contains("warc/"))
                .map(|l| format!("{l}\n"))
                .collect::<String>()
                .into_bytes()
        } else {
            bytes
        }
    });
    let found = problems(&out);
    assert!(
        found.contains(
            &"warc/arkiv.warc.gz: is not in tagmanifest-sha256.txt, so nothing shows that it is unchanged".to_string()
        ),
        "{found:?}"
    );
}

#[test]
fn the_config_switch_always_adds_the_warc_and_it_needs_a_base_url() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_dir(&repo_root().join("tests/fixtures/build/features"), &site);
    let config = site.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let base = text.lines().find(|l| l.starts_with("base_url")).map(str::to_string);
    let without_base: String = text.lines().filter(|l| !l.starts_with("base_url")).map(|l| format!("{l}\n")).collect();
    for (base_line, place) in [("", "config.toml"), ("base_url = \"\"\n", "config.toml:1:1")] {
        std::fs::write(&config, format!("{base_line}{without_base}\n[archive]\nwarc = true\n")).unwrap();
        let (_, out) = archive_site(&site, dir.path(), false);
        assert_eq!(out.status.code(), Some(1), "{}", describe_output(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("{place}: error: a WARC needs the site's address")), "{stderr}");
        assert!(stderr.contains("--base-url"), "the hint says how: {stderr}");
        assert!(!dir.path().join(NAME).exists(), "no archive is written");
    }

    let base = base.unwrap_or_else(|| "base_url = \"https://innsyn.example.org/\"".to_string());
    std::fs::write(&config, format!("{base}\n{without_base}\n[archive]\nwarc = true\n")).unwrap();
    let (zip, out) = archive_site(&site, dir.path(), false);
    assert!(out.status.success(), "{}", describe_output(&out));
    assert!(entries(&zip).keys().any(|n| n == WARC), "the switch adds the WARC without --warc");
    assert!(verify(&zip).status.success());
}

/// A Python with `modules`: the one `scripts/test` installs in `.tools/python`, or
/// the system's `python3`. Fails the test when tools are required, else skips it.
fn python_with(test: &str, modules: &[&str]) -> Option<PathBuf> {
    let import = format!("import {}", modules.join(", "));
    let candidates = [tools_dir().join("python/bin/python3"), PathBuf::from("python3")];
    let found = candidates
        .into_iter()
        .find(|python| Command::new(python).args(["-c", &import]).output().is_ok_and(|out| out.status.success()));
    if found.is_none() {
        let list = modules.join(", ");
        if tools_required() {
            panic!("{test} needs Python's {list}. Run ./scripts/test (it installs them in .tools/python).");
        }
        let _ = writeln!(
            io::stderr().lock(),
            "\n!!!!! SKIPPED: {test}: missing Python's {list} (run ./scripts/test to install) !!!!!\n"
        );
    }
    found
}

/// Runs a Python tool's `main` with `args`, e.g. `warcio.cli`.
fn run_python(python: &Path, main: &str, args: &[&OsStr], dir: &Path) -> Output {
    Command::new(python)
        .arg("-c")
        .arg(format!("import sys; from {main} import main; sys.exit(main(sys.argv[1:]))"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn warcio_and_pywb_read_the_warc_and_pywb_indexes_it_as_innsyn_does() {
    let test = "warcio_and_pywb_read_the_warc_and_pywb_indexes_it_as_innsyn_does";
    let Some(python) = python_with(test, &["warcio", "pywb"]) else { return };
    let (dir, zip) = archive();
    unzip(&zip, dir.path());
    let warc_dir = dir.path().join("arkiv/warc");
    let warc = OsStr::new("arkiv.warc.gz");

    let check = run_python(&python, "warcio.cli", &["check".as_ref(), "-v".as_ref(), warc], &warc_dir);
    assert!(check.status.success(), "warcio check rejects the WARC:\n{}", describe_output(&check));
    let report = String::from_utf8_lossy(&check.stdout);
    let passed = report.matches("digest pass").count();
    let revisits = report.matches("digest present but not checked (revisit)").count();
    let index = std::fs::read_to_string(warc_dir.join("arkiv.cdxj")).unwrap();
    assert_eq!(passed + revisits, index.lines().count() + 1, "every record checked, warcinfo too:\n{report}");
    assert!(revisits > 0, "folders' index.html are revisits:\n{report}");

    let listed =
        run_python(&python, "warcio.cli", &["index".as_ref(), "-f".as_ref(), "warc-type".as_ref(), warc], &warc_dir);
    assert!(listed.status.success(), "warcio index fails:\n{}", describe_output(&listed));
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), index.lines().count() + 1);

    let cdxj = run_python(&python, "pywb.indexer.cdxindexer", &["--cdxj".as_ref(), "--sort".as_ref(), warc], &warc_dir);
    assert!(cdxj.status.success(), "pywb's cdx-indexer fails:\n{}", describe_output(&cdxj));
    let theirs = String::from_utf8_lossy(&cdxj.stdout);
    let differ: Vec<(&str, &str)> = theirs.lines().zip(index.lines()).filter(|(a, b)| a != b).take(3).collect();
    assert!(
        differ.is_empty() && theirs.lines().count() == index.lines().count(),
        "pywb's index differs from innsyn's: {differ:#?}"
    );

    // Python's bagit checks the WARC through the tag manifest.
    let bagit = |bag: &Path| {
        Command::new(&python)
            .args(["-c", "import bagit, sys; bagit.Bag(sys.argv[1]).validate()"])
            .arg(bag)
            .output()
            .unwrap()
    };
    if Command::new(&python).args(["-c", "import bagit"]).output().is_ok_and(|o| o.status.success()) {
        let out = bagit(&dir.path().join("arkiv"));
        assert!(out.status.success(), "bagit rejects the bag:\n{}", describe_output(&out));
        let mut bytes = std::fs::read(warc_dir.join("arkiv.cdxj")).unwrap();
        bytes[0] ^= 1;
        std::fs::write(warc_dir.join("arkiv.cdxj"), bytes).unwrap();
        let out = bagit(&dir.path().join("arkiv"));
        assert!(!out.status.success(), "bagit accepts a changed index:\n{}", describe_output(&out));
    } else if tools_required() {
        panic!("{test} needs Python's bagit. Run ./scripts/test.");
    }
}

#[test]
fn pywb_replays_the_site_from_innsyns_index_in_chromium() {
    let test = "pywb_replays_the_site_from_innsyns_index_in_chromium";
    if !common::tools_available(test, &[Tool::Node, Tool::Chromium, Tool::BrowserPackages]) {
        return;
    }
    let Some(python) = python_with(test, &["pywb"]) else { return };
    let (dir, zip) = archive();
    unzip(&zip, dir.path());
    let warc_dir = dir.path().join("arkiv/warc");
    // The player reads innsyn's own index, not one it makes itself.
    let player_dir = dir.path().join("player");
    std::fs::create_dir(&player_dir).unwrap();
    let config = format!(
        "collections:\n  arkiv:\n    index: {}\n    archive_paths: {}/\n",
        warc_dir.join("arkiv.cdxj").display(),
        warc_dir.display()
    );
    std::fs::write(player_dir.join("config.yaml"), config).unwrap();
    let player = Player::start(&python, &player_dir);

    let root = repo_root();
    let out = Command::new("node")
        .arg(root.join("tests/browser/replay.mjs"))
        .arg(format!("http://127.0.0.1:{}/arkiv/", player.port))
        .arg("https://innsyn.example.org/")
        .env("INNSYN_TOOLS", tools_dir())
        .env("CHROMIUM", common::chromium_path())
        .current_dir(&root)
        .output()
        .unwrap_or_else(|err| panic!("could not run node: {err}"));
    drop(player);
    assert!(matches!(out.status.code(), Some(0 | 1)), "replay.mjs did not finish:\n{}", describe_output(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("replay.mjs printed no JSON report ({err}):\n{}", describe_output(&out)));
    let checks = report["checks_run"].as_array().map_or(0, Vec::len);
    assert!(
        out.status.success() && checks >= 20,
        "the WARC does not replay in pywb ({checks} checks run):\n{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
}

/// pywb's `wayback` serving the collection in `dir/config.yaml` on a free port of
/// 127.0.0.1, stopped when dropped.
struct Player {
    child: Child,
    port: u16,
}

impl Player {
    fn start(python: &Path, dir: &Path) -> Player {
        let port = free_port();
        let log = std::fs::File::create(dir.join("wayback.log")).unwrap();
        let child = Command::new(python)
            .arg("-c")
            .arg("import sys; from pywb.apps.cli import wayback; sys.exit(wayback(sys.argv[1:]))")
            .args(["-b", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|err| panic!("could not start pywb's wayback: {err}"));
        let mut player = Player { child, port };
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = player.child.try_wait() {
                let log = std::fs::read_to_string(dir.join("wayback.log")).unwrap_or_default();
                panic!("pywb's wayback on port {port} exited at once ({status}):\n{log}");
            }
            assert!(Instant::now() < deadline, "pywb's wayback did not listen on port {port} within 60 s");
            thread::sleep(Duration::from_millis(100));
        }
        player
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on now: the system picks one, and it is let go at once.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap_or_else(|err| panic!("no free port: {err}"));
    listener.local_addr().map(|a| a.port()).unwrap_or_else(|err| panic!("no free port: {err}"))
}
