#!/bin/bash
# A capture read from a pipe (-r -, a FIFO), as `ssh gw tcpdump -U -w - |
# gw502tui -r -` delivers one: tests/tools/slowcat.py writes a lab capture in
# chunks with pauses (records split across writes). The report of the stream
# is the file's, for pcap and pcapng; a stream cut inside a record ends with
# the frames before it and one warning; garbage is a one-line error; a FIFO
# path works; --follow prints before the producer is done; -w keeps the
# stream byte for byte, else nothing is left in the spool folder; the screen
# fills from the pipe while its keys come from the terminal. Every run is
# under a timeout; synchronisation polls files and the screen, never sleeps.
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
SLOW="$PY $ROOT/tests/tools/slowcat.py"
PORTS=9090,9091
LAB=$ROOT/examples/gw502-lab.pcap
NG=$ROOT/examples/gw502-lab-ng.pcapng
SPOOL=$TMPD/spool		# TMPDIR of every run: where a spool would be
mkdir -p "$SPOOL"
T=60				# seconds any one run may take

gw() { TMPDIR=$SPOOL timeout $T "$GW_BIN" -p "$PORTS" "$@"; }
# stream CAPTURE SLOWCAT-ARGS -- GW-ARGS: the producer piped into the binary
stream() {
	local cap=$1; shift
	local sargs=()
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	$SLOW "${sargs[@]}" "$cap" | gw "$@" -r - >"$TMPD/out" 2>"$TMPD/err"
	rc=${PIPESTATUS[1]}
	err=$(cat "$TMPD/err")
}
spool_empty() { [ -z "$(ls -A "$SPOOL")" ]; }
same_report() { # same_report NAME: the stream's stdout is the file's
	if [ -s "$TMPD/out" ] && cmp -s "$TMPD/file.out" "$TMPD/out"; then
		ok "$1"
	else
		notok "$1" "$(diff "$TMPD/file.out" "$TMPD/out" | head -3 | tr '\n' '~')"
	fi
}

# ---- the report of a stream is the file's ---------------------------------
for cap in "$LAB" "$ROOT/examples/gw502-lab-eth.pcap" "$NG"; do
	cn=$(basename "$cap")
	for mode in "--report=json --all" "--report"; do
		gw $mode "$cap" >"$TMPD/file.out" 2>"$TMPD/file.err"
		stream "$cap" --chunk 1000 --pause 0.002 -- $mode
		check_eq "$cn: $mode from a slow pipe: exit 0" 0 "$rc"
		same_report "$cn: $mode from a slow pipe: the file's report"
		check_eq "$cn: $mode from a slow pipe: stderr as for the file" \
		    "$(cat "$TMPD/file.err")" "$err"
	done
	check "$cn: no spool left" spool_empty
done

# ---- cut in the middle of a record ------------------------------------------
for cap in "$LAB" "$NG"; do
	cn=$(basename "$cap")
	$SLOW --cut-in-record 300 --pause 0 "$cap" >"$TMPD/cut.cap"
	gw --report=json --all "$TMPD/cut.cap" >"$TMPD/file.out" 2>/dev/null
	stream "$cap" --cut-in-record 300 --chunk 997 --pause 0.001 -- --report=json --all
	check_eq "robustness: $cn: cut inside a record: exit 0 as a truncated file" 0 "$rc"
	same_report "$cn: cut inside a record: the report of the frames before it"
	one_line_naming "$cn: cut inside a record: one warning line" \
	    "stdin: the stream ended in the middle of a record"
	check "$cn: cut: no spool left" spool_empty
done

# ---- not a capture ------------------------------------------------------------
printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >"$TMPD/garbage"
gw --report -r - <"$TMPD/garbage" >/dev/null 2>"$TMPD/err"
rc=$? err=$(cat "$TMPD/err")
check_eq "robustness: garbage on stdin: exit 1" 1 "$rc"
one_line_naming "garbage on stdin: one line naming what it is not" \
    "stdin: not a pcap or pcapng capture stream"
gw --report -r - </dev/null >/dev/null 2>"$TMPD/err"
rc=$? err=$(cat "$TMPD/err")
check_eq "robustness: empty stdin: exit 1" 1 "$rc"
one_line_naming "empty stdin: one line" "stdin: empty"
head -c 2000 /dev/urandom >"$TMPD/noise"
{ head -c 24 "$LAB"; cat "$TMPD/noise"; } | gw --report=json -r - \
    >/dev/null 2>"$TMPD/err"
