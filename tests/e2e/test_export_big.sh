#!/bin/bash
# Exports past 16 MB (issue 15): a frame reference keeps its record
# offset's low 24 bits and the model's table the rest
# (src/capture/frameoff.c). A generated capture of some 44 MB
# (bench/gen.c): its last error's frames, and its last ten frames,
# exported and compared with the same frames as tshark (or libpcap)
# reads them. Apart from test_cli.sh, which mutation testing runs for
# every mutant (tests/mutate/mutate.py) on a copy without bench/.
. "$(dirname "$0")/lib.sh"

frame_offset() { # CAPTURE N: the record offset of frame N (classic pcap)
	python3 -c '
import struct, sys
f = open(sys.argv[1], "rb"); f.seek(24); off, n = 24, 1
while n < int(sys.argv[2]):
    incl = struct.unpack("<IIII", f.read(16))[2]
    f.seek(incl, 1); off += 16 + incl; n += 1
print(off)' "$1" "$2"
}
same_frames() { # NAME CAPTURE A B OUT: OUT holds frames A..B of CAPTURE
	if command -v tshark >/dev/null; then
		want=$(tshark -r "$2" -Y "frame.number >= $3 && frame.number <= $4" \
		    -T fields -e frame.time_epoch -e frame.len -e tcp.seq_raw 2>/dev/null | md5sum)
		got=$(tshark -r "$5" -T fields -e frame.time_epoch -e frame.len \
		    -e tcp.seq_raw 2>/dev/null | md5sum)
		check_eq "$1: the frames tshark reads there ($3-$4)" "$want" "$got"
	else
		"$GW_BUILD/tests/pcapcheck" "$5" >"$TMPD/check" 2>&1
		check "$1: $(($4 - $3 + 1)) frames read back by libpcap" \
		    grep -q "^frames=$(($4 - $3 + 1)) " "$TMPD/check"
	fi
}
if cc -O2 -std=c11 -D_GNU_SOURCE -o "$TMPD/gen" "$ROOT/bench/gen.c" -lm \
    2>"$TMPD/cc.err" && "$TMPD/gen" -o "$TMPD/big.pcap" -n 20000 -m small \
    -S 3 >/dev/null 2>&1; then
	run --report=json "$TMPD/big.pcap"
	python3 -c '
import sys
from jsonlines import rows
o = [r for r in rows(sys.argv[1]) if r.get("response_frame")][-1]
print(o["id"], o["request_frame"], o["response_frame"])' "$TMPD/out" \
	    >"$TMPD/pick" 2>"$TMPD/pick.err"
	checked "big capture: an error to export" $? python3 "$TMPD/pick.err"
	read -r id first last <"$TMPD/pick"
	off=$(frame_offset "$TMPD/big.pcap" "$first")
	check "big capture: its request is past 32 MB (offset $off)" \
	    test "$off" -gt 33554432
	run --export "$id" -o "$TMPD/big1.pcap" "$TMPD/big.pcap"
	check_eq "big capture: --export exits 0" "0 " "$rc ${err//gw502tui: wrote*/}"
	same_frames "big capture: --export $id" "$TMPD/big.pcap" "$first" \
	    "$last" "$TMPD/big1.pcap"
	n=$(capinfos -Mc "$TMPD/big.pcap" 2>/dev/null | awk '/Number of packets/ { print $NF }')
	n=${n:-$((last + 10))}
	run --export-frames "$((n - 9))-$n" -o "$TMPD/big2.pcap" "$TMPD/big.pcap"
	check_eq "big capture: --export-frames of the last ten exits 0" 0 "$rc"
	same_frames "big capture: --export-frames" "$TMPD/big.pcap" \
	    "$((n - 9))" "$n" "$TMPD/big2.pcap"
else
	notok "bench/gen generates a capture" "$(head -c 300 "$TMPD/cc.err")"
fi
