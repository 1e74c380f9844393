#!/usr/bin/env python3
"""TLS client that keeps one connection open: request, pause, request, close.

make-samples starts the capture during the pause, so the capture joins the connection
mid-stream (no SYN, no handshake).

  keepalive-client.py ADDR PORT SNI CAFILE PAUSE_SECONDS
"""
import socket
import ssl
import sys
import time


def get(tls, sni, close):
    req = (f"GET / HTTP/1.1\r\nHost: {sni}\r\nUser-Agent: tlscope-samples\r\n"
           f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n")
    tls.sendall(req.encode())
    buf = b""
    for _ in range(1000):
        try:
            chunk = tls.recv(65536)
        except ssl.SSLZeroReturnError:
            break
        if not chunk:
            break
        buf += chunk
        head, sep, body = buf.partition(b"\r\n\r\n")
        if sep and not close:
            length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
            if length and len(body) >= length[0]:
                break
    return len(buf)


def main():
    addr, port, sni, cafile, pause = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.set_alpn_protocols(["http/1.1"])
    with socket.create_connection((addr, port), timeout=10.0) as raw:
        with ctx.wrap_socket(raw, server_hostname=sni) as tls:
            print("first response", get(tls, sni, False), "bytes", flush=True)
            time.sleep(min(pause, 10.0))
            print("second response", get(tls, sni, True), "bytes", flush=True)


if __name__ == "__main__":
    main()
