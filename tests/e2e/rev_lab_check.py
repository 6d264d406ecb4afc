#!/usr/bin/env python3
"""rev_lab_check.py GW_BIN CAPTURE [OPTION...]: the reverse-proxy lab against
its truth.

Runs `GW_BIN -p 80,8081,8082 [OPTION...] --report=json --all CAPTURE` and compares each
client request with CAPTURE's .truth.tsv (tests/lab/rev_truth.py, from
HAProxy's and nginx's logs, curl and tshark): status, verdict and cause;
the backend named (address and port) and the number of the gateway's
connections to it linked (HAProxy's four attempts of a failed connect);
for a failure, the servers nginx sent the request to before the last
(its $upstream_addr), in order, as the report's "tries";
where HAProxy tried nothing (its backend marked down), no backend, and a
summary that says the gateway tried nothing. The busy round (the
host app.rev.test, load-balanced, clients at once) and the storm round
(storm.rev.test: nginx's group with a refusing and a silent server, 40
clients at once) are judged each as a whole: at least BUSY_RIGHT and
STORM_RIGHT of their requests right, the others listed as comments; of
the storm's junk replies, at least JUNK_RIGHT read as junk; of the busy
round's requests HAProxy gave up on at its connect timeout (its log's
termination state sC), at least RETRIES_RIGHT with the server and the
attempts HAProxy made (its log's retries + 1), and of those refused
(SC), at least REFUSED_RIGHT.
The gateway's own connections to backends on port 80, the port HAProxy
serves, must not be taken for clients'. HAProxy's health checks
(CAPTURE's .checks.tsv) are no request's connection or try. Prints ok / not ok lines; exit 0 all passed, 3 some check failed.
"""
import csv
import os
import sys

from crowd_jitter import read_pcap
from reply_lab_check import mixed, truth_and_report

BUSY_RIGHT = float(os.environ.get("REV_BUSY_RIGHT", 0.95))
STORM_RIGHT = float(os.environ.get("REV_STORM_RIGHT", 0.94))
# the storm's junk replies (nginx relays them as they are, after a
# silent or refused try): the verdict and cause alone
JUNK_RIGHT = 0.92
# HAProxy's connect timeouts in the busy round (a silent server, four
# attempts on new sockets half a second apart): its server and attempts
# (measured: 95 of 101 in fifteen recordings, the worst 5 of 7 in three
# made under load, 4 of 7 in a CI's before a busy proxy's late SYNs were
# allowed for, 4 of 7 in a CI's of 6 December where two requests' chains
# began 2.7 ms apart a second into each other, their tries 0.06-3.6 ms
# apart (tests/lab/kept/rev-entangled-chains); 1 of 66 before such
# tries were chained)
RETRIES_RIGHT = float(os.environ.get("REV_RETRIES_RIGHT", 0.5))
# HAProxy's refused requests in the busy round (four attempts, each a
# turn-around after the refusal before): their server and attempts
# (measured: 102 of 105 in fifteen recordings, the worst 4 of 7 in one
# made under load; 82 of 105 and 1 or 2 of 7 in four loaded ones before
# HAProxy's turn-around retries were told from other requests' tries)
REFUSED_RIGHT = float(os.environ.get("REV_REFUSED_RIGHT", 0.5))
# (REV_RETRIES_RIGHT, REV_REFUSED_RIGHT, REV_BUSY_RIGHT,
# REV_STORM_RIGHT: other shares, for the kept recordings of
# tests/lab/kept/, held at what gw502tui reads there)
# requests a recording may have naming a health check (its connection,
# its down server or its GET /health): none. (A check 160 ms late in the
# storm round, and an HTTP check opened 0.5 ms before a busy request's
# connection to the same server, once went to a request: 1 in two of
# five fresh recordings; 0 in ten since probes.c and link.c's
# exchange_failed were mended, 2026-12-05.)
CHECKS_NAMED_MAX = 0
ROUNDS = {"app": ("the busy round", BUSY_RIGHT),
          "storm": ("the storm round", STORM_RIGHT)}


