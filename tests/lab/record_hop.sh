#!/bin/bash
# gw502tui next-hop lab (issue 17): a gateway, a router between it and the
# upstreams, captures on both at the same time. The router drops, rejects,
# NATs and rewrites, one scenario for each place a request can fail between
# the gateway and its destination. Writes a capture pair, the router's
# timestamps shifted by a known offset, and a truth file (*.where.tsv:
# not *.truth.tsv, which names the main lab's format).
#
# usage: tests/lab/record_hop.sh [OUTDIR]     (default: examples/ of this checkout)
# env:   GWHOP_KEEP_TMP=1  keep the work directory (daemon logs, raw captures)
#        GWHOP_OFFSET=S    seconds added to the router capture's clock (2.345678)
#
# Shares its namespace, PID and cleanup helpers with record.sh (ns.sh).
# Must run as root. Touches nothing in the root network
# namespace: every interface, address, route, rule and sysctl lives in a
# namespace named gwhop-*; every process started is tracked by PID and
# stopped, every namespace deleted, on success, error, Ctrl-C or TERM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE/../../examples}
OFFSET=${GWHOP_OFFSET:-2.345678}
P=gwhop-
NS_CL=${P}cl NS_GW=${P}gw NS_RT=${P}rt NS_DNS=${P}dns NS_UP=${P}up

# --- addresses (private, used only inside the namespaces) -----------------
CL4=10.251.1.10 GWC4=10.251.1.1          # client <-> gateway
GWU4=10.251.2.1 RTG4=10.251.2.2          # gateway <-> router (br0 on the router)
RTU4=10.251.3.1 RTD4=10.251.4.1          # router's legs to upstreams and DNS
OK4=10.251.3.10 BEFORE4=10.251.3.11 BEYOND4=10.251.3.12 AFTER4=10.251.3.13
HOPRST4=10.251.3.14 HOPICMP4=10.251.3.15 CLOSED4=10.251.3.16 ALTER4=10.251.3.17
EARLY4=10.251.3.18
DNS4=10.251.4.53 DNSBEFORE4=10.251.4.54 DNSBEYOND4=10.251.4.55 DNSAFTER4=10.251.4.56
PORT=9090

LAB_TAG=hop LAB_PREFIX=$P LAB_KEEP=${GWHOP_KEEP_TMP:-0}
. "$HERE/ns.sh"

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, firewall rules in namespaces)"

# --- dependencies (installed when missing, no service started) -------------
need_lab_tools
need nft nftables
need dnsmasq dnsmasq-base
need nginx nginx-light
need mergecap wireshark-common
need editcap wireshark-common
need curl curl

# --- one run at a time ------------------------------------------------------
lab_begin gwhop 300
START=$(date +%s)

# --- helpers ---------------------------------------------------------------
link() { # link NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair (ADDR "-": none)
    ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
    [ "$3" = - ] || ip -n "$1" addr add "$3" dev "$2"
    [ "$6" = - ] || ip -n "$4" addr add "$6" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
}

# --- topology ----------------------------------------------------------------
#   cl --- gw ==[gwport|br0]== rt --- up    (rt eth1: upstreams)
#                               \---- dns   (rt eth2: DNS servers)
# The router's leg towards the gateway is a bridge: its nftables bridge
# rules act on the port, before br0's capture point (ingress: lost before
# the hop) or after it (egress: the hop sent it, the gateway never got it).
log "building namespaces"
hosts_new "$NS_CL" "$NS_GW" "$NS_RT" "$NS_DNS" "$NS_UP"
link "$NS_CL" eth0 "$CL4/24" "$NS_GW" eth0 "$GWC4/24"
link "$NS_GW" eth1 "$GWU4/24" "$NS_RT" gwport -
ip -n "$NS_RT" link add br0 type bridge stp_state 0 forward_delay 0
ip -n "$NS_RT" link set gwport master br0
ip -n "$NS_RT" addr add "$RTG4/24" dev br0
ip -n "$NS_RT" link set br0 up
link "$NS_RT" eth1 "$RTU4/24" "$NS_UP" eth0 "$OK4/24"
link "$NS_RT" eth2 "$RTD4/24" "$NS_DNS" eth0 "$DNS4/24"
for a in "$BEFORE4" "$BEYOND4" "$AFTER4" "$HOPRST4" "$HOPICMP4" "$CLOSED4" "$ALTER4" "$EARLY4"; do
    ip -n "$NS_UP" addr add "$a/24" dev eth0
