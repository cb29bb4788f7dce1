#!/bin/sh
# Regenerates test/golden/*.bin from the current request builders. Review the diff: a change in
# golden bytes is a change in what this client sends to Spark.
set -eu
cd "$(dirname "$0")/.."
UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
