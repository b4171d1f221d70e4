#!/usr/bin/env bash
# SPEC section 8, side by side: builds Release into build-bench/ (with the bench
# helpers), then bench/bench.py starts a private RabbitMQ under bench/out/,
# measures each row against its anchor in the same run, prints a markdown table
# (also bench/out/latest.md) and stops that broker by its pid.
#
#   bench/run.sh            the full sizes (a few minutes)
#   bench/run.sh --quick    small sizes, same code paths (well under a minute)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mkdir -p bench/out

for arg in "$@"; do
  case "$arg" in
    --quick) ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$arg' (usage: bench/run.sh [--quick])" >&2; exit 2 ;;
  esac
done

echo "[$(date +%H:%M:%S)] building Release into build-bench/ (log: bench/out/build.log)" >&2
if ! { cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DINVENTORY_BUILD_TESTS=OFF \
         -DINVENTORY_BENCH=ON && cmake --build build-bench; } > bench/out/build.log 2>&1; then
  tail -n 40 bench/out/build.log >&2
  echo "bench/run.sh: the build failed (bench/out/build.log)" >&2
  exit 1
fi

exec /usr/bin/python3 bench/bench.py --build-dir build-bench --command "bench/run.sh${*:+ $*}" "$@"
