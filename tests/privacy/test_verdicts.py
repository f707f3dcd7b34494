"""Disclosure control replaces a form's verdicts in one go: a DPO's page, a release being opened
or any other reader of the verdicts sees the set before the run or the set after it, never
some records judged by one and some by the other (PostgreSQL: the form's verdicts are a
partition the run empties and fills in one transaction, or, when few changed, in which it
rewrites only those, in one transaction too)."""

import threading

import pytest
from django.db import connection

from privacy.disclosure import dataset, stream, verdicts
from privacy.models import AnonymisedRecord, DisclosureRun, RecordVerdict, content_key
from privacy.review.snapshot import eligible
from tests.factories import AnonymisedRecordFactory, SubmissionFactory
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db(transaction=True)


def _verdicts(form) -> list[tuple]:
    """What a reader sees: each eligible record's suppressed values, in record order."""
    return [tuple(r.suppressed) for r in eligible(form).select_related("verdict").order_by("pk")]


def _records(privacy_form, people: list[tuple[str, str]]) -> list:
    return [
        AnonymisedRecordFactory(
            submission=SubmissionFactory(
                version=privacy_form, xml=privacy_instance(f"uuid:v{n}", age=age, sex=sex)
            )
        )
        for n, (age, sex) in enumerate(people)
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"
)
@pytest.mark.parametrize("path", ["every verdict", "changed verdicts only"])
def test_a_reader_never_sees_a_half_written_verdict_set(privacy_form, project, monkeypatch, path):
    made = _records(privacy_form, [("34", "male")] * 6 + [("71", "female")] * 6)
    form = privacy_form.form
    dataset.disclosure_run(form_id=form.pk)
    old = _verdicts(form)
    assert len(old) == 12
    assert set(old) == {()}
    if path == "every verdict":  # a run after k changed rewrites every verdict
        project.k_anonymity = 7  # now only hiding values brings the 12 records together
        project.save()
    else:  # a re-check after edits: three of each age now answer the other sex, so only
        # hiding sex brings each age's six records together again (k = 5)
        for record, sex in [(r, "female") for r in made[3:6]] + [(r, "male") for r in made[6:9]]:
            AnonymisedRecord.objects.filter(pk=record.pk).update(
                quasi={**record.quasi, "sex": sex},
                data={**record.data, "sex": sex},
                content_hash=f"edited {record.pk}",
            )
    before = _verdicts(form)  # what a reader sees until the run commits (edited: no verdict)

    written, go = threading.Event(), threading.Event()
    last_write = "verdicts_kept_restore" if path == "every verdict" else "verdicts_upsert"
    write = getattr(verdicts, last_write)
    # Every verdict changes here: the share that still writes only the changed ones.
    monkeypatch.setattr(verdicts, "CHANGED_SHARE", 0.0 if path == "every verdict" else 1.0)

    def pause_before_commit(*args, **kwargs):
        result = write(*args, **kwargs)
        written.set()  # the new verdicts are in, not committed
        assert go.wait(30)
        return result

    monkeypatch.setattr(verdicts, last_write, pause_before_commit)
    seen: list = []

    def run() -> None:
        try:
            dataset.disclosure_run(form_id=form.pk)
        finally:
            connection.close()

    def read() -> None:
        try:
            seen.append(_verdicts(form))
        finally:
            connection.close()

    writer = threading.Thread(target=run)
    writer.start()
    assert written.wait(30)
    reader = threading.Thread(target=read)
    reader.start()
    reader.join(1)  # reading while the run has not committed yet
    go.set()
    writer.join(30)
    reader.join(30)

    new = _verdicts(form)
    assert len(new) == 12
    assert () not in set(new)
    assert seen in ([before], [new])


