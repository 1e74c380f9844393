//! Wiring: builds the pipeline for a command and runs it.
//!
//! `read`: a `capture` thread reads files, applies the BPF filter, decodes frames and copies
//! TCP/UDP segments into batches (one payload arena per batch); the calling thread owns the flow
//! table and the output. Reading a file blocks when the channel is full (lossless); the channel
//! is bounded in batches (`READ_CHANNEL_BATCHES` × `BATCH_SEGMENTS` segments; live capture
//! uses the deeper `CHANNEL_BATCHES` and drops when it is full).

use std::io::{self, IsTerminal, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender, bounded};
use thiserror::Error;

use crate::bypass::{self, Bypass, DecidedTx};
use crate::capture::file::{CaptureError, check_path, read_file_counted};
use crate::capture::filter::BpfFilter;
use crate::capture::live::LiveSource;
use crate::capture::{CaptureStats, RawPacket};
use crate::cli::{Cli, Command, LimitArgs, LiveArgs, OutputFormat, ReadArgs, output_format};
use crate::decode;
use crate::evidence::{self, ProblemFlows};
use crate::flow::table::FlowCounters;
use crate::flow::{FlowConfig, FlowTable, Segment};
use crate::limits::{BATCH_BYTES, BATCH_SEGMENTS, CHANNEL_BATCHES, READ_CHANNEL_BATCHES};
use crate::output::html::HtmlFile;
use crate::output::jsonl::JsonlWriter;
use crate::output::log::LogWriter;
use crate::output::record::SessionRecord;
use crate::output::report::Report;
use crate::output::timeline::{self, ConnFilter};
use crate::progress::{self, Progress};
use crate::shard::{self, Merged, Shards};
use crate::stats::{DecodeCounters, Limits, StatsRecord, stats_record};
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
        Command::Completions { shell } => {
            crate::cli::write_completions(shell, &mut io::stdout().lock());
            Ok(())
        }
        Command::Man { dir } => match crate::cli::write_man(dir.as_deref(), &mut io::stdout()) {
            Err(e) if !is_broken_pipe(&e) => {
                Err(AppError::Failed(format!("writing the man page: {e}")))
            }
            _ => Ok(()),
        },
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
pub(crate) struct Batch {
    arena: Vec<u8>,
    segs: Vec<SegMeta>,
}

impl Batch {
    pub(crate) fn with_capacity() -> Batch {
        Batch {
            arena: Vec::with_capacity(BATCH_BYTES),
            segs: Vec::with_capacity(BATCH_SEGMENTS),
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.segs.len() >= BATCH_SEGMENTS || self.arena.len() >= BATCH_BYTES
    }

    pub(crate) fn push(&mut self, ts: Timestamp, d: &decode::Decoded<'_>) {
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

    /// A segment whose payload is left out (a decided flow, see `bypass`): its length only.
    pub(crate) fn push_elided(&mut self, ts: Timestamp, d: &decode::Decoded<'_>) {
        let seg = Segment::from_decoded(ts, d);
        self.segs.push(SegMeta {
            seg: Segment {
                payload: &[],
                elided: d.payload.len() as u32,
                ..seg
            },
            payload_start: self.arena.len() as u32,
            payload_len: 0,
        });
    }

    /// Adds a segment, its payload left out when `bypass` says the flow is decided.
    pub(crate) fn add(
        &mut self,
        bypass: Option<&mut Bypass>,
        ts: Timestamp,
        d: &decode::Decoded<'_>,
    ) {
        if bypass.is_some_and(|b| b.elide(ts, d)) {
            self.push_elided(ts, d)
        } else {
            self.push(ts, d)
        }
    }

    pub(crate) fn segments(&self) -> impl Iterator<Item = Segment<'_>> {
        self.segs.iter().map(|m| Segment {
            payload: &self.arena
                [m.payload_start as usize..(m.payload_start + m.payload_len) as usize],
            ..m.seg
        })
    }
}

/// Messages from the capture thread.
pub(crate) enum Msg {
    Batch(Batch),
    /// Live capture: the clock moved (a quiet moment) and the counters so far.
    Tick(Timestamp, Box<(CaptureStats, DecodeCounters)>),
    Done(Box<(CaptureStats, DecodeCounters)>),
    Failed(CaptureError),
}

fn flow_config(l: &LimitArgs, timeline: bool) -> FlowConfig {
    FlowConfig {
        timeline,
        max_flows: l.max_flows.max(1),
        handshake_bytes: l.max_handshake_bytes.max(1),
        idle_timeout_secs: l.idle_timeout.max(1),
    }
}

/// Where the capture thread puts decoded segments: one analysis thread (`Single`) or the
/// dispatcher of a sharded analysis (`shard::Dispatcher`).
pub(crate) trait Outlet {
    /// Adds a segment; false when the analysis is gone (stop reading).
    fn push(&mut self, ts: Timestamp, d: &decode::Decoded<'_>) -> bool;
    /// Sends what is buffered now (replay pacing); false when the analysis is gone.
    fn flush(&mut self) -> bool;
    /// The input ended: send what is left and the counters.
    fn done(self, counters: Box<(CaptureStats, DecodeCounters)>);
    fn failed(self, e: CaptureError);
}

/// One analysis thread fed with batches.
pub(crate) struct Single {
    tx: Sender<Msg>,
    batch: Batch,
    bypass: Option<Bypass>,
}

impl Single {
    fn new(tx: Sender<Msg>, bypass: Option<Bypass>) -> Single {
        Single {
            tx,
            batch: Batch::with_capacity(),
            bypass,
        }
    }
}

impl Outlet for Single {
    fn push(&mut self, ts: Timestamp, d: &decode::Decoded<'_>) -> bool {
        self.batch.add(self.bypass.as_mut(), ts, d);
        !self.batch.is_full() || self.flush()
    }

