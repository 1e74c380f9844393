//! `tlscope read samples/<file> --json` against the values documented in `samples/README.md`.
//!
//! The captures were made by `scripts/make-samples` (real nginx / openssl / curl / GnuTLS /
//! python traffic between two network namespaces). Every expected value below was read off
//! the capture with tshark 4.0 (`scripts/samples/describe.py samples/*.pcap`), not from
//! tlscope's output; outcomes follow the outcome table of `SPEC.md`.
//!
//! If the captures are regenerated, client ports, certificate dates and ClientHello sizes stay
//! the same, but timestamps and byte counts change: re-run `describe.py` and update the
//! `ts` / `bytes_*` values here and in `samples/README.md`.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(60);

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs tlscope with a time limit (a hang fails the test instead of blocking it forever).
fn run(args: &[&str]) -> Run {
    let out = common::run_tlscope(args, TIMEOUT);
    assert!(
        out.spawn_error.is_none() && !out.timed_out,
        "tlscope {args:?}: {}",
        out.describe_status()
    );
    Run {
        code: out.status.and_then(|s| s.code()),
        stdout: String::from_utf8(out.stdout).expect("stdout is not UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The parsed JSON Lines of one `read --json` run.
struct JsonRun {
    /// `"type":"session"` records, sorted by `ts`.
    sessions: Vec<Value>,
    stats: Value,
}

fn read_json(args: &[&str]) -> JsonRun {
    let r = run(args);
    assert_eq!(
        r.code,
        Some(0),
        "tlscope {args:?} exited with {:?}; stderr:\n{}",
        r.code,
        r.stderr
    );
    let mut lines = Vec::new();
    for (i, line) in r.stdout.lines().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| {
            panic!(
                "stdout line {} of {args:?} is not JSON ({e}): {line:?}",
                i + 1
            )
        });
        assert!(v.is_object(), "line {} is not a JSON object: {line}", i + 1);
        assert!(
            v["type"].is_string(),
            "line {} has no \"type\": {line}",
            i + 1
        );
        lines.push(v);
    }
    let last = lines
        .last()
        .unwrap_or_else(|| panic!("tlscope {args:?} printed nothing; stderr:\n{}", r.stderr));
    assert_eq!(
        last["type"], "stats",
        "the last line must be the stats record, got: {last}"
    );
    assert_eq!(
        lines.iter().filter(|v| v["type"] == "stats").count(),
        1,
        "read --json prints exactly one stats record"
    );
    let stats = last.clone();
    let mut sessions: Vec<Value> = lines
        .into_iter()
        .filter(|v| v["type"] == "session")
        .collect();
    sessions.sort_by(|a, b| {
        a["ts"]
            .as_str()
            .unwrap_or("")
            .cmp(b["ts"].as_str().unwrap_or(""))
    });
    JsonRun { sessions, stats }
}

fn read_sample(name: &str) -> JsonRun {
    let path = sample(name);
    assert!(
        path.is_file(),
        "missing sample {} (run scripts/make-samples)",
        path.display()
    );
    read_json(&["read", path.to_str().unwrap(), "--json"])
}

/// Sessions of one sample; asserts how many there are.
fn sessions(name: &str, n: usize) -> Vec<Value> {
    let r = read_sample(name);
    assert_eq!(
        r.sessions.len(),
        n,
        "{name}: expected {n} session record(s), got {}:\n{}",
        r.sessions.len(),
        r.sessions
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    r.sessions
}

// ---------------------------------------------------------------------------------------------
// What tshark says about each connection
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Exp {
    ts: &'static str,
    client: &'static str,
    server: &'static str,
    outcome: &'static str,
    sni: Option<&'static str>,
    /// `None`: checked separately by the test.
    alpn_offered: Option<&'static [&'static str]>,
    alpn: Option<&'static str>,
    versions_offered: &'static [&'static str],
    version: Option<&'static str>,
    cipher: Option<&'static str>,
    group: Option<&'static str>,
    resumed: bool,
    hrr: bool,
    /// (from, level, description)
    alert: Option<(&'static str, &'static str, &'static str)>,
    client_hello_bytes: Option<u64>,
    client_hello_segments: Option<u64>,
    bytes_client: u64,
    bytes_server: u64,
    ja3: Option<&'static str>,
    ja3s: Option<&'static str>,
    ja4: Option<&'static str>,
    /// SYN, SYN/ACK and ACK are all in the capture (tcp_rtt_ms is a number)
    three_way: bool,
}

const NONE: Exp = Exp {
    ts: "",
    client: "",
    server: "",
    outcome: "",
    sni: None,
    alpn_offered: Some(&[]),
    alpn: None,
    versions_offered: &[],
    version: None,
    cipher: None,
    group: None,
    resumed: false,
    hrr: false,
    alert: None,
    client_hello_bytes: None,
    client_hello_segments: None,
    bytes_client: 0,
    bytes_server: 0,
    ja3: None,
    ja3s: None,
    ja4: None,
    three_way: true,
};

const CURL_VERSIONS: &[&str] = &["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1.0"];
const H2_H1: &[&str] = &["h2", "http/1.1"];
const H1: &[&str] = &["http/1.1"];
// curl 7.88.1 / OpenSSL 3.0.19, default settings
const CURL_JA3: &str = "0149f47eabf9a20d0893e2a44e5a6323";
const CURL_JA4: &str = "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6";
// nginx 1.22.1 / OpenSSL 3.0.19, TLS 1.3 ServerHello (full handshake)
const NGINX13_JA3S: &str = "15af977ce25de452b96affa2addb1036";

/// The established TLS 1.3 curl -> nginx connection, as in tls13-h2.pcap.
const CURL13: Exp = Exp {
    outcome: "established",
    sni: Some("www.example.test"),
    alpn_offered: Some(H2_H1),
    versions_offered: CURL_VERSIONS,
    version: Some("TLSv1.3"),
    cipher: Some("TLS_AES_256_GCM_SHA384"),
    group: Some("x25519"),
    client_hello_bytes: Some(508),
    client_hello_segments: Some(1),
    ja3: Some(CURL_JA3),
    ja3s: Some(NGINX13_JA3S),
    ja4: Some(CURL_JA4),
    ..NONE
};

/// A ClientHello from curl that got no ServerHello.
const CURL_HELLO_ONLY: Exp = Exp {
    sni: Some("www.example.test"),
    alpn_offered: Some(H2_H1),
    versions_offered: CURL_VERSIONS,
    client_hello_bytes: Some(508),
    client_hello_segments: Some(1),
    bytes_client: 517,
    ja3: Some(CURL_JA3),
    ja4: Some(CURL_JA4),
    ..NONE
};

/// openssl s_client -tls1_2 -alpn http/1.1 (resumption samples, first connection)
const S_CLIENT12: Exp = Exp {
    outcome: "established",
    sni: Some("www.example.test"),
    alpn_offered: Some(H1),
    alpn: Some("http/1.1"),
    versions_offered: &["TLSv1.2"],
    version: Some("TLSv1.2"),
    cipher: Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    group: Some("x25519"),
    client_hello_segments: Some(1),
    ..NONE
};

fn s<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key)
        .unwrap_or_else(|| panic!("session record has no \"{key}\": {v}"))
}

fn opt(o: Option<&str>) -> Value {
    o.map_or(Value::Null, |s| json!(s))
}

/// RFC 3339 UTC: accept "Z" or "+00:00".
fn norm_ts(v: &Value) -> String {
    let t = v
        .as_str()
        .unwrap_or_else(|| panic!("ts is not a string: {v}"));
    t.strip_suffix("+00:00")
        .map_or_else(|| t.to_string(), |p| format!("{p}Z"))
}

fn ms(v: &Value, key: &str) -> Option<f64> {
    let x = s(v, key);
    if x.is_null() {
        return None;
    }
    let f = x
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is neither null nor a number: {x}"));
    assert!(
        (0.0..10_000.0).contains(&f),
        "{key} = {f} ms is not plausible"
    );
    Some(f)
}

