"""Which release analysts read while a newer approved release's tables are computed, or failed
to be, and the DPO's retry.

A newer release that only ADDED records to the one whose tables are built may wait for its own:
analysts keep reading the older release, and pages and the API say so. One that removed or
changed records (an erasure, a withholding, held-back records, new rules) may not: the older
tables still count what the DPO took out, so analysts get "being rebuilt" (HTTP 503 with
``Retry-After`` in the API, a message on pages) until the new tables are built. Records
downloads follow the tables: one release for everything an analyst reads.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from lib.problems import Problem, interpolate
from privacy.models import Release
from results.models import Lattice

log = logging.getLogger(__name__)

RETRY_AFTER = 30  # seconds: a lattice of 1,000,000 records is computed in about a minute
STUCK = timedelta(minutes=15)  # a build "being computed" this long has died: it may be retried
CHAIN = 50  # releases walked back at most to tell "only added" (then: not known, so not)


@dataclass
class Reading:
    """``release``: what analysts read now (None: nothing approved, or nothing readable while
    ``pending`` is built); ``pending``: a newer approved release whose tables are not built,
    and ``lattice`` its row (state, error) or None before its build was queued."""

    release: Release | None
    pending: Release | None = None
    lattice: Lattice | None = None
    withdrawn: Release | None = None  # the older built release no longer shown, if any

    @property
    def rebuilding(self) -> bool:
        """Approved records exist but none may be read until ``pending``'s tables are built."""
        return self.pending is not None and self.release is None

    @property
    def failed(self) -> bool:
        return self.lattice is not None and self.lattice.state == Lattice.State.FAILED

    def refuse(self) -> None:
        """Refuse an analyst's read while tables are being rebuilt (503, ``Retry-After``)."""
        if self.rebuilding and self.pending is not None:
            message = (
                interpolate(
                    _(
                        "Results are being rebuilt for release %(release)s. It removed or "
                        "changed records that release %(older)s counted, so those tables are no "
                        "longer shown. Try again in a minute."
                    ),
                    release=self.pending.pk,
                    older=self.withdrawn.pk,
                )
                if self.withdrawn is not None
                else interpolate(
                    _("Results of release %(release)s are being computed. Try again in a minute."),
                    release=self.pending.pk,
                )
            )
            if self.failed:  # no minute will mend it: the DPO sees the error and retries
                message = interpolate(
                    _(
                        "The tables of release %(release)s could not be computed. Your data "
                        "protection officer has been shown why and can compute them again; "
                        "until then no results of this form are shown."
                    ),
                    release=self.pending.pk,
                )
            raise Problem(
                "results.being_rebuilt",
                message,
                headers={} if self.failed else {"Retry-After": str(RETRY_AFTER)},
                release=self.pending.pk,
                failed=self.failed,
            )


def only_added(older: Release, newer: Release) -> bool:
    """Whether every release approved after ``older`` up to ``newer`` only added records (each
    approval's "since" figures, which name the release it replaced). Anything unrecorded counts
    as a removal: the older tables are then not shown. One small query per release walked,
    only while a newer release's tables are not built."""
    pk = newer.pk
    for _step in range(CHAIN):
        if pk == older.pk:
            return True
        since = Release.objects.filter(pk=pk).values_list("risk__since", flat=True).first()
        if not isinstance(since, dict) or since.get("removed") or since.get("changed"):
            return False
        if not since.get("base"):
            return False
        pk = since["base"]
    return False


def lattice_queue(release_id: int) -> None:
    """Queue the build after commit. Where tasks run in-process the build runs here: a failure
    is recorded on the lattice (shown to the DPO, retried from their page), never raised into
    the approval or the analyst's read that queued it."""
    from results.tasks import lattice_build  # the task imports the builder

    try:
        lattice_build.delay(release_id)
    except Exception:  # recorded on the Lattice row by the builder, or a broker down: logged
        log.exception("lattice build of release %s failed", release_id)


def may_retry(lattice: Lattice | None) -> bool:
    """A failed build, one "being computed" for longer than any build takes (its worker died),
    or an approved release's tables still as computed for its candidate (the approval's build
    never ran: a broker down), may be started again."""
    if lattice is None or lattice.state == Lattice.State.FAILED:
        return True
    if lattice.preview and lattice.release.state == Release.State.APPROVED:
        return True  # a candidate's tables that the approval's build never adopted
    return lattice.state == Lattice.State.BUILDING and timezone.now() - lattice.started_at > STUCK


def lattice_retry(*, release: Release, user) -> Lattice:
    """Compute ``release``'s tables again (the DPO's retry button and API), audited. Refused
    (``results.retry_refused``) when they are built or being computed."""
    with transaction.atomic():
        lattice, _created = Lattice.objects.select_for_update().get_or_create(
            release=release, defaults={"threshold": release.form.project.cell_threshold}
        )
        if release.state != Release.State.APPROVED or not may_retry(lattice):
            raise Problem(
                "results.retry_refused",
                interpolate(
                    _(
                        "The tables of release %(release)s are built or being computed: there "
                        "is nothing to retry."
                    ),
                    release=release.pk,
                ),
                state=lattice.state,
            )
        error = lattice.error
        Lattice.objects.filter(pk=lattice.pk).update(
            state=Lattice.State.BUILDING, error="", started_at=timezone.now()
        )
        audit_record(
            actor=user,
            action="lattice.retry",
            project=release.form.project,
            target=f"{release.form.form_id} release {release.pk} tables",
            details={"previous_error": error[:500]},
        )
        transaction.on_commit(lambda: lattice_queue(release.pk))
    lattice.refresh_from_db()
    return lattice
