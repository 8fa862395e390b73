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
for kind in normal asan; do
	if [ "$kind" = normal ]; then
		dir="$ROOT/build"
		build_args=()
	else
		dir="$ROOT/build-asan"
		build_args=(--sanitize)
	fi
	echo "== build ($kind) =="
	if ! "$ROOT/scripts/build.sh" "${build_args[@]}"; then
		notes+=("$kind: build failed")
		failed=$((failed + 1))
		status=1
		continue
	fi
	echo "== ctest ($kind) =="
	log="$logdir/ctest-$kind.log"
	rc=0
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
done

summary="$(printf '%s; ' "${notes[@]}")"
echo "== ${summary%; } =="
echo "test: $passed passed, $failed failed"
exit "$status"
