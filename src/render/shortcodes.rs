//! Shortcodes at render time: the registry of built-in and template shortcodes,
//! what a call may see of the site ([`CallContext`]), and putting each call's HTML
//! in place of its placeholder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::content::schemas::Goal;
use crate::content::shortcodes::{Body, Call};
use crate::content::status::Status;
use crate::data::DataFile;
use crate::error::Diagnostic;
use crate::lang::Lang;
use crate::site::Site;

/// What a shortcode call may see: where it is, and the parts of the site that
/// built-ins read (the data files, the sections and goal pages), never the whole site.
pub struct CallContext<'a> {
    /// The content file the call is in (for error locations).
    pub file: &'a Path,
    /// The page's language.
    pub lang: Lang,
    /// Site-absolute path of the page it is on.
    pub page_path: &'a str,
    /// The site's data files, by their path inside `data/`.
    pub data: &'a BTreeMap<String, DataFile>,
    /// The site's sections and goal pages.
    pub pages: SitePages<'a>,
    /// On a page generated from data, its own rows (`column=value`): charts and
    /// tables of a file with that column select them unless they filter it themselves.
    pub page_filter: Option<&'a crate::data::Filter>,
}

/// The site's sections and goal pages, as the `goals` overview reads them.
#[derive(Clone, Copy)]
pub struct SitePages<'a> {
    site: &'a Site,
}

/// A section as a built-in sees it.
pub struct SectionEntry<'a> {
    /// Its folder inside `content/` (`""` for the home page).
    pub dir: &'a str,
    /// Its title.
    pub title: &'a str,
}

/// A goal page as a built-in sees it.
pub struct GoalPage<'a> {
    /// The page's number in the site, which `parent` and `children` refer to.
    pub id: usize,
    /// The folder of its section inside `content/`.
    pub section: &'a str,
    /// Its site-absolute path.
    pub path: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The goal as its front matter states it.
    pub goal: &'a Goal,
    /// The page's status (the badge).
    pub status: Option<Status>,
    /// The goal it serves, if that is a goal page.
    pub parent: Option<usize>,
    /// The goals that serve it, in title order.
    pub children: &'a [usize],
}

impl<'a> SitePages<'a> {
    /// The view of `site`'s pages.
    pub fn new(site: &'a Site) -> SitePages<'a> {
        SitePages { site }
    }

    /// Every section, in the site's order.
    pub fn sections(self) -> impl Iterator<Item = SectionEntry<'a>> {
        self.site.sections.iter().map(|s| SectionEntry { dir: &s.section.dir, title: &s.section.title })
    }

    /// Every goal page, in the site's order.
    pub fn goals(self) -> impl Iterator<Item = GoalPage<'a>> {
        let site = self.site;
        site.pages.iter().enumerate().filter_map(move |(id, node)| {
            let goal = node.page.goal.as_ref()?;
            Some(GoalPage {
                id,
                section: &site.sections[node.section].section.dir,
                path: &node.path,
                title: &node.page.title,
                goal,
                status: node.page.status(),
                parent: site.links.parent.get(&id).copied(),
                children: site.links.children.get(&id).map_or(&[], Vec::as_slice),
            })
        })
    }
}

/// What a shortcode call produces: HTML for the page, and any files of its own
/// (a chart's standalone SVG).
#[derive(Debug, Default)]
pub struct Output {
    /// The HTML that takes the call's place in the page.
    pub html: String,
    /// Files the call makes besides, e.g. a chart's standalone SVG.
    pub files: Vec<crate::file::OutputFile>,
}

/// A shortcode built into innsyn (the data shortcodes plug in here).
pub trait Builtin: Send + Sync {
    /// Renders one call, or says in plain words what is wrong with it.
    fn render(&self, call: &Call, ctx: &CallContext) -> Result<Output, Diagnostic>;

    /// Whether the output depends on other pages (not only on the call, the
    /// data files and the calling page), so an edit elsewhere can change it.
    fn reads_pages(&self) -> bool {
        false
    }
}

/// All shortcodes a site can call: built-in ones and the site's templates.
pub struct Registry {
    builtins: BTreeMap<&'static str, Box<dyn Builtin>>,
    templates: BTreeSet<String>,
}

