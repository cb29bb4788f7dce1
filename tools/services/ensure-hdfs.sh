#!/usr/bin/env bash
# Ensures a real HDFS — one NameNode and one DataNode, Hadoop's MiniDFSCluster — answers WebHDFS on
# 127.0.0.1:${SPARKLE_HDFS_HTTP_PORT:-9870} (NameNode RPC on ${SPARKLE_HDFS_PORT:-8020}), for
# @sparkle/connector-hdfs.
#
# Installed from Maven Central (hadoop-client-minicluster and the shaded client it runs on, pinned,
# plus the JUnit API its test utilities load) and started with Hadoop's own
# MiniHadoopClusterManager (`-nomr`: HDFS only), every address bound to 127.0.0.1 so the
# NameNode's CREATE/OPEN redirects send clients to a DataNode on 127.0.0.1. A fresh, formatted
# cluster in /tmp/sparkle-hdfs each start; 384 MiB heap. Permissions are on: /sparkle is made
# world-writable for the tests' users, everything else belongs to the user running the server
# (the HDFS superuser). The conventions are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_HDFS_URL=http://127.0.0.1:9870        (WebHDFS)
#         export SPARKLE_TEST_HDFS_NAMENODE=hdfs://127.0.0.1:8020   (what Spark would use)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HADOOP_VERSION=3.5.0
svc_begin hdfs
rpc="${SPARKLE_HDFS_PORT:-8020}"
http="${SPARKLE_HDFS_HTTP_PORT:-9870}"
dir="${SPARKLE_HDFS_DIR:-/tmp/sparkle-hdfs}"
superuser="$(id -un)"
svc_env SPARKLE_TEST_HDFS_URL "http://127.0.0.1:$http"
svc_env SPARKLE_TEST_HDFS_NAMENODE "hdfs://127.0.0.1:$rpc"

# Up means: WebHDFS answers, a DataNode is live (CREATE needs one), and the test directory exists.
answers() {
  curl -fsS --max-time 3 "http://127.0.0.1:$http/webhdfs/v1/sparkle?op=GETFILESTATUS&user.name=$superuser" 2>/dev/null | grep -q '"type":"DIRECTORY"' &&
    curl -fsS --max-time 3 "http://127.0.0.1:$http/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState" 2>/dev/null | grep -q '"NumLiveDataNodes" : [1-9]'
}
svc_exit_if_answering answers

lib="$(svc_mvn_install "$HADOOP_VERSION" \
  "org.apache.hadoop:hadoop-client-minicluster:$HADOOP_VERSION" \
  "org.apache.hadoop:hadoop-client-api:$HADOOP_VERSION" \
  "org.apache.hadoop:hadoop-client-runtime:$HADOOP_VERSION" \
  org.junit.jupiter:junit-jupiter-api:5.11.4 \
  junit:junit:4.13.2)"
command -v java >/dev/null 2>&1 || svc_die "java is missing (apt-get install openjdk-17-jre-headless)"
for port in "$rpc" "$http"; do svc_port_taken "$port" && svc_die "something that is not this HDFS listens on port $port (set SPARKLE_HDFS_PORT / SPARKLE_HDFS_HTTP_PORT)"; done

rm -rf "$dir" && mkdir -p "$dir/data"
cd "$dir"
svc_spawn "$dir/server.log" java -Xmx384m -Djava.net.preferIPv4Stack=true -Dtest.build.data="$dir/data" -Dhadoop.tmp.dir="$dir/tmp" \
  -cp "$lib/*" org.apache.hadoop.mapreduce.MiniHadoopClusterManager -nomr -format -nnport "$rpc" -nnhttpport "$http" \
  -D dfs.namenode.rpc-bind-host=127.0.0.1 -D dfs.namenode.http-bind-host=127.0.0.1 \
  -D dfs.datanode.address=127.0.0.1:0 -D dfs.datanode.http.address=127.0.0.1:0 -D dfs.datanode.ipc.address=127.0.0.1:0 \
  -D dfs.datanode.hostname=127.0.0.1 -D dfs.webhdfs.enabled=true -D dfs.permissions.enabled=true -D dfs.replication=1

datanode_live() { curl -fsS --max-time 3 "http://127.0.0.1:$http/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState" 2>/dev/null | grep -q '"NumLiveDataNodes" : [1-9]'; }
svc_wait_until 240 datanode_live
# The tests' root: world-writable (sticky, as /tmp), made by the superuser.
curl -fsS --max-time 10 -X PUT "http://127.0.0.1:$http/webhdfs/v1/sparkle?op=MKDIRS&permission=1777&user.name=$superuser" >/dev/null ||
  svc_die "could not create /sparkle over WebHDFS"
curl -fsS --max-time 10 -X PUT "http://127.0.0.1:$http/webhdfs/v1/sparkle?op=SETPERMISSION&permission=1777&user.name=$superuser" >/dev/null
svc_wait_until 30 answers
svc_assert_loopback "$rpc" "$http"
svc_finish
