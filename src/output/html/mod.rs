//! The HTML report (`read --html FILE`): one self-contained page to attach to a ticket.
//!
//! Same numbers as the text report (both render an `output::summary::Summary`), laid out for a
//! browser: summary cards, an outcome chart, per-SNI health worst first, latency histograms
//! with percentiles, versions / ALPN / post-quantum share, the problems explained, and the
//! connections that did not establish, each with its packet timeline when one was recorded.
//!
//! Self-contained on purpose: inline CSS, inline SVG drawn here, and a few lines of inline
//! JavaScript that only sort tables (the page reads fine without it). Nothing is fetched: no
//! `src=`, no remote `href=`, no `url(...)`, no fonts. Every string from packets (SNI, ALPN,
//! certificate names, details) goes through [`Esc`]; the markup is XHTML-style (every element
//! closed, every attribute quoted) so a simple checker can prove it well-formed.

mod chart;
mod ladder;

use std::fmt::{self, Write as _};
use std::io::{self, Write};

use crate::capture::{CaptureStats, linktype_name};
use crate::flow::table::FlowCounters;
use crate::output::explain;
use crate::output::record::SessionRecord;
pub(crate) use crate::output::summary::thousands as count;
use crate::output::summary::{self, Summary, Table, printable};
use crate::stats::DecodeCounters;

/// Connections that did not establish, listed with their details and timelines.
pub const MAX_HTML_CONNECTIONS: usize = 200;
/// The first few listed connections are shown expanded.
const OPEN_CONNECTIONS: usize = 3;
/// Rows of the per-SNI table.
pub const MAX_HTML_SNIS: usize = 1_000;

/// What a health table is about.
struct Health {
    id: &'static str,
    title: &'static str,
    /// Heading of the key column.
    key: &'static str,
    /// "per name", "per server", ...
    per: &'static str,
    /// "names", "servers", ...
    more: &'static str,
}

impl Health {
    const fn new(
        id: &'static str,
        title: &'static str,
        key: &'static str,
        per: &'static str,
        more: &'static str,
    ) -> Health {
        Health {
            id,
            title,
            key,
            per,
            more,
        }
    }
}
/// Input file names shown in the header.
const MAX_INPUT_NAMES: usize = 8;

/// Text for HTML element content and quoted attribute values. Control characters are shown as
/// `\xNN` (as in the text report), bidirectional-override characters as `\u{..}` (they could
/// make a name read backwards), and `& < > " '` become entities.
pub(crate) struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in printable(self.0).chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                    write!(f, "\\u{{{:x}}}", c as u32)?
                }
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// A duration in ms with a precision that suits its size: "0.035 ms", "2.15 ms", "117.8 ms",
/// "3.20 s".
pub(crate) fn ms(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else if v >= 100.0 {
        format!("{v:.1} ms")
    } else if v >= 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.3} ms")
    }
}

/// A capture span: "3.50 s", "47 min 19 s", "26 h 3 min".
fn span(ms_total: f64) -> String {
    let secs = ms_total / 1000.0;
    if !secs.is_finite() || secs < 60.0 {
        return ms(ms_total);
    }
    let whole = secs.round() as u64;
    if whole < 3600 {
        format!("{} min {} s", whole / 60, whole % 60)
    } else {
        format!("{} h {} min", whole / 3600, (whole % 3600) / 60)
    }
}

fn bytes(n: u64) -> String {
    let f = n as f64;
    if f >= 1e9 {
        format!("{:.2} GB", f / 1e9)
    } else if f >= 1e6 {
        format!("{:.1} MB", f / 1e6)
    } else if f >= 1e3 {
        format!("{:.1} kB", f / 1e3)
    } else {
        format!("{n} B")
    }
}

fn pct(part: u64, whole: u64) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

/// Colour of an outcome, the same in every chart and badge.
pub(crate) fn outcome_color(outcome: &str) -> &'static str {
    match outcome {
        "established" => "#1f9d55",
        "alert" => "#d63031",
        "reset" => "#e17055",
        "refused" => "#b33939",
        "no_syn_ack" => "#6d214f",
        "no_server_hello" => "#e1a100",
        "client_aborted" => "#8e44ad",
        "not_tls" => "#636e72",
        "incomplete" => "#95a5a6",
        "midstream" => "#4b6584",
        "no_client_hello" => "#a4b0be",
        _ => "#57606f",
    }
}

/// The HTML report: the shared summary plus what only the page shows.
pub struct HtmlReport {
    s: Summary,
    inputs: Vec<String>,
}

impl HtmlReport {
    /// `inputs`: the capture file names, shown in the header.
    pub fn new(inputs: &[String]) -> HtmlReport {
        HtmlReport {
            s: Summary::new(MAX_HTML_CONNECTIONS),
            inputs: inputs.to_vec(),
        }
    }

