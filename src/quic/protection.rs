//! Removing Initial packet protection (RFC 9001 §5.3–5.5): header protection, packet-number
//! decoding, AEAD_AES_128_GCM.
//!
//! Only ever used with the public Initial keys of [`super::keys`]. The functions are generic
//! over long and short headers (the first-byte mask differs), but tlscope has no other keys to
//! give them.
//!
//! Hostile input: every length is checked before use, so a packet can only fail; work per
//! packet is one AES block for the mask plus one AES-GCM pass over at most the packet's own
//! length, and one copy of it.

use aes::Aes128;
use aes::cipher::BlockEncrypt;
use aes_gcm::aead::AeadInPlace;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::{Aes128Gcm, KeyInit};

use super::QuicError;
use super::header::LONG_HEADER_BIT;
use super::keys::{IV_LEN, Keys};

/// Header-protection sample length (bytes; RFC 9001 §5.4.2).
pub const SAMPLE_LEN: usize = 16;
/// The sample starts this many bytes after the packet-number offset, as if the packet number
/// were always 4 bytes (RFC 9001 §5.4.2).
pub const SAMPLE_OFFSET: usize = 4;
/// AEAD_AES_128_GCM authentication tag (bytes).
pub const TAG_LEN: usize = 16;
/// Fewest bytes from the packet-number offset to the end of a packet that can be unprotected:
/// a header-protection sample must fit after a 4-byte packet-number allowance.
pub const MIN_PROTECTED_LEN: usize = SAMPLE_OFFSET + SAMPLE_LEN;

/// First-byte bits under header protection: long headers hide the reserved and packet-number
/// length bits (4), short headers also the key phase (5).
const LONG_FIRST_BYTE_MASK: u8 = 0x0f;
const SHORT_FIRST_BYTE_MASK: u8 = 0x1f;

/// Ready-to-use ciphers for one direction's keys.
#[derive(Clone)]
pub struct Opener {
    aead: Aes128Gcm,
    hp: Aes128,
    iv: [u8; IV_LEN],
}

impl std::fmt::Debug for Opener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Opener { .. }")
    }
}

/// A packet with its protection removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The unprotected header, packet number included (the AEAD's associated data).
    pub header: Vec<u8>,
    /// Encoded packet-number length (bytes, 1–4).
    pub pn_len: usize,
    /// The full packet number.
    pub pn: u64,
    /// The decrypted payload (frames).
    pub payload: Vec<u8>,
}

impl Opener {
    pub fn new(keys: &Keys) -> Opener {
        Opener {
            aead: Aes128Gcm::new(GenericArray::from_slice(&keys.key)),
            hp: Aes128::new(GenericArray::from_slice(&keys.hp)),
            iv: keys.iv,
        }
    }

    /// The 5-byte header-protection mask for a sample: AES-ECB(hp, sample)[..5]
    /// (RFC 9001 §5.4.3).
    pub fn mask(&self, sample: &[u8; SAMPLE_LEN]) -> [u8; 5] {
        let mut block = GenericArray::clone_from_slice(sample);
        self.hp.encrypt_block(&mut block);
        [block[0], block[1], block[2], block[3], block[4]]
    }

    /// The AEAD nonce for a packet number: the IV with the packet number XORed into its
    /// low-order (rightmost) bytes (RFC 9001 §5.3).
    pub fn nonce(&self, pn: u64) -> [u8; IV_LEN] {
        let mut nonce = self.iv;
        for (n, p) in nonce[IV_LEN - 8..].iter_mut().zip(pn.to_be_bytes()) {
            *n ^= p;
        }
        nonce
    }

    /// Removes header protection and decrypts one packet.
    ///
    /// `packet` is exactly one packet (for long headers: up to the end its Length field gives,
    /// see [`super::header::LongPacket::bytes`]); `pn_offset` is where its packet number
    /// starts; `largest_pn` is the largest packet number already opened in this packet-number
    /// space, if any (`None` decodes as if none had been: right for the first packets of a
    /// connection, whose numbers start at 0).
    ///
    /// Errors: [`QuicError::Malformed`] when the packet is too short to hold a sample or a
    /// tag; [`QuicError::DecryptionFailed`] when the AEAD tag does not verify (wrong keys,
    /// wrong version, corruption, or not a packet of this connection).
    pub fn open(
        &self,
        packet: &[u8],
        pn_offset: usize,
        largest_pn: Option<u64>,
    ) -> Result<Opened, QuicError> {
        let sample: &[u8; SAMPLE_LEN] = pn_offset
            .checked_add(MIN_PROTECTED_LEN)
            .and_then(|end| packet.get(end - SAMPLE_LEN..end))
            .and_then(|s| s.try_into().ok())
            .ok_or(QuicError::Malformed)?;
        let mask = self.mask(sample);

        let first_mask = if packet[0] & LONG_HEADER_BIT != 0 {
            LONG_FIRST_BYTE_MASK
        } else {
            SHORT_FIRST_BYTE_MASK
        };
        let first = packet[0] ^ (mask[0] & first_mask);
        let pn_len = usize::from(first & 0x03) + 1;
        let pn_end = pn_offset + pn_len;

        // Unprotected header, packet number included.
        let mut header = packet[..pn_end].to_vec();
        header[0] = first;
        let mut truncated = 0u64;
        for (i, b) in header[pn_offset..].iter_mut().enumerate() {
            *b ^= mask[1 + i];
            truncated = (truncated << 8) | u64::from(*b);
        }
        let pn = decode_packet_number(largest_pn, truncated, pn_len);

        let body = &packet[pn_end..];
        if body.len() < TAG_LEN {
            return Err(QuicError::Malformed);
        }
        let (ciphertext, tag) = body.split_at(body.len() - TAG_LEN);
        let mut payload = ciphertext.to_vec();
        self.aead
            .decrypt_in_place_detached(
                GenericArray::from_slice(&self.nonce(pn)),
                &header,
                &mut payload,
                GenericArray::from_slice(tag),
            )
            .map_err(|_| QuicError::DecryptionFailed)?;
        Ok(Opened {
            header,
            pn_len,
            pn,
            payload,
        })
    }
}

