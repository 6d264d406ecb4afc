#!/bin/bash
# test_hop.sh: --peer (issue 17) on the next-hop lab's capture pair: every
# `where` as the lab's truth file says (tests/lab/hop_truth.py, from tshark),
# the clock offset within 1 ms of the one applied, NAT between the capture
# points, a peer capture sharing nothing, the text report's lines. With
# GW_LAB=1 (the default) and root, the pair is also recorded afresh
# (tests/lab/record_hop.sh, namespaces gwhop-*) and checked the same way.
. "$(dirname "$0")/lib.sh"

EX=$ROOT/examples
FAILS=0
hop_check() { # hop_check PREFIX GW PEER WHERE
	if python3 "$ROOT/tests/e2e/hop_check.py" "$GW_BIN" "$2" "$3" "$4" >"$TMPD/hop.out" 2>&1; then
		sed "s/^ok - /ok - $1/" "$TMPD/hop.out"
	else
		sed -e "s/^ok - /ok - $1/" -e "s/^not ok - /not ok - $1/" "$TMPD/hop.out"
		grep -q '^not ok' "$TMPD/hop.out" || notok "${1}hop_check runs" "$(last_line "$TMPD/hop.out")"
		FAILS=$((FAILS + 1))
	fi
}

hop_check "" "$EX/gw502-hop.pcap" "$EX/gw502-hop.peer.pcap" "$EX/gw502-hop.where.tsv"

# A peer capture sharing nothing with the gateway's: one line says so, and
# no request is placed.
run --report=json --peer "$EX/gw502-lab.pcap" "$EX/gw502-hop.pcap"
check_eq "hop: unrelated peer capture: exit 0" 0 "$rc"
one_line_naming "hop: unrelated peer capture: one line says it shares nothing" "shares no packet"
check_eq "hop: unrelated peer capture: no request placed" 0 \
	"$(printf '%s\n' "$out" | grep -c '"next_hop"')"

# The text report: a "Next hop:" line per failing request the lab placed.
run --report --peer "$EX/gw502-hop.peer.pcap" "$EX/gw502-hop.pcap"
check_eq "hop: text report: a Next hop line per placed failure" \
	"$(grep -v '^#' "$EX/gw502-hop.where.tsv" | awk -F'\t' '$4 != "-"' | wc -l)" \
	"$(printf '%s\n' "$out" | grep -c '^    Next hop: ')"
check "hop: text report: the hop's drop named as lost before it" \
	grep -q 'Next hop: lost-before-hop: the hop never saw' "$TMPD/out"

# A peer file that cannot be read: exit 1, one line naming it.
run --report --peer "$TMPD/missing.pcap" "$EX/gw502-hop.pcap"
check_eq "hop: unreadable peer capture: exit 1" 1 "$rc"
one_line_naming "hop: unreadable peer capture: one line naming it" "missing.pcap"

# A peer capture with a short snap length: bytes it does not hold are not
# a difference, nor proof that the reply was unchanged.
altered_where() { # altered_where SNAPLEN: where of the rewritten reply
	editcap -s "$1" "$EX/gw502-hop.peer.pcap" "$TMPD/snap.pcap" >/dev/null 2>&1 &&
	"$GW_BIN" --report=json --peer "$TMPD/snap.pcap" "$EX/gw502-hop.pcap" 2>/dev/null |
	python3 -c 'import sys
from jsonlines import lines_rows
for d in lines_rows(sys.stdin, "stdin"):
    if d["url"] == "http://altered.hop.test/": print(d["next_hop"]["where"])'
}
if command -v editcap >/dev/null; then
	check_eq "hop: peer snapped to 70 bytes: the reply is not placed" None "$(altered_where 70)"
	check_eq "hop: peer snapped to 100 bytes: the rewrite still found" altered-after-hop \
		"$(altered_where 100)"
else
	skip "hop: snapped peer capture (no editcap)"
fi

# A live capture has no file to read twice: a usage error.
run --report --peer "$EX/gw502-hop.peer.pcap" -i lo
check_eq "hop: --peer with -i: usage error" 2 "$rc"
one_line_naming "hop: --peer with -i: one line saying why" "--peer"

