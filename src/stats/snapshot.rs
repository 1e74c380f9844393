//! What the dashboard shows, computed where the data is.
//!
//! An [`Aggregator`] lives in the analysis thread. It takes every finished [`SessionRecord`]
//! ([`Aggregator::add`]) and the capture counters ([`Aggregator::set_counters`]), keeps bounded
//! summaries, and on request builds a [`Snapshot`]: plain, cloneable data with no reference
//! into the aggregator, which is sent to the UI thread and rendered there (`tui`). The UI never
//! sees flows, tables or histograms, only the snapshot.
//!
//! Time is packet time throughout: outcomes are bucketed by the record's `ts_end` (when the
//! verdict became final), rates are measured against the `now` passed to
//! [`Aggregator::snapshot`] (the newest packet's capture timestamp), so `read --tui` at any
//! speed shows what `live` would have shown.
//!
//! Memory is bounded by the constants below, whatever the traffic: distinct keys per table
//! (overflow folded into "(other)"), per-SNI latency histograms (a fixed pool, handed to the
//! SNIs with the most connections), 120 one-second buckets, and two rings of recent sessions.
//! Records kept in the rings are shared with snapshots through `Arc` (they are immutable once
//! written), so a snapshot costs no record copies.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use hdrhistogram::{Counter, Histogram};

use crate::output::record::SessionRecord;
use crate::time::Timestamp;

/// Distinct keys kept per table (SNIs, versions, ALPN, ciphers, groups). Beyond this, counts go
/// to "(other)": a scan of random names must not grow memory without bound.
pub const MAX_TABLE_KEYS: usize = 10_000;
/// SNIs that carry their own latency histograms (two `Histogram<u32>` of ~13 KB each, so the
/// pool is at most ~27 MB). When the pool is full, an SNI with more connections than the
/// smallest holder takes that holder's histograms over, so the busiest SNIs always have them.
pub const MAX_SNI_LATENCY: usize = 1_000;
/// Seconds of outcome history (one bucket per second of packet time) for the sparkline.
pub const HISTORY_SECS: usize = 120;
/// Most recent sessions kept for the connection list and the detail view.
pub const RECENT_SESSIONS: usize = 200;
/// Most recent sessions that did not establish, for the problems feed.
pub const RECENT_PROBLEMS: usize = 100;
/// SNI rows in a snapshot (by connections), each with its latency histogram.
pub const TOP_SNIS: usize = 50;
/// Rows per protocol table (versions, ALPN, ciphers, groups) in a snapshot.
pub const TOP_TABLE_ROWS: usize = 8;
/// Packets/s and handshakes/s are averaged over this many seconds of packet time.
pub const RATE_WINDOW_SECS: i64 = 5;
/// Counter samples kept for the rates (older ones are pruned by time first).
const RATE_SAMPLES: usize = 256;
/// Latency histograms: 1 µs .. 1 h, in µs.
pub(crate) const HIST_MAX_US: u64 = 3_600_000_000;
/// Significant digits: 3 for the all-connections histograms (as the report), 2 (1 %) for the
/// per-SNI ones, which would otherwise cost ~94 KB each.
const HIST_DIGITS_ALL: u8 = 3;
const HIST_DIGITS_SNI: u8 = 2;

/// Upper edges (ms, exclusive) of the latency histogram's display buckets; one more bucket
/// holds everything at or above the last edge.
pub const LATENCY_EDGES_MS: [f64; 12] = [
    1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0,
];
/// Number of display buckets: one per edge plus the overflow bucket.
pub const LATENCY_BUCKETS: usize = LATENCY_EDGES_MS.len() + 1;

/// Every verdict a session record can carry, in display order (SPEC.md plus `no_client_hello`).
pub const OUTCOMES: [&str; 11] = [
    "established",
    "alert",
    "reset",
    "no_syn_ack",
    "refused",
    "no_server_hello",
    "client_aborted",
    "not_tls",
    "incomplete",
    "midstream",
    "no_client_hello",
];
/// Outcome slots: the known outcomes plus one for a value this build does not know.
pub const OUTCOME_SLOTS: usize = OUTCOMES.len() + 1;
/// Name of the last outcome slot.
pub const OTHER_OUTCOME: &str = "other";
/// The SNI key of connections without server_name.
pub const NO_SNI: &str = "(no SNI)";

/// Index of an outcome in [`OUTCOMES`]; unknown values go to the last slot.
pub fn outcome_slot(outcome: &str) -> usize {
    OUTCOMES
        .iter()
        .position(|o| *o == outcome)
        .unwrap_or(OUTCOMES.len())
}

/// Name of an outcome slot.
pub fn outcome_name(slot: usize) -> &'static str {
    OUTCOMES.get(slot).copied().unwrap_or(OTHER_OUTCOME)
}

/// Capture counters as the capture side sees them. All counts are cumulative since the start;
/// the timestamps are packet time (`first_ts`/`last_ts` of `CaptureStats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveCounters {
    /// Frames read from the interface or file.
    pub packets: u64,
    /// Bytes of those frames (captured length).
    pub bytes: u64,
    /// libpcap `ps_recv`: packets the kernel filter accepted (0 for files).
    pub kernel_received: u64,
    /// libpcap `ps_drop`: dropped by the kernel for lack of buffer space (0 for files).
    pub kernel_dropped: u64,
    /// libpcap `ps_ifdrop`: dropped by the interface or driver (0 for files).
    pub iface_dropped: u64,
    /// Dropped by tlscope because the analysis queue was full (live capture never blocks).
    pub queue_dropped: u64,
    /// Capture timestamp of the first packet counted.
    pub first_ts: Option<Timestamp>,
    /// Capture timestamp of the newest packet counted: the time of these counts, for the rates.
    pub last_ts: Option<Timestamp>,
}

