//! Checks the example site's output with real parsers: every HTML page with
//! the W3C Nu HTML checker (vnu.jar), and `sitemap.xml` and `atom.xml` with
//! Python's expat-based XML parser.
//!
//! Needs java, python3 and vnu.jar in `.tools/` (`./scripts/test` installs
//! them); without them the tests are skipped, or fail when
//! `INNSYN_REQUIRE_TOOLS=1`.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::{Links, Tool};

#[test]
fn example_site_html_has_no_nu_checker_errors() {
    let test = "example_site_html_has_no_nu_checker_errors";
    if !common::tools_available(test, &[Tool::Java, Tool::VnuJar]) {
        return;
    }
    let site = common::build_example_site(Links::Served);
    assert_nu_clean(&site.output, "the example site");
}

#[test]
fn fixture_sites_html_has_no_nu_checker_errors() {
    if !common::tools_available("fixture_sites_html_has_no_nu_checker_errors", &[Tool::Java, Tool::VnuJar]) {
        return;
    }
    for name in ["features", "charts", "structured", "urls", "translations", "generated"] {
        let site = common::build_site(&common::repo_root().join("tests/fixtures/build").join(name), Links::Served);
        assert_nu_clean(&site.output, &format!("the {name} fixture"));
    }
}

/// Runs the Nu checker over every HTML file in `output` and asserts it found nothing.
fn assert_nu_clean(output: &Path, what: &str) {
    let out = Command::new("java")
        .arg("-jar")
        .arg(common::vnu_jar())
        .args(["--errors-only", "--format", "json", "--skip-non-html"])
        .arg(output)
        .output()
        .unwrap_or_else(|err| panic!("could not run java: {err}"));

    // vnu exits 1 when it found errors and writes its JSON report to stderr.
    let report = vnu_report(&out.stderr)
        .unwrap_or_else(|| panic!("the Nu checker printed no JSON report:\n{}", common::describe_output(&out)));
    let errors = vnu_errors(&report, output);
    assert!(errors.is_empty(), "the Nu HTML checker found {} errors in {what}:\n{}", errors.len(), errors.join("\n"));
    assert!(
        out.status.success(),
        "the Nu checker reported no errors but exited with failure:\n{}",
        common::describe_output(&out)
    );
}

#[test]
fn sitemap_is_well_formed_xml_in_the_sitemaps_namespace() {
    let test = "sitemap_is_well_formed_xml_in_the_sitemaps_namespace";
    if !common::tools_available(test, &[Tool::Python3]) {
        return;
    }
    let site = common::build_example_site(Links::Served);

    let root = xml_root(&site.output.join("sitemap.xml"));

    assert_eq!(
        root,
        ("http://www.sitemaps.org/schemas/sitemap/0.9".to_owned(), "urlset".to_owned()),
        "sitemap.xml's root element must be <urlset> in the sitemaps namespace"
    );
}

#[test]
fn atom_feed_is_well_formed_xml_in_the_atom_namespace() {
    let test = "atom_feed_is_well_formed_xml_in_the_atom_namespace";
    if !common::tools_available(test, &[Tool::Python3]) {
        return;
    }
    let site = common::build_example_site(Links::Served);

    let root = xml_root(&site.output.join("atom.xml"));

    assert_eq!(
        root,
        ("http://www.w3.org/2005/Atom".to_owned(), "feed".to_owned()),
        "atom.xml's root element must be <feed> in the Atom namespace"
    );
}

#[test]
fn a_term_feed_is_well_formed_xml_in_the_atom_namespace() {
    if !common::tools_available("a_term_feed_is_well_formed_xml_in_the_atom_namespace", &[Tool::Python3]) {
        return;
    }
    let site = common::build_site(&common::repo_root().join("tests/fixtures/build/urls"), Links::Served);
    let root = xml_root(&site.output.join("kommune/asker/atom.xml"));
    assert_eq!(root, ("http://www.w3.org/2005/Atom".to_owned(), "feed".to_owned()));
}

/// Finds vnu's JSON report among whatever else the JVM printed to stderr.
fn vnu_report(stderr: &[u8]) -> Option<Value> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|line| line.starts_with('{'))
        .find_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|report| report["messages"].is_array())
}

/// One `file:line: message` line per error (and per file vnu could not read).
fn vnu_errors(report: &Value, site: &Path) -> Vec<String> {
    let site_url = format!("file:{}/", site.display());
    let messages = report["messages"].as_array().map(Vec::as_slice);
    messages
        .unwrap_or_default()
        .iter()
        .filter(|m| m["type"] != "info")
        .map(|m| {
            let url = m["url"].as_str().unwrap_or("(no file)");
            let file = url.strip_prefix(&site_url).unwrap_or(url);
            let line = m["lastLine"]
                .as_u64()
                .or_else(|| m["firstLine"].as_u64())
                .map_or_else(String::new, |line| format!(":{line}"));
            let message = m["message"].as_str().unwrap_or("(no message)");
            let extract =
                m["extract"].as_str().map(|e| format!("\n      {}", e.replace('\n', "⏎"))).unwrap_or_default();
            format!("  - {file}{line}: {message}{extract}")
        })
        .collect()
}

/// Parses `file` with Python's XML parser (expat, which rejects anything not
/// well-formed) and returns its root element's namespace and local name.
fn xml_root(file: &Path) -> (String, String) {
    const SCRIPT: &str = "import sys, xml.dom.minidom\n\
        root = xml.dom.minidom.parse(sys.argv[1]).documentElement\n\
        print(root.namespaceURI or '')\n\
        print(root.localName)\n";
    assert!(file.is_file(), "the build wrote no {}", file.display());
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(file)
        .output()
        .unwrap_or_else(|err| panic!("could not run python3: {err}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The traceback's last line holds expat's message with line and column.
    let error = stderr.lines().rev().find(|l| !l.trim().is_empty());
    assert!(
        out.status.success(),
        "{} is not well-formed XML: {}",
        file.display(),
        error.unwrap_or("python3 failed and printed nothing")
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines().map(str::to_owned);
    let namespace = lines.next().unwrap_or_default();
    let name = lines.next().unwrap_or_default();
    (namespace, name)
}
