"""A real S3 endpoint for tests of S3-compatible storage: moto in server mode, in its own
process, spoken to by boto3 over HTTP exactly as django-storages speaks to AWS, MinIO or Ceph.

``bucket`` configures ``default_storage`` from WAYPOINT_S3_* variables, as an operator would,
on a fresh bucket; ``load_settings`` runs backend/settings.py afresh under given variables.
"""

import runpy
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import httpx
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from storages.backends.s3 import S3Storage

from tests.live import ROOT, free_port

SETTINGS_FILE = ROOT / "backend" / "settings.py"
PREFIX = "waypoint"
S3_VARIABLES = (
    "WAYPOINT_STORAGE",
    "WAYPOINT_S3_BUCKET",
    "WAYPOINT_S3_ENDPOINT_URL",
    "WAYPOINT_S3_REGION",
    "WAYPOINT_S3_ACCESS_KEY_ID",
    "WAYPOINT_S3_SECRET_ACCESS_KEY",
    "WAYPOINT_S3_SECRET_ACCESS_KEY_FILE",
    "WAYPOINT_S3_PREFIX",
    "WAYPOINT_S3_ADDRESSING_STYLE",
    "WAYPOINT_S3_ACL",
    "WAYPOINT_S3_SERVER_SIDE_ENCRYPTION",
    "WAYPOINT_S3_KMS_KEY_ID",
)


class MotoServer:
    """A local S3 endpoint (``python -m moto.server``) with its state in memory."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> "MotoServer":
        # Output to a file, not a pipe: moto logs every request and a full pipe would block it.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text(errors="replace")[-2000:])
            try:
                if httpx.get(f"{self.url}/moto-api/", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"moto did not answer within 60 s: {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def new_bucket(self) -> str:
        name = f"wp-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log").start()
    yield server
    server.stop()


def load_settings(monkeypatch, tmp_path: Path, **env: str) -> dict:
    """Run backend/settings.py afresh under ``env``, as a new process would see it."""
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WAYPOINT_VAR_DIR", str(tmp_path / "var"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def use_s3(settings, monkeypatch, tmp_path: Path, server: MotoServer, bucket: str) -> None:
    """Configure default_storage from WAYPOINT_S3_* variables, the way an operator would."""
    secret = tmp_path / "s3_secret"
    secret.write_text("testing\n", encoding="utf-8")
    storages = load_settings(
        monkeypatch,
        tmp_path,
        WAYPOINT_S3_BUCKET=bucket,
        WAYPOINT_S3_ENDPOINT_URL=server.url,
        WAYPOINT_S3_REGION="us-east-1",
        WAYPOINT_S3_ACCESS_KEY_ID="testing",
        WAYPOINT_S3_SECRET_ACCESS_KEY_FILE=str(secret),
        WAYPOINT_S3_ADDRESSING_STYLE="path",
        WAYPOINT_S3_PREFIX=PREFIX,
        WAYPOINT_S3_SERVER_SIDE_ENCRYPTION="AES256",
    )["STORAGES"]
    assert isinstance(default_storage, FileSystemStorage)  # instantiated and cached by now
    settings.STORAGES = storages
    # Django's setting_changed handler for STORAGES drops the cached instance (and restores
    # the file system when the test ends).
    assert isinstance(default_storage, S3Storage)


@pytest.fixture
def bucket(settings, monkeypatch, tmp_path, s3_server) -> str:
    name = s3_server.new_bucket()
    use_s3(settings, monkeypatch, tmp_path, s3_server, name)
    return name


def keys(server: MotoServer, bucket: str, prefix: str = "") -> list[str]:
    listed = server.client().list_objects_v2(Bucket=bucket, Prefix=f"{PREFIX}/{prefix}")
    return [entry["Key"] for entry in listed.get("Contents", [])]
