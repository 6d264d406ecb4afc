#!/bin/bash
# The screen's rows (issue 15): without --keep, settled transactions leave
# the model as compact list rows and their evidence is rebuilt from their
# frames on selection. On every bundled lab capture and a generated busy
# gateway, the TUI runs twice in tmux: with the rows (GW502TUI_ROWS=stats:
# it says at exit how many rows were retired and rebuilt) and with every
# transaction's model kept (GW502TUI_ROWS=0). The evidence pane of every
# error row must be the same both ways, the status line's counts --report's,
# and the rows run must really have retired and rebuilt them.
# Synchronisation is by polling the screen, never fixed sleeps.
. "$(dirname "$0")/lib.sh"
S=gwtui-rows
PORTS=9090,9091
MOVE_S=5	# seconds a selection may take to move and draw
command -v tmux >/dev/null || { skip "rows: tmux not installed"; exit 0; }

# request_id: the request the evidence pane shows, or empty
request_id() { screen | sed -n 's/^│Request *#\([0-9]*\) .*/\1/p' | head -1; }
has_request() { [ -n "$(request_id)" ]; }
moved_from() { local id; id=$(request_id); [ -n "$id" ] && [ "$id" != "$1" ]; }
# the evidence pane of the screen: from its top border to its bottom one,
# left of the stream pane beside it
evidence_pane() {
	screen | python3 -c '
import sys
lines, out, cut = sys.stdin.read().split("\n"), [], None
for ln in lines:
    if cut is None and ln.startswith("├─ Evidence"):
        cut = ln.find("┬")
    if cut is not None:
        out.append(ln[:cut] if cut > 0 else ln)
        if ln.startswith("└"):
            break
print("\n".join(out))'
}

# run_panes CAPTURE MODE OUTDIR: the TUI with GW502TUI_ROWS=MODE, every
# error selected in turn, its evidence pane into OUTDIR/N; the status line
# into OUTDIR/status, stderr into OUTDIR/stderr
run_panes() {
	local cap=$1 mode=$2 dir=$3 capname prev k
	capname=$(basename "$cap")
	mkdir -p "$dir"
	tui_shell 250 80 || return 1
	keys "clear; GW502TUI_ROWS=$mode LANG=C.UTF-8 LC_ALL=C.UTF-8 $GW_BIN -p $PORTS $cap 2>$dir/stderr; echo EXIT=\$?" Enter
	if ! wait_for 120 has "? help"; then
		notok "$capname ($mode): loads" "$(flat)"
		return 1
	fi
	# loaded: the status line counts every frame (compare_file's)
	wait_for 120 sh -c "tmux capture-pane -p -t '$S' | grep -qF ' $frames frames '"
	screen | grep -F ' frames · ' | tail -1 >"$dir/status"
	keys g
	wait_for "$MOVE_S" has_request
	prev=""
	for k in $(seq 1 "$errs"); do
		if [ -n "$prev" ] && ! wait_for "$MOVE_S" moved_from "$prev"; then
			notok "$capname ($mode): selection moves to error $k" "$(flat)"
			break
		fi
		# the pane is drawn with the selection: wait until it is whole
		wait_for "$MOVE_S" sh -c "tmux capture-pane -p -t '$S' | grep -q '^│Verdict'"
		prev=$(request_id)
		evidence_pane >"$dir/$(printf %06d "$k")"
		keys j
	done
	keys q
	wait_for 10 has "EXIT=0" || notok "$capname ($mode): q leaves" "$(flat)"
}

compare_file() { # compare_file CAPTURE
	local cap=$1 capname frames n diffs
	capname=$(basename "$cap")
	"$GW_BIN" -p $PORTS --report "$cap" 2>/dev/null | tail -2 >"$TMPD/summary"
	frames=$(sed -n 's/.* \([0-9]*\) frames.*/\1/p' "$TMPD/summary")
	errs=$(sed -n 's/.* \([0-9]*\) gateway errors\{0,1\}.*/\1/p' "$TMPD/summary")
	rm -rf "$TMPD/kept" "$TMPD/rows"
	run_panes "$cap" 0 "$TMPD/kept" || return
	run_panes "$cap" stats "$TMPD/rows" || return
	n=$(ls "$TMPD/rows" | grep -c '^[0-9]')
	check_eq "$capname: every error selected with rows" "$errs" "$n"
	diffs=""
	for f in "$TMPD/kept"/[0-9]*; do
		cmp -s "$f" "$TMPD/rows/$(basename "$f")" || diffs="$diffs $(basename "$f")"
	done
	if [ -z "$diffs" ]; then
		ok "$capname: the evidence pane of every error row equals the kept model's ($n)"
	else
		set -- $diffs
		notok "$capname: evidence panes differ from the kept model's:$diffs" \
		    "$(diff "$TMPD/kept/$1" "$TMPD/rows/$1" 2>&1 | head -40 | tr '\n' '~')"
	fi
	check "$capname: status line: $frames frames, as --report" \
	    grep -qF " $frames frames " "$TMPD/rows/status"
	check "$capname: status line: $errs errors, as --report" \
	    grep -qE " $errs errors?[: ]" "$TMPD/rows/status"
	check_eq "$capname: status line: per-verdict counts, as --report" \
	    "$(grep -oE '[A-Z]+ [0-9]+' "$TMPD/summary" | awk '{print $NF}' | tr '\n' ' ')" \
	    "$(sed 's/.*errors*: //' "$TMPD/rows/status" | grep -oE '[A-Z]+ [0-9]+' | awk '{print $NF}' | tr '\n' ' ')"
	# the comparison means something only if the rows were retired and
	# the panes rebuilt from their frames
	check "$capname: rows retired and rebuilt on selection" python3 - \
	    "$TMPD/rows/stderr" "$errs" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"rows: (\d+) retired of (\d+) requests, (\d+) rebuilt", text)
