//! Byte-fixture tests for [`decode`]: each fixture is parsed and every field of the result is
//! compared (the whole [`Decoded`] at once), then every fixture is cut at every offset,
//! mutated, and mixed with random bytes to check that nothing panics.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use etherparse::{PacketBuilder, TcpOptionElement};

use super::tcp_flags::{ACK, PSH, SYN};
use super::*;

// ---------------------------------------------------------------------------------------------
// Fixture builders. Lengths are always filled in; checksums are left zero (never verified)
// except where a test says otherwise.

const CLIENT4: [u8; 4] = [192, 0, 2, 1];
const SERVER4: [u8; 4] = [198, 51, 100, 7];
const INNER_SRC4: [u8; 4] = [10, 0, 0, 1];
const INNER_DST4: [u8; 4] = [10, 0, 0, 2];
const CLIENT6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const SERVER6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

const SPORT: u16 = 51000;
const DPORT: u16 = 443;
const SEQ: u32 = 0x0a0b_0c0d;
const ACKNUM: u32 = 0x0102_0304;
const WINDOW: u16 = 0x1234;
const TTL: u8 = 64;
const IP_ID: u16 = 0x1234;
const HOP_LIMIT: u8 = 57;
const HELLO: &[u8] = b"\x16\x03\x01\x00\x05hello";

fn v4(a: [u8; 4]) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(a))
}

fn v6(a: [u8; 16]) -> IpAddr {
    IpAddr::V6(Ipv6Addr::from(a))
}

fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// IPv4 header (no options, valid header checksum) + payload. `frag` is the 16-bit
/// flags/fragment-offset field.
fn ipv4_with(
    proto: u8,
    src: [u8; 4],
    dst: [u8; 4],
    ttl: u8,
    id: u16,
    frag: u16,
    payload: &[u8],
) -> Vec<u8> {
    let total = u16::try_from(20 + payload.len()).unwrap();
    let mut p = vec![0x45, 0];
    p.extend(total.to_be_bytes());
    p.extend(id.to_be_bytes());
    p.extend(frag.to_be_bytes());
    p.extend([ttl, proto, 0, 0]);
    p.extend(src);
    p.extend(dst);
    let sum = ipv4_checksum(&p);
    p[10..12].copy_from_slice(&sum.to_be_bytes());
    p.extend(payload);
    p
}

fn ipv4(proto: u8, payload: &[u8]) -> Vec<u8> {
    ipv4_with(proto, CLIENT4, SERVER4, TTL, IP_ID, 0x4000, payload)
}

fn ipv6_with(next: u8, src: [u8; 16], dst: [u8; 16], hop: u8, payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(payload.len()).unwrap();
    let mut p = vec![0x60, 0, 0, 0];
    p.extend(len.to_be_bytes());
    p.extend([next, hop]);
    p.extend(src);
    p.extend(dst);
    p.extend(payload);
    p
}

fn ipv6(next: u8, payload: &[u8]) -> Vec<u8> {
    ipv6_with(next, CLIENT6, SERVER6, HOP_LIMIT, payload)
}

/// TCP header SPORT → DPORT with SEQ/ACKNUM/WINDOW; `options` must be a multiple of 4 bytes.
fn tcp(flags: u8, options: &[u8], payload: &[u8]) -> Vec<u8> {
    assert_eq!(options.len() % 4, 0);
    let mut t = Vec::new();
    t.extend(SPORT.to_be_bytes());
    t.extend(DPORT.to_be_bytes());
    t.extend(SEQ.to_be_bytes());
    t.extend(ACKNUM.to_be_bytes());
    t.push(u8::try_from((20 + options.len()) / 4).unwrap() << 4);
    t.push(flags);
    t.extend(WINDOW.to_be_bytes());
    t.extend([0, 0, 0, 0]);
    t.extend(options);
    t.extend(payload);
    t
}

fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(8 + payload.len()).unwrap();
    let mut u = Vec::new();
    u.extend(sport.to_be_bytes());
    u.extend(dport.to_be_bytes());
    u.extend(len.to_be_bytes());
    u.extend([0, 0]);
    u.extend(payload);
    u
}

fn eth(ether_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
    f.extend(ether_type.to_be_bytes());
    f.extend(payload);
    f
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn tcp_meta(flags: u8) -> TcpMeta {
    TcpMeta {
        seq: SEQ,
        ack: ACKNUM,
        flags,
        window: WINDOW,
        mss: None,
        wscale: None,
    }
}

/// What `tcp(PSH | ACK, &[], payload)` inside `ipv4(6, ..)` decodes to.
fn want_v4_tcp(payload: &[u8]) -> Decoded<'_> {
    Decoded {
        src: v4(CLIENT4),
        dst: v4(SERVER4),
        sport: SPORT,
        dport: DPORT,
        transport: Transport::Tcp,
        tcp: tcp_meta(PSH | ACK),
        ttl: TTL,
        ip_id: IP_ID,
        payload,
        payload_truncated: false,
        tunnelled: false,
    }
}

/// What `tcp(PSH | ACK, &[], payload)` inside `ipv6(6, ..)` decodes to.
fn want_v6_tcp(payload: &[u8]) -> Decoded<'_> {
    Decoded {
        src: v6(CLIENT6),
        dst: v6(SERVER6),
        ttl: HOP_LIMIT,
        ip_id: 0,
        ..want_v4_tcp(payload)
    }
}

/// What `udp(SPORT, DPORT, payload)` inside `ipv4(17, ..)` decodes to.
fn want_v4_udp(payload: &[u8]) -> Decoded<'_> {
    Decoded {
        transport: Transport::Udp,
        tcp: TcpMeta::default(),
        ..want_v4_tcp(payload)
    }
}

/// What `udp(SPORT, DPORT, payload)` inside `ipv6(17, ..)` decodes to.
fn want_v6_udp(payload: &[u8]) -> Decoded<'_> {
    Decoded {
        transport: Transport::Udp,
        tcp: TcpMeta::default(),
        ..want_v6_tcp(payload)
    }
}

/// The innermost packet of the tunnel tests: 10.0.0.1 → 10.0.0.2, TTL 33, id 0x4242.
fn inner_v4_tcp() -> Vec<u8> {
    ipv4_with(
        6,
        INNER_SRC4,
        INNER_DST4,
        33,
        0x4242,
        0,
        &tcp(PSH | ACK, &[], HELLO),
    )
}

