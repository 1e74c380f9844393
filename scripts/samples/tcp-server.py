#!/usr/bin/env python3
"""Tiny misbehaving TCP servers used by scripts/make-samples.

Serves exactly ONE connection, then exits. Every wait is bounded.

  tcp-server.py rst    ADDR PORT   accept, read the ClientHello, close with SO_LINGER 0 (-> RST)
  tcp-server.py silent ADDR PORT   accept, read the ClientHello, say nothing for 3 s, close (-> FIN)
  tcp-server.py hang   ADDR PORT   accept, read the ClientHello, never answer: wait (at most 20 s)
                                   for the client to give up and close, then close too

It prints "listening" on stdout once the socket is listening.
"""
import socket
import struct
import sys
import time

ACCEPT_TIMEOUT = 20.0   # seconds to wait for the one client
SILENT_SECONDS = 3.0
HANG_SECONDS = 20.0     # "hang": longest wait for the client to close


def read_client_hello(conn):
    """Read until a whole TLS record (or 16 KiB, or 2 s) has arrived, so that close() does
    not find unread data in the receive buffer (which would turn a FIN into a RST)."""
    conn.settimeout(2.0)
    buf = b""
    deadline = time.monotonic() + 2.0
    while len(buf) < 16384 and time.monotonic() < deadline:
        try:
            chunk = conn.recv(16384)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
        if len(buf) >= 5 and len(buf) >= 5 + struct.unpack("!H", buf[3:5])[0]:
            break
    return buf


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode not in ("rst", "silent", "hang"):
        sys.exit("mode must be rst, silent or hang")
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    srv.settimeout(ACCEPT_TIMEOUT)
    print("listening", flush=True)
    conn, peer = srv.accept()
    srv.close()
    data = read_client_hello(conn)
    print(f"{mode}: read {len(data)} bytes from {peer}", flush=True)
    if mode == "rst":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    elif mode == "hang":
        # Never answer; the client's FIN (its timeout) ends the wait: recv() returns b"".
        conn.settimeout(HANG_SECONDS)
        try:
            while conn.recv(16384):
                pass
        except (socket.timeout, OSError):
            pass
        conn.close()
    else:
        time.sleep(SILENT_SECONDS)
        # drain anything that arrived meanwhile so close() sends FIN, not RST
        conn.settimeout(0.2)
        try:
            while conn.recv(16384):
                pass
        except (socket.timeout, OSError):
            pass
        conn.shutdown(socket.SHUT_WR)
        # wait (bounded) for the client's FIN so the capture shows the full close
        conn.settimeout(3.0)
        try:
            while conn.recv(16384):
                pass
        except (socket.timeout, OSError):
            pass
        conn.close()


if __name__ == "__main__":
    main()