    pub fn add(&mut self, r: &SessionRecord) {
        self.s.add(r);
    }

    /// Writes the whole page.
    pub fn render(
        &self,
        out: &mut dyn Write,
        cap: &CaptureStats,
        dec: &DecodeCounters,
        flows: &FlowCounters,
    ) -> io::Result<()> {
        let mut page = String::with_capacity(64 * 1024);
        self.page(&mut page, cap, dec, flows)
            .map_err(|_| io::Error::other("formatting the HTML report failed"))?;
        out.write_all(page.as_bytes())
    }

    fn page(
        &self,
        o: &mut String,
        cap: &CaptureStats,
        dec: &DecodeCounters,
        flows: &FlowCounters,
    ) -> fmt::Result {
        let s = &self.s;
        o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
        o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
        writeln!(
            o,
            "<title>tlscope report: {} connections, {} did not establish</title>",
            count(s.sessions),
            count(s.problem_sessions)
        )?;
        o.push_str("<style>\n");
        o.push_str(CSS);
        o.push_str("</style>\n</head>\n<body>\n");
        self.header(o, cap)?;
        o.push_str("<main>\n");
        self.overview(o, cap, dec, flows)?;
        if s.sessions > 0 {
            self.outcomes(o)?;
            self.snis(o)?;
            self.latency(o)?;
            self.protocols(o)?;
            self.problems(o)?;
            self.connections(o)?;
        }
        o.push_str("</main>\n");
        writeln!(
            o,
            "<footer>tlscope {} · passive analysis, nothing decrypted · this page is self-contained \
             (no scripts or fonts are fetched); times are capture times.</footer>",
            env!("CARGO_PKG_VERSION")
        )?;
        o.push_str("<script>\n");
        o.push_str(SORT_JS);
        o.push_str("</script>\n</body>\n</html>\n");
        Ok(())
    }

    fn header(&self, o: &mut String, cap: &CaptureStats) -> fmt::Result {
        o.push_str(
            "<header>\n<div class=\"brand\">tlscope <span>TLS handshake report</span></div>\n",
        );
        o.push_str("<div class=\"inputs\">");
        for (i, f) in self.inputs.iter().take(MAX_INPUT_NAMES).enumerate() {
            if i > 0 {
                o.push_str(", ");
            }
            let name = if f == "-" { "(stdin)" } else { f.as_str() };
            write!(o, "<code>{}</code>", Esc(name))?;
        }
        if self.inputs.len() > MAX_INPUT_NAMES {
            write!(o, " and {} more files", self.inputs.len() - MAX_INPUT_NAMES)?;
        }
        o.push_str("</div>\n");
        if let (Some(a), Some(b)) = (cap.first_ts, cap.last_ts) {
            writeln!(
                o,
                "<div class=\"span\">{} → {} <span class=\"muted\">({})</span></div>",
                a,
                b,
                span(b.ms_since(a))
            )?;
        }
        o.push_str("<nav>");
        for (id, name) in [
            ("outcomes", "Outcomes"),
            ("snis", "Per-SNI health"),
            ("servers", "Servers"),
            ("clients", "Clients (JA4)"),
            ("latency", "Latency"),
            ("protocols", "Versions &amp; ALPN"),
            ("problems", "Problems"),
            ("connections", "Failed connections"),
        ] {
            write!(o, "<a href=\"#{id}\">{name}</a>")?;
        }
        o.push_str("</nav>\n</header>\n");
        Ok(())
    }

    fn overview(
        &self,
        o: &mut String,
        cap: &CaptureStats,
        dec: &DecodeCounters,
        flows: &FlowCounters,
    ) -> fmt::Result {
        let s = &self.s;
        let est = s.outcomes.get("established");
        o.push_str("<section id=\"summary\">\n");
        if s.sessions > 0 {
            self.verdict(o, est)?;
        }
        o.push_str("<div class=\"cards\">\n");
        let span = match (cap.first_ts, cap.last_ts) {
            (Some(a), Some(b)) => span(b.ms_since(a)),
            _ => "-".into(),
        };
        let ok_class = if s.sessions == 0 || est == s.sessions {
            "good"
        } else if pct(est, s.sessions) >= 90.0 {
            "warn"
        } else {
            "bad"
        };
        card(
            o,
            "Connections",
            &count(s.sessions),
            &format!("{} server names", count(s.sni_names() as u64)),
            "",
        )?;
        card(
            o,
            "Established",
            &format!("{:.1}%", pct(est, s.sessions)),
            &format!("{} of {}", count(est), count(s.sessions)),
            ok_class,
        )?;
        card(
            o,
            "Did not establish",
            &count(s.problem_sessions),
            "each listed below",
            if s.problem_sessions > 0 {
                "bad"
            } else {
                "good"
            },
        )?;
        card(o, "Packets", &count(cap.packets), &bytes(cap.bytes), "")?;
        let links: Vec<String> = cap
            .linktypes
            .iter()
            .map(|(lt, _)| linktype_name(*lt))
            .collect();
        card(o, "Files", &count(cap.files), &links.join(", "), "")?;
        card(o, "Capture span", &span, "first to last packet", "")?;
        o.push_str("</div>\n");
        if s.sessions > 0 {
            chart::outcome_strip(o, &s.outcomes)?;
        } else {
            o.push_str(
                "<p class=\"empty\">No TCP connections on port 443, QUIC, or TLS on other ports \
                 in this input.</p>\n",
            );
        }
        o.push_str("<dl class=\"input\">");
        write!(
            o,
            "<dt>Link types</dt><dd>{}</dd><dt>Skipped</dt><dd>{}</dd>",
            Esc(&summary::link_types(cap)),
            Esc(&summary::skipped_line(cap, dec, flows))
        )?;
        for n in &cap.notes {
            write!(o, "<dt>Note</dt><dd>{}</dd>", Esc(n))?;
        }
        o.push_str("</dl>\n</section>\n");
        Ok(())
    }

