#!/bin/bash
# Live capture errors (issue 5): each is one line naming the interface and
# what is missing. The lab test (test_lab.sh) covers a real live capture.
. "$(dirname "$0")/lib.sh"

"$GW_BIN" --report -i gw502nosuch0 --duration 1 >"$TMPD/out" 2>"$TMPD/err"
check_eq "unknown interface exits 1" 1 "$?"
check "unknown interface: one line naming it" bash -c \
    "[ \$(wc -l <'$TMPD/err') -eq 1 ] && grep -q 'gw502nosuch0: no such interface' '$TMPD/err'"

"$GW_BIN" --report -i lo -f 'port 99999x' --duration 1 >"$TMPD/out" 2>"$TMPD/err"
rc=$?
if [ "$(id -u)" = 0 ]; then
	# a usage error like a bad -Y, though only the open interface's
	# link type tells whether libpcap compiles it
	check_eq "bad BPF filter exits 2" 2 "$rc"
	check "bad BPF filter: one line naming the filter" bash -c \
	    "[ \$(wc -l <'$TMPD/err') -eq 1 ] && grep -q 'port 99999x' '$TMPD/err'"
fi

: >"$TMPD/exists.pcap"
"$GW_BIN" --report -i lo -w "$TMPD/exists.pcap" --duration 1 >"$TMPD/out" 2>"$TMPD/err"
rc=$?
if [ "$(id -u)" = 0 ]; then
	check_eq "-w onto an existing file exits 1" 1 "$rc"
	check "-w onto an existing file says so" grep -q "file exists" "$TMPD/err"
	check "-w left the existing file alone" test ! -s "$TMPD/exists.pcap"
fi

"$GW_BIN" -w x.pcap "$ROOT/examples/gw502-lab.pcap" >/dev/null 2>&1
check_eq "-w with a file (not -i) is a usage error" 2 "$?"
"$GW_BIN" --report --follow "$ROOT/examples/gw502-lab.pcap" >/dev/null 2>&1
check_eq "--follow without -i is a usage error" 2 "$?"
"$GW_BIN" --help | grep -q 'ip\[6:2\] & 0x3fff'
check_eq "--help shows the fragment-safe filter" 0 "$?"

# Without the right to capture: one line naming the interface and the need.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	    "$GW_BIN" --report -i lo --duration 1 >"$TMPD/out" 2>"$TMPD/err"
	check_eq "capture without permission exits 1" 1 "$?"
	check "without permission: one line naming lo and what is missing" bash -c \
	    "[ \$(wc -l <'$TMPD/err') -eq 1 ] && grep -q '^gw502tui: lo: ' '$TMPD/err' &&
	     grep -q 'CAP_NET_RAW' '$TMPD/err'"
else
	skip "capture without permission (needs root and setpriv)"
fi
