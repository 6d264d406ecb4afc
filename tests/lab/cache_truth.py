#!/usr/bin/env python3
"""cache_truth.py: the truth of the cache lab (record_cache.sh).

usage: cache_truth.py --capture PCAP --client CLIENT.tsv --backends FILE
                      --varnish-log LOG --caddy-error LOG --caddy-access LOG
                      --truth OUT.tsv

CLIENT.tsv: scenario, proxy port, path, client port, curl's status (000:
no answer), phase (seq: one at a time; batch: every host at once; crowd:
six clients at once, one URL; late: a failed Varnish crowd's URL once
more when the crowd is answered; hit: the ok crowd's URL again through
Varnish). FILE: scenario, backend address, backend port, mode.

Each request is found in the capture by its client port and path; its
time window runs from its request to its answer (a crowd's: from its
first request to its last answer). What each proxy says of it: Varnish,
varnishncsa's lines (LOG: side, vxid, client port, Host, URL, status,
handling, the fetch a request began, FetchError, backend address, the
request a fetch is for): the client line's status and handling (miss:
it began the fetch; hit: it was served the object of the fetch its Hit
record names, a crowd's waiters the one fetch's; a late request the
failed fetch's 503, which Varnish keeps a second when requests waited
on it and serves stale for five more, fetching again in the
background: one answered otherwise is left out), the fetch's
FetchError ("errno 111": refused; "errno
110": the connect timed out; "errno 113": no route, an ICMP error; "HTC
eof": the backend closed before a whole head, with no status line or
without a byte, which tshark tells apart; "first byte timeout");
Caddy, its JSON error log by client port and URI ("connection
refused", "i/o timeout" while dialing, "no route to host", "malformed
HTTP status code", "EOF", "timeout awaiting response headers") and its
access log's status. tshark shows the backend's side in the window:
the gateway's SYNs to the host's backend and what answered them (SYN-
ACK, RST, ICMP administratively prohibited, nothing), the requests for
the path on the gateway's connections to it and what came back (a
status line and its code, bytes without one, the backend's FIN before
any byte, nothing until the gateway gave up). The proxy's word, the
packets and the scenario must agree, as must curl's status, the
capture's and the log's; a Varnish crowd must have made one backend
fetch (one miss, five hits), a Caddy crowd six, the cache hit none, any
other request one: anything else fails the recording (exit 1, nothing
written). Writes one line per request: proxy, gateway_port, host, url,
client_port, status (0: none), verdict, cause, backend (address:port),
fetches (the backend fetches tshark saw for the request's URL in its
window: connections tried for a connect failure, requests carried
otherwise; a crowd's, for each of its six; a late one's, whatever its
time holds, not checked: a background fetch may begin in it),
coalesced (1: a Varnish crowd's waiter or a late request, served by a
fetch another request began; 0 otherwise), phase.
"""
import argparse
import json
import sys

from reply_truth import read_backends, tshark

CLIENT = "10.249.0.11"
GATEWAY = "10.249.0.1"
PROXIES = {80: "varnish", 8081: "caddy"}
CROWD = 6
VERDICT = {"tcp-rst": "cannot-connect", "icmp-unreachable": "cannot-connect",
           "syn-unanswered": "cannot-connect",
           "http-invalid-response": "bad-response",
           "upstream-closed": "bad-response", "upstream-timeout": "bad-response",
           "upstream-5xx": "relayed", "none": "ok"}
# what each scenario's backend does (record_cache.sh's BACKENDS)
SCENARIO = {"ok": "none", "rst": "tcp-rst", "drop": "syn-unanswered",
            "admin": "icmp-unreachable", "nostatus": "http-invalid-response",
            "close": "upstream-closed", "silent": "upstream-timeout",
            "relay": "upstream-5xx"}
