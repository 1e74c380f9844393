//! Conformance of `tlscope read FILE --json` with the independent expectations in
//! `../shared/corpus/expected.json`, and a no-panic sweep over every corpus capture.
//!
//! How it works, the matching rules and the field mapping are documented in
//! `docs/conformance.md`. Run with:
//!
//! ```text
//! cargo test --release --test conformance -- --nocapture
//! ```
//!
//! When the corpus directory is absent the tests print a notice and pass.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{
    Ava, DnStyle, Endpoint, RunOutput, WORKERS, corpus_dir, dn_multiset, excerpt, list_captures,
    md5_hex, par_map, parse_dn, parse_json_lines, prepare_input, run_timeout, run_tlscope,
};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Knobs
// ---------------------------------------------------------------------------------------------

/// `(corpus file, expected.json field name, reason)`: disagreements we believe are the
/// source's fault. Every record of that file is left out of that field's totals (and printed).
/// Each entry was checked against the capture with tshark/openssl (docs/conformance.md).
const KNOWN_SOURCE_DISAGREEMENTS: &[(&str, &str, &str)] = &[
    (
        "suricata-verify/tcp-fastopen-10-syn-data-ignore/input.pcap",
        "sni",
        "one TCP connection (TFO SYN with data, then the same hello retransmitted); Suricata \
         logs a TLS event for each ClientHello copy, we write one session per connection",
    ),
    (
        "suricata-verify/tcp-fastopen-10-syn-data-ignore/input.pcap",
        "version",
        "same capture: two Suricata events for one connection",
    ),
    (
        "foxio-ja4/tls-non-ascii-alpn.pcapng",
        "ja4",
        "the first ALPN value starts and ends with non-alphanumeric bytes; the JA4 spec takes the \
         hex rule (`bd`), FoxIO's own tools still print `99` (FoxIO-LLC/ja4 issue 326)",
    ),
    (
        "ndpi/ja3_lots_of_cipher_suites.pcap",
        "cert_subject",
        "nDPI finds name attributes by scanning the certificate bytes for their OIDs, so the \
         subjectAltName directoryName (C=US/ST=Connecticut/…/CN=XRX9C934E949FEF) is appended to \
         the subject a second time; `openssl x509 -subject` shows each attribute once",
    ),
    (
        "suricata-verify/bug-5713-01/TLSv1-Extracted-MaliciousC2.pcap",
        "ja4",
        "a hello without signature algorithms: the JA4 spec hashes the extension list without a \
         trailing `_`; Suricata hashes it with one (`ce66f3b797c1` vs the spec's `c39ab67fec8e`)",
    ),
];

/// Corpus files that are legitimately not captures: `tlscope` may exit 2 with one stderr line
/// on them. There should be none.
const NOT_CAPTURES: &[&str] = &[];

/// Minimum share of matching values (percent), over all sources (`None`) or over one source's
/// records only. Fields not listed are reported only.
const FLOORS: &[(Field, Option<Source>, f64)] = &[
    (Field::Sni, None, 98.0),
    (Field::Version, None, 97.0),
    (Field::Cipher, None, 97.0),
    (Field::AlpnOffered, None, 95.0),
    (Field::Resumed, None, 95.0),
    // Issue 3: JA4 against FoxIO's own Rust implementation; JA3/JA3S against every source that
    // states them; certificate names where Zeek states them.
    (Field::Ja4, Some(Source::FoxioRust), 99.0),
    (Field::Ja3, None, 99.0),
    (Field::Ja3s, None, 98.0),
    (Field::CertSubject, Some(Source::ZeekSsl), 95.0),
    (Field::CertIssuer, Some(Source::ZeekSsl), 95.0),
];

/// The QUIC floors (issue 6): `sni` and `ja4` against FoxIO's Rust records. The other QUIC
/// fields are reported only.
const QUIC_FLOORS: &[(Field, Option<Source>, f64)] = &[
    (Field::Sni, Some(Source::FoxioRust), 95.0),
    (Field::Ja4, Some(Source::FoxioRust), 95.0),
];

const MAX_MISMATCHES_SHOWN: usize = 40;

/// `TLSCOPE_CONFORMANCE_MISMATCHES=N` lists more (or fewer) mismatches than the default 40.
fn max_mismatches_shown() -> usize {
    std::env::var("TLSCOPE_CONFORMANCE_MISMATCHES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(MAX_MISMATCHES_SHOWN)
}

// ---------------------------------------------------------------------------------------------
// Fields and sources
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Sni,
    Version,
    Cipher,
    AlpnOffered,
    Alpn,
    Resumed,
    Ja3,
    Ja3s,
    Ja4,
    Established,
    LastAlert,
    CertSubject,
    CertIssuer,
    CertSerial,
    CertNotBefore,
    CertNotAfter,
    CertSan,
    CertFingerprint,
    CertChainFps,
    SniMatchesCert,
    /// QUIC only: the QUIC version (ours `quic_version`).
    QuicVersion,
}

impl Field {
    /// Fields whose expected value sits under the same key in an expected.json record.
    const PLAIN: [Field; 11] = [
        Field::Sni,
        Field::Version,
        Field::Cipher,
        Field::AlpnOffered,
        Field::Alpn,
        Field::Resumed,
        Field::Ja3,
        Field::Ja3s,
        Field::Ja4,
        Field::Established,
        Field::LastAlert,
    ];

    const ALL: [Field; 20] = [
        Field::Sni,
        Field::Version,
        Field::Cipher,
        Field::AlpnOffered,
        Field::Alpn,
        Field::Resumed,
        Field::Ja3,
        Field::Ja3s,
        Field::Ja4,
        Field::Established,
        Field::LastAlert,
        Field::CertSubject,
        Field::CertIssuer,
        Field::CertSerial,
        Field::CertNotBefore,
        Field::CertNotAfter,
        Field::CertSan,
        Field::CertFingerprint,
        Field::CertChainFps,
        Field::SniMatchesCert,
    ];

    /// The fields `conformance_quic` compares, in report order.
    const QUIC: [Field; 7] = [
        Field::Sni,
        Field::AlpnOffered,
        Field::Version,
        Field::Cipher,
        Field::Ja3,
        Field::Ja4,
        Field::QuicVersion,
    ];

    /// Key in expected.json (for the `PLAIN` fields), and the name in the report.
    fn name(self) -> &'static str {
        match self {
            Field::Sni => "sni",
            Field::Version => "version",
            Field::Cipher => "cipher",
            Field::AlpnOffered => "alpn_offered",
            Field::Alpn => "alpn",
            Field::Resumed => "resumed",
            Field::Ja3 => "ja3",
            Field::Ja3s => "ja3s",
            Field::Ja4 => "ja4",
            Field::Established => "established",
            Field::LastAlert => "last_alert",
            Field::CertSubject => "cert_subject",
            Field::CertIssuer => "cert_issuer",
            Field::CertSerial => "cert_serial",
            Field::CertNotBefore => "cert_not_before",
            Field::CertNotAfter => "cert_not_after",
            Field::CertSan => "cert_san",
            Field::CertFingerprint => "cert_fingerprint",
            Field::CertChainFps => "cert_chain_fps",
            Field::SniMatchesCert => "sni_matches_cert",
            Field::QuicVersion => "quic_version",
        }
    }

    /// The value of a certificate object (`cert` or `client_cert`) this field is compared with;
    /// `None` for fields that are not about the certificate.
    fn of_cert(self, cert: Option<&Value>) -> Option<Value> {
        let key = match self {
            Field::CertSubject => "subject",
            Field::CertIssuer => "issuer",
            Field::CertSerial => "serial",
            Field::CertNotBefore => "not_before",
            Field::CertNotAfter => "not_after",
            Field::CertSan => "san",
            Field::CertFingerprint => "sha256",
            Field::SniMatchesCert => "sni_match",
            Field::CertChainFps => {
                return Some(
                    cert.and_then(|c| c.get("chain"))
                        .and_then(Value::as_array)
                        .map(|a| {
                            Value::Array(
                                a.iter()
                                    .map(|e| e.get("sha256").cloned().unwrap_or(Value::Null))
                                    .collect(),
                            )
                        })
                        .unwrap_or(Value::Null),
                );
            }
            _ => return None,
        };
        Some(
            cert.and_then(|c| c.get(key))
                .cloned()
                .unwrap_or(Value::Null),
        )
    }

    /// The value of our session record this field is compared with.
    fn ours(self, session: &Value) -> Value {
        let v = match self {
            Field::Sni => session.get("sni"),
            Field::Version => session.get("version"),
            Field::Cipher => session.get("cipher"),
            Field::AlpnOffered => session.get("alpn_offered"),
            Field::Alpn => session.get("alpn"),
            Field::Resumed => session.get("resumed"),
            Field::Ja3 => session.get("ja3"),
            Field::Ja3s => session.get("ja3s"),
            Field::Ja4 => session.get("ja4"),
            Field::Established => session.get("outcome"),
            Field::LastAlert => session.get("alert").and_then(|a| a.get("description")),
            Field::QuicVersion => session.get("quic_version"),
            cert_field => {
                return cert_field
                    .of_cert(session.get("cert"))
                    .unwrap_or(Value::Null);
            }
        };
        v.cloned().unwrap_or(Value::Null)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    FoxioRust,
    FoxioPython,
    FoxioWireshark,
    ZeekSsl,
    ZeekQuic,
    Suricata,
    Ndpi,
    Other,
}

impl Source {
    fn of(rec: &Value) -> Source {
        let p = rec.get("producer").and_then(Value::as_str).unwrap_or("");
        if p.starts_with("ja4 (rust") {
            Source::FoxioRust
        } else if p.starts_with("ja4 (python") {
            Source::FoxioPython
        } else if p.starts_with("ja4 (wireshark") {
            Source::FoxioWireshark
        } else if p.starts_with("zeek ssl") {
            Source::ZeekSsl
        } else if p.starts_with("zeek quic") {
            Source::ZeekQuic
        } else if p.starts_with("suricata") {
            Source::Suricata
        } else if p.starts_with("nDPI") {
            Source::Ndpi
        } else {
            Source::Other
        }
    }

    fn name(self) -> &'static str {
        match self {
            Source::FoxioRust => "foxio-rust",
            Source::FoxioPython => "foxio-python",
            Source::FoxioWireshark => "foxio-wireshark",
            Source::ZeekSsl => "zeek-ssl",
            Source::ZeekQuic => "zeek-quic",
            Source::Suricata => "suricata",
            Source::Ndpi => "ndpi",
            Source::Other => "other",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Which expected records are TCP TLS, and which are QUIC
// ---------------------------------------------------------------------------------------------

/// The two transports the conformance tests compare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Kind {
    #[default]
    Tcp,
    Quic,
}

impl Kind {
    /// Our session records' `transport`.
    fn transport(self) -> &'static str {
        match self {
            Kind::Tcp => "tcp",
            Kind::Quic => "quic",
        }
    }

    /// For the report.
    fn label(self) -> &'static str {
        match self {
            Kind::Tcp => "TCP",
            Kind::Quic => "QUIC",
        }
    }
}

