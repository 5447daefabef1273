//! Markdown → HTML with pulldown-cmark: heading ids and anchors, a table of contents,
//! `@/` internal links resolved and checked, a summary before `<!-- more -->`, and
//! the word count. Pure: it never reads files; links are resolved through a closure.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::content::slug::slugify;
use crate::error::{Diagnostic, Diagnostics};
use crate::html::escape;
use crate::lang::Lang;

/// The marker after which the summary ends.
pub const MORE: &str = "<!-- more -->";

/// One entry of a table of contents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    /// The heading's level: 2 for `##`.
    pub level: u8,
    /// The heading's id, for links to it.
    pub id: String,
    /// The heading's text.
    pub title: String,
    /// The entries for the headings under this one.
    pub children: Vec<TocEntry>,
}

/// A rendered Markdown body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The rendered HTML.
    pub html: String,
    /// HTML before `<!-- more -->`, or empty.
    pub summary: String,
    /// The table of contents: the top headings, each with those under it.
    pub toc: Vec<TocEntry>,
    /// How many words the text has.
    pub word_count: usize,
    /// Images written without alternative text, at their `![` (for `check`).
    pub warnings: Vec<Diagnostic>,
}

/// An image written in Markdown (`![alt](src "title")`), as an [`ImageHook`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The address as written.
    pub src: String,
    /// The alternative text (the text in the brackets).
    pub alt: String,
    /// The title, or empty.
    pub title: String,
    /// 0 for the body's first image, then 1, 2, …
    pub index: usize,
    /// Where its `![` is in the file.
    pub line: usize,
    /// The column of its `![`, in characters.
    pub col: usize,
}

/// Markup for a Markdown image in place of the plain `<img>`, or `None` to keep
/// the plain one; an error is the page's.
pub type ImageHook<'a> = &'a dyn Fn(&Image) -> Result<Option<String>, Diagnostic>;

/// The theme's own ids outside its `innsyn-` namespace; content headings never get them.
const THEME_IDS: [&str; 1] = ["main"];

/// Whether an id lies in the theme's namespace.
fn reserved(id: &str) -> bool {
    id.starts_with("innsyn-")
}

