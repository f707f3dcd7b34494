from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent
from lib.api_defaults import StrictCharField
from privacy.models import DisclosureRun, Release
from privacy.review.left_out import left_out_message


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


class IdentifierFlagSerializer(serializers.Serializer):
    version = serializers.CharField()
    rule_set = serializers.IntegerField()
    path = serializers.CharField()
    name = serializers.CharField()
    question_type = serializers.CharField()
    classification = serializers.CharField()
    looks_like = serializers.CharField(
        help_text="name, phone, document, address, email, photo, voice, file, location, or "
        "free_text (an open answer kept unredacted)"
    )
    message = serializers.CharField()


class RiskReportSerializer(serializers.Serializer):
    run = DisclosureRunSerializer()
    defaulted = DefaultedRuleSerializer(many=True)
    unprocessed = serializers.IntegerField()
    flags = IdentifierFlagSerializer(
        many=True,
        help_text="Questions that look like identifiers yet reach the record (keep, sensitive, "
        "quasi), and free text kept as is: for the DPO to look at before approving rules.",
    )


class ComparedAnswerSerializer(serializers.Serializer):
    question = serializers.CharField()
    classification = serializers.CharField()
    raw = serializers.CharField()
    anonymised = serializers.CharField()


class ComparedRecordSerializer(serializers.Serializer):
    record = serializers.UUIDField(source="record.pk")
    answers = ComparedAnswerSerializer(many=True)


# Bounded work: a form has at most a few hundred questions, a rule a handful of generalisers.
MAX_RULE_CHANGES = 1000
MAX_GENERALISERS = 10


class RuleChangeSerializer(serializers.Serializer):
    path = StrictCharField(max_length=500)
    classification = StrictCharField(max_length=32)
    generalisers = serializers.ListField(
        child=StrictCharField(max_length=64),
        required=False,
        default=list,
        max_length=MAX_GENERALISERS,
    )


class RulesChangeSerializer(serializers.Serializer):
    changes = RuleChangeSerializer(many=True, max_length=MAX_RULE_CHANGES)
    reason = StrictCharField(max_length=2000)


class LeftOutSerializer(serializers.Serializer):
    records = serializers.IntegerField(
        help_text="Records under replaced rules that can never be anonymised again: left out "
        "of releases (they do not hold one up)."
    )
    purged = serializers.IntegerField(help_text="Of them: raw data purged on schedule.")
    encrypted = serializers.IntegerField(help_text="Of them: encrypted on the device.")
    detail = serializers.CharField(help_text="The same, in words (empty when none).")


class RerunProgressSerializer(serializers.Serializer):
    rule_set = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Records whose re-run can come (raw data here).")
    done = serializers.IntegerField(help_text="Of them: anonymised under the current rule set.")
    finished = serializers.BooleanField(help_text="None left to redo: a release may open.")
    left_out = LeftOutSerializer()


class ChangesSerializer(serializers.Serializer):
    base = serializers.IntegerField(
        allow_null=True, help_text="The release analysts read when this was opened (null: none)."
    )
    added = serializers.IntegerField(help_text="Records analysts would newly read.")
    changed = serializers.IntegerField(help_text="Records whose released content would change.")
    removed = serializers.IntegerField(help_text="Records analysts would no longer read.")


class ReleaseJobSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="open or approve")
    progress = serializers.IntegerField(help_text="Percent done.")
    step = serializers.CharField(help_text="What it is doing now (or Done, Refused).")
    problem = serializers.DictField(
        allow_null=True, help_text="Why it was refused ({code, detail}); null otherwise."
    )
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class ReleaseSerializer(serializers.ModelSerializer):
    records = serializers.SerializerMethodField(
        help_text="Every record analysts read once this is approved (a full snapshot)."
    )
    job = serializers.SerializerMethodField(
        help_text="The latest background job (opening or approving) and its progress; null "
        "for releases opened before jobs."
    )
    since = ChangesSerializer(
        source="risk.since",
        default=None,
        allow_null=True,
        help_text="What approving this changes for analysts, against the release they read.",
    )
    left_out = serializers.SerializerMethodField(
        help_text="Records the candidate leaves out because they are under replaced rules and "
        "can never be anonymised again, by reason; its risk figures and hash are without them."
    )
    opened_by = serializers.CharField(source="opened_by.username")
    approved_by = serializers.CharField(
        source="approved_by.username", default=None, allow_null=True
    )
    microdata_approved_by = serializers.CharField(
        source="microdata_approved_by.username",
        default=None,
        allow_null=True,
        help_text="The DPO who approved row-level records (records.csv); null: tables only.",
    )

    class Meta:
        model = Release
        fields = [
            "id",
            "state",
            "content_hash",
            "records",
            "since",
            "left_out",
            "risk",
            "rule_sets",
            "opened_by",
            "opened_at",
            "approved_by",
            "approved_at",
            "microdata_approved_by",
            "microdata_approved_at",
            "job",
        ]

    def get_records(self, release: Release) -> int:
        return release.record_count

    @extend_schema_field(LeftOutSerializer)
    def get_left_out(self, release: Release) -> dict:
        counts = {"records": 0, "purged": 0, "encrypted": 0}
        counts.update((release.risk or {}).get("left_out") or {})
        return {**counts, "detail": left_out_message(counts)}

    @extend_schema_field(ReleaseJobSerializer(allow_null=True))
    def get_job(self, release: Release) -> dict | None:
        job = release.jobs.order_by("-started_at", "-pk").first()
        return None if job is None else ReleaseJobSerializer(job).data


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
