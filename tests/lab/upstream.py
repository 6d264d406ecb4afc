#!/usr/bin/env python3
"""Tiny upstream servers for the gw502tui capture lab (stdlib only).

usage: upstream.py MODE ADDR PORT [PORT ...]

MODE
  ok        HTTP/1.1 server: keep-alive, Content-Length, 200 for every GET
  nostatus  reads the request, answers raw "<html>...</html>" (no status
            line, no headers) and closes
  silent    accepts, reads the request, never answers (holds the connection
            until the peer closes it, at most HOLD_S seconds)
  close     accepts, reads the request, closes without sending a byte
  status502 / status503
            answers every request with that status itself (a whole
            response, Connection: close) and closes
  late502   answers 502 (Content-Length, Connection: close), then 50 ms
            later sends a few more bytes: the gateway has closed its socket
            by then, so its kernel answers them with an RST (an RST from
            the gateway's side of the upstream connection)
  bighead   HTTP/1.1 keep-alive server whose 200 to a request for
            /hN/... has a head of exactly N bytes (Set-Cookie lines of
            at most 1000 bytes) and the body "ok": a head bigger than a
            proxy reads (nginx: 4 KB by default, squid: 64 KB)
  badchunk  HTTP/1.1 keep-alive server whose 200 is chunked and whose
            first chunk-size line has no size ("zz"): a body no proxy can
            frame (nginx: "upstream sent invalid chunked response")
  oddhead   HTTP/1.1 server whose reply to /NAME/... is the head ODD[NAME]
            (below): a status outside 100-599, a field line without a
            colon, a space before the colon, a folded line, two
            Content-Lengths that differ, one that is not a number, both
            Content-Length and Transfer-Encoding, a coding other than
            chunked, HTTP/2.0, lines ended by LF alone, no reason phrase,
            an empty line before the status line, a body shorter than its
            Content-Length: replies RFC 9112 calls invalid, or odd, which
            proxies refuse (or repair) each its own way; /ok/ a valid one.
            One reply a connection, said (Connection: close)
  pooljunk  on each connection, the first request gets 200 (keep-alive), the
            second a reply without a status line, and the connection is
            closed: a proxy's pooled connection that goes bad
  bypath    HTTP/1.1 keep-alive server whose answer each request's path
            decides, as an application behind a load balancer fails on some
            pages: a path ending /junk gets a reply without a status line
            (then the close), /close a close without a byte, /slow
            nothing (held as silent), /err the application's own 502
            (keep-alive); any other path 200
  once      the first request this process sees gets 200 on a keep-alive
            connection; every later request is read and the connection
            closed without a byte (an upstream dropping a pooled connection
            just as the gateway reuses it, made deterministic)

Every connection is served in its own thread; nothing runs longer than
HOLD_S seconds. The process exits on SIGTERM/SIGINT. UPSTREAM_THINK_S in
the environment: each connection is served that many seconds after it
was accepted (a backend slow to answer: a caching proxy's crowd meets
in its waiting list while the one fetch waits). UPSTREAM_TLS="CERT KEY"
in the environment: every connection speaks TLS (a backend of a proxy
with proxy_pass https://), its handshake first, then the mode.
"""
import os
import socket
import ssl
import sys
import threading
import time

HOLD_S = 60          # upper bound for any connection
THINK_S = min(float(os.environ.get("UPSTREAM_THINK_S", "0")), HOLD_S)
READ_TIMEOUT_S = 10  # upper bound for waiting on a request


def tls_context():
    """The server context UPSTREAM_TLS asks for, or None."""
    spec = os.environ.get("UPSTREAM_TLS", "").split()
    if not spec:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(spec[0], spec[1])
    return ctx


TLS = tls_context()


def read_head(conn, buf=b""):
    """Read until the end of an HTTP request head; return (head, rest) or (None, b"")."""
    deadline = time.monotonic() + READ_TIMEOUT_S
    while b"\r\n\r\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or len(buf) > 65536:
            return None, b""
        conn.settimeout(left)
        try:
            chunk = conn.recv(4096)
        except OSError:
            return None, b""
        if not chunk:
            return None, b""
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head, rest


def requests_on(conn):
    """Each request head on a keep-alive connection in turn (at most 100)."""
    rest = b""
    for _ in range(100):
        head, rest = read_head(conn, rest)
        if head is None:
            return
        yield head


def keep_alive(conn, body_for):
    """HTTP/1.1 with keep-alive: 200 with body_for(head) for each request,
    or, when body_for returns None, close without a byte."""
    for head in requests_on(conn):
        body = body_for(head)
        if body is None:
            return      # the caller closes: no byte for this request
        closing = b"connection: close" in head.lower()
        hdr = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
               "Content-Length: %d\r\nConnection: %s\r\n\r\n"
               % (len(body), "close" if closing else "keep-alive")).encode()
        conn.sendall(hdr + body)
        if closing:
            return


def ok_body(head):
    parts = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
    path = parts[1] if len(parts) > 1 else "/"
    return ("<html><body>gw502 lab upstream: ok, you asked for %s</body></html>\n"
            % path).encode()


def serve_ok(conn):
    keep_alive(conn, ok_body)


def serve_nostatus(conn):
    head, _ = read_head(conn)
    if head is None:
        return
    conn.sendall(b"<html><head><title>fw4</title></head>"
                 b"<body>this reply has no HTTP status line</body></html>\n")
    time.sleep(0.2)


def serve_silent(conn):
    head, _ = read_head(conn)
    if head is not None:
        serve_silent_rest(conn)


def serve_silent_rest(conn):
    """Hold the connection without a byte until the peer closes it."""
    deadline = time.monotonic() + HOLD_S
    while time.monotonic() < deadline:
        conn.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            if not conn.recv(4096):
                return      # peer closed
        except socket.timeout:
            return
        except OSError:
            return


def serve_close(conn):
    read_head(conn)


def answer_status(conn, code, reason):
    head, _ = read_head(conn)
    if head is None:
        return False
    body = ("<html><body>%d %s from the upstream itself</body></html>\n"
            % (code, reason)).encode()
    conn.sendall(("HTTP/1.1 %d %s\r\nContent-Type: text/html\r\n"
                  "Content-Length: %d\r\nConnection: close\r\n\r\n"
                  % (code, reason, len(body))).encode() + body)
    return True


def serve_status502(conn):
    answer_status(conn, 502, "Bad Gateway")


def serve_status503(conn):
    answer_status(conn, 503, "Service Unavailable")


def serve_late502(conn):
    if answer_status(conn, 502, "Bad Gateway"):
        time.sleep(0.05)
        conn.sendall(b"late bytes after the response\r\n")
        time.sleep(0.2)


ONCE = {"served": False, "lock": threading.Lock()}


def once_body(head):
    with ONCE["lock"]:
        first_ever, ONCE["served"] = not ONCE["served"], True
    return b"<html><body>gw502 lab upstream: first request</body></html>\n" \
        if first_ever else None


def serve_once(conn):
    keep_alive(conn, once_body)


def serve_pooljunk(conn):
    head, rest = read_head(conn)
    if head is None:
        return
    body = ok_body(head)
    conn.sendall(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                  "Content-Length: %d\r\nConnection: keep-alive\r\n\r\n"
                  % len(body)).encode() + body)
    head, _ = read_head(conn, rest)
    if head is None:
        return
    conn.sendall(b"<html><head><title>pooled</title></head>"
                 b"<body>this reply has no HTTP status line</body></html>\n")
    time.sleep(0.2)


def serve_bypath(conn):
    for head in requests_on(conn):
        path = head.split(b"\r\n", 1)[0].split(b" ")[1:2] or [b"/"]
        kind = path[0].rsplit(b"/", 1)[-1]
        if kind == b"junk":
            conn.sendall(b"<html><body>no status line</body></html>\n")
            time.sleep(0.2)
            return
        if kind == b"close":
            return
        if kind == b"slow":
            serve_silent_rest(conn)
            return
        code, reason = (502, "Bad Gateway") if kind == b"err" else (200, "OK")
        body = ok_body(head)
        conn.sendall(("HTTP/1.1 %d %s\r\nContent-Type: text/html\r\n"
                      "Content-Length: %d\r\nConnection: keep-alive\r\n\r\n"
                      % (code, reason, len(body))).encode() + body)


