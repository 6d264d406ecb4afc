#!/bin/bash
# Screen equals report (issue 14): the TUI, driven in tmux, selects every
# gateway error of every bundled lab capture in turn; each evidence pane is
# compared with the same transaction's --report=json --all (answer frame,
# elapsed time, evidence frames, DNS frames and round trips, SYN frames,
# offsets, intervals and backoff factors, ICMP, SYN/ACK, RST, upstream
# frames: evidence_screen_check.py), and the status line's counts with
# --report's. Then the report-side bugs of the issue: -Y selects requests
# by their evidence, and says so when it selects none. Synchronisation is
# by polling the screen, never fixed sleeps.
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
S=gwtui-evidence
PORTS=9090,9091
LAB=$ROOT/examples/gw502-lab.pcap

# ---- the reports ---------------------------------------------------------
"$GW_BIN" -p $PORTS --report -Y 'dns.flags.rcode == 3' "$LAB" >"$TMPD/o" 2>&1
nx=$(awk -F'\t' '$7 == "dns-nxdomain"' "$ROOT/examples/gw502-lab.truth.tsv" | wc -l)
check_eq "-Y 'dns.flags.rcode == 3': the NXDOMAIN errors, by their look-ups" \
    "$nx" "$(grep -c '(dns-nxdomain)' "$TMPD/o")"
check_eq "-Y 'dns.flags.rcode == 3': nothing else" \
    "$nx" "$(grep -c '^#' "$TMPD/o")"
check "-Y selecting errors: no 'No gateway errors found'" \
    sh -c "! grep -q 'No gateway errors' '$TMPD/o'"
"$GW_BIN" -p $PORTS --report -Y 'ip.addr == 192.0.2.99' "$LAB" >"$TMPD/o" 2>&1
check "-Y selecting nothing: says the selection kept none" \
    grep -q '^None of them matches the selection (-Y)' "$TMPD/o"
check "-Y selecting nothing: not 'No gateway errors found'" \
    sh -c "! grep -q 'No gateway errors' '$TMPD/o'"
"$GW_BIN" -p $PORTS --report "$LAB" >"$TMPD/o" 2>&1
check "text report: IPv6 address and port bracketed" \
    grep -qE '\[fd00:250::16\]:[0-9]+ → \[fd00:250::1\]:9090' "$TMPD/o"
check "text report: no unbracketed IPv6 address:port" \
    sh -c "! grep -qE '(^| )fd00:250::[0-9a-f]+:[0-9]+ ' '$TMPD/o'"

# ---- the screen ----------------------------------------------------------
command -v tmux >/dev/null || { skip "screen equals report: tmux not installed"; exit 0; }

# request_id: the request the evidence pane shows, or empty
request_id() { screen | sed -n 's/^│Request *#\([0-9]*\) .*/\1/p' | head -1; }
has_request() { [ -n "$(request_id)" ]; }
moved_from() { local id; id=$(request_id); [ -n "$id" ] && [ "$id" != "$1" ]; }

# status_counts CAPTURE: the TUI runs on CAPTURE and its status line's
# counts are --report's (frames, errors, per verdict); sets errs
status_counts() {
	local cap=$1 capname status frames
	capname=$(basename "$cap")
	"$GW_BIN" -p $PORTS --report "$cap" 2>/dev/null | tail -2 >"$TMPD/summary"
	tui_shell 250 80 || return 1
	keys "clear; LANG=C.UTF-8 LC_ALL=C.UTF-8 $GW_BIN -p $PORTS $cap; echo EXIT=\$?" Enter
	if ! wait_for 60 has "? help"; then
		notok "$capname: loads" "$(flat)"
		return 1
	fi
	status=$(screen | grep -F ' frames · ' | tail -1)
	frames=$(sed -n 's/.* \([0-9]*\) frames.*/\1/p' "$TMPD/summary")
	errs=$(sed -n 's/.* \([0-9]*\) gateway errors\{0,1\}.*/\1/p' "$TMPD/summary")
	check "$capname: status line: $frames frames, as --report" \
	    grep -qF " $frames frames " <<<"$status"
	check "$capname: status line: $errs errors, as --report" \
	    grep -qE " $errs errors?[: ]" <<<"$status"
	check_eq "$capname: status line: per-verdict counts, as --report" \
	    "$(grep -oE '[A-Z]+ [0-9]+' "$TMPD/summary" | awk '{print $NF}' | tr '\n' ' ')" \
	    "$(sed 's/.*errors*: //' <<<"$status" | grep -oE '[A-Z]+ [0-9]+' | awk '{print $NF}' | tr '\n' ' ')"
}

