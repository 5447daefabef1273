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

/// The `[mandate]` table of a mandate page, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MandateFront {
    /// The project's number or code, e.g. `A9`; required and must not be empty.
    pub project_number: String,
    /// Who owns the project (prosjekteier).
    #[serde(default)]
    pub owner: String,
    /// Who leads the project (prosjektleder).
    #[serde(default)]
    pub project_manager: String,
    /// The budget in whole kroner; must not be negative.
    pub budget_nok: Option<i64>,
    /// The people and time set aside for the project, e.g. `60 % stilling`.
    #[serde(default)]
    pub staffing: String,
    /// The phase the project is in, e.g. `Konsept`.
    #[serde(default)]
    pub phase: String,
    /// The latest decision point, e.g. `Mandatet godkjent`.
    #[serde(default)]
    pub decision: String,
    /// Who made the latest decision.
    #[serde(default)]
    pub decided_by: String,
    /// When the latest decision was made, as `YYYY-MM-DD`.
    pub decided_date: Option<RawDate>,
    /// The effect goals (effektmål): the benefits the project should bring.
    #[serde(default)]
    pub effect_goals: Vec<GoalItemFront>,
    /// The result goals (resultatmål): what the project should deliver.
    #[serde(default)]
    pub result_goals: Vec<GoalItemFront>,
    /// The milestones, each with a due date.
    #[serde(default)]
    pub milestones: Vec<MilestoneFront>,
    /// The risks, shown in a risk matrix and a table.
    #[serde(default)]
    pub risks: Vec<RiskFront>,
    /// `@/` links to the other mandates this project depends on.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The mandate's change log (endringslogg).
    #[serde(default)]
    pub changes: Vec<ChangeFront>,
    /// The status reports; the latest one's status is the mandate's status.
    #[serde(default)]
    pub reports: Vec<ReportFront>,
}

/// An effect or result goal of a mandate, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalItemFront {
    /// A short label for the goal, e.g. `E1`.
    #[serde(default)]
    pub id: String,
    /// What the goal says.
    pub text: String,
    /// The goal's status key, e.g. `in-progress`; optional.
    pub status: Option<String>,
}

/// A milestone of a mandate, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneFront {
    /// A short label for the milestone, e.g. `M1`.
    #[serde(default)]
    pub id: String,
    /// What is to be reached by the milestone.
    pub text: String,
    /// When the milestone is due, as `YYYY-MM-DD`.
    pub due: RawDate,
    /// The milestone's status key, e.g. `done`; optional.
    pub status: Option<String>,
}

/// A risk of a mandate, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskFront {
    /// What could go wrong.
    pub text: String,
    /// How likely the risk is, from 1 (very low) to 5 (very high).
    pub likelihood: i64,
    /// How serious it would be, from 1 (very low) to 5 (very high).
    pub consequence: i64,
    /// What is done to reduce the risk.
    #[serde(default)]
    pub mitigation: String,
}

/// An entry in a mandate's change log, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeFront {
    /// The mandate's version after the change, e.g. `1.1`.
    #[serde(default)]
    pub version: String,
    /// When the change was made, as `YYYY-MM-DD`.
    pub date: Option<RawDate>,
    /// What was changed.
    pub change: String,
    /// Who made the change.
    #[serde(default)]
    pub by: String,
    /// Who approved the change.
    #[serde(default)]
    pub approved_by: String,
}

/// A status report of a mandate, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFront {
    /// The report's date, as `YYYY-MM-DD`.
    pub date: RawDate,
    /// The project's status key at the time of the report, e.g. `at-risk`.
    pub status: String,
    /// What the report says.
    #[serde(default)]
    pub text: String,
}

