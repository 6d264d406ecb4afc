# ns.sh: what the capture labs (record.sh, record_hop.sh, record_busy.sh,
# record_odd.sh, record_reply.sh) share, sourced by each; defines functions only, runs nothing. Every process a lab starts
# is tracked by PID, every namespace it creates is listed, and one cleanup
# (on EXIT, INT and TERM) stops the processes, kills anything left inside
# the lab's namespaces and deletes them, whatever happened.
#
# A lab sets, before calling lab_begin:
#   LAB_TAG     its name in log lines ("lab", "hop")
#   LAB_PREFIX  its namespaces' prefix ("gw502lab-"); nothing else is touched
#   LAB_KEEP    1: keep the work directory (daemon logs) for debugging
# and the environment may set
#   GW_LAB_KEEP_FAILED  a directory: a run that fails moves its work
#               directory (capture, logs) there, as gw502-TAG-lab-failed.DATE
#               (the tests set it: a fresh recording that failed in CI
#               cannot be made again)
# shellcheck shell=bash

log() { printf '[%s %(%H:%M:%S)T] %s\n' "$LAB_TAG" -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- dependencies (CI: fresh Debian 12) ----------------------------------
APT_UPDATED=0
need() { # need COMMAND PACKAGE: installs PACKAGE when COMMAND is missing
    command -v "$1" >/dev/null 2>&1 && return 0
    command -v apt-get >/dev/null 2>&1 || die "$1 missing and no apt-get to install $2"
    if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
    log "installing $2 (for $1)"
    # Packages such as nginx-light would start their system service in the
    # root namespace; a temporary policy-rc.d (the Debian way) forbids that.
    local policy=/usr/sbin/policy-rc.d created=0 rc=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# %s lab: no service starts while installing\nexit 101\n' \
            "$LAB_TAG" >"$policy"
        chmod 0755 "$policy"; created=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq \
        --no-install-recommends "$2" >/dev/null || rc=$?
    [ "$created" = 1 ] && rm -f "$policy"
    [ "$rc" = 0 ] || die "apt-get install $2 failed (exit $rc)"
    command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
}

# need_lab_tools: what every lab uses (namespaces, firewall, capture, the
# truth scripts, the one-run lock); sets PY to Debian's python3 rather than
# any shim in PATH (the scripts use its stdlib only)
need_lab_tools() {
    need ip iproute2
    need ss iproute2
    need sysctl procps
    need ping iputils-ping
    need iptables iptables
    need tcpdump tcpdump
    need tshark tshark
    need python3 python3
    need flock util-linux
    PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
}

PIDS=()      # every process started (ip netns exec execs, so $! is the daemon)
NSES=()      # every namespace created
TMP=
CLEANED=0

# lab_begin LOCKNAME WAIT_S: one run at a time (waits WAIT_S s for another),
# removes what a killed run left, makes the work directory $TMP and
# installs the cleanup.
lab_begin() {
    local lockdir=/run/lock
    [ -d "$lockdir" ] || lockdir=/tmp
    exec 9>"$lockdir/$1.lock"
    flock -w "$2" 9 || die "another run holds $lockdir/$1.lock"
    lab_reclaim
    TMP=$(mktemp -d "/tmp/${LAB_PREFIX%-}.XXXXXX")
    trap cleanup EXIT
    trap 'log interrupted; exit 130' INT
    trap 'log terminated; exit 143' TERM
}

# lab_reclaim: namespaces named ${LAB_PREFIX}* while we hold the lock are a
# killed run's (SIGKILL or a machine stop skip its cleanup; a live run holds
# the lock): kill what still runs inside them, by PID, and delete them.
lab_reclaim() {
    local ns
    for ns in $(ip netns list | cut -d' ' -f1 | grep "^${LAB_PREFIX}"); do
        ns_kill_inside "$ns"
        log "removing namespace $ns, left by a killed run"
        ip netns del "$ns" || die "cannot delete namespace $ns a killed run left"
    done
    rm -rf /etc/netns/"${LAB_PREFIX}"*
}

ns_kill_inside() { # ns_kill_inside NS: KILL, by PID, whatever runs in NS
    local pid
    for pid in $(ip netns pids "$1" 2>/dev/null); do
        log "leftover pid $pid in $1 ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)), killing"
        kill -KILL "$pid" 2>/dev/null || true
    done
}

alive() { # alive PID: running and not a zombie
    [ -r "/proc/$1/stat" ] || return 1
    local st; st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}

WAITS=()
later() { # later CMD...: CMD in the background, tracked; wait_all waits
    "$@" &
    PIDS+=("$!"); WAITS+=("$!")
}
wait_all() {
    local pid
    for pid in "${WAITS[@]}"; do wait "$pid" || true; done
    untrack "${WAITS[@]}"
    WAITS=()
}
untrack() { # untrack PID...: reaped PIDs may be reused by others: forget them
    local pid keep=() p
    for p in "${PIDS[@]}"; do
        for pid in "$@"; do [ "$p" = "$pid" ] && continue 2; done
        keep+=("$p")
    done
    PIDS=("${keep[@]}")
}

stop_pids() { # stop_pids SIGNAL PID... : signal, wait at most STOP_WAIT s (5), then KILL
    local sig=$1 pid i any; shift
    for pid in "$@"; do kill "-$sig" "$pid" 2>/dev/null || true; done
    for i in $(seq $((${STOP_WAIT:-5} * 10))); do
        any=0
        for pid in "$@"; do alive "$pid" && any=1; done
        [ "$any" = 0 ] && break
        sleep 0.1
    done
    for pid in "$@"; do
        if alive "$pid"; then log "pid $pid ignored SIG$sig, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
    done
    for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
    untrack "$@"
}

run_fg() { # run_fg OUTFILE NS CMD...: a client in NS, tracked, interruptible wait
    local of=$1 ns=$2 pid; shift 2
    ip netns exec "$ns" "$@" >"$of" 2>>"$TMP/clients.err" </dev/null &
    pid=$!; PIDS+=("$pid")
    wait "$pid" || true    # a trapped INT/TERM interrupts this wait at once
    untrack "$pid"
}

cleanup() {
    local rc=$? ns i kept
    [ "$CLEANED" = 1 ] && return; CLEANED=1
    trap - EXIT; trap "" INT TERM   # a second Ctrl-C must not cut the cleanup short
    set +e
    [ "${#PIDS[@]}" -gt 0 ] && stop_pids TERM "${PIDS[@]}"
    # Safety net: anything still inside our namespaces was started by this run
    # (e.g. a worker a daemon forked). Kill it by PID before deleting.
    for ns in "${NSES[@]}"; do ns_kill_inside "$ns"; done
    for i in $(seq ${#NSES[@]} -1 1); do
        ns=${NSES[$((i-1))]}
        ip netns del "$ns" 2>/dev/null
        rm -rf "/etc/netns/$ns"
    done
    if [ -n "$TMP" ]; then
        if [ "${LAB_KEEP:-0}" = 1 ]; then
            log "work directory kept: $TMP"
        elif [ "$rc" != 0 ] && [ -d "${GW_LAB_KEEP_FAILED:-}" ] &&
            kept=$GW_LAB_KEEP_FAILED/gw502-$LAB_TAG-lab-failed.$(date +%Y%m%d%H%M%S) &&
            mv "$TMP" "$kept"; then
            log "work directory kept in $kept"
        else
            rm -rf "$TMP"
        fi
    fi
    [ "$rc" = 0 ] || log "failed (exit $rc); lab torn down"
    exit "$rc"
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

ns_new() { # ns_new NAME: a tracked namespace with lo up
    NSES+=("$1")
    ip netns add "$1"
    ip -n "$1" link set lo up
}

ipv4_only() { # ipv4_only NS...: no IPv6 at all in them (keeps the capture quiet)
    local ns
    for ns in "$@"; do
        nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1 >/dev/null
    done
}

hosts_new() { # hosts_new NS...: tracked IPv4-only namespaces, lo up
    local ns
    for ns in "$@"; do ns_new "$ns"; ipv4_only "$ns"; done
}

start() { # start NS LOGNAME CMD...: background daemon in NS, PID tracked
    local ns=$1 name=$2; shift 2
    # not through nsx(): a function would fork a subshell and $! would be its PID
    ip netns exec "$ns" "$@" >"$TMP/$name.log" 2>&1 </dev/null &
    PIDS+=("$!")
    eval "PID_${name//-/_}=$!"
}

wait_for() { # wait_for SECONDS DESCRIPTION CMD...: poll CMD every 0.1 s
    local secs=$1 what=$2 i; shift 2
    for i in $(seq $((secs * 10))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "timed out after ${secs}s waiting for $what"
}

listening() { # listening NS tcp|udp ADDR:PORT-regex
    local opt=-ltnH; [ "$2" = udp ] && opt=-lunH
    nsx "$1" ss $opt | awk '{print $4}' | grep -Eq "$3"
}

# A lab on one bridge: the namespace $NS_BR holds br0 and no address at all;
# every host namespace gets one veth leg (eth0) on it.
bridge_new() { # bridge_new: makes $NS_BR (tracked) with br0 up
    hosts_new "$NS_BR"
    ip -n "$NS_BR" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    ip -n "$NS_BR" link set br0 up
}

attach() { # attach NS PORTNAME ADDR/PREFIX...: veth NS:eth0 <-> bridge port (in NS_BR)
    local ns=$1 port=$2 a; shift 2
    ip -n "$NS_BR" link add "$port" type veth peer name eth0 netns "$ns"
    ip -n "$NS_BR" link set "$port" master br0 up
    for a in "$@"; do
        case $a in
            *:*) ip -n "$ns" addr add "$a" dev eth0 nodad ;;
            *)   ip -n "$ns" addr add "$a" dev eth0 ;;
        esac
    done
    ip -n "$ns" link set eth0 up
}

# gw_syn_backoff RETRIES: in $NS_GW only, a dropped SYN series ends after
# RETRIES retries, with classic exponential backoff (kernels >= 6.6 would
# first retry at a fixed 1 s); no tail-loss probes (no data
# retransmissions that no scenario is about).
gw_syn_backoff() {
    nsx "$NS_GW" sysctl -qw net.ipv4.tcp_syn_retries="$1" net.ipv4.tcp_early_retrans=0 >/dev/null
    if nsx "$NS_GW" test -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts; then
        nsx "$NS_GW" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 >/dev/null
    fi
}

# up_firewall drop|admin ADDR...: in $NS_UP, TCP to each ADDR is dropped
# (SYN backoff) or answered ICMP admin prohibited -- for every SYN: the
# upstream's kernel (this namespace only) does not rate-limit its ICMP
# errors, else some SYNs to one address would go unanswered at random and
# which request met which would not be in the packets.
up_firewall() {
    local how=$1 a; shift
    nsx "$NS_UP" sysctl -qw net.ipv4.icmp_ratelimit=0 >/dev/null
    for a in "$@"; do
        if [ "$how" = drop ]; then
            nsx "$NS_UP" iptables -A INPUT -d "$a" -p tcp -j DROP
        else
            nsx "$NS_UP" iptables -A INPUT -d "$a" -p tcp -j REJECT --reject-with icmp-admin-prohibited
        fi
    done
}

# dnsmasq_start LISTEN HOSTS DOMAIN: dnsmasq in $NS_DNS (PID_dnsmasq) on
# LISTEN (addresses, comma separated), authoritative for DOMAIN: the names
# in the hosts file HOSTS, NXDOMAIN for the rest; no cache (TTL 0), every
# query logged to $TMP/dnsmasq-queries.log. Its configuration is
# $TMP/dnsmasq.conf, the lab's own lines read from stdin. Waits until it
# listens on LISTEN's first address.
dnsmasq_start() {
    local first=${1%%,*}
    {
        cat <<EOF
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=$1
except-interface=lo
user=root
cache-size=0
addn-hosts=$2
# $3 is ours: names not listed in the hosts file get NXDOMAIN
local=/$3/
log-queries
log-facility=$TMP/dnsmasq-queries.log
EOF
        cat
    } >"$TMP/dnsmasq.conf"
    start "$NS_DNS" dnsmasq dnsmasq --keep-in-foreground --pid-file= --conf-file="$TMP/dnsmasq.conf"
    wait_for 10 "dnsmasq on $first:53" listening "$NS_DNS" udp "^$first:53\$"
}

# squid_start NAME: squid in $NS_GW on :$PORT_SQUID (PID_squid), its files in
# $TMP/squid; the configuration's common part here, the lab's own lines
# (log format, DNS, timeouts) read from stdin. Waits until it listens.
# nginx_main DIR: the top of an nginx.conf whose pid, error log and
# temporary files live in DIR, one worker in the foreground, opening its
# http block; the lab writes the block's own lines and its closing brace.
nginx_main() {
    cat <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log error;
events { worker_connections 256; }
http {
    access_log $1/access.log;
    client_body_temp_path $1/body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
EOF
}

# gw_tcpdump PCAP: tcpdump on the gateway's eth0 (PID_tcpdump), whole
# packets into PCAP; returns once it listens.
gw_tcpdump() {
    start "$NS_GW" tcpdump tcpdump -Z root -n -U -s 0 -i eth0 -w "$1"
    wait_for 10 "tcpdump -i eth0" grep -q 'listening on' "$TMP/tcpdump.log"
}

# ask NAME PROXY PATH: one request from $NS_C1 for NAME.$ASK_DOMAIN in
# origin form through the proxy on $GW4:PROXY, its line (NAME, PROXY,
# PATH, curl's local port and status) in $TMP/client.tsv.
ask() {
    local line
    line=$(nsx "$NS_C1" curl -s -o /dev/null -w '%{local_port}\t%{http_code}' \
        --max-time 15 -H "Host: $1.$ASK_DOMAIN" "http://$GW4:$2$3" || true)
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$line" >>"$TMP/client.tsv"
}

# haproxy_main NAME ADDR:PORT: the top of a haproxy.cfg at its defaults
# but for the timeouts (retries 3; a second between attempts), its log,
# raw, on stdout, and the frontend NAME on ADDR:PORT choosing the backend
# be_HOST by the request's Host (its first label); the lab writes the
# backends.
haproxy_main() {
    cat <<EOF
global
    maxconn 256
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 10s
    timeout server 2s
frontend $1
    bind $2
    use_backend be_%[req.hdr(host),lower,field(1,.)]
EOF
}

squid_start() {
    local squser=proxy
    mkdir -p "$TMP/squid"
    id proxy >/dev/null 2>&1 || squser=nobody
    chmod 0711 "$TMP"      # squid drops to its user: it must reach its files
    chown "$squser" "$TMP/squid"
    {
        cat <<EOF
http_port $PORT_SQUID
visible_hostname $1
http_access allow all
cache deny all
cache_effective_user $squser
pid_filename $TMP/squid/squid.pid
cache_log $TMP/squid/cache.log
coredump_dir $TMP/squid
logfile_rotate 0
pinger_enable off
shutdown_lifetime 1 seconds
EOF
        cat
    } >"$TMP/squid/squid.conf"
    start "$NS_GW" squid squid -N -f "$TMP/squid/squid.conf"
    wait_for 30 "squid on :$PORT_SQUID" listening "$NS_GW" tcp ":$PORT_SQUID\$"
}
