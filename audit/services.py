from django.db import connection, transaction
from django.utils import timezone

from audit.chain import GENESIS, canonical_details, hash_of
from audit.models import AuditEvent

# pg_advisory_xact_lock key: "audit" in ASCII. Held until the writing transaction ends, so
# events are chained one after another, in the order their ids are given.
CHAIN_LOCK = 0x6175646974


def audit_record(
    *, actor, action: str, project=None, target: str = "", reason: str = "", details=None
) -> AuditEvent:
    """Append one event, chained to the last one. ``actor`` is a user, or None for the system
    (scheduled purges)."""
    label = getattr(actor, "username", None) or ("system" if actor is None else str(actor))
    if action in ("login.failed", "login.paused"):
        label = "anonymous"
    event = AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label,
        action=action,
        project=project,
        target=target,
        reason=reason,
        details=canonical_details(details),
        at=timezone.now(),
    )
    # No savepoint of its own: an event that cannot be written fails the caller's transaction
    # (a raw read or a release is never left done but unrecorded).
    with transaction.atomic(savepoint=False):
        _lock_chain()
        last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
        event.previous_hash = last or GENESIS
        event.hash = hash_of(event, event.previous_hash)
        event.save()
    return event


def _lock_chain() -> None:
    """Only one writer reads the chain's end and appends at a time (across processes)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        elif connection.vendor == "sqlite":
            # Takes SQLite's write lock now, before the read: no other connection can append
            # between our read of the last hash and our insert.
            cursor.execute("UPDATE audit_auditevent SET action = action WHERE 0 = 1")
