//! Zeek `ssl.log` output (`--format zeek`, tab-separated with Zeek's header; `--format
//! zeek-json`, one JSON object per line as Zeek's `LogAscii::use_json` writes it). An API like
//! the JSON Lines format: change it only on purpose. Documented in `docs/formats/zeek.md`.
//!
//! One line per connection in which TLS was seen (tlscope's `ssl_history` is set: a ClientHello,
//! a ServerHello, or any plaintext TLS record), QUIC connections included (Zeek writes
//! `ssl.log` lines for QUIC handshakes too). Connections without TLS (no SYN/ACK, refused,
//! not TLS, midstream) have no `ssl.log` line, as in Zeek.
//!
//! The columns are Zeek's default `ssl.log` (base scripts, Zeek 6/7/8): `ts uid id.orig_h
//! id.orig_p id.resp_h id.resp_p version cipher curve server_name resumed last_alert
//! next_protocol established ssl_history cert_chain_fps client_cert_chain_fps
//! sni_matches_cert`, spelled as Zeek spells them (`TLSv12`, `TLSv13-draft23`, `unknown-N`,
//! `T`/`F`, `-` for unset, `(empty)` for an empty vector or string). Where tlscope's meaning
//! differs, the tlscope value is the closest honest one (`ts` is the connection's first packet;
//! `uid` is derived, not random; `established` is [`SessionRecord::handshake_completed`]).

use std::io::{self, Write};

use crate::capture::CaptureStats;
use crate::stats::snapshot::parse_rfc3339;
use crate::time::Timestamp;

use super::ids;
use super::record::SessionRecord;

/// The column names, in Zeek's order.
pub const FIELDS: [&str; 18] = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "version",
    "cipher",
    "curve",
    "server_name",
    "resumed",
    "last_alert",
    "next_protocol",
    "established",
    "ssl_history",
    "cert_chain_fps",
    "client_cert_chain_fps",
    "sni_matches_cert",
];

/// Zeek's column types, in the same order.
pub const TYPES: [&str; 18] = [
    "time",
    "string",
    "addr",
    "port",
    "addr",
    "port",
    "string",
    "string",
    "string",
    "string",
    "bool",
    "string",
    "string",
    "bool",
    "string",
    "vector[string]",
    "vector[string]",
    "bool",
];

/// Zeek's `unset_field` and `empty_field` markers.
pub const UNSET: &str = "-";
pub const EMPTY: &str = "(empty)";

/// One value of a column.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Unset,
    Time(Timestamp),
    Str(String),
    Port(u16),
    Bool(bool),
    Vec(Vec<String>),
}

/// Zeek's spelling of a TLS version number (`version_strings` in
/// `base/protocols/ssl/consts.zeek`): `TLSv12`, `TLSv13-draft23`, `unknown-32257`.
pub fn version_name(v: u16) -> String {
    match v {
        0x0002 => "SSLv2".into(),
        0x0300 => "SSLv3".into(),
        0x0301 => "TLSv10".into(),
        0x0302 => "TLSv11".into(),
        0x0303 => "TLSv12".into(),
        0x0304 => "TLSv13".into(),
        0xfeff => "DTLSv10".into(),
        0xfefd => "DTLSv12".into(),
        0xfefc => "DTLSv13".into(),
        v if v / 0xff == 0x7f => format!("TLSv13-draft{}", v % 0x7f),
        v => format!("unknown-{v}"),
    }
}

/// Zeek's spelling of a tlscope name label (cipher, group, alert): IANA names are shared;
/// tlscope's `0x1234` and `unknown(N)` for unnamed values become Zeek's `unknown-N`.
pub fn name(label: &str) -> String {
    if let Some(hex) = label.strip_prefix("0x")
        && let Ok(n) = u32::from_str_radix(hex, 16)
    {
        return format!("unknown-{n}");
    }
    if let Some(n) = label
        .strip_prefix("unknown(")
        .and_then(|r| r.strip_suffix(')'))
    {
        return format!("unknown-{n}");
    }
    label.to_string()
}

