#!/usr/bin/env python3
"""The busy lab's load generator (stdlib only): many concurrent requests
through forward proxies, on keep-alive client connections.

usage: busyload.py --name C1 --proxy nginx=10.251.0.1:9091 --proxy squid=... \
           --hosts www=70,flip=8,... --count 800 --duration 24 --workers 16 \
           --seed 1 --out LOG.tsv

Request i (0 <= i < COUNT) is due at DURATION * i / COUNT seconds after the
start; WORKERS threads take the next due request each. Worker w always uses
proxy w mod (number of proxies) and keeps its connection to it open between
requests (HTTP/1.1 keep-alive), unless the proxy closes it, a request fails,
or 1 in 10 times at random (new client ports). Each request's path is
unique: /r/NAME-i. The host (HOST.busy.test) is drawn by weight, seeded.
One line per request in OUT: client ip, local port, proxy name, proxy
address, host, path, status ("-" when no answer), start and end (epoch
seconds), error. Bounded: no request starts after DURATION + 10 s, each
has a 12 s timeout, and the process ends by DURATION + 30 s.
"""
import argparse
import http.client
import random
import threading
import time

TIMEOUT_S = 12
FIELDS = ["client", "client_port", "proxy", "proxy_addr", "host", "path",
          "status", "t_start", "t_end", "error"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--proxy", action="append", required=True)
    ap.add_argument("--hosts", required=True)
    ap.add_argument("--count", type=int, default=800)
    ap.add_argument("--duration", type=float, default=24)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    proxies = []
    for p in a.proxy:
        name, addr = p.split("=")
        ip, port = addr.rsplit(":", 1)
        proxies.append((name, ip, int(port)))
    hosts, weights = [], []
    for hw in a.hosts.split(","):
        h, w = hw.split("=")
        hosts.append(h + ".busy.test")
        weights.append(float(w))
    state = {"next": 0}
    lock = threading.Lock()
    rows = []
    t0 = time.time()
    last_start = t0 + a.duration + 10

    def worker(w):
        rng = random.Random(a.seed * 1000 + w)
        pname, pip, pport = proxies[w % len(proxies)]
        conn, port = None, 0
        while True:
            with lock:
                i = state["next"]
                if i >= a.count:
                    break
                state["next"] = i + 1
            due = t0 + a.duration * i / a.count
            now = time.time()
            if now > last_start:
                break
            if due > now:
                time.sleep(due - now)
            host = rng.choices(hosts, weights)[0]
            path = "/r/%s-%d" % (a.name, i)
            status, err, client = "-", "", "-"
            start = time.time()
            try:
                if conn is None:
                    port = 0
                    conn = http.client.HTTPConnection(pip, pport, timeout=TIMEOUT_S)
                    conn.connect()
                    client, port = conn.sock.getsockname()[:2]
                else:
                    client = conn.sock.getsockname()[0]
                conn.request("GET", "http://%s%s" % (host, path),
                             headers={"Host": host, "User-Agent": "gw502-busylab"})
                resp = conn.getresponse()
                resp.read()
                status = str(resp.status)
                if resp.will_close or rng.random() < 0.1:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                err = type(e).__name__
                if conn is not None:
                    conn.close()
                conn = None
            end = time.time()
            with lock:
                rows.append([client, str(port), pname, "%s:%d" % (pip, pport), host,
                             path, status, "%.6f" % start, "%.6f" % end, err or "-"])
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, args=(w,), daemon=True)
               for w in range(a.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, t0 + a.duration + 30 - time.time()))
    with lock:
        done = sorted(rows, key=lambda r: float(r[7]))
    with open(a.out, "w") as f:
        f.write("\t".join(FIELDS) + "\n")
        for r in done:
            f.write("\t".join(r) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