/// Whether `rec` (a record of `entry`) describes a TCP TLS or a QUIC connection; `Err` with the
/// reason for anything else (DTLS, plain UDP, per-frame records).
/// Rules, first that applies wins (see docs/conformance.md):
///  1. FoxIO Wireshark-plugin records (per frame, no endpoints) are never compared;
///  2. a stated `transport` decides (`tcp`, `udp/quic`; `udp/dtls` and `udp` are neither);
///  3. nDPI `l4` (`udp` is QUIC when nDPI's protocol names QUIC);
///  4. a `DTLS…` version means DTLS, a `quic_version` QUIC;
///  5. the JA4 prefix (`t` TCP, `q` QUIC, `d` DTLS);
///  6. Zeek: traces under `zeek/quic/` are QUIC; otherwise inherit the transport of the Zeek
///     record with the same `uid`, or of all Zeek records of the file when they agree;
///  7. suricata `event_type: quic` is QUIC;
///  8. otherwise TCP.
fn transport_of(entry: &Value, rec: &Value) -> Result<Kind, String> {
    let src = Source::of(rec);
    if src == Source::FoxioWireshark {
        return Err("FoxIO Wireshark-plugin per-frame record".into());
    }
    let verdict = |t: &str| -> Result<Kind, String> {
        match t {
            "tcp" => Ok(Kind::Tcp),
            "udp/quic" => Ok(Kind::Quic),
            _ => Err(format!("transport {t}")),
        }
    };
    if let Some(t) = rec.get("transport").and_then(Value::as_str) {
        return verdict(t);
    }
    if src == Source::Ndpi
        && let Some(l4) = rec.get("l4").and_then(Value::as_str)
    {
        let l4 = l4.to_ascii_lowercase();
        let quic = rec
            .get("ndpi_proto")
            .and_then(Value::as_str)
            .is_some_and(|p| p.contains("QUIC"));
        return if l4 == "udp" && quic {
            Ok(Kind::Quic)
        } else {
            verdict(&l4)
        };
    }
    if rec
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("DTLS"))
    {
        return Err("DTLS version".into());
    }
    if rec.get("quic_version").is_some() {
        return Ok(Kind::Quic);
    }
    if let Some(j) = rec.get("ja4").and_then(Value::as_str) {
        match j.chars().next() {
            Some('t') => return Ok(Kind::Tcp),
            Some('q') => return Ok(Kind::Quic),
            Some('d') => return Err("JA4 prefix d (DTLS)".into()),
            _ => {}
        }
    }
    if matches!(src, Source::ZeekSsl | Source::ZeekQuic) {
        let file = entry.get("file").and_then(Value::as_str).unwrap_or("");
        if file.starts_with("zeek/quic/") {
            return Ok(Kind::Quic);
        }
        let expect = entry
            .get("expect")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let uid = rec.get("uid").and_then(Value::as_str);
        let is_zeek = |o: &Value| matches!(Source::of(o), Source::ZeekSsl | Source::ZeekQuic);
        if let Some(uid) = uid
            && let Some(t) = expect
                .iter()
                .filter(|o| is_zeek(o) && o.get("uid").and_then(Value::as_str) == Some(uid))
                .find_map(|o| o.get("transport").and_then(Value::as_str))
        {
            return verdict(t);
        }
        let stated: BTreeSet<&str> = expect
            .iter()
            .filter(|o| is_zeek(o))
            .filter_map(|o| o.get("transport").and_then(Value::as_str))
            .collect();
        if stated.len() == 1 {
            return verdict(stated.into_iter().next().unwrap());
        }
    }
    if src == Source::Suricata && rec.get("event_type").and_then(Value::as_str) == Some("quic") {
        return Ok(Kind::Quic);
    }
    Ok(Kind::Tcp)
}

// ---------------------------------------------------------------------------------------------
// Expected values
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Want {
    /// Our value is this string.
    Str(String),
    /// Our value is this hex string, compared case-insensitively (JA3/JA3S MD5).
    Hex(String),
    /// Our value is null (suricata `UNDETERMINED`).
    Null,
    /// A TLS 1.3 draft / variant label (original kept): our `"TLSv1.3"` (or a `"TLSv1.3…"` label).
    Tls13Family(String),
    /// Our list equals this one, or (`prefix`) starts with it.
    List {
        items: Vec<String>,
        prefix: bool,
    },
    /// Position `i` of our list is this string (suricata `tls.client_alpns[i]`).
    Index(usize, String),
    Bool(bool),
    /// Zeek `established`: whether our `outcome` is `"established"`.
    Established(bool),
    /// A distinguished name: our x509-parser string, split into attributes, equals this
    /// multiset (`avas`, sorted). `text` is the source's own spelling, for the report. With
    /// `only`, attributes of other types are dropped from our side first (nDPI prints six).
    Dn {
        text: String,
        avas: Vec<Ava>,
        only: Option<&'static [&'static str]>,
    },
    /// A serial number as lowercase hex without separators or leading zeros.
    Serial(String),
    /// A UTC time as `YYYY-MM-DDTHH:MM:SS` (ours carries a trailing `Z`).
    Time(String),
    /// A QUIC version number (our `quic_version` label, parsed by [`quic_version_number`]);
    /// the source's own spelling is kept for the report.
    QuicVersion(u32, String),
    /// nDPI `Ver-Negotiation`: a reserved version 0x?a?a?a?a (RFC 9000 §15), whatever its value.
    QuicGreased(String),
    /// The version the client's hello offers (nDPI on QUIC never sees the server's Initial):
    /// our negotiated `version` is it, or ours is null and `versions_offered` contains it.
    OrOffered(Box<Want>),
}

/// The attribute types nDPI's certificate scanner extracts (it looks for the DER bytes of the
/// OIDs 2.5.4.3/6/7/8/10/11 and skips every other attribute, e.g. emailAddress, serialNumber,
/// businessCategory, DC and the EV jurisdiction attributes).
const NDPI_DN_ATTRS: &[&str] = &["CN", "C", "L", "ST", "O", "OU"];

/// A printed name as the sorted attribute multiset `Want::Dn` compares.
fn dn_want(text: &str, style: DnStyle) -> Want {
    dn_want_only(text, style, None)
}

fn dn_want_only(text: &str, style: DnStyle, only: Option<&'static [&'static str]>) -> Want {
    let keep = |a: &Ava| only.is_none_or(|o| o.contains(&a.0.as_str()));
    Want::Dn {
        text: text.to_string(),
        avas: dn_multiset(parse_dn(text, style).into_iter().filter(keep).collect()),
        only,
    }
}

/// `08:3A:84:…` (Suricata, upper case, raw DER bytes with any leading `00`) or our `83a84…`
/// → `83a84…`.
fn serial_norm(s: &str) -> String {
    let hex: String = s
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let t = hex.trim_start_matches('0');
    if t.is_empty() { "0".into() } else { t.into() }
}

/// `2018-05-14T20:55:27` (Suricata), `2018-05-14 20:55:27` (nDPI) or our
/// `2018-05-14T20:55:27Z` → `2018-05-14T20:55:27`.
fn time_norm(s: &str) -> String {
    s.trim().trim_end_matches('Z').replacen(' ', "T", 1)
}

/// A certificate fingerprint as a source prints it (hex, any case, `:` or no separators).
/// SHA-256 compares with our `cert.sha256`; SHA-1 cannot be compared (we print no SHA-1).
fn fingerprint_want(s: &str) -> Result<Want, String> {
    let hex: String = s
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("fingerprint {s:?} is not hex"));
    }
    match hex.len() {
        64 => Ok(Want::Hex(hex)),
        40 => Err("SHA-1 certificate fingerprint: we output only SHA-256, not comparable".into()),
        n => Err(format!(
            "fingerprint of {n} hex digits (neither SHA-1 nor SHA-256)"
        )),
    }
}

impl Want {
    fn check(&self, ours: &Value) -> bool {
        match self {
            Want::Str(s) => ours.as_str() == Some(s.as_str()),
            Want::Hex(s) => ours.as_str().is_some_and(|o| o.eq_ignore_ascii_case(s)),
            Want::Null => ours.is_null(),
            Want::Tls13Family(_) => ours.as_str().is_some_and(|o| o.starts_with("TLSv1.3")),
            Want::List { items, prefix } => {
                let Some(arr) = ours.as_array() else {
                    return false;
                };
                let got: Vec<&str> = arr
                    .iter()
                    .map(|v| v.as_str().unwrap_or("\u{0}<non-string>"))
                    .collect();
                if *prefix {
                    got.len() >= items.len() && got.iter().zip(items).all(|(g, w)| *g == w.as_str())
                } else {
                    got.len() == items.len() && got.iter().zip(items).all(|(g, w)| *g == w.as_str())
                }
            }
            Want::Index(i, s) => {
                ours.as_array()
                    .and_then(|a| a.get(*i))
                    .and_then(Value::as_str)
                    == Some(s.as_str())
            }
            Want::Bool(b) => ours.as_bool() == Some(*b),
            Want::Established(b) => (ours.as_str() == Some("established")) == *b,
            Want::Dn { avas, only, .. } => ours.as_str().is_some_and(|o| {
                let keep = |a: &Ava| only.is_none_or(|k| k.contains(&a.0.as_str()));
                dn_multiset(
                    parse_dn(o, DnStyle::Display)
                        .into_iter()
                        .filter(keep)
                        .collect(),
                ) == *avas
            }),
            Want::Serial(s) => ours.as_str().is_some_and(|o| serial_norm(o) == *s),
            Want::Time(t) => ours.as_str().is_some_and(|o| time_norm(o) == *t),
            Want::QuicVersion(n, _) => ours.as_str().and_then(quic_version_number) == Some(*n),
            Want::QuicGreased(_) => ours
                .as_str()
                .and_then(quic_version_number)
                .is_some_and(is_greased_quic_version),
            Want::OrOffered(w) => w.check(ours),
        }
    }

    /// [`Want::check`] on the value of `f` in `session`, for the wants that need more of the
    /// session than that one value.
    fn check_session(&self, f: Field, session: &Value) -> bool {
        match self {
            Want::OrOffered(w) => {
                let v = f.ours(session);
                w.check(&v)
                    || (v.is_null()
                        && session
                            .get("versions_offered")
                            .and_then(Value::as_array)
                            .is_some_and(|a| a.iter().any(|x| w.check(x))))
            }
            _ => self.check(&f.ours(session)),
        }
    }

