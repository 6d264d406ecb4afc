"""truthcheck.py: what the generators' truth checkers (busy_truth_check.py,
revbusy_check.py) share: their ok / not ok lines, counted, and the
capture's packets as tshark decodes them, one dict of fields a frame."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from tshark_http import decode_as_http  # noqa: E402


class Checks:
    """Prints `ok - NAME: WHAT` or `not ok - NAME: WHAT` (with `#   WHY`);
    counts the failures in .bad."""

    def __init__(self, name):
        self.name = name
        self.bad = 0

    def __call__(self, what, cond, why=""):
        print(f"{'ok' if cond else 'not ok'} - {self.name}: {what}")
        if not cond:
            self.bad += 1
            if why:
                print(f"#   {why}")


def first(v):
    """A field's first value (tshark joins repeated ones with commas)."""
    return v.split(",")[0]


def tshark_frames(check, pcap, fields, http_ports, options=()):
    """PCAP's frames as tshark reads them (HTTP on http_ports), one dict
    of FIELDS each; the check that tshark read it, exit 1 when it did
    not."""
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields",
                        "-E", "separator=\t", *options]
                       + decode_as_http(http_ports)
                       + sum((["-e", f] for f in fields), []),
                       capture_output=True, text=True)
    check("tshark reads the capture", r.returncode == 0, r.stderr[:300])
    if r.returncode:
        sys.exit(1)
    return [dict(zip(fields, line.split("\t")))
            for line in r.stdout.splitlines()]
