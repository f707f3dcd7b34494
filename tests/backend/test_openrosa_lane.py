"""A device's submission skips the browser-only middleware (backend/openrosa_lane.py) but none
of what protects it: HTTPS is still enforced, the security headers are still sent, and the
sign-in pause and NUL refusal still come first."""

import pytest

from sync.models import Submission
from tests.samples import instance_xml

pytestmark = pytest.mark.django_db


def test_a_device_submission_is_stored_with_the_security_headers(submit, photo_form):
    response = submit(instance_xml())

    assert response.status_code == 201
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-OpenRosa-Version"] == "1.0"
    assert "Set-Cookie" not in response  # no session was touched
    assert Submission.objects.count() == 1


def test_plain_http_is_still_redirected_to_https_before_anything_is_stored(
    submit, photo_form, settings
):
    settings.SECURE_SSL_REDIRECT = True

    response = submit(instance_xml())

    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert Submission.objects.count() == 0


def test_a_nul_byte_is_refused_before_the_lane(submit, photo_form, device):
    response = submit(instance_xml(), QUERY_STRING="deviceID=%00")

    assert response.status_code == 400
    assert Submission.objects.count() == 0
