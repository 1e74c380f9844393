//! The aggregation behind the human reports: one pass over the session records, in bounded
//! memory, shared by the text report (`report`) and the HTML report (`html`) so the two never
//! compute a number differently. Distinct keys per table are capped and the overflow is folded
//! into "(other)"; the connections kept for listing are the first `listed_limit` that did not
//! establish.
//!
//! Strings from packets are stored as [`printable`] (control characters shown as `\xNN`);
//! renderers still escape for their medium (HTML entities).

use std::borrow::Cow;
use std::collections::HashMap;

use hdrhistogram::Histogram;

use crate::capture::{CaptureStats, linktype_name};
use crate::decode::Skip;
use crate::flow::table::FlowCounters;
use crate::output::record::SessionRecord;
use crate::stats::DecodeCounters;
use crate::stats::snapshot::{self, hist, is_pq_group, record_ms};

/// Distinct keys kept per table (SNIs, ciphers, ...), as in the dashboard. Beyond this, counts
/// go to "(other)".
pub use crate::stats::snapshot::{MAX_TABLE_KEYS, Quantiles};
/// Significant digits of the capture-wide latency histograms (1 µs .. 1 h).
const HIST_DIGITS: u8 = 3;
/// The per-SNI row of connections without a server name.
pub const NO_SNI: &str = "(no SNI)";
/// Distinct versions / ALPN values remembered per SNI (most recent last).
const SNI_VALUES: usize = 4;

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

/// A count with thousands separators: 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Counts per key, at most [`MAX_TABLE_KEYS`] keys, the rest in `other`.
#[derive(Default)]
pub struct Table {
    counts: HashMap<String, u64>,
    other: u64,
}

impl Table {
    pub fn add(&mut self, key: &str) {
        let key = &*printable(key);
        if let Some(n) = self.counts.get_mut(key) {
            *n += 1;
        } else if self.counts.len() < MAX_TABLE_KEYS {
            self.counts.insert(key.to_string(), 1);
        } else {
            self.other += 1;
        }
    }

    /// The `n` largest counts, ties by name.
    pub fn top(&self, n: usize) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.counts.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(n);
        v
    }

    /// The count of one key (0 when absent or folded into "(other)").
    pub fn get(&self, key: &str) -> u64 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum::<u64>() + self.other
    }

    /// Counts folded into "(other)" because the table was full.
    pub fn other(&self) -> u64 {
        self.other
    }

    /// Distinct keys kept.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.other == 0
    }
}

/// A small log-bucket latency histogram (4 buckets per doubling from 1 µs to ~1000 s): ~19%
/// resolution in ~500 bytes, so every SNI can have one (an hdrhistogram is ~25 KB). The exact
/// minimum and maximum are kept too, and quantiles never fall outside them.
#[derive(Clone)]
pub struct LogHist {
    buckets: [u32; LOG_BUCKETS],
    n: u64,
    min_ms: f64,
    max_ms: f64,
}

const LOG_BUCKETS: usize = 120;

impl Default for LogHist {
    fn default() -> Self {
        LogHist {
            buckets: [0; LOG_BUCKETS],
            n: 0,
            min_ms: f64::INFINITY,
            max_ms: 0.0,
        }
    }
}

impl LogHist {
    pub fn add(&mut self, ms: f64) {
        let us = (ms * 1000.0).max(1.0);
        let i = ((us.log2() * 4.0) as usize).min(LOG_BUCKETS - 1);
        self.buckets[i] = self.buckets[i].saturating_add(1);
        self.n += 1;
        if ms.is_finite() {
            self.min_ms = self.min_ms.min(ms);
            self.max_ms = self.max_ms.max(ms);
        }
    }

