//! Frame decoding: one captured frame → a borrowed view of one TCP or UDP segment.
//!
//! [`decode`] walks link layer → IP → TCP/UDP and returns a [`Decoded`] that borrows the
//! payload from the frame, or the [`Skip`] reason that names the stats counter to bump.
//!
//! What this module may do: read the bytes it is given. What it may not do: allocate, format,
//! perform I/O, read a clock or any global state, keep state between frames, or panic on any
//! input. It runs on the capture thread at millions of frames per second.
//!
//! # Layers
//!
//! - Link: Ethernet II (802.1Q, 802.1ad/QinQ, up to [`MAX_VLAN_TAGS`] tags), Linux cooked v1
//!   and v2, BSD loopback NULL/LOOP (either byte order), raw IP (101, 12, 14, 228, 229), PPP
//!   (bare or HDLC-framed), Cisco HDLC, PPPoE sessions, MPLS label stacks. See [`link`].
//! - Network: IPv4 (options, AH) and IPv6 (extension headers), sliced laxly by etherparse so
//!   that a frame cut by the snaplen still yields its headers and the captured payload.
//! - Tunnels (each one sets [`Decoded::tunnelled`]; more than [`MAX_TUNNEL_DEPTH`] nested is
//!   [`Skip::TunnelTooDeep`]): IPv4/IPv6 in IPv4/IPv6 (IP protocols 4 and 41), GRE (RFC 2784,
//!   2890, 1701 routing, PPTP's enhanced GRE) carrying IP, Ethernet (0x6558), PPP or ERSPAN
//!   I/II/III, VXLAN on UDP port [`VXLAN_PORT`], and GTP-U G-PDUs on UDP port [`GTPU_PORT`]. The innermost TCP/UDP header wins.
//! - Transport: TCP and UDP. TCP MSS and window-scale options are read from SYN segments only
//!   (RFC 9293 and RFC 7323 give them no meaning elsewhere); the scale is reported as sent,
//!   not clamped to 14.
//!
//! # Deliberately not done
//!
//! - Checksums are never verified: capture points with checksum offload record wrong ones.
//! - IP fragments are not reassembled; every fragment, including the first, is
//!   [`Skip::IpFragment`]. TLS and QUIC handshakes are rarely fragmented.
//! - Geneve, MACsec, 802.11/radiotap and MPLS pseudowires are not decoded (counted, skipped).
//!
//! # Truncated versus malformed
//!
//! A header that does not fit in the bytes at hand is [`Skip::TruncatedHeader`] when the
//! capture may have cut it (the end of the frame, or an IP header that declared more than was
//! captured) and [`Skip::Malformed`] when an enclosing length field says the bytes are all
//! there. A payload cut by the snaplen is not a skip: it is delivered with
//! [`Decoded::payload_truncated`] set.

use std::net::IpAddr;

use etherparse::err::{ip::LaxHeaderSliceError, ipv6_exts, tcp};
use etherparse::{Ethernet2Slice, LaxIpSlice, LenSource, SingleVlanSlice, TcpSlice, UdpSlice};
use etherparse::{IpNumber, ip_number};

pub mod link;
mod tunnel;

#[cfg(test)]
mod tests;

/// BSD loopback, address family in the capturing host's byte order.
pub const LINKTYPE_NULL: u32 = 0;
/// Ethernet II (and 802.3, which is skipped as not IP).
pub const LINKTYPE_ETHERNET: u32 = 1;
/// PPP, bare or in HDLC-like framing (RFC 1661/1662).
pub const LINKTYPE_PPP: u32 = 9;
/// DLT_RAW as most systems number it (12) — OpenBSD's DLT_LOOP, recognised by its header.
pub const LINKTYPE_RAW_DLT12: u32 = 12;
/// DLT_RAW as OpenBSD numbers it.
pub const LINKTYPE_RAW_DLT14: u32 = 14;
/// PPP in HDLC-like framing, or Cisco HDLC.
pub const LINKTYPE_PPP_HDLC: u32 = 50;
/// PPPoE session frames without the Ethernet header.
pub const LINKTYPE_PPP_ETHER: u32 = 51;
/// Raw IPv4 or IPv6, by version nibble.
pub const LINKTYPE_RAW: u32 = 101;
/// Cisco HDLC.
pub const LINKTYPE_C_HDLC: u32 = 104;
/// OpenBSD loopback, address family in network byte order.
pub const LINKTYPE_LOOP: u32 = 108;
/// Linux cooked capture v1 (`any` device, tun, ...).
pub const LINKTYPE_LINUX_SLL: u32 = 113;
/// Raw IPv4 only.
pub const LINKTYPE_IPV4: u32 = 228;
/// Raw IPv6 only.
pub const LINKTYPE_IPV6: u32 = 229;
/// Linux cooked capture v2.
pub const LINKTYPE_LINUX_SLL2: u32 = 276;

