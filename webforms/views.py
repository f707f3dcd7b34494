"""The web tablet's app shell: one page, its service worker and its web app manifest.

The page holds no data: it loads the bundle built from ``webforms/frontend`` (``make``), which
talks to the tablet's OpenRosa endpoints exactly as ODK Collect does. A revoked tablet still gets
the page, so that the app can say it was revoked and keep its unsent forms; an unknown token gets
a 404. The service worker is served from below the tablet's URL so that its scope covers the
tablet's page and nothing else of the origin.
"""

import base64
import json
from functools import cache
from pathlib import Path

from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import Device, hash_device_token
from lib import crypto
from webforms.app_strings import app_strings

BUILD_DIR = Path(__file__).resolve().parent / "static" / "webforms"
# After this long without a touch, the app forgets its key: the next volunteer needs the PIN.
DEFAULT_IDLE_SECONDS = 600
ENTRY = "src/main.js"

# ODK Web Forms injects its styles at run time (PrimeVue, Vue's scoped CSS) and compiles its
# XPath parser (tree-sitter) from WebAssembly; photos and media are shown from blob: URLs.
WEB_FORMS_CSP = {
    "script-src": ["'wasm-unsafe-eval'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["blob:"],
    "font-src": ["data:"],
    "media-src": ["'self'", "blob:"],
    "connect-src": ["data:", "blob:"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
}


def _device(token: str, project_id: int) -> Device:
    """The tablet, revoked or not; a 404 for a token no tablet ever had."""
    device = (
        Device.objects.select_related("project", "service_point")
        .filter(token_hash=hash_device_token(token), project_id=project_id)
        .first()
    )
    if device is None:
        raise Http404("No such tablet.")
    return device


@cache
def _bundle() -> dict:
    """The built entry's files, from Vite's manifest (hashed names change with every build)."""
    manifest = BUILD_DIR / "manifest.json"
    try:
        entry = json.loads(manifest.read_text())[ENTRY]
    except (OSError, KeyError) as exc:
        raise RuntimeError(
            "The web forms app is not built: run `make webforms` (npm ci && npm run build)."
        ) from exc
    return {"js": f"webforms/{entry['file']}", "css": [f"webforms/{c}" for c in entry["css"]]}


def _recovery_key(project_id: int) -> dict:
    key_id, point = crypto.recovery_public_key(project_id)
    return {"id": key_id, "point": base64.b64encode(point).decode()}


def _server_path(token: str, project_id: int) -> str:
    return reverse("key:form-list", args=[token, project_id]).removesuffix("/formList")


@require_GET
@csp_update(WEB_FORMS_CSP)  # type: ignore[arg-type]  # its stub types one-argument views
def app_page(request: HttpRequest, token: str, project_id: int) -> HttpResponse:
    device = _device(token, project_id)
    server = _server_path(token, project_id)
    response = render(
        request,
        "webforms/app.html",
        {
            "bundle": _bundle(),
            "device": device,
            "server": server,
            "app_path": f"{server}/web/",
            "idle_seconds": getattr(
                settings, "WAYPOINT_WEBFORMS_IDLE_SECONDS", DEFAULT_IDLE_SECONDS
            ),
            # What the outbox seals finalised forms to, for the DPO's recovery (webforms.recovery).
            "recovery_key": _recovery_key(device.project_id),
            # Every language's words for the app's own screens: the cached page works offline
            # in whichever the volunteer picks (webforms.app_strings).
            "app_strings": app_strings(),
        },
    )
    # A shared tablet's link holds its credential: no referrer leaks it to another site.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest, token: str, project_id: int) -> HttpResponse:
    _device(token, project_id)
    try:
        script = (BUILD_DIR / "sw.js").read_bytes()
    except OSError as exc:
        raise Http404("The web forms app is not built.") from exc
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new service worker on every visit; a stale one would pin old code.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def web_manifest(request: HttpRequest, token: str, project_id: int) -> JsonResponse:
    """What "Add to home screen" installs: the tablet's own link, full screen."""
    device = _device(token, project_id)
    app_path = f"{_server_path(token, project_id)}/web/"
    response = JsonResponse(
        {
            "name": f"Waypoint · {device.service_point.name}",
            "short_name": "Waypoint",
            "start_url": app_path,
            "scope": app_path,
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#D52B1E",
            "icons": [
                {
                    "src": "/static/webforms/icon.svg",
                    "sizes": "any",
                    "type": "image/svg+xml",
                    "purpose": "any",
                }
            ],
        },
        content_type="application/manifest+json",
    )
    response["Cache-Control"] = "no-cache"
    return response
