"""Small-cell suppression for published frequency tables and cross-tabulations.

Why: a results table about migrants is read by people who may know some of the people in it. A
cell of 1 to 4 - "2 women from one nationality at this service point in March" - points at a
few identifiable people, and what else the table says about them (legal status, protection
needs, intention to move on) then becomes known about them, at the risk of detention or
reprisals. National statistics offices handle this with statistical disclosure control on
tables (tau-argus, sdcTable); this module follows their conventions in a simpler form so that
a DPO trained on them reads our tables the way they expect.

What it does (for a threshold `t`, per project, default 5):

- Primary suppression: every interior cell with 0 < count < t is hidden, and so is every row or
  column total with 0 < total < t (a total counts people too: a row of 3 says "3 people of
  this nationality"). Every non-zero cell of such a row is itself < t, so it is hidden too.
  The grand total is published unless it is itself below `t`; then the whole table is small
  and every non-zero number in it is hidden.
- Zeros are published as 0 by default: an empty cell is no one, so it identifies no one, and
  hiding zeros would hide most of a sparse table for nothing. (A zero can still say something
  about a group - "none of the 12 people from X is registered" - which small-cell suppression
  does not address; `suppress_zeros=True` treats zeros as primary cells for such tables.)
- Secondary suppression: hiding a cell is pointless if it can be recomputed from the published
  totals. In a table with its margins, a set of hidden numbers reveals one of them exactly iff
  that number is a *bridge* of the graph whose nodes are the rows and columns (margins
  included) and whose edges are the hidden numbers; a hidden number on a cycle of hidden
  numbers can be moved up and down around the cycle without changing any published number.
  So every hidden number that is a bridge gets the cheapest cycle of extra hidden numbers
  through it (a shortest-path heuristic in the spirit of tau-argus' network method).
  "Cheapest" is lexicographic: first as few hidden totals as possible (analysts lose most from
  them), then as few zeros as possible (a hidden zero protects badly: it bounds its neighbours
  on one side), then the smallest sum of hidden counts (least information lost). This implies
  the rule of thumb that every row and column with a hidden cell hides at least two numbers,
  but also catches what that rule misses, e.g. two well-protected blocks joined by a single
  hidden cell. In a 1-D table (r x 1) a row total is its cell, so a small category is
  protected by hiding the next smallest one (and both their "totals"), and the published total
  gives neither away.
- Verification: the result is checked like an attacker would, with linear algebra over every
  published number (`recoverable_cells`; for a single table, the equivalent bridge search),
  and anything still recoverable gets another cycle.
  Each round makes at least one recoverable number unrecoverable and never the reverse (more
  unknowns only enlarge the set of tables consistent with what is published), so it stops.
- Counts are never altered, only hidden: published cells of a row plus the hidden ones sum to
  the published total.

Linked tables: the same row variable crossed with several column variables is downloadable
together, and the tables share the row totals and the grand total. A total hidden in one table
but shown in another is simply known, and a total that one table lets an attacker recompute is
known for all of them; so `suppress_linked` hides shared totals in all tables or none, and
verifies recoverability on the combined system of all the tables' equations. A number still
recoverable there gets a cycle in its own table that avoids the shared totals if one exists;
otherwise a cycle through two shared totals (rows a and b) and, in every other table, a path
of hidden cells between rows a and b, so one and the same shift of the shared totals fits
every table. Tables suppressed one by one can leak: each may show a total the other hid.

What is published: `counts`, `row_totals`, `col_totals` and `grand_total` of a
`SuppressedTable`, with SUPPRESSED (-1) for hidden numbers - shown as a blank or a symbol, never
as -1 and never as 0. The `primary` and `secondary` masks are for the DPO and tests: publishing
them would tell the attacker which hidden cells are the small ones.

Exact recovery is what suppression prevents. A hidden cell can still be narrowed down: the
attacker knows counts are non-negative, so a cell hidden on a cycle of other small cells lies in
a short interval. `interval_width` computes that interval (linear programming, needs scipy) and
`narrow_cells` lists hidden cells whose interval is narrower than the threshold, for the risk
report; suppression does not currently enforce interval widths.
"""

import math
from dataclasses import dataclass

