#!/usr/bin/env python3
"""mkhostile.py: small synthetic captures an attacker could shape (issue 7).

Usage: mkhostile.py OUTDIR     writes into OUTDIR:

  hostile-esc.pcap      a client asks the proxy (port 9090) for a URL full of
                        C1 codes and invalid UTF-8, the gateway resolves it
                        (a CNAME whose label holds ESC), connects, and the
                        upstream answers terminal escape sequences (ESC ]0;
                        title, ESC [2J clear, 8-bit CSI, invalid UTF-8)
                        instead of a status line: 502, bad-response.
                        A second client sends the literal request line
                        GET http://evil.test/<ESC>]0;pwned<BEL><ESC>[2J
                        HTTP/1.1 (not valid HTTP: control bytes in the
                        target) and gets a 502 too.
  hostile-dnsloop.pcap  the gateway's DNS answers for loop.test carry
                        compression pointer loops (a pointer to itself, a
                        two-pointer cycle, a loop in the question name and
                        a chain of more jumps than allowed): 502.
  hostile-bighead.pcap  a request with a 1 MiB header line, sent in 1400-byte
                        TCP segments, answered 400 ... and a normal request
                        after it on another connection, answered 502.

Usage: mkhostile.py --shape SHAPE --count N -o FILE
       mkhostile.py --list-shapes   (one name a line)
                               one capture of a shape of issue 13, its frames
                               linear in N; prints how many frames it wrote:

  synless      N one-byte segments, each on its own connection whose SYN the
               capture never saw (F1)
  synless-ooo  the same, each connection's byte followed by one out-of-order
               byte (F1)
  synless-head the same, each connection starting an HTTP head it never
               finishes (F1)
  syn          N SYNs from the gateway to new upstream ports (F2)
  dns-sameid   N queries with the same id and port, then their answers,
               oldest first (F3)
  dns-junk     N queries with the same id and port, then N answers that
               match none of them (F3)
  pipeline     N requests pipelined on one upstream connection, then the N
               responses (F4)
  onehost      N client requests for one host through the proxy, each with
               its own DNS look-up, answered 502 (F4)
  retries      N requests to a reverse proxy (origin form) one after
               another, each tried four times on new sockets half a second
               apart on a server that drops SYNs, answered 503: every try's
               chain looks among thousands of others to one address

Python 3 standard library only. Ethernet link type, microsecond pcap.
"""
import os
import socket
import struct
import sys

GW, DNS_SRV = '10.0.0.1', '10.0.0.53'
SYN, ACK, FIN, PSH = 2, 16, 1, 8
ESC_URL = b'http://evil.test/\x1b]0;pwned\x07\x1b[2J'
# Valid as a request target (bytes > 0x20), hostile on a terminal:
# 8-bit CSI (0x9b), UTF-8 encoded C1 CSI/OSC (c2 9b, c2 9d), invalid UTF-8,
# and a right-to-left override.
C1_URL = b'http://evil.test/\x9b2J\xc2\x9d0;pwned\xc2\x9c/\xff\xfe\xe2\x80\xae'
UPSTREAM_REPLY = (b'\x1b]0;pwned\x07\x1b[2J\x1b[31m<html>\x9b1mHACKED\xc2\x9b0m'
                  b'\xff\xfe\xc0\xaf</html>\r\n')


def csum(b):
    b += b'\0' * (len(b) % 2)
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(src, dst, proto, pl):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(pl), 1, 0, 64, proto,
                    0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + pl


class Pcap:
    def __init__(self):
        self.frames = []

    def emit(self, t, pkt):
        self.frames.append((t, b'\2\0\0\0\0\2\2\0\0\0\0\1\x08\0' + pkt))

    def tcp(self, t, src, sp, dst, dp, seq, ack, fl, data=b''):
        self.emit(t, ip4(src, dst, 6, struct.pack(
            '!HHIIBBHHH', sp, dp, seq & 0xffffffff, ack & 0xffffffff, 0x50,
            fl, 65535, 0, 0) + data))

    def udp(self, t, src, sp, dst, dp, data):
        self.emit(t, ip4(src, dst, 17,
                         struct.pack('!HHHH', sp, dp, 8 + len(data), 0) + data))

    def write(self, path):
        with open(path, 'wb') as f:
            f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
            for t, fr in sorted(self.frames, key=lambda x: x[0]):
                sec = int(t)
                usec = int(round((t - sec) * 1e6))
                f.write(struct.pack('<IIII', sec, usec, len(fr), len(fr)) + fr)


