"""A tablet's photo being uploaded is plaintext on disk until it is sealed: it waits in a private
folder of Waypoint's, never the shared /tmp, and what a killed worker left there is deleted when
the server starts (found by the killed-mid-upload fault test)."""

import os
import stat
import tempfile
import time
from pathlib import Path

from django.conf import settings

from lib.uploads import upload_temp_dir
from tests.live import ROOT, ServerProcess, embedded_env, free_port


def test_uploads_wait_in_a_private_folder():
    """Django's default would be the shared temporary folder; Waypoint's is its own, 0700.
    (Wherever the repository is cloned: a checkout under /tmp is still Waypoint's folder.)"""
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert folder.is_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder == upload_temp_dir()
    assert folder.resolve() != Path(tempfile.gettempdir()).resolve()


def test_uploads_folder_is_under_waypoints_var_folder_unless_configured(monkeypatch, tmp_path):
    """Operators move it with WAYPOINT_VAR_DIR or WAYPOINT_UPLOAD_TEMP_DIR; by default it is
    var/uploads of the installation, never a folder other programs share."""
    monkeypatch.delenv("WAYPOINT_UPLOAD_TEMP_DIR", raising=False)
    monkeypatch.delenv("WAYPOINT_VAR_DIR", raising=False)
    assert upload_temp_dir() == ROOT / "var" / "uploads"

    monkeypatch.setenv("WAYPOINT_VAR_DIR", str(tmp_path / "var"))
    assert upload_temp_dir() == tmp_path / "var" / "uploads"

    monkeypatch.setenv("WAYPOINT_UPLOAD_TEMP_DIR", str(tmp_path / "private"))
    assert upload_temp_dir() == tmp_path / "private"


def test_server_start_deletes_partial_uploads_a_killed_worker_left(tmp_path):
    uploads = tmp_path / "var" / "uploads"
    uploads.mkdir(parents=True)
    stale, fresh = uploads / "worker-4242" / "tmpab12.upload.jpg", uploads / "tmpcd34.upload.jpg"
    stale.parent.mkdir()
    stale.write_bytes(b"\xff\xd8 half a photo of a passport")
    fresh.write_bytes(b"\xff\xd8 an upload still in progress elsewhere")
    two_hours_ago = time.time() - 7200
    os.utime(stale.parent, (two_hours_ago, two_hours_ago))

    server = ServerProcess(embedded_env(tmp_path / "var"), free_port()).start()
    server.stop()

    assert not stale.parent.exists()  # a folder of a worker of a master that died too
    assert fresh.exists()
    assert not list(uploads.glob("worker-*"))  # the server's own workers' folders went with them
