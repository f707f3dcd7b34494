"""The sign-in forms (page and admin) say when an account is paused, rather than "did not
match", which sent people who typed the right password looking for a wrong one."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import ngettext_lazy

from accounts.auth_backends import WAIT_ATTRIBUTE
from lib.problems import interpolate


def paused_message(seconds: int) -> str:
    """Lazy: written in the language of whoever reads it (a page, or a device's refusal)."""
    minutes = max(1, (seconds + 59) // 60)
    message = ngettext_lazy(
        "Sign-in is temporarily limited after repeated failed attempts for this account or "
        "from this network. Try again in %(minutes)s minute; your password has not been "
        "changed.",
        "Sign-in is temporarily limited after repeated failed attempts for this account or "
        "from this network. Try again in %(minutes)s minutes; your password has not been "
        "changed.",
        "minutes",
    )
    return interpolate(message, minutes=minutes)


class PauseAware:
    request: Any

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            wait = getattr(self.request, WAIT_ATTRIBUTE, 0)
            if wait:
                raise forms.ValidationError(paused_message(wait), code="sign_in_limited") from None
            raise


class SignInForm(PauseAware, AuthenticationForm):
    pass


class AdminSignInForm(PauseAware, AdminAuthenticationForm):
    pass
