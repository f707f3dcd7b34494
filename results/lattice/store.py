"""Reading a built lattice: which release analysts read, its trees, its cubes, and which node
of each tree a set of filters names (or a clear refusal naming what is available).

Releases approved before lattices existed are built lazily: the first read enqueues
``results.lattice_build`` (which runs at once without a broker), and until it is built analysts
keep reading the previous built release where that is allowed (``results.lattice.status``);
``manage.py build_lattices`` builds them all ahead.
"""

from datetime import timedelta
from functools import lru_cache

import numpy as np
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forms.models import Form
from lib.problems import Problem, interpolate
from privacy.models import Release, ReleasedRecord
from privacy.review import latest_approved
from results.lattice import trees
from results.lattice.status import Reading, lattice_queue, only_added
from results.lattice.trees import Tree
from results.models import Lattice, LatticeCube

GEO_FILTERS = ("network", "national_society", "country", "service_point")
# How long after approval a release's tables may still be its candidate's before a read queues
# the build that adopts them (the approval's own build normally does it in a moment).
ADOPTION_WAIT = timedelta(minutes=1)
TIME_FILTERS = ("year", "quarter", "month")
# The filters' names in refusals, in the reader's language (as results.dashboard labels them).
LEVEL_NAMES = {
    "network": _("Regional migration network"),
    "national_society": _("National Society"),
    "country": _("Country"),
    "service_point": _("Service point"),
    "year": _("Year"),
    "quarter": _("Quarter"),
    "month": _("Month"),
}


def built(release: Release) -> Lattice | None:
    """The release's built lattice (looked up once per release object). Tables computed while
    it was a candidate count only once approval adopted them (``Lattice.preview``); until then
    the row reads as "being computed"."""
    if not hasattr(release, "_lattice"):
        release._lattice = Lattice.objects.filter(release=release).first()
        if release._lattice is not None and release._lattice.preview:
            release._lattice.state = Lattice.State.BUILDING  # never saved: the approval adopts
    lattice = release._lattice
    return lattice if lattice is not None and lattice.state == Lattice.State.BUILT else None


def readable_release(form: Form) -> tuple[Release | None, Release | None]:
    """(the release analysts read, the newer approved release whose lattice is not built or
    None): ``reading`` without the lattice's state."""
    found = reading(form)
    return found.release, found.pending


def _never_built(release: Release) -> bool:
    """No build of the approved ``release`` is on its way: no tables at all, or still those of
    its candidate a minute after approval (the approval's build, which adopts them, was lost)."""
    lattice = release._lattice
    if lattice is None:
        return True
    stalled = release.approved_at and timezone.now() - release.approved_at > ADOPTION_WAIT
    return bool(lattice.preview and stalled)


def reading(form: Form) -> Reading:
    """What analysts read of ``form``: the latest approved release once its lattice is built;
    meanwhile (being computed, or failed) the latest older one that is built, if the newer
    release only added records to it, else nothing (``Reading.rebuilding``)."""
    latest = latest_approved(form)
    if latest is None:
        return Reading(None)
    if built(latest) is None and _never_built(latest):
        lattice_queue(latest.pk)
        del latest._lattice
    if built(latest) is not None:
        return Reading(latest)
    older = (
        Release.objects.filter(
            form=form,
            state=Release.State.APPROVED,
            lattice__state=Lattice.State.BUILT,
            lattice__preview=False,
        )
        .defer("risk", "microdata_risk")
        .order_by("-approved_at", "-pk")
        .first()
    )
    if older is not None and not only_added(older, latest):
        return Reading(None, latest, latest._lattice, withdrawn=older)
    return Reading(older, latest, latest._lattice)


def release_trees(release: Release) -> tuple[Tree, Tree]:
    """The release's geography and time trees: stored with its lattice, else from its records."""
    lattice = built(release)
    if lattice is not None:
        return Tree.from_dict(lattice.geography), Tree.from_dict(lattice.time)
    frozen = ReleasedRecord.objects.filter(release=release).order_by()
    pairs = list(frozen.values_list("service_point_id", "month").annotate(n=Count("pk")))
    return (
        trees.geography(sorted({p for p, _, _ in pairs}, key=lambda p: (p is None, p or 0)))[0],
        trees.time(sorted({m for _, m, _ in pairs}))[0],
    )


@lru_cache(maxsize=256)
def _cube(lattice_id: int, stamp: str, name: str, shape: tuple[int, int]):
    row = (
        LatticeCube.objects.filter(lattice_id=lattice_id, variable=name)
        .values_list("cells", "categories", "kind", "means")
        .first()
    )
    if row is None:
        return None
    cells, categories, kind, means = row
    if kind == "pair":  # (pair geo nodes, pair time nodes, rows, columns)
        layout = (len(categories["geography"]), len(categories["time"]))
        sizes = (len(categories["rows"]), len(categories["columns"]))
        return (
            np.frombuffer(bytes(cells), np.int32).reshape(*layout, *sizes),
            categories,
            kind,
            None,
        )
    array = np.frombuffer(bytes(cells), np.int32).reshape(*shape, len(categories))
    mean = None
    if means is not None:
        mean = np.frombuffer(bytes(means), np.float32).reshape(*shape, -1)
    return array, categories, kind, mean


