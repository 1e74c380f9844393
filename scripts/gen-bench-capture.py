#!/usr/bin/env python3
"""Writes a synthetic benchmark capture whose handshakes are real, and a manifest of what is in it.

    scripts/gen-bench-capture.py OUT.pcap [--size-gb G | --conns N] [--bulk M] [--seed S] ...

Every connection replays one real connection of `samples/*.pcap` (its frames byte for byte: TCP
options, ClientHello, certificates, alerts, QUIC Initials), rewritten to a new client address and
port, server address, initial sequence numbers, IP IDs and times. Connections whose sample ends
`established` also carry bulk encrypted application data, inserted after the sample's last
server payload and before its close: 1448-byte segments (MTU 1500) holding a stream of TLS
application-data records, with a pure ACK from the receiver every few segments; QUIC ones get
short-header (1-RTT-looking) datagrams. Sequence and acknowledgment numbers after the insertion
are shifted so every stream stays contiguous.

The connection mix (`--mix`, weights per kind) covers TLS 1.3 and 1.2 (curl, OpenSSL, gnutls,
python; HelloRetryRequest, resumption, IPv6, port 8443), the two-segment post-quantum
ClientHello, QUIC v1/v2/Retry, and failures: resets, refused SYNs, unanswered SYNs (synthesised
from a real SYN, retransmitted after 1, 3 and 7 s), alerts, silent servers, aborted handshakes,
plain HTTP on 443, unanswered QUIC. The server name of TCP connections whose certificate is not
in plaintext (TLS 1.3, or no certificate sent) is replaced by a variant of the same length
(`www.example.test` → `k3f.example.test`; `--sni-variants`), so the lengths in the hello stay
right and many names are seen; TLS 1.2 certificates keep their matching name.

Time: connections start as a Poisson process whose rate makes the aggregate traffic about
`--rate-mbps`; each has a server round-trip time (5–150 ms) and a client one (0.1–3 ms) as seen
from a tap near the clients, and a bulk rate (5–200 Mbit/s). Bulk sizes are log-normal with mean
`--bulk` segments (or fixed). Everything is drawn from `--seed`: the same arguments give the
same bytes.

Output: OUT (pcap, Ethernet, µs), OUT.manifest.json (counts per kind, per sample connection
and per expected field value — outcome, SNI, version, group, JA3, ... — and the expected number
of session records), OUT.conns.tsv (one line per connection: client, server, sample, SNI) for
`scripts/bench/check-capture.py`. The manifest is also printed to stderr. TCP and UDP checksums
are 0 (tlscope and tcpdump do not verify them); IPv4 header checksums are right.
Addresses are in the benchmark ranges 198.18.0.0/15 and 2001:2::/48 (RFC 2544, RFC 5180).
"""
import argparse
import heapq
import ipaddress
import json
import math
import random
import struct
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SAMPLES = HERE / "samples"

MSS = 1448  # TCP payload per full segment: MTU 1500 - 20 (IPv4) - 32 (TCP with timestamps)
RECORD_SEGMENTS = 11  # one application-data record spans 11 segments: 11 * 1448 - 5 = 15,923 B
QUIC_DATAGRAM = 1350  # UDP payload of a bulk 1-RTT datagram
WRITE_CHUNK = 8 << 20  # bytes buffered before each write
MAX_BULK_FACTOR = 100  # bulk sizes are capped at this many times the mean
SYN_RETRIES_US = (1_000_000, 3_000_000, 7_000_000)  # unanswered SYN resent at +1, +3, +7 s

# Expected record fields per sample connection ("file#n", n in order of first packet), as the
# samples' README states them (read off the captures with tshark, not with tlscope).
# Fields: kind, outcome, version, group, resumed, hrr, ja3.
CURL = "0149f47eabf9a20d0893e2a44e5a6323"
OSSL12 = "87b9bfc7da97115ed2276737b09f8d74"
OSSL12T = "22558766122974704364c9c75c5cce0a"
OSSL13 = "9dffdb8b608a430b774a2ff7d36c1a0c"
AIOQUIC = "121f6e4f22ee3205214b0676ed64b9e2"
T13, T12 = "TLSv1.3", "TLSv1.2"
EST = "established"
QUIC_SNI = "www.example.test"  # encrypted in the Initial: not rewritten, read off the README
TEMPLATES = {
    # kind tls13
    "tls13-h2#1": ("tls13", 30, EST, T13, "x25519", False, False, CURL),
    "tls13-resumption#1": ("tls13", 5, EST, T13, "x25519", False, False, OSSL13),
    "tls13-resumption#2": (
        "tls13", 10, EST, T13, "x25519", True, False, "4b9b935a03e383133ee8e868cd8757d9"),
    "tls13-hrr#1": ("tls13", 2, EST, T13, "secp256r1", False, True, CURL),
    "big-client-hello#1": ("tls13", 2, EST, T13, "x25519", False, False, OSSL13),
    "tls13-ipv6#1": ("tls13", 5, EST, T13, "x25519", False, False, CURL),
    "tls-port-8443#1": ("tls13", 1, EST, T13, "x25519", False, False, CURL),
    # kind tls12
    "tls12-cert#1": (
        "tls12", 6, EST, T12, "x25519", False, False, "f1631d7b5c74e0eccf70af0a6086e84b"),
    "tls12-chain#1": ("tls12", 3, EST, T12, "x25519", False, False, OSSL12),
    "tls12-chain-out-of-order#1": ("tls12", 1, EST, T12, "x25519", False, False, OSSL12),
    "tls12-mtls#1": ("tls12", 1, EST, T12, "x25519", False, False, OSSL12),
    "tls12-weak-key#1": ("tls12", 1, EST, T12, "x25519", False, False, OSSL12),
    "tls12-wrong-sni#1": ("tls12", 1, EST, T12, "x25519", False, False, OSSL12),
    "tls12-resumption#1": ("tls12", 2, EST, T12, "x25519", False, False, OSSL12),
    "tls12-resumption#2": ("tls12", 3, EST, T12, None, True, False, OSSL12),
    "tls12-ticket-resumption#1": ("tls12", 2, EST, T12, "x25519", False, False, OSSL12T),
    "tls12-ticket-resumption#2": ("tls12", 3, EST, T12, None, True, False, OSSL12T),
    # kind pq: a 1.6 KB ClientHello in two segments, offering X25519MLKEM768
    "tls13-pq#1": ("pq", 1, EST, T13, "x25519", False, False, "aa1ed3b6ef86cbf9a48ebb3000ce5b47"),
    "tls13-pq#2": (
        "pq", 1, EST, T13, "X25519MLKEM768", False, False, "aa1ed3b6ef86cbf9a48ebb3000ce5b47"),
    # kind quic
    "quic-h3#1": ("quic", 5, EST, T13, "secp256r1", False, False, AIOQUIC),
    "quic-v2#1": ("quic", 2, EST, T13, "secp256r1", False, False, AIOQUIC),
    "quic-retry#1": ("quic", 1, EST, T13, "secp256r1", False, False, AIOQUIC),
    # failures
    "alert#1": ("alert", 1, "alert", None, None, False, False, "d7e4c0ee634b60e7277d7d12bcb5106d"),
    "alert-unrecognized-name#1": ("alert", 2, "alert", None, None, False, False, CURL),
    "alert-unknown-ca#1": ("alert", 1, "alert", T12, "x25519", False, False, OSSL12),
    "alert-cert-expired#1": ("alert", 1, "alert", T12, "x25519", False, False, OSSL12),
    "tls13-alert-unknown-ca#1": ("alert", 1, "alert", T13, "x25519", False, False, CURL),
    "quic-alert#1": ("alert", 1, "alert", None, None, False, False, AIOQUIC),
    "reset#1": ("reset", 1, "reset", None, None, False, False, CURL),
    "reset#2": ("refused", 1, "refused", None, None, False, False, None),
    "no-server-hello#1": ("no_server_hello", 1, "no_server_hello", None, None, False, False, CURL),
    "quic-blocked#1": ("quic_unanswered", 1, "no_server_hello", None, None, False, False, AIOQUIC),
    "tls13-client-aborted#1": (
        "client_aborted", 1, "client_aborted", T13, "secp256r1", False, False,
        "6af33c9e05452609f615c60bfdef7ce7"),
    "tls13-client-aborted#2": (
        "client_aborted", 1, "client_aborted", T13, "x25519", False, False,
        "a4e852ed87d60903caddb37da85ae9a9"),
    "not-tls#1": ("not_tls", 1, "not_tls", None, None, False, False, None),
    # synthesised: the first SYN of tls13-h2, never answered
    "no-syn-ack": ("no_syn_ack", 1, "no_syn_ack", None, None, False, False, None),
}
# Weights of each kind in the mix (percent of connections); weights inside a kind are above.
DEFAULT_MIX = {
    "tls13": 50, "tls12": 20, "pq": 4, "quic": 10, "alert": 4, "reset": 2, "refused": 1.5,
    "no_syn_ack": 2, "no_server_hello": 2, "quic_unanswered": 1, "client_aborted": 2,
    "not_tls": 1.5,
}

ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10
M32 = 0xFFFFFFFF

REC = struct.Struct("<IIII")  # pcap record header: seconds, microseconds, caplen, len
TS = struct.Struct("<II")
U16 = struct.Struct(">H")
U32X2 = struct.Struct(">II")


