//! Redirect pages at the old addresses of pages and sections (`aliases`): a meta
//! refresh, a canonical link and a plain link to where the page is now, all
//! relative (or absolute from `base_url` for the canonical link), so they work
//! under any base path and from `file://`. Not listed in the sitemap, feeds or
//! search: they are not pages of their own.

use crate::content::alias::Alias;
use crate::file::OutputFile;
use crate::html::escape;
use crate::lang::Lang;
use crate::render::links::{link, LinkStyle};
use crate::site::Site;

/// A redirect page for every alias of the site's pages and sections.
pub fn render(site: &Site, offline: bool) -> Vec<OutputFile> {
    let sections = site.sections.iter().map(|s| (&s.section.aliases, &s.path, &s.section.title, s.lang));
    let pages = site.pages.iter().map(|p| (&p.page.aliases, &p.path, &p.page.title, p.lang));
    sections
        .chain(pages)
        .flat_map(|(aliases, path, title, lang)| {
            aliases.iter().map(move |a| OutputFile::new(a.file.clone(), page(site, a, path, title, lang, offline)))
        })
        .collect()
}

/// The redirect page at `alias` to the page at `path` (site-absolute).
fn page(site: &Site, alias: &Alias, path: &str, title: &str, lang: Lang, offline: bool) -> Vec<u8> {
    let target = escape(&link(path, &alias.file, LinkStyle::Relative { offline }));
    let canonical =
        if site.settings.base_url.is_empty() { target.clone() } else { escape(&site.settings.permalink(path)) };
    let (heading, moved_to) = match lang {
        Lang::Nb | Lang::Se => ("Siden har flyttet", "Siden du lette etter, har ny adresse:"),
        Lang::Nn => ("Sida har flytta", "Sida du leita etter, har ny adresse:"),
        Lang::En => ("This page has moved", "The page you were looking for has a new address:"),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{heading}: {title} – {site_title}</title>\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n<body>\n<main>\n\
         <h1>{heading}</h1>\n<p>{moved_to} <a href=\"{target}\">{title}</a></p>\n</main>\n</body>\n</html>\n",
        lang = lang.code(),
        title = escape(title),
        site_title = escape(&site.settings.title),
    )
    .into_bytes()
}
