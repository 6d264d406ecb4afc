#!/usr/bin/env python3
"""busy_truth_check.py PCAP TRUTH.tsv TRUTH.json NAME: checks bench/busy's
truth against its packets as tshark decodes them, so the truth cannot drift
from the capture. Prints `ok - NAME: …` / `not ok - NAME: …` lines; exit 1
when one fails (or tshark does).

Per transaction: the client's request (client, port, URL, in request
order), the gateway's answer status (paired in order on the client's
connection), and the DNS state the cause claims — a DNS failure has its
answer (NXDOMAIN within the SOA's negative TTL, SERVFAIL/REFUSED, or only
queries; with `busy --drop-aaaa`, an AAAA query of the proxy's, the host's
AAAA never answered in the capture) before the gateway's answer; every
other request had an address, fresh or cached within its TTL. In total: ICMP errors, upstream 5xx status
lines, upstream replies without one, connections reused from the pool,
unanswered SYN series with Linux's 1, 2, 4 s backoff (with `busy
--retries N`, N + 1 ICMP errors and junk replies per such request); and
that the busy
cases exist: keep-alive clients, connections to a host's second address,
successes completing between a failing request and its error answer.

With two proxies (`busy --proxies 2`: the truth's JSON lists each one's
port, resolver socket, or sockets (nginx with `--dns-servers N`: one per
server), and nginx's `valid`), the DNS state is each proxy's own: the
answers its resolver sockets received (kept `valid` whole seconds by
nginx, the TTL by squid). Then also: only those sockets ask, each proxy
has one that asks three names within a second (a resolver's own); with
several servers, a look-up's resends go to each in turn, same IDs;
some hosts' answers flip between addresses; every request the gateway
forwarded went to an address of its proxy's answer, and every tcp-rst or
syn-unanswered failure has an attempt to one (RST, or SYNs never
answered) between the request and its answer; and some of those failures
came from a stale cache: the other proxy's socket had been told another
address since.
"""
import collections, csv, json, sys

from truthcheck import Checks, first, tshark_frames

pcap, tsvp, jsonp, name = sys.argv[1:5]
FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst",
          "tcp.srcport", "tcp.dstport", "tcp.stream", "tcp.flags.syn",
          "tcp.flags.ack", "tcp.flags.reset", "tcp.len",
          "http.request.method", "http.request.uri", "http.response.code",
          "dns.flags.response", "dns.flags.rcode", "dns.qry.name",
          "dns.qry.type", "dns.a", "dns.resp.ttl",
          "dns.soa.minimum_ttl", "icmp.type", "udp.srcport", "udp.dstport",
          "dns.id",
          "http.host"]
check = Checks(name)

PROXY = ("9090", "3128", "8080")	# bench/busy's proxy ports
# bench/busy's timing: the gateway reads a request READ after its frame
# and has a look-up's answer HAD after the A answer's frame (s)
READ, HAD, EDGE = 120e-6, 200e-6, 2e-6
packets = tshark_frames(check, pcap, FIELDS, PROXY)
truth = list(csv.DictReader(open(tsvp), delimiter="\t"))
counts = json.load(open(jsonp))
# --proxies 2: proxy port -> (its resolver sockets' ports, nginx's valid)
proxies = {str(x["port"]): (set(x.get("resolver_ports", [x["resolver_port"]])),
                            x["valid"])
           for x in counts.get("proxies", [])}
proxy_of = {s: port for port, (socks, _) in proxies.items() for s in socks}

reqs, answers = [], collections.defaultdict(list)
# host -> [(t, rcode, ttl, soa_min, socket port, addresses)]
dns_ans = collections.defaultdict(list)
dns_q = collections.defaultdict(list)	# host -> [t]
sends = collections.defaultdict(list)	# (host, A's id) -> [(socket, server)]
asks = collections.defaultdict(list)	# socket port -> [(t, name)]
fwd = collections.defaultdict(list)	# (host, path) -> [(t, address)]
up = collections.defaultdict(lambda: dict(syn=[], synack=0, rst=0, reqs=0,
                                          dst=None))
