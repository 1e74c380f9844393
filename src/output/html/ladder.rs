//! A connection's packet timeline as an SVG ladder diagram: client and server lifelines, one
//! arrow per packet (time on the left, what the packet carried above the arrow), long pauses
//! marked, retransmissions dashed and coloured, RSTs and alerts in red. Hovering an arrow
//! shows every field of the event.

use std::fmt::{self, Write as _};

use super::{Esc, count, ms};
use crate::output::record::{SessionRecord, TimelineEvent, TimelineRecord};

/// Events drawn per connection; the rest are counted under the diagram.
pub const MAX_LADDER_EVENTS: usize = 80;
/// A pause at least this long between two packets gets its own marker row (ms).
const PAUSE_MS: f64 = 100.0;

const W: f64 = 640.0;
const TIME_X: f64 = 78.0;
const CLIENT_X: f64 = 118.0;
const SERVER_X: f64 = 600.0;
const HEAD: f64 = 46.0;
const ROW: f64 = 30.0;
const PAUSE_ROW: f64 = 20.0;
/// How far an arrow drops between its two ends: packets take time to cross.
const SLANT: f64 = 9.0;
/// Characters of label per line above an arrow (12 px type between the lifelines).
const LABEL_CHARS: usize = 58;
/// Height of each extra label line.
const LINE: f64 = 13.0;

/// Human name of a TLS timeline label ("client_hello" → "ClientHello").
fn tls_name(label: &str) -> String {
    let fixed = match label {
        "client_hello" => "ClientHello",
        "server_hello" => "ServerHello",
        "hello_retry_request" => "HelloRetryRequest",
        "certificate" => "Certificate",
        "certificate_request" => "CertificateRequest",
        "certificate_verify" => "CertificateVerify",
        "server_key_exchange" => "ServerKeyExchange",
        "server_hello_done" => "ServerHelloDone",
        "client_key_exchange" => "ClientKeyExchange",
        "change_cipher_spec" => "ChangeCipherSpec",
        "new_session_ticket" => "NewSessionTicket",
        "finished" => "Finished",
        "certificate_status" => "CertificateStatus",
        "not_tls" => "not TLS",
        "encrypted_handshake" => "encrypted handshake",
        "application_data" => "application data",
        "encrypted_alert" => "encrypted alert",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    if let Some(desc) = label.strip_prefix("alert:") {
        format!("Alert {desc}")
    } else if let Some(n) = label.strip_prefix("application_data x") {
        format!("application data ×{n}")
    } else if let Some(why) = label.strip_prefix("parse_stopped:") {
        format!("parsing stopped ({why})")
    } else {
        label.to_string()
    }
}

/// What a packet without TLS content is, from its TCP flags.
fn tcp_name(flags: &str, bytes: u32) -> &'static str {
    if flags.contains('R') {
        "RST"
    } else if flags.contains('S') && flags.contains('.') {
        "SYN/ACK"
    } else if flags.contains('S') {
        "SYN"
    } else if flags.contains('F') {
        "FIN"
    } else if bytes > 0 {
        "data"
    } else if flags.is_empty() {
        "packet"
    } else {
        "ACK"
    }
}

fn is_alert(e: &TimelineEvent) -> bool {
    e.tls
        .iter()
        .any(|t| t.starts_with("alert:") || t == "encrypted_alert")
}

/// Stroke colour and dash pattern of an event's arrow.
fn style(e: &TimelineEvent) -> (&'static str, &'static str, f64) {
    if e.retransmission {
        ("#e58e26", "6 4", 2.0)
    } else if e.flags.contains('R') || is_alert(e) {
        ("#d63031", "", 2.0)
    } else if e.tls.iter().any(|t| t.starts_with("application_data")) {
        ("#1f9d55", "", 1.8)
    } else if !e.tls.is_empty() {
        ("#1f4e8c", "", 2.0)
    } else {
        ("#9aa3af", "", 1.2)
    }
}

