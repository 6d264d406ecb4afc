#!/usr/bin/env python3
"""tls_truth.py: the truth of the TLS-upstream lab (record_tls.sh).

usage: tls_truth.py --capture PCAP --client CLIENT.tsv --backends FILE
                    --haproxy-log LOG --nginx-error LOG --truth OUT.tsv

CLIENT.tsv: scenario, proxy port, path, client port, curl's status (000:
no answer). FILE: scenario, backend address, backend port, the name the
gateway asks.

Each request is found in the capture with tshark (the client's request,
the gateway's answer: the request's time window); the gateway's
connections to the request's backend whose SYN falls in that window are
its connections. What each connection shows is read from its TLS records
(the TCP payloads tshark gives, in sequence order, parsed record by
record; tshark's own decoding of plaintext alerts must agree):
  server-alert:N    the backend sent a plaintext alert, description N
                    (70 protocol_version, 112 unrecognized_name)
  gateway-alert:N   the gateway sent a plaintext alert N (48 unknown_ca,
                    42 bad_certificate). OpenSSL sends it in plaintext
                    even in a TLS 1.3 handshake when it refuses the
                    certificate: its handshake write keys are not in use
                    before its Finished
  gateway-closed    the handshake finished (both sides sent their
                    Finished: TLS 1.2, a ChangeCipherSpec and the
                    encrypted handshake record after it; TLS 1.3, the
                    backend's encrypted flight and the gateway's first
                    encrypted record longer than an alert) and the
                    gateway closed with no application data but an
                    encrypted close_notify: nginx checks the certificate
                    (chain, name) after the handshake
  encrypted-alert   TLS 1.3: the gateway's only encrypted record is
                    alert-sized (19 bytes) and comes before its Finished
  plain-reply       the backend answered the ClientHello with plain HTTP
                    ("HTTP/1.1 400 Bad Request")
  -                 application data went both ways (a success)
The tls column is the last connection's (all of a request's must read
alike: HAProxy's retries meet the same backend), connections their
number.

What the proxies say, checked against it: nginx's error log line for
the request ("SSL alert number N": server-alert:N; "wrong version
number": plain-reply; "upstream SSL certificate verify error" or
"certificate does not match": gateway-closed; "upstream timed out":
the request went, bad-response/upstream-timeout, 504; "upstream
prematurely closed": bad-response/upstream-closed; none: a success),
status 502, one connection (one server, tried once); HAProxy's log line
(by client port and path): termination state SC and status 503 for a
failed handshake (any of the failures above), sH and 504 for a timeout
after the request, SH and 502 for the server's close, "----" and 200
for a success, and as many connections as its retries plus one. After
the request the packets say who closed first: the server for a close,
the gateway for a timeout.

Each scenario's backend has an address of its own; requests sent at
once through both proxies to one backend (selfsigned, plain) overlap in
time: a connection in both windows goes to the request whose proxy's
configuration matches its ClientHello (HAProxy's selfsigned12:
ssl-max-ver TLSv1.2, no TLS 1.3 offered, its others: TLS 1.3 offered;
nginx's selfsigned13: TLS 1.3 only, its others: TLS 1.2 at most). Within one scenario all
connections read alike, so the classification does not depend on the
pairing. A connection that cannot be paired, or paired twice, or any
disagreement between the logs, the statuses and the packets fails the
recording (exit 1, nothing written).

Writes one line per request: client_port, proxy, scenario, path, status
(0: none), verdict, cause, backend, tls, connections.
"""
import argparse
import sys

from reply_truth import haproxy_requests, read_backends, tshark, write_tsv

CLIENT = "10.252.0.11"
GATEWAY = "10.252.0.1"
PROXIES = {80: "nginx", 8080: "haproxy"}
# HAProxy's servers configured not to offer TLS 1.3 (ssl-max-ver TLSv1.2)
TLS12_ONLY = {("haproxy", "selfsigned12")}
# nginx 1.22 offers TLS 1.0-1.2 to its upstreams but where
# proxy_ssl_protocols asks for TLS 1.3
NGINX_TLS13 = {"selfsigned13"}
FAILED = {"server-alert", "gateway-alert", "gateway-closed",
          "encrypted-alert", "plain-reply"}
CCS, ALERT, HANDSHAKE, APPDATA = 20, 21, 22, 23


