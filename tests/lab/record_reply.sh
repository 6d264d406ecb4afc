#!/bin/bash
# gw502tui refused-reply lab: a gateway running nginx and squid as forward
# proxies, and upstreams whose valid-looking 200s a proxy may refuse:
# heads of 2, 6, 12, 40 and 70 KB (Set-Cookie lines: the classic
# "upstream sent too big header"; nginx reads 4 KB of a head by default
# and answers 502 past it, squid 64 KB, ERR_TOO_BIG; gw502tui parses 32
# KB), and a chunked body whose first chunk has no size (nginx closes the
# client's connection without an answer: "upstream sent invalid chunked
# response"; squid relays the 200), and odd heads (upstream.py oddhead: a
# status outside 100-599, a field line without a colon, a space before
# the colon, a folded line, Content-Lengths that differ or are no number,
# a NUL, both Content-Length and chunked, Transfer-Encoding: gzip,
# "HTTP/2.0", lines ended by LF alone, no reason phrase, an empty line
# before the status line, a body shorter than its Content-Length), which
# each proxy refuses or relays its own way (nginx: "upstream sent invalid
# header", "upstream sent no valid HTTP/1.0 header"; squid:
# ERR_INVALID_RESP). One client
# asks each twice through each proxy. The truth (reply_truth.py) comes
# from the proxies' own logs (nginx's error log, squid's access log), the
# client's log, tshark's reading of each upstream reply's size and what
# RFC 9112 says of each odd head, never from gw502tui.
#
# usage: tests/lab/record_reply.sh OUTDIR   (writes gw502-reply.pcap and
#        gw502-reply.truth.tsv there)
# env:   GWREPLY_KEEP_TMP=1   keep the work directory (daemon logs, configs)
#
# Shares its namespace, PID and cleanup helpers with record.sh (ns.sh).
# Must run as root. Touches nothing in the root network namespace: every
# interface and address lives in a namespace named gwreply-*; every
# process started is tracked by PID and stopped, every namespace deleted,
# on success, error, Ctrl-C or TERM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: record_reply.sh OUTDIR}
P=gwreply-
NS_BR=${P}br NS_GW=${P}gw NS_UP=${P}up NS_C1=${P}c1

# --- addresses (private, used only inside the namespaces) -----------------
GW4=10.253.0.1 C1=10.253.0.11 UP4=10.253.0.80 CHUNK4=10.253.0.81 ODD4=10.253.0.82
PORT_NGINX=9093 PORT_SQUID=9098
SIZES="2000 6000 12000 40000 70000"
ODDS="s999 nocolon spacename fold twocl badcl clte tegzip nul http2 lfonly noreason leadcrlf short ok"

LAB_TAG=reply LAB_PREFIX=$P LAB_KEEP=${GWREPLY_KEEP_TMP:-0}
. "$HERE/ns.sh"

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"

need_lab_tools
need nginx nginx-light
need squid squid
need curl curl

lab_begin gwreply 120
START=$(date +%s)

log "building namespaces"
bridge_new
hosts_new "$NS_GW" "$NS_UP" "$NS_C1"
attach "$NS_GW" p-gw "$GW4/24"
attach "$NS_UP" p-up "$UP4/24" "$CHUNK4/24" "$ODD4/24"
attach "$NS_C1" p-c1 "$C1/24"
wait_for 5 "gateway reaches the upstream" nsx "$NS_GW" ping -c1 -W1 "$UP4"

start "$NS_UP" up-bighead "$PY" "$HERE/upstream.py" bighead "$UP4" 80
wait_for 10 "upstream server on $UP4" listening "$NS_UP" tcp "^$UP4:80\$"
start "$NS_UP" up-badchunk "$PY" "$HERE/upstream.py" badchunk "$CHUNK4" 80
wait_for 10 "upstream server on $CHUNK4" listening "$NS_UP" tcp "^$CHUNK4:80\$"
start "$NS_UP" up-oddhead "$PY" "$HERE/upstream.py" oddhead "$ODD4" 80
wait_for 10 "upstream server on $ODD4" listening "$NS_UP" tcp "^$ODD4:80\$"

# nginx at its defaults for heads (proxy_buffer_size: one page); its
# error log names each refused head
mkdir -p "$TMP/nginx"
{
    nginx_main "$TMP/nginx"
    cat <<EOF
    proxy_connect_timeout 3s;
    proxy_read_timeout 3s;
    server {
        listen $PORT_NGINX;
        location / { proxy_pass http://\$host\$request_uri; }
    }
}
EOF
} >"$TMP/nginx/nginx.conf"
nsx "$NS_GW" nginx -t -q -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
start "$NS_GW" nginx nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
squid_start gwreply <<EOF
logformat head %ts.%03tu %>a:%>p %rm %ru %Ss/%>Hs %err_code
access_log stdio:$TMP/squid/access.log head
EOF
wait_for 10 "nginx on :$PORT_NGINX" listening "$NS_GW" tcp ":$PORT_NGINX\$"

CAP=$TMP/gw502-reply.pcap
gw_tcpdump "$CAP"

# one request at a time, each URL its own: proxy, URL, status
log "client: heads of $SIZES bytes, a chunk without a size, odd heads ($ODDS); twice through each proxy"
: >"$TMP/client.tsv"
n=0
for _ in 1 2; do
    for proxy in nginx=$PORT_NGINX squid=$PORT_SQUID; do
        for url in $(printf "http://$UP4/h%s/ " $SIZES) "http://$CHUNK4/c/" \
            $(printf "http://$ODD4/%s/ " $ODDS); do
            n=$((n + 1))
            # curl's code 000: no answer at all (nginx on the bad chunk)
            code=$(nsx "$NS_C1" curl -s -o /dev/null -w '%{http_code}' \
                --max-time 10 -x "http://$GW4:${proxy#*=}" "${url}r$n" || true)
            printf '%s\t%s\t%s\n' "${proxy%=*}" "${url}r$n" "$code" >>"$TMP/client.tsv"
        done
    done
done
sleep 1    # the last FIN/ACKs reach the capture
stop_pids INT "$PID_tcpdump"
STOP_WAIT=10 stop_pids TERM "$PID_squid" "$PID_nginx"   # squid flushes its log

STAGE=$TMP/out
mkdir -p "$STAGE"
cp "$CAP" "$STAGE/gw502-reply.pcap"
"$PY" "$HERE/reply_truth.py" --capture "$STAGE/gw502-reply.pcap" \
    --client "$TMP/client.tsv" --nginx-error "$TMP/nginx/error.log" \
    --squid-log "$TMP/squid/access.log" --truth "$STAGE/gw502-reply.truth.tsv" \
    || die "truth check failed (set GWREPLY_KEEP_TMP=1 to keep $TMP)"
mkdir -p "$OUT"
for f in "$STAGE"/*; do install -m 0644 "$f" "$OUT/"; done
log "done in $(( $(date +%s) - START )) s; $(stat -c %s "$CAP") bytes captured; output in $(cd "$OUT" && pwd)"
