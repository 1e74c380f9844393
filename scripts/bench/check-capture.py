#!/usr/bin/env python3
"""Checks that tlscope finds every handshake of a capture made by scripts/gen-bench-capture.py.

    scripts/bench/check-capture.py OUT.pcap [--tlscope BIN] [--threads N] [--records FILE]
                                   [--tshark] [--tshark-timeout SECS]

Runs `tlscope read OUT.pcap --json` (or reads its output from --records) and compares the
session records with OUT.manifest.json: the number of records, and the count of every value of
transport, outcome, SNI, version, group, resumed, hrr, JA3 and QUIC version must equal the
manifest exactly. With OUT.conns.tsv (written by the generator unless --no-conns-file) every
record is also matched to its connection by client and server address, and each field compared
with what the sample connection it replays should give; the first differences are printed.
--tshark also counts the frames tshark shows as ClientHellos (`tls.handshake.type==1`) over
TCP against the manifest's `client_hellos` (QUIC ones are printed, not compared: every QUIC
connection that replays one sample has the same connection IDs, and tshark follows IDs). Exit status 0 when everything matches, 1 otherwise.
Python standard library only.
"""
import argparse
import json
import struct
import subprocess
import sys
from collections import Counter
from pathlib import Path

FIELDS = ("transport", "outcome", "sni", "version", "group", "resumed", "hrr", "ja3",
          "quic_version")
ROOT = Path(__file__).resolve().parent.parent.parent


# Counters of tlscope's stats record that must stay 0 on a generated capture: its streams have
# no loss, reordering, retransmission or malformed hello.
CLEAN = ("out_of_order_segments", "retransmitted_segments", "overlap_conflicts",
         "capture_gap_bytes", "pending_segment_overflow", "handshake_budget_exceeded",
         "snaplen_truncated_payloads", "malformed_tls_streams", "hello_parse_errors",
         "malformed_extensions", "oversized_handshake_messages", "flows_evicted", "flows_reused")


def split_records(lines):
    sessions, stats = [], None
    for line in lines:
        r = json.loads(line)
        if r.get("type") == "session":
            sessions.append(r)
        elif r.get("type") == "stats":
            stats = r
    return sessions, stats


