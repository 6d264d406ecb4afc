#!/bin/bash
# The committed lab recordings: gw502tui's JSON report agrees with each
# truth file (verdict, cause, status), SYN series equal the capture's, and
# frame numbers equal tshark's. As root where namespaces work, the lab is
# also recorded afresh and checked the same way (GW_LAB=0 skips that).
. "$(dirname "$0")/lib.sh"
n=0
for cap in "$ROOT"/examples/*.pcap "$ROOT"/examples/*.pcapng; do
	[ -f "${cap%.*}.truth.tsv" ] || continue
	n=$((n + 1))
	python3 "$ROOT/tests/e2e/lab_check.py" "$GW_BIN" "$cap"
done
check "examples have truth files" test "$n" -ge 3

if [ "${GW_LAB:-1}" = 0 ]; then
	skip "fresh lab recording (GW_LAB=0)"
elif [ "$(id -u)" != 0 ]; then
	skip "fresh lab recording (needs root for network namespaces)"
elif ! ip netns add gw502lab-probe 2>/dev/null; then
	skip "fresh lab recording (network namespaces unavailable here)"
else
	ip netns del gw502lab-probe
	fresh="$TMPD/lab"
	mkdir -p "$fresh"
	if "$ROOT/tests/lab/check_clean.sh" "$fresh" >"$TMPD/lab.log" 2>&1; then
		ok "lab records and leaves no namespace or process behind"
	else
		notok "lab records and leaves no namespace or process behind" \
		    "$(tail -5 "$TMPD/lab.log" | tr '\n' ' ')"
	fi
	for cap in "$fresh"/*.pcap "$fresh"/*.pcapng; do
		[ -f "${cap%.*}.truth.tsv" ] || continue
		python3 "$ROOT/tests/e2e/lab_check.py" "$GW_BIN" "$cap" |
		    sed 's/^\(not ok\|ok\|skip\) - /\1 - fresh /'
	done
fi
