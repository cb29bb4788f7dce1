#!/usr/bin/env bash
# Ensures a Redis server answers on 127.0.0.1:${SPARKLE_REDIS_PORT:-6379} for tests.
#
# Idempotent: a Redis that already answers PING there is used as it is. Otherwise installs Debian's
# redis-server (and redis-tools for redis-cli) when missing and starts a private server: loopback
# only, no persistence, its files in ${SPARKLE_REDIS_DIR:-/tmp/sparkle-redis}. The conventions
# (lock, env lines, stop records) are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_REDIS_URL=redis://127.0.0.1:6379
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

svc_begin redis
port="${SPARKLE_REDIS_PORT:-6379}"
dir="${SPARKLE_REDIS_DIR:-/tmp/sparkle-redis}"
svc_env SPARKLE_TEST_REDIS_URL "redis://127.0.0.1:$port"

answers() { [[ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" == PONG ]]; }
svc_exit_if_answering answers

svc_apt_install redis-server redis-tools
svc_port_taken "$port" && svc_die "something that is not Redis listens on port $port (set SPARKLE_REDIS_PORT)"

mkdir -p "$dir"
# Everything on the command line, so no packaged /etc/redis/redis.conf is read.
svc_spawn "$dir/server.log" redis-server \
  --bind 127.0.0.1 --port "$port" --protected-mode yes --daemonize no \
  --dir "$dir" --save '' --appendonly no --logfile '' --databases 16
svc_wait_until 30 answers
svc_assert_loopback "$port"
svc_finish
