//! The record formats other tools read — Suricata EVE (`eve`) and Zeek `ssl.log` (`zeek`,
//! `zeek-json`) — behind one writer, so the pipeline (`app::analyse`) treats them alike.

use std::io::{self, Write};

use crate::capture::CaptureStats;
use crate::stats::StatsRecord;

use super::eve::EveWriter;
use super::record::SessionRecord;
use super::zeek::ZeekWriter;

pub enum LogWriter<W: Write> {
    Eve(EveWriter<W>),
    Zeek(ZeekWriter<W>),
}

impl<W: Write> LogWriter<W> {
    pub fn eve(w: W) -> Self {
        LogWriter::Eve(EveWriter::new(w))
    }

    /// Zeek `ssl.log`: tab-separated with Zeek's header, or JSON objects (`json`).
    pub fn zeek(w: W, json: bool) -> Self {
        LogWriter::Zeek(ZeekWriter::new(w, json))
    }

    pub fn session(&mut self, r: &SessionRecord) -> io::Result<()> {
        match self {
            LogWriter::Eve(w) => w.write(r),
            LogWriter::Zeek(w) => w.write(r),
        }
    }

    /// A periodic or final stats record: an EVE `stats` event; nothing for Zeek (its
    /// `stats.log` has other counters).
    pub fn stats(&mut self, s: &StatsRecord) -> io::Result<()> {
        match self {
            LogWriter::Eve(w) => w.stats(s),
            LogWriter::Zeek(_) => Ok(()),
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            LogWriter::Eve(w) => w.flush(),
            LogWriter::Zeek(w) => w.flush(),
        }
    }

    /// End of input: the final stats (EVE) or `#close` (Zeek TSV), then flush.
    pub fn finish(&mut self, cap: &CaptureStats, s: &StatsRecord) -> io::Result<()> {
        match self {
            LogWriter::Eve(w) => {
                w.stats(s)?;
                w.flush()
            }
            LogWriter::Zeek(w) => w.finish(cap),
        }
    }
}
