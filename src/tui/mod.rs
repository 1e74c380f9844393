//! The dashboard: a ratatui/crossterm screen that renders [`Snapshot`]s.
//!
//! The UI thread owns the terminal and the UI state, and nothing else: it receives snapshots
//! built by the analysis thread (`stats::snapshot::Aggregator`), keeps the latest, and draws
//! (snapshot, UI state) at most [`MAX_FPS`] times a second. Nothing in `tui/` touches flows,
//! tables or the capture. `app` holds the UI state and key handling, `views` the pure render
//! functions, and this module the loop and the terminal's setup and restoration (on return, on
//! error and on panic).

pub mod app;
pub mod views;

use std::io;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use crossterm::event::{self, Event};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::stats::snapshot::Snapshot;
use app::{Action, UiState};

/// Frames per second at most: enough to look live, cheap enough not to steal the analysis'
/// CPU.
pub const MAX_FPS: u32 = 10;
const FRAME: Duration = Duration::from_millis(1000 / MAX_FPS as u64);

/// Run the dashboard until the user quits (`q`, Esc, Ctrl-C) or `quit` receives a message or
/// disconnects (SIGTERM, a failed worker: any reason the caller has to stop; its senders
/// dropping counts, so keep one where its end should end the dashboard, or pass
/// `crossbeam_channel::never()`). When `snapshots` closes, the last snapshot stays on screen,
/// marked as ended, until the user quits. The terminal is restored before returning, also on
/// error, and on panic (ratatui's panic hook, installed here, restores it on a panic in any
/// thread so the message is readable).
pub fn run(snapshots: Receiver<Snapshot>, quit: Receiver<()>) -> io::Result<()> {
    let _restore = RestoreOnDrop;
    let mut terminal = ratatui::try_init()?;
    let mut screen = Screen {
        dirty: true,
        ..Screen::default()
    };
    let mut last_draw: Option<Instant> = None;
    loop {
        screen.receive(&snapshots);
        if !matches!(quit.try_recv(), Err(TryRecvError::Empty)) {
            return Ok(());
        }
        let due = last_draw.is_none_or(|t| t.elapsed() >= FRAME);
        if screen.dirty && due {
            terminal.draw(|f| views::render(f, &screen.shown, &screen.ui))?;
            screen.dirty = false;
            last_draw = Some(Instant::now());
        }
        // Wait for a key: until the pending frame is due, else one frame (snapshots are picked
        // up on waking, so they show at most one frame late).
        let wait = match last_draw {
            Some(t) if screen.dirty => FRAME.saturating_sub(t.elapsed()),
            _ => FRAME,
        };
        if event::poll(wait.max(Duration::from_millis(1)))? {
            match event::read()? {
                Event::Key(k) => {
                    let size = terminal.size()?;
                    let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
                    if screen.key(k, area) == Action::Quit {
                        return Ok(());
                    }
                }
                Event::Resize(..) => screen.dirty = true,
                _ => {}
            }
        }
    }
}

/// Restores the terminal when `run` returns or unwinds through an error.
struct RestoreOnDrop;

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// What the loop keeps besides the terminal: the displayed snapshot, the newest one received
/// (shown unless paused), and the UI state.
#[derive(Default)]
struct Screen {
    ui: UiState,
    shown: Snapshot,
    dirty: bool,
}

