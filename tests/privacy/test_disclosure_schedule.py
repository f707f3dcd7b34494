"""A busy form gets one disclosure-control run queued at a time, not one per batch: delayed
tasks per batch piling up in the workers used to stall anonymisation for up to 30 s under steady
load (found by the soak benchmark). A run due moments after the last one is re-queued once for
the time left, so a load's last batch is checked seconds later; a run whose message was lost is
re-queued by the sweep."""

import hashlib
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from privacy import tasks
from privacy.anonymisation import services
from privacy.disclosure import dataset, scheduling, suppression
from privacy.models import AnonymisedRecord, DisclosurePending, DisclosureRun
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


@pytest.fixture
def delayed(monkeypatch):
    """The disclosure-control messages sent with a countdown: (form, seconds)."""
    sent: list[tuple[int, float]] = []

    def apply_async(args, countdown):
        sent.append((args[0], countdown))

    monkeypatch.setattr(tasks.disclosure_control, "apply_async", apply_async)
    return sent


@pytest.fixture
def broker(settings):
    """As with a broker: runs may wait (in-process, without one, they never do)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.WAYPOINT_DISCLOSURE_MIN_INTERVAL = 3
    settings.WAYPOINT_DISCLOSURE_INTERVAL_FACTOR = 2
    settings.WAYPOINT_DISCLOSURE_MAX_INTERVAL = 30


def _last_run_was(form_id: int, *, ago: float, took: float) -> None:
    DisclosureRun.objects.filter(form_id=form_id).update(
        created_at=timezone.now() - timedelta(seconds=ago), seconds=took
    )


def test_the_wait_grows_with_the_last_run_between_a_floor_and_a_cap(broker):
    """A small form is checked again within seconds, a large one after twice its run, and no
    form waits longer than the cap."""
    assert scheduling.disclosure_interval(0.1) == 3
    assert scheduling.disclosure_interval(4) == 8
    assert scheduling.disclosure_interval(100) == 30


def test_a_form_checked_moments_ago_is_requeued_once_for_the_time_left(
    submit, privacy_form, queued, delayed, broker, django_capture_on_commit_callbacks
):
    """The last batch of a load is checked when the form's wait ends, not at the next minute
    sweep; the waiting run is one delayed message, and the run then takes the mark."""
    form_id = privacy_form.form_id
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:first")
    assert tasks.disclosure_control.run(form_id) is not None  # nothing recent: runs at once

    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:second")
    _last_run_was(form_id, ago=1, took=4)  # due 8 s after it: 7 s left
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.disclosure_control.run(form_id) is None
    assert len(delayed) == 1
    assert delayed[0][0] == form_id
    assert 6.5 < delayed[0][1] <= 7
    assert DisclosurePending.objects.filter(form_id=form_id).exists()  # still due

    _last_run_was(form_id, ago=8.5, took=4)  # the delayed message arrives when the wait is over
    DisclosurePending.objects.update(changed_at=timezone.now() - timedelta(seconds=7.5))
    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.disclosure_control.run(form_id)
    assert run_id is not None
    assert DisclosureRun.objects.get(pk=run_id).records == 2
    assert not DisclosurePending.objects.filter(form_id=form_id).exists()
    assert len(delayed) == 1  # ran: nothing re-queued


def test_a_duplicate_message_runs_nothing_twice(
    submit, privacy_form, queued, delayed, broker, django_capture_on_commit_callbacks
):
    """The sweep's copy of a message whose run already happened (or a second delayed message)
    finds no mark: no second run, nothing re-queued."""
    form_id = privacy_form.form_id
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:dup")
    assert tasks.disclosure_control.run(form_id) is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.disclosure_control.run(form_id) is None
    assert DisclosureRun.objects.filter(form_id=form_id).count() == 1
    assert delayed == []


def test_the_sweep_catches_a_waiting_run_whose_delayed_message_was_lost(
    submit, privacy_form, queued, delayed, broker, django_capture_on_commit_callbacks
):
    """A worker restart can lose a delayed message: a mark older than the longest wait is sent
    again by the sweep, and a younger one (its delayed run still on its way) is left alone."""
    form_id = privacy_form.form_id
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:a")
    tasks.disclosure_control.run(form_id)
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:b")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.disclosure_control.run(form_id)  # waits: its delayed message is then lost
    assert len(delayed) == 1

    with django_capture_on_commit_callbacks(execute=True):
        tasks.anonymise_pending()
    assert queued.count(form_id) == 2  # the two marks' own messages; the sweep left it alone

    # older than the longest wait (30 s) and the queue's margin (5 s)
    DisclosurePending.objects.update(since=timezone.now() - timedelta(seconds=36))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.anonymise_pending()
    assert queued.count(form_id) == 3  # the sweep's


@pytest.mark.django_db(transaction=True)
def test_concurrent_messages_for_one_form_make_one_run(submit, privacy_form, queued, monkeypatch):
    """Two workers taking messages for one form at once (a run and the sweep's copy): the second
    returns at once, holding no worker for the first run's length, and computes nothing; the
    form's mark, if records came meanwhile, brings the next run."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL's row locks")
    form_id = privacy_form.form_id
    for n in range(3):
        submit(privacy_instance(f"uuid:concurrent{n}"))  # commits: queues disclosure control
    DisclosureRun.objects.all().delete()  # as if not yet run, the form marked due
    DisclosurePending.objects.get_or_create(form_id=form_id)
    protect = suppression.local_suppression
    second: list = []

    def start_the_second_meanwhile(*args, **kwargs):
        if not second:  # inside the first run, the form locked: a second message arrives
            thread = threading.Thread(target=lambda: second.extend(_run_in_thread(form_id)))
            second.append(thread)
            thread.start()
            time.sleep(1)  # let it reach the form's lock
        return protect(*args, **kwargs)

    monkeypatch.setattr(suppression, "local_suppression", start_the_second_meanwhile)
    assert tasks.disclosure_control.run(form_id) is not None
    finished = time.monotonic()
    second[0].join(timeout=60)

    assert DisclosureRun.objects.filter(form_id=form_id).count() == 1
    assert second[1] is None
    assert second[2] < finished, "the second message waited for the first run"


def _run_in_thread(form_id: int) -> tuple:
    try:
        return tasks.disclosure_control.run(form_id), time.monotonic()
    finally:
        connection.close()


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


def test_while_records_keep_arriving_the_run_waits_for_a_pause_at_most_the_busy_interval(
    submit, privacy_form, queued, delayed, broker, settings, django_capture_on_commit_callbacks
):
    """Under a sustained load a large form is not checked every few seconds (each check took
    the cores from uploads: issue 19's slowest 1 %); the load's last batch is checked once the
    records stop arriving, and a load that never pauses is still checked every busy interval."""
    settings.WAYPOINT_DISCLOSURE_QUIET = 2
    settings.WAYPOINT_DISCLOSURE_BUSY_INTERVAL = 30
    form_id = privacy_form.form_id
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:load-1")
    assert tasks.disclosure_control.run(form_id) is not None
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:load-2")  # marks the form
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:load-3")  # a change meanwhile

    def changed(ago: float) -> None:
        DisclosurePending.objects.filter(form_id=form_id).update(
            changed_at=timezone.now() - timedelta(seconds=ago)
        )

    _last_run_was(form_id, ago=5, took=0.1)  # the 3 s interval is over
    changed(ago=0.5)  # but records arrived half a second ago: wait for the pause
    assert 1.2 < scheduling.disclosure_wait(form_id=form_id, resend=False) <= 1.5

    changed(ago=2.5)  # the load ended: due at once
    assert scheduling.disclosure_wait(form_id=form_id, resend=False) == 0

    _last_run_was(form_id, ago=31, took=0.1)  # a load that never pauses: the busy interval
    changed(ago=0.1)
    assert scheduling.disclosure_wait(form_id=form_id, resend=False) == 0

    _last_run_was(form_id, ago=29.5, took=0.1)  # a pause would come later than the cap
    changed(ago=0)
    assert 0.3 < scheduling.disclosure_wait(form_id=form_id, resend=False) <= 0.5

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.disclosure_control.run(form_id) is None  # waits: one delayed message
    assert len(delayed) == 1
    assert delayed[0][0] == form_id


def test_a_change_under_an_existing_mark_is_remembered(
    submit, privacy_form, queued, django_capture_on_commit_callbacks
):
    """The mark's last change moves with every batch (what the pause is measured from)."""
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:mark-1")
    DisclosurePending.objects.update(changed_at=timezone.now() - timedelta(minutes=1))
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:mark-2")

    changed_at = DisclosurePending.objects.get().changed_at
    assert timezone.now() - changed_at < timedelta(seconds=5)
    assert queued == [privacy_form.form_id]  # still one message


def test_a_batch_between_the_message_and_the_run_requeues_it(
    submit, privacy_form, queued, delayed, broker, settings, django_capture_on_commit_callbacks
):
    """A batch landing after the message found the form due, but before its run took the turn,
    moves the pause on without a message of its own: the turn re-queues the run, or the load's
    last batch would wait for the minute sweep."""
    settings.WAYPOINT_DISCLOSURE_QUIET = 2
    form_id = privacy_form.form_id
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:turn-1")
    assert tasks.disclosure_control.run(form_id) is not None
    _anonymise(submit, django_capture_on_commit_callbacks, "uuid:turn-2")
    _last_run_was(form_id, ago=5, took=0.1)
    DisclosurePending.objects.update(changed_at=timezone.now())  # the batch, just now

    with (
        django_capture_on_commit_callbacks(execute=True),
        scheduling.disclosure_turn(form_id=form_id) as turn,
    ):
        assert not turn
    assert len(delayed) == 1
    assert delayed[0][0] == form_id
    assert 1.5 < delayed[0][1] <= 2
