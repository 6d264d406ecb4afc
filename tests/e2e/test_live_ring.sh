#!/bin/bash
# --ring N (issue 5): a live capture rotates into files of --max-mb MB and
# keeps the newest N, like dumpcap's ring buffer; the ring's index reads as
# one capture. Traffic from bench/gen is replayed (tcpreplay) onto the
# loopback of a network namespace made here.
. "$(dirname "$0")/lib.sh"

WHAT="live --ring"
. "$(dirname "$0")/netns.sh"

"$TMPD/gen" -o "$TMPD/traffic.pcap" -n 3000 -m small -S 5 >/dev/null 2>&1
FRAMES=$(frames "$TMPD/traffic.pcap")
check "bench/gen wrote over 4 MB" test "$(stat -c %s "$TMPD/traffic.pcap")" -gt 4000000
"$GW_BIN" --report=json --all "$TMPD/traffic.pcap" | wc -l >"$TMPD/total"
TOTAL=$(cat "$TMPD/total")

# ---- headless, -w: the files stay --------------------------------------
mkdir "$TMPD/w"
ip netns exec "$NS" "$GW_BIN" --report=json --all -i lo --ring 3 --max-mb 1 \
    -w "$TMPD/w/cap.pcap" --duration 60 >"$TMPD/live.json" 2>"$TMPD/live.err" &
GPID=$!
wait_for 10 test -s "$TMPD/w/cap.ring"
ip netns exec "$NS" tcpreplay -q -i lo --pps=20000 "$TMPD/traffic.pcap" >/dev/null 2>&1
wait_for 20 grep -q "^gw502tui-ring 1" "$TMPD/w/cap.ring"
# every packet written (the newest file's frames reach the total), then stop
last_frame() {
	local last first name
	read -r _ first name < <(tail -1 "$TMPD/w/cap.ring")
	last=$("$PCAPCHECK" "$TMPD/w/$name" | sed -n 's/^frames=\([0-9]*\).*/\1/p')
	[ $((first + last - 1)) -ge "$FRAMES" ]
}
wait_for 20 last_frame
kill -INT "$GPID"
wait "$GPID"
check_eq "headless ring run exits 0" 0 "$?"
check "every packet captured" grep -q "^gw502tui: $FRAMES packets captured" "$TMPD/live.err"
check_eq "the report lists every request" "$TOTAL" "$(wc -l <"$TMPD/live.json")"

mapfile -t members < <(sed -n '2,$p' "$TMPD/w/cap.ring")
check_eq "the index lists 3 files" 3 "${#members[@]}"
check_eq "3 capture files are left" 3 "$(ls "$TMPD/w" | grep -c '^cap_[0-9]*\.pcap$')"
prev_end=
ok_files=1 ok_numbers=1 ok_sizes=1
for line in "${members[@]}"; do
	read -r seq first name <<<"$line"
	info=$("$PCAPCHECK" "$TMPD/w/$name") || ok_files=0
	n=$(sed -n 's/^frames=\([0-9]*\).*/\1/p' <<<"$info")
	[ -z "$prev_end" ] || [ "$first" = "$prev_end" ] || ok_numbers=0
	prev_end=$((first + n))
	# a file ends with the packet that took it past 1 MB
	[ "$(stat -c %s "$TMPD/w/$name")" -le $((1048576 + 65536 + 16)) ] || ok_sizes=0
done
check_eq "each file reads back with libpcap" 1 "$ok_files"
check_eq "frame numbers run on from file to file" 1 "$ok_numbers"
check_eq "no file is much over --max-mb" 1 "$ok_sizes"
check_eq "the newest file ends with the last packet" "$((FRAMES + 1))" "$prev_end"
if command -v capinfos >/dev/null; then
	read -r _ _ name <<<"${members[0]}"
	check "capinfos reads the oldest kept file" capinfos -c "$TMPD/w/$name"
fi

