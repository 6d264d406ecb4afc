#!/bin/bash
# Display filters against tshark (issue 8): on every lab example with a truth
# file, the article's three filters (with the example's addresses) and one
# filter per supported field must select exactly the frames tshark selects
# (tshark -Y … -T fields -e frame.number, the proxy ports decoded as HTTP),
# compared through `gw502tui --frames -Y`. tshark must exit 0 and select at
# least one frame with every filter: a filter that selects nothing in both
# tools proves nothing. Skipped where tshark is missing.
. "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || { skip "tshark filters: tshark not installed"; exit 0; }
PORTS=9090,9091
TS_DECODE=(-d tcp.port==9090,http -d tcp.port==9091,http)

# Fields of the lab log: the client and the SYN-dropping destination.
lab_addr() { # lab_addr COLUMN SCENARIO
	awk -F'\t' -v col="$1" -v sc="$2" '!/^#/ && $9 == sc { print $col; exit }' \
	    "$ROOT/examples/lab-scenarios.log.tsv"
}
CLIENT=$(lab_addr 1 nxdomain)
DROPPED=$(lab_addr 11 syn-drop)
NOSTATUS=$(lab_addr 11 no-status-line)
CLIENT6=$(lab_addr 1 icmp6-admin)
: "${CLIENT:=10.250.0.11}" "${DROPPED:=10.250.0.90}" "${NOSTATUS:=10.250.0.81}"
: "${CLIENT6:=fd00:250::16}"

filters=(
	# the article's three, as typed there
	"ip.addr==$CLIENT && (http.response.code==502 || http.request)"
	"(ip.addr==$CLIENT && (http.response.code==502 || http.request)) || dns"
	"(ip.addr==$CLIENT && (http.response.code==502 || http.request)) || (ip.addr==$DROPPED && tcp.port==80)"
	# its Bad Response filter, parenthesised
	"(ip.addr==$CLIENT || ip.addr==$NOSTATUS) && (http.request || http.response)"
	# every field
	"http"
	"http.response"
	"http.request.method == \"CONNECT\""
	"http.request.method == GET and http.host contains \"drop\""
	"http.response.code >= 500 && http.response.code != 502"
	"tcp.analysis.retransmission"
	"tcp.flags.syn == 1 && tcp.flags.ack == 0 && !tcp.analysis.retransmission"
	"tcp.flags.reset == 1 || tcp.flags.fin == 1"
	"tcp.stream == 16 || tcp.stream == 19"
	"tcp.stream >= 20 and tcp.stream < 25"
	"tcp.srcport == 9090 or tcp.dstport == 9091"
	"icmp || icmpv6"
	"icmp.type == 3 && icmp.code == 13"
	"icmpv6.type == 1 and icmpv6.code == 1"
	"dns.flags.rcode == 3"
	"dns.qry.name == \"missing.lab.test\" && dns.flags.response == 0"
	"dns and not dns.flags.rcode == 0"
	"dns.qry.name contains \"dnsdown\""
	"ipv6.addr == $CLIENT6"
	"ipv6.src == fd00::/8 && tcp"
	"ip.src == 10.250.0.0/24 && udp.port == 53"
	"ip.dst == $DROPPED"
	"ip.addr != 10.250.0.53 && (udp || icmp)"
	"not ip and not ipv6"
	"frame.number >= 100 and frame.number <= 200 and not tcp"
	"frame.time_relative > 40 && frame.time_relative < 45.5"
	"udp.srcport > 1024 && !(udp.dstport != 53)"
	"frame.len > 300"
)

shopt -s nullglob
caps=()
for c in "$ROOT"/examples/*.pcap "$ROOT"/examples/*.pcapng; do
	# the filters name the main lab run's hosts, ports and streams
	[ "${c%-squid.pcap}" != "$c" ] && continue
	[ "${c%gw502-busy.pcap}" != "$c" ] && continue
	[ "${c%gw502-odd.pcap}" != "$c" ] && continue
	[ "${c%gw502-rev.pcap}" != "$c" ] && continue
	[ "${c%gw502-tls.pcap}" != "$c" ] && continue
	[ -f "${c%.pcap*}.truth.tsv" ] && caps+=("$c")
done
check "tshark filters: examples/ holds lab captures with truth files (${#caps[@]})" \
    test ${#caps[@]} -gt 0

for cap in "${caps[@]}"; do
	name=$(basename "$cap")
	"$GW_BIN" -p "$PORTS" --frames "$cap" >"$TMPD/all" 2>"$TMPD/err"
	tshark -r "$cap" -T fields -e frame.number >"$TMPD/ts" 2>"$TMPD/ts.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		notok "$name: tshark reads it" "tshark exited $rc: $(grep -m1 . "$TMPD/ts.err")"
		continue
	fi
	check_eq "$name: --frames lists every frame" \
	    "$(wc -l <"$TMPD/ts")" "$(wc -l <"$TMPD/all")"
	for f in "${filters[@]}"; do
		tshark -r "$cap" "${TS_DECODE[@]}" -Y "$f" -T fields \
		    -e frame.number >"$TMPD/ts" 2>"$TMPD/ts.err"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			notok "$name: $f" "tshark exited $rc: $(grep -m1 . "$TMPD/ts.err")"
			continue
		fi
		if [ ! -s "$TMPD/ts" ]; then
			notok "$name: $f" "tshark selects no frame: the filter proves nothing here"
			continue
		fi
		if ! "$GW_BIN" -p "$PORTS" --frames -Y "$f" "$cap" \
		    >"$TMPD/gw.out" 2>"$TMPD/gw.err"; then
			notok "$name: $f" "$(head -c 300 "$TMPD/gw.err")"
			continue
		fi
		awk '{ print $1 }' "$TMPD/gw.out" >"$TMPD/gw"
		if cmp -s "$TMPD/ts" "$TMPD/gw"; then
			ok "$name: $f ($(wc -l <"$TMPD/ts") frames)"
		else
			notok "$name: $f" "tshark vs gw502tui: $(diff "$TMPD/ts" \
			    "$TMPD/gw" | grep '^[<>]' | head -8 | tr '\n' ' ')"
		fi
	done
done
