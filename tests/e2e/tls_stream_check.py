#!/usr/bin/env python3
"""Compares the TUI's stream pane on a TLS connection with tshark's records.

usage: tls_stream_check.py CAPTURE SCREEN

SCREEN is tmux's capture of the TUI with the stream pane up on the
gateway's upstream connection ("Stream upstream GW:PORT -> SERVER:PORT
TLS records"). tshark reads that connection's segments (the server's
port decoded as TLS, so that a plain-text reply to the ClientHello is no
record) and the pane must show, in order, a line per TLS record: its
content type and length; for a handshake record sent before its side's
ChangeCipherSpec the handshake messages in it (RFC 8446 4, RFC 5246 7.4
names), the ClientHello's server name and the version the ServerHello
chose; for an alert in the clear its level and name (RFC 8446 6); and a
side's bytes that are no TLS as their text lines. Exit 0 when every line
is as tshark says, 1 with the differences, 2 when the screen shows no
such pane.
"""
import json
import re
import subprocess
import sys

HANDSHAKE = {0: "HelloRequest", 1: "ClientHello", 2: "ServerHello",
             4: "NewSessionTicket", 5: "EndOfEarlyData",
             8: "EncryptedExtensions", 11: "Certificate",
             12: "ServerKeyExchange", 13: "CertificateRequest",
             14: "ServerHelloDone", 15: "CertificateVerify",
             16: "ClientKeyExchange", 20: "Finished",
             22: "CertificateStatus", 24: "KeyUpdate"}
ALERT = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
         40: "handshake_failure", 42: "bad_certificate",
         45: "certificate_expired", 46: "certificate_unknown",
         47: "illegal_parameter", 48: "unknown_ca", 50: "decode_error",
         51: "decrypt_error", 70: "protocol_version",
         80: "internal_error", 112: "unrecognized_name"}
VERSION = {"0x0301": "TLS 1.0", "0x0302": "TLS 1.1", "0x0303": "TLS 1.2",
           "0x0304": "TLS 1.3"}


def as_list(v):
    return [] if v is None else v if isinstance(v, list) else [v]


def find(d, key):
    """The first value of key anywhere in tshark's nested layer d."""
    if isinstance(d, dict):
        for k, v in d.items():
            if k == key:
                return v
            got = find(v, key)
            if got is not None:
                return got
    elif isinstance(d, list):
        for v in d:
            got = find(v, key)
            if got is not None:
                return got
    return None


def pane(screen):
    """The stream pane's connection and its lines."""
    rows = screen.splitlines()
    for i, row in enumerate(rows):
        m = re.search(r"Stream upstream ([0-9.]+):(\d+) \S+ ([0-9.]+):(\d+)", row)
        if m:
            break
    else:
        return None, []
    lines = []
    for row in rows[i + 1:]:
        if not row.startswith("\u2502"):
            break
        text = row.strip("\u2502").strip()
        if text:
            lines.append(text)
    return m.groups(), lines


def content_type(rec):
    """A record's type: TLS 1.3's encrypted records show theirs as the
    opaque type (always application data)."""
    return rec.get("tls.record.content_type") or rec.get("tls.record.opaque_type")


def record_line(rec, sealed):
    ct, n = int(content_type(rec)), int(rec["tls.record.length"])
    size = "(%d byte%s)" % (n, "" if n == 1 else "s")
    if ct == 20:
        return "TLS change cipher spec " + size
    if ct == 23:
        return "TLS application data, encrypted " + size
    if ct == 21:
        alert = rec.get("tls.alert_message") or {}
        if sealed or "tls.alert_message.desc" not in alert:
            return "TLS alert, encrypted " + size
        level = {"1": "warning", "2": "fatal"}.get(alert["tls.alert_message.level"], "level?")
        desc = int(alert["tls.alert_message.desc"])
        return "TLS alert: %s %s %s" % (level, ALERT.get(desc, str(desc)), size)
    msgs = as_list(rec.get("tls.handshake"))
    if sealed or not msgs or "tls.handshake.type" not in msgs[0]:
        return "TLS handshake, encrypted " + size
    names = []
    for k, h in enumerate(msgs):
        t = int(h["tls.handshake.type"])
        name = HANDSHAKE.get(t, "message %d" % t)
        if k == 0 and t == 1 and find(h, "tls.handshake.extensions_server_name"):
            name += " for " + find(h, "tls.handshake.extensions_server_name").lower()
        if k == 0 and t == 2:
            v = find(h, "tls.handshake.extensions.supported_version") or \
                h.get("tls.handshake.version")
            if v in VERSION:
                name += " choosing " + VERSION[v]
        names.append(name)
    return "TLS handshake: %s %s" % (", ".join(names), size)


def expected(cap, gw, gwport, server, sport):
    out = subprocess.run(
        ["tshark", "-r", cap, "-d", "tcp.port==%s,tls" % sport, "-Y",
         "ip.addr==%s && ip.addr==%s && tcp.port==%s && tcp.port==%s && "
         "tcp.len>0 && !tcp.analysis.retransmission" % (gw, server, gwport, sport),
         "-T", "json", "--no-duplicate-keys", "-J", "frame tcp tls"],
        capture_output=True, text=True, check=True).stdout
    sealed = {gwport: False, sport: False}
    text = {gwport: "", sport: ""}
    lines = []
    for p in json.loads(out):
        layers = p["_source"]["layers"]
        src = layers["tcp"]["tcp.srcport"]
        recs = [r for t in as_list(layers.get("tls"))
                for r in as_list(t.get("tls.record") if isinstance(t, dict) else None)
                if isinstance(r, dict) and content_type(r)]
        if not recs:
            # no TLS from here on: the side's text, where it began
            if not text[src]:
                lines.append(src)
            text[src] += bytes.fromhex(layers["tcp"].get("tcp.payload", "")
                                       .replace(":", "")).decode("latin-1")
            continue
        for r in recs:
            lines.append(record_line(r, sealed[src]))
            sealed[src] |= content_type(r) == "20"
    out = []
    for l in lines:
        out += [t.rstrip("\r") for t in text[l].split("\n") if t.rstrip("\r")] \
            if l in text else [l]
    return out


def main():
    cap, screen_file = sys.argv[1], sys.argv[2]
    conn, shown = pane(open(screen_file, encoding="utf-8").read())
    if conn is None:
        print("no stream pane on the screen")
        return 2
    exp = expected(cap, *conn)
    if shown == exp:
        print("%d lines as tshark reads %s:%s -> %s:%s" % ((len(exp),) + conn))
        return 0
    for k in range(max(len(exp), len(shown))):
        e = exp[k] if k < len(exp) else "(none)"
        s = shown[k] if k < len(shown) else "(none)"
        if e != s:
            print("line %d: tshark [%s], screen [%s]" % (k + 1, e, s))
    return 1


if __name__ == "__main__":
    sys.exit(main())
