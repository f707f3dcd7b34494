"""Attachments on S3-compatible storage: a deployment configured only through WAYPOINT_S3_*
variables keeps quarantine files sealed in the bucket, lets the DPO read them back, purges them,
serves form media to devices, and reports the store in the readiness check.

The bucket is a real S3 endpoint: moto in server mode, in its own process, spoken to by boto3
over HTTP exactly as django-storages speaks to AWS, MinIO or Ceph.
"""

import runpy
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path

import boto3
import httpx
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from storages.backends.s3 import S3Storage

from audit.models import AuditEvent
from backend.env import MissingSetting
from forms.services import form_upload
from lib import crypto
from privacy import services as privacy_services
from privacy.models import AnonymisedRecord
from sync.models import Attachment, Submission
from tests.live import free_port
from tests.privacy.conftest import privacy_form, privacy_instance  # noqa: F401 - fixture
from tests.sync.conftest import device_url, submit  # noqa: F401 - the device-submission fixture
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "backend" / "settings.py"
PREFIX = "waypoint"
# Bytes a photo might hold; if they show up in the bucket, the quarantine is not sealed.
PHOTO = b"\xff\xd8\xff\xe0 JFIF photo of Ahmad Karimi's residence permit " * 40
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


# Configuration


def test_without_configuration_files_stay_on_the_file_system(monkeypatch, tmp_path):
    """`make run` needs no bucket: attachments and media live under MEDIA_ROOT."""
    storages = load_settings(monkeypatch, tmp_path)["STORAGES"]

    assert storages["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedStaticFilesStorage"


def test_s3_settings_come_from_the_environment_and_secret_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-mounted-secret\n", encoding="utf-8")

    storages = load_settings(
        monkeypatch,
        tmp_path,
        WAYPOINT_S3_BUCKET="attachments",
        WAYPOINT_S3_ENDPOINT_URL="https://s3.example.org",
        WAYPOINT_S3_REGION="eu-central-1",
        WAYPOINT_S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        WAYPOINT_S3_SECRET_ACCESS_KEY_FILE=str(secret),
        WAYPOINT_S3_PREFIX="prod",
        WAYPOINT_S3_ADDRESSING_STYLE="virtual",
        WAYPOINT_S3_SERVER_SIDE_ENCRYPTION="aws:kms",
        WAYPOINT_S3_KMS_KEY_ID="alias/waypoint",
    )["STORAGES"]

    default = storages["default"]
    options = default["OPTIONS"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "attachments",
        "https://s3.example.org",
        "eu-central-1",
    )
    assert (options["access_key"], options["secret_key"]) == (
        "AKIAEXAMPLE",
        "from-a-mounted-secret",
    )
    assert options["location"] == "prod"
    assert options["client_config"].s3 == {"addressing_style": "virtual"}
    assert options["object_parameters"] == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": "alias/waypoint",
    }
    assert options["file_overwrite"] is False  # see test_replacing_form_media_on_s3
    assert options["default_acl"] is None  # private: no ACL header, the bucket owner's only
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedStaticFilesStorage"


@pytest.mark.parametrize(
    ("env", "message"),
    [({"WAYPOINT_STORAGE": "s3"}, "WAYPOINT_S3_BUCKET"), ({"WAYPOINT_STORAGE": "ftp"}, "ftp")],
)
def test_incomplete_storage_configuration_fails_at_start_up(monkeypatch, tmp_path, env, message):
    with pytest.raises(MissingSetting, match=message):
        load_settings(monkeypatch, tmp_path, **env)


# Quarantine


