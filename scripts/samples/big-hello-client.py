#!/usr/bin/env python3
"""TLS 1.3 client whose ClientHello does not fit in one TCP segment.

It offers a long ALPN list ("http/1.1" first, then ten 150-byte private protocol names),
which pushes the ClientHello to ~2 KB, i.e. two segments at MSS 1448.
Then it sends one HTTP/1.1 GET and reads the answer until the server closes.

  big-hello-client.py ADDR PORT SNI CAFILE
"""
import socket
import ssl
import sys

TIMEOUT = 10.0


def alpn_list():
    protos = ["http/1.1"]
    for i in range(10):
        name = f"x-tlscope-padding-{i:02d}-"
        protos.append(name + "p" * (150 - len(name)))
    return protos


def main():
    addr, port, sni, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(alpn_list())
    with socket.create_connection((addr, port), timeout=TIMEOUT) as raw:
        with ctx.wrap_socket(raw, server_hostname=sni) as tls:
            print(f"{tls.version()} {tls.cipher()[0]} alpn={tls.selected_alpn_protocol()}", flush=True)
            req = f"GET / HTTP/1.1\r\nHost: {sni}\r\nUser-Agent: tlscope-samples\r\nConnection: close\r\n\r\n"
            tls.sendall(req.encode())
            total = 0
            for _ in range(1000):
                try:
                    chunk = tls.recv(65536)
                except ssl.SSLZeroReturnError:
                    break
                if not chunk:
                    break
                total += len(chunk)
            print(f"received {total} bytes", flush=True)


if __name__ == "__main__":
    main()
