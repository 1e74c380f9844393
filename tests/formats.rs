//! The formats other tools read (`--format eve`, `--format zeek`, `--format zeek-json`), the
//! extras of the command line (`completions`, `man`, `--version`), and conformance of the EVE
//! and Zeek output with the Suricata and Zeek baselines in `../shared/corpus`.
//!
//! The sample tests hold the output to the values in `samples/README.md` (read off the
//! captures with tshark). The corpus tests compare field by field what we claim (the field
//! lists below) and assert a floor at the measured agreement; every disagreement we believe is
//! explained is listed with its reason, and the numbers are in `docs/formats/zeek.md` and
//! `docs/formats/eve.md`. Run with `cargo test --release --test formats -- --nocapture` to see
//! them. Without the corpus the conformance tests print a notice and pass.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use common::{WORKERS, corpus_dir, par_map, prepare_input, run_timeout, run_tlscope};
use serde_json::Value;

fn tlscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tlscope"))
}

fn sample(name: &str) -> String {
    format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn all_samples() -> Vec<String> {
    let dir = format!("{}/samples", env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".pcap"))
        .collect();
    v.sort();
    v
}

/// `tlscope read FILE... --format FORMAT`: stdout, asserting exit 0 and an empty stderr.
fn run(files: &[&str], format: &str) -> String {
    let out = tlscope()
        .arg("read")
        .args(files)
        .args(["--format", format])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{files:?} --format {format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn eve(files: &[&str]) -> Vec<Value> {
    run(files, "eve")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A Zeek TSV log: its `#` lines by keyword, and its rows as field → value.
struct ZeekLog {
    meta: Vec<(String, String)>,
    rows: Vec<BTreeMap<String, String>>,
}

fn parse_zeek(text: &str) -> ZeekLog {
    let mut meta = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix('#') {
            let (k, v) = rest
                .split_once(['\t', ' '])
                .unwrap_or_else(|| panic!("meta line without a value: {line:?}"));
            if k == "fields" {
                fields = v.split('\t').map(str::to_string).collect();
            }
            meta.push((k.to_string(), v.to_string()));
        } else {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), fields.len(), "row width: {line:?}");
            rows.push(
                fields
                    .iter()
                    .cloned()
                    .zip(cells.iter().map(|c| c.to_string()))
                    .collect(),
            );
        }
    }
    ZeekLog { meta, rows }
}

fn zeek(files: &[&str]) -> ZeekLog {
    parse_zeek(&run(files, "zeek"))
}

fn row_for<'a>(log: &'a ZeekLog, orig_p: &str) -> &'a BTreeMap<String, String> {
    log.rows
        .iter()
        .find(|r| r["id.orig_p"] == orig_p)
        .unwrap_or_else(|| panic!("no ssl.log row for client port {orig_p}"))
}

const ZEEK_FIELDS: [&str; 18] = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "version",
    "cipher",
    "curve",
    "server_name",
    "resumed",
    "last_alert",
    "next_protocol",
    "established",
    "ssl_history",
    "cert_chain_fps",
    "client_cert_chain_fps",
    "sni_matches_cert",
];

// ---------------------------------------------------------------------------------------------
// EVE on the samples
// ---------------------------------------------------------------------------------------------

