"""Every permission decision about projects goes through these helpers.

A user who holds no role in a project gets the same answer as for a project that does not exist
(404), so project ids cannot be probed. A member lacking the role an action needs gets 403: they
already know the project exists. Django's exceptions are used so that API views (DRF converts
them) and pages answer alike.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Membership, Project, Role

ROLE_LABELS = dict(Role.choices)


def is_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def project_roles(user: AbstractBaseUser | AnonymousUser, project: Project) -> set[str]:
    """The roles ``user`` holds in ``project``; admins hold them all."""
    if is_admin(user):
        return set(Role.values)
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, project=project).values_list("role", flat=True))


def projects_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Project]:
    if is_admin(user):
        return Project.objects.all()
    if not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(memberships__user=user).distinct()


def access_project(
    user: AbstractBaseUser | AnonymousUser, project_id: int | str, *roles: str
) -> Project:
    """The project, if ``user`` is a member holding one of ``roles`` (any role if none given)."""
    try:
        project = projects_visible_to(user).get(pk=int(project_id))
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such project.")) from None
    if roles and not project_roles(user, project) & set(roles):
        needed = ", ".join(str(ROLE_LABELS[r]) for r in roles)
        raise PermissionDenied(
            _("In project “%(project)s” this page needs one of these roles: %(roles)s.")
            % {"roles": needed, "project": project.name}
        )
    return project


def can_create_projects(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Admins, and form managers of an existing project (National Society data leads)."""
    return is_admin(user) or (
        user.is_authenticated
        and Membership.objects.filter(user=user, role=Role.FORM_MANAGER).exists()
    )
