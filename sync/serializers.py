from rest_framework import serializers

from lib.api_defaults import StrictCharField
from sync.models import Attachment, ConflictingCopy, Submission


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["name", "content_type", "size", "sha256", "received_at"]


class ConflictingCopySerializer(serializers.ModelSerializer):
    class Meta:
        model = ConflictingCopy
        fields = ["id", "xml_sha256", "received_at", "user_agent", "reviewed_at"]


class SubmissionSerializer(serializers.ModelSerializer):
    """Metadata only: the raw answers are read through the audited /xml endpoint."""

    version = serializers.CharField(source="version.version")
    service_point = serializers.CharField(
        source="service_point.name", default=None, allow_null=True
    )
    device = serializers.CharField(source="device.name", default=None, allow_null=True)
    deprecates = serializers.CharField(
        source="deprecates.instance_id", default=None, allow_null=True
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    conflicting_copies = ConflictingCopySerializer(many=True, read_only=True)

    class Meta:
        model = Submission
        fields = [
            "instance_id",
            "root_instance_id",
            "version",
            "received_at",
            "client_start",
            "client_end",
            "service_point",
            "device",
            "user_agent",
            "complete",
            "device_encrypted",
            "deprecates",
            "has_conflict",
            "xml_sha256",
            "xml_size",
            "attachments_expected",
            "attachments",
            "conflicting_copies",
        ]


class DecryptRequestSerializer(serializers.Serializer):
    private_key = StrictCharField(
        help_text="The form's RSA private key (PEM). Used for this request only, never stored."
    )
    reason = StrictCharField(help_text="Why you open this submission (audited).")


class DecryptedSerializer(serializers.Serializer):
    xml = serializers.CharField()
    attachments = serializers.DictField(
        child=serializers.CharField(), help_text="Decrypted files, base64, by name."
    )
    signature = serializers.ChoiceField(
        choices=["verified", "mismatch", "absent", "incomplete"],
        help_text="Whether the device's base64EncryptedElementSignature matches the decrypted "
        "files (Collect's and the web tablet's): `mismatch` means the content is unverified; "
        "it is recorded in the audit trail. `verified` catches damage and mix-ups, not a "
        "deliberate forgery: the signature is made with the form's public key.",
    )
    signature_detail = serializers.CharField(help_text="What ``signature`` means, for a person.")
