"""Settings read from the environment: CI exercises the real components the design names, not
the embedded defaults; a yes/no setting refuses a value it does not know; a secret can come from a
file."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from backend.env import MissingSetting, env_bool, env_required, env_str
from tests.live import ROOT, embedded_env


@pytest.mark.django_db
@pytest.mark.skipif(os.environ.get("CI") != "true", reason="only CI promises PostgreSQL")
def test_ci_runs_against_postgresql():
    assert connection.vendor == "postgresql", "CI fell back to SQLite: is DATABASE_URL set?"


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " On "])
def test_env_bool_reads_the_yes_words(monkeypatch, value):
    monkeypatch.setenv("WAYPOINT_FLAG", value)
    assert env_bool("WAYPOINT_FLAG", default=False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "Off"])
def test_env_bool_reads_the_no_words(monkeypatch, value):
    monkeypatch.setenv("WAYPOINT_FLAG", value)
    assert env_bool("WAYPOINT_FLAG", default=True) is False


@pytest.mark.parametrize("value", ["ture", "flase", "2", "enabled", "y", "-"])
def test_env_bool_refuses_a_value_it_does_not_know(monkeypatch, value):
    """A typo must not quietly turn a setting off (or on)."""
    monkeypatch.setenv("SECURE_SSL_REDIRECT", value)
    with pytest.raises(MissingSetting, match=r"SECURE_SSL_REDIRECT must be one of .*got") as error:
        env_bool("SECURE_SSL_REDIRECT", default=True)
    assert repr(value) in str(error.value)


@pytest.mark.parametrize("value", [None, ""])
def test_env_bool_unset_or_empty_is_the_default(monkeypatch, value):
    monkeypatch.delenv("WAYPOINT_FLAG", raising=False)
    if value is not None:
        monkeypatch.setenv("WAYPOINT_FLAG", value)
    assert env_bool("WAYPOINT_FLAG", default=True) is True
    assert env_bool("WAYPOINT_FLAG", default=False) is False


def test_a_secret_is_read_from_the_file_its_FILE_variable_names(monkeypatch, tmp_path):
    secret = tmp_path / "pseudonym_secret"
    secret.write_text("from the secret store\n", encoding="utf-8")
    monkeypatch.delenv("WAYPOINT_PSEUDONYM_SECRET", raising=False)
    monkeypatch.setenv("WAYPOINT_PSEUDONYM_SECRET_FILE", str(secret))
    assert env_str("WAYPOINT_PSEUDONYM_SECRET") == "from the secret store"
    assert env_required("WAYPOINT_PSEUDONYM_SECRET", because="here") == "from the secret store"


def test_an_unreadable_FILE_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "absent"))
    with pytest.raises(MissingSetting, match=r"SECRET_KEY_FILE names .*absent.*cannot be read"):
        env_str("SECRET_KEY")


def test_a_required_setting_names_itself_and_its_FILE_alternative(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    with pytest.raises(MissingSetting) as error:
        env_required("SECRET_KEY", because="in production (WAYPOINT_ENV=production)")
    assert str(error.value) == (
        "SECRET_KEY is required in production (WAYPOINT_ENV=production): set SECRET_KEY, "
        "or SECRET_KEY_FILE to a file holding it."
    )


@pytest.mark.parametrize("name", ["DEBUG", "WAYPOINT_ODK_VALIDATE"])
def test_a_yes_no_typo_stops_start_up(tmp_path, name):
    """In development too: the process does not start, and says which setting is wrong."""
    env = {**embedded_env(tmp_path), name: "ture"}
    started = subprocess.run(
        [sys.executable, "-c", "import backend.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert f"MissingSetting: {name} must be one of 1/0, true/false" in started.stderr