rc=$? err=$(cat "$TMPD/err")
if [ "$rc" -le 1 ] && [ "$(wc -l <"$TMPD/err")" -le 2 ]; then
	ok "robustness: a pcap header then noise: exit $rc, no crash"
else
	notok "robustness: a pcap header then noise: no crash" "exit $rc: $err"
fi
check "robustness: garbage: no spool left" spool_empty

# ---- a FIFO path ----------------------------------------------------------------
mkfifo "$TMPD/fifo"
$SLOW --chunk 1500 --pause 0.002 "$NG" >"$TMPD/fifo" &
producer=$!
gw --report=json --all "$TMPD/fifo" >"$TMPD/out" 2>"$TMPD/err"
rc=$?
wait "$producer"
gw --report=json --all "$NG" >"$TMPD/file.out" 2>/dev/null
check_eq "FIFO path: exit 0" 0 "$rc"
check "FIFO path: the file's report" cmp "$TMPD/file.out" "$TMPD/out"

# ---- --follow prints before the producer is done ------------------------------
rm -f "$TMPD/go"
gw --report=json --all "$LAB" >"$TMPD/file.out" 2>/dev/null
half=$(( $(capture_frames "$LAB") / 2 ))
{ $SLOW --chunk 800 --pause 0.002 --hold-after-record "$half" \
    --until "$TMPD/go" --deadline $T "$LAB" |
    gw --report=json --all --follow -r - >"$TMPD/follow.out" 2>"$TMPD/err"; } &
job=$!
has_lines() { [ -s "$TMPD/follow.out" ]; }
if wait_for 30 has_lines; then
	ok "--follow: diagnoses printed while the producer still holds half"
else
	notok "--follow: diagnoses printed while the producer still holds half" \
	    "no line after 30 s"
fi
early=$(wc -l <"$TMPD/follow.out")
check "--follow: the producer is still held then" test ! -e "$TMPD/go"
touch "$TMPD/go"
wait "$job"
check_eq "--follow: exit 0 at the end of the stream" 0 $?
check "--follow: more lines once the rest came" test "$(wc -l <"$TMPD/follow.out")" -gt "$early"
if [ "$(sort "$TMPD/follow.out")" = "$(sort "$TMPD/file.out")" ]; then
	ok "--follow: each diagnosis once, the file's"
else
	notok "--follow: each diagnosis once, the file's" \
	    "$(diff <(sort "$TMPD/file.out") <(sort "$TMPD/follow.out") | head -3 | tr '\n' '~')"
fi

# ---- -w keeps the stream; a ring; --max-mb ---------------------------------------
for cap in "$LAB" "$NG"; do
	cn=$(basename "$cap")
	rm -f "$TMPD/kept.cap"
	stream "$cap" --chunk 3000 --pause 0.001 -- --report=json -w "$TMPD/kept.cap"
	check_eq "$cn: -w: exit 0" 0 "$rc"
	check "$cn: -w keeps the stream byte for byte" cmp "$cap" "$TMPD/kept.cap"
	check "$cn: -w: no spool left besides" spool_empty
done
stream "$NG" --pause 0 -- --report --ring 3 --max-mb 1
check_eq "--ring with a pcapng stream: exit 1" 1 "$rc"
one_line_naming "--ring with a pcapng stream: one line saying why" "--ring keeps pcap files"
stream "$LAB" --repeat 30 --pause 0 -- --report=json --all
cp "$TMPD/out" "$TMPD/file.out"
stream "$LAB" --repeat 30 --pause 0 -- --report=json --all --ring 2 --max-mb 1
check_eq "--ring 2 --max-mb 1 on a 2.3 MB stream: exit 0" 0 "$rc"
same_report "--ring 2 --max-mb 1: the report of the whole stream (frames run on across files)"
check "--ring: the private ring is removed" spool_empty
stream "$LAB" --repeat 30 --chunk 65536 --pause 0 -- --report=json --max-mb 1
check_eq "--max-mb 1 on a 2.3 MB stream: exit 0, no hang" 0 "$rc"
one_line_naming "--max-mb: one warning line" "at the --max-mb size limit"
check "--max-mb: no spool left" spool_empty
stream "$LAB" --pause 0 -- --report -f 'port 53'
check_eq "-f with a stream: usage error" 2 "$rc"

