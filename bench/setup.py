"""A fresh database for a benchmark run: PostgreSQL when reachable (as in production), else
SQLite, and Django configured against it."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"


def _postgres_available() -> bool:
    probe = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc", "select 1"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def django_with_fresh_database(name: str = "waypoint_bench") -> str:
    """Create an empty database, point Django at it, migrate; return a description."""
    sys.path.insert(0, str(ROOT))
    if "DATABASE_URL" not in os.environ:
        if _postgres_available():
            for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
                subprocess.run(
                    ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
                    check=True,
                    capture_output=True,
                )
            os.environ["DATABASE_URL"] = PG + name
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/{name}.sqlite3"
    os.environ.setdefault("WAYPOINT_MEDIA_ROOT", tempfile.mkdtemp(prefix="waypoint-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return f"{connection.vendor} ({os.environ['DATABASE_URL'].split('@')[-1]})"
