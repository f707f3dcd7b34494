"""Releases: a DPO opens a candidate (a hash-identified snapshot of everything analysts would
read), approves exactly that snapshot, or withholds a record; nothing reaches analysts any
other way.

An approved release is immutable: approval copies the candidate's records into
``ReleasedRecord`` rows, and analysts read only the form's latest approved release. A rules
change, a new pseudonym secret, an edit, a withholding or a group falling below k changes
``AnonymisedRecord`` rows and so makes a new candidate possible; what analysts read stays at
its approved content until a DPO approves that candidate. A changed record therefore stays, as
approved, in the current release; a record held back or withheld since leaves at the next
approval (the candidate shows it as removed).
"""

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from forms.models import Form
from privacy.disclosure.dataset import disclosure_run
from privacy.models import AnonymisedRecord, DisclosurePending, DisclosureRun, Release
from privacy.review.approvals import rules_approved_check
from privacy.review.refusals import (
    NothingToRelease,
    ReleaseChanged,
    ReleaseNotOpen,
    StaleHash,
    StillChecking,
    StillRerunning,
    WithholdRefused,
)
from privacy.review.snapshot import (
    changes_since,
    eligible,
    freeze,
    latest_approved,
    snapshot_hash,
)


def content_hash(records, *, base: Release | None = None) -> str:
    """The hash of a candidate made of ``records`` over ``base`` (see ``snapshot_hash``)."""
    return snapshot_hash(records, frozen=False, base=base)


def release_open(*, form: Form, user) -> Release:
    """A candidate: every eligible record as it is now, judged on current data, with its hash
    and what changed since the release analysts read. Refused when nothing would change."""
    rules_approved_check(form, eligible(form))  # a form manager's rules are a proposal
    _rerun_finished_check(form)
    with transaction.atomic():
        Form.objects.select_for_update().get(pk=form.pk)  # one open/approve of a form at a time
        # Judged on current data, under the lock: a record written after the run read the
        # records marks the form pending in its own transaction (see disclosure_schedule), and
        # is refused below rather than frozen unchecked.
        run = disclosure_run(form_id=form.pk)
        base = latest_approved(form)
        changes = changes_since(form, base)
        if not (changes["added"] or changes["changed"] or changes["removed"]):
            raise NothingToRelease(
                "Nothing changed since the last approved release: no record to add, change or "
                "remove."
            )
        records = eligible(form)
        ids = [str(pk) for pk in records.order_by("created_at").values_list("pk", flat=True)]
        if DisclosurePending.objects.filter(form=form).exists():
            raise StillChecking(
                "New records arrived while the candidate was being built; they have not been "
                "checked for disclosure risk yet. Open the candidate again in a minute."
            )
        form.releases.filter(state=Release.State.OPEN).update(state=Release.State.SUPERSEDED)
        release = Release.objects.create(
            form=form,
            content_hash=content_hash(records, base=base),
            record_ids=ids,
            risk={**_risk_snapshot(run), "since": changes},
            rule_sets={v.version: v.current_rule_set.number for v in form.versions.all()},
            opened_by=user,
        )
        audit_record(
            actor=user,
            action="release.open",
            project=form.project,
            target=f"{form.form_id} release {release.pk}",
            details={"records": len(ids), "content_hash": release.content_hash, **changes},
        )
    return release


def _rerun_finished_check(form: Form) -> None:
    """Refuse while records are still anonymised under a version's previous rules: a rules
    change (a name made ``drop``, say) applies to a release only once every record has it."""
    for version in form.versions.all():
        current = version.current_rule_set
        stale = eligible(form).filter(version=version).exclude(rule_set=current)
        if current is not None and stale.exists():
            raise StillRerunning(
                f"Records of version {version.version} are still being anonymised again under "
                f"rule set #{current.number}. Open the release once the re-run has finished "
                "(its progress is on the rules page)."
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


def release_approve(*, release: Release, user, approved_hash: str) -> Release:
    """Release exactly what was reviewed, or nothing.

    Serialised per form: the form row is locked first, then the release is read again, so of
    two approvals racing, the second finds it approved and is refused (409). The records are
    copied, then the copy is hashed: if it is not what the DPO reviewed (records changed, or
    another release was approved meanwhile) the transaction rolls back and nothing changed."""
    with transaction.atomic():
        Form.objects.select_for_update().get(pk=release.form_id)
        release = Release.objects.select_for_update().select_related("form").get(pk=release.pk)
        if release.state != Release.State.OPEN:
            raise ReleaseNotOpen(
                f"This candidate is {release.get_state_display().lower()}, no longer open: "
                "open a new one to release what changed since."
            )
        if approved_hash != release.content_hash:
            raise StaleHash(
                "The hash you approved is not this candidate's hash: reload the candidate and "
                "review it again."
            )
        rules_approved_check(release.form, eligible(release.form))
        base = latest_approved(release.form)
        count = freeze(release)
        if snapshot_hash(release.frozen.all(), frozen=True, base=base) != release.content_hash:
            raise ReleaseChanged(
                "The records changed since this candidate was opened (new rules, suppression, "
                "withholding or edits), or another release was approved. Open a new candidate "
                "and review it again."
            )
        now = timezone.now()
        first = AnonymisedRecord.objects.filter(
            pk__in=release.frozen.values("record_id"), released_at__isnull=True
        )
        first.update(released_at=now, release=release)  # retention counts from first release
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
            },
        )
    return release


def record_withhold(*, record: AnonymisedRecord, user, reason: str) -> AnonymisedRecord:
    """Keep a record out of every future release. One already released stays, as approved, in
    the current release until the DPO approves the next candidate, which leaves it out."""
    if not reason.strip():
        raise WithholdRefused("Give a reason for withholding this record.")
    if record.withheld_at is not None:
        raise WithholdRefused("This record is already withheld.")
    record.withheld_at = timezone.now()
    record.withheld_reason = reason.strip()
    record.save(update_fields=["withheld_at", "withheld_reason", "updated_at"])
    audit_record(
        actor=user,
        action="record.withhold",
        project=record.form.project,
        target=f"{record.form.form_id} record {record.pk}",
        reason=reason.strip(),
        details={"released": record.released_at is not None},
    )
    return record
