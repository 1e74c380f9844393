//! Tunnel headers between an outer and an inner packet: GRE (RFC 2784 and 2890, RFC 1701
//! source routing, PPTP's enhanced GRE from RFC 2637), the ERSPAN I/II/III mirroring headers
//! GRE carries, and VXLAN (RFC 7348).
//!
//! The caller has already counted the tunnel in its [`Ctx`]; these functions only find where
//! the inner packet starts and hand it back to the parent module.

use super::link::{self, Inner};
use super::{Ctx, Decoded, Skip, ether_type_payload, ethernet, ethertype, ip};

/// GRE flag bits (first 16 bits of the header).
const GRE_CHECKSUM: u16 = 0x8000;
const GRE_ROUTING: u16 = 0x4000;
const GRE_KEY: u16 = 0x2000;
const GRE_SEQUENCE: u16 = 0x1000;
/// Enhanced GRE (version 1) only: acknowledgment number present.
const GRE_ACK: u16 = 0x0080;
const GRE_VERSION: u16 = 0x0007;

/// ERSPAN type II header: version, VLAN, COS, encapsulation, truncated, session id, index.
const ERSPAN_II_LEN: usize = 8;
/// ERSPAN type III header: version, VLAN, COS, BSO, T, session id, timestamp, SGT, P, FT,
/// hardware id, direction, granularity, O.
const ERSPAN_III_LEN: usize = 12;
/// ERSPAN type III optional platform-specific subheader, present when the O bit is set.
const ERSPAN_III_PLATFORM_LEN: usize = 8;
/// ERSPAN type III frame types (FT): mirrored Ethernet frame, or bare IP packet.
const ERSPAN_FT_ETHERNET: u8 = 0;
const ERSPAN_FT_IP: u8 = 2;

/// VXLAN header: flags, reserved, VNI, reserved.
const VXLAN_LEN: usize = 8;
/// VXLAN "I" flag: the VNI is valid. Frames without it are not treated as VXLAN.
const VXLAN_FLAG_VNI: u8 = 0x08;

/// A GRE packet (the IP payload of protocol 47).
pub(super) fn gre(packet: &[u8], ctx: Ctx) -> Result<Decoded<'_>, Skip> {
    let short = ctx.short();
    let [f0, f1, p0, p1, rest @ ..] = packet else {
        return Err(short);
    };
    let flags = u16::from_be_bytes([*f0, *f1]);
    let protocol = u16::from_be_bytes([*p0, *p1]);
    let version = flags & GRE_VERSION;
    let optional = match version {
        0 => {
            let mut len = 0;
            // RFC 1701: checksum and offset share one word, present if either bit is set.
            if flags & (GRE_CHECKSUM | GRE_ROUTING) != 0 {
                len += 4;
            }
            if flags & GRE_KEY != 0 {
                len += 4;
            }
            if flags & GRE_SEQUENCE != 0 {
                len += 4;
            }
            if flags & GRE_ROUTING != 0 {
                len += source_route_len(rest.get(len..).ok_or(short)?, short)?;
            }
            len
        }
        1 => {
            // RFC 2637: key (payload length + call id) always, no checksum or routing.
            if protocol != ethertype::PPP
                || flags & (GRE_CHECKSUM | GRE_ROUTING) != 0
                || flags & GRE_KEY == 0
            {
                return Err(Skip::Malformed);
            }
            let mut len = 4;
            if flags & GRE_SEQUENCE != 0 {
                len += 4;
            }
            if flags & GRE_ACK != 0 {
                len += 4;
            }
            len
        }
        _ => return Err(Skip::Malformed),
    };
    let inner = rest.get(optional..).ok_or(short)?;
    match protocol {
        ethertype::TEB => ethernet(inner, ctx),
        ethertype::ERSPAN_I_II if flags & GRE_SEQUENCE == 0 => ethernet(inner, ctx),
        ethertype::ERSPAN_I_II => ethernet(inner.get(ERSPAN_II_LEN..).ok_or(short)?, ctx),
        ethertype::ERSPAN_III => erspan_iii(inner, ctx),
        ethertype::PPP => {
            // PPTP acknowledgment-only packets carry no PPP frame at all.
            if version == 1 && inner.is_empty() {
                return Err(Skip::NotIp);
            }
            match link::ppp(inner, ctx.cut)? {
                Inner::EtherType(t, p) => ether_type_payload(t, p, ctx),
                Inner::Ethernet(f) => ethernet(f, ctx),
            }
        }
        other => ether_type_payload(other, inner, ctx),
    }
}

