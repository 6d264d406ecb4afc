#!/bin/bash
# The live screen keeps its memory level (issue 5): with --keep N it lists
# only the newest N successful requests (and N errors) and retires older
# ones, yet counts every request. Traffic from bench/gen is replayed
# (tcpreplay) onto the loopback of a network namespace made here; the TUI
# captures it there in a tmux server of its own.
. "$(dirname "$0")/lib.sh"

WHAT="live --keep"
. "$(dirname "$0")/netns.sh"

"$TMPD/gen" -o "$TMPD/traffic.pcap" -n 400 -m small -S 7 >/dev/null 2>&1
check "bench/gen wrote 400 transactions" test -s "$TMPD/traffic.pcap"
FRAMES=$(frames "$TMPD/traffic.pcap")
# what the file holds: requests, and gateway errors (502/503/504 or none)
"$GW_BIN" --report=json --all "$TMPD/traffic.pcap" >"$TMPD/offline.json"
read -r TOTAL ERRORS < <(python3 -c '
import sys
from jsonlines import rows as report_rows
rows = report_rows(sys.argv[1])
print(len(rows), sum(1 for r in rows if r["status"] in (None, 502, 503, 504)))
' "$TMPD/offline.json")
check_eq "offline: 400 requests" 400 "$TOTAL"

mkdir "$TMPD/spool"
start_tui "env TMPDIR=$TMPD/spool TERM=tmux-256color LANG=C.UTF-8 ip netns exec $NS $GW_BIN -i lo --keep 50 --all"
if wait_for 15 has "LIVE lo"; then ok "live screen on lo"
else notok "live screen on lo" "$(screen | head -c 600)"; fi

ip netns exec "$NS" tcpreplay -q -i lo --pps=20000 "$TMPD/traffic.pcap" >"$TMPD/replay.log" 2>&1
check "tcpreplay sent the capture" grep -q "$FRAMES packets" "$TMPD/replay.log"

if wait_for 20 has "$FRAMES pkts"; then ok "status line counts every packet ($FRAMES)"
else notok "status line counts every packet ($FRAMES)" "$(screen | tail -2)"; fi

# settled successes beyond 50 (+ a quarter) are retired; the title says
# so, and what is listed and retired adds up to every request
counts() { screen | sed -n 's/.*Requests \([0-9]*\)\/[0-9]* (+\([0-9]*\) older).*/\1 \2/p' | head -1; }
trimmed() {
	read -r LISTED RETIRED < <(counts)
	[ -n "$LISTED" ] && [ "$((LISTED + RETIRED))" = "$TOTAL" ] &&
	    [ "$LISTED" -le $((ERRORS + 62)) ]
}
if wait_for 20 trimmed; then ok "title counts the retired requests"
else notok "title counts the retired requests" "$(screen | head -3)"; fi
read -r LISTED RETIRED < <(counts)
check_eq "listed + retired = every request" "$TOTAL" "$((LISTED + RETIRED))"
check "at most 50 + 50/4 successes listed besides the $ERRORS errors" \
    test "${LISTED:-999}" -le $((ERRORS + 62))
check "some were retired" test "$RETIRED" -gt 0

# fewer errors than --keep: every gateway error is still listed
keys a
if wait_for 10 has "Gateway errors $ERRORS/"; then ok "all $ERRORS gateway errors still listed"
else notok "all $ERRORS gateway errors still listed" "$(screen | head -3)"; fi

# the panes still work after renumbering: the first error's evidence
keys g
check "evidence pane shows a verdict" wait_for 10 bash -c \
    "tmux -L $SOCK capture-pane -p -t $S | grep -qE 'HOST NOT|CANNOT|BAD RESP|RELAYED|UNKNOWN|WAITING'"

keys q
if wait_for 15 has "EXIT=0"; then ok "q exits 0"
else notok "q exits 0" "$(screen | tail -3)"; fi
check "spool removed at exit" test -z "$(ls -A "$TMPD/spool")"

# --keep 10: the errors too are trimmed to the newest 10 (+ a quarter),
# and the status line still counts every one of them
S=tui2
start_tui "env TMPDIR=$TMPD/spool TERM=tmux-256color LANG=C.UTF-8 ip netns exec $NS $GW_BIN -i lo --keep 10"
wait_for 15 has "LIVE lo"
ip netns exec "$NS" tcpreplay -q -i lo --pps=20000 "$TMPD/traffic.pcap" >/dev/null 2>&1
errors_trimmed() {
	local n
	n=$(screen | sed -n 's/.*Gateway errors \([0-9]*\)\/.*/\1/p' | head -1)
	[ -n "$n" ] && [ "$n" -le 12 ] && screen | grep -q "$ERRORS errors"
}
if wait_for 20 errors_trimmed; then ok "--keep 10: at most 12 errors listed, all $ERRORS counted"
else notok "--keep 10: at most 12 errors listed, all $ERRORS counted" "$(screen | sed -n '1p;$p')"; fi
keys q
if wait_for 15 has "EXIT=0"; then ok "q exits 0 (--keep 10)"
else notok "q exits 0 (--keep 10)" "$(screen | tail -3)"; fi
