#!/bin/bash
# The packet list and display filters (issue 8): --frames lines, -Y errors
# (caret under the token, unknown field named, exit 2), -Y limiting
# --report, --export-frames; then in tmux: P opens the request's frames,
# F filters the capture, Space and m mark, E exports, and the file read
# back holds exactly the marked frames, in order.
. "$(dirname "$0")/lib.sh"
PORTS=9090,9091
CAP=$ROOT/examples/gw502-lab.pcap
[ -f "$CAP" ] || { notok "packets: examples/gw502-lab.pcap exists"; exit 0; }
PCAPCHECK=$GW_BUILD/tests/pcapcheck
ART='ip.addr==10.250.0.11 && (http.response.code==502 || http.request)'

# Frame times of a pcap, or of some frames of the capture, for comparisons.
# times_of FILE [FRAME...]: "SEC.NSEC" per line; a reader that fails, or
# misses a frame asked for, prints "times_of failed: why" instead
# (two failed reads must not compare equal).
times_of() {
	python3 - "$@" >"$TMPD/times" 2>"$TMPD/times.err" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
want = set(int(x) for x in sys.argv[2:])
missing = set(want)
magic = d[:4]
end = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
o, n = 24, 0
while o + 16 <= len(d):
    s, f, cap, _ = struct.unpack(end + 'IIII', d[o:o+16])
    n += 1
    if not want or n in want:
        print('%d.%09d' % (s, f if nano else f * 1000))
        missing.discard(n)
    o += 16 + cap
if missing or n == 0:
    sys.exit('%s: %d frames, not frames %s' % (sys.argv[1], n, sorted(missing)))
EOF
	local rc=$?
	if [ "$rc" -eq 0 ]; then cat "$TMPD/times"
	else echo "times_of failed (exit $rc): $(last_line "$TMPD/times.err")"; fi
}

# The syn-drop GET's SYN series (the gateway's port, its frames) from the
# lab's SYN file: numbers change with every recording of the lab.
read -r DROP_PORT DROP_SYNS < <(awk -F'\t' '$1 == "syn-drop" && $4 == "http://dropped.lab.test/" {
	p = $6; f = f (f == "" ? "" : "|") $8 } END { print p, f }' "$ROOT/examples/gw502-lab.syn.tsv")

# ---- command line ----------------------------------------------------------
if command -v tshark >/dev/null; then
	# the first GET as tshark numbers, times and measures it
	read -r n t len < <(tshark -r "$CAP" -d tcp.port==9090,http -Y 'http.request.method == "GET"' \
	    -T fields -e frame.number -e frame.time_relative -e frame.len 2>/dev/null | head -1)
	out=$("$GW_BIN" -p $PORTS --frames "$CAP" 2>&1 | sed -n "${n}p")
	check_eq "--frames: tshark-like line" "$(printf '%6d %12.6f 10.250.0.11 → 10.250.0.1 HTTP %d GET http://ok.lab.test/ HTTP/1.1' \
	    "$n" "$t" "$len")" "$out"
else
	skip "--frames: tshark-like line (tshark not installed)"
fi
out=$("$GW_BIN" -p $PORTS --frames -Y 'tcp.analysis.retransmission || icmp.code == 13' "$CAP" 2>&1)
check "--frames: SYN retransmission info" \
    grep -qF "[TCP Retransmission] $DROP_PORT → 80 [SYN] Len=0" <<<"$out"
check "--frames: ICMP info" grep -qF 'ICMP 108 Destination unreachable (Communication administratively filtered)' <<<"$out"
out=$("$GW_BIN" -p $PORTS --frames -Y 'dns.flags.rcode==3' "$CAP" 2>&1 | head -1)
check "--frames: NXDOMAIN info" grep -qE 'Standard query response 0x[0-9a-f]{4} No such name A missing.lab.test$' <<<"$out"
check_eq "--frames -Y: the article's filter" 52 \
    "$("$GW_BIN" -p $PORTS --frames -Y "$ART" "$CAP" | wc -l)"

"$GW_BIN" --frames -Y 'ip.adr==10.250.0.11 && tcp' "$CAP" >"$TMPD/o" 2>"$TMPD/e"
check_eq "-Y unknown field: exit 2" 2 $?
check "-Y unknown field: named" grep -qF 'unknown field "ip.adr"' "$TMPD/e"
check "-Y unknown field: caret" grep -qxF '    ^~~~~~' "$TMPD/e"
"$GW_BIN" --frames -Y 'tcp && (ip.addr==1.2.3.4' "$CAP" >"$TMPD/o" 2>"$TMPD/e"
check_eq "-Y syntax error: exit 2" 2 $?
check "-Y syntax error: caret under the (" grep -qxF '           ^' "$TMPD/e"
check "-Y syntax error: nothing printed" test ! -s "$TMPD/o"

n6=$(awk -F'\t' '$1 == "fd00:250::16"' "$ROOT/examples/gw502-lab.truth.tsv" | wc -l)
check_eq "--report -Y: only the requests it selects" "$n6" \
    "$("$GW_BIN" -p $PORTS --report=json --all -Y 'ipv6.addr==fd00:250::16' "$CAP" | wc -l)"
