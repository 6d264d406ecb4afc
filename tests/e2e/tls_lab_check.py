#!/usr/bin/env python3
"""tls_lab_check.py GW_BIN CAPTURE [OPTION...]: the TLS-upstream lab
against its truth.

Runs `GW_BIN -p 80,8080 [OPTION...] --report=json --all CAPTURE` and
compares each client request with CAPTURE's .truth.tsv
(tests/lab/tls_truth.py, from curl, nginx's error log, HAProxy's log and
tshark's reading of the TLS records): status, verdict and cause; for a
failure, the backend named (address and port), the number of the
gateway's connections to it (HAProxy tries a failed handshake four
times), how the handshake failed (connect.tls.failure and, for an alert
sent in the clear, who sent it and its number) and a summary that names
the alert or the plain-text reply; for a request that went over TLS
and met a silent or closing server, a connection that connected, its
request's frame (connect.tls.request_frame) and a summary that says so.
The recording must hold successes and failures, and each way of failing
the truth knows of (a server's alert, the gateway's, the gateway's close
after the handshake, a plain-text reply, a timeout and a close after the
request). Prints ok / not ok lines; exit 0 all passed, 3 some check failed.
"""
import sys

from reply_lab_check import truth_and_report

# the truth's word for how a handshake failed -> the report's
FAILURES = {"server-alert": "server-alert", "gateway-alert": "gateway-alert",
            "gateway-closed": "gateway-closed", "plain-reply": "plain-reply",
            "encrypted-alert": "aborted"}
# alert names the summary must carry (RFC 8446 6)
ALERT_NAMES = {40: "handshake_failure", 42: "bad_certificate",
               48: "unknown_ca", 70: "protocol_version",
               112: "unrecognized_name"}


def expect_tls(r, o):
    """What is wrong with o's connect.tls for truth line r, or None."""
    kind, _, alert = r["tls"].partition(":")
    c = o.get("connect") or {}
    tls = c.get("tls") or {}
    if tls.get("failure") != FAILURES.get(kind):
        return f"tls failure {tls.get('failure')}, truth {r['tls']}"
    if alert and tls.get("alert") != int(alert):
        return f"alert {tls.get('alert')}, truth {alert}"
    if c.get("outcome") != "tls-handshake":
        return f"connect outcome {c.get('outcome')}"
    name = ALERT_NAMES.get(int(alert)) if alert else None
    if name and name not in o["summary"]:
        return f"the summary does not name {name}: {o['summary']}"
    if kind == "plain-reply" and "plain text" not in o["summary"]:
        return f"the summary does not say plain text: {o['summary']}"
    return None


def expect_after(o):
    """What is wrong with o's connect for a request that went over TLS
    (the server went silent, or closed), or None."""
    c = o.get("connect") or {}
    tls = c.get("tls") or {}
    if c.get("outcome") != "connected" or "request_frame" not in tls or \
            "failure" in tls:
        return f"connect {c.get('outcome')}, tls {tls}"
    if "went over TLS" not in o["summary"]:
        return f"the summary does not say TLS: {o['summary']}"
    return None


def main():
    gw, cap, options = sys.argv[1], sys.argv[2], sys.argv[3:]
    truth, report = truth_and_report(gw, cap, ["-p", "80,8080", *options])
    got = {(o["client_port"], o["url"].split("/", 3)[3]): o for o in report}
    bad = 0
    for r in truth:
        path = r["path"].lstrip("/")
        o = got.get((int(r["client_port"]), path))
        name = f"{r['proxy']} {r['scenario']} /{path} ({r['status']})"
        if o is None:
            print(f"not ok - {name}: not in the report")
            bad += 1
            continue
        why = None
        want = (int(r["status"]) or None, r["verdict"], r["cause"])
        have = (o["status"], o["verdict"], o["cause"])
        if have != want:
            why = f"report {have}, truth {want}"
        elif r["verdict"] != "ok":
            c = o.get("connect") or {}
            backend = f"{c.get('server')}:{c.get('port')}"
            if backend != r["backend"]:
                why = f"backend {backend}, truth {r['backend']}"
            elif c.get("attempts") != int(r["connections"]):
                why = (f"{c.get('attempts')} connections, truth "
                       f"{r['connections']}")
            elif r["verdict"] == "bad-response":
                why = expect_after(o)
            else:
                why = expect_tls(r, o)
        if why:
            print(f"not ok - {name}: {why}")
            bad += 1
        else:
            print(f"ok - {name}: {o['verdict']}/{o['cause']}")
    kinds = {r["tls"].partition(":")[0] for r in truth} | \
        {r["cause"] for r in truth}
    for kind in ("-", "server-alert", "gateway-alert", "gateway-closed",
                 "plain-reply", "upstream-timeout", "upstream-closed"):
        if kind not in kinds:
            print(f"not ok - the recording has {kind} requests")
            bad += 1
    print(f"# {len(truth) - bad} of {len(truth)} requests right")
    return 3 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
