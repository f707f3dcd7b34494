"""The device's QR code page: the link `make run` prints and a form manager hands to a volunteer.

Only someone holding the device's token can open it, and the token is the credential the QR code
carries anyway, so the page reveals nothing its visitor does not already hold.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts import provisioning, tokens
from accounts.provisioning import device_credentials


def _device(token: str, project_id: int):
    device = provisioning.device_for_token(token)
    if device is None or device.project_id != project_id:
        raise Http404("No such device.")
    return device


def device_qr_page(request: HttpRequest, token: str, project_id: int) -> HttpResponse:
    device = _device(token, project_id)
    credentials = device_credentials(request, device, token)
    return render(request, "accounts/device_qr.html", {"device": device, **credentials})


def device_qr_png(request: HttpRequest, token: str, project_id: int) -> HttpResponse:
    device = _device(token, project_id)
    credentials = device_credentials(request, device, token)
    payload = provisioning.collect_qr_payload(credentials["collect_settings"])
    response = HttpResponse(provisioning.qr_png(payload), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache  # the new key is on this page once; no copy in the browser's cache
def api_tokens(request: HttpRequest) -> HttpResponse:
    """A person's API tokens: create one (its key shown once), see the live ones, revoke."""
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "create":
            _, new_key = tokens.token_issue(user=request.user, name=request.POST.get("name", ""))
        elif request.POST.get("action") == "revoke":
            given = request.POST.get("token", "")
            token = request.user.api_tokens.filter(pk=given).first() if given.isdigit() else None
            if token is None:
                raise Http404("No such token.")
            tokens.token_revoke(token)
            return redirect("api-tokens")
    live = request.user.api_tokens.filter(revoked_at__isnull=True).exclude(
        expires_at__lte=timezone.now()
    )
    context = {"tokens": live, "new_key": new_key, "days": settings.WAYPOINT_API_TOKEN_DAYS}
    return render(request, "accounts/tokens.html", context)
