#!/bin/bash
# The keys of the action table (src/ui/keys.c) driven through tmux on the
# bundled lab capture: the hint bar, the generated help (every action of
# the table listed), F1/F3/F10, / search over every column with n/N and
# the term in the title, F and : display filters in the requests list and
# -Y at start, Enter on a packet (decoded detail, hex, r to its request),
# the mouse (click, wheel, "mouse: false"), Ctrl-C (exit 0), -c, t (the
# theme's own name), and the layout at 40x10, 62, 120, 200 and 250x70
# (at 62 columns the title's error counts: the most frequent and "…").
# Synchronisation is by polling the screen, never fixed sleeps.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { skip "tui keys: tmux not installed"; exit 0; }
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
S=gwtui-keys
CAP=$ROOT/examples/gw502-lab.pcap
PORTS=9090,9091

start() { # start W H ARGS: a W x H session runs the TUI on the lab capture
	tui_shell "$1" "$2" || return 1
	keys "clear; TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 $GW_BIN -p $PORTS $3 $CAP; echo EXIT=\$?" Enter
	# the hint bar: the status line's "? help" gives way to a message
	# (-Y's "display filter: 2 requests"), and a start that failed must
	# say so, not end the file as if all had passed
	wait_for 20 has "F1 Help" && return 0
	notok "the TUI starts at $1x$2 ${3:-}" "$(flat)"
	return 1
}
row_of() { screen | grep -n -- "$1" | head -1 | cut -d: -f1; }
# mouse CODE X Y (1-based cell): an xterm (X10) mouse report, as the
# terminal sends it (tmux-256color's kmous); the TUI turned reporting on
mouse() { keys -l $'\e[M'"$(printf "$(printf '\\x%02x\\x%02x\\x%02x' $(( $1 + 32 )) $(( $2 + 32 )) $(( $3 + 32 )))")"; }
click() { mouse 0 "$1" "$2"; mouse 3 "$1" "$2"; }	# press, release
wheel_down() { mouse 65 "$1" "$2"; }
# Every line of the screen between the top and bottom borders is framed.
framed() { # framed ROWS: rows 1..ROWS of the capture start and end on a border
	screen | head -"$1" | "$PY" -c '
import sys
bad = [l for l in sys.stdin.read().split("\n") if l and (l[0] not in "┌│├└" or l.rstrip()[-1] not in "┐│┤┘")]
sys.exit(1 if bad else 0)'
}
# The runs of text drawn on a background colour (the selected row; headers)
ESC=$'\e'
hl_runs() {
	tmux capture-pane -e -p -t "$S" |
	    grep -oE "${ESC}\[(4[0-7]|48;[0-9;]+)m[^${ESC}]*" | sed "s/^${ESC}\[[0-9;]*m//"
}
hl() { hl_runs | grep -qE -- "$1"; }
resize() { tmux resize-window -t "$S" -x "$1" -y "$2"; }
# the list's last row (above the evidence pane's border) is not blank
list_filled() { screen | grep -B1 '^├─ Evidence' | head -1 | grep -q '[^│ ]'; }
widest() { screen | "$PY" -c 'import sys; print(max(len(l) for l in sys.stdin.read().split("\n")))'; }

# ---- the hint bar and the keys users expect ---------------------------------
start 100 30 || exit 0
ok "tui loads at 100x30"
see "hint bar: F1 Help first" "F1 Help"
see "hint bar: s Stream" "s Stream"
see "hint bar: F10 Quit" "F10 Quit"
seere "header: errors per status" "502×[0-9]+ · 503×1 · 504×[0-9]+ · no answer×1"
n502=$("$GW_BIN" -p $PORTS --report=json "$CAP" | grep -c '"status": *502')
see "header: 502 count as the report's ($n502)" "502×$n502"
# the list's Elapsed rounds as the reports do (15.746 ms once read 15ms
# beside the report's 0.016 s): the selected request #5's, from the report
el5=$("$GW_BIN" -p $PORTS --report "$CAP" | sed -n 's/^#5 .* after 0\.0*\([1-9][0-9]*\) s$/\1/p')
seere "list: #5's elapsed as the report's (${el5:-none} ms)" "missing.lab.test/index.html .* ${el5:-none}ms│"

