"""Answering a table from a built lattice: pick cells, never count. Rows and columns are a
question's categories or the nodes of one level of a dimension under the filtered node."""

from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext_lazy as _

from lib.problems import Problem, interpolate
from results.lattice.store import cube, cube_names
from results.lattice.trees import GEO_LEVELS, TIME_LEVELS, Tree
from results.models import Lattice

WITHHELD = -1
GEO_KEYS = {"network", "national_society", "country", "service_point"}
TIME_KEYS = {"year", "quarter", "month"}


@dataclass
class Axis:
    """One axis of a table: what its entries are, as codes and labels, and how to read a cell
    at entry i: (geography node, time node, cube, category index)."""

    codes: list[str]
    labels: list[str]
    spots: list[tuple[int, int, str, int]] = field(default_factory=list)


@dataclass
class Picked:
    counts: np.ndarray
    row_totals: np.ndarray
    column_totals: np.ndarray
    total: int
    row_codes: list[str]
    rows: list[str]
    column_codes: list[str]
    columns: list[str]
    notes: list[str] = field(default_factory=list)


def _nodes(tree: Tree, node: int, level: str, levels: tuple[str, ...]) -> list[int]:
    """Nodes of ``level`` under ``node`` (``node`` itself when it is that level or finer)."""
    if levels.index(tree.levels[node]) >= levels.index(level):
        return [node]
    found, frontier = [], [node]
    while frontier:
        children = [i for i, p in enumerate(tree.parent) if p in frontier]
        found += [i for i in children if tree.levels[i] == level]
        frontier = [i for i in children if tree.levels[i] != level]
    return found


def _value(lattice: Lattice, name: str, g: int, t: int, c: int) -> int:
    found = cube(lattice, name)
    if found is None:
        return WITHHELD
    return int(found[0][g, t, c])


def pick(lattice: Lattice, row: tuple[str, list], column: tuple[str, list] | None, g: int, t: int):
    """Cells of the table: ``row``/``column`` are (kind, entries) from ``axis``; one of them at
    most a question. Totals are the cells of the filtered node itself."""
    cells = []
    columns = column[1] if column else [None]
    for r in row[1]:
        cells.append([_combine(lattice, r, c, g, t) for c in columns])
    return np.array(cells, np.int64).reshape(len(row[1]), len(columns))


def _combine(lattice, r, c, g, t) -> int:
    """A cell from a row entry and a column entry: each fixes a node or a category."""
    geo, when, name, category = g, t, None, -1
    for entry in (r, c):
        if entry is None:
            continue
        kind, value = entry
        if kind == "geo":
            geo = value
        elif kind == "time":
            when = value
        else:
            name, category = value
    if name is None:
        name, category = "_records", -1
    return _value(lattice, name, geo, when, category)


def entries(
    lattice,
    key: str,
    variables: dict,
    tree_geo: Tree | None,
    tree_time: Tree | None,
    g: int,
    t: int,
):
    """(codes, labels, entries) of an axis: a dimension's nodes under the filtered node, or a
    question's categories (a multi-select's options as mention counts)."""
    if key in GEO_KEYS and tree_geo is not None:
        nodes = _nodes(tree_geo, g, key, GEO_LEVELS)
        return (
            [tree_geo.keys[n] for n in nodes],
            [tree_geo.labels[n] for n in nodes],
            [("geo", n) for n in nodes],
        )
    if key in TIME_KEYS and tree_time is not None:
        nodes = _nodes(tree_time, t, key, TIME_LEVELS)
        return (
            [tree_time.labels[n] for n in nodes],
            [tree_time.labels[n] for n in nodes],
            [("time", n) for n in nodes],
        )
    variable = variables[key]
    names = set(cube_names(lattice))
    if variable.kind == "multiple":
        options = [
            n.split("=", 1)[1] for n in sorted(names) if n.startswith(f"{key}=") and "|" not in n
        ]
        known = [o for o in variable.choices if o in options]
        options = known + [o for o in options if o not in known]
        return options, options, [("cat", (f"{key}={o}", 0)) for o in options]
    found = cube(lattice, key)
    if found is None:
        raise Problem(
            "results.table_not_published",
            interpolate(_("%(table)s is not among this release's published tables."), table=key),
            available=sorted(n for n in names if not set(n) & {"=", "|", "_"}),
        )
    categories = found[1][:-1]
    return categories, categories, [("cat", (key, i)) for i in range(len(categories))]


def pair_cells(lattice: Lattice, row, column, g: int, t: int) -> np.ndarray:
    """(rows, columns) cells of two questions' cross-tabulation at node (g, t): from the pair
    cube (transposed when stored the other way round; one pair per option of a multi-select
    row). Refused when the pair or the node is not in the lattice, naming what is."""
    if row.kind == "multiple":
        options = entries(lattice, row.key, {row.key: row}, None, None, g, t)[0]
        parts = [pair_cells_named(lattice, f"{row.key}={o}", column.key, g, t)[:1] for o in options]
        return np.concatenate(parts) if parts else np.zeros((0, 0), np.int64)
    return pair_cells_named(lattice, row.key, column.key, g, t)


def pair_cells_named(lattice: Lattice, first: str, second: str, g: int, t: int) -> np.ndarray:
    for name, flip in ((f"{first}|{second}", False), (f"{second}|{first}", True)):
        found = cube(lattice, name)
        if found is None:
            continue
        cells, layout = found[0], found[1]
        if g not in layout["geography"] or t not in layout["time"]:
            geo = Tree.from_dict(lattice.geography)
            when = Tree.from_dict(lattice.time)
            levels = sorted({geo.levels[n] for n in layout["geography"]}) + sorted(
                {when.levels[n] for n in layout["time"]}
            )
            raise Problem(
                "results.table_not_published",
                interpolate(
                    _(
                        "Cross-tabulations of two questions are published only for %(levels)s "
                        "(the levels the DPO chose), so that no difference of them gives a "
                        "hidden count away. Remove the filters, or cross a question with a "
                        "place or period."
                    ),
                    levels=" / ".join(levels),
                ),
                available=levels,
            )
        block = cells[layout["geography"].index(g), layout["time"].index(t)].astype(np.int64)
        return block.T if flip else block
    raise Problem(
        "results.table_not_published",
        interpolate(
            _("%(first)s by %(second)s is not among this release's protected tables."),
            first=first,
            second=second,
        ),
    )
