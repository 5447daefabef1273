//! `innsyn init DIR`: a new site that builds at once with the built-in theme.

use std::path::Path;

use crate::error::Diagnostic;
use crate::lang::Lang;

/// The words of a new site, per language.
struct Scaffold {
    title: &'static str,
    description: &'static str,
    organization: &'static str,
    home: &'static str,
    projects: &'static str,
    projects_text: &'static str,
    project: &'static str,
    project_text: &'static str,
    effect_goal: &'static str,
    milestone: &'static str,
    risk: &'static str,
    mitigation: &'static str,
    goals: &'static str,
    goal: &'static str,
    goal_text: &'static str,
    figures: &'static str,
    chart_page: &'static str,
    chart_text: &'static str,
    chart_title: &'static str,
    source: &'static str,
    note: &'static str,
}

fn scaffold(lang: Lang) -> Scaffold {
    match lang {
        Lang::Nb | Lang::Se => Scaffold {
            title: "Innsyn i Eksempel kommune",
            description: "Prosjekter, mål og tall fra Eksempel kommune.",
            organization: "Eksempel kommune",
            home: "Velkommen! Her følger du kommunens prosjekter og mål. Alt innhold her er oppdiktet: bytt det ut med deres eget.",
            projects: "Prosjekter",
            projects_text: "Mandatene for prosjektene kommunen arbeider med.",
            project: "Nytt servicetorg",
            project_text: "Et oppdiktet prosjekt som viser hvordan et mandat ser ut. Skriv bakgrunn, mål og organisering her.",
            effect_goal: "Innbyggerne får svar raskere.",
            milestone: "Servicetorget åpner",
            risk: "For få ansatte med riktig kompetanse",
            mitigation: "Opplæring tidlig i prosjektet",
            goals: "Mål",
            goal: "Lavere sykefravær",
            goal_text: "Et oppdiktet mål med en indikator. innsyn regner ut om målet er i rute.",
            figures: "Tall",
            chart_page: "Sykefravær",
            chart_text: "Et diagram tegnet av innsyn fra datafilen `data/sykefravar.csv`.",
            chart_title: "Sykefravær i Eksempel kommune",
            source: "Oppdiktede tall for Eksempel kommune",
            note: "Tallene er oppdiktet og viser bare hvordan en datafil med kilde ser ut.",
        },
        Lang::Nn => Scaffold {
            title: "Innsyn i Døme kommune",
            description: "Prosjekt, mål og tal frå Døme kommune.",
            organization: "Døme kommune",
            home: "Velkomen! Her følgjer du prosjekta og måla til kommunen. Alt innhaldet her er oppdikta: byt det ut med dykkar eige.",
            projects: "Prosjekt",
            projects_text: "Mandata for prosjekta kommunen arbeider med.",
            project: "Nytt servicetorg",
            project_text: "Eit oppdikta prosjekt som viser korleis eit mandat ser ut. Skriv bakgrunn, mål og organisering her.",
            effect_goal: "Innbyggjarane får svar raskare.",
            milestone: "Servicetorget opnar",
            risk: "For få tilsette med rett kompetanse",
            mitigation: "Opplæring tidleg i prosjektet",
            goals: "Mål",
            goal: "Lågare sjukefråvær",
            goal_text: "Eit oppdikta mål med ein indikator. innsyn reknar ut om målet er i rute.",
            figures: "Tal",
            chart_page: "Sjukefråvær",
            chart_text: "Eit diagram teikna av innsyn frå datafila `data/sykefravar.csv`.",
            chart_title: "Sjukefråvær i Døme kommune",
            source: "Oppdikta tal for Døme kommune",
            note: "Tala er oppdikta og viser berre korleis ei datafil med kjelde ser ut.",
        },
        Lang::En => Scaffold {
            title: "Open records of Example Municipality",
            description: "Projects, goals and figures from Example Municipality.",
            organization: "Example Municipality",
            home: "Welcome! Follow the municipality's projects and goals here. Everything here is made up: replace it with your own.",
            projects: "Projects",
            projects_text: "The mandates of the municipality's projects.",
            project: "New service centre",
            project_text: "A made-up project that shows what a mandate looks like. Write its background, goals and organisation here.",
            effect_goal: "Residents get answers sooner.",
            milestone: "The service centre opens",
            risk: "Too few staff with the right skills",
            mitigation: "Training early in the project",
            goals: "Goals",
            goal: "Less sickness absence",
            goal_text: "A made-up goal with an indicator. innsyn works out whether the goal is on track.",
            figures: "Figures",
            chart_page: "Sickness absence",
            chart_text: "A chart drawn by innsyn from the data file `data/sykefravar.csv`.",
            chart_title: "Sickness absence in Example Municipality",
            source: "Made-up figures for Example Municipality",
            note: "The figures are made up and only show what a data file with its source looks like.",
        },
    }
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The files of a new site in `lang`: a mandate, a goal with an indicator, a data
/// file with its provenance, a chart page and the accessibility-statement setting.
fn files(lang: Lang) -> Vec<(String, String)> {
    let w = scaffold(lang);
    let code = lang.code();
    let slug = crate::content::slug::slugify;
    vec![
        (
            "config.toml".into(),
            format!(
                "# Settings of the site (see the guide «Slik bruker du innsyn»).\ntitle = {}\ndescription = {}\n\
                 # The address the site is published at (feeds, sitemap, shared links).\nbase_url = \"https://innsyn.eksempel.kommune.no/\"\n\
                 language = \"{code}\"\ntheme = \"innsyn\"\norganization = {}\ncontact_email = \"postmottak@eksempel.kommune.no\"\n\
                 # The municipality's accessibility statement on uustatus.no.\naccessibility_statement = \"https://uustatus.no/\"\n\n\
                 # The data catalogue (data/catalog.jsonld): the licence of data files whose\n                 # sidecar names none, and the organisation number from Enhetsregisteret.\n                 [catalog]\nlicence = \"NLOD 2.0\"\n# organization_number = \"123 456 785\"\n\n                 [[taxonomies]]\nname = \"tema\"\ntitle = \"Tema\"\n\n[extra]\n",
                q(w.title),
                q(w.description),
                q(w.organization)
            ),
        ),
        (
            "content/_index.md".into(),
            format!(
                "+++\ntitle = {}\ndescription = {}\nsort_by = \"weight\"\n+++\n\n{}\n\n{{{{ goals(section=\"mal\", group_by=\"area\") }}}}\n",
                q(w.title),
                q(w.description),
                w.home
            ),
        ),
        (
            "content/prosjekter/_index.md".into(),
            format!("+++\ntitle = {}\ndescription = {}\nsort_by = \"title\"\nweight = 1\n+++\n", q(w.projects), q(w.projects_text)),
        ),
        (
            format!("content/prosjekter/{}.md", slug(w.project)),
            format!(
                "+++\ntitle = {}\ndescription = {}\ntype = \"mandate\"\n[taxonomies]\ntema = [\"Digitalisering\"]\n\n[mandate]\n\
                 project_number = \"EK-1\"\nowner = \"Kommunedirektøren\"\nproject_manager = \"Kari Nordmann\"\nbudget_nok = 500000\n\
                 staffing = \"60 %\"\nphase = \"Konsept\"\n\n[[mandate.effect_goals]]\nid = \"E1\"\ntext = {}\nstatus = \"proposed\"\n\n\
                 [[mandate.milestones]]\nid = \"M1\"\ntext = {}\ndue = 2027-06-30\n\n[[mandate.risks]]\ntext = {}\nlikelihood = 3\n\
                 consequence = 3\nmitigation = {}\n+++\n\n{}\n",
                q(w.project),
                q(w.project_text),
                q(w.effect_goal),
                q(w.milestone),
                q(w.risk),
                q(w.mitigation),
                w.project_text
            ),
        ),
        ("content/mal/_index.md".into(), format!("+++\ntitle = {}\nsort_by = \"title\"\nweight = 2\n+++\n", q(w.goals))),
        (
            format!("content/mal/{}.md", slug(w.goal)),
            format!(
                "+++\ntitle = {}\ntype = \"goal\"\n\n[goal]\nid = \"HR-1\"\nlevel = \"periodemål\"\narea = [\"HR\"]\nstatus = \"adopted\"\n\n\
                 [[goal.indicators]]\nname = {}\nunit = \"%\"\ndata = \"sykefravar.csv\"\nx = \"år\"\ny = \"prosent\"\n\
                 baseline = {{ x = 2022, y = 8.5 }}\ntarget = {{ x = 2027, y = 7.0 }}\ndirection = \"down\"\n+++\n\n{}\n",
                q(w.goal),
                q(w.chart_page),
                w.goal_text
            ),
        ),
        ("content/tall/_index.md".into(), format!("+++\ntitle = {}\nweight = 3\n+++\n", q(w.figures))),
        (
            format!("content/tall/{}.md", slug(w.chart_page)),
            format!(
                "+++\ntitle = {}\n+++\n\n{}\n\n{{{{ chart(data=\"sykefravar.csv\", kind=\"line\", x=\"år\", y=\"prosent\", unit=\"%\", title={}) }}}}\n",
                q(w.chart_page),
                w.chart_text,
                q(w.chart_title)
            ),
        ),
        ("data/sykefravar.csv".into(), "år;prosent\n2022;8,5\n2023;8,1\n2024;7,9\n".into()),
        ("data/sykefravar.csv.toml".into(), format!("source = {}\nnotes = {}\n", q(w.source), q(w.note))),
        // The build output and innsyn's cache of image variants are made from the
        // rest; neither belongs in version control.
        (".gitignore".into(), "/public/\n/.innsyn-cache/\n".into()),
    ]
}

/// Creates a new site in `dir` (which must be empty or not exist), written in `lang`.
pub fn create(dir: &Path, lang: Lang) -> Result<(), Diagnostic> {
    if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(Diagnostic::new(dir, "the folder is not empty; innsyn will not overwrite anything")
            .hint("choose a new folder name, e.g. `innsyn init min-side`"));
    }
    for (rel, text) in files(lang) {
        let path = dir.join(&rel);
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
            std::fs::write(&path, &text)
        };
        write().map_err(|e| Diagnostic::new(&path, format!("cannot write the file: {e}")))?;
    }
    Ok(())
}

/// What `innsyn new` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    /// A project mandate (`type = "mandate"`) with its `[mandate]` table.
    Mandate,
    /// A goal page (`type = "goal"`) with its `[goal]` table.
    Goal,
    /// A plain page.
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