keys F3
see "F3: search prompt" "Search (any column"
keys C-u; text "504"; keys Enter
see "search: the title shows the term" "/504 ("
see "search: a 504 row is selected" "HTTP/1.1 504"
keys /
keys C-u; text "cannot"; keys Enter
seere "search /cannot: verdict column, case-insensitive" "/cannot \([0-9]+\)"
see "search /cannot: selection on a CANNOT CONNECT" "CANNOT CONNECT  ("
first=$(screen | grep -o "Request   #[0-9]*" | head -1)
keys n
check "n: next match" wait_for 5 sh -c "! tmux capture-pane -p -t '$S' | grep -q '$first '"
seere "n: still a CANNOT CONNECT" "CANNOT CONNECT  \("
keys N
see "N: back to the previous match" "$first "
keys /; keys C-u; text "nxdomain"; keys Enter
see "search /nxdomain: the cause matches" "(dns-nxdomain)"
keys /; keys C-u; keys Enter
check "search cleared" wait_for 5 sh -c "! tmux capture-pane -p -t '$S' | grep -q '/nxdomain'"

# ---- display filter in the requests list ------------------------------------
keys F
see "F: display filter prompt in the list" "Display filter (requests"
keys C-u; text "dns.flags.rcode==3"; keys Enter
see "F dns.flags.rcode==3: the filter in the title" "F:dns.flags.rcode==3"
see "F dns.flags.rcode==3: the NXDOMAIN requests only" "Gateway errors 2/"
# (both NXDOMAIN requests are for missing.lab.test, a GET and a CONNECT)
check "F dns.flags.rcode==3: no other host's row" hasnt "closed.lab.test"
keys :
see ": opens the same prompt" "Display filter (requests"
keys C-u; text "dns.flags.rcod==3"; keys Enter
see ": an unknown field is named" 'unknown field "dns.flags.rcod"'
keys :; keys C-u; keys Enter
see ": empty: the filter is off" "display filter off"

