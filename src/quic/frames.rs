//! Frames of a decrypted Initial packet (RFC 9000 §12.4, §19).
//!
//! Initial packets may carry only PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE (type 0x1c;
//! RFC 9000 §12.5). Those are read; anything else stops the walk cleanly and is reported
//! ([`FrameStop::Unexpected`]), since without its layout the rest of the packet cannot be
//! framed. APPLICATION_CLOSE (0x1d) is read too: it is not allowed in Initials but cheap to
//! recognise and says why a connection ended.
//!
//! The payload was authenticated by the AEAD, so a frame that does not parse means a broken
//! peer rather than a cut capture: [`FrameStop::Malformed`].
//!
//! Google's T050/T051 put TLS in IETF-style Initial packets but keep Google QUIC frame
//! encodings ([`Dialect::Google`]): PADDING (0x00, to the end of the packet), PING (0x07),
//! CRYPTO (0x08, varint offset and length as in IETF QUIC) and the gQUIC ACK (0x40–0x7f).

use super::header::{GOOGLE_T050, GOOGLE_T051};
use super::varint::{MAX_VARINT, Reader};

/// The frame encoding of a version's Initial packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// RFC 9000 §19 (version 1, version 2, the drafts, mvfst).
    Ietf,
    /// Google QUIC frames (T050, T051).
    Google,
}

/// The frame encoding `version` uses.
pub fn dialect(version: u32) -> Dialect {
    match version {
        GOOGLE_T050 | GOOGLE_T051 => Dialect::Google,
        _ => Dialect::Ietf,
    }
}

/// Google QUIC frame types (T050/T051 Initial packets).
pub mod google_frame_type {
    pub const PADDING: u8 = 0x00;
    pub const PING: u8 = 0x07;
    pub const CRYPTO: u8 = 0x08;
    /// 0b01ntllmm: n = more ACK blocks follow, ll/mm = largest-acked and block length sizes.
    pub const ACK_FIRST: u8 = 0x40;
    pub const ACK_LAST: u8 = 0x7f;
}

/// Frame types read here.
pub mod frame_type {
    pub const PADDING: u64 = 0x00;
    pub const PING: u64 = 0x01;
    pub const ACK: u64 = 0x02;
    pub const ACK_ECN: u64 = 0x03;
    pub const CRYPTO: u64 = 0x06;
    pub const CONNECTION_CLOSE: u64 = 0x1c;
    pub const APPLICATION_CLOSE: u64 = 0x1d;
}

/// Frames read from one packet (frames; a PADDING run counts as one). A full-size Initial
/// holds a handful; Chrome's scattered ClientHello a few dozen. Past it the walk stops
/// ([`FrameStop::TooMany`]), so a packet of 1-byte PINGs costs bounded work and memory.
pub const MAX_FRAMES_PER_PACKET: usize = 512;

/// ACK ranges read from one ACK frame beyond the first (ranges). Initial ACKs have one or two;
/// the count field is a varint from the wire, so it is never trusted as a loop bound.
pub const MAX_ACK_RANGES: u64 = 256;

/// Bytes of a CONNECTION_CLOSE reason phrase kept (bytes). The phrase is free text for
/// humans; the rest is skipped.
pub const MAX_CLOSE_REASON: usize = 256;

/// TLS alerts travel as CONNECTION_CLOSE transport error codes 0x0100 + alert
/// (CRYPTO_ERROR range, RFC 9001 §4.8).
pub const CRYPTO_ERROR_BASE: u64 = 0x0100;

/// ACK frame summary (RFC 9000 §19.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AckFrame {
    pub largest: u64,
    /// ACK Delay field, unscaled.
    pub delay: u64,
    pub first_range: u64,
    /// ACK Range Count: additional ranges after the first.
    pub ranges: u64,
    /// ECN counts (ECT0, ECT1, ECN-CE) of an ACK_ECN frame.
    pub ecn: Option<[u64; 3]>,
}

