"""The device's QR code page: the link `make run` prints and a form manager hands to a volunteer.

Only someone holding the device's token can open it, and the token is the credential the QR code
carries anyway, so the page reveals nothing its visitor does not already hold.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import provisioning
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
