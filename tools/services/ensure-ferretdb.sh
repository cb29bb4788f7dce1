#!/usr/bin/env bash
# Ensures a FerretDB server (the MongoDB wire protocol over its embedded SQLite handler) answers on
# 127.0.0.1:${SPARKLE_FERRETDB_PORT:-27017} for the MongoDB connector's tests.
#
# FerretDB is a wire-compatible stand-in for MongoDB, not MongoDB: the tests that run against it
# say so. Built from the Go module proxy (pinned v1.x, the last line with the SQLite handler) into
# the service cache: the module is downloaded (`go mod download`), copied, given the
# build/version/version.txt that FerretDB's release builds generate (the module ships without
# it, and the binary refuses to start without it), and built with `go build`; data in ${SPARKLE_FERRETDB_DIR:-/tmp/sparkle-ferretdb},
# telemetry off, the debug HTTP handler on loopback only. The conventions are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_MONGODB_URL=mongodb://sparkle:sparkle-test-pw@127.0.0.1:27017/?authSource=admin
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FERRETDB_VERSION=v1.24.2
svc_begin ferretdb
port="${SPARKLE_FERRETDB_PORT:-27017}"
debug_port="${SPARKLE_FERRETDB_DEBUG_PORT:-27088}"
dir="${SPARKLE_FERRETDB_DIR:-/tmp/sparkle-ferretdb}"
# SCRAM authentication on (FerretDB's `--test-enable-new-auth`), with a setup user, so the tests
# see real credential checks; the user exists only in this loopback test server.
user=sparkle
password=sparkle-test-pw
svc_env SPARKLE_TEST_MONGODB_URL "mongodb://$user:$password@127.0.0.1:$port/?authSource=admin"

# The debug handler answers once the listener is up; a bare TCP connect would also accept
# something that is not FerretDB.
answers() { curl -fsS --max-time 2 "http://127.0.0.1:$debug_port/debug/livez" >/dev/null 2>&1 && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
svc_exit_if_answering answers

cache="$(svc_cache_dir "$FERRETDB_VERSION")"
bin="$cache/bin"
if [[ ! -x "$bin/ferretdb" || "$(cat "$cache/.installed-go-build" 2>/dev/null)" != "$FERRETDB_VERSION" ]]; then
  command -v go >/dev/null 2>&1 || svc_die "go is missing"
  svc_log "building FerretDB $FERRETDB_VERSION into $bin"
  src="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || svc_die "go mod download github.com/FerretDB/FerretDB@$FERRETDB_VERSION failed"
  rm -rf "$cache/src" && cp -R "$src" "$cache/src" && chmod -R u+w "$cache/src"
  printf '%s\n' "$FERRETDB_VERSION" >"$cache/src/build/version/version.txt"
  (cd "$cache/src" && GOFLAGS=-mod=mod go build -o "$bin/ferretdb" ./cmd/ferretdb) >&2 || svc_die "go build of FerretDB failed"
  rm -rf "$cache/src"
  printf '%s' "$FERRETDB_VERSION" >"$cache/.installed-go-build"
fi
svc_port_taken "$port" && svc_die "something that is not FerretDB listens on port $port (set SPARKLE_FERRETDB_PORT)"

mkdir -p "$dir/data" "$dir/state"
svc_spawn "$dir/server.log" "$bin/ferretdb" \
  --handler=sqlite --sqlite-url="file:$dir/data/" \
  --listen-addr="127.0.0.1:$port" --debug-addr="127.0.0.1:$debug_port" \
  --state-dir="$dir/state" --telemetry=disable --log-level=warn \
  --test-enable-new-auth --setup-database=admin --setup-username="$user" --setup-password="$password"
svc_wait_until 60 answers
svc_assert_loopback "$port"
svc_finish
