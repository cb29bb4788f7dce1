# shellcheck shell=bash
# The shared library of tools/services/ensure-<name>.sh: the one way Sparkle provides a real peer
# server for tests, whatever registry it comes from. Source it, then call the svc_* functions:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   svc_begin redis                                   # lock /tmp/sparkle-ensure-redis.lock, timers
#   svc_env SPARKLE_TEST_REDIS_URL "redis://127.0.0.1:$port"
#   svc_exit_if_answering redis_answers               # already up: print env, exit 0
#   svc_apt_install redis-server redis-tools          # or svc_pip_install / svc_mvn_install / ...
#   svc_spawn "$dir/server.log" redis-server --bind 127.0.0.1 --port "$port" ...
#   svc_wait_until 30 redis_answers                   # bounded; fails with the log's tail
#   svc_finish                                        # print env, write <name>.env, exit 0
#
# Convention (tools/services/README.md says the same at more length):
# - stdout carries only `export VAR=value` lines, so `eval "$(bash ensure-x.sh)"` works; every
#   message goes to stderr, prefixed with the service name.
# - Idempotent: a service that already answers is left alone and only its env lines are printed.
# - `flock` on /tmp/sparkle-ensure-<name>.lock: two test processes asking at once are safe.
# - Installs by name and pinned version into ${SPARKLE_CACHE_DIR:-$HOME/.cache/sparkle}/services/
#   <name>/<version> (pip venv, Maven dependencies, go install, npm package), or with apt.
# - Anything it starts other than with svc_spawn gets `9>&-` (the lock's descriptor stays here).
# - Starts on 127.0.0.1 only, waits (bounded) until it answers, and records how to stop what IT
#   started in ${SPARKLE_RUN_DIR:-/tmp/sparkle-run}: <name>.pid (a process it spawned) and/or
#   <name>.stop (a bash script, e.g. `pg_ctlcluster 15 main stop`). Never for a service that was
#   already running. tools/services/stop-all.sh stops everything recorded there.
# - Writes its env lines to <name>.env and its timings to <name>.time in the same directory.

SPARKLE_RUN_DIR="${SPARKLE_RUN_DIR:-/tmp/sparkle-run}"
SPARKLE_CACHE_DIR="${SPARKLE_CACHE_DIR:-${HOME:-/root}/.cache/sparkle}"
export SPARKLE_RUN_DIR SPARKLE_CACHE_DIR

SVC_NAME=""
SVC_ENV=()
SVC_PID=""
SVC_LOG=""
SVC_INSTALL_S=0
SVC_T0=""

# Seconds since the epoch with microseconds (bash 5's EPOCHREALTIME, no subprocess).
_svc_now() { printf '%s' "${EPOCHREALTIME:-$(date +%s.%N)}"; }
_svc_since() { awk -v a="$1" -v b="$(_svc_now)" 'BEGIN { printf "%.1f", b - a }'; }

svc_log() { printf '%s: %s\n' "${SVC_NAME:-services}" "$*" >&2; }
svc_die() {
  printf '%s: ERROR: %s\n' "${SVC_NAME:-services}" "$*" >&2
  [[ -z "$SVC_NAME" ]] || rm -f "$SPARKLE_RUN_DIR/.$SVC_NAME.install.$$"
  exit 1
}

# svc_begin NAME — names the service, makes the run and cache dirs, and takes the service's lock
# (waits at most SPARKLE_SERVICE_LOCK_TIMEOUT seconds, default 900: an install can be slow).
svc_begin() {
  SVC_NAME="$1"
  [[ "$SVC_NAME" =~ ^[a-z0-9][a-z0-9-]*$ ]] || svc_die "bad service name '$SVC_NAME' (use [a-z0-9-])"
  SVC_T0="$(_svc_now)"
  mkdir -p "$SPARKLE_RUN_DIR" "$SPARKLE_CACHE_DIR/services"
  exec 9>"/tmp/sparkle-ensure-${SVC_NAME}.lock"
  flock -w "${SPARKLE_SERVICE_LOCK_TIMEOUT:-900}" 9 ||
    svc_die "another ensure-${SVC_NAME}.sh held /tmp/sparkle-ensure-${SVC_NAME}.lock for too long"
}

