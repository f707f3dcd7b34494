"""Computing a release's lattice: count leaves once in the database, sum every coarser cell in
numpy, protect the whole lattice jointly, store it (``results.models``)."""

import functools
import hashlib
import json
import time as clock
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils import timezone

from accounts.models import RegionalNetwork, ServicePoint
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


@dataclass
class Computed:
    """A protected lattice ready to store: its cubes and the fields of its ``Lattice`` row."""

    rows: list[LatticeCube]
    fields: dict


def build(release: Release) -> Lattice:
    """Compute, protect and store the lattice of an approved ``release`` (idempotent: a built
    lattice is returned as it is). Tables computed for it as a candidate are adopted when
    their basis still matches (``results.lattice.candidate``), else computed again."""
    lattice, _ = Lattice.objects.get_or_create(
        release=release, defaults={"threshold": release.form.project.cell_threshold}
    )
    if lattice.preview:
        lattice = _adopt(release, lattice)
    if lattice.state == Lattice.State.BUILT:
        return lattice
    if lattice.state == Lattice.State.FAILED:  # a retry: pages say "being computed" again
        Lattice.objects.filter(pk=lattice.pk).update(state=Lattice.State.BUILDING, error="")
    try:
        return store(lattice, compute(release))
    except Exception as error:
        # A retry racing a slow build that then finished must not mark the built tables FAILED.
        Lattice.objects.filter(pk=lattice.pk).exclude(state=Lattice.State.BUILT).update(
            state=Lattice.State.FAILED, error=repr(error)
        )
        raise


def basis(release: Release) -> str:
    """What a lattice counts and how: the release's content hash, the project's threshold and
    pair levels, the questions' keys, kinds and choices, the places' hierarchy (service points,
    their National Societies, countries and networks: ``trees.geography`` reads them live) and
    the code that protects. Tables computed for a candidate are current while this is
    unchanged; approval adopts them only then."""
    project = release.form.project
    questions = [(v.key, v.kind, list(v.choices)) for v in form_variables(release.form).values()]
    places = list(
        ServicePoint.objects.filter(project=project)
        .order_by("pk")
        .values_list("pk", "name", "country", "national_society_id", "national_society__name")
    )
    networks = list(
        RegionalNetwork.objects.order_by("code", "societies__pk").values_list(
            "code", "name", "societies__pk"
        )
    )
    text = json.dumps(
        [
            release.content_hash,
            project.cell_threshold,
            project.pair_levels,
            questions,
            places,
            networks,
            _protection_code(),
        ],
        sort_keys=True,
        default=list,
    )
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _protection_code() -> str:
    """A digest of this package's source: tables computed before a deploy that changed how
    protection works are computed again, never adopted."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _adopt(release: Release, lattice: Lattice) -> Lattice:
    """An approved release's tables computed while it was a candidate: kept when their basis
    is the approved one (the approval verified its copy against the same content hash), else
    marked to be computed again. Either way analysts may read the row from now on."""
    current = basis(release)
    with transaction.atomic():
        lattice = Lattice.objects.select_for_update().get(pk=lattice.pk)
        if lattice.state == Lattice.State.BUILT and lattice.basis == current:
            Lattice.objects.filter(pk=lattice.pk).update(preview=False)
        else:
            Lattice.objects.filter(pk=lattice.pk).update(
                preview=False, state=Lattice.State.BUILDING, error="", basis=""
            )
    lattice.refresh_from_db()
    return lattice


def store(lattice: Lattice, computed: Computed) -> Lattice:
    """Replace ``lattice``'s cubes and fields with ``computed``, marked built, in one
    transaction."""
    with transaction.atomic():
        lattice.cubes.all().delete()
        for row in computed.rows:
            row.lattice = lattice
        LatticeCube.objects.bulk_create(computed.rows)
        for name, value in computed.fields.items():
            setattr(lattice, name, value)
        lattice.state, lattice.error = Lattice.State.BUILT, ""
        lattice.built_at = timezone.now()
        lattice.save()
    return lattice


def compute(release: Release) -> Computed:
    """The protected lattice of ``release``'s frozen records (ReleasedRecord), not stored."""
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
    fields = {
        "threshold": threshold,
        "pair_levels": [list(levels) for levels in pair_levels],
        "geography": geo_tree.as_dict(),
        "time": time_tree.as_dict(),
        "report": utility_report(result, work, geo_tree, time_tree),
        "seconds": round(clock.monotonic() - started, 3),
    }
    return Computed(rows, fields)


def _means(ranks, g_member, t_member, published, threshold) -> bytes:
    """Mean rank of each option per node: only where the option's top-choice count is
    published and at least ``threshold`` people ranked it (else NaN)."""
    mentions, sums = (roll_up(a, g_member, t_member) for a in ranks)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(mentions >= threshold, sums / np.maximum(mentions, 1), np.nan)
    top = published[:, :, : means.shape[2]]
    means[top < 0] = np.nan
    return np.round(means, 2).astype(np.float32).tobytes()
