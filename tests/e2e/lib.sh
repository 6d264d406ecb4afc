# lib.sh: tiny assertion helpers for end-to-end tests (sourced).
# Each check prints "ok - NAME" or "not ok - NAME"; tests/run.sh counts them.
# GW_BIN: binary under test; ROOT: repo root; SHARED: ../shared (read only).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GW_BIN=${GW_BIN:-$ROOT/build/gw502tui}
GW_BUILD=${GW_BUILD:-$(dirname "$GW_BIN")}
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/gw502e2e.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; [ $# -gt 1 ] && printf '#   %s\n' "$2"; return 0; }
skip() { echo "skip - $1"; }
check() { # check NAME CMD...: passes when CMD succeeds
	name=$1; shift
	if "$@" >"$TMPD/check.out" 2>&1; then ok "$name"
	else notok "$name" "$(head -c 600 "$TMPD/check.out" | tr '\n' ' ')"; fi
}
check_eq() { # check_eq NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1" "expected [$2] got [$3]"; fi
}
# Polls CMD until it succeeds or SECONDS pass (no fixed sleeps).
wait_for() {
	secs=$1; shift
	deadline=$(( $(date +%s) + secs ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}
# Runs the binary under test: sets rc, out, err.
run() { # run ARGS...: sets rc, out, err
	"$GW_BIN" "$@" >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	out=$(cat "$TMPD/out")
	err=$(cat "$TMPD/err")
}
one_line_naming() { # NAME WORD: stderr is one line that names WORD
	if [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" == *"$2"* ]]; then
		ok "$1"
	else
		notok "$1" "stderr: $err"
	fi
}
