//! A connection's packets as a readable timeline (`--timeline`, `--conn`, `--html`).
//!
//! Off by default: it costs a few hundred bytes per connection while the handshake is open.
//! Every packet is noted until both directions' handshakes are decided; after that only SYN,
//! FIN and RST (the data phase is counted, not listed). What each packet made readable in the
//! sender's TLS stream is found by comparing that stream's observations before and after it,
//! so a ServerHello is shown on the packet that completed it, reordering included.

use crate::decode::tcp_flags::{ACK, CWR, ECE, FIN, PSH, RST, SYN, URG};
use crate::output::record::{TimelineEvent, TimelineRecord};
use crate::time::Timestamp;
use crate::tls::Observed;
use crate::tls::names;

/// Packets listed per connection; the rest are counted in `packets_not_shown`.
pub const MAX_TIMELINE_EVENTS: usize = 64;
/// Of those, kept free for the end of the connection (FIN, RST) once the handshake fills the
/// list.
const RESERVED_FOR_CLOSE: usize = 8;

/// What a direction's TLS stream had shown, to tell what one packet added.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct TlsMarks {
    client_hellos: usize,
    server_hello: bool,
    hello_retry: bool,
    handshake_types: u32,
    ccs: bool,
    alerts: usize,
    encrypted_alerts: u32,
    encrypted_handshake: u32,
    app_records: u32,
    not_tls: bool,
    abandoned: bool,
}

impl TlsMarks {
    pub fn of(o: &Observed) -> TlsMarks {
        TlsMarks {
            client_hellos: o.client_hellos.len(),
            server_hello: o.server_hello.is_some(),
            hello_retry: o.hello_retry.is_some(),
            handshake_types: o.handshake_types,
            ccs: o.ccs.is_some(),
            alerts: o.alerts.len(),
            encrypted_alerts: o.encrypted_alerts,
            encrypted_handshake: o.encrypted_handshake_records,
            app_records: o.app_records,
            not_tls: o.not_tls,
            abandoned: o.abandoned,
        }
    }
}

/// The labels for what `after` shows beyond `before`, in handshake order.
fn tls_labels(before: TlsMarks, after: TlsMarks, o: &Observed) -> Vec<String> {
    let mut out = Vec::new();
    if after == before {
        return out;
    }
    for _ in before.client_hellos..after.client_hellos {
        out.push("client_hello".to_string());
    }
    if after.hello_retry && !before.hello_retry {
        out.push("hello_retry_request".into());
    }
    if after.server_hello && !before.server_hello {
        out.push("server_hello".into());
    }
    // Other plaintext handshake messages, first sighting of each type.
    let new_types = after.handshake_types & !before.handshake_types;
    for t in [4u8, 11, 12, 13, 14, 15, 16, 20, 22] {
        if new_types & (1 << t) != 0 {
            out.push(handshake_name(t).into());
        }
    }
    if after.ccs && !before.ccs {
        out.push("change_cipher_spec".into());
    }
    if after.encrypted_handshake > before.encrypted_handshake {
        out.push("encrypted_handshake".into());
    }
    let apps = after.app_records.saturating_sub(before.app_records);
    match apps {
        0 => {}
        1 => out.push("application_data".into()),
        n => out.push(format!("application_data x{n}")),
    }
    for a in o.alerts.iter().take(after.alerts).skip(before.alerts) {
        let name = names::alert_name(a.description)
            .map(str::to_string)
            .unwrap_or_else(|| format!("unknown({})", a.description));
        let level = if a.level == 2 { "fatal" } else { "warning" };
        out.push(format!("alert:{name} ({level})"));
    }
    if after.encrypted_alerts > before.encrypted_alerts {
        out.push("encrypted_alert".into());
    }
    if after.not_tls && !before.not_tls {
        out.push("not_tls".into());
    }
    if after.abandoned && !before.abandoned {
        let why = o.abandon_reason.unwrap_or("parse_stopped");
        out.push(format!("parse_stopped:{why}"));
    }
    out
}

fn handshake_name(t: u8) -> &'static str {
    match t {
        4 => "new_session_ticket",
        11 => "certificate",
        12 => "server_key_exchange",
        13 => "certificate_request",
        14 => "server_hello_done",
        15 => "certificate_verify",
        16 => "client_key_exchange",
        20 => "finished",
        22 => "certificate_status",
        _ => "handshake",
    }
}

