//! `read --threads N` writes the same records, in the same order, as one thread, and so does
//! `--no-bypass` (every payload copied, also of decided flows): on the
//! project's samples, on a long interleaved capture built from them (many dispatch rounds, idle
//! expiry, cross-flow findings), and on the corpus when it is present. Only the stats record's
//! `flows_peak` (the sum of the shards' peaks) and `payloads_bypassed` may differ.

mod common;

use common::{run_text as run, sample_files as samples};
use tlscope::capture::file::read_file;
use tlscope::capture::write::PacketWriter;
use tlscope::capture::{CaptureStats, RawPacket};
use tlscope::time::Timestamp;

/// The output with the stats record's `flows_peak` blanked.
fn comparable(stdout: &str) -> String {
    stdout
        .lines()
        .map(|l| {
            if l.starts_with("{\"type\":\"stats\"") {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["flows"]["flows_peak"] = serde_json::Value::Null;
                v["payloads_bypassed"] = serde_json::Value::Null;
                v.to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `read --json` with 1 and with `threads` threads on `files` (plus `extra` options), and
/// with the capture-side bypass of decided flows turned off, and asserts identical output;
/// returns the number of session records.
fn assert_same(files: &[String], extra: &[&str], threads: &[&str]) -> usize {
    let mut base: Vec<&str> = vec!["read", "--json"];
    base.extend_from_slice(extra);
    base.extend(files.iter().map(String::as_str));
    let (code, one, err) = run(&base);
    assert_eq!(code, 0, "{err}");
    let variants = threads
        .iter()
        .map(|n| vec!["--threads", n])
        .chain([vec!["--no-bypass"], vec!["--no-bypass", "--threads", "2"]]);
    for v in variants {
        let n = v.join(" ");
        let mut args = base.clone();
        args.extend(v);
        let (code, many, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        let (a, b) = (comparable(&one), comparable(&many));
        if a != b {
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "{n} differs from one thread at record {line} ({} vs {} lines)",
                a.lines().count(),
                b.lines().count()
            );
        }
    }
    one.lines()
        .filter(|l| l.contains("\"type\":\"session\""))
        .count()
}

#[test]
fn samples_give_the_same_records_with_any_thread_count() {
    let n = assert_same(&samples(), &[], &["2", "3", "8"]);
    assert!(n >= 38, "{n} sessions");
    // With timelines and the report too.
    assert_same(&samples(), &["--timeline"], &["4"]);
    let mut args: Vec<&str> = vec!["read"];
    let files = samples();
    args.extend(files.iter().map(String::as_str));
    let (_, one, _) = run(&args);
    args.extend(["--threads", "4"]);
    let (_, four, _) = run(&args);
    assert_eq!(one, four);
}

/// Copies of every sample, each shifted in time and moved to another client address, merged
/// in time order: thousands of interleaved connections over minutes of packet time.
fn interleaved_capture(copies: u8) -> String {
    let mut frames: Vec<(Timestamp, u32, Vec<u8>, u32)> = Vec::new();
    for (i, f) in samples().iter().enumerate() {
        let mut stats = CaptureStats::default();
        let mut base: Option<i64> = None;
        read_file(f, &mut stats, |p| {
            let t0 = *base.get_or_insert(p.ts.nanos());
            for c in 0..copies {
                let mut data = p.data.to_vec();
                // IPv4 over Ethernet: move the 198.18.0.x client to 198.19.c.x; the decoder
                // does not check checksums. Other frames are copied as they are (same flows).
                if p.linktype == 1 && data.len() > 34 && data[12..14] == [0x08, 0x00] {
                    for off in [26usize, 30] {
                        if data[off..off + 2] == [198, 18] && data[off + 3] == 1 {
                            data[off + 1] = 19;
                            data[off + 2] = c;
                        }
                    }
                }
                // Spread the copies 1.5 s apart, and the samples 0.4 s apart.
                let ts = 1_800_000_000_000_000_000
                    + (p.ts.nanos() - t0)
                    + i as i64 * 400_000_000
                    + c as i64 * 1_500_000_000;
                if c == 0 || data != p.data {
                    frames.push((Timestamp(ts), p.linktype, data, p.orig_len));
                }
            }
            true
        })
        .unwrap();
    }
    frames.sort_by_key(|f| f.0);
    let path = std::env::temp_dir().join(format!("tlscope-threads-{}.pcap", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    let mut w = PacketWriter::pcap(std::io::BufWriter::new(file), 1).unwrap();
    for (ts, lt, data, orig) in &frames {
        w.write(&RawPacket {
            ts: *ts,
            linktype: *lt,
            data,
            orig_len: *orig,
        })
        .unwrap();
    }
    w.finish().unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_long_interleaved_capture_gives_the_same_records() {
    let f = interleaved_capture(60);
    // A short idle timeout makes expiry scans write records all along the input.
    let n = assert_same(
        std::slice::from_ref(&f),
        &["--idle-timeout", "3"],
        &["2", "5"],
    );
    assert!(n > 1500, "{n} sessions");
    let (_, out, _) = run(&["read", "--json", "--idle-timeout", "3", &f]);
    let stats = out.lines().last().unwrap();
    let v: serde_json::Value = serde_json::from_str(stats).unwrap();
    assert!(
        v["flows"]["flows_idle_expired"].as_u64().unwrap() > 100,
        "{stats}"
    );
    assert!(
        v["decoded_segments"].as_u64().unwrap() > 20 * 512,
        "{stats}"
    );
    std::fs::remove_file(&f).ok();
}

#[test]
fn the_corpus_gives_the_same_records() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let files: Vec<String> = common::list_captures(&corpus)
        .into_iter()
        .map(|f| corpus.join(f).to_string_lossy().into_owned())
        .collect();
    let n = assert_same(&files, &[], &["3"]);
    assert!(n > 500, "{n} sessions");
}

#[test]
fn bad_thread_counts_exit_2() {
    let f = samples().remove(0);
    for (args, needle) in [
        (vec!["read", &f, "--threads", "0"], "--threads"),
        (vec!["read", &f, "--threads", "65"], "--threads"),
        (vec!["read", &f, "--threads", "2", "--tui"], "not to --tui"),
    ] {
        let (code, out, err) = run(&args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
