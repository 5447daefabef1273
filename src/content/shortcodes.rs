//! Shortcodes in Zola's syntax: finds `{{ name(key=value) }}` and
//! `{% name(...) %}body{% end %}` calls in a Markdown body (outside code), replaces
//! each with a placeholder. This is the parse half; rendering the calls and
//! putting their HTML in place of the placeholders is `render::shortcodes`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::error::{Diagnostic, Diagnostics};

/// An argument's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// A quoted string.
    Str(String),
    /// A whole number.
    Int(i64),
    /// A number with a fractional part.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A list of values in `[...]`.
    Array(Vec<Value>),
}

/// One shortcode call found in a body.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The shortcode's name, as in `{{ name(...) }}`.
    pub name: String,
    /// Its arguments by name.
    pub args: BTreeMap<String, Value>,
    /// The raw text between the opening tag and `{% end %}` of a block call.
    pub body: Option<String>,
    /// Position of the call's `{{` or `{%` in the file (1-based).
    pub line: usize,
    /// Column of the same position (1-based, in characters).
    pub col: usize,
}

impl Call {
    /// A string argument, if given as a string.
    pub fn str_arg(&self, key: &str) -> Option<&str> {
        match self.args.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }
}

/// A Markdown body with its shortcode calls taken out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    /// Markdown in which each call is replaced by [`placeholder`]`(i)`.
    pub markdown: String,
    /// The calls taken out, in order: call `i` stands where `placeholder(i)` is.
    pub calls: Vec<Call>,
    /// Lines before the body's first line in its file.
    pub line_offset: usize,
    /// On a page generated from data (see `content::generate`), the page's own
    /// rows: charts and tables of a data file with this column select them
    /// without naming them.
    pub page_filter: Option<crate::data::Filter>,
    /// Set when the Markdown was dropped after parsing (see
    /// [`Body::drop_markdown`]): what is still known of it.
    pub dropped: Option<Dropped>,
}

/// What a body whose Markdown was dropped still says of it: enough for a
/// rebuild to know it unchanged without reading its file again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropped {
    /// [`Body::digest`] as it was.
    pub digest: u64,
    /// [`Body::shows_images`] as it was.
    pub images: bool,
}