/// A CONNECTION_CLOSE frame (RFC 9000 §19.19).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionClose {
    /// Type 0x1d (application error) rather than 0x1c (transport error).
    pub application: bool,
    pub error_code: u64,
    /// The frame type that triggered a transport error (0 when unknown); `None` for 0x1d.
    pub frame_type: Option<u64>,
    /// The reason phrase, at most [`MAX_CLOSE_REASON`] bytes.
    pub reason: Vec<u8>,
}

impl ConnectionClose {
    /// The TLS alert description, when this is a transport close with a CRYPTO_ERROR code
    /// (0x0100–0x01ff). QUIC has no alert level: such a close is always fatal.
    pub fn tls_alert(&self) -> Option<u8> {
        if self.application {
            return None;
        }
        let alert = self.error_code.checked_sub(CRYPTO_ERROR_BASE)?;
        u8::try_from(alert).ok()
    }
}

/// One frame, borrowing CRYPTO data from the decrypted payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A run of PADDING bytes.
    Padding(usize),
    Ping,
    Ack(AckFrame),
    Crypto {
        offset: u64,
        data: &'a [u8],
    },
    ConnectionClose(ConnectionClose),
}

/// Why a frame walk ended before the end of the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameStop {
    /// A frame type that is not allowed (or not read) in Initial packets.
    Unexpected(u64),
    /// A frame ran past the payload or broke an encoding rule.
    Malformed,
    /// More than [`MAX_FRAMES_PER_PACKET`] frames, or more than [`MAX_ACK_RANGES`] ranges.
    TooMany,
}

impl FrameStop {
    /// Counter name, snake_case.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameStop::Unexpected(_) => "unexpected_frame",
            FrameStop::Malformed => "malformed_frame",
            FrameStop::TooMany => "too_many_frames",
        }
    }
}

/// Iterator over the frames of a decrypted payload; see [`frames`].
#[derive(Clone, Debug)]
pub struct Frames<'a> {
    r: Reader<'a>,
    dialect: Dialect,
    count: usize,
    done: bool,
}

/// Walks the frames of a decrypted Initial payload (IETF encoding). Yields frames in order,
/// then at most one [`FrameStop`], after which it ends.
pub fn frames(payload: &[u8]) -> Frames<'_> {
    frames_with(payload, Dialect::Ietf)
}

/// [`frames`] for a given encoding (see [`dialect`]).
pub fn frames_with(payload: &[u8], dialect: Dialect) -> Frames<'_> {
    Frames {
        r: Reader::new(payload),
        dialect,
        count: 0,
        done: false,
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, FrameStop>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.r.remaining() == 0 {
            return None;
        }
        if self.count == MAX_FRAMES_PER_PACKET {
            self.done = true;
            return Some(Err(FrameStop::TooMany));
        }
        self.count += 1;
        let item = match self.dialect {
            Dialect::Ietf => self.read_frame(),
            Dialect::Google => self.read_google_frame(),
        };
        if item.is_err() {
            self.done = true;
        }
        Some(item)
    }
}

