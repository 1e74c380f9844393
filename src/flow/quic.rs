//! One QUIC connection on UDP: the long-header packets each side sent, the Initial packets
//! decrypted with the public Initial keys (RFC 9001 §5.2; nothing after the Initials is
//! decrypted), their CRYPTO frames reassembled per direction and fed to the same TLS handshake
//! parser as TCP, and one verdict.
//!
//! The client is the side whose Initial came first (or the side not on 443). Its first
//! Initial's Destination Connection ID keys both directions' Initials; after a Retry, the DCID
//! of its next Initial does.

use crate::flow::session::{Base, Hellos, alert_record, assemble};
use crate::flow::timeline::{self, Timeline, TlsMarks};
use crate::flow::verdict::EndReason;
use crate::flow::{Endpoint, FlowKey, Segment, TLS_PORT};
use crate::limits;
use crate::output::record::SessionRecord;
use crate::quic::header::version_label as quic_version_label;
use crate::quic::{
    ConnectionClose, CryptoStream, Direction, LongType, Packet, QuicError, client_initial_dcid,
    open_initials, packets,
};
use crate::time::Timestamp;
use crate::tls::stream::Observed;
use crate::tls::{Alert, TlsDirection, names};

/// A side's CRYPTO reassembly and TLS parser, allocated with its first decrypted Initial.
#[derive(Debug)]
struct Crypto {
    stream: CryptoStream,
    tls: TlsDirection,
}

static NO_OBSERVATIONS: Observed = Observed::EMPTY;

/// What one side sent.
#[derive(Debug, Default)]
pub struct QuicSide {
    pub datagrams: u64,
    pub bytes: u64,
    pub initials: u32,
    pub handshakes: u32,
    pub zero_rtt: u32,
    pub short: u32,
    /// Long-header packets of any version, known or not.
    pub long_headers: u32,
    pub first_initial: Option<Timestamp>,
    pub first_short: Option<Timestamp>,
    pub decrypt_failures: u32,
    pub unsupported_version: Option<u32>,
    pub close: Option<(Timestamp, ConnectionClose)>,
    pub retry: bool,
    pub version_negotiation: Option<Vec<u32>>,
    crypto: Option<Box<Crypto>>,
}

impl QuicSide {
    pub fn obs(&self) -> &Observed {
        self.crypto
            .as_ref()
            .map_or(&NO_OBSERVATIONS, |c| &c.tls.obs)
    }
}

#[derive(Debug)]
pub struct QuicConn {
    pub key: FlowKey,
    pub sides: [QuicSide; 2],
    client: Option<usize>,
    client_dcid: Option<Vec<u8>>,
    /// A Retry was seen: the client's next Initial brings the DCID that keys the rest.
    rekey_after_retry: bool,
    /// The first long-header version seen.
    pub version: Option<u32>,
    /// A long header of a version without a TLS handshake (Google QUIC Q0xx).
    pub gquic: Option<u32>,
    pub first_sender: usize,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    pub evicted: bool,
    /// The connection ID the server chose (its first long header's Source Connection ID): the
    /// client's short-header packets carry it, which lets a new client address be followed.
    pub server_cid: Option<Vec<u8>>,
    /// Client addresses the connection moved to (NAT rebinding or migration), at most 4.
    pub migrated_to: Vec<Endpoint>,
    /// The datagrams as a timeline, when asked for (`FlowConfig::timeline`).
    pub timeline: Option<Box<Timeline>>,
}

fn is_google_quic(version: u32) -> bool {
    let b = version.to_be_bytes();
    b[0] == b'Q' && b[1..].iter().all(u8::is_ascii_digit)
}

/// The version of a Google QUIC (Q0xx before Q046) public header: flags byte with the version
/// bit (0x01) and an 8-byte connection ID, then the version. `None` for anything else.
fn gquic_public_header_version(d: &[u8]) -> Option<u32> {
    if d.len() < 13 || d[0] & 0x80 != 0 || d[0] & 0x09 != 0x09 {
        return None;
    }
    let v = u32::from_be_bytes([d[9], d[10], d[11], d[12]]);
    is_google_quic(v).then_some(v)
}