fn want_inner_v4_tcp() -> Decoded<'static> {
    Decoded {
        src: v4(INNER_SRC4),
        dst: v4(INNER_DST4),
        ttl: 33,
        ip_id: 0x4242,
        tunnelled: true,
        ..want_v4_tcp(HELLO)
    }
}

// ---------------------------------------------------------------------------------------------
// A fully hand-written IPv4/TCP packet, independent of the builders above. Its header and TCP
// checksums are zero, i.e. wrong.

const LITERAL_V4_TCP: [u8; 45] = [
    0x45, 0x00, 0x00, 0x2d, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x00,
    0x00, // IPv4, DF, TTL 64
    0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, // 192.0.2.1 → 198.51.100.7
    0xc7, 0x38, 0x01, 0xbb, // 51000 → 443
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // seq 1, ack 2
    0x50, 0x18, 0x01, 0xf6, 0x00, 0x00, 0x00, 0x00, // doff 5, PSH|ACK, window 502
    0x16, 0x03, 0x01, 0x00, 0x00, // payload
];

fn want_literal() -> Decoded<'static> {
    Decoded {
        src: v4([192, 0, 2, 1]),
        dst: v4([198, 51, 100, 7]),
        sport: 51000,
        dport: 443,
        transport: Transport::Tcp,
        tcp: TcpMeta {
            seq: 1,
            ack: 2,
            flags: PSH | ACK,
            window: 502,
            mss: None,
            wscale: None,
        },
        ttl: 64,
        ip_id: 0x1c46,
        payload: &[0x16, 0x03, 0x01, 0x00, 0x00],
        payload_truncated: false,
        tunnelled: false,
    }
}

// ---------------------------------------------------------------------------------------------
// Link layers

#[test]
fn null_loopback_both_byte_orders() {
    let le = cat(&[&[2, 0, 0, 0], &LITERAL_V4_TCP]);
    let be = cat(&[&[0, 0, 0, 2], &LITERAL_V4_TCP]);
    assert_eq!(decode(LINKTYPE_NULL, &le), Ok(want_literal()));
    assert_eq!(decode(LINKTYPE_NULL, &be), Ok(want_literal()));
    // AF_INET6 as Linux, Windows, BSD, FreeBSD and macOS number it
    let pkt = ipv6(6, &tcp(PSH | ACK, &[], HELLO));
    for af in [10u32, 23, 24, 28, 30] {
        let f = cat(&[&af.to_le_bytes(), &pkt]);
        assert_eq!(decode(LINKTYPE_NULL, &f), Ok(want_v6_tcp(HELLO)), "AF {af}");
    }
    // unknown family
    let f = cat(&[&[17, 0, 0, 0], &LITERAL_V4_TCP]);
    assert_eq!(decode(LINKTYPE_NULL, &f), Err(Skip::NotIp));
}

#[test]
fn loop_network_order() {
    // OpenBSD: AF_INET6 = 24, big-endian
    let pkt = ipv6(17, &udp(SPORT, DPORT, HELLO));
    let f = cat(&[&[0, 0, 0, 24], &pkt]);
    assert_eq!(decode(LINKTYPE_LOOP, &f), Ok(want_v6_udp(HELLO)));
    // DLT 12 is DLT_LOOP on OpenBSD
    assert_eq!(decode(LINKTYPE_RAW_DLT12, &f), Ok(want_v6_udp(HELLO)));
    let f = cat(&[&[0, 0, 0, 2], &LITERAL_V4_TCP]);
    assert_eq!(decode(LINKTYPE_LOOP, &f), Ok(want_literal()));
}

#[test]
fn linux_sll_v1() {
    let header = [
        0x00, 0x00, // packet type: to us
        0x00, 0x01, // ARPHRD_ETHER
        0x00, 0x06, // address length
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, // address, padded to 8
        0x08, 0x00, // protocol: IPv4
    ];
    let f = cat(&[&header, &LITERAL_V4_TCP]);
    assert_eq!(decode(LINKTYPE_LINUX_SLL, &f), Ok(want_literal()));
    // a VLAN tag left in the packet: protocol 0x8100, then TCI and the real EtherType
    let mut tagged = header;
    tagged[14..16].copy_from_slice(&[0x81, 0x00]);
    let f = cat(&[&tagged, &[0x00, 0x64, 0x08, 0x00], &LITERAL_V4_TCP]);
    assert_eq!(decode(LINKTYPE_LINUX_SLL, &f), Ok(want_literal()));
    // ARP is not IP
    let mut arp = header;
    arp[14..16].copy_from_slice(&[0x08, 0x06]);
    assert_eq!(
        decode(LINKTYPE_LINUX_SLL, &cat(&[&arp, &[0; 28]])),
        Err(Skip::NotIp)
    );
    assert_eq!(
        decode(LINKTYPE_LINUX_SLL, &header[..10]),
        Err(Skip::TruncatedHeader)
    );
}

#[test]
fn linux_sll_v2() {
    let header = [
        0x86, 0xdd, // protocol: IPv6
        0x00, 0x00, // reserved
        0x00, 0x00, 0x00, 0x02, // interface index
        0xff, 0xfe, // ARPHRD_NONE (tun)
        0x04, // packet type: outgoing
        0x00, // address length
        0, 0, 0, 0, 0, 0, 0, 0, // address
    ];
    let f = cat(&[&header, &ipv6(6, &tcp(PSH | ACK, &[], HELLO))]);
    assert_eq!(decode(LINKTYPE_LINUX_SLL2, &f), Ok(want_v6_tcp(HELLO)));
    assert_eq!(
        decode(LINKTYPE_LINUX_SLL2, &header[..19]),
        Err(Skip::TruncatedHeader)
    );
}

#[test]
fn ppp_bare_and_hdlc_framed() {
    let f = cat(&[&[0x00, 0x21], &LITERAL_V4_TCP]);
    assert_eq!(decode(LINKTYPE_PPP, &f), Ok(want_literal()));
    let pkt6 = ipv6(17, &udp(SPORT, DPORT, HELLO));
    let f = cat(&[&[0xff, 0x03, 0x00, 0x57], &pkt6]);
    assert_eq!(decode(LINKTYPE_PPP, &f), Ok(want_v6_udp(HELLO)));
    assert_eq!(decode(LINKTYPE_PPP_HDLC, &f), Ok(want_v6_udp(HELLO)));
    // protocol-field compression: one-byte protocol 0x21
    let f = cat(&[&[0xff, 0x03, 0x21], &LITERAL_V4_TCP]);
    assert_eq!(decode(LINKTYPE_PPP, &f), Ok(want_literal()));
    // LCP
    let f = [0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04];
    assert_eq!(decode(LINKTYPE_PPP, &f), Err(Skip::NotIp));
}

