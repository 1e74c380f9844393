//! Wire structs: what goes out as JSON. Serialize-only and separate from the domain types, so
//! the format (an API, see `jsonl`) changes only on purpose.

use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AlertRecord {
    pub from: &'static str,
    pub level: &'static str,
    pub description: String,
}

/// One certificate of a chain, as sent.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ChainCertRecord {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    pub key_type: String,
    pub key_bits: Option<u32>,
    pub sig_alg: String,
    /// Lowercase hex, as `openssl x509 -serial` prints it.
    pub serial: String,
    /// SHA-256 of the DER encoding, lowercase hex; null when only a prefix was captured.
    pub sha256: Option<String>,
}

/// A leaf certificate and its chain (TLS ≤ 1.2, where it travels in plaintext).
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
    pub key_type: String,
    pub key_bits: Option<u32>,
    pub sig_alg: String,
    pub serial: String,
    pub sha256: Option<String>,
    /// SHA-1 of the DER encoding, lowercase hex (Suricata's `tls.fingerprint`, blocklists such
    /// as abuse.ch SSLBL); null when only a prefix was captured.
    pub sha1: Option<String>,
    /// Every certificate as sent, leaf first.
    pub chain: Vec<ChainCertRecord>,
}

/// One packet of a connection's timeline (`--timeline`, `--conn`): what a person reading the
/// capture in Wireshark would note, with the time relative to the connection's first packet.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TimelineEvent {
    /// Milliseconds since the connection's first packet (capture time).
    pub t_ms: f64,
    /// "client" or "server".
    pub from: &'static str,
    /// TCP flags as tcpdump prints them: "S", "S.", ".", "P.", "F.", "R", "R." ...
    pub flags: String,
    /// TCP payload bytes in this packet.
    pub bytes: u32,
    /// Where the payload starts in its direction's byte stream (0 = first byte after the
    /// SYN); null without payload or without a SYN to count from.
    pub offset: Option<u64>,
    /// The acknowledgement, as an offset in the peer's byte stream (bytes of the peer's data
    /// received in order); null without ACK or without the peer's SYN to count from.
    pub ack: Option<u64>,
    /// The payload repeats bytes already seen (wholly or in part), or the SYN (SYN/ACK) was
    /// sent before.
    pub retransmission: bool,
    /// Time to live / hop limit of the packet.
    pub ttl: u8,
    /// What became readable in the TLS stream with this packet, in order: "client_hello",
    /// "server_hello", "hello_retry_request", "certificate", "server_key_exchange",
    /// "server_hello_done", "client_key_exchange", "change_cipher_spec",
    /// "encrypted_handshake", "application_data", "alert:<description>", "encrypted_alert".
    pub tls: Vec<String>,
}

/// The packets of a connection, as far as they matter for the handshake: every packet until
/// the handshake is decided, then only SYN, FIN and RST. Bounded (`MAX_TIMELINE_EVENTS`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TimelineRecord {
    pub events: Vec<TimelineEvent>,
    /// Packets left out: after the handshake (data and ACKs), or beyond the bound.
    pub packets_not_shown: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SessionRecord {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub ts: String,
    pub ts_end: String,
    pub transport: &'static str,
    /// QUIC version of a `quic` session ("1", "quicv2", "draft-29", ...); null for TCP.
    pub quic_version: Option<String>,
    pub client: String,
    pub server: String,
    pub outcome: &'static str,
    /// How far the verdict can be trusted: "high", "medium" (the connection did not end in the
    /// capture) or "low" (part of the evidence is missing: one-sided, midstream, gaps).
    pub confidence: &'static str,
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
    /// The client's certificate under mutual TLS (TLS ≤ 1.2).
    pub client_cert: Option<CertRecord>,
    /// Every plaintext alert in order (the first is `alert`).
    pub alerts: Vec<AlertRecord>,
    /// Offered by the client, in wire order, IANA names (unknown as hex, GREASE marked).
    pub ciphers_offered: Vec<String>,
    pub extensions_offered: Vec<String>,
    pub groups_offered: Vec<String>,
    pub key_shares_offered: Vec<String>,
    pub sig_algs_offered: Vec<String>,
    pub psk_modes: Vec<String>,
    pub compression_offered: Vec<String>,
    /// ServerHello extensions, in wire order.
    pub extensions_server: Vec<String>,
    /// A post-quantum hybrid group was offered / negotiated.
    pub pq_offered: bool,
    pub pq_negotiated: bool,
    pub tcp_rtt_ms: Option<f64>,
    /// Where the capture point sits: "client", "server" or "middle" (from how the TCP round
    /// trip splits), and the two parts: capture→server→capture (SYN → SYN/ACK) and
    /// capture→client→capture (SYN/ACK → ACK).
    pub capture_point: Option<&'static str>,
    pub rtt_client_ms: Option<f64>,
    pub rtt_server_ms: Option<f64>,
    /// ClientHello → ServerHello minus the server-side round trip: the server's think time.
    pub server_think_ms: Option<f64>,
    pub server_hello_ms: Option<f64>,
    pub handshake_ms: Option<f64>,
    pub client_hello_bytes: Option<u32>,
    pub client_hello_segments: Option<u32>,
    pub bytes_client: u64,
    pub bytes_server: u64,
    pub problems: Vec<&'static str>,
    /// The negotiated version as its wire number (772 = TLS 1.3, 0x7f1c = TLS 1.3 draft 28),
    /// which `version` folds; null without a ServerHello.
    pub version_raw: Option<u16>,
    /// What each side sent in plaintext, in capture order, in Zeek's `ssl_history` letters
    /// (client uppercase, server lowercase: `CsxknGIti` is a full TLS 1.2 handshake); null when
    /// no TLS was seen. See `docs/formats/zeek.md`.
    pub ssl_history: Option<String>,
    /// Both sides switched to encrypted records (TLS ≤ 1.2: ChangeCipherSpec then encrypted
    /// records; TLS 1.3: encrypted records from both): Zeek's `established`, which is not
    /// `outcome == "established"` (it cannot tell an encrypted Finished from an encrypted
    /// alert). Null for QUIC, whose Finished messages travel in encrypted packets.
    pub handshake_completed: Option<bool>,
    /// First and last packet time (ns since the epoch), for finding the connection's packets
    /// again (`--write-problems`); `ts`/`ts_end` are their wire form.
    #[serde(skip)]
    pub span_ns: (i64, i64),
    /// Per-packet timeline, only when asked for (`--timeline`, `--conn`, `--html`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<TimelineRecord>,
}
