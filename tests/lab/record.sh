#!/bin/bash
# gw502tui capture lab: build a small network out of network namespaces, run a
# real forward proxy on a "gateway", play every 502 scenario against it and
# record the gateway's traffic three ways (pcap -i any, pcap one Ethernet
# interface, pcapng with two interfaces of different link types).
#
# usage: tests/lab/record.sh [OUTDIR]      (default: examples/ of this checkout)
# env:   GW502LAB_KEEP_TMP=1  keep the work directory (daemon logs) for debugging
#
# Each proxy writes its access log beside the capture (issue 18): mitmproxy
# through tests/lab/mitmlog.py (Combined Log Format), nginx in Combined
# format, and squid (port 9092, a separate small capture recorded after the
# main one) in its native format.
#
# Must run as root. Touches nothing in the root network namespace: every
# interface, address, route, iptables rule and sysctl lives in a namespace
# named gw502lab-*; every process started is tracked by PID and stopped, every
# namespace deleted, on success, error, Ctrl-C or TERM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE/../../examples}
P=gw502lab-
NS_BR=${P}br NS_GW=${P}gw NS_DNS=${P}dns NS_UP1=${P}up1 NS_UP2=${P}up2
NS_C1=${P}c1 NS_C2=${P}c2 NS_C3=${P}c3 NS_C6=${P}c6

# --- addresses (private, used only inside the namespaces) -----------------
GW4=10.250.0.1   GW6=fd00:250::1
DNS4=10.250.0.53 DNSDEAD4=10.250.0.54
C1=10.250.0.11 C2=10.250.0.12 C3=10.250.0.13 C6=fd00:250::16
OK4=10.250.0.80 NOSTATUS4=10.250.0.81 SILENT4=10.250.0.82 CLOSER4=10.250.0.83
CLOSEDPORT4=10.250.0.84 DROP4=10.250.0.90 ADMIN4=10.250.0.91 ADMIN6=fd00:250::91
UP502_4=10.250.0.85 UP503_4=10.250.0.86 LATE4=10.250.0.87 ONCE4=10.250.0.88
SQDOWN4=10.250.0.89   # up for squid's first GET, then its SYNs are dropped
SQDNS4=10.250.0.56    # squid's resolver (through the gateway's dnsmasq): 60 s TTL
RCODEDNS4=10.250.0.55   # answers every query SERVFAIL or REFUSED (dnsrcode.py)

PORT_MITM=9090 PORT_NGINX=9091 PORT_SQUID=9092 PORT_LAZY=9093
SYN_RETRIES=3

LAB_TAG=lab LAB_PREFIX=$P LAB_KEEP=${GW502LAB_KEEP_TMP:-0}
. "$HERE/ns.sh"

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, iptables in namespaces)"

# --- dependencies (CI: fresh Debian 12) ----------------------------------
need_lab_tools
need ip6tables iptables
need dnsmasq dnsmasq-base
need mitmdump mitmproxy
need nginx nginx-light
need dumpcap wireshark-common
need reordercap wireshark-common
need curl curl
need squid squid

# --- one lab at a time (a parallel test's run finishes first, bounded) ------
lab_begin gw502lab 400

START=$(date +%s)

# --- helpers ---------------------------------------------------------------
ns_add() { # ns_add NAME: namespace with lo up, quiet IPv6 (no DAD, no RS)
    ns_new "$1"
    nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 >/dev/null
}

# --- topology --------------------------------------------------------------
log "building namespaces"
# The bridge namespace carries no addresses at all.
bridge_new
for ns in "$NS_GW" "$NS_DNS" "$NS_UP1" "$NS_UP2" "$NS_C1" "$NS_C2" "$NS_C3" "$NS_C6"; do ns_add "$ns"; done
# IPv4-only hosts: no IPv6 at all on them (keeps the capture quiet).
ipv4_only "$NS_DNS" "$NS_UP1" "$NS_C1" "$NS_C2" "$NS_C3"
# The gateway has ONE leg on the lab bridge: eth0 sees clients, DNS and upstreams.
attach "$NS_GW"  p-gw   "$GW4/24" "$GW6/64"
attach "$NS_DNS" p-dns  "$DNS4/24" "$DNSDEAD4/24" "$RCODEDNS4/24" "$SQDNS4/24"
attach "$NS_UP1" p-up1  "$OK4/24" "$NOSTATUS4/24" "$SILENT4/24" "$CLOSER4/24" "$CLOSEDPORT4/24" \
    "$UP502_4/24" "$UP503_4/24" "$LATE4/24" "$ONCE4/24" "$SQDOWN4/24"
attach "$NS_UP2" p-up2  "$DROP4/24" "$ADMIN4/24" "$ADMIN6/64"
attach "$NS_C1"  p-c1   "$C1/24"
attach "$NS_C2"  p-c2   "$C2/24"
attach "$NS_C3"  p-c3   "$C3/24"
nsx "$NS_C6" sysctl -qw net.ipv4.conf.all.arp_ignore=1 >/dev/null
attach "$NS_C6"  p-c6   "$C6/64"

