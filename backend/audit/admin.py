from django.contrib import admin

from backend.admin_base import ViewOnlyAdmin
from backend.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "actor_label", "action", "project", "target", "reason"]
    list_filter = ["action", "project"]
    search_fields = ["actor_label", "target", "reason"]
