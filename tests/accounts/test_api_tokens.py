"""API tokens are stored as hashes, expire, are revocable by their owner (on a page) and by an
admin, and stop working when the password changes: a database dump or backup gives no live
access, and a stolen token dies with a password reset."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import token_issue

pytestmark = pytest.mark.django_db


def projects(client, key):
    return client.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Token {key}")


def test_only_a_hash_of_the_key_is_stored(client, dpo):
    token, key = token_issue(user=dpo)

    assert projects(client, key).status_code == 200
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(value) for value in stored.values()}
    assert token.key_hash != key
    assert len(token.key_hash) == 64


def test_tokens_expire_after_the_configured_days(client, dpo, settings):
    settings.WAYPOINT_API_TOKEN_DAYS = 90
    token, key = token_issue(user=dpo)
    assert token.expires_at - timezone.now() > timedelta(days=89)

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert projects(client, key).status_code == 401


def test_a_password_change_revokes_every_token(client, dpo):
    _, key = token_issue(user=dpo)
    _, other = token_issue(user=dpo)

    dpo.set_password("a new long passphrase 42")
    dpo.save()

    assert projects(client, key).status_code == 401
    assert projects(client, other).status_code == 401


def test_signing_in_does_not_revoke_tokens(client, dpo):
    """Only the password changing does; last_login updates are not password changes."""
    _, key = token_issue(user=dpo)
    client.force_login(dpo)

    assert projects(client, key).status_code == 200


def test_the_owner_creates_sees_once_and_revokes_on_the_page(client, dpo):
    client.force_login(dpo)

    created = client.post("/accounts/tokens/", {"action": "create", "name": "Power BI"})
    key = created.context["new_key"]
    assert key in created.content.decode()
    listed = client.get("/accounts/tokens/").content.decode()
    assert "Power BI" in listed
    assert key not in listed
    assert "no-store" in created["Cache-Control"]

    token = ApiToken.objects.get(name="Power BI")
    client.post("/accounts/tokens/", {"action": "revoke", "token": token.pk})

    assert projects(client, key).status_code == 401


def test_nobody_revokes_another_persons_token_on_the_page(client, dpo, analyst):
    token, key = token_issue(user=dpo)
    client.force_login(analyst)

    response = client.post("/accounts/tokens/", {"action": "revoke", "token": token.pk})

    assert response.status_code == 404
    assert projects(client, key).status_code == 200


def test_an_admin_lists_and_revokes_tokens_in_the_admin(client, admin_user, dpo):
    token, key = token_issue(user=dpo, name="script")
    client.force_login(admin_user)

    listed = client.get("/admin/accounts/apitoken/")
    assert token.prefix in listed.content.decode()
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert projects(client, key).status_code == 401
