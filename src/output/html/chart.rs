//! Inline SVG charts for the HTML report: the outcome strip and bars, and log-scale latency
//! histograms with percentile markers. Pure functions of the summary; coordinates are plain
//! numbers, every label goes through `Esc`.

use std::fmt::{self, Write as _};

use hdrhistogram::Histogram;

use super::{Esc, count, ms, outcome_color, pct};
use crate::output::summary::{self, Table};

/// Outcome rows drawn (there are a dozen outcome names; more would be "(other)").
const MAX_OUTCOMES: usize = 14;

/// One full-width stacked bar of all outcomes, with an HTML legend under it.
pub(super) fn outcome_strip(o: &mut String, outcomes: &Table) -> fmt::Result {
    let total = outcomes.total();
    if total == 0 {
        return Ok(());
    }
    const W: f64 = 1000.0;
    o.push_str(
        "<div class=\"strip\"><svg viewBox=\"0 0 1000 22\" width=\"100%\" height=\"22\" \
         preserveAspectRatio=\"none\" role=\"img\" aria-label=\"share of each outcome\">",
    );
    let mut x = 0.0;
    let top = outcomes.top(MAX_OUTCOMES);
    for (k, c) in &top {
        let w = W * *c as f64 / total as f64;
        write!(
            o,
            "<rect x=\"{x:.2}\" y=\"0\" width=\"{w:.2}\" height=\"22\" fill=\"{}\"><title>{}: {} ({:.1}%)</title></rect>",
            outcome_color(k),
            Esc(k),
            count(*c),
            pct(*c, total)
        )?;
        x += w;
    }
    o.push_str("</svg><div class=\"legend small\">");
    for (k, c) in &top {
        write!(
            o,
            "<span class=\"key\"><span class=\"swatch\" style=\"background:{}\"></span>{} {:.1}%</span> ",
            outcome_color(k),
            Esc(k),
            pct(*c, total)
        )?;
    }
    o.push_str("</div></div>\n");
    Ok(())
}

/// Horizontal bars, one per outcome, largest first.
pub(super) fn outcome_bars(o: &mut String, outcomes: &Table) -> fmt::Result {
    let total = outcomes.total();
    let mut rows = outcomes.top(MAX_OUTCOMES);
    let shown: u64 = rows.iter().map(|(_, c)| c).sum();
    if total > shown {
        rows.push(("(other)", total - shown));
    }
    const ROW: f64 = 28.0;
    const LABEL_W: f64 = 150.0;
    const BAR_W: f64 = 470.0;
    let w = LABEL_W + BAR_W + 140.0;
    let h = ROW * rows.len() as f64 + 8.0;
    let max = rows.iter().map(|(_, c)| *c).max().unwrap_or(1).max(1);
    write!(
        o,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-label=\"connections per outcome\">"
    )?;
    for (i, (k, c)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW;
        let bw = (BAR_W * *c as f64 / max as f64).max(2.0);
        write!(
            o,
            "<g><title>{}: {} connections ({:.1}%)</title>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"13\" fill=\"#1e2430\">{}</text>\
             <rect x=\"{LABEL_W}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"{}\"></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#1e2430\"><tspan font-weight=\"700\">{}</tspan>\
             <tspan fill=\"#6b7280\"> {:.1}%</tspan></text></g>",
            Esc(k),
            count(*c),
            pct(*c, total),
            LABEL_W - 10.0,
            y + 17.0,
            Esc(k),
            y + 3.0,
            ROW - 8.0,
            outcome_color(k),
            LABEL_W + bw + 8.0,
            y + 17.0,
            count(*c),
            pct(*c, total)
        )?;
    }
    o.push_str("</svg>\n");
    Ok(())
}

/// Histogram bins per decade of latency (log scale): ~26% wide.
const BINS_PER_DECADE: f64 = 10.0;

