#!/bin/bash
# Runs every unit test (cmocka) and end-to-end test, then prints the
# totals as "N passed, N failed". GW_BIN / GW_BUILD name the build to test.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
export ROOT GW_BIN=${GW_BIN:-$ROOT/build/gw502tui}
export GW_BUILD=${GW_BUILD:-$ROOT/build}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$GW_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	timeout 300 "$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0} f=${f:-0} s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -ne 0 ]; then
		echo "FAIL unit $name (rc $rc)"; grep -E "FAIL|ERROR|error|runtime" "$log" | head -20
	else
		echo "unit $name: $p passed${s:+, $s skipped}"
	fi
done

for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	timeout 900 bash "$t" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^not ok - ' "$log")
	s=$(grep -c '^skip - ' "$log")
	if [ "$rc" -ne 0 ]; then f=$((f + 1)); echo "# $name exited $rc" >>"$log"; fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -ne 0 ]; then
		echo "FAIL e2e $name"; grep -E -A2 '^(not ok|skip) - |^# ' "$log" | head -40
	else
		echo "e2e $name: $p passed"; grep '^skip - ' "$log" | sed 's/^/  /'
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
