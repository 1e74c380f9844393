//! Wire structs: what goes out as JSON. Serialize-only and separate from the domain types, so
//! the format (an API, see `jsonl`) changes only on purpose.

use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AlertRecord {
    pub from: &'static str,
    pub level: &'static str,
    pub description: String,
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
    pub resumed: bool,
    pub hrr: bool,
    pub ech: bool,
    pub alert: Option<AlertRecord>,
    pub cert: Option<serde_json::Value>,
    pub tcp_rtt_ms: Option<f64>,
    pub server_hello_ms: Option<f64>,
    pub handshake_ms: Option<f64>,
    pub client_hello_bytes: Option<u32>,
    pub client_hello_segments: Option<u32>,
    pub bytes_client: u64,
    pub bytes_server: u64,
    pub problems: Vec<&'static str>,
}