/// A log-x histogram of a latency hdrhistogram (recorded in µs) with p50/p90/p99 markers.
pub(super) fn latency_histogram(o: &mut String, h: &Histogram<u64>) -> fmt::Result {
    let Some(q) = summary::quantiles(h) else {
        o.push_str("<p class=\"empty\">no values in this capture</p>\n");
        return Ok(());
    };
    const W: f64 = 440.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 42.0;
    const RIGHT: f64 = 14.0;
    // A band above the plot holds the percentile tags, one row each, so they never collide.
    const TOP: f64 = 42.0;
    const BOTTOM: f64 = 34.0;
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let lo = (h.min().max(1) as f64).log10().floor();
    let mut hi = (h.max().max(1) as f64).log10().ceil();
    if hi <= lo {
        hi = lo + 1.0;
    }
    let nbins = ((hi - lo) * BINS_PER_DECADE).round().max(1.0) as usize;
    let mut bins = vec![0u64; nbins];
    for v in h.iter_recorded() {
        let us = v.value_iterated_to().max(1) as f64;
        let i = (((us.log10() - lo) * BINS_PER_DECADE).floor().max(0.0) as usize).min(nbins - 1);
        bins[i] += v.count_at_value();
    }
    let peak = bins.iter().copied().max().unwrap_or(1).max(1);
    let x_of = |us: f64| LEFT + ((us.max(1.0).log10() - lo) / (hi - lo)).clamp(0.0, 1.0) * pw;
    write!(
        o,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" \
         aria-label=\"latency histogram\">"
    )?;
    // Axes and a half-height grid line.
    write!(
        o,
        "<line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#9aa3af\"></line>\
         <line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{:.1}\" y2=\"{TOP}\" stroke=\"#eceff3\"></line>\
         <line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#eceff3\"></line>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">0</text>",
        TOP + ph,
        LEFT + pw,
        TOP + ph,
        LEFT + pw,
        TOP + ph / 2.0,
        LEFT + pw,
        TOP + ph / 2.0,
        LEFT - 6.0,
        TOP + 9.0,
        count(peak),
        LEFT - 6.0,
        TOP + ph
    )?;
    let bw = pw / nbins as f64;
    for (i, c) in bins.iter().enumerate() {
        if *c == 0 {
            continue;
        }
        let bh = (ph * *c as f64 / peak as f64).max(1.5);
        let from = 10f64.powf(lo + i as f64 / BINS_PER_DECADE) / 1000.0;
        let to = 10f64.powf(lo + (i + 1) as f64 / BINS_PER_DECADE) / 1000.0;
        write!(
            o,
            "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{bh:.2}\" fill=\"#4a7bc0\"><title>{} – {}: {}</title></rect>",
            LEFT + i as f64 * bw + 0.5,
            TOP + ph - bh,
            (bw - 1.0).max(0.5),
            ms(from),
            ms(to),
            count(*c)
        )?;
    }
    // Decade ticks, with 2 and 5 in between when the range is short.
    let decades = (hi - lo) as i32;
    for e in lo as i32..=hi as i32 {
        for m in [1.0, 2.0, 5.0] {
            if m > 1.0 && (decades > 2 || e == hi as i32) {
                continue;
            }
            let us = m * 10f64.powi(e);
            let x = x_of(us);
            let anchor = if x > W - RIGHT - 8.0 { "end" } else { "middle" };
            write!(
                o,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#9aa3af\"></line>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"11\" fill=\"#6b7280\">{}</text>",
                TOP + ph,
                TOP + ph + 4.0,
                TOP + ph + 16.0,
                axis_label(us)
            )?;
        }
    }
    for (i, (name, v, color)) in [
        ("p50", q.p50, "#1f4e8c"),
        ("p90", q.p90, "#e1a100"),
        ("p99", q.p99, "#d63031"),
    ]
    .iter()
    .enumerate()
    {
        let x = x_of(v * 1000.0);
        let (tx, anchor) = if x > W - 110.0 {
            (x - 4.0, "end")
        } else {
            (x + 4.0, "start")
        };
        let ty = 11.0 + 12.0 * i as f64;
        write!(
            o,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"></line>\
             <text x=\"{tx:.1}\" y=\"{ty:.1}\" text-anchor=\"{anchor}\" font-size=\"11\" font-weight=\"600\" fill=\"{color}\">{name} {}</text>",
            ty - 9.0,
            TOP + ph,
            ms(*v)
        )?;
    }
    write!(
        o,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#6b7280\">log scale · n = {} · max {}</text>",
        LEFT + pw / 2.0,
        H - 3.0,
        count(q.n),
        ms(q.max)
    )?;
    o.push_str("</svg>\n");
    Ok(())
}

/// "10µs", "1ms", "20ms", "1s" for an axis tick in µs.
fn axis_label(us: f64) -> String {
    let trim = |v: f64| {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if us >= 1e6 {
        format!("{}s", trim(us / 1e6))
    } else if us >= 1e3 {
        format!("{}ms", trim(us / 1e3))
    } else {
        format!("{}µs", trim(us))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels() {
        assert_eq!(axis_label(1.0), "1µs");
        assert_eq!(axis_label(50.0), "50µs");
        assert_eq!(axis_label(1000.0), "1ms");
        assert_eq!(axis_label(200_000.0), "200ms");
        assert_eq!(axis_label(10_000_000.0), "10s");
    }

    #[test]
    fn histogram_of_one_value_and_of_extremes() {
        let mut h = crate::stats::snapshot::hist::<u64>(3);
        let mut o = String::new();
        latency_histogram(&mut o, &h).unwrap();
        assert!(o.contains("no values"));
        h.record(1000).unwrap();
        o.clear();
        latency_histogram(&mut o, &h).unwrap();
        assert!(o.contains("<rect") && o.contains("p99 1.00 ms"), "{o}");
        h.record(crate::stats::snapshot::HIST_MAX_US).unwrap();
        h.record(1).unwrap();
        o.clear();
        latency_histogram(&mut o, &h).unwrap();
        assert!(!o.contains("NaN") && !o.contains("inf"), "{o}");
    }
}
