//! Certificate chains as sent in plaintext by TLS ≤ 1.2 (the server's, and a client's under
//! mutual TLS): parsed once with `x509-parser` into small owned summaries (nothing borrowed from
//! the packet survives), plus the hostname-matching rule used for `sni_match`. Trust (does the
//! chain reach a public root?) is judged by the verdict.
//!
//! Validity is judged against the capture time by the verdict, never against today.

use std::borrow::Cow;

use sha2::{Digest, Sha256};
use x509_parser::der_parser::oid::Oid;
use x509_parser::extensions::GeneralName;
use x509_parser::objects::{oid_registry, oid2sn};
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, Validity, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey;

/// Certificates kept from one Certificate message (count). Real chains have 2–4.
pub const MAX_CHAIN: usize = 16;
/// SAN entries kept from the leaf (count). Shared-hosting certificates carry a few hundred.
pub const MAX_SAN: usize = 1000;

/// One certificate of a chain, as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    /// RFC 4514-style distinguished names, as x509-parser prints them.
    pub subject: String,
    pub issuer: String,
    /// Validity, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// "RSA", "EC", "Ed25519", "Ed448", "DSA", or the algorithm's OID.
    pub key_type: String,
    /// RSA/DSA modulus bits, EC field bits; `None` when unknown.
    pub key_bits: Option<u32>,
    /// Signature algorithm short name, e.g. "sha256WithRSAEncryption".
    pub sig_alg: String,
    /// Serial number, lowercase hex without leading zero bytes (as `openssl x509 -serial`).
    pub serial: String,
    /// SHA-256 of the DER encoding, lowercase hex; `None` when only a prefix was captured.
    pub sha256: Option<String>,
    /// SHA-1 of the DER encoding, lowercase hex; `None` when only a prefix was captured.
    pub sha1: Option<String>,
    /// Subject equals issuer.
    pub self_signed: bool,
    /// The issuer's DER-encoded name contents (without the outer SEQUENCE), for trust checks.
    pub issuer_der: Vec<u8>,
}

/// The chain of one Certificate message, leaf first, with the leaf's names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// Parsed certificates in the order sent (unparseable ones are skipped and counted).
    pub chain: Vec<CertInfo>,
    /// Certificates in the message, parsed or not.
    pub chain_len: u32,
    /// Certificates that did not parse.
    pub unparsed: u32,
    /// DNS names and IP addresses from the leaf's subjectAltName, in order.
    pub san: Vec<String>,
    /// The leaf subject's common name (used for matching when there is no DNS SAN).
    pub common_name: Option<String>,
}

impl CertSummary {
    pub fn leaf(&self) -> &CertInfo {
        &self.chain[0]
    }

    /// Some element is not issued by the next one, yet the issuer is elsewhere in the chain.
    pub fn out_of_order(&self) -> bool {
        self.chain.windows(2).enumerate().any(|(i, w)| {
            w[0].issuer != w[1].subject
                && !w[0].self_signed
                && self.chain[i + 2..].iter().any(|c| c.subject == w[0].issuer)
        })
    }
}

fn be24(b: &[u8]) -> usize {
    ((b[0] as usize) << 16) | ((b[1] as usize) << 8) | b[2] as usize
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The contents of a DER SEQUENCE (strips tag and length); the input when it is not one.
fn der_contents(raw: &[u8]) -> &[u8] {
    if raw.len() < 2 || raw[0] != 0x30 {
        return raw;
    }
    let (len, hdr) = match raw[1] {
        n if n < 0x80 => (n as usize, 2),
        0x81 if raw.len() > 2 => (raw[2] as usize, 3),
        0x82 if raw.len() > 3 => (((raw[2] as usize) << 8) | raw[3] as usize, 4),
        _ => return raw,
    };
    raw.get(hdr..hdr + len).unwrap_or(raw)
}

fn key_type_name(sn: &str) -> Option<&'static str> {
    Some(match sn {
        "rsaEncryption" => "RSA",
        "id-ecPublicKey" => "EC",
        "ED25519" | "Ed25519" => "Ed25519",
        "ED448" | "Ed448" => "Ed448",
        "dsa" | "DSA" => "DSA",
        _ => return None,
    })
}