# Hostile: both captures repeat one SYN 200000 times (every packet in one
# hash chain): pairing stays linear (the chain walk is bounded).
python3 - "$TMPD" <<'PY'
import struct, sys
ip = bytes([0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2])
pkt = ip + struct.pack('>HHIIBBHHH', 40000, 80, 1234, 0, 0x50, 2, 65535, 0, 0)
for name in ('rep-gw.pcap', 'rep-peer.pcap'):
    with open(sys.argv[1] + '/' + name, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        for i in range(200000):
            f.write(struct.pack('<IIII', 1000 + i // 1000, (i % 1000) * 1000, len(pkt), len(pkt)))
            f.write(pkt)
PY
timeout 60 "$GW_BIN" --report --peer "$TMPD/rep-peer.pcap" "$TMPD/rep-gw.pcap" >/dev/null 2>"$TMPD/rep.err"
check_eq "robustness: one packet repeated 200000 times pairs in bounded time" 0 "$?"
rm -f "$TMPD"/rep-*.pcap

if fresh_lab_allowed "next-hop lab" gwhop; then
	fresh=$TMPD/hop
	mkdir -p "$fresh"
	if "$ROOT/tests/lab/record_hop.sh" "$fresh" >"$TMPD/hoplab.log" 2>&1; then
		ok "next-hop lab records"
		hop_check "fresh " "$fresh/gw502-hop.pcap" "$fresh/gw502-hop.peer.pcap" \
			"$fresh/gw502-hop.where.tsv"
	else
		notok "next-hop lab records" "$(tail -3 "$TMPD/hoplab.log" | tr '\n' ' ')"
	fi
	check_eq "next-hop lab leaves no namespace behind" "" \
		"$(ip netns list | grep '^gwhop-' | tr '\n' ' ')"
fi
# The screen with --peer: each failing request's Next hop row says the
# truth file's where; the evidence rows say which hop frame saw them.
if command -v tmux >/dev/null 2>&1; then
	S=gwhop-tui$$
	if tui_shell 160 60; then
		keys "clear; cd $TMPD; LANG=C.UTF-8 $GW_BIN --peer $EX/gw502-hop.peer.pcap $EX/gw502-hop.pcap; echo EXIT=\$?" Enter
		while IFS=$'\t' read -r scen url _ where _ _ _ gwf peerf _; do
			case $scen in '#'*|ok) continue ;; esac
			filter "$url"
			see "hop screen: $scen: Next hop $where" "Next hop  $where: "
			first=${gwf%%,*}
			if [ "$peerf" = - ]; then
				see "hop screen: $scen: #$first not seen at the hop" \
				    "#$first not seen at the hop"
			elif [ "$scen" = beyond-hop ]; then
				seere "hop screen: $scen: #$first seen at the hop, a frame of the truth's" \
				    "#$first at the hop: hop #(${peerf//,/|}) "
				keys Enter	# the flow view's Hop column
				seere "hop screen: $scen: flow view, frame $first in the Hop column" \
				    "s +$first +(${peerf//,/|}) "
				keys q
			fi
		done < <(grep -v '^#' "$EX/gw502-hop.where.tsv")
		# e with --peer: one pcapng, the gateway's and the hop's frames
		filter http://beyond.hop.test/
		keys e
		see "hop screen: e offers a pcapng with the next hop" "with the next hop's frames"
		keys Enter
		see "hop screen: e writes it" "and the next hop's) to"
		out=$(ls "$TMPD"/gw502-*.pcapng 2>/dev/null | head -1)
		check "hop screen: the export is a file" test -s "$out"
		if command -v tshark >/dev/null; then
			check_eq "hop screen: tshark reads both interfaces in it" "gateway|next hop" \
			    "$(tshark -r "$out" -T fields -e frame.interface_name 2>/dev/null | sort -u | paste -sd'|')"
			# merged on one clock: the hop's frames among the gateway's
			check "hop screen: tshark reads the frames in time order" \
			    sh -c "tshark -r '$out' -T fields -e frame.time_epoch 2>/dev/null | sort -c -n"
			# the hop's frames are those of the request's time span (its
			# gateway frames' first to last, tshark, on the gateway's clock
			# by the truth's offset), not the next request's (after.hop.test
			# once came along, a second later)
			off=$(awk -F'\t' '$1 == "#offset_s" { print $2 }' "$EX/gw502-hop.where.tsv")
			rng=$(tshark -r "$out" -Y 'frame.interface_name == "gateway"' -T fields -e frame.time_epoch 2>/dev/null |
			    sed -n '1p;$p' | paste -sd' ')
			want=$(tshark -r "$EX/gw502-hop.peer.pcap" -T fields -e frame.time_epoch 2>/dev/null |
			    awk -v o="$off" -v r="$rng" 'BEGIN { split(r, a, " ") }
			    { t = $1 - o; if (t >= a[1] - 0.001 && t <= a[2] + 0.001) n++ } END { print n + 0 }')
			check_eq "hop screen: the export holds the hop's frames of #4's span only" "$want" \
			    "$(tshark -r "$out" -Y 'frame.interface_name == "next hop"' 2>/dev/null | wc -l)"
			check "hop screen: the export holds no frame of the next request" \
			    sh -c "! tshark -r '$out' -T fields -e dns.qry.name 2>/dev/null | grep -q after.hop.test"
			# #5's export holds every hop frame the JSON report names, the
			# SYN/ACKs retransmitted after the gateway gave up included
			# (peer frames 73, 74, 145, 146), each at its time on the
			# gateway's clock (the truth's offset, within 5 µs)
			filter http://after.hop.test/
			keys e
			see "hop screen: e on #5" "Request #5: frames"
			keys Enter
			see "hop screen: e writes #5's" "gw502-5-"
			out5=$(ls "$TMPD"/gw502-5-*.pcapng 2>/dev/null | head -1)
			"$GW_BIN" --report=json --peer "$EX/gw502-hop.peer.pcap" "$EX/gw502-hop.pcap" 2>/dev/null |
			    python3 -c 'import sys, json
for l in sys.stdin:
    o = json.loads(l)
    if o.get("url") == "http://after.hop.test/":
        print(",".join(str(f) for f in o["next_hop"]["peer_frames"]))' >"$TMPD/placed5"
			tshark -r "$EX/gw502-hop.peer.pcap" -Y "frame.number in {$(sed 's/,/, /g' "$TMPD/placed5")}" \
			    -T fields -e frame.time_epoch 2>/dev/null >"$TMPD/placed5.t"
			tshark -r "${out5:-/nonexistent}" -Y 'frame.interface_name == "next hop"' -T fields \
			    -e frame.time_epoch 2>/dev/null >"$TMPD/export5.t"
			check "hop screen: #5's export holds the report's hop frames ($(cat "$TMPD/placed5"))" \
			    python3 -c 'import sys
off = float(sys.argv[3])
want = [float(t) - off for t in open(sys.argv[1]).read().split()]
have = [float(t) for t in open(sys.argv[2]).read().split()]
missing = [w for w in want if not any(abs(w - h) < 5e-6 for h in have)]
assert want and not missing, (len(want), missing)' "$TMPD/placed5.t" "$TMPD/export5.t" "$off"
		fi
		keys q
		see "hop screen: q exits 0" "EXIT=0"
	fi
	# 80 columns: the flow view's last address ends inside the border,
	# and the A and AAAA queries' labels still differ
	if tui_shell 80 30; then
		keys "clear; cd $TMPD; LANG=C.UTF-8 $GW_BIN --peer $EX/gw502-hop.peer.pcap $EX/gw502-hop.pcap; echo EXIT=\$?" Enter
		filter http://beyond.hop.test/
		keys Enter
		see "hop screen at 80: the flow view" "Flow of request #4"
		check "hop screen at 80: the Upstream address inside the border" \
		    sh -c "tmux capture-pane -p -t '$S' | grep -q '10\.251\.3\.12│\$'"
		check "hop screen at 80: the A and AAAA queries' labels differ" \
		    sh -c "[ \$(tmux capture-pane -p -t '$S' | grep -oE '│ DNS [^─]*─>' | sort -u | wc -l) = 2 ]"
		keys q q
		see "hop screen at 80: q exits 0" "EXIT=0"
	fi
else
	skip "hop screen (no tmux)"
fi
[ "$FAILS" = 0 ] || exit 1
