"""Primary and secondary suppression solved over a release's whole lattice at once.

Primary: every cell, pair cell and node record total with ``0 < n < threshold``. Secondary:
each withheld cell needs a perturbation box (``results.lattice.boxes``) at least ``threshold``
wide whose changed cells are all withheld; the cheapest box is taken and its cells withheld,
which certifies them too. Boxes are searched in batches with numpy (``results.lattice.sweep``):
record totals first, then every cube's cells, with local candidates (siblings at the cell's own
level), then broad ones (any level, degenerate sides, pairs moved along) for the few left; only
what those leave goes to the per-cell search here (old narrow and wide sides, then every broad
side, pairs moved along), and last (``_records_box``) a box of record totals that moves the
cell's own category. A cell with no box is never published: its whole question (or pair)
is withheld (the report says so) except the zeros its published margins already tell, and if a
record total has none, nothing of the release is published. So the guarantee holds for
every combination of published cells, margins, zeros and levels - the tau-ARGUS modular idea of
protecting each node with its children, with consistency across shared cells built in, because
a box is defined on the leaves and therefore fits every level at once.

Zeros are published (a zero identifies no one) unless a box needs them withheld; a withheld
zero is certified like any cell and shown as withheld, never as 0.

Why a record-total box may certify a question's cell. A category box swaps answers within
fixed records, so a cell can move at most by the answers its node holds: the cells of a
December of two visits never get a box 5 wide, and before this their questions were withheld
entirely on every small release. A record-total box (``boxes``: records come and go at the
corners, one category of every cube moving with them) is a box like any other: each changed
cell - record totals and each cube's moved category on the paths below the lowest common
ancestors - moves by exactly +-d, all of them are withheld, so every published number, zero and
margin is unchanged, and the bounds are the leaf corners' (a falling "answered" also above
every option's mentions). Forcing the moved category of the cell's cube to be the cell's own
changes nothing in that argument; a forced "mentioned" moves its question's "answered" along,
so mentions never exceed respondents. The rising side draws on a busy sibling, so the width is
wide even where the cell holds one record. A box degenerate in both dimensions is not used for
it: it would withhold the release's record total for one cell.
"""

from dataclasses import dataclass, field

import numpy as np

from results.lattice.boxes import Box, Dim, Side, Sides, category_box, corners, side_table, sides
from results.lattice.pairs import Pair, coupled, pair_nodes
from results.lattice.sweep import Coupling, category_boxes, pair_touch, totals_boxes

MENTIONS = "mentions"
TRIED = 3  # partner categories per box shape checked against the pairs they move


@dataclass
class Protection:
    hidden: dict[str, np.ndarray]  # cube or pair -> withheld mask
    primary: dict[str, np.ndarray]
    total_hidden: np.ndarray  # (G, T)
    total_primary: np.ndarray
    dropped: set[str] = field(default_factory=set)  # cubes and pairs withheld entirely
    nothing: bool = False  # the release is too small to publish anything


@dataclass
class Lattice:
    """What protection works on: cubes (G, T, C), pairs, record totals (G, T), the trees."""

    cubes: dict[str, np.ndarray]
    kinds: dict[str, str]
    totals: np.ndarray
    geo: Dim
    when: Dim
    slack: dict[str, tuple[np.ndarray, bool]] = field(default_factory=dict)
    pairs: dict[str, Pair] = field(default_factory=dict)