    /// Our value as the report shows it next to this want.
    fn got(&self, f: Field, session: &Value) -> String {
        match self {
            Want::OrOffered(_) => format!(
                "{} (versions_offered {})",
                f.ours(session),
                session.get("versions_offered").unwrap_or(&Value::Null)
            ),
            _ => f.ours(session).to_string(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Want::Str(s) | Want::Hex(s) => format!("{s:?}"),
            Want::Null => "null".into(),
            Want::Tls13Family(label) => format!("\"TLSv1.3\" (source label {label:?})"),
            Want::List { items, prefix } => {
                format!(
                    "{items:?}{}",
                    if *prefix {
                        " (leading positions only)"
                    } else {
                        ""
                    }
                )
            }
            Want::Index(i, s) => format!("[{i}] = {s:?}"),
            Want::Bool(b) => b.to_string(),
            Want::Established(true) => "outcome \"established\"".into(),
            Want::Established(false) => "outcome other than \"established\"".into(),
            Want::Dn { text, only, .. } => match only {
                None => format!("{text:?}"),
                Some(k) => format!("{text:?} (only {} compared)", k.join("/")),
            },
            Want::Serial(s) => format!("serial {s}"),
            Want::Time(t) => format!("{t:?}"),
            Want::QuicVersion(n, label) => format!("{label:?} (0x{n:08x})"),
            Want::QuicGreased(label) => format!("{label:?} (a reserved version 0x?a?a?a?a)"),
            Want::OrOffered(w) => format!("{} (or null with it in versions_offered)", w.describe()),
        }
    }
}

/// Maps a version label (expected.json's normalised spelling, or a source's raw spelling as it
/// appears in suricata `match`) to what our `version` must be.
fn version_want(label: &str) -> Result<Want, String> {
    let l = label.trim();
    let exact = |s: &str| Ok(Want::Str(s.to_string()));
    match l {
        "SSLv3" | "SSL 3.0" | "SSLv30" => return exact("SSLv3"),
        "TLSv1" | "TLSv1.0" | "TLS 1.0" | "TLSv10" => return exact("TLSv1.0"),
        "TLSv1.1" | "TLS 1.1" | "TLSv11" => return exact("TLSv1.1"),
        "TLSv1.2" | "TLS 1.2" | "TLSv12" => return exact("TLSv1.2"),
        "TLSv1.3" | "TLS 1.3" | "TLSv13" => return exact("TLSv1.3"),
        "UNDETERMINED" => return Ok(Want::Null),
        _ => {}
    }
    let lower = l.to_ascii_lowercase();
    let is13 =
        lower.starts_with("tlsv13") || lower.starts_with("tlsv1.3") || lower.starts_with("tls 1.3");
    if is13 && (lower.contains("draft") || lower.contains("fizz")) {
        return Ok(Want::Tls13Family(l.to_string()));
    }
    if lower.starts_with("unknown-") {
        return Err(format!(
            "version label {l:?} has no TLSvX.Y spelling (the source could not name it)"
        ));
    }
    Err(format!("unmapped version label {l:?}"))
}

/// QUIC version 2 (RFC 9369).
const QUIC_V2: u32 = 0x6b33_43cf;

/// A reserved version 0x?a?a?a?a, sent to force version negotiation (RFC 9000 §15).
fn is_greased_quic_version(v: u32) -> bool {
    v & 0x0f0f_0f0f == 0x0a0a_0a0a
}

/// The version number behind a QUIC version label, in any spelling the corpus or our output
/// uses (see docs/conformance.md, "QUIC version labels"):
/// * ours: `1`, `quicv2`, `quicv2-draft`, `draft-29`, `mvfst-22`/`-27`/`-exp`, `Q046`, `T051`,
///   `grease-0a0a0a0a`, `unknown-10010000`, `version-negotiation`;
/// * Zeek: `1`, `quicv2`, `draft-29`, `mvfst (faceb002)`, `unknown-10010000` (`%x`, no
///   padding);
/// * nDPI: `V-1`, `V-2`, `Draft-29`, `MVFST-22`/`-27`/`-EXP`, `Q046`, `T051`,
///   `Unknown (1A2B3C4D)` (its `Ver-Negotiation` names any reserved version and is handled by
///   [`quic_version_want`]).
fn quic_version_number(label: &str) -> Option<u32> {
    let l = label.trim();
    let hex = |h: &str| u32::from_str_radix(h.trim(), 16).ok();
    let lower = l.to_ascii_lowercase();
    match lower.as_str() {
        "1" | "v-1" | "v1" | "quicv1" => return Some(1),
        "quicv2" | "v-2" | "v2" => return Some(QUIC_V2),
        "quicv2-draft" => return Some(0x709a_50c4),
        "mvfst-22" => return Some(0xface_b001),
        "mvfst-27" => return Some(0xface_b002),
        "mvfst-exp" => return Some(0xface_b00e),
        "version-negotiation" => return Some(0),
        _ => {}
    }
    if let Some(n) = lower.strip_prefix("draft-") {
        return n.parse::<u8>().ok().map(|n| 0xff00_0000 | u32::from(n));
    }
    if let Some(h) = lower
        .strip_prefix("mvfst (")
        .or_else(|| lower.strip_prefix("unknown ("))
        .and_then(|r| r.strip_suffix(')'))
    {
        return hex(h);
    }
    if let Some(h) = lower
        .strip_prefix("unknown-")
        .or_else(|| lower.strip_prefix("grease-"))
    {
        return hex(h);
    }
    let b = l.as_bytes();
    if b.len() == 4 && matches!(b[0], b'Q' | b'T') && b[1..].iter().all(u8::is_ascii_digit) {
        return Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    }
    None
}

/// What our `quic_version` must be for a source's label.
fn quic_version_want(label: &str) -> Result<Want, String> {
    if label.trim() == "Ver-Negotiation" {
        return Ok(Want::QuicGreased(label.to_string()));
    }
    quic_version_number(label)
        .map(|n| Want::QuicVersion(n, label.to_string()))
        .ok_or_else(|| format!("unmapped QUIC version label {label:?}"))
}

/// The Google QUIC version of a record whose handshake values come from a gQUIC CHLO (a
/// `Q0xx` `quic_version`): those values are not TLS, and we do not decode them.
fn gquic_crypto_version(rec: &Value) -> Option<&str> {
    let v = rec.get("quic_version").and_then(Value::as_str)?;
    let b = v.as_bytes();
    (b.len() == 4 && b[0] == b'Q' && b[1..].iter().all(u8::is_ascii_digit)).then_some(v)
}

/// The fields a (non-suricata) QUIC record states, each with its expected value or why it is
/// not comparable. Zeek `quic.log`'s `alpn_offered_first` (`client_protocol`) is the first
/// `alpn_offered` value. nDPI's `version` is the ClientHello's (see [`Want::OrOffered`]).
fn quic_record_wants(src: Source, rec: &Value) -> Vec<(Field, Result<Want, String>)> {
    let mut out = Vec::new();
    let text = |f: Field, v: &Value| match v {
        Value::String(s) => Ok(Want::Str(s.clone())),
        Value::Null => Ok(Want::Null),
        other => Err(format!("unexpected {} value {other}", f.name())),
    };
    for f in Field::QUIC {
        let Some(v) = rec.get(f.name()) else { continue };
        let want = match f {
            Field::Sni | Field::Cipher | Field::Ja4 => text(f, v),
            Field::Ja3 => match v {
                Value::String(s) => Ok(Want::Hex(s.clone())),
                other => Err(format!("unexpected ja3 value {other}")),
            },
            Field::Version => match v.as_str() {
                None => Err(format!("unexpected version value {v}")),
                Some(label) if src == Source::Ndpi => {
                    version_want(label).map(|w| Want::OrOffered(Box::new(w)))
                }
                Some(label) => version_want(label),
            },
            Field::AlpnOffered => match v.as_array() {
                Some(a) => Ok(Want::List {
                    items: a
                        .iter()
                        .map(|x| x.as_str().unwrap_or_default().to_string())
                        .collect(),
                    prefix: rec.get("alpn_offered_partial").and_then(Value::as_bool) == Some(true),
                }),
                None => Err(format!("unexpected alpn_offered value {v}")),
            },
            Field::QuicVersion => match v.as_str() {
                Some(label) => quic_version_want(label),
                None => Err(format!("unexpected quic_version value {v}")),
            },
            _ => unreachable!("only QUIC fields here"),
        };
        out.push((f, want));
    }
    if let Some(first) = rec.get("alpn_offered_first") {
        out.push((
            Field::AlpnOffered,
            match first.as_str() {
                Some(s) => Ok(Want::Index(0, s.to_string())),
                None => Err(format!("unexpected alpn_offered_first value {first}")),
            },
        ));
    }
    out
}

/// Keys a QUIC record may state that `conformance_quic` does not compare (listed under "not
/// compared" with this reason).
const QUIC_NOT_COMPARED: &[(&str, &str)] = &[
    (
        "alpn",
        "negotiated ALPN (encrypted in QUIC; no source states it)",
    ),
    ("resumed", "not among the QUIC fields of issue 6"),
    ("established", "not among the QUIC fields of issue 6"),
    ("curve", "not among the QUIC fields of issue 6"),
];

/// Suricata `tls.server_handshake.cipher` (IANA number) → IANA name, for the values that occur.
fn cipher_name(id: u64) -> Option<&'static str> {
    Some(match id {
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        _ => return None,
    })
}

/// The fields a (non-suricata) record states, each with its expected value or why it is not
/// comparable.
fn record_wants(src: Source, rec: &Value) -> Vec<(Field, Result<Want, String>)> {
    let mut out = Vec::new();
    for f in Field::PLAIN {
        let Some(v) = rec.get(f.name()) else { continue };
        let want = match f {
            Field::Sni | Field::Cipher | Field::Alpn | Field::Ja4 => match v {
                Value::String(s) => Ok(Want::Str(s.clone())),
                Value::Null => Ok(Want::Null),
                other => Err(format!("unexpected {} value {other}", f.name())),
            },
            Field::Ja3 | Field::Ja3s => match v {
                Value::String(s) => Ok(Want::Hex(s.clone())),
                Value::Null => Ok(Want::Null),
                other => Err(format!("unexpected {} value {other}", f.name())),
            },
            Field::Version => match v.as_str() {
                None => Err(format!("unexpected version value {v}")),
                Some(_) if src == Source::Ndpi && rec.get("ja3s").is_none() && rec.get("cipher").is_none() => Err(
                    "nDPI saw no ServerHello: its flow version is the ClientHello's, not a negotiated one".into(),
                ),
                Some(label) => version_want(label),
            },
            Field::AlpnOffered => match v.as_array() {
                Some(a) => Ok(Want::List {
                    items: a.iter().map(|x| x.as_str().unwrap_or_default().to_string()).collect(),
                    prefix: rec.get("alpn_offered_partial").and_then(Value::as_bool) == Some(true),
                }),
                None => Err(format!("unexpected alpn_offered value {v}")),
            },
            Field::Resumed => match v.as_bool() {
                Some(b) => Ok(Want::Bool(b)),
                None => Err(format!("unexpected resumed value {v}")),
            },
            Field::Established => match v.as_bool() {
                Some(b) => Ok(Want::Established(b)),
                None => Err(format!("unexpected established value {v}")),
            },
            Field::LastAlert => match v.as_str() {
                Some(s) => Ok(Want::Str(s.to_string())),
                None => Err(format!("unexpected last_alert value {v}")),
            },
            _ => unreachable!("only PLAIN fields here"),
        };
        out.push((f, want));
    }
    out.extend(cert_wants(src, rec));
    out
}

/// The certificate fields a (non-suricata) record states. See docs/conformance.md.
fn cert_wants(src: Source, rec: &Value) -> Vec<(Field, Result<Want, String>)> {
    let mut out = Vec::new();
    let stated = |v: Option<&Value>| -> Option<String> {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "-")
            .map(str::to_string)
    };
    match src {
        Source::ZeekSsl => {
            let raw = rec.get("raw");
            let raw = |k: &str| stated(raw.and_then(|r| r.get(k)));
            if let Some(s) = raw("subject") {
                out.push((Field::CertSubject, Ok(dn_want(&s, DnStyle::Rfc2253))));
            }
            if let Some(s) = raw("issuer") {
                out.push((Field::CertIssuer, Ok(dn_want(&s, DnStyle::Rfc2253))));
            }
            match raw("cert_chain_fps").as_deref() {
                None => {}
                Some("(empty)") => out.push((
                    Field::CertChainFps,
                    Err("Zeek logged no server certificate (cert_chain_fps empty)".into()),
                )),
                Some(fps) => out.push((
                    Field::CertChainFps,
                    Ok(Want::List {
                        items: fps
                            .split(',')
                            .map(|x| x.trim().to_ascii_lowercase())
                            .collect(),
                        prefix: false,
                    }),
                )),
            }
            match raw("sni_matches_cert").as_deref() {
                Some("T") => out.push((Field::SniMatchesCert, Ok(Want::Bool(true)))),
                Some("F") => out.push((Field::SniMatchesCert, Ok(Want::Bool(false)))),
                Some(other) => out.push((
                    Field::SniMatchesCert,
                    Err(format!("unexpected sni_matches_cert {other:?}")),
                )),
                None => {}
            }
        }
        Source::Ndpi => {
            let dn = |s: &str| dn_want_only(s, DnStyle::Display, Some(NDPI_DN_ATTRS));
            if let Some(s) = stated(rec.get("cert_subject")) {
                out.push((Field::CertSubject, Ok(dn(&s))));
            }
            if let Some(s) = stated(rec.get("cert_issuer")) {
                out.push((Field::CertIssuer, Ok(dn(&s))));
            }
            if let Some(v) = stated(rec.get("cert_validity")) {
                match v.split_once(" - ") {
                    Some((a, b)) => {
                        out.push((Field::CertNotBefore, Ok(Want::Time(time_norm(a)))));
                        out.push((Field::CertNotAfter, Ok(Want::Time(time_norm(b)))));
                    }
                    None => out.push((
                        Field::CertNotBefore,
                        Err(format!("cert_validity {v:?} is not \"A - B\"")),
                    )),
                }
            }
            if let Some(s) = stated(rec.get("cert_sha1")) {
                out.push((Field::CertFingerprint, fingerprint_want(&s)));
            }
            if let Some(s) = stated(rec.get("cert_server_names")) {
                out.push((
                    Field::CertSan,
                    Ok(Want::List {
                        items: s.split(',').map(|x| x.trim().to_string()).collect(),
                        prefix: false,
                    }),
                ));
            }
        }
        _ => {}
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Our sessions
// ---------------------------------------------------------------------------------------------

struct Session {
    v: Value,
    client: Option<Endpoint>,
    server: Option<Endpoint>,
    tcp: bool,
    quic: bool,
}

impl Session {
    fn new(v: Value) -> Session {
        let ep = |k: &str| v.get(k).and_then(Value::as_str).and_then(Endpoint::parse);
        let client = ep("client");
        let server = ep("server");
        let transport = v.get("transport").and_then(Value::as_str);
        let tcp = transport == Some("tcp");
        let quic = transport == Some("quic");
        Session {
            v,
            client,
            server,
            tcp,
            quic,
        }
    }

    fn is(&self, kind: Kind) -> bool {
        match kind {
            Kind::Tcp => self.tcp,
            Kind::Quic => self.quic,
        }
    }

    fn has_hello(&self) -> bool {
        ["sni", "ja4", "ja3", "version", "client_hello_bytes"]
            .iter()
            .any(|k| self.v.get(*k).is_some_and(|x| !x.is_null()))
    }

    /// A TLS handshake message was seen: what suricata needs before it logs a `tls` event.
    fn tls_seen(&self) -> bool {
        [
            "sni",
            "ja4",
            "ja3",
            "ja3s",
            "version",
            "cipher",
            "cert",
            "client_hello_bytes",
        ]
        .iter()
        .any(|k| self.v.get(*k).is_some_and(|x| !x.is_null()))
    }

    fn label(&self) -> String {
        let s = |k: &str| {
            self.v
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        };
        format!("{} → {}", s("client"), s("server"))
    }
}

struct FileRun {
    sessions: Vec<Session>,
    /// Something went wrong running the binary (exit status, unparseable lines, ...).
    problem: Option<String>,
}

fn run_json(corpus: &Path, file: &str) -> FileRun {
    let path = corpus.join(file);
    if !path.is_file() {
        return FileRun {
            sessions: Vec::new(),
            problem: Some("capture file missing".into()),
        };
    }
    let input = match prepare_input(&path) {
        Ok(i) => i,
        Err(e) => {
            return FileRun {
                sessions: Vec::new(),
                problem: Some(e),
            };
        }
    };
    let out = run_tlscope(
        &[
            std::ffi::OsStr::new("read"),
            input.path.as_os_str(),
            std::ffi::OsStr::new("--json"),
        ],
        run_timeout(),
    );
    let (records, errors) = parse_json_lines(&out.stdout);
    let mut problems = Vec::new();
    if out.status.is_none_or(|s| !s.success()) {
        problems.push(format!(
            "{}; stderr: {}",
            out.describe_status(),
            excerpt(&out.stderr_text(), 200)
        ));
    }
    if !errors.is_empty() {
        problems.push(format!(
            "{} bad JSON line(s), first: {}",
            errors.len(),
            errors[0]
        ));
    }
    let sessions = records
        .into_iter()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some("session"))
        .map(Session::new)
        .collect();
    FileRun {
        sessions,
        problem: if problems.is_empty() {
            None
        } else {
            Some(problems.join("; "))
        },
    }
}

