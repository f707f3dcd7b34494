"""The soak's figures: latency percentiles by kind of request, CPU and memory of each part of
the stack, the verdict, and the table printed to stderr."""

import math
import os

from bench.soak_plan import (
    ACCEPT_CONTENT_LENGTH,
    EDIT_SHARE,
    MODELLED_SECONDS,
    RETRY_SHARE,
    SERVICE_POINTS,
    SUBMISSIONS_PER_TABLET,
    WINDOW_SECONDS,
)


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


def report(plan, client, usage, drain, checks, load_before) -> dict:
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
        "schedule_lag_s": {"p99": round(rank(lags, 99), 2), "max": round(lags[-1], 2)},
        "errors": errors,
        "error_examples": client["errors"][:10],
        "cpu_percent_of_one_core": cpu,
        "memory_mb": memory,
        "anonymisation": drain,
        "checks": checks,
    }


def rank(values: list[float], p: float) -> float:
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)] if values else 0.0


def _percentiles(values: list[float]) -> dict:
    values = sorted(values)
    found = {f"p{p}": round(rank(values, p), 1) for p in (50, 95, 99)}
    return {"count": len(values), **found, "max": round(values[-1], 1)}


def table(r: dict) -> str:
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
