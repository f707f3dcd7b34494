"""Where request bodies too large for memory wait while Django reads them.

An upload in progress is plaintext on disk: a tablet's photo before it is sealed into the
quarantine. So it waits in a private folder (0700) of Waypoint's, not the shared /tmp. Under
gunicorn each worker process gets a folder of its own, which the master deletes as soon as the
worker exits, killed or not (``post_fork`` and ``child_exit`` in deploy/gunicorn.conf.py), and
leftovers of a master that died too are deleted when gunicorn starts. Read from the
environment, not Django's settings, because gunicorn's master process never loads them.
"""

import os
import shutil
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


def worker_upload_dir(pid: int) -> Path:
    return upload_temp_dir() / f"worker-{pid}"


def worker_upload_dir_use(pid: int) -> None:
    """In a freshly forked worker, before Django loads: its uploads go to its own folder."""
    os.environ["WAYPOINT_UPLOAD_TEMP_DIR"] = str(worker_upload_dir(pid))


def worker_upload_dir_delete(pid: int) -> None:
    """In the master, when a worker has exited: what it was receiving is gone with it."""
    shutil.rmtree(worker_upload_dir(pid), ignore_errors=True)


def stale_uploads_delete(*, now: float | None = None) -> int:
    """Delete partial uploads (files, and workers' folders) older than ``STALE_SECONDS``."""
    path = upload_temp_dir()
    if not path.is_dir():
        return 0
    cutoff = (now or time.time()) - STALE_SECONDS
    deleted = 0
    for entry in path.iterdir():
        try:
            if entry.stat().st_mtime >= cutoff:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
            deleted += 1
        except FileNotFoundError:  # another process got there first
            continue
    return deleted
