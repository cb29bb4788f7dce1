#!/usr/bin/env bash
# Ensures a ClickHouse server answers on 127.0.0.1:8123 (HTTP) for tests and benches.
#
# Idempotent: does nothing when /ping already answers. Otherwise installs Debian's
# clickhouse-server (old: 18.16) when missing, and starts it with a private config that
# listens on loopback only and keeps its data in a temporary directory
# (SPARKLE_CLICKHOUSE_DIR, default /tmp/sparkle-clickhouse); its pid is recorded for
# stop-all.sh. Ports can be moved with SPARKLE_CLICKHOUSE_HTTP_PORT / SPARKLE_CLICKHOUSE_TCP_PORT.
# Conventions: tools/services/lib.sh.
#
# Prints: export SPARKLE_TEST_CLICKHOUSE_URL=http://127.0.0.1:8123
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

svc_begin clickhouse
HTTP_PORT="${SPARKLE_CLICKHOUSE_HTTP_PORT:-8123}"
TCP_PORT="${SPARKLE_CLICKHOUSE_TCP_PORT:-9000}"
DIR="${SPARKLE_CLICKHOUSE_DIR:-/tmp/sparkle-clickhouse}"
svc_env SPARKLE_TEST_CLICKHOUSE_URL "http://127.0.0.1:${HTTP_PORT}"

ping_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 "http://127.0.0.1:${HTTP_PORT}/ping" >/dev/null 2>&1
  else
    node -e "fetch('http://127.0.0.1:${HTTP_PORT}/ping',{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
  fi
}
svc_exit_if_answering ping_ok

if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ]; then
  svc_apt_install clickhouse-server clickhouse-client
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
svc_spawn "$DIR/log/stdout.log" "$SERVER" --config-file="$DIR/config.xml"
svc_wait_until 60 ping_ok
svc_assert_loopback "$HTTP_PORT" "$TCP_PORT"
svc_finish
