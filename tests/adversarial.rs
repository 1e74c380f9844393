//! Hostile input (issue 8): captures written in code to attack the analyzer, each run through
//! the real binary (`tlscope read FILE --json`) with its records and `stats` counters checked;
//! and the replay of every fuzz corpus file and past crash (`fuzz/corpus/*/`,
//! `fuzz/artifacts/*/`) through the same code the fuzz targets run (`fuzz/harness.rs`).
//!
//! The captures are generated here (`support/`), never copied from `../shared/corpus`. Sizes are
//! chosen so that quadratic work would take minutes; the tests assert results, never times.
//! See docs/robustness.md.

mod support;

#[path = "../fuzz/harness.rs"]
mod harness;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::*;
use tlscope::quic::{Direction, client_initial_dcid, open_initials};

const T0: u64 = 1_700_000_000_000_000; // µs

// ---------------------------------------------------------------------------------------------
// Fuzz corpus replay
// ---------------------------------------------------------------------------------------------

/// Every seed, every input the fuzzer kept, and every past crash runs through its target's body
/// again, so a fixed crash stays fixed.
#[test]
fn fuzz_corpus_and_past_crashes_replay() {
    let mut ran = 0;
    let mut failures = Vec::new();
    for target in harness::TARGETS {
        for dir in ["corpus", "artifacts"] {
            let d = crate_path(&format!("fuzz/{dir}/{target}"));
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            let mut files: Vec<_> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for f in files {
                let data = std::fs::read(&f).expect("read corpus file");
                let r = std::panic::catch_unwind(|| harness::run(target, &data));
                if r.is_err() {
                    failures.push(f.display().to_string());
                }
                ran += 1;
            }
        }
    }
    println!("replayed {ran} corpus and artifact files");
    assert!(ran >= 100, "only {ran} corpus files found under fuzz/");
    assert!(failures.is_empty(), "failing inputs: {failures:#?}");
}

