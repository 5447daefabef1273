//! Uses the search page of built sites in headless Chromium with
//! `tests/browser/search.mjs`, both from file:// URLs (built with `--offline`)
//! and over HTTP (built normally, served by `python3 -m http.server` on a free
//! local port): queries find the pages they should, filters narrow the results,
//! the keyboard moves between field and results, the live region gives the
//! count, nothing is fetched from outside the site, the console stays clean, and
//! axe-core finds no serious or critical violation with results shown. On the
//! charts fixture, a `<script>` from a data cell must show as text in a result.
//! And `tests/browser/ranking.mjs` checks search.js's ranking in node alone.
//!
//! Needs node, Chromium, python3 and the npm packages in `.tools/`
//! (`./scripts/test` installs them); without them the tests are skipped, or fail
//! when `INNSYN_REQUIRE_TOOLS=1`. Set `INNSYN_SCREENSHOTS=DIR` to also keep
//! screenshots of the search page with results at 1280 and 375 px.

mod common;

use std::env;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{Links, Tool};

const TOOLS: [Tool; 4] = [Tool::Node, Tool::Chromium, Tool::BrowserPackages, Tool::Python3];

/// search.js's ranking, in node alone: the fast path that reads only the tops
/// of the posting lists must agree with scoring every page and sorting; and on
/// the example site's index, a word's best pages have it in their title first,
/// then in a heading, then only in their text, the first result pinned.
#[test]
fn ranking_in_search_js_agrees_with_a_plain_sort() {
    if !common::tools_available("ranking_in_search_js_agrees_with_a_plain_sort", &[Tool::Node]) {
        return;
    }
    let root = common::repo_root();
    let site = common::build_example_site(Links::Served);
    let out = Command::new("node")
        .arg(root.join("tests/browser/ranking.mjs"))
        .arg("1000")
        .arg(&site.output)
        .args([
            "meråker=Årsverksbehov i Meråker 2012–2040",
            "innbyggertorg=A9 Innbyggertorg",
            "barnehage=Trygghet og trivsel i barnehage og skole",
            "arkiv=Lag et arkiv",
            "sykefravær=Skriv mål og tiltak",
            "heltid=Lærdommer fra nettverket",
        ])
        .current_dir(&root)
        .output()
        .unwrap_or_else(|err| panic!("could not run node: {err}"));
    assert!(out.status.success(), "ranking.mjs found a disagreement:\n{}", common::describe_output(&out));
}

#[test]
fn search_works_from_file_urls() {
    if !common::tools_available("search_works_from_file_urls", &TOOLS) {
        return;
    }
    let site = common::build_example_site(Links::Offline);
    assert_search_works(&site.output, &file_url(&site.output), Checks::Example);
}

#[test]
fn search_works_over_http() {
    if !common::tools_available("search_works_over_http", &TOOLS) {
        return;
    }
    let site = common::build_example_site(Links::Served);
    let server = Server::start(&site.output);
    assert_search_works(&site.output, &server.url(), Checks::Example);
}

#[test]
fn search_results_show_markup_from_data_as_text() {
    if !common::tools_available("search_results_show_markup_from_data_as_text", &TOOLS) {
        return;
    }
    let root = common::repo_root().join("tests/fixtures/build/charts");
    let offline = common::build_site(&root, Links::Offline);
    assert_search_works(&offline.output, &file_url(&offline.output), Checks::Injection);
    let served = common::build_site(&root, Links::Served);
    let server = Server::start(&served.output);
    assert_search_works(&served.output, &server.url(), Checks::Injection);
}

/// Writes a small municipality's site at `root`: its title, pages (file name,
/// title, text) and what more its config.toml says.
fn write_site(root: &Path, title: &str, pages: &[(&str, &str, &str)], config: &str) {
    let w = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("config.toml", &format!("title = \"{title}\"\n[[taxonomies]]\nname = \"tema\"\n{config}"));
    w("content/_index.md", &format!("+++\ntitle = \"{title}\"\n+++\nForsiden.\n"));
    for (file, page_title, text) in pages {
        w(
            &format!("content/{file}.md"),
            &format!("+++\ntitle = \"{page_title}\"\n[taxonomies]\ntema = [\"Oppvekst\"]\n+++\n{text}\n"),
        );
    }
}

