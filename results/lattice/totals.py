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

from results.lattice.boxes import Box, Side, sides, stacked
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
    best = None
    pinned = dict([force]) if force else {}
    if force and lattice.kinds[force[0]] == MENTIONS and force[1] == 0:
        pinned[force[0].split("=", 1)[0]] = 0
    if options is None:
        options = (
            sides(lattice.geo, g, lattice.totals[:, t].astype(float), wide),
            sides(lattice.when, t, lattice.totals[g, :].astype(float), wide),
        )
    if not options[0] or not options[1]:
        return None
    down, up, new, picks = _scores(lattice, result, options, pinned)
    for kg, gs in enumerate(options[0]):
        for kt, ts in enumerate(options[1]):
            if force and gs.b < 0 and ts.b < 0:
                continue  # it would withhold the release's record total for one cell
            lower, upper, cost = float(down[kg, kt]), float(up[kg, kt]), int(new[kg, kt])
            # each pair moved along only narrows the width and withholds more
            if best is not None and (lower + upper < threshold, cost, 0) >= best.key(threshold):
                continue
            cells: list = [(None, gs.nodes, ts.nodes, None)]
            moved = {}
            for name, chosen in picks.items():
                c = int(chosen[kg, kt])
                cells.append((name, gs.nodes, ts.nodes, np.array([c])))
                moved[name] = [(c, 1)]
            shared = pair_nodes(
                lattice.pairs,
                np.repeat(gs.nodes, len(ts.nodes)),
                np.tile(ts.nodes, len(gs.nodes)),
                np.outer(gs.signs, ts.signs).ravel(),
            )
            lower, upper, more, pair_cells = coupled(
                lattice.pairs, result.hidden, shared, moved, (lower, upper)
            )
            box = Box(lower + upper, cost + more, 0, cells + pair_cells)
            if best is None or box.key(threshold) < best.key(threshold):
                best = box
    return best


def _scores(lattice: Lattice, result: Protection, options: tuple, pinned: dict) -> tuple:
    """(down, up, newly withheld cells, each cube's moved category), each (geo sides, time
    sides), of every record-total box made of a side of each of ``options``: every cube moves
    the category that allows the widest move (``pinned``: that one)."""
    ga, gb, gn, gm = stacked(options[0])
    ta, tb, tn, tm = stacked(options[1])
    corners = [(ga, ta, 1), (gb, tb, 1), (ga, tb, -1), (gb, ta, -1)]
    present = [(g >= 0)[:, None] & (t >= 0)[None, :] for g, t, _ in corners]
    index = [(np.maximum(g, 0)[:, None], np.maximum(t, 0)[None, :]) for g, t, _ in corners]

    def bound(cells: np.ndarray, sign: int) -> np.ndarray:
        """The smallest of ``cells`` (G, T, ...) at the present corners of ``sign``."""
        found = [
            np.where(here.reshape(here.shape + (1,) * (cells.ndim - 2)), cells[gi, ti], np.inf)
            for (gi, ti), here, (_, _, s) in zip(index, present, corners, strict=True)
            if s == sign
        ]
        return np.minimum(found[0], found[1])

    down, up = bound(lattice.totals, 1), bound(lattice.totals, -1)
    block = (gn[:, None, :, None], tn[None, :, None, :])
    inside = gm[:, None, :, None] & tm[None, :, None, :]
    new = (~result.total_hidden[block] & inside).sum(axis=(2, 3))
    picks = {}
    for name, values in lattice.cubes.items():
        plus, minus = bound(values, 1), bound(values, -1)
        if name in lattice.slack and lattice.kinds[name] != MENTIONS:
            room = lattice.slack[name][0]  # respondents stay above every option's mentions
            plus[..., 0] = np.minimum(plus[..., 0], bound(room, 1))
            minus[..., 0] = np.minimum(minus[..., 0], bound(room, -1))
        score = np.minimum(plus, 10**9) + np.minimum(minus, 10**9)
        if lattice.kinds[name] == MENTIONS:
            score[..., 0] = -1
        c = np.full(down.shape, pinned[name]) if name in pinned else score.argmax(axis=2)
        picks[name] = c
        down = np.minimum(down, np.take_along_axis(plus, c[..., None], 2)[..., 0])
        up = np.minimum(up, np.take_along_axis(minus, c[..., None], 2)[..., 0])
        shown = ~result.hidden[name][(*block, c[:, :, None, None])] & inside
        new = new + shown.sum(axis=(2, 3))
    return down, up, new, picks


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
