#!/bin/bash
# The TUI driven through tmux on every bundled lab capture (examples/*.pcap,
# *.pcapng): for each failure cause in the capture's truth file, filter to
# that request and check the evidence pane names the cause and shows its
# evidence (NXDOMAIN, the SYN times and intervals of *.syn.tsv, the RST,
# the ICMP name, the upstream's invalid first line …); follow the stream;
# export and read the file back; 80x24, resize, q and SIGTERM restore the
# terminal; --keep on a file lists the newest requests and counts the
# rest. Synchronisation is by polling the screen, never fixed sleeps.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { skip "tui lab: tmux not installed"; exit 0; }
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
S=gwtui-lab
PORTS=9090,9091

start() { # start ARGS: a shell in an 80x24 session runs the TUI with ARGS
	tui_shell 80 24 || return 1
	keys "clear; LANG=C.UTF-8 LC_ALL=C.UTF-8 $GW_BIN -p $PORTS $1; echo EXIT=\$?" Enter
}

# One line per cause: cause, url, id, then what the evidence must show
# (F:fixed text or R:regex), from the truth file, the SYN file and the report.
expectations() { # expectations CAPTURE
	"$GW_BIN" -p "$PORTS" --report=json --all "$1" >"$TMPD/report.json" || return 1
	"$PY" - "$1" "$TMPD/report.json" <<'EOF'
import csv, re, sys
cap, rep = sys.argv[1], sys.argv[2]
base = re.sub(r'\.pcap(ng)?$', '', cap)
truth = list(csv.DictReader(open(base + '.truth.tsv'), delimiter='\t'))
syns = list(csv.DictReader(open(base + '.syn.tsv'), delimiter='\t'))
from jsonlines import rows
txns = {(t['client'], str(t['client_port'])): t for t in rows(rep)}
def esc(s):
    out = ''
    for ch in s:
        o = ord(ch)
        out += {'\t': '\\t', '\n': '\\n', '\r': '\\r', '\x1b': '\\e', '\\': '\\\\'}.get(ch) or \
            ('\\x%02x' % o if o < 0x20 or o == 0x7f else ch)
    return out
def ms_re(sec):  # the screen shows the report's "+1.003 s"; tshark rounds to µs
    ms = int(float(sec) * 1000 + 0.0005)
    alts = {ms, ms + 1}     # rounded, from a time tshark rounded to µs
    return '(' + '|'.join('%d\\.%03d' % (m // 1000, m % 1000) for m in sorted(alts)) + ') s'
seen = set()
for row in truth:
    cause = row['cause']
    if cause == 'none' or cause in seen or row['scenario'] == 'crowd':
        continue
    if row['method'] != 'GET':
        continue
    t = txns.get((row['client'], row['client_port']))
    if not t:
        print('\t'.join([cause, row['url'], '0', 'F:request %s:%s not in the report' % (row['client'], row['client_port'])]))
        continue
    seen.add(cause)
    exp = ['F:(%s)' % cause]
    if cause == 'dns-nxdomain':
        exp.append('R:DNS +A %s → NXDOMAIN' % re.escape(t['host']))
    elif cause == 'dns-no-response':
        exp.append('F:%s → no answer' % t['host'])
    elif cause == 'tcp-rst':
        exp.append('F:RST       from the server: connection refused')
    elif cause == 'icmp-unreachable':
        exp.append('F:' + t['connect']['icmp']['name'][:24])
    elif cause == 'http-invalid-response':
        exp.append('F:Reply     ' + esc(t['upstream']['first_line'])[:40])
    elif cause == 'syn-unanswered':
        mine = [s for s in syns if s['client'] == row['client'] and s['client_port'] == row['client_port']]
        for s in mine[:4]:
            k = int(s['syn'])
            pat = 'SYN %d +[0-9:.]+ \\+%s' % (k, ms_re(s['since_first_s']))
            if s['interval_s'] not in ('', '-'):
                pat += ' \\(\\+%s' % ms_re(s['interval_s'])
            exp.append('R:' + pat + '.*#%s' % s['frame'])
    print('\t'.join([cause, row['url'], str(t['id'])] + exp))
EOF
}

lab_file() { # lab_file CAPTURE
	local cap=$1 capname cause url id e line nostatus_id=""
	capname=$(basename "$cap")
	if ! expectations "$cap" >"$TMPD/exp.tsv" 2>"$TMPD/exp.err"; then
		notok "$capname: expectations" "$(last_line "$TMPD/exp.err")"
		return
	fi
	start "$cap" || return
	if ! wait_for 20 has "? help"; then
		notok "$capname: loads" "$(flat)"
		return
	fi
	ok "$capname: loads at 80x24"
	check "$capname: 24 lines" test "$(screen | wc -l)" -eq 24
	while IFS=$'\t' read -r -a line; do
		cause=${line[0]} url=${line[1]} id=${line[2]}
		[ "$cause" = http-invalid-response ] && nostatus_id=$id nostatus_url=$url
		filter "$url"
		see "$capname: $cause: filtered to $url" "#$id "
		for e in "${line[@]:3}"; do
			case $e in
			F:*) see "$capname: $cause: shows [${e#F:}]" "${e#F:}" ;;
			R:*) seere "$capname: $cause: matches /${e#R:}/" "${e#R:}" ;;
			esac
		done
	done <"$TMPD/exp.tsv"
	check "$capname: every cause of the lab checked" test "$(wc -l <"$TMPD/exp.tsv")" -ge 8

	# follow the stream of the invalid reply, then export it
	if [ -n "$nostatus_id" ]; then
		filter "$nostatus_url"
		see "$capname: stream: back on the bad response" "(http-invalid-response)"
		keys s
		see "$capname: stream: upstream followed" "Stream upstream"
		see "$capname: stream: gateway's request" "GET /fw4.pdf HTTP/1.1"
		see "$capname: stream: upstream's reply" "<html><head><title>fw4</title>"
		keys x
		see "$capname: stream: hex" "00000000  47 45 54 20 2f 66 77 34"
		keys x s
		see "$capname: stream: client side" "Stream client"
		keys Tab
		rm -f "$TMPD"/gw502-*.pcap "$TMPD"/gw502-*.pcapng
		# --export says the format it wrote (pcapng when the frames mix
		# link types): the dialog's name ends with it
		fmt=$("$GW_BIN" -p "$PORTS" --export "$nostatus_id" -o "$TMPD/ref.pcap" "$cap" 2>&1 |
		    sed -n 's/.* as \(pcap\|pcapng\)\b.*/\1/p')
		keys e
		seere "$capname: export dialog says ${fmt:-no format}" "Export to ${fmt:-none} "
		seere "$capname: export dialog: the name ends .${fmt:-none}" \
		    "gw502-$nostatus_id-10\\.250\\.0\\.11\\.${fmt:-none} "
		keys Enter
		seere "$capname: export reported" "exported [0-9]+ frames"
		n_tui=$(screen | sed -n 's/.*exported \([0-9]*\) frames.*/\1/p' | head -1)
		out="$TMPD/gw502-$nostatus_id-10.250.0.11.${fmt:-pcap}"
		n_out=$(capture_frames "$out")
		check "$capname: export written, read back: $n_out frames" test -n "$n_out"
		check_eq "$capname: exported file read back: frames as reported" \
		    "${n_tui:-none on screen}" "$n_out"
		check_eq "$capname: same frames as --export" \
		    "$(capture_frames "$TMPD/ref.pcap")" "${n_out:-unreadable}"
		rm -f "$TMPD/ref.pcap" "$out"
	fi
	keys Enter
	see "$capname: flow view" "Flow of request"
	see "$capname: flow: SYN arrow" "SYN"
	keys q
	see "$capname: flow closed" "Gateway errors"
}

