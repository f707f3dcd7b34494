"""Dataset-level statistical disclosure control (k-anonymity, local suppression, l-diversity).

Why: dropping names and banding ages does not stop an ordinary combination of answers - a woman
in her sixties of a rare nationality who arrived in March at one service point - from singling
out a migrant, at the risk of detention or reprisals. So before a DPO releases records we count
how many share each quasi-identifier combination and how varied the sensitive answers are in it.

Two conventions for missing values (``missing``):

- ``"own"`` (Waypoint's default, conservative): records are grouped by their exact published
  tuple - a missing answer (MISSING) is a value of its own, a suppressed one (SUPPRESSED) too -
  within their dimension cell. A record whose quasi-identifiers are all missing is counted as
  unique: it has nothing to hide behind, so it must not pass as k-anonymous through others.
  Why: an attacker who knows a person's answers finds the records consistent with them; a
  group of k identical published tuples guarantees each member at most 1/k, whereas a wildcard
  lets four empty records make 4,078 unique records "5-anonymous" (issue 12).
- ``"any"`` (sdcMicro's freqCalc, an option for DPOs who report in its terms): a missing or
  suppressed value matches every value.

Dimensions (``cells``: service point, hence country, National Society and network, and the
visit month) are the attacker's background knowledge: always matched exactly, never missing,
never suppressed.

Why numpy over integer codes: a form can hold a million records, the report is due in seconds
on a small server, and this must be testable without a database. Records are grouped by their
pattern of missing keys (at most 2^m), so counting takes a few vectorised bincounts or sorts per
pair of patterns, never a comparison of every pair of records.
"""

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Missing = Literal["own", "any"]
MISSING: int = -1  # not answered
SUPPRESSED: int = -2  # hidden by local suppression: published distinctly from MISSING
_EXACT = 1 << 62  # mixed-radix codes below this fit in int64
_DENSE_CELLS = (1 << 16, 1 << 23)  # count tables of up to max(lo, min(hi, 4 * rows)) cells


def _dense_limit(rows: int) -> int:
    return max(_DENSE_CELLS[0], min(_DENSE_CELLS[1], 4 * rows))