/// The seeds made from `samples/` start the fuzzers from real states: the flow-table and
/// capture-file seeds of `tls13-h2` give the sample's established session, the QUIC seeds (its
/// ClientHello and ServerHello in Initials sealed by `make-seeds.py`, and `quic-h3.pcap`) a QUIC
/// session, and the QUIC target's datagram seeds open with the public Initial keys.
#[test]
fn fuzz_seeds_reproduce_the_sample_session() {
    for (target, seed) in [
        ("flow_table", "seed-quic-v1-initials"),
        ("capture_file", "seed-quic-v1-initials.pcap"),
        ("flow_table", "seed-quic-h3"),
        ("capture_file", "seed-quic-h3.pcap"),
    ] {
        let data = std::fs::read(crate_path(&format!("fuzz/corpus/{target}/{seed}")))
            .expect("seed (python3 fuzz/make-seeds.py writes it)");
        let records = if target == "flow_table" {
            harness::flow_table_records(&data)
        } else {
            harness::capture_file_records(&data)
        };
        assert_eq!(records.len(), 1, "{target}/{seed}");
        let r = &records[0];
        assert_eq!(r.transport, "quic", "{target}/{seed}");
        assert_eq!(
            r.sni.as_deref(),
            Some("www.example.test"),
            "{target}/{seed}"
        );
        assert_eq!(
            r.cipher.as_deref(),
            Some("TLS_AES_256_GCM_SHA384"),
            "{target}/{seed}"
        );
    }
    for (seed, dir) in [
        ("seed-datagram-v1-client-initial", Direction::Client),
        ("seed-datagram-v1-server-initial", Direction::Server),
        ("seed-quic-h3-client-datagram-0", Direction::Client),
        ("seed-quic-h3-server-datagram-0", Direction::Server),
    ] {
        let data = std::fs::read(crate_path(&format!("fuzz/corpus/quic/{seed}"))).unwrap();
        let (dcid, datagram) = match dir {
            Direction::Client => (client_initial_dcid(&data[1..]).unwrap(), &data[1..]),
            Direction::Server => {
                let n = data[1] as usize;
                (&data[2..2 + n], &data[2 + n..])
            }
        };
        let opened = open_initials(datagram, dcid, dir);
        let p = opened[0].as_ref().unwrap_or_else(|e| panic!("{seed}: {e}"));
        let first = p
            .crypto
            .iter()
            .find(|(off, _)| *off == 0)
            .expect("CRYPTO at 0");
        let want = if dir == Direction::Client { 1 } else { 2 };
        assert_eq!(first.1[0], want, "{seed}: the hello's handshake type");
    }
    for (target, seed) in [
        ("flow_table", "seed-tls13-h2"),
        ("capture_file", "seed-tls13-h2.pcap"),
        ("capture_file", "seed-tls13-h2.pcapng"),
        ("capture_file", "seed-tls13-h2.pcap.gz"),
    ] {
        let data = std::fs::read(crate_path(&format!("fuzz/corpus/{target}/{seed}")))
            .expect("seed (python3 fuzz/make-seeds.py writes it)");
        let records = if target == "flow_table" {
            harness::flow_table_records(&data)
        } else {
            harness::capture_file_records(&data)
        };
        assert_eq!(records.len(), 1, "{target}/{seed}");
        assert_eq!(records[0].outcome, "established", "{target}/{seed}");
        assert_eq!(
            records[0].sni.as_deref(),
            Some("www.example.test"),
            "{target}/{seed}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Flow table exhaustion
// ---------------------------------------------------------------------------------------------

/// SYNs from this many distinct sources, and the flow limit they run under. The same capture is
/// the documented memory measurement (docs/robustness.md): set `TLSCOPE_SYN_FLOOD_OUT=FILE` to
/// keep a copy of it, `TLSCOPE_SYN_FLOOD_COUNT=N` to change the number of SYNs.
const SYN_FLOOD: u32 = 1_000_000;
const SYN_FLOOD_MAX_FLOWS: u32 = 10_000;

/// `n` SYNs to 192.0.2.1:443, each from its own source address 10.x.y.z, 10 µs apart.
fn syn_flood_pcap(n: u32) -> Pcap {
    let server = addr("192.0.2.1:443");
    let template = tcp_frame(addr("10.0.0.0:1024"), server, 0, 0, SYN, &[]);
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.buf.reserve(n as usize * (16 + template.len()));
    for i in 0..n {
        let mut f = template.clone();
        // Source address distinct per SYN, port and ISN varying too; IPv4 checksum kept valid.
        let src = 0x0a00_0000u32.wrapping_add(i);
        f[26..30].copy_from_slice(&src.to_be_bytes());
        f[24..26].copy_from_slice(&[0, 0]);
        let c = ip_checksum(&f[14..34]);
        f[24..26].copy_from_slice(&c.to_be_bytes());
        f[34..36].copy_from_slice(&(1024 + (i % 60000) as u16).to_be_bytes());
        f[38..42].copy_from_slice(&i.wrapping_mul(2_654_435_761).to_be_bytes());
        cap.packet(T0 + i as u64 * 10, &f);
    }
    cap
}

/// A SYN flood from distinct sources against a small flow table: every SYN becomes a record
/// (`no_syn_ack`), the table stays at its limit, the oldest flows are evicted and counted, and
/// analysis continues to the end.
#[test]
fn syn_flood_from_distinct_sources_is_bounded_by_max_flows() {
    let n_syns = std::env::var("TLSCOPE_SYN_FLOOD_COUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SYN_FLOOD);
    let cap = syn_flood_pcap(n_syns);
    if let Ok(out) = std::env::var("TLSCOPE_SYN_FLOOD_OUT") {
        std::fs::write(&out, &cap.buf).expect("write TLSCOPE_SYN_FLOOD_OUT");
    }
    let file = TempFile::new("syn-flood.pcap", &cap.buf);
    drop(cap);

    let mut child = Command::new(TLSCOPE)
        .args(["read", file.path(), "--json", "--max-flows"])
        .arg(SYN_FLOOD_MAX_FLOWS.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run tlscope");
    let (mut sessions, mut evicted, mut stats) = (0u64, 0u64, Value::Null);
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.expect("stdout");
        if line.starts_with("{\"type\":\"session\"") {
            sessions += 1;
            assert!(line.contains("\"outcome\":\"no_syn_ack\""), "{line:.300}");
            if line.contains("\"evicted\"") {
                evicted += 1;
            }
        } else {
            stats = serde_json::from_str(&line).expect("stats JSON");
        }
    }
    assert!(child.wait().expect("wait").success());
    let flows = &stats["flows"];
    let n = n_syns as u64;
    assert_eq!(stats["packets"], n);
    assert_eq!(flows["flows_created"], n);
    assert_eq!(sessions, n, "one record per SYN");
    assert_eq!(flows["sessions_written"], n);
    assert!(flows["flows_peak"].as_u64().unwrap() <= SYN_FLOOD_MAX_FLOWS as u64);
    let flows_evicted = flows["flows_evicted"].as_u64().unwrap();
    assert!(
        flows_evicted >= n.saturating_sub(SYN_FLOOD_MAX_FLOWS as u64),
        "{flows}"
    );
    assert_eq!(evicted, flows_evicted, "records with the `evicted` problem");
}

fn ip_checksum(h: &[u8]) -> u16 {
    let mut sum: u32 = h
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]) as u32)
        .sum();
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

// ---------------------------------------------------------------------------------------------
// Reassembly evasion
// ---------------------------------------------------------------------------------------------

/// The ClientHello with its server name replaced by another of the same length.
fn forged(record: &[u8], sni: &str) -> Vec<u8> {
    let pos = record
        .windows(sni.len())
        .position(|w| w == sni.as_bytes())
        .unwrap();
    let mut f = record.to_vec();
    f[pos..pos + sni.len()].copy_from_slice(b"evil.example.xyz");
    f
}

/// Overlapping segments with conflicting bytes (an injected copy with another server name):
/// first arrival wins, so the SNI is the one of the first copy, and the conflict is named.
/// Two attacks: a forged copy overlapping out-of-order data still waiting for a hole, and a
/// forged full retransmission after the genuine ClientHello was delivered.
#[test]
fn overlapping_segments_with_conflicting_bytes_first_copy_wins() {
    let ch = sample_client_hello();
    assert_eq!(ch.sni.len(), "evil.example.xyz".len());
    let rec = ch.record();
    let fake = forged(&rec, ch.sni);
    let pos = ch.sni_pos_in_record();
    let mut frames = Vec::new();

    // 1: genuine [0, k), genuine [pos, end) ahead of the hole, then a forged [k, end).
    let mut a = Conn::new("198.51.100.1:40001", "192.0.2.10:443", 1000, 9000, T0);
    a.handshake();
    let base = a.cseq;
    let k = pos - 20;
    a.client_segment_at(base, &rec[..k]);
    a.client_segment_at(base + pos as u32, &rec[pos..]);
    a.client_segment_at(base + k as u32, &fake[k..]);
    frames.extend(a.frames);

    // 2: the genuine ClientHello, then a forged full retransmission.
    let mut b = Conn::new("198.51.100.2:40002", "192.0.2.10:443", 5000, 7000, T0 + 10);
    b.handshake();
    let base = b.cseq;
    b.client_data(&rec, 1460);
    b.client_segment_at(base, &fake);
    frames.extend(b.frames);

    frames.sort_by_key(|(t, _)| *t);
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&frames);
    let run = analyse("overlap.pcap", &cap.buf, &[]);
    for client in ["198.51.100.1:40001", "198.51.100.2:40002"] {
        let s = run.session(client);
        assert_eq!(s["sni"], ch.sni, "{client}: first copy wins");
        assert!(
            problems(s).contains(&"overlap_conflict".to_string()),
            "{client}: {:?}",
            problems(s)
        );
        assert_eq!(s["client_hello_bytes"], ch.message.len());
    }
    assert_eq!(run.flows("overlap_conflicts"), 2);
    assert_eq!(run.flows("retransmitted_segments"), 2);
    assert_eq!(run.flows("out_of_order_segments"), 1);
}

/// A sequence-number wrap in the middle of the ClientHello (ISN just below 2^32), with the
/// second segment (after the wrap) arriving first, over IPv6: the SNI is still parsed and no gap
/// is seen.
#[test]
fn sequence_number_wraparound_inside_the_client_hello() {
    let ch = sample_client_hello();
    let rec = ch.record();
    let mut c = Conn::new(
        "[2001:db8::3]:40003",
        "[2001:db8::10]:443",
        u32::MAX - 200,
        1,
        T0,
    );
    c.handshake();
    let base = c.cseq; // 2^32 - 199: the wrap is 199 bytes into the record
    let cut = 300;
    assert!(
        base.checked_add(cut as u32).is_none(),
        "the cut lies past the wrap"
    );
    c.client_segment_at(base.wrapping_add(cut as u32), &rec[cut..]);
    c.client_segment_at(base, &rec[..cut]);
    c.cseq = base.wrapping_add(rec.len() as u32);
    c.close();
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let run = analyse("wrap.pcap", &cap.buf, &[]);
    let s = run.session("[2001:db8::3]:40003");
    assert_eq!(s["sni"], ch.sni);
    assert_eq!(s["client_hello_bytes"], ch.message.len());
    assert_eq!(s["client_hello_segments"], 2);
    assert_eq!(s["bytes_client"], rec.len());
    assert_eq!(run.flows("out_of_order_segments"), 1);
    assert_eq!(run.flows("capture_gap_bytes"), 0);
    assert_eq!(run.flows("overlap_conflicts"), 0);
}

// ---------------------------------------------------------------------------------------------
// Handshake-layer abuse
// ---------------------------------------------------------------------------------------------

/// A handshake message claiming 16 MB: skipped without buffering (counted as oversized and as a
/// hello that did not parse), and the 1 MB of handshake records that follow run into the
/// per-direction budget.
#[test]
fn handshake_message_claiming_16_mb_is_skipped_and_counted() {
    let mut body = vec![1, 0xff, 0xff, 0xff]; // ClientHello, 16,777,215 bytes
    body.extend_from_slice(&[0x42; 16384 - 4]);
    let mut stream = record(HANDSHAKE, &body);
    for _ in 0..64 {
        stream.extend(record(HANDSHAKE, &[0x42; 16384]));
    }
    let mut c = Conn::new("198.51.100.4:40004", "192.0.2.10:443", 1, 1, T0);
    c.handshake();
    c.client_data(&stream, 1448);
    c.close();
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let run = analyse("16mb.pcap", &cap.buf, &[]);
    let s = run.session("198.51.100.4:40004");
    assert_eq!(s["sni"], Value::Null);
    let p = problems(s);
    assert!(
        p.contains(&"oversized_handshake_message".to_string()),
        "{p:?}"
    );
    assert_eq!(run.flows("oversized_handshake_messages"), 1);
    assert_eq!(run.flows("hello_parse_errors"), 1);
    assert_eq!(run.flows("handshake_budget_exceeded"), 1);
    assert_eq!(s["bytes_client"], stream.len());
}

/// 10,000 extensions of 10,000 distinct types (40 KB, three records): read up to the
/// extension limit, the rest counted as a malformed extension block; the SNI (the first
/// extension) is still reported.
#[test]
fn client_hello_with_10000_extensions_is_read_up_to_the_limit() {
    let mut exts = sni_extension("many.example.test");
    for i in 0..10_000u16 {
        exts.extend_from_slice(&(0x1000 + i).to_be_bytes());
        exts.extend_from_slice(&0u16.to_be_bytes());
    }
    let msg = handshake_msg(1, &client_hello_body(&exts));
    let stream = records(HANDSHAKE, &msg, 16384);
    let mut c = Conn::new("198.51.100.5:40005", "192.0.2.10:443", 1, 1, T0);
    c.handshake();
    c.client_data(&stream, 1448);
    c.close();
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let run = analyse("10k-ext.pcap", &cap.buf, &[]);
    let s = run.session("198.51.100.5:40005");
    assert_eq!(s["sni"], "many.example.test");
    assert_eq!(s["client_hello_bytes"], msg.len());
    assert!(
        problems(s).contains(&"malformed_extension".to_string()),
        "{:?}",
        problems(s)
    );
    assert_eq!(run.flows("malformed_extensions"), 1);
    assert_eq!(run.flows("hello_parse_errors"), 0);
    assert_eq!(run.flows("handshake_budget_exceeded"), 0);
}

/// Zero-length records: 1,000 before the ClientHello and one between each of its fragments
/// (parsed as usual); then, on a second connection, 20,000 after it (100 KB of headers with
/// nothing in them), which run into the handshake budget.
#[test]
fn zero_length_records_are_harmless_and_bounded() {
    let ch = sample_client_hello();
    let mut stream = Vec::new();
    for _ in 0..1000 {
        stream.extend(record(HANDSHAKE, &[]));
    }
    for piece in ch.message.chunks(100) {
        stream.extend(record(HANDSHAKE, piece));
        stream.extend(record(HANDSHAKE, &[]));
    }
    let mut a = Conn::new("198.51.100.6:40006", "192.0.2.10:443", 1, 1, T0);
    a.handshake();
    a.client_data(&stream, 1448);
    a.close();

    let mut stream = ch.record();
    for _ in 0..20_000 {
        stream.extend(record(HANDSHAKE, &[]));
    }
    let mut b = Conn::new("198.51.100.7:40007", "192.0.2.10:443", 1, 1, T0 + 500_000);
    b.handshake();
    b.client_data(&stream, 1448);
    b.close();

    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&a.frames);
    cap.packets(&b.frames);
    let run = analyse("zero-len.pcap", &cap.buf, &[]);
    let sa = run.session("198.51.100.6:40006");
    assert_eq!(sa["sni"], ch.sni);
    assert_eq!(sa["client_hello_bytes"], ch.message.len());
    let sb = run.session("198.51.100.7:40007");
    assert_eq!(sb["sni"], ch.sni);
    assert!(
        problems(sb).contains(&"handshake_budget_exceeded".to_string()),
        "{:?}",
        problems(sb)
    );
    assert_eq!(run.flows("handshake_budget_exceeded"), 1);
    assert_eq!(run.flows("hello_parse_errors"), 0);
}

