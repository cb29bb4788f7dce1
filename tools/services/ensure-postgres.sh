#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with a database `test` that user
# `postgres` can reach without a password from loopback (what the tests expect).
# Idempotent: does nothing when it already answers. Otherwise starts the Debian cluster when it is
# installed but stopped, or installs `postgresql` with apt when missing. Loopback only.
set -euo pipefail

port=5432
answers() { pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; }
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi; }

if command -v pg_isready >/dev/null 2>&1 && answers; then
  if psql -h 127.0.0.1 -p "$port" -U postgres -d test -Atqc 'select 1' >/dev/null 2>&1; then
    echo "postgres: ready on 127.0.0.1:$port (database test)"
    exit 0
  fi
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "postgres: not installed; installing the Debian package"
  export DEBIAN_FRONTEND=noninteractive
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  else sudo -n apt-get update -qq && sudo -n apt-get install -y -qq postgresql >/dev/null; fi
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -1)
cluster=main
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
  echo "postgres: creating cluster $version/$cluster"
  if [[ $(id -u) -eq 0 ]]; then pg_createcluster "$version" "$cluster" -p "$port" >/dev/null
  else sudo -n pg_createcluster "$version" "$cluster" -p "$port" >/dev/null; fi
fi

conf=/etc/postgresql/$version/$cluster
# Loopback only, and password-less for loopback so tests need no secrets (the data is throwaway).
set_conf() { local run=(); [[ $(id -u) -eq 0 ]] || run=(sudo -n); "${run[@]}" "$@"; }
if ! grep -q "^listen_addresses = '127.0.0.1'" "$conf/postgresql.conf"; then
  set_conf sh -c "echo \"listen_addresses = '127.0.0.1'\" >> '$conf/postgresql.conf'"
fi
if ! grep -Eq '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$conf/pg_hba.conf"; then
  set_conf sh -c "printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | cat - '$conf/pg_hba.conf' > '$conf/pg_hba.conf.new' && mv '$conf/pg_hba.conf.new' '$conf/pg_hba.conf' && chown postgres:postgres '$conf/pg_hba.conf'"
fi

if pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
  set_conf pg_ctlcluster "$version" "$cluster" reload
else
  echo "postgres: starting cluster $version/$cluster"
  set_conf pg_ctlcluster "$version" "$cluster" start
fi

for _ in $(seq 1 50); do answers && break; sleep 0.2; done
answers || { echo "postgres: did not start" >&2; exit 1; }
if ! psql -h 127.0.0.1 -p "$port" -U postgres -Atqc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
  psql -h 127.0.0.1 -p "$port" -U postgres -qc 'CREATE DATABASE test'
fi
echo "postgres: ready on 127.0.0.1:$port (database test)"
