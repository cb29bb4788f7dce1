#!/usr/bin/env bash
# Lists the tables in the databases the test suite writes to, one `<service> <schema>.<table>` per
# line, sorted: PostgreSQL's `test` (every schema but the system ones), MariaDB's `test`, and
# ClickHouse's `default`. A server that does not answer is skipped silently (nothing to leave).
# test-all.sh compares the list before and after the tests: anything new is a leftover.
set -uo pipefail

{
  if command -v psql >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    psql -h 127.0.0.1 -p 5432 -U postgres -d test -Atqc \
      "select 'postgres ' || table_schema || '.' || table_name from information_schema.tables
       where table_schema not in ('pg_catalog', 'information_schema') and table_schema not like 'pg_temp%'" 2>/dev/null
  fi
  if command -v mariadb >/dev/null 2>&1; then
    mariadb --protocol=tcp -h127.0.0.1 -P3306 -uroot -N -B -e \
      "select concat('mariadb ', table_schema, '.', table_name) from information_schema.tables where table_schema = 'test'" 2>/dev/null
  fi
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 5 "http://127.0.0.1:8123/" \
      --data-binary "SELECT concat('clickhouse ', database, '.', name) FROM system.tables WHERE database = 'default' FORMAT TSV" 2>/dev/null
  fi
} | sort
