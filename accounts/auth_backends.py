"""Password sign-ins with growing pauses, whichever door they come through (the sign-in page,
the admin, HTTP Basic on OpenRosa), counted per user name at an address, per user name
everywhere (ten times the limit: a distributed guess), and per client address.

Past ``WAYPOINT_LOGIN_THROTTLE_FAILURES`` failures within ``WAYPOINT_LOGIN_THROTTLE_SECONDS``,
sign-ins are paused for ``WAYPOINT_LOGIN_DELAY_SECONDS`` after the latest failure, doubling
with each further failure up to a cap. Tries refused during a pause are not failures: they
neither count nor extend it, so a correct password after the pause works. An attacker at one
address pauses that address and their own guesses at a name, not the name's owner elsewhere.
Failures are counted from the audit trail, so every process agrees; a pause once found is also
kept in the cache, so refusing a flood costs no database query."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.utils import timezone

from audit.models import AuditEvent
from lib.addresses import client_address

# Set on the request when a sign-in was refused for a pause: seconds left (for the message).
WAIT_ATTRIBUTE = "waypoint_sign_in_wait"
# How many more failures a name may take from all addresses together than from one.
NAME_EVERYWHERE_FACTOR = 10


def _until(failures: int, latest: datetime | None, threshold: int, cap: int) -> datetime | None:
    if latest is None or failures < threshold:
        return None
    exponent = min(failures - threshold, 20)
    return latest + timedelta(seconds=min(cap, settings.WAYPOINT_LOGIN_DELAY_SECONDS * 2**exponent))


def _paused_until(username: str, address: str) -> tuple[datetime | None, datetime | None]:
    """When the pause of this name (here or everywhere) ends, and that of this address."""
    window = timezone.now() - timedelta(seconds=settings.WAYPOINT_LOGIN_THROTTLE_SECONDS)
    here = Q(details__address=address)
    name = Q(target=username)
    seen = AuditEvent.objects.filter(here | name, action="login.failed", at__gte=window).aggregate(
        pair=Count("pk", filter=name & here),
        pair_at=Max("at", filter=name & here),
        name=Count("pk", filter=name),
        name_at=Max("at", filter=name),
        address=Count("pk", filter=here),
        address_at=Max("at", filter=here),
    )
    limit, cap = (
        settings.WAYPOINT_LOGIN_THROTTLE_FAILURES,
        settings.WAYPOINT_LOGIN_MAX_DELAY_SECONDS,
    )
    names = [
        _until(seen["pair"], seen["pair_at"], limit, cap),
        _until(seen["name"], seen["name_at"], limit * NAME_EVERYWHERE_FACTOR, cap),
    ]
    by_address = _until(
        seen["address"] if address else 0,
        seen["address_at"],
        settings.WAYPOINT_LOGIN_ADDRESS_FAILURES,
        settings.WAYPOINT_LOGIN_ADDRESS_MAX_DELAY_SECONDS,
    )
    return max((p for p in names if p), default=None), by_address


def _seconds_left(until: datetime | None) -> int:
    if until is None or until <= timezone.now():
        return 0
    return max(1, int((until - timezone.now()).total_seconds()) + 1)


def sign_in_wait(username: str, address: str = "") -> int:
    """Seconds before ``username`` may try again from ``address``; 0 if it may now."""
    keys = {"address": f"sign-in-paused:{address}", "name": f"sign-in-paused:{username}:{address}"}
    if address:
        cached = [_seconds_left(cache.get(key)) for key in keys.values()]
        if any(cached):
            return max(cached)
    by_name, by_address = _paused_until(username, address)
    for kind, until in (("name", by_name), ("address", by_address)):
        left = _seconds_left(until)
        if left and address:
            cache.set(keys[kind], until, left)
    return max(_seconds_left(by_name), _seconds_left(by_address))


def login_throttled(username: str, address: str = "") -> bool:
    return sign_in_wait(username, address) > 0


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None:
            wait = sign_in_wait(str(username)[:150], client_address(request))
            if wait:
                if request is not None:
                    setattr(request, WAIT_ATTRIBUTE, wait)
                # PermissionDenied stops Django trying other backends; the audit receiver
                # records it as a paused try, not as a failure (it must not extend the pause).
                raise PermissionDenied("Sign-ins are paused for a while; try again later.")
        return super().authenticate(request, username=username, password=password, **kwargs)
