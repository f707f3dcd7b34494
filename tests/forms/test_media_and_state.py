"""Media files a form uses, and the open/closing/closed life of a form."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms.models import Form, FormVersion, MediaFile
from forms.problems import FormRejected
from forms.services import media_upload
from tests.forms.helpers import upload
from tests.samples import MEDIA_FORM
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_url(api, project, form_manager):
    upload(api.as_user(form_manager), project, "m.xlsx", xlsx(MEDIA_FORM))
    return f"/api/v1/projects/{project.pk}/forms/media_form/versions/1/media"


def post_media(client, url, name, data):
    return client.post(url, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def test_media_upload_records_md5_and_clears_missing(api, form_manager, media_url):
    csv = b"name,label\nlampedusa,Lampedusa\n"

    response = post_media(api.as_user(form_manager), media_url, "places.csv", csv)

    assert response.status_code == 201, response.json()
    assert response.json()["md5"] == hashlib.md5(csv).hexdigest()
    version = api.get(media_url.removesuffix("/media")).json()
    assert version["media_missing"] == ["logo.png"]
    stored = MediaFile.objects.get(filename="places.csv")
    assert stored.file.read() == csv


def test_uploading_a_media_name_again_replaces_it(api, form_manager, media_url):
    client = api.as_user(form_manager)
    post_media(client, media_url, "places.csv", b"name,label\na,A\n")

    response = post_media(client, media_url, "places.csv", b"name,label\nb,B\n")

    assert response.status_code == 201
    assert MediaFile.objects.count() == 1
    assert MediaFile.objects.get().md5 == hashlib.md5(b"name,label\nb,B\n").hexdigest()


def test_media_the_form_does_not_use_is_refused(api, form_manager, media_url):
    response = post_media(api.as_user(form_manager), media_url, "Places.CSV", b"x")

    assert response.status_code == 400
    found = response.json()["problems"][0]
    assert found["code"] == "media.unexpected"
    assert "places.csv" in found["message"]
    assert MediaFile.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["../places.csv", "dir/places.csv", "..\\places.csv", ".places.csv"]
)
def test_media_names_with_paths_are_refused_by_the_service(form_manager, media_url, name):
    version = FormVersion.objects.get()

    with pytest.raises(FormRejected) as refused:
        media_upload(version=version, filename=name, data=b"x")

    assert refused.value.problems[0].code == "media.bad_name"
    assert MediaFile.objects.count() == 0


@pytest.mark.parametrize("state", ["closing", "closed", "open"])
def test_form_manager_changes_form_state(api, project, form_manager, media_url, state):
    response = api.as_user(form_manager).patch(
        f"/api/v1/projects/{project.pk}/forms/media_form", {"state": state}, format="json"
    )

    assert response.status_code == 200
    assert Form.objects.get().state == state


def test_unknown_state_is_refused(api, project, form_manager, media_url):
    response = api.as_user(form_manager).patch(
        f"/api/v1/projects/{project.pk}/forms/media_form", {"state": "archived"}, format="json"
    )

    assert response.status_code == 400
    assert Form.objects.get().state == "open"
