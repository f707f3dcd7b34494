"""Smoke test of the production topology from processes (deploy/local.sh): gunicorn, two Celery
workers and beat on PostgreSQL and Redis take a submission all the way to the DPO's risk
report, and stop cleanly."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.live import PSQL, ROOT, free_port, machine_postgres_missing

pytestmark = pytest.mark.timeout(300)
NAMES = ("gunicorn", "worker1", "worker2", "beat")


def _available() -> str | None:
    missing = machine_postgres_missing("curl")
    if missing:
        return missing
    probe = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, check=False
    )
    if b"PONG" not in probe.stdout:
        return "Redis is not reachable on 127.0.0.1:6379"
    return None


@pytest.fixture
def topology(tmp_path):
    missing = _available()
    if missing:
        pytest.skip(missing)
    name = f"waypoint_smoke_{uuid.uuid4().hex[:8]}"
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_"))},
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/11",
        "CELERY_TASK_DEFAULT_QUEUE": f"smoke-{name}",
        "WAYPOINT_BIN": str(Path(sys.executable).parent),
        "WAYPOINT_RUN_DIR": str(tmp_path / "run"),
        "WAYPOINT_VAR_DIR": str(tmp_path / "var"),
        "WAYPOINT_MEDIA_ROOT": str(tmp_path / "media"),
        "WAYPOINT_ODK_VALIDATE": "false",
        "PORT": str(port),
    }
    script = str(ROOT / "deploy" / "local.sh")
    try:
        started = subprocess.run(
            [script, "start"], env=env, capture_output=True, text=True, timeout=180
        )
        assert started.returncode == 0, started.stderr + started.stdout
        yield f"http://127.0.0.1:{port}", env, script
    finally:
        _stop_everything(script, env, Path(env["WAYPOINT_RUN_DIR"]))
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)


def _started_here(run: Path) -> list[int]:
    """Pids of the processes this test started: each names its own run folder (a fresh
    temporary path) in its command line, as do their forked children."""
    mark = str(run).encode()
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if mark in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
        except OSError:  # ended meanwhile
            continue
    return pids


def _stop_everything(script: str, env: dict, run: Path) -> None:
    """``local.sh stop`` kills what has a pid file; a detached beat or worker still booting
    writes its own later and outlived the suite. Stop again until none of this test's processes
    is left, by pid; whatever still runs after 30 s is killed."""
    deadline = time.monotonic() + 30
    while (pids := _started_here(run)) and time.monotonic() < deadline:
        subprocess.run([script, "stop"], env=env, capture_output=True, timeout=60)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        time.sleep(1)
    for pid in _started_here(run):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_submission_reaches_the_risk_report(topology):
    url, env, script = topology
    demo = json.loads(
        subprocess.run(
            [sys.executable, "manage.py", "demo", "--json", "--base-url", url],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
    )
    status = subprocess.run([script, "status"], env=env, capture_output=True, text=True).stdout
    assert status.count("running") == 4, status
    assert httpx.get(f"{url}/health/ready").json()["status"] == "ok"
    # DEBUG off: the pages' CSS and JS come from collectstatic's folder through whitenoise.
    assert httpx.get(f"{url}/static/waypoint/pages.js").status_code == 200
    xml = (
        '<data id="migrant_experience" version="2026112701"><consent>yes</consent><age>34</age>'
        f"<story>Call me on +39 333 123 4567</story><meta><instanceID>uuid:{uuid.uuid4()}"
        "</instanceID></meta></data>"
    ).encode()

    posted = httpx.post(
        f"{demo['device']['server_url']}/submission",
        headers={"X-OpenRosa-Version": "1.0"},
        files={"xml_submission_file": ("instance.xml", xml, "text/xml")},
    )

    assert posted.status_code == 201, posted.text
    dpo = next(a for a in demo["accounts"] if a["role"] == "dpo")
    report_url = f"{url}/api/v1/projects/{demo['project_id']}/forms/migrant_experience/risk-report"
    deadline = time.monotonic() + 90
    records = 0
    while time.monotonic() < deadline and not records:
        report = httpx.get(report_url, headers={"Authorization": f"Token {dpo['token']}"})
        records = report.json()["run"]["records"] if report.status_code == 200 else 0
        time.sleep(1)
    assert records == 1  # anonymised by a worker, counted by disclosure control


def test_stop_right_after_start_leaves_nothing_running(topology):
    """start returned before the workers' and beat's pid files were written: a stop straight
    after it missed a process still booting, which went on running. Now every pid file names
    a live process when start returns, and stop ends them all."""
    _, env, script = topology
    run = Path(env["WAYPOINT_RUN_DIR"])

    pid_files = {name: (run / f"{name}.pid").is_file() for name in NAMES}
    subprocess.run([script, "stop"], env=env, check=True, timeout=60)
    deadline = time.monotonic() + 45  # gunicorn's graceful timeout is 30 s
    while _started_here(run) and time.monotonic() < deadline:
        time.sleep(0.5)

    assert pid_files == dict.fromkeys(NAMES, True)
    assert _started_here(run) == []


def test_stop_returns_once_everything_is_gone_so_start_can_follow(topology):
    """stop removed the pid files straight after the signal, while gunicorn drained its
    requests for up to 30 s: a start right after it ran beside the old processes. Now stop
    returns once every process has exited, and a start straight after it starts afresh."""
    url, env, script = topology
    run = Path(env["WAYPOINT_RUN_DIR"])

    stopped = subprocess.run([script, "stop"], env=env, capture_output=True, text=True, timeout=60)

    assert stopped.returncode == 0, stopped.stderr
    assert _started_here(run) == []  # at once, not after a wait
    assert not [name for name in NAMES if (run / f"{name}.pid").exists()]
    started = subprocess.run(
        [script, "start"], env=env, capture_output=True, text=True, timeout=180
    )
    assert started.returncode == 0, started.stderr + started.stdout
    status = subprocess.run([script, "status"], env=env, capture_output=True, text=True).stdout
    assert status.count("running") == 4, status
    assert httpx.get(f"{url}/health/ready").json()["status"] == "ok"


def test_django_error_log_is_kept(topology):
    """gunicorn's --daemon sent stderr, and with it Django's own log (tracebacks of failed
    requests included), to /dev/null: an operator had nothing to read after a 500."""
    url, env, _ = topology
    missing = f"/no-such-page-{uuid.uuid4().hex}"
    assert httpx.get(url + missing).status_code == 404
    log = Path(env["WAYPOINT_RUN_DIR"]) / "gunicorn.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and missing not in log.read_text(errors="replace"):
        time.sleep(0.2)
    assert missing in log.read_text(errors="replace")  # django.request's "Not Found" line
