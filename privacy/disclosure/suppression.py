"""Bringing every group to k: local suppression honouring importance, or holding records back.

Why a search over suppression patterns rather than one key at a time: the questionnaire asks
its quasi-identifiers most important first (nationality before the month of arrival), and
hiding one nationality costs the evidence base more than hiding any number of arrival months.
So, as sdcMicro's `localSuppression(importance=)` intends and a one-key-per-round greedy did
not achieve (nationality hidden 509 times where 21 sufficed), a record at risk has a more
important key hidden only when no combination of less important ones reaches k.

Patterns are ranked by cost sum(2**rank) over the keys they hide, rank 0 the least important:
every set of less important keys costs less than one more important key, and among sets of
equal importance the least important goes first. Each record at risk takes the cheapest
pattern that reaches k; no pattern is tried record by record in Python: for each pattern, all
records still undecided are tried at once with numpy.

Dimensions (the record's cell) are never suppressed. A record no pattern brings to k - its
cell is too small, or under ``"own"`` every key is missing - is held back instead.

Pure numpy, like ``control``: no Django.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from privacy.disclosure.control import (
    MISSING,
    SUPPRESSED,
    Missing,
    _cells,
    _fk,
    _match_counts,
    _recode,
    exact_groups,
)

FULL_SEARCH_KEYS = 12  # up to 2**12 patterns; beyond, nested sets in importance order


@dataclass
class Protection:
    """What disclosure control publishes: `keys` with SUPPRESSED where a value was hidden
    (MISSING answers stay MISSING), which records are `held` back, suppressions per key."""

    keys: np.ndarray
    held: np.ndarray
    suppressions: np.ndarray


def _ranks(importance: Sequence[int], m: int) -> np.ndarray:
    """Rank of each key column, 0 = least important (suppressed first); higher importance =
    more important; among equal importance the leftmost column goes first."""
    if len(importance) != m:
        raise ValueError("need one importance rank per key column")
    ranks = np.empty(m, np.int64)
    ranks[np.argsort(np.asarray(importance), kind="stable")] = np.arange(m)
    return ranks


def patterns(ranks: np.ndarray) -> Iterator[np.ndarray]:
    """Boolean column masks of the non-empty suppression patterns, cheapest first.

    Bit i of a pattern number is the key of rank i, so counting up enumerates patterns by
    cost. Beyond FULL_SEARCH_KEYS keys, the nested patterns (the i least important keys) are
    tried after each single key, most expensive last."""
    m = len(ranks)
    by_rank = np.argsort(ranks)
    if m <= FULL_SEARCH_KEYS:
        bits = (np.arange(1, 1 << m)[:, None] >> np.arange(m)) & 1
        for row in bits.astype(bool):
            mask = np.zeros(m, bool)
            mask[by_rank[row]] = True
            yield mask
        return
    for i in range(m):
        for mask_rank in ({i}, set(range(i + 1))):
            mask = np.zeros(m, bool)
            mask[by_rank[sorted(mask_rank)]] = True
            yield mask


def local_suppression(
    keys: np.ndarray,
    k: int,
    importance: Sequence[int],
    *,
    cells: np.ndarray | None = None,
    missing: Missing = "any",
    fk: np.ndarray | None = None,
) -> Protection:
    """Hide key values (SUPPRESSED) until every record not held back has fk >= k.

    Preconditions: as ``control.frequencies`` (keys hold no SUPPRESSED yet); k >= 1;
    `importance` one rank per key column, higher = more important (sdcMicro's runs the other
    way, 1 = most important). Records at fk >= k are never touched. Each record at risk takes
    the cheapest pattern (see module docstring) over its answered keys that reaches k:

    - ``"own"``: the record lands in the group of its new exact tuple; the records that land in
      a group with the same pattern are counted together, so rare records join up with one
      another (a lone record with its age hidden is still alone: an attacker who knows its age
      finds no other record that could be it).
    - ``"any"``: fk of the new tuple against the current data (MISSING and SUPPRESSED match
      anything); others' suppressions only raise it.

    A record no pattern brings to k is held back (its keys unchanged). `fk`, if given, is
    `frequencies(keys, cells=cells, missing=missing)` (saves recounting). Returns a `Protection`.
    """
    keys, codes, cards = _recode(keys)
    n, m = keys.shape
    if k < 1:
        raise ValueError("need k >= 1")
    ranks = _ranks(importance, m)
    if (keys == SUPPRESSED).any():
        raise ValueError("keys must not be suppressed already")
    fk = _fk(codes, cards, cells, missing) if fk is None else np.asarray(fk)
    undecided = np.flatnonzero(fk < k)
    out = codes.copy()
    bit = np.int64(1) << np.arange(m, dtype=np.int64)
    present = (codes >= 0).astype(np.int64) @ bit  # answered keys as bits: one gather a pattern
    dense, n_cells = _cells(cells, n)
    trial_cards = [*cards, n_cells]
    with_cells = np.column_stack([codes, dense]) if missing == "any" else codes  # "any" only
    for mask in patterns(ranks) if len(undecided) else iter(()):
        wanted = bit[mask].sum()
        chosen = (present[undecided] & wanted) == wanted
        candidates = undecided[chosen]
        if not len(candidates):
            continue
        if missing == "own":  # the hidden keys, all SUPPRESSED, do not split the groups
            shown = np.flatnonzero(~mask)
            trial = out[np.ix_(candidates, shown)]
            ids = exact_groups(trial, [cards[j] for j in shown], dense[candidates], n_cells)
            del trial
            reached = np.bincount(ids)[ids] >= k
            out[np.ix_(candidates[reached], np.flatnonzero(mask))] = SUPPRESSED
        else:
            trial = out[candidates]
            trial[:, mask] = SUPPRESSED
            query = np.column_stack([trial, dense[candidates]])
            reached = _match_counts(with_cells, trial_cards, query) >= k
            out[candidates[reached]] = trial[reached]
        chosen[chosen] = reached  # now: the undecided records this pattern decided
        undecided = undecided[~chosen]
        if not len(undecided):
            break
    held = np.zeros(n, bool)
    held[undecided] = True
    hidden = out == SUPPRESSED
    return Protection(np.where(hidden, SUPPRESSED, keys), held, hidden.sum(axis=0))


def hold_back(
    keys: np.ndarray, k: int, *, cells: np.ndarray | None = None, missing: Missing = "any"
) -> np.ndarray:
    """Boolean mask of the records to hold back until their group grows.

    Preconditions: as ``control.frequencies``. Under ``"own"`` a group below k is held back
    whole, which changes no other group. Under ``"any"`` holding records back lowers the fk of
    those they matched, so fk is recounted over the kept records until every kept record has
    fk >= k. If fewer than k records of a cell could stay, all of them are held back.
    """
    _, codes, cards = _recode(keys)
    dense = _cells(cells, len(codes))[0]
    kept = np.arange(len(codes))
    while len(kept):
        safe = _fk(codes[kept], cards, dense[kept], missing) >= k
        if safe.all():
            break
        kept = kept[safe]
    held: np.ndarray = np.bincount(kept, minlength=len(codes)) == 0
    return held


__all__ = ["MISSING", "SUPPRESSED", "Protection", "hold_back", "local_suppression", "patterns"]
