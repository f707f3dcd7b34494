"""What protection works on and what it returns, shared by ``protect``, ``totals`` and
``coarsen`` (one definition, so that none of them imports another's internals)."""

from dataclasses import dataclass, field

import numpy as np

from results.lattice.boxes import Dim
from results.lattice.pairs import Pair

MENTIONS = "mentions"


@dataclass
class Protection:
    hidden: dict[str, np.ndarray]  # cube or pair -> withheld mask
    primary: dict[str, np.ndarray]
    total_hidden: np.ndarray  # (G, T)
    total_primary: np.ndarray
    dropped: set[str] = field(default_factory=set)  # cubes and pairs withheld entirely
    nothing: bool = False  # the release is too small to publish anything
    unprotected: list[tuple[int, int]] = field(default_factory=list)  # record totals, no box
    stuck: dict[str, tuple[int, ...]] = field(default_factory=dict)  # dropped: the cell why
    coarsened: dict[str, list[str]] = field(default_factory=dict)  # "geography"/"time": keys


@dataclass
class Lattice:
    """What protection works on: cubes (G, T, C), pairs, record totals (G, T), the trees."""

    cubes: dict[str, np.ndarray]
    kinds: dict[str, str]
    totals: np.ndarray
    geo: Dim
    when: Dim
    slack: dict[str, tuple[np.ndarray, bool]] = field(default_factory=dict)
    pairs: dict[str, Pair] = field(default_factory=dict)
