//! tlscope: a passive port-443 TLS traffic analyzer.
//!
//! The pipeline, one owner per piece of state:
//!
//! ```text
//! capture thread   capture::file (pcap/pcapng) → BPF (-f) → decode::decode → keep TCP/UDP
//!    │             segments, copied into a batch arena (app::Batch)
//!    │  crossbeam bounded channel, unit = batches of ≤ BATCH_SEGMENTS segments
//! flow thread      flow::FlowTable: TCP tracking, bounded reassembly, tls:: parsing, verdicts
//!    └─ output     output::jsonl (session + stats records) or output::report (human report)
//! ```
//!
//! Parsers (`decode`, `tls`) are pure functions over byte slices; time is always the packet's
//! capture timestamp (`time`); every bound lives in `limits` with its unit and reason.
//! See ARCHITECTURE.md for the threads, channels and memory bounds.

#![forbid(unsafe_code)]

pub mod app;
pub mod bypass;
pub mod capture;
pub mod cli;
pub mod decode;
pub mod evidence;
pub mod flow;
pub mod limits;
pub mod output;
pub mod progress;
pub mod quic;
pub mod shard;
pub mod stats;
pub mod time;
pub mod tls;
pub mod tui;
