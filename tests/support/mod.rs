//! Test support for `tests/adversarial.rs`: a small pcap and pcapng writer, Ethernet / IPv4 /
//! IPv6 / TCP frame builders, a TCP conversation builder that tracks sequence numbers, TLS record
//! builders, the real ClientHello of `samples/tls13-h2.pcap`, and a runner for the built binary.
//!
//! Nothing here uses the crate's own code: captures are written byte by byte, and the binary is
//! judged only by its JSON Lines output (`SPEC.md`).

#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Capture files
// ---------------------------------------------------------------------------------------------

pub const LINKTYPE_ETHERNET: u32 = 1;

/// A classic pcap file (little-endian, microsecond timestamps) built in memory.
pub struct Pcap {
    pub buf: Vec<u8>,
    snaplen: u32,
}

impl Pcap {
    pub fn new(linktype: u32, snaplen: u32) -> Pcap {
        let mut buf = Vec::with_capacity(1 << 16);
        buf.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        buf.extend_from_slice(&2u16.to_le_bytes());
        buf.extend_from_slice(&4u16.to_le_bytes());
        buf.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        buf.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        buf.extend_from_slice(&snaplen.to_le_bytes());
        buf.extend_from_slice(&linktype.to_le_bytes());
        Pcap { buf, snaplen }
    }

    /// Appends a frame captured at `ts_us`, cut to the snaplen like a capture would.
    pub fn packet(&mut self, ts_us: u64, frame: &[u8]) {
        let caplen = frame.len().min(self.snaplen as usize);
        self.buf
            .extend_from_slice(&((ts_us / 1_000_000) as u32).to_le_bytes());
        self.buf
            .extend_from_slice(&((ts_us % 1_000_000) as u32).to_le_bytes());
        self.buf.extend_from_slice(&(caplen as u32).to_le_bytes());
        self.buf
            .extend_from_slice(&(frame.len() as u32).to_le_bytes());
        self.buf.extend_from_slice(&frame[..caplen]);
    }

    pub fn packets(&mut self, frames: &[(u64, Vec<u8>)]) {
        for (ts, f) in frames {
            self.packet(*ts, f);
        }
    }
}

/// A pcapng file built in memory, block by block (little-endian, µs resolution).
pub struct Pcapng {
    pub buf: Vec<u8>,
}

impl Pcapng {
    /// Starts with a Section Header Block.
    pub fn new() -> Pcapng {
        let mut p = Pcapng { buf: Vec::new() };
        let mut shb = Vec::new();
        shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
        shb.extend_from_slice(&1u16.to_le_bytes());
        shb.extend_from_slice(&0u16.to_le_bytes());
        shb.extend_from_slice(&(-1i64).to_le_bytes());
        p.block(0x0a0d_0d0a, &shb);
        p
    }

    /// Any block: type, body (padded to 4 bytes), both length fields.
    pub fn block(&mut self, btype: u32, body: &[u8]) {
        let len = 12 + body.len().div_ceil(4) * 4;
        self.buf.extend_from_slice(&btype.to_le_bytes());
        self.buf.extend_from_slice(&(len as u32).to_le_bytes());
        self.buf.extend_from_slice(body);
        self.buf.resize(self.buf.len() + (len - 12 - body.len()), 0);
        self.buf.extend_from_slice(&(len as u32).to_le_bytes());
    }

    /// Interface Description Block (default µs resolution).
    pub fn interface(&mut self, linktype: u16, snaplen: u32) {
        let mut idb = Vec::new();
        idb.extend_from_slice(&linktype.to_le_bytes());
        idb.extend_from_slice(&0u16.to_le_bytes());
        idb.extend_from_slice(&snaplen.to_le_bytes());
        self.block(1, &idb);
    }

