"""Withholding a record, and undoing it, while a release candidate is under review.

A DPO reads a candidate record by record and withholds the few that should not reach analysts.
Each withholding used to change the set of eligible records, so the candidate's hash no longer
matched and the whole review had to start again. Now a withholding (or its undo) updates the
open candidate in place, under the form's lock, when that is provably what a new candidate
would hold:

- nothing else changed since the candidate was opened (its hash still matches the records), so
  nothing unreviewed slips in with the new hash;
- the record's group stays at k or above without it (for an undo: the record comes back
  unchanged into the group it left), so no one left in the group is exposed.

Otherwise the record is still withheld (or restored), and the candidate no longer matches the
records: its approval is refused, and a new one is opened once disclosure control has run
again. A record that is not counted anyway (held back, replaced by an edit, left under replaced
rules, or not yet checked by disclosure control) changes nothing.
Approval recomputes the hash of what it freezes, as before, so whatever happens in between,
only what the DPO saw is released.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from forms.models import Form
from privacy.disclosure.dataset import quasi_identifiers
from privacy.disclosure.scheduling import disclosure_schedule
from privacy.disclosure.scope import rule_set_ids
from privacy.models import AnonymisedRecord, Release, ReleasedRecord
from privacy.review.refusals import UndoRefused, WithholdRefused
from privacy.review.snapshot import eligible, latest_approved, snapshot, snapshot_hash

CHANGED = "the records changed since it was opened (new records, rules or suppression)"
REVIEW = "review"  # the key of ``Release.risk`` that lists what the DPO withheld in review
SUPPRESSED = object()  # a hidden value in a group key: equal only to itself


@dataclass
class Outcome:
    """What a withholding (or undo) did to the open candidate, in the DPO's words."""

    record: AnonymisedRecord
    candidate: Release | None  # the form's open candidate, if any
    kept: bool  # the candidate is still valid (its hash updated if it had to be)
    why: str  # why not, when it is not


def withheld_in_review(release: Release) -> list[str]:
    """Ids of the records withheld while ``release`` was open (they may be restored into it)."""
    return list((release.risk or {}).get(REVIEW, {}).get("withheld", {}))


def record_withhold(*, record: AnonymisedRecord, user, reason: str) -> Outcome:
    """Keep ``record`` out of every future release; the open candidate stays valid when it
    can (module docstring). One already released stays, as approved, in the current release
    until the DPO approves the next candidate, which leaves it out."""
    if not reason.strip():
        raise WithholdRefused(_("Give a reason for withholding this record."))
    with transaction.atomic():
        form = Form.objects.select_for_update().select_related("project").get(pk=record.form_id)
        record = AnonymisedRecord.objects.select_for_update().get(pk=record.pk)
        if record.withheld_at is not None:
            raise WithholdRefused(_("This record is already withheld."))
        candidate = _open_candidate(form)
        why, counted = "", _counted(record)
        if candidate is not None and counted:
            # A counted record is eligible now: it is in the candidate exactly when the
            # candidate still hashes to the records (``_unchanged``).
            why = _unchanged(candidate, form) or _group_survives(candidate, form, record)
        record.withheld_at = timezone.now()
        record.withheld_reason = reason.strip()
        record.save(update_fields=["withheld_at", "withheld_reason", "updated_at"])
        kept = candidate is not None and not why
        if candidate is not None and kept and counted:
            _candidate_update(candidate, form, record, withheld=True)
        disclosure_schedule(form_id=form.pk)  # a withheld record no longer counts towards k
        audit_record(
            actor=user,
            action="record.withhold",
            project=form.project,
            target=f"{form.form_id} record {record.pk}",
            reason=reason.strip(),
            details={
                "released": record.was_released(),
                "candidate": candidate.pk if candidate else None,
                "candidate_kept": kept,
            },
        )
    return Outcome(record, candidate, kept, why)


def withholding_undo(*, record: AnonymisedRecord, user, reason: str = "") -> Outcome:
    """Let ``record`` be released again. Withheld during the open candidate's review, it goes
    back into that candidate unchanged; withheld earlier, it joins the next candidate, once
    disclosure control has checked it with the others."""
    with transaction.atomic():
        form = Form.objects.select_for_update().select_related("project").get(pk=record.form_id)
        record = AnonymisedRecord.objects.select_for_update().get(pk=record.pk)
        if record.withheld_at is None:
            raise UndoRefused(_("This record is not withheld."))
        candidate = _open_candidate(form)
        why, counted = "", _counted(record)
        if candidate is not None and counted:
            if str(record.pk) in withheld_in_review(candidate):
                why = _unchanged(candidate, form)
                seen = candidate.risk[REVIEW]["withheld"][str(record.pk)]
                if not why and _record_hash(record) != seen:
                    why = "the record changed while it was withheld"
            else:
                why = (
                    "the record was withheld before the candidate was opened: disclosure "
                    "control checks it with the others before a new candidate can hold it"
                )
        record.withheld_at = None
        record.withheld_reason = ""
        record.save(update_fields=["withheld_at", "withheld_reason", "updated_at"])
        kept = candidate is not None and not why
        if candidate is not None and kept and counted:
            _candidate_update(candidate, form, record, withheld=False)
        disclosure_schedule(form_id=form.pk)
        audit_record(
            actor=user,
            action="record.withhold_undo",
            project=form.project,
            target=f"{form.form_id} record {record.pk}",
            reason=reason.strip(),
            details={"candidate": candidate.pk if candidate else None, "candidate_kept": kept},
        )
    return Outcome(record, candidate, kept, why)


