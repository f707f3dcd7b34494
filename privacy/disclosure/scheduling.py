"""When disclosure control runs: one queued run per form however many records change, and a form
checked moments ago waits a time that grows with how long its last run took.

A form with changed records holds a ``DisclosurePending`` mark until a run takes it. The run is
queued when the mark is made, after the commit, through ``privacy.signals.disclosure_due``
(``privacy.receivers`` sends the task). A run that must wait (``disclosure_wait``) is sent again
once, with a countdown for the time left, so the last batch of a load is checked seconds after
it is anonymised; the minute sweep re-queues a mark whose message was lost."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from privacy import signals
from privacy.disclosure.legacy import old_keys_forms
from privacy.models import DisclosurePending, DisclosureRun


def disclosure_schedule(*, form_id: int) -> None:
    """Queue disclosure control for a form whose records changed, unless a run is already
    due (see ``DisclosurePending``): a burst of submissions makes one run, not one per batch.
    Call inside the transaction that changed the records."""
    # Locked, so that a run starting now waits for this commit before it reads the records.
    pending, created = DisclosurePending.objects.select_for_update().get_or_create(form_id=form_id)
    if created:
        _disclosure_send(form_id)
    else:  # the run already queued waits for a pause in the changes (``disclosure_wait``)
        DisclosurePending.objects.filter(pk=pending.pk).update(changed_at=timezone.now())


def disclosure_interval(seconds: float) -> float:
    """How long a form waits after a run that computed for ``seconds``:
    ``WAYPOINT_DISCLOSURE_INTERVAL_FACTOR`` times that, at least
    ``WAYPOINT_DISCLOSURE_MIN_INTERVAL`` and at most ``WAYPOINT_DISCLOSURE_MAX_INTERVAL``. A
    fixed 30 s kept a load's last batch unchecked for 60-90 s (the run waited for the minute
    sweep); tied to the run's cost, a large form's checks stay a bounded share of a worker, so
    the workers keep anonymising, and a form of 60,000 records is checked every few seconds.
    ``seconds`` is ``DisclosureRun.seconds``, the computing part (reading and writing records
    not counted), so the floor governs small and middling forms."""
    wanted = settings.WAYPOINT_DISCLOSURE_INTERVAL_FACTOR * seconds
    floor = settings.WAYPOINT_DISCLOSURE_MIN_INTERVAL
    return min(max(wanted, floor), settings.WAYPOINT_DISCLOSURE_MAX_INTERVAL)


def disclosure_wait(*, form_id: int, resend: bool = True) -> float | None:
    """What a queued run should do now: ``None`` when nothing is due (no mark: a duplicate
    message, or a run already took the mark), ``0`` to run, or the seconds left before the
    form's next run may start; the run is then re-queued once with that countdown (the delayed
    message asks again when it arrives). In-process (no broker) a run never waits.

    While records keep arriving (the last change less than ``WAYPOINT_DISCLOSURE_QUIET``
    seconds ago), the run also waits for that pause, but never longer than
    ``WAYPOINT_DISCLOSURE_BUSY_INTERVAL`` after the last run: under a sustained load a run of a
    large form every few seconds took both cores (its PostgreSQL workers too) for a few hundred
    milliseconds each time, which tablets saw as the slowest 1 % of their uploads (issue 19);
    the load's last batch is still checked moments after the load ends."""
    changed_at = (
        DisclosurePending.objects.filter(form_id=form_id)
        .values_list("changed_at", flat=True)
        .first()
    )
    if changed_at is None:
        return None
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return 0
    last = DisclosureRun.objects.filter(form_id=form_id).values("created_at", "seconds").first()
    if last is None:
        return 0
    due = last["created_at"] + timedelta(seconds=disclosure_interval(last["seconds"]))
    pause = changed_at + timedelta(seconds=settings.WAYPOINT_DISCLOSURE_QUIET)
    busy_cap = last["created_at"] + timedelta(seconds=settings.WAYPOINT_DISCLOSURE_BUSY_INTERVAL)
    due = max(due, min(pause, busy_cap))
    left = (due - timezone.now()).total_seconds()
    if left <= 0:
        return 0
    if resend:
        _disclosure_send(form_id, countdown=left)
    return left


# The first key of the advisory locks disclosure control takes (the second is the form's id).
_RUN_LOCK = 0x57504443  # "WPDC"


@contextmanager
def disclosure_turn(*, form_id: int) -> Iterator[bool]:
    """Whether a message may run the form's disclosure control now, held for the run: no other
    run of the form is going on and, checked again once that is known, the run is still due.

    Under load, copies of a form's message (the sweep's, each early arrival's delayed one)
    arrive together when the wait ends. Each used to wait on the form's row for the whole run
    (a worker and a connection each) and then start a second run at once, ignoring the wait.
    Now the first takes a PostgreSQL advisory lock and the others return at once: a batch
    written during the run marks the form again after the run commits, and that mark's own
    message (or the minute sweep) brings the next run. A batch that arrived between the
    message's own check and this one moves the form's pause on without a message of its own:
    the check here re-queues the run for it (a duplicate finds the lock or no mark)."""
    if connection.vendor != "postgresql":
        yield disclosure_wait(form_id=form_id) == 0
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_RUN_LOCK, form_id])
        (taken,) = cursor.fetchone()
    if not taken:
        yield False
        return
    try:
        yield disclosure_wait(form_id=form_id) == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_RUN_LOCK, form_id])


def disclosure_resend_due() -> int:
    """Re-queue the runs whose message was lost (a broker outage, a worker's restart losing a
    delayed message); the minute sweep calls this. A mark older than the longest wait
    (``WAYPOINT_DISCLOSURE_MAX_INTERVAL`` or, while records keep arriving,
    ``_BUSY_INTERVAL``) should have been taken by its delayed run; a duplicate
    sent for a run still on its way finds no mark and does nothing. Forms whose verdicts carry
    content keys of the older form are marked for a run too (``legacy``)."""
    longest = max(
        settings.WAYPOINT_DISCLOSURE_MAX_INTERVAL, settings.WAYPOINT_DISCLOSURE_BUSY_INTERVAL
    )
    cutoff = timezone.now() - timedelta(seconds=longest + 5)  # a margin for the queue
    form_ids = list(
        DisclosurePending.objects.filter(since__lte=cutoff).values_list("form_id", flat=True)
    )
    for form_id in form_ids:
        _disclosure_send(form_id)
    renewed = old_keys_forms()
    for form_id in renewed:
        with transaction.atomic():
            disclosure_schedule(form_id=form_id)
    return len(form_ids) + len(renewed)


def _disclosure_send(form_id: int, countdown: float = 0) -> None:
    transaction.on_commit(
        lambda: signals.disclosure_due.send(sender=None, form_id=form_id, countdown=countdown)
    )
