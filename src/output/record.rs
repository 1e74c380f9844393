//! Wire structs: what goes out as JSON. Serialize-only and separate from the domain types, so
//! the format (an API, see `jsonl`) changes only on purpose.

use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AlertRecord {
    pub from: &'static str,
    pub level: &'static str,
    pub description: String,
}

/// The server's leaf certificate (TLS ≤ 1.2, where it travels in plaintext).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CertRecord {
    pub subject: String,
    pub issuer: String,
    pub san: Vec<String>,
    pub not_before: String,
    pub not_after: String,
    pub chain_len: u32,
    pub self_signed: bool,
    /// The SNI matches a SAN DNS name (or the CN when there are none); null without SNI.
    pub sni_match: Option<bool>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SessionRecord {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub ts: String,
    pub ts_end: String,
    pub transport: &'static str,
    pub client: String,
    pub server: String,
    pub outcome: &'static str,
    /// One line saying what happened, for humans (not part of the SPEC field list).
    pub detail: String,
    pub sni: Option<String>,
    pub alpn_offered: Vec<String>,
    pub alpn: Option<String>,
    pub versions_offered: Vec<String>,
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub group: Option<String>,
    pub ja3: Option<String>,
    pub ja3s: Option<String>,
    pub ja4: Option<String>,
    /// The raw strings behind the hashes (added beyond SPEC).
    pub ja3_string: Option<String>,
    pub ja3s_string: Option<String>,
    pub ja4_r: Option<String>,
    pub resumed: bool,
    pub hrr: bool,
    pub ech: bool,
    pub alert: Option<AlertRecord>,
    pub cert: Option<CertRecord>,
    pub tcp_rtt_ms: Option<f64>,
    pub server_hello_ms: Option<f64>,
    pub handshake_ms: Option<f64>,
    pub client_hello_bytes: Option<u32>,
    pub client_hello_segments: Option<u32>,
    pub bytes_client: u64,
    pub bytes_server: u64,
    pub problems: Vec<&'static str>,
}
