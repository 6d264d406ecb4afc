#!/bin/bash
# A busy gateway (issue 12): captures from bench/busy — many concurrent
# requests to few hosts, outcomes flapping over every cause, DNS cached per
# TTL (positive and negative), pooled upstream connections, address
# fallback, keep-alive clients, two proxy ports in the big case, TTLs of
# 1 s in a third, two proxies with a DNS cache each and flipping A records
# in a fifth, Traffic Server's retries in a sixth — and the truth of every transaction from the generator's
# plan. Checks, per case,
# that `--report=json --all` gets >= BUSY_MIN_ALL % of all transactions
# (default 99.9, issue 12's target) and >= 99 % of the failures right
# (bench/check.py; a case may set lower floors, CASE_MIN_ALL and
# CASE_MIN_FAIL, where it is not there yet, and name causes its shape
# does not make, CASE_ABSENT), that the truth agrees with tshark's reading of the
# packets (busy_truth_check.py; the small case, or both with
# BUSY_TSHARK_ALL=1), that the TUI's status-line counts equal --report's
# (tmux, polled, no fixed sleeps), and that the report does not depend on
# how often the diagnosis runs: the 3,000-request case and gen's
# many-small-requests file read in 1, 7, 4096, 65536-frame and random
# slices print the same bytes as read at once ($GW_BUILD/tests/test_cadence).
# Seeded: the same files every run.
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
MIN_ALL=${BUSY_MIN_ALL:-99.9}
S=gwbusy-$$
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$TMPD"' EXIT

if ! cc -O2 -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$TMPD/busy" \
    "$ROOT/bench/busy.c" -lm 2>"$TMPD/cc.err"; then
	notok "bench/busy builds" "$(head -c 600 "$TMPD/cc.err")"
	exit 0
fi
ok "bench/busy builds"

# case NAME ARGS...: generate, check the truth covers every cause, report
case_run() {
	local cn=$1	# not "name": lib.sh's check() sets that one
	shift
	local base=$TMPD/$cn
	if ! "$TMPD/busy" -o "$base.pcap" -T "$base.tsv" -t "$base.json" "$@" \
	    2>"$TMPD/gen.err"; then
		notok "$cn: generated" "$(head -c 600 "$TMPD/gen.err")"
		return 1
	fi
	check "$cn: generated the same file twice (seeded)" \
	    sh -c "'$TMPD/busy' -o '$base.again.pcap' -t /dev/null $* &&
	    cmp '$base.pcap' '$base.again.pcap'"
	rm -f "$base.again.pcap"
	check "$cn: every cause of DESIGN §1 but no-upstream-evidence${CASE_ABSENT:+ and $CASE_ABSENT} in the truth" \
	    "$PY" -c "import json,sys; c=json.load(open(sys.argv[1]))['causes']
bad=[k for k,v in c.items() if not v and k not in ['no-upstream-evidence'] + sys.argv[2].split()]
sys.exit('no ' + ', '.join(bad) if bad else 0)" "$base.json" "${CASE_ABSENT:-}"
	if ! "$GW_BIN" --report=json --all "$base.pcap" >"$base.jsonl" \
	    2>"$TMPD/gw.err"; then
		notok "$cn: --report=json --all exits 0" "$(head -c 600 "$TMPD/gw.err")"
		return 1
	fi
	ok "$cn: --report=json --all exits 0"
	check "$cn: every report line matches doc/report.schema.json" \
	    "$PY" "$ROOT/tests/tools/jsonlines.py" "$base.jsonl"
	"$PY" "$ROOT/bench/check.py" "$base.jsonl" "$base.json" "$base.tsv" \
	    >"$base.check" 2>&1
	local rc=$? line all fail
	line=$(grep -m1 '^  all: ' "$base.check")
	if [ "$rc" -gt 1 ] || [ -z "$line" ]; then
		notok "$cn: bench/check.py ran" "exit $rc: $(tail -c 600 "$base.check")"
		return 1
	fi
	all=$(sed -n 's/.*= \([0-9.]*\) %; failures.*/\1/p' <<<"$line")
	fail=$(sed -n 's/.*failures: .* = \([0-9.]*\) %.*/\1/p' <<<"$line")
	echo "# $cn:${line#*:}"
	sed -n '/^  [a-z-]* *[0-9]*: /p' "$base.check" | head -12 | sed 's/^/#   /'
	local min_all=${CASE_MIN_ALL:-$MIN_ALL} min_fail=${CASE_MIN_FAIL:-99}
	if "$PY" -c "import sys; sys.exit(float(sys.argv[1]) < $min_all)" "$all"; then
		ok "$cn: >= $min_all % of all transactions right ($all %)"
	else
		notok "$cn: >= $min_all % of all transactions right ($all %)" \
		    "$(grep -m3 '^  #' "$base.check" | tr -s ' ' | tr '\n' ' ')"
	fi
	if "$PY" -c "import sys; sys.exit(float(sys.argv[1]) < $min_fail)" "$fail"; then
		ok "$cn: >= $min_fail % of failures right ($fail %)"
	else
		notok "$cn: >= $min_fail % of failures right ($fail %)"
	fi
	return 0
}

