from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from accounts.access import ROLE_LABELS, project_roles, projects_visible_to
from accounts.models import Role


def home(request: HttpRequest) -> HttpResponse:
    """Each project with the pages the user's roles open, and only those: a link that ends on a
    403 page is a dead end."""
    projects = []
    for project in projects_visible_to(request.user):
        roles = project_roles(request.user, project)
        projects.append(
            {
                "project": project,
                "roles": sorted(str(ROLE_LABELS[r]) for r in roles),
                "is_form_manager": Role.FORM_MANAGER in roles,
                "is_dpo": Role.DPO in roles,
                "sees_results": bool(roles & {Role.ANALYST, Role.DPO}),
            }
        )
    return render(request, "home.html", {"projects": projects})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; answer with the static icon rather
    than a 404 on every page."""
    return redirect(static("waypoint/favicon.svg"), permanent=True)
