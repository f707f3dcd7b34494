"""The interface language remembered per person, not only per browser.

Django's switch (``set_language``) stores the choice in a cookie. A volunteer coordinator who
signs in on a borrowed laptop, or a DPO on a new browser, would otherwise start in English
again; so the choice is also kept on the account and restored when a signed-in request arrives
without the cookie. The cookie, when present, wins: it is the latest choice in that browser.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.models import InterfaceLanguage


def _supported(code: str | None) -> str | None:
    return code if code in dict(settings.LANGUAGES) else None


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switch, and for a signed-in person the choice kept on their account."""
    response = django_set_language(request)
    language = _supported(request.POST.get("language"))
    if language and request.user.is_authenticated:
        InterfaceLanguage.objects.update_or_create(
            user=request.user, defaults={"language": language}
        )
    return response


class RememberedLanguageMiddleware:
    """After authentication: a signed-in request without the switch's cookie is served in the
    language on the person's account, and the cookie is set so the next request needs no
    query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cookie = settings.LANGUAGE_COOKIE_NAME
        user = getattr(request, "user", None)
        if cookie in request.COOKIES or user is None or not user.is_authenticated:
            return self.get_response(request)
        chosen = InterfaceLanguage.objects.filter(user=user).values_list("language", flat=True)
        language = _supported(chosen.first())
        if language is None:
            return self.get_response(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.set_cookie(
            cookie,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
        return response
