//! Initial packet protection keys (RFC 9001 §5.2; RFC 9369 §3.3 for version 2).
//!
//! Initial keys are public by design: both directions' keys come from a per-version salt,
//! published in the specifications, and the client's first Destination Connection ID, which
//! is on the wire. An observer derives exactly what the endpoints derive:
//!
//! ```text
//! initial_secret = HKDF-Extract(salt, client_dcid)
//! client_secret  = HKDF-Expand-Label(initial_secret, "client in", "", 32)
//! server_secret  = HKDF-Expand-Label(initial_secret, "server in", "", 32)
//! key = HKDF-Expand-Label(secret, "quic key", "", 16)     ("quicv2 key" for v2)
//! iv  = HKDF-Expand-Label(secret, "quic iv",  "", 12)     ("quicv2 iv")
//! hp  = HKDF-Expand-Label(secret, "quic hp",  "", 16)     ("quicv2 hp")
//! ```
//!
//! with SHA-256 and AEAD_AES_128_GCM, which every version here uses for Initial packets.
//! No other secret is ever derived: Handshake, 0-RTT and 1-RTT keys come from the TLS key
//! exchange and stay unknown to tlscope.
//!
//! Versions with keys ([`keying`]):
//!
//! | versions | salt |
//! |---|---|
//! | 1 (0x00000001), drafts 33–34 | RFC 9001 §5.2 `38762cf7…` |
//! | 2 (0x6b3343cf) | RFC 9369 §3.3.1 `0dede3de…`, "quicv2" labels |
//! | drafts 29–32 (0xff00001d–20) | draft-29 `afbfec28…` |
//! | drafts 23–28, mvfst 0xfaceb002 and 0xfaceb00e (draft-27 based) | draft-23 `c3eef712…` |
//! | draft 22, mvfst 0xfaceb001 (draft-22 based) | draft-22 `7fbcdb0e…` |
//! | Google T050, T051 | Google's own salts (as published in Wireshark and nDPI) |
//!
//! `None` for everything else: draft 21 and earlier (other header layout), the QUIC v2 draft
//! codepoint 0x709a50c4 (its salt changed between drafts), Google Q0xx (not TLS), greased
//! versions (nothing to derive from), other mvfst codepoints and unknown versions.

use hkdf::Hkdf;
use sha2::Sha256;

use super::header::{
    FIRST_INVARIANT_DRAFT, GOOGLE_T050, GOOGLE_T051, LAST_DRAFT, MVFST_DRAFT_22, MVFST_DRAFT_27,
    MVFST_EXPERIMENTAL, VERSION_1, VERSION_2,
};

/// RFC 9001 §5.2.
pub const SALT_V1: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad,
    0xcc, 0xbb, 0x7f, 0x0a,
];
/// RFC 9369 §3.3.1.
pub const SALT_V2: [u8; 20] = [
    0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb,
    0xf9, 0xbd, 0x2e, 0xd9,
];
/// draft-ietf-quic-tls-29 §5.2 (also drafts 30–32).
pub const SALT_DRAFT_29: [u8; 20] = [
    0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0,
    0x43, 0x90, 0xa8, 0x99,
];
/// draft-ietf-quic-tls-23 §5.2 (also drafts 24–28).
pub const SALT_DRAFT_23: [u8; 20] = [
    0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65,
    0xbe, 0xf9, 0xf5, 0x02,
];
/// draft-ietf-quic-tls-22 §5.2.
pub const SALT_DRAFT_22: [u8; 20] = [
    0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd,
    0x7a, 0x02, 0x64, 0x4a,
];
/// Google QUIC T050.
pub const SALT_T050: [u8; 20] = [
    0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80, 0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c,
    0x60, 0x48, 0x83, 0x10,
];
/// Google QUIC T051.
pub const SALT_T051: [u8; 20] = [
    0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc,
    0xda, 0x6e, 0x03, 0x3d,
];