def big_head(n):
    """A 200 head of exactly n bytes (n >= 64) for a 2-byte body."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
    while len(head) < n - 2:
        room = n - 2 - len(head)
        line = min(room, 1000)
        if line < 16:          # too short for a field: widen the last one
            head = head[:-2] + b"x" * room + b"\r\n"
            break
        head += b"Set-Cookie: c=" + b"x" * (line - 16) + b"\r\n"
    return head + b"\r\n"


def serve_bighead(conn):
    for head in requests_on(conn):
        path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
        path = path.split(b"://", 1)[-1]
        path = path[path.find(b"/"):] if b"/" in path else b"/"
        try:
            n = int(path.split(b"/")[1][1:]) if path.startswith(b"/h") else 200
        except ValueError:
            n = 200
        conn.sendall(big_head(max(64, min(n, 200000))) + b"ok")


def serve_badchunk(conn):
    head, _ = read_head(conn)
    if head is not None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"zz\r\nhello\r\n0\r\n\r\n")
        time.sleep(0.5)   # the proxy gives up first


def odd_reply(status, fields, body=b"ok", eol=b"\r\n", lead=b""):
    """A reply said to be the connection's last (Connection: close: no
    proxy sends the next request on it), its lines ended by eol."""
    lines = [status, b"Connection: close"] + fields
    return lead + eol.join(lines) + eol + eol + body


CL2 = b"Content-Length: 2"
OK200 = b"HTTP/1.1 200 OK"
ODD = {
    b"ok": odd_reply(OK200, [CL2]),
    b"s999": odd_reply(b"HTTP/1.1 999 Weird", [CL2]),
    b"nocolon": odd_reply(OK200, [CL2, b"NoColonHere"]),
    b"spacename": odd_reply(OK200, [b"Content-Length : 2"]),
    b"fold": odd_reply(OK200, [CL2, b"X-A: a", b" b"]),
    b"twocl": odd_reply(OK200, [CL2, b"Content-Length: 3"]),
    b"badcl": odd_reply(OK200, [b"Content-Length: two"]),
    b"clte": odd_reply(OK200, [CL2, b"Transfer-Encoding: chunked"],
                       b"2\r\nok\r\n0\r\n\r\n"),
    b"tegzip": odd_reply(OK200, [b"Transfer-Encoding: gzip"]),
    b"nul": odd_reply(OK200, [CL2, b"X-A: a\x00b"]),
    b"http2": odd_reply(b"HTTP/2.0 200 OK", [CL2]),
    b"lfonly": odd_reply(OK200, [CL2], eol=b"\n"),
    b"noreason": odd_reply(b"HTTP/1.1 200", [CL2]),
    b"leadcrlf": odd_reply(OK200, [CL2], lead=b"\r\n"),
    b"short": odd_reply(OK200, [b"Content-Length: 10"]),
}


def serve_oddhead(conn):
    head, _ = read_head(conn)
    if head is None:
        return
    path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
    path = path.split(b"://", 1)[-1]
    name = path.split(b"/")[1] if path.count(b"/") >= 1 else b""
    conn.sendall(ODD.get(name, ODD[b"ok"]))
    time.sleep(0.5)   # the proxy reads it all, gives up or answers first


MODES = {"ok": serve_ok, "nostatus": serve_nostatus,
         "silent": serve_silent, "close": serve_close,
         "status502": serve_status502, "status503": serve_status503,
         "late502": serve_late502, "once": serve_once,
         "pooljunk": serve_pooljunk, "bypath": serve_bypath,
         "bighead": serve_bighead, "badchunk": serve_badchunk,
         "oddhead": serve_oddhead}


def handle(fn, conn):
    try:
        if TLS is not None:
            conn.settimeout(READ_TIMEOUT_S)
            conn = TLS.wrap_socket(conn, server_side=True)
            conn.settimeout(None)
        if THINK_S > 0:
            time.sleep(THINK_S)
        fn(conn)
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def listener(fn, addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=handle, args=(fn, conn), daemon=True).start()


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in MODES:
        sys.stderr.write(__doc__)
        return 2
    fn, addr = MODES[sys.argv[1]], sys.argv[2]
    for p in sys.argv[3:]:
        threading.Thread(target=listener, args=(fn, addr, int(p)), daemon=True).start()
    print("upstream %s listening on %s ports %s" % (sys.argv[1], addr, " ".join(sys.argv[3:])),
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.exit(main())
