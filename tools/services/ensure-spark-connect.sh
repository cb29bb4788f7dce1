#!/usr/bin/env bash
# Ensures a real Apache Spark Connect server answers on 127.0.0.1:${SPARKLE_SPARK_CONNECT_PORT:-15002}
# and prints how to reach it: `export SPARK_REMOTE=sc://127.0.0.1:15002`.
#
# What it installs (once, into a cache outside the repo, keyed by version):
#   ${SPARKLE_CACHE_DIR:-~/.cache/sparkle}/services/spark-connect/<pyspark version>/
#     venv/   pip venv with pyspark (its wheel carries every Spark jar, Spark Connect's included,
#             but no start-connect-server.sh: we start SparkConnectServer with spark-submit --class)
#     jars-<hash>/  JDBC drivers for PostgreSQL, MySQL (Connector/J), MariaDB and SQLite, resolved from
#             Maven Central by Maven (`mvn dependency:copy`), Spark's Kafka source and sink
#             (spark-sql-kafka-0-10 of pyspark's version) and the MongoDB Spark connector (format
#             `mongodb`), with their runtime dependencies (kafka-clients, spark-token-provider-kafka-0-10,
#             commons-pool2, mongodb-driver-sync, …; `mvn dependency:copy-dependencies` on a
#             generated pom, minus the jars pyspark already ships), all put on the driver's classpath
#             (--jars). <hash> is of the artifact list (jars-<hash>/.complete holds the list itself):
#             a changed list (another pin, a new artifact) resolves into a new directory.
#
# What it runs: one local[2] Spark driver bound to loopback only (gRPC, driver and block manager),
# no web UI, its warehouse, scratch and derby dirs under ${SPARKLE_RUN_DIR:-/tmp/sparkle-run}/spark-connect/.
#
# Convention (shared by tools/services/ensure-*.sh):
#   - idempotent: if the port already answers, print the env line and exit 0;
#   - one caller at a time (flock /tmp/sparkle-ensure-spark-connect.lock);
#   - a pid file ${SPARKLE_RUN_DIR}/spark-connect.pid only for a process this script started;
#   - env lines printed on stdout and written to ${SPARKLE_RUN_DIR}/spark-connect.env;
#   - `--stop` stops the server this script started (and only that one).
# Progress and timings go to stderr, so `eval "$(bash ensure-spark-connect.sh)"` works.
set -euo pipefail

PYSPARK_VERSION="${SPARKLE_PYSPARK_VERSION:-4.1.1}"
PORT="${SPARKLE_SPARK_CONNECT_PORT:-15002}"
HOST=127.0.0.1
CACHE_DIR="${SPARKLE_CACHE_DIR:-$HOME/.cache/sparkle}/services/spark-connect/${PYSPARK_VERSION}"
RUN_DIR="${SPARKLE_RUN_DIR:-/tmp/sparkle-run}"
PID_FILE="$RUN_DIR/spark-connect.pid"
ENV_FILE="$RUN_DIR/spark-connect.env"
LOG_FILE="$RUN_DIR/spark-connect.log"
STATE_DIR="$RUN_DIR/spark-connect"
START_TIMEOUT_S="${SPARKLE_SPARK_CONNECT_START_TIMEOUT:-180}"

# JDBC drivers, pinned (groupId:artifactId:version). Connector/J for `mysql`, MariaDB's own for
# `mariadb`: the connectors name those driver classes in the options they hand Spark.
JDBC_ARTIFACTS=(
  org.postgresql:postgresql:42.7.4
  com.mysql:mysql-connector-j:9.1.0
  org.mariadb.jdbc:mariadb-java-client:3.5.1
  org.xerial:sqlite-jdbc:3.47.1.0
)
# Spark's `kafka` format: not in pyspark's wheel. Its transitive runtime dependencies come along;
# the ones pyspark ships already (scala-library, lz4, snappy, slf4j, hadoop-client-*) are dropped,
# so the server keeps one copy of each class.
KAFKA_ARTIFACTS=(
  "org.apache.spark:spark-sql-kafka-0-10_2.13:${PYSPARK_VERSION}"
)
# The MongoDB Spark connector (format `mongodb`) with its driver (mongodb-driver-sync, -core,
# bson, bson-record-codec). 10.5.0 is the newest Scala 2.13 build Maven resolves (no 11.x is
# published); it loads and runs on Spark 4.1 (packages/connector-mongodb/test/spark-live.test.ts).
MONGODB_ARTIFACTS=(
  org.mongodb.spark:mongo-spark-connector_2.13:10.5.0
)
# What the jars directory was resolved from; .complete records it, and the directory's name carries
# its hash, so another list resolves into its own directory and never pulls the jars out from
# under a server that another checkout started from the old list.
JARS_KEY="jdbc=${JDBC_ARTIFACTS[*]} kafka=${KAFKA_ARTIFACTS[*]} mongodb=${MONGODB_ARTIFACTS[*]}"
jars_hash="$(printf '%s' "$JARS_KEY" | sha256sum | cut -c1-12)"

