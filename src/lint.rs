//! What `innsyn check` looks at beyond what a build refuses: links and `#anchors`
//! between the built pages, images without alternative text, skipped heading
//! levels, and links without text. These are warnings; `--strict` makes them fail.
//! Pure: reads the built files in memory.

use std::collections::HashMap;
use std::path::Path;

use indexmap::IndexSet;

use crate::error::{clip, Diagnostic};
use crate::file::OutputFile;
use crate::html::{attr, tags};
use crate::render::Bodies;
use crate::site::Site;

/// Warnings about the body of page `i`, rendered as `body`: images without
/// alternative text, skipped heading levels, links without text.
pub fn page_content(site: &Site, i: usize, body: &crate::markdown::Rendered) -> Vec<Diagnostic> {
    let node = &site.pages[i];
    let mut warnings = body.warnings.clone();
    content_warnings(&node.page.file, &body.html, &node.page.body.markdown, node.page.body.line_offset, &mut warnings);
    warnings
}

/// The same warnings for the bodies of the sections.
pub fn section_content(site: &Site, bodies: &Bodies) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for (i, node) in site.sections.iter().enumerate() {
        let s = &node.section;
        warnings.extend(bodies.sections[i].warnings.iter().cloned());
        content_warnings(&s.file, &bodies.sections[i].html, &s.body.markdown, s.body.line_offset, &mut warnings);
    }
    warnings
}

/// Charts, tables and indicators whose figures name no source: a reader cannot
/// tell where the numbers come from.
pub fn unsourced(site: &Site) -> Vec<Diagnostic> {
    let sourced = |name: &str| {
        site.data
            .get(name.trim_start_matches("data/"))
            .is_none_or(|f| f.broken || f.provenance.as_ref().is_some_and(|p| !p.source.is_empty()))
    };
    let mut out = Vec::new();
    let bodies = site.pages.iter().map(|n| (&n.page.file, &n.page.body));
    for (file, body) in bodies.chain(site.sections.iter().map(|n| (&n.section.file, &n.section.body))) {
        for call in body.calls.iter().filter(|c| matches!(c.name.as_str(), "chart" | "table")) {
            let Some(name) = call.str_arg("data") else { continue };
            if !sourced(name) {
                let clean = name.trim_start_matches("data/");
                out.push(
                    Diagnostic::at(file, call.line, call.col, format!("this {} of `data/{clean}` names no source", call.name))
                        .hint(format!(
                            "add `data/{clean}.toml` with `source = \"SSB, tabell 12345\"` (and `url`, `published`), so readers see where the figures come from"
                        ))
                        .warning(),
                );
            }
        }
    }
    for node in &site.pages {
        let Some(goal) = &node.page.goal else { continue };
        for ind in &goal.indicators {
            if crate::render::structured::indicator_source(site, ind).is_none() {
                out.push(
                    Diagnostic::at(&node.page.file, ind.line, 1, format!("the indicator `{}` names no source", ind.name))
                        .hint("add `source = \"…\"` (and `source_url`) to the indicator, or a sidecar `data/NAME.csv.toml` for its data file")
                        .warning(),
                );
            }
        }
    }
    out
}

/// The line of `markdown` that holds `needle`, as a line of the file.
fn line_of(markdown: &str, offset: usize, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    markdown.lines().position(|l| l.contains(needle)).map(|i| i + 1 + offset)
}

fn warn(file: &Path, line: Option<usize>, message: String, hint: &str) -> Diagnostic {
    let d = match line {
        Some(l) => Diagnostic::at(file, l, 1, message),
        None => Diagnostic::new(file, message),
    };
    d.hint(hint).warning()
}

