"""Local suppression that honours importance, and the conservative missing-value convention,
checked against exhaustive search on small data.

What the DPO relies on: after disclosure control every published record shares its exact tuple
(and its service point and month) with at least k - 1 others; the first question asked (the most
important) is hidden only when hiding later ones cannot reach k; and four records with every
quasi-identifier missing no longer make thousands of unique records pass as k-anonymous."""

import itertools

import numpy as np
import pytest

from privacy.disclosure.control import MISSING, SUPPRESSED, frequencies, risk_summary
from privacy.disclosure.suppression import _ranks, local_suppression, patterns


def _choices(row, ranks):
    """(importance-weighted cost, published tuple) of each way one record can be published."""
    present = [j for j in range(len(row)) if row[j] >= 0]
    out = []
    for size in range(len(present) + 1):
        for subset in itertools.combinations(present, size):
            t = tuple(SUPPRESSED if j in subset else int(row[j]) for j in range(len(row)))
            if all(v == MISSING for v in t):
                continue  # every key missing: never k-anonymous
            out.append((sum(1 << int(ranks[j]) for j in subset), t))
    return sorted(out)


def optimum(keys, k, ranks):
    """Lexicographic minimum of (records held, weighted suppressions) over every way of
    publishing each record (any subset of its answered keys suppressed, safe records included)
    or holding it back, such that every published tuple is shared by >= k records. Exhaustive
    depth-first search, pruned by the best so far and by tuples that can no longer reach k."""
    n = len(keys)
    choices = [_choices(row, ranks) for row in keys]
    reach: dict = {}
    for i, options in enumerate(choices):
        for _, t in options:
            reach.setdefault(t, []).append(i)
    best = [(n + 1, 0)]
    counts: dict = {}

    def search(i, held, cost):
        if (held, cost) >= best[0]:
            return
        for t, c in counts.items():
            if 0 < c < k and c + sum(1 for j in reach[t] if j >= i) < k:
                return
        if i == n:
            best[0] = (held, cost)
            return
        for w, t in choices[i]:
            counts[t] = counts.get(t, 0) + 1
            search(i + 1, held, cost + w)
            counts[t] -= 1
        search(i + 1, held + 1, cost)

    search(0, 0, 0)
    return best[0]


def outcome(keys, protection, ranks):
    held = int(protection.held.sum())
    hidden = protection.keys == SUPPRESSED
    cost = int((hidden[~protection.held] * (1 << ranks)).sum())
    return held, cost


def exact_groups_ok(published, held, k):
    tuples = [tuple(row) for row in published[~held].tolist()]
    return all(tuples.count(t) >= k and set(t) != {MISSING} for t in tuples)


