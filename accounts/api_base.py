"""What the API views of every app under /projects/{project_id}/ share, kept out of
``accounts.api`` so that other apps import a base, not another app's endpoints."""

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from accounts.access import access_project
from accounts.models import Project, Role


class ProjectScoped:
    """Views under /projects/{project_id}/: members read, form managers write."""

    # The roles a method needs (any role when empty). The docstring above is what the OpenAPI
    # schema shows for every operation that has no description of its own: keep it short.
    # The DRF view this is mixed into sets these.
    request: Request
    kwargs: dict[str, Any]

    write_roles: tuple[Role, ...] = (Role.FORM_MANAGER,)
    read_roles: tuple[Role, ...] = ()

    def roles(self) -> tuple[Role, ...]:
        return (
            self.read_roles if self.request.method in permissions.SAFE_METHODS else self.write_roles
        )

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = access_project(
                self.request.user, self.kwargs["project_id"], *self.roles()
            )
        return self._project

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["project"] = self.get_project()
        return context
