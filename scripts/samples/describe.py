#!/usr/bin/env python3
"""Independent, tshark-based description of the sample captures.

For every TCP connection in every capture it prints the values a correct tlscope must
report (SPEC.md field names). Everything protocol-level comes from tshark's dissection
(`tshark -T pdml`); this script only groups tshark's fields per connection and applies the
SPEC's outcome table. Certificates are the DER bytes tshark extracted, decoded by
`openssl x509`. JA3/JA3S are tshark's own; JA4 is computed here from tshark's fields,
following FoxIO's JA4 specification (checked against the spec's worked example, --selftest).

  describe.py [--json] FILE.pcap...
  describe.py --selftest
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

# RFC 8446 / IANA TLS alert names (snake_case), by code.
ALERTS = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
    22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure",
    41: "no_certificate", 42: "bad_certificate", 43: "unsupported_certificate",
    44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
    47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
    51: "decrypt_error", 60: "export_restriction", 70: "protocol_version",
    71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback",
    90: "user_canceled", 100: "no_renegotiation", 109: "missing_extension",
    110: "unsupported_extension", 111: "certificate_unobtainable", 112: "unrecognized_name",
    113: "bad_certificate_status_response", 114: "bad_certificate_hash_value",
    115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol",
}
VERSIONS = {0x0300: "SSLv3", 0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
JA4_VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2",
                0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3"}
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"

# IANA names (TLS ExtensionType, Supported Groups, SignatureScheme registries). Values the
# registries do not name (e.g. OpenSSL's legacy SHA-224 / DSA code points 0x0301..0x0602 in
# signature_algorithms) are written "0x%04x"; GREASE as "GREASE(0x0a0a)".
EXT_NAMES = {
    0: "server_name", 1: "max_fragment_length", 2: "client_certificate_url", 3: "trusted_ca_keys",
    4: "truncated_hmac", 5: "status_request", 6: "user_mapping", 7: "client_authz", 8: "server_authz",
    9: "cert_type", 10: "supported_groups", 11: "ec_point_formats", 12: "srp", 13: "signature_algorithms",
    14: "use_srtp", 15: "heartbeat", 16: "application_layer_protocol_negotiation",
    17: "status_request_v2", 18: "signed_certificate_timestamp", 19: "client_certificate_type",
    20: "server_certificate_type", 21: "padding", 22: "encrypt_then_mac", 23: "extended_master_secret",
    24: "token_binding", 25: "cached_info", 26: "tls_lts", 27: "compress_certificate",
    28: "record_size_limit", 29: "pwd_protect", 30: "pwd_clear", 31: "password_salt",
    32: "ticket_pinning", 33: "tls_cert_with_extern_psk", 34: "delegated_credential",
    35: "session_ticket", 36: "TLMSP", 37: "TLMSP_proxying", 38: "TLMSP_delegate",
    39: "supported_ekt_ciphers", 41: "pre_shared_key", 42: "early_data", 43: "supported_versions",
    44: "cookie", 45: "psk_key_exchange_modes", 47: "certificate_authorities", 48: "oid_filters",
    49: "post_handshake_auth", 50: "signature_algorithms_cert", 51: "key_share",
    52: "transparency_info", 53: "connection_id_deprecated", 54: "connection_id",
    55: "external_id_hash", 56: "external_session_id", 57: "quic_transport_parameters",
    58: "ticket_request", 59: "dnssec_chain", 60: "sequence_number_encryption_algorithms",
    61: "rrc", 0xfd00: "ech_outer_extensions", 0xfe0d: "encrypted_client_hello",
    0xff01: "renegotiation_info",
}
GROUP_NAMES = {
    1: "sect163k1", 2: "sect163r1", 3: "sect163r2", 4: "sect193r1", 5: "sect193r2", 6: "sect233k1",
    7: "sect233r1", 8: "sect239k1", 9: "sect283k1", 10: "sect283r1", 11: "sect409k1", 12: "sect409r1",
    13: "sect571k1", 14: "sect571r1", 15: "secp160k1", 16: "secp160r1", 17: "secp160r2",
    18: "secp192k1", 19: "secp192r1", 20: "secp224k1", 21: "secp224r1", 22: "secp256k1",
    23: "secp256r1", 24: "secp384r1", 25: "secp521r1", 26: "brainpoolP256r1", 27: "brainpoolP384r1",
    28: "brainpoolP512r1", 29: "x25519", 30: "x448", 31: "brainpoolP256r1tls13",
    32: "brainpoolP384r1tls13", 33: "brainpoolP512r1tls13", 34: "GC256A", 35: "GC256B", 36: "GC256C",
    37: "GC256D", 38: "GC512A", 39: "GC512B", 40: "GC512C", 41: "curveSM2",
    256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144", 260: "ffdhe8192",
    512: "MLKEM512", 513: "MLKEM768", 514: "MLKEM1024",
    0x11eb: "SecP256r1MLKEM768", 0x11ec: "X25519MLKEM768", 0x11ed: "SecP384r1MLKEM1024",
    0x6399: "X25519Kyber768Draft00", 0x639a: "SecP256r1Kyber768Draft00",
}
PQ_GROUPS = {512, 513, 514, 0x11eb, 0x11ec, 0x11ed, 0x6399, 0x639a}
SIGALG_NAMES = {
    0x0201: "rsa_pkcs1_sha1", 0x0203: "ecdsa_sha1", 0x0401: "rsa_pkcs1_sha256",
    0x0403: "ecdsa_secp256r1_sha256", 0x0420: "rsa_pkcs1_sha256_legacy", 0x0501: "rsa_pkcs1_sha384",
    0x0503: "ecdsa_secp384r1_sha384", 0x0520: "rsa_pkcs1_sha384_legacy", 0x0601: "rsa_pkcs1_sha512",
    0x0603: "ecdsa_secp521r1_sha512", 0x0620: "rsa_pkcs1_sha512_legacy", 0x0704: "eccsi_sha256",
    0x0705: "iso_ibs1", 0x0706: "iso_ibs2", 0x0707: "iso_chinese_ibs", 0x0708: "sm2sig_sm3",
    0x0709: "gostr34102012_256a", 0x070a: "gostr34102012_256b", 0x070b: "gostr34102012_256c",
    0x070c: "gostr34102012_256d", 0x070d: "gostr34102012_512a", 0x070e: "gostr34102012_512b",
    0x070f: "gostr34102012_512c", 0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384",
    0x0806: "rsa_pss_rsae_sha512", 0x0807: "ed25519", 0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256",
    0x080a: "rsa_pss_pss_sha384", 0x080b: "rsa_pss_pss_sha512",
    0x081a: "ecdsa_brainpoolP256r1tls13_sha256", 0x081b: "ecdsa_brainpoolP384r1tls13_sha384",
    0x081c: "ecdsa_brainpoolP512r1tls13_sha512", 0x0904: "mldsa44", 0x0905: "mldsa65", 0x0906: "mldsa87",
}
PSK_MODES = {0: "psk_ke", 1: "psk_dhe_ke"}
COMPRESSION = {0: "null", 1: "DEFLATE", 64: "LZS"}
KEY_TYPES = {"rsaEncryption": "RSA", "id-ecPublicKey": "EC", "ED25519": "Ed25519", "ED448": "Ed448",
             "dsaEncryption": "DSA"}


def iana(table, v):
    if is_grease(v):
        return f"GREASE(0x{v:04x})"
    return table.get(v, f"0x{v:04x}")


def is_grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)


def ja4(ciphers, exts, sigalgs, versions, legacy_version, sni, alpn_first, transport="t"):
    """FoxIO JA4 (TLS client). All inputs are ints / strings as they appear in the ClientHello."""
    ciphers = [c for c in ciphers if not is_grease(c)]
    exts = [e for e in exts if not is_grease(e)]
    vers = [v for v in versions if not is_grease(v)]
    ver = JA4_VERSIONS.get(max(vers) if vers else legacy_version, "00")
    if not alpn_first:
        alpn = "00"
    else:
        raw = alpn_first.encode() if isinstance(alpn_first, str) else alpn_first
        first, last = chr(raw[0]), chr(raw[-1])
        if first.isascii() and first.isalnum() and last.isascii() and last.isalnum():
            alpn = first + last
        else:
            h = raw.hex()
            alpn = h[0] + h[-1]
    a = f"{transport}{ver}{'d' if sni else 'i'}{min(len(ciphers), 99):02d}{min(len(exts), 99):02d}{alpn}"
    cs = ",".join(sorted(f"{c:04x}" for c in ciphers))
    b = hashlib.sha256(cs.encode()).hexdigest()[:12] if ciphers else "000000000000"
    es = ",".join(sorted(f"{e:04x}" for e in exts if e not in (0x0000, 0x0010)))
    sa = ",".join(f"{s:04x}" for s in sigalgs if not is_grease(s))
    cstr = es + ("_" + sa if sa else "")
    c = hashlib.sha256(cstr.encode()).hexdigest()[:12] if es else "000000000000"
    return f"{a}_{b}_{c}"


def selftest():
    # The worked example of FoxIO's technical_details/JA4.md
    ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
               0x009c, 0x009d, 0x002f, 0x0035]
    exts = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
            0x002b, 0xff01, 0x000b, 0x000a, 0x0015]
    sig = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
    got = ja4(ciphers, exts, sig, [0x0304, 0x0303], 0x0303, True, "h2")
    want = "t13d1516h2_8daaf6152771_e5627efa2ab1"
    assert got == want, (got, want)
    got2 = ja4(ciphers, exts, [], [0x0304, 0x0303], 0x0303, True, "h2")
    assert got2.endswith("_6d807ffa2a79"), got2
    assert ja4(ciphers + [0x0a0a], exts + [0xfafa], sig, [0x3a3a, 0x0304], 0x0303, True, "h2") == want
    print("selftest ok:", got)


# ----------------------------------------------------------------------------------------------
def fields(el, name):
    return [f for f in el.iter("field") if f.get("name") == name]


def first(el, name, attr="show"):
    for f in el.iter("field"):
        if f.get("name") == name:
            return f.get(attr)
    return None


def as_int(s):
    if s is None:
        return None
    return int(s, 0) if s.startswith("0x") else int(s)


def label(showname):
    """'Cipher Suite: TLS_AES_256_GCM_SHA384 (0x1302)' -> 'TLS_AES_256_GCM_SHA384'"""
    v = showname.split(": ", 1)[1]
    return v.rsplit(" (", 1)[0]


def cipher_name(f):
    """IANA cipher suite name: tshark's label (it uses the IANA names), GREASE / unknown by number."""
    v = as_int(f.get("show"))
    if is_grease(v):
        return f"GREASE(0x{v:04x})"
    name = label(f.get("showname"))
    return name if name.startswith("TLS_") else f"0x{v:04x}"


