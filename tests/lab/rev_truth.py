#!/usr/bin/env python3
"""rev_truth.py: the truth of the reverse-proxy lab (record_rev.sh).

usage: rev_truth.py --capture PCAP --client CLIENT.tsv --backends FILE
                    --haproxy-cfg CFG --haproxy-log LOG --nginx-error LOG
                    --nginx-upstreams LOG --truth OUT.tsv --checks OUT.tsv

CLIENT.tsv: scenario, proxy port, path, client port, curl's status (000:
no answer). FILE: scenario, backend address, backend port, mode.

What each proxy says of each request: HAProxy's log line (by client port
and path), its status and termination state: SC (the server refused or
errored on connect), sC (connect timeout), PH (the proxy refused the
server's head), SH (the server closed during the head), sH (server
timeout during the head), -- (a reply relayed), and SC with no
server (<NOSRV>: every backend of the host marked down by its health
checks, nothing tried: unknown, and the packets must show no attempt
to the backend in the request's time); nginx's error log (by
request line): connect() failed (111: refused; 113: no route, an ICMP
error), timed out while connecting, prematurely closed, timed out while
reading the head, no valid HTTP/1.0 header (it relays the bytes as they
are: no status), nothing (a reply relayed). A connect that failed or
timed out is tcp-rst, icmp-unreachable or syn-unanswered by what tshark
shows the backend sent (its RSTs, ICMP errors quoting it, or nothing):
a proxy's own word for it depends on its timers (HAProxy logs sC when
its connect timeout fires before the kernel gives up on SYNs an ICMP
error answered); every cause is checked against
the packets: the gateway's SYNs to the backend in the request's time for
a connect failure, with none answered for dropped SYNs; the path on one
of the gateway's connections to the backend otherwise. Writes one line
per request: client, client_port, proxy, scenario, path, status (0:
none), verdict, cause, backend, connections (the gateway's connections
to the backend in the request's time: the lab sends one request at a
time to each backend; - through the pooled nginx, whose requests go
over a connection opened before), tries (the servers nginx sent the
request to before the last, address:port comma-separated, from its
$upstream_addr, those the packets show carried it; -: none).

The checks file: HAProxy's health checks, one line per connection:
server (address:port), gateway_port, syn_time (epoch seconds), kind.
Which servers HAProxy checks and how come from its configuration
(`server ... check`, `option httpchk METHOD URI`); which connections
are checks from the packets: "http", a connection whose first request
is the check's; "down", any connection to a checked server that no
request was sent to (no HAProxy log line names it, nginx does not
serve it: the servers the checks marked down). Every checked server
has checks in the capture.

Anything the logs, the statuses and the packets disagree on fails the
recording (exit 1, nothing written).
"""
import argparse
import bisect
import sys

from reply_truth import haproxy_requests, read_backends, tshark

CLIENT = "10.254.0.11"
GATEWAY = "10.254.0.1"
PROXIES = {80: "haproxy", 8081: "nginx", 8082: "nginx-pool"}
LOG_OF = {"haproxy": "haproxy", "nginx": "nginx", "nginx-pool": "nginx"}
VERDICT = {"tcp-rst": "cannot-connect", "icmp-unreachable": "cannot-connect",
           "syn-unanswered": "cannot-connect",
           "http-invalid-response": "bad-response",
           "upstream-closed": "bad-response", "upstream-timeout": "bad-response",
           "upstream-5xx": "relayed", "none": "ok",
           "no-upstream-evidence": "unknown"}
HAPROXY_STATE = {"SC": "connect", "sC": "connect",
                 "untried": "no-upstream-evidence",
                 "PH": "http-invalid-response", "SH": "upstream-closed",
                 "sH": "upstream-timeout"}
NGINX_ERROR = (("(111: Connection refused) while connecting", "connect"),
               ("(113: No route to host) while connecting", "connect"),
               ("(113: Host is unreachable) while connecting", "connect"),
               ("timed out (110: Connection timed out) while connecting",
                "connect"),
               ("prematurely closed connection while reading response header",
                "upstream-closed"),
               ("timed out (110: Connection timed out) while reading response "
                "header", "upstream-timeout"),
               ("upstream sent no valid HTTP/1.0 header", "raw"))


def haproxy_said(o, backends):
    """{(client port, path): (status, what, server)} from HAProxy's log:
    its status, termination state and the server it tried last (None:
    none)."""
    said = {}
    for port, path, f in haproxy_requests(o.haproxy_log):
        status, state = f[5], f[9][:2]
        server = f[3].split("/", 1)[1]
        if server == "<NOSRV>" and state == "SC":
            state = "untried"
        # no byte sent: HAProxy closed a keep-alive client's connection
        # without its error reply (the client may send the request again)
        said[(port, path)] = (0 if f[6] == "0" else int(status),
                      HAPROXY_STATE.get(state, "relayed"
                                        if state == "--" else state),
                      backends.get(server))
    return said