fn check(v: &Value, e: &Exp) {
    let who = format!("{} (ts {})", e.client, e.ts);
    let eq = |key: &str, want: Value| {
        assert_eq!(s(v, key), &want, "{who}: field \"{key}\"\nrecord: {v}");
    };
    eq("type", json!("session"));
    eq("transport", json!("tcp"));
    eq("client", json!(e.client));
    eq("server", json!(e.server));
    eq("outcome", json!(e.outcome));
    assert_eq!(
        norm_ts(s(v, "ts")),
        e.ts,
        "{who}: ts must be the capture time of the first packet\nrecord: {v}"
    );
    let ts_end = norm_ts(s(v, "ts_end"));
    assert!(
        ts_end.len() == e.ts.len() && ts_end.as_str() >= e.ts,
        "{who}: ts_end {ts_end} before ts {}",
        e.ts
    );
    eq("sni", opt(e.sni));
    if let Some(list) = e.alpn_offered {
        eq("alpn_offered", json!(list));
    }
    eq("alpn", opt(e.alpn));
    eq("versions_offered", json!(e.versions_offered));
    eq("version", opt(e.version));
    eq("cipher", opt(e.cipher));
    eq("group", opt(e.group));
    eq("resumed", json!(e.resumed));
    eq("hrr", json!(e.hrr));
    eq("ech", json!(false));
    match e.alert {
        None => eq("alert", Value::Null),
        Some((from, level, desc)) => {
            let a = s(v, "alert");
            assert_eq!(a["from"], json!(from), "{who}: alert.from\nrecord: {v}");
            assert_eq!(a["level"], json!(level), "{who}: alert.level\nrecord: {v}");
            assert_eq!(
                a["description"],
                json!(desc),
                "{who}: alert.description\nrecord: {v}"
            );
        }
    }
    // tshark's "Length" (the handshake body, tls.handshake.length) is written down; SPEC says
    // "length of the ClientHello handshake message", which may include its 4-byte header.
    match e.client_hello_bytes {
        None => eq("client_hello_bytes", Value::Null),
        Some(n) => {
            let got = s(v, "client_hello_bytes").as_u64();
            assert!(
                got == Some(n) || got == Some(n + 4),
                "{who}: client_hello_bytes = {got:?}, want {n} (body) or {} (with the handshake header)\nrecord: {v}",
                n + 4
            );
        }
    }
    eq(
        "client_hello_segments",
        e.client_hello_segments.map_or(Value::Null, |n| json!(n)),
    );
    eq("bytes_client", json!(e.bytes_client));
    eq("bytes_server", json!(e.bytes_server));
    eq("ja3", opt(e.ja3));
    eq("ja3s", opt(e.ja3s));
    eq("ja4", opt(e.ja4));
    if let Some(ja3) = s(v, "ja3").as_str() {
        assert!(
            ja3.len() == 32
                && ja3
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }
    let problems = s(v, "problems")
        .as_array()
        .unwrap_or_else(|| panic!("{who}: problems is not an array: {v}"));
    assert!(
        problems.iter().all(Value::is_string),
        "{who}: problems must be strings: {v}"
    );
    // timings: present exactly when the events they measure are in the capture
    let rtt = ms(v, "tcp_rtt_ms");
    assert_eq!(rtt.is_some(), e.three_way, "{who}: tcp_rtt_ms\nrecord: {v}");
    let sh = ms(v, "server_hello_ms");
    assert_eq!(
        sh.is_some(),
        e.version.is_some(),
        "{who}: server_hello_ms (ServerHello seen?)\nrecord: {v}"
    );
    let hs = ms(v, "handshake_ms");
    assert_eq!(
        hs.is_some(),
        e.outcome == "established",
        "{who}: handshake_ms (client application data seen?)\nrecord: {v}"
    );
    if let (Some(sh), Some(hs)) = (sh, hs) {
        assert!(hs >= sh, "{who}: handshake_ms {hs} < server_hello_ms {sh}");
    }
}

fn problems(v: &Value) -> Vec<String> {
    v["problems"].as_array().map_or_else(Vec::new, |a| {
        a.iter()
            .filter_map(|p| p.as_str().map(String::from))
            .collect()
    })
}

// ---------------------------------------------------------------------------------------------
// One test per sample
// ---------------------------------------------------------------------------------------------

#[test]
fn tls13_h2() {
    let ss = sessions("tls13-h2.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:03:59.106317Z",
            client: "198.18.0.1:40101",
            server: "198.18.0.2:443",
            bytes_client: 780,
            bytes_server: 3149,
            ..CURL13
        },
    );
    assert!(
        problems(&ss[0]).is_empty(),
        "a clean connection has no problems: {}",
        ss[0]
    );
    assert!(
        ss[0]["cert"].is_null(),
        "TLS 1.3 certificates are encrypted: {}",
        ss[0]
    );
}

#[test]
fn tls12_cert() {
    let ss = sessions("tls12-cert.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:03:59.848167Z",
            client: "198.18.0.1:40201",
            server: "198.18.0.2:443",
            outcome: "established",
            sni: Some("www.example.test"),
            alpn_offered: Some(H1),
            alpn: Some("http/1.1"),
            versions_offered: &["TLSv1.2"],
            version: Some("TLSv1.2"),
            cipher: Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            group: Some("x25519"),
            client_hello_bytes: Some(163),
            client_hello_segments: Some(1),
            bytes_client: 409,
            bytes_server: 2511,
            ja3: Some("f1631d7b5c74e0eccf70af0a6086e84b"),
            ja3s: Some("5d79edf64e03689ff559a54e9d9487bc"),
            ja4: Some("t12d0207h1_b06afd972a5c_a44c6288192a"),
            ..NONE
        },
    );
    // the sample CA is private: the only finding on an otherwise clean connection
    assert_eq!(
        problem_set(v),
        set(&["untrusted_issuer"]),
        "the certificate comes from the private sample CA: {v}"
    );
    let c = &v["cert"];
    assert!(c.is_object(), "TLS 1.2 leaf certificate expected: {v}");
    assert!(
        c["subject"]
            .as_str()
            .unwrap_or("")
            .contains("www.example.test"),
        "cert.subject: {c}"
    );
    assert!(
        c["issuer"]
            .as_str()
            .unwrap_or("")
            .contains("tlscope sample CA"),
        "cert.issuer: {c}"
    );
    assert_eq!(c["san"], json!(["www.example.test"]), "cert.san: {c}");
    assert!(
        c["not_before"].to_string().contains("2025"),
        "cert.not_before (2025-01-01T00:00:00Z): {c}"
    );
    assert!(
        c["not_after"].to_string().contains("2035"),
        "cert.not_after (2035-01-01T00:00:00Z): {c}"
    );
    assert_eq!(c["chain_len"], json!(2), "nginx sends leaf + CA: {c}");
    assert_eq!(c["self_signed"], json!(false), "{c}");
    assert_eq!(c["sni_match"], json!(true), "{c}");
}

#[test]
fn tls12_resumption_session_id() {
    let ss = sessions("tls12-resumption.pcap", 2);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:00.586908Z",
            client: "198.18.0.1:40301",
            server: "198.18.0.2:443",
            client_hello_bytes: Some(215),
            bytes_client: 467,
            bytes_server: 2537,
            ja3: Some("87b9bfc7da97115ed2276737b09f8d74"),
            ja3s: Some("263c859c5391203d774bc0599793d915"),
            ja4: Some("t12d2807h1_d943125447b4_a44c6288192a"),
            ..S_CLIENT12
        },
    );
    // abbreviated handshake: session ID echoed, no Certificate, no ServerKeyExchange
    check(
        &ss[1],
        &Exp {
            ts: "2026-11-26T21:04:00.604757Z",
            client: "198.18.0.1:40302",
            server: "198.18.0.2:443",
            resumed: true,
            group: None,
            client_hello_bytes: Some(247),
            bytes_client: 457,
            bytes_server: 484,
            ja3: Some("87b9bfc7da97115ed2276737b09f8d74"),
            ja3s: Some("d7e12962b60127bdbe4f65f39221f9e8"),
            ja4: Some("t12d2807h1_d943125447b4_a44c6288192a"),
            ..S_CLIENT12
        },
    );
    assert!(
        ss[0]["cert"].is_object(),
        "full handshake carries the certificate: {}",
        ss[0]
    );
    assert!(
        ss[1]["cert"].is_null(),
        "resumed handshake carries no certificate: {}",
        ss[1]
    );
}

#[test]
fn tls12_resumption_ticket() {
    let ss = sessions("tls12-ticket-resumption.pcap", 2);
    let ja3 = Some("22558766122974704364c9c75c5cce0a");
    let ja4 = Some("t12d2808h1_d943125447b4_e7e480e5a997");
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:01.349422Z",
            client: "198.18.0.1:40401",
            server: "198.18.0.2:443",
            client_hello_bytes: Some(219),
            bytes_client: 471,
            bytes_server: 2748,
            ja3,
            ja3s: Some("d154fcfa5bb4f0748e1dd1992c681104"),
            ja4,
            ..S_CLIENT12
        },
    );
    check(
        &ss[1],
        &Exp {
            ts: "2026-11-26T21:04:01.366954Z",
            client: "198.18.0.1:40402",
            server: "198.18.0.2:443",
            resumed: true,
            group: None,
            client_hello_bytes: Some(475),
            bytes_client: 685,
            bytes_server: 484,
            ja3,
            ja3s: Some("d7e12962b60127bdbe4f65f39221f9e8"),
            ja4,
            ..S_CLIENT12
        },
    );
}

