//! Assembles parsed pages and sections into the site: the section tree, URLs,
//! ordering, taxonomies and the table `@/` links resolve through. Built once,
//! read-only afterwards; rendering only borrows it.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use crate::config::{Settings, Taxonomy};
use crate::content::frontmatter::SortBy;
use crate::content::slug::slugify;
use crate::content::{implicit_section, Page, Section};
use crate::data::DataFile;
use crate::dates::Date;
use crate::error::{did_you_mean, Diagnostic, Diagnostics};
use crate::lang::{collation_key, Lang};

mod translations;

/// A page placed in the site.
#[derive(Debug)]
pub struct PageNode {
    /// The parsed page.
    pub page: Page,
    /// Site-absolute URL path, e.g. `/mandater/a9-innbyggertorg/`.
    pub path: String,
    /// Index of its section in [`Site::sections`].
    pub section: usize,
    /// Its place in its section's order.
    pub position: usize,
    /// The language in effect: the page's own, else its section's.
    pub lang: Lang,
    /// The language of the tree it is published in: the site's default at the
    /// root, or the language of its translation (`/en/…`).
    pub tree: Lang,
    /// Every version of the page (itself included), in the order of the site's
    /// languages; empty when it has no translation.
    pub translations: Vec<usize>,
    /// Per taxonomy of the site (same order): the page's terms as indexes into
    /// that taxonomy's `terms`, in the order the page lists them; `None` when the
    /// page does not use the taxonomy. Resolved once here, not on every listing.
    pub terms: Vec<Option<Vec<usize>>>,
}

/// A section placed in the site.
#[derive(Debug)]
pub struct SectionNode {
    /// The parsed section.
    pub section: Section,
    /// Site-absolute URL path, e.g. `/mandater/`.
    pub path: String,
    /// Index of its parent section in [`Site::sections`]; `None` for the home page.
    pub parent: Option<usize>,
    /// Its pages, in the section's order (indexes into [`Site::pages`]).
    pub pages: Vec<usize>,
    /// Its subsections, by weight then title.
    pub subsections: Vec<usize>,
    /// The language in effect: the section's own, else its parent's, else the site's.
    pub lang: Lang,
    /// The language of the tree it is published in (see [`PageNode::tree`]).
    pub tree: Lang,
    /// Every version of the section (itself included), in the order of the
    /// site's languages; empty when it has no translation.
    pub translations: Vec<usize>,
}

/// A term of a taxonomy and the pages that carry it.
#[derive(Debug)]
pub struct Term {
    /// The term as pages write it (the first spelling seen), e.g. `Asker`.
    pub name: String,
    /// Site-absolute URL path of the term's page, e.g. `/kommune/asker/`.
    pub path: String,
    /// Pages newest first, then by title.
    pub pages: Vec<usize>,
}

/// A taxonomy with its terms, sorted by name.
#[derive(Debug)]
pub struct TaxonomyNode {
    /// The taxonomy as `config.toml` sets it.
    pub taxonomy: Taxonomy,
    /// Site-absolute URL path of the taxonomy's list page, e.g. `/kommune/`.
    pub path: String,
    /// Its terms, sorted by name.
    pub terms: Vec<Term>,
    /// The language whose pages it classifies (each has its own lists).
    pub lang: Lang,
}

/// Which pages a build publishes besides finished ones dated today or before.
#[derive(Debug, Clone, Copy)]
pub struct Publish {
    /// Pages and sections marked `draft = true` too (`--drafts`).
    pub drafts: bool,
    /// Pages dated after `today` too (`--future`).
    pub future: bool,
    /// The build's date (see [`crate::dates::today`]).
    pub today: Date,
}

impl Publish {
    /// Finished pages dated up to `today`: what `build` publishes by default.
    pub fn finished(today: Date) -> Publish {
        Publish { drafts: false, future: false, today }
    }
}

/// A page left out of the build because its date is after the build's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldBack {
    /// The page's file, from the site root.
    pub file: PathBuf,
    /// Its date: the first build on or after it publishes the page.
    pub date: Date,
}

/// What an `@/` link can point to.
#[derive(Debug, Clone, Copy)]
enum Target {
    Page(usize),
    Section(usize),
    Draft,
    /// A page dated after the build's date.
    Future(Date),
    /// A file that could not be parsed (already reported).
    Unreadable,
}

/// The assembled site.
#[derive(Debug)]
pub struct Site {
    /// The validated settings from `config.toml`.
    pub settings: Settings,
    /// Data files by their path inside `data/` (`arsverk.csv`); shared, so a
    /// dev server's rebuild after a page edit can keep them.
    pub data: std::sync::Arc<BTreeMap<String, DataFile>>,
    /// The images pages can show, set by the render phase (which knows where
    /// each file is published); shared like `data`.
    pub images: std::sync::Arc<crate::images::Catalogue>,
    /// Sections by language tree and folder; `sections[0]` is the home page of
    /// the default language.
    pub sections: Vec<SectionNode>,
    /// Pages sorted by their path inside `content/`.
    pub pages: Vec<PageNode>,
    /// The site's taxonomies with their terms, in the order of
    /// [`Settings::taxonomies`]: the default language's, then each other
    /// language's that has pages.
    pub taxonomies: Vec<TaxonomyNode>,
    /// Links between mandates and between goals.
    pub links: Links,
    /// Pages dated after the build's date, left out (without `--future`).
    pub held_back: Vec<HeldBack>,
    targets: HashMap<String, Target>,
}

