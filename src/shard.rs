//! `read --threads N`: flow-sharded analysis with output identical to one thread.
//!
//! ```text
//! capture thread ── read, filter, decode ── Dispatcher ──┬─ shard 0: FlowTable ─┐
//!                   (numbers every segment, decides       ├─ shard 1: FlowTable ─┼─ merge (calling
//!                    expiry scans on packet time)         └─ shard N-1 ...      ─┘  thread): order,
//!                                                                                 correlate, write
//! ```
//!
//! - A flow always lands in the same shard: TCP by its 5-tuple (either direction), UDP by its
//!   server endpoint (the 443 side, else the lower port) so that a QUIC client whose address
//!   changes is still followed by the shard that knows its connection IDs.
//! - Every shard sees the same expiry scans at the same points of the input: the dispatcher
//!   runs the table's `ScanClock` on the global packet time and inserts each scan into every
//!   shard's batch, before the segment that made it due.
//! - Each record carries its `OrderKey` (the input segment during which it was written, scan or
//!   segment phase, start time, flow key). The merge holds records until every shard has passed
//!   that point of the input (its watermark) and releases them in key order: the order one
//!   table writes them in. Cross-flow findings (`Correlator`) run in the merge, on that order.
//!
//! What is not identical: with `--max-flows` reached, each shard evicts from its own share
//! (max-flows / N), so evictions differ; `flows_peak` in the stats is the sum of the shards'
//! peaks.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::thread;

use crossbeam_channel::{Receiver, Sender, bounded};

use crate::app::{Batch, Outlet, announce_decided};
use crate::bypass::{Bypass, DecidedTx};
use crate::capture::CaptureStats;
use crate::capture::file::CaptureError;
use crate::decode::{self, Transport};
use crate::flow::correlate::Correlator;
use crate::flow::table::{FlowCounters, OrderKey, ScanClock};
use crate::flow::{Endpoint, FlowConfig, FlowTable, TLS_PORT, addressing};
use crate::limits::{BATCH_SEGMENTS, READ_CHANNEL_BATCHES};
use crate::output::record::SessionRecord;
use crate::stats::DecodeCounters;
use crate::time::Timestamp;

/// Largest `--threads`.
pub const MAX_THREADS: usize = 64;

/// One shard's part of a round of the input: its segments (with their input indices) and the
/// expiry scans, each placed before the shard's next segment.
struct ShardBatch {
    batch: Batch,
    index: Vec<u64>,
    /// (number of this shard's segments before the scan, input index, packet time).
    scans: Vec<(usize, u64, Timestamp)>,
    /// Every input segment before this index has been dispatched.
    end: u64,
}

impl ShardBatch {
    fn new() -> ShardBatch {
        ShardBatch {
            batch: Batch::with_capacity(),
            index: Vec::new(),
            scans: Vec::new(),
            end: 0,
        }
    }
}

enum ShardMsg {
    Batch(ShardBatch),
    /// The input ended at `end` (packet time); shard 0 also carries the capture's counters.
    Done(Timestamp, Option<Box<(CaptureStats, DecodeCounters)>>),
    Failed(CaptureError),
}

enum MergeMsg {
    /// Records written by `shard`, which has handled the input up to `watermark`.
    Records {
        shard: usize,
        records: Vec<(OrderKey, SessionRecord)>,
        watermark: u64,
    },
    Finished {
        counters: Box<FlowCounters>,
        capture: Option<Box<(CaptureStats, DecodeCounters)>>,
    },
    Failed(CaptureError),
}

/// The capture side: numbers segments, decides scans, splits rounds of `BATCH_SEGMENTS`
/// segments across the shards.
pub struct Dispatcher {
    txs: Vec<Sender<ShardMsg>>,
    bypass: Option<Bypass>,
    round: Vec<ShardBatch>,
    in_round: usize,
    next_index: u64,
    clock: ScanClock,
    now: Timestamp,
}

/// Mixes a 64-bit value (the finaliser of SplitMix64): cheap, and spreads flows evenly.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn ip_bits(ip: IpAddr) -> u64 {
    match ip {
        IpAddr::V4(a) => u32::from(a) as u64,
        IpAddr::V6(a) => {
            let v = u128::from(a);
            (v as u64) ^ ((v >> 64) as u64)
        }
    }
}

fn endpoint_bits(e: Endpoint) -> u64 {
    mix(ip_bits(e.ip) ^ ((e.port as u64) << 48))
}

