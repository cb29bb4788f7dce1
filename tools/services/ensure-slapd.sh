#!/usr/bin/env bash
# Ensures an OpenLDAP server answers on ldap://127.0.0.1:${SPARKLE_SLAPD_PORT:-3389}/ for tests.
#
# Idempotent: a server there that holds this script's suffix and accepts its root password is used
# as it is. Otherwise installs Debian's slapd and ldap-utils when missing and starts a private
# slapd: its own slapd.conf (mdb backend, suffix dc=sparkle,dc=test, rootdn cn=admin,dc=sparkle,dc=test),
# loopback only, a fresh database seeded with ldapadd (people with single- and multi-valued mail,
# an entry whose values hold filter metacharacters, groups, and 120 entries under ou=bulk for
# paging). Files in ${SPARKLE_SLAPD_DIR:-/tmp/sparkle-slapd}; the root password (random, for this
# test server only) in rootpw. The conventions (lock, env lines, stop records) are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_LDAP_URL=ldap://127.0.0.1:3389 SPARKLE_TEST_LDAP_BASE_DN=dc=sparkle,dc=test
#         SPARKLE_TEST_LDAP_BIND_DN=cn=admin,dc=sparkle,dc=test SPARKLE_TEST_LDAP_PASSWORD_FILE=<path>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

svc_begin slapd
port="${SPARKLE_SLAPD_PORT:-3389}"
dir="${SPARKLE_SLAPD_DIR:-/tmp/sparkle-slapd}"
suffix='dc=sparkle,dc=test'
rootdn="cn=admin,$suffix"
url="ldap://127.0.0.1:$port"
svc_env SPARKLE_TEST_LDAP_URL "$url"
svc_env SPARKLE_TEST_LDAP_BASE_DN "$suffix"
svc_env SPARKLE_TEST_LDAP_BIND_DN "$rootdn"
svc_env SPARKLE_TEST_LDAP_PASSWORD_FILE "$dir/rootpw"

ours() {
  [[ -f "$dir/rootpw" ]] || return 1
  ldapsearch -x -LLL -H "$url" -D "$rootdn" -y "$dir/rootpw" -b "ou=people,$suffix" -s base dn >/dev/null 2>&1
}
command -v ldapsearch >/dev/null 2>&1 && svc_exit_if_answering ours

svc_apt_install slapd ldap-utils
svc_port_taken "$port" && svc_die "something that is not this script's slapd listens on port $port (set SPARKLE_SLAPD_PORT)"

mkdir -p "$dir"
chmod 700 "$dir"
rm -rf "$dir/db" && mkdir -p "$dir/db"
# A throwaway password for a throwaway directory (no newline: ldapsearch -y reads the file whole).
[[ -f "$dir/rootpw" ]] || printf 'sparkle-ldap-%s%s' "$RANDOM" "$RANDOM" >"$dir/rootpw"
chmod 600 "$dir/rootpw"
schema=/etc/ldap/schema
cat >"$dir/slapd.conf" <<CONF
# Written by tools/services/ensure-slapd.sh: a private slapd for tests, loopback only.
include $schema/core.schema
include $schema/cosine.schema
include $schema/inetorgperson.schema
include $schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
sizelimit size.soft=500 size.hard=unlimited size.prtotal=unlimited

database mdb
maxsize 104857600
suffix "$suffix"
rootdn "$rootdn"
rootpw $(cat "$dir/rootpw")
directory $dir/db
index objectClass eq
index uid,cn,mail eq,sub
access to * by * read
CONF
chmod 600 "$dir/slapd.conf"
slaptest -u -f "$dir/slapd.conf" >/dev/null 2>&1 || svc_die "slapd rejected $dir/slapd.conf"

{
  printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: sparkle\no: Sparkle test directory\n\n' "$suffix"
  printf 'dn: ou=people,%s\nobjectClass: top\nobjectClass: organizationalUnit\nou: people\n\n' "$suffix"
  printf 'dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n' "$suffix"
  printf 'dn: ou=bulk,%s\nobjectClass: organizationalUnit\nou: bulk\n\n' "$suffix"
  person() { # uid cn sn mail...
    local uid="$1" cn="$2" sn="$3"
    shift 3
    printf 'dn: uid=%s,ou=people,%s\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\n' "$uid" "$suffix" "$uid" "$cn" "$sn"
    for m in "$@"; do printf 'mail: %s\n' "$m"; done
    printf '\n'
  }
  person ada 'Ada Lovelace' Lovelace ada@sparkle.test ada.lovelace@sparkle.test
  person alan 'Alan Turing' Turing alan@sparkle.test
  person grace 'Grace Hopper' Hopper grace@sparkle.test
  person edsger 'Edsger Dijkstra' Dijkstra
  # Values full of RFC 4515 metacharacters: a filter built by splicing would break on them.
  person star 'Star * (Admin) \5c' 'Meta)(chars' 'star*@sparkle.test'
  printf 'dn: cn=engineers,ou=groups,%s\nobjectClass: groupOfNames\ncn: engineers\nmember: uid=ada,ou=people,%s\nmember: uid=alan,ou=people,%s\n\n' "$suffix" "$suffix" "$suffix"
  for i in $(seq -w 1 120); do
    printf 'dn: cn=item-%s,ou=bulk,%s\nobjectClass: device\ncn: item-%s\nserialNumber: %s\n\n' "$i" "$suffix" "$i" "$i"
  done
} >"$dir/seed.ldif"
# Seeded offline into the fresh database, before the server starts.
slapadd -q -f "$dir/slapd.conf" -l "$dir/seed.ldif" >/dev/null 2>&1 || svc_die "slapadd could not load $dir/seed.ldif"

svc_spawn "$dir/slapd.log" slapd -d 0 -f "$dir/slapd.conf" -h "$url/"
svc_wait_until 30 ours
svc_assert_loopback "$port"
svc_finish
