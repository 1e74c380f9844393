//! One direction of a TLS byte stream, parsed incrementally: records → handshake messages →
//! hello summaries, plus the record-level events the verdict needs (ChangeCipherSpec, alerts,
//! application data). Pure: bytes and capture timestamps in, observations out.
//!
//! Contract with the reassembler: [`TlsDirection::feed`] receives the stream in order, each
//! chunk with the stream offset of its first byte and the capture time of the segment that
//! carried it. The parser keeps only the unconsumed tail of a partial record and of a partial
//! handshake message; records it does not need to read (application data, encrypted
//! handshake) are skipped by length without being buffered. After a gap the direction is
//! abandoned on purpose: resynchronising inside ciphertext is guesswork.
//!
//! Messages split across records, several messages in one record, records split across
//! segments and one-byte segments all take the same path.

use super::cert::{CertSummary, parse_certificate_message};
use super::hello::{
    ClientHello, HRR_RANDOM, ServerHello, parse_client_hello, parse_server_hello,
    parse_sslv2_client_hello, parse_sslv2_server_hello,
};
use crate::limits::{MAX_CLIENT_HELLOS, MAX_HANDSHAKE_MESSAGE, MAX_RECORD_LEN};
use crate::time::Timestamp;

/// Plaintext alerts kept per direction (count). A handshake ends after one fatal alert; more
/// than a few means a misbehaving peer, which the count shows.
pub const MAX_ALERTS: usize = 8;

/// Handshake-history entries kept per direction (entries): a full TLS 1.2 handshake is about
/// six per side; more means renegotiation or a misbehaving peer, and Zeek itself stops its
/// `ssl_history` at 100 letters for both sides together.
pub const MAX_HISTORY: usize = 64;

/// Of a Certificate message larger than `MAX_HANDSHAKE_MESSAGE`, this many bytes are buffered
/// and parsed (bytes): enough for the leaf and its first issuers; the rest is skipped.
pub const CERTIFICATE_PREFIX_BYTES: usize = 32 * 1024;

/// Chunk-time index entries kept per direction (entries). A hello arrives in a handful of
/// segments; a hostile one in thousands of tiny ones is still counted, with coarser times.
pub const MAX_CHUNK_ENTRIES: usize = 4096;

pub mod content {
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    pub const ALERT: u8 = 21;
    pub const HANDSHAKE: u8 = 22;
    pub const APPLICATION_DATA: u8 = 23;
    pub const HEARTBEAT: u8 = 24;
}

pub mod hs {
    pub const CLIENT_HELLO: u8 = 1;
    pub const SERVER_HELLO: u8 = 2;
    pub const NEW_SESSION_TICKET: u8 = 4;
    pub const CERTIFICATE: u8 = 11;
    pub const SERVER_KEY_EXCHANGE: u8 = 12;
    pub const CERTIFICATE_REQUEST: u8 = 13;
    pub const SERVER_HELLO_DONE: u8 = 14;
    pub const CLIENT_KEY_EXCHANGE: u8 = 16;
}

/// Where and when a handshake message was seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsgMeta {
    /// Capture time of the segment carrying the first byte of the message's record header.
    pub ts: Timestamp,
    /// Handshake message length (header included).
    pub len: u32,
    /// Distinct delivered segments that carried bytes of the message (record headers included).
    pub segments: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    pub level: u8,
    pub description: u8,
    pub ts: Timestamp,
}

/// What one direction showed. Filled as bytes arrive; read by the verdict.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    pub first_content_type: Option<u8>,
    pub client_hellos: Vec<(ClientHello, MsgMeta)>,
    pub server_hello: Option<(ServerHello, MsgMeta)>,
    pub hello_retry: Option<(ServerHello, MsgMeta)>,
    /// Bit n set: a plaintext handshake message of type n (< 32) was seen.
    pub handshake_types: u32,
    /// The leaf of the first plaintext Certificate message (TLS ≤ 1.2).
    pub certificate: Option<Box<CertSummary>>,
    /// `curve_type` and group of an ECDHE ServerKeyExchange.
    pub ske_named_group: Option<u16>,
    pub ccs: Option<Timestamp>,
    /// First plaintext alert.
    pub alert: Option<Alert>,
    /// Plaintext alerts in order, at most `MAX_ALERTS` (the rest are counted in `more_alerts`).
    pub alerts: Vec<Alert>,
    pub more_alerts: u32,
    pub encrypted_alerts: u32,
    /// Handshake records after ChangeCipherSpec (Finished, encrypted).
    pub encrypted_handshake_records: u32,
    pub first_encrypted_handshake: Option<Timestamp>,
    /// Application-data records (type 23): count, first time, and the first few lengths.
    pub app_records: u32,
    pub first_app: Option<Timestamp>,
    pub app_lens: [u16; 4],
    /// Capture times of the first few application-data records.
    pub app_ts: [Timestamp; 4],
    pub heartbeats: u32,
    /// The stream did not start like TLS (or SSLv2-compatible TLS).
    pub not_tls: bool,
    /// The parser stopped: malformed record, gap, or over budget. See `abandon_reason`.
    pub abandoned: bool,
    pub abandon_reason: Option<&'static str>,
    /// Hellos that failed to parse.
    pub hello_errors: u32,
    /// Handshake messages skipped for exceeding `MAX_HANDSHAKE_MESSAGE`.
    pub oversized_messages: u32,
    /// A hello extension block that did not parse cleanly (malformed extension or garbage).
    pub malformed_extensions: u32,
    /// What this direction sent in plaintext, in order, as Zeek's `ssl_history` letters
    /// (lowercase; see [`history_letter`]) with the capture time of each: handshake messages,
    /// ChangeCipherSpec, alerts, heartbeats. At most [`MAX_HISTORY`] entries.
    pub history: Vec<(Timestamp, u8)>,
}