/// The client and server (or nDPI's `src` and `dst`) an expected record states, both with
/// ports.
fn record_endpoints(rec: &Value) -> Option<(Endpoint, Endpoint)> {
    let ep = |a: &str, b: &str| {
        let x = rec.get(a).and_then(Value::as_str).and_then(Endpoint::parse);
        let y = rec.get(b).and_then(Value::as_str).and_then(Endpoint::parse);
        match (x, y) {
            (Some(x), Some(y)) if x.port.is_some() && y.port.is_some() => Some((x, y)),
            _ => None,
        }
    };
    ep("client", "server").or_else(|| ep("src", "dst"))
}

/// The endpoints of a Zeek record that states none (a `.cut` baseline), taken from the Zeek
/// record of the same file with the same `uid` that states them (`ssl.log` and `quic.log`
/// lines of one connection share their `uid`).
fn endpoints_by_uid(rec: &Value, records: &[(&Value, Source)]) -> Option<(Endpoint, Endpoint)> {
    let uid = rec.get("uid").and_then(Value::as_str)?;
    records
        .iter()
        .filter(|(o, s)| {
            matches!(s, Source::ZeekSsl | Source::ZeekQuic)
                && o.get("uid").and_then(Value::as_str) == Some(uid)
        })
        .find_map(|(o, _)| record_endpoints(o))
}