/// AEAD_AES_128_GCM key length (bytes).
pub const KEY_LEN: usize = 16;
/// AEAD nonce / IV length (bytes).
pub const IV_LEN: usize = 12;
/// AES-128 header-protection key length (bytes).
pub const HP_LEN: usize = 16;
/// SHA-256 output: the length of every Initial secret (bytes).
pub const SECRET_LEN: usize = 32;

/// Which packet-protection labels a version uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labels {
    /// "quic key", "quic iv", "quic hp" (RFC 9001 §5.1).
    V1,
    /// "quicv2 key", "quicv2 iv", "quicv2 hp" (RFC 9369 §3.3.2).
    V2,
}

impl Labels {
    fn key(self) -> &'static [u8] {
        match self {
            Labels::V1 => b"quic key",
            Labels::V2 => b"quicv2 key",
        }
    }

    fn iv(self) -> &'static [u8] {
        match self {
            Labels::V1 => b"quic iv",
            Labels::V2 => b"quicv2 iv",
        }
    }

    fn hp(self) -> &'static [u8] {
        match self {
            Labels::V1 => b"quic hp",
            Labels::V2 => b"quicv2 hp",
        }
    }
}

/// How a version derives its Initial keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keying {
    pub salt: &'static [u8; 20],
    pub labels: Labels,
}

/// The Initial-key recipe of `version`, or `None` when tlscope has none (see the module doc).
pub fn keying(version: u32) -> Option<Keying> {
    let v1 = |salt| {
        Some(Keying {
            salt,
            labels: Labels::V1,
        })
    };
    match version {
        VERSION_1 => v1(&SALT_V1),
        VERSION_2 => Some(Keying {
            salt: &SALT_V2,
            labels: Labels::V2,
        }),
        MVFST_DRAFT_22 => v1(&SALT_DRAFT_22),
        MVFST_DRAFT_27 | MVFST_EXPERIMENTAL => v1(&SALT_DRAFT_23),
        GOOGLE_T050 => v1(&SALT_T050),
        GOOGLE_T051 => v1(&SALT_T051),
        v if v >> 8 == 0x00ff_0000 => match v as u8 {
            n if !(FIRST_INVARIANT_DRAFT..=LAST_DRAFT).contains(&n) => None,
            22 => v1(&SALT_DRAFT_22),
            23..=28 => v1(&SALT_DRAFT_23),
            29..=32 => v1(&SALT_DRAFT_29),
            _ => v1(&SALT_V1), // 33, 34
        },
        _ => None,
    }
}

/// One direction's Initial packet-protection keys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Keys {
    /// AEAD_AES_128_GCM key.
    pub key: [u8; KEY_LEN],
    /// AEAD IV; the nonce is this XOR the packet number (RFC 9001 §5.3).
    pub iv: [u8; IV_LEN],
    /// AES-128 header-protection key (RFC 9001 §5.4.3).
    pub hp: [u8; HP_LEN],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Public keys, but keep logs short.
        f.write_str("Keys { .. }")
    }
}

/// Both directions' Initial keys for one connection and version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitialKeys {
    pub client: Keys,
    pub server: Keys,
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context: `out.len()` bytes of
/// `HKDF-Expand(prk, HkdfLabel)`, where HkdfLabel is the output length (2 bytes), the label
/// prefixed with "tls13 " (1-byte length), and an empty context (1 byte, 0).
/// Returns false only if `out` is longer than HKDF allows (255 × 32 bytes) or the label is
/// longer than 249 bytes.
pub fn hkdf_expand_label(prk: &Hkdf<Sha256>, label: &[u8], out: &mut [u8]) -> bool {
    const PREFIX: &[u8] = b"tls13 ";
    let (Ok(out_len), Ok(label_len)) = (
        u16::try_from(out.len()),
        u8::try_from(PREFIX.len() + label.len()),
    ) else {
        return false;
    };
    let mut info = Vec::with_capacity(4 + label_len as usize);
    info.extend_from_slice(&out_len.to_be_bytes());
    info.push(label_len);
    info.extend_from_slice(PREFIX);
    info.extend_from_slice(label);
    info.push(0);
    prk.expand(&info, out).is_ok()
}

