"""Anonymised records and releases without the pipeline's HTTP, Celery and review steps: a
record is made from its quarantined submission by the real anonymisation
(``privacy.anonymisation.services.record_anonymise``); a release is an approved one, as a DPO's
approval of a reviewed candidate leaves it. Disclosure control is not run: each record gets a
verdict on its content as if it had passed it unchanged; pass ``suppressed`` (or ``held``,
``fk``) to say what it would have decided instead."""

import factory
from django.utils import timezone

from privacy import signals
from privacy.models import AnonymisedRecord, RecordVerdict, Release, content_key
from tests.factories.accounts import UserFactory
from tests.factories.sync import SubmissionFactory


class AnonymisedRecordFactory(factory.Factory):
    """``AnonymisedRecordFactory(submission=SubmissionFactory(version=v, xml=...))``; other
    keyword arguments overwrite fields after anonymisation (``month``, ...) or set its
    verdict (``suppressed``, ``held``, ``fk``)."""

    class Meta:
        model = AnonymisedRecord

    submission = factory.SubFactory(SubmissionFactory)

    @classmethod
    def _create(cls, model_class, submission, **fields):
        from privacy.anonymisation.services import record_anonymise

        record = record_anonymise(submission_id=submission.pk)
        assert record is not None, f"{submission} is not processable (incomplete, encrypted?)"
        verdict = {
            name: fields.pop(name) for name in ("suppressed", "held", "fk") if name in fields
        }
        if fields:
            for name, value in fields.items():
                setattr(record, name, value)
            record.save(update_fields=[*fields, "updated_at"])
        RecordVerdict.objects.update_or_create(
            record=record,
            defaults={"form_id": record.form_id, "suppressed": [], "held": False, "fk": 0}
            | {"content_key": content_key(record.content_hash), **verdict},
        )
        return record

    _build = _create


class ReleaseFactory(factory.Factory):
    """An approved release of ``records`` (default: every eligible record of ``form``: current,
    not held, not withheld), frozen into ReleasedRecords, as
    ``release_approve`` does. Like an approval, it replaces what analysts read for the form:
    pass every record they should see."""

    class Meta:
        model = Release

    form = factory.LazyAttribute(lambda o: o.records[0].form if o.records else None)
    records = None
    approved_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, form, records, approved_by):
        from privacy.review import content_hash, latest_approved
        from privacy.review.snapshot import eligible, freeze

        if records is None:
            records = eligible(form)
        chosen = AnonymisedRecord.objects.filter(pk__in=[record.pk for record in records])
        now = timezone.now()
        release = Release.objects.create(
            form=form,
            state=Release.State.APPROVED,
            content_hash=content_hash(chosen, base=latest_approved(form)),
            record_count=chosen.count(),
            risk={},
            rule_sets={v.version: v.current_rule_set.number for v in form.versions.all()},
            opened_by=approved_by,
            approved_by=approved_by,
            approved_at=now,
        )
        freeze(release, chosen)  # records are not stamped: their first release is read from here
        # as release_approve's on_commit: results computes the release's table lattice
        signals.release_approved.send(None, release_id=release.pk)
        return release

    _build = _create


def microdata_approve(release: Release, user=None, excluded=()) -> Release:
    """Mark ``release``'s row-level records approved, none left out unless ``excluded`` (record
    ids), as ``privacy.review.microdata.microdata_approve`` leaves it without computing its
    report: for tests of what analysts then download."""
    release.microdata_risk = {"excluded_ids": [str(pk) for pk in excluded], "reason": "test"}
    release.microdata_approved_by = user or release.approved_by
    release.microdata_approved_at = timezone.now()
    release.save(update_fields=["microdata_risk", "microdata_approved_by", "microdata_approved_at"])
    return release


def frozen_release(form, dpo, *, rule_sets: dict | None = None) -> Release:
    """An approved release with no candidate behind it, whose frozen records the caller writes
    (synthetic releases of tests and benchmarks: nothing to hash, no lattice yet)."""
    return Release.objects.create(
        form=form,
        state=Release.State.APPROVED,
        content_hash="synthetic",
        risk={},
        rule_sets=rule_sets or {},
        opened_by=dpo,
        approved_by=dpo,
        approved_at=timezone.now(),
    )