impl QuicConn {
    pub fn new(key: FlowKey, first_sender: usize, ts: Timestamp) -> QuicConn {
        QuicConn {
            key,
            sides: [QuicSide::default(), QuicSide::default()],
            client: None,
            client_dcid: None,
            rekey_after_retry: false,
            version: None,
            gquic: None,
            first_sender,
            first_ts: ts,
            last_ts: ts,
            evicted: false,
            server_cid: None,
            migrated_to: Vec::new(),
            timeline: None,
        }
    }

    pub fn endpoint(&self, side: usize) -> Endpoint {
        self.key.endpoint(side)
    }

    /// The client side: the sender of the first Initial, else the side not on 443, else the
    /// first sender.
    pub fn client_side(&self) -> usize {
        if let Some(c) = self.client {
            return c;
        }
        match (self.key.lo.port == TLS_PORT, self.key.hi.port == TLS_PORT) {
            (true, false) => 1,
            (false, true) => 0,
            _ => self.first_sender,
        }
    }

    /// Keep a timeline of this connection's datagrams.
    pub fn enable_timeline(&mut self) {
        self.timeline
            .get_or_insert_with(|| Box::new(Timeline::quic()));
    }

    pub fn on_datagram(&mut self, seg: &Segment<'_>, side: usize) {
        if self.timeline.is_none() {
            self.track_datagram(seg, side);
            return;
        }
        let count = |c: &QuicConn| {
            let s = &c.sides[side];
            (
                s.initials,
                s.handshakes,
                s.zero_rtt,
                s.short,
                s.retry,
                s.version_negotiation.is_some(),
                s.close.is_some(),
                s.long_headers,
            )
        };
        let before = count(self);
        let marks = TlsMarks::of(self.sides[side].obs());
        let client = self.client_side();
        let open = self.sides[client].short == 0;
        self.track_datagram(seg, side);
        let after = count(self);
        let mut kinds = 0u8;
        for (grew, bit) in [
            (after.0 > before.0, timeline::QUIC_INITIAL),
            (after.1 > before.1, timeline::QUIC_HANDSHAKE),
            (after.2 > before.2, timeline::QUIC_0RTT),
            (after.3 > before.3, timeline::QUIC_SHORT),
            (after.4 && !before.4, timeline::QUIC_RETRY),
            (after.5 && !before.5, timeline::QUIC_VERSION_NEGOTIATION),
        ] {
            if grew {
                kinds |= bit;
            }
        }
        let typed =
            after.0 + after.1 + after.2 + after.3 > before.0 + before.1 + before.2 + before.3;
        if kinds == 0 || (after.7 > before.7 && !typed && kinds & timeline::QUIC_RETRY == 0) {
            kinds |= timeline::QUIC_OTHER;
        }
        let mut labels = timeline::labels(marks, self.sides[side].obs());
        if after.6 && !before.6 {
            labels.push("connection_close".into());
        }
        let packet = timeline::Packet {
            ts: seg.ts,
            side,
            flags: kinds,
            ttl: seg.ttl,
            bytes: seg.payload.len() as u32,
            offset: None,
            ack: None,
            retransmission: false,
        };
        if let Some(t) = self.timeline.as_mut() {
            t.note(packet, open, labels);
        }
    }

