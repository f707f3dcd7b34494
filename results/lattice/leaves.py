"""Leaf counts of a release: for every variable, records per (service point, visit month,
category), counted once in the database; every coarser cell is summed from these in numpy.

A variable becomes one or more "cubes", each a partition of the release's records into
categories (so a cube's categories add up to the node's record count, the same for every cube):

- a single-valued question: its choices, and "" for no answer;
- a multi-select question: ``key`` with "answered" / "" (the respondents), and one cube per
  option ``key=option`` with "1" (mentioned) / "0" (not mentioned, or no answer);
- a ranking: ``key`` with the option ranked first, "" for no ranking; plus, not published
  as counts, the options' mentions and sums of positions for mean ranks.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Count, F
from django.db.models.fields.json import KeyTextTransform

from privacy.models import Release, ReleasedRecord
from results.variables import Variable

TOTAL = "*"  # the last category of every cube: the node's record count


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


def _order(variable: Variable, codes: set[str]) -> list[str]:
    known = [code for code in variable.choices if code in codes]
    return known + sorted(codes - set(known) - {""}) + ([""] if "" in codes else [])


def _code(value) -> str:
    if value is None or value == "" or isinstance(value, (list, dict)):
        return ""
    return str(value)


def leaf_counts(release: Release, variables: dict[str, Variable]) -> Leaves:
    """Count the release's records once per variable (GROUP BY service point, month, answer)
    for single-valued questions; multi-select and rank answers are read as one column each."""
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
    if connection.vendor == "postgresql" and singles:
        found = _singles_postgresql(release, [v.key for v in singles])
    else:
        found = {v.key: _single(records, v) for v in singles}
    for variable in singles:
        counts = found.get(variable.key, {})
        codes = _order(variable, {c for _, _, c in counts})
        _add(leaves, variable.key, "single", counts, codes or [""], pi, mi)
    for variable in variables.values():
        if variable.kind in {"multiple", "rank"}:
            _listed(leaves, records, variable, pi, mi)
    return leaves


def _singles_postgresql(release: Release, keys: list[str]) -> dict[str, dict]:
    """Every single-valued question's leaf counts in one scan of the release (the keys
    unnested next to each record), not one scan per question."""
    counts: dict[str, dict] = {key: defaultdict(int) for key in keys}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.service_point_id, r.month, k, r.data ->> k, count(*) "  # noqa: S608 - no user text
            f"FROM {ReleasedRecord._meta.db_table} r, unnest(%s::text[]) k "
            "WHERE r.release_id = %s GROUP BY 1, 2, 3, 4",
            [keys, release.pk],
        )
        for p, m, key, v, n in cursor.fetchall():
            counts[key][(p, m, _code(v))] += n
    return counts


def _add(leaves: Leaves, name: str, kind: str, counts: dict, codes: list[str], pi, mi) -> None:
    cube = np.zeros((len(leaves.points), len(leaves.months), len(codes)), np.int64)
    ci = {c: i for i, c in enumerate(codes)}
    for (p, m, c), n in counts.items():
        cube[pi[p], mi[m], ci[c]] += n
    leaves.cubes[name], leaves.categories[name], leaves.kinds[name] = cube, codes, kind


def _single(records, variable: Variable) -> dict:
    rows = (
        records.annotate(v=KeyTextTransform(variable.key, "data"))
        .values("service_point_id", "month", "v")
        .annotate(n=Count("pk"))
        .values_list("service_point_id", "month", "v", "n")
    )
    counts: dict = defaultdict(int)
    for p, m, v, n in rows:
        counts[(p, m, _code(v))] += n
    return counts


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
