//! `innsyn import zola DIR`: converts what it can of a Zola site into a new
//! innsyn site, and lists, with file and line, everything it could not carry
//! over or had to change. Reads the Zola site; writes only into a new folder.
//!
//! What maps and what does not is documented in `docs/zola.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::error::Diagnostic;
use crate::fsx;
use crate::lang::Lang;

/// What the import did not carry over as it was, or changed on the way.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written into the new site.
    pub files: usize,
    /// Each note: where (`path` or `path:line`), and what happened.
    pub notes: Vec<(String, String)>,
}

impl Report {
    fn note(&mut self, place: impl Into<String>, what: impl Into<String>) {
        self.notes.push((place.into(), what.into()));
    }

    /// The report as Markdown, as written to `ZOLA-IMPORT.md`.
    pub fn markdown(&self, from: &Path) -> String {
        let mut out = format!(
            "# Imported from Zola\n\n`innsyn import zola` converted the Zola site in `{}` into this site \
             ({} files). Build it with `innsyn build`, or see it with `innsyn serve`.\n\n",
            from.display(),
            self.files
        );
        if self.notes.is_empty() {
            out.push_str("Everything was carried over as it was.\n");
            return out;
        }
        out.push_str("What was changed or left behind (in the Zola site's files):\n\n");
        for (place, what) in &self.notes {
            let _ = writeln!(out, "- `{place}`: {what}");
        }
        out
    }
}

/// The Zola config keys innsyn reads as they are, or under another name.
const CONFIG_KEYS: [(&str, &str); 9] = [
    ("title", "title"),
    ("description", "description"),
    ("base_url", "base_url"),
    ("default_language", "language"),
    ("generate_feeds", "feed"),
    ("generate_feed", "feed"),
    ("build_search_index", "search"),
    ("author", "organization"),
    ("extra", "extra"),
];

/// Why a Zola config key has no counterpart, for the report.
fn config_gap(key: &str) -> &'static str {
    match key {
        "search" => "innsyn's search is built in, switched by `search = true/false`",
        "theme" => "see the notes on the theme",
        other => crate::config::zola_setting(other).unwrap_or("innsyn has no such setting"),
    }
}

/// Page front-matter keys innsyn reads as Zola writes them.
const PAGE_KEYS: [&str; 13] = [
    "authors",
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "slug",
    "path",
    "aliases",
    "template",
    "taxonomies",
    "extra",
];
/// Section front-matter keys innsyn reads as Zola writes them.
const SECTION_KEYS: [&str; 10] = [
    "title",
    "description",
    "sort_by",
    "paginate_by",
    "weight",
    "template",
    "page_template",
    "draft",
    "aliases",
    "extra",
];

