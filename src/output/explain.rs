//! One line per problem and per alert, saying what it usually means and where to look. Used by
//! the report; the wording is for the person debugging, not a specification.

/// What a problem name usually means.
pub fn problem(name: &str) -> &'static str {
    match name {
        "syn_retransmitted" => {
            "the client resent its SYN: loss or a filter dropping SYNs on the path"
        }
        "client_hello_retransmitted" => {
            "the ClientHello was resent: loss, or a large hello above the path MTU being dropped"
        }
        "overlap_conflict" => {
            "two copies of the same TCP bytes differed: an injection/evasion attempt or a broken middlebox"
        }
        "capture_gap" => {
            "the capture missed bytes the receiver got (capture loss); parsing stopped there"
        }
        "snaplen_truncated" => "packets were cut by the capture's snaplen; capture with -s 0",
        "one_sided_capture" => {
            "only one direction was captured (asymmetric routing or a one-way tap): no verdict"
        }
        "midstream" => "the capture started after the connection was set up",
        "no_tcp_handshake_seen" => "the TCP handshake is not in the capture; RTT is unknown",
        "reset_by_client" => {
            "the client sent the RST: it gave up (timeout, or did not like the answer)"
        }
        "reset_by_server" => {
            "a RST from the server's side: the server, a load balancer, or a middlebox (SNI filter) reset it"
        }
        "server_silent_after_client_hello" => {
            "the server never answered the ClientHello: a filter dropping by SNI, or a stuck server"
        }
        "server_not_tls" => {
            "the server answered TLS with something else: a plain-text service on the port"
        }
        "encrypted_alert" => {
            "the client sent an encrypted alert after the ServerHello: usually it rejected the certificate"
        }
        "no_application_data" => {
            "the handshake completed but the client sent nothing: a health check or a probe"
        }
        "server_closed_during_handshake" => {
            "the server closed the connection in the middle of the handshake"
        }
        "no_client_hello" => "TCP connected and closed without a ClientHello: a port check",
        "malformed_hello" => "a hello did not parse: a broken client/server or not really TLS",
        "malformed_extension" => "a hello extension did not parse; the rest of the hello was read",
        "malformed_record" => "a TLS record header was invalid; parsing of that direction stopped",
        "oversized_handshake_message" => {
            "a handshake message claimed an implausible size and was skipped"
        }
        "handshake_budget_exceeded" => {
            "the handshake was larger than the reassembly budget (--max-handshake-bytes)"
        }
        "sslv2_client_hello" => {
            "the client used the SSLv2-compatible hello format: a very old client"
        }
        "evicted" => "the flow table was full and this flow was written early (--max-flows)",
        "cert_expired" => "the server certificate had expired at capture time",
        "cert_not_yet_valid" => {
            "the server certificate was not yet valid at capture time: check clocks"
        }
        "self_signed" => "the server sent a self-signed certificate",
        "sni_cert_mismatch" => {
            "the certificate does not cover the requested name: wrong vhost/default certificate"
        }
        "weak_key" => "a certificate in the chain has a weak key (RSA < 2048 or EC < 224 bits)",
        "chain_out_of_order" => "the chain is sent out of order; strict clients fail",
        "untrusted_issuer" => {
            "the chain does not reach a public root: a private CA or TLS interception (proxy, AV)"
        }
        "client_cert_expired" => "the client certificate had expired at capture time",
        "client_cert_not_yet_valid" => "the client certificate was not yet valid at capture time",
        "client_cert_weak_key" => "the client certificate has a weak key",
        "rst_injected_suspected" => {
            "the reset did not come from the server (TTL or timing differ): a middlebox or SNI filter"
        }
        "pmtu_blackhole_suspected" => {
            "large packets are dropped on the path (PMTU black hole): the multi-segment hello never arrives"
        }
        "zero_window" => "a side advertised a zero TCP window: it is not reading (overloaded?)",
        "quic_blocked_fell_back_to_tcp" => {
            "QUIC to this name got no answer and the client fell back to TCP: UDP 443 is blocked"
        }
        "interception_suspected" => {
            "one non-public issuer signs certificates for many unrelated sites: TLS inspection (proxy, AV)"
        }
        "quic_unanswered" => {
            "the client's QUIC Initials got no answer: UDP 443 blocked on the path (browsers fall back to TCP)"
        }
        "quic_address_changed" => {
            "the client's address or port changed mid-connection (NAT rebinding or migration); followed by connection ID"
        }
        "quic_retry" => {
            "the server asked the client to prove its address (Retry): normal under load or DoS protection"
        }
        "quic_version_negotiation" => "the server does not speak the client's QUIC version",
        "quic_decryption_failed" => {
            "an Initial packet did not decrypt: corrupted, or not the connection it seems"
        }
        "gquic" => "Google QUIC (Q0xx): its handshake is not TLS, so no TLS fields",
        _ => "",
    }
}

