#!/usr/bin/env bash
# `pnpm demo`: the README's main job on a fresh machine with no services.
# Installs the workspace when needed, then runs tools/demo/main.ts with tsx against the
# TypeScript sources (nothing to build). Results land in ./out/demo.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/bootstrap.sh

mkdir -p out/demo
# Lineage to an NDJSON file, configured the way OpenLineage clients read it from the environment.
export OPENLINEAGE__TRANSPORT__TYPE=file
export OPENLINEAGE__TRANSPORT__LOG_FILE_PATH="$PWD/out/demo/lineage.ndjson"
export OPENLINEAGE_NAMESPACE="${OPENLINEAGE_NAMESPACE:-sparkle-demo}"
# The secret the sqlite dev config interpolates (config/connections/sqlite/dev.json); a
# built-in default is used when it is unset, and it is never printed.
export SPARKLE_DEMO_SECRET="${SPARKLE_DEMO_SECRET:-s3cr3t-from-env}"
export SPARKLE_CONFIG_DIR="$PWD/config"

exec node_modules/.bin/tsx --tsconfig tools/demo/tsconfig.json tools/demo/main.ts
