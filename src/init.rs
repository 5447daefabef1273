//! `innsyn init DIR`: a new site that builds at once with the built-in theme.

use std::path::Path;

use crate::error::Diagnostic;

const FILES: &[(&str, &str)] = &[
    (
        "config.toml",
        r#"# Innstillinger for nettstedet. Se dokumentasjonen for alle valg.
title = "Innsyn i Eksempel kommune"
description = "Prosjekter, mål og tall fra Eksempel kommune."
# Adressen nettstedet publiseres på (brukes i feed, nettstedskart og lenker som deles).
base_url = "https://innsyn.eksempel.kommune.no/"
language = "nb"
theme = "innsyn"
organization = "Eksempel kommune"
contact_email = "postmottak@eksempel.kommune.no"
# Tilgjengelighetserklæringen deres på uustatus.no.
accessibility_statement = "https://uustatus.no/"

[[taxonomies]]
name = "tema"
title = "Tema"

[extra]
"#,
    ),
    (
        "content/_index.md",
        r#"+++
title = "Innsyn i Eksempel kommune"
description = "Her følger du kommunens prosjekter og mål."
sort_by = "weight"
+++

Velkommen! Dette nettstedet er laget med innsyn. Endre teksten i `content/_index.md`.
"#,
    ),
    (
        "content/prosjekter/_index.md",
        r#"+++
title = "Prosjekter"
description = "Prosjektene kommunen arbeider med."
sort_by = "date"
+++
"#,
    ),
    (
        "content/prosjekter/forste-prosjekt.md",
        r#"+++
title = "Første prosjekt"
description = "Et eksempel på en prosjektside."
date = 2026-01-15
[taxonomies]
tema = ["Digitalisering"]
+++

Skriv om prosjektet her. Dette er et oppdiktet eksempel.

<!-- more -->

## Bakgrunn

Hvorfor prosjektet finnes, og hva det skal oppnå.

## Lenker

Se [forsiden](@/_index.md).
"#,
    ),
];

/// Creates a new site in `dir`, which must be empty or not exist.
pub fn create(dir: &Path) -> Result<(), Diagnostic> {
    if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(Diagnostic::new(dir, "the folder is not empty; innsyn will not overwrite anything")
            .hint("choose a new folder name, e.g. `innsyn init min-side`"));
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
            std::fs::write(&path, text)
        };
        write().map_err(|e| Diagnostic::new(&path, format!("cannot write the file: {e}")))?;
    }
    Ok(())
}
