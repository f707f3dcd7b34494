"""Leaf counts of a release: for every variable, records per (service point, visit month,
category), counted once in the database; every coarser cell is summed from these in numpy.

A variable becomes one or more "cubes", each a partition of the release's records into
categories (so a cube's categories add up to the node's record count, the same for every cube):

- a single-valued question: its choices, and "" for no answer;
- a multi-select question: ``key`` with "answered" / "" (the respondents), and one cube per
  option ``key=option`` with "1" (mentioned) / "0" (not mentioned, or no answer);
- a ranking: ``key`` with the option ranked first, "" for no ranking; plus, not published
  as counts, the options' mentions and sums of positions for mean ranks.

Single-valued answers are read once per record as small integers (``Records``), so that the
cubes and the pairs (``results.lattice.pairs``) are counted in numpy from the same read. On
PostgreSQL the read is one binary COPY of integers (each answer's position among the
question's choices), parsed by numpy a few megabytes at a time: no tuple per record in Python,
which at a million records was most of the time and memory of a build.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Count, F

from privacy.models import Release, ReleasedRecord
from results.variables import Variable

TOTAL = "*"  # the last category of every cube: the node's record count


@dataclass
class Records:
    """Every released record as indices: its service point and month (into ``Leaves.points``
    and ``Leaves.months``) and its category of each single-valued question (into
    ``Leaves.categories``)."""

    point: np.ndarray
    month: np.ndarray
    codes: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Leaves:
    """Leaf counts: ``cubes[name]`` is (service points, months, categories) int64."""

    points: list[int | None]
    months: list[str]
    records: np.ndarray  # (points, months): records per leaf
    cubes: dict[str, np.ndarray] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    # rank means: cube name -> (mentions, position sums), (points, months, options) each
    ranks: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    rows: Records | None = None


def _order(variable: Variable, codes: set[str]) -> list[str]:
    known = [code for code in variable.choices if code in codes]
    return known + sorted(codes - set(known) - {""}) + ([""] if "" in codes else [])


def _code(value) -> str:
    if value is None or value == "" or isinstance(value, (list, dict)):
        return ""
    return str(value)


def leaf_counts(release: Release, variables: dict[str, Variable]) -> Leaves:
    """Count the release's records once: single-valued answers read as integers per record
    (``Records``), multi-select and rank answers as one column each."""
    records = ReleasedRecord.objects.filter(release=release).order_by()
    base = list(records.values_list("service_point_id", "month").annotate(n=Count("pk")))
    points = sorted({p for p, _, _ in base}, key=lambda p: (p is None, p or 0))
    months = sorted({m for _, m, _ in base})
    pi = {p: i for i, p in enumerate(points)}
    mi = {m: i for i, m in enumerate(months)}
    leaves = Leaves(points, months, np.zeros((len(points), len(months)), np.int64))
    for p, m, n in base:
        leaves.records[pi[p], mi[m]] += n
    singles = [v for v in variables.values() if v.kind == "single"]
    if connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2":
        point, month, raw = _singles_postgresql(release, singles, points, months)
    else:
        point, month, raw = _singles(records, singles, pi, mi)
    leaves.rows = Records(point, month)
    shape = (len(points), len(months))
    where = point.astype(np.int64) * len(months) + month
    for variable in singles:
        texts, index = raw[variable.key]
        used = np.bincount(index, minlength=len(texts)) > 0
        codes = _order(variable, {t for t, u in zip(texts, used, strict=True) if u}) or [""]
        position = {c: i for i, c in enumerate(codes)}
        remap = np.array([position.get(t, 0) for t in texts], np.int16)
        coded = remap[index] if len(texts) else np.zeros(len(index), np.int16)
        leaves.rows.codes[variable.key] = coded
        cube = np.bincount(where * len(codes) + coded, minlength=shape[0] * shape[1] * len(codes))
        leaves.cubes[variable.key] = cube.reshape(*shape, len(codes)).astype(np.int64)
        leaves.categories[variable.key], leaves.kinds[variable.key] = codes, "single"
    for variable in variables.values():
        if variable.kind in {"multiple", "rank"}:
            _listed(leaves, records, variable, pi, mi)
    return leaves


def _singles(records, singles: list[Variable], pi, mi):
    """(point index, month index, key -> (texts, index into texts)) per record, read row by
    row (SQLite and small releases)."""
    point, month = [], []
    found: dict[str, dict[str, int]] = {v.key: {} for v in singles}
    index: dict[str, list[int]] = {v.key: [] for v in singles}
    for p, m, data in records.values_list("service_point_id", "month", "data").iterator(5000):
        point.append(pi[p])
        month.append(mi[m])
        for variable in singles:
            text = _code((data or {}).get(variable.key))
            index[variable.key].append(
                found[variable.key].setdefault(text, len(found[variable.key]))
            )
    raw = {key: (list(texts), np.array(index[key], np.int64)) for key, texts in found.items()}
    return np.array(point, np.int32), np.array(month, np.int64), raw


_ANSWER = (  # a single answer as text: "" for no answer, a list or an object (as ``_code``)
    "CASE WHEN jsonb_typeof(r.data -> %s) IN ('string', 'number', 'boolean') "
    "THEN r.data ->> %s ELSE '' END"
)


def _singles_postgresql(release: Release, singles: list[Variable], points, months):
    """``_singles`` as one binary COPY of small integers: each answer's position among the
    question's choices and "" (0 when it is none of them: then the question's distinct answers
    are read, once, and the COPY repeated)."""
    known = {v.key: [*dict.fromkeys([*v.choices, ""])] for v in singles}
    for _ in range(2):
        rows = _copy(release, singles, known, months)
        unknown = [v.key for j, v in enumerate(singles) if (rows[f"v{j}"] == 0).any()]
        if not unknown:
            break
        with connection.cursor() as cursor:
            for key in unknown:
                cursor.execute(
                    f"SELECT DISTINCT {_ANSWER} FROM {ReleasedRecord._meta.db_table} r "  # noqa: S608 - no user text
                    "WHERE r.release_id = %s",
                    [key, key, release.pk],
                )
                known[key] += sorted({t for (t,) in cursor.fetchall()} - set(known[key]))
    ids = np.array([p if p is not None else -1 for p in points], np.int64)
    order = np.argsort(ids, kind="stable")
    point = order[np.searchsorted(ids[order], rows["point"].astype(np.int64))].astype(np.int32)
    month = rows["month"].astype(np.int64) - 1
    raw = {v.key: (known[v.key], rows[f"v{j}"].astype(np.int64) - 1) for j, v in enumerate(singles)}
    return point, month, raw


class _Binary:
    """A file PostgreSQL's binary COPY writes into: rows of fixed size (every column NOT NULL
    and of a fixed type), parsed by numpy a few megabytes at a time."""

    HEADER = 19  # signature, flags, header extension length (0)

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype, self.pending, self.started = dtype, bytearray(), False
        self.parts: list[np.ndarray] = []

    def write(self, data) -> int:
        self.pending += data
        if len(self.pending) > 1 << 22:
            self._parse()
        return len(data)

    def _parse(self) -> None:
        if not self.started:
            self.started = True
            del self.pending[: self.HEADER]
        count = len(self.pending) // self.dtype.itemsize
        if count:
            self.parts.append(
                np.frombuffer(bytes(self.pending[: count * self.dtype.itemsize]), self.dtype)
            )
            del self.pending[: count * self.dtype.itemsize]

    def result(self) -> np.ndarray:
        self._parse()  # what is left is the trailer (-1)
        return np.concatenate(self.parts) if self.parts else np.zeros(0, self.dtype)


def _copy(release: Release, singles: list[Variable], known: dict, months: list[str]) -> np.ndarray:
    columns = [("point", ">i4"), ("month", ">i2")] + [(f"v{j}", ">i2") for j in range(len(singles))]
    dtype = np.dtype(
        [
            ("n", ">i2"),
            *(f for name, kind in columns for f in ((f"{name}_size", ">i4"), (name, kind))),
        ]
    )
    answers = "".join(
        f", coalesce(array_position(%s::text[], {_ANSWER}), 0)::int2" for _ in singles
    )
    params: list = [months]
    for variable in singles:
        params += [known[variable.key], variable.key, variable.key]
    sql = (
        "SELECT coalesce(r.service_point_id, -1)::int4, "  # noqa: S608 - no user text
        f"coalesce(array_position(%s::text[], r.month::text), 0)::int2{answers} "
        f"FROM {ReleasedRecord._meta.db_table} r WHERE r.release_id = %s"
    )
    target = _Binary(dtype)
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, [*params, release.pk]).decode()
        cursor.cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT binary)", target)
    rows = target.result()
    assert (rows["n"] == len(columns)).all() if len(rows) else True, "COPY row layout changed"
    return rows


def _add(leaves: Leaves, name: str, kind: str, counts: dict, codes: list[str], pi, mi) -> None:
    cube = np.zeros((len(leaves.points), len(leaves.months), len(codes)), np.int64)
    ci = {c: i for i, c in enumerate(codes)}
    for (p, m, c), n in counts.items():
        cube[pi[p], mi[m], ci[c]] += n
    leaves.cubes[name], leaves.categories[name], leaves.kinds[name] = cube, codes, kind


def _listed(leaves: Leaves, records, variable: Variable, pi, mi) -> None:
    """Multi-select and rank answers: lists, read as one JSON column (no per-option query)."""
    answered: dict = defaultdict(int)
    chosen: dict = defaultdict(int)
    mentions: dict = defaultdict(int)
    positions: dict = defaultdict(int)
    rows = records.annotate(v=F(f"data__{variable.key}")).values_list(
        "service_point_id", "month", "v"
    )
    for p, m, value in rows.iterator(chunk_size=10000):
        items = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
        items = [str(i) for i in items]
        if variable.kind == "multiple":
            answered[(p, m, "answered" if items else "")] += 1
            for option in set(items):
                chosen[(p, m, option)] += 1
        else:
            answered[(p, m, items[0] if items else "")] += 1
            for position, option in enumerate(items, start=1):
                mentions[(p, m, option)] += 1
                positions[(p, m, option)] += position
    if variable.kind == "multiple":
        _add(leaves, variable.key, "respondents", answered, ["answered", ""], pi, mi)
        options = _order(variable, {o for _, _, o in chosen})
        for option in options:
            counts = {(p, m, "1"): n for (p, m, o), n in chosen.items() if o == option}
            name = f"{variable.key}={option}"
            _add(leaves, name, "mentions", counts, ["1", "0"], pi, mi)
            cube = leaves.cubes[name]
            cube[:, :, 1] = leaves.records - cube[:, :, 0]
        return
    codes = _order(variable, {c for _, _, c in answered} | {o for _, _, o in mentions} | {""})
    _add(leaves, variable.key, "rank", answered, codes, pi, mi)
    options = [c for c in codes if c]
    shape = (len(leaves.points), len(leaves.months), len(options))
    count, total = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    oi = {o: i for i, o in enumerate(options)}
    for (p, m, o), n in mentions.items():
        if o in oi:
            count[pi[p], mi[m], oi[o]] += n
            total[pi[p], mi[m], oi[o]] += positions[(p, m, o)]
    leaves.ranks[variable.key] = (count, total)
