//! Translations: which language's tree each content file goes to (the
//! default language's at the root, each other one's under `/<code>/`), and
//! which pages and sections are versions of one another. Checks that every
//! translation is in a language of the site and that no two files claim one
//! language for one page.

use std::collections::{BTreeMap, HashMap};

use super::{PageNode, SectionNode, Target};
use crate::config::Settings;
use crate::content::{Page, Section};
use crate::error::{Diagnostic, Diagnostics};
use crate::lang::names as translation;
use crate::lang::Lang;

/// Sorts sections and pages into the trees of the site's languages, by
/// index into [`Settings::languages`]. A translation in a language the site
/// does not have is an error and left out (links to it are not reported
/// again), as is a second file for one section in one language.
#[allow(clippy::type_complexity)]
pub(super) fn sort_into_trees(
    settings: &Settings,
    sections: Vec<Section>,
    pages: Vec<Page>,
    targets: &mut HashMap<String, Target>,
    errors: &mut Diagnostics,
) -> (Vec<(usize, Section)>, Vec<(usize, Page)>) {
    let tree_of = |file: &std::path::Path, lang: Option<Lang>, errors: &mut Diagnostics| -> Option<usize> {
        let Some(lang) = lang else { return Some(0) };
        let tree = settings.languages.iter().position(|l| l.lang == lang);
        if tree.is_none() {
            errors.push(
                Diagnostic::new(
                    file,
                    format!(
                        "the file name says the page is in `{}`, which is not one of the site's languages",
                        lang.code()
                    ),
                )
                .hint(format!(
                    "add `[languages.{}]` to config.toml to publish it under `/{}/`, or rename the file",
                    lang.code(),
                    lang.code()
                )),
            );
        }
        tree
    };
    let mut out_sections: Vec<(usize, Section)> = Vec::new();
    let mut seen: BTreeMap<(usize, String), std::path::PathBuf> = BTreeMap::new();
    for s in sections {
        let Some(tree) = tree_of(&s.file, s.file_lang, errors) else {
            targets.insert(key_of(&s.dir, &s.file), Target::Unreadable);
            continue;
        };
        if let Some(first) = seen.get(&(tree, s.dir.clone())) {
            errors.push(two_files(first, &s.file, settings.languages[tree].lang));
            targets.insert(key_of(&s.dir, &s.file), Target::Unreadable);
            continue;
        }
        seen.insert((tree, s.dir.clone()), s.file.clone());
        out_sections.push((tree, s));
    }
    let mut out_pages = Vec::with_capacity(pages.len());
    for p in pages {
        match tree_of(&p.file, p.file_lang, errors) {
            Some(tree) => out_pages.push((tree, p)),
            None => {
                targets.insert(p.content_path.clone(), Target::Unreadable);
            }
        }
    }
    (out_sections, out_pages)
}

fn key_of(dir: &str, file: &std::path::Path) -> String {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if dir.is_empty() {
        name
    } else {
        format!("{dir}/{name}")
    }
}

fn two_files(first: &std::path::Path, second: &std::path::Path, lang: Lang) -> Diagnostic {
    Diagnostic::new(
        second,
        format!("`{}` and `{}` are both the `{}` version of one page", first.display(), second.display(), lang.code()),
    )
    .hint("keep one of them, or rename the other for another language (`side.nn.md`, `side.en.md`)")
}

/// The section of a folder in a language it has no `_index.<code>.md` for:
/// the original's settings and title, without its text and old addresses.
pub(super) fn untranslated(original: &Section, lang: Lang) -> Section {
    let mut s = original.clone();
    s.lang = Some(lang);
    s.file_lang = None;
    s.body = Default::default();
    s.aliases = Vec::new();
    s
}

/// Gives each page and section the list of its versions: pages with the
/// same original (`side.md`, `side.en.md`), sections of the same folder.
/// Two versions in one language are an error.
pub(super) fn link(sections: &mut [SectionNode], pages: &mut [PageNode], errors: &mut Diagnostics) {
    let mut by_original: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        by_original.entry(p.page.original.as_str()).or_default().push(i);
    }
    let mut page_groups: Vec<Vec<usize>> = Vec::new();
    for (_, mut group) in by_original {
        group.sort_by_key(|&i| {
            (pages[i].tree != pages[i].lang, order(pages[i].tree), pages[i].page.file_lang.is_some())
        });
        let mut kept: Vec<usize> = Vec::new();
        for i in group {
            match kept.iter().find(|&&k| pages[k].lang == pages[i].lang) {
                Some(&k) => errors.push(two_files(&pages[k].page.file, &pages[i].page.file, pages[i].lang)),
                None => kept.push(i),
            }
        }
        if kept.len() > 1 {
            page_groups.push(kept);
        }
    }
    for group in page_groups {
        let mut group = group;
        group.sort_by_key(|&i| order(pages[i].lang));
        for &i in &group {
            pages[i].translations = group.clone();
        }
    }
    let mut by_dir: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in sections.iter().enumerate() {
        by_dir.entry(s.section.dir.as_str()).or_default().push(i);
    }
    let groups: Vec<Vec<usize>> = by_dir
        .into_values()
        .map(|mut g| {
            // One version per language: a root section written in a language
            // that also has a tree of its own gives way to that tree's.
            g.sort_by_key(|&i| (sections[i].tree != sections[i].lang, order(sections[i].lang)));
            let mut kept: Vec<usize> = Vec::new();
            for i in g {
                if !kept.iter().any(|&k| sections[k].lang == sections[i].lang) {
                    kept.push(i);
                }
            }
            kept.sort_by_key(|&i| order(sections[i].lang));
            kept
        })
        .filter(|g| g.len() > 1)
        .collect();
    for group in groups {
        for &i in &group {
            sections[i].translations = group.clone();
        }
    }
}

fn order(lang: Lang) -> usize {
    Lang::ALL.iter().position(|&l| l == lang).unwrap_or(usize::MAX)
}

/// Whether an `@/` path names a file that claims no language (`om.md`, not `om.en.md`).
pub(super) fn claims_no_language(path: &str) -> bool {
    translation::name(path).lang.is_none()
}

/// `om/side.md` → `om/side.en.md`.
pub(super) fn with_lang(path: &str, lang: Lang) -> String {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    format!("{stem}.{}.md", lang.code())
}
