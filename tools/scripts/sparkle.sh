#!/usr/bin/env bash
# `pnpm sparkle …` from the repository root: runs the built CLI with every workspace connector
# discoverable (tools/ depends on all of them), building first when the CLI has not been built.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/bootstrap.sh >&2
if [[ ! -f packages/cli/dist/bin.js ]]; then
  pnpm exec nx run-many -t build --outputStyle=static >&2
fi
SPARKLE_PLUGIN_PATH="$PWD/tools${SPARKLE_PLUGIN_PATH:+:$SPARKLE_PLUGIN_PATH}" exec node packages/cli/dist/bin.js "$@"
