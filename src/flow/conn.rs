//! One TCP connection: both directions' TCP facts, their reassemblers and TLS parsers.
//!
//! Sides are indexed by the canonical flow key (0 = `lo`, 1 = `hi`); which side is the client
//! is decided from the evidence (SYN, SYN/ACK, ClientHello, port) by [`Connection::client_side`].
//! Buffers live only while a direction's handshake is undecided: once a direction has shown what
//! the verdict needs, its reassembler and parser are released and only counters remain.

use crate::decode::tcp_flags::{ACK, FIN, RST, SYN};
use crate::flow::reassembly::{ReasmCounters, Reassembler};
use crate::flow::timeline::{self, Timeline, TlsMarks};
use crate::flow::verdict::tls13_data_after_finished;
use crate::flow::{Endpoint, FlowKey, Segment, TLS_PORT};
use crate::time::Timestamp;
use crate::tls::stream::starts_with_client_hello;
use crate::tls::{Observed, TlsDirection};

/// TLS 1.3 encrypted alerts are 2 bytes + content type + AEAD tag: 19 bytes with 16-byte tags
/// (11 with CCM_8). A record this small cannot carry more than two bytes of data, so records
/// up to this length after the ServerHello are read as alerts (bytes).
pub const MAX_ENCRYPTED_ALERT_LEN: u16 = 19;

/// Largest forward jump of the sequence number still counted as payload (bytes): far more than
/// any capture loss between two captured segments, far less than the 2 GiB a forged segment can
/// claim.
pub const MAX_SEQ_JUMP: u64 = 64 * 1024 * 1024;

/// Payload segments of a non-443 flow examined for a ClientHello before it is ignored
/// (segments). Covers SOCKS, HTTP CONNECT and RDP preludes in a few round trips.
pub const MAX_CANDIDATE_PAYLOADS: u32 = 8;

/// Why analysis of a flow is (or is not) happening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// On port 443, or TLS was recognised from the first payload.
    Analysed,
    /// Another port, no payload yet: waiting for the first payload to decide.
    Candidate,
    /// Another port and the first payload was not a ClientHello: ignored, no record.
    Ignored,
}

/// What one side (sender) did.
#[derive(Debug)]
pub struct Side {
    pub packets: u64,
    pub payload_segments: u64,
    /// Unique payload bytes (highest sequence number reached).
    pub bytes: u64,
    /// Sequence number just after the highest byte seen (for `bytes`).
    high_seq: Option<u32>,
    pub first_ts: Option<Timestamp>,
    pub last_ts: Option<Timestamp>,
    /// SYN without ACK: first and last time, count, ISN.
    pub syn: Option<Timestamp>,
    pub last_syn: Option<Timestamp>,
    pub syns: u32,
    /// SYN with ACK: first time, count, ISN.
    pub synack: Option<Timestamp>,
    pub synacks: u32,
    pub isn: Option<u32>,
    /// Every distinct ISN this side's SYNs or SYN/ACKs carried (a few at most): the first data
    /// picks the one it continues.
    isn_candidates: Vec<u32>,
    pub fin: Option<Timestamp>,
    pub rst: Option<Timestamp>,
    /// TTL / hop limit of this side's SYN or SYN/ACK.
    pub syn_ttl: Option<u8>,
    /// The first RST's TTL, IPv4 ID and window: a reset injected by a middlebox usually
    /// differs from the endpoint's own packets.
    pub rst_ttl: Option<u8>,
    pub rst_ip_id: u16,
    /// TTL of this side's most recent packet before its RST (the endpoint's own TTL).
    pub last_ttl: Option<u8>,
    /// Largest TCP payload this side sent (bytes).
    pub max_segment: u32,
    /// This side advertised a zero window while the handshake was undecided.
    pub zero_window: bool,
    /// The highest ACK this side sent, relative to the peer's first data byte (bytes).
    pub max_acked: u64,
    /// Some ACK from this side acknowledged data the capture never showed from the peer.
    pub acked_unseen_data: bool,
    /// Highest ACK value sent (for one-sided capture detection).
    last_ack: Option<u32>,
    /// Reassembly and TLS parsing, allocated with the side's first payload: a flow that never
    /// carries data (a SYN scan) costs only the TCP facts above.
    hs: Option<Box<Handshake>>,
    /// A payload was cut by the snaplen during the handshake.
    pub truncated_payloads: u32,
    /// Payloads left out by the capture side's bypass while the handshake was undecided.
    pub elided_undecided: u32,
    /// Segments whose sequence number jumped more than `MAX_SEQ_JUMP` ahead (not counted).
    pub wild_seq_segments: u32,
}

