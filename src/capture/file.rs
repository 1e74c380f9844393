//! Capture files: pcap (µs and ns, either byte order) and pcapng (any number of sections and
//! interfaces, each with its own link type and timestamp resolution), from a path or stdin (`-`).
//! The format is recognised by its magic number, never by the file name; gzip-compressed captures
//! are decompressed on the fly.
//!
//! A file that is cut short or corrupt in the middle is analysed up to the damage and the damage is
//! counted; only a file that is not a capture at all (or is empty, or cannot be opened) is an error.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::bufread::MultiGzDecoder;
use std::path::Path;

use pcap_parser::pcapng::Block;
use pcap_parser::{PcapBlockOwned, PcapError, create_reader};
use thiserror::Error;

use super::{CaptureStats, RawPacket};
use crate::time::Timestamp;

/// Initial read buffer: large enough for any ordinary frame plus read-ahead.
const READ_BUFFER_BYTES: usize = 1 << 20;
/// Largest block we grow the buffer for. pcapng blocks above this are treated as corruption
/// (libpcap's own maximum snaplen is 256 KiB; 16 MiB leaves room for odd writers).
const MAX_BLOCK_BYTES: usize = 16 << 20;

#[derive(Debug, Error)]
pub enum CaptureError {
    #[error("{0}: no such file; check the path")]
    NotFound(String),
    #[error("{0}: is a directory; give capture files (pcap or pcapng), not a folder")]
    IsDirectory(String),
    #[error("{0}: permission denied; check the file's permissions")]
    PermissionDenied(String),
    #[error("{0}: cannot open: {1}")]
    Open(String, io::Error),
    #[error("{0}: empty file; not a pcap or pcapng capture")]
    Empty(String),
    #[error(
        "{0}: not a pcap or pcapng capture (unrecognised header); convert it with editcap or give a capture file"
    )]
    NotACapture(String),
    #[error("{0}: read error: {1}")]
    Read(String, String),
}

impl CaptureError {
    /// Errors that mean "the input is unusable" (exit status 2) rather than an I/O failure.
    pub fn is_usage(&self) -> bool {
        !matches!(self, CaptureError::Read(..))
    }
}

const PCAP_MAGICS: [[u8; 4]; 4] = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
];
const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

/// Opens `path` and checks that it starts like a capture file, so that a wrong argument is
/// reported before any analysis starts. `-` (stdin) is checked when it is read.
pub fn check_path(path: &str) -> Result<(), CaptureError> {
    if path == "-" {
        return Ok(());
    }
    let mut f = open_file(path)?;
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match f.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.raw_os_error() == Some(21) => {
                return Err(CaptureError::IsDirectory(path.into()));
            }
            Err(e) => return Err(CaptureError::Read(path.into(), e.to_string())),
        }
    }
    if got >= 2 && magic[..2] == GZIP_MAGIC {
        // The decompressed header is checked when the file is read.
        return Ok(());
    }
    match got {
        0 => Err(CaptureError::Empty(path.into())),
        4 if magic == PCAPNG_MAGIC || PCAP_MAGICS.contains(&magic) => Ok(()),
        _ => Err(CaptureError::NotACapture(path.into())),
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Wraps a gzip-compressed input in a decoder, recognised by its magic number.
fn maybe_gunzip(raw: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut buffered = BufReader::with_capacity(64 * 1024, raw);
    let head = buffered.fill_buf()?;
    if head.len() >= 2 && head[..2] == GZIP_MAGIC {
        Ok(Box::new(MultiGzDecoder::new(buffered)))
    } else {
        Ok(Box::new(buffered))
    }
}

fn open_file(path: &str) -> Result<File, CaptureError> {
    let p = Path::new(path);
    if p.is_dir() {
        return Err(CaptureError::IsDirectory(path.into()));
    }
    File::open(p).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => CaptureError::NotFound(path.into()),
        io::ErrorKind::PermissionDenied => CaptureError::PermissionDenied(path.into()),
        _ => CaptureError::Open(path.into(), e),
    })
}

/// One pcapng interface: its link type and how to turn its timestamps into nanoseconds.
#[derive(Clone, Copy, Debug)]
struct Interface {
    linktype: u32,
    /// Timestamp units per second.
    units_per_sec: u64,
    /// Seconds added to every timestamp (`if_tsoffset`).
    offset_secs: i64,
}

fn units_to_timestamp(units: u64, units_per_sec: u64, offset_secs: i64) -> Timestamp {
    let secs = (units / units_per_sec) as i64;
    let frac = units % units_per_sec;
    let nanos = (frac as u128 * 1_000_000_000 / units_per_sec as u128) as u32;
    Timestamp::from_secs_nanos(secs.saturating_add(offset_secs), nanos)
}

