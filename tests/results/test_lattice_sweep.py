"""Tiny service points cost their own cells, not the release (issue 13): the batched box search
finds partners across months, siblings and levels, and what it withholds still resists the
interval attack."""

import numpy as np
import pytest

from results.lattice.boxes import Dim, side_table
from results.lattice.store import built
from results.lattice.trees import Tree
from tests.results.lattice_attack import Attack, published_questions
from tests.results.lattice_release import synthetic_release

pytestmark = pytest.mark.django_db


def test_tiny_service_points_cost_their_cells_not_the_whole_release(privacy_form, dpo):
    """Samos and the Nice helpline see a handful of visits a month. Their month totals are
    withheld (boxes moving them against a sibling, or moving a share of every answer along),
    the release's record totals stay published, and no withheld cell narrows below the
    threshold. (Before, the first total without a box of the few tried withheld everything; then
    every question was withheld, a cell of December's two visits having no box.)"""
    release = synthetic_release(privacy_form, dpo, records=800, small=True)
    lattice = built(release)
    report = lattice.report

    assert not report["nothing_published"]
    records = {(r["geography"], r["time"]): r for r in report["records"]}
    assert records[("service_point", "month")]["primary"] > 0  # tiny points were protected
    assert records[("all", "all")]["primary"] + records[("all", "all")]["secondary"] == 0
    assert len(published_questions(lattice)) >= 3  # its questions too, not only record totals
    attack = Attack(lattice).build()
    assert attack.check_published(5) == []
    assert attack.narrowed(5) == []


def test_every_candidate_side_changes_the_node_and_cancels_above_it():
    """The certificate's premise, for each side the search may pick: ``a`` lies under the
    node, the changed nodes are exactly the paths below the lowest common ancestor of ``a``
    and ``b`` (or up to the root when degenerate), with opposite signs."""
    tree = Tree()
    root = tree.add("all", "All", "all", -1)
    for n in range(2):
        net = tree.add(f"network:{n}", "", "network", root)
        for c in range(2 + n):
            country = tree.add(f"country:{n}{c}", "", "country", net)
            for p in range(1 + c):
                tree.add(f"service_point:{n}{c}{p}", "", "service_point", country)
    dim = Dim.of(tree)
    weight = np.arange(len(tree.keys), dtype=float)
    sides = side_table(dim, weight, firsts=2, heavy=9, light=0, climb=True, degenerate=True)
    for node in range(len(tree.keys)):
        for side in sides.of(node):
            assert node in dim.up[side.a]
            assert node in side.nodes[side.signs > 0]
            a_path = set(side.nodes[side.signs > 0].tolist())
            if side.b < 0:
                assert a_path == set(dim.up[side.a])
                continue
            b_path = set(side.nodes[side.signs < 0].tolist())
            common = set(dim.up[side.a]) & set(dim.up[side.b])
            assert a_path == set(dim.up[side.a]) - common
            assert b_path == set(dim.up[side.b]) - common


def test_a_mean_rank_is_published_only_beside_a_published_count_of_enough_people():
    """Issue 13: rank means are protected like counts - a mean is shown only where the
    option's top-choice count is published and at least the threshold of people ranked it
    (a mean of 2 people's ranks, or beside a withheld count, would tell about them)."""
    from results.lattice.build import _means

    mentions = np.array([[[6, 3]], [[2, 7]]])  # 2 service points, 1 month, 2 options
    sums = np.array([[[6, 6]], [[4, 7]]])
    places = np.array([[1, 1], [1, 0], [0, 1]])  # all, first point, second point
    months = np.array([[1]])
    published = np.array([[[8, 10, 18]], [[6, 3, 9]], [[2, -1, 9]]])  # second's option 2 withheld

    means = np.frombuffer(_means((mentions, sums), places, months, published, 5), np.float32)
    means = means.reshape(3, 1, 2)

    assert means[0, 0].tolist() == pytest.approx([1.25, 1.3])
    assert means[1, 0, 0] == 1.0
    assert np.isnan(means[1, 0, 1])  # 3 people ranked it
    assert np.isnan(means[2, 0, 0])  # 2 people
    assert np.isnan(means[2, 0, 1])  # 7 people, but the count beside it is withheld
