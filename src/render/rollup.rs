//! Goals that roll up (`rollup = true` in `[goal]`): a parent goal's status
//! computed from its sub-goals' statuses and its indicators' trends, with the
//! reason in words, like Styringsportalen's «røde tråd»; and `check`'s warnings
//! where a stated status says otherwise than the figures or the sub-goals.
//! Reads the site; writes nothing.
//!
//! The rule (documented in `docs/content-types.md`): each sub-goal and each
//! indicator counts once. A sub-goal counts by its computed status when it
//! rolls up itself, else by its stated one: `done` is done; `in-progress` is
//! on track; `adopted` is adopted (decided, no progress reported); `at-risk` is
//! at risk; `delayed` is behind; `proposed` is not started; `stopped` and no
//! status are left out. An indicator with figures counts by its trend: reached
//! is done, on track is on track, behind is behind; one without figures is left
//! out. Of what counts: all done → `done`; more than half behind → `delayed`;
//! any behind or at risk → `at-risk`; all not started → `proposed`; nothing on
//! track or done yet, but something adopted → `adopted`; else `in-progress`.
//! Nothing that counts → no status.

use std::collections::HashMap;

use serde::Serialize;

use crate::charts::indicator::{self, Trend};
use crate::content::status::{Status, StatusView};
use crate::error::{Diagnostic, Diagnostics};
use crate::lang::Lang;
use crate::site::Site;

/// What a rolled-up goal's inputs are, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Sub-goals counted (or left out), in all.
    pub goals: usize,
    /// Indicators counted (or left out), in all.
    pub indicators: usize,
    /// Done, or target reached.
    pub done: usize,
    /// In progress, or on track.
    pub on_track: usize,
    /// Adopted, with no progress reported.
    pub adopted: usize,
    /// At risk.
    pub at_risk: usize,
    /// Delayed, or behind the line to the target.
    pub behind: usize,
    /// Proposed.
    pub not_started: usize,
    /// Stopped: left out.
    pub stopped: usize,
    /// No status, or no figures: left out.
    pub unknown: usize,
}

impl Counts {
    /// The inputs the rule counts.
    pub fn counted(&self) -> usize {
        self.done + self.on_track + self.adopted + self.at_risk + self.behind + self.not_started
    }

    fn add_status(&mut self, status: Option<Status>) {
        match status {
            Some(Status::Done) => self.done += 1,
            Some(Status::InProgress) => self.on_track += 1,
            Some(Status::Adopted) => self.adopted += 1,
            Some(Status::AtRisk) => self.at_risk += 1,
            Some(Status::Delayed) => self.behind += 1,
            Some(Status::Proposed) => self.not_started += 1,
            Some(Status::Stopped) => self.stopped += 1,
            None => self.unknown += 1,
        }
    }

    fn add_trend(&mut self, trend: Option<Trend>) {
        match trend {
            Some(Trend::Reached) => self.done += 1,
            Some(Trend::OnTrack) => self.on_track += 1,
            Some(Trend::Behind) => self.behind += 1,
            None => self.unknown += 1,
        }
    }

    /// The status the rule gives these counts.
    ///
    /// ```
    /// use innsyn::render::rollup::Counts;
    /// use innsyn::content::status::Status;
    /// let c = Counts { on_track: 2, behind: 1, ..Counts::default() };
    /// assert_eq!(c.status(), Some(Status::AtRisk));
    /// let c = Counts { on_track: 1, behind: 2, ..Counts::default() };
    /// assert_eq!(c.status(), Some(Status::Delayed));
    /// ```
    pub fn status(&self) -> Option<Status> {
        let counted = self.counted();
        Some(if counted == 0 {
            return None;
        } else if self.done == counted {
            Status::Done
        } else if self.behind * 2 > counted {
            Status::Delayed
        } else if self.behind > 0 || self.at_risk > 0 {
            Status::AtRisk
        } else if self.not_started == counted {
            Status::Proposed
        } else if self.done + self.on_track == 0 {
            Status::Adopted
        } else {
            Status::InProgress
        })
    }

