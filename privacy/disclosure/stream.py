"""A form's records as integer codes streamed from PostgreSQL by COPY (see ``columns``).

Why: coding a million records' answers in Python (a dict lookup per value, a tuple per row) was
most of the read. Here PostgreSQL sends only integers through COPY - each answer as a 64-bit
hash of its text (``hashtextextended``), a record's id as two 64-bit halves, its content hash
as a 64-bit hash - which numpy parses a few megabytes at a time and codes with ``np.unique``:
nothing per value in Python. The texts themselves (the risk report's labels) are read
afterwards from one record per distinct value, by primary key. Two
different answers of one question sharing a 64-bit hash (about 1 in 10^11 for ten thousand
distinct answers) would be counted as one value. The free-text redaction counts travel the same
way (a hash of each record's ``redactions``, the distinct ones read back and summed here): a
second scan of the records to sum them cost PostgreSQL a third of a second at a million.
"""

import json
import tempfile
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import F
from django.db.models.fields.json import KeyTextTransform

from privacy.disclosure.columns import Columns, _redactions, verdicts_partition

# The integer columns before the answers' hashes (the uuid as two halves).
FIXED = ["hi", "lo", "key", "point", "visit"]
# More distinct redaction counts than this: summed by PostgreSQL (``columns._redactions``).
REDACTION_TEXTS = 20_000


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
        .values_list("id", "content_hash", "service_point_id", "visit", *texts, "redactions")
    )
    sql, params = query.query.sql_with_params()
    return _Plan(sql, params, len(texts))


def _alias(width: int) -> str:
    variables = "".join(f", v{i}" for i in range(width))
    return f"t(id, h, point, visit{variables}, red)"


