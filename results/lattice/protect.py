"""Primary and secondary suppression solved over a release's whole lattice at once.

Primary: every cell, pair cell and node record total with ``0 < n < threshold``. Secondary:
each withheld cell needs a perturbation box (``results.lattice.boxes``) at least ``threshold``
wide whose changed cells are all withheld; the cheapest box is taken and its cells withheld,
which certifies them too. Boxes are searched in batches with numpy (``results.lattice.sweep``):
record totals first, then every cube's cells, with local candidates (siblings at the cell's own
level), then broad ones (any level, degenerate sides, pairs moved along) for the few left; only
what those leave goes to the per-cell search here (old narrow and wide sides, then every broad
side, pairs moved along), and last (``totals.records_box``) a box of record totals that moves the
cell's own category. A cell with no box is never published: its whole question (or pair)
is withheld (the report says so) except the zeros its published margins already tell; if a
record total has none, nothing is published (``unprotected`` says which: ``coarsen`` then
withholds finer levels and protects the coarser lattice left). So the guarantee holds for
every combination of published cells, margins, zeros and levels - the tau-ARGUS modular idea of
protecting each node with its children, with consistency across shared cells built in, because
a box is defined on the leaves and therefore fits every level at once.

Zeros are published (a zero identifies no one) unless a box needs them withheld; a withheld
zero is certified like any cell and shown as withheld, never as 0. Record-total boxes and what
a question with no box withholds: ``results.lattice.totals``.
"""

import numpy as np

from results.lattice.boxes import Box, Sides, category_box, corners, side_table, sides
from results.lattice.pairs import Pair, coupled, pair_nodes
from results.lattice.sweep import Coupling, category_boxes, pair_touch, totals_boxes
from results.lattice.totals import records_box, totals_box, withhold_question
from results.lattice.work import MENTIONS, Lattice, Protection

__all__ = ["MENTIONS", "Lattice", "Protection", "protect"]

TRIED = 3  # partner categories per box shape checked against the pairs they move


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
    unprotected: list[tuple[int, int]] = []
    for g, t in left_totals.tolist():
        if not total_certified[g, t] and unprotected:  # nothing is published as it stands:
            unprotected.append((int(g), int(t)))  # the rest only guide coarsen's cuts
        elif not total_certified[g, t]:
            box = totals_box(lattice, result, threshold, int(g), int(t))
            if box is None or box.width < threshold:
                box = totals_box(lattice, result, threshold, int(g), int(t), wide=True)
            if box is None or box.width < threshold:
                unprotected.append((int(g), int(t)))
                continue
            _apply(box, result, certified, total_certified)
    if unprotected:
        result.unprotected = unprotected
        return _nothing(result)
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
                box = records_box(lattice, result, threshold, cell, name, tables[1][:2])
            if box is None or box.width < threshold:
                result.stuck[name] = cell
                withhold_question(lattice, result, name)
                certified[name][:] = True
                continue
            _apply(box, result, certified, total_certified)
    for name, pair in lattice.pairs.items():  # a pair is published only with both questions
        if {pair.first, pair.second} & result.dropped:
            withhold_question(lattice, result, name)
    return result


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
    if not geo_options or not time_options:
        return None
    up, down, new, mass = category_box(
        values, hidden, lattice.slack.get(name), geo_options, time_options, c
    )
    new[..., c] = 10**9
    order = np.lexsort((mass, new, up + down < threshold), axis=-1)
    touched = _pair_sides(lattice, geo_options, time_options)
    for kg, gs in enumerate(geo_options):
        for kt, ts in enumerate(time_options):
            shared = None
            for c2 in order[kg, kt, : TRIED if touched[0][kg] and touched[1][kt] else 1]:
                c2 = int(c2)
                if c2 == c:
                    continue
                lower, upper = float(down[kg, kt, c2]), float(up[kg, kt, c2])
                cost, weight = int(new[kg, kt, c2]), int(mass[kg, kt, c2])
                # Moving pairs along only narrows the width and withholds more: a box whose
                # own cells already rank no better than the best cannot replace it.
                if best is not None and (lower + upper < threshold, cost, weight) >= best.key(
                    threshold
                ):
                    continue
                if shared is None:
                    shared = pair_nodes(
                        lattice.pairs,
                        np.repeat(gs.nodes, len(ts.nodes)),
                        np.tile(ts.nodes, len(gs.nodes)),
                        np.outer(gs.signs, ts.signs).ravel(),
                    )
                lo, hi, more, cells = coupled(
                    lattice.pairs,
                    result.hidden,
                    shared,
                    {name: [(c, 1), (c2, -1)]},
                    (lower, upper),
                )
                own = (name, gs.nodes, ts.nodes, np.array([c, c2]))
                box = Box(lo + hi, cost + more, weight, [own, *cells])
                if best is None or box.key(threshold) < best.key(threshold):
                    best = box
    return best


def _pair_sides(lattice: Lattice, geo: list, when: list) -> tuple[list[bool], list[bool]]:
    """Per side: whether it changes a node where pairs are published (a box changes a pair's
    cells where both of its sides do)."""
    if not lattice.pairs:
        return [False] * len(geo), [False] * len(when)
    pair = next(iter(lattice.pairs.values()))
    return (
        [any(int(n) in pair.geo_of for n in side.nodes) for side in geo],
        [any(int(n) in pair.time_of for n in side.nodes) for side in when],
    )


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
