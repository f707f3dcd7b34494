"""Per-device upload quotas: submissions and bytes per minute, and uploads in flight at once.

One device token must not tie up every web thread with slow uploads or fill the disk: past a
quota the device is answered 429 with Retry-After, which ODK Collect honours by keeping the
form and sending it later. Counted in Django's cache (per process by default; shared with
``WAYPOINT_CACHE_URL``), charged from the declared Content-Length before the body is read."""

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from accounts.models import Device
from lib.problems import Problem, interpolate

# Uploads one device may have in flight at once (a tablet sends one at a time; Collect two).
CONCURRENT_UPLOADS = 4


def _add(key: str, amount: int, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return int(cache.incr(key, amount))
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout)
        return amount


def _refuse(wait: int, why: Any) -> Problem:
    return Problem(
        "submission.rate_limited",
        interpolate(
            _(
                "This tablet sent %(why)s. Nothing was lost: the forms stay on the tablet; they "
                "are sent again in %(wait)s seconds."
            ),
            why=why,
            wait=wait,
        ),
        headers={"Retry-After": str(wait)},
    )


@contextmanager
def device_upload_quota(device: Device | None, size: int) -> Iterator[None]:
    """Charge one upload of ``size`` bytes to ``device`` (accounts, ``None``, are not charged)
    for the length of the ``with`` block; raise ``submission.rate_limited`` past a quota."""
    if device is None:
        yield
        return
    now = time.time()
    minute = int(now // 60)
    wait = 60 - int(now) % 60
    posts = _add(f"quota:{device.pk}:{minute}:posts", 1, 120)
    sent = _add(f"quota:{device.pk}:{minute}:bytes", max(size, 0), 120)
    if posts > settings.WAYPOINT_DEVICE_POSTS_PER_MINUTE:
        raise _refuse(wait, _("more submissions than the server takes in a minute"))
    if sent > settings.WAYPOINT_DEVICE_BYTES_PER_MINUTE:
        raise _refuse(wait, _("more data than the server takes in a minute"))
    flight = f"quota:{device.pk}:in-flight"
    if _add(flight, 1, 3600) > CONCURRENT_UPLOADS:
        cache.decr(flight)
        raise _refuse(10, _("several submissions at once"))
    try:
        yield
    finally:
        with suppress(ValueError):  # expired meanwhile: nothing to give back
            cache.decr(flight)
