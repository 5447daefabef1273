//! Rewrites site-absolute links (`/mandater/a9/`) in rendered HTML into links
//! relative to the file they are in, so a site works under any base path and from
//! `file://`. Offline, links to folders point at their `index.html`.

/// How links in one output file are written.
#[derive(Debug, Clone, Copy)]
pub enum LinkStyle<'a> {
    /// Relative to the file; `offline` appends `index.html` to folder links.
    Relative {
        /// Links to folders end in `index.html`.
        offline: bool,
    },
    /// Absolute from this base URL (for `404.html`, which hosts serve at any path).
    Absolute(&'a str),
}

/// Rewrites every `href`, `src`, `srcset`, `action` and `poster` value that starts
/// with a single `/` in `html`, which will be written at `file` (an output path such
/// as `mandater/a9/index.html`).
pub fn rewrite(html: &str, file: &str, style: LinkStyle) -> String {
    const ATTRS: [&str; 5] = ["href", "src", "srcset", "action", "poster"];
    // Only values that start with `/` are rewritten, so only `="/` and `='/` need a
    // look: found with memchr's vectorised substring search, not by stopping at
    // every `=` (std's search took 3 % of a build's CPU time).
    let mut at: Vec<usize> = memchr::memmem::find_iter(html.as_bytes(), b"=\"/")
        .chain(memchr::memmem::find_iter(html.as_bytes(), b"='/"))
        .collect();
    if at.is_empty() {
        return html.to_string();
    }
    at.sort_unstable();
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let bytes = html.as_bytes();
    let mut last = 0;
    for eq in at {
        if eq < last {
            continue; // inside a value already rewritten
        }
        let Some(attr) = ATTRS.iter().find(|a| html[..eq].ends_with(*a)) else {
            continue;
        };
        // The attribute name must stand on its own (` href=`, not `data-href=`).
        let name_start = eq - attr.len();
        if name_start == 0 || !bytes[name_start - 1].is_ascii_whitespace() {
            continue;
        }
        let quote = bytes[eq + 1] as char;
        let value_start = eq + 2;
        let Some(len) = html[value_start..].find(quote) else {
            break;
        };
        let value = &html[value_start..value_start + len];
        if value.starts_with("//") {
            continue;
        }
        out.push_str(&html[last..value_start]);
        if *attr == "srcset" {
            for (n, candidate) in value.split(',').enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                let c = candidate.trim();
                match c.split_once(' ') {
                    Some((url, size)) => {
                        link_into(&mut out, url, file, style);
                        out.push(' ');
                        out.push_str(size);
                    }
                    None => link_into(&mut out, c, file, style),
                }
            }
        } else {
            link_into(&mut out, value, file, style);
        }
        last = value_start + len;
    }
    out.push_str(&html[last..]);
    out
}

/// One site-absolute URL (`/a/b/?q#f`) written for use in `file`.
///
/// ```
/// use innsyn::render::links::{link, LinkStyle};
/// let rel = LinkStyle::Relative { offline: false };
/// assert_eq!(link("/innsyn.css", "mandater/a9/index.html", rel), "../../innsyn.css");
/// assert_eq!(link("/mandater/", "mandater/a9/index.html", rel), "../");
/// assert_eq!(link("/", "index.html", LinkStyle::Relative { offline: true }), "index.html");
/// ```
pub fn link(url: &str, file: &str, style: LinkStyle) -> String {
    let mut out = String::new();
    link_into(&mut out, url, file, style);
    out
}

