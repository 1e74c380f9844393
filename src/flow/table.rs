//! The flow table: a bounded map from 5-tuple to connection, driven by packet time.
//!
//! - Which flows are analysed: TCP with port 443 on either side, and TCP flows on any other port
//!   whose first payload is a ClientHello (decided on that payload; flows that turn out not to be
//!   TLS are remembered as ignored so their packets cost one lookup). UDP is counted only (QUIC
//!   analysis is a later addition).
//! - Expiry runs on packet time: closed flows are written after `CLOSED_LINGER_SECS`, idle ones
//!   after the idle timeout, scanned every `EXPIRY_SCAN_INTERVAL_SECS` (O(flows) per scan).
//! - When full, the least recently active eighth is evicted (O(flows) per eviction round,
//!   so O(1) amortised per new flow): evicted analysed flows are written with the `evicted`
//!   problem, and counted.

use std::collections::HashMap;

use serde::Serialize;

use crate::flow::conn::{Class, Connection};
use crate::flow::correlate::Correlator;
use crate::flow::quic::{QuicConn, quic_record};
use crate::flow::verdict::{EndReason, session_record};
use crate::flow::{FlowKey, PROTO_TCP, PROTO_UDP, Segment, TLS_PORT};
use crate::limits;
use crate::output::record::SessionRecord;
use crate::quic::looks_like_quic_initial;
use crate::time::Timestamp;

#[derive(Clone, Copy, Debug)]
pub struct FlowConfig {
    pub max_flows: usize,
    pub handshake_bytes: usize,
    pub idle_timeout_secs: u64,
    /// Keep a per-packet timeline of every TCP connection (`--timeline`; costs memory while
    /// handshakes are open).
    pub timeline: bool,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            max_flows: limits::DEFAULT_MAX_FLOWS,
            handshake_bytes: limits::DEFAULT_MAX_HANDSHAKE_BYTES,
            idle_timeout_secs: limits::DEFAULT_IDLE_TIMEOUT_SECS,
            timeline: false,
        }
    }
}

/// Flow-level counters. They only grow.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FlowCounters {
    pub tcp_segments: u64,
    /// Datagrams of analysed UDP flows (QUIC).
    pub udp_datagrams: u64,
    /// UDP datagrams off port 443 that do not start a QUIC connection (no state kept).
    pub udp_datagrams_not_analysed: u64,
    pub flows_created: u64,
    pub flows_peak: u64,
    pub flows_closed: u64,
    pub flows_idle_expired: u64,
    pub flows_evicted: u64,
    pub flows_reused: u64,
    /// Non-443 flows whose first payloads held no ClientHello (no record written).
    pub flows_ignored: u64,
    pub sessions_written: u64,
    pub out_of_order_segments: u64,
    pub retransmitted_segments: u64,
    pub overlap_conflicts: u64,
    pub capture_gap_bytes: u64,
    pub pending_segment_overflow: u64,
    pub handshake_budget_exceeded: u64,
    pub snaplen_truncated_payloads: u64,
    pub not_tls_streams: u64,
    pub malformed_tls_streams: u64,
    pub hello_parse_errors: u64,
    pub malformed_extensions: u64,
    pub oversized_handshake_messages: u64,
    /// Payloads the capture side left out (bypass of decided flows) that reached a flow whose
    /// handshake was not decided: a 5-tuple reused without a SYN. Expected 0.
    pub bypass_misses: u64,
}

impl FlowCounters {
    /// Adds another table's counters (sharded analysis). `flows_peak` becomes the sum of the
    /// shards' peaks: an upper bound of the flows open at once.
    pub fn merge(&mut self, o: &FlowCounters) {
        let FlowCounters {
            tcp_segments,
            udp_datagrams,
            udp_datagrams_not_analysed,
            flows_created,
            flows_peak,
            flows_closed,
            flows_idle_expired,
            flows_evicted,
            flows_reused,
            flows_ignored,
            sessions_written,
            out_of_order_segments,
            retransmitted_segments,
            overlap_conflicts,
            capture_gap_bytes,
            pending_segment_overflow,
            handshake_budget_exceeded,
            snaplen_truncated_payloads,
            not_tls_streams,
            malformed_tls_streams,
            hello_parse_errors,
            malformed_extensions,
            oversized_handshake_messages,
            bypass_misses,
        } = o;
        self.tcp_segments += tcp_segments;
        self.udp_datagrams += udp_datagrams;
        self.udp_datagrams_not_analysed += udp_datagrams_not_analysed;
        self.flows_created += flows_created;
        self.flows_peak += flows_peak;
        self.flows_closed += flows_closed;
        self.flows_idle_expired += flows_idle_expired;
        self.flows_evicted += flows_evicted;
        self.flows_reused += flows_reused;
        self.flows_ignored += flows_ignored;
        self.sessions_written += sessions_written;
        self.out_of_order_segments += out_of_order_segments;
        self.retransmitted_segments += retransmitted_segments;
        self.overlap_conflicts += overlap_conflicts;
        self.capture_gap_bytes += capture_gap_bytes;
        self.pending_segment_overflow += pending_segment_overflow;
        self.handshake_budget_exceeded += handshake_budget_exceeded;
        self.snaplen_truncated_payloads += snaplen_truncated_payloads;
        self.not_tls_streams += not_tls_streams;
        self.malformed_tls_streams += malformed_tls_streams;
        self.hello_parse_errors += hello_parse_errors;
        self.malformed_extensions += malformed_extensions;
        self.oversized_handshake_messages += oversized_handshake_messages;
        self.bypass_misses += bypass_misses;
    }
}

