# lib.sh: tiny assertion helpers for end-to-end tests (sourced).
# Each check prints "ok - NAME", "not ok - NAME" (with "#   why" under it)
# or "skip - NAME: why"; tests/run.sh counts them. A check that only shows
# the binary survived hostile or malformed input (no crash, no hang, valid
# output) is named "robustness: …" and counted apart from the checks that
# compare with an expected value (doc/testing.md, "How the suite counts").
# GW_BIN: binary under test; ROOT: repo root; SHARED: ../shared (read only).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GW_BIN=${GW_BIN:-$ROOT/build/gw502tui}
GW_BUILD=${GW_BUILD:-$(dirname "$GW_BIN")}
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/gw502e2e.XXXXXX")
# The python checkers read JSON reports through tests/tools/jsonlines.py.
export PYTHONPATH=$ROOT/tests/tools${PYTHONPATH:+:$PYTHONPATH}
# Every tmux command of a test file talks to a server of its own (socket
# under $TMPD): never to the user's, nor to a test running alongside.
export TMUX_TMPDIR=$TMPD
unset TMUX
# A file that leaves by `exit 0` must say why just before, with a not ok
# or a skip: a helper that failed quietly, then `|| exit 0`, once ended
# test_tui_keys.sh 24 checks short with every check printed passing.
# (GW_SAID: the last result this shell printed was not an ok.)
GW_SAID=
left_early() {
	case $BASH_COMMAND in
	exit|exit\ 0) [ -n "$GW_SAID" ] ||
		echo "not ok - $(basename -- "$0") left by '$BASH_COMMAND' after an ok, saying nothing: checks after it never ran" ;;
	esac
}
cleanup() { left_early; tmux kill-server 2>/dev/null; rm -rf "$TMPD"; }
trap cleanup EXIT

