//! CRYPTO frame reassembly for one direction of one packet-number space (RFC 9000 §19.6).
//!
//! CRYPTO frames carry the TLS handshake as a byte stream with explicit offsets, spread over
//! one or more Initial packets (Chrome's post-quantum ClientHello takes two), in any order,
//! with retransmissions that overlap earlier frames. [`CryptoStream`] turns them back into
//! the stream from offset 0: a sequence of TLS handshake messages (type, 3-byte length, body)
//! with **no record headers**, ready for the TLS handshake-message parser.
//!
//! Rules:
//! - the first copy of a byte wins; later copies that differ are counted as conflicts (a
//!   conforming sender never changes retransmitted CRYPTO data);
//! - only offsets below the budget are kept (default [`DEFAULT_BUDGET`]); bytes beyond it are
//!   dropped and counted, so memory per stream is at most the budget;
//! - at most [`DEFAULT_MAX_PENDING`] out-of-order pieces wait for a hole to fill; more are
//!   dropped and counted (a later retransmission can still fill the hole).

use std::collections::BTreeMap;

/// Handshake bytes kept per direction (bytes): the same budget as the TCP side
/// ([`crate::limits::DEFAULT_MAX_HANDSHAKE_BYTES`]). A QUIC client's Initial CRYPTO stream is
/// one ClientHello (~0.3–2 KB; a few KB with post-quantum key shares); the server's is one
/// ServerHello (~100–1200 bytes).
pub const DEFAULT_BUDGET: usize = crate::limits::DEFAULT_MAX_HANDSHAKE_BYTES;

/// Out-of-order pieces held per direction (pieces): as the TCP side
/// ([`crate::limits::MAX_PENDING_SEGMENTS`]). Chrome scatters its ClientHello over a few
/// dozen CRYPTO frames; each insertion is O(log n).
pub const DEFAULT_MAX_PENDING: usize = crate::limits::MAX_PENDING_SEGMENTS;

/// What happened to the CRYPTO data offered to a stream. Counters only grow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CryptoCounters {
    /// Frames offered ([`CryptoStream::insert`] calls).
    pub frames: u64,
    /// Bytes offered.
    pub bytes: u64,
    /// Bytes already held with the same value (retransmissions, overlaps).
    pub duplicate_bytes: u64,
    /// Bytes already held with a different value; the first copy was kept.
    pub conflict_bytes: u64,
    /// Bytes at offsets at or beyond the budget, dropped.
    pub over_budget_bytes: u64,
    /// Out-of-order pieces dropped because [`CryptoStream::max_pending`] were waiting.
    pub dropped_pieces: u64,
    /// Bytes of those pieces.
    pub dropped_bytes: u64,
    /// Bytes offered after [`CryptoStream::release`], ignored.
    pub after_release_bytes: u64,
}

/// One direction's CRYPTO stream; see the module doc.
#[derive(Clone, Debug)]
pub struct CryptoStream {
    /// The stream from offset 0 up to the first missing byte.
    contiguous: Vec<u8>,
    /// Disjoint pieces beyond `contiguous`, keyed by offset.
    pending: BTreeMap<u64, Vec<u8>>,
    pending_bytes: usize,
    /// Bytes of `contiguous` already returned by [`CryptoStream::take_new`].
    read: usize,
    budget: usize,
    max_pending: usize,
    released: bool,
    counters: CryptoCounters,
}

impl Default for CryptoStream {
    fn default() -> Self {
        CryptoStream::new()
    }
}

impl CryptoStream {
    /// A stream with the default budget and pending-piece cap.
    pub fn new() -> CryptoStream {
        CryptoStream::with_limits(DEFAULT_BUDGET, DEFAULT_MAX_PENDING)
    }

