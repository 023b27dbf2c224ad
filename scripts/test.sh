#!/bin/bash
# test.sh - set everything up and run every test pproftop has.
# Installs what is missing (apt-get), builds pproftop twice (plain, and with
# AddressSanitizer + UndefinedBehaviorSanitizer), runs the whole meson test
# suite in both (unit, render, CLI, pprof parity, fuzz corpus replay, tmux
# end-to-end against the real demo Go service), runs each fuzzer for a short
# bounded time when clang is available, and ends with "N passed, N failed".
#   PPROFTOP_NO_ASAN=1   skip the sanitizer build
#   PPROFTOP_FUZZ_SECONDS=N  seconds per fuzzer (default 15; 0 skips)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

PPROFTOP_FUZZ_DEPS=1 PPROFTOP_DEB_DEPS=1 scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=0

count_log() { # testlog.json -> adds to the totals
	local counts
	counts=$(python3 - "$1" <<'PY'
import json, sys
p = f = s = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            p += 1
        elif r == "SKIP":
            s += 1
        else:
            f += 1
except FileNotFoundError:
    f += 1
print(p, f, s)
PY
)
	read -r p f s <<<"$counts"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

run_suite() { # builddir [meson setup args...]
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null || { failed=$((failed + 1)); return; }
	fi
	if ! ninja -C "$dir" >"$dir.ninja.log" 2>&1; then
		cat "$dir.ninja.log"
		failed=$((failed + 1))
		return
	fi
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --num-processes 2 --print-errorlogs
	count_log "$dir/meson-logs/testlog.json"
}

scripts/build-demo.sh >/dev/null || { echo "demo build failed"; failed=$((failed + 1)); }

echo "== plain build"
run_suite build

echo "== lint: clang-format and clang-tidy on src/*/, include/, tests/unit/, fuzz/, bench/"
if command -v clang-format >/dev/null && [ -f build/compile_commands.json ]; then
	bad=0
	for f in src/*/*.[ch] include/pproftop/*.h tests/unit/*.[ch] fuzz/*.c bench/*.c; do
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || { echo "not clang-formatted: $f"; bad=1; }
	done
	if command -v clang-tidy >/dev/null; then
		if ! clang-tidy -p build --quiet --extra-arg=-Wno-unknown-warning-option src/*/*.c \
			>build/clang-tidy.log 2>&1; then
			grep -E "(error|warning):" build/clang-tidy.log | sort -u | head -40
			bad=1
		fi
	fi
	if [ $bad -eq 0 ]; then
		echo "lint: ok"
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
fi

if [ "${PPROFTOP_NO_ASAN:-0}" != 1 ]; then
	echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	run_suite build-asan -Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all
fi

fuzz_secs=${PPROFTOP_FUZZ_SECONDS:-15}
if [ "$fuzz_secs" != 0 ] && command -v clang >/dev/null; then
	echo "== fuzzing, ${fuzz_secs}s per target"
	if [ ! -f build-fuzz/build.ninja ]; then
		CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
			-Db_lundef=false >/dev/null
	fi
	if ninja -C build-fuzz fuzzers >build-fuzz.ninja.log 2>&1; then
		for t in parse parse_proto parse_text parse_dump diff symbol; do
			scratch=$(mktemp -d)
			if build-fuzz/fuzz/fuzz_$t -max_total_time="$fuzz_secs" -rss_limit_mb=2048 \
				-timeout=10 "$scratch" "$root/fuzz/corpus/$t" >"$scratch.log" 2>&1; then
				echo "fuzz_$t: ok ($(grep -o 'Done [0-9]* runs' "$scratch.log"))"
				passed=$((passed + 1))
			else
				echo "fuzz_$t: FAILED"
				tail -40 "$scratch.log"
				failed=$((failed + 1))
			fi
			rm -rf "$scratch" "$scratch.log"
		done
	else
		cat build-fuzz.ninja.log
		failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
