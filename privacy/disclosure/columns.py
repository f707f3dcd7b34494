"""A form's records as columns of integer codes, read in chunks, and the verdicts written back.

Why columns: a million records read as Python rows (a dict of answers, a list, a tuple each)
took 2.6 GB; as numpy codes they take tens of megabytes. Only what disclosure control needs is
read - id, content hash, service point, visit month, each quasi-identifier and sensitive answer
as text (PostgreSQL extracts them: ``->>``) - a chunk at a time through a server-side cursor,
and coded at once. Row by row the verdicts in force are not read: a run replaces the verdict of
every record it read (``verdicts_write``); streamed, they are, and only the changed ones are
written (``verdicts``).
"""

import io
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.db.models import F, Func, TextField, Value
from django.db.models.fields.json import KeyTextTransform, compile_json_path
from django.db.models.functions import Cast

from privacy.models import AnonymisedRecord, RecordVerdict, content_key

CHUNK = 20_000
NULL = "\\N"  # COPY's text format


class _Coder:
    """Codes of one variable's values in order of first appearance (None = MISSING)."""

    def __init__(self) -> None:
        self.index: dict = {}

    def codes(self, values: Iterable) -> np.ndarray:
        index = self.index
        return np.fromiter(
            (-1 if v is None else index.setdefault(v, len(index)) for v in values), np.int64
        )

    @property
    def categories(self) -> list:
        return list(self.index)


@dataclass
class Columns:
    """Every record of a form, one array per variable, in one order."""

    ids: np.ndarray  # uuid text, S36; streamed from PostgreSQL: (n, 2) int64 halves
    hashes: np.ndarray  # content hash, S64; streamed: int64 hashtextextended(content_hash, 0)
    keys: np.ndarray  # (n, quasi-identifiers) codes, MISSING = -1
    categories: list[list]
    sensitive: dict[str, np.ndarray]
    cells: np.ndarray  # service point x visit month
    cell_pairs: list[tuple]  # (service point id, visit month) of each cell code
    redactions: dict[str, int] = field(default_factory=dict)
    # Streamed with a form (``stream.columns_stream``): each record's verdict in force, as
    # (content key XOR hash of the suppressed list's text, fk * 2 + held or -1 for none)...
    previous: tuple[np.ndarray, np.ndarray] | None = None
    # ... and (records, sum of their fingerprint terms): ``dataset._fingerprint`` unread.
    fingerprint: tuple[int, int] | None = None

    def __len__(self) -> int:
        return len(self.ids)


