//! `read --html FILE`: the report over every bundled sample, checked for the values in
//! `samples/README.md`, for well-formedness, for not loading anything from the network, and —
//! when `chromium` is installed — rendered headless and checked to be a real page, not a blank
//! one. Also: beside `--json`, with a closed stdout, and the exit statuses for unwritable paths.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../src/output/html/wellformed.rs"]
mod wellformed;

fn tlscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tlscope"))
}

/// The bundled captures whose totals `samples/README.md` gives below as 31 files, 548 packets
/// and 38 connections (every sample but the later `fault-*` ones, which have tests of their own).
const SAMPLES: [&str; 31] = [
    "tls13-h2",
    "tls12-cert",
    "tls12-resumption",
    "tls12-ticket-resumption",
    "tls13-resumption",
    "tls13-hrr",
    "alert",
    "alert-unrecognized-name",
    "alert-unknown-ca",
    "alert-cert-expired",
    "tls13-alert-unknown-ca",
    "tls13-client-aborted",
    "reset",
    "big-client-hello",
    "not-tls",
    "no-server-hello",
    "midstream",
    "incomplete",
    "tls-port-8443",
    "tls13-ipv6",
    "tls12-chain",
    "tls12-chain-out-of-order",
    "tls12-wrong-sni",
    "tls12-weak-key",
    "tls12-mtls",
    "tls13-pq",
    "quic-h3",
    "quic-v2",
    "quic-retry",
    "quic-alert",
    "quic-blocked",
];

fn samples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    SAMPLES
        .iter()
        .map(|n| dir.join(format!("{n}.pcap")).to_string_lossy().into_owned())
        .collect()
}

fn out_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("html-{}-{name}", std::process::id()))
}

/// Runs `read samples/*.pcap --html OUT` plus `extra`; returns (HTML, stdout).
fn report(name: &str, extra: &[&str]) -> (String, String) {
    let out = out_path(name);
    let o = tlscope()
        .arg("read")
        .args(samples())
        .arg("--html")
        .arg(&out)
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "exit {:?}: {stderr}", o.status.code());
    assert!(stderr.is_empty(), "stderr without a terminal: {stderr}");
    let html = std::fs::read_to_string(&out).unwrap();
    if name != "render.html" {
        std::fs::remove_file(&out).ok();
    }
    (html, String::from_utf8(o.stdout).unwrap())
}

fn assert_well_formed(html: &str) {
    if let Err(e) = wellformed::check(html) {
        panic!("the HTML report is not well-formed: {e}");
    }
}

/// Nothing is fetched: no `src=`, links only to anchors in the page, no CSS `url()` or
/// `@import`, and no address of anything on the web.
fn assert_self_contained(html: &str) {
    assert!(!html.contains("src="), "a src= attribute");
    for (i, _) in html.match_indices("href=") {
        let target = &html[i + 5..html.len().min(i + 40)];
        assert!(
            target.starts_with("\"#"),
            "a link that leaves the page: {target}"
        );
    }
    for bad in [
        "url(", "@import", "http://", "https://", "//fonts", "<link", "<iframe",
    ] {
        assert!(!html.contains(bad), "{bad} in the page");
    }
}

