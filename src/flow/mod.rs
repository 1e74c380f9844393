//! Flows: identity (`key`), per-connection TCP tracking (`conn`), bounded handshake
//! reassembly (`reassembly`), the table with expiry and eviction (`table`), and the one
//! verdict per connection (`verdict`).
//!
//! Owned by the flow thread alone. Time is the packet's capture timestamp; nothing here reads
//! a clock or does I/O — finished connections come out as `output::SessionRecord`s.

pub mod conn;
pub mod correlate;
pub mod describe;
pub mod key;
pub mod quic;
pub mod reassembly;
pub mod session;
pub mod table;
pub mod timeline;
pub mod verdict;

pub use key::{Endpoint, FlowKey};
pub use table::{FlowConfig, FlowTable};

use crate::decode::{Decoded, TcpMeta, Transport};
use crate::time::Timestamp;

pub const PROTO_TCP: u8 = 6;
pub const PROTO_UDP: u8 = 17;
/// The port whose flows are always analysed.
pub const TLS_PORT: u16 = 443;

/// One decoded TCP or UDP segment as the flow table sees it.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    pub ts: Timestamp,
    pub src: Endpoint,
    pub dst: Endpoint,
    /// IP protocol number (`PROTO_TCP` or `PROTO_UDP`).
    pub proto: u8,
    pub tcp: TcpMeta,
    pub ttl: u8,
    pub ip_id: u16,
    pub payload: &'a [u8],
    /// The frame was cut by the snaplen inside this payload.
    pub payload_truncated: bool,
    /// Payload bytes on the wire that are not in `payload`: the capture side leaves out the
    /// data of TCP flows whose handshake is decided (only their length still matters).
    pub elided: u32,
}

/// A decoded frame's source and destination endpoints and IP protocol number.
pub fn addressing(d: &Decoded<'_>) -> (Endpoint, Endpoint, u8) {
    let src = Endpoint {
        ip: d.src,
        port: d.sport,
    };
    let dst = Endpoint {
        ip: d.dst,
        port: d.dport,
    };
    let proto = match d.transport {
        Transport::Tcp => PROTO_TCP,
        Transport::Udp => PROTO_UDP,
    };
    (src, dst, proto)
}

/// The flow a decoded frame belongs to (either direction gives the same key).
pub fn flow_key(d: &Decoded<'_>) -> FlowKey {
    let (src, dst, proto) = addressing(d);
    FlowKey::new(src, dst, proto).0
}

impl<'a> Segment<'a> {
    /// The segment a decoded frame carries.
    pub fn from_decoded(ts: Timestamp, d: &Decoded<'a>) -> Segment<'a> {
        let (src, dst, proto) = addressing(d);
        Segment {
            ts,
            src,
            dst,
            proto,
            tcp: d.tcp,
            ttl: d.ttl,
            ip_id: d.ip_id,
            payload: d.payload,
            payload_truncated: d.payload_truncated,
            elided: 0,
        }
    }

    /// A segment built by hand (tests, fuzzing, benchmarks): TTL 64, IP ID 0, the payload
    /// complete.
    pub fn synthetic(
        ts: Timestamp,
        src: Endpoint,
        dst: Endpoint,
        proto: u8,
        tcp: TcpMeta,
        payload: &'a [u8],
    ) -> Segment<'a> {
        Segment {
            ts,
            src,
            dst,
            proto,
            tcp,
            ttl: 64,
            ip_id: 0,
            payload,
            payload_truncated: false,
            elided: 0,
        }
    }

    /// Payload length on the wire (bytes), carried or not.
    pub fn wire_len(&self) -> usize {
        self.payload.len() + self.elided as usize
    }

    /// Sequence number of the first payload byte: data on a SYN (TCP Fast Open) starts after
    /// the SYN's own sequence number.
    pub fn data_seq(&self) -> u32 {
        if self.tcp.flags & crate::decode::tcp_flags::SYN != 0 {
            self.tcp.seq.wrapping_add(1)
        } else {
            self.tcp.seq
        }
    }
}