# Gateway TCP: few SYN retries so a dropped SYN series ends in seconds.
nsx "$NS_GW" sysctl -qw net.ipv4.tcp_syn_retries=$SYN_RETRIES >/dev/null
# No tail-loss probes: on a busy machine the client's delayed ACK let the
# gateway resend a reply's last segment 8 ms later, a data retransmission
# in the captures that no scenario is about.
nsx "$NS_GW" sysctl -qw net.ipv4.tcp_early_retrans=0 >/dev/null
HAVE_LINEAR=0
if nsx "$NS_GW" test -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts; then HAVE_LINEAR=1; fi
set_linear() { # set_linear N: kernels >= 6.6 retry SYN N times at a fixed 1 s first
    [ "$HAVE_LINEAR" = 1 ] && nsx "$NS_GW" sysctl -qw net.ipv4.tcp_syn_linear_timeouts="$1" >/dev/null
    return 0
}
set_linear 0    # classic exponential backoff for the main syn-unanswered scenario

# Firewalled upstream host (NS_UP2): DROP -> SYN backoff; REJECT -> ICMP/ICMPv6 admin prohibited.
nsx "$NS_UP2" iptables  -A INPUT -d "$DROP4"  -p tcp -j DROP
nsx "$NS_UP2" iptables  -A INPUT -d "$ADMIN4" -p tcp -j REJECT --reject-with icmp-admin-prohibited
nsx "$NS_UP2" ip6tables -A INPUT -d "$ADMIN6" -p tcp -j REJECT --reject-with icmp6-adm-prohibited
# Dead DNS server: the address exists, but queries to it vanish (no ICMP either).
nsx "$NS_DNS" iptables -A INPUT -d "$DNSDEAD4" -p udp --dport 53 -j DROP
nsx "$NS_DNS" iptables -A INPUT -d "$DNSDEAD4" -p tcp --dport 53 -j DROP

wait_for 5 "gateway reaches the bridge" nsx "$NS_GW" ping -c1 -W1 "$DNS4"

# --- DNS (dnsmasq, authoritative for lab.test) ------------------------------
cat >"$TMP/lab.hosts" <<EOF
$OK4	ok.lab.test
$NOSTATUS4	nostatus.lab.test
$SILENT4	silent.lab.test silent-ngx.lab.test
$CLOSER4	closer.lab.test
$CLOSEDPORT4	closed.lab.test cached.lab.test two.lab.test
$DROP4	dropped.lab.test dropped-ngx.lab.test crowd.lab.test two.lab.test
$UP502_4	up502.lab.test
$UP503_4	up503.lab.test
$LATE4	late.lab.test
$ONCE4	pooled.lab.test
$SQDOWN4	sqdown.lab.test
$OK4	noupstream.lab.test
$ADMIN4	blocked.lab.test
$ADMIN6	blocked6.lab.test
EOF
dnsmasq_start "$DNS4" "$TMP/lab.hosts" lab.test <<EOF
# dnsdown.test is delegated to a server that never answers
server=/dnsdown.test/$DNSDEAD4
EOF
# squid's resolver: the same zone, answers with a TTL squid caches (dnsmasq's
# default TTL 0 would make squid ask again for every request)
sed -e "s/^listen-address=.*/listen-address=$SQDNS4/" -e '/^log-/d' "$TMP/dnsmasq.conf" >"$TMP/dnsmasq-squid.conf"
echo 'local-ttl=60' >>"$TMP/dnsmasq-squid.conf"
start "$NS_DNS" dnsmasq-squid dnsmasq --keep-in-foreground --pid-file= --conf-file="$TMP/dnsmasq-squid.conf"
wait_for 10 "dnsmasq on $SQDNS4:53" listening "$NS_DNS" udp "^$SQDNS4:53\$"
start "$NS_DNS" dnsrcode "$PY" "$HERE/dnsrcode.py" "$RCODEDNS4"
wait_for 10 "dnsrcode on $RCODEDNS4:53" listening "$NS_DNS" udp "^$RCODEDNS4:53\$"

# The gateway resolves through the lab DNS only (glibc: 1 s timeout, 2 attempts).
mkdir -p "/etc/netns/$NS_GW"
printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$DNS4" >"/etc/netns/$NS_GW/resolv.conf"
# (ip netns exec bind-mounts these over /etc/*, which must exist for that)
[ -e /etc/nsswitch.conf ] && printf 'hosts: files dns\n' >"/etc/netns/$NS_GW/nsswitch.conf"
[ -e /etc/hosts ] && printf '127.0.0.1 localhost\n::1 localhost\n' >"/etc/netns/$NS_GW/hosts"

# --- upstream servers ----------------------------------------------------
start "$NS_UP1" up-ok       "$PY" "$HERE/upstream.py" ok       "$OK4" 80 443
start "$NS_UP1" up-nostatus "$PY" "$HERE/upstream.py" nostatus "$NOSTATUS4" 80
start "$NS_UP1" up-silent   "$PY" "$HERE/upstream.py" silent   "$SILENT4" 80
start "$NS_UP1" up-close    "$PY" "$HERE/upstream.py" close    "$CLOSER4" 80
start "$NS_UP1" up-502      "$PY" "$HERE/upstream.py" status502 "$UP502_4" 80
start "$NS_UP1" up-503      "$PY" "$HERE/upstream.py" status503 "$UP503_4" 80
start "$NS_UP1" up-late     "$PY" "$HERE/upstream.py" late502   "$LATE4" 80
start "$NS_UP1" up-once     "$PY" "$HERE/upstream.py" once      "$ONCE4" 80
start "$NS_UP1" up-sqdown   "$PY" "$HERE/upstream.py" ok       "$SQDOWN4" 80 443
for a in "$UP502_4" "$UP503_4" "$LATE4" "$ONCE4" "$SQDOWN4"; do
    wait_for 10 "upstream server on $a" listening "$NS_UP1" tcp "^$a:80\$"
done
wait_for 10 "upstream servers" listening "$NS_UP1" tcp "^$CLOSER4:80\$"
wait_for 10 "upstream servers" listening "$NS_UP1" tcp "^$SILENT4:80\$"
wait_for 10 "upstream servers" listening "$NS_UP1" tcp "^$NOSTATUS4:80\$"
wait_for 10 "upstream servers" listening "$NS_UP1" tcp "^$OK4:443\$"

# --- proxies on the gateway ------------------------------------------------
# mitmproxy on 9090: answers 502 for DNS, connect and bad-reply failures
# (also to CONNECT, with the eager connection strategy); no upstream read timeout.
mkdir -p "$TMP/mitm"
start "$NS_GW" mitmdump env GW502LAB_MITMLOG="$TMP/mitm/access.log" \
    mitmdump --mode regular --listen-port "$PORT_MITM" -s "$HERE/mitmlog.py" \
    --set connection_strategy=eager --set confdir="$TMP/mitm" --set flow_detail=1
# mitmproxy on 9093 with the lazy strategy, passing TLS through (issue 12
# point 8): it answers a CONNECT 200 at once and connects upstream only when
# the client speaks in the tunnel; when that fails it drops the tunnel.
# (Intercepting TLS instead, it would finish the client's handshake with its
# own certificate and answer 502 inside TLS.) Same access log.
start "$NS_GW" mitmdump-lazy env GW502LAB_MITMLOG="$TMP/mitm/access.log" \
    mitmdump --mode regular --listen-port "$PORT_LAZY" -s "$HERE/mitmlog.py" \
    --set connection_strategy=lazy --ignore-hosts '.*' --set confdir="$TMP/mitm" \
    --set flow_detail=1
# nginx on 9091 as a forward proxy with a 3 s read timeout: 504 for a silent upstream.
mkdir -p "$TMP/nginx"
# every server block listens and forwards the same way: to the request's host
printf 'listen %s;\nlisten [::]:%s;\n' "$PORT_NGINX" "$PORT_NGINX" >"$TMP/nginx/listen.conf"
cat >"$TMP/nginx/forward.conf" <<'EOF'
location / {
    proxy_pass http://$host$request_uri;
    proxy_set_header Host $host;
}
EOF
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log info;
events { worker_connections 64; }
http {
    # Combined Log Format; a forward proxy's \$request holds the absolute
    # URL, and the URL nginx fetched follows as an extra field
    log_format gwproxy '\$remote_addr - \$remote_user [\$time_local] "\$request" '
        '\$status \$body_bytes_sent "\$http_referer" "\$http_user_agent" '
        '"\$scheme://\$host\$request_uri"';
    access_log $TMP/nginx/access.log gwproxy;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    resolver_timeout 2s;
    proxy_connect_timeout 3s;
    proxy_send_timeout 3s;
    proxy_read_timeout 3s;
    server {
        include $TMP/nginx/listen.conf;
        resolver $DNS4 ipv6=off valid=1s;
        include $TMP/nginx/forward.conf;
    }
    # the gateway answers 502 itself, with no upstream traffic at all
    server {
        include $TMP/nginx/listen.conf;
        server_name noupstream.lab.test;
        location / { return 502; }
    }
    # its own resolver answers SERVFAIL / REFUSED (tests/lab/dnsrcode.py)
    server {
        include $TMP/nginx/listen.conf;
        server_name servfail.rcode.test refused.rcode.test;
        resolver $RCODEDNS4 ipv6=off valid=1s;
        include $TMP/nginx/forward.conf;
    }
    # caches DNS answers for 30 s, as real gateways do (issue 12)
    server {
        include $TMP/nginx/listen.conf;
        server_name cached.lab.test;
        resolver $DNS4 ipv6=off valid=30s;
        include $TMP/nginx/forward.conf;
    }
}
EOF
nsx "$NS_GW" nginx -t -q -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
start "$NS_GW" nginx nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
wait_for 15 "mitmproxy on :$PORT_MITM" listening "$NS_GW" tcp ":$PORT_MITM\$"
wait_for 15 "mitmproxy (lazy) on :$PORT_LAZY" listening "$NS_GW" tcp ":$PORT_LAZY\$"
wait_for 10 "nginx on :$PORT_NGINX" listening "$NS_GW" tcp ":$PORT_NGINX\$"

