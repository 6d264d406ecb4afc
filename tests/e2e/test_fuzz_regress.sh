#!/bin/bash
# Every input that once crashed a fuzz harness (tests/fuzz/regress/) runs
# through its harness again, built with clang, ASan and UBSan: one
# robustness check per harness.
. "$(dirname "$0")/lib.sh"
if ! command -v clang >/dev/null 2>&1; then
	skip "robustness: fuzz regressions: clang not installed"
	exit 0
fi
total=0
for dir in "$ROOT"/tests/fuzz/regress/*/; do
	h=$(basename "$dir")
	n=$(find "$dir" -type f ! -name '*.md' | wc -l)
	[ "$n" -gt 0 ] || continue
	total=$((total + n))
	if FUZZ_OUT="$ROOT/build-fuzz" "$ROOT/tests/fuzz/run.sh" --regress "$h" \
	    >"$TMPD/$h.log" 2>&1; then
		ok "robustness: fuzz regressions: $h ($n inputs)"
	else
		notok "robustness: fuzz regressions: $h ($n inputs)" "$(tail -5 "$TMPD/$h.log" | tr '\n' ' ')"
	fi
done
check "tests/fuzz/regress holds inputs ($total)" test "$total" -gt 0
