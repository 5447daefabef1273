//! The two content types with a schema of their own: project mandates
//! (`type = "mandate"`, the Prosjektveiviseren template) and goals (`type = "goal"`,
//! retningsmål → periodemål → tiltak). Raw front matter as written → checked model.
//! Checks that need the whole site (goal ids, parents, dependencies, data) are in
//! `site.rs`.

use serde::Deserialize;

use super::split::Split;
use super::status::Status;
use crate::dates::{Date, RawDate};
use crate::error::{did_you_mean, Diagnostic, Diagnostics};
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MandateFront {
    pub project_number: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub project_manager: String,
    pub budget_nok: Option<i64>,
    #[serde(default)]
    pub staffing: String,
    #[serde(default)]
    pub phase: String,
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub decided_by: String,
    pub decided_date: Option<RawDate>,
    #[serde(default)]
    pub effect_goals: Vec<GoalItemFront>,
    #[serde(default)]
    pub result_goals: Vec<GoalItemFront>,
    #[serde(default)]
    pub milestones: Vec<MilestoneFront>,
    #[serde(default)]
    pub risks: Vec<RiskFront>,
    #[serde(default)]
    pub depends_on: Vec<String>,
    #[serde(default)]
    pub changes: Vec<ChangeFront>,
    #[serde(default)]
    pub reports: Vec<ReportFront>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalItemFront {
    #[serde(default)]
    pub id: String,
    pub text: String,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneFront {
    #[serde(default)]
    pub id: String,
    pub text: String,
    pub due: RawDate,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskFront {
    pub text: String,
    pub likelihood: i64,
    pub consequence: i64,
    #[serde(default)]
    pub mitigation: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeFront {
    #[serde(default)]
    pub version: String,
    pub date: Option<RawDate>,
    pub change: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub approved_by: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFront {
    pub date: RawDate,
    pub status: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalFront {
    pub id: String,
    #[serde(default)]
    pub level: String,
    pub parent: Option<String>,
    #[serde(default)]
    pub area: Vec<String>,
    pub status: Option<String>,
    #[serde(default)]
    pub indicators: Vec<IndicatorFront>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFront {
    pub name: String,
    #[serde(default)]
    pub unit: String,
    pub data: Option<String>,
    pub x: Option<String>,
    pub y: Option<String>,
    pub filter: Option<String>,
    pub baseline: Point,
    pub target: Point,
    #[serde(default)]
    pub direction: Direction,
}

/// A point on an indicator: a year (or other x) and a value.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Which way an indicator should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Up,
    Down,
}

/// A goal line in a mandate (effect or result goal).
#[derive(Debug, Clone, PartialEq)]
pub struct GoalItem {
    pub id: String,
    pub text: String,
    pub status: Option<Status>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    pub id: String,
    pub text: String,
    pub due: Date,
    pub status: Option<Status>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    pub text: String,
    pub likelihood: u8,
    pub consequence: u8,
    pub mitigation: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub version: String,
    pub date: Option<Date>,
    pub change: String,
    pub by: String,
    pub approved_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub date: Date,
    pub status: Status,
    pub text: String,
}

/// A checked project mandate.
#[derive(Debug, Clone, PartialEq)]
pub struct Mandate {
    pub project_number: String,
    pub owner: String,
    pub project_manager: String,
    pub budget_nok: Option<i64>,
    pub staffing: String,
    pub phase: String,
    pub decision: String,
    pub decided_by: String,
    pub decided_date: Option<Date>,
    pub effect_goals: Vec<GoalItem>,
    pub result_goals: Vec<GoalItem>,
    pub milestones: Vec<Milestone>,
    pub risks: Vec<Risk>,
    /// `@/` paths of mandates this one depends on, with the line they are on.
    pub depends_on: Vec<(String, usize)>,
    pub changes: Vec<Change>,
    /// Newest first.
    pub reports: Vec<Report>,
}

impl Mandate {
    /// The status of the latest report, which is the mandate's status.
    pub fn status(&self) -> Option<Status> {
        self.reports.first().map(|r| r.status)
    }
}

/// A checked indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub name: String,
    pub unit: String,
    pub data: Option<String>,
    pub x: String,
    pub y: String,
    pub filter: Option<String>,
    pub baseline: Point,
    pub target: Point,
    pub direction: Direction,
    /// Line of the indicator's `data` (or `name`) in the file.
    pub line: usize,
}

/// A checked goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: String,
    pub level: String,
    pub parent: Option<String>,
    pub area: Vec<String>,
    pub status: Option<Status>,
    pub indicators: Vec<Indicator>,
    pub id_line: usize,
    pub parent_line: usize,
}

/// Finds where problems sit in the front matter, for messages.
struct Place<'a> {
    file: &'a Path,
    split: &'a Split<'a>,
}

impl Place<'_> {
    /// The first line (after `after`) that contains `needle`.
    fn line_of(&self, needle: &str, after: usize) -> usize {
        self.split.front.lines().enumerate().skip(after).find(|(_, l)| l.contains(needle)).map_or(1, |(i, _)| i + 1)
            + self.split.front_line_offset
    }

    fn at(&self, line: usize, message: String) -> Diagnostic {
        Diagnostic::at(self.file, line, 1, message)
    }

    fn status(&self, raw: &Option<String>, errors: &mut Diagnostics) -> Option<Status> {
        let raw = raw.as_ref()?;
        Status::parse(raw).or_else(|| {
            let d = self.at(self.line_of(&format!("\"{raw}\""), 0), format!("unknown status `{raw}`"));
            errors.push(match did_you_mean(raw, &Status::KEYS) {
                Some(best) => d.hint(format!("did you mean `{best}`?")),
                None => d.hint(format!("the statuses are {}", Status::KEYS.join(", "))),
            });
            None
        })
    }

    fn date(&self, raw: &RawDate, what: &str, errors: &mut Diagnostics) -> Option<Date> {
        Date::parse(&raw.0)
            .map_err(|why| {
                errors.push(
                    self.at(self.line_of(&raw.0, 0), format!("`{what}` is not a real date: {why}"))
                        .hint("write dates as YYYY-MM-DD, e.g. `2024-03-05`"),
                )
            })
            .ok()
    }
}

/// Checks a mandate's values.
pub fn check_mandate(file: &Path, split: &Split, raw: MandateFront, errors: &mut Diagnostics) -> Mandate {
    let p = Place { file, split };
    if raw.project_number.trim().is_empty() {
        errors.push(
            p.at(p.line_of("project_number", 0), "`project_number` is empty".into())
                .hint("write the project's number, e.g. `project_number = \"A9\"`"),
        );
    }
    if let Some(b) = raw.budget_nok {
        if b < 0 {
            errors.push(
                p.at(p.line_of("budget_nok", 0), "`budget_nok` cannot be negative".into())
                    .hint("write the budget in whole kroner, e.g. `budget_nok = 500000`"),
            );
        }
    }
    let items = |list: Vec<GoalItemFront>, errors: &mut Diagnostics| -> Vec<GoalItem> {
        list.into_iter().map(|g| GoalItem { status: p.status(&g.status, errors), id: g.id, text: g.text }).collect()
    };
    let effect_goals = items(raw.effect_goals, errors);
    let result_goals = items(raw.result_goals, errors);
    let milestones = raw
        .milestones
        .into_iter()
        .filter_map(|m| {
            let status = p.status(&m.status, errors);
            let due = p.date(&m.due, "due", errors)?;
            Some(Milestone { id: m.id, text: m.text, due, status })
        })
        .collect();
    let risks = raw
        .risks
        .into_iter()
        .map(|r| {
            for (key, v) in [("likelihood", r.likelihood), ("consequence", r.consequence)] {
                if !(1..=5).contains(&v) {
                    errors.push(
                        p.at(
                            p.line_of(&format!("{key} = {v}"), 0),
                            format!("`{key}` is {v}, but it must be from 1 to 5"),
                        )
                        .hint("1 is very low and 5 very high, as in a ROS analysis"),
                    );
                }
            }
            Risk {
                text: r.text,
                likelihood: r.likelihood.clamp(1, 5) as u8,
                consequence: r.consequence.clamp(1, 5) as u8,
                mitigation: r.mitigation,
            }
        })
        .collect();
    let depends_on = raw
        .depends_on
        .into_iter()
        .map(|d| {
            let line = p.line_of(&d, 0);
            if !d.starts_with("@/") {
                errors.push(
                    p.at(line, format!("`{d}` in `depends_on` is not an internal link"))
                        .hint("name the other mandate's file, e.g. `\"@/mandater/a9-innbyggertorg.md\"`"),
                );
            }
            (d, line)
        })
        .collect();
    let changes = raw
        .changes
        .into_iter()
        .map(|c| Change {
            date: c.date.as_ref().and_then(|d| p.date(d, "date", errors)),
            version: c.version,
            change: c.change,
            by: c.by,
            approved_by: c.approved_by,
        })
        .collect();
    let mut reports: Vec<Report> = raw
        .reports
        .into_iter()
        .filter_map(|r| {
            let status = p.status(&Some(r.status.clone()), errors)?;
            let date = p.date(&r.date, "date", errors)?;
            Some(Report { date, status, text: r.text })
        })
        .collect();
    reports.sort_by_key(|r| std::cmp::Reverse(r.date));
    Mandate {
        project_number: raw.project_number,
        owner: raw.owner,
        project_manager: raw.project_manager,
        budget_nok: raw.budget_nok,
        staffing: raw.staffing,
        phase: raw.phase,
        decision: raw.decision,
        decided_by: raw.decided_by,
        decided_date: raw.decided_date.as_ref().and_then(|d| p.date(d, "decided_date", errors)),
        effect_goals,
        result_goals,
        milestones,
        risks,
        depends_on,
        changes,
        reports,
    }
}

/// Checks a goal's values.
pub fn check_goal(file: &Path, split: &Split, raw: GoalFront, errors: &mut Diagnostics) -> Goal {
    let p = Place { file, split };
    let id_line = p.line_of("id", 0);
    if raw.id.trim().is_empty() || raw.id.contains(char::is_whitespace) {
        errors.push(
            p.at(id_line, format!("the goal id `{}` must be a single word", raw.id))
                .hint("use letters, digits and `-`, e.g. `id = \"HM-3\"`"),
        );
    }
    let status = p.status(&raw.status, errors);
    let indicators = raw
        .indicators
        .into_iter()
        .map(|i| {
            let line = p.line_of(&i.name, 0);
            if i.data.is_some() && (i.x.is_none() || i.y.is_none()) {
                errors.push(
                    p.at(line, format!("the indicator `{}` names a data file but not its `x` and `y` columns", i.name))
                        .hint("add `x = \"år\"` and `y = \"verdi\"`"),
                );
            }
            for (key, point) in [("baseline", i.baseline), ("target", i.target)] {
                let x_ok = point.x.is_finite() && point.x.abs() <= 1e6;
                let y_ok = point.y.is_finite()
                    && point.y.abs() <= crate::data::number::LARGEST
                    && (point.y == 0.0 || point.y.abs() >= crate::data::number::SMALLEST);
                if !x_ok || !y_ok {
                    let (what, value) = if x_ok { ("y", point.y) } else { ("x", point.x) };
                    errors.push(
                        p.at(
                            line,
                            format!(
                                "the indicator `{}` has a {key} `{what}` of `{value:e}`, which no chart can show",
                                i.name
                            ),
                        )
                        .hint(if x_ok {
                            "`y` is the indicator's value, between -10^15 and 10^15, e.g. `y = 8.5`"
                        } else {
                            "`x` is a year, e.g. `x = 2024`"
                        }),
                    );
                }
            }
            if i.baseline.x >= i.target.x {
                errors.push(
                    p.at(line, format!("the indicator `{}` has its target before its baseline", i.name))
                        .hint("the target's `x` (year) must come after the baseline's"),
                );
            }
            Indicator {
                name: i.name,
                unit: i.unit,
                data: i.data,
                x: i.x.unwrap_or_default(),
                y: i.y.unwrap_or_default(),
                filter: i.filter,
                baseline: i.baseline,
                target: i.target,
                direction: i.direction,
                line,
            }
        })
        .collect();
    let parent_line = raw.parent.as_ref().map_or(id_line, |par| p.line_of(&format!("\"{par}\""), 0));
    Goal { id: raw.id, level: raw.level, parent: raw.parent, area: raw.area, status, indicators, id_line, parent_line }
}
