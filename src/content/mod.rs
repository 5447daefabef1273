//! Content files → model: pages and sections with checked front matter and their
//! Markdown body (shortcode calls already found). Pure: `parse_*(path, &str)`.

pub mod alias;
pub mod frontmatter;
pub mod generate;
pub mod schemas;
pub mod shortcodes;
pub mod slug;
pub mod split;
pub mod status;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::dates::Date;
use crate::error::{relative, Diagnostic, Diagnostics};
use crate::fsx;
use crate::lang::names as translation;
use crate::lang::Lang;
use crate::scan::Scanned;
use frontmatter::{at_key, check_date, check_extra, check_lang, PageFront, SectionFront, SortBy};
use rayon::prelude::*;
use shortcodes::Body;
use split::Split;

/// A page: a Markdown file that is not `_index.md`.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path from the site root, for messages: `content/mandater/a9.md`.
    pub file: PathBuf,
    /// Path inside `content/` with `/` separators, as `@/` links name it.
    pub content_path: String,
    /// The page's title.
    pub title: String,
    /// A short summary; empty when not set.
    pub description: String,
    /// The publication date, if set.
    pub date: Option<Date>,
    /// When the page was last changed, if set.
    pub updated: Option<Date>,
    /// Whether the page is a draft.
    pub draft: bool,
    /// Its place when its section sorts by weight; 0 when not set.
    pub weight: i64,
    /// The last part of the page's URL.
    pub slug: String,
    /// Old addresses that lead here (`aliases`).
    pub aliases: Vec<alias::Alias>,
    /// Who wrote the page (`authors`), for templates and feeds.
    pub authors: Vec<String>,
    /// The address set with `path` in front matter (`/om/kontakt/`), instead of
    /// the section's address and the slug.
    pub path: Option<String>,
    /// The template set in front matter, if any.
    pub template: Option<String>,
    /// The front matter's `type`; `page` when not set.
    pub kind: String,
    /// The language set in front matter or by the file name, if any; otherwise
    /// its section's applies.
    pub lang: Option<Lang>,
    /// The language its file name claims (`side.en.md`): a translation.
    pub file_lang: Option<Lang>,
    /// The path inside `content/` of the page it is a version of: its own path
    /// without the language (`side.md` for `side.en.md`).
    pub original: String,
    /// Its terms per taxonomy name (the site adds `status` for pages with a status).
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// The front matter's `extra` table; empty when not set.
    pub extra: serde_json::Value,
    /// The Markdown body, with its shortcode calls taken out.
    pub body: Body,
    /// Line of the front matter where a key is set (for errors found later).
    pub key_lines: BTreeMap<String, usize>,
    /// For a page bundle (`folder/index.md`), the files beside it, relative to `content/`.
    pub assets: Vec<String>,
    /// `type = "mandate"`.
    pub mandate: Option<schemas::Mandate>,
    /// `type = "goal"`.
    pub goal: Option<schemas::Goal>,
    /// The front matter as written. A dev server compares it with an edited
    /// file's to tell an edit of the text from an edit of what other pages show.
    pub front_matter: String,
    /// Made from a data file by its section's `[generate]`: its body is in
    /// memory, not in a file of its own (`file` is the section's `_index.md`).
    pub generated: bool,
}

impl Page {
    /// The status of a mandate (its latest report) or a goal.
    pub fn status(&self) -> Option<status::Status> {
        self.mandate.as_ref().and_then(schemas::Mandate::status).or(self.goal.as_ref().and_then(|g| g.status))
    }
}