impl LiveCounters {
    /// Every drop, whoever made it.
    pub fn drops(&self) -> u64 {
        self.kernel_dropped
            .saturating_add(self.iface_dropped)
            .saturating_add(self.queue_dropped)
    }
}

// ---------------------------------------------------------------------------------------------
// The snapshot: plain data for the UI.

/// Everything the dashboard shows, at one instant of packet time.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub header: Header,
    /// Sessions finished since the start.
    pub sessions: u64,
    /// Count per outcome since the start, one entry per slot of [`OUTCOMES`] plus "other"
    /// (zeros included, so the panel does not jump around).
    pub outcomes: Vec<OutcomeCount>,
    /// The last [`HISTORY_SECS`] seconds of packet time, oldest first, ending with the second
    /// of `header.now`; seconds before the capture started are zeros.
    pub history: Vec<HistoryPoint>,
    /// The busiest SNIs (at most [`TOP_SNIS`]), most connections first.
    pub top_snis: Vec<SniRow>,
    /// Distinct SNIs tracked (at most [`MAX_TABLE_KEYS`]).
    pub distinct_snis: usize,
    /// Connections whose SNI arrived after the SNI table was full.
    pub sni_other: u64,
    pub versions: TableRows,
    /// Negotiated ALPN where visible, else the client's first offer marked "(offered)".
    pub alpn: TableRows,
    pub ciphers: TableRows,
    pub groups: TableRows,
    pub pq: PqShare,
    pub transports: TransportShare,
    /// Latency over all connections.
    pub latency: LatencyView,
    /// Sessions finished since the start that did not establish.
    pub problem_sessions: u64,
    /// The newest sessions that did not establish (at most [`RECENT_PROBLEMS`]), newest first.
    pub problems: Vec<Arc<SessionRecord>>,
    /// The newest sessions (at most [`RECENT_SESSIONS`]), newest first, with every field.
    pub connections: Vec<Arc<SessionRecord>>,
}

#[derive(Clone, Debug, Default)]
pub struct Header {
    /// Interface or file name(s), as given to `snapshot`.
    pub source: String,
    /// BPF filter in use, as given to `snapshot` (empty: none).
    pub filter: String,
    /// Packet time of this snapshot.
    pub now: Timestamp,
    /// Packet time since the first packet, in seconds.
    pub uptime_secs: f64,
    pub packets_per_sec: f64,
    pub bytes_per_sec: f64,
    /// Sessions finished per second (any outcome).
    pub handshakes_per_sec: f64,
    pub counters: LiveCounters,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutcomeCount {
    pub outcome: &'static str,
    pub count: u64,
}

/// Sessions that finished in one second of packet time, per outcome slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HistoryPoint {
    /// Seconds since the Unix epoch (packet time).
    pub sec: i64,
    pub counts: [u32; OUTCOME_SLOTS],
}

impl HistoryPoint {
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| c as u64).sum()
    }

    pub fn established(&self) -> u64 {
        self.counts[0] as u64
    }

    /// Sessions that did not establish.
    pub fn failed(&self) -> u64 {
        self.total() - self.established()
    }
}

/// One line of the top-SNI table.
#[derive(Clone, Debug, Default)]
pub struct SniRow {
    pub sni: String,
    pub conns: u64,
    pub established: u64,
    /// established / conns, in percent.
    pub success_pct: f64,
    /// The most frequent problem name on this SNI's connections.
    pub top_problem: Option<&'static str>,
    /// Packet time of the newest connection (its `ts_end`).
    pub last_seen: Timestamp,
    /// Handshake and ServerHello latency; empty when this SNI holds no histogram (see
    /// [`MAX_SNI_LATENCY`]).
    pub latency: LatencyView,
}

/// Quantiles of one latency measure, in ms. `n == 0`: nothing measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Quantiles {
    pub n: u64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Latency of a set of connections.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LatencyView {
    /// ClientHello → handshake complete (`handshake_ms`).
    pub handshake: Quantiles,
    /// ClientHello → ServerHello (`server_hello_ms`).
    pub server_hello: Quantiles,
    /// SYN → SYN/ACK → ACK (`tcp_rtt_ms`); all connections only.
    pub tcp_rtt: Quantiles,
    /// `handshake_ms` counts per display bucket ([`LATENCY_EDGES_MS`]); empty if none.
    pub buckets: Vec<u64>,
}

/// A top-N table: the biggest rows, the rest folded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableRows {
    /// (key, count), largest first (ties by name).
    pub rows: Vec<(String, u64)>,
    /// Count not in `rows`: smaller keys and keys beyond [`MAX_TABLE_KEYS`].
    pub other: u64,
    pub total: u64,
}

/// Post-quantum key exchange.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PqShare {
    /// Sessions whose ClientHello offered a post-quantum hybrid group.
    pub offered: u64,
    /// Sessions with a ClientHello.
    pub with_client_hello: u64,
    /// Sessions that negotiated one.
    pub negotiated: u64,
    /// Sessions whose negotiated group is visible.
    pub with_group: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransportShare {
    pub tcp: u64,
    pub quic: u64,
}

// ---------------------------------------------------------------------------------------------
// The aggregator.

#[derive(Default)]
struct Table {
    counts: HashMap<String, u64>,
    /// Counts of keys that arrived after the table was full.
    overflow: u64,
    total: u64,
}

impl Table {
    fn add(&mut self, key: &str) {
        self.total += 1;
        if let Some(n) = self.counts.get_mut(key) {
            *n += 1;
        } else if self.counts.len() < MAX_TABLE_KEYS {
            self.counts.insert(key.to_string(), 1);
        } else {
            self.overflow += 1;
        }
    }

