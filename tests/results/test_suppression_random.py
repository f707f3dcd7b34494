"""Small-cell suppression of published tables: random tables, and the attacker checked
against brute force on arbitrary hiding patterns.

The attacker used throughout is `recoverable_cells` (linear algebra over every published
number), checked against an independent oracle (rank of the published equations with one
unknown dropped) in `tests/results/suppression_checks.py`.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from results.suppression import recoverable_cells, suppress_table
from tests.results.suppression_checks import (
    PROPERTY,
    H,
    assert_consistent,
    oracle,
    published,
    tables,
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
