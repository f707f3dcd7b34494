"""OpenRosa ingest over HTTP: concurrent clients POST realistic submissions of the library
questionnaire to gunicorn (deploy/gunicorn.conf.py) on PostgreSQL, and, with ``--peer-url``, the
same load to another OpenRosa server (ODK Central run locally: a device URL such as
``http://127.0.0.1:8383/v1/key/TOKEN/projects/1``, its form published from the same XForm),
interleaved, with the ratio. Target (issue 19): twice the peer's submissions/s at c=8 and c=16.

Each run starts on its server's database vacuumed (``machine.vacuum``) and once the machine is
quiet again (``machine.settle``: under 15 % of the cores busy for two seconds; ``settled_s`` is
the wait), so neither server's after-work lands in the other's run. The load comes from wrk
(Debian package `wrk`), whose C client leaves the two cores to the servers; each request carries
a fresh instanceID, so every POST is a new submission stored durably. CPU per submission is
counted per process: gunicorn's master and workers, and the PostgreSQL backends serving the
bench's database (``--peer-pid`` and ``--peer-database`` do the same for the peer).

Options (``python -m bench ingest --peer-url URL ...``, or the WAYPOINT_BENCH_* variables):
``--connections 8,16``, ``--duration 20`` (seconds per run), ``--rounds 1`` (medians over them),
``--celery-workers 1`` (real workers anonymise beside the load, as on a production host: their
CPU is counted, and ``anonymised_after_s`` is the seconds from the run's end until every
submission has its anonymised record; issue 19 asks for <= 5 s; ``disclosure_checked_after_s``
until disclosure control has checked every record of the form), ``--celery-concurrency 2``
(the pool's processes per worker: deploy/entrypoint.sh's default, ``CELERY_CONCURRENCY``; with
1, the one process gets a single thread's share of the cores while gunicorn's threads are busy,
falls behind, and drains the backlog on one core afterwards), ``--celery-nice 0`` (the
worker's CPU priority, as ``nice -n``) and ``--rewarm 0`` (seconds of light untimed load on a
server just before each of its runs). Without workers the tasks are published to a queue
nobody consumes.

ODK Central as the peer (README's figures; never committed): central-backend at a release tag
(v2025.1.3 runs on Node 20 with ``npm ci --engine-strict=false``), a PostgreSQL database owned
by its user with the citext, pg_trgm and pgrowlocks extensions, ``config/local.json`` naming
it, ``node lib/bin/run-migrations.js``, ``node lib/bin/cli.js -u EMAIL user-create`` and
``user-promote``, then ``WORKER_COUNT=4 npx pm2-runtime start pm2.config.js`` (as its Docker
image runs it). Through its API: a session, a project, the library XForm published
(``forms?publish=true``, the bytes Waypoint serves for it), an app user assigned to the form;
``--peer-url`` is the app user's ``/v1/key/TOKEN/projects/ID``, ``--peer-pid`` the pm2-runtime
process and ``--peer-database`` its database. Beside the export bench's Central (one process,
port 8383): a copy of its checkout with ``"server": {"port": 8384}``, ``env.domain`` and
``database: central_ingest`` in ``config/local.json``, ``PM2_HOME=<copy>/.pm2``; the app user
is ``POST /v1/projects/ID/app-users`` then ``POST .../forms/FORM/assignments/ROLE/USER`` with the
``app-user`` role's id (``GET /v1/roles``). README's figures:

    python -m bench ingest --peer-url 'http://127.0.0.1:8384/v1/key/TOKEN/projects/1' \
        --peer-pid PID --peer-database central_ingest --connections 8,16 --rounds 2 \
        --duration 20 --celery-workers 1
"""

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.machine import backend_cpu, busy_seconds, cpu_spent, settle, ticks, vacuum
from bench.setup import production_stack, tree_usage

