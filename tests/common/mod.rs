//! Shared helpers for the integration tests that run the built `tlscope` binary over the
//! capture corpus in `../shared/corpus` (see `docs/conformance.md`).
//!
//! Nothing here depends on the crate's own code: the tests only talk to the binary through
//! its command line and its JSON Lines output (`/work/shared/SPEC.md`).

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Path of the built binary under test.
pub const TLSCOPE: &str = env!("CARGO_BIN_EXE_tlscope");

/// Number of `tlscope` processes a test runs at the same time.
pub const WORKERS: usize = 2;

/// The corpus location, relative to the crate root. Captures are never copied into the repository.
pub fn corpus_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"))
}

/// The corpus directory if it is present; otherwise prints the skip notice and returns `None`
/// (the calling test then returns and passes).
pub fn corpus_dir() -> Option<PathBuf> {
    let p = corpus_path();
    if p.is_dir() {
        Some(p)
    } else {
        println!("corpus not found at {}; skipping", p.display());
        None
    }
}

/// Per-run timeout: `TLSCOPE_TEST_TIMEOUT_SECS` (default 300 s, generous for debug builds).
pub fn run_timeout() -> Duration {
    let secs = std::env::var("TLSCOPE_TEST_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(300);
    Duration::from_secs(secs)
}

// ---------------------------------------------------------------------------------------------
// Capture files
// ---------------------------------------------------------------------------------------------

/// Every capture file under `dir` (`*.pcap`, `*.pcapng`, `*.cap`, `*.gz`), skipping any
/// directory called `_baselines` or `tools`. Sorted, relative to `dir`, `/`-separated.
pub fn list_captures(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in rd.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if name == "_baselines" || name == "tools" {
                    continue;
                }
                walk(base, &path, out);
            } else if ft.is_file() {
                let lower = name.to_ascii_lowercase();
                if [".pcap", ".pcapng", ".cap", ".gz"]
                    .iter()
                    .any(|e| lower.ends_with(e))
                    && let Ok(rel) = path.strip_prefix(base)
                {
                    let rel: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    out.push(rel.join("/"));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A capture ready to hand to `tlscope read`: the file itself, or a decompressed temporary copy
/// (removed on drop) for `*.gz`.
pub struct Input {
    pub path: PathBuf,
    temp: Option<PathBuf>,
}

impl Drop for Input {
    fn drop(&mut self) {
        if let Some(t) = &self.temp {
            let _ = std::fs::remove_file(t);
        }
    }
}

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// `flate2` is not in Cargo.lock, so `.gz` captures are decompressed with `gzip -dc` into a
/// uniquely named file in the system temp directory.
pub fn prepare_input(path: &Path) -> Result<Input, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.to_ascii_lowercase().ends_with(".gz") {
        return Ok(Input {
            path: path.to_path_buf(),
            temp: None,
        });
    }
    let stem = &name[..name.len() - 3];
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = std::env::temp_dir().join(format!(
        "tlscope-test-{}-{}-{}",
        std::process::id(),
        n,
        stem
    ));
    let file = std::fs::File::create(&tmp).map_err(|e| format!("create {}: {e}", tmp.display()))?;
    let input = Input {
        path: tmp.clone(),
        temp: Some(tmp),
    };
    let out = Command::new("gzip")
        .arg("-dc")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run gzip -dc {}: {e}", path.display()))?;
    if !out.status.success() {
        return Err(format!(
            "gzip -dc {} failed ({}): {}",
            path.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(input)
}

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

pub struct RunOutput {
    /// `None` when the process could not be started or had to be killed after the timeout.
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
    pub spawn_error: Option<String>,
    pub elapsed: Duration,
}

impl RunOutput {
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Exit code, or a description of why there is none.
    pub fn describe_status(&self) -> String {
        if let Some(e) = &self.spawn_error {
            return format!("could not start: {e}");
        }
        if self.timed_out {
            return format!("timed out after {:.0?} and was killed", self.elapsed);
        }
        match self.status {
            Some(s) => match s.code() {
                Some(c) => format!("exit {c}"),
                None => format!("terminated by signal ({s})"),
            },
            None => "no status".to_string(),
        }
    }
}

/// `tlscope ARGS...` with the default timeout: (exit code, -1 without one; stdout; stderr) as
/// text. Panics when it cannot start or times out.
pub fn run_text(args: &[&str]) -> (i32, String, String) {
    let out = run_tlscope(args, run_timeout());
    assert!(
        out.spawn_error.is_none() && !out.timed_out,
        "tlscope {args:?}: {}",
        out.describe_status()
    );
    (
        out.status.and_then(|s| s.code()).unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.stderr_text(),
    )
}

/// The path of a capture in the project's `samples/`.
pub fn sample(name: &str) -> String {
    format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Every `samples/*.pcap`, sorted.
pub fn sample_files() -> Vec<String> {
    let dir = format!("{}/samples", env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("samples/")
        .filter_map(|e| e.ok())
        .map(|e| e.path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".pcap"))
        .collect();
    v.sort();
    v
}

/// Runs `tlscope ARGS...` with stdin closed, collecting stdout and stderr, killing the process
/// (the one we started, by its handle) if it runs longer than `timeout`.
pub fn run_tlscope<S: AsRef<OsStr>>(args: &[S], timeout: Duration) -> RunOutput {
    let start = Instant::now();
    let mut child = match Command::new(TLSCOPE)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            return RunOutput {
                status: None,
                stdout: Vec::new(),
                stderr: Vec::new(),
                timed_out: false,
                spawn_error: Some(format!("{TLSCOPE}: {e}")),
                elapsed: start.elapsed(),
            };
        }
    };
    let mut out_pipe = child.stdout.take().expect("stdout piped");
    let mut err_pipe = child.stderr.take().expect("stderr piped");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) => {
                if start.elapsed() > timeout {
                    timed_out = true;
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => break None,
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    RunOutput {
        status,
        stdout,
        stderr,
        timed_out,
        spawn_error: None,
        elapsed: start.elapsed(),
    }
}

/// Maps `f` over `items` on `workers` scoped threads; results keep the input order.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= items.len() {
                        break;
                    }
                    let r = f(&items[i]);
                    slots.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
                }
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|r| r.expect("every item processed"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// JSON Lines
// ---------------------------------------------------------------------------------------------

/// Parses `--json` output. Returns the objects that parsed and one message per bad line
/// (not UTF-8, not JSON, not an object, no string `"type"`).
pub fn parse_json_lines(stdout: &[u8]) -> (Vec<Value>, Vec<String>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let text = match std::str::from_utf8(stdout) {
        Ok(t) => t,
        Err(e) => {
            errors.push(format!("stdout is not UTF-8: {e}"));
            return (records, errors);
        }
    };
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        match serde_json::from_str::<Value>(line) {
            Ok(v) => {
                if !v.is_object() {
                    errors.push(format!(
                        "line {lineno}: not a JSON object: {}",
                        excerpt(line, 120)
                    ));
                } else if !v.get("type").is_some_and(Value::is_string) {
                    errors.push(format!(
                        "line {lineno}: no string \"type\" field: {}",
                        excerpt(line, 120)
                    ));
                } else {
                    records.push(v);
                }
            }
            Err(e) => errors.push(format!(
                "line {lineno}: not JSON ({e}): {}",
                excerpt(line, 120)
            )),
        }
    }
    (records, errors)
}

/// `s` on one line (line breaks shown as ` ⏎ `), cut to `max` characters.
pub fn excerpt(s: &str, max: usize) -> String {
    let joined = s
        .trim()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" ⏎ ");
    let s = joined.as_str();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------

/// `ip:port`, `[ipv6]:port`, or a bare IP (port `None`). IPv6 addresses compare by value, so
/// `2607:f8b0:400a:0800:0000:0000:0000:200e` equals `2607:f8b0:400a:800::200e`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub ip: IpAddr,
    pub port: Option<u16>,
}

impl Endpoint {
    pub fn parse(s: &str) -> Option<Endpoint> {
        let s = s.trim();
        if let Ok(sa) = s.parse::<SocketAddr>() {
            return Some(Endpoint {
                ip: sa.ip(),
                port: Some(sa.port()),
            });
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Some(Endpoint { ip, port: None });
        }
        if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']'))
            && let Ok(ip) = inner.parse::<IpAddr>()
        {
            return Some(Endpoint { ip, port: None });
        }
        // IPv6 with a zone id or other oddities: try `[addr]:port` by hand.
        if let Some(rest) = s.strip_prefix('[')
            && let Some((addr, port)) = rest.split_once("]:")
        {
            let addr = addr.split('%').next().unwrap_or(addr);
            if let (Ok(ip), Ok(port)) = (addr.parse::<IpAddr>(), port.parse::<u16>()) {
                return Some(Endpoint {
                    ip,
                    port: Some(port),
                });
            }
        }
        None
    }

    /// Same IP, and the same port when both sides state one.
    pub fn matches(&self, other: &Endpoint) -> bool {
        self.ip == other.ip
            && (self.port.is_none() || other.port.is_none() || self.port == other.port)
    }
}

