"""A form manager creates a web tablet like any device; its link and QR code open the service
point's forms in the browser, and the app shell, service worker and manifest live below the
tablet's own URL. Protects: the link works from a phone camera, an unknown token gets nothing,
and a revoked tablet still loads its app (to say so and keep its unsent forms)."""

import base64
import io
import re

import pytest
import zxingcpp
from PIL import Image

from accounts.models import Device
from accounts.provisioning import device_create, device_for_token, device_revoke
from sync.device_pages import SESSION_KEY
from tests.factories import ServicePointFactory
from webforms.views import BUILD_DIR

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_tablet(project):
    point = ServicePointFactory(project=project, name="Ventimiglia")
    device, token = device_create(
        project=project, service_point=point, name="Phone 1", kind=Device.Kind.WEB
    )
    device.token = token
    return device


def app_path(device) -> str:
    return f"/key/{device.token}/projects/{device.project_id}/web/"


def test_form_manager_creates_a_web_tablet_and_gets_its_link_and_qr_code(
    client, form_manager, project
):
    client.force_login(form_manager)
    point = ServicePointFactory(project=project)
    response = client.post(
        f"/projects/{project.pk}/devices/create",
        {"name": "Phone 1", "service_point": point.pk, "kind": "web"},
    )
    assert response.status_code == 302
    device = Device.objects.get()
    assert device.kind == Device.Kind.WEB
    assert SESSION_KEY.format(device.pk) in client.session
    page = client.get(response["Location"]).content.decode()
    token = re.search(r"/key/([^/]+)/projects/", page).group(1)
    assert device_for_token(token) == device
    link = f"http://testserver/key/{token}/projects/{project.pk}/web/"
    assert f'href="{link}"' in page
    png = base64.b64decode(page.split("data:image/png;base64,")[1].split('"')[0])
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [c.text for c in codes] == [link], "the phone camera opens the tablet's link"


def test_a_kind_that_does_not_exist_is_refused(client, form_manager, project):
    client.force_login(form_manager)
    point = ServicePointFactory(project=project)
    client.post(
        f"/projects/{project.pk}/devices/create",
        {"name": "X", "service_point": point.pk, "kind": "fax"},
    )
    assert not Device.objects.exists()


def test_the_app_shell_names_the_service_point_and_loads_the_built_bundle(client, web_tablet):
    response = client.get(app_path(web_tablet))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ventimiglia" in html
    assert f'data-server="/key/{web_tablet.token}/projects/{web_tablet.project_id}"' in html
    assert '<script type="module" src="/static/webforms/assets/' in html
    assert response["Referrer-Policy"] == "no-referrer", "the link is a credential"
    policy = response["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" in policy
    assert "unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")


def test_service_worker_and_manifest_are_scoped_to_the_tablet(client, web_tablet):
    worker = client.get(app_path(web_tablet) + "sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker.content == (BUILD_DIR / "sw.js").read_bytes()
    manifest = client.get(app_path(web_tablet) + "manifest.webmanifest").json()
    assert manifest["start_url"] == manifest["scope"] == app_path(web_tablet)
    assert manifest["display"] == "standalone"


def test_unknown_token_gets_nothing_and_a_revoked_tablet_still_gets_its_app(client, web_tablet):
    assert client.get(f"/key/nope/projects/{web_tablet.project_id}/web/").status_code == 404
    assert client.get(f"/key/{web_tablet.token}/projects/999999/web/").status_code == 404
    device_revoke(device=web_tablet)
    assert client.get(app_path(web_tablet)).status_code == 200
    # ... but its OpenRosa endpoints refuse it, which the app shows.
    form_list = client.get(
        f"/key/{web_tablet.token}/projects/{web_tablet.project_id}/formList",
        headers={"X-OpenRosa-Version": "1.0"},
    )
    assert form_list.status_code == 403


def test_the_api_creates_a_web_tablet_with_its_link(api, project, form_manager):
    point = ServicePointFactory(project=project)
    response = api.as_user(form_manager).post(
        f"/api/v1/projects/{project.pk}/devices",
        {"name": "Phone 2", "service_point": point.pk, "kind": "web"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "web"
    assert body["web_url"] == f"{body['server_url']}/web/"
    png = base64.b64decode(body["qr_code_png"].removeprefix("data:image/png;base64,"))
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [c.text for c in codes] == [body["web_url"]]
