#!/usr/bin/env bash
# Configure and build sinian with CMake.
#
#   scripts/build.sh              build/       (the daemon is build/sinian)
#   scripts/build.sh --sanitize   build-asan/  (ASan + UBSan, -DSINIAN_SANITIZE=ON)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

dir="$ROOT/build"
opts=(-DSINIAN_SANITIZE=OFF)
for arg in "$@"; do
	case "$arg" in
	--sanitize)
		dir="$ROOT/build-asan"
		opts=(-DSINIAN_SANITIZE=ON)
		;;
	*)
		echo "usage: $0 [--sanitize]" >&2
		exit 2
		;;
	esac
done

cmake -S "$ROOT" -B "$dir" "${opts[@]}"
cmake --build "$dir" -j "$(nproc)"
