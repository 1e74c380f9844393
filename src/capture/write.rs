//! Writing frames back out (`--write-problems`): classic pcap when every frame shares one link
//! type (what tcpdump and every older tool read), pcapng otherwise (one interface per link
//! type). Timestamps keep nanosecond resolution in both.

use std::io::{self, Write};

use crate::capture::RawPacket;

/// Snapshot length announced in the headers (bytes): as large as any frame we pass through.
const SNAPLEN: u32 = 262_144;

enum Format {
    Pcap,
    /// Link type of each interface described so far (the interface ID is the index).
    Pcapng(Vec<u32>),
}

pub struct PacketWriter<W: Write> {
    out: W,
    format: Format,
    pub packets: u64,
}

impl<W: Write> PacketWriter<W> {
    /// A classic pcap file (nanosecond magic) for frames of one link type.
    pub fn pcap(mut out: W, linktype: u32) -> io::Result<Self> {
        out.write_all(&0xa1b2_3c4du32.to_le_bytes())?;
        out.write_all(&2u16.to_le_bytes())?;
        out.write_all(&4u16.to_le_bytes())?;
        out.write_all(&0i32.to_le_bytes())?; // thiszone
        out.write_all(&0u32.to_le_bytes())?; // sigfigs
        out.write_all(&SNAPLEN.to_le_bytes())?;
        out.write_all(&linktype.to_le_bytes())?;
        Ok(PacketWriter {
            out,
            format: Format::Pcap,
            packets: 0,
        })
    }

    /// A pcapng file; interfaces are described as new link types appear.
    pub fn pcapng(mut out: W) -> io::Result<Self> {
        // Section Header Block: byte-order magic, version 1.0, section length unknown.
        let mut body = Vec::with_capacity(16);
        body.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&(-1i64).to_le_bytes());
        write_block(&mut out, 0x0a0d_0d0a, &body)?;
        Ok(PacketWriter {
            out,
            format: Format::Pcapng(Vec::new()),
            packets: 0,
        })
    }

    pub fn write(&mut self, p: &RawPacket<'_>) -> io::Result<()> {
        let ns = p.ts.nanos().max(0) as u64;
        let caplen = p.data.len().min(SNAPLEN as usize);
        let data = &p.data[..caplen];
        let orig_len = p.orig_len.max(caplen as u32);
        match &mut self.format {
            Format::Pcap => {
                let secs = (ns / 1_000_000_000).min(u32::MAX as u64) as u32;
                self.out.write_all(&secs.to_le_bytes())?;
                self.out
                    .write_all(&((ns % 1_000_000_000) as u32).to_le_bytes())?;
                self.out.write_all(&(caplen as u32).to_le_bytes())?;
                self.out.write_all(&orig_len.to_le_bytes())?;
                self.out.write_all(data)?;
            }
            Format::Pcapng(ifaces) => {
                let id = match ifaces.iter().position(|l| *l == p.linktype) {
                    Some(i) => i,
                    None => {
                        // Interface Description Block with if_tsresol = 9 (nanoseconds).
                        let mut body = Vec::with_capacity(20);
                        body.extend_from_slice(&(p.linktype as u16).to_le_bytes());
                        body.extend_from_slice(&0u16.to_le_bytes());
                        body.extend_from_slice(&SNAPLEN.to_le_bytes());
                        body.extend_from_slice(&9u16.to_le_bytes()); // if_tsresol
                        body.extend_from_slice(&1u16.to_le_bytes());
                        body.extend_from_slice(&[9, 0, 0, 0]);
                        body.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
                        write_block(&mut self.out, 1, &body)?;
                        ifaces.push(p.linktype);
                        ifaces.len() - 1
                    }
                };
                // Enhanced Packet Block.
                let mut body = Vec::with_capacity(20 + caplen + 3);
                body.extend_from_slice(&(id as u32).to_le_bytes());
                body.extend_from_slice(&((ns >> 32) as u32).to_le_bytes());
                body.extend_from_slice(&(ns as u32).to_le_bytes());
                body.extend_from_slice(&(caplen as u32).to_le_bytes());
                body.extend_from_slice(&orig_len.to_le_bytes());
                body.extend_from_slice(data);
                body.resize(body.len().next_multiple_of(4), 0);
                write_block(&mut self.out, 6, &body)?;
            }
        }
        self.packets += 1;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A pcapng block: type, total length, body (padded to 4 bytes by the caller), total length.
fn write_block(out: &mut impl Write, kind: u32, body: &[u8]) -> io::Result<()> {
    let total = (12 + body.len()) as u32;
    out.write_all(&kind.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(body)?;
    out.write_all(&total.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::CaptureStats;
    use crate::capture::file::read_file;
    use crate::time::Timestamp;

    fn frames() -> Vec<(u32, Timestamp, Vec<u8>, u32)> {
        vec![
            (1, Timestamp(1_700_000_000_123_456_789), vec![0xaa; 60], 60),
            (
                1,
                Timestamp(1_700_000_001_000_000_001),
                vec![0xbb; 61],
                1514,
            ),
            (
                101,
                Timestamp(1_700_000_002_000_000_000),
                vec![0x45; 41],
                41,
            ),
        ]
    }

    /// Writes the frames, reads them back with the project's reader: same bytes and times.
    fn round_trip(pcapng: bool) {
        let input: Vec<_> = if pcapng {
            frames()
        } else {
            frames().into_iter().filter(|f| f.0 == 1).collect()
        };
        let mut w = if pcapng {
            PacketWriter::pcapng(Vec::new()).unwrap()
        } else {
            PacketWriter::pcap(Vec::new(), 1).unwrap()
        };
        for (lt, ts, data, orig) in &input {
            w.write(&RawPacket {
                ts: *ts,
                linktype: *lt,
                data,
                orig_len: *orig,
            })
            .unwrap();
        }
        assert_eq!(w.packets, input.len() as u64);
        let bytes = w.finish().unwrap();
        let path =
            std::env::temp_dir().join(format!("tlscope-write-{}-{pcapng}.cap", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let mut got = Vec::new();
        let mut stats = CaptureStats::default();
        read_file(path.to_str().unwrap(), &mut stats, |p| {
            got.push((p.linktype, p.ts, p.data.to_vec(), p.orig_len));
            true
        })
        .unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(got, input);
        assert_eq!(stats.truncated_frames, 1);
    }

    #[test]
    fn pcap_round_trips() {
        round_trip(false);
    }

    #[test]
    fn pcapng_round_trips_with_two_link_types() {
        round_trip(true);
    }
}
