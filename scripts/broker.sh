#!/usr/bin/env bash
# A private, throwaway RabbitMQ node from Debian's rabbitmq-server package:
# its own directory, node name, ports and Erlang cookie; stopped by its own pid.
#
#   scripts/broker.sh start DIR [PORT]   boot a node in DIR (free port if none given),
#                                        wait until it serves, write DIR/broker.env
#   scripts/broker.sh fresh DIR          stop whatever ran in DIR, wipe it, start anew
#   scripts/broker.sh stop DIR           stop that node (by pid) and wait for it
#   scripts/broker.sh restart DIR        stop, then start again on the same port and data
#   scripts/broker.sh freeze|thaw DIR    SIGSTOP / SIGCONT the node (a silent broker)
#   scripts/broker.sh ctl DIR ARGS...    rabbitmqctl against that node
#
# DIR/broker.env holds AMQP_URL, BROKER_PORT, BROKER_NODE, BROKER_PID, BROKER_HOME, BROKER_KIND.
#
# Where a Docker engine runs (and INVENTORY_BROKER is not "local"), the node is
# the docker-compose.yml service instead, as its own compose project per DIR;
# INVENTORY_BROKER=docker insists on that, =local on the rabbitmq-server package.
set -euo pipefail

RMQ_BIN=${RMQ_BIN:-/usr/lib/rabbitmq/bin}

die() { echo "broker.sh: $*" >&2; exit 1; }

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    port_is_free "$p" && { echo "$p"; return; }
  done
}

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

node_env() {
  local dir=$1 port=$2
  export HOME="$dir"
  export RABBITMQ_NODENAME="inv$port@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$port"
  export RABBITMQ_DIST_PORT=$((port + 10000))
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
  export RABBITMQ_ALLOW_INPUT=
  export RABBITMQ_LOGS="$dir/log/broker.log"
  export RABBITMQ_CTL_DIST_PORT_MIN=$((port + 10001))
  export RABBITMQ_CTL_DIST_PORT_MAX=$((port + 10020))
}