/// Reads every frame of `path` (or stdin for `-`) in file order and hands it to `on_packet`.
/// `on_packet` returns `false` to stop early.
pub fn read_file(
    path: &str,
    stats: &mut CaptureStats,
    on_packet: impl FnMut(&RawPacket<'_>) -> bool,
) -> Result<(), CaptureError> {
    read_file_counted(path, stats, None, on_packet)
}

/// Adds the bytes read through it to a shared counter (the progress bar): one atomic add per
/// read call, and the readers above it read in blocks of 64 KiB or more from a file.
struct CountingReader<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// [`read_file`], adding the bytes read from the file (compressed bytes for a .gz) to
/// `read_bytes` as reading goes.
pub fn read_file_counted(
    path: &str,
    stats: &mut CaptureStats,
    read_bytes: Option<Arc<AtomicU64>>,
    mut on_packet: impl FnMut(&RawPacket<'_>) -> bool,
) -> Result<(), CaptureError> {
    let mut raw: Box<dyn Read + Send> = if path == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(open_file(path)?)
    };
    if let Some(bytes) = read_bytes {
        raw = Box::new(CountingReader { inner: raw, bytes });
    }
    let input = maybe_gunzip(raw).map_err(|e| CaptureError::Read(path.into(), e.to_string()))?;
    let mut reader = match create_reader(READ_BUFFER_BYTES, input) {
        Ok(r) => r,
        Err(PcapError::Eof) => return Err(CaptureError::Empty(path.into())),
        Err(PcapError::ReadError) => {
            return Err(CaptureError::Read(path.into(), "read failed".into()));
        }
        Err(PcapError::Incomplete(_)) => return Err(CaptureError::NotACapture(path.into())),
        Err(_) => return Err(CaptureError::NotACapture(path.into())),
    };
    stats.files += 1;

    let mut ifaces: Vec<Interface> = Vec::new();
    let mut legacy_linktype = 1u32;
    let mut legacy_nanos = false;
    let mut buffer_size = READ_BUFFER_BYTES;

    loop {
        match reader.next() {
            Ok((consumed, block)) => {
                let mut keep_going = true;
                match block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        legacy_linktype = h.network.0 as u32;
                        legacy_nanos = h.is_nanosecond_precision();
                    }
                    PcapBlockOwned::Legacy(b) => {
                        let frac = if legacy_nanos {
                            b.ts_usec.min(999_999_999)
                        } else {
                            b.ts_usec.min(999_999).saturating_mul(1000)
                        };
                        let caplen = (b.caplen as usize).min(b.data.len());
                        let p = RawPacket {
                            ts: Timestamp::from_secs_nanos(b.ts_sec as i64, frac),
                            linktype: legacy_linktype,
                            data: &b.data[..caplen],
                            orig_len: b.origlen.max(caplen as u32),
                        };
                        stats.observe(&p);
                        keep_going = on_packet(&p);
                    }
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => ifaces.clear(),
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        let units_per_sec = idb.ts_resolution().unwrap_or(1_000_000).max(1);
                        ifaces.push(Interface {
                            linktype: idb.linktype.0 as u32,
                            units_per_sec,
                            offset_secs: idb.ts_offset(),
                        });
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        match ifaces.get(epb.if_id as usize) {
                            Some(iface) => {
                                let units = ((epb.ts_high as u64) << 32) | epb.ts_low as u64;
                                let caplen = (epb.caplen as usize).min(epb.data.len());
                                let p = RawPacket {
                                    ts: units_to_timestamp(
                                        units,
                                        iface.units_per_sec,
                                        iface.offset_secs,
                                    ),
                                    linktype: iface.linktype,
                                    data: &epb.data[..caplen],
                                    orig_len: epb.origlen.max(caplen as u32),
                                };
                                stats.observe(&p);
                                keep_going = on_packet(&p);
                            }
                            None => stats.bad_interface_packets += 1,
                        }
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => match ifaces.first() {
                        // Simple packets carry no timestamp; they take the last one seen.
                        Some(iface) => {
                            let caplen = (spb.origlen as usize).min(spb.data.len());
                            let p = RawPacket {
                                ts: stats.last_ts.unwrap_or_default(),
                                linktype: iface.linktype,
                                data: &spb.data[..caplen],
                                orig_len: spb.origlen.max(caplen as u32),
                            };
                            stats.observe(&p);
                            keep_going = on_packet(&p);
                        }
                        None => stats.bad_interface_packets += 1,
                    },
                    PcapBlockOwned::NG(_) => stats.skipped_blocks += 1,
                }
                reader.consume(consumed);
                if !keep_going {
                    return Ok(());
                }
            }
            Err(PcapError::Eof) => return Ok(()),
            Err(PcapError::Incomplete(_)) => {
                if reader.reader_exhausted() {
                    truncated(path, stats);
                    return Ok(());
                }
                if let Err(e) = reader.refill() {
                    return Err(CaptureError::Read(path.into(), format!("{e:?}")));
                }
            }
            Err(PcapError::UnexpectedEof) => {
                truncated(path, stats);
                return Ok(());
            }
            Err(PcapError::BufferTooSmall) => {
                if buffer_size >= MAX_BLOCK_BYTES {
                    corrupt(path, stats, "a block larger than 16 MiB");
                    return Ok(());
                }
                buffer_size *= 2;
                reader.grow(buffer_size);
                if let Err(e) = reader.refill() {
                    return Err(CaptureError::Read(path.into(), format!("{e:?}")));
                }
            }
            Err(PcapError::ReadError) => {
                return Err(CaptureError::Read(path.into(), "read failed".into()));
            }
            Err(e) => {
                let what = format!("{e:?}");
                corrupt(path, stats, &what);
                return Ok(());
            }
        }
    }
}

