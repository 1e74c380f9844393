//! JSON Lines output — an API; change it only on purpose.
//!
//! One JSON object per line on stdout, nothing else. Every object has `"type"`:
//!
//! - `"session"`: one per TCP connection on an analysed port, written when the connection ends
//!   (FIN/RST exchange plus a short linger, idle timeout, eviction, or end of input). Fields as in
//!   SPEC.md: `ts`, `ts_end` (RFC 3339 UTC, microseconds, capture time), `transport`, `client`,
//!   `server` (`ip:port`, IPv6 as `[addr]:port`), `outcome`, `sni`, `alpn_offered`, `alpn`,
//!   `versions_offered`, `version`, `cipher`, `group`, `ja3`, `ja3s`, `ja4`, `resumed`, `hrr`,
//!   `ech`, `alert`, `cert`, `tcp_rtt_ms`, `server_hello_ms`, `handshake_ms`,
//!   `client_hello_bytes` (handshake message incl. its 4-byte header), `client_hello_segments`,
//!   `bytes_client`, `bytes_server`, `problems`. Added beyond SPEC: `detail`, a one-line
//!   explanation of the outcome; `ja3_string`, `ja3s_string`, `ja4_r`; `client_cert`; `alerts`
//!   (every plaintext alert); the client's offers (`ciphers_offered`, `extensions_offered`,
//!   `groups_offered`, `key_shares_offered`, `sig_algs_offered`, `psk_modes`,
//!   `compression_offered`) and `extensions_server`, as IANA names in wire order (unknown values
//!   `0x….`, GREASE `GREASE(0x….)`); `pq_offered`, `pq_negotiated`; in `cert`: `key_type`,
//!   `key_bits`, `sig_alg`, `serial`, `sha256`, `sha1` and `chain` (every certificate as sent);
//!   `version_raw` (the negotiated version's wire number), `ssl_history` (Zeek's letters for what
//!   each side sent in plaintext) and `handshake_completed` (Zeek's `established`; `null` for
//!   QUIC); and the outcome `no_client_hello` (TCP connected and closed with no data).
//! - `"stats"`: once at the end of `read`: packets, bytes, link types, skipped frames by reason,
//!   capture-file anomalies, flow counters and reassembly/TLS anomalies. Counters only grow.
//!
//! Records are written in the order connections finish, not the order they started.

use std::io::{self, Write};

use serde::Serialize;

/// Writes one record per line. A closed stdout (`| head`) surfaces as `BrokenPipe`, which the
/// caller treats as a normal end.
pub struct JsonlWriter<W: Write> {
    out: io::BufWriter<W>,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(w: W) -> Self {
        JsonlWriter {
            out: io::BufWriter::with_capacity(256 * 1024, w),
        }
    }

    pub fn write<T: Serialize>(&mut self, record: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, record).map_err(io::Error::other)?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_object_per_line() {
        let mut buf = Vec::new();
        {
            let mut w = JsonlWriter::new(&mut buf);
            w.write(&serde_json::json!({"type": "a"})).unwrap();
            w.write(&serde_json::json!({"type": "b", "x": [1, 2]}))
                .unwrap();
            w.flush().unwrap();
        }
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text, "{\"type\":\"a\"}\n{\"type\":\"b\",\"x\":[1,2]}\n");
    }
}
