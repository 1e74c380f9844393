//! Turns the handshake summaries into the record's descriptive fields: offered parameters with
//! IANA names, certificate objects with their problems, and the public-root trust check.
//! Presentation only: no state, no verdict.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::output::record::{CertRecord, ChainCertRecord};
use crate::time::rfc3339_from_secs;
use crate::tls::cert::{CertInfo, CertSummary};
use crate::tls::names;
use crate::tls::{ClientHello, ServerHello};

/// RSA and DSA keys below this are weak (bits): NIST SP 800-131A disallows them since 2013.
pub const MIN_RSA_BITS: u32 = 2048;
/// EC keys below this are weak (bits).
pub const MIN_EC_BITS: u32 = 224;

/// The client's offered parameters, in wire order, as names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Offered {
    pub ciphers: Vec<String>,
    pub extensions: Vec<String>,
    pub groups: Vec<String>,
    pub key_shares: Vec<String>,
    pub sig_algs: Vec<String>,
    pub psk_modes: Vec<String>,
    pub compression: Vec<String>,
    /// A post-quantum (hybrid) group is offered in supported_groups or key_share.
    pub pq: bool,
}

fn psk_mode_name(m: u8) -> String {
    match m {
        0 => "psk_ke".into(),
        1 => "psk_dhe_ke".into(),
        other => format!("0x{other:02x}"),
    }
}

fn compression_name(c: u8) -> String {
    match c {
        0 => "null".into(),
        1 => "deflate".into(),
        64 => "lzs".into(),
        other => format!("0x{other:02x}"),
    }
}

pub fn offered(ch: &ClientHello) -> Offered {
    Offered {
        ciphers: ch.ciphers.iter().map(|c| names::cipher_label(*c)).collect(),
        extensions: ch
            .extensions
            .iter()
            .map(|e| names::extension_label(*e))
            .collect(),
        groups: ch.groups.iter().map(|g| names::group_label(*g)).collect(),
        key_shares: ch
            .key_shares
            .iter()
            .map(|g| names::group_label(*g))
            .collect(),
        sig_algs: ch
            .sig_algs
            .iter()
            .map(|s| names::sig_scheme_label(*s))
            .collect(),
        psk_modes: ch.psk_modes.iter().map(|m| psk_mode_name(*m)).collect(),
        compression: ch
            .compression
            .iter()
            .map(|c| compression_name(*c))
            .collect(),
        pq: ch
            .groups
            .iter()
            .chain(&ch.key_shares)
            .any(|g| names::is_post_quantum_group(*g)),
    }
}

pub fn server_extensions(sh: &ServerHello) -> Vec<String> {
    sh.extensions
        .iter()
        .map(|e| names::extension_label(*e))
        .collect()
}

/// Subjects (DER name contents) of the public roots in `webpki-roots` (Mozilla's CA list).
fn public_roots() -> &'static HashSet<&'static [u8]> {
    static ROOTS: OnceLock<HashSet<&'static [u8]>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .map(|a| a.subject.as_ref())
            .collect()
    })
}

/// Names of roots that were in the public (Mozilla) store for years and have since been
/// removed or expired, matched as whole attributes of the issuer's printed name.
/// `webpki-roots` carries today's store; captures are often older, and a chain that was public
/// when it was captured must not look like interception. Our own list of well-known names, not
/// a trust store.
const FORMER_PUBLIC_ROOTS: &[&str] = &[
    "CN=DigiCert Global Root CA",
    "CN=DigiCert High Assurance EV Root CA",
    "CN=DigiCert Assured ID Root CA",
    "CN=GlobalSign Root CA",
    "OU=GlobalSign Root CA - R2",
    "CN=Baltimore CyberTrust Root",
    "CN=DST Root CA X3",
    "CN=VeriSign Class 3 Public Primary Certification Authority - G5",
    "CN=VeriSign Universal Root Certification Authority",
    "OU=Class 3 Public Primary Certification Authority",
    "CN=GeoTrust Global CA",
    "CN=GeoTrust Primary Certification Authority",
    "CN=thawte Primary Root CA",
    "OU=Equifax Secure Certificate Authority",
    "CN=AddTrust External CA Root",
    "OU=Go Daddy Class 2 Certification Authority",
    "OU=Starfield Class 2 Certification Authority",
    "CN=Entrust.net Certification Authority (2048)",
    "CN=Entrust Root Certification Authority",
    "CN=COMODO Certification Authority",
    "CN=COMODO RSA Certification Authority",
    "CN=COMODO ECC Certification Authority",
    "CN=UTN-USERFirst-Hardware",
    "CN=Cybertrust Global Root",
    "CN=GTE CyberTrust Global Root",
    "CN=StartCom Certification Authority",
    "CN=Visa eCommerce Root",
    "CN=Microsoft Root Certificate Authority 2011",
    "CN=Microsoft Root Certificate Authority 2010",
];