def parse_hello_exts(hs):
    """[(type, element)] of the extensions of one handshake message, in order."""
    out = []
    for f in hs:
        if f.get("name") == "" and (f.get("show") or "").startswith("Extension:"):
            t = first(f, "tls.handshake.extension.type")
            if t is not None:
                out.append((int(t), f))
    return out


def openssl_date(v):
    """'Jan  1 00:00:00 2025 GMT' -> '2025-01-01T00:00:00Z'"""
    return datetime.strptime(" ".join(v.split()), "%b %d %H:%M:%S %Y GMT").strftime("%Y-%m-%dT%H:%M:%SZ")


def cert_info(der_hex, full=True):
    """One certificate (tshark's DER bytes) as `openssl x509` sees it, SPEC field names."""
    der = bytes.fromhex(der_hex.replace(":", ""))
    with tempfile.NamedTemporaryFile(suffix=".der") as tf:
        tf.write(der)
        tf.flush()
        out = subprocess.run(
            ["openssl", "x509", "-inform", "DER", "-in", tf.name, "-noout", "-subject", "-issuer",
             "-startdate", "-enddate", "-serial", "-fingerprint", "-sha256", "-ext", "subjectAltName",
             "-nameopt", "RFC2253"],
            capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", tf.name, "-noout", "-text"],
                              capture_output=True, text=True, check=True).stdout
    info = {}
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("subject="):
            info["subject"] = line[8:].strip()
        elif line.startswith("issuer="):
            info["issuer"] = line[7:].strip()
        elif line.startswith("notBefore="):
            info["not_before"] = openssl_date(line[10:].strip())
        elif line.startswith("notAfter="):
            info["not_after"] = openssl_date(line[9:].strip())
        elif line.startswith("serial="):
            info["serial"] = line[7:].strip().lower()
        elif line.startswith("sha256 Fingerprint="):
            info["sha256"] = line.split("=", 1)[1].replace(":", "").lower()
        elif "Subject Alternative Name" in line and i + 1 < len(lines):
            info["san"] = [s.strip().split(":", 1)[1] for s in lines[i + 1].split(",")]
    assert info["sha256"] == hashlib.sha256(der).hexdigest()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Public Key Algorithm:"):
            alg = line.split(":", 1)[1].strip()
            info["key_type"] = KEY_TYPES.get(alg, alg)
        elif line.startswith("Public-Key: (") and "key_bits" not in info:
            info["key_bits"] = int(line.split("(")[1].split()[0])
        elif line.startswith("ASN1 OID:"):
            info["curve"] = line.split(":", 1)[1].strip()
        elif line.startswith("Signature Algorithm:") and "sig_alg" not in info:
            info["sig_alg"] = line.split(":", 1)[1].strip()
    info["self_signed"] = info.get("subject") == info.get("issuer")
    if not full:
        return {k: info.get(k) for k in ("subject", "issuer", "not_before", "not_after", "key_type",
                                         "key_bits", "sig_alg", "serial", "sha256")}
    info.setdefault("san", [])
    return info