tshark_check() {	# tshark_check NAME
	if ! command -v tshark >/dev/null; then
		skip "$1: truth against tshark: tshark not installed"
		return
	fi
	"$PY" "$(dirname "$0")/busy_truth_check.py" "$TMPD/$1.pcap" \
	    "$TMPD/$1.tsv" "$TMPD/$1.json" "$1" >"$TMPD/tshark.out" 2>&1
	local rc=$?
	cat "$TMPD/tshark.out"
	[ "$rc" -le 1 ] || notok "$1: busy_truth_check.py ran" \
	    "exit $rc: $(tail -c 600 "$TMPD/tshark.out")"
}

# ---- bench/check.py can fail: on gen's mixed capture (one host per
# failure, which the engine gets right) and on copies of its report with one
# transaction broken
if cc -O2 -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$TMPD/gen" \
    "$ROOT/bench/gen.c" -lm 2>"$TMPD/cc.err" &&
    "$TMPD/gen" -o "$TMPD/mixed.pcap" -T "$TMPD/mixed.tsv" \
    -t "$TMPD/mixed.json" -n 500 -S 3 &&
    "$GW_BIN" --report=json --all "$TMPD/mixed.pcap" >"$TMPD/mixed.jsonl"; then
	chk() {	# chk REPORT [OPTIONS]: check.py's exit status and last line
		"$PY" "$ROOT/bench/check.py" "$1" "$TMPD/mixed.json" \
		    "$TMPD/mixed.tsv" "${@:2}" >"$TMPD/chk.out" 2>&1
		echo "$? $(tail -1 "$TMPD/chk.out" | cut -d' ' -f1-2)"
	}
	mutate() {	# mutate OUT PYTHON: PYTHON edits row o (line n), the first
		# it selects; "raw" cuts that line short
		"$PY" - "$TMPD/mixed.jsonl" "$1" "$2" <<'EOF'
import json, sys
from jsonlines import line_row
src, dst, code = sys.argv[1:4]
done = False
with open(src) as f, open(dst, "w") as g:
    for n, line in enumerate(f, 1):
        o, why = line_row(line, "%s:%d" % (src, n))
        if why:
            sys.exit(why)
        if not done:
            done = eval(code, {"o": o, "n": n})
            line = json.dumps(o) + "\n" if done != "raw" else line[:40] + "\n"
        g.write(line)
EOF
	}
	check_eq "check.py: OK on gen's mixed capture" "0 verdicts: OK" \
	    "$(chk "$TMPD/mixed.jsonl")"
	check "gen's mixed capture: every report line matches doc/report.schema.json" \
	    "$PY" "$ROOT/tests/tools/jsonlines.py" "$TMPD/mixed.jsonl"
	mutate "$TMPD/m1.jsonl" 'o["cause"] == "tcp-rst" and not o.update(cause="syn-unanswered")'
	check_eq "check.py: FAIL when one failure's cause is swapped" \
	    "1 verdicts: FAIL" "$(chk "$TMPD/m1.jsonl")"
	mutate "$TMPD/m2.jsonl" 'o["verdict"] == "ok" and not o.update(verdict="unknown", cause="no-upstream-evidence")'
	check_eq "check.py: FAIL with one wrong success in 500" \
	    "1 verdicts: FAIL" "$(chk "$TMPD/m2.jsonl")"
	check_eq "check.py: PASS, not OK, with it within --min-all 99" \
	    "0 verdicts: PASS" "$(chk "$TMPD/m2.jsonl" --min-all 99)"
	mutate "$TMPD/m3.jsonl" 'n == 7 and "raw"'
	check_eq "check.py: FAIL when a report line is not JSON" \
	    "1 verdicts: FAIL" "$(chk "$TMPD/m3.jsonl")"
	check "check.py: the broken line is named" grep -q 'm3.jsonl:7:' "$TMPD/chk.out"
