"""Releases: a DPO opens a candidate (a hash-identified snapshot of everything analysts would
read), approves exactly that snapshot, or withholds a record; nothing reaches analysts any
other way.

An approved release is immutable: approval copies the candidate's records into
``ReleasedRecord`` rows, and analysts read only the form's latest approved release. A rules
change, a new pseudonym secret, an edit, a withholding or a group falling below k changes
``AnonymisedRecord`` rows and so makes a new candidate possible; what analysts read stays at
its approved content until a DPO approves that candidate. A changed record therefore stays, as
approved, in the current release; a record held back or withheld since leaves at the next
approval (the candidate shows it as removed). So does a record left under replaced rules that
can never be anonymised again (raw data purged, encrypted on the device): the candidate leaves
it out and counts it (``left_out``), and only records still to be redone hold a release up.
"""

from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from forms.models import Form
from lib.problems import interpolate
from privacy import signals
from privacy.disclosure.dataset import disclosure_run
from privacy.models import DisclosurePending, DisclosureRun, Release
from privacy.review.approvals import rules_approved_check
from privacy.review.left_out import left_out, redo_pending
from privacy.review.refusals import (
    NothingToRelease,
    ReleaseChanged,
    ReleaseNotOpen,
    StaleHash,
    StillChecking,
    StillRerunning,
)
from privacy.review.snapshot import (
    candidate_snapshot,
    eligible,
    freeze,
    latest_approved,
    snapshot_hash,
)

Progress = Callable[[int, str], None]


def _silent(percent: int, step: str) -> None:
    """No one is watching (a direct call): progress goes nowhere."""


def content_hash(records, *, base: Release | None = None) -> str:
    """The hash of a candidate made of ``records`` over ``base`` (see ``snapshot_hash``)."""
    return snapshot_hash(records, frozen=False, base=base)


def release_open_check(form: Form) -> None:
    """The refusals known before any work: rules no DPO approved, a re-run under way."""
    rules_approved_check(form, eligible(form))  # a form manager's rules are a proposal
    _rerun_finished_check(form)


def release_open(
    *, form: Form, user, placeholder: Release | None = None, progress: Progress = _silent
) -> Release:
    """A candidate: every eligible record as it is now, judged on current data, with its hash
    and what changed since the release analysts read. Refused when nothing would change.
    ``placeholder`` (state "opening", made by ``jobs.release_open_request``) becomes the
    candidate instead of a new row; ``progress(percent, step)`` is told how far it got."""
    release_open_check(form)
    with transaction.atomic():
        Form.objects.select_for_update().get(pk=form.pk)  # one open/approve of a form at a time
        # Judged on current data, under the lock: a record written after the run read the
        # records marks the form pending in its own transaction (see disclosure_schedule), and
        # is refused below rather than frozen unchecked.
        progress(5, "Checking disclosure risk over every record")
        run = disclosure_run(form_id=form.pk)
        # Again under the lock: a rules change committed while this open waited would leave
        # every record of its version out, unredone, and make an empty candidate.
        _rerun_finished_check(form)
        progress(45, "Comparing with the release analysts read, computing its fingerprint")
        digest, count, changes = candidate_snapshot(form, latest_approved(form))
        if not (changes["added"] or changes["changed"] or changes["removed"]):
            raise NothingToRelease(
                _(
                    "Nothing changed since the last approved release: no record to add, change "
                    "or remove."
                )
            )
        if DisclosurePending.objects.filter(form=form).exists():
            raise StillChecking(
                _(
                    "New records arrived while the candidate was being built; they have not "
                    "been checked for disclosure risk yet. Open the candidate again in a minute."
                )
            )
        progress(90, "Recording the candidate")
        # Under replaced rules and never to be redone: out of the candidate, said out loud.
        out = left_out(form.pk)
        fields = {
            "state": Release.State.OPEN,
            "content_hash": digest,
            "record_count": count,
            "risk": {**_risk_snapshot(run), "since": changes, "left_out": out},
            "rule_sets": {v.version: v.current_rule_set.number for v in form.versions.all()},
        }
        form.releases.filter(state=Release.State.OPEN).update(state=Release.State.SUPERSEDED)
        if placeholder is None:
            release = Release.objects.create(form=form, opened_by=user, **fields)
        else:
            release = placeholder
            for name, value in fields.items():
                setattr(release, name, value)
            release.save(update_fields=list(fields))
        audit_record(
            actor=user,
            action="release.open",
            project=form.project,
            target=f"{form.form_id} release {release.pk}",
            details={
                "records": count,
                "content_hash": release.content_hash,
                **changes,
                "left_out": out,
            },
        )
        # results computes the tables approval would publish, for the DPO's review
        transaction.on_commit(partial(signals.release_opened.send, None, release_id=release.pk))
    return release


