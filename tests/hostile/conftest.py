"""One project with everything a hostile request can aim at, built once for the package: a form
with released (and unreleased) records, a raw submission with an attachment and a conflicting
copy, a form expecting a media file, a device, and a user holding every role, so that a refusal
is never merely "you may not". A second project supplies tokens that must not open the first.

The world lives in a transaction opened for the package and rolled back at its end (as Django's
TestCase does for a class); each test (marked ``django_db``) runs in pytest-django's savepoint,
rolled back after it, so tests see the same world whatever ran before.
"""

import base64
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client, TestCase, override_settings
from rest_framework.authtoken.models import Token

from accounts.models import Role
from forms.services import form_upload
from privacy.models import AnonymisedRecord
from privacy.review import release_approve, release_open
from sync.models import Submission
from tests.factories import DeviceFactory, MembershipFactory, ProjectFactory, UserFactory
from tests.forms.test_media_and_state import MEDIA_FORM
from tests.privacy.conftest import PRIVACY_FORM, privacy_instance
from tests.xlsform import xlsx

PASSWORD = "correct horse battery staple"
# Fixed so that the Schemathesis schema, built when tests are collected, can carry it.
FUZZ_TOKEN = "hostile0fuzz0token0000000000000000000000"
WORLD_SETTINGS = {
    "WAYPOINT_ODK_VALIDATE": "false",
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@dataclass
class World:
    media_root: Path
    project_id: int
    form_id: str
    version: str
    media_form_id: str
    username: str
    token: str  # the API token of the user holding every role
    device_token: str
    device_id: int
    service_point_id: int
    instance_id: str  # a raw submission with an attachment and a conflicting copy
    attachment: str
    copy_id: int
    release_id: int
    record_id: str
    other_project_id: int
    other_username: str  # a form manager, DPO and analyst, but of the other project
    other_device_token: str
    other_user_token: str

    @property
    def basic(self) -> str:
        return _basic(self.username)

    @property
    def other_basic(self) -> str:
        return _basic(self.other_username)

    def openrosa_url(self, via: str, path: str = "submission") -> str:
        """An OpenRosa URL as a device (token in the URL) or an account (Basic) uses it."""
        if via == "token":
            return f"/key/{self.device_token}/projects/{self.project_id}/{path}"
        return f"/projects/{self.project_id}/{path}"

    def submission_url(self, via: str) -> str:
        return self.openrosa_url(via)

    def api(self, path: str = "") -> str:
        return f"/api/v1/projects/{self.project_id}{path}"


def _basic(username: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()


def submit_as_device(client: Client, url: str, xml: bytes, files: dict[str, bytes] | None = None):
    """POST a submission the way ODK Collect shapes it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml")}
    for index, (name, data) in enumerate((files or {}).items()):
        body[f"file{index}"] = SimpleUploadedFile(name, data, "image/jpeg")
    return client.post(url, body, HTTP_X_OPENROSA_VERSION="1.0")


def _everyone(project, username: str):
    user = UserFactory(username=username, password=PASSWORD)
    for role in Role.values:
        MembershipFactory(user=user, project=project, role=role)
    return user


def build_world(media_root: Path) -> World:
    """Through the same services and HTTP endpoints as real use: uploads, device submissions,
    anonymisation (run in-process when each submission commits) and a DPO's release."""
    project = ProjectFactory()
    everyone = _everyone(project, f"everyone-{project.pk}")
    Token.objects.create(user=everyone, key=FUZZ_TOKEN)
    device = DeviceFactory(project=project)
    privacy = form_upload(project=project, filename="p.xlsx", data=xlsx(PRIVACY_FORM)).version
    form_upload(project=project, filename="m.xlsx", data=xlsx(MEDIA_FORM))
    client = Client()
    url = f"/key/{device.token}/projects/{project.pk}/submission"
    people = [("34", "male")] * 6 + [("35", "female")] * 5 + [("71", "female")]
    for n, (age, sex) in enumerate(people):
        with TestCase.captureOnCommitCallbacks(execute=True):
            submit_as_device(client, url, privacy_instance(f"uuid:w{n}", age=age, sex=sex))
    release = release_open(form=privacy.form, user=everyone)
    release_approve(release=release, user=everyone, approved_hash=release.content_hash)
    with TestCase.captureOnCommitCallbacks(execute=True):
        for n in range(2):
            submit_as_device(client, url, privacy_instance(f"uuid:unreleased{n}", age="50"))
        raw_copies = [
            (privacy_instance("uuid:raw", photo="face.jpg"), {"face.jpg": b"\xff\xd8JPEG"}),
            (privacy_instance("uuid:raw", age="40"), None),  # kept as a conflicting copy
        ]
        for xml, files in raw_copies:
            assert submit_as_device(client, url, xml, files).status_code == 201
    raw = Submission.objects.get(form=privacy.form, instance_id="uuid:raw")
    other = ProjectFactory()
    outsider = _everyone(other, f"outsider-{other.pk}")
    return World(
        media_root=media_root,
        project_id=project.pk,
        form_id=privacy.form.form_id,
        version=privacy.version,
        media_form_id=MEDIA_FORM["settings"][1][0],
        username=everyone.username,
        token=FUZZ_TOKEN,
        device_token=device.token,
        device_id=device.pk,
        service_point_id=device.service_point_id,
        instance_id=raw.instance_id,
        attachment="face.jpg",
        copy_id=raw.conflicting_copies.get().pk,
        release_id=release.pk,
        record_id=str(AnonymisedRecord.objects.filter(form=privacy.form).first().pk),
        other_project_id=other.pk,
        other_username=outsider.username,
        other_device_token=DeviceFactory(project=other).token,
        other_user_token=Token.objects.create(user=outsider).key,
    )


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("hostile-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root, **WORLD_SETTINGS),
        transaction.atomic(),
    ):
        yield build_world(media_root)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_settings(world, _test_settings, settings):
    """The world's settings, over the per-test ones tests/conftest.py sets (its attachments are
    in the world's media root)."""
    settings.MEDIA_ROOT = world.media_root
    for name, value in WORLD_SETTINGS.items():
        setattr(settings, name, value)
