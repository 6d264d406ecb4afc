#!/bin/bash
# gw502tui odd-proxies lab: a gateway running four real forward proxies
# that label failures their own way (DESIGN §7) -- tinyproxy, privoxy,
# Apache httpd's mod_proxy (ProxyRequests On) and Apache Traffic Server
# (its own resolver and HostDB; it retries a failed connection itself) --
# and one client sending
# every failure a gateway sees through each of them in turn: NXDOMAIN,
# dropped SYNs, ICMP admin-prohibited, RST (closed port), a reply without
# a status line, an upstream that closes without a byte, a relayed 502, a
# silent upstream (read timeout), and successes before and after. Whatever
# status each proxy answers is recorded, not assumed: the client's curl
# log, the capture (tshark) and the scenario plan (which host fails how)
# make the truth (truth.py), and gw502tui must find the failure behind a
# 500, a 404 or a 200 all the same.
#
# usage: tests/lab/record_odd.sh [OUTDIR]   (default: examples/ of this checkout)
# env:   GWODD_KEEP_TMP=1   keep the work directory (daemon logs, configs)
#
# Shares its namespace, PID and cleanup helpers with record.sh (ns.sh).
# Must run as root. Touches nothing in the root network namespace: every
# interface, address, iptables rule and sysctl lives in a namespace named
# gwodd-*; every process started is tracked by PID and stopped, every
# namespace deleted, on success, error, Ctrl-C or TERM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE/../../examples}
P=gwodd-
NS_BR=${P}br NS_GW=${P}gw NS_DNS=${P}dns NS_UP=${P}up NS_C1=${P}c1

# --- addresses (private, used only inside the namespaces) -----------------
GW4=10.252.0.1 DNS4=10.252.0.53 C1=10.252.0.11
OK4=10.252.0.80 CLOSED4=10.252.0.84 NOSTATUS4=10.252.0.85 CLOSER4=10.252.0.86
UP502_4=10.252.0.87 SILENT4=10.252.0.88 DROP4=10.252.0.90 ADMIN4=10.252.0.91
PORT_TINY=9094 PORT_PRIV=9095 PORT_APACHE=9096 PORT_ATS=9097
PROXIES="tinyproxy=$PORT_TINY privoxy=$PORT_PRIV apache=$PORT_APACHE ats=$PORT_ATS"
SYN_RETRIES=2     # a dropped-SYN series ends in 7 s where no proxy ends it first
UP_TIMEOUT=3      # each proxy's connect / read timeout, where it has one
MAXT=20           # upper bound for any one client request (s): ATS's four
                  # attempts of UP_TIMEOUT each end in 14-15 s

LAB_TAG=odd LAB_PREFIX=$P LAB_KEEP=${GWODD_KEEP_TMP:-0}
. "$HERE/ns.sh"

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, iptables in namespaces)"

need_lab_tools
need dnsmasq dnsmasq-base
need tinyproxy tinyproxy-bin
need privoxy privoxy
need apache2 apache2
need traffic_server trafficserver
need curl curl

lab_begin gwodd 300
START=$(date +%s)

# --- topology: one bridge, every host one leg on it, IPv4 only ---------------
log "building namespaces"
bridge_new
hosts_new "$NS_GW" "$NS_DNS" "$NS_UP" "$NS_C1"
attach "$NS_GW"  p-gw  "$GW4/24"
attach "$NS_DNS" p-dns "$DNS4/24"
attach "$NS_UP"  p-up  "$OK4/24" "$CLOSED4/24" "$NOSTATUS4/24" "$CLOSER4/24" \
    "$UP502_4/24" "$SILENT4/24" "$DROP4/24" "$ADMIN4/24"
attach "$NS_C1"  p-c1  "$C1/24"

# The gateway (only): few SYN retries. Firewalled upstream addresses: DROP
# -> SYN backoff; REJECT -> ICMP admin prohibited.
gw_syn_backoff "$SYN_RETRIES"
up_firewall drop "$DROP4"
up_firewall admin "$ADMIN4"
wait_for 5 "gateway reaches the bridge" nsx "$NS_GW" ping -c1 -W1 "$DNS4"

