"""A form manager cannot plant a page or a script as form media: only the kinds of file
XLSForms use are accepted (a stored-script attack on the DPO went through `evil.html`/`.svg`)."""

import pytest

from forms.models import FormVersion, MediaFile
from forms.problems import FormRejected
from forms.services import form_upload, media_upload
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db

NAMES = ["evil.html", "evil.svg", "evil.js", "evil.htm", "evil.xhtml", "evil.exe", "noext"]
GOOD = ["logo.png", "photo.JPG", "anim.gif", "pic.webp", "voice.mp3", "clip.mp4", "list.csv",
        "areas.geojson", "items.xml"]  # fmt: skip


@pytest.fixture
def version(project) -> FormVersion:
    rows = [["type", "name", "label", "media::image"]]
    rows += [["note", f"n{i}", "Look", name] for i, name in enumerate(NAMES + GOOD)]
    sheets = {"survey": rows, "settings": [["form_id", "version"], ["media_kinds", "1"]]}
    return form_upload(project=project, filename="m.xlsx", data=xlsx(sheets)).version


@pytest.mark.parametrize("name", NAMES)
def test_media_that_a_browser_could_run_is_refused(version, name):
    assert name in version.media_expected  # the form does refer to it

    with pytest.raises(FormRejected) as refused:
        media_upload(version=version, filename=name, data=b"<script>alert(1)</script>")

    assert refused.value.problems[0].code == "media.bad_type"
    assert not MediaFile.objects.exists()


@pytest.mark.parametrize("name", GOOD)
def test_the_media_kinds_forms_use_are_accepted_with_their_type(version, name):
    media = media_upload(version=version, filename=name, data=b"bytes")

    assert media.content_type.split("/")[0] in {"image", "audio", "video", "text", "application"}
    assert "html" not in media.content_type
    assert "svg" not in media.content_type


def test_the_api_names_the_code(api, project, form_manager, version):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.as_user(form_manager).post(
        f"/api/v1/projects/{project.pk}/forms/media_kinds/versions/1/media",
        {"file": SimpleUploadedFile("evil.svg", b"<svg onload=alert(1)>")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "media.bad_type"