def deep_check(path, show):
    """The generator's own invariants, frame by frame: time never goes back, IPv4 header
    checksums are right, lengths agree, and every TCP direction is one contiguous stream whose
    ACKs never run ahead of what the peer sent. Returns the number of problems."""
    data = Path(path).read_bytes()
    off, n, last_t, problems = 24, 0, 0, []
    nxt = {}  # (src, sport, dst, dport) -> next sequence number expected
    while off + 16 <= len(data) and len(problems) < 1000:
        sec, usec, caplen, wirelen = struct.unpack_from("<IIII", data, off)
        f = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        n += 1
        t = sec * 1_000_000 + usec
        if t < last_t or caplen != wirelen:
            problems.append(f"frame {n}: time goes back or caplen != len")
        last_t = t
        et = struct.unpack_from(">H", f, 12)[0]
        if et == 0x0800:
            ihl = (f[14] & 15) * 4
            s = sum(struct.unpack_from(f"!{ihl // 2}H", f, 14))
            while s >> 16:
                s = (s & 0xFFFF) + (s >> 16)
            if s != 0xFFFF:
                problems.append(f"frame {n}: bad IPv4 header checksum")
            if struct.unpack_from(">H", f, 16)[0] != len(f) - 14:
                problems.append(f"frame {n}: IPv4 total length")
            proto, src, dst, l4 = f[23], f[26:30], f[30:34], 14 + ihl
        else:
            if struct.unpack_from(">H", f, 18)[0] != len(f) - 54:
                problems.append(f"frame {n}: IPv6 payload length")
            proto, src, dst, l4 = f[20], f[22:38], f[38:54], 54
        if proto == 17:
            if struct.unpack_from(">H", f, l4 + 4)[0] != len(f) - l4:
                problems.append(f"frame {n}: UDP length")
            continue
        sport, dport, seq, ack = struct.unpack_from(">HHII", f, l4)
        flags, plen = f[l4 + 13], len(f) - l4 - (f[l4 + 12] >> 4) * 4
        key, peer = (src, sport, dst, dport), (dst, dport, src, sport)
        if flags & 0x02:  # SYN: the stream starts here (a re-sent SYN restarts it)
            nxt[key] = (seq + 1) & 0xFFFFFFFF
        elif key in nxt and seq != nxt[key] and not flags & 0x04:
            problems.append(f"frame {n}: seq {seq} where {nxt[key]} was next")
        else:
            nxt[key] = (seq + plen + (flags & 1)) & 0xFFFFFFFF
        if flags & 0x10 and peer in nxt and ((nxt[peer] - ack) & 0xFFFFFFFF) > 0x7FFFFFFF:
            problems.append(f"frame {n}: ack {ack} ahead of the peer's {nxt[peer]}")
    print(f"deep check: {n} frames, {len(problems)} problems")
    for p in problems[:show]:
        print("    " + p)
    return len(problems)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("capture")
    ap.add_argument("--tlscope", default=str(ROOT / "target/release/tlscope"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--records", help="read tlscope's JSON Lines from this file instead")
    ap.add_argument("--tshark", action="store_true", help="also count ClientHellos with tshark")
    ap.add_argument("--tshark-timeout", type=float, default=600)
    ap.add_argument("--deep", action="store_true",
                    help="also check the capture's own invariants frame by frame (small files)")
    ap.add_argument("--show", type=int, default=10, help="differences printed per check")
    args = ap.parse_args()

    manifest = json.loads(Path(args.capture + ".manifest.json").read_text())
    conns_path = Path(args.capture + ".conns.tsv")
    conns = {}
    if conns_path.exists():
        with conns_path.open() as f:
            next(f)
            for line in f:
                client, server, tpl, sni = line.rstrip("\n").split("\t")
                conns[(client, server)] = (tpl, sni or None)

    if args.records:
        with open(args.records) as f:
            recs, stats = split_records(f)
    else:
        cmd = [args.tlscope, "read", args.capture, "--json", "--threads", str(args.threads)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
        recs, stats = split_records(proc.stdout.splitlines())

    ok = True
    if args.deep:
        ok &= deep_check(args.capture, args.show) == 0
    if stats is not None:
        flows = stats.get("flows", {})
        dirty = {k: flows.get(k) for k in CLEAN if flows.get(k)}
        dirty |= {f"skipped.{k}": v for k, v in stats.get("skipped", {}).items() if v}
        n_not_tls = manifest["expected"]["outcome"].get('"not_tls"', 0)
        if flows.get("not_tls_streams", 0) != n_not_tls:
            dirty["not_tls_streams"] = flows.get("not_tls_streams")
        print(f"stats: {stats.get('packets')} packets (manifest {manifest['packets']}), "
              f"anomaly counters {dirty or 'all 0'}")
        ok &= not dirty and stats.get("packets") == manifest["packets"]
    want_n, got_n = manifest["handshakes_expected"], len(recs)
    print(f"session records: {got_n} (manifest {want_n}) {'ok' if got_n == want_n else 'MISMATCH'}")
    ok &= got_n == want_n

    print(f"{'field':<14} {'values':>6}  result")
    for field in FIELDS:
        got = Counter(json.dumps(r.get(field)) for r in recs)
        want = Counter(manifest["expected"][field])
        diff = {k: (want.get(k, 0), got.get(k, 0)) for k in set(want) | set(got)
                if want.get(k, 0) != got.get(k, 0)}
        print(f"{field:<14} {len(want):>6}  {'ok' if not diff else f'{len(diff)} values differ'}")
        for k, (w, g) in sorted(diff.items(), key=lambda kv: -abs(kv[1][0] - kv[1][1]))[
                :args.show]:
            print(f"    {k}: manifest {w}, tlscope {g}")
        ok &= not diff

    if conns:
        expect = manifest["template_expect"]
        seen, bad, unknown = set(), Counter(), []
        examples = []
        for r in recs:
            key = (r["client"], r["server"])
            if key not in conns:
                unknown.append(key)
                continue
            seen.add(key)
            tpl, sni = conns[key]
            want = dict(expect[tpl], sni=sni)
            for field in FIELDS:
                if r.get(field) != want[field]:
                    bad[(tpl, field)] += 1
                    if len(examples) < args.show:
                        examples.append(f"    {key[0]} → {key[1]} ({tpl}): {field} "
                                        f"{r.get(field)!r}, expected {want[field]!r}")
        missing = len(conns) - len(seen)
        print(f"per connection: {len(seen)}/{len(conns)} matched, {missing} without a record, "
              f"{len(unknown)} records of unknown connections, "
              f"{sum(bad.values())} field differences")
        for (tpl, field), n in bad.most_common(args.show):
            print(f"    {tpl} {field}: {n}")
        for e in examples:
            print(e)
        for key in unknown[:args.show]:
            print(f"    unknown connection {key[0]} → {key[1]}")
        ok &= missing == 0 and not unknown and not bad

    if args.tshark:
        cmd = ["tshark", "-r", args.capture, "-d", "tcp.port==8443,tls", "-Y",
               "tls.handshake.type==1", "-T", "fields", "-e", "udp.srcport",
               "-e", "tls.handshake.extensions_server_name"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                                  timeout=args.tshark_timeout)
            lines = proc.stdout.splitlines()
            quic = sum(1 for line in lines if not line.startswith("\t"))
            tcp = len(lines) - quic
            want = manifest["client_hellos"]
            print(f"tshark ClientHello frames over TCP: {tcp} (manifest {want['tcp']}) "
                  f"{'ok' if tcp == want['tcp'] else 'MISMATCH'}")
            print(f"tshark ClientHello frames over QUIC: {quic} (manifest {want['quic']}; not "
                  "checked: tshark merges the QUIC connections that share a sample's IDs)")
            ok &= tcp == want["tcp"]
        except FileNotFoundError:
            print("tshark: not installed, skipped")
        except subprocess.TimeoutExpired:
            print(f"tshark: no answer within {args.tshark_timeout:g} s, skipped")
            ok = False

    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
