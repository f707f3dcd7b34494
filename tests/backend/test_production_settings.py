"""Production settings pass Django's deployment check with no warning, and a production server
answers with the headers that check is about: HTTPS only (HSTS, secure cookies, redirects) except
for the health probes, no framing, no sniffing, no referrer to other sites, and the
Content-Security-Policy, which development applies too."""

import subprocess
import sys

import httpx
import pytest

from tests.live import ROOT
from tests.plugins.production import production_environment

pytestmark = pytest.mark.live_server_process
VIA_PROXY = {"X-Forwarded-Proto": "https"}
CSP_DIRECTIVES = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


def deploy_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_deploy_check_passes_with_production_settings(tmp_path):
    checked = deploy_check(production_environment(tmp_path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout


def test_deploy_check_still_catches_an_unsafe_production_setting(tmp_path):
    """The check above is not vacuous: DEBUG left on in production fails it."""
    env = production_environment(tmp_path)
    env["DEBUG"] = "true"
    checked = deploy_check(env)
    assert checked.returncode != 0
    assert "security.W018" in checked.stdout + checked.stderr


# What production refuses to start without; all but the host names are secrets (X or X_FILE).
SECRETS = ["SECRET_KEY", "DATABASE_URL", "WAYPOINT_QUARANTINE_KEYS", "WAYPOINT_PSEUDONYM_SECRET"]


def start_settings(env: dict, code: str = "", module: str = "backend.settings"):
    """Import the settings as a server or worker does when it starts, then run ``code``."""
    return subprocess.run(
        [sys.executable, "-c", f"import {module} as settings\n{code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", [*SECRETS, "ALLOWED_HOSTS"])
@pytest.mark.parametrize("unset", [True, False], ids=["absent", "empty"])
def test_production_refuses_to_start_without_a_required_setting(tmp_path, name, unset):
    env = production_environment(tmp_path)
    assert "DEBUG" not in env  # production's own default: DEBUG off
    if unset:
        del env[name]
    else:
        env[name] = ""

    started = start_settings(env)

    assert started.returncode != 0
    assert f"MissingSetting: {name} is required in production" in started.stderr
    if name in SECRETS:
        assert f"{name}_FILE to a file holding it" in started.stderr


def test_production_reads_each_secret_from_its_file(tmp_path):
    """Docker and Kubernetes mount secrets as files: ``X_FILE`` stands for ``X``."""
    env = production_environment(tmp_path)
    given = {}
    for name in SECRETS:
        given[name] = env.pop(name)
        (tmp_path / name).write_text(given[name] + "\n", encoding="utf-8")
        env[f"{name}_FILE"] = str(tmp_path / name)

    started = start_settings(env, f"print([getattr(settings, name) for name in {SECRETS}])")

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == str([given[name] for name in SECRETS])


def test_production_refuses_a_yes_no_setting_it_cannot_read(tmp_path):
    """``DEBUG=flase`` was read as off; ``SECURE_SSL_REDIRECT=flase`` would have been too."""
    env = production_environment(tmp_path)
    env["SECURE_SSL_REDIRECT"] = "flase"

    started = start_settings(env)

    assert started.returncode != 0
    assert "SECURE_SSL_REDIRECT must be one of 1/0, true/false, yes/no, on/off" in started.stderr


def test_fault_injection_is_not_a_production_setting(tmp_path):
    """The killed-worker test's delay exists only in the test settings, which production
    refuses to load."""
    env = {**production_environment(tmp_path), "WAYPOINT_ANONYMISE_TEST_DELAY": "8"}

    production = start_settings(env, "print(hasattr(settings, 'WAYPOINT_ANONYMISE_TEST_DELAY'))")
    test_settings = start_settings(env, module="backend.settings_test")
    development = start_settings(
        {**env, "WAYPOINT_ENV": "development"},
        "print(settings.WAYPOINT_ANONYMISE_TEST_DELAY)",
        module="backend.settings_test",
    )

    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "False"
    assert test_settings.returncode != 0
    assert "backend.settings_test injects faults and is for tests only" in test_settings.stderr
    assert development.returncode == 0, development.stderr
    assert development.stdout.strip() == "8.0"


def _policy(response: httpx.Response) -> set[str]:
    return {part.strip() for part in response.headers["Content-Security-Policy"].split(";")}


def test_pages_behind_the_proxy_carry_the_security_headers(production_server):
    server, _ = production_server
    page = httpx.get(f"{server.url}/accounts/login/", headers=VIA_PROXY)

    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert _policy(page) >= CSP_DIRECTIVES
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Request-ID"]
    csrf_cookie = page.headers["Set-Cookie"]
    assert "csrftoken=" in csrf_cookie
    assert "Secure" in csrf_cookie


def test_plain_http_is_redirected_except_the_health_probes(production_server):
    """Load balancers and container health checks probe over plain HTTP, by IP address."""
    server, demo = production_server
    project = demo["project_id"]
    by_address = {"Host": "10.0.0.7:8000"}  # not in ALLOWED_HOSTS

    home = httpx.get(f"{server.url}/")
    device = httpx.get(f"{server.url}/key/anything/projects/{project}/formList")
    live = httpx.get(f"{server.url}/health/live", headers=by_address)
    ready = httpx.get(f"{server.url}/health/ready", headers=by_address)
    page = httpx.get(f"{server.url}/accounts/login/", headers={**VIA_PROXY, **by_address})

    assert home.status_code == 301
    assert home.headers["Location"] == f"https://127.0.0.1:{server.port}/"
    assert device.status_code == 301  # ODK Collect follows it to https
    assert live.status_code == 200
    assert ready.status_code == 200, ready.text
    assert ready.json()["database"] == "ok"
    assert page.status_code == 400  # anything else still needs an allowed host


def test_api_docs_and_openrosa_answers_carry_the_policy(production_server):
    """Swagger UI works under the policy (its start-up script is a file, see the browser test);
    XML answers to devices carry the same headers."""
    server, demo = production_server
    docs = httpx.get(f"{server.url}/api/docs/", headers=VIA_PROXY)
    script = httpx.get(f"{server.url}/api/docs/?script=", headers=VIA_PROXY)
    form_list = httpx.get(
        f"{server.url}/projects/{demo['project_id']}/formList",
        headers={**VIA_PROXY, "X-OpenRosa-Version": "1.0"},
    )

    assert docs.status_code == 200
    assert "<script>" not in docs.text
    assert "<style>" not in docs.text
    assert _policy(docs) >= CSP_DIRECTIVES
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text
    assert form_list.status_code == 401  # an HTTP Basic challenge, as Collect expects
    assert _policy(form_list) >= CSP_DIRECTIVES


def test_development_applies_the_same_policy(client, db):
    """The browser tests run in development: they prove the pages work under this policy."""
    response = client.get("/accounts/login/")
    assert _policy(response) >= CSP_DIRECTIVES


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_the_device_page_and_the_admin_work_under_the_policy(
    page, live_server, admin_user, device
):
    """A real browser: Swagger UI renders the API's operations, the device page shows its QR code
    (a data: image), the admin lists forms; the page fixture fails the test on any violation."""
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()

    page.goto(f"{live_server.url}/key/{device.token}/projects/{device.project_id}/qr")
    assert page.locator("img").evaluate("image => image.naturalWidth") > 0

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/forms/form/")
    page.locator("#changelist").wait_for()
