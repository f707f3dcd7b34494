"""One device token cannot take the server over: past its submissions or bytes per minute, or
with too many uploads in flight, it is answered 429 with Retry-After (Collect keeps the forms
and sends them later), before the body is read. Other devices are not affected."""

import pytest
from django.core.cache import cache

from sync.models import Submission
from tests.factories import DeviceFactory
from tests.samples import instance_xml

pytestmark = pytest.mark.django_db


def test_a_device_past_its_submissions_per_minute_gets_429_with_retry_after(
    submit, photo_form, settings
):
    settings.WAYPOINT_DEVICE_POSTS_PER_MINUTE = 2
    for n in range(2):
        assert submit(instance_xml(instance_id=f"uuid:q{n}")).status_code == 201

    refused = submit(instance_xml(instance_id="uuid:q2"))

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert b"<OpenRosaResponse" in refused.content
    assert Submission.objects.count() == 2


def test_a_device_past_its_bytes_per_minute_gets_429(submit, photo_form, settings):
    settings.WAYPOINT_DEVICE_BYTES_PER_MINUTE = 30_000
    big = {"face.jpg": b"\xff\xd8" + b"0" * 20_000}
    xml = instance_xml(instance_id="uuid:b0", photo="face.jpg")
    assert submit(xml, big).status_code == 201

    refused = submit(instance_xml(instance_id="uuid:b1", photo="face.jpg"), big)

    assert refused.status_code == 429
    assert refused["Retry-After"]


def test_too_many_uploads_in_flight_are_refused(submit, device, photo_form):
    cache.set(f"quota:{device.pk}:in-flight", 4, 3600)  # four uploads still arriving

    refused = submit(instance_xml(instance_id="uuid:f1"))

    assert refused.status_code == 429


def test_another_device_is_not_affected(client, submit, device, photo_form, settings):
    settings.WAYPOINT_DEVICE_POSTS_PER_MINUTE = 1
    submit(instance_xml(instance_id="uuid:d0"))
    other = DeviceFactory(project=device.project)
    url = f"/key/{other.token}/projects/{other.project_id}/submission"

    response = submit(instance_xml(instance_id="uuid:d1"), url=url)

    assert response.status_code == 201
