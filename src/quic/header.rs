//! QUIC packet headers, read from outside the connection.
//!
//! Two layers:
//!
//! - the version-independent invariants (RFC 8999): header form bit, version, and the two
//!   length-prefixed connection IDs of a long header. These hold for every version, so an
//!   unknown version still yields its connection IDs (up to 255 bytes each, as the invariants
//!   allow);
//! - the version-specific long-header formats of RFC 9000 §17.2 (version 1, and the IETF drafts
//!   22–34, Facebook's mvfst and Google's T050/T051 that share it) and RFC 9369 §3.2 (version
//!   2, whose packet-type bits differ): packet type, Initial token, Length, and the offset of
//!   the (still protected) packet number. For these versions connection IDs are at most 20
//!   bytes.
//!
//! A UDP datagram may carry several coalesced long-header packets (RFC 9000 §12.2); each one's
//! Length field says where the next begins, and a short-header packet, a Retry, a Version
//! Negotiation packet or a packet of an unknown version runs to the end of the datagram.
//! [`packets`] walks them.
//!
//! Nothing here decrypts: header protection hides the packet-number length and the packet
//! number, which [`super::protection`] reveals for Initial packets only.

use super::QuicError;
use super::varint::Reader;

/// Version 0 marks a Version Negotiation packet (RFC 9000 §17.2.1).
pub const VERSION_NEGOTIATION: u32 = 0;
/// QUIC version 1 (RFC 9000).
pub const VERSION_1: u32 = 0x0000_0001;
/// QUIC version 2 (RFC 9369 §3.1).
pub const VERSION_2: u32 = 0x6b33_43cf;
/// The provisional codepoint used by the QUIC v2 drafts (RFC 9369 §9). Same packet-type bits
/// as version 2; its Initial salt changed between drafts, so [`super::keys`] has none for it.
pub const VERSION_2_DRAFT: u32 = 0x709a_50c4;
/// Facebook mvfst, based on IETF draft 22.
pub const MVFST_DRAFT_22: u32 = 0xface_b001;
/// Facebook mvfst, based on IETF draft 27.
pub const MVFST_DRAFT_27: u32 = 0xface_b002;
/// Facebook mvfst "experimental", draft-27 wire format.
pub const MVFST_EXPERIMENTAL: u32 = 0xface_b00e;
/// Google QUIC T050 ("T050" in ASCII): TLS 1.3 over IETF-style Initial packets.
pub const GOOGLE_T050: u32 = 0x5430_3530;
/// Google QUIC T051.
pub const GOOGLE_T051: u32 = 0x5430_3531;

/// The version number of IETF draft `n` (0xff0000nn).
pub const fn draft(n: u8) -> u32 {
    0xff00_0000 | n as u32
}

/// First IETF draft whose long header has separate DCID and SCID length bytes (the RFC 8999
/// invariants). Earlier drafts packed both lengths in one byte; they are not parsed.
pub const FIRST_INVARIANT_DRAFT: u8 = 22;
/// Last IETF draft before RFC 9000 (draft 34 = version 1 with a draft number).
pub const LAST_DRAFT: u8 = 34;

/// Longest connection ID in the versions whose format we know (bytes; RFC 9000 §17.2). The
/// invariants allow 255 for other versions.
pub const MAX_CID_LEN: usize = 20;

/// Smallest UDP payload of a datagram carrying a client Initial (bytes): clients must pad
/// their Initial datagrams to at least this (RFC 9000 §14.1). Used only by
/// [`looks_like_quic_initial`], to tell QUIC from other UDP on unusual ports.
pub const MIN_CLIENT_INITIAL_DATAGRAM: usize = 1200;

/// Packets read from one datagram (packets). Real datagrams coalesce at most four (Initial,
/// 0-RTT, Handshake, 1-RTT); the bound stops a crafted datagram of thousands of tiny packets
/// from costing a key derivation or an AEAD attempt each.
pub const MAX_PACKETS_PER_DATAGRAM: usize = 16;

/// Versions kept from one Version Negotiation packet (versions). Real servers list fewer than
/// ten; the rest are counted in [`VersionNegotiation::listed`] only.
pub const MAX_VN_VERSIONS: usize = 64;

