//! One verdict per connection, with the evidence: turns a finished [`Connection`] into the
//! SPEC's session record. The rules are written out in order in [`outcome`]; each outcome
//! comes with a one-line `detail` a person can act on and named `problems`.

use crate::flow::conn::{Connection, MAX_ENCRYPTED_ALERT_LEN};
use crate::flow::describe;
use crate::output::record::{AlertRecord, SessionRecord};
use crate::time::Timestamp;
use crate::tls::fingerprint;
use crate::tls::hello::ext;
use crate::tls::names;
use crate::tls::stream::Observed;
use crate::tls::{Alert, ClientHello, ServerHello};

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

/// SPEC spelling of a version. TLS 1.3 drafts (0x7f..) and Facebook's Fizz variants (0xfb..)
/// are reported as "TLSv1.3", as Zeek, Suricata and nDPI do.
pub fn version_label(v: u16) -> String {
    if is_tls13(v) {
        return "TLSv1.3".into();
    }
    names::version_name(v)
        .map(str::to_string)
        .unwrap_or_else(|| format!("0x{v:04x}"))
}

fn is_tls13(v: u16) -> bool {
    v == 0x0304 || v & 0xff00 == 0x7f00 || v & 0xff00 == 0xfb00
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

/// Everything the verdict needs, gathered once.
struct View<'a> {
    conn: &'a Connection,
    client: usize,
    server: usize,
    c: &'a Observed,
    s: &'a Observed,
    ch: Option<&'a ClientHello>,
    ch_ts: Option<Timestamp>,
    sh: Option<&'a ServerHello>,
    sh_ts: Option<Timestamp>,
    hrr: bool,
    alert: Option<(usize, Alert)>,
}

