"""Receiving submissions so that none is ever lost and no tablet is ever stuck.

Every rule here answers a device that retries whatever it did not see succeed: identity is
(form, instanceID); a retry adds only what was missing; a different XML under a taken instanceID
is kept as a conflicting copy and still answered 201; racing duplicates meet at the unique
constraint and become one submission.
"""

import mimetypes
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Device, Project
from forms.access import device_forms
from forms.models import FormState, FormVersion
from lib.problems import Problem, interpolate
from lib.safexml import UnsafeOrMalformedXML
from sync import ingest_cache, names, outcome, quarantine, wording
from sync.auth import device_still_active
from sync.instance import (
    Instance,
    InstanceError,
    client_times,
    identity_key,
    named_files,
    parse_instance,
)
from sync.models import Attachment, ConflictingCopy, Submission
from sync.signals import submission_completed


@dataclass
class Receipt:
    submission: Submission
    created: bool
    message: Any  # lazy text: written in the device's language (sync.views.submission)
    missing: list[str] = field(default_factory=list)
    stored_names: list[str] = field(default_factory=list)  # staged files now referenced


@dataclass
class Caller:
    """Who is submitting: a device (token) or an account (HTTP Basic)."""

    device: Device | None = None
    user: object | None = None
    user_agent: str = ""
    device_id: str = ""
    # A DPO storing a revoked web tablet's recovery file (webforms.recovery): the submissions
    # are the tablet's, not the DPO's, but no device token vouches for them.
    recovered_from: Device | None = None


@lru_cache(maxsize=128)
def version_questions(version_id: int, created_at) -> list[dict]:
    """A published version's questions never change: decode them once per process, not on every
    submission (the creation time in the key keeps a reused primary key from matching)."""
    return FormVersion.objects.values_list("questions", flat=True).get(pk=version_id)


def _version_for(project: Project, instance: Instance, caller: Caller) -> FormVersion:
    """The form version the submission names, in one query on the usual path; a form the device
    is not assigned is as unknown as a form that does not exist. A recovered tablet's
    assignment applies too: a recovery file reaches only the forms the tablet had."""
    assigned = caller.device or caller.recovered_from
    forms = device_forms(assigned, project.pk).filter(form_id=instance.form_id)
    version = (
        FormVersion.objects.select_related("form")
        .only("pk", "created_at", "version", "form", "public_key")
        .filter(form__in=forms, version=instance.version)
        .first()
    )
    form = version.form if version else forms.first()
    if form is None:
        raise Problem(
            "form.unknown",
            interpolate(wording.FORM_UNKNOWN, form_id=instance.form_id),
        )
    if form.state == FormState.CLOSED:
        raise Problem(
            "form.closed",
            interpolate(wording.FORM_CLOSED, title=form.title),
        )
    if version is None:
        raise Problem(
            "form.version_unknown",
            interpolate(wording.VERSION_UNKNOWN, version=instance.version, title=form.title),
        )
    return version


def _refuse_plaintext(version: FormVersion, instance: Instance) -> None:
    """A version with a public key makes Collect and Enketo encrypt every submission on the
    device, and promises respondents that the server never holds their answers in clear. A
    plaintext copy of such a version is not what Collect sends: storing it (flagged, as ODK
    Central does) would put in clear on the server what the form promised to keep sealed, so it
    is refused. A version without a key (an older one still on tablets) is unaffected."""
    if version.public_key and not instance.encrypted:
        raise Problem("submission.encryption_required", wording.ENCRYPTION_REQUIRED)


def submission_receive(
    *, project: Project, caller: Caller, xml: bytes, files: dict[str, bytes]
) -> Receipt:
    """Store a submission (or the missing parts of one) durably. Refusals are catalogue
    ``Problem``s (``lib.problems``), whose messages the device shows to the volunteer."""
    try:
        instance = parse_instance(xml)
    except (UnsafeOrMalformedXML, InstanceError) as exc:
        raise Problem("xml.invalid", interpolate(wording.UNREADABLE, why=exc)) from exc
    key = (
        (caller.device.pk, project.pk, instance.form_id, instance.version)
        if caller.device
        else None
    )
    if key:  # a device's POST: the lookup from memory, re-checked by the INSERT itself
        version = ingest_cache.version_cached(key, lambda: _version_for(project, instance, caller))
    else:
        version = _version_for(project, instance, caller)
    _refuse_plaintext(version, instance)
    questions = version_questions(version.pk, version.created_at)
    expected = named_files(instance, questions)
    matched, unmatched = names.parts_matched(expected, files)
    staged: dict[str, quarantine.StoredFile] = {}
    try:
        for name, data in matched.items():
            staged[name] = quarantine.store_attachment(data, project_pk=project.pk)
        try:
            receipt = _record_new(version, instance, xml, expected, staged, caller, unmatched)
        except IntegrityError:
            # Already here (a retry, a split upload, a conflict, or a racing copy that committed
            # first), or refused by the INSERT's own check (a device revoked, a form closed).
            receipt = _refused_insert(project, instance, xml, expected, staged, caller, unmatched)
    except Problem:  # a refusal inside the transaction: rolled back for certain
        quarantine.delete_stored([stored.name for stored in staged.values()])
        raise
    except BaseException:
        # A failure may come after COMMIT reached the database (its answer lost, an on-commit
        # hook failing): delete only the files no row names, known on a fresh connection.
        written = [stored.name for stored in staged.values()]
        referenced = outcome.files_referenced(written)
        if referenced is not None:
            quarantine.delete_stored([name for name in written if name not in referenced])
        raise
    used = set(receipt.stored_names)
    quarantine.delete_stored([s.name for s in staged.values() if s.name not in used])
    return receipt