class Conn:
    """One TCP connection; c opens it."""

    def __init__(self, cap, c, cp, s, sp):
        self.cap, self.c, self.cp, self.s, self.sp = cap, c, cp, s, sp
        self.cs, self.ss = 1000, 5000

    def handshake(self, t):
        cap = self.cap
        cap.tcp(t, self.c, self.cp, self.s, self.sp, self.cs, 0, SYN)
        cap.tcp(t + 1e-4, self.s, self.sp, self.c, self.cp, self.ss,
                self.cs + 1, SYN | ACK)
        self.cs += 1
        self.ss += 1
        cap.tcp(t + 2e-4, self.c, self.cp, self.s, self.sp, self.cs, self.ss,
                ACK)

    def send(self, t, data, seg=1400, gap=1e-5):
        """Client → server, cut into segments of at most seg bytes."""
        for i in range(0, len(data), seg):
            part = data[i:i + seg]
            self.cap.tcp(t, self.c, self.cp, self.s, self.sp, self.cs,
                         self.ss, PSH | ACK, part)
            self.cs += len(part)
            t += gap
        return t

    def reply(self, t, data):
        self.cap.tcp(t, self.s, self.sp, self.c, self.cp, self.ss, self.cs,
                     PSH | ACK, data)
        self.ss += len(data)

    def close(self, t):
        self.cap.tcp(t, self.s, self.sp, self.c, self.cp, self.ss, self.cs,
                     FIN | ACK)
        self.ss += 1
        self.cap.tcp(t + 1e-4, self.c, self.cp, self.s, self.sp, self.cs,
                     self.ss, FIN | ACK)
        self.cs += 1


def dname(n):
    if isinstance(n, str):
        n = n.encode()
    return b''.join(bytes([len(p)]) + p for p in n.split(b'.')) + b'\0'


def qmsg(qid, host):
    return struct.pack('!6H', qid, 0x0100, 1, 0, 0, 0) + dname(host) + \
        struct.pack('!HH', 1, 1)


def page502(body=b'<html>502 Bad Gateway</html>'):
    return (b'HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n'
            b'Content-Length: %d\r\nConnection: close\r\n\r\n' % len(body)
            + body)


def request(url, host, extra=b''):
    return (b'GET ' + url + b' HTTP/1.1\r\nHost: ' + host + b'\r\n' + extra +
            b'Accept: */*\r\n\r\n')


def hostile_esc(path):
    cap = Pcap()
    t = 1767225600.0
    cli = Conn(cap, '10.0.0.5', 50001, GW, 9090)
    cli.handshake(t)
    cli.send(t + 1e-3, request(C1_URL, b'evil.test',
                               b'X-Note: \x9b\xc2\x9b\xff\xfe\r\n'))
    # the gateway resolves evil.test: a CNAME to a label holding ESC
    q = qmsg(0x4242, 'evil.test')
    cap.udp(t + 0.010, GW, 40000, DNS_SRV, 53, q)
    evil = b'\x1b]0;pwned\x07\x1b[2j.evil.test'
    a = struct.pack('!6H', 0x4242, 0x8180, 1, 2, 0, 0) + q[12:]
    a += b'\xc0\x0c' + struct.pack('!HHIH', 5, 1, 60, len(dname(evil))) + \
        dname(evil)
    a += dname(evil) + struct.pack('!HHIH', 1, 1, 60, 4) + \
        socket.inet_aton('10.1.0.80')
    cap.udp(t + 0.011, DNS_SRV, 53, GW, 40000, a)
    up = Conn(cap, GW, 41000, '10.1.0.80', 80)
    up.handshake(t + 0.020)
    up.send(t + 0.021, request(C1_URL[len(b'http://evil.test'):],
                               b'evil.test'))
    up.reply(t + 0.030, UPSTREAM_REPLY)
    up.close(t + 0.031)
    cli.reply(t + 0.040, page502(b'<html>bad reply: ' + UPSTREAM_REPLY +
                                 b'</html>'))
    cli.close(t + 0.041)
    # the literal escape-sequence request line of issue 7
    cli2 = Conn(cap, '10.0.0.6', 50002, GW, 9090)
    cli2.handshake(t + 1.0)
    cli2.send(t + 1.001, request(ESC_URL, b'evil.test'))
    cli2.reply(t + 1.010, page502())
    cli2.close(t + 1.011)
    cap.write(path)


