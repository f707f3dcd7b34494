"""The application's database role (deploy/postgres-roles.sql, created by compose's `migrate`)
can read and write Waypoint's data and append to the audit trail, but cannot rewrite it: no
TRUNCATE, UPDATE or DELETE, and no ALTER (so the append-only trigger stays on). Before, the
application connected as the tables' owner, which can do all of that."""

import subprocess
import uuid

import psycopg2
import psycopg2.errors
import pytest
from django.db import connection

from tests.live import ROOT, machine_postgres_missing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_role():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL roles: run with DATABASE_URL=postgres://...")
    missing = machine_postgres_missing()
    if missing:
        pytest.skip(missing)
    s = connection.settings_dict
    role, password = f"waypoint_app_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    owner = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    done = subprocess.run(
        ["psql", owner, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"app_role={role}",
         "-v", f"app_password={password}", "-f", str(ROOT / "deploy" / "postgres-roles.sql")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    url = f"postgres://{role}:{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    app = psycopg2.connect(url)
    app.autocommit = True
    try:
        yield app.cursor()
    finally:
        app.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


INSERT = (
    "INSERT INTO audit_auditevent (at, actor_label, action, target, reason, details, "
    "previous_hash, hash) VALUES (now(), 'app', 'test', '', '', '{}', '', '')"
)


def test_the_application_role_appends_to_the_audit_trail(app_role):
    app_role.execute(INSERT)

    app_role.execute("SELECT count(*) FROM audit_auditevent")
    assert app_role.fetchone()[0] == 1
    app_role.execute("SELECT count(*) FROM accounts_project")


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
        "DROP TRIGGER audit_event_append_only ON audit_auditevent",
        "UPDATE audit_auditevent SET reason = 'x'",
        "DELETE FROM audit_auditevent",
        "DROP TABLE audit_auditevent",
    ],
)
def test_the_application_role_cannot_rewrite_the_audit_trail(app_role, statement):
    app_role.execute(INSERT)

    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        app_role.execute(statement)

    app_role.execute("SELECT count(*) FROM audit_auditevent")
    assert app_role.fetchone()[0] == 1
