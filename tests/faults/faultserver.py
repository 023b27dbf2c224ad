#!/usr/bin/env python3
"""faultserver.py - a misbehaving /debug/pprof server for pproftop's
fault-injection tests (tests/sh/test_faults.sh).

Standard library only; listens on loopback only. It serves /debug/pprof/*
either by proxying a real Go service (--upstream HOST:PORT) or by failing in
the way the current mode says. The mode is set with --mode at start or at any
time with

    GET /__fault?mode=NAME[&upstream2=HOST:PORT][&only=RE][&spare=RE] -> "ok"

only=RE applies the fault only to request targets (path?query) matching the
Python regular expression RE, spare=RE never to those; the other requests are
proxied. Both are cleared by every /__fault call that does not give them.

Modes:
  proxy               forward to the upstream (status, type, X-Go-Pprof, body)
  slow                proxy after a delay of delay=SECONDS (default 0.5): an
                      expensive endpoint, for pproftop's spacing of slow ones
  random              200 with random bytes
  cut_text            the upstream's body (protobuf or debug=1 text) cut in half
  gzip_junk           200: a gzip header (1f 8b 08 00 ...) followed by junk
  short               Content-Length larger than the bytes sent, then close
  endless             200, chunked, never ends, a few bytes every 100 ms
  huge                Content-Length 2 GiB, bytes sent as fast as possible
  huge_chunked        chunked, no length, bytes sent as fast as possible
  silent              accepts and reads the request, never answers
  s500, s401          that status with a short text body
  s404                404 with X-Go-Pprof: 1 and "Unknown profile" (as Go)
  html_login          200 text/html: a login page
  reset               reads the request, then RST (SO_LINGER 0, close)
  redirect_loop       302 to the same URL, forever
  redirect_other_host 302 to http://127.0.0.2:PORT/same/path (also served
                      here, so headers that reach it are recorded)
  alternate           each /goroutine request (a poll's first; not the
                      ?debug=2 dump) flips between
                      proxy and 500; the other requests follow
  restart             proxy to the second upstream (upstream2: a fresh demo,
                      so cumulative counters drop)

Bookkeeping, for the test: every request (paths under /__ excluded) is
recorded with its host, path and header names; GET /__stats returns JSON with
the request counts per host and per mode, whether an Authorization header
reached each host, and max_overlap: the largest number of requests from the
client that were outstanding at once. A request is outstanding from the moment
its head is read until the server starts writing the final bytes of its
response, unless the client closed the connection first (a client that gave
up on a request). pproftop must never have two outstanding: max_overlap 1.
A client's close of one connection and its next request on another can reach
this server out of order (on a loaded machine the kernel may deliver the close
late), so a request seen outstanding beside a new one is counted only if its
client has not closed it within CLOSE_GRACE seconds; one that was answered in
that time still counts.
GET /__log returns the last requests as JSON; GET /__reset clears the stats.

Prints "listening on PORT" (127.0.0.1; 127.0.0.2 on the same port when that
address can be bound) and serves until SIGTERM/SIGINT.
"""

import argparse
import http.client
import json
import os
import re
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

MODES = (
    "proxy",
    "slow",
    "random",
    "cut_text",
    "gzip_junk",
    "short",
    "endless",
    "huge",
    "huge_chunked",
    "silent",
    "s500",
    "s404",
    "s401",
    "html_login",
    "reset",
    "redirect_loop",
    "redirect_other_host",
    "alternate",
    "restart",
)

MAX_HEAD = 64 * 1024
IDLE_TIMEOUT = 30.0  # keep-alive connections idle longer than this are closed
HANG_LIMIT = 120.0  # silent/endless give up after this long anyway
LOG_KEEP = 2000
CLOSE_GRACE = 0.5  # seconds a client's close may lag its next request

LOGIN_PAGE = b"""<!DOCTYPE html>
<html><head><title>Sign in</title></head>
<body><h1>Sign in to continue</h1>
<form method="post" action="/login">
<label>User <input name="user"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button>
</form></body></html>
"""


