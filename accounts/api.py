"""Projects, reference data, service points and device credentials."""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts import provisioning
from accounts.access import access_project, can_create_projects, projects_visible_to
from accounts.api_base import ProjectScoped
from accounts.models import Membership, NationalSociety, RegionalNetwork, Role
from accounts.provisioning import device_credentials
from accounts.serializers import (
    DeviceCreatedSerializer,
    DeviceSerializer,
    NationalSocietySerializer,
    ProjectSerializer,
    RegionalNetworkSerializer,
    ServicePointSerializer,
)

PRIVACY_SETTINGS = {"k_anonymity", "disclosure_mode", "cell_threshold", "retention_days"}


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
            raise PermissionDenied("Only admins and form managers can create projects.")
        project = serializer.save()
        Membership.objects.create(user=self.request.user, project=project, role=Role.FORM_MANAGER)


@extend_schema_view(
    get=extend_schema(summary="Read a project"),
    patch=extend_schema(
        summary="Change a project",
        description="Form managers change name and description; privacy thresholds "
        "(k_anonymity, disclosure_mode, cell_threshold, retention_days) are the DPO's.",
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
        changing = set(self.request.data)
        project = (
            access_project(user, project_id, Role.DPO) if changing & PRIVACY_SETTINGS else None
        )
        if project is None or changing - PRIVACY_SETTINGS:
            project = access_project(user, project_id, Role.FORM_MANAGER)
        return project


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
        serializer.save(project=self.get_project())


@extend_schema_view(
    get=extend_schema(summary="Read a service point"),
    patch=extend_schema(summary="Change a service point (form manager)"),
)
class ServicePointDetail(ProjectScoped, generics.RetrieveUpdateAPIView):
    serializer_class = ServicePointSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return self.get_project().service_points.all()


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