# --- DNS: dnsmasq, authoritative for odd.test; one name per scenario and
# proxy (SCEN-PROXY.odd.test), so no proxy's look-up is another's ----------
{
    for px in $PROXIES; do
        px=${px%%=*}
        printf '%s\tok-%s.odd.test\n' "$OK4" "$px"
        printf '%s\tclosed-%s.odd.test\n' "$CLOSED4" "$px"
        printf '%s\tnostatus-%s.odd.test\n' "$NOSTATUS4" "$px"
        printf '%s\tcloser-%s.odd.test\n' "$CLOSER4" "$px"
        printf '%s\tup502-%s.odd.test\n' "$UP502_4" "$px"
        printf '%s\tsilent-%s.odd.test\n' "$SILENT4" "$px"
        printf '%s\tdrop-%s.odd.test\n' "$DROP4" "$px"
        printf '%s\tblocked-%s.odd.test\n' "$ADMIN4" "$px"
    done
} >"$TMP/odd.hosts"
dnsmasq_start "$DNS4" "$TMP/odd.hosts" odd.test </dev/null   # missing-*: NXDOMAIN
# The gateway resolves through the lab DNS only (glibc: tinyproxy, privoxy
# and apache ask getaddrinfo per request; ATS has its own resolver, given
# the lab's DNS server below).
mkdir -p "/etc/netns/$NS_GW"
printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$DNS4" >"/etc/netns/$NS_GW/resolv.conf"
[ -e /etc/nsswitch.conf ] && printf 'hosts: files dns\n' >"/etc/netns/$NS_GW/nsswitch.conf"
[ -e /etc/hosts ] && printf '127.0.0.1 localhost\n::1 localhost\n' >"/etc/netns/$NS_GW/hosts"

# --- upstream servers (CLOSED4 has none: its SYNs get an RST) ----------------
start "$NS_UP" up-ok       "$PY" "$HERE/upstream.py" ok        "$OK4" 80
start "$NS_UP" up-nostatus "$PY" "$HERE/upstream.py" nostatus  "$NOSTATUS4" 80
start "$NS_UP" up-close    "$PY" "$HERE/upstream.py" close     "$CLOSER4" 80
start "$NS_UP" up-502      "$PY" "$HERE/upstream.py" status502 "$UP502_4" 80
start "$NS_UP" up-silent   "$PY" "$HERE/upstream.py" silent    "$SILENT4" 80
for a in "$OK4" "$NOSTATUS4" "$CLOSER4" "$UP502_4" "$SILENT4"; do
    wait_for 10 "upstream server on $a" listening "$NS_UP" tcp "^$a:80\$"
done

# --- the three proxies on the gateway, each with a configuration of its own
# in the work directory -------------------------------------------------------
chmod 0711 "$TMP"     # tinyproxy drops to nobody: it must reach its files
# tinyproxy (1.11): Timeout bounds the connect and the wait for the reply.
mkdir -p "$TMP/tinyproxy"
chown nobody "$TMP/tinyproxy"
cat >"$TMP/tinyproxy/tinyproxy.conf" <<EOF
User nobody
Group nogroup
Port $PORT_TINY
Listen $GW4
Timeout $UP_TIMEOUT
LogFile "$TMP/tinyproxy/tinyproxy.log"
LogLevel Info
PidFile "$TMP/tinyproxy/tinyproxy.pid"
MaxClients 20
Allow 10.252.0.0/24
DisableViaHeader Yes
EOF
start "$NS_GW" tinyproxy tinyproxy -d -c "$TMP/tinyproxy/tinyproxy.conf"
# privoxy: no actions, no filters; socket-timeout bounds the wait for the
# reply, not the connect (the kernel's SYN retries end that); --no-daemon
# logs to stderr: debug 512 is its access log (Common Log Format), 1 and 2
# say which server each request went to and how the connection went.
mkdir -p "$TMP/privoxy"
cat >"$TMP/privoxy/config" <<EOF
confdir $TMP/privoxy
templdir /etc/privoxy/templates
logdir $TMP/privoxy
listen-address $GW4:$PORT_PRIV
toggle 0
enable-remote-toggle 0
enable-edit-actions 0
socket-timeout $UP_TIMEOUT
keep-alive-timeout 1
connection-sharing 0
forwarded-connect-retries 0
debug 1
debug 2
debug 512
debug 4096
debug 8192
EOF
start "$NS_GW" privoxy privoxy --no-daemon "$TMP/privoxy/config"
# Apache httpd 2.4: mod_proxy + mod_proxy_http as a forward proxy, in the
# foreground with a configuration, pid file, error log and runtime
# directory of its own; Timeout bounds the connect, ProxyTimeout the reply.
mkdir -p "$TMP/apache"
MODS=/usr/lib/apache2/modules
cat >"$TMP/apache/httpd.conf" <<EOF
ServerRoot $TMP/apache
ServerName gwodd-gateway
DefaultRuntimeDir $TMP/apache
PidFile $TMP/apache/httpd.pid
ErrorLog $TMP/apache/error.log
LogLevel warn proxy:info proxy_http:info
Mutex file:$TMP/apache default
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_http_module $MODS/mod_proxy_http.so
User nobody
Group nogroup
Listen $GW4:$PORT_APACHE
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
KeepAlive On
KeepAliveTimeout 2
Timeout $UP_TIMEOUT
ProxyTimeout $UP_TIMEOUT
ProxyRequests On
ProxyVia Off
<Proxy "*">
    Require all granted
