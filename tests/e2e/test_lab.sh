#!/bin/bash
# The committed lab recordings: gw502tui's JSON report agrees with each
# truth file (verdict, cause, status), SYN series equal the capture's, and
# frame numbers equal tshark's; the crowd scenario, retimed as a loaded
# gateway would time it, keeps every look-up and connection in its
# evidence. As root where namespaces work, the lab is also recorded afresh
# and checked the same way (GW_LAB=0 skips that).
. "$(dirname "$0")/lib.sh"
# The live run: its --follow JSON agrees with the truth of the same lab run,
# the -w file reads back whole, the private spool is gone.
check_live() {
	local dir=$1 captured
	check "live: capture ended cleanly" grep -q "packets captured" "$dir/headless.err"
	check "live: no sanitizer report" bash -c "! grep -qE 'Sanitizer|runtime error' '$dir/headless.err' '$dir/tui.err'"
	run_checker "live: lab_check" "live " python3 "$ROOT/tests/e2e/lab_check.py" \
	    --json "$dir/live.json" "$GW_BIN" "$dir/gw502-lab.pcap"
	captured=$(sed -n 's/.*: \([0-9]*\) packets captured.*/\1/p' "$dir/headless.err")
	"$GW_BUILD/tests/pcapcheck" "$dir/live.pcap" >"$TMPD/live.check" 2>&1
	check "live: -w file reads back with libpcap, all $captured packets" \
	    grep -q "^frames=$captured " "$TMPD/live.check"
	"$GW_BIN" --report=json --all "$dir/live.pcap" >"$TMPD/offline.json"
	run_checker "live vs offline" "live vs offline: " python3 \
	    "$ROOT/tests/e2e/lab_check.py" --json "$dir/live.json" --same-as "$TMPD/offline.json"
	run_checker "live report at the end vs offline" "live report at the end vs offline: " \
	    python3 "$ROOT/tests/e2e/lab_check.py" --json "$dir/live-end.json" \
	    --same-as "$TMPD/offline.json"
	check "live: private spools removed (all three)" test -z \
	    "$(find "$dir/spool-headless" "$dir/spool-tui" "$dir/spool-end" -mindepth 1)"
	check_eq "live screen: q exits 0" 0 "$(cat "$dir/tui.status" 2>/dev/null)"
	"$GW_BUILD/tests/pcapcheck" "$dir/tui-live.pcap" >"$TMPD/tui.check" 2>&1
	check "live screen: -w file reads back with libpcap" grep -q "^frames=[1-9]" "$TMPD/tui.check"
}

n=0
for cap in "$ROOT"/examples/*.pcap "$ROOT"/examples/*.pcapng; do
	[ -f "${cap%.*}.truth.tsv" ] || continue
	# the busy lab's truth has its own format and checker (test_busy_lab.sh)
	[ "${cap%gw502-busy.pcap}" != "$cap" ] && continue
	# the odd-proxies lab's ports and status sets: test_odd_lab.sh
	[ "${cap%gw502-odd.pcap}" != "$cap" ] && continue
	# the reverse proxies' truth and checker: test_rev_lab.sh
	[ "${cap%gw502-rev.pcap}" != "$cap" ] && continue
	# the TLS-upstream lab's truth and checker: test_tls_lab.sh
	[ "${cap%gw502-tls.pcap}" != "$cap" ] && continue
	n=$((n + 1))
	run_checker "lab_check $(basename "$cap")" "" python3 "$ROOT/tests/e2e/lab_check.py" \
	    "$GW_BIN" "$cap"
done
check "examples have truth files" test "$n" -ge 3

# The crowd timed as a loaded gateway would time it (crowd_jitter.py): every
# look-up and connection still in some crowd request's evidence.
if command -v tshark >/dev/null; then
	for cap in "$ROOT"/examples/gw502-lab.pcap "$ROOT"/examples/gw502-lab-eth.pcap; do
		run_checker "crowd_jitter $(basename "$cap")" "$(basename "$cap"): " python3 \
		    "$ROOT/tests/e2e/crowd_jitter.py" --runs 20 "$GW_BIN" "$cap"
	done
else
	skip "crowd_jitter: tshark not installed"
fi

if fresh_lab_allowed lab gw502lab; then
	fresh="$TMPD/lab"
	mkdir -p "$fresh"
	# live gw502tui (headless and on screen) watch the gateway meanwhile
	export GW502LAB_LIVE="bash $ROOT/tests/e2e/live_hook.sh $fresh $GW_BIN"
	lab_records "lab records and leaves no namespace or process behind" "$fresh"
	for cap in "$fresh"/*.pcap "$fresh"/*.pcapng; do
		[ -f "${cap%.*}.truth.tsv" ] || continue
		run_checker "fresh lab_check $(basename "$cap")" "fresh " python3 \
		    "$ROOT/tests/e2e/lab_check.py" "$GW_BIN" "$cap"
	done
	check_live "$fresh"
	run_checker "live_screen_check" "" python3 "$ROOT/tests/e2e/live_screen_check.py" \
	    "$fresh" "$ROOT/tests/e2e/lab_check.py" "$GW_BIN"
fi
[ "$FAILS" = 0 ] || { echo "# test_lab: $FAILS failed" >&2; exit 1; }
