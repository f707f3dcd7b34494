"""Guessing passwords stops working after a few failures, on every sign-in door."""

import base64

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
RIGHT = "correct horse battery staple"


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_sign_ins_are_refused_after_five_failures(client, dpo):
    for _ in range(5):
        assert sign_in(client, dpo.username, "guess").status_code == 200  # the form again

    refused = sign_in(client, dpo.username, RIGHT)

    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.failed", target=dpo.username).count() == 6


def test_a_few_failures_do_not_lock_anyone_out(client, dpo):
    for _ in range(4):
        sign_in(client, dpo.username, "guess")

    response = sign_in(client, dpo.username, RIGHT)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(dpo.pk)


def test_failures_expire(client, dpo, settings):
    settings.WAYPOINT_LOGIN_THROTTLE_SECONDS = 0  # the window has passed
    for _ in range(6):
        sign_in(client, dpo.username, "guess")

    assert sign_in(client, dpo.username, RIGHT).status_code == 302


def test_openrosa_basic_auth_is_throttled_too(client, project, form_manager):
    def basic(password):
        credentials = base64.b64encode(f"{form_manager.username}:{password}".encode()).decode()
        return client.get(
            f"/projects/{project.pk}/formList",
            HTTP_AUTHORIZATION=f"Basic {credentials}",
            HTTP_X_OPENROSA_VERSION="1.0",
        )

    for _ in range(5):
        assert basic("guess").status_code == 401

    assert basic(RIGHT).status_code == 401