/// A section: a folder of `content/`, described by its `_index.md`.
#[derive(Debug, Clone)]
pub struct Section {
    /// Path of its `_index.md` from the site root, for messages.
    pub file: PathBuf,
    /// Folder inside `content/` with `/` separators; empty for the home page.
    pub dir: String,
    /// The section's title; for a folder without `_index.md`, made from the folder name.
    pub title: String,
    /// A short summary; empty when not set.
    pub description: String,
    /// How the section orders its pages.
    pub sort_by: SortBy,
    /// How many pages its list shows per page; `None`: all on one page.
    pub paginate_by: Option<usize>,
    /// Its place among its sibling sections; 0 when not set.
    pub weight: i64,
    /// The template for the section's own page, if set.
    pub template: Option<String>,
    /// The template for its pages that set none of their own, if set.
    pub page_template: Option<String>,
    /// The language set in front matter or by the file name, if any; otherwise
    /// its parent's applies.
    pub lang: Option<Lang>,
    /// The language its file name claims (`_index.en.md`): a translation.
    pub file_lang: Option<Lang>,
    /// Whether the section, and everything below it, is a draft.
    pub draft: bool,
    /// Old addresses that lead here (`aliases`).
    pub aliases: Vec<alias::Alias>,
    /// The front matter's `extra` table; empty when not set.
    pub extra: serde_json::Value,
    /// The Markdown body of `_index.md`, with its shortcode calls taken out.
    pub body: Body,
    /// Line of the front matter where a key is set (for errors found later).
    pub key_lines: BTreeMap<String, usize>,
    /// `[generate]`: the pages the section makes from a data file, if any.
    pub generate: Option<generate::Spec>,
}

const PAGE_KEYS: [&str; 3] = ["template", "taxonomies", "title"];

/// Parses a page. `file` is the path shown in messages, `content_path` the path
/// inside `content/`.
pub fn parse_page(file: &Path, content_path: &str, src: &str) -> Result<Page, Diagnostics> {
    let split = split::split(file, src)?;
    let raw: PageFront = frontmatter::deserialize(file, &split)?;
    let mut errors = Diagnostics::default();

    let title = check_title(file, &split, raw.title, &mut errors);
    let date = check_date(file, &split, "date", &raw.date, &mut errors);
    let updated = check_date(file, &split, "updated", &raw.updated, &mut errors);
    let named = translation::name(content_path);
    let (lang, file_lang) = check_languages(file, &split, &raw.lang, &named, &mut errors);
    let extra = check_extra(file, &split, raw.extra, &mut errors);
    let path = raw.path.as_deref().and_then(|p| {
        page_path(p)
            .map_err(|m| {
                errors.push(
                    at_key(file, &split, "path", m)
                        .hint("write a folder address on this site, e.g. `path = \"/om/kontakt/\"`"),
                )
            })
            .ok()
    });
    let slug = match raw.slug {
        Some(s) => {
            let slug = slug::slugify(&s);
            if slug.is_empty() {
                errors.push(
                    at_key(file, &split, "slug", format!("the slug `{s}` has no letters or digits"))
                        .hint("use letters a–z, digits and `-`, e.g. `slug = \"innbyggertorg\"`"),
                );
            }
            slug
        }
        None => slug_from_path(&named.original),
    };
    let aliases = alias::check(file, &split, &raw.aliases, &mut errors);
    let kind = raw.kind.unwrap_or_else(|| "page".to_string());
    let mandate = raw.mandate.map(|m| schemas::check_mandate(file, &split, m, &mut errors));
    let goal = raw.goal.map(|g| schemas::check_goal(file, &split, g, &mut errors));
    check_type(file, &split, &kind, mandate.is_some(), goal.is_some(), &mut errors);
    let body = parse_body(file, &split, &mut errors);
    errors.into_result()?;

    Ok(Page {
        file: file.to_path_buf(),
        content_path: content_path.to_string(),
        title,
        description: raw.description,
        date,
        updated,
        draft: raw.draft,
        weight: raw.weight.unwrap_or(0),
        slug,
        aliases,
        path,
        authors: raw.authors,
        template: raw.template,
        kind,
        lang,
        file_lang,
        original: named.original,
        extra,
        body,
        key_lines: {
            let mut lines = key_lines(&split, &PAGE_KEYS);
            let names: Vec<&str> = raw.taxonomies.keys().map(String::as_str).collect();
            lines.extend(key_lines(&split, &names));
            lines
        },
        taxonomies: raw.taxonomies,
        assets: Vec::new(),
        mandate,
        goal,
        front_matter: split.front.to_string(),
        generated: false,
    })
}

