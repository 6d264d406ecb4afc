#!/bin/bash
# --access-log (issue 18) on the lab's own proxy logs: every logged 5xx is
# matched to its transaction (checked against the lab's truth files with
# tests/alog/alog_check.py, which reads the logs itself), clock offsets are
# recovered from logs shifted by a known amount, a line outside the capture
# is reported as such, the log-only report, .gz and stdin, errors.
. "$(dirname "$0")/lib.sh"
EX=$ROOT/examples
CHECK=$ROOT/tests/alog/alog_check.py
checker() { # checker ARGS...: alog_check.py's lines passed on, its status counted
	local rc=0
	python3 "$CHECK" "$@" >"$TMPD/checker.out" 2>"$TMPD/checker.err" || rc=$?
	cat "$TMPD/checker.out"
	FAILS=$((FAILS + $(grep -c '^not ok - ' "$TMPD/checker.out")))
	case $rc in
	0|3) ;;
	*) notok "alog_check.py broke (exit $rc)" "$(last_line "$TMPD/checker.err")" ;;
	esac
}
# shift_log IN OUT SECONDS: every time in the log moved by SECONDS
shift_log() {
	python3 - "$1" "$2" "$3" <<'EOF'
import calendar, re, sys, time
src, dst, sec = sys.argv[1], sys.argv[2], float(sys.argv[3])
def clf(m):
    t = calendar.timegm(time.strptime(m.group(1), "%d/%b/%Y:%H:%M:%S")) + int(sec)
    return "[" + time.strftime("%d/%b/%Y:%H:%M:%S", time.gmtime(t)) + " +0000]"
with open(src) as f, open(dst, "w") as o:
    for line in f:
        if re.match(r"^\d+\.\d{3} ", line):
            ts, rest = line.split(" ", 1)
            line = "%.3f %s" % (float(ts) + sec, rest)
        else:
            line = re.sub(r"\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d) \+0000\]", clf, line, count=1)
        o.write(line)
EOF
}

MITM=$EX/gw502-lab.mitmproxy.log NGINX=$EX/gw502-lab.nginx.log SQUID=$EX/gw502-lab-squid.squid.log
WGLOG=$ROOT/tests/alog/gw502-lab.webgateway.log
for f in "$MITM" "$NGINX" "$SQUID" "$EX/gw502-lab-squid.pcap" "$WGLOG"; do
	[ -f "$f" ] || { notok "$(basename "$f") exists (make lab)"; exit 1; }
done

# --- every logged 5xx matched, on the three lab captures and squid's ------
for cap in gw502-lab.pcap gw502-lab-eth.pcap gw502-lab-ng.pcapng; do
	checker --offset 0 --within 1 "$GW_BIN" "$EX/$cap" "$EX/${cap%.*}.truth.tsv" "$MITM" "$NGINX" |
	    sed "s/^\(ok\|not ok\) - /\1 - $cap: /"
done
checker --ports 9092 --offset 0 --within 0.1 "$GW_BIN" "$EX/gw502-lab-squid.pcap" \
    "$EX/gw502-lab-squid.truth.tsv" "$SQUID"
# the hand-written Web Gateway lines (the article's format) of the main capture
checker --offset 0 --within 1 "$GW_BIN" "$EX/gw502-lab.pcap" "$EX/gw502-lab.truth.tsv" "$WGLOG" |
    sed 's/^\(ok\|not ok\) - /\1 - webgateway: /'
