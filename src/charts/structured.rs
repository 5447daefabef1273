//! Drawings for mandates and goals: the milestone timeline and the risk matrix,
//! as SVG with a title and description. Each is shown beside an accessible list or
//! table of the same facts, so the drawing is never the only carrier.

use std::fmt::Write as _;

use crate::content::schemas::{Milestone, Risk};
use crate::content::status::Status;
use crate::dates::{day_number, Date};
use crate::html::escape;
use crate::lang::Lang;

/// Whether a milestone is past its date and known not to be finished. A milestone
/// without a status is not called overdue: nothing says it was missed.
pub fn overdue(m: &Milestone, today: Date) -> bool {
    m.due < today && m.status.is_some_and(|s| !matches!(s, Status::Done | Status::Stopped))
}

fn rgb((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// Words of the drawings.
fn words(lang: Lang) -> (&'static str, &'static str, &'static str, &'static str) {
    match lang {
        Lang::Nb | Lang::Se => ("I dag", "Forfalt", "Sannsynlighet", "Konsekvens"),
        Lang::Nn => ("I dag", "Forfalle", "Sannsyn", "Konsekvens"),
        Lang::En => ("Today", "Overdue", "Likelihood", "Consequence"),
    }
}

/// The milestone timeline: dates on a time axis, a status symbol at each milestone,
/// today marked, overdue unfinished milestones drawn in red with a warning mark.
/// `narrow` draws it for phones (340 wide, shorter labels, fewer year ticks), so
/// its text keeps about the size of the wide one's on a desktop.
pub fn timeline(
    milestones: &[Milestone],
    today: Date,
    lang: Lang,
    id: &str,
    title: &str,
    desc: &str,
    narrow: bool,
) -> String {
    let (today_word, overdue_word, _, _) = words(lang);
    let width = if narrow { 340.0 } else { 720.0 };
    let (label_chars, max_ticks, class) = if narrow { (17, 4, "chart-narrow") } else { (26, 12, "chart-wide") };
    let row = 34.0;
    let top = 40.0;
    let height = top + row * milestones.len() as f64 + 40.0;
    let days: Vec<i64> = milestones.iter().map(|m| day_number(m.due)).collect();
    let t = day_number(today);
    let (first, last) = (days.iter().copied().min().unwrap_or(t), days.iter().copied().max().unwrap_or(t));
    // Today is shown when it is near the plan; a plan long past is not squeezed to
    // make room for it.
    let show_today = t >= first - 365 && t <= last + 365;
    let span: Vec<i64> = if show_today { vec![first, last, t] } else { vec![first, last] };
    let lo = span.iter().copied().min().unwrap_or(t) - 30;
    let hi = span.iter().copied().max().unwrap_or(t) + 30;
    let (x0, x1) = if narrow { (150.0, width - 20.0) } else { (220.0, width - 30.0) };
    let x = |d: i64| x0 + (x1 - x0) * (d - lo) as f64 / (hi - lo).max(1) as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" class=\"timeline {class}\" role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
    s.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>");
    // Year ticks along the top.
    let (first_year, last_year) = (year_of(lo), year_of(hi));
    // At most about a dozen ticks, on round years, however far apart the dates are.
    let step = year_step(last_year - first_year, max_ticks);
    for year in (first_year..=last_year).filter(|y| y.rem_euclid(step) == 0) {
        let d = day_number(Date { year, month: 1, day: 1 });
        if d < lo || d > hi {
            continue;
        }
        let px = x(d);
        let _ = write!(s, "<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"#D2D5D9\"/><text x=\"{px:.1}\" y=\"24\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" fill=\"#1E2B3C\">{year}</text>", top - 8.0, height - 30.0);
    }
    for (i, m) in milestones.iter().enumerate() {
        let y = top + row * i as f64 + row / 2.0;
        let px = x(days[i]);
        let late = overdue(m, today);
        let (fill, symbol) = match (late, m.status) {
            (true, _) => ("#B01A1A".to_string(), "!"),
            (false, Some(st)) => (rgb(st.colour()), st.symbol()),
            (false, None) => ("#515E6E".to_string(), "○"),
        };
        let label = if m.id.is_empty() { m.text.clone() } else { format!("{} {}", m.id, m.text) };
        let label: String = if label.chars().count() > label_chars {
            format!("{}…", label.chars().take(label_chars - 1).collect::<String>().trim_end())
        } else {
            label
        };
        let weight = if late { " font-weight=\"bold\"" } else { "" };
        let _ = write!(
            s,
            "<line x1=\"{x0}\" y1=\"{y:.1}\" x2=\"{px:.1}\" y2=\"{y:.1}\" stroke=\"#D2D5D9\" stroke-dasharray=\"2 4\"/><text x=\"12\" y=\"{:.1}\" font-family=\"sans-serif\" font-size=\"14\" fill=\"{}\"{weight}>{}</text><circle cx=\"{px:.1}\" cy=\"{y:.1}\" r=\"10\" fill=\"{fill}\" stroke=\"#1E2B3C\"/><text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#FFFFFF\">{}</text>",
            y + 5.0,
            if late { "#8F1414" } else { "#1E2B3C" },
            escape(&label),
            y + 4.0,
            escape(symbol)
        );
        if late {
            // After the mark, or before it where the drawing ends.
            let room = overdue_word.chars().count() as f64 * 7.5;
            let (at, anchor) = if px + 14.0 + room <= width { (px + 14.0, "start") } else { (px - 14.0, "end") };
            let _ = write!(s, "<text x=\"{at:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-family=\"sans-serif\" font-size=\"12\" font-weight=\"bold\" fill=\"#8F1414\">{overdue_word}</text>", y + 4.0);
        }
    }
    if !show_today {
        s.push_str("</svg>");
        return s;
    }
    let tx = x(t);
    let _ = write!(
        s,
        "<line x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#1E2B3C\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/><text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" font-weight=\"bold\" fill=\"#1E2B3C\">{today_word}</text>",
        top - 8.0,
        height - 26.0,
        height - 8.0
    );
    s.push_str("</svg>");
    s
}

/// Years between ticks for a span of `years`: 1, 2, 5, 10, 20, 50, … so that
/// at most about `max_ticks` ticks are drawn.
fn year_step(years: i32, max_ticks: i32) -> i32 {
    let mut decade = 1;
    loop {
        for step in [decade, 2 * decade, 5 * decade] {
            if years / step <= max_ticks {
                return step;
            }
        }
        decade *= 10;
    }
}

fn year_of(day: i64) -> i32 {
    // Good enough for axis ticks: days / 365.2425 from 1970.
    1970 + (day as f64 / 365.2425).floor() as i32
}

/// The risk matrix: likelihood (up) × consequence (across), cells shaded by the
/// product and labelled with their score, each risk drawn as a numbered marker.
pub fn risk_matrix(risks: &[Risk], lang: Lang, id: &str, title: &str, desc: &str) -> String {
    let (_, _, likelihood, consequence) = words(lang);
    let cell = 64.0;
    let (left, top) = (70.0, 16.0);
    let size = left + cell * 5.0 + 20.0;
    let height = top + cell * 5.0 + 60.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {height}\" class=\"risk-matrix\" role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc><rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>",
        escape(title),
        escape(desc)
    );
    for l in 1..=5u8 {
        for c in 1..=5u8 {
            let score = l * c;
            // Low, medium and high bands; marked by shade and by the score written in the cell.
            let fill = match score {
                0..=4 => "#E7F4E9",
                5..=11 => "#FDF1E4",
                _ => "#FBE9E9",
            };
            let (x, y) = (left + cell * f64::from(c - 1), top + cell * f64::from(5 - l));
            let _ = write!(s, "<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\" stroke=\"#838A93\"/><text x=\"{:.1}\" y=\"{:.1}\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#515E6E\">{score}</text>", x + 4.0, y + 13.0);
        }
    }
    for n in 1..=5 {
        let _ = write!(s, "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" fill=\"#1E2B3C\">{n}</text>", left + cell * (f64::from(n) - 0.5), top + cell * 5.0 + 18.0);
        let _ = write!(s, "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"14\" fill=\"#1E2B3C\">{n}</text>", left - 8.0, top + cell * (5.5 - f64::from(n)) + 5.0);
    }
    let _ = write!(s, "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" font-weight=\"bold\" fill=\"#1E2B3C\">{consequence} →</text>", left + cell * 2.5, height - 12.0);
    let _ = write!(s, "<text transform=\"translate(22 {:.1}) rotate(-90)\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" font-weight=\"bold\" fill=\"#1E2B3C\">{likelihood} →</text>", top + cell * 2.5);
    // Several risks in one cell are spread along a row.
    let mut in_cell: std::collections::HashMap<(u8, u8), usize> = Default::default();
    for (i, r) in risks.iter().enumerate() {
        let k = in_cell.entry((r.likelihood, r.consequence)).or_default();
        let (x, y) = (
            left + cell * f64::from(r.consequence - 1) + 20.0 + 18.0 * (*k % 3) as f64,
            top + cell * f64::from(5 - r.likelihood) + 34.0 + 18.0 * (*k / 3) as f64,
        );
        *k += 1;
        let _ = write!(s, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"9\" fill=\"#1E2B3C\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#FFFFFF\">{}</text>", y + 4.0, i + 1);
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn year_ticks_stay_about_a_dozen_for_any_span() {
        for (years, step) in [(0, 1), (12, 1), (13, 2), (30, 5), (100, 10), (9_999, 1_000)] {
            assert_eq!(year_step(years, 12), step, "{years}");
        }
        let m = |date: &str| Milestone { id: "M".into(), text: "M".into(), due: d(date), status: None };
        let svg = timeline(&[m("0001-01-01"), m("9999-12-31")], d("2024-01-01"), Lang::Nb, "t", "T", "D", false);
        assert!(svg.matches("<line").count() < 40, "{svg}");
    }

    #[test]
    fn day_numbers_count_from_the_epoch() {
        assert_eq!(day_number(d("1970-01-01")), 0);
        assert_eq!(day_number(d("2000-03-01")), 11_017);
        assert_eq!(day_number(d("2024-03-01")) - day_number(d("2024-02-28")), 2, "a leap year");
    }

    #[test]
    fn only_unfinished_milestones_past_their_date_are_overdue() {
        let m = |status| Milestone { id: "M1".into(), text: "x".into(), due: d("2024-01-31"), status };
        assert!(!overdue(&m(None), d("2024-02-01")), "no status: not known to be late");
        assert!(overdue(&m(Some(Status::InProgress)), d("2024-02-01")));
        assert!(!overdue(&m(Some(Status::Done)), d("2024-02-01")));
        assert!(!overdue(&m(None), d("2024-01-31")));
    }
}
