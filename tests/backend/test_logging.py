"""Logs an operator can follow by request id, holding neither personal data nor credentials.

The main test drives a production server (JSON logs) through real requests that carry
distinctive personal data and secrets: a submission from a tablet with a name, a phone number and
a story; a failed sign-in; a wrong HTTP Basic password; Enketo's ``?st=`` token; an API token; a
DPO's raw read with its reason; a malformed submission. None of those values may reach the logs,
and every response's X-Request-ID must lead to its log lines.
"""

import base64
import json
import logging
import re
import socket
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from django.test import RequestFactory

from backend.celery import app as celery_app
from backend.logs import JsonFormatter, RequestContextFilter, mask
from backend.request_id import RequestIdMiddleware
from tests.live import ROOT, CeleryWorker, embedded_env, manage

pytestmark = pytest.mark.live_server_process
VIA_PROXY = {"X-Forwarded-Proto": "https"}
OPENROSA = {**VIA_PROXY, "X-OpenRosa-Version": "1.0"}
NAME = "Zoltan Quibbleworth"
PHONE = "+39 347 555 0199"
STORY = "We slept under the Vrbnik bridge for nine nights"
WRONG_PASSWORD = "Plover-Wrong-Pa55word"
BASIC_PASSWORD = "Basic-Secret-Xyzzy-42"
REASON = "Reason-Marisol-Okonkwo-follow-up"
MALFORMED_MARK = "Bartholomew-Unclosed-Tale"


