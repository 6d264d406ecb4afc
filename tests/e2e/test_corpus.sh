#!/bin/bash
# Every public capture in ../shared/corpus/public through --report: each
# must finish within 10 s with exit 0 or 1 and without a sanitizer report.
. "$(dirname "$0")/lib.sh"
CORPUS=${GW_CORPUS:-$SHARED/corpus/public}
if [ ! -d "$CORPUS" ]; then
	skip "corpus sweep: $CORPUS not found"
	exit 0
fi
n=0
while IFS= read -r -d '' f; do
	n=$((n + 1))
	name=${f#"$CORPUS"/}
	for fmt in json text; do
		timeout 10 "$GW_BIN" --report="$fmt" --all -p 80,3128,8080,9090 \
		    "$f" >"$TMPD/out" 2>"$TMPD/err"
		rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
			notok "corpus $fmt $name" "exit $rc: $(head -c 300 "$TMPD/err")"
		elif grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$TMPD/err"; then
			notok "corpus $fmt $name" "$(grep -m3 -E "Sanitizer|runtime error" "$TMPD/err")"
		elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$TMPD/err")" -ne 1 ]; then
			notok "corpus $fmt $name" "exit 1 must say one line: $(head -c 300 "$TMPD/err")"
		else
			ok "corpus $fmt $name"
			[ "$fmt" = json ] && cp "$TMPD/out" "$TMPD/json.$n"
		fi
	done
done < <(find "$CORPUS" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
check "corpus has files" test "$n" -gt 0
# every JSON report line parses (one interpreter for all the files)
check "corpus JSON reports are valid JSON" python3 -c '
import glob, json, sys
for path in glob.glob(sys.argv[1] + "/json.*"):
    for line in open(path):
        json.loads(line)' "$TMPD"
