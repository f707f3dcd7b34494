"""Primary and secondary suppression solved over a release's whole lattice at once.

Primary: every cell, pair cell and node record total with ``0 < n < threshold``. Secondary:
each withheld cell needs a perturbation box (``results.lattice.boxes``) at least ``threshold``
wide whose changed cells are all withheld; the cheapest box (fewest newly withheld cells, then
least withheld mass) is taken and its cells withheld, which certifies them too. A cell with no
such box is never published: its whole question (or pair) is withheld (the report says so), and
if a record total has none, nothing of the release is published. So the guarantee holds for
every combination of published cells, margins, zeros and levels - the tau-ARGUS modular idea of
protecting each node with its children, with consistency across shared cells built in, because
a box is defined on the leaves and therefore fits every level at once.

Zeros are published (a zero identifies no one) unless a box needs them withheld; a withheld
zero is certified like any cell and shown as withheld, never as 0.
"""

from dataclasses import dataclass, field

import numpy as np

from results.lattice.boxes import Box, Dim, category_box, corners, sides
from results.lattice.pairs import Pair, coupled, pair_nodes

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
    for g, t in zip(*np.nonzero(result.total_hidden), strict=True):
        if not total_certified[g, t]:
            box = _totals_box(lattice, result, threshold, int(g), int(t))
            if box is None or box.width < threshold:
                box = _totals_box(lattice, result, threshold, int(g), int(t), wide=True)
            if box is None or box.width < threshold:
                return _nothing(result)
            _apply(box, result, certified, total_certified)
    for name in [*lattice.cubes, *lattice.pairs]:
        for cell in zip(*np.nonzero(result.hidden[name] & ~certified[name]), strict=True):
            if certified[name][cell] or name in result.dropped:
                continue
            for wide in (False, True):
                if name in lattice.pairs:
                    box = _pair_box(lattice.pairs[name], result.hidden[name], threshold, cell, wide)
                else:
                    box = _category_box(lattice, name, result, threshold, cell, wide)
                if box is not None and box.width >= threshold:
                    break
            if box is None or box.width < threshold:
                result.dropped.add(name)
                result.hidden[name][:] = True
                certified[name][:] = True
                continue
            _apply(box, result, certified, total_certified)
    for name, pair in lattice.pairs.items():  # a pair is published only with both questions
        if {pair.first, pair.second} & result.dropped:
            result.dropped.add(name)
            result.hidden[name][:] = True
    return result


def _nothing(result: Protection) -> Protection:
    for h in result.hidden.values():
        h[:] = True
    result.total_hidden[:] = True
    result.nothing = True
    result.dropped = set(result.hidden)
    return result


def _category_box(
    lattice: Lattice, name: str, result: Protection, threshold, cell, wide: bool = False
) -> Box | None:
    g, t, c = (int(i) for i in cell)
    values, hidden = lattice.cubes[name], result.hidden[name]
    best: Box | None = None
    for gs in sides(lattice.geo, g, lattice.totals[:, t].astype(float), wide):
        for ts in sides(lattice.when, t, lattice.totals[g, :].astype(float), wide):
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


def _totals_box(
    lattice: Lattice, result: Protection, threshold: int, g: int, t: int, wide: bool = False
) -> Box | None:
    """A box of record totals: every cube moves one category along (the one that allows the
    widest move; "not mentioned" for mention cubes, which keeps mentions under respondents),
    and every pair the crossing of its two questions' categories."""
    totals, best = lattice.totals, None
    for gs in sides(lattice.geo, g, totals[:, t].astype(float), wide):
        for ts in sides(lattice.when, t, totals[g, :].astype(float), wide):
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
                c = int(np.argmax(score))
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
