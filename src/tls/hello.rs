//! ClientHello and ServerHello bodies → small owned summaries.
//!
//! `tls-parser` parses the fixed fields and each extension's content; the extension list itself
//! is walked here, one framed extension at a time, so that one malformed extension is counted and
//! skipped instead of silently ending the list (tls-parser's `many0` stops quietly). Nothing
//! borrowed from the packet leaves this module. Fingerprints are computed later, from these
//! summaries, never while parsing.

use tls_parser::{
    SNIType, TlsExtension, parse_tls_client_hello_extension, parse_tls_handshake_client_hello,
    parse_tls_handshake_server_hello, parse_tls_server_hello_extension,
};

use crate::limits::{MAX_ALPN_ENTRIES, MAX_EXTENSIONS, MAX_LIST_ENTRIES};

/// Extension type numbers this module reads.
pub mod ext {
    pub const SERVER_NAME: u16 = 0;
    pub const SUPPORTED_GROUPS: u16 = 10;
    pub const EC_POINT_FORMATS: u16 = 11;
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    pub const ALPN: u16 = 16;
    pub const SESSION_TICKET: u16 = 35;
    pub const PRE_SHARED_KEY: u16 = 41;
    pub const EARLY_DATA: u16 = 42;
    pub const SUPPORTED_VERSIONS: u16 = 43;
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    pub const KEY_SHARE: u16 = 51;
    /// key_share's number in TLS 1.3 drafts up to 22 (Zeek calls it `key_share_old`).
    pub const KEY_SHARE_DRAFT: u16 = 40;
    pub const ENCRYPTED_CLIENT_HELLO: u16 = 0xfe0d;
    pub const ENCRYPTED_SERVER_NAME: u16 = 0xffce;
}