/// Renders `markdown`. `resolve` turns the path of an `@/` link (without `@/` and
/// `#fragment`) into a site-absolute URL, or says why it cannot. `file` and
/// `line_offset` place errors in the source file.
pub fn render(
    file: &Path,
    markdown: &str,
    line_offset: usize,
    lang: Lang,
    resolve: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Rendered, Diagnostics> {
    render_with_images(file, markdown, line_offset, lang, resolve, &|_| Ok(None))
}

/// [`render`], with each Markdown image's markup made by `images` (the
/// responsive `<picture>` of the render phase).
pub fn render_with_images(
    file: &Path,
    markdown: &str,
    line_offset: usize,
    lang: Lang,
    resolve: &dyn Fn(&str) -> Result<String, String>,
    images: ImageHook,
) -> Result<Rendered, Diagnostics> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut errors = Diagnostics::default();
    let mut events: Vec<Event> = Vec::new();
    let mut headings: Vec<(u8, String, String)> = Vec::new();
    let mut tables = 0;
    let mut used_ids = HeadingIds::default();
    let mut heading: Option<(HeadingLevel, Option<String>, Vec<String>, usize)> = None;
    let mut heading_text = String::new();
    let mut word_count = 0;
    let lines = crate::error::Lines::new(markdown);
    let mut warnings = Vec::new();
    // The image being read: its events (to give back unchanged when the hook
    // keeps the plain `<img>`), its alt text, where it starts, and how deep
    // images nest in its alt text.
    let mut image: Option<(Vec<Event>, String, usize, usize)> = None;
    let mut image_count = 0;

    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        if let Some((held, alt, _, depth)) = image.as_mut() {
            match &event {
                Event::Start(Tag::Image { .. }) => *depth += 1,
                Event::End(TagEnd::Image) => *depth -= 1,
                Event::Text(t) | Event::Code(t) => alt.push_str(t),
                _ => {}
            }
            held.push(event);
            if *depth > 0 {
                continue;
            }
            let (held, alt, start, _) = image.take().expect("an image is being read");
            let Some(Event::Start(Tag::Image { dest_url, title, .. })) = held.first() else { continue };
            let (line, col) = lines.line_col(start);
            let found = Image {
                src: dest_url.to_string(),
                alt: alt.trim().to_string(),
                title: title.to_string(),
                index: image_count,
                line: line + line_offset,
                col,
            };
            image_count += 1;
            if found.alt.is_empty() {
                warnings.push(
                    Diagnostic::at(file, found.line, col, format!("the image `{}` has no alternative text", found.src))
                        .hint("describe what the image shows in the brackets: `![Kart over kommunen](kart.png)`")
                        .warning(),
                );
            }
            match images(&found) {
                Ok(Some(html)) => events.push(Event::InlineHtml(html.into())),
                Ok(None) => events.extend(held),
                Err(d) => {
                    // Placed at the image in the page, naming the file at fault.
                    let message = format!("the image `{}` ({}): {}", found.src, d.path.display(), d.message);
                    let placed = Diagnostic::at(file, found.line, col, message);
                    errors.push(match d.hint {
                        Some(hint) => placed.hint(hint),
                        None => placed,
                    });
                }
            }
            continue;
        }
        match event {
            Event::Start(Tag::Image { .. }) => {
                image = Some((vec![event], String::new(), range.start, 1));
            }
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                heading = Some((
                    level,
                    id.map(|i| i.to_string()),
                    classes.iter().map(|c| c.to_string()).collect(),
                    events.len(),
                ));
                heading_text.clear();
                events.push(Event::Html(CowStr::Borrowed("")));
            }
            Event::End(TagEnd::Heading(level)) => {
                let Some((_, explicit, classes, start)) = heading.take() else {
                    continue;
                };
                let base = explicit.unwrap_or_else(|| {
                    let s = slugify(&heading_text);
                    if s.is_empty() {
                        "overskrift".to_string()
                    } else {
                        s
                    }
                });
                let id = unique_id(&base, &mut used_ids);
                let n = level as u8;
                let class = if classes.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"{}\"", escape(&classes.join(" ")))
                };
                let attr = escape(&id);
                events[start] = Event::Html(format!("<h{n} id=\"{attr}\"{class}>").into());
                events.push(Event::Html(
                    format!(" <a class=\"heading-anchor\" href=\"#{attr}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{n}>\n").into(),
                ));
                headings.push((n, id, heading_text.trim().to_string()));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) if dest_url.starts_with("@/") => {
                let (path, fragment) = match dest_url[2..].split_once('#') {
                    Some((p, f)) => (p.to_string(), Some(f.to_string())),
                    None => (dest_url[2..].to_string(), None),
                };
                let url = match resolve(&path) {
                    Ok(url) => url,
                    Err(why) => {
                        let (line, col) = lines.line_col(range.start);
                        errors.push(
                            Diagnostic::at(file, line + line_offset, col, format!("broken internal link `{dest_url}`: {why}"))
                                .hint("internal links name a file inside `content/`, e.g. `@/mandater/a9-innbyggertorg.md` or `@/mandater/_index.md`"),
                        );
                        String::new()
                    }
                };
                let dest = match fragment {
                    Some(f) => format!("{url}#{f}"),
                    None => url,
                };
                events.push(Event::Start(Tag::Link { link_type, dest_url: dest.into(), title, id }));
            }
            // A task list's checkbox gets a label, so screen readers say what it means.
            Event::TaskListMarker(done) => {
                let (label, checked) = match (done, lang) {
                    (true, Lang::En) => ("Done", " checked"),
                    (false, Lang::En) => ("Not done", ""),
                    (true, _) => ("Fullført", " checked"),
                    (false, Lang::Nn) => ("Ikkje fullført", ""),
                    (false, _) => ("Ikke fullført", ""),
                };
                events.push(Event::Html(
                    format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ").into(),
                ));
            }
            // A wide table scrolls in its own box on a phone instead of widening the
            // page; the box takes keyboard focus so it can be scrolled without a mouse.
            Event::Start(Tag::Table(_)) => {
                tables += 1;
                let label = match lang {
                    Lang::En => "Table",
                    Lang::Nn | Lang::Nb | Lang::Se => "Tabell",
                };
                events.push(Event::Html(
                    format!(
                        "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{label} {tables}\">\n"
                    )
                    .into(),
                ));
                events.push(event);
            }
            Event::End(TagEnd::Table) => {
                events.push(event);
                events.push(Event::Html("</div>\n".into()));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                word_count += count_words(t);
                if heading.is_some() {
                    heading_text.push_str(t);
                }
                events.push(event);
            }
            other => events.push(other),
        }
    }
    errors.into_result()?;

    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    let summary = out.find(MORE).map(|i| out[..i].trim_end().to_string()).unwrap_or_default();
    if !summary.is_empty() {
        out = out.replacen(MORE, "", 1);
    }
    Ok(Rendered { html: out, summary, toc: nest(&headings), word_count, warnings })
}

