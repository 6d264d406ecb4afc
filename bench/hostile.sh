#!/usr/bin/env bash
# bench/hostile.sh: the hostile shapes of issue 13 (tests/tools/mkhostile.py)
# at N and 4N: `gw502tui --report=json --all` on each, its CPU time (user
# + system: less at the mercy of other load than wall time) and peak RSS,
# and PASS/FAIL per bound:
#   time   4x the input costs at most 6x the time (below HOSTILE_MIN_S
#          seconds at 4N the run is too short to time: it passes);
#   memory peak RSS <= 64 MB + 128 bytes per frame, at both sizes.
# Exits 1 when a bound fails, 2 on a usage or tool error.
#
# Environment:
#   HOSTILE_N=50000        N (each shape's frames grow linearly with it)
#   HOSTILE_SHAPES="..."   the shapes (default: all of mkhostile.py's)
#   HOSTILE_MIN_S=0.25     shortest 4N run that is timed
#   HOSTILE_DIR=/tmp/...   where the captures go (default: a temporary
#                          folder, removed at exit)
#   GW_BIN=build/gw502tui  the binary under test
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${HOSTILE_N:-50000}
MIN_S=${HOSTILE_MIN_S:-0.25}
BIN=${GW_BIN:-$ROOT/build/gw502tui}
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
SHAPES=${HOSTILE_SHAPES:-$("$PY" "$ROOT/tests/tools/mkhostile.py" --list-shapes)} ||
    { echo "hostile.sh: mkhostile.py --list-shapes failed" >&2; exit 2; }
[ -x "$BIN" ] || { echo "hostile.sh: $BIN: not built" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "hostile.sh: /usr/bin/time is needed" >&2; exit 2; }
if [ -n "${HOSTILE_DIR:-}" ]; then
	DIR=$HOSTILE_DIR
	mkdir -p "$DIR" || exit 2
else
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/gw-hostile.XXXXXX") || exit 2
	trap 'rm -rf "$DIR"' EXIT
fi

# run SHAPE COUNT: "frames cpu_seconds peak_kb" of one report run
run() {
	local cap=$DIR/$1-$2.pcap frames
	frames=$("$PY" "$ROOT/tests/tools/mkhostile.py" --shape "$1" \
	    --count "$2" -o "$cap") || return 2
	/usr/bin/time -f '%U %S %M' -o "$DIR/time" "$BIN" --report=json --all \
	    "$cap" >/dev/null 2>"$DIR/err"
	local rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		echo "hostile.sh: $1 at $2: exit $rc: $(head -c 300 "$DIR/err")" >&2
		return 2
	fi
	rm -f "$cap"
	awk -v f="$frames" '{ print f, $1 + $2, $3 }' "$DIR/time"
}

fail=0
printf '%-13s %9s %8s %8s %9s %6s %6s  %s\n' shape frames4 t1_s t4_s rss4_MB \
    ratio mem result
for s in $SHAPES; do
	r1=$(run "$s" "$N") || exit 2
	r4=$(run "$s" $((4 * N))) || exit 2
	read -r f1 t1 m1 <<<"$r1"
	read -r f4 t4 m4 <<<"$r4"
	line=$(awk -v f1="$f1" -v t1="$t1" -v m1="$m1" -v f4="$f4" -v t4="$t4" \
	    -v m4="$m4" -v min="$MIN_S" -v s="$s" 'BEGIN {
		ratio = t1 > 0 ? t4 / t1 : 0
		tok = t4 < min || t4 <= 6 * t1
		mok = m1 * 1024 <= 64 * 1048576 + 128 * f1 &&
		    m4 * 1024 <= 64 * 1048576 + 128 * f4
		printf "%-13s %9d %8.2f %8.2f %9.1f %6.2f %6s  %s\n", s, f4,
		    t1, t4, m4 / 1024, ratio, mok ? "ok" : "over",
		    tok && mok ? "PASS" : "FAIL"
	}')
	echo "$line"
	case $line in *FAIL) fail=1 ;; esac
done
exit $fail
