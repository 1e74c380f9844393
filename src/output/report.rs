//! The human report: what a network engineer reads first. Built from the same session records
//! as `--json` (so the two never disagree), in bounded memory: distinct keys per table are
//! capped and the overflow is folded into "(other)".

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use hdrhistogram::Histogram;

use crate::capture::{CaptureStats, linktype_name};
use crate::decode::Skip;
use crate::flow::table::FlowCounters;
use crate::output::explain;
use crate::output::record::SessionRecord;
use crate::stats::DecodeCounters;

/// Distinct keys kept per table (SNIs, ciphers, ...). Beyond this, counts go to "(other)".
pub const MAX_TABLE_KEYS: usize = 10_000;
/// Problem connections listed one per line in the report.
pub const MAX_LISTED_PROBLEMS: usize = 40;
/// Latency histograms: 1 µs .. 1 h, 3 significant digits.
const HIST_MAX_US: u64 = 3_600_000_000;

#[derive(Default)]
struct Table {
    counts: HashMap<String, u64>,
    other: u64,
}

/// Packet-borne strings (SNI, ALPN, certificate names) may carry control characters; a report
/// printed to a terminal must not pass escape sequences through. They are shown as `\xNN`.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

impl Table {
    fn add(&mut self, key: &str) {
        let key = &*printable(key);
        if let Some(n) = self.counts.get_mut(key) {
            *n += 1;
        } else if self.counts.len() < MAX_TABLE_KEYS {
            self.counts.insert(key.to_string(), 1);
        } else {
            self.other += 1;
        }
    }

    fn top(&self, n: usize) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.counts.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(n);
        v
    }

    fn total(&self) -> u64 {
        self.counts.values().sum::<u64>() + self.other
    }
}

/// A small log-bucket latency histogram (4 buckets per doubling from 1 µs to ~1000 s): ~19%
/// resolution in 480 bytes, so every SNI can have one (an hdrhistogram is ~25 KB).
#[derive(Clone)]
struct LogHist {
    buckets: [u32; LOG_BUCKETS],
    n: u64,
}

const LOG_BUCKETS: usize = 120;

impl Default for LogHist {
    fn default() -> Self {
        LogHist {
            buckets: [0; LOG_BUCKETS],
            n: 0,
        }
    }
}

impl LogHist {
    fn add(&mut self, ms: f64) {
        let us = (ms * 1000.0).max(1.0);
        let i = ((us.log2() * 4.0) as usize).min(LOG_BUCKETS - 1);
        self.buckets[i] = self.buckets[i].saturating_add(1);
        self.n += 1;
    }

    /// The upper edge of the bucket holding quantile `q`, in ms.
    fn quantile_ms(&self, q: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((self.n as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0u64;
        for (i, c) in self.buckets.iter().enumerate() {
            seen += *c as u64;
            if seen >= rank {
                return Some(2f64.powf((i + 1) as f64 / 4.0) / 1000.0);
            }
        }
        None
    }
}

#[derive(Default, Clone)]
struct SniHealth {
    conns: u64,
    established: u64,
    /// Failed outcomes and their counts (a handful of distinct values).
    failures: Vec<(&'static str, u64)>,
    handshake: LogHist,
    /// The most recent negotiated version and ALPN (or first ALPN offered).
    version: Option<String>,
    alpn: Option<String>,
}

impl SniHealth {
    fn top_failure(&self) -> Option<(&'static str, u64)> {
        self.failures.iter().max_by_key(|(_, n)| *n).copied()
    }

    fn success(&self) -> f64 {
        self.established as f64 / self.conns.max(1) as f64
    }
}

fn hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIST_MAX_US, 3).expect("static bounds are valid")
}

pub struct Report {
    sessions: u64,
    outcomes: Table,
    snis: HashMap<String, SniHealth>,
    sni_other: u64,
    versions: Table,
    alpn: Table,
    ciphers: Table,
    groups: Table,
    problems: Table,
    transports: Table,
    quic_failures: Table,
    alerts: Table,
    ja4: Table,
    issuers: Table,
    pq_offered: u64,
    tcp_rtt: Histogram<u64>,
    server_hello: Histogram<u64>,
    handshake: Histogram<u64>,
    resumed: u64,
    hrr: u64,
    ech: u64,
    pq: u64,
    listed: Vec<String>,
    problem_sessions: u64,
}

impl Default for Report {
    fn default() -> Self {
        Report::new()
    }
}

fn record_ms(h: &mut Histogram<u64>, ms: Option<f64>) {
    if let Some(ms) = ms {
        h.saturating_record(((ms * 1000.0).round() as u64).clamp(1, HIST_MAX_US));
    }
}

impl Report {
    pub fn new() -> Report {
        Report {
            sessions: 0,
            outcomes: Table::default(),
            snis: HashMap::new(),
            sni_other: 0,
            versions: Table::default(),
            alpn: Table::default(),
            ciphers: Table::default(),
            groups: Table::default(),
            problems: Table::default(),
            transports: Table::default(),
            quic_failures: Table::default(),
            alerts: Table::default(),
            ja4: Table::default(),
            issuers: Table::default(),
            pq_offered: 0,
            tcp_rtt: hist(),
            server_hello: hist(),
            handshake: hist(),
            resumed: 0,
            hrr: 0,
            ech: 0,
            pq: 0,
            listed: Vec::new(),
            problem_sessions: 0,
        }
    }

