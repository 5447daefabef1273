//! `config.toml`: the raw file as written (serde, unknown keys refused) and the
//! validated [`Settings`] the rest of the program uses. Reads no files itself.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Diagnostic, Diagnostics};
use crate::lang::Lang;

/// The name of the config file at the site root.
pub const CONFIG_FILE: &str = "config.toml";

/// `config.toml` exactly as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    default_language: Option<String>,
    #[serde(default)]
    languages: BTreeMap<String, RawLanguage>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    taxonomies: Vec<RawTaxonomy>,
    #[serde(default = "yes", alias = "generate_feeds", alias = "generate_feed")]
    feed: bool,
    #[serde(default = "yes", alias = "generate_sitemap")]
    sitemap: bool,
    #[serde(default = "yes", alias = "build_search_index")]
    search: bool,
    #[serde(default)]
    search_sites: Vec<RawSearchSite>,
    #[serde(default)]
    accessibility_statement: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default, alias = "author")]
    organization: String,
    #[serde(default)]
    archive: RawArchive,
    #[serde(default)]
    catalog: RawCatalog,
    #[serde(default)]
    images: RawImages,
    #[serde(default)]
    extra: toml::Table,
}

/// The `[catalog]` table: who publishes the site's data catalogue
/// (`data/catalog.jsonld`) and under which licence by default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    organization_number: String,
    #[serde(default)]
    licence: String,
}

/// The publisher and default licence of the data catalogue (`[catalog]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    /// Who publishes the data: `[catalog] publisher`, else `organization`; may be empty.
    pub publisher: String,
    /// The publisher's organisation number, nine digits without spaces; may be empty.
    pub organization_number: String,
    /// The licence of data files whose sidecar names none, as written; may be empty.
    pub licence: String,
    /// Its address (see [`crate::dcat::licence_uri`]); empty when `licence` is.
    pub licence_uri: String,
}

/// The `[images]` table: the variants made of the images in Markdown.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImages {
    #[serde(default)]
    widths: Option<Vec<u32>>,
    #[serde(default)]
    quality: Option<u8>,
    #[serde(default)]
    sizes: Option<String>,
}

/// What `[images]` says: the widths of each image's variants, the quality of the
/// lossy ones, and the `sizes` attribute that tells browsers how wide an image
/// is shown. See `docs/images.md`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageSettings {
    /// The widths made, in pixels, ascending (never wider than the image itself).
    pub widths: Vec<u32>,
    /// JPEG and lossy WebP quality, 1–100.
    pub quality: u8,
    /// The `sizes` attribute: how wide the theme shows an image in the text.
    pub sizes: String,
}

impl Default for ImageSettings {
    fn default() -> Self {
        // The default theme's text column is 44rem (700 px) wide at most, the width less
        // 2rem of margins below that (measured in Chromium at 320 and 1280 px):
        // 480 and 960 serve it at 1x and 2x, 1600 a 2.5x phone or a zoomed page.
        ImageSettings {
            widths: vec![480, 960, 1600],
            quality: 80,
            sizes: "(min-width: 46rem) 44rem, calc(100vw - 2rem)".into(),
        }
    }
}

/// The widest variant `[images] widths` may ask for (WebP allows 16 383).
pub const MAX_IMAGE_WIDTH: u32 = 8192;

/// The `[archive]` table: what `innsyn archive` puts in the bag.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArchive {
    #[serde(default)]
    warc: bool,
}

/// A `[languages.<code>]` table: a language the site's pages are translated into.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// One of the site's languages, with the site's title and description in it.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteLanguage {
    /// The language.
    pub lang: Lang,
    /// The site's title in it (the site's `title` when the table sets none).
    pub title: String,
    /// The site's description in it (the site's `description` when not set).
    pub description: String,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearchSite {
    name: String,
    url: String,
    #[serde(default)]
    local: String,
}

/// Another innsyn site whose index the search page queries too (`[[search_sites]]`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchSite {
    /// What its results are labelled with.
    pub name: String,
    /// Its published address (http or https), or a path on this host, ending in `/`.
    pub url: String,
    /// Where its offline copy is, relative to this site's output folder (ending
    /// in `/`; empty for none): a search page opened from `file://` uses it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub local: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    name: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    feed: bool,
    #[serde(default)]
    paginate_by: Option<usize>,
}

/// One taxonomy the site classifies pages by (e.g. `kommune`).
#[derive(Debug, Clone, PartialEq)]
pub struct Taxonomy {
    /// The key used in front matter and in the URL: `kommune` → `/kommune/`.
    pub name: String,
    /// What readers see; defaults to the name with a capital letter.
    pub title: String,
    /// Whether each term gets an Atom feed.
    pub feed: bool,
    /// How many pages a term's page lists; the rest follow on `side/2/` and on.
    /// `None`: all on one page.
    pub paginate_by: Option<usize>,
}

