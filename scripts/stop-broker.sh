#!/usr/bin/env bash
# Stops the broker that scripts/run-store.sh started.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/broker.sh stop .local/broker
