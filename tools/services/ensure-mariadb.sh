#!/usr/bin/env bash
# Ensures MariaDB answers on 127.0.0.1:3306 (root, no password over TCP from loopback) with a
# database `test`, for the mysql and mariadb connector tests and benches.
#
# Idempotent: a running server is left alone (only `test` is created if missing). Otherwise
# installs Debian's mariadb-server when missing and starts it in the background, bound to
# loopback, then waits for its socket.
set -euo pipefail

# Test files and packages may call this at the same time: one at a time.
exec 9>"/tmp/sparkle-ensure-mariadb.lock"
flock 9

PORT="${SPARKLE_MARIADB_PORT:-3306}"
SOCKET=/run/mysqld/mysqld.sock

client() { mariadb --protocol=tcp -h127.0.0.1 -P"$PORT" -uroot "$@"; }
answers() { client -e 'SELECT 1' >/dev/null 2>&1; }

if ! answers; then
  if [ ! -x /usr/sbin/mariadbd ]; then
    if [ "$(id -u)" != 0 ]; then echo "mariadb: mariadb-server is not installed and this is not root" >&2; exit 1; fi
    echo "mariadb: installing the Debian mariadb-server package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends mariadb-server mariadb-client >/dev/null \
      || { apt-get update -o DPkg::Lock::Timeout=300 >/dev/null && apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends mariadb-server mariadb-client >/dev/null; }
  fi
  mkdir -p /run/mysqld
  chown mysql:mysql /run/mysqld 2>/dev/null || true
  if [ ! -d /var/lib/mysql/mysql ]; then
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  # Loopback only, whatever the packaged config says.
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- \
    --user=mysql --bind-address=127.0.0.1 --port="$PORT" --socket="$SOCKET"
  for _ in $(seq 1 60); do
    [ -S "$SOCKET" ] && answers && break
    # A fresh install lets root in only through the socket (unix_socket auth).
    if [ -S "$SOCKET" ] && mariadb -uroot --socket="$SOCKET" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
fi

if ! answers; then
  # root is still socket-only (fresh Debian install): allow root without password from loopback TCP,
  # which is what the test suites expect on a throwaway machine.
  mariadb -uroot --socket="$SOCKET" -e \
    "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
     CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
     GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" >/dev/null
fi

answers || { echo "mariadb: no answer on 127.0.0.1:${PORT}" >&2; exit 1; }
client -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null
echo "mariadb: answering on 127.0.0.1:${PORT}, database test ready"
