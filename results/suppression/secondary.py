"""Secondary suppression: hide enough other numbers that no hidden one can be recomputed.

Hiding a cell is pointless if it can be recomputed from the published totals. Every hidden
number that is a bridge of the graph of hidden numbers (`results.suppression.graph`) gets the
cheapest cycle of extra hidden numbers through it. "Cheapest" is lexicographic: first as few
hidden totals as possible (analysts lose most from them), then as few zeros as possible (a
hidden zero protects badly: it bounds its neighbours on one side), then the smallest sum of
hidden counts (least information lost). This implies the rule of thumb that every row and
column with a hidden cell hides at least two numbers, but also catches what that rule misses,
e.g. two well-protected blocks joined by a single hidden cell. In a 1-D table (r x 1) a row
total is its cell, so a small category is protected by hiding the next smallest one (and both
their "totals"), and the published total gives neither away.

Verification: the result is checked like an attacker would, with linear algebra over every
published number (`results.suppression.recovery`; for a single table, the equivalent bridge
search), and anything still recoverable gets another cycle. Each round makes at least one
recoverable number unrecoverable and never the reverse (more unknowns only enlarge the set of
tables consistent with what is published), so it stops. Counts are never altered, only hidden:
published cells of a row plus the hidden ones sum to the published total.

Linked tables: the same row variable crossed with several column variables is downloadable
together, and the tables share the row totals and the grand total. A total hidden in one table
but shown in another is simply known, and a total that one table lets an attacker recompute is
known for all of them; so `suppress_linked` hides shared totals in all tables or none, and
verifies recoverability on the combined system of all the tables' equations. A number still
recoverable there gets a cycle in its own table that avoids the shared totals if one exists;
otherwise a cycle through two shared totals (rows a and b) and, in every other table, a path
of hidden cells between rows a and b, so one and the same shift of the shared totals fits
every table. Tables suppressed one by one can leak: each may show a total the other hid.
"""

import numpy as np

from results.suppression.equations import recovered_keys
from results.suppression.graph import bridges, cheapest_path
from results.suppression.primary import Work, validated
from results.suppression.published import SuppressedTable


def suppress_table(
    counts: np.ndarray, threshold: int, *, suppress_zeros: bool = False
) -> SuppressedTable:
    """Hide small cells and totals of one r x c table (a 1-D table is passed as r x 1).

    Primary: interior cells, row and column totals with 0 < value < threshold (with
    `suppress_zeros`, also zeros); the grand total only if it is itself below the threshold.
    Secondary: the fewest totals, then zeros, then the smallest counts that leave no hidden
    number recoverable. The input is not modified."""
    return suppress_linked([counts], threshold, suppress_zeros=suppress_zeros)[0]


def suppress_linked(
    tables: list[np.ndarray], threshold: int, *, suppress_zeros: bool = False
) -> list[SuppressedTable]:
    """Hide small cells of tables that share their row totals (the same row variable crossed
    with different column variables), consistently, so that no hidden number of any table can
    be recovered from everything the tables publish together."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer):
        raise TypeError("threshold must be an integer")
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    if not tables:
        return []
    work = [Work(validated(table), threshold, suppress_zeros) for table in tables]
    first = work[0]
    for other in work[1:]:
        if other.r != first.r or not np.array_equal(other.ext[:, -1], first.ext[:, -1]):
            raise ValueError(
                "linked tables must have the same rows and the same row totals; count every "
                "record in every table (e.g. with a 'no answer' column)"
            )
    share(work)
    # Fast pass: protect every bridge in each table; repeat while the tables hide new shared
    # totals for one another (they only ever add, so this stops).
    while True:
        before = first.hidden[:, -1].copy()
        for item in work:
            protect_bridges(item)
            share(work)
        if np.array_equal(before, first.hidden[:, -1]):
            break
    # Verification on the combined system, as the attacker would see it. For one table the
    # attacker's linear algebra (`recoverable_cells`) finds exactly the bridges, so the bridge
    # search is the exact check and spares an eigendecomposition (multi-threaded BLAS, slow on
    # a busy server); linked tables need the linear algebra.
    limit = sum(item.ext.size for item in work) + 1
    for _ in range(limit):
        if len(work) == 1:
            recovered = [(0, i, j) for i, j in bridges(first.hidden)]
        else:
            recovered = recovered_keys([item.hidden for item in work], linked=True)
        if not recovered:
            break
        table, i, j = recovered[0]
        if table < 0:  # a shared total: repair it in the first table
            table, j = 0, first.c
        protect_combined(work, table, i, j)
    else:  # pragma: no cover - every round removes at least one recovered number
        raise RuntimeError("suppression did not converge")
    return [item.result() for item in work]


def share(work: list[Work]) -> None:
    """Linked tables hide a row total (or the grand total) in all of them or in none."""
    shared = np.logical_or.reduce([item.hidden[:, -1] for item in work])
    for item in work:
        item.hidden[:, -1] = shared


def protect_bridges(item: Work) -> None:
    """Give every hidden number that is a bridge the cheapest cycle of hidden numbers through
    it. Adding a cycle never turns a non-bridge into a bridge and takes its own edges off the
    bridge list, so one pass over the bridges found at the start leaves none."""
    found = bridges(item.hidden)
    # Totals first (their cycle is forced to pass through another total and usually covers the
    # cells of their row or column), then the largest first: their cycles often cover the small
    # cells next to them. On random tables this hides slightly less than other orders.
    found.sort(key=lambda e: (e[0] != item.r and e[1] != item.c, -int(item.ext[e]), e))
    cost = item.cost()
    for i, j in found:
        cost[i, j] = np.inf
        path = cheapest_path(cost, (0, i), (1, j))
        cost[i, j] = 0.0
        if path is None:  # pragma: no cover - a hidden number always lies on some cycle
            raise RuntimeError(f"no way to protect cell {(i, j)}")
        item.hide(path)
        for cell in path:
            cost[cell] = 0.0


def protect_combined(work: list[Work], t: int, i: int, j: int) -> None:
    """Make hidden number (i, j) of table t unrecoverable in the combined system of linked
    tables: a cycle through it in table t that avoids the shared totals if there is one;
    otherwise a cycle through two shared totals a and b, and in every other table a path
    between rows a and b, so the same change of the shared totals fits every table."""
    item = work[t]
    c = item.c
    cost = item.cost()
    cost[i, j] = np.inf
    if j != c:
        local = cost.copy()
        local[:, c] = np.inf
        path = cheapest_path(local, (0, i), (1, j))
        if path is not None:
            item.hide(path)
            return
    path = cheapest_path(cost, (0, i), (1, j))
    if path is None:  # pragma: no cover - see protect_bridges
        raise RuntimeError(f"no way to protect cell {(i, j)} of table {t}")
    item.hide(path)
    ends = [p for p, q in [*path, (i, j)] if q == c]
    share(work)
    if len(ends) != 2:  # pragma: no cover - a simple cycle through node c has two c-edges
        raise RuntimeError("unexpected cycle")
    for k, other in enumerate(work):
        if k == t:
            continue
        local = other.cost()
        local[:, other.c] = np.inf
        way = cheapest_path(local, (0, ends[0]), (0, ends[1]))
        if way is None:  # pragma: no cover - any column joins two rows
            raise RuntimeError("no path between shared totals")
        other.hide(way)
