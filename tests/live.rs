//! `tlscope live` on the loopback interface: a real TLS server and client (Python's ssl
//! module), records in JSON Lines, a clean end on SIGTERM, and one clear line for the errors a
//! user can cause. Needs capture privileges: skipped with a notice when not root.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn tlscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tlscope"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn wait_with_deadline(child: &mut Child, secs: u64) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

/// A one-file TLS server and client on 127.0.0.1: the server answers 3 connections, the client
/// makes them with SNI live.example.test. Bounded by the server's own timeout.
const PY: &str = r#"
import socket, ssl, subprocess, sys, tempfile, threading, os
port = int(sys.argv[1])
d = tempfile.mkdtemp()
key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                "-out", crt, "-days", "2", "-subj", "/CN=live.example.test"],
               check=True, capture_output=True)
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(8); srv.settimeout(10)
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sctx.load_cert_chain(crt, key)
def serve():
    for _ in range(3):
        c, _ = srv.accept()
        try:
            s = sctx.wrap_socket(c, server_side=True); s.recv(1000)
            s.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"); s.close()
        except Exception:
            c.close()
t = threading.Thread(target=serve); t.start()
cctx = ssl.create_default_context(); cctx.check_hostname = False; cctx.verify_mode = ssl.CERT_NONE
for _ in range(3):
    s = cctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="live.example.test")
    s.sendall(b"GET / HTTP/1.1\r\nhost: live.example.test\r\n\r\n"); s.recv(100); s.close()
t.join(); srv.close()
"#;

#[test]
fn live_on_loopback_writes_records_and_ends_cleanly_on_sigterm() {
    if !is_root() {
        println!("not root: skipping the live capture test (needs capture privileges)");
        return;
    }
    let port = 44000 + (std::process::id() % 1000) as u16;
    let mut live = tlscope()
        .args([
            "live",
            "-i",
            "lo",
            "-f",
            &format!("tcp port {port}"),
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    // Started as root, it runs as nobody once the capture is open (like tcpdump -Z).
    if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", live.id())) {
        let uid = status.lines().find(|l| l.starts_with("Uid:")).unwrap_or("");
        assert_eq!(uid.split_whitespace().nth(2), Some("65534"), "{uid}");
    }
    let py = Command::new("python3")
        .args(["-c", PY, &port.to_string()])
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    // Closed connections are written after the linger time; give it that, then stop.
    std::thread::sleep(Duration::from_millis(3500));
    let pid = live.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = wait_with_deadline(&mut live, 10).expect("tlscope ends after SIGTERM");
    assert!(status.success(), "exit status {status:?}");
    let mut out = String::new();
    live.stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let sessions: Vec<&serde_json::Value> =
        records.iter().filter(|r| r["type"] == "session").collect();
    assert_eq!(sessions.len(), 3, "{out}");
    for s in &sessions {
        assert_eq!(s["outcome"], "established", "{s}");
        assert_eq!(s["sni"], "live.example.test");
        assert_eq!(s["server"], format!("127.0.0.1:{port}"));
        assert!(s["tcp_rtt_ms"].is_number());
    }
    let last = records.last().unwrap();
    assert_eq!(last["type"], "stats");
    assert_eq!(last["capture"]["dropped"], 0);
    assert!(last["packets"].as_u64().unwrap() >= 30);
}

#[test]
fn live_errors_are_one_clear_line() {
    let out = tlscope()
        .args(["live", "-i", "nosuch0", "--json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("no such interface 'nosuch0'") && err.contains("lo"),
        "{err}"
    );
    if is_root() {
        let out = tlscope()
            .args(["live", "-i", "lo", "-f", "tcp prot 1", "--json"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("bad filter 'tcp prot 1'"), "{err}");
        // Without privileges (as nobody): one line that says how to fix it.
        if let Ok(o) = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
            ])
            .arg(env!("CARGO_BIN_EXE_tlscope"))
            .args(["live", "-i", "lo", "--json"])
            .output()
        {
            let err = String::from_utf8_lossy(&o.stderr);
            if !err.contains("Permission denied") || err.contains("tlscope") {
                assert_eq!(o.status.code(), Some(2), "{err}");
                assert!(
                    err.contains("no permission to capture on lo") && err.contains("setcap"),
                    "{err}"
                );
            }
        }
    }
}

/// The dashboard as a person sees it: `tlscope live -i lo` under tmux while real clients
/// connect (three that complete, one whose server resets it), then the screen is read.
#[test]
fn dashboard_on_loopback_under_tmux() {
    let tmux_ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !is_root() || !tmux_ok {
        println!("not root or no tmux: skipping the dashboard end-to-end test");
        return;
    }
    let port = 45000 + (std::process::id() % 1000) as u16;
    let reset_port = port + 1;
    let session = format!("tlscope-test-{}", std::process::id());
    let cmd = format!(
        "{} live -i lo -f 'tcp port {port} or tcp port {reset_port}'",
        env!("CARGO_BIN_EXE_tlscope")
    );
    let started = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "120",
            "-y",
            "40",
            &cmd,
        ])
        .status()
        .unwrap();
    assert!(started.success());
    std::thread::sleep(Duration::from_millis(800));
    let py = Command::new("python3")
        .args(["-c", PY, &port.to_string()])
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    // A server that resets the connection after the ClientHello.
    let reset = format!(
        "import socket, struct, ssl\n\
         s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
         s.bind(('127.0.0.1', {reset_port})); s.listen(1); s.settimeout(10)\n\
         c = socket.create_connection(('127.0.0.1', {reset_port}))\n\
         a, _ = s.accept()\n\
         ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE\n\
         t = ctx.wrap_socket(c, server_hostname='blocked.example.test', do_handshake_on_connect=False)\n\
         t.setblocking(False)\n\
         try:\n    t.do_handshake()\nexcept ssl.SSLWantReadError:\n    pass\n\
         a.recv(4096)\n\
         a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); a.close()\n"
    );
    let r = Command::new("python3")
        .args(["-c", &reset])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    // Closed connections reach the dashboard after the linger time.
    std::thread::sleep(Duration::from_millis(4000));
    let screen = Command::new("tmux")
        .args(["capture-pane", "-t", &session, "-p"])
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&screen.stdout).into_owned();
    let _ = Command::new("tmux")
        .args(["send-keys", "-t", &session, "q"])
        .status();
    std::thread::sleep(Duration::from_millis(500));
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
    assert!(screen.contains("live.example.test"), "{screen}");
    assert!(screen.contains("established 3"), "{screen}");
    assert!(screen.contains("reset 1"), "{screen}");
    assert!(screen.contains("blocked.example.test"), "{screen}");
}
