#!/usr/bin/env python3
"""Send one `CONNECT host:port HTTP/1.1` to a proxy, print "local_ip local_port status".

usage: connect.py PROXY_ADDR PROXY_PORT TARGET(host:port) [MAX_SECONDS [tls]]
status is '-' when the proxy sent no response head before MAX_SECONDS (default 30).
The tunnel (if any) is closed right after the response head: no bytes are sent
in it. With "tls", a 2xx tunnel is used as a browser would: a TLS handshake
(ClientHello for the target's name) until the proxy answers or closes the
tunnel, within MAX_SECONDS (a proxy that connects upstream only once the
client speaks, mitmproxy's lazy strategy, tries the upstream then).
"""
import socket
import ssl
import sys
import time


def tls_handshake(s, host, deadline):
    """A ClientHello in the tunnel; returns when the proxy answered or left."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s.settimeout(max(0.05, deadline - time.monotonic()))
    try:
        ctx.wrap_socket(s, server_hostname=host, do_handshake_on_connect=True).close()
    except (OSError, ssl.SSLError, ValueError):
        pass    # refused, reset, closed: what the lab records


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    paddr, pport, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    max_s = float(sys.argv[4]) if len(sys.argv) > 4 else 30.0
    tls = len(sys.argv) > 5 and sys.argv[5] == "tls"
    fam = socket.AF_INET6 if ":" in paddr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(max_s)
    s.connect((paddr, pport))
    lip, lport = s.getsockname()[:2]
    s.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n"
               "User-Agent: gw502lab-connect/1\r\n\r\n" % (target, target)).encode())
    buf, status = b"", "-"
    deadline = time.monotonic() + max_s
    while b"\r\n\r\n" not in buf and time.monotonic() < deadline and len(buf) < 65536:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = s.recv(4096)
        except (socket.timeout, OSError):
            break
        if not chunk:
            break
        buf += chunk
    first = buf.split(b"\r\n", 1)[0].split(b" ")
    if len(first) >= 2 and first[0].startswith(b"HTTP/") and first[1].isdigit():
        status = first[1].decode()
    if tls and status.startswith("2"):
        tls_handshake(s, target.rsplit(":", 1)[0], deadline)
    else:
        time.sleep(0.1)
    s.close()
    print("%s %s %s" % (lip, lport, status), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