    /// One sentence a reader can paste into a ticket.
    fn verdict(&self, o: &mut String, est: u64) -> fmt::Result {
        let s = &self.s;
        write!(
            o,
            "<p class=\"verdict\"><b>{} of {}</b> connections established ({:.1}%).",
            count(est),
            count(s.sessions),
            pct(est, s.sessions)
        )?;
        let rows = s.sni_rows();
        // The worst server name: connections without SNI are no name to chase.
        if let Some((name, h)) = rows.iter().find(|(n, _)| *n != summary::NO_SNI)
            && h.established < h.conns
        {
            write!(
                o,
                " Worst name: <b>{}</b> ({} of {} established",
                Esc(name),
                count(h.established),
                count(h.conns)
            )?;
            if let Some((outcome, n)) = h.top_failure() {
                write!(o, ", mostly {} ×{}", outcome_badge(outcome), count(n))?;
            }
            o.push_str(").");
        }
        if let Some((p, n)) = s.problems.top(1).first() {
            write!(
                o,
                " Most frequent problem: <code>{}</code> ({}).",
                Esc(p),
                count(*n)
            )?;
        }
        o.push_str("</p>\n");
        Ok(())
    }

    fn outcomes(&self, o: &mut String) -> fmt::Result {
        let s = &self.s;
        o.push_str("<section id=\"outcomes\">\n<h2>Outcomes</h2>\n<div class=\"row\">\n");
        o.push_str("<div class=\"panel grow\">\n");
        chart::outcome_bars(o, &s.outcomes)?;
        o.push_str("</div>\n<div class=\"panel\">\n<h3>Transports</h3>\n");
        bar_table(o, &s.transports, 6, "")?;
        if s.quic_failures.total() > 0 {
            o.push_str("<h3>QUIC that did not establish</h3>\n");
            bar_table(o, &s.quic_failures, 6, "")?;
        }
        writeln!(
            o,
            "<p class=\"small\">Resumed {} · HelloRetryRequest {} · ECH offered {}</p>",
            count(s.resumed),
            count(s.hrr),
            count(s.ech)
        )?;
        o.push_str("</div>\n</div>\n</section>\n");
        Ok(())
    }

    fn snis(&self, o: &mut String) -> fmt::Result {
        let s = &self.s;
        let per_name = Health::new("snis", "Per-SNI health", "SNI", "name", "names");
        self.health(o, &per_name, &s.sni_rows(), s.sni_other)?;
        let per_server = Health::new(
            "servers",
            "Per-server health",
            "server",
            "server",
            "servers",
        );
        self.health(o, &per_server, &s.server_rows(), s.server_other)?;
        let per_client = Health::new(
            "clients",
            "Per-client (JA4) health",
            "JA4",
            "client fingerprint",
            "fingerprints",
        );
        self.health(o, &per_client, &s.ja4_rows(), s.ja4_other)
    }

