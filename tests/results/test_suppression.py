"""Small-cell suppression of published tables: what an analyst downloading results can and
cannot work out about the few migrants behind a small cell.

The attacker used throughout is `recoverable_cells` (linear algebra over every published
number), checked here against an independent oracle (rank of the published equations with one
unknown dropped).
"""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from results import suppression
from results.suppression import (
    SUPPRESSED,
    SuppressedTable,
    interval_width,
    narrow_cells,
    recoverable_cells,
    suppress_linked,
    suppress_table,
)

H = SUPPRESSED
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- helpers -----------------------------------------------------------------------------------


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


# -- hand-made tables --------------------------------------------------------------------------


def test_small_cell_is_hidden_with_the_cheapest_rectangle():
    """A cell of 3 is hidden, and so is the cheapest set of cells that stops anyone subtracting
    it out of its row and column totals (20 + 14 + 8 = 42 beats 15 + 25 + 9 = 49)."""
    counts = np.array([[20, 3, 15], [12, 25, 9], [8, 14, 30]])
    result = suppress_table(counts, 5)
    assert result.counts.tolist() == [[H, H, 15], [12, 25, 9], [H, H, 30]]
    assert result.primary.tolist() == [[0, 1, 0], [0, 0, 0], [0, 0, 0]]
    assert result.secondary.tolist() == [[1, 0, 0], [0, 0, 0], [1, 1, 0]]
    assert result.row_totals.tolist() == [38, 46, 52]
    assert result.col_totals.tolist() == [40, 42, 54]
    assert result.grand_total == 136
    assert result.counts.dtype == np.int64
    assert recoverable_cells([result]) == []
    assert_consistent(result, counts, 5)


def test_table_without_small_cells_is_published_whole():
    """Nothing is hidden when nothing is small: suppression costs analysts nothing then."""
    counts = np.array([[5, 6], [7, 0]])
    result = suppress_table(counts, 5)
    assert result.counts.tolist() == counts.tolist()
    assert not result.primary.any()
    assert not result.secondary.any()
    assert result.grand_total == 18


