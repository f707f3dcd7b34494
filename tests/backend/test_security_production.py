"""The security fixes of issue 15, checked against gunicorn with the production settings
(DEBUG off), since one DEBUG-only behaviour (sign-in receivers kept alive by DEBUG) once hid
that production neither audited nor throttled sign-ins. The same behaviours are tested in
detail beside their code; here they are shown to hold in the process production runs."""

import base64
import json
import time

import httpx
import pytest

from tests.live import ServerProcess, free_port, manage
from tests.plugins.production import production_environment
from tests.samples import MEDIA_FORM
from tests.xlsform import xlsx

pytestmark = [pytest.mark.live_server_process, pytest.mark.timeout(300)]
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Its own server: these tests pause sign-ins, which must not disturb the package's."""
    env = production_environment(tmp_path_factory.mktemp("var"))
    port = free_port()
    manage("migrate", "--no-input", env=env)
    demo = json.loads(
        manage("demo", "--json", "--base-url", f"https://127.0.0.1:{port}", env=env).stdout
    )
    log = tmp_path_factory.mktemp("log") / "access.log"
    process = ServerProcess(env, port, log=log).start()
    yield process, demo
    process.stop()


def account(demo, role):
    return next(a for a in demo["accounts"] if a["role"] == role)


def sign_in(server, username, password):
    with httpx.Client(base_url=server.url, headers=HTTPS) as client:
        client.get("/accounts/login/")
        # The cookie is Secure (production): sent by hand over the test's plain HTTP.
        token = client.cookies["csrftoken"]
        client.cookies.clear()
        return client.post(
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={
                "Referer": f"https://127.0.0.1:{server.port}/accounts/login/",
                "Cookie": f"csrftoken={token}",
            },
        )


def test_sign_ins_are_paused_with_debug_off_and_the_page_says_so(server):
    process, demo = server
    analyst = account(demo, "analyst")
    for n in range(5):
        refused = sign_in(process, analyst["username"], f"guess{n}")
        assert refused.status_code == 200
        assert "did not match" in refused.text

    paused = sign_in(process, analyst["username"], analyst["password"])

    assert paused.status_code == 200
    assert "temporarily limited" in paused.text


def test_basic_auth_is_paused_with_debug_off(server):
    process, demo = server
    manager = account(demo, "form_manager")
    url = f"{process.url}/projects/{demo['project_id']}/formList"

    def basic(password):
        credentials = base64.b64encode(f"{manager['username']}:{password}".encode()).decode()
        headers = {**HTTPS, "Authorization": f"Basic {credentials}", "X-OpenRosa-Version": "1.0"}
        return httpx.get(url, headers=headers)

    assert basic(manager["password"]).status_code == 200
    for n in range(5):
        assert basic(f"guess{n}").status_code == 401
    paused = basic(manager["password"] + "x")

    assert paused.status_code == 429
    assert paused.headers["Retry-After"]


def test_nul_bytes_are_400s(server):
    process, demo = server
    dpo = {**HTTPS, "Authorization": f"Token {account(demo, 'dpo')['token']}"}

    response = httpx.get(f"{process.url}/api/v1/projects?x=%00", headers=dpo)

    assert response.status_code == 400
    assert response.json()["code"] == "request.nul_byte"


def test_media_is_an_inert_download_and_html_media_is_refused(server):
    process, demo = server
    manager = {**HTTPS, "Authorization": f"Token {account(demo, 'form_manager')['token']}"}
    project = demo["project_id"]
    api = f"{process.url}/api/v1/projects/{project}/forms"
    uploaded = httpx.post(api, headers=manager, files={"file": ("m.xlsx", xlsx(MEDIA_FORM))})
    assert uploaded.status_code in (200, 201), uploaded.text
    media = f"{api}/media_form/versions/1/media"
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    assert httpx.post(media, headers=manager, files={"file": ("logo.png", png)}).status_code == 201

    served = httpx.get(
        f"{process.url}/key/{demo['device']['token']}/projects/{project}"
        "/forms/media_form/attachments/logo.png",
        headers=HTTPS,
    )

    assert served.content == png
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_raw_reads_are_not_cached_and_their_reason_never_reaches_the_access_log(server):
    process, demo = server
    dpo = {**HTTPS, "Authorization": f"Token {account(demo, 'dpo')['token']}"}
    form = demo["forms"][0]["form_id"]
    base = f"{process.url}/api/v1/projects/{demo['project_id']}/forms/{form}/submissions"

    listed = httpx.get(base, headers=dpo)
    httpx.get(f"{base}/uuid:none/xml?reason=call+Amina+Haddad+back", headers=dpo)

    assert listed.status_code == 200
    assert "no-store" in listed.headers["Cache-Control"]
    deadline = time.monotonic() + 10
    while "uuid:none" not in process.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)  # the access line is written after the answer
    log = process.log.read_text()
    assert "uuid:none" in log
    assert "Haddad" not in log