/// The site-absolute folder address a page's `path` names: `/om/kontakt/` for
/// `om/kontakt`, each part a slug.
fn page_path(written: &str) -> Result<String, String> {
    let file = alias::output_file(written).map_err(|m| m.replacen("the alias", "the path", 1))?;
    let Some(folder) = file.strip_suffix("index.html") else {
        return Err(format!(
            "the path `{}` names a file; a page's `path` is a folder address",
            crate::error::clip(written)
        ));
    };
    let mut out = String::from("/");
    for part in folder.split('/').filter(|p| !p.is_empty()) {
        let slug = slug::slugify(part);
        if slug.is_empty() {
            return Err(format!("the path `{}` has a part with no letters or digits", crate::error::clip(written)));
        }
        out.push_str(&slug);
        out.push('/');
    }
    Ok(out)
}

/// Parses a section's `_index.md`; `dir` is its folder inside `content/`.
pub fn parse_section(file: &Path, dir: &str, src: &str) -> Result<Section, Diagnostics> {
    let split = split::split(file, src)?;
    let raw: SectionFront = frontmatter::deserialize(file, &split)?;
    let mut errors = Diagnostics::default();
    let title = check_title(file, &split, raw.title, &mut errors);
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let named = translation::name(&name);
    let (lang, file_lang) = check_languages(file, &split, &raw.lang, &named, &mut errors);
    let extra = check_extra(file, &split, raw.extra, &mut errors);
    if raw.paginate_by == Some(0) {
        errors.push(
            at_key(file, &split, "paginate_by", "`paginate_by` must be at least 1")
                .hint("remove it to list all pages on one page"),
        );
    }
    let aliases = alias::check(file, &split, &raw.aliases, &mut errors);
    let body = parse_body(file, &split, &mut errors);
    let generate = raw.generate.and_then(|g| generate::check(file, &split, g, &mut errors));
    errors.into_result()?;
    Ok(Section {
        file: file.to_path_buf(),
        dir: dir.to_string(),
        title,
        description: raw.description,
        sort_by: raw.sort_by,
        paginate_by: raw.paginate_by,
        weight: raw.weight.unwrap_or(0),
        template: raw.template,
        page_template: raw.page_template,
        lang,
        file_lang,
        draft: raw.draft,
        aliases,
        extra,
        body,
        key_lines: key_lines(&split, &["template", "page_template", "title"]),
        generate,
    })
}

/// A section for a folder without `_index.md`: titled after the folder.
pub fn implicit_section(file: &Path, dir: &str, site_title: &str) -> Section {
    let name = dir.rsplit('/').next().unwrap_or_default();
    let title = if name.is_empty() {
        site_title.to_string()
    } else {
        let words = name.replace(['-', '_'], " ");
        let mut c = words.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
    };
    Section {
        file: file.to_path_buf(),
        dir: dir.to_string(),
        title,
        description: String::new(),
        sort_by: SortBy::default(),
        paginate_by: None,
        weight: 0,
        template: None,
        page_template: None,
        lang: None,
        file_lang: None,
        draft: false,
        aliases: Vec::new(),
        extra: serde_json::Value::Object(Default::default()),
        body: Body::default(),
        key_lines: BTreeMap::new(),
        generate: None,
    }
}

