"""Anonymising submissions and running disclosure control. Tasks call these; so do tests."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend import crypto
from backend.accounts.models import Project
from backend.audit.services import audit_record
from backend.privacy.models import AnonymisedRecord
from backend.privacy.transforms import RuleSpec, anonymise_instance
from forms.models import FormVersion, PrivacyRuleSet
from sync import quarantine
from sync.instance import parse_instance
from sync.models import Attachment, ConflictingCopy, Submission
from sync.selectors import raw_xml_for_processing

log = logging.getLogger(__name__)


def rule_specs(rule_set: PrivacyRuleSet) -> list[RuleSpec]:
    return [
        RuleSpec(r.path, r.question_type, r.classification, tuple(r.generalisers))
        for r in rule_set.rules.all()
    ]


def repeat_paths(version: FormVersion) -> set[str]:
    return {q["repeat"] for q in version.questions if q.get("repeat")}


def phone_regions(project) -> tuple[str, ...]:
    """Where phone numbers in answers may come from: the project's service points' countries and
    the migrants' countries of origin (WAYPOINT_ORIGIN_REGIONS)."""
    local = project.service_points.values_list("country", flat=True)
    regions = [*local, *settings.WAYPOINT_ORIGIN_REGIONS]
    return tuple(dict.fromkeys(r.upper() for r in regions if r))


def processable(submission: Submission) -> bool:
    return (
        submission.complete and not submission.device_encrypted and submission.raw_purged_at is None
    )


def record_anonymise(*, submission_id: int) -> AnonymisedRecord | None:
    """Anonymise one complete submission with its version's current rule set. Idempotent: the same
    inputs leave the record untouched; a new rule set replaces it atomically, keeping its id."""
    submission = Submission.objects.select_related("form__project", "version").get(pk=submission_id)
    if not processable(submission):
        return None
    rule_set = submission.version.current_rule_set
    instance = parse_instance(raw_xml_for_processing(submission=submission))
    result = anonymise_instance(
        instance.root,
        rules=rule_specs(rule_set),
        repeats=repeat_paths(submission.version),
        pseudonym_key=crypto.pseudonym_key(submission.form.project_id),
        regions=phone_regions(submission.form.project),
    )
    if settings.WAYPOINT_ANONYMISE_TEST_DELAY:
        time.sleep(settings.WAYPOINT_ANONYMISE_TEST_DELAY)  # fault injection for tests only
    fields = {
        "form_id": submission.form_id,
        "version": submission.version,
        "rule_set": rule_set,
        "service_point_id": submission.service_point_id,
        "month": f"{submission.received_at:%Y-%m}",
        "data": result.data,
        "quasi": result.quasi,
        "redactions": dict(result.redactions),
        "content_hash": result.content_hash,
        "superseded": Submission.objects.filter(deprecates=submission).exists(),
    }
    with transaction.atomic():
        record = AnonymisedRecord.objects.select_for_update().filter(submission=submission).first()
        if record is not None and (
            record.rule_set_id == rule_set.pk and record.content_hash == result.content_hash
        ):
            return record
        if record is None:
            record = AnonymisedRecord.objects.create(submission=submission, **fields)
        else:
            for name, value in fields.items():
                setattr(record, name, value)
            record.suppressed, record.held, record.fk = [], False, None
            record.save()
        if submission.deprecates_id:
            AnonymisedRecord.objects.filter(
                submission__form=submission.form,
                submission__root_instance_id=submission.root_instance_id,
                superseded=False,
            ).exclude(pk=record.pk).update(superseded=True, updated_at=timezone.now())
    return record


def pending_submission_ids(limit: int = 10000) -> list[int]:
    """Complete, processable submissions without an anonymised record."""
    return list(
        Submission.objects.filter(
            complete=True,
            device_encrypted=False,
            raw_purged_at__isnull=True,
            anonymised__isnull=True,
        ).values_list("pk", flat=True)[:limit]
    )


def disclosure_schedule(*, form_id: int) -> None:
    """Run disclosure control a little later, so that a burst of submissions makes one run (an
    unchanged dataset is not recomputed: see the fingerprint in ``disclosure_run``)."""
    from backend.privacy.tasks import disclosure_control

    transaction.on_commit(
        lambda: disclosure_control.apply_async(
            args=[form_id], countdown=settings.WAYPOINT_DISCLOSURE_DEBOUNCE
        )
    )


def raw_purge_due(*, now=None) -> int:
    """Purge raw XML and attachments of submissions whose record was released more than the
    project's retention period ago. Never before processing: only released records qualify.
    Each project's purge is one audit event naming the policy and what was removed."""
    now = now or timezone.now()
    purged = 0
    for project in Project.objects.all():
        cutoff = now - timedelta(days=project.retention_days)
        due = Submission.objects.filter(
            form__project=project,
            raw_purged_at__isnull=True,
            anonymised__released_at__lte=cutoff,
        )
        ids = list(due.values_list("pk", flat=True))
        if not ids:
            continue
        with transaction.atomic():
            files = list(
                Attachment.objects.filter(submission_id__in=ids).values_list("file", flat=True)
            )
            Attachment.objects.filter(submission_id__in=ids).delete()
            ConflictingCopy.objects.filter(submission_id__in=ids).update(xml_sealed=b"")
            Submission.objects.filter(pk__in=ids).update(xml_sealed=b"", raw_purged_at=now)
            audit_record(
                actor=None,
                action="raw.purge",
                project=project,
                target=f"{len(ids)} submissions",
                reason=f"Retention: raw data kept {project.retention_days} days after release",
                details={
                    "submissions": ids,
                    "attachments": len(files),
                    "cutoff": cutoff.isoformat(),
                },
            )
            transaction.on_commit(lambda files=files: quarantine.delete_stored(files))
        purged += len(ids)
    return purged
