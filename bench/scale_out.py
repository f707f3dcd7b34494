"""Scale-out (issue 19): web nodes and Celery workers as separate processes with their own ports,
as if on separate hosts, behind deploy/nginx.conf as the load balancer, sharing PostgreSQL,
RabbitMQ and S3-compatible storage (moto's server, ``python -m moto.server``: no shared folder).
The load is wrk POSTing the library questionnaire with a photo question, each submission with a
48 kB photo (sealed into the bucket), through the balancer to one web node, then to two, with
two Celery workers anonymising beside it; reported each way: submissions/s, latency, CPU per
submission per kind of process (moto's own CPU apart: it stands in for a storage service), and
the guarantees: every accepted submission stored once and whole (complete, its photo in the
bucket, a sample read back byte for byte through the storage door), no object without a row,
anonymisation drained after the load. On one 2-core machine two nodes cannot add cores: what
should stay flat is CPU per submission (then throughput scales with the hosts given);
RUNBOOK.md, "Scaling", maps this to real hosts. Options: ``--connections 16``,
``--duration 20``, ``--layouts 2,1`` (the order of the layouts), ``--one-node-workers 6``,
``--rate 30`` (submissions/s offered to both layouts on a fixed schedule, below what the machine
can take, so that CPU per submission is measured without processes queueing for the two cores;
``implied_scaling`` is then 2 x one node's web CPU per submission / two nodes'), ``--pin 1``
(each web node's processes on a core of their own, node i on core i, with taskset).

On one 2-core machine (README): ``python -m bench scale_out --rate 30 --duration 30``.

``--part pipeline`` measures issue 19's pipeline latency instead: one web node and two workers
(no beat: no minute sweep), the plain library questionnaire for ``--duration`` seconds, then the
seconds from the load's last submission to every record anonymised and to disclosure control
done over all of them (a run counting every record).
"""

import os
import random
import subprocess
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from bench.ingest import _script, _wrk, template_instance, wrk_script
from bench.machine import backend_cpu, cpu_spent
from bench.proxy import nginx_proxy
from bench.setup import BROKER, _drop_queue, broker_reachable, library_project, tree_usage

PHOTO = "place.jpg"
PHOTO_BYTES = 48 * 1024
READ_BACK = 200  # attachments read back per layout, byte for byte


def _drain(form, timeout: float = 120) -> float:
    """Seconds until every complete submission of ``form`` has its anonymised record."""
    from sync.models import Submission

    started = time.monotonic()
    pending = Submission.objects.filter(form=form, complete=True, anonymised__isnull=True)
    while pending.exists() and time.monotonic() - started < timeout:
        time.sleep(0.5)
    return round(time.monotonic() - started, 1)


