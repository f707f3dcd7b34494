"""Releases: a DPO opens a candidate (a hash-identified set of records judged on current data),
approves exactly that set, or withholds a record; nothing reaches analysts any other way."""

import hashlib

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from forms.models import Form
from privacy.disclosure.dataset import disclosure_run
from privacy.models import AnonymisedRecord, DisclosureRun, Release
from privacy.review.refusals import NothingToRelease, ReleaseChanged, WithholdRefused


def _candidates(form: Form):
    return AnonymisedRecord.objects.filter(
        form=form,
        released_at__isnull=True,
        held=False,
        withheld_at__isnull=True,
        superseded=False,
    )


def content_hash(records) -> str:
    """What the DPO approves: every record's id, content, suppressions and status."""
    digest = hashlib.sha256()
    for row in sorted(
        records.values_list(
            "pk", "content_hash", "suppressed", "held", "withheld_at", "superseded"
        ),
        key=lambda r: str(r[0]),
    ):
        digest.update(repr((str(row[0]), *row[1:])).encode())
    return digest.hexdigest()


def release_open(*, form: Form, user) -> Release:
    run = disclosure_run(form_id=form.pk)  # the candidate is judged on current data
    records = _candidates(form)
    ids = [str(pk) for pk in records.values_list("pk", flat=True)]
    if not ids:
        raise NothingToRelease("There are no new records to release.")
    with transaction.atomic():
        form.releases.filter(state=Release.State.OPEN).update(state=Release.State.SUPERSEDED)
        release = Release.objects.create(
            form=form,
            content_hash=content_hash(records),
            record_ids=ids,
            risk=_risk_snapshot(run),
            rule_sets={v.version: v.current_rule_set.number for v in form.versions.all()},
            opened_by=user,
        )
        audit_record(
            actor=user,
            action="release.open",
            project=form.project,
            target=f"{form.form_id} release {release.pk}",
            details={"records": len(ids), "content_hash": release.content_hash},
        )
    return release


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
    """Release exactly what was reviewed: refuse if the hash differs or anything changed."""
    if release.state != Release.State.OPEN:
        raise ReleaseChanged("This candidate is no longer open; open a new one.")
    if approved_hash != release.content_hash:
        raise ReleaseChanged("The hash you approved is not this candidate's hash.")
    with transaction.atomic():
        records = AnonymisedRecord.objects.select_for_update().filter(pk__in=release.record_ids)
        if len(records) != len(release.record_ids) or content_hash(records) != release.content_hash:
            raise ReleaseChanged(
                "The records changed since this candidate was opened (new rules, suppression, "
                "withholding or edits). Open a new candidate and review it again."
            )
        now = timezone.now()
        records.update(released_at=now, release=release)
        release.state = Release.State.APPROVED
        release.approved_by, release.approved_at = user, now
        release.save(update_fields=["state", "approved_by", "approved_at"])
        audit_record(
            actor=user,
            action="release.approve",
            project=release.form.project,
            target=f"{release.form.form_id} release {release.pk}",
            details={"records": len(release.record_ids), "content_hash": release.content_hash},
        )
    return release


def record_withhold(*, record: AnonymisedRecord, user, reason: str) -> AnonymisedRecord:
    if not reason.strip():
        raise WithholdRefused("Give a reason for withholding this record.")
    if record.released_at is not None:
        raise WithholdRefused("This record was already released.")
    record.withheld_at = timezone.now()
    record.withheld_reason = reason.strip()
    record.save(update_fields=["withheld_at", "withheld_reason", "updated_at"])
    audit_record(
        actor=user,
        action="record.withhold",
        project=record.form.project,
        target=f"{record.form.form_id} record {record.pk}",
        reason=reason.strip(),
    )
    return record
