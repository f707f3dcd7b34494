"""Real server processes and runtimes for tests that talk to Waypoint as clients do."""

import shutil

import pytest


@pytest.fixture
def java():
    """ODK Validate and the JavaRosa client need a Java runtime."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (ODK Validate and JavaRosa need it)")


@pytest.fixture(scope="module")
def openrosa_servers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Real gunicorn processes on the test database, started on demand and kept per module.

    They need PostgreSQL: the server process and the tests must see one database."""
    from django.db import connection

    from lib.crypto import new_quarantine_key
    from tests.live import ServerProcess, free_port, postgres_env

    if connection.vendor != "postgresql":
        pytest.skip("live-server tests share their database with a server process: need PostgreSQL")
    media_root = tmp_path_factory.mktemp("media")
    key = new_quarantine_key()
    started: dict[tuple, ServerProcess] = {}

    def start(**env: str) -> ServerProcess:
        signature = tuple(sorted(env.items()))
        if signature not in started:
            process_env = postgres_env(
                connection.settings_dict,
                WAYPOINT_MEDIA_ROOT=str(media_root),
                WAYPOINT_QUARANTINE_KEYS=key,
                WAYPOINT_ODK_VALIDATE="false",
                **env,
            )
            started[signature] = ServerProcess(process_env, free_port()).start()
        return started[signature]

    start.media_root = media_root
    start.key = key
    yield start
    for server in started.values():
        server.stop()


@pytest.fixture
def live(openrosa_servers, transactional_db, settings):
    """The default live server; this test's ORM sees what the server stores, and vice versa."""
    settings.MEDIA_ROOT = openrosa_servers.media_root
    settings.WAYPOINT_QUARANTINE_KEYS = openrosa_servers.key
    settings.WAYPOINT_ODK_VALIDATE = "false"
    return openrosa_servers()