    /// `on_datagram` without the timeline.
    fn track_datagram(&mut self, seg: &Segment<'_>, side: usize) {
        let ts = seg.ts;
        self.last_ts = self.last_ts.max(ts);
        // Captures read one after another can go back in time: `first_ts` is the earliest.
        self.first_ts = self.first_ts.min(ts);
        let payload = seg.payload;
        {
            let s = &mut self.sides[side];
            s.datagrams += 1;
            s.bytes += payload.len() as u64;
        }
        let first_dcid = client_initial_dcid(payload);
        if self.client.is_none() && first_dcid.is_some() {
            self.client = Some(side);
        }
        let is_client = self.client_side() == side;
        if is_client
            && (self.client_dcid.is_none() || self.rekey_after_retry)
            && let Some(d) = first_dcid
        {
            self.client_dcid = Some(d.to_vec());
            self.rekey_after_retry = false;
        }
        if let Some(v) = gquic_public_header_version(payload) {
            self.gquic.get_or_insert(v);
        }
        let negotiated = self.sides[1 - side].version_negotiation.is_some();
        for packet in packets(payload) {
            let Ok(packet) = packet else { break };
            if let Some(v) = packet.version() {
                if is_google_quic(v) {
                    self.gquic.get_or_insert(v);
                } else if !matches!(packet, Packet::VersionNegotiation(_)) {
                    self.version.get_or_insert(v);
                }
            }
            if !is_client
                && self.server_cid.is_none()
                && let Packet::Long(p) = &packet
                && !p.header.scid.is_empty()
            {
                self.server_cid = Some(p.header.scid.to_vec());
            }
            let s = &mut self.sides[side];
            if !matches!(packet, Packet::Short(_)) {
                s.long_headers += 1;
            }
            match packet {
                Packet::Long(p) => match p.ty {
                    LongType::Initial => {
                        s.initials += 1;
                        s.first_initial.get_or_insert(ts);
                        // After a Version Negotiation, the client's next Initial carries the
                        // version the connection really uses.
                        if is_client && negotiated {
                            self.version = Some(p.header.version);
                        }
                    }
                    LongType::Handshake => s.handshakes += 1,
                    LongType::ZeroRtt => s.zero_rtt += 1,
                    LongType::Retry => {}
                },
                Packet::Retry(_) => {
                    if !s.retry {
                        s.retry = true;
                        self.rekey_after_retry = true;
                    }
                }
                Packet::VersionNegotiation(vn) => {
                    s.version_negotiation.get_or_insert(vn.versions.clone());
                }
                // A long header of a version we cannot read (greased, to force version
                // negotiation): from the client, still an attempt to start a connection.
                Packet::UnknownVersion(_) if is_client => {
                    s.initials += 1;
                    s.first_initial.get_or_insert(ts);
                }
                Packet::UnknownVersion(_) => {}
                Packet::Short(_) => {
                    s.short += 1;
                    s.first_short.get_or_insert(ts);
                }
            }
        }
        let Some(dcid) = self.client_dcid.clone() else {
            return;
        };
        let dir = if is_client {
            Direction::Client
        } else {
            Direction::Server
        };
        for opened in open_initials(payload, &dcid, dir) {
            let s = &mut self.sides[side];
            match opened {
                Ok(p) => {
                    if let Some(close) = p.close {
                        s.close.get_or_insert((ts, close));
                    }
                    let c = s.crypto.get_or_insert_with(|| {
                        Box::new(Crypto {
                            stream: CryptoStream::new(),
                            tls: TlsDirection::handshake_messages(),
                        })
                    });
                    for (offset, data) in &p.crypto {
                        c.stream.insert(*offset, data);
                    }
                    let (off, new) = c.stream.take_new();
                    if !new.is_empty() {
                        c.tls.feed(new, off, ts);
                    }
                }
                Err(QuicError::DecryptionFailed) => s.decrypt_failures += 1,
                Err(QuicError::UnsupportedVersion(v)) => {
                    s.unsupported_version.get_or_insert(v);
                }
                Err(_) => {}
            }
        }
    }

    /// A datagram of this connection seen on another 5-tuple (the client's address changed):
    /// counted on the side it came from, judged by the server's endpoint.
    pub fn on_moved_datagram(&mut self, seg: &Segment<'_>) {
        let client = self.client_side();
        let server = self.endpoint(1 - client);
        let (side, new_client) = if seg.dst == server {
            (client, seg.src)
        } else if seg.src == server {
            (1 - client, seg.dst)
        } else {
            return;
        };
        if !self.migrated_to.contains(&new_client) && self.migrated_to.len() < 4 {
            self.migrated_to.push(new_client);
        }
        self.on_datagram(seg, side);
    }

    pub fn buffered(&self) -> usize {
        self.sides
            .iter()
            .filter_map(|s| s.crypto.as_ref())
            .map(|c| c.stream.buffered() + c.tls.buffered())
            .sum()
    }
}

fn alert_from_close(close: &ConnectionClose, ts: Timestamp) -> Option<Alert> {
    close.tls_alert().map(|description| Alert {
        level: 2,
        description,
        ts,
    })
}