/// A direction's handshake machinery. Its buffers are released once the direction is done;
/// the observations stay for the verdict.
#[derive(Debug)]
pub struct Handshake {
    pub reasm: Reassembler,
    pub tls: TlsDirection,
}

static NO_OBSERVATIONS: Observed = Observed::EMPTY;

impl Side {
    fn new() -> Side {
        Side {
            packets: 0,
            payload_segments: 0,
            bytes: 0,
            high_seq: None,
            first_ts: None,
            last_ts: None,
            syn: None,
            last_syn: None,
            syns: 0,
            synack: None,
            synacks: 0,
            isn: None,
            isn_candidates: Vec::new(),
            fin: None,
            rst: None,
            syn_ttl: None,
            rst_ttl: None,
            rst_ip_id: 0,
            last_ttl: None,
            max_segment: 0,
            zero_window: false,
            max_acked: 0,
            acked_unseen_data: false,
            last_ack: None,
            hs: None,
            truncated_payloads: 0,
            elided_undecided: 0,
            wild_seq_segments: 0,
        }
    }

    /// What this direction's TLS showed (empty when it never carried data).
    pub fn obs(&self) -> &Observed {
        self.hs.as_ref().map_or(&NO_OBSERVATIONS, |h| &h.tls.obs)
    }

    /// This direction's reassembly counters.
    pub fn counters(&self) -> ReasmCounters {
        self.hs
            .as_ref()
            .map(|h| h.reasm.counters)
            .unwrap_or_default()
    }

    /// The handshake machinery, created on first use with the stream starting after the ISN.
    fn hs_mut(&mut self, budget: usize) -> &mut Handshake {
        let isn = self.isn;
        self.hs.get_or_insert_with(|| {
            let mut reasm = Reassembler::new(budget);
            if let Some(isn) = isn {
                reasm.set_base(isn.wrapping_add(1));
            }
            Box::new(Handshake {
                reasm,
                tls: TlsDirection::new(),
            })
        })
    }

    /// The direction has shown all the verdict needs: stop buffering.
    ///
    /// - TLS ≤ 1.2: its Finished (an encrypted handshake record after its ChangeCipherSpec)
    ///   went by, and for the client its first application data; everything after is
    ///   encrypted.
    /// - TLS 1.3 server: its ServerHello and its encrypted flight went by.
    /// - Otherwise: a record after the first encrypted one that is too big to be an alert (data
    ///   after the client's Finished; see the verdict).
    fn handshake_done(&self) -> bool {
        self.hs.as_ref().is_none_or(|h| {
            let o = &h.tls.obs;
            // The client also waits for its first application data (`handshake_ms`).
            let is_client = !o.client_hellos.is_empty();
            let finished_tls12 = !h.tls.is_tls13()
                && o.ccs.is_some()
                && o.encrypted_handshake_records > 0
                && (!is_client || o.app_records > 0);
            let tls13_server_flight =
                o.server_hello.is_some() && h.tls.is_tls13() && o.app_records > 0;
            h.tls.is_stopped()
                || finished_tls12
                || tls13_server_flight
                || tls13_data_after_finished(o)
        })
    }

    fn released(&self) -> bool {
        self.hs.as_ref().is_some_and(|h| h.reasm.is_released())
    }
}

#[derive(Debug)]
pub struct Connection {
    pub key: FlowKey,
    pub class: Class,
    pub sides: [Side; 2],
    /// The side that sent the first packet seen.
    pub first_sender: usize,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    /// First ACK completing the three-way handshake (client → server, after the SYN/ACK).
    pub handshake_ack: Option<Timestamp>,
    /// FIN from both sides, or a RST: when.
    pub closed_at: Option<Timestamp>,
    /// Both directions released their buffers.
    pub decided: bool,
    /// Set when the flow was evicted for space.
    pub evicted: bool,
    /// Non-TLS payload segments seen while classifying a non-443 flow.
    pub candidate_payloads: u32,
    /// TLS started after a plain-text prelude (SOCKS, CONNECT, RDP, ...).
    pub tls_after_prelude: bool,
    /// Handshake bytes reassembled per direction.
    budget: u32,
    /// The packets as a timeline, when asked for (`FlowConfig::timeline`).
    pub timeline: Option<Box<Timeline>>,
}

