#!/usr/bin/env bash
# Node runtimes for the workspace scripts (sourced by bootstrap.sh and test-node22.sh).
#
# Sparkle needs Node >= 22 and its scripts run on Node 24 LTS. When the machine's own Node is
# older, the runtime comes from the npm package `node-linux-<arch>@<version>`, which ships the
# official binary and the C/C++ headers that native addons (better-sqlite3) compile against, so a
# build needs nothing but the npm registry. It is unpacked once into a cache outside the repo,
#   ${SPARKLE_CACHE_DIR:-$HOME/.cache/sparkle}/node/<version>
# under a lock (two scripts may ask at once); a warm call costs one `test -x`.
#
# Functions:
#   sparkle_node_install VERSION   installs (when missing) and prints the runtime's directory
#   sparkle_switch_node VERSION    install + use: VERSION becomes this shell's Node
#   sparkle_use_node DIR           puts DIR/bin first on PATH and points native builds at DIR's headers
#   sparkle_sync_native_addons     rebuilds native addons in node_modules when the Node ABI changed
#   sparkle_node_abi               the running Node's addon ABI (process.versions.modules-platform-arch)

# The exact runtimes (bump both the version and its integrity, from `npm view <pkg>@<v> dist.integrity`).
SPARKLE_NODE_LTS_VERSION=24.22.3
SPARKLE_NODE_OLDEST_VERSION=22.23.5

# Integrity of the linux-x64 tarballs, checked after download (other architectures rely on npm's own check).
sparkle_node_integrity() {
  case "$1" in
    linux-x64@24.22.3) echo 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
    linux-x64@22.23.5) echo 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==' ;;
    *) echo '' ;;
  esac
}

sparkle_cache_dir() { echo "${SPARKLE_CACHE_DIR:-$HOME/.cache/sparkle}"; }

sparkle_node_install() {
  local version=$1 arch
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) arch=x64 ;;
    Linux-aarch64 | Linux-arm64) arch=arm64 ;;
    *)
      echo "Node $version: no npm runtime package for $(uname -s) $(uname -m); install Node >= 22 yourself (https://nodejs.org)" >&2
      return 1
      ;;
  esac
  local cache dir
  cache="$(sparkle_cache_dir)/node"
  dir="$cache/$version"
  if [[ -x "$dir/bin/node" ]]; then
    echo "$dir"
    return 0
  fi
  mkdir -p "$cache"
  (
    flock 9
    [[ -x "$dir/bin/node" ]] && exit 0 # another process finished it while we waited
    tmp=$(mktemp -d "$cache/.partial-$version.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    local pkg="node-linux-$arch@$version" started=$SECONDS
    echo "installing Node $version (npm package $pkg) into $dir" >&2
    (cd "$tmp" && npm pack "$pkg" --silent >/dev/null) || {
      echo "could not download $pkg with npm pack: check that the version exists (npm view node-linux-$arch versions) and that the npm registry is reachable" >&2
      exit 1
    }
    local tgz expected actual
    tgz=$(ls "$tmp"/*.tgz)
    expected=$(sparkle_node_integrity "linux-$arch@$version")
    if [[ -n "$expected" ]]; then
      actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
      if [[ "$actual" != "$expected" ]]; then
        echo "$pkg: integrity $actual does not match the pinned $expected (tools/scripts/node-runtime.sh)" >&2
        exit 1
      fi
    fi
    tar -xzf "$tgz" -C "$tmp"
    [[ "$("$tmp/package/bin/node" --version)" == "v$version" ]] || {
      echo "$pkg: bin/node does not report v$version" >&2
      exit 1
    }
    [[ -f "$tmp/package/include/node/node_api.h" ]] || {
      echo "$pkg: no include/node headers (native addons could not build)" >&2
      exit 1
    }
    rm -rf "$dir"
    mv "$tmp/package" "$dir" # the rename is what makes the runtime visible: never half-unpacked
    echo "Node $version installed in $((SECONDS - started))s" >&2
  ) 9>"$cache/.lock-$version" || return 1
  echo "$dir"
}

# Installs VERSION when missing and makes it the Node of this shell (fails when it cannot).
sparkle_switch_node() {
  local dir
  dir=$(sparkle_node_install "$1") || return 1
  sparkle_use_node "$dir"
}

sparkle_use_node() {
  local dir=$1
  export PATH="$dir/bin:$PATH"
  # node-gyp (and prebuild-install's fallback) take headers from here instead of downloading them.
  export npm_config_nodedir="$dir"
  hash -r
}

# The ABI a node_modules tree was built for is recorded in node_modules/.sparkle-node-abi. When the
# Node in use has another one (a tree installed under Node 20 and now run under 24), the native
# addons pnpm is allowed to build (pnpm.onlyBuiltDependencies) are rebuilt against the runtime's headers.
sparkle_node_abi() { node -p 'process.versions.modules + "-" + process.platform + "-" + process.arch'; }

sparkle_sync_native_addons() {
  local marker=node_modules/.sparkle-node-abi abi started=$SECONDS
  abi=$(sparkle_node_abi)
  [[ -f "$marker" && "$(cat "$marker")" == "$abi" ]] && return 0
  echo "node_modules: native addons built for another Node (ABI $(cat "$marker" 2>/dev/null || echo unknown)); rebuilding for $(node --version) (ABI $abi)" >&2
  # build-from-source: prebuild-install would try a download host we cannot reach; node-gyp
  # compiles against $npm_config_nodedir. Its rebuild deletes build/ before compiling, so copies
  # hard-linked from pnpm's store into other checkouts are left intact.
  npm_config_build_from_source=true pnpm rebuild -r
  echo "$abi" >"$marker"
  echo "native addons rebuilt in $((SECONDS - started))s" >&2
}
