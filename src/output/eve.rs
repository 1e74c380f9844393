//! Suricata EVE JSON output (`--format eve`) — an API like the JSON Lines format; change it
//! only on purpose. Documented in `docs/formats/eve.md`.
//!
//! One event per connection, one per line:
//!
//! - `"event_type": "tls"` (TCP) or `"quic"` (QUIC) when TLS was seen, with Suricata's common
//!   header (`timestamp`, `flow_id`, `src_ip`, `src_port`, `dest_ip`, `dest_port`, `proto`,
//!   `community_id`) and a `tls` / `quic` object with Suricata's field names and spellings
//!   (`sni`, `version` as `"TLS 1.2"`, `subject`, `issuerdn`, `serial` as `"00:C7:…"`,
//!   `fingerprint` as SHA-1 `"06:39:…"`, `notbefore`, `notafter`, `ja3{hash,string}`,
//!   `ja3s{hash,string}`, `ja4`, `client_alpns`, `server_alpns`, `session_resumed`,
//!   `subjectaltname`, `client{…}` for a client certificate);
//! - `"event_type": "flow"` for a connection on the port without any TLS (no SYN/ACK, refused,
//!   not TLS, midstream), with `flow{start,end}`;
//! - in every event a `tlscope` object with what Suricata does not have: `uid` (the Zeek uid of
//!   the same connection), `outcome`, `confidence`, `detail`, `problems`, `alert`, `cipher`,
//!   `group`, timings, byte counts, `ssl_history`;
//! - at the end (and every 10 s in `live`), `"event_type": "stats"` with tlscope's stats record
//!   under `stats` (tlscope's counter names, not Suricata's).
//!
//! `timestamp` is the connection's first packet (capture time, UTC, `+0000`); IPv6 addresses are
//! written in full (`2001:0db8:0000:…`) as Suricata writes them.

use std::io::{self, Write};
use std::net::IpAddr;

use serde::Serialize;

use crate::stats::StatsRecord;
use crate::stats::snapshot::parse_rfc3339;
use crate::time::Timestamp;

use super::ids;
use super::record::{AlertRecord, CertRecord, SessionRecord};

/// Suricata's timestamp: `2024-01-31T12:00:00.123456+0000`.
pub fn timestamp(t: Timestamp) -> String {
    let s = t.rfc3339();
    match s.strip_suffix('Z') {
        Some(body) => format!("{body}+0000"),
        None => s,
    }
}

/// Suricata's `tls.version`: `TLSv1`, `TLS 1.1`, `TLS 1.2`, `TLS 1.3`, `TLS 1.3 draft-NN`,
/// `SSLv3`, `SSLv2`, `0x....` for anything else; `UNDETERMINED` when unknown.
pub fn version_name(v: Option<u16>) -> String {
    match v {
        None => "UNDETERMINED".into(),
        Some(0x0002) => "SSLv2".into(),
        Some(0x0300) => "SSLv3".into(),
        Some(0x0301) => "TLSv1".into(),
        Some(0x0302) => "TLS 1.1".into(),
        Some(0x0303) => "TLS 1.2".into(),
        Some(0x0304) => "TLS 1.3".into(),
        Some(v @ 0x7f10..=0x7f1c) => format!("TLS 1.3 draft-{}", v & 0xff),
        Some(0x7f01..=0x7f0f) => "TLS 1.3 draft-<16".into(),
        Some(v @ (0xfb14..=0xfb17 | 0xfb1a)) => format!("TLS 1.3 draft-{}-fb", v & 0xff),
        Some(v) => format!("0x{v:04x}"),
    }
}

/// The version Suricata logs for a connection without a ServerHello (since 8.0.3, ticket
/// 5713): the client's. tlscope keeps the client's offers as labels; a client that sends
/// supported_versions puts 0x0303 in its legacy field (RFC 8446 §4.1.2).
pub fn client_version(offered: &[String]) -> Option<u16> {
    match offered {
        [] => None,
        [one] => match one.as_str() {
            "SSLv2" => Some(0x0002),
            "SSLv3" => Some(0x0300),
            "TLSv1.0" => Some(0x0301),
            "TLSv1.1" => Some(0x0302),
            "TLSv1.2" => Some(0x0303),
            "TLSv1.3" => Some(0x0304),
            other => other
                .strip_prefix("0x")
                .and_then(|h| u16::from_str_radix(h, 16).ok()),
        },
        _ => Some(0x0303),
    }
}

