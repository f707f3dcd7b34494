"""Signed-in sessions end after ``WAYPOINT_SESSION_IDLE_SECONDS`` without a request (30 minutes
by default): a DPO's browser left open on a shared computer stops giving access to raw data.
The last-seen time is written at most once a minute, not on every request."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SEEN_KEY = "_waypoint_seen_at"
WRITE_EVERY_SECONDS = 60


class SessionIdleTimeoutMiddleware:
    """After AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if "_auth_user_id" in session:
            now = int(time.time())
            seen = session.get(SEEN_KEY)
            if isinstance(seen, int) and now - seen > settings.WAYPOINT_SESSION_IDLE_SECONDS:
                logout(request)
            elif not isinstance(seen, int) or now - seen >= WRITE_EVERY_SECONDS:
                session[SEEN_KEY] = now
        return self.get_response(request)
