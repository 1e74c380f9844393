#!/usr/bin/env python3
"""HTTP/3 over QUIC: a one-shot server and a client, with aioquic (PyPI, pure python + C helpers).

Debian 12 has no QUIC client or server (curl 7.88 and nginx 1.22 are built without HTTP/3);
make-samples installs aioquic into a virtualenv of its own.

  aioquic-h3.py server ADDR PORT CERT KEY [--retry] [--alpn P,...] [--conns N] [--timeout S]
      Serve HTTP/3 (GET -> 200, 37-byte body) on UDP ADDR:PORT until N connections have ended
      (default 1), at most S seconds (default 20). --retry: answer a first Initial with a Retry
      (address validation). --alpn: the server's ALPN list (default h3); a client offering none
      of them gets CONNECTION_CLOSE with TLS alert no_application_protocol (0x178).
  aioquic-h3.py client HOST PORT SNI CAFILE [--local-port N] [--version 1|2] [--alpn P,...]
                       [--give-up S]
      GET https://SNI/ over HTTP/3 from UDP source port N, verifying the server's certificate
      against CAFILE; --version 2 starts in QUIC v2 (RFC 9369, 0x6b3343cf); gives up (exit 1)
      when the handshake has not completed after S seconds (default 5). Exit 0: got the response.
"""
import argparse
import asyncio
import sys

from aioquic.asyncio import QuicConnectionProtocol, connect, serve
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import ConnectionTerminated, ProtocolNegotiated
from aioquic.quic.packet import QuicProtocolVersion

BODY = b"hello from the tlscope sample server\n"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
class H3Server(QuicConnectionProtocol):
    ended = None      # asyncio.Queue, set by server()

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._h3 = None

    def quic_event_received(self, event):
        if isinstance(event, ProtocolNegotiated):
            log("server: ALPN", event.alpn_protocol)
            if event.alpn_protocol in H3_ALPN:
                self._h3 = H3Connection(self._quic)
        elif isinstance(event, ConnectionTerminated):
            log("server: connection ended: error 0x%x %r" % (event.error_code, event.reason_phrase))
            H3Server.ended.put_nowait(event)
        if self._h3 is None:
            return
        for ev in self._h3.handle_event(event):
            if isinstance(ev, HeadersReceived) and ev.stream_ended:
                hdr = dict(ev.headers)
                log("server: %s %s" % (hdr.get(b":method", b"?").decode(), hdr.get(b":path", b"?").decode()))
                self._h3.send_headers(ev.stream_id, [
                    (b":status", b"200"), (b"server", b"aioquic"), (b"content-type", b"text/plain"),
                    (b"content-length", str(len(BODY)).encode()),
                ])
                self._h3.send_data(ev.stream_id, BODY, end_stream=True)
                self.transmit()


async def server(args):
    cfg = QuicConfiguration(is_client=False, alpn_protocols=args.alpn.split(","))
    cfg.load_cert_chain(args.cert, args.key)
    H3Server.ended = asyncio.Queue()
    srv = await serve(args.addr, args.port, configuration=cfg, create_protocol=H3Server, retry=args.retry)
    log("server: listening on udp %s:%d (retry %s, alpn %s)" % (args.addr, args.port, args.retry, args.alpn))
    try:
        for _ in range(args.conns):
            await H3Server.ended.get()
    finally:
        srv.close()
    return 0


# --------------------------------------------------------------------------------------------
class H3Client(QuicConnectionProtocol):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self._h3 = H3Connection(self._quic)
        self._responses = {}

    def quic_event_received(self, event):
        if isinstance(event, ConnectionTerminated):
            log("client: connection ended: error 0x%x %r" % (event.error_code, event.reason_phrase))
        for ev in self._h3.handle_event(event):
            if isinstance(ev, (HeadersReceived, DataReceived)) and ev.stream_id in self._responses:
                fut, parts = self._responses[ev.stream_id]
                parts.append(ev)
                if ev.stream_ended and not fut.done():
                    fut.set_result(parts)

    async def get(self, authority, path="/"):
        sid = self._quic.get_next_available_stream_id()
        fut = asyncio.get_running_loop().create_future()
        self._responses[sid] = (fut, [])
        self._h3.send_headers(sid, [
            (b":method", b"GET"), (b":scheme", b"https"), (b":authority", authority.encode()),
            (b":path", path.encode()), (b"user-agent", b"tlscope-samples"),
        ], end_stream=True)
        self.transmit()
        return await fut


async def client(args):
    cfg = QuicConfiguration(is_client=True, alpn_protocols=args.alpn.split(","), server_name=args.sni)
    cfg.load_verify_locations(args.cafile)
    if args.version == 2:
        cfg.supported_versions = [QuicProtocolVersion.VERSION_2, QuicProtocolVersion.VERSION_1]
    else:
        cfg.supported_versions = [QuicProtocolVersion.VERSION_1]

    async def run():
        async with connect(args.host, args.port, configuration=cfg, create_protocol=H3Client,
                           local_port=args.local_port) as conn:
            log("client: connected, ALPN %s" % conn._quic.tls.alpn_negotiated)
            parts = await asyncio.wait_for(conn.get(args.sni), 10)
            status = [dict(p.headers).get(b":status") for p in parts if isinstance(p, HeadersReceived)]
            body = b"".join(p.data for p in parts if isinstance(p, DataReceived))
            log("client: status %s, %d body bytes" % (status[0].decode() if status else "?", len(body)))
            return 0

    try:
        return await bounded(run(), args)
    except ConnectionError as e:
        log("client: connection failed:", e or type(e).__name__)
        return 1


async def bounded(coro, args):
    """Run the client; give up when it has not got its response after --give-up s."""
    loop = asyncio.get_running_loop()
    # after a give-up, aioquic's handshake waiter ends with a ConnectionError nobody awaits
    loop.set_exception_handler(lambda lp, ctx: None if isinstance(ctx.get("exception"), ConnectionError)
                               else lp.default_exception_handler(ctx))
    task = asyncio.ensure_future(coro)
    done, _ = await asyncio.wait({task}, timeout=args.give_up)
    if task in done:
        return task.result()
    # still in the handshake (or the request): give up like a browser falling back to TCP
    task.cancel()
    try:
        await asyncio.wait_for(task, 5)
    except (asyncio.CancelledError, asyncio.TimeoutError, ConnectionError):
        pass
    log("client: no QUIC connection after %.1f s, giving up" % args.give_up)
    return 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    s.add_argument("cert")
    s.add_argument("key")
    s.add_argument("--retry", action="store_true")
    s.add_argument("--alpn", default="h3")
    s.add_argument("--conns", type=int, default=1)
    s.add_argument("--timeout", type=float, default=20)
    c = sub.add_parser("client")
    c.add_argument("host")
    c.add_argument("port", type=int)
    c.add_argument("sni")
    c.add_argument("cafile")
    c.add_argument("--local-port", type=int, default=0)
    c.add_argument("--version", type=int, choices=(1, 2), default=1)
    c.add_argument("--alpn", default="h3")
    c.add_argument("--give-up", type=float, default=5)
    args = p.parse_args()
    if args.mode == "server":
        try:
            return asyncio.run(asyncio.wait_for(server(args), args.timeout))
        except asyncio.TimeoutError:
            log("server: timeout after %.0f s" % args.timeout)
            return 1
    return asyncio.run(client(args))


if __name__ == "__main__":
    sys.exit(main())
