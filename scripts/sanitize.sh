#!/usr/bin/env bash
# Builds the unit tests twice, with ASan+UBSan (build-asan/) and with TSan
# (build-tsan/), and runs them; any sanitizer report fails the run.
#   scripts/sanitize.sh [address|thread]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

kinds=("$@")
((${#kinds[@]})) || kinds=(address thread)

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

for kind in "${kinds[@]}"; do
  case $kind in
    address) dir=build-asan ;;
    thread) dir=build-tsan ;;
    *) echo "usage: scripts/sanitize.sh [address|thread]..." >&2; exit 2 ;;
  esac
  echo "sanitize: $kind -> $dir"
  # Debug (-O0 -g, asserts on): a third of the compile time of -O2, the same reports.
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DINVENTORY_SANITIZE="$kind" \
    -DINVENTORY_INTEGRATION_TESTS=OFF -DINVENTORY_WERROR="${INVENTORY_WERROR:-OFF}" > /dev/null
  cmake --build "$dir" --target unit_tests
  # The binary directly rather than ctest: one process, so TSan sees the whole run
  # and the output is one report, not one per test.
  "$dir/bin/unit_tests" --gtest_brief=1
  echo "sanitize: $kind clean"
done
