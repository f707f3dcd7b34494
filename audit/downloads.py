"""Every download of data is an audit event: who, what (endpoint, format, variables), with
which filters, and from which release. Results and the DPO's audit log call this one helper,
so no download view can forget a field or spell the event differently."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from audit.models import AuditEvent
from audit.services import audit_record


def audit_download(
    request: HttpRequest,
    *,
    project: Any,
    what: str,
    fmt: str,
    filters: Mapping[str, Any] | None = None,
    release: Any = None,
    target: str = "",
    **details: Any,
) -> AuditEvent:
    """Record that ``request.user`` downloaded ``what`` (``table``, ``tables``, ``ranks``,
    ``records``, ``charts``, ``audit``) as ``fmt``. Empty filters are left out; ``release`` is
    the release the data came from (None when none: the audit log, or nothing released yet)."""
    return audit_record(
        actor=request.user,
        action=f"download.{what}",
        project=project,
        target=target or request.path,
        details={
            "endpoint": request.path,
            "format": fmt,
            "filters": {key: value for key, value in (filters or {}).items() if value},
            "release": getattr(release, "pk", release),
            **details,
        },
    )