#[test]
fn tls13_resumption_psk() {
    let ss = sessions("tls13-resumption.pcap", 2);
    let base = Exp {
        server: "198.18.0.2:443",
        outcome: "established",
        sni: Some("www.example.test"),
        alpn_offered: Some(H1),
        versions_offered: &["TLSv1.3"],
        version: Some("TLSv1.3"),
        cipher: Some("TLS_AES_256_GCM_SHA384"),
        group: Some("x25519"),
        client_hello_segments: Some(1),
        ..NONE
    };
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:02.103279Z",
            client: "198.18.0.1:40501",
            client_hello_bytes: Some(256),
            bytes_client: 481,
            bytes_server: 3209,
            ja3: Some("9dffdb8b608a430b774a2ff7d36c1a0c"),
            ja3s: Some(NGINX13_JA3S),
            ja4: Some("t13d0411h1_16476d049b0b_78f1d400d464"),
            ..base
        },
    );
    // pre_shared_key in the ServerHello (selected identity 0), psk_dhe_ke: still an x25519 share
    check(
        &ss[1],
        &Exp {
            ts: "2026-11-26T21:04:02.117358Z",
            client: "198.18.0.1:40502",
            resumed: true,
            client_hello_bytes: Some(575),
            bytes_client: 800,
            bytes_server: 877,
            ja3: Some("4b9b935a03e383133ee8e868cd8757d9"),
            ja3s: Some("2253c82f03b621c5144709b393fde2c9"),
            ja4: Some("t13d0412h1_16476d049b0b_6775ac8fe30b"),
            ..base
        },
    );
}

#[test]
fn tls13_hello_retry_request() {
    let ss = sessions("tls13-hrr.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:02.980026Z",
            client: "198.18.0.1:40601",
            server: "198.18.0.4:443",
            hrr: true,
            group: Some("secp256r1"),
            bytes_client: 1244,
            bytes_server: 8183,
            ..CURL13
        },
    );
}

#[test]
fn alert_handshake_failure() {
    let ss = sessions("alert.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:03.754110Z",
            client: "198.18.0.1:40701",
            server: "198.18.0.2:443",
            outcome: "alert",
            sni: Some("www.example.test"),
            alpn_offered: Some(&[]),
            versions_offered: &["TLSv1.2"],
            alert: Some(("server", "fatal", "handshake_failure")),
            client_hello_bytes: Some(128),
            client_hello_segments: Some(1),
            bytes_client: 137,
            bytes_server: 7,
            ja3: Some("d7e4c0ee634b60e7277d7d12bcb5106d"),
            ja4: Some("t12d020500_f2d8273d9564_847bbcdea70d"),
            ..NONE
        },
    );
}

#[test]
fn alert_unrecognized_name() {
    let ss = sessions("alert-unrecognized-name.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:04.495580Z",
            client: "198.18.0.1:40801",
            server: "198.18.0.2:443",
            outcome: "alert",
            sni: Some("unknown.example.test"),
            alert: Some(("server", "fatal", "unrecognized_name")),
            bytes_server: 7,
            ..CURL_HELLO_ONLY
        },
    );
}

#[test]
fn alert_unknown_ca_tls12() {
    let ss = sessions("alert-unknown-ca.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:04:05.236424Z",
            client: "198.18.0.1:40901",
            server: "198.18.0.2:443",
            outcome: "alert",
            sni: Some("selfsigned.example.test"),
            alpn_offered: Some(H1),
            alpn: Some("http/1.1"),
            versions_offered: &["TLSv1.2"],
            version: Some("TLSv1.2"),
            cipher: Some("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
            group: Some("x25519"),
            alert: Some(("client", "fatal", "unknown_ca")),
            client_hello_bytes: Some(222),
            client_hello_segments: Some(1),
            bytes_client: 238,
            bytes_server: 744,
            ja3: Some("87b9bfc7da97115ed2276737b09f8d74"),
            ja3s: Some("fe0146829eef1917ba6c2dd4f5c08905"),
            ja4: Some("t12d2807h1_d943125447b4_a44c6288192a"),
            ..NONE
        },
    );
    let c = &v["cert"];
    assert!(
        c["subject"]
            .as_str()
            .unwrap_or("")
            .contains("selfsigned.example.test"),
        "cert.subject: {c}"
    );
    assert!(
        c["issuer"]
            .as_str()
            .unwrap_or("")
            .contains("selfsigned.example.test"),
        "cert.issuer: {c}"
    );
    assert_eq!(c["san"], json!(["selfsigned.example.test"]), "{c}");
    assert_eq!(c["chain_len"], json!(1), "{c}");
    assert_eq!(c["self_signed"], json!(true), "{c}");
    assert_eq!(c["sni_match"], json!(true), "{c}");
}

#[test]
fn alert_certificate_expired() {
    let ss = sessions("alert-cert-expired.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:04:05.990643Z",
            client: "198.18.0.1:41001",
            server: "198.18.0.2:443",
            outcome: "alert",
            sni: Some("expired.example.test"),
            alpn_offered: Some(H1),
            alpn: Some("http/1.1"),
            versions_offered: &["TLSv1.2"],
            version: Some("TLSv1.2"),
            cipher: Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            group: Some("x25519"),
            alert: Some(("client", "fatal", "certificate_expired")),
            client_hello_bytes: Some(219),
            client_hello_segments: Some(1),
            bytes_client: 235,
            bytes_server: 2166,
            ja3: Some("87b9bfc7da97115ed2276737b09f8d74"),
            ja3s: Some("263c859c5391203d774bc0599793d915"),
            ja4: Some("t12d2807h1_d943125447b4_a44c6288192a"),
            ..NONE
        },
    );
    let c = &v["cert"];
    assert!(
        c["subject"]
            .as_str()
            .unwrap_or("")
            .contains("expired.example.test"),
        "cert.subject: {c}"
    );
    assert!(
        c["not_before"].to_string().contains("2020"),
        "cert.not_before (2020-01-01T00:00:00Z): {c}"
    );
    assert!(
        c["not_after"].to_string().contains("2021"),
        "cert.not_after (2021-01-01T00:00:00Z): {c}"
    );
    assert_eq!(c["chain_len"], json!(2), "{c}");
    assert_eq!(c["self_signed"], json!(false), "{c}");
    assert_eq!(c["sni_match"], json!(true), "{c}");
    assert!(
        problems(v).iter().any(|p| p == "cert_expired"),
        "problems must name cert_expired: {v}"
    );
}

#[test]
fn tls13_plaintext_client_alert() {
    // OpenSSL rejects the certificate before switching its write side to the handshake keys:
    // the unknown_ca alert is readable although the handshake is TLS 1.3.
    let ss = sessions("tls13-alert-unknown-ca.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:06.738162Z",
            client: "198.18.0.1:41101",
            server: "198.18.0.2:443",
            outcome: "alert",
            sni: Some("selfsigned.example.test"),
            alert: Some(("client", "fatal", "unknown_ca")),
            bytes_client: 524,
            bytes_server: 867,
            ..CURL13
        },
    );
}

#[test]
fn tls13_client_aborted() {
    let ss = sessions("tls13-client-aborted.pcap", 2);
    // GnuTLS: CCS + encrypted alert + FIN, then RST
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:07.475914Z",
            client: "198.18.0.1:41801",
            server: "198.18.0.2:443",
            outcome: "client_aborted",
            sni: Some("selfsigned.example.test"),
            group: Some("secp256r1"),
            client_hello_bytes: Some(414),
            bytes_client: 453,
            bytes_server: 926,
            ja3: Some("6af33c9e05452609f615c60bfdef7ce7"),
            ja4: Some("t13d2914h2_723694b0fccc_2cc26d266019"),
            ..CURL13
        },
    );
    // python/OpenSSL: Finished, then FIN without any request
    check(
        &ss[1],
        &Exp {
            ts: "2026-11-26T21:04:07.634627Z",
            client: "198.18.0.1:41802",
            server: "198.18.0.2:443",
            outcome: "client_aborted",
            sni: Some("selfsigned.example.test"),
            versions_offered: &["TLSv1.3"],
            bytes_client: 597,
            bytes_server: 1536,
            ja3: Some("a4e852ed87d60903caddb37da85ae9a9"),
            ja4: Some("t13d0412h2_16476d049b0b_7f28efdaea70"),
            ..CURL13
        },
    );
}

#[test]
fn reset_and_refused() {
    let ss = sessions("reset.pcap", 2);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:08.784992Z",
            client: "198.18.0.1:41201",
            server: "198.18.0.4:443",
            outcome: "reset",
            ..CURL_HELLO_ONLY
        },
    );
    assert!(
        !problems(&ss[0]).is_empty(),
        "reset: problems should say who sent the RST: {}",
        ss[0]
    );
    check(
        &ss[1],
        &Exp {
            ts: "2026-11-26T21:04:08.912320Z",
            client: "198.18.0.1:41202",
            server: "198.18.0.4:443",
            outcome: "refused",
            three_way: false,
            ..NONE
        },
    );
}

#[test]
fn big_client_hello_two_segments() {
    let ss = sessions("big-client-hello.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:04:09.751125Z",
            client: "198.18.0.1:41301",
            server: "198.18.0.2:443",
            alpn_offered: None,
            versions_offered: &["TLSv1.3"],
            client_hello_bytes: Some(1766),
            client_hello_segments: Some(2),
            bytes_client: 1967,
            bytes_server: 3209,
            ja3: Some("9dffdb8b608a430b774a2ff7d36c1a0c"),
            ja4: Some("t13d0411h1_16476d049b0b_78f1d400d464"),
            ..CURL13
        },
    );
    // scripts/samples/big-hello-client.py: "http/1.1", then ten 150-byte names
    let mut want = vec!["http/1.1".to_string()];
    for i in 0..10 {
        let mut name = format!("x-tlscope-padding-{i:02}-");
        while name.len() < 150 {
            name.push('p');
        }
        want.push(name);
    }
    assert_eq!(
        v["alpn_offered"],
        json!(want),
        "alpn_offered, in order: {v}"
    );
    assert!(v["client_hello_segments"].as_u64().unwrap_or(0) >= 2);
}