    /// One health table, worst first.
    fn health(
        &self,
        o: &mut String,
        t: &Health,
        rows: &[(&str, &summary::SniHealth)],
        other: u64,
    ) -> fmt::Result {
        writeln!(
            o,
            "<section id=\"{}\">\n<h2>{} <span class=\"muted\">worst first</span></h2>",
            t.id, t.title
        )?;
        writeln!(
            o,
            "<p class=\"small\">Handshake percentiles are <code>handshake_ms</code> \
             (ClientHello → first application data from the client), per {}, within ~19%. \
             Click a column to sort.</p>",
            t.per
        )?;
        write!(
            o,
            "<table class=\"sortable snis\">\n<thead><tr><th>{}</th><th class=\"num\">conns</th>\
             <th class=\"num\">established</th><th>top failure</th><th class=\"num\">p50</th>\
             <th class=\"num\">p90</th><th class=\"num\">p99</th><th class=\"num\">max</th>\
             <th>versions</th><th>ALPN</th></tr></thead>\n<tbody>\n",
            t.key
        )?;
        for (name, h) in rows.iter().take(MAX_HTML_SNIS) {
            let rate = h.success();
            let cls = if rate >= 0.999 {
                "good"
            } else if rate >= 0.9 {
                "warn"
            } else {
                "bad"
            };
            write!(
                o,
                "<tr><td class=\"sni\">{}</td><td class=\"num\" data-v=\"{}\">{}</td>",
                Esc(name),
                h.conns,
                count(h.conns)
            )?;
            write!(
                o,
                "<td class=\"num rate\" data-v=\"{:.4}\"><span class=\"meter {cls}\">\
                 <span style=\"width:{:.1}%\"></span></span>{:.1}%</td>",
                rate,
                100.0 * rate,
                100.0 * rate
            )?;
            match h.top_failure() {
                Some((outcome, n)) => write!(
                    o,
                    "<td data-v=\"{}\">{} ×{}</td>",
                    Esc(outcome),
                    outcome_badge(outcome),
                    count(n)
                )?,
                None => o.push_str("<td data-v=\"\"><span class=\"muted\">-</span></td>"),
            }
            for q in [0.5, 0.9, 0.99] {
                latency_cell(o, h.handshake.quantile_ms(q))?;
            }
            latency_cell(o, h.handshake.max_ms())?;
            writeln!(
                o,
                "<td>{}</td><td>{}</td></tr>",
                Esc(&h.versions.join(", ")),
                Esc(&h.alpns.join(", "))
            )?;
        }
        o.push_str("</tbody>\n</table>\n");
        if rows.len() > MAX_HTML_SNIS {
            writeln!(
                o,
                "<p class=\"small\">… {} more {} (use <code>--json</code>)</p>",
                count((rows.len() - MAX_HTML_SNIS) as u64),
                t.more
            )?;
        }
        if other > 0 {
            writeln!(
                o,
                "<p class=\"small\">{} connections had {} beyond the first {} (not broken down).</p>",
                count(other),
                t.more,
                count(summary::MAX_TABLE_KEYS as u64)
            )?;
        }
        o.push_str("</section>\n");
        Ok(())
    }

    fn latency(&self, o: &mut String) -> fmt::Result {
        o.push_str("<section id=\"latency\">\n<h2>Latency</h2>\n<div class=\"row\">\n");
        for l in self.s.latencies() {
            let what = match l.field {
                "tcp_rtt_ms" => "SYN → SYN/ACK → ACK, at the capture point",
                "server_hello_ms" => "ClientHello → ServerHello",
                _ => "ClientHello → first application data from the client",
            };
            write!(
                o,
                "<div class=\"panel hist\"><h3>{} <code>{}</code></h3><p class=\"small\">{}</p>",
                Esc(l.label),
                l.field,
                what
            )?;
            chart::latency_histogram(o, l.hist)?;
            o.push_str("</div>\n");
        }
        o.push_str("</div>\n<table class=\"quantiles\">\n<thead><tr><th>measure</th><th class=\"num\">n</th>\
                    <th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th>\
                    <th class=\"num\">max</th></tr></thead>\n<tbody>\n");
        for l in self.s.latencies() {
            write!(o, "<tr><td>{} <code>{}</code></td>", Esc(l.label), l.field)?;
            match summary::quantiles(l.hist) {
                Some(q) => writeln!(
                    o,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    count(q.n),
                    ms(q.p50),
                    ms(q.p90),
                    ms(q.p99),
                    ms(q.max)
                )?,
                None => o.push_str(
                    "<td class=\"num\">0</td><td class=\"num\">-</td><td class=\"num\">-</td>\
                     <td class=\"num\">-</td><td class=\"num\">-</td></tr>\n",
                ),
            }
        }
        o.push_str("</tbody>\n</table>\n</section>\n");
        Ok(())
    }

