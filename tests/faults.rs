//! Path faults, one real capture each: `tlscope read samples/fault-*.pcap --json` must name the
//! fault, and nothing else; healthy captures must name none.
//!
//! The captures were made by `scripts/make-samples` (iptables rules in the server or a router
//! namespace, misbehaving servers; see `samples/README.md`, "Path faults"). Every expected value
//! was read off the capture with tshark 4.0 (`scripts/samples/describe.py`, whose `path` column
//! shows SYNs, TTLs, resets, retransmissions and ACKs), and outcomes follow `SPEC.md`. A missed
//! fault and a fault reported where the wire shows none fail alike: each record's `problems` is
//! compared as a set.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(60);

/// Problems that name a fault of the path (or of the far end as seen over the path). A healthy
/// connection carries none of them.
const PATH_FAULTS: &[&str] = &[
    "rst_injected_suspected",
    "pmtu_blackhole_suspected",
    "syn_retransmitted",
    "client_hello_retransmitted",
    "zero_window",
    "server_silent_after_client_hello",
    "quic_blocked_fell_back_to_tcp",
    "interception_suspected",
];

/// Captures in which every connection is healthy: the handshake completed and application data
/// flowed, with no retransmission, reset before the handshake, or silence on the wire
/// (samples/README.md; certificate findings such as `untrusted_issuer` are not path faults).
const HEALTHY: &[&str] = &[
    "tls13-h2.pcap",
    "tls12-cert.pcap",
    "tls12-resumption.pcap",
    "tls12-ticket-resumption.pcap",
    "tls13-resumption.pcap",
    "tls13-hrr.pcap",
    "big-client-hello.pcap",
    "tls-port-8443.pcap",
    "tls13-ipv6.pcap",
    "tls12-chain.pcap",
    "tls12-chain-out-of-order.pcap",
    "tls12-wrong-sni.pcap",
    "tls12-weak-key.pcap",
    "tls12-mtls.pcap",
    "tls13-pq.pcap",
    "quic-h3.pcap",
    "quic-v2.pcap",
    "quic-retry.pcap",
];

/// Captures whose connections fail, but not because of the path: the far end refused or the
/// client gave up after a complete answer, and the wire shows no retransmission, no foreign
/// reset and no silence. They must not be blamed on the path either.
const FAILED_NOT_BY_THE_PATH: &[&str] = &[
    "alert.pcap",
    "alert-unrecognized-name.pcap",
    "alert-unknown-ca.pcap",
    "alert-cert-expired.pcap",
    "tls13-alert-unknown-ca.pcap",
    "tls13-client-aborted.pcap",
    "reset.pcap",
    "not-tls.pcap",
    "midstream.pcap",
    "incomplete.pcap",
    "quic-alert.pcap",
];

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// `tlscope read FILES... --json` with a time limit; the session records, in output order.
fn sessions_of(files: &[&str]) -> Vec<Value> {
    let paths: Vec<PathBuf> = files.iter().map(|f| sample(f)).collect();
    let mut args = vec!["read".as_ref(), "--json".as_ref()];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let out = common::run_tlscope(&args, TIMEOUT);
    let stderr = out.stderr_text();
    assert!(
        out.status.is_some_and(|s| s.success()),
        "tlscope read {files:?}: {}; stderr:\n{stderr}",
        out.describe_status()
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .filter(|v| v["type"] == "session")
        .collect()
}

/// The one session record of a capture.
fn only_session(file: &str) -> Value {
    let mut s = sessions_of(&[file]);
    assert_eq!(s.len(), 1, "{file}: expected one connection, got {s:?}");
    s.remove(0)
}

fn problems(v: &Value) -> Vec<String> {
    let mut p: Vec<String> = v["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems is not a list: {v}"))
        .iter()
        .map(|p| p.as_str().expect("problem names are strings").to_string())
        .collect();
    p.sort();
    p
}

/// Exactly these problems: every expected one present, nothing else.
fn assert_problems(v: &Value, want: &[&str], what: &str) {
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    let got = problems(v);
    let missing: Vec<&String> = want.iter().filter(|p| !got.contains(p)).collect();
    let unexpected: Vec<&String> = got.iter().filter(|p| !want.contains(p)).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "{what}: missing {missing:?}, unexpected {unexpected:?}\nrecord: {v}"
    );
}

fn detail(v: &Value) -> &str {
    v["detail"].as_str().unwrap_or("")
}