#[test]
fn cisco_hdlc() {
    let f = cat(&[&[0x0f, 0x00, 0x08, 0x00], &LITERAL_V4_TCP]);
    assert_eq!(decode(LINKTYPE_C_HDLC, &f), Ok(want_literal()));
    assert_eq!(decode(LINKTYPE_PPP_HDLC, &f), Ok(want_literal()));
}

#[test]
fn raw_ip_link_types() {
    for lt in [
        LINKTYPE_RAW,
        LINKTYPE_RAW_DLT12,
        LINKTYPE_RAW_DLT14,
        LINKTYPE_IPV4,
    ] {
        assert_eq!(decode(lt, &LITERAL_V4_TCP), Ok(want_literal()), "{lt}");
    }
    let pkt6 = ipv6(6, &tcp(PSH | ACK, &[], HELLO));
    for lt in [
        LINKTYPE_RAW,
        LINKTYPE_RAW_DLT12,
        LINKTYPE_RAW_DLT14,
        LINKTYPE_IPV6,
    ] {
        assert_eq!(decode(lt, &pkt6), Ok(want_v6_tcp(HELLO)), "{lt}");
    }
    assert_eq!(decode(LINKTYPE_IPV4, &pkt6), Err(Skip::Malformed));
    assert_eq!(decode(LINKTYPE_IPV6, &LITERAL_V4_TCP), Err(Skip::Malformed));
    assert_eq!(decode(LINKTYPE_RAW, &[0x55; 40]), Err(Skip::NotIp));
    assert_eq!(decode(LINKTYPE_RAW, &[]), Err(Skip::TruncatedHeader));
}

#[test]
fn unknown_link_type() {
    let f = eth(0x0800, &LITERAL_V4_TCP);
    for lt in [2, 105, 127, 147, 192, 0xffff_ffff] {
        assert_eq!(decode(lt, &f), Err(Skip::UnsupportedLinkType), "{lt}");
        assert!(!is_supported_linktype(lt));
    }
    for lt in SUPPORTED_LINKTYPES {
        assert!(is_supported_linktype(lt));
        assert_ne!(decode(lt, &f), Err(Skip::UnsupportedLinkType));
    }
}

// ---------------------------------------------------------------------------------------------
// Ethernet, VLAN, PPPoE, MPLS

#[test]
fn ethernet_ipv4_tcp_syn_with_options() {
    let builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4(CLIENT4, SERVER4, 128)
        .tcp(SPORT, DPORT, 0xdead_beef, 64240)
        .syn()
        .options(&[
            TcpOptionElement::MaximumSegmentSize(1460),
            TcpOptionElement::Noop,
            TcpOptionElement::WindowScale(8),
            TcpOptionElement::SelectiveAcknowledgementPermitted,
            TcpOptionElement::Timestamp(1, 0),
        ])
        .unwrap();
    let mut f = Vec::new();
    builder.write(&mut f, &[]).unwrap();
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &f),
        Ok(Decoded {
            src: v4(CLIENT4),
            dst: v4(SERVER4),
            sport: SPORT,
            dport: DPORT,
            transport: Transport::Tcp,
            tcp: TcpMeta {
                seq: 0xdead_beef,
                ack: 0,
                flags: SYN,
                window: 64240,
                mss: Some(1460),
                wscale: Some(8),
            },
            ttl: 128,
            ip_id: 0,
            payload: &[],
            payload_truncated: false,
            tunnelled: false,
        })
    );
}

#[test]
fn ethernet_ipv6_udp() {
    let builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv6(CLIENT6, SERVER6, HOP_LIMIT)
        .udp(SPORT, DPORT);
    let mut f = Vec::new();
    builder.write(&mut f, HELLO).unwrap();
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want_v6_udp(HELLO)));
}

#[test]
fn ethernet_padding_and_fcs_are_not_payload() {
    let mut f = eth(0x0800, &ipv4(17, &udp(SPORT, DPORT, b"x")));
    f.resize(60, 0); // minimum frame
    f.extend([0xde, 0xad, 0xbe, 0xef]); // FCS
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want_v4_udp(b"x")));
}

#[test]
fn vlan_802_1q_and_qinq() {
    let pkt = ipv4(6, &tcp(PSH | ACK, &[], HELLO));
    let single = cat(&[&eth(0x8100, &[0x20, 0x64, 0x08, 0x00]), &pkt]);
    assert_eq!(decode(LINKTYPE_ETHERNET, &single), Ok(want_v4_tcp(HELLO)));
    let qinq = cat(&[
        &eth(0x88a8, &[0x00, 0x0a, 0x81, 0x00]),
        &[0x00, 0x64, 0x86, 0xdd],
        &ipv6(6, &tcp(PSH | ACK, &[], HELLO)),
    ]);
    assert_eq!(decode(LINKTYPE_ETHERNET, &qinq), Ok(want_v6_tcp(HELLO)));
    let old_qinq = cat(&[
        &eth(0x9100, &[0x00, 0x0a, 0x81, 0x00]),
        &[0x00, 0x64, 0x08, 0x00],
        &pkt,
    ]);
    assert_eq!(decode(LINKTYPE_ETHERNET, &old_qinq), Ok(want_v4_tcp(HELLO)));
    // four tags are followed, a fifth is not
    let tag = [0x00, 0x01, 0x81, 0x00];
    let four = cat(&[
        &eth(0x8100, &tag),
        &tag,
        &tag,
        &[0x00, 0x01, 0x08, 0x00],
        &pkt,
    ]);
    assert_eq!(decode(LINKTYPE_ETHERNET, &four), Ok(want_v4_tcp(HELLO)));
    let five = cat(&[
        &eth(0x8100, &tag),
        &tag,
        &tag,
        &tag,
        &[0x00, 0x01, 0x08, 0x00],
        &pkt,
    ]);
    assert_eq!(decode(LINKTYPE_ETHERNET, &five), Err(Skip::Malformed));
    // cut inside the tag
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &single[..16]),
        Err(Skip::TruncatedHeader)
    );
}