def small_cases(count=60, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n, k = int(rng.integers(8, 11)), int(rng.integers(2, 4))
        keys = np.stack([rng.integers(0, c, n) for c in (2, 3, 3)], axis=1)
        keys[rng.random(keys.shape) < 0.1] = MISSING
        yield keys, k


def test_patterns_hide_less_important_keys_before_any_more_important_one():
    """Ranks: key 0 most important. Every set of the other two comes before key 0 alone."""
    order = [np.flatnonzero(mask).tolist() for mask in patterns(_ranks([3, 2, 1], 3))]
    assert order == [[2], [1], [1, 2], [0], [0, 2], [0, 1], [0, 1, 2]]


def test_against_exhaustive_search_on_small_data():
    """Over 60 random sets of 8-10 records x 3 keys (k = 2 or 3, 10% missing): the heuristic
    always reaches k; it holds back at most 2 records more than the optimum, which may also hide
    values of safe records (the heuristic never touches a safe record) and group rare records
    at a costlier pattern; where both hold back as many, its importance-weighted cost is within
    2 (one least-important value). Measured: identical to the optimum in 27 of 60."""
    identical = 0
    for keys, k in small_cases():
        ranks = _ranks([3, 2, 1], 3)
        protection = local_suppression(keys, k, [3, 2, 1], missing="own")
        assert exact_groups_ok(protection.keys, protection.held, k), keys.tolist()
        ours, best = outcome(keys, protection, ranks), optimum(keys, k, ranks)
        assert ours >= best
        assert ours[0] - best[0] <= 2, (keys.tolist(), k, ours, best)
        if ours[0] == best[0]:
            assert ours[1] - best[1] <= 2, (keys.tolist(), k, ours, best)
        identical += ours == best
    assert identical >= 27


def test_no_record_could_have_hidden_less_important_keys_instead():
    """For every published record, publishing it with any cheaper pattern (in particular one
    using only less important keys) would leave it, or the group it leaves, below k."""
    for keys, k in small_cases(count=40, seed=1):
        ranks = _ranks([3, 2, 1], 3)
        protection = local_suppression(keys, k, [3, 2, 1], missing="own")
        published = [tuple(row) for row in protection.keys.tolist()]
        released = [t for t, h in zip(published, protection.held, strict=True) if not h]
        for i in np.flatnonzero(~protection.held):
            mine = published[i]
            cost = sum(1 << int(ranks[j]) for j in range(3) if mine[j] == SUPPRESSED)
            for w, t in _choices(keys[i], ranks):
                if w >= cost:
                    break
                joins = released.count(t) + 1 >= k
                rest = released.count(mine) - 1
                leaves = rest == 0 or rest >= k
                assert not (joins and leaves), (keys.tolist(), k, i, mine, t)


def ten_thousand_with_four_empty():
    """10,000 records: 4,078 unique, 5,918 in groups of 6 or more, 4 with every key missing."""
    unique = np.stack([np.arange(4078) % 60, np.arange(4078) // 60, np.full(4078, 9)], axis=1)
    common = np.stack([np.arange(5918) % 986, np.full(5918, 70), np.full(5918, 0)], axis=1)
    empty = np.full((4, 3), MISSING)
    return np.concatenate([unique, common, empty])


def test_four_empty_records_no_longer_make_4078_unique_ones_5_anonymous():
    keys = ten_thousand_with_four_empty()
    assert (frequencies(keys, missing="own") == 1).sum() == 4082  # the empty four too
    # sdcMicro's convention: each unique record "matches" the four empty ones.
    assert risk_summary(keys, 5, missing="any").k_achieved == 5
    assert local_suppression(keys, 5, [3, 2, 1], missing="any").suppressions.sum() == 0

    summary = risk_summary(keys, 5, missing="own")
    protection = local_suppression(keys, 5, [3, 2, 1], missing="own")

    assert (summary.k_achieved, summary.violating) == (1, 4082)
    assert protection.held[-4:].all(), "nothing to hide behind: held back"
    assert exact_groups_ok(protection.keys, protection.held, 5)
    # The unique records differ in their two most important keys: hiding the least important
    # one (constant among them) never helps, so it is never hidden.
    assert protection.suppressions[2] == 0


def test_a_record_with_every_key_missing_is_unique_by_default():
    keys = np.array([[MISSING, MISSING]] * 6 + [[1, 2]] * 6)
    assert frequencies(keys, missing="own").tolist() == [1] * 6 + [6] * 6
    assert frequencies(keys, missing="any").tolist() == [12] * 6 + [12] * 6


def test_dimensions_split_groups_and_are_never_suppressed():
    keys = np.array([[1, 2]] * 6)
    cells = np.array([0, 0, 0, 1, 1, 2])
    assert frequencies(keys, cells=cells, missing="own").tolist() == [3, 3, 3, 2, 2, 1]
    assert frequencies(keys, cells=cells, missing="any").tolist() == [3, 3, 3, 2, 2, 1]
    protection = local_suppression(keys, 3, [2, 1], cells=cells, missing="own")
    assert protection.held.tolist() == [False] * 3 + [True] * 3


@pytest.mark.parametrize("missing", ["own", "any"])
def test_a_form_without_quasi_identifiers_is_grouped_by_its_cells(missing):
    keys = np.empty((5, 0), np.int64)
    cells = np.array([0, 0, 0, 1, 1])
    assert frequencies(keys, cells=cells, missing=missing).tolist() == [3, 3, 3, 2, 2]
    protection = local_suppression(keys, 3, [], cells=cells, missing=missing)
    assert protection.held.tolist() == [False] * 3 + [True] * 2
