#!/bin/bash
# The odd-proxies lab (tests/lab/record_odd.sh): tinyproxy, privoxy,
# Apache mod_proxy and Apache Traffic Server on one gateway, each sent
# every failure once; they answer with their own statuses (500 for a DNS
# failure, 404, 503, a 200 relaying a reply without a status line, no
# answer at all: DESIGN §7), ATS after up to four connections per request.
# gw502tui's `--report=json --all` is compared, request by request, with
# the truth tests/lab/truth.py derived from the scenario plan, the
# client's curl log and tshark (lab_check.py): verdict, cause, status, the
# masked mark, evidence frames, elapsed time, the text report's frame
# range, SYN series, request and answer frames. Twice: with the default
# --status (502,503,504: the odd ones must be caught as masked failures)
# and with the statuses a user of these proxies would pass; without
# --all, the report must list exactly the failures. First on the
# committed examples/gw502-odd.pcap, then, as root where namespaces work
# (GW_LAB=0 skips it), on a fresh recording, checked to leave no
# namespace or lab process behind.
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
CAP=$ROOT/examples/gw502-odd.pcap
PORTS=9094,9095,9096,9097     # tinyproxy, privoxy, apache, traffic server
USER_STATUS=404,500,502,503,504
S=gwodd-tui-$$

odd_check() { # odd_check PREFIX CAPTURE: lab_check.py with both status sets
	run_checker "${1}lab_check $(basename "$2")" "$1" "$PY" "$ROOT/tests/e2e/lab_check.py" \
	    --ports "$PORTS" --listed "$GW_BIN" "$2"
	run_checker "${1}lab_check --status $USER_STATUS $(basename "$2")" "$1" "$PY" \
	    "$ROOT/tests/e2e/lab_check.py" --ports "$PORTS" --status "$USER_STATUS" --listed \
	    "$GW_BIN" "$2"
}

# ATS's access log as it ships it (`squid`, stamped when the request
# came), read as `ats`: each of its lines is the request it names (one
# per URL, from the client it names), stamped from its first byte (less
# the log's 1 ms resolution) to 100 ms after (when ATS's event loop read
# it: 7 ms on a loaded CI box); read as squid's (stamped at the answer)
# the two that took 14 s fall outside the matching's tolerance.
# ats_log_check PREFIX CAPTURE
ats_log_check() {
	local ALOG fmt
	ALOG=${2%.*}.ats-squid.log
	for fmt in ats squid; do
		"$GW_BIN" --report=json --all -p "$PORTS" --access-log "$ALOG" \
		    --log-format "$fmt" "$2" >"$TMPD/alog-$fmt.json" 2>&1
	done
	check "${1}ATS's squid-format log read as ats: every line joins its request" \
	    "$PY" - "$ALOG" "$TMPD/alog-ats.json" <<'PYEOF'
import datetime, json, sys
lines = open(sys.argv[1]).read().splitlines()
txns = [json.loads(l) for l in open(sys.argv[2]) if l.startswith('{"id"')]
assert len(lines) == 10, len(lines)
for n, line in enumerate(lines, 1):
    f = line.split()
    mine = [t for t in txns if t["url"] == f[6] and t["client"] == f[2]]
    assert len(mine) == 1, (line, len(mine))
    t = mine[0]
    assert t["log"] and t["log"]["line"] == n and t["log"]["format"] == "ats", (n, t["log"])
    start = datetime.datetime.fromisoformat(t["request_time"].replace("Z", "+00:00"))
    assert -0.001 <= float(f[0]) - start.timestamp() < 0.1, (n, t["request_time"], f[0])
PYEOF
	check_eq "${1}read as squid's, ATS's two 14 s requests are not matched" \
	    "http://drop-ats.odd.test/ http://silent-ats.odd.test/report" \
	    "$(jq -r 'select(.gateway_port == 9097 and .log == null) | .url' \
	        "$TMPD/alog-squid.json" 2>&1 | sort | tr '\n' ' ' | sed 's/ $//')"
}

