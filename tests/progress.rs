//! The `read` progress bar: drawn on stderr when stderr is a terminal (run here under a pty
//! with util-linux `script`), and completely absent otherwise, with `--no-progress`/`--quiet`,
//! and when JSON Lines stream to the same terminal.

use std::process::{Command, Stdio};

fn sample(name: &str) -> String {
    format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Runs `shell_cmd` under a pseudo-terminal; returns everything written to the terminal, or
/// `None` (with a notice) when `script` is not installed.
fn on_a_terminal(shell_cmd: &str) -> Option<String> {
    let probe = Command::new("script")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        println!("`script` (util-linux) not found; skipping the terminal check");
        return None;
    }
    let o = Command::new("script")
        .args(["-q", "-e", "-f", "-c", shell_cmd, "/dev/null"])
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{shell_cmd}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

fn tlscope_cmd(args: &[&str]) -> String {
    let mut cmd = quote(env!("CARGO_BIN_EXE_tlscope"));
    for a in args {
        cmd.push(' ');
        cmd.push_str(&quote(a));
    }
    cmd
}

#[test]
fn progress_bar_on_a_terminal() {
    let files = [
        sample("tls13-pq.pcap"),
        sample("quic-blocked.pcap"),
        sample("tls12-mtls.pcap"),
    ];
    let mut args = vec!["read"];
    args.extend(files.iter().map(String::as_str));
    let Some(tty) = on_a_terminal(&format!("{} > /dev/null", tlscope_cmd(&args))) else {
        return;
    };
    // Bytes of the total size, rate, packets and sessions.
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert!(tty.contains("reading ["), "{tty:?}");
    let total_kb = format!("/{:.2} kB", total as f64 / 1000.0);
    assert!(tty.contains(&total_kb), "{total_kb} in {tty:?}");
    assert!(tty.contains("B/s"), "a rate: {tty:?}");
    assert!(tty.contains(" packets · ") && tty.contains(" established)"));
    // The bar is cleared at the end: the last thing written erases the line.
    assert!(tty.trim_end().ends_with("\x1b[2K") || tty.trim_end().ends_with("\x1b[1A"));
}

#[test]
fn spinner_for_stdin() {
    let cmd = format!(
        "cat {} | {} > /dev/null",
        quote(&sample("tls13-h2.pcap")),
        tlscope_cmd(&["read", "-"])
    );
    let Some(tty) = on_a_terminal(&cmd) else {
        return;
    };
    assert!(tty.contains("reading stdin: "), "{tty:?}");
    assert!(!tty.contains("ETA"), "no total, no ETA: {tty:?}");
}

#[test]
fn no_bar_when_turned_off_or_when_json_shares_the_terminal() {
    let f = sample("tls13-h2.pcap");
    for args in [["read", &f, "--no-progress"], ["read", &f, "--quiet"]] {
        let cmd = format!("{} > /dev/null", tlscope_cmd(&args));
        let Some(tty) = on_a_terminal(&cmd) else {
            return;
        };
        assert!(tty.trim().is_empty(), "{args:?}: {tty:?}");
    }
    // JSON Lines on the terminal itself: records, no bar.
    let Some(tty) = on_a_terminal(&tlscope_cmd(&["read", &f, "--json"])) else {
        return;
    };
    assert!(tty.contains("\"type\":\"stats\""), "{tty:?}");
    assert!(!tty.contains("reading"), "{tty:?}");
}

#[test]
fn stderr_is_silent_without_a_terminal() {
    let f = sample("tls13-h2.pcap");
    let html = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("progress-{}.html", std::process::id()));
    for extra in [
        vec![],
        vec!["--json"],
        vec!["--html", html.to_str().unwrap()],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_tlscope"))
            .args(["read", &f])
            .args(&extra)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(o.status.success());
        assert!(!o.stdout.is_empty());
        assert!(
            o.stderr.is_empty(),
            "{extra:?}: {:?}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    std::fs::remove_file(html).ok();
}