/// How mandates and goals point at each other, resolved once.
#[derive(Debug, Default)]
pub struct Links {
    /// Goal pages by goal id.
    pub goals: BTreeMap<String, usize>,
    /// A goal page's parent goal page.
    pub parent: HashMap<usize, usize>,
    /// A goal page's children, in title order.
    pub children: HashMap<usize, Vec<usize>>,
    /// A mandate's dependencies, and the mandates that depend on it.
    pub depends_on: HashMap<usize, Vec<usize>>,
    /// The mandates that depend on a mandate.
    pub used_by: HashMap<usize, Vec<usize>>,
}

impl Site {
    /// Resolves the path of an `@/` link (inside `content/`) to a URL path.
    pub fn resolve(&self, content_path: &str) -> Result<String, String> {
        let key = content_path.trim_start_matches('/');
        match self.targets.get(key) {
            Some(Target::Page(i)) => Ok(self.pages[*i].path.clone()),
            Some(Target::Section(i)) => Ok(self.sections[*i].path.clone()),
            Some(Target::Draft) => Err("that page is a draft and is not published".into()),
            Some(Target::Future(date)) => Err(format!(
                "that page is dated {date}, after today, and is not published until then (`--future` includes it)"
            )),
            Some(Target::Unreadable) => Ok(String::new()),
            None if !key.ends_with(".md") => Err("internal links name the Markdown file, ending in `.md`".into()),
            None => Err(format!("there is no `content/{key}`")),
        }
    }

    /// Resolves an `@/` link written on a page in `lang`: a link to a page or
    /// section that has a version in `lang` leads to that version (`@/om.md`
    /// from an English page to `om.en.md`); a link naming a translation's own
    /// file (`@/om.nn.md`) leads to it. See docs/translations.md.
    pub fn resolve_in(&self, content_path: &str, lang: Lang) -> Result<String, String> {
        let key = content_path.trim_start_matches('/');
        let (path, fragment) = match key.find('#') {
            Some(i) => key.split_at(i),
            None => (key, ""),
        };
        if translations::claims_no_language(path) {
            let translated = translations::with_lang(path, lang);
            if let Some(Target::Page(_) | Target::Section(_)) = self.targets.get(translated.as_str()) {
                return self.resolve(&format!("{translated}{fragment}"));
            }
            let version = match self.targets.get(path) {
                Some(Target::Page(i)) => self.pages[*i]
                    .translations
                    .iter()
                    .map(|&j| &self.pages[j])
                    .find(|p| p.lang == lang)
                    .map(|p| &p.path),
                Some(Target::Section(i)) => self.sections[*i]
                    .translations
                    .iter()
                    .map(|&j| &self.sections[j])
                    .find(|s| s.lang == lang)
                    .map(|s| &s.path),
                _ => None,
            };
            if let Some(version) = version {
                return Ok(format!("{version}{fragment}"));
            }
        }
        self.resolve(content_path)
    }

    /// The home page (`sections` index) of a language's tree; the default
    /// language's for a language the site has no pages in.
    pub fn home_of(&self, lang: Lang) -> usize {
        self.sections.iter().position(|s| s.tree == lang && s.section.dir.is_empty() && s.parent.is_none()).unwrap_or(0)
    }

    /// The taxonomies of a language's pages, in the order of [`Settings::taxonomies`].
    pub fn taxonomies_of(&self, lang: Lang) -> impl Iterator<Item = (usize, &TaxonomyNode)> {
        self.taxonomies.iter().enumerate().filter(move |(_, t)| t.lang == lang)
    }

    /// The section a page or section lies in, from the top down (home page first).
    pub fn ancestors(&self, mut section: usize) -> Vec<usize> {
        let mut chain = vec![section];
        while let Some(parent) = self.sections[section].parent {
            chain.push(parent);
            section = parent;
        }
        chain.reverse();
        chain
    }
}