def _counted(record: AnonymisedRecord) -> bool:
    """Whether ``record`` is one a candidate holds (withheld aside): current, under its
    version's current rules (``scope``), checked by disclosure control as it is now, not held
    back."""
    return (
        not record.superseded
        and record.rule_set_id in rule_set_ids(record.form_id)[0]
        and record.verdict_in_force is not None
        and not record.held
    )


def _open_candidate(form: Form) -> Release | None:
    return Release.objects.select_for_update().filter(form=form, state=Release.State.OPEN).first()


def _record_hash(record: AnonymisedRecord) -> str:
    return snapshot_hash(AnonymisedRecord.objects.filter(pk=record.pk), frozen=False, base=None)


def _unchanged(candidate: Release, form: Form) -> str:
    """Empty when the records still hash to what the DPO is reviewing; else why not."""
    current = snapshot_hash(eligible(form), frozen=False, base=latest_approved(form))
    if current != candidate.content_hash:
        return CHANGED
    return ""


def _group_survives(candidate: Release, form: Form, record: AnonymisedRecord) -> str:
    """Empty when every group keeps k records or more without ``record``; else why not.

    Counted now, over the records the candidate holds (those withheld in this review already
    out), as disclosure control groups them: within the record's dimension cell (service point
    and visit month), on each quasi-identifier's generalised value, a hidden value being a value
    of its own. Missing values matching only themselves (the default), only the record's own
    group shrinks; when a missing or hidden value matches every value (sdcMicro's convention),
    every group the record counts in must keep k."""
    k = int(candidate.risk.get("k") or form.project.k_anonymity)
    missing = candidate.risk.get("after", {}).get("missing_values", form.project.missing_values)
    names = quasi_identifiers(form)
    cell = eligible(form).filter(service_point_id=record.service_point_id, month=record.month)
    others = [
        _key(q, s, names)
        for pk, q, s in cell.values_list("pk", "quasi", "verdict__suppressed")
        if pk != record.pk
    ]
    mine = _key(record.quasi, record.suppressed, names)
    if missing == "own":
        smallest = sum(1 for key in others if key == mine)
    else:
        matching = [key for key in others if _matches(key, mine)]
        smallest = min(
            (sum(1 for other in others if _matches(key, other)) for key in matching),
            default=0,
        )
    if smallest < k:
        return (
            f"its group would fall below k = {k} without it: disclosure control runs again and "
            "may hide values of the others in the group"
        )
    return ""


def _key(quasi: dict, suppressed: list, names: list[str]) -> tuple:
    """A record's key as disclosure control groups it: SUPPRESSED, None (missing) or the value."""
    return tuple(SUPPRESSED if name in suppressed else _text(quasi.get(name)) for name in names)


def _text(value) -> str | None:
    return None if value is None or value == "" else str(value)


def _matches(a: tuple, b: tuple) -> bool:
    """sdcMicro's convention: a missing or hidden value matches every value."""
    wild = (None, SUPPRESSED)
    return all(x == y or x in wild or y in wild for x, y in zip(a, b, strict=True))


def _candidate_update(
    candidate: Release, form: Form, record: AnonymisedRecord, *, withheld: bool
) -> None:
    """The candidate as a new one would be: its records, hash and changes since the release
    analysts read. The hash is the one approval will recompute from what it freezes."""
    base = latest_approved(form)
    key = str(record.pk)
    review = candidate.risk.setdefault(REVIEW, {"withheld": {}})
    if withheld:
        review["withheld"][key] = _record_hash(record)
    else:
        review["withheld"].pop(key, None)
    since = candidate.risk.get("since")
    if since:
        _since_adjust(since, base, record, -1 if withheld else 1)
    candidate.content_hash, candidate.record_count = snapshot(
        eligible(form), frozen=False, base=base
    )
    candidate.save(update_fields=["record_count", "risk", "content_hash"])


def _since_adjust(since: dict, base: Release | None, record: AnonymisedRecord, step: int) -> None:
    """Count ``record`` in or out (``step``) of what changes for analysts since ``base``."""
    frozen = (
        ReleasedRecord.objects.filter(release=base, record_id=record.pk).first() if base else None
    )
    if frozen is None:
        since["added"] += step
        return
    since["removed"] -= step
    same = (
        frozen.version_id == record.version_id
        and frozen.service_point_id == record.service_point_id
        and frozen.month == record.month
        and frozen.data == record.published
        and frozen.suppressed == record.suppressed
    )
    if not same:
        since["changed"] += step