/// `type = "mandate"` goes with a `[mandate]` table, and `type = "goal"` with `[goal]`.
fn check_type(file: &Path, split: &Split, kind: &str, has_mandate: bool, has_goal: bool, errors: &mut Diagnostics) {
    let at_type = || at_key(file, split, "type", format!("`type = \"{kind}\"`"));
    match kind {
        "mandate" if !has_mandate => errors.push(
            Diagnostic::at(file, split.front_line_offset + 1, 1, "a mandate needs its `[mandate]` table")
                .hint("add `[mandate]` with at least `project_number = \"...\"` (run `innsyn new mandate` for a full example)"),
        ),
        "goal" if !has_goal => errors.push(
            Diagnostic::at(file, split.front_line_offset + 1, 1, "a goal needs its `[goal]` table")
                .hint("add `[goal]` with at least `id = \"...\"` (run `innsyn new goal` for a full example)"),
        ),
        "mandate" | "goal" | "page" => {}
        "" => errors.push(at_type().hint("remove `type`, or use `mandate` or `goal`")),
        _ => {}
    }
    if has_mandate && kind != "mandate" {
        errors.push(
            at_key(file, split, "mandate", "a `[mandate]` table needs `type = \"mandate\"`")
                .hint("add `type = \"mandate\"` above the tables"),
        );
    }
    if has_goal && kind != "goal" {
        errors.push(
            at_key(file, split, "goal", "a `[goal]` table needs `type = \"goal\"`")
                .hint("add `type = \"goal\"` above the tables"),
        );
    }
}

/// The language of a file: its front matter's `lang` and the one its name
/// claims (`side.en.md`), which must agree. Returns (the language, the file
/// name's language).
fn check_languages(
    file: &Path,
    split: &Split,
    raw: &Option<String>,
    named: &translation::Named,
    errors: &mut Diagnostics,
) -> (Option<Lang>, Option<Lang>) {
    let lang = check_lang(file, split, raw, errors);
    let file_lang = match &named.lang {
        None => None,
        Some(Ok(l)) => Some(*l),
        Some(Err(code)) => {
            let hint = match Lang::parse(code) {
                Some(l) => format!("write the language as `{}`, e.g. `{}`", l.code(), with_lang(&named.original, l)),
                None => format!(
                    "a translation is named after its original with a language code: {}; a name that is no translation needs no `.{code}` (write `-{code}`)",
                    Lang::KNOWN
                ),
            };
            errors.push(
                Diagnostic::new(
                    file,
                    format!("the file name says the page is in `{code}`, a language innsyn does not know"),
                )
                .hint(hint),
            );
            None
        }
    };
    match (lang, file_lang) {
        (Some(l), Some(f)) if l != f => {
            errors.push(
                at_key(
                    file,
                    split,
                    "lang",
                    format!("`lang = \"{}\"` differs from the file name's language `{}`", l.code(), f.code()),
                )
                .hint("the file name says which language a translation is in: remove `lang`, or rename the file"),
            );
            (Some(f), Some(f))
        }
        (l, f) => (f.or(l), f),
    }
}

/// `om/side.md` with `en` → `om/side.en.md`.
fn with_lang(original: &str, lang: Lang) -> String {
    let stem = original.strip_suffix(".md").unwrap_or(original);
    format!("{stem}.{}.md", lang.code())
}

fn check_title(file: &Path, split: &Split, title: Option<String>, errors: &mut Diagnostics) -> String {
    match title {
        Some(t) if !t.trim().is_empty() => t,
        Some(_) => {
            errors.push(at_key(file, split, "title", "the title is empty").hint("write the title readers should see"));
            String::new()
        }
        None => {
            errors.push(
                Diagnostic::at(file, split.front_line_offset + 1, 1, "the front matter has no `title`")
                    .hint("add a line `title = \"...\"` to the front matter"),
            );
            String::new()
        }
    }
}

fn parse_body(file: &Path, split: &Split, errors: &mut Diagnostics) -> Body {
    match shortcodes::parse(file, split.body, split.body_line_offset) {
        Ok(body) => body,
        Err(e) => {
            errors.extend(e.0);
            Body::default()
        }
    }
}