    /// Why, in words: «Beregnet fra 3 delmål og 1 indikator: 2 pågår eller i
    /// rute, 1 med risiko, 1 forsinket eller bak planen (1 uten status eller
    /// tall regnes ikke med).»
    pub fn reason(&self, lang: Lang) -> String {
        let w = Words::of(lang);
        let what = |n: usize, (one, many): (&str, &str)| format!("{n} {}", if n == 1 { one } else { many });
        let mut from = Vec::new();
        if self.goals > 0 {
            from.push(what(self.goals, w.goal));
        }
        if self.indicators > 0 {
            from.push(what(self.indicators, w.indicator));
        }
        let parts: Vec<String> = [
            (self.done, w.done),
            (self.on_track, w.on_track),
            (self.adopted, w.adopted),
            (self.at_risk, w.at_risk),
            (self.behind, w.behind),
            (self.not_started, w.not_started),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
        let mut text = format!("{} {}: ", w.computed, from.join(w.and));
        text.push_str(&if parts.is_empty() { w.none.to_string() } else { parts.join(", ") });
        let left: Vec<String> = [(self.unknown, w.unknown), (self.stopped, w.stopped)]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, word)| format!("{n} {word}"))
            .collect();
        if !left.is_empty() {
            text.push_str(&format!(" ({} {})", left.join(w.and), w.left_out));
        }
        text.push('.');
        text
    }
}

/// The words of [`Counts::reason`] in one language.
struct Words {
    goal: (&'static str, &'static str),
    indicator: (&'static str, &'static str),
    and: &'static str,
    computed: &'static str,
    done: &'static str,
    on_track: &'static str,
    adopted: &'static str,
    at_risk: &'static str,
    behind: &'static str,
    not_started: &'static str,
    none: &'static str,
    unknown: &'static str,
    stopped: &'static str,
    left_out: &'static str,
}

impl Words {
    fn of(lang: Lang) -> Words {
        match lang.engine() {
            Lang::Nb | Lang::Se => Words {
                goal: ("delmål", "delmål"),
                indicator: ("indikator", "indikatorer"),
                and: " og ",
                computed: "Beregnet fra",
                done: "fullført",
                on_track: "pågår eller i rute",
                adopted: "vedtatt",
                at_risk: "med risiko",
                behind: "forsinket eller bak planen",
                not_started: "foreslått",
                none: "ingen har status ennå",
                unknown: "uten status eller tall",
                stopped: "avsluttet",
                left_out: "regnes ikke med",
            },
            Lang::Nn => Words {
                goal: ("delmål", "delmål"),
                indicator: ("indikator", "indikatorar"),
                and: " og ",
                computed: "Rekna ut frå",
                done: "fullført",
                on_track: "pågår eller i rute",
                adopted: "vedteke",
                at_risk: "med risiko",
                behind: "forseinka eller bak planen",
                not_started: "føreslått",
                none: "ingen har status enno",
                unknown: "utan status eller tal",
                stopped: "avslutta",
                left_out: "er ikkje rekna med",
            },
            Lang::En => Words {
                goal: ("sub-goal", "sub-goals"),
                indicator: ("indicator", "indicators"),
                and: " and ",
                computed: "Computed from",
                done: "done",
                on_track: "in progress or on track",
                adopted: "adopted",
                at_risk: "at risk",
                behind: "delayed or behind",
                not_started: "proposed",
                none: "none has a status yet",
                unknown: "without a status or figures",
                stopped: "stopped",
                left_out: "not counted",
            },
        }
    }
}

/// A goal's computed status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollup {
    /// What the rule gives; `None` when nothing counts.
    pub status: Option<Status>,
    /// What it was computed from.
    pub counts: Counts,
}

impl Rollup {
    /// The trend the computed status stands for: done → reached, in progress →
    /// on track, at risk or delayed → behind; none for the others.
    pub fn trend(&self) -> Option<Trend> {
        match self.status? {
            Status::Done => Some(Trend::Reached),
            Status::InProgress => Some(Trend::OnTrack),
            Status::AtRisk | Status::Delayed => Some(Trend::Behind),
            _ => None,
        }
    }
}

/// `page.goal.computed` in templates.
#[derive(Serialize)]
pub struct RollupView {
    /// The computed status; absent when nothing counts.
    pub status: Option<StatusView>,
    /// The trend's key and label.
    pub trend_key: &'static str,
    /// What readers see of the trend; empty when there is none.
    pub trend_label: &'static str,
    /// Why, in the page's language.
    pub reason: String,
    /// The stated status says otherwise.
    pub disagrees: bool,
    /// The counts.
    pub counts: Counts,
}

impl Rollup {
    /// The view of a goal's roll-up, stated status `stated`.
    pub fn view(&self, stated: Option<Status>, lang: Lang) -> RollupView {
        let trend = self.trend();
        RollupView {
            status: self.status.map(|s| s.view(lang)),
            trend_key: trend.map_or("", Trend::key),
            trend_label: trend.map_or("", |t| t.label(lang)),
            reason: self.counts.reason(lang),
            disagrees: contradicts(stated, self.status),
            counts: self.counts,
        }
    }
}