# svc_env VAR VALUE — one line the script prints as `export VAR=value` (value shell-quoted).
svc_env() { SVC_ENV+=("export $1=$(printf '%q' "$2")"); }

# svc_cache_dir VERSION — where this service's pinned VERSION is installed (created).
svc_cache_dir() {
  local dir="$SPARKLE_CACHE_DIR/services/$SVC_NAME/$1"
  mkdir -p "$dir"
  printf '%s' "$dir"
}

# Writes <name>.time: install and start seconds, and whether this call started the service.
_svc_write_time() {
  local state="$1" total start f
  f="$(_svc_install_file)"
  [[ -f "$f" ]] && SVC_INSTALL_S="$(cat "$f")" && rm -f "$f"
  total="$(_svc_since "$SVC_T0")"
  start="$(awk -v t="$total" -v i="$SVC_INSTALL_S" 'BEGIN { s = t - i; if (s < 0) s = 0; printf "%.1f", s }')"
  printf 'state=%s install=%s start=%s\n' "$state" "$SVC_INSTALL_S" "$start" >"$SPARKLE_RUN_DIR/$SVC_NAME.time"
}

_svc_emit_env() {
  local tmp="$SPARKLE_RUN_DIR/.$SVC_NAME.env.$$"
  if ((${#SVC_ENV[@]})); then printf '%s\n' "${SVC_ENV[@]}" >"$tmp"; else : >"$tmp"; fi
  mv -f "$tmp" "$SPARKLE_RUN_DIR/$SVC_NAME.env"
  cat "$SPARKLE_RUN_DIR/$SVC_NAME.env"
}

# svc_exit_if_answering CHECK [ARGS...] — when CHECK succeeds the service is already up: print the
# env lines and exit 0 without recording a stop (it is not ours to stop, or it is already recorded).
svc_exit_if_answering() {
  if "$@" >/dev/null 2>&1; then
    svc_log "already answering"
    _svc_write_time running
    _svc_emit_env
    exit 0
  fi
}

# svc_finish — the service answers: print and record the env lines, then exit 0.
svc_finish() {
  _svc_write_time started
  svc_log "ready in $(_svc_since "$SVC_T0")s (install ${SVC_INSTALL_S}s)"
  _svc_emit_env
  exit 0
}

# Install seconds add up in a file, not a variable: the install functions print a path and so
# usually run in a command substitution (a subshell), where a variable would be lost. ($$ is the
# script's pid in its subshells too.)
_svc_install_file() { printf '%s' "$SPARKLE_RUN_DIR/.$SVC_NAME.install.$$"; }
_svc_add_install_time() {
  local f
  f="$(_svc_install_file)"
  awk -v a="$(cat "$f" 2>/dev/null || echo 0)" -v b="$(_svc_since "$1")" 'BEGIN { printf "%.1f", a + b }' >"$f.tmp" && mv -f "$f.tmp" "$f"
}

# svc_apt_install PKG... — installs the Debian packages that are missing (root or password-less
# sudo). Runs `apt-get update` once when the first attempt fails. Package scripts must not start
# the service system-wide: without a policy-rc.d, one that refuses is put in place for the install.
svc_apt_install() {
  local missing=() pkg t run=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) -eq 0 ]] || run=(sudo -n)
  command -v apt-get >/dev/null 2>&1 || svc_die "apt-get is missing: install ${missing[*]} by hand"
  t="$(_svc_now)"
  svc_log "installing Debian packages: ${missing[*]}"
  (
    # One apt at a time among these scripts (also guards the temporary policy-rc.d).
    exec 8>/tmp/sparkle-ensure-apt.lock
    flock -w 900 8 || exit 1
    exec 9>&-
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      "${run[@]}" sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
      trap '"${run[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt=("${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300)
    "${apt[@]}" install --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { "${apt[@]}" update >/dev/null && "${apt[@]}" install --no-install-recommends "${missing[@]}" >/dev/null; }
  ) || svc_die "apt-get install ${missing[*]} failed"
  _svc_add_install_time "$t"
}

