"""A re-check compares each record with its own verdict in force, read apart from the records
and matched by id: a record never takes another record's verdict, not even when two ids share
their first 8 bytes, and a record without one has none. The records' redaction counts come
with them."""

import uuid

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from privacy.disclosure import dataset, stream
from privacy.disclosure.stream import _matches
from tests.factories import AnonymisedRecordFactory, SubmissionFactory
from tests.samples import privacy_instance


def _halves(ids: list[uuid.UUID]) -> np.ndarray:
    return np.array(
        [np.frombuffer(u.bytes, ">i8").astype(np.int64) for u in ids], np.int64
    ).reshape(-1, 2)


def test_each_record_finds_its_own_verdict_or_none():
    shared = uuid.uuid4().bytes[:8]
    twins = [uuid.UUID(bytes=shared + uuid.uuid4().bytes[8:]) for _ in range(3)]
    others = [uuid.uuid4() for _ in range(50)]
    records = others[:40] + twins + [uuid.uuid4()]  # the last has no verdict
    verdicts = list(reversed(others)) + twins[::-1]  # not in the records' order
    at = _matches(_halves(records), _halves(verdicts))

    found = {records[i]: verdicts[j] for i, j in enumerate(at.tolist()) if j >= 0}
    assert found == {u: u for u in records[:-1]}
    assert at[-1] == -1
    assert (_matches(_halves(records), np.zeros((0, 2), np.int64)) == -1).all()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="streamed columns: PostgreSQL")
@pytest.mark.parametrize("texts", [stream.REDACTION_TEXTS, 1], ids=["streamed", "summed in SQL"])
def test_a_run_counts_the_redactions_of_the_records_it_reads(privacy_form, monkeypatch, texts):
    """The redaction counts summed from the distinct ``redactions`` streamed with the records
    (or, with too many distinct ones, by PostgreSQL) are those of every record read, withheld
    ones left out."""
    monkeypatch.setattr(stream, "REDACTION_TEXTS", texts)
    counts = [{"name": 2}, {"name": 2}, {"name": 1, "phone": 3}, {}, {"email": 5}, {"name": 2}]
    for n, redactions in enumerate(counts):
        AnonymisedRecordFactory(
            submission=SubmissionFactory(version=privacy_form, xml=privacy_instance(f"uuid:r{n}")),
            redactions=redactions,
        )
    AnonymisedRecordFactory(
        submission=SubmissionFactory(version=privacy_form, xml=privacy_instance("uuid:w")),
        redactions={"name": 100},
        withheld_at=timezone.now(),
    )

    run = dataset.disclosure_run(form_id=privacy_form.form_id)

    assert run.records == len(counts)
    assert run.redactions == {"email": 5, "name": 7, "phone": 3}
