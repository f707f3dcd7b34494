"""Attachments on S3-compatible storage: quarantine files stay sealed and private in the bucket,
the DPO reads them back (audited), purge and key rotation act on the objects, and devices get
the newest form media from the bucket.

The bucket is a real S3 endpoint (tests/plugins/s3.py).
"""

from datetime import timedelta
from io import StringIO

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from forms.services import form_upload
from lib import crypto
from privacy import retention
from privacy.models import AnonymisedRecord
from sync.models import Attachment, Submission
from tests.plugins.s3 import PREFIX, keys
from tests.samples import device_url, privacy_instance
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db

# Bytes a photo might hold; if they show up in the bucket, the quarantine is not sealed.
PHOTO = b"\xff\xd8\xff\xe0 JFIF photo of Ahmad Karimi's residence permit " * 40


# Quarantine


@pytest.fixture
def submitted(bucket, submit, privacy_form, django_capture_on_commit_callbacks):
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
        purged = retention.raw_purge_due()

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
    submit,
    privacy_form,
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


def test_a_put_the_bucket_refuses_answers_503_and_keeps_nothing(
    s3_server, bucket, submit, privacy_form, monkeypatch
):
    """The quarantine's own PUT to the bucket failing (the store out of reach mid-submission):
    the device gets a 503 to retry, no submission is recorded and no object is left behind."""
    from botocore.exceptions import EndpointConnectionError
    from django.core.files.storage import default_storage

    client = default_storage.connection.meta.client

    def unreachable(**kwargs):
        raise EndpointConnectionError(endpoint_url=s3_server.url)

    monkeypatch.setattr(client, "put_object", unreachable)

    response = submit(privacy_instance("uuid:s3-down", photo="face.jpg"), {"face.jpg": PHOTO})

    assert response.status_code == 503
    assert not Submission.objects.exists()
    assert keys(s3_server, bucket, "quarantine/") == []