def _rerun_finished_check(form: Form) -> None:
    """Refuse while records whose raw data is here are still anonymised under a version's
    previous rules: a rules change (a name made ``drop``, say) applies to a release only once
    every such record has it. Those that can never be redone (raw data purged, encrypted on
    the device) do not hold it up: the candidate leaves them out (``left_out``), as the rules
    page says (``rules.rerun_progress``, whose ``finished`` is this check)."""
    for version in form.versions.all():
        current = version.current_rule_set
        if current is not None and redo_pending(form.pk, version).exists():
            raise StillRerunning(
                interpolate(
                    _(
                        "Records of version %(version)s are still being anonymised again under "
                        "rule set #%(number)s. Open the release once the re-run has finished "
                        "(its progress is on the rules page)."
                    ),
                    version=version.version,
                    number=current.number,
                )
            )


def _risk_snapshot(run: DisclosureRun) -> dict:
    return {
        "disclosure_run": run.pk,
        "k": run.k,
        "mode": run.mode,
        "before": run.before,
        "after": run.after,
        "suppressions": run.suppressions,
        "held": run.held,
        "l_diversity": run.l_diversity,
        "redactions": run.redactions,
    }


def release_approve_check(release: Release, approved_hash: str) -> None:
    """The refusals known before any work: not open, another hash, rules no DPO approved,
    records still to be anonymised again under new rules."""
    if release.state != Release.State.OPEN:
        raise ReleaseNotOpen(
            interpolate(
                _(
                    "This candidate is %(state)s, no longer open: open a new one to release what "
                    "changed since."
                ),
                state=release.get_state_display().lower(),
            )
        )
    if approved_hash != release.content_hash:
        raise StaleHash(
            _(
                "The hash you approved is not this candidate's hash: reload the candidate and "
                "review it again."
            )
        )
    rules_approved_check(release.form, eligible(release.form))
    _rerun_finished_check(release.form)


def release_unchanged(release: Release, *, frozen: bool = False) -> bool:
    """Approval's check: whether the records hash to the candidate's content hash, over the
    release analysts read now (another approval meanwhile changes the hash too). ``frozen``:
    the copy approval has just made; otherwise the records approval would copy, read without
    copying them. Either reads every record of the candidate: a page asks ``release_current``
    (``privacy.review.current``), which remembers the answer while nothing can have changed."""
    records = release.frozen.all() if frozen else eligible(release.form)
    base = latest_approved(release.form)
    return snapshot_hash(records, frozen=frozen, base=base) == release.content_hash


def release_approve(
    *, release: Release, user, approved_hash: str, progress: Progress = _silent
) -> Release:
    """Release exactly what was reviewed, or nothing.

    Serialised per form: the form row is locked first, then the release is read again, so of
    two approvals racing, the second finds it approved and is refused (409). The records are
    copied, then the copy is hashed: if it is not what the DPO reviewed (records changed, or
    another release was approved meanwhile) the transaction rolls back and nothing changed."""
    with transaction.atomic():
        Form.objects.select_for_update().get(pk=release.form_id)
        release = Release.objects.select_for_update().select_related("form").get(pk=release.pk)
        release_approve_check(release, approved_hash)
        progress(10, "Copying the records analysts will read")
        count = freeze(release)
        progress(60, "Checking the copy is what you reviewed")
        if not release_unchanged(release, frozen=True):
            raise ReleaseChanged(
                _(
                    "The records changed since this candidate was opened (new rules, "
                    "suppression, withholding or edits), or another release was approved. Open a "
                    "new candidate and review it again."
                )
            )
        # Nothing is written to the records themselves: retention reads each record's first
        # approval from the frozen rows (``privacy.retention``).
        now = timezone.now()
        release.state = Release.State.APPROVED
        release.approved_by, release.approved_at = user, now
        release.save(update_fields=["state", "approved_by", "approved_at"])
        audit_record(
            actor=user,
            action="release.approve",
            project=release.form.project,
            target=f"{release.form.form_id} release {release.pk}",
            details={
                "records": count,
                "content_hash": release.content_hash,
                **release.risk.get("since", {}),
                "left_out": release.risk.get("left_out", {"records": 0}),
            },
        )
        transaction.on_commit(partial(signals.release_approved.send, None, release_id=release.pk))
    return release