    fn rows(&self, n: usize) -> TableRows {
        let mut v: Vec<(&String, u64)> = self.counts.iter().map(|(k, c)| (k, *c)).collect();
        let by_count = |a: &(&String, u64), b: &(&String, u64)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
        if v.len() > n && n > 0 {
            v.select_nth_unstable_by(n - 1, by_count);
        }
        v.truncate(n);
        v.sort_by(by_count);
        let rows: Vec<(String, u64)> = v.into_iter().map(|(k, c)| (k.clone(), c)).collect();
        let shown: u64 = rows.iter().map(|r| r.1).sum();
        TableRows {
            rows,
            other: self.total - shown,
            total: self.total,
        }
    }
}

struct SniHealth {
    conns: u64,
    established: u64,
    /// (problem, count); at most one entry per problem name, so bounded by the names' list.
    problems: Vec<(&'static str, u64)>,
    last_seen: Timestamp,
    /// Index into `Aggregator::latency` when this SNI holds histograms.
    latency: Option<usize>,
}

struct SniLatency {
    owner: String,
    /// The owner's connection count, copied here so eviction scans one array.
    conns: u64,
    handshake: Histogram<u32>,
    server_hello: Histogram<u32>,
}

/// Sessions that finished in each second of packet time, in a ring indexed by second.
struct SecondRing {
    secs: Vec<i64>,
    counts: Vec<[u32; OUTCOME_SLOTS]>,
}

impl SecondRing {
    fn new() -> SecondRing {
        SecondRing {
            secs: vec![i64::MIN; HISTORY_SECS],
            counts: vec![[0; OUTCOME_SLOTS]; HISTORY_SECS],
        }
    }

    fn add(&mut self, sec: i64, slot: usize) {
        let i = sec.rem_euclid(HISTORY_SECS as i64) as usize;
        if self.secs[i] != sec {
            if sec < self.secs[i] {
                // More than HISTORY_SECS older than what is already here: off the chart.
                return;
            }
            self.secs[i] = sec;
            self.counts[i] = [0; OUTCOME_SLOTS];
        }
        self.counts[i][slot] = self.counts[i][slot].saturating_add(1);
    }

    fn get(&self, sec: i64) -> [u32; OUTCOME_SLOTS] {
        let i = sec.rem_euclid(HISTORY_SECS as i64) as usize;
        if self.secs[i] == sec {
            self.counts[i]
        } else {
            [0; OUTCOME_SLOTS]
        }
    }
}

/// Bounded summaries of everything seen, owned by the analysis thread.
pub struct Aggregator {
    sessions: u64,
    outcomes: [u64; OUTCOME_SLOTS],
    history: SecondRing,
    snis: HashMap<String, SniHealth>,
    sni_other: u64,
    latency: Vec<SniLatency>,
    versions: Table,
    alpn: Table,
    ciphers: Table,
    groups: Table,
    pq: PqShare,
    transports: TransportShare,
    handshake: Histogram<u64>,
    server_hello: Histogram<u64>,
    tcp_rtt: Histogram<u64>,
    problem_sessions: u64,
    recent: VecDeque<Arc<SessionRecord>>,
    recent_problems: VecDeque<Arc<SessionRecord>>,
    counters: LiveCounters,
    /// (packet time, packets, bytes) at each `set_counters`, oldest first.
    samples: VecDeque<(Timestamp, u64, u64)>,
    /// Earliest record start seen (uptime when no counters are set).
    first_record: Option<Timestamp>,
}

impl Default for Aggregator {
    fn default() -> Self {
        Aggregator::new()
    }
}

pub(crate) fn hist<T: Counter>(digits: u8) -> Histogram<T> {
    Histogram::new_with_bounds(1, HIST_MAX_US, digits).expect("static bounds are valid")
}

pub(crate) fn record_ms<T: Counter>(h: &mut Histogram<T>, ms: Option<f64>) {
    if let Some(ms) = ms.filter(|m| m.is_finite()) {
        h.saturating_record(((ms * 1000.0).round().max(0.0) as u64).clamp(1, HIST_MAX_US));
    }
}

pub(crate) fn quantiles<T: Counter>(h: &Histogram<T>) -> Quantiles {
    if h.is_empty() {
        return Quantiles::default();
    }
    let q = |p: f64| h.value_at_quantile(p) as f64 / 1000.0;
    Quantiles {
        n: h.len(),
        p50: q(0.5),
        p90: q(0.9),
        p99: q(0.99),
        max: h.max() as f64 / 1000.0,
    }
}

fn buckets<T: Counter>(h: &Histogram<T>) -> Vec<u64> {
    if h.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0u64; LATENCY_BUCKETS];
    for v in h.iter_recorded() {
        let ms = h.median_equivalent(v.value_iterated_to()) as f64 / 1000.0;
        let b = LATENCY_EDGES_MS
            .iter()
            .position(|&edge| ms < edge)
            .unwrap_or(LATENCY_EDGES_MS.len());
        out[b] += v.count_since_last_iteration();
    }
    out
}

pub(crate) fn is_pq_group(g: &str) -> bool {
    g.contains("MLKEM") || g.contains("Kyber")
}

impl Aggregator {
    pub fn new() -> Aggregator {
        Aggregator {
            sessions: 0,
            outcomes: [0; OUTCOME_SLOTS],
            history: SecondRing::new(),
            snis: HashMap::new(),
            sni_other: 0,
            latency: Vec::new(),
            versions: Table::default(),
            alpn: Table::default(),
            ciphers: Table::default(),
            groups: Table::default(),
            pq: PqShare::default(),
            transports: TransportShare::default(),
            handshake: hist(HIST_DIGITS_ALL),
            server_hello: hist(HIST_DIGITS_ALL),
            tcp_rtt: hist(HIST_DIGITS_ALL),
            problem_sessions: 0,
            recent: VecDeque::with_capacity(RECENT_SESSIONS),
            recent_problems: VecDeque::with_capacity(RECENT_PROBLEMS),
            counters: LiveCounters::default(),
            samples: VecDeque::new(),
            first_record: None,
        }
    }