/// When expiry scans run: every `EXPIRY_SCAN_INTERVAL_SECS` of packet time. One rule for the
/// table's own scans and for a dispatcher that drives the scans of sharded tables, so that
/// both write the same records at the same points of the input.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScanClock {
    next: Option<Timestamp>,
}

impl ScanClock {
    /// Whether a scan is due now that packet time reached `now`.
    pub fn due(&mut self, now: Timestamp) -> bool {
        let later = now.saturating_add_secs(limits::EXPIRY_SCAN_INTERVAL_SECS);
        match self.next {
            None => {
                self.next = Some(later);
                false
            }
            Some(t) if now >= t => {
                self.next = Some(later);
                true
            }
            _ => false,
        }
    }
}

/// Where a record was written in the course of the input: while handling the input's segment
/// number `seg` (`u64::MAX` at its end), in the expiry scan before it (`phase` 0) or in the
/// segment's own handling (1); then by connection start and flow key. Records of sharded
/// tables merged in this order come out exactly as one table writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrderKey {
    pub seg: u64,
    pub phase: u8,
    pub first_ts: Timestamp,
    pub key: FlowKey,
}

/// QUIC connection IDs and moved 5-tuples remembered to follow address changes (entries).
/// Past this, new ones are not followed (they become connections of their own).
const MAX_TRACKED_CIDS: usize = 65_536;

/// Decided flows remembered between two `take_decided` calls (keys); more are not offered to
/// the bypass (their payloads are copied as before).
const MAX_DECIDED_KEYS: usize = 65_536;

/// Flows written per batch at end of input (flows).
const FINISH_BATCH: usize = 4096;

/// A tracked flow: a TCP connection or a QUIC connection on UDP.
#[derive(Debug)]
enum Flow {
    Tcp(Box<Connection>),
    Quic(Box<QuicConn>),
}

impl Flow {
    fn first_ts(&self) -> Timestamp {
        match self {
            Flow::Tcp(c) => c.first_ts,
            Flow::Quic(q) => q.first_ts,
        }
    }

    fn last_ts(&self) -> Timestamp {
        match self {
            Flow::Tcp(c) => c.last_ts,
            Flow::Quic(q) => q.last_ts,
        }
    }

    /// FIN/FIN or RST (TCP); QUIC closes are encrypted, so QUIC flows end by idle time.
    fn closed_at(&self) -> Option<Timestamp> {
        match self {
            Flow::Tcp(c) => c.closed_at,
            Flow::Quic(_) => None,
        }
    }

    fn set_evicted(&mut self) {
        match self {
            Flow::Tcp(c) => c.evicted = true,
            Flow::Quic(q) => q.evicted = true,
        }
    }
}

/// The flow maps' hasher (see Cargo.toml: foldhash, seeded per process).
type FlowHasher = foldhash::quality::RandomState;

pub struct FlowTable {
    cfg: FlowConfig,
    map: HashMap<FlowKey, Flow, FlowHasher>,
    pub counters: FlowCounters,
    now: Timestamp,
    scans: ScanClock,
    /// Scans run by the table itself (false: driven from outside with `scan_at`).
    self_scan: bool,
    /// Position in the input for `OrderKey`: the segment being handled, and the phase.
    cursor: u64,
    phase: u8,
    out: Vec<(OrderKey, SessionRecord)>,
    /// Cross-flow findings applied here (false: applied by whoever merges sharded tables).
    correlator: Option<Correlator>,
    /// TCP flows whose handshake became decided since `take_decided`: the capture side may
    /// stop copying their payloads.
    decided_keys: Vec<FlowKey>,
    /// Server-chosen QUIC connection IDs → their connection, to follow a client whose address
    /// changes; and the 5-tuples found that way.
    quic_cids: HashMap<Vec<u8>, FlowKey, FlowHasher>,
    cid_lens: [bool; 21],
    quic_aliases: HashMap<FlowKey, FlowKey, FlowHasher>,
}

