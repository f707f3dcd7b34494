"""A busy form gets one disclosure-control run queued at a time, not one per batch: delayed
tasks piling up in the workers used to stall anonymisation for up to 30 s under steady load
(found by the soak benchmark). A run whose message was lost is re-queued by the sweep."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from privacy import tasks
from privacy.anonymisation import services
from privacy.disclosure import control, dataset, scheduling
from privacy.models import AnonymisedRecord, DisclosurePending
from sync.models import Submission
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The disclosure-control messages sent to the broker, by form."""
    sent: list[int] = []
    monkeypatch.setattr(tasks.disclosure_control, "delay", sent.append)
    return sent


def _anonymise(submit, capture, instance_id: str) -> None:
    submit(privacy_instance(instance_id))  # anonymisation runs on commit (eager), captured below
    with capture(execute=True):
        services.records_anonymise(
            submission_ids=[Submission.objects.get(instance_id=instance_id).pk]
        )


def test_many_batches_queue_one_run_until_it_starts(
    submit, privacy_form, queued, django_capture_on_commit_callbacks
):
    for n in range(5):
        _anonymise(submit, django_capture_on_commit_callbacks, f"uuid:burst{n}")

    assert queued == [privacy_form.form_id]
    assert DisclosurePending.objects.count() == 1

    dataset.disclosure_run(form_id=privacy_form.form_id)  # the run starts: takes the mark
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:after-start")

    assert queued == [privacy_form.form_id, privacy_form.form_id]


def test_unchanged_records_queue_nothing(
    submit, privacy_form, queued, django_capture_on_commit_callbacks
):
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:same")
    dataset.disclosure_run(form_id=privacy_form.form_id)
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:same")  # a retry, same result

    assert queued == [privacy_form.form_id]


def test_the_sweep_requeues_a_run_whose_message_was_lost(
    submit, privacy_form, queued, django_capture_on_commit_callbacks
):
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:lost")
    DisclosurePending.objects.update(since=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.anonymise_pending()

    assert queued == [privacy_form.form_id, privacy_form.form_id]


def test_a_form_checked_moments_ago_waits_for_the_sweep(
    submit, privacy_form, queued, settings, django_capture_on_commit_callbacks
):
    """Under steady load a form is checked about once a minute, not after every batch, so the
    workers keep anonymising; the change still gets its run from the sweep."""
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with a broker: deferral applies
    settings.WAYPOINT_DISCLOSURE_MIN_INTERVAL = 30
    form_id = privacy_form.form_id
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:first")
    assert tasks.disclosure_control.run(form_id) is not None  # nothing recent: runs at once

    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:second")
    assert tasks.disclosure_control.run(form_id) is None  # deferred, still due
    assert DisclosurePending.objects.filter(form_id=form_id).exists()

    DisclosurePending.objects.update(since=timezone.now() - timedelta(seconds=31))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.anonymise_pending()
    assert queued.count(form_id) == 3  # the first, the second, and the sweep's

    settings.WAYPOINT_DISCLOSURE_MIN_INTERVAL = 0
    assert not scheduling.disclosure_deferred(form_id=form_id)


def test_a_record_changed_during_a_run_is_not_overwritten_with_what_the_run_read(
    submit, privacy_form, queued, monkeypatch, django_capture_on_commit_callbacks
):
    """A re-anonymisation committing while disclosure control computes (new rules, a new
    pseudonym secret) must not have its values replaced by the older ones the run read."""
    for n in range(3):
        _anonymise(submit, django_capture_on_commit_callbacks, f"uuid:race{n}")
    changed = AnonymisedRecord.objects.first()
    encode = control.encode_columns

    def change_meanwhile(*args, **kwargs):
        AnonymisedRecord.objects.filter(pk=changed.pk).update(
            content_hash="new", published={"case_number": "new pseudonym"}
        )
        return encode(*args, **kwargs)

    monkeypatch.setattr(control, "encode_columns", change_meanwhile)
    dataset.disclosure_run(form_id=privacy_form.form_id)

    changed.refresh_from_db()
    assert changed.published == {"case_number": "new pseudonym"}
    others = AnonymisedRecord.objects.exclude(pk=changed.pk)
    assert all(record.fk is not None for record in others)  # the rest were written


def test_an_unchanged_form_is_recognised_by_its_fingerprint(
    submit, privacy_form, queued, django_capture_on_commit_callbacks
):
    """The fingerprint (computed by PostgreSQL itself there) is the documented SHA-256 over the
    settings and the sorted (id, content hash) pairs, so an unchanged form is not recomputed."""
    for n in range(3):
        _anonymise(submit, django_capture_on_commit_callbacks, f"uuid:fp{n}")
    form = privacy_form.form
    names = dataset.quasi_identifiers(form)
    expected = hashlib.sha256(
        f"{form.project.k_anonymity}|{form.project.disclosure_mode}|{'|'.join(names)}".encode()
    )
    for pk, content_hash in sorted(
        (str(pk), h) for pk, h in AnonymisedRecord.objects.values_list("pk", "content_hash")
    ):
        expected.update(f"{pk}:{content_hash};".encode())

    first = dataset.disclosure_run(form_id=form.pk)

    assert first.fingerprint == expected.hexdigest()
    assert dataset.disclosure_run(form_id=form.pk).pk == first.pk  # unchanged: not recomputed