    /// Take one finished session.
    pub fn add(&mut self, r: &SessionRecord) {
        self.sessions += 1;
        let slot = outcome_slot(r.outcome);
        self.outcomes[slot] += 1;
        let start = parse_rfc3339(&r.ts);
        let end = parse_rfc3339(&r.ts_end).or(start);
        if let Some(s) = start {
            self.first_record = Some(self.first_record.map_or(s, |f| f.min(s)));
        }
        if let Some(end) = end {
            self.history
                .add(end.nanos().div_euclid(1_000_000_000), slot);
        }
        let ok = r.outcome == "established";
        self.add_sni(r, ok, end.unwrap_or_default());

        if let Some(v) = &r.version {
            self.versions.add(v);
        }
        if let Some(a) = &r.alpn {
            self.alpn.add(a);
        } else if let Some(first) = r.alpn_offered.first() {
            self.alpn.add(&format!("{first} (offered)"));
        }
        if let Some(c) = &r.cipher {
            self.ciphers.add(c);
        }
        if let Some(g) = &r.group {
            self.groups.add(g);
            self.pq.with_group += 1;
            self.pq.negotiated += (r.pq_negotiated || is_pq_group(g)) as u64;
        }
        if !r.ciphers_offered.is_empty() {
            self.pq.with_client_hello += 1;
            self.pq.offered += r.pq_offered as u64;
        }
        if r.transport == "quic" {
            self.transports.quic += 1;
        } else {
            self.transports.tcp += 1;
        }
        record_ms(&mut self.handshake, r.handshake_ms);
        record_ms(&mut self.server_hello, r.server_hello_ms);
        record_ms(&mut self.tcp_rtt, r.tcp_rtt_ms);

        let rec = Arc::new(r.clone());
        if !ok {
            self.problem_sessions += 1;
            if self.recent_problems.len() == RECENT_PROBLEMS {
                self.recent_problems.pop_back();
            }
            self.recent_problems.push_front(Arc::clone(&rec));
        }
        if self.recent.len() == RECENT_SESSIONS {
            self.recent.pop_back();
        }
        self.recent.push_front(rec);
    }

    fn add_sni(&mut self, r: &SessionRecord, ok: bool, end: Timestamp) {
        let key = r.sni.as_deref().unwrap_or(NO_SNI);
        if !self.snis.contains_key(key) {
            if self.snis.len() >= MAX_TABLE_KEYS {
                self.sni_other += 1;
                return;
            }
            self.snis.insert(
                key.to_string(),
                SniHealth {
                    conns: 0,
                    established: 0,
                    problems: Vec::new(),
                    last_seen: end,
                    latency: None,
                },
            );
        }
        let h = self.snis.get_mut(key).expect("inserted above");
        h.conns += 1;
        h.established += ok as u64;
        h.last_seen = h.last_seen.max(end);
        for p in &r.problems {
            match h.problems.iter_mut().find(|(name, _)| name == p) {
                Some((_, n)) => *n += 1,
                None => h.problems.push((p, 1)),
            }
        }
        let conns = h.conns;
        let has_latency = r.handshake_ms.is_some() || r.server_hello_ms.is_some();
        let idx = match h.latency {
            Some(i) => Some(i),
            None if has_latency => self.claim_latency(key, conns),
            None => None,
        };
        if let Some(i) = idx {
            let l = &mut self.latency[i];
            l.conns = conns;
            record_ms(&mut l.handshake, r.handshake_ms);
            record_ms(&mut l.server_hello, r.server_hello_ms);
        }
    }

    /// Give `key` a latency slot: a new one while the pool has room, else the one of the SNI
    /// with the fewest connections if `key` now has more.
    fn claim_latency(&mut self, key: &str, conns: u64) -> Option<usize> {
        let i = if self.latency.len() < MAX_SNI_LATENCY {
            self.latency.push(SniLatency {
                owner: key.to_string(),
                conns,
                handshake: hist(HIST_DIGITS_SNI),
                server_hello: hist(HIST_DIGITS_SNI),
            });
            self.latency.len() - 1
        } else {
            let (i, min) = self
                .latency
                .iter()
                .enumerate()
                .min_by_key(|(_, l)| l.conns)
                .map(|(i, l)| (i, l.conns))?;
            if conns <= min {
                return None;
            }
            let l = &mut self.latency[i];
            let old = std::mem::replace(&mut l.owner, key.to_string());
            l.handshake.reset();
            l.server_hello.reset();
            if let Some(h) = self.snis.get_mut(&old) {
                h.latency = None;
            }
            i
        };
        self.snis.get_mut(key).expect("caller inserted it").latency = Some(i);
        Some(i)
    }

    /// Replace the capture counters (they are cumulative; call as often as convenient).
    pub fn set_counters(&mut self, c: LiveCounters) {
        self.counters = c;
        let Some(t) = c.last_ts else { return };
        if self.samples.is_empty()
            && let Some(first) = c.first_ts.filter(|&f| f < t)
        {
            // Nothing was counted before the first packet: a free baseline.
            self.samples.push_back((first, 0, 0));
        }
        match self.samples.back_mut() {
            Some(last) if last.0 >= t => {
                // Same instant (or a clock step back): keep the newest counts only.
                last.1 = c.packets;
                last.2 = c.bytes;
            }
            _ => self.samples.push_back((t, c.packets, c.bytes)),
        }
        // Keep exactly one sample at or before the window's start, as the baseline.
        let cut = t.nanos().saturating_sub(RATE_WINDOW_SECS * 1_000_000_000);
        while self.samples.len() > 2 && self.samples[1].0.nanos() <= cut {
            self.samples.pop_front();
        }
        while self.samples.len() > RATE_SAMPLES {
            self.samples.pop_front();
        }
    }

