//! Opens the example site, built with `--offline`, from file:// URLs in headless
//! Chromium and walks every page with `tests/browser/crawl.mjs`: links and
//! anchors must resolve, nothing may be fetched from outside the site folder,
//! the console must stay clean, and axe-core must find no serious or critical
//! accessibility violation.
//!
//! Needs node, Chromium and the npm packages in `.tools/` (`./scripts/test`
//! installs them); without them the test is skipped, or fails when
//! `INNSYN_REQUIRE_TOOLS=1`. Set `INNSYN_SCREENSHOTS=DIR` to also keep
//! screenshots of every page at 1280 and 375 px for a person to look at.

mod common;

use std::env;
use std::process::Command;

use serde_json::Value;

use common::{Links, Tool};

/// The example site has a home page, sections and pages; fewer means the crawl
/// lost its way (or links are not followed), not that the site is small.
const MIN_PAGES: usize = 5;

#[test]
fn example_site_works_from_file_urls_in_chromium() {
    let tools = [Tool::Node, Tool::Chromium, Tool::BrowserPackages];
    if !common::tools_available("example_site_works_from_file_urls_in_chromium", &tools) {
        return;
    }
    let site = common::build_example_site(Links::Offline);

    let report = crawl(&site.output);

    let problems = problems(&report);
    let visited = report["pages_visited"].as_u64().unwrap_or(0) as usize;
    assert!(
        problems.is_empty() && visited >= MIN_PAGES,
        "the offline example site has problems in Chromium \
         ({visited} pages visited, at least {MIN_PAGES} expected):\n{}\n\
         pages visited: {}",
        problems.join("\n"),
        report["pages"]
    );
}

/// The fixture sites: every feature of the builder, and every chart kind with a
/// data file whose cells hold `<script>` and `<img onerror>` — if either ever ran,
/// the crawl would see a console error or a request leaving the site.
#[test]
fn fixture_sites_work_from_file_urls_in_chromium() {
    let tools = [Tool::Node, Tool::Chromium, Tool::BrowserPackages];
    if !common::tools_available("fixture_sites_work_from_file_urls_in_chromium", &tools) {
        return;
    }
    for name in ["features", "charts", "structured", "urls", "translations", "generated"] {
        let root = common::repo_root().join("tests/fixtures/build").join(name);
        let site = common::build_site(&root, Links::Offline);
        let report = crawl(&site.output);
        let problems = problems(&report);
        assert!(problems.is_empty(), "the {name} fixture has problems in Chromium:\n{}", problems.join("\n"));
    }
}

/// An old address opened from disk leads to the page: Chromium follows the
/// redirect page's meta refresh to the page's `index.html`.
#[test]
fn redirect_pages_lead_to_their_page_from_file_urls_in_chromium() {
    if !common::tools_available("redirect_pages_lead_to_their_page_from_file_urls_in_chromium", &[Tool::Chromium]) {
        return;
    }
    let site = common::build_site(&common::repo_root().join("tests/fixtures/build/urls"), Links::Offline);
    for (old, heading) in [
        ("gammel/adresse/index.html", "Budsjett &amp; plan"),
        ("arkiv/budsjett.html", "Budsjett &amp; plan"),
        ("aktuelt/index.html", "Nyheter"),
        ("gamal/sak/index.html", "Ny sak"),
    ] {
        let url = format!("file://{}", site.output.join(old).display());
        let profile = tempfile::tempdir().unwrap();
        let out = Command::new(common::chromium_path())
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000", "--dump-dom"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(&url)
            .output()
            .unwrap_or_else(|err| panic!("could not run Chromium: {err}"));
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(
            !dom.contains("http-equiv=\"refresh\"") && dom.contains(&format!(">{heading}</h1>")),
            "{old} did not lead to «{heading}»:\n{}",
            common::describe_output(&out)
        );
    }
}

/// Runs crawl.mjs on `site` and returns its JSON report.
fn crawl(site: &std::path::Path) -> Value {
    let root = common::repo_root();
    let mut command = Command::new("node");
    command
        .arg(root.join("tests/browser/crawl.mjs"))
        .arg(site)
        .env("INNSYN_TOOLS", common::tools_dir())
        .env("CHROMIUM", common::chromium_path())
        .current_dir(&root);
    if let Some(dir) = env::var_os("INNSYN_SCREENSHOTS").filter(|d| !d.is_empty()) {
        command.arg("--screenshots").arg(dir);
    }
    let out = command.output().unwrap_or_else(|err| panic!("could not run node: {err}"));
    // 0: clean, 1: problems found (listed in the report); anything else is a crash.
    assert!(matches!(out.status.code(), Some(0 | 1)), "crawl.mjs did not finish:\n{}", common::describe_output(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("crawl.mjs printed no JSON report ({err}):\n{}", common::describe_output(&out)))
}

/// One readable line per problem in the crawl report.
fn problems(report: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    for link in entries(report, "broken_links") {
        lines.push(format!(
            "broken link on {}: {} ({})",
            text(&link["page"]),
            text(&link["href"]),
            text(&link["reason"])
        ));
    }
    for request in entries(report, "outside_requests") {
        lines.push(format!("request outside the site from {}: {}", text(&request["page"]), text(&request["url"])));
    }
    for error in entries(report, "console_errors") {
        lines.push(format!("console error on {}: {}", text(&error["page"]), text(&error["text"])));
    }
    for error in entries(report, "page_errors") {
        lines.push(format!("page error on {}: {}", text(&error["page"]), text(&error["text"])));
    }
    for page in entries(report, "too_wide") {
        lines.push(format!(
            "page wider than the screen: {} is {} px wide at {} px",
            text(&page["page"]),
            page["width"],
            page["viewport"]
        ));
    }
    for violation in entries(report, "axe_violations") {
        let targets: Vec<String> =
            violation["targets"].as_array().map(|t| t.iter().map(text).collect()).unwrap_or_default();
        lines.push(format!(
            "axe {} violation on {}: {} — {} ({} elements, e.g. {})",
            text(&violation["impact"]),
            text(&violation["page"]),
            text(&violation["id"]),
            text(&violation["help"]),
            violation["nodes"],
            targets.join(", ")
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
