#!/bin/bash
# tests/fuzz/run.sh: builds the libFuzzer harnesses (clang, ASan+UBSan) and
# runs them (issue 7; doc/security.md).
#
#   tests/fuzz/run.sh [HARNESS...]            fuzz each for FUZZ_SECONDS (60)
#   tests/fuzz/run.sh --regress [HARNESS...]  run tests/fuzz/regress/H/* once
#   tests/fuzz/run.sh --build                 only build
#
# Harnesses: engine dns http packet flow yaml escape alog (default: all, one at a
# time). Everything it makes goes to build-fuzz/ (FUZZ_OUT): objects,
# binaries, generated seeds, the growing corpus (kept between runs), crash
# artifacts and logs. Seeds come from examples/, themes/, tests/fuzz/seeds/,
# the hostile captures of tests/tools/mkhostile.py and, when present, the
# public corpus at ../shared/corpus/public (GW_CORPUS). Exits non-zero when
# a harness crashed (or an input of --regress failed). Every run has a
# memory limit, FUZZ_RSS_MB (512): an input that makes the model grow out
# of proportion (issue 13) fails like a crash.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
OUT=${FUZZ_OUT:-$ROOT/build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CORPUS=${GW_CORPUS:-../shared/corpus/public}
ALL="engine dns http packet flow yaml escape alog"
NICE=${FUZZ_NICE:-nice -n 19}
RSS_MB=${FUZZ_RSS_MB:-512}
mode=fuzz
case "${1:-}" in
--regress) mode=regress; shift ;;
--build) mode=build; shift ;;
-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
HARNESSES=${*:-$ALL}
for h in $HARNESSES; do
	case " $ALL " in *" $h "*) ;; *) echo "run.sh: no harness '$h' (have: $ALL)" >&2; exit 2 ;; esac
done

