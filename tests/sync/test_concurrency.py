"""Two tablets (or one tablet's two retries) racing with the same submission, with real
concurrency against PostgreSQL: exactly one submission, and every sender gets 201."""

import threading
import uuid

import httpx
import pytest

from forms.services import form_upload
from sync.models import Attachment, Submission
from tests.factories import DeviceFactory
from tests.samples import PHOTO_FORM, instance_xml
from tests.xlsform import xlsx

RACERS = 8


def test_identical_posts_racing_make_one_submission(live, project):
    form_upload(project=project, filename="household.xlsx", data=xlsx(PHOTO_FORM))
    device = DeviceFactory(project=project)
    url = f"{live.url}/key/{device.token}/projects/{project.pk}/submission"
    xml = instance_xml(instance_id=f"uuid:{uuid.uuid4()}", photo="face.jpg")
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []

    def post() -> None:
        barrier.wait()
        response = httpx.post(
            url,
            headers={"X-OpenRosa-Version": "1.0"},
            files=[
                ("xml_submission_file", ("instance.xml", xml, "text/xml")),
                ("face.jpg", ("face.jpg", b"JPEG" * 1000, "image/jpeg")),
            ],
            timeout=60,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * RACERS
    assert Submission.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert Submission.objects.get().complete


@pytest.mark.parametrize("racers", [RACERS])
def test_different_submissions_racing_are_all_kept(live, project, racers):
    form_upload(project=project, filename="household.xlsx", data=xlsx(PHOTO_FORM))
    device = DeviceFactory(project=project)
    url = f"{live.url}/key/{device.token}/projects/{project.pk}/submission"
    barrier = threading.Barrier(racers)
    statuses: list[int] = []

    def post() -> None:
        xml = instance_xml(instance_id=f"uuid:{uuid.uuid4()}")
        barrier.wait()
        response = httpx.post(
            url,
            headers={"X-OpenRosa-Version": "1.0"},
            files={"xml_submission_file": ("instance.xml", xml, "text/xml")},
            timeout=60,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * racers
    assert Submission.objects.count() == racers
