//! UI state and key handling. Nothing here knows about flows or the aggregator: the state is
//! which panel has focus, where the cursors are, the filter, the sort, and the overlays; keys
//! change it, and views render (snapshot, state).

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::output::record::SessionRecord;
use crate::stats::snapshot::{Snapshot, SniRow};

/// The panels, in Tab order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Panel {
    #[default]
    Snis,
    Latency,
    Protocols,
    Problems,
    Connections,
}

impl Panel {
    pub const ALL: [Panel; 5] = [
        Panel::Snis,
        Panel::Latency,
        Panel::Protocols,
        Panel::Problems,
        Panel::Connections,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Panel::Snis => "SNIs",
            Panel::Latency => "Latency",
            Panel::Protocols => "Protocols",
            Panel::Problems => "Problems",
            Panel::Connections => "Connections",
        }
    }

    fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn next(self) -> Panel {
        Panel::ALL[(self.index() + 1) % Panel::ALL.len()]
    }

    pub fn prev(self) -> Panel {
        Panel::ALL[(self.index() + Panel::ALL.len() - 1) % Panel::ALL.len()]
    }
}

/// Sort order of the SNI table (`s` cycles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Most connections first.
    #[default]
    Conns,
    /// Lowest success rate first: where it hurts.
    Success,
    /// Slowest median handshake first.
    P50,
    /// Slowest p99 handshake first.
    P99,
    /// Alphabetical.
    Name,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Conns => SortKey::Success,
            SortKey::Success => SortKey::P50,
            SortKey::P50 => SortKey::P99,
            SortKey::P99 => SortKey::Name,
            SortKey::Name => SortKey::Conns,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Conns => "conns",
            SortKey::Success => "ok% (worst first)",
            SortKey::P50 => "p50 (slowest first)",
            SortKey::P99 => "p99 (slowest first)",
            SortKey::Name => "name",
        }
    }
}

/// What the run loop must do after a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Nothing changed.
    None,
    /// UI state changed: draw again.
    Redraw,
    /// Enter on a row: the loop calls [`UiState::open_detail`] with the displayed snapshot
    /// (a connection's detail view, or an SNI's connections).
    OpenDetail,
    /// Leave the dashboard.
    Quit,
}

/// Rows moved by PageUp/PageDown.
const PAGE: usize = 10;

#[derive(Clone, Debug, Default)]
pub struct UiState {
    /// The focused panel (in a small terminal, the one shown below the outcomes).
    pub panel: Panel,
    /// Cursor in the SNI table (over the sorted rows).
    pub sni_sel: usize,
    /// Cursor in the latency panel: 0 = all connections, i = the i-th SNI row.
    pub lat_sel: usize,
    /// Cursor in the problems feed (over the filtered rows).
    pub problem_sel: usize,
    /// Cursor in the connection list (over the filtered rows).
    pub conn_sel: usize,
    /// Connection filter: whitespace-separated terms, all must match (see [`matches`]).
    pub filter: String,
    /// The filter line is being edited (`/`).
    pub editing_filter: bool,
    pub sort: SortKey,
    /// The displayed snapshot is frozen (`p`); new ones are still received.
    pub paused: bool,
    /// The help overlay is shown (`?`).
    pub help: bool,
    /// The connection shown in the detail view (Enter), pinned so it does not change under
    /// the reader as new snapshots arrive.
    pub detail: Option<Arc<SessionRecord>>,
    /// First line shown in the detail view.
    pub detail_scroll: u16,
    /// The snapshot source closed (capture ended); the last snapshot stays on screen.
    pub ended: bool,
}

