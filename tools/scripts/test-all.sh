#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, starts the real services the
# tests talk to (loopback only) in the background while it builds, type-checks and lints the
# packages, then runs every test, checks that no test left a table behind, and stops every
# service it started (also on failure or Ctrl-C). Ends with a table of phase and service times.
# README: `bash tools/scripts/test-all.sh` (also `pnpm test`). CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
export SPARKLE_RUN_DIR="${SPARKLE_RUN_DIR:-/tmp/sparkle-run}"
# SPARKLE_TEST_PROJECTS=a,b limits build, checks and tests to those Nx projects (and what they
# depend on); the services, the leftover check and the timings are the same.
only=()
[[ -z "${SPARKLE_TEST_PROJECTS:-}" ]] || only=(--projects="$SPARKLE_TEST_PROJECTS")
started=$(date +%s)
phase_names=()
phase_secs=()
phase_name=""
phase_t0=$started

step() {
  local now
  now=$(date +%s)
  if [[ -n "$phase_name" ]]; then
    phase_names+=("$phase_name")
    phase_secs+=($((now - phase_t0)))
  fi
  phase_name="$1"
  phase_t0=$now
  printf '\n\033[1m== %s\033[0m (+%ss)\n' "$1" "$((now - started))"
}

service_dir="$root/.sparkle-tmp/services"
summary_file="$root/.sparkle-tmp/test-summary.txt"
rm -f "$summary_file"
rm -rf "$service_dir"
mkdir -p "$service_dir"
service_names=()
service_pids=()
services_waited=0

# Every ensure script, each in the background: its progress in <name>.log, its export lines in
# <name>.out, its wall time in <name>.wall, its exit status in <name>.rc.
start_services() {
  local script name
  for script in tools/services/ensure-*.sh packages/*/scripts/ensure-*.sh; do
    [[ -f "$script" ]] || continue
    name="$(basename "$script" .sh)"
    name="${name#ensure-}"
    # A package's own ensure script (not built on lib.sh) may run apt-get: it holds lib.sh's apt
    # lock meanwhile, so that two installs at once do not fail on dpkg's lock.
    local wrap=()
    [[ "$script" == tools/services/* ]] || wrap=(flock -w 900 /tmp/sparkle-ensure-apt.lock)
    # Its own session, so that an early exit can stop the script and its installer as a group.
    setsid bash -c 't0=$(date +%s); "${@:3}" bash "$1" >"$2.out" 2>"$2.log"; rc=$?; echo $(($(date +%s) - t0)) >"$2.wall"; echo $rc >"$2.rc"; exit $rc' \
      _ "$script" "$service_dir/$name" "${wrap[@]}" &
    service_names+=("$name")
    service_pids+=($!)
    echo "-- $script (log: ${service_dir#"$root"/}/$name.log)"
  done
}

# Waits for every ensure script; on a failure prints its log and fails the run.
wait_services() {
  local i failed=0
  for i in "${!service_pids[@]}"; do
    if wait "${service_pids[$i]}"; then
      echo "-- ${service_names[$i]}: ready"
      # Its timings, copied before the tests' own ensure calls overwrite the record.
      cp "$SPARKLE_RUN_DIR/${service_names[$i]}.time" "$service_dir/" 2>/dev/null || true
      # The variables it printed (where the service listens) for the tests.
      # shellcheck disable=SC1090
      source <(grep -E '^export [A-Za-z_][A-Za-z0-9_]*=' "$service_dir/${service_names[$i]}.out" || true)
    else
      failed=1
      : >"$service_dir/${service_names[$i]}.failed"
      echo "-- ${service_names[$i]}: FAILED; its log (${service_dir#"$root"/}/${service_names[$i]}.log):" >&2
      sed 's/^/   | /' "$service_dir/${service_names[$i]}.log" >&2 || true
    fi
  done
  services_waited=1
  ((failed == 0)) || { echo "a service could not be started: see above" >&2; return 1; }
}

print_times() {
  local i name rec state install start wall
  echo
  echo "phase                                  seconds"
  for i in "${!phase_names[@]}"; do printf '%-38s %7s\n' "${phase_names[$i]}" "${phase_secs[$i]}"; done
  # The phase that was running when the run ended (all of them but "done" on success).
  [[ "$phase_name" == done ]] || printf '%-38s %7s\n' "$phase_name (ended here)" "$(($(date +%s) - phase_t0))"
  printf '%-38s %7s\n' "total" "$(($(date +%s) - started))"
  ((${#service_names[@]})) || return 0
  echo
  echo "service            state      install s  start s   wall s"
  for name in "${service_names[@]}"; do
    state="-" install="-" start="-" wall="-"
    [[ -f "$service_dir/$name.wall" ]] && wall="$(cat "$service_dir/$name.wall")"
    rec="$service_dir/$name.time"
    if [[ -f "$rec" ]]; then
      state="$(sed -n 's/.*state=\([^ ]*\).*/\1/p' "$rec")"
      install="$(sed -n 's/.*install=\([^ ]*\).*/\1/p' "$rec")"
      start="$(sed -n 's/.*start=\([^ ]*\).*/\1/p' "$rec")"
    elif ((services_waited)) && [[ -f "$service_dir/$name.wall" ]]; then
      state="ok"
    fi
    [[ -f "$service_dir/$name.failed" ]] && state="FAILED"
    printf '%-18s %-10s %9s %8s %8s\n' "$name" "$state" "$install" "$start" "$wall"
  done
}

