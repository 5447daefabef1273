//! The site's data catalogue, `data/catalog.jsonld`: every data file the site
//! publishes as a `dcat:Dataset` with one `dcat:Distribution` (the file itself),
//! in a `dcat:Catalog`, following DCAT-AP-NO so Felles datakatalog and other
//! harvesters find the figures; and `check`'s warnings for what the profile
//! requires but the site does not say (a licence, a publisher). Writes nothing.
//!
//! Addresses are absolute from `base_url`; a site without one gets addresses
//! relative to the catalogue itself, which JSON-LD resolves against where the
//! file is read from (and `check` says a harvester needs `base_url`).

use serde_json::{json, Map, Value};

use crate::data::DataFile;
use crate::dcat;
use crate::error::Diagnostic;
use crate::file::OutputFile;
use crate::site::Site;

/// The data files the catalogue lists: all that could be read, but those whose
/// sidecar says `catalog = false`.
fn catalogued(site: &Site) -> Vec<(&String, &DataFile)> {
    site.data.iter().filter(|(_, f)| !f.broken && !f.provenance.as_ref().is_some_and(|p| p.uncatalogued)).collect()
}

/// Where the catalogue is published.
pub const CATALOG_PATH: &str = "/data/catalog.jsonld";

/// The catalogue's path, or `None` when the site has no data file to list.
pub fn render_path(site: &Site) -> Option<&'static str> {
    (!catalogued(site).is_empty()).then_some(CATALOG_PATH)
}

/// The catalogue, or nothing for a site without data files.
pub fn render(site: &Site) -> Option<OutputFile> {
    let datasets = catalogued(site);
    if datasets.is_empty() {
        return None;
    }
    let s = &site.settings;
    let lang = s.language.code();
    let text = |t: &str| json!({ "@value": t, "@language": lang });
    let context: Map<String, Value> = dcat::PREFIXES.iter().map(|(p, uri)| (p.to_string(), json!(uri))).collect();
    let publisher = publisher(site);
    let list: Vec<Value> = datasets.iter().map(|(name, file)| dataset(site, name, file, &publisher)).collect();
    let mut catalog = json!({
        "@context": context,
        "@id": address(site, CATALOG_PATH),
        "@type": "dcat:Catalog",
        "dct:title": text(&s.title),
        "dct:description": text(&catalog_description(site)),
        "dct:publisher": publisher,
        "dct:language": { "@id": dcat::language_uri(lang) },
        "foaf:homepage": { "@id": address(site, "/") },
        "dcat:themeTaxonomy": { "@id": "http://publications.europa.eu/resource/authority/data-theme" },
        "dcat:dataset": list,
    });
    // The catalogue changed when its newest dataset did (the build's date would
    // make every build differ).
    let newest = datasets
        .iter()
        .filter_map(|(_, f)| f.provenance.as_ref())
        .flat_map(|p| [p.updated.as_str(), p.published.as_str()])
        .filter(|d| !d.is_empty())
        .max();
    if let Some(date) = newest {
        catalog["dct:modified"] = json!({ "@value": date, "@type": "xsd:date" });
    }
    let mut bytes = serde_json::to_vec_pretty(&catalog).unwrap_or_default();
    bytes.push(b'\n');
    Some(OutputFile::new(CATALOG_PATH.trim_start_matches('/').to_string(), bytes))
}

/// A site-absolute path as the catalogue names it: absolute from `base_url`, or
/// relative to the catalogue (in `data/`) without one.
fn address(site: &Site, path: &str) -> String {
    let encoded = crate::http::encode_path(path);
    if !site.settings.base_url.is_empty() {
        return site.settings.permalink(&encoded);
    }
    match encoded.strip_prefix("/data/") {
        Some(inside) => inside.to_string(),
        None => format!("..{encoded}"),
    }
}