else
	notok "check.py sanity: gen's mixed capture and its report" \
	    "$(head -c 600 "$TMPD/cc.err")"
fi

A=busy-3000x12 B=busy-20000x40-ttl30-2ports C=busy-3000x12-ttl1
case_run $A --requests 3000 --hosts 12 --rate 400 -S 6 && A_OK=1
tshark_check $A
case_run $B --requests 20000 --hosts 40 --rate 400 --ttl 30 --ports 2 -S 1 &&
    B_OK=1
[ "${BUSY_TSHARK_ALL:-0}" = 1 ] && tshark_check $B
# TTLs of 1 s (CDNs, load balancers): the gateway asks again all the time,
# and requests wait for look-ups in flight rather than for its cache
case_run $C --requests 3000 --hosts 12 --rate 400 --ttl 1 --neg-ttl 1 -S 6 &&
    C_OK=1
# many hosts, each asked seldom: a pooled connection is used again
# seconds after its last request, by when retiring has dropped that
# request (its first pair) from the model; sliced reads told such a
# keep-alive race as an upstream timeout before the reused request was
# told by the connection's first payload byte (the cadence check below)
D=busy-6000x600
case_run $D --requests 6000 --hosts 600 --rate 400 -S 1 && D_OK=1
# one popular host at 2,000 requests/s: requests for one URL within a
# millisecond, one refused, the other sent upstream (92.9 % of the
# failures right before the refused one stopped taking the other's
# upstream request; 98.9 % since, 99.3 % since a silent exchange still
# open at an error's answer is no longer taken, 99.73 % since a 502 the
# server sent after the gateway's answer is no reply it relayed, 6
# December); its one host resolves, and stays cached
CASE_MIN_ALL=99.9 CASE_MIN_FAIL=99.5 \
    CASE_ABSENT="dns-nxdomain dns-error dns-no-response" \
    case_run busy-6000x1-2000rps --requests 6000 --hosts 1 --rate 2000 -S 1
# two proxies on the gateway, nginx on 9090 (valid=3s) and squid on 3128,
# each with its own resolver socket, DNS cache and pool; a third of the
# hosts flip addresses every 3-8 s, and a cache still naming the old one
# fails (RST, silence) where the other proxy's serves. Seeds 11, 12, 14
# gave 90.6-93.3 % of all and 70.4-72.4 % of the failures right while a
# proxy's cached NXDOMAIN, or its look-up in flight, lost to the other
# socket's cached address; since each resolver socket is known by the
# proxy port whose requests it asks for, seeds 11-15 give 99.74-100 % of
# all and 99.18-100 % of the failures (doc/performance.md); seed 12
# 99.67 % of the failures since December 2nd's linking fixes, 99.80 %
# since a failed attempt beyond a burst's connections that carried other
# URLs can be a waiter's (6 December).
# 5,000 requests: the schema check of 10,000 report lines took 20 s
E=busy-5000x12-2proxies
CASE_MIN_ALL=99.9 CASE_MIN_FAIL=99.7 \
    case_run $E --requests 5000 --hosts 12 --rate 400 --proxies 2 -S 12 &&
    E_OK=1 && tshark_check $E