    pub fn add(&mut self, r: &SessionRecord) {
        self.sessions += 1;
        self.outcomes.add(r.outcome);
        let sni_printable = printable(r.sni.as_deref().unwrap_or("(no SNI)"));
        let sni = &*sni_printable;
        let room = self.snis.len() < MAX_TABLE_KEYS;
        let h = match self.snis.get_mut(sni) {
            Some(h) => Some(h),
            None if room => Some(self.snis.entry(sni.to_string()).or_default()),
            None => None,
        };
        match h {
            Some(h) => {
                h.conns += 1;
                if r.outcome == "established" {
                    h.established += 1;
                } else {
                    match h.failures.iter_mut().find(|(o, _)| *o == r.outcome) {
                        Some((_, n)) => *n += 1,
                        None => h.failures.push((r.outcome, 1)),
                    }
                }
                if let Some(ms) = r.handshake_ms {
                    h.handshake.add(ms);
                }
                if r.version.is_some() {
                    h.version = r.version.clone();
                }
                if let Some(a) = r.alpn.as_ref().or(r.alpn_offered.first()) {
                    h.alpn = Some(a.clone());
                }
            }
            None => self.sni_other += 1,
        }
        if let Some(v) = &r.version {
            self.versions.add(v);
        }
        if let Some(a) = &r.alpn {
            self.alpn.add(a);
        } else if let Some(first) = r.alpn_offered.first() {
            self.alpn.add(&format!(
                "{first} (offered first; negotiated value encrypted)"
            ));
        }
        if let Some(c) = &r.cipher {
            self.ciphers.add(c);
        }
        if let Some(g) = &r.group {
            self.groups.add(g);
            if g.contains("MLKEM") || g.contains("Kyber") {
                self.pq += 1;
            }
        }
        for p in &r.problems {
            self.problems.add(p);
        }
        match &r.quic_version {
            Some(v) => self.transports.add(&format!("QUIC (version {v})")),
            None => self.transports.add("TCP"),
        }
        if r.transport == "quic" && r.outcome != "established" {
            self.quic_failures.add(&format!(
                "{} {}",
                r.sni.as_deref().unwrap_or("(no SNI)"),
                r.outcome
            ));
        }
        for a in &r.alerts {
            self.alerts.add(&format!(
                "{} {} from the {}",
                a.level, a.description, a.from
            ));
        }
        if let Some(j) = &r.ja4 {
            self.ja4.add(j);
        }
        if let Some(c) = &r.cert {
            self.issuers.add(&c.issuer);
        }
        self.pq_offered += r.pq_offered as u64;
        record_ms(&mut self.tcp_rtt, r.tcp_rtt_ms);
        record_ms(&mut self.server_hello, r.server_hello_ms);
        record_ms(&mut self.handshake, r.handshake_ms);
        self.resumed += r.resumed as u64;
        self.hrr += r.hrr as u64;
        self.ech += r.ech as u64;
        if r.outcome != "established" {
            self.problem_sessions += 1;
            if self.listed.len() < MAX_LISTED_PROBLEMS {
                let mut line = format!(
                    "{}  {} -> {}  {:<16} {}",
                    r.ts,
                    r.client,
                    r.server,
                    r.outcome,
                    printable(r.sni.as_deref().unwrap_or("-")),
                );
                line.push_str(&format!("\n      {}", printable(&r.detail)));
                if !r.problems.is_empty() {
                    line.push_str(&format!(" [{}]", r.problems.join(", ")));
                }
                self.listed.push(line);
            }
        }
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
        let lts: Vec<String> = cap
            .linktypes
            .iter()
            .map(|(lt, n)| format!("{} ({n})", linktype_name(*lt)))
            .collect();
        writeln!(
            out,
            "Link types: {}",
            if lts.is_empty() {
                "-".into()
            } else {
                lts.join(", ")
            }
        )?;
        let mut skipped: Vec<String> = Skip::ALL
            .iter()
            .filter(|s| dec.skipped[s.index()] > 0)
            .map(|s| format!("{} {}", dec.skipped[s.index()], s.as_str()))
            .collect();
        if cap.truncated_frames > 0 {
            skipped.push(format!(
                "{} frames cut by snaplen (analysed as far as they go)",
                cap.truncated_frames
            ));
        }
        if cap.filtered_out > 0 {
            skipped.push(format!("{} filtered out by -f", cap.filtered_out));
        }
        if flows.udp_datagrams_not_analysed > 0 {
            skipped.push(format!(
                "{} UDP datagrams off 443 that start no QUIC connection",
                flows.udp_datagrams_not_analysed
            ));
        }
        if flows.flows_ignored > 0 {
            skipped.push(format!(
                "{} non-443 TCP flows that are not TLS",
                flows.flows_ignored
            ));
        }
        writeln!(
            out,
            "Skipped:   {}",
            if skipped.is_empty() {
                "nothing".into()
            } else {
                skipped.join("; ")
            }
        )?;
        for n in &cap.notes {
            writeln!(out, "Note:      {n}")?;
        }
        writeln!(out)?;
        writeln!(out, "Connections: {}", self.sessions)?;
        if self.sessions == 0 {
            writeln!(
                out,
                "  (no TCP connections on port 443 or TLS on other ports)"
            )?;
            return Ok(());
        }
        self.section(out, "Transports", &self.transports, 8)?;
        self.section(out, "Outcomes", &self.outcomes, 12)?;
        if self.quic_failures.total() > 0 {
            self.section(
                out,
                "QUIC connections that did not establish (SNI, outcome)",
                &self.quic_failures,
                10,
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "Per-SNI health, worst first (connections, established %, top failure, handshake p50/p99 ms, version, ALPN):"
        )?;
        let mut snis: Vec<(&String, &SniHealth)> = self.snis.iter().collect();
        snis.sort_by(|a, b| {
            a.1.success()
                .total_cmp(&b.1.success())
                .then(b.1.conns.cmp(&a.1.conns))
                .then(a.0.cmp(b.0))
        });
        for (name, h) in snis.iter().take(15) {
            let failure = h
                .top_failure()
                .map(|(o, n)| format!("{o} ×{n}"))
                .unwrap_or_else(|| "-".into());
            let lat = match (h.handshake.quantile_ms(0.5), h.handshake.quantile_ms(0.99)) {
                (Some(a), Some(b)) => format!("{a:.1}/{b:.1}"),
                _ => "-".into(),
            };
            writeln!(
                out,
                "  {:>7} {:>5.1}%  {:<26} {:>13}  {:<8} {:<9} {}",
                h.conns,
                100.0 * h.success(),
                failure,
                lat,
                h.version.as_deref().unwrap_or("-"),
                h.alpn.as_deref().unwrap_or("-"),
                name
            )?;
        }
        if snis.len() > 15 {
            writeln!(out, "  ... {} more names (use --json)", snis.len() - 15)?;
        }
        if self.sni_other > 0 {
            writeln!(out, "  {:>7}         (other)", self.sni_other)?;
        }
        self.section(out, "Versions", &self.versions, 8)?;
        self.section(out, "ALPN", &self.alpn, 8)?;
        self.section(out, "Ciphers", &self.ciphers, 8)?;
        self.section(out, "Groups", &self.groups, 8)?;
        writeln!(
            out,
            "  post-quantum key exchange negotiated: {} of {} with a visible group",
            self.pq,
            self.groups.total()
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "Resumed: {}   HelloRetryRequest: {}   ECH offered: {}",
            self.resumed, self.hrr, self.ech
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "Latency (ms)            n      p50      p90      p99      max"
        )?;
        for (name, h) in [
            ("TCP RTT", &self.tcp_rtt),
            ("ClientHello->SH", &self.server_hello),
            ("full handshake", &self.handshake),
        ] {
            if h.is_empty() {
                writeln!(out, "  {name:<16} {:>6}        -", 0)?;
                continue;
            }
            let q = |p: f64| h.value_at_quantile(p) as f64 / 1000.0;
            writeln!(
                out,
                "  {name:<16} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
                h.len(),
                q(0.5),
                q(0.9),
                q(0.99),
                h.max() as f64 / 1000.0
            )?;
        }
        writeln!(
            out,
            "  post-quantum key exchange offered by {} of {} connections",
            self.pq_offered, self.sessions
        )?;
        if self.ja4.total() > 0 {
            self.section(out, "Client fingerprints (JA4)", &self.ja4, 8)?;
        }
        if self.issuers.total() > 0 {
            self.section(
                out,
                "Certificate issuers (TLS <= 1.2, where visible)",
                &self.issuers,
                8,
            )?;
        }
        if self.alerts.total() > 0 {
            writeln!(out)?;
            writeln!(out, "Alerts (plaintext):")?;
            for (k, c) in self.alerts.top(12) {
                let desc = k.split(' ').nth(1).unwrap_or("");
                writeln!(out, "  {c:>7}  {k}")?;
                let why = explain::alert(desc);
                if !why.is_empty() {
                    writeln!(out, "           {why}")?;
                }
            }
        }
        if self.problems.total() > 0 {
            writeln!(out)?;
            writeln!(out, "Problems:")?;
            for (k, c) in self.problems.top(30) {
                writeln!(out, "  {c:>7}  {k}")?;
                let why = explain::problem(k);
                if !why.is_empty() {
                    writeln!(out, "           {why}")?;
                }
            }
        }
        if self.problem_sessions > 0 {
            writeln!(out)?;
            writeln!(
                out,
                "Connections that did not establish ({}):",
                self.problem_sessions
            )?;
            for l in &self.listed {
                writeln!(out, "  {l}")?;
            }
            if self.problem_sessions as usize > self.listed.len() {
                writeln!(
                    out,
                    "  ... {} more (use --json for all)",
                    self.problem_sessions as usize - self.listed.len()
                )?;
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
        if t.other > 0 {
            writeln!(out, "  {:>7}         (other)", t.other)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("www.example.com"), "www.example.com");
        assert_eq!(printable("x\u{1b}[2J\u{7}y"), "x\\x1b[2J\\x07y");
    }

    #[test]
    fn log_histogram_quantiles_are_within_a_bucket() {
        let mut h = LogHist::default();
        assert_eq!(h.quantile_ms(0.5), None);
        for ms in 1..=100 {
            h.add(ms as f64);
        }
        let p50 = h.quantile_ms(0.5).unwrap();
        let p99 = h.quantile_ms(0.99).unwrap();
        assert!((50.0..=50.0 * 1.2).contains(&p50), "p50 {p50}");
        assert!((99.0..=99.0 * 1.2).contains(&p99), "p99 {p99}");
        h.add(1e12);
        assert!(h.quantile_ms(1.0).unwrap() > 1e5);
    }
}