def chain_info(hs_el, sni=None):
    """cert object (SPEC) of a Certificate handshake message: the leaf, plus every element."""
    ders = [f.get("value") for f in fields(hs_el, "tls.handshake.certificate")]
    if not ders:
        return None
    info = cert_info(ders[0])
    info["chain_len"] = len(ders)
    info["sni_match"] = (sni in info.get("san", [])) if sni else None
    info["chain"] = [cert_info(d, full=False) for d in ders]
    return info


def epoch_to_rfc3339(t):
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def describe(path):
    args = ["tshark", "-r", path, "-T", "pdml", "-o", "tcp.desegment_tcp_streams:TRUE",
            "-o", "tls.desegment_ssl_records:TRUE", "-d", "tcp.port==8443,tls"]
    xml = subprocess.run(args, capture_output=True, check=True).stdout
    root = ET.fromstring(xml)
    conns = {}
    for pkt in root.iter("packet"):
        stream = first(pkt, "tcp.stream")
        if stream is None:
            continue
        t = float(first(pkt, "frame.time_epoch"))
        src = first(pkt, "ip.src") or first(pkt, "ipv6.src")
        dst = first(pkt, "ip.dst") or first(pkt, "ipv6.dst")
        sport, dport = int(first(pkt, "tcp.srcport")), int(first(pkt, "tcp.dstport"))
        fmt = (lambda a, p: f"[{a}]:{p}" if ":" in a else f"{a}:{p}")
        a, b = fmt(src, sport), fmt(dst, dport)
        flags = as_int(first(pkt, "tcp.flags"))
        syn, ack, fin, rst = bool(flags & 0x02), bool(flags & 0x10), bool(flags & 0x01), bool(flags & 0x04)
        tlen = int(first(pkt, "tcp.len") or 0)
        c = conns.setdefault(stream, {
            "stream": int(stream), "client": None, "server": None, "t0": t, "t_end": t,
            "syn_t": None, "synack_t": None, "ack_t": None, "rst_from": [], "fin_from": [],
            "bytes": {}, "first_payload_t": {}, "records": [], "hs": [], "alerts": [],
            "first_payload": {},
            # path evidence: SYN count, TTLs, resets, retransmissions, segment sizes, ACKs
            "syns": 0, "synack_ttl": None, "syn_ttl": None, "ttls": {}, "rsts": [], "retrans": {},
            "max_seg": {}, "max_ack": {}, "last_t": t,
        })
        c["t_end"] = t
        if syn and not ack and c["client"] is None:
            c["client"], c["server"] = a, b
            c["syn_t"] = t
        elif syn and ack:
            c["synack_t"] = t
            if c["client"] is None:
                c["client"], c["server"] = b, a
        elif c["synack_t"] is not None and c["ack_t"] is None and a == c["client"] and ack and not rst:
            c["ack_t"] = t
        ttl = as_int(first(pkt, "ip.ttl") or first(pkt, "ipv6.hlim"))
        if syn and not ack:
            c["syns"] += 1
            c["syn_ttl"] = ttl if c["syn_ttl"] is None else c["syn_ttl"]
        elif syn and ack and c["synack_ttl"] is None:
            c["synack_ttl"] = ttl
        if not rst:
            c["ttls"].setdefault(a, set()).add(ttl)
        else:
            c["rsts"].append({"from": a, "ttl": ttl, "ip_id": first(pkt, "ip.id"), "t": t})
        if first(pkt, "tcp.analysis.retransmission") is not None:
            c["retrans"][a] = c["retrans"].get(a, 0) + 1
        c["max_seg"][a] = max(c["max_seg"].get(a, 0), tlen)
        if ack and not syn:
            c["max_ack"][a] = max(c["max_ack"].get(a, 0), int(first(pkt, "tcp.ack") or 0))
        if rst:
            c["rst_from"].append(a)
        if fin:
            c["fin_from"].append(a)
        c["bytes"][a] = c["bytes"].get(a, 0) + tlen
        if tlen and a not in c["first_payload_t"]:
            c["first_payload_t"][a] = t
        if tlen and a not in c["first_payload"]:
            # tshark's idea of what the first payload is
            protos = [p.get("name") for p in pkt.iter("proto")]
            c["first_payload"][a] = [p for p in protos if p not in ("geninfo", "frame", "eth", "ip", "ipv6", "tcp")]
        segs = first(pkt, "tcp.segment.count")
        seg_frames = [int(f.get("show")) for f in fields(pkt, "tcp.segment")]
        for proto in pkt.iter("proto"):
            if proto.get("name") != "tls":
                continue
            for rec in proto:
                if rec.get("name") != "tls.record":
                    continue
                ctype = as_int(first(rec, "tls.record.content_type") or first(rec, "tls.record.opaque_type"))
                c["records"].append((a, ctype, t))
                for hs in rec:
                    if hs.get("name") == "tls.handshake":
                        htype = as_int(first(hs, "tls.handshake.type"))
                        if htype is None:
                            continue
                        c["hs"].append({"from": a, "type": htype, "el": hs, "t": t,
                                        "segments": int(segs) if segs else 1, "seg_frames": seg_frames,
                                        "frame": int(first(pkt, "frame.number"))})
                    elif hs.get("name") == "tls.alert_message":
                        lvl = as_int(first(hs, "tls.alert_message.level"))
                        desc = as_int(first(hs, "tls.alert_message.desc"))
                        if lvl is not None and desc is not None:   # else: an encrypted alert
                            c["alerts"].append((a, lvl, desc))
    for c in conns.values():
        if c["client"] is None:
            # no SYN seen: the side on the lower (service) port is the server, e.g. 443
            eps = sorted(c["bytes"], key=lambda ep: int(ep.rsplit(":", 1)[1]))
            if len(eps) == 2:
                c["server"], c["client"] = eps
    frame_time = {int(first(p, "frame.number")): float(first(p, "frame.time_epoch")) for p in root.iter("packet")}
    out = [summarize(c, frame_time) for c in sorted(conns.values(), key=lambda c: c["t0"])]
    quic = describe_quic(root)
    if quic:
        out = sorted(out + quic, key=lambda r: r["ts"])
    return out


# ----------------------------------------------------------------------------------------------
# QUIC: tshark decrypts the Initial packets itself (public keys from the client's first DCID,
# RFC 9001 §5.2 / RFC 9369 §3.3) and dissects the TLS handshake messages in their CRYPTO frames.
# Everything after the Initials is encrypted: only packet types and sizes are visible.
QUIC_VERSIONS = {0x00000001: "1", 0x6b3343cf: "quicv2"}
# RFC 9000 packet types; RFC 9369 §3.2 renumbers them in v2 (tshark: quic.long.packet_type_v2)
QUIC_TYPES_V1 = {0: "initial", 1: "0rtt", 2: "handshake", 3: "retry"}
QUIC_TYPES_V2 = {1: "initial", 2: "0rtt", 3: "handshake", 0: "retry"}


def describe_quic(root):
    conns = {}
    fmt = (lambda a, p: f"[{a}]:{p}" if ":" in a else f"{a}:{p}")
    for pkt in root.iter("packet"):
        stream = first(pkt, "udp.stream")
        quics = [p for p in pkt.iter("proto") if p.get("name") == "quic"]
        if stream is None or first(pkt, "tcp.stream") is not None or not quics:
            continue
        t = float(first(pkt, "frame.time_epoch"))
        frame = int(first(pkt, "frame.number"))
        src = first(pkt, "ip.src") or first(pkt, "ipv6.src")
        dst = first(pkt, "ip.dst") or first(pkt, "ipv6.dst")
        a = fmt(src, int(first(pkt, "udp.srcport")))
        b = fmt(dst, int(first(pkt, "udp.dstport")))
        c = conns.setdefault(stream, {"first": a, "other": b, "t0": t, "t_end": t, "bytes": {}, "datagrams": {},
                                      "packets": [], "hs": [], "closes": [], "version": None})
        c["t_end"] = t
        c["bytes"][a] = c["bytes"].get(a, 0) + int(first(pkt, "udp.length")) - 8
        c["datagrams"][a] = c["datagrams"].get(a, 0) + 1
        for q in quics:
            form = as_int(first(q, "quic.header_form"))
            if form is None:      # padding after the last packet of a datagram
                continue
            ver = first(q, "quic.version")
            ver = as_int(ver) if ver is not None else None
            if ver is not None and c["version"] is None and ver != 0:
                c["version"] = ver
            if form == 0:
                ptype = "1rtt"
            elif ver == 0:
                ptype = "version_negotiation"
            elif first(q, "quic.long.packet_type_v2") is not None:
                ptype = QUIC_TYPES_V2.get(as_int(first(q, "quic.long.packet_type_v2")), "?")
            else:
                ptype = QUIC_TYPES_V1.get(as_int(first(q, "quic.long.packet_type")), "?")
            crypto = [(as_int(first(f, "quic.crypto.offset")), as_int(first(f, "quic.crypto.length")))
                      for f in q if f.get("name") == "quic.frame" and first(f, "quic.frame_type") == "6"]
            c["packets"].append({"from": a, "t": t, "frame": frame, "type": ptype, "crypto": crypto})
            for f in q:
                if f.get("name") == "quic.frame" and first(f, "quic.cc.error_code") is not None:
                    c["closes"].append({"from": a, "t": t, "type": ptype,
                                        "code": as_int(first(f, "quic.cc.error_code")),
                                        "tls_alert": as_int(first(f, "quic.cc.error_code.tls_alert")),
                                        "frame_type": as_int(first(f, "quic.frame_type"))})
            for hs in q.iter("field"):
                if hs.get("name") == "tls.handshake":
                    htype = as_int(first(hs, "tls.handshake.type"))
                    if htype is not None:
                        c["hs"].append({"from": a, "type": htype, "el": hs, "t": t, "frame": frame})
    return [summarize_quic(c) for c in sorted(conns.values(), key=lambda c: c["t0"])]


