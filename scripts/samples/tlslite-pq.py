#!/usr/bin/env python3
"""TLS 1.3 client and one-shot server offering the hybrid X25519MLKEM768 group (tlslite-ng).

OpenSSL 3.0 and GnuTLS 3.7 (Debian 12) know no ML-KEM; tlslite-ng 0.8.2 (pure python, PyPI)
implements X25519MLKEM768 (0x11ec) with kyber-py's ML-KEM. make-samples installs both in a
virtualenv of its own when they are not importable.

  tlslite-pq.py client HOST PORT SNI [TIMEOUT]
                                            GET /index.html over TLS 1.3, offering X25519MLKEM768 first;
                                            give up after TIMEOUT s without an answer (default 10)
  tlslite-pq.py server ADDR PORT CERT KEY   accept ONE connection, prefer X25519MLKEM768, answer a GET

The client does not check the server certificate (tlslite-ng has no chain validation).
"""
import socket
import sys

from tlslite.api import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey

TIMEOUT = 10


def settings():
    s = HandshakeSettings()
    s.minVersion = (3, 4)          # TLS 1.3 only
    s.maxVersion = (3, 4)
    # tlslite-ng's defaults, with the hybrid group first (it is already first when kyber-py is
    # installed; spelled out so that the capture does not depend on that)
    s.eccCurves = ["x25519mlkem768"] + [c for c in s.eccCurves if c != "x25519mlkem768"]
    s.keyShares = ["x25519mlkem768", "x25519"]
    return s


def read_http(conn):
    """One HTTP response: up to Content-Length if there is one, else until the server closes."""
    data = b""
    while len(data) < 1 << 20:
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length" and len(body) >= int(v):
                    return data
        chunk = conn.read(max=65536)
        if not chunk:
            break
        data += chunk
    return data


def client(host, port, sni, timeout=TIMEOUT):
    sock = socket.create_connection((host, int(port)), timeout=float(timeout))
    conn = TLSConnection(sock)
    conn.handshakeClientCert(settings=settings(), serverName=sni, alpn=[b"http/1.1"])
    print("client: version", conn.version, "cipher", conn.getCipherName(), "group",
          getattr(conn.session, "ecdhCurve", None) if conn.session else None, file=sys.stderr)
    conn.write(("GET /index.html HTTP/1.1\r\nHost: %s\r\nUser-Agent: tlscope-samples\r\nConnection: close\r\n\r\n"
                % sni).encode())
    resp = read_http(conn)
    print("client: %d response bytes" % len(resp), file=sys.stderr)
    # close_notify, then wait for the server's close_notify or FIN before closing the socket:
    # closing at once made the kernel answer the server's close_notify with a RST.
    conn.closeSocket = False
    try:
        conn.close()
    except Exception as e:  # the server closed without its own close_notify: fine here
        print("client: close:", type(e).__name__, file=sys.stderr)
    sock.close()


def server(addr, port, cert, key):
    chain = X509CertChain()
    with open(cert) as f:
        chain.parsePemList(f.read())
    with open(key) as f:
        priv = parsePEMKey(f.read(), private=True)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    sock, _ = ls.accept()
    ls.close()
    sock.settimeout(TIMEOUT)
    conn = TLSConnection(sock)
    conn.handshakeServer(certChain=chain, privateKey=priv, settings=settings(), alpn=[b"http/1.1"])
    req = b""
    while b"\r\n\r\n" not in req and len(req) < 65536:
        chunk = conn.read(max=4096)
        if not chunk:
            break
        req += chunk
    body = b"hello from the tlscope sample server (tlslite-ng, X25519MLKEM768)\n"
    conn.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
               b"Connection: close\r\n\r\n%s" % (len(body), body))
    # Let the client close first (its close_notify, then ours): closing right after the response
    # left two segments in flight, and the kernel's tail-loss probe retransmitted the last one
    # before the client's delayed ACK came (a retransmission makes byte counts ambiguous).
    try:
        for _ in range(100):
            if not conn.read(max=4096):
                break
    except Exception as e:  # the client's close_notify / FIN ends the loop either way
        print("server: read until close:", type(e).__name__, file=sys.stderr)
    conn.close()


if __name__ == "__main__":
    if len(sys.argv) in (5, 6) and sys.argv[1] == "client":
        client(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "server":
        server(*sys.argv[2:])
    else:
        sys.exit(__doc__)