/// [`link`], appended to `out` (a page has dozens of links, a term page
/// thousands: no allocation per link).
fn link_into(out: &mut String, url: &str, file: &str, style: LinkStyle) {
    let split_at = url.find(['?', '#']).unwrap_or(url.len());
    let (path, suffix) = url.split_at(split_at);
    let offline = match style {
        LinkStyle::Absolute(base) => {
            out.push_str(base.trim_end_matches('/'));
            out.push_str(path);
            out.push_str(suffix);
            return;
        }
        LinkStyle::Relative { offline } => offline,
    };
    // The folders `file` is in, and the parts of the path linked to.
    let from = file.rsplit_once('/').map(|(dirs, _)| dirs.split('/'));
    let from_dirs = from.clone().map_or(0, Iterator::count);
    let to = path.split('/').filter(|s| !s.is_empty());
    let to_len = to.clone().count();
    let common = from.map_or(0, |from| from.zip(to.clone()).take_while(|(a, b)| a == b).count());
    let start = out.len();
    for _ in common..from_dirs {
        out.push_str("../");
    }
    for (n, part) in to.skip(common).enumerate() {
        if n > 0 {
            out.push('/');
        }
        out.push_str(part);
    }
    let is_folder = path.ends_with('/');
    if is_folder && to_len > common {
        out.push('/');
    }
    if is_folder && offline {
        out.push_str("index.html");
    }
    if out.len() == start && (!suffix.starts_with('#') || !file.ends_with("index.html")) {
        // The file's own folder (a bare `#anchor` does for an index.html).
        out.push_str("./");
    }
    out.push_str(suffix);
}

#[cfg(test)]
mod tests {
    use super::*;

    const REL: LinkStyle = LinkStyle::Relative { offline: false };
    const OFF: LinkStyle = LinkStyle::Relative { offline: true };

    #[test]
    fn links_are_made_relative_to_the_file() {
        assert_eq!(link("/", "mandater/a9/index.html", REL), "../../");
        assert_eq!(link("/mandater/a9/", "mandater/a9/index.html", REL), "./");
        assert_eq!(link("/mandater/a9/#mal", "mandater/a9/index.html", REL), "#mal");
        assert_eq!(link("/mal/x/", "mandater/a9/index.html", REL), "../../mal/x/");
        assert_eq!(link("/mandater/a9/bilde.png", "mandater/a9/index.html", REL), "bilde.png");
        assert_eq!(link("/", "index.html", REL), "./");
        assert_eq!(link("/", "404.html", REL), "./");
    }

    #[test]
    fn offline_folder_links_point_at_index_html() {
        assert_eq!(link("/", "mandater/a9/index.html", OFF), "../../index.html");
        assert_eq!(link("/mandater/a9/#mal", "mandater/a9/index.html", OFF), "index.html#mal");
        assert_eq!(link("/innsyn.css", "index.html", OFF), "innsyn.css");
    }

    #[test]
    fn only_site_absolute_attribute_values_are_rewritten() {
        let html = r#"<a href="/a/">x</a> <a href="https://x.no/">y</a> <img src='/b.png' alt=""> <a data-href="/c/">z</a> <p>href="/d/"</p> <a href="//cdn">w</a>"#;
        let out = rewrite(html, "a/index.html", REL);
        assert_eq!(
            out,
            r#"<a href="./">x</a> <a href="https://x.no/">y</a> <img src='../b.png' alt=""> <a data-href="/c/">z</a> <p>href="/d/"</p> <a href="//cdn">w</a>"#
        );
    }

    #[test]
    fn srcset_candidates_and_forms_are_rewritten() {
        let html =
            r#"<img srcset="/a.png 1x, /b.png 2x" src="/a.png"><form action="/sok/"></form><a title="x" href="/">"#;
        assert_eq!(
            rewrite(html, "m/index.html", REL),
            r#"<img srcset="../a.png 1x, ../b.png 2x" src="../a.png"><form action="../sok/"></form><a title="x" href="../">"#
        );
        assert_eq!(rewrite("<p>no links</p>", "index.html", REL), "<p>no links</p>");
    }

    #[test]
    fn the_404_page_uses_absolute_links() {
        assert_eq!(
            link("/innsyn.css", "404.html", LinkStyle::Absolute("https://x.no/innsyn/")),
            "https://x.no/innsyn/innsyn.css"
        );
    }
}