    /// A stream keeping offsets below `budget` bytes, with at most `max_pending` out-of-order
    /// pieces waiting.
    pub fn with_limits(budget: usize, max_pending: usize) -> CryptoStream {
        CryptoStream {
            contiguous: Vec::new(),
            pending: BTreeMap::new(),
            pending_bytes: 0,
            read: 0,
            budget,
            max_pending,
            released: false,
            counters: CryptoCounters::default(),
        }
    }

    /// Adds the data of one CRYPTO frame at stream offset `offset`.
    pub fn insert(&mut self, offset: u64, data: &[u8]) {
        let c = &mut self.counters;
        c.frames += 1;
        c.bytes += data.len() as u64;
        if self.released {
            c.after_release_bytes += data.len() as u64;
            return;
        }
        // Keep [offset, end) ∩ [0, budget).
        let budget = self.budget as u64;
        let end = offset.saturating_add(data.len() as u64);
        if end > budget {
            let kept = budget.saturating_sub(offset);
            c.over_budget_bytes += data.len() as u64 - kept;
            if offset >= budget {
                return;
            }
        }
        // Both below the budget now, so they fit in usize.
        let mut start = offset as usize;
        let end = end.min(budget) as usize;
        let mut data = &data[..end - start];

        // Overlap with the contiguous prefix.
        let held = self.contiguous.len();
        if start < held {
            let n = held.min(end) - start;
            compare(&self.contiguous[start..start + n], &data[..n], c);
            start += n;
            data = &data[n..];
        }
        if data.is_empty() {
            return;
        }

        // Fill the holes between pending pieces in [start, end); compare the overlaps.
        let mut fills: Vec<(usize, &[u8])> = Vec::new();
        let mut cursor = start;
        // A piece starting before `start` may reach into it.
        let first_key = self
            .pending
            .range(..=start as u64)
            .next_back()
            .map_or(start as u64, |(&k, _)| k);
        for (&k, piece) in self.pending.range(first_key..end as u64) {
            let (p_start, p_end) = (k as usize, k as usize + piece.len());
            if p_end <= cursor {
                continue;
            }
            if p_start > cursor {
                fills.push((cursor, &data[cursor - start..p_start - start]));
                cursor = p_start;
            }
            let overlap_end = p_end.min(end);
            compare(
                &piece[cursor - p_start..overlap_end - p_start],
                &data[cursor - start..overlap_end - start],
                c,
            );
            cursor = overlap_end;
        }
        if cursor < end {
            fills.push((cursor, &data[cursor - start..]));
        }

        for (at, bytes) in fills {
            if at == self.contiguous.len() {
                // Continues the prefix, and may join it to waiting pieces: never refused.
                self.contiguous.extend_from_slice(bytes);
                while let Some(piece) = self.pending.remove(&(self.contiguous.len() as u64)) {
                    self.pending_bytes -= piece.len();
                    self.contiguous.extend_from_slice(&piece);
                }
            } else if self.pending.len() >= self.max_pending {
                c.dropped_pieces += 1;
                c.dropped_bytes += bytes.len() as u64;
            } else {
                self.pending_bytes += bytes.len();
                self.pending.insert(at as u64, bytes.to_vec());
            }
        }
    }

    /// The stream from offset 0 up to the first missing byte.
    pub fn contiguous(&self) -> &[u8] {
        &self.contiguous
    }

    /// The contiguous bytes not returned by an earlier call, with the stream offset of the
    /// first: for feeding a parser incrementally.
    pub fn take_new(&mut self) -> (u64, &[u8]) {
        let from = self.read;
        self.read = self.contiguous.len();
        (from as u64, &self.contiguous[from..])
    }

