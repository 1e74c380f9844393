//! The bodies of the fuzz targets, shared by the cargo-fuzz binaries (`fuzz_targets/*.rs`) and
//! the corpus replay in `tests/adversarial.rs`, so that a replayed input runs exactly the code
//! the fuzzer ran.
//!
//! Each target takes the raw fuzzer bytes, reads its own small input format from them (described
//! on each function; `fuzz/make-seeds.py` writes seeds in these formats from `samples/`) and calls
//! the library the way the pipeline does. Besides "no panic, no hang", each checks invariants
//! that must hold for every input and panics when one breaks:
//!
//! - `decode`: a decoded payload lies inside the frame; UDP carries no TCP fields.
//! - `tls_stream`: the same stream fed in one piece or cut anywhere gives the same observations;
//!   buffers stay under a structural bound.
//! - `hello`: hello summaries respect the list limits; fingerprints never panic.
//! - `reassembly`: bytes come out in order, contiguous except for holes reported as gaps, never
//!   past the budget, and equal to the first copy sent for each offset (first arrival wins).
//! - `flow_table`: the table never exceeds `max_flows`; every finished flow becomes exactly one
//!   record that serialises to JSON.
//! - `capture_file`: every frame handed out is counted, no frame is longer than its wire length.
//! - `quic`: CRYPTO streams hold the first copy of each byte and never more than their budget;
//!   Initials sealed here with the public keys open again.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicUsize, Ordering};

use tlscope::capture::CaptureStats;
use tlscope::capture::file::read_file;
use tlscope::decode::{self, TcpMeta, Transport};
use tlscope::flow::reassembly::Reassembler;
use tlscope::flow::{Endpoint, FlowConfig, FlowTable, PROTO_TCP, PROTO_UDP, Segment};
use tlscope::limits::{
    MAX_ALPN_ENTRIES, MAX_EXTENSIONS, MAX_HANDSHAKE_MESSAGE, MAX_LIST_ENTRIES, MAX_RECORD_LEN,
};
use tlscope::output::record::SessionRecord;
use tlscope::quic::header::{GOOGLE_T051, VERSION_1, VERSION_2, type_bits};
use tlscope::quic::{
    CryptoStream, Direction, Opener, client_initial_dcid, frames, initial_keys,
    looks_like_quic_initial, open_initials, packets,
};
use tlscope::time::Timestamp;
use tlscope::tls::cert::parse_certificate_message;
use tlscope::tls::fingerprint::{ja3, ja3s, ja4};
use tlscope::tls::hello::{
    ClientHello, parse_client_hello, parse_server_hello, parse_sslv2_client_hello,
    parse_sslv2_server_hello,
};
use tlscope::tls::{Observed, TlsDirection};

/// Every target, by the name of its directory under `fuzz/corpus/` and `fuzz/artifacts/`.
pub const TARGETS: [&str; 7] = [
    "decode",
    "tls_stream",
    "hello",
    "reassembly",
    "flow_table",
    "capture_file",
    "quic",
];

/// Runs target `name` on `data`. Unknown names panic (a typo in a corpus directory).
pub fn run(name: &str, data: &[u8]) {
    match name {
        "decode" => decode(data),
        "tls_stream" => tls_stream(data),
        "hello" => hello(data),
        "reassembly" => reassembly(data),
        "flow_table" => flow_table(data),
        "capture_file" => capture_file(data),
        "quic" => quic(data),
        other => panic!("no fuzz target named {other:?}"),
    }
}

/// Reads fixed-size fields from the front of the input; past the end it yields zeros and empty
/// slices, so every input is valid.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.data.split_at(n.min(self.data.len()));
        self.data = b;
        a
    }
    pub fn u8(&mut self) -> u8 {
        self.bytes(1).first().copied().unwrap_or(0)
    }
    pub fn u16(&mut self) -> u16 {
        let b = self.bytes(2);
        b.iter().fold(0u16, |a, &x| (a << 8) | x as u16)
    }
    pub fn u32(&mut self) -> u32 {
        let b = self.bytes(4);
        b.iter().fold(0u32, |a, &x| (a << 8) | x as u32)
    }
    pub fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.data.len())
    }
}

