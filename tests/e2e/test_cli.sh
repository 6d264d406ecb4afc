#!/bin/bash
# The command line contract of DESIGN §3: exit statuses, one-line errors,
# bad input that must never crash, and the report formats.
. "$(dirname "$0")/lib.sh"
EX=$ROOT/examples/gw502-lab.pcap

run -V
check_eq "-V exits 0" 0 "$rc"
check "-V prints the version" grep -q '^gw502tui [0-9]' "$TMPD/out"
run --help
check_eq "--help exits 0" 0 "$rc"
check "--help lists --report" grep -q -- '--report' "$TMPD/out"

run --bogus "$EX"
check_eq "unknown option exits 2" 2 "$rc"
# getopt's errors read like the others: the name, not the path; the hint
check_eq "unknown option: one line, the program's name and the hint" \
    "gw502tui: unrecognized option '--bogus' (see gw502tui --help)" "$err"
run -x "$EX"
check_eq "unknown short option: exit 2, one line with the hint" \
    "2 gw502tui: invalid option '-x' (see gw502tui --help)" "$rc $err"
run "$EX" -r
check_eq "-r without its argument: exit 2, one line with the hint" \
    "2 gw502tui: option '-r' requires an argument (see gw502tui --help)" "$rc $err"
run "$EX" --export
check_eq "--export without its argument: exit 2, one line with the hint" \
    "2 gw502tui: option '--export' requires an argument (see gw502tui --help)" "$rc $err"
run --all=yes --report "$EX"
check_eq "--all=yes: exit 2, one line with the hint" \
    "2 gw502tui: option '--all' takes no argument (see gw502tui --help)" "$rc $err"
run --fo "$EX"
check_eq "an ambiguous abbreviation (--fo): exit 2, one line with the hint" \
    "2 gw502tui: option '--fo' is ambiguous (see gw502tui --help)" "$rc $err"
run --report=xml "$EX"
check_eq "--report=xml exits 2" 2 "$rc"
one_line_naming "--report=xml says why in one line" "xml"
run -p 99999 --report "$EX"
check_eq "bad port exits 2" 2 "$rc"
run --status 5x2 --report "$EX"
check_eq "bad status list exits 2" 2 "$rc"
run --report -i lo "$EX"
check_eq "a file and -i together exit 2" 2 "$rc"
run --export 1 "$EX"
check_eq "--export without -o exits 2" 2 "$rc"
run --report --keep 10 "$EX"
check_eq "--keep with --report exits 2" 2 "$rc"
one_line_naming "--keep with --report says why in one line" "--keep"

run --report "$TMPD/missing.pcap"
check_eq "missing file exits 1" 1 "$rc"
one_line_naming "missing file: one line naming it" "missing.pcap"
: >"$TMPD/empty.pcap"
run --report "$TMPD/empty.pcap"
check_eq "empty file exits 1" 1 "$rc"
one_line_naming "empty file: one line naming it" "empty.pcap"
printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >"$TMPD/text.pcap"
run --report "$TMPD/text.pcap"
check_eq "not a capture exits 1" 1 "$rc"
one_line_naming "not a capture: one line naming it" "text.pcap"
mkdir -p "$TMPD/dir.pcap"
run --report "$TMPD/dir.pcap"
check_eq "a directory exits 1" 1 "$rc"

# truncated in the middle of a record: partial report, warning, exit 0
size=$(stat -c %s "$EX")
head -c $((size * 2 / 3)) "$EX" >"$TMPD/cut.pcap"
run --report=json "$TMPD/cut.pcap"
check_eq "robustness: truncated capture exits 0" 0 "$rc"
check "truncated capture warns on stderr" grep -qi "warning" "$TMPD/err"
check "truncated capture still reports what was read" test -s "$TMPD/out"
check "truncated capture: its JSON matches doc/report.schema.json" \
    python3 "$ROOT/tests/tools/jsonlines.py" "$TMPD/out"
for cut in 24 40 100 1000; do
	head -c "$cut" "$EX" >"$TMPD/cut$cut.pcap"
	run --report "$TMPD/cut$cut.pcap"
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then ok "robustness: cut at $cut bytes: exit $rc"
	else notok "robustness: cut at $cut bytes" "exit $rc: $err"; fi