# ---- the index as one capture --------------------------------------------
read -r _ FIRST _ <<<"${members[0]}"
check_eq "--frames on the index starts at the oldest kept frame" "$FIRST" \
    "$("$GW_BIN" --frames "$TMPD/w/cap.ring" | head -1 | awk '{print $1}')"
check_eq "--frames on the index ends at the last frame" "$FRAMES" \
    "$("$GW_BIN" --frames "$TMPD/w/cap.ring" | tail -1 | awk '{print $1}')"
"$GW_BIN" --report=json --all "$TMPD/w/cap.ring" >"$TMPD/ring.json"
check_eq "offline report of the index exits 0" 0 "$?"
check "its requests are in the kept files" python3 -c '
import sys
from jsonlines import rows as report_rows
rows = report_rows(sys.argv[1])
assert len(rows) > 100, len(rows)
assert all(r["request_frame"] >= int(sys.argv[2]) for r in rows)
' "$TMPD/ring.json" "$FIRST"
ID=$(python3 -c '
import sys
from jsonlines import rows as report_rows
rows = report_rows(sys.argv[1])
print(next(r["id"] for r in rows if r["response_frame"]))' "$TMPD/ring.json")
read -r A B < <(python3 -c '
import sys
from jsonlines import rows
r = next(r for r in rows(sys.argv[1]) if r["id"] == int(sys.argv[2]))
print(r["request_frame"], r["response_frame"])' "$TMPD/ring.json" "$ID")
"$GW_BIN" --export "$ID" -o "$TMPD/one.pcap" "$TMPD/w/cap.ring" 2>/dev/null
check_eq "export from the index reads back with its frames" \
    "frames=$((B - A + 1))" "$("$PCAPCHECK" "$TMPD/one.pcap" | cut -d' ' -f1)"

# refuses to overwrite a ring without --force
ip netns exec "$NS" "$GW_BIN" --report -i lo --ring 3 --max-mb 1 \
    -w "$TMPD/w/cap.pcap" --duration 1 >/dev/null 2>"$TMPD/again.err"
check_eq "-w onto an existing ring exits 1" 1 "$?"
check "and says the file exists" grep -q "file exists" "$TMPD/again.err"

# ---- the screen on a private ring ------------------------------------------
mkdir "$TMPD/spool"
start_tui "env TMPDIR=$TMPD/spool TERM=tmux-256color LANG=C.UTF-8 ip netns exec $NS $GW_BIN -i lo --ring 2 --max-mb 1"
if wait_for 15 has "LIVE lo"; then ok "live screen on a ring"
else notok "live screen on a ring" "$(screen | head -c 600)"; fi
ip netns exec "$NS" tcpreplay -q -i lo --pps=20000 "$TMPD/traffic.pcap" >/dev/null 2>&1
if wait_for 20 has "$FRAMES pkts"; then ok "status line counts every packet"
else notok "status line counts every packet" "$(screen | tail -2)"; fi
check_eq "a private ring keeps 2 files" 2 \
    "$(find "$TMPD/spool" -name 'spool_*.pcap' | wc -l)"
# the oldest errors' frames are gone: a stream says so, nothing breaks
# (the second error: the first has no upstream connection to follow)
keys g j
if wait_for 10 has "no longer keeps"; then ok "stream of a rotated-out request says so"
else notok "stream of a rotated-out request says so" "$(screen | tr -s ' ' | head -c 900)"; fi
# the newest error's stream still reads from the ring
keys G
if wait_for 10 bash -c "tmux -L $SOCK capture-pane -p -t $S | grep -q 'HTTP/1.1'"; then
	ok "stream of a recent request reads from the ring"
else notok "stream of a recent request reads from the ring" "$(screen | tr -s ' ' | head -c 900)"; fi
keys q
if wait_for 15 has "EXIT=0"; then ok "q exits 0"
else notok "q exits 0" "$(screen | tail -3)"; fi
check "the private ring is removed at exit" test -z "$(ls -A "$TMPD/spool")"
