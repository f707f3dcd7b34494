"""Sessions end after 30 idle minutes (a DPO's browser left open); the development database and
secret key are the owner's only; access logs never carry a DPO's reason for a raw read."""

import stat
import subprocess
import sys
import time

import pytest

from backend.idle_sessions import SEEN_KEY
from backend.logs import mask
from tests.live import ROOT, embedded_env

pytestmark = pytest.mark.django_db


def test_a_session_idle_past_the_limit_is_signed_out(client, dpo, settings):
    settings.WAYPOINT_SESSION_IDLE_SECONDS = 1800
    client.force_login(dpo)
    assert client.get("/accounts/tokens/").status_code == 200
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 1801
    session.save()

    response = client.get("/accounts/tokens/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_active_session_stays(client, dpo):
    client.force_login(dpo)
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 600
    session.save()

    assert client.get("/accounts/tokens/").status_code == 200


def test_reasons_for_raw_reads_are_masked_in_logs():
    line = "GET /api/v1/projects/1/forms/f/submissions/uuid:1/xml?reason=call+Amina+back HTTP/1.1"

    assert "Amina" not in mask(line)
    assert "reason=***" in mask(line)


def test_the_development_database_and_secret_key_are_owner_only(tmp_path):
    code = "import django; django.setup()"
    done = subprocess.run(
        ["bash", "-c", f"umask 022 && {sys.executable} -c '{code}'"],
        cwd=ROOT,
        env=embedded_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("secret_key", "waypoint.sqlite3"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
