"""An upgrade from the first form of PostgreSQL's content keys (MD5) leaves no record unchecked
for good: a verdict under an old key is not in force, so the minute sweep queues a run even for
a form nobody changes; that run writes the same verdicts under today's keys, the records are
publishable again, and the sweep then finds nothing more to do."""

import pytest
from django.db import connection
from django.utils import timezone

from privacy import tasks
from privacy.disclosure import dataset, legacy
from privacy.models import AnonymisedRecord, DisclosurePending
from privacy.review.snapshot import eligible
from tests.factories import AnonymisedRecordFactory, SubmissionFactory
from tests.samples import privacy_instance

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite's content keys never changed"
    ),
]


def _records(privacy_form) -> list:
    people = [("34", "male")] * 6 + [("71", "female")] * 3
    return [
        AnonymisedRecordFactory(
            submission=SubmissionFactory(
                version=privacy_form, xml=privacy_instance(f"uuid:k{n}", age=age, sex=sex)
            )
        )
        for n, (age, sex) in enumerate(people)
    ]


def _old_keys(form_id: int) -> None:
    """The form's verdicts as a database upgraded from the MD5 keys holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_recordverdict v SET content_key = "
            "('x' || left(md5(r.content_hash), 16))::bit(64)::bigint "
            "FROM privacy_anonymisedrecord r WHERE r.id = v.record_id AND v.form_id = %s",
            [form_id],
        )


def _verdicts(form) -> dict:
    """Each record's verdict as a reader finds it (values hidden, held back, fk)."""
    return {
        r.pk: (r.suppressed, r.held, r.fk)
        for r in AnonymisedRecord.objects.filter(form=form).select_related("verdict")
    }


def _sweep(capture) -> None:
    """The minute sweep, its queued runs carried out in-process."""
    with capture(execute=True):
        tasks.anonymise_pending()


def test_the_sweep_renews_old_keys_of_a_form_nobody_changes(
    privacy_form, django_capture_on_commit_callbacks
):
    _records(privacy_form)
    form = privacy_form.form
    first = dataset.disclosure_run(form_id=form.pk)
    before, shown = _verdicts(form), set(eligible(form))
    assert shown
    assert any(held for _, held, _ in before.values())  # the 3 women held back
    _old_keys(form.pk)
    assert not eligible(form).exists()  # a verdict under an old key is not in force
    assert legacy.old_keys_forms() == [form.pk]

    _sweep(django_capture_on_commit_callbacks)

    renewed = form.disclosure_runs.first()
    assert renewed.pk != first.pk  # pages remembering the last run ask again
    assert renewed.fingerprint == first.fingerprint
    assert _verdicts(form) == before
    assert set(eligible(form)) == shown
    assert not DisclosurePending.objects.exists()
    assert legacy.old_keys_forms() == []
    assert dataset.disclosure_run(form_id=form.pk).pk == renewed.pk  # unchanged: skipped again


def test_a_withheld_records_old_key_brings_no_run_every_minute(
    privacy_form, django_capture_on_commit_callbacks
):
    """A run keeps a withheld record's verdict as it is (it does not judge it): its old key
    must not make the sweep queue a run each minute for ever."""
    made = _records(privacy_form)
    form = privacy_form.form
    dataset.disclosure_run(form_id=form.pk)
    AnonymisedRecord.objects.filter(pk=made[0].pk).update(withheld_at=timezone.now())
    _old_keys(form.pk)

    _sweep(django_capture_on_commit_callbacks)
    runs = form.disclosure_runs.count()
    _sweep(django_capture_on_commit_callbacks)

    assert legacy.old_keys_forms() == []
    assert form.disclosure_runs.count() == runs
    assert set(eligible(form)) >= {r for r in made[1:6]}  # the men still shown, under new keys