    /// Everything the dashboard shows, at packet time `now` (normally the newest packet's
    /// timestamp). `source` and `filter` are shown in the header as given.
    pub fn snapshot(&self, now: Timestamp, source: &str, filter: &str) -> Snapshot {
        let now_sec = now.nanos().div_euclid(1_000_000_000);
        let history: Vec<HistoryPoint> = (0..HISTORY_SECS as i64)
            .rev()
            .map(|back| {
                let sec = now_sec - back;
                HistoryPoint {
                    sec,
                    counts: self.history.get(sec),
                }
            })
            .collect();

        let first = self.counters.first_ts.or(self.first_record);
        let uptime_secs = first.map_or(0.0, |f| now.ms_since(f) / 1000.0);
        let (packets_per_sec, bytes_per_sec) = self.packet_rates(now);
        let handshakes_per_sec = self.session_rate(now, first);

        let outcomes = (0..OUTCOME_SLOTS)
            .map(|i| OutcomeCount {
                outcome: outcome_name(i),
                count: self.outcomes[i],
            })
            .collect();

        Snapshot {
            header: Header {
                source: source.to_string(),
                filter: filter.to_string(),
                now,
                uptime_secs,
                packets_per_sec,
                bytes_per_sec,
                handshakes_per_sec,
                counters: self.counters,
            },
            sessions: self.sessions,
            outcomes,
            history,
            top_snis: self.top_snis(TOP_SNIS),
            distinct_snis: self.snis.len(),
            sni_other: self.sni_other,
            versions: self.versions.rows(TOP_TABLE_ROWS),
            alpn: self.alpn.rows(TOP_TABLE_ROWS),
            ciphers: self.ciphers.rows(TOP_TABLE_ROWS),
            groups: self.groups.rows(TOP_TABLE_ROWS),
            pq: self.pq,
            transports: self.transports,
            latency: LatencyView {
                handshake: quantiles(&self.handshake),
                server_hello: quantiles(&self.server_hello),
                tcp_rtt: quantiles(&self.tcp_rtt),
                buckets: buckets(&self.handshake),
            },
            problem_sessions: self.problem_sessions,
            problems: self.recent_problems.iter().cloned().collect(),
            connections: self.recent.iter().cloned().collect(),
        }
    }

    /// (packets/s, bytes/s) from the newest counters back to the latest sample at or before
    /// `now - RATE_WINDOW_SECS` (or the oldest sample), so the rate decays when packets stop.
    fn packet_rates(&self, now: Timestamp) -> (f64, f64) {
        let Some(&(_, p, b)) = self.samples.back() else {
            return (0.0, 0.0);
        };
        let cut = now.nanos().saturating_sub(RATE_WINDOW_SECS * 1_000_000_000);
        let base = self
            .samples
            .iter()
            .rev()
            .find(|s| s.0.nanos() <= cut)
            .or(self.samples.front())
            .copied()
            .expect("not empty");
        let secs = now.ms_since(base.0) / 1000.0;
        if secs <= 0.0 {
            return (0.0, 0.0);
        }
        (
            p.saturating_sub(base.1) as f64 / secs,
            b.saturating_sub(base.2) as f64 / secs,
        )
    }

    /// Sessions finished per second over the last `RATE_WINDOW_SECS` (whole seconds, the
    /// current one included up to `now`), or since the first packet if that is more recent.
    fn session_rate(&self, now: Timestamp, first: Option<Timestamp>) -> f64 {
        let now_sec = now.nanos().div_euclid(1_000_000_000);
        let from_sec = now_sec - RATE_WINDOW_SECS + 1;
        let mut start = Timestamp::from_secs_nanos(from_sec, 0);
        if let Some(f) = first {
            start = start.max(f);
        }
        let n: u64 = (from_sec..=now_sec)
            .map(|s| self.history.get(s).iter().map(|&c| c as u64).sum::<u64>())
            .sum();
        // At least one second: a handful of sessions in the first milliseconds is not a storm.
        let secs = (now.ms_since(start) / 1000.0).max(1.0);
        n as f64 / secs
    }

    fn top_snis(&self, n: usize) -> Vec<SniRow> {
        let mut v: Vec<(&String, &SniHealth)> = self.snis.iter().collect();
        let order = |a: &(&String, &SniHealth), b: &(&String, &SniHealth)| {
            b.1.conns.cmp(&a.1.conns).then(a.0.cmp(b.0))
        };
        if v.len() > n && n > 0 {
            v.select_nth_unstable_by(n - 1, order);
        }
        v.truncate(n);
        v.sort_by(order);
        v.into_iter()
            .map(|(name, h)| {
                let top_problem = h
                    .problems
                    .iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                    .map(|(p, _)| *p);
                let latency = h.latency.map_or_else(LatencyView::default, |i| {
                    let l = &self.latency[i];
                    LatencyView {
                        handshake: quantiles(&l.handshake),
                        server_hello: quantiles(&l.server_hello),
                        tcp_rtt: Quantiles::default(),
                        buckets: buckets(&l.handshake),
                    }
                });
                SniRow {
                    sni: name.clone(),
                    conns: h.conns,
                    established: h.established,
                    success_pct: 100.0 * h.established as f64 / h.conns.max(1) as f64,
                    top_problem,
                    last_seen: h.last_seen,
                    latency,
                }
            })
            .collect()
    }
}

