#!/usr/bin/env bash
# Configure and build sinian with CMake.
#
#   scripts/build.sh              build/       (the daemon is build/sinian)
#   scripts/build.sh --sanitize   build-asan/  (ASan + UBSan, -DSINIAN_SANITIZE=ON)
#   scripts/build.sh --no-tests   build/ without the test programs (make run:
#                                 Check and the test packages need not be there)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

dir="$ROOT/build"
opts=(-DSINIAN_SANITIZE=OFF)
tests=ON
for arg in "$@"; do
	case "$arg" in
	--sanitize)
		dir="$ROOT/build-asan"
		opts=(-DSINIAN_SANITIZE=ON)
		;;
	--no-tests) tests=OFF ;;
	*)
		echo "usage: $0 [--sanitize] [--no-tests]" >&2
		exit 2
		;;
	esac
done

cmake -S "$ROOT" -B "$dir" "${opts[@]}" -DSINIAN_TESTS="$tests"
cmake --build "$dir" -j "$(nproc)"