/// The two sites of the network test: Fjellby, whose search takes in Dalby's.
fn network_sources(dir: &Path, dalby_url: &str) -> (PathBuf, PathBuf) {
    let (fjellby, dalby) = (dir.join("src-fjellby"), dir.join("src-dalby"));
    write_site(
        &dalby,
        "Dalby kommune",
        &[
            (
                "ny-barnehage",
                "Ny barnehage i Dalby",
                "Kommunestyret vedtok å bygge en ny barnehage med seks avdelinger.",
            ),
            ("skolebuss", "Skolebuss i Dalby", "Skolebussen går nå også til barnehagen i sentrum."),
        ],
        "",
    );
    write_site(
        &fjellby,
        "Fjellby kommune",
        &[
            (
                "barnehageplasser",
                "Barnehageplasser i Fjellby",
                "Alle barn som søker, får plass i en barnehage innen en måned.",
            ),
            ("sykefravaer", "Sykefravær i Fjellby", "Sykefraværet i barnehagene gikk ned i fjor."),
            ("veier", "Veier i Fjellby", "Kommunen brøyter veiene om vinteren."),
        ],
        &format!("\n[[search_sites]]\nname = \"Dalby kommune\"\nurl = \"{dalby_url}\"\nlocal = \"../dalby/\"\n"),
    );
    (fjellby, dalby)
}

/// Builds `src` into `out` with `innsyn build` (offline or not).
fn build_into(src: &Path, out: &Path, offline: bool) {
    let mut args = vec![
        std::ffi::OsString::from("build"),
        "--root".into(),
        src.into(),
        "--output".into(),
        out.into(),
        "--quiet".into(),
    ];
    if offline {
        args.push("--offline".into());
    }
    let built = common::run_innsyn(&args);
    assert!(built.status.success(), "{}", common::describe_output(&built));
}

/// One search across two sites: Fjellby's search page also queries Dalby's
/// index, from two folders side by side on disk (Dalby's `local` copy) and
/// from two servers on two ports of 127.0.0.1 (Dalby's `url`).
#[test]
fn a_search_takes_in_the_sites_it_names_from_disk_and_over_http() {
    if !common::tools_available("a_search_takes_in_the_sites_it_names_from_disk_and_over_http", &TOOLS) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // From disk: the published address is not reachable here; the local copy is used.
    let (fjellby, dalby) = network_sources(&dir.path().join("disk"), "https://innsyn.dalby.example/");
    let disk = dir.path().join("disk/out");
    build_into(&dalby, &disk.join("dalby"), true);
    build_into(&fjellby, &disk.join("fjellby"), true);
    assert_network_search_works(
        &disk.join("fjellby"),
        &file_url(&disk.join("fjellby")),
        &disk.join("dalby"),
        &file_url(&disk.join("dalby")),
    );

    // Over HTTP, each site on its own port.
    let served = dir.path().join("http/out");
    let (_, dalby) = network_sources(&dir.path().join("http"), "http://127.0.0.1:1/");
    build_into(&dalby, &served.join("dalby"), false);
    let dalby_server = Server::start(&served.join("dalby"));
    let (fjellby, _) = network_sources(&dir.path().join("http"), &dalby_server.url());
    build_into(&fjellby, &served.join("fjellby"), false);
    let fjellby_server = Server::start(&served.join("fjellby"));
    assert_network_search_works(
        &served.join("fjellby"),
        &fjellby_server.url(),
        &served.join("dalby"),
        &dalby_server.url(),
    );
}

/// Runs search.mjs's network checks on the site at `base`, whose search takes
/// in the site at `other` (built in `other_dir`, whose index the checks take
/// away for a while).
fn assert_network_search_works(site: &Path, base: &str, other_dir: &Path, other: &str) {
    let root = common::repo_root();
    let mut command = Command::new("node");
    command
        .arg(root.join("tests/browser/search.mjs"))
        .arg(site)
        .arg(base)
        .args(["--checks", "network", "--other"])
        .arg(other)
        .arg("--other-dir")
        .arg(other_dir)
        .env("INNSYN_TOOLS", common::tools_dir())
        .env("CHROMIUM", common::chromium_path())
        .current_dir(&root);
    if let Some(dir) = env::var_os("INNSYN_SCREENSHOTS").filter(|d| !d.is_empty()) {
        command.arg("--screenshots").arg(dir);
    }
    assert_report_clean(&mut command, &format!("the network search at {base}"));
}

