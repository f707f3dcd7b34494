"""The DPO's "Recover a revoked tablet's submissions": a page and its API twin. Both read the
uploaded file and call ``webforms.recovery``; only a DPO of the project (or an admin) may."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import access_project
from accounts.api_base import ProjectScoped
from accounts.models import Project, Role
from lib.problems import Problem
from webforms.recovery import recovery_ingest, recovery_limit, too_large


def _read(upload) -> bytes:
    """The upload's bytes, refused by its size before any is read into memory (Django has
    spooled a large upload to a temporary file); never more than the limit plus one byte."""
    if upload is None:
        raise Problem("upload.no_file", _("Choose the recovery file the tablet exported."))
    limit = recovery_limit()
    if upload.size is not None and upload.size > limit:
        raise too_large()
    return upload.read(limit + 1)


@login_required
@never_cache
def recovery_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project: Project = access_project(request.user, project_id, Role.DPO)
    context: dict = {"project": project}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            report = recovery_ingest(
                user=request.user,
                project=project,
                data=_read(upload),
                filename=getattr(upload, "name", ""),
            )
            context["report"] = report.as_json()
        except Problem as problem:
            context["problem"] = problem
            status = problem.status
    return render(request, "webforms/recovery.html", context, status=status)


class RecoveryUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file a web tablet exported for the DPO.")


class RecoveredItemSerializer(serializers.Serializer):
    instance_id = serializers.CharField()
    form_id = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["stored", "duplicate", "conflict", "refused"])
    code = serializers.CharField(required=False, help_text="Why it was refused.")
    detail = serializers.CharField()


class RecoveryDeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    revoked = serializers.BooleanField()


class RecoveryReportSerializer(serializers.Serializer):
    device = RecoveryDeviceSerializer()
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    conflicts = serializers.IntegerField()
    refused = serializers.IntegerField()
    items = RecoveredItemSerializer(many=True)


class RecoveryUpload(ProjectScoped, APIView):
    read_roles = (Role.DPO,)
    write_roles = (Role.DPO,)
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Recover a revoked web tablet's submissions from its export (DPO, audited)",
        description="Opens the file the tablet exported for the DPO and stores each submission "
        "as if the tablet had sent it: deduplicated by instanceID, conflicts and edits as for "
        "Collect, attributed to the tablet. A file that is not a recovery file, is cut short, "
        "was altered or belongs to another project is refused whole and stores nothing.",
        request={"multipart/form-data": RecoveryUploadSerializer},
        responses={
            200: RecoveryReportSerializer,
            400: OpenApiResponse(description="Refused file (codes `recovery.*`)"),
        },
    )
    def post(self, request, *args, **kwargs):
        project = self.get_project()
        upload = request.FILES.get("file")
        report = recovery_ingest(
            user=request.user,
            project=project,
            data=_read(upload),
            filename=getattr(upload, "name", ""),
        )
        return Response(report.as_json())