fn cert_info(cert: &X509Certificate<'_>, der: &[u8]) -> CertInfo {
    let registry = oid_registry();
    let key_oid = &cert.public_key().algorithm.algorithm;
    let key_sn = oid2sn(key_oid, registry).ok();
    let key_type = key_sn
        .and_then(key_type_name)
        .map(str::to_string)
        .unwrap_or_else(|| key_oid.to_id_string());
    let key_bits = match cert.public_key().parsed() {
        Ok(PublicKey::RSA(k)) => Some(k.key_size() as u32),
        Ok(PublicKey::EC(k)) => Some(k.key_size() as u32),
        Ok(PublicKey::DSA(y)) => Some((y.iter().skip_while(|b| **b == 0).count() * 8) as u32),
        _ => match key_type.as_str() {
            "Ed25519" => Some(256),
            "Ed448" => Some(456),
            _ => None,
        },
    };
    let sig_oid = &cert.signature_algorithm.algorithm;
    let sig_alg = oid2sn(sig_oid, registry)
        .map(str::to_string)
        .unwrap_or_else(|_| sig_oid.to_id_string());
    let serial_bytes = cert.raw_serial();
    let first = serial_bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(serial_bytes.len().saturating_sub(1));
    CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        key_type,
        key_bits,
        sig_alg,
        serial: hex(&serial_bytes[first.min(serial_bytes.len())..]),
        sha256: Some(hex(&Sha256::digest(der))),
        sha1: Some(hex(&sha1::Sha1::digest(der))),
        self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
        issuer_der: der_contents(cert.issuer().as_raw()).to_vec(),
    }
}

/// The bytes of the first certificate entry, however short.
fn list_prefix(body: &[u8]) -> Vec<u8> {
    body.get(6..).unwrap_or(&[]).to_vec()
}

/// Reads a DER header: (tag, header length, content length).
fn der_header(b: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    if first < 0x80 {
        return Some((tag, 2, first as usize));
    }
    let n = (first & 0x7f) as usize;
    if n == 0 || n > 4 || b.len() < 2 + n {
        return None;
    }
    let len = b[2..2 + n]
        .iter()
        .fold(0usize, |a, x| (a << 8) | *x as usize);
    Some((tag, 2 + n, len))
}

/// Summarises a certificate of which only a prefix is at hand (a certificate of hundreds of KB
/// in a cut Certificate message): the TBSCertificate fields before the extensions — serial,
/// signature algorithm, issuer, validity, subject, key — are at its start. No SAN, no digest.
fn leaf_from_prefix(der: &[u8]) -> Option<CertSummary> {
    let (tag, hdr, _) = der_header(der)?;
    if tag != 0x30 {
        return None;
    }
    let tbs_all = der.get(hdr..)?;
    let (tag, hdr, _) = der_header(tbs_all)?;
    if tag != 0x30 {
        return None;
    }
    let mut p = tbs_all.get(hdr..)?;
    let skip = |p: &[u8]| -> Option<(u8, usize, usize)> {
        let (t, h, l) = der_header(p)?;
        (p.len() >= h + l).then_some((t, h, l))
    };
    // [0] version
    if p.first() == Some(&0xa0) {
        let (_, h, l) = skip(p)?;
        p = &p[h + l..];
    }
    let (tag, h, l) = skip(p)?;
    if tag != 0x02 {
        return None;
    }
    let serial_bytes = &p[h..h + l];
    p = &p[h + l..];
    let (_, h, l) = skip(p)?;
    let alg = &p[h..h + l];
    p = &p[h + l..];
    let registry = oid_registry();
    let sig_alg = der_header(alg)
        .filter(|(t, _, _)| *t == 0x06)
        .and_then(|(_, oh, ol)| alg.get(oh..oh + ol))
        .map(|bytes| {
            let oid = Oid::new(Cow::Borrowed(bytes));
            oid2sn(&oid, registry)
                .map(str::to_string)
                .unwrap_or_else(|_| oid.to_id_string())
        })
        .unwrap_or_default();
    let (p, issuer) = X509Name::from_der(p).ok()?;
    let (p, validity) = Validity::from_der(p).ok()?;
    let (p, subject) = X509Name::from_der(p).ok()?;
    let spki = SubjectPublicKeyInfo::from_der(p).ok().map(|(_, k)| k);
    let key_type = spki
        .as_ref()
        .map(|k| {
            oid2sn(&k.algorithm.algorithm, registry)
                .ok()
                .and_then(key_type_name)
                .map(str::to_string)
                .unwrap_or_else(|| k.algorithm.algorithm.to_id_string())
        })
        .unwrap_or_default();
    let key_bits = spki.as_ref().and_then(|k| match k.parsed() {
        Ok(PublicKey::RSA(r)) => Some(r.key_size() as u32),
        Ok(PublicKey::EC(e)) => Some(e.key_size() as u32),
        _ => None,
    });
    let first = serial_bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(serial_bytes.len().saturating_sub(1));
    let info = CertInfo {
        subject: subject.to_string(),
        issuer: issuer.to_string(),
        not_before: validity.not_before.timestamp(),
        not_after: validity.not_after.timestamp(),
        key_type,
        key_bits,
        sig_alg,
        serial: hex(&serial_bytes[first.min(serial_bytes.len())..]),
        sha256: None,
        sha1: None,
        self_signed: subject.as_raw() == issuer.as_raw(),
        issuer_der: der_contents(issuer.as_raw()).to_vec(),
    };
    let common_name = subject
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string);
    Some(CertSummary {
        chain: vec![info],
        chain_len: 1,
        unparsed: 0,
        san: Vec::new(),
        common_name,
    })
}

