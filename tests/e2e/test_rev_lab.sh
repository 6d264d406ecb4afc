#!/bin/bash
# The reverse-proxy lab (tests/lab/record_rev.sh): real HAProxy (:80) and
# nginx (:8081) as reverse proxies, clients' requests in origin form with
# a Host field, one backend per scenario chosen by the proxy's
# configuration with no DNS look-up (some on port 80, the port HAProxy
# serves, the others on 8080): a success, RST, dropped SYNs, ICMP
# administratively prohibited, no status line, a close without a byte,
# silence, the backend's own 502, and (HAProxy) a backend its health
# checks marked down, for which it tries nothing; one at a time, then all
# at once; and nginx with pooled keep-alive connections (:8082) to a
# backend that closes a pooled connection, and one that answers its
# second request without a status line; then the busy round, keep-alive
# clients at once to one host load-balanced over a group of servers
# (HAProxy's roundrobin with retries, nginx's next server after a
# failed one), judged as a whole (at least 95 % right: where requests to
# one host come microseconds apart and a backend's retries interleave
# with others', a few are linked by time to another's attempts); then
# the storm round, 40 keep-alive clients at once through nginx to a
# group of two application servers, one refusing and one dropping SYNs
# (two tries a request, a 1 s connect timeout), judged as a whole (at
# least 94 % right), and present in the fresh recording's truth.
# HAProxy tries a failed connect four times; in the busy round, the
# requests it gave up on at its connect timeout (its log's sC) name the
# silent server and its attempt count, each a new socket half a second
# apart while other requests keep coming (at least 50 % a recording:
# 95 of 101 in fifteen recordings, the worst 5 of 7 in three made under
# load, 4 of 7 in a CI's whose chains entangled (kept); 1 of 66 before
# such tries were chained), and those a server
# refused (its log's SC), tried again a turn-around after each refusal
# (at least 50 %: 102 of 105, the worst 4 of 7; 1 of 7 in three loaded
# recordings before the turn-around retries were told from other
# requests' tries). Recorded fresh, as root
# where namespaces work (GW_LAB=0 skips it), checked to leave no
# namespace or lab process behind; then gw502tui's `--report=json --all`
# is compared, request by request, with the truth rev_truth.py derived
# from the proxies' own logs, curl and tshark (rev_lab_check.py): status,
# verdict, cause, the backend and the number of connections to it, and
# the servers nginx tried before the last; no request takes one of
# HAProxy's health checks (every 2 s) of its down backend for a try.
# The committed recording
# (examples/gw502-rev.pcap) first, the same way.
# gw502tui before the change got all 44 wrong: the gateway's connections
# to backends on port 80 were taken for clients', and with no look-up
# nothing linked a request to its backend (unknown).
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# check_recording DIR PREFIX: DIR's gw502-rev.pcap against its truth, with
# and without the gateway's address, and against the access logs the
# proxies wrote: each line joins its own transaction (client and path);
# the requests HAProxy closed without a reply or a line have none
check_recording() {
	local dir=$1 prefix=$2 name log
	run_checker "${prefix}rev_lab_check" "$prefix" "$PY" \
	    "$ROOT/tests/e2e/rev_lab_check.py" "$GW_BIN" "$dir/gw502-rev.pcap"
	# the gateway's address given: the same
	run_checker "${prefix}rev_lab_check -g" "$prefix" "$PY" \
	    "$ROOT/tests/e2e/rev_lab_check.py" "$GW_BIN" "$dir/gw502-rev.pcap" \
	    -g 10.254.0.1
	# without -p: nothing to report, but a warning that names the ports
	# where the gateway passed requests on
	"$GW_BIN" --report "$dir/gw502-rev.pcap" >"$TMPD/rev-noport.out" \
	    2>"$TMPD/rev-noport.err"
	check "${prefix}without -p: the warning names the reverse proxy's ports" \
	    grep -q -- "-p 80,8081,8082 reads them" "$TMPD/rev-noport.err"
	check "${prefix}without -p: the report says no request came to a proxy port" \
	    grep -q "^No HTTP requests to a proxy port" "$TMPD/rev-noport.out"
	for name in haproxy nginx; do
		log=$dir/gw502-rev.$name.log
		"$GW_BIN" -p 80,8081,8082 --report=json --all --access-log "$log" \
		    "$dir/gw502-rev.pcap" >"$TMPD/rev-log.jsonl" 2>&1
		check_eq "${prefix}each of $name's access log lines joins its transaction (client and path)" \
		    "$(grep -c . "$log")" "$("$PY" - "$TMPD/rev-log.jsonl" <<'PYEOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if "url" not in o:
        continue
    text = (o.get("log") or {}).get("text", "")
    path = "/" + o["url"].split("/", 3)[3]
    n += text.startswith(o["client"]) and f'"GET {path} HTTP/1.1"' in text
print(n)
PYEOF
)"
	done
}

# the committed recording (examples/gw502-rev.pcap), then a fresh one
if [ -f "$ROOT/examples/gw502-rev.truth.tsv" ]; then
	check_recording "$ROOT/examples" "examples: "
else
	notok "examples/gw502-rev.pcap has a truth file"
fi
# Kept recordings once read less well than a fresh one must be
# (tests/lab/kept/README.md: overlapping HAProxy retry chains, nginx's
# storm): held at their shares (floors.env: what gw502tui reads now)
nkept=0
for kept in "$ROOT"/tests/lab/kept/rev-*/; do
	[ -f "$kept/gw502-rev.pcap" ] || continue
	nkept=$((nkept + 1))
	refused=0.5 retries=0.6 busy=0.95 storm=0.94
	while IFS='=' read -r k v; do
		case $k in
		REV_REFUSED_RIGHT) refused=$v ;;
		REV_RETRIES_RIGHT) retries=$v ;;
		REV_BUSY_RIGHT) busy=$v ;;
		REV_STORM_RIGHT) storm=$v ;;
		esac
	done <"$kept/floors.env"
	REV_REFUSED_RIGHT=$refused REV_RETRIES_RIGHT=$retries \
	    REV_BUSY_RIGHT=$busy REV_STORM_RIGHT=$storm run_checker \
	    "kept $(basename "$kept"): rev_lab_check" "kept $(basename "$kept"): " \
	    "$PY" "$ROOT/tests/e2e/rev_lab_check.py" "$GW_BIN" "$kept/gw502-rev.pcap"
done
check "tests/lab/kept holds the four reverse-proxy recordings" test "$nkept" -eq 4
if fresh_lab_allowed "reverse-proxy lab" gwrev; then
	fresh=$TMPD/rev
	mkdir -p "$fresh"
	lab_records "reverse-proxy lab records in < 120 s and leaves no namespace or process behind" \
	    --rev "$fresh"
	if [ -f "$fresh/gw502-rev.truth.tsv" ]; then
		before=$FAILS
		# the storm round (40 clients x 8 requests at once) is in the
		# truth, so that rev_lab_check judges it
		check "the storm round's requests are in the truth (at least 300 of 320)" \
		    test "$(grep -c "	storm	/s-" "$fresh/gw502-rev.truth.tsv")" -ge 300
		check_recording "$fresh" ""
		keep_if_failed "$before" "$fresh" gw502-rev
	else
		notok "fresh reverse-proxy lab recording has a truth file"
	fi
fi
[ "$FAILS" = 0 ] || { echo "# test_rev_lab: $FAILS failed" >&2; exit 1; }