impl<'a> Frames<'a> {
    fn read_frame(&mut self) -> Result<Frame<'a>, FrameStop> {
        use frame_type::*;
        let r = &mut self.r;
        let ty = r.varint().ok_or(FrameStop::Malformed)?;
        let v = |r: &mut Reader<'a>| r.varint().ok_or(FrameStop::Malformed);
        match ty {
            PADDING => {
                let run = 1 + r.rest().iter().take_while(|&&b| b == 0).count();
                let _ = r.take(run - 1);
                Ok(Frame::Padding(run))
            }
            PING => Ok(Frame::Ping),
            ACK | ACK_ECN => {
                let largest = v(r)?;
                let delay = v(r)?;
                let ranges = v(r)?;
                let first_range = v(r)?;
                if first_range > largest {
                    return Err(FrameStop::Malformed);
                }
                if ranges > MAX_ACK_RANGES {
                    return Err(FrameStop::TooMany);
                }
                for _ in 0..ranges {
                    v(r)?; // gap
                    v(r)?; // range length
                }
                let ecn = if ty == ACK_ECN {
                    Some([v(r)?, v(r)?, v(r)?])
                } else {
                    None
                };
                Ok(Frame::Ack(AckFrame {
                    largest,
                    delay,
                    first_range,
                    ranges,
                    ecn,
                }))
            }
            CRYPTO => {
                let offset = v(r)?;
                let len = v(r)?;
                if offset.checked_add(len).is_none_or(|end| end > MAX_VARINT) {
                    return Err(FrameStop::Malformed);
                }
                let data = r.take_u64(len).ok_or(FrameStop::Malformed)?;
                Ok(Frame::Crypto { offset, data })
            }
            CONNECTION_CLOSE | APPLICATION_CLOSE => {
                let application = ty == APPLICATION_CLOSE;
                let error_code = v(r)?;
                let frame_type = if application { None } else { Some(v(r)?) };
                let len = v(r)?;
                let reason = r.take_u64(len).ok_or(FrameStop::Malformed)?;
                Ok(Frame::ConnectionClose(ConnectionClose {
                    application,
                    error_code,
                    frame_type,
                    reason: reason[..reason.len().min(MAX_CLOSE_REASON)].to_vec(),
                }))
            }
            other => Err(FrameStop::Unexpected(other)),
        }
    }

    fn read_google_frame(&mut self) -> Result<Frame<'a>, FrameStop> {
        use google_frame_type::*;
        let r = &mut self.r;
        let ty = r.u8().ok_or(FrameStop::Malformed)?;
        match ty {
            PADDING => {
                // Google QUIC padding fills the rest of the packet.
                let n = 1 + r.remaining();
                let _ = r.take(n - 1);
                Ok(Frame::Padding(n))
            }
            PING => Ok(Frame::Ping),
            CRYPTO => {
                let offset = r.varint().ok_or(FrameStop::Malformed)?;
                let len = r.varint().ok_or(FrameStop::Malformed)?;
                if offset.checked_add(len).is_none_or(|end| end > MAX_VARINT) {
                    return Err(FrameStop::Malformed);
                }
                let data = r.take_u64(len).ok_or(FrameStop::Malformed)?;
                Ok(Frame::Crypto { offset, data })
            }
            ACK_FIRST..=ACK_LAST => read_google_ack(r, ty).ok_or(FrameStop::Malformed),
            other => Err(FrameStop::Unexpected(other.into())),
        }
    }
}