dns_two = collections.defaultdict(set)	# host -> its second addresses
# AAAA: host -> [(t, socket port)] queries; hosts with an AAAA answer
aaaa_q, aaaa_answered = collections.defaultdict(list), set()
up5xx = upinvalid = icmp = 0
for f in packets:
    t = float(f["frame.time_epoch"])
    sp, dp = first(f["tcp.srcport"]), first(f["tcp.dstport"])
    if f["icmp.type"]:
        icmp += first(f["icmp.type"]) == "3"
        continue
    if f["dns.qry.name"] and first(f["dns.qry.type"]) == "28":
        if f["dns.flags.response"] == "1":
            aaaa_answered.add(f["dns.qry.name"])
        else:
            aaaa_q[f["dns.qry.name"]].append((t, int(f["udp.srcport"])))
        continue
    if f["dns.qry.name"] and first(f["dns.qry.type"]) == "1":
        host = f["dns.qry.name"]
        if f["dns.flags.response"] == "1":
            if f["dns.a"].count(",") == 1:
                dns_two[host].add(f["dns.a"].split(",")[1])
            ttl = f["dns.resp.ttl"].split(",")
            dns_ans[host].append((t, int(f["dns.flags.rcode"]),
                                  int(ttl[0]) if ttl[0] else None,
                                  int(f["dns.soa.minimum_ttl"])
                                  if f["dns.soa.minimum_ttl"] else None,
                                  int(f["udp.dstport"]),
                                  set(filter(None, f["dns.a"].split(",")))))
        else:
            dns_q[host].append(t)
            asks[int(f["udp.srcport"])].append((t, host))
            sends[(host, f["dns.id"])].append((int(f["udp.srcport"]),
                                               first(f["ip.dst"])))
        continue
    if not sp:
        continue
    if dp in PROXY and f["http.request.method"]:
        reqs.append((t, first(f["ip.src"]), sp, f["http.request.uri"],
                     f["tcp.stream"], dp))
    elif sp in PROXY and f["http.response.code"]:
        answers[f["tcp.stream"]].append((t, f["http.response.code"]))
    elif dp in ("80", "443"):
        u = up[f["tcp.stream"]]
        if f["tcp.flags.syn"] == "1":
            u["syn"].append(t)
            u["dst"] = first(f["ip.dst"])
        u["reqs"] += f["http.request.method"] != ""
        if f["http.request.method"]:
            fwd[(f["http.host"], f["http.request.uri"])].append(
                (t, first(f["ip.dst"])))
    elif sp in ("80", "443"):
        u = up[f["tcp.stream"]]
        u["synack"] += f["tcp.flags.syn"] == "1"
        u["rst"] += f["tcp.flags.reset"] == "1" and not u["synack"]
        if sp == "80" and int(f["tcp.len"] or 0) > 0:
            code = f["http.response.code"]
            up5xx += code in ("502", "503", "504")
            upinvalid += code == ""

# the requests, in request order
got = [(c, p, u) for _, c, p, u, _, _ in reqs]
want = [(t["client"], t["client_port"], t["url"]) for t in truth]
diff = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), None)
check(f"{len(want)} requests in the capture in the truth's order",
      got == want, f"{len(got)} in the capture; first difference at "
      f"#{diff + 1 if diff is not None else min(len(got), len(want)) + 1}")