/// Whether a stated status says something else than a computed one: one says
/// on track (in progress, adopted, done) and the other at risk or delayed, or
/// one says done and the other not.
pub fn contradicts(stated: Option<Status>, computed: Option<Status>) -> bool {
    let (Some(s), Some(c)) = (stated, computed) else { return false };
    let good = |s: Status| matches!(s, Status::InProgress | Status::Adopted | Status::Done);
    let bad = |s: Status| matches!(s, Status::AtRisk | Status::Delayed);
    (good(s) && bad(c)) || (bad(s) && good(c)) || ((s == Status::Done) != (c == Status::Done))
}

/// Whether a goal's stated status says something else than one indicator's trend.
pub fn disagrees_with_trend(stated: Option<Status>, trend: Option<Trend>) -> bool {
    match (stated, trend) {
        (Some(s), Some(t)) => {
            let declared_good = matches!(s, Status::InProgress | Status::Done | Status::Adopted);
            let declared_bad = matches!(s, Status::AtRisk | Status::Delayed);
            (declared_good && t == Trend::Behind)
                || (declared_bad && t != Trend::Behind)
                || (s == Status::Done && t != Trend::Reached)
        }
        _ => false,
    }
}

/// An indicator's trend from its data; `None` without data or figures.
pub fn indicator_trend(site: &Site, ind: &crate::content::schemas::Indicator) -> Option<Trend> {
    let name = ind.data.as_deref()?;
    let file = site.data.get(name.trim_start_matches("data/")).filter(|f| !f.broken)?;
    let points = indicator::points(ind, &file.table).ok()?;
    indicator::trend(&points, ind.baseline, ind.target, ind.direction)
}

/// The roll-up of every goal with `rollup = true`, by page. A sub-goal that
/// rolls up itself counts by its computed status, so the tree is worked from
/// the leaves up, with a stack of its own (no recursion, however deep the
/// tree); a goal met again on its own path (a circle of parents, which the
/// assembly reports) counts by its stated status. A goal that rolls up but has
/// neither sub-goals nor indicators is an error.
pub fn compute(site: &Site) -> Result<HashMap<usize, Rollup>, Diagnostics> {
    let mut errors = Diagnostics::default();
    let mut done: HashMap<usize, Rollup> = HashMap::new();
    let rolls_up = |i: usize| site.pages[i].page.goal.as_ref().is_some_and(|g| g.rollup);
    let no_children = Vec::new();
    let children = |i: usize| site.links.children.get(&i).unwrap_or(&no_children);
    let mut on_path = std::collections::HashSet::new();
    for start in (0..site.pages.len()).filter(|&i| rolls_up(i)) {
        let mut stack = vec![(start, false)];
        while let Some((g, expanded)) = stack.pop() {
            if done.contains_key(&g) {
                continue;
            }
            if !expanded {
                on_path.insert(g);
                stack.push((g, true));
                for &c in children(g) {
                    if rolls_up(c) && !done.contains_key(&c) && !on_path.contains(&c) {
                        stack.push((c, false));
                    }
                }
                continue;
            }
            on_path.remove(&g);
            let goal = site.pages[g].page.goal.as_ref().expect("only goals roll up");
            let mut counts = Counts::default();
            for &c in children(g) {
                counts.goals += 1;
                let stated = site.pages[c].page.status();
                counts.add_status(done.get(&c).map_or(stated, |r| r.status.or(stated)));
            }
            for ind in &goal.indicators {
                counts.indicators += 1;
                counts.add_trend(indicator_trend(site, ind));
            }
            if counts.goals + counts.indicators == 0 {
                errors.push(
                    Diagnostic::at(
                        &site.pages[g].page.file,
                        goal.rollup_line,
                        1,
                        format!(
                            "the goal `{}` has `rollup = true` but no sub-goals or indicators to compute its status from",
                            goal.id
                        ),
                    )
                    .hint(format!(
                        "give other goals `parent = \"{}\"`, add a `[[goal.indicators]]`, or remove `rollup` and write its `status`",
                        goal.id
                    )),
                );
            }
            done.insert(g, Rollup { status: counts.status(), counts });
        }
    }
    errors.into_result()?;
    Ok(done)
}

