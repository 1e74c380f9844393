use super::*;
use crate::output::record::{AlertRecord, CertRecord, TimelineEvent, TimelineRecord};
use crate::stats::snapshot::test_record;
use crate::time::Timestamp;

use super::wellformed;

fn page(records: &[SessionRecord]) -> String {
    let mut rep = HtmlReport::new(&["capture.pcap".to_string()]);
    for r in records {
        rep.add(r);
    }
    let cap = CaptureStats {
        files: 1,
        packets: 42,
        bytes: 4200,
        first_ts: Some(Timestamp::from_secs_nanos(1_700_000_000, 0)),
        last_ts: Some(Timestamp::from_secs_nanos(1_700_000_003, 500_000_000)),
        linktypes: vec![(1, 42)],
        ..CaptureStats::default()
    };
    let mut out = Vec::new();
    rep.render(
        &mut out,
        &cap,
        &DecodeCounters::default(),
        &FlowCounters::default(),
    )
    .unwrap();
    let html = String::from_utf8(out).unwrap();
    if let Err(e) = wellformed::check(&html) {
        let at: usize = e
            .rsplit("byte ")
            .next()
            .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let context: String = html
            .chars()
            .skip(at.saturating_sub(300))
            .take(600)
            .collect();
        panic!("not well-formed: {e}\n…{context}…");
    }
    html
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs_nanos(1_700_000_000 + secs, 0)
}

fn event(t_ms: f64, from: &'static str, flags: &str, bytes: u32, tls: &[&str]) -> TimelineEvent {
    TimelineEvent {
        t_ms,
        from,
        flags: flags.into(),
        bytes,
        offset: (bytes > 0).then_some(1),
        ack: None,
        retransmission: false,
        ttl: if from == "client" { 64 } else { 57 },
        tls: tls.iter().map(|s| s.to_string()).collect(),
    }
}

const HOSTILE: &str = "<script>alert(1)</script>\"'&x";

fn hostile_record() -> SessionRecord {
    let mut r = test_record(Some(HOSTILE), "alert", at(1), Some(12.0));
    r.alpn_offered = vec![format!("h2{HOSTILE}")];
    r.alpn = Some(format!("<img src=x onerror=alert(2)>{HOSTILE}"));
    r.version = Some(format!("TLSv1.3{HOSTILE}"));
    r.cipher = Some(format!("c{HOSTILE}"));
    r.group = Some(format!("X25519MLKEM768{HOSTILE}"));
    r.ja4 = Some(format!("t13{HOSTILE}"));
    r.detail = format!("the server said {HOSTILE}\u{1b}[2J\u{202e}moc.evil");
    r.client = format!("[{HOSTILE}]:1");
    r.quic_version = Some(HOSTILE.into());
    let alert = AlertRecord {
        from: "server",
        level: "fatal",
        description: format!("unknown_ca{HOSTILE}"),
    };
    r.alert = Some(alert.clone());
    r.alerts = vec![alert];
    r.cert = Some(CertRecord {
        subject: format!("CN={HOSTILE}"),
        issuer: format!("CN=</td></tr></table>{HOSTILE}"),
        san: vec![HOSTILE.into()],
        not_before: HOSTILE.into(),
        not_after: HOSTILE.into(),
        chain_len: 1,
        self_signed: true,
        sni_match: Some(false),
        key_type: HOSTILE.into(),
        key_bits: None,
        sig_alg: HOSTILE.into(),
        serial: HOSTILE.into(),
        sha256: None,
        sha1: None,
        chain: Vec::new(),
    });
    r.problems = vec!["sni_cert_mismatch"];
    let mut e = event(0.5, "client", HOSTILE, 5, &[HOSTILE, "alert:<b>x</b>"]);
    e.retransmission = true;
    r.timeline = Some(TimelineRecord {
        events: vec![e],
        packets_not_shown: 0,
    });
    r
}

