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
TARGETS = ["decode", "tls_stream", "hello", "reassembly", "flow_table", "capture_file", "quic"]

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
    """Ethernet → (src, dst, sport, dport, seq, ack, flags, payload, ethertype, proto) or None.
    UDP datagrams have seq, ack and flags 0."""
    if len(frame) < 14:
        return None
    et = struct.unpack_from(">H", frame, 12)[0]
    ip = frame[14:]
    if et == 0x0800:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack_from(">H", ip, 2)[0]
        proto = ip[9]
        src, dst, tcp = ip[12:16], ip[16:20], ip[ihl:total]
    elif et == 0x86DD:
        proto = ip[6]
        plen = struct.unpack_from(">H", ip, 4)[0]
        src, dst, tcp = ip[8:24], ip[24:40], ip[40:40 + plen]
    else:
        return None
    if proto == 17:
        sport, dport = struct.unpack_from(">HH", tcp, 0)
        return (bytes(src), bytes(dst), sport, dport, 0, 0, 0, bytes(tcp[8:]), et, 17)
    if proto != 6:
        return None
    sport, dport, seq, ack = struct.unpack_from(">HHII", tcp, 0)
    doff = (tcp[12] >> 4) * 4
    return (bytes(src), bytes(dst), sport, dport, seq, ack, tcp[13], bytes(tcp[doff:]), et, 6)


def connections(frames):
    """Per connection (in order of first packet): list of (ts, parsed) and the client endpoint."""
    conns, order = {}, []
    for ts, f in frames:
        p = parse_frame(f)
        if p is None:
            continue
        a, b = (p[0], p[2]), (p[1], p[3])
        key = (p[9],) + tuple(sorted([a, b]))
        if key not in conns:
            conns[key] = {"pkts": [], "client": a, "udp": p[9] == 17}
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
        b0 = sa | (sp << 3) | 0x80 | (0x20 if p[9] == 17 else 0)
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


# QUIC version 1 Initial protection (RFC 9001 §5), for QUIC seeds built from the samples'
# ClientHello (the samples are TCP only). Needs the `cryptography` package for AES; without it
# the sealed-datagram seeds are skipped.
V1_SALT = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")
QUIC_DCID = bytes.fromhex("8394c8f03e515708")


def hkdf_expand_label(secret, label, length):
    import hashlib
    import hmac
    full = b"tls13 " + label
    info = struct.pack(">H", length) + bytes([len(full)]) + full + b"\0"
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(secret, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def varint(v):
    if v < 64:
        return bytes([v])
    if v < 16384:
        return struct.pack(">H", 0x4000 | v)
    return struct.pack(">I", 0x80000000 | v)


def crypto_frame(offset, data):
    return b"\x06" + varint(offset) + varint(len(data)) + data


def seal_v1_initial(payload, client=True, pn=0):
    """A QUIC v1 Initial (one-byte packet number) carrying `payload`, padded like a client's."""
    import hashlib
    import hmac
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    initial = hmac.new(V1_SALT, QUIC_DCID, hashlib.sha256).digest()
    secret = hkdf_expand_label(initial, b"client in" if client else b"server in", 32)
    key = hkdf_expand_label(secret, b"quic key", 16)
    iv = hkdf_expand_label(secret, b"quic iv", 12)
    hp = hkdf_expand_label(secret, b"quic hp", 16)
    dcid = QUIC_DCID if client else b"\x5c" * 8
    scid = b"\x5c" * 8 if client else b"\xf0" * 8
    header = b"\xc0" + struct.pack(">I", 1) + bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid + b"\0"
    if client:
        payload = payload + bytes(max(0, 1200 - (len(header) + 2 + 1 + 16) - len(payload)))
    header += struct.pack(">H", 0x4000 | (1 + len(payload) + 16))
    pn_offset = len(header)
    header += bytes([pn])
    nonce = bytes(a ^ b for a, b in zip(iv, bytes(11) + bytes([pn])))
    ct = AESGCM(key).encrypt(nonce, payload, header)
    packet = bytearray(header + ct)
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(bytes(packet[pn_offset + 4:pn_offset + 20])) + enc.finalize()
    packet[0] ^= mask[0] & 0x0F
    packet[pn_offset] ^= mask[1]
    return bytes(packet)


def udp_frame(src, dst, sport, dport, payload):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28 + len(payload), 0, 0x4000, 64, 17, 0, src, dst)
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0)
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp + payload


def quic_seeds(seeds, client_hello, server_hello):
    """Seeds for the quic target, and QUIC datagrams for flow_table and capture_file."""
    ch_frames = crypto_frame(0, client_hello)
    sh_frames = b"\x02\x00\x00\x00\x00" + crypto_frame(0, server_hello)  # ACK, then CRYPTO
    # 1: plaintext frames (IETF encoding).
    seeds.add("quic", "frames-client-hello", b"\x01" + ch_frames + b"\x01" + bytes(20))
    seeds.add("quic", "frames-server-hello", b"\x01" + sh_frames)
    # 2: the ClientHello as CRYPTO frames out of order, with a retransmission.
    ops = b""
    pieces = [(i, client_hello[i:i + 200]) for i in range(0, len(client_hello), 200)]
    for off, d in list(reversed(pieces)) + pieces[:1]:
        ops += struct.pack(">HB", off, min(len(d), 255)) + d[:255]
    seeds.add("quic", "crypto-reversed", b"\x02" + struct.pack(">HB", 8191, 32) + ops)
    # 3: frames sealed by the harness, for each version it knows.
    for flags, name in [(0, "v1"), (1, "v2"), (2, "draft29"), (3, "t051")]:
        seeds.add("quic", f"seal-{name}-client-hello",
                  b"\x03" + bytes([flags, 8]) + QUIC_DCID + struct.pack(">I", 0) + ch_frames)
    seeds.add("quic", "seal-v1-server-hello",
              b"\x03" + bytes([0x80, 8]) + QUIC_DCID + struct.pack(">I", 0) + sh_frames)
    # 0: datagrams sealed here (needs `cryptography`).
    try:
        client = seal_v1_initial(ch_frames)
        server = seal_v1_initial(sh_frames, client=False)
    except ImportError:
        print("python cryptography not installed: no sealed QUIC datagram seeds", file=sys.stderr)
        return
    seeds.add("quic", "datagram-v1-client-initial", b"\x00" + client)
    seeds.add("quic", "datagram-v1-server-initial", b"\x80" + bytes([len(QUIC_DCID)]) + QUIC_DCID + server)
    c, sv = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])
    frames = [(1_700_000_000_000_000, udp_frame(c, sv, 40101, 443, client)),
              (1_700_000_000_020_000, udp_frame(sv, c, 443, 40101, server))]
    seeds.add("capture_file", "quic-v1-initials.pcap", pcap(frames))
    ft = bytearray([15, 255, 119])
    # b0: client (addr 0, port 40101) UDP; b1: server (addr 1, port 443), absolute ack.
    for (b0, b1, step), (_, f) in zip([(0x08 | 0x20 | 0x80, 0x01 | 0x20 | 0x40, 0),
                                       (0x01 | 0x20 | 0x80, 0x08 | 0x20 | 0x40, 20)], frames):
        payload = f[14 + 28:]
        ft += bytes([b0, b1, 0, step]) + struct.pack(">IIH", 0, 0, len(payload)) + payload
    seeds.add("flow_table", "quic-v1-initials", bytes(ft))


def pcap(frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    for ts, f in frames:
        out += struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(f), len(f)) + f
    return out


def main():
    seeds = Seeds()
    names = sorted(f for f in os.listdir(SAMPLES) if f.endswith(".pcap"))
    ch_done, sh_done, cert_done = set(), set(), 0
    h2_hellos = {}
    for name in names:
        stem = name[:-5]
        path = os.path.join(SAMPLES, name)
        frames = read_pcap(path)
        conns = connections(frames)
        # capture_file: the capture itself.
        seeds.add("capture_file", stem + ".pcap", open(path, "rb").read())
        # flow_table: every segment of the capture.
        seeds.add("flow_table", stem, flow_table_seed(conns, stem))
        tcp_conns = [c for c in conns if not c["udp"]]
        for conn in [c for c in conns if c["udp"]][:1]:
            # quic: the connection's first datagrams, as captured.
            client = [p[7] for _, p, _ in conn["pkts"] if (p[0], p[2]) == conn["client"]]
            server = [p[7] for _, p, _ in conn["pkts"] if (p[0], p[2]) != conn["client"]]
            dcid = b""
            if client and client[0][0] & 0x80 and len(client[0]) > 6:
                n = client[0][5]
                dcid = client[0][6:6 + n]
            for i, d in enumerate(client[:2]):
                seeds.add("quic", f"{stem}-client-datagram-{i}", b"\x00" + d)
            for i, d in enumerate(server[:2]):
                seeds.add("quic", f"{stem}-server-datagram-{i}", b"\x80" + bytes([len(dcid)]) + dcid + d)
        for ci, conn in enumerate(tcp_conns[:1]):
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
                    if stem == "tls13-h2" and t in (1, 2):
                        h2_hellos[t] = bytes([t]) + len(body).to_bytes(3, "big") + body
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
        if stem in ("tls13-h2", "tls13-ipv6", "quic-h3"):
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
    quic_seeds(seeds, h2_hellos[1], h2_hellos[2])
    # hello: SSLv2-format hellos (selectors 3 and 4), built by hand: no sample has one.
    sslv2_ch = bytes([1, 3, 1, 0, 9, 0, 0, 0, 16]) + bytes([0, 0, 0x2f, 0, 0, 0x35, 0x07, 0, 0xc0]) + bytes(16)
    seeds.add("hello", "sslv2-client-hello", b"\x03" + sslv2_ch)
    seeds.add("hello", "sslv2-server-hello", b"\x04" + bytes([4, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0]))
    for t in TARGETS:
        print(f"{t:14} {seeds.n[t]:4} seeds")
    print(f"total {seeds.bytes} bytes")


if __name__ == "__main__":
    sys.exit(main())