# Developer hook: run a command with the lab up (before the captures start),
# e.g. GW502LAB_HOOK='ip netns exec $NS_C1 curl -sv -x http://$GW4:9091 http://nostatus.lab.test/'
if [ -n "${GW502LAB_HOOK:-}" ]; then
    export NS_GW NS_DNS NS_UP1 NS_UP2 NS_C1 NS_C2 NS_C3 NS_C6 GW4 GW6 TMP
    bash -c "$GW502LAB_HOOK" || log "hook failed (exit $?)"
fi

# --- captures on the gateway -----------------------------------------------
log "starting captures on the gateway"
CAP_ANY=$TMP/gw502-lab.pcap CAP_ETH=$TMP/gw502-lab-eth.pcap CAP_NG=$TMP/gw502-lab-ng.pcapng
start "$NS_GW" tcpdump-any tcpdump -Z root -n -U -s 0 -i any  -w "$CAP_ANY"
start "$NS_GW" tcpdump-eth tcpdump -Z root -n -U -s 0 -i eth0 -w "$CAP_ETH"
# pcapng with two interfaces of different link types: eth0 (Ethernet) for
# everything but DNS, and the 'any' pseudo-interface (Linux cooked) for DNS.
# dumpcap writes each interface's packets in batches, so the raw file is not in
# time order across the two interfaces; reordercap sorts it afterwards.
start "$NS_GW" dumpcap dumpcap -q -i eth0 -f 'not udp port 53' -i any -f 'udp port 53' -w "$CAP_NG.raw"
wait_for 10 "tcpdump -i any"  grep -q 'listening on' "$TMP/tcpdump-any.log"
wait_for 10 "tcpdump -i eth0" grep -q 'listening on' "$TMP/tcpdump-eth.log"
wait_for 10 "dumpcap"         test -s "$CAP_NG.raw"
sleep 1   # dumpcap has no "ready" message in quiet mode; let both of its interfaces start
# Test hook: a live gw502tui on the gateway during the scenarios, e.g.
# GW502LAB_LIVE='gw502tui --report=json --follow -i eth0 -w /tmp/x.pcap >/tmp/x.json'
# It must say "capturing on" on stderr once ready; it is stopped like tcpdump,
# and its stderr ends up in OUTDIR/live.log.
PID_live=
if [ -n "${GW502LAB_LIVE:-}" ]; then
    start "$NS_GW" live bash -c "exec $GW502LAB_LIVE"
    wait_for 10 "live gw502tui" grep -q 'capturing on' "$TMP/live.log"
fi

# --- scenarios -----------------------------------------------------------
# Scenario log (one line per client request, written right after it):
# client_ip client_port method url curl_status expected_status verdict cause scenario proxy_port dest
SLOG=$TMP/scenarios.tsv
printf '#client\tclient_port\tmethod\turl\tclient_saw\texpected_status\tverdict\tcause\tscenario\tproxy_port\tdest\tissue\n' >"$SLOG"
# issue: "12" for the scenarios of issue 12 (cached DNS, pooled connections,
# several addresses), which the diagnosis is known not to handle yet
ISSUE=-
MAXT=40   # upper bound for any single client request (s)

record() { # record OUTPUT-LINES(ip port status) METHOD URL EXP VERDICT CAUSE SCEN PPORT DEST
    local lines=$1 method=$2 url=$3 exp=$4 verdict=$5 cause=$6 scen=$7 pport=$8 dest=$9
    local ip port st
    while read -r ip port st; do
        [ -n "$ip" ] || continue
        [ "$st" = 000 ] && st=-
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
            "$ip" "$port" "$method" "$url" "$st" "$exp" "$verdict" "$cause" "$scen" "$pport" \
            "$dest" "$ISSUE" >>"$SLOG"
    done <<<"$lines"
}

proxy_url() { # proxy_url NS PORT
    if [ "$1" = "$NS_C6" ]; then echo "http://[$GW6]:$2"; else echo "http://$GW4:$2"; fi
}

