//! `--write-problems`: the written capture holds exactly the problem connections — read back,
//! it gives the same records for them and nothing else.

mod common;

use std::collections::BTreeSet;

use common::{run_text as tlscope, sample, sample_files};
use serde_json::Value;

fn tmp(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("tlscope-evidence-{}-{name}", std::process::id()))
        .to_string_lossy()
        .into_owned()
}

/// The identity and verdict of each session record.
fn verdicts(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] == "session")
        .map(|r| {
            format!(
                "{} {} {} {} {} {} {}",
                r["ts"],
                r["client"],
                r["server"],
                r["sni"],
                r["outcome"],
                r["version"],
                r["problems"]
            )
        })
        .collect()
}

#[test]
fn the_problem_capture_reads_back_to_the_same_problem_records() {
    let files = sample_files();
    let out = tmp("all.pcap");
    let mut args = vec!["read", "--json", "--write-problems", &out];
    args.extend(files.iter().map(String::as_str));
    let (code, stdout, stderr) = tlscope(&args);
    assert_eq!(code, 0, "{stderr}");
    let problems: BTreeSet<String> = verdicts(&stdout)
        .into_iter()
        .filter(|v| !v.contains(" \"established\" ") || !v.ends_with("[]"))
        .collect();
    assert!(problems.len() >= 20, "{problems:#?}");
    assert!(
        stderr.contains(&format!("problem connections to {out}"))
            && stderr.contains(&format!("of {} problem", problems.len())),
        "{stderr}"
    );
    // Read back: the same records, and none of the healthy ones.
    let (code, back, stderr) = tlscope(&["read", "--json", &out]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(verdicts(&back), problems);
    // One link type in, classic pcap out (nanosecond magic).
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(bytes[..4], 0xa1b2_3c4du32.to_le_bytes());
    std::fs::remove_file(&out).ok();
}

#[test]
fn a_healthy_capture_gives_an_empty_but_valid_file() {
    let out = tmp("none.pcap");
    let (code, _, stderr) = tlscope(&["read", &sample("tls13-h2.pcap"), "--write-problems", &out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("wrote 0 frames of 0 problem connections"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::metadata(&out).unwrap().len(),
        24,
        "a pcap header only"
    );
    let (code, _, stderr) = tlscope(&["read", &out]);
    assert_eq!(code, 0, "{stderr}");
    std::fs::remove_file(&out).ok();
}

#[test]
fn unusable_targets_exit_2_before_reading() {
    let f = sample("reset.pcap");
    for (args, needle) in [
        (
            vec!["read", "-", "--write-problems", "/tmp/x.pcap"],
            "cannot take stdin",
        ),
        (
            vec!["read", f.as_str(), "--write-problems", f.as_str()],
            "is one of the input files",
        ),
        (
            vec![
                "read",
                f.as_str(),
                "--write-problems",
                "/nonexistent/dir/x.pcap",
            ],
            "cannot create /nonexistent/dir/x.pcap",
        ),
    ] {
        let (code, out, err) = tlscope(&args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // The input file was not touched.
    assert!(std::fs::metadata(&f).unwrap().len() > 1000);
}
