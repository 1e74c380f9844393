#!/usr/bin/env python3
"""Writes a synthetic benchmark capture: many concurrent TLS connections whose handshake bytes are
real (taken from the bundled samples), followed by bulk encrypted application data at MTU 1500.

    scripts/gen-bench-capture.py OUT.pcap [--conns N] [--bulk-segments M] [--concurrency C]

Each connection: SYN, SYN/ACK, ACK, the client's first flight, the server's first flight, the
client's second flight, M server segments of 1448 bytes (type-23 records), an ACK per 8
segments, FIN/FIN. Connections are interleaved C at a time, timestamps advance 10 µs per packet.
Addresses are in 198.18.0.0/15 (benchmark range). Only the handshake payload is copied from the
samples; everything else is generated here.
"""
import argparse
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def read_pcap(path):
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic == 0xA1B2C3D4, "little-endian µs pcap expected"
    off, pkts = 24, []
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        pkts.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return pkts


def flights(path, server_port):
    """Client and server payloads in order, merged into flights (consecutive same-direction)."""
    out = []
    for frame in read_pcap(path):
        ihl = (frame[14] & 0x0F) * 4
        tcp = frame[14 + ihl:]
        sport, dport = struct.unpack(">HH", tcp[:4])
        doff = (tcp[12] >> 4) * 4
        payload = bytes(tcp[doff:])
        if not payload:
            continue
        from_client = dport == server_port
        if out and out[-1][0] == from_client:
            out[-1] = (from_client, out[-1][1] + payload)
        else:
            out.append((from_client, payload))
    return out


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                      65535, 0, 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
    return eth + ip + tcp


def connection(i, templates, bulk):
    cip = bytes([198, 18, (i >> 8) & 0xFF, i & 0xFF])
    sip = bytes([198, 19, 0, 1 + i % 200])
    cport = 1024 + (i * 7) % 60000
    cseq, sseq = (i * 2654435761) & 0xFFFFFFFF, (i * 40503 + 77) & 0xFFFFFFFF
    cl, sv = (cip, cport), (sip, 443)
    F = {"S": 0x02, "SA": 0x12, "A": 0x10, "PA": 0x18, "FA": 0x11}

    def pkt(from_client, flags, payload=b""):
        nonlocal cseq, sseq
        a, b = (cl, sv) if from_client else (sv, cl)
        seq, ack = (cseq, sseq) if from_client else (sseq, cseq)
        f = frame(a[0], b[0], a[1], b[1], seq, ack, F[flags], payload)
        adv = len(payload) + (1 if flags in ("S", "SA", "FA") else 0)
        if from_client:
            cseq += adv
        else:
            sseq += adv
        return f

    yield pkt(True, "S")
    yield pkt(False, "SA")
    yield pkt(True, "A")
    for from_client, payload in templates[i % len(templates)]:
        for k in range(0, len(payload), 1448):
            yield pkt(from_client, "PA", payload[k:k + 1448])
    record = b"\x17\x03\x03" + struct.pack(">H", 1443) + bytes(1443)
    for k in range(bulk):
        yield pkt(False, "A", record)
        if k % 8 == 7:
            yield pkt(True, "A")
    yield pkt(True, "FA")
    yield pkt(False, "FA")
    yield pkt(True, "A")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--conns", type=int, default=2000)
    ap.add_argument("--bulk-segments", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=100)
    args = ap.parse_args()
    templates = [
        flights(HERE / "samples" / "tls13-h2.pcap", 443),
        flights(HERE / "samples" / "tls12-cert.pcap", 443),
        flights(HERE / "samples" / "big-client-hello.pcap", 443),
    ]
    with open(args.out, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        t = 1_700_000_000 * 1_000_000
        started, active = 0, []
        while started < args.conns or active:
            while len(active) < args.concurrency and started < args.conns:
                active.append(connection(started, templates, args.bulk_segments))
                started += 1
            still = []
            for gen in active:
                f = next(gen, None)
                if f is None:
                    continue
                out.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(f), len(f)))
                out.write(f)
                t += 10
                still.append(gen)
            active = still
    print(f"wrote {args.out}: {args.conns} connections", file=sys.stderr)


if __name__ == "__main__":
    main()