/// Records split to one byte each: the ClientHello in 512 one-byte records, (a) in full-size
/// segments, (b) one record per segment, (c) one byte per segment; and (d) the 40 KB
/// 10,000-extension ClientHello in one-byte records and one-byte segments (240,000 segments,
/// budget raised so it fits): the same summary every time, in linear time.
#[test]
fn records_split_to_one_byte_each() {
    let ch = sample_client_hello();
    let one_byte_records = records(HANDSHAKE, &ch.message, 1);
    assert_eq!(one_byte_records.len(), 6 * ch.message.len());
    let mut frames = Vec::new();
    for (i, mss) in [(1u16, 1448usize), (2, 6), (3, 1)] {
        let mut c = Conn::new(
            &format!("198.51.100.8:4100{i}"),
            "192.0.2.10:443",
            1,
            1,
            T0 + i as u64 * 10_000_000,
        );
        c.step_us = 1;
        c.handshake();
        c.client_data(&one_byte_records, mss);
        c.close();
        frames.extend(c.frames);
    }
    let mut exts = sni_extension("many.example.test");
    for i in 0..10_000u16 {
        exts.extend_from_slice(&(0x1000 + i).to_be_bytes());
        exts.extend_from_slice(&0u16.to_be_bytes());
    }
    let big = handshake_msg(1, &client_hello_body(&exts));
    let big_records = records(HANDSHAKE, &big, 1);
    let mut d = Conn::new(
        "198.51.100.8:41004",
        "192.0.2.10:443",
        1,
        1,
        T0 + 40_000_000,
    );
    d.step_us = 1;
    d.handshake();
    d.client_data(&big_records, 1);
    d.close();
    frames.extend(d.frames);

    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&frames);
    let run = analyse(
        "one-byte.pcap",
        &cap.buf,
        &["--max-handshake-bytes", "1048576"],
    );
    for (i, segments) in [
        (1, one_byte_records.len().div_ceil(1448)),
        (2, 512),
        (3, 3072),
    ] {
        let s = run.session(&format!("198.51.100.8:4100{i}"));
        assert_eq!(s["sni"], ch.sni, "flow {i}");
        assert_eq!(s["client_hello_bytes"], ch.message.len(), "flow {i}");
        assert_eq!(s["client_hello_segments"], segments, "flow {i}");
        assert_eq!(s["bytes_client"], one_byte_records.len(), "flow {i}");
    }
    let s = run.session("198.51.100.8:41004");
    assert_eq!(s["sni"], "many.example.test");
    assert_eq!(s["client_hello_bytes"], big.len());
    assert_eq!(s["client_hello_segments"], big_records.len());
    assert_eq!(s["bytes_client"], big_records.len());
    assert_eq!(run.flows("handshake_budget_exceeded"), 0);
    assert_eq!(run.flows("malformed_extensions"), 1);
}

