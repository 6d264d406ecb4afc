#!/usr/bin/env python3
"""mksynth.py SHAPE OUT.pcap: tiny synthetic captures (raw IPv4) for the
file tests of issue 13.

  bidi  a proxy request (port 9090) whose URL carries bidi and format
        controls (U+202E, U+2066, U+200B, U+FEFF, U+061C, U+2028/2029),
        answered 502
  dns   a DNS query whose first label holds an ESC byte (a<ESC>b.test)
  longhead
        a proxy request (port 9090) that the gateway sends on in three
        segments with 2,500 frames of other traffic between each two
        (datagrams, and segments of another connection to the same
        upstream), answered without a status line; the gateway answers
        502; 5,000 more datagrams after (frames 1 ms apart)
  hugehead
        the same with 70,000 frames between each two segments, 10 us
        apart (a head spread over more frames than the screen's rows
        read again)
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff


def ip(src, dst, proto, payload):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0, 64,
                    proto, 0, bytes(src), bytes(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload


def tcp(src, dst, sp, dp, seq, ack, flags, data=b''):
    h = struct.pack('!HHIIBBHHH', sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ph = struct.pack('!4s4sBBH', bytes(src), bytes(dst), 0, 6, len(h) + len(data))
    h = h[:16] + struct.pack('!H', csum(ph + h + data)) + h[18:]
    return ip(src, dst, 6, h + data)


def bidi():
    c, g = [10, 0, 0, 1], [10, 0, 0, 2]
    url = 'http://a\u202eb\u2066c\u200bd\ufeffe\u061cf\u2028g\u2029h.test/'
    req = b'GET ' + url.encode() + b' HTTP/1.1\r\nHost: x.test\r\n\r\n'
    resp = b'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'
    return [tcp(c, g, 40000, 9090, 1000, 0, 0x02),
            tcp(g, c, 9090, 40000, 5000, 1001, 0x12),
            tcp(c, g, 40000, 9090, 1001, 5001, 0x10),
            tcp(c, g, 40000, 9090, 1001, 5001, 0x18, req),
            tcp(g, c, 9090, 40000, 5001, 1001 + len(req), 0x18, resp)]


def longhead(gap, step):
    c, g, u, o = [10, 0, 0, 1], [10, 0, 0, 2], [10, 0, 0, 80], [10, 0, 0, 99]
    req = b'GET http://up.test/x HTTP/1.1\r\nHost: up.test\r\n\r\n'
    head1, head2, head3 = b'GET /x HTTP/1.1\r\n', b'Host: up.test\r\n', \
        b'\r\n'
    sent = len(head1) + len(head2) + len(head3)
    junk = b'<html>no status line</html>\n'
    resp = b'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'
    other = ip(g, o, 17, struct.pack('!HHHH', 40001, 9999, 12, 0) + b'fill')
    # another connection of the gateway's to the upstream, acking along
    between = [other, tcp(g, u, 41001, 80, 1, 1, 0x10)] * (gap // 2)
    qd = b'\x02up\x04test\x00' + struct.pack('!HH', 1, 1)
    query = struct.pack('!HHHHHH', 0x4242, 0x0100, 1, 0, 0, 0) + qd
    answer = struct.pack('!HHHHHH', 0x4242, 0x8180, 1, 1, 0, 0) + qd + \
        struct.pack('!HHHIH', 0xc00c, 1, 1, 300, 4) + bytes(u)
    packets = ([tcp(c, g, 40000, 9090, 1000, 0, 0x02),
             tcp(g, c, 9090, 40000, 5000, 1001, 0x12),
             tcp(c, g, 40000, 9090, 1001, 5001, 0x10),
             tcp(c, g, 40000, 9090, 1001, 5001, 0x18, req),
             ip(g, o, 17, struct.pack('!HHHH', 40002, 53, 8 + len(query),
                                      0) + query),
             ip(o, g, 17, struct.pack('!HHHH', 53, 40002, 8 + len(answer),
                                      0) + answer),
             tcp(g, u, 41000, 80, 7000, 0, 0x02),
             tcp(u, g, 80, 41000, 9000, 7001, 0x12),
             tcp(g, u, 41000, 80, 7001, 9001, 0x10),
             tcp(g, u, 41000, 80, 7001, 9001, 0x18, head1)] +
            between +
            [tcp(g, u, 41000, 80, 7001 + len(head1), 9001, 0x18, head2)] +
            between +
            [tcp(g, u, 41000, 80, 7001 + len(head1) + len(head2), 9001,
                 0x18, head3),
             tcp(u, g, 80, 41000, 9001, 7001 + sent, 0x18, junk),
             tcp(u, g, 80, 41000, 9001 + len(junk), 7001 + sent, 0x11),
             tcp(g, c, 9090, 40000, 5001, 1001 + len(req), 0x18, resp)] +
            [other] * 5000)
    # `step` microseconds apart up to the 502, then 1 ms: 5 s of traffic
    # after it, so that the transaction settles and the screen retires it
    head = len(packets) - 5000
    return packets, [i * step if i < head else
                     head * step + (i - head + 1) * 1000
                     for i in range(len(packets))]


def dns():
    q = struct.pack('!HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + \
        b'\x03a\x1bb\x04test\x00' + struct.pack('!HH', 1, 1)
    udp = struct.pack('!HHHH', 40000, 53, 8 + len(q), 0) + q
    return [ip([10, 0, 0, 1], [10, 0, 0, 53], 17, udp)]


def main():
    shapes = {'bidi': bidi, 'dns': dns,
              'longhead': lambda: longhead(2500, 1000),
              'hugehead': lambda: longhead(70000, 10)}
    if len(sys.argv) != 3 or sys.argv[1] not in shapes:
        sys.exit(__doc__)
    made = shapes[sys.argv[1]]()
    # a second apart, or (packets, each one's microseconds from the first)
    packets, times = made if isinstance(made, tuple) else \
        (made, [i * 1000000 for i in range(len(made))])
    with open(sys.argv[2], 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        for p, t in zip(packets, times):
            out.write(struct.pack('<IIII', 1700000000 + t // 1000000,
                                  t % 1000000, len(p), len(p)))
            out.write(p)


main()
