//! Link layers that etherparse does not slice: BSD loopback (NULL/LOOP), Linux cooked
//! capture v1 and v2, PPP (bare, HDLC-framed, in PPPoE), Cisco HDLC and raw IP.
//!
//! Each function strips one link header and names what follows — a whole Ethernet frame or a
//! payload identified by an EtherType — so that [`super`] can hand it to etherparse. Nothing here
//! looks past the link header, allocates or panics. Every function takes `cut`: whether the slice
//! may end early because the capture was cut (snaplen). A header that does not fit is then
//! [`Skip::TruncatedHeader`], otherwise [`Skip::Malformed`].

use super::{
    LINKTYPE_C_HDLC, LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_PPP, LINKTYPE_PPP_ETHER,
    LINKTYPE_PPP_HDLC, LINKTYPE_RAW, LINKTYPE_RAW_DLT12, LINKTYPE_RAW_DLT14, Skip, ethertype,
};

/// What a link header announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inner<'a> {
    /// A whole Ethernet II frame, destination MAC first.
    Ethernet(&'a [u8]),
    /// A payload named by an EtherType (IPv4, IPv6, VLAN, MPLS, ...).
    EtherType(u16, &'a [u8]),
}

/// `AF_INET` on every platform that writes NULL/LOOP captures.
const AF_INET: u32 = 2;
/// `AF_INET6` differs by the capturing OS: Linux 10, Windows (Npcap loopback) 23,
/// NetBSD/OpenBSD/BSD/OS 24, FreeBSD/DragonFly 28, macOS 30.
const AF_INET6: [u32; 5] = [10, 23, 24, 28, 30];

/// Linux cooked capture v1 header length (packet type, ARPHRD, address length, 8-byte address,
/// protocol).
pub const SLL_HEADER_LEN: usize = 16;
/// Linux cooked capture v2 header length (protocol, reserved, ifindex, ARPHRD, packet type,
/// address length, 8-byte address).
pub const SLL2_HEADER_LEN: usize = 20;
/// `ARPHRD_NETLINK`: SLL frames of this hardware type carry netlink messages, and the protocol
/// field is a netlink family, not an EtherType.
const ARPHRD_NETLINK: u16 = 824;
/// PPPoE header: version/type, code, session id, length.
const PPPOE_HEADER_LEN: usize = 6;

/// PPP protocol numbers (RFC 1661, IANA "PPP DLL Protocol Numbers") we follow.
const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;
const PPP_MPLS_UNICAST: u16 = 0x0281;
const PPP_MPLS_MULTICAST: u16 = 0x0283;

/// The short-slice verdict: truncation when the capture may have been cut, malformed otherwise.
#[inline]
pub(super) const fn short(cut: bool) -> Skip {
    if cut {
        Skip::TruncatedHeader
    } else {
        Skip::Malformed
    }
}

/// Strip the link header of a captured frame of link type `linktype`.
///
/// The frame is the start of what was captured, so a header that does not fit is always
/// [`Skip::TruncatedHeader`].
pub fn strip(linktype: u32, frame: &[u8]) -> Result<Inner<'_>, Skip> {
    match linktype {
        LINKTYPE_ETHERNET => Ok(Inner::Ethernet(frame)),
        LINKTYPE_NULL | LINKTYPE_LOOP => loopback(frame),
        LINKTYPE_RAW | LINKTYPE_RAW_DLT14 => raw_ip(frame),
        // 12 is DLT_RAW almost everywhere but DLT_LOOP on OpenBSD. An IP header starts with
        // 0x4_/0x6_, a LOOP header with the high byte of a small address family, 0x00.
        LINKTYPE_RAW_DLT12 => match frame.first() {
            Some(0) => loopback(frame),
            _ => raw_ip(frame),
        },
        LINKTYPE_IPV4 => raw_ip_version(frame, 4, ethertype::IPV4),
        LINKTYPE_IPV6 => raw_ip_version(frame, 6, ethertype::IPV6),
        LINKTYPE_LINUX_SLL => sll(frame),
        LINKTYPE_LINUX_SLL2 => sll2(frame),
        LINKTYPE_PPP | LINKTYPE_PPP_HDLC => ppp_or_cisco_hdlc(frame),
        LINKTYPE_C_HDLC => cisco_hdlc(frame, true),
        LINKTYPE_PPP_ETHER => pppoe_session(frame, true),
        _ => Err(Skip::UnsupportedLinkType),
    }
}