</Proxy>
# the client's address:port join a line to the capture
LogFormat "%a:%{remote}p %{%s}t \"%r\" %>s %D" odd
CustomLog $TMP/apache/access.log odd
EOF
nsx "$NS_GW" apache2 -t -f "$TMP/apache/httpd.conf" >/dev/null 2>"$TMP/apache-t.log" ||
    die "apache2 -t: $(tail -n 3 "$TMP/apache-t.log")"
start "$NS_GW" apache apache2 -f "$TMP/apache/httpd.conf" -DFOREGROUND
# Apache Traffic Server 9.2: a forward proxy (no remap needed), as root in
# the gateway namespace, every file in $TMP/ats (runroot.yaml names its
# config, runtime, log and cache directories). Its own resolver asks the
# lab's DNS server only; HostDB as shipped (obeys the TTL: 0 here). No
# object cache. Its connect retries are the defaults (up to 3 more
# attempts per request, each a new connection); only their timeouts are
# shortened: connect_attempts_timeout (30 s by default: each attempt would
# wait for the kernel's 7 s SYN series, four of them 28 s, longer than
# MAXT) and transaction_no_activity_timeout_out (30 s: a silent upstream
# would take four times that) are UP_TIMEOUT. user_id #-1 keeps root (ATS
# refuses to serve as "root" by name); crash_log_helper /bin/true spares a
# helper process. Its access log (logging.yaml) gives the client's
# address:port, ATS's result code (ERR_CONNECT_FAIL, ...) and the origin's
# status; error.log a line per failed connection attempt.
A=$TMP/ats
mkdir -p "$A/etc" "$A/run" "$A/log" "$A/cache"
cat >"$A/runroot.yaml" <<EOF
prefix: /usr
exec_prefix: /usr
bindir: /usr/bin
sbindir: /usr/sbin
sysconfdir: $A/etc
datadir: $A/cache
includedir: /usr/include
libdir: /usr/lib/trafficserver
libexecdir: /usr/lib/trafficserver/modules
localstatedir: $A
runtimedir: $A/run
logdir: $A/log
cachedir: $A/cache
EOF
cat >"$A/etc/records.config" <<EOF
CONFIG proxy.config.admin.user_id STRING #-1
CONFIG proxy.config.crash_log_helper STRING /bin/true
CONFIG proxy.config.http.server_ports STRING $PORT_ATS:ipv4:ip-in=$GW4
CONFIG proxy.config.url_remap.remap_required INT 0
CONFIG proxy.config.reverse_proxy.enabled INT 0
CONFIG proxy.config.http.cache.http INT 0
CONFIG proxy.config.dns.nameservers STRING $DNS4
CONFIG proxy.config.dns.resolv_conf STRING NULL
CONFIG proxy.config.http.connect_attempts_timeout INT $UP_TIMEOUT
CONFIG proxy.config.http.transaction_no_activity_timeout_out INT $UP_TIMEOUT
CONFIG proxy.config.http.insert_request_via_str INT 0
CONFIG proxy.config.http.insert_response_via_str INT 0
CONFIG proxy.config.body_factory.template_sets_dir STRING /etc/trafficserver/body_factory
CONFIG proxy.config.exec_thread.autoconfig INT 0
CONFIG proxy.config.exec_thread.limit INT 1
CONFIG proxy.config.task_threads INT 1
CONFIG proxy.config.net.connections_throttle INT 1000
CONFIG proxy.config.log.max_secs_per_buffer INT 1
EOF
cat >"$A/etc/ip_allow.yaml" <<EOF
ip_allow:
  - apply: in
    ip_addrs: 10.252.0.0/24
    action: allow
    methods: ALL
  - apply: out
    ip_addrs: 10.252.0.0/24
    action: allow
    methods: ALL