/// A ClientHello that never ends: its header claims 65,536 bytes (the one-message limit, so it
/// is buffered, not skipped), and 4 MB of handshake records follow. With record headers the
/// message cannot complete inside the 64 KiB per-direction budget: the direction stops there
/// (counted), and nothing after it is buffered or parsed.
#[test]
fn never_ending_client_hello_stops_at_the_budget() {
    let mut body = vec![1, 0x01, 0x00, 0x00]; // ClientHello, 65,536 bytes
    body.extend_from_slice(&[3, 3]);
    body.extend_from_slice(&[0x11; 1000]);
    let mut stream = record(HANDSHAKE, &body);
    while stream.len() < 4 << 20 {
        stream.extend(record(HANDSHAKE, &[0x11; 16000]));
    }
    let mut c = Conn::new("198.51.100.9:40009", "192.0.2.10:443", 1, 1, T0);
    c.step_us = 10;
    c.handshake();
    c.client_data(&stream, 1448);
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let run = analyse("endless.pcap", &cap.buf, &[]);
    let s = run.session("198.51.100.9:40009");
    assert_eq!(s["sni"], Value::Null);
    assert_eq!(s["client_hello_bytes"], Value::Null);
    assert!(
        problems(s).contains(&"handshake_budget_exceeded".to_string()),
        "{:?}",
        problems(s)
    );
    assert_eq!(s["bytes_client"], stream.len());
    assert_eq!(run.flows("handshake_budget_exceeded"), 1);
    assert_eq!(run.flows("oversized_handshake_messages"), 0);
    assert_eq!(run.flows("hello_parse_errors"), 0);
    assert_eq!(run.flows("pending_segment_overflow"), 0);
}

