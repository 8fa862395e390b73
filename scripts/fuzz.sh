#!/usr/bin/env bash
# Run one libFuzzer target for a while and grow its corpus:
#   scripts/fuzz.sh json|sdp|range|router|login|ndjson|image|proof|encoding|calendar|hlstoken [seconds]
#   scripts/fuzz.sh lvsdp|lvrtp [seconds]   (bench/lviewers' parsers)
# Builds with clang (-fsanitize=fuzzer,address,undefined) into build-fuzz/.
# New interesting inputs land in fuzz/corpus/<name>/; commit the useful ones.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: scripts/fuzz.sh NAME [seconds]}"
secs="${2:-60}"
out="$ROOT/build-fuzz"
mkdir -p "$out"
pkgs="glib-2.0 jansson sqlite3 libsodium libwebsockets gstreamer-1.0 \
gstreamer-sdp-1.0 gstreamer-webrtc-1.0 gstreamer-app-1.0 gstreamer-rtp-1.0 \
gstreamer-video-1.0 libqrencode hiredis libsrtp2 cairo pangocairo \
gdk-pixbuf-2.0 libbrotlienc icu-uc icu-i18n lunar-date-3.0 libical libcurl \
libssl libcrypto zlib"
# shellcheck disable=SC2086
flags="$(pkg-config --cflags $pkgs)"
# shellcheck disable=SC2086
libs="$(pkg-config --libs $pkgs) -lm"
srcs=("$ROOT"/server/*.c)
srcs=("${srcs[@]/$ROOT\/server\/main.c/}")
if [[ "$name" == lv* ]]; then
	# the load client's parsers: its own sources, no daemon
	clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-I"$ROOT/bench" -I"$ROOT/media" "$ROOT/fuzz/fuzz_$name.c" \
		"$ROOT/bench/lv_sdp.c" "$ROOT/bench/lv_rtp.c" -lm \
		-o "$out/fuzz_$name"
else
	# shellcheck disable=SC2086
	clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-DGST_USE_UNSTABLE_API -DSINIAN_VERSION='"fuzz"' \
		-DSINIAN_SOURCE_DIR="\"$ROOT\"" -I"$ROOT/server" -I"$ROOT/media" \
		-I"$ROOT/build" $flags "$ROOT/fuzz/fuzz_$name.c" "${srcs[@]}" \
		"$ROOT"/media/*.c "$ROOT/build/schema_gen.c" $libs \
		-o "$out/fuzz_$name"
fi
mkdir -p "$ROOT/fuzz/corpus/$name"
"$out/fuzz_$name" -max_total_time="$secs" "$ROOT/fuzz/corpus/$name"
