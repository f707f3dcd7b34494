from django.contrib import admin

from accounts import provisioning
from accounts.models import (
    Device,
    Membership,
    NationalSociety,
    Project,
    RegionalNetwork,
    ServicePoint,
)


@admin.register(RegionalNetwork)
class RegionalNetworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(NationalSociety)
class NationalSocietyAdmin(admin.ModelAdmin):
    list_display = ["name", "country"]
    list_filter = ["networks"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "k_anonymity", "disclosure_mode", "cell_threshold", "retention_days"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "national_society", "kind", "country"]
    list_filter = ["project", "kind", "national_society"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    autocomplete_fields = ["user"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "service_point", "created_at", "revoked_at", "last_seen_at"]
    list_filter = ["project", "service_point"]
    readonly_fields = ["token_hash", "created_at", "last_seen_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            # Tokens are stored hashed; the admin shows the new one once, in the message bar.
            token = provisioning.new_device_token()
            obj.token_hash = provisioning.hash_device_token(token)
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            base = request.build_absolute_uri("/").rstrip("/")
            url = provisioning.device_server_url(
                base_url=base, token=token, project_id=obj.project_id
            )
            self.message_user(
                request, f"Server URL for ODK Collect (shown once): {url} — QR code: {url}/qr"
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected devices")
    def revoke(self, request, queryset) -> None:
        for device in queryset:
            provisioning.device_revoke(device=device)