shopt -s nullglob
caps=("$ROOT"/examples/*.pcap "$ROOT"/examples/*.pcapng)
check "examples/ holds lab captures (${#caps[@]})" test ${#caps[@]} -gt 0
for cap in "${caps[@]}"; do
	# the main lab's captures (the next-hop pair has its own test_hop.sh)
	[ -f "${cap%.pcap*}.truth.tsv" ] || continue
	# the squid capture (test_alog.sh) has four of the lab's causes
	[ "${cap%-squid.pcap}" != "$cap" ] && continue
	# the busy lab's truth has its own format (test_busy_lab.sh, and
	# test_evidence.sh checks its status line)
	[ "${cap%gw502-busy.pcap}" != "$cap" ] && continue
	# the odd-proxies lab's addresses and ports: test_odd_lab.sh drives
	# the TUI on it
	[ "${cap%gw502-odd.pcap}" != "$cap" ] && continue
	# the reverse proxies' ports and truth: test_tui_rows.sh and
	# test_evidence.sh drive the TUI on it
	[ "${cap%gw502-rev.pcap}" != "$cap" ] && continue
	# the TLS-upstream lab's ports and truth: test_evidence.sh drives
	# the TUI on it, test_tls_lab.sh reads its reports
	[ "${cap%gw502-tls.pcap}" != "$cap" ] && continue
	lab_file "$cap"
	keys q
	see "$(basename "$cap"): q leaves to the shell" "EXIT=0"
	check "$(basename "$cap"): no sanitizer report" hasnt "Sanitizer"
done

# The default example: resize, then SIGTERM restores the terminal.
start "$ROOT/examples/gw502-lab.pcap"
check "default example loads" wait_for 20 has "? help"
tmux resize-window -t "$S" -x 132 -y 40 2>/dev/null
see "resize to 132x40: side by side" "┬─ Stream"
see "resize to 132x40: full verdicts" "HOST NOT RESOLVABLE"
tmux resize-window -t "$S" -x 80 -y 24 2>/dev/null
see "resize to 80x24: tabs again" "├─ Evidence ─ Stream (s)"
check "resize to 80x24: 24 lines" wait_for 5 sh -c \
    "[ \"\$(tmux capture-pane -p -t '$S' | wc -l)\" -eq 24 ]"
check "SIGTERM: sent to the TUI" kill -TERM "$(tui_pid)"
see "SIGTERM: shell back" "EXIT=1"
keys "echo STTY=\$(stty -a | grep -c -- '-icanon\|-echo ')" Enter
see "SIGTERM: terminal sane" "STTY=0"

# --keep on a file: the list holds the newest N of each class, the rest is
# counted ("+K older") and the status line still counts every error.
keys "clear" Enter
start "--keep 2 $ROOT/examples/gw502-lab.pcap"
check "--keep 2: loads" wait_for 20 has "? help"
total=$("$GW_BIN" -p "$PORTS" --report=json --all "$ROOT/examples/gw502-lab.pcap" | wc -l)
errors=$("$GW_BIN" -p "$PORTS" --report=json "$ROOT/examples/gw502-lab.pcap" | wc -l)
see "--keep 2: status counts every error ($errors)" "$errors errors"
seere "--keep 2: errors listed, older ones counted" "Gateway errors [0-9]+/[0-9]+ \(\+[0-9]+ older\)"
keys a
seere "--keep 2: all requests, older ones counted" "Requests [0-9]+/[0-9]+ \(\+[0-9]+ older\)"
title=$(screen | grep -oE "Requests [0-9]+/[0-9]+ \(\+[0-9]+ older\)" | head -1)
listed=$(echo "$title" | sed -E 's/Requests [0-9]+\/([0-9]+).*/\1/')
older=$(echo "$title" | sed -E 's/.*\(\+([0-9]+) older\)/\1/')
check_eq "--keep 2: listed + older = every request ($total)" "$total" "$((listed + older))"
# 2 + 2 kept, trimmed in quarter steps, plus what the panes show
check "--keep 2: at most 9 of $total listed ($listed)" [ "${listed:-99}" -le 9 ]
keys Enter
see "--keep 2: flow view of a kept request" "Flow of request"
keys q q
see "--keep 2: q leaves to the shell" "EXIT=0"
