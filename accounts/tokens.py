"""API tokens: issued once, stored as SHA-256, expiring, revocable, revoked when the password
changes. ``Authorization: Token <key>`` as with DRF's authtoken, which stored keys in plaintext
(a database dump or a 0644 backup then gave live DPO access)."""

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.models import ApiToken

KEYWORD = "Token"
PREFIX_LENGTH = 8
# last_used_at is written at most this often (not on every request).
TOUCH_SECONDS = 300


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def token_issue(*, user: Any, name: str = "", key: str | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key, which is shown to the caller once and not kept.
    ``key`` is for `manage.py demo` only, which derives a stable key from SECRET_KEY."""
    key = key or f"wp{secrets.token_urlsafe(32)}"
    days = settings.WAYPOINT_API_TOKEN_DAYS
    token, _ = ApiToken.objects.get_or_create(
        key_hash=hash_key(key),
        defaults={
            "user": user,
            "name": name[:100],
            "prefix": key[:PREFIX_LENGTH],
            "expires_at": timezone.now() + timedelta(days=days) if days else None,
        },
    )
    return token, key


def token_revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


def tokens_revoke_all(user: Any) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def token_for_key(key: str) -> ApiToken | None:
    """The live token holding ``key`` (not revoked, not expired, its user active), or None."""
    now = timezone.now()
    digest = hash_key(key)
    for token in ApiToken.objects.filter(
        prefix=key[:PREFIX_LENGTH], revoked_at__isnull=True
    ).select_related("user"):
        if not hmac.compare_digest(token.key_hash, digest):
            continue
        if token.expires_at is not None and token.expires_at <= now:
            return None
        if not token.user.is_active:
            return None
        if (now - (token.last_used_at or token.created_at)).total_seconds() > TOUCH_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token
    return None


class HashedTokenAuthentication(BaseAuthentication):
    """DRF authentication: ``Authorization: Token <key>``."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the token after 'Token ', with no spaces.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("The token is not valid.") from exc
        token = token_for_key(key) if key.isprintable() and len(key) <= 200 else None
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid (expired or revoked).")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


def password_changed_revokes_tokens(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_save of the user: a new password revokes every API token (whoever changed it may be
    locking out someone who stole the old one). Connected in ``AccountsConfig.ready``."""
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = get_user_model().objects.filter(pk=instance.pk).values_list("password", flat=True)
    old = stored.first()
    if old is not None and old != instance.password:
        tokens_revoke_all(instance)


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema describes these tokens as it described DRF's."""

    target_class = "accounts.tokens.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }
