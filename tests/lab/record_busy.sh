#!/bin/bash
# gw502tui busy lab: a gateway with two real forward proxies (nginx, squid)
# under load from three clients -- a few thousand concurrent requests in
# about 25 s, most to one popular host on keep-alive client connections,
# the rest spread over hosts that fail every way a gateway sees (NXDOMAIN,
# dropped SYNs, ICMP admin-prohibited, RST, no status line, closed
# without a byte, a relayed 502, a silent upstream) -- while three DNS
# servers (nginx asks each in turn, squid the first) answer with a 1 s TTL, never answers any look-up of mute.busy.test (a
# DNS outage: several requests wait for one look-up at once, others come
# after a proxy gave up), and flip.busy.test changes its address every few
# seconds between a host that serves and one whose SYNs are dropped. Both
# proxies cache DNS per that TTL, nginx keeps a keep-alive pool to
# pool.busy.test, squid to every host. Records the gateway's eth0 (both
# legs) and writes the truth of every request, from the capture (tshark),
# the proxies' access logs and the clients' own logs (busy_truth.py).
#
# usage: tests/lab/record_busy.sh [OUTDIR]   (default: examples/ of this checkout)
# env:   GWBUSY_KEEP_TMP=1   keep the work directory (daemon logs, client logs)
#        GWBUSY_COUNT=N      requests per client (500)
#        GWBUSY_DURATION=S   seconds over which each client spreads them (20)
#        GWBUSY_DUAL=1       the proxies' defaults on a dual-stack gateway:
#                            nginx's resolver without ipv6=off and IPv6 on
#                            in the gateway's namespace, so both proxies
#                            ask AAAA beside each A (answered NOERROR
#                            without records: the names have IPv4 only;
#                            v4only.busy.test's AAAA never answered)
#
# Shares its namespace, PID and cleanup helpers with record.sh (ns.sh).
# Must run as root. Touches nothing in the root network namespace: every
# interface, address, iptables rule and sysctl lives in a namespace named
# gwbusy-*; every process started is tracked by PID and stopped, every
# namespace deleted, on success, error, Ctrl-C or TERM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE/../../examples}
P=gwbusy-
NS_BR=${P}br NS_GW=${P}gw NS_DNS=${P}dns NS_UP=${P}up
NS_C1=${P}c1 NS_C2=${P}c2 NS_C3=${P}c3
COUNT=${GWBUSY_COUNT:-500} DURATION=${GWBUSY_DURATION:-20}
DUAL=${GWBUSY_DUAL:-0}
WORKERS=16      # per client: up to 48 requests at once
FLIP_S=4        # flip.busy.test changes its address this often

# --- addresses (private, used only inside the namespaces) -----------------
GW4=10.251.0.1 DNS4=10.251.0.53 DNS4B=10.251.0.54 DNS4C=10.251.0.55
C1=10.251.0.11 C2=10.251.0.12 C3=10.251.0.13
WWW4=10.251.0.80 FLIPOK4=10.251.0.81 POOL4=10.251.0.82 CLOSED4=10.251.0.84
NOSTATUS4=10.251.0.85 CLOSER4=10.251.0.86 UP502_4=10.251.0.87 SILENT4=10.251.0.88
DROP4=10.251.0.90 ADMIN4=10.251.0.91 FLIPDROP4=10.251.0.92
PORT_NGINX=9091 PORT_SQUID=9092
SYN_RETRIES=2
# host=weight: what the clients ask for (HOST.busy.test; "missing" is not in
# the zone, "mute" is but never answered: about 60 of 1,500 requests)
MIX=www=58,flip=10,pool=6,missing=4,mute=4,drop=2,blocked=2,closed=3,nostatus=3,closer=3,up502=3,silent=2

LAB_TAG=busy LAB_PREFIX=$P LAB_KEEP=${GWBUSY_KEEP_TMP:-0}
. "$HERE/ns.sh"

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, iptables in namespaces)"

need_lab_tools
need nginx nginx-light
need squid squid

lab_begin gwbusy 300
START=$(date +%s)

# --- topology: one bridge, every host one leg on it, IPv4 only ---------------
log "building namespaces"
bridge_new
hosts_new "$NS_GW" "$NS_DNS" "$NS_UP" "$NS_C1" "$NS_C2" "$NS_C3"
if [ "$DUAL" = 1 ]; then	# IPv6 on, quiet: no DAD, no router solicitations
    nsx "$NS_GW" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
        net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 >/dev/null