CONNECT = ("tcp-rst", "icmp-unreachable", "syn-unanswered")
# the proxies' words for a failure: the causes each may be
VARNISH_ERROR = (("errno 111", {"tcp-rst"}), ("errno 110", {"syn-unanswered"}),
                 ("errno 113", {"icmp-unreachable"}),
                 # a backend closing before a whole head, with bytes or none
                 ("HTC eof", {"http-invalid-response", "upstream-closed"}),
                 ("first byte timeout", {"upstream-timeout"}))
CADDY_ERROR = (("connect: connection refused", {"tcp-rst"}),
               ("i/o timeout", {"syn-unanswered"}),
               ("no route to host", {"icmp-unreachable"}),
               ("malformed HTTP status code", {"http-invalid-response"}),
               ("timeout awaiting response headers", {"upstream-timeout"}))
# the status each proxy answers a cause with
STATUS = {"varnish": {"none": 200, "upstream-5xx": 502},
          "caddy": {"none": 200, "upstream-5xx": 502, "upstream-timeout": 504}}
FAILED = {"varnish": 503, "caddy": 502}


def relayed(status):
    """A proxy's answer with no error logged: the backend's own."""
    return {200: {"none"}, 502: {"upstream-5xx"}}.get(status, set())


def varnish_said(path):
    """({(client port, URL): (status, handling, fetch vxid, the vxid of
    the fetch whose object a hit got)}, {fetch vxid: (URL, status,
    FetchError)}) from varnishncsa's lines."""
    clients, fetches = {}, {}
    for line in open(path, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) != 12:
            continue
        side, vxid, port, _, url, status, handling, link, error = f[:9]
        if side == "c" and port.isdigit():
            clients[(int(port), url)] = (int(status), handling, link, f[11])
        elif side == "b":
            fetches[vxid] = (url, int(status), error)
    return clients, fetches


def caddy_said(error_log, access_log):
    """({(client port, URI): error message}, {(client port, URI): status})
    from Caddy's JSON error and access logs."""
    def lines(path):
        for line in open(path, encoding="utf-8", errors="replace"):
            try:
                o = json.loads(line)
            except ValueError:
                continue
            r = o.get("request")
            if isinstance(r, dict) and "remote_port" in r:
                yield (int(r["remote_port"]), r.get("uri")), o
    errors = {k: o.get("msg", "") for k, o in lines(error_log)
              if o.get("logger", "").startswith("http.log.error")}
    statuses = {k: o.get("status") for k, o in lines(access_log)}
    return errors, statuses


def causes_of(words, text):
    """The causes a proxy's error text may mean (empty: none known)."""
    for word, causes in words:
        if word in text:
            return causes
    return set()