/// Assembles the site. Drafts are left out unless `publish.drafts`, and pages
/// dated after `publish.today` unless `publish.future`. `unreadable` names
/// content files that failed to parse, so links to them are not reported twice.
/// The site is returned even with faults, so later phases can find theirs too.
pub fn assemble(
    settings: Settings,
    sections: Vec<Section>,
    pages: Vec<Page>,
    publish: Publish,
    unreadable: &[String],
) -> (Site, Diagnostics) {
    let drafts = publish.drafts;
    let mut held_back = Vec::new();
    let mut errors = Diagnostics::default();
    let mut targets: HashMap<String, Target> = unreadable.iter().map(|p| (p.clone(), Target::Unreadable)).collect();

    // Each file goes to the tree of its language: the default language's at
    // the root, each other one's under `/<code>/` (see `translations`).
    let (sections, pages) = translations::sort_into_trees(&settings, sections, pages, &mut targets, &mut errors);
    let trees: Vec<Lang> = settings.languages.iter().map(|l| l.lang).collect();

    // Sections by tree and folder, with an implicit one for each folder lacking `_index.md`.
    let mut by_dir: BTreeMap<(usize, String), Section> = BTreeMap::new();
    for (tree, section) in sections {
        by_dir.insert((tree, section.dir.clone()), section);
    }
    // The default language's home page is always there: `sections[0]`.
    let dirs_needed: Vec<(usize, String)> = std::iter::once((0, String::new()))
        .chain(by_dir.keys().cloned())
        .chain(pages.iter().map(|(tree, p)| (*tree, page_dir(p))))
        .flat_map(|(tree, d)| ancestors_of(&d).into_iter().map(move |d| (tree, d)))
        .collect();
    for (tree, dir) in dirs_needed {
        if !by_dir.contains_key(&(tree, dir.clone())) {
            let section = match by_dir.get(&(0, dir.clone())) {
                Some(original) => translations::untranslated(original, trees[tree]),
                None => {
                    let file = PathBuf::from("content").join(&dir).join("_index.md");
                    implicit_section(&file, &dir, &settings.languages[tree].title)
                }
            };
            by_dir.insert((tree, dir.clone()), section);
        }
    }

    // Drafts, and everything below a draft section, stay out.
    let draft_dirs: Vec<(usize, String)> =
        by_dir.iter().filter(|(_, s)| s.draft && !drafts && !s.dir.is_empty()).map(|(k, _)| k.clone()).collect();
    let under_draft = |tree: usize, dir: &str| {
        draft_dirs.iter().any(|(t, d)| *t == tree && (dir == d || dir.starts_with(&format!("{d}/"))))
    };
    for ((tree, _), s) in by_dir.iter().filter(|((tree, _), s)| under_draft(*tree, &s.dir)) {
        if *tree == 0 || s.file_lang.is_some() {
            targets.insert(section_key(s), Target::Draft);
        }
    }
    by_dir.retain(|(tree, dir), _| !under_draft(*tree, dir));

    let mut section_nodes: Vec<SectionNode> = Vec::with_capacity(by_dir.len());
    let mut index_of: HashMap<(usize, String), usize> = HashMap::new();
    for ((tree, dir), section) in by_dir {
        let parent = parent_dir(&dir).and_then(|p| index_of.get(&(tree, p)).copied());
        let root = settings.language_root(trees[tree]);
        let path = if dir.is_empty() {
            root
        } else {
            format!("{root}{}/", dir.split('/').map(slug_or_keep).collect::<Vec<_>>().join("/"))
        };
        let lang = if tree == 0 {
            section.lang.or_else(|| parent.map(|p: usize| section_nodes[p].lang)).unwrap_or(settings.language)
        } else {
            trees[tree]
        };
        index_of.insert((tree, dir.clone()), section_nodes.len());
        if tree == 0 || section.file_lang.is_some() {
            targets.insert(section_key(&section), Target::Section(section_nodes.len()));
        }
        section_nodes.push(SectionNode {
            section,
            path,
            parent,
            pages: Vec::new(),
            subsections: Vec::new(),
            lang,
            tree: trees[tree],
            translations: Vec::new(),
        });
    }

    let mut page_nodes: Vec<PageNode> = Vec::with_capacity(pages.len());
    for (tree, page) in pages {
        let dir = page_dir(&page);
        let Some(&section) = index_of.get(&(tree, dir)) else {
            targets.insert(page.content_path.clone(), Target::Draft);
            continue;
        };
        if page.draft && !drafts {
            targets.insert(page.content_path.clone(), Target::Draft);
            continue;
        }
        if let Some(date) = page.date.filter(|&d| d > publish.today && !publish.future) {
            targets.insert(page.content_path.clone(), Target::Future(date));
            held_back.push(HeldBack { file: page.file.clone(), date });
            continue;
        }
        // A page's own `path` is its address in its language's part of the site.
        let path = match &page.path {
            Some(own) => format!("{}{}", settings.language_root(trees[tree]).trim_end_matches('/'), own),
            None => format!("{}{}/", section_nodes[section].path, page.slug),
        };
        let lang = if tree == 0 { page.lang.unwrap_or(section_nodes[section].lang) } else { trees[tree] };
        targets.insert(page.content_path.clone(), Target::Page(page_nodes.len()));
        page_nodes.push(PageNode {
            page,
            path,
            section,
            position: 0,
            lang,
            tree: trees[tree],
            terms: Vec::new(),
            translations: Vec::new(),
        });
    }
    translations::link(&mut section_nodes, &mut page_nodes, &mut errors);

    check_unique_paths(&section_nodes, &page_nodes, &settings, &mut errors);

    // Each section's pages in its order; subsections by weight then title.
    for (i, p) in page_nodes.iter().enumerate() {
        section_nodes[p.section].pages.push(i);
    }
    // Each title's collation key once, not once per comparison.
    let titles: Vec<Vec<u32>> = page_nodes.iter().map(|p| collation_key(&p.page.title)).collect();
    let pages_order = PageOrder { pages: &page_nodes, titles: &titles };
    for s in &mut section_nodes {
        let sort_by = s.section.sort_by;
        s.pages.sort_by(|&a, &b| pages_order.compare(a, b, sort_by));
    }
    for s in &section_nodes {
        for (position, &p) in s.pages.iter().enumerate() {
            page_nodes[p].position = position;
        }
    }
    for i in 1..section_nodes.len() {
        if let Some(p) = section_nodes[i].parent {
            section_nodes[p].subsections.push(i);
        }
    }
    let order: Vec<(i64, Vec<u32>)> =
        section_nodes.iter().map(|s| (s.section.weight, collation_key(&s.section.title))).collect();
    for s in &mut section_nodes {
        s.subsections.sort_by(|&a, &b| order[a].cmp(&order[b]));
    }

    let mut settings = settings;
    add_status_taxonomy(&mut settings, &mut page_nodes, &mut errors);
    // Each language's pages have terms, lists and addresses of their own.
    let mut taxonomies = Vec::new();
    for &tree in &trees {
        if tree == settings.language || page_nodes.iter().any(|p| p.tree == tree) {
            let pages_order = PageOrder { pages: &page_nodes, titles: &titles };
            taxonomies.extend(collect_taxonomies(&settings, &pages_order, tree, &mut errors));
        }
    }
    link_terms(&taxonomies, &mut page_nodes);
    check_aliases(&section_nodes, &page_nodes, &taxonomies, &settings, &mut errors);
    let links = link_structured(&page_nodes, &targets, &mut errors);
    let site = Site {
        settings,
        data: Default::default(),
        images: Default::default(),
        sections: section_nodes,
        pages: page_nodes,
        taxonomies,
        links,
        held_back,
        targets,
    };
    (site, errors)
}

