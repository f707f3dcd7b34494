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
from privacy.review import latest_approved


@dataclass
class Filters:
    since: str | None = None  # YYYY-MM, inclusive
    until: str | None = None
    network: str | None = None
    national_society: str | None = None
    country: str | None = None
    service_point: str | None = None


def current_release(form: Form) -> Release | None:
    """The release analysts read for ``form``, or None before the first approval."""
    return latest_approved(form)


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