# A throwaway CA and a server certificate for localhost/127.0.0.1, so amqps://
# is tested for real (the CA goes to clients as --cacert).
make_tls_files() {
  local tls=$1
  [[ -s "$tls/server.pem" ]] && return 0
  command -v openssl > /dev/null || die "openssl is needed for the broker's TLS listener"
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=inventory test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" > /dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" > /dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$tls/san.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 30 -extfile "$tls/san.ext" -out "$tls/server.pem" > /dev/null 2>&1
  chmod 644 "$tls"/*.pem "$tls"/*.key
}

start() {
  local dir=$1 port=${2:-}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local tls_port=
  if [[ -z "$port" && -f "$dir/broker.env" ]]; then
    port=$(sed -n 's/^BROKER_PORT=//p' "$dir/broker.env")
    tls_port=$(sed -n 's/^BROKER_TLS_PORT=//p' "$dir/broker.env")
  fi
  if [[ -z "$port" ]]; then
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      port=$(free_port)
      # the node also needs port+10000 (distribution) and a range for rabbitmqctl
      if (( port < 55000 )) && port_is_free $((port + 10000)); then break; fi
      port=
    done
    [[ -n "$port" ]] || die "no free port found"
  fi
  if [[ -z "$tls_port" ]]; then
    tls_port=$(free_port)
    while [[ "$tls_port" == "$port" ]] || ! port_is_free $((tls_port)); do tls_port=$(free_port); done
  fi
  node_env "$dir" "$port"
  mkdir -p "$dir/log" "$dir/mnesia"
  make_tls_files "$dir/tls"
  : > "$dir/enabled_plugins.tmp"; echo "[]." > "$dir/enabled_plugins"
  : > "$dir/rabbitmq-env.conf"
  # Quiet, small, and fast to boot: no disk alarm on a nearly full /tmp,
  # loopback only, guest allowed on loopback.
  cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$port
loopback_users = none
disk_free_limit.absolute = 50MB
log.console = false
log.file.level = info
listeners.ssl.default = 127.0.0.1:$tls_port
ssl_options.cacertfile = $dir/tls/ca.pem
ssl_options.certfile = $dir/tls/server.pem
ssl_options.keyfile = $dir/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
CONF
  echo "[]." > "$dir/advanced.config"
  if [[ ! -f "$dir/.erlang.cookie" ]]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/.erlang.cookie"
    chmod 400 "$dir/.erlang.cookie"
  fi
  rm -f "$dir/rabbitmq.pid"
  setsid "$RMQ_BIN/rabbitmq-server" > "$dir/log/stdout.log" 2>&1 < /dev/null &
  local launcher=$!
  # The pid file appears once the Erlang VM runs; `wait` then blocks until the app is up.
  local i
  for i in $(seq 1 300); do
    [[ -s "$dir/rabbitmq.pid" ]] && break
    kill -0 "$launcher" 2>/dev/null || { tail -n 30 "$dir/log/stdout.log" >&2; die "rabbitmq-server exited during start (see $dir/log)"; }
    sleep 0.1
  done
  [[ -s "$dir/rabbitmq.pid" ]] || die "no pid file after 30 s (see $dir/log)"
  if ! timeout 120 "$RMQ_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" wait --timeout 100 "$dir/rabbitmq.pid" \
      > "$dir/log/wait.log" 2>&1 < /dev/null; then
    tail -n 30 "$dir/log/wait.log" >&2
    die "node $RABBITMQ_NODENAME did not come up (see $dir/log)"
  fi
  local pid
  pid=$(cat "$dir/rabbitmq.pid")
  cat > "$dir/broker.env" <<ENV
AMQP_URL=amqp://guest:guest@127.0.0.1:$port
BROKER_PORT=$port
BROKER_NODE=$RABBITMQ_NODENAME
BROKER_PID=$pid
BROKER_HOME=$dir
BROKER_KIND=local
BROKER_TLS_PORT=$tls_port
BROKER_CACERT=$dir/tls/ca.pem
ENV
  echo "broker $RABBITMQ_NODENAME up on 127.0.0.1:$port (pid $pid, dir $dir)"
}

load_env() {
  local dir=$1
  [[ -f "$dir/broker.env" ]] || die "no broker.env in $dir"
  # shellcheck disable=SC1091
  source "$dir/broker.env"
}

stop() {
  local dir=$1
  [[ -f "$dir/broker.env" ]] || return 0
  load_env "$dir"
  if kill -0 "$BROKER_PID" 2>/dev/null; then
    kill -CONT "$BROKER_PID" 2>/dev/null || true
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 300); do
      kill -0 "$BROKER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$BROKER_PID" 2>/dev/null; then kill -KILL "$BROKER_PID" 2>/dev/null || true; fi
  fi
  echo "broker $BROKER_NODE stopped"
}

# ---- Docker Compose flavour ---------------------------------------------------
ROOT=$(cd "$(dirname "$0")/.." && pwd)
compose() { docker compose -f "$ROOT/docker-compose.yml" -p "inv$BROKER_PORT" "$@"; }

use_docker() {
  case "${INVENTORY_BROKER:-auto}" in
    docker) return 0 ;;
    local) return 1 ;;
    *) docker info > /dev/null 2>&1 ;;
  esac
}

docker_start() {
  local dir=$1 port=${2:-}
  mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
  if [[ -z "$port" && -f "$dir/broker.env" ]]; then port=$(sed -n 's/^BROKER_PORT=//p' "$dir/broker.env"); fi
  [[ -n "$port" ]] || port=$(free_port)
  BROKER_PORT=$port
  AMQP_PORT=$port MANAGEMENT_PORT=$((port + 1)) compose up -d --wait rabbitmq > "$dir/compose.log" 2>&1 \
    || { cat "$dir/compose.log" >&2; die "docker compose could not start RabbitMQ"; }
  cat > "$dir/broker.env" <<ENV
AMQP_URL=amqp://guest:guest@127.0.0.1:$port
BROKER_PORT=$port
BROKER_NODE=inv$port
BROKER_PID=
BROKER_HOME=$dir
BROKER_KIND=docker
ENV
  echo "broker (docker compose project inv$port) up on 127.0.0.1:$port"
}

is_docker_dir() { [[ -f "$1/broker.env" ]] && grep -q '^BROKER_KIND=docker' "$1/broker.env"; }

ctl() {
  local dir=$1; shift
  load_env "$dir"
  if [[ "${BROKER_KIND:-local}" == docker ]]; then compose exec -T rabbitmq rabbitmqctl -q "$@"; return; fi
  node_env "$BROKER_HOME" "$BROKER_PORT"
  "$RMQ_BIN/rabbitmqctl" -q -n "$BROKER_NODE" "$@"
}

cmd=${1:-}; dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || die "usage: broker.sh start|fresh|stop|restart|freeze|thaw|ctl DIR [PORT|ARGS...]"

if is_docker_dir "$dir" || { [[ "$cmd" == start || "$cmd" == fresh ]] && use_docker; }; then
  [[ -f "$dir/broker.env" ]] && load_env "$dir"
  case "$cmd" in
    start) docker_start "$dir" "${3:-}" ;;
    fresh) if is_docker_dir "$dir"; then compose down -v > /dev/null 2>&1 || true; fi
           rm -rf "$dir"; docker_start "$dir" "${3:-}" ;;
    stop) compose stop > /dev/null; echo "broker inv$BROKER_PORT stopped" ;;
    restart) compose stop > /dev/null; docker_start "$dir" ;;
    freeze) compose pause > /dev/null ;;
    thaw) compose unpause > /dev/null 2>&1 || true ;;
    ctl) shift 2; ctl "$dir" "$@" ;;
    *) die "unknown command '$cmd'" ;;
  esac
  exit 0
fi

[[ -x "$RMQ_BIN/rabbitmq-server" ]] || die "no $RMQ_BIN/rabbitmq-server: install Debian's rabbitmq-server (scripts/setup.sh does)"
case "$cmd" in
  start) start "$dir" "${3:-}" ;;
  fresh) stop "$dir"; rm -rf "$dir"; start "$dir" "${3:-}" ;;
  ctl) shift 2; ctl "$dir" "$@" ;;
  stop) stop "$dir" ;;
  restart) stop "$dir"; start "$dir" ;;
  freeze) load_env "$dir"; kill -STOP "$BROKER_PID" ;;
  thaw) load_env "$dir"; kill -CONT "$BROKER_PID" ;;
  *) die "unknown command '$cmd'" ;;
esac
