"""mitmproxy addon for the gw502tui lab: an access log in Combined Log Format.

mitmproxy has no access log of its own; this writes one line per client
request, when its answer is known (like nginx and squid, which log at the
end of a request), to the file in the environment variable GW502LAB_MITMLOG:

  CLIENT - - [dd/Mon/yyyy:HH:MM:SS +zzzz] "METHOD URL HTTP/1.1" STATUS BYTES "-" "USER-AGENT"

URL is absolute (http://host/path) as the client sent it; CONNECT logs
host:port. A request that got no answer (the client gave up, mitmproxy
killed it) logs status 499, as nginx does. A CONNECT mitmproxy answered
200 has no hook after its answer: it is logged when its client leaves.
"""
import os
import time


def _clf_time(ts):
    return time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(ts))


class AccessLog:
    def __init__(self):
        self.out = open(os.environ["GW502LAB_MITMLOG"], "a", buffering=1)
        self.connects = []   # CONNECT flows waiting for their client to leave

    def _write(self, flow, status, size):
        req = flow.request
        if req.method == "CONNECT":
            target = "%s:%d" % (req.host, req.port)
        else:
            target = req.pretty_url
        client = flow.client_conn.peername[0] if flow.client_conn.peername else "-"
        ua = req.headers.get("user-agent", "-").replace('"', "'")
        self.out.write('%s - - [%s] "%s %s %s" %s %d "-" "%s"\n' % (
            client, _clf_time(time.time()), req.method, target,
            req.http_version, status, size, ua))

    def response(self, flow):
        # a CONNECT mitmproxy refused (eager connection failed) gets this
        # hook too: logged here, not again when its client leaves
        if flow in self.connects:
            self.connects.remove(flow)
        self._write(flow, flow.response.status_code, len(flow.response.raw_content or b""))

    def error(self, flow):
        if flow.response is not None:
            return
        msg = str(flow.error.msg) if flow.error else ""
        # mitmproxy answers 502 for every upstream failure; a client that
        # left (or a killed flow) got nothing
        status = 499 if "disconnect" in msg.lower() or "killed" in msg.lower() else 502
        self._write(flow, status, 0)

    def http_connect(self, flow):
        self.connects.append(flow)

    def client_disconnected(self, client):
        keep = []
        for f in self.connects:
            if f.client_conn.id == client.id:
                self._write(f, f.response.status_code if f.response else 499, 0)
            else:
                keep.append(f)
        self.connects = keep

    def done(self):
        for f in self.connects:
            self._write(f, f.response.status_code if f.response else 499, 0)
        self.connects = []
        self.out.close()


addons = [AccessLog()]
