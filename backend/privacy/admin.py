from django.contrib import admin

from backend.privacy.models import AnonymisedRecord, DisclosureRun, Release


@admin.register(AnonymisedRecord)
class AnonymisedRecordAdmin(admin.ModelAdmin):
    list_display = ["id", "form", "rule_set", "month", "fk", "held", "superseded", "released_at"]
    list_filter = ["form", "held", "superseded"]
    exclude = ["submission"]  # the link to raw data stays out of sight

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DisclosureRun)
class DisclosureRunAdmin(admin.ModelAdmin):
    list_display = ["form", "created_at", "records", "k", "mode", "held", "seconds"]
    list_filter = ["form"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Releases are opened and approved by DPOs through their pages, never edited here."""

    list_display = ["form", "state", "opened_by", "opened_at", "approved_by", "approved_at"]
    list_filter = ["form", "state"]
    exclude = ["record_ids"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
