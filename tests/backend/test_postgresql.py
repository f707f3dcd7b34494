"""The PostgreSQL backend's health check (backend/postgresql/base.py) costs no query on a live
connection, yet still finds a connection the server has ended, so that after a database
restart a kept connection is replaced before a submission uses it."""

import time
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def kept():
    """A second connection to the test database, as a gunicorn thread keeps one."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_a_live_idle_connection_is_usable_without_a_query(kept):
    with mock.patch.object(
        django_postgresql.DatabaseWrapper, "is_usable", side_effect=AssertionError("a query")
    ):
        assert kept.is_usable()


def test_a_connection_the_server_ended_is_not_usable(kept):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [kept.connection.info.backend_pid])
    deadline = time.monotonic() + 10
    while kept.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)

    assert not kept.is_usable()
