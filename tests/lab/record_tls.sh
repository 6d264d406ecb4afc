#!/bin/bash
# gw502tui TLS-upstream lab: a gateway running nginx (:80) and HAProxy
# (:8080) as reverse proxies whose backends speak TLS (HTTPS upstreams),
# with the classic TLS failures that make a gateway answer 502 or 503.
# Clients send origin-form requests ("GET /tN" with a Host field); each
# proxy picks the backend by the Host from its configuration, with no DNS
# look-up, and verifies the backend's certificate against a lab CA made at
# run time (EC P-256, names under tls.test). Backends (one nginx):
#   ok          a certificate the CA signed for the name asked: a success
#   selfsigned  a self-signed certificate
#   wrongname   a certificate the CA signed for another name (other.tls.test)
#   plain       plain HTTP on the port the gateway speaks TLS to (it
#               answers the ClientHello "400 Bad Request")
#   tls13       TLS 1.3 only; the gateway's nginx offers TLS 1.2 only
#   sni         refuses a handshake for a name it does not serve
#               (ssl_reject_handshake: unrecognized_name); nginx asks
#               asked.tls.test, it serves real.tls.test
#   selfsigned13  another self-signed one, nginx asking for TLS 1.3 only
#   selfsigned12  another self-signed one, HAProxy offering TLS 1.2 at
#               most
#   tlssilent   the handshake goes through, the server reads the request
#               and never answers (the proxy's timeout: 504)
#   tlsclose    the handshake goes through, the server closes without a
#               byte after the request (502)
# nginx (proxy_ssl_verify on, proxy_ssl_server_name on, once a request)
# serves all but selfsigned12; HAProxy (ssl verify required; retries 3,
# its default) ok, selfsigned, selfsigned12, plain, tlssilent and
# tlsclose. nginx checks the
# certificate after the handshake, then closes; HAProxy (OpenSSL 3.0)
# refuses it in the handshake with a plaintext alert, in TLS 1.3 too
# (it has no keys of its own yet). One client sends every scenario
# through each proxy one at a time, then all of a proxy's at once. The truth (tls_truth.py)
# comes from curl's status, the proxies' own logs (nginx's error log,
# HAProxy's termination state) and tshark's reading of the TLS records
# between the gateway and each backend (who sent which alert, whether the
# handshake finished, a plain HTTP reply), never from gw502tui; they
# must agree, or the recording fails.
#
# usage: tests/lab/record_tls.sh OUTDIR   (writes gw502-tls.pcap,
#        gw502-tls.truth.tsv and the proxies' access logs,
#        gw502-tls.nginx.log and gw502-tls.haproxy.log, there)
# env:   GWTLS_KEEP_TMP=1   keep the work directory (daemon logs, configs,
#        certificates)
#
# Shares its namespace, PID and cleanup helpers with record.sh (ns.sh).
# Must run as root. Touches nothing in the root network namespace: every
# interface and address lives in a namespace named gwtls-*; every process
# started is tracked by PID and stopped, every namespace deleted, on
# success, error, Ctrl-C or TERM.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: record_tls.sh OUTDIR}
P=gwtls-
NS_BR=${P}br NS_GW=${P}gw NS_UP=${P}up NS_C1=${P}c1

# --- addresses (private, used only inside the namespaces) -----------------
GW4=10.252.0.1 C1=10.252.0.11
PORT_NGINX=80 PORT_HAPROXY=8080
# scenario backend-address backend-port name-the-gateway-asks
# (selfsigned12: HAProxy only, a self-signed backend of its own asked
# for TLS 1.2 at most; selfsigned13: nginx only, one asked for TLS 1.3
# only. Each scenario has a backend address of its own, as each host of
# a real configuration has: HAProxy's retry chains of requests at once to
# one server are the reverse-proxy lab's, tests/lab/kept)
BACKENDS="ok 10.252.0.80 443 ok.tls.test
selfsigned 10.252.0.81 443 selfsigned.tls.test
wrongname 10.252.0.82 443 wrongname.tls.test
plain 10.252.0.83 80 plain.tls.test
tls13 10.252.0.84 443 tls13.tls.test
sni 10.252.0.85 443 asked.tls.test
selfsigned12 10.252.0.86 443 selfsigned.tls.test
selfsigned13 10.252.0.87 443 selfsigned.tls.test
tlssilent 10.252.0.88 443 tlssilent.tls.test
tlsclose 10.252.0.89 443 tlsclose.tls.test"
NGINX_NAMES="ok selfsigned wrongname plain tls13 sni selfsigned13 tlssilent tlsclose"
HAPROXY_NAMES="ok selfsigned selfsigned12 plain tlssilent tlsclose"

LAB_TAG=tls LAB_PREFIX=$P LAB_KEEP=${GWTLS_KEEP_TMP:-0}
. "$HERE/ns.sh"

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"

need_lab_tools
need haproxy haproxy
need nginx nginx-light
need curl curl
need openssl openssl

lab_begin gwtls 120
START=$(date +%s)

