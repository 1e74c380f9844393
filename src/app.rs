//! Wiring: builds the pipeline for a command and runs it.
//!
//! `read`: a `capture` thread reads files, applies the BPF filter, decodes frames and copies
//! TCP/UDP segments into batches (one payload arena per batch); the calling thread owns the flow
//! table and the output. Reading a file blocks when the channel is full (lossless); the channel
//! is bounded in batches (`CHANNEL_BATCHES` × `BATCH_SEGMENTS` segments).

use std::io::{self, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender, bounded};
use thiserror::Error;

use crate::capture::file::{CaptureError, check_path, read_file};
use crate::capture::filter::BpfFilter;
use crate::capture::{CaptureStats, RawPacket};
use crate::cli::{Cli, Command, LimitArgs, ReadArgs};
use crate::decode::{self, TcpMeta, Transport};
use crate::flow::{Endpoint, FlowConfig, FlowTable, PROTO_TCP, PROTO_UDP, Segment};
use crate::limits::{BATCH_BYTES, BATCH_SEGMENTS, CHANNEL_BATCHES};
use crate::output::jsonl::JsonlWriter;
use crate::output::record::SessionRecord;
use crate::output::report::Report;
use crate::stats::{DecodeCounters, stats_record};
use crate::time::Timestamp;

#[derive(Debug, Error)]
pub enum AppError {
    /// Bad usage or unusable input: exit status 2.
    #[error("{0}")]
    Usage(String),
    /// Anything else: exit status 1.
    #[error("{0}")]
    Failed(String),
}

impl From<CaptureError> for AppError {
    fn from(e: CaptureError) -> Self {
        if e.is_usage() {
            AppError::Usage(e.to_string())
        } else {
            AppError::Failed(e.to_string())
        }
    }
}

pub fn run(cli: Cli) -> Result<(), AppError> {
    match cli.command {
        Command::Read(args) => run_read(&args, &mut io::stdout().lock()),
        Command::Live(_) => Err(AppError::Usage(
            "live capture is not available in this build yet; capture with tcpdump -w and use `tlscope read`".into(),
        )),
    }
}

/// One segment's metadata; its payload lives in the batch arena.
#[derive(Clone, Copy, Debug)]
struct SegMeta {
    ts: Timestamp,
    src: Endpoint,
    dst: Endpoint,
    proto: u8,
    tcp: TcpMeta,
    ttl: u8,
    ip_id: u16,
    payload_start: u32,
    payload_len: u32,
    payload_truncated: bool,
}

/// A batch of segments sharing one payload arena: one allocation per batch, not per packet.
#[derive(Default)]
pub struct Batch {
    arena: Vec<u8>,
    segs: Vec<SegMeta>,
}

impl Batch {
    fn with_capacity() -> Batch {
        Batch {
            arena: Vec::with_capacity(BATCH_BYTES),
            segs: Vec::with_capacity(BATCH_SEGMENTS),
        }
    }

    fn is_full(&self) -> bool {
        self.segs.len() >= BATCH_SEGMENTS || self.arena.len() >= BATCH_BYTES
    }

    fn push(&mut self, ts: Timestamp, d: &decode::Decoded<'_>) {
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(d.payload);
        self.segs.push(SegMeta {
            ts,
            src: Endpoint {
                ip: d.src,
                port: d.sport,
            },
            dst: Endpoint {
                ip: d.dst,
                port: d.dport,
            },
            proto: match d.transport {
                Transport::Tcp => PROTO_TCP,
                Transport::Udp => PROTO_UDP,
            },
            tcp: d.tcp,
            ttl: d.ttl,
            ip_id: d.ip_id,
            payload_start: start,
            payload_len: d.payload.len() as u32,
            payload_truncated: d.payload_truncated,
        });
    }

    fn segments(&self) -> impl Iterator<Item = Segment<'_>> {
        self.segs.iter().map(|m| Segment {
            ts: m.ts,
            src: m.src,
            dst: m.dst,
            proto: m.proto,
            tcp: m.tcp,
            ttl: m.ttl,
            ip_id: m.ip_id,
            payload: &self.arena
                [m.payload_start as usize..(m.payload_start + m.payload_len) as usize],
            payload_truncated: m.payload_truncated,
        })
    }
}

/// Messages from the capture thread.
enum Msg {
    Batch(Batch),
    Done(Box<(CaptureStats, DecodeCounters)>),
    Failed(CaptureError),
}

fn flow_config(l: &LimitArgs) -> FlowConfig {
    FlowConfig {
        max_flows: l.max_flows.max(1),
        handshake_bytes: l.max_handshake_bytes.max(1),
        idle_timeout_secs: l.idle_timeout.max(1),
    }
}

