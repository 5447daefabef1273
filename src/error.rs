//! Diagnostics: what went wrong, where (`path:line:col`), and how to fix it.
//! Owns no I/O; every phase collects these and the caller decides what to print.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in the site's input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Path relative to the site root (or as given, for files outside it).
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub col: Option<usize>,
    /// What is wrong, in plain words.
    pub message: String,
    /// How to fix it, when a fix is likely.
    pub hint: Option<String>,
    /// A warning does not fail the run (unless `check --strict`).
    pub warning: bool,
}

impl Diagnostic {
    /// A problem with a whole file.
    /// Input quoted in `message` (between backticks) is cut to 80 characters, and
    /// the whole message to 600, so a 2 MB value gives a short message.
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: None,
            col: None,
            message: brief(message.into()),
            hint: None,
            warning: false,
        }
    }

    /// A problem at a line and column (1-based).
    pub fn at(path: impl Into<PathBuf>, line: usize, col: usize, message: impl Into<String>) -> Self {
        Diagnostic { line: Some(line), col: Some(col), ..Diagnostic::new(path, message) }
    }

    /// Adds a hint saying how to fix it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(brief(hint.into()));
        self
    }

    /// Marks it as a warning.
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    /// Moves the position down by `lines` (for text embedded in a larger file).
    pub fn shifted(mut self, lines: usize) -> Self {
        if let Some(line) = self.line.as_mut() {
            *line += lines;
        }
        self
    }

    /// The location as `path:line:col`, `path:line` or `path`.
    pub fn location(&self) -> String {
        let path = self.path.display();
        match (self.line, self.col) {
            (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
            (Some(l), None) => format!("{path}:{l}"),
            _ => path.to_string(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.warning { "warning" } else { "error" };
        write!(f, "{}: {kind}: {}", self.location(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// All problems of one run, sorted by place so output is stable.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds several problems.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Ok(())` when nothing was found, otherwise all of them, sorted and deduplicated.
    pub fn into_result(mut self) -> Result<(), Diagnostics> {
        if self.0.is_empty() {
            Ok(())
        } else {
            self.0.sort();
            self.0.dedup();
            Err(self)
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(f, "{n} {}", if n == 1 { "error" } else { "errors" })
    }
}

/// Suggests the closest of `candidates` to a misspelt `word`, if one is close enough.
///
/// ```
/// assert_eq!(innsyn::error::did_you_mean("base_ur", &["title", "base_url"]), Some("base_url"));
/// assert_eq!(innsyn::error::did_you_mean("zzz", &["title"]), None);
/// ```
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    // A word far longer than any candidate is no slip of the keyboard, and comparing
    // it costs time in proportion to its length times theirs.
    let longest = candidates.iter().map(|c| c.len()).max().unwrap_or(0);
    if word.len() > 2 * longest + 8 {
        return None;
    }
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// 1-based line and column of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Line and column of byte offsets, counted on from the last one asked for, so
/// the calls of a page in order cost one pass over it.
pub struct Lines<'a> {
    src: &'a str,
    at: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Lines<'a> {
    /// Starts counting at the start of `src`.
    pub fn new(src: &'a str) -> Self {
        Lines { src, at: std::cell::Cell::new((0, 1, 0)) }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        // (offset, line, characters before it on its line)
        let (mut from, mut line, mut col) = self.at.get();
        if offset < from {
            (from, line, col) = (0, 1, 0);
        }
        for &b in &self.src.as_bytes()[from..offset] {
            if b == b'\n' {
                line += 1;
                col = 0;
            } else if b & 0xC0 != 0x80 {
                col += 1; // Every byte that starts a character.
            }
        }
        self.at.set((offset, line, col));
        (line, col + 1)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Input quoted in a message, cut to at most 80 characters with `…` after, so a
/// 2 MB value gives a short message. Control characters are shown escaped.
///
/// ```
/// assert_eq!(innsyn::error::clip("kort"), "kort");
/// assert_eq!(innsyn::error::clip(&"å".repeat(200)).chars().count(), 81);
/// assert_eq!(innsyn::error::clip("a\u{b}b"), "a\\u{b}b");
/// ```
pub fn clip(s: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with every `quoted` part over 80 characters clipped ([`clip`]), and cut
/// to 600 characters in all.
///
/// ```
/// let long = "x".repeat(2_000_000);
/// let d = innsyn::error::Diagnostic::new("config.toml", format!("`{long}` is not a theme name"));
/// assert!(d.message.len() < 200 && d.message.ends_with("…` is not a theme name"), "{}", d.message);
/// ```
fn brief(text: String) -> String {
    const MAX: usize = 600;
    if text.len() <= 80 {
        return text;
    }
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::with_capacity(text.len().min(4 * MAX));
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts lie between backticks, when the closing one is there.
        if i % 2 == 1 && i + 1 < parts.len() {
            out.push_str(&clip(part));
        } else {
            out.push_str(part);
        }
    }
    if out.chars().count() > MAX {
        let cut = out.char_indices().nth(MAX).map_or(out.len(), |(i, _)| i);
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Path of `path` relative to `root`, for messages.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_characters() {
        let src = "ab\næøå x";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        assert_eq!(line_col(src, src.find('x').unwrap()), (2, 5));
    }

    #[test]
    fn diagnostics_print_location_message_and_hint() {
        let d = Diagnostic::at("content/a.md", 3, 1, "unknown field `titel`").hint("did you mean `title`?");
        assert_eq!(d.to_string(), "content/a.md:3:1: error: unknown field `titel`\n  hint: did you mean `title`?");
    }
}