    fn flush(&mut self) -> bool {
        let ready = std::mem::replace(&mut self.batch, Batch::with_capacity());
        if let Some(b) = self.bypass.as_mut() {
            b.absorb();
        }
        self.tx.send(Msg::Batch(ready)).is_ok()
    }

    fn done(self, mut counters: Box<(CaptureStats, DecodeCounters)>) {
        counters.0.payloads_bypassed = self.bypass.as_ref().map_or(0, |b| b.elided);
        if !self.batch.segs.is_empty() {
            let _ = self.tx.send(Msg::Batch(self.batch));
        }
        let _ = self.tx.send(Msg::Done(counters));
    }

    fn failed(self, e: CaptureError) {
        let _ = self.tx.send(Msg::Failed(e));
    }
}

/// Clears the progress bar (`read` on a terminal) when the input has been read, before the
/// analysis hears of it and prints its report.
struct ClearsProgress<O> {
    out: O,
    progress: Option<Progress>,
}

impl<O: Outlet> Outlet for ClearsProgress<O> {
    fn push(&mut self, ts: Timestamp, d: &decode::Decoded<'_>) -> bool {
        self.out.push(ts, d)
    }

    fn flush(&mut self) -> bool {
        self.out.flush()
    }

    fn done(self, counters: Box<(CaptureStats, DecodeCounters)>) {
        drop(self.progress);
        self.out.done(counters)
    }