impl Connection {
    pub fn new(
        key: FlowKey,
        first_sender: usize,
        ts: Timestamp,
        class: Class,
        budget: usize,
    ) -> Self {
        Connection {
            key,
            class,
            sides: [Side::new(), Side::new()],
            first_sender,
            first_ts: ts,
            last_ts: ts,
            handshake_ack: None,
            closed_at: None,
            decided: false,
            evicted: false,
            candidate_payloads: 0,
            tls_after_prelude: false,
            budget: budget.min(u32::MAX as usize) as u32,
            timeline: None,
        }
    }

    /// Keep a timeline of this connection's packets.
    pub fn enable_timeline(&mut self) {
        self.timeline.get_or_insert_with(Box::default);
    }

    pub fn endpoint(&self, side: usize) -> Endpoint {
        self.key.endpoint(side)
    }

    /// Which side is the client: the SYN sender; else the peer of the SYN/ACK sender; else the
    /// ClientHello sender; else the peer of the ServerHello sender; else the side not on 443;
    /// else the first sender.
    pub fn client_side(&self) -> usize {
        let s = &self.sides;
        for i in 0..2 {
            if s[i].syn.is_some() && s[1 - i].syn.is_none() {
                return i;
            }
        }
        for i in 0..2 {
            if s[i].synack.is_some() && s[1 - i].synack.is_none() {
                return 1 - i;
            }
        }
        for i in 0..2 {
            if !s[i].obs().client_hellos.is_empty() && s[1 - i].obs().client_hellos.is_empty() {
                return i;
            }
        }
        for i in 0..2 {
            if s[i].obs().server_hello.is_some() && s[1 - i].obs().server_hello.is_none() {
                return 1 - i;
            }
        }
        let p0 = self.key.lo.port;
        let p1 = self.key.hi.port;
        if p0 == TLS_PORT && p1 != TLS_PORT {
            return 1;
        }
        if p1 == TLS_PORT && p0 != TLS_PORT {
            return 0;
        }
        self.first_sender
    }

    /// Looks at a payload of a non-443 flow still being classified. A ClientHello makes the
    /// flow analysed, with both TLS streams starting here (TLS after a SOCKS, HTTP CONNECT or
    /// RDP prelude is common); after `MAX_CANDIDATE_PAYLOADS` other payloads it is ignored.
    pub fn classify_candidate(&mut self, seg: &Segment<'_>, side: usize, budget: usize) {
        if self.class != Class::Candidate || seg.payload.is_empty() {
            return;
        }
        if starts_with_client_hello(seg.payload) {
            self.class = Class::Analysed;
            if self.candidate_payloads > 0 {
                let seq = seg.data_seq();
                // Start both TLS streams afresh: this side's at this segment, the peer's at
                // its next data.
                for s in &mut self.sides {
                    s.hs = None;
                    s.isn = None;
                }
                self.sides[side].hs_mut(budget).reasm.set_base(seq);
                self.tls_after_prelude = true;
            }
        } else {
            self.candidate_payloads += 1;
            if self.candidate_payloads >= MAX_CANDIDATE_PAYLOADS {
                self.class = Class::Ignored;
            }
        }
    }

    /// Processes one TCP segment sent by `side`. Returns true when a new SYN shows the 5-tuple
    /// being reused for a new connection (the caller then finishes this one and starts anew).
    pub fn on_tcp(&mut self, seg: &Segment<'_>, side: usize) -> bool {
        let f = seg.tcp.flags;
        if f & SYN != 0 && f & ACK == 0 {
            let s = &self.sides[side];
            let reused = self.closed_at.is_some()
                || (s.isn.is_some_and(|isn| isn != seg.tcp.seq)
                    && (self.sides[0].payload_segments + self.sides[1].payload_segments) > 0);
            if reused {
                return true;
            }
        }
        if self.timeline.is_none() {
            self.track(seg, side);
            return false;
        }
        let s = &self.sides[side];
        let before = TlsMarks::of(s.obs());
        let (high_before, handshake_open) = (s.high_seq, !self.decided);
        self.track(seg, side);
        let s = &self.sides[side];
        let seq = seg.data_seq();
        let payload = seg.wire_len() > 0;
        let packet = timeline::Packet {
            ts: seg.ts,
            side,
            flags: f,
            ttl: seg.ttl,
            bytes: seg.wire_len() as u32,
            offset: s
                .isn
                .filter(|_| payload)
                .map(|isn| seq.wrapping_sub(isn.wrapping_add(1))),
            ack: self.sides[1 - side]
                .isn
                .filter(|_| f & ACK != 0)
                .map(|isn| seg.tcp.ack.wrapping_sub(isn.wrapping_add(1))),
            // Data below the highest byte seen, or a SYN (or SYN/ACK) sent again.
            retransmission: (payload
                && high_before.is_some_and(|h| (seq.wrapping_sub(h) as i32) < 0))
                || (f & SYN != 0 && f & ACK == 0 && s.syns > 1)
                || (f & SYN != 0 && f & ACK != 0 && s.synacks > 1),
        };
        let labels = timeline::labels(before, s.obs());
        if let Some(t) = self.timeline.as_mut() {
            t.note(packet, handshake_open, labels);
        }
        false
    }

