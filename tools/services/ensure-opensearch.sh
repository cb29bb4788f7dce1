#!/usr/bin/env bash
# Ensures an OpenSearch node answers HTTP on 127.0.0.1:${SPARKLE_OPENSEARCH_PORT:-9200} for tests.
#
# Idempotent: a node already answering `GET /` there with an OpenSearch body is used as it is.
# Otherwise installs org.opensearch:opensearch and the netty4 transport plugin (pinned, Maven,
# with runtime dependencies and log4j-core) into the service cache, compiles
# tools/services/opensearch/SparkleOpenSearch.java against them and runs it: one single-node
# cluster, HTTP and transport on loopback (transport ${SPARKLE_OPENSEARCH_TRANSPORT_PORT:-9300}),
# security plugin absent (no authentication), a small heap. The data directory under
# ${SPARKLE_OPENSEARCH_DIR:-/tmp/sparkle-opensearch} is recreated on every start.
#
# Prints: export SPARKLE_TEST_OPENSEARCH_URL=http://127.0.0.1:9200
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

# 2.19.x is the newest line that runs on Java 17.
OPENSEARCH_VERSION=2.19.6
svc_begin opensearch
port="${SPARKLE_OPENSEARCH_PORT:-9200}"
transport_port="${SPARKLE_OPENSEARCH_TRANSPORT_PORT:-9300}"
dir="${SPARKLE_OPENSEARCH_DIR:-/tmp/sparkle-opensearch}"
svc_env SPARKLE_TEST_OPENSEARCH_URL "http://127.0.0.1:$port"

answers() {
  curl -fsS --max-time 3 "http://127.0.0.1:$port/" 2>/dev/null | grep -q '"distribution" : "opensearch"'
}
svc_exit_if_answering answers

command -v javac >/dev/null 2>&1 || svc_die "javac (JDK 17) is not on PATH: install Debian's openjdk-17-jdk-headless"
lib="$(svc_mvn_install "$OPENSEARCH_VERSION" \
  "org.opensearch:opensearch:$OPENSEARCH_VERSION" \
  "org.opensearch.plugin:transport-netty4-client:$OPENSEARCH_VERSION" \
  "org.apache.logging.log4j:log4j-core:2.25.4")"
classes="$(dirname "$lib")/classes"
src="$here/opensearch/SparkleOpenSearch.java"
if [[ ! -f "$classes/SparkleOpenSearch.class" || "$src" -nt "$classes/SparkleOpenSearch.class" ]]; then
  mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$lib/*" "$src" >&2 || svc_die "javac $src failed"
fi
for p in "$port" "$transport_port"; do
  svc_port_taken "$p" && svc_die "something that is not OpenSearch listens on port $p (set SPARKLE_OPENSEARCH_PORT / _TRANSPORT_PORT)"
done

rm -rf "$dir"
mkdir -p "$dir/tmp"
svc_spawn "$dir/server.log" java -Xms256m -Xmx512m -XX:+UseSerialGC -Djava.io.tmpdir="$dir/tmp" \
  -cp "$lib/*:$classes" SparkleOpenSearch "$dir/home" "$port" "$transport_port"
svc_wait_until "${SPARKLE_OPENSEARCH_START_TIMEOUT:-180}" answers
svc_assert_loopback "$port"
svc_finish