// ---------------------------------------------------------------------------------------------
// decode
// ---------------------------------------------------------------------------------------------

/// Link types the `decode` target picks from (first input byte, modulo the length): all the
/// supported ones plus two unsupported ones (802.11, USER0).
pub const DECODE_LINKTYPES: [u32; 16] = [
    0, 1, 9, 12, 14, 50, 51, 101, 104, 108, 113, 228, 229, 276, 105, 147,
];

/// Input: `[link type selector] frame...`.
pub fn decode(data: &[u8]) {
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let linktype = DECODE_LINKTYPES[sel as usize % DECODE_LINKTYPES.len()];
    if let Ok(d) = decode::decode(linktype, frame) {
        let f = frame.as_ptr_range();
        let p = d.payload.as_ptr_range();
        assert!(
            f.start <= p.start && p.end <= f.end,
            "payload is not inside the frame"
        );
        if d.transport == Transport::Udp {
            assert_eq!(d.tcp, TcpMeta::default(), "UDP segment with TCP fields");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// tls_stream
// ---------------------------------------------------------------------------------------------

/// Input: `[flags] [cut sizes...] stream...`. Flags bit 0: `set_tls13()` before feeding (as the
/// flow does when the peer's ServerHello says TLS 1.3); bits 1..=4: how many cut-size bytes
/// follow (0..=15). The stream is fed in chunks of `cut + 1` bytes, cycling through the cut
/// sizes (one chunk when there are none), with contiguous offsets, and compared with the same
/// stream fed at once.
pub fn tls_stream(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.u8();
    let cuts = input.bytes(((flags >> 1) & 0x0f) as usize);
    let stream = input.rest();

    let mut whole = TlsDirection::new();
    let mut split = TlsDirection::new();
    if flags & 1 != 0 {
        whole.set_tls13();
        split.set_tls13();
    }
    whole.feed(stream, 0, Timestamp(1));
    let mut off = 0usize;
    let mut i = 0usize;
    while off < stream.len() {
        let n = if cuts.is_empty() {
            stream.len()
        } else {
            cuts[i % cuts.len()] as usize + 1
        };
        let n = n.min(stream.len() - off);
        split.feed(&stream[off..off + n], off as u64, Timestamp(1 + i as i64));
        // A partial record, a partial handshake message (plus the record carrying its end)
        // and the chunk-time index: nothing else may be held.
        let bound = 2 * (MAX_RECORD_LEN + 5 + 256)
            + 2 * (MAX_HANDSHAKE_MESSAGE + 4 + MAX_RECORD_LEN)
            + 2 * 4096 * 16;
        assert!(
            split.buffered() <= bound,
            "{} bytes buffered",
            split.buffered()
        );
        off += n;
        i += 1;
    }
    assert_eq!(
        observations(&split.obs),
        observations(&whole.obs),
        "observations depend on how the stream was cut"
    );
}

/// The parts of `Observed` that must not depend on segmentation (everything but times and
/// segment counts).
pub fn observations(o: &Observed) -> String {
    format!(
        "first_content_type={:?} client_hellos={:?} server_hello={:?} hello_retry={:?} \
         handshake_types={:#x} certificate={:?} ske_named_group={:?} ccs={} alert={:?} \
         encrypted_alerts={} encrypted_handshake_records={} app_records={} app_lens={:?} \
         heartbeats={} not_tls={} abandoned={} abandon_reason={:?} hello_errors={} \
         oversized_messages={} malformed_extensions={}",
        o.first_content_type,
        o.client_hellos
            .iter()
            .map(|(ch, m)| (ch, m.len))
            .collect::<Vec<_>>(),
        o.server_hello.as_ref().map(|(sh, m)| (sh, m.len)),
        o.hello_retry.as_ref().map(|(sh, m)| (sh, m.len)),
        o.handshake_types,
        o.certificate,
        o.ske_named_group,
        o.ccs.is_some(),
        o.alert.map(|a| (a.level, a.description)),
        o.encrypted_alerts,
        o.encrypted_handshake_records,
        o.app_records,
        o.app_lens,
        o.heartbeats,
        o.not_tls,
        o.abandoned,
        o.abandon_reason,
        o.hello_errors,
        o.oversized_messages,
        o.malformed_extensions,
    )
}

// ---------------------------------------------------------------------------------------------
// hello
// ---------------------------------------------------------------------------------------------

/// Input: `[selector] body...`. Selector modulo 5: 0 ClientHello body, 1 ServerHello body,
/// 2 Certificate message body, 3 SSLv2 CLIENT-HELLO, 4 SSLv2 SERVER-HELLO. Bit 7 of the
/// selector: compute JA4 as for QUIC.
pub fn hello(data: &[u8]) {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let quic = sel & 0x80 != 0;
    match sel % 5 {
        0 => {
            if let Ok(ch) = parse_client_hello(body) {
                client_hello_checks(&ch, quic);
            }
        }
        1 => {
            if let Ok(sh) = parse_server_hello(body) {
                assert!(sh.extensions.len() <= MAX_EXTENSIONS);
                let _ = ja3s(&sh);
                let _ = sh.version();
            }
        }
        2 => {
            if let Some(c) = parse_certificate_message(body) {
                assert!(!c.chain.is_empty(), "a summary without a leaf");
                let _ = c.leaf();
                let _ = c.out_of_order();
                let _ = c.matches("www.example.test");
                let _ = format!("{c:?}");
            }
        }
        3 => {
            if let Ok(ch) = parse_sslv2_client_hello(body) {
                client_hello_checks(&ch, quic);
            }
        }
        _ => {
            if let Ok(sh) = parse_sslv2_server_hello(body) {
                let _ = ja3s(&sh);
            }
        }
    }
}

fn client_hello_checks(ch: &ClientHello, quic: bool) {
    assert!(
        ch.extensions.len() <= MAX_EXTENSIONS,
        "{} extensions",
        ch.extensions.len()
    );
    for list in [
        ch.ciphers.len(),
        ch.supported_versions.len(),
        ch.groups.len(),
        ch.sig_algs.len(),
        ch.key_shares.len(),
        ch.ec_point_formats.len(),
    ] {
        assert!(list <= MAX_LIST_ENTRIES, "a list of {list} entries");
    }
    assert!(ch.alpn.len() <= MAX_ALPN_ENTRIES);
    let _ = ja3(ch);
    let j = ja4(ch, ch.alpn_first_raw.as_deref(), quic);
    assert_eq!(j.ja4.len(), 36, "JA4 {:?}", j.ja4);
}

// ---------------------------------------------------------------------------------------------
// reassembly
// ---------------------------------------------------------------------------------------------

/// Input: `[flags] [base u32] [budget u16]` then operations until the input ends, each
/// `[op]` + fields:
///
/// - op % 8 = 0..=3, insert: `[rel i16]` (seq = base + rel; op bit 3: `[seq u32]` instead,
///   absolute), `[len u16]` (mod 2049), then the data: op bit 4 set, `len` input bytes;
///   clear, a pattern that depends only on the stream offset (consistent retransmissions);
/// - 4: `acked([rel i16])`; 5: `skip_hole()`; 6: `set_base(base + [rel i16])`; 7: `release()`.
///
/// Flags bit 0: call `set_base(base)` first (as after a SYN); otherwise the first insert sets
/// it. The budget is `budget % 8192 + 1` bytes.
pub fn reassembly(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.u8();
    let base = input.u32();
    let budget = input.u16() as usize % 8192 + 1;
    let mut r = Reassembler::new(budget);
    if flags & 1 != 0 {
        r.set_base(base);
    }
    // First byte written at each stream offset (first arrival wins).
    let mut first: Vec<Option<u8>> = vec![None; budget];
    let mut expected = 0u64;
    let mut released = false;
    let mut t = 0i64;
    let mut out: Vec<(u64, Vec<u8>)> = Vec::new();
    while !input.is_empty() {
        let op = input.u8();
        t += 1;
        out.clear();
        let mut skipped = 0u64;
        match op % 8 {
            0..=3 => {
                let seq = if op & 8 != 0 {
                    input.u32()
                } else {
                    base.wrapping_add(input.u16() as i16 as i32 as u32)
                };
                let len = input.u16() as usize % 2049;
                let model_base = r.base().unwrap_or(seq);
                let start = seq.wrapping_sub(model_base) as i32 as i64;
                let bytes: Vec<u8> = if op & 16 != 0 {
                    input.bytes(len).to_vec()
                } else {
                    (0..len as i64).map(|i| pattern(start + i)).collect()
                };
                if !released {
                    for (i, &b) in bytes.iter().enumerate() {
                        let o = start + i as i64;
                        if o >= 0 && (o as usize) < budget && first[o as usize].is_none() {
                            first[o as usize] = Some(b);
                        }
                    }
                }
                r.insert(seq, &bytes, Timestamp(t), &mut |b, off, _| {
                    out.push((off, b.to_vec()))
                });
            }
            4 => {
                let ack = base.wrapping_add(input.u16() as i16 as i32 as u32);
                skipped = r.acked(ack, &mut |b, off, _| out.push((off, b.to_vec())));
            }
            5 => skipped = r.skip_hole(&mut |b, off, _| out.push((off, b.to_vec()))),
            6 => {
                let before = r.base();
                r.set_base(base.wrapping_add(input.u16() as i16 as i32 as u32));
                if r.base() != before {
                    // Allowed only while nothing is delivered or pending: offsets restart.
                    assert_eq!(expected, 0, "base moved after delivery");
                    first.iter_mut().for_each(|b| *b = None);
                }
            }
            _ => {
                r.release();
                released = true;
            }
        }
        if released {
            assert!(out.is_empty(), "delivered after release");
        }
        // In order: each piece starts where the last ended, except across a reported hole.
        let mut jumps = 0u64;
        for (off, bytes) in &out {
            assert!(
                *off >= expected,
                "offset {off} went back (expected {expected})"
            );
            jumps += off - expected;
            for (i, &b) in bytes.iter().enumerate() {
                let o = *off as usize + i;
                assert!(o < budget, "delivered offset {o} past the budget {budget}");
                if r.counters.pending_overflow == 0 {
                    assert_eq!(Some(b), first[o], "offset {o}: not the first copy");
                }
            }
            expected = off + bytes.len() as u64;
        }
        assert_eq!(jumps, skipped, "offsets jumped without a reported gap");
        assert_eq!(
            r.delivered(),
            expected,
            "delivered() disagrees with what came out"
        );
    }
    assert!(expected as usize <= budget);
    let _ = r.counters.overlap_conflicts + r.counters.gaps;
}

/// The byte at stream offset `o` in pattern-filled segments.
pub fn pattern(o: i64) -> u8 {
    (o.wrapping_mul(7).wrapping_add(o >> 8).wrapping_add(3)) as u8
}

// ---------------------------------------------------------------------------------------------
// flow_table
// ---------------------------------------------------------------------------------------------

/// Addresses the `flow_table` target draws endpoints from (3 bits).
pub const FLOW_ADDRS: [IpAddr; 8] = [
    IpAddr::V4(Ipv4Addr::new(198, 18, 0, 1)),
    IpAddr::V4(Ipv4Addr::new(198, 18, 0, 2)),
    IpAddr::V4(Ipv4Addr::new(198, 18, 0, 3)),
    IpAddr::V4(Ipv4Addr::new(198, 18, 0, 4)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x198, 0x18, 0, 0, 0, 0, 1)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x198, 0x18, 0, 0, 0, 0, 2)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x198, 0x18, 0, 0, 0, 0, 3)),
    IpAddr::V6(Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xc612, 1)),
];
/// Ports the `flow_table` target draws endpoints from (2 bits).
pub const FLOW_PORTS: [u16; 4] = [443, 40101, 40102, 8443];

