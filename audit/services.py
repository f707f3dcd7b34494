from audit.models import AuditEvent


def audit_record(
    *, actor, action: str, project=None, target: str = "", reason: str = "", details=None
) -> AuditEvent:
    """Append one event. ``actor`` is a user, or None for the system (scheduled purges)."""
    label = getattr(actor, "username", None) or ("system" if actor is None else str(actor))
    if action == "login.failed":
        label = "anonymous"
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label,
        action=action,
        project=project,
        target=target,
        reason=reason,
        details=details or {},
    )
