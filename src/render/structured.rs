//! The views of mandate and goal pages (`page.mandate`, `page.goal` in templates):
//! formatted facts, status badges, the timeline and risk matrix drawings, the goal
//! chain, children, and indicators with their computed trend. Built once per page
//! before templates run, so every fault (an indicator's missing data) is reported.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::charts::{self, draw, indicator, structured};
use crate::content::schemas::{Direction, Mandate};
use crate::content::status::StatusView;
use crate::data::number::format_number;
use crate::dates::Date;
use crate::error::{Diagnostic, Diagnostics};
use crate::lang::Lang;
use crate::site::Site;

use super::views::{iso, text, Link};

#[derive(Serialize)]
struct Item {
    id: String,
    text: String,
    status: Option<StatusView>,
}

#[derive(Serialize)]
struct MilestoneView {
    id: String,
    text: String,
    due: String,
    due_text: String,
    status: Option<StatusView>,
    overdue: bool,
}

#[derive(Serialize)]
struct RiskView {
    number: usize,
    text: String,
    likelihood: u8,
    consequence: u8,
    score: u8,
    mitigation: String,
}

#[derive(Serialize)]
struct ChangeView {
    version: String,
    date: String,
    date_text: String,
    change: String,
    by: String,
    approved_by: String,
}

#[derive(Serialize)]
struct ReportView {
    date: String,
    date_text: String,
    status: StatusView,
    text: String,
}

/// `page.mandate`.
#[derive(Serialize)]
struct MandateView {
    project_number: String,
    owner: String,
    project_manager: String,
    budget_text: String,
    staffing: String,
    phase: String,
    decision: String,
    decided_by: String,
    decided_date: String,
    decided_date_text: String,
    status: Option<StatusView>,
    latest_report_date_text: String,
    effect_goals: Vec<Item>,
    result_goals: Vec<Item>,
    milestones: Vec<MilestoneView>,
    timeline_svg: String,
    risks: Vec<RiskView>,
    risk_matrix_svg: String,
    depends_on: Vec<Link>,
    used_by: Vec<Link>,
    changes: Vec<ChangeView>,
    reports: Vec<ReportView>,
}

#[derive(Serialize)]
struct GoalLink {
    title: String,
    path: String,
    id: String,
    level: String,
    status: Option<StatusView>,
}