done
for a in "$DNSBEFORE4" "$DNSBEYOND4" "$DNSAFTER4"; do ip -n "$NS_DNS" addr add "$a/24" dev eth0; done
ip -n "$NS_GW" route add default via "$RTG4"
ip -n "$NS_UP" route add default via "$RTU4"
ip -n "$NS_DNS" route add default via "$RTD4"
nsx "$NS_RT" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
nsx "$NS_GW" sysctl -qw net.ipv4.tcp_syn_retries=2 >/dev/null
[ -e "/proc/sys/net/ipv4/tcp_syn_linear_timeouts" ] &&
    nsx "$NS_GW" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 >/dev/null

# What the router does (nftables bridge family on the gateway's port, and
# iptables on its routed path); what the destinations do.
nsx "$NS_RT" nft -f - <<EOF
table bridge hop {
    chain before { type filter hook prerouting priority 0; policy accept;
        iifname "gwport" ip daddr $BEFORE4 tcp flags & (syn|ack) == syn drop
        iifname "gwport" ip daddr $DNSBEFORE4 udp dport 53 drop
    }
    chain after { type filter hook output priority 0; policy accept;
        oifname "gwport" ip saddr $AFTER4 tcp flags & (syn|ack) == syn|ack drop
        oifname "gwport" ip saddr $DNSAFTER4 udp sport 53 drop
        oifname "gwport" ip saddr $ALTER4 tcp sport 80 @ih,0,64 0x485454502f312e31 @ih,64,32 set 0x20353032
    }
}
EOF
# (tcp-reset from the REJECT target never shows in the router's own br0
# capture; its kernel's RST for a closed port does: DNAT to one)
nsx "$NS_RT" iptables -t nat -A PREROUTING -d "$HOPRST4" -p tcp -j DNAT --to-destination "$RTG4:9"
nsx "$NS_RT" iptables -A FORWARD -d "$HOPICMP4" -p tcp -j REJECT --reject-with icmp-admin-prohibited
# NAT for some destinations: addresses and ports rewritten towards them.
for a in "$AFTER4" "$CLOSED4" "$ALTER4"; do
    nsx "$NS_RT" iptables -t nat -A POSTROUTING -o eth1 -d "$a" -p tcp \
        -j MASQUERADE --to-ports 20000-30000 --random
done
nsx "$NS_UP" iptables -A INPUT -d "$BEYOND4" -p tcp -j DROP
nsx "$NS_DNS" iptables -A INPUT -d "$DNSBEYOND4" -p udp --dport 53 -j DROP

wait_for 5 "gateway reaches the upstreams" nsx "$NS_GW" ping -c1 -W1 "$OK4"
wait_for 5 "client reaches the gateway" nsx "$NS_CL" ping -c1 -W1 "$GWC4"

# --- DNS, upstreams, proxy -----------------------------------------------------
cat >"$TMP/hop.hosts" <<EOF
$OK4	ok.hop.test
$BEFORE4	before.hop.test
$BEYOND4	beyond.hop.test
$AFTER4	after.hop.test
$HOPRST4	hoprst.hop.test
$HOPICMP4	hopicmp.hop.test
$CLOSED4	closed.hop.test
$ALTER4	altered.hop.test
$EARLY4	early.hop.test
$OK4	dnsbefore.hop.test dnsbeyond.hop.test dnsafter.hop.test
EOF
dnsmasq_start "$DNS4,$DNSAFTER4" "$TMP/hop.hosts" hop.test </dev/null

start "$NS_UP" up-ok "$PY" "$HERE/upstream.py" ok "$OK4" 80
start "$NS_UP" up-after "$PY" "$HERE/upstream.py" ok "$AFTER4" 80
start "$NS_UP" up-alter "$PY" "$HERE/upstream.py" ok "$ALTER4" 80
for a in "$OK4" "$AFTER4" "$ALTER4"; do
    wait_for 10 "upstream on $a" listening "$NS_UP" tcp "^$a:80\$"
done

mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/forward.conf" <<EOF
listen $PORT;
location / {
    proxy_pass http://\$host\$request_uri;
    proxy_set_header Host \$host;
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
    access_log $TMP/nginx/access.log;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    resolver_timeout 2s;
    proxy_connect_timeout 3s;
    proxy_send_timeout 3s;
    proxy_read_timeout 3s;
    server { resolver $DNS4 valid=1s; include $TMP/nginx/forward.conf; }
    server { server_name dnsbefore.hop.test; resolver $DNSBEFORE4 valid=1s; include $TMP/nginx/forward.conf; }
    server { server_name dnsbeyond.hop.test; resolver $DNSBEYOND4 valid=1s; include $TMP/nginx/forward.conf; }
    server { server_name dnsafter.hop.test; resolver $DNSAFTER4 valid=1s; include $TMP/nginx/forward.conf; }
}
EOF
nsx "$NS_GW" nginx -t -q -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
start "$NS_GW" nginx nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
wait_for 10 "nginx on :$PORT" listening "$NS_GW" tcp ":$PORT\$"

