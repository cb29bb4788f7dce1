#!/usr/bin/env bash
# Ensures MariaDB answers on 127.0.0.1:3306 (root, no password over TCP from loopback) with a
# database `test`, for the mysql and mariadb connector tests and benches.
#
# Idempotent: a running server is left alone (only `test` is created if missing). Otherwise
# installs Debian's mariadb-server when missing and starts mariadbd in the background, bound to
# loopback (its pid recorded for stop-all.sh), then waits for it. Conventions: tools/services/lib.sh.
#
# Prints: export SPARKLE_TEST_MARIADB_URL=mysql://root@127.0.0.1:3306/test
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

svc_begin mariadb
PORT="${SPARKLE_MARIADB_PORT:-3306}"
# The data directory and socket can be moved (a second, private server for trying this script).
DATADIR="${SPARKLE_MARIADB_DATADIR:-/var/lib/mysql}"
SOCKET="${SPARKLE_MARIADB_SOCKET:-/run/mysqld/mysqld.sock}"
svc_env SPARKLE_TEST_MARIADB_URL "mysql://root@127.0.0.1:${PORT}/test"

client() { mariadb --protocol=tcp -h127.0.0.1 -P"$PORT" -uroot "$@"; }
answers() { client -e 'SELECT 1' >/dev/null 2>&1; }
ready() { client -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null 2>&1; }
socket_answers() { [[ -S "$SOCKET" ]] && mariadb -uroot --socket="$SOCKET" -e 'SELECT 1' >/dev/null 2>&1; }
svc_exit_if_answering ready

if ! socket_answers; then
  [[ -x /usr/sbin/mariadbd ]] || svc_apt_install mariadb-server mariadb-client
  mkdir -p "$(dirname "$SOCKET")"
  chown mysql:mysql "$(dirname "$SOCKET")" 2>/dev/null || true
  if [ ! -d "$DATADIR/mysql" ]; then
    mariadb-install-db --user=mysql --datadir="$DATADIR" >/dev/null
  fi
  # Loopback only, whatever the packaged config says.
  mkdir -p /tmp/sparkle-mariadb
  svc_spawn /tmp/sparkle-mariadb/server.log /usr/sbin/mariadbd \
    --user=mysql --datadir="$DATADIR" --pid-file="${SOCKET%.sock}.pid" \
    --bind-address=127.0.0.1 --port="$PORT" --socket="$SOCKET"
  # A fresh install lets root in only through the socket (unix_socket auth).
  either() { answers || socket_answers; }
  svc_wait_until 60 either
fi

if ! answers; then
  # root is still socket-only (fresh Debian install): allow root without password from loopback TCP,
  # which is what the test suites expect on a throwaway machine.
  mariadb -uroot --socket="$SOCKET" -e \
    "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
     CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
     GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" >/dev/null
fi

ready || svc_die "no answer on 127.0.0.1:${PORT}"
svc_assert_loopback "$PORT"
svc_finish