impl UiState {
    /// Apply one key. Cursors may run past the end of their lists; [`UiState::clamp`] puts them
    /// back once the snapshot is known.
    pub fn on_key(&mut self, key: KeyEvent) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('d')) {
            // Raw mode turns Ctrl-C into a key: it must still end the program.
            return Action::Quit;
        }
        if self.editing_filter {
            return self.filter_key(key, ctrl);
        }
        if self.help {
            return match key.code {
                KeyCode::Char('q') => Action::Quit,
                KeyCode::Char('?') | KeyCode::Esc | KeyCode::Enter => {
                    self.help = false;
                    Action::Redraw
                }
                _ => Action::None,
            };
        }
        if self.detail.is_some() {
            return self.detail_key(key);
        }
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => Action::Quit,
            KeyCode::Char('?') => {
                self.help = true;
                Action::Redraw
            }
            KeyCode::Char('p') => {
                self.paused = !self.paused;
                Action::Redraw
            }
            KeyCode::Char('s') => {
                self.sort = self.sort.next();
                self.sni_sel = 0;
                Action::Redraw
            }
            KeyCode::Char('/') => {
                self.editing_filter = true;
                Action::Redraw
            }
            KeyCode::Tab => {
                self.focus(self.panel.next());
                Action::Redraw
            }
            KeyCode::BackTab => {
                self.focus(self.panel.prev());
                Action::Redraw
            }
            KeyCode::Char(c @ '1'..='5') => {
                self.focus(Panel::ALL[(c as u8 - b'1') as usize]);
                Action::Redraw
            }
            KeyCode::Enter => match self.panel {
                Panel::Snis | Panel::Problems | Panel::Connections => Action::OpenDetail,
                Panel::Latency | Panel::Protocols => Action::None,
            },
            KeyCode::Up | KeyCode::Char('k') => self.move_cursor(-1),
            KeyCode::Down | KeyCode::Char('j') => self.move_cursor(1),
            KeyCode::PageUp => self.move_cursor(-(PAGE as i64)),
            KeyCode::PageDown => self.move_cursor(PAGE as i64),
            KeyCode::Home | KeyCode::Char('g') => self.move_cursor(i64::MIN),
            KeyCode::End | KeyCode::Char('G') => self.move_cursor(i64::MAX),
            _ => Action::None,
        }
    }

    fn filter_key(&mut self, key: KeyEvent, ctrl: bool) -> Action {
        match key.code {
            KeyCode::Enter => self.editing_filter = false,
            KeyCode::Esc => {
                self.editing_filter = false;
                self.filter.clear();
            }
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char('u') if ctrl => self.filter.clear(),
            KeyCode::Char(c) if !ctrl => self.filter.push(c),
            _ => return Action::None,
        }
        // The filtered lists changed: start at their newest rows.
        self.problem_sel = 0;
        self.conn_sel = 0;
        Action::Redraw
    }

    fn detail_key(&mut self, key: KeyEvent) -> Action {
        match key.code {
            KeyCode::Char('q') => return Action::Quit,
            KeyCode::Esc | KeyCode::Enter | KeyCode::Backspace => {
                self.detail = None;
                self.detail_scroll = 0;
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.detail_scroll = self.detail_scroll.saturating_sub(1)
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.detail_scroll = self.detail_scroll.saturating_add(1)
            }
            KeyCode::PageUp => self.detail_scroll = self.detail_scroll.saturating_sub(PAGE as u16),
            KeyCode::PageDown => {
                self.detail_scroll = self.detail_scroll.saturating_add(PAGE as u16)
            }
            KeyCode::Home | KeyCode::Char('g') => self.detail_scroll = 0,
            KeyCode::Char('p') => self.paused = !self.paused,
            KeyCode::Char('?') => self.help = true,
            _ => return Action::None,
        }
        Action::Redraw
    }

    fn focus(&mut self, to: Panel) {
        if self.panel == Panel::Snis && to == Panel::Latency {
            // Carry the SNI under the cursor over.
            self.lat_sel = self.sni_sel + 1;
        }
        self.panel = to;
    }

    fn move_cursor(&mut self, by: i64) -> Action {
        let sel = match self.panel {
            Panel::Snis => &mut self.sni_sel,
            Panel::Latency => &mut self.lat_sel,
            Panel::Problems => &mut self.problem_sel,
            Panel::Connections => &mut self.conn_sel,
            Panel::Protocols => return Action::None,
        };
        *sel = match by {
            i64::MIN => 0,
            i64::MAX => usize::MAX,
            b if b < 0 => sel.saturating_sub(b.unsigned_abs() as usize),
            b => sel.saturating_add(b as usize),
        };
        Action::Redraw
    }

    /// Keep every cursor inside its list and the detail view inside its text.
    pub fn clamp(&mut self, snap: &Snapshot) {
        let last = |n: usize| n.saturating_sub(1);
        self.sni_sel = self.sni_sel.min(last(snap.top_snis.len()));
        self.lat_sel = self.lat_sel.min(snap.top_snis.len());
        self.problem_sel = self
            .problem_sel
            .min(last(visible_problems(snap, &self.filter).len()));
        self.conn_sel = self
            .conn_sel
            .min(last(visible_connections(snap, &self.filter).len()));
    }

    /// Enter: on a list of connections, pin the selected one in the detail view; on the SNI
    /// table, show that SNI's connections (filter set to the name, focus on the list).
    pub fn open_detail(&mut self, snap: &Snapshot) {
        match self.panel {
            Panel::Snis => {
                if let Some(row) = sorted_snis(snap, self.sort).get(self.sni_sel) {
                    self.filter = row.sni.clone();
                    self.conn_sel = 0;
                    self.problem_sel = 0;
                    self.panel = Panel::Connections;
                }
            }
            Panel::Problems => {
                self.detail = visible_problems(snap, &self.filter)
                    .get(self.problem_sel)
                    .map(|r| Arc::clone(r));
                self.detail_scroll = 0;
            }
            Panel::Connections => {
                self.detail = visible_connections(snap, &self.filter)
                    .get(self.conn_sel)
                    .map(|r| Arc::clone(r));
                self.detail_scroll = 0;
            }
            _ => {}
        }
    }

    /// A new snapshot replaces `old`: keep each cursor on the row it was on (by SNI name, or
    /// by record identity), unless it was on the first row, which keeps showing the newest.
    pub fn follow(&mut self, old: &Snapshot, new: &Snapshot) {
        if self.sni_sel > 0 {
            let old_rows = sorted_snis(old, self.sort);
            if let Some(name) = old_rows.get(self.sni_sel).map(|r| r.sni.as_str()) {
                let new_rows = sorted_snis(new, self.sort);
                if let Some(i) = new_rows.iter().position(|r| r.sni == name) {
                    self.sni_sel = i;
                }
            }
        }
        for (sel, list) in [
            (&mut self.problem_sel, Which::Problems),
            (&mut self.conn_sel, Which::Connections),
        ] {
            if *sel == 0 {
                continue;
            }
            let rows = list.rows(old, &self.filter);
            if let Some(rec) = rows.get(*sel) {
                let new_rows = list.rows(new, &self.filter);
                if let Some(i) = new_rows.iter().position(|r| Arc::ptr_eq(r, rec)) {
                    *sel = i;
                }
            }
        }
        self.clamp(new);
    }

    /// The SNI whose latency the latency panel shows; `None`: all connections.
    pub fn latency_sni<'a>(&self, snap: &'a Snapshot) -> Option<&'a SniRow> {
        match self.panel {
            Panel::Snis => sorted_snis(snap, self.sort).get(self.sni_sel).copied(),
            Panel::Latency if self.lat_sel > 0 => {
                sorted_snis(snap, self.sort).get(self.lat_sel - 1).copied()
            }
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
enum Which {
    Problems,
    Connections,
}

impl Which {
    fn rows<'a>(self, snap: &'a Snapshot, filter: &str) -> Vec<&'a Arc<SessionRecord>> {
        match self {
            Which::Problems => visible_problems(snap, filter),
            Which::Connections => visible_connections(snap, filter),
        }
    }
}