def summarize_quic(c):
    chs = [h for h in c["hs"] if h["type"] == 1]
    cl = chs[0]["from"] if chs else c["first"]
    sv = c["other"] if cl == c["first"] else c["first"]
    r = {"transport": "quic", "client": cl, "server": sv, "ts": epoch_to_rfc3339(c["t0"]),
         "ts_end": epoch_to_rfc3339(c["t_end"]),
         "quic_version": QUIC_VERSIONS.get(c["version"], hex(c["version"]) if c["version"] else None),
         "sni": None, "alpn_offered": [], "alpn": None, "versions_offered": [], "version": None,
         "cipher": None, "group": None, "resumed": False, "hrr": False, "ech": False, "alert": None,
         "ja3": None, "ja3s": None, "ja4": None, "client_hello_bytes": None, "client_hello_segments": None,
         "bytes_client": c["bytes"].get(cl, 0), "bytes_server": c["bytes"].get(sv, 0),
         "datagrams_client": c["datagrams"].get(cl, 0), "datagrams_server": c["datagrams"].get(sv, 0),
         "tcp_rtt_ms": None, "server_hello_ms": None, "handshake_ms": None, "problems": []}
    pk = c["packets"]
    r["packets_client"] = [p["type"] for p in pk if p["from"] == cl]
    r["packets_server"] = [p["type"] for p in pk if p["from"] == sv]
    ch = chs[0] if chs else None
    if ch is not None:
        el = ch["el"]
        r["sni"] = first(el, "tls.handshake.extensions_server_name")
        exts = parse_hello_exts(el)
        ext_types = [t for t, _ in exts]
        sigalgs, versions, alpn, groups, shares = [], [], [], [], []
        for t, e in exts:
            if t == 13:
                sigalgs = [as_int(f.get("show")) for f in fields(e, "tls.handshake.sig_hash_alg")]
            elif t == 43:
                versions = [as_int(f.get("show")) for f in fields(e, "tls.handshake.extensions.supported_version")]
            elif t == 16:
                alpn = [f.get("show") for f in fields(e, "tls.handshake.extensions_alpn_str")]
            elif t == 10:
                groups = [as_int(f.get("show")) for f in fields(e, "tls.handshake.extensions_supported_group")]
            elif t == 51:
                shares = [as_int(f.get("show")) for f in fields(e, "tls.handshake.extensions_key_share_group")]
            elif t == 0xfe0d:
                r["ech"] = True
        legacy = as_int(first(el, "tls.handshake.version"))
        ciphers = [as_int(f.get("show")) for f in fields(el, "tls.handshake.ciphersuite")]
        r["alpn_offered"] = alpn
        vo = [v for v in versions if not is_grease(v)] or [legacy]
        r["versions_offered"] = [VERSIONS.get(v, hex(v)) for v in vo]
        r["ciphers_offered"] = [cipher_name(f) for f in fields(el, "tls.handshake.ciphersuite")]
        r["extensions_offered"] = [iana(EXT_NAMES, t) for t in ext_types]
        r["groups_offered"] = [iana(GROUP_NAMES, g) for g in groups]
        r["key_shares_offered"] = [iana(GROUP_NAMES, g) for g in shares]
        r["sig_algs_offered"] = [iana(SIGALG_NAMES, x) for x in sigalgs]
        ch_len = as_int(first(el, "tls.handshake.length"))
        r["client_hello_bytes"] = ch_len
        # QUIC packets (up to the one that completed it) whose CRYPTO frames carry ClientHello bytes
        r["client_hello_segments"] = sum(
            1 for p in pk if p["from"] == cl and p["type"] == "initial" and p["frame"] <= ch["frame"]
            and any(off < ch_len + 4 for off, _ in p["crypto"]))
        r["ja3"] = first(el, "tls.handshake.ja3")
        r["ja4"] = ja4(ciphers, ext_types, sigalgs, versions, legacy, r["sni"] is not None,
                       alpn[0] if alpn else None, transport="q")
    shs = [h for h in c["hs"] if h["type"] == 2 and h["from"] == sv]
    if shs:
        el = shs[0]["el"]
        exts = dict(parse_hello_exts(el))
        legacy = as_int(first(el, "tls.handshake.version"))
        sv_ver = as_int(first(exts[43], "tls.handshake.extensions.supported_version")) if 43 in exts else legacy
        r["version"] = VERSIONS.get(sv_ver, hex(sv_ver))
        r["cipher"] = label(fields(el, "tls.handshake.ciphersuite")[0].get("showname"))
        if 51 in exts:
            g = fields(exts[51], "tls.handshake.extensions_key_share_group")
            r["group"] = iana(GROUP_NAMES, as_int(g[0].get("show"))) if g else None
        r["ja3s"] = first(el, "tls.handshake.ja3s")
        if ch is not None:
            r["server_hello_ms"] = round((shs[0]["t"] - ch["t"]) * 1000, 3)
    # a CONNECTION_CLOSE with a CRYPTO_ERROR (0x100 + TLS alert) in a packet tshark could read
    for cc in c["closes"]:
        r.setdefault("connection_close", []).append(
            {"from": "client" if cc["from"] == cl else "server", "packet": cc["type"],
             "error_code": hex(cc["code"]), "frame_type": hex(cc["frame_type"])})
        if r["alert"] is None and cc["tls_alert"] is not None:
            r["alert"] = {"from": "client" if cc["from"] == cl else "server", "level": "fatal",
                          "description": ALERTS.get(cc["tls_alert"], str(cc["tls_alert"]))}
    retry = any(p["type"] == "retry" and p["from"] == sv for p in pk)
    if retry:
        r["problems"].append("quic_retry")
    client_1rtt = [p["t"] for p in pk if p["from"] == cl and p["type"] == "1rtt"]
    server_initial = [p["t"] for p in pk if p["from"] == sv and p["type"] == "initial"]
    if r["alert"] is not None:
        r["outcome"] = "alert"
    elif shs and client_1rtt and server_initial and client_1rtt[0] > server_initial[0]:
        r["outcome"] = "established"
        r["handshake_ms"] = round((client_1rtt[0] - ch["t"]) * 1000, 3) if ch else None
    elif ch is not None and r["datagrams_server"] == 0:
        r["outcome"] = "no_server_hello"
        r["problems"].append("quic_unanswered")
    else:
        r["outcome"] = "incomplete"
    r["client_initials"] = sum(1 for p in pk if p["from"] == cl and p["type"] == "initial")
    return r


