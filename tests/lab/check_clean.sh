#!/bin/bash
# Run the lab into a temporary directory and check that it leaves the machine
# as it found it: no namespace, lab daemon or /etc/netns/gw502lab-* directory
# that was not there before (a killed run's, which the lab removes, may
# go), and the recording took < 7 minutes (two mitmproxies start, a 16 s
# dropped-SYN tunnel, tshark over four captures, on a shared machine).
#
# usage: tests/lab/check_clean.sh [--busy|--odd|--reply|--rev|--cache|--tls] [OUTDIR]
#        (root; exit 0 = clean, 1 = leak or failure)
# --busy: the same for the busy lab (record_busy.sh, namespaces gwbusy-*),
# which must finish in < 3 minutes and write < 3 MB.
# --odd: the odd-proxies lab (record_odd.sh, namespaces gwodd-*): < 2
# minutes, < 1 MB.
# --reply: the refused-reply lab (record_reply.sh, namespaces gwreply-*): < 1
# minute, < 2 MB.
# --rev: the reverse-proxy lab (record_rev.sh, namespaces gwrev-*): < 120 s
# (about 70 s here, its storm round about 17 s of it), < 1 MB (0.7 MB).
# --cache: the cache lab (record_cache.sh, namespaces gwcache-*): < 75 s
# (about 35 s here), < 1 MB (about 0.2 MB).
# --tls: the TLS-upstream lab (record_tls.sh, namespaces gwtls-*): < 60 s
# (about 25 s here), < 1 MB (about 0.15 MB).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIMIT_S=420 SIZE_LIMIT=2000000 LAB=record.sh P=gw502lab
OUTPUTS="gw502-lab.pcap gw502-lab-eth.pcap gw502-lab-ng.pcapng"
if [ "${1:-}" = --busy ]; then
    shift
    LIMIT_S=180 SIZE_LIMIT=3500000 LAB=record_busy.sh P=gwbusy OUTPUTS=gw502-busy.pcap
elif [ "${1:-}" = --odd ]; then
    shift
    LIMIT_S=120 SIZE_LIMIT=1000000 LAB=record_odd.sh P=gwodd OUTPUTS=gw502-odd.pcap
elif [ "${1:-}" = --reply ]; then
    shift
    LIMIT_S=60 SIZE_LIMIT=2000000 LAB=record_reply.sh P=gwreply OUTPUTS=gw502-reply.pcap
elif [ "${1:-}" = --rev ]; then
    shift
    LIMIT_S=120 SIZE_LIMIT=1000000 LAB=record_rev.sh P=gwrev OUTPUTS=gw502-rev.pcap
elif [ "${1:-}" = --cache ]; then
    shift
    LIMIT_S=75 SIZE_LIMIT=1000000 LAB=record_cache.sh P=gwcache OUTPUTS=gw502-cache.pcap
elif [ "${1:-}" = --tls ]; then
    shift
    LIMIT_S=60 SIZE_LIMIT=1000000 LAB=record_tls.sh P=gwtls OUTPUTS=gw502-tls.pcap
fi
[ "$(id -u)" = 0 ] || { echo "check_clean: must run as root" >&2; exit 1; }

command -v ps >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends procps >/dev/null
# usage: check_clean.sh [OUTDIR]: keeps the recordings in OUTDIR when given
if [ -n "${1:-}" ]; then
    OUT=$1
else
    OUT=$(mktemp -d "/tmp/$P-check.XXXXXX")
    trap 'rm -rf "$OUT"' EXIT
fi

# Processes of the kinds the lab starts, as "PID command line": daemons by
# executable name, helpers by script path. PID and command line together, so
# a daemon that was already running before is not counted as a leak.
lab_procs() {
    ps -eo pid=,comm=,args= | awk '
        $2 ~ /^(mitmdump|dnsmasq|nginx|squid|tcpdump|dumpcap|tinyproxy|privoxy|apache2|traffic_server|\[TS_MAIN\]|haproxy|varnishd|cache-main|varnishncsa|caddy)$/ ||
        /tests\/lab\/(upstream|connect|dnsrcode|busydns|busyload)\.py/ ||
        ($2 == "curl" && /(lab|odd|rev|cache|tls)\.test/) {
            pid = $1; $1 = ""; $2 = ""; sub(/^ +/, ""); print pid " " $0 }' | sort
}
netns_list() { ip netns list 2>/dev/null | sort; }
etc_netns() { ls -d /etc/netns/"$P"-* 2>/dev/null | sort; }

before_ns=$(netns_list); before_ps=$(lab_procs); before_etc=$(etc_netns)

start=$(date +%s)
"$HERE/$LAB" "$OUT" 2>"$OUT/record.log"
rc=$?
took=$(( $(date +%s) - start ))

# Nothing may linger, not even for a moment after record.sh returned.
after_ns=$(netns_list); after_ps=$(lab_procs); after_etc=$(etc_netns)

fail=0
if [ "$rc" != 0 ]; then
    echo "check_clean: $LAB failed (exit $rc); its log:" >&2
    tail -n 30 "$OUT/record.log" >&2
    fail=1
fi
# A leak is a namespace present after the run that was not there before; the
# only ones the run may remove are its own prefix's that a killed run left.
new_ns=$(comm -13 <(echo "$before_ns") <(echo "$after_ns"))
gone_ns=$(comm -23 <(echo "$before_ns") <(echo "$after_ns") | grep -v "^$P-")
if [ -n "$new_ns" ]; then
    echo "check_clean: LEAK: namespaces left: $(echo $new_ns)" >&2
    fail=1
fi
if [ -n "$gone_ns" ]; then
    echo "check_clean: namespaces not the lab's vanished: $(echo $gone_ns)" >&2
    fail=1
fi
# A leak is a lab process present after the run that was not there before
# (processes that ended meanwhile, e.g. someone else's tcpdump, do not count).
new_ps=$(comm -13 <(echo "$before_ps") <(echo "$after_ps"))
if [ -n "$new_ps" ]; then
    echo "check_clean: LEAK: lab processes left running:" >&2
    echo "$new_ps" >&2
    fail=1
fi
new_etc=$(comm -13 <(echo "$before_etc") <(echo "$after_etc"))
if [ -n "$new_etc" ]; then
    echo "check_clean: LEAK: /etc/netns entries left: $(echo $new_etc)" >&2
    fail=1
fi
if [ "$took" -ge "$LIMIT_S" ]; then
    echo "check_clean: too slow: $LAB took ${took}s (limit ${LIMIT_S}s)" >&2
    fail=1
fi
for f in $OUTPUTS; do
    for g in "$f" "${f%.*}.truth.tsv" $(case $P in gwbusy|gwreply|gwrev|gwcache|gwtls) ;; *) echo "${f%.*}.syn.tsv" ;; esac); do
        [ -s "$OUT/$g" ] || { echo "check_clean: missing output $g" >&2; fail=1; }
    done
done
size=$(du -cb "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT"/*.tsv "$OUT"/README.md 2>/dev/null | tail -n1 | cut -f1)
if [ "${size:-0}" -ge "$SIZE_LIMIT" ]; then
    echo "check_clean: outputs too big: $size bytes (limit $SIZE_LIMIT)" >&2
    fail=1
fi

if [ "$fail" = 0 ]; then
    echo "check_clean: OK: $LAB took ${took}s, outputs ${size} bytes, namespaces and processes as before"
fi
exit "$fail"
