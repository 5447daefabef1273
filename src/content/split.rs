//! A content file split at its `+++` or `---` fences into front matter and body.

use std::path::Path;

use crate::error::Diagnostic;

/// The front matter's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `+++` fences.
    Toml,
    /// `---` fences.
    Yaml,
}

/// A file split into its front matter and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// Whether the front matter is TOML or YAML.
    pub format: Format,
    /// The front matter's text, without its fences.
    pub front: &'a str,
    /// Lines before the front matter's first line (the opening fence).
    pub front_line_offset: usize,
    /// Everything after the closing fence.
    pub body: &'a str,
    /// Lines before the body's first line.
    pub body_line_offset: usize,
}

/// Splits `src` at its `+++` or `---` fences.
pub fn split<'a>(path: &Path, src: &'a str) -> Result<Split<'a>, Diagnostic> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let first = src.lines().next().unwrap_or_default().trim_end();
    let (format, fence) = match first {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => {
            return Err(Diagnostic::at(path, 1, 1, "the file does not start with front matter").hint(
                "start the file with a line `+++`, then `title = \"...\"`, then a closing line `+++` — did you forget to add `+++`?",
            ))
        }
    };
    let after_open = src.find('\n').map_or(src.len(), |i| i + 1);
    let mut offset = after_open;
    for (i, line) in src[after_open..].split_inclusive('\n').enumerate() {
        if line.trim_end() == fence {
            let front = &src[after_open..offset];
            let body = &src[offset + line.len()..];
            return Ok(Split { format, front, front_line_offset: 1, body, body_line_offset: i + 2 });
        }
        offset += line.len();
    }
    Err(Diagnostic::at(path, 1, 1, format!("the front matter opened with `{fence}` on line 1 is never closed"))
        .hint(format!("add a line with only `{fence}` after the last front-matter line")))
}
