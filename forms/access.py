"""The doors to forms: every view that names a form by its project and ``form_id`` comes in
through one of these, for people and for devices.

They live here, not in ``accounts.access``, because the import-linter layers contract keeps
accounts below forms (accounts never imports forms); they are built on
``accounts.access.access_project`` and answer as it does: a form that does not exist and a form
the caller may not see are the same 404, so form ids cannot be probed.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.access import access_project
from accounts.models import Device, Project
from forms.models import Form, FormVersion


def form_in_project(project: Project, form_id: str) -> Form:
    """The form of a project the caller was already let into (see ``access_project``)."""
    form = Form.objects.filter(project=project, form_id=form_id).first()
    if form is None:
        raise Http404(_("No such form."))
    form.project = project  # already loaded: spare the query
    return form


def access_form(
    user: AbstractBaseUser | AnonymousUser, project_id: int | str, form_id: str, *roles: str
) -> Form:
    """The form, if ``user`` holds one of ``roles`` in its project (any role if none given).
    ``form.project`` is loaded."""
    return form_in_project(access_project(user, project_id, *roles), form_id)


def access_form_version(
    user: AbstractBaseUser | AnonymousUser,
    project_id: int | str,
    form_id: str,
    version: str,
    *roles: str,
) -> FormVersion:
    """One version of a form, behind the same door as ``access_form``."""
    project = access_project(user, project_id, *roles)
    found = (
        FormVersion.objects.select_related("form")
        .filter(form__project=project, form__form_id=form_id, version=version)
        .first()
    )
    if found is None:
        raise Http404(_("No such form version."))
    found.form.project = project
    return found


def device_forms(device: Device | None, project_id: int) -> QuerySet[Form]:
    """The forms of the project a device may list, download and submit to: all of them, or
    only those assigned to it (``all_forms`` off). ``device=None`` is an account already let
    in as a form manager (HTTP Basic on the OpenRosa endpoints), which sees every form."""
    forms = Form.objects.filter(project_id=project_id)
    if device is not None and not device.all_forms:
        forms = forms.filter(devices=device)
    return forms


def access_form_for_device(device: Device | None, project_id: int, form_id: str) -> Form:
    """The form, if the device may have it; 404 alike for missing and not assigned."""
    form = device_forms(device, project_id).filter(form_id=form_id).first()
    if form is None:
        raise Http404(_("No such form."))
    return form


def published_version(form: Form) -> FormVersion:
    """The version devices download. Every form is created with its first version, so a form
    without one is a half-written upload: it answers as a missing form does."""
    version = form.current_version
    if version is None:
        raise Http404(_("No such form."))
    return version