# The same with nginx given three DNS servers (--dns-servers 3, as the
# busy lab's: a socket per server, each new look-up to the next server,
# each resend of a silent one too, A and AAAA with the same IDs): a
# socket asks a third of nginx's names, so each is known as nginx's later
# and squid's newer answer looks like the cache (seeds 11-15: 98.14-99.04
# % of all, 93.08-96.91 % of the failures right before the fixes of 6
# December: an attempt after the answer was another proxy's, an
# NXDOMAIN explains an error answered at once, a look-up's A and AAAA
# resent from each socket are one look-up, a socket not known yet is a
# cache too; 99.74-99.90 % and 99.09-99.64 % since; 99.88-99.96 % and
# 99.61-99.88 % since a failed attempt beyond a burst's connections that
# carried other URLs can be a waiter's). Seed 12: 99.92 % and 99.71 %.
F=busy-5000x12-2proxies-3servers
CASE_MIN_ALL=99.85 CASE_MIN_FAIL=99.6 \
    case_run $F --requests 5000 --hosts 12 --rate 400 --proxies 2 \
    --dns-servers 3 -S 12 && tshark_check $F
# The two proxies with a 1 s TTL: squid gives a silent look-up up after
# 7 s and answers its waiters 502 just after it began the next look-up
# (new IDs) for a later request, told NXDOMAIN 2 ms on: 99.02 % of all,
# 97.72 % of the failures right while that look-up counted as the old
# one's retry, 99.82 % and 99.58 % since (6 December), 99.84 % and
# 99.63 % since a failed attempt beyond a burst's connections that
# carried other URLs can be a waiter's.
G=busy-5000x12-2proxies-ttl1
CASE_MIN_ALL=99.8 CASE_MIN_FAIL=99.5 \
    case_run $G --requests 5000 --hosts 12 --rate 400 --proxies 2 \
    --ttl 1 -S 3 && tshark_check $G
# Six hosts at 200 requests/s, nginx with three DNS servers keeping each
# answer 1 s (--valid 1), squid beside it: squid gives a silent look-up
# up 7 s after its first query, and the requests that came in its last
# second waited for it while nginx, on a socket not known yet as its,
# was told REFUSED for the name: seed 5 had 18 of them unknown ("no DNS
# captured": the newest query, over, was taken for the request's proxy's
# own), 99.02 % of all and 97.20 % of the failures right; 99.38 % and
# 98.23 % since (6 December), 99.40 % and 98.29 % since a server's 502
# after the gateway's answer is no reply it relayed, 99.64 % and 98.97 %
# since a request whose nearest attempts connected and carried other
# URLs (nginx's waiters, released together by a late answer) takes the
# failed attempt its answer follows, beyond them. What is left: over 100 attempts within 40 us to one address, some for
# the same URL, taking each other's.
H=busy-5000x6-2proxies-3servers-valid1
CASE_MIN_ALL=99.5 CASE_MIN_FAIL=98.8 \
    case_run $H --requests 5000 --hosts 6 --rate 200 --valid 1 \
    --proxies 2 --dns-servers 3 -S 5 && tshark_check $H
# The same shape, seeds 4 and 9 (of seeds 1-10, the two worst on 7
# December): early in the capture nginx's sockets, a third of its names
# each, are known as no one's while squid's is known, and nginx answers
# from its cached NXDOMAIN (seed 4: 66 requests `unknown`, squid's
# newer address taken for nginx's cache); nginx's look-ups follow
# squid's requests by chance often enough to count as squid's port's
# resolver too, and squid's requests waiting on squid's silent look-up
# took nginx's (seed 9: 118 wrong). 98.38 % / 95.49 % and 97.08 % /
# 93.16 % of all and of the failures right before the fixes; 99.68 % /
# 99.11 % and 99.40 % / 98.59 % since.
CASE_MIN_ALL=99.6 CASE_MIN_FAIL=99.0 \
    case_run busy-5000x6-2proxies-3servers-valid1-s4 --requests 5000 \
    --hosts 6 --rate 200 --valid 1 --proxies 2 --dns-servers 3 -S 4
