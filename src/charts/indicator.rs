//! Goal indicators: whether the latest value is on the straight line from baseline
//! to target (the computed trend), and the chart of actual values with that line.

use super::{ChartData, Kind, Series, Spec};
use crate::content::schemas::{Direction, Indicator, Point};
use crate::data::{parse_filter, Cell, Table};
use crate::lang::Lang;

/// Where an indicator stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// The latest value is at or past the target.
    Reached,
    /// The latest value is at least as good as the line from baseline to target.
    OnTrack,
    /// The latest value is worse than the line from baseline to target.
    Behind,
}

impl Trend {
    /// The trend's stable name, e.g. `on-track`, for classes and data.
    pub fn key(self) -> &'static str {
        match self {
            Trend::Reached => "reached",
            Trend::OnTrack => "on-track",
            Trend::Behind => "behind",
        }
    }

    /// The trend as a reader sees it, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Trend::Reached, Lang::En) => "Target reached",
            (Trend::OnTrack, Lang::En) => "On track",
            (Trend::Behind, Lang::En) => "Behind",
            (Trend::Reached, Lang::Nn) => "Målet er nådd",
            (Trend::OnTrack, Lang::Nn) => "I rute",
            (Trend::Behind, Lang::Nn) => "Ligg etter",
            (Trend::Reached, _) => "Målet er nådd",
            (Trend::OnTrack, _) => "I rute",
            (Trend::Behind, _) => "Ligger etter",
        }
    }
}

/// The value the straight line from baseline to target gives at `x`.
pub fn expected(baseline: Point, target: Point, x: f64) -> f64 {
    let span = target.x - baseline.x;
    if span == 0.0 {
        return target.y;
    }
    baseline.y + (target.y - baseline.y) * (x - baseline.x) / span
}

/// Compares the latest of `points` (x, value) with the line from baseline to
/// target: reached when it is at or past the target in the given direction, on
/// track when it is at least as good as the line at that x, behind otherwise.
/// `None` without data.
///
/// ```
/// use innsyn::charts::indicator::{trend, Trend};
/// use innsyn::content::schemas::{Direction, Point};
/// let (b, t) = (Point { x: 2021.0, y: 9.4 }, Point { x: 2027.0, y: 7.0 });
/// assert_eq!(trend(&[(2023.0, 8.4)], b, t, Direction::Down), Some(Trend::OnTrack));
/// assert_eq!(trend(&[(2023.0, 9.2)], b, t, Direction::Down), Some(Trend::Behind));
/// ```
pub fn trend(points: &[(f64, f64)], baseline: Point, target: Point, direction: Direction) -> Option<Trend> {
    let &(x, y) = points.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
    let line = expected(baseline, target, x.min(target.x));
    const EPS: f64 = 1e-9;
    let better_or_equal = |a: f64, b: f64| match direction {
        Direction::Up => a >= b - EPS,
        Direction::Down => a <= b + EPS,
    };
    Some(if better_or_equal(y, target.y) {
        Trend::Reached
    } else if better_or_equal(y, line) {
        Trend::OnTrack
    } else {
        Trend::Behind
    })
}