/// Finds our `kind` session for an expected (non-suricata) record whose endpoints are `eps`.
/// See docs/conformance.md. Returns the index and whether several sessions qualified.
fn find_session(
    rec: &Value,
    eps: Option<(Endpoint, Endpoint)>,
    sessions: &[Session],
    kind: Kind,
) -> Result<(usize, bool), String> {
    let t = kind.label();
    let ours: Vec<usize> = (0..sessions.len())
        .filter(|&i| sessions[i].is(kind))
        .collect();
    if let Some((a, b)) = eps {
        let oriented = |c: &Endpoint, s: &Endpoint| -> Vec<usize> {
            ours.iter()
                .copied()
                .filter(|&i| {
                    sessions[i].client.is_some_and(|x| x.matches(c))
                        && sessions[i].server.is_some_and(|x| x.matches(s))
                })
                .collect()
        };
        let mut cands = oriented(&a, &b);
        if cands.is_empty() {
            cands = oriented(&b, &a);
        }
        if cands.is_empty() {
            return Err(format!("no {t} session with these endpoints"));
        }
        let pick = cands
            .iter()
            .copied()
            .find(|&i| sessions[i].has_hello())
            .unwrap_or(cands[0]);
        return Ok((pick, cands.len() > 1));
    }
    if let Some(sni) = rec.get("sni").and_then(Value::as_str) {
        let cands: Vec<usize> = ours
            .iter()
            .copied()
            .filter(|&i| sessions[i].v.get("sni").and_then(Value::as_str) == Some(sni))
            .collect();
        return match cands.len() {
            1 => Ok((cands[0], false)),
            0 => Err(format!(
                "no {t} session with sni {sni:?} (record has no endpoints)"
            )),
            n => Err(format!(
                "{n} {t} sessions with sni {sni:?} (record has no endpoints)"
            )),
        };
    }
    match ours.len() {
        1 => Ok((ours[0], false)),
        n => Err(format!(
            "record has neither endpoints nor sni and the capture has {n} {t} sessions"
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Suricata EVE filters
// ---------------------------------------------------------------------------------------------

/// What a filter condition is about, for the leave-one-out blame in `compare_filter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Tag {
    /// Picks the connection (event type, protocol, endpoints): never blamed on its own.
    Identity,
    /// Certificate presence (stands in for suricata's certificate fields).
    Cert,
    /// The extension at a position of a hello (suricata `quic.extensions[i].name`).
    Ext,
    /// One of the compared fields.
    Field(Field),
}

#[derive(Debug)]
enum Pred {
    Tcp,
    Quic,
    TlsSeen,
    Endpoints {
        src_ip: Option<IpAddr>,
        src_port: Option<u16>,
        dst_ip: Option<IpAddr>,
        dst_port: Option<u16>,
    },
    Want(Field, Want),
    /// Suricata `tls.version`: suricata falls back to the ClientHello's version when there is no
    /// ServerHello, so this also holds when our `version` is null and `versions_offered` has it.
    VersionOrOffered(Want),
    /// A condition on the client certificate (`client_cert`, mutual TLS).
    ClientWant(Field, Want),
    HasCert,
    HasSan,
    HasClientCert,
    /// Our value of this field is not null (suricata `has-key: quic.ja4`).
    NonNull(Field),
    /// Suricata `quic.extensions[i].name`: suricata logs the extensions of each hello it sees
    /// (the client's and the server's), so position `i` of our `extensions_offered` or of our
    /// `extensions_server` has this (our) name.
    ExtAt(usize, String),
}

impl Pred {
    fn eval(&self, s: &Session) -> bool {
        match self {
            Pred::Tcp => s.tcp,
            Pred::Quic => s.quic,
            Pred::TlsSeen => s.tls_seen(),
            Pred::Endpoints {
                src_ip,
                src_port,
                dst_ip,
                dst_port,
            } => {
                let side = |ep: Option<Endpoint>, ip: &Option<IpAddr>, port: &Option<u16>| {
                    (ip.is_none() && port.is_none())
                        || ep.is_some_and(|e| {
                            ip.is_none_or(|ip| e.ip == ip) && port.is_none_or(|p| e.port == Some(p))
                        })
                };
                let forward = side(s.client, src_ip, src_port) && side(s.server, dst_ip, dst_port);
                let all_four = src_ip.is_some()
                    && src_port.is_some()
                    && dst_ip.is_some()
                    && dst_port.is_some();
                forward
                    || (all_four
                        && side(s.client, dst_ip, dst_port)
                        && side(s.server, src_ip, src_port))
            }
            Pred::Want(f, w) => w.check(&f.ours(&s.v)),
            Pred::VersionOrOffered(w) => {
                let v = Field::Version.ours(&s.v);
                w.check(&v)
                    || (v.is_null()
                        && !matches!(w, Want::Null)
                        && s.v
                            .get("versions_offered")
                            .and_then(Value::as_array)
                            .is_some_and(|a| a.iter().any(|x| w.check(x))))
            }
            Pred::ClientWant(f, w) => {
                w.check(&f.of_cert(s.v.get("client_cert")).unwrap_or(Value::Null))
            }
            Pred::HasCert => s.v.get("cert").is_some_and(Value::is_object),
            Pred::HasClientCert => s.v.get("client_cert").is_some_and(Value::is_object),
            Pred::HasSan => {
                s.v.get("cert")
                    .and_then(|c| c.get("san"))
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty())
            }
            Pred::NonNull(f) => !f.ours(&s.v).is_null(),
            Pred::ExtAt(i, name) => ["extensions_offered", "extensions_server"].iter().any(|k| {
                s.v.get(*k)
                    .and_then(Value::as_array)
                    .and_then(|a| a.get(*i))
                    .and_then(Value::as_str)
                    == Some(name.as_str())
            }),
        }
    }

    fn describe(&self) -> String {
        match self {
            Pred::Want(_, w) => w.describe(),
            Pred::ClientWant(_, w) => format!("client certificate {}", w.describe()),
            Pred::HasClientCert => "a client certificate".into(),
            Pred::VersionOrOffered(w) => {
                format!("{} (or null with it in versions_offered)", w.describe())
            }
            Pred::HasCert => "a certificate".into(),
            Pred::HasSan => "a certificate with SANs".into(),
            Pred::NonNull(f) => format!("a {}", f.name()),
            Pred::ExtAt(i, name) => {
                format!("extension [{i}] {name:?} (client or server hello)")
            }
            other => format!("{other:?}"),
        }
    }
}

struct Filter {
    count: usize,
    preds: Vec<(Tag, Pred)>,
    /// `match` keys we cannot map at all (ignored).
    unmapped: Vec<String>,
    /// `match` keys mapped to a weaker condition (certificate presence).
    weakened: Vec<String>,
    /// Values the filter states that cannot be compared, and why (listed as "not compared").
    not_comparable: Vec<(Field, String)>,
    /// `event_type: quic`: suricata writes a QUIC event per packet it parses, not per
    /// connection, so `count` events come from between 1 and `count` connections.
    per_event: bool,
    /// `match` keys that are values of the Google QUIC (not TLS) handshake (`quic.cyu[*]`):
    /// ignored, and listed as "not supported: Google QUIC crypto".
    gquic_crypto: Vec<String>,
}

impl Filter {
    /// With ignored or weakened conditions our set can only be larger: the check becomes
    /// "at least `count`".
    fn relaxed(&self) -> bool {
        !self.unmapped.is_empty() || !self.weakened.is_empty()
    }

    fn ok(&self, n: usize) -> bool {
        if self.per_event {
            // Every matching connection gives at least one matching event.
            if self.count == 0 {
                n == 0
            } else {
                n >= 1 && (self.relaxed() || n <= self.count)
            }
        } else if self.relaxed() {
            n >= self.count
        } else {
            n == self.count
        }
    }

    /// What the filter asks of our sessions, for the report.
    fn expectation(&self) -> String {
        let c = self.count;
        match (self.per_event, self.relaxed()) {
            (false, false) => format!("exactly {c} session(s)"),
            (false, true) => format!("at least {c} session(s)"),
            (true, _) if c == 0 => "no session".into(),
            (true, false) => format!("1 to {c} session(s) ({c} per-packet QUIC event(s))"),
            (true, true) => format!("at least 1 session ({c} per-packet QUIC event(s))"),
        }
    }

    /// The fewest of our sessions that can satisfy the filter.
    fn min_needed(&self) -> usize {
        if self.per_event {
            self.count.min(1)
        } else {
            self.count
        }
    }

    /// Sessions meeting every condition, except those tagged `drop` when given.
    fn matching(&self, sessions: &[Session], drop: Option<Tag>) -> Vec<usize> {
        (0..sessions.len())
            .filter(|&i| {
                self.preds
                    .iter()
                    .filter(|(t, _)| Some(*t) != drop)
                    .all(|(_, p)| p.eval(&sessions[i]))
            })
            .collect()
    }

    fn fields(&self) -> Vec<Field> {
        let set: BTreeSet<Field> = self
            .preds
            .iter()
            .filter_map(|(t, _)| {
                if let Tag::Field(f) = t {
                    Some(*f)
                } else {
                    None
                }
            })
            .collect();
        set.into_iter().collect()
    }

    fn has(&self, tag: Tag) -> bool {
        self.preds.iter().any(|(t, _)| *t == tag)
    }

    fn want_text(&self, tag: Tag) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (_, p) in self.preds.iter().filter(|(t, _)| *t == tag) {
            let d = p.describe();
            if !parts.contains(&d) {
                parts.push(d);
            }
        }
        parts.join(" and ")
    }
}

/// Suricata's TLS extension name → ours (tlscope's `extensions_offered`/`extensions_server`
/// spell the IANA names; suricata shortens one of them).
fn extension_name(suricata: &str) -> String {
    match suricata {
        "alpn" => "application_layer_protocol_negotiation".into(),
        other => other.into(),
    }
}

fn build_filter(rec: &Value) -> Result<Filter, String> {
    let count = rec
        .get("count")
        .and_then(Value::as_u64)
        .ok_or("eve_filter without a numeric count")? as usize;
    let m = rec
        .get("match")
        .and_then(Value::as_object)
        .ok_or("eve_filter without a match object")?;
    let mut f = Filter {
        count,
        preds: Vec::new(),
        unmapped: Vec::new(),
        weakened: Vec::new(),
        not_comparable: Vec::new(),
        per_event: false,
        gquic_crypto: Vec::new(),
    };
    // Suricata's names for the `quic.extensions[i]` a filter names (for their `values`).
    let ext_names: BTreeMap<usize, &str> = m
        .iter()
        .filter_map(|(k, v)| {
            let i = k
                .strip_prefix("quic.extensions[")?
                .strip_suffix("].name")?
                .parse()
                .ok()?;
            Some((i, v.as_str()?))
        })
        .collect();
    let (mut src_ip, mut src_port, mut dst_ip, mut dst_port) = (None, None, None, None);
    let text = |v: &Value| v.as_str().map(str::to_string);
    let want = |f: &mut Filter, field: Field, w: Want| {
        f.preds.push((Tag::Field(field), Pred::Want(field, w)))
    };
    for (k, v) in m {
        let key = k.as_str();
        match key {
            "event_type" => match v.as_str() {
                Some("tls") | Some("alert") => {
                    f.preds.push((Tag::Identity, Pred::Tcp));
                    f.preds.push((Tag::Identity, Pred::TlsSeen));
                }
                Some("quic") => {
                    f.preds.push((Tag::Identity, Pred::Quic));
                    f.per_event = true;
                }
                _ => f.unmapped.push(format!("{key}={v}")),
            },
            "proto" if v.as_str().is_some_and(|p| p.eq_ignore_ascii_case("tcp")) => {
                f.preds.push((Tag::Identity, Pred::Tcp))
            }
            "pkt_src" if v.as_str() == Some("wire/pcap") => {} // always true for `tlscope read`
            "src_ip" => src_ip = v.as_str().and_then(|x| x.parse::<IpAddr>().ok()),
            "dest_ip" => dst_ip = v.as_str().and_then(|x| x.parse::<IpAddr>().ok()),
            "src_port" => src_port = v.as_u64().and_then(|p| u16::try_from(p).ok()),
            "dest_port" => dst_port = v.as_u64().and_then(|p| u16::try_from(p).ok()),
            "tls.sni" if v.is_string() => want(&mut f, Field::Sni, Want::Str(text(v).unwrap())),
            "tls.version" if v.is_string() => match version_want(v.as_str().unwrap()) {
                Ok(w) => f
                    .preds
                    .push((Tag::Field(Field::Version), Pred::VersionOrOffered(w))),
                Err(_) => f.unmapped.push(format!("{key}={v}")),
            },
            "tls.ja3.hash" if v.is_string() => {
                want(&mut f, Field::Ja3, Want::Hex(text(v).unwrap()))
            }
            "tls.ja3.string" if v.is_string() => want(
                &mut f,
                Field::Ja3,
                Want::Hex(md5_hex(v.as_str().unwrap().as_bytes())),
            ),
            "tls.ja3s.hash" if v.is_string() => {
                want(&mut f, Field::Ja3s, Want::Hex(text(v).unwrap()))
            }
            "tls.ja3s.string" if v.is_string() => want(
                &mut f,
                Field::Ja3s,
                Want::Hex(md5_hex(v.as_str().unwrap().as_bytes())),
            ),
            "tls.ja4" | "quic.ja4" if v.is_string() => {
                want(&mut f, Field::Ja4, Want::Str(text(v).unwrap()))
            }
            "quic.sni" if v.is_string() => want(&mut f, Field::Sni, Want::Str(text(v).unwrap())),
            "quic.ja3.hash" if v.is_string() => {
                want(&mut f, Field::Ja3, Want::Hex(text(v).unwrap()))
            }
            "quic.ja3.string" if v.is_string() => want(
                &mut f,
                Field::Ja3,
                Want::Hex(md5_hex(v.as_str().unwrap().as_bytes())),
            ),
            "quic.version" if v.is_string() => match quic_version_want(v.as_str().unwrap()) {
                Ok(w) => want(&mut f, Field::QuicVersion, w),
                Err(_) => f.unmapped.push(format!("{key}={v}")),
            },
            "tls.server_alpns[0]" if v.is_string() => {
                want(&mut f, Field::Alpn, Want::Str(text(v).unwrap()))
            }
            "tls.session_resumed" if v.is_boolean() => {
                want(&mut f, Field::Resumed, Want::Bool(v.as_bool().unwrap()))
            }
            "tls.server_handshake.cipher" => match v.as_u64().and_then(cipher_name) {
                Some(name) => want(&mut f, Field::Cipher, Want::Str(name.into())),
                None => f.unmapped.push(format!("{key}={v}")),
            },
            // The server certificate (`tls.*`) and the client certificate (`tls.client.*`).
            "tls.subject"
            | "tls.issuerdn"
            | "tls.serial"
            | "tls.fingerprint"
            | "tls.notbefore"
            | "tls.notafter"
            | "tls.client.subject"
            | "tls.client.issuerdn"
            | "tls.client.serial"
            | "tls.client.fingerprint"
            | "tls.client.notbefore"
            | "tls.client.notafter"
                if v.is_string() =>
            {
                let val = v.as_str().unwrap();
                let client = key.starts_with("tls.client.");
                let (field, w) = match key.rsplit('.').next().unwrap_or("") {
                    "subject" => (Field::CertSubject, Ok(dn_want(val, DnStyle::Display))),
                    "issuerdn" => (Field::CertIssuer, Ok(dn_want(val, DnStyle::Display))),
                    "serial" => (Field::CertSerial, Ok(Want::Serial(serial_norm(val)))),
                    "notbefore" => (Field::CertNotBefore, Ok(Want::Time(time_norm(val)))),
                    "notafter" => (Field::CertNotAfter, Ok(Want::Time(time_norm(val)))),
                    _ => (Field::CertFingerprint, fingerprint_want(val)),
                };
                match (w, client) {
                    (Ok(w), false) => want(&mut f, field, w),
                    (Ok(w), true) => f
                        .preds
                        .push((Tag::Field(field), Pred::ClientWant(field, w))),
                    (Err(why), _) => {
                        // Only certificate presence can be checked.
                        f.preds.push((
                            Tag::Cert,
                            if client {
                                Pred::HasClientCert
                            } else {
                                Pred::HasCert
                            },
                        ));
                        f.weakened.push(key.to_string());
                        f.not_comparable.push((field, why));
                    }
                }
            }
            "has-key" => {
                let keys: Vec<&str> = match v {
                    Value::String(x) => vec![x.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                for hk in keys {
                    match hk {
                        "tls.subjectaltname" => f.preds.push((Tag::Cert, Pred::HasSan)),
                        "tls.certificate" | "tls.chain" | "tls.subject" | "tls.issuerdn"
                        | "tls.serial" | "tls.fingerprint" => {
                            f.preds.push((Tag::Cert, Pred::HasCert))
                        }
                        "tls.client.certificate"
                        | "tls.client.chain"
                        | "tls.client.subject"
                        | "tls.client.issuerdn"
                        | "tls.client.serial"
                        | "tls.client.fingerprint" => {
                            f.preds.push((Tag::Cert, Pred::HasClientCert))
                        }
                        "quic.ja4" => f
                            .preds
                            .push((Tag::Field(Field::Ja4), Pred::NonNull(Field::Ja4))),
                        other => f.unmapped.push(format!("has-key {other}")),
                    }
                }
            }
            _ => {
                if let Some(idx) = key
                    .strip_prefix("tls.client_alpns[")
                    .and_then(|r| r.strip_suffix(']'))
                    && let (Ok(i), Some(val)) = (idx.parse::<usize>(), text(v))
                {
                    want(&mut f, Field::AlpnOffered, Want::Index(i, val));
                    continue;
                }
                if let Some(idx) = key
                    .strip_prefix("tls.subjectaltname[")
                    .and_then(|r| r.strip_suffix(']'))
                    && let (Ok(i), Some(val)) = (idx.parse::<usize>(), text(v))
                {
                    want(&mut f, Field::CertSan, Want::Index(i, val));
                    continue;
                }
                if let Some(rest) = key.strip_prefix("quic.extensions[")
                    && let Some((idx, what)) = rest.split_once(']')
                    && let Ok(i) = idx.parse::<usize>()
                    && let Some(val) = text(v)
                {
                    if what == ".name" {
                        f.preds
                            .push((Tag::Ext, Pred::ExtAt(i, extension_name(&val))));
                        continue;
                    }
                    let j = what
                        .strip_prefix(".values[")
                        .and_then(|r| r.strip_suffix(']'))
                        .and_then(|j| j.parse::<usize>().ok());
                    match (ext_names.get(&i).copied(), j) {
                        (Some("server_name"), Some(0)) => {
                            want(&mut f, Field::Sni, Want::Str(val));
                            continue;
                        }
                        (Some("alpn"), Some(j)) => {
                            want(&mut f, Field::AlpnOffered, Want::Index(j, val));
                            continue;
                        }
                        _ => {}
                    }
                }
                if key.starts_with("quic.cyu") {
                    f.gquic_crypto.push(format!("{key}={v}"));
                }
                f.unmapped.push(key.to_string());
            }
        }
    }
    if src_ip.is_some() || src_port.is_some() || dst_ip.is_some() || dst_port.is_some() {
        f.preds.push((
            Tag::Identity,
            Pred::Endpoints {
                src_ip,
                src_port,
                dst_ip,
                dst_port,
            },
        ));
    }
    Ok(f)
}

// ---------------------------------------------------------------------------------------------
// Tallies and report
// ---------------------------------------------------------------------------------------------

#[derive(Default, Clone, Copy)]
struct Tally {
    matched: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        if ok {
            self.matched += 1;
        }
    }
    fn pct(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.matched as f64 / self.total as f64
        }
    }
}

#[derive(Default)]
struct Report {
    /// Which connections this report compares.
    kind: Kind,
    /// The fields of the per-field table, in order.
    fields: &'static [Field],
    /// `(field, source or all, percent)`.
    floors: &'static [(Field, Option<Source>, f64)],
    by_field: BTreeMap<Field, Tally>,
    by_source: BTreeMap<(Source, Field), Tally>,
    /// (field, source, text); field `None` for suricata filters that state no comparable field.
    mismatches: Vec<(Option<Field>, Source, String)>,
    /// JA4 mismatches fully explained by one of the source rules [`ja4_note`] recognises:
    /// explanation → count. These mismatches are listed after the others.
    ja4_explained: BTreeMap<String, usize>,
    known: Vec<String>,
    /// reason → (count, first example)
    skipped: BTreeMap<String, (usize, String)>,
    filters: Tally,
    filters_not_evaluable: Vec<String>,
    ambiguous: usize,
    run_problems: Vec<String>,
    records_compared: usize,
    /// Expected values that come from a Google QUIC (not TLS) handshake: not in any total,
    /// listed one by one as "not supported: Google QUIC crypto".
    unsupported: Vec<String>,
}

impl Report {
    fn tcp() -> Report {
        Report {
            kind: Kind::Tcp,
            fields: &Field::ALL,
            floors: FLOORS,
            ..Report::default()
        }
    }

    fn quic() -> Report {
        Report {
            kind: Kind::Quic,
            fields: &Field::QUIC,
            floors: QUIC_FLOORS,
            ..Report::default()
        }
    }

    /// The floor of this field and the source it applies to (`None`: all sources).
    fn floor(&self, f: Field) -> Option<(Option<Source>, f64)> {
        self.floors
            .iter()
            .find(|(x, _, _)| *x == f)
            .map(|(_, s, p)| (*s, *p))
    }

    fn record(&mut self, src: Source, f: Field, ok: bool, mismatch: impl FnOnce() -> String) {
        self.by_field.entry(f).or_default().add(ok);
        self.by_source.entry((src, f)).or_default().add(ok);
        if !ok {
            self.mismatches.push((Some(f), src, mismatch()));
        }
    }

    /// For a field with a floor: the source it applies to, the tally it is checked on, and the
    /// floor.
    fn floor_check(&self, f: Field) -> Option<(Option<Source>, Tally, f64)> {
        let (scope, p) = self.floor(f)?;
        let t = match scope {
            None => self.by_field.get(&f),
            Some(s) => self.by_source.get(&(s, f)),
        };
        Some((scope, t.copied().unwrap_or_default(), p))
    }

    fn skip(&mut self, reason: String, example: String) {
        let e = self.skipped.entry(reason).or_insert((0, example));
        e.0 += 1;
    }
}

fn known_disagreement(file: &str, f: Field) -> Option<&'static str> {
    KNOWN_SOURCE_DISAGREEMENTS
        .iter()
        .find(|(kf, kfield, _)| *kf == file && *kfield == f.name())
        .map(|(_, _, r)| *r)
}

