#!/bin/bash
# Runs inside the lab's gateway namespace while the lab plays its scenarios
# (tests/lab/record.sh GW502LAB_LIVE hook): a headless gw502tui --follow and
# a headless one that reports at the end, and a gw502tui screen in tmux,
# all capturing eth0. Samples the screen until
# stopped (TERM/INT), then quits the screen with `q` and stops everything.
# usage: live_hook.sh DIR GW_BIN
set -u
dir=$1 gw=$2
sock=$dir/tmux.sock
mkdir -p "$dir/screens" "$dir/spool-headless" "$dir/spool-tui" "$dir/spool-end"
stop=0
trap 'stop=1' TERM INT

env TMPDIR="$dir/spool-headless" "$gw" --report=json --all --follow -i eth0 \
    -w "$dir/live.pcap" >"$dir/live.json" 2>"$dir/headless.err" &
headless=$!
env TMPDIR="$dir/spool-end" "$gw" --report=json --all -i eth0 \
    >"$dir/live-end.json" 2>"$dir/headless-end.err" &
atend=$!
# the shell records the exit status (128+N: killed by signal N)
tmux -S "$sock" -f /dev/null new-session -d -s live -x 200 -y 100 \
    "env TMPDIR=$dir/spool-tui $gw -i eth0 -w $dir/tui-live.pcap 2>$dir/tui.err; echo \$? >$dir/tui.status"
tmux -S "$sock" set-option -t live remain-on-exit on >/dev/null

ready() { # both capturing: the headless one said so, the screen shows LIVE
	grep -q 'capturing on' "$dir/headless.err" &&
	    grep -q 'capturing on' "$dir/headless-end.err" &&
	    tmux -S "$sock" capture-pane -p -t live 2>/dev/null | grep -q ' LIVE '
}
for _ in $(seq 100); do ready && break; sleep 0.1; done
ready || { echo "live_hook: not ready" >&2; }
echo "live_hook: capturing on eth0" >&2

# one screen every 0.2 s, named by the wall-clock time it was taken (ns)
n=0
while [ "$stop" = 0 ] && [ "$n" -lt 3000 ]; do
	t=$(date +%s%N)
	tmux -S "$sock" capture-pane -p -t live >"$dir/screens/$t.txt" 2>/dev/null
	n=$((n + 1))
	sleep 0.2
done

# all stop at once; each closes (fsyncs) its capture, which can take
# seconds on a busy disk: the lab gives this script 25 s before it kills it
kill -INT "$headless" "$atend" 2>/dev/null
tmux -S "$sock" send-keys -t live q
t0=$(date +%s%N)
for _ in $(seq 150); do
	[ "$(tmux -S "$sock" display -p -t live '#{pane_dead}' 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
echo "live_hook: screen quit after $(( ($(date +%s%N) - t0) / 1000000 )) ms," \
    "exit status $(cat "$dir/tui.status" 2>/dev/null)" >&2
for _ in $(seq 50); do
	! kill -0 "$headless" 2>/dev/null && ! kill -0 "$atend" 2>/dev/null && break
	sleep 0.1
done
echo "live_hook: headless ones ended after $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
tmux -S "$sock" kill-server 2>/dev/null
kill -KILL "$headless" "$atend" 2>/dev/null
wait "$headless" "$atend" 2>/dev/null
echo "live_hook: done" >&2