/// The SNI rows in the chosen order (ties: more connections, then name).
pub fn sorted_snis(snap: &Snapshot, sort: SortKey) -> Vec<&SniRow> {
    let mut rows: Vec<&SniRow> = snap.top_snis.iter().collect();
    // Rows without latency sort after those with, whatever the direction.
    let lat = |r: &SniRow, p99: bool| {
        let q = r.latency.handshake;
        match (q.n, p99) {
            (0, _) => -1.0,
            (_, true) => q.p99,
            (_, false) => q.p50,
        }
    };
    rows.sort_by(|a, b| {
        let primary = match sort {
            SortKey::Conns => b.conns.cmp(&a.conns),
            SortKey::Success => a.success_pct.total_cmp(&b.success_pct),
            SortKey::P50 => lat(b, false).total_cmp(&lat(a, false)),
            SortKey::P99 => lat(b, true).total_cmp(&lat(a, true)),
            SortKey::Name => a.sni.cmp(&b.sni),
        };
        primary.then(b.conns.cmp(&a.conns)).then(a.sni.cmp(&b.sni))
    });
    rows
}

/// Does a record match the filter? Terms are separated by whitespace and must all match; a
/// term matches when it is a case-insensitive substring of the SNI, client or server address,
/// outcome, transport or a problem name; `!term` must not match.
pub fn matches(r: &SessionRecord, filter: &str) -> bool {
    filter.split_whitespace().all(|term| {
        let (neg, term) = match term.strip_prefix('!') {
            Some(t) => (true, t),
            None => (false, term),
        };
        if term.is_empty() {
            return true;
        }
        let term = term.to_lowercase();
        let has = |s: &str| s.to_lowercase().contains(&term);
        let hit = r.sni.as_deref().is_some_and(has)
            || has(&r.client)
            || has(&r.server)
            || has(r.outcome)
            || has(r.transport)
            || r.problems.iter().any(|p| has(p));
        hit != neg
    })
}