def cube(lattice: Lattice, name: str):
    """(cells (G, T, C+1) with -1 withheld, categories, kind, mean ranks or None), or None
    when the lattice has no such table. A pair ("row|column") has cells (pair geography
    nodes, pair time nodes, rows, columns) and a dict layout as categories. Cached: a built
    lattice never changes."""
    shape = (len(lattice.geography["keys"]), len(lattice.time["keys"]))
    return _cube(lattice.pk, str(lattice.built_at), name, shape)


def cube_names(lattice: Lattice) -> list[str]:
    """The tables the lattice holds (cached like its cubes)."""
    return list(_names(lattice.pk, str(lattice.built_at)))


@lru_cache(maxsize=256)
def _names(lattice_id: int, stamp: str) -> tuple[str, ...]:
    return tuple(
        LatticeCube.objects.filter(lattice_id=lattice_id).values_list("variable", flat=True)
    )


def _available(tree: Tree, level: str) -> list[str]:
    return sorted(
        {label for label, lv in zip(tree.labels, tree.levels, strict=True) if lv == level}
    )


def _geo_matches(tree: Tree, level: str, value: str) -> set[int]:
    found = set()
    for i, (key, label, lv) in enumerate(zip(tree.keys, tree.labels, tree.levels, strict=True)):
        if lv != level:
            continue
        code = key.split(":", 1)[1]
        if (level == "country" and label.upper() == value.upper()) or (
            level != "country" and value in (code, label)
        ):
            found.add(i)
    return found


def _ancestors(tree: Tree, node: int) -> set[int]:
    seen = {node}
    while tree.parent[node] >= 0:
        node = tree.parent[node]
        seen.add(node)
    return seen


def geo_node(tree: Tree, filters) -> int:
    """The geography node the filters name (root when none)."""
    given = [(level, getattr(filters, level)) for level in GEO_FILTERS if getattr(filters, level)]
    if not given:
        return 0
    candidates = None
    for level, value in given:
        matches = _geo_matches(tree, level, value)
        if not matches:
            raise _unknown_value(tree, level, value)
        candidates = matches if candidates is None else candidates | matches
    # the most specific named node whose ancestors include a match of every filter
    chosen = [
        n
        for n in candidates or set()
        if all(_geo_matches(tree, lv, v) & _ancestors(tree, n) for lv, v in given)
    ]
    deepest = max((GEO_FILTERS.index(tree.levels[n]) for n in chosen), default=-1)
    chosen = [n for n in chosen if GEO_FILTERS.index(tree.levels[n]) == deepest]
    if len(chosen) != 1:
        raise Problem(
            "results.unknown_filter_value",
            _(
                "These places do not name one published area (a country served by several "
                "National Societies needs the National Society too, and a service point must "
                "lie in the country or network given)."
            ),
            filter="geography",
        )
    return chosen[0]


def _unknown_value(tree: Tree, level: str, value) -> Problem:
    """A filter value the release lacks: the message names what it has at that level."""
    available = _available(tree, level)
    return Problem(
        "results.unknown_filter_value",
        interpolate(
            _("%(filter)s %(value)s is not in this release. Available: %(available)s"),
            filter=LEVEL_NAMES.get(level, level),
            value=repr(value),
            available=", ".join(available),
        ),
        filter=level,
        available=available,
    )


def time_node(tree: Tree, filters) -> int:
    """The time node the filters name: one month, quarter or year, or all time. A range
    (since/until) is answered only where it is exactly one of those."""
    named = [(lv, getattr(filters, lv)) for lv in TIME_FILTERS if getattr(filters, lv)]
    since, until = getattr(filters, "since", None), getattr(filters, "until", None)
    if since or until:
        node = _range_node(tree, since, until)
        named.append((tree.levels[node], tree.labels[node]) if node else ("all", "All"))
    nodes = set()
    for level, value in named:
        key = "all" if level == "all" else f"{level}:{value}"
        if key not in tree.index:
            raise _unknown_value(tree, level, value)
        nodes.add(tree.index[key])
    if len(nodes) > 1:
        raise Problem(
            "results.range_not_published", _("Give one period: a month, quarter or year.")
        )
    return nodes.pop() if nodes else 0


def _range_node(tree: Tree, since: str | None, until: str | None) -> int:
    months = _available(tree, "month")
    inside = [m for m in months if (not since or m >= since) and (not until or m <= until)]
    for i in range(len(tree.keys)):
        covered = sorted(
            tree.labels[j]
            for j in range(len(tree.keys))
            if tree.levels[j] == "month" and i in _ancestors(tree, j)
        )
        if inside and covered == inside:
            return i
    raise Problem(
        "results.range_not_published",
        interpolate(
            _(
                "Tables are published for one month, one quarter, one year or all time, so that "
                "no difference of two periods gives away a hidden count. Available: "
                "%(available)s"
            ),
            available=", ".join(_available(tree, "year") + _available(tree, "quarter")),
        ),
        available={lv: _available(tree, lv) for lv in TIME_FILTERS},
    )
