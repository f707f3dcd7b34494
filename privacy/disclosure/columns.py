"""A form's records as columns of integer codes, read in chunks, and the verdicts written back.

Why columns: a million records read as Python rows (a dict of answers, a list, a tuple each)
took 2.6 GB; as numpy codes they take tens of megabytes. Only what disclosure control needs is
read - id, content hash, service point, visit month, each quasi-identifier and sensitive answer
as text (PostgreSQL extracts them: ``->>``), the verdict in force - a chunk at a time through a
server-side cursor, and coded at once.
"""

import io
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import F, Func, TextField, Value
from django.db.models.fields.json import KeyTextTransform, compile_json_path
from django.db.models.functions import Cast

from privacy.models import AnonymisedRecord

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
    held: np.ndarray
    fk: np.ndarray  # -1 where None
    suppressed: np.ndarray  # (n, quasi-identifiers) bool: the verdict in force
    redactions: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


def _text(value) -> str | None:
    """On SQLite the values arrive as Python values: the same text PostgreSQL's ``->>`` gives."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, list | dict) else str(value)


def columns_read(records, names: list[str], sensitive: list[str], month: str) -> Columns:
    """Read `records` (a queryset of AnonymisedRecord) as `Columns`: on PostgreSQL coded by
    the database and streamed (``stream``), else row by row here."""
    if connection.vendor == "postgresql":
        from privacy.disclosure import stream  # it builds on this module

        if stream.streamable(names, sensitive):
            return stream.columns_stream(records, names, sensitive, month)
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
    fields = ["id_text", "content_hash", "service_point_id", "visit", "held", "fk", "hidden"]
    query = records.order_by().annotate(
        id_text=Cast("id", TextField()),
        visit=F(month),
        hidden=Cast("suppressed", TextField()),
        **texts,
        **kinds,
    )
    quasi, sens = [_Coder() for _ in names], [_Coder() for _ in sensitive]
    cell_coder, hidden_coder = _Coder(), _Coder()
    dtypes = {"ids": "S36", "hashes": "S64", "cells": np.int64, "held": bool, "fk": np.int64}
    dtypes |= {"hidden": np.int64, **{f"q{i}": np.int64 for i in range(len(names))}}
    dtypes |= {f"s{i}": np.int64 for i in range(len(sensitive))}
    # Filled in place (a chunk list concatenated at the end would need twice the memory); the
    # count is a hint: records written meanwhile grow the buffers.
    buffers = _Buffers(dtypes, records.count())
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
            held=np.array(columns[4], bool),
            fk=np.array([-1 if v is None else v for v in columns[5]], np.int64),
            hidden=hidden_coder.codes(columns[6]),
            **{f"q{i}": c.codes(map(_text, columns[7 + i])) for i, c in enumerate(quasi)},
            **{
                f"s{i}": c.codes(map(_text, columns[7 + len(names) + i]))
                for i, c in enumerate(sens)
            },
        )
    got = buffers.arrays()
    n = len(got["ids"])
    keys = np.zeros((n, len(names)), np.int64)
    for i in range(len(names)):
        keys[:, i] = got.pop(f"q{i}")
    masks = np.array([_mask(text, names) for text in hidden_coder.categories], bool)
    return Columns(
        ids=got["ids"],
        hashes=got["hashes"],
        keys=keys,
        categories=[coder.categories for coder in quasi],
        sensitive={name: got[f"s{i}"] for i, name in enumerate(sensitive)},
        cells=got["cells"],
        cell_pairs=cell_coder.categories,
        held=got["held"],
        fk=got["fk"],
        suppressed=masks[got["hidden"]] if len(masks) else np.zeros((n, len(names)), bool),
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


def verdicts_write(columns: Columns, changed: np.ndarray, names: list[str], new) -> int:
    """Write the new verdict of the `changed` records (indices), each only if its content hash
    is still the one read; `new` is (suppressed mask (n, m), held (n,), fk (n,), -1 = None).
    Returns the number of records written."""
    hidden, held, fk = new
    labels: dict[bytes, str] = {}

    def suppressed_json(i: int) -> str:
        row = hidden[i]
        key = row.tobytes()
        if key not in labels:
            labels[key] = json.dumps([names[j] for j in np.flatnonzero(row)])
        return labels[key]

    if connection.vendor != "postgresql":
        return _write_orm(columns, changed, names, new, suppressed_json)
    if columns.ids.dtype.kind != "S":
        from privacy.disclosure.stream import verdicts_copy

        return verdicts_copy(columns, changed, names, new)
    table = AnonymisedRecord._meta.db_table
    lines = (
        f"{columns.ids[i].decode()}\t{columns.hashes[i].decode()}\t{suppressed_json(i)}\t"
        f"{'t' if held[i] else 'f'}\t{NULL if fk[i] < 0 else int(fk[i])}\n"
        for i in changed.tolist()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE disclosure_verdict (id uuid, content_hash text, "
            "suppressed jsonb, held boolean, fk integer) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert("COPY disclosure_verdict FROM STDIN", _Lines(lines))
        cursor.execute("ANALYZE disclosure_verdict")
        cursor.execute(
            f"UPDATE {table} r SET suppressed = v.suppressed, held = v.held, fk = v.fk, "  # noqa: S608 - the model's own table name
            "published = CASE WHEN v.suppressed = '[]' THEN r.data ELSE "
            "r.data - ARRAY(SELECT jsonb_array_elements_text(v.suppressed)) END "
            "FROM disclosure_verdict v WHERE r.id = v.id AND r.content_hash = v.content_hash"
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE disclosure_verdict")  # at once: the caller may go on
    return written


def _write_orm(columns: Columns, changed: np.ndarray, names: list[str], new, suppressed_json):
    """SQLite (tests, the embedded default): lock, re-check the hash, bulk_update."""
    _, held, fk = new
    written = 0
    for start in range(0, len(changed), 2000):
        chunk = changed[start : start + 2000].tolist()
        by_id = {str(uuid.UUID(columns.ids[i].decode())): i for i in chunk}  # SQLite: no dashes
        current = AnonymisedRecord.objects.select_for_update().filter(pk__in=list(by_id))
        updates = []
        for record in current:
            i = by_id[str(record.pk)]
            if record.content_hash != columns.hashes[i].decode():
                continue  # changed since it was read: its own mark brings the next run
            record.suppressed = json.loads(suppressed_json(i))
            record.held, record.fk = bool(held[i]), None if fk[i] < 0 else int(fk[i])
            record.published = {
                key: value for key, value in record.data.items() if key not in record.suppressed
            }
            updates.append(record)
        AnonymisedRecord.objects.bulk_update(updates, ["suppressed", "held", "fk", "published"])
        written += len(updates)
    return written


__all__ = ["Columns", "columns_read", "verdicts_write"]