/// Length of a Retry packet's integrity tag (bytes; RFC 9001 §5.8).
pub const RETRY_TAG_LEN: usize = 16;

/// Header form bit: 1 = long header.
pub const LONG_HEADER_BIT: u8 = 0x80;
/// The fixed bit, 1 in every version-1/2 packet unless the peer agreed to grease it
/// (RFC 9287).
pub const FIXED_BIT: u8 = 0x40;

/// True for the reserved versions 0x?a?a?a?a that clients send to exercise version
/// negotiation (RFC 9000 §15).
pub fn is_greased_version(version: u32) -> bool {
    version & 0x0f0f_0f0f == 0x0a0a_0a0a
}

/// The long-header type-bit layout of a version whose wire format is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeBits {
    /// RFC 9000 §17.2: Initial 0, 0-RTT 1, Handshake 2, Retry 3 (version 1, the drafts,
    /// mvfst, T050/T051).
    V1,
    /// RFC 9369 §3.2: Retry 0, Initial 1, 0-RTT 2, Handshake 3.
    V2,
}

/// The long-header format of `version`, if it is one we can parse past the invariants.
pub fn type_bits(version: u32) -> Option<TypeBits> {
    match version {
        VERSION_1 | MVFST_DRAFT_22 | MVFST_DRAFT_27 | MVFST_EXPERIMENTAL | GOOGLE_T050
        | GOOGLE_T051 => Some(TypeBits::V1),
        VERSION_2 | VERSION_2_DRAFT => Some(TypeBits::V2),
        v if v >> 8 == 0x00ff_0000 => {
            let n = v as u8;
            (FIRST_INVARIANT_DRAFT..=LAST_DRAFT)
                .contains(&n)
                .then_some(TypeBits::V1)
        }
        _ => None,
    }
}

/// A short, stable label for a version, for logs and records: `"1"`, `"quicv2"`,
/// `"draft-29"`, `"mvfst-27"`, `"T051"`, `"grease-0a1a2a3a"`, `"unknown-ff00000f"`.
pub fn version_label(version: u32) -> String {
    match version {
        VERSION_NEGOTIATION => "version-negotiation".into(),
        VERSION_1 => "1".into(),
        VERSION_2 => "quicv2".into(),
        VERSION_2_DRAFT => "quicv2-draft".into(),
        MVFST_DRAFT_22 => "mvfst-22".into(),
        MVFST_DRAFT_27 => "mvfst-27".into(),
        MVFST_EXPERIMENTAL => "mvfst-exp".into(),
        v if v >> 8 == 0x00ff_0000 => format!("draft-{}", v as u8),
        v if is_greased_version(v) => format!("grease-{v:08x}"),
        v => {
            let b = v.to_be_bytes();
            // Google QUIC: "Q046", "T051", ...
            if (b[0] == b'Q' || b[0] == b'T') && b[1..].iter().all(u8::is_ascii_digit) {
                String::from_utf8_lossy(&b).into_owned()
            } else {
                format!("unknown-{v:08x}")
            }
        }
    }
}

/// Long-header packet types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LongType {
    Initial,
    ZeroRtt,
    Handshake,
    Retry,
}

impl LongType {
    /// Decodes the two type bits (`(first >> 4) & 3`) under a version's layout.
    pub fn from_bits(bits: u8, layout: TypeBits) -> LongType {
        match (layout, bits & 0x03) {
            (TypeBits::V1, 0) | (TypeBits::V2, 1) => LongType::Initial,
            (TypeBits::V1, 1) | (TypeBits::V2, 2) => LongType::ZeroRtt,
            (TypeBits::V1, 2) | (TypeBits::V2, 3) => LongType::Handshake,
            _ => LongType::Retry,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LongType::Initial => "initial",
            LongType::ZeroRtt => "0rtt",
            LongType::Handshake => "handshake",
            LongType::Retry => "retry",
        }
    }
}

/// The invariant part of a long header (RFC 8999 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongHeader<'a> {
    /// The first byte as sent (its low bits are still under header protection).
    pub first: u8,
    pub version: u32,
    pub dcid: &'a [u8],
    pub scid: &'a [u8],
}

impl LongHeader<'_> {
    /// The fixed bit is set (RFC 9000 §17.2). It is clear only when greased (RFC 9287).
    pub fn fixed_bit(&self) -> bool {
        self.first & FIXED_BIT != 0
    }
}