/// Every link type [`decode`] understands; any other is [`Skip::UnsupportedLinkType`].
pub const SUPPORTED_LINKTYPES: [u32; 14] = [
    LINKTYPE_NULL,
    LINKTYPE_ETHERNET,
    LINKTYPE_PPP,
    LINKTYPE_RAW_DLT12,
    LINKTYPE_RAW_DLT14,
    LINKTYPE_PPP_HDLC,
    LINKTYPE_PPP_ETHER,
    LINKTYPE_RAW,
    LINKTYPE_C_HDLC,
    LINKTYPE_LOOP,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_IPV4,
    LINKTYPE_IPV6,
    LINKTYPE_LINUX_SLL2,
];

/// Whether [`decode`] understands frames of this link type (e.g. to warn once per interface).
pub fn is_supported_linktype(linktype: u32) -> bool {
    SUPPORTED_LINKTYPES.contains(&linktype)
}

/// Tunnel headers unwrapped before giving up with [`Skip::TunnelTooDeep`]. Real deployments
/// nest two or three (VXLAN over GRE over IPsec-less IP-in-IP); the bound keeps crafted
/// frames from recursing.
pub const MAX_TUNNEL_DEPTH: u8 = 4;
/// 802.1Q/802.1ad tags followed in one Ethernet frame; QinQ uses two, some carriers three.
/// More is [`Skip::Malformed`].
pub const MAX_VLAN_TAGS: usize = 4;
/// MPLS labels followed before the bottom of stack; more is [`Skip::Malformed`].
pub const MAX_MPLS_LABELS: usize = 8;
/// IANA VXLAN port (RFC 7348); a UDP datagram to it with the VNI flag set is unwrapped.
pub const VXLAN_PORT: u16 = 4789;
/// GTP-U port (3GPP TS 29.281); G-PDUs on it carry the subscriber's IP packets (mobile cores).
pub const GTPU_PORT: u16 = 2152;

/// EtherTypes (and GRE protocol types, which share the registry) this module follows.
mod ethertype {
    pub(super) const IPV4: u16 = 0x0800;
    pub(super) const IPV6: u16 = 0x86dd;
    pub(super) const VLAN: u16 = 0x8100;
    pub(super) const QINQ: u16 = 0x88a8;
    /// Pre-802.1ad QinQ tag still emitted by some switches.
    pub(super) const QINQ_OLD: u16 = 0x9100;
    pub(super) const PPPOE_SESSION: u16 = 0x8864;
    pub(super) const MPLS_UNICAST: u16 = 0x8847;
    pub(super) const MPLS_MULTICAST: u16 = 0x8848;
    /// Transparent Ethernet bridging: GRE carrying a whole Ethernet frame.
    pub(super) const TEB: u16 = 0x6558;
    /// ERSPAN type I (no ERSPAN header) and type II (8-byte header), in GRE.
    pub(super) const ERSPAN_I_II: u16 = 0x88be;
    /// ERSPAN type III (12-byte header, optional 8-byte platform subheader), in GRE.
    pub(super) const ERSPAN_III: u16 = 0x22eb;
    /// PPP, in PPTP's enhanced GRE.
    pub(super) const PPP: u16 = 0x880b;
}

/// Transport protocol of a [`Decoded`] segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// IP protocol 6.
    Tcp,
    /// IP protocol 17.
    Udp,
}

/// TCP header flag bits, as in byte 13 of the header.
pub mod tcp_flags {
    /// No more data from sender.
    pub const FIN: u8 = 0x01;
    /// Synchronize sequence numbers.
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// Push.
    pub const PSH: u8 = 0x08;
    /// The acknowledgment field is significant.
    pub const ACK: u8 = 0x10;
    /// The urgent pointer is significant.
    pub const URG: u8 = 0x20;
    /// ECN echo.
    pub const ECE: u8 = 0x40;
    /// Congestion window reduced.
    pub const CWR: u8 = 0x80;
}

