"""Sign-in tries from an address already paused are answered here, before sessions, CSRF,
authentication or templates: a flood of wrong passwords then costs each web thread well under
a millisecond a try, not a password hash (issue 15: a 12-thread Basic flood once took a simple
request from 0.07 s to 3.4 s). The pause itself is decided by ``accounts.auth_backends`` from
the audit trail and kept in the cache; this only reads the cache."""

import base64
import binascii
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from accounts.sign_in import paused_message
from lib.addresses import client_address
from lib.problems import Problem, request_language
from sync import openrosa

SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")


def _basic_name(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() != "basic ":
        return None
    try:
        return base64.b64decode(header[6:]).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


def _seconds_left(*keys: str) -> int:
    now = timezone.now()
    left = [int((until - now).total_seconds()) + 1 for until in cache.get_many(keys).values()]
    return max([s for s in left if s > 0], default=0)


class SignInPauseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _basic_name(request)
        page = request.method == "POST" and request.path in SIGN_IN_PAGES
        if name is None and not page:
            return self.get_response(request)
        address = client_address(request)
        keys = [f"sign-in-paused:{address}"]
        if name:
            keys.append(f"sign-in-paused:{name[:150]}:{address}")
        wait = _seconds_left(*keys) if address else 0
        if not wait:
            return self.get_response(request)
        if name is not None:
            problem = Problem(
                "account.sign_in_limited", paused_message(wait), headers={"Retry-After": str(wait)}
            )
            return openrosa.problem_response(problem, request)
        with translation.override(request_language(request)):  # before LocaleMiddleware
            body = (
                f"<!doctype html><title>{escape(_('Sign-in limited'))}</title>"
                f"<p>{escape(paused_message(wait))}</p>"
                f'<p><a href="{escape(request.path)}">{escape(_("Back to sign-in"))}</a></p>'
            )
        return HttpResponse(body, status=429, headers={"Retry-After": str(wait)})
