"""When disclosure control runs: one queued run per form however many records change, and a form
checked moments ago waits for the minute sweep (``WAYPOINT_DISCLOSURE_MIN_INTERVAL``).

A form with changed records holds a ``DisclosurePending`` mark until a run takes it. The run is
queued when the mark is made, after the commit, through ``privacy.signals.disclosure_due``
(``privacy.receivers`` sends the task), and re-queued by the sweep if it waited or its message
was lost."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from privacy import signals
from privacy.models import DisclosurePending, DisclosureRun


def disclosure_schedule(*, form_id: int) -> None:
    """Queue disclosure control for a form whose records changed, unless a run is already
    due (see ``DisclosurePending``): a burst of submissions makes one run, not one per batch.
    Call inside the transaction that changed the records."""
    # Locked, so that a run starting now waits for this commit before it reads the records.
    _, created = DisclosurePending.objects.select_for_update().get_or_create(form_id=form_id)
    if created:
        _disclosure_send(form_id)


def disclosure_deferred(*, form_id: int) -> bool:
    """True when the form's last run is more recent than ``WAYPOINT_DISCLOSURE_MIN_INTERVAL``:
    the run waits for the sweep, so a busy form is checked about once a minute instead of
    after every batch, and workers keep anonymising. In-process (no broker, no sweep) never."""
    interval = settings.WAYPOINT_DISCLOSURE_MIN_INTERVAL
    if settings.CELERY_TASK_ALWAYS_EAGER or interval <= 0:
        return False
    recent = timezone.now() - timedelta(seconds=interval)
    return DisclosureRun.objects.filter(form_id=form_id, created_at__gt=recent).exists()


def disclosure_resend_due() -> int:
    """Re-queue the runs that waited (``disclosure_deferred``) or whose message was lost (a
    broker outage); the minute sweep calls this."""
    cutoff = timezone.now() - timedelta(seconds=settings.WAYPOINT_DISCLOSURE_MIN_INTERVAL)
    form_ids = list(
        DisclosurePending.objects.filter(since__lte=cutoff).values_list("form_id", flat=True)
    )
    for form_id in form_ids:
        _disclosure_send(form_id)
    return len(form_ids)


def _disclosure_send(form_id: int) -> None:
    transaction.on_commit(lambda: signals.disclosure_due.send(sender=None, form_id=form_id))