impl Registry {
    /// `builtins` by name, plus `templates` (names of `shortcodes/NAME.html`).
    /// A site's template wins over a built-in of the same name.
    pub fn new(builtins: Vec<(&'static str, Box<dyn Builtin>)>, templates: BTreeSet<String>) -> Registry {
        Registry { builtins: builtins.into_iter().collect(), templates }
    }

    /// Whether any call in `body` reads other pages (see [`Builtin::reads_pages`]).
    pub fn reads_pages(&self, body: &Body) -> bool {
        body.calls.iter().any(|c| {
            !self.templates.contains(&c.name) && self.builtins.get(c.name.as_str()).is_some_and(|b| b.reads_pages())
        })
    }

    fn names(&self) -> Vec<&str> {
        self.builtins.keys().copied().chain(self.templates.iter().map(String::as_str)).collect()
    }

    /// Renders one call; `tera` renders the site's shortcode templates.
    pub fn render(
        &self,
        call: &Call,
        ctx: &CallContext,
        tera: &tera::Tera,
        t: &serde_json::Value,
    ) -> Result<Output, Diagnostic> {
        let where_ = |msg: String| Diagnostic::at(ctx.file, call.line, call.col, msg);
        if self.templates.contains(&call.name) {
            let mut context = tera::Context::new();
            for (k, v) in &call.args {
                context.insert(k.as_str(), v);
            }
            context.insert("body", call.body.as_deref().unwrap_or(""));
            context.insert("lang", ctx.lang.code());
            context.insert("t", t);
            return tera
                .render(&format!("shortcodes/{}.html", call.name), &context)
                .map(|html| Output { html, files: Vec::new() })
                .map_err(|e| where_(format!("the shortcode `{}` failed: {}", call.name, super::tera_message(&e))));
        }
        if let Some(b) = self.builtins.get(call.name.as_str()) {
            return b.render(call, ctx);
        }
        let names = self.names();
        let d = where_(format!("unknown shortcode `{}`", call.name));
        Err(match crate::error::did_you_mean(&call.name, &names) {
            Some(best) => d.hint(format!("did you mean `{best}`?")),
            None if names.is_empty() => d.hint(format!(
                "add a template `templates/shortcodes/{}.html`, or write `{{{{/* ... */}}}}` to show the call as text",
                call.name
            )),
            None => d.hint(format!("known shortcodes: {}", names.join(", "))),
        })
    }
}

/// Puts the rendered HTML of each call in place of its placeholder. A placeholder
/// alone in a paragraph is replaced with the paragraph, so block HTML is not
/// wrapped in `<p>`.
pub fn expand(html: &str, rendered: &[String]) -> String {
    if rendered.is_empty() {
        return html.to_string();
    }
    // One pass over the HTML: each placeholder is found once, and the first
    // appearance of each call's is replaced (copying the page once per call made
    // a page of 2 000 charts take seconds).
    const MARK: &str = "INNSYNSC";
    let mut out = String::with_capacity(html.len() + rendered.iter().map(String::len).sum::<usize>());
    let mut used = vec![false; rendered.len()];
    let mut copied = 0;
    for (at, _) in html.match_indices(MARK) {
        if at < copied {
            continue;
        }
        let digits = html[at + MARK.len()..].bytes().take_while(u8::is_ascii_digit).count();
        let end = at + MARK.len() + digits;
        let Some(i) = html[at + MARK.len()..end].parse::<usize>().ok().filter(|_| html[end..].starts_with('X')) else {
            continue;
        };
        if i >= rendered.len() || used[i] {
            continue;
        }
        used[i] = true;
        let end = end + 1;
        // A placeholder alone in its paragraph takes the paragraph's place.
        let (from, to) =
            if html[..at].ends_with("<p>") && html[end..].starts_with("</p>") { (at - 3, end + 4) } else { (at, end) };
        out.push_str(&html[copied..from]);
        out.push_str(&rendered[i]);
        copied = to;
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::shortcodes::placeholder;

    /// What `expand` did before it became one pass: a copy of the page per call.
    fn expand_by_replacing(html: &str, rendered: &[String]) -> String {
        let mut out = html.to_string();
        for (i, r) in rendered.iter().enumerate() {
            let ph = placeholder(i);
            let para = format!("<p>{ph}</p>");
            out = if out.contains(&para) { out.replacen(&para, r, 1) } else { out.replacen(&ph, r, 1) };
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn expanding_in_one_pass_gives_what_replacing_gave(
            parts in proptest::collection::vec((0usize..6, proptest::bool::ANY, "[a-z <>/]{0,6}"), 0..12),
            calls in 0usize..6,
        ) {
            // Each call's placeholder appears at most once, in a paragraph or inline, as
            // render() makes them.
            let mut html = String::new();
            let mut seen = std::collections::HashSet::new();
            for (i, para, text) in parts {
                html.push_str(&text);
                if seen.insert(i) {
                    let ph = placeholder(i);
                    html.push_str(&if para { format!("<p>{ph}</p>") } else { ph });
                }
            }
            let rendered: Vec<String> = (0..calls).map(|i| format!("<figure>{i}</figure>")).collect();
            proptest::prop_assert_eq!(expand(&html, &rendered), expand_by_replacing(&html, &rendered));
        }
    }

    #[test]
    fn expand_replaces_whole_paragraphs_for_block_output() {
        let html = "<p>INNSYNSC0X</p>\n<p>a INNSYNSC1X b</p>";
        assert_eq!(
            expand(html, &["<figure></figure>".into(), "<b>x</b>".into()]),
            "<figure></figure>\n<p>a <b>x</b> b</p>"
        );
    }
}