def _in_force(form) -> dict:
    """Every verdict of the form, as a reader of any record (eligible or not) would find it."""
    return {
        v.record_id: (v.content_key, sorted(v.suppressed), v.held, v.fk)
        for v in RecordVerdict.objects.filter(form_id=form.pk)
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="streamed verdicts: PostgreSQL")
def test_rewriting_only_the_changed_verdicts_leaves_what_a_full_rewrite_leaves(
    privacy_form, monkeypatch
):
    """After an edit that breaks a group (and a record replaced by an edit), the verdicts a
    re-check writes for the few changed records are exactly those of a run writing them all:
    the edited group's values hidden, the replaced record's verdict gone."""
    made = _records(privacy_form, [("34", "male")] * 6 + [("71", "female")] * 5)
    form = privacy_form.form
    dataset.disclosure_run(form_id=form.pk)
    edited = made[-1]
    AnonymisedRecord.objects.filter(pk=edited.pk).update(
        quasi={**edited.quasi, "age": "30-39"},
        data={**edited.data, "age": "30-39"},
        content_hash="edited",
    )
    AnonymisedRecord.objects.filter(pk=made[0].pk).update(superseded=True)
    calls = {"upsert": 0, "rewrite": 0}
    for name in calls:
        real = getattr(verdicts, f"_{name}" if name == "rewrite" else "verdicts_upsert")

        def counted(*args, real=real, name=name, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(
            verdicts, "_rewrite" if name == "rewrite" else "verdicts_upsert", counted
        )

    share = verdicts.CHANGED_SHARE
    monkeypatch.setattr(verdicts, "CHANGED_SHARE", 1.0)  # 5 of 11 changed: still only those
    dataset.disclosure_run(form_id=form.pk)
    changed_only = _in_force(form)
    # The same records judged afresh: every verdict written.
    DisclosureRun.objects.filter(form=form).delete()
    RecordVerdict.objects.filter(form_id=form.pk).delete()
    monkeypatch.setattr(verdicts, "CHANGED_SHARE", share)
    dataset.disclosure_run(form_id=form.pk)

    assert calls == {"upsert": 1, "rewrite": 1}
    assert changed_only == _in_force(form)
    assert made[0].pk not in changed_only
    assert changed_only[edited.pk][0] == content_key("edited")
    hidden = [pk for pk, (_, suppressed, _, _) in changed_only.items() if suppressed]
    assert hidden  # the four women left in their group and the edited record: values hidden


@pytest.mark.skipif(connection.vendor != "postgresql", reason="streamed fingerprint: PostgreSQL")
def test_a_form_checked_once_is_not_checked_again_until_it_changes(privacy_form):
    """A form's first run sums its fingerprint from the records it reads; the next run,
    computing it in the database, finds the same and reuses the run."""
    _records(privacy_form, [("34", "male")] * 5)
    form = privacy_form.form
    DisclosureRun.objects.filter(form=form).delete()

    first = dataset.disclosure_run(form_id=form.pk)
    again = dataset.disclosure_run(form_id=form.pk)

    assert again.pk == first.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="streamed verdicts: PostgreSQL")
def test_a_run_after_k_changed_leaves_what_a_first_run_leaves(privacy_form, project, monkeypatch):
    """A run after k changed does not read the verdicts in force (most change: it rewrites
    them all), and leaves exactly the verdicts a first run over the same records leaves: none
    for a record replaced since the last run."""
    made = _records(privacy_form, [("34", "male")] * 6 + [("71", "female")] * 6)
    form = privacy_form.form
    dataset.disclosure_run(form_id=form.pk)
    AnonymisedRecord.objects.filter(pk=made[0].pk).update(superseded=True)
    project.k_anonymity = 6
    project.save()
    read: list = []
    real = stream._previous
    monkeypatch.setattr(stream, "_previous", lambda *args: read.append(args) or real(*args))

    run = dataset.disclosure_run(form_id=form.pk)
    after_k = _in_force(form)
    DisclosureRun.objects.filter(form=form).delete()
    RecordVerdict.objects.filter(form_id=form.pk).delete()
    dataset.disclosure_run(form_id=form.pk)

    assert run.k == 6
    assert read == []
    assert after_k == _in_force(form)
    assert made[0].pk not in after_k
    assert len(after_k) == 11
    assert any(suppressed or held for _, suppressed, held, _ in after_k.values())
