#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from the project's own captures (samples/).

    python3 fuzz/make-seeds.py          # from the crate root; replaces fuzz/corpus/*/seed-*

Only samples/*.pcap are read (never ../shared/corpus). Each seed is in the input format the
target's body in fuzz/harness.rs reads; file names say where a seed came from. Seeds are named
seed-*, so files the fuzzer adds later (named by their SHA-1) are left alone.
"""

import gzip
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "samples")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
TARGETS = ["decode", "tls_stream", "hello", "reassembly", "flow_table", "capture_file"]

# Index of each link type in harness.rs DECODE_LINKTYPES.
LT_INDEX = {lt: i for i, lt in enumerate(
    [0, 1, 9, 12, 14, 50, 51, 101, 104, 108, 113, 228, 229, 276, 105, 147])}
FLOW_PORTS = [443, 40101, 40102, 8443]


def read_pcap(path):
    """[(ts_us, frame)] of a little-endian µs pcap (what tcpdump wrote for samples/)."""
    data = open(path, "rb").read()
    magic, = struct.unpack_from("<I", data, 0)
    assert magic == 0xa1b2c3d4, path
    off, out = 24, []
    while off + 16 <= len(data):
        sec, usec, caplen, _orig = struct.unpack_from("<IIII", data, off)
        out.append((sec * 1_000_000 + usec, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return out


def parse_frame(frame):
    """Ethernet → (src, dst, sport, dport, seq, ack, flags, payload, ip_off) or None."""
    if len(frame) < 14:
        return None
    et = struct.unpack_from(">H", frame, 12)[0]
    ip = frame[14:]
    if et == 0x0800:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack_from(">H", ip, 2)[0]
        if ip[9] != 6:
            return None
        src, dst, tcp = ip[12:16], ip[16:20], ip[ihl:total]
    elif et == 0x86DD:
        if ip[6] != 6:
            return None
        plen = struct.unpack_from(">H", ip, 4)[0]
        src, dst, tcp = ip[8:24], ip[24:40], ip[40:40 + plen]
    else:
        return None
    sport, dport, seq, ack = struct.unpack_from(">HHII", tcp, 0)
    doff = (tcp[12] >> 4) * 4
    return (bytes(src), bytes(dst), sport, dport, seq, ack, tcp[13], bytes(tcp[doff:]), et)


def connections(frames):
    """Per connection (in order of first packet): list of (ts, parsed) and the client endpoint."""
    conns, order = {}, []
    for ts, f in frames:
        p = parse_frame(f)
        if p is None:
            continue
        a, b = (p[0], p[2]), (p[1], p[3])
        key = tuple(sorted([a, b]))
        if key not in conns:
            conns[key] = {"pkts": [], "client": a}
            order.append(key)
        conns[key]["pkts"].append((ts, p, f))
    return [conns[k] for k in order]


def direction_stream(conn, from_client):
    """The payload bytes of one direction, in sequence order (first copy wins), with segments."""
    segs = [(p[4], p[7]) for _, p, _ in conn["pkts"]
            if ((p[0], p[2]) == conn["client"]) == from_client and p[7]]
    if not segs:
        return b"", []
    base = min(s for s, _ in segs)
    buf = bytearray()
    for s, d in sorted(segs):
        o = s - base
        if o + len(d) > len(buf):
            buf.extend(d[max(0, len(buf) - o):])
    return bytes(buf), segs


def handshake_messages(stream):
    """Plaintext handshake messages (type, body) from a TLS record stream, until a CCS."""
    hs, off = bytearray(), 0
    while off + 5 <= len(stream):
        ct, _ver, ln = stream[off], stream[off + 1:off + 3], struct.unpack_from(">H", stream, off + 3)[0]
        body = stream[off + 5:off + 5 + ln]
        off += 5 + ln
        if ct == 20:
            break
        if ct == 22:
            hs.extend(body)
    msgs, off = [], 0
    while off + 4 <= len(hs):
        t = hs[off]
        ln = int.from_bytes(hs[off + 1:off + 4], "big")
        if off + 4 + ln > len(hs):
            break
        msgs.append((t, bytes(hs[off + 4:off + 4 + ln])))
        off += 4 + ln
    return msgs


class Seeds:
    def __init__(self):
        self.n = {t: 0 for t in TARGETS}
        self.bytes = 0
        for t in TARGETS:
            d = os.path.join(CORPUS, t)
            os.makedirs(d, exist_ok=True)
            for f in os.listdir(d):
                if f.startswith("seed-"):
                    os.remove(os.path.join(d, f))

    def add(self, target, name, data):
        path = os.path.join(CORPUS, target, "seed-" + name)
        with open(path, "wb") as f:
            f.write(data)
        self.n[target] += 1
        self.bytes += len(data)


def link_variants(frame):
    """The same IP packet under several link types: (name, link type, frame)."""
    et = struct.unpack_from(">H", frame, 12)[0]
    ip = frame[14:]
    v6 = et == 0x86DD
    sll = struct.pack(">HHH", 0, 1, 6) + frame[6:12] + b"\0\0" + struct.pack(">H", et)
    sll2 = struct.pack(">HHIHBB", et, 0, 2, 1, 0, 6) + frame[6:12] + b"\0\0"
    vlan = frame[:12] + struct.pack(">HH", 0x8100, 100) + frame[12:]
    qinq = frame[:12] + struct.pack(">HHHH", 0x88A8, 10, 0x8100, 100) + frame[12:]
    return [
        ("eth", 1, frame),
        ("vlan", 1, vlan),
        ("qinq", 1, qinq),
        ("raw", 101, ip),
        ("raw4or6", 229 if v6 else 228, ip),
        ("null", 0, struct.pack("<I", 30 if v6 else 2) + ip),
        ("loop", 108, struct.pack(">I", 24 if v6 else 2) + ip),
        ("sll", 113, sll + ip),
        ("sll2", 276, sll2 + ip),
        ("ppp", 9, struct.pack(">H", 0x57 if v6 else 0x21) + ip),
        ("chdlc", 104, struct.pack(">BBH", 0x0F, 0, et) + ip),
    ]


def pcapng(frames, linktype=1):
    """A pcapng file (µs resolution) with the given frames, plus one unknown block."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        ln = 12 + len(body)
        return struct.pack("<II", btype, ln) + body + struct.pack("<I", ln)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", linktype, 0, 0))
    out += block(0x0BAD0BAD, b"unknown block")
    for ts, f in frames:
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
    return out


def flow_table_seed(conns, stem):
    """All segments of a capture in the flow_table target's format (absolute seq/ack)."""
    out = bytearray([15, 255, 119])  # 16 flows, 64 KiB budget, 120 s idle timeout
    ep_index = {}
    prev = None
    for conn in conns:
        for ts, p, _ in conn["pkts"]:
            pass
    pkts = sorted((ts, p) for conn in conns for ts, p, _ in conn["pkts"])
    for ts, p in pkts:
        for ip, port in ((p[0], p[2]), (p[1], p[3])):
            if (ip, port) not in ep_index:
                v6 = len(ip) == 16
                addr = len([1 for (i, _) in ep_index if len(i) == len(ip) and i != ip]) % 3
                addr = (4 if v6 else 0) + min(addr, 2)
                if port in FLOW_PORTS:
                    pi = FLOW_PORTS.index(port)
                else:
                    used = [v[1] for v in ep_index.values()]
                    pi = 1 if 1 not in used else 2
                ep_index[(ip, port)] = (addr, pi)
        sa, sp = ep_index[(p[0], p[2])]
        da, dp = ep_index[(p[1], p[3])]
        delta = 0 if prev is None else ts - prev
        prev = ts
        if delta < 256:
            unit, step = 0, delta
        elif delta < 256_000:
            unit, step = 1, delta // 1000
        elif delta < 25_600_000:
            unit, step = 2, delta // 100_000
        else:
            unit, step = 3, min(255, delta // 1_000_000)
        b0 = sa | (sp << 3) | 0x80
        b1 = da | (dp << 3) | 0x20 | (unit << 6)
        payload = p[7][:4096]
        out += bytes([b0, b1, p[6], step]) + struct.pack(">IIH", p[4], p[5], len(payload)) + payload
    return bytes(out)


def reassembly_seed(segs, base, order):
    out = bytearray([1]) + struct.pack(">IH", base, 8191)
    for seq, d in order(segs):
        d = d[:2048]
        rel = (seq - base) & 0xFFFFFFFF
        if rel >= 0x8000:
            continue
        out += bytes([16]) + struct.pack(">hH", rel, len(d)) + d
    return bytes(out)


def main():
    seeds = Seeds()
    names = sorted(f for f in os.listdir(SAMPLES) if f.endswith(".pcap"))
    ch_done, sh_done, cert_done = set(), set(), 0
    for name in names:
        stem = name[:-5]
        path = os.path.join(SAMPLES, name)
        frames = read_pcap(path)
        conns = connections(frames)
        # capture_file: the capture itself.
        seeds.add("capture_file", stem + ".pcap", open(path, "rb").read())
        # flow_table: every segment of the capture.
        seeds.add("flow_table", stem, flow_table_seed(conns, stem))
        for ci, conn in enumerate(conns[:1]):
            for from_client in (True, False):
                side = "c" if from_client else "s"
                stream, segs = direction_stream(conn, from_client)
                if not stream:
                    continue
                stream = stream[:12288]
                tag = f"{stem}-{side}"
                # tls_stream: whole; one-byte chunks; mixed chunk sizes.
                seeds.add("tls_stream", tag + "-whole", b"\x00" + stream)
                if stem in ("tls13-h2", "tls12-cert", "tls13-hrr", "alert"):
                    seeds.add("tls_stream", tag + "-1byte", bytes([1 << 1, 0]) + stream)
                    seeds.add("tls_stream", tag + "-mixed", bytes([(3 << 1) | 1, 4, 99, 254]) + stream)
                # reassembly: the real segments in order and reversed.
                isn = [p[4] for _, p, _ in conn["pkts"] if p[6] & 0x02
                       and ((p[0], p[2]) == conn["client"]) == from_client]
                base = (isn[0] + 1) & 0xFFFFFFFF if isn else min(s for s, _ in segs)
                if stem in ("tls13-h2", "tls12-cert", "big-client-hello", "tls13-hrr"):
                    seeds.add("reassembly", tag + "-inorder", reassembly_seed(segs, base, list))
                    seeds.add("reassembly", tag + "-reversed",
                              reassembly_seed(segs, base, lambda s: list(reversed(s))))
                # hello: distinct ClientHello / ServerHello bodies, TLS 1.2 certificates.
                for t, body in handshake_messages(stream):
                    if t == 1 and body not in ch_done:
                        ch_done.add(body)
                        seeds.add("hello", f"{tag}-client-hello", b"\x00" + body)
                    elif t == 2 and body not in sh_done:
                        sh_done.add(body)
                        seeds.add("hello", f"{tag}-server-hello", b"\x01" + body)
                    elif t == 11 and cert_done < 8:
                        cert_done += 1
                        seeds.add("hello", f"{tag}-certificate", b"\x02" + body)
        # decode: the first SYN and the first payload frame of each direction, every link type.
        if stem in ("tls13-h2", "tls13-ipv6"):
            picked = []
            for ts, f in frames:
                p = parse_frame(f)
                if p and (p[6] & 0x02 or p[7]) and len(picked) < 4:
                    if not any(q[6] == p[6] and bool(q[7]) == bool(p[7]) for q in picked):
                        picked.append(p)
                        for lname, lt, lf in link_variants(f):
                            seeds.add("decode", f"{stem}-{len(picked)}-{lname}",
                                      bytes([LT_INDEX[lt]]) + lf)
        if stem == "tls13-h2":
            seeds.add("capture_file", stem + ".pcapng", pcapng(frames))
            seeds.add("capture_file", stem + ".pcap.gz", gzip.compress(open(path, "rb").read(), 9))
    # hello: SSLv2-format hellos (selectors 3 and 4), built by hand: no sample has one.
    sslv2_ch = bytes([1, 3, 1, 0, 9, 0, 0, 0, 16]) + bytes([0, 0, 0x2f, 0, 0, 0x35, 0x07, 0, 0xc0]) + bytes(16)
    seeds.add("hello", "sslv2-client-hello", b"\x03" + sslv2_ch)
    seeds.add("hello", "sslv2-server-hello", b"\x04" + bytes([4, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0]))
    for t in TARGETS:
        print(f"{t:14} {seeds.n[t]:4} seeds")
    print(f"total {seeds.bytes} bytes")


if __name__ == "__main__":
    sys.exit(main())