#[test]
fn pppoe_session_in_ethernet() {
    let pkt = ipv4(6, &tcp(PSH | ACK, &[], HELLO));
    let len = u16::try_from(pkt.len() + 2).unwrap().to_be_bytes();
    let f = cat(&[
        &eth(0x8864, &[0x11, 0x00, 0x00, 0x01, len[0], len[1]]),
        &[0x00, 0x21],
        &pkt,
    ]);
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want_v4_tcp(HELLO)));
    assert_eq!(decode(LINKTYPE_PPP_ETHER, &f[14..]), Ok(want_v4_tcp(HELLO)));
    // discovery (0x8863) is not IP
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &eth(0x8863, &[0x11, 0x09, 0, 0, 0, 0])),
        Err(Skip::NotIp)
    );
}

#[test]
fn mpls_label_stack() {
    let pkt = ipv6(6, &tcp(PSH | ACK, &[], HELLO));
    // two labels, the second with bottom-of-stack
    let f = cat(&[
        &eth(0x8847, &[0x00, 0x01, 0x00, 0x40]),
        &[0x00, 0x02, 0x01, 0x40],
        &pkt,
    ]);
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want_v6_tcp(HELLO)));
    // a pseudowire control word after the stack is not IP
    let f = cat(&[
        &eth(0x8847, &[0x00, 0x01, 0x01, 0x40]),
        &[0, 0, 0, 0],
        &eth(0x0800, &[]),
    ]);
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Err(Skip::NotIp));
    // no bottom of stack within the bound
    let f = eth(
        0x8847,
        &[0x00, 0x01, 0x00, 0x40].repeat(MAX_MPLS_LABELS + 1),
    );
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Err(Skip::Malformed));
}

#[test]
fn not_ip_and_not_tcp_udp() {
    // ARP
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &eth(0x0806, &[0; 28])),
        Err(Skip::NotIp)
    );
    // 802.3 length field + LLC
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &eth(0x0026, &[0x42, 0x42, 0x03])),
        Err(Skip::NotIp)
    );
    // ICMP, ESP, SCTP
    for proto in [1u8, 50, 132] {
        let f = eth(0x0800, &ipv4(proto, &[8, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(
            decode(LINKTYPE_ETHERNET, &f),
            Err(Skip::NotTcpUdp),
            "{proto}"
        );
    }
    let f = eth(0x86dd, &ipv6(58, &[128, 0, 0, 0]));
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Err(Skip::NotTcpUdp));
    // EtherType IPv4 but version 5
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &eth(0x0800, &[0x55; 20])),
        Err(Skip::Malformed)
    );
}

// ---------------------------------------------------------------------------------------------
// IP

#[test]
fn ipv6_extension_headers_then_tcp() {
    let hop_by_hop = [43, 0, 0x01, 0x04, 0, 0, 0, 0]; // next: routing; PadN
    let routing = [60, 0, 0, 0, 0, 0, 0, 0]; // next: destination options; type 0, 0 left
    let dest_opts = [6, 0, 0x01, 0x04, 0, 0, 0, 0]; // next: TCP; PadN
    let pkt = ipv6(
        0,
        &cat(&[
            &hop_by_hop,
            &routing,
            &dest_opts,
            &tcp(PSH | ACK, &[], HELLO),
        ]),
    );
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &eth(0x86dd, &pkt)),
        Ok(want_v6_tcp(HELLO))
    );
    // hop-by-hop alone
    let pkt = ipv6(
        0,
        &cat(&[&[6, 0, 0x01, 0x04, 0, 0, 0, 0], &tcp(PSH | ACK, &[], HELLO)]),
    );
    assert_eq!(decode(LINKTYPE_RAW, &pkt), Ok(want_v6_tcp(HELLO)));
    // hop-by-hop not first is malformed
    let pkt = ipv6(
        60,
        &cat(&[&[0, 0, 0x01, 0x04, 0, 0, 0, 0], &[6, 0, 1, 4, 0, 0, 0, 0]]),
    );
    assert_eq!(decode(LINKTYPE_RAW, &pkt), Err(Skip::Malformed));
    // cut inside the extension header
    let pkt = ipv6(0, &cat(&[&hop_by_hop, &routing]));
    assert_eq!(decode(LINKTYPE_RAW, &pkt[..44]), Err(Skip::TruncatedHeader));
    // extension header longer than the declared payload
    let pkt = ipv6(0, &[6, 1, 0x01, 0x04, 0, 0, 0, 0]);
    assert_eq!(decode(LINKTYPE_RAW, &pkt), Err(Skip::Malformed));
}

#[test]
fn ipv4_options_and_bad_checksums() {
    // IHL 6: one word of options (NOP NOP NOP EOL)
    let t = tcp(PSH | ACK, &[], HELLO);
    let mut p = ipv4(6, &t);
    p[0] = 0x46;
    let total = u16::try_from(p.len() + 4).unwrap();
    p[2..4].copy_from_slice(&total.to_be_bytes());
    p.splice(20..20, [1, 1, 1, 0]);
    assert_eq!(decode(LINKTYPE_RAW, &p), Ok(want_v4_tcp(HELLO)));
}

#[test]
fn bad_checksums_still_decode() {
    let builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4(CLIENT4, SERVER4, TTL)
        .tcp(SPORT, DPORT, SEQ, WINDOW)
        .psh()
        .ack(ACKNUM);
    let mut f = Vec::new();
    builder.write(&mut f, HELLO).unwrap();
    let want = Decoded {
        ip_id: 0,
        ..want_v4_tcp(HELLO)
    };
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want.clone()));
    // etherparse wrote valid checksums: a valid IPv4 header sums to zero
    assert_eq!(ipv4_checksum(&f[14..34]), 0);
    // break the IPv4 header checksum (14+10) and the TCP checksum (14+20+16)
    f[24] ^= 0xff;
    f[50] ^= 0x5a;
    assert_ne!(ipv4_checksum(&f[14..34]), 0);
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want));
    // the hand-written fixture carries zero checksums throughout
    assert_eq!(decode(LINKTYPE_RAW, &LITERAL_V4_TCP), Ok(want_literal()));
}