/// The TCP header fields flow tracking needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpMeta {
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number (meaningful only with [`tcp_flags::ACK`]).
    pub ack: u32,
    /// [`tcp_flags`] bits.
    pub flags: u8,
    /// Raw window field, unscaled.
    pub window: u16,
    /// MSS option of a SYN segment; `None` on other segments.
    pub mss: Option<u16>,
    /// Window-scale shift of a SYN segment, as sent; `None` on other segments.
    pub wscale: Option<u8>,
}

/// One TCP or UDP segment, borrowing its payload from the captured frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// Source address of the innermost IP header.
    pub src: IpAddr,
    /// Destination address of the innermost IP header.
    pub dst: IpAddr,
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// TCP or UDP.
    pub transport: Transport,
    /// All zero for UDP.
    pub tcp: TcpMeta,
    /// IPv4 TTL or IPv6 hop limit of the innermost IP header.
    pub ttl: u8,
    /// IPv4 identification of the innermost IP header; 0 for IPv6.
    pub ip_id: u16,
    /// Captured transport payload: shorter than declared when the frame was cut by snaplen,
    /// and without Ethernet padding.
    pub payload: &'a [u8],
    /// An IP header declared more payload than was captured.
    pub payload_truncated: bool,
    /// Decoded from inside IP-in-IP, 6in4, 4in6, GRE or VXLAN.
    pub tunnelled: bool,
}

/// Why a frame yields no segment. Every variant is a named stats counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Skip {
    /// The capture's link type is not one of [`SUPPORTED_LINKTYPES`].
    #[error("unsupported link type")]
    UnsupportedLinkType,
    /// ARP, LLDP, 802.3/LLC, PPP control, ... — no IP inside.
    #[error("not IP")]
    NotIp,
    /// An IPv4 or IPv6 fragment (first or later); fragments are not reassembled.
    #[error("IP fragment")]
    IpFragment,
    /// IP carrying neither TCP, UDP nor a known tunnel (ICMP, ESP, OSPF, ...).
    #[error("neither TCP nor UDP")]
    NotTcpUdp,
    /// A header was cut off by the end of the capture (snaplen).
    #[error("truncated header")]
    TruncatedHeader,
    /// A header contradicts itself or its enclosing length fields.
    #[error("malformed header")]
    Malformed,
    /// More than [`MAX_TUNNEL_DEPTH`] nested tunnels.
    #[error("tunnels nested too deep")]
    TunnelTooDeep,
}

impl Skip {
    /// Number of variants.
    pub const COUNT: usize = 7;

    /// Every variant, in [`Skip::index`] order.
    pub const ALL: [Skip; Skip::COUNT] = [
        Skip::UnsupportedLinkType,
        Skip::NotIp,
        Skip::IpFragment,
        Skip::NotTcpUdp,
        Skip::TruncatedHeader,
        Skip::Malformed,
        Skip::TunnelTooDeep,
    ];

    /// The counter name, snake_case.
    pub const fn as_str(self) -> &'static str {
        match self {
            Skip::UnsupportedLinkType => "unsupported_link_type",
            Skip::NotIp => "not_ip",
            Skip::IpFragment => "ip_fragment",
            Skip::NotTcpUdp => "not_tcp_udp",
            Skip::TruncatedHeader => "truncated_header",
            Skip::Malformed => "malformed",
            Skip::TunnelTooDeep => "tunnel_too_deep",
        }
    }

    /// Position in [`Skip::ALL`], for counter arrays indexed by reason.
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Decode one captured frame of link type `linktype` (a libpcap `LINKTYPE_` value) into the
/// innermost TCP or UDP segment it carries.
pub fn decode(linktype: u32, frame: &[u8]) -> Result<Decoded<'_>, Skip> {
    match link::strip(linktype, frame)? {
        link::Inner::Ethernet(frame) => ethernet(frame, Ctx::FRAME),
        link::Inner::EtherType(ether_type, payload) => {
            ether_type_payload(ether_type, payload, Ctx::FRAME)
        }
    }
}

/// Where in the frame the parser stands.
#[derive(Clone, Copy, Debug)]
struct Ctx {
    /// Tunnel headers unwrapped so far.
    depth: u8,
    /// The slice being parsed may end early because the capture was cut: a header that does
    /// not fit is then truncated rather than malformed.
    cut: bool,
    /// An enclosing IP header declared more than was captured.
    truncated: bool,
}

impl Ctx {
    /// The outermost layer: nothing says how long the frame was on the wire.
    const FRAME: Ctx = Ctx {
        depth: 0,
        cut: true,
        truncated: false,
    };