/// The validated site settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The site's name, shown in page titles and feeds.
    pub title: String,
    /// A short description of the site, the meta description of pages with none.
    pub description: String,
    /// Absolute base URL ending in `/`, or empty when none is set.
    pub base_url: String,
    /// The site's (default) language, used where pages and sections set none;
    /// its pages are published at the root.
    pub language: Lang,
    /// Every language of the site, the default first, then the others of
    /// `[languages]` in the order of [`Lang::ALL`]; their translations are
    /// published under `/<code>/` (see docs/translations.md).
    pub languages: Vec<SiteLanguage>,
    /// The name of the theme's folder in `themes/`; `innsyn` is built in.
    pub theme: String,
    /// The taxonomies pages can be classified by.
    pub taxonomies: Vec<Taxonomy>,
    /// Whether the site and its sections get Atom feeds.
    pub feed: bool,
    /// Whether a `sitemap.xml` is written.
    pub sitemap: bool,
    /// Whether the site gets a search index and search page (`/sok/`).
    pub search: bool,
    /// Other innsyn sites the search page searches too.
    pub search_sites: Vec<SearchSite>,
    /// Link to the site's accessibility statement, shown in the footer.
    pub accessibility_statement: String,
    /// The contact e-mail address, shown in the footer and written into archives.
    pub contact_email: String,
    /// The contact's name, shown with the e-mail address and written into archives.
    pub contact_name: String,
    /// The organization publishing the site, named in feeds, metadata and archives.
    pub organization: String,
    /// `[archive] warc = true`: `innsyn archive` always adds a WARC of the site
    /// as served at `base_url`, as `--warc` does.
    pub archive_warc: bool,
    /// The data catalogue's publisher and default licence (`[catalog]`).
    pub catalog: Catalog,
    /// `[images]`: the variants made of images in Markdown.
    pub images: ImageSettings,
    /// The `[extra]` table of the site's own settings, for templates.
    pub extra: toml::Table,
}

/// The keys `config.toml` knows, at its top and in its tables.
const TOP_KEYS: [&str; 19] = [
    "title",
    "description",
    "base_url",
    "language",
    "default_language",
    "languages",
    "theme",
    "taxonomies",
    "feed",
    "sitemap",
    "search",
    "search_sites",
    "accessibility_statement",
    "contact_email",
    "contact_name",
    "organization",
    "archive",
    "catalog",
    "images",
];
/// Zola's names for keys innsyn knows by another name (read as those).
const ZOLA_KEYS: [&str; 5] = ["generate_feeds", "generate_feed", "build_search_index", "author", "generate_sitemap"];

/// Whether a Zola setting asks for what innsyn does anyway (`minify_html =
/// false`), so a site moved over may keep it.
fn zola_same(key: &str, value: &toml::de::DeValue) -> bool {
    use toml::de::DeValue::{Array, Boolean, String};
    match (key, value) {
        ("compile_sass" | "minify_html" | "hard_link_static" | "preserve_dotfiles_in_output", Boolean(b)) => !*b,
        ("generate_robots_txt", Boolean(b)) => *b,
        ("output_dir", String(s)) => s.as_ref() == "public",
        ("feed_filenames", Array(a)) => {
            a.len() == 1 && matches!(a.iter().next().map(|v| v.get_ref()), Some(String(s)) if s.as_ref() == "atom.xml")
        }
        _ => false,
    }
}
const ARCHIVE_KEYS: [&str; 1] = ["warc"];

/// Why a setting of Zola's `config.toml` has no counterpart in innsyn, for a
/// site moved over from Zola; `None` for keys Zola does not have either.
pub fn zola_setting(key: &str) -> Option<&'static str> {
    Some(match key {
        "compile_sass" => {
            "innsyn does not compile Sass: compile `sass/` with the `sass` tool and put the CSS in `static/`"
        }
        "minify_html" => "innsyn writes readable HTML; let the web host compress it",
        "markdown" => "innsyn's Markdown settings are fixed (tables, footnotes, strikethrough, task lists)",
        "link_checker" => "`innsyn check --external` checks links to other sites",
        "slugify" => "innsyn makes every address with its own slug rule (æ→ae, ø→o, å→a)",
        "feed_filenames" | "feed_filename" => "innsyn's feeds are always `atom.xml`",
        "translations" => "interface strings live in `i18n/<language>.toml` (`innsyn import zola` moves them there)",
        "ignored_content" | "ignored_static" => {
            "innsyn reads every file; move files you do not want published out of the site"
        }
        "output_dir" => "innsyn writes to `public/`, or to `--output DIR`",
        "hard_link_static" | "preserve_dotfiles_in_output" => "innsyn copies static files and leaves hidden files out",
        "mode" | "generate_robots_txt" | "generate_sitemap" => {
            "innsyn always writes robots.txt; `sitemap = false` leaves out the sitemap"
        }
        _ => return None,
    })
}
const LANGUAGE_KEYS: [&str; 2] = ["title", "description"];
const CATALOG_KEYS: [&str; 3] = ["publisher", "organization_number", "licence"];
const IMAGE_KEYS: [&str; 3] = ["widths", "quality", "sizes"];
const TAXONOMY_KEYS: [&str; 4] = ["name", "title", "feed", "paginate_by"];
const SEARCH_SITE_KEYS: [&str; 3] = ["name", "url", "local"];

type Table<'a> = toml::de::DeTable<'a>;