/// BSD loopback: a 4-byte address family. NULL writes it in the capturing host's byte order,
/// LOOP in network order; the values are small, so reading both ways is unambiguous.
fn loopback(frame: &[u8]) -> Result<Inner<'_>, Skip> {
    let [a, b, c, d, rest @ ..] = frame else {
        return Err(Skip::TruncatedHeader);
    };
    let le = u32::from_le_bytes([*a, *b, *c, *d]);
    let be = u32::from_be_bytes([*a, *b, *c, *d]);
    if le == AF_INET || be == AF_INET {
        Ok(Inner::EtherType(ethertype::IPV4, rest))
    } else if AF_INET6.contains(&le) || AF_INET6.contains(&be) {
        Ok(Inner::EtherType(ethertype::IPV6, rest))
    } else {
        Err(Skip::NotIp)
    }
}

/// Raw IP: the version nibble says which.
fn raw_ip(frame: &[u8]) -> Result<Inner<'_>, Skip> {
    match frame.first().map(|b| b >> 4) {
        Some(4) => Ok(Inner::EtherType(ethertype::IPV4, frame)),
        Some(6) => Ok(Inner::EtherType(ethertype::IPV6, frame)),
        Some(_) => Err(Skip::NotIp),
        None => Err(Skip::TruncatedHeader),
    }
}

/// LINKTYPE_IPV4 / LINKTYPE_IPV6: the link type promises the version, so another one is
/// malformed rather than "not IP".
fn raw_ip_version(frame: &[u8], version: u8, ether_type: u16) -> Result<Inner<'_>, Skip> {
    match frame.first().map(|b| b >> 4) {
        Some(v) if v == version => Ok(Inner::EtherType(ether_type, frame)),
        Some(_) => Err(Skip::Malformed),
        None => Err(Skip::TruncatedHeader),
    }
}

/// Linux cooked capture v1 (LINKTYPE_LINUX_SLL).
fn sll(frame: &[u8]) -> Result<Inner<'_>, Skip> {
    let Some((header, rest)) = frame.split_first_chunk::<SLL_HEADER_LEN>() else {
        return Err(Skip::TruncatedHeader);
    };
    let hatype = u16::from_be_bytes([header[2], header[3]]);
    let protocol = u16::from_be_bytes([header[14], header[15]]);
    sll_payload(hatype, protocol, rest)
}

/// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2).
fn sll2(frame: &[u8]) -> Result<Inner<'_>, Skip> {
    let Some((header, rest)) = frame.split_first_chunk::<SLL2_HEADER_LEN>() else {
        return Err(Skip::TruncatedHeader);
    };
    let protocol = u16::from_be_bytes([header[0], header[1]]);
    let hatype = u16::from_be_bytes([header[8], header[9]]);
    sll_payload(hatype, protocol, rest)
}

/// The SLL protocol field is an EtherType for every hardware type we can use (Ethernet, tun,
/// loopback, IP-GRE); values below 0x0600 (802.2 LLC, CAN, ...) fall out as "not IP" later.
fn sll_payload(hatype: u16, protocol: u16, rest: &[u8]) -> Result<Inner<'_>, Skip> {
    if hatype == ARPHRD_NETLINK {
        return Err(Skip::NotIp);
    }
    Ok(Inner::EtherType(protocol, rest))
}

/// LINKTYPE_PPP and LINKTYPE_PPP_HDLC: PPP, optionally in HDLC-like framing (RFC 1662); the
/// latter is also used for Cisco HDLC frames, recognised by their address byte.
fn ppp_or_cisco_hdlc(frame: &[u8]) -> Result<Inner<'_>, Skip> {
    match frame {
        [0x0f | 0x8f, 0x00, ..] => cisco_hdlc(frame, true),
        _ => ppp(frame, true),
    }
}

/// Cisco HDLC: address (0x0f unicast, 0x8f broadcast), control 0x00, then an EtherType.
fn cisco_hdlc(frame: &[u8], cut: bool) -> Result<Inner<'_>, Skip> {
    let [_address, _control, t0, t1, rest @ ..] = frame else {
        return Err(short(cut));
    };
    Ok(Inner::EtherType(u16::from_be_bytes([*t0, *t1]), rest))
}