n=$(grep -c '^\[' "$WGLOG")
run -p 9090,9091 --report=json --all --access-log "$WGLOG" "$EX/gw502-lab.pcap"
check_eq "webgateway: all $n lines matched" "$n" \
    "$(printf '%s\n' "$out" | grep -c '"log":{"file":"[^"]*webgateway.log"')"

# --- clock offsets recovered ----------------------------------------------
shift_log "$MITM" "$TMPD/mitm.log" -7205
shift_log "$NGINX" "$TMPD/nginx.log" -7205
checker --offset -7205 --within 1 "$GW_BIN" "$EX/gw502-lab.pcap" "$EX/gw502-lab.truth.tsv" \
    "$TMPD/mitm.log" "$TMPD/nginx.log" | sed 's/^\(ok\|not ok\) - /\1 - shifted -7205 s: /'
shift_log "$SQUID" "$TMPD/squid.log" 93.25
checker --ports 9092 --offset 93.25 --within 0.1 "$GW_BIN" "$EX/gw502-lab-squid.pcap" \
    "$EX/gw502-lab-squid.truth.tsv" "$TMPD/squid.log" | sed 's/^\(ok\|not ok\) - /\1 - shifted +93.25 s: /'

# --- lines the capture cannot have ------------------------------------------
last=$(tail -n 1 "$SQUID" | cut -d' ' -f1)
cp "$SQUID" "$TMPD/more.log"
awk -v t="$last" 'BEGIN {
	printf "%.3f 12 10.250.0.11 TCP_MISS/502 0 GET http://later.lab.test/ - HIER_NONE/- -\n", t + 600
	printf "%.3f 12 10.250.0.99 TCP_MISS/502 0 GET http://other.lab.test/ - HIER_NONE/- -\n", t - 20
	printf "%.3f 12 10.250.0.11 TCP_MISS/503 0 GET http://notseen.lab.test/ - HIER_NONE/- -\n", t - 20
	print "this is not an access log line"
}' >>"$TMPD/more.log"
run -p 9092 --report=json --access-log "$TMPD/more.log" "$EX/gw502-lab-squid.pcap"
check_eq "extra lines: exit 0" 0 "$rc"
reason() { printf '%s\n' "$out" | python3 -c '
import sys
from jsonlines import lines_rows
for o in lines_rows(sys.stdin, "stdin"):
    if o.get("type") == "logged-not-captured" and o["url"] == sys.argv[1]:
        print(o["reason"])' "$1"; }
check_eq "a 502 logged 10 min after the capture: outside-capture" outside-capture \
    "$(reason http://later.lab.test/)"
check_eq "a 502 of a client the capture never saw: client-not-captured" client-not-captured \
    "$(reason http://other.lab.test/)"
check_eq "a 503 of a captured client the capture lacks: not-found" not-found \
    "$(reason http://notseen.lab.test/)"
check_eq "the unknown line is counted" 1 \
    "$(printf '%s\n' "$out" | python3 -c 'import json,sys
from jsonlines import lines_rows
print([o for o in lines_rows(sys.stdin, "stdin") if o.get("type") == "access-log"][0]["unknown"])')"
check "the unknown line is listed" grep -q '"type":"log-unknown-line".*not an access log line' "$TMPD/out"
check "stderr says lines were in no known format" \
    grep -q "1 of $(wc -l <"$TMPD/more.log") lines in no known format" "$TMPD/err"
run -p 9092 --report --access-log "$TMPD/more.log" "$EX/gw502-lab-squid.pcap"
check "text: 'Logged, not in the capture' with the reason" \
    grep -q "its time is outside the capture's time span" "$TMPD/out"
check "text: a Log: line under the CONNECT of issue 12" \
    grep -q "Log:  .*more.log:$(grep -n 'CONNECT sqdown.lab.test:443' "$TMPD/more.log" |
        cut -d: -f1) .*CONNECT sqdown.lab.test:443" "$TMPD/out"
# -c: only that client's logged failures are listed
run -p 9092 -c 10.250.0.12 --report=json --access-log "$TMPD/more.log" "$EX/gw502-lab-squid.pcap"
check_eq "-c 10.250.0.12: no other client's line listed as not captured" 0 \
    "$(grep -c '"type":"logged-not-captured"' "$TMPD/out")"
run -p 9092 -c 10.250.0.11 --report=json --access-log "$TMPD/more.log" "$EX/gw502-lab-squid.pcap"
check_eq "-c 10.250.0.11: its two lines listed as not captured" 2 \
    "$(grep -c '"type":"logged-not-captured"' "$TMPD/out")"

# --- log only ----------------------------------------------------------------
run --report=json --access-log "$MITM"
check_eq "log only: exit 0" 0 "$rc"
want5=$(grep -cE '" 5[0-9][0-9] ' "$MITM")
want502=$(grep -cE '" 502 ' "$MITM")
printf '%s\n' "$out" >"$TMPD/lo.json"
python3 - "$TMPD/lo.json" "$MITM" >"$TMPD/lo.check" <<'EOF'
import collections, json, re, sys
from jsonlines import rows as report_rows
rows = report_rows(sys.argv[1])
summ = [r for r in rows if r.get("type") == "log-summary"][0]
hosts = [r for r in rows if r.get("type") == "log-host"]
minutes = [r for r in rows if r.get("type") == "log-5xx-per-minute"]
want = collections.Counter()
for line in open(sys.argv[2]):
    m = re.search(r'"(\S+) (\S+) [^"]*" (\d{3}) ', line)
    if m and m.group(3) == "502":
        u = m.group(2)
        want[re.sub(r"^https?://", "", u).split("/")[0].split(":")[0]] += 1
print(summ["5xx"], summ["502"], sum(m["5xx"] for m in minutes))
top = max(want.values())
print("top-ok" if hosts and hosts[0]["502"] == top and want[hosts[0]["host"]] == top else "top-bad %s %s" % (hosts[:1], want.most_common(3)))
print(hosts[0]["capture_command"])
EOF
check_eq "log only: 5xx, 502 and the per-minute chart's total" "$want5 $want502 $want5" "$(sed -n 1p "$TMPD/lo.check")"
check_eq "log only: the host with the most 502s comes first" top-ok "$(sed -n 2p "$TMPD/lo.check")"
top=$(sed -n 3p "$TMPD/lo.check")
check "log only: capture command for it ($top)" bash -c \
    "[[ \"\$1\" == \"tcpdump -s 0 -i any -w gw.pcap 'port 53 or host \"*\" or port 9090'\" ]]" _ "$top"