ROOT = Path(__file__).resolve().parent.parent
LUA = """
local template = io.open("%(template)s"):read("*a")%(photo_read)s
local boundary = "waypointbench7f3a9c"
local counter = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end
init = function(args)
  math.randomseed(os.time() + thread_id * 7919)
end
request = function()
  counter = counter + 1
  local id = string.format("uuid:%%d-%%d-%%d", thread_id, counter, math.random(1, 1000000000))
  local xml = template:gsub("INSTANCE_ID", id)
  local body = "--" .. boundary .. "\\r\\n"
    .. "Content-Disposition: form-data; name=\\"xml_submission_file\\"; "
    .. "filename=\\"instance.xml\\"\\r\\n"
    .. "Content-Type: text/xml\\r\\n\\r\\n" .. xml
    .. "\\r\\n--" .. boundary%(photo_part)s .. "--\\r\\n"
  return wrk.format("POST", "%(path)s", {
    ["X-OpenRosa-Version"] = "1.0",
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  }, body)
end%(pace)s
"""
# With a rate, each wrk thread sends its requests on a fixed schedule (wrk waits ``delay()`` ms
# before each request on any of its connections): an offered load below saturation, so that what
# one request costs is measured without the processes queueing for the cores. LuaJIT's ffi gives
# the wall clock in ms (plain Lua has only seconds).
PACE = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } waypoint_timeval;
int gettimeofday(waypoint_timeval *tv, void *tz);
]]
local clock = ffi.new("waypoint_timeval")
local due = nil
delay = function()
  ffi.C.gettimeofday(clock, nil)
  local now = tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_usec) / 1000
  due = (due or now) + %(interval_ms)s
  return math.max(due - now, 0)