/// Input: `[max_flows-1 (mod 16)] [handshake budget/256 - 1] [idle timeout-1 (mod 180)]`, then
/// segments until the input ends, each:
///
/// - `b0`: bits 0-2 source address, 3-4 source port, 5 UDP, 6 payload cut by snaplen,
///   7 absolute sequence number;
/// - `b1`: bits 0-2 destination address, 3-4 destination port, 5 absolute ack, 6-7 time unit
///   (µs, ms, 100 ms, s);
/// - `[flags u8] [time step u8]`;
/// - seq: absolute `u32`, or `i16` relative to the next sequence number of this direction (the
///   target tracks it per (source, destination) as a sender would);
/// - ack: absolute `u32`, or `i16` relative to the next sequence number of the reverse direction;
/// - `[len u16]` (mod 4097) and that many payload bytes.
pub fn flow_table(data: &[u8]) {
    flow_table_records(data);
}

/// [`flow_table`], returning the session records.
pub fn flow_table_records(data: &[u8]) -> Vec<SessionRecord> {
    let mut input = Input::new(data);
    let max_flows = input.u8() as usize % 16 + 1;
    let cfg = FlowConfig {
        max_flows,
        handshake_bytes: (input.u8() as usize + 1) * 256,
        idle_timeout_secs: input.u8() as u64 % 180 + 1,
        // Exercised on half the inputs without changing how existing corpus files are read.
        timeline: max_flows.is_multiple_of(2),
    };
    let mut table = FlowTable::new(cfg);
    let mut next_seq: HashMap<(u8, u8), u32> = HashMap::new();
    let mut now: i64 = 1_700_000_000_000_000_000;
    let mut records = Vec::new();
    // The capture side's bypass, modelled: payloads of flows the table announced as decided
    // travel as a length only, until a SYN/FIN/RST; all-flags segments are elided regardless
    // (a stale bypass entry meeting a new connection).
    let mut decided: std::collections::HashSet<tlscope::flow::FlowKey> =
        std::collections::HashSet::new();
    let isn =
        |s: u8, d: u8| (s as u32).wrapping_mul(0x9e37_79b9) ^ (d as u32).wrapping_mul(0x85eb_ca6b);
    while !input.is_empty() {
        let b0 = input.u8();
        let b1 = input.u8();
        let flags = input.u8();
        let step = input.u8() as i64;
        now += step
            * match b1 >> 6 {
                0 => 1_000,
                1 => 1_000_000,
                2 => 100_000_000,
                _ => 1_000_000_000,
            };
        let (s, d) = (b0 & 0x1f, b1 & 0x1f);
        let tracked = *next_seq.get(&(s, d)).unwrap_or(&isn(s, d));
        let seq = if b0 & 0x80 != 0 {
            input.u32()
        } else {
            tracked.wrapping_add(input.u16() as i16 as i32 as u32)
        };
        let reverse = *next_seq.get(&(d, s)).unwrap_or(&isn(d, s));
        let ack = if b1 & 0x20 != 0 {
            input.u32()
        } else {
            reverse.wrapping_add(input.u16() as i16 as i32 as u32)
        };
        let len = input.u16() as usize % 4097;
        let payload = input.bytes(len);
        let syn_fin = (flags & 0x02 != 0) as u32 + (flags & 0x01 != 0) as u32;
        next_seq.insert((s, d), seq.wrapping_add(payload.len() as u32 + syn_fin));
        let udp = b0 & 0x20 != 0;
        let seg = Segment {
            ts: Timestamp(now),
            src: Endpoint {
                ip: FLOW_ADDRS[(b0 & 7) as usize],
                port: FLOW_PORTS[((b0 >> 3) & 3) as usize],
            },
            dst: Endpoint {
                ip: FLOW_ADDRS[(b1 & 7) as usize],
                port: FLOW_PORTS[((b1 >> 3) & 3) as usize],
            },
            proto: if udp { PROTO_UDP } else { PROTO_TCP },
            tcp: if udp {
                TcpMeta::default()
            } else {
                TcpMeta {
                    seq,
                    ack,
                    flags,
                    window: 65535,
                    mss: None,
                    wscale: None,
                }
            },
            ttl: 64,
            ip_id: 0,
            payload,
            payload_truncated: b0 & 0x40 != 0,
            elided: 0,
        };
        let key = tlscope::flow::FlowKey::new(seg.src, seg.dst, seg.proto).0;
        if flags & 0x07 != 0 {
            decided.remove(&key);
        }
        let seg = if !udp && !payload.is_empty() && (decided.contains(&key) || flags == 0xff) {
            Segment {
                payload: &[],
                elided: payload.len() as u32,
                ..seg
            }
        } else {
            seg
        };
        table.on_segment(&seg);
        decided.extend(table.take_decided());
        assert!(
            table.len() <= max_flows,
            "{} flows > {max_flows}",
            table.len()
        );
        records.extend(checked_records(&mut table));
    }
    finish_all(&mut table, &mut records);
    assert!(table.is_empty(), "flows left after finish_all");
    let c = &table.counters;
    assert_eq!(
        records.len() as u64,
        c.sessions_written,
        "records written != sessions_written"
    );
    assert!(c.flows_peak as usize <= max_flows);
    assert!(c.flows_evicted <= c.flows_created);
    records
}

