//! The scan phase: reads `config.toml` and lists the files of `content/`,
//! classified into sections, pages and the other files (assets). Nothing is
//! parsed here.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::{self, Settings, CONFIG_FILE};
use crate::error::{relative, Diagnostic, Diagnostics};
use crate::fsx;
use crate::lang::names::{is_bundle_index, is_section_index};

/// Reads and validates `config.toml`, with `--base-url` applied.
pub fn settings(root: &Path, base_url: Option<&str>) -> Result<(Settings, String), Diagnostics> {
    let path = root.join(CONFIG_FILE);
    if !fsx::exists(&path) {
        return Err(Diagnostic::new(
            CONFIG_FILE,
            format!("there is no site here: `{}` has no config.toml", root.display()),
        )
        .hint("run innsyn in the site's folder, give it with `--root DIR`, or make a new site with `innsyn init DIR`")
        .into());
    }
    let src = fsx::read_text(root, &path)?;
    let settings = config::parse(CONFIG_FILE, &src)?;
    let settings = match base_url {
        None => settings,
        Some(url) => settings.with_base_url(url).ok_or_else(|| {
            Diagnostic::new("--base-url", format!("`{url}` is not an absolute web address"))
                .hint("write it like `https://innsyn.kommune.no/`")
        })?,
    };
    Ok((settings, src))
}

/// The files of `content/`, classified.
#[derive(Debug, Default)]
pub struct Scanned {
    /// (file on disk, path inside content/)
    pub pages: Vec<(PathBuf, String)>,
    /// Sections' `_index.md` files: (file on disk, the section's folder inside content/).
    pub sections: Vec<(PathBuf, String)>,
    /// Files that are not Markdown: (file on disk, path inside content/).
    pub assets: Vec<(PathBuf, String)>,
    /// Every file's path inside content/.
    pub files: Vec<String>,
}

/// Lists and classifies the files of `content/`; files that cannot be read
/// safely (links out of the site) go to `errors`.
pub fn scan(root: &Path, errors: &mut Diagnostics) -> Scanned {
    let content = root.join("content");
    let mut scanned = Scanned::default();
    let found: Vec<(PathBuf, String)> = fsx::walk_files(root, &content, errors)
        .into_iter()
        .map(|path| {
            let rel = relative(&content, &path).to_string_lossy().replace('\\', "/");
            (path, rel)
        })
        .collect();
    // The page bundles: folders with an `index.md`, known from the walk itself
    // rather than by asking the disk about every folder above every file.
    let bundles: HashSet<&str> = found
        .iter()
        .filter_map(|(_, rel)| rel.rsplit_once('/').filter(|(_, name)| is_bundle_index(name)).map(|(dir, _)| dir))
        .collect();
    let in_bundles: Vec<bool> = found.iter().map(|(_, rel)| in_bundle(&bundles, rel)).collect();
    for ((path, rel), in_bundle) in found.into_iter().zip(in_bundles) {
        scanned.files.push(rel.clone());
        let name = rel.rsplit('/').next().unwrap_or_default();
        if is_section_index(name) {
            let dir = rel.strip_suffix(name).unwrap_or_default().trim_end_matches('/').to_string();
            scanned.sections.push((path, dir));
        } else if rel.ends_with(".md") && !in_bundle {
            scanned.pages.push((path, rel));
        } else {
            scanned.assets.push((path, rel));
        }
    }
    scanned
}

/// Whether `rel` lies inside a page bundle (a folder above it is in `bundles`),
/// not counting the bundle's own `index.md` (and its translations).
fn in_bundle(bundles: &HashSet<&str>, rel: &str) -> bool {
    let own_index = rel.rsplit_once('/').is_some_and(|(_, name)| is_bundle_index(name));
    let mut dirs = rel.rmatch_indices('/').map(|(i, _)| &rel[..i]);
    if own_index {
        dirs.next();
    }
    dirs.any(|d| bundles.contains(d))
}