def records(data):
    """[(type, length, body)] of the TLS records in data, or None when
    data does not start as TLS (a truncated last record is kept)."""
    out, i = [], 0
    while i + 5 <= len(data):
        t, major, n = data[i], data[i + 1], int.from_bytes(
            data[i + 3:i + 5], "big")
        if t not in (CCS, ALERT, HANDSHAKE, APPDATA) or major != 3:
            return None if not out else out
        out.append((t, n, data[i + 5:i + 5 + n]))
        i += 5 + n
    return out


def hello_versions(body):
    """The versions of a ClientHello's or ServerHello's supported_versions
    extension (43), or [its legacy version] without one."""
    try:
        legacy = int.from_bytes(body[4:6], "big")
        i = 6 + 32
        i += 1 + body[i]                                   # session id
        if body[0] == 1:                                   # ClientHello
            i += 2 + int.from_bytes(body[i:i + 2], "big")  # cipher suites
            i += 1 + body[i]                               # compression
        else:
            i += 3                                         # cipher, comp.
        end = i + 2 + int.from_bytes(body[i:i + 2], "big")
        i += 2
        while i + 4 <= end:
            et, n = int.from_bytes(body[i:i + 2], "big"), \
                int.from_bytes(body[i + 2:i + 4], "big")
            v = body[i + 4:i + 4 + n]
            if et == 43:
                if body[0] == 1:
                    return [int.from_bytes(v[k:k + 2], "big")
                            for k in range(1, 1 + v[0], 2)]
                return [int.from_bytes(v[:2], "big")]
            i += 4 + n
        return [legacy]
    except IndexError:
        return []


def classify(g, b, gfin):
    """What one connection shows: g and b the gateway's and the
    backend's bytes, gfin whether the gateway closed (FIN or RST).
    Returns (tls, offers13, version)."""
    gr, br = records(g), records(b)
    hello = [r for r in gr or [] if r[0] == HANDSHAKE and r[2][:1] == b"\x01"]
    offers13 = bool(hello) and 0x0304 in hello_versions(hello[0][2])
    if b and br is None:
        return ("plain-reply" if b.startswith(b"HTTP/") else "?",
                offers13, "-")
    br = br or []
    shello = [r for r in br if r[0] == HANDSHAKE and r[2][:1] == b"\x02"]
    version = hello_versions(shello[0][2])[0] if shello else None
    vname = {0x0304: "TLSv1.3", 0x0303: "TLSv1.2"}.get(version, "-")
    for who, recs in (("server", br), ("gateway", gr or [])):
        alerts = [r for r in recs if r[0] == ALERT and r[1] == 2]
        if alerts:
            return f"{who}-alert:{alerts[0][2][1]}", offers13, vname
    gdata = [r for r in gr or [] if r[0] == APPDATA]
    if version == 0x0303:
        def finished(recs):
            kinds = [r[0] for r in recs]
            return CCS in kinds and HANDSHAKE in kinds[kinds.index(CCS):]
        if finished(gr or []) and finished(br):
            if gdata:
                return "-", offers13, vname     # the request went
            after = [r for r in gr[[r[0] for r in gr].index(CCS):]
                     if r[0] not in (CCS, HANDSHAKE)]
            if all(r[0] == ALERT for r in after) and gfin:
                return "gateway-closed", offers13, vname
        return "?", offers13, vname
    if version == 0x0304:
        if len(gdata) == 1 and gdata[0][1] == 19 and gfin:
            return "encrypted-alert", offers13, vname
        bdata = [r for r in br if r[0] == APPDATA]
        if gdata and gdata[0][1] > 19 and bdata:
            rest = gdata[1:]
            if not rest or (len(rest) == 1 and rest[0][1] == 19 and gfin):
                return "gateway-closed", offers13, vname
            return "-", offers13, vname     # the request went
    return "?", offers13, vname


def offers_tls13(proxy, name):
    """Does the proxy's ClientHello for this scenario offer TLS 1.3?"""
    if proxy == "nginx":
        return name in NGINX_TLS13
    return (proxy, name) not in TLS12_ONLY


