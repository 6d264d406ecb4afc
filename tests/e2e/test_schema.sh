#!/bin/bash
# doc/report.schema.json, the JSON contract of DESIGN §3 in machine form
# (issue 16): it is a valid JSON Schema 2020-12, the examples' reports
# match it, and the validation every checker goes through
# (tests/tools/jsonlines.py) fails on lines that break the contract: a
# missing key, a value outside an enum, a wrong type, an unknown key, a bad
# address or time, a verdict with another verdict's cause.
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
JL=$ROOT/tests/tools/jsonlines.py
if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	skip "schema: python3-jsonschema not installed (tests/deps.sh test)"
	exit 0
fi

check "schema: doc/report.schema.json is a valid JSON Schema 2020-12" \
    "$PY" -c 'import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' \
    "$ROOT/doc/report.schema.json"

# every example capture, errors only and --all
for cap in "$ROOT"/examples/*.pcap "$ROOT"/examples/*.pcapng; do
	# the next hop's own capture holds no proxy traffic (read with --peer below)
	case $cap in *.peer.pcap) continue ;; esac
	for all in "" --all; do
		name="schema: $(basename "$cap") --report=json${all:+ $all}"
		if ! "$GW_BIN" --report=json $all -p "$(example_ports "$cap" 9090)" \
		    "$cap" >"$TMPD/r.json" 2>"$TMPD/r.err"; then
			notok "$name exits 0" "$(last_line "$TMPD/r.err")"
			continue
		fi
		check "$name: $(wc -l <"$TMPD/r.json") lines match the schema" \
		    bash -c "test -s '$TMPD/r.json' && '$PY' '$JL' '$TMPD/r.json'"
		# nginx's earlier tries (the key "tries") are among them, and
		# HAProxy's attempts each (connect's "connections")
		[ "${cap%gw502-rev.pcap}" != "$cap" ] &&
			check "$name: nginx's earlier tries among them" \
			    grep -q '"tries":\[{"server"' "$TMPD/r.json" &&
			check "$name: each of several attempts among them" \
			    grep -q '"connections":\[{"server"' "$TMPD/r.json"
	done
done

# the keys and records --peer and --access-log add: each kind at least once
E=$ROOT/examples
schema_run() { # schema_run NAME WANT ARGS...: the report's lines match, WANT among them
	local name=$1 want=$2; shift 2
	if ! "$GW_BIN" --report=json "$@" >"$TMPD/r.json" 2>"$TMPD/r.err"; then
		notok "$name exits 0" "$(last_line "$TMPD/r.err")"
		return
	fi
	check "$name: $(wc -l <"$TMPD/r.json") lines match the schema, $want among them" \
	    bash -c "grep -q '$want' '$TMPD/r.json' && '$PY' '$JL' '$TMPD/r.json'"
}
schema_run "schema: --peer" '"next_hop":{' --all --peer "$E/gw502-hop.peer.pcap" "$E/gw502-hop.pcap"
schema_run "schema: --access-log with a capture" '"log":{' --all \
    --access-log "$E/gw502-lab.nginx.log" --access-log "$E/gw502-lab.mitmproxy.log" "$E/gw502-lab.pcap"
schema_run "schema: --access-log, the summary record" '"type":"access-log"' \
    --access-log "$E/gw502-lab.nginx.log" "$E/gw502-lab.pcap"
schema_run "schema: --access-log, logged but not captured" '"type":"logged-not-captured"' \
    --access-log "$ROOT/tests/alog/gw502-lab.webgateway.log" "$E/gw502-lab-squid.pcap"
: >"$TMPD/empty.log"
schema_run "schema: log only, an empty log (no times: null)" '"first_time":null' \
    --access-log "$TMPD/empty.log"
for rec in log-summary log-5xx-per-minute log-host log-client; do
	schema_run "schema: log only, $rec" "\"type\":\"$rec\"" --access-log "$E/gw502-lab-squid.squid.log"
done

# One good line (a request with DNS, a connection and an upstream reply),
# then copies of it each broken one way; jsonlines.py must exit 1 naming
# the fault.
"$GW_BIN" --report=json --all "$ROOT/examples/gw502-lab.pcap" |
    grep -m1 '"upstream"' | grep '"connect"' | grep '"dns"' >"$TMPD/good.json"
check "schema: the unbroken line passes" \
    bash -c "test -s '$TMPD/good.json' && '$PY' '$JL' '$TMPD/good.json'"
broken() { # broken NAME EXPECTED PYTHON: PYTHON edits o; exit 1 naming EXPECTED
	"$PY" -c 'import json, sys
o = json.load(open(sys.argv[1]))
exec(sys.argv[2])
print(json.dumps(o))' "$TMPD/good.json" "$3" >"$TMPD/bad.json" 2>"$TMPD/bad.err" ||
		{ notok "schema: $1 fails" "making it: $(last_line "$TMPD/bad.err")"; return; }
	"$PY" "$JL" "$TMPD/bad.json" >"$TMPD/bad.out" 2>&1
	local rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "$2" "$TMPD/bad.out"; then
		ok "schema: $1 fails"
	else
		notok "schema: $1 fails" "jsonlines.py exited $rc, wanted 1 naming [$2]: $(last_line "$TMPD/bad.out")"
	fi
}
broken "a missing key (verdict)" "'verdict' is a required property" 'del o["verdict"]'
broken "a cause outside the enum" "'dns-timeout' is not one of" 'o["cause"] = "dns-timeout"'
broken "a verdict outside the enum" "at verdict: 'broken' is not one of" 'o["verdict"] = "broken"'
broken "a DNS link kind outside the enum" "at dns/0/link: 'guess' is not one of" 'o["dns"][0]["link"] = "guess"'
broken "a connect link kind outside the enum" "at connect/link: 'none' is not one of" 'o["connect"]["link"] = "none"'
broken "a connect outcome outside the enum" "at connect/outcome: 'refused' is not one of" 'o["connect"]["outcome"] = "refused"'
broken "a status that is a string" "at status:" 'o["status"] = str(o["status"])'
broken "a frame number 0" "at request_frame:" 'o["request_frame"] = 0'
broken "an unknown top-level key" "Additional properties are not allowed ('extra' was unexpected)" 'o["extra"] = 1'
broken "an unknown key in upstream" "at upstream: Additional properties" 'o["upstream"]["extra"] = 1'
broken "a client that is not an address" "at client:" 'o["client"] = "10.250.0.300"'
broken "a request time without microseconds" "at request_time:" 'o["request_time"] = o["request_time"][:19] + "Z"'
broken "ambiguous without rivals" "'rivals' is a dependency of 'ambiguous'" 'o["ambiguous"] = True'
broken "ok with another verdict's cause" "at cause:" 'o["verdict"] = "ok"; o["cause"] = "tcp-rst"'
broken "connected without its SYN/ACK frame" "'synack_frame' is a required property" 'o["connect"]["outcome"] = "connected"; o["connect"].pop("synack_frame", None)'
broken "an attempt refused without its RST frame" "'rst_frame' is a required property" 'o["connect"]["connections"] = [dict(server=o["connect"]["server"], port=o["connect"]["port"], gateway_port=40000 + k, outcome="tcp-rst", syn_frames=[k + 1]) for k in range(2)]'
broken "one attempt listed as several" "at connect/connections:" 'o["connect"]["connections"] = [dict(server=o["connect"]["server"], port=o["connect"]["port"], gateway_port=40000, outcome="syn-unanswered", syn_frames=[1])]'
broken "a DNS answer with no rcode but a response frame" "at dns/0/response_frame:" 'o["dns"][0].update(rcode=None, rtt_ms=None, answers=[])'

# python3-jsonschema missing (python -S: no site packages): a note
# otherwise, a failure naming it under CI=true
env -u CI "$PY" -S "$JL" "$TMPD/good.json" >"$TMPD/nomod.out" 2>&1
check_eq "schema: without python3-jsonschema, jsonlines.py still reads (exit 0)" 0 "$?"
check "schema: ... and says on stderr that it did not validate" \
    grep -q "python3-jsonschema is not installed" "$TMPD/nomod.out"
CI=true "$PY" -S "$JL" "$TMPD/good.json" >"$TMPD/nomod.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "python3-jsonschema is not installed" "$TMPD/nomod.out"; then
	ok "schema: without python3-jsonschema under CI=true, jsonlines.py fails"
else
	notok "schema: without python3-jsonschema under CI=true, jsonlines.py fails" \
	    "exit $rc: $(last_line "$TMPD/nomod.out")"
fi
