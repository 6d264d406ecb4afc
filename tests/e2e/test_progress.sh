#!/bin/bash
# Progress of a long --report load on stderr (issue 15), of a file and of a
# stream (-r -, no size: bytes and rate only): on a terminal
# (tmux), one line "gw502tui: loading N%, … frames/s, … s left" rewritten in
# place and erased at the end; with stderr in a file, nothing. The capture
# is the lab's records written many times over (tests/tools/slowcat.py
# --repeat), grown until its report takes 2.5 s here, so that the
# half-second delay before the line is well passed whatever the machine.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { skip "progress: tmux not installed"; exit 0; }
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
BIG=$TMPD/big.pcap
S=gwtui-progress

ms_now() { echo $(( $(date +%s%N) / 1000000 )); }
repeat=300
while :; do
	$PY "$ROOT/tests/tools/slowcat.py" --repeat $repeat --pause 0 \
	    --chunk 4194304 "$ROOT/examples/gw502-lab.pcap" >"$BIG"
	t0=$(ms_now)
	timeout 120 "$GW_BIN" --report=json --all "$BIG" >/dev/null 2>"$TMPD/err"
	rc=$?
	took=$(( $(ms_now) - t0 ))
	# well past the half-second delay: the line is redrawn between
	# slices of 65536 frames, and must stay long enough to be seen
	[ "$took" -ge 2500 ] || [ "$repeat" -ge 4800 ] && break
	repeat=$(( repeat * 2 ))
done
check_eq "a report of $(( $(stat -c %s "$BIG") / 1000000 )) MB with stderr in a file: exit 0" 0 "$rc"
check_eq "stderr in a file: no progress written (${took} ms load)" "" "$(cat "$TMPD/err")"
if [ "$took" -lt 1200 ]; then
	skip "progress on a terminal: the biggest load took only ${took} ms"
	exit 0
fi

tui_shell 100 10 || exit 0
keys "clear; $GW_BIN --report=json --all $BIG >/dev/null; echo EXIT=\$?" Enter
seere "progress on a terminal: one line with the share, the rate, the time left" \
    'gw502tui: loading [0-9]+%, [0-9.]+ [KMG]B of [0-9.]+ MB, [0-9.]+ [kM ]*frames/s, [0-9]+ s left'
# as long as the timed load, or several times that on a machine busy with
# other work (CI: a 2.5 s load took over 10 s once)
ends=$(( took * 4 / 1000 + 10 ))
if wait_for "$ends" has "EXIT=0"; then
	ok "progress: the load ends, exit 0"
else
	notok "progress: the load ends, exit 0 (within ${ends} s)" "$(flat)"
fi
check "progress: the line is erased at the end" hasnt "gw502tui: loading"
check "progress: on one line (never a second one)" test "$(screen | grep -c 'frames/s')" -le 1

# the text report on the same terminal: the progress line makes way for it
# (--status 599: only the never-answered requests, a few thousand lines)
keys "clear; $GW_BIN --report --status 599 $BIG; echo EXIT=\$?" Enter
if wait_for "$ends" has "EXIT=0"; then
	ok "report and progress on one terminal: exit 0"
else
	notok "report and progress on one terminal: exit 0 (within ${ends} s)" "$(flat)"
fi
seere "report and progress on one terminal: the summary line whole" '^[0-9]+ requests, [0-9]+ gateway errors, '
check "report and progress on one terminal: the progress line erased" hasnt "loading"

# the screen's progress bar gives the same numbers (capture/progress.c)
keys "clear; LANG=C.UTF-8 $GW_BIN --keep 1000 $BIG; echo EXIT=\$?" Enter
seere "the screen while loading: the share, the bytes, the rate, the time left" \
    'Loading .* [0-9]+%, [0-9.]+ [KMG]B of [0-9.]+ MB, [0-9.]+ [kM ]*frames/s, [0-9]+ s left'
keys q q
see "the screen: q stops the load, q again quits" "EXIT=0"

# a stream: what came so far and the rate, no share, no time left
keys "clear; $PY $ROOT/tests/tools/slowcat.py --chunk 2000 --pause 0.05 $ROOT/examples/gw502-lab.pcap | $GW_BIN -p 9090,9091 --report=json -r - >/dev/null; echo EXIT=\$?" Enter
seere "a stream on a terminal: bytes and rate, no share" \
    'gw502tui: loading [0-9.]+ [KM]?B, [0-9.]+ [kM ]*frames/s$'
see "a stream: exit 0 at its end" "EXIT=0"
check "a stream: the line is erased at the end" hasnt "gw502tui: loading"
