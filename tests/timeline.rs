//! Per-connection timelines (`--conn`, `--timeline`) on the project's own captures: the packets
//! listed must agree with the record they belong to, and `--conn` must pick exactly what it
//! names.

mod common;

use common::{run_text as tlscope, sample, sample_files as all_samples};
use serde_json::Value;

fn sessions(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] == "session")
        .collect()
}

/// Labels the client or the server wrote into the timeline.
fn labels<'a>(tl: &'a Value, from: &str) -> Vec<&'a str> {
    tl["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == from)
        .flat_map(|e| e["tls"].as_array().unwrap().iter())
        .map(|l| l.as_str().unwrap())
        .collect()
}

#[test]
fn conn_by_sni_prints_the_handshake_as_a_timeline() {
    let (code, out, err) = tlscope(&[
        "read",
        &sample("alert-unknown-ca.pcap"),
        "--conn",
        "selfsigned.example.test",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("TCP 198.18.0.1:").count(), 1, "{out}");
    assert!(
        out.contains("outcome  alert (high confidence): fatal alert unknown_ca from the client")
    );
    // The packets in order, each with its direction and TCP flags.
    let rows: Vec<&str> = out.lines().filter(|l| l.contains(" client ")).collect();
    let want = [
        ("client → server", "S "),
        ("client ← server", "S."),
        ("client → server", ". "),
        ("client → server", "P."),
    ];
    for (row, (dir, flags)) in rows.iter().zip(want) {
        assert!(row.contains(&format!("{dir}  {flags}")), "{row}");
    }
    let sh = rows
        .iter()
        .find(|r| r.contains("server_hello"))
        .expect("a ServerHello row");
    assert!(sh.contains(
        "client ← server  P.       744        0      231   64  server_hello, certificate, server_key_exchange, server_hello_done"
    ), "{sh}");
    let alert = rows.iter().find(|r| r.contains("alert:")).unwrap();
    assert!(
        alert.contains(
            "client → server  P.         7      231      744   64  alert:unknown_ca (fatal)"
        ),
        "{alert}"
    );
    assert!(
        out.trim_end()
            .ends_with("1 of 1 connections matched --conn"),
        "{out}"
    );
}

#[test]
fn conn_by_address_and_domain_selects_only_those() {
    let f = sample("reset.pcap");
    // reset.pcap: a reset after the ClientHello (port 41201) and a refused SYN (port 41202).
    let (_, out, _) = tlscope(&["read", &f, "--conn", "198.18.0.1:41202"]);
    assert!(out.contains("outcome  refused"), "{out}");
    assert!(!out.contains("41201"), "{out}");
    let (_, out, _) = tlscope(&["read", &f, "--conn", "198.18.0.4"]);
    assert!(out.contains("2 of 2 connections matched"), "{out}");
    let (_, out, _) = tlscope(&["read", &f, "--conn", "*.example.test"]);
    assert!(out.contains("1 of 2 connections matched"), "{out}");
    let (_, out, _) = tlscope(&["read", &f, "--conn", "nothing.example"]);
    assert_eq!(out.trim(), "0 of 2 connections matched --conn");
    // With --json: only the chosen records, timeline included.
    let (_, out, _) = tlscope(&["read", &f, "--json", "--conn", "198.18.0.1:41201"]);
    let recs = sessions(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["outcome"], "reset");
    assert!(recs[0]["timeline"]["events"].as_array().unwrap().len() >= 5);
}

#[test]
fn conn_usage_errors_exit_2() {
    let f = sample("reset.pcap");
    let (code, out, err) = tlscope(&["read", &f, "--conn", " "]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("--conn needs an address"), "{err}");
    let (code, _, err) = tlscope(&["read", &f, "--conn", "198.18.0.4", "--tui"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be combined with --tui"), "{err}");
}

#[test]
fn a_two_segment_client_hello_shows_both_segments() {
    let (_, out, _) = tlscope(&["read", &sample("tls13-pq.pcap"), "--json", "--timeline"]);
    let recs = sessions(&out);
    let pq = recs
        .iter()
        .find(|r| r["group"] == "X25519MLKEM768")
        .expect("the post-quantum connection");
    assert_eq!(pq["client_hello_segments"], 2);
    let ev = pq["timeline"]["events"].as_array().unwrap();
    let data: Vec<&Value> = ev
        .iter()
        .filter(|e| e["from"] == "client" && e["bytes"].as_u64().unwrap() > 0)
        .collect();
    assert_eq!(
        (data[0]["bytes"].as_u64(), data[0]["offset"].as_u64()),
        (Some(1448), Some(0))
    );
    assert!(data[0]["tls"].as_array().unwrap().is_empty());
    // The server acknowledges the first segment, then the whole hello.
    let hello_end = 1448 + data[1]["bytes"].as_u64().unwrap();
    let acks: Vec<u64> = ev
        .iter()
        .filter(|e| e["from"] == "server")
        .filter_map(|e| e["ack"].as_u64())
        .filter(|a| *a > 0)
        .collect();
    assert_eq!(acks[..2], [1448, hello_end], "{acks:?}");
    assert_eq!(data[1]["offset"], 1448);
    assert_eq!(data[1]["tls"][0], "client_hello");
    let ch_bytes = pq["client_hello_bytes"].as_u64().unwrap();
    // The hello (+ its 5-byte record header) ends inside the second segment.
    let end = 1448 + data[1]["bytes"].as_u64().unwrap();
    assert!(
        ch_bytes + 5 <= end && ch_bytes + 5 > 1448,
        "{ch_bytes} vs {end}"
    );
}

/// Every sample, every TCP record: the timeline agrees with the record's own fields. (One file
/// at a time: two samples are the same connection seen from two points.)
#[test]
fn timelines_agree_with_their_records_on_every_sample() {
    let mut records = Vec::new();
    for f in all_samples() {
        let (code, out, err) = tlscope(&["read", "--json", "--timeline", &f]);
        assert_eq!(code, 0, "{err}");
        records.extend(sessions(&out));
    }
    let (mut checked, mut quic) = (0, 0);
    for r in records {
        if r["transport"] == "quic" {
            // Datagrams by packet kind; the hellos marked where they became readable.
            let tl = &r["timeline"];
            let who = format!("{} {}", r["client"], r["outcome"]);
            let ev = tl["events"].as_array().unwrap();
            assert!(
                ev[0]["flags"].as_str().unwrap().contains("Initial"),
                "{who}"
            );
            let ch = labels(tl, "client").contains(&"client_hello");
            assert_eq!(ch, !r["client_hello_bytes"].is_null(), "{who}");
            let sh = labels(tl, "server").contains(&"server_hello");
            assert_eq!(sh, !r["version"].is_null(), "{who}");
            quic += 1;
            continue;
        }
        let tl = &r["timeline"];
        let ev = tl["events"].as_array().unwrap();
        let who = format!("{} {}", r["client"], r["outcome"]);
        assert!(!ev.is_empty(), "{who}");
        assert_eq!(ev[0]["t_ms"], 0.0, "{who}");
        let times: Vec<f64> = ev.iter().map(|e| e["t_ms"].as_f64().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{who}: {times:?}");
        let shown = ev.len() as u64 + tl["packets_not_shown"].as_u64().unwrap();
        assert!(shown >= 1, "{who}");
        // A ClientHello in the record is a client_hello label from the client (two with HRR).
        let hellos = labels(tl, "client")
            .iter()
            .filter(|l| **l == "client_hello")
            .count();
        let expect = match (r["client_hello_bytes"].is_null(), r["hrr"] == true) {
            (true, _) => 0,
            (false, false) => 1,
            (false, true) => 2,
        };
        assert_eq!(hellos, expect, "{who}");
        assert!(!labels(tl, "server").contains(&"client_hello"), "{who}");
        // A negotiated version means a ServerHello label from the server.
        let sh = labels(tl, "server").contains(&"server_hello");
        assert_eq!(sh, !r["version"].is_null(), "{who}");
        // The first alert of the record is in the timeline, from the same side.
        if let Some(a) = r["alert"].as_object() {
            let want = format!(
                "alert:{} ({})",
                a["description"].as_str().unwrap(),
                a["level"].as_str().unwrap()
            );
            assert!(
                labels(tl, a["from"].as_str().unwrap()).contains(&want.as_str()),
                "{who}: {want}"
            );
        }
        // SYNs and RSTs are always listed.
        let syns = ev.iter().filter(|e| e["flags"] == "S").count();
        if r["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "syn_retransmitted")
        {
            assert!(syns >= 2, "{who}");
        }
        if r["outcome"] == "reset" || r["outcome"] == "refused" {
            assert!(
                ev.iter()
                    .any(|e| e["flags"].as_str().unwrap().contains('R')),
                "{who}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} TCP records");
    assert!(quic >= 5, "only {quic} QUIC records");
}

#[test]
fn no_timeline_unless_asked() {
    let (_, out, _) = tlscope(&["read", &sample("tls13-h2.pcap"), "--json"]);
    for r in sessions(&out) {
        assert!(r.get("timeline").is_none());
    }
}
