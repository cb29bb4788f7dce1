#!/usr/bin/env bash
# Ensures Google's in-memory Pub/Sub fake (`pstest`, from cloud.google.com/go/pubsub/v2) answers
# gRPC on 127.0.0.1:${SPARKLE_PUBSUB_PORT:-8085}, for @sparkle/connector-pubsub.
#
# pstest is a Go library, not a command: tools/services/pubsub/ holds a tiny main (its go.mod pins
# the module) that serves it and can probe a server. It is built with `go build` (modules from the
# Go module proxy) into the service cache, keyed by a checksum of that source; state lives in
# memory only, so every start is empty. The conventions are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_PUBSUB_EMULATOR_HOST=127.0.0.1:8085 (the PUBSUB_EMULATOR_HOST form)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PSTEST_VERSION=v2.9.0
svc_begin pubsub
port="${SPARKLE_PUBSUB_PORT:-8085}"
dir="${SPARKLE_PUBSUB_DIR:-/tmp/sparkle-pubsub}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/pubsub" && pwd)"
svc_env SPARKLE_TEST_PUBSUB_EMULATOR_HOST "127.0.0.1:$port"

# The build is keyed by its source, so an edited main.go or go.mod is rebuilt.
sum="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)"
cache="$(svc_cache_dir "$PSTEST_VERSION")"
bin="$cache/bin/sparkle-pstest"

# A Pub/Sub ListTopics answer: a bare TCP connect would also accept something that is not Pub/Sub.
# The probe is the built binary itself, so the build (cached; skipped when warm) comes first.
answers() { "$bin" -probe "127.0.0.1:$port" 2>/dev/null; }

if [[ ! -x "$bin" || "$(cat "$cache/.installed-go-build" 2>/dev/null)" != "$sum" ]]; then
  command -v go >/dev/null 2>&1 || svc_die "go is missing"
  svc_log "building pstest ($PSTEST_VERSION) into $bin"
  t="$(_svc_now)"
  (cd "$src" && GOFLAGS=-mod=mod go build -o "$bin" .) >&2 || svc_die "go build of tools/services/pubsub failed"
  printf '%s' "$sum" >"$cache/.installed-go-build"
  _svc_add_install_time "$t"
fi
svc_exit_if_answering answers
svc_port_taken "$port" && svc_die "something that is not a Pub/Sub server listens on port $port (set SPARKLE_PUBSUB_PORT)"

mkdir -p "$dir"
svc_spawn "$dir/server.log" "$bin" -addr "127.0.0.1:$port"
svc_wait_until 60 answers
svc_assert_loopback "$port"
svc_finish