#[test]
fn not_tls_on_443() {
    let ss = sessions("not-tls.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:10.491028Z",
            client: "198.18.0.1:41401",
            server: "198.18.0.3:443",
            outcome: "not_tls",
            bytes_client: 82,
            bytes_server: 273,
            ..NONE
        },
    );
}

#[test]
fn no_server_hello() {
    let ss = sessions("no-server-hello.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:11.479193Z",
            client: "198.18.0.1:41501",
            server: "198.18.0.4:443",
            outcome: "no_server_hello",
            ..CURL_HELLO_ONLY
        },
    );
    let end = norm_ts(&ss[0]["ts_end"]);
    assert!(
        end.starts_with("2026-11-26T21:04:14."),
        "ts_end is the server's FIN ~3.2 s later: {end}"
    );
}

#[test]
fn midstream() {
    let ss = sessions("midstream.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:04:17.654382Z",
            client: "198.18.0.1:41901",
            server: "198.18.0.2:443",
            outcome: "midstream",
            bytes_client: 112,
            bytes_server: 314,
            three_way: false,
            ..NONE
        },
    );
    assert!(
        problems(v).iter().any(|p| p == "midstream"),
        "problems must name midstream: {v}"
    );
}

#[test]
fn incomplete_handshake() {
    let ss = sessions("incomplete.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:18.578188Z",
            client: "198.18.0.1:42001",
            server: "198.18.0.2:443",
            outcome: "incomplete",
            versions_offered: &["TLSv1.3"],
            bytes_client: 517,
            bytes_server: 2283,
            ja3: Some("a4e852ed87d60903caddb37da85ae9a9"),
            ja4: Some("t13d0412h2_16476d049b0b_7f28efdaea70"),
            ..CURL13
        },
    );
}

#[test]
fn tls_on_port_8443() {
    let ss = sessions("tls-port-8443.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:22.066690Z",
            client: "198.18.0.1:41601",
            server: "198.18.0.2:8443",
            bytes_client: 784,
            bytes_server: 3149,
            ..CURL13
        },
    );
    // -f applies to read as well
    let path = sample("tls-port-8443.pcap");
    let p = path.to_str().unwrap();
    assert_eq!(
        read_json(&["read", p, "--json", "-f", "tcp port 8443"])
            .sessions
            .len(),
        1
    );
    assert_eq!(
        read_json(&["read", p, "--json", "-f", "tcp port 443"])
            .sessions
            .len(),
        0
    );
}

