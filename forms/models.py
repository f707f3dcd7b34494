"""Hosted questionnaires: a form, its immutable versions, their media and privacy rule sets."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Project


class FormState(models.TextChoices):
    OPEN = "open", _("Open: listed on devices, accepts submissions")
    CLOSING = (
        "closing",
        _("Closing: not listed, still accepts submissions from devices that hold it"),
    )
    CLOSED = "closed", _("Closed: refuses submissions")


class Form(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="forms")
    form_id = models.CharField(max_length=255, help_text="The XForm id (`form_id` in settings).")
    title = models.CharField(max_length=500)
    state = models.CharField(max_length=16, choices=FormState.choices, default=FormState.OPEN)
    # The devices this form is assigned to (those with ``all_forms`` off see only theirs). It
    # was ``Device.forms``; it moved here with its table kept as it was (same name, same
    # device_id and form_id columns), so ``device.forms`` still reads it.
    devices = models.ManyToManyField(
        "accounts.Device", blank=True, related_name="forms", db_table="accounts_device_forms"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "form_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "form_id"], name="form_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.form_id})"

    @property
    def current_version(self) -> "FormVersion | None":
        """The newest version; uses prefetched ``versions`` when the caller loaded them."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        if prefetched is not None:
            return max(prefetched, key=lambda v: (v.created_at, v.pk), default=None)
        return self.versions.order_by("-created_at", "-pk").first()


class ImmutableError(RuntimeError):
    """A form version was about to change after publication."""


class FormVersion(models.Model):
    """One published version. Its XForm bytes never change: devices cache them by md5."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=500)
    xform = models.BinaryField(help_text="The exact XForm bytes served to devices.")
    md5 = models.CharField(max_length=32)
    source_filename = models.CharField(max_length=255)
    source = models.BinaryField(help_text="The uploaded XLSForm or XForm, as received.")
    source_sha256 = models.CharField(max_length=64)
    default_language = models.CharField(max_length=100, blank=True)
    languages = models.JSONField(default=list)
    public_key = models.TextField(blank=True, help_text="RSA key devices encrypt submissions to.")
    questions = models.JSONField(
        default=list, help_text="Every question: path, name, type, labels, choice list."
    )
    choices = models.JSONField(default=dict, help_text="Choice lists with labels per language.")
    media_expected = models.JSONField(
        default=list, help_text="File names the form refers to (images, CSV for lookups)."
    )
    warnings = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="form_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.form.form_id} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ImmutableError(
                "Form versions are immutable: upload a new version with a new `version` instead."
            )
        super().save(*args, **kwargs)

    @property
    def current_rule_set(self) -> "PrivacyRuleSet | None":
        return self.rule_sets.order_by("-number").first()


def media_upload_to(instance: "MediaFile", filename: str) -> str:
    return f"form-media/{instance.version.form.project_id}/{instance.version_id}/{filename}"


class MediaFile(models.Model):
    """A file a form version uses (image label, CSV for select_one_from_file or search())."""

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="media")
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=media_upload_to, max_length=500)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    md5 = models.CharField(max_length=32)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["version", "filename"]
        constraints = [
            models.UniqueConstraint(fields=["version", "filename"], name="media_unique_name")
        ]

    def __str__(self) -> str:
        return self.filename


class Classification(models.TextChoices):
    DIRECT = "direct", "Direct identifier: removed"
    PSEUDONYM = "pseudonym", "Linking key: keyed hash"
    QUASI = "quasi", "Quasi-identifier: generalised, k-anonymity"
    SENSITIVE = "sensitive", "Sensitive: kept, l-diversity measured"
    FREE_TEXT = "free_text", "Free text: personal data redacted"
    KEEP = "keep", "Safe: kept"
    DROP = "drop", "Not needed: removed"


class PrivacyRuleSet(models.Model):
    """A numbered set of rules for one form version; a DPO's change makes the next number."""

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="rule_sets")
    number = models.PositiveIntegerField()
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A rule set written by a form manager (the XLSForm's privacy column) is a proposal: a
    # version's first release needs a DPO to approve its rules. A DPO's own change is approved
    # by being made.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="rule_set_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.version} rules #{self.number}"


class PrivacyRule(models.Model):
    class Source(models.TextChoices):
        COLUMN = "column", "The form's privacy column"
        DEFAULT = "default", "Default for the question type"
        DPO = "dpo", "Set by a data protection officer"

    rule_set = models.ForeignKey(PrivacyRuleSet, on_delete=models.CASCADE, related_name="rules")
    path = models.CharField(max_length=1000, help_text="XPath of the question, e.g. /data/age.")
    name = models.CharField(max_length=255)
    question_type = models.CharField(max_length=64)
    classification = models.CharField(max_length=16, choices=Classification.choices)
    generalisers = models.JSONField(
        default=list, help_text='Quasi-identifier generalisers, e.g. ["band:10", "top:80"].'
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["rule_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "path"], name="rule_unique_path")
        ]

    def __str__(self) -> str:
        return f"{self.path}: {self.classification}"
