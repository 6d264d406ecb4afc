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

Every connection is served in its own thread; nothing runs longer than
HOLD_S seconds. The process exits on SIGTERM/SIGINT.
"""
import socket
import sys
import threading
import time

HOLD_S = 60          # upper bound for any connection
READ_TIMEOUT_S = 10  # upper bound for waiting on a request


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


def serve_ok(conn):
    rest = b""
    for _ in range(100):  # bounded number of requests per connection
        head, rest = read_head(conn, rest)
        if head is None:
            return
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        path = parts[1] if len(parts) > 1 else "/"
        body = ("<html><body>gw502 lab upstream: ok, you asked for %s</body></html>\n"
                % path).encode()
        closing = b"connection: close" in head.lower()
        hdr = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
               "Content-Length: %d\r\nConnection: %s\r\n\r\n"
               % (len(body), "close" if closing else "keep-alive")).encode()
        conn.sendall(hdr + body)
        if closing:
            return


def serve_nostatus(conn):
    head, _ = read_head(conn)
    if head is None:
        return
    conn.sendall(b"<html><head><title>fw4</title></head>"
                 b"<body>this reply has no HTTP status line</body></html>\n")
    time.sleep(0.2)


def serve_silent(conn):
    head, _ = read_head(conn)
    if head is None:
        return
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


MODES = {"ok": serve_ok, "nostatus": serve_nostatus,
         "silent": serve_silent, "close": serve_close}


def handle(fn, conn):
    try:
        fn(conn)
    except OSError:
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