# --- certificates: a lab CA, leaves it signed, one self-signed -----------
log "making certificates"
PKI=$TMP/pki
mkdir -p "$PKI"
ossl() { openssl "$@" >>"$PKI/openssl.log" 2>&1 || die "openssl $1 failed (see $PKI/openssl.log)"; }
ec_key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/$1.key"; }
ec_key ca
ossl req -x509 -new -key "$PKI/ca.key" -sha256 -days 2 -subj "/CN=gw502tui lab CA tls.test" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$PKI/ca.pem"
leaf() { # leaf NAME: NAME.key and NAME.pem, the CA's, for DNS:NAME
    ec_key "$1"
    ossl req -new -key "$PKI/$1.key" -subj "/CN=$1" -out "$PKI/$1.csr"
    printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
        "$1" >"$PKI/$1.ext"
    ossl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
        -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -sha256 -days 2 \
        -extfile "$PKI/$1.ext" -out "$PKI/$1.pem"
}
for n in ok.tls.test other.tls.test tls13.tls.test real.tls.test \
    tlssilent.tls.test tlsclose.tls.test; do leaf "$n"; done
ec_key selfsigned.tls.test
ossl req -x509 -new -key "$PKI/selfsigned.tls.test.key" -sha256 -days 2 \
    -subj "/CN=selfsigned.tls.test" -addext "subjectAltName=DNS:selfsigned.tls.test" \
    -out "$PKI/selfsigned.tls.test.pem"
CA=$PKI/ca.pem

log "building namespaces"
bridge_new
hosts_new "$NS_GW" "$NS_UP" "$NS_C1"
attach "$NS_GW" p-gw "$GW4/24"
attach "$NS_UP" p-up $(echo "$BACKENDS" | awk '!seen[$2]++ {print $2 "/24"}')
attach "$NS_C1" p-c1 "$C1/24"
wait_for 5 "gateway reaches the backends" nsx "$NS_GW" ping -c1 -W1 10.252.0.80

# --- the backends: one nginx, a server block (or two) per address --------
# TLS 1.2 and 1.3 (nginx 1.22's default, ssl_protocols, stops at 1.2: a
# backend of today's serves 1.3), but the tls13 one, TLS 1.3 only
mkdir -p "$TMP/up"
tls_server() { # tls_server ADDR CERTNAME [PROTOCOLS]: an HTTPS server block
    printf '    server { listen %s:443 ssl; server_name %s;\n' "$1" "$2"
    printf '        ssl_protocols %s;\n' "${3:-TLSv1.2 TLSv1.3}"
    printf '        ssl_certificate %s/%s.pem; ssl_certificate_key %s/%s.key;\n' \
        "$PKI" "$2" "$PKI" "$2"
    printf '        location / { return 200 "ok\\n"; } }\n'
}
{
    nginx_main "$TMP/up"
    tls_server 10.252.0.80 ok.tls.test
    tls_server 10.252.0.81 selfsigned.tls.test
    tls_server 10.252.0.86 selfsigned.tls.test
    tls_server 10.252.0.87 selfsigned.tls.test
    tls_server 10.252.0.82 other.tls.test
    printf '    server { listen 10.252.0.83:80; server_name plain.tls.test;\n'
    printf '        location / { return 200 "ok\\n"; } }\n'
    tls_server 10.252.0.84 tls13.tls.test TLSv1.3
    # sni: a name it does not serve is refused in the handshake
    printf '    server { listen 10.252.0.85:443 ssl default_server; ssl_reject_handshake on;\n'
    printf '        ssl_protocols TLSv1.2 TLSv1.3; }\n'
    tls_server 10.252.0.85 real.tls.test
    echo "}"
} >"$TMP/up/nginx.conf"
nsx "$NS_UP" nginx -t -q -p "$TMP/up" -c "$TMP/up/nginx.conf"
start "$NS_UP" up-nginx nginx -p "$TMP/up" -c "$TMP/up/nginx.conf"
# after the handshake: a server that reads the request and never answers,
# one that closes without a byte (upstream.py, over TLS)
for mode in silent close; do
    addr=$(echo "$BACKENDS" | awk -v n="tls$mode" '$1 == n {print $2}')
    start "$NS_UP" "up-tls$mode" env UPSTREAM_TLS="$PKI/tls$mode.tls.test.pem $PKI/tls$mode.tls.test.key" \
        "$PY" "$HERE/upstream.py" "$mode" "$addr" 443
done
while read -r name addr port _; do
    wait_for 10 "backend $name on $addr:$port" listening "$NS_UP" tcp "^$addr:$port\$"
done <<<"$BACKENDS"