/// Reads `config.toml` into [`RawConfig`], reporting every unknown key and every
/// value of the wrong type in one go (serde alone stops at the first): unknown
/// keys are reported and dropped first, then each value serde refuses is
/// reported and its key (or its entry of `[[taxonomies]]`, `[[search_sites]]`)
/// dropped, until the rest reads. The rest is returned with the faults, so its
/// values can be checked too; `None` when a required key is missing.
fn read_raw(path: &str, src: &str) -> Result<(Option<RawConfig>, Diagnostics), Diagnostics> {
    let mut doc = Table::parse(src).map_err(|e| Diagnostics::from(toml_error(path, src, &e, 0)))?;
    let mut errors = Diagnostics::default();
    // Known keys suggested for misspelt ones: that they are then missing is not said again.
    let mut suggested: Vec<&str> = Vec::new();
    let mut unknown = |errors: &mut Diagnostics, table: &mut Table, known: &[&'static str], within: &str| {
        let stranger = |k: &str| !(known.contains(&k) || within.is_empty() && ZOLA_KEYS.contains(&k));
        let strangers: Vec<_> = table.keys().filter(|k| stranger(k.get_ref())).cloned().collect();
        for key in strangers {
            let value = table.remove(&key);
            let name: &str = key.get_ref();
            if within.is_empty() && value.is_some_and(|v| zola_same(name, v.get_ref())) {
                continue;
            }
            let (line, col) = crate::error::line_col(src, key.span().start);
            let hint = match crate::error::did_you_mean(name, known) {
                _ if within.is_empty() && zola_setting(name).is_some() => {
                    format!(
                        "a Zola setting innsyn does not have: {}; remove it",
                        zola_setting(name).unwrap_or_default()
                    )
                }
                Some(best) => {
                    suggested.push(best);
                    format!("did you mean `{best}`?")
                }
                None => format!(
                    "{within}known keys are {}",
                    known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            errors.push(Diagnostic::at(path, line, col, format!("unknown field `{name}`")).hint(hint));
        }
    };
    unknown(&mut errors, doc.get_mut(), &[&TOP_KEYS[..], &["extra"]].concat(), "");
    for (key, value) in doc.get_mut().iter_mut() {
        let (known, within): (&[&str], &str) = match &**key.get_ref() {
            "archive" => (&ARCHIVE_KEYS, "in `[archive]`, the "),
            "catalog" => (&CATALOG_KEYS, "in `[catalog]`, the "),
            "images" => (&IMAGE_KEYS, "in `[images]`, the "),
            "taxonomies" => (&TAXONOMY_KEYS, "in `[[taxonomies]]`, the "),
            "search_sites" => (&SEARCH_SITE_KEYS, "in `[[search_sites]]`, the "),
            "languages" => {
                if let toml::de::DeValue::Table(languages) = value.get_mut() {
                    for (_, language) in languages.iter_mut() {
                        if let toml::de::DeValue::Table(t) = language.get_mut() {
                            unknown(&mut errors, t, &LANGUAGE_KEYS, "in `[languages.…]`, the ");
                        }
                    }
                }
                continue;
            }
            _ => continue,
        };
        match value.get_mut() {
            toml::de::DeValue::Table(t) => unknown(&mut errors, t, known, within),
            toml::de::DeValue::Array(items) => {
                for item in items.iter_mut() {
                    if let toml::de::DeValue::Table(t) = item.get_mut() {
                        unknown(&mut errors, t, known, within);
                    }
                }
            }
            _ => {}
        }
    }
    let mut dropped: Vec<String> = Vec::new();
    loop {
        let e = match RawConfig::deserialize(toml::de::Deserializer::from(doc.clone())) {
            Ok(raw) => return Ok((Some(raw), errors)),
            Err(e) => e,
        };
        // A missing key whose value was refused, or that was misspelt, is said
        // once, as refused or misspelt.
        let missing = e.message().strip_prefix("missing field `").and_then(|m| m.split('`').next());
        if missing.is_none_or(|key| !dropped.iter().any(|d| d == key) && !suggested.contains(&key)) {
            let mut d = toml_error(path, src, &e, 0);
            // Say whose value it is: serde names only the type.
            if let Some(key) = e.span().and_then(|s| owner(doc.get_ref(), s.start)) {
                d.message = format!(
                    "`{}`: {}",
                    &**key.get_ref(),
                    d.message.replace("expected usize", "expected a whole number")
                );
            }
            errors.push(d);
        }
        let Some(at) = e.span().map(|s| s.start) else { break };
        let Some(key) = owner(doc.get_ref(), at).cloned() else { break };
        // A key missing at the top cannot be dropped: the rest cannot be read.
        let in_list = matches!(doc.get_ref()[&key].get_ref(), toml::de::DeValue::Array(_));
        if missing.is_some() && !in_list {
            break;
        }
        // In a list of tables, only the entry at fault goes.
        let entries = doc.get_mut().get_mut(&key).and_then(|v| match v.get_mut() {
            toml::de::DeValue::Array(items) => Some(items),
            _ => None,
        });
        match entries.and_then(|items| items.iter().position(|i| holds(i, at)).map(|n| (items, n))) {
            Some((items, n)) => {
                let kept: toml::de::DeArray =
                    items.iter().enumerate().filter(|&(i, _)| i != n).map(|(_, v)| v.clone()).collect();
                *items = kept;
            }
            None => {
                dropped.push(key.get_ref().to_string());
                doc.get_mut().remove(&key);
            }
        }
    }
    Ok((None, errors))
}

/// The top-level key whose value holds byte `at` of the file (for a list of
/// tables, one of its entries does).
fn owner<'t, 'a>(doc: &'t Table<'a>, at: usize) -> Option<&'t toml::Spanned<toml::de::DeString<'a>>> {
    doc.iter().find(|(_, v)| holds(v, at)).map(|(k, _)| k)
}

/// Whether a value, or a value inside it, is written at byte `at`. (An entry of
/// a list of tables spans only its `[[header]]`, so its keys are looked at too.)
fn holds(value: &toml::Spanned<toml::de::DeValue>, at: usize) -> bool {
    value.span().contains(&at)
        || match value.get_ref() {
            toml::de::DeValue::Array(items) => items.iter().any(|i| holds(i, at)),
            toml::de::DeValue::Table(t) => t.iter().any(|(k, v)| k.span().contains(&at) || holds(v, at)),
            _ => false,
        }
}

/// Parses and validates `config.toml`; `path` is only used in messages.
pub fn parse(path: &str, src: &str) -> Result<Settings, Diagnostics> {
    let (raw, mut errors) = read_raw(path, src)?;
    let Some(raw) = raw else { return Err(errors.into_result().unwrap_err()) };
    let at_key = |key: &str, message: String| {
        let (line, col) = key_position(src, key).unwrap_or((1, 1));
        Diagnostic::at(path, line, col, message)
    };

    // `default_language` is Zola's name for `language`: either may be given.
    let (key, code) = match (&raw.language, &raw.default_language) {
        (Some(a), Some(b)) if Lang::parse(a) != Lang::parse(b) => {
            errors.push(
                at_key("default_language", format!("`default_language = \"{b}\"` differs from `language = \"{a}\"`"))
                    .hint("both name the site's main language: keep one of them"),
            );
            ("language", Some(a))
        }
        (Some(a), _) => ("language", Some(a)),
        (None, b) => ("default_language", b.as_ref()),
    };
    let language = match code {
        None => Lang::Nb,
        Some(code) => Lang::parse(code).unwrap_or_else(|| {
            errors.push(at_key(key, format!("unknown language `{code}`")).hint(format!("use {}", Lang::KNOWN)));
            Lang::Nb
        }),
    };
    let languages = check_languages(src, path, language, &raw, &mut errors);

    let base_url = normalize_base_url(&raw.base_url).unwrap_or_else(|| {
        errors.push(
            at_key("base_url", format!("`{}` is not an absolute web address", raw.base_url))
                .hint("write it like `https://innsyn.kommune.no/` (or leave it empty)"),
        );
        String::new()
    });

    for (key, url) in [("accessibility_statement", &raw.accessibility_statement)] {
        if let Err(why) = check_link(url) {
            errors.push(at_key(key, format!("`{key}` {why}")).hint(LINK_HINT));
        }
    }
    if raw.contact_email.trim().contains(|c: char| c.is_whitespace() || c.is_control() || c == ':')
        || (!raw.contact_email.trim().is_empty() && !raw.contact_email.contains('@'))
    {
        errors.push(
            at_key("contact_email", "`contact_email` is not an e-mail address".into())
                .hint("write the address alone, e.g. `contact_email = \"postmottak@asker.kommune.no\"`"),
        );
    }

    let mut taxonomies: Vec<Taxonomy> = Vec::new();
    for t in raw.taxonomies {
        if t.name.is_empty() || !t.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            errors.push(
                at_key("name", format!("the taxonomy name `{}` cannot be used in a web address", t.name))
                    .hint("use lower-case letters a–z, digits and `-`, e.g. `kommune`"),
            );
            continue;
        }
        if taxonomies.iter().any(|o| o.name == t.name) {
            errors.push(at_key("name", format!("the taxonomy `{}` is defined twice", t.name)));
            continue;
        }
        if t.paginate_by == Some(0) {
            errors.push(
                at_key("paginate_by", format!("`paginate_by` of the taxonomy `{}` must be at least 1", t.name))
                    .hint("give the number of pages per term page, e.g. `paginate_by = 20`, or leave it out"),
            );
        }
        let title = t.title.unwrap_or_else(|| capitalize(&t.name));
        taxonomies.push(Taxonomy { name: t.name, title, feed: t.feed, paginate_by: t.paginate_by });
    }

    let mut search_sites = Vec::new();
    for site in raw.search_sites {
        let with_slash = |s: &str| if s.is_empty() || s.ends_with('/') { s.to_string() } else { format!("{s}/") };
        let url = site.url.trim();
        let lower = url.to_ascii_lowercase();
        if site.name.trim().is_empty() {
            errors.push(
                at_key("search_sites", "a site in `search_sites` has no `name`".into())
                    .hint("give the name its results are labelled with, e.g. `name = \"Asker kommune\"`"),
            );
        }
        let web = lower.starts_with("https://") || lower.starts_with("http://");
        if url.is_empty() || check_link(url).is_err() || lower.starts_with("mailto:") || (!web && !url.starts_with('/'))
        {
            errors.push(
                at_key("search_sites", format!("the `url` of the search site `{}` is not a web address", site.name))
                    .hint("write its published address, e.g. `url = \"https://innsyn.asker.kommune.no/\"`, or a path on this host (`/asker/`)"),
            );
            continue;
        }
        let local = site.local.trim().replace('\\', "/");
        if !local.is_empty()
            && (local.starts_with('/')
                || local.contains(':')
                || local.chars().any(char::is_control)
                || local.contains('?')
                || local.contains('#'))
        {
            errors.push(
                at_key(
                    "search_sites",
                    format!("the `local` folder of the search site `{}` must be a relative path", site.name),
                )
                .hint("say where its offline copy lies from this site's output folder, e.g. `local = \"../asker/\"`"),
            );
            continue;
        }
        search_sites.push(SearchSite {
            name: site.name.trim().to_string(),
            url: with_slash(url),
            local: with_slash(&local),
        });
    }

    let theme = raw.theme.unwrap_or_else(|| "innsyn".to_string());
    if theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.') {
        errors.push(
            at_key("theme", format!("`{theme}` is not a theme name")).hint("name a folder in `themes/`, e.g. `innsyn`"),
        );
    }
    if raw.title.trim().is_empty() {
        errors.push(
            at_key("title", "the site title is empty".into())
                .hint("give the site a name, e.g. `title = \"Innsyn i Meråker kommune\"`"),
        );
    }

    let catalog = catalog(&raw.catalog, &raw.organization, &mut errors, &at_key);
    let images = image_settings(raw.images, &mut |key, message, hint| errors.push(at_key(key, message).hint(hint)));

    errors.into_result()?;
    Ok(Settings {
        title: raw.title,
        description: raw.description,
        base_url,
        language,
        languages,
        theme,
        taxonomies,
        feed: raw.feed,
        sitemap: raw.sitemap,
        search: raw.search,
        search_sites,
        accessibility_statement: raw.accessibility_statement.trim().to_string(),
        contact_email: raw.contact_email.trim().to_string(),
        contact_name: raw.contact_name,
        organization: raw.organization,
        archive_warc: raw.archive.warc,
        catalog,
        images,
        extra: raw.extra,
    })
}