# --- tools: clang with libFuzzer, and the project's build dependencies ---
find_clang() {
	for c in "${CLANG:-}" clang clang-14 clang-15 clang-16; do
		[ -n "$c" ] && command -v "$c" >/dev/null 2>&1 || continue
		rd=$("$c" -print-resource-dir 2>/dev/null) || continue
		if ls "$rd"/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 ||
		    ls "$rd"/lib/*/libclang_rt.fuzzer.a >/dev/null 2>&1; then
			CC=$c; return 0
		fi
	done
	return 1
}
if ! find_clang; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "run.sh: installing clang and libFuzzer" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null && apt-get install -y -qq clang \
		    libclang-rt-14-dev llvm >/dev/null || true
	fi
	find_clang || { echo "run.sh: clang with libFuzzer not found (apt-get install clang libclang-rt-14-dev llvm)" >&2; exit 1; }
fi
PKGS="libpcap yaml-0.1 ncursesw zlib"
if ! pkg-config --exists $PKGS 2>/dev/null; then
	tests/deps.sh build >&2 || true
	pkg-config --exists $PKGS || { echo "run.sh: missing build dependencies ($PKGS)" >&2; exit 1; }
fi

# --- build ---
# Signed overflow stays recoverable so that known-open.supp can step over an
# open finding while fuzzing; with halt_on_error=1 anything else still stops.
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-recover=signed-integer-overflow -fno-omit-frame-pointer"
CFLAGS="-std=c11 -g -O1 -Wall -Wextra -D_GNU_SOURCE -DGW_VERSION=\"fuzz\" -DGW_DATADIR=\"/nonexistent\" -Isrc $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lm"
mkdir -p "$OUT/obj" "$OUT/bin" "$OUT/logs"
# one build (and seed making) at a time when several runs share build-fuzz/
exec 9>"$OUT/.lock"
flock 9
# The library: every src/**/*.c but main.c and the screen (src/ui/) except
# the theme model, which the YAML harness needs and which needs no terminal.
SRCS=$(find src -name '*.c' ! -path src/main.c ! -path 'src/ui/*' | sort)
SRCS="$SRCS src/ui/theme.c"
newest_h=$(find src tests/fuzz -name '*.h' -printf '%T@\n' | sort -n | tail -1)
stale() { # stale OBJ SRC: does OBJ need building?
	[ ! -e "$1" ] || [ "$2" -nt "$1" ] ||
	    [ "$(stat -c %Y "$1")" -lt "${newest_h%.*}" ]
}
build_obj() { # build_obj SRC OBJ EXTRA-FLAGS
	mkdir -p "$(dirname "$2")"
	$NICE "$CC" $CFLAGS $SAN $3 -c "$1" -o "$2"
}
export -f build_obj
export CC CFLAGS SAN NICE
# new flags or compiler: rebuild everything
sig="$CC $($CC --version | head -1) $CFLAGS $SAN"
if [ "$(cat "$OUT/obj/.flags" 2>/dev/null)" != "$sig" ]; then
	rm -rf "$OUT/obj" "$OUT/libgw-fuzz.a" "$OUT/bin"
	mkdir -p "$OUT/obj" "$OUT/bin"
	echo "$sig" >"$OUT/obj/.flags"
fi
todo=()
for s in $SRCS; do
	o=$OUT/obj/${s%.c}.o
	stale "$o" "$s" && todo+=("$s")
done
if [ ${#todo[@]} -gt 0 ]; then
	echo "run.sh: compiling ${#todo[@]} sources with $CC" >&2
	printf '%s\n' "${todo[@]}" | xargs -P 2 -I{} bash -c \
	    'build_obj "$1" "'"$OUT"'/obj/${1%.c}.o" "-fsanitize=fuzzer-no-link"' _ {} ||
	    { echo "run.sh: build failed" >&2; exit 1; }
	rm -f "$OUT/libgw-fuzz.a"
fi
objs=$(for s in $SRCS; do echo "$OUT/obj/${s%.c}.o"; done)
if [ ! -e "$OUT/libgw-fuzz.a" ]; then
	ar rcs "$OUT/libgw-fuzz.a" $objs || exit 1
fi
for h in $ALL mkseeds; do
	src=tests/fuzz/fuzz_$h.c bin=$OUT/bin/fuzz_$h link=-fsanitize=fuzzer
	if [ "$h" = mkseeds ]; then src=tests/fuzz/mkseeds.c bin=$OUT/bin/mkseeds link=; fi
	if [ ! -e "$bin" ] || [ "$src" -nt "$bin" ] || [ "$OUT/libgw-fuzz.a" -nt "$bin" ] ||
	    [ tests/fuzz/fuzz_common.h -nt "$bin" ]; then
		echo "run.sh: linking $bin" >&2
		$NICE "$CC" $CFLAGS $SAN $link -Itests/fuzz "$src" "$OUT/libgw-fuzz.a" \
		    $LIBS -o "$bin" || { echo "run.sh: build of $h failed" >&2; exit 1; }
	fi
done
[ "$mode" = build ] && exit 0
[ "$mode" = regress ] && flock -u 9

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
# halt_on_error=1 always: signed overflow is compiled recoverable (see SAN)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1
REGRESS=tests/fuzz/regress

# --- regression inputs: each file once through its harness ---
if [ "$mode" = regress ]; then
	fail=0
	for h in $HARNESSES; do
		files=()
		if [ -d "$REGRESS/$h" ]; then
			while IFS= read -r -d '' f; do files+=("$f"); done \
			    < <(find "$REGRESS/$h" -type f ! -name '*.md' -print0 | sort -z)
		fi
		if [ ${#files[@]} -eq 0 ]; then
			echo "regress $h: no inputs"
			continue
		fi
		if "$OUT/bin/fuzz_$h" -timeout=25 -rss_limit_mb="$RSS_MB" "${files[@]}" \
		    >"$OUT/logs/regress-$h.log" 2>&1; then
			echo "regress $h: ${#files[@]} inputs ok"
		else
			echo "FAIL regress $h (log: $OUT/logs/regress-$h.log)"
			grep -E "ERROR|runtime error|property failed|Running:" \
			    "$OUT/logs/regress-$h.log" | tail -5 | sed 's/^/  /'
			fail=1
		fi
	done
	exit $fail
fi

# --- seeds (made once; delete build-fuzz/seeds to remake) ---
SEEDS=$OUT/seeds
if [ ! -e "$SEEDS/.done" ]; then
	echo "run.sh: making seeds in $SEEDS" >&2
	rm -rf "$SEEDS"
	mkdir -p "$SEEDS"/{engine,dns,http,packet,flow,yaml,escape,alog}
	cp tests/fuzz/seeds/alog/* "$SEEDS/alog/" 2>/dev/null
	caps=()
	for f in examples/*.pcap examples/*.pcapng; do [ -f "$f" ] && caps+=("$f"); done
	if [ -d "$CORPUS" ]; then
		# a sample: every capture up to 2 MB for extraction …
		while IFS= read -r -d '' f; do caps+=("$f"); done < <(find "$CORPUS" \
		    -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) \
		    -size -2M -print0 | sort -z)
		# … and the small ones whole, for the engine
		find "$CORPUS" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) \
		    -size -64k -print0 | sort -z | head -z -n 200 | while IFS= read -r -d '' f; do
			cp "$f" "$SEEDS/engine/corpus-$(echo "$f" | cksum | cut -d' ' -f1)"
		done
	else
		echo "run.sh: $CORPUS not found: seeds from examples/ only" >&2
	fi
	cp examples/*.pcap examples/*.pcapng "$SEEDS/engine/" 2>/dev/null
	python3 tests/tools/mkhostile.py "$SEEDS/engine" >/dev/null 2>&1 ||
	    echo "run.sh: mkhostile.py failed (no hostile seeds)" >&2
	"$OUT/bin/mkseeds" "$SEEDS" "${caps[@]}" 2>/dev/null
	cp tests/fuzz/seeds/http/* "$SEEDS/http/" 2>/dev/null
	for f in themes/*.yaml tests/fuzz/seeds/yaml/theme-*; do
		[ -f "$f" ] && { printf '\0'; cat "$f"; } >"$SEEDS/yaml/theme-$(basename "$f")"
	done
	for f in tests/fuzz/seeds/yaml/config-*; do
		[ -f "$f" ] && { printf '\1'; cat "$f"; } >"$SEEDS/yaml/$(basename "$f")"
	done
	for f in tests/fuzz/seeds/http/*; do
		[ -f "$f" ] && { printf '\377'; tail -c +2 "$f"; } >"$SEEDS/escape/$(basename "$f")"
	done
	printf '\377GET http://evil.test/\033]0;pwned\007\033[2J \302\233 \355\240\200 \300\257' \
	    >"$SEEDS/escape/esc"
	touch "$SEEDS/.done"
fi
flock -u 9

# --- fuzz, one harness at a time ---
# Open findings (reported, fix pending) are suppressed while fuzzing only;
# their inputs in tests/fuzz/regress/ keep failing --regress until fixed.
SUPP=tests/fuzz/known-open.supp
if grep -q '^[a-z]' "$SUPP" 2>/dev/null; then
	export UBSAN_OPTIONS="$UBSAN_OPTIONS:suppressions=$ROOT/$SUPP"
	echo "run.sh: suppressing open findings listed in $SUPP" >&2
fi
maxlen() {
	case $1 in
	engine) echo 65536 ;; flow) echo 16384 ;; http) echo 40000 ;;
	dns|packet) echo 2100 ;; yaml) echo 8192 ;; *) echo 4096 ;;
	esac
}
dict() {
	case $1 in
	http|flow) echo "-dict=tests/fuzz/dict/http.dict" ;;
	yaml) echo "-dict=tests/fuzz/dict/yaml.dict" ;;
	dns) echo "-dict=tests/fuzz/dict/dns.dict" ;;
	esac
}
SUMMARY=$OUT/logs/summary.$$
printf '%-8s %8s %6s %10s %8s %8s %7s %8s\n' harness seconds cpu_s execs exec/s cov ft crashes >"$SUMMARY"
crashed=0
for h in $HARNESSES; do
	mkdir -p "$OUT/corpus/$h" "$OUT/crashes/$h"
	dirs=("$OUT/corpus/$h" "$SEEDS/$h")
	[ -d "$REGRESS/$h" ] && dirs+=("$REGRESS/$h")
	before=$(find "$OUT/crashes/$h" -type f | wc -l)
	log=$OUT/logs/$h.log
	echo "run.sh: fuzzing $h for ${FUZZ_SECONDS}s (log: $log)" >&2
	start=$(date +%s)
	TIMEFORMAT='%U %S'
	{ time $NICE "$OUT/bin/fuzz_$h" -max_total_time="$FUZZ_SECONDS" -timeout=20 \
	    -rss_limit_mb="$RSS_MB" -max_len="$(maxlen "$h")" -print_final_stats=1 \
	    -artifact_prefix="$OUT/crashes/$h/" $(dict "$h") "${dirs[@]}" >"$log" 2>&1; } 2>"$OUT/logs/$h.cpu"
	rc=$?
	secs=$(( $(date +%s) - start ))
	cpu=$(awk '{ printf "%d", $1 + $2 }' "$OUT/logs/$h.cpu" 2>/dev/null)
	after=$(find "$OUT/crashes/$h" -type f | wc -l)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	new=$((after - before))
	[ "$rc" -ne 0 ] && [ "$new" -eq 0 ] && new=1
	[ "$new" -ne 0 ] && crashed=1
	printf '%-8s %8s %6s %10s %8s %8s %7s %8s\n' "$h" "$secs" "${cpu:-?}" "${execs:-?}" "${eps:-?}" \
	    "${cov:-?}" "${ft:-?}" "$new" | tee "$OUT/logs/$h.stats" >>"$SUMMARY"
	if [ "$new" -ne 0 ]; then
		echo "run.sh: $h CRASHED (exit $rc):" >&2
		grep -E "ERROR: |runtime error|property failed|SUMMARY" "$log" | head -5 >&2
		ls -t "$OUT/crashes/$h" | head -3 | sed "s|^|  $OUT/crashes/$h/|" >&2
	fi
done
cat "$SUMMARY"
rm -f "$SUMMARY"
date -u +"run.sh: done %Y-%m-%dT%H:%M:%SZ ($CC, FUZZ_SECONDS=$FUZZ_SECONDS)"
exit $crashed