/// The random of a HelloRetryRequest (RFC 8446 §4.1.3): SHA-256 of "HelloRetryRequest".
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientHello {
    /// `legacy_version` (or the SSLv2 hello's version).
    pub legacy_version: u16,
    pub session_id: Vec<u8>,
    /// Cipher suites in wire order, GREASE included.
    pub ciphers: Vec<u16>,
    pub compression: Vec<u8>,
    /// Extension types in wire order, GREASE included.
    pub extensions: Vec<u16>,
    pub sni: Option<String>,
    pub alpn: Vec<String>,
    /// The first ALPN value as raw bytes (JA4 reads its first and last byte); `None` without
    /// an ALPN extension.
    pub alpn_first_raw: Option<Vec<u8>>,
    /// supported_versions in wire order, GREASE included.
    pub supported_versions: Vec<u16>,
    pub groups: Vec<u16>,
    pub ec_point_formats: Vec<u8>,
    pub sig_algs: Vec<u16>,
    /// Groups of the key_share entries, in wire order.
    pub key_shares: Vec<u16>,
    pub psk_modes: Vec<u8>,
    /// A non-empty session_ticket extension (a ticket offered for resumption).
    pub ticket_offered: bool,
    /// pre_shared_key present (TLS 1.3 resumption or external PSK offered).
    pub psk_offered: bool,
    pub early_data: bool,
    /// encrypted_client_hello (0xfe0d) present.
    pub ech: bool,
    /// The old encrypted_server_name (0xffce) draft extension present.
    pub esni: bool,
    /// Sent in the SSLv2-compatible format.
    pub sslv2_format: bool,
    /// Extensions whose content did not parse (kept in `extensions`, counted here).
    pub malformed_extensions: u16,
    /// Bytes after the extension block, or extensions cut off by a bad length.
    pub trailing_garbage: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerHello {
    pub legacy_version: u16,
    pub session_id: Vec<u8>,
    pub cipher: u16,
    pub compression: u8,
    pub extensions: Vec<u16>,
    /// supported_versions selected_version (TLS 1.3).
    pub selected_version: Option<u16>,
    /// key_share group (TLS 1.3 ServerHello, or the group a HelloRetryRequest asks for).
    pub key_share_group: Option<u16>,
    pub alpn: Option<String>,
    /// pre_shared_key present: the server accepted a PSK (TLS 1.3 resumption).
    pub psk_accepted: bool,
    /// session_ticket present: the server will send a new ticket (TLS ≤ 1.2).
    pub ticket_ext: bool,
    /// The random is the HelloRetryRequest magic value.
    pub is_hrr: bool,
    /// An SSLv2 SERVER-HELLO.
    pub sslv2_format: bool,
    pub malformed_extensions: u16,
}

impl ServerHello {
    /// The negotiated version: supported_versions wins over the legacy field.
    pub fn version(&self) -> u16 {
        self.selected_version.unwrap_or(self.legacy_version)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelloError {
    /// The body is shorter than its fixed fields.
    Truncated,
    /// A fixed field is impossible (e.g. a session id longer than 32 bytes).
    Malformed,
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// Walks a framed extension block: calls `each(type, framed_bytes)` for every extension.
/// Returns false when the block is cut or over-long (the rest is ignored).
fn walk_extensions(mut block: &[u8], mut each: impl FnMut(u16, &[u8]) -> bool) -> bool {
    let mut n = 0;
    while !block.is_empty() {
        if block.len() < 4 || n >= MAX_EXTENSIONS {
            return false;
        }
        let len = be16(&block[2..4]) as usize;
        if block.len() < 4 + len {
            return false;
        }
        let (framed, rest) = block.split_at(4 + len);
        if !each(be16(framed), framed) {
            return false;
        }
        block = rest;
        n += 1;
    }
    true
}

fn utf8_lossy_bounded(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(255)]).into_owned()
}

/// Parses a ClientHello handshake body (without the 4-byte handshake header).
pub fn parse_client_hello(body: &[u8]) -> Result<ClientHello, HelloError> {
    let (rest, ch) = parse_tls_handshake_client_hello(body).map_err(|e| match e {
        tls_parser::nom::Err::Incomplete(_) => HelloError::Truncated,
        _ if body.len() < 39 => HelloError::Truncated,
        _ => HelloError::Malformed,
    })?;
    let mut out = ClientHello {
        legacy_version: ch.version.0,
        session_id: ch.session_id.unwrap_or_default().to_vec(),
        ciphers: ch.ciphers.iter().map(|c| c.0).collect(),
        compression: ch.comp.iter().map(|c| c.0).collect(),
        ..ClientHello::default()
    };
    out.ciphers.truncate(MAX_LIST_ENTRIES);
    if !rest.is_empty() {
        out.trailing_garbage = true;
    }
    // An extension block whose length runs past the message is read as far as it goes.
    let ext_block = match ch.ext {
        Some(e) => e,
        None if rest.len() > 2 => &rest[2..],
        None => &[],
    };
    let complete = walk_extensions(ext_block, |ty, framed| {
        out.extensions.push(ty);
        match ty {
            ext::ENCRYPTED_CLIENT_HELLO => out.ech = true,
            ext::ENCRYPTED_SERVER_NAME => out.esni = true,
            ext::PRE_SHARED_KEY => out.psk_offered = true,
            ext::EARLY_DATA => out.early_data = true,
            _ => {}
        }
        match parse_tls_client_hello_extension(framed) {
            Ok((_, e)) => client_extension(&mut out, e, framed),
            Err(_) => out.malformed_extensions += 1,
        }
        true
    });
    if !complete {
        out.trailing_garbage = true;
    }
    Ok(out)
}

fn client_extension(out: &mut ClientHello, e: TlsExtension<'_>, framed: &[u8]) {
    match e {
        TlsExtension::SNI(names)
            if out.sni.is_none() => {
                out.sni = names
                    .iter()
                    .find(|(t, _)| *t == SNIType::HostName)
                    .map(|(_, n)| utf8_lossy_bounded(n));
            }
        TlsExtension::ALPN(protos) => {
            out.alpn_first_raw = Some(protos.first().map(|p| p.to_vec()).unwrap_or_default());
            out.alpn = protos
                .iter()
                .take(MAX_ALPN_ENTRIES)
                .map(|p| utf8_lossy_bounded(p))
                .collect();
        }
        TlsExtension::SupportedVersions(v) => {
            out.supported_versions = v.iter().take(MAX_LIST_ENTRIES).map(|v| v.0).collect();
        }
        TlsExtension::EllipticCurves(g) => {
            out.groups = g.iter().take(MAX_LIST_ENTRIES).map(|g| g.0).collect();
        }
        TlsExtension::EcPointFormats(f) => {
            out.ec_point_formats = f.iter().take(MAX_LIST_ENTRIES).copied().collect();
        }
        TlsExtension::SignatureAlgorithms(s) => {
            out.sig_algs = s.into_iter().take(MAX_LIST_ENTRIES).collect();
        }
        TlsExtension::KeyShare(data)
            // KeyShareClientHello: client_shares<0..2^16-1> of {group, key_exchange<1..2^16-1>}.
            if data.len() >= 2 => {
                let mut list = &data[2..data.len().min(2 + be16(data) as usize)];
                while list.len() >= 4 && out.key_shares.len() < MAX_LIST_ENTRIES {
                    let len = be16(&list[2..]) as usize;
                    out.key_shares.push(be16(list));
                    list = &list[(4 + len).min(list.len())..];
                }
            }
        TlsExtension::PskExchangeModes(m) => out.psk_modes = m.into_iter().take(8).collect(),
        TlsExtension::SessionTicket(t) => out.ticket_offered = !t.is_empty(),
        TlsExtension::Unknown(..) | TlsExtension::Grease(..) => {
            let _ = framed;
        }
        _ => {}
    }
}

/// Parses an SSLv2-format CLIENT-HELLO message body (the bytes after the 2-byte record
/// length: msg_type 1, version, and the three lengths).
pub fn parse_sslv2_client_hello(msg: &[u8]) -> Result<ClientHello, HelloError> {
    if msg.len() < 9 {
        return Err(HelloError::Truncated);
    }
    if msg[0] != 1 {
        return Err(HelloError::Malformed);
    }
    let version = be16(&msg[1..]);
    let cipher_len = be16(&msg[3..]) as usize;
    let sid_len = be16(&msg[5..]) as usize;
    let challenge_len = be16(&msg[7..]) as usize;
    if !cipher_len.is_multiple_of(3) || sid_len > 32 || !(16..=32).contains(&challenge_len) {
        return Err(HelloError::Malformed);
    }
    let specs = msg.get(9..9 + cipher_len).ok_or(HelloError::Truncated)?;
    let sid = msg
        .get(9 + cipher_len..9 + cipher_len + sid_len)
        .ok_or(HelloError::Truncated)?;
    // SSLv2 cipher specs are 3 bytes; TLS suites appear as 0x00 followed by the 2-byte id.
    let ciphers = specs
        .chunks_exact(3)
        .filter(|c| c[0] == 0)
        .map(|c| be16(&c[1..]))
        .take(MAX_LIST_ENTRIES)
        .collect();
    Ok(ClientHello {
        legacy_version: version,
        session_id: sid.to_vec(),
        ciphers,
        sslv2_format: true,
        ..ClientHello::default()
    })
}

/// Parses a ServerHello handshake body (without the 4-byte handshake header).
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, HelloError> {
    if body.len() < 38 {
        return Err(HelloError::Truncated);
    }
    let legacy = be16(body);
    let mut out = ServerHello {
        legacy_version: legacy,
        is_hrr: body[2..34] == HRR_RANDOM,
        ..ServerHello::default()
    };
    let ext_block: &[u8] = match parse_tls_handshake_server_hello(body) {
        Ok((_, sh)) => {
            out.session_id = sh.session_id.unwrap_or_default().to_vec();
            out.cipher = sh.cipher.0;
            out.compression = sh.compression.0;
            sh.ext.unwrap_or_default()
        }
        Err(_) if legacy & 0xff00 == 0x7f00 || legacy & 0xff00 == 0xfb00 || legacy == 0x0304 => {
            // TLS 1.3 drafts before -22 (and Facebook's variants; drafts before -16 wrote
            // 0x0304 itself): version, random, cipher, extensions; no session id, no
            // compression.
            out.selected_version = Some(legacy);
            out.cipher = be16(&body[34..]);
            match body.get(36..38).map(be16) {
                Some(n) => body.get(38..38 + n as usize).unwrap_or(&body[38..]),
                None => &[],
            }
        }
        Err(tls_parser::nom::Err::Incomplete(_)) => return Err(HelloError::Truncated),
        Err(_) => return Err(HelloError::Malformed),
    };
    walk_extensions(ext_block, |ty, framed| {
        out.extensions.push(ty);
        if ty == ext::PRE_SHARED_KEY {
            out.psk_accepted = true;
        }
        if ty == ext::SESSION_TICKET {
            out.ticket_ext = true;
        }
        if (ty == ext::KEY_SHARE || ty == ext::KEY_SHARE_DRAFT) && framed.len() >= 6 {
            // ServerHello: one KeyShareEntry; HelloRetryRequest: the selected group alone.
            out.key_share_group = Some(be16(&framed[4..]));
            return true;
        }
        match parse_tls_server_hello_extension(framed) {
            Ok((_, TlsExtension::SupportedVersions(v))) if v.len() == 1 => {
                out.selected_version = Some(v[0].0);
            }
            Ok((_, TlsExtension::ALPN(p))) => out.alpn = p.first().map(|p| utf8_lossy_bounded(p)),
            Ok(_) => {}
            Err(_) => out.malformed_extensions += 1,
        }
        true
    });
    Ok(out)
}

/// Parses an SSLv2 SERVER-HELLO (msg_type 4): session_id_hit, certificate_type, version, ...
pub fn parse_sslv2_server_hello(msg: &[u8]) -> Result<ServerHello, HelloError> {
    if msg.len() < 11 {
        return Err(HelloError::Truncated);
    }
    if msg[0] != 4 {
        return Err(HelloError::Malformed);
    }
    let version = be16(&msg[3..]);
    Ok(ServerHello {
        legacy_version: version,
        sslv2_format: true,
        ..ServerHello::default()
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A TLS 1.3 ClientHello body (curl/OpenSSL-like) built field by field.
    pub fn sample_client_hello_body() -> Vec<u8> {
        let mut b = vec![0x03, 0x03];
        b.extend_from_slice(&[0x11; 32]);
        b.push(32);
        b.extend_from_slice(&[0x22; 32]);
        let ciphers: [u16; 4] = [0x1a1a, 0x1301, 0x1302, 0xc02f];
        b.extend_from_slice(&((ciphers.len() * 2) as u16).to_be_bytes());
        for c in ciphers {
            b.extend_from_slice(&c.to_be_bytes());
        }
        b.extend_from_slice(&[1, 0]);
        let mut exts = Vec::new();
        let mut push = |ty: u16, data: &[u8]| {
            exts.extend_from_slice(&ty.to_be_bytes());
            exts.extend_from_slice(&(data.len() as u16).to_be_bytes());
            exts.extend_from_slice(data);
        };
        push(0x0a0a, &[]);
        let name = b"www.example.test";
        let mut sni = ((name.len() + 3) as u16).to_be_bytes().to_vec();
        sni.push(0);
        sni.extend_from_slice(&(name.len() as u16).to_be_bytes());
        sni.extend_from_slice(name);
        push(0, &sni);
        push(10, &[0, 6, 0x11, 0xec, 0, 0x1d, 0, 0x17]);
        push(11, &[1, 0]);
        push(13, &[0, 4, 0x04, 0x03, 0x08, 0x04]);
        push(
            16,
            &[
                0, 12, 2, b'h', b'2', 8, b'h', b't', b't', b'p', b'/', b'1', b'.', b'1',
            ],
        );
        push(43, &[4, 0x03, 0x04, 0x03, 0x03]);
        push(45, &[1, 1]);
        let mut ks = vec![0, 40];
        ks.extend_from_slice(&[0, 0x1d, 0, 32]);
        ks.extend_from_slice(&[0x33; 32]);
        ks.extend_from_slice(&[0x0a, 0x0a, 0, 0]);
        push(51, &ks);
        push(0xfe0d, &[0, 1, 2]);
        b.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        b.extend_from_slice(&exts);
        b
    }

    #[test]
    fn client_hello_fields() {
        let ch = parse_client_hello(&sample_client_hello_body()).unwrap();
        assert_eq!(ch.legacy_version, 0x0303);
        assert_eq!(ch.session_id, vec![0x22; 32]);
        assert_eq!(ch.ciphers, vec![0x1a1a, 0x1301, 0x1302, 0xc02f]);
        assert_eq!(ch.compression, vec![0]);
        assert_eq!(
            ch.extensions,
            vec![0x0a0a, 0, 10, 11, 13, 16, 43, 45, 51, 0xfe0d]
        );
        assert_eq!(ch.sni.as_deref(), Some("www.example.test"));
        assert_eq!(ch.alpn, vec!["h2", "http/1.1"]);
        assert_eq!(ch.supported_versions, vec![0x0304, 0x0303]);
        assert_eq!(ch.groups, vec![0x11ec, 0x1d, 0x17]);
        assert_eq!(ch.ec_point_formats, vec![0]);
        assert_eq!(ch.sig_algs, vec![0x0403, 0x0804]);
        assert_eq!(ch.key_shares, vec![0x1d, 0x0a0a]);
        assert_eq!(ch.psk_modes, vec![1]);
        assert!(ch.ech);
        assert!(!ch.psk_offered && !ch.ticket_offered && !ch.sslv2_format);
        assert_eq!(ch.malformed_extensions, 0);
        assert!(!ch.trailing_garbage);
    }

    #[test]
    fn malformed_extension_is_counted_and_the_rest_still_read() {
        let mut b = sample_client_hello_body();
        // Corrupt the SNI list length (first byte of the SNI extension data) so its content
        // fails to parse; the extensions after it must still be read.
        let name = b
            .windows(16)
            .position(|w| w == b"www.example.test")
            .unwrap();
        b[name - 5] = 0xff; // server_name_list length

        let ch = parse_client_hello(&b).unwrap();
        assert_eq!(ch.sni, None);
        assert_eq!(ch.malformed_extensions, 1);
        assert_eq!(ch.alpn, vec!["h2", "http/1.1"]);
        assert!(ch.ech);
    }

    #[test]
    fn truncated_client_hello_is_an_error_not_a_panic() {
        let b = sample_client_hello_body();
        for cut in 0..38 {
            assert!(parse_client_hello(&b[..cut]).is_err(), "cut {cut}");
        }
        // Cut inside the extensions: the fixed part parses, the cut is flagged.
        let ch = parse_client_hello(&b[..b.len() - 3]).unwrap();
        assert!(ch.trailing_garbage);
        for cut in 0..b.len() {
            let _ = parse_client_hello(&b[..cut]);
        }
    }

    fn server_hello_body(version_ext: Option<u16>, random: [u8; 32], ks: &[u8]) -> Vec<u8> {
        let mut b = vec![0x03, 0x03];
        b.extend_from_slice(&random);
        b.push(0);
        b.extend_from_slice(&[0x13, 0x01, 0]);
        let mut exts = Vec::new();
        if let Some(v) = version_ext {
            exts.extend_from_slice(&[0, 43, 0, 2]);
            exts.extend_from_slice(&v.to_be_bytes());
        }
        if !ks.is_empty() {
            exts.extend_from_slice(&[0, 51]);
            exts.extend_from_slice(&(ks.len() as u16).to_be_bytes());
            exts.extend_from_slice(ks);
        }
        b.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        b.extend_from_slice(&exts);
        b
    }

    #[test]
    fn early_draft_server_hello() {
        // TLS 1.3 before draft 16: 0x0304 in the version field, no session id or compression,
        // key_share numbered 40 (as in suricata-verify's tls13-draft14 capture).
        let mut b = vec![0x03, 0x04];
        b.extend_from_slice(&[3; 32]);
        b.extend_from_slice(&[0xc0, 0x2b]);
        let ext = [0, 40, 0, 6, 0, 0x17, 0, 2, 0xaa, 0xbb];
        b.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        b.extend_from_slice(&ext);
        let sh = parse_server_hello(&b).unwrap();
        assert_eq!(sh.version(), 0x0304);
        assert_eq!(sh.cipher, 0xc02b);
        assert_eq!(sh.key_share_group, Some(0x17));
    }

    #[test]
    fn server_hello_tls13_and_hrr() {
        let mut ks = vec![0x11, 0xec, 0, 4];
        ks.extend_from_slice(&[9; 4]);
        let sh = parse_server_hello(&server_hello_body(Some(0x0304), [7; 32], &ks)).unwrap();
        assert_eq!(sh.version(), 0x0304);
        assert_eq!(sh.legacy_version, 0x0303);
        assert_eq!(sh.cipher, 0x1301);
        assert_eq!(sh.key_share_group, Some(0x11ec));
        assert!(!sh.is_hrr);
        assert_eq!(sh.extensions, vec![43, 51]);
        let hrr =
            parse_server_hello(&server_hello_body(Some(0x0304), HRR_RANDOM, &[0, 0x17])).unwrap();
        assert!(hrr.is_hrr);
        assert_eq!(hrr.key_share_group, Some(0x17));
    }

    #[test]
    fn sslv2_client_hello() {
        // msg_type 1, version 3.1, 6 bytes of specs, no session id, 16-byte challenge.
        let mut m = vec![1, 3, 1, 0, 6, 0, 0, 0, 16];
        m.extend_from_slice(&[0x01, 0x00, 0x80, 0x00, 0x00, 0x2f]);
        m.extend_from_slice(&[0xab; 16]);
        let ch = parse_sslv2_client_hello(&m).unwrap();
        assert!(ch.sslv2_format);
        assert_eq!(ch.legacy_version, 0x0301);
        assert_eq!(ch.ciphers, vec![0x002f]);
    }
}
