"""Complete submissions go on to anonymisation.

The signal arrives after the submission's commit, so the device's 201 never waits on, or fails
because of, processing. With a broker, each web process gathers the ids of the submissions it
completed and sends them as one ``privacy.anonymise_batch`` task every half second: one publish
per batch instead of one per submission keeps ingest above 300 submissions/s, and the worker then
uses its batch path. Ids not yet sent when a process dies, or sent while the broker was down, are
picked up by the periodic ``privacy.anonymise_pending`` sweep. Without a broker (`make run`), the
task runs in-process at once.

Privacy's own domain code asks for work through ``privacy.signals`` (it may not import the
tasks, which import it); the receivers below send those messages too.
"""

import atexit
import logging
import threading

from django.conf import settings
from django.dispatch import receiver

from accounts.signals import privacy_settings_at_stake, privacy_settings_changed
from privacy import signals, tasks
from privacy.review.left_out import project_at_stake, project_at_stake_message
from privacy.review.rules import redaction_change
from sync.signals import submission_completed

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.5
MAX_BATCH = 500


class SubmissionBatcher:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: list[int] = []
        self._timer: threading.Timer | None = None

    def add(self, submission_id: int) -> None:
        with self._lock:
            self._ids.append(submission_id)
            full = len(self._ids) >= MAX_BATCH
            if not full and self._timer is None:
                self._timer = threading.Timer(FLUSH_SECONDS, self.flush)
                self._timer.daemon = True
                self._timer.start()
        if full:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            ids, self._ids = self._ids, []
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if ids:
            _send(ids)


def _send(ids: list[int]) -> None:
    try:
        tasks.anonymise_batch.delay(ids)
    except Exception:  # the sweep will find them; an accepted submission is never undone
        log.exception("could not queue anonymisation of %d submissions", len(ids))


batcher = SubmissionBatcher()
atexit.register(batcher.flush)


@receiver(submission_completed)
def enqueue_anonymisation(sender, submission_id: int, **kwargs) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        _send([submission_id])
    else:
        batcher.add(submission_id)


@receiver(signals.disclosure_due)
def enqueue_disclosure_control(sender, form_id: int, countdown: float = 0, **kwargs) -> None:
    # A countdown is the time left before a busy form's next run (one delayed message per
    # waiting run, see privacy.disclosure.scheduling); RabbitMQ's consumer timeout (30 min)
    # and Redis's visibility timeout (1 h) are far above the longest wait.
    if countdown > 0:
        tasks.disclosure_control.apply_async((form_id,), countdown=countdown)
    else:
        tasks.disclosure_control.delay(form_id)


@receiver(signals.anonymisation_due)
def enqueue_reanonymisation(sender, submission_ids: list[int], **kwargs) -> None:
    for start in range(0, len(submission_ids), tasks.BATCH):
        tasks.anonymise_batch.delay(submission_ids[start : start + tasks.BATCH])


@receiver(signals.release_job_due)
def enqueue_release_job(sender, job_id: int, **kwargs) -> None:
    tasks.release_job.delay(job_id)


@receiver(privacy_settings_changed)
def reanonymise_free_text(sender, project_id: int, changed: dict, user, reason: str, **kwargs):
    # In the settings change's transaction: free text redacted under the old choice must not
    # reach a release, so every version gets a new rule set and its records a re-run.
    if "everyday_names" in changed:
        old, new = changed["everyday_names"]
        redaction_change(
            project_id=project_id,
            user=user,
            reason=f"everyday_names: {old} -> {new} ({reason})",
        )


@receiver(privacy_settings_at_stake)
def free_text_at_stake(sender, project_id: int, changed: dict, **kwargs) -> dict | None:
    # Asked before the change is made: the records a new everyday_names would leave out.
    if "everyday_names" not in changed:
        return None
    counts = project_at_stake(project_id)
    return {**counts, "detail": project_at_stake_message(counts)}
