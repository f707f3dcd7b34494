"""A form's records as integer codes streamed from PostgreSQL by COPY (see ``columns``).

Why: coding a million records' answers in Python (a dict lookup per value, a tuple per row) was
most of the read. Here PostgreSQL sends only integers through COPY - each answer as a 64-bit
hash of its text (``hashtextextended``), a record's id as two 64-bit halves, its content hash
as a 64-bit hash - which numpy parses a few megabytes at a time and codes with ``np.unique``:
nothing per value in Python. The texts themselves (the risk report's labels) are read
afterwards from one record per distinct value, by primary key. Two
different answers of one question sharing a 64-bit hash (about 1 in 10^11 for ten thousand
distinct answers) would be counted as one value.
"""

import json
import tempfile
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import F
from django.db.models.fields.json import KeyTextTransform

from privacy.disclosure.columns import Columns, _redactions, verdicts_empty, verdicts_kept_restore

# The integer columns before the answers' hashes (the uuid as two halves).
FIXED = ["hi", "lo", "key", "point", "visit"]


@dataclass
class _Plan:
    sql: str  # the records' query: id, content_hash, point, visit, v0...
    params: tuple
    width: int  # number of variables (quasi-identifiers, then sensitive)


def _plan(records, names: list[str], sensitive: list[str], month: str) -> _Plan:
    texts = {
        **{f"v{i}": KeyTextTransform(name, "quasi") for i, name in enumerate(names)},
        **{
            f"v{len(names) + i}": KeyTextTransform(name, "data") for i, name in enumerate(sensitive)
        },
    }
    query = (
        records.order_by()
        .annotate(visit=F(month), **texts)
        .values_list("id", "content_hash", "service_point_id", "visit", *texts)
    )
    sql, params = query.query.sql_with_params()
    return _Plan(sql, params, len(texts))


def _alias(width: int) -> str:
    variables = "".join(f", v{i}" for i in range(width))
    return f"t(id, h, point, visit{variables})"


class _Parser:
    """A file a binary COPY writes into: its rows (a uuid, then int8 fields, none null, so all
    of one size) parsed a few megabytes at a time into an (n, 2 + fields) int64 array, the
    uuid as two halves. Why binary: no integer is printed as text by PostgreSQL and parsed
    back here, and a uuid needs no conversion at all."""

    HEADER = 19  # signature, flags, header extension length

    def __init__(self, fields: int, rows: int) -> None:
        self.dtype = np.dtype(
            [("n", ">i2"), ("id_size", ">i4"), ("hi", ">i8"), ("lo", ">i8")]
            + [p for j in range(fields) for p in ((f"s{j}", ">i4"), (f"v{j}", ">i8"))]
        )
        self.fields, self.out, self.size = fields, np.zeros((rows, 2 + fields), np.int64), 0
        self.pending, self.skip = bytearray(), self.HEADER

    def write(self, data) -> int:
        self.pending += data
        if len(self.pending) > 1 << 22:
            self._parse()
        return len(data)

    def _parse(self) -> None:
        start = min(self.skip, len(self.pending))
        self.skip -= start
        count = (len(self.pending) - start) // self.dtype.itemsize
        if count:
            block = np.frombuffer(self.pending, self.dtype, count, start)
            stop = self.size + count
            if stop > len(self.out):  # records written since the count: grow
                grown = np.zeros((max(stop, 2 * len(self.out)), self.out.shape[1]), np.int64)
                grown[: self.size] = self.out[: self.size]
                self.out = grown
            out = self.out[self.size : stop]
            out[:, 0], out[:, 1] = block["hi"], block["lo"]
            for j in range(self.fields):
                out[:, 2 + j] = block[f"v{j}"]
            self.size = stop
            del block, out
        self.pending = self.pending[start + count * self.dtype.itemsize :]

    def result(self) -> np.ndarray:
        self._parse()  # what is left is the trailer (-1)
        return self.out[: self.size]


MISSING_HASH = -(1 << 63)  # a missing answer's "hash" (hashtextextended never gives it in practice)