impl FlowTable {
    pub fn new(cfg: FlowConfig) -> FlowTable {
        FlowTable {
            cfg,
            map: HashMap::default(),
            counters: FlowCounters::default(),
            now: Timestamp::ZERO,
            scans: ScanClock::default(),
            self_scan: true,
            cursor: 0,
            phase: 1,
            out: Vec::new(),
            correlator: Some(Correlator::default()),
            decided_keys: Vec::new(),
            quic_cids: HashMap::default(),
            cid_lens: [false; 21],
            quic_aliases: HashMap::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn config(&self) -> &FlowConfig {
        &self.cfg
    }

    /// Latest packet time seen.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Session records finished since the last call.
    fn order_key(&self, first_ts: Timestamp, key: FlowKey) -> OrderKey {
        OrderKey {
            seg: self.cursor,
            phase: self.phase,
            first_ts,
            key,
        }
    }

    fn new_connection(&self, key: FlowKey, side: usize, ts: Timestamp, class: Class) -> Connection {
        let mut conn = Connection::new(key, side, ts, class, self.cfg.handshake_bytes);
        if self.cfg.timeline {
            conn.enable_timeline();
        }
        conn
    }

    pub fn take_records(&mut self) -> Vec<SessionRecord> {
        std::mem::take(&mut self.out)
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    }

    /// TCP flows decided since the last call (for the capture side's bypass).
    pub fn take_decided(&mut self) -> Vec<FlowKey> {
        std::mem::take(&mut self.decided_keys)
    }

    /// Session records finished since the last call, with where in the input each was written.
    pub fn take_ordered(&mut self) -> Vec<(OrderKey, SessionRecord)> {
        std::mem::take(&mut self.out)
    }

    /// A shard of a sharded analysis: expiry scans come from outside (`scan_at`), cross-flow
    /// findings are left to the merge, and records carry the input position set by
    /// `set_cursor`.
    pub fn into_shard(mut self) -> FlowTable {
        self.self_scan = false;
        self.correlator = None;
        self
    }

    /// The index of the input segment about to be handled (for `OrderKey`).
    pub fn set_cursor(&mut self, seg: u64) {
        self.cursor = seg;
    }

    /// An expiry scan at packet time `now`, decided by a dispatcher's `ScanClock`.
    pub fn scan_at(&mut self, now: Timestamp) {
        if now > self.now {
            self.now = now;
        }
        self.phase = 0;
        self.expire();
        self.phase = 1;
    }

    /// Moves packet time to `now` without a scan (a shard learning where the input ended).
    pub fn set_now(&mut self, now: Timestamp) {
        if now > self.now {
            self.now = now;
        }
    }

    /// Moves packet time forward without a packet (live capture in a quiet moment), so that
    /// idle and closed flows are still written.
    pub fn advance(&mut self, now: Timestamp) {
        if now > self.now {
            self.now = now;
        }
        self.maybe_scan();
    }

    pub fn on_segment(&mut self, seg: &Segment<'_>) {
        if seg.ts > self.now {
            self.now = seg.ts;
        }
        self.maybe_scan();
        match seg.proto {
            PROTO_TCP => self.on_tcp(seg),
            PROTO_UDP => self.on_udp(seg),
            _ => {}
        }
    }

    /// Inserts a new flow, making room first when the table is full.
    fn insert(&mut self, key: FlowKey, flow: Flow) {
        if self.map.len() >= self.cfg.max_flows {
            self.make_room();
        }
        self.counters.flows_created += 1;
        self.map.insert(key, flow);
        self.counters.flows_peak = self.counters.flows_peak.max(self.map.len() as u64);
    }

    fn on_tcp(&mut self, seg: &Segment<'_>) {
        self.counters.tcp_segments += 1;
        let (key, side) = FlowKey::new(seg.src, seg.dst, seg.proto);
        let on_443 = key.lo.port == TLS_PORT || key.hi.port == TLS_PORT;
        let class = if on_443 {
            Class::Analysed
        } else {
            Class::Candidate
        };
        if !self.map.contains_key(&key) {
            let conn = self.new_connection(key, side, seg.ts, class);
            self.insert(key, Flow::Tcp(Box::new(conn)));
        }
        let Some(Flow::Tcp(conn)) = self.map.get_mut(&key) else {
            return;
        };
        if conn.class == Class::Candidate {
            conn.classify_candidate(seg, side, self.cfg.handshake_bytes);
            if conn.class == Class::Ignored {
                self.counters.flows_ignored += 1;
            }
        }
        if conn.class == Class::Ignored {
            conn.last_ts = conn.last_ts.max(seg.ts);
            return;
        }
        let was_decided = conn.decided;
        let reused = conn.on_tcp(seg, side);
        if conn.decided && !was_decided && self.decided_keys.len() < MAX_DECIDED_KEYS {
            self.decided_keys.push(key);
        }
        if reused {
            // The 5-tuple was reused: finish the old connection, start a new one.
            self.counters.flows_reused += 1;
            if let Some(old) = self.map.remove(&key) {
                self.finish(old, EndReason::Reused);
            }
            let mut conn = self.new_connection(key, side, seg.ts, class);
            conn.on_tcp(seg, side);
            self.map.insert(key, Flow::Tcp(Box::new(conn)));
        }
    }

    /// UDP: port 443, or any port whose first datagram is a QUIC Initial. Other datagrams are
    /// only counted; no state is kept for them.
    fn on_udp(&mut self, seg: &Segment<'_>) {
        let (key, side) = FlowKey::new(seg.src, seg.dst, seg.proto);
        if !self.map.contains_key(&key) && self.follow_moved_quic(key, seg) {
            return;
        }
        if !self.map.contains_key(&key) {
            let on_443 = key.lo.port == TLS_PORT || key.hi.port == TLS_PORT;
            if !on_443 && !looks_like_quic_initial(seg.payload) {
                self.counters.udp_datagrams_not_analysed += 1;
                return;
            }
            let mut q = QuicConn::new(key, side, seg.ts);
            if self.cfg.timeline {
                q.enable_timeline();
            }
            self.insert(key, Flow::Quic(Box::new(q)));
        }
        self.counters.udp_datagrams += 1;
        if let Some(Flow::Quic(q)) = self.map.get_mut(&key) {
            q.on_datagram(seg, side);
            if let Some(cid) = &q.server_cid
                && !self.quic_cids.contains_key(cid)
                && self.quic_cids.len() < MAX_TRACKED_CIDS
            {
                self.cid_lens[cid.len().min(20)] = true;
                self.quic_cids.insert(cid.clone(), key);
            }
        }
    }

    /// A datagram on an unknown 5-tuple that belongs to a known QUIC connection: an alias made
    /// earlier, or a short-header packet whose Destination Connection ID is a server-chosen ID
    /// we saw. It is analysed with that connection; returns whether it was.
    fn follow_moved_quic(&mut self, key: FlowKey, seg: &Segment<'_>) -> bool {
        let target = match self.quic_aliases.get(&key) {
            Some(k) => Some(*k),
            None if seg.payload.first().is_some_and(|b| b & 0xc0 == 0x40) => (1..=20)
                .filter(|&l| self.cid_lens[l])
                .find_map(|l| {
                    seg.payload
                        .get(1..1 + l)
                        .and_then(|cid| self.quic_cids.get(cid))
                })
                .copied(),
            None => None,
        };
        let Some(orig) = target else { return false };
        let Some(Flow::Quic(q)) = self.map.get_mut(&orig) else {
            self.quic_aliases.remove(&key);
            return false;
        };
        q.on_moved_datagram(seg);
        self.counters.udp_datagrams += 1;
        if self.quic_aliases.len() < MAX_TRACKED_CIDS {
            self.quic_aliases.insert(key, orig);
        }
        true
    }

    fn maybe_scan(&mut self) {
        if self.self_scan && self.scans.due(self.now) {
            self.phase = 0;
            self.expire();
            self.phase = 1;
        }
    }

    /// Writes flows that closed more than the linger time ago or have been idle too long.
    fn expire(&mut self) {
        let now = self.now;
        let linger = limits::CLOSED_LINGER_SECS;
        let idle = self.cfg.idle_timeout_secs;
        let mut done: Vec<(Timestamp, FlowKey, EndReason)> = self
            .map
            .iter()
            .filter_map(|(k, f)| {
                if f.closed_at()
                    .is_some_and(|t| now >= t.saturating_add_secs(linger))
                {
                    Some((f.first_ts(), *k, EndReason::Closed))
                } else if now >= f.last_ts().saturating_add_secs(idle) {
                    Some((f.first_ts(), *k, EndReason::Idle))
                } else {
                    None
                }
            })
            .collect();
        // Records in start order, whatever the hash order.
        done.sort_unstable_by_key(|&(first, key, _)| (first, key));
        for (_, key, why) in done {
            let Some(c) = self.map.remove(&key) else {
                continue;
            };
            match why {
                EndReason::Closed => self.counters.flows_closed += 1,
                _ => self.counters.flows_idle_expired += 1,
            }
            self.finish(c, why);
        }
    }

    /// Expires what it can, then evicts the least recently active eighth.
    fn make_room(&mut self) {
        self.expire();
        if self.map.len() < self.cfg.max_flows {
            return;
        }
        let mut times: Vec<Timestamp> = self.map.values().map(Flow::last_ts).collect();
        let k = (times.len() / 8).max(1);
        let (_, cut, _) = times.select_nth_unstable(k - 1);
        let cut = *cut;
        let mut victims: Vec<(Timestamp, Timestamp, FlowKey)> = self
            .map
            .iter()
            .filter(|(_, f)| f.last_ts() <= cut)
            .map(|(k, f)| (f.last_ts(), f.first_ts(), *k))
            .collect();
        // Oldest first, and a deterministic record order whatever the hash order.
        victims.sort_unstable_by_key(|&(last, first, _)| (last, first));
        victims.truncate(k);
        for (_, _, key) in victims {
            if let Some(mut f) = self.map.remove(&key) {
                f.set_evicted();
                self.counters.flows_evicted += 1;
                self.finish(f, EndReason::Evicted);
            }
        }
    }

    /// End of input: every remaining flow is written, in start order. Records are handed to
    /// `drain` in batches so that a million open flows never become a million records in memory
    /// at once.
    pub fn finish_all(&mut self, mut drain: impl FnMut(Vec<SessionRecord>)) {
        self.finish_all_ordered(|batch| drain(batch.into_iter().map(|(_, r)| r).collect()));
    }

    /// `finish_all` with each record's `OrderKey`.
    pub fn finish_all_ordered(&mut self, mut drain: impl FnMut(Vec<(OrderKey, SessionRecord)>)) {
        self.cursor = u64::MAX;
        self.phase = 0;
        let mut order: Vec<(Timestamp, FlowKey)> =
            self.map.iter().map(|(k, f)| (f.first_ts(), *k)).collect();
        order.sort_unstable();
        for chunk in order.chunks(FINISH_BATCH) {
            for (_, key) in chunk {
                if let Some(f) = self.map.remove(key) {
                    self.finish(f, EndReason::EndOfInput);
                }
            }
            drain(self.take_ordered());
        }
        self.map = HashMap::default();
    }

    fn finish(&mut self, flow: Flow, why: EndReason) {
        match flow {
            Flow::Tcp(conn) => self.finish_tcp(*conn, why),
            Flow::Quic(q) => {
                if let Some(cid) = &q.server_cid
                    && self.quic_cids.get(cid) == Some(&q.key)
                {
                    self.quic_cids.remove(cid);
                }
                let server = q.endpoint(1 - q.client_side());
                for moved in &q.migrated_to {
                    self.quic_aliases
                        .remove(&FlowKey::new(*moved, server, PROTO_UDP).0);
                }
                self.counters.sessions_written += 1;
                let mut rec = quic_record(&q, why, self.now);
                rec.timeline = q
                    .timeline
                    .as_ref()
                    .map(|t| t.record(q.first_ts, q.client_side()));
                let client = q.endpoint(q.client_side()).ip;
                if let Some(c) = self.correlator.as_mut() {
                    c.observe(&mut rec, q.first_ts, client);
                }
                let at = self.order_key(q.first_ts, q.key);
                self.out.push((at, rec));
            }
        }
    }

    fn finish_tcp(&mut self, mut conn: Connection, why: EndReason) {
        if conn.class == Class::Candidate && conn.candidate_payloads > 0 {
            // Ended before MAX_CANDIDATE_PAYLOADS payloads, none of them a ClientHello.
            self.counters.flows_ignored += 1;
        }
        if conn.class != Class::Analysed {
            return;
        }
        conn.flush();
        let c = &mut self.counters;
        for s in &conn.sides {
            let r = &s.counters();
            c.out_of_order_segments += r.out_of_order;
            c.retransmitted_segments += r.retransmitted;
            c.overlap_conflicts += r.overlap_conflicts;
            c.capture_gap_bytes += r.gaps;
            c.pending_segment_overflow += r.pending_overflow;
            c.snaplen_truncated_payloads += s.truncated_payloads as u64;
            c.bypass_misses += s.elided_undecided as u64;
            let o = s.obs();
            c.not_tls_streams += o.not_tls as u64;
            c.malformed_tls_streams += matches!(
                o.abandon_reason,
                Some("bad_record_header") | Some("record_too_long")
            ) as u64;
            c.handshake_budget_exceeded +=
                (o.abandon_reason == Some("handshake_budget_exceeded")) as u64;
            c.hello_parse_errors += o.hello_errors as u64;
            c.malformed_extensions += o.malformed_extensions as u64;
            c.oversized_handshake_messages += o.oversized_messages as u64;
        }
        c.sessions_written += 1;
        let mut rec = session_record(&conn, why, self.now);
        rec.timeline = conn
            .timeline
            .as_ref()
            .map(|t| t.record(conn.first_ts, conn.client_side()));
        let client = conn.endpoint(conn.client_side()).ip;
        if let Some(c) = self.correlator.as_mut() {
            c.observe(&mut rec, conn.first_ts, client);
        }
        let at = self.order_key(conn.first_ts, conn.key);
        self.out.push((at, rec));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::TcpMeta;
    use crate::decode::tcp_flags::{ACK, FIN, PSH, RST, SYN};
    use crate::flow::Endpoint;
    use crate::tls::hello::tests::sample_client_hello_body;

    const C: &str = "192.0.2.1";
    const S: &str = "198.51.100.7";

    fn ep(ip: &str, port: u16) -> Endpoint {
        Endpoint {
            ip: ip.parse().unwrap(),
            port,
        }
    }

    /// Feeds one segment at `ms` milliseconds.
    struct Wire {
        t: FlowTable,
        client: Endpoint,
        server: Endpoint,
    }

    impl Wire {
        fn new(cfg: FlowConfig, cport: u16, sport: u16) -> Wire {
            Wire {
                t: FlowTable::new(cfg),
                client: ep(C, cport),
                server: ep(S, sport),
            }
        }
        fn send(
            &mut self,
            from_client: bool,
            ms: i64,
            flags: u8,
            seq: u32,
            ack: u32,
            payload: &[u8],
        ) {
            let (src, dst) = if from_client {
                (self.client, self.server)
            } else {
                (self.server, self.client)
            };
            let tcp = TcpMeta {
                seq,
                ack,
                flags,
                window: 65535,
                mss: None,
                wscale: None,
            };
            let ts = Timestamp(1_700_000_000_000_000_000 + ms * 1_000_000);
            let seg = Segment::synthetic(ts, src, dst, PROTO_TCP, tcp, payload);
            self.t.on_segment(&seg);
        }
        fn finish(mut self) -> (Vec<SessionRecord>, FlowCounters) {
            let mut recs = self.t.take_records();
            self.t.finish_all(|batch| recs.extend(batch));
            (recs, self.t.counters.clone())
        }
    }

    fn record(ctype: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![ctype, 3, 3];
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn client_hello_record() -> Vec<u8> {
        let body = sample_client_hello_body();
        let mut msg = vec![1];
        msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        msg.extend_from_slice(&body);
        record(22, &msg)
    }

    fn server_flight_tls13() -> Vec<u8> {
        let mut sh = vec![3, 3];
        sh.extend_from_slice(&[9; 32]);
        sh.push(0);
        sh.extend_from_slice(&[0x13, 0x02, 0]);
        let exts = [0u8, 43, 0, 2, 3, 4, 0, 51, 0, 8, 0, 0x1d, 0, 4, 1, 2, 3, 4];
        sh.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        sh.extend_from_slice(&exts);
        let mut msg = vec![2];
        msg.extend_from_slice(&(sh.len() as u32).to_be_bytes()[1..]);
        msg.extend_from_slice(&sh);
        let mut out = record(22, &msg);
        out.extend(record(20, &[1]));
        out.extend(record(23, &[0x42; 900]));
        out
    }

    #[test]
    fn tls13_handshake_split_reordered_and_retransmitted() {
        let mut w = Wire::new(FlowConfig::default(), 50000, 443);
        let (cisn, sisn) = (1000u32, 5000u32);
        w.send(true, 0, SYN, cisn, 0, &[]);
        w.send(false, 20, SYN | ACK, sisn, cisn + 1, &[]);
        w.send(true, 40, ACK, cisn + 1, sisn + 1, &[]);
        let ch = client_hello_record();
        let (a, rest) = ch.split_at(100);
        let (b, c) = rest.split_at(80);
        let base = cisn + 1;
        w.send(true, 41, ACK | PSH, base, sisn + 1, a);
        w.send(true, 42, ACK | PSH, base + 180, sisn + 1, c); // ahead of a hole
        w.send(true, 43, ACK | PSH, base + 100, sisn + 1, b); // fills it
        w.send(true, 44, ACK | PSH, base, sisn + 1, a); // retransmission
        let sf = server_flight_tls13();
        w.send(false, 70, ACK | PSH, sisn + 1, base + ch.len() as u32, &sf);
        let mut fin = record(20, &[1]);
        fin.extend(record(23, &[0x17; 53])); // Finished
        fin.extend(record(23, &[0x18; 120])); // the first request
        w.send(
            true,
            95,
            ACK | PSH,
            base + ch.len() as u32,
            sisn + 1 + sf.len() as u32,
            &fin,
        );
        let (recs, counters) = w.finish();
        assert_eq!(recs.len(), 1);
        let r = &recs[0];
        assert_eq!(r.outcome, "established");
        assert_eq!(r.client, "192.0.2.1:50000");
        assert_eq!(r.server, "198.51.100.7:443");
        assert_eq!(r.sni.as_deref(), Some("www.example.test"));
        assert_eq!(r.version.as_deref(), Some("TLSv1.3"));
        assert_eq!(r.cipher.as_deref(), Some("TLS_AES_256_GCM_SHA384"));
        assert_eq!(r.group.as_deref(), Some("x25519"));
        assert_eq!(r.versions_offered, vec!["TLSv1.3", "TLSv1.2"]);
        assert_eq!(r.alpn_offered, vec!["h2", "http/1.1"]);
        assert!(r.ech);
        assert_eq!(r.tcp_rtt_ms, Some(40.0));
        assert_eq!(r.server_hello_ms, Some(29.0));
        assert_eq!(r.handshake_ms, Some(54.0));
        assert_eq!(r.client_hello_segments, Some(3));
        assert_eq!(r.client_hello_bytes, Some(ch.len() as u32 - 5));
        assert_eq!(r.bytes_client, (ch.len() + fin.len()) as u64);
        assert_eq!(r.bytes_server, sf.len() as u64);
        assert!(
            r.problems.contains(&"client_hello_retransmitted"),
            "{:?}",
            r.problems
        );
        assert_eq!(counters.out_of_order_segments, 1);
        assert_eq!(counters.retransmitted_segments, 1);
    }

    #[test]
    fn no_syn_ack_refused_and_port_reuse() {
        let mut w = Wire::new(FlowConfig::default(), 40000, 443);
        w.send(true, 0, SYN, 1, 0, &[]);
        w.send(true, 1000, SYN, 1, 0, &[]);
        let (recs, _) = w.finish();
        assert_eq!(recs[0].outcome, "no_syn_ack");
        assert_eq!(recs[0].problems, vec!["syn_retransmitted"]);

        let mut w = Wire::new(FlowConfig::default(), 40001, 443);
        w.send(true, 0, SYN, 1, 0, &[]);
        w.send(false, 1, RST | ACK, 0, 2, &[]);
        // The same 5-tuple again after the reset: a new connection.
        w.send(true, 5000, SYN, 777, 0, &[]);
        let (recs, counters) = w.finish();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].outcome, "refused");
        assert_eq!(recs[1].outcome, "no_syn_ack");
        assert_eq!(counters.flows_closed + counters.flows_reused, 1);
    }

    #[test]
    fn idle_expiry_and_closed_linger_run_on_packet_time() {
        let cfg = FlowConfig {
            idle_timeout_secs: 60,
            ..FlowConfig::default()
        };
        let mut w = Wire::new(cfg, 40002, 443);
        let ch = client_hello_record();
        w.send(true, 0, SYN, 1, 0, &[]);
        w.send(false, 1, SYN | ACK, 9, 2, &[]);
        w.send(true, 2, ACK, 2, 10, &[]);
        w.send(true, 3, ACK | PSH, 2, 10, &ch);
        // 61 s later, a packet of another flow moves the clock: the first flow is written.
        w.client = ep(C, 40003);
        w.send(true, 61_500, SYN, 1, 0, &[]);
        let recs = w.t.take_records();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].outcome, "no_server_hello");
        assert!(
            recs[0]
                .problems
                .contains(&"server_silent_after_client_hello")
        );
        assert_eq!(w.t.counters.flows_idle_expired, 1);
        // FIN/FIN closes; the record waits for the linger time, then is written.
        w.send(false, 61_501, SYN | ACK, 50, 2, &[]);
        w.send(true, 61_502, FIN | ACK, 2, 51, &[]);
        w.send(false, 61_503, FIN | ACK, 51, 3, &[]);
        assert!(w.t.take_records().is_empty());
        w.client = ep(C, 40004);
        w.send(true, 64_000, SYN, 1, 0, &[]);
        let recs = w.t.take_records();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].outcome, "no_client_hello");
        assert_eq!(w.t.counters.flows_closed, 1);
    }

    #[test]
    fn full_table_evicts_the_least_recent_and_counts() {
        let cfg = FlowConfig {
            max_flows: 16,
            ..FlowConfig::default()
        };
        let mut t = FlowTable::new(cfg);
        for i in 0..1000u32 {
            let tcp = TcpMeta {
                seq: i,
                flags: SYN,
                ..TcpMeta::default()
            };
            let (src, dst) = (ep(C, 1024 + i as u16), ep(S, 443));
            let seg = Segment::synthetic(Timestamp(i as i64 * 1000), src, dst, PROTO_TCP, tcp, &[]);
            t.on_segment(&seg);
            assert!(t.len() <= 16);
        }
        let evicted = t.take_records();
        assert_eq!(t.counters.flows_evicted as usize, evicted.len());
        assert!(evicted.len() >= 984);
        assert!(evicted.iter().all(|r| r.problems.contains(&"evicted")));
        // The oldest went first.
        assert_eq!(evicted[0].client, "192.0.2.1:1024");
    }

    #[test]
    fn one_sided_capture_gets_no_verdict() {
        // Only the client's direction: its ACKs advance over server data never captured.
        let mut w = Wire::new(FlowConfig::default(), 40020, 443);
        let ch = client_hello_record();
        w.send(true, 0, SYN, 1, 0, &[]);
        w.send(true, 20, ACK, 2, 101, &[]);
        w.send(true, 21, ACK | PSH, 2, 101, &ch);
        w.send(true, 60, ACK, 2 + ch.len() as u32, 3000, &[]);
        w.send(true, 61, FIN | ACK, 2 + ch.len() as u32, 3000, &[]);
        let (recs, _) = w.finish();
        assert_eq!(recs[0].outcome, "incomplete");
        assert_eq!(recs[0].problems, vec!["one_sided_capture"]);
        assert_eq!(recs[0].sni.as_deref(), Some("www.example.test"));
    }

    #[test]
    fn a_quic_client_that_changes_port_is_followed_by_connection_id() {
        use crate::quic::vectors::{self, hex};
        let mut t = FlowTable::new(FlowConfig::default());
        let (client, moved, server) = (ep(C, 50000), ep(C, 50001), ep(S, 443));
        let send = |t: &mut FlowTable, src: Endpoint, dst: Endpoint, ms: i64, payload: &[u8]| {
            let ts = Timestamp(ms * 1_000_000);
            t.on_segment(&Segment::synthetic(
                ts,
                src,
                dst,
                PROTO_UDP,
                TcpMeta::default(),
                payload,
            ))
        };
        send(&mut t, client, server, 0, &hex(vectors::V1_CLIENT_INITIAL));
        send(&mut t, server, client, 20, &hex(vectors::V1_SERVER_INITIAL));
        // The server chose f067a5502a4262b5; after a NAT rebinding the client's 1-RTT packets
        // come from another port with that connection ID.
        let mut short = vec![0x41];
        short.extend_from_slice(&hex("f067a5502a4262b5"));
        short.extend_from_slice(&[0x22; 40]);
        send(&mut t, moved, server, 50, &short);
        send(&mut t, server, moved, 60, &short);
        assert_eq!(t.len(), 1, "one connection, not two");
        let mut recs = t.take_records();
        t.finish_all(|b| recs.extend(b));
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].outcome, "established");
        assert!(recs[0].problems.contains(&"quic_address_changed"));
        assert_eq!(recs[0].client, "192.0.2.1:50000");
        assert!(t.quic_cids.is_empty() && t.quic_aliases.is_empty());
    }

    #[test]
    fn other_ports_need_a_client_hello() {
        let mut w = Wire::new(FlowConfig::default(), 40010, 8080);
        w.send(true, 0, SYN, 1, 0, &[]);
        w.send(false, 1, SYN | ACK, 9, 2, &[]);
        w.send(true, 2, ACK | PSH, 2, 10, b"GET / HTTP/1.1\r\n\r\n");
        let (recs, counters) = w.finish();
        assert!(recs.is_empty());
        assert_eq!(counters.flows_ignored, 1);

        let mut w = Wire::new(FlowConfig::default(), 40011, 4433);
        w.send(true, 0, SYN, 1, 0, &[]);
        w.send(false, 1, SYN | ACK, 9, 2, &[]);
        w.send(true, 2, ACK | PSH, 2, 10, &client_hello_record());
        let (recs, _) = w.finish();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].sni.as_deref(), Some("www.example.test"));
        assert_eq!(recs[0].outcome, "incomplete");
    }
}
