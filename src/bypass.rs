//! The capture side stops copying the data of TCP flows whose handshake is decided.
//!
//! Once both directions of a connection have shown what the verdict needs, the analysis only
//! counts that flow's payload bytes; copying ~1.4 KB per bulk segment into a batch was most of
//! the capture thread's work. The analysis tells the capture thread which flows are decided
//! (a bounded channel, non-blocking on both ends); from then on their segments travel with the
//! payload length only (`Segment::elided`).
//!
//! A flow leaves the bypass, so that its payloads are copied again, on any SYN, FIN or RST
//! (the connection ends, or its 5-tuple starts a new one) and when it was quiet for half the
//! idle timeout (the analysis may have written it and a new connection without a SYN may
//! follow). Should a left-out payload still reach a connection that is not decided, the
//! analysis treats it as missing bytes and counts it (`bypass_misses`). `--no-bypass` turns it
//! off.

use std::collections::HashMap;

use crossbeam_channel::{Receiver, Sender, bounded};

use crate::decode::tcp_flags::{FIN, RST, SYN};
use crate::decode::{Decoded, Transport};
use crate::flow::{FlowKey, flow_key};
use crate::time::Timestamp;

/// Flows in the bypass at once (keys); past this, decided flows are not added.
pub const MAX_BYPASSED_FLOWS: usize = 262_144;
/// Batches of decided keys waiting for the capture thread (messages); a full channel drops
/// the news (those flows keep being copied).
const NEWS_MESSAGES: usize = 256;

/// The analysis side's end: where decided flows are announced.
pub type DecidedTx = Sender<Vec<FlowKey>>;

pub fn channel() -> (DecidedTx, Receiver<Vec<FlowKey>>) {
    bounded(NEWS_MESSAGES)
}

/// Both ends at once: the analysis's sender and the capture side's bypass.
pub fn pair(idle_timeout_secs: u64) -> (DecidedTx, Bypass) {
    let (tx, rx) = channel();
    (tx, Bypass::new(rx, idle_timeout_secs))
}

/// The capture side's view of decided flows: key → last segment time.
pub struct Bypass {
    news: Receiver<Vec<FlowKey>>,
    flows: HashMap<FlowKey, Timestamp, foldhash::quality::RandomState>,
    /// Quiet time after which a flow leaves the bypass (ns).
    stale_ns: i64,
    now: Timestamp,
    /// Segments whose payload was left out.
    pub elided: u64,
}

impl Bypass {
    pub fn new(news: Receiver<Vec<FlowKey>>, idle_timeout_secs: u64) -> Bypass {
        Bypass {
            news,
            flows: HashMap::default(),
            stale_ns: (idle_timeout_secs.max(1) as i64).saturating_mul(500_000_000),
            now: Timestamp::ZERO,
            elided: 0,
        }
    }

    /// Takes what the analysis announced since the last call (never waits).
    pub fn absorb(&mut self) {
        while let Ok(keys) = self.news.try_recv() {
            for k in keys {
                if self.flows.len() >= MAX_BYPASSED_FLOWS {
                    self.sweep();
                    if self.flows.len() >= MAX_BYPASSED_FLOWS {
                        return;
                    }
                }
                self.flows.insert(k, self.now);
            }
        }
    }

    /// Drops the flows quiet for longer than `stale_ns`.
    fn sweep(&mut self) {
        let (now, stale) = (self.now.nanos(), self.stale_ns);
        self.flows
            .retain(|_, last| now.saturating_sub(last.nanos()) <= stale);
    }

    /// Whether this segment's payload can be left out.
    pub fn elide(&mut self, ts: Timestamp, d: &Decoded<'_>) -> bool {
        if ts > self.now {
            self.now = ts;
        }
        if self.flows.is_empty() || !matches!(d.transport, Transport::Tcp) {
            return false;
        }
        let key = flow_key(d);
        let Some(last) = self.flows.get_mut(&key) else {
            return false;
        };
        let quiet = ts.nanos().saturating_sub(last.nanos()).abs() > self.stale_ns;
        if d.tcp.flags & (SYN | FIN | RST) != 0 || quiet {
            self.flows.remove(&key);
            return false;
        }
        *last = ts;
        self.elided += !d.payload.is_empty() as u64;
        !d.payload.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::TcpMeta;
    use crate::decode::tcp_flags::ACK;

    fn seg(flags: u8, payload: &[u8]) -> Decoded<'_> {
        Decoded {
            src: "192.0.2.1".parse().unwrap(),
            dst: "198.51.100.2".parse().unwrap(),
            sport: 50000,
            dport: 443,
            transport: Transport::Tcp,
            tcp: TcpMeta {
                seq: 1,
                ack: 1,
                flags,
                window: 100,
                ..TcpMeta::default()
            },
            ttl: 64,
            ip_id: 0,
            payload,
            payload_truncated: false,
            tunnelled: false,
        }
    }

    fn key() -> FlowKey {
        flow_key(&seg(ACK, b""))
    }

    #[test]
    fn decided_flows_are_elided_until_a_control_segment_or_silence() {
        let (tx, rx) = channel();
        let mut b = Bypass::new(rx, 120);
        let data = [0u8; 1400];
        let t = |s: i64| Timestamp(s * 1_000_000_000);
        assert!(!b.elide(t(1), &seg(ACK, &data)), "not announced yet");
        tx.send(vec![key()]).unwrap();
        b.absorb();
        assert!(b.elide(t(2), &seg(ACK, &data)));
        assert!(!b.elide(t(2), &seg(ACK, b"")), "nothing to leave out");
        // 59 s later: still the same flow; 61 s after that: quiet too long, copied again.
        assert!(b.elide(t(61), &seg(ACK, &data)));
        assert!(!b.elide(t(122), &seg(ACK, &data)));
        assert!(!b.elide(t(123), &seg(ACK, &data)), "it left the bypass");
        // A FIN ends it too.
        tx.send(vec![key()]).unwrap();
        b.absorb();
        assert!(b.elide(t(124), &seg(ACK, &data)));
        assert!(!b.elide(t(125), &seg(FIN | ACK, &data)));
        assert!(!b.elide(t(126), &seg(ACK, &data)));
    }

    #[test]
    fn the_bypass_stays_bounded() {
        let (tx, rx) = channel();
        let mut b = Bypass::new(rx, 120);
        let mut k = key();
        for chunk in 0..(MAX_BYPASSED_FLOWS / 4096 + 2) {
            let keys = (0..4096)
                .map(|i| {
                    k.lo.port = (chunk * 4096 + i) as u16;
                    k.hi.ip = std::net::IpAddr::from([10, 0, (chunk % 256) as u8, (i % 256) as u8]);
                    k
                })
                .collect();
            tx.send(keys).unwrap();
            b.absorb();
            assert!(b.flows.len() <= MAX_BYPASSED_FLOWS);
        }
    }
}
