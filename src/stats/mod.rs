//! Counters for the `stats` record and the report. Every anomaly has a name here; counters
//! only grow.

pub mod snapshot;

use serde::Serialize;

use crate::capture::{CaptureStats, linktype_name};
use crate::decode::Skip;
use crate::flow::table::FlowCounters;

/// Frames that decoded to no segment, by reason.
#[derive(Clone, Debug, Default)]
pub struct DecodeCounters {
    pub segments: u64,
    pub skipped: [u64; Skip::COUNT],
    /// Frames rejected by the `-f` filter, and frames on a link type it does not compile for.
    pub filtered_out: u64,
    pub filter_unsupported_link: u64,
}

impl DecodeCounters {
    pub fn skip(&mut self, why: Skip) {
        self.skipped[why.index()] += 1;
    }
}

/// The `"type": "stats"` record.
#[derive(Clone, Debug, Serialize)]
pub struct StatsRecord {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub files: u64,
    pub packets: u64,
    pub bytes: u64,
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    pub link_types: Vec<LinkTypeCount>,
    pub decoded_segments: u64,
    /// Segments of decided TCP flows handed to the analysis without their payload bytes
    /// (`src/bypass.rs`); only their length was needed.
    pub payloads_bypassed: u64,
    pub skipped: serde_json::Map<String, serde_json::Value>,
    pub capture: CaptureAnomalies,
    pub flows: FlowCounters,
    /// The bounds in force for this run (see `src/limits.rs`).
    pub limits: Limits,
}

/// The bounds in force, each with its unit in the name.
#[derive(Clone, Debug, Serialize)]
pub struct Limits {
    pub max_flows: usize,
    pub max_handshake_bytes_per_direction: usize,
    pub idle_timeout_secs: u64,
    pub closed_linger_secs: u64,
    pub max_pending_segments_per_direction: usize,
    pub max_handshake_message_bytes: usize,
    pub max_record_bytes: usize,
    pub max_extensions_per_hello: usize,
    pub channel_batches: usize,
    /// The same when reading files (the capture thread waits instead of dropping).
    pub read_channel_batches: usize,
    pub batch_segments: usize,
}

impl Limits {
    pub fn of(cfg: &crate::flow::FlowConfig) -> Limits {
        use crate::limits as l;
        Limits {
            max_flows: cfg.max_flows,
            max_handshake_bytes_per_direction: cfg.handshake_bytes,
            idle_timeout_secs: cfg.idle_timeout_secs,
            closed_linger_secs: l::CLOSED_LINGER_SECS,
            max_pending_segments_per_direction: l::MAX_PENDING_SEGMENTS,
            max_handshake_message_bytes: l::MAX_HANDSHAKE_MESSAGE,
            max_record_bytes: l::MAX_RECORD_LEN,
            max_extensions_per_hello: l::MAX_EXTENSIONS,
            channel_batches: l::CHANNEL_BATCHES,
            read_channel_batches: l::READ_CHANNEL_BATCHES,
            batch_segments: l::BATCH_SEGMENTS,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct LinkTypeCount {
    pub linktype: u32,
    pub name: String,
    pub packets: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CaptureAnomalies {
    pub truncated_frames: u64,
    pub truncated_files: u64,
    pub corrupt_files: u64,
    pub skipped_blocks: u64,
    pub bad_interface_packets: u64,
    pub filtered_out: u64,
    pub filter_unsupported_link: u64,
    /// Frames lost before analysis: kernel drops, interface drops and analysis-queue drops.
    pub dropped: u64,
    pub kernel_received: u64,
    pub kernel_dropped: u64,
    pub iface_dropped: u64,
    pub queue_dropped: u64,
}

pub fn stats_record(
    cap: &CaptureStats,
    dec: &DecodeCounters,
    flows: &FlowCounters,
    limits: Limits,
) -> StatsRecord {
    let mut skipped = serde_json::Map::new();
    for s in Skip::ALL {
        skipped.insert(s.as_str().to_string(), dec.skipped[s.index()].into());
    }
    StatsRecord {
        kind: "stats",
        files: cap.files,
        packets: cap.packets,
        bytes: cap.bytes,
        first_ts: cap.first_ts.map(|t| t.to_string()),
        last_ts: cap.last_ts.map(|t| t.to_string()),
        link_types: cap
            .linktypes
            .iter()
            .map(|&(lt, n)| LinkTypeCount {
                linktype: lt,
                name: linktype_name(lt),
                packets: n,
            })
            .collect(),
        decoded_segments: dec.segments,
        payloads_bypassed: cap.payloads_bypassed,
        skipped,
        capture: CaptureAnomalies {
            truncated_frames: cap.truncated_frames,
            truncated_files: cap.truncated_files,
            corrupt_files: cap.corrupt_files,
            skipped_blocks: cap.skipped_blocks,
            bad_interface_packets: cap.bad_interface_packets,
            filtered_out: cap.filtered_out,
            filter_unsupported_link: cap.filter_unsupported_link,
            dropped: cap.kernel_dropped + cap.iface_dropped + cap.queue_dropped,
            kernel_received: cap.kernel_received,
            kernel_dropped: cap.kernel_dropped,
            iface_dropped: cap.iface_dropped,
            queue_dropped: cap.queue_dropped,
        },
        flows: flows.clone(),
        limits,
    }
}
