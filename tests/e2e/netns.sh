# netns.sh: what the live end-to-end tests share (sourced after lib.sh): a
# network namespace of their own with its loopback up, a tmux server of
# their own, bench/gen built, and cleanup by name even on failure. Skips
# the whole test (exit 0) without root or a needed tool.
need() { command -v "$1" >/dev/null || { skip "$WHAT: $1 not installed"; exit 0; }; }
[ "$(id -u)" = 0 ] || { skip "$WHAT: needs root (network namespace)"; exit 0; }
need tmux; need tcpreplay; need ip; need python3

NS=gw502e2e$$
SOCK=gw502e2e$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT INT TERM
PCAPCHECK=$GW_BUILD/tests/pcapcheck

cc -O2 -o "$TMPD/gen" "$ROOT/bench/gen.c" -lm || { notok "bench/gen builds"; exit 1; }
ip netns add "$NS" && ip -n "$NS" link set lo up
check "namespace $NS with its loopback up" ip netns exec "$NS" ip link show lo

# frames FILE: how many frames a capture holds (libpcap)
frames() { "$PCAPCHECK" "$1" | sed -n 's/^frames=\([0-9]*\).*/\1/p'; }
# the TUI in the tmux server, in session $S: start_tui CMD, screen, has
# TEXT, keys KEYS (a second TUI: set S to a new name first)
S=tui
screen() { tmux -L "$SOCK" capture-pane -p -t "$S" 2>/dev/null; }
has() { screen | grep -qF -- "$1"; }
start_tui() {
	tmux -L "$SOCK" new-session -d -s "$S" -x 160 -y 40 -c "$TMPD" \
	    "$1; echo EXIT=\$?; sleep 600"
}
keys() { tmux -L "$SOCK" send-keys -t "$S" "$@"; }
