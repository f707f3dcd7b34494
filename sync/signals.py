"""Sent once a submission has every file its XML names and is committed. Processing (the privacy
stage) listens; sync itself knows nothing of what happens next."""

from django.dispatch import Signal

submission_completed = Signal()  # sender=Submission, submission_id=int
