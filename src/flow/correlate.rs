//! Findings that need more than one connection: a client whose QUIC attempts to a name go
//! unanswered and who then reaches the same name over TCP (UDP 443 blocked), and a private
//! issuer signing certificates for many unrelated names (TLS interception). Applied to records
//! as they are written; whichever of a pair is written second carries the finding.
//!
//! Bounded: each map holds at most `MAX_KEYS` entries and is cleared by halves (oldest first)
//! when full.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use crate::output::record::SessionRecord;
use crate::time::Timestamp;

/// Entries per correlation map (count).
pub const MAX_KEYS: usize = 65_536;
/// A TCP connection within this long after an unanswered QUIC attempt is its fallback (seconds).
pub const FALLBACK_WINDOW_SECS: u64 = 60;
/// Distinct unrelated names one private issuer must sign before interception is suspected.
pub const INTERCEPTION_MIN_NAMES: usize = 3;
/// Names remembered per issuer (count).
const MAX_NAMES_PER_ISSUER: usize = 16;

#[derive(Default)]
pub struct Correlator {
    /// (client, SNI) → when its last unanswered QUIC attempt started.
    quic_unanswered: HashMap<(IpAddr, String), Timestamp>,
    /// (client, SNI) → when its last TCP connection started.
    tcp_started: HashMap<(IpAddr, String), Timestamp>,
    /// Untrusted issuer → the registrable names it signed for.
    issuer_names: HashMap<String, HashSet<String>>,
}

fn insert_bounded<K: std::hash::Hash + Eq, V: Copy + Ord>(map: &mut HashMap<K, V>, k: K, v: V) {
    if map.len() >= MAX_KEYS && !map.contains_key(&k) {
        // Drop the older half: O(n) once per MAX_KEYS/2 inserts.
        let mut times: Vec<V> = map.values().copied().collect();
        let mid = times.len() / 2;
        let (_, cut, _) = times.select_nth_unstable(mid);
        let cut = *cut;
        map.retain(|_, t| *t > cut);
    }
    map.insert(k, v);
}

/// The last two labels of a name: "api.example.com" and "www.example.com" are one site.
fn site(name: &str) -> String {
    let labels: Vec<&str> = name.trim_end_matches('.').rsplitn(3, '.').collect();
    match labels.as_slice() {
        [tld, domain, ..] => format!("{domain}.{tld}").to_ascii_lowercase(),
        _ => name.to_ascii_lowercase(),
    }
}

fn push(rec: &mut SessionRecord, problem: &'static str, detail: String) {
    if !rec.problems.contains(&problem) {
        rec.problems.push(problem);
        rec.detail.push_str("; ");
        rec.detail.push_str(&detail);
    }
}

impl Correlator {
    pub fn observe(&mut self, rec: &mut SessionRecord, first_ts: Timestamp, client_ip: IpAddr) {
        let Some(sni) = rec.sni.clone() else { return };
        let key = (client_ip, sni.clone());
        let window = FALLBACK_WINDOW_SECS;
        if rec.transport == "quic" && rec.problems.contains(&"quic_unanswered") {
            if let Some(&tcp) = self.tcp_started.get(&key)
                && tcp >= first_ts
                && tcp <= first_ts.saturating_add_secs(window)
            {
                push(
                    rec,
                    "quic_blocked_fell_back_to_tcp",
                    format!(
                        "the client then reached {sni} over TCP: UDP 443 is blocked on the path"
                    ),
                );
            }
            insert_bounded(&mut self.quic_unanswered, key, first_ts);
        } else if rec.transport == "tcp" {
            if let Some(&quic) = self.quic_unanswered.get(&key)
                && quic <= first_ts
                && first_ts <= quic.saturating_add_secs(window)
            {
                push(
                    rec,
                    "quic_blocked_fell_back_to_tcp",
                    format!(
                        "the client's QUIC attempt to {sni} just before got no answer: UDP 443 is blocked"
                    ),
                );
            }
            insert_bounded(&mut self.tcp_started, key, first_ts);
        }
        if rec.problems.contains(&"untrusted_issuer")
            && let Some(issuer) = rec.cert.as_ref().map(|c| c.issuer.clone())
        {
            if self.issuer_names.len() >= MAX_KEYS && !self.issuer_names.contains_key(&issuer) {
                self.issuer_names.clear();
            }
            let names = self.issuer_names.entry(issuer.clone()).or_default();
            if names.len() < MAX_NAMES_PER_ISSUER {
                names.insert(site(&sni));
            }
            if names.len() >= INTERCEPTION_MIN_NAMES {
                let n = names.len();
                push(
                    rec,
                    "interception_suspected",
                    format!(
                        "the non-public issuer ({issuer}) signs certificates for {n}+ unrelated sites: a TLS-inspecting proxy"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites() {
        assert_eq!(site("api.Example.com"), "example.com");
        assert_eq!(site("example.com."), "example.com");
        assert_eq!(site("localhost"), "localhost");
    }

    #[test]
    fn bounded_maps_drop_the_older_half() {
        let mut m: HashMap<u32, u32> = HashMap::new();
        for i in 0..(MAX_KEYS as u32 + 10) {
            insert_bounded(&mut m, i, i);
        }
        assert!(m.len() <= MAX_KEYS);
        assert!(m.contains_key(&(MAX_KEYS as u32 + 9)));
    }
}
