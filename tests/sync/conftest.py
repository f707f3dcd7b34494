import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms.services import form_upload
from tests.xlsform import xlsx

PHOTO_FORM = {
    "survey": [
        # A language-named label column: the JavaRosa harness needs itext to fill a form.
        ["type", "name", "label::English (en)", "privacy"],
        ["start", "start", None, None],
        ["end", "end", None, None],
        ["text", "full_name", "Name", "direct"],
        ["integer", "age", "Age", "quasi band:10"],
        ["image", "photo", "Photo", "direct"],
        ["begin repeat", "docs", "Documents", None],
        ["image", "doc_photo", "Document photo", "direct"],
        ["end repeat", None, None, None],
    ],
    "settings": [["form_id", "version"], ["household", "1"]],
}


@pytest.fixture
def photo_form(project, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    return form_upload(project=project, filename="household.xlsx", data=xlsx(PHOTO_FORM)).version


def instance_xml(
    *,
    form_id: str = "household",
    version: str = "1",
    instance_id: str | None = None,
    name: str = "Amina",
    age: str = "34",
    photo: str = "",
    docs: tuple[str, ...] = (),
    deprecated_id: str | None = None,
) -> bytes:
    instance_id = instance_id if instance_id is not None else f"uuid:{uuid.uuid4()}"
    meta = f"<instanceID>{instance_id}</instanceID>" if instance_id else ""
    if deprecated_id:
        meta += f"<deprecatedID>{deprecated_id}</deprecatedID>"
    repeat = "".join(f"<docs><doc_photo>{d}</doc_photo></docs>" for d in docs)
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        "<start>2026-11-20T09:00:00.000+01:00</start><end>2026-11-20T09:12:00.000+01:00</end>"
        f"<full_name>{name}</full_name><age>{age}</age><photo>{photo}</photo>{repeat}"
        f"<meta>{meta}</meta></data>"
    ).encode()


@pytest.fixture
def submit(client, device):
    """POST a submission as the device, the way Collect shapes it."""

    def post(xml: bytes, files: dict[str, bytes] | None = None, *, url: str | None = None, **extra):
        body = {"xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml")}
        for index, (name, data) in enumerate((files or {}).items()):
            body[f"file{index}"] = SimpleUploadedFile(name, data, "image/jpeg")
        return client.post(
            url or device_url(device, "submission"),
            body,
            HTTP_X_OPENROSA_VERSION="1.0",
            HTTP_USER_AGENT="org.odk.collect.android/v2026.1.0",
            **extra,
        )

    return post


def device_url(device, path: str) -> str:
    return f"/key/{device.token}/projects/{device.project_id}/{path}"