/// `T`/`F`.
pub fn bool_str(b: bool) -> &'static str {
    if b { "T" } else { "F" }
}

/// Zeek's `time` in ASCII logs: seconds since the epoch with six decimals.
pub fn time_str(t: Timestamp) -> String {
    let n = t.nanos();
    format!(
        "{}.{:06}",
        n.div_euclid(1_000_000_000),
        n.rem_euclid(1_000_000_000) / 1000
    )
}

/// Zeek's `#open`/`#close` stamp, `%Y-%m-%d-%H-%M-%S` (UTC here).
pub fn stamp(t: Timestamp) -> String {
    // `2024-01-31T12:00:00.000000Z` → `2024-01-31-12-00-00`.
    let s = t.rfc3339();
    let s = s.split('.').next().unwrap_or(&s);
    s.trim_end_matches('Z').replace(['T', ':'], "-")
}

/// Escapes a string for a tab-separated Zeek log: non-printable and non-ASCII bytes, the
/// backslash, the separator (tab) and, inside a vector, the set separator (`,`) as `\xNN`; an
/// empty string is `(empty)`; a value that reads as a marker (`-`, `(empty)`) is escaped too.
pub fn escape(s: &str, in_vector: bool) -> String {
    if s.is_empty() {
        return EMPTY.into();
    }
    if s == UNSET || s == EMPTY {
        let mut out = format!("\\x{:02x}", s.as_bytes()[0]);
        out.push_str(&s[1..]);
        return out;
    }
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        let special = b == b'\\' || (in_vector && b == b',');
        if (0x20..0x7f).contains(&b) && !special {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The `ssl.log` values of a record, in [`FIELDS`] order; `None` when the record gets no
/// `ssl.log` line (no TLS seen).
pub fn values(r: &SessionRecord) -> Option<Vec<Value>> {
    let history = r.ssl_history.clone()?;
    let (c, s) = ids::endpoints(r)?;
    let ts = parse_rfc3339(&r.ts).unwrap_or_default();
    let opt = |v: &Option<String>| v.as_deref().map_or(Value::Unset, |s| Value::Str(name(s)));
    let version = match (r.version_raw, &r.version) {
        (Some(raw), _) => Value::Str(version_name(raw)),
        (None, Some(label)) => Value::Str(label.replace('.', "")),
        (None, None) => Value::Unset,
    };
    let fps = |cert: &Option<super::record::CertRecord>| {
        cert.as_ref().map(|c| {
            c.chain
                .iter()
                .filter_map(|e| e.sha256.clone())
                .collect::<Vec<_>>()
        })
    };
    // Certificates seen only as a prefix have no fingerprint: unknown, not "none".
    let server_fps = fps(&r.cert).filter(|v| !v.is_empty());
    // Zeek fills both vectors once it has seen the server's certificates.
    let client_fps = r
        .cert
        .as_ref()
        .map(|_| fps(&r.client_cert).unwrap_or_default());
    Some(vec![
        Value::Time(ts),
        Value::Str(ids::uid(r)),
        Value::Str(c.ip().to_string()),
        Value::Port(c.port()),
        Value::Str(s.ip().to_string()),
        Value::Port(s.port()),
        version,
        opt(&r.cipher),
        opt(&r.group),
        r.sni.clone().map_or(Value::Unset, Value::Str),
        Value::Bool(r.resumed),
        r.alerts
            .last()
            .map_or(Value::Unset, |a| Value::Str(name(&a.description))),
        r.alpn.clone().map_or(Value::Unset, Value::Str),
        Value::Bool(r.handshake_completed == Some(true)),
        Value::Str(history),
        server_fps.map_or(Value::Unset, Value::Vec),
        client_fps.map_or(Value::Unset, Value::Vec),
        r.cert
            .as_ref()
            .and_then(|c| c.sni_match)
            .map_or(Value::Unset, Value::Bool),
    ])
}

/// One tab-separated line (without the newline).
pub fn tsv_line(values: &[Value]) -> String {
    let cells: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::Unset => UNSET.into(),
            Value::Time(t) => time_str(*t),
            Value::Str(s) => escape(s, false),
            Value::Port(p) => p.to_string(),
            Value::Bool(b) => bool_str(*b).into(),
            Value::Vec(items) if items.is_empty() => EMPTY.into(),
            Value::Vec(items) => items
                .iter()
                .map(|i| escape(i, true))
                .collect::<Vec<_>>()
                .join(","),
        })
        .collect();
    cells.join("\t")
}