@pytest.fixture
def submitted(bucket, submit, privacy_form, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(privacy_instance("uuid:s3", photo="face.jpg"), {"face.jpg": PHOTO})
    assert response.status_code == 201, response.content
    return Submission.objects.get(instance_id="uuid:s3")


def test_submitted_attachment_is_sealed_in_the_bucket(s3_server, bucket, submitted, project):
    name = submitted.attachments.get().file.name

    assert name.startswith(f"quarantine/{project.pk}/")
    assert keys(s3_server, bucket, "quarantine/") == [f"{PREFIX}/{name}"]
    stored = s3_server.client().get_object(Bucket=bucket, Key=f"{PREFIX}/{name}")
    blob = stored["Body"].read()
    assert PHOTO not in blob
    assert b"Ahmad" not in blob
    assert len(blob) > len(PHOTO)  # nonce and tag around the ciphertext
    assert stored["ServerSideEncryption"] == "AES256"
    # Private: an unsigned request for the object is refused.
    assert httpx.get(f"{s3_server.url}/{bucket}/{PREFIX}/{name}", timeout=10).status_code == 403


def test_dpo_reads_the_original_attachment_from_the_bucket(api, project, dpo, submitted):
    response = api.as_user(dpo).get(
        f"/api/v1/projects/{project.pk}/forms/privacy_test/submissions/uuid:s3"
        "/attachments/face.jpg?reason=checking+the+photo"
    )

    assert response.status_code == 200
    assert response.content == PHOTO
    event = AuditEvent.objects.get(action="raw.read_attachment")
    assert (event.actor, event.reason) == (dpo, "checking the photo")


def test_raw_purge_deletes_the_attachment_from_the_bucket(
    s3_server, bucket, submitted, django_capture_on_commit_callbacks
):
    AnonymisedRecord.objects.filter(submission=submitted).update(
        released_at=timezone.now() - timedelta(days=31)
    )
    assert keys(s3_server, bucket, "quarantine/")

    with django_capture_on_commit_callbacks(execute=True):
        purged = privacy_services.raw_purge_due()

    assert purged == 1
    assert not Attachment.objects.exists()
    assert keys(s3_server, bucket, "quarantine/") == []


def test_key_rotation_reseals_the_object_in_place(
    s3_server,
    bucket,
    settings,
    api,
    project,
    dpo,
    submit,  # noqa: F811 - the fixture imported above
    privacy_form,  # noqa: F811
):
    """After `reseal_quarantine` the old key can go: the object keeps its key, with new bytes."""
    old = crypto.new_quarantine_key()
    settings.WAYPOINT_QUARANTINE_KEYS = old
    response = submit(privacy_instance("uuid:rotate", photo="face.jpg"), {"face.jpg": PHOTO})
    assert response.status_code == 201
    [key] = keys(s3_server, bucket, "quarantine/")
    sealed_before = s3_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()

    new = crypto.new_quarantine_key()
    settings.WAYPOINT_QUARANTINE_KEYS = f"{new},{old}"
    call_command("reseal_quarantine", stdout=StringIO())
    settings.WAYPOINT_QUARANTINE_KEYS = new  # the old key is gone

    assert keys(s3_server, bucket, "quarantine/") == [key]
    assert s3_server.client().get_object(Bucket=bucket, Key=key)["Body"].read() != sealed_before
    response = api.as_user(dpo).get(
        f"/api/v1/projects/{project.pk}/forms/privacy_test/submissions/uuid:rotate"
        "/attachments/face.jpg?reason=after+rotation"
    )
    assert response.content == PHOTO


# Form media

MEDIA_FORM = {
    "survey": [
        ["type", "name", "label", "privacy"],
        ["select_one_from_file places.csv", "place", "Where are you?", "quasi"],
    ],
    "settings": [["form_id", "version"], ["media_form", "1"]],
}


def test_replacing_form_media_on_s3_serves_the_new_file_to_devices(
    s3_server,
    bucket,
    api,
    client,
    project,
    form_manager,
    device,
    settings,
    django_capture_on_commit_callbacks,
):
    """A new upload of a name replaces the old file and deletes it, never the new one."""
    settings.WAYPOINT_ODK_VALIDATE = "false"
    form_upload(project=project, filename="m.xlsx", data=xlsx(MEDIA_FORM))
    url = f"/api/v1/projects/{project.pk}/forms/media_form/versions/1/media"
    manager = api.as_user(form_manager)
    for csv in (b"name,label\na,A\n", b"name,label\nlampedusa,Lampedusa\n"):
        with django_capture_on_commit_callbacks(execute=True):
            response = manager.post(
                url, {"file": SimpleUploadedFile("places.csv", csv)}, format="multipart"
            )
        assert response.status_code == 201, response.content

    download = client.get(device_url(device, "forms/media_form/attachments/places.csv"))

    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"name,label\nlampedusa,Lampedusa\n"
    assert download["Content-Length"] == str(len(b"name,label\nlampedusa,Lampedusa\n"))
    assert len(keys(s3_server, bucket, f"form-media/{project.pk}/")) == 1  # the old file is gone


# Readiness


def test_readiness_writes_and_removes_a_probe_object_on_s3(client, s3_server, bucket, monkeypatch):
    from django.core.files.storage import default_storage

    written = []

    class Recording:
        """The configured storage, noting what the bucket held right after each save."""

        def save(self, name, content, **kwargs):
            stored = default_storage.save(name, content, **kwargs)
            written.append((stored, keys(s3_server, bucket)))
            return stored

        def delete(self, name):
            default_storage.delete(name)

    monkeypatch.setattr("backend.health.default_storage", Recording())

    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["storage"] == "ok"
    [(name, present)] = written
    assert name.startswith("health/")
    assert any(key.endswith(name) for key in present)  # the probe really reached the bucket
    assert keys(s3_server, bucket) == []  # and cleaned up after itself


def test_readiness_fails_when_the_s3_endpoint_goes_down(client, settings, monkeypatch, tmp_path):
    server = MotoServer(tmp_path / "moto.log").start()
    try:
        use_s3(settings, monkeypatch, tmp_path, server, server.new_bucket())
        assert client.get("/health/ready").status_code == 200
    finally:
        server.stop()

    started = time.monotonic()
    response = client.get("/health/ready")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["storage"].startswith("failed")
    assert response.json()["database"] == "ok"
    assert "testing" not in response.content.decode()  # no credentials in the answer
    assert elapsed < 60, f"a dead store took {elapsed:.0f} s to report"
