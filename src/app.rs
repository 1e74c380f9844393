//! Wiring: builds the pipeline for a command and runs it.
//!
//! `read`: a `capture` thread reads files, applies the BPF filter, decodes frames and copies
//! TCP/UDP segments into batches (one payload arena per batch); the calling thread owns the flow
//! table and the output. Reading a file blocks when the channel is full (lossless); the channel
//! is bounded in batches (`CHANNEL_BATCHES` × `BATCH_SEGMENTS` segments).

use std::io::{self, IsTerminal, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender, bounded};
use thiserror::Error;

use crate::capture::file::{CaptureError, check_path, read_file_counted};
use crate::capture::filter::BpfFilter;
use crate::capture::live::LiveSource;
use crate::capture::{CaptureStats, RawPacket};
use crate::cli::{Cli, Command, LimitArgs, LiveArgs, ReadArgs};
use crate::decode;
use crate::flow::{FlowConfig, FlowTable, Segment};
use crate::limits::{BATCH_BYTES, BATCH_SEGMENTS, CHANNEL_BATCHES};
use crate::output::html::HtmlFile;
use crate::output::jsonl::JsonlWriter;
use crate::output::record::SessionRecord;
use crate::output::report::Report;
use crate::progress::{self, Progress};
use crate::stats::{DecodeCounters, Limits, stats_record};
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
        Command::Live(args) => run_live(&args, &mut io::stdout().lock()),
    }
}

/// One segment with its payload left out; the payload lives in the batch arena.
#[derive(Clone, Copy, Debug)]
struct SegMeta {
    seg: Segment<'static>,
    payload_start: u32,
    payload_len: u32,
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
        let seg = Segment::from_decoded(ts, d);
        self.segs.push(SegMeta {
            seg: Segment {
                payload: &[],
                ..seg
            },
            payload_start: start,
            payload_len: d.payload.len() as u32,
        });
    }

    fn segments(&self) -> impl Iterator<Item = Segment<'_>> {
        self.segs.iter().map(|m| Segment {
            payload: &self.arena
                [m.payload_start as usize..(m.payload_start + m.payload_len) as usize],
            ..m.seg
        })
    }
}

