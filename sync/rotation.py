"""Retiring a quarantine key: re-seal everything still sealed under an older key.

Prepending a key to ``WAYPOINT_QUARANTINE_KEYS`` makes new data use it at once; the old key must
stay listed until every blob it sealed has been re-sealed. ``manage.py reseal_quarantine`` does
that here, in small transactions, while Waypoint keeps running, and reports what is left so the
operator knows when the old key can be removed.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from lib import crypto
from sync import quarantine
from sync.models import Attachment, ConflictingCopy, Submission


@dataclass
class ResealReport:
    resealed: Counter = field(default_factory=Counter)
    remaining_by_key: Counter = field(default_factory=Counter)
    missing_files: int = 0

    @property
    def done(self) -> bool:
        return not self.remaining_by_key


def quarantine_reseal(*, batch: int = 200, dry_run: bool = False) -> ResealReport:
    """Re-seal under the current key every XML, conflicting copy and attachment sealed under
    another one. With ``dry_run`` nothing is written and the report counts what would be."""
    current = crypto.current_key_fingerprint()
    report = ResealReport()
    for model, identity in ((Submission, _submission_identity), (ConflictingCopy, _copy_identity)):
        _xml_rows(
            model, identity=identity, current=current, report=report, batch=batch, dry_run=dry_run
        )
    _attachments(current=current, report=report, dry_run=dry_run)
    return report


def _submission_identity(row: Submission) -> tuple[int, str]:
    return row.form_id, row.instance_id


def _copy_identity(row: ConflictingCopy) -> tuple[int, str]:
    return row.submission.form_id, f"conflict:{row.xml_sha256}"


def _xml_rows(
    model: type[Submission] | type[ConflictingCopy],
    *,
    identity: Callable[[Submission | ConflictingCopy], tuple[int, str]],
    current: str,
    report: ResealReport,
    batch: int,
    dry_run: bool,
) -> None:
    """Raw XML sealed in rows (a purged row holds b"" and is skipped)."""
    rows = model.objects.exclude(xml_sealed=b"")
    if model is Submission:
        rows = rows.filter(raw_purged_at__isnull=True)
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            chunk = model.objects.select_for_update().filter(pk__in=ids[start : start + batch])
            if model is ConflictingCopy:
                chunk = chunk.select_related("submission")
            for row in chunk:
                blob = bytes(row.xml_sealed)
                sealer = crypto.sealing_key_fingerprint(blob)
                if not blob or sealer == current:
                    continue
                if dry_run:
                    report.remaining_by_key[sealer] += 1
                    continue
                form_pk, name = identity(row)
                plain = quarantine.unseal_xml(blob, form_pk=form_pk, identity=name)
                row.xml_sealed = quarantine.seal_xml(plain, form_pk=form_pk, identity=name)
                row.save(update_fields=["xml_sealed"])
                report.resealed[model.__name__] += 1


def _attachments(*, current: str, report: ResealReport, dry_run: bool) -> None:
    attachments = Attachment.objects.filter(submission__raw_purged_at__isnull=True)
    for pk, submission_id in attachments.values_list("pk", "submission_id").iterator(500):
        # The submission's row is locked, as the purge locks it: a purge committed meanwhile
        # is seen here (and its file is not written back); a purge starting now waits.
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=submission_id)
            if submission.raw_purged_at is not None:
                continue
            name = Attachment.objects.get(pk=pk).file.name
            try:
                blob = quarantine.read_sealed(name)
            except FileNotFoundError:
                report.missing_files += 1
                continue
            sealer = crypto.sealing_key_fingerprint(blob)
            if sealer == current:
                continue
            if dry_run:
                report.remaining_by_key[sealer] += 1
                continue
            plain = crypto.unseal(blob, context=name.encode())
            quarantine.replace_sealed(name, crypto.seal(plain, context=name.encode()))
            report.resealed["Attachment"] += 1