import numpy as np

SUPPRESSED = -1

# A hidden number counts as recovered when the unit vector of its unknown lies in the row space
# of the published equations; its squared projection on that space is then 1. In one table that
# projection is the effective resistance of the number's edge in the graph above, at most
# 1 - 1/L when the edge lies on a cycle of L hidden numbers: for tables of a few hundred rows
# and columns the two cases are far apart.
_RECOVERED = 1 - 1e-6
_RANK_TOLERANCE = 1e-10


@dataclass
class SuppressedTable:
    """A table as published: hidden numbers are SUPPRESSED; the masks are not for publication."""

    counts: np.ndarray
    row_totals: np.ndarray
    col_totals: np.ndarray
    grand_total: int
    primary: np.ndarray
    secondary: np.ndarray


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
    work = [_Work(_validated(table), threshold, suppress_zeros) for table in tables]
    first = work[0]
    for other in work[1:]:
        if other.r != first.r or not np.array_equal(other.ext[:, -1], first.ext[:, -1]):
            raise ValueError(
                "linked tables must have the same rows and the same row totals; count every "
                "record in every table (e.g. with a 'no answer' column)"
            )
    _share(work)
    # Fast pass: protect every bridge in each table; repeat while the tables hide new shared
    # totals for one another (they only ever add, so this stops).
    while True:
        before = first.hidden[:, -1].copy()
        for item in work:
            _protect_bridges(item)
            _share(work)
        if np.array_equal(before, first.hidden[:, -1]):
            break
    # Verification on the combined system, as the attacker would see it. For one table the
    # attacker's linear algebra (`recoverable_cells`) finds exactly the bridges, so the bridge
    # search is the exact check and spares an eigendecomposition (multi-threaded BLAS, slow on
    # a busy server); linked tables need the linear algebra.
    limit = sum(item.ext.size for item in work) + 1
    for _ in range(limit):
        if len(work) == 1:
            recovered = [(0, i, j) for i, j in _bridges(first.hidden)]
        else:
            recovered = _recovered([item.hidden for item in work], linked=True)
        if not recovered:
            break
        table, i, j = recovered[0]
        if table < 0:  # a shared total: repair it in the first table
            table, j = 0, first.c
        _protect_combined(work, table, i, j)
    else:  # pragma: no cover - every round removes at least one recovered number
        raise RuntimeError("suppression did not converge")
    return [item.result() for item in work]


def recoverable_cells(
    published: list[SuppressedTable], *, linked: bool = True
) -> list[tuple[int, int, int]]:
    """(table, row, col) of hidden interior cells whose exact value follows from the published
    numbers: cells, totals and, when `linked`, the equality of the tables' row totals and grand
    totals. A cell is recovered iff it is determined by the linear equations between the
    published and hidden numbers (non-negativity is not used here; see `interval_width`)."""
    if not published:
        return []
    masks, _ = _attacker_view(published, linked)
    found = []
    for table, i, j in _recovered(masks, linked=linked):
        if table >= 0 and i < masks[table].shape[0] - 1 and j < masks[table].shape[1] - 1:
            found.append((table, i, j))
    return sorted(found)


