#!/usr/bin/env python3
"""cache_lab_check.py GW_BIN CAPTURE: the cache lab against its truth.

Runs `GW_BIN -p 80,8081 --report=json --all CAPTURE` and compares each
client request with CAPTURE's .truth.tsv (tests/lab/cache_truth.py, from
Varnish's and Caddy's logs, curl and tshark), matched by client port and
URL: status, verdict and cause; for a connect that failed, the backend
named (connect.server, the truth's backend address). A Varnish crowd
that failed (six clients, one URL, one backend fetch: five of them
waited on the sixth's) is one fetch's failure: at least five of its six
reports are `shared` (the waiters share the one fetch's evidence; which
of the six began the fetch the packets need not tell). A late request
(a failed Varnish crowd's URL asked once more when the crowd was
answered, served the failed fetch's 503 from the cache, no traffic of
its own) is that fetch's failure too, `shared`: Varnish's X-Varnish ids
tie it to the fetch, however long after. The recording must have both
kinds of crowd: a Varnish one of one fetch, a Caddy one of six, and at
least one late request. Prints ok / not ok lines; exit 0 all passed, 3
some check failed.
"""
import sys

from reply_lab_check import mixed, truth_and_report

SHARED_AT_LEAST = 5


def path_of(url):
    """The path of a report's URL (http://HOST/PATH)."""
    return "/" + url.split("/", 3)[3] if "://" in url else url


def main():
    gw, cap = sys.argv[1], sys.argv[2]
    truth, report = truth_and_report(gw, cap, ["-p", "80,8081"])
    # a client port is given out again (each request asks its own URL,
    # but for a crowd's six and the cache hit)
    got = {(o["client_port"], path_of(o["url"])): o
           for o in report if "url" in o}
    bad = 0
    crowds = {}     # (proxy, url): [(truth, report)] of a failed crowd
    for r in truth:
        o = got.get((int(r["client_port"]), r["url"]))
        name = f"{r['proxy']} {r['host']} {r['url']} port {r['client_port']} " \
            f"({r['phase']}, {r['status']})"
        if o is None:
            print(f"not ok - {name}: not in the report")
            bad += 1
            continue
        c = o.get("connect") or {}
        want = (int(r["status"]) or None, r["verdict"], r["cause"])
        have = (o["status"], o["verdict"], o["cause"])
        if r["verdict"] == "cannot-connect":
            want += (r["backend"].rsplit(":", 1)[0],)
            have += (c.get("server"),)
        if r["phase"] == "crowd" and r["proxy"] == "varnish" and \
                r["verdict"] != "ok":
            crowds.setdefault(r["url"], []).append(o)
        if r["phase"] == "late":
            # served from the fetch's object: its evidence, shared
            want += (True,)
            have += (o.get("shared"),)
        if have == want:
            print(f"ok - {name}: {o['verdict']}/{o['cause']}"
                  + (f" at {c.get('server')}"
                     if r["verdict"] == "cannot-connect" else ""))
        else:
            print(f"not ok - {name}: {have}, truth {want}; {o['summary']}")
            bad += 1
    # a Varnish crowd's waiters share the one fetch's evidence
    for url, members in sorted(crowds.items()):
        shared = sum(o.get("shared") is True for o in members)
        line = f"varnish crowd {url}: {shared} of {len(members)} share " \
            "the one fetch's evidence"
        if shared >= SHARED_AT_LEAST:
            print(f"ok - {line}")
        else:
            print(f"not ok - {line} (at least {SHARED_AT_LEAST})")
            bad += 1
    # the recording must show both: a crowd coalesced, one sent on six times
    crowd = [r for r in truth if r["phase"] == "crowd"]
    for what, proxy, fetches in (("a Varnish crowd of one fetch", "varnish", 1),
                                 ("a Caddy crowd of six fetches", "caddy", 6)):
        line = mixed(what, sum(r["proxy"] == proxy and
                               int(r["fetches"]) == fetches for r in crowd),
                     len(crowd))
        if line:
            print(line)
            bad += 1
    late = sum(r["phase"] == "late" for r in truth)
    if late:
        print(f"ok - the recording has {late} late requests served from a "
              "failed fetch's object")
    else:
        print("not ok - the recording has no late request served from a "
              "failed fetch's object")
        bad += 1
    return 3 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