# --- the gateway: nginx on :80 ---------------------------------------------
# at its defaults but for the timeouts and the verification; its error log
# at nginx_main's level, error, holds every upstream handshake failure
# (certificate errors and most SSL_do_handshake() ones at error, an
# unrecognized_name alert at crit). nginx 1.22 (Debian 12) offers TLS
# 1.0-1.2 to its upstreams by default (proxy_ssl_protocols), so its
# handshakes are TLS 1.2 ones, resumed from the second on (it keeps the
# session, proxy_ssl_session_reuse: even one whose certificate it refused)
mkdir -p "$TMP/nginx"
{
    nginx_main "$TMP/nginx"
    cat <<EOF
    proxy_connect_timeout 2s;
    proxy_read_timeout 2s;
EOF
    while read -r name addr port sniname; do
        case " $NGINX_NAMES " in *" $name "*) ;; *) continue ;; esac
        printf '    server { listen %s:%s; server_name %s.tls.test;\n' "$GW4" "$PORT_NGINX" "$name"
        printf '        location / { proxy_pass https://%s:%s;\n' "$addr" "$port"
        printf '            proxy_ssl_verify on; proxy_ssl_trusted_certificate %s;\n' "$CA"
        printf '            proxy_ssl_server_name on; proxy_ssl_name %s;\n' "$sniname"
        [ "$name" = tls13 ] && printf '            proxy_ssl_protocols TLSv1.2;\n'
        [ "$name" = selfsigned13 ] && printf '            proxy_ssl_protocols TLSv1.3;\n'
        printf '        } }\n'
    done <<<"$BACKENDS"
    echo "}"
} >"$TMP/nginx/nginx.conf"
nsx "$NS_GW" nginx -t -q -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
start "$NS_GW" nginx nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"

# --- the gateway: HAProxy on :8080 -----------------------------------------
# (ns.sh haproxy_main: its defaults but for the timeouts; retries 3)
mkdir -p "$TMP/haproxy"
{
    haproxy_main tls "$GW4:$PORT_HAPROXY"
    cat <<EOF
backend be_ok
    server ok 10.252.0.80:443 ssl verify required ca-file $CA sni str(ok.tls.test)
backend be_selfsigned
    server selfsigned 10.252.0.81:443 ssl verify required ca-file $CA
backend be_selfsigned12
    server selfsigned12 10.252.0.86:443 ssl verify required ca-file $CA ssl-max-ver TLSv1.2
backend be_plain
    server plain 10.252.0.83:80 ssl verify required ca-file $CA
backend be_tlssilent
    server tlssilent 10.252.0.88:443 ssl verify required ca-file $CA sni str(tlssilent.tls.test)
backend be_tlsclose
    server tlsclose 10.252.0.89:443 ssl verify required ca-file $CA sni str(tlsclose.tls.test)
EOF
} >"$TMP/haproxy/haproxy.cfg"
nsx "$NS_GW" haproxy -c -q -f "$TMP/haproxy/haproxy.cfg"
start "$NS_GW" haproxy haproxy -db -f "$TMP/haproxy/haproxy.cfg"
wait_for 10 "nginx on :$PORT_NGINX" listening "$NS_GW" tcp "^$GW4:$PORT_NGINX\$"
wait_for 10 "haproxy on :$PORT_HAPROXY" listening "$NS_GW" tcp "^$GW4:$PORT_HAPROXY\$"

CAP=$TMP/gw502-tls.pcap
gw_tcpdump "$CAP"
ASK_DOMAIN=tls.test    # ns.sh ask: NAME.tls.test
names_of() { # names_of PROXY: the scenarios a proxy serves, in order
    case $1 in
    "$PORT_NGINX") echo "$NGINX_NAMES" ;;
    *) echo "$HAPROXY_NAMES" ;;
    esac
}
log "client: every scenario through each proxy, one at a time, then all at once"
: >"$TMP/client.tsv"
n=0
for proxy in $PORT_NGINX $PORT_HAPROXY; do
    for name in $(names_of "$proxy"); do
        n=$((n + 1)); ask "$name" "$proxy" "/t$n"
    done
done
for proxy in $PORT_NGINX $PORT_HAPROXY; do
    for name in $(names_of "$proxy"); do
        n=$((n + 1)); later ask "$name" "$proxy" "/t$n"
    done
    wait_all
done
sleep 1    # the last FIN/ACKs reach the capture
stop_pids INT "$PID_tcpdump"
stop_pids TERM "$PID_haproxy" "$PID_nginx" "$PID_up_nginx" "$PID_up_tlssilent" \
    "$PID_up_tlsclose"

STAGE=$TMP/out
mkdir -p "$STAGE"
cp "$CAP" "$STAGE/gw502-tls.pcap"
grep '^[0-9]' "$TMP/haproxy.log" >"$STAGE/gw502-tls.haproxy.log" || true
cp "$TMP/nginx/access.log" "$STAGE/gw502-tls.nginx.log"
echo "$BACKENDS" >"$TMP/backends.txt"
"$PY" "$HERE/tls_truth.py" --capture "$STAGE/gw502-tls.pcap" \
    --client "$TMP/client.tsv" --backends "$TMP/backends.txt" \
    --haproxy-log "$STAGE/gw502-tls.haproxy.log" \
    --nginx-error "$TMP/nginx/error.log" --truth "$STAGE/gw502-tls.truth.tsv" \
    || die "truth check failed (set GWTLS_KEEP_TMP=1 to keep $TMP)"
mkdir -p "$OUT"
for f in "$STAGE"/*; do install -m 0644 "$f" "$OUT/"; done
log "done in $(( $(date +%s) - START )) s; $(stat -c %s "$CAP") bytes captured; output in $(cd "$OUT" && pwd)"