CASE_MIN_ALL=99.3 CASE_MIN_FAIL=98.5 \
    case_run busy-5000x6-2proxies-3servers-valid1-s9 --requests 5000 \
    --hosts 6 --rate 200 --valid 1 --proxies 2 --dns-servers 3 -S 9
# Seed 2: squid's requests waiting on squid's silent look-up, begun for
# another request 180 ms before and resent 1 s on, took nginx's cached
# address 6 ms older than it (the look-up was shared, and another
# socket's answer no newer look-up replaced counted as the cache): 16
# `unknown`; a look-up the request's port's own resolver was asking is
# no sign of a cache (99.34 % / 98.13 % -> 99.66 % / 99.04 %).
CASE_MIN_ALL=99.6 CASE_MIN_FAIL=98.9 \
    case_run busy-5000x6-2proxies-3servers-valid1-s2 --requests 5000 \
    --hosts 6 --rate 200 --valid 1 --proxies 2 --dns-servers 3 -S 2
# H with --drop-aaaa: api1's DNS server answers A and drops AAAA; nginx
# waits for both and fails its requests for it on resolver_timeout (376
# of 5,000), squid connects with the A to api1's two addresses, which
# refuse and drop in turn. Before the look-up half answered was a story
# of its own, those nginx requests took squid's failed attempts or the
# A as a cache: 92.10 % / 77.66 % right; 99.32 % / 98.08 % since (7
# December). What is left: early in the capture, before nginx's sockets
# are known, the A taken as a cache; squid's attempts refused or silent
# just before nginx's answer.
HA=busy-5000x6-2proxies-3servers-valid1-dropaaaa
CASE_MIN_ALL=99.2 CASE_MIN_FAIL=97.9 \
    case_run $HA --requests 5000 --hosts 6 --rate 200 --valid 1 \
    --proxies 2 --dns-servers 3 -S 5 --drop-aaaa && tshark_check $HA
# Traffic Server's retries (--retries 3: four attempts on new sockets per
# failure, each failing as the first), 4 hosts, half the requests
# failing: with another request for the host always waiting, the retries
# are not chained; the request keeps the attempts that fit its answer.
# 90.7 % of the failures right before a connection closed long before
# the answer, or carrying another URL, was passed over and a refusal
# after the answer stopped counting; 99.39 % (99.70 % of all) before a
# refusal, junk or a close over a second before the answer stopped
# counting as the last attempt (2 December), 99.73 % (99.87 %) since
# (doc/performance.md)
R=busy-3000x4-retries3
CASE_MIN_ALL=99.8 CASE_MIN_FAIL=99.6 \
    CASE_ABSENT="dns-nxdomain dns-no-response" \
    case_run $R --requests 3000 --hosts 4 --rate 400 --fail 0.5 \
    --connects 0.3 --retries 3 -S 11 && R_OK=1 && tshark_check $R

