from django import forms as djforms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.models import Project
from forms import services
from forms.models import Form, FormVersion, MediaFile, PrivacyRule, PrivacyRuleSet
from forms.problems import FormRejected
from lib.admin_base import ViewOnlyAdmin


def describe(problem) -> str:
    where = ", ".join(
        f"{label} {value}"
        for label, value in (
            ("sheet", problem.sheet),
            ("row", problem.row),
            ("column", problem.column),
        )
        if value
    )
    return f"{problem.message} ({where})" if where else problem.message


class UploadForm(djforms.Form):
    project = djforms.ModelChoiceField(queryset=Project.objects.all())
    file = djforms.FileField(help_text="An XLSForm (.xlsx, .xls) or an XForm (.xml).")


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    fields = ["version", "title", "md5", "source_filename", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["form_id", "title", "project", "state", "updated_at"]
    list_filter = ["project", "state"]
    search_fields = ["form_id", "title"]
    readonly_fields = ["project", "form_id", "title", "created_at", "updated_at"]
    inlines = [FormVersionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="forms_form_upload"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "upload_url": reverse("admin:forms_form_upload")}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request):
        """Publish an XLSForm from the admin, with the API's checks and messages. Being staff is
        not enough: publishing into any project needs the ``forms.add_form`` permission."""
        if not request.user.has_perm("forms.add_form"):
            raise PermissionDenied("Publishing forms needs the “Can add form” permission.")
        upload = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                result = services.form_upload(
                    project=upload.cleaned_data["project"],
                    filename=file.name,
                    data=services.read_form_file(file),
                    user=request.user,
                )
            except FormRejected as exc:
                for problem in exc.problems:
                    upload.add_error("file", describe(problem))
            else:
                for warning in result.version.warnings:
                    messages.warning(request, warning["message"])
                messages.success(request, f"Published {result.version}.")
                return HttpResponseRedirect(
                    reverse("admin:forms_form_change", args=[result.version.form_id])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload an XLSForm",
            "upload": upload,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/forms/form/upload.html", context)


class MediaFileInline(admin.TabularInline):
    model = MediaFile
    fields = ["filename", "size", "md5", "uploaded_at"]
    readonly_fields = fields
    extra = 0


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    list_display = ["form", "version", "title", "md5", "created_at"]
    list_filter = ["form__project"]
    exclude = ["xform", "source"]
    inlines = [MediaFileInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request) -> bool:
        return False


class MediaUploadForm(djforms.ModelForm):
    upload = djforms.FileField()

    class Meta:
        model = MediaFile
        fields = ["version"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        file = cleaned["upload"]
        try:
            self.instance = services.media_upload(
                version=cleaned["version"],
                filename=file.name,
                data=services.read_media_file(file),
            )
        except FormRejected as exc:
            raise djforms.ValidationError([describe(p) for p in exc.problems]) from exc
        return cleaned


@admin.register(MediaFile)
class MediaFileAdmin(admin.ModelAdmin):
    list_display = ["filename", "version", "size", "md5", "uploaded_at"]
    list_filter = ["version__form__project"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = MediaUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["version", "filename", "file", "content_type", "size", "md5"] if obj else []

    def save_model(self, request, obj, form, change) -> None:
        """The upload was stored by services.media_upload during validation."""


class PrivacyRuleInline(admin.TabularInline):
    model = PrivacyRule
    fields = ["path", "question_type", "classification", "generalisers", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PrivacyRuleSet)
class PrivacyRuleSetAdmin(admin.ModelAdmin):
    list_display = ["version", "number", "reason", "created_by", "created_at"]
    readonly_fields = ["version", "number", "reason", "created_by", "created_at"]
    inlines = [PrivacyRuleInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(PrivacyRule)
class PrivacyRuleAdmin(ViewOnlyAdmin):
    """Rules change by a DPO's new rule set, never in place."""

    list_display = ["path", "classification", "generalisers", "source", "rule_set"]
    list_filter = ["classification", "source"]
    search_fields = ["path"]
