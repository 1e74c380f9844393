//! Bounded reassembly of one TCP direction's handshake phase.
//!
//! Policy: **first arrival wins**. Bytes already delivered or already buffered are never
//! replaced; a later segment carrying different bytes for the same sequence numbers is counted
//! as an overlap conflict (an evasion attempt or a broken middlebox) and its copy is dropped.
//! Conflicts are detected against buffered out-of-order data and against the first
//! `HISTORY_BYTES` of delivered data (where the hellos live).
//!
//! Bounds: stream offsets beyond `budget` bytes are not reassembled (the handshake is decided
//! long before), at most `MAX_PENDING_SEGMENTS` out-of-order pieces are held, and everything
//! is freed by [`Reassembler::release`] once the handshake is decided.
//!
//! Sequence numbers are turned into stream offsets relative to the first byte after the SYN
//! (or the first data seen) with wrapping arithmetic, so a sequence-number wrap inside the
//! handshake is invisible to the parser.

use std::collections::BTreeMap;

use crate::limits::MAX_PENDING_SEGMENTS;
use crate::time::Timestamp;

/// Delivered bytes kept for overlap-conflict checks (bytes from stream start). The hellos sit
/// in the first few KiB; that is where injected data would matter.
pub const HISTORY_BYTES: usize = 16 * 1024;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReasmCounters {
    /// Segments that arrived ahead of a hole.
    pub out_of_order: u64,
    /// Segments (or parts) carrying bytes already seen.
    pub retransmitted: u64,
    /// Lowest stream offset that was retransmitted.
    pub first_retransmitted_offset: Option<u64>,
    /// Overlapping bytes that differed from the first copy.
    pub overlap_conflicts: u64,
    /// Holes given up on (capture loss): bytes skipped.
    pub gaps: u64,
    /// Segments dropped because too many pieces were pending.
    pub pending_overflow: u64,
    /// Segments (or parts) beyond the byte budget.
    pub over_budget: u64,
}

#[derive(Debug)]
pub struct Reassembler {
    /// Sequence number of stream offset 0.
    base: Option<u32>,
    /// Next stream offset to deliver.
    next: u64,
    /// Out-of-order pieces, disjoint, keyed by stream offset.
    pending: BTreeMap<u64, (Vec<u8>, Timestamp)>,
    /// Copy of the first delivered bytes for conflict checks.
    history: Vec<u8>,
    budget: u64,
    released: bool,
    pub counters: ReasmCounters,
}

impl Reassembler {
    pub fn new(budget: usize) -> Reassembler {
        Reassembler {
            base: None,
            next: 0,
            pending: BTreeMap::new(),
            history: Vec::new(),
            budget: budget as u64,
            released: false,
            counters: ReasmCounters::default(),
        }
    }

    pub fn base(&self) -> Option<u32> {
        self.base
    }

    /// Sets the sequence number of stream offset 0 (ISN + 1 from a SYN). A later call replaces
    /// it only while nothing has been delivered (several SYN/ACKs with different ISNs).
    pub fn set_base(&mut self, seq: u32) {
        if self.base.is_none() || (self.next == 0 && self.pending.is_empty()) {
            self.base = Some(seq);
        }
    }

    pub fn delivered(&self) -> u64 {
        self.next
    }

    pub fn is_released(&self) -> bool {
        self.released
    }

    /// Frees the buffers: nothing more will be delivered.
    pub fn release(&mut self) {
        self.released = true;
        self.pending = BTreeMap::new();
        self.history = Vec::new();
    }

    pub fn buffered(&self) -> usize {
        self.history.capacity()
            + self
                .pending
                .values()
                .map(|(v, _)| v.capacity() + 48)
                .sum::<usize>()
    }

    /// Stream offset of `seq`, or `None` when it lies before offset 0 by more than it could
    /// as a retransmission (the difference is taken as a signed 32-bit number).
    fn offset_of(&self, seq: u32) -> Option<i64> {
        self.base.map(|b| seq.wrapping_sub(b) as i32 as i64)
    }