def main():
    gw, cap, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    truth, report = truth_and_report(gw, cap, ["-p", "80,8081,8082", *extra])
    # a keep-alive client asks several paths on one connection (and asks
    # one again on a new connection when the proxy closed without reply)
    got = {(o["client_port"], "/" + o["url"].split("/", 3)[3]): o
           for o in report}
    clients = {o["client"] for o in report}
    bad = 0
    if clients != {"10.254.0.11"} or len(got) != len(truth):
        print(f"not ok - only the client's {len(truth)} requests are "
              f"transactions: {len(got)}, from {sorted(clients)}")
        bad += 1
    failures = 0
    rounds = {k: [0, 0] for k in ROUNDS}   # a round's requests: right, all
    junk = [0, 0]
    for r in truth:
        o = got.get((int(r["client_port"]), r["path"]))
        name = f"{r['proxy']} {r['scenario']} {r['path']} ({r['status']})" + \
            "".join(" " + a for a in extra)
        if o is None:
            print(f"not ok - {name}: not in the report")
            bad += 1
            continue
        c = o.get("connect") or {}
        pooled = r["connections"] == "-"
        tried = r["backend"] != "-" and (pooled or int(r["connections"]) > 0)
        # nginx's earlier tries of a failed request, in order (a
        # success after a failed try is no failure to explain)
        failed = r["verdict"] != "ok"
        want = (int(r["status"]) or None, r["verdict"], r["cause"],
                r["backend"] if tried else "None:None",
                None if pooled or not tried else int(r["connections"]),
                r["tries"] if failed else None)
        have = (o["status"], o["verdict"], o["cause"],
                f"{c.get('server')}:{c.get('port')}",
                None if pooled else c.get("attempts"),
                ",".join(f"{x['server']}:{x['port']}"
                         for x in o.get("tries", [])) or "-"
                if failed else None)
        failures += r["verdict"] != "ok"
        # nothing tried (a backend marked down): the summary says so
        words_ok = tried or "without trying an upstream" in o["summary"]
        right = have == want and words_ok
        if r["scenario"] == "storm" and r["cause"] == "http-invalid-response":
            junk[0] += have[1:3] == want[1:3]
            junk[1] += 1
        if r["scenario"] in rounds:
            rounds[r["scenario"]][0] += right
            rounds[r["scenario"]][1] += 1
        if right:
            print(f"ok - {name}: {o['verdict']}/{o['cause']}, "
                  f"{r['connections']} connection(s) to {r['backend']}"
                  + (f", tried before: {r['tries']}"
                     if r["tries"] != "-" else ""))
        elif r["scenario"] in rounds:
            # the busy and storm rounds: judged as a whole, below
            print(f"# wrong - {name}: {have}, truth {want}; {o['summary']}")
        else:
            print(f"not ok - {name}: {have}, truth {want}; {o['summary']}")
            bad += 1
    # in the busy round, requests to one host come microseconds apart
    # and a backend's retries interleave with others': a request whose
    # attempts no path names is linked by time, and a few of those read
    # another's (measured: 0-3 of 132 a recording); all of them named
    # the first server nginx tried before this rule (16-17 wrong). In
    # the storm round (a busy nginx worker acts 2-4 ms after a request,
    # its refusals and connect timeouts interleave) 289-299 of 320 right
    # in seven recordings; 246-256 (four) before successes were linked
    # by their reply after a failed try and a 504 to a silent attempt;
    # in six recordings 289-299 -> 297-302 once a junk reply after a
    # failed try was linked too, -> 312-316 (eight recordings) once the
    # tries before a last one that did not connect were looked for
    # (pooled connections their servers closed: nginx's extra try for a
    # cached connection); the wrong ones mostly take another request's
    # refusal by time
    for k, (right, n) in rounds.items():
        what, least = ROUNDS[k]
        if n == 0 and k == "storm":
            continue    # recorded before the storm round was
        share = right / n if n else 0.0
        print(f"{'ok' if share >= least else 'not ok'} - {what}: "
              f"{right} of {n} requests right (at least {least:.0%})")
        bad += share < least
    # measured: 199 of 200 in six recordings; 154 of 200 (23-29 of 32-35
    # a recording) before a junk reply after a failed try was linked by
    # what nginx relayed
    if junk[1]:
        share = junk[0] / junk[1]
        print(f"{'ok' if share >= JUNK_RIGHT else 'not ok'} - the storm's "
              f"junk replies: {junk[0]} of {junk[1]} read as junk "
              f"(at least {JUNK_RIGHT:.0%})")
        bad += share < JUNK_RIGHT
    bad += not checks_no_tries(cap, report)
    bad += not haproxy_retries(cap, got, truth)
    line = mixed("failures and successes", failures, len(truth))
    if line:
        print(line)
        bad += 1
    return 3 if bad else 0


