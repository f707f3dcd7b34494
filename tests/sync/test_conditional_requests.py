"""Conditional downloads per RFC 9110 (13.1.2): a weak ETag (``W/"…"``, as proxies and CDNs
rewrite them) and ``If-None-Match: *`` answer 304, so that a tablet on a metered connection does
not download a form or its media again (issue 16)."""

import pytest

from forms.services import form_upload, media_upload
from tests.samples import MEDIA_FORM, PHOTO_FORM, device_url
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db
OR = {"HTTP_X_OPENROSA_VERSION": "1.0"}


@pytest.fixture
def versions(project, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    photo = form_upload(project=project, filename="p.xlsx", data=xlsx(PHOTO_FORM)).version
    media = form_upload(project=project, filename="m.xlsx", data=xlsx(MEDIA_FORM)).version
    media_upload(version=media, filename="places.csv", data=b"name,label\nx,X\n")
    return photo, media


@pytest.mark.parametrize(
    "if_none_match",
    ['W/"{md5}"', "*", '"other", W/"{md5}"', '"{md5}"'],
    ids=["weak", "star", "list-with-weak", "strong"],
)
def test_form_download_answers_304_to_weak_and_star_tags(client, device, versions, if_none_match):
    photo, _ = versions

    response = client.get(
        device_url(device, "forms/household.xml"),
        HTTP_IF_NONE_MATCH=if_none_match.format(md5=photo.md5),
        **OR,
    )

    assert response.status_code == 304
    assert response["ETag"] == f'"{photo.md5}"'


def test_media_download_answers_304_to_a_weak_tag(client, device, versions):
    _, media = versions
    md5 = media.media.get().md5

    response = client.get(
        device_url(device, "forms/media_form/attachments/places.csv"),
        HTTP_IF_NONE_MATCH=f'W/"{md5}"',
        **OR,
    )

    assert response.status_code == 304


def test_another_tag_still_downloads(client, device, versions):
    response = client.get(
        device_url(device, "forms/household.xml"), HTTP_IF_NONE_MATCH='W/"stale"', **OR
    )

    assert response.status_code == 200