get() { # get NS SCEN VERDICT CAUSE EXP PPORT DEST MAXTIME URL...
    local ns=$1 scen=$2 verdict=$3 cause=$4 exp=$5 pport=$6 dest=$7 maxt=$8 u out i=0
    shift 8
    local args=(-s --max-time "$maxt" -x "$(proxy_url "$ns" "$pport")" -w '%{local_ip} %{local_port} %{http_code}\n')
    for u in "$@"; do args+=(-o /dev/null "$u"); done
    log "  $scen: GET $* (via :$pport from $ns)"
    run_fg "$TMP/client.out" "$ns" curl "${args[@]}"
    out=$(cat "$TMP/client.out")
    # VERDICT, CAUSE and EXP may name one value per URL: "a;b"
    local verdicts causes exps
    IFS=';' read -r -a verdicts <<<"$verdict"
    IFS=';' read -r -a causes <<<"$cause"
    IFS=';' read -r -a exps <<<"$exp"
    while read -r line; do
        i=$((i + 1))
        record "$line" GET "${!i}" "${exps[$(( i <= ${#exps[@]} ? i - 1 : ${#exps[@]} - 1 ))]}" \
            "${verdicts[$(( i <= ${#verdicts[@]} ? i - 1 : ${#verdicts[@]} - 1 ))]}" \
            "${causes[$(( i <= ${#causes[@]} ? i - 1 : ${#causes[@]} - 1 ))]}" \
            "$scen" "$pport" "$dest"
    done <<<"$out"
}

connect() { # connect NS SCEN VERDICT CAUSE EXP DEST HOST:PORT [PROXY-PORT [tls]]
    local ns=$1 gw=$GW4 out pport=${8:-$PORT_MITM}
    [ "$ns" = "$NS_C6" ] && gw=$GW6
    log "  $2: CONNECT $7 (from $ns via :$pport)"
    # tls: the client starts a TLS handshake in a 2xx tunnel (connect.py)
    run_fg "$TMP/client.out" "$ns" "$PY" "$HERE/connect.py" "$gw" "$pport" "$7" "$MAXT" ${9:-}
    out=$(cat "$TMP/client.out")
    record "$out" CONNECT "$7" "$5" "$3" "$4" "$2" "$pport" "$6"
}

gap() { sleep 0.3; }   # keeps scenarios apart in time (nothing to wait for)

log "running scenarios"
# 1. normal: three GETs on one keep-alive connection, then a CONNECT tunnel.
get "$NS_C1" ok-keepalive ok none 200 $PORT_MITM "$OK4" 10 \
    http://ok.lab.test/ http://ok.lab.test/page2.html http://ok.lab.test/page3.html
gap
connect "$NS_C1" ok-connect ok none 200 "$OK4" ok.lab.test:443
gap
# 2. NXDOMAIN: lab.test has no such name.
get "$NS_C1" nxdomain host-not-resolvable dns-nxdomain 502 $PORT_MITM - 10 http://missing.lab.test/index.html
gap
connect "$NS_C1" nxdomain host-not-resolvable dns-nxdomain 502 - missing.lab.test:443
gap
# 3. DNS server not answering (dnsmasq forwards dnsdown.test to a dead server).
get "$NS_C1" dns-silent host-not-resolvable dns-no-response 502 $PORT_MITM - 15 http://www.dnsdown.test/
gap
connect "$NS_C1" dns-silent host-not-resolvable dns-no-response 502 - www.dnsdown.test:443
gap
# 4. Upstream port closed: SYN answered by RST.
get "$NS_C1" tcp-rst cannot-connect tcp-rst 502 $PORT_MITM "$CLOSEDPORT4" 10 http://closed.lab.test/
gap
connect "$NS_C1" tcp-rst cannot-connect tcp-rst 502 "$CLOSEDPORT4" closed.lab.test:443
gap
# 5. SYNs silently dropped: kernel SYN backoff until tcp_syn_retries is exhausted.
get "$NS_C1" syn-drop cannot-connect syn-unanswered 502 $PORT_MITM "$DROP4" $MAXT http://dropped.lab.test/
gap
connect "$NS_C1" syn-drop cannot-connect syn-unanswered 502 "$DROP4" dropped.lab.test:443
gap
# ... and through nginx (port 9091): its own proxy_connect_timeout (3 s) ends the
#     series first and it answers 504.
get "$NS_C1" syn-drop-nginx-504 cannot-connect syn-unanswered 504 $PORT_NGINX "$DROP4" 10 http://dropped-ngx.lab.test/
gap
# 6. SYN answered by ICMP "administratively prohibited" (IPv4), then ICMPv6 from the IPv6 client.
get "$NS_C1" icmp-admin cannot-connect icmp-unreachable 502 $PORT_MITM "$ADMIN4" 10 http://blocked.lab.test/
gap
connect "$NS_C1" icmp-admin cannot-connect icmp-unreachable 502 "$ADMIN4" blocked.lab.test:443
gap
get "$NS_C6" icmp6-admin cannot-connect icmp-unreachable 502 $PORT_MITM "$ADMIN6" 10 http://blocked6.lab.test/
gap
connect "$NS_C6" icmp6-admin cannot-connect icmp-unreachable 502 "$ADMIN6" blocked6.lab.test:443
gap
# 7. Upstream answers without a status line.
get "$NS_C1" no-status-line bad-response http-invalid-response 502 $PORT_MITM "$NOSTATUS4" 10 http://nostatus.lab.test/fw4.pdf
gap
# 8. Upstream accepts and never answers: mitmproxy waits forever, the client gives up after 5 s ...
get "$NS_C1" timeout-client-gives-up bad-response upstream-timeout - $PORT_MITM "$SILENT4" 5 http://silent.lab.test/report
gap
# ... nginx (port 9091, proxy_read_timeout 3s) answers 504.
get "$NS_C1" timeout-nginx-504 bad-response upstream-timeout 504 $PORT_NGINX "$SILENT4" 10 http://silent-ngx.lab.test/report
gap
# 9. Upstream closes without sending a byte.
get "$NS_C1" upstream-closed bad-response upstream-closed 502 $PORT_MITM "$CLOSER4" 10 http://closer.lab.test/
gap
# 10. Three clients hit the same dropping host at the same moment; the SYN
#     series overlap. Kernel default style here: linear 1 s retries first (if supported).
set_linear 2
log "  crowd: 3 clients GET http://crowd.lab.test/ at once"
CROWD=()
for ns in "$NS_C1" "$NS_C2" "$NS_C3"; do
    ip netns exec "$ns" curl -s --max-time $MAXT -x "$(proxy_url "$ns" $PORT_MITM)" -o /dev/null \
        -w '%{local_ip} %{local_port} %{http_code}\n' http://crowd.lab.test/ >"$TMP/crowd-$ns.out" 2>>"$TMP/clients.err" </dev/null &
    CROWD+=("$!"); PIDS+=("$!")
done
for pid in "${CROWD[@]}"; do wait "$pid" || true; done
untrack "${CROWD[@]}"
for ns in "$NS_C1" "$NS_C2" "$NS_C3"; do
    record "$(cat "$TMP/crowd-$ns.out")" GET http://crowd.lab.test/ 502 cannot-connect syn-unanswered crowd $PORT_MITM "$DROP4"
done
set_linear 0
gap
# 11. IPv6 client, normal request.
get "$NS_C6" ipv6-client-ok ok none 200 $PORT_MITM "$OK4" 10 http://ok.lab.test/v6.html
gap
# 12. The upstream answers 502 / 503 itself; the gateway relays it.
get "$NS_C1" relayed-502 relayed upstream-5xx 502 $PORT_MITM "$UP502_4" 10 http://up502.lab.test/
gap
get "$NS_C1" relayed-503 relayed upstream-5xx 503 $PORT_MITM "$UP503_4" 10 http://up503.lab.test/
gap
# 13. The gateway's own resolver answers SERVFAIL, then REFUSED (nginx).
get "$NS_C1" dns-servfail host-not-resolvable dns-error 502 $PORT_NGINX - 10 http://servfail.rcode.test/
gap
get "$NS_C1" dns-refused host-not-resolvable dns-error 502 $PORT_NGINX - 10 http://refused.rcode.test/
gap
# 14. nginx answers 502 from its configuration: no DNS, no upstream traffic.
get "$NS_C1" no-upstream unknown no-upstream-evidence 502 $PORT_NGINX - 10 http://noupstream.lab.test/
gap
# 15. An RST from the gateway's side: the upstream's 502 is relayed, and bytes
#     the upstream sends after it reach a socket nginx has closed: the
#     gateway's kernel answers them with RST (not the server's RST).
get "$NS_C1" gateway-rst relayed upstream-5xx 502 $PORT_NGINX "$LATE4" 10 http://late.lab.test/
gap
# --- issue 12: what real gateways do (cache, pool, several addresses) ------
ISSUE=12
# 16. nginx caches the answer (valid=30s): two requests on one keep-alive
#     client connection to a host whose port is closed; the second has no
#     DNS traffic of its own.
get "$NS_C1" cached-dns cannot-connect tcp-rst 502 $PORT_NGINX "$CLOSEDPORT4" 10 \
    http://cached.lab.test/first http://cached.lab.test/second
gap
# 17. A keep-alive client, a pooled upstream connection: the first request
#     gets 200, the upstream closes the connection without a byte when the
#     gateway sends the second on it.
get "$NS_C1" pooled-close "ok;bad-response" "none;upstream-closed" "200;502" $PORT_MITM "$ONCE4" 10 \
    http://pooled.lab.test/first http://pooled.lab.test/second
