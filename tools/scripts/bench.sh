#!/usr/bin/env bash
# `pnpm bench`: builds the packages the benchmarks import (dist, as users get them), makes sure
# PostgreSQL runs, then runs tools/bench/run.ts. Extra arguments go to run.ts
# (e.g. `pnpm bench -- --only=postgres,import`).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/bootstrap.sh
bash tools/services/ensure-postgres.sh >/dev/null  # (its stdout is export lines)
# The NoSQL sections' servers start only when the section is asked for by name (`--only=…`);
# otherwise a section whose server is down prints why it skipped. A server that fails to start
# is not fatal either: its section then skips with that reason.
only="$(printf '%s\n' "$@" | sed -n 's/^--only=//p')"
for pair in mongodb:ferretdb redis:redis cassandra:cassandra; do
  if [[ ",$only," == *",${pair%%:*},"* ]]; then
    if exports="$(bash "tools/services/ensure-${pair#*:}.sh" 2>/dev/null)"; then eval "$exports"
    else echo "could not start ${pair#*:} (bash tools/services/ensure-${pair#*:}.sh); its section will skip"; fi
  fi
done
if ! pnpm exec nx run-many -t build -p core engine-local formats connector-postgres connector-http connector-rest connector-s3 connector-mongodb connector-redis connector-cassandra connector-kafka connector-sftp --parallel=2 --outputStyle=stream-without-prefixes >/tmp/sparkle-bench-build.log 2>&1; then
  # A half-edited sibling package must not stop the benchmark when a previous build is there.
  if [[ -f packages/core/dist/index.js && -f packages/connector-postgres/dist/index.js ]]; then
    echo "build failed (see /tmp/sparkle-bench-build.log); benchmarking the existing dist"
  else
    cat /tmp/sparkle-bench-build.log >&2; exit 1
  fi
fi
exec pnpm exec tsx tools/bench/run.ts "$@"