/// Parse the record timestamps tlscope writes (`2024-01-31T12:00:00.123456Z`; any number of
/// fraction digits, or none). `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.splitn(3, '-');
    let (y, m, day): (i64, u32, u32) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let (hms, frac) = match time.split_once('.') {
        Some((a, b)) => (a, b),
        None => (time, ""),
    };
    let mut t = hms.splitn(3, ':');
    let (hh, mm, ss): (i64, i64, i64) = (
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32)
    };
    let secs = days_from_civil(y, m, day) * 86_400 + hh * 3600 + mm * 60 + ss;
    Some(Timestamp::from_secs_nanos(secs, nanos))
}

/// (year, month, day) to days since 1970-01-01, proleptic Gregorian (Howard Hinnant's
/// `days_from_civil`, the inverse of `time`'s `civil_from_days`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A session record with every field empty, for tests here and in `tui`.
#[cfg(test)]
pub(crate) fn test_record(
    sni: Option<&str>,
    outcome: &'static str,
    end: Timestamp,
    handshake_ms: Option<f64>,
) -> SessionRecord {
    let start = Timestamp(end.nanos() - 50_000_000);
    SessionRecord {
        kind: "session",
        ts: start.rfc3339(),
        ts_end: end.rfc3339(),
        transport: "tcp",
        quic_version: None,
        client: "192.0.2.10:50000".into(),
        server: "198.51.100.7:443".into(),
        outcome,
        detail: format!("test {outcome}"),
        confidence: "high",
        sni: sni.map(str::to_string),
        alpn_offered: vec!["h2".into(), "http/1.1".into()],
        alpn: None,
        versions_offered: vec!["TLSv1.3".into(), "TLSv1.2".into()],
        version: (outcome == "established").then(|| "TLSv1.3".into()),
        cipher: (outcome == "established").then(|| "TLS_AES_128_GCM_SHA256".into()),
        group: (outcome == "established").then(|| "x25519".into()),
        ja3: None,
        ja3s: None,
        ja4: None,
        ja3_string: None,
        ja3s_string: None,
        ja4_r: None,
        resumed: false,
        hrr: false,
        ech: false,
        alert: None,
        cert: None,
        client_cert: None,
        alerts: Vec::new(),
        ciphers_offered: vec!["TLS_AES_128_GCM_SHA256".into()],
        extensions_offered: Vec::new(),
        groups_offered: vec!["x25519".into()],
        key_shares_offered: vec!["x25519".into()],
        sig_algs_offered: Vec::new(),
        psk_modes: Vec::new(),
        compression_offered: Vec::new(),
        extensions_server: Vec::new(),
        pq_offered: false,
        pq_negotiated: false,
        tcp_rtt_ms: Some(10.0),
        capture_point: Some("client"),
        rtt_client_ms: Some(0.1),
        rtt_server_ms: Some(9.9),
        server_think_ms: handshake_ms.map(|h| h / 2.0 - 9.9),
        server_hello_ms: handshake_ms.map(|h| h / 2.0),
        handshake_ms,
        client_hello_bytes: Some(512),
        client_hello_segments: Some(1),
        bytes_client: 1000,
        bytes_server: 5000,
        problems: Vec::new(),
        version_raw: (outcome == "established").then_some(0x0304),
        ssl_history: Some("CsiI".into()),
        handshake_completed: Some(outcome == "established"),
        span_ns: (start.nanos(), end.nanos()),
        timeline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000;

    fn at(secs: i64, ms: i64) -> Timestamp {
        Timestamp::from_secs_nanos(T0 + secs, (ms * 1_000_000) as u32)
    }

    fn rec(sni: &str, outcome: &'static str, secs: i64, hs: Option<f64>) -> SessionRecord {
        test_record(Some(sni), outcome, at(secs, 0), hs)
    }

    #[test]
    fn parses_what_timestamp_prints() {
        for t in [
            Timestamp(0),
            Timestamp::from_secs_nanos(1_709_251_199, 123_456_000),
            Timestamp::from_secs_nanos(951_782_400, 0),
            Timestamp::from_secs_nanos(-1, 500_000_000),
            Timestamp::from_secs_nanos(4_102_444_800, 999_999_000),
        ] {
            assert_eq!(parse_rfc3339(&t.rfc3339()), Some(t), "{t}");
        }
        assert_eq!(
            parse_rfc3339("2024-01-31T12:00:00Z"),
            Some(Timestamp::from_secs_nanos(1_706_702_400, 0))
        );
        assert_eq!(
            parse_rfc3339("2024-01-31T12:00:00.5Z"),
            Some(Timestamp::from_secs_nanos(1_706_702_400, 500_000_000))
        );
        for bad in [
            "",
            "2024-01-31",
            "2024-01-31T12:00:00",
            "2024-13-01T00:00:00Z",
            "2024-01-31T12:00:00.x1Z",
            "2024-01-31T12:00:00.1234567890Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn empty_aggregator_snapshot() {
        let a = Aggregator::new();
        let s = a.snapshot(at(0, 0), "eth0", "tcp port 443");
        assert_eq!(s.sessions, 0);
        assert_eq!(s.header.source, "eth0");
        assert_eq!(s.header.filter, "tcp port 443");
        assert_eq!(s.outcomes.len(), OUTCOME_SLOTS);
        assert!(s.outcomes.iter().all(|o| o.count == 0));
        assert_eq!(s.history.len(), HISTORY_SECS);
        assert!(s.top_snis.is_empty() && s.connections.is_empty() && s.problems.is_empty());
        assert!(s.latency.buckets.is_empty());
        assert_eq!(s.latency.handshake.n, 0);
        assert_eq!(s.header.packets_per_sec, 0.0);
        assert_eq!(s.header.handshakes_per_sec, 0.0);
    }

    #[test]
    fn counts_outcomes_snis_tables_and_rings() {
        let mut a = Aggregator::new();
        for i in 0..10 {
            a.add(&rec("a.example", "established", i, Some(20.0 + i as f64)));
        }
        let mut bad = rec("a.example", "alert", 10, None);
        bad.problems = vec!["untrusted_issuer"];
        a.add(&bad);
        let mut r = rec("b.example", "no_server_hello", 11, None);
        r.problems = vec!["server_silent_after_client_hello"];
        a.add(&r);
        let mut q = rec("b.example", "established", 11, Some(300.0));
        q.transport = "quic";
        q.alpn = Some("h3".into());
        q.group = Some("X25519MLKEM768".into());
        q.pq_offered = true;
        q.pq_negotiated = true;
        a.add(&q);
        a.add(&test_record(None, "no_syn_ack", at(12, 0), None));

        let s = a.snapshot(at(12, 500), "f.pcap", "");
        assert_eq!(s.sessions, 14);
        let count = |o: &str| s.outcomes.iter().find(|c| c.outcome == o).unwrap().count;
        assert_eq!(count("established"), 11);
        assert_eq!(count("alert"), 1);
        assert_eq!(count("no_server_hello"), 1);
        assert_eq!(count("no_syn_ack"), 1);
        assert_eq!(count(OTHER_OUTCOME), 0);

        assert_eq!(s.top_snis.len(), 3);
        let top = &s.top_snis[0];
        assert_eq!(top.sni, "a.example");
        assert_eq!((top.conns, top.established), (11, 10));
        assert!((top.success_pct - 100.0 * 10.0 / 11.0).abs() < 1e-9);
        assert_eq!(top.top_problem, Some("untrusted_issuer"));
        assert_eq!(top.latency.handshake.n, 10);
        // 20..29 ms at 1 % resolution.
        assert!(
            (top.latency.handshake.p50 - 24.0).abs() < 0.5,
            "{:?}",
            top.latency
        );
        assert!((top.latency.handshake.max - 29.0).abs() < 0.5);
        assert_eq!(top.latency.buckets.iter().sum::<u64>(), 10);
        assert_eq!(top.latency.buckets[5], 10, "20-50 ms bucket");
        assert_eq!(top.last_seen, at(10, 0));
        let b = &s.top_snis[1];
        assert_eq!(b.sni, "b.example");
        assert_eq!(b.top_problem, Some("server_silent_after_client_hello"));
        assert_eq!(s.top_snis[2].sni, NO_SNI);
        assert_eq!(s.top_snis[2].latency, LatencyView::default());

        assert_eq!(s.versions.rows, vec![("TLSv1.3".to_string(), 11)]);
        assert_eq!(s.alpn.total, 14);
        assert_eq!(s.alpn.rows[0], ("h2 (offered)".to_string(), 13));
        assert_eq!(s.alpn.rows[1], ("h3".to_string(), 1));
        assert_eq!(s.groups.total, 11);
        assert_eq!(s.pq.negotiated, 1);
        assert_eq!(s.pq.with_group, 11);
        assert_eq!(s.pq.offered, 1);
        assert_eq!(s.pq.with_client_hello, 14);
        assert_eq!(s.transports, TransportShare { tcp: 13, quic: 1 });

        assert_eq!(s.latency.handshake.n, 11);
        assert_eq!(s.latency.tcp_rtt.n, 14);
        assert!((s.latency.handshake.max - 300.0).abs() < 0.5);
        assert_eq!(s.latency.buckets.iter().sum::<u64>(), 11);
        assert_eq!(s.latency.buckets[8], 1, "200-500 ms bucket");

        assert_eq!(s.problem_sessions, 3);
        assert_eq!(s.problems.len(), 3);
        assert_eq!(s.problems[0].outcome, "no_syn_ack", "newest first");
        assert_eq!(s.connections.len(), 14);
        assert_eq!(s.connections[0].sni, None);
        assert_eq!(s.connections[13].sni.as_deref(), Some("a.example"));

        // History ends at `now`'s second; each record is in its ts_end second.
        let last = s.history.last().unwrap();
        assert_eq!(last.sec, T0 + 12);
        assert_eq!(last.total(), 1);
        assert_eq!(last.failed(), 1);
        let p11 = &s.history[HISTORY_SECS - 2];
        assert_eq!((p11.established(), p11.failed()), (1, 1));
        assert_eq!(s.history.iter().map(|p| p.total()).sum::<u64>(), 14);
    }

    #[test]
    fn unknown_outcome_goes_to_other() {
        let mut a = Aggregator::new();
        a.add(&rec("x", "something_new", 0, None));
        let s = a.snapshot(at(0, 0), "", "");
        assert_eq!(s.outcomes.last().unwrap().outcome, OTHER_OUTCOME);
        assert_eq!(s.outcomes.last().unwrap().count, 1);
        assert_eq!(s.problem_sessions, 1);
    }

    #[test]
    fn rings_and_tables_are_bounded() {
        let mut a = Aggregator::new();
        let n = MAX_TABLE_KEYS + 50;
        for i in 0..n {
            let mut r = rec(&format!("h{i}.example"), "reset", 0, None);
            r.cipher = Some(format!("C{i}"));
            a.add(&r);
        }
        let s = a.snapshot(at(1, 0), "", "");
        assert_eq!(s.distinct_snis, MAX_TABLE_KEYS);
        assert_eq!(s.sni_other, 50);
        assert_eq!(s.top_snis.len(), TOP_SNIS);
        assert_eq!(s.connections.len(), RECENT_SESSIONS);
        assert_eq!(s.problems.len(), RECENT_PROBLEMS);
        assert_eq!(s.ciphers.rows.len(), TOP_TABLE_ROWS);
        assert_eq!(s.ciphers.total, n as u64);
        assert_eq!(s.ciphers.other, (n - TOP_TABLE_ROWS) as u64);
        assert_eq!(s.connections[0].sni.as_deref(), Some("h10049.example"));
        assert!(a.latency.is_empty(), "no latency measured, no histogram");
    }

    #[test]
    fn latency_pool_goes_to_the_busiest_snis() {
        let mut a = Aggregator::new();
        for i in 0..MAX_SNI_LATENCY {
            a.add(&rec(&format!("tail{i}"), "established", 0, Some(5.0)));
        }
        assert_eq!(a.latency.len(), MAX_SNI_LATENCY);
        // A newcomer with one connection does not evict anyone with one connection...
        a.add(&rec("busy", "established", 1, Some(100.0)));
        assert!(a.snis["busy"].latency.is_none());
        // ...but takes a slot over once it has more.
        a.add(&rec("busy", "established", 2, Some(100.0)));
        assert!(a.snis["busy"].latency.is_some());
        assert_eq!(a.latency.len(), MAX_SNI_LATENCY);
        let holders = a.snis.values().filter(|h| h.latency.is_some()).count();
        assert_eq!(holders, MAX_SNI_LATENCY);
        let s = a.snapshot(at(3, 0), "", "");
        assert_eq!(s.top_snis[0].sni, "busy");
        // Only the sample after the takeover is in its histogram.
        assert_eq!(s.top_snis[0].latency.handshake.n, 1);
        assert!((s.top_snis[0].latency.handshake.p99 - 100.0).abs() < 1.0);
    }

    #[test]
    fn history_keeps_the_last_window_in_packet_time() {
        let mut a = Aggregator::new();
        a.add(&rec("x", "established", 0, Some(1.0)));
        a.add(&rec("x", "reset", 200, None));
        // Older than what the ring already holds for that slot: ignored, not mixed in.
        a.add(&rec("x", "alert", 200 - HISTORY_SECS as i64, None));
        let s = a.snapshot(at(200, 0), "", "");
        assert_eq!(s.history.iter().map(|p| p.total()).sum::<u64>(), 1);
        assert_eq!(s.history.last().unwrap().counts[outcome_slot("reset")], 1);
        assert_eq!(s.history[0].sec, T0 + 200 - HISTORY_SECS as i64 + 1);
        // Totals still count everything.
        assert_eq!(s.sessions, 3);
    }

    #[test]
    fn rates_follow_packet_time() {
        let mut a = Aggregator::new();
        let c = |packets, t: Timestamp| LiveCounters {
            packets,
            bytes: packets * 100,
            first_ts: Some(at(0, 0)),
            last_ts: Some(t),
            ..LiveCounters::default()
        };
        a.set_counters(c(100, at(1, 0)));
        let s = a.snapshot(at(1, 0), "", "");
        assert!((s.header.packets_per_sec - 100.0).abs() < 1e-9);
        assert!((s.header.bytes_per_sec - 10_000.0).abs() < 1e-9);
        assert!((s.header.uptime_secs - 1.0).abs() < 1e-9);
        for t in 2..=20 {
            a.set_counters(c(100 * t as u64, at(t, 0)));
        }
        let s = a.snapshot(at(20, 0), "", "");
        assert!((s.header.packets_per_sec - 100.0).abs() < 1e-9);
        assert!(a.samples.len() <= RATE_WINDOW_SECS as usize + 2);
        // Packets stop, packet time goes on: the rate decays.
        let s = a.snapshot(at(40, 0), "", "");
        assert_eq!(s.header.packets_per_sec, 0.0);
        // Counters are shown as given.
        assert_eq!(s.header.counters.packets, 2000);
        let d = LiveCounters {
            kernel_dropped: 1,
            iface_dropped: 2,
            queue_dropped: 3,
            ..LiveCounters::default()
        };
        assert_eq!(d.drops(), 6);
    }

    #[test]
    fn handshake_rate_over_the_window() {
        let mut a = Aggregator::new();
        a.set_counters(LiveCounters {
            first_ts: Some(at(0, 0)),
            last_ts: Some(at(0, 0)),
            ..LiveCounters::default()
        });
        for s in 0..10 {
            for _ in 0..4 {
                a.add(&rec("x", "established", s, Some(1.0)));
            }
        }
        // Window = seconds 5..=9, measured up to 9.999 s.
        let s = a.snapshot(at(9, 999), "", "");
        assert!((s.header.handshakes_per_sec - 20.0 / 4.999).abs() < 1e-6);
        // Right after the start: divided by at least one second.
        let mut b = Aggregator::new();
        b.add(&rec("x", "established", 0, Some(1.0)));
        let s = b.snapshot(at(0, 1), "", "");
        assert!((s.header.handshakes_per_sec - 1.0).abs() < 1e-9);
    }

    #[test]
    fn snapshot_shares_records_without_copying() {
        let mut a = Aggregator::new();
        a.add(&rec("x", "alert", 0, None));
        let s1 = a.snapshot(at(0, 0), "", "");
        let s2 = a.snapshot(at(0, 0), "", "");
        assert!(Arc::ptr_eq(&s1.connections[0], &s2.connections[0]));
        assert!(Arc::ptr_eq(&s1.connections[0], &s1.problems[0]));
    }

    #[test]
    fn per_sni_histogram_size() {
        // The pool bound in MAX_SNI_LATENCY's comment: two of these per SNI.
        let h: Histogram<u32> = hist(HIST_DIGITS_SNI);
        let bytes = h.distinct_values() * std::mem::size_of::<u32>();
        assert!(bytes < 14_000, "{bytes}");
    }
}
