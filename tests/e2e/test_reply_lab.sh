#!/bin/bash
# The refused-reply lab (tests/lab/record_reply.sh): real nginx and squid
# as forward proxies, upstreams whose 200s carry heads of 2 to 70 KB or a
# chunk without a size. nginx reads 4 KB and answers a bigger head 502
# ("upstream sent too big header"), squid 64 KB (ERR_TOO_BIG) and relays
# the rest, some past the 32 KB gw502tui parses, on pooled connections;
# nginx gives up the bad chunk and closes the client's connection without
# an answer, squid relays the 200; odd heads (a status of 999, a line
# without a colon, a folded line, two Content-Lengths, Transfer-Encoding:
# gzip, "HTTP/2.0", an empty line first, ...) that each proxy refuses or
# relays its own way.
# Recorded fresh, as root where namespaces work (GW_LAB=0 skips it),
# over what a killed run left (which it removes), checked to leave no
# namespace or lab process behind; then gw502tui's `--report=json --all`
# is compared, request by request, with the truth reply_truth.py derived
# from the proxies' own logs, tshark and RFC 9112 (reply_lab_check.py):
# every request right,
# and the head's size named in each refused head's summary. gw502tui
# before the change read 10 of the 24 wrong (a refused 6 or 12 KB head:
# "no request for this URL was seen"; squid's relayed 40 KB head: a
# gateway error; the request after it on the pooled connection: "sent
# nothing back"; the bad chunk: unknown); the build before the odd heads
# read 6 of their 60 wrong (squid's refused gzip coding: "no request for
# this URL was seen", which was false; "HTTP/2.0 200 OK" relayed: an
# invalid reply passed on).
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

if fresh_lab_allowed "refused-reply lab" gwreply; then
	fresh=$TMPD/head
	mkdir -p "$fresh"
	# over what a killed run left, which the lab removes
	lab_records_over_stale gwreply "refused-reply lab records in < 1 min and leaves no namespace or process behind" \
	    --reply "$fresh"
	if [ -f "$fresh/gw502-reply.truth.tsv" ]; then
		before=$FAILS
		run_checker "reply_lab_check" "" "$PY" \
		    "$ROOT/tests/e2e/reply_lab_check.py" "$GW_BIN" "$fresh/gw502-reply.pcap"
		keep_if_failed "$before" "$fresh" gw502-reply
	else
		notok "fresh refused-reply lab recording has a truth file"
	fi
fi
[ "$FAILS" = 0 ] || { echo "# test_reply_lab: $FAILS failed" >&2; exit 1; }
