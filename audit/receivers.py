"""Sign-in events for the audit trail, and so for sign-in throttling (which counts them).

Module-level functions on purpose: Django holds receivers by weak reference, so a function
defined inside ``AppConfig.ready()`` is collected as soon as ``ready()`` returns. With DEBUG on,
Django's argument check happens to keep a strong reference and hides the loss; production
(DEBUG off) then silently stopped auditing and throttling sign-ins.
"""

from typing import Any

from django.core.cache import cache

from audit.services import audit_record
from lib.addresses import client_address

# A paused try is recorded at most this often per address: refused tries cost no audit rows.
PAUSED_RECORD_SECONDS = 60


def sign_in_recorded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="login", details={"address": client_address(request)})


def sign_in_failure_recorded(
    sender: Any, credentials: dict, request: Any = None, **kwargs: Any
) -> None:
    # Only the user name: Django masks the password, and it is not recorded at all.
    username = str(credentials.get("username", ""))[:150]
    address = client_address(request)
    if getattr(request, "waypoint_sign_in_wait", 0):
        # Refused during a pause (accounts.auth_backends): not a failure, so it cannot extend
        # the pause; recorded once a minute per address so a flood cannot fill the trail.
        if cache.add(f"sign-in-paused-recorded:{address}", 1, PAUSED_RECORD_SECONDS):
            audit_record(
                actor=None, action="login.paused", target=username, details={"address": address}
            )
        return
    audit_record(actor=None, action="login.failed", target=username, details={"address": address})
