#!/usr/bin/env bash
# `pnpm bench`: builds the packages the benchmarks import (dist, as users get them), makes sure
# PostgreSQL runs, then runs tools/bench/run.ts. Extra arguments go to run.ts
# (e.g. `pnpm bench -- --only=postgres,import`).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/services/ensure-postgres.sh
pnpm exec nx run-many -t build -p core engine-local connector-postgres --parallel=2 --outputStyle=stream-without-prefixes >/dev/null
exec pnpm exec tsx tools/bench/run.ts "$@"