def _refused_insert(project, instance, xml, expected, staged, caller, unmatched) -> Receipt:
    """Judge again on fresh lookups (no cache): the refusal a revoked device or a closed form
    deserves, else the submission is here already (add what is missing), else a stale cache
    entry was refused and the submission is stored now."""
    ingest_cache.forget(device=caller.device)
    if caller.device is not None:
        ingest_cache.forget(
            version_key=(caller.device.pk, project.pk, instance.form_id, instance.version)
        )
        caller.device = device_still_active(caller.device, project.pk)
    version = _version_for(project, instance, caller)
    try:
        return _record_again(version, instance, xml, staged, caller, unmatched)
    except Submission.DoesNotExist:
        pass
    try:
        return _record_new(version, instance, xml, expected, staged, caller, unmatched)
    except IntegrityError:  # a racing copy committed in between
        return _record_again(version, instance, xml, staged, caller, unmatched)


def _record_new(version, instance, xml, expected, staged, caller, unmatched) -> Receipt:
    """The usual case, a first receipt. A submission with no files (most of them) is one INSERT
    committing on its own, one round trip; with files, edits or a refusal still possible after
    the INSERT, a transaction holds it all (a savepoint inside a caller's transaction)."""
    inside = transaction.get_connection().in_atomic_block
    if staged or expected or unmatched or instance.deprecated_id or inside:
        with transaction.atomic():
            return _store_new(version, instance, xml, expected, staged, caller, unmatched)
    return _store_new(version, instance, xml, expected, staged, caller, unmatched)


def _store_new(version, instance, xml, expected, staged, caller, unmatched) -> Receipt:
    present = set(staged)
    submission = _create(version, instance, xml, expected, set(expected) <= present, caller)
    Attachment.objects.bulk_create(
        [_attachment(submission, name, stored) for name, stored in staged.items()]
    )
    if submission.deprecates_id:
        present |= _carry_forward(submission, present)
    receipt = _finish(submission, present, created=True, unmatched=unmatched)
    receipt.stored_names = [stored.name for stored in staged.values()]
    return receipt


@transaction.atomic
def _record_again(version, instance, xml, staged, caller, unmatched) -> Receipt:
    submission = Submission.objects.select_for_update().get(
        form_id=version.form_id, instance_id=instance.key
    )
    if submission.xml_sha256 != instance.sha256:
        return _keep_conflict(submission, instance, xml, caller)
    if submission.raw_purged_at is not None:
        # Released and purged on schedule: a late retry must not bring the raw files back (no
        # purge would ever find them again). What it carried is deleted with the staged files.
        return Receipt(submission, False, wording.RECEIVED_BEFORE_THANKS)
    present, repaired = _verified_attachments(submission, staged)
    new = [_attachment(submission, n, s) for n, s in staged.items() if n not in present]
    Attachment.objects.bulk_create(new)
    present |= {a.name for a in new}
    receipt = _finish(submission, present, created=False, unmatched=unmatched)
    if (new or repaired) and not receipt.missing:
        receipt.message = wording.ALL_FILES_RECEIVED
    receipt.stored_names = [a.file.name for a in new] + repaired
    return receipt


def _verified_attachments(
    submission: Submission, staged: dict[str, quarantine.StoredFile]
) -> tuple[set[str], list[str]]:
    """The names whose sealed file is really in storage, so that "nothing was lost" is said only
    when true. A row whose file is gone (lost to a fault before this fix, or to an operator)
    takes the copy this retry brought, or is dropped so that the file is asked for again.
    Returns the present names and the storage names now referenced from this retry."""
    present: set[str] = set()
    repaired: list[str] = []
    for attachment in submission.attachments.only("pk", "submission", "name", "file"):
        if quarantine.stored_exists(attachment.file.name):
            present.add(attachment.name)
            continue
        stored = staged.get(attachment.name)
        if stored is None:
            attachment.delete()
            continue
        Attachment.objects.filter(pk=attachment.pk).update(
            file=stored.name, size=stored.size, sha256=stored.sha256
        )
        present.add(attachment.name)
        repaired.append(stored.name)
    return present, repaired


