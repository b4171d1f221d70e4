#!/usr/bin/env bash
# Runs every test: installs and builds first (scripts/setup.sh), then ctest:
# unit tests (no broker) and integration tests (a private RabbitMQ of their own).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 "$@"