EOF
# Two access logs: the lab's own format (client port, origin status) and
# the one ATS ships, `squid` (its logging.yaml's definition, in ascii
# rather than its default binary mode), which gw502tui reads as `ats`.
cat >"$A/etc/logging.yaml" <<'EOF'
logging:
  formats:
    - name: odd
      format: '%<chi>:%<chp> %<cqtq> "%<cqhm> %<cquc>" %<pssc> %<crc> %<sssc> %<ttms> %<shi> %<pfsc>'
    - name: squid
      format: '%<cqtq> %<ttms> %<chi> %<crc>/%<pssc> %<psql> %<cqhm> %<cquc> %<caun> %<phr>/%<shn> %<psct>'
  logs:
    - filename: access
      format: odd
      mode: ascii
    - filename: squid
      format: squid
      mode: ascii
EOF
for f in storage.config cache.config parent.config plugin.config remap.config \
    volume.config ssl_multicert.config; do : >"$A/etc/$f"; done
printf 'sni: []\n' >"$A/etc/sni.yaml"
start "$NS_GW" ats traffic_server --run-root="$A/runroot.yaml"
wait_for 10 "tinyproxy on :$PORT_TINY" listening "$NS_GW" tcp ":$PORT_TINY\$"
wait_for 10 "privoxy on :$PORT_PRIV" listening "$NS_GW" tcp ":$PORT_PRIV\$"
wait_for 10 "apache2 on :$PORT_APACHE" listening "$NS_GW" tcp ":$PORT_APACHE\$"
wait_for 20 "traffic_server on :$PORT_ATS" listening "$NS_GW" tcp ":$PORT_ATS\$"

# --- capture on the gateway (one leg: clients, DNS and upstreams) -----------
CAP=$TMP/gw502-odd.pcap
gw_tcpdump "$CAP"

# --- scenarios: each through each proxy, one request at a time ---------------
# Scenario log, truth.py's format (one line per request): the status is the
# one the client saw, the expectation is that status (what a proxy answers
# is recorded, not assumed); truth.py checks both against the capture.
SLOG=$TMP/scenarios.tsv
printf '#client\tclient_port\tmethod\turl\tclient_saw\texpected_status\tverdict\tcause\tscenario\tproxy_port\tdest\tissue\n' >"$SLOG"

get() { # get PROXY PORT SCEN VERDICT CAUSE DEST URL
    local px=$1 pport=$2 scen=$3 verdict=$4 cause=$5 dest=$6 url=$7 ip cport st
    log "  $px: $scen: GET $url"
    run_fg "$TMP/client.out" "$NS_C1" curl -s --max-time "$MAXT" -x "http://$GW4:$pport" \
        -o /dev/null -w '%{local_ip} %{local_port} %{http_code}\n' "$url"
    read -r ip cport st <"$TMP/client.out" || die "$px $scen: curl printed nothing"
    [ "$st" = 000 ] && st=-
    printf '%s\t%s\tGET\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t-\n' "$ip" "$cport" "$url" "$st" \
        "$st" "$verdict" "$cause" "$px:$scen" "$pport" "$dest" >>"$SLOG"
    echo "$px	$scen	$st" >>"$TMP/statuses.tsv"
}
gap() { sleep 0.3; }   # keeps requests apart in time (nothing to wait for)

