"""A run's verdicts written to PostgreSQL as binary COPY built by numpy (``columns.verdicts_write``
for streamed columns): every verdict when many changed, only the changed ones when few did.

Why both: the first run of a form, or one after a change of k or rules, rewrites most verdicts,
and emptying the form's partition and filling it in uuid order is the fastest way (TRUNCATE, see
``columns.verdicts_empty``). A run after a few edits changes a few verdicts: writing a million
to change a thousand was most of a re-check. The run reads each record's verdict in force with
its answers (``stream.columns_stream``), so the changed ones are known without another query.
Either way the writes are in the run's transaction: readers see the old set or the new one.
"""

import io
import json
from collections.abc import Iterator

import numpy as np
from django.db import connection

from privacy.disclosure.columns import (
    Columns,
    verdicts_empty,
    verdicts_kept_restore,
    verdicts_partition,
)
from privacy.disclosure.scope import rule_set_ids
from privacy.models import AnonymisedRecord

COPY_CHUNK = 1 << 17  # rows built at a time: a few MB, whatever the form's size
# Up to this share of a form's verdicts changed, only they are written (each one an index
# lookup, a new row version and dead one for vacuum); beyond it the partition is refilled.
CHANGED_SHARE = 0.2
COLUMNS = "record_id, form_id, content_key, suppressed, held, fk"
READ = 1 << 18  # bytes COPY asks for at a time


def _copy_dtype(width: int) -> np.dtype:
    """One row of a binary COPY into a partition of ``RecordVerdict``: a field count, then
    each field's size and value (a uuid: its 16 bytes, the id's two halves as read; jsonb: a
    version byte, then the text). Every row has one size: the suppressed list's JSON is padded
    with spaces (JSON allows them) to the longest in use, and fk is never null (0: none)."""
    fields = [
        ("id", [("hi", ">i8"), ("lo", ">i8")]),
        ("form", ">i4"),
        ("key", ">i8"),
        ("suppressed", f"S{width}"),
        ("held", "u1"),
        ("fk", ">i4"),
    ]
    pairs = [p for name, kind in fields for p in ((f"{name}_size", ">i4"), (name, kind))]
    return np.dtype([("n", ">i2"), *pairs])


def verdicts_copy(columns: Columns, form_id: int, names: list[str], new) -> int:
    """Write the run's verdicts (``columns.verdicts_write``): a suppressed list coded as a bit
    mask over `names` and written as the JSON of the few masks in use. Returns the number of
    verdicts written."""
    hidden, held, fk = new
    masks = np.zeros(len(hidden), np.int64)
    for j in range(len(names)):  # a column at a time: no (records x names) int64 temporary
        masks[hidden[:, j]] |= 1 << j
    used = np.unique(masks)  # a few masks: a hash table, then a binary search, not a sort
    index = np.searchsorted(used, masks).astype(np.int32)
    del masks
    labels = [
        json.dumps([n for j, n in enumerate(names) if mask >> j & 1]).encode()
        for mask in used.tolist()
    ]
    changed = _changed(columns, labels, index, held, fk)
    rows = _Rows(columns, form_id, labels, index, held, fk)
    with connection.cursor() as cursor:
        part, _made = verdicts_partition(cursor, form_id)
        if changed is not None and len(changed) <= CHANGED_SHARE * len(columns):
            written = verdicts_upsert(cursor, part, rows, changed) if len(changed) else 0
            _stale_delete(cursor, part, form_id, columns)
            return written
    return _rewrite(rows, _uuid_order(columns.ids), form_id)


def _uuid_order(ids: np.ndarray) -> np.ndarray:
    """Positions of (n, 2) uuid halves in uuid order. Random uuids' first halves all differ
    in practice: one sort of them (a third of a two-key lexsort's time), and the lexsort only
    when two are equal."""
    sign = np.int64(-(1 << 63))  # uuids sort as unsigned bytes: flip the sign bit
    high = ids[:, 0] ^ sign
    order = np.argsort(high)
    ordered = high[order]
    if (ordered[1:] == ordered[:-1]).any():
        return np.lexsort((ids[:, 1] ^ sign, high))
    return order


def _changed(columns: Columns, labels: list[bytes], index, held, fk) -> np.ndarray | None:
    """Positions of the records whose new verdict differs from the one in force (or that had
    none); None when the verdicts in force were not read. A verdict's content key and
    suppressed list are compared through one 64-bit value (key XOR jsonb hash of the list, as
    ``stream.columns_stream`` read them): two different ones agreeing on it (1 in 2^64) would
    leave the old verdict in place."""
    if columns.previous is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT jsonb_hash_extended(x::jsonb, 0) FROM unnest(%s::text[]) "
            "WITH ORDINALITY AS u(x, i) ORDER BY i",
            [[label.decode() for label in labels]],
        )
        label_hashes = np.array([row[0] for row in cursor.fetchall()], np.int64)
    key, state = columns.previous
    # In place, one temporary at a time: this runs beside the run's largest arrays.
    now = np.maximum(fk, 0).astype(np.int64)
    now *= 2
    now += held
    differs = state != now
    del now
    expected = label_hashes[index]
    expected ^= columns.hashes
    differs |= key != expected
    del expected
    return np.flatnonzero(differs)


