//! Micro-benchmarks of the hot paths, on real bytes read from `samples/*.pcap` at start:
//!
//! - `decode`: one Ethernet frame → TCP/UDP segment (`decode::decode`), per frame kind.
//! - `flow`: `FlowTable::on_segment` for a bulk segment of an established flow whose handshake
//!   is decided (buffers released), the table holding 10,000 such flows; the same flow every
//!   time (cache-warm) and the flows in turn (a lookup that misses the cache).
//! - `reassembly`: a server's first flight (3 captured segments) through a fresh
//!   `Reassembler`, in order and reversed.
//! - `hello`: `parse_client_hello` on three real ClientHello bodies, and `TlsDirection::feed`
//!   with a whole client first flight and a TLS 1.2 server flight (certificate chain parsed).
//! - `fingerprint`: JA3, JA4 (all four forms), JA4 as records carry it, JA3S.
//!
//! Run: `cargo bench --bench hot_path` (quick look: `-- --warm-up-time 1 --measurement-time 2`).
//! Numbers and the machine they were taken on go to docs/performance.md.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use tlscope::capture::CaptureStats;
use tlscope::capture::file::read_file;
use tlscope::decode::{decode, tcp_flags};
use tlscope::flow::conn::{Class, Connection};
use tlscope::flow::reassembly::Reassembler;
use tlscope::flow::{Endpoint, FlowConfig, FlowKey, FlowTable, PROTO_TCP, Segment};
use tlscope::limits::DEFAULT_MAX_HANDSHAKE_BYTES;
use tlscope::time::Timestamp;
use tlscope::tls::fingerprint;
use tlscope::tls::hello::{ClientHello, ServerHello, parse_client_hello, parse_server_hello};
use tlscope::tls::stream::TlsDirection;

/// Flows in the table for the lookup benchmark.
const FLOWS: usize = 10_000;
/// TCP payload of a full segment at MTU 1500 with timestamps.
const MSS: usize = 1448;

struct Frame {
    ts: Timestamp,
    linktype: u32,
    data: Vec<u8>,
}

fn frames(sample: &str) -> Vec<Frame> {
    let path = format!("{}/samples/{sample}.pcap", env!("CARGO_MANIFEST_DIR"));
    let mut stats = CaptureStats::default();
    let mut out = Vec::new();
    read_file(&path, &mut stats, |p| {
        out.push(Frame {
            ts: p.ts,
            linktype: p.linktype,
            data: p.data.to_vec(),
        });
        true
    })
    .unwrap_or_else(|e| panic!("{path}: {e}"));
    out
}

/// The TCP segments of a sample (every frame must decode).
fn segments(frames: &[Frame]) -> Vec<Segment<'_>> {
    frames
        .iter()
        .map(|f| {
            let d = decode(f.linktype, &f.data).expect("sample frames decode");
            Segment::from_decoded(f.ts, &d)
        })
        .collect()
}

/// One direction's payload bytes, concatenated in capture order (the samples have no loss,
/// reordering or retransmission).
fn stream(segs: &[Segment<'_>], to_port: u16) -> Vec<u8> {
    segs.iter()
        .filter(|s| s.dst.port == to_port)
        .flat_map(|s| s.payload.iter().copied())
        .collect()
}

/// The body of the handshake message that opens a client stream (a ClientHello in one record).
fn client_hello_body(stream: &[u8]) -> &[u8] {
    assert_eq!(stream[0], 22, "handshake record");
    assert_eq!(stream[5], 1, "ClientHello");
    let len = u32::from_be_bytes([0, stream[6], stream[7], stream[8]]) as usize;
    &stream[9..9 + len]
}

fn hello(sample: &str) -> (Vec<u8>, ClientHello) {
    let f = frames(sample);
    let s = stream(&segments(&f), 443);
    let body = client_hello_body(&s).to_vec();
    let ch = parse_client_hello(&body).expect("sample ClientHello parses");
    (body, ch)
}

fn bench_decode(c: &mut Criterion) {
    let h2 = frames("tls13-h2");
    let v6 = frames("tls13-ipv6");
    let quic = frames("quic-h3");
    let pick = |fs: &[Frame], want: &dyn Fn(usize) -> bool| -> Vec<u8> {
        fs.iter()
            .find(|f| {
                let d = decode(f.linktype, &f.data).unwrap();
                want(d.payload.len())
            })
            .map(|f| f.data.clone())
            .expect("a matching frame")
    };
    let cases = [
        ("ipv4_tcp_1448", pick(&h2, &|n| n == MSS)),
        ("ipv4_tcp_ack", pick(&h2, &|n| n == 0)),
        ("ipv6_tcp_data", pick(&v6, &|n| n > 0)),
        ("ipv4_udp_quic_initial", pick(&quic, &|n| n >= 1200)),
    ];
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(1));
    for (name, frame) in &cases {
        g.bench_function(*name, |b| {
            b.iter(|| decode(black_box(1), black_box(frame)).map(|d| d.payload.len()))
        });
    }
    g.finish();
}

/// A bulk segment of an established flow: `FLOWS` copies of the tls13-h2 connection (up to,
/// not including, its FINs) with distinct client addresses, then server data segments.
fn bench_flow(c: &mut Criterion) {
    let f = frames("tls13-h2");
    let segs = segments(&f);
    let open: Vec<Segment<'_>> = segs
        .iter()
        .copied()
        .take_while(|s| s.tcp.flags & (tcp_flags::FIN | tcp_flags::RST) == 0)
        .collect();
    let server = open[0].dst;
    let client_of = |i: usize| Endpoint {
        ip: IpAddr::V4(Ipv4Addr::new(10, (i >> 16) as u8, (i >> 8) as u8, i as u8)),
        port: 40_000 + (i % 20_000) as u16,
    };
    fn retarget<'a>(s: &Segment<'a>, client: Endpoint) -> Segment<'a> {
        let mut s = *s;
        if s.dst.port == 443 {
            s.src = client;
        } else {
            s.dst = client;
        }
        s
    }

    // The replayed handshake decides the flow: both directions release their buffers.
    let (key, side) = FlowKey::new(open[0].src, open[0].dst, PROTO_TCP);
    let mut conn = Connection::new(
        key,
        side,
        open[0].ts,
        Class::Analysed,
        DEFAULT_MAX_HANDSHAKE_BYTES,
    );
    for s in &open {
        let (_, side) = FlowKey::new(s.src, s.dst, PROTO_TCP);
        conn.on_tcp(s, side);
    }
    assert!(conn.decided, "the tls13-h2 handshake must decide the flow");

    let mut table = FlowTable::new(FlowConfig::default());
    for i in 0..FLOWS {
        for s in &open {
            table.on_segment(&retarget(s, client_of(i)));
        }
    }
    assert_eq!(table.len(), FLOWS);
    assert!(table.take_records().is_empty());

    // Server → client application data, one record's worth of random-looking bytes.
    let payload: Vec<u8> = (0..MSS as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let last_server = open.iter().rev().find(|s| s.src == server).unwrap();
    let last_client = open.iter().rev().find(|s| s.dst == server).unwrap();
    let server_next = last_server
        .tcp
        .seq
        .wrapping_add(last_server.payload.len() as u32);
    let client_next = last_client
        .tcp
        .seq
        .wrapping_add(last_client.payload.len() as u32);
    let mut bulk = *last_server;
    bulk.payload = &payload;
    bulk.tcp.flags = tcp_flags::ACK;
    bulk.tcp.ack = client_next;
    let clients: Vec<Endpoint> = (0..FLOWS).map(client_of).collect();
    let mut next = vec![server_next; FLOWS];

    let mut g = c.benchmark_group("flow");
    g.throughput(Throughput::Elements(1));
    g.bench_function("on_segment_bulk_same_flow", |b| {
        b.iter(|| {
            bulk.dst = clients[0];
            bulk.tcp.seq = next[0];
            next[0] = next[0].wrapping_add(MSS as u32);
            table.on_segment(black_box(&bulk));
        })
    });
    let mut k = 0usize;
    g.bench_function("on_segment_bulk_10k_flows_in_turn", |b| {
        b.iter(|| {
            let i = k % FLOWS;
            k = k.wrapping_add(7919); // a prime stride: neighbours in memory are not neighbours here
            bulk.dst = clients[i];
            bulk.tcp.seq = next[i];
            next[i] = next[i].wrapping_add(MSS as u32);
            table.on_segment(black_box(&bulk));
        })
    });
    g.finish();
    assert_eq!(
        table.len(),
        FLOWS,
        "no flow may be written while benchmarking"
    );
    assert_eq!(table.counters.retransmitted_segments, 0);
}

fn bench_reassembly(c: &mut Criterion) {
    let f = frames("tls12-chain-out-of-order");
    let segs = segments(&f);
    let flight: Vec<(u32, &[u8])> = segs
        .iter()
        .filter(|s| s.src.port == 443 && !s.payload.is_empty())
        .take_while(|s| s.payload.len() == MSS || s.payload[0] != 20)
        .map(|s| (s.tcp.seq, s.payload))
        .collect();
    let synack = segs
        .iter()
        .find(|s| s.tcp.flags & tcp_flags::SYN != 0 && s.src.port == 443)
        .unwrap();
    let base = synack.tcp.seq.wrapping_add(1);
    let total: usize = flight.iter().map(|(_, p)| p.len()).sum();
    let ts = synack.ts;
    let run = |order: &[(u32, &[u8])]| {
        let mut r = Reassembler::new(DEFAULT_MAX_HANDSHAKE_BYTES);
        r.set_base(base);
        let mut delivered = 0usize;
        for (seq, data) in order {
            r.insert(*seq, data, ts, &mut |bytes, _, _| delivered += bytes.len());
        }
        delivered
    };
    assert_eq!(run(&flight), total);
    let reversed: Vec<(u32, &[u8])> = flight.iter().rev().copied().collect();
    assert_eq!(run(&reversed), total);

    let mut g = c.benchmark_group("reassembly");
    g.throughput(Throughput::Bytes(total as u64));
    let name = format!("server_flight_{}_segments", flight.len());
    g.bench_function(format!("{name}_in_order"), |b| {
        b.iter(|| run(black_box(&flight)))
    });
    g.bench_function(format!("{name}_reversed"), |b| {
        b.iter(|| run(black_box(&reversed)))
    });
    g.finish();
}

fn bench_hello(c: &mut Criterion) {
    let mut g = c.benchmark_group("hello");
    for (name, sample) in [
        ("parse_client_hello_curl_508", "tls13-h2"),
        ("parse_client_hello_pq_1609", "tls13-pq"),
        ("parse_client_hello_alpn_1766", "big-client-hello"),
    ] {
        let (body, _) = hello(sample);
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_function(name, |b| b.iter(|| parse_client_hello(black_box(&body))));
    }

    // The stream parser: record and handshake defragmentation, hello summaries, certificates.
    let h2 = frames("tls13-h2");
    let h2_segs = segments(&h2);
    let first_flight: Vec<u8> = h2_segs
        .iter()
        .find(|s| s.dst.port == 443 && !s.payload.is_empty())
        .unwrap()
        .payload
        .to_vec();
    let chain = frames("tls12-chain");
    let chain_segs = segments(&chain);
    let server = stream(&chain_segs, 42101);
    let feed = |bytes: &[u8]| {
        let mut d = TlsDirection::new();
        d.feed(bytes, 0, Timestamp::ZERO);
        d
    };
    assert_eq!(feed(&first_flight).obs.client_hellos.len(), 1);
    let s = feed(&server);
    assert!(s.obs.server_hello.is_some() && s.obs.certificate.is_some());
    g.throughput(Throughput::Bytes(first_flight.len() as u64));
    g.bench_function("tls_direction_client_first_flight", |b| {
        b.iter(|| feed(black_box(&first_flight)).obs.client_hellos.len())
    });
    g.throughput(Throughput::Bytes(server.len() as u64));
    g.bench_function("tls_direction_tls12_server_stream_chain", |b| {
        b.iter(|| feed(black_box(&server)).obs.certificate.is_some())
    });
    g.finish();
}

fn server_hello(sample: &str, client_port: u16) -> ServerHello {
    let f = frames(sample);
    let s = stream(&segments(&f), client_port);
    assert_eq!((s[0], s[5]), (22, 2), "ServerHello record");
    let len = u32::from_be_bytes([0, s[6], s[7], s[8]]) as usize;
    parse_server_hello(&s[9..9 + len]).expect("sample ServerHello parses")
}

fn bench_fingerprint(c: &mut Criterion) {
    let mut g = c.benchmark_group("fingerprint");
    for (label, sample) in [("curl", "tls13-h2"), ("pq", "tls13-pq")] {
        let (_, ch) = hello(sample);
        let alpn = ch.alpn_first_raw.clone();
        g.bench_function(format!("ja3_{label}"), |b| {
            b.iter(|| fingerprint::ja3(black_box(&ch)))
        });
        g.bench_function(format!("ja4_all_forms_{label}"), |b| {
            b.iter(|| fingerprint::ja4(black_box(&ch), alpn.as_deref(), false))
        });
        g.bench_function(format!("ja4_sorted_{label}"), |b| {
            b.iter(|| fingerprint::ja4_sorted(black_box(&ch), alpn.as_deref(), false))
        });
    }
    let sh = server_hello("tls12-cert", 40201);
    g.bench_function("ja3s_tls12", |b| {
        b.iter(|| fingerprint::ja3s(black_box(&sh)))
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_decode,
    bench_flow,
    bench_reassembly,
    bench_hello,
    bench_fingerprint
);
criterion_main!(benches);
