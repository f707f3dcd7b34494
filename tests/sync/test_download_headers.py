"""Files Waypoint did not write itself (form media, raw submissions and attachments) are inert
downloads: never rendered in Waypoint's origin, never sniffed, never cached when raw. A media
file or a submitted "photo" holding HTML must not run script with the DPO's session."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from forms.models import MediaFile
from sync.models import Submission
from tests.samples import instance_xml

pytestmark = pytest.mark.django_db
SANDBOX = "sandbox; default-src 'none'"


def assert_inert(response, filename):
    assert response["Content-Disposition"].startswith("attachment")
    assert filename in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX


@pytest.fixture
def planted_media(photo_form):
    """A media file as it may already be stored from before uploads were checked."""
    data = b"<html><script>fetch('/api/v1/projects')</script></html>"
    media = MediaFile(
        version=photo_form,
        filename="evil.html",
        content_type="text/html",
        size=len(data),
        md5=hashlib.md5(data).hexdigest(),
    )
    media.file.save("evil.html", ContentFile(data), save=False)
    media.save()
    return media


def test_form_media_is_served_as_an_inert_download(client, device, planted_media):
    url = f"/key/{device.token}/projects/{device.project_id}/forms/household/attachments/evil.html"

    response = client.get(url)

    assert response.status_code == 200
    assert_inert(response, "evil.html")


@pytest.fixture
def stored(submit, photo_form):
    submit(instance_xml(instance_id="uuid:h1", photo="face.jpg"), {"face.jpg": b"<svg onload=x>"})
    return Submission.objects.get()


def base(project):
    return f"/api/v1/projects/{project.pk}/forms/household/submissions/uuid:h1"


@pytest.mark.parametrize(
    ("path", "filename"), [("/attachments/face.jpg", "face.jpg"), ("/xml", "uuid%3Ah1.xml")]
)
def test_raw_files_are_inert_and_never_cached(api, project, dpo, stored, path, filename):
    response = api.as_user(dpo).get(f"{base(project)}{path}?reason=review")

    assert response.status_code == 200
    assert_inert(response, filename)
    assert "no-store" in response["Cache-Control"]


def test_raw_metadata_is_never_cached_either(api, project, dpo, stored):
    response = api.as_user(dpo).get(base(project))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_dpo_compare_of_raw_and_anonymised_is_never_cached(api, project, dpo, stored):
    url = f"/api/v1/projects/{project.pk}/forms/household/compare?reason=review"

    response = api.as_user(dpo).get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_compare_page_is_never_cached(client, project, dpo, stored):
    client.force_login(dpo)

    response = client.get(f"/projects/{project.pk}/privacy/household/compare")

    assert "no-store" in response["Cache-Control"]