class _Parser:
    """The rows of a binary COPY (a uuid, then int8 fields, none null, so all of one size)
    parsed a few megabytes at a time into an (n, 2 + fields) int64 array, the uuid as two
    halves. Why binary: no integer is printed as text by PostgreSQL and parsed back here, and
    a uuid needs no conversion at all. Why through a temporary file: psycopg2 hands over a
    COPY one row at a time; a file's own ``write`` takes them without a Python call each (a
    million calls were half a second), and the file, not this process, holds them."""

    HEADER = 19  # signature, flags, header extension length
    CHUNK = 1 << 22

    def __init__(self, fields: int, rows: int) -> None:
        self.dtype = np.dtype(
            [("n", ">i2"), ("id_size", ">i4"), ("hi", ">i8"), ("lo", ">i8")]
            + [p for j in range(fields) for p in ((f"s{j}", ">i4"), (f"v{j}", ">i8"))]
        )
        self.fields, self.out, self.size = fields, np.zeros((rows, 2 + fields), np.int64), 0

    def parse(self, body) -> np.ndarray:
        """The rows of the COPY written into the file `body`, read from its start."""
        body.seek(self.HEADER)
        step = self.CHUNK // self.dtype.itemsize * self.dtype.itemsize
        while chunk := body.read(step):  # whole rows: a file's read fills up to its end
            count = len(chunk) // self.dtype.itemsize  # what is left is the trailer (-1)
            if count:
                self._put(np.frombuffer(chunk, self.dtype, count))
        return self.out[: self.size]

    def _put(self, block: np.ndarray) -> None:
        stop = self.size + len(block)
        if stop > len(self.out):  # records written since the count: grow by an eighth
            size = max(stop, len(self.out) + len(self.out) // 8 + 1024)
            grown = np.zeros((size, self.out.shape[1]), np.int64)
            grown[: self.size] = self.out[: self.size]
            self.out = grown
        out = self.out[self.size : stop]
        out[:, 0], out[:, 1] = block["hi"], block["lo"]
        for j in range(self.fields):
            out[:, 2 + j] = block[f"v{j}"]
        self.size = stop


MISSING_HASH = -(1 << 63)  # a missing answer's "hash" (hashtextextended never gives it in practice)


def _codes(column: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense codes of a column of 64-bit hashes (MISSING where missing), the distinct hashes
    and the first row holding each.

    Why not ``np.unique(return_index=, return_inverse=)``: it sorts the million hashes (a
    stable sort), where the distinct ones - a few dozen answers - come from a hash table
    (numpy >= 2.3) and each row's code by a binary search among them."""
    present = column != MISSING_HASH
    values = column[present]
    distinct = np.unique(values)
    inverse = np.searchsorted(distinct, values)
    first = np.full(len(distinct), len(values), np.int64)
    np.minimum.at(first, inverse, np.arange(len(values)))
    codes = np.full(len(column), -1, np.int64)
    codes[present] = inverse
    return codes, distinct, np.flatnonzero(present)[first]


def _texts(
    plan: _Plan, rows: np.ndarray, ids: np.ndarray, variables: str | None = None
) -> dict[int, tuple]:
    """The text of every variable (or of the SQL ``variables``) of the records at ``rows``, by
    row: a few thousand records at most, found by primary key."""
    if not len(rows):
        return {}
    wanted = sorted(set(rows.tolist()))
    mask = (1 << 64) - 1
    uuids = [f"{int(ids[i, 0]) & mask:016x}{int(ids[i, 1]) & mask:016x}" for i in wanted]
    if variables is None:
        variables = "".join(f", v{i}" for i in range(plan.width))
    sql = (
        f"SELECT replace(id::text, '-', ''){variables} FROM ({plan.sql}) "  # noqa: S608 - Django-built subquery, parameters bound
        f"{_alias(plan.width)} WHERE id = ANY(%s::uuid[])"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*plan.params, uuids])
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return {i: found[u] for i, u in zip(wanted, uuids, strict=True) if u in found}


def columns_stream(
    records,
    names: list[str],
    sensitive: list[str],
    month: str,
    form_id: int | None = None,
    expected: int | None = None,
    fingerprint: bool = True,
    previous: bool = True,
) -> Columns:
    """``columns.columns_read`` on PostgreSQL; ``ids`` are (n, 2) int64 halves of the uuid and
    ``hashes`` the content keys (``privacy.models.content_key``) the verdicts name. Each
    answer travels as a 64-bit hash of its text; the texts themselves (the risk report's
    labels) are read from one record per distinct value. With ``form_id``, each record's
    verdict in force comes too (``Columns.previous``; unless ``previous`` is False: a run
    after its settings changed rewrites every verdict anyway), and the run's fingerprint sum
    (``Columns.fingerprint``, unless ``fingerprint`` is False: a re-check has it already),
    so that a run rewrites only the verdicts that change and its first run reads the records
    once."""
    plan = _plan(records, names, sensitive, month)
    if not connection.get_autocommit():  # a run holds the form's lock: inside a transaction
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")  # compiling 80 expressions costs more
    hashed = "".join(
        f", coalesce(hashtextextended(t.v{j}, 0), {MISSING_HASH})" for j in range(plan.width)
    )
    hashed += f", coalesce(jsonb_hash_extended(t.red, 0), {MISSING_HASH})"
    summing = form_id is not None and fingerprint
    if summing:  # the record's term of the run's fingerprint
        hashed += f", hashtextextended({FINGERPRINT_ROW}, 0)"
    sql = (
        "SELECT t.id, hashtextextended(t.h, 0), "  # noqa: S608 - Django-built subquery, parameters bound; the key: privacy.models.ContentKey
        "coalesce(t.point, -1)::bigint, replace(t.visit, '-', '')::bigint"
        f"{hashed} FROM ({plan.sql}) {_alias(plan.width)}"
    )
    rows_hint = records.count() if expected is None else expected
    parser = _Parser(len(FIXED) - 2 + plan.width + 1 + int(summing), rows_hint)
    with connection.cursor() as cursor, tempfile.TemporaryFile() as body:
        statement = cursor.mogrify(sql, plan.params).decode()
        cursor.cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT binary)", body)
        rows = parser.parse(body)
    del parser
    ids, m, width = rows[:, 0:2].copy(), len(names), plan.width
    summed = (len(rows), _exact_sum(rows[:, len(FIXED) + width + 1])) if summing else None
    codes, distinct, first = _codes(rows[:, len(FIXED) + width])
    redacted = first, np.bincount(codes[codes >= 0], minlength=len(distinct))  # records each
    del codes
    cells, cell_keys, _ = _codes(rows[:, 3] * 1_000_000 + rows[:, 4])
    cell_pairs = [
        (None if key // 1_000_000 == -1 else int(key // 1_000_000), f"{key % 1_000_000:06d}")
        for key in cell_keys.tolist()
    ]
    cell_pairs = [(point, f"{text[:4]}-{text[4:]}") for point, text in cell_pairs]
    coded = [_codes(rows[:, len(FIXED) + j]) for j in range(width)]
    hashes = rows[:, 2].copy()
    del rows
    in_force = None if form_id is None or not previous else _previous(ids, form_id)
    texts = _texts(plan, np.concatenate([np.zeros(0, np.int64), *(c[2] for c in coded)]), ids)
    categories = [[texts[i][j] for i in c[2].tolist()] for j, c in enumerate(coded)]
    return Columns(
        ids=ids,
        hashes=hashes,
        keys=np.stack([c[0] for c in coded[:m]], axis=1) if m else np.zeros((len(ids), 0), int),
        categories=categories[:m],
        sensitive={name: coded[m + i][0] for i, name in enumerate(sensitive)},
        cells=cells,
        cell_pairs=cell_pairs,
        redactions=_redaction_totals(plan, redacted, ids, records),
        previous=in_force,
        fingerprint=summed,
    )


def _redaction_totals(plan: _Plan, redacted: tuple, ids: np.ndarray, records) -> dict[str, int]:
    """``columns._redactions`` from the records' ``redactions`` as streamed (``redacted``:
    the first row holding each distinct one, and how many hold it): each distinct one read
    back from its first record, its counts times the number of records holding it."""
    first, holding = redacted
    if len(first) > REDACTION_TEXTS:
        return _redactions(records)
    texts = _texts(plan, first, ids, ", red")
    if len(texts) < len(first):  # a record gone since it was read (not under the run's lock)
        return _redactions(records)
    totals: dict[str, int] = {}
    for row, times in zip(first.tolist(), holding.tolist(), strict=True):
        value = texts[row][0]
        for key, count in (json.loads(value) if isinstance(value, str) else value).items():
            totals[key] = totals.get(key, 0) + int(count) * times
    return dict(sorted(totals.items()))


def _previous(ids: np.ndarray, form_id: int) -> tuple[np.ndarray, np.ndarray]:
    """The verdict in force of each record at ``ids`` as two integers (``Columns.previous``):
    its content key XOR the hash of its suppressed list (jsonb's own hash: printing the list
    as text first cost twice as much), and fk * 2 + held; (0, -1) for none.

    Why a COPY of their own, matched here by id: joining them to the records in the records'
    query cost PostgreSQL more CPU than reading both (a hash join of a million uuids with a
    million, and at the default work_mem its batches written to disk and read back); a binary
    search among the sorted first halves of the ids costs a tenth of a second. The run holds
    the form's lock, and only a run writes verdicts: the two reads see the same verdicts."""
    with connection.cursor() as cursor:
        part, _made = verdicts_partition(cursor, form_id)
    sql = (
        "SELECT record_id, content_key # jsonb_hash_extended(suppressed, 0), "  # noqa: S608 - the model's partition
        f"fk::bigint * 2 + held::int FROM {part}"
    )
    parser = _Parser(2, len(ids))
    with connection.cursor() as cursor, tempfile.TemporaryFile() as body:
        cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", body)
        verdicts = parser.parse(body)
    at = _matches(ids, verdicts[:, :2])
    found = at >= 0
    key, state = np.zeros(len(ids), np.int64), np.full(len(ids), -1, np.int32)
    key[found], state[found] = verdicts[at[found], 2], verdicts[at[found], 3]
    return key, state


def _matches(ids: np.ndarray, other: np.ndarray) -> np.ndarray:
    """For each uuid of ``ids`` ((n, 2) halves), its row in ``other`` ((m, 2), each uuid once)
    or -1: binary searches among ``other``'s sorted first halves, in the order of ``ids``'
    own (sorted, each search starts where the last ended: a fifth of the time). Random uuids'
    first halves all differ in practice; those two of ``other`` share are looked at one by
    one."""
    out = np.full(len(ids), -1, np.int64)
    if not len(other) or not len(ids):
        return out
    order = np.argsort(other[:, 0], kind="stable")  # often sorted already: the partition's order
    first = other[order, 0]
    mine = np.argsort(ids[:, 0])
    at = np.empty(len(ids), np.int64)
    at[mine] = np.searchsorted(first, ids[mine, 0])
    at = order[np.minimum(at, len(first) - 1)]
    found = (other[at, 0] == ids[:, 0]) & (other[at, 1] == ids[:, 1])
    out[found] = at[found]
    shared = first[1:][first[1:] == first[:-1]]
    for i in np.flatnonzero(np.isin(ids[:, 0], shared) & ~found).tolist():
        same = np.flatnonzero((other[:, 0] == ids[i, 0]) & (other[:, 1] == ids[i, 1]))
        out[i] = same[0] if len(same) else -1
    return out


# A record's term of the run's fingerprint (``dataset._fingerprint``), over the columns of
# ``_alias``: the same text, so the same hash.
FINGERPRINT_ROW = "t.id::text || ':' || t.h || ':' || coalesce(t.point::text, '') || ':' || t.visit"


def _exact_sum(values: np.ndarray) -> int:
    """The exact sum of int64 values (PostgreSQL sums them as numeric): high and low 32 bits
    summed apart, neither can overflow for fewer than 2^31 rows."""
    high = int((values >> 32).sum())
    low = int((values & 0xFFFFFFFF).sum())
    return (high << 32) + low


def streamable(names: list[str], sensitive: list[str]) -> bool:
    """A verdict's suppressed list travels as a 30-bit mask: forms with more quasi-identifiers
    are read row by row (``columns``)."""
    return len(names) <= 30


__all__ = ["FINGERPRINT_ROW", "columns_stream", "streamable"]