class State:
    def __init__(self, upstream, upstream2, mode, port_holder):
        self.lock = threading.Lock()
        self.upstream = upstream
        self.upstream2 = upstream2
        self.mode = mode
        self.only = None
        self.spare = None
        self.port_holder = port_holder
        self.alt_bad = False
        self.delay = 0.5
        self.conns = set()
        self.checks = []  # overlap checks still in their grace time
        self.reset_stats()

    def reset_stats(self):
        self.generation = getattr(self, "generation", 0) + 1  # checks pending count no more
        self.max_overlap = 0
        self.overlaps = []  # descriptions of the first overlaps seen
        self.nreq = 0
        self.by_host = {}
        self.by_mode = {}
        self.log = []

    def count_overlap(self, generation, target, others):
        """Count a request seen beside others outstanding, once the grace
        time has shown which of them the client had closed (lock not held)."""
        others = [(c, path) for c, path in others if not c.client_closed()]
        n = 1 + len(others)
        with self.lock:
            if generation != self.generation:
                return
            if n > self.max_overlap:
                self.max_overlap = n
            if n > 1 and len(self.overlaps) < 10:
                self.overlaps.append({"path": target, "mode": self.mode, "with": [p for _, p in others]})

    def stats(self):
        with self.lock:
            checks, self.checks = self.checks, []
        for t in checks:
            t.join()
        with self.lock:
            return {
                "mode": self.mode,
                "requests": self.nreq,
                "max_overlap": self.max_overlap,
                "overlaps": self.overlaps[:10],
                "by_host": self.by_host,
                "by_mode": self.by_mode,
                "open_connections": len(self.conns),
            }


class Conn:
    """One client connection's request state (for the overlap count)."""

    def __init__(self, sock, host):
        self.sock = sock
        self.host = host
        self.outstanding = False
        self.path = ""

    def client_closed(self):
        """True when the client has closed (FIN or RST) its side."""
        try:
            p = select.poll()
            p.register(self.sock, select.POLLIN | select.POLLRDHUP)
            ev = p.poll(0)
        except (OSError, ValueError):
            return True
        if not ev:
            return False
        flags = ev[0][1]
        if flags & (select.POLLRDHUP | select.POLLHUP | select.POLLERR | select.POLLNVAL):
            return True
        try:
            data = self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except OSError:
            return True
        return data == b""


class ClientGone(Exception):
    pass


def read_head(sock, buf):
    """Read one request head; returns (head bytes, rest) or (None, b'') at EOF."""
    deadline = time.monotonic() + IDLE_TIMEOUT
    while b"\r\n\r\n" not in buf:
        if len(buf) > MAX_HEAD:
            return None, b""
        left = deadline - time.monotonic()
        if left <= 0:
            return None, b""
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, OSError):
            return None, b""
        if not chunk:
            return None, b""
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head, rest


def parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise ValueError("bad request line")
    method, target, version = parts
    headers = []
    for line in lines[1:]:
        if ":" not in line:
            continue
        k, v = line.split(":", 1)
        headers.append((k.strip(), v.strip()))
    return method, target, version, headers


def response_head(status, reason, headers, keep_alive=True):
    out = ["HTTP/1.1 %d %s" % (status, reason)]
    for k, v in headers:
        out.append("%s: %s" % (k, v))
    out.append("Connection: %s" % ("keep-alive" if keep_alive else "close"))
    out.append("Date: %s" % time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()))
    return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")


def fetch_upstream(addr, target):
    """(status, reason, headers to forward, body) from a Go service."""
    if not addr:
        return 502, "Bad Gateway", [("Content-Type", "text/plain")], b"faultserver: no upstream\n"
    host, _, port = addr.rpartition(":")
    try:
        c = http.client.HTTPConnection(host, int(port), timeout=20)
        c.request("GET", target, headers={"Accept-Encoding": "identity"})
        r = c.getresponse()
        body = r.read()
        fwd = []
        for k in ("Content-Type", "X-Go-Pprof", "Content-Disposition"):
            v = r.getheader(k)
            if v is not None:
                fwd.append((k, v))
        status, reason = r.status, r.reason
        c.close()
        return status, reason, fwd, body
    except (OSError, http.client.HTTPException) as e:
        msg = "faultserver: upstream %s: %s\n" % (addr, e)
        return 502, "Bad Gateway", [("Content-Type", "text/plain")], msg.encode()


