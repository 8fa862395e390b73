#!/usr/bin/env bash
# Install what sinian needs to build, run, test and bench, skipping what is
# present.
#
#   scripts/deps.sh           Debian packages for building and running, and
#                             the node modules the pages use (web/)
#   scripts/deps.sh --test    the same, plus what the tests need and the node
#                             modules under tests/
#   scripts/deps.sh --bench   the same, plus what bench/ needs
#   scripts/deps.sh --fuzz    the same as the default, plus clang with
#                             libFuzzer (make fuzz)
#   scripts/deps.sh --list [--test] [--bench]
#                             print the packages, one a line; install nothing
#
# Idempotent and quick when everything is there: each package is checked with
# dpkg-query and apt-get runs only for the missing ones.
#
# Every GStreamer element the daemon, the tests and the benches use is listed
# with its package in media/elements.c; tests/unit/test_elements.c fails when
# the package of one of them is not installed by this script.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Building and running the daemon.
PACKAGES=(
	build-essential cmake pkg-config git
	libwebsockets-dev libwebsockets-evlib-ev libev-dev
	libwebsockets-evlib-uv libuv1-dev libglib2.0-dev
	libjansson-dev libsqlite3-dev sqlite3 libsodium-dev
	libcurl4-openssl-dev curl
	liblunar-date-dev libical-dev
	libhiredis-dev libsrtp2-dev libqrencode-dev libssl-dev zlib1g-dev
	libgstreamer1.0-0 libgstreamer1.0-dev
	libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
	gstreamer1.0-plugins-base gstreamer1.0-plugins-good
	gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
	gstreamer1.0-libav gstreamer1.0-nice gstreamer1.0-x
	libnice-dev fonts-noto-cjk
	libcairo2-dev libpango1.0-dev libgdk-pixbuf-2.0-dev webp-pixbuf-loader
	libbrotli-dev libicu-dev
)

# The tests: Check, a real RTSP server and Redis, Chromium, the formatter,
# a TURN server (coturn) and nftables to block UDP for a viewer,
# gst-discoverer-1.0 to read HLS segments, nginx as the shared cache in
# front of memorial pages, gdb for the stacks of a daemon that does not
# stop (tests/lib/daemon.mjs).
TEST_PACKAGES=(
	check libsubunit-dev
	libgstrtspserver-1.0-dev gstreamer1.0-tools
	redis-server chromium clang-format
	python3-aiosmtpd python3-icalendar
	coturn nftables gstreamer1.0-plugins-base-apps
	nginx gdb
)

# bench/: Janus (the anchor bench/janus.sh runs beside sinian), nginx
# caching HLS in front of the daemon and serving the static reference of
# the front's bench, wrk as its clients, perf for profiles.
BENCH_PACKAGES=(janus nginx wrk linux-perf)

# make fuzz: clang, whose runtime carries libFuzzer and the sanitizers.
FUZZ_PACKAGES=(clang)

usage() {
	echo "usage: $0 [--list] [--test] [--bench] [--fuzz]" >&2
	exit 2
}

with_test=0
with_bench=0
with_fuzz=0
list_only=0
for arg in "$@"; do
	case "$arg" in
	--test) with_test=1 ;;
	--bench) with_bench=1 ;;
	--fuzz) with_fuzz=1 ;;
	--list) list_only=1 ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
# The benches start daemons and browsers the way the tests do.
if [ "$with_bench" -eq 1 ]; then
	with_test=1
	PACKAGES+=("${BENCH_PACKAGES[@]}")
fi
if [ "$with_test" -eq 1 ]; then
	PACKAGES+=("${TEST_PACKAGES[@]}")
fi
if [ "$with_fuzz" -eq 1 ]; then
	PACKAGES+=("${FUZZ_PACKAGES[@]}")
fi

# A machine may bring its own Node.js (with npm); only ask Debian otherwise.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	PACKAGES+=(nodejs npm)
fi

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -E "$@"
	else
		echo "deps: need root (or sudo) to run: $*" >&2
		exit 1
	fi
}

is_installed() {
	local status
	status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)"
	[ "$status" = "install ok installed" ]
}

install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		is_installed "$p" || missing+=("$p")
	done
	if [ "${#missing[@]}" -eq 0 ]; then
		echo "deps: all ${#PACKAGES[@]} Debian packages present"
		return
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update
	as_root apt-get install -y --no-install-recommends "${missing[@]}"
}

# DIR/node_modules is current when it exists and is not older than the lock.
install_node_modules() {
	local dir="$ROOT/$1" mods="$ROOT/$1/node_modules"
	if [ -d "$mods" ] && { [ ! -f "$dir/package-lock.json" ] ||
		[ ! "$mods" -ot "$dir/package-lock.json" ]; }; then
		echo "deps: $1/node_modules up to date"
		return
	fi
	echo "deps: installing node modules in $1/"
	if [ -f "$dir/package-lock.json" ]; then
		(cd "$dir" && npm ci --no-audit --no-fund)
	else
		(cd "$dir" && npm install --no-audit --no-fund)
	fi
	# npm ci may keep the directory's old mtime; mark it fresh.
	touch "$mods"
}

if [ "$list_only" -eq 1 ]; then
	printf '%s\n' "${PACKAGES[@]}"
	exit 0
fi
install_packages
# The daemon serves web/node_modules' hls.js to the player and jsQR to the
# gate's ticket scanner (no CDN).
install_node_modules web
if [ "$with_test" -eq 1 ]; then
	install_node_modules tests
fi
