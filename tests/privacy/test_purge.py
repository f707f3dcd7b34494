"""Raw submissions and attachments are purged a set time after release, never before processing,
and the purge is audited and verifiable."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from audit.models import AuditEvent
from privacy import retention
from privacy.anonymisation import services
from privacy.models import AnonymisedRecord
from sync.models import Submission
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(submit, privacy_form, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(privacy_instance("uuid:old", photo="face.jpg"), {"face.jpg": b"JPEG"})
        submit(privacy_instance("uuid:recent"))
        submit(privacy_instance("uuid:unreleased"))
    now = timezone.now()
    AnonymisedRecord.objects.filter(submission__instance_id="uuid:old").update(
        released_at=now - timedelta(days=31)
    )
    AnonymisedRecord.objects.filter(submission__instance_id="uuid:recent").update(
        released_at=now - timedelta(days=2)
    )
    return Submission.objects.get(instance_id="uuid:old")


def test_purge_removes_raw_data_released_longer_ago_than_retention(
    stored, django_capture_on_commit_callbacks
):
    attachment_file = stored.attachments.get().file.name
    assert default_storage.exists(attachment_file)

    with django_capture_on_commit_callbacks(execute=True):  # files go once the purge committed
        purged = retention.raw_purge_due()

    assert purged == 1
    stored.refresh_from_db()
    assert stored.raw_purged_at is not None
    assert bytes(stored.xml_sealed) == b""
    assert not stored.attachments.exists()
    assert not default_storage.exists(attachment_file)
    for instance_id in ("uuid:recent", "uuid:unreleased"):
        other = Submission.objects.get(instance_id=instance_id)
        assert other.raw_purged_at is None
        assert bytes(other.xml_sealed)
    event = AuditEvent.objects.get(action="raw.purge")
    assert event.actor is None
    assert event.details["submissions"] == [stored.pk]
    assert "30 days" in event.reason


def test_purged_submissions_are_not_reprocessed(stored):
    retention.raw_purge_due()

    assert services.record_anonymise(submission_id=stored.pk) is None
    assert AnonymisedRecord.objects.filter(submission=stored).exists()  # the record stays


def test_purge_is_idempotent(stored):
    assert retention.raw_purge_due() == 1
    assert retention.raw_purge_due() == 0


def test_a_late_retry_after_the_purge_brings_no_raw_file_back(
    stored, submit, django_capture_on_commit_callbacks
):
    """Review finding: a device retrying a purged submission had its photo stored again, for
    good (a purged submission is never purged again)."""
    with django_capture_on_commit_callbacks(execute=True):
        retention.raw_purge_due()
    files_before = _stored_files()

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(privacy_instance("uuid:old", photo="face.jpg"), {"face.jpg": b"JPEG"})

    assert response.status_code == 201
    assert b"already received" in response.content
    stored.refresh_from_db()
    assert not stored.attachments.exists()
    assert _stored_files() == files_before


def _stored_files() -> list[str]:
    return sorted(str(p) for p in Path(default_storage.path("")).rglob("*") if p.is_file())
