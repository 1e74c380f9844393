//! What both directions' TLS showed, with roles resolved (`Hellos`), and the assembly of a
//! session record from it: the fields every transport shares (hello facts, fingerprints,
//! offered parameters, certificates, alerts) are filled here once, for TCP and QUIC alike.

use crate::flow::describe;
use crate::output::record::{AlertRecord, SessionRecord};
use crate::time::Timestamp;
use crate::tls::hello::ext;
pub use crate::tls::is_tls13;
use crate::tls::stream::{Observed, hs};
use crate::tls::{Alert, ClientHello, ServerHello, fingerprint, names};

/// SPEC spelling of a version. TLS 1.3 drafts and Fizz variants are reported as "TLSv1.3", as
/// Zeek, Suricata and nDPI do.
pub fn version_label(v: u16) -> String {
    if is_tls13(v) {
        return "TLSv1.3".into();
    }
    names::version_name(v)
        .map(str::to_string)
        .unwrap_or_else(|| format!("0x{v:04x}"))
}

/// The client's and the server's TLS observations, with the hellos picked out.
pub struct Hellos<'a> {
    pub c: &'a Observed,
    pub s: &'a Observed,
    pub ch: Option<&'a ClientHello>,
    pub ch_ts: Option<Timestamp>,
    pub sh: Option<&'a ServerHello>,
    pub sh_ts: Option<Timestamp>,
    pub hrr: bool,
    /// The first plaintext alert of either side, and whether the client sent it.
    pub alert: Option<(bool, Alert)>,
}