/// One JSON object as Zeek writes it: unset fields left out, `ts` as epoch seconds, ports as
/// numbers, vectors as arrays, in column order.
pub fn json_line(values: &[Value]) -> String {
    let mut out = String::from("{");
    let mut first = true;
    for (key, v) in FIELDS.iter().zip(values) {
        let json = match v {
            Value::Unset => continue,
            Value::Time(t) => time_str(*t),
            Value::Str(s) => serde_json::Value::from(s.as_str()).to_string(),
            Value::Port(p) => p.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Vec(items) => serde_json::Value::from(items.clone()).to_string(),
        };
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&serde_json::Value::from(*key).to_string());
        out.push(':');
        out.push_str(&json);
    }
    out.push('}');
    out
}

/// The header Zeek writes at the top of an ASCII log.
pub fn header(open: Timestamp) -> String {
    format!(
        "#separator \\x09\n#set_separator\t,\n#empty_field\t{EMPTY}\n#unset_field\t{UNSET}\n\
         #path\tssl\n#open\t{}\n#fields\t{}\n#types\t{}\n",
        stamp(open),
        FIELDS.join("\t"),
        TYPES.join("\t")
    )
}

/// Writes `ssl.log` lines; TSV gets Zeek's header before the first line and `#close` at the end.
pub struct ZeekWriter<W: Write> {
    out: io::BufWriter<W>,
    json: bool,
    header_written: bool,
    last_ts: Option<Timestamp>,
}

impl<W: Write> ZeekWriter<W> {
    pub fn new(w: W, json: bool) -> Self {
        ZeekWriter {
            out: io::BufWriter::with_capacity(256 * 1024, w),
            json,
            header_written: false,
            last_ts: None,
        }
    }

    fn ensure_header(&mut self, open: Timestamp) -> io::Result<()> {
        if !self.json && !self.header_written {
            self.header_written = true;
            self.out.write_all(header(open).as_bytes())?;
        }
        Ok(())
    }