end
"""
WRK_THREADS = 2
STORY = (
    "We left in spring and crossed three borders. At the last one we waited for eleven days "
    "without shelter; my son was sick and the volunteers at the service point gave us food, "
    "blankets and medicine, and helped me call my sister. What we need most now is information "
    "about the asylum procedure in a language we understand, and a safe place to sleep. "
)


def template_instance(form_xml: bytes, workdir: Path) -> bytes:
    """A JavaRosa-filled instance of the library form, about 5 KB, with INSTANCE_ID to replace."""
    from tests.real_clients import javarosa

    form = workdir / "form.xml"
    form.write_bytes(form_xml)
    result = javarosa(
        *("fill", str(form)),
        *("--set", "/data/consent=yes"),
        *("--set", "/data/household_count=2"),
        *("--set", "/data/contact/contact_consent=yes"),
        *("--set", "/data/contact/contact_phone=+39 333 1234567"),
        *("--set", f"/data/story={STORY * 10}"),
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    xml = result.stdout.strip().encode()
    return re.sub(rb"<instanceID>[^<]*</instanceID>", b"<instanceID>INSTANCE_ID</instanceID>", xml)


def _option(name: str, default: str) -> str:
    return os.environ.get(f"WAYPOINT_BENCH_{name.upper()}", default)


def _wrk(script: Path, url: str, connections: int, duration: int) -> dict:
    load = [f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s", "--latency"]
    load += ["--timeout", "10s"]
    started = time.monotonic()
    done = subprocess.run(
        ["wrk", *load, "-s", str(script), url], capture_output=True, text=True, check=True
    )
    output = done.stdout

    def found(pattern: str, default: str = "0") -> str:
        match = re.search(pattern, output, re.MULTILINE)
        return match.group(1) if match else default

    requests = int(found(r"(\d+) requests in"))
    non_2xx = int(found(r"Non-2xx or 3xx responses: (\d+)"))
    return {
        "seconds": round(time.monotonic() - started, 1),
        "accepted": requests - non_2xx,
        "non_2xx": non_2xx,
        "latency_p50": found(r"^\s*50%\s+(\S+)", "?"),
        "latency_p99": found(r"^\s*99%\s+(\S+)", "?"),
        "socket_errors": found(r"Socket errors: (.*)", "none"),
    }


def _measured(run: dict, count: int, cpu: dict[str, float]) -> dict:
    seconds = run.pop("seconds")
    per = {k: round(v * 1000 / count, 2) if count else None for k, v in cpu.items()}
    return {
        **run,
        "submissions": count,
        "submissions_per_s": round(count / seconds, 1),
        "cpu_ms_per_submission": {**per, "total": round(sum(v or 0 for v in per.values()), 2)},
        "load_average": os.getloadavg()[0],
    }


def wrk_script(
    template: Path, path: str, photo: Path | None = None, rate: float | None = None
) -> str:
    """wrk's Lua: POST ``template`` (INSTANCE_ID made unique per request) to ``path`` as
    Collect does, with ``photo`` as the attachment named like the file if given, and at
    ``rate`` requests/s in all if given (else as fast as the connections go)."""
    pace = PACE % {"interval_ms": WRK_THREADS * 1000 / rate} if rate else ""
    parts = {"photo_read": "", "photo_part": "", "pace": pace}
    if photo is not None:
        parts = {
            "pace": pace,
            "photo_read": f'\nlocal photo = io.open("{photo}", "rb"):read("*a")',
            "photo_part": (
                ' .. "\\r\\n"\n'
                f'    .. "Content-Disposition: form-data; name=\\"{photo.name}\\"; '
                f'filename=\\"{photo.name}\\"\\r\\n"\n'
                '    .. "Content-Type: image/jpeg\\r\\n\\r\\n" .. photo .. "\\r\\n--" .. boundary'
            ),
        }
    return LUA % {"template": template, "path": path, **parts}


def _script(workdir: Path, name: str, device_url: str) -> Path:
    """The wrk script POSTing to ``device_url``/submission, and the base URL to give wrk."""
    path = device_url.split("://", 1)[1].partition("/")[2]
    script = workdir / f"{name}.lua"
    script.write_text(wrk_script(workdir / "instance.xml", f"/{path.rstrip('/')}/submission"))
    return script


def _peer(script: Path, url: str, connections: int, duration: int) -> dict:
    pid, database = _option("peer_pid", ""), _option("peer_database", "")
    cpu_before = tree_usage(int(pid))[1] if pid else 0.0
    pg_before = backend_cpu(database) if database else {}
    run = _wrk(script, url, connections, duration)
    cpu = {}
    if pid:
        cpu["peer"] = tree_usage(int(pid))[1] - cpu_before
    if database:
        cpu["postgresql"] = cpu_spent(pg_before, backend_cpu(database))
    return _measured(run, run["accepted"], cpu)


def _anonymised_after(submissions, workers: int, timeout: float = 120) -> float | None:
    """Seconds until every complete submission has its anonymised record (None without
    workers: nothing consumes the tasks)."""
    if not workers:
        return None
    started = time.monotonic()
    pending = submissions.filter(complete=True, anonymised__isnull=True)
    while pending.exists() and time.monotonic() - started < timeout:
        time.sleep(0.2)
    return round(time.monotonic() - started, 1)


def _checked_after(form, started: float, timeout: float = 120) -> float | None:
    """Seconds from ``started`` (the load's end) until disclosure control has checked every
    record of ``form``: no change waiting for a run, and the last run counted them all (the
    bench's records: one version, one rule set, none withheld). None if not within
    ``timeout``."""
    from privacy.models import AnonymisedRecord, DisclosurePending, DisclosureRun

    while time.monotonic() - started < timeout:
        last = DisclosureRun.objects.filter(form=form).order_by("-created_at").first()
        records = AnonymisedRecord.objects.filter(form=form, superseded=False).count()
        if (
            last is not None
            and last.records == records
            and not DisclosurePending.objects.filter(form=form).exists()
        ):
            return round(time.monotonic() - started, 1)
        time.sleep(0.2)
    return None


def _rewarm(script: Path, url: str) -> None:
    """With ``--rewarm SECONDS``, a light untimed load (2 connections) just before a measured
    run: a server idle through the other's run and the settling can find its memory paged out
    (this machine's kernel runs DAMON with a pageout scheme) and stall its first requests."""
    seconds = int(_option("rewarm", "0"))
    if seconds:
        subprocess.run(
            ["wrk", "-t1", "-c2", f"-d{seconds}s", "-s", str(script), url],
            capture_output=True,
            check=True,
        )


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def run() -> dict:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    from django.db import connection

    from bench.setup import library_project
    from sync.models import Submission

    connections = [int(c) for c in _option("connections", "8,16").split(",")]
    duration, rounds = int(_option("duration", "20")), int(_option("rounds", "1"))
    celery_workers = int(_option("celery_workers", "0"))
    concurrency = int(_option("celery_concurrency", "2"))
    nice = int(_option("celery_nice", "0"))
    peer_url = _option("peer_url", "")
    bench = library_project("ingest")
    project, token, version = bench.project, bench.token, bench.version
    workdir = Path(tempfile.mkdtemp(prefix="waypoint-ingest-"))
    template = template_instance(bytes(version.xform), workdir)
    (workdir / "instance.xml").write_bytes(template)
    database = connection.settings_dict["NAME"]
    results: dict[int, dict[str, list]] = {c: {"waypoint": [], "peer": []} for c in connections}
    # The server inherits this process's environment: same media root and quarantine key. With a
    # broker, as in production, each complete submission also publishes its anonymisation task
    # (to a queue of its own that no worker consumes, deleted afterwards).
    # One token stands in for a whole fleet of tablets here: its per-device quota (sync/quota.py,
    # 120 submissions a minute) is lifted, or the bench would measure 429s.
    with production_stack(
        celery_workers=celery_workers,
        celery_concurrency=concurrency,
        celery_nice=nice,
        WAYPOINT_DEVICE_POSTS_PER_MINUTE="100000000",
        WAYPOINT_DEVICE_BYTES_PER_MINUTE=str(1 << 50),
    ) as stack:
        server = stack.server
        script = _script(workdir, "waypoint", f"{server.url}/key/{token}/projects/{project.pk}")
        peer_script = _script(workdir, "peer", peer_url) if peer_url else None
        for warm, url in ((script, server.url), (peer_script, peer_url)):
            if warm:  # warm up workers, connections (and the peer's JIT)
                subprocess.run(
                    ["wrk", "-t2", "-c16", "-d5s", "-s", str(warm), url],
                    capture_output=True,
                    check=True,
                )
        rss_before = stack.usage()["gunicorn"][0]
        for _ in range(rounds):
            for c in connections:  # interleaved: each Waypoint run next to its peer run
                submissions = Submission.objects.filter(form__project=project)
                _anonymised_after(submissions, celery_workers)  # the warm-up's, the last run's
                vacuum(database)
                settled = settle()
                _rewarm(script, server.url)
                before = submissions.count()
                usage, pg_before = stack.usage(), backend_cpu(database)
                machine, peer_pid = ticks(), _option("peer_pid", "")
                peer_cpu = tree_usage(int(peer_pid))[1] if peer_pid else 0.0
                run = _wrk(script, server.url, c, duration)
                machine_cpu = busy_seconds(machine)  # every process, Waypoint's and wrk's too
                peer_cpu = tree_usage(int(peer_pid))[1] - peer_cpu if peer_pid else 0.0
                ended = time.monotonic()
                drained = _anonymised_after(submissions, celery_workers)
                checked = _checked_after(version.form, ended) if celery_workers else None
                after = stack.usage()
                cpu: dict[str, float] = {
                    kind: after[kind][1] - usage[kind][1] for kind in ("gunicorn", "celery")
                    if kind in usage
                }  # fmt: skip
                cpu["postgresql"] = cpu_spent(pg_before, backend_cpu(database))
                stored = submissions.count() - before
                measured = {**_measured(run, stored, cpu), "stored": stored, "settled_s": settled}
                measured["machine_cpu_s_during_load"] = machine_cpu
                measured["peer_cpu_s_during_load"] = round(peer_cpu, 2)  # its after-work
                if celery_workers:
                    measured["anonymised_after_s"] = drained
                    measured["disclosure_checked_after_s"] = checked
                results[c]["waypoint"].append(measured)
                if peer_script:
                    if peer_database := _option("peer_database", ""):
                        vacuum(peer_database)
                    settled = settle()
                    _rewarm(peer_script, peer_url)
                    peer_run = _peer(peer_script, peer_url, c, duration)
                    results[c]["peer"].append({**peer_run, "settled_s": settled})
        rss_after = stack.usage()["gunicorn"][0]
    report: dict = {
        "submission_bytes": len(template),
        "seconds_per_run": duration,
        "rounds": rounds,
        "server_rss_mb_before": round(rss_before, 1),
        "server_rss_mb_after": round(rss_after, 1),
        "celery_workers": celery_workers,
        "celery_concurrency": concurrency,
        "celery_nice": nice,
        "anonymisation_tasks_left_in_queue": stack.messages_left,
    }
    for c, runs in results.items():
        entry: dict = {"waypoint": runs["waypoint"]}
        mine = _median(runs["waypoint"], "submissions_per_s")
        entry["waypoint_median_per_s"] = mine
        if runs["peer"]:
            theirs = _median(runs["peer"], "submissions_per_s")
            entry.update(peer=runs["peer"], peer_median_per_s=theirs)
            entry["ratio"] = round(mine / theirs, 2) if theirs else None
        report[f"c{c}"] = entry
    return report