/// Mandates and goals feed the `status` taxonomy, so residents get a list page per
/// status; it is added when the site has such pages and config.toml lacks it.
///
/// A page's own `status` terms (`[taxonomies] status = ["in-progress"]`) would
/// stand beside the statuses innsyn writes, as a second term for one status: they
/// are an error, asking for the page's `status` field instead.
fn add_status_taxonomy(settings: &mut Settings, pages: &mut [PageNode], errors: &mut Diagnostics) {
    if !pages.iter().any(|p| p.page.status().is_some()) {
        return;
    }
    // Pages with a status of their own get it written below (replacing any terms
    // they set); the others may not add terms beside them.
    for p in pages.iter().filter(|p| p.page.status().is_none()) {
        if let Some(terms) = p.page.taxonomies.get("status") {
            let line = p.page.key_lines.get("status").or(p.page.key_lines.get("taxonomies")).copied().unwrap_or(1);
            errors.push(
                Diagnostic::at(
                    &p.page.file,
                    line,
                    1,
                    format!(
                        "the status taxonomy is made by innsyn from mandates' and goals' `status`, so `{}` cannot be added to it by hand",
                        terms.join(", ")
                    ),
                )
                .hint("give a mandate or goal its status with its `status` field (e.g. `status = \"in_progress\"`), or put this term in another taxonomy"),
            );
        }
    }
    if !settings.taxonomies.iter().any(|t| t.name == "status") {
        settings.taxonomies.push(Taxonomy {
            name: "status".into(),
            title: "Status".into(),
            feed: false,
            paginate_by: None,
        });
    }
    for p in pages {
        // The root's terms are in the site's language, a translation's in its own.
        let lang = if p.tree == settings.language { settings.language } else { p.tree };
        if let Some(status) = p.page.status() {
            p.page.taxonomies.insert("status".into(), vec![status.label(lang).to_string()]);
        }
    }
}