/// `(client_initial_secret, server_initial_secret)` for `salt` and the client's first DCID.
pub fn initial_secrets(salt: &[u8], client_dcid: &[u8]) -> ([u8; SECRET_LEN], [u8; SECRET_LEN]) {
    let (_, initial) = Hkdf::<Sha256>::extract(Some(salt), client_dcid);
    let mut client = [0u8; SECRET_LEN];
    let mut server = [0u8; SECRET_LEN];
    // 32 bytes from a SHA-256 PRK: within HKDF's limit, so these cannot fail.
    let ok = hkdf_expand_label(&initial, b"client in", &mut client)
        && hkdf_expand_label(&initial, b"server in", &mut server);
    debug_assert!(ok);
    (client, server)
}

/// The key, IV and header-protection key for one direction's secret.
pub fn packet_keys(secret: &[u8; SECRET_LEN], labels: Labels) -> Keys {
    let mut keys = Keys {
        key: [0; KEY_LEN],
        iv: [0; IV_LEN],
        hp: [0; HP_LEN],
    };
    // A 32-byte secret is a valid SHA-256 PRK; the outputs are far below HKDF's limit.
    if let Ok(prk) = Hkdf::<Sha256>::from_prk(secret) {
        let ok = hkdf_expand_label(&prk, labels.key(), &mut keys.key)
            && hkdf_expand_label(&prk, labels.iv(), &mut keys.iv)
            && hkdf_expand_label(&prk, labels.hp(), &mut keys.hp);
        debug_assert!(ok);
    }
    keys
}

