from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forms.models import Form, FormState, FormVersion, MediaFile, PrivacyRule, PrivacyRuleSet


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code, e.g. privacy.invalid or pyxform.PYREF_003")
    message = serializers.CharField()
    level = serializers.ChoiceField(choices=["error", "warning"])
    sheet = serializers.CharField(allow_null=True)
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)


class UploadRejectedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    problems = ProblemSerializer(many=True)


class MediaFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediaFile
        fields = ["filename", "content_type", "size", "md5", "uploaded_at"]


class PrivacyRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrivacyRule
        fields = ["path", "name", "question_type", "classification", "generalisers", "source"]


class PrivacyRuleSetSerializer(serializers.ModelSerializer):
    rules = PrivacyRuleSerializer(many=True, read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.username",
        default=None,
        allow_null=True,
        help_text="The DPO who approved these rules; null while they are a proposal (no "
        "release until a DPO approves them).",
    )

    class Meta:
        model = PrivacyRuleSet
        fields = ["number", "reason", "created_at", "approved_by", "approved_at", "rules"]


class FormVersionSummarySerializer(serializers.ModelSerializer):
    hash = serializers.SerializerMethodField(help_text="md5: of the exact XForm bytes served.")

    class Meta:
        model = FormVersion
        fields = ["version", "title", "hash", "created_at", "source_filename"]

    @extend_schema_field(serializers.CharField())
    def get_hash(self, version: FormVersion) -> str:
        return f"md5:{version.md5}"


class FormVersionSerializer(FormVersionSummarySerializer):
    media = MediaFileSerializer(many=True, read_only=True)
    media_missing = serializers.SerializerMethodField()
    rules = serializers.SerializerMethodField()
    warnings = ProblemSerializer(many=True, read_only=True)

    class Meta(FormVersionSummarySerializer.Meta):
        fields = [
            *FormVersionSummarySerializer.Meta.fields,
            "default_language",
            "languages",
            "public_key",
            "questions",
            "choices",
            "media_expected",
            "media",
            "media_missing",
            "warnings",
            "rules",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_media_missing(self, version: FormVersion) -> list[str]:
        present = {m.filename for m in version.media.all()}
        return [name for name in version.media_expected if name not in present]

    @extend_schema_field(PrivacyRuleSetSerializer)
    def get_rules(self, version: FormVersion) -> dict | None:
        rule_set = version.current_rule_set
        return PrivacyRuleSetSerializer(rule_set).data if rule_set else None


class FormSerializer(serializers.ModelSerializer):
    current_version = FormVersionSummarySerializer(read_only=True)
    versions = FormVersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Form
        fields = [
            "form_id",
            "title",
            "state",
            "created_at",
            "updated_at",
            "current_version",
            "versions",
        ]
        read_only_fields = ["form_id", "title", "created_at", "updated_at"]


class FormStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=FormState.choices,
        help_text="open: listed and accepting; closing: not listed, still accepting; "
        "closed: refuses submissions.",
    )


class FormUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="An XLSForm (.xlsx, .xls) or an XForm (.xml)."
    )


class FormUploadResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(
        help_text="False when this exact version was already published."
    )
    form = FormSerializer()
    version = FormVersionSerializer()


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="A file the form refers to, named exactly as in the form."
    )