impl Screen {
    /// Take every snapshot waiting (the newest wins); show it unless paused.
    fn receive(&mut self, rx: &Receiver<Snapshot>) {
        let mut newest = None;
        loop {
            match rx.try_recv() {
                Ok(s) => newest = Some(s),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if !self.ui.ended {
                        self.ui.ended = true;
                        self.dirty = true;
                    }
                    break;
                }
            }
        }
        if let Some(s) = newest {
            self.offer(s);
        }
    }

    fn offer(&mut self, s: Snapshot) {
        if self.ui.paused {
            return;
        }
        self.ui.follow(&self.shown, &s);
        self.shown = s;
        self.dirty = true;
    }

    /// Apply a key; `area` is the terminal's size (to bound the detail view's scrolling).
    fn key(&mut self, k: event::KeyEvent, area: ratatui::layout::Rect) -> Action {
        let action = self.ui.on_key(k);
        match action {
            Action::OpenDetail => self.ui.open_detail(&self.shown),
            Action::Quit => return action,
            Action::None => return action,
            Action::Redraw => {}
        }
        self.ui.clamp(&self.shown);
        if let Some(r) = &self.ui.detail {
            self.ui.detail_scroll = self
                .ui
                .detail_scroll
                .min(views::detail_scroll_limit(r, area));
        }
        self.dirty = true;
        action
    }
}

/// The dashboard as text, `width`×`height` cells, one line per row: for tests, documentation
/// and a screen capture of a run without a terminal.
pub fn render_text(snapshot: &Snapshot, ui: &UiState, width: u16, height: u16) -> String {
    let mut terminal =
        Terminal::new(TestBackend::new(width, height)).expect("the test backend cannot fail");
    terminal
        .draw(|f| views::render(f, snapshot, ui))
        .expect("the test backend cannot fail");
    let buf = terminal.backend().buffer();
    let mut out = String::with_capacity((width as usize + 1) * height as usize);
    for y in 0..height {
        let mut skip = 0;
        for x in 0..width {
            let cell = &buf[(x, y)];
            if skip > 0 {
                skip -= 1;
                continue;
            }
            out.push_str(cell.symbol());
            skip = unicode_width(cell.symbol()).saturating_sub(1);
        }
        while out.ends_with(' ') {
            out.pop();
        }
        out.push('\n');
    }
    out
}