#[test]
fn eve_every_line_is_an_event_with_the_common_keys() {
    let files = all_samples();
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    let events = eve(&names);
    assert!(events.len() > 30, "{} events", events.len());
    let (last, sessions) = events.split_last().unwrap();
    assert_eq!(last["event_type"], "stats", "the stats event comes last");
    assert!(last["stats"]["packets"].as_u64().unwrap() > 0);
    let mut seen = HashSet::new();
    for ev in sessions {
        let t = ev["event_type"].as_str().unwrap();
        seen.insert(t.to_string());
        for key in [
            "timestamp",
            "flow_id",
            "src_ip",
            "src_port",
            "dest_ip",
            "dest_port",
            "proto",
            "community_id",
            "tlscope",
        ] {
            assert!(ev.get(key).is_some(), "{key} missing in {ev}");
        }
        let ts = ev["timestamp"].as_str().unwrap();
        assert!(ts.ends_with("+0000") && ts.len() == 31, "{ts}");
        assert!(ev["flow_id"].as_u64().unwrap() < 1 << 51);
        assert!(ev["tlscope"]["uid"].as_str().unwrap().starts_with('C'));
        assert!(ev["tlscope"]["outcome"].is_string());
        match t {
            "tls" => {
                assert_eq!(ev["proto"], "TCP");
                assert!(ev["tls"]["version"].is_string(), "{ev}");
            }
            "quic" => {
                assert_eq!(ev["proto"], "UDP");
                assert!(ev["quic"].is_object(), "{ev}");
            }
            "flow" => assert!(ev["flow"]["start"].is_string(), "{ev}"),
            other => panic!("unexpected event_type {other}"),
        }
    }
    for t in ["tls", "quic", "flow"] {
        assert!(seen.contains(t), "no {t} event in the samples");
    }
}

#[test]
fn eve_values_match_the_samples() {
    let tls12 = &eve(&[&sample("tls12-cert.pcap")])[0];
    assert_eq!(tls12["event_type"], "tls");
    assert_eq!(
        (
            &tls12["src_ip"],
            &tls12["src_port"],
            &tls12["dest_ip"],
            &tls12["dest_port"]
        ),
        (
            &Value::from("198.18.0.1"),
            &Value::from(40201),
            &Value::from("198.18.0.2"),
            &Value::from(443)
        )
    );
    assert_eq!(tls12["timestamp"], "2026-11-26T21:03:59.848167+0000");
    let t = &tls12["tls"];
    assert_eq!(t["sni"], "www.example.test");
    assert_eq!(t["version"], "TLS 1.2");
    assert_eq!(t["subject"], "O=tlscope samples, CN=www.example.test");
    assert_eq!(t["issuerdn"], "O=tlscope samples, CN=tlscope sample CA");
    assert_eq!(t["serial"], "10:01");
    // SHA-1 of the leaf's DER, as tshark's certificate bytes | sha1sum give it.
    assert_eq!(
        t["fingerprint"],
        "3c:7d:a0:73:4b:ea:1b:e4:b2:58:8a:1b:0f:54:08:ff:1b:75:72:d8"
    );
    assert_eq!(t["notbefore"], "2025-01-01T00:00:00");
    assert_eq!(t["notafter"], "2035-01-01T00:00:00");
    assert_eq!(t["ja3"]["hash"], "f1631d7b5c74e0eccf70af0a6086e84b");
    assert!(
        t["ja3"]["string"]
            .as_str()
            .unwrap()
            .starts_with("771,49199-255,")
    );
    assert!(t["ja3s"]["hash"].is_string());
    assert_eq!(t["ja4"], "t12d0207h1_b06afd972a5c_a44c6288192a");
    assert_eq!(t["client_alpns"], serde_json::json!(["http/1.1"]));
    assert_eq!(t["server_alpns"], serde_json::json!(["http/1.1"]));
    assert_eq!(t["subjectaltname"], serde_json::json!(["www.example.test"]));
    assert!(t.get("session_resumed").is_none());
    assert_eq!(tls12["tlscope"]["outcome"], "established");
    assert_eq!(
        tls12["tlscope"]["cipher"],
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    );

    let tls13 = &eve(&[&sample("tls13-h2.pcap")])[0];
    let t = &tls13["tls"];
    assert_eq!(t["version"], "TLS 1.3");
    assert_eq!(t["ja3"]["hash"], "0149f47eabf9a20d0893e2a44e5a6323");
    assert_eq!(t["ja4"], "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6");
    assert_eq!(t["client_alpns"], serde_json::json!(["h2", "http/1.1"]));
    assert!(t.get("server_alpns").is_none(), "encrypted in TLS 1.3");
    assert!(t.get("subject").is_none(), "the certificate is encrypted");

    let alert = &eve(&[&sample("tls13-alert-unknown-ca.pcap")])[0];
    assert_eq!(alert["tls"]["sni"], "selfsigned.example.test");
    assert_eq!(alert["tlscope"]["outcome"], "alert");
    assert_eq!(alert["tlscope"]["alert"]["from"], "client");
    assert_eq!(alert["tlscope"]["alert"]["description"], "unknown_ca");

    let quic = &eve(&[&sample("quic-h3.pcap")])[0];
    assert_eq!(quic["event_type"], "quic");
    assert_eq!(quic["proto"], "UDP");
    assert_eq!(quic["quic"]["version"], "1");
    assert_eq!(quic["quic"]["sni"], "www.example.test");
    assert!(quic["quic"]["ja4"].as_str().unwrap().starts_with("q13d"));
    assert_eq!(quic["tlscope"]["outcome"], "established");

    // No ServerHello: Suricata logs the client's version (8.0.3+, ticket 5713).
    let evs = eve(&[&sample("reset.pcap")]);
    let by_port = |evs: &[Value], port: u16| -> Value {
        evs.iter()
            .find(|e| e["src_port"] == port)
            .cloned()
            .unwrap_or_else(|| panic!("no event for client port {port}"))
    };
    assert_eq!(by_port(&evs, 41201)["tls"]["version"], "TLS 1.2");
    let refused = by_port(&evs, 41202);
    assert_eq!(
        refused["event_type"], "flow",
        "refused: no TLS, a flow event"
    );
    assert_eq!(refused["tlscope"]["outcome"], "refused");

    let evs = eve(&[&sample("tls12-resumption.pcap")]);
    assert_eq!(by_port(&evs, 40302)["tls"]["session_resumed"], true);
    assert!(by_port(&evs, 40301)["tls"].get("session_resumed").is_none());

    let mtls = &eve(&[&sample("tls12-mtls.pcap")])[0];
    assert_eq!(mtls["tls"]["client"]["serial"], "20:05");
    assert_eq!(
        mtls["tls"]["client"]["subject"],
        "O=tlscope samples, CN=client.example.test"
    );

    let v6 = &eve(&[&sample("tls13-ipv6.pcap")])[0];
    assert_eq!(v6["src_ip"], "fd00:0198:0018:0000:0000:0000:0000:0001");
}