/// Converts the Zola site in `from` into a new innsyn site in `to`, which must
/// not exist or be empty. With `own_templates` false, the Zola templates are
/// left behind and the site uses innsyn's theme.
pub fn zola(from: &Path, to: &Path, own_templates: bool) -> Result<Report, Diagnostic> {
    let config_path = from.join("config.toml");
    if !config_path.is_file() {
        return Err(Diagnostic::new(from.display().to_string(), "there is no `config.toml` here")
            .hint("give the folder of the Zola site, the one holding its `config.toml`"));
    }
    if to.exists() && std::fs::read_dir(to).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(Diagnostic::new(to.display().to_string(), "this folder is not empty")
            .hint("give a new folder for the innsyn site; the import writes nothing into a folder that has files"));
    }
    let (src_abs, dest_abs) = (fsx::canonical(from), absolute(to));
    if dest_abs.starts_with(&src_abs) {
        return Err(Diagnostic::new(to.display().to_string(), "the new site would be inside the Zola site")
            .hint("write the innsyn site to a folder beside the Zola site, e.g. `../min-side-innsyn`"));
    }
    let mut report = Report::default();
    let mut out = Writer { to: to.to_path_buf(), files: Vec::new() };

    let config_src = std::fs::read_to_string(&config_path)
        .map_err(|e| Diagnostic::new(config_path.display().to_string(), format!("cannot be read: {e}")))?;
    let config: Table = toml::from_str(&config_src).map_err(|e| {
        crate::config::toml_error(&config_path.display().to_string(), &config_src, &e, 0)
            .hint("fix the Zola site's config.toml first: Zola would refuse it too")
    })?;
    let (new_config, lang, theme) = convert_config(&config, &config_src, &mut report);
    out.add("config.toml", new_config.into_bytes());
    translations(&config, lang, &mut out, &mut report);

    // The theme's templates and static files first, so the site's own win.
    if let Some(theme) = theme {
        let dir = from.join("themes").join(&theme);
        if fsx::is_dir(&dir) {
            if own_templates {
                copy_tree(&dir.join("templates"), "templates", &mut out, &mut report, &templates_fix);
            }
            copy_tree(&dir.join("static"), "static", &mut out, &mut report, &|_, b, _| Some(b));
            report.note(
                format!("themes/{theme}"),
                "the theme's templates and static files were merged into the site's `templates/` and `static/`",
            );
        } else {
            report.note("config.toml", format!("the theme `{theme}` is not in `themes/`; innsyn's own theme is used"));
        }
    }
    if own_templates {
        copy_tree(&from.join("templates"), "templates", &mut out, &mut report, &templates_fix);
    } else if fsx::is_dir(&from.join("templates")) {
        // The content calls the shortcodes, so they come along.
        copy_tree(&from.join("templates/shortcodes"), "templates/shortcodes", &mut out, &mut report, &templates_fix);
        report.note(
            "templates/",
            "left behind but for `shortcodes/` (`--innsyn-theme`): the site uses innsyn's own theme",
        );
    }
    copy_tree(&from.join("static"), "static", &mut out, &mut report, &|_, b, _| Some(b));
    let content =
        move |shown: &str, bytes: Vec<u8>, report: &mut Report| content_fix(shown, bytes, report, own_templates);
    copy_tree(&from.join("content"), "content", &mut out, &mut report, &content);
    if fsx::is_dir(&from.join("sass")) {
        report.note("sass/", config_gap("compile_sass"));
    }
    for folder in ["data", "i18n"] {
        copy_tree(&from.join(folder), folder, &mut out, &mut report, &|_, b, _| Some(b));
    }
    out.add("ZOLA-IMPORT.md", Vec::new());
    report.files = out.files.len();
    let notes = report.markdown(from);
    if let Some(last) = out.files.last_mut() {
        last.1 = notes.into_bytes();
    }
    out.write()?;
    Ok(report)
}

fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    // The folder may not exist yet: canonicalize the part that does.
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = fsx::canonical(existing);
    for name in rest.iter().rev() {
        out.push(name);
    }
    out
}

/// The files of the new site, written only once everything is converted.
struct Writer {
    to: PathBuf,
    files: Vec<(String, Vec<u8>)>,
}

impl Writer {
    fn add(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.push((path.to_string(), bytes));
    }

    fn write(&self) -> Result<(), Diagnostic> {
        for (path, bytes) in &self.files {
            let target = self.to.join(path);
            let fail =
                |e: std::io::Error| Diagnostic::new(target.display().to_string(), format!("cannot be written: {e}"));
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(fail)?;
            }
            std::fs::write(&target, bytes).map_err(fail)?;
        }
        Ok(())
    }
}

/// The line of `key` at the top of a TOML text (1 when not found).
fn line_of(src: &str, key: &str) -> usize {
    crate::config::key_position(src, key).map_or(1, |(line, _)| line)
}

