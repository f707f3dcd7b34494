"""Raw data stays in the quarantine: only DPOs read it, every read is audited with its reason,
and device-encrypted submissions open only with the key a DPO supplies."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from audit.models import AppendOnlyError, AuditEvent
from lib import crypto
from sync.models import Submission
from tests.plugins.encryption import collect_encrypted, private_pem
from tests.samples import instance_xml

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(submit, photo_form):
    submit(instance_xml(instance_id="uuid:q1", photo="face.jpg"), {"face.jpg": b"JPEG-BYTES"})
    return Submission.objects.get()


def base(project):
    return f"/api/v1/projects/{project.pk}/forms/household/submissions"


def test_dpo_lists_metadata_without_answers(api, project, dpo, stored):
    response = api.as_user(dpo).get(base(project))

    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["instance_id"] == "uuid:q1"
    assert row["attachments"][0]["name"] == "face.jpg"
    assert "Amina" not in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_raw_xml_read_is_audited_with_its_reason(api, project, dpo, stored):
    response = api.as_user(dpo).get(
        f"{base(project)}/uuid:q1/xml", HTTP_X_WAYPOINT_REASON="Checking a reported error"
    )

    assert response.status_code == 200
    assert b"<full_name>Amina</full_name>" in response.content
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.reason) == (
        dpo,
        "raw.read_xml",
        "Checking a reported error",
    )
    assert event.target == "household/uuid:q1"
    assert event.project == project


def test_raw_read_without_a_reason_is_refused_and_reads_nothing(api, project, dpo, stored):
    response = api.as_user(dpo).get(f"{base(project)}/uuid:q1/xml")

    assert response.status_code == 400
    assert response.json()["code"] == "submission.reason_required"
    assert b"Amina" not in response.content
    assert not AuditEvent.objects.exists()


def test_attachment_read_is_audited(api, project, dpo, stored):
    response = api.as_user(dpo).get(f"{base(project)}/uuid:q1/attachments/face.jpg?reason=review")

    assert response.content == b"JPEG-BYTES"
    assert AuditEvent.objects.get().details == {"name": "face.jpg"}


def test_audit_events_cannot_be_changed_or_deleted(api, project, dpo, stored):
    api.as_user(dpo).get(f"{base(project)}/uuid:q1/xml?reason=review")
    event = AuditEvent.objects.get()

    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(reason="x")


def test_device_encrypted_submission_is_stored_as_received_and_opened_by_the_dpo(
    submit, encrypted_form, rsa_key, api, project, dpo
):
    plain = b'<data id="secret" version="1"><secret>Hidden answer</secret><pic>p.jpg</pic></data>'
    manifest, files = collect_encrypted(
        rsa_key.public_key(), instance_id="uuid:enc1", xml=plain, media={"p.jpg": b"PHOTO"}
    )

    partial = submit(manifest, {"p.jpg.enc": files["p.jpg.enc"]})
    final = submit(manifest, {"submission.xml.enc": files["submission.xml.enc"]})

    assert partial.status_code == final.status_code == 201
    submission = Submission.objects.get()
    assert submission.device_encrypted
    assert submission.complete
    assert hashlib.sha256(manifest).hexdigest() == submission.xml_sha256
    pem = private_pem(rsa_key)
    opened = api.as_user(dpo).post(
        f"{base(project).replace('household', 'secret')}/uuid:enc1/decrypt",
        {"private_key": pem, "reason": "Annual review"},
        format="json",
    )
    assert opened.status_code == 200, opened.json()
    assert opened.json()["xml"] == plain.decode()
    assert base64.b64decode(opened.json()["attachments"]["p.jpg"]) == b"PHOTO"
    assert AuditEvent.objects.get().action == "raw.decrypt"


def test_wrong_private_key_does_not_open_it(submit, encrypted_form, rsa_key, api, project, dpo):
    manifest, files = collect_encrypted(
        rsa_key.public_key(), instance_id="uuid:enc2", xml=b"<data/>", media={}
    )
    submit(manifest, files)
    other = private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    response = api.as_user(dpo).post(
        f"{base(project).replace('household', 'secret')}/uuid:enc2/decrypt",
        {"private_key": other, "reason": "Annual review"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "submission.decrypt_failed"


def test_quarantine_key_rotation_keeps_old_blobs_readable(settings, submit, photo_form):
    old = crypto.new_quarantine_key()
    settings.WAYPOINT_QUARANTINE_KEYS = old
    submit(instance_xml(instance_id="uuid:rot"))
    submission = Submission.objects.get()

    settings.WAYPOINT_QUARANTINE_KEYS = f"{crypto.new_quarantine_key()},{old}"

    from sync import quarantine

    raw = quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity="uuid:rot"
    )
    assert b"Amina" in raw
    settings.WAYPOINT_QUARANTINE_KEYS = crypto.new_quarantine_key()
    with pytest.raises(crypto.QuarantineKeyError):
        quarantine.unseal_xml(
            submission.xml_sealed, form_pk=submission.form_id, identity="uuid:rot"
        )
