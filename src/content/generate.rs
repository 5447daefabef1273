//! Pages made from data: a section's `[generate]` table names a data file and a
//! column, and the section gets one page per distinct value of that column
//! (one page per municipality from one national file), with a title and slug
//! made from patterns (`"{kommune}"`), front matter shared by all, and one body
//! whose charts and tables filter themselves to the page's value. Pure: the
//! settings are checked from the front matter here, and the pages are made from
//! the loaded tables; nothing is read from disk.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::shortcodes::{self, Body, Value};
use super::slug::slugify;
use super::split::Split;
use super::{Page, Section};
use crate::data::{DataFile, Filter, Table};
use crate::dates::{Date, RawDate};
use crate::error::{did_you_mean, Diagnostic, Diagnostics};

/// `[generate]` as the front matter writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    data: Option<String>,
    group_by: Option<String>,
    title: Option<String>,
    slug: Option<String>,
    #[serde(default)]
    description: String,
    template: Option<String>,
    date: Option<RawDate>,
    updated: Option<RawDate>,
    weight: Option<i64>,
    #[serde(default)]
    taxonomies: BTreeMap<String, Vec<String>>,
    extra: Option<serde_json::Value>,
    #[serde(default)]
    body: String,
}

/// A section's checked `[generate]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// The data file, inside `data/`.
    pub data: String,
    /// The column whose distinct values each get a page.
    pub group_by: String,
    /// Pattern of each page's title.
    pub title: Pattern,
    /// Pattern of each page's slug (the group's value when not given).
    pub slug: Pattern,
    /// Pattern of each page's description.
    pub description: Pattern,
    /// The pages' template, if set.
    pub template: Option<String>,
    /// The pages' date and last change, if set.
    pub date: Option<Date>,
    /// See `date`.
    pub updated: Option<Date>,
    /// The pages' weight.
    pub weight: i64,
    /// Patterns of each taxonomy's terms.
    pub taxonomies: BTreeMap<String, Vec<Pattern>>,
    /// The `extra` table; its strings are patterns.
    pub extra: serde_json::Value,
    /// The pages' body, shortcodes found; its `{column}`s are filled in per page.
    pub body: Body,
    /// The front matter's line of each key (`generate.title`, …), for errors.
    pub lines: BTreeMap<String, usize>,
}

/// Text with `{column}` places, filled in from a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The pattern as written.
    pub written: String,
    /// Literal text and column names, alternating (a name at every odd index).
    parts: Vec<String>,
}

impl Pattern {
    /// Reads a pattern: `{name}` is a column, `{{` and `}}` are a brace.
    ///
    /// ```
    /// use innsyn::content::generate::Pattern;
    /// let p = Pattern::parse("Befolkning i {kommune}").unwrap();
    /// assert_eq!(p.columns(), ["kommune"]);
    /// assert!(Pattern::parse("{kommune").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Pattern, String> {
        let mut parts = vec![String::new()];
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    if let Some(p) = parts.last_mut() {
                        p.push('{');
                    }
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    if let Some(p) = parts.last_mut() {
                        p.push('}');
                    }
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') | None => {
                                return Err(format!("`{s}` opens `{{` without closing it with `}}`"));
                            }
                            Some(c) => name.push(c),
                        }
                    }
                    if name.trim().is_empty() {
                        return Err(format!("`{s}` has `{{}}` without a column name inside"));
                    }
                    parts.push(name.trim().to_string());
                    parts.push(String::new());
                }
                '}' => return Err(format!("`{s}` closes `}}` without opening it (write `}}}}` for a brace)")),
                c => {
                    if let Some(p) = parts.last_mut() {
                        p.push(c);
                    }
                }
            }
        }
        Ok(Pattern { written: s.to_string(), parts })
    }

    /// The column names it uses.
    pub fn columns(&self) -> Vec<&str> {
        self.parts.iter().skip(1).step_by(2).map(String::as_str).collect()
    }

    /// The text with each column's value of `row` in place, each value passed through `escape`.
    fn fill(&self, row: &Row, escape: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        for (i, part) in self.parts.iter().enumerate() {
            if i % 2 == 0 {
                out.push_str(part);
            } else {
                out.push_str(&escape(row.get(part)));
            }
        }
        out
    }
}