def nginx_tried(o):
    """{path: ["address:port", ...]}: the servers nginx tried for the
    path, in order ($upstream_addr in its upstreams log)."""
    tried = {}
    for line in open(o.nginx_upstreams, encoding="utf-8", errors="replace"):
        if '"' not in line:
            continue
        path = line.split('"', 2)[1].split(" ")[1]
        tried[path] = [u for u in line.rsplit('"', 2)[1].split(", ")
                       if ":" in u]
    return tried


def nginx_failed_tries(o):
    """{path: ["address:port", ...]}: the tries nginx's error log names
    for the path, in order, one line each: where its upstreams log has
    no line (the servers outside the busy round), a request retried on
    a new connection after a pooled one closed on it."""
    failed = {}
    for line in open(o.nginx_error, encoding="utf-8", errors="replace"):
        if 'request: "' in line and 'upstream: "http://' in line:
            path = line.split('request: "', 1)[1].split(" ")[1]
            failed.setdefault(path, []).append(line.split(
                'upstream: "http://', 1)[1].split("/", 1)[0])
    return failed


def nginx_said(o):
    """{path: (None, what, (address, port))}: nginx's error log for the
    upstream it tried last (its upstreams log, where it has one for the
    path, else the error's own), "relayed" where that one answered. nginx
    ends "no live upstreams" when the servers it has not tried are marked
    failed: after attempts, the last attempt's error is the cause (the
    status is 502 even for timeouts); with none, the request is
    untried."""
    last = {}
    for path, tried in nginx_tried(o).items():
        last[path] = tuple(tried[-1].rsplit(":", 1)) if tried else None
    errors = {}
    for line in open(o.nginx_error, encoding="utf-8", errors="replace"):
        if 'request: "' not in line:
            continue
        path = line.split('request: "', 1)[1].split(" ")[1]
        if "no live upstreams" in line:
            errors[(path, None)] = "no-upstream-evidence"
        upstream = line.split('upstream: "http://', 1)[-1].split("/", 1)[0]
        for text, what in NGINX_ERROR:
            if text in line:
                errors[(path, tuple(upstream.rsplit(":", 1)))] = what
    said = {}
    for (path, up), what in errors.items():
        said[path] = (None, what, (up[0], int(up[1])) if up else None)
    for path, up in last.items():
        said[path] = (None, errors.get((path, up), "relayed") if up
                      else "no-upstream-evidence",
                      (up[0], int(up[1])) if up else None)
    return said


def haproxy_checked(o, backends):
    """{(address, port): check URI, or None for a TCP check}: the servers
    HAProxy's configuration checks."""
    checked, uri = {}, None
    for line in open(o.haproxy_cfg, encoding="utf-8"):
        f = line.split()
        if f[:1] == ["backend"]:
            uri = None
        elif f[:2] == ["option", "httpchk"] and len(f) >= 4:
            uri = f[3]
        elif f[:1] == ["server"] and "check" in f[3:]:
            checked[backends[f[1]]] = uri
    return checked


def health_checks(o, read, checked, backends):
    """The check connections (server, gateway port, SYN time, kind), or
    None where a checked server shows none."""
    named = {backends[f[3].split("/", 1)[1]] for f in (
        line.split() for line in open(o.haproxy_log, encoding="utf-8",
                                      errors="replace"))
        if len(f) > 3 and "/" in f[3] and f[3].split("/", 1)[1] in backends}
    served = set()
    for tries in (nginx_tried(o), nginx_failed_tries(o)):
        for u in (u for v in tries.values() for u in v if ":" in u):
            served.add((u.rsplit(":", 1)[0], int(u.rsplit(":", 1)[1])))
    firsts = {}
    for st, uri in read(f"http.request && ip.src=={GATEWAY}",
                        ["tcp.stream", "http.request.uri"]):
        firsts.setdefault(st, uri)
    checks = []
    for (addr, port), uri in sorted(checked.items()):
        down = (addr, port) not in named | served
        mine = [(int(sp), float(t), "down" if down else "http")
                for st, sp, t in read(
                    f"tcp.flags.syn==1 && tcp.flags.ack==0 && "
                    f"ip.src=={GATEWAY} && ip.dst=={addr} && "
                    f"tcp.dstport=={port}",
                    ["tcp.stream", "tcp.srcport", "frame.time_epoch"])
                if down or (uri is not None and firsts.get(st) == uri)]
        if not mine:
            print(f"DISAGREE haproxy checks {addr}:{port}: the packets "
                  f"show no check", file=sys.stderr)
            return None
        # a SYN sent again is the same connection's: its first one
        first = {}
        for sp, t, kind in mine:
            first.setdefault(sp, (t, kind))
        checks += sorted(((f"{addr}:{port}", sp, t, kind)
                          for sp, (t, kind) in first.items()),
                         key=lambda c: c[2])
    return checks


