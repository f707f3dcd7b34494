"""Backup and restore (deploy/backup.sh, deploy/restore.sh; RUNBOOK.md "Backup and restore"):
a National Society that loses its server gets every accepted submission back, attachments
included, readable by the DPO with the same keys, and the audit trail with it."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from lib import crypto
from tests.live import PSQL, ROOT, ServerProcess, free_port, machine_postgres_missing
from tests.samples import PHOTO_FORM, instance_xml
from tests.xlsform import xlsx

pytestmark = [pytest.mark.postgres, pytest.mark.live_server_process, pytest.mark.timeout(300)]
PHOTO = os.urandom(70_000)


@pytest.fixture
def site(tmp_path):
    """Make a fresh installation (database + media folder) with shared keys; dropped after."""
    missing = machine_postgres_missing("pg_dump", "pg_restore", "tar", "sha256sum")
    if missing:
        pytest.skip(missing)
    keys = {
        "WAYPOINT_QUARANTINE_KEYS": crypto.new_quarantine_key(),
        "WAYPOINT_PSEUDONYM_SECRET": uuid.uuid4().hex,
        "SECRET_KEY": uuid.uuid4().hex * 2,
    }
    databases = []

    def make(name: str, *, migrate: bool = True) -> dict:
        database = f"waypoint_restore_{name}_{uuid.uuid4().hex[:8]}"
        subprocess.run([*PSQL, f"CREATE DATABASE {database}"], check=True, capture_output=True)
        databases.append(database)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_")},
            **keys,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "WAYPOINT_VAR_DIR": str(tmp_path / name / "var"),
            "WAYPOINT_MEDIA_ROOT": str(tmp_path / name / "media"),
            "WAYPOINT_ODK_VALIDATE": "false",
            "DEBUG": "false",
        }
        if migrate:
            _manage(env, "migrate", "--no-input")
            Path(env["WAYPOINT_MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
        return env

    yield make
    for database in databases:
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=False)


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _script(name: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "deploy" / name), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_restored_backup_gives_back_submissions_attachments_and_audit(site, tmp_path):
    original = site("original")
    server = ServerProcess(original, free_port()).start()
    try:
        demo = json.loads(_manage(original, "demo", "--json", "--base-url", server.url))
        token = {a["role"]: a["token"] for a in demo["accounts"]}
        project = demo["project_id"]
        uploaded = httpx.post(
            f"{server.url}/api/v1/projects/{project}/forms",
            headers={"Authorization": f"Token {token['form_manager']}"},
            files={"file": ("household.xlsx", xlsx(PHOTO_FORM))},
            timeout=60,
        )
        assert uploaded.status_code == 201, uploaded.text
        xml = instance_xml(instance_id="uuid:backed-up", photo="p.jpg")
        posted = httpx.post(
            f"{demo['device']['server_url']}/submission",
            headers={"X-OpenRosa-Version": "1.0"},
            files={
                "xml_submission_file": ("instance.xml", xml, "text/xml"),
                "p.jpg": ("p.jpg", PHOTO, "image/jpeg"),
            },
            timeout=60,
        )
        assert posted.status_code == 201, posted.text
    finally:
        server.stop()

    backup = tmp_path / "backup"
    made = _script("backup.sh", original, str(backup))
    assert made.returncode == 0, made.stderr
    assert {p.name for p in backup.iterdir()} == {
        "database.dump",
        "media.tar.gz",
        "MANIFEST",
        "SHA256SUMS",
    }
    assert PHOTO[:64] not in (backup / "media.tar.gz").read_bytes()  # files stay sealed

    restored = site("restored", migrate=False)
    done = _script("restore.sh", restored, str(backup))
    assert done.returncode == 0, done.stderr
    _manage(restored, "migrate", "--no-input")  # nothing to apply, but the runbook says to
    assert "nothing left" in _manage(restored, "reseal_quarantine", "--dry-run")

    server = ServerProcess(restored, free_port()).start()
    try:
        base = f"{server.url}/api/v1/projects/{project}/forms/household/submissions/uuid:backed-up"
        dpo = {"Authorization": f"Token {token['dpo']}", "X-Waypoint-Reason": "restore check"}
        assert b"Amina" in httpx.get(f"{base}/xml", headers=dpo).content
        assert httpx.get(f"{base}/attachments/p.jpg", headers=dpo).content == PHOTO
        audit = httpx.get(f"{server.url}/api/v1/projects/{project}/audit", headers=dpo).json()
        reads = [e for e in audit["results"] if e["action"].startswith("raw.read")]
        assert len(reads) == 2  # the audit trail survived and goes on
    finally:
        server.stop()


def test_restore_refuses_a_database_that_is_not_empty(site, tmp_path):
    original = site("busy")
    backup = tmp_path / "backup"
    assert _script("backup.sh", original, str(backup)).returncode == 0

    refused = _script("restore.sh", original, str(backup))

    assert refused.returncode == 2
    assert "restore into an empty one" in refused.stderr


def test_a_damaged_backup_is_refused_before_anything_is_restored(site, tmp_path):
    original = site("damaged")
    backup = tmp_path / "backup"
    assert _script("backup.sh", original, str(backup)).returncode == 0
    with (backup / "database.dump").open("r+b") as dump:
        dump.seek(200)
        dump.write(b"\0" * 16)
    target = site("target", migrate=False)

    refused = _script("restore.sh", target, str(backup))

    assert refused.returncode != 0
    assert "FAILED" in refused.stdout + refused.stderr
    tables = subprocess.run(
        [
            "psql",
            target["DATABASE_URL"],
            "-qtAc",
            "select count(*) from pg_tables where schemaname = 'public'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert tables == "0"  # nothing was restored
    assert not Path(target["WAYPOINT_MEDIA_ROOT"]).exists()


def test_restore_refuses_a_media_folder_that_is_not_empty(site, tmp_path):
    original = site("media")
    (Path(original["WAYPOINT_MEDIA_ROOT"]) / "quarantine").mkdir()
    (Path(original["WAYPOINT_MEDIA_ROOT"]) / "quarantine" / "sealed").write_bytes(b"WPQ1...")
    backup = tmp_path / "backup"
    assert _script("backup.sh", original, str(backup)).returncode == 0
    target = site("busymedia", migrate=False)
    Path(target["WAYPOINT_MEDIA_ROOT"]).mkdir(parents=True)
    (Path(target["WAYPOINT_MEDIA_ROOT"]) / "someone-elses-file").write_bytes(b"x")

    refused = _script("restore.sh", target, str(backup))

    assert refused.returncode == 2
    assert "restore into an empty folder" in refused.stderr


def test_a_backup_without_the_attachment_folder_is_refused(site, tmp_path):
    """A wrong WAYPOINT_MEDIA_ROOT must not make a backup that silently lacks every photo."""
    original = site("nomedia")
    original["WAYPOINT_MEDIA_ROOT"] = str(tmp_path / "not-there")

    refused = _script("backup.sh", original, str(tmp_path / "backup"))

    assert refused.returncode == 2
    assert "no attachment folder" in refused.stderr


def test_backup_files_are_readable_by_their_owner_only(site, tmp_path):
    """A backup holds the audit trail and account data: 0600 files in a 0700 folder, whatever
    the umask of the shell that ran it (it was 0644 before)."""
    env = site("modes")
    backup = tmp_path / "backup-modes"

    made = subprocess.run(
        ["bash", "-c", f"umask 022 && {ROOT / 'deploy' / 'backup.sh'} {backup}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert made.returncode == 0, made.stderr
    assert backup.stat().st_mode & 0o777 == 0o700
    modes = {p.name: p.stat().st_mode & 0o777 for p in backup.iterdir()}
    assert modes
    assert set(modes.values()) == {0o600}, modes