done

# the reports on the default example
run --report "$EX"
check_eq "text report exits 0" 0 "$rc"
check "text report shows every verdict" bash -c "grep -q 'HOST NOT RESOLVABLE' '$TMPD/out' &&
    grep -q 'CANNOT CONNECT' '$TMPD/out' && grep -q 'BAD RESPONSE' '$TMPD/out'"
check "text report ends with the counts" bash -c "tail -1 '$TMPD/out' | grep -q 'gateway errors'"
run --report=json "$EX"
check "json: one object per line with the contract's keys" python3 -c '
import sys
from jsonlines import rows
keys = {"id","client","client_port","gateway","gateway_port","method","url",
        "host","status","request_frame","response_frame","request_time",
        "elapsed_ms","verdict","cause","summary","remedy","evidence_frames"}
lines = rows(sys.argv[1])
assert lines, "no output"
for o in lines:
    assert keys <= o.keys(), keys - o.keys()
    # a masked failure (a 2xx CONNECT the gateway dropped) is an error too
    assert (o["status"] is None or o["status"] in (502, 503, 504) or
            o.get("masked") is True), o["status"]
' "$TMPD/out"
errors=$(wc -l <"$TMPD/out")
run --report=json --all "$EX"
all=$(wc -l <"$TMPD/out")
check "--all: every line matches doc/report.schema.json" \
    python3 "$ROOT/tests/tools/jsonlines.py" "$TMPD/out"
check "--all lists more than the errors" test "$all" -gt "$errors"
run --report=json --status 504 "$EX"
check "--status 504 keeps only 504s, unanswered and masked" python3 -c '
import sys
from jsonlines import rows
r = rows(sys.argv[1])
s = [o["status"] for o in r if not o.get("masked")]
assert s and all(x in (504, None) for x in s), s
assert 504 in s, s' "$TMPD/out"
run --report=json -c 10.250.0.12 "$EX"
check "-c keeps one client" python3 -c '
import sys
from jsonlines import rows
c = {r["client"] for r in rows(sys.argv[1])}
assert c == {"10.250.0.12"}, c' "$TMPD/out"
run --report=json -c fd00:250::16 --all "$EX"
check "-c takes an IPv6 client" python3 -c '
import sys
from jsonlines import rows
c = {r["client"] for r in rows(sys.argv[1])}
assert c == {"fd00:250::16"}, c' "$TMPD/out"
run --report=json -p 1 "$EX"
check "absolute-form requests are found on any port" test -s "$TMPD/out"
check "-p 1: every line matches doc/report.schema.json" \
    python3 "$ROOT/tests/tools/jsonlines.py" "$TMPD/out"

# --export: exactly the frames from the request to the answer, read back
run --report=json "$EX"
python3 -c '
import sys
from jsonlines import rows
o = next(r for r in rows(sys.argv[1]) if r["cause"] == "syn-unanswered")
print(o["id"], o["request_frame"], o["response_frame"])' "$TMPD/out" >"$TMPD/pick" 2>"$TMPD/pick.err"
checked "json: a syn-unanswered request to export" $? python3 "$TMPD/pick.err"
read -r id first last <"$TMPD/pick"
run --export "$id" -o "$TMPD/txn.pcap" "$EX"
check_eq "--export exits 0" 0 "$rc"
"$GW_BUILD/tests/pcapcheck" "$TMPD/txn.pcap" >"$TMPD/check" 2>&1
check "--export: $((last - first + 1)) frames, link type 276 (SLL2), read back by libpcap" \
    grep -q "^frames=$((last - first + 1)) linktype=276 precision=micro " "$TMPD/check"
if command -v tshark >/dev/null; then
	want=$(tshark -r "$EX" -Y "frame.number==$first || frame.number==$last" \
	    -T fields -e frame.time_epoch 2>/dev/null | tr '\n' ' ')
	got=$(tshark -r "$TMPD/txn.pcap" -Y "frame.number==1 || frame.number==$((last - first + 1))" \
	    -T fields -e frame.time_epoch 2>/dev/null | tr '\n' ' ')
	check_eq "--export: first and last timestamps equal the capture's" "$want" "$got"
