#!/usr/bin/env bash
# Stops every service that a tools/services/ensure-<name>.sh started, as recorded in
# ${SPARKLE_RUN_DIR:-/tmp/sparkle-run}, and clears the records. Services that were already
# running before an ensure script ran have no record and are left alone.
#
# For each <name>: <name>.pid (a process group the script spawned) gets TERM, up to
# SPARKLE_STOP_TIMEOUT seconds (default 20) to exit, then KILL; then <name>.stop (a bash script,
# e.g. `pg_ctlcluster 15 main stop`) runs, bounded by the same timeout plus a KILL. Its .env and
# .time records go too. Exit status 1 when something could not be stopped.
set -uo pipefail

run_dir="${SPARKLE_RUN_DIR:-/tmp/sparkle-run}"
timeout_s="${SPARKLE_STOP_TIMEOUT:-20}"
[[ -d "$run_dir" ]] || exit 0
status=0

alive() { kill -0 "$1" 2>/dev/null; }
# After KILL: a zombie (killed, its adopting parent has not reaped it yet) counts as stopped.
zombie() { [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" == Z ]]; }

# svc_spawn starts servers with setsid, so a recorded pid normally leads its own process group:
# then the whole group is signalled (a server's workers too), else the process alone.
stop_pid() {
  local name="$1" pid="$2" waited=0 target
  alive "$pid" || return 0
  target="$pid"
  [[ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" == "$pid" ]] && target="-$pid"
  echo "stop-all: $name: TERM pid $pid" >&2
  kill -TERM -- "$target" 2>/dev/null
  while alive "$pid" && ((waited < timeout_s * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if alive "$pid"; then
    echo "stop-all: $name: still running after ${timeout_s}s, KILL" >&2
    kill -KILL -- "$target" 2>/dev/null
    waited=0
    while alive "$pid" && ! zombie "$pid" && ((waited < 50)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if alive "$pid" && ! zombie "$pid"; then
      echo "stop-all: $name: pid $pid survived KILL" >&2
      return 1
    fi
  fi
  # Whatever the group left behind (a worker that ignored TERM) goes too.
  [[ "$target" == -* ]] && kill -KILL -- "$target" 2>/dev/null
  return 0
}

shopt -s nullglob
names=()
for record in "$run_dir"/*.pid "$run_dir"/*.stop; do
  name="$(basename "$record")"
  name="${name%.*}"
  [[ " ${names[*]} " == *" $name "* ]] || names+=("$name")
done

for name in "${names[@]}"; do
  ok=1
  if [[ -f "$run_dir/$name.pid" ]]; then
    pid="$(tr -dc '0-9' <"$run_dir/$name.pid")"
    if [[ -n "$pid" ]] && ! stop_pid "$name" "$pid"; then ok=0; fi
  fi
  if [[ -f "$run_dir/$name.stop" ]]; then
    echo "stop-all: $name: running $name.stop" >&2
    if ! timeout -k 5 "$timeout_s" bash "$run_dir/$name.stop" >&2; then
      echo "stop-all: $name: $run_dir/$name.stop failed" >&2
      ok=0
    fi
  fi
  if ((ok)); then
    rm -f "$run_dir/$name.pid" "$run_dir/$name.stop" "$run_dir/$name.env" "$run_dir/$name.time"
    echo "stop-all: $name: stopped" >&2
  else
    status=1
  fi
done
# What was only read (env and timings of services this suite did not start) goes as well.
if ((status == 0)); then rm -f "$run_dir"/*.env "$run_dir"/*.time; fi
exit $status