# ---- the documented capture filter keeps every diagnosis ---------------------------
# The README's and the man page's filter (with the lab's other proxy ports),
# applied by tcpdump to the lab captures and piped in: the same verdict and
# cause for every request as the whole capture.
RECIPE='port 53 or tcp port 9090 or tcp port 9091 or tcp port 9093 or tcp port 80 or tcp port 443 or tcp[tcpflags] & (tcp-syn|tcp-rst|tcp-fin) != 0 or icmp or icmp6 or ip[6:2] & 0x3fff != 0'
verdicts() { "$PY" -c '
import sys
from jsonlines import rows
for t in rows(sys.argv[1]):
    print(t["id"], t["url"], t["verdict"], t["cause"])' "$1"; }
if command -v tcpdump >/dev/null; then
	for cap in "$LAB" "$ROOT/examples/gw502-lab-eth.pcap"; do
		cn=$(basename "$cap")
		gw --report=json --all "$cap" >"$TMPD/file.out" 2>/dev/null
		timeout $T tcpdump -r "$cap" -U -w - "$RECIPE" 2>/dev/null |
		    gw --report=json --all -r - >"$TMPD/out" 2>"$TMPD/err"
		check_eq "$cn: the recipe's filter keeps every diagnosis" \
		    "$(verdicts "$TMPD/file.out")" "$(verdicts "$TMPD/out")"
		check "$cn: the recipe's filter: every request there" \
		    test "$(wc -l <"$TMPD/out")" -eq "$(wc -l <"$TMPD/file.out")"
	done
else
	skip "the recipe's filter: tcpdump not installed"
fi

# ---- the screen on a pipe, keys from the terminal ----------------------------------
if ! command -v tmux >/dev/null; then
	skip "pipe TUI: tmux not installed"
	exit 0
fi
S=gwtui-pipe
rm -f "$TMPD/go"
if tui_shell 100 30; then
	keys "clear; $SLOW --chunk 800 --pause 0.002 --hold-after-record $half --until $TMPD/go --deadline $T $LAB | TMPDIR=$SPOOL LANG=C.UTF-8 LC_ALL=C.UTF-8 $GW_BIN -p $PORTS -r -; echo EXIT=\$?" Enter
	see "pipe TUI: requests appear while the stream is held" "missing.lab.test"
	see "pipe TUI: the status line names the pipe" "PIPE stdin"
	check "pipe TUI: the producer is still held then" test ! -e "$TMPD/go"
	touch "$TMPD/go"
	see "pipe TUI: the end of the stream is told" "end of the stream:"
	keys j	# a key: the message gives the status line back
	see "pipe TUI: status END" "END stdin"
	see "pipe TUI: a request from the second half" "blocked.lab.test"
	keys q
	see "pipe TUI: q (read from the terminal) quits, exit 0" "EXIT=0"
	check "pipe TUI: no spool left" spool_empty
	# the same stream named /dev/stdin (a FIFO path): keys from the terminal
	keys "clear; $SLOW --pause 0 $LAB | TMPDIR=$SPOOL $GW_BIN -p $PORTS -r /dev/stdin; echo EXIT=\$?" Enter
	# the frame count as libpcap reads the file (pcapcheck), not our own
	nframes=$("$GW_BUILD/tests/pcapcheck" "$LAB" | sed -n 's/^frames=\([0-9]*\) .*/\1/p')
	see "pipe TUI on /dev/stdin: the end of the stream" "end of the stream: ${nframes:-?} frames"
	keys q
	see "pipe TUI on /dev/stdin: q quits, exit 0" "EXIT=0"
	keys "clear; TMPDIR=$SPOOL $GW_BIN --report -r -; echo EXIT=\$?" Enter
	see "a terminal on stdin: exit 1" "EXIT=1"
	see "a terminal on stdin: one line saying so" "stdin: a terminal, not a capture stream"
fi
# no terminal at all: the screen cannot take its keys
if command -v setsid >/dev/null; then
	$SLOW --pause 0 "$LAB" | TMPDIR=$SPOOL timeout $T setsid -w "$GW_BIN" -r - \
	    >/dev/null 2>"$TMPD/err"
	rc=${PIPESTATUS[1]} err=$(cat "$TMPD/err")
	check_eq "no terminal for the keys: exit 1" 1 "$rc"
	one_line_naming "no terminal for the keys: one line naming /dev/tty" "/dev/tty"
	check "no terminal: no spool left" spool_empty
fi