impl Observed {
    /// Nothing observed (a direction that never carried data).
    pub const EMPTY: Observed = Observed {
        first_content_type: None,
        client_hellos: Vec::new(),
        server_hello: None,
        hello_retry: None,
        handshake_types: 0,
        certificate: None,
        ske_named_group: None,
        ccs: None,
        alert: None,
        alerts: Vec::new(),
        more_alerts: 0,
        encrypted_alerts: 0,
        encrypted_handshake_records: 0,
        first_encrypted_handshake: None,
        app_records: 0,
        first_app: None,
        app_lens: [0; 4],
        app_ts: [Timestamp::ZERO; 4],
        heartbeats: 0,
        not_tls: false,
        abandoned: false,
        abandon_reason: None,
        hello_errors: 0,
        oversized_messages: 0,
        malformed_extensions: 0,
        history: Vec::new(),
    };

    pub fn saw(&self, handshake_type: u8) -> bool {
        handshake_type < 32 && self.handshake_types & (1 << handshake_type) != 0
    }

    fn note(&mut self, ts: Timestamp, letter: u8) {
        if self.history.len() < MAX_HISTORY {
            self.history.push((ts, letter));
        }
    }
}

/// Zeek's `ssl_history` letter (lowercase; the client's are written uppercase) for a handshake
/// message type, as `base/protocols/ssl/main.zeek` assigns them. A ServerHello that is a
/// HelloRetryRequest is `j` (the caller decides); unknown types are `z`.
pub fn history_letter(msg_type: u8) -> u8 {
    match msg_type {
        0 => b'h',   // hello_request
        1 => b'c',   // client_hello
        2 => b's',   // server_hello
        3 => b'v',   // hello_verify_request
        4 => b't',   // new_session_ticket
        5 => b'e',   // end_of_early_data
        6 => b'j',   // hello_retry_request (TLS 1.3 drafts)
        8 => b'o',   // encrypted_extensions
        11 => b'x',  // certificate
        12 => b'k',  // server_key_exchange
        13 => b'r',  // certificate_request
        14 => b'n',  // server_hello_done
        15 => b'y',  // certificate_verify
        16 => b'g',  // client_key_exchange
        20 => b'f',  // finished
        21 => b'w',  // certificate_url
        22 => b'u',  // certificate_status
        23 => b'a',  // supplemental_data
        24 => b'p',  // key_update
        254 => b'm', // message_hash
        _ => b'z',
    }
}

/// Letters for what is not a handshake message.
pub mod history {
    pub const CHANGE_CIPHER_SPEC: u8 = b'i';
    pub const ALERT: u8 = b'l';
    pub const HEARTBEAT: u8 = b'b';
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing seen yet: decide TLS, SSLv2-compatible hello, or not TLS.
    Start,
    Records,
    /// Handshake messages without record framing (QUIC CRYPTO frames, RFC 9001 §4).
    Messages,
    /// Not TLS, abandoned, or told to stop: bytes are ignored.
    Stopped,
}

/// Incremental parser for one direction.
#[derive(Debug)]
pub struct TlsDirection {
    state: State,
    /// Unconsumed bytes of a partial record header or a record whose content we need.
    buf: Vec<u8>,
    /// Stream offset of `buf[0]` (== next expected offset when `buf` is empty).
    offset: u64,
    /// Stream offset the next fed chunk must start at; another offset means a gap.
    next_offset: Option<u64>,
    /// Bytes of the current record still to skip without buffering.
    skip: usize,
    /// The current record (header parsed, content being buffered): type and length.
    record: Option<(u8, usize)>,
    /// Handshake message assembly: bytes, read cursor, and where each piece came from.
    hs: Vec<u8>,
    hs_pos: usize,
    hs_map: Vec<(usize, u64)>,
    /// Bytes of an oversized handshake message still to discard.
    hs_skip: usize,
    /// Delivered chunks: (stream offset, capture time, chunks folded in), ascending; pruned as
    /// data is consumed. Past `MAX_CHUNK_ENTRIES` entries, new chunks are folded into the last
    /// entry (its count grows, its time stays that of its first chunk), so counts stay exact.
    chunks: Vec<(u64, Timestamp, u32)>,
    /// After our ChangeCipherSpec in TLS ≤ 1.2, handshake and alert records are encrypted.
    encrypted: bool,
    /// TLS 1.3 was negotiated: ChangeCipherSpec is a no-op (middlebox compatibility).
    tls13: bool,
    /// Bytes of framing in front of a handshake message (5 for a TLS record, 0 for QUIC), so
    /// that times and segment counts include the record header.
    framing: u64,
    pub obs: Observed,
}

