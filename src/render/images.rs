//! The images of a site as pages show them: which files are images and where
//! each is published ([`catalogue`]), and the markup of each image written in
//! Markdown ([`markup`]). The work on the pixels is `crate::images`'.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Diagnostic;
use crate::html::escape;
use crate::images::Catalogue;
use crate::markdown::Image;
use crate::site::Site;

/// Every image of `content/` (published beside its page or section) and of the
/// static files (`static/` and the theme's), with its output path.
pub fn catalogue(
    root: &Path,
    site: &Site,
    assets: &[(PathBuf, String)],
    static_files: &BTreeMap<String, (PathBuf, Vec<u8>)>,
) -> Catalogue {
    let mut files: Vec<(PathBuf, Option<String>, String)> = super::assets::destinations(site, assets)
        .into_iter()
        .map(|(disk, rel, dest)| (disk.clone(), Some(rel.clone()), dest))
        .collect();
    // The built-in theme's files are not on disk; it has no photographs.
    let on_disk = |disk: &PathBuf| if disk.is_absolute() { disk.clone() } else { root.join(disk) };
    files.extend(
        static_files
            .iter()
            .filter(|(path, (disk, _))| crate::images::Kind::of(path).is_some() && crate::fsx::exists(&on_disk(disk)))
            .map(|(path, (disk, _))| (on_disk(disk), None, path.clone())),
    );
    Catalogue::new(root, &site.settings.images, files, true)
}

/// The markup of a Markdown image on the page at `page_path`, whose file is
/// `file`: a `<picture>` with variants when the site has the image (looked for
/// beside the Markdown file first, as written from the page's address next),
/// else a plain `<img>`. Every Markdown image gets `decoding="async"` and, but
/// the page's first, `loading="lazy"`; an image the site has gets its
/// `width` and `height`.
pub fn markup(site: &Site, file: &Path, page_path: &str, image: &Image) -> Result<Option<String>, Diagnostic> {
    let lazy = image.index > 0;
    let catalogue = &site.images;
    if let Some(path) = find(catalogue, file, page_path, &image.src) {
        if let Some(html) = catalogue.picture(&path, &image.alt, &image.title, lazy) {
            return html.map(Some);
        }
    }
    // Another site's image, one innsyn does not resize (SVG), or none at all.
    let mut html = format!("<img src=\"{}\" alt=\"{}\"", escape(&href(&image.src)), escape(&image.alt));
    if !image.title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", escape(&image.title)));
    }
    if lazy {
        html.push_str(" loading=\"lazy\"");
    }
    html.push_str(" decoding=\"async\">");
    Ok(Some(html))
}

/// The output path (no leading `/`) of the image `src` names, when the site has
/// one there. A relative address is looked for beside the Markdown file first
/// (a bundle's images, or a section folder's), then from the page's address.
fn find(catalogue: &Catalogue, file: &Path, page_path: &str, src: &str) -> Option<String> {
    let src = src.trim();
    let scheme = src.find(':').is_some_and(|i| !src[..i].contains('/'));
    if src.is_empty() || scheme || src.starts_with("//") {
        return None;
    }
    let bare = src.split(['?', '#']).next().unwrap_or_default();
    let bare = crate::http::percent_decode(bare).unwrap_or_else(|| bare.to_string());
    if let Some(absolute) = bare.strip_prefix('/') {
        let path = join("", absolute)?;
        return catalogue.has(&path).then_some(path);
    }
    let file = file.to_string_lossy().replace('\\', "/");
    let in_content = file.strip_prefix("content/").unwrap_or(&file);
    let dir = in_content.rsplit_once('/').map_or("", |(d, _)| d);
    if let Some(path) = join(dir, &bare).and_then(|p| catalogue.in_content(&p).map(str::to_string)) {
        return Some(path);
    }
    let page_dir = page_path.trim_start_matches('/');
    let page_dir = page_dir.rsplit_once('/').map_or("", |(d, _)| d);
    join(page_dir, &bare).filter(|p| catalogue.has(p))
}

/// `a/b` + `../c.png` → `a/c.png`; `None` when it climbs above the root.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// An address as it may stand in `src`: spaces and other characters a URL
/// cannot hold percent-encoded.
fn href(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for c in src.chars() {
        if c.is_ascii_whitespace()
            || c.is_ascii_control()
            || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_and_never_climb_above_the_site() {
        assert_eq!(join("mandater/a9", "bilde.jpg").as_deref(), Some("mandater/a9/bilde.jpg"));
        assert_eq!(join("mandater/a9", "../kart.png").as_deref(), Some("mandater/kart.png"));
        assert_eq!(join("a", "../../../etc/passwd.png"), None);
    }

    #[test]
    fn addresses_get_their_spaces_encoded() {
        assert_eq!(href("mitt bilde.jpg"), "mitt%20bilde.jpg");
    }
}
