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
use crate::flow::verdict::{EndReason, session_record};
use crate::flow::{FlowKey, PROTO_TCP, PROTO_UDP, Segment, TLS_PORT};
use crate::limits;
use crate::output::record::SessionRecord;
use crate::time::Timestamp;

#[derive(Clone, Copy, Debug)]
pub struct FlowConfig {
    pub max_flows: usize,
    pub handshake_bytes: usize,
    pub idle_timeout_secs: u64,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            max_flows: limits::DEFAULT_MAX_FLOWS,
            handshake_bytes: limits::DEFAULT_MAX_HANDSHAKE_BYTES,
            idle_timeout_secs: limits::DEFAULT_IDLE_TIMEOUT_SECS,
        }
    }
}

/// Flow-level counters. They only grow.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FlowCounters {
    pub tcp_segments: u64,
    pub udp_datagrams_not_analysed: u64,
    pub flows_created: u64,
    pub flows_peak: u64,
    pub flows_closed: u64,
    pub flows_idle_expired: u64,
    pub flows_evicted: u64,
    pub flows_reused: u64,
    /// Non-443 flows whose first payload was not a ClientHello (no record written).
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
}

pub struct FlowTable {
    cfg: FlowConfig,
    map: HashMap<FlowKey, Connection>,
    pub counters: FlowCounters,
    now: Timestamp,
    next_scan: Option<Timestamp>,
    out: Vec<SessionRecord>,
}

impl FlowTable {
    pub fn new(cfg: FlowConfig) -> FlowTable {
        FlowTable {
            cfg,
            map: HashMap::new(),
            counters: FlowCounters::default(),
            now: Timestamp::ZERO,
            next_scan: None,
            out: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Latest packet time seen.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Session records finished since the last call.
    pub fn take_records(&mut self) -> Vec<SessionRecord> {
        std::mem::take(&mut self.out)
    }

    pub fn on_segment(&mut self, seg: &Segment<'_>) {
        if seg.ts > self.now {
            self.now = seg.ts;
        }
        self.maybe_scan();
        match seg.proto {
            PROTO_TCP => self.on_tcp(seg),
            PROTO_UDP => self.counters.udp_datagrams_not_analysed += 1,
            _ => {}
        }
    }

    fn on_tcp(&mut self, seg: &Segment<'_>) {
        self.counters.tcp_segments += 1;
        let (key, side) = FlowKey::new(seg.src, seg.dst, seg.proto);
        if !self.map.contains_key(&key) {
            if self.map.len() >= self.cfg.max_flows {
                self.make_room();
            }
            let class = if key.lo.port == TLS_PORT || key.hi.port == TLS_PORT {
                Class::Analysed
            } else {
                Class::Candidate
            };
            self.counters.flows_created += 1;
            self.map.insert(
                key,
                Connection::new(key, side, seg.ts, class, self.cfg.handshake_bytes),
            );
            self.counters.flows_peak = self.counters.flows_peak.max(self.map.len() as u64);
        }
        let conn = self.map.get_mut(&key).expect("inserted above");
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
        if conn.on_tcp(seg, side) {
            // The 5-tuple was reused: finish the old connection, start a new one.
            self.counters.flows_reused += 1;
            let old = self.map.remove(&key).expect("present");
            self.finish(old, EndReason::Reused);
            let class = if key.lo.port == TLS_PORT || key.hi.port == TLS_PORT {
                Class::Analysed
            } else {
                Class::Candidate
            };
            let mut conn = Connection::new(key, side, seg.ts, class, self.cfg.handshake_bytes);
            conn.on_tcp(seg, side);
            self.map.insert(key, conn);
        }
    }

    fn maybe_scan(&mut self) {
        match self.next_scan {
            None => {
                self.next_scan = Some(
                    self.now
                        .saturating_add_secs(limits::EXPIRY_SCAN_INTERVAL_SECS),
                )
            }
            Some(t) if self.now >= t => {
                self.expire();
                self.next_scan = Some(
                    self.now
                        .saturating_add_secs(limits::EXPIRY_SCAN_INTERVAL_SECS),
                );
            }
            _ => {}
        }
    }

    /// Writes flows that closed more than the linger time ago or have been idle too long.
    fn expire(&mut self) {
        let now = self.now;
        let linger = limits::CLOSED_LINGER_SECS;
        let idle = self.cfg.idle_timeout_secs;
        let done: Vec<(FlowKey, EndReason)> = self
            .map
            .iter()
            .filter_map(|(k, c)| {
                if c.closed_at
                    .is_some_and(|t| now >= t.saturating_add_secs(linger))
                {
                    Some((*k, EndReason::Closed))
                } else if now >= c.last_ts.saturating_add_secs(idle) {
                    Some((*k, EndReason::Idle))
                } else {
                    None
                }
            })
            .collect();
        for (key, why) in done {
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
        let mut times: Vec<Timestamp> = self.map.values().map(|c| c.last_ts).collect();
        let k = (times.len() / 8).max(1);
        let (_, cut, _) = times.select_nth_unstable(k - 1);
        let cut = *cut;
        let mut victims: Vec<FlowKey> = self
            .map
            .iter()
            .filter(|(_, c)| c.last_ts <= cut)
            .map(|(k, _)| *k)
            .collect();
        victims.truncate(k.max(1));
        for key in victims {
            if let Some(mut c) = self.map.remove(&key) {
                c.evicted = true;
                self.counters.flows_evicted += 1;
                self.finish(c, EndReason::Evicted);
            }
        }
    }

    /// End of input: every remaining flow is written.
    pub fn finish_all(&mut self) {
        let mut all: Vec<Connection> = self.map.drain().map(|(_, c)| c).collect();
        all.sort_by_key(|c| c.first_ts);
        for c in all {
            self.finish(c, EndReason::EndOfInput);
        }
    }

    fn finish(&mut self, mut conn: Connection, why: EndReason) {
        if conn.class != Class::Analysed {
            return;
        }
        conn.flush();
        let c = &mut self.counters;
        for s in &conn.sides {
            let r = &s.reasm.counters;
            c.out_of_order_segments += r.out_of_order;
            c.retransmitted_segments += r.retransmitted;
            c.overlap_conflicts += r.overlap_conflicts;
            c.capture_gap_bytes += r.gaps;
            c.pending_segment_overflow += r.pending_overflow;
            c.snaplen_truncated_payloads += s.truncated_payloads as u64;
            let o = &s.tls.obs;
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
        let now = self.now;
        self.out.push(session_record(&conn, why, now));
    }
}
