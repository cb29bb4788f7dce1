#!/usr/bin/env bash
# Ensures a ClickHouse server answers on 127.0.0.1:8123 (HTTP) for tests and benches.
#
# Idempotent: does nothing when /ping already answers. Otherwise installs Debian's
# clickhouse-server (old: 18.16) when missing, and starts it with a private config that
# listens on loopback only and keeps its data in a temporary directory
# (SPARKLE_CLICKHOUSE_DIR, default /tmp/sparkle-clickhouse). Ports can be moved with
# SPARKLE_CLICKHOUSE_HTTP_PORT / SPARKLE_CLICKHOUSE_TCP_PORT.
set -euo pipefail

# Test files and packages may call this at the same time: one at a time.
exec 9>"/tmp/sparkle-ensure-clickhouse.lock"
flock 9

HTTP_PORT="${SPARKLE_CLICKHOUSE_HTTP_PORT:-8123}"
TCP_PORT="${SPARKLE_CLICKHOUSE_TCP_PORT:-9000}"
DIR="${SPARKLE_CLICKHOUSE_DIR:-/tmp/sparkle-clickhouse}"

ping_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 "http://127.0.0.1:${HTTP_PORT}/ping" >/dev/null 2>&1
  else
    node -e "fetch('http://127.0.0.1:${HTTP_PORT}/ping',{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
  fi
}

if ping_ok; then
  echo "clickhouse: already answering on 127.0.0.1:${HTTP_PORT}"
  exit 0
fi

if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ]; then
  if [ "$(id -u)" != 0 ]; then echo "clickhouse: clickhouse-server is not installed and this is not root" >&2; exit 1; fi
  echo "clickhouse: installing the Debian clickhouse-server package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends clickhouse-server clickhouse-client >/dev/null \
    || { apt-get update -o DPkg::Lock::Timeout=300 >/dev/null && apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends clickhouse-server clickhouse-client >/dev/null; }
fi
SERVER="$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)"

mkdir -p "$DIR/data" "$DIR/tmp" "$DIR/user_files" "$DIR/format_schemas" "$DIR/log"
cat >"$DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$DIR/log/server.log</log><errorlog>$DIR/log/server.err.log</errorlog><size>50M</size><count>2</count></logger>
  <http_port>${HTTP_PORT}</http_port>
  <tcp_port>${TCP_PORT}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$DIR/data/</path>
  <tmp_path>$DIR/tmp/</tmp_path>
  <user_files_path>$DIR/user_files/</user_files_path>
  <format_schema_path>$DIR/format_schemas/</format_schema_path>
  <users_config>$DIR/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mlock_executable>false</mlock_executable>
  <timezone>UTC</timezone>
</yandex>
XML
cat >"$DIR/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>4000000000</max_memory_usage><load_balancing>random</load_balancing></default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <sparkle_secret>
      <password>sparkle-test-secret</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </sparkle_secret>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML

# Runs as the invoking user (root here is fine for a private, loopback-only test server).
nohup "$SERVER" --config-file="$DIR/config.xml" >"$DIR/log/stdout.log" 2>&1 &
echo $! >"$DIR/server.pid"

for _ in $(seq 1 60); do
  if ping_ok; then
    echo "clickhouse: started on 127.0.0.1:${HTTP_PORT} (data in $DIR, pid $(cat "$DIR/server.pid"))"
    exit 0
  fi
  if ! kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null; then
    echo "clickhouse: the server exited; last log lines:" >&2
    tail -20 "$DIR/log/stdout.log" "$DIR/log/server.err.log" 2>/dev/null >&2 || true
    exit 1
  fi
  sleep 0.5
done
echo "clickhouse: no answer on 127.0.0.1:${HTTP_PORT} after 30 s" >&2
exit 1
