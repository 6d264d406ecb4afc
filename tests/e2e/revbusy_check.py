#!/usr/bin/env python3
"""revbusy_check.py PCAP TRUTH.tsv TRUTH.json NAME [REPORT.jsonl
[--min-links=PCT] [--min-attempts=PCT] [--min-success-links=PCT]]:
checks bench/revbusy's truth
against its packets as
tshark decodes them (each segment alone: a reply's first one has its
status line), and with a report, what gw502tui linked.

The truth against tshark (so that it cannot drift from the capture):
every client request on port 80 in the truth's order (client, port, URL
from Host and target); each answer's status, paired in order on the
client's connection; every try the truth names went out where it says
(the gateway's port to that server and port) as it says: an exchange
carries a request for the transaction's path; a refusal has the server's
RST, an unanswered connect only SYNs; and in total the ICMP errors, the
servers' RSTs to SYNs, connects without a SYN/ACK, replies without a
status line and the servers' own 503s are the truth's tallies.

With REPORT (`--report=json --all -p 80`), for every failure the truth
lists: the connection the report's evidence names (its upstream request,
else its last SYN) is the truth's last try's, or none when the proxy
tried nothing; the report's `tries` are the truth's earlier tries that
carried the request (a try that did not connect is not listed there),
in order. PASS at or above --min-links % (default 99) of each. And for
every failure with several tries, the report's `connect.connections`
are the connections of all of them, refused and silent ones too, and no
other (as a set: they are listed in the order they began, a pooled
connection's long before): PASS at or above --min-attempts % (default
0: reported only). And for every success the truth names a try of:
the connection the report links (as for a failure) is the truth's
last try's, the one that served it: PASS at or above
--min-success-links % (default 0: reported only).

Prints `ok - NAME: …` / `not ok - NAME: …` lines and `# ` notes (the
first 12 mislinked failures; REVBUSY_SHOW=N for N); exit 1 when one
fails (or tshark does).
"""
import collections, csv, json, os, sys

from truthcheck import Checks, first, tshark_frames

args = [a for a in sys.argv[1:] if not a.startswith("--")]
min_links, min_attempts, min_success = 99.0, 0.0, 0.0
for a in sys.argv[1:]:
    if a.startswith("--min-links="):
        min_links = float(a.split("=", 1)[1])
    elif a.startswith("--min-attempts="):
        min_attempts = float(a.split("=", 1)[1])
    elif a.startswith("--min-success-links="):
        min_success = float(a.split("=", 1)[1])
pcap, tsvp, jsonp, name = args[:4]
report = args[4] if len(args) > 4 else None
FIELDS = ["frame.number", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport",
          "tcp.stream", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset",
          "tcp.len", "http.request.method", "http.request.uri",
          "http.response.code", "http.host", "icmp.type"]
GW = "10.0.0.1"
check = Checks(name)
truth = list(csv.DictReader(open(tsvp), delimiter="\t"))
counts = json.load(open(jsonp))
front = str(counts["front_port"])
backends = ("8080", "9000")
packets = tshark_frames(check, pcap, FIELDS, (front,) + backends,
                        ("-o", "tcp.desegment_tcp_streams:FALSE"))

frames = {}	# frame -> (server "addr:port", gateway port) of an upstream one
reqs, answers = [], collections.defaultdict(list)
# (server "addr:port", gateway port) -> what went on that connection
conns = collections.defaultdict(lambda: dict(syn=0, synack=0, rst=0,
                                             uris=[], waits=False))
