"""Password logins with throttling: after repeated failures for a user name, further attempts
are refused for a while, whichever door they come through (the sign-in page, the admin, HTTP
Basic on OpenRosa). Failures are counted from the audit trail, so every process agrees without a
shared cache."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEvent


def login_throttled(username: str) -> bool:
    window = timezone.now() - timedelta(seconds=settings.WAYPOINT_LOGIN_THROTTLE_SECONDS)
    failures = AuditEvent.objects.filter(action="login.failed", target=username, at__gte=window)
    return failures.count() >= settings.WAYPOINT_LOGIN_THROTTLE_FAILURES


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and login_throttled(str(username)[:150]):
            # PermissionDenied stops Django trying other backends and records a failed login.
            raise PermissionDenied("Too many failed sign-ins; try again later.")
        return super().authenticate(request, username=username, password=password, **kwargs)
