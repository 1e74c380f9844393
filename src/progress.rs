//! The progress bar of `read` on a long capture: bytes read of the total size, packets, rate,
//! sessions so far and an ETA, on stderr, at most ten times a second.
//!
//! Shown only when stderr is a terminal (the caller decides: not with `--tui`, `--no-progress`,
//! or JSON streaming to the same terminal); otherwise nothing is created and stderr stays silent.
//! The capture thread and the flow thread only store into shared atomics ([`Counters`]): the
//! byte count once per read call of the file (64 KiB or more), packets every
//! [`PACKETS_PER_UPDATE`] packets, sessions once per batch. No lock, no syscall per packet. A
//! small `progress` thread reads them and drives the bar (indicatif). Stdin has no total
//! size: a spinner with the rate instead.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::output::summary::thousands;

/// How often the bar is redrawn (the terminal sees at most this many updates per second).
const REDRAWS_PER_SEC: u8 = 10;
/// The capture thread publishes its packet count every this many packets.
pub const PACKETS_PER_UPDATE: u64 = 1024;

/// Counters shared between the pipeline threads and the progress thread.
#[derive(Default)]
pub struct Counters {
    /// Bytes read from the capture files (compressed bytes for .gz), shared with the reader.
    pub bytes: Arc<AtomicU64>,
    pub packets: AtomicU64,
    pub sessions: AtomicU64,
    pub established: AtomicU64,
}

impl Counters {
    /// Sessions written so far (from the flow thread, once per batch of records).
    pub fn set_sessions(&self, sessions: u64, established: u64) {
        self.sessions.store(sessions, Ordering::Relaxed);
        self.established.store(established, Ordering::Relaxed);
    }
}

/// A running progress bar; dropping it stops the thread and clears the bar.
pub struct Progress {
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts the bar. `total`: the input size in bytes, `None` for stdin (a spinner).
    pub fn start(total: Option<u64>) -> std::io::Result<Progress> {
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let bar = new_bar(total);
        // Draw once now, so even a short run shows where it stands.
        update(&bar, &counters);
        let (c, s) = (counters.clone(), stop.clone());
        let thread = thread::Builder::new()
            .name("progress".into())
            .spawn(move || run(bar, c, s))?;
        Ok(Progress {
            counters,
            stop,
            thread: Some(thread),
        })
    }

    pub fn counters(&self) -> Arc<Counters> {
        self.counters.clone()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

fn new_bar(total: Option<u64>) -> ProgressBar {
    let target = ProgressDrawTarget::stderr_with_hz(REDRAWS_PER_SEC);
    let (bar, template) = match total {
        Some(n) => (
            ProgressBar::with_draw_target(Some(n), target),
            "{spinner:.cyan} reading [{wide_bar:.cyan/blue}] {percent:>3}%  ETA {eta}\n  \
             {decimal_bytes}/{decimal_total_bytes} · {decimal_bytes_per_sec} · {msg}",
        ),
        None => (
            ProgressBar::with_draw_target(None, target),
            "{spinner:.cyan} reading stdin: {decimal_bytes} · {decimal_bytes_per_sec} · {msg}",
        ),
    };
    // The templates are constants: a bad one is a bug caught by the tests, never a panic here.
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn update(bar: &ProgressBar, c: &Counters) {
    bar.set_position(c.bytes.load(Ordering::Relaxed));
    bar.set_message(format!(
        "{} packets · {} sessions ({} established)",
        thousands(c.packets.load(Ordering::Relaxed)),
        thousands(c.sessions.load(Ordering::Relaxed)),
        thousands(c.established.load(Ordering::Relaxed)),
    ));
    bar.tick();
}

fn run(bar: ProgressBar, c: Arc<Counters>, stop: Arc<AtomicBool>) {
    let period = Duration::from_millis(1000 / REDRAWS_PER_SEC as u64);
    while !stop.load(Ordering::Relaxed) {
        thread::park_timeout(period);
        update(&bar, &c);
    }
    bar.finish_and_clear();
}
