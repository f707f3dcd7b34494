"""The DPO's approvals beyond a release itself: a version's privacy rules (a form manager's
proposal until then) and a release's row-level microdata file, with its risk report."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from forms.models import PrivacyRuleSet
from forms.serializers import PrivacyRuleSetSerializer
from lib.api_defaults import StrictCharField
from privacy.api import CONFLICT, DpoFormScoped, ReleaseScoped
from privacy.review.approvals import rule_set_approve
from privacy.review.microdata import microdata_approve, microdata_report
from privacy.serializers import ReleaseSerializer


class RuleSetApproveInput(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, default="")


class MicrodataApproveInput(serializers.Serializer):
    reason = StrictCharField(help_text="Why analysts need row-level records; audited.")


class MicrodataReportSerializer(serializers.Serializer):
    records = serializers.IntegerField(help_text="Records in the release")
    k = serializers.IntegerField(help_text="The project's k")
    l = serializers.IntegerField(help_text="Distinct l-diversity each sensitive question needs")  # noqa: E741
    k_before = serializers.IntegerField(help_text="Smallest class, every record included")
    below_k = serializers.IntegerField(help_text="Records in classes smaller than k")
    l_before = serializers.DictField(child=serializers.IntegerField())
    below_l = serializers.DictField(child=serializers.IntegerField())
    excluded = serializers.IntegerField(help_text="Records left out of the file")
    in_file = serializers.IntegerField(help_text="Records in the file")
    k_after = serializers.IntegerField(help_text="Smallest class in the file")
    l_after = serializers.DictField(child=serializers.IntegerField())
    dimensions = serializers.ListField(child=serializers.CharField())
    quasi_identifiers = serializers.ListField(child=serializers.CharField())
    sensitive = serializers.ListField(child=serializers.CharField())
    withheld_marker = serializers.CharField(help_text="How the file shows a withheld value")


class RuleSetApprove(DpoFormScoped, APIView):
    @extend_schema(
        summary="Approve a version's current privacy rules (DPO, audited)",
        description="Rules an upload brings are a form manager's proposal: no release of the "
        "version's records opens until a DPO approves them (`rules.unapproved`).",
        request=RuleSetApproveInput,
        responses={200: PrivacyRuleSetSerializer, 409: CONFLICT},
    )
    def post(self, request, *args, **kwargs):
        serializer = RuleSetApproveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule_set = get_object_or_404(
            PrivacyRuleSet, version=self.get_version(), number=kwargs["number"]
        )
        approved = rule_set_approve(
            rule_set=rule_set, user=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(PrivacyRuleSetSerializer(approved).data)


class Microdata(ReleaseScoped, APIView):
    @extend_schema(
        summary="The risk report of a release's records as a row-level file (DPO)",
        description="k over the dimensions (service point, country, National Society, "
        "networks, month) and the quasi-identifiers, distinct l-diversity of each sensitive "
        "question; records of classes below either are left out of the file.",
        responses={200: MicrodataReportSerializer, 409: CONFLICT},
    )
    def get(self, request, *args, **kwargs):
        return Response(MicrodataReportSerializer(microdata_report(self.get_object())).data)

    @extend_schema(
        summary="Approve the release's row-level file for analysts (DPO, with a reason, audited)",
        request=MicrodataApproveInput,
        responses={200: ReleaseSerializer, 409: CONFLICT},
    )
    def post(self, request, *args, **kwargs):
        serializer = MicrodataApproveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        release = microdata_approve(
            release=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(ReleaseSerializer(release).data)
