//! One verdict per connection, with the evidence: turns a finished [`Connection`] into the
//! SPEC's session record. The rules are written out in order in [`outcome`]; each outcome
//! comes with a one-line `detail` a person can act on and named `problems`.

use crate::flow::conn::{Connection, MAX_ENCRYPTED_ALERT_LEN, Side};
use crate::flow::session::{Base, Hellos, assemble, is_tls13, version_label};
use crate::output::record::SessionRecord;
use crate::time::Timestamp;
use crate::tls::names;
use crate::tls::stream::Observed;

/// Why the connection is being written now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// FIN from both sides or a RST, then the linger time passed.
    Closed,
    /// No packet for the idle timeout.
    Idle,
    /// The input ended (`now` is the last capture time of the input).
    EndOfInput,
    /// Evicted to make room in a full flow table.
    Evicted,
    /// A new SYN reused the 5-tuple.
    Reused,
}

/// A TLS 1.3 direction sent an encrypted record after its first one (its Finished, or the
/// server's flight) that is too big to be an alert.
pub fn tls13_data_after_finished(o: &Observed) -> bool {
    let seen = (o.app_records as usize).min(o.app_lens.len());
    o.app_records as usize > o.app_lens.len()
        || o.app_lens[1.min(seen)..seen]
            .iter()
            .any(|&l| l > MAX_ENCRYPTED_ALERT_LEN)
}

/// Everything the verdict needs, gathered once. Dereferences to the [`Hellos`].
struct View<'a> {
    conn: &'a Connection,
    client: usize,
    server: usize,
    h: Hellos<'a>,
}

impl<'a> std::ops::Deref for View<'a> {
    type Target = Hellos<'a>;
    fn deref(&self) -> &Hellos<'a> {
        &self.h
    }
}

