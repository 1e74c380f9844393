//! Pure render functions: (snapshot, UI state) → cells. No I/O, no clock, no channel; the
//! same inputs draw the same screen, which is what the `TestBackend` tests rely on.
//!
//! Two layouts. In a terminal of at least [`WIDE_WIDTH`]×[`WIDE_HEIGHT`] every panel is on
//! screen at once; below that (80×24 included) the header and the outcomes stay on top and the
//! focused panel fills the rest, with the panel names as tabs in its title. Colour is a help,
//! never the message: outcomes are always written out, the focused panel has a thick border,
//! the selected row is reversed and marked with `▶`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, Cell, Clear, List, ListItem, ListState, Paragraph, Row, Sparkline,
    Table, TableState, Wrap,
};

use super::app::{Panel, UiState, sorted_snis, visible_connections, visible_problems};
use crate::output::explain;
use crate::output::record::{CertRecord, SessionRecord};
use crate::stats::snapshot::{
    LATENCY_EDGES_MS, LatencyView, NO_SNI, OTHER_OUTCOME, OUTCOMES, Quantiles, Snapshot, TableRows,
};

/// Below this size the compact layout is used.
pub const WIDE_WIDTH: u16 = 110;
pub const WIDE_HEIGHT: u16 = 36;

const SELECTED: &str = "▶ ";

/// Draw the whole dashboard.
pub fn render(frame: &mut Frame, snap: &Snapshot, ui: &UiState) {
    let area = frame.area();
    if area.width < 30 || area.height < 8 {
        frame.render_widget(
            Paragraph::new("tlscope: terminal too small (q quits)").wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, header, snap, ui);
    render_footer(frame, footer, ui);
    if area.width >= WIDE_WIDTH && area.height >= WIDE_HEIGHT {
        render_wide(frame, body, snap, ui);
    } else {
        render_compact(frame, body, snap, ui);
    }
    if let Some(rec) = &ui.detail {
        let popup = if area.width >= WIDE_WIDTH {
            area.centered(Constraint::Percentage(85), Constraint::Percentage(90))
        } else {
            body
        };
        render_detail(frame, popup, rec, ui.detail_scroll);
    }
    if ui.help {
        render_help(frame, area);
    }
}

fn render_wide(frame: &mut Frame, area: Rect, snap: &Snapshot, ui: &UiState) {
    let [outcomes, mid, protocols, bottom] = Layout::vertical([
        Constraint::Length(8),
        Constraint::Fill(3),
        Constraint::Length(8),
        Constraint::Fill(2),
    ])
    .areas(area);
    render_outcomes(frame, outcomes, snap, 2);
    let [snis, latency] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Fill(1)]).areas(mid);
    let block = |p: Panel| panel_block(Line::from(format!(" {} ", p.title())), ui.panel == p);
    render_snis(frame, snis, snap, ui, block(Panel::Snis));
    render_latency(frame, latency, snap, ui, block(Panel::Latency));
    render_protocols(frame, protocols, snap, block(Panel::Protocols), true);
    let [problems, conns] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(bottom);
    render_problems(frame, problems, snap, ui, block(Panel::Problems));
    render_connections(frame, conns, snap, ui, block(Panel::Connections));
}

fn render_compact(frame: &mut Frame, area: Rect, snap: &Snapshot, ui: &UiState) {
    let [outcomes, main] =
        Layout::vertical([Constraint::Length(6), Constraint::Fill(1)]).areas(area);
    render_outcomes(frame, outcomes, snap, 1);
    // The panel names as tabs: the focused one bracketed (and highlighted).
    let mut tabs = vec![Span::raw(" ")];
    for p in Panel::ALL {
        if p == ui.panel {
            tabs.push(Span::styled(
                format!("[{}]", p.title()),
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ));
        } else {
            tabs.push(Span::raw(format!(" {} ", p.title())));
        }
    }
    tabs.push(Span::raw(" "));
    let block = panel_block(Line::from(tabs), false);
    match ui.panel {
        Panel::Snis => render_snis(frame, main, snap, ui, block),
        Panel::Latency => render_latency(frame, main, snap, ui, block),
        Panel::Protocols => render_protocols(frame, main, snap, block, false),
        Panel::Problems => render_problems(frame, main, snap, ui, block),
        Panel::Connections => render_connections(frame, main, snap, ui, block),
    }
}

