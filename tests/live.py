"""A real Waypoint server process (gunicorn), for tests that talk HTTP as clients do."""

import collections
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


# The machine's PostgreSQL, as a superuser, for tests that make and drop whole databases.
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qtAc"]


def machine_postgres_missing(*tools: str) -> str | None:
    """Why a test that drives the machine's PostgreSQL with these tools cannot run, or None."""
    for tool in ("psql", *tools):
        if shutil.which(tool) is None:
            return f"{tool} is needed"
    if subprocess.run([*PSQL, "select 1"], capture_output=True, check=False).returncode:
        return "PostgreSQL is not reachable on 127.0.0.1:5432"
    return None


def wait_for(predicate, seconds: float = 90) -> bool:
    """Poll until ``predicate()`` is true (a loaded CI machine is slow, never sleep a guess)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


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
        self._stderr: collections.deque[bytes] = collections.deque(maxlen=500)

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
                *(["--workers", str(self.workers)] if self.workers else []),
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
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            # Keep reading its error log: a full pipe would block the server at its next line.
            threading.Thread(
                target=self._stderr.extend, args=(self.process.stderr,), daemon=True
            ).start()
            return self
        raise RuntimeError("the server did not start within 30 s")

    def errors(self) -> str:
        """The end of the server's error log (tracebacks, gunicorn's worker messages)."""
        return b"".join(self._stderr).decode(errors="replace")

    def stop(self) -> None:
        """SIGTERM, as a deploy does; whatever has not stopped after gunicorn's grace period
        (30 s) is killed, so that a stuck server never outlives the tests."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                for pid in [*self.worker_pids(), self.process.pid]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.process.wait(timeout=30)

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's children (the master respawns any that die)."""
        return children(self.process.pid)

    def worker_serving(self, client_port: int, seconds: float = 30) -> int:
        """The pid of the worker holding the connection a client opened from ``client_port``:
        the one to kill to cut that client's request off mid-way."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            inode = _tcp_inode(self.port, client_port)
            for pid in self.worker_pids() if inode else []:
                if _holds_socket(pid, inode):
                    return pid
            time.sleep(0.05)
        raise RuntimeError(f"no worker of {self.url} took the connection from port {client_port}")


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, read from /proc (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # it exited meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _tcp_inode(local_port: int, remote_port: int) -> str | None:
    """The inode of the loopback TCP socket from ``local_port`` to ``remote_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":")[1], fields[2].split(":")[1]
        if int(local, 16) == local_port and int(remote, 16) == remote_port:
            return fields[9]
    return None


def _holds_socket(pid: int, inode: str) -> bool:
    try:
        return any(
            os.readlink(fd) == f"socket:[{inode}]" for fd in Path(f"/proc/{pid}/fd").iterdir()
        )
    except OSError:
        return False


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

    def __init__(self, env: dict, *, concurrency: int = 1, nice: int = 0) -> None:
        self.env = env
        self.concurrency, self.nice = concurrency, nice
        self.process: subprocess.Popen | None = None
        self.log = ROOT / "var" / f"celery-{env['CELERY_TASK_DEFAULT_QUEUE']}-{time.time_ns()}.log"

    def start(self) -> "CeleryWorker":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                # nice execs the worker, so the pid stays the worker's
                *(("nice", "-n", str(self.nice)) if self.nice else ()),
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
                str(self.concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                # A node name of its own: workers named alike (celery@host, from a concurrent
                # test run or bench) cannot both hold the exclusive remote-control queue.
                "-n",
                f"{self.log.stem}@%h",
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


class RedisServer:
    """A throwaway Redis broker of the test's own (never the machine's service), to kill and
    bring back on the same port as an outage does. Nothing is persisted: a kill loses its
    queues, as a broker that dies with undelivered messages does."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            if self.command("PING") == "PONG":
                return self
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start within 30 s")

    def command(self, *args: str) -> str | None:
        """One Redis command through redis-cli; None while the server does not answer."""
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, timeout=10
        )
        return result.stdout.strip() if result.returncode == 0 and result.stdout else None

    def freeze(self) -> None:
        """SIGSTOP: connections still open (the kernel accepts them) but nothing answers, as with
        a hung broker or a network that drops packets."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL: the broker vanishes with whatever it held."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


class PostgresCluster:
    """A throwaway PostgreSQL cluster (initdb in a temporary directory, its own port and socket
    directory) that a test may stop and restart: never the machine's own service.

    initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` user."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        initdb = found[-1] if found else shutil.which("initdb")
        if initdb is None:
            raise FileNotFoundError("initdb (PostgreSQL's server binaries) is not installed")
        self.bin = Path(initdb).parent
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="waypoint-pg-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)

    def init(self) -> "PostgresCluster":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        return self.start()

    def start(self) -> "PostgresCluster":
        # fsync off: the faults tested are process ones (a restart), not a power cut.
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.dir / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        """Create ``name`` and return its DATABASE_URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        """Stop the cluster (immediately) and delete its files."""
        with contextlib.suppress(subprocess.CalledProcessError):  # it was not running
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
