//! Chart drawing: how many charts per second innsyn draws (both the wide and the
//! narrow drawing, the long description and the table of one chart), for a
//! three-category stacked bar like the KRD figures and a 20-year line chart.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use innsyn::charts::{describe, draw, table_html, ChartData, Kind, Series, Spec};
use innsyn::lang::Lang;

fn spec(kind: Kind) -> Spec {
    Spec {
        kind,
        title: "Behov for årsverk samlet, Meråker".into(),
        description: None,
        unit: None,
        x_label: None,
        y_label: Some("Årsverk".into()),
        x: "år".into(),
        y: "årsverk".into(),
        series: Some("sektor".into()),
        height: 400,
        y_range: None,
    }
}

fn krd() -> ChartData {
    ChartData {
        categories: vec!["2012".into(), "2020".into(), "2040".into()],
        series: vec![
            Series { name: "Pleie og omsorg".into(), values: vec![Some(48.0), Some(45.0), Some(63.0)] },
            Series { name: "Grunnskole".into(), values: vec![Some(44.0), Some(40.0), Some(43.0)] },
            Series { name: "Barnehage".into(), values: vec![Some(27.0), Some(40.0), Some(34.0)] },
        ],
        positions: Some(vec![2012.0, 2020.0, 2040.0]),
        marks: Default::default(),
        looks: Vec::new(),
    }
}

fn twenty_years() -> ChartData {
    let years: Vec<String> = (2005..2025).map(|y| y.to_string()).collect();
    let series = ["Meråker", "Time", "Asker"]
        .iter()
        .enumerate()
        .map(|(i, name)| Series {
            name: (*name).into(),
            values: (0..20).map(|y| Some(5.0 + i as f64 + (y as f64 * 0.37).sin())).collect(),
        })
        .collect();
    let positions = Some((2005..2025).map(f64::from).collect());
    ChartData { categories: years, series, positions, marks: Default::default(), looks: Vec::new() }
}

/// One chart as the shortcode makes it: two drawings, description and table.
fn chart(spec: &Spec, data: &ChartData) -> usize {
    let wide = draw::svg(spec, data, Lang::Nb, draw::Layout::wide(spec.height)).expect("draws");
    let narrow = draw::svg(spec, data, Lang::Nb, draw::Layout::narrow(spec.height)).expect("draws");
    let text = describe(spec, data, Lang::Nb);
    let table = table_html(spec, data, Lang::Nb, &spec.title);
    wide.len() + narrow.len() + text.len() + table.len()
}

fn bench_charts(c: &mut Criterion) {
    let mut group = c.benchmark_group("charts");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(1));
    let (stacked, krd) = (spec(Kind::StackedBar), krd());
    group.bench_function("stacked-bar, 3 × 3", |b| b.iter(|| black_box(chart(&stacked, &krd))));
    let (line, years) = (spec(Kind::Line), twenty_years());
    group.bench_function("line, 3 × 20", |b| b.iter(|| black_box(chart(&line, &years))));
    group.finish();
}

criterion_group!(benches, bench_charts);
criterion_main!(benches);