/// Common fields of a TCP fault record: endpoints, outcome, SNI, byte counts.
fn assert_tcp(v: &Value, client: &str, server: &str, outcome: &str, sni: Option<&str>) {
    assert_eq!(v["transport"], "tcp", "{v}");
    assert_eq!(v["client"], client, "{v}");
    assert_eq!(v["server"], server, "{v}");
    assert_eq!(v["outcome"], outcome, "outcome: {v}");
    assert_eq!(v["sni"].as_str(), sni, "sni: {v}");
}

/// curl 7.88.1's default ClientHello (508-byte body, 512 with the handshake header).
fn assert_curl_hello(v: &Value) {
    let n = v["client_hello_bytes"].as_u64();
    assert!(
        matches!(n, Some(508) | Some(512)),
        "client_hello_bytes: {v}"
    );
    assert_eq!(v["client_hello_segments"], 1, "{v}");
}

// ---------------------------------------------------------------------------------------------

/// iptables drops SYNs to 198.18.0.2:443 in the server namespace. tshark: 5 SYNs from
/// 198.18.0.1:44101 (0, 1.02, 2.04, 3.06, 4.09 s; 4 flagged tcp.analysis.retransmission), nothing
/// back, then curl's 5 s connect timeout.
#[test]
fn syn_dropped() {
    let v = only_session("fault-syn-dropped.pcap");
    assert_tcp(&v, "198.18.0.1:44101", "198.18.0.2:443", "no_syn_ack", None);
    assert_problems(&v, &["syn_retransmitted"], "fault-syn-dropped");
    assert_eq!(v["bytes_client"], 0);
    assert_eq!(v["bytes_server"], 0);
    assert!(v["tcp_rtt_ms"].is_null(), "{v}");
    assert!(v["client_hello_bytes"].is_null(), "{v}");
    assert!(detail(&v).starts_with("5 SYN(s)"), "detail: {}", detail(&v));
}

/// The server host's own firewall answers the ClientHello (SNI blocked.example.test) with a
/// reset. tshark: SYN/ACK TTL 64, RST TTL 64 (IP ID 0), 0.06 ms after the ClientHello, which the
/// server never acknowledged. The reset is the server's packet: no injection to suspect.
#[test]
fn rst_from_the_server_host() {
    let v = only_session("fault-rst-server.pcap");
    assert_tcp(
        &v,
        "198.18.0.1:44201",
        "198.18.0.2:443",
        "reset",
        Some("blocked.example.test"),
    );
    assert_problems(&v, &["reset_by_server"], "fault-rst-server");
    assert_curl_hello(&v);
    assert_eq!(v["bytes_client"], 517);
    assert_eq!(v["bytes_server"], 0);
    assert!(v["tcp_rtt_ms"].is_number(), "{v}");
    assert!(v["alert"].is_null(), "{v}");
}

/// A router between client and server resets the connection in the server's name (REJECT in
/// FORWARD). Captured on the client's link: tshark shows the server's SYN/ACK with TTL 63 (one
/// hop) and the RST, "from" 198.18.2.2:443, with TTL 64 (the router's own).
#[test]
fn rst_injected_by_a_router() {
    let v = only_session("fault-rst-router.pcap");
    assert_tcp(
        &v,
        "198.18.1.1:44301",
        "198.18.2.2:443",
        "reset",
        Some("blocked.example.test"),
    );
    assert_problems(
        &v,
        &["reset_by_server", "rst_injected_suspected"],
        "fault-rst-router",
    );
    assert_curl_hello(&v);
    assert_eq!(v["bytes_client"], 517);
    assert_eq!(v["bytes_server"], 0);
    assert!(
        detail(&v).contains("RST TTL 64 vs 63"),
        "detail names the TTLs: {}",
        detail(&v)
    );
}

/// The server acknowledges the ClientHello and never answers; curl gives up after 4 s (FIN at
/// 4.001 s, tshark), then the server closes.
#[test]
fn silent_server() {
    let v = only_session("fault-silent-server.pcap");
    assert_tcp(
        &v,
        "198.18.0.1:44401",
        "198.18.0.4:443",
        "no_server_hello",
        Some("www.example.test"),
    );
    assert_problems(
        &v,
        &["server_silent_after_client_hello"],
        "fault-silent-server",
    );
    assert_curl_hello(&v);
    assert_eq!(v["bytes_client"], 517);
    assert_eq!(v["bytes_server"], 0);
    assert!(v["server_hello_ms"].is_null(), "{v}");
    assert!(
        detail(&v).contains("(4.0 s after the ClientHello)"),
        "detail gives the wait: {}",
        detail(&v)
    );
}