    /// Enhanced Packet Block on interface `if_id`.
    pub fn packet(&mut self, if_id: u32, ts_us: u64, frame: &[u8]) {
        let mut epb = Vec::new();
        epb.extend_from_slice(&if_id.to_le_bytes());
        epb.extend_from_slice(&((ts_us >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(ts_us as u32).to_le_bytes());
        epb.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        epb.extend_from_slice(frame);
        self.block(6, &epb);
    }

    pub fn packets(&mut self, if_id: u32, frames: &[(u64, Vec<u8>)]) {
        for (ts, f) in frames {
            self.packet(if_id, *ts, f);
        }
    }
}

impl Default for Pcapng {
    fn default() -> Self {
        Pcapng::new()
    }
}

// ---------------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------------

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

fn checksum(data: &[u8]) -> u16 {
    let mut sum = 0u32;
    for c in data.chunks(2) {
        let w = if c.len() == 2 {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], 0])
        };
        sum += w as u32;
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An Ethernet II frame carrying IPv4 or IPv6 (by the address family) and a TCP segment with a
/// 20-byte header. Checksums: the IPv4 header's is right, the TCP one is left zero (tlscope,
/// like capture points with offload, does not verify it).
pub fn tcp_frame(
    src: SocketAddr,
    dst: SocketAddr,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + 40 + 20 + payload.len());
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, 2]); // destination MAC
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, 1]); // source MAC
    let tcp_len = 20 + payload.len();
    match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            f.extend_from_slice(&0x0800u16.to_be_bytes());
            let mut ip = [0u8; 20];
            ip[0] = 0x45;
            ip[2..4].copy_from_slice(&((20 + tcp_len) as u16).to_be_bytes());
            ip[6] = 0x40; // don't fragment
            ip[8] = 64;
            ip[9] = 6;
            ip[12..16].copy_from_slice(&s.octets());
            ip[16..20].copy_from_slice(&d.octets());
            let c = checksum(&ip);
            ip[10..12].copy_from_slice(&c.to_be_bytes());
            f.extend_from_slice(&ip);
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            f.extend_from_slice(&0x86ddu16.to_be_bytes());
            f.extend_from_slice(&[0x60, 0, 0, 0]);
            f.extend_from_slice(&(tcp_len as u16).to_be_bytes());
            f.extend_from_slice(&[6, 64]);
            f.extend_from_slice(&s.octets());
            f.extend_from_slice(&d.octets());
        }
        _ => panic!("mixed address families"),
    }
    f.extend_from_slice(&src.port().to_be_bytes());
    f.extend_from_slice(&dst.port().to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&ack.to_be_bytes());
    f.extend_from_slice(&[5 << 4, flags]);
    f.extend_from_slice(&65535u16.to_be_bytes()); // window
    f.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
    f.extend_from_slice(payload);
    f
}

pub fn addr(s: &str) -> SocketAddr {
    s.parse().expect("socket address")
}

/// One TCP connection as a list of timestamped frames. Tracks both sides' next sequence
/// numbers; every call advances the clock by `step_us`.
pub struct Conn {
    pub client: SocketAddr,
    pub server: SocketAddr,
    /// Next sequence number of each side.
    pub cseq: u32,
    pub sseq: u32,
    pub t_us: u64,
    pub step_us: u64,
    pub frames: Vec<(u64, Vec<u8>)>,
}

impl Conn {
    pub fn new(client: &str, server: &str, client_isn: u32, server_isn: u32, t0_us: u64) -> Conn {
        Conn {
            client: addr(client),
            server: addr(server),
            cseq: client_isn,
            sseq: server_isn,
            t_us: t0_us,
            step_us: 1000,
            frames: Vec::new(),
        }
    }

    fn push(&mut self, from_client: bool, seq: u32, flags: u8, payload: &[u8]) {
        let (src, dst, ack) = if from_client {
            (self.client, self.server, self.sseq)
        } else {
            (self.server, self.client, self.cseq)
        };
        let ack = if flags & ACK != 0 { ack } else { 0 };
        self.frames
            .push((self.t_us, tcp_frame(src, dst, seq, ack, flags, payload)));
        self.t_us += self.step_us;
    }

    /// A SYN alone (no answer follows unless the test sends one).
    pub fn syn(&mut self) {
        self.push(true, self.cseq, SYN, &[]);
        self.cseq = self.cseq.wrapping_add(1);
    }

    /// SYN, SYN/ACK, ACK.
    pub fn handshake(&mut self) {
        self.push(true, self.cseq, SYN, &[]);
        self.cseq = self.cseq.wrapping_add(1);
        self.push(false, self.sseq, SYN | ACK, &[]);
        self.sseq = self.sseq.wrapping_add(1);
        self.push(true, self.cseq, ACK, &[]);
    }

    /// In-order data from the client, in segments of at most `mss` bytes.
    pub fn client_data(&mut self, data: &[u8], mss: usize) {
        for c in data.chunks(mss.max(1)) {
            self.push(true, self.cseq, PSH | ACK, c);
            self.cseq = self.cseq.wrapping_add(c.len() as u32);
        }
    }

    /// In-order data from the server, in segments of at most `mss` bytes.
    pub fn server_data(&mut self, data: &[u8], mss: usize) {
        for c in data.chunks(mss.max(1)) {
            self.push(false, self.sseq, PSH | ACK, c);
            self.sseq = self.sseq.wrapping_add(c.len() as u32);
        }
    }

