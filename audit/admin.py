from django.contrib import admin

from audit.models import AuditEvent
from lib.admin_base import ViewOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "actor_label", "action", "project", "target", "reason"]
    list_filter = ["action", "project"]
    search_fields = ["actor_label", "target", "reason"]