/// The (x, value) points of an indicator's data: the rows its filter selects,
/// x and y read as numbers. Errors are plain words for the caller to place.
pub fn points(ind: &Indicator, table: &Table) -> Result<Vec<(f64, f64)>, String> {
    let col = |name: &str| {
        table.column(name).ok_or_else(|| {
            format!("`data/{}` has no column `{name}`; the columns are {}", table.name, table.column_names().join(", "))
        })
    };
    let (xc, yc) = (col(&ind.x)?, col(&ind.y)?);
    let rows: Vec<usize> = match &ind.filter {
        Some(f) => {
            let filter = parse_filter(f).map_err(|why| format!("the filter `{f}` cannot be read: {why}"))?;
            for (c, _) in &filter.0 {
                col(c)?;
            }
            table.select(&filter)
        }
        None => (0..table.row_count()).collect(),
    };
    let mut out = Vec::new();
    for r in rows {
        let x = match table.cell(r, xc) {
            Cell::Number(v) => v,
            _ => crate::data::number::parse_number(table.raw(r, xc))
                .ok_or_else(|| format!("`{}` in column `{}` is not a number", table.raw(r, xc), ind.x))?,
        };
        match table.cell(r, yc) {
            Cell::Number(v) => out.push((x, v)),
            Cell::Missing => {}
            Cell::Text(t) => return Err(format!("`{t}` in column `{}` is not a number", ind.y)),
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(out)
}

fn label(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        x.to_string()
    }
}

/// A line chart of the actual values and the straight line from baseline to
/// target, over the years either covers.
pub fn chart_data(points: &[(f64, f64)], baseline: Point, target: Point, lang: Lang) -> ChartData {
    let mut xs: Vec<f64> = points.iter().map(|p| p.0).chain([baseline.x, target.x]).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let (actual, path) = match lang {
        Lang::En => ("Actual", "Path to target"),
        Lang::Nn => ("Faktisk", "Bane mot målet"),
        Lang::Nb | Lang::Se => ("Faktisk", "Bane mot målet"),
    };
    let value_at = |x: f64| points.iter().find(|p| p.0 == x).map(|p| p.1);
    let line_at = |x: f64| (x >= baseline.x && x <= target.x).then(|| expected(baseline, target, x));
    let mut series = vec![Series { name: path.into(), values: xs.iter().map(|&x| line_at(x)).collect() }];
    if !points.is_empty() {
        series.insert(0, Series { name: actual.into(), values: xs.iter().map(|&x| value_at(x)).collect() });
    }
    ChartData {
        categories: xs.iter().map(|&x| label(x)).collect(),
        series,
        positions: Some(xs),
        ..ChartData::default()
    }
}

/// The chart's spec for an indicator.
pub fn spec(ind: &Indicator) -> Spec {
    Spec {
        kind: Kind::Line,
        title: ind.name.clone(),
        description: None,
        unit: (!ind.unit.is_empty()).then(|| ind.unit.clone()),
        x_label: None,
        y_label: Some(if ind.unit.is_empty() { ind.name.clone() } else { format!("{} ({})", ind.name, ind.unit) }),
        x: if ind.x.is_empty() { "år".into() } else { ind.x.clone() },
        y: ind.name.clone(),
        series: None,
        height: 320,
        y_range: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Point = Point { x: 2020.0, y: 50.0 };
    const T: Point = Point { x: 2030.0, y: 100.0 };

    #[test]
    fn rising_indicators_are_reached_on_track_or_behind() {
        assert_eq!(trend(&[(2025.0, 80.0)], B, T, Direction::Up), Some(Trend::OnTrack));
        assert_eq!(trend(&[(2025.0, 75.0)], B, T, Direction::Up), Some(Trend::OnTrack), "exactly on the line");
        assert_eq!(trend(&[(2025.0, 70.0)], B, T, Direction::Up), Some(Trend::Behind));
        assert_eq!(trend(&[(2025.0, 100.0)], B, T, Direction::Up), Some(Trend::Reached));
        assert_eq!(
            trend(&[(2032.0, 99.0)], B, T, Direction::Up),
            Some(Trend::Behind),
            "past the target year, short of it"
        );
    }

    #[test]
    fn falling_indicators_mirror_the_rules() {
        let (b, t) = (Point { x: 2021.0, y: 100.0 }, Point { x: 2030.0, y: 35.0 });
        assert_eq!(trend(&[(2024.0, 70.0)], b, t, Direction::Down), Some(Trend::OnTrack));
        assert_eq!(trend(&[(2024.0, 90.0)], b, t, Direction::Down), Some(Trend::Behind));
        assert_eq!(trend(&[(2024.0, 30.0)], b, t, Direction::Down), Some(Trend::Reached));
    }

    #[test]
    fn the_latest_point_decides_and_no_data_gives_no_trend() {
        assert_eq!(trend(&[(2028.0, 60.0), (2022.0, 90.0)], B, T, Direction::Up), Some(Trend::Behind));
        assert_eq!(trend(&[(2021.0, 56.0)], B, T, Direction::Up), Some(Trend::OnTrack), "one data point");
        assert_eq!(trend(&[], B, T, Direction::Up), None);
    }

    #[test]
    fn the_chart_draws_actual_values_and_the_path_to_the_target() {
        let data = chart_data(&[(2022.0, 60.0)], B, T, Lang::Nb);
        assert_eq!(data.categories, ["2020", "2022", "2030"]);
        assert_eq!(data.series[0].values, [None, Some(60.0), None]);
        assert_eq!(data.series[1].values, [Some(50.0), Some(60.0), Some(100.0)]);
    }
}