class Packets:
    """What tshark shows of the client's requests and the gateway's
    traffic with the backends."""

    def __init__(self, read):
        self.requests = {}   # (client port, URI): (proxy port, time)
        for port, dport, uri, t in read(
                f"http.request && ip.src=={CLIENT}",
                ["tcp.srcport", "tcp.dstport", "http.request.uri",
                 "frame.time_epoch"]):
            self.requests[(int(port), uri)] = (int(dport), float(t))
        self.answers = {}    # (client port, URI): (status, time)
        for port, code, uri, t in read(
                f"http.response && ip.dst=={CLIENT}",
                ["tcp.dstport", "http.response.code", "http.response_for.uri",
                 "frame.time_epoch"]):
            # the request's URI with the Host: http://HOST/PATH
            path = "/" + uri.split("/", 3)[3] if "://" in uri else uri
            self.answers[(int(port), path)] = (int(code), float(t))
        backend = f"ip.dst=={GATEWAY} && !(ip.src=={CLIENT})"
        self.syns = [(a, int(dp), int(sp), float(t)) for a, dp, sp, t in read(
            f"tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src=={GATEWAY} && "
            f"!(ip.dst=={CLIENT})",
            ["ip.dst", "tcp.dstport", "tcp.srcport", "frame.time_epoch"])]
        # the answers to them, by (backend address, port, gateway's port)
        self.synacks = {(a, int(sp), int(dp)) for a, sp, dp in read(
            f"tcp.flags.syn==1 && tcp.flags.ack==1 && {backend}",
            ["ip.src", "tcp.srcport", "tcp.dstport"])}
        self.rsts = {(a, int(sp), int(dp)) for a, sp, dp in read(
            f"tcp.flags.reset==1 && {backend} && !icmp",
            ["ip.src", "tcp.srcport", "tcp.dstport"])}
        # the outer source (the backend's address), the quoted ports
        self.icmps = {(a, int(dp), int(sp)) for a, sp, dp in read(
            "icmp.type==3 && icmp.code==13",
            ["ip.src", "tcp.srcport", "tcp.dstport"])}
        # the requests the gateway sent the backends
        self.carried = [(a, int(st), uri, float(t)) for a, st, uri, t in read(
            f"http.request && ip.src=={GATEWAY} && !(ip.dst=={CLIENT})",
            ["ip.dst", "tcp.stream", "http.request.uri", "frame.time_epoch"])]
        # by stream: the backend's bytes (hex), its FINs, the gateway's
        self.bytes, self.fins, self.gw_fins = {}, {}, {}
        for st, t, payload in read(f"tcp.len>0 && {backend} && !icmp",
                                   ["tcp.stream", "frame.time_epoch",
                                    "tcp.payload"]):
            self.bytes.setdefault(int(st), []).append(
                (float(t), payload.replace(":", "")))
        for st, t in read(f"tcp.flags.fin==1 && {backend}",
                          ["tcp.stream", "frame.time_epoch"]):
            self.fins.setdefault(int(st), []).append(float(t))
        for st, t in read(f"tcp.flags.fin==1 && ip.src=={GATEWAY} && "
                          f"!(ip.dst=={CLIENT})",
                          ["tcp.stream", "frame.time_epoch"]):
            self.gw_fins.setdefault(int(st), []).append(float(t))

    def attempts(self, addr, port, start, end):
        """The gateway's connections tried to addr:port in [start, end]:
        {its port: how they ended}, tcp-rst, icmp-unreachable,
        syn-unanswered or connected."""
        tried = {}
        for a, dp, sp, t in self.syns:
            if a == addr and dp == port and start <= t <= end:
                key = (a, dp, sp)
                tried[sp] = "connected" if key in self.synacks else \
                    "tcp-rst" if key in self.rsts else \
                    "icmp-unreachable" if key in self.icmps else \
                    "syn-unanswered"
        return tried

    def replies(self, addr, url, start, end):
        """How the backend at addr answered each request for url the
        gateway sent it in [start, end], in order: none (a status line:
        its code below), upstream-5xx, http-invalid-response (bytes
        without a status line), upstream-closed (its FIN before any
        byte), upstream-timeout (nothing until the gateway closed, at
        least 2.5 s later)."""
        got = []
        for a, st, uri, t in sorted(self.carried, key=lambda c: c[3]):
            if a != addr or uri != url or not start <= t <= end:
                continue
            later = [b for b in self.bytes.get(st, []) if b[0] >= t]
            if later:
                got.append(self.cause_of(min(later)[1]))
                continue
            fin = min((f for f in self.fins.get(st, []) if f >= t),
                      default=None)
            gw = min((f for f in self.gw_fins.get(st, []) if f >= t),
                     default=None)
            if fin is not None and (gw is None or fin < gw):
                got.append("upstream-closed")
            elif gw is not None and gw - t >= 2.5:
                got.append("upstream-timeout")
            else:
                got.append("unclear")
        return got

    @staticmethod
    def cause_of(payload):
        """The cause a backend's first bytes (hex) mean: none (a 2xx
        status line), upstream-5xx (a 5xx one), http-invalid-response
        (no status line)."""
        line = bytes.fromhex(payload[:64]).decode("latin-1")
        if not line.startswith("HTTP/"):
            return "http-invalid-response"
        code = line.split(" ")[1] if " " in line else ""
        return "none" if code.startswith("2") else \
            "upstream-5xx" if code.startswith("5") else f"status {code}"


