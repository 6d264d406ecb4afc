#!/bin/bash
# Captures an attacker can shape (issue 7), made by tests/tools/mkhostile.py:
# terminal escape sequences, C1 codes and invalid UTF-8 in a URL, a DNS name
# and an upstream reply must come out escaped in the text report, the JSON
# and the TUI (which must not be retitled); DNS compression loops and a
# 1 MiB header line stay within the limits with a visible notice; --export
# never overwrites a file or follows a symlink.
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
H=$TMPD/h
check "mkhostile.py writes the captures" "$PY" "$ROOT/tests/tools/mkhostile.py" "$H"
ESC=$H/hostile-esc.pcap LOOP=$H/hostile-dnsloop.pcap BIG=$H/hostile-bighead.pcap

# No raw C0 control but \n, no ESC, DEL, 8-bit C1, UTF-8 encoded C1
# (c2 80..9f) and no invalid UTF-8 in a file.
clean_bytes() {
	"$PY" - "$1" <<'EOF'
import re, sys
b = open(sys.argv[1], 'rb').read()
bad = re.search(rb'[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]', b)
if bad:
    sys.exit('raw byte %r at %d: %r' % (bad.group(), bad.start(), b[max(0, bad.start() - 40):bad.start() + 20]))
try:
    b.decode('utf-8')
except UnicodeDecodeError as e:
    sys.exit('invalid UTF-8: %s' % e)
EOF
}
sanitizer_clean() { [ -e "$1" ] && ! grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$1"; }

# ---- text report: escaped, never raw -------------------------------------
for all in "" --all; do
	"$GW_BIN" --report $all "$ESC" >"$TMPD/esc.txt" 2>"$TMPD/esc.err"
	check_eq "robustness: text report$all of hostile-esc exits 0" 0 $?
	check "robustness: text report$all: no raw ESC/C1/control bytes, valid UTF-8" clean_bytes "$TMPD/esc.txt"
	check "robustness: text report$all: stderr clean" sanitizer_clean "$TMPD/esc.err"
done
check "text report shows the upstream's ESC ]0; escaped (\\e]0;pwned)" \
    grep -qF '\e]0;pwned\x07\e[2J' "$TMPD/esc.txt"
check "text report shows the URL's 8-bit CSI and UTF-8 C1 escaped" \
    grep -qF 'http://evil.test/\x9b2J\xc2\x9d0;pwned\xc2\x9c/\xff\xfe' "$TMPD/esc.txt"
check "text report: the verdict is still found (bad-response)" \
    grep -q 'BAD RESPONSE (http-invalid-response)' "$TMPD/esc.txt"
# Bidi/format controls (U+202E …) reorder text on terminals that do bidi:
# finding F3 in doc/security.md (fixed).
check "text report: U+202E (right-to-left override) is escaped (doc/security.md F3)" \
    bash -c "! grep -q $'\xe2\x80\xae' '$TMPD/esc.txt'"

# ---- JSON: valid, one object per line, escapes as \u ----------------------
"$GW_BIN" --report=json --all "$ESC" >"$TMPD/esc.json" 2>"$TMPD/esc.jerr"
check_eq "robustness: json report of hostile-esc exits 0" 0 $?
check "robustness: json report: no raw ESC/C1/control bytes" clean_bytes "$TMPD/esc.json"
check "json report: every line is a JSON object with the escapes decoded back" \
    "$PY" - "$TMPD/esc.json" <<'EOF'
import sys
from jsonlines import rows
all_rows = rows(sys.argv[1])
assert all_rows, 'no rows'
r = all_rows[0]
assert r['url'].startswith('http://evil.test/\x9b2J'), r['url']
assert r['cause'] == 'http-invalid-response', r['cause']
assert '\x1b]0;pwned' in r['upstream']['first_line'], r['upstream']
EOF

# ---- the TUI: escaped on screen, the window title untouched --------------
# tui_start NAME CAPTURE TEXT: the TUI runs on CAPTURE in a pane titled
# gw-hostile-title and shows TEXT within 30 s: ok, or not ok saying whether
# it exited (its status and last stderr line: a crash) or showed nothing.
tui_exited() { [ -s "$TMPD/tui.status" ]; }
shown_or_exited() { has "$1" || tui_exited; }
tui_start() {
	rm -f "$TMPD/tui.status" "$TMPD/tui.err"
	# the pane waits for its title before the capture can change it
	tmux_session 120 40 "tmux wait-for titled; LC_ALL=C.UTF-8 '$GW_BIN' '$2' \
	    2>'$TMPD/tui.err'; echo \$? >'$TMPD/tui.status'" || return 1
	tmux select-pane -t "$S" -T gw-hostile-title
	tmux wait-for -S titled
	if wait_for 30 shown_or_exited "$3" && ! tui_exited; then
		ok "robustness: $1"
	elif tui_exited; then
		notok "robustness: $1" "gw502tui exited $(cat "$TMPD/tui.status"): $(last_line "$TMPD/tui.err")"
		return 1
	else
		notok "robustness: $1" "no [$3] within 30 s: $(flat)"
		return 1
	fi
}
tui_quits() { # tui_quits NAME: q ends the TUI with status 0
	keys q
	wait_for 10 tui_exited
	check_eq "$1" 0 "$(cat "$TMPD/tui.status" 2>/dev/null)"
}
if ! command -v tmux >/dev/null; then
	skip "tui hostile: tmux not installed"
else
	S=gwtui-hostile
	if tui_start "tui: hostile-esc shown" "$ESC" 'BAD RESPONSE'; then
		check "tui: the upstream's ESC ]0;pwned is shown escaped (\\e]0;pwned)" \
		    wait_for 10 has '\e]0;pwned'
		check "tui: the URL's 8-bit CSI is shown escaped (\\x9b2J)" \
		    has 'http://evil.test/\x9b2J'
		screen >"$TMPD/pane.txt"
		check "robustness: tui: the screen holds no raw ESC/C1/control bytes" \
		    clean_bytes "$TMPD/pane.txt"
		title=$(tmux display -p -t "$S" '#{pane_title}')
		check_eq "tui: the pane title was not changed by the capture" \
		    gw-hostile-title "$title"
		tui_quits "tui: q quits after hostile-esc (exit 0)"
	fi
	check "robustness: tui: stderr clean after hostile-esc" sanitizer_clean "$TMPD/tui.err"
	# the TUI must show the limit notice too (the report prints it on stderr)
	if tui_start "tui: hostile-bighead shown" "$BIG" 'after.test'; then
		check "tui: the 1 MiB header line gives a visible notice (doc/security.md F7)" \
		    wait_for 5 hasre 'exceeded|limit'
		tui_quits "tui: q quits after hostile-bighead (exit 0)"
	fi
	check "robustness: tui: stderr clean after hostile-bighead" sanitizer_clean "$TMPD/tui.err"
fi

# ---- DNS compression loops: reported, no hang, no crash ------------------
timeout 30 "$GW_BIN" --report --all "$LOOP" >"$TMPD/loop.txt" 2>"$TMPD/loop.err"
check_eq "robustness: dns pointer loops: text report exits 0 within 30 s" 0 $?
check "robustness: dns pointer loops: stderr clean" sanitizer_clean "$TMPD/loop.err"
check "dns pointer loops: the request is diagnosed" grep -q 'loop.test' "$TMPD/loop.txt"
timeout 30 "$GW_BIN" --report=json --all "$LOOP" >"$TMPD/loop.json" 2>"$TMPD/loop.jerr"
check_eq "robustness: dns pointer loops: json report exits 0" 0 $?
check "dns pointer loops: json holds the one request, loop.test" "$PY" -c '
import sys
from jsonlines import rows
r = rows(sys.argv[1])
assert len(r) == 1 and r[0]["host"] == "loop.test", r' "$TMPD/loop.json"

# ---- a 1 MiB header line: bounded, with the notice -----------------------
timeout 120 "$GW_BIN" --report --all "$BIG" >"$TMPD/big.txt" 2>"$TMPD/big.err"
check_eq "robustness: 1 MiB header line: report exits 0 within 120 s" 0 $?
check "1 MiB header line: stderr names the limit (1 HTTP head exceeded: singular)" \
    grep -q 'warning: .*1 HTTP head exceeded the [0-9]*-byte line or [0-9]*-byte head limit' "$TMPD/big.err"
check "robustness: 1 MiB header line: stderr clean" sanitizer_clean "$TMPD/big.err"
check "1 MiB header line: the next request is still diagnosed" \
    grep -q 'http://after.test/' "$TMPD/big.txt"
"$GW_BIN" --report=json --all "$BIG" >"$TMPD/big.json" 2>/dev/null
check_eq "robustness: 1 MiB header line: json report exits 0" 0 $?
check "robustness: 1 MiB header line: json valid" "$PY" "$ROOT/tests/tools/jsonlines.py" "$TMPD/big.json"

# ---- export: never over an existing file, never through a symlink --------
D=$TMPD/exp
mkdir -p "$D"
printf 'precious\n' >"$D/existing.pcap"
"$GW_BIN" --export 1 -o "$D/existing.pcap" "$ESC" >/dev/null 2>"$D/err1"
check_eq "export onto an existing file is refused (exit 1)" 1 $?
check_eq "export onto an existing file leaves it untouched" precious "$(cat "$D/existing.pcap")"
check_eq "export refusal says so in one line" 1 "$(wc -l <"$D/err1")"

printf 'victim\n' >"$D/victim"
ln -s "$D/victim" "$D/link.pcap"
"$GW_BIN" --export 1 -o "$D/link.pcap" "$ESC" >/dev/null 2>"$D/err2"
check_eq "export onto a symlink to a file is refused (exit 1)" 1 $?
check_eq "export onto a symlink leaves the link's target untouched" victim "$(cat "$D/victim")"
check "export onto a symlink leaves the symlink itself" test -L "$D/link.pcap"

ln -s "$D/planted" "$D/dangling.pcap"
"$GW_BIN" --export 1 -o "$D/dangling.pcap" "$ESC" >/dev/null 2>"$D/err3"
check_eq "export onto a dangling symlink is refused (exit 1)" 1 $?
check "export onto a dangling symlink creates nothing at its target" test ! -e "$D/planted"

"$GW_BIN" --export 1 -o "$D/link.pcap" --force "$ESC" >/dev/null 2>"$D/err4"
check_eq "export --force onto a symlink exits 0" 0 $?
check "export --force replaces the symlink, not what it points to" \
    bash -c "test ! -L '$D/link.pcap' && test -f '$D/link.pcap' && test \"\$(cat '$D/victim')\" = victim"

"$GW_BIN" --export 1 -o "$D/new.pcap" "$ESC" >/dev/null 2>"$D/err5"
check_eq "export to a new file exits 0" 0 $?
check "the exported file is a pcap" bash -c "head -c 4 '$D/new.pcap' | od -An -tx1 | grep -qE 'd4 c3 b2 a1|4d 3c b2 a1|0a 0d 0d 0a'"
check "the exported file is not group/world writable" \
    bash -c "test -z \"\$(find '$D/new.pcap' -perm /022)\""
check_eq "no temporary files are left behind" \
    "dangling.pcap err1 err2 err3 err4 err5 existing.pcap link.pcap new.pcap victim" \
    "$(ls "$D" | tr '\n' ' ' | sed 's/ $//')"
