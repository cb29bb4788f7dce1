#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, starts the real services the
# tests talk to (loopback only), builds, type-checks, lints the packages and runs every test.
# README: `bash tools/scripts/test-all.sh` (also `pnpm test`). CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
started=$(date +%s)
step() { printf '\n\033[1m== %s\033[0m (+%ss)\n' "$1" "$(( $(date +%s) - started ))"; }

step "toolchain and dependencies"
source tools/scripts/bootstrap.sh
node --version; pnpm --version
CI=true pnpm install --frozen-lockfile

step "services"
for script in tools/services/ensure-*.sh packages/*/scripts/ensure-*.sh; do
  [[ -f "$script" ]] || continue
  echo "-- $script"
  bash "$script"
done

step "build"
pnpm exec nx run-many -t build --parallel=2 --outputStyle=stream-without-prefixes

step "typecheck and package lint"
pnpm exec nx run-many -t typecheck lint --parallel=2 --outputStyle=stream-without-prefixes

step "tests"
report_dir="$root/.sparkle-tmp/test-reports"
rm -rf "$report_dir"; mkdir -p "$report_dir"
set +e
SPARKLE_TEST_REPORT_DIR="$report_dir" pnpm exec nx run-many -t test --parallel=2 --skip-nx-cache --outputStyle=stream
status=$?
set -e
node tools/scripts/summarize-tests.mjs "$report_dir" || status=1
echo "total time: $(( $(date +%s) - started ))s"
exit $status
