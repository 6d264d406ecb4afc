#!/bin/bash
# Files and signals (issue 13, F5-F11): --force replaces only regular
# files, a signal or a closed pipe leaves no temporary file or spool, a
# ring rotates after the privilege drop in a sticky folder, option
# spellings, JSON escaping and the prompt of a narrow screen.
# Live parts capture on the loopback interface only (root), bounded.
# rc, out, err are set by run() in lib.sh
# shellcheck disable=SC2154
. "$(dirname "$0")/lib.sh"
EX=$ROOT/examples/gw502-lab.pcap

no_temp_in() { # no_temp_in DIR: no .gw502tui* entry left
	[ -z "$(find "$1" -name '.gw502tui*' -print -quit)" ]
}

# F5: --force refuses what is not a regular file (or a link to one).
mkfifo "$TMPD/fifo.pcap"
run --export-frames 1-3 -o "$TMPD/fifo.pcap" --force "$EX"
check_eq "F5 --force over a FIFO exits 1" 1 "$rc"
one_line_naming "F5 --force over a FIFO says why in one line" "not a regular file"
check "F5 the FIFO is still a FIFO" test -p "$TMPD/fifo.pcap"
ln -s /proc/self/fd/1 "$TMPD/stdout.pcap"
run --export 1 -o "$TMPD/stdout.pcap" --force "$EX"
check_eq "F5 --force over a link to /proc/self/fd/1 exits 1" 1 "$rc"
check "F5 the /proc link is still a link" test -L "$TMPD/stdout.pcap"
ln -s /dev/null "$TMPD/null.pcap"
run --export 1 -o "$TMPD/null.pcap" --force "$EX"
check_eq "F5 --force over a link to /dev/null exits 1" 1 "$rc"
echo old >"$TMPD/old.pcap"
ln -s "$TMPD/old.pcap" "$TMPD/regular-link.pcap"
run --export 1 -o "$TMPD/regular-link.pcap" --force "$EX"
check_eq "F5 --force over a link to a regular file still works" 0 "$rc"
check "F5 the link's target is untouched" grep -qx old "$TMPD/old.pcap"
check "F5 nothing temporary left" no_temp_in "$TMPD"

