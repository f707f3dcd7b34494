"""Projects, reference data, service points and device credentials."""

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts import privacy_settings, provisioning
from accounts.access import access_project, can_create_projects, projects_visible_to
from accounts.api_base import ProjectScoped
from accounts.models import Device, Membership, NationalSociety, RegionalNetwork, Role
from accounts.provisioning import device_credentials
from accounts.serializers import (
    DeviceCreatedSerializer,
    DeviceSerializer,
    LeftOutUnconfirmedSerializer,
    NationalSocietySerializer,
    ProjectSerializer,
    RegionalNetworkSerializer,
    ServicePointSerializer,
)
from lib.problems import Problem, interpolate

PRIVACY_SETTINGS = set(privacy_settings.SETTINGS)


class AdminWritesOrReadOnly(permissions.BasePermission):
    """Reference data (networks, National Societies) is shared; only admins change it."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return bool(request.user and request.user.is_superuser)


@extend_schema_view(
    get=extend_schema(summary="List regional migration networks"),
    post=extend_schema(summary="Add a regional migration network (admin)"),
)
class NetworkList(generics.ListCreateAPIView):
    queryset = RegionalNetwork.objects.all()
    serializer_class = RegionalNetworkSerializer
    permission_classes = [AdminWritesOrReadOnly]


@extend_schema_view(
    get=extend_schema(summary="List National Societies"),
    post=extend_schema(summary="Add a National Society (admin)"),
)
class NationalSocietyList(generics.ListCreateAPIView):
    queryset = NationalSociety.objects.prefetch_related("networks")
    serializer_class = NationalSocietySerializer
    permission_classes = [AdminWritesOrReadOnly]


@extend_schema_view(
    get=extend_schema(summary="List the projects you hold a role in"),
    post=extend_schema(
        summary="Create a project",
        description="Admins and form managers may create projects; the creator becomes its "
        "form manager.",
    ),
)
class ProjectList(generics.ListCreateAPIView):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return projects_visible_to(self.request.user)

    def perform_create(self, serializer) -> None:
        if not can_create_projects(self.request.user):
            raise PermissionDenied(_("Only admins and form managers can create projects."))
        values, reason, confirm = _privacy_values(serializer)
        with transaction.atomic():
            project = serializer.save()  # with the defaults; then the admin's choice, audited
            Membership.objects.create(
                user=self.request.user, project=project, role=Role.FORM_MANAGER
            )
            if any(getattr(project, name) != value for name, value in values.items()):
                privacy_settings.settings_change(
                    project=project,
                    user=self.request.user,
                    values=values,
                    reason=reason,
                    confirm_left_out=confirm,
                )


def _privacy_values(serializer) -> tuple[dict, str, int | None]:
    """Take the privacy settings, the reason and the confirmation (a count of records, or
    None) out of ``serializer``'s validated data: they are changed through
    ``accounts.privacy_settings`` only."""
    data = serializer.validated_data
    reason = data.pop("reason", "")
    confirm = data.pop("confirm_left_out", None)
    values = {name: data.pop(name) for name in list(data) if name in PRIVACY_SETTINGS}
    privacy_settings.settings_check(values)
    return values, reason, confirm


@extend_schema_view(
    get=extend_schema(summary="Read a project"),
    patch=extend_schema(
        summary="Change a project",
        description="Form managers change name and description. Privacy settings "
        "(k_anonymity, cell_threshold, disclosure_mode, missing_values, retention_days, "
        "pair_geography, pair_time, everyday_names) are the DPO's and admins': a change needs "
        "a `reason` and is "
        "audited old -> new; k and the threshold are at least 2, the pair levels one of their "
        "choices (codes `settings.dpo_only`, `settings.reason_required`, "
        "`settings.out_of_bounds`). A change of `everyday_names` that would leave records out "
        "of every later release for good (raw data purged on schedule, or encrypted on the "
        "device) is refused (409) with `settings.left_out_unconfirmed` and the counts in "
        "`left_out`; send it again with `confirm_left_out` set to `left_out.records`, the "
        "number you agree to leave out. Should a purge since leave out more, it is refused "
        "again with the new count. The threshold and the pair levels are frozen into a "
        "release's tables when they are computed: a change applies from the next release.",
        responses={
            200: ProjectSerializer,
            409: OpenApiResponse(
                LeftOutUnconfirmedSerializer,
                description="`settings.left_out_unconfirmed`: the change would leave records "
                "out of every later release for good; how many in `left_out`.",
            ),
        },
    ),
)
class ProjectDetail(generics.RetrieveUpdateAPIView):
    serializer_class = ProjectSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        user, project_id = self.request.user, self.kwargs["project_id"]
        if self.request.method != "PATCH":
            return access_project(user, project_id)
        if not isinstance(self.request.data, Mapping):
            raise ValidationError({"non_field_errors": ["Send an object of fields to change."]})
        changing = set(self.request.data) - {"reason", "confirm_left_out"}
        project = access_project(user, project_id)  # 404 for a project not theirs
        if changing - PRIVACY_SETTINGS or not changing:
            project = access_project(user, project_id, Role.FORM_MANAGER)
        if changing & PRIVACY_SETTINGS and not privacy_settings.may_change_settings(user, project):
            raise Problem(
                "settings.dpo_only",
                _(
                    "Only a data protection officer of this project (or an admin) changes its "
                    "privacy settings."
                ),
            )
        return project

    def perform_update(self, serializer) -> None:
        values, reason, confirm = _privacy_values(serializer)
        with transaction.atomic():  # a refused settings change leaves the name unchanged too
            privacy_settings.settings_change(
                project=serializer.instance,
                user=self.request.user,
                values=values,
                reason=reason,
                confirm_left_out=confirm,
            )
            serializer.save()


@extend_schema_view(
    get=extend_schema(summary="List service points"),
    post=extend_schema(summary="Add a service point (form manager)"),
)
class ServicePointList(ProjectScoped, generics.ListCreateAPIView):
    serializer_class = ServicePointSerializer

    def get_queryset(self):
        return (
            self.get_project()
            .service_points.select_related("national_society")
            .prefetch_related("national_society__networks")
        )

    def perform_create(self, serializer) -> None:
        service_point_save(serializer, project=self.get_project())


def service_point_save(serializer, **extra) -> None:
    """Save, refusing a name the project already uses with a code rather than a 500 (the
    database's unique constraint is the last word, so two racing requests are refused too)."""
    name = serializer.validated_data.get("name")
    project = extra.get("project") or serializer.instance.project
    taken = project.service_points.filter(name=name)
    if serializer.instance is not None:
        taken = taken.exclude(pk=serializer.instance.pk)
    try:
        if name is not None and taken.exists():
            raise IntegrityError
        with transaction.atomic():
            serializer.save(**extra)
    except IntegrityError as exc:
        raise Problem(
            "service_point.name_taken",
            interpolate(_("This project already has a service point named “%(name)s”."), name=name),
        ) from exc


@extend_schema_view(
    get=extend_schema(summary="Read a service point"),
    patch=extend_schema(summary="Change a service point (form manager)"),
)
class ServicePointDetail(ProjectScoped, generics.RetrieveUpdateAPIView):
    serializer_class = ServicePointSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return self.get_project().service_points.all()

    def perform_update(self, serializer) -> None:
        service_point_save(serializer)


@extend_schema_view(
    get=extend_schema(summary="List device credentials (form manager)"),
    post=extend_schema(
        summary="Create a device credential (form manager)",
        description="Returns the token once, the server URL to type into ODK Collect, and a QR "
        "code that configures ODK Collect in one scan.",
        responses={201: DeviceCreatedSerializer},
    ),
)
class DeviceList(ProjectScoped, generics.ListCreateAPIView):
    serializer_class = DeviceSerializer
    read_roles = (Role.FORM_MANAGER,)

    def get_queryset(self):
        return self.get_project().devices.select_related("service_point").prefetch_related("forms")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = self.get_project()
        device, token = provisioning.device_create(
            project=project,
            service_point=serializer.validated_data["service_point"],
            name=serializer.validated_data["name"],
            user=request.user,
            kind=serializer.validated_data.get("kind", Device.Kind.COLLECT),
        )
        device.all_forms = serializer.validated_data.get("all_forms", True)
        device.save(update_fields=["all_forms"])
        device.forms.set(serializer.validated_data.get("forms", []))
        data = {**DeviceSerializer(device).data, **device_credentials(request, device, token)}
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Read a device credential (form manager)"),
    patch=extend_schema(summary="Change a device's name or forms (form manager)"),
    delete=extend_schema(summary="Revoke a device credential (form manager)"),
)
class DeviceDetail(ProjectScoped, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = DeviceSerializer
    read_roles = (Role.FORM_MANAGER,)
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return self.get_project().devices.select_related("service_point")

    def perform_destroy(self, instance) -> None:
        provisioning.device_revoke(device=instance)