def _recode(keys: np.ndarray, ndim: int = 2) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Validated int64 keys (n, m); small codes per column, order preserved; cardinalities."""
    keys = np.asarray(keys)
    if keys.ndim != ndim or not (keys.size == 0 or np.issubdtype(keys.dtype, np.integer)):
        raise ValueError(f"expected a {ndim}-D array of integer codes, got shape {keys.shape}")
    keys = keys.astype(np.int64, copy=False)
    keys = keys[:, None] if ndim == 1 else keys
    if keys.size and keys.min() < SUPPRESSED:
        raise ValueError("codes must be >= 0, MISSING (-1) or SUPPRESSED (-2)")
    codes, cards = keys, []
    for j in range(keys.shape[1]):
        top = int(keys[:, j].max(initial=MISSING))
        if top < _dense_limit(len(keys)):
            cards.append(max(top + 1, 1))
            continue
        codes = keys.copy() if codes is keys else codes
        present = keys[:, j] >= 0
        values, codes[present, j] = np.unique(keys[present, j], return_inverse=True)
        cards.append(len(values))
    return keys, codes, cards


def _cols(mask: int, m: int) -> list[int]:
    return [j for j in range(m) if mask >> j & 1]


def _ravel(block: np.ndarray, mask: int, cards: list[int]) -> np.ndarray:
    """Mixed-radix code of each row over the columns in `mask` (all present in `block`)."""
    code = np.zeros(len(block), np.int64)
    for j in _cols(mask, block.shape[1]):
        code *= cards[j]
        code += block[:, j]
    return code


def _group_ids(block: np.ndarray, radices: list[int]) -> np.ndarray:
    """Dense ids of the distinct rows of `block` (column j in [0, radices[j])), numbered in
    lexicographic row order.

    Why renumbered as the columns are added: the mixed-radix code of a million records over
    cells and five keys spans tens of millions of values, numbered only by sorting (np.unique,
    about 0.1 s each time, and a run numbers groups a few dozen times). Renumbering the
    distinct prefixes whenever the code would outgrow a count table keeps it small enough to
    number by a table lookup; renumbering keeps the order, so the ids are the same."""
    return _column_ids([block[:, j] for j in range(len(radices))], radices)


def _column_ids(columns: list[np.ndarray], radices: list[int], shift: int = 0) -> np.ndarray:
    """``_group_ids`` of the rows whose column j is ``columns[j] + shift`` (the columns' own
    arrays, not stacked into a copy); the first column is never shifted (a record's cell)."""
    limit = _dense_limit(len(columns[0]) if columns else 0)
    ids, size = np.zeros(len(columns[0]) if columns else 0, np.int64), 1
    for j, (column, radix) in enumerate(zip(columns, radices, strict=True)):
        if size > 1 and (size * radix > limit or size * radix >= _EXACT):
            ids, size = _renumber(ids, size, limit)
        ids *= radix
        ids += column
        if j and shift:
            ids += shift
        size *= radix
    return _renumber(ids, size, limit)[0]


def _renumber(ids: np.ndarray, size: int, limit: int) -> tuple[np.ndarray, int]:
    """`ids` (in [0, size)) as dense ids in the same order, and how many there are: by a rank
    table (5 bytes a value) up to twice `limit`, else by sorting."""
    if size > 2 * limit:
        values, dense = np.unique(ids, return_inverse=True)
        return dense.reshape(-1), len(values)
    seen = np.zeros(size, bool)
    seen[ids] = True
    rank = np.cumsum(seen, dtype=np.int32)
    del seen
    renumbered = rank[ids].astype(np.int64)
    renumbered -= 1
    return renumbered, int(rank[-1]) if size else 0


def _by_pattern(codes: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(present-key bitmask, rows with that pattern, their positions in `codes`) per pattern."""
    m = codes.shape[1]
    pattern = ((codes >= 0) * (np.int64(1) << np.arange(m, dtype=np.int64))).sum(axis=1)
    order = np.argsort(pattern.astype(np.uint16) if m <= 16 else pattern, kind="stable")
    masks, starts = np.unique(pattern[order], return_index=True)
    ends, block = np.r_[starts[1:], len(codes)][: len(starts)].tolist(), codes[order]
    spans = zip(masks.tolist(), starts.tolist(), ends, strict=True)
    return [(mk, block[a:b], order[a:b]) for mk, a, b in spans]


def _match_counts(
    source: np.ndarray, cards: list[int], query: np.ndarray | None = None
) -> np.ndarray:
    """For each query row (default: each source row), the number of source rows equal to it on
    every key present in both."""
    m, by_pattern = source.shape[1], _by_pattern(source)
    queries = by_pattern if query is None else _by_pattern(query)
    out = np.zeros(len(source) if query is None else len(query), np.int64)
    groups, base = {q: block for q, block, _ in by_pattern}, {}
    limit = _dense_limit(len(source) + len(out))

    def shape(mask: int, over: int | None = None) -> list[int]:  # over: broadcast to keys
        return [cards[j] if mask >> j & 1 else 1 for j in _cols(over or mask, m)]

    def table(s: int, masks: list[int]) -> np.ndarray:  # counts over keys s from patterns masks
        total = np.zeros(shape(s), np.int64)
        flat = total.reshape(-1)  # a view: adding to it adds to total
        for q in masks:
            if math.prod(shape(q)) > limit:  # no table over q's own keys: count on s directly
                flat += np.bincount(_ravel(groups[q], s, cards), minlength=flat.size)
                continue
            if q not in base:  # a pattern's own table, summed down to each subset it shares
                counts = np.bincount(_ravel(groups[q], q, cards), minlength=math.prod(shape(q)))
                base[q] = counts.reshape(shape(q))
            total += base[q].sum(axis=tuple(i for i, j in enumerate(_cols(q, m)) if not s >> j & 1))
        return total

    for p, block, positions in queries:
        by_s: dict[int, list[int]] = {}
        for q in groups:
            by_s.setdefault(p & q, []).append(q)
        if math.prod(shape(p)) <= min(limit, 4 * len(block)):  # one table over p's own keys
            cell = np.zeros(shape(p), np.int64)
            for s, masks in by_s.items():
                cell += table(s, masks).reshape(shape(s, p))
            out[positions] = cell.reshape(-1)[_ravel(block, p, cards)]
            continue
        for s, masks in by_s.items():
            if math.prod(shape(s)) <= limit:
                out[positions] += table(s, masks).reshape(-1)[_ravel(block, s, cards)]
            else:  # key space too large for a table: number the distinct rows instead
                cols = _cols(s, m)
                rows = np.concatenate([*(groups[q][:, cols] for q in masks), block[:, cols]])
                ids, split = _group_ids(rows, shape(s)), len(rows) - len(block)
                out[positions] += np.bincount(ids[:split], minlength=len(rows))[ids[split:]]
    return out


def _cells(cells: np.ndarray | None, n: int) -> tuple[np.ndarray, int]:
    """Dense codes of the dimension cells (one per record) and how many there are."""
    if cells is None:
        return np.zeros(n, np.int64), 1
    cells = np.asarray(cells)
    if cells.shape != (n,) or not (n == 0 or np.issubdtype(cells.dtype, np.integer)):
        raise ValueError("cells must hold one integer code per record")
    if n and cells.min() >= 0 and (top := int(cells.max())) < n:  # dense already? (a run's are)
        codes = cells.astype(np.int64, copy=False)
        if np.bincount(codes, minlength=top + 1).all():
            return codes, top + 1
    values, dense = np.unique(cells, return_inverse=True)
    return dense.reshape(-1).astype(np.int64), max(len(values), 1)


def exact_groups(
    codes: np.ndarray, cards: list[int], cells: np.ndarray, n_cells: int
) -> np.ndarray:
    """Dense ids of the groups of records sharing their cell and their exact tuple (MISSING and
    SUPPRESSED each a value of its own), numbered in lexicographic (cell, tuple) order.

    Preconditions: `codes`, `cards` as returned by `_recode`; `cells` dense codes < `n_cells`."""
    if not len(codes):
        return np.zeros(0, np.int64)
    columns = [cells, *(codes[:, j] for j in range(codes.shape[1]))]
    return _column_ids(columns, [n_cells, *(c + 2 for c in cards)], shift=2)


def _fk(
    codes: np.ndarray, cards: list[int], cells: np.ndarray | None, missing: Missing
) -> np.ndarray:
    """fk of each record under the convention `missing` (see the module docstring)."""
    return _fk_groups(codes, cards, cells, missing)[0]


def _fk_groups(
    codes: np.ndarray, cards: list[int], cells: np.ndarray | None, missing: Missing
) -> tuple[np.ndarray, np.ndarray | None]:
    """`_fk`, and the `exact_groups` it counted under ``"own"`` (None under ``"any"``)."""
    n, m = codes.shape
    dense, n_cells = _cells(cells, n)
    if missing == "any":
        with_cells = np.column_stack([codes, dense])
        return _match_counts(with_cells, [*cards, n_cells]), None
    if missing != "own":
        raise ValueError('missing must be "own" or "any"')
    ids = exact_groups(codes, cards, dense, n_cells)
    fk: np.ndarray = np.bincount(ids, minlength=1)[ids] if n else np.zeros(0, np.int64)
    if m:
        fk[(codes == MISSING).all(axis=1)] = 1  # nothing to hide behind: unique
    return fk, ids


def frequencies(
    keys: np.ndarray, *, cells: np.ndarray | None = None, missing: Missing = "any"
) -> np.ndarray:
    """fk of each record: how many records (itself included) it cannot be told apart from.

    With ``missing="any"`` (sdcMicro's freqCalc) a record agrees with another on every key both
    have present - MISSING and SUPPRESSED match anything; with ``"own"`` the tuples must be equal,
    and a record with every key MISSING has fk 1. Records only ever match records of their own
    dimension cell (`cells`, one integer code per record; default: one cell).

    Preconditions: `keys` is a 2-D integer array (n_records, n_keys) of codes >= 0, MISSING or
    SUPPRESSED, with at most 61 keys. Returns int64 of length n_records, every fk >= 1.
    """
    _, codes, cards = _recode(keys)
    return _fk(codes, cards, cells, missing)


@dataclass
class RiskSummary:
    """Dataset-level risk figures for the DPO's report (risk of a record = 1/fk)."""

    records: int
    k: int
    k_achieved: int
    violating: int
    global_risk: float
    expected_reidentifications: float
    risk_histogram: list[int]
    top_combinations: list[tuple[tuple[int, ...], int]]
    top_cells: list[int] = field(default_factory=list)  # the cell of each top combination
    # Per record, for a caller that goes on (not in the report): its fk and its exact group
    # (``exact_groups``: what ``l_diversity``'s ``classes`` takes).
    fk: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False, compare=False)
    groups: np.ndarray = field(
        default_factory=lambda: np.zeros(0, np.int64), repr=False, compare=False
    )


def risk_summary(
    keys: np.ndarray,
    k: int,
    fk: np.ndarray | None = None,
    *,
    cells: np.ndarray | None = None,
    missing: Missing = "any",
) -> RiskSummary:
    """Risk figures for `keys` against threshold `k`.

    Preconditions: as `frequencies`; `fk`, if given, is `frequencies(keys, cells=cells,
    missing=missing)` (saves recounting). Risk is 1/fk (sample = population), not sdcMicro's
    negative-binomial estimate with sampling weights. The histogram bins are [0, .1), ...,
    [.9, 1]. Top combinations: the 10 distinct (cell, key tuple)s (MISSING as -1, SUPPRESSED as
    -2) with the smallest fk, ties broken by ascending (cell, tuple); `top_cells` gives the
    caller's cell code of each.
    """
    keys, codes, cards = _recode(keys)
    ids = None
    if fk is None:
        fk, ids = _fk_groups(codes, cards, cells, missing)
    fk = np.asarray(fk, np.int64)
    if fk.shape != (len(keys),):
        raise ValueError("fk must hold one frequency per record")
    if not len(keys):
        return RiskSummary(0, k, 0, 0, 0.0, 0.0, [0] * 10, [], fk=fk, groups=fk)
    if ids is None:
        ids = exact_groups(codes, cards, *_cells(cells, len(keys)))
    rep = np.empty(int(ids.max()) + 1, np.int64)
    rep[ids] = np.arange(len(keys))  # any record of a combination represents it
    order = fk[rep] * len(rep) + np.arange(len(rep))  # by fk, then by (cell, tuple)
    top = np.argpartition(order, min(9, len(rep) - 1))[:10]
    top = top[np.argsort(order[top])]
    reciprocal = 1.0 / fk
    raw_cells = np.zeros(len(keys), np.int64) if cells is None else np.asarray(cells, np.int64)
    return RiskSummary(
        records=len(keys),
        k=k,
        k_achieved=int(fk.min()),
        violating=int((fk < k).sum()),
        global_risk=float(reciprocal.mean()),
        expected_reidentifications=float(reciprocal.sum()),
        risk_histogram=np.bincount(np.minimum(10 // fk, 9), minlength=10).tolist(),
        top_combinations=[(tuple(keys[rep[i]].tolist()), int(fk[rep[i]])) for i in top],
        top_cells=[int(raw_cells[rep[i]]) for i in top],
        fk=fk,
        groups=ids,
    )


def l_diversity(
    keys: np.ndarray,
    sensitive: np.ndarray,
    *,
    cells: np.ndarray | None = None,
    classes: np.ndarray | None = None,
) -> np.ndarray:
    """Distinct l-diversity per record: distinct non-missing sensitive values in its class.

    Preconditions: as `frequencies`; `sensitive` holds one int code per record (MISSING
    allowed). A class is the records of one dimension cell with exactly the same key tuple,
    MISSING and SUPPRESSED being values of their own (sdcMicro's ldiversity groups by the key
    combination too): a suppressed value does not pool records here, which errs towards
    reporting lower diversity. `classes`, if given, is ``RiskSummary.groups`` of the same keys
    and cells (saves regrouping).
    """
    _, codes, cards = _recode(keys)
    _, values, value_cards = _recode(sensitive, 1)
    if len(values) != len(codes):
        raise ValueError("one sensitive value per record is needed")
    if classes is None:
        classes = exact_groups(codes, cards, *_cells(cells, len(codes)))
    present = values[:, 0] >= 0
    pairs = np.stack([classes[present], values[present, 0]], axis=1)
    pair_ids = _group_ids(pairs, [int(classes.max(initial=0)) + 1, value_cards[0]])
    pair_class = np.zeros(int(pair_ids.max(initial=-1)) + 1, np.int64)
    pair_class[pair_ids] = pairs[:, 0]
    per_class = np.bincount(pair_class, minlength=int(classes.max(initial=-1)) + 1)
    per_record: np.ndarray = per_class[classes]
    return per_record


def l_diversity_summary(
    keys: np.ndarray,
    sensitive: np.ndarray,
    *,
    cells: np.ndarray | None = None,
    classes: np.ndarray | None = None,
) -> dict[str, float]:
    """{"min": int, "mean": float} of `l_diversity` over all records (0 and 0.0 if none);
    records whose sensitive value is missing still count, with their class's l."""
    per_record = l_diversity(keys, sensitive, cells=cells, classes=classes)
    if not len(per_record):
        return {"min": 0, "mean": 0.0}
    return {"min": int(per_record.min()), "mean": float(per_record.mean())}


def encode_columns(columns: list[list[object]]) -> tuple[np.ndarray, list[list[object]]]:
    """Code per-variable value lists (None = missing) as an (n, m) int64 matrix.

    Preconditions: all columns have the same length, values are hashable. Categories are sorted
    when mutually comparable, else kept in order of first appearance; a value's code is its
    index in its column's category list, so `categories[j][code]` maps it back.
    """
    if len({len(column) for column in columns}) > 1:
        raise ValueError("all columns must have the same number of records")
    codes = np.full((len(columns[0]) if columns else 0, len(columns)), MISSING, np.int64)
    categories = []
    for j, column in enumerate(columns):
        seen: list[Any] = list(dict.fromkeys(v for v in column if v is not None))
        with contextlib.suppress(TypeError):
            seen = sorted(seen)
        index = {value: code for code, value in enumerate(seen)}
        codes[:, j] = [MISSING if v is None else index[v] for v in column]
        categories.append(seen)
    return codes, categories