    fn protocols(&self, o: &mut String) -> fmt::Result {
        let s = &self.s;
        o.push_str("<section id=\"protocols\">\n<h2>Versions, ALPN and key exchange</h2>\n<div class=\"grid\">\n");
        for (title, t, n) in [
            ("Negotiated versions", &s.versions, 6),
            ("Key-exchange groups", &s.groups, 8),
        ] {
            writeln!(o, "<div class=\"panel\"><h3>{title}</h3>")?;
            bar_table(o, t, n, "")?;
            o.push_str("</div>\n");
        }
        o.push_str("<div class=\"panel\"><h3>Post-quantum key exchange</h3>\n");
        pq_meter(
            o,
            "offered by the client",
            s.pq_offered,
            s.sessions,
            "connections",
        )?;
        pq_meter(
            o,
            "negotiated",
            s.pq,
            s.groups.total(),
            "with a visible group",
        )?;
        o.push_str(
            "<p class=\"small\">Hybrid ML-KEM groups (X25519MLKEM768, SecP256r1MLKEM768, …) and the \
             Kyber drafts. TLS 1.3 shows the group in the ServerHello.</p>\n</div>\n",
        );
        o.push_str("<div class=\"panel\"><h3>ALPN</h3>\n");
        bar_table(o, &s.alpn, 8, "")?;
        o.push_str("</div>\n<div class=\"panel wide\"><h3>Ciphers</h3>\n");
        bar_table(o, &s.ciphers, 8, "mono")?;
        o.push_str("</div>\n");
        if !s.ja4.is_empty() {
            o.push_str("<div class=\"panel wide\"><h3>Client fingerprints (JA4)</h3>\n");
            bar_table(o, &s.ja4, 8, "mono")?;
            o.push_str("</div>\n");
        }
        if !s.issuers.is_empty() {
            o.push_str("<div class=\"panel\"><h3>Certificate issuers <span class=\"muted\">TLS ≤ 1.2</span></h3>\n");
            bar_table(o, &s.issuers, 8, "")?;
            o.push_str("</div>\n");
        }
        o.push_str("</div>\n</section>\n");
        Ok(())
    }

    fn problems(&self, o: &mut String) -> fmt::Result {
        let s = &self.s;
        o.push_str("<section id=\"problems\">\n<h2>Problems explained</h2>\n");
        if s.problems.is_empty() && s.alerts.is_empty() {
            o.push_str("<p class=\"empty\">No problems found.</p>\n</section>\n");
            return Ok(());
        }
        o.push_str(
            "<table class=\"explain\">\n<thead><tr><th class=\"num\">count</th><th>finding</th>\
             <th>what it usually means</th></tr></thead>\n<tbody>\n",
        );
        for (k, c) in s.alerts.top(12) {
            let desc = k.split(' ').nth(1).unwrap_or("");
            writeln!(
                o,
                "<tr><td class=\"num\">{}</td><td><span class=\"tag alert\">alert</span> {}</td><td>{}</td></tr>",
                count(c),
                Esc(k),
                Esc(explain::alert(desc))
            )?;
        }
        for (k, c) in s.problems.top(40) {
            writeln!(
                o,
                "<tr><td class=\"num\">{}</td><td><code>{}</code></td><td>{}</td></tr>",
                count(c),
                Esc(k),
                Esc(explain::problem(k))
            )?;
        }
        o.push_str("</tbody>\n</table>\n</section>\n");
        Ok(())
    }

    fn connections(&self, o: &mut String) -> fmt::Result {
        let s = &self.s;
        writeln!(
            o,
            "<section id=\"connections\">\n<h2>Connections that did not establish <span class=\"muted\">{}</span></h2>",
            count(s.problem_sessions)
        )?;
        if s.problem_sessions == 0 {
            o.push_str("<p class=\"empty\">Every connection established.</p>\n</section>\n");
            return Ok(());
        }
        // Listed in capture order (they were written in the order they ended).
        let mut listed: Vec<&SessionRecord> = s.listed().iter().collect();
        listed.sort_by(|a, b| a.ts.cmp(&b.ts));
        for (i, r) in listed.into_iter().enumerate() {
            connection(o, i, r)?;
        }
        if s.unlisted() > 0 {
            writeln!(
                o,
                "<p class=\"small\">… and {} more (the first {} are listed; use <code>--json</code> for all).</p>",
                count(s.unlisted()),
                MAX_HTML_CONNECTIONS
            )?;
        }
        o.push_str("</section>\n");
        Ok(())
    }
}

/// `--html FILE`: the report and the file it goes to, opened before any input is read so that
/// an unwritable path is refused at once rather than after the analysis.
pub struct HtmlFile {
    report: HtmlReport,
    file: std::fs::File,
    path: String,
}

impl HtmlFile {
    /// Creates (or truncates) `path`. The error is one line naming the path and a fix.
    pub fn create(path: &str, inputs: &[String]) -> Result<HtmlFile, String> {
        let p = std::path::Path::new(path);
        let target = std::fs::canonicalize(p).ok();
        if target.is_some()
            && inputs
                .iter()
                .any(|f| std::fs::canonicalize(f).ok() == target)
        {
            return Err(format!(
                "--html {path} is one of the input files; choose another name"
            ));
        }
        if p.is_dir() {
            return Err(format!(
                "--html {path}: is a directory; give a file name, e.g. {}/report.html",
                path.trim_end_matches('/')
            ));
        }
        let file = std::fs::File::create(p).map_err(|e| {
            let why = match e.kind() {
                io::ErrorKind::NotFound => "no such directory".to_string(),
                io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            };
            format!("--html {path}: cannot create the file ({why}); choose a writable path")
        })?;
        Ok(HtmlFile {
            report: HtmlReport::new(inputs),
            file,
            path: path.to_string(),
        })
    }

