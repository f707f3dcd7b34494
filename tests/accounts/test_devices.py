"""A form manager creates a device and gets what a volunteer's tablet needs: a token, the server
URL for ODK Collect and a QR code that configures Collect in one scan."""

import base64
import io

import pytest
import zxingcpp
from PIL import Image

from accounts.models import Device, hash_device_token
from accounts.provisioning import decode_collect_qr_payload, device_for_token
from tests.factories import ServicePointFactory

pytestmark = pytest.mark.django_db


def read_qr(png: bytes) -> str:
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(codes) == 1, "expected exactly one QR code in the image"
    return codes[0].text


@pytest.fixture
def created(api, project, form_manager):
    point = ServicePointFactory(project=project, name="Lampedusa")
    response = api.as_user(form_manager).post(
        f"/api/v1/projects/{project.pk}/devices",
        {"name": "Tablet 1", "service_point": point.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_device_creation_returns_token_and_server_url(created, project):
    assert (
        created["server_url"] == f"http://testserver/key/{created['token']}/projects/{project.pk}"
    )
    device = Device.objects.get()
    assert device.token_hash == hash_device_token(created["token"])
    assert created["token"] not in str(Device.objects.values().get())


def test_qr_code_configures_odk_collect(created):
    png = base64.b64decode(created["qr_code_png"].removeprefix("data:image/png;base64,"))

    collect = decode_collect_qr_payload(read_qr(png))

    assert collect["general"]["server_url"] == created["server_url"]
    assert collect["admin"]["change_server"] is False
    assert "Lampedusa" in collect["project"]["name"]
    assert collect == created["collect_settings"]


def test_qr_page_and_png_work_with_the_token(client, created):
    page = client.get(created["qr_code_url"].removeprefix("http://testserver"))
    png = client.get(created["qr_code_url"].removeprefix("http://testserver") + ".png")

    assert page.status_code == 200
    assert created["server_url"] in page.content.decode()
    assert png["Content-Type"] == "image/png"
    assert (
        decode_collect_qr_payload(read_qr(png.content))["general"]["server_url"]
        == (created["server_url"])
    )


def test_qr_page_with_a_wrong_token_is_not_found(client, created, project):
    assert client.get(f"/key/not-a-token/projects/{project.pk}/qr").status_code == 404


def test_device_belongs_to_its_service_point(created):
    assert Device.objects.get().service_point.name == "Lampedusa"


def test_service_point_of_another_project_is_refused(api, project, form_manager):
    foreign = ServicePointFactory()

    response = api.as_user(form_manager).post(
        f"/api/v1/projects/{project.pk}/devices",
        {"name": "Tablet", "service_point": foreign.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "service_point" in response.json()["errors"]
    assert Device.objects.count() == 0


def test_revoked_device_token_stops_working(api, project, form_manager, created):
    assert device_for_token(created["token"]) is not None

    response = api.as_user(form_manager).delete(
        f"/api/v1/projects/{project.pk}/devices/{created['id']}"
    )

    assert response.status_code == 204
    assert device_for_token(created["token"]) is None
    assert Device.objects.get().revoked_at is not None


def test_device_list_never_shows_tokens(api, project, form_manager, created):
    listing = api.as_user(form_manager).get(f"/api/v1/projects/{project.pk}/devices").json()

    assert created["token"] not in str(listing)
    assert listing["results"][0]["active"] is True