#[test]
fn ip_fragments_are_skipped() {
    let t = tcp(PSH | ACK, &[], HELLO);
    // first fragment: offset 0, MF
    let first = ipv4_with(6, CLIENT4, SERVER4, TTL, 7, 0x2000, &t);
    assert_eq!(decode(LINKTYPE_RAW, &first), Err(Skip::IpFragment));
    // later fragment: offset 185 (×8), MF clear
    let later = ipv4_with(6, CLIENT4, SERVER4, TTL, 7, 185, &t);
    assert_eq!(decode(LINKTYPE_RAW, &later), Err(Skip::IpFragment));
    // DF alone is not a fragment
    let whole = ipv4_with(6, CLIENT4, SERVER4, TTL, IP_ID, 0x4000, &t);
    assert_eq!(decode(LINKTYPE_RAW, &whole), Ok(want_v4_tcp(HELLO)));
    // IPv6 fragment header with M set
    let frag = [6, 0, 0x00, 0x01, 0, 0, 0, 9];
    let pkt = ipv6(44, &cat(&[&frag, &t]));
    assert_eq!(decode(LINKTYPE_RAW, &pkt), Err(Skip::IpFragment));
    // IPv6 atomic fragment (offset 0, M clear) is a whole packet
    let atomic = [6, 0, 0x00, 0x00, 0, 0, 0, 9];
    let pkt = ipv6(44, &cat(&[&atomic, &t]));
    assert_eq!(decode(LINKTYPE_RAW, &pkt), Ok(want_v6_tcp(HELLO)));
}

#[test]
fn ipv4_total_length_zero_from_tso() {
    let mut p = ipv4(6, &tcp(PSH | ACK, &[], HELLO));
    p[2..4].copy_from_slice(&[0, 0]);
    assert_eq!(decode(LINKTYPE_RAW, &p), Ok(want_v4_tcp(HELLO)));
}

// ---------------------------------------------------------------------------------------------
// Truncation

#[test]
fn snaplen_truncated_tcp_payload() {
    let payload: Vec<u8> = (0..=255).collect();
    let f = eth(0x0800, &ipv4(6, &tcp(PSH | ACK, &[], &payload)));
    let header_len = 14 + 20 + 20;
    let cut = &f[..header_len + 10];
    assert_eq!(
        decode(LINKTYPE_ETHERNET, cut),
        Ok(Decoded {
            payload_truncated: true,
            ..want_v4_tcp(&payload[..10])
        })
    );
    // cut exactly after the header: empty payload, still truncated
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &f[..header_len]),
        Ok(Decoded {
            payload_truncated: true,
            ..want_v4_tcp(&[])
        })
    );
    // UDP over IPv6
    let f = eth(0x86dd, &ipv6(17, &udp(SPORT, DPORT, &payload)));
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &f[..14 + 40 + 8 + 3]),
        Ok(Decoded {
            payload_truncated: true,
            ..want_v6_udp(&payload[..3])
        })
    );
}

#[test]
fn truncated_and_malformed_headers() {
    let f = eth(0x0800, &ipv4(6, &tcp(PSH | ACK, &[], HELLO)));
    // cut inside the TCP header, the IP header, the Ethernet header
    for len in [14 + 20 + 19, 14 + 20 + 1, 14 + 20, 14 + 19, 14 + 1, 13, 0] {
        assert_eq!(
            decode(LINKTYPE_ETHERNET, &f[..len]),
            Err(Skip::TruncatedHeader),
            "{len}"
        );
    }
    // the IP total length says all bytes are present, yet the TCP header does not fit
    let short = eth(0x0800, &ipv4(6, &tcp(PSH | ACK, &[], HELLO)[..12]));
    assert_eq!(decode(LINKTYPE_ETHERNET, &short), Err(Skip::Malformed));
    // TCP data offset below 5
    let mut t = tcp(PSH | ACK, &[], HELLO);
    t[12] = 0x40;
    assert_eq!(decode(LINKTYPE_RAW, &ipv4(6, &t)), Err(Skip::Malformed));
    // TCP data offset beyond the captured bytes
    let mut t = tcp(PSH | ACK, &[], &[]);
    t[12] = 0xf0;
    assert_eq!(decode(LINKTYPE_RAW, &ipv4(6, &t)), Err(Skip::Malformed));
    // IPv4 IHL below 5
    let mut p = ipv4(6, &tcp(PSH | ACK, &[], HELLO));
    p[0] = 0x44;
    assert_eq!(decode(LINKTYPE_RAW, &p), Err(Skip::Malformed));
    // UDP cut inside its header
    let f = ipv4(17, &udp(SPORT, DPORT, HELLO));
    assert_eq!(decode(LINKTYPE_RAW, &f[..25]), Err(Skip::TruncatedHeader));
}

// ---------------------------------------------------------------------------------------------
// TCP options

#[test]
fn tcp_options_read_on_syn_only() {
    let mss_ws = [2, 4, 0x05, 0xb4, 1, 3, 3, 14];
    let syn_ack = ipv4(6, &tcp(SYN | ACK, &mss_ws, &[]));
    assert_eq!(
        decode(LINKTYPE_RAW, &syn_ack),
        Ok(Decoded {
            tcp: TcpMeta {
                mss: Some(1460),
                wscale: Some(14),
                ..tcp_meta(SYN | ACK)
            },
            ..want_v4_tcp(&[])
        })
    );
    let ack = ipv4(6, &tcp(ACK, &mss_ws, &[]));
    assert_eq!(
        decode(LINKTYPE_RAW, &ack),
        Ok(Decoded {
            tcp: tcp_meta(ACK),
            ..want_v4_tcp(&[])
        })
    );
    // a malformed option (length 1) ends the walk; what came before it is kept
    let broken = [2, 4, 0x05, 0xb4, 8, 1, 3, 3, 14, 1, 1, 1];
    let syn = ipv4(6, &tcp(SYN, &broken, &[]));
    assert_eq!(
        decode(LINKTYPE_RAW, &syn).map(|d| (d.tcp.mss, d.tcp.wscale)),
        Ok((Some(1460), None))
    );
    // an option running past the header, and the end-of-list option
    let overrun = [1, 3, 3, 7, 2, 8, 0, 0];
    let eol = [0, 3, 3, 7];
    for opts in [&overrun[..], &eol[..]] {
        let syn = ipv4(6, &tcp(SYN, opts, &[]));
        let d = decode(LINKTYPE_RAW, &syn).unwrap();
        assert_eq!(
            (d.tcp.mss, d.tcp.wscale),
            (None, if opts[0] == 1 { Some(7) } else { None })
        );
    }
    assert_eq!(syn_options(&[3, 3]), (None, None));
    assert_eq!(syn_options(&[2]), (None, None));
    assert_eq!(syn_options(&[2, 0, 2, 4, 1, 1]), (None, None));
}

