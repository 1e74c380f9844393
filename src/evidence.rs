//! `tlscope read FILE... --write-problems OUT`: the packets of every connection with a problem,
//! copied into a new capture to attach to a ticket.
//!
//! Two passes over the input: the analysis names the connections (5-tuple and first/last packet
//! time), then the files are read again and every frame of those connections is written out
//! unchanged, link layer and tunnels included. Memory is one small entry per problem
//! connection, never packets; stdin cannot be read twice and is refused.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter};
use std::net::SocketAddr;

use crate::capture::file::read_file;
use crate::capture::write::PacketWriter;
use crate::capture::{CaptureStats, RawPacket};
use crate::decode;
use crate::flow::{Endpoint, FlowKey, PROTO_TCP, PROTO_UDP, flow_key};
use crate::output::record::SessionRecord;

/// Problem connections remembered (entries of a few dozen bytes); beyond this they are
/// counted in `not_kept` and their packets are not written.
pub const MAX_PROBLEM_CONNECTIONS: u64 = 2_000_000;

/// A connection "has a problem" when it did not end `established`, or carries a named problem.
pub fn has_problem(r: &SessionRecord) -> bool {
    r.outcome != "established" || !r.problems.is_empty()
}

/// The connections whose packets are to be written: flow key → time spans (ns).
#[derive(Debug, Default)]
pub struct ProblemFlows {
    spans: HashMap<FlowKey, Vec<(i64, i64)>>,
    pub connections: u64,
    pub not_kept: u64,
}

fn endpoint(s: &str) -> Option<Endpoint> {
    let a: SocketAddr = s.parse().ok()?;
    Some(Endpoint {
        ip: a.ip(),
        port: a.port(),
    })
}

impl ProblemFlows {
    /// Remembers the record's connection if it has a problem.
    pub fn add(&mut self, r: &SessionRecord) {
        if !has_problem(r) {
            return;
        }
        if self.connections >= MAX_PROBLEM_CONNECTIONS {
            self.not_kept += 1;
            return;
        }
        let proto = if r.transport == "quic" {
            PROTO_UDP
        } else {
            PROTO_TCP
        };
        let (Some(c), Some(s)) = (endpoint(&r.client), endpoint(&r.server)) else {
            return;
        };
        let (key, _) = FlowKey::new(c, s, proto);
        self.spans.entry(key).or_default().push(r.span_ns);
        self.connections += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.connections == 0
    }

    /// Whether a frame of `key` at `ts_ns` belongs to a remembered connection.
    fn contains(&self, key: &FlowKey, ts_ns: i64) -> bool {
        self.spans
            .get(key)
            .is_some_and(|v| v.iter().any(|(a, b)| (*a..=*b).contains(&ts_ns)))
    }
}

/// Reads `files` again and writes the frames of `flows` to `out`: classic pcap when the input
/// had one link type (`linktypes` from the first pass), pcapng otherwise. Returns the number of
/// frames written, or what went wrong in one line.
pub fn write(
    files: &[String],
    flows: &ProblemFlows,
    out: File,
    linktypes: &[(u32, u64)],
) -> Result<u64, String> {
    let out = BufWriter::with_capacity(1 << 16, out);
    let written = |e: io::Error| format!("writing the problem capture: {e}");
    let mut w = match linktypes {
        [(lt, _)] => PacketWriter::pcap(out, *lt),
        _ => PacketWriter::pcapng(out),
    }
    .map_err(written)?;
    let mut failure: Option<io::Error> = None;
    let mut stats = CaptureStats::default();
    for path in files {
        read_file(path, &mut stats, |p: &RawPacket<'_>| {
            if flows.is_empty() {
                return false;
            }
            let Ok(d) = decode::decode(p.linktype, p.data) else {
                return true;
            };
            let key = flow_key(&d);
            if flows.contains(&key, p.ts.nanos())
                && let Err(e) = w.write(p)
            {
                failure = Some(e);
                return false;
            }
            true
        })
        .map_err(|e| e.to_string())?;
        if let Some(e) = failure.take() {
            return Err(written(e));
        }
    }
    let n = w.packets;
    w.finish().map_err(written)?;
    Ok(n)
}
