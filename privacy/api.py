"""The DPO's API, matching the pages: risk report, compare, rules, re-run progress, releases,
withholding and the audit log. DPOs (and admins) only."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from audit.models import AuditEvent
from forms.api_base import FormScoped
from forms.serializers import PrivacyRuleSetSerializer
from lib.api_defaults import query_data
from lib.downloads import no_store_headers
from lib.problems import Problem
from privacy import review
from privacy.models import AnonymisedRecord, Release
from privacy.review import jobs
from privacy.serializers import (
    ApproveSerializer,
    AuditEventSerializer,
    ComparedRecordSerializer,
    ReleaseSerializer,
    RerunProgressSerializer,
    RiskReportSerializer,
    RulesChangeSerializer,
    WithheldSerializer,
    WithholdSerializer,
)


class DpoFormScoped(FormScoped):
    read_roles = (Role.DPO,)
    write_roles = (Role.DPO,)


CONFLICT = OpenApiResponse(description="Refused as things stand (see `detail` and `code`)")


class CompareQuery(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why you read raw data; recorded in the audit log"
    )
    size = serializers.IntegerField(
        min_value=1, max_value=50, default=5, help_text="Records in the sample"
    )


class RiskReport(DpoFormScoped, APIView):
    @extend_schema(
        summary="A form's risk report, before and after disclosure control (DPO)",
        responses=RiskReportSerializer,
    )
    def get(self, request, *args, **kwargs):
        return Response(RiskReportSerializer(review.risk_report(self.get_form())).data)


class Compare(DpoFormScoped, APIView):
    pagination_class = None  # a sample, at most 50 records

    @extend_schema(
        summary="A sample of records, raw beside anonymised (DPO, each raw read audited)",
        parameters=[CompareQuery],
        responses=ComparedRecordSerializer(many=True),
    )
    def get(self, request, *args, **kwargs):
        query = CompareQuery(data=query_data(request))
        if not query.is_valid():
            if "reason" in query.errors:
                raise Problem("submission.reason_required", _("Say why you read raw data."))
            raise ValidationError(query.errors)
        form = self.get_form()
        sample = review.compare_sample(form=form, user=request.user, **query.validated_data)
        # Raw answers: no copy in any cache.
        return no_store_headers(Response(ComparedRecordSerializer(sample, many=True).data))


class RulesChange(DpoFormScoped, APIView):
    @extend_schema(
        summary="Change questions' privacy rules (DPO): a new rule set, then a re-run",
        request=RulesChangeSerializer,
        responses={201: PrivacyRuleSetSerializer},
    )
    def post(self, request, *args, **kwargs):
        serializer = RulesChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule_set = review.rules_change(
            version=self.get_version(), user=request.user, **serializer.validated_data
        )
        return Response(PrivacyRuleSetSerializer(rule_set).data, status=status.HTTP_201_CREATED)


class RerunProgress(DpoFormScoped, APIView):
    @extend_schema(
        summary="Progress of re-anonymising a version with its current rule set (DPO)",
        responses=RerunProgressSerializer,
    )
    def get(self, request, *args, **kwargs):
        return Response(review.rerun_progress(self.get_version()))


@extend_schema_view(get=extend_schema(summary="A form's releases (DPO)"))
class ReleaseList(DpoFormScoped, generics.ListAPIView):
    serializer_class = ReleaseSerializer

    def get_queryset(self):
        return self.get_form().releases.select_related("opened_by", "approved_by")

    @extend_schema(
        summary="Open a release candidate (DPO), in the background",
        description="202: the candidate is being prepared (state `opening`; `job` shows the "
        "progress, and the refusal if the work finds one). Where tasks run in-process (no "
        "broker) the work is done on return: 201 with the candidate, or the refusal.",
        request=None,
        responses={201: ReleaseSerializer, 202: ReleaseSerializer, 409: CONFLICT},
    )
    def post(self, request, *args, **kwargs):
        job = jobs.job_start(jobs.release_open_request(form=self.get_form(), user=request.user))
        done = job.finished_at is not None
        release = Release.objects.get(pk=job.release_id)
        return Response(
            ReleaseSerializer(release).data,
            status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED,
        )


class ReleaseScoped(DpoFormScoped):
    def get_object(self) -> Release:
        return get_object_or_404(Release, form=self.get_form(), pk=self.kwargs["release_id"])


@extend_schema_view(get=extend_schema(summary="A release candidate or release (DPO)"))
class ReleaseDetail(ReleaseScoped, generics.RetrieveAPIView):
    serializer_class = ReleaseSerializer


class ReleaseApprove(ReleaseScoped, APIView):
    @extend_schema(
        summary="Approve a candidate by its hash (DPO), in the background; refused if anything "
        "changed",
        description="202: the approval is under way (`job` shows the progress, and the refusal "
        "if the frozen copy differs from what was reviewed: then nothing changed). Where tasks "
        "run in-process the work is done on return: 200 with the release, or the refusal.",
        request=ApproveSerializer,
        responses={200: ReleaseSerializer, 202: ReleaseSerializer, 409: CONFLICT},
    )
    def post(self, request, *args, **kwargs):
        serializer = ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = jobs.job_start(
            jobs.release_approve_request(
                release=self.get_object(),
                user=request.user,
                approved_hash=serializer.validated_data["content_hash"],
            )
        )
        release = Release.objects.get(pk=job.release_id)
        done = job.finished_at is not None
        return Response(
            ReleaseSerializer(release).data,
            status=status.HTTP_200_OK if done else status.HTTP_202_ACCEPTED,
        )


class RecordWithhold(DpoFormScoped, APIView):
    @extend_schema(
        summary="Withhold a record from release, with a reason (DPO)",
        request=WithholdSerializer,
        responses={200: WithheldSerializer, 409: CONFLICT},
    )
    def post(self, request, *args, **kwargs):
        serializer = WithholdSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = get_object_or_404(AnonymisedRecord, form=self.get_form(), pk=kwargs["record_id"])
        outcome = review.record_withhold(
            record=record, user=request.user, **serializer.validated_data
        )
        return Response({"record": str(record.pk), "withheld_at": outcome.record.withheld_at})


@extend_schema_view(
    get=extend_schema(
        summary="The project's audit log (DPO)",
        parameters=[
            OpenApiParameter(
                "action", str, description="Part of the action, e.g. raw.read (at most 64 chars)"
            ),
            OpenApiParameter("actor", str, description="Part of the user name (at most 150)"),
        ],
    )
)
class AuditLog(DpoFormScoped, generics.ListAPIView):
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        events = AuditEvent.objects.filter(project=self.get_project())
        for name, limit in (("action", 64), ("actor", 150)):
            if len(self.request.query_params.get(name, "")) > limit:
                raise ValidationError({name: [f"At most {limit} characters."]})
        if self.request.query_params.get("action"):
            events = events.filter(action__icontains=self.request.query_params["action"])
        if self.request.query_params.get("actor"):
            events = events.filter(actor_label__icontains=self.request.query_params["actor"])
        return events
