"""The form manager's tablets: the operations view, and creating, renaming, revoking a tablet
and showing its QR code again.

Every change is a POST answered by a redirect (post-redirect-get): refreshing the page that shows
a new QR code must not create a second tablet. The token travels to that page in the session,
is shown once and removed; only its hash is stored.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import provisioning
from accounts.access import access_project
from accounts.models import Device, Role
from accounts.provisioning import device_credentials
from audit.services import audit_record
from lib.crypto import QuarantineKeyError, seal, unseal
from sync.operations import operations_overview

SESSION_KEY = "waypoint-new-device-token-{}"


def _device(request: HttpRequest, project_id: int, device_id: int) -> Device:
    project = access_project(request.user, project_id, Role.FORM_MANAGER)
    device = project.devices.select_related("project", "service_point").filter(pk=device_id)
    found = device.first()
    if found is None:
        raise Http404(_("No such device."))
    return found


def _show_once(request: HttpRequest, device: Device, token: str) -> HttpResponse:
    """Post-redirect-get: the token waits in the session for the one page that shows it, sealed
    with the quarantine key, so a session row left behind (the page never opened) or a database
    backup holds no live token."""
    sealed = seal(token.encode(), context=SESSION_KEY.format(device.pk).encode())
    request.session[SESSION_KEY.format(device.pk)] = sealed.hex()
    return redirect("device-qr-page", device.project_id, device.pk)


@login_required
def operations(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(request.user, project_id, Role.FORM_MANAGER)
    context = {"project": project, **operations_overview(project=project)}
    return render(request, "sync/operations.html", context)


@login_required
@require_POST
def device_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(request.user, project_id, Role.FORM_MANAGER)
    chosen = request.POST.get("service_point", "")
    point = project.service_points.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    name = request.POST.get("name", "").strip()
    if point is None or not name:
        messages.error(request, _("Give the device a name and choose its service point."))
        return redirect("project-forms", project_id)
    kind = request.POST.get("kind") or Device.Kind.COLLECT
    if kind not in Device.Kind.values:
        messages.error(request, _("Choose ODK Collect or a web tablet."))
        return redirect("project-forms", project_id)
    device, token = provisioning.device_create(
        project=project, service_point=point, name=name, user=request.user, kind=kind
    )
    audit_record(actor=request.user, action="device.created", project=project, target=name)
    return _show_once(request, device, token)


def _unsealed(held: str | None, device: Device) -> str | None:
    if not held:
        return None
    try:
        blob = bytes.fromhex(held)
        return unseal(blob, context=SESSION_KEY.format(device.pk).encode()).decode()
    except (ValueError, QuarantineKeyError):
        return None  # a session from before this change, or sealed with a retired key


@login_required
@never_cache  # the token is on this page once; no copy in the browser's cache
def device_qr(request: HttpRequest, project_id: int, device_id: int) -> HttpResponse:
    device = _device(request, project_id, device_id)
    token = _unsealed(request.session.pop(SESSION_KEY.format(device.pk), None), device)
    credentials = device_credentials(request, device, token) if token else None
    context = {"project": device.project, "device": device, "credentials": credentials}
    return render(request, "sync/device_qr.html", context)


@login_required
@require_POST
def device_reissue(request: HttpRequest, project_id: int, device_id: int) -> HttpResponse:
    device = _device(request, project_id, device_id)
    if not device.is_active:
        messages.error(request, _("A revoked tablet gets no new QR code; create a new tablet."))
        return redirect("operations-page", project_id)
    token = provisioning.device_reissue(device=device)
    audit_record(
        actor=request.user, action="device.reissued", project=device.project, target=device.name
    )
    return _show_once(request, device, token)


@login_required
@require_POST
def device_rename(request: HttpRequest, project_id: int, device_id: int) -> HttpResponse:
    device = _device(request, project_id, device_id)
    try:
        provisioning.device_rename(device=device, name=request.POST.get("name", ""))
    except ValueError:
        messages.error(request, _("A tablet needs a name."))
    else:
        messages.success(request, _("Renamed to “%(name)s”.") % {"name": device.name})
    return redirect("operations-page", project_id)


@login_required
@require_POST
def device_revoke(request: HttpRequest, project_id: int, device_id: int) -> HttpResponse:
    device = _device(request, project_id, device_id)
    provisioning.device_revoke(device=device)
    audit_record(
        actor=request.user, action="device.revoked", project=device.project, target=device.name
    )
    messages.success(
        request,
        _("%(name)s is revoked: it can no longer download forms or send submissions.")
        % {"name": device.name},
    )
    return redirect("operations-page", project_id)
