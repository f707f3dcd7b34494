"""The audit trail is tamper-evident: every event is chained to the one before it, so an event
rewritten or removed behind the application's back (raw SQL, a restored old copy) is reported by
``manage.py audit_verify`` at the first broken link, and an export for external archiving
carries the chain and can be re-verified on its own."""

import json
from datetime import datetime
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.chain import GENESIS, event_hash
from audit.models import AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(dpo, project):
    return [
        audit_record(actor=dpo, action="raw.read", project=project, target=f"uuid:{n}",
                     reason="check", details={"n": n, "nested": {"b": 1, "a": [1, 2]}})
        for n in range(4)
    ]  # fmt: skip


def tamper(sql: str, params: list) -> None:
    """Change the table behind the application's back, as a database superuser could (on
    PostgreSQL past the append-only trigger, which only the table's owner can set aside)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_each_event_is_chained_to_the_previous_one(events):
    assert events[0].previous_hash == GENESIS
    for before, after in pairwise(events):
        assert after.previous_hash == before.hash
    assert "4 events verified" in verify()


def test_a_rewritten_event_is_reported(events):
    tamper("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE id = %s", [events[1].pk])

    with pytest.raises(CommandError, match=f"#{events[1].pk}: its content"):
        verify()


def test_a_removed_event_is_reported_at_the_next_one(events):
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])

    with pytest.raises(CommandError, match=f"#{events[2].pk}: its link"):
        verify()


def test_the_export_carries_the_chain_and_verifies_on_its_own(events, tmp_path):
    path = tmp_path / "audit.jsonl"

    call_command("audit_export", "--output", str(path), stderr=StringIO())

    previous = GENESIS
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == 4
    for line in lines:
        assert line["previous_hash"] == previous
        recomputed = event_hash(
            previous_hash=previous,
            at=datetime.fromisoformat(line["at"]),
            **{k: line[k] for k in ("actor_id", "actor_label", "action", "project_id",
                                    "target", "reason", "details")},
        )  # fmt: skip
        assert recomputed == line["hash"]
        previous = line["hash"]


def test_the_export_refuses_a_broken_chain(events, tmp_path):
    tamper("UPDATE audit_auditevent SET target = 'x' WHERE id = %s", [events[0].pk])

    with pytest.raises(CommandError, match="broken"):
        call_command("audit_export", "--format", "csv", "--output", str(tmp_path / "a.csv"))


def test_sign_in_events_are_chained_too(client, dpo):
    client.post("/accounts/login/", {"username": dpo.username, "password": "wrong"})
    client.post("/accounts/login/", {"username": dpo.username, "password": "wrong again"})

    assert AuditEvent.objects.count() == 2
    assert "2 events verified" in verify()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    """Web threads and workers append at the same time: the chain's end is read and extended
    under a lock (PostgreSQL advisory lock), so no two events claim the same predecessor."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections: run with DATABASE_URL=postgres://...")
    import threading

    from django.db import connections

    def write(n):
        try:
            for i in range(10):
                audit_record(actor=None, action="test.concurrent", target=f"{n}-{i}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert "80 events verified" in verify()
    previous = AuditEvent.objects.values_list("previous_hash", flat=True)
    assert len(set(previous)) == 80