    /// Adds a segment; in-order bytes are handed to `deliver(bytes, offset, ts)` at once,
    /// followed by any pending pieces they connect to.
    pub fn insert(
        &mut self,
        seq: u32,
        data: &[u8],
        ts: Timestamp,
        deliver: &mut impl FnMut(&[u8], u64, Timestamp),
    ) {
        if data.is_empty() || self.released {
            return;
        }
        if self.base.is_none() {
            self.base = Some(seq);
        }
        let Some(mut start) = self.offset_of(seq) else {
            return;
        };
        let mut data = data;
        // Bytes before offset 0: retransmitted SYN-era data or garbage; trim.
        if start < 0 {
            let cut = (-start) as usize;
            if cut >= data.len() {
                self.note_retransmit(0);
                return;
            }
            data = &data[cut..];
            start = 0;
        }
        let start = start as u64;
        if start >= self.budget {
            self.counters.over_budget += 1;
            return;
        }
        let mut end = start + data.len() as u64;
        if end > self.budget {
            self.counters.over_budget += 1;
            end = self.budget;
            data = &data[..(end - start) as usize];
        }
        // Part already delivered: compare with history, then drop.
        let mut start = start;
        if start < self.next {
            let overlap_end = end.min(self.next);
            self.note_retransmit(start);
            self.check_history(start, &data[..(overlap_end - start) as usize]);
            data = &data[(overlap_end - start) as usize..];
            start = overlap_end;
            if data.is_empty() {
                return;
            }
        }
        if start == self.next {
            // Deliver up to the first pending piece; what overlaps pending data goes through
            // the first-wins merge like any other out-of-order bytes.
            let first_pending = self.pending.keys().next().copied().unwrap_or(u64::MAX);
            let direct = ((first_pending.saturating_sub(start)) as usize).min(data.len());
            if direct > 0 {
                self.deliver_now(&data[..direct], start, ts, deliver);
            }
            if direct < data.len() {
                self.add_pending(start + direct as u64, &data[direct..], ts);
            }
            self.drain_pending(deliver);
        } else {
            self.counters.out_of_order += 1;
            self.add_pending(start, data, ts);
        }
    }

    fn note_retransmit(&mut self, offset: u64) {
        self.counters.retransmitted += 1;
        let f = self
            .counters
            .first_retransmitted_offset
            .get_or_insert(offset);
        *f = (*f).min(offset);
    }

    fn check_history(&mut self, start: u64, bytes: &[u8]) {
        let s = start as usize;
        if s >= self.history.len() {
            return;
        }
        let n = bytes.len().min(self.history.len() - s);
        if self.history[s..s + n] != bytes[..n] {
            self.counters.overlap_conflicts += 1;
        }
    }

    fn deliver_now(
        &mut self,
        data: &[u8],
        start: u64,
        ts: Timestamp,
        deliver: &mut impl FnMut(&[u8], u64, Timestamp),
    ) {
        if (start as usize) < HISTORY_BYTES {
            let keep = (HISTORY_BYTES - start as usize).min(data.len());
            self.history.extend_from_slice(&data[..keep]);
        }
        self.next = start + data.len() as u64;
        deliver(data, start, ts);
    }

    fn drain_pending(&mut self, deliver: &mut impl FnMut(&[u8], u64, Timestamp)) {
        while let Some(entry) = self.pending.first_entry() {
            let off = *entry.key();
            if off > self.next {
                break;
            }
            let (bytes, ts) = entry.remove();
            let end = off + bytes.len() as u64;
            if end <= self.next {
                continue;
            }
            let skip = (self.next - off) as usize;
            self.deliver_now(&bytes[skip..], self.next, ts, deliver);
        }
    }

    /// Inserts the parts of `[start, start+len)` not already pending (first arrival wins).
    fn add_pending(&mut self, start: u64, data: &[u8], ts: Timestamp) {
        let end = start + data.len() as u64;
        // Existing pieces that overlap [start, end), in order.
        let first_key = self
            .pending
            .range(..=start)
            .next_back()
            .filter(|(k, (v, _))| *k + v.len() as u64 > start)
            .map(|(k, _)| *k)
            .unwrap_or(start);
        let mut cursor = start;
        let mut new_pieces: Vec<(u64, u64)> = Vec::new();
        let mut conflict = false;
        for (&k, (v, _)) in self.pending.range(first_key..end) {
            let pend = k + v.len() as u64;
            if k > cursor {
                new_pieces.push((cursor, k));
            }
            // Overlap [max(k,start), min(pend,end)) compared byte-for-byte.
            let os = k.max(start);
            let oe = pend.min(end);
            if os < oe {
                let theirs = &v[(os - k) as usize..(oe - k) as usize];
                let ours = &data[(os - start) as usize..(oe - start) as usize];
                if theirs != ours {
                    conflict = true;
                }
            }
            cursor = cursor.max(pend);
        }
        if cursor < end {
            new_pieces.push((cursor, end));
        }
        if conflict {
            self.counters.overlap_conflicts += 1;
        }
        if new_pieces.iter().map(|(a, b)| b - a).sum::<u64>() < end - start {
            self.note_retransmit(start);
        }
        for (a, b) in new_pieces {
            if self.pending.len() >= MAX_PENDING_SEGMENTS {
                self.counters.pending_overflow += 1;
                return;
            }
            let piece = data[(a - start) as usize..(b - start) as usize].to_vec();
            self.pending.insert(a, (piece, ts));
        }
    }

    /// The receiver acknowledged `ack` (a sequence number): bytes below it were received, so a
    /// hole below it will never be filled from this capture. Skips to the next pending piece
    /// and delivers what follows (the consumer sees the jump in offsets). Returns the bytes
    /// skipped.
    pub fn acked(&mut self, ack: u32, deliver: &mut impl FnMut(&[u8], u64, Timestamp)) -> u64 {
        if self.released || self.pending.is_empty() {
            return 0;
        }
        let Some(ack_off) = self.offset_of(ack) else {
            return 0;
        };
        let first = self.pending.keys().next().copied().unwrap_or(0);
        if ack_off > self.next as i64 && ack_off as u64 >= first {
            return self.skip_hole(deliver);
        }
        0
    }