/// The archive of the example site, unzipped anywhere: every page and link works
/// from disk with nothing fetched from outside (crawl.mjs), and search works.
#[test]
fn the_archived_site_can_be_browsed_and_searched_from_disk() {
    if !common::tools_available("the_archived_site_can_be_browsed_and_searched_from_disk", &TOOLS) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("arkiv.zip");
    let made = Command::new(env!("CARGO_BIN_EXE_innsyn"))
        .args(["archive", "--root"])
        .arg(common::repo_root())
        .arg("--output")
        .arg(&zip)
        .env("SOURCE_DATE_EPOCH", "1719792000")
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", common::describe_output(&made));
    let unpacked = dir.path().join("unpacked");
    let unzip = Command::new("python3").args(["-m", "zipfile", "-e"]).arg(&zip).arg(&unpacked).output().unwrap();
    assert!(unzip.status.success(), "{}", common::describe_output(&unzip));
    let site = unpacked.join("arkiv/data");
    assert!(site.join("index.html").is_file(), "the bag holds the site under data/");

    let root = common::repo_root();
    let crawl = Command::new("node")
        .arg(root.join("tests/browser/crawl.mjs"))
        .arg(&site)
        .env("INNSYN_TOOLS", common::tools_dir())
        .env("CHROMIUM", common::chromium_path())
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(
        crawl.status.code(),
        Some(0),
        "the archived site has problems in Chromium:\n{}",
        common::describe_output(&crawl)
    );
    assert_search_works(&site, &file_url(&site), Checks::Example);
}

/// Which set of checks search.mjs runs.
#[derive(Debug, Clone, Copy)]
enum Checks {
    /// Queries, filters and keyboard on the example site.
    Example,
    /// The charts fixture's hostile table cells.
    Injection,
}

/// Runs search.mjs on the site at `base` and fails with every problem it found.
fn assert_search_works(site: &Path, base: &str, checks: Checks) {
    let root = common::repo_root();
    let mut command = Command::new("node");
    command
        .arg(root.join("tests/browser/search.mjs"))
        .arg(site)
        .arg(base)
        .arg("--checks")
        .arg(match checks {
            Checks::Example => "example",
            Checks::Injection => "injection",
        })
        .env("INNSYN_TOOLS", common::tools_dir())
        .env("CHROMIUM", common::chromium_path())
        .current_dir(&root);
    if let Some(dir) = env::var_os("INNSYN_SCREENSHOTS").filter(|d| !d.is_empty()) {
        command.arg("--screenshots").arg(dir);
    }
    assert_report_clean(&mut command, &format!("search at {base}"));
}

/// Runs search.mjs as `command` says and fails with every problem its report
/// lists for `what`.
fn assert_report_clean(command: &mut Command, what: &str) {
    let out = command.output().unwrap_or_else(|err| panic!("could not run node: {err}"));
    // 0: clean, 1: problems found (listed in the report); anything else is a crash.
    assert!(matches!(out.status.code(), Some(0 | 1)), "search.mjs did not finish:\n{}", common::describe_output(&out));
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("search.mjs printed no JSON report ({err}):\n{}", common::describe_output(&out)));
    let problems = problems(&report);
    let checks_run = report["checks_run"].as_array().map_or(0, Vec::len);
    assert!(
        problems.is_empty() && out.status.success() && checks_run > 0,
        "{what} has problems in Chromium ({checks_run} checks run):\n{}",
        problems.join("\n")
    );
}

/// One readable line per problem in the report.
fn problems(report: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    for check in entries(report, "failed_checks") {
        lines.push(format!("failed: {} — {}", text(&check["name"]), text(&check["detail"])));
    }
    for url in entries(report, "outside_requests") {
        lines.push(format!("request outside the site: {}", text(url)));
    }
    for error in entries(report, "console_errors") {
        lines.push(format!("console error: {} ({})", text(&error["text"]), text(&error["url"])));
    }
    for error in entries(report, "page_errors") {
        lines.push(format!("page error: {}", text(error)));
    }
    for dialog in entries(report, "dialogs") {
        lines.push(format!("a dialog opened: {}", text(dialog)));
    }
    for v in entries(report, "axe_violations") {
        lines.push(format!(
            "axe {} violation: {} — {} ({} elements, e.g. {})",
            text(&v["impact"]),
            text(&v["id"]),
            text(&v["help"]),
            v["nodes"],
            v["targets"]
        ));
    }
    lines.iter().map(|line| format!("  - {line}")).collect()
}

fn entries<'a>(report: &'a Value, key: &str) -> &'a [Value] {
    report[key].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".to_owned(),
        other => other.to_string(),
    }
}

/// `file:///…/site/` for a folder, with the bytes a URL path may not hold escaped.
fn file_url(dir: &Path) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    let mut url = String::from("file://");
    for byte in dir.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// `python3 -m http.server` serving a folder on a free port of 127.0.0.1,
/// stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let port = free_port();
        let child = Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.0.0.1"])
            .arg(port.to_string())
            .arg("--directory")
            .arg(PathBuf::from(dir))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("could not start python3 -m http.server: {err}"));
        let mut server = Server { child, port };
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("python3 -m http.server on port {port} exited at once ({status})");
            }
            assert!(Instant::now() < deadline, "python3 -m http.server did not listen on port {port} within 15 s");
            thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Server {
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
