"""What ODK Collect, KoboCollect and Enketo read: the form list, forms, manifests and media."""

import base64
import hashlib

import pytest
from defusedxml.ElementTree import fromstring

from forms.models import Form
from forms.services import form_upload, media_upload
from tests.factories import DeviceFactory
from tests.samples import device_url
from tests.xlsform import simple_form, xlsx

pytestmark = pytest.mark.django_db
LIST_NS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"
OR = {"HTTP_X_OPENROSA_VERSION": "1.0"}

MEDIA_FORM = {
    "survey": [
        ["type", "name", "label", "media::image", "privacy"],
        ["note", "welcome", "Welcome", "logo.png", None],
        ["select_one_from_file places.csv", "place", "Where?", None, "quasi"],
    ],
    "settings": [["form_id", "version", "form_title"], ["media_form", "3", "Media form"]],
}


@pytest.fixture
def forms(project, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    simple = form_upload(project=project, filename="s.xlsx", data=xlsx(simple_form())).version
    media = form_upload(project=project, filename="m.xlsx", data=xlsx(MEDIA_FORM)).version
    media_upload(version=media, filename="places.csv", data=b"name,label\nlampedusa,Lampedusa\n")
    media_upload(version=media, filename="logo.png", data=b"\x89PNG fake")
    return {"simple": simple, "media_form": media}


def entries(response) -> dict[str, dict]:
    root = fromstring(response.content)
    assert root.tag == f"{LIST_NS}xforms"
    return {
        x.findtext(f"{LIST_NS}formID"): {child.tag.removeprefix(LIST_NS): child.text for child in x}
        for x in root.findall(f"{LIST_NS}xform")
    }


def assert_openrosa_headers(response):
    assert response["X-OpenRosa-Version"] == "1.0"
    assert int(response["X-OpenRosa-Accept-Content-Length"]) > 0
    assert response["Date"]


def test_form_list_for_a_device(client, device, forms):
    response = client.get(device_url(device, "formList"), **OR)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert_openrosa_headers(response)
    listed = entries(response)
    simple = listed["simple"]
    assert simple["name"] == "Form simple"
    assert simple["version"] == "1"
    assert simple["hash"] == f"md5:{forms['simple'].md5}"
    assert simple["downloadUrl"] == f"http://testserver{device_url(device, 'forms/simple.xml')}"
    assert "manifestUrl" not in simple
    assert listed["media_form"]["manifestUrl"].endswith(
        device_url(device, "forms/media_form/manifest")
    )


def test_form_list_filters_by_form_id(client, device, forms):
    response = client.get(device_url(device, "formList") + "?formID=media_form", **OR)

    assert list(entries(response)) == ["media_form"]


def test_form_without_version_lists_an_empty_version_element(client, device, project, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    form = {
        "survey": [["type", "name", "label"], ["text", "a", "A"]],
        "settings": [["form_id"], ["nov"]],
    }
    form_upload(project=project, filename="n.xlsx", data=xlsx(form))

    response = client.get(device_url(device, "formList"), **OR)

    assert b"<version />" in response.content or b"<version></version>" in response.content


def test_closing_and_closed_forms_are_not_listed(client, device, forms):
    Form.objects.filter(form_id="simple").update(state="closing")
    Form.objects.filter(form_id="media_form").update(state="closed")

    assert entries(client.get(device_url(device, "formList"), **OR)) == {}


def test_device_sees_only_assigned_forms(client, project, forms):
    device = DeviceFactory(project=project)
    device.all_forms = False
    device.save()
    device.forms.add(Form.objects.get(form_id="media_form"))

    assert list(entries(client.get(device_url(device, "formList"), **OR))) == ["media_form"]
    assert client.get(device_url(device, "forms/simple.xml"), **OR).status_code == 404


def test_form_download_is_the_exact_bytes_with_etag(client, device, forms):
    response = client.get(device_url(device, "forms/simple.xml"), **OR)

    assert response.status_code == 200
    assert response.content == bytes(forms["simple"].xform)
    assert hashlib.md5(response.content).hexdigest() == forms["simple"].md5
    assert_openrosa_headers(response)
    again = client.get(
        device_url(device, "forms/simple.xml"), HTTP_IF_NONE_MATCH=response["ETag"], **OR
    )
    assert again.status_code == 304
    assert again.content == b""


def test_closed_form_download_is_refused_to_devices(client, device, forms):
    Form.objects.filter(form_id="simple").update(state="closed")

    response = client.get(device_url(device, "forms/simple.xml"), **OR)

    assert response.status_code == 403
    assert b"<OpenRosaResponse" in response.content


def test_manifest_and_media(client, device, forms):
    response = client.get(device_url(device, "forms/media_form/manifest"), **OR)

    assert response.status_code == 200
    assert_openrosa_headers(response)
    root = fromstring(response.content)
    assert root.tag == f"{MANIFEST_NS}manifest"
    files = {
        m.findtext(f"{MANIFEST_NS}filename"): m for m in root.findall(f"{MANIFEST_NS}mediaFile")
    }
    places = files["places.csv"]
    url = places.findtext(f"{MANIFEST_NS}downloadUrl").removeprefix("http://testserver")
    media = client.get(url, **OR)
    body = b"".join(media.streaming_content)
    assert body == b"name,label\nlampedusa,Lampedusa\n"
    assert places.findtext(f"{MANIFEST_NS}hash") == "md5:" + hashlib.md5(body).hexdigest()
    assert client.get(url, HTTP_IF_NONE_MATCH=media["ETag"], **OR).status_code == 304


def test_requests_without_the_openrosa_header_are_refused(client, device, forms):
    response = client.get(device_url(device, "formList"))

    assert response.status_code == 400
    assert b"X-OpenRosa-Version" in response.content
    assert response["X-OpenRosa-Version"] == "1.0"


def test_unknown_or_revoked_token_is_refused(client, device, forms):
    response = client.get(f"/key/wrong/projects/{device.project_id}/formList", **OR)

    assert response.status_code == 403
    assert b"QR code" in response.content


def test_token_of_another_project_is_refused(client, device, other_project, forms):
    response = client.get(f"/key/{device.token}/projects/{other_project.pk}/formList", **OR)

    assert response.status_code == 403


def test_accounts_get_a_basic_challenge_then_the_list(client, project, form_manager, forms):
    url = f"/projects/{project.pk}/formList"

    challenge = client.get(url, **OR)
    credentials = base64.b64encode(f"{form_manager.username}:correct horse battery staple".encode())
    listed = client.get(url, HTTP_AUTHORIZATION=f"Basic {credentials.decode()}", **OR)

    assert challenge.status_code == 401
    assert challenge["WWW-Authenticate"].startswith("Basic")
    assert listed.status_code == 200
    assert (
        entries(listed)["simple"]["downloadUrl"]
        == f"http://testserver/projects/{project.pk}/forms/simple.xml"
    )


def test_analysts_cannot_use_openrosa(client, project, analyst, forms):
    credentials = base64.b64encode(f"{analyst.username}:correct horse battery staple".encode())

    response = client.get(
        f"/projects/{project.pk}/formList", HTTP_AUTHORIZATION=f"Basic {credentials.decode()}", **OR
    )

    assert response.status_code == 403


def test_enketo_style_st_token(client, device, forms):
    response = client.get(f"/projects/{device.project_id}/formList?st={device.token}", **OR)

    assert response.status_code == 200
    assert entries(response)["simple"]["downloadUrl"].endswith(
        f"/projects/{device.project_id}/forms/simple.xml?st={device.token}"
    )


def test_media_upload_changes_the_manifest_hash(client, device, forms):
    media_upload(version=forms["media_form"], filename="places.csv", data=b"name,label\nx,X\n")

    response = client.get(device_url(device, "forms/media_form/manifest"), **OR)

    assert ("md5:" + hashlib.md5(b"name,label\nx,X\n").hexdigest()).encode() in response.content


def test_form_list_query_count_does_not_grow_with_forms(client, device, project, forms):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(device_url(device, "formList"), **OR)  # records last_seen_at once
    with CaptureQueriesContext(connection) as two_forms:
        client.get(device_url(device, "formList"), **OR)
    for n in range(3):
        form_upload(project=project, filename="s.xlsx", data=xlsx(simple_form(form_id=f"f{n}")))
    with CaptureQueriesContext(connection) as five_forms:
        response = client.get(device_url(device, "formList"), **OR)

    assert len(entries(response)) == 5
    assert len(five_forms.captured_queries) == len(two_forms.captured_queries)
