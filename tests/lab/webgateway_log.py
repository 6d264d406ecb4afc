#!/usr/bin/env python3
"""Write tests/alog/gw502-lab.webgateway.log from a lab run's proxy logs.

usage: webgateway_log.py MITMPROXY.log NGINX.log > gw502-lab.webgateway.log

The lab's proxies write Combined Log Format (examples/gw502-lab.mitmproxy.log,
gw502-lab.nginx.log); this rewrites their lines, in time order, in the Web
Gateway (McAfee/Skyhigh) default layout of the article:

  [time] "user" client status "request" "category" "reputation" "media type" bytes "user agent" "virus" "block id"

with times in the article's zone (-0600), a user name on every third line,
"Business" as the category of a 200, 3000 + the proxy's byte count, and no
client address on the IPv6 client's blocked6 lines (as the article prints
its line). A request its client gave up on (499) was never answered: no line.
"""
import calendar
import re
import sys
import time

CLF = re.compile(r'^(\S+) \S+ \S+ \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+) ')
UA = "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.2; Trident/4.0; .NET CLR 1.1.4322)"
ZONE_S = -6 * 3600


def epoch(clf_time):
    t = calendar.timegm(time.strptime(clf_time[:20], "%d/%b/%Y:%H:%M:%S"))
    zone = clf_time[21:]
    off = (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60) * (-1 if zone[0] == "-" else 1)
    return t - off


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().split("\n")[2])
    rows = []
    for path in sys.argv[1:]:
        with open(path) as f:
            for line in f:
                m = CLF.match(line)
                if m and m.group(4) != "499":
                    rows.append((epoch(m.group(2)), m))
    rows.sort(key=lambda r: r[0])     # stable: a file's order within a second
    for n, (t, m) in enumerate(rows):
        client, request, status, size = m.group(1), m.group(3), m.group(4), int(m.group(5))
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S -0600", time.gmtime(t + ZONE_S))
        who = "" if "blocked6." in request else client + " "
        print('[%s] "%s" %s%s "%s" "%s" "-" "" %d "%s" "" "0"' % (
            stamp, "jdoe" if n % 3 == 0 else "", who, status, request,
            "Business" if status == "200" else "", 3000 + size, UA))


if __name__ == "__main__":
    main()