/// Resolves goal parents and mandate dependencies, and checks them: unique goal
/// ids, parents that exist, no cycles, dependencies on pages that exist.
fn link_structured(pages: &[PageNode], targets: &HashMap<String, Target>, errors: &mut Diagnostics) -> Links {
    let mut links = Links::default();
    for (i, p) in pages.iter().enumerate() {
        let Some(goal) = &p.page.goal else { continue };
        if let Some(&first) = links.goals.get(&goal.id) {
            errors.push(
                Diagnostic::at(
                    &p.page.file,
                    goal.id_line,
                    1,
                    format!("the goal id `{}` is also used by `{}`", goal.id, pages[first].page.file.display()),
                )
                .hint("each goal needs its own id"),
            );
        } else {
            links.goals.insert(goal.id.clone(), i);
        }
    }
    let ids: Vec<&str> = links.goals.keys().map(String::as_str).collect();
    for (i, p) in pages.iter().enumerate() {
        let Some(goal) = &p.page.goal else { continue };
        let Some(parent) = &goal.parent else { continue };
        match links.goals.get(parent) {
            Some(&j) => {
                links.parent.insert(i, j);
                links.children.entry(j).or_default().push(i);
            }
            None => {
                let d = Diagnostic::at(
                    &p.page.file,
                    goal.parent_line,
                    1,
                    format!("the parent goal `{parent}` does not exist"),
                );
                errors.push(match did_you_mean(parent, &ids) {
                    Some(best) => d.hint(format!("did you mean `{best}`?")),
                    None => d.hint("`parent` is the `id` of another goal page"),
                });
            }
        }
    }
    // A chain of parents must end; report each cycle once, at its smallest member.
    // Each goal is walked once: `place` is its index on the path under way while
    // it is walked, and `DONE` after, so a long chain costs linear time.
    const NEW: usize = usize::MAX;
    const DONE: usize = usize::MAX - 1;
    let mut place = vec![NEW; pages.len()];
    let mut starts: Vec<usize> = links.goals.values().copied().collect();
    starts.sort_unstable();
    for start in starts {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(goal) = at.filter(|&g| place[g] == NEW) {
            place[goal] = path.len();
            path.push(goal);
            at = links.parent.get(&goal).copied();
        }
        if let Some(at) = at.filter(|&g| place[g] != DONE) {
            // The walk came back to a goal of its own path: a cycle.
            let cycle = &path[place[at]..];
            let first = cycle.iter().position(|&c| Some(&c) == cycle.iter().min()).unwrap_or(0);
            let ordered: Vec<usize> = cycle[first..].iter().chain(&cycle[..first]).copied().collect();
            let names: Vec<String> = ordered
                .iter()
                .chain(ordered.first())
                .map(|&c| pages[c].page.goal.as_ref().map_or(String::new(), |g| g.id.clone()))
                .collect();
            let min = ordered[0];
            let g = pages[min].page.goal.as_ref().map_or(1, |g| g.parent_line);
            errors.push(
                Diagnostic::at(
                    &pages[min].page.file,
                    g,
                    1,
                    format!("the goals' parents go round in a circle: {}", names.join(" → ")),
                )
                .hint("one of these goals must have a parent outside the circle, or none"),
            );
        }
        for &p in &path {
            place[p] = DONE;
        }
    }
    for list in links.children.values_mut() {
        list.sort_by(|&a, &b| {
            let key = |i: usize| (pages[i].page.weight, collation_key(&pages[i].page.title));
            key(a).cmp(&key(b))
        });
    }
    for (i, p) in pages.iter().enumerate() {
        let Some(m) = &p.page.mandate else { continue };
        for (dep, line) in &m.depends_on {
            let Some(path) = dep.strip_prefix("@/") else { continue };
            match targets.get(path.split('#').next().unwrap_or(path)) {
                Some(Target::Page(j)) => {
                    links.depends_on.entry(i).or_default().push(*j);
                    links.used_by.entry(*j).or_default().push(i);
                }
                Some(Target::Unreadable) => {}
                _ => errors.push(
                    Diagnostic::at(
                        &p.page.file,
                        *line,
                        1,
                        format!("`{dep}` in `depends_on` is not a page of the site"),
                    )
                    .hint("name another mandate's file inside `content/`, e.g. `\"@/mandater/a9-innbyggertorg.md\"`"),
                ),
            }
        }
    }
    links
}

fn page_dir(p: &Page) -> String {
    // A translation lies where its original does (`a/index.en.md` is `a/index.md`'s).
    let path = &p.original;
    let dir = parent_dir(path).unwrap_or_default();
    if path.ends_with("/index.md") || path == "index.md" {
        // A bundle's page belongs to the section around the bundle folder.
        parent_dir(&dir).unwrap_or_default()
    } else {
        dir
    }
}

fn parent_dir(path: &str) -> Option<String> {
    if path.is_empty() {
        None
    } else {
        Some(path.rsplit_once('/').map_or(String::new(), |(d, _)| d.to_string()))
    }
}

/// `a/b` → [``, `a`, `a/b`].
fn ancestors_of(dir: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut acc = String::new();
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        if !acc.is_empty() {
            acc.push('/');
        }
        acc.push_str(part);
        out.push(acc.clone());
    }
    out
}

/// The path inside `content/` of a section's file, as `@/` links name it.
fn section_key(section: &Section) -> String {
    let name = section.file.file_name().map_or("_index.md".into(), |n| n.to_string_lossy());
    if section.dir.is_empty() {
        name.into_owned()
    } else {
        format!("{}/{name}", section.dir)
    }
}

fn slug_or_keep(part: &str) -> String {
    let s = slugify(part);
    if s.is_empty() {
        "seksjon".to_string()
    } else {
        s
    }
}

