"""Upgrading to frozen releases (privacy 0006) keeps every deployment's results: what analysts
read before the upgrade (released, not superseded records, as published) becomes the frozen
content of each form's latest approved release, and running it twice adds nothing."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from privacy.models import AnonymisedRecord, Release, ReleasedRecord
from results.released import released_records
from tests.factories import AnonymisedRecordFactory, SubmissionFactory
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db
migration = importlib.import_module("privacy.migrations.0006_freeze_approved_releases")


def old_approval(form, records, user) -> Release:
    """A release approved as before frozen releases: the records marked, nothing copied."""
    now = timezone.now()
    release = Release.objects.create(
        form=form,
        state=Release.State.APPROVED,
        content_hash="x",
        record_ids=[str(r.pk) for r in records],
        risk={},
        rule_sets={},
        opened_by=user,
        approved_by=user,
        approved_at=now,
    )
    AnonymisedRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        released_at=now, release=release
    )
    return release


def test_each_forms_latest_approved_release_freezes_what_analysts_read(privacy_form, dpo):
    made = [
        AnonymisedRecordFactory(
            submission=SubmissionFactory(version=privacy_form, xml=privacy_instance(f"uuid:m{n}"))
        )
        for n in range(5)
    ]
    form = privacy_form.form
    first = old_approval(form, made[:2], dpo)
    latest = old_approval(form, made[2:4], dpo)  # made[4] was never released
    AnonymisedRecord.objects.filter(pk=made[1].pk).update(superseded=True)  # edited since
    AnonymisedRecord.objects.filter(pk=made[0].pk).update(published={"sex": "male"})
    read_before = {
        str(r.pk): r.published
        for r in AnonymisedRecord.objects.filter(released_at__isnull=False, superseded=False)
    }

    for _ in range(2):  # idempotent
        migration.freeze_approved_releases(apps, SimpleNamespace(connection=connection))

    assert not ReleasedRecord.objects.filter(release=first).exists()
    frozen = {str(r.record_id): r.data for r in released_records(form)}
    assert frozen == read_before
    assert set(frozen) == {str(made[0].pk), str(made[2].pk), str(made[3].pk)}
    assert frozen[str(made[0].pk)] == {"sex": "male"}
    assert ReleasedRecord.objects.filter(release=latest).count() == 3
