"""Hostile values that are not refused, because a real client may send them, but are stored as
plain data: file names with paths never choose where a file is written, and SQL in an instanceID
is an instanceID like any other."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms.models import MediaFile
from sync import quarantine
from sync.models import Submission
from tests.hostile.corpus import stored
from tests.hostile.world import World, submit_as_device
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


def inside(path: str, root: Path) -> bool:
    return Path(path).resolve().is_relative_to(root.resolve())


@pytest.mark.parametrize(
    "name", ["../../etc/places.csv", "..\\..\\places.csv", "/etc/places.csv", "C:\\places.csv"]
)
def test_a_path_in_a_media_file_name_never_reaches_the_file_system(world: World, client, name):
    beside = stored(world)["beside the media root"]

    response = client.post(
        world.api(f"/forms/{world.media_form_id}/versions/1/media"),
        {"file": SimpleUploadedFile(name, b"name,label\nlampedusa,Lampedusa\n")},
        HTTP_AUTHORIZATION=f"Token {world.token}",
    )

    assert response.status_code == 201, response.content
    media = MediaFile.objects.get(version__form__form_id=world.media_form_id)
    assert media.filename == "places.csv"
    assert inside(media.file.path, world.media_root)
    assert stored(world)["beside the media root"] == beside


@pytest.mark.parametrize("via", ["token", "basic"])
def test_attachment_names_with_paths_are_sealed_under_random_names(world: World, client, via):
    xml = privacy_instance("uuid:traversal", photo="passwd")
    auth = {} if via == "token" else {"HTTP_AUTHORIZATION": world.basic}

    response = client.post(
        world.submission_url(via),
        {
            "xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml"),
            "file0": SimpleUploadedFile("../../etc/passwd", b"SECRET", "image/jpeg"),
        },
        HTTP_X_OPENROSA_VERSION="1.0",
        **auth,
    )

    assert response.status_code == 201
    attachment = Submission.objects.get(instance_id="uuid:traversal").attachments.get()
    assert attachment.name == "passwd"
    assert attachment.file.name.startswith("quarantine/")
    assert "passwd" not in attachment.file.name
    assert inside(attachment.file.path, world.media_root)
    assert b"SECRET" not in attachment.file.read()
    assert quarantine.read_attachment(attachment.file.name) == b"SECRET"


def test_a_path_the_xml_names_as_a_file_is_never_written(world: World, client):
    xml = privacy_instance("uuid:named-path", photo="../../etc/passwd")

    response = submit_as_device(
        client, world.submission_url("token"), xml, {"../../etc/passwd": b"SECRET"}
    )

    # Matched as Collect means it (the parser strips the part's path; issue 16), and stored
    # sealed under a random name: the path is a name in the database, never a place on disk.
    assert response.status_code == 201
    submission = Submission.objects.get(instance_id="uuid:named-path")
    assert submission.attachments_expected == ["../../etc/passwd"]
    attachment = submission.attachments.get()
    assert attachment.name == "../../etc/passwd"
    assert attachment.file.name.startswith("quarantine/")
    assert ".." not in attachment.file.name
    assert submission.complete


def test_sql_in_an_instance_id_is_just_an_instance_id(world: World, client):
    instance_id = "uuid:1' OR '1'='1'; DROP TABLE sync_submission; --"
    xml = privacy_instance(instance_id.replace("'", "&apos;"))
    before = Submission.objects.count()

    first = submit_as_device(client, world.submission_url("token"), xml)
    again = submit_as_device(client, world.submission_url("token"), xml)

    assert (first.status_code, again.status_code) == (201, 201)
    assert Submission.objects.count() == before + 1
    assert Submission.objects.filter(instance_id=instance_id).exists()


def test_an_attachment_named_like_a_web_page_is_served_as_opaque_bytes(world: World, client):
    xml = privacy_instance("uuid:page", photo="photo.html")
    page = b"<script>fetch('/api/v1/projects')</script>"
    submit_as_device(client, world.submission_url("token"), xml, {"photo.html": page})

    response = client.get(
        world.api(f"/forms/{world.form_id}/submissions/uuid:page/attachments/photo.html"),
        {"reason": "checking the photo"},
        HTTP_AUTHORIZATION=f"Token {world.token}",
    )

    assert response.status_code == 200
    assert response.content == page
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