    fn failed(self, e: CaptureError) {
        drop(self.progress);
        self.out.failed(e)
    }
}

/// The capture thread's loop: files → filter → decode → batches. `progress`: the progress bar
/// (bytes read and packets are counted for it; it is cleared when the input ends).
fn capture_files(
    files: Vec<String>,
    filter: Option<String>,
    out: impl Outlet,
    pace: Option<f64>,
    progress: Option<Progress>,
) {
    let counters = progress.as_ref().map(Progress::counters);
    let mut out = ClearsProgress { out, progress };
    let mut pacer = pace.map(|speed| (speed, None::<(Timestamp, std::time::Instant)>));
    let mut stats = CaptureStats::default();
    let mut dec = DecodeCounters::default();
    let mut filter = match filter.as_deref().map(BpfFilter::new) {
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => {
            // Validated before the thread started; cannot happen, but never panic.
            out.failed(CaptureError::Read("-f".into(), e.to_string()));
            return;
        }
        None => None,
    };
    let mut receiver_gone = false;
    let mut seen = 0u64;
    for path in &files {
        let mut on_packet = |p: &RawPacket<'_>| -> bool {
            seen += 1;
            if let Some(c) = &counters
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
                    if !out.push(p.ts, &d) {
                        receiver_gone = true;
                        return false;
                    }
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
                            if !out.flush() {
                                receiver_gone = true;
                                return false;
                            }
                            std::thread::sleep((due - now).min(std::time::Duration::from_secs(1)));
                        }
                    }
                }
                Err(why) => dec.skip(why),
            }
            true
        };
        let read_bytes = counters.as_ref().map(|c| c.bytes.clone());
        if let Err(e) = read_file_counted(path, &mut stats, read_bytes, &mut on_packet) {
            out.failed(e);
            return;
        }
        if receiver_gone {
            return;
        }
    }
    if let Some(c) = &counters {
        c.packets.store(seen, std::sync::atomic::Ordering::Relaxed);
    }
    // The filter runs beside the decoder; report its counts with the capture's.
    stats.filtered_out = dec.filtered_out;
    stats.filter_unsupported_link = dec.filter_unsupported_link;
    out.done(Box::new((stats, dec)));
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
    let conn = args
        .conn
        .iter()
        .map(|c| ConnFilter::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::Usage)?;
    if args.tui && !conn.is_empty() {
        return Err(AppError::Usage(
            "--conn prints timelines and cannot be combined with --tui; drop one of them".into(),
        ));
    }
    let format = output_format(args.json, args.format).map_err(AppError::Usage)?;
    if args.tui && args.format.is_some() {
        return Err(AppError::Usage(
            "--tui replays the capture through the dashboard; --format writes records: \
             choose one"
                .into(),
        ));
    }
    if args.tui && !(args.speed >= 0.0 && args.speed.is_finite()) {
        return Err(AppError::Usage(format!(
            "--speed {} is not a replay speed; use 1 for recorded pace, 0 for as fast as possible",
            args.speed
        )));
    }
    let problems_out = match &args.write_problems {
        Some(path) => Some(problem_capture(path, &args.files, args.tui)?),
        None => None,
    };
    if args.tui && args.threads > 1 {
        return Err(AppError::Usage(
            "--threads applies to the report and JSON output, not to --tui; drop one of them"
                .into(),
        ));
    }
    // Opened before reading starts: an unwritable path is bad usage, found at once.
    let html = match &args.html {
        Some(path) => Some(HtmlFile::create(path, &args.files).map_err(AppError::Usage)?),
        None => None,
    };
    let progress = if show_progress(args, format, &conn) {
        Progress::start(input_size(&args.files)).ok()
    } else {
        None
    };
    if args.threads > 1 {
        let format = format.unwrap_or(OutputFormat::Report);
        return read_sharded(args, format, stdout, conn, problems_out, html, progress);
    }
    let counters = progress.as_ref().map(Progress::counters);
    let (tx, rx) = bounded::<Msg>(READ_CHANNEL_BATCHES);
    // The dashboard replay keeps every payload; `read` lets the capture thread skip the data
    // of decided flows.
    let (decided_tx, bypass) = if args.tui || args.no_bypass {
        (None, None)
    } else {
        let (tx, b) = bypass::pair(args.limits.idle_timeout);
        (Some(tx), Some(b))
    };
    // Replay paces batches by packet time; small batches keep the dashboard smooth.
    let pace = if args.tui && args.speed > 0.0 {
        Some(args.speed)
    } else {
        None
    };
    let capture = spawn_capture(args, Single::new(tx, bypass), pace, progress)?;
    if args.tui {
        let source = args.files.join(" ");
        let filter = args.filter.clone().unwrap_or_default();
        let result = dashboard(rx, flow_config(&args.limits, false), source, filter, None);
        drop(capture);
        return result;
    }
    let format = format.unwrap_or(OutputFormat::Report);
    let cfg = flow_config(&args.limits, wants_timeline(args, &conn));
    let sink = read_sink(args, format, stdout, &conn, html, counters);
    with_problem_pass(args, problems_out, |tap| {
        let result = analyse(rx, cfg, sink, &conn, tap, decided_tx);
        // Dropping the receiver (inside analyse) unblocks the capture thread if we stopped early.
        let _ = capture.join();
        result
    })
}

