"""Complete submissions go on to anonymisation. The signal arrives after the submission's commit,
so the device's 201 never waits on, or fails because of, processing: if sending the task fails
(no broker), the periodic catch-up (`privacy.anonymise_pending`) picks the submission up."""

import logging

from django.dispatch import receiver

from sync.signals import submission_completed

log = logging.getLogger(__name__)


@receiver(submission_completed)
def enqueue_anonymisation(sender, submission_id: int, **kwargs) -> None:
    from backend.privacy.tasks import anonymise_submission

    try:
        anonymise_submission.delay(submission_id)
    except Exception:  # processing must never undo or fail an accepted submission
        log.exception(
            "could not queue anonymisation of submission %s; the sweep will", submission_id
        )