impl Body {
    /// A hash of everything the body renders from: its Markdown, its calls,
    /// the lines before it and its rows' filter.
    pub fn digest(&self) -> u64 {
        use std::hash::Hasher as _;
        if let Some(d) = self.dropped {
            return d.digest;
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let extra = format!("{:?}{:?}", self.calls, self.page_filter);
        for piece in [self.markdown.as_bytes(), extra.as_bytes()] {
            h.write_usize(piece.len());
            h.write(piece);
        }
        h.write_usize(self.line_offset);
        h.finish()
    }

    /// Whether the Markdown shows an image (`![`).
    pub fn shows_images(&self) -> bool {
        self.dropped.map_or_else(|| self.markdown.contains("!["), |d| d.images)
    }

    /// Drops the Markdown, keeping what [`Body::digest`] and
    /// [`Body::shows_images`] say of it.
    pub fn drop_markdown(&mut self) {
        self.dropped = Some(Dropped { digest: self.digest(), images: self.shows_images() });
        self.markdown = String::new();
    }
}

/// The text standing in for call `i` while Markdown is rendered: letters and digits
/// only, so Markdown leaves it alone.
pub fn placeholder(i: usize) -> String {
    format!("INNSYNSC{i}X")
}

/// Finds the shortcode calls in `src` (a page body that starts after
/// `line_offset` lines of its file). All malformed calls are reported.
pub fn parse(file: &Path, src: &str, line_offset: usize) -> Result<Body, Diagnostics> {
    if !src.contains("{{") && !src.contains("{%") {
        return Ok(Body {
            markdown: src.to_string(),
            calls: Vec::new(),
            line_offset,
            page_filter: None,
            dropped: None,
        });
    }
    let mut code = code_ranges(src);
    code.sort_by_key(|r| r.start);
    // The ranges do not overlap: the one that may hold `i` is the last to start at or before it.
    let in_code =
        |i: usize| code.partition_point(|r| r.start <= i).checked_sub(1).is_some_and(|k| code[k].contains(&i));
    let lines = crate::error::Lines::new(src);
    let err_at = |i: usize, msg: String| {
        let (line, col) = lines.line_col(i);
        Diagnostic::at(file, line + line_offset, col, msg)
    };
    let mut next = Next::default();

    let mut errors = Diagnostics::default();
    let mut out = String::with_capacity(src.len());
    let mut calls = Vec::new();
    let mut i = 0;
    while let Some(found) = next.open(src, i) {
        out.push_str(&src[i..found]);
        i = found;
        if in_code(found) {
            out.push_str(&src[found..found + 2]);
            i += 2;
            continue;
        }
        let block = src[found..].starts_with("{%");
        let (open, close) = if block { ("{%", "%}") } else { ("{{", "}}") };
        let inner_start = found + 2;
        // `{{/* ... */}}` writes a shortcode literally (for documentation).
        if src[inner_start..].starts_with("/*") {
            let end_marker = format!("*/{close}");
            if let Some(end) = src[inner_start..].find(&end_marker) {
                out.push_str(open);
                out.push_str(&src[inner_start + 2..inner_start + end]);
                out.push_str(close);
                i = inner_start + end + end_marker.len();
                continue;
            }
        }
        let mut cur = Cursor { src, pos: inner_start };
        cur.skip_ws();
        let name = cur.ident();
        if block && name == "end" {
            cur.skip_ws();
            if cur.eat("%}") {
                errors.push(
                    err_at(found, "`{% end %}` without a shortcode to close".into())
                        .hint("remove it, or open a block shortcode with `{% name(...) %}` before it"),
                );
                i = cur.pos;
                continue;
            }
        }
        cur.skip_ws();
        if name.is_empty() || !cur.eat("(") {
            // Not a shortcode call (e.g. `{{` in prose); keep the text.
            out.push_str(open);
            i = inner_start;
            continue;
        }
        let args = match cur.args() {
            Ok(args) => args,
            Err((pos, why)) => {
                errors.push(err_at(pos, format!("in the shortcode `{name}`: {why}")).hint("write arguments as `key=\"text\"`, `key=12`, `key=true` or `key=[\"a\", \"b\"]`, separated by commas"));
                i = next.past(src, cur.pos, close);
                out.push_str(&placeholder(calls.len()));
                continue;
            }
        };
        cur.skip_ws();
        if !cur.eat(close) {
            errors.push(
                err_at(cur.pos, format!("the shortcode `{name}` is not closed with `{close}`"))
                    .hint(format!("end the call with `){close}`")),
            );
            i = next.past(src, cur.pos, close);
            continue;
        }
        let (line, col) = lines.line_col(found);
        let mut call = Call { name: name.to_string(), args, body: None, line: line + line_offset, col };
        i = cur.pos;
        if block {
            match find_end(src, i) {
                Some((body_end, after)) => {
                    call.body = Some(src[i..body_end].to_string());
                    i = after;
                }
                None => {
                    errors.push(
                        err_at(found, format!("the block shortcode `{name}` is never closed"))
                            .hint("add `{% end %}` after its body"),
                    );
                    i = src.len();
                }
            }
        }
        out.push_str(&placeholder(calls.len()));
        calls.push(call);
    }
    out.push_str(&src[i..]);
    errors.into_result()?;
    Ok(Body { markdown: out, calls, line_offset, page_filter: None, dropped: None })
}

/// Where the next `{{`, `{%`, `}}` and `%}` are, found once and kept until passed:
/// searching the rest of the page anew at every call made a page of many broken
/// calls take time in the square of its length.
#[derive(Default)]
struct Next {
    /// For each marker, the position found and where the search started.
    found: [Option<(usize, Option<usize>)>; 4],
}

impl Next {
    const MARKERS: [&'static str; 4] = ["{{", "{%", "}}", "%}"];

    /// The first `marker` at or after `from`.
    fn find(&mut self, src: &str, from: usize, marker: usize) -> Option<usize> {
        match self.found[marker] {
            // Still ahead, and nothing between the old start and `from` was skipped.
            Some((start, hit)) if start <= from && hit.is_none_or(|h| h >= from) => hit,
            _ => {
                let hit = src[from..].find(Self::MARKERS[marker]).map(|p| from + p);
                self.found[marker] = Some((from, hit));
                hit
            }
        }
    }

    /// The next shortcode opening, `{{` or `{%`.
    fn open(&mut self, src: &str, from: usize) -> Option<usize> {
        match (self.find(src, from, 0), self.find(src, from, 1)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Just past the next `close` (`}}` or `%}`), or the end.
    fn past(&mut self, src: &str, from: usize, close: &str) -> usize {
        let marker = if close == "}}" { 2 } else { 3 };
        self.find(src, from, marker).map_or(src.len(), |p| p + close.len())
    }
}

/// The next `{% end %}` from `from`: (start of it, end of it).
fn find_end(src: &str, from: usize) -> Option<(usize, usize)> {
    let mut at = from;
    while let Some(p) = src[at..].find("{%") {
        let start = at + p;
        let mut cur = Cursor { src, pos: start + 2 };
        cur.skip_ws();
        if cur.ident() == "end" {
            cur.skip_ws();
            if cur.eat("%}") {
                return Some((start, cur.pos));
            }
        }
        at = start + 2;
    }
    None
}

/// Byte ranges of code spans and code blocks, where `{{` is just text.
fn code_ranges(src: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut block_start = None;
    for (event, range) in Parser::new(src).into_offset_iter() {
        match event {
            Event::Code(_) => ranges.push(range),
            Event::Start(Tag::CodeBlock(_)) => block_start = Some(range.start),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(s) = block_start.take() {
                    ranges.push(s..range.end);
                }
            }
            _ => {}
        }
    }
    ranges
}

/// How deep lists may nest in a shortcode's arguments.
const MAX_NESTING: usize = 8;

struct Cursor<'a> {
    src: &'a str,
    pos: usize,
}

type ArgError = (usize, String);

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.src.len() - trimmed.len();
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    fn args(&mut self) -> Result<BTreeMap<String, Value>, ArgError> {
        let mut args = BTreeMap::new();
        loop {
            self.skip_ws();
            if self.eat(")") {
                return Ok(args);
            }
            let at = self.pos;
            let key = self.ident();
            if key.is_empty() {
                return Err((at, "expected an argument name or `)`".into()));
            }
            self.skip_ws();
            if !self.eat("=") {
                return Err((self.pos, format!("expected `=` after `{key}`")));
            }
            self.skip_ws();
            let value = self.value()?;
            if args.insert(key.to_string(), value).is_some() {
                return Err((at, format!("the argument `{key}` is given twice")));
            }
            self.skip_ws();
            if self.eat(",") {
                continue;
            }
            if self.eat(")") {
                return Ok(args);
            }
            return Err((self.pos, "expected `,` or `)`".into()));
        }
    }

