#!/bin/bash
# gw502tui reverse-proxy lab: a gateway running HAProxy (:80) and nginx
# (:8081; and :8082 with pooled keep-alive connections to upstream blocks,
# at its default Host, the block's name) as reverse proxies. Clients send origin-form requests
# ("GET /path" with a Host field); each proxy picks the backend by the
# Host from its configuration, with no DNS look-up: one backend per
# scenario, some on port 80 (the port HAProxy serves: the gateway's own
# connections to them are upstream ones, not clients'), the others on
# 8080. Scenarios: a success, nothing listening (RST), dropped SYNs, ICMP
# administratively prohibited, a reply without a status line, a close
# without a byte, silence, a 502 of the backend's own; and, through HAProxy
# only, a backend its health checks marked down (it answers 503 at once,
# trying nothing). HAProxy at its defaults tries a failed connection three
# more times (after a turn-around of a second); nginx once. Through the
# pooled nginx: a success, a backend that serves its first request and
# closes every later one without a byte (nginx's pooled connection
# fails; it sends the request again on a new one, which fails too), and
# one whose connections answer their second request without a status
# line (nginx relays it on the pooled connection as it is). One client sends every scenario through each
# proxy one at a time, then all of them at once. Then the busy round:
# keep-alive clients at once through HAProxy and nginx to one host
# load-balanced over a group (APPS below; HAProxy's retries half a
# second apart, nginx's next server after a failed one). Then the storm
# round: 40 keep-alive clients at once through nginx (storm.rev.test) to
# app1-app4, two tries a request and a 1 s connect timeout, so that
# requests, refusals and connect timeouts interleave. The truth
# (rev_truth.py) comes from the proxies' own logs (HAProxy's termination
# state, nginx's error log), curl's status and tshark's reading of the
# backends' packets, never from gw502tui; so does the list of HAProxy's
# health checks (its configuration, its log and the packets).
#
# usage: tests/lab/record_rev.sh OUTDIR   (writes gw502-rev.pcap,
#        gw502-rev.truth.tsv, gw502-rev.checks.tsv and the proxies'
#        access logs, gw502-rev.haproxy.log and gw502-rev.nginx.log, there)
# env:   GWREV_KEEP_TMP=1   keep the work directory (daemon logs, configs)
#
# Shares its namespace, PID and cleanup helpers with record.sh (ns.sh).
# Must run as root. Touches nothing in the root network namespace: every
# interface and address lives in a namespace named gwrev-*; every process
# started is tracked by PID and stopped, every namespace deleted, on
# success, error, Ctrl-C or TERM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: record_rev.sh OUTDIR}
P=gwrev-
NS_BR=${P}br NS_GW=${P}gw NS_UP=${P}up NS_C1=${P}c1

# --- addresses (private, used only inside the namespaces) -----------------
GW4=10.254.0.1 C1=10.254.0.11
PORT_HAPROXY=80 PORT_NGINX=8081 PORT_POOL=8082
# scenario backend-address backend-port upstream.py-mode (- : none)
BACKENDS="ok 10.254.0.80 80 ok
rst 10.254.0.81 80 -
drop 10.254.0.82 8080 -
admin 10.254.0.83 8080 -
nostatus 10.254.0.84 8080 nostatus
close 10.254.0.85 8080 close
silent 10.254.0.86 8080 silent
relay 10.254.0.87 8080 status502
down 10.254.0.88 8080 -
once 10.254.0.89 8080 once
pooljunk 10.254.0.90 8080 pooljunk"
# the busy round's servers, all behind the host app.rev.test: HAProxy
# balances over app1-app4 (weights 4 4 1 1) and app6, app7, nginx over
# app1, app2 and app5 (keep-alive pool); app1 and app2 fail on some paths
# (bypath), app3 and app6 refuse (RST), app4 and app7 drop SYNs, app5 is
# ICMP-prohibited. HAProxy health-checks app1 and app2 (HTTP, passing)
# and app6 and app7 (failing: marked down before the round, checked all
# through it, sent no request), as a pool with dead members is run;
# app3 and app4 go unchecked, so that its retries still meet them
APPS="app1 10.254.0.91 8080 bypath
app2 10.254.0.92 8080 bypath
app3 10.254.0.93 8080 -
app4 10.254.0.94 8080 -
app5 10.254.0.95 8080 -
app6 10.254.0.96 8080 -
app7 10.254.0.97 8080 -"
BUSY_CLIENTS=10 BUSY_REQUESTS=6
# the storm round: nginx (:8081, storm.rev.test) over app1-app4 (all
# max_fails=0: the refusing and the silent one stay in turn), two tries
# a request, a 1 s connect timeout; clients at once, each with its
# keep-alive requests in turn: requests, refusals and connect timeouts
# of many requests interleave microseconds apart
STORM_CLIENTS=40 STORM_REQUESTS=8