def _instance(version: str, instance_id: str) -> bytes:
    return (
        f'<data id="migrant_experience" version="{version}"><consent>yes</consent><age>34</age>'
        f"<story>{STORY}</story><contact><contact_consent>yes</contact_consent>"
        f"<contact_name>{NAME}</contact_name><contact_phone>{PHONE}</contact_phone></contact>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def _failed_sign_in(url: str, username: str) -> httpx.Response:
    """A sign-in with a wrong password, through the proxy as a browser does it (CSRF included)."""
    form = httpx.get(f"{url}/accounts/login/", headers=VIA_PROXY)
    cookie = re.search(r"csrftoken=([^;]+)", form.headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    origin = "https://" + url.removeprefix("http://")
    return httpx.post(
        f"{url}/accounts/login/",
        headers={
            **VIA_PROXY,
            "Cookie": f"csrftoken={cookie}",
            "Origin": origin,
            "Referer": f"{origin}/accounts/login/",
        },
        data={"csrfmiddlewaretoken": token, "username": username, "password": WRONG_PASSWORD},
    )


def _log_entries(server, wanted_ids: set[str], timeout: float = 60) -> list[dict]:
    """Every line the server wrote (stdout and stderr), parsed, once an access line for each of
    ``wanted_ids`` has arrived (each is written just after its response)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = (server.log.read_text() + server.errors()).splitlines()
        entries = [json.loads(line) for line in lines if line.strip()]
        logged = {e.get("request_id") for e in entries if e["logger"] == "gunicorn.access"}
        if wanted_ids <= logged or time.monotonic() > deadline:
            return entries
        time.sleep(0.2)


def test_logs_hold_no_personal_data_and_follow_request_ids(production_server):
    server, demo = production_server
    url, project = server.url, demo["project_id"]
    device_token = demo["device"]["token"]
    accounts = {a["role"]: a for a in demo["accounts"]}
    dpo_token = accounts["dpo"]["token"]
    version = next(f["version"] for f in demo["forms"] if f["form_id"] == "migrant_experience")
    instance_id = f"uuid:{uuid.uuid4()}"
    basic = base64.b64encode(f"form_manager:{BASIC_PASSWORD}".encode()).decode()
    submission_url = f"{url}/key/{device_token}/projects/{project}/submission"

    responses = {
        "submission": httpx.post(
            submission_url,
            headers=OPENROSA,
            files={"xml_submission_file": ("instance.xml", _instance(version, instance_id))},
            timeout=60,
        ),
        "sign_in": _failed_sign_in(url, "form_manager"),
        "basic": httpx.get(
            f"{url}/projects/{project}/formList",
            headers={**OPENROSA, "Authorization": f"Basic {basic}"},
        ),
        "enketo": httpx.get(
            f"{url}/projects/{project}/formList?st={device_token}", headers=OPENROSA
        ),
        "api": httpx.get(
            f"{url}/api/v1/projects/{project}/forms/migrant_experience/submissions/"
            f"{instance_id}/xml",
            params={"reason": REASON},
            headers={**VIA_PROXY, "Authorization": f"Token {dpo_token}"},
        ),
        "malformed": httpx.post(
            submission_url,
            headers=OPENROSA,
            files={"xml_submission_file": ("instance.xml", f"<data><story>{MALFORMED_MARK}")},
        ),
        "from_proxy": httpx.get(f"{url}/health/live", headers={"X-Request-ID": "proxy-0123-abcd"}),
    }
    statuses = {name: r.status_code for name, r in responses.items()}
    assert statuses == {
        "submission": 201,
        "sign_in": 200,  # the form again, with the error
        "basic": 401,
        "enketo": 200,
        "api": 200,
        "malformed": 400,
        "from_proxy": 200,
    }
    assert NAME in responses["api"].text  # the DPO really read the raw submission
    assert "did not match" in responses["sign_in"].text
    ids = {name: r.headers["X-Request-ID"] for name, r in responses.items()}
    assert ids["from_proxy"] == "proxy-0123-abcd"
    assert len(set(ids.values())) == len(ids)

    entries = _log_entries(server, set(ids.values()))
    text = json.dumps(entries, ensure_ascii=False)

    planted = [
        NAME,
        "Quibbleworth",
        PHONE,
        "3475550199",
        STORY,
        "Vrbnik",
        WRONG_PASSWORD,
        BASIC_PASSWORD,
        basic,
        device_token,
        dpo_token,
        REASON,
        MALFORMED_MARK,
    ]
    assert [value for value in planted if value in text] == []
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= entry.keys(), entry
    access = {e["request_id"]: e for e in entries if e["logger"] == "gunicorn.access"}
    for name, response in responses.items():
        line = access[ids[name]]
        assert line["status"] == response.status_code, name
        assert line["method"] == response.request.method
        assert isinstance(line["duration_ms"], float)
    assert access[ids["submission"]]["path"] == f"/key/***/projects/{project}/submission"
    assert access[ids["enketo"]]["path"] == f"/projects/{project}/formList"  # no query string

    # The refusal of the malformed submission is logged as a warning that names the request,
    # not what it carried.
    refusal = [e for e in entries if e["logger"] == "django.request"]
    malformed = next(e for e in refusal if e.get("request_id") == ids["malformed"])
    assert malformed["level"] == "WARNING"
    assert malformed["status"] == 400
    assert malformed["message"] == f"Bad Request: /key/***/projects/{project}/submission"


class _Response(dict):
    """The least a middleware needs from a response: header assignment."""


def test_request_id_from_outside_is_kept_only_when_safe_to_log():
    """A proxy's id is kept; anything that could forge or bloat log lines is replaced."""
    middleware = RequestIdMiddleware(lambda request: _Response())
    factory = RequestFactory()

    def answered(header: str | None) -> str:
        headers = {"X-Request-ID": header} if header is not None else {}
        return middleware(factory.get("/", headers=headers))["X-Request-ID"]

    assert (
        answered("5b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3") == "5b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"
    )
    for unsafe in [None, "", "short", "x" * 129, 'a"}{"level": "CRITICAL', "line\nbreak-1234"]:
        replaced = answered(unsafe)
        assert re.fullmatch(r"[0-9a-f]{32}", replaced), unsafe


def _json_line(record: logging.LogRecord) -> dict:
    RequestContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_lines_logged_inside_a_request_carry_its_id_method_and_masked_path():
    seen = {}

    def view(request):
        record = logging.LogRecord("sync.views", logging.INFO, __file__, 1, "received", (), None)
        seen.update(_json_line(record))
        return _Response()

    middleware = RequestIdMiddleware(view)
    response = middleware(RequestFactory().post("/key/device-secret/projects/1/submission?st=x"))

    assert seen["request_id"] == response["X-Request-ID"]
    assert seen["method"] == "POST"
    assert seen["path"] == "/key/***/projects/1/submission"
    outside = _json_line(logging.LogRecord("x", logging.INFO, __file__, 1, "later", (), None))
    assert "request_id" not in outside


def test_lines_logged_by_a_task_carry_the_celery_task_id():
    seen = {}

    @celery_app.task(name="tests.log_something")
    def log_something():
        record = logging.LogRecord("privacy", logging.INFO, __file__, 1, "working", (), None)
        seen.update(_json_line(record))

    result = log_something.apply()

    assert seen["task_id"] == result.id


def test_masking_covers_tokens_in_paths_queries_and_whole_lines():
    assert mask("/key/abc123/projects/1/formList") == "/key/***/projects/1/formList"
    assert mask("GET /projects/1/formList?st=abc123&x=1") == "GET /projects/1/formList?st=***&x=1"
    assert mask("st=abc123") == "st=***"


def test_a_celery_worker_logs_json_lines_with_the_task_id(tmp_path):
    """A worker writes Waypoint's JSON lines (backend/celery.py restyles Celery's handlers), and a
    task's lines name the task."""
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError:
        pytest.skip("RabbitMQ is not reachable on 127.0.0.1:5672")
    env = embedded_env(tmp_path)
    env.update(
        LOG_FORMAT="json",
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        CELERY_TASK_DEFAULT_QUEUE=f"waypoint-test-{uuid.uuid4().hex[:8]}",
    )
    manage("migrate", "--no-input", env=env)
    worker = CeleryWorker(env).start()
    try:
        sent = subprocess.run(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "backend",
                "call",
                "privacy.anonymise_pending",
                "--queue",
                env["CELERY_TASK_DEFAULT_QUEUE"],
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        task_id = sent.stdout.strip()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and f'"task_id": "{task_id}"' not in worker.output():
            time.sleep(0.2)
    finally:
        worker.stop()

    entries = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
    done = [e for e in entries if e.get("task_id") == task_id]
    assert done, worker.output()[-3000:]
    assert done[-1]["logger"] == "celery.app.trace"
    assert "succeeded" in done[-1]["message"]
