#!/usr/bin/env python3
"""slowcat.py: writes a capture file to stdout in chunks with pauses, the way
`ssh gw tcpdump -U -w -` delivers one (records split across writes).

usage: slowcat.py FILE [--chunk BYTES] [--pause SEC]
                       [--cut-in-record K]      stop in the middle of record K
                       [--hold-after-record K --until PATH [--deadline SEC]]
                                                after record K, wait for PATH
                       [--print-offset K]       print record K's offset, exit
                       [--repeat N]             pcap: its records N times

Records are the pcap file header and each packet record, or each pcapng
block; they are counted from 1. Every wait is bounded by --deadline.
"""
import argparse
import os
import struct
import sys
import time


def record_offsets(data):
    """The offset of each record, then the end of the last whole one."""
    offs = []
    if data[:4] == b'\x0a\x0d\x0d\x0a':
        pos = 0
        end = '<'
        while pos + 12 <= len(data):
            if data[pos:pos + 4] == b'\x0a\x0d\x0d\x0a':
                end = '<' if data[pos + 8:pos + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            length = struct.unpack(end + 'I', data[pos + 4:pos + 8])[0]
            if length < 12 or pos + length > len(data):
                break
            offs.append(pos)
            pos += length
        return offs, pos
    end = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    offs.append(0)
    pos = 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(end + 'I', data[pos + 8:pos + 12])[0]
        if pos + 16 + caplen > len(data):
            break
        offs.append(pos)
        pos += 16 + caplen
    return offs, pos


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('file')
    ap.add_argument('--chunk', type=int, default=4093)
    ap.add_argument('--pause', type=float, default=0.005)
    ap.add_argument('--cut-in-record', type=int, default=0)
    ap.add_argument('--hold-after-record', type=int, default=0)
    ap.add_argument('--until', default=None)
    ap.add_argument('--deadline', type=float, default=30.0)
    ap.add_argument('--print-offset', type=int, default=0)
    ap.add_argument('--repeat', type=int, default=1)
    a = ap.parse_args()
    data = open(a.file, 'rb').read()
    if a.repeat > 1 and data[:4] != b'\x0a\x0d\x0d\x0a':
        # written as it goes: a big stream never held whole
        out = sys.stdout.buffer
        try:
            out.write(data[:24])
            for _ in range(a.repeat):
                out.write(data[24:])
            out.flush()
        except BrokenPipeError:
            return 1
        return 0
    offs, whole = record_offsets(data)
    offs.append(whole)

    def end_of(k):  # the offset just after record k
        return offs[min(k, len(offs) - 1)]

    if a.print_offset:
        print(offs[a.print_offset - 1])
        return 0
    stop = len(data)
    if a.cut_in_record:
        k = a.cut_in_record
        stop = offs[k - 1] + (offs[k] - offs[k - 1]) // 2
    hold = end_of(a.hold_after_record) if a.hold_after_record else -1
    out = sys.stdout.buffer
    deadline = time.monotonic() + a.deadline
    pos = 0
    try:
        while pos < stop:
            n = min(a.chunk, stop - pos)
            if pos < hold < pos + n:
                n = hold - pos
            out.write(data[pos:pos + n])
            out.flush()
            pos += n
            if pos == hold and a.until:
                while not os.path.exists(a.until):
                    if time.monotonic() > deadline:
                        print('slowcat: gave up waiting for ' + a.until,
                              file=sys.stderr)
                        return 1
                    time.sleep(0.02)
            time.sleep(a.pause)
    except BrokenPipeError:
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
