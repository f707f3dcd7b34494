"""Anonymised records, disclosure runs and releases change only through the privacy services
(and the DPO's pages); the admin shows them."""

from django.contrib import admin

from lib.admin_base import ViewOnlyAdmin
from privacy.models import (
    AnonymisedRecord,
    DisclosurePending,
    DisclosureRun,
    RecordVerdict,
    Release,
    ReleasedRecord,
    ReleaseJob,
)


@admin.register(AnonymisedRecord)
class AnonymisedRecordAdmin(ViewOnlyAdmin):
    list_display = ["id", "form", "rule_set", "month", "fk", "held", "superseded", "released_at"]
    list_filter = ["form", "verdict__held", "superseded"]
    list_select_related = ["form", "rule_set", "verdict"]
    exclude = ["submission"]  # the link to raw data stays out of sight


@admin.register(RecordVerdict)
class RecordVerdictAdmin(ViewOnlyAdmin):
    """Disclosure control's verdict on each record (rewritten by every run)."""

    list_display = ["record", "held", "fk", "suppressed"]
    list_filter = ["held"]
    list_select_related = ["record__form"]


@admin.register(DisclosureRun)
class DisclosureRunAdmin(ViewOnlyAdmin):
    list_display = ["form", "created_at", "records", "k", "mode", "held", "seconds"]
    list_filter = ["form"]


@admin.register(DisclosurePending)
class DisclosurePendingAdmin(ViewOnlyAdmin):
    list_display = ["form", "since"]


@admin.register(Release)
class ReleaseAdmin(ViewOnlyAdmin):
    list_display = ["form", "state", "opened_by", "opened_at", "approved_by", "approved_at"]
    list_filter = ["form", "state"]


@admin.register(ReleasedRecord)
class ReleasedRecordAdmin(ViewOnlyAdmin):
    """A release's frozen records: immutable, so view-only like everything here."""

    list_display = ["record_id", "release", "version", "service_point", "month"]
    list_filter = ["release__form"]
    list_select_related = ["release__form", "version", "service_point"]


@admin.register(ReleaseJob)
class ReleaseJobAdmin(ViewOnlyAdmin):
    """Release openings and approvals running in the background: an operator sees a stuck or
    failed one (its problem) without a database shell."""

    list_display = [
        "release",
        "kind",
        "requested_by",
        "progress",
        "step",
        "started_at",
        "finished_at",
    ]
    list_filter = ["kind"]
    list_select_related = ["release__form", "requested_by"]
