#!/usr/bin/env bash
# Ensures an OpenSSH server with SFTP answers on 127.0.0.1:${SPARKLE_SSHD_PORT:-2222} for tests.
#
# Idempotent: a server there that presents this script's own host key is used as it is; one with
# another key is an error (the tests pin the key). Otherwise installs Debian's openssh-server when
# missing and starts a private sshd: its own sshd_config, its own ed25519 host key, loopback only,
# `Subsystem sftp internal-sftp`, public-key auth only (password and keyboard-interactive off), the
# current user's test keys in a private AuthorizedKeysFile. Files in ${SPARKLE_SSHD_DIR:-/tmp/sparkle-sshd}:
#   host_ed25519(.pub)          the server's host key
#   client_ed25519(.pub)        a client key without passphrase
#   client_encrypted(.pub)      a client key encrypted with the passphrase in client_encrypted.passphrase
#   data/                       a directory the tests use as their SFTP root
# The conventions (lock, env lines, stop records) are tools/services/lib.sh's.
#
# Prints: export SPARKLE_TEST_SFTP_HOST=127.0.0.1 SPARKLE_TEST_SFTP_PORT=2222 SPARKLE_TEST_SFTP_USER=<you>
#         SPARKLE_TEST_SFTP_KEY=<path> SPARKLE_TEST_SFTP_ENCRYPTED_KEY=<path> SPARKLE_TEST_SFTP_KEY_PASSPHRASE_FILE=<path>
#         SPARKLE_TEST_SFTP_HOST_KEY=<path of the host's .pub> SPARKLE_TEST_SFTP_ROOT=<dir>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

svc_begin sshd
port="${SPARKLE_SSHD_PORT:-2222}"
dir="${SPARKLE_SSHD_DIR:-/tmp/sparkle-sshd}"
user="$(id -un)"
svc_env SPARKLE_TEST_SFTP_HOST 127.0.0.1
svc_env SPARKLE_TEST_SFTP_PORT "$port"
svc_env SPARKLE_TEST_SFTP_USER "$user"
svc_env SPARKLE_TEST_SFTP_KEY "$dir/client_ed25519"
svc_env SPARKLE_TEST_SFTP_ENCRYPTED_KEY "$dir/client_encrypted"
svc_env SPARKLE_TEST_SFTP_KEY_PASSPHRASE_FILE "$dir/client_encrypted.passphrase"
svc_env SPARKLE_TEST_SFTP_HOST_KEY "$dir/host_ed25519.pub"
svc_env SPARKLE_TEST_SFTP_ROOT "$dir/data"

# Ours when the key it presents is our host key (ssh-keyscan prints "host type base64").
ours() {
  [[ -f "$dir/host_ed25519.pub" ]] || return 1
  local want
  want="$(awk '{print $2}' "$dir/host_ed25519.pub")"
  ssh-keyscan -T 3 -t ed25519 -p "$port" 127.0.0.1 2>/dev/null | awk '{print $3}' | grep -qxF "$want"
}
command -v ssh-keyscan >/dev/null 2>&1 && svc_exit_if_answering ours

svc_apt_install openssh-server openssh-client
svc_port_taken "$port" && svc_die "something that is not this script's sshd listens on port $port (set SPARKLE_SSHD_PORT)"

mkdir -p "$dir/data"
chmod 700 "$dir"
[[ -f "$dir/host_ed25519" ]] || ssh-keygen -q -t ed25519 -N '' -C sparkle-test-host -f "$dir/host_ed25519"
[[ -f "$dir/client_ed25519" ]] || ssh-keygen -q -t ed25519 -N '' -C sparkle-test-client -f "$dir/client_ed25519"
if [[ ! -f "$dir/client_encrypted" ]]; then
  # A throwaway passphrase for a throwaway key: it guards nothing but this test server.
  printf 'sparkle-test-passphrase-%s' "$RANDOM$RANDOM" >"$dir/client_encrypted.passphrase"
  ssh-keygen -q -t ed25519 -N "$(cat "$dir/client_encrypted.passphrase")" -C sparkle-test-encrypted -f "$dir/client_encrypted"
fi
cat "$dir/client_ed25519.pub" "$dir/client_encrypted.pub" >"$dir/authorized_keys"
chmod 600 "$dir/authorized_keys" "$dir"/client_* "$dir"/host_ed25519

cat >"$dir/sshd_config" <<CONF
# Written by tools/services/ensure-sshd.sh: a private sshd for tests, loopback only.
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $user
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
PermitTTY no
MaxStartups 50:30:100
MaxSessions 50
Subsystem sftp internal-sftp
LogLevel VERBOSE
CONF

# Privilege separation needs its empty directory (normally made by the init script).
[[ -d /run/sshd ]] || mkdir -p /run/sshd
/usr/sbin/sshd -t -f "$dir/sshd_config" || svc_die "sshd rejected $dir/sshd_config"
svc_spawn "$dir/sshd.log" /usr/sbin/sshd -D -e -f "$dir/sshd_config"
svc_wait_until 30 ours
svc_assert_loopback "$port"
svc_finish
