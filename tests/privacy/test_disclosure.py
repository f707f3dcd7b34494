"""Dataset-level disclosure control: the figures a DPO sees in the risk report and what local
suppression and holding back do to the records before release.

The published figures come from the SDC Practice Guide (IHSN / World Bank), Table 4.1.
"""

import subprocess
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from privacy.disclosure import control as disclosure
from privacy.disclosure.control import (
    MISSING,
    encode_columns,
    frequencies,
    l_diversity,
    l_diversity_summary,
    risk_summary,
)
from privacy.disclosure.suppression import hold_back, local_suppression

# SDC Practice Guide, Table 4.1: Residence, Gender, Education, Labour status; then Health.
TABLE_4_1 = [
    ("Urban", "Female", "Sec incomplete", "Employed"),
    ("Urban", "Female", "Sec incomplete", "Employed"),
    ("Urban", "Female", "Prim incomplete", "Non-LF"),
    ("Urban", "Male", "Sec complete", "Employed"),
    ("Rural", "Female", "Sec complete", "Unemployed"),
    ("Urban", "Male", "Sec complete", "Employed"),
    ("Urban", "Female", "Prim complete", "Non-LF"),
    ("Urban", "Male", "Post-secondary", "Unemployed"),
    ("Urban", "Female", "Sec incomplete", "Non-LF"),
    ("Urban", "Female", "Sec incomplete", "Non-LF"),
]
HEALTH = ["yes", "yes", "yes", "yes", "yes", "no", "no", "yes", "no", "yes"]


def table_4_1() -> tuple[np.ndarray, list[list[object]]]:
    return encode_columns([list(column) for column in zip(*TABLE_4_1, strict=True)])


def health() -> np.ndarray:
    return encode_columns([HEALTH])[0][:, 0]


def brute_force_fk(keys: np.ndarray) -> np.ndarray:
    """sdcMicro's definition, record by record: a missing value matches anything."""
    keys = np.asarray(keys)
    return np.array(
        [((keys == row) | (keys < 0) | (row < 0)).all(axis=1).sum() for row in keys], dtype=int
    )