/// What an alert usually means.
pub fn alert(description: &str) -> &'static str {
    match description {
        "close_notify" => "orderly close",
        "unexpected_message" => {
            "a message arrived out of order: implementation bug or interference"
        }
        "bad_record_mac" => {
            "a record failed to decrypt: corruption or a middlebox altering traffic"
        }
        "record_overflow" => "a record was too long",
        "handshake_failure" => "no common parameters (ciphers, groups, signature algorithms)",
        "bad_certificate" | "unsupported_certificate" => "the peer refused the certificate",
        "certificate_revoked" => "the certificate is revoked",
        "certificate_expired" => {
            "the peer found the certificate expired (check its and the client's clock)"
        }
        "certificate_unknown" => "the peer refused the certificate for an unspecified reason",
        "illegal_parameter" => "a field had an illegal value: implementation bug or interference",
        "unknown_ca" => "the client does not trust the issuer: private CA or TLS interception",
        "access_denied" => "refused by policy",
        "decode_error" => "a message could not be decoded",
        "decrypt_error" => "a signature or Finished check failed",
        "protocol_version" => {
            "no common TLS version: compare versions_offered with what the server allows"
        }
        "insufficient_security" => "the peer wants stronger ciphers than offered",
        "internal_error" => "the peer hit an internal error",
        "inappropriate_fallback" => "a version-fallback retry was detected (TLS_FALLBACK_SCSV)",
        "user_canceled" => "the user or application cancelled the handshake",
        "no_renegotiation" => "renegotiation refused",
        "missing_extension" => "a required extension was missing",
        "unsupported_extension" => "an extension was sent that is not allowed here",
        "unrecognized_name" => "the server or load balancer has no certificate/vhost for this SNI",
        "bad_certificate_status_response" => "the OCSP staple was refused",
        "unknown_psk_identity" => "the resumption ticket or PSK was not recognised",
        "certificate_required" => "the server requires a client certificate (mutual TLS)",
        "no_application_protocol" => "no common ALPN protocol (e.g. h2 only vs http/1.1 only)",
        "ech_required" => "the server requires Encrypted Client Hello",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_the_verdict_names_is_explained() {
        let src =
            include_str!("../flow/verdict.rs").to_string() + include_str!("../flow/describe.rs");
        let mut missing = Vec::new();
        for (i, _) in src.match_indices("push(\"") {
            let rest = &src[i + 6..];
            let name = &rest[..rest.find('"').unwrap()];
            if problem(name).is_empty() {
                missing.push(name.to_string());
            }
        }
        for (i, _) in src.match_indices("=> \"client_cert") {
            let rest = &src[i + 4..];
            let name = &rest[..rest.find('"').unwrap()];
            if problem(name).is_empty() {
                missing.push(name.to_string());
            }
        }
        assert!(missing.is_empty(), "unexplained problems: {missing:?}");
    }

    #[test]
    fn common_alerts_are_explained() {
        for a in [
            "unrecognized_name",
            "protocol_version",
            "unknown_ca",
            "handshake_failure",
        ] {
            assert!(!alert(a).is_empty());
        }
    }
}
