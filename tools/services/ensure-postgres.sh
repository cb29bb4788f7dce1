#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with a database `test` that user
# `postgres` can reach without a password from loopback (what the tests expect).
#
# Idempotent: does nothing when it already answers. Otherwise starts the Debian cluster when it is
# installed but stopped (and records `pg_ctlcluster <version> main stop` for stop-all.sh), or
# installs `postgresql` with apt when missing. Loopback only. Conventions: tools/services/lib.sh.
#
# Prints SPARKLE_TEST_POSTGRES_HOST/PORT/USER/DATABASE. (Not SPARKLE_TEST_POSTGRES_URL: testkit's
# findPostgres reads that as "use this other server instead of the machine's".)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

svc_begin postgres
# Port and cluster can be moved (a second, private cluster for trying this script).
port="${SPARKLE_POSTGRES_PORT:-5432}"
cluster="${SPARKLE_POSTGRES_CLUSTER:-main}"
svc_env SPARKLE_TEST_POSTGRES_HOST 127.0.0.1
svc_env SPARKLE_TEST_POSTGRES_PORT "$port"
svc_env SPARKLE_TEST_POSTGRES_USER postgres
svc_env SPARKLE_TEST_POSTGRES_DATABASE test

answers() { pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; }
test_db_answers() { answers && psql -h 127.0.0.1 -p "$port" -U postgres -d test -Atqc 'select 1' >/dev/null 2>&1; }
svc_exit_if_answering test_db_answers

command -v pg_ctlcluster >/dev/null 2>&1 || svc_apt_install postgresql

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
  svc_log "creating cluster $version/$cluster"
  as_root pg_createcluster "$version" "$cluster" -p "$port" >/dev/null
fi

conf=/etc/postgresql/$version/$cluster
# Loopback only, and password-less for loopback so tests need no secrets (the data is throwaway).
if ! grep -q "^listen_addresses = '127.0.0.1'" "$conf/postgresql.conf"; then
  as_root sh -c "echo \"listen_addresses = '127.0.0.1'\" >> '$conf/postgresql.conf'"
fi
if ! grep -Eq '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$conf/pg_hba.conf"; then
  as_root sh -c "printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | cat - '$conf/pg_hba.conf' > '$conf/pg_hba.conf.new' && mv '$conf/pg_hba.conf.new' '$conf/pg_hba.conf' && chown postgres:postgres '$conf/pg_hba.conf'"
fi

if pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
  # Someone else's running cluster: reconfigure it, but it is not ours to stop.
  as_root pg_ctlcluster "$version" "$cluster" reload
else
  svc_log "starting cluster $version/$cluster"
  # Without the lock's descriptor: a server holding it would block every later ensure call.
  as_root pg_ctlcluster "$version" "$cluster" start 9>&-
  svc_record_stop "$( [[ $(id -u) -eq 0 ]] || printf 'sudo -n ' )pg_ctlcluster -m fast $version $cluster stop"
fi

svc_wait_until 30 answers
if ! psql -h 127.0.0.1 -p "$port" -U postgres -Atqc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
  psql -h 127.0.0.1 -p "$port" -U postgres -qc 'CREATE DATABASE test'
fi
svc_assert_loopback "$port"
svc_finish