#[test]
fn html_report_of_every_sample() {
    let (html, stdout) = report("samples.html", &[]);
    // The text report still goes to stdout.
    assert!(stdout.starts_with("tlscope report"), "{stdout}");
    assert_well_formed(&html);
    assert_self_contained(&html);
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the sorting script"
    );

    // samples/README.md's capture table, these 31 rows: 548 packets, 38 connections (33 TCP,
    // 5 QUIC).
    assert!(html.contains("<div class=\"k\">Connections</div><div class=\"v\">38</div>"));
    assert!(html.contains("<div class=\"k\">Packets</div><div class=\"v\">548</div>"));
    assert!(html.contains("<div class=\"k\">Files</div><div class=\"v\">31</div>"));
    // Seven server names (README: www, expired, selfsigned, unknown, chain, weak, pq).
    assert!(html.contains("<div class=\"s\">7 server names</div>"));
    // Outcomes, from the README's per-connection table: 23 established, 6 alerts (five TCP,
    // quic-alert), 2 client_aborted, 2 no_server_hello, one each of the rest.
    assert!(html.contains("<b>23 of 38</b> connections established"));
    for (outcome, n) in [
        ("established", 23),
        ("alert", 6),
        ("client_aborted", 2),
        ("no_server_hello", 2),
        ("incomplete", 1),
        ("midstream", 1),
        ("not_tls", 1),
        ("refused", 1),
        ("reset", 1),
    ] {
        let bar = format!("<title>{outcome}: {n} connections (");
        assert!(html.contains(&bar), "outcome bar {bar}");
    }
    let tcp = html
        .find("<td class=\"label\">TCP</td>")
        .expect("transports");
    assert!(
        html[tcp..tcp + 120].contains("<td class=\"num\">33</td>"),
        "33 TCP"
    );
    // Per-SNI health, worst first: selfsigned.example.test (alert-unknown-ca,
    // tls13-alert-unknown-ca, tls13-client-aborted ×2) established none of its 4.
    let first_sni = html.find("<td class=\"sni\">").unwrap();
    assert!(html[first_sni..].starts_with("<td class=\"sni\">selfsigned.example.test</td>"));
    for sni in [
        "www.example.test",
        "expired.example.test",
        "unknown.example.test",
        "chain.example.test",
        "weak.example.test",
        "pq.example.test",
    ] {
        assert!(
            html.contains(&format!("<td class=\"sni\">{sni}</td>")),
            "{sni}"
        );
    }
    // Latency: the three measures, each with a histogram.
    for field in ["tcp_rtt_ms", "server_hello_ms", "handshake_ms"] {
        assert!(
            html.contains(&format!("<code>{field}</code></h3>")),
            "{field}"
        );
    }
    assert_eq!(html.matches("aria-label=\"latency histogram\"").count(), 3);
    // Versions, ALPN, post-quantum: tls13-pq offers X25519MLKEM768 twice, negotiates it once.
    assert!(html.contains("TLSv1.3") && html.contains("TLSv1.2"));
    assert!(html.contains("<td class=\"label\">h3 <span class=\"note\">"));
    assert!(html.contains("<td class=\"label\">X25519MLKEM768</td>"));
    assert!(html.contains("offered by the client <span class=\"muted\">(2 of 38 connections)"));
    assert!(html.contains("negotiated <span class=\"muted\">(1 of "));
    // Problems explained (src/output/explain.rs wording).
    assert!(html.contains("<code>quic_unanswered</code></td><td>the client&#39;s QUIC Initials"));
    assert!(html.contains("fatal unknown_ca from the client</td><td>the client does not trust"));
    // Every connection that did not establish is listed (38 - 23), the first ones open.
    assert_eq!(html.matches("<details class=\"conn\"").count(), 15);
    assert!(html.contains("no ServerHello from 198.18.0.4:443"));
    assert!(
        html.contains("198.18.0.1:41202 → 198.18.0.4:443"),
        "reset #2 (refused)"
    );
    // Each listed connection has its packet ladder, the two QUIC ones included.
    assert_eq!(html.matches("<svg class=\"ladder\"").count(), 15);
    assert_eq!(html.matches("No packet timeline").count(), 0);
    // alert-unrecognized-name: ClientHello, then the server's fatal unrecognized_name alert.
    let ladder = ladder_of(&html, "198.18.0.1:40801 → 198.18.0.2:443");
    let hello = ladder.find(">ClientHello<").expect("ClientHello arrow");
    let alert = ladder
        .find(">Alert unrecognized_name (fatal)<")
        .expect("alert arrow");
    assert!(hello < alert);
    // reset #1: the server's RST right after its ACK of the ClientHello.
    let ladder = ladder_of(&html, "198.18.0.1:41201 → 198.18.0.4:443");
    assert!(ladder.contains(">ClientHello<") && ladder.contains(">RST<"));
}

/// The ladder SVG of the listed connection `client → server`.
fn ladder_of<'a>(html: &'a str, endpoints: &str) -> &'a str {
    let at = html.find(endpoints).expect("connection listed");
    let from = at + html[at..].find("<svg class=\"ladder\"").expect("a ladder");
    &html[from..from + html[from..].find("</svg>").unwrap()]
}

#[test]
fn html_beside_json_keeps_stdout_json_only() {
    let (html, stdout) = report("with-json.html", &["--json"]);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("every stdout line is JSON"))
        .collect();
    assert_eq!(lines.len(), 39, "38 sessions and the stats record");
    assert_eq!(lines.last().unwrap()["type"], "stats");
    assert!(
        lines.iter().all(|l| l.get("timeline").is_none()),
        "--html does not add timelines to the JSON"
    );
    assert_well_formed(&html);
    assert!(html.contains("<b>23 of 38</b>"));
}

