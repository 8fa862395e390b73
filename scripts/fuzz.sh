#!/usr/bin/env bash
# Run the libFuzzer targets (fuzz/fuzz_<name>.c), built with clang under
# ASan + UBSan into build-fuzz/:
#
#   scripts/fuzz.sh NAME [seconds]   one target (default 60 s); the inputs it
#                                    finds interesting are added to
#                                    fuzz/corpus/NAME/ (commit the useful ones)
#   scripts/fuzz.sh all [seconds]    every target in turn (make fuzz), each
#                                    starting from its saved corpus without
#                                    changing it; prints executions and
#                                    crashes per target, fails on a crash
#
# A crashing input is kept as build-fuzz/crashes/NAME-crash-<sha1>; replay
# it with build-fuzz/fuzz/fuzz_NAME FILE.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: scripts/fuzz.sh NAME|all [seconds]}"
secs="${2:-60}"
out="$ROOT/build-fuzz"

CC=clang cmake -S "$ROOT" -B "$out" -DSINIAN_FUZZ=ON -DSINIAN_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ "$name" = all ]; then
	targets=()
	for f in "$ROOT"/fuzz/fuzz_*.c; do
		f="${f##*/fuzz_}"
		targets+=("${f%.c}")
	done
else
	targets=("$name")
fi
cmake --build "$out" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"
mkdir -p "$out/crashes"

# run NAME: fuzz for $secs; prints "NAME EXECUTIONS CRASHES"
run() {
	local t="$1" log="$out/fuzz-$1.log" work rc=0 execs crashes
	if [ "$name" = all ]; then
		# new inputs go to a scratch directory, the saved corpus is read
		work="$(mktemp -d)"
		set -- "$work" "$ROOT/fuzz/corpus/$t"
	else
		mkdir -p "$ROOT/fuzz/corpus/$t"
		set -- "$ROOT/fuzz/corpus/$t"
	fi
	"$out/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$out/crashes/$t-" "$@" >"$log" 2>&1 || rc=$?
	[ -z "${work:-}" ] || rm -rf "$work"
	execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
	crashes=0
	[ "$rc" -eq 0 ] || crashes=1
	printf '%-10s %12s %8s\n' "$t" "${execs:-?}" "$crashes"
	[ "$rc" -eq 0 ] || { tail -n 30 "$log" >&2; return 1; }
}

printf '%-10s %12s %8s\n' target executions crashes
status=0
for t in "${targets[@]}"; do
	run "$t" || status=1
done
exit "$status"