/// Makes `base` an id no heading of the page has and the theme never uses. A base in
/// the theme's namespace (`innsyn-…`) gets the prefix `h-`, so «Innsyn i
/// postjournalen» becomes `h-innsyn-i-postjournalen`; a base already taken gets the
/// first free `-N`. `next` remembers each base's last N, so a page of many equal
/// headings costs linear time, not quadratic.
fn unique_id(base: &str, ids: &mut HeadingIds) -> String {
    // `innsyn` itself too: its suffixed forms are the theme's.
    let base = if reserved(base) || base == "innsyn" { format!("h-{base}") } else { base.to_string() };
    let mut id = base.clone();
    if ids.used.contains(&id) {
        let n = ids.next.entry(base.clone()).or_insert(0);
        loop {
            *n += 1;
            ids.probes += 1;
            id = format!("{base}-{n}");
            if !ids.used.contains(&id) {
                break;
            }
        }
    }
    ids.used.insert(id.clone());
    id
}

/// The ids given so far on a page, and per base the last suffix tried.
struct HeadingIds {
    used: HashSet<String>,
    next: HashMap<String, usize>,
    /// Suffixes tried, in all: at most one per heading plus one per id taken.
    probes: usize,
}

impl Default for HeadingIds {
    fn default() -> Self {
        HeadingIds { used: THEME_IDS.iter().map(|id| id.to_string()).collect(), next: HashMap::new(), probes: 0 }
    }
}

/// Builds the nested table of contents from a flat list of headings.
fn nest(headings: &[(u8, String, String)]) -> Vec<TocEntry> {
    let mut root: Vec<TocEntry> = Vec::new();
    for (level, id, title) in headings {
        let entry = TocEntry { level: *level, id: id.clone(), title: title.clone(), children: Vec::new() };
        let mut list = &mut root;
        // Descend while the last entry is a shallower heading.
        while list.last().is_some_and(|last| last.level < *level) {
            list = &mut list.last_mut().expect("checked above").children;
        }
        list.push(entry);
    }
    root
}