else
	skip "--export timestamps (tshark not installed)"
fi
run --export "$id" -o "$TMPD/txn.pcap" "$EX"
check_eq "--export onto an existing file exits 1" 1 "$rc"
one_line_naming "--export onto an existing file: one line" "file exists"
ln -s "$TMPD/target" "$TMPD/link.pcap"
run --export "$id" -o "$TMPD/link.pcap" "$EX"
check_eq "--export onto a symlink exits 1" 1 "$rc"
check "--export did not write through the symlink" test ! -e "$TMPD/target"
run --export "$id" -o "$TMPD/txn.pcap" --force "$EX"
check_eq "--export --force replaces" 0 "$rc"
# request #5 of the pcapng lab capture mixes Ethernet and SLL frames: a
# pcap file holds one link type, so the file is pcapng and stderr says so
run --export 5 -o "$TMPD/ng5.pcap" "$ROOT/examples/gw502-lab-ng.pcapng"
check_eq "--export of mixed link types exits 0" 0 "$rc"
check "--export of mixed link types: stderr says pcapng" grep -q "as pcapng" <<<"$err"
check "--export of mixed link types: the file is pcapng" \
    sh -c "od -An -tx1 -N4 '$TMPD/ng5.pcap' | grep -q '0a 0d 0d 0a'"
run --export 999999 -o "$TMPD/none.pcap" "$EX"
check_eq "--export of an unknown id exits 1" 1 "$rc"

# More frames than a reference numbers (2^40 - 1, src/capture/frame.h): a
# ring whose index starts its member at frame 2^40 - 3 is reported up to
# that frame, with a warning to split it, and exits 0.
mkdir -p "$TMPD/limit"
cp "$EX" "$TMPD/limit/m1.pcap"
printf 'gw502tui-ring 1\n1 %s m1.pcap\n' $((2 ** 40 - 3)) >"$TMPD/limit/cap.ring"
run --report "$TMPD/limit/cap.ring"
check_eq "2^40 frames: exit 0" 0 "$rc"
one_line_naming "2^40 frames: one warning to split the capture" \
    "frame 1099511627776: more frames than gw502tui numbers (1099511627775): the rest is not read; split the capture (editcap -c)"
check "2^40 frames: the report covers the 3 frames before" \
    grep -q " · 3 frames$" "$TMPD/out"

# -j: reading and decoding in a second thread changes nothing printed
run -j 3 --report "$EX"
check_eq "-j 3 exits 2" 2 "$rc"
one_line_naming "-j 3 says why in one line" "-j"
for f in "$EX" "$ROOT/examples/gw502-lab-ng.pcapng" "$ROOT/examples/gw502-lab-squid.pcap" "$TMPD/cut.pcap"; do
	b=$(basename "$f")
	for j in 1 2; do
		"$GW_BIN" -j $j --report=json --all "$f" >"$TMPD/j$j.json" 2>"$TMPD/j$j.err"
		echo "rc=$?" >>"$TMPD/j$j.err"
		"$GW_BIN" -j $j --report "$f" >"$TMPD/j$j.txt" 2>&1
	done
	check "-j 1 and -j 2: the same JSON report of $b" cmp -s "$TMPD/j1.json" "$TMPD/j2.json"
	check "-j 1 and -j 2: the same stderr and exit status on $b" cmp -s "$TMPD/j1.err" "$TMPD/j2.err"
	check "-j 1 and -j 2: the same text report of $b" cmp -s "$TMPD/j1.txt" "$TMPD/j2.txt"
	check "-j 2 on $b reports something" test -s "$TMPD/j2.json"
done

# an access log that cannot be read fails like a missing one
mkdir -p "$TMPD/logdir"
run --report --access-log "$TMPD/logdir" "$EX"
check_eq "--access-log DIR exits 1" 1 "$rc"
one_line_naming "--access-log DIR: one line naming it" "logdir: Is a directory"

# a config file that cannot be read is a runtime error; invalid settings
# in one that can are a usage error, like an invalid option
run --config "$TMPD/nonexist.yaml" --report "$EX"
check_eq "--config of a missing file exits 1" 1 "$rc"
check_eq "--config of a missing file: one line, no line:column" \
    "gw502tui: $TMPD/nonexist.yaml: No such file or directory" "$err"
