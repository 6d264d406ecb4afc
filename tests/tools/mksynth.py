#!/usr/bin/env python3
"""mksynth.py SHAPE OUT.pcap: tiny synthetic captures (raw IPv4) for the
file tests of issue 13.

  bidi  a proxy request (port 9090) whose URL carries bidi and format
        controls (U+202E, U+2066, U+200B, U+FEFF, U+061C, U+2028/2029),
        answered 502
  dns   a DNS query whose first label holds an ESC byte (a<ESC>b.test)
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


def dns():
    q = struct.pack('!HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + \
        b'\x03a\x1bb\x04test\x00' + struct.pack('!HH', 1, 1)
    udp = struct.pack('!HHHH', 40000, 53, 8 + len(q), 0) + q
    return [ip([10, 0, 0, 1], [10, 0, 0, 53], 17, udp)]


def main():
    shapes = {'bidi': bidi, 'dns': dns}
    if len(sys.argv) != 3 or sys.argv[1] not in shapes:
        sys.exit(__doc__)
    with open(sys.argv[2], 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        for i, p in enumerate(shapes[sys.argv[1]]()):
            out.write(struct.pack('<IIII', 1700000000 + i, 0, len(p), len(p)))
            out.write(p)


main()
