"""Soak: the busiest 20 minutes of a day of a network of service points, compressed into 60 s,
against the production-like stack. Reports throughput, latency by kind of request, errors (must
be 0), CPU and memory growth, then checks that every submission landed once and whole.

The model (what 40 tablets at 8 service points send, and when) is described and built in
bench/soak_plan.py; the figures are computed in bench/soak_report.py.

The stack is a production host's (bench.setup.production_stack): gunicorn with
deploy/gunicorn.conf.py on the bench run's fresh PostgreSQL database, RabbitMQ, and one real
Celery worker, so that anonymisation and disclosure control run beside the load; at this load
they take a few percent of a core, which leaves the HTTP figures meaningful on 2 cores (the CPU
figures show it), and how long records took to appear after their submission is reported. The
load comes from a separate process (bench/soak_client.py: asyncio and httpx, a connection per
tablet per sync session) whose CPU is reported so that it can be seen not to be the bottleneck.
Results go to stdout with the other benches' and to var/bench/soak.json.
"""

import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.soak_client import photo, photo_pool
from bench.soak_plan import ACCEPT_CONTENT_LENGTH, plan_build, project_create
from bench.soak_report import rank, report, table

ROOT = Path(__file__).resolve().parent.parent


def run(*, seed: int = 7) -> dict:
    """Set up, run the window, check; the figures, also written to var/bench/soak.json."""
    from django.db import connection

    from bench.setup import broker_reachable, production_stack

    if connection.vendor != "postgresql":
        return {"skipped": "the soak needs PostgreSQL (as in production)"}
    if not broker_reachable():
        return {"skipped": "the soak needs RabbitMQ at 127.0.0.1:5672"}
    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="waypoint-soak-"))
    version, devices = project_create(workdir)
    plan = plan_build(random.Random(seed), version, devices, workdir)
    with production_stack(
        celery_workers=1,
        log=workdir / "access.log",
        WAYPOINT_SUBMISSION_MAX_BYTES=str(ACCEPT_CONTENT_LENGTH),
    ) as stack:
        plan["base_url"] = stack.server.url
        (workdir / "plan.json").write_text(json.dumps(plan))
        client, usage = _drive(stack, workdir)
        drain = _drain(version.form)
        usage["after_drain"] = (time.monotonic(), stack.usage())
    result = report(plan, client, usage, drain, _check(plan, version.form), load_before)
    result["stack"]["celery_messages_left"] = stack.messages_left
    _clean_up(version.form.project_id, workdir, keep=not result["passed"])
    if not result["passed"]:
        result["workdir"] = str(workdir)  # the plan, the client's and the server's logs
    out = ROOT / "var" / "bench" / "soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(table(result), file=sys.stderr)
    return result


def _clean_up(project_pk: int, workdir: Path, *, keep: bool) -> None:
    """Remove the run's 200 MB of sealed photos, and its plan and logs unless they explain a
    failure."""
    import shutil

    from django.conf import settings

    shutil.rmtree(Path(settings.MEDIA_ROOT) / "quarantine" / str(project_pk), ignore_errors=True)
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)


def _drive(stack, workdir: Path) -> tuple[dict, dict]:
    """Run the client process; sample the server's memory and CPU while it loads."""
    log = (workdir / "client.log").open("wb")
    client = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.soak_client",
            str(workdir / "plan.json"),
            str(workdir / "out.json"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
    )
    try:
        line = client.stdout.readline()  # after the warm-up, as the window opens
        if not line.startswith(b"window"):
            client.wait(timeout=60)
            raise RuntimeError((workdir / "client.log").read_text()[-3000:])
        samples = [(time.monotonic(), stack.usage(), _machine_ticks())]
        workers = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(stack.server.process.pid)],
            capture_output=True,
            text=True,
        ).stdout.split()
        while client.poll() is None:
            time.sleep(1)
            samples.append((time.monotonic(), stack.usage(), _machine_ticks()))
        samples.append((time.monotonic(), stack.usage(), _machine_ticks()))
    finally:
        if client.poll() is None:
            client.kill()
        log.close()
    if client.returncode != 0:
        raise RuntimeError((workdir / "client.log").read_text()[-3000:])
    usage = {"samples": samples, "gunicorn_workers": len(workers)}
    return json.loads((workdir / "out.json").read_text()), usage


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)  # idle, iowait


def _drain(form, timeout: float = 300) -> dict:
    """Wait until every complete submission has its anonymised record; how long records took
    to appear after their submission completed."""
    from privacy.models import AnonymisedRecord
    from sync.models import Submission

    at_end = AnonymisedRecord.objects.filter(form=form).count()
    started = time.monotonic()
    pending = Submission.objects.filter(form=form, complete=True, anonymised__isnull=True)
    while pending.exists() and time.monotonic() - started < timeout:
        time.sleep(0.5)
    delays = sorted(
        (created - completed).total_seconds()
        for created, completed in AnonymisedRecord.objects.filter(form=form).values_list(
            "created_at", "submission__completed_at"
        )
    )
    return {
        "records_when_the_window_closed": at_end,
        "delay_after_completion_s": {
            "p50": round(rank(delays, 50), 1),
            "p99": round(rank(delays, 99), 1),
            "max": round(rank(delays, 100), 1),
        },
        "records": AnonymisedRecord.objects.filter(form=form).count(),
        "pending": pending.count(),
        "drained_after_s": round(time.monotonic() - started, 1),
        "disclosure_runs": form.disclosure_runs.count(),
    }


def _check(plan: dict, form) -> dict:
    """Every instanceID sent is one stored submission, complete, with its photos' exact bytes,
    from the tablet that sent it; edits point at their original; nothing else was stored."""
    from sync.models import ConflictingCopy, Submission

    pool = photo_pool()
    expected, edits = {}, {}
    sent = [(plan["warmup"]["device"][0], i) for i in plan["warmup"]["items"]]
    for device in plan["devices"]:
        sent += [(device["pk"], i) for s in device["sessions"] for i in s.get("items", [])]
    photos = {p[0]: p for _, i in sent for p in i["photos"]}
    for device_pk, i in sent:
        names = i.get("names") or [p[0] for p in i["photos"]]
        files = {n: _digest(photo(pool, *photos[n])) for n in names}
        expected[i["id"]] = (device_pk, files)
        if "deprecates" in i:
            edits[i["id"]] = i["deprecates"]
    stored = Submission.objects.filter(form=form).select_related("deprecates")
    found = {s.instance_id: s for s in stored.prefetch_related("attachments")}
    wrong = [
        s.instance_id
        for s in found.values()
        if s.instance_id in expected
        and (
            not s.complete
            or s.device_id != expected[s.instance_id][0]
            or {a.name: (a.size, a.sha256) for a in s.attachments.all()}
            != expected[s.instance_id][1]
            or (s.deprecates.instance_id if s.deprecates else None) != edits.get(s.instance_id)
        )
    ]
    return {
        "instance_ids_sent": len(expected),
        "submissions_stored": len(found),
        "missing": len(expected.keys() - found.keys()),
        "unexpected": len(found.keys() - expected.keys()),
        "incomplete_or_wrong_attachments_or_device": len(wrong),
        "attachments_expected": sum(len(files) for _, files in expected.values()),
        "attachments_stored": sum(len(s.attachments.all()) for s in found.values()),
        "conflicting_copies": ConflictingCopy.objects.filter(submission__form=form).count(),
        "examples": wrong[:5],
    }


def _digest(data: bytes) -> tuple[int, str]:
    return len(data), hashlib.sha256(data).hexdigest()
