"""Guessing passwords stops working after a few failures, on every sign-in door, per user name
and per client address, with pauses that grow: but nobody can hold an account shut, tries
refused during a pause neither count nor extend it, a correct password after the pause works,
and the page says the account is limited rather than that the password was wrong."""

import base64
from datetime import timedelta

import pytest
from django.contrib.auth import base_user
from django.utils import timezone

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
RIGHT = "correct horse battery staple"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def later(monkeypatch):
    """Move the clock forward by ``seconds`` (the pause is measured from the audit trail)."""
    real_now = timezone.now

    def move(seconds):
        monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=seconds))

    return move


def test_sign_ins_are_paused_after_five_failures_with_a_message_that_says_so(client, dpo):
    for n in range(5):
        assert sign_in(client, dpo.username, f"guess{n}").status_code == 200  # the form again

    refused = sign_in(client, dpo.username, RIGHT)

    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    page = refused.content.decode()
    assert "temporarily limited" in page
    assert "did not match" not in page
    assert AuditEvent.objects.filter(action="login.failed", target=dpo.username).count() == 5
    assert AuditEvent.objects.filter(action="login.paused", target=dpo.username).count() == 1


def test_a_few_failures_do_not_lock_anyone_out(client, dpo):
    for n in range(4):
        sign_in(client, dpo.username, f"guess{n}")

    response = sign_in(client, dpo.username, RIGHT)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(dpo.pk)


def test_the_right_password_works_once_the_pause_is_over(client, dpo, later):
    for n in range(5):
        sign_in(client, dpo.username, f"guess{n}")

    later(31)  # the first pause is 30 seconds

    assert sign_in(client, dpo.username, RIGHT).status_code == 302


def test_tries_refused_during_a_pause_do_not_extend_it(client, dpo, later):
    for n in range(5):
        sign_in(client, dpo.username, f"guess{n}")
    for n in range(20):  # someone keeps hammering, right and wrong
        assert sign_in(client, dpo.username, RIGHT if n % 2 else "x").status_code == 200

    later(31)

    assert sign_in(client, dpo.username, RIGHT).status_code == 302
    assert AuditEvent.objects.filter(action="login.failed").count() == 5
    assert AuditEvent.objects.filter(action="login.paused").count() == 1  # not 20 rows


def test_pauses_grow_with_each_further_failure(client, dpo, later):
    for n in range(5):
        sign_in(client, dpo.username, f"guess{n}")
    later(31)
    sign_in(client, dpo.username, "guess again")  # a new failure after the pause: 60 s now

    later(31 + 45)
    assert sign_in(client, dpo.username, RIGHT).status_code == 200
    later(31 + 61)
    assert sign_in(client, dpo.username, RIGHT).status_code == 302


def test_failures_expire(client, dpo, settings):
    settings.WAYPOINT_LOGIN_THROTTLE_SECONDS = 0  # the window has passed
    for n in range(6):
        sign_in(client, dpo.username, f"guess{n}")

    assert sign_in(client, dpo.username, RIGHT).status_code == 302


def test_one_address_guessing_many_names_is_paused(client, dpo):
    for n in range(20):
        sign_in(client, f"someone{n}", "guess", address="203.0.113.9")

    from_there = sign_in(client, dpo.username, RIGHT, address="203.0.113.9")
    assert from_there.status_code == 200
    assert "temporarily limited" in from_there.content.decode()
    # The DPO at another address is not affected, and the name was never counted.
    assert sign_in(client, dpo.username, RIGHT, address="10.0.0.2").status_code == 302


def basic(client, project, username, password, address="10.0.0.1"):
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    return client.get(
        f"/projects/{project.pk}/formList",
        HTTP_AUTHORIZATION=f"Basic {credentials}",
        HTTP_X_OPENROSA_VERSION="1.0",
        REMOTE_ADDR=address,
    )


def test_openrosa_basic_auth_is_throttled_too_and_says_when_to_retry(client, project, form_manager):
    for n in range(5):
        assert basic(client, project, form_manager.username, f"guess{n}").status_code == 401

    paused = basic(client, project, form_manager.username, RIGHT)

    assert paused.status_code == 429
    assert 0 < int(paused["Retry-After"]) <= 30
    assert b"temporarily limited" in paused.content


@pytest.fixture
def hashes(monkeypatch):
    """Counts password hash checks (the CPU cost a flood aims at)."""
    calls = []
    real = base_user.check_password

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(base_user, "check_password", counting)
    return calls


def test_a_flood_of_one_basic_credential_costs_one_password_hash(
    client, project, form_manager, hashes
):
    for _ in range(30):
        assert basic(client, project, form_manager.username, RIGHT).status_code == 200
    for _ in range(30):
        assert basic(client, project, form_manager.username, "wrong").status_code == 401

    assert len(hashes) == 2
    assert AuditEvent.objects.filter(action="login.failed").count() == 1


def test_a_remembered_basic_credential_dies_with_the_password(client, project, form_manager):
    assert basic(client, project, form_manager.username, RIGHT).status_code == 200

    form_manager.set_password("another long passphrase 7")
    form_manager.save()

    assert basic(client, project, form_manager.username, RIGHT).status_code == 401


def test_guessing_a_name_from_one_address_does_not_lock_its_owner_out_elsewhere(client, dpo):
    for n in range(8):
        sign_in(client, dpo.username, f"guess{n}", address="203.0.113.7")

    assert sign_in(client, dpo.username, RIGHT, address="203.0.113.7").status_code == 200
    assert sign_in(client, dpo.username, RIGHT, address="10.0.0.2").status_code == 302


def test_a_name_guessed_from_many_addresses_is_paused_everywhere(client, dpo):
    for n in range(50):
        sign_in(client, dpo.username, "guess", address=f"203.0.113.{n}")

    assert sign_in(client, dpo.username, RIGHT, address="10.0.0.2").status_code == 200


def test_a_paused_address_is_refused_before_any_database_work(
    client, project, django_assert_num_queries
):
    """A flood from a paused address costs no password hash and no query, only a cache read."""
    for n in range(21):
        basic(client, project, f"someone{n}", "guess", address="203.0.113.5")

    with django_assert_num_queries(0):
        refused = basic(client, project, "anyone", "guess", address="203.0.113.5")

    assert refused.status_code == 429
    assert refused["Retry-After"]
    page = client.post(
        "/accounts/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="203.0.113.5"
    )
    assert page.status_code == 429
    assert b"temporarily limited" in page.content