/// Messages from the capture thread.
enum Msg {
    Batch(Batch),
    /// Live capture: the clock moved (a quiet moment) and the counters so far.
    Tick(Timestamp, Box<(CaptureStats, DecodeCounters)>),
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

/// The capture thread's loop: files → filter → decode → batches. `progress`: counters for the
/// progress bar (bytes read, packets seen).
fn capture_files(
    files: Vec<String>,
    filter: Option<String>,
    tx: Sender<Msg>,
    pace: Option<f64>,
    progress: Option<std::sync::Arc<progress::Counters>>,
) {
    let mut pacer = pace.map(|speed| (speed, None::<(Timestamp, std::time::Instant)>));
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
    let mut seen = 0u64;
    for path in &files {
        let mut on_packet = |p: &RawPacket<'_>| -> bool {
            seen += 1;
            if let Some(c) = &progress
                && seen.is_multiple_of(progress::PACKETS_PER_UPDATE)
            {
                c.packets.store(seen, std::sync::atomic::Ordering::Relaxed);
            }
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
                    // Replay at recorded pace (divided by the speed): wait until this packet's
                    // time has come, sending what is ready first.
                    if let Some((speed, start)) = pacer.as_mut() {
                        let (t0, w0) = *start.get_or_insert((p.ts, std::time::Instant::now()));
                        let due_ns =
                            (p.ts.nanos().saturating_sub(t0.nanos()) as f64 / *speed) as u64;
                        let due =
                            w0 + std::time::Duration::from_nanos(due_ns.min(86_400_000_000_000));
                        let now = std::time::Instant::now();
                        if due > now {
                            let ready = std::mem::replace(&mut batch, Batch::with_capacity());
                            if tx.send(Msg::Batch(ready)).is_err() {
                                receiver_gone = true;
                                return false;
                            }
                            std::thread::sleep((due - now).min(std::time::Duration::from_secs(1)));
                        }
                    }
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
        let read_bytes = progress.as_ref().map(|c| c.bytes.clone());
        if let Err(e) = read_file_counted(path, &mut stats, read_bytes, &mut on_packet) {
            let _ = tx.send(Msg::Failed(e));
            return;
        }
        if receiver_gone {
            return;
        }
    }
    if let Some(c) = &progress {
        c.packets.store(seen, std::sync::atomic::Ordering::Relaxed);
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
    if args.files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(AppError::Usage("stdin (-) can be given only once".into()));
    }
    for f in &args.files {
        check_path(f)?;
    }
    if let Some(expr) = &args.filter {
        BpfFilter::new(expr).map_err(|e| AppError::Usage(e.to_string()))?;
    }
    if args.tui && !(args.speed >= 0.0 && args.speed.is_finite()) {
        return Err(AppError::Usage(format!(
            "--speed {} is not a replay speed; use 1 for recorded pace, 0 for as fast as possible",
            args.speed
        )));
    }
    // Opened before reading starts: an unwritable path is bad usage, found at once.
    let html = match &args.html {
        Some(path) => Some(HtmlFile::create(path, &args.files).map_err(AppError::Usage)?),
        None => None,
    };
    let progress = if show_progress(args) {
        Progress::start(input_size(&args.files)).ok()
    } else {
        None
    };
    let counters = progress.as_ref().map(Progress::counters);
    let (tx, rx) = bounded::<Msg>(CHANNEL_BATCHES);
    let files = args.files.clone();
    let filter = args.filter.clone();
    // Replay paces batches by packet time; small batches keep the dashboard smooth.
    let pace = if args.tui && args.speed > 0.0 {
        Some(args.speed)
    } else {
        None
    };
    let capture = thread::Builder::new()
        .name("capture".into())
        .spawn(move || capture_files(files, filter, tx, pace, counters))
        .map_err(|e| AppError::Failed(format!("cannot start the capture thread: {e}")))?;
    if args.tui {
        let source = args.files.join(" ");
        let filter = args.filter.clone().unwrap_or_default();
        let result = dashboard(rx, flow_config(&args.limits), source, filter, None);
        drop(capture);
        return result;
    }
    // TODO(lead): set FlowConfig.timeline when --html (`args.html.is_some()`): the HTML report
    // draws each failed connection's timeline when the record carries one.
    let out = Output {
        json: args.json,
        html,
        progress,
    };
    let result = analyse(rx, flow_config(&args.limits), out, stdout);
    // Dropping the receiver (inside analyse) unblocks the capture thread if we stopped early.
    let _ = capture.join();
    result
}

/// The progress bar goes to stderr when it is a terminal, unless the dashboard owns the
/// terminal, it was turned off, or JSON Lines stream to the same terminal.
fn show_progress(args: &ReadArgs) -> bool {
    let json_on_terminal = args.json && io::stdout().is_terminal();
    io::stderr().is_terminal() && !args.tui && !args.no_progress && !json_on_terminal
}

/// Total size of the inputs in bytes; `None` when one is stdin (no total, a spinner).
fn input_size(files: &[String]) -> Option<u64> {
    files
        .iter()
        .map(|f| {
            if f == "-" {
                None
            } else {
                std::fs::metadata(f).ok().map(|m| m.len())
            }
        })
        .sum()
}

fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// What `analyse` writes besides its main output: `json` picks JSON Lines over the report;
/// `html` is the `--html` report; `progress` the bar to keep informed.
struct Output {
    json: bool,
    html: Option<HtmlFile>,
    progress: Option<Progress>,
}

/// Where finished sessions go: JSON Lines or the report aggregator on stdout, and the HTML
/// report (`--html`) as well.
struct Sink<'a> {
    out: Out<'a>,
    html: Option<HtmlFile>,
    /// Sessions written so far, and how many established (for the progress bar).
    sessions: u64,
    established: u64,
}

