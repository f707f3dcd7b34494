"""Every API refusal carries a stable code and a message a person can act on: the JSON renderer
of the catalogue in ``lib.problems``. ``detail`` is in the request's language (DRF's own
messages are translated by DRF, ours in locale/); ``code`` and the English ``title`` are not."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponseNotFound, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from lib.problems import CATALOGUE, Problem, request_language


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with ``detail`` and a ``code`` on every refusal so clients can branch
    without parsing; invalid input lists its field errors under ``errors``. A catalogue
    ``Problem`` answers with its own status, code and details."""
    if isinstance(exc, Problem):
        set_rollback()  # as DRF does for the refusals it answers
        body = exc.as_json(request_language(context.get("request")))
        return Response(body, status=exc.status, headers=exc.headers)
    # DRF answers Django's Http404 and PermissionDenied too, but its own classes carry the code.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError) and isinstance(response.data, dict):
        response.data = {"detail": _("Invalid input."), "code": "invalid", "errors": response.data}
    elif isinstance(response.data, list):
        response.data = {"detail": " ".join(map(str, response.data)), "code": "invalid"}
    elif isinstance(response.data, dict) and "code" not in response.data:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else None
        response.data["code"] = codes if isinstance(codes, str) else "error"
    if isinstance(response.data, dict) and response.data.get("code") in CATALOGUE:
        response.data.setdefault("title", CATALOGUE[response.data["code"]].meaning)
    return response


def not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponseNotFound | JsonResponse:
    """A URL that matches nothing: JSON under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        body = {
            "detail": _("Not found."),
            "code": "not_found",
            "title": CATALOGUE["not_found"].meaning,
        }
        return JsonResponse(body, status=404)
    return page_not_found(request, exception)
