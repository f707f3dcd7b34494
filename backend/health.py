"""Health endpoints for load balancers and orchestrators: liveness (the process answers) and
readiness (the database, the broker when one is configured, and the storage all work). Readiness
also counts results tables whose computation failed, for monitoring; that does not make the
process unready."""

import uuid
from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse


def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    if not settings.CELERY_BROKER_URL:
        return  # tasks run in-process: there is no broker to wait for
    from kombu import Connection

    # A broker that accepts connections but never answers must fail the probe, not hang it.
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=3, transport_options=options
    ) as broker:
        broker.ensure_connection(max_retries=1)


def _storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}", ContentFile(b"ok"))
    default_storage.delete(name)


def ready(request: HttpRequest) -> JsonResponse:
    checks = {}
    for name, check in (("database", _database), ("broker", _broker), ("storage", _storage)):
        try:
            check()
        except Exception as exc:  # any failure means not ready; say which and why (no secrets)
            checks[name] = f"failed: {type(exc).__name__}"
        else:
            checks[name] = "ok"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks, "lattices": _lattices()},
        status=200 if healthy else 503,
    )


def _lattices() -> str:
    """Results tables whose computation failed: reported, never a reason to take the process
    out of rotation (analysts are told, the DPO retries). A count only: this probe is public,
    the errors are on the DPO's release page and in the admin's Lattice list."""
    from results.models import Lattice

    try:
        failed = Lattice.objects.filter(state=Lattice.State.FAILED, preview=False).count()
    except Exception as exc:  # the database check above says why
        return f"unknown: {type(exc).__name__}"
    return f"failed: {failed}" if failed else "ok"


class HealthProbeMiddleware:
    """Answers the probes ahead of host validation and the HTTPS redirect (so it comes before
    SecurityMiddleware). Load balancers and orchestrators probe a process by its IP address, a
    Host that ALLOWED_HOSTS rightly refuses, and over plain HTTP behind the TLS proxy."""

    probes: ClassVar[dict] = {"/health/live": live, "/health/ready": ready}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.probes.get(request.path_info)
        if probe is not None and request.method in {"GET", "HEAD"}:
            return probe(request)
        return self.get_response(request)
