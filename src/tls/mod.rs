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
