//! The versions of a page in the site's other languages, as `hreflang`
//! alternates (in `<head>` and `sitemap.xml`) and as the language switcher's
//! links. See docs/translations.md.

use serde::Serialize;

use crate::site::Site;

/// One version of a page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Version {
    /// Its language code (`nb`, `en`), or `x-default` for the version a
    /// reader whose language the site lacks is sent to.
    pub hreflang: &'static str,
    /// The language's name in itself (`English`); empty for `x-default`.
    pub name: &'static str,
    /// Its site-absolute path.
    pub path: String,
    /// Whether it is the page being shown.
    pub current: bool,
}

/// The versions of page `i` (empty when it has no translation): one per
/// language, then `x-default` (the default language's version, when there is one).
pub fn of_page(site: &Site, i: usize) -> Vec<Version> {
    let members = site.pages[i].translations.iter().map(|&j| (&site.pages[j], j == i));
    versions(site, members.map(|(p, current)| (p.lang, p.tree, p.path.as_str(), current)))
}

/// The versions of section `i`, as [`of_page`].
pub fn of_section(site: &Site, i: usize) -> Vec<Version> {
    let members = site.sections[i].translations.iter().map(|&j| (&site.sections[j], j == i));
    versions(site, members.map(|(s, current)| (s.lang, s.tree, s.path.as_str(), current)))
}

fn versions<'a>(
    site: &Site,
    members: impl Iterator<Item = (crate::lang::Lang, crate::lang::Lang, &'a str, bool)>,
) -> Vec<Version> {
    let mut out = Vec::new();
    let mut default = None;
    for (lang, tree, path, current) in members {
        if tree == site.settings.language && default.is_none() {
            default = Some(path.to_string());
        }
        out.push(Version { hreflang: lang.code(), name: lang.autonym(), path: path.to_string(), current });
    }
    if let Some(path) = default.filter(|_| out.len() > 1) {
        out.push(Version { hreflang: "x-default", name: "", path, current: false });
    }
    out
}