screen_file() { # screen_file CAPTURE
	local cap=$1 capname prev id k
	capname=$(basename "$cap")
	"$GW_BIN" -p $PORTS --report=json --all "$cap" >"$TMPD/report.json" 2>/dev/null
	status_counts "$cap" || return
	# every gateway error in turn, top to bottom
	keys g
	wait_for 5 has_request
	prev=""
	rm -f "$TMPD"/pane.*
	for k in $(seq 1 "$errs"); do
		if [ -n "$prev" ] && ! wait_for 5 moved_from "$prev"; then
			notok "$capname: selection moves to the next error" "$(flat)"
			break
		fi
		id=$(request_id)
		screen >"$TMPD/pane.$k"
		prev=$id
		keys j
	done
	"$PY" "$ROOT/tests/e2e/evidence_screen_check.py" "$TMPD/report.json" \
	    "$TMPD"/pane.* | sed "s/^\(\(not \)\{0,1\}ok - \)/\1$capname: /"
	keys q
	see "$capname: q leaves to the shell" "EXIT=0"
}

shopt -s nullglob
caps=()
for c in "$ROOT"/examples/*.pcap "$ROOT"/examples/*.pcapng; do
	# the busy lab's 1,500 requests (ports 9091,9092) have a test of their
	# own (test_busy_lab.sh); paging through its errors here would take minutes
	[ "${c%gw502-busy.pcap}" != "$c" ] && continue
	caps+=("$c")
done
check "examples/ holds lab captures (${#caps[@]})" test ${#caps[@]} -gt 0
for cap in "${caps[@]}"; do
	PORTS=$(example_ports "$cap" 9090,9091) screen_file "$cap"
done

# The reverse proxies' capture opened without their ports: the empty list
# names the ports where the gateway passed requests on (relay.c)
REV=$ROOT/examples/gw502-rev.pcap
if [ -f "$REV" ] && tui_shell 200 40; then
	keys "clear; LANG=C.UTF-8 LC_ALL=C.UTF-8 $GW_BIN $REV; echo EXIT=\$?" Enter
	check "gw502-rev.pcap without -p: the empty list says which ports to give" \
	    wait_for 30 has "a reverse proxy's? try -p 80,8081,8082"
	keys q
	see "gw502-rev.pcap without -p: q leaves to the shell" "EXIT=0"
fi

# The busy lab (real nginx :9091 and squid :9092 under load): the status
# line's counts, one of each verdict, agree with --report's.
if [ -f "$ROOT/examples/gw502-busy.pcap" ]; then
	PORTS=9091,9092 status_counts "$ROOT/examples/gw502-busy.pcap" && keys q
fi

# A generated busy gateway (bench/busy.c): the status line's counts.
if cc -O2 -std=c11 -D_GNU_SOURCE -o "$TMPD/busy" "$ROOT/bench/busy.c" -lm \
    2>"$TMPD/cc.err" && "$TMPD/busy" -o "$TMPD/busy.pcap" -T /dev/null \
    -t /dev/null --requests 600 --hosts 8 --rate 300 -S 2 >/dev/null 2>&1; then
	status_counts "$TMPD/busy.pcap" && keys q
else
	notok "bench/busy generates a capture" "$(head -c 300 "$TMPD/cc.err")"
fi