/// End of input: every remaining flow's record, checked, appended to `records`.
fn finish_all(table: &mut FlowTable, records: &mut Vec<SessionRecord>) {
    let mut rest = Vec::new();
    table.finish_all(|batch| rest.extend(batch));
    rest.extend(table.take_records());
    records.extend(check_records(rest));
}

/// The records finished since the last call, each checked to serialise as a session record.
fn checked_records(table: &mut FlowTable) -> Vec<SessionRecord> {
    check_records(table.take_records())
}

fn check_records(recs: Vec<SessionRecord>) -> Vec<SessionRecord> {
    for r in &recs {
        let json = serde_json::to_string(r).expect("a record serialises");
        assert!(json.starts_with("{\"type\":\"session\""));
    }
    recs
}

// ---------------------------------------------------------------------------------------------
// capture_file
// ---------------------------------------------------------------------------------------------

static FILE_SEQ: AtomicUsize = AtomicUsize::new(0);

/// Input: a capture file (pcap, pcapng, gzip, or anything). It is written to a temporary file
/// and read with `capture::file::read_file`; every frame is decoded and its TCP/UDP segments go
/// through a `FlowTable`, as in `tlscope read`.
pub fn capture_file(data: &[u8]) {
    capture_file_records(data);
}

/// [`capture_file`], returning the session records.
pub fn capture_file_records(data: &[u8]) -> Vec<SessionRecord> {
    let path = std::env::temp_dir().join(format!(
        "tlscope-fuzz-{}-{}.cap",
        std::process::id(),
        FILE_SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, data).expect("temporary file");
    let path_str = path.to_string_lossy().into_owned();
    let mut stats = CaptureStats::default();
    let mut table = FlowTable::new(FlowConfig {
        max_flows: 64,
        ..FlowConfig::default()
    });
    let mut frames = 0u64;
    let result = read_file(&path_str, &mut stats, |p| {
        frames += 1;
        assert!(
            p.data.len() as u64 <= p.orig_len as u64,
            "caplen > wire length"
        );
        if let Ok(d) = decode::decode(p.linktype, p.data) {
            let seg = Segment::from_decoded(p.ts, &d);
            table.on_segment(&seg);
        }
        true
    });
    std::fs::remove_file(&path).ok();
    if result.is_ok() {
        assert_eq!(
            frames, stats.packets,
            "frames handed out != packets counted"
        );
    }
    let mut records = Vec::new();
    finish_all(&mut table, &mut records);
    records
}

// ---------------------------------------------------------------------------------------------
// quic
// ---------------------------------------------------------------------------------------------

/// Versions the `quic` target seals Initials for (selector bits): 1, 2, draft-29, Google T051.
pub const QUIC_VERSIONS: [u32; 4] = [VERSION_1, VERSION_2, 0xff00_001d, GOOGLE_T051];
/// The connection ID used when the input does not give one (RFC 9001 Appendix A's).
pub const QUIC_DEFAULT_DCID: [u8; 8] = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];