fn check_unique_paths(sections: &[SectionNode], pages: &[PageNode], settings: &Settings, errors: &mut Diagnostics) {
    let mut owners: HashMap<&str, &std::path::Path> = HashMap::new();
    let entries = sections
        .iter()
        .map(|s| (s.path.as_str(), s.section.file.as_path()))
        .chain(pages.iter().map(|p| (p.path.as_str(), p.page.file.as_path())));
    for (path, file) in entries {
        if let Some(first) = owners.insert(path, file) {
            errors.push(
                Diagnostic::new(
                    file,
                    format!("`{}` and `{}` would both be published at `{path}`", first.display(), file.display()),
                )
                .hint("rename one of the files, or give one a different `slug` in its front matter"),
            );
        }
    }
    for (t, l) in settings.taxonomies.iter().flat_map(|t| settings.languages.iter().map(move |l| (t, l))) {
        let path = format!("{}{}/", settings.language_root(l.lang), t.name);
        if let Some(file) = owners.get(path.as_str()) {
            errors.push(
                Diagnostic::new(
                    *file,
                    format!("the taxonomy `{}` and `{}` would both be published at `{path}`", t.name, file.display()),
                )
                .hint("rename the folder or file, or the taxonomy in config.toml"),
            );
        }
    }
}

/// An old address (`aliases`) leads to one page only, and is no page's address
/// now: each alias is checked against every page, section, taxonomy and term and
/// every other alias, and reported where the front matter names it.
fn check_aliases(
    sections: &[SectionNode],
    pages: &[PageNode],
    taxonomies: &[TaxonomyNode],
    settings: &Settings,
    errors: &mut Diagnostics,
) {
    // Most sites have none: then there is nothing to compare.
    if sections.iter().all(|s| s.section.aliases.is_empty()) && pages.iter().all(|p| p.page.aliases.is_empty()) {
        return;
    }
    let file_of = |path: &str| format!("{}index.html", path.trim_start_matches('/'));
    // What is published at each output file now, and by which source.
    let mut real: HashMap<String, String> = HashMap::new();
    for s in sections {
        real.entry(file_of(&s.path)).or_insert_with(|| format!("`{}`", s.section.file.display()));
    }
    for p in pages {
        real.entry(file_of(&p.path)).or_insert_with(|| format!("`{}`", p.page.file.display()));
    }
    for t in taxonomies {
        real.entry(file_of(&t.path)).or_insert_with(|| format!("the taxonomy `{}`", t.taxonomy.name));
        for term in &t.terms {
            real.entry(file_of(&term.path)).or_insert_with(|| format!("the {} `{}`", t.taxonomy.name, term.name));
        }
    }
    real.insert("404.html".into(), "the page shown for addresses that do not exist".into());
    if settings.search {
        // The search pages' addresses (`render::SEARCH_PATH`, which this phase cannot name).
        for l in &settings.languages {
            real.insert(
                format!("{}sok/index.html", settings.language_root(l.lang).trim_start_matches('/')),
                "the search page".into(),
            );
        }
    }
    let owners = sections
        .iter()
        .map(|s| (&s.section.file, &s.section.aliases, &s.path))
        .chain(pages.iter().map(|p| (&p.page.file, &p.page.aliases, &p.path)));
    let mut claimed: HashMap<&str, (&std::path::Path, usize)> = HashMap::new();
    for (file, aliases, own) in owners {
        for a in aliases {
            let at = |message: String| Diagnostic::at(file, a.line, a.col, message);
            if a.file == file_of(own) {
                errors.push(
                    at(format!("the alias `{}` is this page's own address", a.written))
                        .hint("remove it: an alias is an address the page had before"),
                );
            } else if let Some(owner) = real.get(&a.file) {
                errors.push(
                    at(format!("the alias `{}` is the address of {owner}", a.written))
                        .hint("two pages cannot have one address: remove the alias, or move the page that has it now"),
                );
            } else if let Some((other, line)) = claimed.get(a.file.as_str()) {
                errors.push(
                    at(format!("the alias `{}` is also an alias of `{}` (line {line})", a.written, other.display()))
                        .hint("an old address can lead to one page only: remove one of the aliases"),
                );
            } else {
                claimed.insert(&a.file, (file, a.line));
            }
        }
    }
}

/// The pages with their titles' collation keys, to sort them.
struct PageOrder<'a> {
    pages: &'a [PageNode],
    titles: &'a [Vec<u32>],
}

impl PageOrder<'_> {
    /// The order of pages `i` and `j` in a list sorted by `sort_by`.
    fn compare(&self, i: usize, j: usize, sort_by: SortBy) -> Ordering {
        let (a, b) = (&self.pages[i].page, &self.pages[j].page);
        let by_title = || self.titles[i].cmp(&self.titles[j]).then_with(|| a.content_path.cmp(&b.content_path));
        match sort_by {
            // Newest first; undated pages after dated ones.
            SortBy::Date => b.date.cmp(&a.date).then_with(by_title),
            SortBy::Weight => a.weight.cmp(&b.weight).then_with(by_title),
            SortBy::Title => by_title(),
        }
    }
}