/// Timelines are recorded when an output shows them: `--timeline`, `--conn`, `--html`.
fn wants_timeline(args: &ReadArgs, conn: &[ConnFilter]) -> bool {
    args.timeline || !conn.is_empty() || args.html.is_some()
}

/// The output of `read`: timelines (`--conn`, unless another format is asked for), or the
/// format's writer; and the HTML report.
fn read_sink<'a>(
    args: &ReadArgs,
    format: OutputFormat,
    stdout: &'a mut dyn Write,
    conn: &[ConnFilter],
    html: Option<HtmlFile>,
    counters: Option<std::sync::Arc<progress::Counters>>,
) -> Sink<'a> {
    let out = if !conn.is_empty() && format == OutputFormat::Report {
        Out::Timelines(io::BufWriter::new(stdout), 0)
    } else {
        format_out(format, stdout)
    };
    // Timelines recorded for the HTML report only stay out of the records written.
    let strip_timeline = html.is_some() && !args.timeline && conn.is_empty();
    Sink {
        html,
        strip_timeline,
        counters,
        ..Sink::new(out)
    }
}

/// The writer of an output format.
fn format_out(format: OutputFormat, stdout: &mut dyn Write) -> Out<'_> {
    match format {
        OutputFormat::Jsonl => Out::Json(JsonlWriter::new(stdout)),
        OutputFormat::Report => Out::Report(Box::default(), stdout),
        OutputFormat::Eve => Out::Log(LogWriter::eve(stdout)),
        OutputFormat::Zeek => Out::Log(LogWriter::zeek(stdout, false)),
        OutputFormat::ZeekJson => Out::Log(LogWriter::zeek(stdout, true)),
    }
}

/// The progress bar goes to stderr when it is a terminal, unless the dashboard owns the
/// terminal, it was turned off, or records stream to the same terminal (any format but the
/// report, or `--conn` timelines).
fn show_progress(args: &ReadArgs, format: Option<OutputFormat>, conn: &[ConnFilter]) -> bool {
    let streams = format.is_some_and(|f| f != OutputFormat::Report) || !conn.is_empty();
    let streams_to_terminal = streams && io::stdout().is_terminal();
    io::stderr().is_terminal() && !args.tui && !args.no_progress && !streams_to_terminal
}

/// Total size of the inputs in bytes; `None` when one is stdin (no total: a spinner).
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

/// `read --threads N` (N > 1): the capture thread dispatches to N shard threads.
fn read_sharded(
    args: &ReadArgs,
    format: OutputFormat,
    stdout: &mut dyn Write,
    conn: Vec<ConnFilter>,
    problems_out: Option<(String, std::fs::File)>,
    html: Option<HtmlFile>,
    progress: Option<Progress>,
) -> Result<(), AppError> {
    let cfg = flow_config(&args.limits, wants_timeline(args, &conn));
    let (dispatcher, shards) = shard::start(args.threads as usize, cfg, !args.no_bypass)
        .map_err(|e| AppError::Failed(format!("cannot start the analysis threads: {e}")))?;
    let counters = progress.as_ref().map(Progress::counters);
    let capture = spawn_capture(args, dispatcher, None, progress)?;
    let sink = read_sink(args, format, stdout, &conn, html, counters);
    with_problem_pass(args, problems_out, |tap| {
        let result = analyse_sharded(shards, cfg, sink, &conn, tap);
        let _ = capture.join();
        result
    })
}

/// Starts the capture thread reading `args.files` into `out`.
fn spawn_capture(
    args: &ReadArgs,
    out: impl Outlet + Send + 'static,
    pace: Option<f64>,
    progress: Option<Progress>,
) -> Result<thread::JoinHandle<()>, AppError> {
    let files = args.files.clone();
    let filter = args.filter.clone();
    thread::Builder::new()
        .name("capture".into())
        .spawn(move || capture_files(files, filter, out, pace, progress))
        .map_err(|e| AppError::Failed(format!("cannot start the capture thread: {e}")))
}