    pub fn add(&mut self, r: &SessionRecord) {
        self.report.add(r);
    }

    /// Writes the page and closes the file. The error is one line naming the path.
    pub fn finish(
        self,
        cap: &CaptureStats,
        dec: &DecodeCounters,
        flows: &FlowCounters,
    ) -> Result<(), String> {
        let mut out = io::BufWriter::new(self.file);
        self.report
            .render(&mut out, cap, dec, flows)
            .and_then(|()| out.flush())
            .and_then(|()| out.get_ref().sync_all().or_else(ignore_unsyncable))
            .map_err(|e| format!("the HTML report {}: {e}", self.path))
    }
}

/// `sync_all` fails on pipes and character devices (`--html /dev/stdout`): not an error.
fn ignore_unsyncable(e: io::Error) -> io::Result<()> {
    match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported => Ok(()),
        _ => Err(e),
    }
}

fn card(o: &mut String, title: &str, value: &str, sub: &str, class: &str) -> fmt::Result {
    writeln!(
        o,
        "<div class=\"card {class}\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"s\">{}</div></div>",
        Esc(title),
        Esc(value),
        Esc(sub)
    )
}

pub(crate) fn outcome_badge(outcome: &str) -> String {
    format!(
        "<span class=\"badge\" style=\"background:{}\">{}</span>",
        outcome_color(outcome),
        Esc(outcome)
    )
}

fn latency_cell(o: &mut String, v: Option<f64>) -> fmt::Result {
    match v {
        Some(v) => write!(o, "<td class=\"num\" data-v=\"{v:.6}\">{}</td>", ms(v)),
        None => write!(
            o,
            "<td class=\"num\" data-v=\"-1\"><span class=\"muted\">-</span></td>"
        ),
    }
}

/// A counted table with a proportional bar per row.
fn bar_table(o: &mut String, t: &Table, n: usize, class: &str) -> fmt::Result {
    let total = t.total();
    if total == 0 {
        o.push_str("<p class=\"empty\">none visible</p>\n");
        return Ok(());
    }
    writeln!(o, "<table class=\"bars {class}\"><tbody>")?;
    let top = t.top(n);
    for (k, c) in &top {
        bar_row(o, k, *c, total)?;
    }
    let shown: u64 = top.iter().map(|(_, c)| c).sum();
    if total > shown {
        bar_row(o, "(other)", total - shown, total)?;
    }
    o.push_str("</tbody></table>\n");
    Ok(())
}

fn bar_row(o: &mut String, label: &str, c: u64, total: u64) -> fmt::Result {
    // "h2 (offered first; ...)": the note in parentheses is set in smaller, muted type.
    let (name, note) = match label.find(" (") {
        Some(i) if label.ends_with(')') && i > 0 => (&label[..i], &label[i + 1..]),
        _ => (label, ""),
    };
    write!(o, "<tr><td class=\"label\">{}", Esc(name))?;
    if !note.is_empty() {
        write!(o, " <span class=\"note\">{}</span>", Esc(note))?;
    }
    writeln!(
        o,
        "</td><td class=\"bar\"><span style=\"width:{:.1}%\"></span></td>\
         <td class=\"num\">{}</td><td class=\"num muted\">{:.1}%</td></tr>",
        pct(c, total),
        count(c),
        pct(c, total)
    )
}

fn pq_meter(o: &mut String, what: &str, part: u64, whole: u64, of: &str) -> fmt::Result {
    writeln!(
        o,
        "<div class=\"pq\"><div><b>{:.1}%</b> {} <span class=\"muted\">({} of {} {})</span></div>\
         <span class=\"meter pqm\"><span style=\"width:{:.1}%\"></span></span></div>",
        pct(part, whole),
        what,
        count(part),
        count(whole),
        of,
        pct(part, whole)
    )
}

