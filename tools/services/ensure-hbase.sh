#!/usr/bin/env bash
# Ensures a real Apache HBase answers its REST gateway (Stargate) on 127.0.0.1:${SPARKLE_HBASE_REST_PORT:-8070},
# for @sparkle/connector-hbase.
#
# Installed from Maven Central (hbase-server, hbase-zookeeper, hbase-rest, pinned) and started in
# ONE JVM by tools/services/hbase/SparkleHBase.java (compiled into the cache): an in-process
# ZooKeeper, HBase's standalone LocalHBaseCluster (one HMaster, one RegionServer, data on the local
# filesystem) and the REST gateway, every listener on 127.0.0.1, web UIs off. Fresh data in
# /tmp/sparkle-hbase each start; 512 MiB heap. Hadoop 2.10's servlet-api 2.5 and Jetty 6 jars are
# left off the classpath: they shadow the servlet 3.1 API the REST gateway's Jetty 9 needs.
# The conventions are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_HBASE_URL=http://127.0.0.1:8070
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

HBASE_VERSION=2.6.1
svc_begin hbase
rest="${SPARKLE_HBASE_REST_PORT:-8070}"
zk="${SPARKLE_HBASE_ZK_PORT:-16181}"
master="${SPARKLE_HBASE_MASTER_PORT:-16000}"
regionserver="${SPARKLE_HBASE_REGIONSERVER_PORT:-16020}"
dir="${SPARKLE_HBASE_DIR:-/tmp/sparkle-hbase}"
svc_env SPARKLE_TEST_HBASE_URL "http://127.0.0.1:$rest"

# Up means: the REST gateway answers with the cluster's version (it starts after the cluster serves).
answers() {
  curl -fsS --max-time 3 -H 'Accept: application/json' "http://127.0.0.1:$rest/version/cluster" 2>/dev/null | grep -q '"Version"'
}
svc_exit_if_answering answers

command -v javac >/dev/null 2>&1 || svc_die "javac (JDK 17) is not on PATH: install Debian's openjdk-17-jdk-headless"
lib="$(svc_mvn_install "$HBASE_VERSION" \
  "org.apache.hbase:hbase-server:$HBASE_VERSION" \
  "org.apache.hbase:hbase-rest:$HBASE_VERSION" \
  "org.apache.hbase:hbase-zookeeper:$HBASE_VERSION")"
classes="$(dirname "$lib")/classes"
src="$here/hbase/SparkleHBase.java"
if [[ ! -f "$classes/SparkleHBase.class" || "$src" -nt "$classes/SparkleHBase.class" ]]; then
  mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$lib/*" "$src" >&2 || svc_die "javac $src failed"
fi
classpath=""
for jar in "$lib"/*.jar; do
  case "$(basename "$jar")" in
    servlet-api-2.5.jar | jetty-6.* | jetty-util-6.* | jetty-sslengine-6.*) ;;
    *) classpath+="$jar:" ;;
  esac
done
classpath+="$classes"
for p in "$rest" "$zk" "$master" "$regionserver"; do
  svc_port_taken "$p" && svc_die "something that is not this HBase listens on port $p (set SPARKLE_HBASE_REST_PORT / _ZK_PORT / _MASTER_PORT / _REGIONSERVER_PORT)"
done

rm -rf "$dir" && mkdir -p "$dir"
# The JDK 17 flags are the ones HBase's own bin/hbase passes on Java 17.
svc_spawn "$dir/server.log" java -Xmx512m -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true \
  -Dlog4j.configuration="file:$here/hbase/log4j.properties" \
  -Dorg.apache.hbase.thirdparty.io.netty.tryReflectionSetAccessible=true --add-modules jdk.unsupported \
  --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang.reflect=ALL-UNNAMED \
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --add-exports java.security.jgss/sun.security.krb5=ALL-UNNAMED \
  --add-exports java.base/sun.net.dns=ALL-UNNAMED --add-exports java.base/sun.net.util=ALL-UNNAMED \
  -cp "$classpath" SparkleHBase "$dir" "$rest" "$zk" "$master" "$regionserver"
svc_wait_until "${SPARKLE_HBASE_START_TIMEOUT:-240}" answers
svc_assert_loopback "$rest" "$zk" "$master" "$regionserver"
svc_finish
