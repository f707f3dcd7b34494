"""The risk of a row-level file: k over quasi-identifiers and dimensions, distinct l-diversity.

Why a check of its own: a table hides a small cell, but a row-level file hands over every
record, and the analyst can narrow it by service point, country and month. An attacker who
knows a person's service point and visit month (design.md, threat model) and a few answers
must find at least k records alike, and at least l distinct answers to each sensitive question
among them. So the key is the dimensions (service point, country, National Society, networks,
month) together with the generalised quasi-identifiers, as published.

Why exact matching: in the file a withheld value and a missing answer are shown, and shown
differently, so each is a value of its own here; a record is alike only to records showing the
same thing. The classes then partition the file, so leaving out the records of a class below k
(or below l) changes no other class: what is left is exactly as safe as the report says, and
every filter on the dimensions selects whole classes.

Pure (numpy, no Django): the bridge is ``privacy.review.microdata``.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from privacy.disclosure import control

Column = Sequence[object]


@dataclass
class MicrodataRisk:
    """The report of a row-level file; ``excluded`` marks the records left out of it."""

    records: int
    k: int
    l_min: int
    k_before: int
    below_k: int
    below_l: dict[str, int]
    l_before: dict[str, int]
    excluded: np.ndarray = field(repr=False)
    in_file: int = 0
    k_after: int = 0
    l_after: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "k": self.k,
            "l": self.l_min,
            "k_before": self.k_before,
            "below_k": self.below_k,
            "l_before": self.l_before,
            "below_l": self.below_l,
            "excluded": int(self.excluded.sum()),
            "in_file": self.in_file,
            "k_after": self.k_after,
            "l_after": self.l_after,
        }


def class_sizes(keys: np.ndarray) -> np.ndarray:
    """fk of each record under exact matching: records with the same codes in every column,
    MISSING being a value like any other.

    Preconditions: `keys` is a 2-D integer array (n, m) of codes >= 0 or MISSING."""
    keys = np.asarray(keys, np.int64)
    if not len(keys):
        return np.zeros(0, np.int64)
    # One mixed-radix code per record, renumbered densely whenever the next column could
    # overflow int64: sorts of one int64 column, not of rows (np.unique(axis=0) took 7 s for 1M).
    ids, size = np.zeros(len(keys), np.int64), 1
    for column in keys.T:
        codes = column + 1  # MISSING becomes 0, a value of its own
        radix = int(codes.max()) + 1
        if size * radix >= 1 << 62:
            _, ids = np.unique(ids, return_inverse=True)
            ids, size = ids.reshape(-1).astype(np.int64), int(ids.max()) + 1
        ids, size = ids * radix + codes, size * radix
    _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    sizes: np.ndarray = counts[inverse.reshape(-1)]
    return sizes


def microdata_risk(
    key_columns: Sequence[Column],
    sensitive: dict[str, Column],
    *,
    k: int,
    l_min: int = 2,
) -> MicrodataRisk:
    """The risk of publishing the records row by row, and which records to leave out.

    Preconditions: every column has one value per record (None = missing; a withheld value is a
    value of its own, e.g. "[withheld]"); `key_columns` are the dimensions and quasi-identifiers
    as the file shows them; k >= 1, l_min >= 1. See ``microdata_risk_codes``.
    """
    n = len(key_columns[0]) if key_columns else len(next(iter(sensitive.values()), []))
    keys = (
        control.encode_columns([list(c) for c in key_columns])[0]
        if key_columns
        else np.zeros((n, 0), np.int64)
    )
    codes = {name: control.encode_columns([list(c)])[0][:, 0] for name, c in sensitive.items()}
    return microdata_risk_codes(keys, codes, k=k, l_min=l_min)


def microdata_risk_codes(
    keys: np.ndarray, sensitive: dict[str, np.ndarray], *, k: int, l_min: int = 2
) -> MicrodataRisk:
    """As ``microdata_risk``, over integer codes: `keys` (n, m) with codes >= 0 or MISSING, one
    code array of length n per sensitive question (MISSING: not answered).

    A record is left out when its class has fewer than k records, or when, for a sensitive
    question, its class shows between 1 and l_min - 1 distinct answers (a class where nobody
    answered discloses nothing and stays). Figures "after" are over the records kept.
    """
    if k < 1 or l_min < 1:
        raise ValueError("need k >= 1 and l_min >= 1")
    n = len(keys)
    fk = class_sizes(keys)
    excluded = fk < k
    below_l, l_before, per_variable = {}, {}, {}
    for name, values in sensitive.items():
        diversity = control.l_diversity(keys, values) if keys.shape[1] else _l_overall(values)
        per_variable[name] = diversity
        low = (diversity > 0) & (diversity < l_min)
        below_l[name] = int(low.sum())
        l_before[name] = _smallest(diversity)
        excluded |= low
    kept = ~excluded
    return MicrodataRisk(
        records=n,
        k=k,
        l_min=l_min,
        k_before=int(fk.min()) if n else 0,
        below_k=int((fk < k).sum()),
        below_l=below_l,
        l_before=l_before,
        excluded=excluded,
        in_file=int(kept.sum()),
        k_after=int(fk[kept].min()) if kept.any() else 0,
        l_after={name: _smallest(d[kept]) for name, d in per_variable.items()},
    )


def _l_overall(values: np.ndarray) -> np.ndarray:
    """Without any key column every record is in one class."""
    distinct = len(np.unique(values[values >= 0]))
    return np.full(len(values), distinct, np.int64)


def _smallest(diversity: np.ndarray) -> int:
    """The lowest l among classes where somebody answered (0 if nobody did)."""
    answered = diversity[diversity > 0]
    return int(answered.min()) if len(answered) else 0


def class_risk(
    sizes: np.ndarray, distinct: dict[str, np.ndarray], *, k: int, l_min: int = 2
) -> MicrodataRisk:
    """As ``microdata_risk_codes``, from classes already counted (by the database): each class's
    number of records and, per sensitive question, its number of distinct answers. Figures
    count records, as ``microdata_risk_codes`` does; ``excluded`` marks classes, not records.
    """
    if k < 1 or l_min < 1:
        raise ValueError("need k >= 1 and l_min >= 1")
    sizes = np.asarray(sizes, np.int64)
    excluded = sizes < k
    below_l, l_before = {}, {}
    for name, values in distinct.items():
        values = np.asarray(values, np.int64)
        low = (values > 0) & (values < l_min)
        below_l[name] = int(sizes[low].sum())
        l_before[name] = _smallest(values)
        excluded = excluded | low
    kept = ~excluded
    return MicrodataRisk(
        records=int(sizes.sum()),
        k=k,
        l_min=l_min,
        k_before=int(sizes.min()) if len(sizes) else 0,
        below_k=int(sizes[sizes < k].sum()),
        below_l=below_l,
        l_before=l_before,
        excluded=excluded,
        in_file=int(sizes[kept].sum()),
        k_after=int(sizes[kept].min()) if kept.any() else 0,
        l_after={name: _smallest(np.asarray(v, np.int64)[kept]) for name, v in distinct.items()},
    )