def random_keys(seed: int, n: int, cardinalities: tuple[int, ...], missing: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    columns = []
    for card in cardinalities:
        weights = 1.0 / np.arange(1, card + 1)  # skewed, like nationality or service point
        columns.append(rng.choice(card, size=n, p=weights / weights.sum()))
    keys = np.stack(columns, axis=1)
    keys[rng.random(keys.shape) < missing] = MISSING
    return keys


small_keys = st.integers(1, 4).flatmap(
    lambda m: st.lists(
        st.lists(st.integers(-1, 4), min_size=m, max_size=m), min_size=1, max_size=60
    ).map(lambda rows: np.array(rows, dtype=np.int64).reshape(len(rows), m))
)


# --- published figures -------------------------------------------------------------------


def test_frequencies_match_sdc_practice_guide_table_4_1():
    keys, _ = table_4_1()
    assert frequencies(keys).tolist() == [2, 2, 1, 2, 1, 2, 1, 1, 2, 2]


def test_records_violating_2_and_3_anonymity_match_table_4_1():
    """The report's "records at risk": 4 records break 2-anonymity, all 10 break 3-anonymity."""
    keys, _ = table_4_1()
    assert risk_summary(keys, 2).violating == 4
    assert risk_summary(keys, 3).violating == 10


def test_distinct_l_diversity_of_health_matches_table_4_1():
    keys, _ = table_4_1()
    assert l_diversity(keys, health()).tolist() == [1, 1, 1, 2, 1, 2, 1, 1, 2, 2]
    assert l_diversity_summary(keys, health()) == {"min": 1, "mean": pytest.approx(1.4)}


def test_missing_value_matches_every_value_as_in_sdcmicro():
    """A suppressed value must hide a record in a larger group, never make it unique."""
    keys, _ = encode_columns(
        [
            ["Male", "Male", "Male"],
            ["Sec complete", "Sec incomplete", None],
            ["Employed", "Employed", "Employed"],
        ]
    )
    assert frequencies(keys).tolist() == [2, 2, 3]


# --- risk report ------------------------------------------------------------------------


def test_risk_summary_figures_for_table_4_1():
    keys, categories = table_4_1()
    summary = risk_summary(keys, 2)
    assert summary.records == 10
    assert summary.k == 2
    assert summary.k_achieved == 1
    assert summary.violating == 4
    assert summary.global_risk == pytest.approx(0.7)  # (6 * 1/2 + 4 * 1/1) / 10
    assert summary.expected_reidentifications == pytest.approx(7.0)
    assert summary.risk_histogram == [0, 0, 0, 0, 0, 6, 0, 0, 0, 4]
    decoded = [
        (tuple(categories[j][code] for j, code in enumerate(combo)), fk)
        for combo, fk in summary.top_combinations
    ]
    assert decoded == [  # unique combinations first; ties in code (here alphabetical) order
        (("Rural", "Female", "Sec complete", "Unemployed"), 1),
        (("Urban", "Female", "Prim complete", "Non-LF"), 1),
        (("Urban", "Female", "Prim incomplete", "Non-LF"), 1),
        (("Urban", "Male", "Post-secondary", "Unemployed"), 1),
        (("Urban", "Female", "Sec incomplete", "Employed"), 2),
        (("Urban", "Female", "Sec incomplete", "Non-LF"), 2),
        (("Urban", "Male", "Sec complete", "Employed"), 2),
    ]


def test_risk_summary_accepts_precomputed_fk_and_lists_at_most_ten_combinations():
    keys = np.arange(30).reshape(15, 2)  # 15 unique records
    summary = risk_summary(keys, 5, fk=frequencies(keys))
    assert summary.top_combinations == [((2 * i, 2 * i + 1), 1) for i in range(10)]
    assert summary.risk_histogram[9] == 15
    assert summary.expected_reidentifications == pytest.approx(15.0)


def test_risk_summary_shows_missing_values_in_top_combinations():
    keys = np.array([[1, MISSING], [1, 0], [2, 0], [2, 0], [2, 0]])
    expected = [((1, MISSING), 2), ((1, 0), 2), ((2, 0), 3)]  # MISSING sorts first on ties
    assert risk_summary(keys, 3).top_combinations == expected


def test_risk_summary_of_empty_dataset():
    summary = risk_summary(np.empty((0, 3), np.int64), 5)
    assert (summary.records, summary.k_achieved, summary.violating) == (0, 0, 0)
    assert summary.global_risk == 0.0
    assert summary.risk_histogram == [0] * 10
    assert summary.top_combinations == []


# --- frequencies at scale ---------------------------------------------------------------


@pytest.mark.parametrize(
    "cardinalities",
    [(8, 3, 12, 10, 6), (60, 3, 200, 40, 500)],
    ids=["small-key-space", "large-key-space"],
)
def test_frequencies_on_200000_records_agree_with_brute_force(cardinalities):
    keys = random_keys(11, 200_000, cardinalities, missing=0.05)
    fk = frequencies(keys)
    rng = np.random.default_rng(3)
    several_missing = np.flatnonzero((keys < 0).sum(axis=1) >= 2)[:20]
    sample = np.concatenate([rng.choice(len(keys), 60, replace=False), several_missing])
    for i in sample:
        row = keys[i]
        expected = ((keys == row) | (keys < 0) | (row < 0)).all(axis=1).sum()
        assert fk[i] == expected, f"record {i} {row.tolist()}"


@settings(max_examples=150, deadline=None)
@given(small_keys, st.sampled_from(["dense", "mixed", "sparse", "sparse, recombined"]))
def test_frequencies_agree_with_sdcmicro_definition(keys, path):
    """Whatever the size of the key space, fk is sdcMicro's count with missing = wildcard.
    (The internal size limits are lowered to send small inputs down the large-space paths.)"""
    cells, exact = {
        "dense": ((1 << 16, 1 << 23), 1 << 62),
        "mixed": ((4, 4), 1 << 62),
        "sparse": ((0, 0), 1 << 62),
        "sparse, recombined": ((0, 0), 5),
    }[path]
    with (
        mock.patch.object(disclosure, "_DENSE_CELLS", cells),
        mock.patch.object(disclosure, "_EXACT", exact),
    ):
        assert frequencies(keys).tolist() == brute_force_fk(keys).tolist()


def test_frequencies_handle_large_codes_and_no_keys():
    keys = np.array([[10**15, 3], [10**15, MISSING], [7, 3], [7, 3]])
    assert frequencies(keys).tolist() == [2, 2, 2, 2]
    assert frequencies(np.empty((4, 0), np.int64)).tolist() == [4, 4, 4, 4]


def test_frequencies_reject_codes_below_missing():
    with pytest.raises(ValueError, match="MISSING"):
        frequencies(np.array([[0, -3]]))


# --- local suppression (sdcMicro's convention, "any") --------------------------------


def suppress_any(keys, k, importance):
    """(published keys with SUPPRESSED as MISSING, suppressions per key), nothing held."""
    protection = local_suppression(keys, k, importance, missing="any")
    assert not protection.held.any()
    return np.where(protection.keys < 0, MISSING, protection.keys), protection.suppressions


@settings(max_examples=200, deadline=None)
@given(small_keys, st.integers(2, 5), st.data())
def test_after_local_suppression_no_record_with_a_key_left_is_below_k(keys, k, data):
    assume(len(keys) >= k)
    importance = data.draw(st.permutations(range(keys.shape[1])))
    original = keys.copy()
    suppressed, per_key = suppress_any(keys, k, importance)
    fk = brute_force_fk(suppressed)
    assert not ((fk < k) & (suppressed >= 0).any(axis=1)).any()
    assert np.array_equal(keys, original), "the caller's keys must not change"
    assert ((suppressed == keys) | (suppressed == MISSING)).all(), "values are only suppressed"
    assert per_key.tolist() == (suppressed != keys).sum(axis=0).tolist()
    safe_before = brute_force_fk(keys) >= k
    assert (suppressed[safe_before] == keys[safe_before]).all(), "safe records stay untouched"


def test_local_suppression_removes_least_important_key_first():
    group = [[0, 0, 0]] * 3 + [[0, 1, 1]] * 3
    keys = np.array([*group, [0, 0, 9]])  # unique only through its third key
    suppressed, per_key = suppress_any(keys, 2, importance=[3, 2, 1])
    assert suppressed[-1].tolist() == [0, 0, MISSING]
    assert per_key.tolist() == [0, 0, 1]
    # The third key made most important: hiding the first two would not help (the record is
    # unique only through the third), so they are not hidden for nothing; the third goes.
    suppressed, per_key = suppress_any(keys, 2, importance=[1, 2, 3])
    assert suppressed[-1].tolist() == [0, 0, MISSING]
    assert per_key.tolist() == [0, 0, 1]
    assert (suppressed[:-1] == keys[:-1]).all()


def test_local_suppression_never_hides_a_constant_column():
    """Every record shares sex and place: only hiding age can merge groups."""
    keys = np.array([[age, 0, 0] for age in (2, 2, 3, 3, 3, 4, 4)])
    suppressed, per_key = suppress_any(keys, 5, importance=[3, 2, 1])
    assert per_key.tolist() == [7, 0, 0]
    assert (suppressed[:, 1:] == keys[:, 1:]).all()


def test_local_suppression_of_table_4_1():
    """Labour status least important, then education, gender, residence: a record loses
    residence (the most important) only when no combination of the other three reaches k."""
    keys, _ = table_4_1()
    suppressed, per_key = suppress_any(keys, 2, importance=[4, 3, 2, 1])
    assert per_key.tolist() == [1, 0, 4, 2]
    # The rural record: no combination of labour, education and gender makes it safe, nor
    # residence with fewer of them than (education, labour).
    assert suppressed[4].tolist() == [MISSING, keys[4, 1], MISSING, MISSING]
    assert (suppressed[[2, 6], 2] == MISSING).all()
    assert (suppressed[[2, 6], 3] == keys[[2, 6], 3]).all()
    assert risk_summary(suppressed, 2).k_achieved >= 2


def test_local_suppression_holds_back_what_no_suppression_can_protect():
    """Fewer records than k in a cell: hiding every key would still leave them fewer than k
    (dimensions are never hidden), so they are held back, keys untouched."""
    keys = np.array([[0, 1], [0, MISSING], [2, 3], [2, 3], [2, 3]])
    protection = local_suppression(keys, 3, [1, 2], cells=np.array([7, 7, 8, 8, 8]))
    assert protection.held.tolist() == [True, True, False, False, False]
    assert (protection.keys == keys).all()
    assert protection.suppressions.tolist() == [0, 0]


def test_local_suppression_rejects_wrong_importance():
    with pytest.raises(ValueError, match="importance"):
        local_suppression(np.zeros((4, 3), np.int64), 2, importance=[1, 2])


# --- holding back -----------------------------------------------------------------------


def test_hold_back_holds_the_records_below_k_in_table_4_1():
    keys, _ = table_4_1()
    assert np.flatnonzero(hold_back(keys, 2)).tolist() == [2, 4, 6, 7]


def test_hold_back_recounts_after_holding_records_back():
    """A record safe only thanks to records that are held back is held back too."""
    keys = np.array([[0, 1], [MISSING, 1], [2, 1], [3, 1], [7, 7], [7, 7], [7, 7]])
    assert frequencies(keys).tolist() == [2, 4, 2, 2, 3, 3, 3]
    held = hold_back(keys, 3)
    assert held.tolist() == [True] * 4 + [False] * 3


@settings(max_examples=100, deadline=None)
@given(small_keys, st.integers(1, 5))
def test_hold_back_keeps_every_record_it_can_and_only_safe_ones(keys, k):
    held = hold_back(keys, k)
    assert (brute_force_fk(keys[~held]) >= k).all()
    # Holding back one unsafe record at a time ends with the same, largest safe set: no record
    # is held back needlessly by holding whole rounds at once.
    kept = list(range(len(keys)))
    while kept and (fk := brute_force_fk(keys[kept])).min() < k:
        del kept[int(fk.argmin())]
    assert np.flatnonzero(~held).tolist() == kept


def test_hold_back_everything_when_fewer_records_than_k():
    assert hold_back(np.array([[0], [0]]), 3).all()


# --- l-diversity ------------------------------------------------------------------------


def test_l_diversity_treats_missing_key_as_its_own_value():
    """A suppressed key does not pool records for l-diversity (unlike fk)."""
    keys = np.array([[0, MISSING], [0, 1], [0, 1]])
    sensitive = np.array([5, 6, 6])
    assert l_diversity(keys, sensitive).tolist() == [1, 1, 1]


def test_l_diversity_ignores_missing_sensitive_values_but_keeps_their_records():
    keys = np.array([[0], [0], [0], [1], [1]])
    sensitive = np.array([2, MISSING, 3, MISSING, MISSING])
    assert l_diversity(keys, sensitive).tolist() == [2, 2, 2, 0, 0]
    assert l_diversity_summary(keys, sensitive) == {"min": 0, "mean": pytest.approx(1.2)}


def test_l_diversity_summary_of_empty_dataset():
    empty = np.empty((0, 2), np.int64)
    assert l_diversity_summary(empty, np.empty(0, np.int64)) == {"min": 0, "mean": 0.0}


# --- encoding ---------------------------------------------------------------------------


def test_encode_columns_maps_values_to_codes_and_back():
    codes, categories = encode_columns([["b", None, "a", "b"], [3, 1, None, 2]])
    assert codes.tolist() == [[1, 2], [MISSING, 0], [0, MISSING], [1, 1]]
    assert categories == [["a", "b"], [1, 2, 3]]
    values = [[None if c == MISSING else categories[j][c] for j, c in enumerate(r)] for r in codes]
    assert values == [["b", 3], [None, 1], ["a", None], ["b", 2]]


def test_encode_columns_keeps_first_appearance_order_for_mixed_types():
    codes, categories = encode_columns([["x", 1, "x"]])
    assert categories == [["x", 1]]
    assert codes[:, 0].tolist() == [0, 1, 0]


def test_encode_columns_rejects_columns_of_different_lengths():
    with pytest.raises(ValueError, match="same number"):
        encode_columns([[1, 2], [1]])


def test_disclosure_module_imports_without_django():
    """Disclosure control runs in workers and benchmarks without a database or settings."""
    path = Path(disclosure.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('disclosure', {str(path)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