fn content_warnings(file: &Path, html: &str, markdown: &str, offset: usize, out: &mut Vec<Diagnostic>) {
    // Images need a text alternative (decorative images belong in the theme).
    // Markdown's images carry `decoding="async"`: they are checked where they
    // are written (`markdown::Rendered::warnings`), these are HTML's.
    for (tag, _) in tags(html, "img") {
        if attr(tag, "decoding") == Some("async") {
            continue;
        }
        if attr(tag, "alt").is_none_or(|a| a.trim().is_empty()) {
            let src = attr(tag, "src").unwrap_or("");
            out.push(warn(
                file,
                line_of(markdown, offset, src),
                format!("the image `{src}` has no alternative text"),
                "describe the image in the brackets: `![Kart over kommunen](kart.png)`",
            ));
        }
    }
    // Headings go down one level at a time (the page title is the h1).
    let mut previous = 1;
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        let level = rest[i + 2..].chars().next().and_then(|c| c.to_digit(10));
        rest = &rest[i + 2..];
        let Some(level) = level else { continue };
        if level > previous + 1 {
            let heading =
                rest.find('>').map(|j| &rest[j + 1..]).and_then(|t| t.find('<').map(|k| t[..k].trim())).unwrap_or("");
            out.push(warn(
                file,
                line_of(markdown, offset, heading),
                format!("the heading «{heading}» jumps from level {previous} to {level}"),
                "screen-reader users move by heading levels; use one more `#` than the heading above, e.g. `##` under the title",
            ));
        }
        previous = level;
    }
    // Links need text (or a label) to be announced.
    for (tag, inner) in tags(html, "a") {
        if tag.contains("heading-anchor") {
            continue;
        }
        let labelled = attr(tag, "aria-label").is_some_and(|l| !l.trim().is_empty())
            || inner.contains(" alt=\"") && !inner.contains(" alt=\"\"");
        if crate::markdown::plain_text(inner).is_empty() && !labelled {
            let href = attr(tag, "href").unwrap_or("");
            out.push(warn(
                file,
                line_of(markdown, offset, href),
                format!("the link to `{href}` has no text"),
                "write the text readers should see in the brackets: `[Les mandatet](...)`",
            ));
        }
    }
}

/// What the link check needs of the built files, taken batch by batch as they
/// are made so the pages need not be kept: every path, the ids of each HTML
/// page, and the links of each.
#[derive(Default)]
pub struct Links {
    /// Every path built, each once: a path's number is its place here.
    paths: IndexSet<Box<str>>,
    /// Each HTML page's ids, by its path's number, one after another, each
    /// ended by a newline (an id holds no newline: it is an attribute value the
    /// theme or Markdown wrote); `None` for a file that is not a page.
    ids: Vec<Option<Box<str>>>,
    /// Every distinct `href` met: an href's number is its place here.
    hrefs: IndexSet<Box<str>>,
    /// The links of each HTML page (but the 404 page): its path's number and
    /// the numbers of its `href`s.
    pages: Vec<(u32, Box<[u32]>)>,
}

/// The number of `key` in `set`, added when new.
fn number(set: &mut IndexSet<Box<str>>, key: &str) -> u32 {
    let n = match set.get_index_of(key) {
        Some(n) => n,
        None => set.insert_full(key.into()).0,
    };
    n as u32
}

impl Links {
    /// Takes a batch of built files.
    pub fn add(&mut self, files: &[OutputFile]) {
        for f in files {
            let page = number(&mut self.paths, &f.path) as usize;
            if self.ids.len() <= page {
                self.ids.resize(page + 1, None);
            }
            if !f.path.ends_with(".html") {
                continue;
            }
            let html = std::str::from_utf8(&f.bytes).unwrap_or("");
            let mut ids = String::new();
            for (i, m) in html.match_indices(" id=\"") {
                let start = i + m.len();
                if let Some(e) = html[start..].find('"') {
                    ids.push_str(&html[start..start + e]);
                    ids.push('\n');
                }
            }
            self.ids[page] = Some(ids.into());
            if f.path == "404.html" {
                continue;
            }
            let mut links = Vec::new();
            for (i, _) in html.match_indices(" href=\"") {
                let start = i + 7;
                let Some(end) = html[start..].find('"') else { continue };
                links.push(number(&mut self.hrefs, &html[start..start + end]));
            }
            self.pages.push((page as u32, links.into()));
        }
    }

    fn has_id(&self, page: &str, id: &str) -> Option<bool> {
        let ids = self.ids.get(self.paths.get_index_of(page)?)?.as_deref()?;
        Some(ids.split_terminator('\n').any(|i| i == id))
    }

    /// Every link and `#anchor` between built pages must lead somewhere. A page
    /// whose Markdown the build dropped is read again from `root` when there is
    /// a warning to place in it.
    pub fn finish(&self, site: &Site, root: &Path) -> Vec<Diagnostic> {
        self.finish_collecting(site, root, false).0
    }