fn key_lines(split: &Split, keys: &[&str]) -> BTreeMap<String, usize> {
    keys.iter()
        .filter_map(|k| {
            crate::config::key_position(split.front, k).map(|(l, _)| (k.to_string(), l + split.front_line_offset))
        })
        .collect()
}

/// `mandater/a9-innbyggertorg.md` → `a9-innbyggertorg`; a bundle
/// `mandater/a9/index.md` → `a9`.
fn slug_from_path(content_path: &str) -> String {
    let mut parts = content_path.rsplit('/');
    let file = parts.next().unwrap_or_default();
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let name = if stem == "index" { parts.next().unwrap_or(stem) } else { stem };
    let slug = slug::slugify(name);
    if slug.is_empty() {
        "side".to_string()
    } else {
        slug
    }
}

/// Reads and parses every content file in parallel. Faults go to `errors`; the
/// paths of files that could not be read are returned too, so links to them are
/// not also reported as broken.
pub fn parse_all(
    root: &Path,
    scanned: &Scanned,
    keep_text: bool,
    errors: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
) -> (Vec<Section>, Vec<Page>, Vec<String>) {
    let notes = std::sync::Mutex::new(Vec::new());
    let read = |path: &PathBuf| fsx::read_text_noting(root, path, &notes).map_err(Diagnostics::from);
    let sections: Vec<Result<Section, Diagnostics>> = scanned
        .sections
        .par_iter()
        .map(|(path, dir)| parse_section(&relative(root, path), dir, &read(path)?))
        .collect();
    let pages: Vec<Result<Page, Diagnostics>> = scanned
        .pages
        .par_iter()
        .map(|(path, rel)| {
            let mut page = parse_page(&relative(root, path), rel, &read(path)?)?;
            if !keep_text {
                page.body.drop_markdown();
            }
            Ok(page)
        })
        .collect();
    let mut failed = Vec::new();
    // A page is a kilobyte: 100 000 of them grown by doubling were copied
    // twice over into memory the system had to supply afresh.
    let mut ok_sections = Vec::with_capacity(sections.len());
    for (r, (path, dir)) in sections.into_iter().zip(&scanned.sections) {
        match r {
            Ok(s) => ok_sections.push(s),
            Err(e) => {
                errors.extend(e.0);
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                failed.push(if dir.is_empty() { name } else { format!("{dir}/{name}") });
            }
        }
    }
    let mut ok_pages = Vec::with_capacity(pages.len());
    for (r, (_, rel)) in pages.into_iter().zip(&scanned.pages) {
        match r {
            Ok(p) => ok_pages.push(p),
            Err(e) => {
                errors.extend(e.0);
                failed.push(rel.clone());
            }
        }
    }
    // A bundle's files belong to its page: the sorted paths under its folder.
    let mut assets: Vec<&str> = scanned.assets.iter().map(|(_, rel)| rel.as_str()).collect();
    assets.sort_unstable();
    for page in &mut ok_pages {
        if let Some(dir) = page.original.strip_suffix("index.md") {
            let first = assets.partition_point(|rel| *rel < dir);
            page.assets = assets[first..]
                .iter()
                .take_while(|rel| rel.starts_with(dir))
                .filter(|rel| !rel.ends_with(".md"))
                .map(|rel| rel.to_string())
                .collect();
        }
    }
    warnings.extend(notes.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner));
    (ok_sections, ok_pages, failed)
}