fn formerly_public(issuer: &str) -> bool {
    // The names are whole RDNs of a ", "-joined distinguished name.
    issuer
        .split(',')
        .map(|rdn| rdn.strip_prefix(' ').unwrap_or(rdn))
        .any(|rdn| FORMER_PUBLIC_ROOTS.contains(&rdn))
}

/// Some element of the chain is issued by (or is) a public root: one in `webpki-roots`
/// (Mozilla's store, compared by DER name), or a former public root by name.
pub fn reaches_public_root(c: &CertSummary) -> bool {
    let roots = public_roots();
    c.chain
        .iter()
        .any(|e| roots.contains(e.issuer_der.as_slice()) || formerly_public(&e.issuer))
}

fn weak(e: &CertInfo) -> bool {
    match (e.key_type.as_str(), e.key_bits) {
        ("RSA" | "DSA", Some(b)) => b < MIN_RSA_BITS,
        ("EC", Some(b)) => b < MIN_EC_BITS,
        _ => false,
    }
}

fn secs(t: i64) -> String {
    rfc3339_from_secs(t)
}

fn chain_element(e: &CertInfo) -> ChainCertRecord {
    ChainCertRecord {
        subject: e.subject.clone(),
        issuer: e.issuer.clone(),
        not_before: secs(e.not_before),
        not_after: secs(e.not_after),
        key_type: e.key_type.clone(),
        key_bits: e.key_bits,
        sig_alg: e.sig_alg.clone(),
        serial: e.serial.clone(),
        sha256: e.sha256.clone(),
    }
}

/// The `cert` (or `client_cert`) object, pushing the certificate problems it shows. Validity is
/// judged at `capture_secs`, the capture time of the connection, never today.
pub fn cert_record(
    c: &CertSummary,
    sni: Option<&str>,
    capture_secs: i64,
    problems: &mut Vec<&'static str>,
) -> CertRecord {
    let leaf = c.leaf();
    let mut push = |p: &'static str| {
        if !problems.contains(&p) {
            problems.push(p);
        }
    };
    if capture_secs > leaf.not_after {
        push("cert_expired");
    }
    if capture_secs < leaf.not_before {
        push("cert_not_yet_valid");
    }
    if leaf.self_signed {
        push("self_signed");
    }
    let sni_match = sni.map(|s| c.matches(s));
    if sni_match == Some(false) {
        push("sni_cert_mismatch");
    }
    if c.chain.iter().any(weak) {
        push("weak_key");
    }
    if c.out_of_order() {
        push("chain_out_of_order");
    }
    if !leaf.self_signed && !reaches_public_root(c) {
        push("untrusted_issuer");
    }
    CertRecord {
        subject: leaf.subject.clone(),
        issuer: leaf.issuer.clone(),
        san: c.san.clone(),
        not_before: secs(leaf.not_before),
        not_after: secs(leaf.not_after),
        chain_len: c.chain_len,
        self_signed: leaf.self_signed,
        sni_match,
        key_type: leaf.key_type.clone(),
        key_bits: leaf.key_bits,
        sig_alg: leaf.sig_alg.clone(),
        serial: leaf.serial.clone(),
        sha256: leaf.sha256.clone(),
        sha1: leaf.sha1.clone(),
        chain: c.chain.iter().map(chain_element).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_roots_are_loaded() {
        assert!(public_roots().len() > 100);
    }

    #[test]
    fn former_public_roots_match_whole_names() {
        assert!(formerly_public(
            "C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root CA"
        ));
        assert!(formerly_public(
            "CN=DigiCert Global Root CA, O=DigiCert Inc"
        ));
        assert!(!formerly_public("CN=DigiCert Global Root CA Impostor"));
        assert!(!formerly_public("O=tlscope samples, CN=tlscope sample CA"));
    }

    #[test]
    fn offered_names_grease_and_pq() {
        let ch = ClientHello {
            ciphers: vec![0x0a0a, 0x1301, 0xc02f, 0x1234],
            extensions: vec![0, 0xfe0d, 0x9a9a],
            groups: vec![0x11ec, 0x1d],
            key_shares: vec![0x11ec],
            sig_algs: vec![0x0403, 0x0804],
            psk_modes: vec![1],
            compression: vec![0],
            ..ClientHello::default()
        };
        let o = offered(&ch);
        assert_eq!(
            o.ciphers,
            vec![
                "GREASE(0x0a0a)",
                "TLS_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "0x1234"
            ]
        );
        assert_eq!(
            o.extensions,
            vec!["server_name", "encrypted_client_hello", "GREASE(0x9a9a)"]
        );
        assert_eq!(o.groups, vec!["X25519MLKEM768", "x25519"]);
        assert_eq!(o.key_shares, vec!["X25519MLKEM768"]);
        assert_eq!(
            o.sig_algs,
            vec!["ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256"]
        );
        assert_eq!(o.psk_modes, vec!["psk_dhe_ke"]);
        assert_eq!(o.compression, vec!["null"]);
        assert!(o.pq);
    }
}