def main():
    ap = argparse.ArgumentParser()
    for a in ("capture", "client", "backends", "varnish_log", "caddy_error",
              "caddy_access", "truth"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    o = ap.parse_args()
    backends = read_backends(o.backends)
    http_ports = sorted(set(PROXIES) | {p for _, p in backends.values()})

    def read(flt, fields):
        return tshark(o.capture, flt, fields, http_ports)
    pk = Packets(read)
    v_clients, v_fetches = varnish_said(o.varnish_log)
    c_errors, c_statuses = caddy_said(o.caddy_error, o.caddy_access)

    bad = 0

    def disagree(what):
        nonlocal bad
        print(f"DISAGREE {what}", file=sys.stderr)
        bad += 1

    asked = []
    for line in open(o.client, encoding="utf-8"):
        name, pport, path, cport, code, phase = line.rstrip("\n").split("\t")
        asked.append((name, int(pport), path, int(cport), int(code), phase))
    for key in set(pk.requests) - {(c, p) for _, _, p, c, _, _ in asked}:
        disagree(f"{key[1]} from port {key[0]}: a request nobody asked")
    # each request's window: from its request to its answer; a crowd's
    # (proxy, path), from its first request to its last answer
    window = {}
    for name, pport, path, cport, code, phase in asked:
        req = pk.requests.get((cport, path))
        ans = pk.answers.get((cport, path))
        if req is None or ans is None or req[0] != pport:
            disagree(f"{PROXIES[pport]} {name} {path}: no request from port "
                     f"{cport} to :{pport} with its answer in the capture")
            continue
        key = (pport, path, phase) if phase == "crowd" else (pport, path, cport)
        s, e = window.get(key, (req[1], ans[1]))
        window[key] = (min(s, req[1]), max(e, ans[1]))

    rows = []
    crowds = {}     # (proxy, path): [rows]
    crowd_fetches = {}  # (proxy port, path): the fetches Varnish named
    for name, pport, path, cport, code, phase in asked:
        proxy = PROXIES[pport]
        key = (pport, path, phase) if phase == "crowd" else (pport, path, cport)
        if key not in window or (cport, path) not in pk.requests:
            continue
        start, end = window[key]
        addr, bport = backends[name]
        want = SCENARIO[name]
        what = f"{proxy} {name} {path} (port {cport}, {phase})"
        seen = pk.answers[(cport, path)][0]
        # the status: curl's, the capture's, the log's and the proxy's way
        expect = STATUS[proxy].get(want, FAILED[proxy])
        if proxy == "varnish":
            v = v_clients.get((cport, path))
            if v is None:
                disagree(f"{what}: varnishncsa has no line for it")
                continue
            logged, handling, link, hit = v
            fetch = link if link != "-" else None
            if phase == "late":
                # served the failed fetch's 503 (after its second, stale:
                # Varnish then fetches again in the background, Link)
                if handling != "hit" or hit not in v_fetches:
                    print(f"# {what}: left out: Varnish handled it as "
                          f"{handling}, fetch {link}, object {hit} (past "
                          "the six seconds it serves a failed fetch's 503)",
                          file=sys.stderr)
                    continue
                fetch = hit
            elif phase == "crowd" or phase == "hit":
                # a hit names the fetch that made its object
                fetch = hit if handling == "hit" else fetch
                if fetch not in v_fetches:
                    disagree(f"{what}: Varnish handled it as {handling}, "
                             f"fetch {link}, object {hit}: no fetch named")
                    continue
                if phase == "crowd":
                    crowd_fetches.setdefault((pport, path), set()).add(fetch)
            elif handling != "miss" or fetch not in v_fetches:
                disagree(f"{what}: Varnish handled it as {handling}, fetch "
                         f"{link}: not a fetch of its own")
                continue
            if phase == "hit" and handling != "hit":
                disagree(f"{what}: asked again, Varnish handled it as "
                         f"{handling}, not a hit")
            furl, fstatus, error = v_fetches[fetch]
            if furl != path:
                disagree(f"{what}: its fetch {fetch} was for {furl}")
            said = causes_of(VARNISH_ERROR, error) if error != "-" else \
                relayed(fstatus)
        else:
            logged = c_statuses.get((cport, path))
            error = c_errors.get((cport, path))
            if logged is None:
                disagree(f"{what}: Caddy's access log has no line for it")
                continue
            if error is not None:
                said = causes_of(CADDY_ERROR, error) or \
                    ({"upstream-closed"} if error.endswith("EOF") else set())
            else:
                said = relayed(logged)
                error = "-"
        if not code == seen == logged == expect:
            disagree(f"{what}: status: curl {code}, capture {seen}, log "
                     f"{logged}, {proxy} answers {expect} for {want}")
        # the packets: connections tried, requests carried and their
        # answers, in the window
        tried = pk.attempts(addr, bport, start, end)
        replies = pk.replies(addr, path, start, end)
        if phase == "hit":
            got, fetches = ("none" if not replies else "fetched"), len(replies)
        elif phase == "late":
            # the failed fetch's 503 from the cache: what its packets say
            # is the crowd's (a background fetch may begin in its time)
            got, fetches = want, len(tried) + len(replies)
        elif want in CONNECT:
            outcomes = set(tried.values())
            got = outcomes.pop() if len(outcomes) == 1 else \
                f"connects ended {sorted(outcomes)}"
            fetches = len(tried)
            if replies:
                got = f"{len(replies)} requests carried to a backend refusing"
        else:
            outcomes = set(replies)
            got = outcomes.pop() if len(outcomes) == 1 else \
                f"replies {sorted(outcomes)}"
            fetches = len(replies)
        if not (want == got and want in said):
            disagree(f"{what}: the scenario is {want}, the packets show "
                     f"{got} ({len(tried)} connections to {addr}:{bport}), "
                     f"{proxy} logged {error!r} ({sorted(said) or 'nothing known'})")
            continue
        need = {"hit": 0, "crowd": 1 if proxy == "varnish" else CROWD}.get(
            phase, 1)
        if phase != "late" and fetches != need:
            disagree(f"{what}: {fetches} backend fetches for the URL in its "
                     f"time, {proxy} makes {need}")
            continue
        coalesced = int(proxy == "varnish" and phase in ("crowd", "late")
                        and handling == "hit")
        row = [proxy, str(pport), f"{name}.cache.test", path, str(cport),
               str(code), VERDICT[want], want, f"{addr}:{bport}",
               str(fetches), str(coalesced), phase]
        rows.append(row)
        if phase == "crowd":
            crowds.setdefault((proxy, path), []).append(row)
    # a crowd: six requests; through Varnish one miss (the fetch) and five
    # waiters served by it
    for (proxy, path), members in crowds.items():
        waiters = sum(int(r[10]) for r in members)
        if len(members) != CROWD or (proxy == "varnish" and waiters != CROWD - 1):
            disagree(f"{proxy} crowd {path}: {len(members)} requests, "
                     f"{waiters} served by another's fetch")
    for (pport, path), ids in crowd_fetches.items():
        if len(ids) != 1:
            disagree(f"varnish crowd {path}: served by fetches {sorted(ids)}, "
                     "not one")
    if not crowds:
        disagree("no crowd in the recording")
    if bad or not rows:
        return 1
    with open(o.truth, "w", encoding="utf-8") as f:
        f.write("proxy\tgateway_port\thost\turl\tclient_port\tstatus\tverdict"
                "\tcause\tbackend\tfetches\tcoalesced\tphase\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