run --report --access-log "$SQUID" -p 9092
check "log only (text): per-minute chart" grep -q '^5xx per 1 min' "$TMPD/out"
check "log only (text): squid's upstream address in the capture command" \
    grep -q "tcpdump -s 0 -i any -w gw.pcap 'port 53 or host 10.250.0.89 or port 9092'" "$TMPD/out"
check "log only (text): clients with the most 502s" grep -q '^Clients with the most 502s' "$TMPD/out"

# --- .gz and stdin read the same ------------------------------------------------
run --report=json --access-log "$MITM"
sed 's/"files":\["[^"]*"\]/"files":[]/' "$TMPD/out" >"$TMPD/plain.json"
gzip -c "$MITM" >"$TMPD/mitm.log.gz"
run --report=json --access-log "$TMPD/mitm.log.gz"
sed 's/"files":\["[^"]*"\]/"files":[]/' "$TMPD/out" >"$TMPD/gz.json"
check ".gz: the same report as the plain log" cmp -s "$TMPD/plain.json" "$TMPD/gz.json"
"$GW_BIN" --report=json --access-log - <"$MITM" 2>/dev/null |
    sed 's/"files":\["[^"]*"\]/"files":[]/' >"$TMPD/stdin.json"
check "stdin: the same report as the plain log" cmp -s "$TMPD/plain.json" "$TMPD/stdin.json"
gzip -c "$MITM" | "$GW_BIN" -p 9090,9091 --report=json --all --access-log - "$EX/gw502-lab.pcap" \
    >"$TMPD/gzstdin.json" 2>/dev/null
check_eq "gzip on stdin beside a capture: every mitmproxy line matched" \
    "$(wc -l <"$MITM")" "$(grep -c '"log":{' "$TMPD/gzstdin.json")"

# --- the screen with a log and no capture ---------------------------------------
if command -v tmux >/dev/null 2>&1; then
	S=alog$$
	if tui_shell 100 30; then
		keys "clear; LANG=C.UTF-8 $GW_BIN --access-log $MITM; echo EXIT=\$?" Enter
		see "screen, log only: the title names the log" "access log $MITM (no capture)"
		see "screen, log only: the chart" "5xx per 1 min"
		keys G
		see "screen, log only: G shows the end (clients)" "Clients with the most 502s"
		keys q
		see "screen, log only: q exits 0" "EXIT=0"
	fi
else
	skip "screen, log only (no tmux)"
fi
# --- the screen with a capture and a log: the evidence pane's Log row -----------
# the line expected is the log's own line for that URL (grep), not our output
if command -v tmux >/dev/null 2>&1; then
	S=alogcap$$
	nx=$(grep -n '"GET http://missing.lab.test/index.html ' "$MITM" | head -1 | cut -d: -f1)
	if tui_shell 200 50; then
		keys "clear; LANG=C.UTF-8 $GW_BIN --access-log $MITM $EX/gw502-lab.pcap; echo EXIT=\$?" Enter
		filter missing.lab.test/index.html
		see "screen with a log: the request's own log line (line $nx)" \
		    "gw502-lab.mitmproxy.log:$nx "
		seere "screen with a log: its row is marked L (logged)" \
		    "missing.lab.test/index.html +502 L "
		# nginx (port 9091) logs its own requests: not in mitmproxy's log
		filter dropped-ngx.lab.test
		see "screen with a log: a request another proxy served is not in this log" \
		    "not in the access log"
		seere "screen with a log: its row is marked - (not logged)" \
		    "dropped-ngx.lab.test/ +504 - "
		keys q
		see "screen with a log: q exits 0" "EXIT=0"
	fi
else
	skip "screen with a capture and a log (no tmux)"
fi
run --access-log "$MITM" -i lo
check_eq "a log with live capture: usage error" 2 "$rc"

# --- errors ------------------------------------------------------------------------
run --report --access-log "$TMPD/nonexistent.log"
check_eq "missing log: exit 1" 1 "$rc"
one_line_naming "missing log: one line naming it" nonexistent.log
run --report --log-format xml --access-log "$MITM"
check_eq "--log-format xml: usage error" 2 "$rc"
run --report --log-format squid --access-log "$MITM"
check_eq "--log-format squid on a CLF log: exit 0, every line unknown" 0 "$rc"
check "--log-format squid on a CLF log: no request read" grep -q "No 5xx answers in the log" "$TMPD/out"
head -c 300000 /dev/urandom >"$TMPD/random.log"
run --report --access-log "$TMPD/random.log"
check_eq "robustness: random bytes as a log: exit 0" 0 "$rc"

[ "$FAILS" = 0 ] || { echo "# test_alog: $FAILS failed" >&2; exit 1; }