def summarize(c, frame_time):
    cl, sv = c["client"], c["server"]
    r = {"client": cl, "server": sv, "ts": epoch_to_rfc3339(c["t0"]), "ts_end": epoch_to_rfc3339(c["t_end"]),
         "sni": None, "alpn_offered": [], "alpn": None, "versions_offered": [], "version": None,
         "cipher": None, "group": None, "resumed": False, "hrr": False, "ech": False, "alert": None,
         "cert": None, "ja3": None, "ja3s": None, "ja4": None,
         "client_hello_bytes": None, "client_hello_segments": None,
         "bytes_client": c["bytes"].get(cl, 0), "bytes_server": c["bytes"].get(sv, 0),
         "tcp_rtt_ms": None, "server_hello_ms": None, "handshake_ms": None,
         "client_cert": None, "alerts": [], "ciphers_offered": [], "extensions_offered": [],
         "groups_offered": [], "key_shares_offered": [], "sig_algs_offered": [], "psk_modes": [],
         "compression_offered": [], "extensions_server": [], "pq_offered": False, "pq_negotiated": False}
    if c["syn_t"] is not None and c["ack_t"] is not None:
        r["tcp_rtt_ms"] = round((c["ack_t"] - c["syn_t"]) * 1000, 3)
    chs = [h for h in c["hs"] if h["type"] == 1 and h["from"] == cl]
    shs = [h for h in c["hs"] if h["type"] == 2 and h["from"] == sv]
    ch = chs[0] if chs else None
    ch_t = None
    if ch is not None:
        el = ch["el"]
        r["sni"] = first(el, "tls.handshake.extensions_server_name")
        exts = parse_hello_exts(el)
        ext_types = [t for t, _ in exts]
        sigalgs, versions, alpn = [], [], []
        for t, e in exts:
            if t == 13:
                sigalgs = [as_int(f.get("show")) for f in fields(e, "tls.handshake.sig_hash_alg")]
            elif t == 43:
                versions = [as_int(f.get("show")) for f in fields(e, "tls.handshake.extensions.supported_version")]
            elif t == 16:
                alpn = [f.get("show") for f in fields(e, "tls.handshake.extensions_alpn_str")]
            elif t in (0xfe0d,):
                r["ech"] = True
        legacy = as_int(first(el, "tls.handshake.version"))
        ciphers = [as_int(f.get("show")) for f in fields(el, "tls.handshake.ciphersuite")]
        r["alpn_offered"] = alpn
        r["ciphers_offered"] = [cipher_name(f) for f in fields(el, "tls.handshake.ciphersuite")]
        r["extensions_offered"] = [iana(EXT_NAMES, t) for t in ext_types]
        r["compression_offered"] = [COMPRESSION.get(as_int(f.get("show")), f"0x{as_int(f.get('show')):02x}")
                                    for f in fields(el, "tls.handshake.comp_method")]
        groups, shares = [], []
        for t, e in exts:
            if t == 10:
                groups = [as_int(f.get("show")) for f in fields(e, "tls.handshake.extensions_supported_group")]
            elif t == 51:
                shares = [as_int(f.get("show")) for f in fields(e, "tls.handshake.extensions_key_share_group")]
            elif t == 45:
                r["psk_modes"] = [iana(PSK_MODES, as_int(f.get("show"))) for f in fields(e, "tls.extension.psk_ke_mode")]
        r["groups_offered"] = [iana(GROUP_NAMES, g) for g in groups]
        r["key_shares_offered"] = [iana(GROUP_NAMES, g) for g in shares]
        r["sig_algs_offered"] = [iana(SIGALG_NAMES, a) for a in sigalgs]
        r["pq_offered"] = any(g in PQ_GROUPS for g in groups + shares)
        vo = [v for v in versions if not is_grease(v)] or [legacy]
        r["versions_offered"] = [VERSIONS.get(v, hex(v)) for v in vo]
        r["client_hello_bytes"] = as_int(first(el, "tls.handshake.length"))
        r["client_hello_segments"] = ch["segments"]
        r["ja3"] = first(el, "tls.handshake.ja3")
        r["ja4"] = ja4(ciphers, ext_types, sigalgs, versions, legacy, r["sni"] is not None,
                       alpn[0] if alpn else None)
        ch_t = frame_time[ch["seg_frames"][0]] if ch["seg_frames"] else ch["t"]
    # ServerHello(s); a HelloRetryRequest is a ServerHello with the magic random
    real_sh = None
    for sh in shs:
        rnd = (first(sh["el"], "tls.handshake.random") or "").replace(":", "")
        if rnd == HRR_RANDOM:
            r["hrr"] = True
        elif real_sh is None:
            real_sh = sh
    if real_sh is not None:
        el = real_sh["el"]
        sh_exts = parse_hello_exts(el)
        r["extensions_server"] = [iana(EXT_NAMES, t) for t, _ in sh_exts]
        exts = dict(sh_exts)
        legacy = as_int(first(el, "tls.handshake.version"))
        sv_ver = as_int(first(exts[43], "tls.handshake.extensions.supported_version")) if 43 in exts else legacy
        r["version"] = VERSIONS.get(sv_ver, hex(sv_ver))
        cs = fields(el, "tls.handshake.ciphersuite")[0]
        r["cipher"] = label(cs.get("showname"))
        if 16 in exts:
            r["alpn"] = first(exts[16], "tls.handshake.extensions_alpn_str")
        if 51 in exts:
            g = fields(exts[51], "tls.handshake.extensions_key_share_group")
            r["group"] = iana(GROUP_NAMES, as_int(g[0].get("show"))) if g else None
            r["pq_negotiated"] = bool(g) and as_int(g[0].get("show")) in PQ_GROUPS
        if 41 in exts:  # pre_shared_key accepted
            r["resumed"] = True
        if sv_ver != 0x0304:
            ch_sid = (first(ch["el"], "tls.handshake.session_id") or "") if ch else ""
            sh_sid = first(el, "tls.handshake.session_id") or ""
            server_cert = any(h["type"] == 11 and h["from"] == sv for h in c["hs"])
            r["resumed"] = bool(sh_sid) and sh_sid == ch_sid and not server_cert
            ske = [h for h in c["hs"] if h["type"] == 12 and h["from"] == sv]
            if ske:
                nc = fields(ske[0]["el"], "tls.handshake.server_named_curve")
                r["group"] = iana(GROUP_NAMES, as_int(nc[0].get("show"))) if nc else None
                r["pq_negotiated"] = bool(nc) and as_int(nc[0].get("show")) in PQ_GROUPS
        r["ja3s"] = first(el, "tls.handshake.ja3s")
        sh_t = frame_time[real_sh["seg_frames"][0]] if real_sh["seg_frames"] else real_sh["t"]
        if ch_t is not None:
            r["server_hello_ms"] = round((sh_t - ch_t) * 1000, 3)
        certs = [h for h in c["hs"] if h["type"] == 11 and h["from"] == sv]
        if certs and sv_ver != 0x0304:
            r["cert"] = chain_info(certs[0]["el"], r["sni"])
        ccerts = [h for h in c["hs"] if h["type"] == 11 and h["from"] == cl]
        if ccerts and sv_ver != 0x0304:
            r["client_cert"] = chain_info(ccerts[0]["el"])
            if r["client_cert"] is not None:
                r["client_cert"].pop("sni_match", None)
        r["cert_request"] = any(h["type"] == 13 and h["from"] == sv for h in c["hs"])
    r["alerts"] = [{"from": "client" if frm == cl else "server",
                    "level": {1: "warning", 2: "fatal"}.get(lvl, str(lvl)),
                    "description": ALERTS.get(desc, str(desc))} for frm, lvl, desc in c["alerts"]]
    if r["alerts"]:
        r["alert"] = r["alerts"][0]
    # Encrypted records (content type 23) from the client after the ServerHello.
    client_appdata = [t for (a, ct, t) in c["records"] if a == cl and ct == 23]
    if r["version"] == "TLSv1.3":
        # the first one carries the client's Finished (or, if the client gave up, its alert)
        app = client_appdata[1:]
    else:
        app = client_appdata
    if app and ch_t is not None:
        r["handshake_ms"] = round((app[0] - ch_t) * 1000, 3)
    r["client_encrypted_records"] = len(client_appdata)
    r["rst_from"] = sorted({"client" if x == cl else "server" for x in c["rst_from"]})
    r["fin_from"] = sorted({"client" if x == cl else "server" for x in c["fin_from"]})
    r["outcome"] = outcome(c, r, ch, real_sh, app)
    r["path"] = path_evidence(c, ch_t)
    return r


