#!/usr/bin/env bash
# Build sinian twice (normal, then ASan + UBSan) and run the whole ctest suite
# in each: unit (Check), integration and browser (node's test runner).
# Exits non-zero if a build or any test fails.
#
# Environment: CTEST_JOBS (default 2), CTEST_ARGS (extra ctest arguments,
# e.g. "-L unit" or "-R integration.tribute").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

JOBS="${CTEST_JOBS:-2}"
read -r -a extra <<<"${CTEST_ARGS:-}"

"$ROOT/scripts/deps.sh" --test

logdir="$(mktemp -d)"
trap 'rm -rf "$logdir"' EXIT

passed=0
failed=0
status=0
notes=()

# run_ctest KIND DIR: the whole suite in DIR, its counts added to the totals.
run_ctest() {
	local kind="$1" dir="$2" log="$logdir/ctest-$1.log" rc=0 line f t
	echo "== ctest ($kind) =="
	(cd "$dir" && ctest --output-on-failure --no-tests=error -j "$JOBS" \
		"${extra[@]}") 2>&1 | tee "$log" || rc=$?
	# ctest closes with "N% tests passed, F tests failed out of T".
	line="$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' \
		"$log" | tail -n 1 || true)"
	if [ -n "$line" ]; then
		f="$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")"
		t="$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")"
		passed=$((passed + t - f))
		failed=$((failed + f))
		notes+=("$kind: $((t - f))/$t")
	else
		notes+=("$kind: ctest ran no test")
	fi
	if [ "$rc" -ne 0 ]; then
		status=1
		[ -n "$line" ] && [ "$f" -gt 0 ] || failed=$((failed + 1))
	fi
}

build_failed() {
	notes+=("$1: build failed")
	failed=$((failed + 1))
	status=1
}

echo "== build (normal) =="
normal_built=1
"$ROOT/scripts/build.sh" || normal_built=0

# The ASan build compiles while the normal suite runs: most tests wait on
# timers, sockets and GStreamer clocks, and nice leaves the CPU to them when
# they want it. Its output is shown once it is done.
asan_log="$logdir/build-asan.log"
nice -n 19 "$ROOT/scripts/build.sh" --sanitize >"$asan_log" 2>&1 &
asan_pid=$!

if [ "$normal_built" -eq 1 ]; then
	run_ctest normal "$ROOT/build"
else
	build_failed normal
fi

echo "== build (asan) =="
asan_built=1
wait "$asan_pid" || asan_built=0
cat "$asan_log"
if [ "$asan_built" -eq 1 ]; then
	run_ctest asan "$ROOT/build-asan"
else
	build_failed asan
fi

summary="$(printf '%s; ' "${notes[@]}")"
echo "== ${summary%; } =="
echo "test: $passed passed, $failed failed"
exit "$status"