    pub fn write(&mut self, r: &SessionRecord) -> io::Result<()> {
        let end = parse_rfc3339(&r.ts_end);
        self.last_ts = self.last_ts.max(end);
        let Some(values) = values(r) else {
            return Ok(());
        };
        let open = match values.first() {
            Some(Value::Time(t)) => *t,
            _ => Timestamp::ZERO,
        };
        self.ensure_header(open)?;
        let line = if self.json {
            json_line(&values)
        } else {
            tsv_line(&values)
        };
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// End of input: TSV gets its header (if no line was written) and `#close`, stamped with
    /// capture time.
    pub fn finish(&mut self, cap: &CaptureStats) -> io::Result<()> {
        if !self.json {
            self.ensure_header(cap.first_ts.unwrap_or_default())?;
            let close = cap.last_ts.max(self.last_ts).unwrap_or_default();
            writeln!(self.out, "#close\t{}", stamp(close))?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::snapshot::test_record;

    #[test]
    fn versions_as_zeek_spells_them() {
        assert_eq!(version_name(0x0303), "TLSv12");
        assert_eq!(version_name(0x0304), "TLSv13");
        assert_eq!(version_name(0x0301), "TLSv10");
        assert_eq!(version_name(0x0300), "SSLv3");
        assert_eq!(version_name(0x0002), "SSLv2");
        assert_eq!(version_name(0x7f0e), "TLSv13-draft14");
        assert_eq!(version_name(0x7f1c), "TLSv13-draft28");
        // Facebook's experiment, as in Zeek's tls13-experiment baseline.
        assert_eq!(version_name(0x7e01), "unknown-32257");
        assert_eq!(version_name(0xfefd), "DTLSv12");
    }

    #[test]
    fn names_and_markers() {
        assert_eq!(name("TLS_AES_128_GCM_SHA256"), "TLS_AES_128_GCM_SHA256");
        assert_eq!(name("0x00ff"), "unknown-255");
        assert_eq!(name("unknown(200)"), "unknown-200");
        assert_eq!(bool_str(true), "T");
        assert_eq!(bool_str(false), "F");
        assert_eq!(escape("", false), "(empty)");
        assert_eq!(escape("-", false), "\\x2d");
        assert_eq!(escape("(empty)", false), "\\x28empty)");
        assert_eq!(escape("a\tb\nc\\", false), "a\\x09b\\x0ac\\x5c");
        assert_eq!(escape("a,b", true), "a\\x2cb");
        assert_eq!(escape("a,b", false), "a,b");
        assert_eq!(escape("é", false), "\\xc3\\xa9");
        assert_eq!(
            time_str(Timestamp::from_secs_nanos(1_700_000_000, 123_456_789)),
            "1700000000.123456"
        );
        assert_eq!(
            stamp(Timestamp::from_secs_nanos(1_706_702_400, 5)),
            "2024-01-31-12-00-00"
        );
    }

    #[test]
    fn a_record_as_tsv_and_json() {
        let t = Timestamp::from_secs_nanos(1_700_000_000, 0);
        let mut r = test_record(Some("a.example"), "established", t, Some(30.0));
        r.alpn = Some("h2".into());
        let v = values(&r).unwrap();
        assert_eq!(v.len(), FIELDS.len());
        let line = tsv_line(&v);
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells.len(), FIELDS.len());
        assert_eq!(cells[0], "1699999999.950000");
        assert!(cells[1].starts_with('C'));
        assert_eq!(&cells[2..6], ["192.0.2.10", "50000", "198.51.100.7", "443"]);
        assert_eq!(
            &cells[6..15],
            [
                "TLSv13",
                "TLS_AES_128_GCM_SHA256",
                "x25519",
                "a.example",
                "F",
                "-",
                "h2",
                "T",
                "CsiI"
            ]
        );
        assert_eq!(&cells[15..], ["-", "-", "-"]);
        let j: serde_json::Value = serde_json::from_str(&json_line(&v)).unwrap();
        assert_eq!(j["id.resp_p"], 443);
        assert_eq!(j["established"], true);
        assert_eq!(j["ts"].as_f64(), Some(1_699_999_999.95));
        assert!(j.get("last_alert").is_none(), "unset fields are left out");

        // No TLS seen: no line.
        r.ssl_history = None;
        assert!(values(&r).is_none());
    }

    #[test]
    fn header_then_close() {
        let mut buf = Vec::new();
        {
            let mut w = ZeekWriter::new(&mut buf, false);
            let t = Timestamp::from_secs_nanos(1_700_000_000, 0);
            w.write(&test_record(None, "established", t, None)).unwrap();
            w.finish(&CaptureStats::default()).unwrap();
        }
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "#separator \\x09");
        assert_eq!(lines[4], "#path\tssl");
        assert_eq!(lines[5], "#open\t2023-11-14-22-13-19");
        assert_eq!(lines[6].split('\t').count(), FIELDS.len() + 1);
        assert_eq!(lines[7].split('\t').count(), FIELDS.len() + 1);
        assert_eq!(lines[8].split('\t').count(), FIELDS.len());
        assert_eq!(lines[9], "#close\t2023-11-14-22-13-20");
    }
}
