# bash completion for gw502tui                                 -*- sh -*-
# Installed as $(PREFIX)/share/bash-completion/completions/gw502tui.
# Options come from `gw502tui --help`, theme names from `gw502tui
# --list-themes` (the search path the program itself uses), interfaces
# from /sys/class/net, captures are *.pcap, *.pcapng, *.cap, *.ring and
# folders; access logs any file, --log-format's names and -j's counts.

# The gw502tui being completed (./gw502tui, build/gw502tui …), else PATH's.
_gw502tui_bin()
{
	local b=${COMP_WORDS[0]}
	b=${b/#\~/$HOME}
	if [[ $b == */* && -x $b ]]; then
		printf '%s\n' "$b"
	else
		printf '%s\n' gw502tui
	fi
}

# Every option the help names (and --report's two forms): in the columns
# of an option's line that start with one ("--export ID -o OUT.pcap",
# "-V, --version"), never in its description, whose examples name other
# programs' options (tcpdump -U).
_gw502tui_options()
{
	"$(_gw502tui_bin)" --help 2>/dev/null |
	    awk '/^  -/ { n = split($0, col, /  +/)
		for (i = 1; i <= n; i++) if (col[i] ~ /^-/) print col[i] }' |
	    grep -oE '(^|[ ,])--?[A-Za-z][-A-Za-z]*' |
	    sed 's/^[ ,]*//' | sort -u
	printf '%s\n' --report=text --report=json
}

# Files matching cur whose names end in one of the suffixes (any file
# without one), and folders to descend into.
_gw502tui_files()
{
	local cur=$1 f x
	shift
	compopt -o filenames 2>/dev/null
	while IFS= read -r f; do
		if (( $# == 0 )); then
			COMPREPLY+=("$f")
			continue
		fi
		for x in "$@"; do
			[[ ${f,,} == *"$x" && ! -d $f ]] && COMPREPLY+=("$f")
		done
	done < <(compgen -f -- "$cur")
	while IFS= read -r f; do
		[[ $# -gt 0 || ! -d $f ]] || continue
		COMPREPLY+=("$f")
	done < <(compgen -d -- "$cur")
}

_gw502tui_captures=".pcap .pcapng .cap .ring"

_gw502tui()
{
	local cur prev cword=$COMP_CWORD w eq=0
	COMPREPLY=()
	cur=${COMP_WORDS[cword]}
	prev=${COMP_WORDS[cword-1]}
	# --opt=VALUE: bash splits at '=' (COMP_WORDBREAKS)
	if [[ $cur == = ]]; then
		prev=${COMP_WORDS[cword-1]}; cur= eq=1
	elif [[ $prev == = ]] && (( cword >= 2 )); then
		prev=${COMP_WORDS[cword-2]} eq=1
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}; cur=${cur#*=} eq=1
	fi
	case $prev in
	-t)
		COMPREPLY=($(compgen -W "$("$(_gw502tui_bin)" --list-themes \
		    2>/dev/null)" -- "$cur"))
		# a theme file's path, once the word looks like one
		[[ $cur == */* ]] && _gw502tui_files "$cur" .yaml
		return 0 ;;
	-i)
		local ifs=(any)
		for w in /sys/class/net/*; do
			[[ -e $w ]] && ifs+=("${w##*/}")
		done
		COMPREPLY=($(compgen -W "${ifs[*]}" -- "$cur"))
		return 0 ;;
	-r)
		_gw502tui_files "$cur" $_gw502tui_captures
		return 0 ;;
	--report)
		# its value only after '=' (--report FILE is a capture)
		if (( eq )); then
			COMPREPLY=($(compgen -W "text json" -- "$cur"))
			return 0
		fi ;;
	--config)
		_gw502tui_files "$cur" .yaml .yml
		return 0 ;;
	-o|-w|--access-log)
		# an access log is named anything (access.log, .1, .gz)
		_gw502tui_files "$cur"
		return 0 ;;
	--log-format)
		# the names --help gives
		COMPREPLY=($(compgen -W "webgateway squid clf combined nginx \
		    apache mitmproxy haproxy ats trafficserver" -- "$cur"))
		return 0 ;;
	-j)
		COMPREPLY=($(compgen -W "1 2" -- "$cur"))
		return 0 ;;
	-Z)
		COMPREPLY=($(compgen -u -- "$cur"))
		return 0 ;;
	-f|-s|-p|-g|-c|-Y|--status|--timeout|--export|--duration|--max-mb|\
	--keep|--ring|--export-frames|--conn-budget)
		return 0 ;;	# a value only the user knows
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_gw502tui_options)" -- "$cur"))
		[[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null
		return 0
	fi
	_gw502tui_files "$cur" $_gw502tui_captures
}
complete -F _gw502tui gw502tui