def _text(value) -> str | None:
    """On SQLite the values arrive as Python values: the same text PostgreSQL's ``->>`` gives."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, list | dict) else str(value)


def columns_read(
    records,
    names: list[str],
    sensitive: list[str],
    month: str,
    form_id: int | None = None,
    expected: int | None = None,
    fingerprint: bool = True,
    previous: bool = True,
) -> Columns:
    """Read `records` (a queryset of AnonymisedRecord) as `Columns`: on PostgreSQL coded by
    the database and streamed (``stream``; with, unless ``previous`` is False, the verdicts of
    ``form_id`` in force and, if ``fingerprint``, the run's fingerprint sum), else row by row
    here. ``expected``: their number if known (else counted), to size the buffers."""
    if connection.vendor == "postgresql":
        from privacy.disclosure import stream  # it builds on this module

        if stream.streamable(names, sensitive):
            return stream.columns_stream(
                records, names, sensitive, month, form_id, expected, fingerprint, previous
            )
    sources = [(name, "quasi") for name in names] + [(name, "data") for name in sensitive]
    texts = {
        **{f"q{i}": KeyTextTransform(name, "quasi") for i, name in enumerate(names)},
        **{f"s{i}": KeyTextTransform(name, "data") for i, name in enumerate(sensitive)},
    }
    # Django's SQLite key-text transform answers JSON null with the text 'null', where
    # PostgreSQL's ->> answers NULL: read the JSON type too, so that missing is missing on both.
    kinds = (
        {
            f"k{j}": Func(
                F(field),
                Value(compile_json_path([name])),
                function="JSON_TYPE",
                output_field=TextField(),
            )
            for j, (name, field) in enumerate(sources)
        }
        if connection.vendor == "sqlite"
        else {}
    )
    fields = ["id_text", "content_hash", "service_point_id", "visit"]
    query = records.order_by().annotate(
        id_text=Cast("id", TextField()),
        visit=F(month),
        **texts,
        **kinds,
    )
    quasi, sens = [_Coder() for _ in names], [_Coder() for _ in sensitive]
    cell_coder = _Coder()
    dtypes = {"ids": "S36", "hashes": "S64", "cells": np.int64}
    dtypes |= {f"q{i}": np.int64 for i in range(len(names))}
    dtypes |= {f"s{i}": np.int64 for i in range(len(sensitive))}
    # Filled in place (a chunk list concatenated at the end would need twice the memory); the
    # count is a hint: records written meanwhile grow the buffers.
    buffers = _Buffers(dtypes, records.count() if expected is None else expected)
    for chunk in _chunks(query.values_list(*fields, *texts, *kinds)):
        columns = list(zip(*chunk, strict=True))
        start = len(fields)
        for j in range(len(kinds)):
            kind, value = columns[start + len(sources) + j], columns[start + j]
            columns[start + j] = tuple(
                None if k == "null" else v for k, v in zip(kind, value, strict=True)
            )
        buffers.put(
            ids=np.array(columns[0], "S36"),
            hashes=np.array(columns[1], "S64"),
            cells=cell_coder.codes(zip(columns[2], columns[3], strict=True)),
            **{f"q{i}": c.codes(map(_text, columns[start + i])) for i, c in enumerate(quasi)},
            **{
                f"s{i}": c.codes(map(_text, columns[start + len(names) + i]))
                for i, c in enumerate(sens)
            },
        )
    got = buffers.arrays()
    n = len(got["ids"])
    keys = np.zeros((n, len(names)), np.int64)
    for i in range(len(names)):
        keys[:, i] = got.pop(f"q{i}")
    return Columns(
        ids=got["ids"],
        hashes=got["hashes"],
        keys=keys,
        categories=[coder.categories for coder in quasi],
        sensitive={name: got[f"s{i}"] for i, name in enumerate(sensitive)},
        cells=got["cells"],
        cell_pairs=cell_coder.categories,
        redactions=_redactions(records),
    )


class _Buffers:
    """Columns of known dtype filled chunk by chunk, grown if more rows come than expected."""

    def __init__(self, dtypes: dict, capacity: int) -> None:
        self.data = {name: np.zeros(capacity, dtype) for name, dtype in dtypes.items()}
        self.size = 0

    def put(self, **chunk: np.ndarray) -> None:
        rows = len(chunk["ids"])
        end = self.size + rows
        for name, values in chunk.items():
            if end > len(self.data[name]):
                grown = np.zeros(max(end, 2 * len(self.data[name])), self.data[name].dtype)
                grown[: self.size] = self.data[name][: self.size]
                self.data[name] = grown
            self.data[name][self.size : end] = values
        self.size = end

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: array[: self.size] for name, array in self.data.items()}


def _mask(text: str | None, names: list[str]) -> list[bool]:
    hidden = set(json.loads(text) if isinstance(text, str) else text or [])
    return [name in hidden for name in names]


def _chunks(values) -> Iterator[list]:
    """Rows in chunks; on PostgreSQL through a server-side cursor (constant memory)."""
    chunk: list = []
    for row in values.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _redactions(records) -> dict[str, int]:
    """Free-text redactions by type over the records; summed by PostgreSQL where it can."""
    if connection.vendor == "postgresql":
        query, params = records.order_by().values("redactions").query.sql_with_params()
        sql = (
            "SELECT e.key, sum(e.value::numeric)::bigint FROM "  # noqa: S608 - Django-built subquery
            f"({query}) r, jsonb_each_text(r.redactions) e GROUP BY e.key ORDER BY e.key"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {key: int(total) for key, total in cursor.fetchall()}
    totals: dict[str, int] = {}
    for redactions in records.values_list("redactions", flat=True):
        for key, count in (redactions or {}).items():
            totals[key] = totals.get(key, 0) + int(count)
    return dict(sorted(totals.items()))


class _Lines(io.RawIOBase):
    """A file whose content is generated as COPY reads it: no 100 MB string in memory."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines, self.buffer = lines, b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            line = next(self.lines, None)
            if line is None:
                break
            self.buffer += line.encode()
        size = len(self.buffer) if size < 0 else size
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


def verdicts_write(columns: Columns, form_id: int, names: list[str], new) -> int:
    """Replace the verdicts of the form's records by the new ones of the records in
    ``columns``, in the caller's transaction: readers see the old verdicts or the new ones,
    never a mix. Verdicts of records the run did not judge (withheld ones) are kept. A verdict
    names the content it judged (``content_key``): one on a record whose content changed
    since it was read is not in force (its own mark brings the next run). ``new`` is
    (suppressed mask (n, m), held (n,), fk (n,), -1 = None). Returns the number written."""
    hidden, held, fk = new
    labels: dict[bytes, str] = {}

    def suppressed_json(i: int) -> str:
        row = hidden[i]
        key = row.tobytes()
        if key not in labels:
            labels[key] = json.dumps([names[j] for j in np.flatnonzero(row)])
        return labels[key]

    if connection.vendor != "postgresql":
        return _write_orm(columns, form_id, new, suppressed_json)
    if columns.ids.dtype.kind != "S":
        from privacy.disclosure.verdicts import verdicts_copy

        return verdicts_copy(columns, form_id, names, new)
    lines = (
        f"{columns.ids[i].decode()}\t{columns.hashes[i].decode()}\t{suppressed_json(i)}\t"
        f"{'t' if held[i] else 'f'}\t{max(int(fk[i]), 0)}\n"
        for i in range(len(columns))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE disclosure_verdict (id uuid, content_hash text, "
            "suppressed jsonb, held boolean, fk integer) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert("COPY disclosure_verdict FROM STDIN", _Lines(lines))
        part = verdicts_empty(cursor, form_id)
        key = "hashtextextended(t.content_hash, 0)"  # ContentKey
        cursor.execute(
            f"INSERT INTO {part} (record_id, form_id, content_key, suppressed, held, fk) "  # noqa: S608 - no user text
            f"SELECT t.id, %s, {key}, t.suppressed, t.held, t.fk FROM disclosure_verdict t "
            "ORDER BY t.id",
            [form_id],
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE disclosure_verdict")
        verdicts_kept_restore(cursor, part)
    return written


def verdicts_empty(cursor, form_id: int) -> str:
    """PostgreSQL, in the caller's transaction: empty the form's partition of the verdicts for
    the run to fill (its name), keeping aside the verdicts of its withheld records (a run does
    not judge them; an undo brings a record back as it was) for ``verdicts_kept_restore``.

    Why TRUNCATE: the form's verdicts live in a partition of their own (privacy 0008), so the
    old ones go at once and the new ones fill an empty table and index. Deleting a million
    rows and inserting the same keys again took 30 s: every insert checked the unique index
    against the deleted row versions. The partition stays locked until the caller commits:
    a reader of this form's verdicts meanwhile waits, then reads the new set."""
    table, records = RecordVerdict._meta.db_table, AnonymisedRecord._meta.db_table
    form_id = int(form_id)
    cursor.execute(
        "CREATE TEMPORARY TABLE verdict_kept ON COMMIT DROP AS SELECT v.* FROM "  # noqa: S608 - model tables
        f"{table} v JOIN {records} r ON r.id = v.record_id WHERE v.form_id = %s "
        "AND r.form_id = %s AND r.withheld_at IS NOT NULL",
        [form_id, form_id],
    )
    part, _made = verdicts_partition(cursor, form_id)
    cursor.execute(f"TRUNCATE {part}")
    return part


def verdicts_kept_restore(cursor, part: str) -> None:
    """The verdicts ``verdicts_empty`` kept aside, back into the partition; then its
    statistics. Why ANALYZE: the statements that follow in the same transaction (a release
    being opened) join the records with this partition; without statistics on a freshly
    filled table PostgreSQL guessed a few rows and looked a million verdicts up one by one
    (5 s instead of a hash join)."""
    columns = "record_id, form_id, content_key, suppressed, held, fk"
    cursor.execute(
        f"INSERT INTO {part} ({columns}) SELECT {columns} FROM verdict_kept "  # noqa: S608
        "ON CONFLICT DO NOTHING"
    )
    cursor.execute("DROP TABLE verdict_kept")  # at once: the caller may go on
    cursor.execute(f"ANALYZE {part}")


def verdicts_partition(cursor, form_id: int) -> tuple[str, bool]:
    """PostgreSQL: the name of the form's partition of the verdicts, and whether it was made
    now. The form's verdicts so far (written one by one into the default partition) move into
    it: PostgreSQL refuses a partition whose rows the default partition still holds."""
    table, form_id = RecordVerdict._meta.db_table, int(form_id)
    part = f"{table}_f{form_id}"
    cursor.execute("SELECT to_regclass(%s)", [part])
    if cursor.fetchone()[0] is not None:
        return part, False
    with transaction.atomic():  # one transaction even for a caller in autocommit
        cursor.execute(
            f"CREATE TEMPORARY TABLE verdict_moving ON COMMIT DROP AS SELECT * FROM "  # noqa: S608
            f"{table}_default WHERE form_id = %s",
            [form_id],
        )
        cursor.execute(f"DELETE FROM {table}_default WHERE form_id = %s", [form_id])  # noqa: S608
        cursor.execute(f"CREATE TABLE {part} PARTITION OF {table} FOR VALUES IN ({form_id})")
        cursor.execute(f"INSERT INTO {part} SELECT * FROM verdict_moving")  # noqa: S608
        cursor.execute("DROP TABLE verdict_moving")
    return part, True


def verdicts_partition_ready(form_id: int) -> None:
    """Make the form's partition in a transaction of its own, before a run: creating one locks
    the whole verdicts table, so inside a run's transaction every form's readers would wait
    for that run to end."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        verdicts_partition(cursor, form_id)


def _write_orm(columns: Columns, form_id: int, new, suppressed_json) -> int:
    """SQLite (tests, the embedded default): replace the verdicts of the records read, chunk
    by chunk, in the caller's transaction."""
    _, held, fk = new
    written = 0
    for start in range(0, len(columns), 2000):
        chunk = range(start, min(start + 2000, len(columns)))
        by_id = {uuid.UUID(columns.ids[i].decode()): i for i in chunk}
        RecordVerdict.objects.filter(record_id__in=list(by_id)).delete()
        verdicts = [
            RecordVerdict(
                record_id=pk,
                form_id=form_id,
                content_key=content_key(columns.hashes[i].decode()),
                suppressed=json.loads(suppressed_json(i)),
                held=bool(held[i]),
                fk=max(int(fk[i]), 0),
            )
            for pk, i in by_id.items()
        ]
        RecordVerdict.objects.bulk_create(verdicts)
        written += len(verdicts)
    return written


__all__ = [
    "Columns",
    "columns_read",
    "verdicts_empty",
    "verdicts_kept_restore",
    "verdicts_partition",
    "verdicts_partition_ready",
    "verdicts_write",
]