/// The site's languages: the default, then those of `[languages.<code>]`.
fn check_languages(
    src: &str,
    path: &str,
    default: Lang,
    raw: &RawConfig,
    errors: &mut Diagnostics,
) -> Vec<SiteLanguage> {
    let site = |lang: Lang, t: Option<&RawLanguage>| SiteLanguage {
        lang,
        title: t.and_then(|t| t.title.clone()).unwrap_or_else(|| raw.title.clone()),
        description: t.and_then(|t| t.description.clone()).unwrap_or_else(|| raw.description.clone()),
    };
    let mut found: BTreeMap<Lang, &RawLanguage> = BTreeMap::new();
    for (code, table) in &raw.languages {
        let (line, col) = language_position(src, code).unwrap_or((1, 1));
        match Lang::parse(code) {
            Some(lang) if lang.code() == code => {
                found.insert(lang, table);
            }
            Some(lang) => errors.push(
                Diagnostic::at(path, line, col, format!("write the language `{code}` as `{}`", lang.code())).hint(
                    format!(
                        "`[languages.{}]`: the code is also the folder of its pages, `/{}/`",
                        lang.code(),
                        lang.code()
                    ),
                ),
            ),
            None => errors.push(
                Diagnostic::at(path, line, col, format!("innsyn has no interface strings for the language `{code}`"))
                    .hint(format!("use {}", Lang::KNOWN)),
            ),
        }
    }
    let mut out = vec![site(default, found.get(&default).copied())];
    out.extend(Lang::ALL.iter().filter(|&&l| l != default).filter_map(|&l| found.get(&l).map(|t| site(l, Some(t)))));
    out
}