#[test]
fn tls13_ipv6() {
    let ss = sessions("tls13-ipv6.pcap", 1);
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:04:22.931432Z",
            client: "[fd00:198:18::1]:41701",
            server: "[fd00:198:18::2]:443",
            bytes_client: 780,
            bytes_server: 3165,
            ..CURL13
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Certificate details, offered parameters, alert lists (the certificate / parameters work)
// ---------------------------------------------------------------------------------------------
//
// Values from `describe.py` (tshark's DER bytes through `openssl x509`; SHA-256 over the DER,
// equal to `openssl x509 -fingerprint -sha256` without colons, lowercased; serial as
// `openssl x509 -serial` prints it, lowercased). The certificate samples (tls12-chain ...
// tls13-pq) use scripts/samples/chain-pki.sh: fixed keys, dates and serials, so these
// fingerprints survive a regeneration of the captures.

/// Findings as a sorted set (the order of `problems` is not part of the contract).
fn problem_set(v: &Value) -> Vec<String> {
    let mut p = problems(v);
    p.sort();
    p.dedup();
    p
}

fn set(names: &[&str]) -> Vec<String> {
    let mut p: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    p.sort();
    p
}

/// A distinguished name as a sorted list of `attr=value` parts, whatever the rendering:
/// RFC 4514 (`CN=x,O=y`), OpenSSL's one-line form (`O = y, CN = x`) or `/O=y/CN=x`.
fn dn_parts(dn: &str) -> Vec<String> {
    let mut parts: Vec<String> = dn
        .split([',', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => format!("{}={}", k.trim().to_ascii_uppercase(), v.trim()),
            None => p.to_string(),
        })
        .collect();
    parts.sort();
    parts
}

fn assert_dn(got: &Value, want: &str, what: &str) {
    let g = got
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {got}"));
    assert_eq!(
        dn_parts(g),
        dn_parts(want),
        "{what}: got {g:?}, want {want:?}"
    );
}

/// One certificate as sent (an element of `chain`; the leaf fields of `cert` / `client_cert`).
#[derive(Clone, Copy)]
struct CertExp {
    subject: &'static str,
    issuer: &'static str,
    not_before: &'static str,
    not_after: &'static str,
    key_type: &'static str,
    key_bits: u64,
    sig_alg: &'static str,
    serial: &'static str,
    sha256: &'static str,
}

// scripts/make-samples, throwaway CA (tls12-cert, tls12-resumption, alert-cert-expired, ...):
// these change when the whole sample set is regenerated.
const SAMPLE_CA: CertExp = CertExp {
    subject: "CN=tlscope sample CA,O=tlscope samples",
    issuer: "CN=tlscope sample CA,O=tlscope samples",
    not_before: "2025-01-01T00:00:00Z",
    not_after: "2045-01-01T00:00:00Z",
    key_type: "RSA",
    key_bits: 2048,
    sig_alg: "sha256WithRSAEncryption",
    serial: "1000",
    sha256: "3f6d5ecd95626fab2ef6f1cf3d4567aab82eca33d6354a93d4310fabd61204d3",
};
const WWW: CertExp = CertExp {
    subject: "CN=www.example.test,O=tlscope samples",
    issuer: "CN=tlscope sample CA,O=tlscope samples",
    not_before: "2025-01-01T00:00:00Z",
    not_after: "2035-01-01T00:00:00Z",
    key_type: "RSA",
    key_bits: 2048,
    sig_alg: "sha256WithRSAEncryption",
    serial: "1001",
    sha256: "6b0999637b4a47a300a3aefa9c7bb416b5fbcefee37d7de1d479d8d714a7b94f",
};
const EXPIRED: CertExp = CertExp {
    subject: "CN=expired.example.test,O=tlscope samples",
    not_before: "2020-01-01T00:00:00Z",
    not_after: "2021-01-01T00:00:00Z",
    serial: "1002",
    sha256: "8854c37abdc5545e5af5c02592c67a052d31b02fe61c759eaee4d3021097eb95",
    ..WWW
};
const SELFSIGNED: CertExp = CertExp {
    subject: "CN=selfsigned.example.test,O=tlscope samples",
    issuer: "CN=selfsigned.example.test,O=tlscope samples",
    not_before: "2025-01-01T00:00:00Z",
    not_after: "2035-01-01T00:00:00Z",
    key_type: "EC",
    key_bits: 256,
    sig_alg: "ecdsa-with-SHA256",
    serial: "1003",
    sha256: "46b84358a2580d1f4c540a6d3bcd78fc3e3b6292e8e3a7e65fd9515b76b15eb7",
};

// scripts/samples/chain-pki.sh (fixed keys in scripts/samples/pki/): root -> intermediate -> leaves
const ROOT: CertExp = CertExp {
    subject: "CN=tlscope sample root CA,O=tlscope samples",
    issuer: "CN=tlscope sample root CA,O=tlscope samples",
    not_before: "2025-01-01T00:00:00Z",
    not_after: "2045-01-01T00:00:00Z",
    key_type: "RSA",
    key_bits: 4096,
    sig_alg: "sha256WithRSAEncryption",
    serial: "2000",
    sha256: "3febc87e417438a523cc968a373ac7d843cef1c4c4f3f3aadd7e5ca0c59fb046",
};
const INTER: CertExp = CertExp {
    subject: "CN=tlscope sample intermediate CA,O=tlscope samples",
    issuer: "CN=tlscope sample root CA,O=tlscope samples",
    not_before: "2025-01-01T00:00:00Z",
    not_after: "2040-01-01T00:00:00Z",
    key_type: "RSA",
    key_bits: 2048,
    sig_alg: "sha256WithRSAEncryption",
    serial: "2001",
    sha256: "437a9f3731e2edcd758c0a54ebc423fcf1dd47d348e27647e90c023fa52ec52e",
};
const CHAIN_LEAF: CertExp = CertExp {
    subject: "CN=chain.example.test,O=tlscope samples",
    issuer: "CN=tlscope sample intermediate CA,O=tlscope samples",
    not_before: "2025-01-01T00:00:00Z",
    not_after: "2035-01-01T00:00:00Z",
    key_type: "EC",
    key_bits: 256,
    sig_alg: "sha384WithRSAEncryption",
    serial: "2002",
    sha256: "c6444e34649f619886996d0f6bdb0f2933bd0ae8b864cd16d9f3ab4f257fd9f0",
};
const OTHER_LEAF: CertExp = CertExp {
    subject: "CN=other.example.test,O=tlscope samples",
    key_type: "RSA",
    key_bits: 2048,
    sig_alg: "sha256WithRSAEncryption",
    serial: "2003",
    sha256: "92d3826d812c5470a179b18b929bf61d53e7f37b23694c4cff9d360dbb35da9e",
    ..CHAIN_LEAF
};
const WEAK_LEAF: CertExp = CertExp {
    subject: "CN=weak.example.test,O=tlscope samples",
    key_type: "RSA",
    key_bits: 1024,
    sig_alg: "sha256WithRSAEncryption",
    serial: "2004",
    sha256: "29df71707eac9a749c3294e3c24972e3873e131bf17398184e1ff5a7eee548fd",
    ..CHAIN_LEAF
};
const CLIENT_LEAF: CertExp = CertExp {
    subject: "CN=client.example.test,O=tlscope samples",
    key_type: "EC",
    key_bits: 384,
    sig_alg: "sha256WithRSAEncryption",
    serial: "2005",
    sha256: "2cf06f6103b1ad238c1f49c4211f70e003d3e7bb0c743b53e17743434527732f",
    ..CHAIN_LEAF
};

/// The per-certificate fields of one object (a `chain` element, or the leaf part of `cert`).
fn check_cert_fields(c: &Value, e: &CertExp, what: &str) {
    assert!(
        c.is_object(),
        "{what}: expected a certificate object, got {c}"
    );
    assert_dn(&c["subject"], e.subject, &format!("{what}.subject"));
    assert_dn(&c["issuer"], e.issuer, &format!("{what}.issuer"));
    let eq = |key: &str, want: Value| {
        assert_eq!(c[key], want, "{what}.{key}\nobject: {c}");
    };
    eq("not_before", json!(e.not_before));
    eq("not_after", json!(e.not_after));
    eq("key_type", json!(e.key_type));
    eq("key_bits", json!(e.key_bits));
    eq("sig_alg", json!(e.sig_alg));
    eq("serial", json!(e.serial));
    eq("sha256", json!(e.sha256));
}

/// `cert` / `client_cert`: the leaf's fields, `san`, `chain_len`, `self_signed`, and `chain`
/// element by element in the order sent. `sni_match` is checked when given.
fn check_cert(
    v: &Value,
    key: &str,
    chain: &[CertExp],
    san: &[&str],
    self_signed: bool,
    sni_match: Option<bool>,
) {
    let c = s(v, key);
    let what = format!("{} {key}", v["client"]);
    check_cert_fields(c, &chain[0], &what);
    assert_eq!(c["san"], json!(san), "{what}.san\n{c}");
    assert_eq!(c["chain_len"], json!(chain.len()), "{what}.chain_len\n{c}");
    assert_eq!(
        c["self_signed"],
        json!(self_signed),
        "{what}.self_signed\n{c}"
    );
    if let Some(m) = sni_match {
        assert_eq!(c["sni_match"], json!(m), "{what}.sni_match\n{c}");
    }
    let got = c["chain"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}.chain is not an array: {c}"));
    assert_eq!(
        got.len(),
        chain.len(),
        "{what}.chain: one element per certificate sent\n{c}"
    );
    for (i, (g, e)) in got.iter().zip(chain).enumerate() {
        check_cert_fields(g, e, &format!("{what}.chain[{i}]"));
    }
}

/// `alerts`: every plaintext alert, in order; the first one is also `alert`.
fn check_alerts(v: &Value, want: &[(&str, &str, &str)]) {
    let want: Vec<Value> = want
        .iter()
        .map(|(f, l, d)| json!({"from": f, "level": l, "description": d}))
        .collect();
    let got = s(v, "alerts")
        .as_array()
        .unwrap_or_else(|| panic!("alerts is not an array: {v}"));
    let trimmed: Vec<Value> = got
        .iter()
        .map(|a| json!({"from": a["from"], "level": a["level"], "description": a["description"]}))
        .collect();
    assert_eq!(trimmed, want, "alerts\nrecord: {v}");
    if let Some(first) = want.first() {
        assert_eq!(
            json!({"from": v["alert"]["from"], "level": v["alert"]["level"], "description": v["alert"]["description"]}),
            *first,
            "alert is the first of alerts\nrecord: {v}"
        );
    } else {
        assert!(v["alert"].is_null(), "no plaintext alert: {v}");
    }
}

fn assert_list(v: &Value, key: &str, want: &[&str]) {
    assert_eq!(s(v, key), &json!(want), "{key} (wire order)\nrecord: {v}");
}

// curl 7.88.1 / OpenSSL 3.0.19 (also s_client): signature_algorithms. The legacy SHA-224 and DSA
// code points (0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602) have no IANA SignatureScheme name.
const OPENSSL_SIG_ALGS: &[&str] = &[
    "ecdsa_secp256r1_sha256",
    "ecdsa_secp384r1_sha384",
    "ecdsa_secp521r1_sha512",
    "ed25519",
    "ed448",
    "rsa_pss_pss_sha256",
    "rsa_pss_pss_sha384",
    "rsa_pss_pss_sha512",
    "rsa_pss_rsae_sha256",
    "rsa_pss_rsae_sha384",
    "rsa_pss_rsae_sha512",
    "rsa_pkcs1_sha256",
    "rsa_pkcs1_sha384",
    "rsa_pkcs1_sha512",
    "0x0303",
    "0x0301",
    "0x0302",
    "0x0402",
    "0x0502",
    "0x0602",
];

#[test]
fn tls13_h2_offered_parameters() {
    let ss = sessions("tls13-h2.pcap", 1);
    let v = &ss[0];
    assert_list(
        v,
        "ciphers_offered",
        &[
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_CBC_SHA256",
            "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        ],
    );
    assert_list(
        v,
        "extensions_offered",
        &[
            "server_name",
            "ec_point_formats",
            "supported_groups",
            "application_layer_protocol_negotiation",
            "encrypt_then_mac",
            "extended_master_secret",
            "post_handshake_auth",
            "signature_algorithms",
            "supported_versions",
            "psk_key_exchange_modes",
            "key_share",
            "padding",
        ],
    );
    assert_list(
        v,
        "groups_offered",
        &[
            "x25519",
            "secp256r1",
            "x448",
            "secp521r1",
            "secp384r1",
            "ffdhe2048",
            "ffdhe3072",
            "ffdhe4096",
            "ffdhe6144",
            "ffdhe8192",
        ],
    );
    assert_list(v, "key_shares_offered", &["x25519"]);
    assert_list(v, "sig_algs_offered", OPENSSL_SIG_ALGS);
    assert_list(v, "psk_modes", &["psk_dhe_ke"]);
    assert_list(v, "compression_offered", &["null"]);
    assert_list(v, "extensions_server", &["supported_versions", "key_share"]);
    assert_eq!(v["pq_offered"], json!(false), "{v}");
    assert_eq!(v["pq_negotiated"], json!(false), "{v}");
    check_alerts(v, &[]);
    assert!(v["client_cert"].is_null(), "{v}");
}

#[test]
fn tls12_cert_offered_parameters_and_certificate() {
    let ss = sessions("tls12-cert.pcap", 1);
    let v = &ss[0];
    assert_list(
        v,
        "ciphers_offered",
        &[
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        ],
    );
    assert_list(
        v,
        "extensions_offered",
        &[
            "server_name",
            "ec_point_formats",
            "supported_groups",
            "application_layer_protocol_negotiation",
            "encrypt_then_mac",
            "extended_master_secret",
            "signature_algorithms",
        ],
    );
    assert_list(
        v,
        "groups_offered",
        &["x25519", "secp256r1", "x448", "secp521r1", "secp384r1"],
    );
    assert_list(v, "key_shares_offered", &[]);
    assert_list(v, "sig_algs_offered", OPENSSL_SIG_ALGS);
    assert_list(v, "psk_modes", &[]);
    assert_list(v, "compression_offered", &["null"]);
    assert_list(
        v,
        "extensions_server",
        &[
            "renegotiation_info",
            "server_name",
            "ec_point_formats",
            "application_layer_protocol_negotiation",
            "extended_master_secret",
        ],
    );
    assert_eq!(v["pq_offered"], json!(false), "{v}");
    assert_eq!(v["pq_negotiated"], json!(false), "{v}");
    check_alerts(v, &[]);
    // nginx sends leaf + CA
    check_cert(
        v,
        "cert",
        &[WWW, SAMPLE_CA],
        &["www.example.test"],
        false,
        Some(true),
    );
    assert!(v["client_cert"].is_null(), "no client certificate: {v}");
}

/// Every connection that shows a certificate from the private sample CA says so; resumed and
/// TLS 1.3 connections show none.
#[test]
fn private_ca_certificates_are_untrusted() {
    for f in ["tls12-resumption.pcap", "tls12-ticket-resumption.pcap"] {
        let ss = sessions(f, 2);
        check_cert(
            &ss[0],
            "cert",
            &[WWW, SAMPLE_CA],
            &["www.example.test"],
            false,
            Some(true),
        );
        assert_eq!(
            problem_set(&ss[0]),
            set(&["untrusted_issuer"]),
            "{f}: {}",
            ss[0]
        );
        assert!(
            ss[1]["cert"].is_null(),
            "{f}: resumed, no certificate: {}",
            ss[1]
        );
        assert_eq!(problem_set(&ss[1]), set(&[]), "{f}: {}", ss[1]);
    }
    let ss = sessions("tls13-resumption.pcap", 2);
    for v in &ss {
        assert!(v["cert"].is_null(), "TLS 1.3: encrypted certificate: {v}");
        assert_eq!(problem_set(v), set(&[]), "{v}");
    }
}

#[test]
fn alerts_lists() {
    let one = [
        ("alert.pcap", ("server", "fatal", "handshake_failure")),
        (
            "alert-unrecognized-name.pcap",
            ("server", "fatal", "unrecognized_name"),
        ),
        ("alert-unknown-ca.pcap", ("client", "fatal", "unknown_ca")),
        (
            "alert-cert-expired.pcap",
            ("client", "fatal", "certificate_expired"),
        ),
        (
            "tls13-alert-unknown-ca.pcap",
            ("client", "fatal", "unknown_ca"),
        ),
    ];
    for (f, a) in one {
        let ss = sessions(f, 1);
        check_alerts(&ss[0], &[a]);
    }
    // encrypted alerts (TLS 1.2 close_notify after ChangeCipherSpec, TLS 1.3) are not listed
    for (f, n) in [
        ("tls12-resumption.pcap", 2),
        ("tls13-client-aborted.pcap", 2),
        ("tls12-chain.pcap", 1),
    ] {
        for v in sessions(f, n) {
            check_alerts(&v, &[]);
        }
    }
}

#[test]
fn expired_and_self_signed_certificate_details() {
    let ss = sessions("alert-cert-expired.pcap", 1);
    check_cert(
        &ss[0],
        "cert",
        &[EXPIRED, SAMPLE_CA],
        &["expired.example.test"],
        false,
        Some(true),
    );
    assert_eq!(
        problem_set(&ss[0]),
        set(&["cert_expired", "untrusted_issuer"]),
        "{}",
        ss[0]
    );
    let ss = sessions("alert-unknown-ca.pcap", 1);
    check_cert(
        &ss[0],
        "cert",
        &[SELFSIGNED],
        &["selfsigned.example.test"],
        true,
        Some(true),
    );
    assert!(
        problems(&ss[0]).iter().any(|p| p == "self_signed"),
        "problems must name self_signed: {}",
        ss[0]
    );
}

/// curl --http1.1 --tlsv1.2 --tls-max 1.2 -> openssl s_server (one-shot, 198.18.0.4:443)
const CURL12_S_SERVER: Exp = Exp {
    server: "198.18.0.4:443",
    outcome: "established",
    alpn_offered: Some(H1),
    alpn: None, // s_server has no -alpn: it ignores the client's list
    versions_offered: &["TLSv1.2"],
    version: Some("TLSv1.2"),
    cipher: Some("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    group: Some("x25519"),
    client_hello_segments: Some(1),
    ja3: Some("87b9bfc7da97115ed2276737b09f8d74"),
    ja3s: Some("a548c224ffe85e7076d7897c27f6758c"),
    ja4: Some("t12d2807h1_d943125447b4_a44c6288192a"),
    ..NONE
};
const S_SERVER12_RSA_JA3S: &str = "e54965894d6b45ecb4323c7ea3d6c115";

#[test]
fn tls12_chain() {
    let ss = sessions("tls12-chain.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:24:58.186781Z",
            client: "198.18.0.1:42101",
            sni: Some("chain.example.test"),
            client_hello_bytes: Some(217),
            bytes_client: 475,
            bytes_server: 2270,
            ..CURL12_S_SERVER
        },
    );
    check_cert(
        v,
        "cert",
        &[CHAIN_LEAF, INTER],
        &["chain.example.test"],
        false,
        Some(true),
    );
    assert!(v["client_cert"].is_null(), "{v}");
    assert_list(
        v,
        "extensions_server",
        &[
            "renegotiation_info",
            "ec_point_formats",
            "extended_master_secret",
        ],
    );
    // leaf + intermediate, root omitted (RFC 8446 4.4.2 allows it): nothing wrong but the CA
    assert_eq!(problem_set(v), set(&["untrusted_issuer"]), "{v}");
}

#[test]
fn tls12_chain_out_of_order() {
    let ss = sessions("tls12-chain-out-of-order.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:24:59.080624Z",
            client: "198.18.0.1:42201",
            sni: Some("chain.example.test"),
            client_hello_bytes: Some(217),
            bytes_client: 475,
            bytes_server: 3608,
            ..CURL12_S_SERVER
        },
    );
    // sent as leaf, ROOT, intermediate: chain[1] does not issue chain[0], chain[2] does
    check_cert(
        v,
        "cert",
        &[CHAIN_LEAF, ROOT, INTER],
        &["chain.example.test"],
        false,
        Some(true),
    );
    assert_eq!(
        problem_set(v),
        set(&["chain_out_of_order", "untrusted_issuer"]),
        "{v}"
    );
}

#[test]
fn tls12_wrong_sni() {
    let ss = sessions("tls12-wrong-sni.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:24:59.968898Z",
            client: "198.18.0.1:42301",
            sni: Some("www.example.test"),
            cipher: Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            client_hello_bytes: Some(215),
            bytes_client: 471,
            bytes_server: 2658,
            ja3s: Some(S_SERVER12_RSA_JA3S),
            ..CURL12_S_SERVER
        },
    );
    check_cert(
        v,
        "cert",
        &[OTHER_LEAF, INTER],
        &["other.example.test"],
        false,
        Some(false),
    );
    assert_eq!(
        problem_set(v),
        set(&["sni_cert_mismatch", "untrusted_issuer"]),
        "{v}"
    );
}

