"""The sweep of sealed files no row names.

A web process stores a submission's files before the transaction that names them commits, so a
crash, a full disk or a lost commit answer can leave a file behind that no attachment row
names. ``sync.outcome`` deletes such files at once when it can know they are unnamed; what it
could not decide is removed here, once older than the grace period (longer than any request
can take, so a file whose transaction is still open is never touched).
"""

import logging
from collections.abc import Iterator
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from audit.services import audit_record
from sync.models import Attachment

log = logging.getLogger(__name__)
GRACE = timedelta(hours=1)
ROOT = "quarantine"
BATCH = 1000


def _stored_names(folder: str) -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_names(f"{folder}/{sub}")


def orphans_delete(*, grace: timedelta = GRACE) -> dict[str, int]:
    """Delete sealed files older than ``grace`` that no attachment row names; the counts are
    written to the audit trail when anything was deleted."""
    cutoff = timezone.now() - grace
    counts = {"examined": 0, "deleted": 0, "young": 0}
    batch: list[str] = []

    def settle() -> None:
        named = set(Attachment.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name in named:
                continue
            try:
                if default_storage.get_modified_time(name) > cutoff:
                    counts["young"] += 1
                    continue
                default_storage.delete(name)
            except FileNotFoundError:
                continue
            counts["deleted"] += 1
        batch.clear()

    for name in _stored_names(ROOT):
        counts["examined"] += 1
        batch.append(name)
        if len(batch) >= BATCH:
            settle()
    if batch:
        settle()
    if counts["deleted"]:
        log.warning("deleted %d sealed files no submission names", counts["deleted"])
        audit_record(actor=None, action="sync.orphans_deleted", target=ROOT, details=counts)
    return counts
