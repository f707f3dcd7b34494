"""The container files (deploy/Dockerfile, compose.yaml, entrypoint.sh, env.example) cannot be
built on a machine without a Docker daemon, so what they rely on is checked here: the image's
wheel carries every template and static file, every compose role exists, and the settings an
operator fills in from env.example pass Django's deployment checks."""

import base64
import os
import re
import secrets
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.live import ROOT

DEPLOY = ROOT / "deploy"


def test_every_compose_service_runs_a_role_the_entrypoint_knows():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    roles = set(re.findall(r"^  (\w+)\)", (DEPLOY / "entrypoint.sh").read_text(), re.M))
    images = {name for name, s in compose["services"].items() if "build" in s or "image" in s}
    ours = {name: s for name, s in compose["services"].items() if "command" in s}
    assert {"web", "worker", "beat", "migrate"} <= images
    for name, service in ours.items():
        if name in {"redis"}:
            continue
        assert service["command"][0] in roles, name
    assert compose["services"]["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_the_image_wheel_carries_every_template_and_static_file(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("waypoint-*.whl"))
    packaged = set(zipfile.ZipFile(wheel).namelist())
    needed = {
        str(path.relative_to(ROOT))
        for package in ("backend", "forms", "sync")
        for path in (ROOT / package).rglob("*")
        if path.is_file() and path.suffix not in {".pyc"} and "__pycache__" not in path.parts
    }
    assert needed - packaged == set()


def _filled_env_example() -> dict:
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        "WAYPOINT_APP_DB_PASSWORD": secrets.token_urlsafe(16),
        "WAYPOINT_QUARANTINE_KEYS": base64.b64encode(secrets.token_bytes(32)).decode(),
        "WAYPOINT_PSEUDONYM_SECRET": secrets.token_urlsafe(32),
    }
    values = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value or generated[name]
    return values


@pytest.mark.timeout(120)
def test_settings_from_env_example_pass_the_deployment_checks(tmp_path):
    """What the runbook's install step produces is a production configuration Django accepts."""
    env_file = _filled_env_example()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}},
        **env_file,
        "WAYPOINT_ENV": "production",
        # What compose.yaml sets beside the env file (check --deploy does not connect).
        "DATABASE_URL": f"postgres://waypoint:{env_file['POSTGRES_PASSWORD']}@postgres:5432/waypoint",
        "WAYPOINT_VAR_DIR": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    env.pop("DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' setting, never production's

    checked = subprocess.run(
        [str(DEPLOY / "entrypoint.sh"), "manage", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout


def test_entrypoint_refuses_an_unknown_role():
    refused = subprocess.run(
        [str(DEPLOY / "entrypoint.sh"), "webserver"], capture_output=True, text=True, timeout=30
    )
    assert refused.returncode == 2
    assert "usage" in refused.stderr


def test_the_image_copies_every_package_the_wheel_is_built_from():
    """The image builds its wheel from the folders it copies: a package left out (as lib/,
    audit/, accounts/, privacy/ and results/ once were) installs an image that cannot start."""
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"][
        "find"
    ]["include"]
    copied = set(re.findall(r"^COPY (\w+) \1$", (DEPLOY / "Dockerfile").read_text(), re.M))
    assert {name.rstrip("*") for name in listed} <= copied


def test_the_image_carries_the_translations_where_settings_look_for_them():
    """Review finding: the image copied no locale/, so French, Spanish, Arabic and Ukrainian
    pages fell back to English in production, silently."""
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^COPY .*\blocale locale$", dockerfile, re.M)
    assert "WAYPOINT_LOCALE_DIR=/app/locale" in dockerfile
    assert list((ROOT / "locale").glob("*/LC_MESSAGES/django.mo"))