    /// `on_tcp` after the reuse check: the TCP facts, then the payload.
    fn track(&mut self, seg: &Segment<'_>, side: usize) {
        let f = seg.tcp.flags;
        let ts = seg.ts;
        self.last_ts = self.last_ts.max(ts);
        // Captures read one after another can go back in time: `first_ts` is the earliest.
        self.first_ts = self.first_ts.min(ts);
        let peer = 1 - side;
        {
            let s = &mut self.sides[side];
            s.packets += 1;
            s.first_ts.get_or_insert(ts);
            s.last_ts = Some(ts);
        }
        if f & SYN != 0 {
            let s = &mut self.sides[side];
            if f & ACK == 0 {
                s.syn.get_or_insert(ts);
                s.last_syn = Some(ts);
                s.syns += 1;
            } else {
                s.synack.get_or_insert(ts);
                s.synacks += 1;
            }
            if s.isn != Some(seg.tcp.seq) {
                s.isn = Some(seg.tcp.seq);
                if !s.isn_candidates.contains(&seg.tcp.seq) && s.isn_candidates.len() < 4 {
                    s.isn_candidates.push(seg.tcp.seq);
                }
                if let Some(h) = s.hs.as_mut() {
                    h.reasm.set_base(seg.tcp.seq.wrapping_add(1));
                }
                if s.high_seq.is_none() || s.bytes == 0 {
                    s.high_seq = Some(seg.tcp.seq.wrapping_add(1));
                }
            }
            s.syn_ttl.get_or_insert(seg.ttl);
        }
        // The three-way handshake's ACK: from the SYN sender, acknowledging the SYN/ACK.
        if f & (SYN | RST) == 0
            && f & ACK != 0
            && self.handshake_ack.is_none()
            && self.sides[side].syn.is_some()
            && self.sides[peer].synack.is_some()
            && self.sides[peer].isn.map(|i| i.wrapping_add(1)) == Some(seg.tcp.ack)
        {
            self.handshake_ack = Some(ts);
        }
        if f & ACK != 0 {
            self.on_ack(side, seg.tcp.ack);
        }
        if seg.wire_len() > 0 {
            self.on_payload(seg, side);
        }
        if f & FIN != 0 {
            self.sides[side].fin.get_or_insert(ts);
            if self.sides[peer].fin.is_some() {
                self.closed_at.get_or_insert(ts);
            }
        }
        if f & RST != 0 {
            let s = &mut self.sides[side];
            if s.rst.is_none() {
                s.rst = Some(ts);
                s.rst_ttl = Some(seg.ttl);
                s.rst_ip_id = seg.ip_id;
            }
            self.closed_at.get_or_insert(ts);
        } else {
            let s = &mut self.sides[side];
            s.last_ttl = Some(seg.ttl);
            s.max_segment = s.max_segment.max(seg.wire_len() as u32);
            if seg.tcp.window == 0 && f & SYN == 0 && !self.decided {
                s.zero_window = true;
            }
        }
    }

    fn on_ack(&mut self, side: usize, ack: u32) {
        let peer = 1 - side;
        // Did this side acknowledge more than the peer was ever seen to send?
        let p = &self.sides[peer];
        if let Some(high) = p.high_seq.or(p.isn.map(|i| i.wrapping_add(1))) {
            if (ack.wrapping_sub(high) as i32) > 0 {
                self.sides[side].acked_unseen_data = true;
            }
        } else if self.sides[side].last_ack.is_some_and(|a| a != ack) {
            // The peer never appeared, yet our ACKs advance: it sent data we cannot see.
            self.sides[side].acked_unseen_data = true;
        }
        self.sides[side].last_ack = Some(ack);
        if let Some(isn) = self.sides[peer].isn {
            let rel = ack.wrapping_sub(isn.wrapping_add(1)) as i32;
            if rel > 0 {
                let s = &mut self.sides[side];
                s.max_acked = s.max_acked.max(rel as u64);
            }
        }
        // A hole in the peer's stream that the receiver acknowledged will never be filled.
        if let Some(h) = self.sides[peer].hs.as_mut() {
            let Handshake { reasm, tls } = &mut **h;
            reasm.acked(ack, &mut |bytes, off, ts| tls.feed(bytes, off, ts));
        }
    }

