"""Celery tasks of results. Their names are what queued messages carry: never rename one."""

from celery import shared_task
from django.db import DatabaseError

from privacy.models import Release

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "max_retries": 20,
}


@shared_task(name="results.lattice_build", **RETRY)
def lattice_build(release_id: int) -> int:
    """Compute and store the protected table lattice of an approved release (idempotent)."""
    from results.lattice.build import build

    release = Release.objects.select_related("form__project").get(pk=release_id)
    if release.state == Release.State.OPEN:
        return 0
    return build(release).pk


@shared_task(name="results.lattice_preview", **RETRY)
def lattice_preview(release_id: int) -> int:
    """Compute an open candidate's tables for the DPO's review (idempotent; nothing when the
    release is no longer open)."""
    from results.lattice.candidate import candidate_build

    lattice = candidate_build(release_id)
    return lattice.pk if lattice is not None else 0