/// A PPP frame: optional HDLC address/control (0xff 0x03), then the protocol field — one byte
/// when protocol-field compression is on (the byte is odd), else two. Only IPv4, IPv6 and MPLS
/// are followed; anything else (LCP, IPCP, CCP-compressed data, ...) is not IP.
pub fn ppp(frame: &[u8], cut: bool) -> Result<Inner<'_>, Skip> {
    let frame = match frame {
        [0xff, 0x03, rest @ ..] => rest,
        _ => frame,
    };
    let (protocol, rest) = match frame {
        [p, rest @ ..] if p & 1 == 1 => (u16::from(*p), rest),
        [p0, p1, rest @ ..] => (u16::from_be_bytes([*p0, *p1]), rest),
        _ => return Err(short(cut)),
    };
    let ether_type = match protocol {
        PPP_IPV4 => ethertype::IPV4,
        PPP_IPV6 => ethertype::IPV6,
        PPP_MPLS_UNICAST => ethertype::MPLS_UNICAST,
        PPP_MPLS_MULTICAST => ethertype::MPLS_MULTICAST,
        _ => return Err(Skip::NotIp),
    };
    Ok(Inner::EtherType(ether_type, rest))
}

/// A PPPoE session frame (EtherType 0x8864, or LINKTYPE_PPP_ETHER): 6-byte PPPoE header, then
/// PPP without address/control. The PPPoE length field bounds the PPP frame and so drops
/// Ethernet padding; a length longer than what is present is tolerated (cut capture).
pub fn pppoe_session(frame: &[u8], cut: bool) -> Result<Inner<'_>, Skip> {
    let Some((header, rest)) = frame.split_first_chunk::<PPPOE_HEADER_LEN>() else {
        return Err(short(cut));
    };
    // version 1, type 1, code 0 (session data)
    if header[0] != 0x11 || header[1] != 0x00 {
        return Err(Skip::NotIp);
    }
    let len = usize::from(u16::from_be_bytes([header[4], header[5]]));
    match rest.get(..len) {
        // the declared length is all there: a short PPP header inside it is malformed
        Some(declared) => ppp(declared, false),
        None => ppp(rest, cut),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP4: [u8; 1] = [0x45];
    const IP6: [u8; 1] = [0x60];

    #[test]
    fn loopback_families_both_byte_orders() {
        for (hdr, want) in [
            ([2, 0, 0, 0], ethertype::IPV4),
            ([0, 0, 0, 2], ethertype::IPV4),
            ([10, 0, 0, 0], ethertype::IPV6),
            ([23, 0, 0, 0], ethertype::IPV6),
            ([24, 0, 0, 0], ethertype::IPV6),
            ([0, 0, 0, 24], ethertype::IPV6),
            ([28, 0, 0, 0], ethertype::IPV6),
            ([30, 0, 0, 0], ethertype::IPV6),
            ([0, 0, 0, 30], ethertype::IPV6),
        ] {
            let mut f = hdr.to_vec();
            f.push(0x99);
            for lt in [LINKTYPE_NULL, LINKTYPE_LOOP] {
                assert_eq!(
                    strip(lt, &f),
                    Ok(Inner::EtherType(want, &[0x99][..])),
                    "{hdr:?}"
                );
            }
        }
        assert_eq!(strip(LINKTYPE_NULL, &[7, 0, 0, 0, 0x45]), Err(Skip::NotIp));
        assert_eq!(strip(LINKTYPE_NULL, &[2, 0, 0]), Err(Skip::TruncatedHeader));
        assert_eq!(strip(LINKTYPE_LOOP, &[]), Err(Skip::TruncatedHeader));
    }

    #[test]
    fn raw_ip_by_version_nibble() {
        for lt in [LINKTYPE_RAW, LINKTYPE_RAW_DLT12, LINKTYPE_RAW_DLT14] {
            assert_eq!(
                strip(lt, &IP4),
                Ok(Inner::EtherType(ethertype::IPV4, &IP4[..]))
            );
            assert_eq!(
                strip(lt, &IP6),
                Ok(Inner::EtherType(ethertype::IPV6, &IP6[..]))
            );
            assert_eq!(strip(lt, &[]), Err(Skip::TruncatedHeader));
            assert_eq!(strip(lt, &[0x50]), Err(Skip::NotIp));
        }
        assert_eq!(
            strip(LINKTYPE_IPV4, &IP4),
            Ok(Inner::EtherType(ethertype::IPV4, &IP4[..]))
        );
        assert_eq!(strip(LINKTYPE_IPV4, &IP6), Err(Skip::Malformed));
        assert_eq!(
            strip(LINKTYPE_IPV6, &IP6),
            Ok(Inner::EtherType(ethertype::IPV6, &IP6[..]))
        );
        assert_eq!(strip(LINKTYPE_IPV6, &IP4), Err(Skip::Malformed));
        assert_eq!(strip(LINKTYPE_IPV6, &[]), Err(Skip::TruncatedHeader));
    }

    #[test]
    fn dlt12_openbsd_loop_header() {
        assert_eq!(
            strip(LINKTYPE_RAW_DLT12, &[0, 0, 0, 24, 0x60]),
            Ok(Inner::EtherType(ethertype::IPV6, &IP6[..]))
        );
    }

    #[test]
    fn sll_and_sll2_protocol_and_netlink() {
        let mut sll = vec![0, 0, 0x03, 0x04, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x86, 0xdd];
        sll.push(0x60);
        assert_eq!(
            strip(LINKTYPE_LINUX_SLL, &sll),
            Ok(Inner::EtherType(ethertype::IPV6, &IP6[..]))
        );
        sll[2..4].copy_from_slice(&ARPHRD_NETLINK.to_be_bytes());
        assert_eq!(strip(LINKTYPE_LINUX_SLL, &sll), Err(Skip::NotIp));
        assert_eq!(
            strip(LINKTYPE_LINUX_SLL, &sll[..15]),
            Err(Skip::TruncatedHeader)
        );

        let mut sll2 = vec![
            0x08, 0x00, 0, 0, 0, 0, 0, 3, 0x00, 0x01, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0,
        ];
        sll2.push(0x45);
        assert_eq!(
            strip(LINKTYPE_LINUX_SLL2, &sll2),
            Ok(Inner::EtherType(ethertype::IPV4, &IP4[..]))
        );
        assert_eq!(
            strip(LINKTYPE_LINUX_SLL2, &sll2[..19]),
            Err(Skip::TruncatedHeader)
        );
    }

    #[test]
    fn ppp_framings() {
        // bare, HDLC-framed, protocol-field-compressed
        assert_eq!(
            strip(LINKTYPE_PPP, &[0x00, 0x21, 0x45]),
            Ok(Inner::EtherType(ethertype::IPV4, &IP4[..]))
        );
        assert_eq!(
            strip(LINKTYPE_PPP, &[0xff, 0x03, 0x00, 0x57, 0x60]),
            Ok(Inner::EtherType(ethertype::IPV6, &IP6[..]))
        );
        assert_eq!(
            strip(LINKTYPE_PPP_HDLC, &[0xff, 0x03, 0x21, 0x45]),
            Ok(Inner::EtherType(ethertype::IPV4, &IP4[..]))
        );
        assert_eq!(
            strip(LINKTYPE_PPP, &[0x02, 0x81, 0, 0, 1, 0x40]),
            Ok(Inner::EtherType(
                ethertype::MPLS_UNICAST,
                &[0, 0, 1, 0x40][..]
            ))
        );
        // LCP is not IP
        assert_eq!(strip(LINKTYPE_PPP, &[0xc0, 0x21, 1]), Err(Skip::NotIp));
        assert_eq!(
            strip(LINKTYPE_PPP, &[0xff, 0x03]),
            Err(Skip::TruncatedHeader)
        );
        assert_eq!(strip(LINKTYPE_PPP, &[0x00]), Err(Skip::TruncatedHeader));
        // Cisco HDLC, in its own link type and inside PPP_HDLC
        for lt in [LINKTYPE_C_HDLC, LINKTYPE_PPP_HDLC] {
            assert_eq!(
                strip(lt, &[0x0f, 0x00, 0x08, 0x00, 0x45]),
                Ok(Inner::EtherType(ethertype::IPV4, &IP4[..]))
            );
        }
        assert_eq!(
            strip(LINKTYPE_C_HDLC, &[0x0f, 0x00, 0x08]),
            Err(Skip::TruncatedHeader)
        );
    }

    #[test]
    fn pppoe_session_bounds_by_length() {
        // length 3 covers protocol + one byte: the trailing 0xee is padding
        let f = [0x11, 0x00, 0x12, 0x34, 0x00, 0x03, 0x00, 0x21, 0x45, 0xee];
        assert_eq!(
            strip(LINKTYPE_PPP_ETHER, &f),
            Ok(Inner::EtherType(ethertype::IPV4, &IP4[..]))
        );
        // discovery stage (code != 0) is not IP
        let f = [0x11, 0x09, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(strip(LINKTYPE_PPP_ETHER, &f), Err(Skip::NotIp));
        assert_eq!(pppoe_session(&[0x11, 0, 0], false), Err(Skip::Malformed));
    }

    #[test]
    fn unknown_link_type() {
        assert_eq!(strip(127, &[0; 64]), Err(Skip::UnsupportedLinkType));
        assert_eq!(strip(u32::MAX, &[]), Err(Skip::UnsupportedLinkType));
    }
}
