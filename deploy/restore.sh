#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database and media folder.
#
#   DATABASE_URL=postgres://…/waypoint_restored WAYPOINT_MEDIA_ROOT=/data/media \
#     deploy/restore.sh /backups/2026-11-27
#
# Then start Waypoint with the SAME keys as when the backup was made, run
# `manage.py migrate` (a newer release may have migrations to apply) and
# `manage.py reseal_quarantine --dry-run` (counts blobs not under the current key; a blob no
# configured key opens makes `reseal_quarantine` stop with an error naming the problem).
set -euo pipefail
backup=${1:?usage: restore.sh <backup directory>}
: "${DATABASE_URL:?DATABASE_URL must name the (empty) database to restore into}"
media=${WAYPOINT_MEDIA_ROOT:-var/media}

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
tables=$(psql "$DATABASE_URL" -qtAc "select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "restore.sh: the target database already has $tables tables; restore into an empty one" >&2
  exit 2
fi
if [ -f "$backup/media.tar.gz" ] && [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  echo "restore.sh: $media is not empty; restore into an empty folder" >&2
  exit 2
fi
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" \
  "$backup/database.dump"
if [ -f "$backup/media.tar.gz" ]; then
  mkdir -p "$media"
  tar --extract --gzip --file "$backup/media.tar.gz" --directory "$media"
fi
echo "Restored $(grep created "$backup/MANIFEST") into the database and $media"