class Handler(socketserver.BaseRequestHandler):
    state = None  # set on the class by main()

    def setup(self):
        self.sock = self.request
        self.host = self.sock.getsockname()[0]
        self.conn = Conn(self.sock, self.host)
        with self.state.lock:
            self.state.conns.add(self.conn)

    def finish(self):
        with self.state.lock:
            self.state.conns.discard(self.conn)

    # -- helpers -------------------------------------------------------------

    def complete(self):
        """The final bytes of the response are about to be written."""
        self.conn.outstanding = False

    def send(self, data):
        try:
            self.sock.settimeout(30)
            self.sock.sendall(data)
        except OSError:
            raise ClientGone()

    def send_full(self, status, reason, headers, body, keep_alive=True):
        hdrs = list(headers) + [("Content-Length", str(len(body)))]
        data = response_head(status, reason, hdrs, keep_alive) + body
        self.complete()
        self.send(data)
        return keep_alive

    def wait_or_gone(self, seconds):
        """Sleep, but raise ClientGone as soon as the client closes."""
        end = time.monotonic() + seconds
        while True:
            if self.conn.client_closed():
                raise ClientGone()
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.05))

    # -- the connection loop --------------------------------------------------

    def handle(self):
        buf = b""
        while True:
            head, buf = read_head(self.sock, buf)
            if head is None:
                return
            try:
                method, target, version, headers = parse_head(head)
            except (ValueError, UnicodeDecodeError):
                self.send_full(400, "Bad Request", [("Content-Type", "text/plain")], b"bad request\n", False)
                return
            clen = 0
            for k, v in headers:
                if k.lower() == "content-length" and v.isdigit():
                    clen = int(v)
            while len(buf) < clen:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buf += chunk
            buf = buf[clen:]
            try:
                if target.startswith("/__"):
                    keep = self.control(target)
                else:
                    keep = self.serve(method, target, headers)
            except ClientGone:
                return
            finally:
                self.conn.outstanding = False
            if not keep:
                return

    def control(self, target):
        st = self.state
        u = urllib.parse.urlsplit(target)
        q = urllib.parse.parse_qs(u.query)
        ct = [("Content-Type", "application/json")]
        if u.path == "/__fault":
            mode = q.get("mode", [""])[0]
            if mode not in MODES:
                return self.send_full(400, "Bad Request", [("Content-Type", "text/plain")], b"unknown mode\n")
            try:
                only = re.compile(q["only"][0]) if "only" in q else None
                spare = re.compile(q["spare"][0]) if "spare" in q else None
            except re.error:
                return self.send_full(400, "Bad Request", [("Content-Type", "text/plain")], b"bad regex\n")
            with st.lock:
                st.mode = mode
                st.only = only
                st.spare = spare
                if "upstream2" in q:
                    st.upstream2 = q["upstream2"][0]
                if "delay" in q:
                    st.delay = float(q["delay"][0])
            return self.send_full(200, "OK", [("Content-Type", "text/plain")], b"ok\n")
        if u.path == "/__stats":
            return self.send_full(200, "OK", ct, json.dumps(st.stats(), sort_keys=True).encode() + b"\n")
        if u.path == "/__log":
            with st.lock:
                data = json.dumps(st.log[-500:]).encode() + b"\n"
            return self.send_full(200, "OK", ct, data)
        if u.path == "/__reset":
            with st.lock:
                st.reset_stats()
            return self.send_full(200, "OK", [("Content-Type", "text/plain")], b"ok\n")
        return self.send_full(404, "Not Found", [("Content-Type", "text/plain")], b"no such control\n")

    def record(self, target, headers):
        """Count the request and its overlap with others; returns the mode."""
        st = self.state
        with st.lock:
            others = [
                c
                for c in st.conns
                if c is not self.conn and c.outstanding and not c.client_closed()
            ]
            self.conn.outstanding = True
            self.conn.path = target
            if others:
                # the paths now: a connection may carry another request later
                seen = [(c, c.path) for c in others]
                t = threading.Timer(CLOSE_GRACE, st.count_overlap, (st.generation, target, seen))
                t.daemon = True
                st.checks.append(t)
                t.start()
            elif st.max_overlap < 1:
                st.max_overlap = 1
            st.nreq += 1
            h = st.by_host.setdefault(self.host, {"requests": 0, "authorization": 0, "secret_in_headers": 0})
            h["requests"] += 1
            for k, v in headers:
                if k.lower() == "authorization":
                    h["authorization"] += 1
                if "SECRET" in v:
                    h["secret_in_headers"] += 1
            mode = st.mode
            if (st.only is not None and not st.only.search(target)) or (
                st.spare is not None and st.spare.search(target)
            ):
                mode = "proxy"
            st.by_mode[mode] = st.by_mode.get(mode, 0) + 1
            st.log.append(
                {
                    "t": round(time.time(), 3),
                    "host": self.host,
                    "path": target,
                    "mode": mode,
                    "headers": [k for k, _ in headers],
                    "overlap": 1 + len(others),
                }
            )
            if len(st.log) > LOG_KEEP:
                del st.log[: len(st.log) - LOG_KEEP]
            # the poll's goroutine profile (protobuf or debug=1), not the dump
            if mode == "alternate" and urllib.parse.urlsplit(target).path.endswith("/goroutine") \
                    and "debug=2" not in target:
                st.alt_bad = not st.alt_bad
            alt_bad = st.alt_bad
        return mode, alt_bad

    def serve(self, method, target, headers):
        st = self.state
        mode, alt_bad = self.record(target, headers)
        if self.host != "127.0.0.1":
            # the "other host" of redirect_other_host: serve normally
            mode = "proxy"
        if mode == "alternate":
            mode = "s500" if alt_bad else "proxy"
        text = [("Content-Type", "text/plain; charset=utf-8")]

        if mode in ("proxy", "slow"):
            if mode == "slow":
                time.sleep(st.delay)
            s, r, h, body = fetch_upstream(st.upstream, target)
            return self.send_full(s, r, h, body)
        if mode == "restart":
            s, r, h, body = fetch_upstream(st.upstream2, target)
            return self.send_full(s, r, h, body)
        if mode == "random":
            n = 1 + int.from_bytes(os.urandom(2), "little")
            return self.send_full(200, "OK", [("Content-Type", "application/octet-stream")], os.urandom(n))
        if mode == "cut_text":
            s, r, h, body = fetch_upstream(st.upstream, target)
            cut = body[: max(1, len(body) // 2)]
            return self.send_full(s, r, h, cut)
        if mode == "gzip_junk":
            body = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + os.urandom(4096)
            return self.send_full(200, "OK", [("Content-Type", "application/octet-stream")], body)
        if mode == "short":
            s, r, h, body = fetch_upstream(st.upstream, target)
            part = body[: max(1, len(body) // 2)]
            hdrs = h + [("Content-Length", str(len(body) + 100000))]
            self.complete()
            self.send(response_head(200, "OK", hdrs, False) + part)
            self.sock.shutdown(socket.SHUT_WR)
            return False
        if mode == "endless":
            hdrs = [("Content-Type", "application/octet-stream"), ("Transfer-Encoding", "chunked")]
            self.send(response_head(200, "OK", hdrs))
            end = time.monotonic() + HANG_LIMIT
            while time.monotonic() < end:
                self.send(b"10\r\n" + b"endless endless\n" + b"\r\n")
                self.wait_or_gone(0.1)
            return False
        if mode == "huge":
            hdrs = [("Content-Type", "application/octet-stream"), ("Content-Length", str(2 << 30))]
            self.send(response_head(200, "OK", hdrs))
            block = os.urandom(65536)
            sent = 0
            while sent < (2 << 30):
                self.send(block)
                sent += len(block)
            return False
        if mode == "huge_chunked":
            hdrs = [("Content-Type", "application/octet-stream"), ("Transfer-Encoding", "chunked")]
            self.send(response_head(200, "OK", hdrs))
            block = os.urandom(65536)
            chunk = b"%x\r\n" % len(block) + block + b"\r\n"
            for _ in range((2 << 30) // len(block)):
                self.send(chunk)
            return False
        if mode == "silent":
            self.wait_or_gone(HANG_LIMIT)
            return False
        if mode == "s500":
            return self.send_full(500, "Internal Server Error", text, b"fault injected: internal error\n")
        if mode == "s404":
            return self.send_full(
                404,
                "Not Found",
                text + [("X-Go-Pprof", "1"), ("X-Content-Type-Options", "nosniff")],
                b"Unknown profile\n",
            )
        if mode == "s401":
            return self.send_full(
                401, "Unauthorized", text + [("WWW-Authenticate", 'Bearer realm="pprof"')], b"Unauthorized\n"
            )
        if mode == "html_login":
            return self.send_full(200, "OK", [("Content-Type", "text/html; charset=utf-8")], LOGIN_PAGE)
        if mode == "reset":
            self.complete()
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.close()
            return False
        if mode == "redirect_loop":
            return self.send_full(302, "Found", text + [("Location", target)], b"")
        if mode == "redirect_other_host":
            loc = "http://127.0.0.2:%d%s" % (self.state.port_holder[0], target)
            return self.send_full(302, "Found", text + [("Location", loc)], b"")
        return self.send_full(500, "Internal Server Error", text, b"faultserver: unknown mode\n")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # a client that went away mid-response is expected here
        exc = sys.exc_info()[1]
        if isinstance(exc, (ClientGone, OSError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream", default="", help="HOST:PORT of the Go service to proxy")
    ap.add_argument("--upstream2", default="", help="HOST:PORT of a second (restarted) service")
    ap.add_argument("--mode", default="proxy", choices=MODES)
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    args = ap.parse_args()

    port_holder = [0]
    Handler.state = State(args.upstream, args.upstream2, args.mode, port_holder)
    main_srv = Server(("127.0.0.1", args.port), Handler)
    port = main_srv.server_address[1]
    port_holder[0] = port
    servers = [main_srv]
    try:
        servers.append(Server(("127.0.0.2", port), Handler))
    except OSError as e:
        print("faultserver: cannot listen on 127.0.0.2:%d: %s" % (port, e), file=sys.stderr)

    def stop(signum, frame):
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("listening on %d" % port, flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