def test_hiding_only_the_small_cell_would_reveal_it():
    """Why secondary suppression exists: with one hidden cell, its row total minus the other
    cells gives it back exactly."""
    counts = np.array([[20, 3, 15], [12, 25, 9], [8, 14, 30]])
    naive = published(counts, [[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    assert recoverable_cells([naive]) == [(0, 0, 1)]
    # Two hidden cells in the row are not enough while the column still gives it away.
    half = published(counts, [[1, 1, 0], [0, 0, 0], [0, 0, 0]])
    assert recoverable_cells([half]) == [(0, 0, 0), (0, 0, 1)]


def test_attacker_finds_what_the_two_per_row_rule_misses():
    """Two protected blocks joined by one hidden cell: every row and column hides at least two
    cells, yet the joining cell is the block sums' difference - and suppress_table never
    leaves such a pattern."""
    counts = np.full((4, 4), 10)
    counts[0, 2] = 2
    mask = np.zeros((4, 4), bool)
    mask[:2, :2] = mask[2:, 2:] = True
    mask[0, 2] = True
    assert recoverable_cells([published(counts, mask)]) == [(0, 0, 2)]
    assert oracle([published(counts, mask)]) == [(0, 0, 2)]
    result = suppress_table(counts, 5)
    assert recoverable_cells([result]) == []


def test_one_dimensional_table_hides_the_next_smallest_category():
    """A frequency table of one question: a category of 2 is hidden, and so is the next
    smallest (7), or the total minus the others would give the 2 back. In a 1-D table a row's
    total is its cell, so it is hidden with it."""
    counts = np.array([[2], [7], [12], [30]])
    result = suppress_table(counts, 5)
    assert result.counts[:, 0].tolist() == [H, H, 12, 30]
    assert result.row_totals.tolist() == [H, H, 12, 30]
    assert result.col_totals.tolist() == [51]
    assert result.grand_total == 51
    assert result.primary[:, 0].tolist() == [True, False, False, False]
    assert result.secondary[:, 0].tolist() == [False, True, False, False]
    assert recoverable_cells([result]) == []


def test_row_whose_total_is_small_is_hidden_with_its_total():
    """A row totalling 3 ("3 people of this nationality") is hidden, total included. Because
    the grand total is published, one other row total (the smallest, 24) must be hidden too,
    or 55 - 24 - 28 would give the 3 back; the zero in the small row stays published."""
    counts = np.array([[1, 2, 0], [9, 7, 8], [6, 10, 12]])
    result = suppress_table(counts, 5)
    assert result.counts.tolist() == [[H, H, 0], [H, H, 8], [6, 10, 12]]
    assert result.row_totals.tolist() == [H, H, 28]
    assert result.col_totals.tolist() == [16, 19, 20]
    assert result.grand_total == 55
    assert recoverable_cells([result]) == []
    assert_consistent(result, counts, 5)


def test_small_column_total_is_hidden():
    """A column (e.g. one sex at one service point) totalling 4 is hidden and protected."""
    counts = np.array([[1, 20, 9], [3, 12, 30], [0, 8, 14]])
    result = suppress_table(counts, 5)
    assert result.col_totals[0] == H
    assert recoverable_cells([result]) == []
    assert_consistent(result, counts, 5)


def test_grand_total_is_hidden_only_when_the_whole_table_is_small():
    """A table about 4 people hides every non-zero number, the grand total included; zeros
    stay published, and the hidden numbers still cannot be told apart."""
    counts = np.array([[1, 2], [0, 1]])
    result = suppress_table(counts, 5)
    assert result.counts.tolist() == [[H, H], [0, H]]
    assert result.row_totals.tolist() == [H, H]
    assert result.col_totals.tolist() == [H, H]
    assert result.grand_total == H
    assert recoverable_cells([result]) == []
    assert suppress_table(np.array([[3]]), 5).grand_total == H
    assert suppress_table(np.array([[5]]), 5).grand_total == 5


def test_zeros_are_published_by_default_and_hidden_on_request():
    """An empty cell identifies no one, so it is shown as 0 by default; a DPO worried about
    group disclosure ("none of them is registered") can hide zeros as well."""
    counts = np.array([[0, 12, 9], [7, 0, 11], [10, 13, 0]])
    shown = suppress_table(counts, 5)
    assert shown.counts.tolist() == counts.tolist()
    hidden = suppress_table(counts, 5, suppress_zeros=True)
    assert np.all(hidden.counts[counts == 0] == H)
    assert hidden.primary.tolist() == (counts == 0).tolist()
    assert recoverable_cells([hidden]) == []
    assert_consistent(hidden, counts, 5, suppress_zeros=True)


def test_zero_cells_protect_only_when_no_nonzero_cell_can():
    """A hidden zero only bounds its neighbours from one side, so zeros are used as secondary
    cells only when no cycle of non-zero cells exists: here every cycle around the 2 passes
    through a zero, and the one with the smallest counts (8, 6 and a zero) is used..."""
    result = suppress_table(np.array([[2, 8], [0, 9], [6, 0]]), 5)
    assert result.counts.tolist() == [[H, H], [0, 9], [H, H]]
    assert result.secondary.tolist() == [[False, True], [False, False], [True, True]]
    assert recoverable_cells([result]) == []
    # ...while here the zero stays published although 8 + 6 < 8 + 5 + 9.
    result = suppress_table(np.array([[2, 8], [5, 9], [6, 0]]), 5)
    assert result.counts.tolist() == [[H, H], [H, H], [6, 0]]


def test_threshold_one_hides_nothing_and_input_is_not_modified():
    """Threshold 1 means no cell is small; the caller's array is never changed."""
    counts = np.array([[1, 2], [3, 0]])
    copy = counts.copy()
    result = suppress_table(counts, 1)
    assert result.counts.tolist() == counts.tolist()
    suppress_table(counts, 5)
    assert np.array_equal(counts, copy)


@pytest.mark.parametrize(
    ("counts", "threshold", "error"),
    [
        ([1, 2, 3], 5, ValueError),
        ([[1, -2]], 5, ValueError),
        ([[1.5, 2]], 5, ValueError),
        (np.zeros((0, 3), int), 5, ValueError),
        ([[1, 2]], 0, ValueError),
        ([[1, 2]], 2.5, TypeError),
    ],
)
def test_bad_input_is_refused(counts, threshold, error):
    """A malformed table is refused rather than published half-protected."""
    with pytest.raises(error):
        suppress_table(np.asarray(counts), threshold)


def test_float_counts_with_whole_values_are_accepted():
    """Counts computed as floats (e.g. by pandas) are accepted when they are whole."""
    result = suppress_table(np.array([[2.0, 8.0], [5.0, 9.0]]), 5)
    assert result.counts.dtype == np.int64
    assert recoverable_cells([result]) == []


# -- random tables -----------------------------------------------------------------------------


tables = hnp.arrays(
    np.int64,
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    elements=st.integers(0, 30),
)


@PROPERTY
@given(counts=tables, threshold=st.integers(3, 10), suppress_zeros=st.booleans())
def test_no_hidden_cell_of_a_random_table_is_recoverable(counts, threshold, suppress_zeros):
    """Whatever the table, no hidden cell can be worked out from what is published, small
    cells and totals are hidden, and published numbers are the true counts."""
    result = suppress_table(counts, threshold, suppress_zeros=suppress_zeros)
    assert recoverable_cells([result]) == []
    assert oracle([result]) == []
    assert_consistent(result, counts, threshold, suppress_zeros)


@PROPERTY
@given(
    counts=tables,
    data=st.data(),
    linked=st.booleans(),
)
def test_attacker_agrees_with_brute_force_rank_test(counts, data, linked):
    """The attacker used to check suppression finds exactly the cells a brute-force rank test
    finds, on arbitrary hiding patterns (so "nothing recoverable" means something)."""
    r, c = counts.shape
    mask = data.draw(hnp.arrays(bool, (r, c)))
    row_mask = data.draw(hnp.arrays(bool, (r,)))
    col_mask = data.draw(hnp.arrays(bool, (c,)))
    other = data.draw(
        hnp.arrays(np.int64, st.tuples(st.just(r), st.integers(1, 4)), elements=st.integers(0, 9))
    )
    other_mask = data.draw(hnp.arrays(bool, other.shape))
    other_rows = data.draw(hnp.arrays(bool, (r,)))
    grand, other_grand = data.draw(st.booleans()), data.draw(st.booleans())
    first = published(counts, mask, row_mask, col_mask, grand)
    second = published(other, other_mask, other_rows, None, other_grand)
    if linked:  # linked tables share their row totals and grand total (each may hide some)
        second.row_totals = np.where(other_rows, H, counts.sum(axis=1))
        second.grand_total = H if other_grand else int(counts.sum())
    both = [first, second]
    assert recoverable_cells(both, linked=linked) == oracle(both, linked=linked)
    assert recoverable_cells([first]) == oracle([first])


# -- linked tables -----------------------------------------------------------------------------

# Nationality (rows) alone, and by sex: both tables show the same nationality totals.
NATIONALITY = np.array([[3], [6], [7], [40]])
NATIONALITY_BY_SEX = np.array([[3, 0], [6, 0], [2, 5], [20, 20]])


def test_tables_suppressed_one_by_one_leak_when_downloaded_together():
    """Each table is safe on its own, but each shows a nationality total the other hid: the
    second shows 6, so the first table's grand total gives back its hidden 3; the first shows
    7, so the second table's row 7 - 5 gives back its hidden 2, and then its column the 3."""
    alone = [suppress_table(NATIONALITY, 5), suppress_table(NATIONALITY_BY_SEX, 5)]
    assert recoverable_cells([alone[0]]) == []
    assert recoverable_cells([alone[1]]) == []
    assert alone[0].row_totals.tolist() == [H, H, 7, 40]
    assert alone[1].row_totals.tolist() == [H, 6, H, 40]
    leaked = recoverable_cells(alone)
    assert leaked == [(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 2, 0)]
    assert leaked == oracle(alone)
    # The leak comes from the shared totals: without linking them the attacker finds nothing.
    assert recoverable_cells(alone, linked=False) == []


def test_linked_suppression_protects_tables_downloaded_together():
    """Suppressed together, the tables hide the same nationality totals and nothing hidden
    can be recovered from both tables at once."""
    together = suppress_linked([NATIONALITY, NATIONALITY_BY_SEX], 5)
    assert recoverable_cells(together) == []
    assert oracle(together) == []
    assert together[0].row_totals.tolist() == together[1].row_totals.tolist()
    assert together[0].grand_total == together[1].grand_total == 56
    for result, counts in zip(together, [NATIONALITY, NATIONALITY_BY_SEX], strict=True):
        assert_consistent(result, counts, 5)


def test_attack_combines_a_total_recovered_from_one_table_with_another():
    """Both tables hide the same totals, but the first shows all the cells of a row, so its
    hidden total is their sum; the second table relied on that total being unknown."""
    by_sex = np.array([[3, 9], [8, 7], [10, 12]])  # rows 0 and 1 have totals 12 and 15
    by_age = np.array([[1, 11], [2, 13], [11, 11]])
    rows_hidden = [True, True, False]
    first = published(by_sex, np.zeros((3, 2), bool), rows_hidden)
    second = published(by_age, [[1, 0], [1, 0], [0, 0]], rows_hidden)
    assert recoverable_cells([second]) == []  # on its own: 1 + 2 split unknown
    assert recoverable_cells([first, second]) == [(1, 0, 0), (1, 1, 0)]
    protected = suppress_linked([by_sex, by_age], 5)
    assert recoverable_cells(protected) == []


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


@PROPERTY
@given(linked=row_linked_tables(), threshold=st.integers(3, 10))
def test_no_hidden_cell_of_random_linked_tables_is_recoverable(linked, threshold):
    """Downloaded together, random linked tables reveal no hidden cell, hide shared totals
    consistently, and each still satisfies the single-table guarantees."""
    results = suppress_linked(linked, threshold)
    assert recoverable_cells(results) == []
    assert oracle(results) == []
    assert len({tuple(result.row_totals.tolist()) for result in results}) == 1
    assert len({result.grand_total for result in results}) == 1
    for result, counts in zip(results, linked, strict=True):
        shown = result.counts != H
        assert np.array_equal(result.counts[shown], counts[shown])
        assert np.all(result.counts[(counts > 0) & (counts < threshold)] == H)


def test_linked_tables_must_share_their_row_totals():
    """Tables whose row totals differ (a question some people skipped) cannot be linked: the
    caller must count skipped answers, or the protection would rest on a false premise."""
    with pytest.raises(ValueError, match="same row totals"):
        suppress_linked([np.array([[3, 4], [5, 6]]), np.array([[7], [10]])], 5)
    with pytest.raises(ValueError, match="same rows"):
        suppress_linked([np.array([[3, 4], [5, 6]]), np.array([[7]])], 5)
    assert suppress_linked([], 5) == []


# -- intervals ---------------------------------------------------------------------------------


def test_interval_of_a_hidden_cell():
    """Non-negativity narrows a hidden 3 down to 0..17 (it can grow by at most the 14 beside it
    and shrink to 0), its neighbour 20 to 6..23; published cells are their own interval."""
    result = suppress_table(np.array([[20, 3, 15], [12, 25, 9], [8, 14, 30]]), 5)
    assert interval_width([result], 0, 0, 1) == (0, 17)
    assert interval_width([result], 0, 0, 0) == (6, 23)
    assert interval_width([result], 0, 1, 1) == (25, 25)


def test_narrow_intervals_are_reported_for_the_risk_report():
    """Four hidden cells of 1 are not recoverable, but each lies in 0..2: narrower than the
    threshold, which the risk report must show."""
    result = suppress_table(np.array([[1, 1, 10], [1, 1, 10], [10, 10, 10]]), 5)
    assert recoverable_cells([result]) == []
    assert interval_width([result], 0, 0, 0) == (0, 2)
    assert narrow_cells([result], 5) == [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1)]


def test_interval_is_unbounded_when_nothing_bounds_it():
    """Unbounded only when the grand total is hidden."""
    result = published([[4, 5], [6, 7]], np.ones((2, 2), bool), [1, 1], [1, 1], True)
    assert interval_width([result], 0, 0, 0) == (0, float("inf"))


@settings(max_examples=30, deadline=None)
@given(linked=row_linked_tables(), threshold=st.integers(3, 10))
def test_true_value_lies_in_its_interval(linked, threshold):
    """The interval never excludes the truth (it is what an attacker can be sure of)."""
    results = suppress_linked(linked, threshold)
    for t, (result, counts) in enumerate(zip(results, linked, strict=True)):
        for i, j in zip(*np.nonzero(result.counts == H), strict=True):
            lo, hi = interval_width(results, t, int(i), int(j))
            assert lo <= counts[i, j] <= hi


# -- operation ---------------------------------------------------------------------------------


def test_a_200_by_50_table_is_suppressed_quickly():
    """Results pages and exports suppress tables on request: 200 service points x 50
    categories, with many small cells, in well under 100 ms (best of three runs)."""
    rng = np.random.default_rng(0)
    size = np.outer(rng.lognormal(0, 1.5, 200), rng.lognormal(0, 1, 50))
    counts = rng.poisson(size * 3)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        result = suppress_table(counts, 5)
        timings.append(time.perf_counter() - start)
    assert result.primary.sum() > 1000
    assert min(timings) < 0.1
    assert recoverable_cells([result]) == []


def test_suppression_module_imports_without_django():
    """Suppression runs in workers and exports without a database or settings."""
    path = Path(suppression.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('suppression', {str(path)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['suppression'] = module\n"
        "spec.loader.exec_module(module)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