def interval_width(
    published: list[SuppressedTable], table: int, row: int, col: int, *, linked: bool = True
) -> tuple[int, int | float]:
    """(lo, hi): the smallest and largest value of cell (row, col) of published[table] that are
    consistent with every published number and non-negative counts (integers; hi is math.inf
    when nothing bounds it, which needs the grand total hidden). Needs scipy."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    masks, values = _attacker_view(published, linked)
    shown = published[table].counts[row, col]
    if shown != SUPPRESSED:
        return int(shown), int(shown)
    system = _System(masks, linked, values)
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


# Internals. A table is held "extended": (r + 1) x (c + 1), interior cells, row totals in the
# last column, column totals in the last row, the grand total in the corner. Row i and column j
# of the extended table are the nodes of the graph, hidden numbers its edges.


def _validated(counts: np.ndarray) -> np.ndarray:
    array = np.asarray(counts)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D table (pass a 1-D table as r x 1), got {array.shape}")
    if array.shape[0] < 1 or array.shape[1] < 1:
        raise ValueError("a table needs at least one row and one column")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise ValueError("counts must be integers")
    whole = np.issubdtype(array.dtype, np.integer) or (
        np.all(np.isfinite(array)) and np.all(array == np.round(array))
    )
    if not whole:
        raise ValueError("counts must be integers")
    array = array.astype(np.int64)
    if array.min() < 0:
        raise ValueError("counts must be non-negative")
    return array


class _Work:
    """One table being suppressed: extended values, primary and hidden masks."""

    def __init__(self, counts: np.ndarray, threshold: int, suppress_zeros: bool):
        self.r, self.c = counts.shape
        ext = np.zeros((self.r + 1, self.c + 1), np.int64)
        ext[:-1, :-1] = counts
        ext[:-1, -1] = counts.sum(axis=1)
        ext[-1, :-1] = counts.sum(axis=0)
        ext[-1, -1] = counts.sum()
        self.ext = ext
        small = ext < threshold
        self.primary = small & (ext > 0) if not suppress_zeros else small
        self.hidden = self.primary.copy()
        # Lexicographic costs as one float: hidden totals >> hidden zeros >> sum of counts.
        # A simple path has at most r + c + 2 edges, each worth at most the grand total.
        edges = self.r + self.c + 2
        per_zero = float(edges * int(ext[-1, -1]) + 1)
        per_total = (edges + 1) * per_zero
        base = ext.astype(float)
        base[:-1, :-1] += np.where(counts == 0, per_zero, 0.0)
        base[-1, :] += per_total
        base[:, -1] += per_total
        base[-1, -1] = np.inf  # the grand total is hidden only when it is itself small
        self.base = base

    def cost(self) -> np.ndarray:
        return np.where(self.hidden, 0.0, self.base)

    def hide(self, cells: list[tuple[int, int]]) -> None:
        for i, j in cells:
            self.hidden[i, j] = True

    def result(self) -> SuppressedTable:
        r, c, hidden = self.r, self.c, self.hidden
        shown = np.where(hidden, SUPPRESSED, self.ext).astype(np.int64)
        return SuppressedTable(
            counts=shown[:r, :c].copy(),
            row_totals=shown[:r, c].copy(),
            col_totals=shown[r, :c].copy(),
            grand_total=int(shown[r, c]),
            primary=self.primary[:r, :c].copy(),
            secondary=(hidden & ~self.primary)[:r, :c].copy(),
        )


def _share(work: list["_Work"]) -> None:
    """Linked tables hide a row total (or the grand total) in all of them or in none."""
    shared = np.logical_or.reduce([item.hidden[:, -1] for item in work])
    for item in work:
        item.hidden[:, -1] = shared


def _protect_bridges(item: _Work) -> None:
    """Give every hidden number that is a bridge the cheapest cycle of hidden numbers through
    it. Adding a cycle never turns a non-bridge into a bridge and takes its own edges off the
    bridge list, so one pass over the bridges found at the start leaves none."""
    bridges = _bridges(item.hidden)
    # Totals first (their cycle is forced to pass through another total and usually covers the
    # cells of their row or column), then the largest first: their cycles often cover the small
    # cells next to them. On random tables this hides slightly less than other orders.
    bridges.sort(key=lambda e: (e[0] != item.r and e[1] != item.c, -int(item.ext[e]), e))
    cost = item.cost()
    for i, j in bridges:
        cost[i, j] = np.inf
        path = _cheapest_path(cost, (0, i), (1, j))
        cost[i, j] = 0.0
        if path is None:  # pragma: no cover - a hidden number always lies on some cycle
            raise RuntimeError(f"no way to protect cell {(i, j)}")
        item.hide(path)
        for cell in path:
            cost[cell] = 0.0


def _protect_combined(work: list[_Work], t: int, i: int, j: int) -> None:
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
        path = _cheapest_path(local, (0, i), (1, j))
        if path is not None:
            item.hide(path)
            return
    path = _cheapest_path(cost, (0, i), (1, j))
    if path is None:  # pragma: no cover - see _protect_bridges
        raise RuntimeError(f"no way to protect cell {(i, j)} of table {t}")
    item.hide(path)
    ends = [p for p, q in [*path, (i, j)] if q == c]
    _share(work)
    if len(ends) != 2:  # pragma: no cover - a simple cycle through node c has two c-edges
        raise RuntimeError("unexpected cycle")
    for k, other in enumerate(work):
        if k == t:
            continue
        local = other.cost()
        local[:, other.c] = np.inf
        way = _cheapest_path(local, (0, ends[0]), (0, ends[1]))
        if way is None:  # pragma: no cover - any column joins two rows
            raise RuntimeError("no path between shared totals")
        other.hide(way)


def _bridges(hidden: np.ndarray) -> list[tuple[int, int]]:
    """Bridges of the bipartite graph rows x columns whose edges are the hidden numbers."""
    n_rows, n_cols = hidden.shape
    ii, jj = np.nonzero(hidden)
    ii_list, jj_list = ii.tolist(), jj.tolist()
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_rows + n_cols)]
    for k, (i, j) in enumerate(zip(ii_list, jj_list, strict=True)):
        adjacency[i].append((n_rows + j, k))
        adjacency[n_rows + j].append((i, k))
    order = [-1] * len(adjacency)
    low = [0] * len(adjacency)
    found: list[tuple[int, int]] = []
    clock = 0
    for start in range(len(adjacency)):
        if order[start] >= 0 or not adjacency[start]:
            continue
        order[start] = low[start] = clock
        clock += 1
        stack = [(start, -1, iter(adjacency[start]))]
        while stack:
            node, via, neighbours = stack[-1]
            for other, edge in neighbours:
                if edge == via:
                    continue
                if order[other] < 0:
                    order[other] = low[other] = clock
                    clock += 1
                    stack.append((other, edge, iter(adjacency[other])))
                    break
                low[node] = min(low[node], order[other])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append((ii_list[via], jj_list[via]))
    return found


def _cheapest_path(
    cost: np.ndarray, source: tuple[int, int], target: tuple[int, int]
) -> list[tuple[int, int]] | None:
    """Cells of the cheapest path between two nodes, (0, i) = row i, (1, j) = column j, where
    using cell (i, j) costs cost[i, j] (inf: unusable). Bellman-Ford, alternating between the
    row and column sides, vectorised over the dense table."""
    if source[0] == 1:  # search from a row: transpose
        path = _cheapest_path(cost.T, (0, source[1]), (1 - target[0], target[1]))
        return None if path is None else [(i, j) for j, i in path]
    n_rows, n_cols = cost.shape
    dist = [np.full(n_rows, np.inf), np.full(n_cols, np.inf)]
    prev = [np.full(n_rows, -1), np.full(n_cols, -1)]
    dist[source[0]][source[1]] = 0.0
    side, node = target
    # Values only improve from nodes improved in the previous half-step, by non-negative steps:
    # once none of those is cheaper than the target, the target's distance is final.
    for _ in range(n_rows + n_cols + 1):
        through = dist[0][:, None] + cost
        value = through.min(axis=0)
        better = value < dist[1]
        if not better.any() or value[better].min() >= dist[side][node]:
            break
        dist[1][better] = value[better]
        prev[1][better] = through[:, better].argmin(axis=0)
        through = cost + dist[1][None, :]
        value = through.min(axis=1)
        better = value < dist[0]
        if not better.any() or value[better].min() >= dist[side][node]:
            break
        dist[0][better] = value[better]
        prev[0][better] = through[better].argmin(axis=1)
    if not np.isfinite(dist[side][node]):
        return None
    path: list[tuple[int, int]] = []
    while (side, node) != source:
        back = int(prev[side][node])
        path.append((back, node) if side == 1 else (node, back))
        side, node = 1 - side, back
        if len(path) > n_rows + n_cols:  # pragma: no cover - predecessors form a tree
            raise RuntimeError("broken shortest-path tree")
    return path


class _System:
    """The published equations over the hidden numbers of one or more extended tables.

    Per table: each row's cells sum to its row total, each column's cells to its column total,
    the column totals to the grand total; per set of row totals (one set shared by all tables
    when linked), the row totals sum to the grand total. Unknowns are keyed (table, i, j) in
    extended coordinates; a shared row total or grand total is keyed (-1, i, -1).
    """

    def __init__(self, masks: list[np.ndarray], linked: bool, values=None):
        self.index: dict[tuple[int, int, int], int] = {}
        self.keys: list[tuple[int, int, int]] = []
        eqs: list[np.ndarray] = []
        vars_: list[np.ndarray] = []
        coefs: list[np.ndarray] = []
        known: list[np.ndarray] = []  # known numbers moved to the right-hand side, per equation
        self.m = 0

        def unknowns(table: int, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
            start = len(self.keys)
            for key in zip([table] * len(ii), ii.tolist(), jj.tolist(), strict=True):
                self.index[key] = len(self.keys)
                self.keys.append(key)
            return np.arange(start, len(self.keys))

        def add(eq, var, coef) -> None:
            var = np.asarray(var, np.int64).reshape(-1)
            vars_.append(var)
            eqs.append(np.broadcast_to(np.asarray(eq, np.int64), var.shape).copy())
            coefs.append(np.broadcast_to(np.asarray(coef, float), var.shape).copy())

        def margin_group(table: int, col: int, hidden: np.ndarray, value) -> np.ndarray:
            """Unknown ids (or -1) of the row totals and grand total; adds their equation."""
            ids = np.full(len(hidden), -1)
            where = np.nonzero(hidden)[0]
            ids[where] = unknowns(table, where, np.full(len(where), col))
            equation = self.m
            self.m += 1
            rows = ids[:-1] >= 0
            add(equation, ids[:-1][rows], 1.0)
            if ids[-1] >= 0:
                add(equation, ids[-1], -1.0)
            if value is not None:
                v = np.where(hidden, 0, value)
                known.append(np.array([[equation, v[:-1].sum() - v[-1]]]))
            return ids

        shared = None
        if linked:
            sizes = {mask.shape[0] for mask in masks}
            if len(sizes) > 1:
                raise ValueError("linked tables must have the same number of rows")
            hidden = np.logical_and.reduce([mask[:, -1] for mask in masks])
            value = None if values is None else _shared_values(masks, values)
            shared = margin_group(-1, -1, hidden, value)
        for t, mask in enumerate(masks):
            r, c = mask.shape[0] - 1, mask.shape[1] - 1
            vals = None if values is None else values[t]
            margins = shared
            if margins is None:
                vals_c = None if vals is None else vals[:, -1]
                margins = margin_group(t, c, mask[:, -1], vals_c)
            base = self.m
            self.m += r + c + 1
            ii, jj = np.nonzero(mask[:-1, :-1])
            ids = unknowns(t, ii, jj)
            add(base + ii, ids, 1.0)
            add(base + r + jj, ids, 1.0)
            (jj,) = np.nonzero(mask[-1, :-1])
            ids = unknowns(t, np.full(len(jj), r), jj)
            add(base + r + jj, ids, -1.0)
            add(np.full(len(jj), base + r + c), ids, 1.0)
            (ii,) = np.nonzero(margins[:-1] >= 0)
            add(base + ii, margins[ii], -1.0)
            if margins[-1] >= 0:
                add(base + r + c, margins[-1], -1.0)
            if vals is not None:
                v = np.where(mask, 0, vals)
                if linked:  # the shared totals' known values come from the shared group
                    v[:, -1] = np.where(shared >= 0, 0, _shared_values(masks, values))
                rhs = np.concatenate(
                    [v[:-1, :-1].sum(1) - v[:-1, -1], v[:-1, :-1].sum(0) - v[-1, :-1]]
                )
                rhs = np.append(rhs, v[-1, :-1].sum() - v[-1, -1])
                known.append(np.column_stack([np.arange(base, self.m), rhs]))
        self.n = len(self.keys)
        self.eq = np.concatenate(eqs) if eqs else np.zeros(0, np.int64)
        self.var = np.concatenate(vars_) if vars_ else np.zeros(0, np.int64)
        self.coef = np.concatenate(coefs) if coefs else np.zeros(0)
        if values is not None:
            # sum(hidden) + sum(known) = 0 for each equation, written as A x = -known.
            self.rhs = np.zeros(self.m)
            for block in known:
                self.rhs[block[:, 0].astype(np.int64)] -= block[:, 1]

    def recovered(self) -> np.ndarray:
        """Mask over unknowns: uniquely determined by the equations.

        Unknown k is determined iff e_k lies in the row space of A, i.e. iff a_k' (A A')^+ a_k
        = 1 for its column a_k. A A' is small (equations x equations), block-diagonal over the
        connected groups of equations, and each a_k has a few non-zeros: so this costs a small
        symmetric eigendecomposition per group, not an SVD of A.
        """
        if self.n == 0:
            return np.zeros(0, bool)
        used, eq = np.unique(self.eq, return_inverse=True)
        m = len(used)
        order = np.argsort(self.var, kind="stable")
        var, eq, coef = self.var[order], eq.reshape(-1)[order], self.coef[order]
        per_var = np.bincount(var, minlength=self.n)
        slot = np.arange(len(var)) - np.repeat(np.cumsum(per_var) - per_var, per_var)
        width = int(per_var.max())
        eqs = np.zeros((self.n, width), np.int64)
        cfs = np.zeros((self.n, width))
        eqs[var, slot] = eq
        cfs[var, slot] = coef
        padding = np.arange(width)[None, :] >= per_var[:, None]
        eqs[padding] = np.broadcast_to(eqs[:, :1], eqs.shape)[padding]
        pair = cfs[:, :, None] * cfs[:, None, :]
        where = eqs[:, :, None] * m + eqs[:, None, :]
        gram = np.bincount(where.ravel(), weights=pair.ravel(), minlength=m * m).reshape(m, m)
        inverse = np.zeros((m, m))
        group = _groups(eqs, m)
        for label in np.unique(group):
            (members,) = np.nonzero(group == label)
            block = np.ix_(members, members)
            lam, vec = np.linalg.eigh(gram[block])
            keep = lam > max(lam.max(), 0.0) * _RANK_TOLERANCE
            inverse[block] = (vec[:, keep] / lam[keep]) @ vec[:, keep].T
        projection = (pair * inverse[eqs[:, :, None], eqs[:, None, :]]).sum(axis=(1, 2))
        return projection > _RECOVERED


def _groups(eqs: np.ndarray, m: int) -> np.ndarray:
    """Connected groups of equations (equations sharing an unknown), as the smallest member."""
    label = np.arange(m)
    while True:
        low = label[eqs].min(axis=1)
        new = label.copy()
        np.minimum.at(new, eqs, np.broadcast_to(low[:, None], eqs.shape))
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def _recovered(masks: list[np.ndarray], *, linked: bool) -> list[tuple[int, int, int]]:
    system = _System(masks, linked)
    return [system.keys[k] for k in np.nonzero(system.recovered())[0]]


def _shared_values(masks: list[np.ndarray], values: list[np.ndarray]) -> np.ndarray:
    """The row totals and grand total as published by any of the linked tables."""
    out = np.zeros(masks[0].shape[0], np.int64)
    seen = np.zeros(masks[0].shape[0], bool)
    for mask, vals in zip(masks, values, strict=True):
        shown = ~mask[:, -1]
        clash = shown & seen & (out != vals[:, -1])
        if clash.any():
            raise ValueError("linked tables publish different row totals")
        out[shown] = vals[shown, -1]
        seen |= shown
    return out


def _attacker_view(
    published: list[SuppressedTable], linked: bool
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Extended hidden masks and values (0 where hidden) of published tables."""
    masks, values = [], []
    for item in published:
        counts = np.asarray(item.counts, np.int64)
        r, c = counts.shape
        ext = np.zeros((r + 1, c + 1), np.int64)
        ext[:r, :c] = counts
        ext[:r, c] = item.row_totals
        ext[r, :c] = item.col_totals
        ext[r, c] = item.grand_total
        mask = ext == SUPPRESSED
        masks.append(mask)
        values.append(np.where(mask, 0, ext))
    if linked and len({mask.shape[0] for mask in masks}) > 1:
        raise ValueError("linked tables must have the same number of rows")
    if linked and masks:
        _shared_values(masks, values)
    return masks, values


def _unit(n: int, k: int) -> np.ndarray:
    vector = np.zeros(n)
    vector[k] = 1.0
    return vector