ok() { echo "ok - $1"; GW_SAID=; }
# Every failure is counted (FAILS): a file may exit non-zero when any failed.
FAILS=0
notok() { FAILS=$((FAILS + 1)); echo "not ok - $1"; [ $# -gt 1 ] && printf '#   %s\n' "$2"; GW_SAID=1; return 0; }
skip() { echo "skip - $1"; GW_SAID=1; }
# The file ends here on purpose: nothing is left to check.
end_here() { GW_SAID=1; exit 0; }
# The last non-blank line of FILE: a traceback's last line names the error.
# example_ports CAPTURE DEFAULT: the proxy ports of a bundled example whose
# proxies serve clients in origin form (no absolute URL names a proxy
# port), else DEFAULT
example_ports() {
	case $(basename "$1") in
	gw502-rev.pcap) echo 80,8081,8082 ;;
	gw502-tls.pcap) echo 80,8080 ;;
	*) echo "$2" ;;
	esac
}
# keep_if_failed BEFORE DIR NAME: a fresh recording that read wrong (FAILS
# grew from BEFORE) is kept to be read again, in GW_KEEP_DIR (/var/tmp):
# each run records a new one, the next may not show it
keep_if_failed() {
	local kept
	[ "$FAILS" != "$1" ] || return 0
	kept=${GW_KEEP_DIR:-/var/tmp}/$3-failed.$(date +%Y%m%d%H%M%S)
	cp -r "$2" "$kept" && echo "# recording kept in $kept"
}
last_line() { grep -v '^[[:space:]]*$' "$1" | tail -1 | cut -c1-400; }
check() { # check NAME CMD...: passes when CMD exits 0 and printed no traceback
	local name=$1; shift
	"$@" >"$TMPD/check.out" 2>&1
	checked "$name" $? "$1" "$TMPD/check.out"
}
checked() { # checked NAME STATUS CMD OUTPUT: not ok names CMD, STATUS, last line
	if [ "$2" -eq 0 ] && ! grep -q '^Traceback (most recent call last)' "$4"; then
		ok "$1"
	else
		notok "$1" "$(basename -- "$3") exited $2: $(last_line "$4")"
	fi
}
check_eq() { # check_eq NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "expected [$2] got [$3]"; fi
}
# Polls CMD until it succeeds or SECONDS pass (no fixed sleeps).
wait_for() {
	secs=$1; shift
	deadline=$(( $(date +%s) + secs ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}
# Runs the binary under test: sets rc, out, err.
run() { # run ARGS...: sets rc, out, err
	"$GW_BIN" "$@" >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	out=$(cat "$TMPD/out")
	err=$(cat "$TMPD/err")
}
one_line_naming() { # NAME WORD: stderr is one line that names WORD
	if [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" == *"$2"* ]]; then
		ok "$1"
	else
		notok "$1" "stderr: $err"
	fi
}

# ---- the TUI in tmux, session $S ------------------------------------------
# The server stays up when its last session ends (exit-empty off) and goes
# with the test (cleanup). On the shared default server, a test killing its
# session while no other existed made the server exit, and the new-session
# or send-keys of a test running alongside that connected at that moment
# failed with "server exited unexpectedly": every check until its next
# session failed (two kill-session/new-session loops on one server: 18
# failures in 300 rounds; with exit-empty off: none).
tmux_session() { # tmux_session W H CMD: session $S (replacing any) runs CMD
	[ -f "$TMPD/tmux.conf" ] || echo 'set -s exit-empty off' >"$TMPD/tmux.conf"
	tmux kill-session -t "$S" 2>/dev/null
	if ! tmux -f "$TMPD/tmux.conf" new-session -d -s "$S" -x "$1" -y "$2" \
	    -c "$TMPD" "$3" 2>"$TMPD/tmux.err"; then
		notok "tmux: session $S starts" "$(last_line "$TMPD/tmux.err")"
		return 1
	fi
}
tui_shell() { # tui_shell W H [TERM]: session $S is a shell showing "PROMPT$ "
	tmux_session "$1" "$2" \
	    "env PS1='PROMPT\$ ' TERM=${3:-tmux-256color} bash --norc --noprofile" || return 1
	wait_for 10 has 'PROMPT$' || { notok "tmux: a shell prompt in session $S" "$(flat)"; return 1; }
}
screen() { tmux capture-pane -p -t "$S" 2>/dev/null; }
has() { screen | grep -qF -- "$1"; }
hasre() { screen | grep -qE -- "$1"; }
hasnt() { ! screen | grep -qF -- "$1"; }
flat() { screen | tr -s ' ' | tr '\n' '~' | head -c 1200; }
see() { if wait_for 10 has "$2"; then ok "$1"; else notok "$1" "no [$2]: $(flat)"; fi; }
seere() { if wait_for 10 hasre "$2"; then ok "$1"; else notok "$1" "no /$2/: $(flat)"; fi; }
keys() { tmux send-keys -t "$S" "$@"; }
text() { tmux send-keys -t "$S" -l "$1"; }
# filter TEXT: the list's filter (/) set to TEXT
filter() { text "\\"; wait_for 5 has "Filter"; keys C-u; text "$1"; keys Enter; }
# tui_pid: the TUI's process, the child of the shell of tui_shell
tui_pid() { pgrep -n -P "$(tmux display -p -t "$S" '#{pane_pid}')"; }
# capture_frames FILE: how many frames capinfos reads from FILE (pcap or
# pcapng with several link types), else libpcap (pcap); empty if unreadable
capture_frames() {
	if command -v capinfos >/dev/null; then
		capinfos -c -M "$1" 2>/dev/null | awk '/Number of packets/ { print $NF }'
	else
		"$GW_BUILD/tests/pcapcheck" "$1" 2>/dev/null | sed -n 's/^frames=\([0-9]*\) .*/\1/p'
	fi
}
# fresh_lab_allowed WHAT PREFIX: succeeds when a lab may be recorded afresh
# here (GW_LAB not 0, root, network namespaces work: tried with a
# namespace PREFIX-probePID, which the lab would remove were we killed
# here); else prints why it is skipped and fails.
fresh_lab_allowed() {
	if [ "${GW_LAB:-1}" = 0 ]; then
		skip "fresh $1 recording (GW_LAB=0)"
	elif [ "$(id -u)" != 0 ]; then
		skip "fresh $1 recording (needs root for network namespaces)"
	elif ! ip netns add "$2-probe$$" 2>/dev/null; then
		skip "fresh $1 recording (network namespaces unavailable here)"
	else
		ip netns del "$2-probe$$"
		return 0
	fi
	return 1
}
# lab_records NAME ARGS...: tests/lab/check_clean.sh ARGS records a lab and
# checks it left nothing behind; not ok says what went wrong first (the
# lab's own log's end, a leak), not the outputs missing after it. A lab
# that fails keeps its work directory in GW_KEEP_DIR (/var/tmp).
lab_records() {
	local name=$1
	shift
	if GW_LAB_KEEP_FAILED=${GW_KEEP_DIR:-/var/tmp} \
	    "$ROOT/tests/lab/check_clean.sh" "$@" >"$TMPD/lab.log" 2>&1; then
		ok "$name"
	else
		notok "$name" "$(grep -v '^check_clean: missing output' "$TMPD/lab.log" |
		    tail -12 | tr '\n' ' ' | cut -c1-1500)"
	fi
}
# lab_records_over_stale PREFIX NAME ARGS...: lab_records NAME ARGS over
# what a killed run of the lab (namespaces PREFIX-*) leaves (SIGKILL, a
# machine stop: no cleanup ran): a namespace of the lab's with a daemon
# still inside and its /etc/netns directory, which the lab must remove,
# naming it in its log (ARGS' last: the output directory).
lab_records_over_stale() {
	local prefix=$1 name=$2 stale_pid stale_state
	shift 2
	ip netns add "$prefix-stale"
	mkdir -p "/etc/netns/$prefix-stale"
	stale_pid=$(ip netns exec "$prefix-stale" sh -c \
	    'sleep 300 </dev/null >/dev/null 2>&1 & echo $!')
	lab_records "$name" "$@"
	stale_state=$(sed 's/^.*) //' "/proc/$stale_pid/stat" 2>/dev/null | cut -d' ' -f1)
	check_eq "a killed run's process in a lab namespace is killed" "Z" "${stale_state:-Z}"
	check_eq "a killed run's namespace and /etc/netns directory are removed" "" \
	    "$(ip netns list | grep "^$prefix-stale"; ls -d "/etc/netns/$prefix-stale" 2>/dev/null)"
	check "the lab's log names the namespace it removed" \
	    grep -q "removing namespace $prefix-stale, left by a killed run" "${!#}/record.log"
	kill -KILL "$stale_pid" 2>/dev/null
	ip netns del "$prefix-stale" 2>/dev/null
	rm -rf "/etc/netns/$prefix-stale"
}
# Runs a Python checker, passing on its ok/not ok lines with PREFIX added.
# A checker's own exit status counts too: 0 all passed, 3 some check
# failed (each printed); anything else (a traceback, a usage error) is a
# failure naming the line that broke it, as is a status that contradicts
# what it printed.
run_checker() { # run_checker LABEL PREFIX CMD...
	local label=$1 prefix=$2 rc=0
	shift 2
	"$@" >"$TMPD/checker.out" 2>"$TMPD/checker.err" || rc=$?
	sed "s/^\(not ok\|ok\|skip\) - /\1 - $prefix/" "$TMPD/checker.out"
	FAILS=$((FAILS + $(grep -c '^not ok - ' "$TMPD/checker.out")))
	case $rc in
	0) grep -q '^not ok - ' "$TMPD/checker.out" &&
	    notok "$label: checker printed not ok but exited 0" ;;
	3) grep -q '^not ok - ' "$TMPD/checker.out" ||
	    notok "$label: checker exited 3 without saying what failed" \
	        "$(tail -n 3 "$TMPD/checker.err" | tr '\n' ' ')" ;;
	*) notok "$label: checker broke (exit $rc)" \
	    "$(grep -E '^  File |Error|error' "$TMPD/checker.err" | tail -n 3 | tr '\n' ' ')" ;;
	esac
	return 0
}