def hostile_dnsloop(path):
    cap = Pcap()
    t = 1767225700.0
    cli = Conn(cap, '10.0.0.5', 50011, GW, 9090)
    cli.handshake(t)
    cli.send(t + 1e-3, request(b'http://loop.test/', b'loop.test'))
    q = qmsg(0x5151, 'loop.test')
    qlen = len(q)
    # 1: the answer's owner name is a pointer to itself
    a1 = struct.pack('!6H', 0x5151, 0x8180, 1, 1, 0, 0) + q[12:]
    a1 += struct.pack('!BB', 0xc0 | (qlen >> 8), qlen & 0xff) + \
        struct.pack('!HHIH', 1, 1, 60, 4) + socket.inet_aton('10.1.0.81')
    # 2: two pointers pointing at each other
    a2 = struct.pack('!6H', 0x5152, 0x8180, 1, 1, 0, 0) + q[12:]
    a2 += struct.pack('!BBBB', 0xc0, qlen + 2, 0xc0, qlen) + \
        struct.pack('!HHIH', 1, 1, 60, 4) + socket.inet_aton('10.1.0.82')
    # 3: a loop inside the question name itself
    a3 = struct.pack('!6H', 0x5153, 0x8183, 1, 0, 0, 0) + \
        b'\x04loop\xc0\x0c' + struct.pack('!HH', 1, 1)
    # 4: a chain of 40 valid pointers (more jumps than allowed), placed
    # after the record and reached from its owner name
    a4 = struct.pack('!6H', 0x5154, 0x8180, 1, 1, 0, 0) + q[12:]
    start = len(a4) + 2 + 10 + 4
    a4 += struct.pack('!BB', 0xc0, start) + \
        struct.pack('!HHIH', 1, 1, 60, 4) + socket.inet_aton('10.1.0.84')
    for i in range(40):
        a4 += struct.pack('!BB', 0xc0, start + 2 * (i + 1) if i < 39 else 12)
    for i, (qid, ans) in enumerate(((0x5151, a1), (0x5152, a2),
                                    (0x5153, a3), (0x5154, a4))):
        qq = qmsg(qid, 'loop.test')
        cap.udp(t + 0.01 + i * 0.1, GW, 40010 + i, DNS_SRV, 53, qq)
        cap.udp(t + 0.011 + i * 0.1, DNS_SRV, 53, GW, 40010 + i, ans)
    cli.reply(t + 0.5, page502())
    cli.close(t + 0.501)
    cap.write(path)


def hostile_bighead(path):
    cap = Pcap()
    t = 1767225800.0
    cli = Conn(cap, '10.0.0.5', 50021, GW, 9090)
    cli.handshake(t)
    big = b'X-Big: ' + b'A' * (1 << 20) + b'\r\n'
    t2 = cli.send(t + 1e-3, request(b'http://big.test/', b'big.test', big))
    body = b'<html>431</html>'
    cli.reply(t2 + 0.01, b'HTTP/1.1 431 Request Header Fields Too Large\r\n'
              b'Content-Length: %d\r\nConnection: close\r\n\r\n' % len(body)
              + body)
    cli.close(t2 + 0.011)
    # a normal request afterwards still gets its diagnosis
    cli2 = Conn(cap, '10.0.0.6', 50022, GW, 9090)
    cli2.handshake(t2 + 1)
    cli2.send(t2 + 1.001, request(b'http://after.test/', b'after.test'))
    cli2.reply(t2 + 1.01, page502())
    cli2.close(t2 + 1.011)
    cap.write(path)


