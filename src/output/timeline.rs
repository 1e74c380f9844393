//! `tlscope read FILE --conn WHAT`: the chosen connections, each as a readable timeline.
//!
//! `WHAT` picks connections by an endpoint (`10.0.0.5`, `10.0.0.5:51234`, `[2001:db8::1]:443`)
//! on either side, or by SNI (`www.example.com`, or `*.example.com` for a domain and its
//! subdomains). Several `--conn` options add up.

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};

use crate::output::explain;
use crate::output::record::SessionRecord;
use crate::output::report::printable;

/// One `--conn` selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnFilter {
    Ip(IpAddr),
    Endpoint(SocketAddr),
    Sni(String),
    /// `*.example.com`: the domain itself and every name under it (stored as "example.com").
    SniDomain(String),
}

impl ConnFilter {
    /// Reads a selector; anything that is not an address is taken as a server name.
    pub fn parse(s: &str) -> Result<ConnFilter, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err(
                "--conn needs an address (10.0.0.5, 10.0.0.5:51234, [2001:db8::1]:443) or a \
                 server name (www.example.com, *.example.com)"
                    .into(),
            );
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(ConnFilter::Ip(ip));
        }
        if let Ok(ep) = s.parse::<SocketAddr>() {
            return Ok(ConnFilter::Endpoint(ep));
        }
        let name = s.trim_end_matches('.').to_ascii_lowercase();
        match name.strip_prefix("*.") {
            Some(domain) if !domain.is_empty() => Ok(ConnFilter::SniDomain(domain.to_string())),
            _ => Ok(ConnFilter::Sni(name)),
        }
    }

    pub fn matches(&self, r: &SessionRecord) -> bool {
        let endpoints = [r.client.as_str(), r.server.as_str()];
        match self {
            ConnFilter::Ip(ip) => endpoints
                .iter()
                .any(|e| e.parse::<SocketAddr>().is_ok_and(|a| a.ip() == *ip)),
            ConnFilter::Endpoint(ep) => endpoints
                .iter()
                .any(|e| e.parse::<SocketAddr>().is_ok_and(|a| a == *ep)),
            ConnFilter::Sni(name) => r
                .sni
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(name)),
            ConnFilter::SniDomain(domain) => r.sni.as_deref().is_some_and(|s| {
                let s = s.to_ascii_lowercase();
                s == *domain
                    || s.strip_suffix(domain.as_str())
                        .is_some_and(|head| head.ends_with('.'))
            }),
        }
    }
}

/// Whether any of `filters` selects the record.
pub fn selected(filters: &[ConnFilter], r: &SessionRecord) -> bool {
    filters.iter().any(|f| f.matches(r))
}

