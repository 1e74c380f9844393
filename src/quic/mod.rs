//! QUIC, seen from outside: from the UDP payloads of a connection's first packets to the TLS
//! ClientHello and ServerHello bytes.
//!
//! QUIC encrypts even its handshake, but the Initial packets that carry the ClientHello and
//! ServerHello are protected with keys anyone can compute: they come from a salt published
//! for each version and the Destination Connection ID of the client's first Initial, which is
//! on the wire (RFC 9001 §5.2, §7). This module computes those keys and nothing else. **No
//! session secret is ever used, and nothing after the Initial packets is decrypted**:
//! Handshake, 0-RTT and 1-RTT packets are only recognised by their headers.
//!
//! The pieces, each a pure function or state machine over byte slices (no I/O, clock, threads
//! or globals), as in `tls/`:
//!
//! - [`header`]: long and short headers (RFC 8999 invariants, RFC 9000 §17, RFC 9369 types),
//!   Version Negotiation and Retry packets, coalesced packets, [`looks_like_quic_initial`];
//! - [`keys`]: Initial secrets and keys per version (which versions: see there);
//! - [`protection`]: header protection, packet numbers, AEAD_AES_128_GCM;
//! - [`frames`]: PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE in a decrypted Initial;
//! - [`crypto`]: CRYPTO reassembly per direction into the handshake byte stream;
//! - here: [`open_initials`], which ties them together for one datagram.
//!
//! Use from a UDP flow (the caller owns the state):
//!
//! ```text
//! client's first datagram:   client_dcid = client_initial_dcid(payload)   (keep it)
//! every datagram, each side: for p in open_initials(payload, &client_dcid, dir) {
//!                                 for (off, data) in p?.crypto { stream[dir].insert(off, &data) }
//!                            }
//!                            stream[dir].contiguous() = TLS handshake messages, no records
//! server Retry:              client_dcid = DCID of the client's next Initial (= Retry SCID)
//! ```
//!
//! The CRYPTO stream holds handshake messages (type, 3-byte length, body) without TLS record
//! headers: the ClientHello body is `stream[4..4 + len]`.

pub mod crypto;
pub mod frames;
pub mod header;
pub mod keys;
pub mod protection;
pub mod varint;

#[cfg(test)]
pub(crate) mod vectors;

pub use crypto::{CryptoCounters, CryptoStream};
pub use frames::{AckFrame, ConnectionClose, FrameStop, FrameSummary};
pub use header::{LongType, Packet, looks_like_quic_initial, packets};
pub use keys::{InitialKeys, Keys, initial_keys};
pub use protection::Opener;

use frames::Frame;
use header::LongPacket;

/// Why a packet (or a datagram) yields nothing. Every variant is a counter name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum QuicError {
    /// Not the QUIC packet expected here (a long header where a short one must be, or the
    /// reverse).
    #[error("not QUIC")]
    NotQuic,
    /// A field or the Length runs past the end of the datagram (e.g. cut by snaplen).
    #[error("truncated QUIC packet")]
    Truncated,
    /// A field breaks its version's rules (a connection ID over 20 bytes, a packet too short
    /// to carry a header-protection sample and a tag).
    #[error("malformed QUIC packet")]
    Malformed,
    /// A version without known Initial keys (see [`keys`]); the value is the version.
    #[error("unsupported QUIC version {0:#010x}")]
    UnsupportedVersion(u32),
    /// The AEAD tag did not verify: wrong connection ID, wrong direction, or corruption.
    #[error("Initial packet decryption failed")]
    DecryptionFailed,
    /// More than [`header::MAX_PACKETS_PER_DATAGRAM`] coalesced packets.
    #[error("too many coalesced QUIC packets")]
    TooManyPackets,
}

impl QuicError {
    /// Number of variants.
    pub const COUNT: usize = 6;