def protect(lattice: Lattice, threshold: int) -> Protection:
    """Withhold cells until every withheld cell has a box at least ``threshold`` wide."""
    small = {n: (v > 0) & (v < threshold) for n, v in lattice.cubes.items()}
    small.update({n: (p.values > 0) & (p.values < threshold) for n, p in lattice.pairs.items()})
    totals = (lattice.totals > 0) & (lattice.totals < threshold)
    result = Protection(small, {n: h.copy() for n, h in small.items()}, totals, totals.copy())
    certified = {n: np.zeros_like(h) for n, h in small.items()}
    total_certified = np.zeros_like(totals)
    geo_weight = lattice.totals[:, lattice.when.root].astype(float)
    time_weight = lattice.totals[lattice.geo.root, :].astype(float)
    tables = []
    for wide in (False, True):  # local candidates for every cell, then all for the few left
        options = dict(firsts=2, heavy=16, light=0, climb=True, degenerate=True) if wide else {}
        geo_sides = side_table(lattice.geo, geo_weight, **options)  # type: ignore[arg-type]
        time_sides = side_table(lattice.when, time_weight, **options)  # type: ignore[arg-type]
        tables.append((geo_sides, time_sides, _pair_touch(lattice, geo_sides, time_sides)))
    moves = {
        name: (
            lattice.kinds[name] == MENTIONS,
            lattice.slack[name][0]
            if name in lattice.slack and lattice.kinds[name] != MENTIONS
            else None,
        )
        for name in lattice.cubes
    }
    left_totals = np.argwhere(result.total_hidden & ~total_certified)
    for geo_sides, time_sides, touch in tables:  # local candidates, then all for the few left
        left_totals = totals_boxes(
            lattice.totals,
            lattice.cubes,
            moves,
            (result.total_hidden, result.hidden),
            (total_certified, certified),
            left_totals,
            threshold,
            geo_sides,
            time_sides,
            touch,
            Coupling(lattice.pairs, result.hidden, certified, geo_sides, time_sides)
            if lattice.pairs
            else None,
        )
    for g, t in left_totals.tolist():
        if not total_certified[g, t]:
            box = _totals_box(lattice, result, threshold, int(g), int(t))
            if box is None or box.width < threshold:
                box = _totals_box(lattice, result, threshold, int(g), int(t), wide=True)
            if box is None or box.width < threshold:
                return _nothing(result)
            _apply(box, result, certified, total_certified)
    paired = {n for p in lattice.pairs.values() for n in (p.first, p.second)}
    left = {name: np.argwhere(result.hidden[name] & ~certified[name]) for name in lattice.cubes}
    for geo_sides, time_sides, touch in tables:
        for name, values in lattice.cubes.items():
            left[name] = category_boxes(
                values,
                result.hidden[name],
                certified[name],
                left[name],
                threshold,
                geo_sides,
                time_sides,
                touch if name in paired else None,
                lattice.slack.get(name),
            )
    for name in [*lattice.cubes, *lattice.pairs]:
        cells = left.get(name)
        if cells is None:
            cells = np.argwhere(result.hidden[name] & ~certified[name])
        for cell in map(tuple, cells.tolist()):
            if certified[name][cell] or name in result.dropped:
                continue
            for attempt in ("narrow", "wide", "broad"):
                wide = attempt != "narrow"
                if name in lattice.pairs:
                    if attempt == "broad":
                        break
                    box = _pair_box(lattice.pairs[name], result.hidden[name], threshold, cell, wide)
                else:  # "broad": every side of the batched search, pairs moved along
                    broad = tables[1][:2] if attempt == "broad" else None
                    box = _category_box(lattice, name, result, threshold, cell, wide, broad)
                if box is not None and box.width >= threshold:
                    break
            if (box is None or box.width < threshold) and name not in lattice.pairs:
                box = _records_box(lattice, result, threshold, cell, name, tables[1][:2])
            if box is None or box.width < threshold:
                _drop(lattice, result, name)
                certified[name][:] = True
                continue
            _apply(box, result, certified, total_certified)
    for name, pair in lattice.pairs.items():  # a pair is published only with both questions
        if {pair.first, pair.second} & result.dropped:
            _drop(lattice, result, name)
    return result


def _drop(lattice: Lattice, result: Protection, name: str) -> None:
    """Withhold a question (or pair) entirely, except its zeros where the place and period
    publish 0 records (for a pair: or its row's or column's question publishes 0): those the
    published margins already tell, and shown withheld they would read as
    hidden cells any attacker pins to exactly 0 (no box runs through an empty node, so no
    certificate needs them). So is a pair cell whose finest parts are all such zeros."""
    result.dropped.add(name)
    empty = (lattice.totals == 0) & ~result.total_hidden
    if name not in lattice.pairs:
        result.hidden[name][:] = True
        result.hidden[name][empty] = False
        if lattice.kinds[name] == MENTIONS:  # no one answered: no one mentioned it
            key = name.split("=", 1)[0]
            none = (lattice.cubes[key][:, :, 0] == 0) & ~result.hidden[key][:, :, 0]
            result.hidden[name][:, :, 0][none] = False
            result.hidden[name][:, :, 1][none & ~result.total_hidden] = False
        return
    pair = lattice.pairs[name]  # and a pair's row or column whose margin is a published 0
    geo = np.array(sorted(pair.geo_of, key=lambda n: pair.geo_of[n]))
    when = np.array(sorted(pair.time_of, key=lambda n: pair.time_of[n]))
    block: tuple = np.ix_(geo, when)
    rows = (lattice.cubes[pair.first][block] == 0) & ~result.hidden[pair.first][block]
    columns = (lattice.cubes[pair.second][block] == 0) & ~result.hidden[pair.second][block]
    known = rows[:, :, :, None] | columns[:, :, None, :] | empty[block][:, :, None, None]
    for i, under_g in enumerate(pair.geo.leaves):  # a sum of known zeros is a known zero
        for j, under_t in enumerate(pair.when.leaves):
            known[i, j] |= known[np.ix_(under_g, under_t)].all(axis=(0, 1))
    result.hidden[name][:] = True
    result.hidden[name][known] = False


