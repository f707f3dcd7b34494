from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import privacy_settings, provisioning, tokens
from accounts.models import (
    ApiToken,
    Device,
    InterfaceLanguage,
    Membership,
    NationalSociety,
    Project,
    RegionalNetwork,
    ServicePoint,
)
from lib.admin_base import ViewOnlyAdmin
from lib.problems import Problem, interpolate


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


class ProjectForm(forms.ModelForm):
    """Privacy settings change here as through the API: within bounds, with a reason, audited
    (``accounts.privacy_settings``), and, when the change would leave records out of every
    later release for good, only once the admin has seen how many and ticked the box. The
    count shown goes back with the form (``left_out_shown``): should a purge since leave out
    more, the form asks again with the new count."""

    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the privacy settings change (required when one does; audited).",
    )
    confirm_left_out = forms.BooleanField(
        required=False,
        label=_("Leave these records out"),
        help_text=_(
            "A change of everyday names can leave records whose raw data was purged out of "
            "every later release for good; you are told how many before it is saved."
        ),
    )
    left_out_shown = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    class Meta:
        model = Project
        fields = ["name", "description", *privacy_settings.SETTINGS]

    def clean(self):
        data = super().clean()
        changed = [name for name in privacy_settings.SETTINGS if name in self.changed_data]
        try:
            privacy_settings.settings_check({name: data.get(name) for name in changed})
        except Problem as problem:
            raise forms.ValidationError(f"{problem.message} ({problem.code})") from None
        if changed and not (data.get("reason") or "").strip():
            raise forms.ValidationError(
                "Give a reason for changing privacy settings (settings.reason_required)."
            )
        at_stake = {"records": 0}
        if changed and self.instance.pk:
            stored = Project.objects.get(pk=self.instance.pk)
            values = {name: data.get(name) for name in changed}
            at_stake = privacy_settings.settings_at_stake(
                project=stored, changed=privacy_settings.settings_changes(stored, values)
            )
        if at_stake["records"] > (self.confirmed_count() or 0):
            # Asked again with this count, the box unticked: the count the admin ticks for is
            # the one the form sends back.
            self.data = self.data.copy()
            self.data[self.add_prefix("left_out_shown")] = at_stake["records"]
            self.data.pop(self.add_prefix("confirm_left_out"), None)
            raise forms.ValidationError(
                interpolate(
                    _(
                        "%(at_stake)s Tick “Leave these records out” and save again to make "
                        "the change (settings.left_out_unconfirmed)."
                    ),
                    at_stake=at_stake["detail"],
                )
            )
        return data

    def confirmed_count(self) -> int | None:
        """The number of records the admin agreed to leave out: the count the form showed,
        if they ticked the box; None if not."""
        data = self.cleaned_data
        return data.get("left_out_shown") if data.get("confirm_left_out") else None


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectForm
    list_display = ["name", "k_anonymity", "disclosure_mode", "cell_threshold", "retention_days"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change) -> None:
        values = {name: getattr(obj, name) for name in privacy_settings.SETTINGS}
        stored = Project.objects.get(pk=obj.pk) if change else Project()
        for name in privacy_settings.SETTINGS:  # changed (and audited) by the service only
            setattr(obj, name, getattr(stored, name))
        super().save_model(request, obj, form, change)
        # Counted again under the service's lock: should a purge since the form's check leave
        # out more than the admin agreed to, it is refused (the problem page), nothing saved.
        done = privacy_settings.settings_change(
            project=obj,
            user=request.user,
            values=values,
            reason=form.cleaned_data["reason"],
            confirm_left_out=form.confirmed_count(),
        )
        left_out = done.left_out["records"]  # the count audited, not the form's earlier one
        if left_out:
            text = ngettext(
                "%(count)s record is left out of every later release for good.",
                "%(count)s records are left out of every later release for good.",
                left_out,
            )
            self.message_user(request, text % {"count": left_out}, messages.WARNING)


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


@admin.register(ApiToken)
class ApiTokenAdmin(ViewOnlyAdmin):
    """Every person's API tokens, for the operator to see and revoke (never to read: only
    hashes are stored)."""

    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "prefix", "name"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser  # the revoke action needs it

    @admin.action(description="Revoke the selected API tokens")
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            tokens.token_revoke(token)


@admin.register(InterfaceLanguage)
class InterfaceLanguageAdmin(ViewOnlyAdmin):
    """The interface language each person chose (accounts.interface_language)."""

    list_display = ["user", "language"]
    list_filter = ["language"]