impl<'a> View<'a> {
    fn new(conn: &'a Connection) -> View<'a> {
        let client = conn.client_side();
        let server = 1 - client;
        let c = conn.sides[client].obs();
        let s = conn.sides[server].obs();
        let first_ch = c.client_hellos.first();
        let alert = match (c.alert, s.alert) {
            (Some(a), Some(b)) => Some(if a.ts <= b.ts {
                (client, a)
            } else {
                (server, b)
            }),
            (Some(a), None) => Some((client, a)),
            (None, Some(b)) => Some((server, b)),
            (None, None) => None,
        };
        View {
            conn,
            client,
            server,
            c,
            s,
            ch: first_ch.map(|(ch, _)| ch),
            ch_ts: first_ch.map(|(_, m)| m.ts),
            sh: s.server_hello.as_ref().map(|(sh, _)| sh),
            sh_ts: s.server_hello.as_ref().map(|(_, m)| m.ts),
            hrr: s.hello_retry.is_some(),
            alert,
        }
    }

    fn version(&self) -> Option<u16> {
        self.sh.map(|sh| sh.version())
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

    fn resumed(&self) -> bool {
        let (Some(ch), Some(sh)) = (self.ch, self.sh) else {
            return false;
        };
        if is_tls13(sh.version()) {
            return sh.psk_accepted;
        }
        let id_echo = !sh.session_id.is_empty() && sh.session_id == ch.session_id;
        // Abbreviated handshake: the server's ChangeCipherSpec follows its hello directly.
        let abbreviated = self.s.ccs.is_some()
            && !self.s.saw(crate::tls::stream::hs::CERTIFICATE)
            && !self.s.saw(crate::tls::stream::hs::SERVER_HELLO_DONE);
        id_echo || abbreviated
    }
}

fn alert_record(view: &View<'_>) -> Option<AlertRecord> {
    view.alert
        .map(|(side, a)| alert_to_record(side == view.client, &a))
}

fn alert_to_record(from_client: bool, a: &Alert) -> AlertRecord {
    AlertRecord {
        from: if from_client { "client" } else { "server" },
        level: match a.level {
            1 => "warning",
            2 => "fatal",
            _ => "unknown",
        },
        description: names::alert_name(a.description)
            .map(str::to_string)
            .unwrap_or_else(|| format!("unknown({})", a.description)),
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
    if let Some((side, a)) = v.alert
        && a.level == 2
    {
        let from = if side == v.client { "client" } else { "server" };
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
    {
        problems.push("capture_gap");
    }
    if cs.truncated_payloads + ss.truncated_payloads > 0 {
        problems.push("snaplen_truncated");
    }
    if outcome != "midstream" && cs.syn.is_none() && ss.synack.is_none() && v.ch.is_some() {
        problems.push("no_tcp_handshake_seen");
    }
    if v.c.hello_errors + v.s.hello_errors > 0 {
        problems.push("malformed_hello");
    }
    if v.c.malformed_extensions + v.s.malformed_extensions > 0 {
        problems.push("malformed_extension");
    }
    if v.c.oversized_messages + v.s.oversized_messages > 0 {
        problems.push("oversized_handshake_message");
    }
    for o in [v.c, v.s] {
        if matches!(
            o.abandon_reason,
            Some("bad_record_header") | Some("record_too_long")
        ) && !problems.contains(&"malformed_record")
        {
            problems.push("malformed_record");
        }
        if o.abandon_reason == Some("handshake_budget_exceeded")
            && !problems.contains(&"handshake_budget_exceeded")
        {
            problems.push("handshake_budget_exceeded");
        }
    }
    if v.ch.is_some_and(|ch| ch.sslv2_format) {
        problems.push("sslv2_client_hello");
    }
    if conn.evicted {
        problems.push("evicted");
    }
    let capture_secs = conn.first_ts.nanos().div_euclid(1_000_000_000);
    let sni = v.ch.and_then(|ch| ch.sni.as_deref());
    let cert =
        v.s.certificate
            .as_deref()
            .map(|c| describe::cert_record(c, sni, capture_secs, &mut problems));
    // A client certificate is judged for validity and key strength, not against the SNI.
    let client_cert = v.c.certificate.as_deref().map(|c| {
        let mut client_problems = Vec::new();
        let rec = describe::cert_record(c, None, capture_secs, &mut client_problems);
        for p in client_problems {
            let named = match p {
                "cert_expired" => "client_cert_expired",
                "cert_not_yet_valid" => "client_cert_not_yet_valid",
                "weak_key" => "client_cert_weak_key",
                _ => continue,
            };
            problems.push(named);
        }
        rec
    });
    let mut alerts: Vec<(Timestamp, AlertRecord)> = Vec::new();
    for (side, o) in [(v.client, v.c), (v.server, v.s)] {
        for a in &o.alerts {
            alerts.push((a.ts, alert_to_record(side == v.client, a)));
        }
    }
    alerts.sort_by_key(|(t, _)| *t);
    let offered = v.ch.map(describe::offered).unwrap_or_default();

    let ch = v.ch;
    let sh = v.sh;
    let version = v.version();
    let cipher = sh
        .filter(|s| !s.sslv2_format)
        .map(|s| names::cipher_label(s.cipher));
    let group = sh.and_then(|s| {
        if is_tls13(s.version()) {
            s.key_share_group.map(names::group_label)
        } else {
            let ecdhe = names::cipher_name(s.cipher).is_some_and(|n| n.contains("_ECDHE_"));
            v.s.ske_named_group
                .filter(|_| ecdhe)
                .map(names::group_label)
        }
    });
    let versions_offered = ch
        .map(|ch| {
            if ch.supported_versions.is_empty() {
                vec![version_label(ch.legacy_version)]
            } else {
                ch.supported_versions
                    .iter()
                    .filter(|v| !names::is_grease(**v))
                    .map(|v| version_label(*v))
                    .collect()
            }
        })
        .unwrap_or_default();

    let tcp_rtt_ms = match (cs.syn, ss.synack, conn.handshake_ack) {
        (Some(first_syn), Some(synack), Some(ack)) => {
            let syn = cs.last_syn.filter(|t| *t <= synack).unwrap_or(first_syn);
            Some(ack.ms_since(syn))
        }
        _ => None,
    };
    let server_answer = match (v.sh_ts, v.s.hello_retry.as_ref().map(|(_, m)| m.ts)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let server_hello_ms = match (v.ch_ts, server_answer) {
        (Some(c), Some(s)) => Some(s.ms_since(c)),
        _ => None,
    };
    let handshake_ms = if outcome == "established" {
        match (v.ch_ts, v.c.first_app) {
            (Some(c), Some(a)) => Some(a.ms_since(c)),
            _ => None,
        }
    } else {
        None
    };
    let ch_meta = v.c.client_hellos.first().map(|(_, m)| *m);
    let pq_negotiated = sh.is_some_and(|s| {
        is_tls13(s.version()) && s.key_share_group.is_some_and(names::is_post_quantum_group)
    });
    // Fingerprints from the finished summaries: the first ClientHello, the final ServerHello.
    let ja3 = ch.map(fingerprint::ja3);
    let ja4 = ch.map(|c| fingerprint::ja4(c, c.alpn_first_raw.as_deref(), false));
    let ja3s = sh.filter(|s| !s.sslv2_format).map(fingerprint::ja3s);

    SessionRecord {
        kind: "session",
        ts: conn.first_ts.to_string(),
        ts_end: conn.last_ts.to_string(),
        transport: "tcp",
        client: conn.endpoint(v.client).to_string(),
        server: conn.endpoint(v.server).to_string(),
        outcome,
        detail,
        sni: ch.and_then(|c| c.sni.clone()),
        alpn_offered: ch.map(|c| c.alpn.clone()).unwrap_or_default(),
        alpn: sh.and_then(|s| s.alpn.clone()),
        versions_offered,
        version: version.map(version_label),
        cipher,
        group,
        ja3: ja3.as_ref().map(|(h, _)| h.clone()),
        ja3s: ja3s.as_ref().map(|(h, _)| h.clone()),
        ja4: ja4.as_ref().map(|j| j.ja4.clone()),
        ja3_string: ja3.map(|(_, s)| s),
        ja3s_string: ja3s.map(|(_, s)| s),
        ja4_r: ja4.map(|j| j.ja4_r),
        resumed: v.resumed(),
        hrr: v.hrr,
        ech: ch.is_some_and(|c| c.ech || c.extensions.contains(&ext::ENCRYPTED_CLIENT_HELLO)),
        alert: alert_record(&v),
        cert,
        client_cert,
        alerts: alerts.into_iter().map(|(_, a)| a).collect(),
        ciphers_offered: offered.ciphers,
        extensions_offered: offered.extensions,
        groups_offered: offered.groups,
        key_shares_offered: offered.key_shares,
        sig_algs_offered: offered.sig_algs,
        psk_modes: offered.psk_modes,
        compression_offered: offered.compression,
        extensions_server: sh.map(describe::server_extensions).unwrap_or_default(),
        pq_offered: offered.pq,
        pq_negotiated,
        tcp_rtt_ms,
        server_hello_ms,
        handshake_ms,
        client_hello_bytes: ch_meta.map(|m| m.len),
        client_hello_segments: ch_meta.map(|m| m.segments),
        bytes_client: cs.bytes,
        bytes_server: ss.bytes,
        problems,
    }
}
