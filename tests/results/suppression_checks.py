"""What the suppression tests share: a builder for hand-made published tables, an independent
attacker (brute-force rank test) to check `recoverable_cells` against, the invariants every
published table satisfies, and Hypothesis strategies for random and linked tables.
"""

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from results.suppression import SUPPRESSED, SuppressedTable

H = SUPPRESSED
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def published(counts, mask, row_mask=None, col_mask=None, grand_hidden=False):
    """A SuppressedTable hiding exactly the given cells (and totals) of `counts`."""
    counts = np.asarray(counts, np.int64)
    rows, cols = counts.sum(axis=1), counts.sum(axis=0)
    row_mask = np.zeros(len(rows), bool) if row_mask is None else np.asarray(row_mask, bool)
    col_mask = np.zeros(len(cols), bool) if col_mask is None else np.asarray(col_mask, bool)
    mask = np.asarray(mask, bool)
    return SuppressedTable(
        counts=np.where(mask, H, counts),
        row_totals=np.where(row_mask, H, rows),
        col_totals=np.where(col_mask, H, cols),
        grand_total=H if grand_hidden else int(counts.sum()),
        primary=np.zeros_like(mask),
        secondary=np.zeros_like(mask),
    )


def oracle(tables, linked=True):
    """Hidden interior cells determined by the published equations, by brute force: a cell is
    determined iff dropping its unknown lowers the rank of the equations over the unknowns."""
    columns = {}

    def unknown(key):
        return columns.setdefault(key, len(columns))

    def total(t, i):  # row total i of table t (i == rows: the grand total); None if known
        hidden = [
            (p.row_totals[i] if i < len(p.row_totals) else p.grand_total) == H for p in tables
        ]
        if linked:
            return unknown(("R", i)) if all(hidden) else None
        return unknown(("R", t, i)) if hidden[t] else None

    equations = []
    for t, p in enumerate(tables):
        r, c = p.counts.shape
        cell = {
            (i, j): unknown(("x", t, i, j))
            for i in range(r)
            for j in range(c)
            if p.counts[i, j] == H
        }
        for i in range(r):
            eq = {cell[i, j]: 1 for j in range(c) if (i, j) in cell}
            if total(t, i) is not None:
                eq[total(t, i)] = -1
            equations.append(eq)
        col_total = {j: unknown(("C", t, j)) for j in range(c) if p.col_totals[j] == H}
        for j in range(c):
            eq = {cell[i, j]: 1 for i in range(r) if (i, j) in cell}
            if j in col_total:
                eq[col_total[j]] = -1
            equations.append(eq)
        eq = {col_total[j]: 1 for j in col_total}
        if total(t, r) is not None:
            eq[total(t, r)] = -1
        equations.append(eq)
        if not linked or t == 0:
            eq = {total(t, i): 1 for i in range(r) if total(t, i) is not None}
            if total(t, r) is not None:
                eq[total(t, r)] = -1
            equations.append(eq)
    a = np.zeros((len(equations), len(columns)))
    for row, eq in enumerate(equations):
        for column, coef in eq.items():
            a[row, column] = coef
    rank = np.linalg.matrix_rank(a) if columns else 0
    found = []
    for key, column in columns.items():
        if key[0] == "x" and np.linalg.matrix_rank(np.delete(a, column, axis=1)) < rank:
            found.append(key[1:])
    return sorted(found)


def assert_consistent(result, counts, threshold, suppress_zeros=False):
    """What every published table must satisfy, whatever the data."""
    counts = np.asarray(counts)
    shown = result.counts != H
    # Counts are never altered, only hidden.
    assert np.array_equal(result.counts[shown], counts[shown])
    rows, cols = counts.sum(axis=1), counts.sum(axis=0)
    assert np.all((result.row_totals == H) | (result.row_totals == rows))
    assert np.all((result.col_totals == H) | (result.col_totals == cols))
    assert result.grand_total in (H, counts.sum())
    # Published cells plus hidden ones make up every published total.
    hidden_sum_rows = np.where(shown, 0, counts).sum(axis=1)
    published_rows = np.where(shown, result.counts, 0).sum(axis=1)
    assert np.array_equal(published_rows + hidden_sum_rows, rows)
    # Every small cell is hidden; zeros are shown unless asked otherwise.
    small = (counts < threshold) & ((counts > 0) | suppress_zeros)
    assert np.array_equal(result.primary, small)
    assert np.all(result.counts[small] == H)
    assert not np.any(result.primary & result.secondary)
    assert np.array_equal(result.counts == H, result.primary | result.secondary)
    # Small totals are hidden, the grand total only when the whole table is small.
    assert np.all(result.row_totals[(rows > 0) & (rows < threshold)] == H)
    assert np.all(result.col_totals[(cols > 0) & (cols < threshold)] == H)
    assert (result.grand_total == H) == bool(
        (counts.sum() < threshold) and (counts.sum() > 0 or suppress_zeros)
    )
    # Rule of thumb: no row or column (totals included) hides exactly one number.
    ext = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), bool)
    ext[:-1, :-1] = result.counts == H
    ext[:-1, -1] = result.row_totals == H
    ext[-1, :-1] = result.col_totals == H
    ext[-1, -1] = result.grand_total == H
    assert 1 not in ext.sum(axis=0).tolist() + ext.sum(axis=1).tolist()


tables = hnp.arrays(
    np.int64,
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    elements=st.integers(0, 30),
)


def row_linked_tables():
    """2-3 random tables with the same row totals (same records, different column questions)."""

    @st.composite
    def build(draw):
        rows = draw(hnp.arrays(np.int64, st.integers(1, 6), elements=st.integers(0, 40)))
        seed = draw(st.integers(0, 2**32 - 1))
        widths = draw(st.lists(st.integers(1, 5), min_size=2, max_size=3))
        rng = np.random.default_rng(seed)
        return [
            np.array([rng.multinomial(n, rng.dirichlet(np.ones(c))) for n in rows]) for c in widths
        ]

    return build()