fi
attach "$NS_GW"  p-gw  "$GW4/24"
attach "$NS_DNS" p-dns "$DNS4/24" "$DNS4B/24" "$DNS4C/24"
attach "$NS_UP"  p-up  "$WWW4/24" "$FLIPOK4/24" "$POOL4/24" "$CLOSED4/24" "$NOSTATUS4/24" \
    "$CLOSER4/24" "$UP502_4/24" "$SILENT4/24" "$DROP4/24" "$ADMIN4/24" "$FLIPDROP4/24"
attach "$NS_C1"  p-c1  "$C1/24"
attach "$NS_C2"  p-c2  "$C2/24"
attach "$NS_C3"  p-c3  "$C3/24"

# The gateway (only): few SYN retries, so a dropped-SYN series ends in 3 s
# even where a proxy's own connect timeout does not end it first.
gw_syn_backoff "$SYN_RETRIES"
# Firewalled upstream addresses: DROP -> SYN backoff; REJECT -> ICMP admin
# prohibited.
up_firewall drop "$DROP4" "$FLIPDROP4"
up_firewall admin "$ADMIN4"
wait_for 5 "gateway reaches the bridge" nsx "$NS_GW" ping -c1 -W1 "$DNS4"

# --- DNS: busy.test with a 1 s TTL, flip.busy.test changing, mute silent -------
cat >"$TMP/busy.zone" <<EOF
www $WWW4
pool $POOL4
drop $DROP4
blocked $ADMIN4
closed $CLOSED4
nostatus $NOSTATUS4
closer $CLOSER4
up502 $UP502_4
silent $SILENT4
mute
flip $FLIPOK4 $FLIPDROP4
EOF
if [ "$DUAL" = 1 ]; then
    # its server drops AAAA queries: nginx waits for the AAAA beside an
    # answered A until its resolver_timeout (a 502), squid connects
    echo "v4only $WWW4 v4only" >>"$TMP/busy.zone"
    MIX=$MIX,v4only=3
fi
# a second server with the same zone (a gateway's resolv.conf names two):
# its flips may lag the first's by the milliseconds between their starts
start "$NS_DNS" busydns "$PY" "$HERE/busydns.py" "$DNS4" "$TMP/busy.zone" "$FLIP_S"
start "$NS_DNS" busydns-b "$PY" "$HERE/busydns.py" "$DNS4B" "$TMP/busy.zone" "$FLIP_S"
start "$NS_DNS" busydns-c "$PY" "$HERE/busydns.py" "$DNS4C" "$TMP/busy.zone" "$FLIP_S"
wait_for 10 "busydns on $DNS4:53" listening "$NS_DNS" udp "^$DNS4:53\$"
wait_for 10 "busydns on $DNS4B:53" listening "$NS_DNS" udp "^$DNS4B:53\$"
wait_for 10 "busydns on $DNS4C:53" listening "$NS_DNS" udp "^$DNS4C:53\$"

# --- upstream servers (CLOSED4 has none: its SYNs get an RST) ----------------
start "$NS_UP" up-www      "$PY" "$HERE/upstream.py" ok        "$WWW4" 80
start "$NS_UP" up-flip     "$PY" "$HERE/upstream.py" ok        "$FLIPOK4" 80
start "$NS_UP" up-pool     "$PY" "$HERE/upstream.py" ok        "$POOL4" 80
start "$NS_UP" up-nostatus "$PY" "$HERE/upstream.py" nostatus  "$NOSTATUS4" 80
start "$NS_UP" up-close    "$PY" "$HERE/upstream.py" close     "$CLOSER4" 80
start "$NS_UP" up-502      "$PY" "$HERE/upstream.py" status502 "$UP502_4" 80
start "$NS_UP" up-silent   "$PY" "$HERE/upstream.py" silent    "$SILENT4" 80
for a in "$WWW4" "$FLIPOK4" "$POOL4" "$NOSTATUS4" "$CLOSER4" "$UP502_4" "$SILENT4"; do
    wait_for 10 "upstream server on $a" listening "$NS_UP" tcp "^$a:80\$"
done

