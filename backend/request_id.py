"""A request id on every request, so that a volunteer's or a proxy's report of a failed request
leads to its log lines: gunicorn's access line and whatever Django and the in-process tasks logged.

A proxy's ``X-Request-ID`` is kept when it is a plausible id (bounded, a safe character set: it is
written into every log line); otherwise a new one is made. The response carries it back.
"""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from backend.logs import mask, request_context

HEADER = "X-Request-ID"
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def request_id_from(header: str | None) -> str:
    """The incoming id if it is safe to log, else a fresh one."""
    if header and VALID_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every log line of the request, and every response, redirects
    and refusals included, carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        request.log_context = {
            "request_id": request_id,
            "method": request.method,
            "path": mask(request.path),
        }
        token = request_context.set(request.log_context)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response[HEADER] = request_id
        return response
