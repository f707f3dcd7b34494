"""A re-check compares each record with its own verdict in force, read apart from the records
and matched by id: a record never takes another record's verdict, not even when two ids share
their first 8 bytes, and a record without one has none."""

import uuid

import numpy as np

from privacy.disclosure.stream import _matches


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
