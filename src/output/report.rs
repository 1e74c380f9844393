//! The human report: what a network engineer reads first. Built from the same session records
//! as `--json` (so the two never disagree), in bounded memory; the numbers come from
//! `summary::Summary`, which the HTML report shares.

use std::io::{self, Write};

use crate::capture::CaptureStats;
use crate::flow::table::FlowCounters;
use crate::output::explain;
use crate::output::record::SessionRecord;
use crate::output::summary::{self, SniHealth, Summary, Table};
use crate::stats::DecodeCounters;

pub use crate::output::summary::{MAX_TABLE_KEYS, printable};

/// Problem connections listed one per line in the report.
pub const MAX_LISTED_PROBLEMS: usize = 40;

pub struct Report {
    s: Summary,
}

impl Default for Report {
    fn default() -> Self {
        Report::new()
    }
}

/// One health table: the `limit` worst rows with connections, established %, top failure,
/// handshake p50/p90/p99/max (ms), the last version and ALPN seen, and the key.
fn health_table(
    out: &mut dyn Write,
    title: &str,
    rows: &[(&str, &SniHealth)],
    limit: usize,
    other: u64,
    what: &str,
) -> io::Result<()> {
    writeln!(
        out,
        "{title}, worst first (connections, established %, top failure, handshake p50/p90/p99/max ms, version, ALPN):"
    )?;
    for (key, h) in rows.iter().take(limit) {
        let failure = h
            .top_failure()
            .map(|(o, n)| format!("{o} ×{n}"))
            .unwrap_or_else(|| "-".into());
        let q = |p: f64| h.handshake.quantile_ms(p);
        let lat = match (q(0.5), q(0.9), q(0.99), h.handshake.max_ms()) {
            (Some(a), Some(b), Some(c), Some(m)) => format!("{a:.1}/{b:.1}/{c:.1}/{m:.1}"),
            _ => "-".into(),
        };
        writeln!(
            out,
            "  {:>7} {:>5.1}%  {:<26} {:>23}  {:<8} {:<9} {}",
            h.conns,
            100.0 * h.success(),
            failure,
            lat,
            h.versions.last().map_or("-", String::as_str),
            h.alpns.last().map_or("-", String::as_str),
            key
        )?;
    }
    if rows.len() > limit {
        writeln!(out, "  ... {} more {what} (use --json)", rows.len() - limit)?;
    }
    if other > 0 {
        writeln!(out, "  {other:>7}         (other)")?;
    }
    Ok(())
}

impl Report {
    pub fn new() -> Report {
        Report {
            s: Summary::new(MAX_LISTED_PROBLEMS),
        }
    }

    pub fn add(&mut self, r: &SessionRecord) {
        self.s.add(r);
    }

