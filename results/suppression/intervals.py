"""Interval attack: how far a hidden cell can be narrowed down, for the risk report.

Exact recovery is what suppression prevents. A hidden cell can still be narrowed down: the
attacker knows counts are non-negative, so a cell hidden on a cycle of other small cells lies in
a short interval. `interval_width` computes that interval (linear programming, needs scipy) and
`narrow_cells` lists hidden cells whose interval is narrower than the threshold, for the risk
report; suppression does not currently enforce interval widths.
"""

import math

import numpy as np

from results.suppression.equations import System
from results.suppression.published import SUPPRESSED, SuppressedTable
from results.suppression.recovery import attacker_view


def interval_width(
    published: list[SuppressedTable], table: int, row: int, col: int, *, linked: bool = True
) -> tuple[int, int | float]:
    """(lo, hi): the smallest and largest value of cell (row, col) of published[table] that are
    consistent with every published number and non-negative counts (integers; hi is math.inf
    when nothing bounds it, which needs the grand total hidden). Needs scipy."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    masks, values = attacker_view(published, linked)
    shown = published[table].counts[row, col]
    if shown != SUPPRESSED:
        return int(shown), int(shown)
    system = System(masks, linked, values)
    target = system.index[(table, row, col)]
    a_eq = csr_matrix((system.coef, (system.eq, system.var)), shape=(system.m, system.n))
    bounds = (0, None)
    low = linprog(_unit(system.n, target), A_eq=a_eq, b_eq=system.rhs, bounds=bounds)
    high = linprog(-_unit(system.n, target), A_eq=a_eq, b_eq=system.rhs, bounds=bounds)
    if low.status == 2 or high.status == 2:
        raise ValueError("the published tables contradict each other")
    if low.status != 0 or high.status not in (0, 3):  # pragma: no cover - solver trouble
        raise RuntimeError(f"linear programming failed: {low.message} / {high.message}")
    lo = math.ceil(low.fun - 1e-6)
    hi = math.inf if high.status == 3 else math.floor(-high.fun + 1e-6)
    return lo, hi


def narrow_cells(
    published: list[SuppressedTable], threshold: int, *, linked: bool = True
) -> list[tuple[int, int, int]]:
    """(table, row, col) of hidden interior cells whose feasible interval (`interval_width`) is
    narrower than `threshold`, i.e. hi - lo < threshold. Needs scipy; two LPs per hidden cell."""
    found = []
    for t, item in enumerate(published):
        for i, j in zip(*np.nonzero(item.counts == SUPPRESSED), strict=True):
            lo, hi = interval_width(published, t, int(i), int(j), linked=linked)
            if hi - lo < threshold:
                found.append((t, int(i), int(j)))
    return found


def _unit(n: int, k: int) -> np.ndarray:
    vector = np.zeros(n)
    vector[k] = 1.0
    return vector