/// The shard of a segment: the same for both directions of a flow.
fn shard_of(d: &decode::Decoded<'_>, shards: usize) -> usize {
    let (a, b, _) = addressing(d);
    let h = match d.transport {
        // Symmetric: the sum does not depend on the direction.
        Transport::Tcp => mix(endpoint_bits(a).wrapping_add(endpoint_bits(b))),
        Transport::Udp => {
            let server = if a.port == TLS_PORT {
                a
            } else if b.port == TLS_PORT {
                b
            } else {
                // The lower port (then the lower address): the server's, usually.
                std::cmp::min_by_key(a, b, |e| (e.port, e.ip))
            };
            endpoint_bits(server)
        }
    };
    (h % shards as u64) as usize
}

impl Dispatcher {
    fn send_round(&mut self) -> bool {
        if let Some(b) = self.bypass.as_mut() {
            b.absorb();
        }
        let end = self.next_index;
        let mut ok = true;
        for (tx, sb) in self.txs.iter().zip(self.round.iter_mut()) {
            let mut full = std::mem::replace(sb, ShardBatch::new());
            full.end = end;
            ok &= tx.send(ShardMsg::Batch(full)).is_ok();
        }
        self.in_round = 0;
        ok
    }
}

impl Outlet for Dispatcher {
    fn push(&mut self, ts: Timestamp, d: &decode::Decoded<'_>) -> bool {
        let k = self.next_index;
        self.next_index += 1;
        if ts > self.now {
            self.now = ts;
        }
        if self.clock.due(self.now) {
            for sb in &mut self.round {
                sb.scans.push((sb.index.len(), k, self.now));
            }
        }
        let sb = &mut self.round[shard_of(d, self.txs.len())];
        sb.batch.add(self.bypass.as_mut(), ts, d);
        sb.index.push(k);
        self.in_round += 1;
        let full = sb.batch.is_full();
        if full || self.in_round >= BATCH_SEGMENTS {
            return self.send_round();
        }
        true
    }

    fn flush(&mut self) -> bool {
        self.send_round()
    }

    fn done(mut self, mut counters: Box<(CaptureStats, DecodeCounters)>) {
        self.send_round();
        counters.0.payloads_bypassed = self.bypass.as_ref().map_or(0, |b| b.elided);
        let mut counters = Some(counters);
        for tx in &self.txs {
            let _ = tx.send(ShardMsg::Done(self.now, counters.take()));
        }
    }

    fn failed(self, e: CaptureError) {
        if let Some(tx) = self.txs.first() {
            let _ = tx.send(ShardMsg::Failed(e));
        }
    }
}

/// One shard: a table of its own, fed rounds, sending records with their order keys.
fn shard_loop(
    shard: usize,
    mut table: FlowTable,
    rx: Receiver<ShardMsg>,
    out: Sender<MergeMsg>,
    decided: Option<DecidedTx>,
) {
    while let Ok(msg) = rx.recv() {
        match msg {
            ShardMsg::Batch(sb) => {
                let mut scans = sb.scans.iter().peekable();
                for (i, (seg, &k)) in sb.batch.segments().zip(&sb.index).enumerate() {
                    while let Some(&(_, at, now)) = scans.next_if(|s| s.0 == i) {
                        table.set_cursor(at);
                        table.scan_at(now);
                    }
                    table.set_cursor(k);
                    table.on_segment(&seg);
                }
                announce_decided(&mut table, decided.as_ref());
                for &(_, at, now) in scans {
                    table.set_cursor(at);
                    table.scan_at(now);
                }
                let msg = MergeMsg::Records {
                    shard,
                    records: table.take_ordered(),
                    watermark: sb.end,
                };
                if out.send(msg).is_err() {
                    return;
                }
            }
            ShardMsg::Done(end, capture) => {
                table.set_now(end);
                let mut gone = false;
                table.finish_all_ordered(|records| {
                    gone |= out
                        .send(MergeMsg::Records {
                            shard,
                            records,
                            watermark: u64::MAX - 1,
                        })
                        .is_err();
                });
                if !gone {
                    let _ = out.send(MergeMsg::Finished {
                        counters: Box::new(table.counters.clone()),
                        capture,
                    });
                }
                return;
            }
            ShardMsg::Failed(e) => {
                let _ = out.send(MergeMsg::Failed(e));
                return;
            }
        }
    }
}

/// The running shards, as the merge sees them.
pub struct Shards {
    rx: Receiver<MergeMsg>,
    pending: Vec<VecDeque<(OrderKey, SessionRecord)>>,
    watermarks: Vec<u64>,
    finished: usize,
    counters: FlowCounters,
    capture: Option<Box<(CaptureStats, DecodeCounters)>>,
    correlator: Correlator,
    handles: Vec<thread::JoinHandle<()>>,
}