/// Suricata's `quic.version`: the version number in lowercase hex without leading zeros
/// (`1`, `6b3343cf`, `ff00001d`), Google's `Q0xx` by name; from tlscope's `quic_version` label.
pub fn quic_version(label: &str) -> String {
    let number = match label {
        "1" => Some(1),
        "quicv2" => Some(0x6b33_43cf),
        "quicv2-draft" => Some(0x709a_50c4),
        "mvfst-22" => Some(0xface_b001),
        "mvfst-27" => Some(0xface_b002),
        "mvfst-exp" => Some(0xface_b00e),
        l => l
            .strip_prefix("draft-")
            .and_then(|n| n.parse::<u8>().ok())
            .map(|n| 0xff00_0000 | u32::from(n))
            .or_else(|| {
                l.strip_prefix("unknown-")
                    .or_else(|| l.strip_prefix("grease-"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
            }),
    };
    match number {
        Some(n) => format!("{n:x}"),
        None if label.starts_with('Q') => label.into(),
        // Google's T0xx: its bytes as a number, as Suricata prints an unnamed version.
        None if label.len() == 4 && label.is_ascii() => {
            let b = label.as_bytes();
            format!("{:x}", u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        }
        None => label.into(),
    }
}

/// A certificate serial as Suricata prints it: the DER INTEGER's bytes in uppercase hex,
/// colon-separated (`00:C7:D4:…`, a leading `00` where the top bit is set), from tlscope's
/// minimal lowercase hex.
pub fn serial(hex: &str) -> String {
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return hex.to_ascii_uppercase();
    }
    let mut digits = hex.to_ascii_uppercase();
    if digits.len() % 2 == 1 {
        digits.insert(0, '0');
    }
    if digits.as_bytes()[0] >= b'8' {
        digits.insert_str(0, "00");
    }
    digits
        .as_bytes()
        .chunks(2)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// Colon-separated lowercase hex (`fingerprint`).
pub fn colon_hex(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// Suricata's certificate validity stamp: `2018-04-14T20:55:27` (UTC, no zone).
pub fn cert_time(rfc3339: &str) -> String {
    rfc3339.trim_end_matches('Z').to_string()
}

/// An address as Suricata writes it (IPv6 in full, four digits per group).
pub fn ip(a: IpAddr) -> String {
    match a {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => v6
            .segments()
            .iter()
            .map(|s| format!("{s:04x}"))
            .collect::<Vec<_>>()
            .join(":"),
    }
}

#[derive(Serialize)]
struct Fingerprint {
    hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    string: Option<String>,
}

fn fingerprint(hash: &Option<String>, string: &Option<String>) -> Option<Fingerprint> {
    hash.as_ref().map(|h| Fingerprint {
        hash: h.clone(),
        string: string.clone(),
    })
}

#[derive(Serialize)]
struct Cert {
    subject: String,
    issuerdn: String,
    serial: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
    notbefore: String,
    notafter: String,
}

fn cert(c: &CertRecord) -> Cert {
    Cert {
        subject: c.subject.clone(),
        issuerdn: c.issuer.clone(),
        serial: serial(&c.serial),
        fingerprint: c.sha1.as_deref().map(colon_hex),
        notbefore: cert_time(&c.not_before),
        notafter: cert_time(&c.not_after),
    }
}

#[derive(Serialize)]
struct Tls {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    cert: Option<Cert>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sni: Option<String>,
    version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ja3: Option<Fingerprint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ja3s: Option<Fingerprint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ja4: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    client_alpns: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    server_alpns: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    session_resumed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjectaltname: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<Cert>,
}

#[derive(Serialize)]
struct Quic {
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sni: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ja3: Option<Fingerprint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ja4: Option<String>,
}

#[derive(Serialize)]
struct Flow {
    start: String,
    end: String,
}

/// What Suricata does not have.
#[derive(Serialize)]
struct Tlscope<'a> {
    uid: String,
    outcome: &'a str,
    confidence: &'a str,
    detail: &'a str,
    problems: &'a [&'static str],
    alert: Option<&'a AlertRecord>,
    version: Option<&'a str>,
    cipher: Option<&'a str>,
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quic_version: Option<&'a str>,
    resumed: bool,
    hrr: bool,
    ech: bool,
    ssl_history: Option<&'a str>,
    handshake_completed: Option<bool>,
    ts_end: String,
    tcp_rtt_ms: Option<f64>,
    server_hello_ms: Option<f64>,
    handshake_ms: Option<f64>,
    bytes_client: u64,
    bytes_server: u64,
}

#[derive(Serialize)]
struct Event<'a> {
    timestamp: String,
    flow_id: u64,
    event_type: &'static str,
    src_ip: String,
    src_port: u16,
    dest_ip: String,
    dest_port: u16,
    proto: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    app_proto: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    community_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls: Option<Tls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quic: Option<Quic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flow: Option<Flow>,
    tlscope: Tlscope<'a>,
}

#[derive(Serialize)]
struct StatsEvent<'a> {
    timestamp: String,
    event_type: &'static str,
    stats: &'a StatsRecord,
}