// ---------------------------------------------------------------------------------------------
// Damaged capture files
// ---------------------------------------------------------------------------------------------

/// A complete connection with the sample ClientHello and a close.
fn hello_conn(client: &str, t0: u64) -> Conn {
    let ch = sample_client_hello();
    let mut c = Conn::new(client, "192.0.2.20:443", 77, 88, t0);
    c.handshake();
    c.client_data(&ch.record(), 1448);
    c.close();
    c
}

/// Packets cut by a 96-byte snaplen: every frame counts as truncated, the ClientHello cannot be
/// read (its flow says `snaplen_truncated`), and the SYN-only flow beside it is unaffected.
#[test]
fn snaplen_truncated_packets_are_counted() {
    let c = hello_conn("198.51.100.10:40010", T0);
    let mut syn = Conn::new("198.51.100.11:40011", "192.0.2.20:443", 5, 0, T0 + 1);
    syn.syn();
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 96);
    cap.packets(&c.frames);
    cap.packets(&syn.frames);
    let run = analyse("snaplen.pcap", &cap.buf, &[]);
    let long_frames = c.frames.iter().filter(|(_, f)| f.len() > 96).count() as u64;
    assert_eq!(long_frames, 1);
    assert_eq!(run.capture("truncated_frames"), long_frames);
    assert_eq!(run.flows("snaplen_truncated_payloads"), 1);
    let s = run.session("198.51.100.10:40010");
    assert_eq!(s["sni"], Value::Null);
    assert!(
        problems(s).contains(&"snaplen_truncated".to_string()),
        "{:?}",
        problems(s)
    );
    assert_eq!(run.session("198.51.100.11:40011")["outcome"], "no_syn_ack");
}