    #[inline]
    const fn short(self) -> Skip {
        link::short(self.cut)
    }

    /// Enter one more tunnel.
    #[inline]
    fn tunnel(self) -> Result<Ctx, Skip> {
        if self.depth >= MAX_TUNNEL_DEPTH {
            return Err(Skip::TunnelTooDeep);
        }
        Ok(Ctx {
            depth: self.depth + 1,
            ..self
        })
    }
}

/// An Ethernet II frame (no FCS expected; IP lengths trim any FCS or padding).
fn ethernet(frame: &[u8], ctx: Ctx) -> Result<Decoded<'_>, Skip> {
    let eth = Ethernet2Slice::from_slice_without_fcs(frame).map_err(|_| ctx.short())?;
    ether_type_payload(eth.ether_type().0, eth.payload_slice(), ctx)
}

/// A payload named by an EtherType: follow VLAN tags, PPPoE and MPLS down to IP.
fn ether_type_payload(
    mut ether_type: u16,
    mut payload: &[u8],
    ctx: Ctx,
) -> Result<Decoded<'_>, Skip> {
    let mut tags = 0;
    loop {
        match ether_type {
            ethertype::IPV4 | ethertype::IPV6 => return ip(payload, ctx),
            ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD => {
                if tags == MAX_VLAN_TAGS {
                    return Err(Skip::Malformed);
                }
                tags += 1;
                let vlan = SingleVlanSlice::from_slice(payload).map_err(|_| ctx.short())?;
                ether_type = vlan.ether_type().0;
                payload = vlan.payload_slice();
            }
            // PPP inside PPPoE only names IP or MPLS, so this cannot loop back here.
            ethertype::PPPOE_SESSION => match link::pppoe_session(payload, ctx.cut)? {
                link::Inner::EtherType(t, p) => {
                    ether_type = t;
                    payload = p;
                }
                link::Inner::Ethernet(_) => return Err(Skip::NotIp),
            },
            ethertype::MPLS_UNICAST | ethertype::MPLS_MULTICAST => return mpls(payload, ctx),
            _ => return Err(Skip::NotIp),
        }
    }
}

/// An MPLS label stack (RFC 3032) ending in IP, recognised by its version nibble as routers
/// do. Pseudowires (Ethernet after a control word) are not IP here.
fn mpls(mut payload: &[u8], ctx: Ctx) -> Result<Decoded<'_>, Skip> {
    for _ in 0..MAX_MPLS_LABELS {
        let Some((label, rest)) = payload.split_first_chunk::<4>() else {
            return Err(ctx.short());
        };
        payload = rest;
        if label[2] & 0x01 != 0 {
            // bottom of stack
            return match payload.first().map(|b| b >> 4) {
                Some(4 | 6) => ip(payload, ctx),
                Some(_) => Err(Skip::NotIp),
                None => Err(ctx.short()),
            };
        }
    }
    Err(Skip::Malformed)
}

/// Addressing of the innermost IP header.
#[derive(Clone, Copy)]
struct Net {
    src: IpAddr,
    dst: IpAddr,
    ttl: u8,
    ip_id: u16,
}

/// An IPv4 or IPv6 packet, by version nibble, and what it carries.
fn ip(packet: &[u8], ctx: Ctx) -> Result<Decoded<'_>, Skip> {
    let (slice, ext_err) = LaxIpSlice::from_slice(packet).map_err(|e| match e {
        LaxHeaderSliceError::Len(_) => ctx.short(),
        LaxHeaderSliceError::Content(_) => Skip::Malformed,
    })?;
    let net = match &slice {
        LaxIpSlice::Ipv4(v4) => {
            let h = v4.header();
            Net {
                src: IpAddr::V4(h.source_addr()),
                dst: IpAddr::V4(h.destination_addr()),
                ttl: h.ttl(),
                ip_id: h.identification(),
            }
        }
        LaxIpSlice::Ipv6(v6) => {
            let h = v6.header();
            Net {
                src: IpAddr::V6(h.source_addr()),
                dst: IpAddr::V6(h.destination_addr()),
                ttl: h.hop_limit(),
                ip_id: 0,
            }
        }
    };
    let payload = slice.payload();
    if payload.fragmented {
        return Err(Skip::IpFragment);
    }
    // The IP length field bounds the payload unless it was unusable: larger than what is here
    // (cut by the capture, or contradicting an enclosing header that was not cut), or zero
    // (TSO, jumbograms). Then the payload ends where the enclosing slice ends, cut or not.
    let ends_with_slice = payload.len_source == LenSource::Slice;
    let inner = Ctx {
        depth: ctx.depth,
        cut: ctx.cut && ends_with_slice,
        truncated: ctx.truncated || (ctx.cut && payload.incomplete),
    };
    if let Some((err, _layer)) = ext_err {
        return Err(match err {
            ipv6_exts::HeaderSliceError::Len(_) => inner.short(),
            ipv6_exts::HeaderSliceError::Content(_) => Skip::Malformed,
        });
    }
    match payload.ip_number {
        ip_number::TCP => tcp(payload.payload, net, inner),
        ip_number::UDP => udp(payload.payload, net, inner),
        ip_number::IPV4 | ip_number::IPV6 => ip(payload.payload, inner.tunnel()?),
        ip_number::GRE => tunnel::gre(payload.payload, inner.tunnel()?),
        IpNumber(_) => Err(Skip::NotTcpUdp),
    }
}