LAB_TAG=rev LAB_PREFIX=$P LAB_KEEP=${GWREV_KEEP_TMP:-0}
. "$HERE/ns.sh"

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"

need_lab_tools
need haproxy haproxy
need nginx nginx-light
need curl curl

lab_begin gwrev 120
START=$(date +%s)

log "building namespaces"
bridge_new
hosts_new "$NS_GW" "$NS_UP" "$NS_C1"
attach "$NS_GW" p-gw "$GW4/24"
attach "$NS_UP" p-up $(printf '%s\n%s\n' "$BACKENDS" "$APPS" | awk '{print $2 "/24"}')
attach "$NS_C1" p-c1 "$C1/24"
gw_syn_backoff 2
up_firewall drop 10.254.0.82
up_firewall admin 10.254.0.83
up_firewall drop 10.254.0.94
up_firewall admin 10.254.0.95
up_firewall drop 10.254.0.97
wait_for 5 "gateway reaches the backends" nsx "$NS_GW" ping -c1 -W1 10.254.0.80

while read -r name addr port mode; do
    [ "$mode" = - ] && continue
    start "$NS_UP" "up-$name" "$PY" "$HERE/upstream.py" "$mode" "$addr" "$port"
    wait_for 10 "backend $name on $addr:$port" listening "$NS_UP" tcp "^$addr:$port\$"
done < <(printf '%s\n%s\n' "$BACKENDS" "$APPS")

# HAProxy (ns.sh haproxy_main: its defaults but for the timeouts)
mkdir -p "$TMP/haproxy"
{
    haproxy_main rev "$GW4:$PORT_HAPROXY"
    # health checks on the down one only (checks beside the others'
    # requests would be more connections than the scenarios ask for)
    while read -r name addr port _; do
        printf 'backend be_%s\n    server %s %s:%s%s\n' "$name" "$name" "$addr" "$port" \
            "$([ "$name" = down ] && echo ' check inter 2s fall 1 rise 1')"
    done <<<"$BACKENDS"
    # the busy round's load-balanced group (connections reused across
    # clients: http-reuse safe, the default); checks at HAProxy's
    # defaults (fall 3, rise 2) but the interval, GET /health
    printf 'backend be_app\n    balance roundrobin\n    timeout connect 500ms\n'
    printf '    option httpchk GET /health\n'
    while read -r name addr port _; do
        case $name in app5) continue ;; app1|app2) w=4 ;; *) w=1 ;; esac
        case $name in app3|app4) c= ;; *) c=' check inter 2s' ;; esac
        printf '    server %s %s:%s weight %s%s\n' "$name" "$addr" "$port" "$w" "$c"
    done <<<"$APPS"
} >"$TMP/haproxy/haproxy.cfg"
nsx "$NS_GW" haproxy -c -q -f "$TMP/haproxy/haproxy.cfg"
start "$NS_GW" haproxy haproxy -db -f "$TMP/haproxy/haproxy.cfg"

