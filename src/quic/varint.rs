//! QUIC variable-length integers (RFC 9000 §16) and a small bounds-checked reader.
//!
//! The two high bits of the first byte give the length (1, 2, 4 or 8 bytes); the rest is the
//! value, big-endian, so every value is below 2^62. Reading never panics: running out of
//! input is `None`.

/// Largest value a varint can carry (2^62 - 1).
pub const MAX_VARINT: u64 = (1 << 62) - 1;

/// Reads one varint from the start of `b`: `(value, bytes used)`, or `None` if `b` is shorter
/// than the length its first byte announces.
pub fn read(b: &[u8]) -> Option<(u64, usize)> {
    let first = *b.first()?;
    let len = 1usize << (first >> 6);
    let bytes = b.get(..len)?;
    let mut v = u64::from(first & 0x3f);
    for &byte in &bytes[1..] {
        v = (v << 8) | u64::from(byte);
    }
    Some((v, len))
}

/// A cursor over a byte slice whose reads fail (return `None`) instead of panicking.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The unread bytes.
    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn varint(&mut self) -> Option<u64> {
        let (v, n) = read(self.rest())?;
        self.pos += n;
        Some(v)
    }

    /// Takes `n` bytes; `n` may come straight from the wire (any `u64`).
    pub(crate) fn take_u64(&mut self, n: u64) -> Option<&'a [u8]> {
        self.take(usize::try_from(n).ok()?)
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let b = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9000_appendix_a1_examples() {
        // RFC 9000 §A.1 sample decodings.
        let cases: [(&[u8], u64, usize); 5] = [
            (
                &[0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c],
                151_288_809_941_952_652,
                8,
            ),
            (&[0x9d, 0x7f, 0x3e, 0x7d], 494_878_333, 4),
            (&[0x7b, 0xbd], 15_293, 2),
            (&[0x25], 37, 1),
            (&[0x40, 0x25], 37, 2),
        ];
        for (bytes, value, len) in cases {
            assert_eq!(read(bytes), Some((value, len)));
        }
        assert_eq!(read(&[0xff; 8]), Some((MAX_VARINT, 8)));
    }

    #[test]
    fn short_input_is_none() {
        assert_eq!(read(&[]), None);
        assert_eq!(read(&[0x40]), None);
        assert_eq!(read(&[0x80, 0, 0]), None);
        assert_eq!(read(&[0xc0, 0, 0, 0, 0, 0, 0]), None);
    }

    #[test]
    fn reader_never_overruns() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.take(4), None);
        assert_eq!(r.take_u64(u64::MAX), None);
        assert_eq!(r.take(usize::MAX), None);
        assert_eq!(r.u32(), None);
        assert_eq!(r.u8(), Some(1));
        assert_eq!(r.take(2), Some(&[2u8, 3][..]));
        assert_eq!(r.u8(), None);
        assert_eq!(r.remaining(), 0);
        assert_eq!(r.pos(), 3);
    }
}