/// The text of an HTML fragment: tags dropped, entities undone, spaces squashed.
///
/// ```
/// assert_eq!(innsyn::markdown::plain_text("<p>Tall &amp; <b>fakta</b></p>\n"), "Tall & fakta");
/// ```
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    crate::html::unescape(&out).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text.split_whitespace().count()`, a byte at a time: only the first byte of
/// a non-ASCII character needs a look at the whole character. Counting the
/// words of every text of every page char by char took 2 % of a build.
fn count_words(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let space = match b {
            b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => true,
            0..0x80 => false,
            0xC0.. => text[i..].chars().next().is_some_and(char::is_whitespace),
            _ => continue, // the rest of the character before
        };
        if !space && !in_word {
            count += 1;
        }
        in_word = !space;
    }
    count
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        for text in [
            "",
            " ",
            "én",
            "to ord",
            "  Årsverk\ti\n2045\x0B og\x0Csånt\r ",
            "ord\u{a0}med\u{2003}rom\u{3000}og\u{85}slutt\u{2029}",
            "ææ øø åå",
            "\u{1680}\u{202f}x",
        ] {
            assert_eq!(count_words(text), text.split_whitespace().count(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_has_as_many_words_as_split_whitespace_finds(text in "[a-zæøå \\t\\n\u{a0}\u{2003}\u{85}-]{0,40}|\\PC{0,40}") {
            proptest::prop_assert_eq!(count_words(&text), text.split_whitespace().count());
        }
    }

    use super::*;
    use proptest::prelude::*;

    fn no_links(p: &str) -> Result<String, String> {
        Err(format!("no page `{p}`"))
    }

    fn r(md: &str) -> Rendered {
        render(Path::new("content/a.md"), md, 0, Lang::Nb, &no_links).unwrap()
    }

    #[test]
    fn headings_get_unique_ids_and_a_nested_toc() {
        let out = r("## Effektmål\n### Mål 1\n## Effektmål\n## Main\n");
        assert!(
            out.html.contains("<h2 id=\"effektmal\">Effektmål <a class=\"heading-anchor\" href=\"#effektmal\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("id=\"effektmal-1\""));
        assert!(out.html.contains("id=\"main-1\""), "the theme's own id is never reused");
        assert_eq!(out.toc.len(), 3);
        assert_eq!(out.toc[0].children[0].id, "mal-1");
    }

    #[test]
    fn headings_in_the_themes_id_namespace_get_a_prefix_and_the_build_ends() {
        let out = r("## Innsyn i postjournalen\n## Innsyn i postjournalen\n## T {#innsyn-x}\n## H {#innsyn-}\n");
        let ids: Vec<&str> = out.toc.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["h-innsyn-i-postjournalen", "h-innsyn-i-postjournalen-1", "h-innsyn-x", "h-innsyn-"]);
    }

    #[test]
    fn an_explicit_id_is_escaped_in_the_heading_and_its_anchor() {
        let out = r("## T {#a\"b'c&d}\n");
        assert!(out.html.contains("<h2 id=\"a&quot;b&#39;c&amp;d\">"), "{}", out.html);
        assert!(out.html.contains("href=\"#a&quot;b&#39;c&amp;d\""), "{}", out.html);
    }

    #[test]
    fn many_equal_headings_take_one_probe_each() {
        let mut ids = HeadingIds::default();
        for _ in 0..20_000 {
            unique_id("h", &mut ids);
        }
        // Taken ids that look like suffixed ones cost one probe more each.
        for n in 1..=100 {
            unique_id(&format!("g-{n}"), &mut ids);
        }
        for _ in 0..200 {
            unique_id("g", &mut ids);
        }
        assert_eq!(ids.used.len(), 20_301);
        assert!(ids.probes <= 20_000 + 300, "{} probes: quadratic", ids.probes);
    }

    proptest! {
        #[test]
        fn heading_ids_are_unique_and_never_the_themes(
            bases in proptest::collection::vec("(innsyn|main|h|a)(-[0-9a-z]{0,2}){0,3}", 1..60)
        ) {
            let mut ids = HeadingIds::default();
            let mut seen = HashSet::new();
            for base in &bases {
                let id = unique_id(base, &mut ids);
                prop_assert!(!reserved(&id) && !THEME_IDS.contains(&id.as_str()), "{id}");
                prop_assert!(seen.insert(id.clone()), "{id} given twice");
            }
            prop_assert!(ids.probes <= 2 * bases.len(), "{} probes for {} headings", ids.probes, bases.len());
        }
    }

    #[test]
    fn tables_footnotes_strikethrough_and_task_lists_render() {
        let out = r("| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~borte~~ [^1]\n\n[^1]: Note.\n\n- [x] gjort\n");
        for needle in ["<table>", "<del>borte</del>", "footnote-definition", "checked aria-label=\"Fullført\""] {
            assert!(out.html.contains(needle), "{needle} missing in {}", out.html);
        }
    }

    #[test]
    fn internal_links_resolve_and_broken_ones_name_their_line() {
        let resolve = |p: &str| {
            if p == "mandater/a9.md" {
                Ok("/mandater/a9/".to_string())
            } else {
                Err("no such page".to_string())
            }
        };
        let out = render(Path::new("content/a.md"), "[A9](@/mandater/a9.md#mal)", 0, Lang::Nb, &resolve).unwrap();
        assert!(out.html.contains("href=\"/mandater/a9/#mal\""));
        let err =
            render(Path::new("content/a.md"), "tekst\n\nse [her](@/mangler.md)", 4, Lang::Nb, &resolve).unwrap_err();
        assert_eq!(err.0[0].location(), "content/a.md:7:4");
    }

    #[test]
    fn the_summary_is_what_comes_before_more() {
        let out = r("Første avsnitt.\n\n<!-- more -->\n\nResten.");
        assert_eq!(out.summary, "<p>Første avsnitt.</p>");
        assert!(!out.html.contains("more"));
        assert_eq!(out.word_count, 3);
    }

    #[test]
    fn external_links_are_left_alone() {
        assert!(r("[uu](https://uustatus.no/)").html.contains("href=\"https://uustatus.no/\""));
    }

    proptest! {
        #[test]
        fn markdown_never_panics(s in "\\PC*") {
            let _ = render(Path::new("a.md"), &s, 0, Lang::Nb, &no_links);
        }
    }

    #[test]
    fn tables_scroll_in_a_focusable_named_box() {
        let html = r("| a | b |\n|---|---|\n| 1 | 2 |\n\n| c |\n|---|\n| 3 |\n").html;
        assert_eq!(html.matches("<div class=\"table-scroll\" tabindex=\"0\" role=\"region\"").count(), 2, "{html}");
        assert!(html.contains("aria-label=\"Tabell 1\"") && html.contains("aria-label=\"Tabell 2\""), "{html}");
        assert_eq!(html.matches("</table>\n</div>").count(), 2, "{html}");
    }
}
