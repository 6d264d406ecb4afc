#!/bin/bash
# gw502tui cache lab: a gateway running Varnish (:80, a caching reverse
# proxy) and Caddy (:8081, a reverse proxy that caches nothing) in front of
# failing backends. Clients send origin-form requests ("GET /path" with a
# Host field); each proxy picks the backend by the Host from its
# configuration, no DNS: one backend per scenario, the success's and the
# refusing one on port 80, the others on 8080: a success, nothing
# listening (RST), dropped SYNs, ICMP administratively prohibited, a reply
# without a status line, a close without a byte, silence, a 502 of the
# backend's own. Both proxies at 2 s to connect and 3 s to the first byte
# (Varnish: connect_timeout, first_byte_timeout; Caddy: dial_timeout,
# response_header_timeout), tcp_syn_retries=2 in the gateway's namespace.
# The success's, the no-status-line and the closing backends think half a
# second before they answer (upstream.py's UPSTREAM_THINK_S; no netem
# here to put them farther away). One client (curl) asks each host
# through each proxy one at a time, then all at once through each; then
# the crowds: six clients at once ask one URL of each of the drop,
# silent, nostatus, close and ok backends (through Caddy the refusing
# one's too), all crowds of a proxy at once. Varnish coalesces a crowd
# into one backend fetch (its waiting list: the other five wait for the
# one fetch and get its answer, a failure's 503 too: Varnish keeps a
# failed fetch's 503 for a second when requests wait on it); Caddy sends
# each of the six on. The six meet in Varnish's waiting list while the
# one fetch waits for its backend (the six curls start within 0.25 s of
# each other here, on a loaded machine); a refusal comes at once and
# leaves nobody waiting, so Varnish has no refusing crowd. Once a failed
# Varnish crowd is answered, one client more asks its URL 0.3 s later
# (late: past the rush of the crowd's answers): Varnish answers from the
# failed fetch's 503, no backend traffic, its X-Varnish naming the fetch
# (a client later than that second, on a loaded machine, gets the 503
# stale and Varnish fetches again in the background: Caddy's crowds wait
# for those fetches to end).
# Last, through Varnish, the ok crowd's URL once more: a cache hit, no
# backend traffic. The truth (cache_truth.py) comes from the proxies' own
# logs (varnishncsa's client and backend lines: FetchError, how each
# request was handled; Caddy's JSON error and access logs), curl's status
# and tshark's reading of the backends' packets, never from gw502tui.
#
# usage: tests/lab/record_cache.sh OUTDIR   (writes gw502-cache.pcap and
#        gw502-cache.truth.tsv there)
# env:   GWCACHE_KEEP_TMP=1   keep the work directory (daemon logs, configs)
#
# Shares its namespace, PID and cleanup helpers with record.sh (ns.sh).
# Must run as root. Touches nothing in the root network namespace: every
# interface and address lives in a namespace named gwcache-*; every
# process started is tracked by PID and stopped, every namespace deleted,
# on success, error, Ctrl-C or TERM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: record_cache.sh OUTDIR}
P=gwcache-
NS_BR=${P}br NS_GW=${P}gw NS_UP=${P}up NS_C1=${P}c1

# --- addresses (private, used only inside the namespaces) -----------------
GW4=10.249.0.1 C1=10.249.0.11
PORT_VARNISH=80 PORT_CADDY=8081
# name, address, port, upstream.py mode (-: nothing listens)
BACKENDS="ok 10.249.0.80 80 ok
rst 10.249.0.81 80 -
drop 10.249.0.82 8080 -
admin 10.249.0.83 8080 -
nostatus 10.249.0.84 8080 nostatus
close 10.249.0.85 8080 close
silent 10.249.0.86 8080 silent
relay 10.249.0.87 8080 status502"
CROWDS="drop silent nostatus close ok" CROWD_SIZE=6
THINKING="ok nostatus close"

LAB_TAG=cache LAB_PREFIX=$P LAB_KEEP=${GWCACHE_KEEP_TMP:-0}
. "$HERE/ns.sh"

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"

need_lab_tools
need varnishd varnish
need varnishncsa varnish
need caddy caddy
need curl curl

lab_begin gwcache 120
START=$(date +%s)

log "building namespaces"
bridge_new
hosts_new "$NS_GW" "$NS_UP" "$NS_C1"
attach "$NS_GW" p-gw "$GW4/24"
attach "$NS_UP" p-up $(printf '%s\n' "$BACKENDS" | awk '{print $2 "/24"}')
attach "$NS_C1" p-c1 "$C1/24"
gw_syn_backoff 2
up_firewall drop 10.249.0.82
up_firewall admin 10.249.0.83
wait_for 5 "gateway reaches the backends" nsx "$NS_GW" ping -c1 -W1 10.249.0.80

