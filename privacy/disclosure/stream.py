"""A form's records as integer codes streamed from PostgreSQL by COPY (see ``columns``).

Why: coding a million records' answers in Python (a dict lookup per value, a tuple per row) was
most of the read. Here PostgreSQL sends only integers through COPY - each answer as a 64-bit
hash of its text (``hashtextextended``), a record's id as two 64-bit halves, its content hash
as a 64-bit hash - which numpy parses a few megabytes at a time and codes with ``np.unique``:
nothing per value in Python. The texts themselves (the risk report's labels, the suppressed
lists in force) are read afterwards from one record per distinct value, by primary key. Two
different answers of one question sharing a 64-bit hash (about 1 in 10^11 for ten thousand
distinct answers) would be counted as one value.
"""

import json
import tempfile
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import F, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from privacy.disclosure.columns import Columns, _mask, _redactions
from privacy.models import AnonymisedRecord

# The integer columns before the answers' hashes.
FIXED = ["hi", "lo", "h", "held", "fk", "point", "visit", "hidden"]


@dataclass
class _Plan:
    sql: str  # the records' query: id, content_hash, point, visit, held, fk, hidden, v0...
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
        .annotate(visit=F(month), hidden=Cast("suppressed", TextField()), **texts)
        .values_list(
            "id", "content_hash", "service_point_id", "visit", "held", "fk", "hidden", *texts
        )
    )
    sql, params = query.query.sql_with_params()
    return _Plan(sql, params, len(texts))


def _alias(width: int) -> str:
    variables = "".join(f", v{i}" for i in range(width))
    return f"t(id, h, point, visit, held, fk, hidden{variables})"