/// Input: `[selector]` then, by `selector % 4`:
///
/// - 0: one UDP datagram, walked as the flow does: packets, `looks_like_quic_initial`,
///   `client_initial_dcid`, `open_initials`, CRYPTO data into a `CryptoStream`, hellos parsed
///   from it. Bit 7: sent by the server, and then `[dcid len] [dcid]` (the client's first
///   Destination Connection ID, which keys both directions) come before the datagram;
/// - 1: a decrypted Initial payload: its frames (bit 7: Google T051 encoding);
/// - 2: CRYPTO frames into a `CryptoStream`: `[budget u16] [max pending u8]`, then frames
///   `[offset u16] [len u8]` + data, checked against first-arrival-wins;
/// - 3: plaintext frames sealed here into a valid Initial with the public keys, then as 0:
///   `[flags] [dcid len] [dcid] [pn u32]` + frames; flags bits 0-1 version
///   ([`QUIC_VERSIONS`]), bits 2-3 packet-number length - 1, bit 7 sent by the server.
pub fn quic(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let dir = if sel & 0x80 != 0 {
        Direction::Server
    } else {
        Direction::Client
    };
    match sel % 4 {
        0 => {
            // A server's datagram is opened with the client's first DCID, given in front.
            let (dcid, datagram) = match dir {
                Direction::Client => (client_initial_dcid(rest).unwrap_or(&[]), rest),
                Direction::Server => {
                    let mut input = Input::new(rest);
                    let n = input.u8() as usize % 21;
                    (input.bytes(n), input.rest())
                }
            };
            let dcid = if dcid.is_empty() {
                &QUIC_DEFAULT_DCID[..]
            } else {
                dcid
            };
            quic_datagram(datagram, dcid, dir);
        }
        1 => {
            let version = if sel & 0x80 != 0 {
                GOOGLE_T051
            } else {
                VERSION_1
            };
            let mut n = 0usize;
            for f in frames::frames_with(rest, frames::dialect(version)) {
                let _ = format!("{f:?}");
                n += 1;
                assert!(n <= rest.len() + 1, "more frames than bytes");
            }
        }
        2 => crypto_stream(rest),
        _ => {
            let mut input = Input::new(rest);
            let flags = input.u8();
            let dcid_len = input.u8() as usize % 21;
            let mut dcid = input.bytes(dcid_len).to_vec();
            if dcid.is_empty() {
                dcid = QUIC_DEFAULT_DCID.to_vec();
            }
            let pn = input.u32();
            let version = QUIC_VERSIONS[(flags & 3) as usize];
            let pn_len = ((flags >> 2) & 3) as usize + 1;
            let dir = if flags & 0x80 != 0 {
                Direction::Server
            } else {
                Direction::Client
            };
            let payload = input.rest();
            if let Some(datagram) = seal_initial(version, &dcid, pn, pn_len, payload, dir) {
                let opened = open_initials(&datagram, &dcid, dir);
                assert!(
                    matches!(opened.first(), Some(Ok(p)) if p.version == version),
                    "a sealed Initial did not open: {opened:?}"
                );
                quic_datagram(&datagram, &dcid, dir);
            }
        }
    }
}

