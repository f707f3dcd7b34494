from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import ROLE_LABELS, project_roles, projects_visible_to


def home(request: HttpRequest) -> HttpResponse:
    projects = []
    for project in projects_visible_to(request.user):
        roles = project_roles(request.user, project)
        projects.append((project, sorted(ROLE_LABELS[r] for r in roles), "dpo" in roles))
    return render(request, "home.html", {"projects": projects})
