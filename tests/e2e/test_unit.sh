#!/bin/bash
# The fleet's systemd unit (issue 16, dist/gw502tui-watch@.service):
# systemd-analyze verify finds nothing wrong with an instance of it, its
# hardening scores "OK" offline, and its ExecStart command line, run the
# way the unit runs it (a user that is not root, only the unit's ambient
# capabilities), captures on lo into the state folder's ring and ends
# cleanly; without those capabilities it fails in one line. Loopback only.
. "$(dirname "$0")/lib.sh"
UNIT=$ROOT/dist/gw502tui-watch@.service

# the unit's value of KEY (continuation lines joined)
unit_value() {
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$UNIT" | sed -n "s/^$1=//p" | tr -s ' '
}

if command -v systemd-analyze >/dev/null; then
	# an instance for lo, running the binary under test (verify checks
	# that ExecStart's program exists)
	mkdir -p "$TMPD/units"
	inst=$TMPD/units/gw502tui-watch@lo.service
	sed "s|/usr/bin/gw502tui|$GW_BIN|" "$UNIT" >"$inst"
	(cd "$TMPD" && systemd-analyze verify --man=no "$inst") >"$TMPD/verify.txt" 2>&1
	check_eq "systemd-analyze verify: exits 0" 0 $?
	check_eq "systemd-analyze verify: says nothing" "" "$(cat "$TMPD/verify.txt")"
	if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
		level=$(cd "$TMPD" && systemd-analyze security --offline=yes "$inst" 2>&1 |
		    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
		check "systemd-analyze security: exposure at most 2.0 (got ${level:-none})" \
		    awk -v l="${level:-99}" 'BEGIN { exit !(l <= 2.0) }'
	else
		skip "systemd-analyze security --offline: this systemd is too old"
	fi
else
	skip "systemd unit: systemd-analyze is missing (package systemd)"
fi

for key in DynamicUser StateDirectory NoNewPrivileges ProtectSystem \
    SyslogIdentifier; do
	check "the unit sets $key" test -n "$(unit_value "$key")"
done
check_eq "the unit's capabilities: CAP_NET_RAW CAP_NET_ADMIN only" \
    "CAP_NET_RAW CAP_NET_ADMIN" "$(unit_value AmbientCapabilities)"

# doc/fleet.md's jq queries, on a journal made of the lab capture's report
# (gateway machine gw1), one more error on gw2 and a stderr notice.
if command -v jq >/dev/null; then
	J=$TMPD/journal.json
	"$GW_BIN" --report=json "$ROOT/examples/gw502-lab.pcap" |
	    jq -c '{_HOSTNAME: "gw1", MESSAGE: tojson}' >"$J"
	"$GW_BIN" --report=json "$ROOT/examples/gw502-lab.pcap" |
	    jq -c 'select(.cause == "tcp-rst") | {_HOSTNAME: "gw2", MESSAGE: tojson}' |
	    head -1 >>"$J"
	echo '{"_HOSTNAME":"gw1","MESSAGE":"gw502tui: capturing on eth0"}' >>"$J"
	# each ```sh block of fleet.md that starts with journalctl, as a file
	awk -v d="$TMPD" '
	    /^```sh$/ { inb = 1; next }
	    /^```/ { if (q) close(f); inb = 0; q = 0; next }
	    inb && /^journalctl -t gw502tui-watch/ { n++; f = d "/q" n; q = 1
		sub(/^journalctl[^|]*\|/, "cat \"$J\" |") }
	    q { print > f }' "$ROOT/doc/fleet.md"
	check_eq "fleet.md: three journalctl queries" 3 "$(ls "$TMPD"/q? 2>/dev/null | wc -l)"
	q() { J=$J bash "$TMPD/q$1" 2>&1 | sed 's/^ *//'; }
	n502=$(grep -cF '\"status\":502,' "$J")
	check_eq "fleet.md 502s per cause per gateway: every 502 counted once" "$n502" \
	    "$(q 1 | awk '{ s += $1 } END { print s }')"
	check "fleet.md 502s per cause per gateway: gw1 syn-unanswered 5" \
	    grep -qx $'5 gw1\tsyn-unanswered' <(q 1)
	check "fleet.md 502s per cause per gateway: gw2 tcp-rst 1" \
	    grep -qx $'1 gw2\ttcp-rst' <(q 1)
	# the busiest host counted without jq (ties: uniq -c | sort -rn order)
	top=$(python3 -c '
import json, sys
n = {}
for line in open(sys.argv[1]):
    m = json.loads(line)["MESSAGE"]
    try:
        h = json.loads(m)["host"]
    except ValueError:
        continue
    n[h] = n.get(h, 0) + 1
best = max(n.values())
print(best, max(h for h in n if n[h] == best))' "$J")
	check_eq "fleet.md top failing hosts: the busiest host first ($top)" \
	    "$top" "$(q 2 | head -1)"
	check_eq "fleet.md DNS failures: gw1's three causes, not gw2" \
	    $'2 gw1\tdns-error\n2 gw1\tdns-no-response\n2 gw1\tdns-nxdomain' \
	    "$(q 3 | sort -k2)"
else
	skip "fleet.md queries: jq is missing"
fi

# ExecStart, as the unit runs it: %I = lo, the state folder a temporary one
# owned by the user, GW502TUI_OPTS = a one-second run.
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	skip "the unit's command line as a capturing user: needs root and setpriv"
	exit 0
fi
state=$TMPD/state
mkdir -p "$state"
chown nobody "$state"
chmod 0750 "$state"
chmod o+x "$TMPD"
exec_start=$(unit_value ExecStart)
exec_start=${exec_start//%I/lo}
exec_start=${exec_start//\/var\/lib\/gw502tui/$state}
exec_start=${exec_start//\$GW502TUI_OPTS/--duration 1}
exec_start=${exec_start/\/usr\/bin\/gw502tui/$GW_BIN}
read -r -a cmd <<<"$exec_start"
caps=$(unit_value AmbientCapabilities | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
as_unit() { # as_unit CAPS: the command as nobody with CAPS ambient
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    --inh-caps="$1" --ambient-caps="$1" --no-new-privs \
	    timeout 20 "${cmd[@]}" >"$TMPD/unit.out" 2>"$TMPD/unit.err"
}
as_unit "$caps"
check_eq "ExecStart as nobody with the unit's capabilities: exits 0" 0 $?
check "ExecStart: says it captures on lo" grep -q "capturing on lo" "$TMPD/unit.err"
check "ExecStart: the ring's index is in the state folder" test -s "$state/lo.ring"
check_eq "ExecStart: its first file too, owned by the user" nobody \
    "$(stat -c %U "$state/lo_00001.pcap" 2>&1)"
as_unit "$caps"
check_eq "ExecStart again (a restart): --force replaces the ring, exits 0" 0 $?
as_unit -all
check_eq "ExecStart without the capabilities: exits 1" 1 $?
check_eq "ExecStart without the capabilities: one line on stderr" 1 \
    "$(wc -l <"$TMPD/unit.err")"