/// Where `[languages.<code>]` is written.
fn language_position(src: &str, code: &str) -> Option<(usize, usize)> {
    let header = format!("[languages.{code}]");
    let quoted = format!("[languages.\"{code}\"]");
    src.lines().enumerate().find_map(|(i, line)| {
        let t = line.trim_start();
        (t.starts_with(&header) || t.starts_with(&quoted)).then(|| (i + 1, line.len() - t.len() + 1))
    })
}

/// Checks `[catalog]`: the organisation number's check digit, a licence innsyn
/// knows by name or a web address.
fn catalog(
    raw: &RawCatalog,
    organization: &str,
    errors: &mut Diagnostics,
    at_key: &dyn Fn(&str, String) -> Diagnostic,
) -> Catalog {
    let publisher = if raw.publisher.trim().is_empty() { organization } else { &raw.publisher };
    let number = raw.organization_number.trim();
    let organization_number = if number.is_empty() {
        String::new()
    } else {
        crate::dcat::organization_number(number).unwrap_or_else(|| {
            errors.push(
                at_key("organization_number", format!("`{}` is not an organisation number", crate::error::clip(number)))
                    .hint("write the nine digits from Enhetsregisteret (brreg.no), e.g. `organization_number = \"123 456 785\"`; the last digit is a check digit"),
            );
            String::new()
        })
    };
    let licence = raw.licence.trim();
    let licence_uri = if licence.is_empty() {
        String::new()
    } else {
        crate::dcat::licence_uri(licence).unwrap_or_else(|| {
            errors.push(
                at_key("licence", format!("innsyn does not know the licence `{}`", crate::error::clip(licence)))
                    .hint(format!("name one of {} or give its web address (`https://…`)", crate::dcat::LICENCE_NAMES)),
            );
            String::new()
        })
    };
    Catalog { publisher: publisher.trim().to_string(), organization_number, licence: licence.to_string(), licence_uri }
}

