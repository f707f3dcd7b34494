"""Refuse, before any view, what no client sends and what databases cannot store: a NUL
character in the query string or in HTTP Basic credentials. PostgreSQL refuses NUL in text, so
such a value reaching a query was a 500 (and no sign-in was needed to cause it)."""

import base64
import binascii
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from lib.problems import Problem, request_language


def _has_nul(request: HttpRequest) -> bool:
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        try:
            return b"\x00" in base64.b64decode(header[6:])
        except (binascii.Error, ValueError):
            return False
    return "\x00" in header


class NulRefusalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            problem = Problem("request.nul_byte", _("The request holds a NUL character."))
            body = problem.as_json(request_language(request))
            return JsonResponse(body, status=problem.status)
        return self.get_response(request)
