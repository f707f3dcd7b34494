#!/usr/bin/env bash
# Back up Waypoint: the database (pg_dump custom format) and the attachment files.
#
#   DATABASE_URL=postgres://… WAYPOINT_MEDIA_ROOT=/data/media deploy/backup.sh /backups/2026-11-27
#
# The database is dumped FIRST, the files second: every attachment the dump refers to was written
# (and fsynced) before its row committed, so it is in the archive; files that arrive during the
# backup are extra, never missing. A backup is useless without the keys (WAYPOINT_QUARANTINE_KEYS,
# WAYPOINT_PSEUDONYM_SECRET, SECRET_KEY), which are deliberately NOT in it: keep them in the
# password safe, apart from the backups. With S3 storage, only the database is dumped here; the
# bucket is backed up by its own versioning/replication (RUNBOOK.md, "Backup and restore").
set -euo pipefail
# The dump holds raw submissions' metadata, hashed credentials and the audit trail: every file
# is written readable by the backup's owner only (0600, in a 0700 folder), whatever the umask.
umask 077
out=${1:?usage: backup.sh <empty or new directory>}
: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
media=${WAYPOINT_MEDIA_ROOT:-var/media}
mkdir -p "$out"
chmod 700 "$out"
if [ -n "$(ls -A "$out")" ]; then
  echo "backup.sh: $out is not empty; give a new directory for each backup" >&2
  exit 2
fi

# The same rule as backend/settings.py: a bucket name means S3 unless said otherwise.
storage=${WAYPOINT_STORAGE:-$([ -n "${WAYPOINT_S3_BUCKET:-}" ] && echo s3 || echo filesystem)}
if [ "$storage" = "filesystem" ] && [ ! -d "$media" ]; then
  echo "backup.sh: no attachment folder at $media; set WAYPOINT_MEDIA_ROOT" >&2
  exit 2
fi

pg_dump --format=custom --no-owner --no-privileges --file "$out/database.dump" "$DATABASE_URL"
if [ "$storage" = "filesystem" ]; then
  # Files purged or re-sealed while tar reads are expected: tar says so with status 1.
  status=0
  tar --create --gzip --file "$out/media.tar.gz" --directory "$media" \
    --warning=no-file-removed --warning=no-file-changed . || status=$?
  if [ "$status" -gt 1 ]; then
    echo "backup.sh: archiving $media failed (tar status $status)" >&2
    exit "$status"
  fi
fi
{
  echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "storage=$storage"
  echo "migrations=$(psql "$DATABASE_URL" -qtAc "select max(id) from django_migrations")"
} >"$out/MANIFEST"
(cd "$out" && sha256sum database.dump $( [ -f media.tar.gz ] && echo media.tar.gz ) >SHA256SUMS)
chmod 600 "$out"/*
echo "Backup written to $out: $(du -sh "$out" | cut -f1)"
