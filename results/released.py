"""The one door through which results read data: the records of a form's latest approved
release, as the DPO approved them (``privacy.models.ReleasedRecord``).

Nothing here reads ``AnonymisedRecord``: a rules change, an edit, a new secret or a withheld
record changes those rows at once, and analysts must see none of it until a DPO approves a
new release. Tables, the dashboard, charts and every download count these rows only.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from forms.models import Form
from privacy.models import Release, ReleasedRecord


@dataclass
class Filters:
    since: str | None = None  # YYYY-MM, inclusive: answered only where it names a lattice node
    until: str | None = None
    month: str | None = None  # YYYY-MM
    quarter: str | None = None  # YYYY-Qn
    year: str | None = None  # YYYY
    network: str | None = None
    national_society: str | None = None
    country: str | None = None
    service_point: str | None = None


def current_release(form: Form) -> Release | None:
    """The release analysts read for ``form``: the latest approved one whose protected table
    lattice is built (``results.lattice``), or an older one while it is computed if the newer
    only added records; None before the first approval or while tables are rebuilt."""
    from results.lattice.store import readable_release

    return readable_release(form)[0]


def readable(form: Form) -> Release | None:
    """``current_release``, refused (503 ``results.being_rebuilt``, ``Retry-After``) while a
    newer release's tables are rebuilt and no release may be read: every answer that carries
    data (tables, records) reads through here, so they all name the same release."""
    from results.lattice.store import reading

    found = reading(form)
    found.refuse()
    return found.release


def release_building(form: Form) -> Release | None:
    """A newer approved release whose tables are still being computed (pages say so), or None."""
    from results.lattice.store import readable_release

    return readable_release(form)[1]


def released_records(
    form: Form, filters: Filters | None = None, *, release: Release | None = None
) -> QuerySet[ReleasedRecord]:
    """The frozen records of ``form``'s latest approved release (or of ``release``, already
    looked up), narrowed by ``filters``; none before the first approval. Their answers are in
    ``data``."""
    release = release or current_release(form)
    if release is None:
        return ReleasedRecord.objects.none()
    records = ReleasedRecord.objects.filter(release=release)
    filters = filters or Filters()
    if filters.month:
        records = records.filter(month=filters.month)
    if filters.quarter:
        year, q = filters.quarter.split("-Q")
        first = (int(q) - 1) * 3 + 1
        records = records.filter(
            month__gte=f"{year}-{first:02d}", month__lte=f"{year}-{first + 2:02d}"
        )
    if filters.year:
        records = records.filter(month__startswith=f"{filters.year}-")
    if filters.since:
        records = records.filter(month__gte=filters.since)
    if filters.until:
        records = records.filter(month__lte=filters.until)
    if filters.network:
        records = records.filter(service_point__national_society__networks__code=filters.network)
    if filters.national_society:
        records = records.filter(service_point__national_society__name=filters.national_society)
    if filters.country:
        records = records.filter(service_point__country=filters.country.upper())
    if filters.service_point:
        records = records.filter(service_point__name=filters.service_point)
    return records


FILTER_DIMENSIONS = (
    "network",
    "national_society",
    "country",
    "service_point",
    "year",
    "quarter",
    "month",
)


def filter_options(form: Form, release: Release | None = None) -> dict[str, list[tuple[str, str]]]:
    """What the filters of ``form``'s results can select: dimension -> (value, label), only
    values present in the release analysts read (or ``release``). Values are what
    ``Filters`` takes; the dashboard renders them as selects, so no one types a code."""
    from results.lattice.store import release_trees  # results.lattice reads this module

    release = release or current_release(form)
    options: dict[str, list[tuple[str, str]]] = {key: [] for key in FILTER_DIMENSIONS}
    if release is None:
        return options
    geo, when = release_trees(release)
    seen: set[tuple[str, str]] = set()
    for tree in (geo, when):
        for key, label, level in zip(tree.keys, tree.labels, tree.levels, strict=True):
            if level == "all":
                continue
            value = key.split(":", 1)[1]
            if level == "country":
                value = label  # ISO code; a country under two National Societies is one option
            elif level == "service_point":
                value = label
            if (level, value) not in seen and value != "?":
                seen.add((level, value))
                options[level].append((value, label))
    for values in options.values():
        values.sort(key=lambda item: item[1])
    return options