/// Starts `n` shard threads with `cfg` (its `max_flows` shared among them); returns the
/// capture side and the merge side. `bypass`: let the capture side skip the payloads of
/// decided flows (see `bypass`).
pub fn start(n: usize, cfg: FlowConfig, bypass: bool) -> std::io::Result<(Dispatcher, Shards)> {
    let n = n.clamp(1, MAX_THREADS);
    let (merge_tx, merge_rx) = bounded::<MergeMsg>(READ_CHANNEL_BATCHES * n);
    let mut txs = Vec::with_capacity(n);
    let mut handles = Vec::with_capacity(n);
    let share = FlowConfig {
        max_flows: cfg.max_flows.div_ceil(n).max(1),
        ..cfg
    };
    let (decided_tx, bypass) = if bypass {
        let (tx, b) = crate::bypass::pair(cfg.idle_timeout_secs);
        (Some(tx), Some(b))
    } else {
        (None, None)
    };
    for shard in 0..n {
        let (tx, rx) = bounded::<ShardMsg>(READ_CHANNEL_BATCHES);
        let out = merge_tx.clone();
        let table = FlowTable::new(share).into_shard();
        let decided = decided_tx.clone();
        handles.push(
            thread::Builder::new()
                .name(format!("shard-{shard}"))
                .spawn(move || shard_loop(shard, table, rx, out, decided))?,
        );
        txs.push(tx);
    }
    let dispatcher = Dispatcher {
        bypass,
        round: (0..n).map(|_| ShardBatch::new()).collect(),
        txs,
        in_round: 0,
        next_index: 0,
        clock: ScanClock::default(),
        now: Timestamp::ZERO,
    };
    let shards = Shards {
        rx: merge_rx,
        pending: (0..n).map(|_| VecDeque::new()).collect(),
        watermarks: vec![0; n],
        finished: 0,
        counters: FlowCounters::default(),
        capture: None,
        correlator: Correlator::default(),
        handles,
    };
    Ok((dispatcher, shards))
}

/// What the merge hands on.
pub enum Merged {
    /// Records in one table's order, cross-flow findings applied.
    Records(Vec<SessionRecord>),
    /// Every shard finished: the summed flow counters and the capture's counters.
    Done(Box<FlowCounters>, Box<(CaptureStats, DecodeCounters)>),
}

impl Shards {
    /// Blocks until records can be released or the analysis ended.
    pub fn next_merged(&mut self) -> Result<Merged, CaptureError> {
        loop {
            let ready = self.release();
            if !ready.is_empty() {
                return Ok(Merged::Records(ready));
            }
            if self.finished == self.pending.len() {
                let capture = self.capture.take().unwrap_or_default();
                return Ok(Merged::Done(
                    Box::new(std::mem::take(&mut self.counters)),
                    capture,
                ));
            }
            match self.rx.recv() {
                Ok(MergeMsg::Records {
                    shard,
                    records,
                    watermark,
                }) => {
                    self.pending[shard].extend(records);
                    self.watermarks[shard] = watermark;
                }
                Ok(MergeMsg::Finished { counters, capture }) => {
                    self.counters.merge(&counters);
                    if capture.is_some() {
                        self.capture = capture;
                    }
                    self.finished += 1;
                }
                Ok(MergeMsg::Failed(e)) => return Err(e),
                Err(_) => {
                    return Err(CaptureError::Read(
                        "analysis".into(),
                        "a shard thread stopped unexpectedly".into(),
                    ));
                }
            }
        }
    }

    /// Records every shard is past, in order, with cross-flow findings applied.
    fn release(&mut self) -> Vec<SessionRecord> {
        let all_done = self.finished == self.pending.len();
        let low = self.watermarks.iter().copied().min().unwrap_or(0);
        let mut out = Vec::new();
        loop {
            let mut best: Option<(usize, OrderKey)> = None;
            for (i, q) in self.pending.iter().enumerate() {
                if let Some((k, _)) = q.front()
                    && (all_done || k.seg < low)
                    && best.is_none_or(|(_, b)| *k < b)
                {
                    best = Some((i, *k));
                }
            }
            let Some((i, _)) = best else { break };
            let Some((_, mut rec)) = self.pending[i].pop_front() else {
                break;
            };
            let first = Timestamp(rec.span_ns.0);
            if let Ok(client) = rec.client.parse::<std::net::SocketAddr>() {
                self.correlator.observe(&mut rec, first, client.ip());
            }
            out.push(rec);
        }
        out
    }

    /// Waits for the shard threads (after `Done`, or after dropping the merge side).
    pub fn join(self) {
        drop(self.rx);
        for h in self.handles {
            let _ = h.join();
        }
    }
}
