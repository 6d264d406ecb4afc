#!/bin/bash
# The cache lab (tests/lab/record_cache.sh): real Varnish (:80, a caching
# reverse proxy) and Caddy (:8081, a reverse proxy that caches nothing)
# in front of failing backends: nothing listening (RST), dropped SYNs,
# ICMP administratively prohibited, a reply without a status line, a
# close without a byte, silence, a 502 of the backend's own, and a
# success; each host one at a time and all at once through each proxy,
# then crowds: six clients at once asking one URL, which Varnish
# coalesces into one backend fetch (five requests wait on the sixth's
# and get its answer, a failure's 503 too) and Caddy sends on six
# times; 0.3 s after a failed Varnish crowd, its URL once more (late:
# answered from the failed fetch's 503 in the cache, X-Varnish naming
# the fetch); and a cache hit (no backend traffic at all).
# Recorded fresh, as root where namespaces work (GW_LAB=0 skips it),
# over what a killed run left (which it removes), checked to leave no
# namespace or lab process behind; then gw502tui's `--report=json --all`
# is compared, request by request (client port and URL), with the truth
# cache_truth.py derived from the proxies' own logs (varnishncsa's
# FetchError and handling, Caddy's error and access logs), curl and
# tshark (cache_lab_check.py): status, verdict and cause, the backend
# of a failed connect, a Varnish crowd's waiters and its late request
# sharing the one fetch's evidence. gw502tui before the change read each failed Varnish
# crowd's five waiters as unknown / no-upstream-evidence (5 of 6 per
# crowd: no backend traffic of their own); in Caddy's batch, it could
# swap the refused and the ICMP-filtered hosts (Go answers the refusal
# first), and read the dropped-SYN host's request as unknown when
# Varnish connected to that backend for a new request of the host 31
# ms after the request (taken for a retry of someone else's).
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

if fresh_lab_allowed "cache lab" gwcache; then
	fresh=$TMPD/cache
	mkdir -p "$fresh"
	# over what a killed run left, which the lab removes
	lab_records_over_stale gwcache "cache lab records in < 75 s and leaves no namespace or process behind" \
	    --cache "$fresh"
	if [ -f "$fresh/gw502-cache.truth.tsv" ]; then
		before=$FAILS
		run_checker "cache_lab_check" "" "$PY" \
		    "$ROOT/tests/e2e/cache_lab_check.py" "$GW_BIN" "$fresh/gw502-cache.pcap"
		keep_if_failed "$before" "$fresh" gw502-cache
	else
		notok "fresh cache lab recording has a truth file"
	fi
fi
[ "$FAILS" = 0 ] || { echo "# test_cache_lab: $FAILS failed" >&2; exit 1; }