/// `[images]` checked; each fault goes to `fault(key, message, hint)`.
fn image_settings(raw: RawImages, fault: &mut dyn FnMut(&str, String, &str)) -> ImageSettings {
    let mut images = ImageSettings::default();
    if let Some(mut widths) = raw.widths {
        widths.sort_unstable();
        widths.dedup();
        if widths.is_empty() || widths.iter().any(|w| !(16..=MAX_IMAGE_WIDTH).contains(w)) {
            fault(
                "widths",
                format!("`[images] widths` must list widths from 16 to {MAX_IMAGE_WIDTH} pixels"),
                "e.g. `widths = [480, 960, 1600]`",
            );
        } else {
            images.widths = widths;
        }
    }
    if let Some(quality) = raw.quality {
        if (1..=100).contains(&quality) {
            images.quality = quality;
        } else {
            fault("quality", format!("`[images] quality` is {quality}; it goes from 1 to 100"), "80 suits photos");
        }
    }
    if let Some(sizes) = raw.sizes {
        if sizes.trim().is_empty() || sizes.chars().any(char::is_control) {
            fault(
                "sizes",
                "`[images] sizes` is empty".into(),
                "say how wide images are shown, e.g. `sizes = \"(min-width: 46rem) 44rem, calc(100vw - 2rem)\"`",
            );
        } else {
            images.sizes = sizes.trim().to_string();
        }
    }
    images
}

impl Settings {
    /// Whether the site is published in more than one language.
    pub fn multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// The site's settings for `lang`, when it is one of the site's languages.
    pub fn site_language(&self, lang: Lang) -> Option<&SiteLanguage> {
        self.languages.iter().find(|l| l.lang == lang)
    }

    /// The folder a language's pages are published under: `/` for the default
    /// language, `/en/` for English.
    pub fn language_root(&self, lang: Lang) -> String {
        if lang == self.language {
            "/".to_string()
        } else {
            format!("/{}/", lang.code())
        }
    }

    /// Replaces the base URL (from `--base-url`); `None` when it is not absolute.
    pub fn with_base_url(mut self, url: &str) -> Option<Settings> {
        self.base_url = normalize_base_url(url)?;
        Some(self)
    }

    /// The absolute URL of a site-absolute path, or the path itself without a base URL.
    pub fn permalink(&self, path: &str) -> String {
        if self.base_url.is_empty() {
            path.to_string()
        } else {
            format!("{}{}", self.base_url, path.trim_start_matches('/'))
        }
    }

    /// Settings as templates see them.
    pub fn extra_map(&self) -> BTreeMap<String, toml::Value> {
        self.extra.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// `https://x.no/a` → `https://x.no/a/`; empty stays empty; not http(s) → `None`.
/// The hint for a link [`check_link`] refuses.
pub const LINK_HINT: &str =
    "write a web address (`https://…`), an e-mail address (`mailto:…`) or a path on the site (`/om/tilgjengelighet/`)";

/// Whether a link set outside the Markdown body (in config.toml, a data file's
/// sidecar or front matter) may go into an `href`: http(s), mailto, or an address
/// on the site itself. Every other scheme (`javascript:`, `data:`, `vbscript:`,
/// `file:`) is refused, as are control characters (browsers drop tabs and line
/// breaks, so `java\tscript:` would still run) and `//host` addresses. An empty
/// link is allowed: it means none.
///
/// ```
/// use innsyn::config::check_link;
/// assert!(check_link("https://uustatus.no/nb/erklaringer/publisert/1").is_ok());
/// assert!(check_link("/om/tilgjengelighet/").is_ok());
/// assert!(check_link("mailto:postmottak@asker.kommune.no").is_ok());
/// assert!(check_link("JavaScript:alert(1)").is_err());
/// assert!(check_link("java\tscript:alert(1)").is_err());
/// ```
pub fn check_link(url: &str) -> Result<(), String> {
    let url = url.trim();
    if url.chars().any(char::is_control) {
        return Err("holds a control character (a tab or line break)".into());
    }
    if url.starts_with("//") || url.starts_with("\\\\") || url.starts_with("/\\") {
        return Err(format!("`{}` names another host without saying how to reach it", crate::error::clip(url)));
    }
    // A scheme is what comes before the first `:` when no `/`, `?` or `#` comes first.
    let scheme_end = url.find([':', '/', '?', '#']).filter(|&i| url[i..].starts_with(':'));
    match scheme_end.map(|i| url[..i].to_ascii_lowercase()) {
        None => Ok(()),
        Some(scheme) if scheme == "http" || scheme == "https" || scheme == "mailto" => Ok(()),
        Some(scheme) => Err(format!("is a `{}:` address, which a page may not link to", crate::error::clip(&scheme))),
    }
}

fn normalize_base_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return Some(String::new());
    }
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return None;
    }
    Some(if url.ends_with('/') { url.to_string() } else { format!("{url}/") })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Turns a TOML parse error into a diagnostic; `line_offset` is the number of lines