assert m, text
retired, total, rebuilt = map(int, m.groups())
errs = int(sys.argv[2])
assert retired > 0 and retired >= total * 3 // 4, (retired, total)
assert rebuilt >= errs * 3 // 4, (rebuilt, errs)
EOF
	check "$capname: no rebuild failed" \
	    sh -c "! grep -q 'frames no longer\|not found' '$TMPD/rows/stderr'"
}

shopt -s nullglob
# the lab's traffic as pcap and as pcapng (files are read again by
# offset), and squid's; ROWS_CAPS: others instead
if [ -n "${ROWS_CAPS:-}" ]; then
	read -r -a caps <<<"$ROWS_CAPS"
else
	# and the busy lab's dual-stack recording (look-ups half answered:
	# the row keeps that, which the remedy says)
	caps=("$ROOT/examples/gw502-lab.pcap" "$ROOT/examples/gw502-lab-ng.pcapng"
	    "$ROOT/examples/gw502-lab-squid.pcap" "$ROOT/examples/gw502-rev.pcap"
	    "$ROOT/examples/gw502-odd.pcap"
	    "$ROOT/tests/lab/kept/busy-dual-stack/gw502-busy.pcap")
fi
check "examples/ holds lab captures (${#caps[@]})" test ${#caps[@]} -gt 0
for cap in "${caps[@]}"; do
	# the reverse proxies' (pooled connections, nginx's earlier tries of
	# a request on other servers) on their own ports; the odd proxies'
	# (tinyproxy sends a head a field line a segment) on theirs
	case $(basename "$cap") in
	gw502-odd.pcap) PORTS=9094,9095,9096,9097 compare_file "$cap" ;;
	gw502-busy.pcap) PORTS=9091,9092 compare_file "$cap" ;;
	*) PORTS=$(example_ports "$cap" 9090,9091) compare_file "$cap" ;;
	esac
done

# A generated busy gateway (bench/busy.c): errors of every kind, pooled
# connections, cached look-ups (60 requests: every error is selected twice).
if [ -n "${ROWS_CAPS:-}" ]; then
	:
elif cc -O2 -std=c11 -D_GNU_SOURCE -o "$TMPD/busy" "$ROOT/bench/busy.c" -lm \
    2>"$TMPD/cc.err" && "$TMPD/busy" -o "$TMPD/busy.pcap" -T /dev/null \
    -t /dev/null --requests 60 --hosts 8 --rate 300 -S 2 >/dev/null 2>&1; then
	compare_file "$TMPD/busy.pcap"
else
	notok "bench/busy generates a capture" "$(head -c 300 "$TMPD/cc.err")"
fi

# Past 16 MB (bench/gen.c: 28 MB, 25 errors among 12,000 requests): a
# row's frames are read again at offsets whose high bits only the model's
# table holds (src/capture/frameoff.c). A move takes ~10 ms here, with
# AddressSanitizer too; 30 s each, as a CI run once took over 5 s.
if [ -z "${ROWS_CAPS:-}" ] && cc -O2 -std=c11 -D_GNU_SOURCE -o "$TMPD/gen" \
    "$ROOT/bench/gen.c" -lm 2>"$TMPD/cc.err" && "$TMPD/gen" -o \
    "$TMPD/big.pcap" -n 12000 -m small -f 0.002 -S 5 >/dev/null 2>&1; then
	check "bench/gen's capture is past 16 MB" \
	    test "$(stat -c %s "$TMPD/big.pcap")" -gt 16777216
	MOVE_S=30 compare_file "$TMPD/big.pcap"
	rm -f "$TMPD/big.pcap"
