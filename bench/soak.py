"""Soak: the busiest 20 minutes of a day of a network of service points, compressed into 60 s,
against the production-like stack. Reports throughput, latency by kind of request, errors (must
be 0), CPU and memory growth, then checks that every submission landed once and whole.

The model (the constants below):

- 8 Humanitarian Service Points with 5 tablets each: 40 devices, each with its own token, all
  on the library questionnaire of migrants' lived experience, published with two photo
  questions (a document, the place; privacy `direct`) and two media files (`hsp_logo.png`,
  `thanks.png`), as a National Society adapting the library form would.
- The 20 minutes are the end of the day shift, the busiest moment of a service point's day:
  volunteers bring the tablets back onto the Wi-Fi and each sends the 20 interviews it holds
  (two volunteers in shifts, 12-minute interviews; Collect's auto-send fires as the Wi-Fi comes
  and goes, so the forms leave in bursts of 1 to 4) and refreshes its blank forms twice (the
  15-minute automatic check, and a volunteer tapping "Get blank forms"). Modelled, that is 800
  submissions in 20 minutes, 0.67 per second.
- Compression: each action happens at 1/20 of its modelled time, so the 60 s window carries 20
  times the per-minute load of that peak (about 14 submissions/s, 4 MB/s of photos).
- A refresh is formList, the manifest, the form and its media with If-None-Match: 304 when the
  tablet has them (Enketo and Web Forms fetch so; Collect compares the list's hashes instead,
  which costs the server less). 4 of the 40 tablets are new this evening: their first refresh
  downloads everything (200) and comes before their first send.
- A send is Collect's: HEAD on /submission (204, X-OpenRosa-Accept-Content-Length), then one
  multipart POST per form with the XML and its 1 or 2 photos (random bytes, 50-300 kB each),
  split over several POSTs when the files pass the advertised length, the way Collect counts
  (file bytes only; `*isIncomplete*` on all but the last POST). The soak server advertises
  450 kB instead of production's 50 MB so that about 8% of submissions are split, as larger
  photos and videos are under the real limit.
- 5% of submissions are sent again in full after being accepted (the 201 was lost): each POST
  must be answered 201 "already received". 2% are edited later from the same tablet (a new
  instanceID with meta/deprecatedID, photos not sent again: the server carries them forward).
- Not modelled: slow or lossy links (all is on loopback), Enketo web forms, form managers',
  DPOs' and analysts' pages (tested elsewhere), beat's periodic tasks.

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
import io
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.soak_client import POOL_BYTES, photo, photo_pool

ROOT = Path(__file__).resolve().parent.parent
SERVICE_POINTS, TABLETS_PER_POINT = 8, 5
MODELLED_SECONDS, WINDOW_SECONDS = 20 * 60, 60
SUBMISSIONS_PER_TABLET, REFRESHES_PER_TABLET, NEW_TABLETS = 20, 2, 4
BURST = (1, 4)  # forms per send
PHOTOS, PHOTO_BYTES = (1, 2), (50_000, 300_000)
RETRY_SHARE, EDIT_SHARE = 0.05, 0.02
ACCEPT_CONTENT_LENGTH = 450_000
WARM_UP = 12  # submissions before the window, one per gunicorn thread (3 workers x 4)
MEDIA = {"hsp_logo.png": 40_000, "thanks.png": 25_000}


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
    version, devices = _project(workdir)
    plan = _plan(random.Random(seed), version, devices, workdir)
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
    result = _report(plan, client, usage, drain, _check(plan, version.form), load_before)
    result["stack"]["celery_messages_left"] = stack.messages_left
    _clean_up(version.form.project_id, workdir, keep=not result["passed"])
    if not result["passed"]:
        result["workdir"] = str(workdir)  # the plan, the client's and the server's logs
    out = ROOT / "var" / "bench" / "soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(_table(result), file=sys.stderr)
    return result


def _clean_up(project_pk: int, workdir: Path, *, keep: bool) -> None:
    """Remove the run's 200 MB of sealed photos, and its plan and logs unless they explain a
    failure."""
    import shutil

    from django.conf import settings

    shutil.rmtree(Path(settings.MEDIA_ROOT) / "quarantine" / str(project_pk), ignore_errors=True)
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)


def _project(workdir: Path):
    """A project with 8 service points, 5 tablets each, and the questionnaire with photos."""
    from accounts.models import Project, ServicePoint
    from accounts.provisioning import device_create
    from forms.services import form_upload, media_upload
    from tests.factories import NationalSocietyFactory

    project = Project.objects.create(name=f"soak {uuid.uuid4().hex[:6]}")
    society = NationalSocietyFactory()
    devices = []
    for p in range(SERVICE_POINTS):
        point = ServicePoint.objects.create(
            project=project, national_society=society, name=f"HSP {p + 1}", country="IT"
        )
        for t in range(TABLETS_PER_POINT):
            device, token = device_create(project=project, service_point=point, name=f"T{t + 1}")
            devices.append((device.pk, token))
    version = form_upload(project=project, filename="m.xlsx", data=_questionnaire()).version
    rng = random.Random(len(devices))
    for name, size in MEDIA.items():
        media_upload(version=version, filename=name, data=rng.randbytes(size))
    return version, devices


def _questionnaire() -> bytes:
    """migrant_experience.xlsx with two optional photo questions and two media images."""
    import openpyxl

    from forms.library import LIBRARY_DIR

    book = openpyxl.load_workbook(LIBRARY_DIR / "migrant_experience.xlsx")
    sheet = book["survey"]
    header = [cell.value for cell in sheet[1]]
    image = len(header) + 1
    sheet.cell(row=1, column=image, value="image")
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    sheet.cell(row=names.index("intro") + 2, column=image, value="hsp_logo.png")
    thanks = names.index("thanks") + 2
    sheet.cell(row=thanks, column=image, value="thanks.png")
    sheet.insert_rows(thanks, 2)
    for offset, (name, label) in enumerate(
        [
            ("photo_document", "Photo of a document (optional)"),
            ("photo_place", "Photo of the place"),
        ]
    ):
        for column, title in enumerate(header, 1):
            value = {"type": "image", "name": name, "privacy": "direct"}.get(title)
            if title.startswith("label::"):
                value = label
            sheet.cell(row=thanks + offset, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plan(rng: random.Random, version, devices: list, workdir: Path) -> dict:
    """Every tablet's sessions in the window, with the XML and photos of each form it sends."""
    from bench.anonymise import _instances
    from bench.ingest import template_instance

    total = WARM_UP + len(devices) * SUBMISSIONS_PER_TABLET
    instances = iter(_instances(template_instance(bytes(version.xform), workdir), total))
    photo_names = (f"{1764250000000 + n * 7919}.jpg" for n in itertools.count())  # Collect's

    def item() -> dict:
        xml = next(instances).decode()
        photos = []
        for question in ("photo_document", "photo_place")[: rng.randint(*PHOTOS)]:
            name = next(photo_names)
            xml = xml.replace(f"<{question} />", f"<{question}>{name}</{question}>")
            photos.append([name, rng.randint(*PHOTO_BYTES), rng.randrange(POOL_BYTES // 2)])
        instance_id = re.search(r"<instanceID>([^<]+)</instanceID>", xml).group(1)
        return {
            "id": instance_id,
            "xml": xml,
            "photos": photos,
            "retry": rng.random() < RETRY_SHARE,
        }

    tags = {"form": f'"{version.md5}"', **{m.filename: f'"{m.md5}"' for m in version.media.all()}}
    plan = {
        "project": version.form.project_id,
        "form_id": version.form.form_id,
        "md5": version.md5,
        "media": sorted(MEDIA),
        "warmup": {"device": devices[0], "items": [item() for _ in range(WARM_UP)]},
        "devices": [],
    }
    for index, (device_pk, token) in enumerate(devices):
        sends, left = [], SUBMISSIONS_PER_TABLET
        while left:
            burst = min(left, rng.randint(*BURST))
            sends.append({"kind": "send", "items": [item() for _ in range(burst)]})
            left -= burst
        edits = [  # an edit leaves in a later send than its original
            (rng.randrange(n + 1, len(sends)), _edit(original))
            for n, send in enumerate(sends[:-1])
            for original in send["items"]
            if rng.random() < EDIT_SHARE
        ]
        for n, edit in edits:
            sends[n]["items"].append(edit)
        sessions = list(sends)
        new = index < NEW_TABLETS  # a new tablet gets the form before it can send anything
        for n in range(REFRESHES_PER_TABLET):
            position = 0 if new and n == 0 else rng.randint(int(new), len(sessions))
            sessions.insert(position, {"kind": "refresh"})
        times = sorted(rng.uniform(0, WINDOW_SECONDS * 0.95) for _ in sessions)
        for at, session in zip(times, sessions, strict=True):
            session["at"] = at
        plan["devices"].append(
            {"pk": device_pk, "token": token, "etags": {} if new else tags, "sessions": sessions}
        )
    return plan


def _edit(original: dict) -> dict:
    new_id = f"uuid:{uuid.uuid4()}"
    xml = original["xml"].replace(
        f"<instanceID>{original['id']}</instanceID>",
        f"<instanceID>{new_id}</instanceID><deprecatedID>{original['id']}</deprecatedID>",
    )
    names = [name for name, *_ in original["photos"]]
    return {"id": new_id, "xml": xml, "photos": [], "deprecates": original["id"], "names": names}


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
            "p50": round(_rank(delays, 50), 1),
            "p99": round(_rank(delays, 99), 1),
            "max": round(_rank(delays, 100), 1),
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


def _resources(usage: dict, client: dict) -> tuple[dict, dict]:
    """Memory (MB) at the window's start, middle and end, and CPU (% of one core) during it."""
    first, *_, last = usage["samples"]
    middle = min(usage["samples"], key=lambda s: abs(s[0] - first[0] - client["wall_s"] / 2))
    memory = {
        part: {
            "start": round(first[1][part][0], 1),
            "middle": round(middle[1][part][0], 1),
            "end": round(last[1][part][0], 1),
            "after_drain": round(usage["after_drain"][1][part][0], 1),
            "peak": round(max(s[1][part][0] for s in usage["samples"]), 1),
            "growth": round(last[1][part][0] - first[1][part][0], 1),
            # warm-up (caches, arenas) shows early; a leak keeps growing in the second half
            "growth_second_half": round(last[1][part][0] - middle[1][part][0], 1),
        }
        for part in first[1]
    }
    seconds = last[0] - first[0]
    cpu = {part: (last[1][part][1] - first[1][part][1]) / seconds * 100 for part in first[1]}
    cpu["client"] = client["cpu_s"] / client["wall_s"] * 100
    busy, total = last[2][0] - first[2][0], last[2][1] - first[2][1]
    machine = busy / total * 100 * (os.cpu_count() or 1)
    cpu["postgres_rabbitmq_and_others"] = machine - sum(cpu.values())
    cpu["machine"] = machine
    return memory, {k: round(v) for k, v in cpu.items()}


def _report(plan, client, usage, drain, checks, load_before) -> dict:
    samples, wall = client["samples"], client["wall_s"]
    by_kind: dict[str, list[float]] = {}
    for kind, ms, _ in samples:
        by_kind.setdefault(kind, []).append(ms)
    memory, cpu = _resources(usage, client)
    lags = sorted(client["lags"])
    errors = len(client["errors"])
    passed = errors == 0 and not (
        checks["missing"]
        or checks["unexpected"]
        or checks["incomplete_or_wrong_attachments_or_device"]
        or checks["conflicting_copies"]
        or drain["pending"]
    )
    return {
        "passed": passed,
        "model": {
            "tablets": len(plan["devices"]),
            "service_points": SERVICE_POINTS,
            "modelled_minutes": MODELLED_SECONDS / 60,
            "window_s": WINDOW_SECONDS,
            "compression": MODELLED_SECONDS / WINDOW_SECONDS,
            "submissions_per_tablet": SUBMISSIONS_PER_TABLET,
            "accept_content_length": ACCEPT_CONTENT_LENGTH,
            "retry_share": RETRY_SHARE,
            "edit_share": EDIT_SHARE,
        },
        "stack": {
            "gunicorn": "deploy/gunicorn.conf.py (gthread), DEBUG off",
            "gunicorn_workers": usage["gunicorn_workers"],
            "celery_workers": 1,
            "broker": "RabbitMQ",
            "load_average_before": [round(x, 2) for x in load_before],
        },
        "seconds": round(wall, 1),
        "requests": len(samples),
        "requests_per_s": round(len(samples) / wall, 1),
        "submissions": client["accepted"],
        "submissions_per_s": round(client["accepted"] / wall, 1),
        "split_submissions": client["split"],
        "upload_mb_per_s": round(sum(s[2] for s in samples) / wall / 1e6, 2),
        "latency_ms": {kind: _percentiles(v) for kind, v in sorted(by_kind.items())}
        | {"all": _percentiles([s[1] for s in samples])},
        "schedule_lag_s": {"p99": round(_rank(lags, 99), 2), "max": round(lags[-1], 2)},
        "errors": errors,
        "error_examples": client["errors"][:10],
        "cpu_percent_of_one_core": cpu,
        "memory_mb": memory,
        "anonymisation": drain,
        "checks": checks,
    }


def _rank(values: list[float], p: float) -> float:
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)] if values else 0.0


def _percentiles(values: list[float]) -> dict:
    values = sorted(values)
    found = {f"p{p}": round(_rank(values, p), 1) for p in (50, 95, 99)}
    return {"count": len(values), **found, "max": round(values[-1], 1)}


def _table(r: dict) -> str:
    lines = [
        f"soak: {r['requests']} requests in {r['seconds']} s = {r['requests_per_s']} req/s, "
        f"{r['submissions_per_s']} submissions/s, {r['upload_mb_per_s']} MB/s up; "
        f"errors {r['errors']}; {'PASSED' if r['passed'] else 'FAILED'}",
        f"{'kind':<26}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}",
    ]
    for kind, p in r["latency_ms"].items():
        lines.append(
            f"{kind:<26}{p['count']:>7}{p['p50']:>9}{p['p95']:>9}{p['p99']:>9}{p['max']:>9}"
        )
    for part, m in r["memory_mb"].items():
        lines.append(
            f"{part} RSS MB: start {m['start']}, middle {m['middle']}, end {m['end']}, "
            f"growth {m['growth']:+} ({m['growth_second_half']:+} in the second half), "
            f"after drain {m['after_drain']}"
        )
    lines.append(f"CPU % of one core: {r['cpu_percent_of_one_core']}")
    lines.append(f"anonymisation: {r['anonymisation']}")
    lines.append(f"checks: {r['checks']}")
    return "\n".join(lines)