/// Writes one connection: who, the verdict with its evidence, then the packets.
pub fn render(r: &SessionRecord, out: &mut dyn Write) -> io::Result<()> {
    let sni = r.sni.as_deref().map(printable);
    writeln!(
        out,
        "{} {} → {}  sni {}  {}",
        r.transport.to_uppercase(),
        r.client,
        r.server,
        sni.as_deref().unwrap_or("(none)"),
        r.ts
    )?;
    writeln!(
        out,
        "  outcome  {} ({} confidence): {}",
        r.outcome,
        r.confidence,
        printable(&r.detail)
    )?;
    let hs = [
        ("version", r.version.as_deref()),
        ("cipher", r.cipher.as_deref()),
        ("group", r.group.as_deref()),
        ("alpn", r.alpn.as_deref()),
    ];
    let negotiated: Vec<String> = hs
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
        .collect();
    if !negotiated.is_empty() {
        writeln!(out, "  tls      {}", negotiated.join("  "))?;
    }
    let timing: Vec<String> = [
        ("tcp_rtt", r.tcp_rtt_ms),
        ("server_hello", r.server_hello_ms),
        ("server_think", r.server_think_ms),
        ("handshake", r.handshake_ms),
    ]
    .iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k} {v:.3} ms")))
    .collect();
    if !timing.is_empty() {
        writeln!(out, "  timing   {}", timing.join("  "))?;
    }
    for p in &r.problems {
        writeln!(out, "  problem  {p}: {}", explain::problem(p))?;
    }
    let Some(t) = &r.timeline else {
        writeln!(out, "  (no packet timeline for {} sessions)", r.transport)?;
        return writeln!(out);
    };
    // TCP flags fit in 5 columns; QUIC packet kinds ("Initial+Handshake") need more.
    let fw = t
        .events
        .iter()
        .map(|e| e.flags.len())
        .max()
        .unwrap_or(0)
        .max(5);
    let head = if r.transport == "quic" {
        "packets"
    } else {
        "flags"
    };
    writeln!(
        out,
        "  {:>10}  {:<16} {:<fw$} {:>6} {:>8} {:>8} {:>4}  tls",
        "ms", "direction", head, "bytes", "offset", "ack", "ttl"
    )?;
    for e in &t.events {
        let dir = if e.from == "client" {
            "client → server"
        } else {
            "client ← server"
        };
        let offset = e.offset.map(|o| o.to_string()).unwrap_or_default();
        let ack = e.ack.map(|o| o.to_string()).unwrap_or_default();
        let mut notes: Vec<String> = e.tls.iter().map(|l| printable(l).into_owned()).collect();
        if e.retransmission {
            notes.insert(0, "RETRANSMISSION".into());
        }
        let line = format!(
            "  {:>10.3}  {:<16} {:<fw$} {:>6} {:>8} {:>8} {:>4}  {}",
            e.t_ms,
            dir,
            e.flags,
            e.bytes,
            offset,
            ack,
            e.ttl,
            notes.join(", ")
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    if t.packets_not_shown > 0 {
        writeln!(
            out,
            "  … {} more packets (application data and ACKs after the handshake) not listed",
            t.packets_not_shown
        )?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::record::{TimelineEvent, TimelineRecord};
    use crate::stats::snapshot::test_record;
    use crate::time::Timestamp;

    fn rec(sni: &str) -> SessionRecord {
        test_record(
            Some(sni),
            "reset",
            Timestamp(1_700_000_000_000_000_000),
            None,
        )
    }

    #[test]
    fn selectors_parse_and_match() {
        let r = rec("www.Example.com");
        let yes = [
            "192.0.2.10",
            "192.0.2.10:50000",
            "198.51.100.7:443",
            "www.example.com",
            "WWW.EXAMPLE.COM.",
            "*.example.com",
        ];
        for s in yes {
            assert!(ConnFilter::parse(s).unwrap().matches(&r), "{s}");
        }
        let no = [
            "192.0.2.11",
            "192.0.2.10:50001",
            "example.com",
            "*.ample.com",
        ];
        for s in no {
            assert!(!ConnFilter::parse(s).unwrap().matches(&r), "{s}");
        }
        assert!(
            ConnFilter::parse("*.example.com")
                .unwrap()
                .matches(&rec("example.com"))
        );
        assert_eq!(
            ConnFilter::parse("[2001:db8::1]:443").unwrap(),
            ConnFilter::Endpoint("[2001:db8::1]:443".parse().unwrap())
        );
        assert!(ConnFilter::parse("  ").is_err());
    }

    #[test]
    fn a_timeline_renders_with_directions_and_marks() {
        let mut r = rec("evil<\u{1b}>.test");
        r.problems = vec!["rst_injected_suspected"];
        let ev = |t_ms: f64, from, flags: &str, bytes, tls: &[&str], retr| TimelineEvent {
            t_ms,
            from,
            flags: flags.into(),
            bytes,
            offset: (bytes > 0).then_some(0),
            ack: None,
            retransmission: retr,
            ttl: 64,
            tls: tls.iter().map(|s| s.to_string()).collect(),
        };
        r.timeline = Some(TimelineRecord {
            events: vec![
                ev(0.0, "client", "S", 0, &[], false),
                ev(0.25, "server", "S.", 0, &[], false),
                ev(0.5, "client", "P.", 517, &["client_hello"], false),
                ev(200.5, "client", "P.", 517, &[], true),
                ev(201.0, "server", "R", 0, &[], false),
            ],
            packets_not_shown: 3,
        });
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("sni evil<\\x1b>.test"), "{text}");
        assert!(text.contains("problem  rst_injected_suspected: "), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        let ch = lines.iter().find(|l| l.contains("client_hello")).unwrap();
        assert!(
            ch.contains("0.500  client → server  P.       517        0"),
            "{ch}"
        );
        assert!(text.contains("RETRANSMISSION"), "{text}");
        assert!(text.contains("client ← server  R "), "{text}");
        assert!(text.contains("3 more packets"), "{text}");
    }
}
