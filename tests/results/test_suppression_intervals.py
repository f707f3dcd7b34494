"""Small-cell suppression of published tables: how far an attacker who knows counts are
non-negative can narrow a hidden cell down (the interval attack, for the risk report).
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from results.suppression import (
    interval_width,
    narrow_cells,
    recoverable_cells,
    suppress_linked,
    suppress_table,
)
from tests.results.suppression_checks import H, published, row_linked_tables


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
