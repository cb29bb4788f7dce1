#!/usr/bin/env bash
# Sourced by the workspace scripts: makes sure pnpm 10 and the workspace's dependencies are there,
# so `bash tools/scripts/<x>.sh` works on a fresh machine with only Node and npm.
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != 10.* ]]; then
  echo "installing pnpm 10 (npm install -g pnpm@10)" >&2
  npm install -g pnpm@10 >/dev/null
fi
if [[ ! -d node_modules/.pnpm ]] || [[ pnpm-lock.yaml -nt node_modules/.modules.yaml ]]; then
  CI=true pnpm install --frozen-lockfile
fi
