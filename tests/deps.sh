#!/bin/sh
# Installs the Debian packages gw502tui needs when they are missing.
# usage: tests/deps.sh build|test
set -eu
want="pkg-config gcc make libpcap-dev libncurses-dev libyaml-dev"
# make static: libpcap.a needs libdbus-1.a; its test reads and strips the
# binary (readelf, strip)
want="$want libdbus-1-dev binutils"
# access logs read directly when gzip-compressed (--access-log FILE.gz)
want="$want zlib1g-dev"
if [ "${1:-build}" = test ]; then
	want="$want libcmocka-dev tmux tcpdump tshark python3 iproute2 iptables \
dnsmasq-base mitmproxy nginx-light curl procps iputils-ping"
	want="$want clang libclang-rt-14-dev llvm"
	# bench/hostile.sh (test_hostile_bounds) measures peak RSS with it
	want="$want time"
	# the live --keep and --ring tests replay a lab capture on a veth pair
	want="$want tcpreplay"
	# the next-hop lab (test_hop.sh): the router's bridge rules, mergecap/editcap
	want="$want nftables wireshark-common"
	# the lab's third proxy and the busy lab (test_busy_lab.sh): squid
	want="$want squid"
	# the odd-proxies lab (test_odd_lab.sh): proxies with their own statuses
	want="$want tinyproxy-bin privoxy apache2 trafficserver"
	# the cache lab (test_cache_lab.sh): a caching and a plain reverse proxy
	want="$want varnish caddy"
	# test_deb builds and lints the package; test_completion loads the
	# completion under bash-completion; test_unit runs systemd-analyze on
	# the unit (systemd installs in a container without being PID 1) and
	# doc/fleet.md's jq queries
	want="$want dpkg-dev debhelper fakeroot lintian bash-completion systemd jq"
	# tests/tools/jsonlines.py validates report lines (doc/report.schema.json)
	want="$want python3-jsonschema"
fi
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# tshark asks whether non-root users may capture; the default (no) is fine.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections 2>/dev/null || true
# Packages such as nginx-light would start their service on this machine;
# a temporary policy-rc.d (the Debian way) forbids that: the lab starts its
# own servers inside network namespaces.
policy=/usr/sbin/policy-rc.d
created=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 0755 "$policy"
	created=1
fi
rc=0
$SUDO apt-get install -y -qq --no-install-recommends $missing || rc=$?
[ "$created" = 1 ] && $SUDO rm -f "$policy"
exit $rc