/// One connection that did not establish: a summary line, then its facts and timeline.
fn connection(o: &mut String, i: usize, r: &SessionRecord) -> fmt::Result {
    let open = if i < OPEN_CONNECTIONS {
        " open=\"open\""
    } else {
        ""
    };
    write!(
        o,
        "<details class=\"conn\" id=\"c{}\"{open}><summary>{} <span class=\"mono\">{}</span> \
         <b>{}</b> <span class=\"mono muted\">{} → {}</span> <span class=\"tag\">{}</span>",
        i + 1,
        outcome_badge(r.outcome),
        Esc(&r.ts),
        Esc(r.sni.as_deref().unwrap_or("(no SNI)")),
        Esc(&r.client),
        Esc(&r.server),
        Esc(r.transport)
    )?;
    writeln!(
        o,
        "<div class=\"detail\">{}</div></summary>",
        Esc(&r.detail)
    )?;
    o.push_str("<div class=\"conn-body\">\n<table class=\"facts\"><tbody>\n");
    let list = |v: &[String]| (!v.is_empty()).then(|| v.join(", "));
    let mut facts: Vec<(&str, Option<String>)> = vec![
        ("QUIC version", r.quic_version.clone()),
        ("confidence", Some(r.confidence.to_string())),
        ("versions offered", list(&r.versions_offered)),
        ("version", r.version.clone()),
        ("cipher", r.cipher.clone()),
        ("group", r.group.clone()),
        ("ALPN offered", list(&r.alpn_offered)),
        ("ALPN", r.alpn.clone()),
        ("tcp_rtt_ms", r.tcp_rtt_ms.map(ms)),
        ("server_hello_ms", r.server_hello_ms.map(ms)),
        ("handshake_ms", r.handshake_ms.map(ms)),
        (
            "bytes client / server",
            Some(format!(
                "{} / {}",
                count(r.bytes_client),
                count(r.bytes_server)
            )),
        ),
        ("JA4", r.ja4.clone()),
        (
            "alert",
            r.alert
                .as_ref()
                .map(|a| format!("{} {} from the {}", a.level, a.description, a.from)),
        ),
    ];
    if let Some(c) = &r.cert {
        facts.push(("certificate", Some(c.subject.clone())));
        facts.push(("issuer", Some(c.issuer.clone())));
        facts.push(("valid", Some(format!("{} → {}", c.not_before, c.not_after))));
    }
    for (k, v) in facts.iter().filter_map(|(k, v)| Some((k, v.as_ref()?))) {
        writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", Esc(k), Esc(v))?;
    }
    if !r.problems.is_empty() {
        o.push_str("<tr><th>problems</th><td><ul class=\"problems\">");
        for p in &r.problems {
            write!(
                o,
                "<li><code>{}</code> <span class=\"muted\">{}</span></li>",
                Esc(p),
                Esc(explain::problem(p))
            )?;
        }
        o.push_str("</ul></td></tr>\n");
    }
    o.push_str("</tbody></table>\n<div class=\"timeline\">\n");
    match &r.timeline {
        Some(t) => ladder::render(o, r, t)?,
        None if r.transport == "quic" => {
            o.push_str("<p class=\"empty\">No packet timeline for this connection.</p>\n")
        }
        None => o.push_str(
            "<p class=\"empty\">No packet timeline was recorded for this connection.</p>\n",
        ),
    }
    o.push_str("</div>\n</div>\n</details>\n");
    Ok(())
}

/// Click a header to sort its table; numbers by `data-v`. No `<` in here on purpose.
const SORT_JS: &str = r#"document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0];
    var dir = th.getAttribute("data-dir") === "asc" ? -1 : 1;
    th.setAttribute("data-dir", dir === 1 ? "asc" : "desc");
    var key = function (row) {
      var c = row.cells[col];
      var v = c.getAttribute("data-v");
      return v === null ? c.textContent.trim().toLowerCase() : v;
    };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      if (!isNaN(nx) && !isNaN(ny)) { return dir * (nx - ny); }
      return dir * String(x).localeCompare(String(y));
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"#;

/// The page's style. No `url(...)`, no `@import`, no web fonts: system fonts only.
const CSS: &str = r#":root { --fg: #1e2430; --muted: #6b7280; --line: #e3e6eb; --bg: #f5f6f8; --panel: #ffffff;
  --accent: #1f4e8c; --good: #1f9d55; --warn: #e1a100; --bad: #d63031; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; }