impl Default for TlsDirection {
    fn default() -> Self {
        TlsDirection::new()
    }
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// Does `b` start like a TLS record header? (content type 20..=24, major version 3.)
pub fn is_record_header(b: &[u8]) -> bool {
    b.len() >= 3 && (20..=24).contains(&b[0]) && b[1] == 3 && b[2] <= 4
}

/// Does `b` start like an SSLv2-format ClientHello (2-byte header, msg_type 1, version 2 or 3.x)?
pub fn is_sslv2_client_hello(b: &[u8]) -> bool {
    b.len() >= 5
        && b[0] & 0x80 != 0
        && b[2] == 1
        && ((b[3] == 0 && b[4] == 2) || (b[3] == 3 && b[4] <= 4))
        && (((b[0] & 0x7f) as usize) << 8 | b[1] as usize) >= 9
}

/// Does `b` start like a TLS handshake record carrying a ClientHello (or an SSLv2 hello)?
/// Used to recognise TLS on ports other than 443 from the first payload.
pub fn starts_with_client_hello(b: &[u8]) -> bool {
    (b.len() >= 6 && b[0] == content::HANDSHAKE && is_record_header(b) && b[5] == hs::CLIENT_HELLO)
        || is_sslv2_client_hello(b)
}

impl TlsDirection {
    pub fn new() -> TlsDirection {
        TlsDirection {
            state: State::Start,
            buf: Vec::new(),
            offset: 0,
            next_offset: None,
            skip: 0,
            record: None,
            hs: Vec::new(),
            hs_pos: 0,
            hs_map: Vec::new(),
            hs_skip: 0,
            chunks: Vec::new(),
            encrypted: false,
            tls13: false,
            framing: 5,
            obs: Observed::default(),
        }
    }

    /// A parser for a stream of bare handshake messages: the CRYPTO stream of QUIC Initial
    /// packets (always TLS 1.3, no records, no ChangeCipherSpec).
    pub fn handshake_messages() -> TlsDirection {
        TlsDirection {
            state: State::Messages,
            tls13: true,
            framing: 0,
            ..TlsDirection::new()
        }
    }

    /// TLS 1.3 was negotiated (from the peer's ServerHello): ChangeCipherSpec no longer means
    /// "encrypted from here" for this direction.
    pub fn set_tls13(&mut self) {
        self.tls13 = true;
        self.encrypted = false;
    }

    /// TLS 1.3 was negotiated (seen in this direction's hello, or told by the peer's).
    pub fn is_tls13(&self) -> bool {
        self.tls13
    }

    pub fn is_stopped(&self) -> bool {
        self.state == State::Stopped
    }

    /// Stop parsing and free buffers (the handshake is decided, or the budget is spent).
    pub fn stop(&mut self) {
        self.state = State::Stopped;
        self.buf = Vec::new();
        self.hs = Vec::new();
        self.hs_map = Vec::new();
        self.chunks = Vec::new();
    }

    fn abandon(&mut self, reason: &'static str) {
        self.obs.abandoned = true;
        self.obs.abandon_reason.get_or_insert(reason);
        self.stop();
    }

    /// The stream has a hole that will never be filled.
    pub fn gap(&mut self) {
        if self.state != State::Stopped {
            self.abandon("gap");
        }
    }

    /// The direction's first bytes are not TLS. Only the stream's real first bytes can say so:
    /// after a hole at its start (lost by the capture, or never delivered, as when a path drops
    /// the first, full-size segment) the data may begin anywhere inside a record, so the
    /// direction is given up as a gap instead.
    fn not_tls(&mut self, stream_offset: u64) {
        if stream_offset > 0 {
            self.abandon("gap");
        } else {
            self.obs.not_tls = true;
            self.stop();
        }
    }

    /// Bytes currently held (for memory accounting).
    pub fn buffered(&self) -> usize {
        self.buf.capacity() + self.hs.capacity() + self.chunks.capacity() * 24
    }

