"""Record totals in protection: the boxes that move records in and out, and what is withheld
when a question (or pair) has no box at all.

A record-total box (``results.lattice.boxes``: records come and go at the corners, one
category of every cube moving with them) is a box like any other: each changed cell - record
totals and each cube's moved category on the paths below the lowest common ancestors - moves
by exactly +-d, all of them are withheld, so every published number, zero and margin is
unchanged, and the bounds are the leaf corners' (a falling "answered" also above every
option's mentions).

Why a record-total box may certify a question's cell. A category box swaps answers within
fixed records, so a cell can move at most by the answers its node holds: the cells of a
December of two visits never get a box 5 wide. Forcing the moved category of the cell's cube
to be the cell's own changes nothing in the argument above; a forced "mentioned" moves its
question's "answered" along, so mentions never exceed respondents. The rising side draws on a
busy sibling, so the width is wide even where the cell holds one record. A box degenerate in
both dimensions is not used for it: it would withhold the release's record total for one cell.

A record total no box protects is not withheld here: ``results.lattice.coarsen`` withholds
the finer levels around it and protects what is left.
"""

import numpy as np

from results.lattice.boxes import Box, Side, corners, sides
from results.lattice.pairs import coupled, pair_nodes
from results.lattice.work import MENTIONS, Lattice, Protection


def records_box(
    lattice: Lattice, result: Protection, threshold: int, cell, name: str, broad: tuple
) -> Box | None:
    """The last resort for a question's cell before the question is withheld: a box of record
    totals moving the cell's own category (a December of two visits has no two answers
    to swap, but records can come and go between it and a busy month)."""
    g, t, c = (int(i) for i in cell)
    best = None
    for wide in (False, True, None):  # None: every side of the batched search (degenerate too)
        options = (broad[0].of(g), broad[1].of(t)) if wide is None else None
        box = totals_box(lattice, result, threshold, g, t, bool(wide), (name, c), options)
        if box is not None and (best is None or box.key(threshold) < best.key(threshold)):
            best = box
        if best is not None and best.width >= threshold:
            break
    return best


def totals_box(
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


def withhold_question(lattice: Lattice, result: Protection, name: str) -> None:
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
