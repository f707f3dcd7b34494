"""When a record total has no box: withhold finer levels and protect the coarser lattice left.

A sparse release (a December of a dozen visits across all places, service points with a
handful of records a year) has record totals no box protects: before this, nothing of the
release was published. Instead, the place or period around such a total is **cut**: every
cell strictly below a cut node (the months of a quarter, the service points of a country) is
withheld, for every question, at every place (or period), and the lattice left - the same
trees with the cut nodes as leaves - is protected from scratch. This repeats until every
record total has a box, or no cut is left (then nothing is published, as before). A question
withheld entirely because one of its cells has no box gets the same treatment, kept only if
more questions are then published (a cut costs every question its finer cells).

Why the withheld finer cells cannot be narrowed. Nothing below a cut node is published except
zeros, so an attacker's equations are those of the coarser lattice: any solution of it can be
spread over the finer leaves of each cut node at will - all of a coarse leaf's records (every
question's answers with them, so margins, mentions under respondents and pairs all hold) put in
one finer leaf or in another. A finer cell therefore ranges from 0 to at least the value its
smallest published-or-withheld covering cell can take: at least the threshold when that cell
is published non-zero, and at least its box's width when it is withheld (certified by the
coarser lattice's protection). Two exceptions are published instead of withheld, as an
attacker would pin them: a finer cell under a published zero is 0, and one whose place and
period hold the same leaves as its covering cell (a quarter with one month) is that cell.

Cuts never remove a node where pairs are published (pairs keep their own levels), so the
coarser lattice has the same pairs. Which cut: every unprotected total proposes the nearest
allowed cut above (or at) its place or its period, the one whose node holds more records (with
the other coordinate kept); the cut proposed by the most totals is taken first (ties: the one
withholding fewer cells), until each total has one, then protection runs again.
"""

import numpy as np

from results.lattice.boxes import Dim
from results.lattice.pairs import Pair
from results.lattice.protect import protect
from results.lattice.trees import Tree
from results.lattice.work import Lattice, Protection


def protect_release(
    lattice: Lattice, threshold: int, keys: tuple[list[str], list[str]]
) -> Protection:
    """``protect`` the whole lattice; while record totals have no box, cut finer levels and
    protect what is left. ``keys``: the geography and time node keys (for the report)."""
    result = protect(lattice, threshold)
    dims = (lattice.geo, lattice.when)
    cuts: tuple[set[int], set[int]] = (set(), set())
    allowed = _allowed(lattice)
    kept = (np.arange(len(dims[0].up)), np.arange(len(dims[1].up)))
    while True:
        failed = result.unprotected or [
            (cell[0], cell[1]) for name, cell in result.stuck.items() if name in lattice.cubes
        ]
        chosen = _choose(
            dims,
            allowed,
            cuts,
            [(int(kept[0][g]), int(kept[1][t])) for g, t in failed],
            lattice.totals,
        )
        if not chosen:
            break
        trial_cuts = (
            cuts[0] | {n for d, n in chosen if d == 0},
            cuts[1] | {n for d, n in chosen if d == 1},
        )
        trial_kept = (_kept(dims[0], trial_cuts[0]), _kept(dims[1], trial_cuts[1]))
        trial = protect(_coarser(lattice, trial_kept), threshold)
        if not result.unprotected and _questions(trial, lattice) <= _questions(result, lattice):
            break  # cutting for a withheld question published no more questions: keep the finer
        result, cuts, kept = trial, trial_cuts, trial_kept
    if not any(cuts):
        return result
    if result.nothing:  # no cut left to try: nothing is published
        return _withheld(lattice, threshold)
    full = _lift(lattice, result, kept, threshold)
    full.coarsened = {
        "geography": [keys[0][n] for n in sorted(cuts[0])],
        "time": [keys[1][n] for n in sorted(cuts[1])],
    }
    return full


def _questions(result: Protection, lattice: Lattice) -> int:
    """Questions published (at some level): what a cut made for a withheld question must add."""
    return 0 if result.nothing else len(set(lattice.cubes) - result.dropped)


def _withheld(lattice: Lattice, threshold: int) -> Protection:
    """Nothing published: what ``protect`` returns when a record total has no box."""
    small = {n: (v > 0) & (v < threshold) for n, v in lattice.cubes.items()}
    small.update({n: (p.values > 0) & (p.values < threshold) for n, p in lattice.pairs.items()})
    totals = lattice.totals
    hidden = {n: np.ones(h.shape, bool) for n, h in small.items()}
    everything = set(hidden)
    return Protection(
        hidden,
        small,
        np.ones(totals.shape, bool),
        (totals > 0) & (totals < threshold),
        everything,
        True,
    )


def _allowed(lattice: Lattice) -> tuple[np.ndarray, np.ndarray]:
    """Per dimension: the nodes that may be cut - inner nodes with no pair node below them."""
    found = []
    for d, dim in enumerate((lattice.geo, lattice.when)):
        paired = set()
        for pair in lattice.pairs.values():
            paired |= set(pair.geo_of if d == 0 else pair.time_of)
        ok = np.array([bool(children) for children in dim.children])
        for node in paired:
            for above in dim.up[node][1:]:
                ok[above] = False
        found.append(ok)
    return found[0], found[1]


