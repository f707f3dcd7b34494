"""Small-cell suppression of published tables: hand-made single tables, what an analyst
downloading results can and cannot work out about the few migrants behind a small cell.

The attacker used throughout is `recoverable_cells` (linear algebra over every published
number), checked against an independent oracle (rank of the published equations with one
unknown dropped) in `tests/results/suppression_checks.py`.
"""

import numpy as np
import pytest

from results.suppression import recoverable_cells, suppress_table
from tests.results.suppression_checks import H, assert_consistent, oracle, published


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