/// pcapng with blocks tlscope does not know (an unknown type, a custom block, an interface
/// statistics block) between the packets: skipped and counted, the packets still analysed.
#[test]
fn pcapng_with_unknown_block_types() {
    let c = hello_conn("198.51.100.12:40012", T0);
    let mut ng = Pcapng::new();
    ng.block(0x0bad_0bad, b"not a block type anyone knows");
    ng.interface(1, 65535);
    for (i, (ts, f)) in c.frames.iter().enumerate() {
        ng.packet(0, *ts, f);
        if i == 2 {
            let mut custom = 32473u32.to_le_bytes().to_vec(); // PEN (example enterprise)
            custom.extend_from_slice(b"custom data");
            ng.block(0x0000_0bad, &custom);
            let mut isb = 0u32.to_le_bytes().to_vec();
            isb.extend_from_slice(&[0; 8]);
            ng.block(5, &isb);
        }
    }
    let run = analyse("unknown-blocks.pcapng", &ng.buf, &[]);
    assert_eq!(run.capture("skipped_blocks"), 3);
    assert_eq!(run.stats["packets"], c.frames.len());
    let s = run.session("198.51.100.12:40012");
    assert_eq!(s["sni"], sample_client_hello().sni);
}

/// A pcap whose last record is cut: everything before it is analysed, the file is counted as
/// truncated, exit status 0.
#[test]
fn pcap_with_a_cut_last_record() {
    let c = hello_conn("198.51.100.13:40013", T0);
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let whole = cap.buf.len();
    let mut syn = Conn::new(
        "198.51.100.14:40014",
        "192.0.2.20:443",
        5,
        0,
        T0 + 1_000_000,
    );
    syn.client_data(&[0x16; 600], 1448);
    cap.packets(&syn.frames);
    cap.buf.truncate(whole + 16 + 100); // inside the last frame
    let run = analyse("cut.pcap", &cap.buf, &[]);
    assert_eq!(run.capture("truncated_files"), 1);
    assert_eq!(run.capture("corrupt_files"), 0);
    assert_eq!(run.stats["packets"], c.frames.len());
    assert_eq!(run.sessions.len(), 1);
    assert_eq!(
        run.session("198.51.100.13:40013")["sni"],
        sample_client_hello().sni
    );
}

/// Not a capture: a corrupted magic number, text, a header cut short. Exit status 2, nothing
/// on stdout, one line on stderr.
#[test]
fn corrupted_header_is_a_usage_error() {
    let c = hello_conn("198.51.100.15:40015", T0);
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let mut bad_magic = cap.buf.clone();
    bad_magic[0] ^= 0x40;
    let mut ng = Pcapng::new();
    ng.interface(1, 65535);
    ng.packets(0, &c.frames);
    let mut bad_byte_order = ng.buf.clone();
    bad_byte_order[8..12].copy_from_slice(&0xdead_beefu32.to_le_bytes());
    let cases: [(&str, &[u8]); 4] = [
        ("bad-magic.pcap", &bad_magic),
        ("text.pcap", b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"),
        ("short-header.pcap", &cap.buf[..10]),
        ("bad-byte-order.pcapng", &bad_byte_order),
    ];
    for (name, bytes) in cases {
        let f = TempFile::new(name, bytes);
        let run = run_json(f.path(), &[]);
        assert_eq!(run.code, Some(2), "{name}: stderr {}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: stdout {}", run.stdout);
        assert_eq!(
            run.stderr.trim_end().lines().count(),
            1,
            "{name}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(f.path()),
            "{name}: names the file: {}",
            run.stderr
        );
    }
}

/// A pcapng with a corrupt block in the middle (a block length that is not a multiple of 4 and
/// disagrees with its trailer): the connection before it is analysed, the one after it is not
/// read, and the file is counted as corrupt; exit status 0.
#[test]
fn pcapng_with_a_corrupt_block_in_the_middle() {
    let a = hello_conn("198.51.100.16:40016", T0);
    let b = hello_conn("198.51.100.17:40017", T0 + 5_000_000);
    let mut ng = Pcapng::new();
    ng.interface(1, 65535);
    ng.packets(0, &a.frames);
    ng.buf.extend_from_slice(&6u32.to_le_bytes());
    ng.buf.extend_from_slice(&0x0000_0007u32.to_le_bytes());
    ng.buf.extend_from_slice(&[0xee; 64]);
    ng.packets(0, &b.frames);
    let run = analyse("corrupt-middle.pcapng", &ng.buf, &[]);
    assert_eq!(run.capture("corrupt_files"), 1);
    assert_eq!(run.stats["packets"], a.frames.len());
    assert_eq!(run.sessions.len(), 1);
    assert_eq!(
        run.session("198.51.100.16:40016")["sni"],
        sample_client_hello().sni
    );
}

/// A pcap record claiming a 4 GiB capture length: not allocated; the file counts as damaged and
/// what came before is analysed.
#[test]
fn pcap_record_claiming_4_gib() {
    let a = hello_conn("198.51.100.18:40018", T0);
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&a.frames);
    cap.buf.extend_from_slice(&1u32.to_le_bytes());
    cap.buf.extend_from_slice(&0u32.to_le_bytes());
    cap.buf.extend_from_slice(&u32::MAX.to_le_bytes());
    cap.buf.extend_from_slice(&u32::MAX.to_le_bytes());
    cap.buf.extend_from_slice(&[0x55; 1000]);
    let run = analyse("4gib.pcap", &cap.buf, &[]);
    assert_eq!(
        run.capture("corrupt_files") + run.capture("truncated_files"),
        1,
        "{}",
        run.stats["capture"]
    );
    assert_eq!(run.stats["packets"], a.frames.len());
    assert_eq!(
        run.session("198.51.100.18:40018")["sni"],
        sample_client_hello().sni
    );
}