class Stream:
    """A pcap written as it is made (a shape of a million frames does not
    fit a list); frames come in time order, t in microseconds."""
    ETH = b'\2\0\0\0\0\2\2\0\0\0\0\1\x08\0'

    def __init__(self, path):
        self.f = open(path, 'wb')
        self.f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144,
                                 1))
        self.t = 1767225600 * 1000000
        self.count = 0

    def frame(self, src, dst, proto, l4):
        # no IP checksum: the tool never checks one, and it halves the time
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64,
                         proto, 0, src, dst)
        fr = self.ETH + ip + l4
        self.t += 10
        self.count += 1
        self.f.write(struct.pack('<IIII', self.t // 1000000,
                                 self.t % 1000000, len(fr), len(fr)) + fr)

    def tcp(self, src, sp, dst, dp, seq, ack, fl, data=b''):
        self.frame(src, dst, 6, struct.pack(
            '!HHIIBBHHH', sp, dp, seq & 0xffffffff, ack & 0xffffffff, 0x50,
            fl, 65535, 0, 0) + data)

    def udp(self, src, sp, dst, dp, data):
        self.frame(src, dst, 17,
                   struct.pack('!HHHH', sp, dp, 8 + len(data), 0) + data)

    def close(self):
        self.f.close()


def host4(i):
    """The i-th client address, 10.64.0.0/10: a million without repeats."""
    return struct.pack('!I', 0x0a400000 + i // 50000)


def shape_synless(cap, n, what):
    srv = socket.inet_aton('10.1.0.80')
    for i in range(n):
        cli, port = host4(i), 10000 + i % 50000
        if what == 'head':
            cap.tcp(cli, port, srv, 80, 1000, 1, PSH | ACK,
                    b'GET /%d HTTP/1.1\r\nHost: a.test\r\n' % i)
            continue
        cap.tcp(cli, port, srv, 80, 1000, 1, PSH | ACK, b'G')
        if what == 'ooo':
            cap.tcp(cli, port, srv, 80, 1010, 1, PSH | ACK, b'X')


def shape_syn(cap, n):
    gw = socket.inet_aton(GW)
    for i in range(n):
        cap.tcp(gw, 10000 + i % 50000, struct.pack('!I', 0x0a010000 + i //
                                                   50000), 1 + i % 65535,
                1000 + i, 0, SYN)


def shape_dns(cap, n, junk):
    gw, srv = socket.inet_aton(GW), socket.inet_aton(DNS_SRV)
    for i in range(n):
        cap.udp(gw, 40000, srv, 53, qmsg(0x4242, 'q%d.test' % i))
    for i in range(n):
        name = 'none%d.test' % i if junk else 'q%d.test' % i
        q = qmsg(0x4242, name)
        a = struct.pack('!6H', 0x4242, 0x8180, 1, 1, 0, 0) + q[12:]
        a += b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 60, 4) + \
            socket.inet_aton('10.1.0.80')
        cap.udp(srv, 53, gw, 40000, a)


def shape_pipeline(cap, n):
    """n clients ask the proxy for pipe.test/i; the gateway sends the n
    requests pipelined on one upstream connection, the upstream answers
    them in order (500), and each client gets its 502."""
    gw, up = socket.inet_aton(GW), socket.inet_aton('10.1.0.80')
    cs, ss = 1000, 5000
    for i in range(n):
        cli, port = host4(i), 10000 + i % 50000
        cap.tcp(cli, port, gw, 9090, cs, 0, SYN)
        cap.tcp(gw, 9090, cli, port, ss, cs + 1, SYN | ACK)
        cap.tcp(cli, port, gw, 9090, cs + 1, ss + 1, PSH | ACK,
                request(b'http://pipe.test/%d' % i, b'pipe.test'))
    cap.tcp(gw, 41000, up, 80, cs, 0, SYN)
    cap.tcp(up, 80, gw, 41000, ss, cs + 1, SYN | ACK)
    cs, ss = cs + 1, ss + 1
    for i in range(n):
        req = request(b'/%d' % i, b'pipe.test')
        cap.tcp(gw, 41000, up, 80, cs, ss, PSH | ACK, req)
        cs += len(req)
    resp = b'HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n'
    for i in range(n):
        cap.tcp(up, 80, gw, 41000, ss, cs, PSH | ACK, resp)
        ss += len(resp)
    for i in range(n):
        cli, port = host4(i), 10000 + i % 50000
        req = request(b'http://pipe.test/%d' % i, b'pipe.test')
        cap.tcp(gw, 9090, cli, port, 5001, 1001 + len(req),
                PSH | ACK | FIN, page502())


