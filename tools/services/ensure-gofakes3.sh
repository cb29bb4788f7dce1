#!/usr/bin/env bash
# Ensures a gofakes3 server (an S3-compatible server in Go, memory backend) answers on
# 127.0.0.1:${SPARKLE_GOFAKES3_PORT:-9333}: the real S3-compatible peer of the `s3_compatible`
# connector's tests (path-style addressing, any credentials).
#
# Built from the Go module proxy (github.com/johannesboyne/gofakes3/cmd/gofakes3, pinned) with
# `go install` into the service cache; state is in memory only. The conventions are
# tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_S3_COMPATIBLE_ENDPOINT=http://127.0.0.1:9333
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GOFAKES3_VERSION=v1.2.0
svc_begin gofakes3
port="${SPARKLE_GOFAKES3_PORT:-9333}"
dir="${SPARKLE_GOFAKES3_DIR:-/tmp/sparkle-gofakes3}"
svc_env SPARKLE_TEST_S3_COMPATIBLE_ENDPOINT "http://127.0.0.1:$port"

# An S3 server answers an unsigned GET / with its bucket list (gofakes3 checks no signature).
answers() { local page; page="$(curl -fsS --max-time 5 "http://127.0.0.1:$port/" 2>/dev/null)" && [[ "$page" == *ListAllMyBucketsResult* ]]; }
svc_exit_if_answering answers

bin="$(GOFLAGS=-mod=mod svc_go_install "$GOFAKES3_VERSION" "github.com/johannesboyne/gofakes3/cmd/gofakes3@$GOFAKES3_VERSION")"
svc_port_taken "$port" && svc_die "something that is not an S3 server listens on port $port (set SPARKLE_GOFAKES3_PORT)"

mkdir -p "$dir"
svc_spawn "$dir/server.log" "$bin/gofakes3" -backend memory -host "127.0.0.1:$port"
svc_wait_until 60 answers
svc_assert_loopback "$port"
svc_finish
