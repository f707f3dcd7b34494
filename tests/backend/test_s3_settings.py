"""Where attachments and form media are stored is configured through the environment alone:
the file system by default (`make run` needs no bucket), S3-compatible storage from
WAYPOINT_S3_* variables and secret files, refused at start-up when incomplete; the readiness
check proves the store is reachable, and fails quickly when it is not.
"""

import time

import pytest

from backend.env import MissingSetting
from tests.plugins.s3 import MotoServer, keys, load_settings, use_s3

pytestmark = pytest.mark.django_db


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
    assert options["transfer_config"].use_threads is False  # a PUT per photo, no thread pool
    assert options["default_acl"] is None  # private: no ACL header, the bucket owner's only
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedStaticFilesStorage"


@pytest.mark.parametrize(
    ("env", "message"),
    [({"WAYPOINT_STORAGE": "s3"}, "WAYPOINT_S3_BUCKET"), ({"WAYPOINT_STORAGE": "ftp"}, "ftp")],
)
def test_incomplete_storage_configuration_fails_at_start_up(monkeypatch, tmp_path, env, message):
    with pytest.raises(MissingSetting, match=message):
        load_settings(monkeypatch, tmp_path, **env)


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