/// The problems feed after the filter, newest first.
pub fn visible_problems<'a>(snap: &'a Snapshot, filter: &str) -> Vec<&'a Arc<SessionRecord>> {
    snap.problems
        .iter()
        .filter(|r| matches(r, filter))
        .collect()
}

/// The connection list after the filter, newest first.
pub fn visible_connections<'a>(snap: &'a Snapshot, filter: &str) -> Vec<&'a Arc<SessionRecord>> {
    snap.connections
        .iter()
        .filter(|r| matches(r, filter))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::snapshot::{Aggregator, test_record};
    use crate::time::Timestamp;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ch(c: char) -> KeyEvent {
        key(KeyCode::Char(c))
    }

    fn snapshot(n: usize) -> Snapshot {
        let mut a = Aggregator::new();
        for i in 0..n {
            let outcome = if i % 3 == 0 { "reset" } else { "established" };
            let t = Timestamp::from_secs_nanos(1_700_000_000 + i as i64, 0);
            a.add(&test_record(
                Some(&format!("s{}.example", i % 4)),
                outcome,
                t,
                Some(10.0 + i as f64),
            ));
        }
        a.snapshot(
            Timestamp::from_secs_nanos(1_700_000_000 + n as i64, 0),
            "t",
            "",
        )
    }

    #[test]
    fn quit_keys() {
        for k in [
            ch('q'),
            key(KeyCode::Esc),
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        ] {
            assert_eq!(UiState::default().on_key(k), Action::Quit, "{k:?}");
        }
        // Ctrl-C quits even while typing a filter; q there is text.
        let mut ui = UiState {
            editing_filter: true,
            ..UiState::default()
        };
        assert_eq!(ui.on_key(ch('q')), Action::Redraw);
        assert_eq!(ui.filter, "q");
        assert_eq!(
            ui.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Action::Quit
        );
        // Key releases (Windows) are ignored.
        let mut release = ch('q');
        release.kind = KeyEventKind::Release;
        assert_eq!(UiState::default().on_key(release), Action::None);
    }

    #[test]
    fn tab_cycles_panels_both_ways() {
        let mut ui = UiState::default();
        let mut seen = vec![ui.panel];
        for _ in 0..Panel::ALL.len() {
            ui.on_key(key(KeyCode::Tab));
            seen.push(ui.panel);
        }
        assert_eq!(&seen[..5], &Panel::ALL);
        assert_eq!(seen[5], Panel::Snis);
        ui.on_key(key(KeyCode::BackTab));
        assert_eq!(ui.panel, Panel::Connections);
        ui.on_key(ch('4'));
        assert_eq!(ui.panel, Panel::Problems);
    }

    #[test]
    fn cursor_moves_and_clamps() {
        let snap = snapshot(10);
        let mut ui = UiState {
            panel: Panel::Connections,
            ..UiState::default()
        };
        ui.on_key(key(KeyCode::Down));
        ui.on_key(ch('j'));
        assert_eq!(ui.conn_sel, 2);
        ui.on_key(ch('k'));
        assert_eq!(ui.conn_sel, 1);
        ui.on_key(key(KeyCode::Up));
        ui.on_key(key(KeyCode::Up));
        assert_eq!(ui.conn_sel, 0, "no wrap below zero");
        ui.on_key(ch('G'));
        ui.clamp(&snap);
        assert_eq!(ui.conn_sel, 9);
        ui.on_key(key(KeyCode::PageUp));
        assert_eq!(ui.conn_sel, 0);
        ui.on_key(key(KeyCode::PageDown));
        ui.clamp(&snap);
        assert_eq!(ui.conn_sel, 9);
        ui.on_key(ch('g'));
        assert_eq!(ui.conn_sel, 0);
        // Protocols has no cursor.
        ui.panel = Panel::Protocols;
        assert_eq!(ui.on_key(ch('j')), Action::None);
        // An empty snapshot clamps to zero.
        ui.sni_sel = 7;
        ui.clamp(&Snapshot::default());
        assert_eq!(ui.sni_sel, 0);
    }

    #[test]
    fn filter_editing() {
        let snap = snapshot(9);
        let mut ui = UiState {
            panel: Panel::Connections,
            conn_sel: 5,
            ..UiState::default()
        };
        ui.on_key(ch('/'));
        assert!(ui.editing_filter);
        for c in "resetx".chars() {
            ui.on_key(ch(c));
        }
        ui.on_key(key(KeyCode::Backspace));
        assert_eq!(ui.filter, "reset");
        assert_eq!(ui.conn_sel, 0, "filter change resets the cursor");
        // While typing, j/s/p are text, not commands.
        assert!(!ui.paused);
        ui.on_key(key(KeyCode::Enter));
        assert!(!ui.editing_filter);
        assert_eq!(visible_connections(&snap, &ui.filter).len(), 3);
        assert_eq!(visible_problems(&snap, &ui.filter).len(), 3);
        ui.on_key(ch('/'));
        ui.on_key(key(KeyCode::Esc));
        assert!(ui.filter.is_empty() && !ui.editing_filter);
        ui.on_key(ch('/'));
        ui.on_key(ch('a'));
        ui.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert!(ui.filter.is_empty());
    }

    #[test]
    fn filter_terms() {
        let mut r = test_record(Some("API.example.com"), "alert", Timestamp(0), None);
        r.problems = vec!["untrusted_issuer"];
        assert!(matches(&r, ""));
        assert!(matches(&r, "api.EXAMPLE"));
        assert!(matches(&r, "198.51.100.7"));
        assert!(matches(&r, "192.0.2.10:50000"));
        assert!(matches(&r, "alert untrusted"));
        assert!(matches(&r, "tcp"));
        assert!(!matches(&r, "alert quic"));
        assert!(matches(&r, "!established"));
        assert!(!matches(&r, "!alert"));
        assert!(matches(&r, "!"));
        let none = test_record(None, "no_syn_ack", Timestamp(0), None);
        assert!(!matches(&none, "example"));
    }

    #[test]
    fn sort_cycles_and_orders() {
        let snap = snapshot(12);
        let mut ui = UiState::default();
        let names = |ui: &UiState| -> Vec<String> {
            sorted_snis(&snap, ui.sort)
                .iter()
                .map(|r| r.sni.clone())
                .collect()
        };
        assert_eq!(ui.sort, SortKey::Conns);
        ui.on_key(ch('s'));
        assert_eq!(ui.sort, SortKey::Success);
        let by_success = sorted_snis(&snap, ui.sort);
        assert!(
            by_success
                .windows(2)
                .all(|w| w[0].success_pct <= w[1].success_pct)
        );
        ui.on_key(ch('s'));
        ui.on_key(ch('s'));
        assert_eq!(ui.sort, SortKey::P99);
        let by_p99 = sorted_snis(&snap, ui.sort);
        assert!(
            by_p99
                .windows(2)
                .all(|w| w[0].latency.handshake.p99 >= w[1].latency.handshake.p99)
        );
        ui.on_key(ch('s'));
        assert_eq!(
            names(&ui),
            ["s0.example", "s1.example", "s2.example", "s3.example"]
        );
        ui.on_key(ch('s'));
        assert_eq!(ui.sort, SortKey::Conns);
    }

    #[test]
    fn pause_help_and_detail() {
        let snap = snapshot(6);
        let mut ui = UiState::default();
        ui.on_key(ch('p'));
        assert!(ui.paused);
        ui.on_key(ch('p'));
        assert!(!ui.paused);
        ui.on_key(ch('?'));
        assert!(ui.help);
        assert_eq!(ui.on_key(ch('j')), Action::None, "help swallows keys");
        ui.on_key(key(KeyCode::Esc));
        assert!(!ui.help);

        ui.panel = Panel::Connections;
        ui.conn_sel = 2;
        assert_eq!(ui.on_key(key(KeyCode::Enter)), Action::OpenDetail);
        ui.open_detail(&snap);
        let d = ui.detail.clone().expect("detail open");
        assert!(Arc::ptr_eq(&d, &snap.connections[2]));
        ui.on_key(ch('j'));
        ui.on_key(ch('j'));
        assert_eq!(ui.detail_scroll, 2);
        assert_eq!(ui.conn_sel, 2, "keys scroll the detail, not the list");
        ui.on_key(key(KeyCode::Esc));
        assert!(ui.detail.is_none());
        assert_eq!(ui.detail_scroll, 0);

        // Problems: the filtered list's row.
        ui.panel = Panel::Problems;
        ui.problem_sel = 1;
        ui.open_detail(&snap);
        assert!(Arc::ptr_eq(ui.detail.as_ref().unwrap(), &snap.problems[1]));
        assert_eq!(ui.on_key(ch('q')), Action::Quit);
    }

    #[test]
    fn enter_on_sni_drills_down() {
        let snap = snapshot(8);
        let mut ui = UiState {
            sni_sel: 1,
            ..UiState::default()
        };
        assert_eq!(ui.on_key(key(KeyCode::Enter)), Action::OpenDetail);
        ui.open_detail(&snap);
        let name = sorted_snis(&snap, ui.sort)[1].sni.clone();
        assert_eq!(ui.filter, name);
        assert_eq!(ui.panel, Panel::Connections);
        assert!(ui.detail.is_none());
        assert!(
            visible_connections(&snap, &ui.filter)
                .iter()
                .all(|r| r.sni.as_deref() == Some(name.as_str()))
        );
    }

    #[test]
    fn latency_follows_the_sni_cursor() {
        let snap = snapshot(8);
        let mut ui = UiState {
            sni_sel: 2,
            ..UiState::default()
        };
        let sni = ui.latency_sni(&snap).unwrap().sni.clone();
        assert_eq!(sni, sorted_snis(&snap, ui.sort)[2].sni);
        ui.on_key(key(KeyCode::Tab));
        assert_eq!(ui.panel, Panel::Latency);
        assert_eq!(ui.latency_sni(&snap).unwrap().sni, sni, "carried over");
        ui.on_key(ch('g'));
        assert!(ui.latency_sni(&snap).is_none(), "row 0 = all connections");
        ui.on_key(key(KeyCode::Tab));
        assert!(ui.latency_sni(&snap).is_none());
    }

    #[test]
    fn cursor_follows_its_row_across_snapshots() {
        let mut a = Aggregator::new();
        let t = |s: i64| Timestamp::from_secs_nanos(1_700_000_000 + s, 0);
        for i in 0..5 {
            a.add(&test_record(Some("x"), "established", t(i), Some(1.0)));
        }
        let old = a.snapshot(t(5), "", "");
        a.add(&test_record(Some("y"), "alert", t(6), None));
        let new = a.snapshot(t(6), "", "");
        let mut ui = UiState {
            conn_sel: 2,
            ..UiState::default()
        };
        ui.follow(&old, &new);
        assert_eq!(ui.conn_sel, 3);
        assert!(Arc::ptr_eq(&old.connections[2], &new.connections[3]));
        // On the newest row, stay on the newest row.
        ui.conn_sel = 0;
        ui.follow(&old, &new);
        assert_eq!(ui.conn_sel, 0);
    }
}