check_eq "--report -Y: by response code" 3 \
    "$("$GW_BIN" -p $PORTS --report=json -Y 'http.response.code==504' "$CAP" | wc -l)"
"$GW_BIN" -p $PORTS --report -Y 'http.host contains "missing"' "$CAP" >"$TMPD/o" 2>&1
check "--report=text -Y: the NXDOMAIN request" grep -q 'missing.lab.test' "$TMPD/o"
check "--report=text -Y: not the others" sh -c "! grep -q 'dropped.lab.test' '$TMPD/o'"

"$GW_BIN" --export-frames 34-40,60,70-71 -o "$TMPD/r.pcap" "$CAP" 2>"$TMPD/e"
check_eq "--export-frames: exit 0" 0 $?
check "--export-frames: libpcap reads it" sh -c "'$PCAPCHECK' '$TMPD/r.pcap' | grep -q '^frames=10 '"
check_eq "--export-frames: exactly those frames, in order" \
    "$(times_of "$CAP" 34 35 36 37 38 39 40 60 70 71)" "$(times_of "$TMPD/r.pcap")"
"$GW_BIN" --export-frames 34-40 -o "$TMPD/r.pcap" "$CAP" 2>"$TMPD/e"
check_eq "--export-frames: an existing file is kept" 1 $?
check "--export-frames --force replaces it" "$GW_BIN" --force \
    --export-frames 34-40 -o "$TMPD/r.pcap" "$CAP"
"$GW_BIN" -p $PORTS --export-frames 1-200 -Y dns -o "$TMPD/d.pcap" "$CAP" 2>/dev/null
want=$("$GW_BIN" -p $PORTS --frames -Y 'dns && frame.number <= 200' "$CAP" | awk '{print $1}')
# shellcheck disable=SC2086
check_eq "--export-frames -Y: the range's frames it selects" \
    "$(times_of "$CAP" $want)" "$(times_of "$TMPD/d.pcap")"
"$GW_BIN" --export-frames 40-30 -o "$TMPD/x.pcap" "$CAP" 2>/dev/null
check_eq "--export-frames: a backward range is a usage error" 2 $?
"$GW_BIN" --export-frames 1-5 "$CAP" 2>/dev/null
check_eq "--export-frames: needs -o" 2 $?

# ---- the TUI ---------------------------------------------------------------
command -v tmux >/dev/null || { skip "packets tui: tmux not installed"; exit 0; }
S=gwpk
tui_shell 120 30 || exit 0
keys "clear; LANG=C.UTF-8 LC_ALL=C.UTF-8 $GW_BIN $CAP -p $PORTS; echo EXIT=\$?" Enter
see "tui: loads" "? help"
keys /
wait_for 5 has "Filter"
keys C-u
text "http://dropped.lab.test/"
keys Enter
see "tui: request filtered" "dropped.lab.test"
keys P
see "tui: P opens the request's packets" "Packets of request #"
see "tui: the request row" "GET http://dropped.lab.test/ HTTP/1.1"
see "tui: SYN retransmissions" "[TCP Retransmission] $DROP_PORT"
seere "tui: evidence rows marked" "^│ \\* +($DROP_SYNS) "
see "tui: time since the request first" "Since req"
keys T
see "tui: T: delta" "Delta"
keys T
seere "tui: T: absolute time" 'No\. Time +Source'
keys T
see "tui: T: since the request again" "Since req"

keys F
wait_for 5 has "Display filter:"
keys C-u
text "ip.adr==10.250.0.11"
keys Enter
see "tui: unknown field named" 'unknown field "ip.adr"'
see "tui: caret under it" "^~~~~~"
keys :
wait_for 5 has "Display filter:"
keys C-u
text "$ART"
keys Enter
see "tui: the article's filter" "52 frames match"
see "tui: filter shown" "Filter: $ART"
want=$("$GW_BIN" -p $PORTS --frames -Y "$ART" "$CAP" | awk '{print $1}')
# rows 1, 3, 4, 5: Space on the first, m … m over the next three
keys g Space j j m j j m
see "tui: range marked" "4 marked"
keys E
see "tui: export asks marked or displayed" "(m)arked frames or the 52 (d)isplayed"
keys m
wait_for 5 has "Export to:"
keys C-u
text "marked.pcap"
keys Enter
see "tui: export reported" "exported 4 frames"
# shellcheck disable=SC2086
sel=$(echo $want | awk '{print $1, $3, $4, $5}')
# shellcheck disable=SC2086
check_eq "tui: the file holds exactly the marked frames, in order" \
    "$(times_of "$CAP" $sel)" "$(times_of "$TMPD/marked.pcap")"
check "tui: libpcap reads it" sh -c "'$PCAPCHECK' '$TMPD/marked.pcap' | grep -q '^frames=4 '"
keys q
see "tui: q back to the requests" "dropped.lab.test"
keys q
see "tui: q leaves" "EXIT=0"
check "tui: no sanitizer report" sh -c "! tmux capture-pane -p -t '$S' | grep -q Sanitizer"
