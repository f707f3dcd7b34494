"""Row-level records for analysts: only where a DPO approved them for the release they read.

Tables are what analysts get by default. ``records.csv`` is served for a release only once a
DPO approved its microdata file (``privacy.review.microdata``), and then without the records
its risk report left out (classes below k or below l-diversity). Every dimension filter
(service point, country, National Society, network, months) is accepted: the report's classes
are formed on all of those dimensions, so a filter selects whole classes and never cuts one
below k.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from forms.models import Form
from lib.problems import Problem, interpolate
from privacy.models import Release, ReleasedRecord
from privacy.review.microdata import WITHHELD
from results.released import Filters, current_release, readable, released_records

__all__ = ["WITHHELD", "microdata_records", "microdata_release"]

NOTE = (
    f"{WITHHELD} marks a value withheld for privacy (disclosure control hid it); an empty cell "
    "is a question the person did not answer. Records in groups smaller than k, or whose group "
    "showed too little variety of a sensitive answer, are left out."
)


def microdata_release(form: Form, release: Release | None = None) -> Release:
    """The release analysts read, the same as the tables' (``results.released.readable``: 503
    while tables are rebuilt), if a DPO approved its row-level records; else a refusal (403,
    ``microdata.not_approved``) saying why. ``release``: the one the caller already read."""
    release = release or readable(form)
    if release is None:
        raise Problem(
            "microdata.not_approved",
            _("No release of this form has been approved yet: there are no records to download."),
        )
    if release.microdata_approved_at is None:
        raise Problem(
            "microdata.not_approved",
            interpolate(
                _(
                    "Release %(release)s of this form is published as tables only: a DPO has "
                    "not approved its row-level records. Use the tables, or ask your DPO to "
                    "review a records file for this release."
                ),
                release=release.pk,
            ),
            release=release.pk,
        )
    return release


def microdata_records(
    form: Form, filters: Filters | None, release: Release | None
) -> QuerySet[ReleasedRecord]:
    """The frozen records of ``release`` (default: the current one) that its approved
    microdata file holds: those its risk report left out are not."""
    release = release or current_release(form)
    records = released_records(form, filters, release=release)
    excluded = (release.microdata_risk or {}).get("excluded_ids") if release else None
    return records.exclude(record_id__in=excluded) if excluded else records