run --config "$TMPD/logdir" --report "$EX"
check_eq "--config DIR exits 1" 1 "$rc"
check_eq "--config DIR: one line saying so" \
    "gw502tui: $TMPD/logdir: Is a directory" "$err"
printf 'timeout: x\n' >"$TMPD/badcfg.yaml"
run --config "$TMPD/badcfg.yaml" --report "$EX"
check_eq "--config with an invalid value exits 2" 2 "$rc"
one_line_naming "--config with an invalid value: FILE:LINE:COL" "badcfg.yaml:1:10: "

# --peer pairs the gateway's capture file read again: not a stream
run --report=json --peer "$ROOT/examples/gw502-hop.peer.pcap" -r - <"$ROOT/examples/gw502-hop.pcap"
check_eq "--peer with -r - exits 2" 2 "$rc"
one_line_naming "--peer with -r -: one line saying to keep the stream" "--peer reads the gateway's capture as a file: keep the stream with -w FILE first (see gw502tui --help)"

# --help says what the options do, as the man page does
"$GW_BIN" --help >"$TMPD/help"
check "--help: -Y with --report also keeps requests by their evidence frames" \
    grep -q "the answer or an evidence frame" "$TMPD/help"
run --report=json -Y 'dns.flags.rcode==3' "$EX"
check_eq "-Y 'dns.flags.rcode==3' --report: ids 5 and 6, through DNS answers" \
    "5 6" "$(python3 -c '
import sys
from jsonlines import rows
print(*sorted(r["id"] for r in rows(sys.argv[1])))' "$TMPD/out")"
check "--help: --force covers --export, --export-frames and -w" \
    grep -q -- "--force .*--export, --export-frames and -w" "$TMPD/help"
check "--help: --all has a line of its own" grep -q '^  --all ' "$TMPD/help"
check "--help: --access-log LOG, as in the man page" grep -q '^  --access-log LOG ' "$TMPD/help"
check "--help and the man page: -g's default is any address but the client's" \
    bash -c "grep -A1 -- '-g ADDR' '$TMPD/help' | grep -q \"any address but the requesting client's\" &&
    grep -q \"any address but\$\" '$ROOT/doc/gw502tui.1' && grep -q \"^the requesting client's)\" '$ROOT/doc/gw502tui.1'"

# the man page as it renders
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$ROOT/doc/gw502tui.1" 2>"$TMPD/man.err" | col -bx >"$TMPD/man"
	# one line, words hyphenated at a line's end made whole again
	tr -s ' \n' ' ' <"$TMPD/man" | sed 's/\xe2\x80\x90 //g; s/- //g' >"$TMPD/man.flat"
	check_eq "man: renders without troff warnings" "" "$(cat "$TMPD/man.err")"
	check "man: the DESCRIPTION's tcpdump example ends 'gw.pcap,'" \
	    grep -q 'tcpdump -s 0 -i any -w gw.pcap, and' "$TMPD/man.flat"
	check "man: SYNOPSIS has the live line, as --help and DESIGN §3" \
	    bash -c "sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' '$TMPD/man' | grep -q '^ *gw502tui \[options\] -i IFACE\$'"
	check "man: the masked errors follow --status, not a fixed 502–504" \
	    grep -q 'other than the error statuses (--status, 502–504 by default)' "$TMPD/man.flat"
else
	skip "man page rendering: man not installed"
fi

# README's architecture section names the source files as they are
check "README architecture: every src/ .c file named, no file that is not there" python3 -c '
import glob, os, re, sys
root = sys.argv[1]
text = open(os.path.join(root, "README.md")).read()
arch = text.split("## Architecture", 1)[1].split("\n## ", 1)[0]
have = {os.path.basename(p) for p in glob.glob(root + "/src/**/*.c", recursive=True)}
named = set(re.findall(r"[\w*]+\.c\b", arch))
pats = [re.compile(n.replace("*", ".*") + "$") for n in named]
missing = sorted(h for h in have if not any(p.match(h) for p in pats))
ghosts = sorted(n for n in named if "*" not in n and n not in have)
assert not missing and not ghosts, ("not named", missing, "not in src", ghosts)
' "$ROOT"