fn convert_config(config: &Table, src: &str, report: &mut Report) -> (String, Lang, Option<String>) {
    let mut top = Table::new();
    let mut lang = Lang::Nb;
    let mut theme = None;
    for (key, value) in config {
        let at = format!("config.toml:{}", line_of(src, key));
        if let Some((_, to)) = CONFIG_KEYS.iter().find(|(from, _)| from == key) {
            match (*to, value) {
                ("language", Value::String(code)) => match Lang::parse(code) {
                    Some(l) => {
                        lang = l;
                        top.insert("language".into(), l.code().into());
                    }
                    None => report.note(
                        at,
                        format!("`default_language = \"{code}\"`: innsyn writes nb, nn or en; bokmål is used"),
                    ),
                },
                ("organization", _) => {
                    top.insert("organization".into(), value.clone());
                    if key != "author" {
                        continue;
                    }
                    report.note(at, "`author` is innsyn's `organization`, named in feeds and archives");
                }
                _ => {
                    if key != to {
                        report.note(at, format!("`{key}` is innsyn's `{to}`"));
                    }
                    top.insert((*to).into(), value.clone());
                }
            }
            continue;
        }
        match key.as_str() {
            "taxonomies" => {
                top.insert("taxonomies".into(), Value::Array(taxonomies(value, &at, report)));
            }
            "theme" => theme = value.as_str().map(str::to_string),
            "translations" => {}
            "languages" => {
                top.insert("languages".into(), Value::Table(languages(value, &at, report)));
            }
            _ => report.note(at, format!("`{key}` left out: {}", config_gap(key))),
        }
    }
    if !top.contains_key("title") {
        top.insert("title".into(), "Nettsted".into());
        report.note("config.toml", "innsyn needs a `title`: set to «Nettsted»; write the site's own name");
    }
    let mut text = String::from("# Converted from a Zola site by `innsyn import zola`; see ZOLA-IMPORT.md.\n");
    text.push_str(&toml::to_string(&top).unwrap_or_default());
    (text, lang, theme)
}

fn taxonomies(value: &Value, at: &str, report: &mut Report) -> Vec<Value> {
    let mut out = Vec::new();
    for t in value.as_array().into_iter().flatten() {
        let Some(t) = t.as_table() else { continue };
        let Some(name) = t.get("name").and_then(Value::as_str) else { continue };
        let mut new = Table::new();
        new.insert("name".into(), name.into());
        for (k, v) in t {
            match k.as_str() {
                "name" => {}
                "paginate_by" | "feed" => {
                    new.insert(k.clone(), v.clone());
                }
                "lang" => report
                    .note(at, format!("taxonomy `{name}`: `lang` left out; innsyn's taxonomies hold every language")),
                "paginate_path" => report.note(
                    at,
                    format!("taxonomy `{name}`: `paginate_path` left out; innsyn's later list pages are at `side/N/`"),
                ),
                "render" => report
                    .note(at, format!("taxonomy `{name}`: `render` left out; innsyn always writes the term pages")),
                other => report.note(at, format!("taxonomy `{name}`: `{other}` left out: innsyn has no such setting")),
            }
        }
        out.push(Value::Table(new));
    }
    out
}

/// `[languages.X]`: each language's title and description (its pages are
/// `page.X.md`, in Zola as in innsyn).
fn languages(value: &Value, at: &str, report: &mut Report) -> Table {
    let mut out = Table::new();
    for (code, settings) in value.as_table().into_iter().flatten() {
        let Some(lang) = Lang::parse(code) else {
            report.note(at, format!("the language `{code}` left out: innsyn writes nb, nn, en and se"));
            continue;
        };
        let mut new = Table::new();
        for (k, v) in settings.as_table().into_iter().flatten() {
            match k.as_str() {
                "title" | "description" => {
                    new.insert(k.clone(), v.clone());
                }
                "translations" => {}
                other => report.note(
                    at,
                    format!("`[languages.{code}]`: `{other}` left out: innsyn has no such setting per language"),
                ),
            }
        }
        out.insert(lang.code().into(), Value::Table(new));
    }
    out
}