class _Storage:
    """The bucket the nodes and workers share, and the checks run against it."""

    def __init__(self, server, bucket: str, photo: bytes) -> None:
        self.server, self.bucket, self.photo = server, bucket, photo
        self.env = {
            "WAYPOINT_S3_BUCKET": bucket,
            "WAYPOINT_S3_ENDPOINT_URL": server.url,
            "WAYPOINT_S3_REGION": "us-east-1",
            "WAYPOINT_S3_ACCESS_KEY_ID": "testing",
            "WAYPOINT_S3_SECRET_ACCESS_KEY": "testing",
            "WAYPOINT_S3_ADDRESSING_STYLE": "path",
            "WAYPOINT_S3_PREFIX": "waypoint",
        }

    def cpu(self) -> float:
        return tree_usage(self.server.process.pid)[1]

    def objects(self) -> int:
        pages = self.server.client().get_paginator("list_objects_v2")
        return sum(page.get("KeyCount", 0) for page in pages.paginate(Bucket=self.bucket))

    def read_back(self, names: list[str]) -> int:
        """How many of ``names`` read back through Waypoint's storage door (django-storages on
        the bucket, unsealed) as the photo sent."""
        from django.conf import settings
        from django.test.utils import override_settings

        from sync import quarantine

        options = {
            "bucket_name": self.bucket,
            "endpoint_url": self.server.url,
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
            "location": "waypoint",
            "addressing_style": "path",
        }
        storages = {**settings.STORAGES, "default": {
            "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}  # fmt: skip
        with override_settings(STORAGES=storages):
            return sum(quarantine.read_attachment(name) == self.photo for name in names)


def _one_layout(nodes, workers, scripts: tuple[Path, Path], version, c, seconds, storage) -> dict:
    from django.db import connection

    from sync.models import Attachment, Submission

    database = connection.settings_dict["NAME"]
    warm_script, script = scripts  # the warm-up at full speed, the run (paced with ``--rate``)
    stored = Submission.objects.filter(form=version.form)
    with nginx_proxy([n.url.split("//")[1] for n in nodes], _free_port()) as url:
        # Warm-up at the run's own concurrency, so that every gunicorn thread has made its
        # database connection and S3 client (0.1 s of CPU each, once per thread) before the
        # clock starts: a node's first seconds are not what it costs per submission.
        warm = ["wrk", "-t2", f"-c{c}", "-d6s", "-s", str(warm_script), url]
        subprocess.run(warm, capture_output=True, check=True)
        _drain(version.form)
        idle = _idle_cpu(nodes, workers, database)
        before, first_new = stored.count(), stored.order_by("-pk").values_list("pk")[:1]
        first_new = first_new[0][0] + 1 if first_new else 0
        web = sum(tree_usage(n.process.pid)[1] for n in nodes)
        celery = sum(tree_usage(w.process.pid)[1] for w in workers)
        pg, s3 = backend_cpu(database), storage.cpu()
        run = _wrk(script, url, c, seconds)
        count = stored.count() - before
        drained_after = _drain(version.form)
        cpu = {
            "web": sum(tree_usage(n.process.pid)[1] for n in nodes) - web,
            "celery": sum(tree_usage(w.process.pid)[1] for w in workers) - celery,
            "postgresql": cpu_spent(pg, backend_cpu(database)),
        }
        s3_cpu = storage.cpu() - s3
    per = {k: round(v * 1000 / count, 2) for k, v in cpu.items()} if count else {}
    identities = stored.values("instance_id").distinct().count()
    photos = Attachment.objects.filter(submission__form=version.form)
    new = photos.filter(submission__pk__gte=first_new)
    sample = list(new.order_by("?").values_list("file", flat=True)[:READ_BACK])
    return {
        "web_nodes": len(nodes),
        "celery_workers": len(workers),
        "submissions": count,
        "submissions_per_s": round(count / run["seconds"], 1),
        "accepted_201": run["accepted"],
        "errors": run["non_2xx"],
        "latency_p50": run["latency_p50"],
        "latency_p99": run["latency_p99"],
        "cpu_ms_per_submission": {**per, "total": round(sum(per.values()), 2)},
        "cpu_ms_per_submission_s3_server_moto": round(s3_cpu * 1000 / count, 2) if count else 0,
        "stored_once": identities == stored.count(),
        "none_lost": count >= run["accepted"],
        # wrk stops (warm-up included) with requests in flight, which the server still stores.
        "stored_beyond_201s_seen": count - run["accepted"],
        "all_complete_with_photo": (
            not stored.filter(complete=False).exists() and photos.count() == stored.count()
        ),
        "bucket_objects_equal_attachment_rows": storage.objects() == photos.count(),
        "photos_read_back": len(sample),
        "photos_read_back_intact": storage.read_back(sample),
        "anonymisation_drained_after_s": drained_after,
        "idle_cpu_ms_per_s": idle,
        # What the nodes logged (LOG_LEVEL=WARNING): why a request was not a 2xx.
        "node_log_tail": [n.errors()[-1500:] for n in nodes] if run["non_2xx"] else [],
        "load_average": os.getloadavg()[0],
    }


def _idle_cpu(nodes: list, workers: list, database: str, seconds: float = 5) -> dict:
    """CPU the processes spend per second with no load (timers, heartbeats, polling): a fixed
    cost that is shared by fewer submissions when the machine is slower."""
    web = sum(tree_usage(n.process.pid)[1] for n in nodes)
    celery = sum(tree_usage(w.process.pid)[1] for w in workers)
    pg = backend_cpu(database)
    time.sleep(seconds)
    return {
        "web": round((sum(tree_usage(n.process.pid)[1] for n in nodes) - web) * 1000 / seconds),
        "celery": round(
            (sum(tree_usage(w.process.pid)[1] for w in workers) - celery) * 1000 / seconds
        ),
        "postgresql": round(cpu_spent(pg, backend_cpu(database)) * 1000 / seconds),
    }


def _pin(node, core: int) -> None:
    """Every thread of a gunicorn node (master and workers) on ``core``: as a host of its own."""
    for pid in [node.process.pid, *node.worker_pids()]:
        subprocess.run(
            ["taskset", "-a", "-cp", str(core), str(pid)], capture_output=True, check=True
        )


def _free_port() -> int:
    from tests.live import free_port

    return free_port()


def _env(queue: str, **extra: str) -> dict:
    from django.db import connection

    from tests.live import postgres_env

    return postgres_env(
        connection.settings_dict,
        DEBUG="false",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL=BROKER,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        WAYPOINT_PROXY_COUNT="1",
        WAYPOINT_DEVICE_POSTS_PER_MINUTE="100000000",
        WAYPOINT_DEVICE_BYTES_PER_MINUTE=str(1 << 50),
        **extra,
    )


def _processes(stack: ExitStack, env: dict, nodes: int, workers: int) -> tuple[list, list]:
    from tests.live import CeleryWorker, ServerProcess

    web = [ServerProcess(env, _free_port(), workers=None) for _ in range(nodes)]
    celery = [CeleryWorker(env) for _ in range(workers)]
    for process in [*web, *celery]:
        stack.callback(process.stop)
        process.start()
    return web, celery


def run() -> dict:
    if not broker_reachable():
        return {"skipped": "RabbitMQ is not reachable"}
    if os.environ.get("WAYPOINT_BENCH_PART", "scale") == "pipeline":
        return _pipeline()
    from bench.soak_plan import _questionnaire
    from tests.plugins.s3 import MotoServer

    c = int(os.environ.get("WAYPOINT_BENCH_CONNECTIONS", "16").split(",")[0])
    seconds = int(os.environ.get("WAYPOINT_BENCH_DURATION", "20"))
    bench = library_project("scale-out", _questionnaire())
    workdir = Path(tempfile.mkdtemp(prefix="waypoint-scale-"))
    template = template_instance(bytes(bench.version.xform), workdir)
    assert b"<photo_place />" in template, "the questionnaire lost its photo question"
    template = template.replace(b"<photo_place />", f"<photo_place>{PHOTO}</photo_place>".encode())
    (workdir / "instance.xml").write_bytes(template)
    photo = random.Random(19).randbytes(PHOTO_BYTES)
    (workdir / PHOTO).write_bytes(photo)
    queue = f"waypoint-bench-{uuid.uuid4().hex[:8]}"
    layouts = []
    with ExitStack() as stack:
        stack.callback(_drop_queue, queue)
        server = MotoServer(workdir / "moto.log").start()
        stack.callback(server.stop)
        storage = _Storage(server, server.new_bucket(), photo)
        nodes, workers = _processes(stack, _env(queue, **storage.env), 2, 2)
        if os.environ.get("WAYPOINT_BENCH_PIN"):
            for core, node in enumerate(nodes):
                _pin(node, core % (os.cpu_count() or 1))
        # ``--one-node-workers 6``: the one-node layout on a node of its own with as many
        # gunicorn processes as the two nodes together, to tell the cost of splitting into
        # nodes from the cost of more processes sharing the same cores.
        single = nodes[:1]
        if os.environ.get("WAYPOINT_BENCH_ONE_NODE_WORKERS"):
            from tests.live import ServerProcess

            many = int(os.environ["WAYPOINT_BENCH_ONE_NODE_WORKERS"])
            single = [ServerProcess(_env(queue, **storage.env), _free_port(), workers=many)]
            stack.callback(single[0].stop)
            single[0].start()
            if os.environ.get("WAYPOINT_BENCH_PIN"):
                _pin(single[0], 0)
        path = f"/key/{bench.token}/projects/{bench.project.pk}/submission"
        rate = float(os.environ.get("WAYPOINT_BENCH_RATE") or 0) or None
        scripts = (workdir / "warm.lua", workdir / "scale.lua")
        for script, pace in zip(scripts, (None, rate), strict=True):
            script.write_text(wrk_script(workdir / "instance.xml", path, workdir / PHOTO, pace))
        # ``--layouts 2,1`` times two nodes first: the form grows run after run (disclosure
        # control reads all of it), so the order is part of what a comparison measures.
        order = [int(n) for n in os.environ.get("WAYPOINT_BENCH_LAYOUTS", "1,2").split(",")]
        for count in order:
            chosen = single if count == 1 else nodes
            layouts.append(
                _one_layout(chosen, workers, scripts, bench.version, c, seconds, storage)
            )
    one, two = sorted(layouts, key=lambda layout: layout["web_nodes"])
    web_one, web_two = (layout["cpu_ms_per_submission"].get("web") for layout in (one, two))
    return {
        "connections": c,
        "seconds_per_run": seconds,
        "offered_rate_per_s": rate or "as fast as the connections go",
        "web_nodes_pinned_to_cores": bool(os.environ.get("WAYPOINT_BENCH_PIN")),
        "photo_bytes": PHOTO_BYTES,
        "gunicorn_processes_one_node": single[0].workers or "gunicorn.conf.py (cpu + 1)",
        "one_web_node": one,
        "two_web_nodes": two,
        "throughput_ratio": round(two["submissions_per_s"] / one["submissions_per_s"], 2),
        "cpu_per_submission_ratio": round(
            two["cpu_ms_per_submission"]["total"] / one["cpu_ms_per_submission"]["total"], 2
        ),
        # Each node on a host of its own, the shared services with room to spare: what two
        # nodes take against one, from what a submission costs a web node in each layout.
        "implied_scaling": round(2 * web_one / web_two, 2) if web_one and web_two else None,
        "passed": all(
            layout["errors"] == 0
            and layout["stored_once"]
            and layout["none_lost"]
            and layout["all_complete_with_photo"]
            and layout["bucket_objects_equal_attachment_rows"]
            and layout["photos_read_back_intact"] == layout["photos_read_back"] > 0
            for layout in layouts
        ),
    }


def _pipeline() -> dict:
    """Last submission of a load -> every record anonymised, and -> disclosure control done over
    all of them, with the scheduling workers use (no beat: no minute sweep to fall back on)."""
    from django.conf import settings

    from privacy.models import AnonymisedRecord, DisclosureRun
    from sync.models import Submission

    c = int(os.environ.get("WAYPOINT_BENCH_CONNECTIONS", "16").split(",")[0])
    seconds = int(os.environ.get("WAYPOINT_BENCH_DURATION", "120"))
    bench = library_project("pipeline")
    form = bench.version.form
    workdir = Path(tempfile.mkdtemp(prefix="waypoint-pipeline-"))
    (workdir / "instance.xml").write_bytes(template_instance(bytes(bench.version.xform), workdir))
    queue = f"waypoint-bench-{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        stack.callback(_drop_queue, queue)
        (node,), workers = _processes(stack, _env(queue), 1, 2)
        script = _script(
            workdir, "pipeline", f"{node.url}/key/{bench.token}/projects/{form.project_id}"
        )
        cpu = sum(tree_usage(p.process.pid)[1] for p in [node, *workers])
        run = _wrk(script, node.url, c, seconds)
        ended = time.time()  # the load's last submission (wrk's last answer)
        drained = _drain(form, timeout=600)
        count = Submission.objects.filter(form=form).count()  # with those in flight at the end
        runs = DisclosureRun.objects.filter(form=form)
        records = AnonymisedRecord.objects.filter(form=form, superseded=False)
        deadline = time.monotonic() + 300
        done = None
        while time.monotonic() < deadline:
            done = runs.filter(records=records.count()).order_by("-created_at").first()
            if done is not None and done.records == count:
                break
            time.sleep(0.2)
        cpu = sum(tree_usage(p.process.pid)[1] for p in [node, *workers]) - cpu
    finished = done is not None and done.records == count
    return {
        "connections": c,
        "load_seconds": run["seconds"],
        "submissions": count,
        "submissions_per_s": round(count / run["seconds"], 1),
        "errors": run["non_2xx"],
        "anonymised_after_last_submission_s": drained,
        "disclosure_done_after_last_submission_s": (
            round(done.created_at.timestamp() - ended, 1) if finished else None
        ),
        "disclosure_runs_during_load": runs.count(),
        "last_run_records": done.records if done else None,
        "last_run_compute_s": done.seconds if done else None,
        "interval_settings_s": {
            "min": settings.WAYPOINT_DISCLOSURE_MIN_INTERVAL,
            "factor": settings.WAYPOINT_DISCLOSURE_INTERVAL_FACTOR,
            "max": settings.WAYPOINT_DISCLOSURE_MAX_INTERVAL,
        },
        "cpu_s_web_and_workers": round(cpu, 1),
        "load_average": os.getloadavg(),
        "passed": finished and run["non_2xx"] == 0,
    }