fn panel_block(title: Line<'static>, focused: bool) -> Block<'static> {
    let b = Block::new().borders(Borders::ALL).title(title);
    if focused {
        b.border_type(BorderType::Thick)
            .border_style(Style::new().fg(Color::Cyan))
            .title_style(Style::new().add_modifier(Modifier::BOLD))
    } else {
        b
    }
}

// ----- header and footer ---------------------------------------------------------------------

fn render_header(frame: &mut Frame, area: Rect, snap: &Snapshot, ui: &UiState) {
    let h = &snap.header;
    let dim = Style::new().fg(Color::DarkGray);
    let sep = || Span::styled(" │ ", dim);
    let mut l1 = vec![
        Span::styled("tlscope", Style::new().add_modifier(Modifier::BOLD)),
        sep(),
        Span::raw(if h.source.is_empty() {
            "-".to_string()
        } else {
            h.source.clone()
        }),
        sep(),
        Span::raw(format!("up {}", uptime(h.uptime_secs))),
        sep(),
        Span::raw(clock(&h.now.rfc3339()).to_string() + " UTC"),
        sep(),
        Span::raw(format!(
            "filter: {}",
            if h.filter.is_empty() {
                "(none)"
            } else {
                &h.filter
            }
        )),
    ];
    if ui.paused {
        l1.insert(
            1,
            Span::styled(" PAUSED ", Style::new().add_modifier(Modifier::REVERSED)),
        );
    }
    if ui.ended {
        l1.insert(
            1,
            Span::styled(
                " ENDED (q quits) ",
                Style::new().add_modifier(Modifier::REVERSED),
            ),
        );
    }
    let c = &h.counters;
    let drops = c.drops();
    let mut drop_text = format!("drops {}", human_u64(drops));
    if drops > 0 {
        let mut parts = Vec::new();
        for (name, n) in [
            ("kernel", c.kernel_dropped),
            ("iface", c.iface_dropped),
            ("queue", c.queue_dropped),
        ] {
            if n > 0 {
                parts.push(format!("{name} {}", human_u64(n)));
            }
        }
        drop_text.push_str(&format!(" ({})", parts.join(", ")));
    }
    let l2 = vec![
        Span::raw(format!("pkts/s {}", human(h.packets_per_sec))),
        sep(),
        Span::raw(format!("hs/s {}", human(h.handshakes_per_sec))),
        sep(),
        Span::raw(format!("conns {}", human_u64(snap.sessions))),
        sep(),
        Span::styled(
            drop_text,
            if drops > 0 {
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            },
        ),
        sep(),
        Span::raw(format!("bytes/s {}", human(h.bytes_per_sec))),
    ];
    frame.render_widget(Paragraph::new(vec![Line::from(l1), Line::from(l2)]), area);
}

fn render_footer(frame: &mut Frame, area: Rect, ui: &UiState) {
    let key = Style::new().add_modifier(Modifier::BOLD);
    let line = if ui.editing_filter {
        Line::from(vec![
            Span::styled("filter /", key),
            Span::raw(ui.filter.clone()),
            Span::styled("█", Style::new().add_modifier(Modifier::SLOW_BLINK)),
            Span::raw("   Enter apply · Esc clear · terms: SNI, IP, outcome, !not"),
        ])
    } else {
        let mut spans = Vec::new();
        if !ui.filter.is_empty() {
            spans.push(Span::styled(
                format!("[filter: {}] ", ui.filter),
                Style::new().add_modifier(Modifier::REVERSED),
            ));
        }
        for (k, what) in [
            ("q", "quit"),
            ("?", "help"),
            ("Tab", "panel"),
            ("↑↓", "move"),
            ("Enter", "detail"),
            ("/", "filter"),
            ("s", "sort"),
            ("p", if ui.paused { "resume" } else { "pause" }),
        ] {
            spans.push(Span::styled(k, key));
            spans.push(Span::raw(format!(" {what}  ")));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}

// ----- outcomes ------------------------------------------------------------------------------

/// Colour of an outcome (the name is always printed too).
pub fn outcome_style(outcome: &str) -> Style {
    let c = match outcome {
        "established" => Color::Green,
        "alert" | "reset" | "refused" => Color::Red,
        "no_server_hello" | "no_syn_ack" | "client_aborted" => Color::Yellow,
        "not_tls" | "no_client_hello" => Color::Magenta,
        _ => Color::Gray,
    };
    Style::new().fg(c)
}

fn render_outcomes(frame: &mut Frame, area: Rect, snap: &Snapshot, spark_rows: u16) {
    let t = &snap.transports;
    let tq = (t.tcp + t.quic).max(1) as f64;
    let block = Block::new()
        .borders(Borders::ALL)
        .title(format!(
            " Outcomes · TCP {:.0}% QUIC {:.0}% ",
            100.0 * t.tcp as f64 / tq,
            100.0 * t.quic as f64 / tq
        ))
        .title_top(
            Line::from(" finished per second, packet time ")
                .right_aligned()
                .style(Style::new().fg(Color::DarkGray)),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [counts, ok, fail] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(spark_rows),
        Constraint::Length(spark_rows),
    ])
    .areas(inner);

    // Established always, the others once they happen (11 names do not fit in 80 columns).
    let mut spans = Vec::new();
    for name in OUTCOMES.iter().chain([&OTHER_OUTCOME]) {
        let count = snap
            .outcomes
            .iter()
            .find(|o| o.outcome == *name)
            .map_or(0, |o| o.count);
        if count == 0 && *name != "established" {
            continue;
        }
        let pct = 100.0 * count as f64 / snap.sessions.max(1) as f64;
        let pct = if pct > 0.0 && pct < 1.0 {
            format!("{pct:.1}")
        } else {
            format!("{pct:.0}")
        };
        spans.push(Span::styled(*name, outcome_style(name)));
        spans.push(Span::raw(format!(" {} ({pct}%)  ", human_u64(count))));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).wrap(Wrap { trim: true }),
        counts,
    );

    let label_w = 5u16;
    for (row, label, series, style) in [
        (
            ok,
            "ok",
            snap.history
                .iter()
                .map(|p| p.established())
                .collect::<Vec<_>>(),
            Style::new().fg(Color::Green),
        ),
        (
            fail,
            "fail",
            snap.history.iter().map(|p| p.failed()).collect(),
            Style::new().fg(Color::Red),
        ),
    ] {
        let peak_text = |peak: u64| format!(" peak {}/s", human_u64(peak));
        let peak_w = 12u16;
        if row.width <= label_w + peak_w + 4 {
            continue;
        }
        let [l, s, p] = Layout::horizontal([
            Constraint::Length(label_w),
            Constraint::Fill(1),
            Constraint::Length(peak_w),
        ])
        .areas(row);
        let n = (s.width as usize).min(series.len());
        let window = &series[series.len() - n..];
        let peak = window.iter().copied().max().unwrap_or(0);
        frame.render_widget(Paragraph::new(label), l);
        frame.render_widget(
            Sparkline::default()
                .data(window)
                .max(peak.max(1))
                .style(style),
            s,
        );
        frame.render_widget(Paragraph::new(peak_text(peak)), p);
    }
}

// ----- SNIs ----------------------------------------------------------------------------------

fn render_snis(frame: &mut Frame, area: Rect, snap: &Snapshot, ui: &UiState, block: Block) {
    let rows = sorted_snis(snap, ui.sort);
    let mut bottom = format!(
        " sort: {} (s) · {} SNIs",
        ui.sort.label(),
        snap.distinct_snis
    );
    if snap.sni_other > 0 {
        bottom.push_str(&format!(", +{} conns over the table limit", snap.sni_other));
    }
    bottom.push(' ');
    let block = block.title_bottom(Line::from(bottom).right_aligned());
    if rows.is_empty() {
        frame.render_widget(Paragraph::new("no connections yet").block(block), area);
        return;
    }
    let header = Row::new(["SNI", "conns", "ok%", "p50 ms", "p99 ms", "top problem"])
        .style(Style::new().add_modifier(Modifier::BOLD));
    let body = rows.iter().map(|r| {
        let q = r.latency.handshake;
        let ok_style = match r.success_pct {
            p if p >= 99.0 => Style::new().fg(Color::Green),
            p if p >= 90.0 => Style::new().fg(Color::Yellow),
            _ => Style::new().fg(Color::Red),
        };
        Row::new([
            Cell::from(r.sni.clone()),
            Cell::from(human_u64(r.conns)),
            Cell::from(format!("{:.1}", r.success_pct)).style(ok_style),
            Cell::from(quantile(q, q.p50)),
            Cell::from(quantile(q, q.p99)),
            Cell::from(r.top_problem.unwrap_or("-")),
        ])
    });
    let table = Table::new(
        body,
        [
            Constraint::Fill(3),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Fill(2),
        ],
    )
    .header(header)
    .block(block)
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
    .highlight_symbol(SELECTED);
    let mut state = TableState::default();
    if ui.panel == Panel::Snis {
        state.select(Some(ui.sni_sel.min(rows.len() - 1)));
    }
    frame.render_stateful_widget(table, area, &mut state);
}

// ----- latency -------------------------------------------------------------------------------

fn render_latency(frame: &mut Frame, area: Rect, snap: &Snapshot, ui: &UiState, block: Block) {
    let (name, view): (String, &LatencyView) = match ui.latency_sni(snap) {
        Some(r) => (r.sni.clone(), &r.latency),
        None => ("all connections".into(), &snap.latency),
    };
    let block = block.title_bottom(Line::from(format!(" {name} ")).right_aligned());
    let inner_w = block.inner(area).width as usize;
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::styled(
        format!(
            "{:<10}{:>6}{:>7}{:>7}{:>7}{:>7}",
            "ms", "n", "p50", "p90", "p99", "max"
        ),
        bold,
    )];
    let mut measures = vec![("handshake", view.handshake), ("CH→SH", view.server_hello)];
    if view.tcp_rtt.n > 0 {
        measures.push(("TCP RTT", view.tcp_rtt));
    }
    for (label, q) in measures {
        lines.push(Line::from(format!(
            "{label:<10}{:>6}{:>7}{:>7}{:>7}{:>7}",
            human_u64(q.n),
            quantile(q, q.p50),
            quantile(q, q.p90),
            quantile(q, q.p99),
            quantile(q, q.max),
        )));
    }
    lines.push(Line::styled("handshake time histogram", bold));
    let b = &view.buckets;
    match (
        b.iter().position(|&c| c > 0),
        b.iter().rposition(|&c| c > 0),
    ) {
        (Some(first), Some(last)) => {
            let max = b.iter().copied().max().unwrap_or(1).max(1);
            let label_w = 12;
            let count_w = 8;
            let bar_w = inner_w.saturating_sub(label_w + count_w).max(1);
            for (i, &count) in b.iter().enumerate().take(last + 1).skip(first) {
                lines.push(Line::from(vec![
                    Span::raw(format!("{:>10}  ", bucket_label(i))),
                    Span::styled(
                        bar(count as f64 / max as f64, bar_w),
                        Style::new().fg(Color::Cyan),
                    ),
                    Span::raw(format!("{:>8}", human_u64(count))),
                ]));
            }
        }
        _ => lines.push(Line::from("no handshake times yet")),
    }
    if ui.panel == Panel::Latency {
        lines.push(Line::styled(
            "↑↓ choose an SNI (top row: all connections)",
            Style::new().fg(Color::DarkGray),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// "5-10 ms" style label of display bucket `i`.
pub fn bucket_label(i: usize) -> String {
    let edges = &LATENCY_EDGES_MS;
    let secs = |v: f64| v / 1000.0;
    match i {
        0 => format!("<{} ms", edges[0]),
        i if i >= edges.len() => format!("≥{} s", secs(edges[edges.len() - 1])),
        i if edges[i - 1] >= 1000.0 => {
            format!("{}-{} s", secs(edges[i - 1]), secs(edges[i]))
        }
        i => format!("{}-{} ms", edges[i - 1], edges[i]),
    }
}

// ----- protocols -----------------------------------------------------------------------------

fn render_protocols(frame: &mut Frame, area: Rect, snap: &Snapshot, block: Block, wide: bool) {
    let pq = &snap.pq;
    let pct = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
    let block = block.title_bottom(
        Line::from(format!(
            " post-quantum: negotiated {:.0}% of {} · offered {:.0}% of {} ",
            pct(pq.negotiated, pq.with_group),
            human_u64(pq.with_group),
            pct(pq.offered, pq.with_client_hello),
            human_u64(pq.with_client_hello),
        ))
        .right_aligned(),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let tables = [
        ("Versions", &snap.versions),
        ("ALPN", &snap.alpn),
        ("Ciphers", &snap.ciphers),
        ("Groups", &snap.groups),
    ];
    let cells: Vec<Rect> = if wide {
        Layout::horizontal([Constraint::Fill(1); 4])
            .spacing(2)
            .split(inner)
            .to_vec()
    } else {
        let [top, bottom] =
            Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
        let h = Layout::horizontal([Constraint::Fill(1); 2]).spacing(2);
        h.split(top)
            .iter()
            .chain(h.split(bottom).iter())
            .copied()
            .collect()
    };
    for ((title, rows), cell) in tables.into_iter().zip(cells) {
        // Every cipher suite name starts with "TLS_": the rest is what tells them apart.
        let strip = if title == "Ciphers" { "TLS_" } else { "" };
        render_bars(frame, cell, title, rows, strip);
    }
}

fn render_bars(frame: &mut Frame, area: Rect, title: &str, t: &TableRows, strip: &str) {
    if area.height == 0 || area.width < 12 {
        return;
    }
    let w = area.width as usize;
    let mut lines = vec![Line::styled(
        format!("{title} ({})", human_u64(t.total)),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if t.total == 0 {
        lines.push(Line::from("(none visible)"));
    }
    let room = (area.height as usize).saturating_sub(1);
    let mut rows: Vec<(&str, u64)> = t
        .rows
        .iter()
        .map(|(k, c)| (k.strip_prefix(strip).unwrap_or(k), *c))
        .collect();
    if t.other > 0 {
        rows.push(("(other)", t.other));
    }
    if rows.len() > room {
        // Keep the last line for what does not fit.
        let hidden: u64 = rows[room.saturating_sub(1)..].iter().map(|r| r.1).sum();
        rows.truncate(room.saturating_sub(1));
        rows.push(("(other)", hidden));
    }
    let label_w = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(0)
        .min(w.saturating_sub(12))
        .max(4);
    let bar_w = w.saturating_sub(label_w + 8).max(1);
    for (label, count) in rows {
        let share = count as f64 / t.total.max(1) as f64;
        lines.push(Line::from(vec![
            Span::raw(format!("{} ", fit(label, label_w))),
            Span::styled(bar(share, bar_w), Style::new().fg(Color::Blue)),
            Span::raw(format!("{:>6.1}%", 100.0 * share)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

// ----- problems and connections --------------------------------------------------------------

fn render_problems(frame: &mut Frame, area: Rect, snap: &Snapshot, ui: &UiState, block: Block) {
    let rows = visible_problems(snap, &ui.filter);
    let mut title = format!(" {} not established ", human_u64(snap.problem_sessions));
    if !ui.filter.is_empty() {
        title = format!(" {} match /{} ", rows.len(), ui.filter);
    }
    let block = block.title_bottom(Line::from(title).right_aligned());
    if rows.is_empty() {
        let msg = if snap.problems.is_empty() {
            "no failed connections"
        } else {
            "no failed connection matches the filter"
        };
        frame.render_widget(Paragraph::new(msg).block(block), area);
        return;
    }
    // Two lines per connection, so the cause gets the whole width.
    let dim = Style::new().fg(Color::DarkGray);
    let items = rows.iter().map(|r| {
        ListItem::new(vec![
            Line::from(vec![
                Span::raw(format!("{} ", clock(&r.ts_end))),
                Span::styled(format!("{:<15} ", r.outcome), outcome_style(r.outcome)),
                Span::raw(r.sni.clone().unwrap_or_else(|| "-".into())),
                Span::styled(format!("  {} → {}", r.client, r.server), dim),
            ]),
            Line::from(format!("    {}", r.detail)),
        ])
    });
    let list = List::new(items)
        .block(block)
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol(SELECTED);
    let mut state = ListState::default();
    if ui.panel == Panel::Problems {
        state.select(Some(ui.problem_sel.min(rows.len() - 1)));
    }
    frame.render_stateful_widget(list, area, &mut state);
}

fn render_connections(frame: &mut Frame, area: Rect, snap: &Snapshot, ui: &UiState, block: Block) {
    let rows = visible_connections(snap, &ui.filter);
    let title = if ui.filter.is_empty() {
        format!(
            " newest {} of {} ",
            snap.connections.len(),
            human_u64(snap.sessions)
        )
    } else {
        format!(
            " {} of the newest {} match /{} ",
            rows.len(),
            snap.connections.len(),
            ui.filter
        )
    };
    let block = block.title_bottom(Line::from(title).right_aligned());
    if rows.is_empty() {
        let msg = if snap.connections.is_empty() {
            "no connections yet"
        } else {
            "no connection matches the filter (Esc in / clears it)"
        };
        frame.render_widget(Paragraph::new(msg).block(block), area);
        return;
    }
    // The server address only where it fits whole (a cut address misleads); it is in the
    // detail view and the filter anyway.
    // Fixed columns: marker 2, time 8, transport 4, outcome 15, server 21, hs 6, 5 gaps.
    let with_server = block.inner(area).width >= 61 + 16;
    let mut head = vec!["time", "", "outcome", "SNI"];
    let mut widths = vec![
        Constraint::Length(8),
        Constraint::Length(4),
        Constraint::Length(15),
        Constraint::Fill(1),
    ];
    if with_server {
        head.push("server");
        widths.push(Constraint::Length(21));
    }
    head.push("hs ms");
    widths.push(Constraint::Length(6));
    let header = Row::new(head).style(Style::new().add_modifier(Modifier::BOLD));
    let body = rows.iter().map(|r| {
        let mut cells = vec![
            Cell::from(clock(&r.ts_end).to_string()),
            Cell::from(r.transport),
            Cell::from(r.outcome).style(outcome_style(r.outcome)),
            Cell::from(r.sni.clone().unwrap_or_else(|| "-".into())),
        ];
        if with_server {
            cells.push(Cell::from(r.server.clone()));
        }
        cells.push(Cell::from(r.handshake_ms.map_or("-".into(), fmt_ms)));
        Row::new(cells)
    });
    let table = Table::new(body, widths)
        .header(header)
        .block(block)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol(SELECTED);
    let mut state = TableState::default();
    if ui.panel == Panel::Connections {
        state.select(Some(ui.conn_sel.min(rows.len() - 1)));
    }
    frame.render_stateful_widget(table, area, &mut state);
}

// ----- detail view ---------------------------------------------------------------------------

fn render_detail(frame: &mut Frame, area: Rect, r: &SessionRecord, scroll: u16) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .title(" Connection detail ")
        .title_bottom(Line::from(" ↑↓ PgUp PgDn scroll · Esc/Enter close ").right_aligned());
    let inner = block.inner(area);
    let lines = detail_lines(r);
    let scroll = scroll.min(detail_max_scroll(&lines, inner));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

/// How far the detail text of `r` can scroll in a popup of `area` (border included).
pub fn detail_scroll_limit(r: &SessionRecord, area: Rect) -> u16 {
    let inner = Block::new().borders(Borders::ALL).inner(area);
    detail_max_scroll(&detail_lines(r), inner)
}

fn detail_max_scroll(lines: &[Line], inner: Rect) -> u16 {
    let w = inner.width.max(1) as usize;
    // Wrapped height, estimated by width (word wrapping can add a row here and there).
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(w).max(1)).sum();
    rows.saturating_sub(inner.height as usize / 2)
        .min(u16::MAX as usize) as u16
}

/// Every field of a record, with a handshake timeline, as text lines.
pub fn detail_lines(r: &SessionRecord) -> Vec<Line<'static>> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let dim = Style::new().fg(Color::DarkGray);
    let mut out: Vec<Line<'static>> = Vec::new();
    let field = |out: &mut Vec<Line<'static>>, name: &str, value: String| {
        out.push(Line::from(vec![
            Span::styled(format!("{name:<20}"), dim),
            Span::raw(value),
        ]));
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();

    out.push(Line::from(vec![
        Span::styled(
            r.outcome.to_string(),
            outcome_style(r.outcome).add_modifier(Modifier::BOLD),
        ),
        Span::raw("  "),
        Span::styled(r.sni.clone().unwrap_or_else(|| NO_SNI.into()), bold),
        Span::raw(format!("  {} → {}  {}", r.client, r.server, r.transport)),
    ]));
    out.push(Line::from(r.detail.clone()));
    out.push(Line::from(vec![
        Span::styled("verdict confidence ", dim),
        Span::raw(r.confidence.to_string()),
    ]));
    out.push(Line::from(""));

    out.push(Line::styled("Handshake timeline", bold));
    out.extend(timeline(r));
    out.push(Line::from(""));

    out.push(Line::styled("Connection", bold));
    field(&mut out, "start", r.ts.clone());
    field(&mut out, "end", r.ts_end.clone());
    field(
        &mut out,
        "transport",
        match &r.quic_version {
            Some(v) => format!("{} (version {v})", r.transport),
            None => r.transport.to_string(),
        },
    );
    field(
        &mut out,
        "client → server",
        format!("{} → {}", r.client, r.server),
    );
    field(
        &mut out,
        "bytes",
        format!("client {}  server {}", r.bytes_client, r.bytes_server),
    );
    field(
        &mut out,
        "ClientHello",
        match (r.client_hello_bytes, r.client_hello_segments) {
            (Some(b), Some(s)) => format!("{b} bytes in {s} segment(s)/packet(s)"),
            (Some(b), None) => format!("{b} bytes"),
            _ => "-".into(),
        },
    );
    out.push(Line::from(""));

    out.push(Line::styled("TLS", bold));
    field(&mut out, "SNI", opt(&r.sni));
    field(&mut out, "version", opt(&r.version));
    field(&mut out, "versions offered", list(&r.versions_offered));
    field(&mut out, "ALPN", opt(&r.alpn));
    field(&mut out, "ALPN offered", list(&r.alpn_offered));
    field(&mut out, "cipher", opt(&r.cipher));
    field(&mut out, "group", opt(&r.group));
    field(
        &mut out,
        "post-quantum",
        format!(
            "offered {}  negotiated {}",
            yes(r.pq_offered),
            yes(r.pq_negotiated)
        ),
    );
    field(
        &mut out,
        "resumed / HRR / ECH",
        format!("{} / {} / {}", yes(r.resumed), yes(r.hrr), yes(r.ech)),
    );
    let alerts: Vec<String> = r
        .alerts
        .iter()
        .map(|a| format!("{} {} from the {}", a.level, a.description, a.from))
        .collect();
    field(&mut out, "alerts", list(&alerts));
    if let Some(a) = &r.alert {
        let why = explain::alert(&a.description);
        if !why.is_empty() {
            field(&mut out, "", why.to_string());
        }
    }
    out.push(Line::from(""));

    out.push(Line::styled("Problems", bold));
    if r.problems.is_empty() {
        out.push(Line::from("none"));
    }
    for p in &r.problems {
        let why = explain::problem(p);
        out.push(Line::from(vec![
            Span::styled(p.to_string(), Style::new().fg(Color::Yellow)),
            Span::raw(if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            }),
        ]));
    }
    out.push(Line::from(""));

    out.push(Line::styled("Fingerprints", bold));
    field(&mut out, "JA3", opt(&r.ja3));
    field(&mut out, "JA3 string", opt(&r.ja3_string));
    field(&mut out, "JA3S", opt(&r.ja3s));
    field(&mut out, "JA3S string", opt(&r.ja3s_string));
    field(&mut out, "JA4", opt(&r.ja4));
    field(&mut out, "JA4_r", opt(&r.ja4_r));
    out.push(Line::from(""));

    out.push(Line::styled("ClientHello offers (wire order)", bold));
    field(&mut out, "ciphers", list(&r.ciphers_offered));
    field(&mut out, "extensions", list(&r.extensions_offered));
    field(&mut out, "groups", list(&r.groups_offered));
    field(&mut out, "key shares", list(&r.key_shares_offered));
    field(&mut out, "signature algs", list(&r.sig_algs_offered));
    field(&mut out, "PSK modes", list(&r.psk_modes));
    field(&mut out, "compression", list(&r.compression_offered));
    field(&mut out, "server extensions", list(&r.extensions_server));

    for (title, cert) in [
        ("Server certificate", &r.cert),
        ("Client certificate", &r.client_cert),
    ] {
        out.push(Line::from(""));
        out.push(Line::styled(title, bold));
        match cert {
            Some(c) => cert_lines(&mut out, c),
            None => out.push(Line::from(if title.starts_with("Server") {
                "not visible (TLS 1.3 encrypts it) or not sent"
            } else {
                "none"
            })),
        }
    }
    out
}

fn cert_lines(out: &mut Vec<Line<'static>>, c: &CertRecord) {
    let dim = Style::new().fg(Color::DarkGray);
    let mut field = |name: &str, value: String| {
        out.push(Line::from(vec![
            Span::styled(format!("{name:<20}"), dim),
            Span::raw(value),
        ]));
    };
    field("subject", c.subject.clone());
    field("issuer", c.issuer.clone());
    field("SAN", c.san.join(", "));
    field("valid", format!("{} .. {}", c.not_before, c.not_after));
    field(
        "key",
        match c.key_bits {
            Some(b) => format!("{} {b} bits, signed {}", c.key_type, c.sig_alg),
            None => format!("{}, signed {}", c.key_type, c.sig_alg),
        },
    );
    field(
        "SNI match",
        match c.sni_match {
            Some(true) => "yes".into(),
            Some(false) => "NO".into(),
            None => "-".into(),
        },
    );
    field(
        "self-signed",
        if c.self_signed { "yes" } else { "no" }.into(),
    );
    field("serial", c.serial.clone());
    field("SHA-256", c.sha256.clone().unwrap_or_else(|| "-".into()));
    field("chain length", c.chain_len.to_string());
    for (i, link) in c.chain.iter().enumerate() {
        field(
            &format!("  #{i}"),
            format!("{}  ← issued by {}", link.subject, link.issuer),
        );
    }
}

/// The measured spans, each as a bar on a common scale: the TCP handshake (and how it splits
/// around the capture point), then the TLS handshake from the ClientHello.
fn timeline(r: &SessionRecord) -> Vec<Line<'static>> {
    let mut steps = vec![("SYN → SYN/ACK → ACK", "tcp_rtt_ms", r.tcp_rtt_ms)];
    // The split and the think time only say something when they were measured.
    if r.rtt_server_ms.is_some() || r.rtt_client_ms.is_some() {
        steps.push((
            "  capture → server → back",
            "rtt_server_ms",
            r.rtt_server_ms,
        ));
        steps.push((
            "  capture → client → back",
            "rtt_client_ms",
            r.rtt_client_ms,
        ));
    }
    steps.push((
        "ClientHello → ServerHello",
        "server_hello_ms",
        r.server_hello_ms,
    ));
    if r.server_think_ms.is_some() {
        steps.push((
            "  of which server think",
            "server_think_ms",
            r.server_think_ms,
        ));
    }
    steps.push(("ClientHello → complete", "handshake_ms", r.handshake_ms));
    let max = steps.iter().filter_map(|s| s.2).fold(0.0_f64, f64::max);
    let dim = Style::new().fg(Color::DarkGray);
    let mut lines: Vec<Line<'static>> = steps
        .iter()
        .map(|(what, field, v)| match v {
            Some(ms) => Line::from(vec![
                Span::raw(format!("  {what:<27}{:>10} ms  ", fmt_ms(*ms))),
                Span::styled(
                    bar(if max > 0.0 { ms / max } else { 0.0 }, 16),
                    Style::new().fg(Color::Cyan),
                ),
                Span::styled(format!("  {field}"), dim),
            ]),
            None => Line::from(vec![
                Span::raw(format!("  {what:<27}{:>10}     ", "-")),
                Span::styled(format!("not seen  ({field})"), dim),
            ]),
        })
        .collect();
    if let Some(p) = r.capture_point {
        lines.push(Line::styled(
            format!("  captured near the {p} (from how the TCP round trip splits)"),
            dim,
        ));
    }
    lines
}

// ----- help ----------------------------------------------------------------------------------

/// The help text (one line per key).
pub const HELP: &[(&str, &str)] = &[
    ("q  Ctrl-C", "quit (Esc quits too when nothing is open)"),
    ("Tab  Shift-Tab", "next / previous panel (1-5 jump)"),
    ("↑ ↓  j k", "move the cursor (PgUp PgDn g G)"),
    (
        "Enter",
        "detail of the connection; on an SNI: its connections",
    ),
    ("/", "filter by SNI, IP, outcome, problem (!term excludes)"),
    ("s", "sort the SNI table: conns, ok%, p50, p99, name"),
    ("p", "pause: freeze the screen (data keeps coming)"),
    ("?", "this help (Esc closes)"),
];

fn render_help(frame: &mut Frame, area: Rect) {
    let popup = area.centered(
        Constraint::Length(area.width.min(76)),
        Constraint::Length(area.height.min(HELP.len() as u16 + 9)),
    );
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:<16}"), bold),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(
        "Latency: the SNI under the cursor in SNIs, or all connections.",
    ));
    lines.push(Line::from(
        "Outcomes and rates use packet time; sessions appear when they end.",
    ));
    lines.push(Line::from(
        "Problems: newest connections that did not establish, with the cause.",
    ));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::new()
                .borders(Borders::ALL)
                .border_type(BorderType::Double)
                .title(" Help — keys "),
        ),
        popup,
    );
}

// ----- formatting ----------------------------------------------------------------------------

/// A horizontal bar of `share` (0..=1) in `width` cells, with eighth-cell resolution.
fn bar(share: f64, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (share.clamp(0.0, 1.0) * width as f64 * 8.0).round() as usize;
    let full = eighths / 8;
    let mut s = "█".repeat(full);
    if full < width {
        s.push_str(PARTS[eighths % 8]);
    }
    let used = full + usize::from(full < width && !eighths.is_multiple_of(8));
    s.push_str(&" ".repeat(width.saturating_sub(used)));
    s
}

/// `s` cut or padded to exactly `w` characters ("…" marks a cut).
fn fit(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        format!("{s:<w$}")
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn quantile(q: Quantiles, v: f64) -> String {
    if q.n == 0 { "-".into() } else { fmt_ms(v) }
}

/// Milliseconds with three significant figures (seconds beyond 10 s).
pub fn fmt_ms(ms: f64) -> String {
    match ms {
        m if m < 10.0 => format!("{m:.2}"),
        m if m < 100.0 => format!("{m:.1}"),
        m if m < 10_000.0 => format!("{m:.0}"),
        m => format!("{:.1}s", m / 1000.0),
    }
}

/// 1234567.0 → "1.2M".
pub fn human(x: f64) -> String {
    let x = if x.is_finite() { x.max(0.0) } else { 0.0 };
    match x {
        x if x >= 1e9 => format!("{:.1}G", x / 1e9),
        x if x >= 1e6 => format!("{:.1}M", x / 1e6),
        x if x >= 1e4 => format!("{:.1}k", x / 1e3),
        x if x >= 100.0 || x == x.trunc() => format!("{x:.0}"),
        x => format!("{x:.1}"),
    }
}

fn human_u64(n: u64) -> String {
    if n < 100_000 {
        n.to_string()
    } else {
        human(n as f64)
    }
}

/// Seconds as "1h02m03s".
fn uptime(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    match s {
        s if s >= 86_400 => format!(
            "{}d{:02}h{:02}m",
            s / 86_400,
            s % 86_400 / 3600,
            s % 3600 / 60
        ),
        s if s >= 3600 => format!("{}h{:02}m{:02}s", s / 3600, s % 3600 / 60, s % 60),
        s if s >= 60 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

/// "HH:MM:SS" of an RFC 3339 timestamp.
fn clock(ts: &str) -> &str {
    ts.get(11..19).unwrap_or(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_exactly_their_width() {
        for w in [1, 5, 24] {
            for share in [0.0, 0.01, 0.333, 0.5, 0.99, 1.0, 1.5, -1.0] {
                assert_eq!(bar(share, w).chars().count(), w, "{share} {w}");
            }
        }
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 4), "██  ");
        assert_eq!(bar(0.0, 3), "   ");
    }

    #[test]
    fn number_formats() {
        assert_eq!(fmt_ms(1.234), "1.23");
        assert_eq!(fmt_ms(12.34), "12.3");
        assert_eq!(fmt_ms(1234.0), "1234");
        assert_eq!(fmt_ms(12_345.0), "12.3s");
        assert_eq!(human(0.0), "0");
        assert_eq!(human(2.5), "2.5");
        assert_eq!(human(12_345.0), "12.3k");
        assert_eq!(human(3_400_000.0), "3.4M");
        assert_eq!(human(f64::NAN), "0");
        assert_eq!(uptime(3723.0), "1h02m03s");
        assert_eq!(uptime(59.9), "59s");
        assert_eq!(uptime(90_061.0), "1d01h01m");
        assert_eq!(clock("2024-01-31T12:34:56.123456Z"), "12:34:56");
        assert_eq!(clock("bad"), "bad");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("ab", 4), "ab  ");
    }

    #[test]
    fn bucket_labels() {
        assert_eq!(bucket_label(0), "<1 ms");
        assert_eq!(bucket_label(3), "5-10 ms");
        assert_eq!(bucket_label(9), "500-1000 ms");
        assert_eq!(bucket_label(10), "1-2 s");
        assert_eq!(bucket_label(12), "≥5 s");
    }
}