    /// The counter name, snake_case.
    pub const fn as_str(self) -> &'static str {
        match self {
            QuicError::NotQuic => "not_quic",
            QuicError::Truncated => "truncated",
            QuicError::Malformed => "malformed",
            QuicError::UnsupportedVersion(_) => "unsupported_version",
            QuicError::DecryptionFailed => "decryption_failed",
            QuicError::TooManyPackets => "too_many_packets",
        }
    }

    /// A dense index in `0..COUNT`, for counter arrays.
    pub const fn index(self) -> usize {
        match self {
            QuicError::NotQuic => 0,
            QuicError::Truncated => 1,
            QuicError::Malformed => 2,
            QuicError::UnsupportedVersion(_) => 3,
            QuicError::DecryptionFailed => 4,
            QuicError::TooManyPackets => 5,
        }
    }
}

/// Which side sent a datagram, which picks the Initial keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Client,
    Server,
}

/// One decrypted Initial packet, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitialPacket {
    pub version: u32,
    pub dcid: Vec<u8>,
    pub scid: Vec<u8>,
    /// Length of the Initial token (non-zero after a Retry or with a NEW_TOKEN token).
    pub token_len: usize,
    pub pn: u64,
    /// Bytes of this packet in the datagram.
    pub wire_len: usize,
    /// PADDING/PING/ACK/CRYPTO counts and why the frame walk stopped early, if it did.
    pub frames: FrameSummary,
    /// The last ACK frame.
    pub ack: Option<AckFrame>,
    /// CRYPTO frames in packet order: (stream offset, data).
    pub crypto: Vec<(u64, Vec<u8>)>,
    /// The first CONNECTION_CLOSE frame.
    pub close: Option<ConnectionClose>,
}

/// The Destination Connection ID of the first Initial packet in `datagram`: on a client's
/// first datagram, the ID that keys the connection's Initial packets in both directions.
pub fn client_initial_dcid(datagram: &[u8]) -> Option<&[u8]> {
    packets(datagram).find_map(|p| match p {
        Ok(Packet::Long(p)) if p.ty == LongType::Initial => Some(p.header.dcid),
        _ => None,
    })
}

/// Decrypts every Initial packet in one UDP datagram (coalesced packets too) and reads its
/// frames.
///
/// `client_dcid` is the Destination Connection ID of the client's FIRST Initial (it keys
/// both directions; after a Retry, the DCID of the client's first Initial after it).
/// `dir` says who sent the datagram.
///
/// One entry per Initial packet, in order. Other packets (Handshake, 0-RTT, Retry, Version
/// Negotiation, short header) are skipped without an entry: [`packets`] tells them apart. An
/// error that stops the walk of the datagram (truncated, malformed, too many packets) and a
/// long header of a version without Initial keys also get an entry. A datagram that starts
/// with a short header gives no entry: it may be 1-RTT data (even with a greased fixed bit)
/// or not QUIC at all, which only the flow can tell ([`looks_like_quic_initial`] helps).
///
/// Packet numbers are decoded as if no earlier packet had been seen, i.e. as the encoded
/// value itself. That is exact while the full number fits in its encoded length, which holds
/// for the first packets of a space (senders start at 0, or a small random value, and encode
/// enough bytes); use [`open_initial_packet`] with the largest number seen to go further.
pub fn open_initials(
    datagram: &[u8],
    client_dcid: &[u8],
    dir: Direction,
) -> Vec<Result<InitialPacket, QuicError>> {
    let mut out = Vec::new();
    for item in packets(datagram) {
        let packet = match item {
            Ok(Packet::Long(p)) if p.ty == LongType::Initial => p,
            Ok(Packet::UnknownVersion(h)) => {
                out.push(Err(QuicError::UnsupportedVersion(h.version)));
                continue;
            }
            Ok(_) => continue,
            Err(e) => {
                out.push(Err(e));
                continue;
            }
        };
        let version = packet.header.version;
        let opened = OPENERS.with(|c| {
            c.borrow_mut()
                .opener(version, client_dcid, dir)
                .map(|o| open_initial_packet(&packet, o, None))
        });
        out.push(opened.unwrap_or(Err(QuicError::UnsupportedVersion(version))));
    }
    out
}