def path_evidence(c, ch_t):
    """What the path did, from tshark's TCP fields: SYNs sent, each side's TTLs (the SYN's and
    SYN/ACK's, then every other non-RST packet's), every RST with its TTL / IP ID and its time
    after the ClientHello, retransmissions per side (tcp.analysis.retransmission), the largest
    segment per side, the server's highest ACK (tshark's relative number: 1 = none of the
    client's bytes, a FIN counts one), and the time from the ClientHello to the last packet
    (how long the client waited)."""
    cl, sv = c["client"], c["server"]
    side = lambda a: "client" if a == cl else "server"
    return {
        "syns": c["syns"],
        "syn_ttl": c["syn_ttl"], "synack_ttl": c["synack_ttl"],
        "ttls": {side(a): sorted(v) for a, v in c["ttls"].items()},
        "rsts": [{"from": side(x["from"]), "ttl": x["ttl"], "ip_id": x["ip_id"],
                  "ms_after_client_hello": None if ch_t is None else round((x["t"] - ch_t) * 1000, 3)}
                 for x in c["rsts"]],
        "retransmissions": {side(a): n for a, n in c["retrans"].items()},
        "max_segment": {side(a): n for a, n in c["max_seg"].items()},
        "server_max_ack": c["max_ack"].get(sv),
        "client_hello_to_last_packet_s": None if ch_t is None else round(c["t_end"] - ch_t, 3),
    }