class _Parser:
    """A file COPY writes into: parses whole lines of integers as they come."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns, self.out, self.size = columns, np.zeros((rows, columns), np.int64), 0
        self.parts: list[bytes] = []  # COPY writes a line at a time: joined every few MB
        self.waiting = 0

    def write(self, data) -> int:
        part = data.encode() if isinstance(data, str) else bytes(data)
        self.parts.append(part)
        self.waiting += len(part)
        if self.waiting > 1 << 22:
            self._parse()
        return len(data)

    def _parse(self) -> None:
        pending = b"".join(self.parts)
        end = pending.rfind(b"\n") + 1
        text, rest = pending[:end], pending[end:]
        self.parts, self.waiting = [rest] if rest else [], len(rest)
        if not text.strip():
            return
        block = np.fromstring(text.decode("ascii"), dtype=np.int64, sep=" ")
        block = block.reshape(-1, self.columns)
        stop = self.size + len(block)
        if stop > len(self.out):  # records written since the count: grow
            grown = np.zeros((max(stop, 2 * len(self.out)), self.columns), np.int64)
            grown[: self.size] = self.out[: self.size]
            self.out = grown
        self.out[self.size : stop] = block
        self.size = stop

    def result(self) -> np.ndarray:
        self._parse()
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
    """The text of every variable (and the suppressed list) of the records at ``rows``, by
    row: a few thousand records at most, found by primary key."""
    if not len(rows):
        return {}
    wanted = sorted(set(rows.tolist()))
    mask = (1 << 64) - 1
    uuids = [f"{int(ids[i, 0]) & mask:016x}{int(ids[i, 1]) & mask:016x}" for i in wanted]
    variables = "".join(f", v{i}" for i in range(plan.width))
    sql = (
        f"SELECT replace(id::text, '-', ''), hidden{variables} FROM ({plan.sql}) "  # noqa: S608 - Django-built subquery, parameters bound
        f"{_alias(plan.width)} WHERE id = ANY(%s::uuid[])"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*plan.params, uuids])
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return {i: found[u] for i, u in zip(wanted, uuids, strict=True) if u in found}


def columns_stream(records, names: list[str], sensitive: list[str], month: str) -> Columns:
    """``columns.columns_read`` on PostgreSQL; ``ids`` are (n, 2) int64 halves of the uuid and
    ``hashes`` int64 ``hashtextextended(content_hash, 0)`` (see ``verdicts_write``). Each
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
        "SELECT ('x' || left(replace(t.id::text, '-', ''), 16))::bit(64)::bigint, "  # noqa: S608 - Django-built subquery, parameters bound
        "('x' || right(replace(t.id::text, '-', ''), 16))::bit(64)::bigint, "
        "hashtextextended(t.h, 0), t.held::int, coalesce(t.fk, -1), "
        "coalesce(t.point, -1), replace(t.visit, '-', '')::int, hashtextextended(t.hidden, 0)"
        f"{hashed} FROM ({plan.sql}) {_alias(plan.width)}"
    )
    parser = _Parser(len(FIXED) + plan.width, records.count())
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, plan.params).decode()
        cursor.cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (DELIMITER ' ')", parser)
    rows = parser.result()
    ids, m = rows[:, 0:2].copy(), len(names)
    cells, cell_keys, _ = _codes(rows[:, 5] * 1_000_000 + rows[:, 6])
    cell_pairs = [
        (None if key // 1_000_000 == -1 else int(key // 1_000_000), f"{key % 1_000_000:06d}")
        for key in cell_keys.tolist()
    ]
    cell_pairs = [(point, f"{text[:4]}-{text[4:]}") for point, text in cell_pairs]
    hidden_codes, _, hidden_first = _codes(rows[:, 7])
    coded = [_codes(rows[:, 8 + j]) for j in range(plan.width)]
    texts = _texts(plan, np.concatenate([hidden_first, *(c[2] for c in coded)]), ids)
    hidden = [texts[i][0] for i in hidden_first.tolist()]
    categories = [[texts[i][1 + j] for i in c[2].tolist()] for j, c in enumerate(coded)]
    masks = np.array([_mask(text, names) for text in hidden], bool).reshape(len(hidden), m)
    return Columns(
        ids=ids,
        hashes=rows[:, 2].copy(),
        keys=np.stack([c[0] for c in coded[:m]], axis=1) if m else np.zeros((len(rows), 0), int),
        categories=categories[:m],
        sensitive={name: coded[m + i][0] for i, name in enumerate(sensitive)},
        cells=cells,
        cell_pairs=cell_pairs,
        held=rows[:, 3] == 1,
        fk=rows[:, 4].copy(),
        suppressed=masks[hidden_codes] if len(masks) else np.zeros((len(rows), m), bool),
        redactions=_redactions(records),
    )


_FIELDS = [("hi", ">i8"), ("lo", ">i8"), ("h", ">i8"), ("mask", ">i4"), ("held", ">i4")]
_FIELDS.append(("fk", ">i4"))
# One row of PostgreSQL's binary COPY: a field count, then each field's size and value.
_ROW = np.dtype(
    [("n", ">i2"), *(p for name, kind in _FIELDS for p in ((f"{name}_size", ">i4"), (name, kind)))]
)


def verdicts_copy(columns: Columns, changed: np.ndarray, names: list[str], new) -> int:
    """``columns.verdicts_write`` for streamed columns: the changed verdicts go to PostgreSQL
    as one binary COPY built by numpy (no line per record in Python), a suppressed list as a
    bit mask over `names` turned back into JSON by a join with the few masks in use."""
    hidden, held, fk = new
    masks = (hidden[changed].astype(np.int64) << np.arange(len(names), dtype=np.int64)).sum(1)
    rows = np.zeros(len(changed), _ROW)
    rows["n"] = 6
    for name, kind in _FIELDS:
        rows[f"{name}_size"] = np.dtype(kind).itemsize
    rows["hi"], rows["lo"] = columns.ids[changed, 0], columns.ids[changed, 1]
    rows["h"], rows["mask"] = columns.hashes[changed], masks
    rows["held"], rows["fk"] = held[changed], fk[changed]
    used = sorted(set(masks.tolist()))
    labels = [json.dumps([n for j, n in enumerate(names) if mask >> j & 1]) for mask in used]
    table = AnonymisedRecord._meta.db_table
    with tempfile.TemporaryFile() as body, connection.cursor() as cursor:
        body.write(b"PGCOPY\n\xff\r\n\x00" + bytes(8))  # written from the array itself:
        rows.tofile(body)  # no copy of a million rows in memory
        body.write(b"\xff\xff")
        body.seek(0)
        del rows
        cursor.execute(
            "CREATE TEMPORARY TABLE disclosure_verdict (hi bigint, lo bigint, h bigint, "
            "mask integer, held integer, fk integer) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert("COPY disclosure_verdict FROM STDIN WITH (FORMAT binary)", body)
        cursor.execute("ANALYZE disclosure_verdict")
        cursor.execute(
            f"UPDATE {table} r SET suppressed = m.suppressed, held = v.held <> 0, "  # noqa: S608 - the model's own table name
            "fk = nullif(v.fk, -1), published = CASE WHEN v.mask = 0 THEN r.data ELSE "
            "r.data - ARRAY(SELECT jsonb_array_elements_text(m.suppressed)) END "
            "FROM disclosure_verdict v JOIN unnest(%s::int[], %s::jsonb[]) m(mask, suppressed) "
            "ON m.mask = v.mask WHERE r.id = (lpad(to_hex(v.hi), 16, '0') || "
            "lpad(to_hex(v.lo), 16, '0'))::uuid AND hashtextextended(r.content_hash, 0) = v.h",
            [used, labels],
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE disclosure_verdict")  # at once: the caller may go on
    return written


def streamable(names: list[str], sensitive: list[str]) -> bool:
    """A verdict's suppressed list travels as a 30-bit mask: forms with more quasi-identifiers
    are read row by row (``columns``)."""
    return len(names) <= 30


__all__ = ["columns_stream", "streamable", "verdicts_copy"]
