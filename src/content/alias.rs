//! Old addresses of a page or section (`aliases = ["/gammel/adresse/"]` in front
//! matter): checked and turned into the output file the redirect is written to.
//! Pure; the site finds clashes, the render phase writes the redirect pages.

use std::path::Path;

use super::frontmatter::at_key;
use super::split::Split;
use crate::error::{line_col, Diagnostic, Diagnostics};

/// One old address of a page or section, where its front matter names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The address as written, e.g. `/gammel/adresse/`.
    pub written: String,
    /// The output file the redirect is written to, `/`-separated inside the output
    /// folder: `gammel/adresse/index.html`, or `gammel.html` for an address ending in
    /// `.html`.
    pub file: String,
    /// 1-based line of the address in its file.
    pub line: usize,
    /// 1-based column of the address in its file.
    pub col: usize,
}

/// The output file of an old address, or why it cannot be one. `/a/b`, `/a/b/` and
/// `a/b` are one address (a folder, `a/b/index.html`); `/a/b.html` is that file.
/// Percent-escapes are decoded, as web servers decode them before looking for a file.
///
/// ```
/// use innsyn::content::alias::output_file;
/// assert_eq!(output_file("/gammel/adresse/").unwrap(), "gammel/adresse/index.html");
/// assert_eq!(output_file("/gammel/adresse").unwrap(), "gammel/adresse/index.html");
/// assert_eq!(output_file("/arkiv/sak.html").unwrap(), "arkiv/sak.html");
/// assert_eq!(output_file("/m%C3%A5l/").unwrap(), "mål/index.html");
/// assert!(output_file("/a/../../etc/").is_err());
/// assert!(output_file("https://example.no/a/").is_err());
/// ```
pub fn output_file(written: &str) -> Result<String, String> {
    let raw = written.trim();
    if raw.is_empty() {
        return Err("the alias is empty".into());
    }
    if raw.chars().any(char::is_control) {
        return Err(format!("the alias `{}` holds a control character", crate::error::clip(raw)));
    }
    if raw.contains("://") || raw.starts_with("//") || raw.contains(':') {
        return Err(format!("the alias `{}` names another host or a scheme", crate::error::clip(raw)));
    }
    if raw.contains(['?', '#']) {
        return Err(format!(
            "the alias `{}` has a query or a fragment (`?`, `#`), which no file can have",
            crate::error::clip(raw)
        ));
    }
    if raw.contains('\\') {
        return Err(format!("the alias `{}` holds a backslash", crate::error::clip(raw)));
    }
    let decoded = crate::http::percent_decode(raw)
        .ok_or_else(|| format!("the alias `{}` has a `%` that is not a UTF-8 escape", crate::error::clip(raw)))?;
    if decoded.chars().any(|c| c.is_control() || c == '\\' || c == ':') {
        return Err(format!("the alias `{}` holds a character no file name can have", crate::error::clip(raw)));
    }
    let parts: Vec<&str> = decoded.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return Err("the alias `/` is the home page's own address".into());
    }
    if parts.iter().any(|p| p.starts_with('.')) {
        return Err(format!(
            "the alias `{}` has a part starting with `.` (such as `..`), which would leave its folder or hide the file",
            crate::error::clip(raw)
        ));
    }
    let path = parts.join("/");
    let last = parts[parts.len() - 1].to_ascii_lowercase();
    if last.ends_with(".html") || last.ends_with(".htm") {
        Ok(path)
    } else {
        Ok(format!("{path}/index.html"))
    }
}

/// Checks the `aliases` of a page or section: each a path on the site, placed at
/// its line and column in the front matter. Faults go to `errors`.
pub fn check(path: &Path, split: &Split, written: &[String], errors: &mut Diagnostics) -> Vec<Alias> {
    if written.is_empty() {
        return Vec::new();
    }
    // Each address is found in the text after the `aliases` key, in order, so two
    // aliases get their own places.
    let key_at = crate::config::key_position(split.front, "aliases")
        .map_or(0, |(line, _)| split.front.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>());
    let mut from = key_at;
    let mut aliases: Vec<Alias> = Vec::new();
    for w in written {
        let found = split.front.get(from..).and_then(|rest| rest.find(w.as_str())).map(|i| from + i);
        let (line, col) = match found {
            Some(at) if !w.is_empty() => {
                from = at + w.len();
                let (l, c) = line_col(split.front, at);
                (l + split.front_line_offset, c)
            }
            _ => {
                let d = at_key(path, split, "aliases", "");
                (d.line.unwrap_or(1), d.col.unwrap_or(1))
            }
        };
        match output_file(w) {
            Ok(file) => {
                if let Some(first) = aliases.iter().find(|a| a.file == file) {
                    errors.push(
                        Diagnostic::at(
                            path,
                            line,
                            col,
                            format!("the alias `{w}` is the same address as `{}` on line {}", first.written, first.line),
                        )
                        .hint("remove one of them (`/a`, `/a/` and `/a/index.html` are one address)"),
                    );
                    continue;
                }
                aliases.push(Alias { written: w.clone(), file, line, col });
            }
            Err(why) => errors.push(Diagnostic::at(path, line, col, why).hint(
                "write the old address as a path on this site, starting with `/`, e.g. `aliases = [\"/gammel/adresse/\"]`",
            )),
        }
    }
    aliases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::split::split;

    #[test]
    fn a_folder_address_with_or_without_its_slash_is_one_file() {
        for w in ["/a/b", "/a/b/", "a/b", "/a//b/", "/a/b/index.html"] {
            let expected = "a/b/index.html";
            assert_eq!(output_file(w).unwrap(), expected, "{w}");
        }
        assert_eq!(output_file("/a/b.htm").unwrap(), "a/b.htm");
    }

    #[test]
    fn addresses_that_would_leave_the_output_folder_or_name_a_host_are_refused() {
        for bad in [
            "",
            "/",
            "/../x/",
            "/a/./b/",
            "/a/%2e%2e/b/",
            "/a/%2E%2E%2Fetc/",
            "https://x.no/a/",
            "//x.no/a/",
            "mailto:a@b.no",
            "/a?b=1",
            "/a/#top",
            "/a\\b/",
            "/a/%5c..%5cb",
            "/a/%0a/",
            "/a/%ff/",
            "/a/%zz/",
            "/.innsyn-output",
            "C:/Windows/",
        ] {
            assert!(output_file(bad).is_err(), "{bad:?} was accepted as {:?}", output_file(bad));
        }
    }

    #[test]
    fn each_alias_is_placed_at_its_own_line_and_column() {
        let src = "+++\ntitle = \"A\"\naliases = [\n  \"/a/\",\n  \"/../b/\",\n]\n+++\n";
        let s = split(Path::new("content/a.md"), src).unwrap();
        let mut errors = Diagnostics::default();
        let aliases = check(Path::new("content/a.md"), &s, &["/a/".into(), "/../b/".into()], &mut errors);
        assert_eq!((aliases[0].line, aliases[0].col), (4, 4));
        assert_eq!(errors.0[0].location(), "content/a.md:5:4");
    }

    #[test]
    fn two_spellings_of_one_address_in_one_page_are_reported() {
        let src = "+++\ntitle = \"A\"\naliases = [\"/a\", \"/a/\"]\n+++\n";
        let s = split(Path::new("content/a.md"), src).unwrap();
        let mut errors = Diagnostics::default();
        let aliases = check(Path::new("content/a.md"), &s, &["/a".into(), "/a/".into()], &mut errors);
        assert_eq!(aliases.len(), 1);
        assert_eq!(errors.0[0].location(), "content/a.md:3:19");
    }
}