# ---- the packets: Enter opens the detail, r goes to the request ------------
keys g P
see "P: packets of the request" "Packets of request #5"
see "hint bar in Packets: Detail" "Enter Detail"
see "hint bar in Packets: Mark" "Space Mark"
see "Packets: times since the request first" "No. Since req"
keys T
see "T: then deltas" "No. Delta"
keys T
see "T: then absolute times" "No. Time"
keys T
see "T: since the request again" "No. Since req"
for _ in 1 2 3 4; do keys j; done
keys Enter
# one of request #5's frames (the truth file's range: numbers change with
# every recording of the lab)
rng=$(awk -F'\t' 'NR == 6 { print $12 }' "$ROOT/examples/gw502-lab.truth.tsv")
seere "Enter on a packet: its detail" "Packet ($(seq -s'|' "${rng%-*}" "${rng#*-}"))\b"
see "detail: decoded fields (filter names)" "dns.flags.rcode        = 3"
see "detail: hex view" "0000  "
see "detail: says its request" "Request #5 (r goes to it)"
keys r
see "r: back in the list" "Gateway errors"
see "r: its request selected" "Request   #5 "
keys P G r
see "r from the packet list: the request" "Request   #5 "

# ---- the mouse ---------------------------------------------------------------
y=$(row_of "CONNECT www.dnsdown.test:443")
click 10 "$y"
see "mouse: a click selects the row" "Request   #8 CONNECT www.dnsdown.test"
wheel_down 10 5
see "mouse: the wheel scrolls (3 rows)" "Request   #11 GET http://dropped.lab.test/"
ey=$(row_of "Evidence")
click 5 $((ey + 2))
keys j
check "mouse: a click focuses the evidence pane (j scrolls it)" \
    wait_for 5 sh -c "! tmux capture-pane -p -t '$S' | grep -q '│Verdict   '"
see "mouse: the list's selection stays" "Request   #11 "
click 3 30
see "mouse: a click on the hint bar's F1 Help opens the help" "Everywhere"
keys q

# ---- help: generated, every action of the table -------------------------------
keys F1
see "F1: help" "Everywhere"
see "help: names the focused pane (clicked: Evidence)" "In Evidence: why the selected request failed"
: >"$TMPD/help.txt"
for _ in 1 2 3 4 5 6; do screen >>"$TMPD/help.txt"; keys NPage; done
keys q
"$PY" - "$ROOT/src/ui/keys.c" "$TMPD/help.txt" >"$TMPD/help.check" <<'EOF'
import re, sys
src, shown = open(sys.argv[1]).read(), open(sys.argv[2]).read()
table = src[src.index('keymap[] = {'):src.index('#define NKEYMAP')]
helps = []
for entry in re.finditer(r'\{ ACT_[A-Z_]+,.*?\},\s*$', table, re.S | re.M):
    rest = entry.group(0)
    rest = rest[rest.index('}') + 1:]          # after the keys
    toks = re.findall(r'NULL|"(?:[^"\\]|\\.)*"(?:\s*"(?:[^"\\]|\\.)*")*', rest)
    lit = re.findall(r'"((?:[^"\\]|\\.)*)"', toks[-1])
    helps.append(''.join(lit))
missing = [h for h in helps if h[:40] not in shown]
print(len(helps), 'actions;', 'missing:', missing)
sys.exit(1 if missing or len(helps) < 30 else 0)
EOF
rc=$?
checked "help lists every action of the table ($(head -c 40 "$TMPD/help.check"))" "$rc" "help.check" "$TMPD/help.check"
# T's order as the packet list cycles it (checked under Packets below)
check "help: T's order is the packets' (since the request, delta, absolute)" \
    grep -q "time: since the request, delta, absolute" "$TMPD/help.txt"
for k in x s; do
	check_eq "help: $k listed once" 1 \
	    "$(grep -oE "│   $k {10,}[^│]*[^│ ]" "$TMPD/help.txt" | sort -u | wc -l)"
done

# ---- t: the theme's own name -------------------------------------------------
keys t
# (tmux runs it in $TMPD: the installed themes only, where there are some)
seere "t: the theme's name and place" \
    "theme: [a-z0-9-]+ \(([0-9]+/[0-9]+, t: next|no other theme installed)\)"

# ---- F10 quits, Ctrl-C quits cleanly ------------------------------------------
keys F10
see "F10: quits with 0" "EXIT=0"
check "no sanitizer report after the keys" hasnt "Sanitizer"
start 100 30 || exit 0
keys C-c
see "Ctrl-C: exit status 0" "EXIT=0"
check "Ctrl-C: no 'interrupted by signal'" hasnt "interrupted by signal"

# ---- -Y and -c on the command line --------------------------------------------
start 100 30 "-Y dns.flags.rcode==3" || exit 0
see "-Y: the list filtered at start" "Gateway errors 2/"
keys q
start 100 30 "--all -c 10.250.0.12" || exit 0
n12=$("$GW_BIN" -p $PORTS --report=json --all -c 10.250.0.12 "$CAP" | wc -l)
see "-c: the client filter on, as --report ($n12 requests)" "Requests $n12/"
check "-c: no other client listed" hasnt "10.250.0.11 "
e12=$("$GW_BIN" -p $PORTS --report=json -c 10.250.0.12 "$CAP" | wc -l)
seere "-c: the status line counts that client's errors ($e12)" \
    " $e12 errors?:"
keys q

# ---- mouse: false --------------------------------------------------------------
printf 'mouse: false\n' >"$TMPD/config.yaml"
start 100 30 "--config $TMPD/config.yaml" || exit 0
y=$(row_of "CONNECT www.dnsdown.test:443")
check "mouse: false: the row to click is on the screen (row ${y:-none})" test -n "$y"
click 10 "${y:-5}"
keys C-l
check "mouse: false: a click selects nothing" wait_for 3 sh -c \
    "! tmux capture-pane -p -t '$S' | grep -q 'Request   #8 '"
keys q

# ---- resizing keeps the selection in view, without blank rows ---------------
start 250 70 || exit 0
keys G k
seere "resize: G k selects a request" "Request   #[0-9]+ "
req=$(screen | grep -oE 'Request   #[0-9]+ [A-Z]+ [^ ]+' | head -1)
read -r _ num method url <<<"$req"
resize 100 30
check "resize 250x70 to 100x30: ${url:-none} still selected in the list" \
    wait_for 5 hl "$method +$url"
see "resize: the evidence still shows $num" "Request   $num "
resize 250 70
check "resize back to 250x70: the list's rows fill its pane" wait_for 5 list_filled
check "resize back to 250x70: ${url:-none} still selected" wait_for 5 hl "$method +$url"
keys P G
see "resize: packets of the request" "Packets of request $num"
frame=$(hl_runs | grep -oE '^ +[0-9]+ [+]' | grep -oE '[0-9]+' | head -1)
resize 60 12
check "resize packets to 60x12: frame ${frame:-none} still selected" \
    wait_for 5 hl "^ +${frame:-none} "
keys q
resize 40 10
keys Enter G
see "resize: flow of the request" "Flow of request $num"
resize 100 30
see "resize flow to 100x30: its first message shown again" "│+0.000 s"
check "resize flow to 100x30: the last message still selected" wait_for 5 hl '^[+][0-9.]+ s'
keys F10
see "resize: quits with 0" "EXIT=0"

# ---- q and Esc go back from a pane, as from a view; q in the list quits ------
start 100 30 || exit 0
keys Tab Tab
see "stream focused: q Back on its hint bar" "q Back"
see "stream focused: its s key" "s Other side"
keys q
check "q in the stream: back to the list" wait_for 5 hasnt "s Other side"
check "q in the stream: the TUI still runs" hasnt "EXIT="
check "q in the stream: the list's hints (no q Back)" wait_for 5 hasnt "q Back"
keys Tab
see "evidence focused: q Back on its hint bar" "q Back"
keys Escape
check "Esc in the evidence: back to the list" wait_for 5 hasnt "q Back"
check "Esc in the evidence: the TUI still runs" hasnt "EXIT="
keys q
see "q in the list: quits" "EXIT=0"

# ---- below the minimum size: a message, not a broken layout ------------------
start 100 30 || exit 0
resize 20 8
see "20x8: the screen says it is too small" "terminal too small:"
see "20x8: and the size it needs" "need at least"
check "20x8: no pane drawn under it" hasnt "Gateway errors"
resize 100 30
see "back to 100x30: the layout again" "Gateway errors"
resize 20 8
see "20x8 again: the message" "terminal too small:"
keys F3 q	# F3 opens nothing there: q is not typed into a prompt
see "20x8: q quits" "EXIT=0"

# ---- e on frames that mix link types: the file is pcapng, and so named ---------
CAP=$ROOT/examples/gw502-lab-ng.pcapng
start 100 30 || exit 0
keys e
see "export of mixed link types: the title says pcapng" "Export to pcapng"
see "export of mixed link types: the name ends .pcapng" "gw502-5-10.250.0.11.pcapng"
keys Escape
see "export of mixed link types: cancelled" "export cancelled"
keys q
CAP=$ROOT/examples/gw502-lab.pcap

# ---- layouts -----------------------------------------------------------------
start 40 10 || exit 0
check "40x10: no line wider than 40" [ "$(widest)" -le 40 ]
check "40x10: every pane row framed (left and right border)" framed 8
# the status line's items whole or not at all ("· 3" once read as 3 errors)
seere "40x10: the status line drops the error count whole, with an ellipsis" \
    " [0-9]+ frames … +\? help"
keys P
see "40x10: packets" "Packets of"
check "40x10: packet rows framed" framed 8
keys q Enter
see "40x10: flow view" "Flow of request"
see "40x10: flow view keeps its four lifelines (Time column dropped)" "Upstream"
check "40x10: flow view rows framed (nothing over the right border)" framed 5
keys q Tab Tab
see "40x10: stream focused, its s key on the hint bar" "s Other side"
keys q
start 60 40 || exit 0
keys F1
see "60 columns: help" "Everywhere"
: >"$TMPD/help60.txt"
for _ in 1 2 3; do screen >>"$TMPD/help60.txt"; keys NPage; done
keys q
# a long line goes on under its text, not cut ("host, UR", "(also Flow")
check "60 columns: help wraps the search line (… URL, client)" \
    grep -qE "│ {20,}(.* )?client\) +│" "$TMPD/help60.txt"
check "60 columns: help wraps e's line (… (also Flow))" \
    grep -qE "│ {20,}(.* )?\(?(also )?Flow\) +│" "$TMPD/help60.txt"
start 80 24 || exit 0
seere "80x24: the status line's verdict counts whole, an ellipsis for the rest" \
    "BAD RESP [0-9]+ … +\? help"
keys q
start 62 20 || exit 0
seere "62 columns: the title keeps the most frequent error statuses, then an ellipsis" \
    "Gateway errors [0-9]+/[0-9]+ ─+200×2 · 502×[0-9]+ · 504×[0-9]+ · …──┐"
keys q
for w in 120 200; do
	start $w 30 || exit 0
	keys Tab Tab
	see "${w} columns: the stream's s key on the hint bar" "s Other side"
	see "${w} columns: the stream's note whole" "(see the evidence)"
	keys x
	see "${w} columns: in the hex dump, x offers the text back" "x Text"
	keys x
	see "${w} columns: back in the text, x offers the hex dump" "x Hex"
	keys q
done
start 250 70 || exit 0
check "250x70: 70 lines" [ "$(screen | wc -l)" -eq 70 ]
check "250x70: framed" framed 68
# the first error's time as the report gives it (UTC, as the TUI runs here)
t1=$("$GW_BIN" -p $PORTS --report=json "$CAP" | head -1 |
    grep -oE '"request_time":"[^"]*T[0-9:]{8}\.[0-9]{3}' | grep -oE '[0-9:]{8}\.[0-9]{3}$')
seere "250x70: full verdicts and times (${t1:-none})" "${t1:-no time} .*HOST NOT RESOLVABLE"
see "250x70: evidence and stream side by side" "┬─ Stream"
keys q
see "250x70: exits" "EXIT=0"
check "no sanitizer report after the layouts" hasnt "Sanitizer"
