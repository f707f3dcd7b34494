"""The forms API: upload XLSForms, read versions and privacy rules, attach media, open/close."""

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from forms import services
from forms.api_base import FormScoped
from forms.models import Form, FormVersion
from forms.problems import Finding, FormRejected
from forms.serializers import (
    FormSerializer,
    FormStateSerializer,
    FormUploadResultSerializer,
    FormUploadSerializer,
    FormVersionSerializer,
    MediaFileSerializer,
    MediaUploadSerializer,
    PrivacyRuleSetSerializer,
    UploadRejectedSerializer,
)

REJECTED = {
    400: OpenApiResponse(UploadRejectedSerializer, description="The file was refused."),
    409: OpenApiResponse(UploadRejectedSerializer, description="That version already exists."),
    413: OpenApiResponse(UploadRejectedSerializer, description="The file is too large."),
}


def uploaded_file(serializer_class: type[Serializer], request: Request) -> UploadedFile:
    """The ``file`` part, or a refusal shaped like every other refused upload."""
    try:
        serializer = serializer_class(data=request.data)
    except ParseError as exc:
        message = _("The upload arrived incomplete or damaged. Please send it again.")
        raise FormRejected([Finding("upload.unreadable", message)]) from exc
    if not serializer.is_valid():
        message = _("Send the file as multipart/form-data, in a part named `file`.")
        raise FormRejected([Finding("upload.no_file", message)])
    return serializer.validated_data["file"]


@extend_schema_view(
    get=extend_schema(summary="List the project's forms"),
)
class FormList(FormScoped, generics.ListAPIView):
    serializer_class = FormSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return self.get_project().forms.prefetch_related("versions")

    @extend_schema(
        summary="Upload an XLSForm or XForm (form manager)",
        description="Publishes a new form or a new version of an existing one (same `form_id`, "
        "new `version`). Every pyxform and ODK Validate problem comes back with its sheet, row "
        "and column; a refused upload changes nothing.",
        request={"multipart/form-data": FormUploadSerializer},
        responses={201: FormUploadResultSerializer, 200: FormUploadResultSerializer, **REJECTED},
    )
    def post(self, request, *args, **kwargs):
        project = self.get_project()
        upload = uploaded_file(FormUploadSerializer, request)
        data = services.read_form_file(upload)
        result = services.form_upload(
            project=project, filename=upload.name, data=data, user=request.user
        )
        body = {
            "created": result.created,
            "form": FormSerializer(result.version.form).data,
            "version": FormVersionSerializer(result.version).data,
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created else 200)


@extend_schema_view(
    get=extend_schema(summary="Read a form and its versions"),
)
class FormDetail(FormScoped, generics.RetrieveAPIView):
    serializer_class = FormSerializer

    def get_object(self) -> Form:
        return self.get_form()

    @extend_schema(
        summary="Open, close or set a form to closing (form manager)",
        request=FormStateSerializer,
        responses={200: FormSerializer},
    )
    def patch(self, request, *args, **kwargs):
        form = self.get_form()
        serializer = FormStateSerializer(data=request.data, partial=True)  # PATCH: as DRF does
        serializer.is_valid(raise_exception=True)
        if "state" in serializer.validated_data:
            services.form_set_state(form=form, state=serializer.validated_data["state"])
        return Response(FormSerializer(form).data)


@extend_schema_view(get=extend_schema(summary="Read a form version: questions, media, rules"))
class FormVersionDetail(FormScoped, generics.RetrieveAPIView):
    serializer_class = FormVersionSerializer

    def get_object(self) -> FormVersion:
        return self.get_version()


class FormVersionXForm(FormScoped, APIView):
    @extend_schema(
        summary="Download a version's XForm, byte for byte as devices get it",
        responses={(200, "text/xml"): OpenApiResponse(description="The XForm")},
    )
    def get(self, request, *args, **kwargs):
        version = self.get_version()
        response = HttpResponse(bytes(version.xform), content_type="text/xml; charset=utf-8")
        response["ETag"] = f'"{version.md5}"'
        response["Content-Disposition"] = f'attachment; filename="{version.form.form_id}.xml"'
        return response


@extend_schema_view(get=extend_schema(summary="List a version's privacy rule sets, newest first"))
class RuleSetList(FormScoped, generics.ListAPIView):
    serializer_class = PrivacyRuleSetSerializer
    read_roles = ()

    def get_queryset(self):
        return self.get_version().rule_sets.prefetch_related("rules")


@extend_schema_view(get=extend_schema(summary="List a version's media files"))
class MediaList(FormScoped, generics.ListAPIView):
    serializer_class = MediaFileSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return self.get_version().media.all()

    @extend_schema(
        summary="Upload a media file the form uses (form manager)",
        description="The file name must be one the form refers to (`media_expected`); uploading "
        "the same name again replaces it, and devices see the new md5 in the manifest.",
        request={"multipart/form-data": MediaUploadSerializer},
        responses={201: MediaFileSerializer, **REJECTED},
    )
    def post(self, request, *args, **kwargs):
        version = self.get_version()
        upload = uploaded_file(MediaUploadSerializer, request)
        data = services.read_media_file(upload)
        media = services.media_upload(
            version=version, filename=upload.name, data=data, user=request.user
        )
        return Response(MediaFileSerializer(media).data, status=status.HTTP_201_CREATED)