# A busy reverse proxy (bench/revbusy: nginx on port 80 in front of two
# groups of servers, keep-alive pools, round robin, next upstream on
# error or timeout, "no live upstreams", incidents of each server and of
# whole groups), 20,000 requests read with -p 80. Its truth against
# tshark, verdicts (bench/check.py) and, for every failure, the
# connection of the last try and the earlier tries that carried the
# request (revbusy_check.py). Seed 3, 3 December: 99.94 % of the
# failures right and 99.55 % linked to the last try (97.16 % and 80.9 %
# before tries were followed through refusals and unanswered connects
# and a request's method was kept; 99.79 % and 97.4 % before "no live
# upstreams" kept off other requests' refusals and several requests'
# tries through refusals at once were told apart by the order the
# gateway's event loop acts in). Of the failures of several tries,
# 96.76 % list every try's connection (90.56 % before the refusals
# before a try that carried the request were looked for; seed 7 at
# 2,000 a second 87.69 %, the 5,000 of seed 3 90.73 %). Since 5
# December the generator passes junk on as nginx does (HTTP/0.9, read to
# the server's close, which may come half a second later): other files
# than those figures were measured on; on the new ones (5 December) the
# 20,000 of seed 3 has 99.89 % of the failures right, 99.49 % linked,
# 96.13 % with every try listed; 99.64, 99.19 and 95.84 % with the build
# before junk passed on named its own try and no next one (8a57b60).
#
# revbusy_case NAME MIN_ALL MIN_FAIL MIN_LINKS MIN_ATTEMPTS MIN_SERVED
#     REVBUSY-OPTION...:
# bench/revbusy's file NAME read with -p 80, its verdicts (bench/check.py:
# MIN_ALL % of all, MIN_FAIL % of failures), links and tries
# (revbusy_check.py: MIN_LINKS %), for failures of several tries every
# try's connection listed (MIN_ATTEMPTS %), and the successes linked to
# the try that served them (MIN_SERVED %) against the truth.
revbusy_case() {
	local rb=$1 min_all=$2 min_fail=$3 min_links=$4 min_attempts=$5 rc=0
	local min_served=$6
	shift 6
	"$TMPD/revbusy" -o "$TMPD/$rb.pcap" -T "$TMPD/$rb.tsv" \
	    -t "$TMPD/$rb.json" "$@" || { notok "$rb: generated"; return 1; }
	"$GW_BIN" -p 80 --report=json --all "$TMPD/$rb.pcap" \
	    >"$TMPD/$rb.jsonl"
	"$PY" "$ROOT/bench/check.py" "$TMPD/$rb.jsonl" "$TMPD/$rb.json" \
	    "$TMPD/$rb.tsv" --min-all "$min_all" --min-fail "$min_fail" \
	    >"$TMPD/$rb.check" 2>&1
	check "$rb: verdicts >= $min_all % of all and $min_fail % of failures right" \
	    grep -q '^verdicts: \(OK\|PASS\)' "$TMPD/$rb.check"
	grep '^  all: ' "$TMPD/$rb.check" | sed 's/^/# /'
	if command -v tshark >/dev/null; then
		"$PY" "$(dirname "$0")/revbusy_check.py" "$TMPD/$rb.pcap" \
		    "$TMPD/$rb.tsv" "$TMPD/$rb.json" "$rb" \
		    "$TMPD/$rb.jsonl" --min-links="$min_links" \
		    --min-attempts="$min_attempts" \
		    --min-success-links="$min_served" \
		    >"$TMPD/tshark.out" 2>&1 || rc=$?
		cat "$TMPD/tshark.out"
		# exit 1 with a "not ok" line: a check failed (counted as
		# printed); anything else is the checker breaking
		[ "$rc" = 0 ] || { [ "$rc" = 1 ] &&
		    grep -q '^not ok - ' "$TMPD/tshark.out"; } ||
		    notok "$rb: revbusy_check.py ran" \
		    "exit $rc: $(tail -c 600 "$TMPD/tshark.out")"
	else
		skip "$rb: truth against tshark: tshark not installed"
	fi
}

