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

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TLSCOPE: &str = env!("CARGO_BIN_EXE_tlscope");
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
    let mut child = Command::new(TLSCOPE)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {TLSCOPE}: {e}"));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for tlscope") {
            break st;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tlscope {args:?} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8(t_out.join().unwrap()).expect("stdout is not UTF-8"),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
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
    assert!(
        problems(v).is_empty(),
        "a clean connection has no problems: {v}"
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