    /// [`Links::finish`], and every `http(s)` link to another site with the
    /// places that link to it, sorted by address (for `check --external`).
    pub fn finish_with_external(&self, site: &Site, root: &Path) -> (Vec<Diagnostic>, Vec<ExternalLink>) {
        self.finish_collecting(site, root, true)
    }

    fn finish_collecting(&self, site: &Site, root: &Path, external: bool) -> (Vec<Diagnostic>, Vec<ExternalLink>) {
        let mut outside: std::collections::BTreeMap<String, Vec<(std::path::PathBuf, Option<usize>)>> =
            Default::default();
        // Which content file made each output page, for messages.
        let mut sources: HashMap<String, (&Path, &str, usize)> = HashMap::new();
        let mut content_paths: HashMap<&Path, &str> = HashMap::new();
        for p in &site.pages {
            sources.insert(
                crate::render::output_path(&p.path),
                (&p.page.file, &p.page.body.markdown, p.page.body.line_offset),
            );
            content_paths.insert(&p.page.file, &p.page.content_path);
        }
        for s in &site.sections {
            sources.insert(
                crate::render::output_path(&s.path),
                (&s.section.file, &s.section.body.markdown, s.section.body.line_offset),
            );
        }
        let reread: std::cell::RefCell<HashMap<String, String>> = Default::default();
        let markdown_of = |path: &str, file: &Path, markdown: &str| -> String {
            if !markdown.is_empty() {
                return markdown.to_string();
            }
            let mut cache = reread.borrow_mut();
            cache
                .entry(path.to_string())
                .or_insert_with(|| {
                    let rel = content_paths.get(file);
                    let text = crate::fsx::read_text(root, &root.join(file)).unwrap_or_default();
                    rel.and_then(|rel| crate::content::parse_page(file, rel, &text).ok())
                        .map(|p| p.body.markdown)
                        .unwrap_or_default()
                })
                .clone()
        };
        let line_of = |path: &str, file: &Path, markdown: &str, offset: usize, needle: &str| {
            line_of(&markdown_of(path, file, markdown), offset, needle)
        };
        let mut out = Vec::new();
        for (page, links) in &self.pages {
            let path: &str = &self.paths[*page as usize];
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            for &id in links.iter() {
                let href = crate::html::unescape(&self.hrefs[id as usize]);
                if href.contains(':') || href.starts_with("//") {
                    let scheme: String = href.split(':').next().unwrap_or_default().trim().to_ascii_lowercase();
                    let scheme: String = scheme.chars().filter(|c| !c.is_control()).collect();
                    if external && (scheme == "http" || scheme == "https") {
                        let (source, markdown, offset) = sources.get(path).copied().unwrap_or((Path::new(path), "", 0));
                        let url = href.split('#').next().unwrap_or_default().trim().to_string();
                        // A link the theme adds to every page (config.toml's) is
                        // placed once, at the first page; one the author wrote, at
                        // each place it is written.
                        let text = markdown_of(path, source, markdown);
                        let lines: Vec<usize> = text
                            .lines()
                            .enumerate()
                            .filter(|(_, l)| l.contains(href.as_str()))
                            .map(|(i, _)| i + 1 + offset)
                            .collect();
                        let places = outside.entry(url).or_default();
                        if lines.is_empty() && places.is_empty() {
                            places.push((source.to_path_buf(), None));
                        }
                        places.extend(lines.into_iter().map(|l| (source.to_path_buf(), Some(l))));
                        continue;
                    }
                    if ["javascript", "vbscript"].contains(&scheme.as_str()) {
                        let (source, markdown, offset) = sources.get(path).copied().unwrap_or((Path::new(path), "", 0));
                        out.push(warn(
                            source,
                            line_of(path, source, markdown, offset, &href),
                            format!("the link `{}` runs a script instead of opening a page", clip(&href)),
                            "link to web pages (`https://…`), e-mail (`mailto:…`), phone (`tel:…`) or pages of the site",
                        ));
                    }
                    continue; // Another site, mail or phone.
                }
                let (target_path, anchor) = match href.split_once('#') {
                    Some((p, a)) => (p, Some(a)),
                    None => (href.as_str(), None),
                };
                let target_path = target_path.split('?').next().unwrap_or("");
                let (source, markdown, offset) = sources.get(path).copied().unwrap_or((Path::new(path), "", 0));
                let last = |p: &str| p.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
                // `%20` in a link is the space in the file's name.
                let Some(file_path) = crate::http::percent_decode(target_path) else {
                    out.push(warn(
                        source,
                        line_of(path, source, markdown, offset, &last(target_path)),
                        format!("the link `{href}` has a `%` that is not followed by two hex digits"),
                        "write `%` in an address as `%25`; browsers and servers refuse it bare",
                    ));
                    continue;
                };
                let target = if file_path.is_empty() { path.to_string() } else { join(dir, &file_path) };
                let target =
                    if target.is_empty() || target.ends_with('/') { format!("{target}index.html") } else { target };
                // The link as the author wrote it is found by its anchor or its
                // last part, encoded (as Markdown writes it) or not.
                let written = anchor.map(|a| format!("#{a}")).unwrap_or_else(|| last(target_path));
                // Looked for only when there is something to say.
                let line = || {
                    line_of(path, source, markdown, offset, &written).or_else(|| {
                        anchor.is_none().then(|| line_of(path, source, markdown, offset, &last(&file_path))).flatten()
                    })
                };
                if !self.paths.contains(target.as_str()) {
                    let folder = format!("{target}/index.html");
                    if !self.paths.contains(folder.as_str()) {
                        out.push(warn(
                            source,
                            line(),
                            format!("the link `{href}` leads to a page that does not exist"),
                            "link to pages by their file with `@/section/page.md`, which innsyn checks",
                        ));
                    }
                    continue;
                }
                if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                    if self.has_id(&target, &crate::html::escape(anchor)) == Some(false) {
                        out.push(warn(
                            source,
                            line(),
                            format!("the link `{href}` names `#{anchor}`, which `{target}` does not have"),
                            "anchors are heading ids: `## Effektmål` gets `#effektmal`",
                        ));
                    }
                }
            }
        }
        // A link no Markdown holds comes from the theme, most often from a
        // setting in config.toml: placed there when it is, else at the first page.
        let config = if external {
            crate::fsx::read_text(root, &root.join(crate::config::CONFIG_FILE)).unwrap_or_default()
        } else {
            String::new()
        };
        let links = outside
            .into_iter()
            .map(|(url, mut places)| {
                if places.iter().any(|(_, l)| l.is_some()) {
                    places.retain(|(_, l)| l.is_some());
                } else if let Some(line) = config.lines().position(|l| l.contains(url.as_str())) {
                    places = vec![(crate::config::CONFIG_FILE.into(), Some(line + 1))];
                }
                places.sort();
                places.dedup();
                ExternalLink { url, places }
            })
            .collect();
        (out, links)
    }
}