/// What the flow does with one datagram of a QUIC connection.
fn quic_datagram(datagram: &[u8], client_dcid: &[u8], dir: Direction) {
    let _ = looks_like_quic_initial(datagram);
    for p in packets(datagram) {
        let _ = format!("{p:?}");
    }
    let mut stream = CryptoStream::new();
    for p in open_initials(datagram, client_dcid, dir)
        .into_iter()
        .flatten()
    {
        for (off, data) in &p.crypto {
            stream.insert(*off, data);
        }
        let _ = p.close.as_ref().map(|c| c.tls_alert());
    }
    assert!(stream.buffered() <= tlscope::quic::crypto::DEFAULT_BUDGET);
    // Handshake messages without record headers, as the flow reads them.
    let mut msgs = stream.contiguous();
    while msgs.len() >= 4 {
        let len = u32::from_be_bytes([0, msgs[1], msgs[2], msgs[3]]) as usize;
        let Some(body) = msgs.get(4..4 + len) else {
            break;
        };
        match msgs[0] {
            1 => {
                if let Ok(ch) = parse_client_hello(body) {
                    client_hello_checks(&ch, true);
                }
            }
            2 => {
                let _ = parse_server_hello(body).map(|sh| ja3s(&sh));
            }
            _ => {}
        }
        msgs = &msgs[4 + len..];
    }
}