/// TCP flags the way tcpdump prints them: `S`, `S.`, `P.`, `F.`, `R.`, `.`.
pub fn flags_label(f: u8) -> String {
    let mut s = String::with_capacity(4);
    for (bit, c) in [
        (FIN, 'F'),
        (SYN, 'S'),
        (RST, 'R'),
        (PSH, 'P'),
        (ACK, '.'),
        (URG, 'U'),
        (ECE, 'E'),
        (CWR, 'W'),
    ] {
        if f & bit != 0 {
            s.push(c);
        }
    }
    if s.is_empty() {
        s.push_str("none");
    }
    s
}

/// One noted packet; `side` is the flow key's side (client and server are decided at the end).
#[derive(Debug)]
struct Event {
    ts: Timestamp,
    side: u8,
    flags: u8,
    ttl: u8,
    retransmission: bool,
    bytes: u32,
    offset: Option<u32>,
    ack: Option<u32>,
    tls: Vec<String>,
}

/// A packet as the connection saw it, for the timeline.
pub struct Packet {
    pub ts: Timestamp,
    pub side: usize,
    pub flags: u8,
    pub ttl: u8,
    pub bytes: u32,
    pub offset: Option<u32>,
    pub ack: Option<u32>,
    pub retransmission: bool,
}

#[derive(Debug, Default)]
pub struct Timeline {
    events: Vec<Event>,
    not_shown: u64,
    /// A QUIC connection: `flags` holds the datagram's packet kinds (`QUIC_*`).
    quic: bool,
}

/// Packet kinds in one QUIC datagram, for its timeline entry.
pub const QUIC_INITIAL: u8 = 1;
pub const QUIC_HANDSHAKE: u8 = 2;
pub const QUIC_0RTT: u8 = 4;
pub const QUIC_RETRY: u8 = 8;
pub const QUIC_VERSION_NEGOTIATION: u8 = 16;
pub const QUIC_SHORT: u8 = 32;
pub const QUIC_OTHER: u8 = 64;

/// A QUIC datagram's packet kinds: `Initial`, `Initial+Handshake`, `1-RTT`, ...
pub fn quic_kinds_label(k: u8) -> String {
    let names = [
        (QUIC_INITIAL, "Initial"),
        (QUIC_HANDSHAKE, "Handshake"),
        (QUIC_0RTT, "0-RTT"),
        (QUIC_RETRY, "Retry"),
        (QUIC_VERSION_NEGOTIATION, "VN"),
        (QUIC_SHORT, "1-RTT"),
        (QUIC_OTHER, "other"),
    ];
    let parts: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| k & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join("+")
    }
}

impl Timeline {
    /// A timeline of QUIC datagrams.
    pub fn quic() -> Timeline {
        Timeline {
            quic: true,
            ..Timeline::default()
        }
    }

    /// Notes a packet. `handshake_open`: the handshake was not decided before this packet.
    pub fn note(&mut self, p: Packet, handshake_open: bool, tls: Vec<String>) {
        let control = if self.quic {
            p.flags & (QUIC_RETRY | QUIC_VERSION_NEGOTIATION) != 0
        } else {
            p.flags & (SYN | FIN | RST) != 0
        };
        let room = if control {
            MAX_TIMELINE_EVENTS
        } else {
            MAX_TIMELINE_EVENTS - RESERVED_FOR_CLOSE
        };
        if (!handshake_open && !control && tls.is_empty()) || self.events.len() >= room {
            self.not_shown += 1;
            return;
        }
        self.events.push(Event {
            ts: p.ts,
            side: p.side as u8,
            flags: p.flags,
            ttl: p.ttl,
            retransmission: p.retransmission,
            bytes: p.bytes,
            offset: p.offset,
            ack: p.ack,
            tls,
        });
    }

    /// The wire form, times relative to `first_ts`, sides named from `client`.
    pub fn record(&self, first_ts: Timestamp, client: usize) -> TimelineRecord {
        TimelineRecord {
            events: self
                .events
                .iter()
                .map(|e| TimelineEvent {
                    t_ms: ms_between(first_ts, e.ts),
                    from: if e.side as usize == client {
                        "client"
                    } else {
                        "server"
                    },
                    flags: if self.quic {
                        quic_kinds_label(e.flags)
                    } else {
                        flags_label(e.flags)
                    },
                    bytes: e.bytes,
                    offset: e.offset.map(u64::from),
                    ack: e.ack.map(u64::from),
                    retransmission: e.retransmission,
                    ttl: e.ttl,
                    tls: e.tls.clone(),
                })
                .collect(),
            packets_not_shown: self.not_shown,
        }
    }
}