/// Gives each page the indexes of its terms.
fn link_terms(taxonomies: &[TaxonomyNode], pages: &mut [PageNode]) {
    let by_slug: Vec<HashMap<&str, usize>> = taxonomies
        .iter()
        .map(|t| {
            t.terms
                .iter()
                .enumerate()
                .map(|(k, term)| (term.path.trim_end_matches('/').rsplit('/').next().unwrap_or(""), k))
                .collect()
        })
        .collect();
    for p in pages {
        p.terms = taxonomies
            .iter()
            .zip(&by_slug)
            .filter(|(t, _)| t.lang == p.tree)
            .map(|(t, slugs)| {
                let names = p.page.taxonomies.get(&t.taxonomy.name)?;
                Some(names.iter().filter_map(|n| slugs.get(slugify(n).as_str()).copied()).collect())
            })
            .collect();
    }
}

/// The taxonomies of the pages of one language's tree, at their addresses in it.
fn collect_taxonomies(
    settings: &Settings,
    order: &PageOrder<'_>,
    tree: Lang,
    errors: &mut Diagnostics,
) -> Vec<TaxonomyNode> {
    let pages = order.pages;
    let names: Vec<&str> = settings.taxonomies.iter().map(|t| t.name.as_str()).collect();
    let mut terms: Vec<BTreeMap<String, Term>> = settings.taxonomies.iter().map(|_| BTreeMap::new()).collect();
    let mut warned: HashSet<(usize, String)> = HashSet::new();
    let root = settings.language_root(tree);
    for (i, p) in pages.iter().enumerate().filter(|(_, p)| p.tree == tree) {
        for (name, values) in &p.page.taxonomies {
            let Some(t) = names.iter().position(|n| n == name) else {
                let line = p.page.key_lines.get(name).or(p.page.key_lines.get("taxonomies")).copied().unwrap_or(1);
                let d = Diagnostic::at(&p.page.file, line, 1, format!("unknown taxonomy `{name}`"));
                errors.push(match did_you_mean(name, &names) {
                    Some(best) => d.hint(format!("did you mean `{best}`?")),
                    None if names.is_empty() => {
                        d.hint(format!("add it to config.toml: [[taxonomies]] name = \"{name}\""))
                    }
                    None => {
                        d.hint(format!("the site's taxonomies are {}; add others to config.toml", names.join(", ")))
                    }
                });
                continue;
            };
            for value in values {
                let slug = slugify(value);
                if slug.is_empty() {
                    let line = p.page.key_lines.get("taxonomies").copied().unwrap_or(1);
                    errors.push(Diagnostic::at(
                        &p.page.file,
                        line,
                        1,
                        format!("the {name} `{value}` has no letters or digits"),
                    ));
                    continue;
                }
                let term = terms[t].entry(slug.clone()).or_insert_with(|| Term {
                    name: value.trim().to_string(),
                    path: format!("{root}{name}/{slug}/"),
                    pages: Vec::new(),
                });
                // Two spellings with one address («A-A» and «a a») are one term: say so
                // once per spelling, so the author can write it one way.
                if term.name != value.trim() && warned.insert((t, value.trim().to_string())) {
                    let line = p.page.key_lines.get(name).or(p.page.key_lines.get("taxonomies")).copied().unwrap_or(1);
                    errors.push(
                        Diagnostic::at(
                            &p.page.file,
                            line,
                            1,
                            format!(
                                "the {name} `{}` is the same term as `{}` (both are `{}` in the address), and is shown as `{}`",
                                value.trim(),
                                term.name,
                                term.path,
                                term.name
                            ),
                        )
                        .hint("write the term the same way on every page")
                        .warning(),
                    );
                }
                // Pages come in order, so a page already listed is the last one.
                if term.pages.last() != Some(&i) {
                    term.pages.push(i);
                }
            }
        }
    }
    settings
        .taxonomies
        .iter()
        .zip(terms)
        .map(|(taxonomy, terms)| {
            let mut terms: Vec<Term> = terms.into_values().collect();
            for term in &mut terms {
                term.pages.sort_by(|&a, &b| order.compare(a, b, SortBy::Date));
            }
            terms.sort_by_key(|a| collation_key(&a.name));
            TaxonomyNode { path: format!("{root}{}/", taxonomy.name), taxonomy: taxonomy.clone(), terms, lang: tree }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{parse_page, parse_section};
    use std::path::Path;

    fn settings() -> Settings {
        crate::config::parse("config.toml", "title = \"T\"\n[[taxonomies]]\nname = \"kommune\"\n").unwrap()
    }

    fn page(path: &str, front: &str) -> Page {
        parse_page(&Path::new("content").join(path), path, &format!("+++\n{front}\n+++\nTekst")).unwrap()
    }

    fn assemble(
        settings: Settings,
        sections: Vec<Section>,
        pages: Vec<Page>,
        drafts: bool,
    ) -> Result<Site, Diagnostics> {
        let publish = Publish { drafts, ..Publish::finished(Date::new(2025, 6, 1).unwrap()) };
        let (site, errors) = super::assemble(settings, sections, pages, publish, &[]);
        errors.into_result().map(|()| site)
    }

    #[test]
    fn pages_get_paths_from_their_folders_and_slugs() {
        let s = parse_section(Path::new("content/Mål/_index.md"), "Mål", "+++\ntitle = \"Mål\"\n+++\n").unwrap();
        let site = assemble(settings(), vec![s], vec![page("Mål/Årsplan.md", "title = \"Å\"")], false).unwrap();
        assert_eq!(site.pages[0].path, "/mal/arsplan/");
        assert_eq!(site.resolve("Mål/Årsplan.md").unwrap(), "/mal/arsplan/");
        assert_eq!(site.resolve("Mål/_index.md").unwrap(), "/mal/");
        assert_eq!(site.sections[0].path, "/", "an implicit home section exists");
    }

    #[test]
    fn a_slug_clash_names_both_files() {
        let err = assemble(
            settings(),
            vec![],
            vec![page("a.md", "title = \"A\""), page("b.md", "title = \"B\"\nslug = \"a\"")],
            false,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("`content/a.md` and `content/b.md` would both be published at `/a/`"),
            "{err}"
        );
    }

    #[test]
    fn drafts_stay_out_and_links_to_them_say_so() {
        let site = assemble(settings(), vec![], vec![page("a.md", "title = \"A\"\ndraft = true")], false).unwrap();
        assert!(site.pages.is_empty());
        assert!(site.resolve("a.md").unwrap_err().contains("draft"));
        let with = assemble(settings(), vec![], vec![page("a.md", "title = \"A\"\ndraft = true")], true).unwrap();
        assert_eq!(with.pages.len(), 1);
    }

    #[test]
    fn unknown_taxonomies_get_a_suggestion() {
        let err = assemble(
            settings(),
            vec![],
            vec![page("a.md", "title = \"A\"\n[taxonomies]\nkomune = [\"Asker\"]")],
            false,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("content/a.md:4:1: error: unknown taxonomy `komune`\n  hint: did you mean `kommune`?"),
            "{err}"
        );
    }

    #[test]
    fn an_alias_that_is_a_page_term_search_page_or_another_alias_is_reported_where_it_is_written() {
        let err = assemble(
            settings(),
            vec![],
            vec![
                page("a.md", "title = \"A\"\naliases = [\"/b/\", \"/kommune/asker\", \"/sok/\", \"/x.html\"]\n[taxonomies]\nkommune = [\"Asker\"]"),
                page("b.md", "title = \"B\"\naliases = [\"/x.html\", \"b\"]"),
            ],
            false,
        )
        .unwrap_err();
        let text = err.to_string();
        for needle in [
            "content/a.md:3:13: error: the alias `/b/` is the address of `content/b.md`",
            "content/a.md:3:20: error: the alias `/kommune/asker` is the address of the kommune `Asker`",
            "content/a.md:3:38: error: the alias `/sok/` is the address of the search page",
            "content/b.md:3:13: error: the alias `/x.html` is also an alias of `content/a.md` (line 3)",
            "content/b.md:3:24: error: the alias `b` is this page's own address",
        ] {
            assert!(text.contains(needle), "`{needle}` missing from:\n{text}");
        }
        assert_eq!(err.len(), 5, "{text}");
    }

    #[test]
    fn a_page_dated_after_today_is_held_back_unless_future() {
        let today = Date::new(2025, 6, 1).unwrap();
        let pages =
            || vec![page("a.md", "title = \"A\"\ndate = 2025-06-02"), page("b.md", "title = \"B\"\ndate = 2025-06-01")];
        let (site, errors) = super::assemble(settings(), vec![], pages(), Publish::finished(today), &[]);
        assert!(errors.is_empty(), "{errors}");
        assert_eq!(site.pages.len(), 1, "only the page dated today is published");
        assert_eq!(site.held_back, [HeldBack { file: "content/a.md".into(), date: Date::new(2025, 6, 2).unwrap() }]);
        assert!(site.resolve("a.md").unwrap_err().contains("dated 2025-06-02"));
        let future = Publish { future: true, ..Publish::finished(today) };
        let (site, _) = super::assemble(settings(), vec![], pages(), future, &[]);
        assert_eq!(site.pages.len(), 2);
        assert!(site.held_back.is_empty());
    }

    #[test]
    fn sorting_by_title_follows_the_norwegian_alphabet() {
        let mut v = vec!["Ål", "Øst", "Ære", "Zulu", "alfa"];
        v.sort_by_key(|s| collation_key(s));
        assert_eq!(v, ["alfa", "Zulu", "Ære", "Øst", "Ål"]);
    }
}