/// A Google QUIC ACK frame (type 0b01ntllmm): largest acked (ll), 2-byte delay, optional
/// block count (n), first block (mm), blocks (1-byte gap + mm), then timestamps. Every count
/// is one byte, so the work is bounded by 255 × 255 small reads at most.
fn read_google_ack(r: &mut Reader<'_>, ty: u8) -> Option<Frame<'static>> {
    fn be(r: &mut Reader<'_>, size_code: u8) -> Option<u64> {
        let n = [1, 2, 4, 6][usize::from(size_code & 3)];
        Some(r.take(n)?.iter().fold(0, |v, &b| (v << 8) | u64::from(b)))
    }
    let largest = be(r, ty >> 2)?;
    let delay = be(r, 1)?; // 16-bit float
    let blocks = if ty & 0x20 != 0 { r.u8()? } else { 0 };
    let first_range = be(r, ty)?;
    for _ in 0..blocks {
        r.u8()?; // gap
        be(r, ty)?; // block length
    }
    let timestamps = r.u8()?;
    if timestamps > 0 {
        r.take(1 + 4)?; // delta from largest, time since largest
        for _ in 1..timestamps {
            r.take(1 + 2)?; // delta, time since previous
        }
    }
    Some(Frame::Ack(AckFrame {
        largest,
        delay,
        first_range,
        ranges: blocks.into(),
        ecn: None,
    }))
}

/// What a packet's frames amounted to, apart from the CRYPTO data and the close.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameSummary {
    /// PADDING bytes.
    pub padding: usize,
    pub ping: u32,
    pub ack: u32,
    pub crypto: u32,
    /// Why the walk stopped early, if it did.
    pub stop: Option<FrameStop>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quic::vectors::{self, hex};

    #[test]
    fn rfc9001_server_payload() {
        let payload = hex(vectors::SERVER_PAYLOAD);
        let all: Vec<_> = frames(&payload).collect::<Result<_, _>>().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            all[0],
            Frame::Ack(AckFrame {
                largest: 0,
                delay: 0,
                first_range: 0,
                ranges: 0,
                ecn: None
            })
        );
        let Frame::Crypto { offset, data } = &all[1] else {
            panic!()
        };
        assert_eq!(*offset, 0);
        assert_eq!(data.len(), 0x5a);
        assert_eq!(data[0], 2); // ServerHello
    }

    #[test]
    fn padding_runs_and_ping() {
        let payload = [0, 0, 0, 1, 0, 1];
        let all: Vec<_> = frames(&payload).collect();
        assert_eq!(
            all,
            [
                Ok(Frame::Padding(3)),
                Ok(Frame::Ping),
                Ok(Frame::Padding(1)),
                Ok(Frame::Ping)
            ]
        );
    }

    #[test]
    fn ack_ecn_with_ranges() {
        // largest 10, delay 5, 1 extra range, first range 2, gap 1 len 3, ECN 1 2 3.
        let payload = [0x03, 10, 5, 1, 2, 1, 3, 1, 2, 3, 0x01];
        let all: Vec<_> = frames(&payload).collect();
        assert_eq!(
            all[0],
            Ok(Frame::Ack(AckFrame {
                largest: 10,
                delay: 5,
                first_range: 2,
                ranges: 1,
                ecn: Some([1, 2, 3])
            }))
        );
        assert_eq!(all[1], Ok(Frame::Ping));
        // A range count from the wire is not a loop bound.
        let huge = [0x02, 10, 0, 0xbf, 0xff, 0xff, 0xff, 0];
        assert_eq!(frames(&huge).collect::<Vec<_>>(), [Err(FrameStop::TooMany)]);
        // First range larger than the largest acknowledged.
        assert_eq!(
            frames(&[0x02, 1, 0, 0, 2]).collect::<Vec<_>>(),
            [Err(FrameStop::Malformed)]
        );
    }

    #[test]
    fn connection_close_with_tls_alert() {
        // 0x1c, error 0x0128 (handshake_failure = 40), frame type 0x06, reason "bad".
        let payload = [0x1c, 0x41, 0x28, 0x06, 3, b'b', b'a', b'd'];
        let all: Vec<_> = frames(&payload).collect();
        let Ok(Frame::ConnectionClose(cc)) = &all[0] else {
            panic!("{all:?}")
        };
        assert_eq!(cc.error_code, 0x128);
        assert_eq!(cc.frame_type, Some(6));
        assert_eq!(cc.reason, b"bad");
        assert_eq!(cc.tls_alert(), Some(40));
        // Application close: no frame type, no alert.
        let app = [0x1d, 0x41, 0x28, 0];
        let Some(Ok(Frame::ConnectionClose(cc))) = frames(&app).next() else {
            panic!()
        };
        assert!(cc.application);
        assert_eq!(cc.tls_alert(), None);
        // A transport error that is not a CRYPTO_ERROR.
        let plain = [0x1c, 0x0a, 0, 0];
        let Some(Ok(Frame::ConnectionClose(cc))) = frames(&plain).next() else {
            panic!()
        };
        assert_eq!(cc.tls_alert(), None);
    }

    #[test]
    fn unexpected_and_malformed_stop_the_walk() {
        // STREAM frame (0x08) in an Initial.
        let payload = [0x01, 0x08, 0, 0];
        assert_eq!(
            frames(&payload).collect::<Vec<_>>(),
            [Ok(Frame::Ping), Err(FrameStop::Unexpected(8))]
        );
        // CRYPTO frame longer than the payload.
        assert_eq!(
            frames(&[0x06, 0, 5, 1, 2]).collect::<Vec<_>>(),
            [Err(FrameStop::Malformed)]
        );
        // CRYPTO offset + length beyond 2^62 - 1.
        let mut past = vec![0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0];
        assert_eq!(frames(&past).next(), Some(Err(FrameStop::Malformed)));
        past[9] = 0;
        assert!(matches!(
            frames(&past).next(),
            Some(Ok(Frame::Crypto { .. }))
        ));
        // A reason phrase is kept up to its bound.
        let mut long = vec![0x1c, 0, 0, 0x44, 0x00];
        long.extend(std::iter::repeat_n(b'x', 0x400));
        let Some(Ok(Frame::ConnectionClose(cc))) = frames(&long).next() else {
            panic!()
        };
        assert_eq!(cc.reason.len(), MAX_CLOSE_REASON);
    }

    #[test]
    fn google_t051_frames() {
        // Server Initial of a T051 connection (nDPI quic_t51.pcap): gQUIC ACK (largest 1,
        // delay 0, first block 1, no timestamps), CRYPTO at offset 0, then padding.
        let mut payload = hex("400100000100 0800405a 020000560303");
        payload.extend(std::iter::repeat_n(0x11u8, 0x5a - 6));
        payload.extend_from_slice(&[0, 0, 0]);
        let all: Vec<_> = frames_with(&payload, Dialect::Google).collect();
        assert_eq!(all.len(), 3, "{all:?}");
        assert_eq!(
            all[0],
            Ok(Frame::Ack(AckFrame {
                largest: 1,
                delay: 0,
                first_range: 1,
                ranges: 0,
                ecn: None
            }))
        );
        let Ok(Frame::Crypto { offset: 0, data }) = &all[1] else {
            panic!()
        };
        assert_eq!(data.len(), 0x5a);
        assert_eq!(all[2], Ok(Frame::Padding(3)));
        // ACK with 2 blocks and 2 timestamps, 2-byte largest and block lengths.
        let ack = hex("65 0102 0000 02 0003 01 0001 02 0004 02 05 00000001 06 0002 07");
        let all: Vec<_> = frames_with(&ack, Dialect::Google).collect();
        assert_eq!(all.len(), 2, "{all:?}");
        let Ok(Frame::Ack(a)) = all[0] else { panic!() };
        assert_eq!((a.largest, a.first_range, a.ranges), (0x102, 3, 2));
        assert_eq!(all[1], Ok(Frame::Ping));
        // A cut ACK and an unknown type stop the walk.
        assert_eq!(
            frames_with(&ack[..9], Dialect::Google).collect::<Vec<_>>(),
            [Err(FrameStop::Malformed)]
        );
        assert_eq!(
            frames_with(&[0x80, 1], Dialect::Google).collect::<Vec<_>>(),
            [Err(FrameStop::Unexpected(0x80))]
        );
        assert_eq!(dialect(GOOGLE_T050), Dialect::Google);
        assert_eq!(dialect(crate::quic::header::VERSION_1), Dialect::Ietf);
    }

    #[test]
    fn frame_count_is_bounded() {
        let pings = vec![0x01u8; MAX_FRAMES_PER_PACKET + 10];
        let all: Vec<_> = frames(&pings).collect();
        assert_eq!(all.len(), MAX_FRAMES_PER_PACKET + 1);
        assert_eq!(all.last(), Some(&Err(FrameStop::TooMany)));
    }
}