/// Milliseconds from `a` to `b`, rounded to the microsecond.
fn ms_between(a: Timestamp, b: Timestamp) -> f64 {
    let ns = b.nanos().saturating_sub(a.nanos());
    (ns / 1_000) as f64 / 1_000.0
}

/// What one packet made readable in its sender's TLS stream.
pub fn labels(before: TlsMarks, o: &Observed) -> Vec<String> {
    tls_labels(before, TlsMarks::of(o), o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkt(ms: i64, side: usize, flags: u8, bytes: u32) -> Packet {
        Packet {
            ts: Timestamp(ms * 1_000_000),
            side,
            flags,
            ttl: 64,
            bytes,
            offset: None,
            ack: None,
            retransmission: false,
        }
    }

    #[test]
    fn flags_print_like_tcpdump() {
        assert_eq!(flags_label(SYN), "S");
        assert_eq!(flags_label(SYN | ACK), "S.");
        assert_eq!(flags_label(PSH | ACK), "P.");
        assert_eq!(flags_label(FIN | ACK), "F.");
        assert_eq!(flags_label(RST), "R");
        assert_eq!(flags_label(SYN | ECE | CWR), "SEW");
        assert_eq!(flags_label(0), "none");
    }

    #[test]
    fn the_data_phase_is_counted_and_the_close_is_kept_when_full() {
        let mut t = Timeline::default();
        for i in 0..100 {
            t.note(pkt(i, 0, ACK, 100), true, Vec::new());
        }
        assert_eq!(t.events.len(), MAX_TIMELINE_EVENTS - RESERVED_FOR_CLOSE);
        t.note(pkt(200, 1, RST, 0), true, Vec::new());
        // After the handshake: data is counted, not listed; FIN is listed.
        t.note(pkt(201, 0, ACK, 1000), false, Vec::new());
        t.note(pkt(202, 0, FIN | ACK, 0), false, Vec::new());
        let r = t.record(Timestamp(0), 0);
        assert_eq!(r.events.len(), MAX_TIMELINE_EVENTS - RESERVED_FOR_CLOSE + 2);
        assert_eq!(r.packets_not_shown, 100 - 56 + 1);
        let last = r.events.last().unwrap();
        assert_eq!(
            (last.flags.as_str(), last.from, last.t_ms),
            ("F.", "client", 202.0)
        );
        assert_eq!(r.events[56].from, "server");
    }

    #[test]
    fn quic_datagrams_are_labelled_by_packet_kind() {
        assert_eq!(quic_kinds_label(QUIC_INITIAL), "Initial");
        assert_eq!(
            quic_kinds_label(QUIC_INITIAL | QUIC_HANDSHAKE),
            "Initial+Handshake"
        );
        assert_eq!(quic_kinds_label(QUIC_SHORT), "1-RTT");
        assert_eq!(quic_kinds_label(0), "none");
        let mut t = Timeline::quic();
        t.note(
            pkt(0, 0, QUIC_INITIAL, 1200),
            true,
            vec!["client_hello".into()],
        );
        t.note(pkt(5, 1, QUIC_SHORT, 50), false, Vec::new());
        let r = t.record(Timestamp(0), 0);
        assert_eq!(r.events.len(), 1);
        assert_eq!(r.events[0].flags, "Initial");
        assert_eq!(r.packets_not_shown, 1);
    }

    #[test]
    fn labels_name_what_a_packet_added() {
        let mut o = Observed::default();
        let before = TlsMarks::of(&o);
        o.handshake_types |= (1 << 11) | (1 << 14);
        o.ccs = Some(Timestamp(1));
        o.app_records = 3;
        o.alerts.push(crate::tls::stream::Alert {
            level: 2,
            description: 48,
            ts: Timestamp(2),
        });
        assert_eq!(
            labels(before, &o),
            [
                "certificate",
                "server_hello_done",
                "change_cipher_spec",
                "application_data x3",
                "alert:unknown_ca (fatal)"
            ]
        );
        assert!(labels(TlsMarks::of(&o), &o).is_empty());
    }
}