/// The `[goal]` table of a goal page, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalFront {
    /// The goal's id: one word, unique in the site, e.g. `DM-1`.
    pub id: String,
    /// The goal's level in free text, e.g. `periodemål`.
    #[serde(default)]
    pub level: String,
    /// The id of the goal above this one; optional.
    pub parent: Option<String>,
    /// Codes of the areas responsible for the goal.
    #[serde(default)]
    pub area: Vec<String>,
    /// The goal's status key, e.g. `adopted`; optional.
    pub status: Option<String>,
    /// Compute the goal's status from its sub-goals and indicators (see
    /// `render::rollup`); `false` by default.
    #[serde(default)]
    pub rollup: bool,
    /// The indicators that measure progress towards the goal.
    #[serde(default)]
    pub indicators: Vec<IndicatorFront>,
}

/// An indicator of a goal, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFront {
    /// The indicator's name, e.g. `Sykefravær`.
    pub name: String,
    /// The unit of its values, e.g. `%`.
    #[serde(default)]
    pub unit: String,
    /// A file in `data/` with the indicator's measured values; optional.
    pub data: Option<String>,
    /// The data file's column of x values (usually years); needed with `data`.
    pub x: Option<String>,
    /// The data file's column of the indicator's values; needed with `data`.
    pub y: Option<String>,
    /// A `column=value` condition choosing which rows of the data file to use.
    pub filter: Option<String>,
    /// Where the indicator started: a year and a value.
    pub baseline: Point,
    /// Where the indicator should be: a later year and a value.
    pub target: Point,
    /// Which way is better: `up` (the default) or `down`.
    #[serde(default)]
    pub direction: Direction,
    /// Where the figures come from, shown under the chart (a data file's own
    /// provenance sidecar is used before this).
    pub source: Option<String>,
    /// A web address for the source; http(s), mailto or relative.
    pub source_url: Option<String>,
}

/// A point on an indicator: a year (or other x) and a value.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// The year (or other x value).
    pub x: f64,
    /// The indicator's value at `x`.
    pub y: f64,
}

/// Which way an indicator should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Higher values are better.
    #[default]
    Up,
    /// Lower values are better.
    Down,
}

/// A goal line in a mandate (effect or result goal).
#[derive(Debug, Clone, PartialEq)]
pub struct GoalItem {
    /// A short label for the goal, e.g. `E1`; may be empty.
    pub id: String,
    /// What the goal says.
    pub text: String,
    /// The goal's status, if given.
    pub status: Option<Status>,
}

/// A checked milestone of a mandate.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    /// A short label for the milestone, e.g. `M1`; may be empty.
    pub id: String,
    /// What is to be reached by the milestone.
    pub text: String,
    /// When the milestone is due.
    pub due: Date,
    /// The milestone's status, if given.
    pub status: Option<Status>,
}

/// A checked risk of a mandate.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    /// What could go wrong.
    pub text: String,
    /// How likely the risk is, from 1 (very low) to 5 (very high).
    pub likelihood: u8,
    /// How serious it would be, from 1 (very low) to 5 (very high).
    pub consequence: u8,
    /// What is done to reduce the risk; may be empty.
    pub mitigation: String,
}

/// A checked entry in a mandate's change log.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The mandate's version after the change; may be empty.
    pub version: String,
    /// When the change was made, if given.
    pub date: Option<Date>,
    /// What was changed.
    pub change: String,
    /// Who made the change; may be empty.
    pub by: String,
    /// Who approved the change; may be empty.
    pub approved_by: String,
}

/// A checked status report of a mandate.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The report's date.
    pub date: Date,
    /// The project's status at the time of the report.
    pub status: Status,
    /// What the report says; may be empty.
    pub text: String,
}

