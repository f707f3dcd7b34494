"""The raw-data purge: raw submissions and attachments are kept only for a set time after their
record's release (per project, default 30 days), then removed; the anonymised record stays."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Project
from audit.services import audit_record
from sync import quarantine
from sync.models import Attachment, ConflictingCopy, Submission


def raw_purge_due(*, now: datetime | None = None) -> int:
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
