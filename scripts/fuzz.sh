#!/usr/bin/env bash
# Builds the libFuzzer targets into build-fuzz/ (clang, ASan+UBSan) and runs them
# side by side for SECONDS (default 30) each, on scratch copies of their seed
# corpora in tests/fuzz/corpus/: new inputs never land in the repository. Exits 1
# if a target crashes, leaks, times out or breaks an invariant; the input that did
# it is kept under build-fuzz/fuzz-artifacts/TARGET/.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2; }
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
TARGETS=(parse_update_fuzz journal_fuzz)

CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DINVENTORY_FUZZ=ON -DINVENTORY_BUILD_TESTS=OFF -DINVENTORY_WERROR="${INVENTORY_WERROR:-OFF}" > /dev/null
cmake --build "$BUILD_DIR" --target "${TARGETS[@]}"

scratch=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT
artifacts="$(cd "$BUILD_DIR" && pwd)/fuzz-artifacts"

echo "fuzz: ${TARGETS[*]}, ${seconds}s each, side by side"
for target in "${TARGETS[@]}"; do
  name=${target%_fuzz}
  mkdir -p "$scratch/$name" "$artifacts/$name"
  cp -r "tests/fuzz/corpus/$name/." "$scratch/$name/"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$name/")
  [[ -f tests/fuzz/$name.dict ]] && args+=(-dict="tests/fuzz/$name.dict")
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$BUILD_DIR/bin/$target" "${args[@]}" "$scratch/$name" > "$scratch/$name.log" 2>&1 &
  pids+=($!)
done

failed=()
for i in "${!TARGETS[@]}"; do
  target=${TARGETS[$i]}
  name=${target%_fuzz}
  log="$scratch/$name.log"
  if wait "${pids[$i]}"; then
    echo "fuzz: $target: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tr -s '\t ' ' ')"
  else
    echo "fuzz: $target FAILED; its output ends:" >&2
    tail -n 60 "$log" >&2
    echo "fuzz: the input is under $artifacts/$name/ (replay: $BUILD_DIR/bin/$target FILE)" >&2
    failed+=("$target")
  fi
done
pids=()

if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash"
