//! The command line's contract: exit statuses, one clear line on stderr for unusable input,
//! nothing but JSON on stdout with --json, stdin input, and a closed stdout.

use std::io::Write;
use std::process::{Command, Stdio};

fn tlscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tlscope"))
}

fn sample(name: &str) -> String {
    format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str, bytes: &[u8]) -> String {
    let p = std::env::temp_dir().join(format!("tlscope-cli-{}-{name}", std::process::id()));
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

/// Runs tlscope and checks: exit status 2, empty stdout, exactly one stderr line containing
/// every `needle`.
fn assert_usage_error(args: &[&str], needles: &[&str]) {
    let out = tlscope().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "args {args:?}: stderr {stderr}");
    assert!(out.stdout.is_empty(), "args {args:?}: stdout must be empty");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line, got: {stderr}"
    );
    for n in needles {
        assert!(stderr.contains(n), "args {args:?}: {stderr:?} lacks {n:?}");
    }
}

#[test]
fn unusable_inputs_exit_2_with_one_line() {
    assert_usage_error(&["read", "/nonexistent/capture.pcap"], &["no such file"]);
    let dir = std::env::temp_dir();
    assert_usage_error(&["read", dir.to_str().unwrap()], &["is a directory"]);
    let empty = tmp("empty.pcap", b"");
    assert_usage_error(&["read", &empty], &["empty file"]);
    let text = tmp("notes.pcap", b"this is not a capture file at all\n");
    assert_usage_error(&["read", &text], &["not a pcap or pcapng capture"]);
    assert_usage_error(
        &["read", &sample("tls13-h2.pcap"), "-f", "tcp prot 443"],
        &["bad filter"],
    );
    // The good file first, the bad one second: still refused before any output.
    assert_usage_error(&["read", &sample("tls13-h2.pcap"), &text], &["not a pcap"]);
    std::fs::remove_file(empty).ok();
    std::fs::remove_file(text).ok();
}

#[test]
fn bad_command_line_exits_2() {
    let out = tlscope().args(["read"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = tlscope().args(["frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = tlscope().args(["--version"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn json_output_is_only_json_lines_ending_in_stats() {
    let out = tlscope()
        .args(["read", &sample("tls12-resumption.pcap"), "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert!(lines.len() >= 3);
    assert!(lines.iter().all(|l| l["type"].is_string()));
    assert_eq!(lines.last().unwrap()["type"], "stats");
    assert_eq!(lines.iter().filter(|l| l["type"] == "session").count(), 2);
}

#[test]
fn stdin_gives_the_same_records_as_the_file() {
    let path = sample("tls13-h2.pcap");
    let from_file = tlscope()
        .args(["read", &path, "--json"])
        .output()
        .unwrap()
        .stdout;
    let mut child = tlscope()
        .args(["read", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&path).unwrap())
        .unwrap();
    let from_stdin = child.wait_with_output().unwrap();
    assert!(from_stdin.status.success());
    assert_eq!(
        String::from_utf8_lossy(&from_stdin.stdout),
        String::from_utf8_lossy(&from_file)
    );
}

#[test]
fn several_files_are_read_in_order_and_filter_narrows() {
    let a = sample("tls13-h2.pcap");
    let b = sample("tls12-cert.pcap");
    let out = tlscope().args(["read", &a, &b, "--json"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let sessions: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "session")
        .collect();
    assert_eq!(sessions.len(), 2);
    let stats: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(stats["files"], 2);

    let out = tlscope()
        .args(["read", &a, &b, "--json", "-f", "tcp port 9"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "only the stats record: {text}");
    let stats: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert!(stats["capture"]["filtered_out"].as_u64().unwrap() > 0);
}

#[test]
fn closed_stdout_is_not_an_error() {
    let mut child = tlscope()
        .args(["read", &sample("tls12-resumption.pcap"), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn report_names_the_outcomes() {
    let out = tlscope()
        .args(["read", &sample("reset.pcap")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Outcomes:"));
    assert!(text.contains("refused"));
    assert!(text.contains("reset"));
    assert!(text.contains("Connections that did not establish (2)"));
}