while read -r name addr port mode; do
    [ "$mode" = - ] && continue
    think=0
    case " $THINKING " in *" $name "*) think=0.5 ;; esac
    start "$NS_UP" "up-$name" env UPSTREAM_THINK_S=$think \
        "$PY" "$HERE/upstream.py" "$mode" "$addr" "$port"
    wait_for 10 "backend $name on $addr:$port" listening "$NS_UP" tcp "^$addr:$port\$"
done <<<"$BACKENDS"

# serving SECONDS NAME ADDR:PORT-regex: waits until the gateway's daemon
# NAME listens; its exit ends the wait at once, with its log's last lines
serving() {
    local pid
    eval "pid=\$PID_$2"
    for _ in $(seq $(($1 * 10))); do
        alive "$pid" || die "$2 exited: $(tail -n 2 "$TMP/$2.log" | tr '\n' ' ')"
        listening "$NS_GW" tcp "$3" && return 0
        sleep 0.1
    done
    die "timed out after ${1}s waiting for $2 on $3"
}

# Varnish: one backend per Host; /lab-ready answered by Varnish itself
# (varnishncsa's readiness)
mkdir -p "$TMP/varnish"
{
    cat <<EOF
vcl 4.1;
EOF
    while read -r name addr port _; do
        cat <<EOF
backend $name {
    .host = "$addr";
    .port = "$port";
    .connect_timeout = 2s;
    .first_byte_timeout = 3s;
    .between_bytes_timeout = 3s;
}
EOF
    done <<<"$BACKENDS"
    echo 'sub vcl_recv {'
    echo '    if (req.url == "/lab-ready") { return (synth(200, "ready")); }'
    while read -r name _; do
        echo "    if (req.http.host == \"$name.cache.test\") { set req.backend_hint = $name; }"
    done <<<"$BACKENDS"
    echo '}'
} >"$TMP/varnish.vcl"
# its state in the work directory (-n), no jail: it runs as root in the
# gateway's namespace and reads nothing under /etc
start "$NS_GW" varnishd env HOME="$TMP" varnishd -F -j none -n "$TMP/varnish" \
    -a "$GW4:$PORT_VARNISH" -T 127.0.0.1:0 -f "$TMP/varnish.vcl" -s malloc,32m
serving 30 varnishd "^$GW4:$PORT_VARNISH\$"
# one line a transaction, client (c) and backend (b), tab-separated: side,
# vxid, client port (ReqStart), Host, URL, status, handling (hit, miss,
# ...), the fetch a client request began (Link), FetchError, the
# backend's address (BackendOpen), the request a fetch is for (Begin),
# the fetch whose object a hit was served (Hit)
NCSA='%{Varnish:side}x\t%{Varnish:vxid}x\t%{VSL:ReqStart[2]}x\t%{Host}i\t%U\t%s'
NCSA=$NCSA'\t%{Varnish:handling}x\t%{VSL:Link[2]}x\t%{VSL:FetchError}x'
NCSA=$NCSA'\t%{VSL:BackendOpen[3]}x\t%{VSL:Begin[2]}x\t%{VSL:Hit[1]}x'
start "$NS_GW" varnishncsa varnishncsa -n "$TMP/varnish" -t 10 -b -c -F "$NCSA" \
    -w "$TMP/varnishncsa.log"
varnish_logs() { # varnish_logs: a request Varnish answers itself is logged
    nsx "$NS_C1" curl -s -o /dev/null --max-time 2 "http://$GW4:$PORT_VARNISH/lab-ready"
    grep -q '/lab-ready' "$TMP/varnishncsa.log"
}
wait_for 15 "varnishncsa logging" varnish_logs

# Caddy: one reverse_proxy per Host; its errors (the default logger, at
# ERROR) and its access log as JSON; its state (HOME, XDG) in the work
# directory
mkdir -p "$TMP/caddy/xdg"
{
    cat <<EOF
{
    admin off
    auto_https off
    log {
        output file $TMP/caddy/error.log
        format json
        level ERROR
    }
}
http://:$PORT_CADDY {
    bind $GW4
    log {
        output file $TMP/caddy/access.log
        format json
    }
EOF
    while read -r name addr port _; do
        cat <<EOF
    @$name host $name.cache.test
    reverse_proxy @$name $addr:$port {
        transport http {
            dial_timeout 2s
            response_header_timeout 3s
        }
    }
EOF
    done <<<"$BACKENDS"
    echo '}'
} >"$TMP/caddy/Caddyfile"
start "$NS_GW" caddy env HOME="$TMP/caddy" XDG_DATA_HOME="$TMP/caddy/xdg" \
    XDG_CONFIG_HOME="$TMP/caddy/xdg" caddy run --adapter caddyfile \
    --config "$TMP/caddy/Caddyfile"
serving 20 caddy "^$GW4:$PORT_CADDY\$"

CAP=$TMP/gw502-cache.pcap
gw_tcpdump "$CAP"