/// CRYPTO frames into a stream, against a first-arrival-wins model of it.
fn crypto_stream(data: &[u8]) {
    let mut input = Input::new(data);
    let budget = input.u16() as usize % 8192 + 1;
    let max_pending = input.u8() as usize % 64;
    let mut stream = CryptoStream::with_limits(budget, max_pending);
    let mut first: Vec<Option<u8>> = vec![None; budget];
    let mut read = 0u64;
    while !input.is_empty() {
        let offset = input.u16() as u64;
        let len = input.u8() as usize;
        let bytes = input.bytes(len);
        for (i, &b) in bytes.iter().enumerate() {
            let o = offset as usize + i;
            if o < budget && first[o].is_none() {
                first[o] = Some(b);
            }
        }
        stream.insert(offset, bytes);
        assert!(
            stream.buffered() <= budget,
            "{} > budget {budget}",
            stream.buffered()
        );
        assert!(stream.pending_pieces() <= max_pending);
        if stream.counters().dropped_pieces == 0 {
            for (o, &b) in stream.contiguous().iter().enumerate() {
                assert_eq!(Some(b), first[o], "offset {o}: not the first copy");
            }
        }
        let (from, new) = stream.take_new();
        assert_eq!(from, read, "take_new skipped bytes");
        read += new.len() as u64;
    }
}