#[test]
fn tls12_weak_key() {
    let ss = sessions("tls12-weak-key.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:25:00.865341Z",
            client: "198.18.0.1:42401",
            sni: Some("weak.example.test"),
            cipher: Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            client_hello_bytes: Some(216),
            bytes_client: 473,
            bytes_server: 2396,
            ja3s: Some(S_SERVER12_RSA_JA3S),
            ..CURL12_S_SERVER
        },
    );
    check_cert(
        v,
        "cert",
        &[WEAK_LEAF, INTER],
        &["weak.example.test"],
        false,
        Some(true),
    );
    assert_eq!(
        problem_set(v),
        set(&["weak_key", "untrusted_issuer"]),
        "{v}"
    );
}

#[test]
fn tls12_mutual_tls() {
    let ss = sessions("tls12-mtls.pcap", 1);
    let v = &ss[0];
    check(
        v,
        &Exp {
            ts: "2026-11-26T21:25:01.747683Z",
            client: "198.18.0.1:42501",
            sni: Some("chain.example.test"),
            client_hello_bytes: Some(217),
            bytes_client: 2474,
            bytes_server: 2389,
            ..CURL12_S_SERVER
        },
    );
    check_cert(
        v,
        "cert",
        &[CHAIN_LEAF, INTER],
        &["chain.example.test"],
        false,
        Some(true),
    );
    // curl --cert client-chain.pem: client leaf + intermediate, in plaintext (TLS 1.2)
    check_cert(
        v,
        "client_cert",
        &[CLIENT_LEAF, INTER],
        &["client.example.test"],
        false,
        None,
    );
    assert_eq!(problem_set(v), set(&["untrusted_issuer"]), "{v}");
}

/// tlslite-ng 0.8.2 (+ kyber-py) ClientHello, TLS 1.3
const TLSLITE_PQ: Exp = Exp {
    server: "198.18.0.4:443",
    outcome: "established",
    sni: Some("pq.example.test"),
    alpn_offered: Some(H1),
    versions_offered: CURL_VERSIONS,
    version: Some("TLSv1.3"),
    cipher: Some("TLS_AES_256_GCM_SHA384"),
    client_hello_bytes: Some(1609),
    client_hello_segments: Some(2),
    bytes_client: 1843,
    ja3: Some("aa1ed3b6ef86cbf9a48ebb3000ce5b47"),
    ja4: Some("t13d4715h1_ace53f506114_e6c9df912a55"),
    ..NONE
};