/// The record saw TLS (a hello or any plaintext TLS record).
fn saw_tls(r: &SessionRecord) -> bool {
    r.ssl_history.is_some() || r.ja3.is_some() || r.version.is_some()
}

/// The EVE event of one connection, as a JSON value (`None` only if the record's endpoints do
/// not parse, which tlscope's own records never do).
pub fn event(r: &SessionRecord) -> Option<serde_json::Value> {
    serde_json::to_value(build(r)?).ok()
}

/// The event, its fields in Suricata's order.
fn build(r: &SessionRecord) -> Option<Event<'_>> {
    let (c, s) = ids::endpoints(r)?;
    let quic = r.transport == "quic";
    // QUIC (Google's included) is a `quic` event as soon as a long header named its version.
    let tls_seen = saw_tls(r) || (quic && r.quic_version.is_some());
    let event_type = match (tls_seen, quic) {
        (false, _) => "flow",
        (true, true) => "quic",
        (true, false) => "tls",
    };
    let tls = (tls_seen && !quic).then(|| Tls {
        cert: r.cert.as_ref().map(cert),
        sni: r.sni.clone(),
        version: version_name(
            r.version_raw
                .or_else(|| client_version(&r.versions_offered)),
        ),
        ja3: fingerprint(&r.ja3, &r.ja3_string),
        ja3s: fingerprint(&r.ja3s, &r.ja3s_string),
        ja4: r.ja4.clone(),
        client_alpns: r.alpn_offered.clone(),
        server_alpns: r.alpn.iter().cloned().collect(),
        session_resumed: r.resumed,
        subjectaltname: r.cert.as_ref().map(|c| c.san.clone()).unwrap_or_default(),
        client: r.client_cert.as_ref().map(cert),
    });
    let quic_obj = (tls_seen && quic).then(|| Quic {
        version: r.quic_version.as_deref().map(quic_version),
        sni: r.sni.clone(),
        ja3: fingerprint(&r.ja3, &r.ja3_string),
        ja4: r.ja4.clone(),
    });
    let flow = (!tls_seen).then(|| Flow {
        start: timestamp(parse_rfc3339(&r.ts).unwrap_or_default()),
        end: timestamp(parse_rfc3339(&r.ts_end).unwrap_or_default()),
    });
    let ev = Event {
        timestamp: timestamp(parse_rfc3339(&r.ts).unwrap_or_default()),
        flow_id: ids::flow_id(r),
        event_type,
        src_ip: ip(c.ip()),
        src_port: c.port(),
        dest_ip: ip(s.ip()),
        dest_port: s.port(),
        proto: if quic { "UDP" } else { "TCP" },
        app_proto: (r.outcome == "not_tls").then_some("failed"),
        community_id: ids::community_id(r),
        tls,
        quic: quic_obj,
        flow,
        tlscope: Tlscope {
            uid: ids::uid(r),
            outcome: r.outcome,
            confidence: r.confidence,
            detail: &r.detail,
            problems: &r.problems,
            alert: r.alert.as_ref(),
            version: r.version.as_deref(),
            cipher: r.cipher.as_deref(),
            group: r.group.as_deref(),
            quic_version: r.quic_version.as_deref(),
            resumed: r.resumed,
            hrr: r.hrr,
            ech: r.ech,
            ssl_history: r.ssl_history.as_deref(),
            handshake_completed: r.handshake_completed,
            ts_end: r.ts_end.clone(),
            tcp_rtt_ms: r.tcp_rtt_ms,
            server_hello_ms: r.server_hello_ms,
            handshake_ms: r.handshake_ms,
            bytes_client: r.bytes_client,
            bytes_server: r.bytes_server,
        },
    };
    Some(ev)
}

/// Writes EVE events, one per line.
pub struct EveWriter<W: Write> {
    out: io::BufWriter<W>,
}

impl<W: Write> EveWriter<W> {
    pub fn new(w: W) -> Self {
        EveWriter {
            out: io::BufWriter::with_capacity(256 * 1024, w),
        }
    }

