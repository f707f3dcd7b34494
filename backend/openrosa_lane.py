"""A device's OpenRosa submission skips the middleware only browsers need.

ODK Collect's POST to ``/key/{token}/projects/{id}/submission`` carries no cookie, is exempt
from CSRF (the token in the URL is its credential), never reads a session or ``request.user``,
and is answered in OpenRosa XML, never an HTML page: static files, CSP, sessions, CSRF,
authentication, idle sign-out, messages and the problem page have nothing to do for it, yet
cost each of the hundreds of submissions a second their share of CPU (issue 19). This sits
right after SecurityMiddleware, so the HTTPS redirect and its headers still apply, and the
request id, health probes, NUL refusal and sign-in pauses before it; it calls the view as
Django's handler would and adds the one header of the middleware it skips
(X-Frame-Options)."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import resolve

DEVICE_SUBMISSION = re.compile(r"^/key/[^/]+/projects/\d+/submission$")


class OpenRosaSubmissionLaneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not DEVICE_SUBMISSION.match(request.path_info):
            return self.get_response(request)
        match = resolve(request.path_info)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