/// The body of `page` read again from its file, for a build that dropped its
/// Markdown after parsing (see [`parse_all`]'s `keep_text`) and renders it now.
/// The file was read and checked once; a file changed or gone since is an error
/// (its front matter, or its body by the digest kept when it was dropped).
/// Only the body is parsed again: front matter of the same text says the same,
/// and was checked when first read.
pub fn reread_body(root: &Path, page: &Page) -> Result<Body, Diagnostics> {
    let notes = std::sync::Mutex::new(Vec::new()); // Said when the file was first read.
    let src = fsx::read_text_noting(root, &root.join(&page.file), &notes)?;
    let changed = || Diagnostic::new(&page.file, "the file changed while the site was being built").hint("build again");
    let split = split::split(&page.file, &src)?;
    if split.front != page.front_matter {
        return Err(changed().into());
    }
    let mut errors = Diagnostics::default();
    let body = parse_body(&page.file, &split, &mut errors);
    errors.into_result()?;
    // The body's key in the cache is its digest as first read: a body read
    // again must be that one.
    if page.body.dropped.is_some_and(|d| d.digest != body.digest()) {
        return Err(changed().into());
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_takes_its_slug_from_the_file_name() {
        let p =
            parse_page(Path::new("content/mål/Årsplan.md"), "mål/Årsplan.md", "+++\ntitle = \"Årsplan\"\n+++\nTekst")
                .unwrap();
        assert_eq!(p.slug, "arsplan");
        let b =
            parse_page(Path::new("content/a/Bunt/index.md"), "a/Bunt/index.md", "+++\ntitle = \"B\"\n+++\n").unwrap();
        assert_eq!(b.slug, "bunt");
    }

    #[test]
    fn a_body_read_again_must_be_the_one_first_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = Path::new("content/a.md");
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        let first = "+++\ntitle = \"A\"\n+++\nTekst\n";
        std::fs::write(dir.path().join(file), first).unwrap();
        let mut page = parse_page(file, "a.md", first).unwrap();
        page.body.drop_markdown();
        assert_eq!(reread_body(dir.path(), &page).unwrap().markdown, "Tekst\n");
        // The text alone changed since: its cache key would name the old text.
        std::fs::write(dir.path().join(file), "+++\ntitle = \"A\"\n+++\nAnnen tekst\n").unwrap();
        let e = reread_body(dir.path(), &page).unwrap_err();
        assert!(e.to_string().contains("the file changed while the site was being built"), "{e}");
        std::fs::write(dir.path().join(file), "+++\ntitle = \"B\"\n+++\nTekst\n").unwrap();
        let e = reread_body(dir.path(), &page).unwrap_err();
        assert!(e.to_string().contains("the file changed while the site was being built"), "{e}");
        // Front matter now faulty: the change is what is said.
        std::fs::write(dir.path().join(file), "+++\ntitle = \n+++\nTekst\n").unwrap();
        let e = reread_body(dir.path(), &page).unwrap_err();
        assert!(e.to_string().contains("the file changed while the site was being built"), "{e}");
    }

    #[test]
    fn a_body_read_again_is_the_body_first_parsed_calls_and_lines_too() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        let pages = [
            (
                "content/t.md",
                "+++\ntitle = \"T\"\n\n[extra]\nx = 1\n+++\n# Mål\n\n{{ chart(data=\"a.csv\", x=\"år\") }}\nTekst\n",
            ),
            (
                "content/y.md",
                "\u{feff}---\ntitle: Y\ntaxonomies:\n  kommune: [Asker]\n---\n\nTekst {{ figure(value=\"3\") }} her\n",
            ),
        ];
        for (file, text) in pages {
            std::fs::write(dir.path().join(file), text).unwrap();
            let first = parse_page(Path::new(file), &file["content/".len()..], text).unwrap();
            let mut page = first.clone();
            page.body.drop_markdown();
            let again = reread_body(dir.path(), &page).unwrap();
            assert_eq!(again, first.body, "{file}");
        }
    }

    #[test]
    fn all_front_matter_faults_of_a_page_are_reported_together() {
        let src = "+++\ntitle = \"\"\ndate = \"2024-02-31\"\nlang = \"sv\"\n+++\n";
        let e = parse_page(Path::new("content/a.md"), "a.md", src).unwrap_err();
        let text = e.to_string();
        assert_eq!(e.len(), 3, "{text}");
        assert!(text.contains("content/a.md:3:1: error: `date` is not a real date"), "{text}");
        assert!(text.contains("content/a.md:4:1: error: unknown language `sv`"), "{text}");
    }
}