/// before `src` in the file (for front matter).
pub fn toml_error(path: &str, src: &str, e: &toml::de::Error, line_offset: usize) -> Diagnostic {
    let (line, col) = e.span().map_or((1, 1), |s| crate::error::line_col(src, s.start));
    let (message, hint) = explain_serde(e.message());
    let hint = hint.or_else(|| type_hint(&message)).unwrap_or_else(|| {
        if message.contains("date") {
            "write dates as YYYY-MM-DD, e.g. `2024-03-05`".to_string()
        } else {
            "TOML is written `key = \"text\"`, `key = 12`, `key = true` or `key = 2024-03-05`; check the quotes and brackets here".to_string()
        }
    });
    Diagnostic::at(path, line + line_offset, col, message).hint(hint)
}

/// How to write a value of the type serde expected (`invalid type: string "ja",
/// expected a boolean`).
fn type_hint(message: &str) -> Option<String> {
    let expected = message.strip_prefix("invalid type: ")?.rsplit_once("expected ")?.1;
    let hint = match expected {
        "a boolean" => "write `true` or `false`, without quotes",
        e if e.starts_with('u') || e.starts_with('i') && e[1..].chars().all(|c| c.is_ascii_digit() || c == 's') => {
            "write a whole number without quotes, e.g. `20`"
        }
        "a string" => "put the text in double quotes, e.g. `key = \"tekst\"`",
        "a sequence" => "write a list in square brackets, e.g. `[\"a\", \"b\"]`",
        _ => return None,
    };
    Some(hint.to_string())
}

/// Rewords serde's messages and finds a hint: for `unknown field `x`, expected one of
/// `a`, `b`` it suggests the closest known field.
pub fn explain_serde(message: &str) -> (String, Option<String>) {
    let message = message.trim().trim_end_matches('.').to_string();
    let Some(rest) = message.strip_prefix("unknown field `") else {
        if let Some(field) = message.strip_prefix("missing field `") {
            let field = field.trim_end_matches('`');
            return (message.clone(), Some(format!("add `{field} = ...`")));
        }
        return (message, None);
    };
    let field = rest.split('`').next().unwrap_or_default();
    let expected: Vec<&str> =
        rest.split_once("expected").map(|(_, list)| list.split('`').skip(1).step_by(2).collect()).unwrap_or_default();
    let hint = match crate::error::did_you_mean(field, &expected) {
        _ if zola_field(field).is_some() => {
            format!("a Zola field innsyn does not have: {}; remove it", zola_field(field).unwrap_or_default())
        }
        Some(best) => format!("did you mean `{best}`?"),
        None if expected.is_empty() => "remove it".to_string(),
        None => {
            format!("known fields are {}", expected.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", "))
        }
    };
    (format!("unknown field `{field}`"), Some(hint))
}

/// Why a front-matter field of Zola's has no counterpart in innsyn; `None` for
/// fields Zola does not have either.
pub fn zola_field(field: &str) -> Option<&'static str> {
    Some(match field {
        "redirect_to" => "innsyn writes the section's own page; to send readers from an old address, give the page there an `aliases` entry",
        "in_search_index" => "innsyn's search holds every published page",
        "insert_anchor_links" => "innsyn's headings have their own ids to link to",
        "transparent" => "innsyn lists a section's own pages on it",
        "render" => "innsyn writes every page and section",
        "paginate_path" | "paginate_reversed" => "innsyn's later list pages are at `side/N/`, in the section's order",
        "generate_feeds" | "generate_feed" => "innsyn writes a feed for every section with dated pages",
        "path" => "a section's address is its folder's",
        _ => return None,
    })
}

