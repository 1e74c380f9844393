//! The TLS handshake, seen from outside: record and handshake-message defragmentation
//! (`stream`), hello summaries (`hello`), and IANA names (`names`).
//!
//! Pure functions and state machines over byte slices and capture timestamps: no I/O, no clock,
//! no channels. TCP streams and (later) QUIC CRYPTO frames both feed [`stream::TlsDirection`];
//! borrowed `tls-parser` types never leave this module, only the owned summaries do.

pub mod cert;
pub mod fingerprint;
pub mod hello;
pub mod names;
pub mod stream;

pub use hello::{ClientHello, ServerHello};
pub use stream::{Alert, MsgMeta, Observed, TlsDirection};

/// TLS 1.3, its drafts (0x7f..) or Facebook's Fizz variants (0xfb..).
pub fn is_tls13(version: u16) -> bool {
    version == 0x0304 || version & 0xff00 == 0x7f00 || version & 0xff00 == 0xfb00
}
