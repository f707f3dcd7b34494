"""The only way to read raw submissions: each read is checked and written to the audit trail.

Callers must already hold the DPO role (see ``sync.api``); these functions add the audit event
and the decryption, so that no view can read raw data without leaving a trace.
"""

import base64

from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from lib import crypto
from lib.problems import Problem, interpolate
from sync import quarantine
from sync.instance import parse_instance
from sync.models import Attachment, Submission


def _audit(user, action: str, submission: Submission, reason: str, **details) -> None:
    """Raw data is read for a stated purpose; the reason goes into the audit trail."""
    if not reason or not reason.strip():
        raise Problem(
            "submission.reason_required",
            _("Say why you are reading raw data (it is recorded in the audit log)."),
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
    the key nor the plaintext is stored. ``signature`` says whether the device's signature over
    the manifest and files holds (see ``lib.crypto.odk_signature_matches``); a mismatch is
    answered, not refused (the DPO may still need the data, as Briefcase exports it marked
    unverified), and recorded in the audit trail as its own event."""
    if not submission.device_encrypted:
        raise Problem("submission.not_encrypted", _("This submission is not device-encrypted."))
    _audit(user, "raw.decrypt", submission, reason)
    try:
        opened = _decrypted(submission, private_key_pem)
    except (ValueError, TypeError) as exc:  # a wrong key, or a damaged submission
        raise Problem(
            "submission.decrypt_failed", interpolate(_("Could not decrypt: %(why)s"), why=exc)
        ) from exc
    if opened["signature"] != "verified":
        _audit(user, "raw.signature_" + opened["signature"], submission, reason)
    return opened


SIGNATURE_DETAIL = {
    "verified": "The device's signature matches the files: none is damaged, cut short or from "
    "another submission. It is not proof against deliberate tampering: the signature is made "
    "with the form's public key, so whoever alters the files can make a new one.",
    "mismatch": "The device's signature does NOT match: a file, the key or the instanceID was "
    "changed or damaged after the device encrypted them, or the device is faulty. Treat the "
    "content as unverified.",
    "absent": "The submission carries no signature: its files cannot be verified.",
    "incomplete": "Some files have not arrived yet: the signature cannot be checked.",
}


def _decrypted(submission: Submission, private_key_pem: bytes) -> dict:
    manifest = quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity=submission.instance_id
    )
    instance = parse_instance(manifest)
    private_key = crypto.odk_private_key(private_key_pem)
    key = crypto.odk_symmetric_key(private_key, instance.base64_encrypted_key)
    seed = crypto.odk_iv_seed(instance.instance_id or "", key)
    stored = {a.name: a for a in submission.attachments.all()}
    plain: list[tuple[str, bytes]] = []
    for index, name in enumerate(instance.encrypted_files):
        if name in stored:
            data = quarantine.read_attachment(stored[name].file.name)
            plain.append(
                (name.removesuffix(".enc"), crypto.decrypt_odk_file(key, seed, index, data))
            )
    signature = _signature(instance, private_key, plain)
    files = dict(plain)
    xml_name = instance.encrypted_files[-1].removesuffix(".enc")
    return {
        "xml": files.pop(xml_name, b"").decode("utf-8"),
        "attachments": {name: base64.b64encode(data).decode() for name, data in files.items()},
        "signature": signature,
        "signature_detail": SIGNATURE_DETAIL[signature],
    }


def _signature(instance, private_key, plain: list[tuple[str, bytes]]) -> str:
    if not instance.signature:
        return "absent"
    if len(plain) != len(instance.encrypted_files):
        return "incomplete"
    source = crypto.odk_signature_source(
        form_id=instance.form_id,
        version=instance.version,
        base64_encrypted_key=instance.base64_encrypted_key,
        instance_id=instance.instance_id or "",
        files=plain,
    )
    matches = crypto.odk_signature_matches(private_key, instance.signature, source)
    return "verified" if matches else "mismatch"


def raw_xml_for_processing(*, submission: Submission) -> bytes:
    """The raw XML for the anonymisation worker. Automated processing is not a person reading
    data: it is recorded on the record it produces (rule set, time), not as an access event."""
    return quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity=submission.instance_id
    )