/// `[translations]` (and `[languages.X.translations]`) become the site's `i18n/`
/// strings, which `trans(key=…)` reads.
fn translations(config: &Table, lang: Lang, out: &mut Writer, report: &mut Report) {
    let mut by_lang: BTreeMap<Lang, Table> = BTreeMap::new();
    if let Some(Value::Table(t)) = config.get("translations") {
        by_lang.entry(lang).or_default().extend(t.clone());
    }
    if let Some(Value::Table(langs)) = config.get("languages") {
        for (code, settings) in langs {
            let Some(t) = settings.get("translations").and_then(Value::as_table) else { continue };
            match Lang::parse(code) {
                Some(l) => by_lang.entry(l).or_default().extend(t.clone()),
                None => report
                    .note("config.toml", format!("translations for `{code}` left out: innsyn writes nb, nn or en")),
            }
        }
    }
    for (l, table) in by_lang {
        let path = format!("i18n/{}.toml", l.code());
        report.note("config.toml", format!("`translations` moved to `{path}`, read by `trans(key=…)`"));
        out.add(&path, toml::to_string(&table).unwrap_or_default().into_bytes());
    }
}

type Fix = dyn Fn(&str, Vec<u8>, &mut Report) -> Option<Vec<u8>>;

/// Copies the files under `dir` to `under/` in the new site through `fix`
/// (which may change a file, or drop it with `None`). Symbolic links and
/// hidden files are left behind: an import copies the site, nothing else.
fn copy_tree(dir: &Path, under: &str, out: &mut Writer, report: &mut Report, fix: &Fix) {
    if !fsx::is_dir(dir) {
        return;
    }
    let mut entries: Vec<_> = walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name().into_iter().collect();
    entries.retain(|e| e.as_ref().map(|e| e.depth() > 0).unwrap_or(true));
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                report.note(under, format!("a file could not be read: {e}"));
                continue;
            }
        };
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.to_string_lossy().replace('\\', "/");
        let shown = format!("{under}/{rel}");
        if rel.split('/').any(|p| p.starts_with('.')) {
            continue;
        }
        if entry.path_is_symlink() {
            report.note(shown, "a symbolic link, left behind: copy the file it points to if it belongs to the site");
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                if let Some(bytes) = fix(&shown, bytes, report) {
                    let name = templates_rename(under, &rel, report);
                    out.files.retain(|(p, _)| *p != name);
                    out.add(&name, bytes);
                }
            }
            Err(e) => report.note(shown, format!("could not be read: {e}")),
        }
    }
}

/// Zola's names of the taxonomy templates become innsyn's.
fn templates_rename(under: &str, rel: &str, report: &mut Report) -> String {
    if under != "templates" {
        return format!("{under}/{rel}");
    }
    let renamed = match rel {
        "taxonomy_single.html" => "taxonomy_term.html",
        other => other,
    };
    if renamed != rel {
        report.note(format!("templates/{rel}"), format!("renamed to `templates/{renamed}`"));
    }
    format!("templates/{renamed}")
}

/// Zola's template variables and functions innsyn writes otherwise, renamed.
const TEMPLATE_RENAMES: [(&str, &str); 6] = [
    ("page.reading_time", "page.reading_minutes"),
    ("page.lower", "page.later"),
    ("page.higher", "page.earlier"),
    ("current_url", "permalink"),
    ("paginator.pages", "section.pages"),
    ("config.author", "config.organization"),
];

/// What innsyn's templates cannot do that Zola's can, for the report.
const TEMPLATE_GAPS: [(&str, &str); 8] = [
    ("resize_image", "innsyn makes image sizes itself from Markdown images; remove the call"),
    ("get_image_metadata", "innsyn has no `get_image_metadata`"),
    ("load_data(url", "innsyn fetches nothing from the network at build; put the file in `data/`"),
    ("get_env", "innsyn's templates do not read the environment, so a build is the same everywhere"),
    ("get_random", "innsyn's output is the same on every build; there is no `get_random`"),
    ("page.translations", "translations are linked in innsyn's own way (see docs/translations.md)"),
    ("section.translations", "translations are linked in innsyn's own way (see docs/translations.md)"),
    ("config.markdown", "innsyn has no `[markdown]` settings"),
];