impl<'a> Hellos<'a> {
    pub fn new(c: &'a Observed, s: &'a Observed) -> Hellos<'a> {
        let first_ch = c.client_hellos.first();
        let alert = match (c.alert, s.alert) {
            (Some(a), Some(b)) => Some(if a.ts <= b.ts { (true, a) } else { (false, b) }),
            (Some(a), None) => Some((true, a)),
            (None, Some(b)) => Some((false, b)),
            (None, None) => None,
        };
        Hellos {
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

    /// The negotiated version (supported_versions wins over the legacy field).
    pub fn version(&self) -> Option<u16> {
        self.sh.map(|sh| sh.version())
    }

    pub fn resumed(&self) -> bool {
        let (Some(ch), Some(sh)) = (self.ch, self.sh) else {
            return false;
        };
        if is_tls13(sh.version()) {
            return sh.psk_accepted;
        }
        let id_echo = !sh.session_id.is_empty() && sh.session_id == ch.session_id;
        // Abbreviated handshake: the server's ChangeCipherSpec follows its hello directly.
        let abbreviated = self.s.ccs.is_some()
            && !self.s.saw(hs::CERTIFICATE)
            && !self.s.saw(hs::SERVER_HELLO_DONE);
        id_echo || abbreviated
    }

    /// ClientHello (first byte) → the server's first answer (ServerHello or HelloRetryRequest).
    pub fn server_hello_ms(&self) -> Option<f64> {
        let hrr_ts = self.s.hello_retry.as_ref().map(|(_, m)| m.ts);
        let answer = match (self.sh_ts, hrr_ts) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Some(answer?.ms_since(self.ch_ts?))
    }
}

/// Zeek's `ssl_history` letters of both directions, merged in capture order (each side's own
/// order kept; the client first on equal times), the client's uppercase; at most Zeek's 100
/// letters. `None` when neither side sent anything TLS.
pub fn ssl_history(c: &Observed, s: &Observed) -> Option<String> {
    /// Zeek's `SSL::max_ssl_history_length`.
    const MAX_LETTERS: usize = 100;
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while out.len() < MAX_LETTERS && (i < c.history.len() || j < s.history.len()) {
        let take_client = match (c.history.get(i), s.history.get(j)) {
            (Some(a), Some(b)) => a.0 <= b.0,
            (Some(_), None) => true,
            _ => false,
        };
        if take_client {
            out.push(c.history[i].1.to_ascii_uppercase() as char);
            i += 1;
        } else {
            out.push(s.history[j].1.to_ascii_lowercase() as char);
            j += 1;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Zeek's `established` for TLS over TCP: both directions switched to encrypted records. TLS ≤
/// 1.2: both sent ChangeCipherSpec and an encrypted record followed the later one (its
/// Finished). TLS 1.3: both sent encrypted (application_data-typed) records. `None` for QUIC.
pub fn handshake_completed(h: &Hellos<'_>, quic: bool) -> Option<bool> {
    if quic {
        return None;
    }
    let (c, s) = (h.c, h.s);
    let Some(version) = h.version() else {
        return Some(false);
    };
    if is_tls13(version) {
        return Some(c.app_records > 0 && s.app_records > 0);
    }
    let (Some(cc), Some(sc)) = (c.ccs, s.ccs) else {
        return Some(false);
    };
    let (later, other, at) = if cc >= sc { (c, s, cc) } else { (s, c, sc) };
    let encrypted =
        |o: &Observed| o.encrypted_handshake_records + o.app_records + o.encrypted_alerts;
    Some(encrypted(later) > 0 || other.first_app.is_some_and(|t| t >= at))
}

pub fn alert_record(from_client: bool, a: &Alert) -> AlertRecord {
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

fn push_once(problems: &mut Vec<&'static str>, p: &'static str) {
    if !problems.contains(&p) {
        problems.push(p);
    }
}

/// The transport's part of a record: who, when, the verdict, and the timings only it knows.
pub struct Base {
    pub transport: &'static str,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    pub client: String,
    pub server: String,
    pub outcome: &'static str,
    pub detail: String,
    pub tcp_rtt_ms: Option<f64>,
    pub handshake_ms: Option<f64>,
    pub bytes_client: u64,
    pub bytes_server: u64,
    pub capture_point: Option<&'static str>,
    pub rtt_client_ms: Option<f64>,
    pub rtt_server_ms: Option<f64>,
    pub server_think_ms: Option<f64>,
}

/// How far the verdict can be trusted: low when part of the evidence is missing from the
/// capture, medium when the connection did not end in the capture, high otherwise.
fn confidence(outcome: &str, problems: &[&str]) -> &'static str {
    const PARTIAL: [&str; 6] = [
        "one_sided_capture",
        "midstream",
        "capture_gap",
        "no_tcp_handshake_seen",
        "snaplen_truncated",
        "quic_decryption_failed",
    ];
    if problems.iter().any(|p| PARTIAL.contains(p)) {
        "low"
    } else if outcome == "incomplete" || problems.contains(&"evicted") {
        "medium"
    } else {
        "high"
    }
}

/// Builds the session record: `base` from the transport, everything else from the hellos.
/// Handshake-level and certificate problems are added to the transport's `problems`.
pub fn assemble(
    base: Base,
    h: &Hellos<'_>,
    quic: bool,
    mut problems: Vec<&'static str>,
) -> SessionRecord {
    let (c, s) = (h.c, h.s);
    if c.hello_errors + s.hello_errors > 0 {
        push_once(&mut problems, "malformed_hello");
    }
    if c.malformed_extensions + s.malformed_extensions > 0 {
        push_once(&mut problems, "malformed_extension");
    }
    if c.oversized_messages + s.oversized_messages > 0 {
        push_once(&mut problems, "oversized_handshake_message");
    }
    for o in [c, s] {
        if matches!(
            o.abandon_reason,
            Some("bad_record_header") | Some("record_too_long")
        ) {
            push_once(&mut problems, "malformed_record");
        }
        if o.abandon_reason == Some("handshake_budget_exceeded") {
            push_once(&mut problems, "handshake_budget_exceeded");
        }
    }
    if h.ch.is_some_and(|ch| ch.sslv2_format) {
        push_once(&mut problems, "sslv2_client_hello");
    }

    let capture_secs = base.first_ts.nanos().div_euclid(1_000_000_000);
    let sni = h.ch.and_then(|ch| ch.sni.as_deref());
    let cert = s
        .certificate
        .as_deref()
        .map(|cert| describe::cert_record(cert, sni, capture_secs, &mut problems));
    // A client certificate is judged for validity and key strength, not against the SNI.
    let client_cert = c.certificate.as_deref().map(|cert| {
        let mut client_problems = Vec::new();
        let rec = describe::cert_record(cert, None, capture_secs, &mut client_problems);
        for p in client_problems {
            let named = match p {
                "cert_expired" => "client_cert_expired",
                "cert_not_yet_valid" => "client_cert_not_yet_valid",
                "weak_key" => "client_cert_weak_key",
                _ => continue,
            };
            push_once(&mut problems, named);
        }
        rec
    });
    let mut alerts: Vec<(Timestamp, AlertRecord)> = Vec::new();
    for (from_client, o) in [(true, c), (false, s)] {
        for a in &o.alerts {
            alerts.push((a.ts, alert_record(from_client, a)));
        }
    }
    alerts.sort_by_key(|(t, _)| *t);
    let offered = h.ch.map(describe::offered).unwrap_or_default();

    let (ch, sh) = (h.ch, h.sh);
    let cipher = sh
        .filter(|s| !s.sslv2_format)
        .map(|s| names::cipher_label(s.cipher));
    let group = sh.and_then(|sh| {
        // A server key_share is TLS 1.3 whatever the version says (drafts, experiments).
        if is_tls13(sh.version()) || sh.key_share_group.is_some() {
            sh.key_share_group.map(names::group_label)
        } else {
            let ecdhe = names::cipher_name(sh.cipher).is_some_and(|n| n.contains("_ECDHE_"));
            s.ske_named_group.filter(|_| ecdhe).map(names::group_label)
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
    let pq_negotiated = sh.is_some_and(|s| {
        is_tls13(s.version()) && s.key_share_group.is_some_and(names::is_post_quantum_group)
    });
    // Fingerprints from the finished summaries: the first ClientHello, the final ServerHello.
    let ja3 = ch.map(fingerprint::ja3);
    let ja4 = ch.map(|c| fingerprint::ja4_sorted(c, c.alpn_first_raw.as_deref(), quic));
    let ja3s = sh.filter(|s| !s.sslv2_format).map(fingerprint::ja3s);
    let ch_meta = c.client_hellos.first().map(|(_, m)| *m);

    SessionRecord {
        kind: "session",
        ts: base.first_ts.to_string(),
        ts_end: base.last_ts.to_string(),
        transport: base.transport,
        quic_version: None,
        client: base.client,
        server: base.server,
        outcome: base.outcome,
        confidence: confidence(base.outcome, &problems),
        detail: base.detail,
        sni: sni.map(str::to_string),
        alpn_offered: ch.map(|c| c.alpn.clone()).unwrap_or_default(),
        alpn: sh.and_then(|s| s.alpn.clone()),
        versions_offered,
        version: h.version().map(version_label),
        cipher,
        group,
        ja3: ja3.as_ref().map(|(hash, _)| hash.clone()),
        ja3s: ja3s.as_ref().map(|(hash, _)| hash.clone()),
        ja4: ja4.as_ref().map(|j| j.ja4.clone()),
        ja3_string: ja3.map(|(_, s)| s),
        ja3s_string: ja3s.map(|(_, s)| s),
        ja4_r: ja4.map(|j| j.ja4_r),
        resumed: h.resumed(),
        hrr: h.hrr,
        ech: ch.is_some_and(|c| c.ech || c.extensions.contains(&ext::ENCRYPTED_CLIENT_HELLO)),
        alert: h
            .alert
            .map(|(from_client, a)| alert_record(from_client, &a)),
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
        tcp_rtt_ms: base.tcp_rtt_ms,
        capture_point: base.capture_point,
        rtt_client_ms: base.rtt_client_ms,
        rtt_server_ms: base.rtt_server_ms,
        server_think_ms: base.server_think_ms,
        server_hello_ms: h.server_hello_ms(),
        handshake_ms: base.handshake_ms,
        client_hello_bytes: ch_meta.map(|m| m.len),
        client_hello_segments: ch_meta.map(|m| m.segments),
        bytes_client: base.bytes_client,
        bytes_server: base.bytes_server,
        problems,
        version_raw: h.version(),
        ssl_history: ssl_history(c, s),
        handshake_completed: handshake_completed(h, quic),
        span_ns: (base.first_ts.nanos(), base.last_ts.nanos()),
        timeline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(history: &[(i64, u8)]) -> Observed {
        Observed {
            history: history.iter().map(|&(t, l)| (Timestamp(t), l)).collect(),
            ..Observed::default()
        }
    }

    #[test]
    fn history_merges_by_time_client_uppercase() {
        // A TLS 1.2 handshake: C s x k n G I t i.
        let c = obs(&[(1, b'c'), (5, b'g'), (5, b'i')]);
        let s = obs(&[
            (3, b's'),
            (3, b'x'),
            (3, b'k'),
            (3, b'n'),
            (7, b't'),
            (7, b'i'),
        ]);
        assert_eq!(ssl_history(&c, &s).as_deref(), Some("CsxknGIti"));
        // Equal times: the client first; each side keeps its own order.
        let c = obs(&[(2, b'c')]);
        let s = obs(&[(2, b'l'), (1, b's')]);
        assert_eq!(ssl_history(&c, &s).as_deref(), Some("Cls"));
        assert_eq!(ssl_history(&obs(&[]), &obs(&[])), None);
    }

    #[test]
    fn history_stops_at_zeeks_limit() {
        let many: Vec<(i64, u8)> = (0..64).map(|i| (i, b'i')).collect();
        let h = ssl_history(&obs(&many), &obs(&many)).unwrap();
        assert_eq!(h.len(), 100);
    }
}
