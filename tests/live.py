"""A real Waypoint server process (gunicorn), for tests that talk HTTP as clients do."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


class ServerProcess:
    def __init__(
        self, env: dict, port: int, workers: int | None = 2, log: Path | None = None
    ) -> None:
        """``workers=None`` keeps deploy/gunicorn.conf.py's own choice (the production one);
        ``log`` receives the server's output (the access log among it)."""
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "ServerProcess":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "deploy/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "backend.wsgi",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb") if self.log else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-2000:])
            try:
                httpx.get(self.url + "/", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def embedded_env(var_dir: Path) -> dict:
    """The environment of `make run`: no DATABASE_URL, no broker, state under var_dir."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update({"WAYPOINT_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "backend.settings"})
    return env


def postgres_env(connection_settings: dict, **extra: str) -> dict:
    """The environment for a server process sharing the test run's PostgreSQL database."""
    s = connection_settings
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "backend.settings", **extra})
    return env


class CeleryWorker:
    """A real Celery worker process (prefork) consuming this test run's own queue."""

    def __init__(self, env: dict) -> None:
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = ROOT / "var" / f"celery-{env['CELERY_TASK_DEFAULT_QUEUE']}-{time.time_ns()}.log"

    def start(self) -> "CeleryWorker":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "backend",
                "worker",
                "-l",
                "info",
                "-Q",
                self.env["CELERY_TASK_DEFAULT_QUEUE"],
                "-c",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill takes the children too
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b" ready." in self.log.read_bytes():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text()[-3000:])
            time.sleep(0.2)
        raise RuntimeError("the Celery worker did not start within 60 s")

    def kill(self) -> None:
        """SIGKILL the worker and its pool: what an OOM kill or a power cut does."""
        import signal

        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            import signal

            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")
