"""What the benchmarks share: a fresh database (PostgreSQL when reachable, as in production, else
SQLite) with Django configured against it, and the production-like stack the HTTP benches drive
(gunicorn as deployed, RabbitMQ, optionally Celery workers)."""

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import Device, Project
    from forms.models import FormVersion
    from tests.live import CeleryWorker, ServerProcess

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


BROKER = "amqp://guest:guest@127.0.0.1:5672//"


def tree_usage(pid: int) -> tuple[float, float]:
    """Resident memory (MB) and CPU time (s) of a process and its children: gunicorn's master and
    workers, or a Celery worker and its pool."""
    listed = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid), "-p", str(pid)], capture_output=True, text=True
    )
    rss_kb, ticks = 0, 0
    for child in listed.stdout.split():
        try:
            stat = Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue  # it exited meanwhile (a recycled gunicorn worker)
        ticks += int(stat[11]) + int(stat[12])  # utime, stime
        rss_kb += int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
    return rss_kb / 1024, ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Stack:
    """The processes of a production host, as a bench drives them over HTTP."""

    server: "ServerProcess"
    workers: list["CeleryWorker"]
    queue: str
    messages_left: int = 0  # task messages still queued when the stack stopped

    def usage(self) -> dict[str, tuple[float, float]]:
        """(RSS MB, CPU s) of gunicorn and, when running, of the Celery workers together."""
        found = {"gunicorn": tree_usage(self.server.process.pid)}
        if self.workers:
            each = [tree_usage(worker.process.pid) for worker in self.workers]
            found["celery"] = (sum(m for m, _ in each), sum(c for _, c in each))
        return found


@contextmanager
def production_stack(
    *,
    celery_workers: int = 0,
    celery_concurrency: int = 1,
    celery_nice: int = 0,
    log: Path | None = None,
    **env: str,
) -> Iterator[Stack]:
    """gunicorn with deploy/gunicorn.conf.py (its own worker count, DEBUG off) on the bench's
    PostgreSQL database, publishing to RabbitMQ as production does, on a queue of its own that
    is deleted afterwards; with ``celery_workers``, real workers consume it (anonymisation and
    disclosure control run beside the load, as on a production host). Yields a ``Stack``."""
    from django.db import connection

    from tests.live import CeleryWorker, ServerProcess, free_port, postgres_env

    queue = f"waypoint-bench-{uuid.uuid4().hex[:8]}"
    env = postgres_env(
        connection.settings_dict,
        **{"DEBUG": "false", "LOG_LEVEL": "WARNING", "CELERY_BROKER_URL": BROKER, **env},
        CELERY_TASK_DEFAULT_QUEUE=queue,
    )
    stack = Stack(ServerProcess(env, free_port(), workers=None, log=log), [], queue)
    try:
        stack.server.start()
        for _ in range(celery_workers):
            worker = CeleryWorker(env, concurrency=celery_concurrency, nice=celery_nice)
            stack.workers.append(worker)  # listed first: stopped even if it hangs
            stack.workers[-1].start()
        yield stack
    finally:
        stack.server.stop()
        for worker in stack.workers:
            worker.stop()
        stack.messages_left = _drop_queue(queue)


def broker_reachable() -> bool:
    """Whether RabbitMQ answers: a bench needing it skips with a reason instead of hanging."""
    from kombu import Connection

    try:
        with Connection(BROKER, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception:
        return False
    return True


def _drop_queue(queue: str) -> int:
    """Delete a bench's queue; return how many task messages it held."""
    from kombu import Connection

    with Connection(BROKER) as connection:
        channel = connection.default_channel
        try:
            _, messages, _ = channel.queue_declare(queue=queue, passive=True)
        except Exception:  # the queue was never created: nothing was published
            return 0
        channel.queue_delete(queue)
        return messages


@dataclass
class LibraryProject:
    project: "Project"
    device: "Device"
    token: str
    version: "FormVersion"


def library_project(label: str, data: bytes | None = None) -> LibraryProject:
    """A fresh project with one service point, one tablet and the library migrant
    questionnaire (or ``data``, a workbook adapted from it): what the ingest and anonymisation
    benches submit to."""
    from accounts.models import Project, ServicePoint
    from accounts.provisioning import device_create
    from forms.library import LIBRARY_DIR
    from forms.services import form_upload
    from tests.factories import NationalSocietyFactory

    project = Project.objects.create(name=f"{label} {uuid.uuid4().hex[:6]}")
    point = ServicePoint.objects.create(
        project=project, national_society=NationalSocietyFactory(), name="HSP", country="IT"
    )
    device, token = device_create(project=project, service_point=point, name="bench tablet")
    data = data or (LIBRARY_DIR / "migrant_experience.xlsx").read_bytes()
    version = form_upload(project=project, filename="m.xlsx", data=data).version
    return LibraryProject(project, device, token, version)