def haproxy_retries(cap, got, truth):
    """The busy round's requests HAProxy gave up on at its connect
    timeout (termination state sC, in CAPTURE's .haproxy.log) name its
    server (the truth's backend) and as many connection attempts as
    HAProxy made (its retries + 1, each on a new socket half a second
    apart): at least RETRIES_RIGHT of them; of the refused ones (SC),
    tried again a turn-around after each refusal, at least
    REFUSED_RIGHT."""
    backends = {(int(r["client_port"]), r["path"]): r["backend"]
                for r in truth}
    right, n, refused_right, refused_n = 0, 0, 0, 0
    with open(cap.rsplit(".", 1)[0] + ".haproxy.log", encoding="utf-8") as f:
        for line in f:
            w = line.split()
            # client:port [date] frontend backend/server timers status
            # bytes cookie cookie state conns queues "method path ..."
            if len(w) < 14 or not w[3].startswith("be_app/") or \
                    w[9][:2] not in ("sC", "SC"):
                continue
            port = int(w[0].rsplit(":", 1)[1])
            want = int(w[10].split("/")[4]) + 1
            server = backends.get((port, w[13]))
            o = got.get((port, w[13]))
            c = (o or {}).get("connect") or {}
            ok = f"{c.get('server')}:{c.get('port')}" == server and \
                c.get("attempts") == want
            if w[9][:2] == "sC":
                right += ok
                n += 1
            else:
                refused_right += ok
                refused_n += 1
            if not ok:
                print(f"# {'wrong' if w[9][:2] == 'sC' else 'refused'}"
                      f" - haproxy app {w[13]} ({w[9]}): {want} "
                      f"attempt(s) to {server}, the report "
                      f"{c.get('attempts')} to {c.get('server')}:"
                      f"{c.get('port')}")
    refused_ok = refused_n == 0 or refused_right / refused_n >= REFUSED_RIGHT
    if refused_n:
        print(f"{'ok' if refused_ok else 'not ok'} - HAProxy's refused "
              f"requests in the busy round: {refused_right} of {refused_n}"
              f" name their server and attempts (at least "
              f"{REFUSED_RIGHT:.0%})")
    if n == 0:
        return refused_ok   # no server timed out in this recording
    share = right / n
    print(f"{'ok' if share >= RETRIES_RIGHT else 'not ok'} - HAProxy's "
          f"connect timeouts in the busy round: {right} of {n} name its "
          f"server and its attempts (at least {RETRIES_RIGHT:.0%})")
    return share >= RETRIES_RIGHT and refused_ok


def checks_no_tries(cap, report):
    """HAProxy's health checks (CAPTURE's .checks.tsv, from its
    configuration, its log and tshark: every connection to a server the
    checks marked down, and each GET /health to the servers they keep)
    are no request's connection or try: at most CHECKS_NAMED_MAX reports
    name a check's connection (server, gateway port and SYN time), a
    down server, or a check's request."""
    with open(cap.rsplit(".", 1)[0] + ".checks.tsv", encoding="utf-8") as f:
        checks = list(csv.DictReader(f, delimiter="\t"))
    # a check's port comes back later on another connection (the kernel
    # gives it out again: nginx's, 28 s after a check's): a check is its
    # server, port and SYN time
    conns = {}
    for c in checks:
        conns.setdefault((c["server"], int(c["gateway_port"])),
                         []).append(float(c["syn_time"]))
    down = {c["server"] for c in checks if c["kind"] == "down"}
    attempts = [(o, c) for o in report
                for c in [o.get("connect") or {},
                          *(o.get("connect") or {}).get("connections", [])]]
    records = read_pcap(cap)[1]
    named = {}
    for o, c in attempts:
        server = f"{c.get('server')}:{c.get('port')}"
        frame = (c.get("syn_frames") or [0])[0]
        at = records[frame - 1][0] / 1e6 if frame else None
        if server in down or any(
                at is None or abs(at - t) < 0.001
                for t in conns.get((server, c.get("gateway_port")), [])):
            named.setdefault(server, []).append(o["url"])
        for t in o.get("tries", []):
            if f"{t['server']}:{t['port']}" in down or \
                    " /health " in t["request_line"]:
                named.setdefault(f"{t['server']}:{t['port']}",
                                 []).append(o["url"])
    ok = bool(checks)
    if not ok:
        print("not ok - the recording has HAProxy's health checks")
    for server in sorted({c["server"] for c in checks}):
        mine = [c for c in checks if c["server"] == server]
        print(f"# HAProxy's {len(mine)} health checks of {server} "
              f"({'marked down' if server in down else 'kept'}): " + (
                  ", ".join(sorted(set(named[server]))[:5]) + " name them"
                  if server in named else "no request names them"))
    urls = {u for us in named.values() for u in us}
    right = len(urls) <= CHECKS_NAMED_MAX
    print(f"{'ok' if right else 'not ok'} - {len(urls)} requests name one of "
          f"HAProxy's {len(checks)} health checks as their connection or "
          f"try (at most {CHECKS_NAMED_MAX})")
    return ok and right


if __name__ == "__main__":
    sys.exit(main())