/// An Initial, 0-RTT or Handshake packet: a long header with a Length field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongPacket<'a> {
    pub header: LongHeader<'a>,
    pub ty: LongType,
    /// The Initial token (RFC 9000 §17.2.2); empty for other types.
    pub token: &'a [u8],
    /// Offset of the protected packet number from the start of [`LongPacket::bytes`].
    pub pn_offset: usize,
    /// The whole packet: header, packet number and protected payload, ending where its Length
    /// field says.
    pub bytes: &'a [u8],
}

/// A Retry packet (RFC 9000 §17.2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPacket<'a> {
    pub header: LongHeader<'a>,
    /// The token the client must echo in its next Initial.
    pub token: &'a [u8],
    /// The Retry Integrity Tag (not verified here).
    pub integrity_tag: &'a [u8],
}

/// A Version Negotiation packet (RFC 9000 §17.2.1): the server's supported versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionNegotiation<'a> {
    pub dcid: &'a [u8],
    pub scid: &'a [u8],
    /// The first [`MAX_VN_VERSIONS`] versions listed, in order.
    pub versions: Vec<u32>,
    /// How many versions the packet lists in all (a trailing partial entry is ignored).
    pub listed: usize,
}

/// A short-header (1-RTT) packet. Its DCID length is not on the wire: the receiver knows it
/// from the connection, so the packet is kept whole; see [`parse_short_header`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortPacket<'a> {
    pub first: u8,
    /// The whole packet (it always runs to the end of the datagram).
    pub bytes: &'a [u8],
}

/// The fields of a short header once the DCID length is known (RFC 9000 §17.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortHeader<'a> {
    pub first: u8,
    pub dcid: &'a [u8],
    /// Offset of the protected packet number.
    pub pn_offset: usize,
}

