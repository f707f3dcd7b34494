"""Celery tasks: thin, idempotent, acknowledged late (a killed worker's task is redone) and
retried with back-off while the database is unavailable. Their names are what queued messages
and the beat schedule carry: never rename one."""

from celery import shared_task
from django.db import DatabaseError

from privacy import retention
from privacy.anonymisation import services as anonymisation
from privacy.disclosure import dataset, scheduling

BATCH = 500
RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "max_retries": 20,
}


@shared_task(name="privacy.anonymise_batch", **RETRY)
def anonymise_batch(submission_ids: list[int]) -> int:
    """Anonymise submissions (those a web process completed in the last half second, or a
    sweep's catch-up, or a re-run with a new rule set): a few queries however many."""
    return len(anonymisation.records_anonymise(submission_ids=submission_ids))


@shared_task(name="privacy.disclosure_control", **RETRY)
def disclosure_control(form_id: int) -> int | None:
    """Queued once per form however many records arrive meanwhile (``disclosure_schedule``);
    a form checked moments ago is re-queued for when its wait ends (``disclosure_wait``), and a
    message finding no change due does nothing."""
    wait = scheduling.disclosure_wait(form_id=form_id)
    if wait is None or wait > 0:
        return None
    with scheduling.disclosure_turn(form_id=form_id) as turn:
        if not turn:  # another run of the form is going on, or a run just took the mark
            return None
        run = dataset.disclosure_run(form_id=form_id)
    return run.pk if run else None


@shared_task(name="privacy.anonymise_pending", **RETRY)
def anonymise_pending() -> int:
    """Catch up on complete submissions that have no record (a broker outage, a lost message)
    and on disclosure-control runs whose message was lost."""
    scheduling.disclosure_resend_due()
    pending = anonymisation.pending_submission_ids()
    for start in range(0, len(pending), BATCH):
        anonymise_batch.delay(pending[start : start + BATCH])
    return len(pending)


@shared_task(name="privacy.purge_raw", **RETRY)
def purge_raw() -> int:
    return retention.raw_purge_due()


@shared_task(name="privacy.release_job", **RETRY)
def release_job(job_id: int) -> str:
    """Open or approve a release in the background (``privacy.review.jobs``): the DPO's
    request returned at once; the job's progress and outcome are on the release."""
    from privacy.review.jobs import job_run  # the review layer queues this task

    return job_run(job_id).step