# --- scenarios -------------------------------------------------------------
# truth: one line per request: url, the client's status, where, what, nat
TRUTH=$TMP/truth.tsv
: >"$TRUTH"
get() { # get SCENARIO WHERE WHAT NAT DEST URL
    local st
    log "  $1: GET $6"
    run_fg "$TMP/client.out" "$NS_CL" curl -s --max-time 15 -x "http://$GWC4:$PORT" \
        -o /dev/null -w '%{http_code}' "$6"
    st=$(cat "$TMP/client.out"); [ "$st" = 000 ] && st=-
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$6" "$st" "$2" "$3" "$4" "$5" >>"$TRUTH"
}

start_capture() { # start_capture NS IFACE NAME
    start "$1" "cap-$3" tcpdump -Z root -n -U -s 0 -i "$2" -w "$TMP/$3.pcap"
    wait_for 10 "tcpdump on $1:$2" grep -q 'listening on' "$TMP/cap-$3.log"
}

log "starting the gateway's capture"
start_capture "$NS_GW" any gw
# Before the router's capture starts: not in the peer capture.
get not-in-peer not-in-peer connect no "$EARLY4" http://early.hop.test/
sleep 1
log "starting the router's captures (br0: towards the gateway; eth1, eth2: beyond)"
start_capture "$NS_RT" br0 rt-br0
start_capture "$NS_RT" eth1 rt-eth1
start_capture "$NS_RT" eth2 rt-eth2
get ok - - no "$OK4" http://ok.hop.test/
get lost-before-hop lost-before-hop connect no "$BEFORE4" http://before.hop.test/
get beyond-hop beyond-hop connect no "$BEYOND4" http://beyond.hop.test/
get lost-after-hop lost-after-hop connect yes "$AFTER4" http://after.hop.test/
get hop-rejects-rst hop-rejects connect no "$HOPRST4" http://hoprst.hop.test/
get hop-rejects-icmp hop-rejects connect no "$HOPICMP4" http://hopicmp.hop.test/
get from-beyond from-beyond connect yes "$CLOSED4" http://closed.hop.test/
get altered-after-hop altered-after-hop reply yes "$ALTER4" http://altered.hop.test/
get dns-lost-before-hop lost-before-hop dns no "$DNSBEFORE4" http://dnsbefore.hop.test/
get dns-beyond-hop beyond-hop dns no "$DNSBEYOND4" http://dnsbeyond.hop.test/
get dns-lost-after-hop lost-after-hop dns no "$DNSAFTER4" http://dnsafter.hop.test/
get dns-from-beyond from-beyond dns no "$DNS4" http://missing.hop.test/
sleep 1   # the last FIN/ACKs reach both captures
log "stopping captures"
stop_pids INT "$PID_cap_gw" "$PID_cap_rt_br0" "$PID_cap_rt_eth1" "$PID_cap_rt_eth2"

# --- the pair: the router's three interfaces as one pcap, its clock shifted ---
mergecap -F pcap -w "$TMP/rt.pcap" "$TMP/rt-br0.pcap" "$TMP/rt-eth1.pcap" "$TMP/rt-eth2.pcap"
editcap -t "$OFFSET" "$TMP/rt.pcap" "$TMP/rt-shifted.pcap"
STAGE=$TMP/out
mkdir -p "$STAGE"
cp "$TMP/gw.pcap" "$STAGE/gw502-hop.pcap"
cp "$TMP/rt-shifted.pcap" "$STAGE/gw502-hop.peer.pcap"
"$PY" "$HERE/hop_truth.py" --gw "$STAGE/gw502-hop.pcap" --peer "$STAGE/gw502-hop.peer.pcap" \
    --beyond "$TMP/rt-eth1.pcap,$TMP/rt-eth2.pcap" \
    --requests "$TRUTH" --offset "$OFFSET" --nat-address "$RTU4" --hop-address "$RTG4" \
    --out "$STAGE/gw502-hop.where.tsv" ||
    die "truth check failed (GWHOP_KEEP_TMP=1 keeps $TMP)"
mkdir -p "$OUT"
for f in "$STAGE"/*; do install -m 0644 "$f" "$OUT/"; done
log "done in $(( $(date +%s) - START )) s; output in $(cd "$OUT" && pwd)"