def shape_onehost(cap, n):
    gw, srv = socket.inet_aton(GW), socket.inet_aton(DNS_SRV)
    for i in range(n):
        cli, port = host4(i), 10000 + i % 50000
        c, s = 1000, 5000
        cap.tcp(cli, port, gw, 9090, c, 0, SYN)
        cap.tcp(gw, 9090, cli, port, s, c + 1, SYN | ACK)
        c, s = c + 1, s + 1
        req = request(b'http://one.test/%d' % i, b'one.test')
        cap.tcp(cli, port, gw, 9090, c, s, PSH | ACK, req)
        c += len(req)
        q = qmsg(i & 0xffff, 'one.test')
        cap.udp(gw, 40000 + i % 20000, srv, 53, q)
        cap.udp(srv, 53, gw, 40000 + i % 20000,
                struct.pack('!6H', i & 0xffff, 0x8183, 1, 0, 0, 0) + q[12:])
        cap.tcp(gw, 9090, cli, port, s, c, PSH | ACK | FIN, page502())
        cap.tcp(cli, port, gw, 9090, c, s + len(page502()) + 1, FIN | ACK)


def shape_retries(cap, n):
    """n clients, one after another (every 100 us), ask the
    reverse proxy for app.test/i in origin form; the gateway tries each
    at once on a server that drops SYNs, then three more times on new
    sockets half a second apart (HAProxy's retries), and answers 503:
    thousands of requests and their tries to one address interleave."""
    gw, srv = socket.inet_aton(GW), socket.inet_aton('10.1.0.94')
    # a step of 100 us (at most 8 frames, 10 us apart): a retry 5,010
    # steps (501 ms) on
    period, tries = 5010, 4
    page = b'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'
    start = cap.t
    for step in range(n + period * tries):
        i = step
        cap.t = start + 100 * step
        if i < n:
            cli, port = host4(i), 10000 + i % 50000
            req = request(b'/%d' % i, b'app.test')
            cap.tcp(cli, port, gw, 9090, 1000, 0, SYN)
            cap.tcp(gw, 9090, cli, port, 5000, 1001, SYN | ACK)
            cap.tcp(cli, port, gw, 9090, 1001, 5001, PSH | ACK, req)
        for k in range(tries):
            j = step - k * period
            if 0 <= j < n:
                cap.tcp(gw, 20000 + (j * tries + k) % 40000, srv, 8080,
                        7000 + j, 0, SYN)
        j = step - tries * period
        if 0 <= j < n:
            cli, port = host4(j), 10000 + j % 50000
            req = request(b'/%d' % j, b'app.test')
            cap.tcp(gw, 9090, cli, port, 5001, 1001 + len(req),
                    PSH | ACK | FIN, page)


SHAPES = {
    'synless': lambda cap, n: shape_synless(cap, n, ''),
    'synless-ooo': lambda cap, n: shape_synless(cap, n, 'ooo'),
    'synless-head': lambda cap, n: shape_synless(cap, n, 'head'),
    'syn': shape_syn,
    'dns-sameid': lambda cap, n: shape_dns(cap, n, False),
    'dns-junk': lambda cap, n: shape_dns(cap, n, True),
    'pipeline': shape_pipeline,
    'onehost': shape_onehost,
    'retries': shape_retries,
}


def shape_main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog='mkhostile.py')
    ap.add_argument('--shape', required=True, choices=sorted(SHAPES))
    ap.add_argument('--count', type=int, required=True)
    ap.add_argument('-o', dest='out', required=True)
    a = ap.parse_args(argv)
    if a.count < 1 or a.count > 4000000:
        ap.error('--count: 1 to 4000000')
    cap = Stream(a.out)
    SHAPES[a.shape](cap, a.count)
    cap.close()
    print(cap.count)	# frames written, for the benchmark's memory bound
    return 0


def main():
    if sys.argv[1:] == ['--list-shapes']:
        print('\n'.join(SHAPES))	# the benchmark's and its test's list
        return 0
    if len(sys.argv) > 1 and sys.argv[1].startswith('--'):
        return shape_main(sys.argv[1:])
    if len(sys.argv) != 2:
        sys.stderr.write('usage: mkhostile.py OUTDIR\n'
                         '       mkhostile.py --shape SHAPE --count N -o FILE\n'
                         '       mkhostile.py --list-shapes\n')
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    hostile_esc(os.path.join(out, 'hostile-esc.pcap'))
    hostile_dnsloop(os.path.join(out, 'hostile-dnsloop.pcap'))
    hostile_bighead(os.path.join(out, 'hostile-bighead.pcap'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