/// Display width of a cell's symbol (the wide ones cover the next cell).
fn unicode_width(s: &str) -> usize {
    ratatui::text::Span::raw(s).width()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::app::Panel;
    use super::*;
    use crate::output::record::{AlertRecord, CertRecord, ChainCertRecord};
    use crate::stats::snapshot::{Aggregator, LiveCounters, test_record};
    use crate::time::Timestamp;

    const T0: i64 = 1_700_000_000;

    fn t(s: i64, ms: u32) -> Timestamp {
        Timestamp::from_secs_nanos(T0 + s, ms * 1_000_000)
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    /// A busy minute: two big SNIs, failures of several kinds, QUIC, PQ, drops.
    fn busy() -> Snapshot {
        let mut a = Aggregator::new();
        for i in 0..300i64 {
            let s = i / 5;
            let mut r = test_record(
                Some(if i % 3 == 0 {
                    "api.example.com"
                } else {
                    "www.example.org"
                }),
                "established",
                t(s, (i % 5) as u32 * 100),
                Some(20.0 + (i % 40) as f64),
            );
            if i % 10 == 0 {
                r.transport = "quic";
                r.quic_version = Some("1".into());
                r.group = Some("X25519MLKEM768".into());
                r.pq_negotiated = true;
                r.pq_offered = true;
            }
            a.add(&r);
        }
        let mut alert = test_record(Some("bad.example.net"), "alert", t(58, 0), None);
        alert.detail = "fatal unknown_ca from the client: it rejected the certificate".into();
        alert.alert = Some(AlertRecord {
            from: "client",
            level: "fatal",
            description: "unknown_ca".into(),
        });
        alert.alerts = vec![alert.alert.clone().unwrap()];
        alert.problems = vec!["untrusted_issuer"];
        alert.cert = Some(CertRecord {
            subject: "CN=bad.example.net".into(),
            issuer: "CN=Corp Proxy CA".into(),
            san: vec!["bad.example.net".into()],
            not_before: "2024-01-01T00:00:00Z".into(),
            not_after: "2025-01-01T00:00:00Z".into(),
            chain_len: 1,
            self_signed: false,
            sni_match: Some(true),
            key_type: "RSA".into(),
            key_bits: Some(2048),
            sig_alg: "sha256WithRSAEncryption".into(),
            serial: "01".into(),
            sha256: None,
            sha1: None,
            chain: vec![ChainCertRecord {
                subject: "CN=bad.example.net".into(),
                issuer: "CN=Corp Proxy CA".into(),
                not_before: "2024-01-01T00:00:00Z".into(),
                not_after: "2025-01-01T00:00:00Z".into(),
                key_type: "RSA".into(),
                key_bits: Some(2048),
                sig_alg: "sha256WithRSAEncryption".into(),
                serial: "01".into(),
                sha256: None,
            }],
        });
        a.add(&alert);
        let mut silent = test_record(Some("blocked.example"), "no_server_hello", t(59, 0), None);
        silent.detail = "the server never answered the ClientHello".into();
        silent.problems = vec!["server_silent_after_client_hello"];
        a.add(&silent);
        a.add(&test_record(None, "no_syn_ack", t(59, 500), None));
        a.set_counters(LiveCounters {
            packets: 12_000,
            bytes: 9_000_000,
            kernel_received: 12_010,
            kernel_dropped: 7,
            iface_dropped: 0,
            queue_dropped: 3,
            first_ts: Some(t(0, 0)),
            last_ts: Some(t(59, 900)),
        });
        a.snapshot(t(59, 900), "eth0", "tcp port 443 or udp port 443")
    }

    fn screen(snap: &Snapshot, ui: &UiState, w: u16, h: u16) -> String {
        let s = render_text(snap, ui, w, h);
        assert_eq!(s.lines().count(), h as usize);
        s
    }

    #[test]
    fn compact_80x24_shows_header_outcomes_and_snis() {
        let snap = busy();
        let s = screen(&snap, &UiState::default(), 80, 24);
        for want in [
            "tlscope",
            "eth0",
            "established",
            "alert",
            "no_server_hello",
            "no_syn_ack",
            "api.example.com",
            "www.example.org",
            "p99",
            "drops 10",
            "[SNIs]",
            "ok",
            "fail",
        ] {
            assert!(s.contains(want), "{want:?} missing in\n{s}");
        }
        assert!(s.lines().all(|l| l.chars().count() <= 80));
    }

    #[test]
    fn compact_tabs_show_each_panel() {
        let snap = busy();
        let mut ui = UiState::default();
        ui.on_key(key(KeyCode::Tab));
        let s = screen(&snap, &ui, 80, 24);
        assert!(
            s.contains("[Latency]") && s.contains("p99") && s.contains("histogram"),
            "{s}"
        );
        assert!(s.contains("all connections"), "{s}");
        ui.on_key(key(KeyCode::Tab));
        let s = screen(&snap, &ui, 80, 24);
        for want in [
            "[Protocols]",
            "TLSv1.3",
            "x25519",
            "X25519MLKEM768",
            "post-quantum",
        ] {
            assert!(s.contains(want), "{want:?} missing in\n{s}");
        }
        ui.on_key(key(KeyCode::Tab));
        let s = screen(&snap, &ui, 80, 24);
        for want in [
            "[Problems]",
            "bad.example.net",
            "fatal unknown_ca",
            "blocked.example",
        ] {
            assert!(s.contains(want), "{want:?} missing in\n{s}");
        }
        ui.on_key(key(KeyCode::Tab));
        let s = screen(&snap, &ui, 80, 24);
        for want in ["[Connections]", "no_syn_ack", "198.51.100.7:443", "tcp"] {
            assert!(s.contains(want), "{want:?} missing in\n{s}");
        }
        ui.filter = "quic".into();
        let s = screen(&snap, &ui, 80, 24);
        assert!(s.contains("19 of the newest 200 match /quic"), "{s}");
        assert!(s.contains("quic established"), "{s}");
    }

    #[test]
    fn wide_120x40_shows_every_panel() {
        let snap = busy();
        let s = screen(&snap, &UiState::default(), 120, 40);
        for want in [
            "Outcomes",
            "SNIs",
            "Latency",
            "Protocols",
            "Problems",
            "Connections",
            "established",
            "api.example.com",
            "p99",
            "TLSv1.3",
            "post-quantum",
            "fatal unknown_ca",
            "TCP 90% QUIC 10%",
            "tcp port 443 or udp port 443",
        ] {
            assert!(s.contains(want), "{want:?} missing in\n{s}");
        }
        // The SNI under the cursor drives the latency panel.
        assert!(s.contains(" www.example.org "), "{s}");
    }

    #[test]
    fn help_overlay() {
        let snap = busy();
        let mut ui = UiState::default();
        ui.on_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
        for (w, h) in [(80, 24), (120, 40)] {
            let s = screen(&snap, &ui, w, h);
            assert!(s.contains("Help"), "{s}");
            assert!(
                s.contains("quit") && s.contains("filter") && s.contains("pause"),
                "{s}"
            );
        }
    }

    #[test]
    fn detail_view_with_timeline() {
        let snap = busy();
        let mut ui = UiState {
            panel: Panel::Problems,
            problem_sel: 2,
            ..UiState::default()
        };
        ui.open_detail(&snap);
        assert_eq!(ui.detail.as_ref().unwrap().outcome, "alert");
        for (w, h) in [(80, 24), (120, 40)] {
            let s = screen(&snap, &ui, w, h);
            for want in [
                "Connection detail",
                "alert",
                "bad.example.net",
                "Handshake timeline",
                "SYN → SYN/ACK → ACK",
                "ClientHello → ServerHello",
                "ClientHello → complete",
                "not seen",
            ] {
                assert!(s.contains(want), "{want:?} missing at {w}x{h} in\n{s}");
            }
        }
        // Scrolled to the end: the certificate.
        ui.detail_scroll = 200;
        let s = screen(&snap, &ui, 120, 40);
        assert!(s.contains("Corp Proxy CA"), "{s}");
    }

    #[test]
    fn established_detail_has_every_span() {
        let snap = busy();
        let mut ui = UiState {
            panel: Panel::Connections,
            conn_sel: 5,
            ..UiState::default()
        };
        ui.open_detail(&snap);
        let lines: Vec<String> = views::detail_lines(ui.detail.as_ref().unwrap())
            .iter()
            .map(|l| l.to_string())
            .collect();
        let text = lines.join("\n");
        for want in [
            "tcp_rtt_ms",
            "rtt_server_ms",
            "rtt_client_ms",
            "server_hello_ms",
            "server_think_ms",
            "handshake_ms",
            "captured near the client",
            "verdict confidence high",
        ] {
            assert!(text.contains(want), "{want:?} missing in\n{text}");
        }
        assert!(!text.contains("not seen"), "{text}");
        assert!(text.contains("TLS_AES_128_GCM_SHA256"));
    }

    #[test]
    fn filter_line_and_filtered_list() {
        let snap = busy();
        let mut ui = UiState {
            panel: Panel::Connections,
            ..UiState::default()
        };
        ui.on_key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
        for c in "no_syn".chars() {
            ui.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        let s = screen(&snap, &ui, 80, 24);
        assert!(s.contains("filter /no_syn"), "{s}");
        assert!(s.contains("1 of the newest"), "{s}");
        assert!(!s.contains("www.example.org"), "{s}");
    }

    #[test]
    fn paused_and_ended_are_written_out() {
        let snap = busy();
        let ui = UiState {
            paused: true,
            ended: true,
            ..UiState::default()
        };
        let s = screen(&snap, &ui, 80, 24);
        assert!(s.contains("PAUSED") && s.contains("ENDED"), "{s}");
    }

    #[test]
    fn empty_snapshot_renders_everywhere() {
        let snap = Snapshot::default();
        for (w, h) in [(80, 24), (120, 40), (200, 60), (40, 10), (10, 3), (1, 1)] {
            for panel in Panel::ALL {
                let ui = UiState {
                    panel,
                    help: panel == Panel::Connections,
                    ..UiState::default()
                };
                render_text(&snap, &ui, w, h);
            }
        }
        let s = render_text(&snap, &UiState::default(), 80, 24);
        assert!(s.contains("no connections yet"), "{s}");
        assert!(s.contains("established 0"), "{s}");
    }

    #[test]
    fn ten_thousand_snis_render() {
        // Through the aggregator (bounded to its top rows) ...
        let mut a = Aggregator::new();
        for i in 0..10_000 {
            a.add(&test_record(
                Some(&format!("host-{i:05}.very-long-subdomain-name.example.com")),
                if i % 7 == 0 { "reset" } else { "established" },
                t(i / 100, 0),
                Some(1.0 + (i % 500) as f64),
            ));
        }
        let snap = a.snapshot(t(100, 0), "big.pcap", "");
        assert_eq!(snap.distinct_snis, 10_000);
        // ... and a hand-made snapshot with every one of them as a row.
        let mut huge = snap.clone();
        huge.top_snis = (0..10_000)
            .map(|i| {
                let mut r = snap.top_snis[i % snap.top_snis.len()].clone();
                r.sni = format!("sni-{i}");
                r
            })
            .collect();
        for s in [&snap, &huge] {
            for (w, h) in [(80, 24), (120, 40)] {
                for panel in Panel::ALL {
                    let ui = UiState {
                        panel,
                        sni_sel: 9_999,
                        lat_sel: 10_000,
                        ..UiState::default()
                    };
                    render_text(s, &ui, w, h);
                }
            }
        }
    }

    #[test]
    fn pause_freezes_the_displayed_snapshot() {
        let (tx, rx) = crossbeam_channel::bounded(4);
        let mut sc = Screen::default();
        let first = busy();
        tx.send(first.clone()).unwrap();
        sc.receive(&rx);
        assert_eq!(sc.shown.sessions, first.sessions);
        sc.key(
            KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE),
            area(),
        );
        assert!(sc.ui.paused);
        tx.send(Snapshot::default()).unwrap();
        sc.receive(&rx);
        assert_eq!(sc.shown.sessions, first.sessions, "frozen while paused");
        // Resume: the next snapshot shows; several waiting: the newest wins.
        sc.key(
            KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE),
            area(),
        );
        let a = Snapshot {
            sessions: 1,
            ..Snapshot::default()
        };
        let b = Snapshot {
            sessions: 2,
            ..Snapshot::default()
        };
        tx.send(a).unwrap();
        tx.send(b).unwrap();
        sc.receive(&rx);
        assert_eq!(sc.shown.sessions, 2);
        // The source closes: the last snapshot stays, marked as ended.
        drop(tx);
        sc.receive(&rx);
        assert!(sc.ui.ended);
        assert_eq!(sc.shown.sessions, 2);
        assert_eq!(
            sc.key(
                KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
                area()
            ),
            Action::Quit
        );
    }

    fn area() -> ratatui::layout::Rect {
        ratatui::layout::Rect::new(0, 0, 80, 24)
    }

    #[test]
    fn detail_scroll_is_bounded() {
        let mut sc = Screen {
            shown: busy(),
            ..Screen::default()
        };
        sc.ui.panel = Panel::Problems;
        sc.ui.problem_sel = 2;
        sc.key(key(KeyCode::Enter), area());
        let rec = Arc::clone(sc.ui.detail.as_ref().expect("open"));
        for _ in 0..50 {
            sc.key(key(KeyCode::PageDown), area());
        }
        let limit = views::detail_scroll_limit(&rec, area());
        assert!(limit > 0);
        assert_eq!(sc.ui.detail_scroll, limit);
        sc.key(key(KeyCode::Up), area());
        assert_eq!(sc.ui.detail_scroll, limit - 1);
    }
}