/// Recovers a full packet number from its `pn_len`-byte truncated encoding, given the largest
/// packet number received so far in the space (RFC 9000 §A.3): the candidate closest to the
/// next expected number.
pub fn decode_packet_number(largest_pn: Option<u64>, truncated: u64, pn_len: usize) -> u64 {
    const MAX_PN: u64 = (1 << 62) - 1;
    let bits = 8 * pn_len.clamp(1, 4) as u32;
    let win = 1u64 << bits;
    let hwin = win / 2;
    let mask = win - 1;
    let expected = largest_pn.map_or(0, |l| l.min(MAX_PN) + 1);
    let candidate = (expected & !mask) | (truncated & mask);
    if candidate + hwin <= expected && candidate < (1 << 62) - win {
        candidate + win
    } else if candidate > expected + hwin && candidate >= win {
        candidate - win
    } else {
        candidate
    }
}

/// Applies Initial protection, for tests: the inverse of [`Opener::open`]. `header` is the
/// unprotected header with its packet number (length from its low two bits) at `pn_offset`.
#[cfg(test)]
pub(crate) fn protect(keys: &Keys, header: &[u8], pn_offset: usize, payload: &[u8]) -> Vec<u8> {
    let pn_len = usize::from(header[0] & 0x03) + 1;
    let pn = header[pn_offset..pn_offset + pn_len]
        .iter()
        .fold(0u64, |v, &b| (v << 8) | u64::from(b));
    let opener = Opener::new(keys);
    let mut body = payload.to_vec();
    let tag = opener
        .aead
        .encrypt_in_place_detached(
            GenericArray::from_slice(&opener.nonce(pn)),
            header,
            &mut body,
        )
        .unwrap();
    let mut packet = [header, &body, &tag].concat();
    let sample: [u8; SAMPLE_LEN] = packet[pn_offset + SAMPLE_OFFSET..][..SAMPLE_LEN]
        .try_into()
        .unwrap();
    let mask = opener.mask(&sample);
    packet[0] ^= mask[0]
        & if packet[0] & LONG_HEADER_BIT != 0 {
            LONG_FIRST_BYTE_MASK
        } else {
            SHORT_FIRST_BYTE_MASK
        };
    for i in 0..pn_len {
        packet[pn_offset + i] ^= mask[1 + i];
    }
    packet
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quic::header::{Packet, parse_packet};
    use crate::quic::keys::initial_keys;
    use crate::quic::vectors::{self, DCID, hex};

    fn long_packet(bytes: &[u8]) -> (usize, &[u8]) {
        match parse_packet(bytes).unwrap().0 {
            Packet::Long(p) => (p.pn_offset, p.bytes),
            p => panic!("{p:?}"),
        }
    }

    fn check_open(version: u32, client: bool, protected: &str, header: &str, mask: &str) {
        let keys = initial_keys(version, &hex(DCID)).unwrap();
        let keys = if client { keys.client } else { keys.server };
        let opener = Opener::new(&keys);
        let pkt = hex(protected);
        let (pn_offset, bytes) = long_packet(&pkt);
        let sample: [u8; 16] = bytes[pn_offset + 4..pn_offset + 20].try_into().unwrap();
        assert_eq!(opener.mask(&sample).to_vec(), hex(mask));
        let opened = opener.open(bytes, pn_offset, None).unwrap();
        assert_eq!(opened.header, hex(header));
        if client {
            assert_eq!((opened.pn, opened.pn_len), (2, 4));
            assert_eq!(opened.payload.len(), 1162);
            let frame = hex(vectors::CLIENT_CRYPTO_FRAME);
            assert_eq!(&opened.payload[..frame.len()], &frame[..]);
            assert!(opened.payload[frame.len()..].iter().all(|&b| b == 0));
        } else {
            assert_eq!((opened.pn, opened.pn_len), (1, 2));
            assert_eq!(opened.payload, hex(vectors::SERVER_PAYLOAD));
        }
    }

    #[test]
    fn rfc9001_a2_client_initial() {
        check_open(
            crate::quic::header::VERSION_1,
            true,
            vectors::V1_CLIENT_INITIAL,
            vectors::V1_CLIENT_HEADER,
            "437b9aec36",
        );
    }

    #[test]
    fn rfc9001_a3_server_initial() {
        check_open(
            crate::quic::header::VERSION_1,
            false,
            vectors::V1_SERVER_INITIAL,
            vectors::V1_SERVER_HEADER,
            "2ec0d8356a",
        );
    }

    #[test]
    fn rfc9369_a2_client_initial() {
        check_open(
            crate::quic::header::VERSION_2,
            true,
            vectors::V2_CLIENT_INITIAL,
            vectors::V2_CLIENT_HEADER,
            "94a0c95e80",
        );
    }

    #[test]
    fn rfc9369_a3_server_initial() {
        check_open(
            crate::quic::header::VERSION_2,
            false,
            vectors::V2_SERVER_INITIAL,
            vectors::V2_SERVER_HEADER,
            "4dd92e91ea",
        );
    }

    #[test]
    fn protect_reproduces_the_rfc_packets() {
        let dcid = hex(DCID);
        let mut payload = hex(vectors::CLIENT_CRYPTO_FRAME);
        payload.resize(1162, 0);
        let v1 = initial_keys(crate::quic::header::VERSION_1, &dcid).unwrap();
        let hdr = hex(vectors::V1_CLIENT_HEADER);
        assert_eq!(
            protect(&v1.client, &hdr, 18, &payload),
            hex(vectors::V1_CLIENT_INITIAL)
        );
        let v2 = initial_keys(crate::quic::header::VERSION_2, &dcid).unwrap();
        let hdr = hex(vectors::V2_SERVER_HEADER);
        assert_eq!(
            protect(&v2.server, &hdr, 18, &hex(vectors::SERVER_PAYLOAD)),
            hex(vectors::V2_SERVER_INITIAL)
        );
    }

    #[test]
    fn wrong_direction_or_version_fails_cleanly() {
        let pkt = hex(vectors::V1_CLIENT_INITIAL);
        let (pn_offset, bytes) = long_packet(&pkt);
        let server = initial_keys(crate::quic::header::VERSION_1, &hex(DCID))
            .unwrap()
            .server;
        let v2 = initial_keys(crate::quic::header::VERSION_2, &hex(DCID))
            .unwrap()
            .client;
        for keys in [server, v2] {
            assert_eq!(
                Opener::new(&keys).open(bytes, pn_offset, None),
                Err(QuicError::DecryptionFailed)
            );
        }
        // A flipped ciphertext bit fails the tag.
        let mut bad = bytes.to_vec();
        bad[600] ^= 1;
        let client = initial_keys(crate::quic::header::VERSION_1, &hex(DCID))
            .unwrap()
            .client;
        assert_eq!(
            Opener::new(&client).open(&bad, pn_offset, None),
            Err(QuicError::DecryptionFailed)
        );
        // Too short for a sample.
        assert_eq!(
            Opener::new(&client).open(&bytes[..pn_offset + 19], pn_offset, None),
            Err(QuicError::Malformed)
        );
        assert_eq!(
            Opener::new(&client).open(bytes, usize::MAX - 2, None),
            Err(QuicError::Malformed)
        );
    }

    #[test]
    fn packet_number_decoding() {
        // RFC 9000 §A.3 example.
        assert_eq!(
            decode_packet_number(Some(0xa82f30ea), 0x9b32, 2),
            0xa82f9b32
        );
        // Without history, small numbers decode as themselves.
        assert_eq!(decode_packet_number(None, 2, 4), 2);
        assert_eq!(decode_packet_number(None, 0xff, 1), 0xff);
        // Wrap forward.
        assert_eq!(decode_packet_number(Some(0xfe), 0x01, 1), 0x101);
        // Never overflows at the top of the space.
        let top = (1u64 << 62) - 1;
        assert!(decode_packet_number(Some(top), 0xffff_ffff, 4) <= top + 1);
        assert!(decode_packet_number(Some(u64::MAX), 0, 1) < 1 << 63);
    }

    #[test]
    fn nonce_is_iv_xor_pn() {
        let keys = initial_keys(crate::quic::header::VERSION_1, &hex(DCID))
            .unwrap()
            .client;
        let o = Opener::new(&keys);
        assert_eq!(o.nonce(0).to_vec(), hex(vectors::v1_keys::CLIENT_IV));
        // iv fa044b2f42a3fd3b46fb255c XOR 2 in the last byte.
        assert_eq!(o.nonce(2).to_vec(), hex("fa044b2f42a3fd3b46fb255e"));
    }
}
