"""Cross-tabulations of two questions ("pairs") in the lattice, at coarse levels only.

Every pair of a single-valued question (or a multi-select option, as row) with a single-valued
question is published at the nodes of the pair levels the DPO chose (default ``PAIR_LEVELS``,
coarse so that the lattice stays tractable: countries and all places, by year and all time). A
pair's margins are the two questions' own cells at the node and its total the node's records,
so a box that moves a question's cells at a pair node must move the pair's cells along
(``moves``): ``protect`` adds those cells to the box, and a pair's own small cells get boxes of
their own (two categories of each question, margins unchanged).
"""

import json
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Substr

from privacy.models import ReleasedRecord
from results.lattice.boxes import Dim
from results.lattice.trees import Tree

PAIR_LEVELS: tuple[tuple[str, ...], tuple[str, ...]] = (("all", "country"), ("all", "year"))


@dataclass
class Pair:
    name: str  # "row|column"
    first: str  # cube names
    second: str
    values: np.ndarray  # (pair geo nodes, pair time nodes, C1, C2)
    geo: Dim
    when: Dim
    geo_of: dict[int, int]  # full geo node -> pair geo node
    time_of: dict[int, int]


def restricted(tree: Tree, levels: tuple[str, ...]) -> tuple[Tree, dict[int, int], list[int]]:
    """The tree of the nodes at ``levels`` (parent: nearest kept ancestor), full node -> kept
    node, and kept node -> full node."""
    kept = [i for i, level in enumerate(tree.levels) if level in levels]
    index = {full: i for i, full in enumerate(kept)}
    small = Tree()
    for full in kept:
        parent = tree.parent[full]
        while parent >= 0 and parent not in index:
            parent = tree.parent[parent]
        small.add(tree.keys[full], tree.labels[full], tree.levels[full], index.get(parent, -1))
    return small, index, kept


def pair_names(kinds: dict[str, str]) -> list[tuple[str, str]]:
    singles = [n for n, k in kinds.items() if k == "single"]
    options = [n for n, k in kinds.items() if k == "mentions"]
    found = [(a, b) for i, a in enumerate(singles) for b in singles[i + 1 :]]
    return found + [(o, s) for o in options for s in singles]