/// The capture thread's loop: files → filter → decode → batches.
fn capture_files(files: Vec<String>, filter: Option<String>, tx: Sender<Msg>) {
    let mut stats = CaptureStats::default();
    let mut dec = DecodeCounters::default();
    let mut filter = match filter.as_deref().map(BpfFilter::new) {
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => {
            // Validated before the thread started; cannot happen, but never panic.
            let _ = tx.send(Msg::Failed(CaptureError::Read("-f".into(), e.to_string())));
            return;
        }
        None => None,
    };
    let mut batch = Batch::with_capacity();
    let mut receiver_gone = false;
    for path in &files {
        let mut on_packet = |p: &RawPacket<'_>| -> bool {
            if let Some(f) = filter.as_mut() {
                match f.matches(p.linktype, p.data) {
                    Some(true) => {}
                    Some(false) => {
                        stats_filtered(&mut dec, false);
                        return true;
                    }
                    None => {
                        stats_filtered(&mut dec, true);
                        return true;
                    }
                }
            }
            match decode::decode(p.linktype, p.data) {
                Ok(d) => {
                    dec.segments += 1;
                    batch.push(p.ts, &d);
                    if batch.is_full() {
                        let full = std::mem::replace(&mut batch, Batch::with_capacity());
                        if tx.send(Msg::Batch(full)).is_err() {
                            receiver_gone = true;
                            return false;
                        }
                    }
                }
                Err(why) => dec.skip(why),
            }
            true
        };
        if let Err(e) = read_file(path, &mut stats, &mut on_packet) {
            let _ = tx.send(Msg::Failed(e));
            return;
        }
        if receiver_gone {
            return;
        }
    }
    // The filter runs beside the decoder; report its counts with the capture's.
    stats.filtered_out = dec.filtered_out;
    stats.filter_unsupported_link = dec.filter_unsupported_link;
    if !batch.segs.is_empty() {
        let _ = tx.send(Msg::Batch(batch));
    }
    let _ = tx.send(Msg::Done(Box::new((stats, dec))));
}

fn stats_filtered(dec: &mut DecodeCounters, unsupported: bool) {
    if unsupported {
        dec.filter_unsupported_link += 1;
    } else {
        dec.filtered_out += 1;
    }
}

/// `tlscope read`.
pub fn run_read(args: &ReadArgs, stdout: &mut dyn Write) -> Result<(), AppError> {
    if args.tui {
        return Err(AppError::Usage(
            "--tui is not available in this build yet; use the report (no flag) or --json".into(),
        ));
    }
    if args.files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(AppError::Usage("stdin (-) can be given only once".into()));
    }
    for f in &args.files {
        check_path(f)?;
    }
    if let Some(expr) = &args.filter {
        BpfFilter::new(expr).map_err(|e| AppError::Usage(e.to_string()))?;
    }
    let (tx, rx) = bounded::<Msg>(CHANNEL_BATCHES);
    let files = args.files.clone();
    let filter = args.filter.clone();
    let capture = thread::Builder::new()
        .name("capture".into())
        .spawn(move || capture_files(files, filter, tx))
        .map_err(|e| AppError::Failed(format!("cannot start the capture thread: {e}")))?;
    let result = analyse(rx, flow_config(&args.limits), args.json, stdout);
    // Dropping the receiver (inside analyse) unblocks the capture thread if we stopped early.
    let _ = capture.join();
    result
}

fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Where finished sessions go: JSON Lines, or the report aggregator.
enum Sink<'a> {
    Json(JsonlWriter<&'a mut dyn Write>),
    Report(Box<Report>, &'a mut dyn Write),
}

impl Sink<'_> {
    fn sessions(&mut self, table: &mut FlowTable) -> io::Result<()> {
        self.write_all(table.take_records())
    }

    fn write_all(&mut self, records: Vec<SessionRecord>) -> io::Result<()> {
        for r in records {
            match self {
                Sink::Json(w) => w.write(&r)?,
                Sink::Report(rep, _) => rep.add(&r),
            }
        }
        Ok(())
    }

    fn finish(self, cap: &CaptureStats, dec: &DecodeCounters, table: &FlowTable) -> io::Result<()> {
        match self {
            Sink::Json(mut w) => {
                w.write(&stats_record(cap, dec, &table.counters))?;
                w.flush()
            }
            Sink::Report(rep, out) => {
                let mut out = io::BufWriter::new(out);
                rep.render(&mut out, cap, dec, &table.counters)?;
                out.flush()
            }
        }
    }
}

/// The flow thread's loop: batches → flow table → records → output.
fn analyse(
    rx: Receiver<Msg>,
    cfg: FlowConfig,
    json: bool,
    stdout: &mut dyn Write,
) -> Result<(), AppError> {
    let mut table = FlowTable::new(cfg);
    let mut sink = if json {
        Sink::Json(JsonlWriter::new(stdout))
    } else {
        Sink::Report(Box::default(), stdout)
    };
    let io_result = |r: io::Result<()>| match r {
        Ok(()) => Ok(true),
        // A closed stdout (`| head`) is a normal end.
        Err(e) if is_broken_pipe(&e) => Ok(false),
        Err(e) => Err(AppError::Failed(format!("writing output: {e}"))),
    };
    loop {
        match rx.recv() {
            Ok(Msg::Batch(b)) => {
                for seg in b.segments() {
                    table.on_segment(&seg);
                }
                if !io_result(sink.sessions(&mut table))? {
                    return Ok(());
                }
            }
            Ok(Msg::Done(done)) => {
                let (cap, dec) = *done;
                let mut write = Ok(());
                table.finish_all(|batch| {
                    if write.is_ok() {
                        write = sink.write_all(batch);
                    }
                });
                if !io_result(write)? {
                    return Ok(());
                }
                io_result(sink.finish(&cap, &dec, &table))?;
                return Ok(());
            }
            Ok(Msg::Failed(e)) => return Err(e.into()),
            Err(_) => {
                return Err(AppError::Failed(
                    "the capture thread stopped unexpectedly".into(),
                ));
            }
        }
    }
}