    fn on_payload(&mut self, seg: &Segment<'_>, side: usize) {
        let s = &mut self.sides[side];
        s.payload_segments += 1;
        let seq = seg.data_seq();
        let end = seq.wrapping_add(seg.wire_len() as u32);
        match s.high_seq {
            None => {
                s.high_seq = Some(end);
                s.bytes = seg.wire_len() as u64;
            }
            Some(h) => {
                let d = end.wrapping_sub(h) as i32;
                // A jump far beyond the data seen is a forged or corrupt segment, not data.
                if d > 0 && (d as u64) <= MAX_SEQ_JUMP {
                    s.bytes += d as u64;
                    s.high_seq = Some(end);
                } else if d > 0 {
                    s.wild_seq_segments += 1;
                }
            }
        }
        if self.decided || s.released() || self.class != Class::Analysed {
            return;
        }
        if seg.payload_truncated {
            s.truncated_payloads += 1;
        }
        if seg.elided > 0 {
            // Left out by the capture side for a decided flow, yet this one is not: a 5-tuple
            // reused without a SYN while the capture side still bypassed it. The bytes are
            // missing, as with a snaplen cut.
            s.elided_undecided += 1;
            let h = s.hs_mut(self.budget as usize);
            if !h.tls.is_stopped() {
                h.tls.gap();
            }
            self.after_tls_progress();
            return;
        }
        let several_isns =
            s.isn_candidates.len() > 1 && s.isn_candidates.contains(&seq.wrapping_sub(1));
        let h = s.hs_mut(self.budget as usize);
        // Several SYN/ACKs with different ISNs: the first data says which one counts.
        if several_isns && h.reasm.delivered() == 0 && !h.reasm.has_pending() {
            h.reasm.set_base(seq);
        }
        let Handshake { reasm, tls } = &mut *h;
        reasm.insert(seq, seg.payload, seg.ts, &mut |bytes, off, ts| {
            tls.feed(bytes, off, ts)
        });
        // A snaplen-cut payload leaves a hole that will never be filled: give up on purpose.
        if seg.payload_truncated && !tls.is_stopped() {
            tls.gap();
        }
        self.after_tls_progress();
    }

    /// Propagates TLS 1.3 to the peer and releases directions that are done.
    fn after_tls_progress(&mut self) {
        for i in 0..2 {
            let o = self.sides[i].obs();
            // A HelloRetryRequest exists only in TLS 1.3.
            let tls13 = o.hello_retry.is_some()
                || o.server_hello
                    .as_ref()
                    .is_some_and(|(sh, _)| crate::tls::is_tls13(sh.version()));
            if tls13 && let Some(h) = self.sides[1 - i].hs.as_mut() {
                h.tls.set_tls13();
            }
        }
        let mut all = true;
        for s in &mut self.sides {
            let done = s.handshake_done();
            let Some(h) = s.hs.as_mut() else { continue };
            // Over budget with nothing pending: nothing more can come through.
            let over_budget =
                h.reasm.counters.over_budget > 0 && !h.tls.is_stopped() && !h.reasm.has_pending();
            if over_budget {
                h.tls.obs.abandoned = true;
                h.tls
                    .obs
                    .abandon_reason
                    .get_or_insert("handshake_budget_exceeded");
            }
            if done || over_budget {
                if !h.reasm.is_released() {
                    h.reasm.release();
                    h.tls.stop();
                }
            } else {
                all = false;
            }
        }
        if all {
            self.decided = true;
        }
    }

    /// End of the flow: give up on remaining holes so that data behind them is parsed.
    pub fn flush(&mut self) {
        for s in &mut self.sides {
            if let Some(h) = s.hs.as_mut()
                && !h.reasm.is_released()
            {
                let Handshake { reasm, tls } = &mut **h;
                reasm.skip_hole(&mut |bytes, off, ts| tls.feed(bytes, off, ts));
            }
        }
    }

    /// Memory held by buffers (approximate, bytes).
    pub fn buffered(&self) -> usize {
        self.sides
            .iter()
            .filter_map(|s| s.hs.as_ref())
            .map(|h| h.reasm.buffered() + h.tls.buffered())
            .sum()
    }
}

#[cfg(test)]
mod size_tests {
    /// A flow that never carries data (a SYN scan) must stay small: the handshake machinery
    /// is allocated only with the first payload.
    #[test]
    fn a_connection_without_payload_is_small() {
        let size = std::mem::size_of::<super::Connection>();
        assert!(size <= 640, "Connection is {size} bytes");
    }
}