/// Parses a TLS ≤ 1.2 Certificate message body (`certificate_list<0..2^24-1>` of DER blobs).
/// `None` when the list is empty or the leaf does not parse.
pub fn parse_certificate_message(body: &[u8]) -> Option<CertSummary> {
    if body.len() < 3 {
        return None;
    }
    let total = be24(body).min(body.len() - 3);
    let mut list = &body[3..3 + total];
    let mut ders: Vec<&[u8]> = Vec::new();
    while list.len() >= 3 && ders.len() < MAX_CHAIN {
        let len = be24(list);
        if list.len() < 3 + len {
            break;
        }
        ders.push(&list[3..3 + len]);
        list = &list[3 + len..];
    }
    let leaf = match X509Certificate::from_der(ders.first().copied().unwrap_or(&[])) {
        Ok((_, c)) => c,
        // The message was cut (a prefix of a huge Certificate message): what the first
        // certificate's header says is still worth having.
        Err(_) => return leaf_from_prefix(&list_prefix(body)),
    };
    let mut san = Vec::new();
    if let Ok(Some(ext)) = leaf.subject_alternative_name() {
        for name in ext.value.general_names.iter().take(MAX_SAN) {
            match name {
                GeneralName::DNSName(d) => san.push(d.to_string()),
                GeneralName::IPAddress(ip) => match ip.len() {
                    4 => san.push(std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string()),
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(ip);
                        san.push(std::net::Ipv6Addr::from(a).to_string());
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    let common_name = leaf
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string);
    let mut chain = vec![cert_info(&leaf, ders[0])];
    let mut unparsed = 0;
    for der in &ders[1..] {
        match X509Certificate::from_der(der) {
            Ok((_, c)) => chain.push(cert_info(&c, der)),
            Err(_) => unparsed += 1,
        }
    }
    Some(CertSummary {
        chain,
        chain_len: ders.len() as u32,
        unparsed,
        san,
        common_name,
    })
}

/// RFC 6125 matching of a server name against one certificate name: case-insensitive, a
/// wildcard only as the whole left-most label, matching exactly one label, and never for a
/// name with fewer than three labels under it (`*.com`).
pub fn name_matches(host: &str, pattern: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    if let Some(rest) = pattern.strip_prefix("*.") {
        if rest.split('.').count() < 2 || rest.contains('*') {
            return false;
        }
        return match host.split_once('.') {
            Some((first, host_rest)) => !first.is_empty() && host_rest == rest,
            None => false,
        };
    }
    !pattern.contains('*') && host == pattern
}

impl CertSummary {
    /// Whether `sni` matches the certificate: the DNS SANs, or the CN when there are none.
    pub fn matches(&self, sni: &str) -> bool {
        let dns: Vec<&String> = self
            .san
            .iter()
            .filter(|s| s.parse::<std::net::IpAddr>().is_err())
            .collect();
        if sni.parse::<std::net::IpAddr>().is_ok() {
            return self.san.iter().any(|s| s == sni);
        }
        if dns.is_empty() {
            return self
                .common_name
                .as_deref()
                .is_some_and(|cn| name_matches(sni, cn));
        }
        dns.iter().any(|p| name_matches(sni, p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_rules() {
        assert!(name_matches("www.example.com", "www.example.com"));
        assert!(name_matches("WWW.Example.com.", "www.example.com"));
        assert!(name_matches("a.example.com", "*.example.com"));
        assert!(!name_matches("a.b.example.com", "*.example.com"));
        assert!(!name_matches("example.com", "*.example.com"));
        assert!(!name_matches("foo.com", "*.com"));
        assert!(!name_matches("www.example.com", "w*.example.com"));
        assert!(!name_matches("www.example.com", "other.example.com"));
    }

    #[test]
    fn garbage_and_empty_lists_give_none() {
        assert_eq!(parse_certificate_message(&[]), None);
        assert_eq!(parse_certificate_message(&[0, 0, 0]), None);
        assert_eq!(
            parse_certificate_message(&[0, 0, 5, 0, 0, 2, 0x30, 0x00]),
            None
        );
        let mut x: u32 = 7;
        for n in 0..300 {
            let v: Vec<u8> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            let _ = parse_certificate_message(&v);
        }
    }
}
