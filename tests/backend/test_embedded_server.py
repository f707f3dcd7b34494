"""What `make run` gives a new user, as a real server process on the embedded defaults (SQLite,
tasks in-process): the demo loads, the API and its docs answer, the library questionnaire and a
broken form can be uploaded, and a new device's QR page works."""

import json
import time

import httpx
import pytest

from forms.library import LIBRARY_DIR
from tests.live import ServerProcess, embedded_env, free_port, manage
from tests.xlsform import xlsx


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    env = embedded_env(tmp_path_factory.mktemp("var"))
    port = free_port()
    manage("migrate", "--no-input", env=env)
    demo = json.loads(
        manage("demo", "--json", "--base-url", f"http://127.0.0.1:{port}", env=env).stdout
    )
    server = ServerProcess(env, port, log=tmp_path_factory.mktemp("log") / "access.log").start()
    yield server, demo
    server.stop()


def token_of(demo: dict, role: str) -> dict:
    account = next(a for a in demo["accounts"] if a["role"] == role)
    return {"Authorization": f"Token {account['token']}"}


def test_docs_and_schema_answer(fresh_server):
    server, _ = fresh_server
    assert httpx.get(f"{server.url}/api/docs/").status_code == 200
    schema = httpx.get(
        f"{server.url}/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
    )
    assert "openapi" in schema.json()


def test_new_user_uploads_library_and_broken_forms(fresh_server):
    server, demo = fresh_server
    forms_url = f"{server.url}/api/v1/projects/{demo['project_id']}/forms"
    headers = token_of(demo, "form_manager")
    library = (LIBRARY_DIR / "migrant_experience.xlsx").read_bytes()
    broken = xlsx({"survey": [["type", "name", "label"], ["select_one nolist", "q", "Q"]]})

    again = httpx.post(forms_url, headers=headers, files={"file": ("m.xlsx", library)}, timeout=60)
    refused = httpx.post(forms_url, headers=headers, files={"file": ("b.xlsx", broken)}, timeout=60)

    assert again.status_code == 200  # the demo already published this exact version
    assert again.json()["created"] is False
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["message"]
    listing = httpx.get(forms_url, headers=headers).json()
    assert listing["count"] == 2


def test_demo_device_qr_page_and_new_device(fresh_server):
    server, demo = fresh_server
    headers = token_of(demo, "form_manager")

    qr = httpx.get(demo["device"]["qr_url"])
    created = httpx.post(
        f"{server.url}/api/v1/projects/{demo['project_id']}/devices",
        headers=headers,
        json={"name": "Tablet 2", "service_point": demo["service_point_id"]},
    )

    assert qr.status_code == 200
    assert demo["device"]["server_url"] in qr.text
    assert created.status_code == 201
    assert created.json()["server_url"].startswith(f"{server.url}/key/")


def test_analyst_cannot_upload(fresh_server):
    server, demo = fresh_server
    response = httpx.post(
        f"{server.url}/api/v1/projects/{demo['project_id']}/forms",
        headers=token_of(demo, "analyst"),
        files={"file": ("m.xlsx", b"x")},
    )
    assert response.status_code == 403


def test_access_log_masks_device_tokens(fresh_server):
    """The development (text) access log; the JSON one is tested in test_logging.py."""
    server, demo = fresh_server
    token = demo["device"]["token"]
    listed = httpx.get(
        demo["device"]["server_url"] + "/formList", headers={"X-OpenRosa-Version": "1.0"}
    )
    httpx.get(f"{server.url}/projects/{demo['project_id']}/formList?st={token}")

    request_id = f"request={listed.headers['X-Request-ID']}"
    deadline = time.monotonic() + 30  # each line is written just after its response
    while request_id not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = server.log.read_text()
    assert "/key/***/projects" in log
    assert token not in log
    assert request_id in log