def _pair_touch(lattice: Lattice, geo: Sides, when: Sides) -> tuple | None:
    """Which candidate sides change a node where pairs are published (all pairs share their
    levels): the batched search leaves those boxes to the per-cell one."""
    if not lattice.pairs:
        return None
    pair = next(iter(lattice.pairs.values()))
    return pair_touch(geo, np.array(list(pair.geo_of))), pair_touch(
        when, np.array(list(pair.time_of))
    )


def _nothing(result: Protection) -> Protection:
    for h in result.hidden.values():
        h[:] = True
    result.total_hidden[:] = True
    result.nothing = True
    result.dropped = set(result.hidden)
    return result


def _category_box(
    lattice: Lattice,
    name: str,
    result: Protection,
    threshold,
    cell,
    wide: bool = False,
    broad: tuple[Sides, Sides] | None = None,
) -> Box | None:
    g, t, c = (int(i) for i in cell)
    values, hidden = lattice.cubes[name], result.hidden[name]
    best: Box | None = None
    if broad is not None:
        geo_options, time_options = broad[0].of(g), broad[1].of(t)
    else:
        geo_options = sides(lattice.geo, g, lattice.totals[:, t].astype(float), wide)
        time_options = sides(lattice.when, t, lattice.totals[g, :].astype(float), wide)
    for gs in geo_options:
        for ts in time_options:
            up, down, new, mass = category_box(values, hidden, lattice.slack.get(name), gs, ts, c)
            new[c] = 10**9
            shared = pair_nodes(
                lattice.pairs,
                np.repeat(gs.nodes, len(ts.nodes)),
                np.tile(ts.nodes, len(gs.nodes)),
                np.outer(gs.signs, ts.signs).ravel(),
            )
            order = np.lexsort((mass, new, up + down < threshold))
            for c2 in order[: TRIED if shared else 1]:
                c2 = int(c2)
                if c2 == c:
                    continue
                lo, hi, more, cells = coupled(
                    lattice.pairs,
                    result.hidden,
                    shared,
                    {name: [(c, 1), (c2, -1)]},
                    (float(down[c2]), float(up[c2])),
                )
                own = (name, gs.nodes, ts.nodes, np.array([c, c2]))
                box = Box(lo + hi, int(new[c2]) + more, int(mass[c2]), [own, *cells])
                if best is None or box.key(threshold) < best.key(threshold):
                    best = box
    return best


def _pair_box(
    pair: Pair, hidden: np.ndarray, threshold: int, cell, wide: bool = False
) -> Box | None:
    """Two categories of each question, at two nodes of each pair dimension (or one, at the
    root): the questions' own cells and the records never change."""
    g, t, a, b = (int(i) for i in cell)
    weights = pair.values.sum(axis=(2, 3)).astype(float)
    best: Box | None = None
    for gs in sides(pair.geo, g, weights[:, t], wide):
        for ts in sides(pair.when, t, weights[g, :], wide):
            down = np.full(pair.values.shape[2:], np.inf)
            up = np.full(pair.values.shape[2:], np.inf)
            for gl, sg in corners(gs):
                for tl, st in corners(ts):
                    v = pair.values[gl, tl].astype(float)
                    plus = np.minimum(v[a, b], v)  # (a, b) and (a2, b2) move with the sign
                    minus = np.minimum(v[:, b][:, None], v[a, :][None, :])
                    if sg * st < 0:
                        plus, minus = minus, plus
                    down, up = np.minimum(down, plus), np.minimum(up, minus)
            width = down + up
            width[a, :], width[:, b] = -1, -1
            block = hidden[np.ix_(gs.nodes, ts.nodes)]  # (gn, tn, C1, C2)
            shown = (~block).sum(axis=(0, 1))
            new = shown[a, b] + shown[:, b][:, None] + shown[a, :][None, :] + shown
            key = np.where(width >= threshold, new, 10**9 + new)
            a2, b2 = np.unravel_index(int(np.argmin(key)), key.shape)
            cats = (np.array([a, int(a2)]), np.array([b, int(b2)]))
            box = Box(
                float(width[a2, b2]), int(new[a2, b2]), 0, [(pair.name, gs.nodes, ts.nodes, cats)]
            )
            if best is None or box.key(threshold) < best.key(threshold):
                best = box
    return best


