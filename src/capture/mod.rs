//! Packet sources: the only code that talks to capture files and (later) libpcap.
//!
//! A source hands each frame to a callback as a borrowed [`RawPacket`]; nothing here decodes
//! protocols or keeps per-flow state. File reading uses a nom-based reader (`pcap-parser`) because
//! libpcap refuses pcapng files whose interfaces differ in link type; BPF filters are compiled by
//! libpcap (`filter.rs`) so `-f` means exactly what it means to tcpdump.

pub mod file;
pub mod filter;
pub mod live;
pub mod write;

use crate::time::Timestamp;

/// One captured frame, borrowed from the reader's buffer for the duration of the callback.
#[derive(Clone, Copy, Debug)]
pub struct RawPacket<'a> {
    pub ts: Timestamp,
    /// libpcap LINKTYPE_ value of the interface the frame was captured on.
    pub linktype: u32,
    /// The captured bytes (`caplen` of them).
    pub data: &'a [u8],
    /// The frame's length on the wire; larger than `data.len()` when snaplen cut it.
    pub orig_len: u32,
}

/// What the capture layer counted. Owned by the capture thread and handed over at the end.
#[derive(Clone, Debug, Default)]
pub struct CaptureStats {
    pub files: u64,
    pub packets: u64,
    pub bytes: u64,
    /// Frames whose captured length is shorter than their wire length (snaplen).
    pub truncated_frames: u64,
    /// Frames rejected by the `-f` BPF filter.
    pub filtered_out: u64,
    /// Frames on a link type the BPF filter could not be compiled for (dropped).
    pub filter_unsupported_link: u64,
    /// Files whose last record was cut short (analysed up to the cut).
    pub truncated_files: u64,
    /// Files with a corrupt block in the middle (analysed up to the corruption).
    pub corrupt_files: u64,
    /// pcapng blocks of unknown or unused types (skipped).
    pub skipped_blocks: u64,
    /// pcapng packets naming an interface that was never described (skipped).
    pub bad_interface_packets: u64,
    /// Frames per link type, in first-seen order.
    pub linktypes: Vec<(u32, u64)>,
    pub first_ts: Option<Timestamp>,
    pub last_ts: Option<Timestamp>,
    /// One line per file-level problem, for the report.
    pub notes: Vec<String>,
    /// Live capture: libpcap's received / dropped / interface-dropped counters.
    pub kernel_received: u64,
    pub kernel_dropped: u64,
    pub iface_dropped: u64,
    /// Live capture: segments dropped because the analysis queue was full (the capture thread
    /// never waits).
    pub queue_dropped: u64,
    /// Segments sent on without their payload bytes (decided flows; see `bypass`).
    pub payloads_bypassed: u64,
}

impl CaptureStats {
    pub fn count_linktype(&mut self, lt: u32) {
        match self.linktypes.iter_mut().find(|(l, _)| *l == lt) {
            Some((_, n)) => *n += 1,
            None => self.linktypes.push((lt, 1)),
        }
    }

    pub fn observe(&mut self, p: &RawPacket<'_>) {
        self.packets += 1;
        self.bytes += p.data.len() as u64;
        if (p.data.len() as u64) < p.orig_len as u64 {
            self.truncated_frames += 1;
        }
        self.count_linktype(p.linktype);
        if self.first_ts.is_none_or(|t| p.ts < t) {
            self.first_ts = Some(p.ts);
        }
        if self.last_ts.is_none_or(|t| p.ts > t) {
            self.last_ts = Some(p.ts);
        }
    }
}

/// Human name of a link type, for reports.
pub fn linktype_name(lt: u32) -> String {
    match lt {
        0 => "NULL (BSD loopback)".into(),
        1 => "Ethernet".into(),
        9 => "PPP".into(),
        12 | 14 | 101 => "raw IP".into(),
        108 => "LOOP (OpenBSD loopback)".into(),
        113 => "Linux cooked (SLL)".into(),
        228 => "raw IPv4".into(),
        229 => "raw IPv6".into(),
        276 => "Linux cooked v2 (SLL2)".into(),
        other => format!("link type {other}"),
    }
}
