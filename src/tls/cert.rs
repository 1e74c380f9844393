//! The server's leaf certificate, as sent in plaintext by TLS ≤ 1.2: parsed once with
//! `x509-parser` into a small owned summary (nothing borrowed from the packet survives), plus
//! the hostname-matching rule used for `sni_match`.
//!
//! Validity is judged against the capture time by the verdict, never against today.

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Certificates kept from one Certificate message (count). Real chains have 2–4.
pub const MAX_CHAIN: usize = 16;
/// SAN entries kept from the leaf (count).
pub const MAX_SAN: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// RFC 4514-style distinguished names, as x509-parser prints them.
    pub subject: String,
    pub issuer: String,
    /// DNS names and IP addresses from subjectAltName, in order.
    pub san: Vec<String>,
    /// The subject's common name (used for matching when there is no DNS SAN).
    pub common_name: Option<String>,
    /// Validity, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// Certificates in the chain as sent.
    pub chain_len: u32,
    /// Subject equals issuer.
    pub self_signed: bool,
}

fn be24(b: &[u8]) -> usize {
    ((b[0] as usize) << 16) | ((b[1] as usize) << 8) | b[2] as usize
}

/// Parses a TLS ≤ 1.2 Certificate message body (`certificate_list<0..2^24-1>` of DER blobs)
/// and summarises the first (leaf) certificate. `None` when the list is empty or the leaf
/// does not parse.
pub fn parse_certificate_message(body: &[u8]) -> Option<CertSummary> {
    if body.len() < 3 {
        return None;
    }
    let total = be24(body).min(body.len() - 3);
    let mut list = &body[3..3 + total];
    let mut chain: Vec<&[u8]> = Vec::new();
    while list.len() >= 3 && chain.len() < MAX_CHAIN {
        let len = be24(list);
        if list.len() < 3 + len {
            break;
        }
        chain.push(&list[3..3 + len]);
        list = &list[3 + len..];
    }
    let leaf = chain.first()?;
    let (_, cert) = X509Certificate::from_der(leaf).ok()?;
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    let mut san = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
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
    let common_name = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string);
    let self_signed = cert.subject().as_raw() == cert.issuer().as_raw();
    Some(CertSummary {
        subject,
        issuer,
        san,
        common_name,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        chain_len: chain.len() as u32,
        self_signed,
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