// ---------------------------------------------------------------------------------------------
// Zeek on the samples
// ---------------------------------------------------------------------------------------------

#[test]
fn zeek_tsv_header_and_columns_are_consistent() {
    for f in all_samples() {
        let log = zeek(&[&f]);
        let keys: Vec<&str> = log.meta.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "separator",
                "set_separator",
                "empty_field",
                "unset_field",
                "path",
                "open",
                "fields",
                "types",
                "close"
            ],
            "{f}"
        );
        let get = |k: &str| &log.meta.iter().find(|(m, _)| m == k).unwrap().1;
        assert_eq!(get("separator"), "\\x09");
        assert_eq!(get("set_separator"), ",");
        assert_eq!(get("empty_field"), "(empty)");
        assert_eq!(get("unset_field"), "-");
        assert_eq!(get("path"), "ssl");
        assert_eq!(get("fields").split('\t').collect::<Vec<_>>(), ZEEK_FIELDS);
        assert_eq!(get("types").split('\t').count(), ZEEK_FIELDS.len());
        for stamp in [get("open"), get("close")] {
            assert_eq!(stamp.len(), 19, "{stamp}");
            assert_eq!(stamp.matches('-').count(), 5, "{stamp}");
        }
        for row in &log.rows {
            let ts = &row["ts"];
            let (secs, micros) = ts.split_once('.').unwrap();
            assert!(secs.parse::<u64>().is_ok() && micros.len() == 6, "{ts}");
            assert!(row["uid"].starts_with('C') && row["uid"].len() >= 12);
            for b in ["resumed", "established"] {
                assert!(row[b] == "T" || row[b] == "F", "{b}: {}", row[b]);
            }
            assert!(["T", "F", "-"].contains(&row["sni_matches_cert"].as_str()));
            assert!(!row["ssl_history"].is_empty() && row["ssl_history"] != "-");
            for (k, v) in row {
                assert!(!v.is_empty(), "{f}: empty cell {k}");
            }
        }
    }
}