def first_after(times, t):
    """The first of the sorted times at or after t, or None."""
    i = bisect.bisect_left(times, t)
    return times[i] if i < len(times) else None


def packet_times(read, flt, key_field):
    """{key (a port, a stream): sorted times} of the packets flt picks."""
    times = {}
    for key, t in read(flt, [key_field, "frame.time_epoch"]):
        times.setdefault(int(key), []).append(float(t))
    for v in times.values():
        v.sort()
    return times


def main():
    ap = argparse.ArgumentParser()
    for a in ("capture", "client", "backends", "haproxy_cfg", "haproxy_log",
              "nginx_error", "nginx_upstreams", "truth", "checks"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    o = ap.parse_args()
    backends = read_backends(o.backends)
    said = {"haproxy": haproxy_said(o, backends), "nginx": nginx_said(o)}
    http_ports = sorted(set(PROXIES) | {p for _, p in backends.values()})

    def read(flt, fields):
        return tshark(o.capture, flt, fields, http_ports)
    tried, failed_tries = nginx_tried(o), nginx_failed_tries(o)

    # client side: each request's time and port (a path is asked once,
    # but for a client's second try after a connection closed without a
    # reply), the answer's time: the first bytes or FIN to its port after
    # reply, by connection: a client port comes back in a later round,
    # to another proxy port (a stream is one four-tuple's connection)
    reqs = [(int(port), int(st), uri, float(t)) for port, st, uri, t in read(
        f"http.request && ip.src=={CLIENT}",
        ["tcp.srcport", "tcp.stream", "http.request.uri", "frame.time_epoch"])]
    answers = packet_times(read, f"tcp.len>0 && ip.dst=={CLIENT}",
                           "tcp.stream")
    closes = packet_times(read, f"tcp.flags.fin==1 && ip.dst=={CLIENT}",
                          "tcp.stream")
    # the gateway's side: SYNs to each backend, what came back
    syns = read(f"tcp.flags.syn==1 && tcp.flags.ack==0 && "
                f"ip.src=={GATEWAY} && !(ip.dst=={CLIENT})",
                ["ip.dst", "tcp.dstport", "tcp.srcport", "frame.time_epoch"])
    synacks = {(a, int(sp), int(dp)) for a, sp, dp in read(
        f"tcp.flags.syn==1 && tcp.flags.ack==1 && ip.dst=={GATEWAY}",
        ["ip.src", "tcp.srcport", "tcp.dstport"])}
    rsts = {a for (a,) in read(f"tcp.flags.reset==1 && "
                               f"ip.dst=={GATEWAY} && tcp.len==0 && "
                               f"!(ip.src=={CLIENT}) && tcp.seq==1",
                               ["ip.src"])}
    icmps = {a for (a,) in read("icmp.type==3 && icmp.code==13", ["ip.src"])}
    carriers = [(a, uri, st, float(t)) for a, uri, st, t in read(
        f"http.request && ip.src=={GATEWAY}",
        ["ip.dst", "http.request.uri", "tcp.stream", "frame.time_epoch"])]
    carried = {(a, uri) for a, uri, _, _ in carriers}
    # the gateway's connections on which a backend sent something
    replied = packet_times(read, f"tcp.len>0 && ip.dst=={GATEWAY} && "
                           f"!(ip.src=={CLIENT})", "tcp.stream")

    bad = 0
    rows = []
    asked = {}
    for line in open(o.client, encoding="utf-8"):
        name, pport, path, cport, status = line.rstrip("\n").split("\t")
        asked[path] = (name, PROXIES[int(pport)], int(cport), int(status))
    for path, (name, proxy, cport, _) in asked.items():
        if (cport, path) not in {(p, u) for p, _, u, _ in reqs}:
            print(f"DISAGREE {proxy} {name} {path}: no request from port "
                  f"{cport} in the capture", file=sys.stderr)
            bad += 1
    for cport, stream, path, start in reqs:
        if path not in asked:
            print(f"DISAGREE {path}: a request nobody asked", file=sys.stderr)
            bad += 1
            continue
        name, proxy, final, status = asked[path]
        end = first_after(answers.get(stream, []), start) or \
            first_after(closes.get(stream, []), start) or start + 30
        if cport != final:
            # tried before on a connection the gateway closed with no reply
            status = 0
            if end not in closes.get(stream, []):
                print(f"DISAGREE {proxy} {name} {path}: asked again, but "
                      f"answered on {cport}", file=sys.stderr)
                bad += 1
        # the busy round's host: the server the proxy tried last
        heard = said[LOG_OF[proxy]]
        code, what, server = heard.get((cport, path), heard.get(
            path, (None, "relayed", None)))
        if status == 0 and proxy == "haproxy" and (cport, path) not in heard:
            # HAProxy logs nothing when it closes a keep-alive client's
            # connection because a backend closed a request's connection
            # without a byte: the packets say which
            mine = [(t, a, int(st)) for a, uri, st, t in carriers
                    if uri == path and start <= t <= end]
            if mine and first_after(replied.get(max(mine)[2], []),
                                    max(mine)[0]) is None:
                code, what = 0, "upstream-closed"
                server = next(b for b in backends.values()
                              if b[0] == max(mine)[1])
        busy = name in ("app", "storm")
        addr, bport = server if busy and server else \
            backends.get(name, (None, 0))
        mine = [(int(sp), float(t)) for a, dp, sp, t in syns
                if a == addr and int(dp) == bport and start <= float(t) <= end]
        conns = sorted({sp for sp, _ in mine})
        if code is not None and code != status:
            print(f"DISAGREE {proxy} {name} {path}: answered {status}, "
                  f"log {code}",
                  file=sys.stderr)
            bad += 1
        # a connect that failed: how, the backend's packets say (a
        # proxy's words depend on its timers: HAProxy logs sC, a timeout,
        # when its timer fires before the kernel gives up on SYNs that an
        # ICMP error answered)
        if status == 200:
            what = "none"     # nginx's next server after a failed one
        elif what == "connect":
            what = "tcp-rst" if addr in rsts else "icmp-unreachable" \
                if addr in icmps else "syn-unanswered"
        elif what == "relayed":
            what = "upstream-5xx" if status in (502, 503, 504) else \
                "none" if status == 200 else f"status {status}?"
        elif what == "raw":
            what = "http-invalid-response"
        # the packets must show it
        connected = any((addr, bport, sp) in synacks for sp in conns)
        if what == "no-upstream-evidence":
            ok = not conns and not any(p == path for _, p in carried)
        elif what in ("tcp-rst", "icmp-unreachable", "syn-unanswered"):
            ok = bool(conns) and not connected and not (
                what == "tcp-rst" and addr in icmps) and not (
                what == "icmp-unreachable" and addr in rsts) and not (
                what == "syn-unanswered" and (addr in rsts or addr in icmps))
        else:
            ok = (addr, path) in carried and what in VERDICT
        if not ok:
            print(f"DISAGREE {proxy} {name} {path}: the proxy says {what}, "
                  f"the packets do not ({len(conns)} connections to {addr}:"
                  f"{bport}, connected {connected})", file=sys.stderr)
            bad += 1
            continue
        # nginx's tries before the last that carried the request (a
        # connect that failed carried nothing): its upstreams log, else
        # its error log's failed tries but the last, which is the
        # answer's unless a reply was relayed; HAProxy sends a request
        # once (retry-on conn-failure, its default)
        earlier = tried[path][:-1] if path in tried else \
            failed_tries.get(path, [])[:None if what in (
                "upstream-5xx", "none") else -1]
        tries = [u for u in earlier
                 if (u.rsplit(":", 1)[0], path) in carried] \
            if LOG_OF[proxy] == "nginx" else []
        # over a pooled connection: begun before the request, and
        # nginx's retry on a new one; the count is not the request's own
        # (over pooled connections, and in the busy round where requests
        # to one server overlap, the count is not the request's own)
        rows.append([CLIENT, str(cport), proxy, name, path, str(status),
                     VERDICT[what], what,
                     f"{addr}:{bport}" if addr else "-",
                     "-" if proxy == "nginx-pool" or busy else
                     str(len(conns)), ",".join(tries) or "-"])
    checks = health_checks(o, read, haproxy_checked(o, backends), backends)
    if bad or not rows or not checks:
        return 1
    with open(o.checks, "w", encoding="utf-8") as f:
        f.write("server\tgateway_port\tsyn_time\tkind\n")
        for c in checks:
            f.write("\t".join(map(str, c)) + "\n")
    with open(o.truth, "w", encoding="utf-8") as f:
        f.write("client\tclient_port\tproxy\tscenario\tpath\tstatus\tverdict"
                "\tcause\tbackend\tconnections\ttries\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