def pair_counts(
    records, leaves, trees, point_leaf, month_leaf, release=None, levels=PAIR_LEVELS
) -> dict[str, Pair]:
    """Pair cubes rolled up to every pair node. Two single-valued questions are counted in
    numpy from the records read once as integers (``leaves.rows``); a multi-select option with
    a question in the database at the finest pair level (GROUP BY service point and period
    prefix only when the levels need them), one query per two questions (a multi-select's
    options share theirs). ``levels``: (geography levels, time levels) the DPO chose for pairs
    (``accounts.Project.pair_levels``)."""
    geo_small, geo_index, _ = restricted(trees[0], levels[0])
    time_small, time_index, _ = restricted(trees[1], levels[1])
    gdim, tdim = Dim.of(geo_small), Dim.of(time_small)
    full_geo, full_time = Dim.of(trees[0]), Dim.of(trees[1])
    by_point = tuple(levels[0]) != ("all",)
    prefix = {"all": 0, "year": 4, "quarter": 7, "month": 7}[_finest(tuple(levels[1]))]
    wanted = pair_names(leaves.kinds)
    queries: dict[tuple[str, str], list[tuple[str, str]]] = {}
    coded = leaves.rows.codes if leaves.rows is not None else {}
    for first, second in wanted:
        if first in coded and second in coded:
            continue
        queries.setdefault((first.split("=", 1)[0], second), []).append((first, second))
    g_leaves, t_leaves = geo_small.leaves(), time_small.leaves()
    g_member = _membership(gdim, g_leaves)
    t_member = _membership(tdim, t_leaves)
    g_col = {g: i for i, g in enumerate(g_leaves)}
    t_col = {t: i for i, t in enumerate(t_leaves)}

    def finest(up: list[int], index: dict[int, int], column: dict[int, int]) -> int:
        return next(column[index[n]] for n in up if n in index and index[n] in column)

    def roll(leaf: np.ndarray, sizes: tuple[int, int]) -> np.ndarray:
        by_geo = (g_member @ leaf.reshape(len(g_leaves), -1)).reshape(
            len(g_member), len(t_leaves), -1
        )
        values = np.einsum("gtr,st->gsr", by_geo, t_member)
        return values.reshape(len(g_member), len(t_member), *sizes)

    pairs = {}
    if coded:  # each record's finest pair node, then one bincount per pair
        of_point = np.array(
            [finest(full_geo.up[point_leaf[p]], geo_index, g_col) for p in leaves.points]
        )
        of_month = np.array(
            [finest(full_time.up[month_leaf[m]], time_index, t_col) for m in leaves.months]
        )
        node = of_point[leaves.rows.point] * len(t_leaves) + of_month[leaves.rows.month]
        for first, second in wanted:
            if first not in coded or second not in coded:
                continue
            sizes = (len(leaves.categories[first]), len(leaves.categories[second]))
            cell = (node * sizes[0] + coded[first]) * sizes[1] + coded[second]
            size = len(g_leaves) * len(t_leaves) * sizes[0] * sizes[1]
            leaf = np.bincount(cell, minlength=size).reshape(len(g_leaves), len(t_leaves), *sizes)
            name = f"{first}|{second}"
            values = roll(leaf, sizes)
            pairs[name] = Pair(name, first, second, values, gdim, tdim, geo_index, time_index)
    if connection.vendor == "postgresql" and release is not None and queries:
        every = _grouped_postgresql(release, list(queries), by_point, prefix)
    for (key_a, key_b), members in queries.items():
        if connection.vendor == "postgresql" and release is not None:
            found = every.get((key_a, key_b), [])
        else:
            found = list(_grouped(records, key_a, key_b, by_point, prefix))
        gi = [
            finest(full_geo.up[point_leaf[p] if by_point else 0], geo_index, g_col)
            for p, _, _, _, _ in found
        ]
        ti = [
            finest(
                full_time.up[month_leaf[_month(q, leaves.months)] if prefix else 0],
                time_index,
                t_col,
            )
            for _, q, _, _, _ in found
        ]
        counts = [n for *_, n in found]
        for first, second in members:
            shape = (len(g_leaves), len(t_leaves))
            sizes = (len(leaves.categories[first]), len(leaves.categories[second]))
            leaf = np.zeros((*shape, *sizes), np.int64)
            ia = [_index(leaves.categories[first], a, first) for _, _, a, _, _ in found]
            ib = [leaves.categories[second].index(b) for _, _, _, b, _ in found]
            if found:
                np.add.at(leaf, (gi, ti, ia, ib), counts)
            values = roll(leaf, sizes)
            name = f"{first}|{second}"
            pairs[name] = Pair(name, first, second, values, gdim, tdim, geo_index, time_index)
    return {f"{a}|{b}": pairs[f"{a}|{b}"] for a, b in wanted}


def _membership(dim: Dim, leaves: list[int]) -> np.ndarray:
    """(nodes, leaves) 0/1: which leaves each node of a pair tree sums."""
    matrix = np.zeros((len(dim.up), len(leaves)), np.int64)
    for j, leaf in enumerate(leaves):
        matrix[dim.up[leaf], j] = 1
    return matrix


def _finest(levels: tuple[str, ...]) -> str:
    return next((lv for lv in ("month", "quarter", "year") if lv in levels), "all")


def _month(period: str, months: list[str]) -> str:
    """A month of the period (the tree maps it to the period's node)."""
    return next(m for m in months if m.startswith(period))


def _index(codes: list[str], value, name: str) -> int:
    if "=" in name:  # a multi-select option: mentioned (0) or not (1)
        chosen = value if isinstance(value, list) else [value] if value else []
        return 0 if name.split("=", 1)[1] in chosen else 1
    return codes.index(value)


def _code(value):
    if isinstance(value, str) and value.startswith("["):
        try:
            return [str(v) for v in json.loads(value)]
        except ValueError:
            return value
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def _grouped_postgresql(release, keys: list[tuple[str, str]], by_point: bool, prefix: int):
    """Every pair's counts in one scan of the release (key pairs unnested next to each
    record), not one scan per pair: (key, key) -> [(point, period, a, b, records)]."""
    point = "r.service_point_id" if by_point else "NULL::bigint"
    period = f"substr(r.month, 1, {int(prefix)})" if prefix else "''"
    found: dict[tuple[str, str], list] = {key: [] for key in keys}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {point}, {period}, q.a, q.b, r.data ->> q.a, r.data ->> q.b, count(*) "  # noqa: S608 - no user text
            f"FROM {ReleasedRecord._meta.db_table} r, unnest(%s::text[], %s::text[]) q(a, b) "
            "WHERE r.release_id = %s GROUP BY 1, 2, 3, 4, 5, 6",
            [[a for a, _ in keys], [b for _, b in keys], release.pk],
        )
        for p, q, key_a, key_b, a, b, n in cursor.fetchall():
            found[(key_a, key_b)].append((p, q, _code(a), _code(b), n))
    return found