icmp = up503 = upjunk = 0
for f in packets:
    if f["icmp.type"]:
        icmp += first(f["icmp.type"]) == "3"
        continue
    sp, dp = first(f["tcp.srcport"]), first(f["tcp.dstport"])
    src, dst = first(f["ip.src"]), first(f["ip.dst"])
    if dp == front and f["http.request.method"]:
        reqs.append((src, sp, "http://" + f["http.host"] +
                     f["http.request.uri"], f["tcp.stream"]))
    elif sp == front and f["http.response.code"]:
        answers[f["tcp.stream"]].append(f["http.response.code"])
    elif src == GW and dp in backends:
        key = (f"{dst}:{dp}", sp)
        frames[int(f["frame.number"])] = key
        c = conns[key]
        c["syn"] += f["tcp.flags.syn"] == "1"
        if f["http.request.method"]:
            c["uris"].append(f["http.request.uri"])
            c["waits"] = True
    elif dst == GW and sp in backends:
        c = conns[(f"{src}:{sp}", dp)]
        if f["tcp.flags.syn"] == "1":
            c["synack"] += 1
        elif f["tcp.flags.reset"] == "1" and not c["synack"]:
            c["rst"] += 1
        if int(f["tcp.len"] or 0) > 0 and c["waits"]:	# a reply begins
            code = f["http.response.code"]
            up503 += code == "503"
            upjunk += code == ""
            c["waits"] = False

got = [(c, p, u) for c, p, u, _ in reqs]
want = [(t["client"], t["client_port"], t["url"]) for t in truth]
diff = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), None)
check(f"{len(want)} requests in the capture in the truth's order",
      got == want, f"{len(got)} in the capture; first difference at "
      f"#{diff + 1 if diff is not None else min(len(got), len(want)) + 1}")
nth = collections.Counter()
status_bad = []
for (c, p, u, stream), t in zip(reqs, truth):
    k = nth[stream]
    nth[stream] += 1
    got_status = answers[stream][k] if k < len(answers[stream]) else "-"
    if got_status != t["status"]:
        status_bad.append(f"#{t['id']} {u}: {got_status}, truth {t['status']}")
by_status = collections.Counter(t["status"] for t in truth)
check(f"every answer's status is the truth's ({by_status['502']} x 502, "
      f"{by_status['503']} x 503, {by_status['504']} x 504)",
      not status_bad, "; ".join(status_bad[:5]))


def parse_try(s):
    """'addr:port/gport[:cause]' -> (server, gport, cause)"""
    where, _, cause = s.partition(":")[2].partition(":")
    addr = s.split(":")[0]
    port, gport = where.split("/")
    return (f"{addr}:{port}", gport, cause)


try_bad = []
ntries = 0
for t in truth:
    path = t["url"].split("/", 3)[3]
    tries = [] if t["tries"] == "-" else \
        [parse_try(x) for x in t["tries"].split(",")]
    if t["upstream"] != "-":
        last = parse_try(t["upstream"])
        tries.append((last[0], last[1], t["cause"]))
    for server, gport, cause in tries:
        ntries += 1
        c = conns.get((server, gport))
        if c is None:
            ok = False
        elif cause == "tcp-rst":
            ok = c["rst"] > 0
        elif cause in ("syn-unanswered", "icmp-unreachable"):
            ok = c["syn"] > 0 and not c["synack"]
        else:
            ok = "/" + path in c["uris"]
        if not ok:
            try_bad.append(f"#{t['id']} {t['url']}: {server}/{gport} "
                           f"({cause}) not so in the capture")
check(f"each of the truth's {ntries} tries went out as it says",
      not try_bad, "; ".join(try_bad[:4]))
tally = dict(
    icmp=icmp,
    refused=sum(c["rst"] > 0 for c in conns.values()),
    syn_series=sum(c["syn"] > 1 and not c["synack"]
                   for c in conns.values()),
    junk=upjunk, relayed_5xx=up503)
for k, v in tally.items():
    check(f"{k}: {v} in the capture, {counts[k]} in the truth",
          v == counts[k])
check("busy: some requests retried on another server, some answered "
      "502 with no live upstream, some on reused connections",
      counts["retried"] > 0 and counts["no_live"] > 0 and
      counts["reused"] > 0)

