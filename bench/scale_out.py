"""Scale-out (issue 19): web nodes and Celery workers as separate processes with their own ports,
as if on separate hosts, behind deploy/nginx.conf as the load balancer, sharing PostgreSQL,
RabbitMQ and the attachment storage. The same wrk load as `ingest` (the library questionnaire)
goes through the balancer to one web node, then to two, with two Celery workers anonymising
beside it; reported each way: submissions/s, latency, CPU per submission per kind of process,
and the guarantees: every accepted submission stored once, anonymisation drained after the
load. On one 2-core machine two nodes cannot add cores: what should stay flat is CPU per
submission (then throughput scales with the hosts given); RUNBOOK.md, "Scaling", maps this to
real hosts. Options: ``--connections 16``, ``--duration 20``.
"""

import os
import subprocess
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from bench.ingest import _backend_cpu, _cpu_spent, _script, _wrk, template_instance
from bench.proxy import nginx_proxy
from bench.setup import BROKER, _drop_queue, broker_reachable, library_project, tree_usage


def _drain(form, timeout: float = 120) -> float:
    """Seconds until every complete submission of ``form`` has its anonymised record."""
    from sync.models import Submission

    started = time.monotonic()
    pending = Submission.objects.filter(form=form, complete=True, anonymised__isnull=True)
    while pending.exists() and time.monotonic() - started < timeout:
        time.sleep(0.5)
    return round(time.monotonic() - started, 1)


def _one_layout(nodes: list, workers: list, script: Path, version, c: int, seconds: int) -> dict:
    from django.db import connection

    from sync.models import Submission

    database = connection.settings_dict["NAME"]
    stored = Submission.objects.filter(form=version.form)
    with nginx_proxy([n.url.split("//")[1] for n in nodes], _free_port()) as url:
        subprocess.run(["wrk", "-t2", "-c8", "-d3s", "-s", str(script), url], capture_output=True)
        before = stored.count()
        web = sum(tree_usage(n.process.pid)[1] for n in nodes)
        celery = sum(tree_usage(w.process.pid)[1] for w in workers)
        pg = _backend_cpu(database)
        run = _wrk(script, url, c, seconds)
        count = stored.count() - before
        drained_after = _drain(version.form)
        cpu = {
            "web": sum(tree_usage(n.process.pid)[1] for n in nodes) - web,
            "celery": sum(tree_usage(w.process.pid)[1] for w in workers) - celery,
            "postgresql": _cpu_spent(pg, _backend_cpu(database)),
        }
    per = {k: round(v * 1000 / count, 2) for k, v in cpu.items()} if count else {}
    identities = stored.values("instance_id").distinct().count()
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
        "stored_once": identities == stored.count(),
        "none_lost": count >= run["accepted"],
        # wrk stops (warm-up included) with requests in flight, which the server still stores.
        "stored_beyond_201s_seen": count - run["accepted"],
        "anonymisation_drained_after_s": drained_after,
        "load_average": os.getloadavg()[0],
    }


def _free_port() -> int:
    from tests.live import free_port

    return free_port()


def run() -> dict:
    if not broker_reachable():
        return {"skipped": "RabbitMQ is not reachable"}
    from django.db import connection

    from tests.live import CeleryWorker, ServerProcess, postgres_env

    c = int(os.environ.get("WAYPOINT_BENCH_CONNECTIONS", "16").split(",")[0])
    seconds = int(os.environ.get("WAYPOINT_BENCH_DURATION", "20"))
    bench = library_project("scale-out")
    workdir = Path(tempfile.mkdtemp(prefix="waypoint-scale-"))
    (workdir / "instance.xml").write_bytes(template_instance(bytes(bench.version.xform), workdir))
    queue = f"waypoint-bench-{uuid.uuid4().hex[:8]}"
    env = postgres_env(
        connection.settings_dict,
        DEBUG="false",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL=BROKER,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        WAYPOINT_PROXY_COUNT="1",
        WAYPOINT_DEVICE_POSTS_PER_MINUTE="100000000",
        WAYPOINT_DEVICE_BYTES_PER_MINUTE=str(1 << 50),
    )
    layouts = []
    with ExitStack() as stack:
        stack.callback(_drop_queue, queue)
        nodes = [ServerProcess(env, _free_port(), workers=None) for _ in range(2)]
        workers = [CeleryWorker(env) for _ in range(2)]
        for process in [*nodes, *workers]:
            stack.callback(process.stop)
            process.start()
        path = f"http://x/key/{bench.token}/projects/{bench.project.pk}"
        script = _script(workdir, "scale", path)
        for count in (1, 2):
            layouts.append(_one_layout(nodes[:count], workers, script, bench.version, c, seconds))
    one, two = layouts
    return {
        "connections": c,
        "seconds_per_run": seconds,
        "one_web_node": one,
        "two_web_nodes": two,
        "throughput_ratio": round(two["submissions_per_s"] / one["submissions_per_s"], 2),
        "cpu_per_submission_ratio": round(
            two["cpu_ms_per_submission"]["total"] / one["cpu_ms_per_submission"]["total"], 2
        ),
        "passed": all(
            layout["errors"] == 0 and layout["stored_once"] and layout["none_lost"]
            for layout in layouts
        ),
    }