#[test]
fn tls13_post_quantum_hybrid() {
    let ss = sessions("tls13-pq.pcap", 2);
    // 1. offered to OpenSSL 3.0 (s_server), which knows no ML-KEM and takes the x25519 share
    check(
        &ss[0],
        &Exp {
            ts: "2026-11-26T21:31:28.189737Z",
            client: "198.18.0.1:42601",
            group: Some("x25519"),
            bytes_server: 3228,
            ja3s: Some(NGINX13_JA3S),
            ..TLSLITE_PQ
        },
    );
    // 2. tlslite-ng server: X25519MLKEM768 negotiated
    check(
        &ss[1],
        &Exp {
            ts: "2026-11-26T21:31:28.837872Z",
            client: "198.18.0.1:42602",
            group: Some("X25519MLKEM768"),
            bytes_server: 3550,
            ja3s: Some("907bf3ecef1c987c889946b737b43de8"),
            ..TLSLITE_PQ
        },
    );
    for (v, negotiated) in [(&ss[0], false), (&ss[1], true)] {
        assert_eq!(v["pq_offered"], json!(true), "{v}");
        assert_eq!(v["pq_negotiated"], json!(negotiated), "{v}");
        assert_list(v, "key_shares_offered", &["X25519MLKEM768", "x25519"]);
        assert_list(
            v,
            "groups_offered",
            &[
                "X25519MLKEM768",
                "x25519",
                "SecP256r1MLKEM768",
                "SecP384r1MLKEM1024",
                "x448",
                "secp384r1",
                "secp256r1",
                "secp521r1",
                "brainpoolP512r1",
                "brainpoolP384r1",
                "brainpoolP256r1",
                "brainpoolP256r1tls13",
                "brainpoolP384r1tls13",
                "brainpoolP512r1tls13",
                "ffdhe2048",
                "ffdhe3072",
                "ffdhe4096",
                "ffdhe6144",
                "ffdhe8192",
            ],
        );
        assert_list(
            v,
            "extensions_offered",
            &[
                "encrypt_then_mac",
                "extended_master_secret",
                "signature_algorithms",
                "application_layer_protocol_negotiation",
                "supported_versions",
                "key_share",
                "psk_key_exchange_modes",
                "ec_point_formats",
                "supported_groups",
                "heartbeat",
                "record_size_limit",
                "session_ticket",
                "compress_certificate",
                "cert_type",
                "server_name",
            ],
        );
        assert_list(v, "psk_modes", &["psk_dhe_ke", "psk_ke"]);
        assert_list(v, "compression_offered", &["null"]);
        assert_list(
            v,
            "sig_algs_offered",
            &[
                "ed25519",
                "ed448",
                "ecdsa_brainpoolP512r1tls13_sha512",
                "ecdsa_brainpoolP384r1tls13_sha384",
                "ecdsa_brainpoolP256r1tls13_sha256",
                "ecdsa_secp521r1_sha512",
                "ecdsa_secp384r1_sha384",
                "ecdsa_secp256r1_sha256",
                "rsa_pss_rsae_sha512",
                "rsa_pss_pss_sha512",
                "rsa_pss_rsae_sha384",
                "rsa_pss_pss_sha384",
                "rsa_pss_rsae_sha256",
                "rsa_pss_pss_sha256",
            ],
        );
        assert_eq!(
            s(v, "ciphers_offered").as_array().map(Vec::len),
            Some(47),
            "47 suites offered\n{v}"
        );
        assert_eq!(
            v["ciphers_offered"][0],
            json!("TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
            "tlslite-ng puts the SCSV first: {v}"
        );
        assert!(v["cert"].is_null(), "TLS 1.3: encrypted certificate: {v}");
        assert_eq!(problem_set(v), set(&[]), "{v}");
        check_alerts(v, &[]);
    }
    assert_list(
        &ss[0],
        "extensions_server",
        &["supported_versions", "key_share"],
    );
    assert_list(
        &ss[1],
        "extensions_server",
        &["key_share", "supported_versions"],
    );
}

// ---------------------------------------------------------------------------------------------
// QUIC samples (aioquic 1.7.2 client and server, scripts/samples/aioquic-h3.py). tshark 4.0
// decrypts the Initial packets itself; the values below are its view (`describe.py`, QUIC part).
// ---------------------------------------------------------------------------------------------

/// What tshark says about one QUIC connection.
struct QuicExp {
    ts: &'static str,
    ts_end: &'static str,
    client: &'static str,
    server: &'static str,
    quic_version: &'static str,
    outcome: &'static str,
    /// negotiated (ServerHello in the server's Initial): version, cipher, group, ja3s
    sh: Option<(&'static str, &'static str, &'static str, &'static str)>,
    alert: Option<(&'static str, &'static str, &'static str)>,
    /// tshark's tls.handshake.length (ClientHello body; +4 with the header is accepted too)
    client_hello_bytes: u64,
    bytes_client: u64,
    bytes_server: u64,
    /// tshark: ClientHello datagram -> ServerHello datagram, and -> the client's first 1-RTT
    /// (short header) packet, in ms
    server_hello_ms: Option<f64>,
    handshake_ms: Option<f64>,
    /// exactly these problems (as a set), or, with `problems_at_least`, at least these
    problems: &'static [&'static str],
    problems_at_least: bool,
}

// aioquic 1.7.2 ClientHello (cryptography 50.0.2): the same in every sample but for v2's
// version_information transport parameter (4 bytes more).
const AIOQUIC_JA3: &str = "121f6e4f22ee3205214b0676ed64b9e2";
const AIOQUIC_JA4: &str = "q13d0307h3_55b375c5d22e_1cecd519fee8";
// aioquic server, TLS 1.3 ServerHello: supported_versions, key_share; TLS_AES_256_GCM_SHA384
const AIOQUIC_JA3S: &str = "15af977ce25de452b96affa2addb1036";
const AIOQUIC_SH: Option<(&str, &str, &str, &str)> = Some((
    "TLSv1.3",
    "TLS_AES_256_GCM_SHA384",
    "secp256r1",
    AIOQUIC_JA3S,
));

fn check_quic(v: &Value, e: &QuicExp) {
    let who = format!("{} (ts {})", e.client, e.ts);
    let eq = |key: &str, want: Value| {
        assert_eq!(s(v, key), &want, "{who}: field \"{key}\"\nrecord: {v}");
    };
    eq("type", json!("session"));
    eq("transport", json!("quic"));
    eq("quic_version", json!(e.quic_version));
    eq("client", json!(e.client));
    eq("server", json!(e.server));
    eq("outcome", json!(e.outcome));
    assert_eq!(norm_ts(s(v, "ts")), e.ts, "{who}: ts\nrecord: {v}");
    assert_eq!(
        norm_ts(s(v, "ts_end")),
        e.ts_end,
        "{who}: ts_end\nrecord: {v}"
    );
    // the ClientHello, from the client's Initial
    eq("sni", json!("www.example.test"));
    eq("alpn_offered", json!(["h3"]));
    eq("alpn", Value::Null); // in EncryptedExtensions, under the Handshake keys
    eq("versions_offered", json!(["TLSv1.3"]));
    eq("ja3", json!(AIOQUIC_JA3));
    eq("ja4", json!(AIOQUIC_JA4));
    let ch = s(v, "client_hello_bytes").as_u64();
    assert!(
        ch == Some(e.client_hello_bytes) || ch == Some(e.client_hello_bytes + 4),
        "{who}: client_hello_bytes = {ch:?}, want {} (body) or {} (with the header)\nrecord: {v}",
        e.client_hello_bytes,
        e.client_hello_bytes + 4
    );
    eq("client_hello_segments", json!(1));
    eq("resumed", json!(false));
    eq("hrr", json!(false));
    eq("ech", json!(false));
    eq("cert", Value::Null); // TLS 1.3: encrypted
    eq("tcp_rtt_ms", Value::Null);
    // the ServerHello, from the server's Initial
    let (version, cipher, group, ja3s) = match e.sh {
        Some((a, b, c, d)) => (json!(a), json!(b), json!(c), json!(d)),
        None => (Value::Null, Value::Null, Value::Null, Value::Null),
    };
    eq("version", version);
    eq("cipher", cipher);
    eq("group", group);
    eq("ja3s", ja3s);
    match e.alert {
        None => eq("alert", Value::Null),
        Some((from, level, desc)) => {
            let a = s(v, "alert");
            let got =
                json!({"from": a["from"], "level": a["level"], "description": a["description"]});
            let want = json!({"from": from, "level": level, "description": desc});
            assert_eq!(got, want, "{who}: alert\nrecord: {v}");
        }
    }
    eq("bytes_client", json!(e.bytes_client));
    eq("bytes_server", json!(e.bytes_server));
    for (key, want) in [
        ("server_hello_ms", e.server_hello_ms),
        ("handshake_ms", e.handshake_ms),
    ] {
        let got = ms(v, key);
        match (got, want) {
            (None, None) => {}
            (Some(g), Some(w)) => assert!(
                (g - w).abs() < 0.01,
                "{who}: {key} = {g}, tshark says {w}\nrecord: {v}"
            ),
            _ => panic!("{who}: {key} = {got:?}, want {want:?}\nrecord: {v}"),
        }
    }
    let got = problem_set(v);
    if e.problems_at_least {
        for p in e.problems {
            assert!(
                got.iter().any(|g| g == p),
                "{who}: problems {got:?} lack {p:?}\nrecord: {v}"
            );
        }
    } else {
        assert_eq!(got, set(e.problems), "{who}: problems\nrecord: {v}");
    }
}

const QUIC_NONE: QuicExp = QuicExp {
    ts: "",
    ts_end: "",
    client: "",
    server: "198.18.0.4:443",
    quic_version: "1",
    outcome: "established",
    sh: AIOQUIC_SH,
    alert: None,
    client_hello_bytes: 469,
    bytes_client: 0,
    bytes_server: 0,
    server_hello_ms: None,
    handshake_ms: None,
    problems: &[],
    problems_at_least: false,
};

#[test]
fn quic_h3() {
    let ss = sessions("quic-h3.pcap", 1);
    check_quic(
        &ss[0],
        &QuicExp {
            ts: "2026-11-26T21:51:05.557735Z",
            ts_end: "2026-11-26T21:51:05.573731Z",
            client: "198.18.0.1:43101",
            bytes_client: 2894,
            bytes_server: 1992,
            server_hello_ms: Some(5.342),
            handshake_ms: Some(13.194),
            ..QUIC_NONE
        },
    );
}

#[test]
fn quic_h3_offered_parameters() {
    let ss = sessions("quic-h3.pcap", 1);
    let v = &ss[0];
    assert_list(
        v,
        "ciphers_offered",
        &[
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
        ],
    );
    assert_list(
        v,
        "extensions_offered",
        &[
            "key_share",
            "supported_versions",
            "signature_algorithms",
            "supported_groups",
            "server_name",
            "application_layer_protocol_negotiation",
            "quic_transport_parameters",
        ],
    );
    let groups = &["secp256r1", "secp384r1", "x25519", "x448"];
    assert_list(v, "groups_offered", groups);
    assert_list(v, "key_shares_offered", groups);
    assert_list(
        v,
        "sig_algs_offered",
        &[
            "ecdsa_secp256r1_sha256",
            "rsa_pss_rsae_sha256",
            "rsa_pkcs1_sha256",
            "ecdsa_secp384r1_sha384",
            "rsa_pss_rsae_sha384",
            "rsa_pkcs1_sha384",
            "rsa_pkcs1_sha1",
            "ed25519",
            "ed448",
        ],
    );
    assert_list(v, "extensions_server", &["supported_versions", "key_share"]);
}

#[test]
fn quic_v2() {
    let ss = sessions("quic-v2.pcap", 1);
    check_quic(
        &ss[0],
        &QuicExp {
            ts: "2026-11-26T21:51:07.107682Z",
            ts_end: "2026-11-26T21:51:07.121658Z",
            client: "198.18.0.1:43201",
            quic_version: "quicv2",
            client_hello_bytes: 473,
            bytes_client: 2894,
            bytes_server: 1992,
            server_hello_ms: Some(5.775),
            handshake_ms: Some(10.528),
            ..QUIC_NONE
        },
    );
}

#[test]
fn quic_retry() {
    let ss = sessions("quic-retry.pcap", 1);
    check_quic(
        &ss[0],
        &QuicExp {
            ts: "2026-11-26T21:51:08.590981Z",
            ts_end: "2026-11-26T21:51:08.602537Z",
            client: "198.18.0.1:43301",
            bytes_client: 4094,
            bytes_server: 2102,
            // from the FIRST ClientHello (before the Retry) to the ServerHello
            server_hello_ms: Some(5.526),
            handshake_ms: Some(8.865),
            problems: &["quic_retry"],
            ..QUIC_NONE
        },
    );
}

#[test]
fn quic_alert_in_initial() {
    let ss = sessions("quic-alert.pcap", 1);
    check_quic(
        &ss[0],
        &QuicExp {
            ts: "2026-11-26T21:51:10.137424Z",
            ts_end: "2026-11-26T21:51:10.140162Z",
            client: "198.18.0.1:43401",
            outcome: "alert",
            sh: None,
            alert: Some(("server", "fatal", "no_application_protocol")),
            bytes_client: 1200,
            bytes_server: 73,
            ..QUIC_NONE
        },
    );
}

/// `alert` is "the first plaintext alert" and `alerts` "every plaintext alert": the
/// CONNECTION_CLOSE that carries the TLS alert in a readable Initial is both.
#[test]
fn quic_alert_listed_in_alerts() {
    let ss = sessions("quic-alert.pcap", 1);
    check_alerts(&ss[0], &[("server", "fatal", "no_application_protocol")]);
}

const QUIC_BLOCKED: QuicExp = QuicExp {
    ts: "2026-11-26T21:51:11.956576Z",
    ts_end: "2026-11-26T21:51:16.947253Z",
    client: "198.18.0.1:43501",
    server: "198.18.0.2:443",
    outcome: "no_server_hello",
    sh: None,
    bytes_client: 7200, // 6 Initials of 1,200 bytes
    bytes_server: 0,
    problems: &["quic_unanswered"],
    problems_at_least: true,
    ..QUIC_NONE
};

#[test]
fn quic_blocked_then_tcp() {
    let ss = sessions("quic-blocked.pcap", 2);
    check_quic(&ss[0], &QUIC_BLOCKED);
    check(
        &ss[1],
        &Exp {
            ts: "2026-11-26T21:51:17.672105Z",
            client: "198.18.0.1:43502",
            server: "198.18.0.2:443",
            bytes_client: 780,
            bytes_server: 3133,
            ..CURL13
        },
    );
    // The TCP connection itself is clean; a finding about the failed QUIC attempt before it
    // (e.g. "quic_blocked_fell_back_to_tcp") is welcome, nothing else is.
    let p = problems(&ss[1]);
    assert!(
        p.iter().all(|n| n.contains("quic")),
        "the TCP fallback has no TCP/TLS problem: {p:?}\n{}",
        ss[1]
    );
}

/// The QUIC attempt alone (`-f udp`): the client's last Initial carries its CONNECTION_CLOSE
/// (APPLICATION_ERROR, 4.99 s after its first Initial): the connection ended without a
/// ServerHello, which is `no_server_hello`, not an input that stopped mid-handshake.
#[test]
fn quic_blocked_udp_only() {
    let path = sample("quic-blocked.pcap");
    let r = read_json(&["read", path.to_str().unwrap(), "-f", "udp", "--json"]);
    assert_eq!(r.sessions.len(), 1, "{:?}", r.sessions);
    check_quic(&r.sessions[0], &QUIC_BLOCKED);
}

// ---------------------------------------------------------------------------------------------
// Whole-directory and human-output checks
// ---------------------------------------------------------------------------------------------

/// The samples in the order make-samples recorded them (capture time order).
const ALL: &[(&str, usize)] = &[
    ("tls13-h2.pcap", 1),
    ("tls12-cert.pcap", 1),
    ("tls12-resumption.pcap", 2),
    ("tls12-ticket-resumption.pcap", 2),
    ("tls13-resumption.pcap", 2),
    ("tls13-hrr.pcap", 1),
    ("alert.pcap", 1),
    ("alert-unrecognized-name.pcap", 1),
    ("alert-unknown-ca.pcap", 1),
    ("alert-cert-expired.pcap", 1),
    ("tls13-alert-unknown-ca.pcap", 1),
    ("tls13-client-aborted.pcap", 2),
    ("reset.pcap", 2),
    ("big-client-hello.pcap", 1),
    ("not-tls.pcap", 1),
    ("no-server-hello.pcap", 1),
    ("midstream.pcap", 1),
    ("incomplete.pcap", 1),
    ("tls-port-8443.pcap", 1),
    ("tls13-ipv6.pcap", 1),
    ("tls12-chain.pcap", 1),
    ("tls12-chain-out-of-order.pcap", 1),
    ("tls12-wrong-sni.pcap", 1),
    ("tls12-weak-key.pcap", 1),
    ("tls12-mtls.pcap", 1),
    ("tls13-pq.pcap", 2),
    ("quic-h3.pcap", 1),
    ("quic-v2.pcap", 1),
    ("quic-retry.pcap", 1),
    ("quic-alert.pcap", 1),
    ("quic-blocked.pcap", 2),
];

#[test]
fn all_samples_in_one_run() {
    let paths: Vec<String> = ALL
        .iter()
        .map(|(f, _)| sample(f).to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["read"];
    args.extend(paths.iter().map(String::as_str));
    args.push("--json");
    let r = read_json(&args);
    let want: usize = ALL.iter().map(|(_, n)| n).sum();
    assert_eq!(r.sessions.len(), want, "sessions over all samples");
    // every client port is distinct across the samples, so each client shows up exactly once
    let mut clients: Vec<&str> = r
        .sessions
        .iter()
        .map(|s| s["client"].as_str().unwrap_or("?"))
        .collect();
    clients.sort_unstable();
    clients.dedup();
    assert_eq!(clients.len(), want, "one session per client endpoint");
    assert!(r.stats.is_object());
}

#[test]
fn every_sample_ends_with_stats() {
    for (f, n) in ALL {
        let r = read_sample(f);
        assert_eq!(r.sessions.len(), *n, "{f}");
        for s in &r.sessions {
            assert!(
                s["bytes_client"].as_u64().is_some() && s["bytes_server"].as_u64().is_some(),
                "{f}: {s}"
            );
        }
    }
}

#[test]
fn human_report_on_tls13_h2() {
    let path = sample("tls13-h2.pcap");
    let r = run(&["read", path.to_str().unwrap()]);
    assert_eq!(
        r.code,
        Some(0),
        "tlscope read (no --json) exited with {:?}; stderr:\n{}",
        r.code,
        r.stderr
    );
    assert!(!r.stdout.trim().is_empty(), "the human report is empty");
}