    /// Feeds the next in-order bytes of the stream. `offset` is the stream offset of `data[0]`.
    pub fn feed(&mut self, data: &[u8], offset: u64, ts: Timestamp) {
        if self.state == State::Stopped || data.is_empty() {
            return;
        }
        match self.next_offset {
            Some(n) if n != offset => {
                // The reassembler jumped over bytes it never got.
                self.gap();
                return;
            }
            None => self.offset = offset,
            _ => {}
        }
        self.next_offset = Some(offset + data.len() as u64);
        let full = self.chunks.len() >= MAX_CHUNK_ENTRIES;
        match self.chunks.last_mut() {
            Some(last) if full => last.2 = last.2.saturating_add(1),
            _ => self.chunks.push((offset, ts, 1)),
        }
        if self.state == State::Messages {
            self.obs
                .first_content_type
                .get_or_insert(content::HANDSHAKE);
            self.handshake_bytes(data, offset);
            self.offset = offset + data.len() as u64;
            self.prune_chunks();
            return;
        }
        let mut data = data;
        let mut pos = offset;
        // Skip bytes of records we do not read, without buffering them.
        if self.skip > 0 {
            let n = self.skip.min(data.len());
            self.skip -= n;
            data = &data[n..];
            pos += n as u64;
            self.offset = pos;
            if data.is_empty() {
                return;
            }
        }
        self.buf.extend_from_slice(data);
        self.process();
        self.prune_chunks();
    }

    fn process(&mut self) {
        let mut start = 0usize;
        loop {
            if self.state == State::Stopped {
                return;
            }
            let avail = &self.buf[start..];
            if self.skip > 0 {
                let n = self.skip.min(avail.len());
                self.skip -= n;
                start += n;
                if self.skip > 0 {
                    break;
                }
                continue;
            }
            match self.state {
                State::Start => {
                    if avail.len() < 5 {
                        if !avail.is_empty()
                            && !(20..=24).contains(&avail[0])
                            && avail[0] & 0x80 == 0
                        {
                            self.not_tls(self.offset + start as u64);
                            return;
                        }
                        break;
                    }
                    if is_record_header(avail) {
                        self.obs.first_content_type = Some(avail[0]);
                        self.state = State::Records;
                    } else if avail[0] & 0x80 != 0 && (avail[2] == 1 || avail[2] == 4) {
                        let len = (((avail[0] & 0x7f) as usize) << 8) | avail[1] as usize;
                        if avail.len() < 2 + len {
                            if len > MAX_RECORD_LEN {
                                self.not_tls(self.offset + start as u64);
                                return;
                            }
                            break;
                        }
                        let msg = &avail[2..2 + len];
                        let meta = MsgMeta {
                            ts: self.ts_at(self.offset + start as u64),
                            len: len as u32,
                            segments: self.segments_between(
                                self.offset + start as u64,
                                self.offset + (start + 2 + len) as u64 - 1,
                            ),
                        };
                        let parsed = if msg[0] == 1 {
                            parse_sslv2_client_hello(msg).map(|ch| {
                                self.obs.note(meta.ts, b'c');
                                self.obs.client_hellos.push((ch, meta));
                            })
                        } else {
                            parse_sslv2_server_hello(msg).map(|sh| {
                                self.obs.note(meta.ts, b's');
                                self.obs.server_hello = Some((sh, meta));
                            })
                        };
                        if parsed.is_err() {
                            self.not_tls(self.offset + start as u64);
                            return;
                        }
                        self.obs.first_content_type = Some(content::HANDSHAKE);
                        start += 2 + len;
                        self.state = State::Records;
                    } else {
                        self.not_tls(self.offset + start as u64);
                        return;
                    }
                }
                State::Records => {
                    let (ctype, len) = match self.record {
                        Some(r) => r,
                        None => {
                            if avail.len() < 5 {
                                break;
                            }
                            if !is_record_header(avail) {
                                self.abandon("bad_record_header");
                                return;
                            }
                            let ctype = avail[0];
                            let len = be16(&avail[3..]) as usize;
                            if len > MAX_RECORD_LEN {
                                self.abandon("record_too_long");
                                return;
                            }
                            let content_offset = self.offset + start as u64 + 5;
                            start += 5;
                            if !self.needs_content(ctype) {
                                self.skipped_record(ctype, len, content_offset);
                                self.skip = len;
                                continue;
                            }
                            self.record = Some((ctype, len));
                            (ctype, len)
                        }
                    };
                    let avail = &self.buf[start..];
                    if avail.len() < len {
                        break;
                    }
                    self.record = None;
                    let content_offset = self.offset + start as u64;
                    let body = self.buf[start..start + len].to_vec();
                    start += len;
                    self.record_content(ctype, &body, content_offset);
                }
                State::Messages | State::Stopped => return,
            }
        }
        if self.state != State::Stopped {
            self.buf.drain(..start);
            self.offset += start as u64;
            // Do not keep a record-sized buffer around between records.
            if self.buf.is_empty() && self.buf.capacity() > 4096 {
                self.buf = Vec::new();
            }
        }
    }

