"""The audit trail's hash chain: each event stores the hash of the one before it and a hash of
its own content with that link, so rewriting, deleting or inserting an event anywhere breaks
every later link. The database refuses changes (a trigger, a role without rights on the
table: deploy/postgres-roles.sql); the chain makes whatever still got through visible to
``manage.py audit_verify`` and to anyone holding an exported copy.

``event_hash`` is the only definition of an event's content; keep it stable (a change would
need a migration re-chaining history, and invalidates archived exports)."""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_details(details: Any) -> Any:
    """The details exactly as they come back from the database (a JSON round trip)."""
    return json.loads(json.dumps(details or {}, sort_keys=True, default=str))


def event_hash(
    *,
    previous_hash: str,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    project_id: int | None,
    target: str,
    reason: str,
    details: Any,
) -> str:
    content = {
        "previous_hash": previous_hash,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "project_id": project_id,
        "target": target,
        "reason": reason,
        "details": canonical_details(details),
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def hash_of(event: Any, previous_hash: str) -> str:
    return event_hash(
        previous_hash=previous_hash,
        at=event.at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        project_id=event.project_id,
        target=event.target,
        reason=event.reason,
        details=event.details,
    )


@dataclass(frozen=True)
class Broken:
    """The first link that does not hold: the event, and what is wrong with it."""

    pk: int
    problem: str


def chain_check(events: Iterable[Any]) -> Iterator[Broken | int]:
    """Walk ``events`` in chain order (by pk); yield each pk that holds, then stop at the first
    ``Broken`` link."""
    previous = GENESIS
    for event in events:
        if event.previous_hash != previous:
            yield Broken(
                event.pk,
                "its link to the previous event does not match (an event before it was "
                "changed, removed or inserted)",
            )
            return
        if event.hash != hash_of(event, previous):
            yield Broken(event.pk, "its content does not match its hash (it was changed)")
            return
        previous = event.hash
        yield event.pk
