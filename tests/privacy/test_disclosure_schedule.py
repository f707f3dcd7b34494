"""A busy form gets one disclosure-control run queued at a time, not one per batch: delayed
tasks piling up in the workers used to stall anonymisation for up to 30 s under steady load
(found by the soak benchmark). A run whose message was lost is re-queued by the sweep."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from privacy import tasks
from privacy.anonymisation import services
from privacy.disclosure import dataset, scheduling, suppression
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
    protect = suppression.local_suppression

    def change_meanwhile(*args, **kwargs):
        AnonymisedRecord.objects.filter(pk=changed.pk).update(
            content_hash="new", data={"case_number": "new pseudonym"}
        )
        return protect(*args, **kwargs)

    monkeypatch.setattr(suppression, "local_suppression", change_meanwhile)
    dataset.disclosure_run(form_id=privacy_form.form_id)

    changed.refresh_from_db()
    assert changed.published == {"case_number": "new pseudonym"}
    assert changed.verdict_in_force is None  # not judged on what the run read: no release holds it
    others = AnonymisedRecord.objects.exclude(pk=changed.pk)
    # The rest were written: 3 records under k = 5 are held back (before the run, none was).
    assert all(record.held for record in others)


def test_an_unchanged_form_is_recognised_by_its_fingerprint(
    submit, privacy_form, queued, django_capture_on_commit_callbacks
):
    """The fingerprint (computed by PostgreSQL itself there) is the documented SHA-256 over the
    settings (k, mode, missing-value convention, quasi-identifiers, dimensions), the number of
    records and the sum of a 64-bit hash of each "id:content hash:service point:month"
    (PostgreSQL's hashtextextended there, a 60-bit MD5 prefix elsewhere), so an unchanged form
    is not recomputed, and a changed convention is."""
    for n in range(3):
        _anonymise(submit, django_capture_on_commit_callbacks, f"uuid:fp{n}")
    form = privacy_form.form
    project = form.project
    names = dataset.quasi_identifiers(form)
    total = 0
    values = AnonymisedRecord.objects.values_list("pk", "content_hash", "service_point", "month")
    for pk, content_hash, point, month in values:
        text = f"{pk}:{content_hash}:{point}:{month}"
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT hashtextextended(%s, 0)", [text])
                total += cursor.fetchone()[0]
        else:
            total += int(hashlib.md5(text.encode()).hexdigest()[:15], 16)
    expected = hashlib.sha256(
        f"{project.k_anonymity}|{project.disclosure_mode}|{project.missing_values}|"
        f"{'|'.join(names)}|dimensions:service_point,country,national_society,network,"
        f"visit_month|3|{total}".encode()
    )

    first = dataset.disclosure_run(form_id=form.pk)

    assert first.fingerprint == expected.hexdigest()
    assert dataset.disclosure_run(form_id=form.pk).pk == first.pk  # unchanged: not recomputed
    AnonymisedRecord.objects.filter(pk=values[0][0]).update(month="2020-01")
    moved = dataset.disclosure_run(form_id=form.pk)
    assert moved.pk != first.pk  # a record's month is part of it
    project.missing_values = "any"
    project.save()
    assert dataset.disclosure_run(form_id=form.pk).pk != moved.pk  # the convention changed