/// The publishing organisation as a `foaf:Agent`: named by its organisation
/// number in Enhetsregisteret when the site gives one.
fn publisher(site: &Site) -> Value {
    let c = &site.settings.catalog;
    let mut agent = json!({ "@type": "foaf:Agent" });
    if !c.organization_number.is_empty() {
        agent["@id"] = json!(format!("https://data.brreg.no/enhetsregisteret/api/enheter/{}", c.organization_number));
        agent["dct:identifier"] = json!(c.organization_number);
    }
    if !c.publisher.is_empty() {
        agent["foaf:name"] = json!({ "@value": c.publisher, "@language": site.settings.language.code() });
    }
    agent
}

fn catalog_description(site: &Site) -> String {
    if !site.settings.description.is_empty() {
        return site.settings.description.clone();
    }
    match site.settings.language.engine() {
        crate::lang::Lang::En => format!("The data files published on «{}».", site.settings.title),
        crate::lang::Lang::Nn => format!("Datafilene som er publiserte på «{}».", site.settings.title),
        _ => format!("Datafilene som er publisert på «{}».", site.settings.title),
    }
}

/// One data file as a `dcat:Dataset` with its file as the distribution.
fn dataset(site: &Site, name: &str, file: &DataFile, publisher: &Value) -> Value {
    let s = &site.settings;
    let lang = s.language.code();
    let text = |t: &str| json!({ "@value": t, "@language": lang });
    let empty = crate::data::Provenance::default();
    let p = file.provenance.as_ref().unwrap_or(&empty);
    let id = format!("{}#{}", address(site, CATALOG_PATH), crate::http::encode_path(name));
    let title = [p.title.as_str(), file.table.title.as_deref().unwrap_or("")]
        .into_iter()
        .find(|t| !t.is_empty())
        .unwrap_or(name);
    let description = if !p.description.is_empty() {
        p.description.clone()
    } else if !p.notes.is_empty() {
        p.notes.clone()
    } else {
        generated_description(site, name, file)
    };
    let mut d = json!({
        "@id": id,
        "@type": "dcat:Dataset",
        "dct:identifier": id,
        "dct:title": text(title),
        "dct:description": text(&description),
        "dct:publisher": publisher,
        "dct:language": { "@id": dcat::language_uri(lang) },
        "dct:accessRights": { "@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC" },
    });
    if !p.source.is_empty() {
        d["dct:creator"] = json!({ "@type": "foaf:Agent", "foaf:name": text(&p.source) });
    }
    if !p.url.is_empty() && (p.url.starts_with("https://") || p.url.starts_with("http://")) {
        d["dct:source"] = json!({ "@id": p.url });
    }
    if !p.table_id.is_empty() {
        d["adms:identifier"] = json!({ "@type": "adms:Identifier", "rdfs:label": p.table_id });
    }
    if !p.published.is_empty() {
        d["dct:issued"] = json!({ "@value": p.published, "@type": "xsd:date" });
    }
    if !p.updated.is_empty() {
        d["dct:modified"] = json!({ "@value": p.updated, "@type": "xsd:date" });
    }
    if !p.keywords.is_empty() {
        d["dcat:keyword"] = p.keywords.iter().map(|k| text(k)).collect();
    }
    if !p.themes.is_empty() {
        d["dcat:theme"] = p.themes.iter().map(|t| json!({ "@id": dcat::theme_uri(t) })).collect();
    }
    if !s.contact_email.is_empty() {
        let mut contact = json!({ "@type": "vcard:Organization", "vcard:hasEmail": { "@id": format!("mailto:{}", s.contact_email) } });
        if !s.contact_name.is_empty() {
            contact["vcard:fn"] = json!(s.contact_name);
        }
        d["dcat:contactPoint"] = contact;
    }
    d["dcat:distribution"] = distribution(site, name, p);
    d
}