# each request's answer: the next one on its connection
nth = collections.Counter()
status_bad, dns_bad, ans_time = [], [], []
used = []	# per request: the A answer its proxy's cache gave, or None
for (treq, c, p, url, stream, pport), tr in zip(reqs, truth):
    k = nth[stream]
    nth[stream] += 1
    ans = answers[stream][k] if k < len(answers[stream]) else (None, "-")
    tans, status = ans
    ans_time.append(tans)
    used.append(None)
    if status != tr["status"]:
        status_bad.append(f"#{tr['id']} {url}: {status}, truth {tr['status']}")
    if tans is None:
        continue
    host = url.split("/")[2] if url.startswith("http://") else url.split(":")[0]
    # the cache at the request: the host's last answer before it (its
    # proxy's socket's, with two proxies), if still valid when the gateway
    # reads the request (READ after its frame) counted from when it had
    # the answer (HAD after the A answer's frame); nginx counts whole
    # seconds. EDGE: the frames' times are whole µs
    socks, valid = proxies.get(pport, (None, 0))
    mine = [a for a in dns_ans[host] if socks is None or a[4] in socks]
    before = [a for a in mine if a[0] <= treq]
    after = [a for a in mine if treq < a[0] <= tans]
    lastb = before[-1] if before else None
    read = treq + READ
    if valid:
        pos = lastb and lastb[1] == 0 and \
            read < int(lastb[0] + HAD) + valid + 1 + EDGE
    else:
        pos = lastb and lastb[1] == 0 and \
            read < lastb[0] + HAD + lastb[2] + EDGE
    neg = lastb and lastb[1] == 3 and read < lastb[0] + HAD + lastb[3] + EDGE
    fresh = after[0][1] if after and not pos and not neg else None
    # a look-up in flight when the gateway read the request (its A
    # answered just before the request's frame, its AAAA not yet)
    flight = lastb[1] if lastb and read < lastb[0] + HAD else None
    cause = tr["cause"]
    if cause == "dns-nxdomain":
        ok = neg or fresh == 3
    elif cause == "dns-error":
        ok = fresh in (2, 5) or flight in (2, 5)
    elif cause == "dns-no-response":
        # or (busy --drop-aaaa) the host's server never answers AAAA and
        # the proxy asked it while the request waited: nginx waits for
        # both, whatever the A said
        ok = (not pos and not neg and not after and any(
            treq - 5 <= q <= tans for q in dns_q[host])) or (
            host not in aaaa_answered and any(
                treq - 7 <= q <= tans and (socks is None or sp in socks)
                for q, sp in aaaa_q[host]))
    else:
        ok = pos or fresh == 0
        used[-1] = lastb if pos else after[0] if ok else None
    if not ok:
        dns_bad.append(f"#{tr['id']} {url} {cause}: A answers before the "
                       f"request {before[-1:]}, then {after[:1]}")
check("every answer's status is the truth's (paired in order on its "
      "connection)", not status_bad, "; ".join(status_bad[:5]))
by_status = collections.Counter(t["status"] for t in truth)
check(f"gateway errors: {by_status['502']} × 502, {by_status['503']} × 503, "
      f"{by_status['504']} × 504", not status_bad)
check("each cause's DNS state holds (NXDOMAIN within the SOA's negative "
      "TTL, SERVFAIL/REFUSED, unanswered queries, else an address within "
      "its TTL)", not dns_bad, "; ".join(dns_bad[:5]))

causes = collections.Counter(t["cause"] for t in truth)
# `busy --retries N`: each refused or junk-answered request tried N more
# times, every try failing as the first
tries = counts.get("retries", 0) + 1
per = f" × {tries} tries" if tries > 1 else ""
check(f"{icmp} ICMP unreachable = icmp-unreachable transactions{per}",
      icmp == causes["icmp-unreachable"] * tries,
      f"truth {causes['icmp-unreachable']}")
check(f"{up5xx} upstream 5xx status lines = upstream-5xx transactions",
      up5xx == causes["upstream-5xx"], f"truth {causes['upstream-5xx']}")
check(f"{upinvalid} upstream replies without a status line = "
      f"http-invalid-response transactions{per}",
      upinvalid == causes["http-invalid-response"] * tries,
      f"truth {causes['http-invalid-response']}")
reused = sum(max(0, u["reqs"] - 1) for u in up.values())
check(f"{reused} upstream requests on a pooled connection = the truth's "
      "reuses", reused == counts["upstream_reused"],
      f"truth {counts['upstream_reused']}")
unanswered = [u["syn"] for u in up.values()
              if u["syn"] and not u["synack"] and not u["rst"]]
backoff = all(abs((b - a) - 2 ** i) < 0.01
              for s in unanswered for i, (a, b) in enumerate(zip(s, s[1:])))
check(f"{len(unanswered)} unanswered SYN series (>= "
      f"{causes['syn-unanswered']} syn-unanswered), retries after 1, 2, 4 s",
      len(unanswered) >= causes["syn-unanswered"] and backoff)
refused = sum(1 for u in up.values() if u["rst"])
check(f"{refused} connections refused by RST (>= {causes['tcp-rst']} tcp-rst)",
      refused >= causes["tcp-rst"])
multi = sum(1 for v in nth.values() if v > 1)
check(f"{multi} client connections carry several requests", multi > 0)
# overlap: a quick success to the same host between a failing request and
# its error answer (the case a completion-order correlation gets wrong)
spans = collections.defaultdict(list)	# host -> [(t req, t answer, ok)]
for (treq, c, p, url, stream, _), tr, tans in zip(reqs, truth, ans_time):
    host = url.split("/")[2] if url.startswith("http://") else url.split(":")[0]
    if tans is not None:
        spans[host].append((treq, tans, tr["verdict"] == "ok"))