def outcome(c, r, ch, sh, app):
    cl, sv = c["client"], c["server"]
    if c["syn_t"] is None:
        return "midstream"
    if c["synack_t"] is None:
        return "refused" if sv in c["rst_from"] else "no_syn_ack"
    fp = c["first_payload"].get(cl)
    if ch is None:
        if fp is not None and "tls" not in fp:
            return "not_tls"
        return "reset" if c["rst_from"] else "incomplete"
    fatal = r["alert"] and r["alert"]["level"] == "fatal"
    if sh is None:
        if fatal:
            return "alert"
        rst_t = None
        return "reset" if c["rst_from"] else "no_server_hello"
    if app:
        return "established"
    if fatal:
        return "alert"
    # ServerHello seen, no application data from the client, no readable alert.
    client_after_sh = [1 for (a, ct, t) in c["records"] if a == cl and t >= sh["t"] and ct in (20, 21, 23)]
    if sv in c["rst_from"]:
        return "reset"
    if cl in c["fin_from"] or (cl in c["rst_from"] and client_after_sh):
        # the client closed (FIN), or said its last (encrypted) word and then reset
        return "client_aborted"
    if cl in c["rst_from"]:
        return "reset"
    return "incomplete"


COLUMNS = ["client", "server", "outcome", "sni", "alpn_offered", "alpn", "versions_offered", "version",
           "cipher", "group", "resumed", "hrr", "alert", "client_hello_bytes", "client_hello_segments",
           "bytes_client", "bytes_server", "tcp_rtt_ms", "server_hello_ms", "handshake_ms", "ja3", "ja3s",
           "ja4", "cert", "client_cert", "cert_request", "alerts", "ciphers_offered", "extensions_offered",
           "groups_offered", "key_shares_offered", "sig_algs_offered", "psk_modes", "compression_offered",
           "extensions_server", "pq_offered", "pq_negotiated", "rst_from", "fin_from", "client_encrypted_records",
           "path"]


QUIC_COLUMNS = ["transport", "quic_version", "client", "server", "ts", "ts_end", "outcome", "problems", "sni",
                "alpn_offered", "versions_offered", "version", "cipher", "group", "alert", "connection_close",
                "client_hello_bytes", "client_hello_segments", "bytes_client", "bytes_server", "datagrams_client",
                "datagrams_server", "client_initials", "packets_client", "packets_server", "server_hello_ms",
                "handshake_ms", "ja3", "ja3s", "ja4", "ciphers_offered", "extensions_offered", "groups_offered",
                "key_shares_offered", "sig_algs_offered"]


def main():
    argv = sys.argv[1:]
    if argv == ["--selftest"]:
        selftest()
        return
    as_json = "--json" in argv
    files = [a for a in argv if a != "--json"]
    out = {}
    for f in files:
        out[os.path.basename(f)] = describe(f)
    if as_json:
        print(json.dumps(out, indent=1))
        return
    for name, conns in out.items():
        print(f"== {name}: {len(conns)} connection(s)")
        for r in conns:
            for k in (QUIC_COLUMNS if r.get("transport") == "quic" else COLUMNS):
                v = r.get(k)
                if k == "alpn_offered" and v and sum(len(x) for x in v) > 60:
                    v = f"{len(v)} protocols: {v[0]!r}, ... ({sum(len(x) for x in v)} bytes of names)"
                print(f"   {k:24} {json.dumps(v) if not isinstance(v, str) else v}")
            print()


if __name__ == "__main__":
    main()