# ask NAME PORT PATH PHASE: one request; its line in client.tsv: name,
# proxy port, path, client port, curl's status (000: no answer), phase
ask() {
    local line
    line=$(nsx "$NS_C1" curl -s -o /dev/null -w '%{local_port}\t%{http_code}' \
        --max-time 15 -H "Host: $1.cache.test" "http://$GW4:$2$3" || true)
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$line" "$4" >>"$TMP/client.tsv"
}
NAMES=$(echo "$BACKENDS" | awk '{print $1}')
log "client: $(echo $NAMES) through each proxy, one at a time, then all at once"
: >"$TMP/client.tsv"
n=0
for proxy in $PORT_VARNISH $PORT_CADDY; do
    for name in $NAMES; do
        n=$((n + 1)); ask "$name" "$proxy" "/r$n" seq
    done
done
for proxy in $PORT_VARNISH $PORT_CADDY; do
    for name in $NAMES; do
        n=$((n + 1)); later ask "$name" "$proxy" "/r$n" batch
    done
    wait_all
done
# crowd NAME PROXY: CROWD_SIZE clients at once ask one URL; a failed one
# through Varnish, 0.3 s after all are answered, one more (late). Its curls are
# this subshell's (the cleanup kills what runs in the namespaces).
crowd() {
    local pids=() pid
    for _ in $(seq "$CROWD_SIZE"); do
        ask "$1" "$2" "/crowd-$1-$2" crowd &
        pids+=("$!")
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    if [ "$2" = "$PORT_VARNISH" ] && [ "$1" != ok ]; then
        sleep 0.3    # past the answers' rush, within the 503's second
        ask "$1" "$2" "/crowd-$1-$2" late
    fi
}
# every Varnish crowd request logged, and every fetch they began ended
# (varnishncsa logs a request, and a fetch, as it ends)
varnish_settled() {
    local asked
    asked=$(awk -F'\t' -v p="$PORT_VARNISH" '$2 == p && $3 ~ /^\/crowd-/' \
        "$TMP/client.tsv" | wc -l)
    awk -F'\t' -v asked="$asked" '
        $1 == "c" && $5 ~ /^\/crowd-/ { n++; if ($8 != "-") want[$8] = 1 }
        $1 == "b" { ended[$2] = 1 }
        END { if (n < asked) exit 1; for (v in want) if (!(v in ended)) exit 1 }' \
        "$TMP/varnishncsa.log"
}
log "crowds: $CROWD_SIZE clients at once ask one URL of each of $CROWDS (through Caddy rst too), all crowds of a proxy at once; a failed Varnish crowd's URL once more when it is answered"
for proxy in $PORT_VARNISH $PORT_CADDY; do
    crowds=$CROWDS
    [ "$proxy" = "$PORT_CADDY" ] && crowds="$CROWDS rst"
    for name in $crowds; do
        later crowd "$name" "$proxy"
    done
    wait_all
    if [ "$proxy" = "$PORT_VARNISH" ]; then
        wait_for 15 "Varnish's crowd fetches ended" varnish_settled
    fi
done
log "client: the ok crowd's URL once more through Varnish (a cache hit)"
ask ok "$PORT_VARNISH" "/crowd-ok-$PORT_VARNISH" hit
sleep 1    # the last FIN/ACKs reach the capture
stop_pids INT "$PID_tcpdump"
# varnishncsa writes a transaction's line when it ends: every client
# request through Varnish is logged before it stops
asked=$(awk -F'\t' -v p="$PORT_VARNISH" '$2 == p' "$TMP/client.tsv" | wc -l)
logged() { [ "$(grep -c $'^c\t.*\t/[rc]' "$TMP/varnishncsa.log")" -ge "$asked" ]; }
wait_for 10 "varnishncsa logs the $asked requests through Varnish" logged
stop_pids TERM "$PID_varnishncsa" "$PID_caddy" "$PID_varnishd"

STAGE=$TMP/out
mkdir -p "$STAGE"
cp "$CAP" "$STAGE/gw502-cache.pcap"
printf '%s\n' "$BACKENDS" >"$TMP/backends.txt"
"$PY" "$HERE/cache_truth.py" --capture "$STAGE/gw502-cache.pcap" \
    --client "$TMP/client.tsv" --backends "$TMP/backends.txt" \
    --varnish-log "$TMP/varnishncsa.log" --caddy-error "$TMP/caddy/error.log" \
    --caddy-access "$TMP/caddy/access.log" --truth "$STAGE/gw502-cache.truth.tsv" \
    || die "truth check failed (set GWCACHE_KEEP_TMP=1 to keep $TMP)"
mkdir -p "$OUT"
for f in "$STAGE"/*; do install -m 0644 "$f" "$OUT/"; done
log "done in $(( $(date +%s) - START )) s; $(stat -c %s "$CAP") bytes captured; output in $(cd "$OUT" && pwd)"
