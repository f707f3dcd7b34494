"""The form manager's pages: publish XLSForms, see their problems and privacy rules, attach
media, open and close forms, and set up tablets. Views parse input and call the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import access_project, project_roles
from accounts.models import Device, Role
from forms import services
from forms.access import access_form, access_form_version
from forms.models import FormState
from forms.problems import FormRejected
from lib.problems import flash_problems


def _context(request, project, **extra) -> dict:
    roles = project_roles(request.user, project)
    return {"project": project, "is_form_manager": Role.FORM_MANAGER in roles, **extra}


@login_required
def project_forms(request, project_id: int, *, problems=None, status=200):
    project = access_project(request.user, project_id)
    context = _context(
        request,
        project,
        forms=project.forms.prefetch_related("versions"),
        problems=problems,
        states=FormState.choices,
    )
    if context["is_form_manager"]:
        context["devices"] = project.devices.select_related("service_point")
        context["service_points"] = project.service_points.all()
        context["device_kinds"] = Device.Kind.choices
    return render(request, "forms/project_forms.html", context, status=status)


@login_required
@require_POST
def form_upload(request, project_id: int):
    project = access_project(request.user, project_id, Role.FORM_MANAGER)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an XLSForm file to upload."))
        return redirect("project-forms", project_id)
    try:
        result = services.form_upload(
            project=project,
            filename=upload.name,
            data=services.read_form_file(upload),
            user=request.user,
        )
    except FormRejected as exc:
        return project_forms(
            request, project_id, problems={"file": upload.name, "items": exc.problems}, status=400
        )
    version = result.version
    if result.created:
        messages.success(
            request,
            _("Published %(title)s, version %(version)s.")
            % {"title": version.form.title, "version": version.version},
        )
    else:
        messages.info(
            request,
            _("Version %(version)s was already published; nothing changed.")
            % {"version": version.version},
        )
    for warning in version.warnings:
        messages.warning(request, warning["message"])
    return redirect("form-version-page", project_id, version.form.form_id, version.version)


@login_required
@require_POST
@flash_problems("project-forms", "project_id")
def form_state(request, project_id: int, form_id: str):
    form = access_form(request.user, project_id, form_id, Role.FORM_MANAGER)
    services.form_set_state(form=form, state=request.POST.get("state", ""))
    messages.success(
        request,
        _("%(title)s is now: %(state)s.")
        % {"title": form.title, "state": form.get_state_display()},
    )
    return redirect("project-forms", project_id)


@login_required
def form_version(request, project_id: int, form_id: str, version: str, *, problems=None):
    version_obj = access_form_version(request.user, project_id, form_id, version)
    project = version_obj.form.project
    present = {m.filename: m for m in version_obj.media.all()}
    rule_set = version_obj.current_rule_set
    context = _context(
        request,
        project,
        version=version_obj,
        media=[(name, present.get(name)) for name in version_obj.media_expected],
        rule_set=rule_set,
        rules=rule_set.rules.all() if rule_set else [],
        problems=problems,
    )
    return render(request, "forms/form_version.html", context, status=400 if problems else 200)


@login_required
@require_POST
def media_upload(request, project_id: int, form_id: str, version: str):
    version_obj = access_form_version(request.user, project_id, form_id, version, Role.FORM_MANAGER)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            services.media_upload(
                version=version_obj,
                filename=upload.name,
                data=services.read_media_file(upload),
                user=request.user,
            )
        except FormRejected as exc:
            return form_version(
                request,
                project_id,
                form_id,
                version,
                problems={"file": upload.name, "items": exc.problems},
            )
        messages.success(request, _("Attached %(name)s.") % {"name": upload.name})
    return redirect("form-version-page", project_id, form_id, version)
