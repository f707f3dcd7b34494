"""Primary suppression: which numbers of a table are small, and the table as it is worked on.

For a threshold `t` (per project, default 5):

- Every interior cell with 0 < count < t is hidden, and so is every row or column total with
  0 < total < t (a total counts people too: a row of 3 says "3 people of this nationality").
  Every non-zero cell of such a row is itself < t, so it is hidden too. The grand total is
  published unless it is itself below `t`; then the whole table is small and every non-zero
  number in it is hidden.
- Zeros are published as 0 by default: an empty cell is no one, so it identifies no one, and
  hiding zeros would hide most of a sparse table for nothing. (A zero can still say something
  about a group - "none of the 12 people from X is registered" - which small-cell suppression
  does not address; `suppress_zeros=True` treats zeros as primary cells for such tables.)

A table is held "extended": (r + 1) x (c + 1), interior cells, row totals in the last column,
column totals in the last row, the grand total in the corner. Row i and column j of the
extended table are the nodes of the graph of `results.suppression.graph`, hidden numbers its
edges.
"""

import numpy as np

from results.suppression.published import SUPPRESSED, SuppressedTable


def validated(counts: np.ndarray) -> np.ndarray:
    """The counts as a 2-D int64 array; ValueError for anything that is not a table of
    non-negative whole numbers."""
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


class Work:
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
