#!/usr/bin/env bash
# Installs what the build and tests need (Debian/Ubuntu packages, only those
# missing) and builds everything into build/ (or $BUILD_DIR).
#   INVENTORY_WERROR=ON   treat warnings as errors (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  g++ cmake ninja-build pkg-config git
  librabbitmq-dev nlohmann-json3-dev libgtest-dev libgmock-dev libcli11-dev libedit-dev
  rabbitmq-server amqp-tools python3 python3-pika tmux procps openssl
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # The package starts a system-wide broker where it can; ours are private nodes.
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DINVENTORY_WERROR="${INVENTORY_WERROR:-OFF}" > /dev/null
cmake --build "$BUILD_DIR"
echo "setup: built $BUILD_DIR/bin/inventory_publisher and $BUILD_DIR/bin/store_service"