/// Runs `analysis` with a tap that remembers the problem connections when `--write-problems`
/// asked for them, then writes their frames (the second pass).
fn with_problem_pass(
    args: &ReadArgs,
    problems_out: Option<(String, std::fs::File)>,
    analysis: impl FnOnce(&mut dyn FnMut(&SessionRecord)) -> Result<Option<CaptureStats>, AppError>,
) -> Result<(), AppError> {
    let mut flows = ProblemFlows::default();
    let wanted = problems_out.is_some();
    let result = analysis(&mut |r: &SessionRecord| {
        if wanted {
            flows.add(r);
        }
    });
    write_problems(args, problems_out, &flows, result?)
}

/// The second pass of `--write-problems`, once the analysis read the whole input.
fn write_problems(
    args: &ReadArgs,
    problems_out: Option<(String, std::fs::File)>,
    flows: &ProblemFlows,
    cap: Option<CaptureStats>,
) -> Result<(), AppError> {
    if let (Some((path, out)), Some(cap)) = (problems_out, cap) {
        let frames =
            evidence::write(&args.files, flows, out, &cap.linktypes).map_err(AppError::Failed)?;
        let skipped = if flows.not_kept > 0 {
            format!(" ({} more not kept: limit reached)", flows.not_kept)
        } else {
            String::new()
        };
        eprintln!(
            "tlscope: wrote {frames} frames of {} problem connections{skipped} to {path}",
            flows.connections
        );
    }
    Ok(())
}

/// Checks and creates the `--write-problems` file before any reading starts.
fn problem_capture(
    path: &str,
    files: &[String],
    tui: bool,
) -> Result<(String, std::fs::File), AppError> {
    if tui {
        return Err(AppError::Usage(
            "--write-problems cannot be combined with --tui; drop one of them".into(),
        ));
    }
    if files.iter().any(|f| f == "-") {
        return Err(AppError::Usage(
            "--write-problems reads the input twice and cannot take stdin (-); save the capture \
             to a file first"
                .into(),
        ));
    }
    let target = std::path::Path::new(path);
    let same = |f: &String| {
        let a = std::fs::canonicalize(f).ok();
        a.is_some() && a == std::fs::canonicalize(target).ok()
    };
    if files.iter().any(same) {
        return Err(AppError::Usage(format!(
            "--write-problems {path} is one of the input files; choose another name"
        )));
    }
    let file = std::fs::File::create(target).map_err(|e| {
        AppError::Usage(format!(
            "cannot create {path} for --write-problems: {e}; choose a writable path"
        ))
    })?;
    Ok((path.to_string(), file))
}

fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Whether to go on writing: a closed stdout (`| head`) is a normal end (false), any other
/// write error a failure.
fn io_result(r: io::Result<()>) -> Result<bool, AppError> {
    match r {
        Ok(()) => Ok(true),
        Err(e) if is_broken_pipe(&e) => Ok(false),
        Err(e) => Err(AppError::Failed(format!("writing output: {e}"))),
    }
}

/// `analyse` for `--threads N`: the shards' merged records → `tap` and the output.
fn analyse_sharded(
    mut shards: Shards,
    cfg: FlowConfig,
    mut sink: Sink<'_>,
    select: &[ConnFilter],
    tap: &mut dyn FnMut(&SessionRecord),
) -> Result<Option<CaptureStats>, AppError> {
    loop {
        match shards.next_merged() {
            Ok(Merged::Records(records)) => {
                if !io_result(sink.write_all(records, select, tap))? {
                    shards.join();
                    return Ok(None);
                }
            }
            Ok(Merged::Done(counters, capture)) => {
                shards.join();
                let (cap, dec) = *capture;
                io_result(sink.finish(&cap, &dec, &counters, &cfg))?;
                return Ok(Some(cap));
            }
            Err(e) => {
                shards.join();
                return Err(e.into());
            }
        }
    }
}

/// Where finished sessions go: `out` on stdout, and the HTML report (`--html`) as well.
struct Sink<'a> {
    out: Out<'a>,
    html: Option<HtmlFile>,
    /// The timeline was recorded for the HTML report only: not written to `out`.
    strip_timeline: bool,
    /// The progress bar's counters: sessions written so far, and how many established.
    counters: Option<std::sync::Arc<progress::Counters>>,
    sessions: u64,
    established: u64,
}