# --- proxies on the gateway ------------------------------------------------
# nginx: a forward proxy to the request's host, resolving per request with
# answers kept 1 s (valid=1s), 2 s connect/read timeouts; pool.busy.test
# goes through an upstream block with a keep-alive pool (nginx 1.22 keeps
# no pool for a host resolved at run time).
mkdir -p "$TMP/nginx"
NGINX_IPV6=ipv6=off	# GWBUSY_DUAL: nginx's default, A and AAAA
[ "$DUAL" = 1 ] && NGINX_IPV6=
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log error;
events { worker_connections 1024; }
http {
    # the client's address and port join each line to the capture; the
    # address nginx connected to and what the upstream answered, to the truth
    log_format busy '\$remote_addr:\$remote_port \$msec "\$request" \$host '
        '\$status "\$upstream_addr" "\$upstream_status" \$request_time';
    access_log $TMP/nginx/access.log busy;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    # three servers (resolv.conf's most): nginx keeps a socket for each and
    # sends each query, and each resend, to the next in turn; each socket
    # asks a third of the names, so it is known as a resolver's own only
    # seconds in, after the first look-ups
    resolver $DNS4 $DNS4B $DNS4C $NGINX_IPV6 valid=1s;
    resolver_timeout 2s;
    proxy_connect_timeout 2s;
    proxy_send_timeout 2s;
    proxy_read_timeout 2s;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$host;
    keepalive_requests 10000;
    upstream pool_busy {
        server $POOL4:80;
        keepalive 8;
    }
    map \$host \$busy_upstream {
        pool.busy.test pool_busy;
        default \$host;
    }
    server {
        listen $PORT_NGINX;
        location / { proxy_pass http://\$busy_upstream\$request_uri; }
    }
}
EOF
nsx "$NS_GW" nginx -t -q -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
start "$NS_GW" nginx nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
# squid: its own DNS client, caching each answer for its TTL (1 s; also the
# shortest it keeps a positive answer, negative_dns_ttl), persistent
# connections to every upstream, 2 s connect and read timeouts.
squid_start gwbusy <<EOF
# client address:port, the server address (%<a) and squid's error, per request
logformat busy %ts.%03tu %>a:%>p %rm %ru %Ss/%>Hs %Sh/%<a %err_code/%err_detail %tr
access_log stdio:$TMP/squid/access.log busy
dns_nameservers $DNS4
positive_dns_ttl 1 seconds
negative_dns_ttl 1 seconds
dns_timeout 3 seconds
connect_timeout 2 seconds
read_timeout 2 seconds
EOF
wait_for 10 "nginx on :$PORT_NGINX" listening "$NS_GW" tcp ":$PORT_NGINX\$"

# --- capture on the gateway (one leg: clients, DNS and upstreams) -----------
CAP=$TMP/gw502-busy.pcap
gw_tcpdump "$CAP"

# --- load: three clients at once, each half through nginx, half squid --------
log "load: 3 clients x $COUNT requests over ${DURATION}s, $WORKERS workers each"
LOAD=()
seed=0
for ns in "$NS_C1" "$NS_C2" "$NS_C3"; do
    seed=$((seed + 1))
    ip netns exec "$ns" "$PY" "$HERE/busyload.py" --name "c$seed" \
        --proxy "nginx=$GW4:$PORT_NGINX" --proxy "squid=$GW4:$PORT_SQUID" \
        --hosts "$MIX" --count "$COUNT" --duration "$DURATION" --workers "$WORKERS" \
        --seed "$seed" --out "$TMP/clients-c$seed.tsv" 2>>"$TMP/clients.err" </dev/null &
    LOAD+=("$!"); PIDS+=("$!")
done
for pid in "${LOAD[@]}"; do wait "$pid" || die "a load client failed: $(tail -n 5 "$TMP/clients.err")"; done
untrack "${LOAD[@]}"
sleep 2    # the last FIN/ACKs and pooled connections' ends reach the capture
stop_pids INT "$PID_tcpdump"
STOP_WAIT=10 stop_pids TERM "$PID_squid" "$PID_nginx"   # squid flushes its log

# --- truth, staged: OUTDIR changes only when the truth check passed ----------
STAGE=$TMP/out
mkdir -p "$STAGE"
cp "$CAP" "$STAGE/gw502-busy.pcap"
cp "$TMP/nginx/access.log" "$STAGE/gw502-busy.nginx.log"
cp "$TMP/squid/access.log" "$STAGE/gw502-busy.squid.log"
"$PY" "$HERE/busy_truth.py" --capture "$STAGE/gw502-busy.pcap" \
    --clients "$TMP/clients-c1.tsv" "$TMP/clients-c2.tsv" "$TMP/clients-c3.tsv" \
    --nginx-log "$STAGE/gw502-busy.nginx.log" --squid-log "$STAGE/gw502-busy.squid.log" \
    --proxy "nginx=$PORT_NGINX" --proxy "squid=$PORT_SQUID" --gateway "$GW4" \
    --truth "$STAGE/gw502-busy.truth.tsv" \
    || die "truth check failed (set GWBUSY_KEEP_TMP=1 to keep $TMP)"
mkdir -p "$OUT"
for f in "$STAGE"/*; do install -m 0644 "$f" "$OUT/"; done
log "done in $(( $(date +%s) - START )) s; $(stat -c %s "$CAP") bytes captured; output in $(cd "$OUT" && pwd)"