overlap = 0
for v in spans.values():
    oks = [(a, b) for a, b, good in v if good]
    for a, b, good in v:
        if not good and b - a > 0.01:
            overlap += any(a < x and y < b for x, y in oks)
check(f"{overlap} failing requests see a success to their host complete "
      "before their error answer", overlap > 0)
second = {a for h in dns_two.values() for a in h}
tried = sum(1 for u in up.values() if u["dst"] in second)
check(f"{tried} connections to a host's second address", tried > 0)
nx = [a for h in dns_ans.values() for a in h if a[1] == 3]
check(f"{len(nx)} NXDOMAIN answers, each with the SOA's negative TTL",
      all(a[3] is not None for a in nx))

if not proxies:
    sys.exit(1 if check.bad else 0)
# ---- two proxies, a resolver socket and a cache each
want = set(proxy_of)
check(f"DNS asked from the proxies' {len(want)} resolver sockets only",
      set(asks) == want, f"sockets {sorted(asks)}, truth {sorted(want)}")


def kept(l):	# three names within a second (the first 64 asks from each)
    return any(len({n for t, n in l[i:i + 64] if t - l[i][0] < 1}) >= 3
               for i in range(len(l)))


check("each proxy has a socket that asks three names within a second (a "
      "resolver's own)", all(any(kept(asks[s]) for s in socks)
                            for socks, _ in proxies.values()))
several = [v for v in proxies.values() if len(v[0]) > 1]
if several:
    # nginx's resends: each to the next server from its socket, same IDs
    ngx = several[0][0]
    resent = [l for l in sends.values() if len(l) > 1 and l[0][0] in ngx]
    turns = all(len({srv for _, srv in l[:len(ngx)]}) == min(len(l), len(ngx))
                and len({s for s, _ in l[:len(ngx)]}) == len({srv for _, srv
                                                             in l[:len(ngx)]})
                and all(s in ngx for s, _ in l) for l in resent)
    check(f"{len(resent)} silent look-ups resent to each server in turn "
          "from its socket, same IDs", resent and turns)
flips = [h for h, l in dns_ans.items()
         if len({frozenset(a[5]) for a in l if a[1] == 0 and a[5]}) > 1]
check(f"{len(flips)} hosts' A records flip between addresses", flips)
# each request the gateway forwarded or tried: to its proxy's address
fwd_bad, try_bad, stale = [], [], collections.Counter()
for (treq, c, p, url, stream, pport), tr, tans, a in zip(reqs, truth,
                                                         ans_time, used):
    cause = tr["cause"]
    if a is None or tans is None:
        continue
    host = url.split("/")[2] if url.startswith("http://") else url.split(":")[0]
    if url.startswith("http://") and cause in (
            "none", "upstream-5xx", "http-invalid-response",
            "upstream-timeout", "upstream-closed"):
        path = "/" + url.split("/", 3)[3]
        if not any(treq <= t <= tans and d in a[5]
                   for t, d in fwd[(host, path)]):
            fwd_bad.append(f"#{tr['id']} {url} via {pport}: no request to "
                           f"{sorted(a[5])}")
    if cause not in ("tcp-rst", "syn-unanswered"):
        continue
    if not any(u["syn"] and treq <= u["syn"][0] <= tans and u["dst"] in a[5]
               and (u["rst"] if cause == "tcp-rst" else
                    not u["rst"] and not u["synack"])
               for u in up.values()):
        try_bad.append(f"#{tr['id']} {url} {cause} via {pport}: no such "
                       f"attempt to {sorted(a[5])}")
    # stale: the other socket was told another address after this answer
    if any(proxy_of[b[4]] != proxy_of[a[4]] and a[0] < b[0] <= treq and
           b[1] == 0 and b[5]
           and b[5] != a[5] for b in dns_ans[host]):
        stale[cause] += 1
check("each forwarded request went to an address of its proxy's answer",
      not fwd_bad, "; ".join(fwd_bad[:5]))
check("each tcp-rst / syn-unanswered has its attempt to an address of its "
      "proxy's answer (RST / SYNs unanswered)", not try_bad,
      "; ".join(try_bad[:5]))
check(f"{sum(stale.values())} of them on a stale cache ({stale['tcp-rst']} "
      f"tcp-rst, {stale['syn-unanswered']} syn-unanswered): the other "
      "proxy had been told another address since", sum(stale.values()) > 0)
sys.exit(1 if check.bad else 0)