enum Out<'a> {
    Json(JsonlWriter<&'a mut dyn Write>),
    Report(Box<Report>, &'a mut dyn Write),
    /// stdout was closed (`| head`) while the HTML report still wants the rest.
    Closed,
}

impl Sink<'_> {
    fn sessions(&mut self, table: &mut FlowTable) -> io::Result<()> {
        self.write_all(table.take_records())
    }

    fn write_all(&mut self, records: Vec<SessionRecord>) -> io::Result<()> {
        for mut r in records {
            self.sessions += 1;
            self.established += (r.outcome == "established") as u64;
            if let Some(h) = &mut self.html {
                h.add(&r);
                // The timeline is on for the HTML report only.
                // TODO(lead): keep it when --timeline asks for it in the JSON too.
                r.timeline = None;
            }
            let written = match &mut self.out {
                Out::Json(w) => w.write(&r),
                Out::Report(rep, _) => {
                    rep.add(&r);
                    Ok(())
                }
                Out::Closed => Ok(()),
            };
            match written {
                Err(e) if is_broken_pipe(&e) && self.html.is_some() => self.out = Out::Closed,
                other => other?,
            }
        }
        Ok(())
    }

    fn finish(self, cap: &CaptureStats, dec: &DecodeCounters, table: &FlowTable) -> io::Result<()> {
        match self.out {
            Out::Closed => Ok(()),
            Out::Json(mut w) => {
                w.write(&stats_record(
                    cap,
                    dec,
                    &table.counters,
                    Limits::of(table.config()),
                ))?;
                w.flush()
            }
            Out::Report(rep, out) => {
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
    output: Output,
    stdout: &mut dyn Write,
) -> Result<(), AppError> {
    let mut table = FlowTable::new(cfg);
    let mut next_stats = Timestamp::ZERO;
    let Output {
        json,
        html,
        mut progress,
    } = output;
    let mut sink = Sink {
        out: if json {
            Out::Json(JsonlWriter::new(stdout))
        } else {
            Out::Report(Box::default(), stdout)
        },
        html,
        sessions: 0,
        established: 0,
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
                if let Some(p) = &progress {
                    p.set_sessions(sink.sessions, sink.established);
                }
            }
            Ok(Msg::Tick(now, counters)) => {
                table.advance(now);
                if !io_result(sink.sessions(&mut table))? {
                    return Ok(());
                }
                if let Out::Json(w) = &mut sink.out
                    && now >= next_stats
                {
                    let (cap, dec) = &*counters;
                    io_result(
                        w.write(&stats_record(
                            cap,
                            dec,
                            &table.counters,
                            Limits::of(table.config()),
                        ))
                        .and_then(|()| w.flush()),
                    )?;
                    next_stats = now.saturating_add_secs(LIVE_STATS_SECS);
                } else if let Out::Json(w) = &mut sink.out {
                    io_result(w.flush())?;
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
                // Clear the bar before anything else is printed.
                if let Some(p) = progress.take() {
                    p.set_sessions(sink.sessions, sink.established);
                }
                if let Some(h) = sink.html.take() {
                    h.finish(&cap, &dec, &table.counters)
                        .map_err(AppError::Failed)?;
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

/// How often `live --json` writes a `stats` record (seconds).
pub const LIVE_STATS_SECS: u64 = 10;
/// How often the live capture thread flushes a partial batch and sends a tick (milliseconds).
const LIVE_FLUSH_MS: u128 = 200;

fn wall_clock() -> Timestamp {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_secs_nanos(d.as_secs() as i64, d.subsec_nanos())
}

/// The live capture thread: never waits on analysis; a full queue drops the batch (counted).
fn capture_live(
    mut src: LiveSource,
    tx: Sender<Msg>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::atomic::Ordering;
    let mut stats = CaptureStats::default();
    let mut dec = DecodeCounters::default();
    let mut batch = Batch::with_capacity();
    let mut last_flush = std::time::Instant::now();
    stats.files = 0;
    while !stop.load(Ordering::Relaxed) {
        let got = match src.next_packet() {
            Ok(Some(p)) => {
                stats.observe(&p);
                match decode::decode(p.linktype, p.data) {
                    Ok(d) => {
                        dec.segments += 1;
                        batch.push(p.ts, &d);
                    }
                    Err(why) => dec.skip(why),
                }
                true
            }
            Ok(None) => false,
            Err(e) => {
                let _ = tx.send(Msg::Failed(CaptureError::Read(
                    src.interface.clone(),
                    e.to_string(),
                )));
                return;
            }
        };
        let due = last_flush.elapsed().as_millis() >= LIVE_FLUSH_MS;
        if batch.is_full() || (due && !batch.segs.is_empty()) {
            let full = std::mem::replace(&mut batch, Batch::with_capacity());
            let n = full.segs.len() as u64;
            match tx.try_send(Msg::Batch(full)) {
                Ok(()) => {}
                Err(crossbeam_channel::TrySendError::Full(_)) => stats.queue_dropped += n,
                Err(crossbeam_channel::TrySendError::Disconnected(_)) => return,
            }
        }
        if due || !got && last_flush.elapsed().as_millis() >= LIVE_FLUSH_MS {
            last_flush = std::time::Instant::now();
            let k = src.stats();
            stats.kernel_received = k.received;
            stats.kernel_dropped = k.dropped;
            stats.iface_dropped = k.if_dropped;
            let _ = tx.try_send(Msg::Tick(
                wall_clock(),
                Box::new((stats.clone(), dec.clone())),
            ));
        }
    }
    if !batch.segs.is_empty() {
        let _ = tx.send(Msg::Batch(batch));
    }
    let k = src.stats();
    stats.kernel_received = k.received;
    stats.kernel_dropped = k.dropped;
    stats.iface_dropped = k.if_dropped;
    let _ = tx.send(Msg::Done(Box::new((stats, dec))));
}

/// `tlscope live`.
pub fn run_live(args: &LiveArgs, stdout: &mut dyn Write) -> Result<(), AppError> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let src = LiveSource::open(
        args.interface.as_deref(),
        args.filter.as_deref(),
        args.promisc,
    )
    .map_err(|e| AppError::Usage(e.to_string()))?;
    // The capture is open: root is no longer needed.
    crate::capture::live::drop_privileges(args.user.as_deref())
        .map_err(|e| AppError::Usage(e.to_string()))?;
    let json = args.json || args.no_tui || !io::stdout().is_terminal();
    let source = src.interface.clone();
    let filter = src.filter.clone();
    if json {
        eprintln!("tlscope: capturing on {source} with filter '{filter}' (Ctrl-C to stop)");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let (quit_tx, quit_rx) = bounded::<()>(1);
    ctrlc::set_handler(move || {
        flag.store(true, Ordering::Relaxed);
        let _ = quit_tx.try_send(());
    })
    .map_err(|e| AppError::Failed(format!("cannot install the signal handler: {e}")))?;
    let (tx, rx) = bounded::<Msg>(CHANNEL_BATCHES);
    let capture_stop = stop.clone();
    let mut src = src;
    let waker = src.waker();
    let capture = thread::Builder::new()
        .name("capture".into())
        .spawn(move || capture_live(src, tx, capture_stop))
        .map_err(|e| AppError::Failed(format!("cannot start the capture thread: {e}")))?;
    // Blocking reads are efficient under load; this wakes the reader on a quiet link so that
    // it sends ticks and notices a stop.
    let ticker_stop = stop.clone();
    let ticker = thread::Builder::new()
        .name("ticker".into())
        .spawn(move || {
            while !ticker_stop.load(Ordering::Relaxed) {
                thread::sleep(std::time::Duration::from_millis(LIVE_FLUSH_MS as u64));
                waker.breakloop();
            }
            waker.breakloop();
        })
        .map_err(|e| AppError::Failed(format!("cannot start the ticker thread: {e}")))?;
    let result = if json {
        let out = Output {
            json: true,
            html: None,
            progress: None,
        };
        analyse(rx, flow_config(&args.limits), out, stdout)
    } else {
        let r = dashboard(rx, flow_config(&args.limits), source, filter, Some(quit_rx));
        stop.store(true, Ordering::Relaxed);
        r
    };
    stop.store(true, Ordering::Relaxed);
    let _ = capture.join();
    let _ = ticker.join();
    result
}

/// How often the analysis thread hands the dashboard a snapshot (wall clock, milliseconds).
const SNAPSHOT_MS: u64 = 250;

/// The dashboard: an analysis thread turns batches into records and snapshots, the calling
/// thread owns the terminal and renders only the latest snapshot.
fn dashboard(
    rx: Receiver<Msg>,
    cfg: FlowConfig,
    source: String,
    filter: String,
    quit: Option<Receiver<()>>,
) -> Result<(), AppError> {
    use crate::stats::snapshot::{Aggregator, LiveCounters};
    let (snap_tx, snap_rx) = bounded(2);
    let analysis = thread::Builder::new()
        .name("analysis".into())
        .spawn(move || {
            let mut table = FlowTable::new(cfg);
            let mut agg = Aggregator::new();
            let mut last = std::time::Instant::now();
            let counters = |cap: &CaptureStats| LiveCounters {
                packets: cap.packets,
                bytes: cap.bytes,
                kernel_received: cap.kernel_received,
                kernel_dropped: cap.kernel_dropped,
                iface_dropped: cap.iface_dropped,
                queue_dropped: cap.queue_dropped,
                first_ts: cap.first_ts,
                last_ts: cap.last_ts,
            };
            loop {
                let msg = rx.recv_timeout(std::time::Duration::from_millis(SNAPSHOT_MS));
                let mut done = false;
                match msg {
                    Ok(Msg::Batch(b)) => {
                        for seg in b.segments() {
                            table.on_segment(&seg);
                        }
                    }
                    Ok(Msg::Tick(now, c)) => {
                        table.advance(now);
                        agg.set_counters(counters(&c.0));
                    }
                    Ok(Msg::Done(c)) => {
                        table.finish_all(|batch| batch.iter().for_each(|r| agg.add(r)));
                        agg.set_counters(counters(&c.0));
                        done = true;
                    }
                    Ok(Msg::Failed(_)) => done = true,
                    Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                    Err(crossbeam_channel::RecvTimeoutError::Disconnected) => done = true,
                }
                for r in table.take_records() {
                    agg.add(&r);
                }
                if done || last.elapsed().as_millis() as u64 >= SNAPSHOT_MS {
                    last = std::time::Instant::now();
                    let snap = agg.snapshot(table.now(), &source, &filter);
                    if let Err(crossbeam_channel::TrySendError::Disconnected(_)) =
                        snap_tx.try_send(snap)
                    {
                        return;
                    }
                }
                if done {
                    return;
                }
            }
        })
        .map_err(|e| AppError::Failed(format!("cannot start the analysis thread: {e}")))?;
    let result = crate::tui::run(snap_rx, quit.unwrap_or_else(crossbeam_channel::never))
        .map_err(|e| AppError::Failed(format!("terminal: {e}")));
    let _ = analysis.join();
    result
}