# Runs a phase's command in the background and waits for it: bash runs a trap only between
# commands, so a TERM or Ctrl-C during a long foreground command would wait for its end.
fg_pid=""
run() {
  "$@" &
  fg_pid=$!
  wait "$fg_pid"
  local rc=$?
  fg_pid=""
  return $rc
}

# On any exit: stop the phase and the ensure scripts still running, then every service they started.
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  set +e
  if [[ -n "$fg_pid" ]] && kill -0 "$fg_pid" 2>/dev/null; then
    echo "stopping the running phase (pid $fg_pid)" >&2
    pkill -TERM -P "$fg_pid" 2>/dev/null
    kill -TERM "$fg_pid" 2>/dev/null
    timeout 30 tail --pid="$fg_pid" -f /dev/null 2>/dev/null || kill -KILL "$fg_pid" 2>/dev/null
  fi
  if [[ -n "${typecheck_pid:-}" ]] && kill -0 "$typecheck_pid" 2>/dev/null; then kill -TERM -- "-$typecheck_pid" 2>/dev/null; fi
  if ((!services_waited)); then
    for pid in "${service_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    for pid in "${service_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
  echo
  echo "== stopping the services this run started"
  bash tools/services/stop-all.sh || { echo "stop-all.sh could not stop everything (see above)" >&2; rc=1; }
  print_times
  # The test count stays the closing line.
  [[ -s "$summary_file" ]] && { echo; tail -n 1 "$summary_file"; }
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "services (started in the background)"
start_services

step "toolchain and dependencies"
source tools/scripts/bootstrap.sh
node --version; pnpm --version
run env CI=true pnpm install --frozen-lockfile

step "build, with the type check beside it"
# The type check reads only sources (tools/scripts/typecheck-all.mjs), so it runs while the
# packages build; its declarations go into each dist once the builds (which empty dist) are done.
projects_arg=()
[[ -z "${SPARKLE_TEST_PROJECTS:-}" ]] || projects_arg=(--projects="$SPARKLE_TEST_PROJECTS")
typecheck_log="$root/.sparkle-tmp/typecheck.log"
typecheck_pid=""
# Its own session, so that an early exit stops it and the tsc it runs together.
setsid node tools/scripts/typecheck-all.mjs --emit-declarations --no-install "${projects_arg[@]}" >"$typecheck_log" 2>&1 &
typecheck_pid=$!
run pnpm exec nx run-many -t build "${only[@]}" --parallel=2 --outputStyle=stream-without-prefixes

# A service that has already failed fails the run now rather than after the checks.
for name in "${service_names[@]}"; do
  if [[ -s "$service_dir/$name.rc" && "$(cat "$service_dir/$name.rc")" != 0 ]]; then wait_services; fi
done

step "typecheck (one program, which also writes the declarations) and package lint"
typecheck_rc=0
wait "$typecheck_pid" || typecheck_rc=$?
cat "$typecheck_log"
((typecheck_rc == 0)) || { echo "the type check failed (above)" >&2; exit 1; }
run node tools/scripts/typecheck-all.mjs --install-declarations "${projects_arg[@]}"
run node tools/scripts/lint-all.mjs "${projects_arg[@]}"

step "waiting for the services"
wait_services

step "tests"
tables_before="$(bash tools/scripts/list-test-tables.sh)"
report_dir="$root/.sparkle-tmp/test-reports"
rm -rf "$report_dir"; mkdir -p "$report_dir"
set +e
# `test` is not cacheable (nx.json), so every package's tests run. The builds they depend on were
# done above; they are not run again (--excludeTaskDependencies), because Nx would "restore" each
# dist from its cache and so drop the declarations the type check installed there.
run env SPARKLE_TEST_REPORT_DIR="$report_dir" pnpm exec nx run-many -t test "${only[@]}" --excludeTaskDependencies --parallel=2 --outputStyle=stream
status=$?
set -e

step "node 22 (the oldest supported): demo and core's unit tests"
set +e
if [[ -z "${SPARKLE_TEST_PROJECTS:-}" ]]; then
  run env SPARKLE_TEST_REPORT_DIR="$report_dir" bash tools/scripts/test-node22.sh || status=1
else
  echo "skipped: SPARKLE_TEST_PROJECTS limits this run"
fi
set -e
node tools/scripts/summarize-tests.mjs "$report_dir" >"$summary_file" || status=1
cat "$summary_file"

step "leftover tables"
leftovers="$(comm -13 <(printf '%s\n' "$tables_before") <(bash tools/scripts/list-test-tables.sh) | sed '/^$/d')"
if [[ -n "$leftovers" ]]; then
  echo "the tests left these tables behind (drop them in the test's afterAll):" >&2
  sed 's/^/  /' <<<"$leftovers" >&2
  status=1
else
  echo "none"
fi
already="$(sed '/^$/d' <<<"$tables_before" | wc -l)"
((already == 0)) || echo "($already tables were there before the tests and are not counted: bash tools/scripts/list-test-tables.sh)"
step "done"
exit $status