/// One packet of a datagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Packet<'a> {
    /// Initial, 0-RTT or Handshake.
    Long(LongPacket<'a>),
    Retry(RetryPacket<'a>),
    VersionNegotiation(VersionNegotiation<'a>),
    /// A long header of a version whose format past the invariants is unknown; runs to the end
    /// of the datagram.
    UnknownVersion(LongHeader<'a>),
    Short(ShortPacket<'a>),
}

impl Packet<'_> {
    /// The long-header type, if this is a long-header packet of a known version.
    pub fn long_type(&self) -> Option<LongType> {
        match self {
            Packet::Long(p) => Some(p.ty),
            Packet::Retry(_) => Some(LongType::Retry),
            _ => None,
        }
    }

    /// The version field, for long headers.
    pub fn version(&self) -> Option<u32> {
        match self {
            Packet::Long(p) => Some(p.header.version),
            Packet::Retry(p) => Some(p.header.version),
            Packet::VersionNegotiation(_) => Some(VERSION_NEGOTIATION),
            Packet::UnknownVersion(h) => Some(h.version),
            Packet::Short(_) => None,
        }
    }
}

/// Parses the invariant part of a long header: `(header, reader positioned after the SCID)`.
fn parse_invariant(data: &[u8]) -> Result<(LongHeader<'_>, Reader<'_>), QuicError> {
    let mut r = Reader::new(data);
    let first = r.u8().ok_or(QuicError::Truncated)?;
    if first & LONG_HEADER_BIT == 0 {
        return Err(QuicError::NotQuic);
    }
    let version = r.u32().ok_or(QuicError::Truncated)?;
    let dcid_len = r.u8().ok_or(QuicError::Truncated)?;
    let dcid = r.take(dcid_len.into()).ok_or(QuicError::Truncated)?;
    let scid_len = r.u8().ok_or(QuicError::Truncated)?;
    let scid = r.take(scid_len.into()).ok_or(QuicError::Truncated)?;
    Ok((
        LongHeader {
            first,
            version,
            dcid,
            scid,
        },
        r,
    ))
}

/// Parses the version-specific rest of a long header under `layout`.
/// Returns the packet and the bytes after it.
fn parse_long_rest<'a>(
    data: &'a [u8],
    header: LongHeader<'a>,
    mut r: Reader<'a>,
    layout: TypeBits,
) -> Result<(Packet<'a>, &'a [u8]), QuicError> {
    if header.dcid.len() > MAX_CID_LEN || header.scid.len() > MAX_CID_LEN {
        return Err(QuicError::Malformed);
    }
    let ty = LongType::from_bits(header.first >> 4, layout);
    let mut token: &[u8] = &[];
    match ty {
        LongType::Retry => {
            let rest = r.rest();
            if rest.len() < RETRY_TAG_LEN {
                return Err(QuicError::Truncated);
            }
            let (token, integrity_tag) = rest.split_at(rest.len() - RETRY_TAG_LEN);
            let retry = RetryPacket {
                header,
                token,
                integrity_tag,
            };
            return Ok((Packet::Retry(retry), &[]));
        }
        LongType::Initial => {
            let len = r.varint().ok_or(QuicError::Truncated)?;
            token = r.take_u64(len).ok_or(QuicError::Truncated)?;
        }
        LongType::ZeroRtt | LongType::Handshake => {}
    }
    let length = r.varint().ok_or(QuicError::Truncated)?;
    let pn_offset = r.pos();
    r.take_u64(length).ok_or(QuicError::Truncated)?;
    let (bytes, rest) = data.split_at(r.pos());
    let packet = LongPacket {
        header,
        ty,
        token,
        pn_offset,
        bytes,
    };
    Ok((Packet::Long(packet), rest))
}

/// Parses the packet at the start of `data`: the packet and the bytes after it (the next
/// coalesced packet, or empty).
///
/// Errors: [`QuicError::Truncated`] when a field or the Length runs past the end,
/// [`QuicError::Malformed`] for a connection ID over 20 bytes in a known version.
/// A short header is always accepted here (it has no length fields to check).
pub fn parse_packet(data: &[u8]) -> Result<(Packet<'_>, &[u8]), QuicError> {
    let first = *data.first().ok_or(QuicError::Truncated)?;
    if first & LONG_HEADER_BIT == 0 {
        return Ok((Packet::Short(ShortPacket { first, bytes: data }), &[]));
    }
    let (header, r) = parse_invariant(data)?;
    if header.version == VERSION_NEGOTIATION {
        let list = r.rest();
        let listed = list.len() / 4;
        let versions = list
            .chunks_exact(4)
            .take(MAX_VN_VERSIONS)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let vn = VersionNegotiation {
            dcid: header.dcid,
            scid: header.scid,
            versions,
            listed,
        };
        return Ok((Packet::VersionNegotiation(vn), &[]));
    }
    match type_bits(header.version) {
        Some(layout) => parse_long_rest(data, header, r, layout),
        None => Ok((Packet::UnknownVersion(header), &[])),
    }
}

/// Reads a short header whose DCID is `dcid_len` bytes (known from the connection).
pub fn parse_short_header(data: &[u8], dcid_len: usize) -> Result<ShortHeader<'_>, QuicError> {
    let first = *data.first().ok_or(QuicError::Truncated)?;
    if first & LONG_HEADER_BIT != 0 {
        return Err(QuicError::NotQuic);
    }
    let dcid = data
        .get(1..dcid_len.saturating_add(1))
        .ok_or(QuicError::Truncated)?;
    Ok(ShortHeader {
        first,
        dcid,
        pn_offset: 1 + dcid_len,
    })
}

/// Iterator over the coalesced packets of one datagram; see [`packets`].
#[derive(Clone, Debug)]
pub struct Packets<'a> {
    rest: &'a [u8],
    count: usize,
    done: bool,
}