#[test]
fn all_tcp_flags() {
    let pkt = ipv4(6, &tcp(0xff, &[], &[]));
    let d = decode(LINKTYPE_RAW, &pkt).unwrap();
    assert_eq!(d.tcp.flags, 0xff);
    use super::tcp_flags::*;
    assert_eq!(FIN | SYN | RST | PSH | ACK | URG | ECE | CWR, 0xff);
}

// ---------------------------------------------------------------------------------------------
// Tunnels

#[test]
fn ip_in_ip_both_ways() {
    // 4in4
    let f = eth(0x0800, &ipv4(4, &inner_v4_tcp()));
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want_inner_v4_tcp()));
    // 4in6
    let f = eth(0x86dd, &ipv6(4, &inner_v4_tcp()));
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want_inner_v4_tcp()));
    // 6in4 (protocol 41)
    let inner6 = ipv6(6, &tcp(PSH | ACK, &[], HELLO));
    let f = eth(
        0x0800,
        &ipv4_with(41, INNER_SRC4, INNER_DST4, 9, 1, 0, &inner6),
    );
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &f),
        Ok(Decoded {
            tunnelled: true,
            ..want_v6_tcp(HELLO)
        })
    );
    // 6in6
    let f = ipv6_with(41, SERVER6, CLIENT6, 1, &inner6);
    assert_eq!(
        decode(LINKTYPE_RAW, &f),
        Ok(Decoded {
            tunnelled: true,
            ..want_v6_tcp(HELLO)
        })
    );
}

#[test]
fn tunnel_depth_limit() {
    let mut pkt = inner_v4_tcp();
    for _ in 0..MAX_TUNNEL_DEPTH {
        pkt = ipv4(4, &pkt);
    }
    assert_eq!(decode(LINKTYPE_RAW, &pkt), Ok(want_inner_v4_tcp()));
    let pkt = ipv6(4, &pkt);
    assert_eq!(decode(LINKTYPE_RAW, &pkt), Err(Skip::TunnelTooDeep));
}

#[test]
fn snaplen_cut_inside_a_tunnel() {
    let f = eth(0x0800, &ipv4(4, &inner_v4_tcp()));
    let cut = &f[..f.len() - 3];
    assert_eq!(
        decode(LINKTYPE_ETHERNET, cut),
        Ok(Decoded {
            payload_truncated: true,
            ..want_inner_v4_tcp()
        })
        .map(|d| Decoded {
            payload: &HELLO[..HELLO.len() - 3],
            ..d
        })
    );
    // cut inside the inner TCP header: truncated; inner header short inside a whole outer: malformed
    assert_eq!(
        decode(LINKTYPE_ETHERNET, &f[..14 + 20 + 20 + 10]),
        Err(Skip::TruncatedHeader)
    );
    let inner = inner_v4_tcp();
    let f = ipv4(4, &inner[..30]);
    assert_eq!(decode(LINKTYPE_RAW, &f), Err(Skip::Malformed));
    let f = ipv4(4, &inner[..10]);
    assert_eq!(decode(LINKTYPE_RAW, &f), Err(Skip::Malformed));
}

#[test]
fn gre_plain_ipv4_and_ipv6() {
    let f = eth(
        0x0800,
        &ipv4(47, &cat(&[&[0, 0, 0x08, 0x00], &inner_v4_tcp()])),
    );
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want_inner_v4_tcp()));
    // checksum + key + sequence, over IPv6, carrying IPv6
    let inner6 = ipv6(6, &tcp(PSH | ACK, &[], HELLO));
    let gre = [
        0xb0, 0x00, 0x86, 0xdd, 0xab, 0xcd, 0, 0, 0, 0, 0, 42, 0, 0, 0, 7,
    ];
    let f = ipv6_with(47, SERVER6, CLIENT6, 3, &cat(&[&gre, &inner6]));
    assert_eq!(
        decode(LINKTYPE_RAW, &f),
        Ok(Decoded {
            tunnelled: true,
            ..want_v6_tcp(HELLO)
        })
    );
    // RFC 1701 source route: checksum/offset word, one SRE with 4 bytes, NULL SRE
    let gre = [
        0x40, 0x00, 0x08, 0x00, 0, 0, 0, 0, // flags R, IPv4; checksum/offset
        0x08, 0x00, 0x00, 0x04, 192, 0, 2, 9, // SRE: family IPv4, 4 bytes
        0x00, 0x00, 0x00, 0x00, // NULL SRE
    ];
    let f = ipv4(47, &cat(&[&gre, &inner_v4_tcp()]));
    assert_eq!(decode(LINKTYPE_RAW, &f), Ok(want_inner_v4_tcp()));
    // unknown GRE version
    let f = ipv4(47, &cat(&[&[0, 0x03, 0x08, 0x00], &inner_v4_tcp()]));
    assert_eq!(decode(LINKTYPE_RAW, &f), Err(Skip::Malformed));
    // GRE header longer than the packet
    let f = ipv4(47, &[0x30, 0, 0x08, 0, 0, 0]);
    assert_eq!(decode(LINKTYPE_RAW, &f), Err(Skip::Malformed));
    // GRE keepalive-like payload that is not IP
    let f = ipv4(47, &[0, 0, 0x88, 0x0b]);
    assert_eq!(decode(LINKTYPE_RAW, &f), Err(Skip::Malformed));
}

