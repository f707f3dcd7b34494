"""A form manager runs the tablets of a project from pages (form managers cannot use the admin):
creating one never twice on a refresh, seeing each tablet's activity, renaming, revoking and
showing a QR code again."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Device
from accounts.provisioning import device_create, device_for_token
from sync.device_pages import SESSION_KEY
from tests.factories import DeviceFactory, ServicePointFactory
from tests.factories.forms import FormVersionFactory
from tests.factories.sync import SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_fm(client, form_manager):
    client.force_login(form_manager)
    return client


def test_refreshing_the_new_tablet_page_creates_no_second_tablet(client_fm, project):
    """Post-redirect-get: the POST answers a redirect, so the browser's refresh repeats a GET."""
    point = ServicePointFactory(project=project)
    url = f"/projects/{project.pk}/devices/create"
    response = client_fm.post(url, {"name": "Tablet 1", "service_point": point.pk})
    assert response.status_code == 302
    device = Device.objects.get()
    shown = client_fm.get(response["Location"])
    assert 'id="new-device"' in shown.content.decode()
    assert "/key/" in shown.content.decode()

    again = client_fm.get(response["Location"])  # the refresh
    assert Device.objects.count() == 1
    assert 'id="new-device"' not in again.content.decode(), "the token is shown once"
    assert "/key/" not in again.content.decode()
    assert again["Cache-Control"].startswith("max-age=0")
    assert device.name == "Tablet 1"


def test_show_qr_code_again_issues_a_new_token_and_the_old_stops(client_fm, project):
    device = DeviceFactory(project=project)
    old = device.token
    response = client_fm.post(f"/projects/{project.pk}/devices/{device.pk}/reissue")
    assert response.status_code == 302
    held = client_fm.session[SESSION_KEY.format(device.pk)]
    page = client_fm.get(response["Location"]).content.decode()
    token = re.search(r"/key/([^/]+)/projects/", page).group(1)
    assert device_for_token(old) is None
    assert device_for_token(token) == device
    # Review finding: the waiting token sat in plaintext in the session row (and backups).
    assert token not in held


def test_a_service_point_that_is_not_a_number_is_a_message_not_a_500(client_fm, project):
    response = client_fm.post(
        f"/projects/{project.pk}/devices/create", {"name": "T", "service_point": "abc"}
    )
    assert response.status_code == 302
    assert not Device.objects.exists()


def test_rename_and_revoke_a_tablet(client_fm, project):
    device = DeviceFactory(project=project, name="Tablet 1")
    base = f"/projects/{project.pk}/devices/{device.pk}"
    assert client_fm.post(f"{base}/rename", {"name": "Lampedusa 2"}).status_code == 302
    device.refresh_from_db()
    assert device.name == "Lampedusa 2"

    assert client_fm.post(f"{base}/revoke").status_code == 302
    assert device_for_token(device.token) is None
    page = client_fm.get(f"/projects/{project.pk}/operations/").content.decode()
    assert "revoked" in page
    # A revoked tablet gets no new code.
    client_fm.post(f"{base}/reissue")
    assert SESSION_KEY.format(device.pk) not in client_fm.session


def test_operations_view_shows_activity_per_tablet_and_service_point(client_fm, project):
    point = ServicePointFactory(project=project, name="Lampedusa")
    busy, _token = device_create(project=project, service_point=point, name="Busy")
    idle, _token = device_create(project=project, service_point=point, name="Idle")
    version = FormVersionFactory(project=project, form_id="survey", version="7")
    for _ in range(3):
        SubmissionFactory(version=version, device=busy)
    waiting = SubmissionFactory(version=version, device=busy)
    waiting.complete = False
    waiting.save(update_fields=["complete"])
    seen = timezone.now() - timedelta(hours=2)
    Device.objects.filter(pk=busy.pk).update(last_seen_at=seen)

    response = client_fm.get(f"/projects/{project.pk}/operations/")
    assert response.status_code == 200
    points = response.context["points"]
    (entry,) = [p for p in points if p.point == point]
    figures = dict((d.name, a) for d, a in entry.devices)
    assert figures["Busy"].total == 4
    assert figures["Busy"].per_day[-1] == 4  # all today, the last day shown
    assert figures["Busy"].incomplete == 1
    assert figures["Busy"].versions == {("survey", "7")}
    assert figures["Busy"].last_seen == seen
    assert figures["Idle"].total == 0
    assert figures["Idle"].last_seen is None
    assert entry.activity.total == 4
    assert entry.activity.incomplete == 1
    assert idle.name in response.content.decode()


def test_only_form_managers_run_tablets(client, project, analyst):
    device = DeviceFactory(project=project)
    client.force_login(analyst)
    assert client.get(f"/projects/{project.pk}/operations/").status_code == 403
    assert client.post(f"/projects/{project.pk}/devices/{device.pk}/revoke").status_code == 403
    assert device_for_token(device.token) == device


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "12,345"), ("fr", "12\xa0345"), ("es", "12\xa0345"), ("uk", "12\xa0345")],
)
def test_counts_are_written_the_way_the_language_writes_numbers(language, written):
    from django.utils import translation

    from sync.templatetags.waypoint_numbers import count

    with translation.override(language):
        assert count(12345) == written
