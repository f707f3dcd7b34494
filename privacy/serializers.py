from rest_framework import serializers

from audit.models import AuditEvent
from lib.api_defaults import StrictCharField
from privacy.models import DisclosureRun, Release


class DisclosureRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisclosureRun
        fields = [
            "created_at",
            "k",
            "mode",
            "quasi_identifiers",
            "records",
            "before",
            "after",
            "suppressions",
            "held",
            "l_diversity",
            "redactions",
            "seconds",
        ]


class DefaultedRuleSerializer(serializers.Serializer):
    version = serializers.CharField()
    path = serializers.CharField()
    question_type = serializers.CharField()
    classification = serializers.CharField()
    generalisers = serializers.ListField(child=serializers.CharField())


class RiskReportSerializer(serializers.Serializer):
    run = DisclosureRunSerializer()
    defaulted = DefaultedRuleSerializer(many=True)
    unprocessed = serializers.IntegerField()


class ComparedAnswerSerializer(serializers.Serializer):
    question = serializers.CharField()
    classification = serializers.CharField()
    raw = serializers.CharField()
    anonymised = serializers.CharField()


class ComparedRecordSerializer(serializers.Serializer):
    record = serializers.UUIDField(source="record.pk")
    answers = ComparedAnswerSerializer(many=True)


class RuleChangeSerializer(serializers.Serializer):
    path = StrictCharField()
    classification = StrictCharField()
    generalisers = serializers.ListField(child=StrictCharField(), required=False, default=list)


class RulesChangeSerializer(serializers.Serializer):
    changes = RuleChangeSerializer(many=True)
    reason = StrictCharField()


class RerunProgressSerializer(serializers.Serializer):
    rule_set = serializers.IntegerField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    finished = serializers.BooleanField()


class ReleaseSerializer(serializers.ModelSerializer):
    records = serializers.SerializerMethodField()
    opened_by = serializers.CharField(source="opened_by.username")
    approved_by = serializers.CharField(
        source="approved_by.username", default=None, allow_null=True
    )

    class Meta:
        model = Release
        fields = [
            "id",
            "state",
            "content_hash",
            "records",
            "risk",
            "rule_sets",
            "opened_by",
            "opened_at",
            "approved_by",
            "approved_at",
        ]

    def get_records(self, release: Release) -> int:
        return len(release.record_ids)


class ApproveSerializer(serializers.Serializer):
    content_hash = StrictCharField(help_text="The candidate's hash you reviewed.")


class WithholdSerializer(serializers.Serializer):
    reason = StrictCharField()


class WithheldSerializer(serializers.Serializer):
    record = serializers.UUIDField()
    withheld_at = serializers.DateTimeField()


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["at", "actor_label", "action", "target", "reason", "details"]
