#!/bin/bash
# Runs every unit test (cmocka) and end-to-end test, then prints the totals
#   N passed (C correctness, R robustness), F failed, S skipped
#   N passed, F failed, S skipped
# the plain line always last (CI parses it). How checks are counted and
# classified: doc/testing.md, "How the suite counts". GW_BIN / GW_BUILD
# name the build to test. CI=true: every skip also counts as a failure.
# GW_SKIP_LIVE=1: test_live*.sh are not run (each one a skip).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
export ROOT GW_BIN=${GW_BIN:-$ROOT/build/gw502tui}
export GW_BUILD=${GW_BUILD:-$ROOT/build}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
correct=0 robust=0 failed=0 skipped=0
log=$(mktemp)
skips=$(mktemp)
trap 'rm -f "$log" "$skips"' EXIT

# Unit tests: one binary per tests/unit/test_*.c, all of them correctness.
# A missing binary, one that ran no test, or one that crashed or exited
# non-zero without a failure cmocka counted, is one failure.
for src in tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	t=$GW_BUILD/tests/$name
	if [ ! -x "$t" ]; then
		failed=$((failed + 1)); echo "FAIL unit $name: $t not built"
		continue
	fi
	timeout 300 "$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0} f=${f:-0} s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ $((p + f + s)) -eq 0 ]; then f=1; echo "# $name ran no test" >>"$log"; fi
	correct=$((correct + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$s" -gt 0 ] && echo "skip - unit $name: $s cmocka tests skipped" >>"$skips"
	if [ "$f" -ne 0 ]; then
		echo "FAIL unit $name (rc $rc)"; grep -E "FAIL|ERROR|error|runtime|^# " "$log" | head -20
	else
		echo "unit $name: $p passed$([ "$s" -eq 0 ] || echo ", $s skipped")"
	fi
done

# End-to-end tests print "ok - ", "not ok - " and "skip - " lines; an ok
# named "robustness: …" is a robustness check. A file that exits non-zero,
# or prints no result at all, is one more failure.
for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	if [ "${GW_SKIP_LIVE:-0}" = 1 ] && [[ $name == test_live* ]]; then
		echo "skip - $name: not run (GW_SKIP_LIVE)" | tee -a "$skips"
		skipped=$((skipped + 1))
		continue
	fi
	timeout 900 bash "$t" >"$log" 2>&1
	rc=$?
	r=$(grep -c '^ok - robustness: ' "$log")
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^not ok - ' "$log")
	s=$(grep -c '^skip - ' "$log")
	if [ "$rc" -ne 0 ]; then f=$((f + 1)); echo "# $name exited $rc" >>"$log"; fi
	if [ $((p + f + s)) -eq 0 ]; then f=1; echo "# $name printed no result" >>"$log"; fi
	# a file that stopped early, or a loop that ran over nothing, while
	# every check it printed passed: fewer results than its floor
	floor=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' tests/e2e/floors.tsv)
	if [ -z "$floor" ]; then
		f=$((f + 1)); echo "# $name has no floor in tests/e2e/floors.tsv" >>"$log"
	elif [ "$s" -eq 0 ] && [ $((p + f)) -lt "$floor" ]; then
		echo "# $name printed $((p + f)) results, fewer than its floor, $floor (tests/e2e/floors.tsv)" >>"$log"
		f=$((f + 1))
	fi
	correct=$((correct + p - r)) robust=$((robust + r))
	failed=$((failed + f)) skipped=$((skipped + s))
	grep '^skip - ' "$log" | sed "s/^skip - /skip - $name: /" >>"$skips"
	if [ "$f" -ne 0 ]; then
		echo "FAIL e2e $name"; grep -E -A2 '^(not ok|skip) - |^# ' "$log" | head -40
	else
		echo "e2e $name: $p passed ($r robustness)"; grep '^skip - ' "$log" | sed 's/^/  /'
	fi
done

if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
	echo "CI=true: every tool and privilege is there, so each skip is a failure:"
	sed 's/^/  /' "$skips"
	failed=$((failed + skipped))
fi
passed=$((correct + robust))
echo "$passed passed ($correct correctness, $robust robustness), $failed failed, $skipped skipped"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