/// `check`'s warnings: a rolled-up goal whose stated status contradicts the
/// computed one, and a goal whose stated status contradicts an indicator's trend.
pub fn warnings(site: &Site, rollups: &HashMap<usize, Rollup>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, node) in site.pages.iter().enumerate() {
        let Some(goal) = &node.page.goal else { continue };
        let stated = goal.status;
        if let Some(r) = rollups.get(&i).filter(|r| contradicts(stated, r.status)) {
            let (s, c) = (stated.map_or("", Status::key), r.status.map_or("", Status::key));
            out.push(
                Diagnostic::at(
                    &node.page.file,
                    goal.status_line,
                    1,
                    format!(
                        "the goal `{}` says `status = \"{s}\"`, but its sub-goals and indicators give `{c}`: {}",
                        goal.id,
                        r.counts.reason(Lang::En)
                    ),
                )
                .hint("update `status`, or remove it and let the computed status stand")
                .warning(),
            );
        }
        for ind in &goal.indicators {
            let trend = indicator_trend(site, ind);
            if disagrees_with_trend(stated, trend) {
                out.push(
                    Diagnostic::at(
                        &node.page.file,
                        goal.status_line,
                        1,
                        format!(
                            "the goal `{}` says `status = \"{}\"`, but its indicator `{}` is {}",
                            goal.id,
                            stated.map_or("", Status::key),
                            ind.name,
                            trend.map_or("", |t| t.label(Lang::En)).to_lowercase()
                        ),
                    )
                    .hint("update the goal's `status` to what the figures show, or explain the difference on the page")
                    .warning(),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_gives_done_only_when_everything_counted_is_done() {
        assert_eq!(Counts { done: 3, stopped: 1, unknown: 2, ..Counts::default() }.status(), Some(Status::Done));
        assert_eq!(Counts { done: 2, on_track: 1, ..Counts::default() }.status(), Some(Status::InProgress));
        assert_eq!(Counts { adopted: 2, not_started: 1, ..Counts::default() }.status(), Some(Status::Adopted));
        assert_eq!(Counts { adopted: 2, on_track: 1, ..Counts::default() }.status(), Some(Status::InProgress));
        assert_eq!(Counts { not_started: 2, ..Counts::default() }.status(), Some(Status::Proposed));
        assert_eq!(Counts { not_started: 1, on_track: 1, ..Counts::default() }.status(), Some(Status::InProgress));
        assert_eq!(Counts { at_risk: 1, done: 5, ..Counts::default() }.status(), Some(Status::AtRisk));
        assert_eq!(Counts { behind: 2, on_track: 2, ..Counts::default() }.status(), Some(Status::AtRisk));
        assert_eq!(Counts { behind: 3, on_track: 2, ..Counts::default() }.status(), Some(Status::Delayed));
        assert_eq!(Counts { unknown: 2, stopped: 1, ..Counts::default() }.status(), None);
    }

    #[test]
    fn the_reason_is_said_in_the_pages_language() {
        let c = Counts { goals: 3, indicators: 1, on_track: 2, behind: 1, unknown: 1, ..Counts::default() };
        assert_eq!(
            c.reason(Lang::Nb),
            "Beregnet fra 3 delmål og 1 indikator: 2 pågår eller i rute, 1 forsinket eller bak planen (1 uten status eller tall regnes ikke med)."
        );
        assert_eq!(
            c.reason(Lang::Nn),
            "Rekna ut frå 3 delmål og 1 indikator: 2 pågår eller i rute, 1 forseinka eller bak planen (1 utan status eller tal er ikkje rekna med)."
        );
        assert_eq!(
            c.reason(Lang::En),
            "Computed from 3 sub-goals and 1 indicator: 2 in progress or on track, 1 delayed or behind (1 without a status or figures not counted)."
        );
        let none = Counts { goals: 2, unknown: 1, stopped: 1, ..Counts::default() };
        assert_eq!(
            none.reason(Lang::Nb),
            "Beregnet fra 2 delmål: ingen har status ennå (1 uten status eller tall og 1 avsluttet regnes ikke med)."
        );
    }

    #[test]
    fn a_stated_status_contradicts_only_across_on_track_behind_and_done() {
        use Status::*;
        assert!(contradicts(Some(InProgress), Some(Delayed)));
        assert!(contradicts(Some(AtRisk), Some(InProgress)));
        assert!(contradicts(Some(Done), Some(InProgress)));
        assert!(contradicts(Some(InProgress), Some(Done)));
        assert!(!contradicts(Some(AtRisk), Some(Delayed)));
        assert!(!contradicts(Some(Adopted), Some(InProgress)));
        assert!(!contradicts(None, Some(Delayed)));
        assert!(!contradicts(Some(Delayed), None));
    }
}
