#!/usr/bin/env bash
# Ensures fake-gcs-server (a community emulator of the Google Cloud Storage JSON and XML APIs)
# answers on 127.0.0.1:${SPARKLE_FAKE_GCS_PORT:-4443} over plain HTTP, for @sparkle/connector-gcs.
#
# Built from the Go module proxy (`go install`, pinned) into the service cache; objects live in
# memory only (`-backend memory`), so every start is empty. The conventions are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_GCS_ENDPOINT=http://127.0.0.1:4443
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FAKE_GCS_VERSION=v1.56.1
svc_begin fake-gcs
port="${SPARKLE_FAKE_GCS_PORT:-4443}"
dir="${SPARKLE_FAKE_GCS_DIR:-/tmp/sparkle-fake-gcs}"
svc_env SPARKLE_TEST_GCS_ENDPOINT "http://127.0.0.1:$port"

# The JSON API's bucket list answers with a `kind` field; anything else on the port is not the emulator.
answers() { curl -fsS --max-time 2 "http://127.0.0.1:$port/storage/v1/b" 2>/dev/null | grep -q '"kind"'; }
svc_exit_if_answering answers

bin="$(svc_go_install "$FAKE_GCS_VERSION" "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION")"
svc_port_taken "$port" && svc_die "something that is not fake-gcs-server listens on port $port (set SPARKLE_FAKE_GCS_PORT)"

mkdir -p "$dir"
# -external-url: the resumable-upload session URLs it hands out must point back at this address.
svc_spawn "$dir/server.log" "$bin/fake-gcs-server" -scheme http -host 127.0.0.1 -port "$port" \
  -backend memory -public-host "127.0.0.1:$port" -external-url "http://127.0.0.1:$port" -log-level warn
svc_wait_until 60 answers
svc_assert_loopback "$port"
svc_finish