code, .mono, .sni, td.num { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; }
code, .mono { font-size: 12.5px; }
header { background: #14213d; color: #e8ecf3; padding: 18px 32px 0 32px; }
header .brand { font-size: 22px; font-weight: 700; letter-spacing: 0.3px; }
header .brand span { font-weight: 400; color: #9fb3d9; font-size: 16px; margin-left: 8px; }
header .inputs { margin-top: 4px; color: #c9d3e6; }
header .inputs code { color: #ffffff; }
header .span { color: #c9d3e6; font-size: 13px; margin-top: 2px; }
header .muted { color: #8ea0c4; }
nav { margin-top: 12px; display: flex; gap: 4px; flex-wrap: wrap; }
nav a { color: #c9d3e6; text-decoration: none; padding: 6px 12px; border-radius: 6px 6px 0 0; font-size: 13px; }
nav a:hover { background: #23345c; color: #ffffff; }
main { padding: 8px 32px 24px 32px; max-width: 1500px; }
section { margin-top: 18px; }
h2 { font-size: 18px; margin: 22px 0 10px 0; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h2 .muted { font-size: 13px; font-weight: 400; }
h3 { font-size: 14px; margin: 0 0 8px 0; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; color: var(--muted); margin: 4px 0 8px 0; }
.empty { color: var(--muted); font-style: italic; }
.verdict { font-size: 15px; background: var(--panel); border-left: 4px solid var(--accent); padding: 10px 14px; margin: 16px 0 12px 0; border-radius: 4px; box-shadow: 0 1px 2px rgba(0,0,0,0.06); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.card { background: var(--panel); border-radius: 8px; padding: 12px 16px; border-top: 4px solid var(--accent); box-shadow: 0 1px 2px rgba(0,0,0,0.06); }
.card.good { border-top-color: var(--good); } .card.warn { border-top-color: var(--warn); } .card.bad { border-top-color: var(--bad); }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.5px; }
.card .v { font-size: 24px; font-weight: 700; margin-top: 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card .s { color: var(--muted); font-size: 12.5px; }
.strip { margin: 14px 0 4px 0; }
.strip svg { display: block; border-radius: 4px; }
.legend { margin-top: 6px; }
.legend .key { margin-right: 14px; white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
svg.chart, svg.ladder { max-width: 100%; height: auto; }
dl.input { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 12.5px; color: var(--muted); margin: 8px 0 0 0; }
dl.input dt { font-weight: 600; } dl.input dd { margin: 0; }
.row { display: flex; gap: 14px; flex-wrap: wrap; align-items: flex-start; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 14px; align-items: start; }
.panel { background: var(--panel); border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 2px rgba(0,0,0,0.06); min-width: 300px; }
.panel.grow { flex: 1 1 560px; }
.grid .panel.wide { grid-column: span 2; }
.wide table.bars td.bar { width: 220px; }
@media (max-width: 900px) { .grid .panel.wide { grid-column: auto; } }
.note { color: var(--muted); font-size: 11.5px; }
.panel.hist { flex: 1 1 380px; }
table { border-collapse: collapse; background: var(--panel); }
th, td { text-align: left; padding: 5px 9px; vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: 0.4px; border-bottom: 2px solid var(--line); }
td { border-bottom: 1px solid var(--line); }
td.num, th.num { text-align: right; white-space: nowrap; }
table.snis, table.quantiles, table.explain { width: 100%; border-radius: 8px; box-shadow: 0 1px 2px rgba(0,0,0,0.06); }
table.quantiles { margin-top: 14px; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th:hover { color: var(--fg); }
table.snis tbody tr:hover, table.explain tbody tr:hover { background: #f0f4fa; }
td.sni { font-weight: 600; word-break: break-all; }
td.rate { min-width: 130px; }
.meter { display: inline-block; width: 64px; height: 8px; background: #eceff3; border-radius: 4px; margin-right: 8px; vertical-align: middle; overflow: hidden; }
.meter span { display: block; height: 100%; background: var(--accent); }
.meter.good span { background: var(--good); } .meter.warn span { background: var(--warn); } .meter.bad span { background: var(--bad); }
.meter.pqm { width: 100%; height: 10px; margin: 4px 0 10px 0; }
.meter.pqm span { background: #6c5ce7; }
table.bars { width: 100%; }
table.bars td { border: none; padding: 3px 6px; }
table.bars td.label { overflow-wrap: anywhere; font-size: 13px; }
table.bars.mono td.label { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
table.bars td.bar { width: 90px; min-width: 60px; }
table.bars td.bar span { display: block; height: 10px; background: var(--accent); border-radius: 3px; min-width: 2px; }
.badge { color: #ffffff; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.tag { background: #eceff3; color: #3d4451; border-radius: 4px; padding: 0 6px; font-size: 12px; }
.tag.alert { background: #fde2e1; color: #a61b1b; }
details.conn { background: var(--panel); border-radius: 8px; margin: 8px 0; box-shadow: 0 1px 2px rgba(0,0,0,0.06); }
details.conn summary { padding: 9px 14px; cursor: pointer; }
details.conn summary .detail { color: #3d4451; margin: 3px 0 0 22px; font-size: 13px; }
details.conn[open] summary { border-bottom: 1px solid var(--line); }
.conn-body { display: flex; gap: 18px; padding: 10px 14px 14px 14px; flex-wrap: wrap; align-items: flex-start; }
table.facts { font-size: 13px; flex: 0 1 540px; }
table.facts th { text-transform: none; letter-spacing: 0; font-size: 12.5px; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.facts td { overflow-wrap: anywhere; }
ul.problems { margin: 0; padding-left: 16px; }
.timeline { flex: 1 1 560px; }
svg text { font-family: system-ui, "DejaVu Sans", sans-serif; }
svg .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.pq { font-size: 13px; }
footer { color: var(--muted); font-size: 12px; padding: 16px 32px 28px 32px; }
@media print { nav { display: none; } details.conn { break-inside: avoid; } }
"#;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod wellformed;
