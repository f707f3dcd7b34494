"""The real form engines volunteers use, against a real server process on PostgreSQL: JavaRosa
(inside ODK Collect and KoboCollect) running Collect's whole cycle, and the ODK Web Forms engine.
"""

import uuid

import httpx
import pytest

from forms.library import LIBRARY_DIR
from forms.services import form_upload
from sync import quarantine
from sync.models import Submission
from tests.factories import DeviceFactory
from tests.proxy import LossyProxy
from tests.real_clients import javarosa, web_forms
from tests.samples import PHOTO_FORM
from tests.xlsform import xlsx

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def library_form(project):
    data = (LIBRARY_DIR / "migrant_experience.xlsx").read_bytes()
    return form_upload(project=project, filename="migrant_experience.xlsx", data=data).version


@pytest.fixture
def tablet(project):
    return DeviceFactory(project=project)


def server_url(server, device) -> str:
    return f"{server.url}/key/{device.token}/projects/{device.project_id}"


def raw(submission: Submission) -> bytes:
    return quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity=submission.instance_id
    )


def collect_ok(result) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ALL OK" in result.stderr
    assert "FAIL" not in result.stderr


def test_collect_cycle_in_arabic_with_javarosa(live, library_form, tablet, java, tmp_path):
    result = javarosa(
        *("collect", server_url(live, tablet)),
        *("--form-id", "migrant_experience"),
        *("--lang", "العربية (ar)"),
        *("--set", "/data/consent=yes"),
        *("--set", "/data/contact/contact_consent=no"),
        *("--out", str(tmp_path)),
    )

    collect_ok(result)
    submission = Submission.objects.get()
    assert submission.complete
    assert submission.device == tablet
    assert submission.service_point == tablet.service_point
    assert "اختبار".encode() in raw(submission)
    saved = next(tmp_path.glob("*.xml")).read_bytes()
    assert raw(submission) == saved


def test_attachments_split_over_several_posts(
    openrosa_servers, live, project, tablet, java, tmp_path
):
    small = openrosa_servers(WAYPOINT_SUBMISSION_MAX_BYTES="60000")
    form_upload(project=project, filename="household.xlsx", data=xlsx(PHOTO_FORM))
    photos = []
    for name in ("face.jpg", "passport.jpg"):
        path = tmp_path / name
        path.write_bytes(b"\xff\xd8\xff" + uuid.uuid4().bytes * 2500)  # 40 KB each
        photos.append(path)

    result = javarosa(
        *("collect", server_url(small, tablet)),
        *("--form-id", "household"),
        *("--repeats", "1"),
        *("--set", "/data/photo=face.jpg"),
        *("--set", "/data/docs/doc_photo=passport.jpg"),
        *("--attach", str(photos[0])),
        *("--attach", str(photos[1])),
    )

    collect_ok(result)
    assert result.stderr.count("POST ") == 2  # Collect split the upload at the advertised limit
    submission = Submission.objects.get()
    assert submission.complete
    stored = {a.name: quarantine.read_attachment(a.file.name) for a in submission.attachments.all()}
    assert stored == {p.name: p.read_bytes() for p in photos}


def test_retry_after_a_lost_response_lands_one_submission(
    live, library_form, tablet, java, tmp_path
):
    proxy = LossyProxy(live.port, drop_first_matching=b"POST ")
    try:
        lost = javarosa(
            *("collect", server_url(proxy, tablet)),
            *("--form-id", "migrant_experience"),
            *("--set", "/data/consent=yes"),
            *("--set", "/data/contact/contact_consent=no"),
            *("--out", str(tmp_path)),
        )
        assert lost.returncode != 0, lost.stderr  # the tablet saw no answer; it keeps the form
        assert Submission.objects.count() == 1, lost.stderr  # but the server had stored it
        instance = next(tmp_path.glob("*.xml")).read_bytes()

        retry = httpx.post(
            f"{server_url(proxy, tablet)}/submission",
            headers={"X-OpenRosa-Version": "1.0"},
            files={"xml_submission_file": ("instance.xml", instance, "text/xml")},
        )
    finally:
        proxy.close()

    assert retry.status_code == 201
    assert b"already received" in retry.content
    assert Submission.objects.count() == 1


def test_an_edit_from_collect_is_a_new_version(live, library_form, tablet, java, tmp_path):
    first = javarosa(
        *("collect", server_url(live, tablet)),
        *("--form-id", "migrant_experience"),
        *("--set", "/data/consent=yes"),
        *("--set", "/data/contact/contact_consent=no"),
        *("--out", str(tmp_path)),
    )
    collect_ok(first)
    original = Submission.objects.get()
    instance = next(tmp_path.glob("*.xml")).read_text(encoding="utf-8")
    new_id = f"uuid:{uuid.uuid4()}"
    # What Collect sends when a finalised form is edited: a new instanceID and the old one as
    # meta/deprecatedID.
    edited = instance.replace(
        f"<instanceID>{original.instance_id}</instanceID>",
        f"<instanceID>{new_id}</instanceID><deprecatedID>{original.instance_id}</deprecatedID>",
    ).replace("<age>30</age>", "<age>31</age>")

    response = httpx.post(
        f"{server_url(live, tablet)}/submission",
        headers={"X-OpenRosa-Version": "1.0"},
        files={"xml_submission_file": ("instance.xml", edited.encode(), "text/xml")},
    )

    assert response.status_code == 201
    edit = Submission.objects.get(instance_id=new_id)
    assert edit.deprecates == original
    assert edit.root_instance_id == original.instance_id


def test_web_forms_engine_fills_and_submits(live, library_form, tablet):
    form_url = f"{server_url(live, tablet)}/forms/migrant_experience.xml"

    result = web_forms(
        form_url,
        *("--lang", "Українська (uk)"),
        *("--set", "/data/consent=yes"),
        *("--set", "/data/contact/contact_consent=no"),
        *("--submit", server_url(live, tablet)),
    )

    assert result.returncode == 0, result.stderr[-3000:]
    submission = Submission.objects.get()
    assert submission.complete
    assert submission.version == library_form
    assert b"<consent>yes</consent>" in raw(submission)


def test_enketo_st_token_and_5mb_chunks(live, project, tablet):
    form_upload(project=project, filename="household.xlsx", data=xlsx(PHOTO_FORM))
    url = f"{live.url}/projects/{project.pk}/submission?st={tablet.token}"
    instance_id = f"uuid:{uuid.uuid4()}"
    xml = (
        f'<data id="household" version="1"><full_name>A</full_name><age>3</age>'
        f"<photo>a.jpg</photo><docs><doc_photo>b.jpg</doc_photo></docs>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()
    big = b"\xff" * (4 * 1024 * 1024)
    headers = {"X-OpenRosa-Version": "1.0"}

    head = httpx.head(url, headers=headers)
    first = httpx.post(
        url,
        headers=headers,
        files=[
            ("xml_submission_file", ("xml_submission_file", xml, "text/xml")),
            ("a.jpg", ("a.jpg", big)),
        ],
        timeout=60,
    )
    second = httpx.post(
        url,
        headers=headers,
        files=[
            ("xml_submission_file", ("xml_submission_file", xml, "text/xml")),
            ("b.jpg", ("b.jpg", big)),
        ],
        timeout=60,
    )

    assert head.status_code == 204
    assert first.status_code == second.status_code == 201
    submission = Submission.objects.get()
    assert submission.complete
    assert sorted(submission.attachments.values_list("name", flat=True)) == ["a.jpg", "b.jpg"]
