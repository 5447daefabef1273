//! Mandates and goals as data: `index.json` beside each mandate's and goal's
//! `index.html`, holding its checked front matter in a documented format
//! (`docs/open-data.md`, `"format": "innsyn-page"`, `"version": 1`), and one
//! `index.json` per section that holds such pages, listing them. Other sites and
//! tools read these instead of scraping the pages. Writes nothing.
//!
//! Links in the JSON are site-absolute paths (`/mandater/a9/`), as stable as the
//! pages' addresses and independent of where the file is read from; `url` is the
//! absolute address when the site has a `base_url`, else `null`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::content::schemas::{Direction, Goal, Mandate};
use crate::content::status::Status;
use crate::dates::Date;
use crate::file::OutputFile;
use crate::site::Site;

/// The version of the format; raised only when a field changes meaning or goes.
pub const VERSION: u32 = 1;

/// The path of page `i`'s JSON (`/mandater/a9/index.json`), or `None` for a page
/// that is not a mandate or goal or is not published as a folder.
pub fn json_path(site: &Site, i: usize) -> Option<String> {
    let node = &site.pages[i];
    if node.page.mandate.is_none() && node.page.goal.is_none() {
        return None;
    }
    node.path.ends_with('/').then(|| format!("{}index.json", node.path))
}

/// Every mandate's and goal's JSON, and the lists of their sections.
pub fn render(site: &Site, computed: &dyn Fn(usize) -> Option<Value>) -> Vec<OutputFile> {
    let mut files = Vec::new();
    let mut by_section: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    for i in 0..site.pages.len() {
        let Some(path) = json_path(site, i) else { continue };
        let value = page(site, i, computed(i));
        by_section.entry(site.pages[i].section).or_default().push(json!({
            "type": value["type"],
            "title": value["title"],
            "path": value["path"],
            "json": path,
            "status": value["status"],
        }));
        files.push(OutputFile::new(path.trim_start_matches('/').to_string(), to_bytes(&value)));
    }
    for (section, pages) in by_section {
        let node = &site.sections[section];
        if !node.path.ends_with('/') {
            continue;
        }
        let list = json!({
            "format": "innsyn-list",
            "version": VERSION,
            "title": node.section.title,
            "path": node.path,
            "url": url(site, &node.path),
            "pages": pages,
        });
        files.push(OutputFile::new(format!("{}index.json", node.path.trim_start_matches('/')), to_bytes(&list)));
    }
    files
}

/// A goal's roll-up as its JSON holds it, from the goal's view: the status's and
/// trend's keys, the counts, and the reason in the page's language.
pub fn computed(view: &Value) -> Option<Value> {
    let c = view.get("computed").filter(|c| !c.is_null())?;
    let trend = c["trend_key"].as_str().filter(|t| !t.is_empty());
    Some(json!({
        "status": c["status"]["key"],
        "trend": trend,
        "counts": c["counts"],
        "reason": c["reason"],
    }))
}

fn to_bytes(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn url(site: &Site, path: &str) -> Value {
    if site.settings.base_url.is_empty() {
        Value::Null
    } else {
        json!(site.settings.permalink(path))
    }
}

fn date(d: Option<Date>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

fn status(s: Option<Status>) -> Value {
    s.map_or(Value::Null, |s| json!(s.key()))
}

/// One page's JSON; `computed` is its goal's rolled-up status, if it has one.
fn page(site: &Site, i: usize, computed: Option<Value>) -> Value {
    let node = &site.pages[i];
    let p = &node.page;
    let (kind, body) = match (&p.mandate, &p.goal) {
        (Some(m), _) => ("mandate", mandate(site, i, m)),
        (None, Some(g)) => ("goal", goal(site, i, g, computed)),
        (None, None) => ("page", Value::Null),
    };
    let mut v = json!({
        "format": "innsyn-page",
        "version": VERSION,
        "type": kind,
        "title": p.title,
        "description": p.description,
        "lang": node.lang.code(),
        "path": node.path,
        "url": url(site, &node.path),
        "date": date(p.date),
        "updated": date(p.updated),
        "status": status(p.status()),
        "taxonomies": p.taxonomies,
    });
    v[kind] = body;
    v
}

fn paths(site: &Site, pages: Option<&Vec<usize>>) -> Vec<String> {
    pages.map(|v| v.iter().map(|&j| site.pages[j].path.clone()).collect()).unwrap_or_default()
}

fn mandate(site: &Site, i: usize, m: &Mandate) -> Value {
    let items = |list: &[crate::content::schemas::GoalItem]| -> Vec<Value> {
        list.iter().map(|g| json!({ "id": g.id, "text": g.text, "status": status(g.status) })).collect()
    };
    json!({
        "project_number": m.project_number,
        "owner": m.owner,
        "project_manager": m.project_manager,
        "budget_nok": m.budget_nok,
        "staffing": m.staffing,
        "phase": m.phase,
        "decision": m.decision,
        "decided_by": m.decided_by,
        "decided_date": date(m.decided_date),
        "status": status(m.status()),
        "effect_goals": items(&m.effect_goals),
        "result_goals": items(&m.result_goals),
        "milestones": m.milestones.iter().map(|ms| json!({
            "id": ms.id, "text": ms.text, "due": ms.due.to_string(), "status": status(ms.status),
        })).collect::<Vec<_>>(),
        "risks": m.risks.iter().map(|r| json!({
            "text": r.text, "likelihood": r.likelihood, "consequence": r.consequence, "mitigation": r.mitigation,
        })).collect::<Vec<_>>(),
        "depends_on": paths(site, site.links.depends_on.get(&i)),
        "used_by": paths(site, site.links.used_by.get(&i)),
        "changes": m.changes.iter().map(|c| json!({
            "version": c.version, "date": date(c.date), "change": c.change, "by": c.by, "approved_by": c.approved_by,
        })).collect::<Vec<_>>(),
        "reports": m.reports.iter().map(|r| json!({
            "date": r.date.to_string(), "status": r.status.key(), "text": r.text,
        })).collect::<Vec<_>>(),
    })
}

fn goal(site: &Site, i: usize, g: &Goal, computed: Option<Value>) -> Value {
    let parent_path = site.links.parent.get(&i).map_or(Value::Null, |&j| json!(site.pages[j].path));
    json!({
        "id": g.id,
        "level": g.level,
        "parent": g.parent,
        "parent_path": parent_path,
        "area": g.area,
        "status": status(g.status),
        "computed": computed.unwrap_or(Value::Null),
        "children": paths(site, site.links.children.get(&i)),
        "indicators": g.indicators.iter().map(|ind| json!({
            "name": ind.name,
            "unit": ind.unit,
            "data": ind.data.as_deref().map(|d| format!("/data/{}", d.trim_start_matches("data/"))),
            "x": ind.x,
            "y": ind.y,
            "filter": ind.filter,
            "baseline": { "x": ind.baseline.x, "y": ind.baseline.y },
            "target": { "x": ind.target.x, "y": ind.target.y },
            "direction": match ind.direction { Direction::Up => "up", Direction::Down => "down" },
            "source": ind.source,
            "source_url": ind.source_url,
        })).collect::<Vec<_>>(),
    })
}