    fn value(&mut self) -> Result<Value, ArgError> {
        self.value_within(0)
    }

    /// A value inside `depth` lists. Lists nest at most [`MAX_NESTING`] deep: a
    /// parser that recursed once per `[` ran out of stack on `[[[[…`.
    fn value_within(&mut self, depth: usize) -> Result<Value, ArgError> {
        let at = self.pos;
        let rest = self.rest();
        let Some(first) = rest.chars().next() else {
            return Err((at, "the call ends too early".into()));
        };
        match first {
            '"' | '\'' => {
                let mut s = String::new();
                let mut chars = rest[1..].char_indices();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => match chars.next() {
                            Some((_, 'n')) => s.push('\n'),
                            Some((_, e)) => s.push(e),
                            None => break,
                        },
                        c if c == first => {
                            self.pos += 1 + i + 1;
                            return Ok(Value::Str(s));
                        }
                        c => s.push(c),
                    }
                }
                Err((at, "a text value is never closed".into()))
            }
            '[' if depth >= MAX_NESTING => {
                Err((at, format!("lists inside lists go deeper than {MAX_NESTING} levels here")))
            }
            '[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.eat("]") {
                        return Ok(Value::Array(items));
                    }
                    items.push(self.value_within(depth + 1)?);
                    self.skip_ws();
                    if !self.eat(",") {
                        self.skip_ws();
                        if self.eat("]") {
                            return Ok(Value::Array(items));
                        }
                        return Err((self.pos, "expected `,` or `]` in a list".into()));
                    }
                }
            }
            _ => {
                let len = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.' | '_')))
                    .unwrap_or(rest.len());
                let word = &rest[..len];
                self.pos += len;
                match word {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    _ => word
                        .parse::<i64>()
                        .map(Value::Int)
                        .or_else(|_| word.parse::<f64>().map(Value::Float))
                        .map_err(|_| (at, format!("`{word}` is not a value; put text in quotes: \"{word}\""))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn lines_counted_on_agree_with_counting_from_the_start(
            src in "[a-zæ\n{}]{0,40}",
            offsets in proptest::collection::vec(0usize..40, 0..8),
        ) {
            let lines = crate::error::Lines::new(&src);
            for o in offsets {
                let o = (0..=o.min(src.len())).rev().find(|&i| src.is_char_boundary(i)).unwrap_or(0);
                proptest::prop_assert_eq!(lines.line_col(o), crate::error::line_col(&src, o));
            }
        }
    }

    #[test]
    fn many_broken_calls_are_each_reported_at_their_line() {
        let src = "{{ chart(x=\n".repeat(3) + "}}";
        let e = p(&src).unwrap_err();
        assert!(!e.is_empty());
        let src = "tekst {{ chart(x=1 }} og {% % {{ a(b=\"c\") }}\n".repeat(2_000);
        let e = p(&src).unwrap_err();
        assert_eq!(e.len(), 2_000);
        assert_eq!(e.0.last().unwrap().location(), "content/a.md:2003:20");
    }

    #[test]
    fn lists_nested_thousands_deep_are_an_error_not_a_crash() {
        let deep = format!("{{{{ chart(x={}) }}}}", "[".repeat(100_000));
        let e = p(&deep).unwrap_err();
        assert!(e.0[0].message.contains("deeper than"), "{e}");
        assert!(p("{{ chart(x=[[[[1]]]]) }}").is_ok());
    }

    fn p(src: &str) -> Result<Body, Diagnostics> {
        parse(Path::new("content/a.md"), src, 3)
    }

    #[test]
    fn inline_calls_with_every_kind_of_argument_are_found() {
        let b =
            p("Før {{ chart(data=\"a.csv\", height=300, share=0.5, open=true, cols=[\"x\", 'y']) }} etter").unwrap();
        assert_eq!(b.markdown, "Før INNSYNSC0X etter");
        let c = &b.calls[0];
        assert_eq!(c.name, "chart");
        assert_eq!(c.args["data"], Value::Str("a.csv".into()));
        assert_eq!(c.args["height"], Value::Int(300));
        assert_eq!(c.args["share"], Value::Float(0.5));
        assert_eq!(c.args["open"], Value::Bool(true));
        assert_eq!(c.args["cols"], Value::Array(vec![Value::Str("x".into()), Value::Str("y".into())]));
        assert_eq!((c.line, c.col), (4, 5));
    }

    #[test]
    fn block_calls_keep_their_body() {
        let b = p("{% note(kind=\"info\") %}\nViktig *tekst*\n{% end %}\nmer").unwrap();
        assert_eq!(b.calls[0].body.as_deref(), Some("\nViktig *tekst*\n"));
        assert_eq!(b.markdown, "INNSYNSC0X\nmer");
    }

    #[test]
    fn calls_inside_code_are_left_as_text() {
        let src = "`{{ a() }}`\n\n```\n{{ b() }}\n```\n";
        let b = p(src).unwrap();
        assert!(b.calls.is_empty());
        assert_eq!(b.markdown, src);
    }

    #[test]
    fn an_escaped_call_is_written_literally() {
        assert_eq!(p("{{/* chart(data=\"a\") */}}").unwrap().markdown, "{{ chart(data=\"a\") }}");
    }

    #[test]
    fn an_unclosed_block_is_reported_at_its_opening() {
        let e = p("tekst\n{% note() %}\nuten slutt").unwrap_err();
        assert_eq!(e.0[0].location(), "content/a.md:5:1");
        assert!(e.0[0].message.contains("never closed"));
    }

    #[test]
    fn malformed_arguments_are_reported_with_position() {
        let e = p("{{ chart(data=a.csv) }}").unwrap_err();
        assert!(e.0[0].message.contains("`a.csv` is not a value"), "{e}");
        assert_eq!(e.0[0].location(), "content/a.md:4:15");
    }

    #[test]
    fn a_body_keeps_its_digest_when_its_markdown_is_dropped_and_every_part_of_it_counts() {
        let f = Path::new("a.md");
        let body = |src: &str, offset| parse(f, src, offset).unwrap();
        let plain = body("Tekst {{ figur(fil=\"a.csv\") }} her", 4);
        let others = [
            body("Tekst {{ figur(fil=\"b.csv\") }} her", 4),
            body("Tekst {{ figur(fil=\"a.csv\") }} her!", 4),
            body("Tekst {{ figur(fil=\"a.csv\") }} her", 5),
        ];
        for other in &others {
            assert_ne!(plain.digest(), other.digest(), "{other:?}");
        }
        let mut dropped = plain.clone();
        dropped.drop_markdown();
        assert!(dropped.markdown.is_empty());
        assert_eq!(dropped.digest(), plain.digest());
        let mut image = body("![Kart](kart.png)", 0);
        assert!(image.shows_images());
        image.drop_markdown();
        assert!(image.shows_images(), "still known once the Markdown is gone");
        assert!(!dropped.shows_images());
    }

    #[test]
    fn braces_in_prose_are_not_calls() {
        assert!(p("mengden {{x}} og {%").unwrap().calls.is_empty());
    }
}