#[test]
fn attacker_strings_come_out_inert() {
    let html = page(&[hostile_record()]);
    // Our own sorting script is the only script element.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>x"));
    assert!(!html.contains("</td></tr></table><"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;x"));
    // Terminal escapes and bidirectional overrides are shown, not passed through.
    assert!(!html.contains('\u{1b}') && !html.contains('\u{202e}'));
    assert!(html.contains("\\x1b[2J") && html.contains("\\u{202e}moc.evil"));
}

#[test]
fn empty_input_is_a_valid_page() {
    let html = page(&[]);
    assert!(html.contains("No TCP connections"));
    assert!(!html.contains("id=\"connections\""));
}

#[test]
fn sections_counts_and_worst_first() {
    let mut records = Vec::new();
    for i in 0..9 {
        records.push(test_record(
            Some("good.example"),
            "established",
            at(i),
            Some(20.0 + i as f64),
        ));
    }
    records.push(test_record(
        Some("bad.example"),
        "no_server_hello",
        at(10),
        None,
    ));
    records.push(test_record(
        Some("bad.example"),
        "established",
        at(11),
        Some(900.0),
    ));
    records.push(test_record(None, "refused", at(12), None));
    let html = page(&records);
    // Connections without SNI sort first but are no name to chase.
    assert!(html.contains("Worst name: <b>bad.example</b>"));
    for id in [
        "summary",
        "outcomes",
        "snis",
        "latency",
        "protocols",
        "problems",
        "connections",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert!(html.contains("<b>10 of 12</b> connections established"));
    let bad = html.find("<td class=\"sni\">bad.example").unwrap();
    let good = html.find("<td class=\"sni\">good.example").unwrap();
    assert!(bad < good, "worst first");
    // The failed connection is listed, opened, without a timeline.
    assert!(html.contains("<details class=\"conn\" id=\"c1\" open=\"open\">"));
    assert!(html.contains("No packet timeline was recorded"));
    // Latency quantiles of the whole capture.
    assert!(html.contains("handshake_ms"));
    assert!(html.contains("p99 "));
}

#[test]
fn listed_connections_are_bounded_and_the_rest_counted() {
    let records: Vec<SessionRecord> = (0..MAX_HTML_CONNECTIONS as i64 + 7)
        .map(|i| test_record(Some("x.example"), "reset", at(i), None))
        .collect();
    let html = page(&records);
    assert_eq!(
        html.matches("<details class=\"conn\"").count(),
        MAX_HTML_CONNECTIONS
    );
    assert_eq!(html.matches(" open=\"open\"").count(), OPEN_CONNECTIONS);
    assert!(html.contains("… and 7 more"));
}

#[test]
fn timeline_ladder_from_a_hand_built_record() {
    let mut r = test_record(Some("slow.example"), "reset", at(1), None);
    r.timeline = Some(TimelineRecord {
        events: vec![
            event(0.0, "client", "S", 0, &[]),
            event(10.2, "server", "S.", 0, &[]),
            event(10.3, "client", ".", 0, &[]),
            event(10.5, "client", "P.", 517, &["client_hello"]),
            {
                let mut e = event(210.5, "client", "P.", 517, &["client_hello"]);
                e.retransmission = true;
                e
            },
            event(215.0, "server", "R.", 0, &[]),
            event(215.1, "server", "P.", 7, &["alert:handshake_failure"]),
        ],
        packets_not_shown: 3,
    });
    let html = page(&[r]);
    let svg_start = html.find("<svg class=\"ladder\"").expect("a ladder");
    let svg = &html[svg_start..svg_start + html[svg_start..].find("</svg>").unwrap()];
    assert_eq!(svg.matches("<polygon").count(), 7, "one arrow per event");
    for label in [
        ">SYN<",
        ">SYN/ACK<",
        ">ACK<",
        ">ClientHello<",
        ">RST<",
        ">Alert handshake_failure<",
        "retransmission",
        "198.51.100.7:443",
        "192.0.2.10:50000",
    ] {
        assert!(svg.contains(label), "{label} in {svg}");
    }
    // The 200 ms pause before the retransmission is marked; retransmissions are dashed.
    assert!(svg.contains("… 200.0 ms later …"), "{svg}");
    assert!(svg.contains("stroke=\"#e58e26\" stroke-width=\"2\" stroke-dasharray=\"6 4\""));
    // Times on the left, as recorded.
    assert!(svg.contains(">210.500<"));
    assert!(html.contains("3 packets not in the timeline"));
}

#[test]
fn long_timelines_are_cut() {
    let mut r = test_record(Some("busy.example"), "incomplete", at(1), None);
    r.timeline = Some(TimelineRecord {
        events: (0..ladder::MAX_LADDER_EVENTS + 5)
            .map(|i| event(i as f64, "client", ".", 0, &[]))
            .collect(),
        packets_not_shown: 0,
    });
    let html = page(&[r]);
    assert_eq!(html.matches("<polygon").count(), ladder::MAX_LADDER_EVENTS);
    assert!(html.contains("5 more events recorded, not drawn"));
}

#[test]
fn odd_numbers_do_not_break_the_page() {
    let mut r = test_record(Some("odd.example"), "reset", at(1), Some(f64::MAX));
    r.tcp_rtt_ms = Some(-5.0);
    r.server_hello_ms = Some(f64::NAN);
    r.timeline = Some(TimelineRecord {
        events: vec![
            event(f64::NAN, "client", "", 0, &[]),
            event(-3.0, "server", "", u32::MAX, &[]),
            event(f64::INFINITY, "nobody", "", 0, &[]),
        ],
        packets_not_shown: u64::MAX,
    });
    let html = page(&[r, test_record(None, "established", at(2), Some(0.0))]);
    assert!(html.contains("odd.example"));
}

#[test]
fn number_formats() {
    assert_eq!(count(0), "0");
    assert_eq!(count(999), "999");
    assert_eq!(count(1000), "1,000");
    assert_eq!(count(1234567), "1,234,567");
    assert_eq!(ms(0.0347), "0.035 ms");
    assert_eq!(ms(2.151), "2.15 ms");
    assert_eq!(ms(117.76), "117.8 ms");
    assert_eq!(ms(3200.0), "3.20 s");
    assert_eq!(ms(f64::NAN), "-");
    assert_eq!(span(3500.0), "3.50 s");
    assert_eq!(span(2_838_577.0), "47 min 19 s");
    assert_eq!(span(93_780_000.0), "26 h 3 min");
}