V=revbusy-20000-s3
if cc -O2 -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$TMPD/revbusy" \
    "$ROOT/bench/revbusy.c" -lm 2>"$TMPD/cc.err"; then
	ok "bench/revbusy builds"
	# successes linked to the try that served them (5 December, the
	# generator passing junk on): 97.55 % here, 95.88 % on the 40,000,
	# 97.88 % on the 5,000 of seed 3; 95.84, 94.97 and 95.55 % before a
	# success whose first try failed was linked by its reply after the
	# second a proxy takes to act (db38416)
	revbusy_case $V 99.9 99.8 99 96 97 --requests 20000 -S 3
	[ -s "$TMPD/$V.pcap" ] && V_OK=1
	check "$V: generated the same file twice (seeded)" \
	    sh -c "'$TMPD/revbusy' -o '$TMPD/$V.again.pcap' --requests 20000 -S 3 &&
	    cmp '$TMPD/$V.pcap' '$TMPD/$V.again.pcap'"
	rm -f "$TMPD/$V.again.pcap"
	# four times the rate (2,000 requests a second, 40,000): requests
	# for one path at once, POSTs not sent again, 503s relayed after
	# a server that closed (4 December: failures 99.59 %, linked
	# 99.55 %, tries 99.30 %, every try listed 89.54 %; 99.44 %,
	# 99.40 % and 87.69 % before the try after a silent one was looked
	# for back from the answer over up to 4,096 requests for its path;
	# 5 December, junk passed on: 99.64 %, 99.58 %, 99.42 %, 92.11 %;
	# failures 99.42 % before junk passed on named its own try)
	revbusy_case revbusy-40000-r2000-s7 99.9 99.5 99.2 89 95.8 --requests 40000 \
	    --rate 2000 -S 7
	rm -f "$TMPD/revbusy-40000-r2000-s7".*
	# incidents at once: in its 10 s a group's servers hang, drop SYNs
	# (nginx's connect timeout, 2 s) and refuse, and requests run
	# through all four (4 December: failures 99.83 %, linked 97.49 %,
	# tries 99.91 %, every try listed 92.07 %; 98.88 %, 96.19 %,
	# 98.96 % and 90.73 % before a success stopped taking a later
	# request's unanswered try and a silent first try stopped being
	# taken for another's when the gateway's next try in a refusal
	# chain went to its server after the answer; 94.98 % and 91.26 %
	# before the tries after a connect timeout were followed; 5
	# December, junk passed on: 99.92 %, 97.56 %, 99.92 %, 92.64 %)
	revbusy_case revbusy-5000-s3 99.9 99.6 97 91.5 97.8 --requests 5000 -S 3
	rm -f "$TMPD/revbusy-5000-s3".*
	# faster than a kernel gives out ports: refused with one line
	rc=0
	"$TMPD/revbusy" -o "$TMPD/hot.pcap" --requests 40000 --rate 10000 \
	    --incidents 0.5 -S 5 >/dev/null 2>"$TMPD/hot.err" || rc=$?
	check_eq "bench/revbusy refuses ports that come back within a minute" \
	    "1 1" "$rc $(grep -c 'again after' "$TMPD/hot.err")"
	rm -f "$TMPD/hot.pcap"
else
	notok "bench/revbusy builds" "$(head -c 600 "$TMPD/cc.err")"
fi

# ---- the same report whatever the cadence of diagnosis -------------------
# gen -m small -s 40M -S 1: 17,959 requests, pooled connections, cached DNS;
# the 20,000-request case: attempts linked by time that go on sending SYNs
# after the answer (only those sent before it belong to the story)
cadence() {
	local out=$TMPD/cadence.out files=$TMPD/$A.pcap:$TMPD/$B.pcap
	[ -n "${C_OK:-}" ] && files=$files:$TMPD/$C.pcap
	[ -n "${D_OK:-}" ] && files=$files:$TMPD/$D.pcap
	[ -n "${E_OK:-}" ] && files=$files:$TMPD/$E.pcap
	[ -n "${R_OK:-}" ] && files=$files:$TMPD/$R.pcap
	if [ ! -x "$GW_BUILD/tests/test_cadence" ]; then
		notok "cadence: $GW_BUILD/tests/test_cadence built (make unit)"
		return
	fi
	if [ -x "$TMPD/gen" ] && "$TMPD/gen" -m small -s 40M -S 1 \
	    -o "$TMPD/small.pcap" -t /dev/null 2>/dev/null; then
		files=$files:$TMPD/small.pcap
	else
		notok "cadence: gen -m small -s 40M -S 1 generated"
	fi
	(cd "$ROOT" && GW_CADENCE_FILES=$files "$GW_BUILD/tests/test_cadence") \
	    >"$out" 2>&1
	if grep -q '^\[       OK \] named_files_same' "$out"; then
		ok "cadence: the same report in 1, 7, 4096, 65536-frame and random slices as at once ($A, $B, $C, $D, $E, $R, gen's small file)"
	else
		notok "cadence: the same report in 1, 7, 4096, 65536-frame and random slices as at once" \
		    "$(grep -m1 -A1 'ERROR' "$out" | cut -c1-600 | tr '\n' ' ')"
	fi
}
if [ -n "${A_OK:-}" ]; then cadence; else notok "cadence (no capture)"; fi
# the reverse proxy's file read with -p 80 (GW_CADENCE_PORTS): its tries
# are followed only through what was read by the answer (a success that
# looked at the gateway's close seconds later made the screen's counts
# differ from --report's)
if [ -n "${V_OK:-}" ] && [ -x "$GW_BUILD/tests/test_cadence" ]; then
	(cd "$ROOT" && GW_CADENCE_FILES=$TMPD/$V.pcap GW_CADENCE_PORTS=80 \
	    "$GW_BUILD/tests/test_cadence") >"$TMPD/cadence.rev" 2>&1
	if grep -q '^\[  PASSED  \] 6 test' "$TMPD/cadence.rev"; then
		ok "cadence: the same report in 1, 7, 4096, 65536-frame and random slices as at once, and in steps ($V, -p 80)"
	else
		notok "cadence: the same report in slices as at once ($V, -p 80)" \
		    "$(grep -m1 -A1 'ERROR' "$TMPD/cadence.rev" | cut -c1-600 | tr '\n' ' ')"
	fi
