//! Loads the theme: its templates, static files and interface strings, from
//! `themes/<name>/` or, for the default theme when the site has no copy, from the
//! binary. The site's own `templates/`, `static/` and `i18n/` win over the theme's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::error::{relative, Diagnostic, Diagnostics};
use crate::fsx;
use crate::lang::Lang;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_theme.rs"));
}

/// A template's source and where it came from (for messages).
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// The template's name, e.g. `page.html`.
    pub name: String,
    /// The template's text.
    pub source: String,
    /// The file it was read from, for messages.
    pub file: PathBuf,
}

/// Everything a theme and the site's overrides provide.
#[derive(Debug, Default)]
pub struct Theme {
    /// By template name; the site's override replaces the theme's.
    pub templates: BTreeMap<String, TemplateSource>,
    /// Files copied to the output root, by output path.
    pub static_files: BTreeMap<String, (PathBuf, Vec<u8>)>,
    /// Interface strings per language.
    pub strings: BTreeMap<Lang, serde_json::Map<String, serde_json::Value>>,
}

/// Loads the theme named in `settings` for the site at `root`.
pub fn load(root: &Path, settings: &Settings, config_src: &str) -> Result<Theme, Diagnostics> {
    let mut errors = Diagnostics::default();
    let mut theme = Theme::default();
    let dir = root.join("themes").join(&settings.theme);
    if fsx::is_dir(&dir) {
        load_dir(root, &dir, &mut theme, &mut errors);
    } else if settings.theme == "innsyn" {
        for (rel, bytes) in embedded::FILES {
            let file = PathBuf::from("(built-in theme)").join(rel);
            add_file(rel, file, bytes.to_vec(), &mut theme, &mut errors);
        }
    } else {
        let (line, col) = crate::config::key_position(config_src, "theme").unwrap_or((1, 1));
        errors.push(
            Diagnostic::at(
                crate::config::CONFIG_FILE,
                line,
                col,
                format!("there is no theme `{}` in `themes/`", settings.theme),
            )
            .hint("use `theme = \"innsyn\"` (built in), or add the theme's folder under `themes/`"),
        );
    }
    // The site's own files, which win.
    load_dir(root, root, &mut theme, &mut errors);
    errors.into_result()?;
    Ok(theme)
}

fn load_dir(root: &Path, dir: &Path, theme: &mut Theme, errors: &mut Diagnostics) {
    for sub in ["templates", "static", "i18n"] {
        let base = dir.join(sub);
        for path in fsx::walk_files(root, &base, errors) {
            let rel = format!("{sub}/{}", relative(&base, &path).to_string_lossy().replace('\\', "/"));
            match fsx::read(root, &path) {
                Ok(bytes) => add_file(&rel, relative(root, &path), bytes, theme, errors),
                Err(e) => errors.push(e),
            }
        }
    }
}

fn add_file(rel: &str, file: PathBuf, bytes: Vec<u8>, theme: &mut Theme, errors: &mut Diagnostics) {
    if let Some(name) = rel.strip_prefix("templates/") {
        if !(name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".txt")) {
            return;
        }
        match String::from_utf8(bytes) {
            Ok(source) => {
                theme.templates.insert(name.to_string(), TemplateSource { name: name.to_string(), source, file });
            }
            Err(_) => {
                errors.push(Diagnostic::new(file, "the template is not valid UTF-8 text").hint("save it as UTF-8"))
            }
        }
    } else if let Some(out) = rel.strip_prefix("static/") {
        theme.static_files.insert(out.to_string(), (file, bytes));
    } else if let Some(name) = rel.strip_prefix("i18n/") {
        let Some(lang) = name.strip_suffix(".toml").and_then(Lang::parse) else {
            return;
        };
        let text = String::from_utf8_lossy(&bytes);
        match toml::from_str::<BTreeMap<String, String>>(&text) {
            Ok(map) => {
                let strings = theme.strings.entry(lang).or_default();
                for (k, v) in map {
                    strings.insert(k, serde_json::Value::String(v));
                }
            }
            Err(e) => errors.push(
                crate::config::toml_error(&file.display().to_string(), &text, &e, 0)
                    .hint("write each string as `key = \"text\"`"),
            ),
        }
    }
}