/// Line and column of the first line that sets `key` (`key =` or `key:`), for errors
/// found after deserializing, when serde's spans are gone.
pub fn key_position(src: &str, key: &str) -> Option<(usize, usize)> {
    src.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        // `[key]` or `[key.sub]` (no `format!` per line: every page's front
        // matter is searched for a dozen keys).
        let table = trimmed.strip_prefix('[').and_then(|t| t.strip_prefix(key));
        if table.is_some_and(|rest| rest.starts_with(']') || rest.starts_with('.')) {
            return Some((i + 1, line.len() - trimmed.len() + 1));
        }
        let rest = trimmed.strip_prefix(key)?;
        let rest = rest.trim_start().trim_start_matches('"');
        (rest.starts_with('=') || rest.starts_with(':')).then(|| (i + 1, line.len() - trimmed.len() + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_config_gets_defaults() {
        let s = parse("config.toml", "title = \"Innsyn\"").unwrap();
        assert_eq!(s.language, Lang::Nb);
        assert_eq!(s.theme, "innsyn");
        assert!(s.feed && s.sitemap);
        assert_eq!(s.base_url, "");
    }

    #[test]
    fn an_unknown_key_is_an_error_with_a_suggestion() {
        let err = parse("config.toml", "title = \"x\"\nbase_ur = \"https://a.no\"\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("config.toml:2:1: error: unknown field `base_ur`"), "{text}");
        assert!(text.contains("did you mean `base_url`?"), "{text}");
    }

    #[test]
    fn bad_values_are_all_reported() {
        let err = parse("config.toml", "title = \"x\"\nlanguage = \"sv\"\nbase_url = \"ftp://x\"\n").unwrap_err();
        assert_eq!(err.len(), 2, "{err}");
        assert!(err.0[0].to_string().contains("config.toml:2:1"));
    }

    #[test]
    fn every_unknown_key_and_every_value_of_the_wrong_type_is_reported_at_once() {
        let src = "titel = \"x\"\ntitle = \"x\"\nfeed = \"ja\"\nsitemapp = true\nsearch = 1\n\
                   [[search_sites]]\nname = \"A\"\nurll = \"https://a.no/\"\n\
                   [[taxonomies]]\nname = \"a\"\npaginate_by = -1\n[[taxonomies]]\nname = \"b\"\nfeeds = true\n";
        let err = parse("config.toml", src).unwrap_err();
        let places: Vec<String> = err.0.iter().map(|d| d.location()).collect();
        assert_eq!(
            places,
            [
                "config.toml:1:1",
                "config.toml:3:8",
                "config.toml:4:1",
                "config.toml:5:10",
                "config.toml:8:1",
                "config.toml:11:15",
                "config.toml:14:1"
            ],
            "{err}"
        );
        assert!(err.0.iter().all(|d| d.hint.is_some()), "{err}");
    }

    #[test]
    fn a_missing_title_is_said_once_even_when_its_value_was_refused() {
        let err = parse("config.toml", "title = 3\nfeed = \"x\"\n").unwrap_err();
        assert_eq!(err.len(), 2, "{err}");
        assert!(err.0[0].message.contains("`title`: invalid type"), "{err}");
    }

    #[test]
    fn base_url_gets_a_trailing_slash() {
        let s = parse("config.toml", "title = \"x\"\nbase_url = \"https://innsyn.asker.kommune.no/arkiv\"").unwrap();
        assert_eq!(s.base_url, "https://innsyn.asker.kommune.no/arkiv/");
        assert_eq!(s.permalink("/mandater/"), "https://innsyn.asker.kommune.no/arkiv/mandater/");
    }

    #[test]
    fn the_archive_table_switches_the_warc_on_and_refuses_unknown_keys() {
        assert!(!parse("config.toml", "title = \"x\"").unwrap().archive_warc);
        assert!(parse("config.toml", "title = \"x\"\n[archive]\nwarc = true\n").unwrap().archive_warc);
        let err = parse("config.toml", "title = \"x\"\n[archive]\nwrac = true\n").unwrap_err().to_string();
        assert!(
            err.contains("config.toml:3:1: error: unknown field `wrac`") && err.contains("did you mean `warc`?"),
            "{err}"
        );
    }

    #[test]
    fn a_taxonomy_paginates_by_at_least_one() {
        let ok = parse("config.toml", "title = \"x\"\n[[taxonomies]]\nname = \"kommune\"\npaginate_by = 20\n").unwrap();
        assert_eq!(ok.taxonomies[0].paginate_by, Some(20));
        let err = parse("config.toml", "title = \"x\"\n[[taxonomies]]\nname = \"kommune\"\npaginate_by = 0\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("config.toml:4:1") && err.contains("must be at least 1"), "{err}");
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_mix_of_known_and_unknown_keys_and_values_is_reported_without_a_panic(
            lines in proptest::collection::vec(
                (
                    "(title|feed|sitemap|taxonomies|search_sites|archive|name|paginate_by|url|warc|titel|x)",
                    "(\"a\"|1|-1|true|\\[\\]|\\[1\\]|\\{\\}|\\{ name = 1 \\})",
                    "(|\\[archive\\]|\\[\\[taxonomies\\]\\]|\\[\\[search_sites\\]\\])",
                ),
                0..12,
            ),
        ) {
            let src: String = lines.iter().map(|(k, v, header)| format!("{header}\n{k} = {v}\n")).collect();
            if let Err(e) = parse("config.toml", &src) {
                prop_assert!(e.0.iter().all(|d| d.line.is_some() || d.message.contains("missing")), "{}", e);
            }
        }

        #[test]
        fn only_http_https_mailto_and_site_addresses_pass(
            scheme in "[a-zA-Z][a-zA-Z0-9+.-]{0,12}",
            rest in "[a-z0-9/().%-]{0,20}",
            control in proptest::option::of("[\\x00-\\x1f\\x7f]"),
        ) {
            let mut url = format!("{scheme}:{rest}");
            let allowed = ["http", "https", "mailto"].contains(&scheme.to_ascii_lowercase().as_str());
            prop_assert_eq!(check_link(&url).is_ok(), allowed, "{}", url);
            if let Some(c) = control {
                url.insert_str(1, &c);
                prop_assert!(check_link(&url).is_err(), "{:?}", url);
            }
        }
    }

    #[test]
    fn site_addresses_and_fragments_pass_and_other_hosts_need_a_scheme() {
        for ok in ["", "/om/", "om/tilgjengelighet/", "../a.html", "#innhold", "?q=a:b", "a/b:c", " https://x.no "] {
            assert!(check_link(ok).is_ok(), "{ok}");
        }
        for bad in
            ["//evil.example/", "\\\\evil\\x", "/\\evil.example", " javascript:x", "vbscript:x", "data:text/html,x"]
        {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_script_address_in_config_is_an_error_at_its_line() {
        let err =
            parse("config.toml", "title = \"x\"\naccessibility_statement = \"javascript:alert(1)\"\n").unwrap_err();
        assert_eq!(err.0[0].location(), "config.toml:2:1");
        let err = parse("config.toml", "title = \"x\"\ncontact_email = \"a@b.no\\\" onclick=\\\"x\"\n").unwrap_err();
        assert!(err.0[0].message.contains("contact_email"), "{err}");
    }
}