/// The router drops packets over 1400 bytes towards the server, without ICMP. The post-quantum
/// ClientHello (tlslite-ng, X25519MLKEM768 key share; 1,609-byte body) needs two segments:
/// 1,448 + 170 bytes. tshark on the client's link: the server SACKs the small one (ACK 1,
/// SLE 1449 SRE 1619) and never acknowledges a byte; the 1,448-byte segment goes out 7 times
/// over 6.65 s; no answer, no close. The server never had the hello, so it said nothing after
/// it (`server_silent_after_client_hello` holds on the wire), and `pmtu_blackhole_suspected`
/// says why. Then the control: curl's 517-byte hello over the same path completes.
#[test]
fn pmtu_black_hole() {
    let s = sessions_of(&["fault-pmtu-blackhole.pcap"]);
    assert_eq!(s.len(), 2, "{s:?}");
    let v = &s[0];
    assert_tcp(
        v,
        "198.18.1.1:44501",
        "198.18.2.2:443",
        "no_server_hello",
        Some("pq.example.test"),
    );
    assert_problems(
        v,
        &[
            "client_hello_retransmitted",
            "pmtu_blackhole_suspected",
            "server_silent_after_client_hello",
        ],
        "fault-pmtu-blackhole #1",
    );
    let n = v["client_hello_bytes"].as_u64();
    assert!(matches!(n, Some(1609) | Some(1613)), "{v}");
    assert_eq!(v["client_hello_segments"], 2, "{v}");
    assert_eq!(v["pq_offered"], true, "{v}");
    // unique payload (sequence space), not the 1,448 × 7 + 170 bytes put on the wire
    assert_eq!(v["bytes_client"], 1618);
    assert_eq!(v["bytes_server"], 0);
    assert!(
        detail(v).contains("largest 1448 bytes"),
        "detail names the segment size: {}",
        detail(v)
    );
    control(&s[1], "fault-pmtu-blackhole #2");
}

/// The small-hello control of the PMTU capture: curl → openssl s_server 198.18.2.3 through the
/// same router, TLS 1.3, established, nothing to report.
fn control(v: &Value, what: &str) {
    assert_tcp(
        v,
        "198.18.1.1:44502",
        "198.18.2.3:443",
        "established",
        Some("www.example.test"),
    );
    assert_problems(v, &[], what);
    assert_curl_hello(v);
}

/// The same connection captured behind the black hole, on the server's link. tshark: SYN,
/// SYN/ACK, ACK, then only the 170-byte segment at relative seq 1449 ("previous segment not
/// captured"), the server's ACK 1 with SACK 1449-1619, and nothing more from that connection
/// for the 6.2 s until the control connection. No ClientHello can be read: not `not_tls` (the
/// bytes start inside a record), not `capture_gap` (the server never acknowledged the missing
/// bytes: they never arrived), but the black hole, seen from its far side.
#[test]
fn pmtu_black_hole_seen_from_the_server() {
    let s = sessions_of(&["fault-pmtu-blackhole-server.pcap"]);
    assert_eq!(s.len(), 2, "{s:?}");
    let v = &s[0];
    assert_tcp(v, "198.18.1.1:44501", "198.18.2.2:443", "incomplete", None);
    assert_problems(
        v,
        &["pmtu_blackhole_suspected"],
        "fault-pmtu-blackhole-server #1",
    );
    assert!(v["client_hello_bytes"].is_null(), "{v}");
    assert_eq!(v["bytes_server"], 0);
    assert!(
        detail(v).contains("first 1448 bytes never reached 198.18.2.2:443"),
        "detail: {}",
        detail(v)
    );
    control(&s[1], "fault-pmtu-blackhole-server #2");
}

/// TLS 1.2-only server, TLS 1.3-only client: the server's plaintext fatal alert 70.
#[test]
fn version_mismatch() {
    let v = only_session("fault-version-mismatch.pcap");
    assert_tcp(
        &v,
        "198.18.0.1:44601",
        "198.18.0.4:443",
        "alert",
        Some("www.example.test"),
    );
    assert_problems(&v, &[], "fault-version-mismatch");
    assert_eq!(
        v["alert"],
        serde_json::json!({"from": "server", "level": "fatal", "description": "protocol_version"})
    );
    assert_eq!(v["versions_offered"], serde_json::json!(["TLSv1.3"]));
    assert!(v["version"].is_null(), "{v}");
    assert_curl_hello(&v);
    assert_eq!(v["bytes_client"], 517);
    assert_eq!(v["bytes_server"], 7);
    assert!(
        detail(&v).contains("client offered TLSv1.3"),
        "detail: {}",
        detail(&v)
    );
}