/// A checked project mandate.
#[derive(Debug, Clone, PartialEq)]
pub struct Mandate {
    /// The project's number or code, e.g. `A9`.
    pub project_number: String,
    /// Who owns the project (prosjekteier); may be empty.
    pub owner: String,
    /// Who leads the project (prosjektleder); may be empty.
    pub project_manager: String,
    /// The budget in whole kroner, if given.
    pub budget_nok: Option<i64>,
    /// The people and time set aside for the project; may be empty.
    pub staffing: String,
    /// The phase the project is in; may be empty.
    pub phase: String,
    /// The latest decision point; may be empty.
    pub decision: String,
    /// Who made the latest decision; may be empty.
    pub decided_by: String,
    /// When the latest decision was made, if given.
    pub decided_date: Option<Date>,
    /// The effect goals (effektmål), in the order written.
    pub effect_goals: Vec<GoalItem>,
    /// The result goals (resultatmål), in the order written.
    pub result_goals: Vec<GoalItem>,
    /// The milestones, in the order written.
    pub milestones: Vec<Milestone>,
    /// The risks, in the order written.
    pub risks: Vec<Risk>,
    /// `@/` paths of mandates this one depends on, with the line they are on.
    pub depends_on: Vec<(String, usize)>,
    /// The change log, in the order written.
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
    /// The indicator's name, e.g. `Sykefravær`.
    pub name: String,
    /// The unit of its values, e.g. `%`; may be empty.
    pub unit: String,
    /// A file in `data/` with the indicator's measured values, if given.
    pub data: Option<String>,
    /// The data file's column of x values; empty without `data`.
    pub x: String,
    /// The data file's column of the indicator's values; empty without `data`.
    pub y: String,
    /// A `column=value` condition choosing rows of the data file, if given.
    pub filter: Option<String>,
    /// Where the indicator started: a year and a value.
    pub baseline: Point,
    /// Where the indicator should be: a later year and a value.
    pub target: Point,
    /// Which way is better.
    pub direction: Direction,
    /// Where the figures come from (`source`); may be empty.
    pub source: String,
    /// A web address for the source; may be empty.
    pub source_url: String,
    /// Line of the indicator's `data` (or `name`) in the file.
    pub line: usize,
}

/// A checked goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// The goal's id, unique in the site.
    pub id: String,
    /// The goal's level in free text, e.g. `periodemål`; may be empty.
    pub level: String,
    /// The id of the goal above this one, if any.
    pub parent: Option<String>,
    /// Codes of the areas responsible for the goal.
    pub area: Vec<String>,
    /// The goal's status, if given.
    pub status: Option<Status>,
    /// The indicators that measure progress towards the goal.
    pub indicators: Vec<Indicator>,
    /// Line of `id` in the file, for messages.
    pub id_line: usize,
    /// Line of `parent` in the file (of `id` when there is none), for messages.
    pub parent_line: usize,
    /// Whether the status is computed from the sub-goals and indicators (`rollup = true`).
    pub rollup: bool,
    /// Line of `rollup` in the file (of `id` when there is none), for messages.
    pub rollup_line: usize,
    /// Line of `status` in the file (of `id` when there is none), for messages.
    pub status_line: usize,
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
            if let Some(url) = &i.source_url {
                if let Err(why) = crate::config::check_link(url) {
                    errors.push(
                        p.at(p.line_of(url, 0), format!("the indicator `{}` has a `source_url` that {why}", i.name))
                            .hint(crate::config::LINK_HINT),
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
                source: i.source.unwrap_or_default().trim().to_string(),
                source_url: i.source_url.unwrap_or_default().trim().to_string(),
                line,
            }
        })
        .collect();
    let parent_line = raw.parent.as_ref().map_or(id_line, |par| p.line_of(&format!("\"{par}\""), 0));
    let rollup_line = if raw.rollup { p.line_of("rollup", 0) } else { id_line };
    let status_line = raw.status.as_ref().map_or(id_line, |s| p.line_of(&format!("\"{s}\""), 0));
    Goal {
        id: raw.id,
        level: raw.level,
        parent: raw.parent,
        area: raw.area,
        status,
        indicators,
        id_line,
        parent_line,
        rollup: raw.rollup,
        rollup_line,
        status_line,
    }
}