def _codes(column: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense codes of a column of 64-bit hashes (MISSING where missing), the distinct hashes
    and the first row holding each."""
    present = column != MISSING_HASH
    codes = np.full(len(column), -1, np.int64)
    distinct, first, inverse = np.unique(column[present], return_index=True, return_inverse=True)
    codes[present] = inverse.reshape(-1)
    return codes, distinct, np.flatnonzero(present)[first]


def _texts(plan: _Plan, rows: np.ndarray, ids: np.ndarray) -> dict[int, tuple]:
    """The text of every variable of the records at ``rows``, by row: a few thousand records at
    most, found by primary key."""
    if not len(rows):
        return {}
    wanted = sorted(set(rows.tolist()))
    mask = (1 << 64) - 1
    uuids = [f"{int(ids[i, 0]) & mask:016x}{int(ids[i, 1]) & mask:016x}" for i in wanted]
    variables = "".join(f", v{i}" for i in range(plan.width))
    sql = (
        f"SELECT replace(id::text, '-', ''){variables} FROM ({plan.sql}) "  # noqa: S608 - Django-built subquery, parameters bound
        f"{_alias(plan.width)} WHERE id = ANY(%s::uuid[])"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*plan.params, uuids])
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return {i: found[u] for i, u in zip(wanted, uuids, strict=True) if u in found}


def columns_stream(records, names: list[str], sensitive: list[str], month: str) -> Columns:
    """``columns.columns_read`` on PostgreSQL; ``ids`` are (n, 2) int64 halves of the uuid and
    ``hashes`` the content keys (``privacy.models.content_key``) the verdicts name. Each
    answer travels as a 64-bit hash of its text; the texts themselves (the risk report's
    labels) are read from one record per distinct value."""
    plan = _plan(records, names, sensitive, month)
    if not connection.get_autocommit():  # a run holds the form's lock: inside a transaction
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")  # compiling 80 expressions costs more
    hashed = "".join(
        f", coalesce(hashtextextended(t.v{j}, 0), {MISSING_HASH})" for j in range(plan.width)
    )
    sql = (
        "SELECT t.id, ('x' || left(md5(t.h), 16))::bit(64)::bigint, "  # noqa: S608 - Django-built subquery, parameters bound; the key: privacy.models.ContentKey
        "coalesce(t.point, -1)::bigint, replace(t.visit, '-', '')::bigint"
        f"{hashed} FROM ({plan.sql}) {_alias(plan.width)}"
    )
    parser = _Parser(len(FIXED) - 2 + plan.width, records.count())
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, plan.params).decode()
        cursor.cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT binary)", parser)
    rows = parser.result()
    ids, m = rows[:, 0:2].copy(), len(names)
    cells, cell_keys, _ = _codes(rows[:, 3] * 1_000_000 + rows[:, 4])
    cell_pairs = [
        (None if key // 1_000_000 == -1 else int(key // 1_000_000), f"{key % 1_000_000:06d}")
        for key in cell_keys.tolist()
    ]
    cell_pairs = [(point, f"{text[:4]}-{text[4:]}") for point, text in cell_pairs]
    coded = [_codes(rows[:, len(FIXED) + j]) for j in range(plan.width)]
    texts = _texts(plan, np.concatenate([np.zeros(0, np.int64), *(c[2] for c in coded)]), ids)
    categories = [[texts[i][j] for i in c[2].tolist()] for j, c in enumerate(coded)]
    return Columns(
        ids=ids,
        hashes=rows[:, 2].copy(),
        keys=np.stack([c[0] for c in coded[:m]], axis=1) if m else np.zeros((len(rows), 0), int),
        categories=categories[:m],
        sensitive={name: coded[m + i][0] for i, name in enumerate(sensitive)},
        cells=cells,
        cell_pairs=cell_pairs,
        redactions=_redactions(records),
    )


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


COPY_CHUNK = 1 << 17  # rows built at a time: a few MB, whatever the form's size


def verdicts_copy(columns: Columns, form_id: int, names: list[str], new) -> int:
    """``columns.verdicts_write`` for streamed columns: the form's partition of the verdicts is
    emptied and every record's verdict goes into it as one binary COPY built by numpy (no line
    per record in Python), in uuid order (the partition's index is filled in order), a
    suppressed list coded as a bit mask over `names` and written as the JSON of the few masks
    in use."""
    hidden, held, fk = new
    masks = (hidden.astype(np.int64) << np.arange(len(names), dtype=np.int64)).sum(1)
    used, index = np.unique(masks, return_inverse=True)
    index = index.reshape(-1).astype(np.int32)
    del masks
    labels = [
        json.dumps([n for j, n in enumerate(names) if mask >> j & 1]).encode()
        for mask in used.tolist()
    ]
    width = 1 + max((len(label) for label in labels), default=2)
    dtype = _copy_dtype(width)
    padded = np.array([b"\x01" + label.ljust(width - 1) for label in labels], f"S{width}")
    field_names = dtype.names or ()
    sign = np.int64(-(1 << 63))  # uuids sort as unsigned bytes: flip the sign bit
    order = np.lexsort((columns.ids[:, 1] ^ sign, columns.ids[:, 0] ^ sign))
    with tempfile.TemporaryFile() as body, connection.cursor() as cursor:
        body.write(b"PGCOPY\n\xff\r\n\x00" + bytes(8))
        for start in range(0, len(order), COPY_CHUNK):
            at = order[start : start + COPY_CHUNK]
            rows = np.zeros(len(at), dtype)
            rows["n"] = len(field_names) // 2
            for name in field_names[1::2]:
                rows[name] = dtype[name[: -len("_size")]].itemsize
            rows["id"]["hi"], rows["id"]["lo"] = columns.ids[at, 0], columns.ids[at, 1]
            rows["form"], rows["key"] = form_id, columns.hashes[at]
            rows["suppressed"] = padded[index[at]]
            rows["held"], rows["fk"] = held[at], np.maximum(fk[at], 0)
            rows.tofile(body)
        body.write(b"\xff\xff")
        body.seek(0)
        del order, index
        part = verdicts_empty(cursor, form_id)
        columns_sql = "record_id, form_id, content_key, suppressed, held, fk"
        cursor.cursor.copy_expert(
            f"COPY {part} ({columns_sql}) FROM STDIN WITH (FORMAT binary)", body
        )
        written = cursor.rowcount
        verdicts_kept_restore(cursor, part)
    return written


def streamable(names: list[str], sensitive: list[str]) -> bool:
    """A verdict's suppressed list travels as a 30-bit mask: forms with more quasi-identifiers
    are read row by row (``columns``)."""
    return len(names) <= 30


__all__ = ["columns_stream", "streamable", "verdicts_copy"]
