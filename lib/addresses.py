"""The address a request came from, for per-address sign-in limits and the audit trail.

Behind a proxy every request arrives from the proxy, so the client is read from
X-Forwarded-For, counting ``WAYPOINT_PROXY_COUNT`` entries from the right (each proxy appends
the address it received from; the left-hand entries are the client's to forge)."""

from typing import Any

from django.conf import settings


def client_address(request: Any) -> str:
    if request is None:
        return ""
    meta = getattr(request, "META", {})
    hops = settings.WAYPOINT_PROXY_COUNT
    if hops:
        forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return str(forwarded[-hops])[:64]
    return str(meta.get("REMOTE_ADDR", ""))[:64]
