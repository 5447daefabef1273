//! The template functions and filters Zola templates call (`get_url`, `get_page`,
//! `get_section`, `get_taxonomy`, `get_taxonomy_url`, `trans`, `now`, `get_hash`;
//! `date`, `slugify`, `urlencode`, `num_format`), so a Zola theme or a site moved
//! over from Zola renders with few changes. Documented in `docs/templates.md`.
//!
//! tera's functions must own what they read, so the site's part of it is a
//! [`Lookup`] made once per build and shared through a slot the functions hold.
//! Pages, sections and taxonomies go into it only when a template calls a
//! function that reads them, so a site whose templates call none pays nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use serde_json::{json, Value};
use sha2::Digest;

use super::views;
use super::Bodies;
use crate::content::slug::slugify;
use crate::dates::{self, Date};
use crate::error::Diagnostic;
use crate::lang::Lang;
use crate::site::Site;
use crate::theme::Theme;

/// What the functions read of the site, made by [`Lookup::new`].
#[derive(Default)]
pub struct Lookup {
    /// The site's language: the default of `trans`, `date` and `num_format`.
    lang: Option<Lang>,
    /// `@/` paths (inside `content/`) of every page and section → site-absolute path.
    targets: HashMap<String, String>,
    /// Pages by path inside `content/`, as `get_page` returns them.
    pages: HashMap<String, Value>,
    /// Sections by path of their `_index.md` inside `content/`.
    sections: HashMap<String, Value>,
    /// Taxonomies by name and language, as `get_taxonomy` returns them.
    taxonomies: HashMap<(String, Lang), Value>,
    /// Term paths by taxonomy and language, then by term slug.
    terms: HashMap<(String, Lang), HashMap<String, String>>,
}

/// Which of the functions the templates call, read off their sources once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Uses {
    /// `get_url` or `get_taxonomy_url`: the paths of pages, sections and terms.
    pub targets: bool,
    /// `get_page`, `get_section` or `get_taxonomy`: their views too.
    pub views: bool,
    /// `get_hash` or `cachebust`: the static files' bytes.
    pub hashes: bool,
}

impl Uses {
    /// Reads which functions the theme's templates call.
    pub fn of(theme: &Theme) -> Uses {
        let mut uses = Uses::default();
        for t in theme.templates.values() {
            let s = t.source.as_str();
            uses.targets |= s.contains("get_url") || s.contains("get_taxonomy_url");
            uses.views |= s.contains("get_page") || s.contains("get_section") || s.contains("get_taxonomy");
            uses.hashes |= s.contains("get_hash") || s.contains("cachebust");
        }
        uses
    }

    /// Whether what a template renders can depend on other pages than its own
    /// (so a dev server cannot re-render one page alone).
    pub fn reads_site(self) -> bool {
        self.targets || self.views
    }
}

/// The slot the functions read the current build's [`Lookup`] from.
pub type Slot = Arc<RwLock<Arc<Lookup>>>;

impl Lookup {
    /// The lookup of `site` for templates that call what `uses` says; with
    /// `bodies`, pages and sections carry their `content` (an error when a
    /// page's cannot be read back).
    pub fn new(site: &Site, bodies: Option<&Bodies>, uses: Uses) -> Result<Lookup, Diagnostic> {
        let mut lookup = Lookup { lang: Some(site.settings.language), ..Lookup::default() };
        if !(uses.targets || uses.views) {
            return Ok(lookup);
        }
        for node in &site.pages {
            lookup.targets.insert(node.page.content_path.clone(), node.path.clone());
        }
        // A translated section's own file (`_index.en.md`) names it; its folder's
        // `_index.md` names the default language's, which comes first.
        for node in &site.sections {
            for key in section_keys(site, node) {
                lookup.targets.insert(key, node.path.clone());
            }
        }
        for t in &site.taxonomies {
            let terms = t.terms.iter().map(|term| (slugify(&term.name), term.path.clone())).collect();
            lookup.terms.insert((t.taxonomy.name.clone(), t.lang), terms);
        }
        if uses.views {
            lookup.add_views(site, bodies)?;
        }
        Ok(lookup)
    }

