"""Disclosure control replaces a form's verdicts in one go: a DPO's page, a release being opened
or any other reader of the verdicts sees the set before the run or the set after it, never
some records judged by one and some by the other (PostgreSQL: the form's verdicts are a
partition the run empties and fills in one transaction)."""

import threading

import pytest
from django.db import connection

from privacy.disclosure import columns, dataset, stream
from privacy.review.snapshot import eligible
from tests.factories import AnonymisedRecordFactory, SubmissionFactory
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db(transaction=True)


def _verdicts(form) -> list[tuple]:
    """What a reader sees: each eligible record's suppressed values, in record order."""
    return [tuple(r.suppressed) for r in eligible(form).select_related("verdict").order_by("pk")]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"
)
def test_a_reader_never_sees_a_half_written_verdict_set(privacy_form, project, monkeypatch):
    people = [("34", "male")] * 6 + [("71", "female")] * 6
    for n, (age, sex) in enumerate(people):
        AnonymisedRecordFactory(
            submission=SubmissionFactory(
                version=privacy_form, xml=privacy_instance(f"uuid:v{n}", age=age, sex=sex)
            )
        )
    form = privacy_form.form
    dataset.disclosure_run(form_id=form.pk)
    old = _verdicts(form)
    assert len(old) == 12
    assert set(old) == {()}
    project.k_anonymity = 7  # now only hiding values brings the 12 records together
    project.save()

    written, go = threading.Event(), threading.Event()
    restore = columns.verdicts_kept_restore

    def pause_before_commit(*args, **kwargs):
        restore(*args, **kwargs)
        written.set()  # the new verdicts are in, not committed
        assert go.wait(30)

    monkeypatch.setattr(columns, "verdicts_kept_restore", pause_before_commit)
    monkeypatch.setattr(stream, "verdicts_kept_restore", pause_before_commit)
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
    assert seen in ([old], [new])
