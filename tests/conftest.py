"""Personas, API clients and the CI rule that nothing may be skipped.

On a developer's machine a test that needs something absent (PostgreSQL, Java, Node, Chromium)
skips with its reason; under CI (CI=true) such a skip fails the run, so CI always runs everything.
"""

import os

import pytest
from rest_framework.test import APIClient

from tests.browser import browser, page  # noqa: F401 - shared browser fixtures
from tests.factories import DeviceFactory, MembershipFactory, ProjectFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI, where everything must run: {reason}"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Personas are created per test; a deliberately slow hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def other_project(db):
    return ProjectFactory()


def _persona(project, role):
    user = UserFactory(username=f"{role}-{project.pk}")
    MembershipFactory(user=user, project=project, role=role)
    return user


@pytest.fixture
def form_manager(project):
    return _persona(project, "form_manager")


@pytest.fixture
def dpo(project):
    return _persona(project, "dpo")


@pytest.fixture
def analyst(project):
    return _persona(project, "analyst")


@pytest.fixture
def outsider(other_project):
    """A form manager, but of another project."""
    return _persona(other_project, "form_manager")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def device(project):
    return DeviceFactory(project=project)


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates with the user's token."""
    client = APIClient()

    def as_user(user):
        from rest_framework.authtoken.models import Token

        client.credentials()
        if user is not None:
            client.credentials(
                HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
            )
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def java():
    """ODK Validate and the JavaRosa client need a Java runtime."""
    import shutil

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
