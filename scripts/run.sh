#!/usr/bin/env bash
# Install what is missing, build, and run sinian in the foreground.
#
# Environment: LISTEN (default 127.0.0.1:8080), DATA_DIR (default var).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LISTEN="${LISTEN:-127.0.0.1:8080}"
DATA_DIR="${DATA_DIR:-var}"

"$ROOT/scripts/deps.sh"
"$ROOT/scripts/build.sh" --no-tests
mkdir -p "$DATA_DIR"

base="http://$LISTEN"
cat <<MSG

sinian is starting on $base (data in $DATA_DIR/)
  home             $base/
  demo memorial    $base/m/demo
  demo ceremony    $base/c/1
  health           $base/healthz
  metrics          $base/metrics
Stop with Ctrl-C.

MSG

exec "$ROOT/build/sinian" --config "$ROOT/conf/sinian.conf" \
	--listen "$LISTEN" --data-dir "$DATA_DIR"