// ---------------------------------------------------------------------------------------------
// MD5 (RFC 1321), for `tls.ja3.string` → JA3 hash. Kept here so the tests do not depend on
// which hashing crates the package happens to list.
// ---------------------------------------------------------------------------------------------

pub fn md5_hex(data: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    const K: [u32; 64] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    let (mut a0, mut b0, mut c0, mut d0) =
        (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    for chunk in msg.chunks_exact(64) {
        let m: Vec<u32> = chunk
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(K[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    let mut out = String::with_capacity(32);
    for w in [a0, b0, c0, d0] {
        for byte in w.to_le_bytes() {
            out.push_str(&format!("{byte:02x}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Distinguished names
// ---------------------------------------------------------------------------------------------

/// How a distinguished name was printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnStyle {
    /// OpenSSL `X509_NAME_print_ex(.., XN_FLAG_RFC2253)` as Zeek logs it: last RDN first, `,`
    /// between RDNs and `+` inside a multi-valued one, RFC 2253 backslash escapes (`\,` `\+`
    /// `\"` `\\` `\<` `\>` `\;` `\=` `\#` `\ ` and `\XX` for a byte) plus Zeek's own `\xHH`
    /// log escape for non-printable bytes.
    Rfc2253,
    /// x509-parser's `Display` (tlscope, and Suricata, which uses the same crate) and nDPI:
    /// certificate order, `, ` between RDNs, ` + ` inside a multi-valued one, no escaping. A
    /// separator only counts when an attribute type and `=` follow it, so `O=GitHub, Inc.` stays
    /// one value.
    Display,
}

/// One attribute of a name: canonical attribute type (see [`canonical_attr`]) and value.
pub type Ava = (String, String);

/// Canonical spelling of an attribute type, so that OpenSSL's, x509-parser's and nDPI's names
/// (and dotted OIDs, and x509-parser's `OID(…)` for types it does not know) compare equal.
pub fn canonical_attr(name: &str) -> String {
    let n = name.trim();
    let n = n
        .strip_prefix("OID(")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(n);
    let canon = match n.to_ascii_lowercase().as_str() {
        "cn" | "commonname" | "2.5.4.3" => "CN",
        "sn" | "surname" | "2.5.4.4" => "surname",
        "serialnumber" | "2.5.4.5" => "serialNumber",
        "c" | "countryname" | "2.5.4.6" => "C",
        "l" | "localityname" | "2.5.4.7" => "L",
        "st" | "s" | "stateorprovincename" | "2.5.4.8" => "ST",
        "street" | "streetaddress" | "2.5.4.9" => "street",
        "o" | "organizationname" | "2.5.4.10" => "O",
        "ou" | "organizationalunitname" | "organizationalunit" | "2.5.4.11" => "OU",
        "title" | "2.5.4.12" => "title",
        "description" | "2.5.4.13" => "description",
        "businesscategory" | "2.5.4.15" => "businessCategory",
        "postalcode" | "2.5.4.17" => "postalCode",
        "name" | "2.5.4.41" => "name",
        "gn" | "givenname" | "2.5.4.42" => "givenName",
        "initials" | "2.5.4.43" => "initials",
        "dnqualifier" | "2.5.4.46" => "dnQualifier",
        "organizationidentifier" | "2.5.4.97" => "organizationIdentifier",
        "dc" | "domaincomponent" | "0.9.2342.19200300.100.1.25" => "DC",
        "uid" | "userid" | "0.9.2342.19200300.100.1.1" => "UID",
        "emailaddress" | "email" | "e" | "1.2.840.113549.1.9.1" => "emailAddress",
        "unstructuredname" | "1.2.840.113549.1.9.2" => "unstructuredName",
        "jurisdictionl"
        | "jurisdictionlocalityname"
        | "msjurisdictionlocality"
        | "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "jurisdictionst"
        | "jurisdictionstateorprovincename"
        | "msjurisdictionstateorprovince"
        | "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        "jurisdictionc"
        | "jurisdictioncountryname"
        | "msjurisdictioncountry"
        | "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        _ => return n.to_string(),
    };
    canon.to_string()
}

/// `s` starts with an attribute type followed by `=`: a letter then letters, digits or `-`;
/// a dotted OID; or x509-parser's `OID(1.2.3)`.
fn starts_with_attr_type(s: &str) -> bool {
    let b = s.as_bytes();
    let end = if s.starts_with("OID(") {
        s.find(')').map(|i| i + 1)
    } else if b.first().is_some_and(u8::is_ascii_alphabetic) {
        Some(
            b.iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'-'))
                .unwrap_or(b.len()),
        )
    } else if b.first().is_some_and(u8::is_ascii_digit) {
        Some(
            b.iter()
                .position(|c| !(c.is_ascii_digit() || *c == b'.'))
                .unwrap_or(b.len()),
        )
    } else {
        None
    };
    end.is_some_and(|e| b.get(e) == Some(&b'='))
}

fn push_ava(out: &mut Vec<Ava>, attr: &str, value: &str) {
    out.push((canonical_attr(attr), value.trim().to_string()));
}

/// Splits a printed distinguished name into its attributes (see [`DnStyle`]). Values are
/// unescaped and trimmed; attribute types are canonical. A part without `=` is glued to the
/// previous value (it can only be a comma inside a value).
pub fn parse_dn(s: &str, style: DnStyle) -> Vec<Ava> {
    match style {
        DnStyle::Display => {
            let mut parts: Vec<String> = Vec::new();
            let mut cur = String::new();
            let mut rest = s;
            while !rest.is_empty() {
                // A separator is ", " / "," or " + " / "+" followed by an attribute type and '='.
                let sep = [", ", ",", " + ", "+"].iter().find_map(|sep| {
                    rest.strip_prefix(sep)
                        .filter(|after| !cur.is_empty() && starts_with_attr_type(after))
                });
                if let Some(after) = sep {
                    parts.push(std::mem::take(&mut cur));
                    rest = after;
                    continue;
                }
                let c = rest.chars().next().expect("non-empty");
                cur.push(c);
                rest = &rest[c.len_utf8()..];
            }
            if !cur.is_empty() {
                parts.push(cur);
            }
            let mut out = Vec::new();
            for p in parts {
                match p.split_once('=') {
                    Some((a, v)) => push_ava(&mut out, a, v),
                    None => {
                        if let Some(last) = out.last_mut() {
                            last.1.push_str(", ");
                            last.1.push_str(p.trim());
                        }
                    }
                }
            }
            out
        }
        DnStyle::Rfc2253 => {
            let hexval = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
            let b = s.as_bytes();
            let mut out = Vec::new();
            let mut attr = String::new();
            let mut val: Vec<u8> = Vec::new();
            let mut in_value = false;
            let mut i = 0;
            let finish = |out: &mut Vec<Ava>, attr: &mut String, val: &mut Vec<u8>| {
                if !attr.trim().is_empty() || !val.is_empty() {
                    push_ava(out, attr, &String::from_utf8_lossy(val));
                }
                attr.clear();
                val.clear();
            };
            while i < b.len() {
                let c = b[i];
                if c == b'\\' && i + 1 < b.len() {
                    let n = b[i + 1];
                    // Zeek's log escape \xHH, then RFC 2253's \HH, then \<special>.
                    if n == b'x'
                        && i + 3 < b.len()
                        && let (Some(h), Some(l)) = (hexval(b[i + 2]), hexval(b[i + 3]))
                    {
                        val.push(h << 4 | l);
                        i += 4;
                        continue;
                    }
                    if i + 2 < b.len()
                        && let (Some(h), Some(l)) = (hexval(n), hexval(b[i + 2]))
                    {
                        val.push(h << 4 | l);
                        i += 3;
                        continue;
                    }
                    if in_value {
                        val.push(n);
                    } else {
                        attr.push(n as char);
                    }
                    i += 2;
                    continue;
                }
                if !in_value {
                    if c == b'=' {
                        in_value = true;
                    } else {
                        attr.push(c as char);
                    }
                } else if c == b',' || c == b'+' || c == b';' {
                    finish(&mut out, &mut attr, &mut val);
                    in_value = false;
                } else {
                    val.push(c);
                }
                i += 1;
            }
            finish(&mut out, &mut attr, &mut val);
            out
        }
    }
}

/// The attributes of a name as a sorted multiset, for order-insensitive comparison.
pub fn dn_multiset(mut avas: Vec<Ava>) -> Vec<Ava> {
    avas.sort();
    avas
}
