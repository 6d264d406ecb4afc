#!/bin/bash
# The Debian package (issue 16): `make deb` builds build/gw502tui_VERSION_
# ARCH.deb, lintian finds no error in it (nor in the source package), and
# it installs into a throw-away root, works there from another folder and
# leaves nothing behind when removed. Never touches the real system root.
#
# The throw-away root is `dpkg --root=R`: R/var/lib/dpkg is a dpkg database
# of its own, holding only the host's entries of the packages ours depends
# on (so dpkg's dependency check runs for real), and the package's files
# land under R. This needs no network and no debootstrap, unlike a chroot
# (a minimal Debian chroot is fetched from a mirror); the package has no
# maintainer scripts, so nothing has to run chrooted in R. The installed
# binary runs from R with the host's libraries, which are the ones its
# dependencies name.
. "$(dirname "$0")/lib.sh"
EX=$ROOT/examples/gw502-lab.pcap

if [ "$(id -u)" != 0 ]; then
	skip "Debian package: needs root (dpkg --root, a package build); CI runs as root"
	exit 0
fi
for tool in dpkg-buildpackage dh fakeroot lintian; do
	if ! command -v "$tool" >/dev/null; then
		skip "Debian package: $tool is missing (tests/deps.sh test installs dpkg-dev, debhelper, fakeroot, lintian)"
		exit 0
	fi
done

version=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")
arch=$(dpkg --print-architecture)
DEB=$ROOT/build/gw502tui_${version}_$arch.deb
rm -f "$DEB"
if make -s -C "$ROOT" deb >"$TMPD/deb.log" 2>&1 && [ -f "$DEB" ]; then
	ok "make deb builds build/$(basename "$DEB")"
else
	notok "make deb builds build/$(basename "$DEB")" "$(last_line "$TMPD/deb.log")"
	exit 0
fi
check "the .deb is not left in the parent folder" \
    test ! -e "$ROOT/../$(basename "$DEB")"
contents=$(dpkg-deb -c "$DEB" | awk '{ print $6 }')
missing=
for f in ./usr/bin/gw502tui ./usr/share/man/man1/gw502tui.1.gz \
    ./usr/share/gw502tui/themes/light.yaml \
    ./usr/share/bash-completion/completions/gw502tui \
    ./usr/share/doc/gw502tui/examples/config.yaml \
    ./usr/share/doc/gw502tui/copyright \
    ./lib/systemd/system/gw502tui-watch@.service; do
	grep -qxF -- "$f" <<<"$contents" || missing="$missing $f"
done
check_eq "the package holds binary, man page, themes, completion, config, copyright, unit" \
    "" "$missing"

# lintian: errors fail; every other tag is printed for the record
lintian --allow-root -I --pedantic "$DEB" >"$TMPD/lintian.txt" 2>&1
sed 's/^/#   lintian: /' "$TMPD/lintian.txt"
check_eq "lintian: no error in the binary package" "" \
    "$(grep '^E:' "$TMPD/lintian.txt")"
src=$ROOT/build/deb/gw502tui-$version
if (cd "$src" && fakeroot debian/rules clean && dpkg-source -b .) \
    >"$TMPD/src.log" 2>&1; then
	lintian --allow-root -I --pedantic "$ROOT/build/deb/gw502tui_$version.dsc" \
	    >"$TMPD/lintian-src.txt" 2>&1
	sed 's/^/#   lintian (source): /' "$TMPD/lintian-src.txt"
	check_eq "lintian: no error in the source package" "" \
	    "$(grep '^E:' "$TMPD/lintian-src.txt")"
else
	notok "the source package builds (dpkg-source -b)" "$(last_line "$TMPD/src.log")"
fi

# The throw-away root and its dpkg database.
host_before=$(dpkg-query -W -f='${Status}' gw502tui 2>&1)
R=$TMPD/root
A=$R/var/lib/dpkg
mkdir -p "$A/info" "$A/updates" "$A/triggers"
: >"$A/available"
dpkg_r() { dpkg --root="$R" --log="$TMPD/dpkg.log" "$@"; }
# the host's entries of what the package depends on (and empty file lists)
: >"$TMPD/status.full"
for p in $(dpkg-deb -f "$DEB" Depends | tr ',|' '\n\n' |
    sed 's/^ *//; s/[ (:].*//; /^$/d'); do
	name=$(dpkg-query -W -f='${binary:Package}\n' "$p" 2>/dev/null | head -1)
	[ -n "$name" ] || continue
	{ dpkg-query -s "$name"; echo; } >>"$TMPD/status.full"
	: >"$A/info/$name.list"