# nginx: one server block per host name, one backend each
mkdir -p "$TMP/nginx"
{
    nginx_main "$TMP/nginx"
    cat <<EOF
    proxy_connect_timeout 2s;
    proxy_read_timeout 2s;
EOF
    while read -r name addr port _; do
        case $name in down|once|pooljunk) continue ;; esac
        printf '    server { listen %s; server_name %s.rev.test;\n' "$PORT_NGINX" "$name"
        printf '        location / { proxy_pass http://%s:%s; } }\n' "$addr" "$port"
    done <<<"$BACKENDS"
    # pooled: upstream blocks with keepalive, HTTP/1.1, Host left as
    # nginx sets it (the block's name)
    while read -r name addr port _; do
        case $name in ok|once|pooljunk) ;; *) continue ;; esac
        printf '    upstream pool_%s { server %s:%s; keepalive 4; }\n' "$name" "$addr" "$port"
        printf '    server { listen %s; server_name %s.rev.test;\n' "$PORT_POOL" "$name"
        printf '        location / { proxy_pass http://pool_%s; proxy_http_version 1.1;\n' "$name"
        printf '            proxy_set_header Connection ""; } }\n'
    done <<<"$BACKENDS"
    # the busy round's group: nginx's defaults (proxy_next_upstream error
    # timeout) with a keep-alive pool and the client's Host; the
    # application's servers never marked failed for their pages' errors
    # (max_fails=0: with the default, 1, one failing page marks all three
    # failed for 10 s and nginx answers every request at once);
    # what it tried for each request in a log of its own
    printf '    log_format upstreams %s;\n' \
        "'\$remote_port \"\$request\" \$status \"\$upstream_addr\"'"
    printf '    upstream app_pool {'
    while read -r name addr port _; do
        case $name in
        app1|app2) printf ' server %s:%s max_fails=0;' "$addr" "$port" ;;
        app5) printf ' server %s:%s;' "$addr" "$port" ;;
        esac
    done <<<"$APPS"
    printf ' keepalive 8; }\n'
    printf '    server { listen %s; server_name app.rev.test;\n' "$PORT_NGINX"
    printf '        access_log %s/upstreams.log upstreams;\n' "$TMP/nginx"
    printf '        location / { proxy_pass http://app_pool; proxy_http_version 1.1;\n'
    printf '            proxy_set_header Host $host; proxy_set_header Connection ""; } }\n'
    printf '    upstream storm_pool {'
    while read -r name addr port _; do
        case $name in app[1-4]) printf ' server %s:%s max_fails=0;' "$addr" "$port" ;; esac
    done <<<"$APPS"
    printf ' keepalive 16; }\n'
    printf '    server { listen %s; server_name storm.rev.test;\n' "$PORT_NGINX"
    printf '        access_log %s/upstreams.log upstreams;\n' "$TMP/nginx"
    printf '        location / { proxy_pass http://storm_pool; proxy_http_version 1.1;\n'
    printf '            proxy_connect_timeout 1s; proxy_next_upstream_tries 2;\n'
    printf '            proxy_set_header Host $host; proxy_set_header Connection ""; } }\n'
    echo "}"
} >"$TMP/nginx/nginx.conf"
nsx "$NS_GW" nginx -t -q -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
start "$NS_GW" nginx nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
wait_for 10 "haproxy on :$PORT_HAPROXY" listening "$NS_GW" tcp "^$GW4:$PORT_HAPROXY\$"
wait_for 10 "nginx on :$PORT_NGINX" listening "$NS_GW" tcp ":$PORT_NGINX\$"
wait_for 10 "nginx on :$PORT_POOL" listening "$NS_GW" tcp ":$PORT_POOL\$"
wait_for 10 "haproxy marks the down backend DOWN" grep -q 'be_down/down is DOWN' "$TMP/haproxy.log"
for name in app6 app7; do
    wait_for 20 "haproxy marks $name DOWN" grep -q "be_app/$name is DOWN" "$TMP/haproxy.log"
done

CAP=$TMP/gw502-rev.pcap
gw_tcpdump "$CAP"
ASK_DOMAIN=rev.test    # ns.sh ask: NAME.rev.test
NAMES=$(echo "$BACKENDS" | awk '{print $1}')
names_of() { # names_of PROXY: the scenarios a proxy serves, in order
    case $1 in
    "$PORT_HAPROXY") echo "$NAMES" | grep -Ev '^(once|pooljunk)$' ;;
    "$PORT_NGINX") echo "$NAMES" | grep -Ev '^(down|once|pooljunk)$' ;;
    # the first of each pair fills the pool, the second fails on it
    *) echo "ok once once pooljunk pooljunk" ;;
    esac
}
log "client: $(echo $NAMES) through each proxy, one at a time, then all at once"
: >"$TMP/client.tsv"
n=0
for proxy in $PORT_HAPROXY $PORT_NGINX $PORT_POOL; do
    for name in $(names_of "$proxy"); do
        n=$((n + 1)); ask "$name" "$proxy" "/r$n"
    done
