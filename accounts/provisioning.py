"""Device credentials and the QR code that configures ODK Collect in one scan.

Collect reads its settings from a QR code holding zlib-compressed, base64-encoded JSON; the server
URL carries the device's token (as ODK Central's app users), so a volunteer never types a password.
"""

import base64
import hashlib
import hmac
import io
import json
import secrets
import zlib

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Device, Project, ServicePoint, hash_device_token


def new_device_token() -> str:
    return secrets.token_urlsafe(48)


@transaction.atomic
def device_create(
    *,
    project: Project,
    service_point: ServicePoint,
    name: str,
    user=None,
    token: str | None = None,
    kind: str = Device.Kind.COLLECT,
) -> tuple[Device, str]:
    """Create a device and return it with its token, which is shown once and stored hashed."""
    if service_point.project_id != project.pk:
        raise ValueError("The service point belongs to another project.")
    token = token or new_device_token()
    device = Device.objects.create(
        project=project,
        service_point=service_point,
        name=name,
        kind=kind,
        token_hash=hash_device_token(token),
        created_by=user,
    )
    return device, token


def device_revoke(*, device: Device) -> None:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])


def device_reissue(*, device: Device) -> str:
    """Give an active device a new token and return it. Only a hash is stored, so a QR code
    cannot be shown again as it was: showing it again means issuing a new one, and the old
    token (and any photo of the old code) stops working at once."""
    if device.revoked_at is not None:
        raise ValueError("A revoked device gets no new token; create a new device.")
    token = new_device_token()
    device.token_hash = hash_device_token(token)
    device.save(update_fields=["token_hash"])
    return token


def device_rename(*, device: Device, name: str) -> None:
    name = name.strip()
    if not name:
        raise ValueError("A device needs a name.")
    device.name = name[: Device._meta.get_field("name").max_length]
    device.save(update_fields=["name"])


def device_for_token(token: str) -> Device | None:
    """The active device holding ``token``, or None."""
    return (
        Device.objects.select_related("project", "service_point")
        .filter(token_hash=hash_device_token(token), revoked_at__isnull=True)
        .first()
    )


def demo_device_token(name: str) -> str:
    """A stable token for the demo device, derived from SECRET_KEY so `manage.py demo` can be
    re-run without invalidating a tablet already configured from its QR code."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-device:{name}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def device_server_url(*, base_url: str, token: str, project_id: int) -> str:
    """What a volunteer's ODK Collect is configured with."""
    return f"{base_url.rstrip('/')}/key/{token}/projects/{project_id}"


def collect_settings(*, server_url: str, project: Project, device: Device) -> dict:
    """ODK Collect's settings for one device: server, project name and safe defaults."""
    return {
        "general": {
            "server_url": server_url,
            "form_update_mode": "match_exactly",
            "periodic_form_updates_check": "every_one_hour",
            "autosend": "wifi_and_cellular",
            "delete_send": False,
        },
        "admin": {"change_server": False, "automatic_update": True},
        "project": {
            "name": f"{project.name} · {device.service_point.name}",
            "icon": "W",
            "color": "#D52B1E",
        },
    }


def collect_qr_payload(collect_settings_json: dict) -> str:
    compact = json.dumps(collect_settings_json, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(compact)).decode("ascii")


def decode_collect_qr_payload(payload: str) -> dict:
    """The inverse of ``collect_qr_payload``, as ODK Collect reads it."""
    return json.loads(zlib.decompress(base64.b64decode(payload)))


def qr_png(payload: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="l", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def _base_url(request) -> str:
    return settings.WAYPOINT_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")


def web_app_url(server_url: str) -> str:
    """Where a web tablet's browser opens the service point's forms (the ``webforms`` app)."""
    return f"{server_url}/web/"


def device_credentials(request, device, token: str) -> dict:
    """What a form manager needs to set up a tablet: URL, QR code and the settings inside it.
    A web tablet's QR code holds its link (``web_url``), which any phone camera opens in the
    browser; its token works in ODK Collect as well, so the Collect settings come along."""
    server_url = device_server_url(
        base_url=_base_url(request), token=token, project_id=device.project_id
    )
    collect = collect_settings(server_url=server_url, project=device.project, device=device)
    web = device.kind == Device.Kind.WEB
    link = web_app_url(server_url) if web else ""
    png = qr_png(link if web else collect_qr_payload(collect))
    return {
        "token": token,
        "server_url": server_url,
        "web_url": link,
        "qr_code_png": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "qr_code_url": f"{server_url}/qr",
        "collect_settings": collect,
    }