    /// Whether a record's content must be read (otherwise it is skipped by length).
    fn needs_content(&self, ctype: u8) -> bool {
        match ctype {
            content::HANDSHAKE => !self.encrypted,
            content::ALERT | content::CHANGE_CIPHER_SPEC => true,
            _ => false,
        }
    }

    fn skipped_record(&mut self, ctype: u8, len: usize, offset: u64) {
        let ts = self.ts_at(offset.saturating_sub(5));
        match ctype {
            content::APPLICATION_DATA => {
                if (self.obs.app_records as usize) < self.obs.app_lens.len() {
                    self.obs.app_lens[self.obs.app_records as usize] = len as u16;
                    self.obs.app_ts[self.obs.app_records as usize] = ts;
                }
                self.obs.app_records += 1;
                self.obs.first_app.get_or_insert(ts);
            }
            content::HANDSHAKE => {
                self.obs.encrypted_handshake_records += 1;
                self.obs.first_encrypted_handshake.get_or_insert(ts);
            }
            content::HEARTBEAT => {
                self.obs.heartbeats += 1;
                if !self.encrypted {
                    self.obs.note(ts, history::HEARTBEAT);
                }
            }
            _ => {}
        }
    }

    fn record_content(&mut self, ctype: u8, body: &[u8], offset: u64) {
        match ctype {
            content::CHANGE_CIPHER_SPEC => {
                let ts = self.ts_at(offset);
                self.obs.ccs.get_or_insert(ts);
                self.obs.note(ts, history::CHANGE_CIPHER_SPEC);
                if !self.tls13 {
                    self.encrypted = true;
                    // A message cut by the CCS can never complete.
                    self.hs.clear();
                    self.hs_pos = 0;
                    self.hs_map.clear();
                }
            }
            content::ALERT => {
                if body.len() == 2 && !self.encrypted {
                    let a = Alert {
                        level: body[0],
                        description: body[1],
                        ts: self.ts_at(offset),
                    };
                    self.obs.alert.get_or_insert(a);
                    self.obs.note(a.ts, history::ALERT);
                    if self.obs.alerts.len() < MAX_ALERTS {
                        self.obs.alerts.push(a);
                    } else {
                        self.obs.more_alerts += 1;
                    }
                } else {
                    self.obs.encrypted_alerts += 1;
                }
            }
            content::HANDSHAKE => self.handshake_bytes(body, offset),
            _ => {}
        }
    }

    fn handshake_bytes(&mut self, mut data: &[u8], mut offset: u64) {
        if self.hs_skip > 0 {
            let n = self.hs_skip.min(data.len());
            self.hs_skip -= n;
            data = &data[n..];
            offset += n as u64;
        }
        if data.is_empty() {
            return;
        }
        if self.hs_pos == self.hs.len() {
            self.hs.clear();
            self.hs_pos = 0;
            self.hs_map.clear();
        }
        self.hs_map.push((self.hs.len(), offset));
        self.hs.extend_from_slice(data);
        loop {
            let avail = self.hs.len() - self.hs_pos;
            if avail < 4 {
                return;
            }
            let h = &self.hs[self.hs_pos..];
            let msg_type = h[0];
            let msg_len = ((h[1] as usize) << 16) | ((h[2] as usize) << 8) | h[3] as usize;
            if msg_len > MAX_HANDSHAKE_MESSAGE {
                // A huge Certificate message (hundreds of KB of chain happen): the leaf and
                // the first certificates sit in its first bytes, so parse a prefix, then skip.
                let wants_cert = msg_type == hs::CERTIFICATE
                    && self.obs.certificate.is_none()
                    && !self.tls13
                    && !self.encrypted;
                if wants_cert {
                    if avail < 4 + CERTIFICATE_PREFIX_BYTES {
                        return;
                    }
                    let body =
                        &self.hs[self.hs_pos + 4..self.hs_pos + 4 + CERTIFICATE_PREFIX_BYTES];
                    self.obs.certificate = parse_certificate_message(body).map(Box::new);
                    self.obs.handshake_types |= 1 << hs::CERTIFICATE;
                }
                // Skip without buffering: drop what we hold of it, discard the rest later.
                let first = self.hs_offset(self.hs_pos);
                let ts = self.ts_at(first.saturating_sub(self.framing));
                self.obs.note(ts, history_letter(msg_type));
                self.obs.oversized_messages += 1;
                if msg_type == hs::CLIENT_HELLO || msg_type == hs::SERVER_HELLO {
                    self.obs.hello_errors += 1;
                }
                self.hs_skip = 4 + msg_len - avail;
                self.hs.clear();
                self.hs_pos = 0;
                self.hs_map.clear();
                return;
            }
            if avail < 4 + msg_len {
                return;
            }
            let first = self.hs_offset(self.hs_pos);
            let last = self.hs_offset(self.hs_pos + 3 + msg_len);
            let body = self.hs[self.hs_pos + 4..self.hs_pos + 4 + msg_len].to_vec();
            self.hs_pos += 4 + msg_len;
            // Times and segment counts include the record header in front of the message.
            let meta = MsgMeta {
                ts: self.ts_at(first.saturating_sub(self.framing)),
                len: (4 + msg_len) as u32,
                segments: self.segments_between(first.saturating_sub(self.framing), last),
            };
            self.message(msg_type, &body, meta);
            if self.state == State::Stopped {
                return;
            }
        }
    }