    /// The upper edge of the bucket holding quantile `q`, in ms, within [min, max].
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        let edge = self.bucket_edge_ms(q)?;
        if self.min_ms <= self.max_ms {
            Some(edge.clamp(self.min_ms, self.max_ms))
        } else {
            Some(edge)
        }
    }

    fn bucket_edge_ms(&self, q: f64) -> Option<f64> {
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

    /// The largest value added (exact), in ms.
    pub fn max_ms(&self) -> Option<f64> {
        (self.n > 0).then_some(self.max_ms)
    }

    pub fn len(&self) -> u64 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

/// Remembers up to [`SNI_VALUES`] distinct values, the most recent last.
fn remember(values: &mut Vec<String>, v: &str) {
    if let Some(i) = values.iter().position(|x| x == v) {
        let x = values.remove(i);
        values.push(x);
        return;
    }
    if values.len() >= SNI_VALUES {
        values.remove(0);
    }
    values.push(printable(v).into_owned());
}

/// Label of the connections without a ClientHello (no JA4).
pub const NO_JA4: &str = "(no ClientHello)";

/// Counts `r` in the health of `key` (bounded: past `MAX_TABLE_KEYS` keys, in `other`).
fn add_health(map: &mut HashMap<String, SniHealth>, other: &mut u64, key: &str, r: &SessionRecord) {
    let room = map.len() < MAX_TABLE_KEYS;
    let h = match map.get_mut(key) {
        Some(h) => h,
        None if room => map.entry(key.to_string()).or_default(),
        None => {
            *other += 1;
            return;
        }
    };
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
    if let Some(v) = &r.version {
        remember(&mut h.versions, v);
    }
    if let Some(a) = r.alpn.as_ref().or(r.alpn_offered.first()) {
        remember(&mut h.alpns, a);
    }
}

/// Rows worst first: lowest success rate, then most connections, then by key.
fn worst_first(map: &HashMap<String, SniHealth>) -> Vec<(&str, &SniHealth)> {
    let mut rows: Vec<(&str, &SniHealth)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    rows.sort_by(|a, b| {
        a.1.success()
            .total_cmp(&b.1.success())
            .then(b.1.conns.cmp(&a.1.conns))
            .then(a.0.cmp(b.0))
    });
    rows
}

/// Health of one server name (or one server, or one client fingerprint).
#[derive(Default, Clone)]
pub struct SniHealth {
    pub conns: u64,
    pub established: u64,
    /// Failed outcomes and their counts (a handful of distinct values).
    pub failures: Vec<(&'static str, u64)>,
    pub handshake: LogHist,
    /// Negotiated versions seen, most recent last.
    pub versions: Vec<String>,
    /// ALPN values seen (negotiated, or the first one offered when the answer is encrypted),
    /// most recent last.
    pub alpns: Vec<String>,
}

impl SniHealth {
    pub fn top_failure(&self) -> Option<(&'static str, u64)> {
        self.failures.iter().max_by_key(|(_, n)| *n).copied()
    }

    /// Share of connections that established, 0..=1.
    pub fn success(&self) -> f64 {
        self.established as f64 / self.conns.max(1) as f64
    }
}

/// Quantiles of an hdrhistogram recorded in µs; `None` when empty.
pub fn quantiles(h: &Histogram<u64>) -> Option<Quantiles> {
    let q = snapshot::quantiles(h);
    (q.n > 0).then_some(q)
}

/// One of the capture-wide latency measures.
pub struct Latency<'a> {
    /// Short human label ("TCP RTT").
    pub label: &'static str,
    /// The session record field it comes from ("tcp_rtt_ms").
    pub field: &'static str,
    pub hist: &'a Histogram<u64>,
}

pub struct Summary {
    pub sessions: u64,
    pub outcomes: Table,
    snis: HashMap<String, SniHealth>,
    /// Connections whose SNI did not fit in the table.
    pub sni_other: u64,
    /// The same health per server endpoint and per client fingerprint (JA4).
    servers: HashMap<String, SniHealth>,
    pub server_other: u64,
    ja4s: HashMap<String, SniHealth>,
    pub ja4_other: u64,
    pub versions: Table,
    pub alpn: Table,
    pub ciphers: Table,
    pub groups: Table,
    pub problems: Table,
    pub transports: Table,
    pub quic_failures: Table,
    pub alerts: Table,
    pub ja4: Table,
    pub issuers: Table,
    pub pq_offered: u64,
    /// Connections that negotiated a post-quantum group.
    pub pq: u64,
    tcp_rtt: Histogram<u64>,
    server_hello: Histogram<u64>,
    handshake: Histogram<u64>,
    pub resumed: u64,
    pub hrr: u64,
    pub ech: u64,
    listed_limit: usize,
    listed: Vec<SessionRecord>,
    /// Connections that did not establish (all of them, listed or not).
    pub problem_sessions: u64,
}

impl Summary {
    /// `listed_limit`: how many connections that did not establish are kept whole for listing.
    pub fn new(listed_limit: usize) -> Summary {
        Summary {
            sessions: 0,
            outcomes: Table::default(),
            snis: HashMap::new(),
            sni_other: 0,
            servers: HashMap::new(),
            server_other: 0,
            ja4s: HashMap::new(),
            ja4_other: 0,
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
            pq: 0,
            tcp_rtt: hist(HIST_DIGITS),
            server_hello: hist(HIST_DIGITS),
            handshake: hist(HIST_DIGITS),
            resumed: 0,
            hrr: 0,
            ech: 0,
            listed_limit,
            listed: Vec::new(),
            problem_sessions: 0,
        }
    }

    pub fn add(&mut self, r: &SessionRecord) {
        self.sessions += 1;
        self.outcomes.add(r.outcome);
        self.add_sni(r);
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
            if is_pq_group(g) {
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
            if self.listed.len() < self.listed_limit {
                self.listed.push(r.clone());
            }
        }
    }

    fn add_sni(&mut self, r: &SessionRecord) {
        let sni = printable(r.sni.as_deref().unwrap_or(NO_SNI));
        add_health(&mut self.snis, &mut self.sni_other, &sni, r);
        add_health(&mut self.servers, &mut self.server_other, &r.server, r);
        let ja4 = r.ja4.as_deref().unwrap_or(NO_JA4);
        add_health(&mut self.ja4s, &mut self.ja4_other, ja4, r);
    }

    /// Distinct server names seen (connections without SNI not counted).
    pub fn sni_names(&self) -> usize {
        self.snis.len() - self.snis.contains_key(NO_SNI) as usize
    }

    /// Every SNI, worst first: lowest success rate, then most connections, then by name.
    pub fn sni_rows(&self) -> Vec<(&str, &SniHealth)> {
        worst_first(&self.snis)
    }

    /// Every server endpoint, worst first.
    pub fn server_rows(&self) -> Vec<(&str, &SniHealth)> {
        worst_first(&self.servers)
    }

    /// Every client fingerprint (JA4), worst first.
    pub fn ja4_rows(&self) -> Vec<(&str, &SniHealth)> {
        worst_first(&self.ja4s)
    }

    /// TCP RTT, ClientHello → ServerHello and the full handshake, in that order.
    pub fn latencies(&self) -> [Latency<'_>; 3] {
        [
            Latency {
                label: "TCP RTT",
                field: "tcp_rtt_ms",
                hist: &self.tcp_rtt,
            },
            Latency {
                label: "ClientHello->SH",
                field: "server_hello_ms",
                hist: &self.server_hello,
            },
            Latency {
                label: "full handshake",
                field: "handshake_ms",
                hist: &self.handshake,
            },
        ]
    }

    /// The first connections that did not establish, in the order they were written.
    pub fn listed(&self) -> &[SessionRecord] {
        &self.listed
    }

    /// Connections that did not establish and are not in [`Summary::listed`].
    pub fn unlisted(&self) -> u64 {
        self.problem_sessions
            .saturating_sub(self.listed.len() as u64)
    }
}

/// "Ethernet (548), raw IP (3)", or "-".
pub fn link_types(cap: &CaptureStats) -> String {
    let lts: Vec<String> = cap
        .linktypes
        .iter()
        .map(|(lt, n)| format!("{} ({n})", linktype_name(*lt)))
        .collect();
    if lts.is_empty() {
        "-".into()
    } else {
        lts.join(", ")
    }
}

/// [`skipped`] on one line, or "nothing".
pub fn skipped_line(cap: &CaptureStats, dec: &DecodeCounters, flows: &FlowCounters) -> String {
    let skipped = skipped(cap, dec, flows);
    if skipped.is_empty() {
        "nothing".into()
    } else {
        skipped.join("; ")
    }
}

/// What the input layers skipped or noticed, one phrase each ("3 frames cut by snaplen ...").
fn skipped(cap: &CaptureStats, dec: &DecodeCounters, flows: &FlowCounters) -> Vec<String> {
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
    skipped
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
        assert_eq!(h.max_ms(), None);
        for ms in 1..=100 {
            h.add(ms as f64);
        }
        let p50 = h.quantile_ms(0.5).unwrap();
        let p99 = h.quantile_ms(0.99).unwrap();
        assert!((50.0..=50.0 * 1.2).contains(&p50), "p50 {p50}");
        assert!((99.0..=99.0 * 1.2).contains(&p99), "p99 {p99}");
        assert_eq!(h.max_ms(), Some(100.0));
        h.add(1e12);
        assert!(h.quantile_ms(1.0).unwrap() > 1e5);
        h.add(f64::NAN);
        assert_eq!(h.max_ms(), Some(1e12));
    }

    #[test]
    fn health_is_kept_per_name_per_server_and_per_client() {
        use crate::stats::snapshot::test_record;
        use crate::time::Timestamp;
        let t = Timestamp(1_700_000_000_000_000_000);
        let mut s = Summary::new(10);
        let mut add = |server: &str, ja4: Option<&str>, outcome: &'static str, ms: Option<f64>| {
            let mut r = test_record(Some("a.example"), outcome, t, ms);
            r.server = server.into();
            r.ja4 = ja4.map(str::to_string);
            s.add(&r);
        };
        add(
            "192.0.2.1:443",
            Some("t13d_good"),
            "established",
            Some(10.0),
        );
        add(
            "192.0.2.1:443",
            Some("t13d_good"),
            "established",
            Some(30.0),
        );
        add("192.0.2.2:443", Some("t13d_good"), "reset", None);
        add("192.0.2.2:443", None, "no_syn_ack", None);
        let servers = s.server_rows();
        assert_eq!(servers[0].0, "192.0.2.2:443", "worst first");
        assert_eq!((servers[0].1.conns, servers[0].1.established), (2, 0));
        assert_eq!(servers[1].1.handshake.len(), 2);
        assert!(servers[1].1.handshake.max_ms().unwrap() >= 30.0);
        let clients = s.ja4_rows();
        assert_eq!(clients[0].0, NO_JA4);
        assert_eq!(clients[1].0, "t13d_good");
        assert_eq!(clients[1].1.top_failure(), Some(("reset", 1)));
        assert_eq!(s.sni_rows().len(), 1);
    }

    #[test]
    fn sni_values_keep_the_most_recent_last_and_are_bounded() {
        let mut v = Vec::new();
        for x in ["a", "b", "a", "c", "d", "e"] {
            remember(&mut v, x);
        }
        assert_eq!(v, ["a", "c", "d", "e"]);
        remember(&mut v, "c");
        assert_eq!(v.last().map(String::as_str), Some("c"));
        assert_eq!(v.len(), SNI_VALUES);
    }
}
