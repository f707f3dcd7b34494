"""Exact recovery: what an attacker can work out from every published number.

The result of suppression is checked the way an attacker would check it, with linear algebra
over every published number (`recoverable_cells`); anything still recoverable gets another
cycle of hidden numbers (`results.suppression.secondary`). Exact recovery is what suppression
prevents; how far a hidden cell can be narrowed down is `results.suppression.intervals`.
"""

import numpy as np

from results.suppression.equations import recovered_keys, shared_values
from results.suppression.published import SUPPRESSED, SuppressedTable


def recoverable_cells(
    published: list[SuppressedTable], *, linked: bool = True
) -> list[tuple[int, int, int]]:
    """(table, row, col) of hidden interior cells whose exact value follows from the published
    numbers: cells, totals and, when `linked`, the equality of the tables' row totals and grand
    totals. A cell is recovered iff it is determined by the linear equations between the
    published and hidden numbers (non-negativity is not used here; see `interval_width`)."""
    if not published:
        return []
    masks, _ = attacker_view(published, linked)
    found = []
    for table, i, j in recovered_keys(masks, linked=linked):
        if table >= 0 and i < masks[table].shape[0] - 1 and j < masks[table].shape[1] - 1:
            found.append((table, i, j))
    return sorted(found)


def attacker_view(
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
        shared_values(masks, values)
    return masks, values