# A cache dir holds one marker per installer (`.installed-pip`, `-mvn`, `-go`, `-npm`) with what
# it installed: present and equal = warm. (One version may well need a venv and jars both.)
_svc_warm() { [[ -f "$1/.installed-${2%% *}" && "$(cat "$1/.installed-${2%% *}")" == "$2" ]]; }
_svc_mark() { printf '%s' "$2" >"$1/.installed-${2%% *}"; }

# svc_pip_install VERSION REQUIREMENT... — a venv at <cache>/<VERSION>/venv with the pinned
# requirements (e.g. `pyspark==4.0.1`); prints the venv's path. Reused when already installed.
svc_pip_install() {
  local version="$1" dir t py="${SPARKLE_PYTHON:-python3}"
  shift
  dir="$(svc_cache_dir "$version")"
  if ! _svc_warm "$dir" "pip $*"; then
    t="$(_svc_now)"
    svc_log "pip install $* into $dir/venv"
    rm -rf "$dir/venv"
    "$py" -m venv "$dir/venv" >&2 || svc_die "$py -m venv failed (install python3-venv)"
    "$dir/venv/bin/pip" install -q --disable-pip-version-check "$@" >&2 || svc_die "pip install $* failed"
    _svc_mark "$dir" "pip $*"
    _svc_add_install_time "$t"
  fi
  printf '%s' "$dir/venv"
}

# svc_mvn_install VERSION GROUP:ARTIFACT:VERSION... — the artifacts and their runtime dependencies
# copied into <cache>/<VERSION>/lib (a classpath: "$dir/lib/*"); prints that lib directory.
# SVC_MVN_BOMS="GROUP:ARTIFACT:VERSION ..." imports those poms' dependencyManagement first, so a
# project's own pinned versions win over Maven's nearest-wins pick (Pulsar's parent pom: without
# it, OpenTelemetry jars of two releases meet on the classpath).
svc_mvn_install() {
  local version="$1" dir t coord deps="" boms="" g a v
  shift
  dir="$(svc_cache_dir "$version")"
  if ! _svc_warm "$dir" "mvn ${SVC_MVN_BOMS:+boms ${SVC_MVN_BOMS} }$*"; then
    t="$(_svc_now)"
    command -v mvn >/dev/null 2>&1 || svc_die "mvn is missing (apt-get install maven)"
    for coord in "$@"; do
      IFS=: read -r g a v <<<"$coord"
      [[ -n "$g" && -n "$a" && -n "$v" ]] || svc_die "bad Maven coordinate '$coord' (group:artifact:version)"
      deps+="<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
    done
    for coord in ${SVC_MVN_BOMS:-}; do
      IFS=: read -r g a v <<<"$coord"
      [[ -n "$g" && -n "$a" && -n "$v" ]] || svc_die "bad Maven coordinate '$coord' in SVC_MVN_BOMS (group:artifact:version)"
      boms+="<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version><type>pom</type><scope>import</scope></dependency>"
    done
    cat >"$dir/pom.xml" <<XML
<?xml version="1.0"?>
<!-- Generated by tools/services/lib.sh (svc_mvn_install) for ${SVC_NAME}; do not edit. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>sparkle.services</groupId><artifactId>${SVC_NAME}</artifactId><version>0</version>
  <packaging>pom</packaging>${boms:+<dependencyManagement><dependencies>${boms}</dependencies></dependencyManagement>}<dependencies>${deps}</dependencies></project>
XML
    svc_log "mvn dependency:copy-dependencies $* into $dir/lib"
    rm -rf "$dir/lib"
    mvn -q -B -Dstyle.color=never -f "$dir/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/lib" >&2 ||
      svc_die "mvn dependency:copy-dependencies failed for $*"
    _svc_mark "$dir" "mvn ${SVC_MVN_BOMS:+boms ${SVC_MVN_BOMS} }$*"
    _svc_add_install_time "$t"
  fi
  printf '%s' "$dir/lib"
}