#[test]
fn gre_transparent_ethernet_and_erspan() {
    let inner_frame = eth(0x0800, &inner_v4_tcp());
    let teb = ipv4(47, &cat(&[&[0, 0, 0x65, 0x58], &inner_frame]));
    assert_eq!(decode(LINKTYPE_RAW, &teb), Ok(want_inner_v4_tcp()));
    // ERSPAN type I: no sequence number, no ERSPAN header
    let e1 = ipv4(47, &cat(&[&[0, 0, 0x88, 0xbe], &inner_frame]));
    assert_eq!(decode(LINKTYPE_RAW, &e1), Ok(want_inner_v4_tcp()));
    // ERSPAN type II: sequence number, 8-byte header
    let e2 = ipv4(
        47,
        &cat(&[
            &[0x10, 0, 0x88, 0xbe, 0, 0, 0, 5],
            &[0x10, 0x64, 0x00, 0x01, 0, 0, 0, 0],
            &inner_frame,
        ]),
    );
    assert_eq!(decode(LINKTYPE_RAW, &e2), Ok(want_inner_v4_tcp()));
    // ERSPAN type III with the platform subheader, Ethernet frame
    let e3 = ipv4(
        47,
        &cat(&[
            &[0x10, 0, 0x22, 0xeb, 0, 0, 0, 5],
            &[0x20, 0x64, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x00, 0x01],
            &[0; 8],
            &inner_frame,
        ]),
    );
    assert_eq!(decode(LINKTYPE_RAW, &e3), Ok(want_inner_v4_tcp()));
    // ERSPAN type III, frame type IP, no subheader
    let e3_ip = ipv4(
        47,
        &cat(&[
            &[0x10, 0, 0x22, 0xeb, 0, 0, 0, 5],
            &[0x20, 0x64, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x08, 0x00],
            &inner_v4_tcp(),
        ]),
    );
    assert_eq!(decode(LINKTYPE_RAW, &e3_ip), Ok(want_inner_v4_tcp()));
}

#[test]
fn pptp_enhanced_gre() {
    // version 1, K+S set, protocol PPP, payload length + call id, sequence, then PPP
    let inner = inner_v4_tcp();
    let gre = [0x30, 0x01, 0x88, 0x0b, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 3];
    let f = ipv4(47, &cat(&[&gre, &[0xff, 0x03, 0x00, 0x21], &inner]));
    assert_eq!(decode(LINKTYPE_RAW, &f), Ok(want_inner_v4_tcp()));
    // acknowledgment only
    let ack_only = [0x20, 0x81, 0x88, 0x0b, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 3];
    assert_eq!(decode(LINKTYPE_RAW, &ipv4(47, &ack_only)), Err(Skip::NotIp));
    // MPPE-compressed PPP is not IP
    let f = ipv4(47, &cat(&[&gre, &[0x00, 0xfd, 0x90, 0x00]]));
    assert_eq!(decode(LINKTYPE_RAW, &f), Err(Skip::NotIp));
}

#[test]
fn vxlan_inner_tcp() {
    let inner_frame = eth(0x0800, &inner_v4_tcp());
    let vxlan = [0x08, 0, 0, 0, 0x00, 0x00, 0x64, 0x00];
    let f = eth(
        0x0800,
        &ipv4(17, &udp(40000, VXLAN_PORT, &cat(&[&vxlan, &inner_frame]))),
    );
    assert_eq!(decode(LINKTYPE_ETHERNET, &f), Ok(want_inner_v4_tcp()));
    // VXLAN over IPv6 with a QinQ-tagged inner frame carrying IPv6 UDP
    let inner6 = ipv6(17, &udp(SPORT, DPORT, HELLO));
    let inner_frame6 = cat(&[&eth(0x8100, &[0, 5, 0x86, 0xdd]), &inner6]);
    let f = ipv6_with(
        17,
        SERVER6,
        CLIENT6,
        1,
        &udp(40001, VXLAN_PORT, &cat(&[&vxlan, &inner_frame6])),
    );
    assert_eq!(
        decode(LINKTYPE_RAW, &f),
        Ok(Decoded {
            tunnelled: true,
            ..want_v6_udp(HELLO)
        })
    );
    // I flag clear: an ordinary datagram to port 4789
    let not_vxlan = [0x00, 0, 0, 0, 0, 0, 0x64, 0];
    let pkt = ipv4(17, &udp(SPORT, VXLAN_PORT, &not_vxlan));
    assert_eq!(
        decode(LINKTYPE_RAW, &pkt),
        Ok(Decoded {
            dport: VXLAN_PORT,
            ..want_v4_udp(&not_vxlan)
        })
    );
    // VXLAN carrying ARP
    let pkt = ipv4(
        17,
        &udp(SPORT, VXLAN_PORT, &cat(&[&vxlan, &eth(0x0806, &[0; 28])])),
    );
    assert_eq!(decode(LINKTYPE_RAW, &pkt), Err(Skip::NotIp));
    // cut inside the VXLAN header
    let pkt = ipv4(17, &udp(SPORT, VXLAN_PORT, &cat(&[&vxlan, &inner_frame])));
    assert_eq!(
        decode(LINKTYPE_RAW, &pkt[..20 + 8 + 4]),
        Err(Skip::TruncatedHeader)
    );
}

#[test]
fn mixed_tunnel_depth_counts_every_kind() {
    // VXLAN in GRE in 4in6 in IPv4-in-IPv4: four tunnels
    let vxlan = cat(&[&[0x08, 0, 0, 0, 0, 0, 1, 0], &eth(0x0800, &inner_v4_tcp())]);
    let l1 = ipv4(17, &udp(1, VXLAN_PORT, &vxlan));
    let l2 = ipv4(47, &cat(&[&[0, 0, 0x08, 0x00], &l1]));
    let l3 = ipv6(4, &l2);
    let l4 = ipv4(41, &l3);
    assert_eq!(decode(LINKTYPE_RAW, &l4), Ok(want_inner_v4_tcp()));
    let l5 = ipv6(41, &l4);
    assert_eq!(decode(LINKTYPE_RAW, &l5), Err(Skip::TunnelTooDeep));
}

// ---------------------------------------------------------------------------------------------
// Skip

