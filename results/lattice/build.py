"""Computing a release's lattice: count leaves once in the database, sum every coarser cell in
numpy, protect the whole lattice jointly, store it (``results.models``)."""

import time as clock

import numpy as np
from django.db import transaction
from django.utils import timezone

from privacy.models import Release, ReleasedRecord
from results.lattice.boxes import Dim
from results.lattice.coarsen import protect_release
from results.lattice.leaves import TOTAL, leaf_counts
from results.lattice.pairs import pair_counts
from results.lattice.protect import MENTIONS
from results.lattice.protect import Lattice as Work
from results.lattice.report import utility_report
from results.lattice.trees import geography, time
from results.models import Lattice, LatticeCube
from results.variables import form_variables

WITHHELD = -1


def membership(n_nodes: int, leaf_of: list[int], up: list[list[int]]) -> np.ndarray:
    """(nodes, leaves) 0/1: which leaves each node sums."""
    matrix = np.zeros((n_nodes, len(leaf_of)), np.int64)
    for j, leaf in enumerate(leaf_of):
        matrix[up[leaf], j] = 1
    return matrix


def roll_up(leaf: np.ndarray, geo: np.ndarray, when: np.ndarray) -> np.ndarray:
    """(points, months, ...) leaf counts -> (geo nodes, time nodes, ...) for every node pair."""
    rest = leaf.shape[2:]
    width = int(np.prod(rest, dtype=np.int64))
    by_geo = geo @ leaf.reshape(leaf.shape[0], leaf.shape[1] * width)
    by_geo = by_geo.reshape(geo.shape[0], leaf.shape[1], width)
    full = np.einsum("gmr,tm->gtr", by_geo, when, optimize=True)
    return full.reshape(geo.shape[0], when.shape[0], *rest)


def build(release: Release) -> Lattice:
    """Compute, protect and store the lattice of an approved ``release`` (idempotent: a built
    lattice is returned as it is)."""
    lattice, _ = Lattice.objects.get_or_create(
        release=release, defaults={"threshold": release.form.project.cell_threshold}
    )
    if lattice.state == Lattice.State.BUILT:
        return lattice
    if lattice.state == Lattice.State.FAILED:  # a retry: pages say "being computed" again
        Lattice.objects.filter(pk=lattice.pk).update(state=Lattice.State.BUILDING, error="")
    try:
        return _build(release, lattice)
    except Exception as error:
        # A retry racing a slow build that then finished must not mark the built tables FAILED.
        Lattice.objects.filter(pk=lattice.pk).exclude(state=Lattice.State.BUILT).update(
            state=Lattice.State.FAILED, error=repr(error)
        )
        raise


def _build(release: Release, lattice: Lattice) -> Lattice:
    started = clock.monotonic()
    threshold = release.form.project.cell_threshold
    pair_levels = release.form.project.pair_levels  # frozen with the lattice, as the threshold
    variables = form_variables(release.form)
    leaves = leaf_counts(release, variables)
    geo_tree, point_leaf = geography(leaves.points)
    time_tree, month_leaf = time(leaves.months)
    geo, when = Dim.of(geo_tree), Dim.of(time_tree)
    g_member = membership(len(geo_tree.keys), [point_leaf[p] for p in leaves.points], geo.up)
    t_member = membership(len(time_tree.keys), [month_leaf[m] for m in leaves.months], when.up)
    totals = roll_up(leaves.records, g_member, t_member)
    cubes = {name: roll_up(cube, g_member, t_member) for name, cube in leaves.cubes.items()}
    slack: dict = {}
    for name, kind in leaves.kinds.items():
        if kind == MENTIONS:
            key = name.split("=", 1)[0]
            room = cubes[key][:, :, 0] - cubes[name][:, :, 0]
            slack[name] = (room, True)
            slack[key] = (np.minimum(slack[key][0], room) if key in slack else room, False)
    pairs = pair_counts(
        ReleasedRecord.objects.filter(release=release).order_by(),
        leaves,
        (geo_tree, time_tree),
        point_leaf,
        month_leaf,
        release,
        levels=pair_levels,
    )
    work = Work(cubes, leaves.kinds, totals, geo, when, slack, pairs)
    result = protect_release(work, threshold, (geo_tree.keys, time_tree.keys))
    rows = []
    for name, values in cubes.items():
        published = np.concatenate([values, totals[:, :, None]], axis=2).astype(np.int32)
        published[:, :, :-1][result.hidden[name]] = WITHHELD
        published[:, :, -1][result.total_hidden] = WITHHELD
        means = None
        if name in leaves.ranks:
            means = _means(leaves.ranks[name], g_member, t_member, published, threshold)
        rows.append(
            LatticeCube(
                variable=name,
                kind=leaves.kinds[name],
                categories=[*leaves.categories[name], TOTAL],
                cells=published.tobytes(),
                means=means,
            )
        )
    for name, pair in pairs.items():
        published = pair.values.astype(np.int32)
        published[result.hidden[name]] = WITHHELD
        layout = {
            "rows": leaves.categories[pair.first],
            "columns": leaves.categories[pair.second],
            "geography": sorted(pair.geo_of, key=lambda n: pair.geo_of[n]),
            "time": sorted(pair.time_of, key=lambda n: pair.time_of[n]),
        }
        rows.append(
            LatticeCube(variable=name, kind="pair", categories=layout, cells=published.tobytes())
        )
    records = totals[:, :, None].astype(np.int32)
    records[:, :, 0][result.total_hidden] = WITHHELD
    rows.append(
        LatticeCube(
            variable="_records", kind="records", categories=[TOTAL], cells=records.tobytes()
        )
    )
    with transaction.atomic():
        lattice.cubes.all().delete()
        for row in rows:
            row.lattice = lattice
        LatticeCube.objects.bulk_create(rows)
        lattice.threshold = threshold
        lattice.pair_levels = [list(levels) for levels in pair_levels]
        lattice.geography, lattice.time = geo_tree.as_dict(), time_tree.as_dict()
        lattice.report = utility_report(result, work, geo_tree, time_tree)
        lattice.state, lattice.error = Lattice.State.BUILT, ""
        lattice.built_at = timezone.now()
        lattice.seconds = round(clock.monotonic() - started, 3)
        lattice.save()
    return lattice


def _means(ranks, g_member, t_member, published, threshold) -> bytes:
    """Mean rank of each option per node: only where the option's top-choice count is
    published and at least ``threshold`` people ranked it (else NaN)."""
    mentions, sums = (roll_up(a, g_member, t_member) for a in ranks)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(mentions >= threshold, sums / np.maximum(mentions, 1), np.nan)
    top = published[:, :, : means.shape[2]]
    means[top < 0] = np.nan
    return np.round(means, 2).astype(np.float32).tobytes()