/// A link to another site (`http` or `https`), and where the site links to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLink {
    /// The address, without its `#fragment`.
    pub url: String,
    /// The files that link to it, with the line of the link when it is in their
    /// Markdown (a link the theme adds has none).
    pub places: Vec<(std::path::PathBuf, Option<usize>)>,
}

/// `a/b` + `../c/` → `a/c/` (no leading `/`; `..` above the root stays at the root).
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let trailing = rel.ends_with('/');
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut s = parts.join("/");
    if trailing && !s.is_empty() {
        s.push('/');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_join_onto_their_folder() {
        assert_eq!(join("mandater/a9", "../../mal/"), "mal/");
        assert_eq!(join("mandater/a9", "bilde.png"), "mandater/a9/bilde.png");
        assert_eq!(join("", "./"), "");
    }

    #[test]
    fn content_problems_are_warned_about_with_their_line() {
        let html = "<h2 id=\"a\">A</h2><h4 id=\"b\">Dypt</h4><p><img src=\"kart.png\" alt=\"\"><a href=\"https://x.no\"></a></p>";
        let md = "## A\n#### Dypt\n![](kart.png)[](https://x.no)\n";
        let mut out = Vec::new();
        content_warnings(Path::new("content/a.md"), html, md, 3, &mut out);
        let text: Vec<String> = out.iter().map(ToString::to_string).collect();
        assert_eq!(out.len(), 3, "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.starts_with("content/a.md:6:1: warning: the image `kart.png` has no alternative text")),
            "{text:?}"
        );
        assert!(text.iter().any(|t| t.contains("jumps from level 2 to 4")));
        assert!(text.iter().any(|t| t.contains("has no text")));
    }
}