#[test]
fn skip_names_and_indices() {
    let names: Vec<&str> = Skip::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "unsupported_link_type",
            "not_ip",
            "ip_fragment",
            "not_tcp_udp",
            "truncated_header",
            "malformed",
            "tunnel_too_deep"
        ]
    );
    for (i, s) in Skip::ALL.iter().enumerate() {
        assert_eq!(s.index(), i);
        assert!(!s.to_string().is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// No input panics

/// Every frame the tests above build, with its link type.
fn fixtures() -> Vec<(u32, Vec<u8>)> {
    let t4 = ipv4(6, &tcp(SYN, &[2, 4, 5, 0xb4, 1, 3, 3, 7], HELLO));
    let u6 = ipv6(17, &udp(SPORT, DPORT, HELLO));
    let inner_frame = eth(0x0800, &inner_v4_tcp());
    let vxlan = cat(&[&[0x08, 0, 0, 0, 0, 0, 1, 0], &inner_frame]);
    vec![
        (LINKTYPE_RAW, LITERAL_V4_TCP.to_vec()),
        (LINKTYPE_NULL, cat(&[&[2, 0, 0, 0], &LITERAL_V4_TCP])),
        (LINKTYPE_LOOP, cat(&[&[0, 0, 0, 24], &u6])),
        (
            LINKTYPE_LINUX_SLL,
            cat(&[&[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00], &t4]),
        ),
        (
            LINKTYPE_LINUX_SLL2,
            cat(&[
                &[
                    0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0xff, 0xfe, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                ],
                &u6,
            ]),
        ),
        (LINKTYPE_PPP, cat(&[&[0xff, 0x03, 0x00, 0x21], &t4])),
        (LINKTYPE_C_HDLC, cat(&[&[0x0f, 0x00, 0x86, 0xdd], &u6])),
        (LINKTYPE_ETHERNET, eth(0x0800, &t4)),
        (
            LINKTYPE_ETHERNET,
            cat(&[&eth(0x88a8, &[0, 10, 0x81, 0]), &[0, 100, 0x86, 0xdd], &u6]),
        ),
        (
            LINKTYPE_ETHERNET,
            eth(
                0x86dd,
                &ipv6(0, &cat(&[&[6, 0, 1, 4, 0, 0, 0, 0], &tcp(SYN, &[], HELLO)])),
            ),
        ),
        (LINKTYPE_ETHERNET, eth(0x86dd, &ipv6(4, &inner_v4_tcp()))),
        (LINKTYPE_RAW, ipv4(41, &u6)),
        (
            LINKTYPE_RAW,
            ipv4(
                47,
                &cat(&[
                    &[0xb0, 0, 0x65, 0x58, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2],
                    &inner_frame,
                ]),
            ),
        ),
        (
            LINKTYPE_RAW,
            ipv4(
                47,
                &cat(&[
                    &[
                        0x40, 0, 0x08, 0, 0, 0, 0, 0, 0x08, 0, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0,
                    ],
                    &inner_v4_tcp(),
                ]),
            ),
        ),
        (
            LINKTYPE_RAW,
            ipv4(
                47,
                &cat(&[
                    &[
                        0x10, 0, 0x22, 0xeb, 0, 0, 0, 1, 0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
                    ],
                    &[0; 8],
                    &inner_frame,
                ]),
            ),
        ),
        (
            LINKTYPE_RAW,
            ipv4(
                47,
                &cat(&[
                    &[0x30, 0x01, 0x88, 0x0b, 0, 16, 0, 1, 0, 0, 0, 3, 0x00, 0x21],
                    &inner_v4_tcp(),
                ]),
            ),
        ),
        (
            LINKTYPE_ETHERNET,
            eth(0x0800, &ipv4(17, &udp(2, VXLAN_PORT, &vxlan))),
        ),
        (
            LINKTYPE_ETHERNET,
            cat(&[&eth(0x8864, &[0x11, 0, 0, 1, 0, 200]), &[0x00, 0x21], &t4]),
        ),
        (LINKTYPE_ETHERNET, cat(&[&eth(0x8847, &[0, 1, 1, 64]), &u6])),
        (
            LINKTYPE_RAW,
            ipv4_with(6, CLIENT4, SERVER4, 1, 2, 0x2000, &tcp(ACK, &[], HELLO)),
        ),
        (
            LINKTYPE_RAW,
            ipv6(
                44,
                &cat(&[&[6, 0, 0, 1, 0, 0, 0, 1], &tcp(ACK, &[], HELLO)]),
            ),
        ),
    ]
}

/// Decode and check the invariants every success must hold.
fn check(linktype: u32, frame: &[u8]) {
    if let Ok(d) = decode(linktype, frame) {
        let range = frame.as_ptr_range();
        let p = d.payload.as_ptr_range();
        assert!(
            range.start <= p.start && p.end <= range.end,
            "payload outside the frame"
        );
        if d.transport == Transport::Udp {
            assert_eq!(d.tcp, TcpMeta::default());
        }
        if d.src.is_ipv6() {
            assert_eq!(d.ip_id, 0);
        }
    }
}

/// xorshift64: a fixed-seed generator, so a failure reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn all_linktypes() -> impl Iterator<Item = u32> {
    SUPPORTED_LINKTYPES.into_iter().chain([2, 127, u32::MAX])
}

#[test]
fn fixtures_decode() {
    for (lt, f) in fixtures() {
        let d = decode(lt, &f);
        let fragment = matches!(d, Err(Skip::IpFragment));
        assert!(d.is_ok() || fragment, "{lt} {f:02x?}: {d:?}");
    }
}

#[test]
fn no_panic_on_prefixes_mutations_and_noise() {
    let fixtures = fixtures();
    for (_, f) in &fixtures {
        for len in 0..=f.len() {
            for lt in all_linktypes() {
                check(lt, &f[..len]);
            }
        }
    }
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    // single-byte mutations of every fixture, under its own link type
    for (lt, f) in &fixtures {
        let mut m = f.clone();
        for i in 0..m.len() {
            let original = m[i];
            for v in [
                0x00,
                0xff,
                original ^ 0x80,
                original ^ 0x01,
                rng.next() as u8,
            ] {
                m[i] = v;
                check(*lt, &m);
            }
            m[i] = original;
        }
    }
    // several random mutations at once, then a random cut
    for _ in 0..20_000 {
        let (lt, f) = &fixtures[rng.below(fixtures.len())];
        let mut m = f.clone();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(m.len());
            m[i] = rng.next() as u8;
        }
        let len = rng.below(m.len() + 1);
        check(*lt, &m[..len]);
    }
    // pure noise, with IP-looking and tunnel-looking first bytes now and then
    let mut buf = [0u8; 256];
    for round in 0..20_000 {
        let len = rng.below(buf.len() + 1);
        for b in &mut buf[..len] {
            *b = rng.next() as u8;
        }
        if len > 0 && round % 3 == 0 {
            buf[0] = if round % 2 == 0 { 0x45 } else { 0x60 };
        }
        for lt in all_linktypes() {
            check(lt, &buf[..len]);
        }
    }
}