    pub fn write(&mut self, r: &SessionRecord) -> io::Result<()> {
        let Some(ev) = build(r) else {
            return Ok(());
        };
        serde_json::to_writer(&mut self.out, &ev).map_err(io::Error::other)?;
        self.out.write_all(b"\n")
    }

    /// A `stats` event, stamped with the last packet's time.
    pub fn stats(&mut self, s: &StatsRecord) -> io::Result<()> {
        let at = s
            .last_ts
            .as_deref()
            .and_then(parse_rfc3339)
            .unwrap_or_default();
        let ev = StatsEvent {
            timestamp: timestamp(at),
            event_type: "stats",
            stats: s,
        };
        serde_json::to_writer(&mut self.out, &ev).map_err(io::Error::other)?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::snapshot::test_record;

    #[test]
    fn spellings() {
        assert_eq!(version_name(Some(0x0303)), "TLS 1.2");
        assert_eq!(version_name(Some(0x0301)), "TLSv1");
        assert_eq!(version_name(Some(0x0302)), "TLS 1.1");
        assert_eq!(version_name(Some(0x0304)), "TLS 1.3");
        assert_eq!(version_name(Some(0x7f1c)), "TLS 1.3 draft-28");
        assert_eq!(version_name(Some(0x7f0e)), "TLS 1.3 draft-<16");
        assert_eq!(version_name(None), "UNDETERMINED");
        assert_eq!(version_name(Some(0x1234)), "0x1234");
        assert_eq!(client_version(&["TLSv1.0".into()]), Some(0x0301));
        assert_eq!(
            client_version(&["TLSv1.3".into(), "TLSv1.2".into()]),
            Some(0x0303)
        );
        assert_eq!(client_version(&[]), None);
        assert_eq!(serial("c7d4288b80e01e25"), "00:C7:D4:28:8B:80:E0:1E:25");
        assert_eq!(serial("32"), "32");
        assert_eq!(serial("3de23"), "03:DE:23");
        assert_eq!(colon_hex("0639f9"), "06:39:f9");
        assert_eq!(cert_time("2018-04-14T20:55:27Z"), "2018-04-14T20:55:27");
        assert_eq!(
            ip("2607:f8b0:400a:800::200e".parse().unwrap()),
            "2607:f8b0:400a:0800:0000:0000:0000:200e"
        );
        assert_eq!(ip("192.0.2.1".parse().unwrap()), "192.0.2.1");
        assert_eq!(quic_version("1"), "1");
        assert_eq!(quic_version("quicv2"), "6b3343cf");
        assert_eq!(quic_version("draft-29"), "ff00001d");
        assert_eq!(quic_version("Q046"), "Q046");
        assert_eq!(quic_version("T051"), "54303531");
        assert_eq!(quic_version("mvfst-27"), "faceb002");
        assert_eq!(
            timestamp(Timestamp::from_secs_nanos(1_706_702_400, 123_456_000)),
            "2024-01-31T12:00:00.123456+0000"
        );
    }

    #[test]
    fn tls_and_flow_events() {
        let t = Timestamp::from_secs_nanos(1_700_000_000, 0);
        let mut r = test_record(Some("a.example"), "established", t, Some(20.0));
        r.ja4 = Some("t13d1516h2_8daaf6152771_e5627efa2ab1".into());
        let ev = event(&r).unwrap();
        assert_eq!(ev["event_type"], "tls");
        assert_eq!(ev["proto"], "TCP");
        assert_eq!(ev["src_port"], 50000);
        assert_eq!(ev["dest_ip"], "198.51.100.7");
        assert_eq!(ev["tls"]["sni"], "a.example");
        assert_eq!(ev["tls"]["version"], "TLS 1.3");
        assert_eq!(ev["tls"]["client_alpns"][1], "http/1.1");
        assert_eq!(ev["tls"]["ja4"], "t13d1516h2_8daaf6152771_e5627efa2ab1");
        assert_eq!(ev["tlscope"]["outcome"], "established");
        assert!(ev["community_id"].as_str().unwrap().starts_with("1:"));
        assert!(ev["tls"].get("session_resumed").is_none());

        let mut nf = test_record(None, "no_syn_ack", t, None);
        nf.ssl_history = None;
        let ev = event(&nf).unwrap();
        assert_eq!(ev["event_type"], "flow");
        assert!(ev.get("tls").is_none());
        assert_eq!(ev["flow"]["end"], "2023-11-14T22:13:20.000000+0000");
        assert_eq!(ev["tlscope"]["outcome"], "no_syn_ack");
    }
}
