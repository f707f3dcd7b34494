#!/usr/bin/env bash
# Waypoint's production topology from plain processes, for hosts without Docker (and for CI's
# smoke test): gunicorn, two Celery workers and Celery beat against PostgreSQL and Redis.
#
#   deploy/local.sh start|stop|status
#
# Configuration comes from the environment (see README, "Configuration"); the defaults below use
# the machine's PostgreSQL (database `waypoint`) and Redis. Processes write their pid and log
# files to $WAYPOINT_RUN_DIR (default var/run).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${WAYPOINT_BIN:-.venv/bin}
RUN=${WAYPOINT_RUN_DIR:-var/run}
PORT=${PORT:-8080}
# How long start waits for every process to write its pid file (seconds).
START_TIMEOUT=${WAYPOINT_START_TIMEOUT:-30}
# How long stop waits for every process to exit (seconds): above gunicorn's 30 s drain.
STOP_TIMEOUT=${WAYPOINT_STOP_TIMEOUT:-40}
NAMES="gunicorn worker1 worker2 beat"
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/waypoint}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}
export DEBUG=${DEBUG:-false}
mkdir -p "$RUN"

running() {
  [ -s "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null
}

# gunicorn (in the background) and Celery's --detach return before the processes write their
# pid files: a start that returned then left stop and status blind to a worker or beat still
# booting, which went on running after stop. Wait until every pid file names a live process.
wait_for_pid_files() {
  local deadline=$((SECONDS + START_TIMEOUT)) missing
  while :; do
    missing=""
    for name in $NAMES; do
      running "$name" || missing="$missing $name"
    done
    [ -z "$missing" ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "Waypoint did not start: no pid file of a running process from$missing after" \
        "${START_TIMEOUT} s (in $RUN); see their logs there. deploy/local.sh stop stops" \
        "the others." >&2
      return 1
    fi
    sleep 0.2
  done
}

start() {
  for name in $NAMES; do
    if running "$name"; then
      echo "$name is already running (pid $(cat "$RUN/$name.pid")); deploy/local.sh stop" \
        "first." >&2
      return 1
    fi
    rm -f "$RUN/$name.pid"  # left by a process that died: it would pass for the new one's
  done
  "$BIN/python" manage.py migrate --no-input >"$RUN/migrate.log"
  "$BIN/python" manage.py collectstatic --no-input -v 0
  # Not --daemon: it sends the processes' stderr to /dev/null, and with it Django's own error
  # log (tracebacks of failed requests). In the background with its output kept instead.
  nohup "$BIN/gunicorn" -c deploy/gunicorn.conf.py --bind "127.0.0.1:$PORT" \
    --pid "$RUN/gunicorn.pid" --access-logfile "$RUN/access.log" --error-logfile - \
    backend.wsgi </dev/null >>"$RUN/gunicorn.log" 2>&1 &
  for n in 1 2; do
    "$BIN/celery" -A backend worker -l info -c 1 -n "worker$n@%h" --detach \
      --pidfile "$RUN/worker$n.pid" --logfile "$RUN/worker$n.log"
  done
  "$BIN/celery" -A backend beat -l info --detach --pidfile "$RUN/beat.pid" \
    --logfile "$RUN/beat.log" --schedule "$RUN/beat-schedule"
  wait_for_pid_files
  for _ in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; then
      echo "Waypoint is ready on http://127.0.0.1:$PORT"
      return 0
    fi
    sleep 0.5
  done
  echo "Waypoint did not become ready; see $RUN/*.log" >&2
  return 1
}

# gunicorn drains its requests for up to 30 s (graceful_timeout) and a worker finishes its
# task: a stop that returned at once let a start right after it run beside them. Signal every
# process, then wait for each to be gone before its pid file goes.
stop() {
  local name pid deadline=$((SECONDS + STOP_TIMEOUT)) left="" pids=""
  for name in $NAMES; do
    if [ -s "$RUN/$name.pid" ]; then
      pid=$(cat "$RUN/$name.pid")
      kill "$pid" 2>/dev/null || true
      pids="$pids $name:$pid"
    else
      rm -f "$RUN/$name.pid"
    fi
  done
  for entry in $pids; do
    name=${entry%%:*} pid=${entry#*:}
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      left="$left $name (pid $pid)"  # its pid file stays: status and a start still see it
    else
      rm -f "$RUN/$name.pid"
    fi
  done
  if [ -n "$left" ]; then
    echo "Still running after ${STOP_TIMEOUT} s:$left; see their logs in $RUN." >&2
    return 1
  fi
}

status() {
  for name in $NAMES; do
    if running "$name"; then
      echo "$name running (pid $(cat "$RUN/$name.pid"))"
    else
      echo "$name stopped"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
