//! A real ClientHello (1.7 KB, from `samples/big-client-hello.pcap`, made by Python's ssl
//! module against nginx) cut at every offset into two segments, re-framed into records of
//! every size, and cut at random into many segments and records: the summary is always the
//! same, and the segment count is exact.

use tlscope::capture::CaptureStats;
use tlscope::capture::file::read_file;
use tlscope::decode::decode;
use tlscope::time::Timestamp;
use tlscope::tls::TlsDirection;

/// The client's first TLS record (header included) from the sample, in sequence order.
fn real_client_hello_record() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/big-client-hello.pcap");
    let mut stats = CaptureStats::default();
    let mut segs: Vec<(u32, Vec<u8>)> = Vec::new();
    read_file(path, &mut stats, |p| {
        if let Ok(d) = decode(p.linktype, p.data)
            && d.dport == 443
            && !d.payload.is_empty()
        {
            segs.push((d.tcp.seq, d.payload.to_vec()));
        }
        true
    })
    .unwrap();
    segs.sort_by_key(|s| s.0);
    segs.dedup_by_key(|s| s.0);
    let stream: Vec<u8> = segs.into_iter().flat_map(|s| s.1).collect();
    assert_eq!(stream[0], 22, "starts with a handshake record");
    let len = u16::from_be_bytes([stream[3], stream[4]]) as usize;
    stream[..5 + len].to_vec()
}

/// Re-frames a handshake message into records of at most `max` bytes.
fn reframe(message: &[u8], max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in message.chunks(max) {
        out.extend_from_slice(&[22, 3, 1]);
        out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

fn feed(parts: &[&[u8]]) -> TlsDirection {
    let mut d = TlsDirection::new();
    let mut off = 0u64;
    for (i, p) in parts.iter().enumerate() {
        d.feed(p, off, Timestamp(i as i64));
        off += p.len() as u64;
    }
    d
}

#[test]
fn every_cut_and_every_record_size_gives_the_same_summary() {
    let record = real_client_hello_record();
    let message = &record[5..];
    assert!(message.len() > 1500, "a hello larger than one MSS");
    let reference = feed(&[&record]);
    let (ch, meta) = reference.obs.client_hellos[0].clone();
    assert_eq!(ch.sni.as_deref(), Some("www.example.test"));
    assert_eq!(meta.segments, 1);
    assert_eq!(meta.len as usize, message.len());

    // Two segments, cut at every offset.
    for k in 1..record.len() {
        let d = feed(&[&record[..k], &record[k..]]);
        let (got, m) = &d.obs.client_hellos[0];
        assert_eq!(got, &ch, "cut at {k}");
        assert_eq!(m.segments, 2, "cut at {k}");
        assert_eq!(m.ts, Timestamp(0));
    }
    // One segment, records of every size.
    for max in 1..=message.len() {
        let stream = reframe(message, max);
        let d = feed(&[&stream]);
        assert_eq!(d.obs.client_hellos.len(), 1, "records of {max}");
        assert_eq!(d.obs.client_hellos[0].0, ch, "records of {max}");
    }
}

#[test]
fn random_segment_and_record_splits() {
    let record = real_client_hello_record();
    let message = &record[5..];
    let reference = feed(&[&record]).obs.client_hellos[0].0.clone();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize + 1
    };
    for _ in 0..500 {
        let stream = reframe(message, next(message.len()));
        let mut parts: Vec<&[u8]> = Vec::new();
        let mut rest = &stream[..];
        while !rest.is_empty() {
            let n = next(rest.len().min(300));
            parts.push(&rest[..n]);
            rest = &rest[n..];
        }
        let d = feed(&parts);
        let (got, m) = &d.obs.client_hellos[0];
        assert_eq!(got, &reference);
        assert_eq!(
            m.segments as usize,
            parts.len(),
            "every part carries hello bytes"
        );
    }
}
