#!/usr/bin/env bash
# The main job on a fresh machine: install and build (scripts/setup.sh), start a
# local RabbitMQ (scripts/broker.sh: the docker-compose.yml service where a Docker
# engine runs, else a private rabbitmq-server node under .local/broker), then run
# store_service against it. Extra arguments go to store_service.
# The broker keeps running after the store exits: scripts/stop-broker.sh stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Nothing before the store may read stdin: a script may be piping queries into it.
scripts/setup.sh >&2 < /dev/null
BUILD_DIR=${BUILD_DIR:-build}
dir=.local/broker

running=
if [[ -f $dir/broker.env ]]; then
  # shellcheck disable=SC1091
  source $dir/broker.env
  if [[ ${BROKER_KIND:-local} == docker ]] || kill -0 "${BROKER_PID:-0}" 2>/dev/null; then
    running=yes
    echo "run-store: broker already running at 127.0.0.1:$BROKER_PORT" >&2
  fi
fi
if [[ -z $running ]]; then
  # 5672 when it is free, so the publisher's default address reaches it too.
  if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then port=; else port=5672; fi
  scripts/broker.sh start $dir $port >&2 < /dev/null
  # shellcheck disable=SC1091
  source $dir/broker.env
fi
echo "run-store: publish with: $BUILD_DIR/bin/inventory_publisher --url $AMQP_URL PRODUCT_ID QUANTITY" >&2
exec "$BUILD_DIR/bin/store_service" --url "$AMQP_URL" "$@"
