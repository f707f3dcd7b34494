"""The only way to read raw submissions: each read is checked and written to the audit trail.

Callers must already hold the DPO role (see ``sync.api``); these functions add the audit event
and the decryption, so that no view can read raw data without leaving a trace.
"""

import base64

from audit.services import audit_record
from lib import crypto
from lib.problems import Problem
from sync import quarantine
from sync.instance import parse_instance
from sync.models import Attachment, Submission


def _audit(user, action: str, submission: Submission, reason: str, **details) -> None:
    """Raw data is read for a stated purpose; the reason goes into the audit trail."""
    if not reason or not reason.strip():
        raise Problem(
            "submission.reason_required",
            "Say why you are reading raw data (it is recorded in the audit log).",
        )
    audit_record(
        actor=user,
        action=action,
        project=submission.form.project,
        target=f"{submission.form.form_id}/{submission.instance_id}",
        reason=reason.strip(),
        details=details,
    )


def raw_xml_read(*, user, submission: Submission, reason: str) -> bytes:
    _audit(user, "raw.read_xml", submission, reason)
    return quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity=submission.instance_id
    )


def raw_conflict_read(*, user, submission: Submission, copy_id: int, reason: str) -> bytes:
    copy = submission.conflicting_copies.get(pk=copy_id)
    _audit(user, "raw.read_conflict", submission, reason, copy=copy_id)
    return quarantine.unseal_xml(
        copy.xml_sealed, form_pk=submission.form_id, identity=f"conflict:{copy.xml_sha256}"
    )


def raw_attachment_read(*, user, attachment: Attachment, reason: str) -> bytes:
    _audit(user, "raw.read_attachment", attachment.submission, reason, name=attachment.name)
    return quarantine.read_attachment(attachment.file.name)


def device_encrypted_open(
    *, user, submission: Submission, private_key_pem: bytes, reason: str
) -> dict:
    """Decrypt a device-encrypted submission with the DPO's key, for this answer only: neither
    the key nor the plaintext is stored."""
    if not submission.device_encrypted:
        raise Problem("submission.not_encrypted", "This submission is not device-encrypted.")
    _audit(user, "raw.decrypt", submission, reason)
    try:
        return _decrypted(submission, private_key_pem)
    except (ValueError, TypeError) as exc:  # a wrong key, or a damaged submission
        raise Problem("submission.decrypt_failed", f"Could not decrypt: {exc}") from exc


def _decrypted(submission: Submission, private_key_pem: bytes) -> dict:
    manifest = quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity=submission.instance_id
    )
    instance = parse_instance(manifest)
    key = crypto.odk_symmetric_key(private_key_pem, instance.base64_encrypted_key)
    seed = crypto.odk_iv_seed(instance.instance_id or "", key)
    stored = {a.name: a for a in submission.attachments.all()}
    files = {}
    for index, name in enumerate(instance.encrypted_files):
        if name in stored:
            data = quarantine.read_attachment(stored[name].file.name)
            files[name.removesuffix(".enc")] = crypto.decrypt_odk_file(key, seed, index, data)
    xml_name = instance.encrypted_files[-1].removesuffix(".enc")
    return {
        "xml": files.pop(xml_name, b"").decode("utf-8"),
        "attachments": {name: base64.b64encode(data).decode() for name, data in files.items()},
    }


def raw_xml_for_processing(*, submission: Submission) -> bytes:
    """The raw XML for the anonymisation worker. Automated processing is not a person reading
    data: it is recorded on the record it produces (rule set, time), not as an access event."""
    return quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity=submission.instance_id
    )
