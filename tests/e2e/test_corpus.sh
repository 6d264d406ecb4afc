#!/bin/bash
# Every public capture in ../shared/corpus/public through --report, text and
# JSON: each must finish within 10 s with exit 0 or 1 (1: one line on
# stderr), without a sanitizer report, and its JSON must be one object per
# line. One robustness check per file covers both outputs.
. "$(dirname "$0")/lib.sh"
CORPUS=${GW_CORPUS:-$SHARED/corpus/public}
if [ ! -d "$CORPUS" ]; then
	skip "robustness: corpus sweep: $CORPUS not found (the shared corpus is not installed)"
	exit 0
fi
# why FILE: empty when both reports of FILE are acceptable, else the reason
why() {
	local fmt rc
	for fmt in text json; do
		timeout 10 "$GW_BIN" --report="$fmt" --all -p 80,3128,8080,9090 \
		    "$1" >"$TMPD/out.$fmt" 2>"$TMPD/err"
		rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
			echo "$fmt: exit $rc: $(head -c 300 "$TMPD/err")"; return
		elif grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$TMPD/err"; then
			echo "$fmt: $(grep -m3 -E "Sanitizer|runtime error" "$TMPD/err")"; return
		elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$TMPD/err")" -ne 1 ]; then
			echo "$fmt: exit 1 must say one line: $(head -c 300 "$TMPD/err")"; return
		fi
	done
}
n=0
mkdir "$TMPD/json"
while IFS= read -r -d '' f; do
	n=$((n + 1))
	name=${f#"$CORPUS"/}
	reason=$(why "$f")
	if [ -n "$reason" ]; then
		notok "robustness: corpus $name" "$reason"
	else
		mv "$TMPD/out.json" "$TMPD/json/$n"
		printf '%s\t%s\n' "$n" "$name" >>"$TMPD/pending"
	fi
done < <(find "$CORPUS" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
check "corpus has files ($n)" test "$n" -gt 0
[ -f "$TMPD/pending" ] || end_here	# no file ran clean: no JSON to check
# The JSON of every file that ran clean, in one interpreter: a bad file is
# named by the line its first bad line starts with ("DIR/N:LINE: …").
python3 "$ROOT/tests/tools/jsonlines.py" "$TMPD"/json/* >"$TMPD/bad" 2>&1
rc=$?
if [ "$rc" -gt 1 ] || { [ "$rc" -eq 1 ] && ! grep -q "^$TMPD/json/" "$TMPD/bad"; }; then
	notok "corpus: jsonlines.py checks the JSON reports" "jsonlines.py exited $rc: $(last_line "$TMPD/bad")"
	exit 0
fi
while IFS=$'\t' read -r i name; do
	bad=$(grep -m1 "^$TMPD/json/$i:" "$TMPD/bad")
	if [ -n "$bad" ]; then
		notok "robustness: corpus $name" "json line ${bad#"$TMPD/json/$i:"}"
	else
		ok "robustness: corpus $name"
	fi
done <"$TMPD/pending"
