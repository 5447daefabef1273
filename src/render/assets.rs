//! The files of `content/` that are not Markdown, placed in the output: a
//! bundle's beside its page, others beside their section's page.

use std::path::{Path, PathBuf};

use crate::error::Diagnostics;
use crate::file::OutputFile;
use crate::fsx;
use crate::site::Site;

/// Non-Markdown files of `content/`: a bundle's go beside its page, others beside
/// their section's page.
pub fn copy(root: &Path, site: &Site, assets: &[(PathBuf, String)]) -> Result<Vec<OutputFile>, Diagnostics> {
    let mut errors = Diagnostics::default();
    let mut files = Vec::new();
    for (path, _, dest) in destinations(site, assets) {
        match fsx::read(root, path) {
            Ok(bytes) => files.push(OutputFile::new(dest, bytes)),
            Err(e) => errors.push(e),
        }
    }
    errors.into_result()?;
    Ok(files)
}

/// Where each non-Markdown file of `content/` is published: (file on disk, path
/// inside `content/`, path in the output). Files of draft sections and bundles
/// are left out.
pub fn destinations<'a>(site: &Site, assets: &'a [(PathBuf, String)]) -> Vec<(&'a PathBuf, &'a String, String)> {
    let mut bundles: Vec<(&str, &str)> = site
        .pages
        .iter()
        .filter_map(|p| {
            p.page.content_path.strip_suffix("index.md").filter(|d| !d.is_empty()).map(|d| (d, p.path.as_str()))
        })
        .collect();
    bundles.sort();
    let section_paths: std::collections::HashMap<&str, &str> =
        site.sections.iter().map(|s| (s.section.dir.as_str(), s.path.as_str())).collect();
    let mut out = Vec::new();
    for (path, rel) in assets {
        if rel.ends_with(".md") {
            continue;
        }
        let dest = if let Some((dir, page_path)) = bundles.iter().rev().find(|(d, _)| rel.starts_with(*d)) {
            format!("{}{}", page_path.trim_start_matches('/'), &rel[dir.len()..])
        } else {
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            match section_paths.get(dir) {
                Some(sp) => format!("{}{name}", sp.trim_start_matches('/')),
                None => continue, // In a draft section, or a bundle left out as a draft.
            }
        };
        out.push((path, rel, dest));
    }
    out
}