/// Draws the ladder for `t`; `r` names the two ends.
pub(super) fn render(o: &mut String, r: &SessionRecord, t: &TimelineRecord) -> fmt::Result {
    if t.events.is_empty() {
        o.push_str("<p class=\"empty\">The timeline is empty.</p>\n");
        return note_not_shown(o, t, 0);
    }
    let shown = &t.events[..t.events.len().min(MAX_LADDER_EVENTS)];
    // Row positions first (pauses add height), so the SVG knows its size.
    let mut ys = Vec::with_capacity(shown.len());
    let mut pauses = Vec::new();
    let mut y = HEAD + 14.0;
    let mut prev: Option<f64> = None;
    let labels: Vec<Vec<String>> = shown.iter().map(label_lines).collect();
    for (e, lines) in shown.iter().zip(&labels) {
        if let Some(p) = prev {
            let gap = e.t_ms - p;
            if gap.is_finite() && gap >= PAUSE_MS {
                // Centred in the gap between the last arrow and the next label.
                pauses.push((y - 16.0, gap));
                y += PAUSE_ROW;
            }
        }
        // Extra label lines sit above the arrow.
        y += LINE * lines.len().saturating_sub(1) as f64;
        ys.push(y);
        y += ROW;
        prev = Some(e.t_ms);
    }
    let h = y + 6.0;
    write!(
        o,
        "<svg class=\"ladder\" viewBox=\"0 0 {W} {h:.0}\" width=\"{W}\" height=\"{h:.0}\" role=\"img\" \
         aria-label=\"packet timeline\">"
    )?;
    // Column heads and lifelines.
    for (x, who, addr) in [
        (CLIENT_X, "client", r.client.as_str()),
        (SERVER_X, "server", r.server.as_str()),
    ] {
        let anchor = if x < W / 2.0 { "start" } else { "end" };
        let tx = if x < W / 2.0 { x - 22.0 } else { x + 22.0 };
        write!(
            o,
            "<text x=\"{tx:.1}\" y=\"16\" text-anchor=\"{anchor}\" font-size=\"13\" font-weight=\"700\" fill=\"#1e2430\">{who}</text>\
             <text x=\"{tx:.1}\" y=\"32\" text-anchor=\"{anchor}\" font-size=\"11.5\" class=\"mono\" fill=\"#3d4451\">{}</text>\
             <line x1=\"{x}\" y1=\"{:.1}\" x2=\"{x}\" y2=\"{:.1}\" stroke=\"#c3c9d2\" stroke-width=\"3\"></line>",
            Esc(addr),
            HEAD - 6.0,
            h - 4.0
        )?;
    }
    write!(
        o,
        "<text x=\"{TIME_X}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">ms</text>",
        HEAD + 2.0
    )?;
    for (py, gap) in &pauses {
        write!(
            o,
            "<line x1=\"{CLIENT_X}\" y1=\"{:.1}\" x2=\"{SERVER_X}\" y2=\"{:.1}\" stroke=\"#d5d9e0\" stroke-dasharray=\"2 4\"></line>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" font-style=\"italic\" fill=\"#6b7280\" \
             stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\">… {} later …</text>",
            py + PAUSE_ROW / 2.0,
            py + PAUSE_ROW / 2.0,
            (CLIENT_X + SERVER_X) / 2.0,
            py + PAUSE_ROW / 2.0 + 4.0,
            ms(*gap)
        )?;
    }
    for ((e, y), lines) in shown.iter().zip(&ys).zip(&labels) {
        arrow(o, e, *y, lines)?;
    }
    o.push_str("</svg>\n");
    note_not_shown(o, t, t.events.len() - shown.len())
}

/// What a packet carried, as lines of at most about [`LABEL_CHARS`], broken after commas.
fn label_lines(e: &TimelineEvent) -> Vec<String> {
    let parts: Vec<String> = if e.tls.is_empty() {
        vec![tcp_name(&e.flags, e.bytes).to_string()]
    } else {
        e.tls.iter().map(|t| tls_name(t)).collect()
    };
    let mut lines: Vec<String> = vec![String::new()];
    for p in parts {
        let last = lines.last_mut().expect("never empty");
        if last.is_empty() {
            last.push_str(&p);
        } else if last.chars().count() + p.chars().count() + 2 <= LABEL_CHARS {
            last.push_str(", ");
            last.push_str(&p);
        } else {
            last.push(',');
            lines.push(p);
        }
    }
    lines
}