def _finish(
    submission: Submission, present: set[str], *, created: bool, unmatched: list[str]
) -> Receipt:
    """Mark the submission complete once every named file is here, and announce it once."""
    missing = [name for name in submission.attachments_expected if name not in present]
    if missing and unmatched:
        # A file came that the XML does not name while one it names is still awaited: most
        # likely the same file under a name the client changed. Waiting would wait for ever and
        # dropping it would lose it, so the POST is refused (rolled back) with both names.
        raise Problem(
            "submission.attachment_unmatched",
            interpolate(
                wording.ATTACHMENT_UNMATCHED, file=unmatched[0][:100], missing=missing[0][:100]
            ),
        )
    announce = not missing and (created or not submission.complete)
    if not missing and not submission.complete:
        submission.complete = True
        submission.completed_at = timezone.now()
        submission.save(update_fields=["complete", "completed_at"])
    if announce:
        submission_id = submission.pk
        transaction.on_commit(
            lambda: submission_completed.send(sender=Submission, submission_id=submission_id)
        )
    return Receipt(submission, created, _message(created, missing), missing)


def _create(version, instance, xml, expected, complete: bool, caller) -> Submission:
    form = version.form
    deprecates = None
    root_identity = instance.key
    if instance.deprecated_id:
        deprecates = Submission.objects.filter(
            form=form, instance_id=identity_key(instance.deprecated_id)
        ).first()
        if deprecates is None:
            raise Problem("edit.unknown_original", wording.EDIT_UNKNOWN)
        if caller.recovered_from and deprecates.device_id != caller.recovered_from.pk:
            # The recovery key is public: a forged file must not replace another's submission.
            raise Problem("recovery.edit_of_another_device", wording.RECOVERED_EDIT_FOREIGN)
        root_identity = deprecates.root_instance_id
    start, end = client_times(instance, version_questions(version.pk, version.created_at))
    source = caller.device or caller.recovered_from
    submission = Submission(
        form=form,
        version=version,
        instance_id=instance.key,
        instance_id_full=instance.identity if instance.key != instance.identity else "",
        # Sealed under the key: selectors and key rotation read it back by ``instance_id``.
        xml_sealed=quarantine.seal_xml(xml, form_pk=form.pk, identity=instance.key),
        xml_sha256=instance.sha256,
        xml_size=len(xml),
        attachments_expected=expected,
        complete=complete,
        completed_at=timezone.now() if complete else None,
        device_encrypted=instance.encrypted,
        deprecates=deprecates,
        root_instance_id=root_identity,
        device=source,
        service_point=source.service_point if source else None,
        submitted_by=caller.user,
        user_agent=caller.user_agent[:500],
        client_device_id=caller.device_id[:255],
        client_start=start,
        client_end=end,
    )
    # Its form is NULL, refused by the column, if the device or the form was stopped meanwhile.
    device = caller.device
    if device is None or not ingest_cache.insert_admitted(
        submission, version, device, form.project_id
    ):
        submission.form_id = ingest_cache.admitted_form(version, device, form.project_id)
        submission.save(force_insert=True)
        submission.form = form
    return submission


def _attachment(submission: Submission, name: str, stored: quarantine.StoredFile) -> Attachment:
    return Attachment(
        submission=submission,
        name=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=stored.size,
        sha256=stored.sha256,
        file=stored.name,
    )


def _carry_forward(edit: Submission, present: set[str]) -> set[str]:
    """An edit names the files of the original it did not change; copy them across by name."""
    carried = set()
    for original in edit.deprecates.attachments.all():
        if original.name in edit.attachments_expected and original.name not in present:
            data = quarantine.read_attachment(original.file.name)
            stored = quarantine.store_attachment(data, project_pk=edit.form.project_id)
            _attachment(edit, original.name, stored).save()
            carried.add(original.name)
    return carried


def _keep_conflict(submission: Submission, instance: Instance, xml: bytes, caller) -> Receipt:
    ConflictingCopy.objects.get_or_create(
        submission=submission,
        xml_sha256=instance.sha256,
        defaults={
            "xml_sealed": quarantine.seal_xml(
                xml, form_pk=submission.form_id, identity=f"conflict:{instance.sha256}"
            ),
            "device": caller.device or caller.recovered_from,
            "user_agent": caller.user_agent[:500],
        },
    )
    if not submission.has_conflict:
        submission.has_conflict = True
        submission.save(update_fields=["has_conflict"])
    return Receipt(submission, False, wording.CONFLICT_KEPT)


def _message(created: bool, missing: list[str]) -> Any:
    if missing:
        files = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
        return interpolate(wording.WAITING_FOR_FILES, count=len(missing), files=files)
    return wording.RECEIVED if created else wording.RECEIVED_BEFORE