def connections(o, read):
    """{tcp stream: dict} of the gateway's connections to the backends:
    address, port, SYN time, the bytes each way (in sequence order,
    retransmissions once), whether the gateway closed, tshark's alerts."""
    conns = {}
    for st, t, src, sport, dst, dport, syn, ack, fin, rst, seq, payload, \
            alert in read(f"ip.src=={GATEWAY} && !(ip.dst=={CLIENT}) || "
                          f"ip.dst=={GATEWAY} && !(ip.src=={CLIENT})",
                          ["tcp.stream", "frame.time_epoch", "ip.src",
                           "tcp.srcport", "ip.dst", "tcp.dstport",
                           "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin",
                           "tcp.flags.reset", "tcp.seq", "tcp.payload",
                           "tls.alert_message.desc"]):
        gw = src == GATEWAY
        if not sport or (st not in conns and not (
                gw and syn == "1" and ack == "0")):
            continue     # not TCP, or a connection begun before the capture
        c = conns.setdefault(st, {"addr": dst, "port": int(dport),
                                  "syn": float(t), "g": b"", "b": b"",
                                  "gseq": 1, "bseq": 1, "gfin": False,
                                  "alerts": set(), "gclose": None,
                                  "bclose": None})
        side = "g" if gw else "b"
        if gw and (fin == "1" or rst == "1"):
            c["gfin"] = True
        if (fin == "1" or rst == "1") and c[side + "close"] is None:
            c[side + "close"] = float(t)
        if alert:
            c["alerts"].add((side, int(alert)))
        if payload and int(seq) == c[side + "seq"]:
            data = bytes.fromhex(payload.replace(":", ""))
            c[side] += data
            c[side + "seq"] += len(data)
    return conns


