"""A server process configured as production is: ``WAYPOINT_ENV=production`` with its secrets, on
the embedded SQLite database (the settings under test do not depend on the database).

``production_environment(var_dir)`` is the environment an operator sets, for tests that start
their own process; ``production_server`` is one gunicorn shared by the tests of a package."""

import base64
import json
import secrets

import pytest

from tests.live import ServerProcess, embedded_env, free_port, manage


def production_environment(var_dir) -> dict:
    """What an operator sets: the secrets production refuses to start without, and the host."""
    env = embedded_env(var_dir)
    # Not an operator's: the browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for this test run.
    for name in (
        "DEBUG",
        "LOG_FORMAT",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_PRELOAD",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    env.update(
        WAYPOINT_ENV="production",
        # Production names its database; these tests choose the embedded SQLite file.
        DATABASE_URL=f"sqlite:///{var_dir}/waypoint.sqlite3",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,waypoint.example.org",
        WAYPOINT_QUARANTINE_KEYS=base64.b64encode(secrets.token_bytes(32)).decode(),
        WAYPOINT_PSEUDONYM_SECRET=secrets.token_urlsafe(32),
        WAYPOINT_ODK_VALIDATE="false",
    )
    return env


@pytest.fixture(scope="package")
def production_server(tmp_path_factory):
    """gunicorn with the production settings and the demo loaded; ``server.log`` is its access
    log (stdout), ``server.errors()`` the rest (stderr). Requests that should look as if they
    came through the TLS proxy send ``X-Forwarded-Proto: https``."""
    env = production_environment(tmp_path_factory.mktemp("var"))
    port = free_port()
    manage("migrate", "--no-input", env=env)
    demo = json.loads(
        manage("demo", "--json", "--base-url", f"https://127.0.0.1:{port}", env=env).stdout
    )
    log = tmp_path_factory.mktemp("log") / "access.log"
    server = ServerProcess(env, port, log=log).start()
    yield server, demo
    server.stop()
