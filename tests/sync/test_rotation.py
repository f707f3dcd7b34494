"""Retiring a quarantine key (runbook, "Rotating keys"): after `reseal_quarantine` the old key
can be removed and every raw submission, conflicting copy and attachment still opens."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from lib import crypto
from sync import quarantine, selectors
from sync.models import Attachment, ConflictingCopy, Submission
from tests.samples import instance_xml

PHOTO = b"\xff\xd8\xff\xe0 a photo of a document"


def run(*args: str) -> str:
    out = StringIO()
    call_command("reseal_quarantine", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_key_data(settings, submit, photo_form):
    """A submission with an attachment and a conflicting copy, all sealed under the old key."""
    old = crypto.new_quarantine_key()
    settings.WAYPOINT_QUARANTINE_KEYS = old
    first = submit(instance_xml(instance_id="uuid:k1", photo="p.jpg"), {"p.jpg": PHOTO})
    assert first.status_code == 201
    other = submit(instance_xml(instance_id="uuid:k1", name="Other", photo="p.jpg"))
    assert other.status_code == 201
    assert ConflictingCopy.objects.count() == 1
    return old


def test_reseal_lets_the_old_key_be_removed(settings, old_key_data, dpo):
    new = crypto.new_quarantine_key()
    settings.WAYPOINT_QUARANTINE_KEYS = f"{new},{old_key_data}"

    assert "3 blob(s) sealed under key" in run("--dry-run")
    output = run()
    assert "Re-sealed 1 Attachment" in output
    assert "Re-sealed 1 Submission" in output
    assert "Re-sealed 1 ConflictingCopy" in output
    assert "Current key" in run("--dry-run")
    assert "nothing left" in run("--dry-run")

    settings.WAYPOINT_QUARANTINE_KEYS = new  # the old key is gone
    submission = Submission.objects.get()
    assert b"Amina" in selectors.raw_xml_read(user=dpo, submission=submission, reason="check")
    copy = ConflictingCopy.objects.get()
    assert b"Other" in selectors.raw_conflict_read(
        user=dpo, submission=submission, copy_id=copy.pk, reason="check"
    )
    attachment = Attachment.objects.get()
    assert selectors.raw_attachment_read(user=dpo, attachment=attachment, reason="check") == PHOTO
    assert AuditEvent.objects.filter(action="quarantine.reseal").count() == 1


def test_reseal_twice_changes_nothing_more(settings, old_key_data):
    settings.WAYPOINT_QUARANTINE_KEYS = f"{crypto.new_quarantine_key()},{old_key_data}"
    run()
    blob = quarantine.read_sealed(Attachment.objects.get().file.name)
    assert "Re-sealed" not in run()
    assert quarantine.read_sealed(Attachment.objects.get().file.name) == blob


def test_removing_the_old_key_too_early_is_refused_with_a_clear_error(settings, old_key_data):
    sealed = bytes(Submission.objects.get().xml_sealed)
    attachment = Attachment.objects.get().file.name
    blob = quarantine.read_sealed(attachment)
    settings.WAYPOINT_QUARANTINE_KEYS = crypto.new_quarantine_key()

    with pytest.raises(CommandError, match="Keep every old key"):
        run()

    assert bytes(Submission.objects.get().xml_sealed) == sealed  # nothing was changed
    assert quarantine.read_sealed(attachment) == blob
    settings.WAYPOINT_QUARANTINE_KEYS = old_key_data
    assert b"Amina" in quarantine.unseal_xml(
        sealed, form_pk=Submission.objects.get().form_id, identity="uuid:k1"
    )
