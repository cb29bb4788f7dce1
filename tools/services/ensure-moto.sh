#!/usr/bin/env bash
# Ensures a moto server (a community fake of the AWS APIs: S3, SQS, Kinesis, DynamoDB, Glue,
# SageMaker, Redshift Data, …) answers on 127.0.0.1:${SPARKLE_MOTO_PORT:-4566} for tests.
#
# One server serves every AWS service the connectors use; requests pick the service by their
# signing name, as against AWS. Installed from PyPI (moto[server], pinned) into a venv under the
# service cache; state is in memory only. The conventions are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_AWS_ENDPOINT=http://127.0.0.1:4566
#         export SPARKLE_TEST_AWS_REGION=us-east-1
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MOTO_VERSION=5.2.6
svc_begin moto
port="${SPARKLE_MOTO_PORT:-4566}"
dir="${SPARKLE_MOTO_DIR:-/tmp/sparkle-moto}"
svc_env SPARKLE_TEST_AWS_ENDPOINT "http://127.0.0.1:$port"
svc_env SPARKLE_TEST_AWS_REGION us-east-1

# moto serves its dashboard page at /moto-api/ (its data.json can fail with 500 once some
# services hold state, so it is not a health check); anything else on the port is not moto.
# The page is read whole before matching: `curl | grep -q` under pipefail fails when grep
# stops reading early and curl gets EPIPE.
answers() { local page; page="$(curl -fsS --max-time 5 "http://127.0.0.1:$port/moto-api/" 2>/dev/null)" && [[ "$page" == *[Mm]oto* ]]; }
svc_exit_if_answering answers

venv="$(svc_pip_install "$MOTO_VERSION" "moto[server]==$MOTO_VERSION")"
svc_port_taken "$port" && svc_die "something that is not moto listens on port $port (set SPARKLE_MOTO_PORT)"

mkdir -p "$dir"
svc_spawn "$dir/server.log" "$venv/bin/moto_server" -H 127.0.0.1 -p "$port"
svc_wait_until 60 answers
svc_assert_loopback "$port"
svc_finish
