"""The quarantine: raw submissions exactly as devices sent them, sealed at rest.

A submission's identity is (form, instanceID). Retries add nothing; a different XML under the same
instanceID is kept beside it as a conflicting copy; an edit (meta/deprecatedID) is a new
submission that points at the one it replaces.
"""

from django.conf import settings
from django.db import models

from accounts.models import Device, ServicePoint
from forms.models import Form, FormVersion


class Submission(models.Model):
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="submissions")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    instance_id = models.CharField(
        max_length=255,
        help_text="meta/instanceID, or sha256:<hex of the XML> when there is none; "
        "long:sha256:<hex> when it is longer than 255 characters (kept whole in instance_id_full).",
    )
    instance_id_full = models.TextField(
        blank=True, default="", help_text="meta/instanceID as sent, when over 255 characters."
    )
    xml_sealed = models.BinaryField(help_text="The exact XML bytes, sealed (lib.crypto).")
    xml_sha256 = models.CharField(max_length=64)
    xml_size = models.PositiveIntegerField()
    attachments_expected = models.JSONField(default=list)
    complete = models.BooleanField(default=False, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    device_encrypted = models.BooleanField(default=False)
    deprecates = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text="The submission this one edits (meta/deprecatedID).",
    )
    root_instance_id = models.CharField(
        max_length=255,
        help_text="The first instance_id of the logical submission (edits share it).",
    )
    has_conflict = models.BooleanField(
        default=False, help_text="Another XML arrived under this instanceID; see its copies."
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    service_point = models.ForeignKey(
        ServicePoint, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_agent = models.CharField(max_length=500, blank=True)
    client_device_id = models.CharField(
        max_length=255, blank=True, help_text="The client's own ?deviceID= (Collect sends one)."
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    client_start = models.DateTimeField(null=True, blank=True)
    client_end = models.DateTimeField(null=True, blank=True)
    raw_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "instance_id"], name="submission_unique_instance"
            )
        ]
        indexes = [models.Index(fields=["form", "root_instance_id"])]

    def __str__(self) -> str:
        return f"{self.form.form_id} {self.instance_id}"

    @property
    def sent_instance_id(self) -> str:
        """The identity as the device sent it, however long."""
        return self.instance_id_full or self.instance_id


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    # Not limited to 255: the name is whatever the XML says, and a longer one must still match.
    name = models.TextField(help_text="The file name the XML refers to.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(
        max_length=500, help_text="Sealed bytes under a random name, never the name sent."
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "name"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="attachment_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ConflictingCopy(models.Model):
    """A different XML received under an instanceID already taken: kept for a DPO to review,
    never processed automatically."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="conflicting_copies"
    )
    xml_sealed = models.BinaryField()
    xml_sha256 = models.CharField(max_length=64)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL)
    user_agent = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "received_at"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "xml_sha256"], name="conflict_unique_xml")
        ]

    def __str__(self) -> str:
        return f"conflicting copy of {self.submission}"