# svc_go_install VERSION MODULE@VERSION... — binaries built with GOBIN=<cache>/<VERSION>/bin;
# prints that bin directory.
svc_go_install() {
  local version="$1" dir t
  shift
  dir="$(svc_cache_dir "$version")"
  if ! _svc_warm "$dir" "go $*"; then
    t="$(_svc_now)"
    command -v go >/dev/null 2>&1 || svc_die "go is missing"
    svc_log "go install $* into $dir/bin"
    GOBIN="$dir/bin" go install "$@" >&2 || svc_die "go install $* failed"
    _svc_mark "$dir" "go $*"
    _svc_add_install_time "$t"
  fi
  printf '%s' "$dir/bin"
}

# svc_npm_install VERSION PACKAGE@VERSION... — npm packages under <cache>/<VERSION>; prints the
# directory whose node_modules/.bin holds their commands.
svc_npm_install() {
  local version="$1" dir t
  shift
  dir="$(svc_cache_dir "$version")"
  if ! _svc_warm "$dir" "npm $*"; then
    t="$(_svc_now)"
    svc_log "npm install $* into $dir"
    [[ -f "$dir/package.json" ]] || printf '{ "private": true }\n' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$@" >&2 || svc_die "npm install $* failed"
    _svc_mark "$dir" "npm $*"
    _svc_add_install_time "$t"
  fi
  printf '%s' "$dir"
}

# svc_spawn LOGFILE CMD [ARGS...] — starts CMD in its own session (so stop-all can signal its
# whole process group), output to LOGFILE, and records its pid in <name>.pid. The lock's file
# descriptor is not passed on: a server holding it would block every later ensure call.
svc_spawn() {
  SVC_LOG="$1"
  shift
  mkdir -p "$(dirname "$SVC_LOG")"
  setsid nohup "$@" >"$SVC_LOG" 2>&1 </dev/null 9>&- &
  SVC_PID=$!
  printf '%s\n' "$SVC_PID" >"$SPARKLE_RUN_DIR/$SVC_NAME.pid"
  svc_log "started pid $SVC_PID (log $SVC_LOG)"
}

# svc_record_stop COMMAND — appends COMMAND to <name>.stop, which stop-all.sh runs with bash
# (after signalling <name>.pid). Only for what this script started itself.
svc_record_stop() { printf '%s\n' "$*" >>"$SPARKLE_RUN_DIR/$SVC_NAME.stop"; }

# svc_wait_until SECONDS CHECK [ARGS...] — polls CHECK every half second until it succeeds.
# Fails (with the last lines of the spawned process's log) when the process exits or time is up.
svc_wait_until() {
  local seconds="$1" deadline
  shift
  deadline=$(($(date +%s) + seconds))
  while (($(date +%s) < deadline)); do
    "$@" >/dev/null 2>&1 && return 0
    if [[ -n "$SVC_PID" ]] && ! kill -0 "$SVC_PID" 2>/dev/null; then
      rm -f "$SPARKLE_RUN_DIR/$SVC_NAME.pid"
      [[ -n "$SVC_LOG" ]] && tail -n 30 "$SVC_LOG" >&2
      svc_die "the server exited before it answered"
    fi
    sleep 0.5
  done
  [[ -n "$SVC_LOG" ]] && tail -n 30 "$SVC_LOG" >&2
  svc_die "no answer after ${seconds}s"
}

# svc_assert_loopback PORT... — fails when something listens on one of the ports on an address
# other than 127.0.0.1 / ::1 (the servers must not be reachable from outside the machine).
svc_assert_loopback() {
  local port bad
  command -v ss >/dev/null 2>&1 || return 0
  for port in "$@"; do
    bad="$(ss -Hltn "sport = :$port" 2>/dev/null | awk '{print $4}' | grep -Ev '^(127\.0\.0\.1|\[::1\]|\[::ffff:127\.0\.0\.1\]):' || true)"
    [[ -z "$bad" ]] || svc_die "port $port listens beyond loopback ($bad)"
  done
}

# svc_port_taken PORT — true when something already listens on 127.0.0.1:PORT (or on all addresses).
svc_port_taken() { command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }
