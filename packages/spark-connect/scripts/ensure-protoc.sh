#!/bin/sh
# Makes sure `protoc` is on PATH: the golden-bytes test cross-checks every golden file with
# `protoc --decode_raw`. Installs Debian's protobuf-compiler when it is missing.
set -eu
if command -v protoc >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-protoc: protoc is missing and apt-get is not available; install protobuf-compiler" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends protobuf-compiler >/dev/null 2>&1 || {
  $SUDO apt-get update >/dev/null
  $SUDO apt-get install -y --no-install-recommends protobuf-compiler >/dev/null
}
protoc --version
