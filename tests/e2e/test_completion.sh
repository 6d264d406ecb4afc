#!/bin/bash
# bash completion (issue 16, completion/gw502tui.bash): options from
# --help, theme names from --list-themes (the program's own search path),
# interfaces from /sys/class/net, capture files and folders. Each check
# sources the file in a fresh bash and calls the completion function with
# COMP_WORDS/COMP_CWORD set, as bash does on Tab.
. "$(dirname "$0")/lib.sh"
COMP=$ROOT/completion/gw502tui.bash
mkdir -p "$TMPD/home" "$TMPD/caps/sub" "$TMPD/th"
export HOME=$TMPD/home
unset XDG_CONFIG_HOME XDG_DATA_HOME
: >"$TMPD/caps/a.pcap"; : >"$TMPD/caps/b.pcapng"; : >"$TMPD/caps/c.cap"
: >"$TMPD/caps/d.ring"; : >"$TMPD/caps/e.txt"; : >"$TMPD/caps/F.PCAP"
: >"$TMPD/th/mine.yaml"; : >"$TMPD/th/notes.txt"

# complete WORD...: what Tab offers for the last WORD (after the binary
# under test), sorted, one line; BASHCOMP=1 loads bash-completion first.
complete_() {
	(cd "$TMPD" && bash --norc --noprofile -c '
	    [ "${BASHCOMP:-0}" = 1 ] && . /usr/share/bash-completion/bash_completion
	    . "$1"; shift
	    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
	    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
	    _gw502tui
	    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
	    _ "$COMP" "$GW_BIN" "$@") | sed 's/ $//'
}
has_all() { # has_all NAME GOT WANT...: every WANT is a word of GOT
	name=$1 got=" $2 "; shift 2
	for w in "$@"; do
		if [[ $got != *" $w "* ]]; then
			notok "$name" "no [$w] in [${got:1:600}]"
			return
		fi
	done
	ok "$name"
}

check_eq "the file registers _gw502tui for gw502tui" \
    "complete -F _gw502tui gw502tui" \
    "$(bash --norc -c '. "$1"; complete -p gw502tui' _ "$COMP")"

# options: every one --help names
opts=$(complete_ -)
help_opts=$("$GW_BIN" --help | grep -oE '^ +-[-A-Za-z]+' | tr -d ' ' | sort -u)
# shellcheck disable=SC2086
has_all "options: every option --help starts a line with" "$opts" $help_opts
has_all "options: the long ones inside --help's lines too" "$opts" \
    --ring --max-mb --keep --follow --duration --force --export-frames \
    --list-themes --version --help -V -h
check_eq "options: --rep" "--report --report=json --report=text" \
    "$(complete_ --rep)"
check_eq "options: --report=js (bash splits at =)" "json" \
    "$(complete_ --report = js)"
check_eq "options: --report= (bash splits at =)" "json text" \
    "$(complete_ --report =)"

# themes: the names the binary finds, wherever the current folder
check_eq "themes: -t l" "light" "$(complete_ -t l)"
check_eq "themes: -t lists the bundled ones" \
    "default dusk-256 high-contrast light mono" "$(complete_ -t '')"
mkdir -p "$HOME/.local/share/gw502tui/themes"
: >"$HOME/.local/share/gw502tui/themes/zz-user.yaml"
check_eq "themes: one in ~/.local/share/gw502tui/themes too" "zz-user" \
    "$(complete_ -t zz)"
check_eq "themes: a path completes to .yaml files and folders" \
    "$TMPD/th/mine.yaml" "$(complete_ -t "$TMPD/th/")"

# interfaces
check_eq "interfaces: -i l" "lo" "$(complete_ -i l)"
has_all "interfaces: -i offers any and every /sys/class/net entry" \
    "$(complete_ -i '')" any $(ls /sys/class/net)

# captures: positional and -r, folders to descend into, nothing else
check_eq "captures: a folder's captures, any case, and its folders" \
    "$TMPD/caps/F.PCAP $TMPD/caps/a.pcap $TMPD/caps/b.pcapng $TMPD/caps/c.cap $TMPD/caps/d.ring $TMPD/caps/sub" \
    "$(complete_ "$TMPD/caps/")"
check_eq "captures: -r a" "$TMPD/caps/a.pcap" "$(complete_ -r "$TMPD/caps/a")"
check_eq "captures: after other options" "$TMPD/caps/b.pcapng" \
    "$(complete_ -t light --report "$TMPD/caps/b")"
check_eq "config: --config offers .yaml files" "$TMPD/th/mine.yaml" \
    "$(complete_ --config "$TMPD/th/")"
check_eq "no guess for a value only the user knows (-p)" "" "$(complete_ -p 90)"

# options named only in --help's examples are not gw502tui's (tcpdump -U)
got=$(complete_ -)
check "options: not tcpdump's -U from --help's example" \
    bash -c "[[ ' $got ' != *' -U '* ]]"
check "options: -o, named inside --export's line" \
    bash -c "[[ ' $got ' == *' -o '* ]]"
# values: an access log is any file, --log-format its names, -j 1 or 2
check_eq "--access-log offers any file and folders" \
    "$TMPD/caps/F.PCAP $TMPD/caps/a.pcap $TMPD/caps/b.pcapng $TMPD/caps/c.cap $TMPD/caps/d.ring $TMPD/caps/e.txt $TMPD/caps/sub" \
    "$(complete_ --access-log "$TMPD/caps/")"
fmts=$(complete_ --log-format '')
check_eq "--log-format offers the names --help gives" \
    "apache ats clf combined haproxy mitmproxy nginx squid trafficserver webgateway" "$fmts"
bad=
for f in $fmts; do
	"$GW_BIN" --report --log-format "$f" --access-log /dev/null >/dev/null 2>&1 || bad="$bad $f"
done
check_eq "--log-format: the binary takes every name offered" "" "$bad"
check_eq "--log-format=s (bash splits at =)" "squid" "$(complete_ --log-format = s)"
check_eq "-j offers 1 and 2" "1 2" "$(complete_ -j '')"
check_eq "--conn-budget: no guess, no files" "" "$(complete_ --conn-budget "$TMPD/caps/")"

if [ -f /usr/share/bash-completion/bash_completion ]; then
	check_eq "with bash-completion loaded: -t l" "light" \
	    "$(BASHCOMP=1 complete_ -t l)"
	check_eq "with bash-completion loaded: captures" "$TMPD/caps/a.pcap" \
	    "$(BASHCOMP=1 complete_ "$TMPD/caps/a")"
else
	skip "completion under bash-completion: package bash-completion not installed"
fi