class _Rows:
    """The binary COPY of the verdicts of chosen records, built a chunk at a time."""

    def __init__(self, columns: Columns, form_id: int, labels, index, held, fk) -> None:
        width = 1 + max((len(label) for label in labels), default=2)
        self.dtype = _copy_dtype(width)
        self.padded = np.array([b"\x01" + label.ljust(width - 1) for label in labels], f"S{width}")
        self.columns, self.form_id, self.index, self.held, self.fk = (
            columns,
            form_id,
            index,
            held,
            fk,
        )

    def file(self, order: np.ndarray) -> "_Stream":
        """A file holding the COPY of the records at ``order``, in that order, each chunk
        built as COPY reads it. Why not a temporary file: writing 80 MB and reading them back
        cost a fifth of a second of a run that rewrites a million verdicts."""
        return _Stream(self._chunks(order))

    def _chunks(self, order: np.ndarray) -> Iterator:
        yield b"PGCOPY\n\xff\r\n\x00" + bytes(8)
        field_names = self.dtype.names or ()
        ids = self.columns.ids
        for start in range(0, len(order), COPY_CHUNK):
            at = order[start : start + COPY_CHUNK]
            rows = np.zeros(len(at), self.dtype)
            rows["n"] = len(field_names) // 2
            for name in field_names[1::2]:
                rows[name] = self.dtype[name[: -len("_size")]].itemsize
            rows["id"]["hi"], rows["id"]["lo"] = ids[at, 0], ids[at, 1]
            rows["form"], rows["key"] = self.form_id, self.columns.hashes[at]
            rows["suppressed"] = self.padded[self.index[at]]
            rows["held"], rows["fk"] = self.held[at], np.maximum(self.fk[at], 0)
            yield rows.view(np.uint8)  # its bytes, not a copy
        yield b"\xff\xff"


class _Stream(io.RawIOBase):
    """A read-only file over generated chunks of bytes (``_Rows.file``)."""

    def __init__(self, chunks: Iterator) -> None:  # of bytes-like objects
        self.chunks, self.left = chunks, memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not len(self.left):
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.left = memoryview(chunk)
        size = min(len(buffer), len(self.left))
        buffer[:size], self.left = self.left[:size], self.left[size:]
        return size


def _rewrite(rows: _Rows, order: np.ndarray, form_id: int) -> int:
    """Every verdict: the form's partition emptied and filled in uuid order (its index is
    filled in order), the withheld records' verdicts kept."""
    with rows.file(order) as body, connection.cursor() as cursor:
        part = verdicts_empty(cursor, form_id)
        cursor.cursor.copy_expert(
            f"COPY {part} ({COLUMNS}) FROM STDIN WITH (FORMAT binary)", body, READ
        )
        written = cursor.rowcount
        verdicts_kept_restore(cursor, part)
    return written


def verdicts_upsert(cursor, part: str, rows: _Rows, changed: np.ndarray) -> int:
    """Only the changed verdicts: copied into a temporary table, then inserted or updated in
    one statement. No ANALYZE: the partition's statistics stay true."""
    cursor.execute(
        "CREATE TEMPORARY TABLE verdict_changed (record_id uuid, form_id integer, "
        "content_key bigint, suppressed jsonb, held boolean, fk integer) ON COMMIT DROP"
    )
    with rows.file(changed) as body:
        cursor.cursor.copy_expert(
            f"COPY verdict_changed ({COLUMNS}) FROM STDIN WITH (FORMAT binary)", body, READ
        )
    cursor.execute(
        f"INSERT INTO {part} ({COLUMNS}) SELECT {COLUMNS} FROM verdict_changed "  # noqa: S608 - model tables
        "ON CONFLICT (record_id, form_id) DO UPDATE SET content_key = EXCLUDED.content_key, "
        "suppressed = EXCLUDED.suppressed, held = EXCLUDED.held, fk = EXCLUDED.fk"
    )
    written = cursor.rowcount
    cursor.execute("DROP TABLE verdict_changed")
    return written


def _stale_delete(cursor, part: str, form_id: int, columns: Columns) -> None:
    """Drop the verdicts of records the run neither read nor keeps (replaced by an edit, or
    left under replaced rules, since the last run; see ``scope``), as emptying the partition
    would: the partition holds the verdicts of the records read and of the withheld ones.
    Counted first: usually there are none."""
    records, form_id = AnonymisedRecord._meta.db_table, int(form_id)
    cursor.execute(
        f"SELECT (SELECT count(*) FROM {part}), (SELECT count(*) FROM {part} v JOIN {records} r "  # noqa: S608 - model tables
        "ON r.id = v.record_id WHERE r.form_id = %s AND r.withheld_at IS NOT NULL)",
        [form_id],
    )
    total, withheld = cursor.fetchone()
    if total - withheld <= len(columns):  # each record read has its verdict now
        return
    cursor.execute(
        f"DELETE FROM {part} v WHERE NOT EXISTS (SELECT 1 FROM {records} r "  # noqa: S608 - model tables
        "WHERE r.id = v.record_id AND r.form_id = %s AND "
        "(r.withheld_at IS NOT NULL OR (NOT r.superseded AND r.rule_set_id = ANY(%s))))",
        [form_id, rule_set_ids(form_id)[0]],
    )


__all__ = ["verdicts_copy", "verdicts_upsert"]
