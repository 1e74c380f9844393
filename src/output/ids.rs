//! Connection identifiers other tools' formats expect, all computed from a finished
//! [`SessionRecord`] and nothing else (so they are deterministic: the same capture gives the
//! same identifiers on every run and every machine).
//!
//! - [`uid`]: Zeek-style `uid`, `"C"` + base62 of 96 bits of SHA-256 over the transport, the
//!   client and server endpoints and the first packet's time. Zeek draws its uids at random;
//!   ours are reproducible, and unique as long as two connections do not share the 4-tuple and
//!   the microsecond they started.
//! - [`flow_id`]: Suricata-style integer `flow_id` from the same hash, below 2^51 so that every
//!   JSON consumer holds it exactly.
//! - [`community_id`]: the Community ID flow hash, version 1 with the default seed 0, as Zeek's
//!   and Suricata's optional `community_id` fields: `"1:"` + base64(SHA-1(seed, addresses,
//!   protocol, ports)), the endpoints ordered so that both directions give the same value.

use std::net::{IpAddr, SocketAddr};

use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::record::SessionRecord;

/// IANA protocol numbers.
const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;

/// The record's client and server as socket addresses (`None` if a string does not parse,
/// which the record's own writer never produces).
pub fn endpoints(r: &SessionRecord) -> Option<(SocketAddr, SocketAddr)> {
    Some((r.client.parse().ok()?, r.server.parse().ok()?))
}

/// IP protocol number of the record's transport.
pub fn ip_proto(r: &SessionRecord) -> u8 {
    if r.transport == "quic" {
        PROTO_UDP
    } else {
        PROTO_TCP
    }
}

fn digest(r: &SessionRecord) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [r.transport, &r.client, &r.server, &r.ts] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().into()
}

/// Zeek-style connection uid: `C` + base62 of 96 bits of the record's hash.
pub fn uid(r: &SessionRecord) -> String {
    let d = digest(r);
    let mut n = [0u8; 16];
    n[4..].copy_from_slice(&d[..12]);
    format!("C{}", base62(u128::from_be_bytes(n)))
}

/// Suricata-style `flow_id`: 51 bits of the record's hash (exact in any JSON reader).
pub fn flow_id(r: &SessionRecord) -> u64 {
    let d = digest(r);
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[12..20]);
    u64::from_be_bytes(b) & ((1 << 51) - 1)
}

/// Base62 (`0-9A-Za-z`, most significant digit first) of `n`; `"0"` for zero.
pub fn base62(mut n: u128) -> String {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 62) as usize]);
        n /= 62;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn ip_bytes(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

/// Community ID v1 for a flow between `a` and `b` over IP protocol `proto`, with `seed` (0 is
/// the default of Zeek's and Suricata's configurations). Both directions give the same value.
pub fn community_id_v1(a: SocketAddr, b: SocketAddr, proto: u8, seed: u16) -> String {
    let (src, dst) = {
        let ka = (ip_bytes(a.ip()), a.port());
        let kb = (ip_bytes(b.ip()), b.port());
        if ka <= kb { (ka, kb) } else { (kb, ka) }
    };
    let mut h = Sha1::new();
    h.update(seed.to_be_bytes());
    h.update(&src.0);
    h.update(&dst.0);
    h.update([proto, 0]);
    h.update(src.1.to_be_bytes());
    h.update(dst.1.to_be_bytes());
    format!("1:{}", base64(&h.finalize()))
}

/// The record's Community ID (`None` if its endpoints do not parse).
pub fn community_id(r: &SessionRecord) -> Option<String> {
    let (c, s) = endpoints(r)?;
    Some(community_id_v1(c, s, ip_proto(r), 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::snapshot::test_record;
    use crate::time::Timestamp;

    #[test]
    fn base62_digits() {
        assert_eq!(base62(0), "0");
        assert_eq!(base62(61), "z");
        assert_eq!(base62(62), "10");
        assert_eq!(base62(62 * 62 + 10), "10A");
        // 96 bits fit in 17 digits.
        assert_eq!(base62((1u128 << 96) - 1).len(), 17);
    }

    #[test]
    fn base64_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want, "{input}");
        }
    }

    #[test]
    fn community_id_spec_vector() {
        // The Community ID spec's README example (corelight/community-id-spec), seed 0.
        let a: SocketAddr = "128.232.110.120:34855".parse().unwrap();
        let b: SocketAddr = "66.35.250.204:80".parse().unwrap();
        assert_eq!(
            community_id_v1(a, b, PROTO_TCP, 0),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
        );
        assert_eq!(
            community_id_v1(b, a, PROTO_TCP, 0),
            community_id_v1(a, b, 6, 0)
        );
    }

    #[test]
    fn community_id_matches_suricata_verify_with_its_seed() {
        // suricata-verify tests/community-id-ipv4 and -ipv6 (test.yaml): those runs use seed 7
        // (their configuration; found by computing all 65,536 seeds).
        let a: SocketAddr = "172.26.0.39:35958".parse().unwrap();
        let b: SocketAddr = "172.217.14.206:443".parse().unwrap();
        assert_eq!(
            community_id_v1(a, b, PROTO_TCP, 7),
            "1:IwiTNfuO7aCaamMijl+7/X9uLx0="
        );
        let a: SocketAddr = "[2600:1f13:f8:d400:3a6:303c:e011:18eb]:60202"
            .parse()
            .unwrap();
        let b: SocketAddr = "[2607:f8b0:400a:800::200e]:443".parse().unwrap();
        assert_eq!(
            community_id_v1(a, b, PROTO_TCP, 7),
            "1:ptJhMvufAbB5nLDNW77cB800wFM="
        );
    }

    #[test]
    fn uid_is_deterministic_and_distinct() {
        let t = Timestamp::from_secs_nanos(1_700_000_000, 0);
        let a = test_record(Some("a.example"), "established", t, None);
        let mut b = a.clone();
        b.client = "192.0.2.10:50001".into();
        assert_eq!(uid(&a), uid(&a.clone()));
        assert_ne!(uid(&a), uid(&b));
        assert!(uid(&a).starts_with('C'));
        assert!((15..=18).contains(&uid(&a).len()), "{}", uid(&a));
        assert!(uid(&a)[1..].bytes().all(|c| c.is_ascii_alphanumeric()));
        assert!(flow_id(&a) < 1 << 51);
        assert_ne!(flow_id(&a), flow_id(&b));
    }
}