    fn add_views(&mut self, site: &Site, bodies: Option<&Bodies>) -> Result<(), Diagnostic> {
        let empty = crate::markdown::Rendered::default();
        let page_body = |i: usize| bodies.and_then(|b| b.pages.get(i)).unwrap_or(&empty);
        let content = |i: usize| bodies.map(|b| b.page_html_of(site, i).map(|c| c.into_owned())).transpose();
        let summaries: Vec<Value> =
            (0..site.pages.len()).map(|i| to_value(&views::summary(site, i, page_body(i)))).collect();
        for (i, node) in site.pages.iter().enumerate() {
            let p = &node.page;
            let body = page_body(i);
            let mut v = summaries[i].clone();
            if let Value::Object(m) = &mut v {
                m.insert("permalink".into(), site.settings.permalink(&node.path).into());
                m.insert("content".into(), content(i)?.unwrap_or_default().into());
                m.insert("toc".into(), to_value(&body.toc));
                m.insert("updated".into(), views::iso(p.updated).into());
                m.insert("updated_text".into(), views::text(p.updated, node.lang).into());
                m.insert("word_count".into(), body.word_count.into());
                m.insert("reading_minutes".into(), body.word_count.div_ceil(200).max(1).into());
                m.insert("relative_path".into(), p.content_path.clone().into());
                m.insert("slug".into(), p.slug.clone().into());
                m.insert("assets".into(), to_value(&p.assets));
            }
            self.pages.insert(p.content_path.clone(), v);
        }
        for (i, node) in site.sections.iter().enumerate() {
            let body = bodies.and_then(|b| b.sections.get(i)).unwrap_or(&empty);
            let pages = node.pages.iter().map(|&p| summaries[p].clone()).collect();
            let mut v = to_value(&views::section(site, node, body, Vec::new()));
            if let Value::Object(m) = &mut v {
                m.insert("pages".into(), Value::Array(pages));
                m.insert("relative_path".into(), section_key(&node.section.dir).into());
            }
            for key in section_keys(site, node) {
                self.sections.insert(key, v.clone());
            }
        }
        for t in &site.taxonomies {
            let items: Vec<Value> = t
                .terms
                .iter()
                .map(|term| {
                    json!({
                        "name": term.name,
                        "slug": slugify(&term.name),
                        "path": term.path,
                        "permalink": site.settings.permalink(&term.path),
                        "count": term.pages.len(),
                        "page_count": term.pages.len(),
                        "pages": term.pages.iter().map(|&p| summaries[p].clone()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let terms: Vec<Value> = t
                .terms
                .iter()
                .map(|term| json!({ "name": term.name, "path": term.path, "count": term.pages.len() }))
                .collect();
            let v = json!({
                "name": t.taxonomy.name,
                "title": t.taxonomy.title,
                "path": t.path,
                "permalink": site.settings.permalink(&t.path),
                "terms": terms,
                "kind": { "name": t.taxonomy.name, "title": t.taxonomy.title, "feed": t.taxonomy.feed,
                          "paginate_by": t.taxonomy.paginate_by },
                "items": items,
                "lang": t.lang.code(),
            });
            self.taxonomies.insert((t.taxonomy.name.clone(), t.lang), v);
        }
        Ok(())
    }
}

/// The `@/` paths that name a section: its folder's `_index.md` in the site's
/// default language, its own file (`blogg/_index.en.md`) in another. A
/// language's section made for its translated pages alone has neither.
fn section_keys(site: &Site, node: &crate::site::SectionNode) -> Vec<String> {
    let file = node.section.file.to_string_lossy().replace('\\', "/");
    let own = file.strip_prefix("content/").unwrap_or(&file).to_string();
    if node.tree == site.settings.language {
        vec![section_key(&node.section.dir)]
    } else if own.ends_with(&format!(".{}.md", node.tree.code())) {
        vec![own]
    } else {
        Vec::new()
    }
}

/// `blog/_index.md` for the section in folder `blog` (`_index.md` for the root).
fn section_key(dir: &str) -> String {
    let dir = dir.trim_matches('/');
    if dir.is_empty() {
        "_index.md".to_string()
    } else {
        format!("{dir}/_index.md")
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

type Args = HashMap<String, Value>;

fn text<'a>(args: &'a Args, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

fn flag(args: &Args, key: &str, default: bool) -> tera::Result<bool> {
    match args.get(key) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(tera::Error::msg(format!("`{key}` must be true or false, not {v}"))),
    }
}

fn required<'a>(args: &'a Args, function: &str, key: &str, example: &str) -> tera::Result<&'a str> {
    text(args, key)
        .ok_or_else(|| tera::Error::msg(format!("`{function}` needs `{key}`, e.g. `{function}({key}=\"{example}\")`")))
}

/// The language an argument names (`lang="nn"`, or Zola's `locale="nn_NO"`).
fn lang_arg(args: &Args, lookup: &Lookup) -> tera::Result<Lang> {
    match text(args, "lang").or_else(|| text(args, "locale")) {
        None => Ok(lookup.lang.unwrap_or(Lang::Nb)),
        Some(code) => {
            let base = code.split(['_', '-', '.']).next().unwrap_or(code);
            Lang::parse(code)
                .or_else(|| Lang::parse(base))
                .ok_or_else(|| tera::Error::msg(format!("unknown language `{code}`: use `nb`, `nn` or `en`")))
        }
    }
}

/// A closest name among `known`, for a hint.
fn closest<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> String {
    let best = known
        .map(|k| (strsim::levenshtein(name, k), k))
        .filter(|(d, _)| *d <= 3)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    best.map(|(_, k)| format!("; did you mean `{k}`?")).unwrap_or_default()
}

/// Registers every function and filter of this module on `tera`.
pub fn register(tera: &mut tera::Tera, theme: &Theme, slot: &Slot, uses: Uses) {
    let statics: Arc<BTreeMap<String, Vec<u8>>> = Arc::new(if uses.hashes {
        theme
            .static_files
            .iter()
            .map(|(path, (_, bytes))| (path.trim_start_matches('/').to_string(), bytes.clone()))
            .collect()
    } else {
        BTreeMap::new()
    });
    let strings: Arc<BTreeMap<Lang, serde_json::Map<String, Value>>> = Arc::new(theme.strings.clone());

    let s = Arc::clone(slot);
    let st = Arc::clone(&statics);
    tera.register_function("get_url", move |args: &Args| {
        let lookup = s.read().map_err(poisoned)?;
        get_url(&lookup, &st, args)
    });
    let s = Arc::clone(slot);
    tera.register_function("get_page", move |args: &Args| {
        let lookup = s.read().map_err(poisoned)?;
        let path = required(args, "get_page", "path", "mandater/a9.md")?;
        let key = path.trim_start_matches("@/").trim_start_matches('/');
        lookup.pages.get(key).cloned().ok_or_else(|| {
            tera::Error::msg(format!(
                "`get_page`: there is no page `{key}` in `content/`{}",
                closest(key, lookup.pages.keys())
            ))
        })
    });
    let s = Arc::clone(slot);
    tera.register_function("get_section", move |args: &Args| {
        let lookup = s.read().map_err(poisoned)?;
        let path = required(args, "get_section", "path", "mandater/_index.md")?;
        let key = path.trim_start_matches("@/").trim_start_matches('/');
        let mut section = lookup.sections.get(key).cloned().ok_or_else(|| {
            tera::Error::msg(format!(
                "`get_section`: there is no section `{key}` in `content/`{}",
                closest(key, lookup.sections.keys())
            ))
        })?;
        if flag(args, "metadata_only", false)? {
            if let Value::Object(m) = &mut section {
                m.insert("pages".into(), Value::Array(Vec::new()));
            }
        }
        Ok(section)
    });
    let s = Arc::clone(slot);
    tera.register_function("get_taxonomy", move |args: &Args| {
        let lookup = s.read().map_err(poisoned)?;
        let kind = required(args, "get_taxonomy", "kind", "kommune")?;
        let lang = lang_arg(args, &lookup)?;
        match lookup.taxonomies.get(&(kind.to_string(), lang)) {
            Some(t) => Ok(t.clone()),
            None if !flag(args, "required", true)? => Ok(Value::Null),
            None => Err(tera::Error::msg(format!(
                "`get_taxonomy`: the site has no taxonomy `{kind}` in `{}`{}",
                lang.code(),
                closest(kind, lookup.taxonomies.keys().map(|k| &k.0))
            ))),
        }
    });
    let s = Arc::clone(slot);
    tera.register_function("get_taxonomy_url", move |args: &Args| {
        let lookup = s.read().map_err(poisoned)?;
        let kind = required(args, "get_taxonomy_url", "kind", "kommune")?;
        let name = required(args, "get_taxonomy_url", "name", "Asker")?;
        let lang = lang_arg(args, &lookup)?;
        let Some(terms) = lookup.terms.get(&(kind.to_string(), lang)) else {
            return Err(tera::Error::msg(format!(
                "`get_taxonomy_url`: the site has no taxonomy `{kind}` in `{}`{}",
                lang.code(),
                closest(kind, lookup.terms.keys().map(|k| &k.0))
            )));
        };
        match terms.get(&slugify(name)) {
            Some(path) => Ok(path.clone().into()),
            None if !flag(args, "required", true)? => Ok(Value::Null),
            None => Err(tera::Error::msg(format!(
                "`get_taxonomy_url`: no page in `{}` has `{name}` in `{kind}`",
                lang.code()
            ))),
        }
    });
    let s = Arc::clone(slot);
    tera.register_function("trans", move |args: &Args| {
        let lookup = s.read().map_err(poisoned)?;
        let key = required(args, "trans", "key", "search")?;
        let lang = lang_arg(args, &lookup)?;
        let table = strings.get(&lang);
        table.and_then(|t| t.get(key)).cloned().ok_or_else(|| {
            let hint = table.map(|t| closest(key, t.keys())).unwrap_or_default();
            tera::Error::msg(format!("`trans`: the theme has no string `{key}` in `i18n/{}.toml`{hint}", lang.code()))
        })
    });
    tera.register_function("now", |args: &Args| {
        flag(args, "utc", false)?;
        let secs = dates::now();
        if flag(args, "timestamp", false)? {
            return Ok(secs.into());
        }
        Ok(iso_datetime(secs).into())
    });
    let st = statics;
    tera.register_function("get_hash", move |args: &Args| {
        let bytes: Vec<u8> = match (text(args, "path"), text(args, "literal")) {
            (Some(path), None) => static_bytes(&st, path)?.to_vec(),
            (None, Some(literal)) => literal.as_bytes().to_vec(),
            _ => {
                return Err(tera::Error::msg("`get_hash` needs either `path=\"…\"` (a static file) or `literal=\"…\"`"))
            }
        };
        let sha = args.get("sha_type").and_then(Value::as_u64).unwrap_or(384);
        let digest = match sha {
            256 => sha2::Sha256::digest(&bytes).to_vec(),
            384 => sha2::Sha384::digest(&bytes).to_vec(),
            512 => sha2::Sha512::digest(&bytes).to_vec(),
            other => return Err(tera::Error::msg(format!("`get_hash`: `sha_type` is 256, 384 or 512, not {other}"))),
        };
        if flag(args, "base64", true)? {
            use base64::Engine;
            Ok(base64::engine::general_purpose::STANDARD.encode(digest).into())
        } else {
            Ok(hex(&digest).into())
        }
    });

    let s = Arc::clone(slot);
    tera.register_filter("date", move |value: &Value, args: &Args| {
        let lookup = s.read().map_err(poisoned)?;
        let format = text(args, "format").unwrap_or("%Y-%m-%d");
        let lang = lang_arg(args, &lookup)?;
        let moment = Moment::of(value)?;
        moment.format(format, lang).map(Value::String)
    });
    tera.register_filter("slugify", |value: &Value, _: &Args| {
        let s = value.as_str().ok_or_else(|| tera::Error::msg("the `slugify` filter takes text"))?;
        Ok(slugify(s).into())
    });
    tera.register_filter("urlencode", |value: &Value, _: &Args| {
        let s = value.as_str().ok_or_else(|| tera::Error::msg("the `urlencode` filter takes text"))?;
        Ok(urlencode(s, b"/").into())
    });
    tera.register_filter("urlencode_strict", |value: &Value, _: &Args| {
        let s = value.as_str().ok_or_else(|| tera::Error::msg("the `urlencode_strict` filter takes text"))?;
        Ok(urlencode(s, b"").into())
    });
    let s = Arc::clone(slot);
    tera.register_filter("num_format", move |value: &Value, args: &Args| {
        let lookup = s.read().map_err(poisoned)?;
        let lang = lang_arg(args, &lookup)?;
        num_format(value, lang).map(Value::String)
    });
}

fn poisoned<T>(_: T) -> tera::Error {
    tera::Error::msg("an earlier template function failed")
}

fn get_url(lookup: &Lookup, statics: &BTreeMap<String, Vec<u8>>, args: &Args) -> tera::Result<Value> {
    let path = required(args, "get_url", "path", "@/mandater/_index.md")?;
    let trailing_slash = flag(args, "trailing_slash", true)?;
    let mut url = if let Some(content) = path.strip_prefix("@/") {
        let (content, anchor) = match content.split_once('#') {
            Some((c, a)) => (c, format!("#{a}")),
            None => (content, String::new()),
        };
        let target = lookup.targets.get(content).ok_or_else(|| {
            tera::Error::msg(format!(
                "`get_url`: there is no page or section `{content}` in `content/`{}",
                closest(content, lookup.targets.keys())
            ))
        })?;
        format!("{target}{anchor}")
    } else if path.contains("://") || path.starts_with("//") || path.starts_with("mailto:") {
        path.to_string()
    } else {
        let rel = path.trim_start_matches('/');
        let last = rel.rsplit('/').next().unwrap_or_default();
        let file = last.contains('.') && !last.ends_with('.');
        let mut url = format!("/{rel}");
        if trailing_slash && !file && !url.ends_with('/') {
            url.push('/');
        }
        url
    };
    if !trailing_slash && url.len() > 1 && url.ends_with('/') {
        url.pop();
    }
    if flag(args, "cachebust", false)? {
        let bytes = static_bytes(statics, path)?;
        url = format!("{url}?h={}", &hex(&sha2::Sha256::digest(bytes))[..20]);
    }
    Ok(url.into())
}

fn static_bytes<'a>(statics: &'a BTreeMap<String, Vec<u8>>, path: &str) -> tera::Result<&'a [u8]> {
    let key = path.trim_start_matches('/');
    statics.get(key).map(Vec::as_slice).ok_or_else(|| {
        tera::Error::msg(format!(
            "there is no file `{key}` in `static/` or the theme's `static/`{}",
            closest(key, statics.keys())
        ))
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `s` percent-encoded: every byte but letters, digits, `-_.~` and `keep`.
fn urlencode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A number with its thousands grouped as readers of `lang` write it:
/// `12 345,5` (with no-break spaces) in Norwegian, `12,345.5` in English.
fn num_format(value: &Value, lang: Lang) -> tera::Result<String> {
    let n = match value {
        Value::Number(n) => n.clone(),
        Value::String(s) => s
            .trim()
            .parse::<serde_json::Number>()
            .map_err(|_| tera::Error::msg(format!("the `num_format` filter takes a number, not `{s}`")))?,
        other => return Err(tera::Error::msg(format!("the `num_format` filter takes a number, not {other}"))),
    };
    let written = n.to_string();
    let (sign, digits) = match written.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", written.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let (group, point) = match lang {
        Lang::En => (",", "."),
        Lang::Nb | Lang::Nn | Lang::Se => ("\u{a0}", ","),
    };
    let mut out = String::from(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push_str(group);
        }
        out.push(c);
    }
    if let Some(f) = fraction {
        out.push_str(point);
        out.push_str(f);
    }
    Ok(out)
}

/// `2026-12-06T01:55:00+00:00` for seconds since 1970 (UTC).
fn iso_datetime(secs: i64) -> String {
    let m = Moment::from_seconds(secs);
    format!("{}T{:02}:{:02}:{:02}+00:00", m.date, m.hour, m.minute, m.second)
}

/// A date with a time of day, for the `date` filter.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Moment {
    date: Date,
    hour: u32,
    minute: u32,
    second: u32,
    /// The offset from UTC as written, in minutes (`None` when none was written).
    offset: Option<i32>,
}

impl Moment {
    fn from_seconds(secs: i64) -> Moment {
        let day = secs.div_euclid(86_400);
        let rest = secs.rem_euclid(86_400) as u32;
        Moment {
            date: Date::from_day_number(day),
            hour: rest / 3600,
            minute: rest / 60 % 60,
            second: rest % 60,
            offset: Some(0),
        }
    }

    /// Reads a date (`2024-03-05`), a date and time (`2024-03-05T10:30:00Z`,
    /// `2024-03-05 10:30`, with an offset `+01:00`) or seconds since 1970.
    fn of(value: &Value) -> tera::Result<Moment> {
        let s = match value {
            Value::Number(n) => {
                let secs = n
                    .as_i64()
                    .ok_or_else(|| tera::Error::msg(format!("the `date` filter: {n} is not whole seconds")))?;
                return Ok(Moment::from_seconds(secs));
            }
            Value::String(s) => s.trim(),
            other => {
                return Err(tera::Error::msg(format!("the `date` filter takes a date or a timestamp, not {other}")))
            }
        };
        let bad = || {
            tera::Error::msg(format!(
                "the `date` filter cannot read `{s}` as a date: write `2024-03-05` or `2024-03-05T10:30:00+01:00`"
            ))
        };
        if s.len() < 10 || !s.is_char_boundary(10) {
            return Err(bad());
        }
        let (day, time) = s.split_at(10);
        let date = Date::parse(day).map_err(|_| bad())?;
        let mut m = Moment { date, hour: 0, minute: 0, second: 0, offset: None };
        let time = time.trim_start_matches(['T', 't', ' ']);
        if time.is_empty() {
            return Ok(m);
        }
        let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
            Some(i) => time.split_at(i),
            None => (time, ""),
        };
        let mut parts = clock.split(':');
        let mut next = |max: u32| -> tera::Result<u32> {
            match parts.next() {
                None => Ok(0),
                Some(p) => {
                    let whole = p.split('.').next().unwrap_or(p);
                    whole.parse::<u32>().ok().filter(|v| *v <= max).ok_or_else(bad)
                }
            }
        };
        m.hour = next(23)?;
        m.minute = next(59)?;
        m.second = next(60)?;
        m.offset = match offset {
            "" => None,
            "Z" | "z" => Some(0),
            o => {
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let digits: String = o[1..].chars().filter(char::is_ascii_digit).collect();
                if digits.len() != 4 {
                    return Err(bad());
                }
                let h: i32 = digits[..2].parse().map_err(|_| bad())?;
                let min: i32 = digits[2..].parse().map_err(|_| bad())?;
                Some(sign * (h * 60 + min))
            }
        };
        Ok(m)
    }

    /// Writes the moment with strftime's common specifiers, names in `lang`.
    fn format(&self, format: &str, lang: Lang) -> tera::Result<String> {
        const DAYS_NB: [&str; 7] = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"];
        const DAYS_NN: [&str; 7] = ["måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"];
        const DAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        const DAYS_SE: [&str; 7] =
            ["vuossárga", "maŋŋebárga", "gaskavahkku", "duorastat", "bearjadat", "lávvardat", "sotnabeaivi"];
        let d = self.date;
        let weekday = (dates::day_number(d) + 3).rem_euclid(7) as usize;
        let days = match lang {
            Lang::Nb => DAYS_NB,
            Lang::Nn => DAYS_NN,
            Lang::En => DAYS_EN,
            Lang::Se => DAYS_SE,
        };
        let short = |name: &str| name.chars().take(3).collect::<String>();
        let ordinal = dates::day_number(d) - dates::day_number(Date { year: d.year, month: 1, day: 1 }) + 1;
        let mut out = String::new();
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            // `%-d`: no padding.
            let mut spec = chars.next().ok_or_else(|| tera::Error::msg("the `date` format ends with a lone `%`"))?;
            let pad = spec != '-';
            if !pad {
                spec = chars.next().ok_or_else(|| tera::Error::msg("the `date` format ends with `%-`"))?;
            }
            let num = |v: i64, width: usize| if pad { format!("{v:0width$}") } else { v.to_string() };
            match spec {
                'Y' => out.push_str(&d.year.to_string()),
                'C' => out.push_str(&num(i64::from(d.year).div_euclid(100), 2)),
                'y' => out.push_str(&num(i64::from(d.year).rem_euclid(100), 2)),
                'm' => out.push_str(&num(i64::from(d.month), 2)),
                'd' => out.push_str(&num(i64::from(d.day), 2)),
                'e' => out.push_str(&if pad { format!("{:>2}", d.day) } else { d.day.to_string() }),
                'B' => out.push_str(lang.month_name(d.month)),
                'b' | 'h' => out.push_str(&short(lang.month_name(d.month))),
                'A' => out.push_str(days[weekday]),
                'a' => out.push_str(&short(days[weekday])),
                'u' => out.push_str(&(weekday + 1).to_string()),
                'w' => out.push_str(&((weekday + 1) % 7).to_string()),
                'j' => out.push_str(&num(ordinal, 3)),
                'H' => out.push_str(&num(i64::from(self.hour), 2)),
                'M' => out.push_str(&num(i64::from(self.minute), 2)),
                'S' => out.push_str(&num(i64::from(self.second), 2)),
                'F' => out.push_str(&d.to_string()),
                'D' => out.push_str(&format!("{:02}/{:02}/{:02}", d.month, d.day, d.year.rem_euclid(100))),
                'T' => out.push_str(&format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)),
                'R' => out.push_str(&format!("{:02}:{:02}", self.hour, self.minute)),
                'z' => {
                    let o = self.offset.unwrap_or(0);
                    let sign = if o < 0 { '-' } else { '+' };
                    out.push_str(&format!("{sign}{:02}{:02}", o.abs() / 60, o.abs() % 60));
                }
                '%' => out.push('%'),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => {
                    return Err(tera::Error::msg(format!(
                        "the `date` format has `%{other}`, which innsyn does not write; \
                         use %Y %m %d %e %B %b %A %a %H %M %S %F %T %R %j %u %w %z or %%"
                    )))
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(v: &str, format: &str, lang: Lang) -> String {
        Moment::of(&Value::String(v.into())).unwrap().format(format, lang).unwrap()
    }

    #[test]
    fn dates_are_written_in_the_language_asked_for() {
        assert_eq!(date("2024-03-05", "%-d. %B %Y", Lang::Nb), "5. mars 2024");
        assert_eq!(date("2024-03-05", "%A %e %b", Lang::En), "Tuesday  5 Mar");
        assert_eq!(date("2024-03-05", "%A", Lang::Nb), "tirsdag");
        assert_eq!(date("2024-03-09", "%A", Lang::Nn), "laurdag");
        assert_eq!(date("2024-03-05", "%A %-d. %B", Lang::Se), "maŋŋebárga 5. njukčamánnu");
        assert_eq!(date("2024-12-31", "%j %u %w", Lang::En), "366 2 2");
        assert_eq!(date("2024-03-05T07:08:09+01:30", "%F %T %z", Lang::En), "2024-03-05 07:08:09 +0130");
        assert_eq!(date("2024-03-05 23:59", "%R", Lang::En), "23:59");
        assert_eq!(Moment::from_seconds(0).format("%F %T %A", Lang::Nb).unwrap(), "1970-01-01 00:00:00 torsdag");
    }

    #[test]
    fn bad_dates_and_formats_say_why() {
        for bad in ["", "2024", "5. mars 2024", "2024-02-30", "2024-03-05T25:00", "2024-03-05T10:00+1", "2024-03-05æ"]
        {
            assert!(Moment::of(&Value::String(bad.into())).is_err(), "{bad}");
        }
        let m = Moment::of(&Value::String("2024-03-05".into())).unwrap();
        assert!(m.format("%Q", Lang::Nb).unwrap_err().to_string().contains("%Q"));
        assert!(m.format("50%", Lang::Nb).is_err());
        assert!(Moment::of(&json!(1.5)).is_err());
        assert!(Moment::of(&json!(true)).is_err());
    }

    #[test]
    fn numbers_are_grouped_as_readers_write_them() {
        assert_eq!(num_format(&json!(1234567), Lang::Nb).unwrap(), "1\u{a0}234\u{a0}567");
        assert_eq!(num_format(&json!(-1234.5), Lang::Nn).unwrap(), "-1\u{a0}234,5");
        assert_eq!(num_format(&json!(999), Lang::En).unwrap(), "999");
        assert_eq!(num_format(&json!(1000), Lang::En).unwrap(), "1,000");
        assert_eq!(num_format(&json!("12345"), Lang::En).unwrap(), "12,345");
        assert!(num_format(&json!("tolv"), Lang::En).is_err());
    }

    #[test]
    fn urlencode_keeps_only_what_is_safe() {
        assert_eq!(urlencode("Meråker kommune/a&b", b"/"), "Mer%C3%A5ker%20kommune/a%26b");
        assert_eq!(urlencode("a/b", b""), "a%2Fb");
    }

    #[test]
    fn now_is_written_in_utc() {
        assert_eq!(iso_datetime(1_733_446_800), "2024-12-06T01:00:00+00:00");
    }
}