/// Walks the packets of a UDP datagram in order. Yields each packet, or one error and then
/// stops. Zero bytes after the last packet are padding (some stacks pad datagrams that way)
/// and end the walk quietly. A datagram whose first byte has the header-form bit clear is one
/// short-header packet, whatever its fixed bit (peers may grease it, RFC 9287): only the flow
/// can tell whether it is QUIC at all. At most [`MAX_PACKETS_PER_DATAGRAM`] packets are read; a datagram
/// with more yields [`QuicError::TooManyPackets`] after them.
pub fn packets(datagram: &[u8]) -> Packets<'_> {
    Packets {
        rest: datagram,
        count: 0,
        done: false,
    }
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<Packet<'a>, QuicError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.rest.is_empty() {
            return None;
        }
        if self.count > 0 && self.rest.iter().all(|&b| b == 0) {
            self.done = true;
            return None;
        }
        if self.count == MAX_PACKETS_PER_DATAGRAM {
            self.done = true;
            return Some(Err(QuicError::TooManyPackets));
        }
        match parse_packet(self.rest) {
            Ok((packet, rest)) => {
                self.rest = rest;
                self.count += 1;
                Some(Ok(packet))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// A cheap test for "this UDP payload is a client's first QUIC Initial", for finding QUIC on
/// ports other than 443. True when: the datagram is at least [`MIN_CLIENT_INITIAL_DATAGRAM`]
/// bytes; the long-header and fixed bits are set; the version is one whose format we know or
/// a greased one (read with the version-1 layout); the type is Initial; both connection IDs
/// are at most 20 bytes, the DCID at least 1; the token and Length fit in the datagram; and
/// the Length leaves room for a packet number, a header-protection sample and an AEAD tag.
/// No decryption is attempted.
pub fn looks_like_quic_initial(payload: &[u8]) -> bool {
    if payload.len() < MIN_CLIENT_INITIAL_DATAGRAM {
        return false;
    }
    if payload[0] & (LONG_HEADER_BIT | FIXED_BIT) != LONG_HEADER_BIT | FIXED_BIT {
        return false;
    }
    let Ok((header, r)) = parse_invariant(payload) else {
        return false;
    };
    let layout = match type_bits(header.version) {
        Some(layout) => layout,
        None if is_greased_version(header.version) => TypeBits::V1,
        None => return false,
    };
    if header.dcid.is_empty() {
        return false;
    }
    match parse_long_rest(payload, header, r, layout) {
        Ok((Packet::Long(p), _)) => {
            p.ty == LongType::Initial
                && p.bytes.len() - p.pn_offset >= super::protection::MIN_PROTECTED_LEN
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quic::vectors::{self, hex};

    #[test]
    fn rfc9001_client_initial_header() {
        let pkt = hex(vectors::V1_CLIENT_INITIAL);
        let (p, rest) = parse_packet(&pkt).unwrap();
        assert!(rest.is_empty());
        let Packet::Long(p) = p else {
            panic!("not a long packet: {p:?}")
        };
        assert_eq!(p.ty, LongType::Initial);
        assert_eq!(p.header.version, VERSION_1);
        assert_eq!(p.header.dcid, hex(vectors::DCID));
        assert!(p.header.scid.is_empty());
        assert!(p.token.is_empty());
        assert!(p.header.fixed_bit());
        // 1 + 4 + 1 + 8 + 1 + 0 + 1 (token length) + 2 (Length 0x449e).
        assert_eq!(p.pn_offset, 18);
        assert_eq!(p.bytes.len(), 18 + 1182);
    }

    #[test]
    fn rfc9001_server_initial_header() {
        let pkt = hex(vectors::V1_SERVER_INITIAL);
        let (Packet::Long(p), rest) = parse_packet(&pkt).unwrap() else {
            panic!()
        };
        assert!(rest.is_empty());
        assert_eq!(p.ty, LongType::Initial);
        assert!(p.header.dcid.is_empty());
        assert_eq!(p.header.scid, hex("f067a5502a4262b5"));
        assert_eq!(p.pn_offset, 18);
    }

    #[test]
    fn v2_type_bits_differ() {
        let pkt = hex(vectors::V2_CLIENT_INITIAL);
        let (Packet::Long(p), _) = parse_packet(&pkt).unwrap() else {
            panic!()
        };
        assert_eq!(p.header.version, VERSION_2);
        assert_eq!(p.ty, LongType::Initial);
        // The same type bits mean Handshake in v1 and Initial in v2.
        assert_eq!(LongType::from_bits(1, TypeBits::V2), LongType::Initial);
        assert_eq!(LongType::from_bits(1, TypeBits::V1), LongType::ZeroRtt);
        assert_eq!(LongType::from_bits(0, TypeBits::V2), LongType::Retry);
        assert_eq!(LongType::from_bits(3, TypeBits::V1), LongType::Retry);
        assert_eq!(LongType::from_bits(3, TypeBits::V2), LongType::Handshake);
    }

    #[test]
    fn retry_packets_v1_and_v2() {
        for (v, version) in [
            (vectors::V1_RETRY, VERSION_1),
            (vectors::V2_RETRY, VERSION_2),
        ] {
            let pkt = hex(v);
            let (Packet::Retry(r), rest) = parse_packet(&pkt).unwrap() else {
                panic!()
            };
            assert!(rest.is_empty());
            assert_eq!(r.header.version, version);
            assert!(r.header.dcid.is_empty());
            assert_eq!(r.header.scid, hex("f067a5502a4262b5"));
            assert_eq!(r.token, b"token");
            assert_eq!(r.integrity_tag.len(), RETRY_TAG_LEN);
        }
    }

    #[test]
    fn version_negotiation() {
        let mut pkt = vec![0x80 | 0x3a, 0, 0, 0, 0, 2, 0xaa, 0xbb, 1, 0xcc];
        for v in [VERSION_1, VERSION_2, draft(29), 0x1a2a_3a4a] {
            pkt.extend_from_slice(&v.to_be_bytes());
        }
        pkt.push(0x77); // trailing partial entry, ignored
        let (Packet::VersionNegotiation(vn), rest) = parse_packet(&pkt).unwrap() else {
            panic!()
        };
        assert!(rest.is_empty());
        assert_eq!(vn.dcid, &[0xaa, 0xbb]);
        assert_eq!(vn.scid, &[0xcc]);
        assert_eq!(vn.versions, [VERSION_1, VERSION_2, draft(29), 0x1a2a_3a4a]);
        assert_eq!(vn.listed, 4);
        assert!(is_greased_version(0x1a2a_3a4a));

        let mut many = vec![0xc0, 0, 0, 0, 0, 0, 0];
        many.extend(std::iter::repeat_n(1u8, 4 * (MAX_VN_VERSIONS + 5)));
        let (Packet::VersionNegotiation(vn), _) = parse_packet(&many).unwrap() else {
            panic!()
        };
        assert_eq!(vn.versions.len(), MAX_VN_VERSIONS);
        assert_eq!(vn.listed, MAX_VN_VERSIONS + 5);
    }

    #[test]
    fn unknown_version_keeps_invariants_with_long_cids() {
        let mut pkt = vec![0xc0, 0x12, 0x34, 0x56, 0x78, 200];
        pkt.extend(std::iter::repeat_n(7u8, 200));
        pkt.push(0);
        pkt.extend_from_slice(b"whatever follows");
        let (Packet::UnknownVersion(h), rest) = parse_packet(&pkt).unwrap() else {
            panic!()
        };
        assert!(rest.is_empty());
        assert_eq!(h.version, 0x1234_5678);
        assert_eq!(h.dcid.len(), 200);
        assert!(h.scid.is_empty());
        // The same CID length in version 1 is malformed.
        pkt[1..5].copy_from_slice(&VERSION_1.to_be_bytes());
        assert_eq!(parse_packet(&pkt), Err(QuicError::Malformed));
    }

    #[test]
    fn coalesced_initial_handshake_short() {
        let mut dgram = hex(vectors::V1_SERVER_INITIAL);
        let initial_len = dgram.len();
        // A Handshake packet (v1 type 2) with a 3-byte Length and 25 bytes of "payload".
        let mut hs = vec![0xe0, 0, 0, 0, 1, 0, 8];
        hs.extend_from_slice(&hex("f067a5502a4262b5"));
        hs.extend_from_slice(&[0x40, 25]);
        hs.extend(std::iter::repeat_n(0x55u8, 25));
        dgram.extend_from_slice(&hs);
        // A short-header packet to the end.
        dgram.extend_from_slice(&[0x41, 1, 2, 3, 4, 5]);
        let all: Vec<_> = packets(&dgram).collect::<Result<_, _>>().unwrap();
        assert_eq!(all.len(), 3);
        let Packet::Long(a) = &all[0] else { panic!() };
        assert_eq!((a.ty, a.bytes.len()), (LongType::Initial, initial_len));
        let Packet::Long(b) = &all[1] else { panic!() };
        assert_eq!((b.ty, b.bytes.len()), (LongType::Handshake, hs.len()));
        let Packet::Short(c) = &all[2] else { panic!() };
        assert_eq!(c.bytes, &[0x41, 1, 2, 3, 4, 5]);
        let sh = parse_short_header(c.bytes, 4).unwrap();
        assert_eq!(sh.dcid, &[1, 2, 3, 4]);
        assert_eq!(sh.pn_offset, 5);
        assert_eq!(parse_short_header(c.bytes, 9), Err(QuicError::Truncated));
    }

    #[test]
    fn trailing_zero_padding_ends_the_walk() {
        let mut dgram = hex(vectors::V1_SERVER_INITIAL);
        dgram.extend_from_slice(&[0; 300]);
        let all: Vec<_> = packets(&dgram).collect();
        assert_eq!(all.len(), 1);
        assert!(all[0].is_ok());
        // A datagram that starts with a zero byte is one short-header packet (fixed bit
        // greased, or not QUIC: the flow decides).
        let zeros = [0u8; 40];
        assert_eq!(
            packets(&zeros).collect::<Vec<_>>(),
            [Ok(Packet::Short(ShortPacket {
                first: 0,
                bytes: &zeros
            }))]
        );
    }

    #[test]
    fn length_past_end_is_truncated() {
        let pkt = hex(vectors::V1_CLIENT_INITIAL);
        assert_eq!(parse_packet(&pkt[..1199]), Err(QuicError::Truncated));
        for cut in 0..18 {
            assert_eq!(
                parse_packet(&pkt[..cut]),
                Err(QuicError::Truncated),
                "cut {cut}"
            );
        }
    }

    #[test]
    fn too_many_packets() {
        // Minimal Handshake packets: 7-byte header + 1-byte Length 0, repeated.
        let one = [0xe0, 0, 0, 0, 1, 0, 0, 0];
        let dgram: Vec<u8> = one.repeat(MAX_PACKETS_PER_DATAGRAM + 3);
        let all: Vec<_> = packets(&dgram).collect();
        assert_eq!(all.len(), MAX_PACKETS_PER_DATAGRAM + 1);
        assert_eq!(all.last(), Some(&Err(QuicError::TooManyPackets)));
    }

    #[test]
    fn initial_detection() {
        assert!(looks_like_quic_initial(&hex(vectors::V1_CLIENT_INITIAL)));
        assert!(looks_like_quic_initial(&hex(vectors::V2_CLIENT_INITIAL)));
        // Server Initial: too short for a client Initial datagram.
        assert!(!looks_like_quic_initial(&hex(vectors::V1_SERVER_INITIAL)));
        let mut pkt = hex(vectors::V1_CLIENT_INITIAL);
        // Greased version, read with the v1 layout.
        pkt[1..5].copy_from_slice(&0x4a5a_6a7au32.to_be_bytes());
        assert!(looks_like_quic_initial(&pkt));
        // Unknown version.
        pkt[1..5].copy_from_slice(&0x1234_5678u32.to_be_bytes());
        assert!(!looks_like_quic_initial(&pkt));
        // v1 with Handshake type bits.
        let mut pkt = hex(vectors::V1_CLIENT_INITIAL);
        pkt[0] = 0xe0;
        assert!(!looks_like_quic_initial(&pkt));
        // Fixed bit clear.
        pkt[0] = 0x80;
        assert!(!looks_like_quic_initial(&pkt));
        // DTLS or random bytes.
        assert!(!looks_like_quic_initial(&[0x16; 1300]));
        assert!(!looks_like_quic_initial(&[0xff; 1300]));
    }

    #[test]
    fn labels() {
        assert_eq!(version_label(VERSION_1), "1");
        assert_eq!(version_label(VERSION_2), "quicv2");
        assert_eq!(version_label(draft(29)), "draft-29");
        assert_eq!(version_label(MVFST_DRAFT_27), "mvfst-27");
        assert_eq!(version_label(GOOGLE_T051), "T051");
        assert_eq!(version_label(0x5130_3436), "Q046");
        assert_eq!(version_label(0x0a1a_2a3a), "grease-0a1a2a3a");
        assert_eq!(version_label(0x1001_0000), "unknown-10010000");
        assert_eq!(type_bits(draft(21)), None);
        assert_eq!(type_bits(draft(22)), Some(TypeBits::V1));
        assert_eq!(type_bits(draft(34)), Some(TypeBits::V1));
        assert_eq!(type_bits(draft(35)), None);
    }
}