    /// Some bytes beyond the contiguous prefix are waiting for a hole to fill.
    pub fn has_gap(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Out-of-order pieces waiting.
    pub fn pending_pieces(&self) -> usize {
        self.pending.len()
    }

    /// Bytes held in all (contiguous prefix plus waiting pieces); never above the budget.
    pub fn buffered(&self) -> usize {
        self.contiguous.len() + self.pending_bytes
    }

    /// The most out-of-order pieces this stream holds.
    pub fn max_pending(&self) -> usize {
        self.max_pending
    }

    pub fn counters(&self) -> &CryptoCounters {
        &self.counters
    }

    /// Frees the buffers once the handshake messages needed are parsed; later frames are only
    /// counted ([`CryptoCounters::after_release_bytes`]).
    pub fn release(&mut self) {
        self.released = true;
        self.contiguous = Vec::new();
        self.pending = BTreeMap::new();
        self.pending_bytes = 0;
        self.read = 0;
    }

    pub fn is_released(&self) -> bool {
        self.released
    }
}

/// Counts equal and differing bytes of an overlap.
fn compare(held: &[u8], offered: &[u8], c: &mut CryptoCounters) {
    let differ = held.iter().zip(offered).filter(|(a, b)| a != b).count() as u64;
    c.conflict_bytes += differ;
    c.duplicate_bytes += held.len() as u64 - differ;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn in_order_out_of_order_and_duplicates() {
        let mut s = CryptoStream::new();
        s.insert(5, b"fghij");
        assert_eq!(s.contiguous(), b"");
        assert!(s.has_gap());
        s.insert(0, b"abc");
        assert_eq!(s.contiguous(), b"abc");
        s.insert(2, b"cde"); // overlaps the prefix by one byte, fills the hole
        assert_eq!(s.contiguous(), b"abcdefghij");
        assert!(!s.has_gap());
        s.insert(0, b"abcdefghij");
        let c = *s.counters();
        assert_eq!(c.frames, 4);
        assert_eq!(c.bytes, 21);
        assert_eq!(c.duplicate_bytes, 1 + 10);
        assert_eq!(c.conflict_bytes, 0);
        assert_eq!(s.buffered(), 10);
    }

    #[test]
    fn first_copy_wins_and_conflicts_are_counted() {
        let mut s = CryptoStream::new();
        s.insert(4, b"EFGH");
        s.insert(4, b"efXh"); // pending overlap: 2 differ
        s.insert(0, b"abcd");
        s.insert(2, b"Cd"); // prefix overlap: 1 differs
        assert_eq!(s.contiguous(), b"abcdEFGH");
        assert_eq!(s.counters().conflict_bytes, 4 + 1);
        assert_eq!(s.counters().duplicate_bytes, 1);
    }

    #[test]
    fn budget_bounds_offsets_and_memory() {
        let mut s = CryptoStream::with_limits(8, 4);
        s.insert(6, b"ghij");
        s.insert(100, b"zz");
        s.insert(u64::MAX - 1, b"zz");
        s.insert(0, b"abcdef");
        assert_eq!(s.contiguous(), b"abcdefgh");
        assert_eq!(s.counters().over_budget_bytes, 2 + 2 + 2);
        assert!(s.buffered() <= 8);
    }

    #[test]
    fn pending_cap_drops_and_counts() {
        let mut s = CryptoStream::with_limits(1000, 2);
        s.insert(10, b"k");
        s.insert(20, b"u");
        s.insert(30, b"E"); // third waiting piece: dropped
        assert_eq!(s.pending_pieces(), 2);
        assert_eq!(s.counters().dropped_pieces, 1);
        assert_eq!(s.counters().dropped_bytes, 1);
        // A piece at the prefix end is never refused.
        s.insert(0, b"a");
        assert_eq!(s.contiguous(), b"a");
    }

    #[test]
    fn take_new_hands_out_each_byte_once() {
        let mut s = CryptoStream::new();
        s.insert(0, b"ab");
        assert_eq!(s.take_new(), (0, &b"ab"[..]));
        assert_eq!(s.take_new(), (2, &b""[..]));
        s.insert(3, b"d");
        s.insert(2, b"c");
        assert_eq!(s.take_new(), (2, &b"cd"[..]));
    }

    #[test]
    fn release_frees_and_ignores() {
        let mut s = CryptoStream::new();
        s.insert(0, b"abc");
        s.insert(10, b"xyz");
        s.release();
        assert_eq!(s.buffered(), 0);
        assert!(s.is_released());
        s.insert(3, b"d");
        assert_eq!(s.contiguous(), b"");
        assert_eq!(s.counters().after_release_bytes, 1);
    }

    /// Deterministic stream content for the model tests.
    fn stream_byte(i: usize) -> u8 {
        (i.wrapping_mul(31) ^ (i >> 3)) as u8
    }

    fn pieces() -> impl Strategy<Value = Vec<(usize, usize, bool)>> {
        // (offset, length, corrupt this copy)
        proptest::collection::vec(
            (0usize..400, 0usize..80, proptest::bool::weighted(0.2)),
            0..40,
        )
    }

    proptest! {
        /// Against a trivial model (one Option<u8> per offset, first write wins) with no
        /// pending cap: the contiguous prefix and the conflict and duplicate counts agree.
        #[test]
        fn matches_first_write_wins_model(pieces in pieces(), budget in 1usize..450) {
            let mut s = CryptoStream::with_limits(budget, usize::MAX);
            let mut model: Vec<Option<u8>> = vec![None; budget];
            let (mut dup, mut conflict, mut over) = (0u64, 0u64, 0u64);
            for &(off, len, corrupt) in &pieces {
                let data: Vec<u8> = (off..off + len)
                    .map(|i| stream_byte(i) ^ u8::from(corrupt))
                    .collect();
                s.insert(off as u64, &data);
                for (i, &b) in (off..).zip(&data) {
                    match model.get_mut(i) {
                        None => over += 1,
                        Some(slot @ None) => *slot = Some(b),
                        Some(Some(held)) if *held == b => dup += 1,
                        Some(Some(_)) => conflict += 1,
                    }
                }
            }
            let prefix: Vec<u8> = model.iter().map_while(|b| *b).collect();
            prop_assert_eq!(s.contiguous(), &prefix[..]);
            prop_assert_eq!(s.counters().duplicate_bytes, dup);
            prop_assert_eq!(s.counters().conflict_bytes, conflict);
            prop_assert_eq!(s.counters().over_budget_bytes, over);
            let held = model.iter().filter(|b| b.is_some()).count();
            prop_assert_eq!(s.buffered(), held);
            prop_assert_eq!(s.has_gap(), held > prefix.len());
        }

        /// With a small pending cap and honest data: never more than the cap waiting, never
        /// more than the budget held, and the prefix is always a prefix of the true stream.
        #[test]
        fn bounded_with_small_cap(pieces in pieces(), cap in 0usize..4, budget in 1usize..450) {
            let mut s = CryptoStream::with_limits(budget, cap);
            for &(off, len, _) in &pieces {
                let data: Vec<u8> = (off..off + len).map(stream_byte).collect();
                s.insert(off as u64, &data);
                prop_assert!(s.pending_pieces() <= cap);
                prop_assert!(s.buffered() <= budget);
                let expect: Vec<u8> = (0..s.contiguous().len()).map(stream_byte).collect();
                prop_assert_eq!(s.contiguous(), &expect[..]);
            }
            // Replaying everything in order afterwards completes the covered prefix.
            let mut sorted = pieces.clone();
            sorted.sort();
            for &(off, len, _) in &sorted {
                let data: Vec<u8> = (off..off + len).map(stream_byte).collect();
                s.insert(off as u64, &data);
            }
            let mut covered = vec![false; budget];
            for &(off, len, _) in &pieces {
                for c in covered.iter_mut().skip(off).take(len) {
                    *c = true;
                }
            }
            let want = covered.iter().take_while(|&&c| c).count();
            prop_assert_eq!(s.contiguous().len(), want);
        }
    }
}