done
check "the root's database holds the host's libc6 (a dependency)" \
    grep -q '^Package: libc6$' "$TMPD/status.full"
# without the dependencies in the root's database, dpkg refuses
: >"$A/status"
dpkg_r -i "$DEB" >"$TMPD/i0.log" 2>&1
check_eq "dpkg --root: refused while the dependencies are missing there" 1 $?
check "dpkg --root: the refusal names the dependency problem" \
    grep -q "dependency problems" "$TMPD/i0.log"
dpkg_r --purge gw502tui >/dev/null 2>&1
cp "$TMPD/status.full" "$A/status"
if dpkg_r -i "$DEB" >"$TMPD/i.log" 2>&1; then
	ok "dpkg --root -i installs the package"
else
	notok "dpkg --root -i installs the package" "$(last_line "$TMPD/i.log")"
	exit 0
fi
check_eq "dpkg --root: the package is installed there" "install ok installed" \
    "$(dpkg-query --admindir="$A" -W -f='${Status}' gw502tui 2>&1)"
check_eq "the real system's dpkg database is untouched" "$host_before" \
    "$(dpkg-query -W -f='${Status}' gw502tui 2>&1)"

# The installed program, from another folder, on a lab capture.
IBIN=$R/usr/bin/gw502tui
mkdir -p "$TMPD/elsewhere" "$TMPD/home"
cd "$TMPD/elsewhere" || exit 1
HOME=$TMPD/home XDG_CONFIG_HOME= XDG_DATA_HOME= "$IBIN" -t light --report "$EX" \
    >"$TMPD/report.txt" 2>"$TMPD/report.err"
check_eq "installed: gw502tui -t light --report exits 0" 0 $?
check_eq "installed: the report is the build's" \
    "$("$GW_BIN" --report "$EX" 2>&1 | md5sum)" "$(md5sum <"$TMPD/report.txt")"
# the counts the lab's truth gives (a 502-504, no answer, or a masked 2xx)
truth=${EX%.pcap}.truth.tsv
nreq=$(awk -F'\t' 'NR > 1' "$truth" | wc -l)
nerr=$(awk -F'\t' 'NR > 1 && ($5 ~ /^50[234]$/ || $5 == "-" || $14 == "1")' \
    "$truth" | wc -l)
check "installed: the report names the lab's gateway errors" \
    grep -q "^$nreq requests, $nerr gateway errors" "$TMPD/report.txt"
check_eq "installed: nothing on stderr" "" "$(cat "$TMPD/report.err")"
check "installed: its themes are found (light)" \
    grep -qx light <(HOME=$TMPD/home "$IBIN" --list-themes)
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$R/usr/share/man/man1/gw502tui.1.gz" \
	    >"$TMPD/man.txt" 2>"$TMPD/man.err"
	check "installed: the man page renders without warnings" \
	    test -s "$TMPD/man.txt" -a ! -s "$TMPD/man.err"
fi
comp=$(COMP_WORDS=("$IBIN" -t l) COMP_CWORD=2 bash -c \
    '. "$1"; COMP_WORDS=("$2" -t l); COMP_CWORD=2; _gw502tui; echo "${COMPREPLY[*]}"' \
    _ "$R/usr/share/bash-completion/completions/gw502tui" "$IBIN")
check_eq "installed: the completion completes -t l to light" "light" "$comp"
cd "$ROOT" || exit 1

# Removed: nothing of ours is left in the root (dpkg's own database aside).
dpkg_r -r gw502tui >"$TMPD/r.log" 2>&1
check_eq "dpkg --root -r removes the package" 0 $?
dpkg_r --purge gw502tui >>"$TMPD/r.log" 2>&1
left=$(cd "$R" && find . -mindepth 1 -path ./var -prune -o -print)
check_eq "removed: no file or folder of ours is left" "" "$left"
check_eq "removed: dpkg knows it no more" "" \
    "$(dpkg-query --admindir="$A" -W -f='${Status}' gw502tui 2>/dev/null)"
