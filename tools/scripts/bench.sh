#!/usr/bin/env bash
# `pnpm bench`: builds the packages the benchmarks import (dist, as users get them), makes sure
# PostgreSQL runs, then runs tools/bench/run.ts. Extra arguments go to run.ts
# (e.g. `pnpm bench -- --only=postgres,import`).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/bootstrap.sh
bash tools/services/ensure-postgres.sh >/dev/null  # (its stdout is export lines)
if ! pnpm exec nx run-many -t build -p core engine-local formats connector-postgres connector-http connector-rest connector-s3 connector-sftp --parallel=2 --outputStyle=stream-without-prefixes >/tmp/sparkle-bench-build.log 2>&1; then
  # A half-edited sibling package must not stop the benchmark when a previous build is there.
  if [[ -f packages/core/dist/index.js && -f packages/connector-postgres/dist/index.js ]]; then
    echo "build failed (see /tmp/sparkle-bench-build.log); benchmarking the existing dist"
  else
    cat /tmp/sparkle-bench-build.log >&2; exit 1
  fi
fi
exec pnpm exec tsx tools/bench/run.ts "$@"