impl<'a> View<'a> {
    fn new(conn: &'a Connection) -> View<'a> {
        let client = conn.client_side();
        let server = 1 - client;
        View {
            conn,
            client,
            server,
            h: Hellos::new(conn.sides[client].obs(), conn.sides[server].obs()),
        }
    }

    /// Application data from the client: in TLS 1.3 its first encrypted record is its
    /// Finished, so data means a later record that is not alert-sized; in TLS ≤ 1.2 any
    /// application-data record.
    fn client_data_flowed(&self) -> bool {
        let c = self.c;
        match self.version() {
            Some(v) if is_tls13(v) => tls13_data_after_finished(c),
            _ => c.app_records > 0,
        }
    }

    fn established(&self) -> bool {
        if self.sh.is_none() {
            return false;
        }
        let fatal_first = self.alert.is_some_and(|(_, a)| a.level == 2);
        if fatal_first {
            return false;
        }
        match self.version() {
            Some(v) if is_tls13(v) => self.client_data_flowed(),
            // TLS ≤ 1.2: both Finished messages (encrypted handshake records after each
            // ChangeCipherSpec) complete the handshake, as Zeek's `established` has it.
            _ => {
                let finished = |o: &Observed| o.ccs.is_some() && o.encrypted_handshake_records > 0;
                (finished(self.c) && finished(self.s))
                    || self.client_data_flowed()
                    || self.s.app_records > 0
            }
        }
    }
}

/// Which side alone the capture shows, when the other side demonstrably sent packets the
/// capture does not have: its peer acknowledged data never seen, or the client sent TLS data
/// although not even a SYN/ACK was captured.
fn one_sided(v: &View<'_>) -> Option<&'static str> {
    let cs = &v.conn.sides[v.client];
    let ss = &v.conn.sides[v.server];
    if ss.packets == 0 && cs.packets > 0 && (cs.acked_unseen_data || v.ch.is_some()) {
        return Some("client");
    }
    if cs.packets == 0 && ss.packets > 0 && (ss.acked_unseen_data || v.sh.is_some()) {
        return Some("server");
    }
    None
}

/// The client's stream lacks its first bytes and the server, which sent nothing, acknowledged
/// none of them: they never reached it (a hole the receiver acknowledged would be capture
/// loss). What a capture at the server shows when the path drops the first, full-size segment
/// of a ClientHello. Returns the bytes missing.
fn client_start_never_arrived(v: &View<'_>) -> Option<u64> {
    let cs = &v.conn.sides[v.client];
    let ss = &v.conn.sides[v.server];
    let missing = cs.counters().gaps;
    (v.ch.is_none()
        && v.c.first_content_type.is_none()
        && cs.syn.is_some()
        && ss.synack.is_some()
        && cs.payload_segments > 0
        && missing > 0
        && ss.payload_segments == 0
        && ss.max_acked == 0)
        .then_some(missing)
}

/// The outcome and its one-line explanation.
fn outcome(
    v: &View<'_>,
    end: EndReason,
    now: Timestamp,
    problems: &mut Vec<&'static str>,
) -> (&'static str, String) {
    let conn = v.conn;
    let cs = &conn.sides[v.client];
    let ss = &conn.sides[v.server];
    let server_name = conn.endpoint(v.server).to_string();
    let who_reset = || match (cs.rst, ss.rst) {
        (Some(a), Some(b)) if a <= b => "client",
        (Some(_), None) => "client",
        (_, Some(_)) => "server",
        _ => "nobody",
    };

    // 1. The TCP handshake never completed.
    if v.ch.is_none() && cs.syn.is_some() && ss.synack.is_none() && ss.payload_segments == 0 {
        if ss.rst.is_some() {
            return (
                "refused",
                format!(
                    "{server_name} answered the SYN with a reset (nothing listening, or a firewall rejecting)"
                ),
            );
        }
        return (
            "no_syn_ack",
            format!(
                "{} SYN(s) to {server_name} got no answer (host down, filtered, or routing)",
                cs.syns
            ),
        );
    }
    // 2. Not TLS on the port.
    if v.c.not_tls {
        return (
            "not_tls",
            "the client's first bytes are not a TLS record (plain-text protocol on the port)"
                .into(),
        );
    }
    let Some(_ch) = v.ch else {
        if v.s.not_tls && cs.payload_segments == 0 {
            return (
                "not_tls",
                "the server spoke first, and not TLS (e.g. SSH or SMTP banner)".into(),
            );
        }
        if cs.syn.is_none() && ss.synack.is_none() {
            problems.push("midstream");
            return (
                "midstream",
                "no TCP or TLS handshake seen: the capture joined an existing connection".into(),
            );
        }
        // The client began a handshake record but no ClientHello came out of it: it did not
        // parse, or it never completed.
        if v.c.first_content_type == Some(crate::tls::stream::content::HANDSHAKE) {
            if v.c.hello_errors > 0 || v.c.abandon_reason.is_some_and(|r| r != "gap") {
                return (
                    "incomplete",
                    "the client's ClientHello did not parse (malformed or oversized)".into(),
                );
            }
            if cs.counters().gaps == 0 && v.c.abandon_reason.is_none() {
                return (
                    "incomplete",
                    "the client's ClientHello never completed before the connection ended".into(),
                );
            }
        }
        if let Some(missing) = client_start_never_arrived(v) {
            return (
                "incomplete",
                format!(
                    "the client's first {missing} bytes never reached {server_name} (it \
                     acknowledged none of them; {} later bytes did): no ClientHello to read",
                    cs.bytes.saturating_sub(missing)
                ),
            );
        }
        if cs.payload_segments > 0 || ss.payload_segments > 0 {
            problems.push("capture_gap");
            return (
                "midstream",
                "the ClientHello is missing from the capture (capture loss); later data only"
                    .into(),
            );
        }
        if cs.rst.is_some() || ss.rst.is_some() {
            return (
                "reset",
                format!("connection reset by the {} before any data", who_reset()),
            );
        }
        if end == EndReason::EndOfInput && conn.closed_at.is_none() {
            return (
                "incomplete",
                "TCP connected; the input ended before the ClientHello".into(),
            );
        }
        problems.push("no_client_hello");
        return (
            "no_client_hello",
            "TCP connected, then closed without a ClientHello".into(),
        );
    };

    // 3. A ClientHello was sent.
    if v.established() {
        return (
            "established",
            "handshake completed and application data flowed".into(),
        );
    }
    if let Some((from_client, a)) = v.alert
        && a.level == 2
    {
        let from = if from_client { "client" } else { "server" };
        let desc = names::alert_name(a.description).unwrap_or("unknown");
        let mut detail = format!("fatal alert {desc} from the {from}");
        if let Some(ch) = v.ch {
            match desc {
                // What the client offered is half the answer; the server's side is invisible
                // unless it chose something.
                "protocol_version" | "inappropriate_fallback" => {
                    let offered: Vec<String> = if ch.supported_versions.is_empty() {
                        vec![version_label(ch.legacy_version)]
                    } else {
                        ch.supported_versions
                            .iter()
                            .filter(|v| !names::is_grease(**v))
                            .map(|v| version_label(*v))
                            .collect()
                    };
                    detail.push_str(&format!(" (client offered {})", offered.join(", ")));
                }
                "handshake_failure" | "insufficient_security" => detail.push_str(&format!(
                    " (client offered {} cipher suites, {} groups)",
                    ch.ciphers.iter().filter(|c| !names::is_grease(**c)).count(),
                    ch.groups.iter().filter(|g| !names::is_grease(**g)).count()
                )),
                "unrecognized_name" => {
                    if let Some(sni) = &ch.sni {
                        detail.push_str(&format!(" (no certificate for {sni})"));
                    }
                }
                _ => {}
            }
        }
        return ("alert", detail);
    }
    if v.s.not_tls {
        problems.push("server_not_tls");
        return (
            "not_tls",
            "the server answered the ClientHello with something that is not TLS".into(),
        );
    }
    let reset = cs.rst.is_some() || ss.rst.is_some();
    if v.sh.is_some() || v.hrr {
        // TLS 1.3: the client's first encrypted record is its Finished unless alert-sized.
        let client_finished = v.version().is_some_and(is_tls13)
            && v.c.app_records > 0
            && v.c.app_lens[0] > MAX_ENCRYPTED_ALERT_LEN;
        let client_encrypted_alert = v.c.encrypted_alerts > 0
            || (!client_finished && v.c.app_records > 0)
            || (client_finished
                && v.c.app_lens[1..(v.c.app_records as usize).min(4)]
                    .iter()
                    .any(|&l| l <= MAX_ENCRYPTED_ALERT_LEN));
        if client_encrypted_alert && !client_finished {
            problems.push("encrypted_alert");
        }
        let client_closed_first = match (cs.rst.or(cs.fin), ss.rst.or(ss.fin)) {
            (Some(c), Some(s)) => c <= s,
            (Some(_), None) => true,
            _ => false,
        };
        if client_finished && client_closed_first {
            problems.push("no_application_data");
            return (
                "client_aborted",
                "the handshake completed, then the client closed without sending application data \
                 (a probe or health check?)"
                    .into(),
            );
        }
        if reset {
            let who = who_reset();
            if who == "client" && client_encrypted_alert {
                return (
                    "client_aborted",
                    "the client sent an (encrypted) alert and reset: usually a rejected certificate"
                        .into(),
                );
            }
            problems.push(if who == "client" {
                "reset_by_client"
            } else {
                "reset_by_server"
            });
            return (
                "reset",
                format!("reset by the {who} after the ServerHello, before the handshake completed"),
            );
        }
        if cs.fin.is_some() && client_closed_first {
            let why = if client_encrypted_alert {
                "the client sent an (encrypted) alert and closed: usually a rejected certificate"
            } else {
                "the client closed after the ServerHello without sending application data"
            };
            return ("client_aborted", why.into());
        }
        if ss.fin.is_some() {
            problems.push("server_closed_during_handshake");
            return (
                "incomplete",
                "the server closed after its ServerHello, before application data".into(),
            );
        }
        if end == EndReason::Idle {
            return (
                "incomplete",
                "no application data after the ServerHello before the idle timeout".into(),
            );
        }
        return (
            "incomplete",
            "the input ended before the handshake completed".into(),
        );
    }
    // No ServerHello.
    if reset {
        let who = who_reset();
        problems.push(if who == "client" {
            "reset_by_client"
        } else {
            "reset_by_server"
        });
        return (
            "reset",
            format!("reset by the {who} after the ClientHello, before any ServerHello"),
        );
    }
    let silent = ss.payload_segments == 0;
    let closed = cs.fin.is_some() || ss.fin.is_some();
    // How long the client waited: until the close, or until the input ended.
    let until = match end {
        EndReason::EndOfInput | EndReason::Idle if !closed => now,
        _ => conn.last_ts,
    };
    let waited = v.ch_ts.map(|t| until.ms_since(t) / 1000.0).unwrap_or(0.0);
    if closed || end != EndReason::EndOfInput || waited >= crate::limits::NO_ANSWER_WAIT_SECS as f64
    {
        if silent {
            problems.push("server_silent_after_client_hello");
        }
        let how = if closed {
            "then the connection was closed"
        } else {
            "before the timeout"
        };
        return (
            "no_server_hello",
            format!(
                "no ServerHello from {server_name} {how} ({waited:.1} s after the ClientHello)"
            ),
        );
    }
    (
        "incomplete",
        "the input ended while waiting for the ServerHello".into(),
    )
}

/// Builds the session record of a finished connection.
pub fn session_record(conn: &Connection, end: EndReason, now: Timestamp) -> SessionRecord {
    let v = View::new(conn);
    let cs = &conn.sides[v.client];
    let ss = &conn.sides[v.server];
    let mut problems: Vec<&'static str> = Vec::new();
    let (outcome, detail) = match one_sided(&v) {
        Some(which) => {
            problems.push("one_sided_capture");
            (
                "incomplete",
                format!(
                    "only the {which}'s packets are in the capture (asymmetric routing or a \
                     one-way tap): no verdict from half the evidence"
                ),
            )
        }
        None => outcome(&v, end, now, &mut problems),
    };

    // Evidence-level problems.
    if cs.syns > 1 {
        problems.push("syn_retransmitted");
    }
    if let (Some((_, meta)), Some(first)) = (
        v.c.client_hellos.first(),
        cs.counters().first_retransmitted_offset,
    ) && first < meta.len as u64 + 5
    {
        problems.push("client_hello_retransmitted");
    }
    if cs.counters().overlap_conflicts + ss.counters().overlap_conflicts > 0 {
        problems.push("overlap_conflict");
    }
    if (cs.counters().gaps + ss.counters().gaps > 0
        || cs.obs().abandon_reason == Some("gap")
        || ss.obs().abandon_reason == Some("gap"))
        && !problems.contains(&"capture_gap")
        && client_start_never_arrived(&v).is_none()
    {
        problems.push("capture_gap");
    }
    if cs.truncated_payloads + ss.truncated_payloads > 0 {
        problems.push("snaplen_truncated");
    }
    if outcome != "midstream" && cs.syn.is_none() && ss.synack.is_none() && v.ch.is_some() {
        problems.push("no_tcp_handshake_seen");
    }
    if conn.evicted {
        problems.push("evicted");
    }

    let path = path_timing(conn, cs, ss);
    // ClientHello → the client's first application data. In TLS 1.3 the client's first
    // encrypted record is its Finished; its data is the first later record too big for an alert.
    let first_data = if v.version().is_some_and(is_tls13) {
        let seen = (v.c.app_records as usize).min(v.c.app_lens.len());
        (1..seen)
            .find(|&i| v.c.app_lens[i] > MAX_ENCRYPTED_ALERT_LEN)
            .map(|i| v.c.app_ts[i])
    } else {
        v.c.first_app
    };
    let handshake_ms = if outcome == "established" {
        v.ch_ts.zip(first_data).map(|(c, a)| a.ms_since(c))
    } else {
        None
    };
    let mut detail = detail;
    path_faults(&v, &path, now, &mut problems, &mut detail);
    let server_think_ms = match (v.h.server_hello_ms(), path.rtt_server_ms) {
        (Some(sh), Some(rtt)) => Some(round_ms((sh - rtt).max(0.0))),
        _ => None,
    };
    let base = Base {
        transport: "tcp",
        first_ts: conn.first_ts,
        last_ts: conn.last_ts,
        client: conn.endpoint(v.client).to_string(),
        server: conn.endpoint(v.server).to_string(),
        outcome,
        detail,
        tcp_rtt_ms: path.tcp_rtt_ms,
        handshake_ms,
        bytes_client: cs.bytes,
        bytes_server: ss.bytes,
        capture_point: path.capture_point,
        rtt_client_ms: path.rtt_client_ms,
        rtt_server_ms: path.rtt_server_ms,
        server_think_ms,
    };
    assemble(base, &v.h, false, problems)
}

fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// The TCP handshake's timing, split at the capture point.
struct PathTiming {
    /// SYN → SYN/ACK → ACK as seen from the capture point.
    tcp_rtt_ms: Option<f64>,
    /// Capture point → server → capture point (SYN → SYN/ACK).
    rtt_server_ms: Option<f64>,
    /// Capture point → client → capture point (SYN/ACK → ACK).
    rtt_client_ms: Option<f64>,
    /// "client" or "server" when one part is under a quarter of the other, else "middle".
    capture_point: Option<&'static str>,
}

fn path_timing(conn: &Connection, cs: &Side, ss: &Side) -> PathTiming {
    let (Some(first_syn), Some(synack), Some(ack)) = (cs.syn, ss.synack, conn.handshake_ack) else {
        return PathTiming {
            tcp_rtt_ms: None,
            rtt_server_ms: None,
            rtt_client_ms: None,
            capture_point: None,
        };
    };
    // The SYN the SYN/ACK answers: the last one sent before it.
    let syn = cs.last_syn.filter(|t| *t <= synack).unwrap_or(first_syn);
    let server = synack.ms_since(syn);
    let client = ack.ms_since(synack);
    let point = if client * 4.0 < server {
        "client"
    } else if server * 4.0 < client {
        "server"
    } else {
        "middle"
    };
    PathTiming {
        tcp_rtt_ms: Some(ack.ms_since(syn)),
        rtt_server_ms: Some(server),
        rtt_client_ms: Some(client),
        capture_point: Some(point),
    }
}

/// A segment this large or larger is "full-size" for the PMTU black-hole check (bytes): above
/// the 1,200-byte minimum path MTU QUIC assumes and well above what small hellos need.
const PMTU_MIN_SEGMENT: u64 = 1200;
/// A hole the client does not fill within this long was not merely reordered (ms): several
/// retransmission timeouts at Linux's 200 ms minimum.
const PMTU_MIN_STALL_MS: f64 = 1000.0;

/// Faults of the path between client and server, named with their evidence.
fn path_faults(
    v: &View<'_>,
    path: &PathTiming,
    now: Timestamp,
    problems: &mut Vec<&'static str>,
    detail: &mut String,
) {
    let cs = &v.conn.sides[v.client];
    let ss = &v.conn.sides[v.server];
    // A reset "from the server" that the server did not send: its TTL differs from the
    // server's own packets, or it came sooner after the ClientHello than a round trip to the
    // server takes.
    if let (Some(rst_ts), Some(rst_ttl)) = (ss.rst, ss.rst_ttl) {
        let own_ttl = ss.syn_ttl.or(ss.last_ttl);
        let ttl_differs = own_ttl.is_some_and(|t| t != rst_ttl);
        let after_ch = v.ch_ts.filter(|t| *t <= rst_ts).map(|t| rst_ts.ms_since(t));
        let too_fast = match (after_ch, path.rtt_server_ms) {
            (Some(after), Some(rtt)) => rtt >= 1.0 && after < rtt / 2.0,
            _ => false,
        };
        let before_server_hello = v.sh_ts.is_none_or(|t| rst_ts <= t);
        if (ttl_differs || too_fast) && before_server_hello && v.ch.is_some() {
            problems.push("rst_injected_suspected");
            let mut why = Vec::new();
            if ttl_differs {
                why.push(format!(
                    "RST TTL {rst_ttl} vs {} on the server's own packets",
                    own_ttl.unwrap_or(0)
                ));
            }
            if let (true, Some(after), Some(rtt)) = (too_fast, after_ch, path.rtt_server_ms) {
                why.push(format!(
                    "RST {after:.1} ms after the ClientHello, faster than the {rtt:.1} ms round trip to the server"
                ));
            }
            detail.push_str(&format!(
                "; a middlebox likely injected the reset ({})",
                why.join("; ")
            ));
        }
    }
    // A hello larger than one packet whose big segment is lost again and again while the
    // server acknowledges the small one: a path dropping large packets (PMTU black hole).
    if let Some((_, meta)) = v.c.client_hellos.first() {
        let ch_end = meta.len as u64 + 5;
        let retransmitted = cs
            .counters()
            .first_retransmitted_offset
            .is_some_and(|o| o < ch_end);
        if retransmitted
            && meta.segments >= 2
            && v.sh.is_none()
            && cs.max_segment as u64 >= PMTU_MIN_SEGMENT
            && ss.max_acked < ch_end
        {
            problems.push("pmtu_blackhole_suspected");
            detail.push_str(&format!(
                "; the {}-byte ClientHello needs {} segments (largest {} bytes) and the big one \
                 never got through (server acknowledged {} bytes)",
                meta.len, meta.segments, cs.max_segment, ss.max_acked
            ));
        }
    }
    // The same seen from behind the black hole (a capture at the server): the client's first
    // bytes, a full-size segment's worth, never arrive while a later, smaller segment does,
    // and the hole stays open (until the record is written: packet time, so other traffic
    // or the idle timeout shows it) for longer than retransmission takes to fill it.
    if let (Some(missing), Some(syn)) = (client_start_never_arrived(v), cs.syn)
        && missing >= PMTU_MIN_SEGMENT
        && (cs.max_segment as u64) < missing
        && now.ms_since(syn) >= PMTU_MIN_STALL_MS
    {
        problems.push("pmtu_blackhole_suspected");
        detail.push_str(&format!(
            "; the full-size segment never came, for {:.1} s, while a smaller one did: large \
             packets are dropped on the path",
            now.ms_since(syn) / 1000.0
        ));
    }
    for (s, name) in [(cs, "client"), (ss, "server")] {
        if s.zero_window && !problems.contains(&"zero_window") {
            problems.push("zero_window");
            detail.push_str(&format!(
                "; the {name} advertised a zero window during the handshake"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::TcpMeta;
    use crate::decode::tcp_flags::{ACK, PSH, SYN};
    use crate::flow::conn::Class;
    use crate::flow::{Endpoint, FlowKey, PROTO_TCP, Segment};

    const T0: i64 = 1_700_000_000_000_000_000;
    const CISN: u32 = 1000;
    const SISN: u32 = 9000;

    fn ts(ms: i64) -> Timestamp {
        Timestamp(T0 + ms * 1_000_000)
    }

    fn ep(last: u8, port: u16) -> Endpoint {
        Endpoint {
            ip: std::net::IpAddr::from([198, 18, 1, last]),
            port,
        }
    }

    /// A capture at the server of a ClientHello whose first, full-size segment never arrives
    /// (fault-pmtu-blackhole-server.pcap): handshake, the 170-byte second segment at relative
    /// seq 1449, the server's ACK of `server_ack` (relative), then nothing.
    fn hole_at_the_start(server_ack: u32) -> Connection {
        let (c, s) = (ep(1, 44501), ep(2, 443));
        let (key, cside) = FlowKey::new(c, s, PROTO_TCP);
        let mut conn = Connection::new(key, cside, ts(0), Class::Analysed, 65_536);
        let tail = [0x42u8; 170];
        let mut send = |from_client: bool, ms: i64, flags: u8, seq: u32, ack: u32, p: &[u8]| {
            let (src, dst, side) = if from_client {
                (c, s, cside)
            } else {
                (s, c, 1 - cside)
            };
            let tcp = TcpMeta {
                seq,
                ack,
                flags,
                window: 65535,
                mss: None,
                wscale: None,
            };
            let seg = Segment::synthetic(ts(ms), src, dst, PROTO_TCP, tcp, p);
            conn.on_tcp(&seg, side);
        };
        send(true, 0, SYN, CISN, 0, &[]);
        send(false, 0, SYN | ACK, SISN, CISN + 1, &[]);
        send(true, 0, ACK, CISN + 1, SISN + 1, &[]);
        send(true, 7, ACK | PSH, CISN + 1 + 1448, SISN + 1, &tail);
        send(false, 7, ACK, SISN + 1, CISN + 1 + server_ack, &[]);
        conn.flush();
        conn
    }

    #[test]
    fn first_segment_never_arrived_is_neither_not_tls_nor_capture_loss() {
        // Other traffic (or the idle timeout) moved packet time 6 s on: the hole stayed open.
        let r = session_record(&hole_at_the_start(0), EndReason::EndOfInput, ts(6_000));
        assert_eq!(r.outcome, "incomplete", "{}", r.detail);
        assert_eq!(r.problems, vec!["pmtu_blackhole_suspected"], "{}", r.detail);
        assert!(
            r.detail.contains("first 1448 bytes never reached"),
            "{}",
            r.detail
        );
        // The input ended right after: a reordered segment could still have come.
        let r = session_record(&hole_at_the_start(0), EndReason::EndOfInput, ts(7));
        assert_eq!(r.outcome, "incomplete", "{}", r.detail);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
    }

    #[test]
    fn a_hole_the_server_acknowledged_is_capture_loss() {
        // The server acknowledged all 1,618 bytes: it got the ClientHello, the capture did not.
        let r = session_record(&hole_at_the_start(1618), EndReason::EndOfInput, ts(6_000));
        assert_eq!(r.outcome, "midstream", "{}", r.detail);
        assert_eq!(r.problems, vec!["capture_gap"]);
    }
}