/// Initial openers kept per analysis thread (entries): a connection's datagrams come close
/// together and all use the same one or two, so deriving them (HKDF, AES key schedules) once
/// per connection instead of once per datagram costs only this fixed amount of memory.
pub const OPENER_CACHE_ENTRIES: usize = 64;

thread_local! {
    static OPENERS: std::cell::RefCell<OpenerCache> = std::cell::RefCell::new(OpenerCache::default());
}

/// Openers by (version, client DCID, direction); the oldest is replaced when full.
#[derive(Default)]
struct OpenerCache {
    entries: Vec<(u32, Vec<u8>, Direction, Opener)>,
    next: usize,
}

impl OpenerCache {
    fn opener(&mut self, version: u32, client_dcid: &[u8], dir: Direction) -> Option<&Opener> {
        if let Some(i) = self
            .entries
            .iter()
            .position(|(v, d, w, _)| *v == version && *w == dir && d.as_slice() == client_dcid)
        {
            return Some(&self.entries[i].3);
        }
        let k = initial_keys(version, client_dcid)?;
        let keys = match dir {
            Direction::Client => k.client,
            Direction::Server => k.server,
        };
        let entry = (version, client_dcid.to_vec(), dir, Opener::new(&keys));
        let i = if self.entries.len() < OPENER_CACHE_ENTRIES {
            self.entries.push(entry);
            self.entries.len() - 1
        } else {
            let i = self.next;
            self.entries[i] = entry;
            self.next = (i + 1) % OPENER_CACHE_ENTRIES;
            i
        };
        Some(&self.entries[i].3)
    }
}