gap
# 18. Two A records, one dropped, one refusing: nginx tries both; the last
#     attempt decides (504 after a connect timeout, 502 after an RST).
get "$NS_C1" two-addresses cannot-connect "syn-unanswered|tcp-rst" "502|504" $PORT_NGINX \
    "$DROP4|$CLOSEDPORT4" 20 http://two.lab.test/
gap
# 19. A CONNECT answered 200 before the gateway connected (mitmproxy's lazy
#     strategy, port 9093): the client's TLS ClientHello makes it try the
#     upstream; the port refuses (RST), then drops its SYNs, and the gateway
#     closes the tunnel. A failure masked by a 200.
connect "$NS_C2" lazy-connect-rst cannot-connect tcp-rst 200 "$CLOSEDPORT4" closed.lab.test:443 \
    $PORT_LAZY tls
gap
connect "$NS_C3" lazy-connect-syn-drop cannot-connect syn-unanswered 200 "$DROP4" \
    dropped.lab.test:443 $PORT_LAZY tls
ISSUE=-
sleep 1   # let the last FIN/ACKs reach the captures

# --- stop captures, publish --------------------------------------------------
log "stopping captures"
stop_pids INT "$PID_tcpdump_any" "$PID_tcpdump_eth" "$PID_dumpcap"
# a script started in the background cannot trap INT (bash ignores it there)
# the live hook quits three programs that each close (fsync) a capture
[ -z "$PID_live" ] || STOP_WAIT=25 stop_pids TERM "$PID_live"
reordercap "$CAP_NG.raw" "$CAP_NG" >/dev/null

# --- squid: a third proxy, its own small capture ----------------------------
# Recorded after the main captures so that their scenarios stay as they are.
# squid 5.7 answers 503 to connection failures, 502 to NXDOMAIN, relays a 502,
# and caches DNS answers itself (issue 12): a CONNECT to a host it resolved
# for a GET 15 s earlier asks no DNS at all. squid 5.7 keeps no NXDOMAIN
# (its ipcache drops the entry at the next look-up, whatever
# negative_dns_ttl says), so it asks a caching resolver on the gateway's
# loopback, as many gateways do (dnsmasq, neg-ttl 30 s), and this capture is
# of eth0 only: what the gateway asks the network, not what it asks itself.
log "squid on :$PORT_SQUID"
cat >"$TMP/dnsmasq-gw.conf" <<EOF
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=127.0.0.1
user=root
cache-size=150
neg-ttl=30
# one socket for every query it forwards, as squid itself has (A and AAAA of
# a look-up from one port)
query-port=5353
server=$SQDNS4
EOF
start "$NS_GW" dnsmasq-gw dnsmasq --keep-in-foreground --pid-file= --conf-file="$TMP/dnsmasq-gw.conf"
wait_for 10 "dnsmasq on the gateway's 127.0.0.1:53" listening "$NS_GW" udp "^127.0.0.1:53\$"
squid_start gw502lab <<SQEOF
access_log stdio:$TMP/squid/access.log squid
dns_nameservers 127.0.0.1
positive_dns_ttl 60 seconds
negative_dns_ttl 30 seconds
SQEOF
CAP_SQ=$TMP/gw502-lab-squid.pcap
start "$NS_GW" tcpdump-squid tcpdump -Z root -n -U -s 0 -i eth0 -w "$CAP_SQ"
wait_for 10 "tcpdump -i eth0 (squid)" grep -q 'listening on' "$TMP/tcpdump-squid.log"
SLOG_MAIN=$SLOG
SLOG=$TMP/scenarios-squid.tsv
head -n 1 "$SLOG_MAIN" >"$SLOG"
get "$NS_C1" squid-ok ok none 200 $PORT_SQUID "$OK4" 10 http://ok.lab.test/squid.html
gap
# sqdown.lab.test answers this GET; squid keeps its address for 60 s
get "$NS_C2" squid-first-get ok none 200 $PORT_SQUID "$SQDOWN4" 10 http://sqdown.lab.test/
SQ_T0=$(date +%s)
nsx "$NS_UP1" iptables -A INPUT -d "$SQDOWN4" -p tcp -j DROP
gap
get "$NS_C1" squid-nxdomain host-not-resolvable dns-nxdomain 502 $PORT_SQUID - 10 http://missing-sq.lab.test/
gap
get "$NS_C1" squid-rst cannot-connect tcp-rst 503 $PORT_SQUID "$CLOSEDPORT4" 10 http://closed.lab.test/squid
gap
get "$NS_C3" squid-relayed-502 relayed upstream-5xx 502 $PORT_SQUID "$UP502_4" 10 http://up502.lab.test/squid
gap
# the NXDOMAIN of squid-nxdomain is in the gateway's resolver cache
# (neg-ttl 30 s): squid's question stays on the loopback, nothing goes out
ISSUE=12
get "$NS_C2" squid-nxdomain-cached host-not-resolvable dns-nxdomain "502|503" $PORT_SQUID - 10 \
    http://missing-sq.lab.test/again
