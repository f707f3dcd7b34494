"""The DPO's access to the quarantine: submission metadata, and audited reads of raw data."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from forms.api_base import FormScoped
from lib.api_defaults import query_data
from lib.downloads import as_download, no_store_headers
from sync import selectors
from sync.instance import identity_key
from sync.models import Submission
from sync.serializers import DecryptedSerializer, DecryptRequestSerializer, SubmissionSerializer

REASON = OpenApiParameter(
    "reason",
    {"type": "string", "pattern": r"\S"},
    OpenApiParameter.QUERY,
    required=True,
    description="Why you read raw data; recorded in the audit log. The X-Waypoint-Reason header "
    "works too.",
)
NO_REASON = OpenApiResponse(description="No reason given (code `submission.reason_required`)")
RAW_XML = {(200, "text/xml"): OpenApiTypes.STR, 400: NO_REASON}
# Served as opaque bytes whatever the file name suggests: a submitted "photo.html" or ".svg"
# must never render in the DPO's browser.
RAW_FILE = {(200, "application/octet-stream"): OpenApiTypes.BINARY, 400: NO_REASON}


class DpoScoped(FormScoped):
    read_roles = (Role.DPO,)
    write_roles = (Role.DPO,)

    def get_submissions(self):
        return Submission.objects.filter(form=self.get_form()).select_related(
            "form__project", "version", "service_point", "device", "deprecates"
        )

    def get_submission(self) -> Submission:
        # A long instanceID is stored under its key (sync.instance.identity_key).
        key = identity_key(self.kwargs["instance_id"])
        return get_object_or_404(self.get_submissions(), instance_id=key)

    def finalize_response(self, request, response, *args, **kwargs):
        # Every answer here is about raw data (metadata, XML, files, decrypted content).
        response = super().finalize_response(request, response, *args, **kwargs)
        return no_store_headers(response)

    def reason(self) -> str:
        return self.request.headers.get("X-Waypoint-Reason") or self.request.query_params.get(
            "reason", ""
        )


class SubmissionQuery(serializers.Serializer):
    # default=None: in a query string DRF reads an absent boolean as False, like a checkbox.
    complete = serializers.BooleanField(
        allow_null=True, default=None, help_text="Only complete (or incomplete) ones"
    )
    has_conflict = serializers.BooleanField(
        allow_null=True, default=None, help_text="Only those with conflicting copies"
    )


@extend_schema_view(
    get=extend_schema(
        summary="List a form's submissions in quarantine (DPO; metadata only)",
        parameters=[SubmissionQuery],
    )
)
class SubmissionList(DpoScoped, generics.ListAPIView):
    serializer_class = SubmissionSerializer

    def get_queryset(self):
        queryset = self.get_submissions().prefetch_related("attachments", "conflicting_copies")
        query = SubmissionQuery(data=query_data(self.request))
        query.is_valid(raise_exception=True)
        flags = {name: value for name, value in query.validated_data.items() if value is not None}
        return queryset.filter(**flags)


@extend_schema_view(get=extend_schema(summary="Read a submission's metadata (DPO)"))
class SubmissionDetail(DpoScoped, generics.RetrieveAPIView):
    serializer_class = SubmissionSerializer

    def get_object(self):
        return self.get_submission()


class SubmissionXml(DpoScoped, APIView):
    @extend_schema(
        summary="Read a submission's raw XML (DPO, audited)", parameters=[REASON], responses=RAW_XML
    )
    def get(self, request, *args, **kwargs):
        submission = self.get_submission()
        xml = selectors.raw_xml_read(user=request.user, submission=submission, reason=self.reason())
        response = HttpResponse(xml, content_type="text/xml; charset=utf-8")
        return as_download(response, f"{submission.instance_id}.xml", no_store=True)


class SubmissionConflictXml(DpoScoped, APIView):
    @extend_schema(
        summary="Read a conflicting copy's raw XML (DPO, audited)",
        parameters=[REASON],
        responses=RAW_XML,
    )
    def get(self, request, *args, **kwargs):
        submission = self.get_submission()
        get_object_or_404(submission.conflicting_copies, pk=kwargs["copy_id"])
        xml = selectors.raw_conflict_read(
            user=request.user,
            submission=submission,
            copy_id=kwargs["copy_id"],
            reason=self.reason(),
        )
        response = HttpResponse(xml, content_type="text/xml; charset=utf-8")
        return as_download(
            response, f"{submission.instance_id}-{kwargs['copy_id']}.xml", no_store=True
        )


class SubmissionAttachment(DpoScoped, APIView):
    @extend_schema(
        summary="Download a raw attachment (DPO, audited)", parameters=[REASON], responses=RAW_FILE
    )
    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(self.get_submission().attachments, name=kwargs["name"])
        data = selectors.raw_attachment_read(
            user=request.user, attachment=attachment, reason=self.reason()
        )
        response = HttpResponse(data, content_type="application/octet-stream")
        return as_download(response, attachment.name, no_store=True)


class SubmissionDecrypt(DpoScoped, APIView):
    @extend_schema(
        summary="Open a device-encrypted submission with the form's private key (DPO, audited)",
        description="The key and the decrypted content are used for this answer only; Waypoint "
        "keeps the submission encrypted as received.",
        request=DecryptRequestSerializer,
        responses={
            200: DecryptedSerializer,
            400: OpenApiResponse(description="Wrong key or not encrypted"),
        },
    )
    def post(self, request, *args, **kwargs):
        submission = self.get_submission()
        serializer = DecryptRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        opened = selectors.device_encrypted_open(
            user=request.user,
            submission=submission,
            private_key_pem=serializer.validated_data["private_key"].encode(),
            reason=serializer.validated_data["reason"],
        )
        return Response(opened, status=status.HTTP_200_OK)
