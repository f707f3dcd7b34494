"""A candidate's tables, before approval (issue 13): the DPO sees the utility report of the
lattice analysts would get (cells hidden per table and level, primary and secondary) before
approving, not after.

They are computed from exactly the rows approval would freeze: the candidate's records are
copied into ReleasedRecord (``privacy.review.snapshot.freeze_rows``) inside a transaction that
is rolled back once the lattice is computed, and the copy's content hash must be the
candidate's. The lattice is stored against the candidate (``Lattice.preview``, never read by
analysts) with its ``basis`` (content hash, threshold, pair levels, questions). A withholding
during review, another approval, or a settings change gives another basis: the report is then
stale and not shown as current. At approval ``results.lattice.build`` adopts the tables when
the basis still matches, else computes them as before.

Records added, edited, replaced or anonymised again since the candidate was opened leave its
hash (hence the basis) as it was, but approval's own check would refuse it: the candidate is
then shown as changed (no report, nothing to compute: a new candidate must be opened), as
``privacy.review.current`` answers without reading every record on each view.

While the copy is uncommitted, an approval of the same candidate waits at its own copy (the
unique (release, record) index) until the computation ends: approvals never see a half copy.
The copy is analysed as approval's is (the lattice's reads then plan as after approval); the
rolled-back rows are dead rows that autovacuum reclaims.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from lib.problems import Problem, interpolate
from privacy.models import Release
from privacy.review import latest_approved
from privacy.review.current import release_current
from privacy.review.snapshot import freeze_rows, snapshot_hash
from results.lattice.build import Computed, basis, compute, store
from results.lattice.status import STUCK
from results.models import Lattice

log = logging.getLogger(__name__)

CHANGED = (
    "The candidate's records changed since it was opened (a withholding, new rules, "
    "suppression or edits), or another release was approved: approving it would be refused."
)


class _Discard(Exception):
    """Rolls the copy back, carrying what was computed from it."""

    def __init__(self, computed: Computed | None) -> None:
        super().__init__("copy discarded")
        self.computed = computed


def _computed(release: Release) -> Computed | None:
    """The lattice of the rows approval would freeze now, or None when their content hash is
    not the candidate's (approval would refuse it). The copy is never committed, nor analysed:
    ANALYZE would hold a lock on the whole table until the rollback, stalling every form's
    approval (its own ANALYZE) for the computation's length."""
    try:
        with transaction.atomic():
            freeze_rows(release, analyze=False)
            digest = snapshot_hash(
                release.frozen.all(), frozen=True, base=latest_approved(release.form)
            )
            raise _Discard(compute(release) if digest == release.content_hash else None)
    except _Discard as done:
        return done.computed


def candidate_build(release_id: int) -> Lattice | None:
    """Compute and store an open candidate's tables (idempotent: current tables are returned
    as they are; None when the release is no longer open). A failure is recorded on the row
    (shown to the DPO, who may compute again) and raised."""
    release = Release.objects.select_related("form__project").get(pk=release_id)
    if release.state != Release.State.OPEN:
        return None
    lattice, _ = Lattice.objects.get_or_create(
        release=release,
        defaults={"preview": True, "threshold": release.form.project.cell_threshold},
    )
    if not lattice.preview:  # approved meanwhile: the approval's build owns the row
        return lattice
    wanted = basis(release)
    if lattice.state == Lattice.State.BUILT and lattice.basis == wanted:
        return lattice
    Lattice.objects.filter(pk=lattice.pk, preview=True).update(
        state=Lattice.State.BUILDING, error="", started_at=timezone.now()
    )
    try:
        computed = _computed(release)
        if computed is None:
            raise ValueError(CHANGED)
    except Exception as error:
        Lattice.objects.filter(pk=lattice.pk, preview=True).exclude(
            state=Lattice.State.BUILT, basis=wanted
        ).update(state=Lattice.State.FAILED, error=str(error) or repr(error))
        raise
    with transaction.atomic():
        lattice = Lattice.objects.select_for_update().get(pk=lattice.pk)
        if not lattice.preview:  # approved while computing: its own build decides
            return lattice
        computed.fields["basis"] = wanted
        lattice = store(lattice, computed)
        # Tables of the form's replaced candidates can never be approved: their cubes go.
        Lattice.objects.filter(
            preview=True,
            release__form_id=release.form_id,
            release__state=Release.State.SUPERSEDED,
        ).delete()
    return lattice


def candidate_queue(release_id: int) -> None:
    """Queue the computation after commit; in-process it runs here, a failure recorded on the
    row and logged, never raised into the request that asked for it."""
    from results.tasks import lattice_preview  # the task imports this module

    try:
        lattice_preview.delay(release_id)
    except Exception:
        log.exception("tables of candidate %s failed", release_id)


def candidate_tables(release: Release) -> dict:
    """What the DPO sees of an open candidate's tables: ``state`` ``none`` (not computed),
    ``building``, ``built`` (with the ``report``), ``failed`` (with the ``error``), ``stale``
    (computed for an earlier state of the candidate or other settings: no report, compute
    again) or ``changed`` (the records approval would freeze no longer match the candidate:
    approving it would be refused, a new candidate must be opened; no report).
    ``may_compute``: whether a request would start a computation."""
    lattice = Lattice.objects.filter(release=release).first()
    state = lattice.state if lattice is not None else "none"
    if lattice is not None and not lattice.preview:
        state = "approved"  # the release's own tables (release_panel shows them)
    current = lattice is not None and lattice.basis == basis(release)
    if state == Lattice.State.BUILT and not current:
        state = "stale"
    if release.state == Release.State.OPEN and state != "approved" and not release_current(release):
        state = "changed"
    stuck = state == Lattice.State.BUILDING and timezone.now() - lattice.started_at > STUCK
    return {
        "release": release.pk,
        "state": state,
        "content_hash": release.content_hash,
        "threshold": lattice.threshold if state == "built" else release.form.project.cell_threshold,
        "pair_levels": lattice.pair_levels if state == "built" else None,
        "computed_at": lattice.built_at if state == "built" else None,
        "seconds": lattice.seconds if state == "built" else None,
        "error": lattice.error if state == Lattice.State.FAILED else None,
        "report": lattice.report if state == "built" else None,
        "may_compute": release.state == Release.State.OPEN
        and (state in {"none", "stale", Lattice.State.FAILED} or stuck),
        "lattice": lattice,
    }


def candidate_request(*, release: Release, user) -> dict:
    """The DPO asks for an open candidate's tables (again), audited; they are computed after
    commit. Refused (``results.preview_refused``) when the release is not open or its tables
    are current or being computed."""
    with transaction.atomic():
        release = (
            Release.objects.select_for_update().select_related("form__project").get(pk=release.pk)
        )
        found = candidate_tables(release)
        if not found["may_compute"]:
            raise Problem(
                "results.preview_refused",
                interpolate(
                    _(
                        "The records changed since candidate %(release)s was opened: approving "
                        "it would be refused. Open a new candidate."
                    )
                    if found["state"] == "changed"
                    else _(
                        "The tables of candidate %(release)s are computed or being computed, or "
                        "it is no longer open: there is nothing to compute."
                    ),
                    release=release.pk,
                ),
                state=found["state"],
            )
        audit_record(
            actor=user,
            action="lattice.preview",
            project=release.form.project,
            target=f"{release.form.form_id} release {release.pk} tables",
            details={"content_hash": release.content_hash, "previous": found["state"]},
        )
        transaction.on_commit(lambda: candidate_queue(release.pk))
    return candidate_tables(release)
