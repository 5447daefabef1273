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

/// What `innsyn new` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    Mandate,
    Goal,
    Page,
}

/// Writes a new content file with every field and a short Norwegian comment on
/// what belongs there; returns its path. `section` is a folder inside `content/`.
pub fn new_file(
    root: &Path,
    kind: NewKind,
    title: &str,
    section: Option<&str>,
    parent: Option<&str>,
    today: &str,
) -> Result<std::path::PathBuf, Diagnostic> {
    let slug = crate::content::slug::slugify(title);
    if slug.is_empty() {
        return Err(Diagnostic::new("title", format!("`{title}` has no letters or digits to name the file by"))
            .hint("give a title with words, e.g. \"Nytt innbyggertorg\""));
    }
    let default_section = match kind {
        NewKind::Mandate => "mandater",
        NewKind::Goal => "mal",
        NewKind::Page => "",
    };
    let section = section.unwrap_or(default_section).trim_matches('/');
    if section.split('/').any(|p| p == ".." || p == ".") || section.contains('\\') {
        return Err(Diagnostic::new("--section", format!("`{section}` is not a folder inside content/"))
            .hint("name a folder such as `mandater` or `mal/kristiansand`"));
    }
    let dir = root.join("content").join(section);
    let path = dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(Diagnostic::new(
            crate::error::relative(root, &path),
            "the file exists already; innsyn will not overwrite it",
        )
        .hint("choose another title, or edit the file"));
    }
    let quoted = toml::Value::String(title.to_string()).to_string();
    let text = match kind {
        NewKind::Page => format!(
            "+++\ntitle = {quoted}\n# Én setning om siden. Vises i lister, i søkeresultater og når siden deles.\ndescription = \"\"\ndate = {today}\n+++\n\nSkriv innholdet her. Bruk ## for overskrifter.\n"
        ),
        NewKind::Mandate => format!(
            r#"+++
title = {quoted}
# Én setning om prosjektet. Vises i lister, i søkeresultater og når siden deles.
description = ""
date = {today}
type = "mandate"

[mandate]
# Prosjektnummer, f.eks. fra økonomisystemet eller prosjektporteføljen.
project_number = "{number}"
# Prosjekteier: den som bestiller prosjektet og har ansvaret for gevinstene.
owner = ""
# Prosjektleder: den som leder arbeidet til daglig.
project_manager = ""
# Budsjett i hele kroner, uten mellomrom (f.eks. 500000).
# budget_nok = 0
# Bemanning, f.eks. "60 % stilling".
staffing = ""
# Fase i Prosjektveiviseren: Konsept, Planlegging, Gjennomføring eller Avslutning.
phase = "Konsept"
# Siste beslutning (beslutningspunkt), hvem som tok den og når.
decision = ""
decided_by = ""
# decided_date = {today}
# Andre mandater dette prosjektet bygger på, som lenker til filene deres.
depends_on = []

# Effektmål: gevinstene virksomheten skal få etter prosjektet. Ett bolk per mål.
# [[mandate.effect_goals]]
# id = "E1"
# text = ""
# status = "proposed"

# Resultatmål: det prosjektet selv skal levere.
# [[mandate.result_goals]]
# id = "R1"
# text = ""

# Milepæler med dato (ÅÅÅÅ-MM-DD) og status.
# [[mandate.milestones]]
# id = "M1"
# text = ""
# due = {today}
# status = "proposed"

# Risikoer: sannsynlighet og konsekvens fra 1 (lav) til 5 (høy), og tiltak.
# [[mandate.risks]]
# text = ""
# likelihood = 3
# consequence = 3
# mitigation = ""

# Endringslogg for mandatet.
# [[mandate.changes]]
# version = "1.0"
# date = {today}
# change = "Første versjon"
# by = ""
# approved_by = ""

# Statusrapporter, f.eks. månedlig. Den nyeste gir prosjektets status.
# Statuser: proposed, adopted, in-progress, at-risk, delayed, done, stopped.
# [[mandate.reports]]
# date = {today}
# status = "in-progress"
# text = ""
+++

## Bakgrunn

Hvorfor prosjektet finnes: problemet eller muligheten, og vedtakene det bygger på.

## Mål og rammer

Hva prosjektet skal oppnå, og innenfor hvilke rammer (tid, kostnad, kvalitet).

## Organisering

Prosjekteier, styringsgruppe, prosjektleder, prosjektgruppe og referansegrupper.

## Avhengigheter og risiko

Andre prosjekter og forhold som påvirker arbeidet.
"#,
            number = slug.to_uppercase().chars().take(12).collect::<String>()
        ),
        NewKind::Goal => format!(
            r#"+++
title = {quoted}
# Én setning om målet. Vises i lister, i søkeresultater og når siden deles.
description = ""
type = "goal"

[goal]
# En kort id som er unik på nettstedet; andre mål viser til den som `parent`.
id = "{id}"
# Nivå i målkjeden: retningsmål, periodemål, tiltak …
level = "periodemål"
{parent_line}
# Områdene som har ansvaret, som koder (f.eks. ["HM", "KI"]).
area = []
# Status: proposed, adopted, in-progress, at-risk, delayed, done eller stopped.
status = "proposed"

# Indikatorer: hva som måles, utgangspunkt og mål (år og verdi), og hvilken vei
# som er bedre. Med en datafil i data/ regner innsyn ut om målet er i rute.
# [[goal.indicators]]
# name = ""
# unit = "%"
# data = "fil.csv"
# x = "år"
# y = "verdi"
# filter = "kommune=..."
# baseline = {{ x = 2024, y = 0 }}
# target = {{ x = 2028, y = 0 }}
# direction = "up"
+++

Beskriv målet, hvorfor det er viktig, og hvordan det skal nås.
"#,
            id = slug.to_uppercase(),
            parent_line = match parent {
                Some(p) => format!("# Målet over dette i kjeden (dets id).\nparent = {}", toml::Value::String(p.to_string())),
                None => "# Målet over dette i kjeden (dets id), f.eks. parent = \"RM-1\".".to_string(),
            }
        ),
    };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(&path, &text)
    };
    write().map_err(|e| Diagnostic::new(&path, format!("cannot write the file: {e}")))?;
    Ok(path)
}