/// The file itself: where to get it, its format and its licence.
fn distribution(site: &Site, name: &str, p: &crate::data::Provenance) -> Value {
    let url = address(site, &format!("/data/{name}"));
    let format = dcat::file_format(name);
    let mut d = json!({
        "@type": "dcat:Distribution",
        "dct:title": { "@value": name, "@language": site.settings.language.code() },
        "dcat:accessURL": { "@id": url },
        "dcat:downloadURL": { "@id": url },
    });
    if let Some(media) = format.media_type {
        d["dcat:mediaType"] = json!({ "@id": dcat::media_type_uri(media) });
    }
    if let Some(code) = format.eu_file_type {
        d["dct:format"] = json!({ "@id": dcat::file_type_uri(code) });
    } else if !format.label.is_empty() {
        d["dct:format"] = json!({ "@type": "dct:MediaTypeOrExtent", "rdfs:label": format.label });
    }
    if let Some(licence) = licence(site, p) {
        d["dct:license"] = json!({ "@id": licence });
    }
    d
}

/// The licence of a file: its sidecar's address, or its name, else the site's
/// default (`[catalog] licence`); `None` when neither says.
fn licence(site: &Site, p: &crate::data::Provenance) -> Option<String> {
    let own = [p.licence_url.as_str(), p.licence.as_str()].into_iter().find_map(dcat::licence_uri);
    own.or_else(|| Some(site.settings.catalog.licence_uri.clone()).filter(|l| !l.is_empty()))
}

/// `Datafilen arsverk.csv: 24 rader med kolonnene år, kommune, årsverk.`
fn generated_description(site: &Site, name: &str, file: &DataFile) -> String {
    let columns = file.table.column_names().join(", ");
    let rows = file.table.row_count();
    match site.settings.language.engine() {
        crate::lang::Lang::En => format!("The data file {name}: {rows} rows with the columns {columns}."),
        crate::lang::Lang::Nn => format!("Datafila {name}: {rows} rader med kolonnane {columns}."),
        _ => format!("Datafilen {name}: {rows} rader med kolonnene {columns}."),
    }
}

/// What DCAT-AP-NO requires that the site does not say: the publisher, each data
/// file's licence, and (for harvesters) an absolute address. Warnings for `check`.
pub fn missing(site: &Site, config_src: Option<&str>) -> Vec<Diagnostic> {
    let datasets = catalogued(site);
    if datasets.is_empty() {
        return Vec::new();
    }
    let config = crate::config::CONFIG_FILE;
    let at_config = |key: &str, message: String| {
        let (line, col) = config_src.and_then(|src| crate::config::key_position(src, key)).unwrap_or((1, 1));
        Diagnostic::at(config, line, col, message).warning()
    };
    let mut out = Vec::new();
    let c = &site.settings.catalog;
    if c.publisher.is_empty() {
        out.push(
            at_config("catalog", "the data catalogue (`data/catalog.jsonld`) names no publisher".into()).hint(
                "add `[catalog]` with `publisher = \"Fjellvik kommune\"` and `organization_number = \"…\"`, or set `organization`",
            ),
        );
    }
    if site.settings.base_url.is_empty() {
        out.push(
            at_config("base_url", "the data catalogue's addresses are relative, since the site has no `base_url`".into())
                .hint("set `base_url` to the site's published address, so harvesters such as data.norge.no can fetch the files"),
        );
    }
    for (name, file) in datasets {
        let p = file.provenance.clone().unwrap_or_default();
        let sidecar = format!("data/{name}.toml");
        if licence(site, &p).is_none() {
            let d = if p.licence.is_empty() {
                Diagnostic::at(&sidecar, 1, 1, format!("`data/{name}` has no licence for the data catalogue"))
                    .hint(format!(
                        "add `licence = \"NLOD 2.0\"` (or another) to `{sidecar}`, or a default for every file as `[catalog] licence = \"NLOD 2.0\"` in config.toml; a file whose licence is not yours to give can stay out of the catalogue with `catalog = false`"
                    ))
            } else {
                Diagnostic::at(
                    &sidecar,
                    1,
                    1,
                    format!("innsyn does not know the licence `{}` of `data/{name}`", crate::error::clip(&p.licence)),
                )
                .hint(format!("name one of {}, or add `licence_url = \"https://…\"`", dcat::LICENCE_NAMES))
            };
            out.push(d.warning());
        }
    }
    out
}