/// Decrypts one Initial packet (from [`packets`]) with `opener` and reads its frames.
/// `largest_pn`: the largest packet number already opened in this direction's Initial space.
pub fn open_initial_packet(
    packet: &LongPacket<'_>,
    opener: &Opener,
    largest_pn: Option<u64>,
) -> Result<InitialPacket, QuicError> {
    let opened = opener.open(packet.bytes, packet.pn_offset, largest_pn)?;
    let mut out = InitialPacket {
        version: packet.header.version,
        dcid: packet.header.dcid.to_vec(),
        scid: packet.header.scid.to_vec(),
        token_len: packet.token.len(),
        pn: opened.pn,
        wire_len: packet.bytes.len(),
        frames: FrameSummary::default(),
        ack: None,
        crypto: Vec::new(),
        close: None,
    };
    let dialect = frames::dialect(packet.header.version);
    for frame in frames::frames_with(&opened.payload, dialect) {
        match frame {
            Ok(Frame::Padding(n)) => out.frames.padding += n,
            Ok(Frame::Ping) => out.frames.ping += 1,
            Ok(Frame::Ack(a)) => {
                out.frames.ack += 1;
                out.ack = Some(a);
            }
            Ok(Frame::Crypto { offset, data }) => {
                out.frames.crypto += 1;
                out.crypto.push((offset, data.to_vec()));
            }
            Ok(Frame::ConnectionClose(c)) => {
                out.close.get_or_insert(c);
            }
            Err(stop) => out.frames.stop = Some(stop),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quic::header::{VERSION_1, VERSION_2};
    use crate::quic::vectors::{self, DCID, hex};
    use crate::tls::hello::parse_client_hello;

    /// The handshake message at the start of a CRYPTO stream: (type, body).
    fn first_message(stream: &[u8]) -> (u8, &[u8]) {
        let len = u32::from_be_bytes([0, stream[1], stream[2], stream[3]]) as usize;
        (stream[0], &stream[4..4 + len])
    }

    #[test]
    fn rfc9001_client_initial_to_client_hello() {
        let dgram = hex(vectors::V1_CLIENT_INITIAL);
        let dcid = client_initial_dcid(&dgram).unwrap().to_vec();
        assert_eq!(dcid, hex(DCID));
        let got = open_initials(&dgram, &dcid, Direction::Client);
        assert_eq!(got.len(), 1);
        let p = got[0].as_ref().unwrap();
        assert_eq!((p.version, p.pn, p.wire_len), (VERSION_1, 2, 1200));
        assert_eq!(p.dcid, dcid);
        assert!(p.scid.is_empty());
        assert_eq!(p.frames.crypto, 1);
        assert_eq!(p.frames.padding, 1162 - 245);
        assert_eq!(p.frames.stop, None);
        assert_eq!(p.crypto.len(), 1);
        assert_eq!(p.crypto[0].0, 0);
        // The frame is 06 00 40f1, then the ClientHello: 01 0000ed 0303 ebf8fa56f129...
        let data = &p.crypto[0].1;
        assert_eq!(data.len(), 0xf1);
        assert_eq!(&data[..12], &hex("010000ed0303ebf8fa56f129")[..]);
        let mut stream = CryptoStream::new();
        stream.insert(p.crypto[0].0, data);
        let (ty, body) = first_message(stream.contiguous());
        assert_eq!(ty, 1);
        let ch = parse_client_hello(body).unwrap();
        assert_eq!(ch.sni.as_deref(), Some("example.com"));
    }

    #[test]
    fn cached_openers_give_the_same_packets_and_stay_bounded() {
        let dgram = hex(vectors::V1_CLIENT_INITIAL);
        let dcid = hex(DCID);
        let first = format!("{:?}", open_initials(&dgram, &dcid, Direction::Client));
        // Fill the cache with other connections, then open the same datagram again.
        for i in 0..(OPENER_CACHE_ENTRIES as u32 * 2 + 3) {
            let other = i.to_be_bytes();
            let got = open_initials(&dgram, &other, Direction::Client);
            assert!(got[0].is_err(), "wrong keys must not open it");
            OPENERS.with(|c| assert!(c.borrow().entries.len() <= OPENER_CACHE_ENTRIES));
        }
        assert_eq!(
            format!("{:?}", open_initials(&dgram, &dcid, Direction::Client)),
            first
        );
        // A hit: the same result again without deriving.
        assert_eq!(
            format!("{:?}", open_initials(&dgram, &dcid, Direction::Client)),
            first
        );
    }

    #[test]
    fn rfc9001_server_initial_to_server_hello() {
        let dgram = hex(vectors::V1_SERVER_INITIAL);
        let got = open_initials(&dgram, &hex(DCID), Direction::Server);
        let p = got[0].as_ref().unwrap();
        assert_eq!(p.pn, 1);
        assert_eq!(p.scid, hex("f067a5502a4262b5"));
        assert_eq!(p.frames.ack, 1);
        assert_eq!(p.ack.unwrap().largest, 0);
        let (ty, body) = first_message(&p.crypto[0].1);
        assert_eq!(ty, 2);
        let sh = crate::tls::hello::parse_server_hello(body).unwrap();
        assert_eq!(sh.version(), 0x0304);
        assert_eq!(sh.cipher, 0x1301);
    }

    #[test]
    fn rfc9369_v2_both_directions() {
        let c = open_initials(
            &hex(vectors::V2_CLIENT_INITIAL),
            &hex(DCID),
            Direction::Client,
        );
        let p = c[0].as_ref().unwrap();
        assert_eq!((p.version, p.pn), (VERSION_2, 2));
        let (_, body) = first_message(&p.crypto[0].1);
        assert_eq!(
            parse_client_hello(body).unwrap().sni.as_deref(),
            Some("example.com")
        );
        let s = open_initials(
            &hex(vectors::V2_SERVER_INITIAL),
            &hex(DCID),
            Direction::Server,
        );
        assert_eq!(s[0].as_ref().unwrap().crypto[0].1[0], 2);
    }

    #[test]
    fn wrong_keys_are_decryption_failures() {
        let dgram = hex(vectors::V1_CLIENT_INITIAL);
        assert_eq!(
            open_initials(&dgram, &hex(DCID), Direction::Server),
            [Err(QuicError::DecryptionFailed)]
        );
        assert_eq!(
            open_initials(&dgram, b"other id", Direction::Client),
            [Err(QuicError::DecryptionFailed)]
        );
    }

    #[test]
    fn coalesced_initial_handshake_and_padding() {
        // Server datagram: Initial + Handshake (not decrypted) + zero padding.
        let mut dgram = hex(vectors::V1_SERVER_INITIAL);
        let mut hs = vec![0xe0, 0, 0, 0, 1, 0, 8];
        hs.extend_from_slice(&hex("f067a5502a4262b5"));
        hs.extend_from_slice(&[0x40, 30]);
        hs.extend(std::iter::repeat_n(0x5au8, 30));
        dgram.extend_from_slice(&hs);
        dgram.extend_from_slice(&[0; 200]);
        let got = open_initials(&dgram, &hex(DCID), Direction::Server);
        assert_eq!(got.len(), 1);
        assert!(got[0].is_ok());
        let kinds: Vec<_> = packets(&dgram)
            .map(|p| p.unwrap().long_type().unwrap())
            .collect();
        assert_eq!(kinds, [LongType::Initial, LongType::Handshake]);

        // Two client Initials in one datagram (a split ClientHello): both decrypt.
        let one = hex(vectors::V1_CLIENT_INITIAL);
        let two = [one.clone(), one].concat();
        let got = open_initials(&two, &hex(DCID), Direction::Client);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(Result::is_ok));
    }

    #[test]
    fn errors_get_entries() {
        // A first byte without the long-header bit is a short-header packet: no Initials.
        assert_eq!(
            open_initials(b"\x16\x03\x01\x00", b"x", Direction::Client),
            []
        );
        // A long header cut inside its connection IDs.
        assert_eq!(
            open_initials(&[0xc0, 0, 0, 0, 1, 20, 1, 2], b"x", Direction::Client),
            [Err(QuicError::Truncated)]
        );
        assert_eq!(open_initials(&[], b"x", Direction::Client), []);
        let mut unknown = hex(vectors::V1_CLIENT_INITIAL);
        unknown[1..5].copy_from_slice(&0x5130_3530u32.to_be_bytes()); // Q050
        assert_eq!(
            open_initials(&unknown, &hex(DCID), Direction::Client),
            [Err(QuicError::UnsupportedVersion(0x5130_3530))]
        );
        let mut v2draft = hex(vectors::V2_CLIENT_INITIAL);
        v2draft[1..5].copy_from_slice(&header::VERSION_2_DRAFT.to_be_bytes());
        assert_eq!(
            open_initials(&v2draft, &hex(DCID), Direction::Client),
            [Err(QuicError::UnsupportedVersion(header::VERSION_2_DRAFT))]
        );
        let cut = hex(vectors::V1_CLIENT_INITIAL);
        assert_eq!(
            open_initials(&cut[..1000], &hex(DCID), Direction::Client),
            [Err(QuicError::Truncated)]
        );
    }

    #[test]
    fn error_names_and_indexes_are_dense() {
        let all = [
            QuicError::NotQuic,
            QuicError::Truncated,
            QuicError::Malformed,
            QuicError::UnsupportedVersion(7),
            QuicError::DecryptionFailed,
            QuicError::TooManyPackets,
        ];
        assert_eq!(all.len(), QuicError::COUNT);
        for (i, e) in all.iter().enumerate() {
            assert_eq!(e.index(), i);
            assert!(!e.as_str().is_empty());
        }
    }

    /// An unprotected v1 Initial header with a 2-byte packet number and a 2-byte Length for
    /// `payload_len` bytes of frames: `(header, pn_offset)`.
    fn initial_header(dcid: &[u8], scid: &[u8], pn: u16, payload_len: usize) -> (Vec<u8>, usize) {
        let mut h = vec![0xc1];
        h.extend_from_slice(&VERSION_1.to_be_bytes());
        h.push(dcid.len() as u8);
        h.extend_from_slice(dcid);
        h.push(scid.len() as u8);
        h.extend_from_slice(scid);
        h.push(0); // no token
        let length = 2 + payload_len + protection::TAG_LEN;
        h.extend_from_slice(&(0x4000 | length as u16).to_be_bytes());
        let pn_offset = h.len();
        h.extend_from_slice(&pn.to_be_bytes());
        (h, pn_offset)
    }

    /// A CRYPTO frame (offset and length as 4-byte varints).
    fn crypto_frame(offset: usize, data: &[u8]) -> Vec<u8> {
        let mut f = vec![0x06];
        f.extend_from_slice(&(0x8000_0000 | offset as u32).to_be_bytes());
        f.extend_from_slice(&(0x8000_0000 | data.len() as u32).to_be_bytes());
        f.extend_from_slice(data);
        f
    }

    fn seal(keys: &Keys, dcid: &[u8], scid: &[u8], pn: u16, payload: &[u8]) -> Vec<u8> {
        let (h, pn_offset) = initial_header(dcid, scid, pn, payload.len());
        protection::protect(keys, &h, pn_offset, payload)
    }

    #[test]
    fn client_hello_split_over_initials_out_of_order_with_overlap() {
        // The RFC ClientHello message, cut into three CRYPTO frames over two packets sent in
        // reverse order; the second packet repeats part of the first (a retransmission), and
        // the client has already switched to the server's connection ID (keys stay put).
        let ch = &hex(vectors::CLIENT_CRYPTO_FRAME)[4..];
        let original = b"\x11\x22\x33\x44\x55\x66\x77\x88";
        let server_cid = b"srv-cid";
        let keys = initial_keys(VERSION_1, original).unwrap();
        let mut p1 = [
            crypto_frame(0, &ch[..100]),
            crypto_frame(100, &ch[100..150]),
        ]
        .concat();
        p1.resize(1100, 0);
        let mut p2 = [vec![0x01], crypto_frame(140, &ch[140..])].concat();
        p2.resize(1100, 0);
        let d1 = seal(&keys.client, original, b"", 0, &p1);
        let d2 = seal(&keys.client, server_cid, b"", 1, &p2);

        let mut stream = CryptoStream::new();
        let mut packets_opened = 0;
        for d in [&d2, &d1] {
            for p in open_initials(d, original, Direction::Client) {
                let p = p.unwrap();
                packets_opened += 1;
                for (off, data) in &p.crypto {
                    stream.insert(*off, data);
                }
            }
        }
        assert_eq!(packets_opened, 2);
        assert_eq!(stream.contiguous(), ch);
        assert_eq!(stream.counters().duplicate_bytes, 10);
        assert_eq!(stream.counters().conflict_bytes, 0);
        let (_, body) = first_message(stream.contiguous());
        assert_eq!(
            parse_client_hello(body).unwrap().sni.as_deref(),
            Some("example.com")
        );

        // The same two packets coalesced in one datagram.
        let both = [d1, d2].concat();
        let got = open_initials(&both, original, Direction::Client);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].as_ref().unwrap().pn, 0);
        assert_eq!(got[1].as_ref().unwrap().pn, 1);
        assert_eq!(got[1].as_ref().unwrap().frames.ping, 1);
    }

    #[test]
    fn server_initial_close_carries_the_tls_alert() {
        let dcid = b"\x01\x02\x03\x04\x05\x06\x07\x08";
        let keys = initial_keys(VERSION_1, dcid).unwrap();
        // ACK of packet 0, then CONNECTION_CLOSE: CRYPTO_ERROR 0x0128 (handshake_failure),
        // triggered by a CRYPTO frame (0x06), reason "no".
        let payload = hex("02 00 00 00 00   1c 4128 06 02 6e6f   0000000000000000000000");
        let d = seal(&keys.server, b"", b"server", 0, &payload);
        let got = open_initials(&d, dcid, Direction::Server);
        let p = got[0].as_ref().unwrap();
        let close = p.close.as_ref().unwrap();
        assert_eq!(close.tls_alert(), Some(40));
        assert_eq!(close.reason, b"no");
        assert_eq!(p.frames.ack, 1);
        assert_eq!(p.frames.padding, 11);
        assert_eq!(p.frames.stop, None);
    }

    #[test]
    fn unexpected_frame_is_reported_not_fatal() {
        let dcid = b"\x01\x02\x03\x04\x05\x06\x07\x08";
        let keys = initial_keys(VERSION_1, dcid).unwrap();
        // CRYPTO, then a STREAM frame (not allowed in Initial), then more bytes.
        let mut payload = [crypto_frame(0, b"\x01\x00\x00\x00"), vec![0x08, 0, 1, 0xaa]].concat();
        payload.resize(40, 0);
        let d = seal(&keys.client, dcid, b"", 0, &payload);
        let got = open_initials(&d, dcid, Direction::Client);
        let p = got[0].as_ref().unwrap();
        assert_eq!(p.crypto, [(0, vec![1, 0, 0, 0])]);
        assert_eq!(p.frames.stop, Some(FrameStop::Unexpected(8)));
    }

    /// xorshift64*: deterministic noise without a dependency.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn every_prefix_of_the_vectors_is_handled() {
        let dcid = hex(DCID);
        for (v, dir) in [
            (vectors::V1_CLIENT_INITIAL, Direction::Client),
            (vectors::V1_SERVER_INITIAL, Direction::Server),
            (vectors::V2_CLIENT_INITIAL, Direction::Client),
            (vectors::V1_RETRY, Direction::Server),
        ] {
            let full = hex(v);
            for cut in 0..full.len() {
                let got = open_initials(&full[..cut], &dcid, dir);
                assert!(got.iter().all(Result::is_err), "prefix {cut} decrypted");
                let _ = looks_like_quic_initial(&full[..cut]);
                let _ = client_initial_dcid(&full[..cut]);
            }
        }
    }

    #[test]
    fn random_datagrams_never_panic() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let base = hex(vectors::V1_CLIENT_INITIAL);
        let dcid = hex(DCID);
        for i in 0..10_000 {
            let len = (rng.next() % 1500) as usize;
            let mut d: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            // Make most of them look like long headers of known versions, so the deeper
            // paths run too.
            if i % 4 != 0 && len > 6 {
                let versions = [VERSION_1, VERSION_2, header::draft(29), 0xface_b002];
                d[0] |= 0xc0;
                let v = versions[(rng.next() % 4) as usize];
                d[1..5].copy_from_slice(&v.to_be_bytes());
                d[5] = (rng.next() % 24) as u8;
            }
            // And some are the vector with a few bytes flipped.
            if i % 10 == 0 {
                d = base.clone();
                for _ in 0..(1 + rng.next() % 4) {
                    let at = (rng.next() % d.len() as u64) as usize;
                    d[at] ^= 1 << (rng.next() % 8);
                }
            }
            for dir in [Direction::Client, Direction::Server] {
                for p in open_initials(&d, &dcid, dir).into_iter().flatten() {
                    let mut s = CryptoStream::new();
                    for (off, data) in &p.crypto {
                        s.insert(*off, data);
                    }
                }
            }
            let _ = looks_like_quic_initial(&d);
            for p in packets(&d).flatten() {
                if let Packet::Short(s) = p {
                    let _ = header::parse_short_header(s.bytes, (rng.next() % 30) as usize);
                }
            }
            let _ = frames::frames(&d).count();
            let _ = frames::frames_with(&d, frames::Dialect::Google).count();
        }
    }
}