// ---------------------------------------------------------------------------------------------
// Regressions: bugs these tests found in src/, fixed since (docs/robustness.md, "Bugs found")
// ---------------------------------------------------------------------------------------------

/// A self-signed P-256 certificate for far-future.example.test, valid from 2026-11-26 until
/// 9999-09-09 (`openssl req -x509 -days 2912000`; GeneralizedTime, as RFC 5280 §4.1.2.5 asks
/// for dates after 2049). Real certificates use 9999-12-31 for "no expiry".
const FAR_FUTURE_CERT: [&str; 10] = [
    "308201ad30820153a0030201020202270f300a06082a8648ce3d04030230223120301e06035504030c176661722d6675",
    "747572652e6578616d706c652e746573743020170d3236313132363231333931375a180f393939393039303932313339",
    "31375a30223120301e06035504030c176661722d6675747572652e6578616d706c652e746573743059301306072a8648",
    "ce3d020106082a8648ce3d030107034200048283864fab44f6d9e790844f986fac7b695abb7b19593c7097e1c3cf8080",
    "853671c451b271eab96c0460a092ac2266c20ca4f17640ad2e197191f9f4a0f3fe83a3773075301d0603551d0e041604",
    "149ded9ca8e7e9d719680d0c0b39298efcdad1cc6b301f0603551d230418301680149ded9ca8e7e9d719680d0c0b3929",
    "8efcdad1cc6b300f0603551d130101ff040530030101ff30220603551d11041b301982176661722d6675747572652e65",
    "78616d706c652e74657374300a06082a8648ce3d0403020348003045022036b512609425ce2c554d7b0844c82c2f4daf",
    "6b771bce1f9038baa8b9a0259f300221008a63d51d190d4a9e36cacfc7dfa79991aeb2c8daa1d38bfe0facda01b651f8",
    "1e",
];

/// A TLS 1.2 certificate valid until the year 9999 is reported with its real `not_after`.
#[test]
fn certificate_valid_until_year_9999() {
    let der = from_hex(&FAR_FUTURE_CERT.concat());
    let mut c = Conn::new("198.51.100.19:40019", "192.0.2.20:443", 1, 1, T0);
    c.handshake();
    c.client_data(&sample_client_hello().record(), 1448);
    c.server_data(&server_flight_tls12(&[&der]), 1448);
    c.close();
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let run = analyse("cert-9999.pcap", &cap.buf, &[]);
    let s = run.session("198.51.100.19:40019");
    assert_eq!(s["version"], "TLSv1.2");
    let cert = &s["cert"];
    assert_eq!(cert["san"][0], "far-future.example.test", "{cert}");
    assert_eq!(cert["not_before"], "2026-11-26T21:39:17Z", "{cert}");
    assert_eq!(cert["not_after"], "9999-09-09T21:39:17Z", "{cert}");
}

/// One stray segment whose sequence number lies 2 GiB ahead (a forged or corrupted packet)
/// must not count 2 GiB of client payload: `bytes_client` is payload bytes sent.
#[test]
fn a_wild_sequence_number_does_not_inflate_bytes_client() {
    let ch = sample_client_hello();
    let mut c = Conn::new("198.51.100.20:40020", "192.0.2.20:443", 1000, 1, T0);
    c.handshake();
    c.client_data(&ch.record(), 1448);
    let wild = c.cseq.wrapping_add(0x7fff_0000);
    c.client_segment_at(wild, &[0x17; 10]);
    c.close();
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let run = analyse("wild-seq.pcap", &cap.buf, &[]);
    let s = run.session("198.51.100.20:40020");
    assert_eq!(s["sni"], ch.sni);
    let bytes = s["bytes_client"].as_u64().unwrap();
    assert!(
        bytes <= (ch.record().len() + 10) as u64,
        "bytes_client {bytes}"
    );
}