#[derive(Serialize)]
struct TrendView {
    key: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct IndicatorView {
    name: String,
    unit: String,
    baseline_text: String,
    target_text: String,
    direction: &'static str,
    latest_text: String,
    trend: Option<TrendView>,
    chart_html: String,
    /// The declared status says one thing and the computed trend another.
    disagrees: bool,
}

/// `page.goal`.
#[derive(Serialize)]
struct GoalView {
    id: String,
    level: String,
    area: Vec<String>,
    status: Option<StatusView>,
    /// From the top of the chain down to the parent.
    chain: Vec<GoalLink>,
    children: Vec<GoalLink>,
    indicators: Vec<IndicatorView>,
    /// The status computed from the sub-goals and indicators (`rollup = true`).
    computed: Option<super::rollup::RollupView>,
}

/// The extra views, by page index.
pub type Views = HashMap<usize, (&'static str, serde_json::Value)>;

/// Builds the mandate and goal views of every page that has one.
pub fn build(site: &Site, today: Date) -> Result<Views, Diagnostics> {
    let mut errors = Diagnostics::default();
    let rollups = super::rollup::compute(site).unwrap_or_else(|e| {
        errors.extend(e.0);
        HashMap::new()
    });
    type Built = Result<Option<(usize, (&'static str, serde_json::Value))>, Diagnostics>;
    let results: Vec<Built> = site
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, node)| {
            if let Some(m) = &node.page.mandate {
                let v = mandate_view(site, i, m, node.lang, today);
                Ok(Some((i, ("mandate", serde_json::to_value(v).unwrap_or_default()))))
            } else if node.page.goal.is_some() {
                let v = goal_view(site, i, node.lang, rollups.get(&i))?;
                Ok(Some((i, ("goal", serde_json::to_value(v).unwrap_or_default()))))
            } else {
                Ok(None)
            }
        })
        .collect();
    let mut views = Views::new();
    for r in results {
        match r {
            Ok(Some((i, v))) => {
                views.insert(i, v);
            }
            Ok(None) => {}
            Err(e) => errors.extend(e.0),
        }
    }
    errors.into_result()?;
    Ok(views)
}

fn link(site: &Site, i: usize) -> Link {
    Link { title: site.pages[i].page.title.clone(), path: site.pages[i].path.clone() }
}

fn mandate_view(site: &Site, i: usize, m: &Mandate, lang: Lang, today: Date) -> MandateView {
    let items = |list: &[crate::content::schemas::GoalItem]| {
        list.iter()
            .map(|g| Item { id: g.id.clone(), text: g.text.clone(), status: g.status.map(|s| s.view(lang)) })
            .collect()
    };
    let (tl_title, tl_desc, rm_title, rm_desc) = words(lang);
    let title = &site.pages[i].page.title;
    let mut milestones = m.milestones.clone();
    milestones.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.id.cmp(&b.id)));
    let overdue_count = milestones.iter().filter(|ms| structured::overdue(ms, today)).count();
    let timeline_svg = if milestones.is_empty() {
        String::new()
    } else {
        let desc = format!("{tl_desc} ({} / {})", milestones.len(), overdue_count);
        // Wide for desktops, narrow for phones (the theme shows one), so the text
        // keeps its size.
        let title = format!("{tl_title}: {title}");
        structured::timeline(&milestones, today, lang, "innsyn-timeline-w", &title, &desc, false)
            + &structured::timeline(&milestones, today, lang, "innsyn-timeline-n", &title, &desc, true)
    };
    let risk_matrix_svg = if m.risks.is_empty() {
        String::new()
    } else {
        structured::risk_matrix(&m.risks, lang, "innsyn-risk-matrix", &format!("{rm_title}: {title}"), rm_desc)
    };
    let budget_text =
        m.budget_nok.map(|b| format!("{} kr", format_number(b as f64, lang, Some(0)))).unwrap_or_default();
    MandateView {
        project_number: m.project_number.clone(),
        owner: m.owner.clone(),
        project_manager: m.project_manager.clone(),
        budget_text,
        staffing: m.staffing.clone(),
        phase: m.phase.clone(),
        decision: m.decision.clone(),
        decided_by: m.decided_by.clone(),
        decided_date: iso(m.decided_date),
        decided_date_text: text(m.decided_date, lang),
        status: m.status().map(|s| s.view(lang)),
        latest_report_date_text: text(m.reports.first().map(|r| r.date), lang),
        effect_goals: items(&m.effect_goals),
        result_goals: items(&m.result_goals),
        milestones: milestones
            .iter()
            .map(|ms| MilestoneView {
                id: ms.id.clone(),
                text: ms.text.clone(),
                due: iso(Some(ms.due)),
                due_text: text(Some(ms.due), lang),
                status: ms.status.map(|s| s.view(lang)),
                overdue: structured::overdue(ms, today),
            })
            .collect(),
        timeline_svg,
        risks: m
            .risks
            .iter()
            .enumerate()
            .map(|(n, r)| RiskView {
                number: n + 1,
                text: r.text.clone(),
                likelihood: r.likelihood,
                consequence: r.consequence,
                score: r.likelihood * r.consequence,
                mitigation: r.mitigation.clone(),
            })
            .collect(),
        risk_matrix_svg,
        depends_on: site
            .links
            .depends_on
            .get(&i)
            .map(|v| v.iter().map(|&j| link(site, j)).collect())
            .unwrap_or_default(),
        used_by: site.links.used_by.get(&i).map(|v| v.iter().map(|&j| link(site, j)).collect()).unwrap_or_default(),
        changes: m
            .changes
            .iter()
            .map(|c| ChangeView {
                version: c.version.clone(),
                date: iso(c.date),
                date_text: text(c.date, lang),
                change: c.change.clone(),
                by: c.by.clone(),
                approved_by: c.approved_by.clone(),
            })
            .collect(),
        reports: m
            .reports
            .iter()
            .map(|r| ReportView {
                date: iso(Some(r.date)),
                date_text: text(Some(r.date), lang),
                status: r.status.view(lang),
                text: r.text.clone(),
            })
            .collect(),
    }
}

fn words(lang: Lang) -> (&'static str, &'static str, &'static str, &'static str) {
    match lang {
        Lang::Nb | Lang::Se => (
            "Milepæler",
            "Milepælene på en tidslinje med dagens dato markert; antall milepæler / antall som er forfalt uten å være fullført. Den samme listen står under figuren",
            "Risikomatrise",
            "Risikoene plassert etter sannsynlighet (1–5) og konsekvens (1–5). Den samme oversikten står i tabellen under figuren.",
        ),
        Lang::Nn => (
            "Milepælar",
            "Milepælane på ei tidslinje med dagens dato markert; talet på milepælar / talet som er forfalne utan å vere fullførte. Den same lista står under figuren",
            "Risikomatrise",
            "Risikoane plasserte etter sannsyn (1–5) og konsekvens (1–5). Den same oversikta står i tabellen under figuren.",
        ),
        Lang::En => (
            "Milestones",
            "The milestones on a timeline with today marked; number of milestones / number overdue and not done. The same list follows the drawing",
            "Risk matrix",
            "The risks placed by likelihood (1–5) and consequence (1–5). The same overview is in the table below the drawing.",
        ),
    }
}

fn goal_link(site: &Site, j: usize, lang: Lang) -> GoalLink {
    let page = &site.pages[j].page;
    let goal = page.goal.as_ref();
    GoalLink {
        title: page.title.clone(),
        path: site.pages[j].path.clone(),
        id: goal.map(|g| g.id.clone()).unwrap_or_default(),
        level: goal.map(|g| g.level.clone()).unwrap_or_default(),
        status: page.status().map(|s| s.view(lang)),
    }
}