def main():
    ap = argparse.ArgumentParser()
    for a in ("capture", "client", "backends", "haproxy_log", "nginx_error",
              "truth"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    o = ap.parse_args()
    backends = read_backends(o.backends)

    def read(flt, fields):
        return tshark(o.capture, flt, fields, sorted(PROXIES))
    bad = 0

    def disagree(msg):
        nonlocal bad
        print("DISAGREE " + msg, file=sys.stderr)
        bad += 1

    # what the proxies said
    nginx = {}
    for line in open(o.nginx_error, encoding="utf-8", errors="replace"):
        if 'request: "' in line and "upstream" in line:
            path = line.split('request: "', 1)[1].split(" ")[1]
            nginx[path] = line.strip()
    haproxy = {(port, path): (int(f[5]), f[9][:4],
                              int(f[10].split("/")[4].lstrip("+")))
               for port, path, f in haproxy_requests(o.haproxy_log)}

    # the requests: the client's, the gateway's answer
    reqs = {}
    for cport, st, uri, t in read(f"http.request && ip.src=={CLIENT}",
                                  ["tcp.srcport", "tcp.stream",
                                   "http.request.uri", "frame.time_epoch"]):
        reqs[uri] = (int(cport), st, float(t))
    answers = {}
    for st, t in read(f"(tcp.len>0 || tcp.flags.fin==1) && ip.dst=={CLIENT}",
                      ["tcp.stream", "frame.time_epoch"]):
        answers.setdefault(st, []).append(float(t))
    asked = []
    for line in open(o.client, encoding="utf-8"):
        name, pport, path, cport, status = line.rstrip("\n").split("\t")
        proxy = PROXIES[int(pport)]
        if path not in reqs or reqs[path][0] != int(cport):
            disagree(f"{proxy} {name} {path}: no request from port {cport} "
                     f"in the capture")
            continue
        _, st, start = reqs[path]
        end = min((t for t in answers.get(st, []) if t >= start),
                  default=start + 30)
        asked.append({"name": name, "proxy": proxy, "path": path,
                      "cport": int(cport), "status": int(status),
                      "start": start, "end": end, "conns": []})

    # the gateway's connections to the backends, each to one request
    conns = connections(o, read)
    for st, c in conns.items():
        c["tls"], c["offers13"], c["version"] = classify(c["g"], c["b"],
                                                         c["gfin"])
        side = {"server": "b", "gateway": "g"}.get(c["tls"].split("-")[0])
        mine = {(side, int(c["tls"].split(":")[1]))} \
            if ":" in c["tls"] else set()
        if mine != c["alerts"]:
            disagree(f"connection {c['addr']}:{c['port']} stream {st}: "
                     f"read {c['tls']}, tshark's alerts "
                     f"{sorted(c['alerts'])}")
        cands = [r for r in asked if backends[r["name"]] == (
            c["addr"], c["port"]) and r["start"] <= c["syn"] <= r["end"]]
        if len(cands) > 1:
            cands = [r for r in cands if c["offers13"] ==
                     offers_tls13(r["proxy"], r["name"])]
        if len(cands) != 1:
            disagree(f"connection {c['addr']}:{c['port']} stream {st} at "
                     f"{c['syn']:.6f}: {len(cands)} requests it may be for")
            continue
        cands[0]["conns"].append(c)

    rows = []
    for r in sorted(asked, key=lambda r: r["start"]):
        name, proxy, path, status = r["name"], r["proxy"], r["path"], \
            r["status"]
        addr, port = backends[name]
        cs = sorted(r["conns"], key=lambda c: c["syn"])
        kinds = {c["tls"] for c in cs}
        tls = cs[-1]["tls"] if cs else "none"
        what = f"{proxy} {name} {path}"
        if len(kinds) != 1:
            disagree(f"{what}: its connections read {sorted(kinds)}")
            continue
        failed = tls.split(":")[0] in FAILED
        if not (failed or tls == "-"):
            disagree(f"{what}: the packets show {tls}")
            continue
        if proxy == "nginx":
            err = nginx.get(path, "")
            if "SSL alert number " in err:
                said = "server-alert:" + err.split(
                    "SSL alert number ", 1)[1].split(")")[0]
            elif "wrong version number" in err:
                said = "plain-reply"
            elif "upstream SSL certificate verify error" in err or \
                    "upstream SSL certificate does not match" in err:
                said = "gateway-closed"
            elif "upstream timed out" in err:
                said = "-", "upstream-timeout"
            elif "upstream prematurely closed" in err:
                said = "-", "upstream-closed"
            elif err:
                said = "? " + err
            else:
                said = "-", "none"
            after = said[1] if isinstance(said, tuple) else None
            said = said[0] if isinstance(said, tuple) else said
            want_status = {None: 502, "none": 200, "upstream-timeout": 504,
                           "upstream-closed": 502}[after]
            ok = said == tls and status == want_status and len(cs) == 1
            told = f"error log {said!r} {after or ''}"
        else:
            code, state, retries = haproxy.get((r["cport"], path),
                                               (None, None, None))
            after = {"----": "none", "sH--": "upstream-timeout",
                     "SH--": "upstream-closed"}.get(state)
            ok = code == status and cs and len(cs) == retries + 1 and (
                (state == "SC--" and status == 503 and failed) or
                (after is not None and tls == "-" and status ==
                 {"none": 200, "upstream-timeout": 504,
                  "upstream-closed": 502}[after]))
            told = f"log {code} {state} retries {retries}"
        # after the request the packets say it too: a server that closed
        # within the second, the answer at once; or one that stayed,
        # silent, until the gateway gave up (its timeout, 2 s) and closed
        # (the server's close answers the gateway's close_notify then)
        if ok and after in ("upstream-timeout", "upstream-closed"):
            c = cs[-1]
            closed = c["bclose"] is not None and \
                c["bclose"] < r["start"] + 1 and r["end"] - c["bclose"] < 0.2
            waited = r["end"] - r["start"] > 1.5 and (
                c["bclose"] is None or c["bclose"] > r["end"] - 0.2)
            ok = (closed, waited) == ((True, False) if after ==
                                      "upstream-closed" else (False, True))
            told += f", the server's close {'early' if closed else 'late'}" \
                f", answered after {r['end'] - r['start']:.3f} s"
        if not ok:
            disagree(f"{what}: answered {status}, {told}, the packets "
                     f"show {tls} on {len(cs)} connections")
            continue
        if failed:
            verdict, cause = "cannot-connect", "tls-handshake"
        else:
            verdict, cause = ("ok", "none") if after == "none" else \
                ("bad-response", after)
        rows.append([str(r["cport"]), proxy, name, path, str(status),
                     verdict, cause, f"{addr}:{port}", tls, str(len(cs))])
    # a scenario reads alike through a proxy in every round
    seen = {}
    for row in rows:
        if seen.setdefault((row[1], row[2]), row[8]) != row[8]:
            disagree(f"{row[1]} {row[2]}: {row[8]} in one round, "
                     f"{seen[(row[1], row[2])]} in another")
    if bad or not rows or len(rows) != len(asked):
        return 1
    write_tsv(o.truth, ["client_port", "proxy", "scenario", "path", "status",
                        "verdict", "cause", "backend", "tls", "connections"],
              rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
