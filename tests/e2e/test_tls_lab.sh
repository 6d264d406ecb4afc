#!/bin/bash
# The TLS-upstream lab (tests/lab/record_tls.sh): real nginx (:80) and
# HAProxy (:8080) as reverse proxies whose backends speak TLS, each
# verifying the backend's certificate against a lab CA: a success, a
# self-signed certificate, one for another name, a server that speaks
# plain HTTP on the port (it answers the ClientHello "400 Bad Request"),
# one that allows TLS 1.3 only to a gateway that offers 1.2, one that
# refuses the name asked (unrecognized_name), and two more self-signed
# ones, offered TLS 1.2 only (HAProxy: a plaintext unknown_ca) and asked
# for TLS 1.3 only (nginx: it finishes the handshake, then closes), and
# two whose handshake goes through, then the server never answers the
# request (a timeout, 504) or closes without a byte (502); one at a
# time, then all at once. gw502tui's `--report=json --all` is compared,
# request by request, with the truth tls_truth.py derived from curl, the
# proxies' own logs and tshark's reading of the TLS records
# (tls_lab_check.py): status, verdict and cause (cannot-connect,
# tls-handshake; bad-response, upstream-timeout or upstream-closed after
# the handshake), the backend and the number of connections to it
# (HAProxy's four), how the handshake failed and who sent which alert;
# and the TUI's stream pane, a line per TLS record, against tshark's.
# The committed recording (examples/gw502-tls.pcap) first, with and
# without the gateway's address; then a fresh one, as root where
# namespaces work (GW_LAB=0 skips it), checked to leave no namespace or
# lab process behind.
# gw502tui before the change read 26 of 30 wrong: every failure was
# "unknown, no upstream traffic captured, the gateway tried nothing",
# which was false (the gateway's connections carry no HTTP: TLS). The
# committed recording's HAProxy timeout begins its connection just after
# a success's: the one the answer followed (the gateway's close) is its
# own, not the nearer (29 of 30 before that rule).
. "$(dirname "$0")/lib.sh"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

check_recording() { # check_recording DIR PREFIX
	local dir=$1 prefix=$2
	run_checker "${prefix}tls_lab_check" "$prefix" "$PY" \
	    "$ROOT/tests/e2e/tls_lab_check.py" "$GW_BIN" "$dir/gw502-tls.pcap"
	run_checker "${prefix}tls_lab_check -g" "$prefix" "$PY" \
	    "$ROOT/tests/e2e/tls_lab_check.py" "$GW_BIN" "$dir/gw502-tls.pcap" \
	    -g 10.252.0.1
	# two threads (reading ahead) read it as one does
	"$GW_BIN" -p 80,8080 --report=json --all -j 1 "$dir/gw502-tls.pcap" \
	    >"$TMPD/tls-j1.jsonl" 2>&1
	"$GW_BIN" -p 80,8080 --report=json --all -j 2 "$dir/gw502-tls.pcap" \
	    >"$TMPD/tls-j2.jsonl" 2>&1
	check "${prefix}-j 2 reports what -j 1 does" \
	    cmp "$TMPD/tls-j1.jsonl" "$TMPD/tls-j2.jsonl"
	# the text report shows the handshake: the hello and how it failed
	"$GW_BIN" -p 80,8080 --report=text "$dir/gw502-tls.pcap" \
	    >"$TMPD/tls.txt" 2>&1
	check "${prefix}the text report lists each failure's ClientHello" \
	    test "$(grep -c '^    TLS   #[0-9]* *ClientHello' "$TMPD/tls.txt")" -ge \
	    "$(grep -c '^#[0-9]* *CANNOT CONNECT (tls-handshake)' "$TMPD/tls.txt")"
	check "${prefix}the text report names the server's alert" \
	    grep -q "server-alert: the server's alert 112 (unrecognized_name)" \
	    "$TMPD/tls.txt"
}

# The stream pane on each request of the first round (one at a time:
# /t1-/t15, every scenario through each proxy): a TLS connection is
# listed as its records, each line as tshark reads the record
# (tls_stream_check.py); the plain-HTTP backend's reply as its text.
S=gwtls-stream
stream_loaded() { hasre "Stream upstream [0-9]" && hasnt "reading the stream"; }
stream_panes() { # stream_panes DIR PREFIX
	local cap=$1/gw502-tls.pcap prefix=$2 path cport n=0
	if ! command -v tmux >/dev/null || ! command -v tshark >/dev/null; then
		skip "${prefix}stream panes (tmux or tshark not installed)"
		return
	fi
	"$GW_BIN" -p 80,8080 --report=json --all "$cap" | "$PY" -c '
import json, sys
for line in sys.stdin:
    t = json.loads(line)
    path = t["url"].split(".tls.test", 1)[1]
    if int(path[2:]) <= 15:
        print(path, t["client_port"])' | sort -t t -k2 -n >"$TMPD/first.txt"
	while read -r path cport; do
		n=$((n + 1))
		tmux_session 110 60 "env TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
		    '$GW_BIN' -p 80,8080 --all -Y 'ip.addr==10.252.0.11 && tcp.port==$cport' \
		    '$cap'; sleep 600" || return
		wait_for 10 has "Requests 1/" && keys s
		if wait_for 10 stream_loaded; then
			screen >"$TMPD/stream.txt"
			check "${prefix}stream pane of $path: TLS records as tshark reads them" \
			    "$PY" "$ROOT/tests/e2e/tls_stream_check.py" "$cap" "$TMPD/stream.txt"
		else
			notok "${prefix}stream pane of $path: TLS records as tshark reads them" \
			    "no stream: $(flat)"
		fi
	done <"$TMPD/first.txt"
	check_eq "${prefix}stream panes of the first round" 15 "$n"
	tmux kill-session -t "$S" 2>/dev/null
}

if [ -f "$ROOT/examples/gw502-tls.truth.tsv" ]; then
	check_recording "$ROOT/examples" "examples: "
	stream_panes "$ROOT/examples" "examples: "
else
	notok "examples/gw502-tls.pcap has a truth file"
fi
if fresh_lab_allowed "TLS-upstream lab" gwtls; then
	fresh=$TMPD/tls
	mkdir -p "$fresh"
	lab_records "TLS-upstream lab records in < 60 s and leaves no namespace or process behind" \
	    --tls "$fresh"
	if [ -f "$fresh/gw502-tls.truth.tsv" ]; then
		before=$FAILS
		check_recording "$fresh" ""
		stream_panes "$fresh" ""
		keep_if_failed "$before" "$fresh" gw502-tls
	else
		notok "fresh TLS-upstream lab recording has a truth file"
	fi
fi
[ "$FAILS" = 0 ] || { echo "# test_tls_lab: $FAILS failed" >&2; exit 1; }