    fn message(&mut self, msg_type: u8, body: &[u8], meta: MsgMeta) {
        if msg_type < 32 {
            self.obs.handshake_types |= 1 << msg_type;
        }
        // A ServerHello carrying the HelloRetryRequest random is Zeek's `j`.
        let letter = match msg_type {
            hs::SERVER_HELLO if body.get(2..34) == Some(&HRR_RANDOM[..]) => b'j',
            t => history_letter(t),
        };
        self.obs.note(meta.ts, letter);
        match msg_type {
            hs::CLIENT_HELLO => match parse_client_hello(body) {
                Ok(ch) => {
                    if ch.malformed_extensions > 0 || ch.trailing_garbage {
                        self.obs.malformed_extensions += 1;
                    }
                    if self.obs.client_hellos.len() < MAX_CLIENT_HELLOS {
                        self.obs.client_hellos.push((ch, meta));
                    }
                }
                Err(_) => self.obs.hello_errors += 1,
            },
            hs::SERVER_HELLO => match parse_server_hello(body) {
                Ok(sh) => {
                    if sh.malformed_extensions > 0 {
                        self.obs.malformed_extensions += 1;
                    }
                    if sh.is_hrr {
                        self.set_tls13();
                        self.obs.hello_retry.get_or_insert((sh, meta));
                    } else if self.obs.server_hello.is_none() {
                        if super::is_tls13(sh.version()) {
                            self.set_tls13();
                        }
                        self.obs.server_hello = Some((sh, meta));
                    }
                }
                Err(_) => self.obs.hello_errors += 1,
            },
            hs::CERTIFICATE if self.obs.certificate.is_none() && !self.tls13 => {
                self.obs.certificate = parse_certificate_message(body).map(Box::new);
            }
            hs::SERVER_KEY_EXCHANGE
                // ECParameters: curve_type 3 (named_curve) then the group. Only meaningful
                // for ECDHE suites; the verdict checks the suite.
                if body.len() >= 3 && body[0] == 3 => {
                    self.obs.ske_named_group = Some(be16(&body[1..]));
                }
            _ => {}
        }
    }

    /// Stream offset of position `p` of the handshake assembly buffer.
    fn hs_offset(&self, p: usize) -> u64 {
        match self.hs_map.iter().rev().find(|(hp, _)| *hp <= p) {
            Some((hp, off)) => off + (p - hp) as u64,
            None => self.offset,
        }
    }

    /// Capture time of the chunk that delivered stream offset `off`.
    fn ts_at(&self, off: u64) -> Timestamp {
        let i = self.chunks.partition_point(|(o, _, _)| *o <= off);
        match i {
            0 => self.chunks.first().map(|c| c.1).unwrap_or_default(),
            i => self.chunks[i - 1].1,
        }
    }

    /// Number of delivered chunks overlapping the stream bytes `first..=last`.
    fn segments_between(&self, first: u64, last: u64) -> u32 {
        let lo = self.chunks.partition_point(|(o, _, _)| *o <= first).max(1) - 1;
        let hi = self.chunks.partition_point(|(o, _, _)| *o <= last);
        let n: u32 = self
            .chunks
            .get(lo..hi)
            .unwrap_or(&[])
            .iter()
            .map(|c| c.2)
            .sum();
        n.max(1)
    }