def _choose(dims, allowed, cuts, failed, totals: np.ndarray) -> list[tuple[int, int]]:
    """Cuts (dimension, node) covering every failed total that has one (greedy, see above).
    Each total proposes the cut, of its place or of its period, whose node holds more records
    with the other coordinate kept: a tiny service point's month is helped by its country's
    month, a sparse month everywhere by its quarter."""
    proposals: dict[tuple[int, int], set[int]] = {}
    for i, (g, t) in enumerate(failed):
        found = []
        for d, node in ((0, g), (1, t)):
            for above in dims[d].up[node]:
                if allowed[d][above] and above not in cuts[d]:
                    mass = totals[above, t] if d == 0 else totals[g, above]
                    found.append((int(mass), d, above))
                    break
        if found:
            _, d, node = max(found, key=lambda f: (f[0], f[1]))  # a tie: the period
            proposals.setdefault((d, node), set()).add(i)
    chosen = []
    left = set().union(*proposals.values()) if proposals else set()
    while left:
        best = max(
            proposals,
            key=lambda c: (len(proposals[c] & left), -_size(dims, c), c[0]),
        )
        chosen.append(best)
        left -= proposals.pop(best)
    return chosen


def _size(dims, cut: tuple[int, int]) -> int:
    """Cells a cut withholds per category: the nodes strictly below it times the other
    dimension's nodes."""
    d, node = cut
    below = sum(1 for chain in dims[d].up if node in chain[1:])
    return below * len(dims[1 - d].up)


def _kept(dim: Dim, cuts: set[int]) -> np.ndarray:
    """Full indices of the nodes left (no strict ancestor cut), in tree order."""
    return np.array([n for n, chain in enumerate(dim.up) if not cuts & set(chain[1:])], np.int64)


def _dim(dim: Dim, kept: np.ndarray) -> Dim:
    index = {int(full): i for i, full in enumerate(kept)}
    parents = [index[int(dim.parent[n])] if dim.parent[n] >= 0 else -1 for n in kept]
    return Dim.of(Tree(keys=[str(n) for n in kept], parent=parents))


def _coarser(lattice: Lattice, kept: tuple[np.ndarray, np.ndarray]) -> Lattice:
    """The lattice of the nodes left: the same cells, with the cut nodes as leaves."""
    block = np.ix_(*kept)
    geo_index = {int(full): i for i, full in enumerate(kept[0])}
    time_index = {int(full): i for i, full in enumerate(kept[1])}
    pairs = {
        name: Pair(
            p.name,
            p.first,
            p.second,
            p.values,
            p.geo,
            p.when,
            {geo_index[g]: i for g, i in p.geo_of.items()},
            {time_index[t]: i for t, i in p.time_of.items()},
        )
        for name, p in lattice.pairs.items()
    }
    return Lattice(
        {name: values[block] for name, values in lattice.cubes.items()},
        lattice.kinds,
        lattice.totals[block],
        _dim(lattice.geo, kept[0]),
        _dim(lattice.when, kept[1]),
        {name: (room[block], rising) for name, (room, rising) in lattice.slack.items()},
        pairs,
    )


def _lift(lattice: Lattice, coarse: Protection, kept, threshold: int) -> Protection:
    """The coarser lattice's masks on the whole lattice: the cells left as protected there,
    the cells below a cut withheld, except zeros under a published zero and cells equal to
    their covering cell (which follow it)."""
    covers, same = [], []
    for dim, nodes in zip((lattice.geo, lattice.when), kept, strict=True):
        index = np.full(len(dim.up), -1)
        index[nodes] = np.arange(len(nodes))
        cover = np.array([next(int(index[a]) for a in chain if index[a] >= 0) for chain in dim.up])
        size = np.array([len(leaves) for leaves in dim.leaves])
        covers.append(cover)
        same.append(size == size[nodes[cover]])
    g, t = np.ix_(*covers)
    below = np.ones(lattice.totals.shape, bool)
    below[np.ix_(*kept)] = False
    equal = below & same[0][:, None] & same[1][None, :]

    def spread(values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
        """A cube (G, T, ...) of the whole lattice from its coarser mask ``hidden``."""
        covering = hidden[g, t]
        zero = (values[np.ix_(kept[0], kept[1])][g, t] == 0) & ~covering
        out = np.ones(values.shape, bool)
        out[np.ix_(*kept)] = hidden
        out[below] = ~zero[below]
        out[equal] = covering[equal]
        return out

    small = {n: (v > 0) & (v < threshold) for n, v in lattice.cubes.items()}
    small.update({n: (p.values > 0) & (p.values < threshold) for n, p in lattice.pairs.items()})
    hidden = {n: spread(v, coarse.hidden[n]) for n, v in lattice.cubes.items()}
    hidden.update({n: coarse.hidden[n] for n in lattice.pairs})  # pair nodes are never cut
    totals = lattice.totals
    return Protection(
        hidden,
        small,
        spread(totals, coarse.total_hidden),
        (totals > 0) & (totals < threshold),
        set(coarse.dropped),
    )