fn goal_view(
    site: &Site,
    i: usize,
    lang: Lang,
    rollup: Option<&super::rollup::Rollup>,
) -> Result<GoalView, Diagnostics> {
    let node = &site.pages[i];
    let goal = node.page.goal.as_ref().expect("only called for goals");
    let mut chain = Vec::new();
    let mut at = i;
    let mut seen = std::collections::HashSet::from([i]);
    while let Some(&p) = site.links.parent.get(&at) {
        if !seen.insert(p) {
            break; // A cycle, reported by assembly.
        }
        chain.push(goal_link(site, p, lang));
        at = p;
    }
    chain.reverse();
    let children =
        site.links.children.get(&i).map(|c| c.iter().map(|&j| goal_link(site, j, lang)).collect()).unwrap_or_default();
    let mut errors = Diagnostics::default();
    let mut indicators = Vec::new();
    for (n, ind) in goal.indicators.iter().enumerate() {
        let at = |msg: String| Diagnostic::at(&node.page.file, ind.line, 1, format!("indicator `{}`: {msg}", ind.name));
        let points = match &ind.data {
            None => Vec::new(),
            Some(name) => match site.data.get(name.trim_start_matches("data/")) {
                None => {
                    errors.push(
                        at(format!("there is no data file `data/{name}`"))
                            .hint("put the file in `data/`, or remove `data` to show only baseline and target"),
                    );
                    continue;
                }
                Some(f) if f.broken => continue,
                Some(f) => match indicator::points(ind, &f.table) {
                    Ok(p) => p,
                    Err(why) => {
                        errors.push(at(why).hint("check the indicator's `x`, `y` and `filter` against the data file"));
                        continue;
                    }
                },
            },
        };
        let trend = indicator::trend(&points, ind.baseline, ind.target, ind.direction);
        let data = indicator::chart_data(&points, ind.baseline, ind.target, lang);
        let spec = indicator::spec(ind);
        let id = format!("innsyn-indicator-{}", n + 1);
        let long = charts::describe(&spec, &data, lang);
        let drawn =
            draw::svg(&spec, &data, lang, draw::Layout::wide(spec.height)).map_err(|e| Diagnostics::from(at(e)))?;
        let narrow =
            draw::svg(&spec, &data, lang, draw::Layout::narrow(spec.height)).map_err(|e| Diagnostics::from(at(e)))?;
        let chart_html = format!(
            "<div class=\"chart-graphic\">{}\n{}</div>\n<details class=\"chart-details\"><summary data-search=\"skip\">{}</summary><p class=\"chart-long-description\" data-search=\"skip\">{}</p>{}</details>",
            charts::accessible_svg(&drawn, &format!("{id}-w"), &ind.name, &long, "chart-wide", false),
            charts::accessible_svg(&narrow, &format!("{id}-n"), &ind.name, &long, "chart-narrow", false),
            match lang {
                Lang::En => "Description and figures",
                Lang::Nn => "Skildring og tal",
                Lang::Nb | Lang::Se => "Beskrivelse og tall",
            },
            crate::html::escape(&long),
            charts::table_html(&spec, &data, lang, &ind.name),
        ) + &charts::source_html(indicator_source(site, ind).as_ref(), lang);
        let unit = if ind.unit.is_empty() { String::new() } else { format!(" {}", ind.unit) };
        let year = |x: f64| if x.fract() == 0.0 { format!("{x:.0}") } else { format_number(x, lang, None) };
        let point =
            |p: crate::content::schemas::Point| format!("{}{unit} ({})", format_number(p.y, lang, None), year(p.x));
        let latest_text =
            points.last().map(|&(x, y)| point(crate::content::schemas::Point { x, y })).unwrap_or_default();
        let status = node.page.status();
        let disagrees = super::rollup::disagrees_with_trend(status, trend);
        indicators.push(IndicatorView {
            name: ind.name.clone(),
            unit: ind.unit.clone(),
            baseline_text: point(ind.baseline),
            target_text: point(ind.target),
            direction: match ind.direction {
                Direction::Up => "up",
                Direction::Down => "down",
            },
            latest_text,
            trend: trend.map(|t| TrendView { key: t.key(), label: t.label(lang) }),
            chart_html,
            disagrees,
        });
    }
    errors.into_result()?;
    Ok(GoalView {
        id: goal.id.clone(),
        level: goal.level.clone(),
        area: goal.area.clone(),
        status: goal.status.map(|s| s.view(lang)),
        chain,
        children,
        indicators,
        computed: rollup.map(|r| r.view(goal.status, lang)),
    })
}
/// Where an indicator's figures come from: its data file's provenance when that
/// names a source, else the indicator's own `source`.
pub fn indicator_source(site: &Site, ind: &crate::content::schemas::Indicator) -> Option<crate::data::Provenance> {
    let from_file = ind
        .data
        .as_deref()
        .and_then(|name| site.data.get(name.trim_start_matches("data/")))
        .and_then(|f| f.provenance.clone())
        .filter(|p| !p.source.is_empty());
    from_file.or_else(|| {
        (!ind.source.is_empty()).then(|| crate::data::Provenance {
            source: ind.source.clone(),
            url: ind.source_url.clone(),
            ..Default::default()
        })
    })
}