def read_pcap(path):
    data = path.read_bytes()
    if struct.unpack("<I", data[:4])[0] != 0xA1B2C3D4:
        raise SystemExit(f"{path}: little-endian microsecond pcap expected")
    if struct.unpack("<I", data[20:24])[0] != 1:
        raise SystemExit(f"{path}: Ethernet expected")
    off, pkts = 24, []
    while off + 16 <= len(data):
        sec, usec, caplen, _ = REC.unpack_from(data, off)
        pkts.append((sec * 1_000_000 + usec, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return pkts


def fold(s):
    """Ones' complement checksum of a 16-bit word sum."""
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return s ^ 0xFFFF


def record_template(frame, l4, proto, ipv6):
    """A pcap record (header + frame) ready for patching: transport checksum 0, IPv4 ID and
    header checksum 0. Returns it with the sum of the IPv4 header words that stay as they are
    (everything but the addresses, ID and checksum; 0 for IPv6)."""
    rec = bytearray(REC.pack(0, 0, len(frame), len(frame))) + frame
    U16.pack_into(rec, 16 + l4 + (16 if proto == 6 else 6), 0)
    if ipv6:
        return rec, 0
    rec[16 + 18:16 + 20] = rec[16 + 24:16 + 26] = b"\0\0"
    return rec, sum(struct.unpack_from("!6H", rec, 16 + 14))


class Pkt:
    """One frame of a sample connection, with the offsets and fields the generator patches."""

    __slots__ = ("dir", "gap", "frame", "l4", "flags", "plen", "rel_seq", "rel_ack", "sni",
                 "rec", "ck")

    def __init__(self, direction, gap, frame, l4, flags, plen, proto, ipv6):
        self.dir, self.gap, self.frame, self.l4 = direction, gap, frame, l4
        self.flags, self.plen = flags, plen
        self.rel_seq = self.rel_ack = None
        self.sni = []  # (record offset, name start, name end): bytes of the server name
        self.rec, self.ck = record_template(frame, l4, proto, ipv6)


def parse_frame(frame):
    """(ipv6, l4 offset, proto, src, dst, sport, dport) of an Ethernet IPv4/IPv6 frame."""
    et = U16.unpack_from(frame, 12)[0]
    if et == ETH_IPV4:
        l4 = 14 + (frame[14] & 0x0F) * 4
        return False, l4, frame[23], frame[26:30], frame[30:34], *struct.unpack_from(
            ">HH", frame, l4)
    if et == ETH_IPV6:
        return True, 54, frame[20], frame[22:38], frame[38:54], *struct.unpack_from(
            ">HH", frame, 54)
    raise SystemExit(f"unexpected ethertype {et:#x}")


class Template:
    """One sample connection, ready to be replayed."""

    def __init__(self, name, frames):
        first = parse_frame(frames[0][1])
        self.name, self.ipv6, self.proto = name, first[0], first[2]
        (self.kind, self.weight, outcome, version, group, resumed, hrr,
         ja3) = TEMPLATES[name]
        # The client: sender of the first SYN without ACK (TCP), else of the first frame.
        client = (first[3], first[5])
        for _, f in frames:
            _, l4, proto, src, _, sport, _ = parse_frame(f)
            if proto == 6 and f[l4 + 13] & (SYN | ACK) == SYN:
                client = (src, sport)
                break
        self.pkts, last_ts = [], frames[0][0]
        for ts, f in frames:
            _, l4, proto, src, dst, sport, dport = parse_frame(f)
            d = 0 if (src, sport) == client else 1
            self.server_port = sport if d == 1 else dport
            if proto == 6:
                flags, doff = f[l4 + 13], (f[l4 + 12] >> 4) * 4
                plen = len(f) - l4 - doff
            else:
                flags, plen = 0, len(f) - l4 - 8
            self.pkts.append(Pkt(d, ts - last_ts, f, l4, flags, plen, proto, self.ipv6))
            last_ts = ts
        if self.proto == 6:
            self._relative_numbers()
        self.sni = self._find_sni() if self.proto == 6 else QUIC_SNI
        if self.proto == 17:
            # The client's Initial: flags, version, DCID length + DCID, SCID length + SCID.
            u = self.pkts[0].l4 + 8
            dcid_len = self.pkts[0].frame[u + 5]
            self.client_cid_len = self.pkts[0].frame[u + 6 + dcid_len]
        self.rewrite_sni = (self.proto == 6 and self.sni is not None and version != T12)
        self.bulk_ok = outcome == EST
        self.insert_at = self._insertion_point()
        self.bytes = sum(len(p.frame) + 16 for p in self.pkts)
        self.expect = {
            "transport": "tcp" if self.proto == 6 else "quic",
            "outcome": outcome, "version": version, "group": group, "resumed": resumed,
            "hrr": hrr, "ja3": ja3, "quic_version": self._quic_version(),
        }
        self.client_hellos = 0  # filled in by the caller for the tshark check

    def _relative_numbers(self):
        """Sequence/ack numbers relative to each side's first sequence number."""
        isn = [None, None]
        for p in self.pkts:
            if isn[p.dir] is None:
                isn[p.dir] = struct.unpack_from(">I", p.frame, p.l4 + 4)[0]
        for p in self.pkts:
            seq, ack = U32X2.unpack_from(p.frame, p.l4 + 4)
            p.rel_seq = (seq - isn[p.dir]) & M32
            peer = isn[1 - p.dir]
            if p.flags & ACK and peer is not None:
                p.rel_ack = (ack - peer) & M32

    def _quic_version(self):
        if self.proto != 17:
            return None
        p = self.pkts[0]
        v = struct.unpack_from(">I", p.frame, p.l4 + 9)[0]
        return {1: "1", 0x6B3343CF: "quicv2"}.get(v, f"{v:#x}")

    def _find_sni(self):
        """Walks the client's TLS records; marks where each ClientHello's server name lies."""
        stream, where = bytearray(), []  # where[i] = (packet, frame offset) of stream byte i
        for p in self.pkts:
            if p.dir == 0 and p.plen:
                start = len(p.frame) - p.plen
                stream += p.frame[start:]
                where.extend((p, start + k) for k in range(p.plen))
        name, off = None, 0
        while off + 5 <= len(stream):
            ctype, rlen = stream[off], U16.unpack_from(stream, off + 3)[0]
            if ctype not in (20, 21, 22, 23) or stream[off + 1] != 3:
                break
            body = off + 5
            if body + rlen > len(stream):
                break
            if ctype == 22 and stream[body] == 1:
                pos = self._sni_in_hello(stream, body + 4)
                if pos is not None:
                    n = bytes(stream[pos[0]:pos[0] + pos[1]]).decode()
                    if name not in (None, n):
                        raise SystemExit(f"{self.name}: two different server names")
                    name = n
                    for i in range(pos[1]):
                        p, fo = where[pos[0] + i]
                        p.sni.append((16 + fo, i, i + 1))
            off = body + rlen
        for p in self.pkts:  # merge byte patches into runs
            runs = []
            for fo, a, b in p.sni:
                if runs and runs[-1][0] + (runs[-1][2] - runs[-1][1]) == fo:
                    runs[-1] = (runs[-1][0], runs[-1][1], b)
                else:
                    runs.append((fo, a, b))
            p.sni = runs
        return name

    @staticmethod
    def _sni_in_hello(s, o):
        o += 2 + 32
        o += 1 + s[o]
        o += 2 + U16.unpack_from(s, o)[0]
        o += 1 + s[o]
        end = o + 2 + U16.unpack_from(s, o)[0]
        o += 2
        while o + 4 <= end:
            et, el = struct.unpack_from(">HH", s, o)
            if et == 0 and el > 5:
                return (o + 4 + 5, U16.unpack_from(s, o + 7)[0])
            o += 4 + el
        return None

    def _insertion_point(self):
        """Bulk goes after the server's last payload before the close (FIN, RST, TLS alert)."""
        if not self.bulk_ok:
            return None
        end = len(self.pkts)
        alerts = self._alert_packets() if self.proto == 6 else set()
        for i, p in enumerate(self.pkts):
            if p.flags & (FIN | RST) or i in alerts:
                end = i
                break
        last = max(i for i, p in enumerate(self.pkts[:end]) if p.dir == 1 and p.plen)
        return last + 1

    def _alert_packets(self):
        """Indexes of packets whose payload starts with an alert record (TLS ≤ 1.2 close)."""
        out, pos = set(), [0, 0]
        next_record = [0, 0]
        for i, p in enumerate(self.pkts):
            if not p.plen:
                continue
            d, start = p.dir, len(p.frame) - p.plen
            at = next_record[d] - pos[d]  # offset of the next record header in this payload
            if at == 0 and p.frame[start] == 21:
                out.add(i)
            while 0 <= at and at + 5 <= p.plen:
                next_record[d] += 5 + U16.unpack_from(p.frame, start + at + 3)[0]
                at = next_record[d] - pos[d]
            pos[d] += p.plen
        return out

    def header(self, direction, payload_len, from_idx=None):
        """A pure ACK (TCP) or header-only copy (UDP) of a frame of `direction`, sized for
        `payload_len` bytes of payload, as a record template (see `record_template`):
        (record, sum of its fixed IPv4 header words, transport header offset in the frame)."""
        cands = [p for p in self.pkts if p.dir == direction and not p.flags & (SYN | FIN | RST)]
        if self.proto == 6:
            pure = [p for p in cands if p.plen == 0 and p.flags == ACK]
            p = (pure or cands)[-1]
            hlen = (p.frame[p.l4 + 12] >> 4) * 4
            h = bytearray(p.frame[:p.l4 + hlen])
            h[p.l4 + 13] = ACK
        else:
            p = self.pkts[from_idx]
            h = bytearray(p.frame[:p.l4 + 8])
            U16.pack_into(h, p.l4 + 4, 8 + payload_len)
        if self.ipv6:
            U16.pack_into(h, 18, len(h) - 54 + payload_len)
        else:
            U16.pack_into(h, 16, len(h) - 14 + payload_len)
        rec, ck = record_template(bytes(h), p.l4, self.proto, self.ipv6)
        REC.pack_into(rec, 0, 0, 0, len(h) + payload_len, len(h) + payload_len)
        return rec, ck, p.l4


def load_templates():
    by_file, out = {}, {}
    for name in TEMPLATES:
        if name != "no-syn-ack":
            by_file.setdefault(name.split("#")[0], []).append(name)
    for file, names in by_file.items():
        conns, order = {}, []
        for ts, f in read_pcap(SAMPLES / f"{file}.pcap"):
            _, _, proto, src, dst, sport, dport = parse_frame(f)
            key = (proto, frozenset(((src, sport), (dst, dport))))
            if key not in conns:
                conns[key] = []
                order.append(key)
            conns[key].append((ts, f))
        for name in names:
            n = int(name.split("#")[1])
            out[name] = Template(name, conns[order[n - 1]])
    # no-syn-ack: the client's SYN of tls13-h2, alone.
    syn = Template.__new__(Template)
    src = out["tls13-h2#1"]
    syn.__dict__.update(src.__dict__)
    syn.name = "no-syn-ack"
    (syn.kind, syn.weight, outcome, *_rest) = TEMPLATES["no-syn-ack"]
    syn.pkts = [src.pkts[0]]
    syn.sni, syn.rewrite_sni, syn.bulk_ok, syn.insert_at = None, False, False, None
    syn.expect = {"transport": "tcp", "outcome": outcome, "version": None, "group": None,
                  "resumed": False, "hrr": False, "ja3": None, "quic_version": None}
    syn.bytes = (len(syn.pkts[0].frame) + 16) * (1 + len(SYN_RETRIES_US))
    out["no-syn-ack"] = syn
    # ClientHello frames tshark shows per connection (`tls.handshake.type==1`): one per hello,
    # two with a HelloRetryRequest (a second, different hello); QUIC Initials re-sent after a
    # Retry or a timeout repeat the same CRYPTO bytes, which tshark dissects once.
    hellos = {"tls13-hrr#1": 2, "reset#2": 0, "not-tls#1": 0, "no-syn-ack": 0}
    for name, t in out.items():
        t.client_hellos = hellos.get(name, 1)
    return out


def log_uniform(rng, lo, hi):
    return lo * math.exp(rng.random() * math.log(hi / lo))


class Writer:
    """Large buffered writes of pcap records."""

    def __init__(self, path):
        self.f = open(path, "wb", buffering=0)
        self.buf = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.total = 0

    def flush(self):
        self.f.write(self.buf)
        self.total += len(self.buf)
        self.buf = bytearray()

    def close(self):
        self.flush()
        self.f.close()


class Plan:
    """Per-connection parameters drawn at its start."""

    __slots__ = ("cid", "tpl", "t0", "cip", "sip", "cport", "sni", "nbulk", "upload",
                 "rtt_s", "rtt_c", "interval", "jitter", "ack_every", "isn", "ipid",
                 "t_after_bulk")


class Conn:
    """What a connection's frames share: addresses and ports per direction (client → server
    first), the IPv4 ID counters, and the patching of a record template."""

    def __init__(self, pl):
        tpl = pl.tpl
        self.v6 = tpl.ipv6
        self.a_off = 16 + (22 if self.v6 else 26)
        self.a_len = 32 if self.v6 else 8
        self.addr = (pl.cip + pl.sip, pl.sip + pl.cip)
        self.asum = 0 if self.v6 else sum(struct.unpack("!4H", self.addr[0]))
        self.ports = (struct.pack(">HH", pl.cport, tpl.server_port),
                      struct.pack(">HH", tpl.server_port, pl.cport))
        self.ipid = list(pl.ipid)

    def address(self, rec, ck, d, l4):
        """Writes direction `d`'s addresses and ports into a record template; returns the
        sum of the IPv4 header words except ID and checksum."""
        rec[self.a_off:self.a_off + self.a_len] = self.addr[d]
        rec[16 + l4:16 + l4 + 4] = self.ports[d]
        return ck + self.asum

    def stamp(self, rec, t, d, base):
        """Time, next IPv4 ID and header checksum of a frame from direction `d`."""
        TS.pack_into(rec, 0, t // 1_000_000, t % 1_000_000)
        if not self.v6:
            i = self.ipid[d] = (self.ipid[d] + 1) & 0xFFFF
            U16.pack_into(rec, 34, i)
            U16.pack_into(rec, 40, fold(base + i))


def tcp_connection(pl, bulk_payloads, rnd_bytes):
    """Yields (time µs, record bytes, extra payload or None) for one TCP connection."""
    tpl = pl.tpl
    c = Conn(pl)
    isn = pl.isn
    sni = pl.sni.encode() if pl.sni and tpl.rewrite_sni else None
    bulk_dir = 0 if pl.upload else 1
    shift = [0, 0]  # bytes inserted per direction, applied after the insertion point
    nbulk = pl.nbulk if tpl.insert_at is not None else 0
    t = pl.t0
    prev_dir = 0
    pkts = tpl.pkts
    # Unanswered SYN: the same SYN again after each retransmission timeout.
    if tpl.name == "no-syn-ack":
        pkts = pkts * (1 + len(SYN_RETRIES_US))

    for i, p in enumerate(pkts):
        if i == tpl.insert_at and nbulk:
            yield from _tcp_bulk(pl, c, bulk_dir, nbulk, t, shift, bulk_payloads, rnd_bytes)
            t = pl.t_after_bulk
            shift[bulk_dir] += nbulk * MSS
            prev_dir = bulk_dir
        if tpl.name == "no-syn-ack":
            t = pl.t0 + (SYN_RETRIES_US[i - 1] if i else 0)
        else:
            t += p.gap
            if p.dir != prev_dir:
                t += pl.rtt_s if p.dir == 1 else pl.rtt_c
        prev_dir = d = p.dir
        rec = bytearray(p.rec)
        base = c.address(rec, p.ck, d, p.l4)
        seq = (isn[d] + p.rel_seq + shift[d]) & M32
        ack = ((isn[1 - d] + p.rel_ack + shift[1 - d]) & M32 if p.rel_ack is not None
               else U32X2.unpack_from(p.frame, p.l4 + 4)[1])
        U32X2.pack_into(rec, 16 + p.l4 + 4, seq, ack)
        if sni is not None:
            for ro, a, b in p.sni:
                rec[ro:ro + b - a] = sni[a:b]
        c.stamp(rec, t, d, base)
        yield t, rec, None


def _tcp_bulk(pl, c, d, nbulk, t, shift, bulk_payloads, rnd_bytes):
    """The bulk transfer: `nbulk` full segments from side `d`, an ACK every few from the peer."""
    tpl, isn = pl.tpl, pl.isn
    e = 1 - d
    drec, dck, dl4 = tpl.header(d, MSS)
    erec, eck, el4 = tpl.header(e, 0)
    dbase = c.address(drec, dck, d, dl4)
    ebase = c.address(erec, eck, e, el4)
    dseq_off, eseq_off = 16 + dl4 + 4, 16 + el4 + 4
    # Stream positions where the bulk starts: each side's next sequence number.
    nxt = [0, 0]
    for p in tpl.pkts[:tpl.insert_at]:
        end = p.rel_seq + p.plen + (1 if p.flags & (SYN | FIN) else 0)
        nxt[p.dir] = max(nxt[p.dir], end)
    dseq = (isn[d] + nxt[d] + shift[d]) & M32
    eseq = (isn[e] + nxt[e] + shift[e]) & M32
    # Last record: the segments after the last whole 11-segment record form a shorter one.
    tail = nbulk % RECORD_SEGMENTS
    whole = nbulk - tail
    last = []
    if tail:
        r = bytes((23, 3, 3)) + U16.pack(tail * MSS - 5) + rnd_bytes[:tail * MSS - 5]
        last = [r[k * MSS:(k + 1) * MSS] for k in range(tail)]
    period = len(bulk_payloads)
    interval, ack_every = pl.interval, pl.ack_every
    ack_delay = min(pl.rtt_c, interval // 2)
    jitter = pl.jitter
    # The hot loop: Conn.stamp inlined.
    tspack, seqpack, h16 = TS.pack_into, U32X2.pack_into, U16.pack_into
    v4 = not c.v6
    did, eid = c.ipid[d], c.ipid[e]
    for i in range(nbulk):
        t += interval + jitter[i & 63]
        tspack(drec, 0, t // 1_000_000, t % 1_000_000)
        if v4:
            did = (did + 1) & 0xFFFF
            x = dbase + did
            x = (x & 0xFFFF) + (x >> 16)
            h16(drec, 34, did)
            h16(drec, 40, ((x & 0xFFFF) + (x >> 16)) ^ 0xFFFF)
        seqpack(drec, dseq_off, (dseq + i * MSS) & M32, eseq)
        yield t, drec, (bulk_payloads[i % period] if i < whole else last[i - whole])
        if (i + 1) % ack_every == 0 or i == nbulk - 1:
            t += ack_delay
            tspack(erec, 0, t // 1_000_000, t % 1_000_000)
            if v4:
                eid = (eid + 1) & 0xFFFF
                x = ebase + eid
                x = (x & 0xFFFF) + (x >> 16)
                h16(erec, 34, eid)
                h16(erec, 40, ((x & 0xFFFF) + (x >> 16)) ^ 0xFFFF)
            seqpack(erec, eseq_off, eseq, (dseq + (i + 1) * MSS) & M32)
            yield t, erec, None
    c.ipid[d], c.ipid[e] = did, eid
    pl.t_after_bulk = t


def quic_connection(pl, rnd_bytes):
    """Yields (time µs, record bytes, extra payload or None) for one QUIC connection."""
    tpl = pl.tpl
    c = Conn(pl)
    t, prev_dir = pl.t0, 0
    nbulk = pl.nbulk if tpl.insert_at is not None else 0
    for i, p in enumerate(tpl.pkts):
        if i == tpl.insert_at and nbulk:
            # Server 1-RTT datagrams (its short header: first byte and the client's CID, then
            # random bytes) and the sample's shortest client 1-RTT datagram (an ACK) every few.
            si = max(j for j, q in enumerate(tpl.pkts) if q.dir == 1 and q.frame[q.l4 + 8] < 0x80)
            cp = min((q for q in tpl.pkts if q.dir == 0 and q.frame[q.l4 + 8] < 0x80),
                     key=lambda q: q.plen)
            sp = tpl.pkts[si]
            srec, sck, sl4 = tpl.header(1, QUIC_DATAGRAM, si)
            sbase = c.address(srec, sck, 1, sl4)
            crec = bytearray(cp.rec)
            cbase = c.address(crec, cp.ck, 0, cp.l4)
            short = bytes(sp.frame[sp.l4 + 8:sp.l4 + 9 + tpl.client_cid_len])
            body = short + rnd_bytes[:QUIC_DATAGRAM - len(short)]
            interval, ack_every = pl.interval, pl.ack_every
            ack_delay = min(pl.rtt_c, interval // 2)
            for k in range(nbulk):
                t += interval + pl.jitter[k & 63]
                c.stamp(srec, t, 1, sbase)
                yield t, srec, body
                if (k + 1) % ack_every == 0:
                    t += ack_delay
                    c.stamp(crec, t, 0, cbase)
                    yield t, crec, None
            prev_dir = 1
        t += p.gap
        if p.dir != prev_dir:
            t += pl.rtt_s if p.dir == 1 else pl.rtt_c
        prev_dir = p.dir
        rec = bytearray(p.rec)
        c.stamp(rec, t, p.dir, c.address(rec, p.ck, p.dir, p.l4))
        yield t, rec, None


def sni_variant(name, v):
    """`name` with its first label replaced by variant `v` of the same length (v = 0: as is)."""
    if v == 0:
        return name
    label, rest = name.split(".", 1)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while v:
        v, r = divmod(v, 36)
        s = digits[r] + s
    s = s.rjust(len(label), "z")[-len(label):]
    return f"{s}.{rest}"


def parse_mix(text):
    mix = dict(DEFAULT_MIX)
    if text:
        for part in text.split(","):
            k, _, w = part.partition("=")
            if k not in mix:
                raise SystemExit(f"--mix: unknown kind {k!r} (kinds: {', '.join(mix)})")
            mix[k] = float(w)
    return mix


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--size-gb", type=float, help="stop starting connections at this size "
                      "(default 1.3 unless --conns)")
    size.add_argument("--conns", type=int, help="exactly this many connections")
    ap.add_argument("--bulk", "--bulk-segments", type=float, default=100, dest="bulk",
                    help="mean bulk segments per established connection (default 100; 0: "
                    "handshakes only)")
    ap.add_argument("--bulk-dist", choices=("lognormal", "fixed"), default="lognormal")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate-mbps", type=float, default=1000,
                    help="aggregate traffic rate the connection arrivals aim at (default 1000)")
    ap.add_argument("--upload-share", type=float, default=0.1,
                    help="share of established TCP connections whose bulk goes client → server")
    ap.add_argument("--sni-variants", type=int, default=2000,
                    help="distinct same-length server names per rewritable name (1: keep)")
    ap.add_argument("--clients", type=int, default=8192)
    ap.add_argument("--servers", type=int, default=512)
    ap.add_argument("--mix", help="kind weights, e.g. tls13=60,quic=0 (kinds: "
                    + ", ".join(f"{k}={v:g}" for k, v in DEFAULT_MIX.items()) + ")")
    ap.add_argument("--no-conns-file", action="store_true", help="do not write OUT.conns.tsv")
    args = ap.parse_args()
    if args.conns is None and args.size_gb is None:
        args.size_gb = 1.3
    started_wall = time.perf_counter()
    rng = random.Random(args.seed)
    tpls = load_templates()
    mix = parse_mix(args.mix)
    names = [n for n, t in tpls.items() if mix.get(t.kind, 0) > 0]
    kind_w = {}
    for n in names:
        kind_w[tpls[n].kind] = kind_w.get(tpls[n].kind, 0) + tpls[n].weight
    weights = [mix[tpls[n].kind] * tpls[n].weight / kind_w[tpls[n].kind] for n in names]
    cum = []
    acc = 0.0
    for w in weights:
        acc += w
        cum.append(acc)

    # Bulk payloads: a stream of application-data records of 11 segments each, 8 records of
    # different random bytes (88 distinct segments), cut into MSS pieces.
    rnd_bytes = rng.randbytes(8 * RECORD_SEGMENTS * MSS)
    bulk_payloads = []
    for r in range(8):
        rec = bytes((23, 3, 3)) + U16.pack(RECORD_SEGMENTS * MSS - 5) + rnd_bytes[
            r * RECORD_SEGMENTS * MSS:(r + 1) * RECORD_SEGMENTS * MSS - 5]
        bulk_payloads += [rec[k * MSS:(k + 1) * MSS] for k in range(RECORD_SEGMENTS)]
    jitter = [rng.uniform(-0.4, 0.4) for _ in range(4096)]  # spacing of bulk segments
    sigma = 1.5
    mu = math.log(args.bulk) - sigma * sigma / 2 if args.bulk > 0 else 0

    def draw_bulk():
        if args.bulk <= 0:
            return 0
        if args.bulk_dist == "fixed":
            return int(args.bulk)
        return max(1, min(int(rng.lognormvariate(mu, sigma)), int(args.bulk * MAX_BULK_FACTOR)))

    # Arrival rate: aim the mean traffic at --rate-mbps.
    total_w = sum(weights)
    seg_frame = 16 + 66 + MSS
    mean_bytes = sum(w / total_w * (tpls[n].bytes + (args.bulk * seg_frame * 1.2
                                                     if tpls[n].bulk_ok else 0))
                     for n, w in zip(names, weights))
    arrivals_per_us = args.rate_mbps * 1e6 / 8 / mean_bytes / 1e6
    target = args.size_gb * 1e9 if args.size_gb else None

    out = Writer(args.out)
    conns_file = None if args.no_conns_file else open(args.out + ".conns.tsv", "w")
    if conns_file:
        conns_file.write("client\tserver\ttemplate\tsni\n")
    heap = []
    planned = 0
    started = 0
    next_start = 1_700_000_000 * 1_000_000
    first_ts = next_start
    last_ts = next_start
    next_port = {}
    counts_tpl = {n: 0 for n in names}
    expected = {k: {} for k in ("transport", "outcome", "version", "group", "resumed", "hrr",
                                "ja3", "quic_version", "sni")}
    packets = 0
    bulk_segments = 0
    peak = 0
    conc_area = 0

    def more():
        if args.conns is not None:
            return started < args.conns
        return planned < target

    def start_connection():
        nonlocal planned, started, next_start, peak, conc_area
        pl = Plan()
        pl.cid = started
        x = rng.random() * acc
        lo, hi = 0, len(cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        tpl = tpls[names[lo]]
        pl.tpl = tpl
        pl.t0 = next_start
        c = int(args.clients ** rng.random()) - 1 if rng.random() < 0.5 else rng.randrange(
            args.clients)
        s = int(args.servers ** rng.random()) - 1
        if tpl.ipv6:
            pl.cip = ipaddress.IPv6Address((0x20010002 << 96) | (c + 1)).packed
            pl.sip = ipaddress.IPv6Address((0x20010002 << 96) | (1 << 64) | (s + 1)).packed
        else:
            pl.cip = bytes((198, 18, (c + 1) >> 8 & 0xFF, (c + 1) & 0xFF))
            pl.sip = bytes((198, 19, (s + 1) >> 8 & 0xFF, (s + 1) & 0xFF))
        key = (pl.cip, tpl.proto)
        port = next_port.get(key)
        if port is None:
            port = 32768 + rng.randrange(28232)
        pl.cport = port
        next_port[key] = 32768 + (port - 32768 + 1) % 28232
        pl.sni = tpl.sni
        if tpl.rewrite_sni and args.sni_variants > 1:
            pl.sni = sni_variant(tpl.sni, int(args.sni_variants ** rng.random()) - 1)
        pl.nbulk = draw_bulk() if tpl.bulk_ok else 0
        pl.upload = tpl.proto == 6 and rng.random() < args.upload_share
        pl.rtt_s = int(log_uniform(rng, 5_000, 150_000))
        pl.rtt_c = int(log_uniform(rng, 100, 3_000))
        rate_mbps = log_uniform(rng, 5, 200)
        pl.interval = max(1, int((MSS + 66) * 8 / rate_mbps))
        if pl.nbulk:
            j = rng.randrange(len(jitter) - 64)
            pl.jitter = [int(pl.interval * x) for x in jitter[j:j + 64]]
        pl.ack_every = rng.choice((2, 2, 3, 4, 6, 8))
        pl.isn = (rng.getrandbits(32), rng.getrandbits(32))
        pl.ipid = (rng.getrandbits(16), rng.getrandbits(16))
        gen = (tcp_connection(pl, bulk_payloads, rnd_bytes) if tpl.proto == 6
               else quic_connection(pl, rnd_bytes))
        first = next(gen)
        heapq.heappush(heap, (first[0], pl.cid, gen, first[1], first[2]))
        per_bulk = 16 + 66 + (MSS if tpl.proto == 6 else QUIC_DATAGRAM - 8)
        planned += tpl.bytes + pl.nbulk * (per_bulk + 82 / pl.ack_every)
        started += 1
        counts_tpl[tpl.name] += 1
        exp = dict(tpl.expect)
        exp["sni"] = pl.sni
        for k, v in exp.items():
            kk = json.dumps(v)
            expected[k][kk] = expected[k].get(kk, 0) + 1
        if conns_file:
            cl = ipaddress.ip_address(pl.cip)
            sv = ipaddress.ip_address(pl.sip)
            fmt = (lambda a, p: f"[{a}]:{p}") if tpl.ipv6 else (lambda a, p: f"{a}:{p}")
            conns_file.write(f"{fmt(cl, pl.cport)}\t{fmt(sv, tpl.server_port)}\t{tpl.name}\t"
                             f"{pl.sni or ''}\n")
        next_start += max(1, int(rng.expovariate(arrivals_per_us)))
        conc_area += len(heap)
        peak = max(peak, len(heap))

    buf_limit = WRITE_CHUNK
    while True:
        if more() and (not heap or next_start <= heap[0][0]):
            start_connection()
            continue
        if not heap:
            break
        t, cid, gen, rec, payload = heap[0]
        b = out.buf
        b += rec
        if payload is not None:
            b += payload
            bulk_segments += 1
        packets += 1
        if len(b) >= buf_limit:
            out.flush()
        last_ts = t
        nxt = next(gen, None)
        if nxt is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (nxt[0], cid, gen, nxt[1], nxt[2]))
    out.close()
    if conns_file:
        conns_file.close()
    wall = time.perf_counter() - started_wall
    size_bytes = out.total
    kinds = {}
    for n, c in counts_tpl.items():
        kinds[tpls[n].kind] = kinds.get(tpls[n].kind, 0) + c
    manifest = {
        "generator": "scripts/gen-bench-capture.py",
        "args": {k: v for k, v in vars(args).items() if k != "out"},
        "file": str(args.out),
        "bytes": size_bytes,
        "packets": packets,
        "bulk_segments": bulk_segments,
        "capture_seconds": round((last_ts - first_ts) / 1e6, 3),
        "mean_rate_mbps": round(size_bytes * 8 / max(1, last_ts - first_ts), 1),
        # Connections open when one starts.
        "concurrency": {"peak": peak, "mean": round(conc_area / max(1, started), 1)},
        "write_seconds": round(wall, 2),
        "write_mb_per_s": round(size_bytes / wall / 1e6, 1),
        "connections": started,
        "handshakes_expected": started,
        # ClientHello frames tshark should show (`tls.handshake.type==1`), per transport. Every
        # QUIC connection replaying one sample shares its connection IDs, which tshark takes
        # for one connection: it dissects far fewer QUIC hellos than there are.
        "client_hellos": {
            tr: sum(c * tpls[n].client_hellos for n, c in counts_tpl.items()
                    if tpls[n].expect["transport"] == tr) for tr in ("tcp", "quic")},
        "kinds": dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        "templates": {n: c for n, c in counts_tpl.items() if c},
        "template_expect": {n: tpls[n].expect | {"sni": tpls[n].sni,
                                                 "sni_rewritten": tpls[n].rewrite_sni,
                                                 "client_hellos": tpls[n].client_hellos}
                            for n, c in counts_tpl.items() if c},
        # Field → JSON-encoded value → connections; "sni" counts the rewritten names.
        "expected": {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0])))
                     for k, v in expected.items()},
    }
    Path(args.out + ".manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    short = dict(manifest)
    short["expected"] = {k: (v if len(v) <= 12 else f"{len(v)} distinct values")
                         for k, v in manifest["expected"].items()}
    short.pop("template_expect")
    print(json.dumps(short, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
