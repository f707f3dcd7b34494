"""Submission metadata in the admin. Raw content is never shown here: it is read only through
the audited DPO API (sync/selectors.py)."""

from django.contrib import admin

from lib.admin_base import ViewOnlyAdmin
from sync.models import Attachment, ConflictingCopy, Submission


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["name", "content_type", "size", "sha256", "received_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(ViewOnlyAdmin):
    list_display = [
        "instance_id",
        "form",
        "received_at",
        "service_point",
        "complete",
        "has_conflict",
    ]
    list_filter = ["form__project", "complete", "has_conflict", "device_encrypted"]
    exclude = ["xml_sealed"]
    inlines = [AttachmentInline]


@admin.register(Attachment)
class AttachmentAdmin(ViewOnlyAdmin):
    list_display = ["name", "submission", "size", "received_at"]
    exclude = ["file"]


@admin.register(ConflictingCopy)
class ConflictingCopyAdmin(ViewOnlyAdmin):
    list_display = ["submission", "xml_sha256", "received_at", "reviewed_at"]
    exclude = ["xml_sealed"]