/// `ip:port` / `[ipv6]:port` / `ip`.
fn ep_text(e: &Endpoint) -> String {
    match e.port {
        Some(p) => std::net::SocketAddr::new(e.ip, p).to_string(),
        None => e.ip.to_string(),
    }
}

/// Marks the mismatch lines [`ja4_note`] fully explains (they are listed last).
const EXPLAINED: &str = " [source rule: ";

/// Why a source's JA4 differs from ours, when the difference is one the docs explain (the
/// source's SNI flag without a `server_name` extension, or its ALPN characters): the note
/// appended to the mismatch line, and the short names of the rules (empty when something else
/// differs too). `None` when ours is absent or the SNI flag differs some other way.
fn ja4_note(expected: &str, session: &Value) -> Option<(String, Vec<String>)> {
    let ours = session.get("ja4")?.as_str()?;
    let (e, o) = (expected.as_bytes(), ours.as_bytes());
    if e.len() != o.len() || e.len() < 10 || !expected.is_ascii() || !ours.is_ascii() {
        return None;
    }
    let diff: Vec<usize> = (0..e.len()).filter(|&i| e[i] != o[i]).collect();
    let mut notes = Vec::new();
    let mut kinds = Vec::new();
    if diff.contains(&3) {
        let has_sni_ext = session
            .get("extensions_offered")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("server_name")));
        if e[3] == b'd' && o[3] == b'i' && !has_sni_ext {
            notes.push(
                "SNI flag: the hello has no server_name extension, the spec gives `i`".to_string(),
            );
            kinds.push("SNI flag `d` for a hello without server_name".to_string());
        } else {
            return None;
        }
    }
    if diff.iter().any(|i| (8..10).contains(i)) {
        let first = session
            .get("alpn_offered")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)?;
        let first_two: String = first.chars().take(2).collect();
        let theirs = &expected[8..10];
        let rule = if theirs == first_two {
            "its first two characters"
        } else {
            "neither the spec's rule nor its first two characters"
        };
        notes.push(format!(
            "ALPN characters: first ALPN {first:?}, the spec (first and last character) gives {:?}, the source has {theirs:?} ({rule})",
            &ours[8..10]
        ));
        kinds.push(if theirs == first_two {
            "ALPN characters = first two of the first ALPN".to_string()
        } else {
            format!("ALPN characters {theirs:?} for first ALPN {first:?}")
        });
    }
    if notes.is_empty() {
        return None;
    }
    if diff.iter().any(|&i| !(i == 3 || (8..10).contains(&i))) {
        notes.push("other parts differ too".into());
        return Some((format!(" [{}]", notes.join("; ")), Vec::new()));
    }
    Some((format!("{EXPLAINED}{}]", notes.join("; ")), kinds))
}

fn compare_file(report: &mut Report, file: &str, records: &[(&Value, Source)], run: &FileRun) {
    if let Some(p) = &run.problem {
        report.run_problems.push(format!("{file}: {p}"));
    }
    let kind = report.kind;
    let sessions = &run.sessions;
    for &(rec, src) in records {
        report.records_compared += 1;
        if src == Source::Suricata && rec.get("kind").and_then(Value::as_str) == Some("eve_filter")
        {
            compare_filter(report, file, rec, sessions);
            continue;
        }
        let wants = match kind {
            Kind::Tcp => record_wants(src, rec),
            Kind::Quic => quic_record_wants(src, rec),
        };
        let eps = record_endpoints(rec).or_else(|| endpoints_by_uid(rec, records));
        let who = match (
            rec.get("client").or(rec.get("src")),
            rec.get("server").or(rec.get("dst")),
        ) {
            (Some(a), Some(b)) => format!(
                "{} ↔ {}",
                a.as_str().unwrap_or("?"),
                b.as_str().unwrap_or("?")
            ),
            _ => match (eps, rec.get("sni")) {
                (Some((a, b)), _) => format!("{} ↔ {} (by uid)", ep_text(&a), ep_text(&b)),
                (None, Some(s)) => format!("sni {s}"),
                (None, None) => "(no endpoints)".into(),
            },
        };
        if kind == Kind::Quic {
            for (key, reason) in QUIC_NOT_COMPARED {
                if rec.get(*key).is_some() {
                    report.skip(
                        format!("{} {key}: {reason}", src.name()),
                        format!("{file} {who}"),
                    );
                }
            }
        }
        if wants.is_empty() {
            continue;
        }
        let gquic = if kind == Kind::Quic {
            gquic_crypto_version(rec)
        } else {
            None
        };
        let found = find_session(rec, eps, sessions, kind);
        if let Ok((_, true)) = found {
            report.ambiguous += 1;
        }
        for (f, want) in wants {
            if let Some(v) = gquic
                && f != Field::QuicVersion
            {
                report.unsupported.push(format!(
                    "{file} [{}] {who} {} {}: Google QUIC {v} handshake (not TLS){}",
                    src.name(),
                    f.name(),
                    rec.get(f.name())
                        .map_or_else(String::new, |x| x.to_string()),
                    match &found {
                        Ok((i, _)) => format!(
                            "; our session: quic_version {}, outcome {}",
                            sessions[*i].v.get("quic_version").unwrap_or(&Value::Null),
                            sessions[*i].v.get("outcome").unwrap_or(&Value::Null)
                        ),
                        Err(why) => format!("; no session ({why})"),
                    }
                ));
                continue;
            }
            if let Some(reason) = known_disagreement(file, f) {
                report.known.push(format!(
                    "{file} [{}] {who} {}: {reason}",
                    src.name(),
                    f.name()
                ));
                continue;
            }
            let want = match want {
                Ok(w) => w,
                Err(reason) => {
                    report.skip(
                        format!("{} {}: {reason}", src.name(), f.name()),
                        format!("{file} {who}"),
                    );
                    continue;
                }
            };
            match &found {
                Ok((i, _)) => {
                    let s = &sessions[*i].v;
                    let ok = want.check_session(f, s);
                    let note = match (&want, f) {
                        (Want::Str(e), Field::Ja4) if !ok => ja4_note(e, s),
                        _ => None,
                    };
                    if let Some((_, kinds)) = &note {
                        for k in kinds {
                            *report.ja4_explained.entry(k.clone()).or_default() += 1;
                        }
                    }
                    report.record(src, f, ok, || {
                        format!(
                            "{file} [{}] {who} {}: expected {}, got {}{}",
                            src.name(),
                            f.name(),
                            want.describe(),
                            want.got(f, s),
                            note.map(|(n, _)| n).unwrap_or_default()
                        )
                    });
                }
                Err(why) => report.record(src, f, false, || {
                    format!(
                        "{file} [{}] {who} {}: expected {}, got no session ({why})",
                        src.name(),
                        f.name(),
                        want.describe()
                    )
                }),
            }
        }
    }
}