/// A row of the data file, its cells by column name (the names as patterns write them).
struct Row<'a> {
    table: &'a Table,
    row: usize,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.table.column(column).map_or("", |c| self.table.raw(self.row, c).trim())
    }
}

/// Checks `[generate]` of the section file `file`; faults at their lines.
pub fn check(file: &Path, split: &Split, raw: RawSpec, errors: &mut Diagnostics) -> Option<Spec> {
    // The keys are looked for below `[generate]`, where they are written.
    let table_line = crate::config::key_position(split.front, "generate").map_or(0, |(l, _)| l);
    let below: String = split.front.lines().skip(table_line.saturating_sub(1)).collect::<Vec<_>>().join("\n");
    let line_of = |key: &str| {
        crate::config::key_position(&below, key).map_or(table_line.max(1), |(l, _)| l + table_line.saturating_sub(1))
            + split.front_line_offset
    };
    let mut lines = BTreeMap::new();
    for key in ["data", "group_by", "title", "slug", "description", "taxonomies", "extra", "body", "date", "updated"] {
        lines.insert(key.to_string(), line_of(key));
    }
    let at = |key: &str, message: String| Diagnostic::at(file, lines[key], 1, message);
    let before = errors.len();
    let mut need = |key: &str, value: &Option<String>, example: &str| -> String {
        match value.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => {
                errors.push(
                    Diagnostic::at(
                        file,
                        table_line + split.front_line_offset,
                        1,
                        format!("`[generate]` needs `{key}`"),
                    )
                    .hint(format!("add `{key} = \"{example}\"` below `[generate]`")),
                );
                String::new()
            }
        }
    };
    let data = need("data", &raw.data, "befolkning.json").trim_start_matches("data/").to_string();
    let group_by = need("group_by", &raw.group_by, "kommunenummer");
    let title_text = need("title", &raw.title, "Befolkningen i {kommune}");
    let mut pattern =
        |key: &str, s: &str| {
            Pattern::parse(s).map_err(|why| {
                errors.push(at(key, format!("`generate.{key}`: {why}")).hint(
                    "write a column's name in braces, e.g. `\"Befolkningen i {kommune}\"`; write `{{` for a brace",
                ))
            })
        };
    let title = pattern("title", &title_text);
    let slug = pattern("slug", raw.slug.as_deref().unwrap_or(&format!("{{{group_by}}}")));
    let description = pattern("description", &raw.description);
    let mut taxonomies = BTreeMap::new();
    for (name, terms) in &raw.taxonomies {
        let parsed: Vec<Pattern> = terms.iter().filter_map(|t| pattern("taxonomies", t).ok()).collect();
        taxonomies.insert(name.clone(), parsed);
    }
    let extra = match raw.extra {
        None | Some(serde_json::Value::Null) => serde_json::Value::Object(Default::default()),
        Some(v @ serde_json::Value::Object(_)) => {
            check_extra_patterns(&v, &mut |s| {
                let _ = pattern("extra", s);
            });
            v
        }
        Some(_) => {
            errors.push(at("extra", "`generate.extra` must be a table of your own fields".into()));
            serde_json::Value::Object(Default::default())
        }
    };
    let mut date_of = |key: &str, raw: &Option<RawDate>| {
        raw.as_ref().and_then(|d| {
            Date::parse(&d.0)
                .map_err(|why| {
                    errors.push(
                        at(key, format!("`generate.{key}` is not a real date: {why}"))
                            .hint("write dates as YYYY-MM-DD, e.g. `2024-03-05`"),
                    )
                })
                .ok()
        })
    };
    let date = date_of("date", &raw.date);
    let updated = date_of("updated", &raw.updated);
    // The body is a TOML string: its first line is the line after `body = """`.
    let body_line = lines["body"];
    let opens_block = split
        .front
        .lines()
        .nth(body_line.saturating_sub(split.front_line_offset + 1))
        .is_some_and(|l| l.trim_end().ends_with("\"\"\"") || l.trim_end().ends_with("'''"));
    let body_offset = if opens_block { body_line } else { body_line.saturating_sub(1) };
    let body = match shortcodes::parse(file, &raw.body, body_offset) {
        Ok(b) => b,
        Err(e) => {
            errors.extend(e.0);
            Body::default()
        }
    };
    if errors.len() > before {
        return None;
    }
    Some(Spec {
        data,
        group_by,
        title: title.ok()?,
        slug: slug.ok()?,
        description: description.ok()?,
        template: raw.template,
        date,
        updated,
        weight: raw.weight.unwrap_or(0),
        taxonomies,
        extra,
        body,
        lines,
    })
}