log "running scenarios"
for px in $PROXIES; do
    pport=${px#*=} px=${px%%=*}
    get "$px" "$pport" ok              ok                  none                  "$OK4"      "http://ok-$px.odd.test/first"; gap
    get "$px" "$pport" nxdomain        host-not-resolvable dns-nxdomain          -           "http://missing-$px.odd.test/"; gap
    get "$px" "$pport" syn-drop        cannot-connect      syn-unanswered        "$DROP4"    "http://drop-$px.odd.test/"; gap
    get "$px" "$pport" icmp-admin      cannot-connect      icmp-unreachable      "$ADMIN4"   "http://blocked-$px.odd.test/"; gap
    get "$px" "$pport" tcp-rst         cannot-connect      tcp-rst               "$CLOSED4"  "http://closed-$px.odd.test/"; gap
    get "$px" "$pport" no-status-line  bad-response        http-invalid-response "$NOSTATUS4" "http://nostatus-$px.odd.test/fw4.pdf"; gap
    get "$px" "$pport" upstream-closed bad-response        upstream-closed       "$CLOSER4"  "http://closer-$px.odd.test/"; gap
    get "$px" "$pport" relayed-502     relayed             upstream-5xx          "$UP502_4"  "http://up502-$px.odd.test/"; gap
    get "$px" "$pport" silent          bad-response        upstream-timeout      "$SILENT4"  "http://silent-$px.odd.test/report"; gap
    get "$px" "$pport" ok-after        ok                  none                  "$OK4"      "http://ok-$px.odd.test/after"; gap
done
sleep 1   # the last FIN/ACKs reach the capture
stop_pids INT "$PID_tcpdump"
# apache and tinyproxy write their logs as they go; privoxy too; ATS
# writes its access log every second or so and not on TERM: wait for its
# ten lines
ats_logged() { [ "$(grep -c '"GET ' "$A/log/access.log" 2>/dev/null)" -ge 10 ] &&
    [ "$(grep -c ' GET ' "$A/log/squid.log" 2>/dev/null)" -ge 10 ]; }
wait_for 15 "ATS's access log" ats_logged
stop_pids TERM "$PID_apache" "$PID_privoxy" "$PID_tinyproxy" "$PID_ats"

# --- truth, staged: OUTDIR changes only when the truth check passed ----------
STAGE=$TMP/out
mkdir -p "$STAGE"
cp "$CAP" "$STAGE/gw502-odd.pcap"
"$PY" "$HERE/truth.py" --capture "$STAGE/gw502-odd.pcap" --scenarios "$SLOG" \
    --truth "$STAGE/gw502-odd.truth.tsv" --syn "$STAGE/gw502-odd.syn.tsv" \
    --ports "$PORT_TINY,$PORT_PRIV,$PORT_APACHE,$PORT_ATS" --gateway "$GW4" \
    || die "truth check failed (scenario log: $SLOG; set GWODD_KEEP_TMP=1 to keep it)"
cp "$SLOG" "$STAGE/gw502-odd.scenarios.tsv"
# the access logs: apache's own format (LogFormat above), privoxy's Common
# Log Format lines, tinyproxy's log (it has no access log: a Request line
# per request, an ERROR or WARNING line per failure), ATS's two access
# logs (logging.yaml above) and its error.log (a line per failed
# connection attempt, one per DNS failure)
cp "$TMP/apache/access.log" "$STAGE/gw502-odd.apache.log"
grep -h '"GET ' "$TMP/privoxy.log" >"$STAGE/gw502-odd.privoxy.log" ||
    die "privoxy logged no request (debug 512)"
grep -hE '^(CONNECT|ERROR|WARNING) ' "$TMP/tinyproxy/tinyproxy.log" >"$STAGE/gw502-odd.tinyproxy.log" ||
    die "tinyproxy logged no request"
cp "$A/log/access.log" "$STAGE/gw502-odd.ats.log"
cp "$A/log/squid.log" "$STAGE/gw502-odd.ats-squid.log"
cp "$A/log/error.log" "$STAGE/gw502-odd.ats-error.log"
mkdir -p "$OUT"
for f in "$STAGE"/*; do install -m 0644 "$f" "$OUT/"; done
log "statuses seen: $(awk -F'\t' '{printf "%s %s=%s; ", $1, $2, $3}' "$TMP/statuses.tsv")"
log "done in $(( $(date +%s) - START )) s; $(stat -c %s "$CAP") bytes captured; output in $(cd "$OUT" && pwd)"