/// A ClientHello that is there but does not parse (a 10-byte body), on a connection whose TCP
/// handshake was captured: nothing was lost, so the verdict must not say "midstream" or
/// "capture_gap"; the problem is `malformed_hello`.
#[test]
fn malformed_client_hello_is_not_reported_as_capture_loss() {
    let mut c = Conn::new("198.51.100.21:40021", "192.0.2.20:443", 1, 1, T0);
    c.handshake();
    c.client_data(
        &record(
            HANDSHAKE,
            &handshake_msg(1, &[3, 3, 0, 0, 0, 0, 0, 0, 0, 0]),
        ),
        1448,
    );
    c.close();
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let run = analyse("malformed-hello.pcap", &cap.buf, &[]);
    let s = run.session("198.51.100.21:40021");
    assert_eq!(run.flows("hello_parse_errors"), 1);
    assert_eq!(run.flows("capture_gap_bytes"), 0);
    let p = problems(s);
    assert!(p.contains(&"malformed_hello".to_string()), "{p:?}");
    assert!(
        !p.contains(&"capture_gap".to_string()),
        "{p:?}: {}",
        s["detail"]
    );
    assert_ne!(s["outcome"], "midstream", "{}", s["detail"]);
}

/// The documented cost of a tracked flow (`limits.rs`: "1 M flows stays well under 1 GiB"),
/// measured: 1,000,000 SYN-only flows at the default `--max-flows` (peak RSS from
/// `/usr/bin/time -f %M`; skipped when it is missing).
#[test]
#[ignore = "slow (about 20 s): 1,000,000 flows at the default limit; run with --ignored"]
fn a_million_tracked_flows_stay_under_1_gib() {
    if !std::path::Path::new("/usr/bin/time").exists() {
        println!("/usr/bin/time not found; skipping");
        return;
    }
    let cap = syn_flood_pcap(1_000_000);
    let file = TempFile::new("million-flows.pcap", &cap.buf);
    drop(cap);
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", TLSCOPE, "read", file.path(), "--json"])
        .stdout(Stdio::null())
        .output()
        .expect("run /usr/bin/time tlscope");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_kib: u64 = stderr
        .trim()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no RSS in {stderr:?}"));
    assert!(peak_kib < 1 << 20, "peak RSS {peak_kib} KiB for 1M flows");
}

/// Terminal escape sequences in a server name (attacker-chosen bytes) must not reach the
/// terminal through the human report: control characters are shown escaped, as tcpdump and
/// tshark do.
#[test]
fn control_characters_in_the_sni_do_not_reach_the_terminal() {
    let hostile = "x\u{1b}[2J\u{1b}]0;owned\u{7}.example";
    let msg = handshake_msg(1, &client_hello_body(&sni_extension(hostile)));
    let mut c = Conn::new("198.51.100.23:40023", "192.0.2.20:443", 1, 1, T0);
    c.handshake();
    c.client_data(&record(HANDSHAKE, &msg), 1448);
    c.close();
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let file = TempFile::new("escape.pcap", &cap.buf);
    // JSON escapes them; the report must not print them raw.
    let run = run_json(file.path(), &[]);
    assert_eq!(run.session("198.51.100.23:40023")["sni"], hostile);
    let out = Command::new(TLSCOPE)
        .args(["read", file.path()])
        .output()
        .expect("run tlscope");
    assert!(out.status.success());
    assert!(
        !out.stdout.iter().any(|&b| b == 0x1b || b == 0x07),
        "raw control characters in the report:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `client_hello_segments` counts every segment that carried the ClientHello, however many:
/// here 5,466 one-byte segments (a 911-byte ClientHello in one-byte records).
#[test]
fn client_hello_segments_are_counted_past_4096() {
    let mut exts = sni_extension("many.example.test");
    exts.extend_from_slice(&21u16.to_be_bytes()); // padding
    exts.extend_from_slice(&800u16.to_be_bytes());
    exts.extend_from_slice(&[0; 800]);
    let msg = handshake_msg(1, &client_hello_body(&exts));
    let stream = records(HANDSHAKE, &msg, 1);
    assert!(stream.len() > 4096);
    let mut c = Conn::new("198.51.100.24:40024", "192.0.2.20:443", 1, 1, T0);
    c.step_us = 1;
    c.handshake();
    c.client_data(&stream, 1);
    c.close();
    let mut cap = Pcap::new(LINKTYPE_ETHERNET, 65535);
    cap.packets(&c.frames);
    let run = analyse("5466-segments.pcap", &cap.buf, &[]);
    let s = run.session("198.51.100.24:40024");
    assert_eq!(s["sni"], "many.example.test");
    assert_eq!(s["client_hello_bytes"], msg.len());
    assert_eq!(s["client_hello_segments"], stream.len());
}