/// Builds one Initial packet as a QUIC endpoint would (RFC 9001 §5): long header, packet
/// number, AEAD_AES_128_GCM with the public Initial keys, header protection. A client's
/// packet is padded (PADDING frames) to a 1200-byte datagram. `None` for versions without
/// known keys.
pub fn seal_initial(
    version: u32,
    dcid: &[u8],
    pn: u32,
    pn_len: usize,
    payload: &[u8],
    dir: Direction,
) -> Option<Vec<u8>> {
    use aes_gcm::aead::AeadInPlace;
    use aes_gcm::{Aes128Gcm, KeyInit, Nonce};

    let keys = initial_keys(version, dcid)?;
    let keys = match dir {
        Direction::Client => keys.client,
        Direction::Server => keys.server,
    };
    let ty = match type_bits(version)? {
        tlscope::quic::header::TypeBits::V1 => 0u8,
        tlscope::quic::header::TypeBits::V2 => 1u8,
    };
    let scid = [0x5c; 8];
    let mut plain = payload[..payload.len().min(4000)].to_vec();
    let mut header = vec![0xc0 | (ty << 4) | (pn_len as u8 - 1)];
    header.extend_from_slice(&version.to_be_bytes());
    header.push(dcid.len() as u8);
    header.extend_from_slice(dcid);
    header.push(scid.len() as u8);
    header.extend_from_slice(&scid);
    header.push(0); // token length
    let fixed = header.len() + 2 + pn_len + 16;
    let min_plain = if dir == Direction::Client {
        1200usize.saturating_sub(fixed)
    } else {
        0
    };
    // At least 4 bytes of packet number + payload, for the header-protection sample.
    plain.resize(plain.len().max(min_plain).max(4), 0);
    let length = pn_len + plain.len() + 16;
    header.extend_from_slice(&(0x4000u16 | length as u16).to_be_bytes());
    let pn_offset = header.len();
    header.extend_from_slice(&pn.to_be_bytes()[4 - pn_len..]);

    let opener = Opener::new(&keys);
    let nonce = opener.nonce(u64::from(pn) & ((1u64 << (8 * pn_len)) - 1));
    let tag = Aes128Gcm::new((&keys.key).into())
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), &header, &mut plain)
        .ok()?;
    let mut packet = header;
    packet.extend_from_slice(&plain);
    packet.extend_from_slice(&tag);
    let sample: [u8; 16] = packet[pn_offset + 4..pn_offset + 20].try_into().ok()?;
    let mask = opener.mask(&sample);
    packet[0] ^= mask[0] & 0x0f;
    for i in 0..pn_len {
        packet[pn_offset + i] ^= mask[1 + i];
    }
    Some(packet)
}