/// Both directions' Initial keys for `version`, derived from the Destination Connection ID of
/// the client's first Initial packet (after a Retry: of the client's first Initial after it).
/// `None` when the version has no known salt (see the module doc).
pub fn initial_keys(version: u32, client_dcid: &[u8]) -> Option<InitialKeys> {
    let k = keying(version)?;
    let (client, server) = initial_secrets(k.salt, client_dcid);
    Some(InitialKeys {
        client: packet_keys(&client, k.labels),
        server: packet_keys(&server, k.labels),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quic::header::{VERSION_2_DRAFT, draft};
    use crate::quic::vectors::{DCID, hex, v1_keys, v2_keys};

    #[test]
    fn hkdf_labels_match_rfc9001_a1() {
        // A.1 lists HkdfLabel.label with the length fields: check our encoding of the info.
        let info = |len: u16, label: &[u8]| {
            let mut v = len.to_be_bytes().to_vec();
            v.push((6 + label.len()) as u8);
            v.extend_from_slice(b"tls13 ");
            v.extend_from_slice(label);
            v.push(0);
            v
        };
        assert_eq!(
            info(32, b"client in"),
            hex("00200f746c73313320636c69656e7420696e00")
        );
        assert_eq!(
            info(16, b"quic key"),
            hex("00100e746c7331332071756963206b657900")
        );
        assert_eq!(
            info(12, b"quic iv"),
            hex("000c0d746c733133207175696320697600")
        );
        assert_eq!(
            info(16, b"quicv2 hp"),
            hex("00100f746c7331332071756963763220687000")
        );
    }

    #[test]
    fn rfc9001_a1_keys() {
        let dcid = hex(DCID);
        let (prk, _) = Hkdf::<Sha256>::extract(Some(&SALT_V1), &dcid);
        assert_eq!(prk.to_vec(), hex(v1_keys::INITIAL_SECRET));
        let (c, s) = initial_secrets(&SALT_V1, &dcid);
        assert_eq!(c.to_vec(), hex(v1_keys::CLIENT_SECRET));
        assert_eq!(s.to_vec(), hex(v1_keys::SERVER_SECRET));
        let k = initial_keys(VERSION_1, &dcid).unwrap();
        assert_eq!(k.client.key.to_vec(), hex(v1_keys::CLIENT_KEY));
        assert_eq!(k.client.iv.to_vec(), hex(v1_keys::CLIENT_IV));
        assert_eq!(k.client.hp.to_vec(), hex(v1_keys::CLIENT_HP));
        assert_eq!(k.server.key.to_vec(), hex(v1_keys::SERVER_KEY));
        assert_eq!(k.server.iv.to_vec(), hex(v1_keys::SERVER_IV));
        assert_eq!(k.server.hp.to_vec(), hex(v1_keys::SERVER_HP));
    }

    #[test]
    fn rfc9369_a1_keys() {
        let dcid = hex(DCID);
        let (prk, _) = Hkdf::<Sha256>::extract(Some(&SALT_V2), &dcid);
        assert_eq!(prk.to_vec(), hex(v2_keys::INITIAL_SECRET));
        let (c, s) = initial_secrets(&SALT_V2, &dcid);
        assert_eq!(c.to_vec(), hex(v2_keys::CLIENT_SECRET));
        assert_eq!(s.to_vec(), hex(v2_keys::SERVER_SECRET));
        let k = initial_keys(VERSION_2, &dcid).unwrap();
        assert_eq!(k.client.key.to_vec(), hex(v2_keys::CLIENT_KEY));
        assert_eq!(k.client.iv.to_vec(), hex(v2_keys::CLIENT_IV));
        assert_eq!(k.client.hp.to_vec(), hex(v2_keys::CLIENT_HP));
        assert_eq!(k.server.key.to_vec(), hex(v2_keys::SERVER_KEY));
        assert_eq!(k.server.iv.to_vec(), hex(v2_keys::SERVER_IV));
        assert_eq!(k.server.hp.to_vec(), hex(v2_keys::SERVER_HP));
    }

    #[test]
    fn version_table() {
        let salt = |v| keying(v).map(|k| k.salt);
        assert_eq!(salt(draft(21)), None);
        assert_eq!(salt(draft(22)), Some(&SALT_DRAFT_22));
        assert_eq!(salt(draft(23)), Some(&SALT_DRAFT_23));
        assert_eq!(salt(draft(28)), Some(&SALT_DRAFT_23));
        assert_eq!(salt(draft(29)), Some(&SALT_DRAFT_29));
        assert_eq!(salt(draft(32)), Some(&SALT_DRAFT_29));
        assert_eq!(salt(draft(33)), Some(&SALT_V1));
        assert_eq!(salt(draft(34)), Some(&SALT_V1));
        assert_eq!(salt(draft(35)), None);
        assert_eq!(salt(MVFST_DRAFT_22), Some(&SALT_DRAFT_22));
        assert_eq!(salt(MVFST_DRAFT_27), Some(&SALT_DRAFT_23));
        assert_eq!(salt(MVFST_EXPERIMENTAL), Some(&SALT_DRAFT_23));
        assert_eq!(salt(GOOGLE_T051), Some(&SALT_T051));
        assert_eq!(salt(VERSION_2_DRAFT), None);
        assert_eq!(salt(0x5130_3530), None); // Q050
        assert_eq!(salt(0x0a0a_0a0a), None);
        assert_eq!(keying(VERSION_2).unwrap().labels, Labels::V2);
        assert_eq!(keying(VERSION_1).unwrap().labels, Labels::V1);
    }

    #[test]
    fn any_dcid_length_derives() {
        // The invariants allow up to 255 bytes; HKDF takes any input length.
        assert!(initial_keys(VERSION_1, &[]).is_some());
        assert!(initial_keys(VERSION_1, &[0xab; 255]).is_some());
    }
}