fn truncated(path: &str, stats: &mut CaptureStats) {
    stats.truncated_files += 1;
    stats.notes.push(format!(
        "{path}: last record cut short; analysed up to the cut"
    ));
}

fn corrupt(path: &str, stats: &mut CaptureStats, what: &str) {
    stats.corrupt_files += 1;
    let mut what = what.to_string();
    what.truncate(80);
    stats.notes.push(format!(
        "{path}: corrupt block after {} packets ({what}); analysed up to it",
        stats.packets
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_tmp(name: &str, bytes: &[u8]) -> String {
        let p =
            std::env::temp_dir().join(format!("tlscope-file-test-{}-{name}", std::process::id()));
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    }

    fn pcap_header(linktype: u32, nanos: bool) -> Vec<u8> {
        let mut v = Vec::new();
        let magic: u32 = if nanos { 0xa1b23c4d } else { 0xa1b2c3d4 };
        v.extend_from_slice(&magic.to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&4u16.to_le_bytes());
        v.extend_from_slice(&0i32.to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&65535u32.to_le_bytes());
        v.extend_from_slice(&linktype.to_le_bytes());
        v
    }

    fn pcap_record(v: &mut Vec<u8>, sec: u32, frac: u32, data: &[u8], orig: u32) {
        v.extend_from_slice(&sec.to_le_bytes());
        v.extend_from_slice(&frac.to_le_bytes());
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(&orig.to_le_bytes());
        v.extend_from_slice(data);
    }

    /// (time, link type, bytes, wire length) of each packet read.
    type Packets = Vec<(Timestamp, u32, Vec<u8>, u32)>;

    fn collect(path: &str) -> (Packets, CaptureStats) {
        let mut stats = CaptureStats::default();
        let mut out = Vec::new();
        read_file(path, &mut stats, |p| {
            out.push((p.ts, p.linktype, p.data.to_vec(), p.orig_len));
            true
        })
        .unwrap();
        (out, stats)
    }

    #[test]
    fn reads_pcap_and_counts_a_cut_last_record() {
        let mut v = pcap_header(101, false);
        pcap_record(&mut v, 10, 250_000, &[0x45, 0, 0, 20], 4);
        pcap_record(&mut v, 11, 0, &[1, 2, 3], 60);
        let full = v.len();
        pcap_record(&mut v, 12, 0, &[9; 40], 40);
        v.truncate(full + 16 + 10); // cut inside the third record
        let path = write_tmp("cut.pcap", &v);
        let (pkts, stats) = collect(&path);
        assert_eq!(pkts.len(), 2);
        assert_eq!(pkts[0].0, Timestamp::from_secs_nanos(10, 250_000_000));
        assert_eq!(pkts[0].1, 101);
        assert_eq!(pkts[1].2, vec![1, 2, 3]);
        assert_eq!(pkts[1].3, 60);
        assert_eq!(stats.truncated_frames, 1);
        assert_eq!(stats.truncated_files, 1);
        assert_eq!(stats.packets, 2);
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn gzip_compressed_capture() {
        use std::io::Write;
        let mut v = pcap_header(101, false);
        pcap_record(&mut v, 7, 0, &[0x45, 0, 0, 20], 4);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&v).unwrap();
        let path = write_tmp("c.pcap.gz", &gz.finish().unwrap());
        assert!(check_path(&path).is_ok());
        let (pkts, _) = collect(&path);
        assert_eq!(pkts.len(), 1);
        assert_eq!(pkts[0].0, Timestamp::from_secs_nanos(7, 0));
        // The progress counter sees the bytes of the file, not the decompressed ones.
        let read = Arc::new(AtomicU64::new(0));
        let mut stats = CaptureStats::default();
        read_file_counted(&path, &mut stats, Some(read.clone()), |_| true).unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        assert_eq!(read.load(Ordering::Relaxed), size);
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn nanosecond_pcap() {
        let mut v = pcap_header(1, true);
        pcap_record(&mut v, 5, 123_456_789, &[0; 14], 14);
        let path = write_tmp("ns.pcap", &v);
        let (pkts, _) = collect(&path);
        assert_eq!(pkts[0].0, Timestamp::from_secs_nanos(5, 123_456_789));
        std::fs::remove_file(path).ok();
    }

    fn ng_block(v: &mut Vec<u8>, btype: u32, body: &[u8]) {
        let len = 12 + body.len().div_ceil(4) * 4;
        v.extend_from_slice(&btype.to_le_bytes());
        v.extend_from_slice(&(len as u32).to_le_bytes());
        v.extend_from_slice(body);
        v.resize(v.len() + (len - 12 - body.len()), 0);
        v.extend_from_slice(&(len as u32).to_le_bytes());
    }

    #[test]
    fn pcapng_with_interfaces_of_different_link_types_and_resolutions() {
        let mut v = Vec::new();
        let mut shb = Vec::new();
        shb.extend_from_slice(&0x1a2b3c4du32.to_le_bytes());
        shb.extend_from_slice(&1u16.to_le_bytes());
        shb.extend_from_slice(&0u16.to_le_bytes());
        shb.extend_from_slice(&(-1i64).to_le_bytes());
        ng_block(&mut v, 0x0a0d0d0a, &shb);
        // Interface 0: Ethernet, default µs resolution.
        let mut idb = Vec::new();
        idb.extend_from_slice(&1u16.to_le_bytes());
        idb.extend_from_slice(&0u16.to_le_bytes());
        idb.extend_from_slice(&0u32.to_le_bytes());
        ng_block(&mut v, 1, &idb);
        // Interface 1: raw IP, nanosecond resolution (if_tsresol = 9).
        let mut idb = Vec::new();
        idb.extend_from_slice(&101u16.to_le_bytes());
        idb.extend_from_slice(&0u16.to_le_bytes());
        idb.extend_from_slice(&0u32.to_le_bytes());
        idb.extend_from_slice(&9u16.to_le_bytes()); // if_tsresol
        idb.extend_from_slice(&1u16.to_le_bytes());
        idb.extend_from_slice(&[9, 0, 0, 0]);
        idb.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
        ng_block(&mut v, 1, &idb);
        // An unknown block type is skipped.
        ng_block(&mut v, 0x0BAD_0BAD, &[1, 2, 3, 4]);
        for (if_id, units, data) in [
            (0u32, 1_500_000u64, &[0xaa; 14][..]),
            (1, 2_000_000_001, &[0x45; 5][..]),
        ] {
            let mut epb = Vec::new();
            epb.extend_from_slice(&if_id.to_le_bytes());
            epb.extend_from_slice(&((units >> 32) as u32).to_le_bytes());
            epb.extend_from_slice(&(units as u32).to_le_bytes());
            epb.extend_from_slice(&(data.len() as u32).to_le_bytes());
            epb.extend_from_slice(&(data.len() as u32).to_le_bytes());
            epb.extend_from_slice(data);
            epb.resize(epb.len().div_ceil(4) * 4, 0);
            ng_block(&mut v, 6, &epb);
        }
        // A file named .pcap that is really pcapng.
        let path = write_tmp("multi.pcap", &v);
        assert!(check_path(&path).is_ok());
        let (pkts, stats) = collect(&path);
        assert_eq!(pkts.len(), 2);
        assert_eq!(pkts[0].1, 1);
        assert_eq!(pkts[0].0, Timestamp::from_secs_nanos(1, 500_000_000));
        assert_eq!(pkts[0].2.len(), 14);
        assert_eq!(pkts[1].1, 101);
        assert_eq!(pkts[1].0, Timestamp::from_secs_nanos(2, 1));
        assert_eq!(pkts[1].2.len(), 5);
        assert_eq!(stats.skipped_blocks, 1);
        assert_eq!(stats.linktypes, vec![(1, 1), (101, 1)]);
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn unusable_inputs_are_usage_errors() {
        let empty = write_tmp("empty.pcap", &[]);
        assert!(matches!(check_path(&empty), Err(CaptureError::Empty(_))));
        let text = write_tmp("text.pcap", b"GET / HTTP/1.1\r\n");
        assert!(matches!(
            check_path(&text),
            Err(CaptureError::NotACapture(_))
        ));
        assert!(matches!(
            check_path("/nonexistent/x.pcap"),
            Err(CaptureError::NotFound(_))
        ));
        assert!(matches!(
            check_path(&std::env::temp_dir().to_string_lossy()),
            Err(CaptureError::IsDirectory(_))
        ));
        let mut stats = CaptureStats::default();
        assert!(matches!(
            read_file(&text, &mut stats, |_| true),
            Err(CaptureError::NotACapture(_))
        ));
        std::fs::remove_file(empty).ok();
        std::fs::remove_file(text).ok();
    }
}