/// JSON Lines, the report aggregator, another tool's format, or `--conn` timelines (with the
/// number written).
enum Out<'a> {
    Json(JsonlWriter<&'a mut dyn Write>),
    Report(Box<Report>, &'a mut dyn Write),
    Timelines(io::BufWriter<&'a mut dyn Write>, u64),
    Log(LogWriter<&'a mut dyn Write>),
    /// stdout was closed (`| head`) while the HTML report still wants the rest.
    Closed,
}

impl Out<'_> {
    /// Whether this output carries periodic stats records (`live`).
    fn takes_stats(&self) -> bool {
        matches!(self, Out::Json(_) | Out::Log(_))
    }

    /// Writes a stats record (JSON Lines or the format's own event) and flushes.
    fn stats(&mut self, rec: &StatsRecord) -> io::Result<()> {
        match self {
            Out::Json(w) => w.write(rec).and_then(|()| w.flush()),
            Out::Log(w) => w.stats(rec).and_then(|()| w.flush()),
            _ => Ok(()),
        }
    }

    /// Pushes out what streaming outputs hold (records reach a pipe promptly in `live`).
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Json(w) => w.flush(),
            Out::Log(w) => w.flush(),
            _ => Ok(()),
        }
    }
}

impl<'a> Sink<'a> {
    /// `out` alone: no HTML report, no progress bar.
    fn new(out: Out<'a>) -> Sink<'a> {
        Sink {
            out,
            html: None,
            strip_timeline: false,
            counters: None,
            sessions: 0,
            established: 0,
        }
    }

    fn sessions(
        &mut self,
        table: &mut FlowTable,
        select: &[ConnFilter],
        tap: &mut dyn FnMut(&SessionRecord),
    ) -> io::Result<()> {
        self.write_all(table.take_records(), select, tap)
    }

    /// Shows every record to `tap`, then writes those `select` picks (all when it is empty).
    fn write_all(
        &mut self,
        records: Vec<SessionRecord>,
        select: &[ConnFilter],
        tap: &mut dyn FnMut(&SessionRecord),
    ) -> io::Result<()> {
        for mut r in records {
            tap(&r);
            self.sessions += 1;
            self.established += (r.outcome == "established") as u64;
            if let Some(h) = &mut self.html {
                h.add(&r);
            }
            if self.strip_timeline {
                r.timeline = None;
            }
            if !select.is_empty() && !timeline::selected(select, &r) {
                continue;
            }
            let written = match &mut self.out {
                Out::Json(w) => w.write(&r),
                Out::Report(rep, _) => {
                    rep.add(&r);
                    Ok(())
                }
                Out::Timelines(w, shown) => {
                    *shown += 1;
                    timeline::render(&r, w)
                }
                Out::Log(w) => w.session(&r),
                Out::Closed => Ok(()),
            };
            match written {
                Err(e) if is_broken_pipe(&e) && self.html.is_some() => self.out = Out::Closed,
                other => other?,
            }
        }
        if let Some(c) = &self.counters {
            c.set_sessions(self.sessions, self.established);
        }
        Ok(())
    }

    fn finish(
        self,
        cap: &CaptureStats,
        dec: &DecodeCounters,
        counters: &FlowCounters,
        cfg: &FlowConfig,
    ) -> io::Result<()> {
        if let Some(h) = self.html {
            // Not a broken pipe even if the file is one: this is an error, not an end.
            h.finish(cap, dec, counters).map_err(io::Error::other)?;
        }
        match self.out {
            Out::Closed => Ok(()),
            Out::Json(mut w) => {
                w.write(&stats_record(cap, dec, counters, Limits::of(cfg)))?;
                w.flush()
            }
            Out::Report(rep, out) => {
                let mut out = io::BufWriter::new(out);
                rep.render(&mut out, cap, dec, counters)?;
                out.flush()
            }
            Out::Timelines(mut w, shown) => {
                writeln!(
                    w,
                    "{shown} of {} connections matched --conn",
                    counters.sessions_written
                )?;
                w.flush()
            }
            Out::Log(mut w) => w.finish(cap, &stats_record(cap, dec, counters, Limits::of(cfg))),
        }
    }
}

/// Tells the capture side which flows became decided (never waits: news that does not fit is
/// dropped, and those flows are simply copied as before).
pub(crate) fn announce_decided(table: &mut FlowTable, to: Option<&DecidedTx>) {
    let keys = table.take_decided();
    if let Some(tx) = to
        && !keys.is_empty()
    {
        let _ = tx.try_send(keys);
    }
}

/// The flow thread's loop: batches → flow table → records → `tap` and the output. Returns the
/// capture's counters when the input was read to its end (`None` when output stopped early).
fn analyse(
    rx: Receiver<Msg>,
    cfg: FlowConfig,
    mut sink: Sink<'_>,
    select: &[ConnFilter],
    tap: &mut dyn FnMut(&SessionRecord),
    decided: Option<DecidedTx>,
) -> Result<Option<CaptureStats>, AppError> {
    let mut table = FlowTable::new(cfg);
    let mut next_stats = Timestamp::ZERO;
    loop {
        match rx.recv() {
            Ok(Msg::Batch(b)) => {
                for seg in b.segments() {
                    table.on_segment(&seg);
                }
                announce_decided(&mut table, decided.as_ref());
                if !io_result(sink.sessions(&mut table, select, tap))? {
                    return Ok(None);
                }
            }
            Ok(Msg::Tick(now, counters)) => {
                table.advance(now);
                if !io_result(sink.sessions(&mut table, select, tap))? {
                    return Ok(None);
                }
                if now >= next_stats && sink.out.takes_stats() {
                    let (cap, dec) = &*counters;
                    let rec = stats_record(cap, dec, &table.counters, Limits::of(table.config()));
                    io_result(sink.out.stats(&rec))?;
                    next_stats = now.saturating_add_secs(LIVE_STATS_SECS);
                } else {
                    io_result(sink.out.flush())?;
                }
            }
            Ok(Msg::Done(done)) => {
                let (cap, dec) = *done;
                let mut write = Ok(());
                table.finish_all(|batch| {
                    if write.is_ok() {
                        write = sink.write_all(batch, select, tap);
                    }
                });
                if !io_result(write)? {
                    return Ok(None);
                }
                io_result(sink.finish(&cap, &dec, &table.counters, table.config()))?;
                return Ok(Some(cap));
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
    mut bypass: Option<Bypass>,
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
                        batch.add(bypass.as_mut(), p.ts, &d);
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
            if let Some(b) = bypass.as_mut() {
                b.absorb();
            }
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
    stats.payloads_bypassed = bypass.as_ref().map_or(0, |b| b.elided);
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
    let format = output_format(args.json, args.format).map_err(AppError::Usage)?;
    let src = LiveSource::open(
        args.interface.as_deref(),
        args.filter.as_deref(),
        args.promisc,
    )
    .map_err(|e| AppError::Usage(e.to_string()))?;
    // The capture is open: root is no longer needed.
    crate::capture::live::drop_privileges(args.user.as_deref())
        .map_err(|e| AppError::Usage(e.to_string()))?;
    let json = format.is_some() || args.no_tui || !io::stdout().is_terminal();
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
    // Streamed records: the capture thread skips the data of decided flows (the dashboard
    // keeps every payload).
    let (decided_tx, bypass) = if json {
        let (tx, b) = bypass::pair(args.limits.idle_timeout);
        (Some(tx), Some(b))
    } else {
        (None, None)
    };
    let capture = thread::Builder::new()
        .name("capture".into())
        .spawn(move || capture_live(src, tx, capture_stop, bypass))
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
        let format = format.unwrap_or(OutputFormat::Jsonl);
        analyse(
            rx,
            flow_config(&args.limits, args.timeline),
            Sink::new(format_out(format, stdout)),
            &[],
            &mut |_| {},
            decided_tx,
        )
        .map(|_| ())
    } else {
        let r = dashboard(
            rx,
            flow_config(&args.limits, false),
            source,
            filter,
            Some(quit_rx),
        );
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