/// TCP option kinds read from SYN segments.
const TCP_OPT_EOL: u8 = 0;
const TCP_OPT_NOP: u8 = 1;
const TCP_OPT_MSS: u8 = 2;
const TCP_OPT_WSCALE: u8 = 3;

fn tcp<'a>(segment: &'a [u8], net: Net, ctx: Ctx) -> Result<Decoded<'a>, Skip> {
    let seg = TcpSlice::from_slice(segment).map_err(|e| match e {
        tcp::HeaderSliceError::Len(_) => ctx.short(),
        tcp::HeaderSliceError::Content(_) => Skip::Malformed,
    })?;
    // TcpSlice guarantees a header of at least 20 bytes.
    let flags = seg.header_slice().get(13).copied().unwrap_or(0);
    let (mss, wscale) = if flags & tcp_flags::SYN != 0 {
        syn_options(seg.options())
    } else {
        (None, None)
    };
    Ok(Decoded {
        src: net.src,
        dst: net.dst,
        sport: seg.source_port(),
        dport: seg.destination_port(),
        transport: Transport::Tcp,
        tcp: TcpMeta {
            seq: seg.sequence_number(),
            ack: seg.acknowledgment_number(),
            flags,
            window: seg.window_size(),
            mss,
            wscale,
        },
        ttl: net.ttl,
        ip_id: net.ip_id,
        payload: seg.payload(),
        payload_truncated: ctx.truncated,
        tunnelled: ctx.depth > 0,
    })
}

/// MSS and window scale from a SYN's options. A malformed option ends the walk; what was
/// found before it is kept.
fn syn_options(mut options: &[u8]) -> (Option<u16>, Option<u8>) {
    let (mut mss, mut wscale) = (None, None);
    loop {
        match options {
            [] | [TCP_OPT_EOL, ..] => break,
            [TCP_OPT_NOP, rest @ ..] => options = rest,
            [kind, len, rest @ ..] => {
                let Some(body_len) = usize::from(*len).checked_sub(2) else {
                    break;
                };
                let Some((body, rest)) = rest.split_at_checked(body_len) else {
                    break;
                };
                match (*kind, body) {
                    (TCP_OPT_MSS, [hi, lo]) => mss = Some(u16::from_be_bytes([*hi, *lo])),
                    (TCP_OPT_WSCALE, [shift]) => wscale = Some(*shift),
                    _ => {}
                }
                options = rest;
            }
            [_] => break,
        }
    }
    (mss, wscale)
}

fn udp<'a>(datagram: &'a [u8], net: Net, ctx: Ctx) -> Result<Decoded<'a>, Skip> {
    // Lax: a UDP length beyond the captured bytes falls back to what is there.
    let dgram = UdpSlice::from_slice_lax(datagram).map_err(|_| ctx.short())?;
    let dport = dgram.destination_port();
    if dport == VXLAN_PORT
        && let Some(inner) = tunnel::vxlan(dgram.payload(), ctx)
    {
        return inner;
    }
    if (dport == GTPU_PORT || dgram.source_port() == GTPU_PORT)
        && let Some(inner) = tunnel::gtpu(dgram.payload(), ctx)
    {
        return inner;
    }
    Ok(Decoded {
        src: net.src,
        dst: net.dst,
        sport: dgram.source_port(),
        dport,
        transport: Transport::Udp,
        tcp: TcpMeta::default(),
        ttl: net.ttl,
        ip_id: net.ip_id,
        payload: dgram.payload(),
        payload_truncated: ctx.truncated,
        tunnelled: ctx.depth > 0,
    })
}
