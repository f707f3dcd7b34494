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