#[test]
fn zeek_values_match_the_samples() {
    let log = zeek(&[&sample("tls12-cert.pcap")]);
    assert_eq!(log.rows.len(), 1);
    let r = &log.rows[0];
    assert_eq!(r["ts"], "1795727039.848167");
    assert_eq!(
        (
            r["id.orig_h"].as_str(),
            r["id.orig_p"].as_str(),
            r["id.resp_h"].as_str(),
            r["id.resp_p"].as_str()
        ),
        ("198.18.0.1", "40201", "198.18.0.2", "443")
    );
    assert_eq!(r["version"], "TLSv12");
    assert_eq!(r["cipher"], "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_eq!(r["curve"], "x25519");
    assert_eq!(r["server_name"], "www.example.test");
    assert_eq!(r["resumed"], "F");
    assert_eq!(r["last_alert"], "-");
    assert_eq!(r["next_protocol"], "http/1.1");
    assert_eq!(r["established"], "T");
    assert_eq!(r["ssl_history"], "CsxknGIi");
    // The chain as sent (leaf, sample CA), SHA-256 as in samples/README.md.
    assert_eq!(
        r["cert_chain_fps"],
        "6b0999637b4a47a300a3aefa9c7bb416b5fbcefee37d7de1d479d8d714a7b94f,\
         3f6d5ecd95626fab2ef6f1cf3d4567aab82eca33d6354a93d4310fabd61204d3"
    );
    assert_eq!(r["client_cert_chain_fps"], "(empty)");
    assert_eq!(r["sni_matches_cert"], "T");

    let r = &zeek(&[&sample("tls13-h2.pcap")]).rows[0];
    assert_eq!(
        [
            &r["version"],
            &r["cipher"],
            &r["curve"],
            &r["next_protocol"],
            &r["established"],
            &r["ssl_history"]
        ],
        [
            "TLSv13",
            "TLS_AES_256_GCM_SHA384",
            "x25519",
            "-",
            "T",
            "CsiI"
        ]
    );
    for unset in [
        "cert_chain_fps",
        "client_cert_chain_fps",
        "sni_matches_cert",
    ] {
        assert_eq!(r[unset], "-", "{unset}: no certificate seen in TLS 1.3");
    }

    let r = &zeek(&[&sample("alert.pcap")]).rows[0];
    assert_eq!(
        [
            &r["version"],
            &r["cipher"],
            &r["last_alert"],
            &r["established"],
            &r["ssl_history"]
        ],
        ["-", "-", "handshake_failure", "F", "Cl"]
    );

    let r = &zeek(&[&sample("tls13-alert-unknown-ca.pcap")]).rows[0];
    assert_eq!(r["last_alert"], "unknown_ca");
    assert_eq!(r["established"], "F");

    let log = zeek(&[&sample("tls12-resumption.pcap")]);
    assert_eq!(row_for(&log, "40301")["resumed"], "F");
    assert_eq!(row_for(&log, "40302")["resumed"], "T");
    assert_eq!(row_for(&log, "40302")["ssl_history"], "CsiI");

    let r = &zeek(&[&sample("tls12-mtls.pcap")]).rows[0];
    assert_eq!(r["ssl_history"], "CsxkrnXGYIi");
    assert_eq!(r["client_cert_chain_fps"].split(',').count(), 2);

    // QUIC: an ssl.log line as Zeek writes one; established F (Finished is encrypted).
    let r = &zeek(&[&sample("quic-h3.pcap")]).rows[0];
    assert_eq!(
        [&r["version"], &r["ssl_history"], &r["established"]],
        ["TLSv13", "Cs", "F"]
    );

    // No TLS, no ssl.log line; the header and #close still make a valid empty log.
    for f in ["not-tls.pcap", "midstream.pcap"] {
        let log = zeek(&[&sample(f)]);
        assert!(log.rows.is_empty(), "{f}");
    }
    assert_eq!(
        zeek(&[&sample("reset.pcap")]).rows.len(),
        1,
        "refused: none"
    );
}

#[test]
fn zeek_json_has_the_same_values_as_tsv() {
    for f in [
        "tls12-cert.pcap",
        "tls13-h2.pcap",
        "alert.pcap",
        "quic-h3.pcap",
        "tls12-mtls.pcap",
    ] {
        let tsv = zeek(&[&sample(f)]);
        let json: Vec<Value> = run(&[&sample(f)], "zeek-json")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(json.len(), tsv.rows.len(), "{f}");
        for (j, row) in json.iter().zip(&tsv.rows) {
            for k in ZEEK_FIELDS {
                let as_tsv = match j.get(k) {
                    None => "-".to_string(),
                    Some(Value::Bool(b)) => if *b { "T" } else { "F" }.to_string(),
                    Some(Value::Array(a)) if a.is_empty() => "(empty)".into(),
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) if k == "ts" => format!("{:.6}", n.as_f64().unwrap()),
                    Some(other) => other.to_string(),
                };
                assert_eq!(as_tsv, row[k], "{f} {k}");
            }
            assert!(j["id.orig_p"].is_u64() && j["ts"].is_f64());
        }
    }
}