fn templates_fix(shown: &str, bytes: Vec<u8>, report: &mut Report) -> Option<Vec<u8>> {
    let Ok(mut text) = String::from_utf8(bytes.clone()) else { return Some(bytes) };
    if !shown.ends_with(".html") && !shown.ends_with(".xml") && !shown.ends_with(".txt") {
        return Some(bytes);
    }
    for (from, to) in TEMPLATE_RENAMES {
        let lines = word_lines(&text, from);
        if !lines.is_empty() {
            text = replace_word(&text, from, to);
            report.note(format!("{shown}:{}", join(&lines)), format!("`{from}` written as innsyn's `{to}`"));
        }
    }
    for (what, why) in TEMPLATE_GAPS {
        let lines = word_lines(&text, what);
        if !lines.is_empty() {
            report.note(format!("{shown}:{}", join(&lines)), format!("`{what}`: {why}"));
        }
    }
    Some(text.into_bytes())
}

fn join(lines: &[usize]) -> String {
    lines.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Where `word` stands on its own (not inside a longer name) in `text`.
fn word_at(text: &str) -> impl Fn(usize, &str) -> bool + '_ {
    move |i, word| {
        let before = text[..i].chars().next_back().is_none_or(|c| !is_word(c));
        let after = text[i + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_') || word.ends_with('('));
        before && after
    }
}

fn word_lines(text: &str, word: &str) -> Vec<usize> {
    let free = word_at(text);
    let mut lines: Vec<usize> = text
        .match_indices(word)
        .filter(|(i, _)| free(*i, word))
        .map(|(i, _)| text[..i].matches('\n').count() + 1)
        .collect();
    lines.dedup();
    lines
}

fn replace_word(text: &str, word: &str, with: &str) -> String {
    let free = word_at(text);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in text.match_indices(word) {
        if free(i, word) {
            out.push_str(&text[last..i]);
            out.push_str(with);
            last = i + word.len();
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Converts a Markdown file's front matter; other files are copied as they are.
fn content_fix(shown: &str, bytes: Vec<u8>, report: &mut Report, own_templates: bool) -> Option<Vec<u8>> {
    if !shown.ends_with(".md") {
        return Some(bytes);
    }
    let Ok(src) = String::from_utf8(bytes.clone()) else {
        report.note(shown, "not UTF-8 text: copied as it was; innsyn will say where");
        return Some(bytes);
    };
    let path = Path::new(shown);
    let split = match crate::content::split::split(path, &src) {
        Ok(s) => s,
        Err(_) => {
            report.note(shown, "has no front matter: copied as it was; innsyn needs one with a `title`");
            return Some(bytes);
        }
    };
    let front: Result<Table, String> = match split.format {
        crate::content::split::Format::Toml => toml::from_str(split.front).map_err(|e| e.to_string()),
        crate::content::split::Format::Yaml => serde_yaml_ng::from_str::<serde_json::Value>(split.front)
            .map_err(|e| e.to_string())
            .and_then(|v| toml::Value::try_from(without_nulls(v)).map_err(|e| e.to_string()))
            .map(|v| match v {
                Value::Table(t) => t,
                _ => Table::new(),
            }),
    };
    let front = match front {
        Ok(t) => t,
        Err(e) => {
            report.note(
                shown,
                format!("front matter that cannot be read, copied as it was: {}", e.lines().next().unwrap_or_default()),
            );
            return Some(bytes);
        }
    };
    let section = shown.ends_with("/_index.md") || shown == "content/_index.md";
    let line = |key: &str| line_of(split.front, key) + split.front_line_offset;
    let mut new = Table::new();
    let extra = front.get("extra").and_then(Value::as_table).cloned().unwrap_or_default();
    let known: &[&str] = if section { &SECTION_KEYS } else { &PAGE_KEYS };
    let base = shown.rsplit('/').next().unwrap_or(shown);
    for (key, value) in &front {
        let at = format!("{shown}:{}", line(key));
        if !own_templates && (key == "template" || key == "page_template") {
            report.note(at, format!("`{key}` left out: the site uses innsyn's own theme (`--innsyn-theme`)"));
            continue;
        }
        if known.contains(&key.as_str()) {
            if key == "sort_by" {
                new.insert(key.clone(), sort_by(value, &at, report));
            } else if key != "extra" {
                new.insert(key.clone(), value.clone());
            }
            continue;
        }
        match key.as_str() {
            "redirect_to" => report.note(
                at,
                "`redirect_to` left out: innsyn writes the section's own page; to send readers from an old address, give the page there an `aliases` entry",
            ),
            "in_search_index" => report.note(at, "`in_search_index` left out: innsyn's search holds every published page"),
            "insert_anchor_links" => report.note(at, "`insert_anchor_links` left out: innsyn's headings have their own ids for links"),
            "transparent" => report.note(at, "`transparent` left out: innsyn lists a section's own pages on it"),
            "render" => report.note(at, "`render` left out: innsyn writes every section's page"),
            "paginate_path" | "paginate_reversed" => {
                report.note(at, format!("`{key}` left out: innsyn's later list pages are at `side/N/`, in the section's order"))
            }
            "generate_feeds" | "generate_feed" => report.note(at, "left out: innsyn writes a feed for every section with dated pages"),
            "lang" => {
                if let Some(l) = value.as_str().and_then(Lang::parse) {
                    new.insert("lang".into(), l.code().into());
                } else {
                    report.note(at, "`lang` left out: innsyn writes nb, nn or en");
                }
            }
            other => report.note(at, format!("`{other}` left out: innsyn has no such field")),
        }
    }
    if !extra.is_empty() {
        new.insert("extra".into(), Value::Table(extra));
    }
    if !new.contains_key("title") {
        let title = base.trim_end_matches(".md").replace(['-', '_'], " ");
        let title = if section && title == "_index" { "Forside".to_string() } else { title };
        new.insert("title".into(), title.clone().into());
        report.note(format!("{shown}:1"), format!("innsyn needs a `title`: set to «{title}»"));
    }
    let mut text = String::from("+++\n");
    text.push_str(&front_matter(new));
    text.push_str("+++\n");
    text.push_str(split.body);
    Some(text.into_bytes())
}

/// The front matter as TOML: title, description and dates first, tables last.
fn front_matter(mut t: Table) -> String {
    let mut text = String::new();
    for key in ["title", "description", "date", "updated"] {
        if let Some(v) = t.remove(key) {
            let _ = writeln!(text, "{key} = {v}");
        }
    }
    let (tables, plain): (Table, Table) = t.into_iter().partition(|(_, v)| v.is_table());
    text.push_str(&toml::to_string(&plain).unwrap_or_default());
    if !tables.is_empty() {
        text.push('\n');
        text.push_str(&toml::to_string(&tables).unwrap_or_default());
    }
    text
}

fn sort_by(value: &Value, at: &str, report: &mut Report) -> Value {
    let v = value.as_str().unwrap_or_default();
    let (to, why) = match v {
        "date" | "title" | "weight" => return value.clone(),
        "update_date" => ("date", "innsyn orders by the `date`"),
        "title_bytes" => ("title", "innsyn orders titles in Norwegian alphabetical order"),
        "slug" => ("title", "innsyn orders by title, date or weight"),
        _ => ("weight", "innsyn orders by title, date or weight"),
    };
    report.note(at, format!("`sort_by = \"{v}\"` written as `\"{to}\"`: {why}"));
    to.into()
}

fn without_nulls(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect(),
        ),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().filter(|v| !v.is_null()).map(without_nulls).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_are_renamed_only_where_they_stand_alone() {
        let t = "{{ page.reading_time }} {{ page.reading_times }} {{ mypage.lower }} {{ page.lower.title }}";
        assert_eq!(
            replace_word(t, "page.reading_time", "page.reading_minutes"),
            "{{ page.reading_minutes }} {{ page.reading_times }} {{ mypage.lower }} {{ page.lower.title }}"
        );
        assert_eq!(
            replace_word(t, "page.lower", "page.later"),
            t.replace("{{ page.lower.title", "{{ page.later.title")
        );
        assert_eq!(word_lines("a\nresize_image(path=1)\n", "resize_image"), vec![2]);
    }
}