if [ -f "$CAP" ] && [ -f "${CAP%.*}.truth.tsv" ]; then
	ok "examples/gw502-odd.pcap and its truth are committed"
	odd_check "" "$CAP"
	size=$(stat -c %s "$CAP")
	check "the committed capture stays small (${size} bytes < 1 MB)" test "$size" -lt 1048576
	# the plain command, no option at all: tinyproxy's 500 after an
	# NXDOMAIN is a gateway error, diagnosed and marked masked
	"$GW_BIN" --report=json "$CAP" >"$TMPD/plain.json" 2>"$TMPD/plain.err"
	check_eq "gw502tui --report=json lists tinyproxy's 500 after NXDOMAIN as a gateway error" \
	    '[500,"host-not-resolvable","dns-nxdomain",true]' \
	    "$(jq -c 'select(.host == "missing-tinyproxy.odd.test") |
	        [.status, .verdict, .cause, .masked]' "$TMPD/plain.json" 2>&1)"
	# ATS's "500 Cannot find server." after NXDOMAIN on port 9097, which
	# gw502tui finds by the absolute request form without -p
	check_eq "gw502tui --report=json lists ATS's 500 after NXDOMAIN as a gateway error" \
	    '[500,"host-not-resolvable","dns-nxdomain",true]' \
	    "$(jq -c 'select(.host == "missing-ats.odd.test") |
	        [.status, .verdict, .cause, .masked]' "$TMPD/plain.json" 2>&1)"
	ats_log_check "" "$CAP"
else
	notok "examples/gw502-odd.pcap and its truth are committed"
fi

# The screen: the odd statuses listed as gateway errors, each saying who
# chose its status, and the status line's counts those of --report.
if command -v tmux >/dev/null && [ -f "$CAP" ]; then
	want=$("$GW_BIN" --report=json "$CAP" 2>/dev/null | wc -l)
	if tmux_session 200 50 "env TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 '$GW_BIN' '$CAP'"; then
		see "TUI: the list holds the $want failures of 40 requests" \
		    "Gateway errors $want/40"
		see "TUI: the status line counts $want errors" " $want errors:"
		see "TUI: tinyproxy's 500 after NXDOMAIN is listed" \
		    "500 HOST NOT RESOLVABLE"
		see "TUI: its evidence says the gateway chose the 500" \
		    "the gateway answered 500 itself"
		# Traffic Server's four attempts, each socket's SYNs from 1
		keys /; keys C-u; text "drop-ats"; keys Enter
		see "TUI: ATS's dropped SYNs, four connections" \
		    "12 SYNs on 4 connections to 10.252.0.90 port 80"
		# its last connection's first SYN, from the SYN file (numbers
		# change with every recording)
		read -r last_syn last_at < <(awk -F'\t' '$1 == "ats:syn-drop" {
		    if ($6 != port) { port = $6; f = $8; t = $10 } }
		    END { printf "%s %.3f\n", f, t }' "${CAP%.*}.syn.tsv")
		seere "TUI: the fourth connection's first SYN is SYN 1" \
		    "SYN 1 +[0-9:.]+ \\+${last_at//./\\.} s  #$last_syn"
		keys /; keys C-u; text "nostatus-ats"; keys Enter
		see "TUI: ATS sent the request again, on new connections" \
		    "each on a new connection"
		keys q
		tmux kill-session -t "$S" 2>/dev/null
	fi
else
	skip "the TUI on the committed capture (tmux not installed)"
fi

# The truth builder agrees with itself: run on the committed capture and
# scenario log, it writes the committed truth.
if command -v tshark >/dev/null; then
	if "$PY" "$ROOT/tests/lab/truth.py" --capture "$CAP" \
	    --scenarios "${CAP%.*}.scenarios.tsv" --truth "$TMPD/rebuilt.tsv" \
	    --syn "$TMPD/rebuilt.syn.tsv" --ports "$PORTS" --gateway 10.252.0.1 \
	    2>"$TMPD/truth.err"; then
		ok "truth.py confirms every scenario of the committed capture"
		check "the rebuilt truth equals the committed one" \
		    cmp "$TMPD/rebuilt.tsv" "${CAP%.*}.truth.tsv"
	else
		notok "truth.py confirms every scenario of the committed capture" \
		    "$(tail -n 3 "$TMPD/truth.err" | tr '\n' ' ')"
	fi
else
	skip "truth.py on the committed capture (tshark not installed)"
fi

if fresh_lab_allowed "odd-proxies lab" gwodd; then
	fresh=$TMPD/odd
	mkdir -p "$fresh"
	lab_records "odd-proxies lab records in < 2 min and leaves no namespace or process behind" \
	    --odd "$fresh"
	if [ -f "$fresh/gw502-odd.truth.tsv" ]; then
		odd_check "fresh " "$fresh/gw502-odd.pcap"
		ats_log_check "fresh " "$fresh/gw502-odd.pcap"
	else
		notok "fresh odd-proxies lab recording has a truth file"
	fi
fi
[ "$FAILS" = 0 ] || { echo "# test_odd_lab: $FAILS failed" >&2; exit 1; }
