"""Where request bodies too large for memory wait while Django reads them.

An upload in progress is plaintext on disk: a tablet's photo before it is sealed into the
quarantine. So it waits in a private folder (0700) of Waypoint's, not the shared /tmp, and what a
killed process left there is deleted when gunicorn starts (``on_starting`` in
deploy/gunicorn.conf.py). Read from the environment, not Django's settings, because gunicorn's
master process never loads them.
"""

import os
import time
from pathlib import Path

# Longer than any upload can take (gunicorn's timeout is 120 s): a younger file may belong to a
# request another server process on this host is still reading.
STALE_SECONDS = 3600


def upload_temp_dir() -> Path:
    configured = os.environ.get("WAYPOINT_UPLOAD_TEMP_DIR")
    if configured:
        return Path(configured)
    var = os.environ.get("WAYPOINT_VAR_DIR") or str(Path(__file__).resolve().parent.parent / "var")
    return Path(var) / "uploads"


def upload_temp_dir_ready() -> str:
    """The folder, created private if missing (settings call this at start-up)."""
    path = upload_temp_dir()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return str(path)


def stale_uploads_delete(*, now: float | None = None) -> int:
    """Delete partial uploads older than ``STALE_SECONDS``; returns how many."""
    path = upload_temp_dir()
    if not path.is_dir():
        return 0
    cutoff = (now or time.time()) - STALE_SECONDS
    deleted = 0
    for entry in path.iterdir():
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                entry.unlink()
                deleted += 1
        except FileNotFoundError:  # another process got there first
            continue
    return deleted