fn check_extra_patterns(v: &serde_json::Value, check: &mut dyn FnMut(&str)) {
    match v {
        serde_json::Value::String(s) => check(s),
        serde_json::Value::Array(items) => items.iter().for_each(|i| check_extra_patterns(i, check)),
        serde_json::Value::Object(map) => map.values().for_each(|i| check_extra_patterns(i, check)),
        _ => {}
    }
}

fn fill_json(v: &serde_json::Value, row: &Row) -> serde_json::Value {
    match v {
        serde_json::Value::String(s) => {
            serde_json::Value::String(Pattern::parse(s).map_or_else(|_| s.clone(), |p| p.fill(row, &|t| t.to_string())))
        }
        serde_json::Value::Array(items) => items.iter().map(|i| fill_json(i, row)).collect(),
        serde_json::Value::Object(map) => map.iter().map(|(k, i)| (k.clone(), fill_json(i, row))).collect(),
        other => other.clone(),
    }
}

/// Text put into Markdown as it is: ASCII punctuation escaped with `\`, so a
/// value can start no list, emphasis, link or HTML tag.
fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `{column}`s of a body replaced where they name a column; other braces are kept.
fn fill_loose(text: &str, table: &Table, row: &Row, escape: &dyn Fn(&str) -> String) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find(['}', '{', '\n']).filter(|&i| after.as_bytes()[i] == b'}');
        match close {
            Some(close) if open_ok(&rest[..open]) && table.column(&after[..close]).is_some() => {
                out.push_str(&escape(row.get(&after[..close])));
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A `{` right after another `{` or `%` belongs to a shortcode, not a pattern.
fn open_ok(before: &str) -> bool {
    !before.ends_with(['{', '%'])
}

/// The page made for one value: fills `spec`'s patterns from the group's first row.
fn body_for(spec: &Spec, table: &Table, row: &Row, filter: Filter) -> Body {
    let plain = |t: &str| t.to_string();
    let mut body = spec.body.clone();
    body.markdown = fill_loose(&body.markdown, table, row, &markdown_text);
    for call in &mut body.calls {
        for v in call.args.values_mut() {
            fill_value(v, table, row, &plain);
        }
        if let Some(b) = call.body.as_mut() {
            *b = fill_loose(b, table, row, &markdown_text);
        }
    }
    body.page_filter = Some(filter);
    body
}

fn fill_value(v: &mut Value, table: &Table, row: &Row, escape: &dyn Fn(&str) -> String) {
    match v {
        Value::Str(s) => *s = fill_loose(s, table, row, escape),
        Value::Array(items) => items.iter_mut().for_each(|i| fill_value(i, table, row, escape)),
        _ => {}
    }
}

/// The folder of the section a hand-written page belongs to.
fn section_of(content_path: &str) -> &str {
    let dir = content_path.rsplit_once('/').map_or("", |(d, _)| d);
    if content_path.ends_with("/index.md") || content_path == "index.md" {
        dir.rsplit_once('/').map_or("", |(d, _)| d)
    } else {
        dir
    }
}

/// Makes the pages of every section with `[generate]`, from `data`. A page whose
/// section already has a hand-written page with its slug is left out: the
/// hand-written one overrides it. Faults go to `errors`, each at the data file's
/// row or the `_index.md` line.
pub fn pages(
    sections: &[Section],
    written: &[Page],
    data: &BTreeMap<String, DataFile>,
    errors: &mut Diagnostics,
) -> Vec<Page> {
    let taken: HashSet<(&str, &str)> = written.iter().map(|p| (section_of(&p.content_path), p.slug.as_str())).collect();
    let mut out = Vec::new();
    for section in sections {
        let Some(spec) = &section.generate else { continue };
        match section_pages(section, spec, data, errors) {
            Ok(pages) => {
                out.extend(pages.into_iter().filter(|p| !taken.contains(&(section.dir.as_str(), p.slug.as_str()))))
            }
            Err(e) => errors.extend(e.0),
        }
    }
    out
}

/// The pages of one section; faults of its settings are the error, and faults of
/// rows go to `row_errors` while the other rows still make their pages (so links
/// to them are not reported as broken too).
fn section_pages(
    section: &Section,
    spec: &Spec,
    data: &BTreeMap<String, DataFile>,
    row_errors: &mut Diagnostics,
) -> Result<Vec<Page>, Diagnostics> {
    let file = &section.file;
    let at = |key: &str, message: String| Diagnostic::at(file, spec.lines[key], 1, message);
    let Some(data_file) = data.get(&spec.data) else {
        let names: Vec<&str> = data.keys().map(String::as_str).collect();
        let d = at("data", format!("`generate.data`: there is no data file `data/{}`", spec.data));
        return Err(match did_you_mean(&spec.data, &names) {
            Some(best) => d.hint(format!("did you mean `{best}`?")),
            None => d.hint("put the file in the site's `data/` folder"),
        }
        .into());
    };
    if data_file.broken {
        return Ok(Vec::new()); // Already reported.
    }
    let table = &data_file.table;
    let shown = format!("data/{}", table.name);
    let names = table.column_names();
    let mut errors = Diagnostics::default();
    let unknown = |key: &str, column: &str| {
        let d = at(key, format!("`generate.{key}` names the column `{column}`, which `{shown}` does not have"));
        match did_you_mean(column, &names) {
            Some(best) => d.hint(format!("did you mean `{best}`?")),
            None => d.hint(format!("the columns are {}", names.join(", "))),
        }
    };
    let group = table.column(&spec.group_by);
    if group.is_none() {
        errors.push(unknown("group_by", &spec.group_by));
    }
    let mut patterns: Vec<(&str, &Pattern)> =
        vec![("title", &spec.title), ("slug", &spec.slug), ("description", &spec.description)];
    patterns.extend(spec.taxonomies.values().flatten().map(|p| ("taxonomies", p)));
    let mut extra_patterns = Vec::new();
    check_extra_patterns(&spec.extra, &mut |s| extra_patterns.extend(Pattern::parse(s).ok()));
    patterns.extend(extra_patterns.iter().map(|p| ("extra", p)));
    for (key, p) in &patterns {
        for c in p.columns() {
            // An unknown `group_by` is said once, not again for the slug made from it.
            if table.column(c).is_none() && !(group.is_none() && c == spec.group_by) {
                errors.push(unknown(key, c));
            }
        }
    }
    let Some(group) = group else { return Err(errors) };
    if !errors.is_empty() {
        return Err(errors);
    }
    let errors = row_errors;

    // The distinct values, in the order the file first gives them.
    let mut first_row: HashMap<&str, usize> = HashMap::new();
    let mut values: Vec<(&str, usize)> = Vec::new();
    for r in 0..table.row_count() {
        let v = table.raw(r, group).trim();
        if v.is_empty() {
            let (line, col) = table.position(r, group);
            errors.push(
                Diagnostic::at(
                    &shown,
                    line,
                    col,
                    format!(
                        "row {} has no `{}`, so no page can be made for it (`{}` makes one page per value)",
                        r + 1,
                        table.columns[group].name,
                        file.display()
                    ),
                )
                .hint("fill in the value, or remove the row"),
            );
            continue;
        }
        if !first_row.contains_key(v) {
            first_row.insert(v, r);
            values.push((v, r));
        }
    }
    let mut slugs: HashMap<String, (String, usize)> = HashMap::new();
    let mut pages = Vec::with_capacity(values.len());
    for (value, r) in values {
        let row = Row { table, row: r };
        let (line, col) = table.position(r, group);
        let here = |message: String| Diagnostic::at(&shown, line, col, message);
        let plain = |t: &str| t.to_string();
        let empty: Vec<(&str, &str)> =
            [("title", &spec.title), ("slug", &spec.slug), ("description", &spec.description)]
                .into_iter()
                .flat_map(|(key, p)| p.columns().into_iter().map(move |c| (key, c)))
                .filter(|(_, c)| row.get(c).is_empty())
                .collect();
        if let Some((key, c)) = empty.first() {
            errors.push(
                here(format!("the page for `{value}` has no `{c}` in this row, which its {key} is made from")).hint(
                    format!(
                        "fill in the value, or use other columns in `generate.{key}` ({}:{})",
                        file.display(),
                        spec.lines[*key]
                    ),
                ),
            );
            continue;
        }
        let title = spec.title.fill(&row, &plain);
        if title.trim().is_empty() {
            errors.push(
                here(format!(
                    "the page for `{value}` gets an empty title from `generate.title = \"{}\"`",
                    spec.title.written
                ))
                .hint(format!(
                    "fill in the row's values, or use other columns in the title ({}:{})",
                    file.display(),
                    spec.lines["title"]
                )),
            );
            continue;
        }
        let slug = slugify(&spec.slug.fill(&row, &plain));
        if slug.is_empty() {
            errors.push(
                here(format!(
                    "the page for `{value}` gets an address without letters or digits from `generate.slug = \"{}\"`",
                    spec.slug.written
                ))
                .hint(format!(
                    "use a column with letters or digits in the slug ({}:{})",
                    file.display(),
                    spec.lines["slug"]
                )),
            );
            continue;
        }
        if let Some((other, other_row)) = slugs.get(&slug) {
            errors.push(
                here(format!(
                    "the pages for `{other}` (line {}) and `{value}` would both get the address `{slug}`",
                    table.row_line(*other_row)
                ))
                .hint(format!(
                    "make the slug from a column whose values differ, e.g. the code: `slug = \"{{{}}}\"` ({}:{})",
                    table.columns[group].name,
                    file.display(),
                    spec.lines["slug"]
                )),
            );
            continue;
        }
        slugs.insert(slug.clone(), (value.to_string(), r));
        let filter = Filter(vec![(table.columns[group].name.clone(), value.to_string())]);
        let original = if section.dir.is_empty() { format!("{slug}.md") } else { format!("{}/{slug}.md", section.dir) };
        // In a translated section (`_index.en.md`), the pages are that language's
        // versions of the default language's generated pages with the same slug.
        let content_path = match section.file_lang {
            Some(lang) => format!("{}.{}.md", original.trim_end_matches(".md"), lang.code()),
            None => original.clone(),
        };
        pages.push(Page {
            file: PathBuf::from(file),
            content_path,
            title,
            description: spec.description.fill(&row, &plain),
            date: spec.date,
            updated: spec.updated,
            draft: false,
            weight: spec.weight,
            slug,
            aliases: Vec::new(),
            path: None,
            authors: Vec::new(),
            file_lang: section.file_lang,
            original,
            template: spec.template.clone(),
            kind: "page".into(),
            lang: None,
            taxonomies: spec
                .taxonomies
                .iter()
                .map(|(name, terms)| {
                    (
                        name.clone(),
                        terms.iter().map(|t| t.fill(&row, &plain)).filter(|t| !t.trim().is_empty()).collect(),
                    )
                })
                .collect(),
            extra: fill_json(&spec.extra, &row),
            body: body_for(spec, table, &row, filter),
            key_lines: spec
                .lines
                .iter()
                .filter(|(k, _)| matches!(k.as_str(), "title" | "taxonomies"))
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            assets: Vec::new(),
            mandate: None,
            goal: None,
            front_matter: String::new(),
            generated: true,
        });
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::parse_section;

    fn data(src: &str) -> BTreeMap<String, DataFile> {
        let mut t = crate::data::parse_delimited("data/k.csv", src.as_bytes()).unwrap();
        t.name = "k.csv".into();
        BTreeMap::from([("k.csv".to_string(), DataFile { table: t, provenance: None, broken: false })])
    }

    fn section(generate: &str) -> Result<Section, Diagnostics> {
        parse_section(
            Path::new("content/kommuner/_index.md"),
            "kommuner",
            &format!("+++\ntitle = \"Kommuner\"\n\n[generate]\n{generate}\n+++\n"),
        )
    }

    const CSV: &str = "knr,kommune,år,folk\n9901,Fjellvik,2024,100\n9901,Fjellvik,2025,110\n9902,Ås i dalen,2024,50\n";

    #[test]
    fn one_page_per_value_with_titles_slugs_and_a_filter() {
        let s = section("data = \"k.csv\"\ngroup_by = \"knr\"\ntitle = \"Befolkningen i {kommune}\"\nslug = \"{kommune}\"\n[generate.taxonomies]\nkommune = [\"{kommune}\"]").unwrap();
        let mut errors = Diagnostics::default();
        let pages = pages(&[s], &[], &data(CSV), &mut errors);
        assert!(errors.is_empty(), "{errors}");
        let titles: Vec<(&str, &str, &str)> =
            pages.iter().map(|p| (p.title.as_str(), p.slug.as_str(), p.content_path.as_str())).collect();
        assert_eq!(
            titles,
            [
                ("Befolkningen i Fjellvik", "fjellvik", "kommuner/fjellvik.md"),
                ("Befolkningen i Ås i dalen", "as-i-dalen", "kommuner/as-i-dalen.md")
            ]
        );
        assert_eq!(pages[1].taxonomies["kommune"], ["Ås i dalen"]);
        assert_eq!(pages[0].body.page_filter.as_ref().unwrap().to_string(), "knr=9901");
    }

    #[test]
    fn a_hand_written_page_with_the_same_slug_overrides_the_generated_one() {
        let s = section("data = \"k.csv\"\ngroup_by = \"knr\"\ntitle = \"{kommune}\"").unwrap();
        let written = crate::content::parse_page(
            Path::new("content/kommuner/x.md"),
            "kommuner/x.md",
            "+++\ntitle = \"Egen\"\nslug = \"9901\"\n+++\n",
        )
        .unwrap();
        let mut errors = Diagnostics::default();
        let made = pages(&[s], &[written], &data(CSV), &mut errors);
        assert_eq!(made.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(), ["9902"]);
    }

    #[test]
    fn values_go_into_the_body_escaped_for_markdown_and_plain_in_shortcodes() {
        let s = section("data = \"k.csv\"\ngroup_by = \"knr\"\ntitle = \"{kommune}\"\nbody = \"\"\"\n# {kommune} {ukjent}\n{{ chart(data=\\\"k.csv\\\", x=\\\"år\\\", y=\\\"folk\\\", title=\\\"Folk i {kommune}\\\") }}\n\"\"\"").unwrap();
        let mut errors = Diagnostics::default();
        let mut d = data(CSV);
        d.get_mut("k.csv").unwrap().table =
            crate::data::parse_delimited("data/k.csv", "knr,kommune,år,folk\n1,<b>*A*</b>,1,1\n".as_bytes()).unwrap();
        let made = pages(&[s], &[], &d, &mut errors);
        assert!(errors.is_empty(), "{errors}");
        assert!(made[0].body.markdown.starts_with("# \\<b\\>\\*A\\*\\<\\/b\\> {ukjent}"), "{}", made[0].body.markdown);
        assert_eq!(made[0].body.calls[0].args["title"], Value::Str("Folk i <b>*A*</b>".into()));
        assert_eq!(made[0].body.calls[0].line, 10, "calls keep their line in _index.md");
    }

    #[test]
    fn bad_settings_are_reported_at_their_lines_and_bad_rows_at_theirs() {
        let s = section("data = \"k.csv\"\ngroup_by = \"kommunenr\"\ntitle = \"{navn}\"").unwrap();
        let mut errors = Diagnostics::default();
        pages(&[s], &[], &data(CSV), &mut errors);
        let text = errors.to_string();
        assert!(
            text.contains("content/kommuner/_index.md:6:1: error: `generate.group_by` names the column `kommunenr`"),
            "{text}"
        );
        assert!(
            text.contains("content/kommuner/_index.md:7:1: error: `generate.title` names the column `navn`"),
            "{text}"
        );

        let s = section("data = \"k.csv\"\ngroup_by = \"knr\"\ntitle = \"{kommune}\"\nslug = \"{år}\"").unwrap();
        let mut errors = Diagnostics::default();
        pages(&[s], &[], &data("knr,kommune,år\n1,A,2024\n,B,2024\n2,C,2024\n3,,2025\n"), &mut errors);
        let text = errors.to_string();
        assert!(text.contains("data/k.csv:3:1: error: row 2 has no `knr`"), "{text}");
        assert!(
            text.contains(
                "data/k.csv:4:1: error: the pages for `1` (line 2) and `2` would both get the address `2024`"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "data/k.csv:5:1: error: the page for `3` has no `kommune` in this row, which its title is made from"
            ),
            "{text}"
        );

        let err = section("group_by = \"knr\"\ntitle = \"{kommune\"").unwrap_err().to_string();
        assert!(err.contains("content/kommuner/_index.md:4:1: error: `[generate]` needs `data`"), "{err}");
        assert!(err.contains("content/kommuner/_index.md:6:1: error: `generate.title`: `{kommune` opens `{`"), "{err}");
    }
}
