"""Every API refusal carries a stable code and a message a person can act on: the JSON renderer
of the catalogue in ``lib.problems``."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponseNotFound, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from lib.problems import Problem


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with ``detail`` and a ``code`` on every refusal so clients can branch
    without parsing; invalid input lists its field errors under ``errors``. A catalogue
    ``Problem`` answers with its own status, code and details."""
    if isinstance(exc, Problem):
        set_rollback()  # as DRF does for the refusals it answers
        return Response(exc.as_json(), status=exc.status, headers=exc.headers)
    # DRF answers Django's Http404 and PermissionDenied too, but its own classes carry the code.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError) and isinstance(response.data, dict):
        response.data = {"detail": "Invalid input.", "code": "invalid", "errors": response.data}
    elif isinstance(response.data, list):
        response.data = {"detail": " ".join(map(str, response.data)), "code": "invalid"}
    elif isinstance(response.data, dict) and "code" not in response.data:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else None
        response.data["code"] = codes if isinstance(codes, str) else "error"
    return response


def not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponseNotFound | JsonResponse:
    """A URL that matches nothing: JSON under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)
