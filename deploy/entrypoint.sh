#!/bin/sh
# The container's roles. Tuned for 2-core hosts; every number can be overridden from the
# environment (see deploy/RUNBOOK.md, "Scaling").
set -eu
role=${1:-web}
shift || true
case "$role" in
  web)
    exec gunicorn -c deploy/gunicorn.conf.py backend.wsgi "$@" ;;
  worker)
    # One prefork child per core; acks_late + prefetch 1 (settings) mean a killed child's task
    # is redelivered, and children are recycled before a slow leak can matter.
    exec celery -A backend worker -l "${LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_CONCURRENCY:-2}" \
      --max-tasks-per-child "${CELERY_MAX_TASKS_PER_CHILD:-1000}" \
      --max-memory-per-child "${CELERY_MAX_MEMORY_PER_CHILD_KB:-524288}" \
      -n "worker-$(hostname)@%h" "$@" ;;
  beat)
    # Exactly one beat per installation: it schedules the sweep and the raw-data purge.
    exec celery -A backend beat -l "${LOG_LEVEL:-INFO}" \
      --schedule "${WAYPOINT_VAR_DIR:-/data/var}/celerybeat-schedule" "$@" ;;
  backup)
    # docker compose -f deploy/compose.yaml run --rm -v /srv/backups:/backups web backup /backups/NAME
    exec deploy/backup.sh "$@" ;;
  restore)
    exec deploy/restore.sh "$@" ;;
  migrate)
    # As the owner role; then (re)grant the application's role its rights, which exclude
    # rewriting the audit trail (deploy/postgres-roles.sql, RUNBOOK.md "Database roles").
    python manage.py migrate --no-input "$@"
    if [ -n "${WAYPOINT_APP_DB_PASSWORD:-}" ]; then
      psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v app_role="${WAYPOINT_APP_DB_ROLE:-waypoint_app}" \
        -v app_password="$WAYPOINT_APP_DB_PASSWORD" -f deploy/postgres-roles.sql
    fi ;;
  manage)
    exec python manage.py "$@" ;;
  *)
    echo "usage: entrypoint.sh web|worker|beat|migrate|manage <command>|backup <dir>|restore <dir>" >&2
    exit 2 ;;
esac