    /// A client segment at an explicit sequence number (out of order, overlapping, forged);
    /// does not move the tracked sequence number.
    pub fn client_segment_at(&mut self, seq: u32, data: &[u8]) {
        self.push(true, seq, PSH | ACK, data);
    }

    /// FIN from the client, FIN from the server, last ACK.
    pub fn close(&mut self) {
        self.push(true, self.cseq, FIN | ACK, &[]);
        self.cseq = self.cseq.wrapping_add(1);
        self.push(false, self.sseq, FIN | ACK, &[]);
        self.sseq = self.sseq.wrapping_add(1);
        self.push(true, self.cseq, ACK, &[]);
    }
}

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

pub const HANDSHAKE: u8 = 22;

/// One TLS record (version 0x0303).
pub fn record(ctype: u8, body: &[u8]) -> Vec<u8> {
    assert!(body.len() <= 0xffff);
    let mut r = vec![ctype, 3, 3];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// `payload` cut into records of at most `max` bytes each.
pub fn records(ctype: u8, payload: &[u8], max: usize) -> Vec<u8> {
    payload
        .chunks(max.max(1))
        .flat_map(|c| record(ctype, c))
        .collect()
}

/// A handshake message: type, 24-bit length, body.
pub fn handshake_msg(ty: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![ty];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

/// The server_name extension (type 0) for `host`.
pub fn sni_extension(host: &str) -> Vec<u8> {
    let h = host.as_bytes();
    let mut e = Vec::new();
    e.extend_from_slice(&0u16.to_be_bytes());
    e.extend_from_slice(&((h.len() + 5) as u16).to_be_bytes());
    e.extend_from_slice(&((h.len() + 3) as u16).to_be_bytes());
    e.push(0); // host_name
    e.extend_from_slice(&(h.len() as u16).to_be_bytes());
    e.extend_from_slice(h);
    e
}

/// A ClientHello body built field by field: TLS 1.2 legacy version, a fixed random and
/// session id, two suites, null compression, then `extensions` (already framed) as given.
pub fn client_hello_body(extensions: &[u8]) -> Vec<u8> {
    let mut b = vec![3, 3];
    b.extend_from_slice(&[0x5a; 32]);
    b.push(32);
    b.extend_from_slice(&[0xa5; 32]);
    b.extend_from_slice(&4u16.to_be_bytes());
    b.extend_from_slice(&[0x13, 0x01, 0xc0, 0x2f]);
    b.extend_from_slice(&[1, 0]);
    assert!(extensions.len() <= 0xffff);
    b.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
    b.extend_from_slice(extensions);
    b
}

/// A TLS 1.2 ServerHello body (no extensions): version 0x0303, a fixed random, an empty
/// session id, `cipher`, null compression.
pub fn server_hello_tls12_body(cipher: u16) -> Vec<u8> {
    let mut b = vec![3, 3];
    b.extend_from_slice(&[0x33; 32]);
    b.push(0);
    b.extend_from_slice(&cipher.to_be_bytes());
    b.push(0);
    b
}

/// A Certificate message body carrying `ders` (leaf first).
pub fn certificate_body(ders: &[&[u8]]) -> Vec<u8> {
    let list: Vec<u8> = ders
        .iter()
        .flat_map(|d| {
            let mut e = (d.len() as u32).to_be_bytes()[1..].to_vec();
            e.extend_from_slice(d);
            e
        })
        .collect();
    let mut b = (list.len() as u32).to_be_bytes()[1..].to_vec();
    b.extend_from_slice(&list);
    b
}

/// A TLS 1.2 server flight in one handshake record: ServerHello
/// (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), Certificate with `ders`, ServerHelloDone.
pub fn server_flight_tls12(ders: &[&[u8]]) -> Vec<u8> {
    let mut hs = handshake_msg(2, &server_hello_tls12_body(0xc02f));
    hs.extend(handshake_msg(11, &certificate_body(ders)));
    hs.extend(handshake_msg(14, &[]));
    record(HANDSHAKE, &hs)
}

pub fn from_hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The ClientHello curl sent in `samples/tls13-h2.pcap`: the handshake message (4-byte header
/// included), read from the capture.
pub struct SampleHello {
    pub message: Vec<u8>,
    pub sni: &'static str,
}

impl SampleHello {
    /// The one record carrying it, as curl sent it.
    pub fn record(&self) -> Vec<u8> {
        record(HANDSHAKE, &self.message)
    }

    /// Position of the server name inside [`SampleHello::record`].
    pub fn sni_pos_in_record(&self) -> usize {
        let r = self.record();
        r.windows(self.sni.len())
            .position(|w| w == self.sni.as_bytes())
            .expect("SNI in the ClientHello")
    }
}

/// Reads the first ClientHello record of `samples/tls13-h2.pcap` (Ethernet, IPv4, one segment).
pub fn sample_client_hello() -> SampleHello {
    let path = crate_path("samples/tls13-h2.pcap");
    let data = std::fs::read(&path).expect("samples/tls13-h2.pcap");
    assert_eq!(
        data[..4],
        0xa1b2_c3d4u32.to_le_bytes(),
        "little-endian µs pcap"
    );
    let mut off = 24;
    while off + 16 <= data.len() {
        let caplen = u32::from_le_bytes(data[off + 8..off + 12].try_into().unwrap()) as usize;
        let frame = &data[off + 16..off + 16 + caplen];
        off += 16 + caplen;
        if frame.len() < 54 || frame[12..14] != [0x08, 0x00] || frame[23] != 6 {
            continue;
        }
        let ihl = (frame[14] & 0x0f) as usize * 4;
        let total = u16::from_be_bytes([frame[16], frame[17]]) as usize;
        let tcp = &frame[14 + ihl..14 + total];
        let payload = &tcp[(tcp[12] >> 4) as usize * 4..];
        if payload.len() > 9 && payload[0] == HANDSHAKE && payload[5] == 1 {
            let len = u16::from_be_bytes([payload[3], payload[4]]) as usize;
            let message = payload[5..5 + len].to_vec();
            let hs_len = u32::from_be_bytes([0, message[1], message[2], message[3]]) as usize;
            assert_eq!(hs_len + 4, message.len(), "one message in one record");
            return SampleHello {
                message,
                sni: "www.example.test",
            };
        }
    }
    panic!("no ClientHello in {}", path.display());
}

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

pub const TLSCOPE: &str = env!("CARGO_BIN_EXE_tlscope");

pub fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A file in the temporary directory, removed when dropped.
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn new(name: &str, bytes: &[u8]) -> TempFile {
        let p = std::env::temp_dir().join(format!("tlscope-adv-{}-{name}", std::process::id()));
        std::fs::write(&p, bytes).expect("write temporary capture");
        TempFile(p)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

/// What `tlscope read FILE --json` printed.
pub struct Run {
    pub code: Option<i32>,
    pub sessions: Vec<Value>,
    pub stats: Value,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `stats.flows` counter `name`.
    pub fn flows(&self, name: &str) -> u64 {
        self.stats["flows"][name]
            .as_u64()
            .unwrap_or_else(|| panic!("no flows.{name} in {}", self.stats))
    }

    /// The `stats.capture` counter `name`.
    pub fn capture(&self, name: &str) -> u64 {
        self.stats["capture"][name]
            .as_u64()
            .unwrap_or_else(|| panic!("no capture.{name} in {}", self.stats))
    }

    /// The one session whose client is `client` (`ip:port`).
    pub fn session(&self, client: &str) -> &Value {
        let found: Vec<&Value> = self
            .sessions
            .iter()
            .filter(|s| s["client"] == client)
            .collect();
        assert_eq!(found.len(), 1, "sessions for {client}: {:?}", self.sessions);
        found[0]
    }
}

pub fn problems(session: &Value) -> Vec<String> {
    session["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

/// Runs `tlscope read FILE --json EXTRA...` and splits its output into sessions and stats.
pub fn run_json(file: &str, extra: &[&str]) -> Run {
    let out = Command::new(TLSCOPE)
        .args(["read", file, "--json"])
        .args(extra)
        .output()
        .expect("run tlscope");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut sessions = Vec::new();
    let mut stats = Value::Null;
    for line in stdout.lines() {
        let v: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:.200}"));
        match v["type"].as_str() {
            Some("session") => sessions.push(v),
            Some("stats") => stats = v,
            other => panic!("unexpected record type {other:?}"),
        }
    }
    Run {
        code: out.status.code(),
        sessions,
        stats,
        stdout,
        stderr,
    }
}

/// Writes `bytes` to a temporary file and runs [`run_json`] on it; checks exit status 0.
pub fn analyse(name: &str, bytes: &[u8], extra: &[&str]) -> Run {
    let f = TempFile::new(name, bytes);
    let run = run_json(f.path(), extra);
    assert_eq!(
        run.code,
        Some(0),
        "{name}: exit status; stderr: {}",
        run.stderr
    );
    assert!(run.stats.is_object(), "{name}: no stats record");
    run
}
