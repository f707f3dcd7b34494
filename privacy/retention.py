"""The raw-data purge: raw submissions and attachments are kept only for a set time after their
record's release (per project, default 30 days), then removed; the anonymised record stays."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Project
from audit.services import audit_record
from privacy.models import Release, ReleasedRecord
from sync import quarantine
from sync.models import Attachment, ConflictingCopy, Submission


def raw_purge_due(*, now: datetime | None = None) -> int:
    """Purge raw XML and attachments of submissions whose record was first released (approved)
    more than the project's retention period ago. Never before processing: only released
    records qualify.
    Each project's purge is one audit event naming the policy and what was removed."""
    now = now or timezone.now()
    purged = 0
    for project in Project.objects.all():
        cutoff = now - timedelta(days=project.retention_days)
        # A record's first release is the earliest approved release that froze it; any approved
        # release before the cutoff that holds it makes it due. The release's form narrows the
        # lookup to the unique (release, record) index. ``released_at`` is kept for records an
        # approval stamped before privacy 0007.
        frozen = ReleasedRecord.objects.filter(
            release__form=OuterRef("form"),
            release__state=Release.State.APPROVED,
            release__approved_at__lte=cutoff,
            record_id=OuterRef("anonymised__pk"),
        )
        due = Submission.objects.filter(
            form__project=project, raw_purged_at__isnull=True, anonymised__isnull=False
        ).filter(Q(anonymised__released_at__lte=cutoff) | Exists(frozen))
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