done
for proxy in $PORT_HAPROXY $PORT_NGINX $PORT_POOL; do
    for name in $(names_of "$proxy"); do
        n=$((n + 1)); later ask "$name" "$proxy" "/r$n"
    done
    wait_all
done
# round_client NAME PROXY PREFIX REQUESTS CLIENT KIND...: one keep-alive
# client's requests in turn to NAME.rev.test through PROXY, paths
# /PREFIX-CLIENT-k/KIND (the kinds in turn: what app1 and app2 do with
# it), their lines in round.NAME.PROXY.CLIENT
round_client() {
    local name=$1 proxy=$2 prefix=$3 count=$4 c=$5 k args=()
    shift 5
    local kinds=("$@")
    for k in $(seq 1 "$count"); do
        args+=(-o /dev/null "http://$GW4:$proxy/$prefix-$c-$k/${kinds[$(( (k + c) % $# ))]}")
    done
    nsx "$NS_C1" curl -s --max-time 30 -H "Host: $name.rev.test" \
        -w "$name\t$proxy\t%{url_effective}\t%{local_port}\t%{http_code}\n" \
        "${args[@]}" >"$TMP/round.$name.$proxy.$c" || true
}
# busy: clients at once, each with its keep-alive requests in turn, to
# the load-balanced host through HAProxy and nginx
log "busy: $BUSY_CLIENTS clients x $BUSY_REQUESTS requests through each proxy at once"
for proxy in $PORT_HAPROXY $PORT_NGINX; do
    for c in $(seq 1 "$BUSY_CLIENTS"); do
        later round_client app "$proxy" "b$proxy" "$BUSY_REQUESTS" "$c" \
            ok ok junk ok close ok slow err
    done
done
wait_all
# the storm: clients at once through nginx to a group with a refusing
# and a silent server
log "storm: $STORM_CLIENTS clients x $STORM_REQUESTS requests through nginx at once"
for c in $(seq 1 "$STORM_CLIENTS"); do
    later round_client storm "$PORT_NGINX" s "$STORM_REQUESTS" "$c" \
        ok ok junk ok ok close ok ok
done
wait_all
sed "s|http://$GW4:[0-9]*||" "$TMP"/round.* >>"$TMP/client.tsv"
sleep 1    # the last FIN/ACKs reach the capture
stop_pids INT "$PID_tcpdump"
stop_pids TERM "$PID_haproxy" "$PID_nginx"

STAGE=$TMP/out
mkdir -p "$STAGE"
cp "$CAP" "$STAGE/gw502-rev.pcap"
grep '^[0-9]' "$TMP/haproxy.log" >"$STAGE/gw502-rev.haproxy.log" || true
cp "$TMP/nginx/access.log" "$STAGE/gw502-rev.nginx.log"
cp "$TMP/nginx/upstreams.log" "$STAGE/gw502-rev.nginx-upstreams.log"
printf '%s\n%s\n' "$BACKENDS" "$APPS" >"$TMP/backends.txt"
"$PY" "$HERE/rev_truth.py" --capture "$STAGE/gw502-rev.pcap" \
    --client "$TMP/client.tsv" --backends "$TMP/backends.txt" \
    --haproxy-cfg "$TMP/haproxy/haproxy.cfg" --haproxy-log "$STAGE/gw502-rev.haproxy.log" \
    --nginx-error "$TMP/nginx/error.log" \
    --nginx-upstreams "$STAGE/gw502-rev.nginx-upstreams.log" --truth "$STAGE/gw502-rev.truth.tsv" \
    --checks "$STAGE/gw502-rev.checks.tsv" \
    || die "truth check failed (set GWREV_KEEP_TMP=1 to keep $TMP)"
mkdir -p "$OUT"
for f in "$STAGE"/*; do install -m 0644 "$f" "$OUT/"; done
log "done in $(( $(date +%s) - START )) s; $(stat -c %s "$CAP") bytes captured; output in $(cd "$OUT" && pwd)"
