"""Sign-in events for the audit trail, and so for sign-in throttling (which counts them).

Module-level functions on purpose: Django holds receivers by weak reference, so a function
defined inside ``AppConfig.ready()`` is collected as soon as ``ready()`` returns. With DEBUG on,
Django's argument check happens to keep a strong reference and hides the loss; production
(DEBUG off) then silently stopped auditing and throttling sign-ins.
"""

from typing import Any

from audit.services import audit_record


def sign_in_recorded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="login")


def sign_in_failure_recorded(
    sender: Any, credentials: dict, request: Any = None, **kwargs: Any
) -> None:
    # Only the user name: Django masks the password, and it is not recorded at all.
    username = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, action="login.failed", target=username)