fn compare_filter(report: &mut Report, file: &str, rec: &Value, sessions: &[Session]) {
    let src = Source::Suricata;
    let match_text = rec
        .get("match")
        .map(|m| excerpt(&m.to_string(), 160))
        .unwrap_or_default();
    let mut filter = match build_filter(rec) {
        Ok(f) => f,
        Err(e) => {
            report.skip(format!("suricata filter: {e}"), file.to_string());
            return;
        }
    };
    for (f, why) in &filter.not_comparable {
        report.skip(
            format!("{} {}: {why}", src.name(), f.name()),
            file.to_string(),
        );
    }
    for k in &filter.gquic_crypto {
        let v = sessions
            .iter()
            .filter(|s| s.quic)
            .map(|s| {
                format!(
                    "{} quic_version {} outcome {}",
                    s.label(),
                    s.v.get("quic_version").unwrap_or(&Value::Null),
                    s.v.get("outcome").unwrap_or(&Value::Null)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        report.unsupported.push(format!(
            "{file} [suricata] {k}: a fingerprint of the Google QUIC CHLO (not TLS); our QUIC session(s): {}",
            if v.is_empty() { "-".into() } else { v }
        ));
    }
    // A known source disagreement drops that field's condition (so the check becomes "at least").
    for f in filter.fields() {
        if let Some(reason) = known_disagreement(file, f) {
            report.known.push(format!(
                "{file} [suricata] {match_text} {}: {reason}",
                f.name()
            ));
            filter.preds.retain(|(t, _)| *t != Tag::Field(f));
            filter
                .unmapped
                .push(format!("{} (known source disagreement)", f.name()));
        }
    }
    if filter.relaxed() && filter.count == 0 {
        report.filters_not_evaluable.push(format!(
            "{file}: count 0 with unmappable/weakened keys {:?} {:?}: {match_text}",
            filter.unmapped, filter.weakened
        ));
        return;
    }
    let fields = filter.fields();
    let full = filter.matching(sessions, None);
    let passed = filter.ok(full.len());
    report.filters.add(passed);
    let expectation = filter.expectation();
    if passed {
        for f in fields {
            report.record(src, f, true, String::new);
        }
        return;
    }
    // Blame (see docs/conformance.md):
    // * too few sessions: a group (one field, or certificate presence) is at fault when dropping
    //   its conditions alone leaves at least `count` sessions; with no such group the sessions
    //   are missing and every field is at fault;
    // * too many (exact filters only): with `count > 0` the values were found, only the number
    //   of sessions is off (no field at fault); with `count == 0` every field is at fault.
    let mut groups: Vec<Tag> = fields.iter().map(|f| Tag::Field(*f)).collect();
    for t in [Tag::Cert, Tag::Ext] {
        if filter.has(t) {
            groups.push(t);
        }
    }
    let too_few = full.len() < filter.min_needed();
    let blamed: Vec<Tag> = if too_few {
        groups
            .iter()
            .copied()
            .filter(|&t| filter.matching(sessions, Some(t)).len() >= filter.min_needed())
            .collect()
    } else {
        Vec::new()
    };
    let count_only = !too_few && filter.count > 0;
    let describe_group = |t: Tag| -> String {
        let others = filter.matching(sessions, Some(t));
        let vals: Vec<String> = others
            .iter()
            .take(5)
            .map(|&i| {
                let s = &sessions[i];
                match t {
                    Tag::Field(f) => format!("{} {}", s.label(), f.ours(&s.v)),
                    Tag::Ext => format!(
                        "{} extensions_offered={} extensions_server={}",
                        s.label(),
                        s.v.get("extensions_offered").unwrap_or(&Value::Null),
                        s.v.get("extensions_server").unwrap_or(&Value::Null)
                    ),
                    _ => format!(
                        "{} cert={}",
                        s.label(),
                        s.v.get("cert")
                            .map_or("absent".into(), |c| excerpt(&c.to_string(), 60))
                    ),
                }
            })
            .collect();
        let name = match t {
            Tag::Field(f) => f.name(),
            Tag::Ext => "extensions",
            _ => "certificate",
        };
        format!(
            "{file} [suricata] {name}: expected {expectation} with {} (filter {match_text}); {} match the whole \
             filter, {} match it without this condition: {}",
            filter.want_text(t),
            full.len(),
            others.len(),
            if vals.is_empty() {
                "-".to_string()
            } else {
                vals.join("; ")
            }
        )
    };
    // Only non-field groups (certificate presence, extension positions) at fault.
    let non_field_only = !blamed.is_empty() && blamed.iter().all(|t| !matches!(t, Tag::Field(_)));
    if non_field_only || fields.is_empty() || count_only {
        let text = if non_field_only {
            blamed
                .iter()
                .map(|t| describe_group(*t))
                .collect::<Vec<_>>()
                .join(" | ")
        } else {
            let what = if fields.is_empty() {
                "no per-field value"
            } else {
                "session count only"
            };
            let found: Vec<String> = full.iter().take(5).map(|&i| sessions[i].label()).collect();
            format!(
                "{file} [suricata filter, {what}] expected {expectation}, got {} ({}): {match_text}",
                full.len(),
                if found.is_empty() {
                    "-".to_string()
                } else {
                    found.join("; ")
                }
            )
        };
        report.mismatches.push((None, src, text));
        for f in fields {
            report.record(src, f, true, String::new);
        }
        return;
    }
    for f in fields {
        let at_fault = blamed.is_empty() || blamed.contains(&Tag::Field(f));
        report.record(src, f, !at_fault, || describe_group(Tag::Field(f)));
    }
}

fn render(report: &Report, files: usize, elapsed: Duration) -> String {
    let mut o = String::new();
    let what = match report.kind {
        Kind::Tcp => "TCP TLS",
        Kind::Quic => "QUIC",
    };
    let _ = writeln!(
        o,
        "\n=== tlscope conformance: {what} records of expected.json vs `tlscope read FILE --json` (\"transport\":\"{}\" sessions) ===",
        report.kind.transport()
    );
    let _ = writeln!(
        o,
        "{files} capture files, {} expected records compared, {:.1?} total",
        report.records_compared, elapsed
    );
    let _ = writeln!(
        o,
        "\n{:<16} {:>8} {:>6} {:>8}  floor",
        "field", "matched", "total", "percent"
    );
    for &f in report.fields {
        let t = report.by_field.get(&f).copied().unwrap_or_default();
        let status = match report.floor_check(f) {
            Some((scope, ft, p)) => {
                let verdict = if ft.total == 0 {
                    "FAIL (no values)"
                } else if ft.pct() < p {
                    "FAIL"
                } else {
                    "ok"
                };
                match scope {
                    None => format!("{p:.1}% {verdict}"),
                    Some(s) => format!(
                        "{p:.1}% on {}: {}/{} = {:.1}% {verdict}",
                        s.name(),
                        ft.matched,
                        ft.total,
                        ft.pct()
                    ),
                }
            }
            None => "- (report only)".to_string(),
        };
        let pct = if t.total == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", t.pct())
        };
        let _ = writeln!(
            o,
            "{:<16} {:>8} {:>6} {pct:>8}  {status}",
            f.name(),
            t.matched,
            t.total,
        );
    }
    let _ = writeln!(o, "\nper source:");
    let _ = writeln!(
        o,
        "{:<14} {:<16} {:>8} {:>6} {:>8}  floor",
        "source", "field", "matched", "total", "percent"
    );
    for ((s, f), t) in &report.by_source {
        let floor = match report.floor(*f) {
            Some((Some(fs), p)) if fs == *s => format!("{p:.1}%"),
            Some((None, p)) => format!("({p:.1}% over all sources)"),
            _ => String::new(),
        };
        let _ = writeln!(
            o,
            "{:<14} {:<16} {:>8} {:>6} {:>7.1}%  {floor}",
            s.name(),
            f.name(),
            t.matched,
            t.total,
            t.pct()
        );
    }
    let _ = writeln!(
        o,
        "\nsuricata filters: {} of {} passed; {} not evaluable",
        report.filters.matched,
        report.filters.total,
        report.filters_not_evaluable.len()
    );
    for n in &report.filters_not_evaluable {
        let _ = writeln!(o, "  not evaluable: {n}");
    }
    if report.ambiguous > 0 {
        let _ = writeln!(
            o,
            "{} expected record(s) had several {} sessions with the same endpoints (the first with a ClientHello was used)",
            report.ambiguous,
            report.kind.label()
        );
    }
    if report.kind == Kind::Quic {
        let _ = writeln!(
            o,
            "\nnot supported: Google QUIC crypto (values from a gQUIC CHLO, not TLS; excluded from every total): {}",
            report.unsupported.len()
        );
        for u in &report.unsupported {
            let _ = writeln!(o, "  {u}");
        }
    }
    if !report.skipped.is_empty() {
        let _ = writeln!(
            o,
            "\nnot compared (value has no counterpart in our output):"
        );
        for (reason, (n, ex)) in &report.skipped {
            let _ = writeln!(o, "  {n:>4} × {reason}  (e.g. {ex})");
        }
    }
    let _ = writeln!(
        o,
        "\nknown source disagreements (excluded from totals): {}",
        report.known.len()
    );
    for k in &report.known {
        let _ = writeln!(o, "  {k}");
    }
    if !report.run_problems.is_empty() {
        let _ = writeln!(o, "\nruns with problems: {}", report.run_problems.len());
        for p in report.run_problems.iter().take(max_mismatches_shown()) {
            let _ = writeln!(o, "  {p}");
        }
    }
    // Mismatches that count towards a floor first (for a floor on one source, only that
    // source's), then the rest; within a group by field, then corpus order.
    let mut shown: Vec<&(Option<Field>, Source, String)> = report.mismatches.iter().collect();
    // JA4 mismatches a source rule explains come last.
    shown.sort_by_key(|(f, src, text)| match f {
        Some(f) => match report.floor(*f) {
            Some((None, _)) => (0, Some(*f)),
            Some((Some(s), _)) if s == *src => (0, Some(*f)),
            _ if text.contains(EXPLAINED) => (3, Some(*f)),
            _ => (1, Some(*f)),
        },
        None => (2, None),
    });
    // Every mismatch starts with its corpus file.
    let mut per_file: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for (f, src, m) in &report.mismatches {
        let file = m.split_once(' ').map_or(m.as_str(), |(a, _)| a);
        let field = f.map_or("(filter)", Field::name);
        *per_file.entry((file, src.name(), field)).or_default() += 1;
    }
    if !per_file.is_empty() {
        let _ = writeln!(o, "\nmismatches per file, source and field:");
        for ((file, src, field), n) in &per_file {
            let _ = writeln!(o, "  {n:>4} × {file} [{src}] {field}");
        }
    }
    if !report.ja4_explained.is_empty() {
        let _ = writeln!(
            o,
            "\nja4 mismatches explained by a source rule (ours follows the JA4 spec; listed last):"
        );
        for (k, n) in &report.ja4_explained {
            let _ = writeln!(o, "  {n:>4} × {k}");
        }
    }
    let max = max_mismatches_shown();
    let _ = writeln!(
        o,
        "\nmismatches: {} (first {} shown, those counting towards a floor first; TLSCOPE_CONFORMANCE_MISMATCHES=N shows more)",
        shown.len(),
        shown.len().min(max)
    );
    for (_, _, m) in shown.iter().take(max) {
        let _ = writeln!(o, "  {m}");
    }
    o
}

/// The expected records of every entry that describe a `kind` connection, each with its
/// source (see [`transport_of`]).
fn records_of(expected: &[Value], kind: Kind) -> Vec<(String, Vec<(&Value, Source)>)> {
    let mut out = Vec::new();
    for entry in expected {
        let Some(file) = entry.get("file").and_then(Value::as_str) else {
            continue;
        };
        let recs: Vec<(&Value, Source)> = entry
            .get("expect")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|r| transport_of(entry, r) == Ok(kind))
                    .map(|r| (r, Source::of(r)))
                    .collect()
            })
            .unwrap_or_default();
        if !recs.is_empty() {
            out.push((file.to_string(), recs));
        }
    }
    out
}

