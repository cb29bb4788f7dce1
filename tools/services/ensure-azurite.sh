#!/usr/bin/env bash
# Ensures Azurite's Blob service (Microsoft's open-source emulator of the Azure Storage Blob REST
# API) answers on 127.0.0.1:${SPARKLE_AZURITE_BLOB_PORT:-10000} for the Azure connectors' tests.
#
# Only the blob service is started (`azurite-blob`); Azurite has no DFS (ADLS Gen2) endpoint, so
# connector-adls tests use an in-process fake instead. Installed from npm (azurite, pinned) under
# the service cache; data in a private directory (memory would also do, but a location keeps the
# server's own files out of the working directory). The account is Azurite's well-known
# development account `devstoreaccount1`, whose key is public and documented (it is no secret).
#
# Prints: export SPARKLE_TEST_AZURITE_BLOB_URL=http://127.0.0.1:10000/devstoreaccount1
#         export SPARKLE_TEST_AZURITE_ACCOUNT=devstoreaccount1
#         export SPARKLE_TEST_AZURITE_KEY=<the well-known development key>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AZURITE_VERSION=3.37.0
svc_begin azurite
port="${SPARKLE_AZURITE_BLOB_PORT:-10000}"
dir="${SPARKLE_AZURITE_DIR:-/tmp/sparkle-azurite}"
account=devstoreaccount1
# Azurite's published development key (the same in every Azurite install and Microsoft's docs).
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
svc_env SPARKLE_TEST_AZURITE_BLOB_URL "http://127.0.0.1:$port/$account"
svc_env SPARKLE_TEST_AZURITE_ACCOUNT "$account"
svc_env SPARKLE_TEST_AZURITE_KEY "$key"

# An unauthenticated request to the account answers with Azurite's own x-ms-* headers (403 is fine).
answers() { curl -sS --max-time 2 -o /dev/null -D - "http://127.0.0.1:$port/$account?comp=list" 2>/dev/null | grep -qi '^x-ms-request-id'; }
svc_exit_if_answering answers

npm_dir="$(svc_npm_install "$AZURITE_VERSION" "azurite@$AZURITE_VERSION")"
svc_port_taken "$port" && svc_die "something that is not Azurite listens on port $port (set SPARKLE_AZURITE_BLOB_PORT)"

mkdir -p "$dir/data"
svc_spawn "$dir/server.log" "$npm_dir/node_modules/.bin/azurite-blob" \
  --blobHost 127.0.0.1 --blobPort "$port" --location "$dir/data" --skipApiVersionCheck --loose --disableProductStyleUrl
svc_wait_until 60 answers
svc_assert_loopback "$port"
svc_finish
