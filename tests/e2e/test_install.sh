#!/bin/bash
# Data files found anywhere (issue 14 bug 8, issue 16): `make install
# DESTDIR=…` puts the binary, man page, themes, completion, unit and
# example configuration in place; the installed binary (found through
# /proc/self/exe, whatever GW_DATADIR was compiled in) and the build
# tree's binary find their themes from any current folder; a theme that is
# nowhere names every folder searched, whole; `make uninstall` removes it
# all again.
. "$(dirname "$0")/lib.sh"
EX=$ROOT/examples/gw502-lab.pcap
S=gwinstall
DEST=$TMPD/root
ELSEWHERE=$TMPD/elsewhere	# no themes/ here: the current folder
mkdir -p "$ELSEWHERE" "$TMPD/home"
# a user of our own: nothing of the real $HOME is searched
export HOME=$TMPD/home
unset XDG_CONFIG_HOME XDG_DATA_HOME

# the normal build (make check builds it too): installing the sanitized
# one would also point the ./gw502tui link at build-san
if ! make -s -C "$ROOT" install PREFIX=/usr DESTDIR="$DEST" \
    >"$TMPD/make.out" 2>&1; then
	notok "make install DESTDIR runs" "$(last_line "$TMPD/make.out")"
	exit 0
fi
ok "make install DESTDIR runs"
missing=
for f in usr/bin/gw502tui usr/share/man/man1/gw502tui.1 \
    usr/share/gw502tui/themes/default.yaml usr/share/gw502tui/themes/light.yaml \
    usr/share/bash-completion/completions/gw502tui \
    usr/lib/systemd/system/gw502tui-watch@.service \
    usr/share/doc/gw502tui/examples/config.yaml; do
	[ -f "$DEST/$f" ] || missing="$missing $f"
done
check_eq "install puts every file in place" "" "$missing"
check "the installed unit runs the installed prefix's binary" \
    grep -q '^ExecStart=/usr/bin/gw502tui ' \
    "$DEST/usr/lib/systemd/system/gw502tui-watch@.service"

IBIN=$DEST/usr/bin/gw502tui
cd "$ELSEWHERE" || exit 1
want=$(printf '%s\n' default dusk-256 high-contrast light mono)
check_eq "installed: --list-themes from another folder" "$want" \
    "$("$IBIN" --list-themes)"
check_eq "build tree: --list-themes from another folder" "$want" \
    "$("$GW_BIN" --list-themes)"
"$GW_BIN" -t light --report "$EX" >"$TMPD/want.txt" 2>&1
check_eq "build tree: -t light --report from another folder exits 0" 0 $?
"$IBIN" -t light --report "$EX" >"$TMPD/got.txt" 2>"$TMPD/got.err"
check_eq "installed: -t light --report from another folder exits 0" 0 $?
check "installed: the report is the build tree's" \
    cmp "$TMPD/want.txt" "$TMPD/got.txt"
check_eq "installed: -t light --report says nothing on stderr" "" \
    "$(cat "$TMPD/got.err")"

# $XDG_DATA_HOME (default ~/.local/share) comes first
mkdir -p "$HOME/.local/share/gw502tui/themes"
printf 'name: zz-user\n' >"$HOME/.local/share/gw502tui/themes/zz-user.yaml"
check "installed: a theme in ~/.local/share/gw502tui/themes is listed" \
    grep -qx zz-user <("$IBIN" --list-themes)
mkdir -p "$TMPD/xdg/gw502tui/themes"
printf 'name: zz-xdg\n' >"$TMPD/xdg/gw502tui/themes/zz-xdg.yaml"
check "installed: one in \$XDG_DATA_HOME/gw502tui/themes too" \
    grep -qx zz-xdg <(XDG_DATA_HOME=$TMPD/xdg "$IBIN" --list-themes)
rm -r "$HOME/.local/share/gw502tui"

# The TUI from another folder: -t light loads (no complaint at exit) and
# `t` goes on to the next theme found (mono), not back to "default".
tui_theme() { # tui_theme BIN THEME: runs the TUI, `t`, q; stderr in tui.err
	tmux_session 80 24 "cd '$ELSEWHERE' && '$1' -t '$2' '$EX' \
	    2>'$TMPD/tui.err'; echo TUI-ENDED; sleep 30" || return 1
	wait_for 10 has "gateway errors" || wait_for 5 has "errors" || return 1
}
for who in installed build; do
	bin=$IBIN
	[ $who = build ] && bin=$GW_BIN
	if ! tui_theme "$bin" light; then
		notok "$who: the TUI starts with -t light" "$(flat)"
		continue
	fi
	keys t
	see "$who: t after -t light shows the next theme, mono" "theme: mono"
	keys q
	wait_for 10 has TUI-ENDED
	check_eq "$who: -t light from another folder: nothing on stderr" "" \
	    "$(cat "$TMPD/tui.err")"
done

# Nowhere: the message names every folder searched, whole.
if tui_theme "$IBIN" nosuch; then
	see "not found: the status line says so, whole" \
	    "theme 'nosuch' not found; default used (folders searched: listed on exit)"
	keys q
	wait_for 10 has TUI-ENDED
	err=$(cat "$TMPD/tui.err")
	want="gw502tui: theme 'nosuch' not found (looked in $HOME/.config/gw502tui/themes, $HOME/.local/share/gw502tui/themes, "
	check "not found: stderr starts with the personal folders" \
	    test "${err#"$want"}" != "$err"
	check "not found: stderr names the installed prefix's folder" \
	    grep -qF "$DEST/usr/share/gw502tui/themes" "$TMPD/tui.err"
	check "not found: stderr ends whole" \
	    grep -q "; using the default theme\$" "$TMPD/tui.err"
else
	notok "the TUI starts with -t nosuch" "$(flat)"
fi

# A path that is no regular file (a FIFO would block a reader): said so,
# no folder list, no hang.
mkfifo "$TMPD/fifo.yaml"
if tui_theme "$IBIN" "$TMPD/fifo.yaml"; then
	keys q
	wait_for 10 has TUI-ENDED
	check_eq "a theme path that is a FIFO: refused at once, said why" \
	    "gw502tui: $TMPD/fifo.yaml: no such theme file (or not a regular file); using the default theme" \
	    "$(cat "$TMPD/tui.err")"
else
	notok "the TUI starts with -t FIFO" "$(flat)"
fi

# The example configuration, every key uncommented, loads and changes
# nothing of the lab's report (it spells out the defaults).
sed 's/^#\([a-z_]*:\)/\1/' "$DEST/usr/share/doc/gw502tui/examples/config.yaml" \
    >"$TMPD/config.yaml"
check_eq "the example config has the four keys" 4 \
    "$(grep -c '^[a-z_]*:' "$TMPD/config.yaml")"
"$IBIN" --config "$TMPD/config.yaml" --report "$EX" >"$TMPD/cfg.txt" 2>&1
check "the example config loads and keeps the defaults" \
    cmp "$TMPD/want.txt" "$TMPD/cfg.txt"

cd "$ROOT" || exit 1
make -s uninstall PREFIX=/usr DESTDIR="$DEST" >/dev/null 2>&1
check_eq "make uninstall leaves no file" "" "$(find "$DEST" -type f)"
