#!/usr/bin/env python3
"""TLS 1.3 client that completes the handshake and then walks away without sending any
application data (like a client that checks the certificate after the handshake and does
not like it, or a TLS health check). It sends no close_notify: after its Finished it reads
what the server still has to say (NewSessionTicket) for a moment, then closes with FIN.

  handshake-only-client.py ADDR PORT SNI [STALL_SECONDS]

With STALL_SECONDS, it waits that long after the server's flight BEFORE sending its Finished
(make-samples stops the capture meanwhile: a handshake cut off by the end of the input).
"""
import socket
import ssl
import sys
import time


def main():
    addr, port, sni = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    stall = min(float(sys.argv[4]), 10.0) if len(sys.argv) > 4 else 0.0
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_hostname=sni)
    sock = socket.create_connection((addr, port), timeout=5.0)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            pending = out.read()
            if pending:
                sock.sendall(pending)
            chunk = sock.recv(65536)
            if not chunk:
                sys.exit("server closed during the handshake")
            inc.write(chunk)
    else:
        sys.exit("handshake timed out")
    if stall:
        time.sleep(stall)
    pending = out.read()          # the client's (encrypted) Finished
    if pending:
        sock.sendall(pending)
    print(f"handshake done: {tls.version()} {tls.cipher()[0]}; leaving without a request", flush=True)
    # Drain what the server still sends (NewSessionTicket), so close() sends FIN, not RST.
    sock.settimeout(0.3)
    try:
        for _ in range(100):
            if not sock.recv(65536):
                break
    except socket.timeout:
        pass
    sock.shutdown(socket.SHUT_WR)
    sock.settimeout(3.0)
    try:
        for _ in range(100):
            if not sock.recv(65536):
                break
    except (socket.timeout, OSError):
        pass
    sock.close()


if __name__ == "__main__":
    main()