fn arrow(o: &mut String, e: &TimelineEvent, y: f64, lines: &[String]) -> fmt::Result {
    let to_server = e.from != "server";
    let (x1, x2) = if to_server {
        (CLIENT_X, SERVER_X)
    } else {
        (SERVER_X, CLIENT_X)
    };
    let (y1, y2) = (y, y + SLANT);
    let (color, dash, width) = style(e);
    let mut side = String::new();
    if !e.flags.is_empty() {
        side.push_str(&format!("[{}]", e.flags));
    }
    if e.bytes > 0 {
        side.push_str(&format!(" {} B", count(e.bytes as u64)));
    }
    // Tooltip: every field.
    let mut tip = format!(
        "+{} {} → {}",
        ms(e.t_ms),
        e.from,
        if to_server { "server" } else { "client" }
    );
    if !e.flags.is_empty() {
        tip.push_str(&format!(" · flags {}", e.flags));
    }
    tip.push_str(&format!(" · {} bytes", e.bytes));
    if let Some(off) = e.offset {
        tip.push_str(&format!(" · offset {off}"));
    }
    if let Some(ack) = e.ack {
        tip.push_str(&format!(" · ack {ack}"));
    }
    tip.push_str(&format!(" · TTL {}", e.ttl));
    if e.retransmission {
        tip.push_str(" · retransmission");
    }
    if !e.tls.is_empty() {
        tip.push_str(&format!(" · {}", e.tls.join(", ")));
    }
    write!(o, "<g><title>{}</title>", Esc(&tip))?;
    write!(
        o,
        "<text x=\"{TIME_X}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" class=\"mono\" fill=\"#3d4451\">{:.3}</text>",
        y + 4.0,
        e.t_ms
    )?;
    let dash_attr = if dash.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{dash}\"")
    };
    // The shaft stops short of the tip so the head stays sharp.
    let (ux, uy) = unit(x2 - x1, y2 - y1);
    write!(
        o,
        "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{color}\" stroke-width=\"{width}\"{dash_attr}></line>",
        x2 - ux * 7.0,
        y2 - uy * 7.0
    )?;
    let (bx, by) = (x2 - ux * 10.0, y2 - uy * 10.0);
    let (nx, ny) = (-uy * 4.5, ux * 4.5);
    write!(
        o,
        "<polygon points=\"{x2:.1},{y2:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{color}\"></polygon>",
        bx + nx,
        by + ny,
        bx - nx,
        by - ny
    )?;
    let mid = (CLIENT_X + SERVER_X) / 2.0;
    let label_color = if color == "#9aa3af" {
        "#6b7280"
    } else {
        "#1e2430"
    };
    let last_y = y + SLANT / 2.0 - 5.0;
    let first_y = last_y - LINE * lines.len().saturating_sub(1) as f64;
    for (i, line) in lines.iter().enumerate().take(lines.len().saturating_sub(1)) {
        write!(
            o,
            "<text x=\"{mid:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"600\" \
             fill=\"{label_color}\">{}</text>",
            first_y + LINE * i as f64,
            Esc(line)
        )?;
    }
    write!(
        o,
        "<text x=\"{mid:.1}\" y=\"{last_y:.1}\" text-anchor=\"middle\" font-size=\"12\">\
         <tspan font-weight=\"600\" fill=\"{label_color}\">{}</tspan>\
         <tspan fill=\"#6b7280\" font-size=\"11\"> {}</tspan>",
        Esc(lines.last().map_or("", String::as_str)),
        Esc(&side)
    )?;
    if e.retransmission {
        o.push_str(
            "<tspan fill=\"#c0641a\" font-size=\"11\" font-weight=\"600\"> retransmission</tspan>",
        );
    }
    o.push_str("</text></g>");
    Ok(())
}

fn unit(dx: f64, dy: f64) -> (f64, f64) {
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    (dx / len, dy / len)
}

fn note_not_shown(o: &mut String, t: &TimelineRecord, not_drawn: usize) -> fmt::Result {
    if not_drawn > 0 {
        writeln!(
            o,
            "<p class=\"small\">{} more events recorded, not drawn.</p>",
            count(not_drawn as u64)
        )?;
    }
    if t.packets_not_shown > 0 {
        writeln!(
            o,
            "<p class=\"small\">{} packets not in the timeline (data and ACKs after the handshake, \
             or beyond its bound).</p>",
            count(t.packets_not_shown)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(tls_name("client_hello"), "ClientHello");
        assert_eq!(tls_name("alert:unknown_ca"), "Alert unknown_ca");
        assert_eq!(tls_name("something_new"), "something_new");
        assert_eq!(tcp_name("S", 0), "SYN");
        assert_eq!(tcp_name("S.", 0), "SYN/ACK");
        assert_eq!(tcp_name("R.", 0), "RST");
        assert_eq!(tcp_name("F.", 0), "FIN");
        assert_eq!(tcp_name("P.", 100), "data");
        assert_eq!(tcp_name(".", 0), "ACK");
        assert_eq!(tcp_name("", 0), "packet");
        assert_eq!(tls_name("application_data x3"), "application data ×3");
    }

    #[test]
    fn long_labels_wrap_after_commas() {
        let e = TimelineEvent {
            t_ms: 1.0,
            from: "server",
            flags: "P.".into(),
            bytes: 744,
            offset: Some(1),
            ack: Some(518),
            retransmission: false,
            ttl: 64,
            tls: [
                "server_hello",
                "certificate",
                "server_key_exchange",
                "certificate_request",
                "server_hello_done",
            ]
            .map(String::from)
            .to_vec(),
        };
        let lines = label_lines(&e);
        assert_eq!(
            lines,
            [
                "ServerHello, Certificate, ServerKeyExchange,",
                "CertificateRequest, ServerHelloDone"
            ]
        );
    }
}
