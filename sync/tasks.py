"""Celery tasks of sync: thin and idempotent. Their names are what the beat schedule carries:
never rename one."""

from celery import shared_task
from django.db import DatabaseError

from sync import orphans


@shared_task(
    name="sync.orphans_sweep",
    acks_late=True,
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=5,
)
def orphans_sweep() -> dict[str, int]:
    """Hourly: delete sealed files no row names, past the grace period (``sync.orphans``)."""
    return orphans.orphans_delete()