    /// Forget chunk times for bytes that can no longer be asked about.
    fn prune_chunks(&mut self) {
        // The header of a record whose content is still pending, and the records of a
        // handshake message still being assembled, may still be asked about.
        let mut keep_from = self.offset;
        if self.record.is_some() {
            keep_from = keep_from.saturating_sub(self.framing);
        }
        if let Some(&(_, off)) = self.hs_map.first()
            && self.hs_pos < self.hs.len()
        {
            keep_from = keep_from.min(off.saturating_sub(5));
        }
        let i = self.chunks.partition_point(|(o, _, _)| *o <= keep_from);
        if i > 1 {
            self.chunks.drain(..i - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::hello::tests::sample_client_hello_body;
    use super::*;

    fn handshake_msg(ty: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![ty];
        m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        m.extend_from_slice(body);
        m
    }

    fn records(ctype: u8, payload: &[u8], max: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in payload.chunks(max.max(1)) {
            out.extend_from_slice(&[ctype, 3, 1]);
            out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
            out.extend_from_slice(chunk);
        }
        out
    }

    fn feed_in_segments(d: &mut TlsDirection, bytes: &[u8], seg: usize) {
        let mut off = 0u64;
        for (i, c) in bytes.chunks(seg.max(1)).enumerate() {
            d.feed(c, off, Timestamp(1000 + i as i64));
            off += c.len() as u64;
        }
    }

    #[test]
    fn same_summary_for_every_record_and_segment_split() {
        let msg = handshake_msg(1, &sample_client_hello_body());
        let reference = parse_client_hello(&sample_client_hello_body()).unwrap();
        for rec in [msg.len(), 1, 2, 7, 100, 255] {
            let stream = records(22, &msg, rec);
            for seg in [stream.len(), 1, 3, 5, 6, 64, 200] {
                let mut d = TlsDirection::new();
                feed_in_segments(&mut d, &stream, seg);
                assert_eq!(d.obs.client_hellos.len(), 1, "rec {rec} seg {seg}");
                let (ch, meta) = &d.obs.client_hellos[0];
                assert_eq!(ch, &reference, "rec {rec} seg {seg}");
                assert_eq!(meta.len as usize, msg.len());
                assert_eq!(meta.ts, Timestamp(1000), "first byte's segment");
                let expected_segments = stream.len().div_ceil(seg);
                assert_eq!(
                    meta.segments as usize, expected_segments,
                    "rec {rec} seg {seg}"
                );
                assert!(!d.obs.abandoned && !d.obs.not_tls);
            }
        }
    }

    #[test]
    fn several_messages_in_one_record_and_skipped_app_data() {
        let mut sh = vec![3, 3];
        sh.extend_from_slice(&[5; 32]);
        sh.extend_from_slice(&[0, 0xc0, 0x2f, 0, 0, 0]);
        let mut payload = handshake_msg(2, &sh);
        payload.extend(handshake_msg(11, &[0, 0, 0]));
        payload.extend(handshake_msg(12, &[3, 0, 0x1d, 1, 0xaa]));
        payload.extend(handshake_msg(14, &[]));
        let mut stream = records(22, &payload, 16384);
        stream.extend(records(20, &[1], 10));
        stream.extend(records(22, &[0x99; 40], 100)); // encrypted Finished
        stream.extend(records(23, &[0x55; 3000], 16384));
        stream.extend(records(21, &[0x77; 26], 100)); // encrypted alert
        let mut d = TlsDirection::new();
        feed_in_segments(&mut d, &stream, 1000);
        let (s, _) = d.obs.server_hello.as_ref().unwrap();
        assert_eq!(s.cipher, 0xc02f);
        assert!(d.obs.saw(hs::CERTIFICATE) && d.obs.saw(hs::SERVER_HELLO_DONE));
        assert_eq!(d.obs.ske_named_group, Some(0x1d));
        assert!(d.obs.ccs.is_some());
        assert_eq!(d.obs.encrypted_handshake_records, 1);
        assert_eq!(d.obs.app_records, 1);
        assert_eq!(d.obs.app_lens[0], 3000);
        assert_eq!(d.obs.encrypted_alerts, 1);
        assert!(d.obs.alert.is_none());
        assert!(d.buf.len() < 16, "app data is not buffered");
    }

    #[test]
    fn history_letters_in_stream_order() {
        let mut sh = vec![3, 3];
        sh.extend_from_slice(&[5; 32]);
        sh.extend_from_slice(&[0, 0xc0, 0x2f, 0, 0, 0]);
        let mut payload = handshake_msg(2, &sh);
        payload.extend(handshake_msg(11, &[0, 0, 0]));
        payload.extend(handshake_msg(12, &[3, 0, 0x1d, 1, 0xaa]));
        payload.extend(handshake_msg(14, &[]));
        let mut stream = records(22, &payload, 16384);
        stream.extend(records(21, &[1, 0], 10)); // a plaintext warning alert
        stream.extend(records(20, &[1], 10));
        stream.extend(records(22, &[0x99; 40], 100)); // encrypted Finished: no letter
        stream.extend(records(21, &[0x77; 26], 100)); // encrypted alert: no letter
        let mut d = TlsDirection::new();
        feed_in_segments(&mut d, &stream, 7);
        let letters: Vec<u8> = d.obs.history.iter().map(|(_, l)| *l).collect();
        assert_eq!(letters, b"sxknli");
        assert!(d.obs.history.windows(2).all(|w| w[0].0 <= w[1].0));

        // A HelloRetryRequest is `j`.
        let mut hrr = vec![3, 3];
        hrr.extend_from_slice(&HRR_RANDOM);
        hrr.extend_from_slice(&[0, 0x13, 0x01, 0, 0, 6, 0, 0x2b, 0, 2, 3, 4]);
        let mut d = TlsDirection::new();
        d.feed(
            &records(22, &handshake_msg(2, &hrr), 16384),
            0,
            Timestamp(1),
        );
        assert_eq!(d.obs.history, vec![(Timestamp(1), b'j')]);
    }

    #[test]
    fn history_is_bounded() {
        let mut d = TlsDirection::new();
        let stream = records(20, &[1; 1], 10).repeat(MAX_HISTORY * 3);
        // ChangeCipherSpec after ChangeCipherSpec: each one is a letter until the bound.
        d.set_tls13();
        d.feed(&stream, 0, Timestamp(1));
        assert_eq!(d.obs.history.len(), MAX_HISTORY);
    }

    #[test]
    fn plaintext_alert_and_not_tls() {
        let mut d = TlsDirection::new();
        d.feed(&records(21, &[2, 40], 10), 0, Timestamp(5));
        let a = d.obs.alert.unwrap();
        assert_eq!((a.level, a.description, a.ts), (2, 40, Timestamp(5)));

        let mut d = TlsDirection::new();
        d.feed(b"GET / HTTP/1.1\r\n", 0, Timestamp(1));
        assert!(d.obs.not_tls && d.is_stopped());

        let mut d = TlsDirection::new();
        d.feed(b"S", 0, Timestamp(1));
        assert!(d.obs.not_tls, "one byte is enough to tell");
    }

    #[test]
    fn data_after_a_hole_at_the_start_is_a_gap_not_a_protocol() {
        // The ClientHello's second segment without its first (fault-pmtu-blackhole-server.pcap:
        // the first, 1,448-byte segment never arrived): the bytes begin inside the record.
        let stream = records(22, &handshake_msg(1, &sample_client_hello_body()), 1 << 14);
        let mut d = TlsDirection::new();
        d.feed(&stream[100..], 100, Timestamp(1));
        assert!(
            !d.obs.not_tls,
            "the middle of a record says nothing about the protocol"
        );
        assert_eq!(d.obs.abandon_reason, Some("gap"));
        assert!(d.is_stopped());
        // The same bytes at the start of the stream are judged.
        let mut d = TlsDirection::new();
        d.feed(&stream[100..], 0, Timestamp(1));
        assert!(d.obs.not_tls);
    }

    #[test]
    fn oversized_message_is_skipped_and_parsing_goes_on() {
        let mut payload = vec![13, 0x10, 0, 0]; // CertificateRequest claiming 1 MiB
        payload.extend_from_slice(&[0; 100]);
        let mut d = TlsDirection::new();
        d.feed(&records(22, &payload, 16384), 0, Timestamp(1));
        assert_eq!(d.obs.oversized_messages, 1);
        assert!(d.hs.is_empty());
        assert!(!d.obs.abandoned);
    }

    #[test]
    fn bare_handshake_messages_as_in_quic() {
        let msg = handshake_msg(1, &sample_client_hello_body());
        let mut d = TlsDirection::handshake_messages();
        let (a, b) = msg.split_at(700.min(msg.len() / 2));
        d.feed(a, 0, Timestamp(1));
        d.feed(b, a.len() as u64, Timestamp(2));
        let (ch, meta) = &d.obs.client_hellos[0];
        assert_eq!(ch.sni.as_deref(), Some("www.example.test"));
        assert_eq!(
            (meta.ts, meta.segments, meta.len as usize),
            (Timestamp(1), 2, msg.len())
        );
        assert!(d.is_tls13());
    }

    #[test]
    fn oversized_certificate_message_still_yields_its_first_certificates() {
        // A Certificate message claiming 300 KB whose first entry is a (fake, unparseable)
        // 100-byte blob: the prefix is parsed (no certificate results), nothing panics, and
        // the rest is skipped without buffering.
        let mut payload = vec![11, 0x04, 0x93, 0xe0]; // 300,000 bytes
        payload.extend_from_slice(&[0x04, 0x93, 0xdc]);
        payload.extend_from_slice(&[0, 0, 100]);
        payload.extend(std::iter::repeat_n(0x30u8, 40_000));
        let mut d = TlsDirection::new();
        d.feed(&records(22, &payload, 16384), 0, Timestamp(1));
        assert_eq!(d.obs.oversized_messages, 1);
        assert!(d.hs.is_empty());
        assert!(d.obs.saw(hs::CERTIFICATE));
    }

    #[test]
    fn garbage_never_panics() {
        let mut x: u64 = 0x9e3779b97f4a7c15;
        for round in 0..2000 {
            let mut d = TlsDirection::new();
            let mut off = 0u64;
            let n = 1 + round % 40;
            for _ in 0..n {
                let len = (x % 97) as usize;
                let mut v = Vec::with_capacity(len);
                for _ in 0..len {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    v.push(if x.is_multiple_of(5) {
                        22
                    } else {
                        (x >> 8) as u8
                    });
                }
                if round % 3 == 0 && !v.is_empty() {
                    v[0] = 22;
                }
                d.feed(&v, off, Timestamp(off as i64));
                off += v.len() as u64;
            }
        }
    }
}
