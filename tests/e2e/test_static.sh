#!/bin/bash
# One binary for an appliance (issue 16): `make static` builds
# build/gw502tui-static; in a chroot that holds only that binary, a lab
# capture and /dev/null, --report prints what the dynamic build prints; the
# TUI draws there under each terminal type it carries (no terminfo in the
# chroot: the built-in entry goes to a private directory under /tmp, removed
# at exit), and an unknown type still ends with the clear error; the
# dynamic build ($GW_BIN) falls back the same way when the system's terminfo
# is hidden in a mount namespace. Prints the binary's size, and stripped.
# Needs root (chroot, mknod, mount).
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip "static: chroot tests: needs root"
	exit 0
fi
STATIC=$ROOT/build/gw502tui-static
CAP=$ROOT/examples/gw502-lab.pcap
PORTS=9090,9091
S=gwstatic

# a make of its own: not the jobserver of a `make check` this runs under
check "static: make static builds build/gw502tui-static" \
    env -u MAKEFLAGS -u MAKELEVEL make -s -C "$ROOT" static
[ -x "$STATIC" ] || { notok "static: the binary exists" "$STATIC"; exit 0; }
if readelf -l "$STATIC" | grep -q 'program interpreter'; then
	notok "static: no program interpreter (fully static)" \
	    "$(readelf -l "$STATIC" | grep 'program interpreter')"
else
	ok "static: no program interpreter (fully static)"
fi
if readelf -d "$STATIC" 2>/dev/null | grep -q NEEDED; then
	notok "static: no shared library needed" \
	    "$(readelf -d "$STATIC" | grep NEEDED | tr -s ' ' | head -3)"
else
	ok "static: no shared library needed"
fi
strip -o "$TMPD/gw502tui-static.stripped" "$STATIC"
size=$(stat -c %s "$STATIC")
stripped=$(stat -c %s "$TMPD/gw502tui-static.stripped")
echo "# build/gw502tui-static: $size bytes, stripped $stripped bytes"

# ---- the chroot: the binary, the capture, /dev/null; nothing else --------
D=$TMPD/root
mkdir -m 0755 "$D" "$D/dev"
cp "$TMPD/gw502tui-static.stripped" "$D/gw502tui-static"
cp "$CAP" "$D/lab.pcap"
bound=0
if ! mknod -m 0666 "$D/dev/null" c 1 3 2>/dev/null; then
	# a container without CAP_MKNOD: the host's /dev/null bound instead
	: >"$D/dev/null" && mount --bind /dev/null "$D/dev/null" && bound=1
fi
trap '[ "$bound" = 1 ] && umount "$D/dev/null"; cleanup' EXIT
check_eq "static: the chroot holds only the binary, the capture and /dev/null" \
    "/dev /dev/null /gw502tui-static /lab.pcap" \
    "$(cd "$D" && find . -mindepth 1 | sed 's/^\.//' | sort | tr '\n' ' ' | sed 's/ $//')"

for fmt in text json; do
	"$GW_BIN" -p "$PORTS" --report="$fmt" "$CAP" >"$TMPD/dynamic.$fmt" 2>&1
	chroot "$D" /gw502tui-static -p "$PORTS" --report="$fmt" /lab.pcap \
	    >"$TMPD/static.$fmt" 2>&1
	rc=$?
	# the capture's path differs (/lab.pcap in the chroot): name it alike
	sed -i "s|$CAP|/lab.pcap|g" "$TMPD/dynamic.$fmt"
	if [ "$rc" -eq 0 ] && [ -s "$TMPD/static.$fmt" ] &&
	    cmp -s "$TMPD/dynamic.$fmt" "$TMPD/static.$fmt"; then
		ok "static: --report=$fmt in the chroot equals the dynamic build's ($(wc -l <"$TMPD/static.$fmt") lines)"
	else
		notok "static: --report=$fmt in the chroot equals the dynamic build's" \
		    "rc $rc: $(diff "$TMPD/dynamic.$fmt" "$TMPD/static.$fmt" | head -3 | tr '\n' '~')"
	fi
done

# ---- the TUI in the chroot, no terminfo there -----------------------------
# An appliance has a /tmp: the built-in terminfo entry is written under it.
mkdir -m 1777 "$D/tmp"
private_dirs() { find "$D/tmp" -mindepth 1 -maxdepth 1 -name '.gw502tui-terminfo-*'; }
one_private_dir() { [ "$(private_dirs | wc -l)" -eq 1 ]; }
tui_in_chroot() { # tui_in_chroot TERM: a shell whose TERM it is runs the TUI
	tui_shell 100 30 "$1" || return 1
	keys "clear; env -u TERMINFO -u TERMINFO_DIRS chroot $D /gw502tui-static -p $PORTS /lab.pcap; echo EXIT=\$?" Enter
}
for term in xterm xterm-256color screen screen-256color tmux tmux-256color vt100 linux; do
	tui_in_chroot "$term" || continue
	see "static: TERM=$term: the TUI draws the request list" "missing.lab.test/index.html"
	see "static: TERM=$term: ... under its title" "Gateway errors"
	if wait_for 5 one_private_dir &&
	    [ "$(stat -c %a "$(private_dirs)")" = 700 ] &&
	    [ -f "$(private_dirs)/${term:0:1}/$term" ]; then
		ok "static: TERM=$term: the built-in entry is in one private directory (0700)"
	else
		notok "static: TERM=$term: the built-in entry is in one private directory (0700)" \
		    "$(ls -laR "$D/tmp" | tr '\n' '~')"
	fi
	keys q
	see "static: TERM=$term: q leaves to the shell" "EXIT=0"
	check_eq "static: TERM=$term: the private directory is gone after q" "" "$(private_dirs)"
done
tui_in_chroot gw-no-such-term && {
	see "static: an unknown TERM still ends with the clear error" \
	    "cannot use terminal type 'gw-no-such-term'"
	see "static: ... and exit status 1" "EXIT=1"
	check_eq "static: an unknown TERM leaves nothing in /tmp" "" "$(ls -A "$D/tmp")"
}

# ---- the dynamic build falls back too -------------------------------------
# The system's terminfo hidden by empty directories mounted over it, in a
# mount namespace of the TUI's own (nothing changes outside it).
if ! unshare -m true 2>/dev/null; then
	skip "dynamic build: terminfo fallback: cannot make a mount namespace (unshare -m)"
	exit 0
fi
mkdir "$TMPD/empty"
hide=""
for d in /etc/terminfo /lib/terminfo /usr/share/terminfo; do
	[ -d "$d" ] && hide="$hide mount --bind $TMPD/empty $d &&"
done
tui_shell 100 30 xterm || exit 0
keys "clear; env -u TERMINFO -u TERMINFO_DIRS -u HOME TMPDIR=$D/tmp unshare -m sh -c '$hide ! infocmp xterm >/dev/null 2>&1 && : >$TMPD/hidden && exec $GW_BIN -p $PORTS $CAP'; echo EXIT=\$?" Enter
see "dynamic build: TERM=xterm without terminfo: the TUI draws the request list" \
    "missing.lab.test/index.html"
check "dynamic build: ... while infocmp found no xterm there" test -e "$TMPD/hidden"
if wait_for 5 one_private_dir; then
	ok "dynamic build: ... from its built-in entry"
else
	notok "dynamic build: ... from its built-in entry" "$(ls -laR "$D/tmp" | tr '\n' '~')"
fi
keys q
see "dynamic build: q leaves to the shell (exit 0: no sanitizer report)" "EXIT=0"
check_eq "dynamic build: the private directory is gone after q" "" "$(private_dirs)"
