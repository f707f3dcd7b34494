"""Small-cell suppression of published tables: linked tables (the same rows crossed
with several column questions), downloaded together.

The attacker used throughout is `recoverable_cells` (linear algebra over every published
number), checked against an independent oracle (rank of the published equations with one
unknown dropped) in `tests/results/suppression_checks.py`.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from results.suppression import recoverable_cells, suppress_linked, suppress_table
from tests.results.suppression_checks import (
    PROPERTY,
    H,
    assert_consistent,
    oracle,
    published,
    row_linked_tables,
)

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