# F8: a signal during a slow export leaves nothing in the target folder.
GEN=$TMPD/gen
if cc -O2 -o "$GEN" "$ROOT/bench/gen.c" -lm 2>"$TMPD/gen.err" &&
    "$GEN" -o "$TMPD/big.pcap" -s 150M >/dev/null 2>&1; then
	nframes=$("$GW_BIN" --frames "$TMPD/big.pcap" 2>/dev/null | wc -l)
	for sig in INT TERM HUP; do
		out_dir=$TMPD/export-$sig
		mkdir "$out_dir"
		env --default-signal "$GW_BIN" "$TMPD/big.pcap" \
		    --export-frames "1-$nframes" -o "$out_dir/out.pcap" \
		    2>/dev/null &
		pid=$!
		# the export has begun once its output file is open
		started() {
			[ -n "$(ls -A "$out_dir")" ] && return 0
			for fd in /proc/"$pid"/fd/*; do
				[[ "$(readlink "$fd" 2>/dev/null)" == "$out_dir/"* ]] &&
				    return 0
			done
			return 1
		}
		if wait_for 30 started; then
			kill -"$sig" "$pid"
			{ wait "$pid"; } 2>/dev/null	# no "Hangup" job notice
			rc=$?
			check_eq "F8 SIG$sig stops the export (status)" \
			    $((128 + $(kill -l "$sig"))) "$rc"
			check_eq "F8 SIG$sig during --export-frames leaves nothing" \
			    "" "$(ls -A "$out_dir")"
		else
			kill "$pid" 2>/dev/null
			wait "$pid"
			notok "F8 SIG$sig: the export never started"
		fi
	done
else
	skip "F8 export signals: bench/gen.c did not build"
fi

# F8: `--report -i lo | head -1` leaves no spool (nor a private ring).
if [ "$(id -u)" = 0 ] && command -v curl >/dev/null && command -v python3 >/dev/null; then
	port=$((20000 + $$ % 20000))
	cat >"$TMPD/srv.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'ok')
    def log_message(self, *a):
        pass
http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
EOF
	python3 "$TMPD/srv.py" "$port" &
	srv=$!
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$port/"
	for ring in "" "--ring 2"; do
		spool_dir=$TMPD/spool${ring:+-ring}
		mkdir "$spool_dir"
		# shellcheck disable=SC2086
		TMPDIR=$spool_dir timeout 30 "$GW_BIN" --report --all --follow \
		    -i lo -p "$port" -f "tcp port $port" --duration 8 $ring \
		    2>"$TMPD/live.err" | head -1 >"$TMPD/live.out" &
		pipe=$!
		for i in $(seq 20); do
			curl -s -o /dev/null "http://127.0.0.1:$port/r$i"
			sleep 0.2
		done
		wait "$pipe"
		check "F8 head -1 got a line${ring:+ ($ring)}" test -s "$TMPD/live.out"
		check_eq "F8 SIGPIPE leaves no spool${ring:+ ($ring)}" "" \
		    "$(ls -A "$spool_dir")"
	done
	kill "$srv"
	wait "$srv" 2>/dev/null

	# F6: a ring in a sticky folder, privileges dropped to nobody.
	# like /var/tmp: reachable by everyone (TMPD is private to root)
	sticky=$(mktemp -d /tmp/gw502sticky.XXXXXX)
	trap 'rm -rf "$TMPD" "$sticky"' EXIT
	chmod 1777 "$sticky"
	python3 - "$port" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
time.sleep(1.0)
for i in range(4000):
    s.sendto(b'x' * 1000, ('127.0.0.1', int(sys.argv[1])))
    if i % 200 == 0:
        time.sleep(0.005)
EOF
	blast=$!
	timeout 30 "$GW_BIN" --report -i lo -f "udp port $port" --ring 2 \
	    --max-mb 1 -w "$sticky/gw.pcap" -Z nobody --duration 4 \
	    >/dev/null 2>"$TMPD/ring.err"
	rc=$?
	wait "$blast"
	check_eq "F6 ring after -Z in a sticky folder exits 0" 0 "$rc"
	check "F6 no --max-mb message" bash -c "! grep -q max-mb '$TMPD/ring.err'"
	check "F6 the ring rotated (member 1 is gone)" test ! -e "$sticky/gw_00001.pcap"
	members=$(cd "$sticky" && ls gw_*.pcap | sort | tr '\n' ' ')
	listed=$(tail -n +2 "$sticky/gw.ring" | awk '{print $3}' | sort | tr '\n' ' ')
	check_eq "F6 every member is in the index" "$listed" "$members"
	run --frames "$sticky/gw.ring"
	check_eq "F6 the ring reads back" 0 "$rc"
else
	skip "F8/F6 live on lo: needs root, curl and python3"
fi

# F7: a prompt on a screen narrower than its label (30 columns, `/`).
if command -v tmux >/dev/null; then
	sock=$TMPD/tmux.sock
	# the status through the shell: tmux may leave the pane's process a
	# zombie for a while and show no #{pane_dead_status}
	tmux -S "$sock" -f /dev/null new-session -d -s narrow -x 30 -y 20 \
	    "'$GW_BIN' '$EX' 2>'$TMPD/tui.err'; echo \$? >'$TMPD/tui.rc'"
	screen_has() { tmux -S "$sock" capture-pane -p -t narrow | grep -q "$1"; }
	wait_for 15 screen_has "502"
	tmux -S "$sock" send-keys -t narrow / x y z
	check "F7 the typed text shows in the narrow prompt" wait_for 5 screen_has "xyz"
	check "F7 the screen still runs with the prompt open" test ! -e "$TMPD/tui.rc"
	tmux -S "$sock" send-keys -t narrow Escape
	# Esc alone (not Alt-q): the prompt must close before q is sent
	prompt_closed() { ! screen_has "xyz"; }
	wait_for 10 prompt_closed
	tmux -S "$sock" send-keys -t narrow q
	wait_for 10 test -s "$TMPD/tui.rc"
	check_eq "F7 q exits 0 after the narrow prompt" 0 "$(cat "$TMPD/tui.rc")"
	check_eq "F7 nothing on stderr (no sanitizer report)" "" "$(cat "$TMPD/tui.err")"
	tmux -S "$sock" kill-server 2>/dev/null
else
	skip "F7 narrow prompt: no tmux"
fi

# F9: every spelling getopt accepts for --config reads that file.
printf 'statuses: 599\n' >"$TMPD/cfg.yaml"
for spelling in "--config $TMPD/cfg.yaml" "--config=$TMPD/cfg.yaml" \
    "--conf $TMPD/cfg.yaml" "--conf=$TMPD/cfg.yaml"; do
	# shellcheck disable=SC2086
	run $spelling --report=json "$EX"
	check_eq "F9 $spelling is read (statuses 599: no 50x listed)" \
	    "0 0" "$rc $(printf '%s' "$out" | grep -c '"status":50[234]')"
done
run --report=json "$EX" --config
check_eq "F9 --config without a file exits 2" 2 "$rc"

# Minor: a config naming a theme, an unknown TERM: no leak (ASan build).
printf 'theme: mono\n' >"$TMPD/theme.yaml"
run --config "$TMPD/theme.yaml" --report "$EX"
check_eq "config theme: exit 0" 0 "$rc"
check "config theme: no LeakSanitizer report" bash -c "! grep -q LeakSanitizer '$TMPD/err'"
if command -v tmux >/dev/null; then
	sock=$TMPD/tmux-term.sock
	tmux -S "$sock" -f /dev/null new-session -d -s term -x 80 -y 20 \
	    "TERM=no-such-terminal '$GW_BIN' '$EX' 2>'$TMPD/term.err'; echo \$? >'$TMPD/term.rc'"
	wait_for 15 test -s "$TMPD/term.rc"
	check_eq "unknown TERM: exit 1" 1 "$(cat "$TMPD/term.rc")"
	check "unknown TERM: one line naming it" grep -q "terminal type 'no-such-terminal'" "$TMPD/term.err"
	check "unknown TERM: no LeakSanitizer report" bash -c "! grep -q LeakSanitizer '$TMPD/term.err'"
	tmux -S "$sock" kill-server 2>/dev/null
fi

# F10: bidi and format controls in a URL reach the JSON report as \uXXXX.
# A synthetic capture (tests/tools/mksynth.py bidi): a request, a 502.
if command -v python3 >/dev/null; then
	python3 "$ROOT/tests/tools/mksynth.py" bidi "$TMPD/bidi.pcap"
	run --report=json --all "$TMPD/bidi.pcap"
	check_eq "F10 the JSON report of the bidi capture exits 0" 0 "$rc"
	check "F10 the JSON report matches doc/report.schema.json" \
	    python3 "$ROOT/tests/tools/jsonlines.py" "$TMPD/out"
	check "F10 the URL's controls are \\uXXXX" grep -qF \
	    'a\u202eb\u2066c\u200bd\ufeffe\u061cf\u2028g\u2029h.test' "$TMPD/out"
	check "F10 no raw U+202E, U+2066, U+200B, U+FEFF, U+061C, U+2028/9" \
	    bash -c "! LC_ALL=C grep -q \$'\\xe2\\x80\\xae\\|\\xe2\\x81\\xa6\\|\\xe2\\x80\\x8b\\|\\xef\\xbb\\xbf\\|\\xd8\\x9c\\|\\xe2\\x80\\xa8\\|\\xe2\\x80\\xa9' '$TMPD/out'"
else
	skip "F10 bidi JSON: no python3"
fi

# Minor: --frames prints a DNS name's \DDD escapes once (not \\027).
if command -v python3 >/dev/null; then
	python3 "$ROOT/tests/tools/mksynth.py" dns "$TMPD/dnsesc.pcap"
	run --frames "$TMPD/dnsesc.pcap"
	check "--frames: an ESC in a DNS label reads a\\027b.test" \
	    grep -qF 'Standard query 0x1234 A a\027b.test' "$TMPD/out"
fi

# Minor: an export path of 600 bytes keeps its error's reason.
long=/nonexistent/$(printf 'd%.0s' $(seq 600))/x.pcap
run --export 1 -o "$long" "$EX"
check_eq "long -o path: exit 1" 1 "$rc"
one_line_naming "long -o path: the error keeps its reason" "x.pcap: No such file or directory"