/// Length of an RFC 1701 source route: entries of address family (2), SRE offset (1), SRE
/// length (1) and routing information, ended by a NULL entry (family 0, length 0).
fn source_route_len(route: &[u8], short: Skip) -> Result<usize, Skip> {
    let mut len = 0;
    loop {
        let entry = route.get(len..).and_then(|r| r.first_chunk::<4>());
        let Some([af0, af1, _offset, sre_len]) = entry else {
            return Err(short);
        };
        len += 4 + usize::from(*sre_len);
        if *af0 == 0 && *af1 == 0 && *sre_len == 0 {
            return Ok(len);
        }
    }
}

/// ERSPAN type III: 12-byte header, an optional platform subheader, then an Ethernet frame
/// or an IP packet as its frame-type field says.
fn erspan_iii(packet: &[u8], ctx: Ctx) -> Result<Decoded<'_>, Skip> {
    let Some((header, rest)) = packet.split_first_chunk::<ERSPAN_III_LEN>() else {
        return Err(ctx.short());
    };
    let rest = if header[11] & 0x01 != 0 {
        rest.get(ERSPAN_III_PLATFORM_LEN..).ok_or(ctx.short())?
    } else {
        rest
    };
    match (header[10] >> 2) & 0x1f {
        ERSPAN_FT_ETHERNET => ethernet(rest, ctx),
        ERSPAN_FT_IP => ip(rest, ctx),
        _ => Err(Skip::NotIp),
    }
}

/// The payload of a UDP datagram to [`super::VXLAN_PORT`]. `None` when it is not VXLAN after
/// all (too short without being cut, or the VNI flag clear): the caller keeps the datagram.
pub(super) fn vxlan(payload: &[u8], ctx: Ctx) -> Option<Result<Decoded<'_>, Skip>> {
    let Some((header, frame)) = payload.split_first_chunk::<VXLAN_LEN>() else {
        return ctx.truncated.then_some(Err(Skip::TruncatedHeader));
    };
    if header[0] & VXLAN_FLAG_VNI == 0 {
        return None;
    }
    Some(ctx.tunnel().and_then(|inner| ethernet(frame, inner)))
}

/// GTP-U version 1 G-PDU (message type 255): flags, type, length, TEID, then — when any of the
/// E, S or PN flags is set — sequence number, N-PDU number and a chain of extension headers,
/// each `4 × length` bytes with its next-type in the last byte. `None` when it is not a G-PDU.
pub(super) fn gtpu(payload: &[u8], ctx: Ctx) -> Option<Result<Decoded<'_>, Skip>> {
    const GTP_HEADER: usize = 8;
    const G_PDU: u8 = 255;
    let Some((header, mut rest)) = payload.split_first_chunk::<GTP_HEADER>() else {
        return ctx.truncated.then_some(Err(Skip::TruncatedHeader));
    };
    let flags = header[0];
    if flags >> 5 != 1 || flags & 0x10 == 0 || header[1] != G_PDU {
        return None;
    }
    if flags & 0x07 != 0 {
        let Some((opt, after)) = rest.split_first_chunk::<4>() else {
            return Some(Err(ctx.short()));
        };
        rest = after;
        let mut next = opt[3];
        let mut hops = 0;
        while next != 0 {
            hops += 1;
            let Some(&len) = rest.first() else {
                return Some(Err(ctx.short()));
            };
            let ext_len = len as usize * 4;
            if ext_len == 0 || hops > 8 {
                return Some(Err(Skip::Malformed));
            }
            if rest.len() < ext_len {
                return Some(Err(ctx.short()));
            }
            next = rest[ext_len - 1];
            rest = &rest[ext_len..];
        }
    }
    Some(ctx.tunnel().and_then(|inner| ip(rest, inner)))
}
