#!/usr/bin/env bash
# Ensures CouchbaseMock (com.couchbase.mock:CouchbaseMock, the mock server the Couchbase SDKs'
# own tests use) answers on 127.0.0.1 for tests: cluster-map HTTP on ${SPARKLE_COUCHBASE_MOCK_PORT:-8091},
# KV (memcached binary protocol, CCCP cluster map) on ${SPARKLE_COUCHBASE_MOCK_KV_PORT:-11210}.
#
# Idempotent: a mock that already answers there is used as it is. Otherwise resolves the pinned
# CouchbaseMock jar with Maven into the service cache, compiles
# tools/services/couchbase-mock/SparkleCouchbaseMock.java against it and starts that small main:
# one node, one bucket `${SPARKLE_COUCHBASE_MOCK_BUCKET:-sparkle}` with password
# ${SPARKLE_COUCHBASE_MOCK_PASSWORD:-sparkle-mock-pw} (the mock authenticates the REST port with it;
# its KV port accepts any credentials), no replicas, CCCP on, every port on loopback. It keeps
# documents in memory; only the `_default` collection exists and SQL++ is not implemented.
# The conventions (lock, env lines, stop records) are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_COUCHBASE_MOCK_URL=couchbase://127.0.0.1:11210
#         SPARKLE_TEST_COUCHBASE_MOCK_HTTP=http://127.0.0.1:8091 SPARKLE_TEST_COUCHBASE_MOCK_BUCKET=sparkle
#         SPARKLE_TEST_COUCHBASE_MOCK_USER=sparkle SPARKLE_TEST_COUCHBASE_MOCK_PASSWORD=sparkle-mock-pw
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

MOCK_VERSION="${SPARKLE_COUCHBASE_MOCK_VERSION:-1.5.25}"
svc_begin couchbase-mock
port="${SPARKLE_COUCHBASE_MOCK_PORT:-8091}"
kv_port="${SPARKLE_COUCHBASE_MOCK_KV_PORT:-11210}"
bucket="${SPARKLE_COUCHBASE_MOCK_BUCKET:-sparkle}"
password="${SPARKLE_COUCHBASE_MOCK_PASSWORD:-sparkle-mock-pw}"
dir="${SPARKLE_COUCHBASE_MOCK_DIR:-/tmp/sparkle-couchbase-mock}"
svc_env SPARKLE_TEST_COUCHBASE_MOCK_URL "couchbase://127.0.0.1:$kv_port"
svc_env SPARKLE_TEST_COUCHBASE_MOCK_HTTP "http://127.0.0.1:$port"
svc_env SPARKLE_TEST_COUCHBASE_MOCK_BUCKET "$bucket"
svc_env SPARKLE_TEST_COUCHBASE_MOCK_USER "$bucket"
svc_env SPARKLE_TEST_COUCHBASE_MOCK_PASSWORD "$password"

# Answers = the bucket's cluster map is served over HTTP and names our KV port.
answers() {
  curl -fsS --max-time 2 -u "$bucket:$password" "http://127.0.0.1:$port/pools/default/buckets/$bucket" 2>/dev/null | grep -q "\"kv\":$kv_port"
}
svc_exit_if_answering answers

command -v javac >/dev/null 2>&1 || svc_die "javac (JDK 17) is not on PATH: install Debian's openjdk-17-jdk-headless"
lib="$(svc_mvn_install "$MOCK_VERSION" "com.couchbase.mock:CouchbaseMock:$MOCK_VERSION")"
classes="$(dirname "$lib")/classes"
src="$here/couchbase-mock/SparkleCouchbaseMock.java"
if [[ ! -f "$classes/SparkleCouchbaseMock.class" || "$src" -nt "$classes/SparkleCouchbaseMock.class" ]]; then
  mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$lib/*" "$src" >&2 || svc_die "javac $src failed"
fi
svc_port_taken "$port" && svc_die "something that is not CouchbaseMock listens on port $port (set SPARKLE_COUCHBASE_MOCK_PORT)"
svc_port_taken "$kv_port" && svc_die "something listens on port $kv_port (set SPARKLE_COUCHBASE_MOCK_KV_PORT)"

rm -rf "$dir"
mkdir -p "$dir/tmp"
svc_spawn "$dir/server.log" java -Xms64m -Xmx256m -XX:+UseSerialGC -Djava.io.tmpdir="$dir/tmp" \
  -cp "$lib/*:$classes" SparkleCouchbaseMock "$port" "$kv_port" "$bucket" "$password"
svc_wait_until "${SPARKLE_COUCHBASE_MOCK_START_TIMEOUT:-60}" answers
svc_assert_loopback "$port" "$kv_port"
svc_finish