ISSUE=-
# the CONNECT comes 15 s after the look-up (a fixed wait: nothing to poll)
SQ_WAIT=$(( 15 - ($(date +%s) - SQ_T0) ))
[ "$SQ_WAIT" -gt 0 ] && sleep "$SQ_WAIT"
ISSUE=12
connect "$NS_C2" squid-cached-connect cannot-connect syn-unanswered 503 "$SQDOWN4" sqdown.lab.test:443 $PORT_SQUID
ISSUE=-
sleep 1
stop_pids INT "$PID_tcpdump_squid"
STOP_WAIT=10 stop_pids TERM "$PID_squid"    # flushes its access log
SLOG_SQUID=$SLOG
SLOG=$SLOG_MAIN

# Everything is built in a staging directory and moved to OUTDIR only when
# truth.py has confirmed every scenario on every capture.
STAGE=$TMP/out
mkdir -p "$STAGE"
for f in gw502-lab.pcap gw502-lab-eth.pcap gw502-lab-ng.pcapng; do
    cp "$TMP/$f" "$STAGE/$f"
    base=${f%.*}
    "$PY" "$HERE/truth.py" --capture "$STAGE/$f" --scenarios "$SLOG" \
        --truth "$STAGE/$base.truth.tsv" --syn "$STAGE/$base.syn.tsv" \
        --ports "$PORT_MITM,$PORT_NGINX,$PORT_LAZY" --gateway "$GW4,$GW6" --frames "$TMP/$base.frames.json" \
        || die "truth check failed for $f (scenario log: $SLOG; set GW502LAB_KEEP_TMP=1 to keep it)"
done
cp "$SLOG" "$STAGE/lab-scenarios.log.tsv"
cp "$CAP_SQ" "$STAGE/gw502-lab-squid.pcap"
"$PY" "$HERE/truth.py" --capture "$STAGE/gw502-lab-squid.pcap" --scenarios "$SLOG_SQUID" \
    --truth "$STAGE/gw502-lab-squid.truth.tsv" --syn "$STAGE/gw502-lab-squid.syn.tsv" \
    --ports "$PORT_SQUID" --gateway "$GW4,$GW6" --frames "$TMP/gw502-lab-squid.frames.json" \
    || die "truth check failed for the squid capture (scenario log: $SLOG_SQUID)"
cp "$SLOG_SQUID" "$STAGE/lab-scenarios-squid.log.tsv"
# the access logs, beside the captures they belong to
cp "$TMP/mitm/access.log" "$STAGE/gw502-lab.mitmproxy.log"
cp "$TMP/nginx/access.log" "$STAGE/gw502-lab.nginx.log"
cp "$TMP/squid/access.log" "$STAGE/gw502-lab-squid.squid.log"
{
    echo "kernel	$(uname -r)"
    echo "tcp_syn_retries	$SYN_RETRIES"
    if [ "$HAVE_LINEAR" = 1 ]; then echo "tcp_syn_linear_timeouts	0 (syn-drop, syn-drop-nginx-504, two-addresses), 2 (crowd)"
    else echo "tcp_syn_linear_timeouts	not in this kernel"; fi
    echo "mitmproxy	$(mitmdump --version 2>/dev/null | sed -n 's/^Mitmproxy: *//p') (:$PORT_MITM eager, :$PORT_LAZY lazy)"
    echo "nginx	$(nginx -v 2>&1 | sed 's|^nginx version: nginx/||')"
    echo "squid	$(squid -v 2>&1 | sed -n 's/^Squid Cache: Version //p')"
    echo "tcpdump	$(tcpdump --version 2>&1 | sed -n 's/^tcpdump version //p')"
    echo "dumpcap	$(dumpcap --version 2>&1 | sed -n '1s/^Dumpcap (Wireshark) \([^ ]*\).*/\1/p')"
} >"$TMP/runinfo.tsv"
"$PY" "$HERE/mkreadme.py" --template "$HERE/examples-README.md.in" --runinfo "$TMP/runinfo.tsv" \
    --syn "$STAGE/gw502-lab.syn.tsv" --out "$STAGE/README.md" \
    gw502-lab.pcap="$TMP/gw502-lab.frames.json" \
    gw502-lab-eth.pcap="$TMP/gw502-lab-eth.frames.json" \
    gw502-lab-ng.pcapng="$TMP/gw502-lab-ng.frames.json" \
    gw502-lab-squid.pcap="$TMP/gw502-lab-squid.frames.json"
mkdir -p "$OUT"
for f in "$STAGE"/*; do install -m 0644 "$f" "$OUT/"; done
[ -z "$PID_live" ] || install -m 0644 "$TMP/live.log" "$OUT/live.log"
log "done in $(( $(date +%s) - START )) s; output in $(cd "$OUT" && pwd)"