else
	notok "cadence ($V, -p 80): no capture or no test_cadence"
fi

# ---- the TUI's status line against --report's counts ---------------------
screen() { tmux capture-pane -p -t "$S" 2>/dev/null; }
loaded() { screen | grep -q ' errors\?:.*? help'; }
tui_counts() {	# tui_counts NAME [OPTION...]: status-line counts = --report's
	local want got cap=$1
	shift
	"$GW_BIN" "$@" --report=json "$TMPD/$cap.pcap" >"$TMPD/errors.jsonl" 2>/dev/null
	want=$("$PY" - "$TMPD/errors.jsonl" <<'EOF'
import collections, sys
from jsonlines import rows
short = {"host-not-resolvable": "DNS", "cannot-connect": "CONNECT",
         "bad-response": "BAD RESP", "relayed": "RELAYED", "unknown": "UNKNOWN"}
c = collections.Counter(r["verdict"] for r in rows(sys.argv[1]))
n = sum(c.values())
print(f"{n} error{'' if n == 1 else 's'}:" + "".join(
    f" {s} {c[v]}" for v, s in short.items() if c[v]))
EOF
)
	tmux kill-session -t "$S" 2>/dev/null
	tmux new-session -d -s "$S" -x 220 -y 50 \
	    "env TERM=${TUI_TERM:-tmux-256color} LANG=C.UTF-8 LC_ALL=C.UTF-8 '$GW_BIN' $* '$TMPD/$cap.pcap'"
	if wait_for 30 loaded; then
		got=$(screen | grep -o '[0-9]* errors\?:[A-Z0-9 ]*[0-9]' | tail -1)
		check_eq "$cap: TUI status-line counts equal --report's" "$want" "$got"
		echo "# $cap: TUI [$got], --report [$want]"
	else
		notok "$cap: TUI status-line counts equal --report's" \
		    "no counts on screen in 30 s: $(screen | tail -2 | tr -s ' ')"
	fi
	tmux send-keys -t "$S" q 2>/dev/null
}
if ! command -v tmux >/dev/null; then
	skip "TUI counts: tmux not installed"
	exit 0
fi
if [ -n "${A_OK:-}" ]; then tui_counts $A; else notok "$A: TUI counts (no capture)"; fi
if [ -n "${B_OK:-}" ]; then tui_counts $B; else notok "$B: TUI counts (no capture)"; fi
if [ -n "${C_OK:-}" ]; then tui_counts $C; else notok "$C: TUI counts (no capture)"; fi
if [ -n "${E_OK:-}" ]; then tui_counts $E; else notok "$E: TUI counts (no capture)"; fi
if [ -n "${V_OK:-}" ]; then tui_counts $V -p 80; else notok "$V: TUI counts (no capture)"; fi
