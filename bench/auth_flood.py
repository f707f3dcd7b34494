"""Sign-in and HTTP Basic floods (issue 15): while an attacker's threads hammer the sign-in page
and the OpenRosa URLs with wrong passwords, legitimate requests (a form manager's Basic
formList, a device's formList, an API token read) keep their latency. Target: their p99 while
the flood runs within 2x of the idle server's.

gunicorn with deploy/gunicorn.conf.py, DEBUG off, on the bench's database, with Django's real
(slow, on purpose) password hasher, behind deploy/nginx.conf (the rate-limiting proxy of a
production host; ``--proxy none`` measures the server alone). Loopback only; every loop is
bounded by a deadline and a count. The flood comes from one attacker address, the legitimate
clients from another (distinct loopback addresses, which the proxy passes on in
X-Forwarded-For: WAYPOINT_PROXY_COUNT=1; without the proxy the clients set it themselves)."""

import base64
import multiprocessing
import os
import random
import statistics
import threading
import time
from contextlib import ExitStack
from io import StringIO

import httpx

# The flood: 12 threads, each sending its next try as soon as the last is answered.
FLOOD_THREADS = int(os.environ.get("WAYPOINT_BENCH_FLOOD_THREADS", 12))
FLOOD_SECONDS = int(os.environ.get("WAYPOINT_BENCH_FLOOD_SECONDS", 40))
LEGIT_REQUESTS = 400
# Source addresses on the loopback network (Linux answers all of 127.0.0.0/8).
ATTACKER = "127.0.0.66"
LEGIT = "127.0.0.40"
PROXIED = os.environ.get("WAYPOINT_BENCH_PROXY", "nginx") != "none"


def _client(address: str, **options) -> httpx.Client:
    """A client whose requests come from ``address`` (and say so themselves when no proxy is
    there to say it)."""
    headers = {} if PROXIED else {"X-Forwarded-For": address}
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(transport=transport, headers=headers, **options)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _legit_requests(url: str, demo: dict) -> list[tuple[str, dict]]:
    manager = next(a for a in demo["accounts"] if a["role"] == "form_manager")
    dpo = next(a for a in demo["accounts"] if a["role"] == "dpo")
    basic = base64.b64encode(f"{manager['username']}:{manager['password']}".encode()).decode()
    project = demo["project_id"]
    common = {"X-OpenRosa-Version": "1.0"}
    return [
        (f"{url}/projects/{project}/formList", {**common, "Authorization": f"Basic {basic}"}),
        (f"{url}/key/{demo['device']['token']}/projects/{project}/formList", common),
        (f"{url}/api/v1/projects", {**common, "Authorization": f"Token {dpo['token']}"}),
    ]


def _measure(client: httpx.Client, requests: list, count: int, deadline: float) -> dict:
    latencies, failures = [], 0
    for n in range(count):
        if time.monotonic() > deadline:
            break
        url, headers = requests[n % len(requests)]
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        latencies.append(time.perf_counter() - started)
        failures += response.status_code != 200
        time.sleep(0.02)  # a steady trickle, not a second flood
    return {
        "requests": len(latencies),
        "failures": failures,
        "p50_ms": round(_p(latencies, 0.5), 1),
        "p99_ms": round(_p(latencies, 0.99), 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
    }


def _flood(url: str, project: int, stop: threading.Event, counts: dict, lock) -> None:
    """One attacker thread: wrong Basic credentials (new every time, so nothing is cached)
    and wrong sign-ins on the page, alternately, until told to stop."""
    with _client(ATTACKER, timeout=60) as client:
        # A real sign-in form's CSRF token, so the page's wrong passwords reach the hasher.
        client.get(f"{url}/accounts/login/")
        csrf = client.cookies.get("csrftoken", "")
        for n in range(100_000):
            if stop.is_set():
                return
            name = random.choice(["form_manager", "dpo", f"user{n}"])
            if n % 2:
                secret = base64.b64encode(f"{name}:guess{random.random()}".encode()).decode()
                response = client.get(
                    f"{url}/projects/{project}/formList",
                    headers={"Authorization": f"Basic {secret}", "X-OpenRosa-Version": "1.0"},
                )
            else:
                response = client.post(
                    f"{url}/accounts/login/",
                    data={"username": name, "password": f"guess{n}", "csrfmiddlewaretoken": csrf},
                )
            with lock:
                counts[response.status_code] = counts.get(response.status_code, 0) + 1


def _attacker(url: str, project: int, seconds: float, results) -> None:
    """The attacker's process: ``FLOOD_THREADS`` threads for ``seconds``, at the lowest CPU
    priority. A real attacker floods from a machine of its own; here it shares the server's two
    cores, and its own client's CPU (a Python loop against answers that take microseconds)
    would otherwise be measured as the server's slowness. Its request rate is reported."""
    os.nice(19)
    stop, lock, counts = threading.Event(), threading.Lock(), {}
    threads = [
        threading.Thread(target=_flood, args=(url, project, stop, counts, lock))
        for _ in range(FLOOD_THREADS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    results.put(counts)


def run() -> dict:
    from django.core.management import call_command
    from django.db import connection

    from tests.live import ServerProcess, free_port, postgres_env

    demo_out = StringIO()
    call_command("demo", "--json", stdout=demo_out)
    import json

    demo = json.loads(demo_out.getvalue())
    env = postgres_env(
        connection.settings_dict,
        DEBUG="false",
        LOG_LEVEL="WARNING",
        WAYPOINT_PROXY_COUNT="1",
    )
    if connection.vendor != "postgresql":
        env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    server = ServerProcess(env, free_port(), workers=None).start()
    with ExitStack() as stack:
        stack.callback(server.stop)
        base = server.url
        if PROXIED:
            from bench.proxy import nginx_proxy

            base = stack.enter_context(nginx_proxy([server.url.split("//")[1]], free_port()))
        legit = _legit_requests(base, demo)
        with _client(LEGIT, timeout=60) as client:
            for url, headers in legit * 4:  # warm every worker's connection and remembered creds
                client.get(url, headers=headers)
            idle = _measure(client, legit, LEGIT_REQUESTS, time.monotonic() + 120)
            context = multiprocessing.get_context("spawn")
            results = context.Queue()
            attacker = context.Process(
                target=_attacker, args=(base, demo["project_id"], FLOOD_SECONDS, results)
            )
            attacker.start()
            try:
                time.sleep(2)  # the attacker's interpreter starting
                flooded = _measure(client, legit, 10**6, time.monotonic() + FLOOD_SECONDS - 4)
                counts = results.get(timeout=180)
            finally:
                attacker.join(timeout=180)
                if attacker.is_alive():
                    attacker.kill()
    ratio = flooded["p99_ms"] / idle["p99_ms"] if idle["p99_ms"] else None
    hashes = counts.get(401, 0)  # Basic answers that ran the hasher (the rest were 429s)
    return {
        "proxy": "nginx (deploy/nginx.conf)" if PROXIED else "none",
        "load_average": os.getloadavg(),
        "flood_threads": FLOOD_THREADS,
        "flood_requests_per_second": round(sum(counts.values()) / FLOOD_SECONDS),
        "flood_basic_password_checks": hashes,
        "flood_seconds": FLOOD_SECONDS,
        "flood_answers": {str(k): v for k, v in sorted(counts.items())},
        "idle": idle,
        "during_flood": flooded,
        "p99_ratio": round(ratio, 2) if ratio else None,
        "target": "p99 during the flood <= 2x idle",
        "passed": bool(ratio and ratio <= 2 and flooded["failures"] == 0),
    }