fn load_expected(corpus: &Path) -> Option<Vec<Value>> {
    let p = corpus.join("expected.json");
    let Ok(text) = std::fs::read_to_string(&p) else {
        println!(
            "corpus not found at {} (no expected.json); skipping",
            p.display()
        );
        return None;
    };
    let v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()));
    Some(
        v.as_array()
            .unwrap_or_else(|| panic!("{} is not a JSON array", p.display()))
            .clone(),
    )
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// Runs `tlscope` on every capture with `kind` expectations, compares, prints the report and
/// fails below a floor.
fn conformance(kind: Kind) {
    let Some(corpus) = corpus_dir() else { return };
    let Some(expected) = load_expected(&corpus) else {
        return;
    };
    for (file, field, _) in KNOWN_SOURCE_DISAGREEMENTS {
        assert!(
            Field::ALL
                .iter()
                .chain(Field::QUIC.iter())
                .any(|f| f.name() == *field),
            "KNOWN_SOURCE_DISAGREEMENTS: unknown field {field:?}"
        );
        assert!(
            expected
                .iter()
                .any(|e| e.get("file").and_then(Value::as_str) == Some(*file)),
            "KNOWN_SOURCE_DISAGREEMENTS: {file:?} is not in expected.json"
        );
    }
    let work = records_of(&expected, kind);
    let start = Instant::now();
    let runs = par_map(&work, WORKERS, |(file, _)| run_json(&corpus, file));
    let elapsed = start.elapsed();

    let mut report = match kind {
        Kind::Tcp => Report::tcp(),
        Kind::Quic => Report::quic(),
    };
    for ((file, recs), run) in work.iter().zip(&runs) {
        compare_file(&mut report, file, recs, run);
    }
    let text = render(&report, work.len(), elapsed);
    println!("{text}");

    let mut failures = Vec::new();
    for (f, _, _) in report.floors {
        let Some((scope, t, floor)) = report.floor_check(*f) else {
            continue;
        };
        let scope = scope.map_or("all sources".to_string(), |s| s.name().to_string());
        if t.total == 0 {
            failures.push(format!(
                "{} ({scope}): no expected values at all (classification broken?)",
                f.name()
            ));
        } else if t.pct() < floor {
            failures.push(format!(
                "{} ({scope}): {}/{} = {:.1}% < floor {floor:.1}%",
                f.name(),
                t.matched,
                t.total,
                t.pct()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} conformance below floors:\n  {}\n(see the report above)",
        kind.label(),
        failures.join("\n  ")
    );
}

#[test]
fn conformance_tcp_tls() {
    conformance(Kind::Tcp);
}

/// Issue 6: the QUIC records of expected.json against our `"transport":"quic"` sessions.
#[test]
fn conformance_quic() {
    conformance(Kind::Quic);
}

#[test]
fn corpus_sweep_no_panic() {
    let Some(corpus) = corpus_dir() else { return };
    let files = list_captures(&corpus);
    assert!(
        !files.is_empty(),
        "no capture files found under {}",
        corpus.display()
    );
    let timeout = run_timeout();
    let start = Instant::now();

    let results = par_map(&files, WORKERS, |file| {
        let mut failures = Vec::new();
        let t0 = Instant::now();
        let input = match prepare_input(&corpus.join(file)) {
            Ok(i) => i,
            Err(e) => return (vec![format!("{file}: {e}")], t0.elapsed()),
        };
        let not_capture = NOT_CAPTURES.contains(&file.as_str());
        for json in [false, true] {
            let mode = if json { "read --json" } else { "read" };
            let mut args = vec![std::ffi::OsStr::new("read"), input.path.as_os_str()];
            if json {
                args.push(std::ffi::OsStr::new("--json"));
            }
            let out = run_tlscope(&args, timeout);
            if let Some(msg) = sweep_check(&out, json, not_capture) {
                failures.push(format!("{file} [{mode}]: {msg}"));
            }
        }
        (failures, t0.elapsed())
    });

    let elapsed = start.elapsed();
    let mut all = Vec::new();
    let mut slowest: Vec<(&String, Duration)> = Vec::new();
    for (file, (failures, took)) in files.iter().zip(&results) {
        all.extend(failures.iter().cloned());
        slowest.push((file, *took));
    }
    slowest.sort_by_key(|(_, took)| std::cmp::Reverse(*took));
    println!(
        "\n=== tlscope corpus sweep: {} capture files × 2 modes in {elapsed:.1?} ===",
        files.len()
    );
    println!("slowest files (both modes):");
    for (f, d) in slowest.iter().take(5) {
        println!("  {d:>10.2?}  {f}");
    }
    println!("failures: {}", all.len());
    for f in &all {
        println!("  {f}");
    }
    assert!(
        all.is_empty(),
        "{} sweep failure(s):\n  {}",
        all.len(),
        all.join("\n  ")
    );
}

/// `None` when the run is acceptable; otherwise what is wrong with it.
fn sweep_check(out: &RunOutput, json: bool, not_capture: bool) -> Option<String> {
    let stderr = out.stderr_text();
    if stderr.contains("panicked at") {
        return Some(format!(
            "panicked ({}): {}",
            out.describe_status(),
            excerpt(&stderr, 300)
        ));
    }
    let code = out.status.and_then(|s| s.code());
    match code {
        Some(0) => {}
        Some(2) if not_capture => {
            let lines = stderr.lines().filter(|l| !l.trim().is_empty()).count();
            return if lines == 1 {
                None
            } else {
                Some(format!(
                    "exit 2 with {lines} stderr lines (want exactly one): {}",
                    excerpt(&stderr, 300)
                ))
            };
        }
        _ => {
            return Some(format!(
                "{}; stderr: {}",
                out.describe_status(),
                excerpt(&stderr, 300)
            ));
        }
    }
    if !json {
        return None;
    }
    let (records, errors) = parse_json_lines(&out.stdout);
    if !errors.is_empty() {
        return Some(format!(
            "{} bad JSON line(s); first: {}",
            errors.len(),
            errors[0]
        ));
    }
    match records.last() {
        None => Some("no JSON output (expected at least the final \"stats\" record)".into()),
        Some(last) if last.get("type").and_then(Value::as_str) != Some("stats") => Some(format!(
            "last line is not a \"stats\" record: {}",
            excerpt(&last.to_string(), 160)
        )),
        Some(_) => None,
    }
}

/// Checks the helpers and prints what the harness will compare; needs no binary output.
#[test]
fn harness_self_check() {
    assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(
        md5_hex(b"The quick brown fox jumps over the lazy dog"),
        "9e107d9d372bb6826bd81d3542a419d6"
    );
    let a = Endpoint::parse("[2607:f8b0:400a:0800:0000:0000:0000:200e]:443").unwrap();
    let b = Endpoint::parse("[2607:f8b0:400a:800::200e]:443").unwrap();
    assert_eq!(a, b);
    assert_eq!(Endpoint::parse("192.168.56.1").unwrap().port, None);
    assert!(
        Endpoint::parse("10.0.0.1:443")
            .unwrap()
            .matches(&Endpoint::parse("10.0.0.1").unwrap())
    );
    assert!(matches!(
        version_want("TLS 1.3 draft-28"),
        Ok(Want::Tls13Family(_))
    ));
    assert!(matches!(
        version_want("TLSv13-draft16"),
        Ok(Want::Tls13Family(_))
    ));
    assert!(matches!(
        version_want("TLSv1.3 (Fizz)"),
        Ok(Want::Tls13Family(_))
    ));
    assert!(matches!(version_want("TLSv1"), Ok(Want::Str(ref s)) if s == "TLSv1.0"));
    assert!(matches!(version_want("UNDETERMINED"), Ok(Want::Null)));
    assert!(version_want("unknown-32257").is_err());

    // Distinguished names: Zeek's RFC 2253 (reversed, escaped) and x509-parser's display form
    // compare equal as attribute multisets; a comma inside a value does not split it.
    let ours = "C=US, ST=California, L=San Francisco, O=GitHub, Inc., CN=github.com, \
                emailAddress=a@b.c";
    let zeek = "emailAddress=a@b.c,CN=github.com,O=GitHub\\, Inc.,L=San Francisco,\
                ST=California,C=US";
    assert!(dn_want(zeek, DnStyle::Rfc2253).check(&Value::from(ours)));
    assert!(
        dn_want(
            "C=US, ST=California, L=San Francisco, O=GitHub, Inc., CN=github.com, E=a@b.c",
            DnStyle::Display
        )
        .check(&Value::from(ours))
    );
    assert!(!dn_want("CN=github.com", DnStyle::Rfc2253).check(&Value::from(ours)));
    assert_eq!(
        parse_dn(
            "CN=a\\2Cb\\+c + UID=x,OU=caf\\C3\\A9,O=\\xe2\\x82\\xac",
            DnStyle::Rfc2253
        ),
        vec![
            ("CN".to_string(), "a,b+c".to_string()),
            ("UID".to_string(), "x".to_string()),
            ("OU".to_string(), "café".to_string()),
            ("O".to_string(), "€".to_string()),
        ]
    );
    assert_eq!(
        parse_dn("CN=x + OID(2.5.4.97)=VATDE-1, S=Bay", DnStyle::Display),
        vec![
            ("CN".to_string(), "x".to_string()),
            ("organizationIdentifier".to_string(), "VATDE-1".to_string()),
            ("ST".to_string(), "Bay".to_string()),
        ]
    );
    assert_eq!(
        serial_norm("00:97:E6:47:09:8E:EA:C9:B4"),
        "97e647098eeac9b4"
    );
    assert_eq!(
        time_norm("2018-05-14 20:55:27"),
        time_norm("2018-05-14T20:55:27Z")
    );
    assert!(
        fingerprint_want("cc:aa:48:48:66:46:0e:91:53:2c:9c:7c:23:2a:b1:74:4d:29:9d:33").is_err()
    );
    assert!(matches!(
        fingerprint_want(&"AB".repeat(32)),
        Ok(Want::Hex(_))
    ));

    // QUIC version labels: the sources' spellings and ours map to the same numbers.
    for (a, b) in [
        ("1", "V-1"),
        ("quicv2", "V-2"),
        ("draft-29", "Draft-29"),
        ("mvfst-22", "MVFST-22"),
        ("mvfst-27", "mvfst (faceb002)"),
        ("mvfst-exp", "MVFST-EXP"),
        ("T051", "T051"),
        ("Q046", "Q046"),
        ("unknown-10010000", "Unknown (10010000)"),
        ("grease-0a0a0a0a", "unknown-a0a0a0a"),
    ] {
        assert!(
            quic_version_number(a).is_some() && quic_version_number(a) == quic_version_number(b),
            "QUIC version labels {a:?} and {b:?}"
        );
    }
    assert_eq!(quic_version_number("Q046"), Some(0x5130_3436));
    assert_eq!(quic_version_number("draft-29"), Some(0xff00_001d));
    assert!(quic_version_number("h3").is_none());
    assert!(
        quic_version_want("Ver-Negotiation")
            .is_ok_and(|w| w.check(&Value::from("grease-babababa")))
    );
    assert!(quic_version_want("Ver-Negotiation").is_ok_and(|w| !w.check(&Value::from("1"))));
    assert!(quic_version_want("V-1").is_ok_and(|w| w.check(&Value::from("1"))));
    assert!(quic_version_want("V-1").is_ok_and(|w| !w.check(&Value::from("draft-29"))));
    let g = serde_json::json!({"quic_version": "Q046"});
    assert_eq!(gquic_crypto_version(&g), Some("Q046"));
    assert_eq!(
        gquic_crypto_version(&serde_json::json!({"quic_version": "T051"})),
        None
    );
    // nDPI's QUIC version is the hello's: it holds when ours is null and offered.
    let s = serde_json::json!({"version": null, "versions_offered": ["TLSv1.3"]});
    assert!(
        Want::OrOffered(Box::new(Want::Str("TLSv1.3".into()))).check_session(Field::Version, &s)
    );
    // A suricata QUIC filter: per-packet events, extension positions, values by extension name.
    let filter = build_filter(
        &serde_json::json!({"kind": "eve_filter", "count": 2, "match": {
        "event_type": "quic", "quic.extensions[1].name": "server_name",
        "quic.extensions[1].values[0]": "a.example", "quic.extensions[2].name": "alpn",
        "quic.extensions[2].values[0]": "h3"}}),
    )
    .unwrap();
    assert!(filter.per_event && !filter.relaxed());
    assert_eq!(filter.fields(), vec![Field::Sni, Field::AlpnOffered]);
    let session = |sni: &str| {
        Session::new(
            serde_json::json!({"transport": "quic", "sni": sni, "alpn_offered": ["h3"],
            "extensions_offered": ["key_share", "server_name",
                "application_layer_protocol_negotiation"], "extensions_server": []}),
        )
    };
    let one = [session("a.example"), session("b.example")];
    assert_eq!(filter.matching(&one, None), vec![0]);
    assert!(filter.ok(1) && filter.ok(2) && !filter.ok(0) && !filter.ok(3));
    assert_eq!(filter.matching(&one, Some(Tag::Field(Field::Sni))).len(), 2);

    // The JA4 notes: nDPI's ALPN characters and SNI flag.
    let s = serde_json::json!({"ja4": "q13d0310h9_55b375c5d22e_b064f0e3421d",
        "alpn_offered": ["h3-29"], "extensions_offered": ["server_name"]});
    assert!(
        ja4_note("q13d0310h3_55b375c5d22e_b064f0e3421d", &s).is_some_and(|(_, k)| k.len() == 1)
    );
    let s = serde_json::json!({"ja4": "q00i0307h3_55b375c5d22e_af0a630e9e67",
        "alpn_offered": ["h3-33"], "extensions_offered": ["key_share"]});
    assert!(
        ja4_note("q00d0307h3_55b375c5d22e_af0a630e9e67", &s).is_some_and(|(_, k)| k.len() == 1)
    );
    assert!(
        ja4_note("q00d0307h3_55b375c5d22e_000000000000", &s).is_some_and(|(_, k)| k.is_empty())
    );

    let Some(corpus) = corpus_dir() else { return };
    let Some(expected) = load_expected(&corpus) else {
        return;
    };
    // Suricata states some JA3 hashes twice (string and hash): they must agree with our MD5.
    for e in &expected {
        for r in e
            .get("expect")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(m) = r.get("match") else { continue };
            if let (Some(s), Some(h)) = (
                m.get("tls.ja3.string").and_then(Value::as_str),
                m.get("tls.ja3.hash").and_then(Value::as_str),
            ) {
                assert_eq!(
                    md5_hex(s.as_bytes()),
                    h,
                    "ja3 string/hash pair in {}",
                    e["file"]
                );
            }
        }
    }
    let work = records_of(&expected, Kind::Tcp);
    type Counts<'a> = (usize, BTreeSet<&'a str>, BTreeMap<Field, usize>);
    let mut per_source: BTreeMap<Source, Counts> = BTreeMap::new();
    for (file, recs) in &work {
        for &(rec, src) in recs {
            let e = per_source.entry(src).or_default();
            e.0 += 1;
            e.1.insert(file.as_str());
            let fields: Vec<Field> = if src == Source::Suricata {
                build_filter(rec).map(|f| f.fields()).unwrap_or_default()
            } else {
                record_wants(src, rec).into_iter().map(|(f, _)| f).collect()
            };
            for f in fields {
                *e.2.entry(f).or_default() += 1;
            }
        }
    }
    println!(
        "\nTCP TLS expected records per source ({} files):",
        work.len()
    );
    for (s, (n, files, fields)) in &per_source {
        let fl: Vec<String> = fields
            .iter()
            .map(|(f, c)| format!("{}={c}", f.name()))
            .collect();
        println!(
            "  {:<13} records={n:<4} files={:<3} {}",
            s.name(),
            files.len(),
            fl.join(" ")
        );
    }
    for s in [
        Source::FoxioRust,
        Source::FoxioPython,
        Source::ZeekSsl,
        Source::Suricata,
        Source::Ndpi,
    ] {
        assert!(
            per_source.contains_key(&s),
            "no TCP TLS records classified for {}",
            s.name()
        );
    }
    assert!(!per_source.contains_key(&Source::FoxioWireshark));

    let work = records_of(&expected, Kind::Quic);
    let mut per_source: BTreeMap<Source, Counts> = BTreeMap::new();
    let mut gquic = 0;
    for (file, recs) in &work {
        for &(rec, src) in recs {
            let e = per_source.entry(src).or_default();
            e.0 += 1;
            e.1.insert(file.as_str());
            let fields: Vec<Field> = if src == Source::Suricata {
                build_filter(rec).map(|f| f.fields()).unwrap_or_default()
            } else {
                quic_record_wants(src, rec)
                    .into_iter()
                    .map(|(f, _)| f)
                    .collect()
            };
            if gquic_crypto_version(rec).is_some() {
                gquic += fields.iter().filter(|f| **f != Field::QuicVersion).count();
            }
            for f in fields {
                *e.2.entry(f).or_default() += 1;
            }
        }
    }
    println!(
        "\nQUIC expected records per source ({} files; {gquic} values from Google QUIC Q0xx handshakes are not supported):",
        work.len()
    );
    for (s, (n, files, fields)) in &per_source {
        let fl: Vec<String> = fields
            .iter()
            .map(|(f, c)| format!("{}={c}", f.name()))
            .collect();
        println!(
            "  {:<13} records={n:<4} files={:<3} {}",
            s.name(),
            files.len(),
            fl.join(" ")
        );
    }
    for s in [
        Source::FoxioRust,
        Source::ZeekSsl,
        Source::ZeekQuic,
        Source::Suricata,
        Source::Ndpi,
    ] {
        assert!(
            per_source.contains_key(&s),
            "no QUIC records classified for {}",
            s.name()
        );
    }
    assert!(!per_source.contains_key(&Source::FoxioWireshark));
}