def _grouped(records, key_a: str, key_b: str, by_point: bool, prefix: int):
    """(point, period, first answer, second code, records) from one GROUP BY."""
    annotations = {"a": KeyTextTransform(key_a, "data"), "b": KeyTextTransform(key_b, "data")}
    if prefix:
        annotations["period"] = Substr("month", 1, prefix)
    names = (["service_point_id"] if by_point else []) + list(annotations)
    rows = records.annotate(**annotations).values(*names).annotate(n=Count("pk"))
    for row in rows.values_list(*names, "n"):
        found = dict(zip([*names, "n"], row, strict=True))
        a, b = _code(found["a"]), _code(found["b"])
        yield found.get("service_point_id"), found.get("period", ""), a, b, found["n"]


def pair_nodes(pairs: dict[str, Pair], geo_nodes, time_nodes, signs) -> list[tuple[int, int, int]]:
    """(pair geo node, pair time node, sign) of the changed nodes a box shares with pairs."""
    if not pairs:
        return []
    any_pair = next(iter(pairs.values()))
    return [
        (any_pair.geo_of[g], any_pair.time_of[t], s)
        for g, t, s in zip(geo_nodes, time_nodes, signs, strict=True)
        if g in any_pair.geo_of and t in any_pair.time_of
    ]


def coupled(
    pairs: dict[str, Pair],
    hidden: dict[str, np.ndarray],
    nodes: list[tuple[int, int, int]],
    moved: dict[str, list[tuple[int, int]]],
    bounds: tuple[float, float],
) -> tuple[float, float, int, list[tuple]]:
    """Pair cells a box must move along when it moves questions' cells at pair nodes.

    ``moved``: cube -> [(category, sign)]. A pair with both questions moved (a record-total
    box: one category each) moves its cell at their crossing; a pair with one question moved
    moves each moved category crossed with the other question's category that allows the
    widest move (ties: the larger lower bound, then upper, then the later category). Returns
    the box's (down, up) bounds narrowed, newly withheld cells, cells."""
    down, up = float(bounds[0]), float(bounds[1])
    new = 0
    cells: list[tuple] = []
    if not nodes:
        return down, up, new, cells
    gs = np.array([g for g, _, _ in nodes])
    ts = np.array([t for _, t, _ in nodes])
    rising = np.array([s for _, _, s in nodes]) > 0
    places = list(dict.fromkeys(zip(gs.tolist(), ts.tolist(), strict=True)))
    ug = np.array([g for g, _ in places])[:, None, None]
    ut = np.array([t for _, t in places])[:, None, None]
    for name, pair in pairs.items():
        first, second = moved.get(pair.first), moved.get(pair.second)
        if first is None and second is None:
            continue
        values = pair.values[gs, ts]  # (nodes, C1, C2)
        if first is not None and second is not None:
            (a, sa), (b, sb) = first[0], second[0]
            terms = [(a, b, sa * sb)]
            choice = (np.array([a]), np.array([b]))
        else:
            mine: list[tuple[int, int]] = first if first is not None else (second or [])
            other = values.shape[2] if first is not None else values.shape[1]
            lo, hi = np.full(other, down), np.full(other, up)
            for c, sc in mine:
                v = values[:, c, :] if first is not None else values[:, :, c]  # (nodes, other)
                lo, hi = _narrowed(v, rising if sc > 0 else ~rising, lo, hi)
            w = int(np.lexsort((np.arange(other), hi, lo, lo + hi))[-1])
            terms = [(c, w, sc) if first is not None else (w, c, sc) for c, sc in mine]
            cats = np.array([c for c, _ in mine])
            choice = (cats, np.array([w])) if first is not None else (np.array([w]), cats)
        for a, b, sc in terms:
            lo, hi = _narrowed(values[:, a, b], rising if sc > 0 else ~rising, down, up)
            down, up = float(lo), float(hi)
        block = hidden[name][ug, ut, choice[0][None, :, None], choice[1][None, None, :]]
        new += int((~block).sum())
        cells += [(name, np.array([g]), np.array([t]), choice) for g, t in places]
    return down, up, new, cells


def _narrowed(values: np.ndarray, plus: np.ndarray, down, up):
    """``down`` and ``up`` narrowed by ``values`` (nodes first): a node whose cell rises with d
    (``plus``) bounds how far d may fall, the others how far it may rise."""
    if plus.any():
        down = np.minimum(down, values[plus].min(axis=0))
    if not plus.all():
        up = np.minimum(up, values[~plus].min(axis=0))
    return down, up
