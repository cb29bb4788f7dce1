#!/usr/bin/env bash
# Ensures a Neo4j database answers Bolt on 127.0.0.1:${SPARKLE_NEO4J_PORT:-7687} for tests.
#
# Idempotent: a server that already accepts connections there is used as it is. Otherwise resolves
# org.neo4j.test:neo4j-harness (pinned, 5.x runs on Java 17) with Maven into the service cache,
# compiles tools/services/neo4j/SparkleNeo4j.java against it and starts that small main: an
# in-process Neo4j with Bolt on loopback, HTTP off, authentication on and the `neo4j` user's
# password set to ${SPARKLE_NEO4J_PASSWORD:-sparkle-test-pw}. Its files live in
# ${SPARKLE_NEO4J_DIR:-/tmp/sparkle-neo4j}, wiped on every start. The conventions (lock, env
# lines, stop records) are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_NEO4J_URL=bolt://127.0.0.1:7687 SPARKLE_TEST_NEO4J_USER=neo4j
#         SPARKLE_TEST_NEO4J_PASSWORD=sparkle-test-pw
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

NEO4J_VERSION="${SPARKLE_NEO4J_VERSION:-5.26.0}"
svc_begin neo4j
port="${SPARKLE_NEO4J_PORT:-7687}"
password="${SPARKLE_NEO4J_PASSWORD:-sparkle-test-pw}"
dir="${SPARKLE_NEO4J_DIR:-/tmp/sparkle-neo4j}"
svc_env SPARKLE_TEST_NEO4J_URL "bolt://127.0.0.1:$port"
svc_env SPARKLE_TEST_NEO4J_USER neo4j
svc_env SPARKLE_TEST_NEO4J_PASSWORD "$password"

# Answers = Bolt accepts connections and (for a server we started) the main said it is ready,
# which it says only after the password is set.
answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1
  [[ -z "${SVC_LOG:-}" ]] || grep -q 'SPARKLE NEO4J READY' "$SVC_LOG"
}
svc_exit_if_answering answers

command -v javac >/dev/null 2>&1 || svc_die "javac (JDK 17) is not on PATH: install Debian's openjdk-17-jdk-headless"
lib="$(svc_mvn_install "$NEO4J_VERSION" "org.neo4j.test:neo4j-harness:$NEO4J_VERSION")"
classes="$(dirname "$lib")/classes"
src="$here/neo4j/SparkleNeo4j.java"
if [[ ! -f "$classes/SparkleNeo4j.class" || "$src" -nt "$classes/SparkleNeo4j.class" ]]; then
  mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$lib/*" "$src" >&2 || svc_die "javac $src failed"
fi
svc_port_taken "$port" && svc_die "something that is not Neo4j listens on port $port (set SPARKLE_NEO4J_PORT)"

rm -rf "$dir"
mkdir -p "$dir/tmp"
svc_spawn "$dir/server.log" java -Xms128m -Xmx512m -XX:+UseSerialGC -Djava.io.tmpdir="$dir/tmp" \
  -cp "$lib/*:$classes" SparkleNeo4j "$dir/db" "$port" "$password"
svc_wait_until "${SPARKLE_NEO4J_START_TIMEOUT:-240}" answers
svc_assert_loopback "$port"
svc_finish