/// The verdict and the record of a finished QUIC connection.
pub fn quic_record(conn: &QuicConn, end: EndReason, now: Timestamp) -> SessionRecord {
    let client = conn.client_side();
    let server = 1 - client;
    let (cs, ss) = (&conn.sides[client], &conn.sides[server]);
    let mut h = Hellos::new(cs.obs(), ss.obs());
    // A CONNECTION_CLOSE in an Initial carrying a TLS alert is QUIC's plaintext alert.
    let close_alert = [(true, cs), (false, ss)]
        .into_iter()
        .filter_map(|(from_client, s)| {
            s.close
                .as_ref()
                .and_then(|(t, c)| alert_from_close(c, *t))
                .map(|a| (from_client, a))
        })
        .min_by_key(|(_, a)| a.ts);
    if h.alert.is_none() {
        h.alert = close_alert;
    }
    let mut problems: Vec<&'static str> = Vec::new();
    let server_name = conn.endpoint(server).to_string();
    let version = conn.version.or(conn.gquic).map(quic_version_label);
    if cs.decrypt_failures + ss.decrypt_failures > 0 {
        problems.push("quic_decryption_failed");
    }
    if ss.retry {
        problems.push("quic_retry");
    }
    if conn.evicted {
        problems.push("evicted");
    }
    if !conn.migrated_to.is_empty() {
        problems.push("quic_address_changed");
    }
    let answered_after_hello = cs
        .first_short
        .is_some_and(|t| ss.first_initial.is_some_and(|s| t > s));
    let (outcome, detail): (&'static str, String) = if let Some(v) = conn.gquic {
        problems.push("gquic");
        (
            "not_tls",
            format!(
                "Google QUIC ({}): its handshake is not TLS",
                quic_version_label(v)
            ),
        )
    } else if cs.datagrams == 0 {
        problems.push("one_sided_capture");
        (
            "incomplete",
            "only the server's datagrams are in the capture: no verdict".into(),
        )
    } else if h.ch.is_none() && cs.long_headers == 0 {
        (
            "midstream",
            "no Initial packets seen: the capture joined an existing QUIC connection".into(),
        )
    } else if let Some(vn) = &ss.version_negotiation
        && ss.initials == 0
    {
        problems.push("quic_version_negotiation");
        let offered: Vec<String> = vn.iter().map(|v| quic_version_label(*v)).collect();
        (
            "no_server_hello",
            format!(
                "the server does not speak QUIC version {}; it offered {}",
                version.as_deref().unwrap_or("?"),
                offered.join(", ")
            ),
        )
    } else if let Some((from_client, a)) = h.alert {
        let desc = names::alert_name(a.description).unwrap_or("unknown");
        let from = if from_client { "client" } else { "server" };
        (
            "alert",
            format!("CONNECTION_CLOSE with TLS alert {desc} from the {from}"),
        )
    } else if h.sh.is_some() && answered_after_hello {
        (
            "established",
            "handshake completed: the client sent 1-RTT packets".into(),
        )
    } else if ss.datagrams == 0 {
        let first = h.ch_ts.or(cs.first_initial);
        let waited = first.map(|t| now.ms_since(t) / 1000.0).unwrap_or(0.0);
        // The wait to report: until the client's own CONNECTION_CLOSE, when it gave up (later
        // packets of other flows are not its wait), else until now.
        let gave_up = cs.close.as_ref().map_or(now, |(t, _)| (*t).min(now));
        let shown = first.map(|t| gave_up.ms_since(t) / 1000.0).unwrap_or(0.0);
        // A client that resent its Initial over a second or more was waiting, and gave up.
        let resent = cs.initials >= 2
            && cs
                .first_initial
                .is_some_and(|t| conn.last_ts.ms_since(t) >= 1000.0);
        if end != EndReason::EndOfInput || waited >= limits::NO_ANSWER_WAIT_SECS as f64 || resent {
            problems.push("quic_unanswered");
            (
                "no_server_hello",
                format!(
                    "{} client Initial(s) to {server_name} got no answer ({shown:.1} s): UDP 443 blocked?",
                    cs.initials
                ),
            )
        } else {
            (
                "incomplete",
                "the input ended while waiting for the server's Initial".into(),
            )
        }
    } else if h.ch.is_none() {
        (
            "incomplete",
            "the ClientHello could not be read from the client's Initials".into(),
        )
    } else {
        (
            "incomplete",
            "no 1-RTT packets from the client after the server's Initial".into(),
        )
    };
    let handshake_ms = if outcome == "established" {
        h.ch_ts.zip(cs.first_short).map(|(c, s)| s.ms_since(c))
    } else {
        None
    };
    let base = Base {
        transport: "quic",
        first_ts: conn.first_ts,
        last_ts: conn.last_ts,
        client: conn.endpoint(client).to_string(),
        server: server_name,
        outcome,
        detail,
        tcp_rtt_ms: None,
        handshake_ms,
        bytes_client: cs.bytes,
        bytes_server: ss.bytes,
        capture_point: None,
        rtt_client_ms: None,
        rtt_server_ms: None,
        server_think_ms: None,
    };
    let mut rec = assemble(base, &h, true, problems);
    rec.quic_version = version;
    // The close's alert belongs in the list of alerts too (it came in plaintext Initials).
    if let Some((from_client, a)) = close_alert
        && h.c.alerts.is_empty()
        && h.s.alerts.is_empty()
    {
        rec.alerts.push(alert_record(from_client, &a));
    }
    rec
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::TcpMeta;
    use crate::flow::PROTO_UDP;
    use crate::quic::vectors::{self, hex};

    fn ep(s: &str) -> Endpoint {
        let (ip, port) = s.rsplit_once(':').unwrap();
        Endpoint {
            ip: ip.parse().unwrap(),
            port: port.parse().unwrap(),
        }
    }

    fn datagram(q: &mut QuicConn, from: &str, to: &str, ms: i64, payload: &[u8]) {
        let (key, side) = FlowKey::new(ep(from), ep(to), PROTO_UDP);
        assert_eq!(key, q.key);
        let ts = Timestamp(ms * 1_000_000);
        let seg = Segment::synthetic(ts, ep(from), ep(to), PROTO_UDP, TcpMeta::default(), payload);
        q.on_datagram(&seg, side);
    }

    const CLIENT: &str = "192.0.2.1:50000";
    const SERVER: &str = "198.51.100.1:443";

    fn conn() -> QuicConn {
        let (key, side) = FlowKey::new(ep(CLIENT), ep(SERVER), PROTO_UDP);
        QuicConn::new(key, side, Timestamp(0))
    }

    #[test]
    fn rfc9001_initials_give_the_hellos() {
        let mut q = conn();
        datagram(&mut q, CLIENT, SERVER, 0, &hex(vectors::V1_CLIENT_INITIAL));
        datagram(&mut q, SERVER, CLIENT, 30, &hex(vectors::V1_SERVER_INITIAL));
        // A short-header packet from the client afterwards: the handshake completed.
        let mut short = vec![0x40];
        short.extend_from_slice(&[0x11; 40]);
        datagram(&mut q, CLIENT, SERVER, 61, &short);
        let r = quic_record(&q, EndReason::EndOfInput, Timestamp(61_000_000));
        assert_eq!(r.transport, "quic");
        assert_eq!(r.quic_version.as_deref(), Some("1"));
        assert_eq!(r.client, CLIENT);
        assert_eq!(r.sni.as_deref(), Some("example.com"));
        assert_eq!(r.version.as_deref(), Some("TLSv1.3"));
        assert_eq!(r.cipher.as_deref(), Some("TLS_AES_128_GCM_SHA256"));
        assert_eq!(r.group.as_deref(), Some("x25519"));
        assert_eq!(r.outcome, "established");
        assert_eq!(r.server_hello_ms, Some(30.0));
        assert_eq!(r.handshake_ms, Some(61.0));
        assert!(r.ja4.as_deref().unwrap().starts_with('q'));
    }

    #[test]
    fn unanswered_initials_are_no_server_hello() {
        let mut q = conn();
        datagram(&mut q, CLIENT, SERVER, 0, &hex(vectors::V1_CLIENT_INITIAL));
        datagram(
            &mut q,
            CLIENT,
            SERVER,
            1000,
            &hex(vectors::V1_CLIENT_INITIAL),
        );
        let r = quic_record(&q, EndReason::EndOfInput, Timestamp(9_000_000_000));
        assert_eq!(r.outcome, "no_server_hello");
        assert_eq!(r.problems, vec!["quic_unanswered"]);
        assert_eq!(r.sni.as_deref(), Some("example.com"));
    }

    #[test]
    fn v2_initials() {
        let mut q = conn();
        datagram(&mut q, CLIENT, SERVER, 0, &hex(vectors::V2_CLIENT_INITIAL));
        datagram(&mut q, SERVER, CLIENT, 5, &hex(vectors::V2_SERVER_INITIAL));
        let r = quic_record(&q, EndReason::EndOfInput, Timestamp(5_000_000));
        assert_eq!(r.quic_version.as_deref(), Some("quicv2"));
        assert_eq!(r.sni.as_deref(), Some("example.com"));
        assert_eq!(r.cipher.as_deref(), Some("TLS_AES_128_GCM_SHA256"));
        assert_eq!(r.outcome, "incomplete");
    }
}