#[test]
fn the_same_connection_has_the_same_uid_everywhere() {
    let f = sample("tls12-resumption.pcap");
    let events = eve(&[&f]);
    let log = zeek(&[&f]);
    let by_port: HashMap<String, String> = log
        .rows
        .iter()
        .map(|r| (r["id.orig_p"].clone(), r["uid"].clone()))
        .collect();
    for ev in events.iter().filter(|e| e["event_type"] == "tls") {
        let port = ev["src_port"].to_string();
        assert_eq!(
            ev["tlscope"]["uid"].as_str(),
            by_port.get(&port).map(String::as_str)
        );
    }
    // Deterministic: a second run gives the same uids.
    let again = zeek(&[&f]);
    for (a, b) in log.rows.iter().zip(&again.rows) {
        assert_eq!(a["uid"], b["uid"]);
    }
    assert_ne!(log.rows[0]["uid"], log.rows[1]["uid"]);
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

fn assert_usage_error(args: &[&str], needle: &str) {
    let out = tlscope().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "{stderr:?} lacks {needle:?}");
}

#[test]
fn conflicting_format_options_are_usage_errors() {
    let f = sample("tls13-h2.pcap");
    assert_usage_error(&["read", &f, "--json", "--format", "eve"], "--format eve");
    assert_usage_error(&["read", &f, "--tui", "--format", "zeek"], "--tui");
    let out = tlscope()
        .args(["read", &f, "--format", "bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // --json --format jsonl is the same thing twice: fine.
    let a = run(&[&f], "jsonl");
    let out = tlscope()
        .args(["read", &f, "--json", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), a);
    // --format report is the default report.
    let report = tlscope().args(["read", &f]).output().unwrap();
    assert_eq!(
        String::from_utf8(report.stdout).unwrap(),
        run(&[&f], "report")
    );
    // A closed stdout is not an error.
    let mut child = tlscope()
        .args(["read", &f, &f, &f, "--format", "zeek"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert!(child.wait().unwrap().success());
}

#[test]
fn completions_man_pages_and_version() {
    let out = tlscope().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(script.contains("tlscope") && script.contains("--format"));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = tlscope().args(["completions", shell]).output().unwrap();
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }

    let out = tlscope().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.contains(".TH tlscope 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    let dir = std::env::temp_dir().join(format!("tlscope-man-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = tlscope()
        .args(["man", "--dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    for page in ["tlscope.1", "tlscope-read.1", "tlscope-live.1"] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}");
    }
    let read_page = std::fs::read_to_string(dir.join("tlscope-read.1")).unwrap();
    assert!(read_page.contains("zeek\\-json") || read_page.contains("zeek-json"));
    std::fs::remove_dir_all(&dir).ok();

    let out = tlscope().arg("--version").output().unwrap();
    let v = String::from_utf8(out.stdout).unwrap();
    assert!(
        v.starts_with(concat!("tlscope ", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    // Hidden from the main help, named in its footer.
    let help = String::from_utf8(tlscope().arg("--help").output().unwrap().stdout).unwrap();
    assert!(help.contains("tlscope completions SHELL"));
}

// ---------------------------------------------------------------------------------------------
// Conformance with the corpus
// ---------------------------------------------------------------------------------------------

/// Agreement counts per field.
#[derive(Default)]
struct Tally {
    agree: BTreeMap<String, usize>,
    total: BTreeMap<String, usize>,
    mismatches: Vec<String>,
}

impl Tally {
    fn count(&mut self, field: &str, ok: bool, what: impl FnOnce() -> String) {
        *self.total.entry(field.to_string()).or_default() += 1;
        if ok {
            *self.agree.entry(field.to_string()).or_default() += 1;
        } else {
            self.mismatches.push(what());
        }
    }

    fn percent(&self, field: &str) -> f64 {
        let t = self.total.get(field).copied().unwrap_or(0);
        let a = self.agree.get(field).copied().unwrap_or(0);
        if t == 0 {
            100.0
        } else {
            100.0 * a as f64 / t as f64
        }
    }

    fn print(&self, title: &str) {
        println!("{title}");
        for (f, t) in &self.total {
            let a = self.agree.get(f).copied().unwrap_or(0);
            println!("  {f:<28} {a:>3} / {t:<3} {:6.1}%", self.percent(f));
        }
        for m in &self.mismatches {
            println!("  mismatch: {m}");
        }
    }

    fn assert_floors(&self, floors: &[(&str, f64)]) {
        for (f, floor) in floors {
            assert!(
                self.total.get(*f).copied().unwrap_or(0) > 0,
                "no {f} compared at all"
            );
            let p = self.percent(f);
            assert!(p >= *floor, "{f}: {p:.1}% is below the floor {floor}%");
        }
    }
}

fn expected_json(corpus: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(corpus.join("expected.json")).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap()
}

/// Runs `tlscope read FILE --format FORMAT` on corpus files, two at a time.
fn run_corpus(corpus: &Path, files: &[String], format: &str) -> Vec<String> {
    par_map(files, WORKERS, |f| {
        let input = prepare_input(&corpus.join(f)).unwrap();
        let path = input.path.to_string_lossy().into_owned();
        let out = run_tlscope(&["read", &path, "--format", format], run_timeout());
        assert_eq!(
            out.status.and_then(|s| s.code()),
            Some(0),
            "{f}: {}",
            out.describe_status()
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
}

/// Zeek `ssl.log` fields we claim, with the floor (percent) at the measured agreement.
const ZEEK_FLOORS: &[(&str, f64)] = &[
    ("server_name", 100.0),
    ("version", 100.0),
    ("cipher", 100.0),
    ("curve", 98.0),
    ("resumed", 100.0),
    ("established", 100.0),
    ("next_protocol", 100.0),
    ("last_alert", 100.0),
    ("ssl_history", 95.0),
    ("cert_chain_fps", 98.0),
    ("client_cert_chain_fps", 98.0),
    ("sni_matches_cert", 100.0),
];

/// Zeek records we do not expect to match, with the reason: tlscope does not analyse DTLS.
const ZEEK_NOT_ANALYSED: &[(&str, &str)] = &[
    ("zeek/tls/dtls13-cid.pcap", "DTLS 1.3 (UDP): not analysed"),
    (
        "zeek/tls/dtls13-wolfssl.pcap",
        "DTLS 1.3 (UDP): not analysed",
    ),
    ("zeek/tls/dtls1_0.pcap", "DTLS 1.0 (UDP): not analysed"),
    ("zeek/tls/dtls1_2.pcap", "DTLS 1.2 (UDP): not analysed"),
    (
        "zeek/tls/webrtc-stun.pcap",
        "DTLS over STUN (UDP): not analysed",
    ),
];

#[test]
fn zeek_ssl_log_agrees_with_zeek_baselines() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let entries: Vec<Value> = expected_json(&corpus)
        .into_iter()
        .filter(|e| {
            e["expect"].as_array().is_some_and(|x| {
                x.iter().any(|r| {
                    r["producer"]
                        .as_str()
                        .is_some_and(|p| p.starts_with("zeek ssl.log"))
                })
            })
        })
        .collect();
    let files: Vec<String> = entries
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_string())
        .collect();
    let outputs = run_corpus(&corpus, &files, "zeek");
    let mut tally = Tally::default();
    let (mut matched, mut skipped) = (0, 0);
    for ((entry, file), out) in entries.iter().zip(&files).zip(&outputs) {
        let ours = parse_zeek(out).rows;
        let mut used = vec![false; ours.len()];
        for rec in entry["expect"].as_array().unwrap() {
            if !rec["producer"]
                .as_str()
                .is_some_and(|p| p.starts_with("zeek ssl.log"))
            {
                continue;
            }
            let raw = rec["raw"].as_object().unwrap();
            let s = |k: &str| raw.get(k).and_then(Value::as_str);
            // Match by the 4-tuple; a `.cut` baseline without endpoints by server name.
            let found = ours.iter().enumerate().position(|(i, o)| {
                !used[i]
                    && match s("id.orig_h") {
                        Some(h) => {
                            o["id.orig_h"] == h
                                && Some(o["id.orig_p"].as_str()) == s("id.orig_p")
                                && Some(o["id.resp_h"].as_str()) == s("id.resp_h")
                                && Some(o["id.resp_p"].as_str()) == s("id.resp_p")
                        }
                        None => s("server_name").is_none_or(|n| n == "-" || o["server_name"] == n),
                    }
            });
            let Some(i) = found else {
                let known = ZEEK_NOT_ANALYSED.iter().find(|(f, _)| f == file);
                assert!(
                    known.is_some(),
                    "{file}: no ssl.log line of ours for {:?}",
                    s("id.orig_p")
                );
                skipped += 1;
                continue;
            };
            used[i] = true;
            matched += 1;
            for (field, _) in ZEEK_FLOORS {
                let Some(want) = s(field) else { continue };
                let got = &ours[i][*field];
                tally.count(field, got == want, || {
                    format!("{file} {field}: Zeek {want:?}, ours {got:?}")
                });
            }
        }
    }
    tally.print(&format!(
        "Zeek ssl.log: {matched} records compared, {skipped} not analysed (DTLS)"
    ));
    tally.assert_floors(ZEEK_FLOORS);
    assert!(matched >= 68, "{matched} Zeek records matched");
}

/// Suricata EVE fields we claim (`tls.client_alpns[1]` counts as `tls.client_alpns`), with the
/// floor at the measured agreement.
const EVE_FLOORS: &[(&str, f64)] = &[
    ("src_ip", 100.0),
    ("src_port", 100.0),
    ("dest_ip", 100.0),
    ("dest_port", 100.0),
    ("proto", 100.0),
    ("tls.sni", 100.0),
    ("tls.version", 94.0),
    ("tls.subject", 100.0),
    ("tls.issuerdn", 100.0),
    ("tls.serial", 100.0),
    ("tls.fingerprint", 100.0),
    ("tls.notbefore", 100.0),
    ("tls.notafter", 100.0),
    ("tls.ja3.hash", 100.0),
    ("tls.ja3.string", 100.0),
    ("tls.ja3s.hash", 100.0),
    ("tls.ja3s.string", 100.0),
    ("tls.ja4", 75.0),
    ("tls.client_alpns", 100.0),
    ("tls.server_alpns", 100.0),
    ("tls.session_resumed", 100.0),
    ("tls.subjectaltname", 100.0),
    ("tls.client.serial", 100.0),
    ("tls.client.notbefore", 100.0),
    ("tls.client.notafter", 100.0),
    ("quic.ja4", 100.0),
];

/// The value at a Suricata-style path (`tls.ja3.hash`, `tls.client_alpns[1]`).
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = cur.get(name)?;
        if let Some(i) = index {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
}

fn claimed_eve_field(key: &str) -> Option<&'static str> {
    let base = key.split('[').next().unwrap_or(key);
    EVE_FLOORS.iter().map(|(f, _)| *f).find(|f| *f == base)
}

#[test]
fn eve_agrees_with_suricata_verify() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let entries: Vec<Value> = expected_json(&corpus)
        .into_iter()
        .filter(|e| {
            e["file"]
                .as_str()
                .is_some_and(|f| f.starts_with("suricata-verify/"))
        })
        .collect();
    let files: Vec<String> = entries
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_string())
        .collect();
    let outputs = run_corpus(&corpus, &files, "eve");
    let mut tally = Tally::default();
    let (mut filters, mut whole) = (0, 0);
    let mut unclaimed: BTreeMap<String, usize> = BTreeMap::new();
    for ((entry, file), out) in entries.iter().zip(&files).zip(&outputs) {
        let events: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for rec in entry["expect"].as_array().unwrap() {
            let m = rec["match"].as_object().unwrap();
            let Some(et) = m.get("event_type").and_then(Value::as_str) else {
                continue;
            };
            if !(et == "tls" || et == "quic") || rec["count"] == 0 {
                continue;
            }
            let ours: Vec<&Value> = events.iter().filter(|e| e["event_type"] == et).collect();
            let mut claimed = Vec::new();
            for (k, want) in m {
                if k == "event_type" {
                    continue;
                }
                match claimed_eve_field(k) {
                    Some(field) => claimed.push((k.as_str(), field, want)),
                    None => {
                        let base = k.split('[').next().unwrap_or(k);
                        *unclaimed.entry(base.to_string()).or_default() += 1;
                    }
                }
            }
            // Suricata counts per event (it may log several per connection); we log one per
            // connection, so each field is checked against any of our events of that type.
            let equal = |v: Option<&Value>, want: &Value| match (v, want) {
                (Some(Value::Bool(a)), Value::Bool(b)) => a == b,
                (Some(Value::String(a)), Value::String(b)) => a == b,
                (Some(Value::Number(a)), Value::Number(b)) => a == b,
                (Some(Value::Number(a)), Value::String(b)) => &a.to_string() == b,
                (Some(Value::String(a)), Value::Number(b)) => a == &b.to_string(),
                _ => false,
            };
            for (k, field, want) in &claimed {
                let ok = ours.iter().any(|e| equal(at(e, k), want));
                tally.count(field, ok, || {
                    let got: Vec<String> = ours
                        .iter()
                        .take(3)
                        .map(|e| at(e, k).map(Value::to_string).unwrap_or("-".into()))
                        .collect();
                    format!("{file} {k}: Suricata {want}, ours {got:?}")
                });
            }
            filters += 1;
            if ours
                .iter()
                .any(|e| claimed.iter().all(|(k, _, want)| equal(at(e, k), want)))
            {
                whole += 1;
            }
        }
    }
    tally.print(&format!(
        "EVE: {filters} suricata-verify tls/quic filters, {whole} met by one event of ours in \
         every claimed field"
    ));
    println!("  not claimed: {unclaimed:?}");
    tally.assert_floors(EVE_FLOORS);
    assert!(
        whole * 100 >= filters * 96,
        "{whole} of {filters} filters met"
    );
}