def _records_box(
    lattice: Lattice, result: Protection, threshold: int, cell, name: str, broad: tuple
) -> Box | None:
    """The last resort for a question's cell before the question is withheld: a box of record
    totals moving the cell's own category (a December of two visits has no two answers
    to swap, but records can come and go between it and a busy month)."""
    g, t, c = (int(i) for i in cell)
    best = None
    for wide in (False, True, None):  # None: every side of the batched search (degenerate too)
        options = (broad[0].of(g), broad[1].of(t)) if wide is None else None
        box = _totals_box(lattice, result, threshold, g, t, bool(wide), (name, c), options)
        if box is not None and (best is None or box.key(threshold) < best.key(threshold)):
            best = box
        if best is not None and best.width >= threshold:
            break
    return best


def _totals_box(
    lattice: Lattice,
    result: Protection,
    threshold: int,
    g: int,
    t: int,
    wide: bool = False,
    force: tuple[str, int] | None = None,
    options: tuple[list[Side], list[Side]] | None = None,
) -> Box | None:
    """A box of record totals: every cube moves one category along (the one that allows the
    widest move; "not mentioned" for mention cubes, which keeps mentions under respondents),
    and every pair the crossing of its two questions' categories.

    ``force`` = (cube, category): that cube moves that category (a cell no category box
    protects: records move in and out with its answer, as they would had more people or
    fewer come). A forced mention ("mentioned") moves its question's respondents' "answered"
    along, so mentions stay under respondents; "answered" falling is bounded by the room
    above every option's mentions, as always."""
    totals, best = lattice.totals, None
    pinned = dict([force]) if force else {}
    if force and lattice.kinds[force[0]] == MENTIONS and force[1] == 0:
        pinned[force[0].split("=", 1)[0]] = 0
    if options is None:
        options = (
            sides(lattice.geo, g, totals[:, t].astype(float), wide),
            sides(lattice.when, t, totals[g, :].astype(float), wide),
        )
    for gs in options[0]:
        for ts in options[1]:
            if force and gs.b < 0 and ts.b < 0:
                continue  # it would withhold the release's record total for one cell
            leaves = [(a, b, sa * sb) for a, sa in corners(gs) for b, sb in corners(ts)]
            down = min((float(totals[a, b]) for a, b, s in leaves if s > 0), default=np.inf)
            up = min((float(totals[a, b]) for a, b, s in leaves if s < 0), default=np.inf)
            block = np.ix_(gs.nodes, ts.nodes)
            new = int((~result.total_hidden[block]).sum())
            cells: list = [(None, gs.nodes, ts.nodes, None)]
            moved = {}
            for name, values in lattice.cubes.items():
                plus = np.min([values[a, b] for a, b, s in leaves if s > 0], axis=0).astype(float)
                falling = [values[a, b] for a, b, s in leaves if s < 0]
                minus = np.min(falling, axis=0) if falling else np.full(len(plus), np.inf)
                if name in lattice.slack and lattice.kinds[name] != MENTIONS:
                    room = lattice.slack[name][0]  # respondents stay above every option's mentions
                    plus[0] = min(plus[0], min(room[a, b] for a, b, s in leaves if s > 0))
                    if falling:
                        minus[0] = min(minus[0], min(room[a, b] for a, b, s in leaves if s < 0))
                score = np.minimum(plus, 10**9) + np.minimum(minus, 10**9)
                if lattice.kinds[name] == MENTIONS:
                    score[0] = -1
                c = pinned.get(name, int(np.argmax(score)))
                down, up = min(down, float(plus[c])), min(up, float(minus[c]))
                new += int((~result.hidden[name][block][:, :, c]).sum())
                cells.append((name, gs.nodes, ts.nodes, np.array([c])))
                moved[name] = [(c, 1)]
            shared = pair_nodes(
                lattice.pairs,
                np.repeat(gs.nodes, len(ts.nodes)),
                np.tile(ts.nodes, len(gs.nodes)),
                np.outer(gs.signs, ts.signs).ravel(),
            )
            down, up, more, pair_cells = coupled(
                lattice.pairs, result.hidden, shared, moved, (down, up)
            )
            box = Box(down + up, new + more, 0, cells + pair_cells)
            if best is None or box.key(threshold) < best.key(threshold):
                best = box
    return best


def _apply(box: Box, result: Protection, certified: dict, total_certified: np.ndarray) -> None:
    for name, g, t, c in box.cells:
        if name is None:
            block = np.ix_(g, t)
            result.total_hidden[block] = True
            total_certified[block] = True
        else:
            block = np.ix_(g, t, *(c if isinstance(c, tuple) else (c,)))
            result.hidden[name][block] = True
            certified[name][block] = True