elif [ -z "${ROWS_CAPS:-}" ]; then
	notok "bench/gen generates a 28 MB capture" "$(head -c 300 "$TMPD/cc.err")"
fi

# A head in three segments 2,500 frames of other traffic apart (another
# connection of the gateway's to the same upstream among it;
# tests/tools/mksynth.py longhead): the row reads the stretch again, only
# its connections' segments, and its evidence is the kept model's.
if [ -z "${ROWS_CAPS:-}" ] && python3 "$ROOT/tests/tools/mksynth.py" \
    longhead "$TMPD/longhead.pcap"; then
	PORTS=9090 compare_file "$TMPD/longhead.pcap"
fi

# A row the screen cannot read again (mksynth.py hugehead: the same head
# with 70,000 frames between its segments, 140,000 in all, more than a
# row reads again): selecting it says so in the evidence pane, and the screen
# neither crashes nor shows another's evidence.
if [ -z "${ROWS_CAPS:-}" ] && python3 "$ROOT/tests/tools/mksynth.py" \
    hugehead "$TMPD/longhead.pcap" && tui_shell 200 50; then
	keys "clear; GW502TUI_ROWS=stats LANG=C.UTF-8 LC_ALL=C.UTF-8 $GW_BIN -p 9090 $TMPD/longhead.pcap 2>$TMPD/longhead.err; echo EXIT=\$?" Enter
	if wait_for 20 has "F10 Quit"; then
		keys g
		see "a row too long to read again: the evidence pane says why" \
		    "request #1: its messages span more of the capture"
		check "a row too long to read again: no other evidence shown" \
		    sh -c "! tmux capture-pane -p -t '$S' | grep -q '^│Verdict'"
		keys q
		see "a row too long to read again: q leaves" "EXIT=0"
		check "a row too long to read again: it was a retired row" \
		    grep -q "rows: 1 retired of 1 requests" "$TMPD/longhead.err"
	else
		notok "a row too long to read again: loads" "$(flat)"
	fi
fi

# The list while loading (issue 15): the retired rows' part of the list is
# kept as rows retire, and a build after a diagnosis only merges the
# model's transactions into it; building the whole list at each diagnosis
# made a 10 M-request load quadratic. GW502TUI_ROWS=stats checks each
# build against the whole list built again and says at exit how many took
# the rows' part as it was and how many differed. A generated gateway over
# 200 s (several diagnoses while loading; its upstream timeouts hold
# transactions in the model for 48 s, among rows retired after them), once
# with the errors listed and once with every request ('a' pressed at the
# first screen, while loading).
list_builds() { # list_builds CAPTURE KEY LABEL
	local cap=$1 key=$2 label=$3
	tui_shell 200 50 || return
	keys "clear; GW502TUI_ROWS=stats LANG=C.UTF-8 LC_ALL=C.UTF-8 $GW_BIN $cap 2>$TMPD/list.err; echo EXIT=\$?" Enter
	if ! wait_for 20 has "F10 Quit"; then
		notok "list while loading ($label): first screen" "$(flat)"
		return
	fi
	if [ -n "$key" ]; then
		# its message stays until a key: g (the first row) clears it
		keys "$key"
		wait_for 10 has "showing all requests"
		keys g
	fi
	if ! wait_for 120 has "? help"; then
		notok "list while loading ($label): loads" "$(flat)"
		return
	fi
	check "list while loading ($label): every request listed or counted" \
	    hasre "(Requests|Gateway errors) [0-9]+/$gen_txns "
	keys q
	wait_for 10 has "EXIT=0" || notok "list while loading ($label): q leaves" "$(flat)"
	check "list while loading ($label): builds took the rows' part and equal the whole list" \
	    python3 - "$TMPD/list.err" "$gen_txns" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"list: (\d+) builds took the rows' part as it was "
              r"\((\d+) listed\); (\d+) checked against the whole list, "
              r"(\d+) differed", text)
assert m, text
reused, listed, checked, differed = map(int, m.groups())
assert reused >= 2 and checked > reused, (reused, checked)
assert listed > 0, listed
assert differed == 0, differed
EOF
}
gen_txns=20000
if [ -n "${ROWS_CAPS:-}" ]; then
	:
elif cc -O2 -std=c11 -D_GNU_SOURCE -o "$TMPD/gen" "$ROOT/bench/gen.c" -lm \
    2>"$TMPD/cc.err" && "$TMPD/gen" -o "$TMPD/gen.pcap" -n $gen_txns \
    -m small -r 100 -S 2 >/dev/null 2>&1; then
	list_builds "$TMPD/gen.pcap" "" "errors"
	list_builds "$TMPD/gen.pcap" a "all requests"
else
	notok "bench/gen generates a capture" "$(head -c 300 "$TMPD/cc.err")"
fi