log() { echo "spark-connect: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$RUN_DIR"

# --stop: stop what this script started, nothing else.
if [ "${1:-}" = "--stop" ]; then
  if [ -f "$PID_FILE" ]; then
    pid="$(cat "$PID_FILE")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      # A first server writes its class archive on the way out: give it time (bounded).
      for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      log "stopped pid $pid"
    fi
    rm -f "$PID_FILE" "$ENV_FILE"
  fi
  exit 0
fi

# Answers = something accepts TCP connections on the port (SparkConnectServer binds its gRPC
# port only after the Spark session is up).
answers() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

print_env() {
  local line="export SPARK_REMOTE=sc://$HOST:$PORT"
  echo "$line" >"$ENV_FILE"
  echo "$line"
}

exec 9>"/tmp/sparkle-ensure-spark-connect.lock"
flock 9

if answers; then
  print_env
  exit 0
fi

command -v java >/dev/null || { log "java (17 or later) is not on PATH; install a JDK 17, e.g. Debian's openjdk-17-jdk-headless"; exit 1; }

# --- install (cached) --------------------------------------------------------------------------
VENV="$CACHE_DIR/venv"
JARS_DIR="$CACHE_DIR/jars-$jars_hash"
if [ ! -x "$VENV/bin/spark-submit" ]; then
  t0="$(now)"
  log "installing pyspark ${PYSPARK_VERSION} into $VENV"
  rm -rf "$VENV"
  mkdir -p "$CACHE_DIR"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "pyspark==${PYSPARK_VERSION}" >&2
  log "pyspark installed in $(elapsed "$t0")s"
fi
if [ ! -f "$JARS_DIR/.complete" ] || [ "$(cat "$JARS_DIR/.complete")" != "$JARS_KEY" ]; then
  t0="$(now)"
  command -v mvn >/dev/null || { log "mvn (Maven) is needed to fetch the JDBC drivers and the Kafka and MongoDB sources; install Debian's maven"; exit 1; }
  log "resolving JDBC drivers and the Kafka and MongoDB sources into $JARS_DIR"
  rm -rf "$JARS_DIR"
  mkdir -p "$JARS_DIR"
  for artifact in "${JDBC_ARTIFACTS[@]}"; do
    mvn --batch-mode --quiet -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="$artifact" -DoutputDirectory="$JARS_DIR" -Dmdep.useBaseVersion=true >&2
  done
  # The Kafka and MongoDB sources with their runtime closure, in repository layout
  # (group/artifact/version/) so each jar's artifact id is read from its path, not guessed from
  # its file name.
  kafka_build="$CACHE_DIR/connectors-resolve-$$"
  rm -rf "$kafka_build"
  mkdir -p "$kafka_build"
  deps=""
  for artifact in "${KAFKA_ARTIFACTS[@]}" "${MONGODB_ARTIFACTS[@]}"; do
    IFS=: read -r g a v <<<"$artifact"
    deps+="<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
  done
  cat >"$kafka_build/pom.xml" <<XML
<?xml version="1.0"?>
<!-- Generated by tools/services/ensure-spark-connect.sh; do not edit. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>sparkle.services</groupId><artifactId>spark-connect-connectors</artifactId><version>0</version>
  <packaging>pom</packaging><dependencies>${deps}</dependencies></project>
XML
  mvn --batch-mode --quiet -Dstyle.color=never -f "$kafka_build/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -Dmdep.useRepositoryLayout=true -DoutputDirectory="$kafka_build/lib" >&2
  shipped="$(ls "$VENV"/lib/python3*/site-packages/pyspark/jars)"
  while IFS= read -r jar; do
    artifact_id="$(basename "$(dirname "$(dirname "$jar")")")"
    if grep -qE "^${artifact_id//./\\.}-[0-9]" <<<"$shipped"; then
      log "  $(basename "$jar"): pyspark ships $artifact_id, not added"
    else
      cp "$jar" "$JARS_DIR/"
      log "  $(basename "$jar"): added"
    fi
  done < <(find "$kafka_build/lib" -name '*.jar' | sort)
  rm -rf "$kafka_build"
  printf '%s' "$JARS_KEY" >"$JARS_DIR/.complete"
  log "jars resolved in $(elapsed "$t0")s"
fi

# --- start -------------------------------------------------------------------------------------
t0="$(now)"
mkdir -p "$STATE_DIR/warehouse" "$STATE_DIR/tmp" "$STATE_DIR/derby"
jars="$(find "$JARS_DIR" -name '*.jar' | sort | paste -sd, -)"
# The server must not inherit the lock (fd 9), or it would hold it for its whole life.
# Start-up cost is mostly JVM class loading: no UI, serial GC on a small heap, class data sharing
# left on; everything that listens is bound to loopback.
java_opts="-Djava.io.tmpdir=$STATE_DIR/tmp -Dderby.system.home=$STATE_DIR/derby -XX:+UseSerialGC -Xss4m"
# Class data sharing: the first server records the classes it loaded into an archive when it
# stops (--stop); later starts map that archive instead of reading and verifying those classes
# from the jars again. Keyed by the Java version (another JVM ignores a foreign archive anyway) and
# by the jar list: an archive records the class path it was made with and is silently unused
# under another one, so new jars get a new archive.
java_version="$(java -version 2>&1 | sed -n '1s/.*"\(.*\)".*/\1/p')"
cds_archive="$CACHE_DIR/cds-java-${java_version:-unknown}-${jars_hash}.jsa"
if [ -s "$cds_archive" ]; then
  java_opts="$java_opts -XX:SharedArchiveFile=$cds_archive -Xlog:cds=off -Xlog:cds+dynamic=off"
else
  java_opts="$java_opts -XX:ArchiveClassesAtExit=$cds_archive"
fi
log "starting SparkConnectServer on $HOST:$PORT (log: $LOG_FILE)"
: >"$LOG_FILE"
SPARK_LOCAL_IP="$HOST" SPARK_LOCAL_HOSTNAME=localhost PYSPARK_PYTHON="$VENV/bin/python" \
  setsid nohup "$VENV/bin/spark-submit" \
  --master 'local[2]' \
  --driver-memory "${SPARKLE_SPARK_DRIVER_MEMORY:-1g}" \
  --name sparkle-spark-connect \
  --class org.apache.spark.sql.connect.service.SparkConnectServer \
  --jars "$jars" \
  --driver-class-path "${jars//,/:}" \
  --conf "spark.driver.extraJavaOptions=$java_opts" \
  --conf spark.connect.grpc.binding.address="$HOST" \
  --conf spark.connect.grpc.binding.port="$PORT" \
  --conf spark.driver.bindAddress="$HOST" \
  --conf spark.driver.host="$HOST" \
  --conf spark.ui.enabled=false \
  --conf spark.ui.showConsoleProgress=false \
  --conf spark.log.level=WARN \
  --conf spark.sql.catalogImplementation=in-memory \
  --conf spark.sql.warehouse.dir="$STATE_DIR/warehouse" \
  --conf spark.local.dir="$STATE_DIR/tmp" \
  --conf spark.sql.shuffle.partitions=4 \
  --conf spark.sql.session.timeZone=UTC \
  >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
pid=$!
echo "$pid" >"$PID_FILE"

deadline=$((SECONDS + START_TIMEOUT_S))
# The gRPC port opens last, once the Spark session is up: accepting on it means ready.
until answers; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$PID_FILE"
    log "the server exited during start-up; last log lines:"
    tail -n 30 "$LOG_FILE" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "no answer on $HOST:$PORT after ${START_TIMEOUT_S}s; stopping pid $pid; last log lines:"
    tail -n 30 "$LOG_FILE" >&2
    kill "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    exit 1
  fi
  sleep 0.5
done
log "answering on $HOST:$PORT (pid $pid) after $(elapsed "$t0")s"
print_env