if report:
    # in request order, not the report's (a story's end)
    rows = collections.defaultdict(collections.deque)
    for o in sorted((json.loads(line) for line in open(report)),
                    key=lambda o: o.get("request_frame") or 0):
        rows[(o["client"], str(o["client_port"]), o["url"])].append(o)
    links = link_ok = tries_total = tries_ok = 0
    several = several_ok = served = served_ok = 0
    link_bad, tries_bad, conns_bad, served_bad = [], [], [], []
    for t in truth:
        q = rows.get((t["client"], t["client_port"], t["url"]))
        o = q.popleft() if q else None
        frame = None
        if o:
            up = o.get("upstream") or {}
            conn = o.get("connect") or {}
            frame = up.get("request_frame") or \
                (conn.get("syn_frames") or [None])[-1]
        got = frames.get(frame)
        want = None if t["upstream"] == "-" else parse_try(t["upstream"])[:2]
        if t["verdict"] == "ok":
            if want:
                served += 1
                served_ok += bool(o) and got == want
                if not (o and got == want):
                    served_bad.append(f"#{t['id']} {t['url']} (200): "
                                      f"report {'/'.join(got or '-')}, "
                                      f"truth {'/'.join(want)}")
            continue
        links += 1
        if o and got == want:
            link_ok += 1
        else:
            link_bad.append(f"#{t['id']} {t['url']} {t['cause']}: report "
                            f"{'/'.join(got) if got else '-'} "
                            f"(#{o.get('id') if o else '?'}), truth "
                            f"{'/'.join(want) if want else '-'}")
        earlier = [] if t["tries"] == "-" else \
            [parse_try(x) for x in t["tries"].split(",")]
        exch = [x[:2] for x in earlier if x[2] in (
            "upstream-closed", "upstream-timeout", "http-invalid-response")]
        if earlier and want:
            every = {x[:2] for x in earlier} | {want}
            conns = ((o or {}).get("connect") or {}).get("connections", [])
            listed_conns = {(f"{c['server']}:{c['port']}",
                             str(c["gateway_port"])) for c in conns}
            several += 1
            if listed_conns == every:
                several_ok += 1
            else:
                conns_bad.append(f"#{t['id']} {t['url']}: report "
                                 f"connections {sorted(listed_conns)}, "
                                 f"truth {sorted(every)}")
        listed = [frames.get(x.get("request_frame"))
                  for x in (o.get("tries") or [])] if o else []
        tries_total += 1
        if listed == exch:
            tries_ok += 1
        else:
            tries_bad.append(f"#{t['id']} {t['url']}: report tries "
                             f"{listed}, truth {exch}")
    pl = 100.0 * link_ok / links if links else 100.0
    pt = 100.0 * tries_ok / tries_total if tries_total else 100.0
    check(f"the failures' linked connection is the truth's last try: "
          f"{link_ok}/{links} = {pl:.2f} % (min {min_links} %)",
          pl >= min_links, "; ".join(link_bad[:4]))
    check(f"the failures' tries are the truth's earlier tries that carried "
          f"the request: {tries_ok}/{tries_total} = {pt:.2f} % (min "
          f"{min_links} %)", pt >= min_links, "; ".join(tries_bad[:4]))
    pc = 100.0 * several_ok / several if several else 100.0
    check(f"the failures of several tries list every try's connection "
          f"(connect.connections): {several_ok}/{several} = {pc:.2f} % "
          f"(min {min_attempts} %)", pc >= min_attempts,
          "; ".join(conns_bad[:4]))
    ps = 100.0 * served_ok / served if served else 100.0
    check(f"the successes' linked connection is the try that served them: "
          f"{served_ok}/{served} = {ps:.2f} % (min {min_success} %)",
          ps >= min_success, "; ".join(served_bad[:4]))
    for w in (link_bad + tries_bad + conns_bad)[
            :int(os.environ.get("REVBUSY_SHOW", "12"))]:
        print(f"#   {w}")
sys.exit(1 if check.bad else 0)