/// UDP 443 dropped, then the same client and name over TCP (the existing quic-blocked sample):
/// the unanswered QUIC attempt and the TCP connection that follows it.
#[test]
fn quic_blocked_then_tcp_fallback() {
    let s = sessions_of(&["quic-blocked.pcap"]);
    assert_eq!(s.len(), 2, "{s:?}");
    let quic = s.iter().find(|v| v["transport"] == "quic").expect("QUIC");
    let tcp = s.iter().find(|v| v["transport"] == "tcp").expect("TCP");
    assert_eq!(quic["client"], "198.18.0.1:43501");
    assert_eq!(quic["outcome"], "no_server_hello");
    assert_problems(quic, &["quic_unanswered"], "quic-blocked #1");
    // tshark: 6 Initials, the last one the client's CONNECTION_CLOSE at 4.99 s: it waited 5 s
    // (the TCP connection 0.7 s later is not part of that wait).
    assert!(
        detail(quic).starts_with("6 client Initial(s) to 198.18.0.2:443 got no answer (5.0 s)"),
        "detail: {}",
        detail(quic)
    );
    assert_eq!(tcp["client"], "198.18.0.1:43502");
    assert_eq!(tcp["outcome"], "established");
    assert_problems(tcp, &["quic_blocked_fell_back_to_tcp"], "quic-blocked #2");
}

// ---------------------------------------------------------------------------------------------

fn assert_no_path_fault(file: &str, v: &Value, allowed: &[&str]) {
    let got = problems(v);
    let wrong: Vec<&String> = got
        .iter()
        .filter(|p| PATH_FAULTS.contains(&p.as_str()) && !allowed.contains(&p.as_str()))
        .collect();
    assert!(
        wrong.is_empty(),
        "{file} {}: path-fault problems {wrong:?} on a connection whose wire shows none\n{v}",
        v["client"]
    );
}

#[test]
fn healthy_samples_carry_no_path_fault() {
    for file in HEALTHY {
        let s = sessions_of(&[file]);
        assert!(!s.is_empty(), "{file}: no session");
        for v in &s {
            assert_eq!(v["outcome"], "established", "{file}: {v}");
            assert_no_path_fault(file, v, &[]);
        }
    }
}

#[test]
fn failures_of_the_far_end_are_not_blamed_on_the_path() {
    for file in FAILED_NOT_BY_THE_PATH {
        for v in &sessions_of(&[file]) {
            assert_no_path_fault(file, v, &[]);
        }
    }
    // The server acknowledged the ClientHello and stayed silent 3 s before its FIN: silence,
    // and nothing else.
    let v = only_session("no-server-hello.pcap");
    assert_no_path_fault(
        "no-server-hello.pcap",
        &v,
        &["server_silent_after_client_hello"],
    );
    assert_problems(&v, &["server_silent_after_client_hello"], "no-server-hello");
}

/// Everything in one run, in capture order: what one connection shows must not leak into
/// another's findings (the cross-connection correlations included).
#[test]
fn all_captures_in_one_run_keep_their_findings() {
    let faults: &[(&str, &str, &[&str])] = &[
        (
            "fault-syn-dropped.pcap",
            "198.18.0.1:44101",
            &["syn_retransmitted"],
        ),
        (
            "fault-rst-server.pcap",
            "198.18.0.1:44201",
            &["reset_by_server"],
        ),
        (
            "fault-rst-router.pcap",
            "198.18.1.1:44301",
            &["reset_by_server", "rst_injected_suspected"],
        ),
        (
            "fault-silent-server.pcap",
            "198.18.0.1:44401",
            &["server_silent_after_client_hello"],
        ),
        ("fault-pmtu-blackhole.pcap", "198.18.1.1:44502", &[]),
        (
            "fault-pmtu-blackhole.pcap",
            "198.18.1.1:44501",
            &[
                "client_hello_retransmitted",
                "pmtu_blackhole_suspected",
                "server_silent_after_client_hello",
            ],
        ),
        ("fault-version-mismatch.pcap", "198.18.0.1:44601", &[]),
    ];
    let mut files: Vec<&str> = HEALTHY.to_vec();
    files.extend(faults.iter().map(|(f, _, _)| *f));
    files.dedup();
    let all = sessions_of(&files);
    let fault_clients: Vec<&str> = faults.iter().map(|(_, c, _)| *c).collect();
    for v in &all {
        let client = v["client"].as_str().unwrap_or("?");
        match faults.iter().find(|(_, c, _)| *c == client) {
            Some((file, _, want)) => assert_problems(v, want, file),
            None => assert_no_path_fault("(healthy, combined run)", v, &[]),
        }
    }
    for c in fault_clients {
        assert!(
            all.iter().any(|v| v["client"] == c),
            "no record for {c} in the combined run"
        );
    }
}
