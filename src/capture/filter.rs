//! `-f` for saved captures: the BPF expression is compiled by libpcap, once per link type met in
//! the input, and run with `pcap_offline_filter`, so it means exactly what it means to tcpdump.

use pcap::{BpfProgram, Capture, Linktype};
use thiserror::Error;

#[derive(Debug, Error)]
#[error("bad filter '{expr}': {reason}; use tcpdump filter syntax, e.g. 'tcp port 443'")]
pub struct FilterError {
    pub expr: String,
    pub reason: String,
}

/// A compiled filter, one program per link type. Programs are compiled lazily as link types
/// appear; a link type for which the expression does not compile drops its frames (counted).
pub struct BpfFilter {
    expr: String,
    programs: Vec<(u32, Option<BpfProgram>)>,
}

/// libpcap's `pcap_open_dead` takes a DLT_ value; file headers carry LINKTYPE_ values. They
/// are equal except for a few, of which raw IP is the one that matters here.
fn dlt_for(linktype: u32) -> i32 {
    match linktype {
        101 => 12, // LINKTYPE_RAW -> DLT_RAW
        other => other as i32,
    }
}

fn compile(expr: &str, linktype: u32) -> Result<BpfProgram, String> {
    let dead = Capture::dead(Linktype(dlt_for(linktype))).map_err(|e| e.to_string())?;
    dead.compile(expr, true).map_err(|e| e.to_string())
}

impl BpfFilter {
    /// Compiles `expr` for Ethernet to reject a bad expression before any work starts.
    pub fn new(expr: &str) -> Result<BpfFilter, FilterError> {
        let program = compile(expr, 1).map_err(|reason| FilterError {
            expr: expr.to_string(),
            reason: reason
                .trim_start_matches("libpcap error: ")
                .trim()
                .to_string(),
        })?;
        Ok(BpfFilter {
            expr: expr.to_string(),
            programs: vec![(1, Some(program))],
        })
    }

    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// `Some(pass)` for a frame of `linktype`, `None` when the expression cannot be compiled for
    /// that link type.
    pub fn matches(&mut self, linktype: u32, frame: &[u8]) -> Option<bool> {
        let idx = match self.programs.iter().position(|(lt, _)| *lt == linktype) {
            Some(i) => i,
            None => {
                self.programs
                    .push((linktype, compile(&self.expr, linktype).ok()));
                self.programs.len() - 1
            }
        };
        self.programs[idx].1.as_ref().map(|p| p.filter(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_expression_is_rejected_with_reason() {
        let e = BpfFilter::new("tcp prot 443").err().expect("must fail");
        assert!(e.to_string().starts_with("bad filter 'tcp prot 443'"));
    }

    #[test]
    fn filters_raw_ip_frames() {
        let mut f = BpfFilter::new("tcp port 443").unwrap();
        // IPv4 + TCP 1234 -> 443, raw IP link type.
        let mut pkt = vec![
            0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0x04, 0xd2, 0x01,
            0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(f.matches(101, &pkt), Some(true));
        pkt[23] = 0x50; // dst port 1104
        assert_eq!(f.matches(101, &pkt), Some(false));
    }
}