    pub fn render(
        &self,
        out: &mut dyn Write,
        cap: &CaptureStats,
        dec: &DecodeCounters,
        flows: &FlowCounters,
    ) -> io::Result<()> {
        writeln!(out, "tlscope report")?;
        writeln!(out, "==============")?;
        let span = match (cap.first_ts, cap.last_ts) {
            (Some(a), Some(b)) => format!("{a} .. {b} ({:.3} s)", b.ms_since(a) / 1000.0),
            _ => "no packets".into(),
        };
        writeln!(
            out,
            "Input:     {} file(s), {} packets, {} bytes",
            cap.files, cap.packets, cap.bytes
        )?;
        writeln!(out, "Time span: {span}")?;
        writeln!(out, "Link types: {}", summary::link_types(cap))?;
        writeln!(out, "Skipped:   {}", summary::skipped_line(cap, dec, flows))?;
        for n in &cap.notes {
            writeln!(out, "Note:      {n}")?;
        }
        writeln!(out)?;
        let s = &self.s;
        writeln!(out, "Connections: {}", s.sessions)?;
        if s.sessions == 0 {
            writeln!(
                out,
                "  (no TCP connections on port 443 or TLS on other ports)"
            )?;
            return Ok(());
        }
        self.section(out, "Transports", &s.transports, 8)?;
        self.section(out, "Outcomes", &s.outcomes, 12)?;
        if s.quic_failures.total() > 0 {
            self.section(
                out,
                "QUIC connections that did not establish (SNI, outcome)",
                &s.quic_failures,
                10,
            )?;
        }
        writeln!(out)?;
        health_table(
            out,
            "Per-SNI health",
            &s.sni_rows(),
            15,
            s.sni_other,
            "names",
        )?;
        writeln!(out)?;
        health_table(
            out,
            "Per-server health",
            &s.server_rows(),
            10,
            s.server_other,
            "servers",
        )?;
        writeln!(out)?;
        health_table(
            out,
            "Per-client (JA4) health",
            &s.ja4_rows(),
            10,
            s.ja4_other,
            "fingerprints",
        )?;
        self.section(out, "Versions", &s.versions, 8)?;
        self.section(out, "ALPN", &s.alpn, 8)?;
        self.section(out, "Ciphers", &s.ciphers, 8)?;
        self.section(out, "Groups", &s.groups, 8)?;
        writeln!(
            out,
            "  post-quantum key exchange negotiated: {} of {} with a visible group",
            s.pq,
            s.groups.total()
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "Resumed: {}   HelloRetryRequest: {}   ECH offered: {}",
            s.resumed, s.hrr, s.ech
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "Latency (ms)            n      p50      p90      p99      max"
        )?;
        for l in s.latencies() {
            let name = l.label;
            match summary::quantiles(l.hist) {
                None => writeln!(out, "  {name:<16} {:>6}        -", 0)?,
                Some(q) => writeln!(
                    out,
                    "  {name:<16} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
                    q.n, q.p50, q.p90, q.p99, q.max
                )?,
            }
        }
        writeln!(
            out,
            "  post-quantum key exchange offered by {} of {} connections",
            s.pq_offered, s.sessions
        )?;
        if s.ja4.total() > 0 {
            self.section(out, "Client fingerprints (JA4)", &s.ja4, 8)?;
        }
        if s.issuers.total() > 0 {
            self.section(
                out,
                "Certificate issuers (TLS <= 1.2, where visible)",
                &s.issuers,
                8,
            )?;
        }
        if s.alerts.total() > 0 {
            writeln!(out)?;
            writeln!(out, "Alerts (plaintext):")?;
            for (k, c) in s.alerts.top(12) {
                let desc = k.split(' ').nth(1).unwrap_or("");
                writeln!(out, "  {c:>7}  {k}")?;
                let why = explain::alert(desc);
                if !why.is_empty() {
                    writeln!(out, "           {why}")?;
                }
            }
        }
        if s.problems.total() > 0 {
            writeln!(out)?;
            writeln!(out, "Problems:")?;
            for (k, c) in s.problems.top(30) {
                writeln!(out, "  {c:>7}  {k}")?;
                let why = explain::problem(k);
                if !why.is_empty() {
                    writeln!(out, "           {why}")?;
                }
            }
        }
        if s.problem_sessions > 0 {
            writeln!(out)?;
            writeln!(
                out,
                "Connections that did not establish ({}):",
                s.problem_sessions
            )?;
            for r in s.listed() {
                writeln!(
                    out,
                    "  {}  {} -> {}  {:<16} {}",
                    r.ts,
                    r.client,
                    r.server,
                    r.outcome,
                    printable(r.sni.as_deref().unwrap_or("-")),
                )?;
                write!(out, "      {}", printable(&r.detail))?;
                if !r.problems.is_empty() {
                    write!(out, " [{}]", r.problems.join(", "))?;
                }
                writeln!(out)?;
            }
            if s.unlisted() > 0 {
                writeln!(out, "  ... {} more (use --json for all)", s.unlisted())?;
            }
        }
        Ok(())
    }

    fn section(&self, out: &mut dyn Write, title: &str, t: &Table, n: usize) -> io::Result<()> {
        writeln!(out)?;
        writeln!(out, "{title}:")?;
        let total = t.total().max(1);
        if t.total() == 0 {
            writeln!(out, "  (none visible)")?;
        }
        for (k, c) in t.top(n) {
            writeln!(
                out,
                "  {:>7}  {:>5.1}%  {}",
                c,
                100.0 * c as f64 / total as f64,
                k
            )?;
        }
        if t.other() > 0 {
            writeln!(out, "  {:>7}         (other)", t.other())?;
        }
        Ok(())
    }
}