#[test]
fn html_is_complete_when_stdout_closes_early() {
    let out = out_path("closed-stdout.html");
    let mut child = tlscope()
        .arg("read")
        .args(samples())
        .args(["--json", "--html"])
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -0`
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    assert!(html.ends_with("</html>\n"));
    assert!(
        html.contains("<b>23 of 38</b>"),
        "every record reached the page"
    );
}

fn assert_fails(args: &[&str], code: i32, needles: &[&str]) {
    let o = tlscope().args(args).stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{stderr:?} lacks {n:?}");
    }
}

#[test]
fn unwritable_html_path_is_refused_before_reading() {
    let sample = format!("{}/samples/tls13-h2.pcap", env!("CARGO_MANIFEST_DIR"));
    assert_fails(
        &["read", &sample, "--html", "/nonexistent-dir/r.html"],
        2,
        &["--html /nonexistent-dir/r.html", "no such directory"],
    );
    let dir = env!("CARGO_TARGET_TMPDIR");
    assert_fails(&["read", &sample, "--html", dir], 2, &["is a directory"]);
    // The capture itself is never overwritten.
    let copy = out_path("input.pcap");
    std::fs::copy(&sample, &copy).unwrap();
    let copy = copy.to_str().unwrap();
    assert_fails(
        &["read", copy, "--html", copy],
        2,
        &["is one of the input files"],
    );
    assert_eq!(
        std::fs::read(copy).unwrap(),
        std::fs::read(&sample).unwrap()
    );
    std::fs::remove_file(copy).ok();
    // A clap usage error (several lines, as for every other bad flag).
    let o = tlscope()
        .args(["read", &sample, "--html", "x.html", "--tui"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot be used with '--tui'"));
    assert!(!Path::new("x.html").exists());
}

#[test]
fn html_write_failure_exits_1_with_one_line() {
    if !Path::new("/dev/full").exists() {
        println!("no /dev/full; skipping");
        return;
    }
    let sample = format!("{}/samples/tls13-h2.pcap", env!("CARGO_MANIFEST_DIR"));
    assert_fails(
        &["read", &sample, "--html", "/dev/full"],
        1,
        &["the HTML report /dev/full: No space left"],
    );
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

/// The report rendered by headless Chromium is a real page: the expected size, many colours,
/// mostly not background, and the outcome chart's green is on screen.
#[test]
fn html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        println!("chromium not found on PATH; skipping the rendering check");
        return;
    };
    let page = out_path("render.html");
    let (html, _) = report("render.html", &[]);
    assert_well_formed(&html);
    let shot = out_path("render.png");
    let profile = out_path("chromium-profile");
    let _ = std::fs::remove_file(&shot);
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::remove_dir_all(&profile).ok();
    std::fs::remove_file(&page).ok();
    let bytes = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert!(
        bytes.len() > 30_000,
        "screenshot only {} bytes",
        bytes.len()
    );
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 2000));
    let channels = info.color_type.samples();
    assert!(channels >= 3, "colour type {:?}", info.color_type);
    let mut colours = std::collections::HashSet::new();
    let (mut background, mut green) = (0usize, 0usize);
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let n = (info.width * info.height) as usize;
    for px in pixels {
        let rgb = (px[0], px[1], px[2]);
        colours.insert(rgb);
        // The page background (#f5f6f8) and white panels.
        if rgb == (0xf5, 0xf6, 0xf8) || rgb == (0xff, 0xff, 0xff) {
            background += 1;
        }
        // The "established" colour (#1f9d55), in the strip and the outcome bars.
        if rgb == (0x1f, 0x9d, 0x55) {
            green += 1;
        }
    }
    println!(
        "screenshot {}: {} bytes, {} colours, {:.0}% background, {} established-green pixels",
        shot.display(),
        bytes.len(),
        colours.len(),
        100.0 * background as f64 / n as f64,
        green
    );
    assert!(colours.len() > 200, "only {} colours", colours.len());
    assert!(background < n * 95 / 100, "a blank page");
    assert!(green > 5_000, "the outcome chart is not on screen");
}
