"""Who is calling an OpenRosa endpoint.

Devices carry their token in the URL (``/key/{token}/...``, as ODK Central's app users) or as
Enketo's ``?st=``; accounts use HTTP Basic after a ``WWW-Authenticate`` challenge, which Collect
and Enketo need before they send credentials. Accounts may use these endpoints as form managers
(to try a form), never to read data.
"""

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import project_roles
from accounts.auth_backends import WAIT_ATTRIBUTE
from accounts.models import Device, Project, Role
from accounts.provisioning import device_for_token
from accounts.sign_in import paused_message
from lib.problems import Problem
from sync import ingest_cache

REVOKED_MESSAGE = _(
    "This tablet's access is not valid (revoked or mistyped). Ask your supervisor for a new QR "
    "code."
)


@dataclass
class OpenRosaCaller:
    project: Project
    device: Device | None
    user: object | None
    token: str | None  # put back into the URLs the form list hands out
    via_query: bool = False


def _basic_user(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        username, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if "\x00" in username or "\x00" in password:
        raise Problem("request.nul_byte", _("The user name or password holds a NUL character."))
    # A credential checked a moment ago is not hashed again: Collect sends it with every
    # request, and a flood of the same one must cost no password hashing (nor audit rows).
    key = (
        "basic-auth:"
        + hmac.new(settings.SECRET_KEY.encode(), header.encode(), hashlib.sha256).hexdigest()
    )
    remembered = cache.get(key)
    if remembered is not None:
        return _remembered_user(remembered)
    user = authenticate(request, username=username, password=password)
    wait = getattr(request, WAIT_ATTRIBUTE, 0)
    if wait:
        raise Problem(
            "account.sign_in_limited",
            paused_message(wait),
            headers={"Retry-After": str(wait)},
        )
    remembered = (user.pk, _password_mark(user)) if user is not None else ()
    cache.set(key, remembered, settings.WAYPOINT_BASIC_AUTH_CACHE_SECONDS)
    return user


def _password_mark(user) -> str:
    """Changes when the password does: a remembered credential dies with the old password."""
    return hashlib.sha256(user.password.encode()).hexdigest()


def _remembered_user(remembered):
    if not remembered:
        return None  # a failure remembered: refused again without hashing
    pk, mark = remembered
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None or not hmac.compare_digest(_password_mark(user), mark):
        return None
    return user


def resolve_caller(
    request, project_id: int, token: str | None, *, cached: bool = False
) -> OpenRosaCaller:
    """The device or account making this request, allowed in this project; otherwise a
    ``Problem`` (401 ``account.sign_in`` challenges for HTTP Basic). ``cached``: the device
    may come from memory (``sync.ingest_cache``), for a POST whose INSERT checks it again."""
    query_token = request.GET.get("st")
    token = token or query_token
    if token:
        device = (ingest_cache.device_for_token_cached if cached else device_for_token)(token)
        if device is None:
            raise Problem("device.token_invalid", REVOKED_MESSAGE)
        if device.project_id != project_id:
            raise Problem("device.wrong_project", _("This tablet is set up for another project."))
        _touch(device)
        return OpenRosaCaller(device.project, device, None, token, via_query=bool(query_token))
    user = _basic_user(request)
    if user is None:
        raise Problem("account.sign_in", _("Please sign in."))
    project = Project.objects.filter(pk=project_id).first()
    if project is None or Role.FORM_MANAGER not in project_roles(user, project):
        raise Problem(
            "account.not_collector", _("Your account cannot collect data in this project.")
        )
    return OpenRosaCaller(project, None, user, None)


def device_still_active(device: Device, project_id: int) -> Device:
    """The device as the database has it now (not as remembered), or the refusal of a revoked
    or re-issued token."""
    fresh = (
        Device.objects.select_related("project", "service_point")
        .filter(pk=device.pk, token_hash=device.token_hash, revoked_at__isnull=True)
        .first()
    )
    if fresh is None:
        raise Problem("device.token_invalid", REVOKED_MESSAGE)
    if fresh.project_id != project_id:
        raise Problem("device.wrong_project", _("This tablet is set up for another project."))
    return fresh


def _touch(device: Device) -> None:
    """Record that the device was seen, at most every few minutes (not on every request)."""
    now = timezone.now()
    if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > 300:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now  # a remembered device is not touched again at every POST
