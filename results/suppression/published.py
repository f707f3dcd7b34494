"""What a suppressed table looks like when it leaves this package.

`counts`, `row_totals`, `col_totals` and `grand_total` are published, with SUPPRESSED (-1) for
hidden numbers - shown as a blank or a symbol, never as -1 and never as 0. The `primary` and
`secondary` masks are for the DPO and tests: publishing them would tell the attacker which
hidden cells are the small ones.
"""

from dataclasses import dataclass

import numpy as np

SUPPRESSED = -1


@dataclass
class SuppressedTable:
    """A table as published: hidden numbers are SUPPRESSED; the masks are not for publication."""

    counts: np.ndarray
    row_totals: np.ndarray
    col_totals: np.ndarray
    grand_total: int
    primary: np.ndarray
    secondary: np.ndarray