    /// Gives up on the hole before the first pending piece (end of input, or it was acked).
    /// Returns the bytes skipped.
    pub fn skip_hole(&mut self, deliver: &mut impl FnMut(&[u8], u64, Timestamp)) -> u64 {
        let Some(first) = self.pending.keys().next().copied() else {
            return 0;
        };
        let skipped = first.saturating_sub(self.next);
        if skipped > 0 {
            self.counters.gaps += skipped;
            self.next = first;
        }
        self.drain_pending(deliver);
        skipped
    }

    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(segs: &[(u32, Vec<u8>)], budget: usize) -> (Vec<u8>, Reassembler) {
        let mut r = Reassembler::new(budget);
        r.set_base(1000);
        let mut out = Vec::new();
        for (seq, d) in segs {
            r.insert(*seq, d, Timestamp(0), &mut |b, off, _| {
                assert_eq!(off as usize, out.len(), "delivered in order");
                out.extend_from_slice(b);
            });
        }
        (out, r)
    }

    #[test]
    fn in_order_out_of_order_and_retransmission() {
        let segs = vec![
            (1000, b"abc".to_vec()),
            (1006, b"ghi".to_vec()),
            (1003, b"def".to_vec()),
            (1003, b"def".to_vec()),
        ];
        let (out, r) = run(&segs, 1 << 16);
        assert_eq!(out, b"abcdefghi");
        assert_eq!(r.counters.out_of_order, 1);
        assert_eq!(r.counters.retransmitted, 1);
        assert_eq!(r.counters.overlap_conflicts, 0);
    }

    #[test]
    fn first_copy_wins_and_conflicts_are_counted() {
        let segs = vec![
            (1000, b"ab".to_vec()),
            (1004, b"EF".to_vec()),
            (1003, b"dXYg".to_vec()), // conflicts with pending "EF"
            (1000, b"Zb".to_vec()),   // conflicts with delivered "ab"
            (1002, b"c".to_vec()),
        ];
        let (out, r) = run(&segs, 1 << 16);
        assert_eq!(out, b"abcdEFg");
        assert_eq!(r.counters.overlap_conflicts, 2);
    }

    #[test]
    fn sequence_wrap_inside_the_stream() {
        let mut r = Reassembler::new(1 << 16);
        r.set_base(u32::MAX - 2);
        let mut out = Vec::new();
        let mut d = |b: &[u8], _: u64, _: Timestamp| out.extend_from_slice(b);
        r.insert(0, b"def", Timestamp(0), &mut d);
        r.insert(u32::MAX - 2, b"abc", Timestamp(0), &mut d);
        assert_eq!(out, b"abcdef");
    }

    #[test]
    fn budget_and_gap() {
        let (out, r) = run(&[(1000, vec![1; 10]), (1008, vec![2; 10])], 12);
        assert_eq!(out.len(), 12);
        assert_eq!(r.counters.over_budget, 1);

        let mut r = Reassembler::new(1 << 16);
        r.set_base(0);
        let mut out = Vec::new();
        r.insert(0, b"ab", Timestamp(0), &mut |b, _, _| {
            out.extend_from_slice(b)
        });
        r.insert(5, b"fg", Timestamp(0), &mut |b, _, _| {
            out.extend_from_slice(b)
        });
        let gaps = r.acked(7, &mut |b, _, _| out.extend_from_slice(b));
        assert_eq!(out, b"abfg");
        assert_eq!(gaps, 3);
    }

    proptest! {
        /// Against a trivial model: a byte array where the first write to each position wins.
        #[test]
        fn matches_first_wins_model(
            stream in proptest::collection::vec(any::<u8>(), 1..600),
            cuts in proptest::collection::vec((0usize..600, 1usize..80, any::<bool>(), any::<u8>()), 1..60),
            base in any::<u32>(),
        ) {
            let n = stream.len();
            let mut model: Vec<Option<u8>> = vec![None; n];
            let mut r = Reassembler::new(1 << 16);
            r.set_base(base);
            let mut out: Vec<u8> = Vec::new();
            // Always finish with the whole stream so every byte is eventually covered.
            let mut segs: Vec<(usize, Vec<u8>)> = cuts.iter().map(|&(s, len, corrupt, x)| {
                let s = s % n;
                let e = (s + len).min(n);
                let mut d = stream[s..e].to_vec();
                if corrupt { d[0] ^= x | 1; }
                (s, d)
            }).collect();
            segs.push((0, stream.clone()));
            for (s, d) in &segs {
                for (i, b) in d.iter().enumerate() {
                    if model[s + i].is_none() { model[s + i] = Some(*b); }
                }
                r.insert(base.wrapping_add(*s as u32), d, Timestamp(0), &mut |b, off, _| {
                    assert_eq!(off as usize, out.len());
                    out.extend_from_slice(b);
                });
            }
            let expected: Vec<u8> = model.into_iter().map(|b| b.unwrap()).collect();
            prop_assert_eq!(out, expected);
            prop_assert!(!r.has_pending());
        }
    }
}
